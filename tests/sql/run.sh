#!/bin/sh
# Runs each tests/sql/*.sql through the real sqlite3 shell, with the extension loaded, on
# a fresh database, and compares everything it prints (errors included) with NAME.expected.
# Hooks for the sanitizer and valgrind runs (tests/memory/rules.mk): ROOMCODE_SQLITE3 is the
# shell command (may carry a wrapper and its options), ROOMCODE_EXT the extension to load,
# ROOMCODE_SQL_SUITE the name the counts are recorded under.
cd "$(dirname "$0")/../.." || exit 1
root=$(pwd)
shell=${ROOMCODE_SQLITE3:-sqlite3}
ext=${ROOMCODE_EXT:-$root/build/roomcode}
suite=${ROOMCODE_SQL_SUITE:-sql}
passed=0 failed=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for sql in tests/sql/*.sql; do
    name=$(basename "$sql" .sql)
    (cd "$work" && rm -f test.db && $shell -batch -cmd ".load $ext" test.db) \
        < "$sql" > "$work/$name.out" 2>&1
    if diff -u "tests/sql/$name.expected" "$work/$name.out" > "$work/$name.diff"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL $suite/$name"
        cat "$work/$name.diff"
    fi
done
echo "$suite: $passed passed, $failed failed"
tests/record_result.sh "$suite" "$passed" "$failed"
[ "$failed" -eq 0 ]
