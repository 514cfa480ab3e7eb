#!/bin/sh
# The sdk suite: examples/join-endpoint against the real 100ms web SDK, and the endpoint's
# own behaviour (tests/sdk/test_*.mjs), after install.sh. Run it through
# tests/support/run_suite.sh.
cd "$(dirname "$0")" || exit 1
./install.sh || {
    echo "sdk: 0 passed, 1 failed"
    exit 1
}
out=$(timeout 300 node --test test_*.mjs 2>&1)
status=$?
echo "$out" | grep -E "^ *(not )?ok |^# (pass|fail)"
[ "$status" -eq 0 ] || echo "$out" | grep -E -A12 "^ *not ok " | head -80
pass=$(echo "$out" | sed -n 's/^# pass //p')
fail=$(echo "$out" | sed -n 's/^# fail //p')
[ "$status" -ne 0 ] && [ "${fail:-0}" -eq 0 ] && fail=1
echo "sdk: ${pass:-0} passed, ${fail:-1} failed"
[ "$status" -eq 0 ] && [ "${pass:-0}" -gt 0 ]
