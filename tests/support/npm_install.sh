#!/bin/sh
# Installs a folder's npm packages from its lockfile (npm ci), once per lockfile, for the
# suites that use npm (node, sdk, clients, packaging, the join endpoint under test).
# Native addons (better-sqlite3, sqlite3) compile with node-gyp, since npm's prebuilt
# binaries come from GitHub, which this machine cannot reach: each compiles once per
# version and Node ABI into build/npm-native/, and every later install copies that build
# instead of compiling again (four suites use better-sqlite3 12.11.1).
# usage: tests/support/npm_install.sh FOLDER   (prints npm's log and fails if npm fails)
set -e
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$1"
stamp=node_modules/.roomcode-installed-lock
cmp -s package-lock.json "$stamp" 2> /dev/null && exit 0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
npm_quiet() {
    npm "$@" --no-audit --no-fund --loglevel=error > "$log" 2>&1 || {
        cat "$log"
        echo "npm $* failed in $(pwd)"
        exit 1
    }
}
echo "npm: installing $(pwd | sed "s|^$root/||") from its lockfile"
npm_quiet ci --ignore-scripts
abi=$(node -p 'process.versions.modules + "-" + process.platform + "-" + process.arch')
# "path name version" of every installed package that has an install script
node -e '
const lock = require(process.cwd() + "/package-lock.json");
for (const [path, p] of Object.entries(lock.packages || {}))
  if (path && p.hasInstallScript && require("fs").existsSync(path)) // optional ones may be absent
    console.log(path, path.replace(/.*node_modules\//, ""), p.version);
' | while read -r path name version; do
    cache=$root/build/npm-native/$name-$version-$abi
    if [ -d "$cache/Release" ]; then
        mkdir -p "$path/build" && cp -r "$cache/Release" "$path/build/"
    else
        npm_quiet rebuild "$name"
        if ls "$path"/build/Release/*.node > /dev/null 2>&1; then
            mkdir -p "$cache/Release" && cp "$path"/build/Release/*.node "$cache/Release/"
        fi
    fi
done
cp package-lock.json "$stamp"
