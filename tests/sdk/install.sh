#!/bin/sh
# Installs the npm packages of the endpoint and of this suite with `npm ci`, once per
# lockfile (the endpoint's better-sqlite3 compiles, a minute or two). Used by run.sh and
# bench.sh; prints npm's log and exits 1 when an install fails.
cd "$(dirname "$0")" || exit 1
for dir in ../../examples/join-endpoint .; do
    [ "$dir/node_modules/.package-lock.json" -nt "$dir/package-lock.json" ] && continue
    echo "sdk: npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) > "$dir/npm-ci.log" 2>&1 || {
        cat "$dir/npm-ci.log"
        exit 1
    }
done
