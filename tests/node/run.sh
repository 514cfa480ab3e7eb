#!/bin/sh
# Runs the Node client tests, tests/node/test_*.mjs (better-sqlite3 12 and jose, installed
# from the lockfile on first use), with the reporter that prints the count line.
cd "$(dirname "$0")" || exit 1
../support/npm_install.sh . || exit 1
exec node --test --test-reporter=../support/node_reporter.mjs test_*.mjs
