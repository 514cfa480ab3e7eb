#!/bin/sh
# Installs a folder's npm packages from its lockfile (npm ci), once per lockfile, for the
# suites that use npm (node, sdk, clients, packaging, the join endpoint under test).
# Native addons compile with node-gyp, since their prebuilt binaries are on GitHub, which
# this machine cannot reach; cache_prebuilds.cjs then leaves each compiled addon where
# prebuild-install looks first, so that better-sqlite3 compiles once, not in every suite.
# usage: tests/support/npm_install.sh FOLDER   (prints npm's log and fails if npm fails)
support=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$(dirname "$support")")
cd "$1" || exit 1
# one install of a folder at a time: make test's prefetch and the suite's own call
mkdir -p "$root/build/npm-locks"
exec 9> "$root/build/npm-locks/$(pwd | sed "s|^$root/||; s|/|_|g").lock"
flock 9
stamp=node_modules/.roomcode-installed-lock
cmp -s package-lock.json "$stamp" 2> /dev/null && exit 0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
echo "npm: installing $1 from its lockfile"
# node-gyp compiles an addon's sources in parallel (node-sqlite3: its binding beside SQLite)
export JOBS=max
npm ci --no-audit --no-fund --loglevel=error > "$log" 2>&1 || {
    cat "$log"
    echo "npm ci failed in $1"
    exit 1
}
npm_config_cache=$(npm config get cache) node "$support/cache_prebuilds.cjs" node_modules || exit 1
cp package-lock.json "$stamp"
