#!/bin/sh
# Runs each tests/sql/*.sql through the real sqlite3 shell, with the extension loaded, on
# a fresh database, and compares everything it prints (errors included) with NAME.expected.
cd "$(dirname "$0")/../.." || exit 1
root=$(pwd)
passed=0 failed=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for sql in tests/sql/*.sql; do
    name=$(basename "$sql" .sql)
    (cd "$work" && rm -f test.db && sqlite3 -batch -cmd ".load $root/build/roomcode" test.db) \
        < "$sql" > "$work/$name.out" 2>&1
    if diff -u "tests/sql/$name.expected" "$work/$name.out" > "$work/$name.diff"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL sql/$name"
        cat "$work/$name.diff"
    fi
done
echo "sql: $passed passed, $failed failed"
tests/record_result.sh sql "$passed" "$failed"
[ "$failed" -eq 0 ]
