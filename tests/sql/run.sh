#!/bin/sh
# Runs each tests/sql/*.sql through the real sqlite3 shell, with the extension loaded, on
# a fresh database, and compares everything it prints (errors included) with NAME.expected.
# Hooks for other runs (tests/memory/rules.mk, tests/compat/rules.mk): ROOMCODE_SQLITE3 is the
# shell command (may carry a wrapper and its options), ROOMCODE_EXT the extension to load,
# ROOMCODE_SQL_SUITE the name on its count line.
# The .expected files hold what Debian's 3.40 shell prints, and its output must match them
# exactly. Other shells word errors differently (3.52: "Error near line N: msg" for 3.40's
# "Runtime error near line N: msg (19)"), so for them both sides are compared with every
# error in one common form.
cd "$(dirname "$0")/../.." || exit 1
root=$(pwd)
shell=${ROOMCODE_SQLITE3:-sqlite3}
ext=${ROOMCODE_EXT:-$root/build/roomcode}
suite=${ROOMCODE_SQL_SUITE:-sql}
common_form() {
    sed -E -e 's/^Runtime error (near line [0-9]+: .*) \([0-9]+\)$/Error \1/' \
        -e 's/^(Runtime|Parse) error near line/Error near line/'
}
case $($shell -version) in
    3.40.*) form=cat ;;
    *) form=common_form ;;
esac
passed=0 failed=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for sql in tests/sql/*.sql; do
    name=$(basename "$sql" .sql)
    (cd "$work" && rm -f test.db && $shell -batch -cmd ".load $ext" test.db) \
        < "$sql" > "$work/$name.out" 2>&1
    $form < "tests/sql/$name.expected" > "$work/$name.want"
    $form < "$work/$name.out" > "$work/$name.got"
    if diff -u --label "tests/sql/$name.expected" --label "$suite/$name" "$work/$name.want" \
        "$work/$name.got" > "$work/$name.diff"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL $suite/$name"
        cat "$work/$name.diff"
    fi
done
echo "$suite: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
