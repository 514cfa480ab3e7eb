#!/bin/sh
# Runs the Node client tests, tests/node/test_*.mjs (better-sqlite3 12, built from source by
# npm on first use).
cd "$(dirname "$0")" || exit 1
if [ ! -f node_modules/better-sqlite3/build/Release/better_sqlite3.node ]; then
    echo "node: installing better-sqlite3 (compiles once, a minute or two)"
    npm install --no-audit --no-fund --loglevel=error > npm-install.log 2>&1 || {
        cat npm-install.log
        exit 1
    }
fi
out=$(node --test test_*.mjs 2>&1)
status=$?
echo "$out" | grep -E "^(not )?ok |^# (pass|fail)"
pass=$(echo "$out" | sed -n 's/^# pass //p')
fail=$(echo "$out" | sed -n 's/^# fail //p')
echo "node: ${pass:-0} passed, ${fail:-1} failed"
../record_result.sh node "${pass:-0}" "${fail:-1}"
[ "$status" -eq 0 ] && [ "${pass:-0}" -gt 0 ]
