#!/bin/sh
# Runs the Node client tests, tests/node/test_*.mjs (better-sqlite3 12, built from source by
# npm on first use), with the reporter that prints the count line.
cd "$(dirname "$0")" || exit 1
if [ ! -f node_modules/better-sqlite3/build/Release/better_sqlite3.node ]; then
    echo "node: installing better-sqlite3 (compiles once, a minute or two)"
    npm install --no-audit --no-fund --loglevel=error > npm-install.log 2>&1 || {
        cat npm-install.log
        exit 1
    }
fi
exec node --test --test-reporter=../support/node_reporter.mjs test_*.mjs
