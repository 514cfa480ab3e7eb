#!/bin/sh
# make test-valgrind: the whole SQL suite with the sqlite3 shell under memcheck
# (tests/memory/valgrind_sqlite3.sh: any error or definite leak is printed into the output
# and so fails the comparison with the .expected file), after canaries that prove a leak
# and an overflow inside a loaded extension are reported.
cd "$(dirname "$0")/../.." || exit 1
command -v valgrind > /dev/null || { echo "test-valgrind: valgrind is not installed"; exit 1; }
status=0
vg=$(pwd)/tests/memory/valgrind_sqlite3.sh
passed=0 failed=0
canary() { # FUNCTION WANTED-TEXT
    out=$(echo "SELECT $1();" | "$vg" -batch -cmd ".load build/memory/canary" :memory: 2>&1)
    code=$?
    if [ "$code" -eq 99 ] && echo "$out" | grep -q "$2"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL valgrind-canary/$1: exit $code, no '$2' reported:"
        echo "$out" | head -n 20
    fi
}
canary canary_leak "definitely lost"
canary canary_overflow "Invalid write"
echo "valgrind-canary: $passed passed, $failed failed"
tests/record_result.sh valgrind-canary "$passed" "$failed"
[ "$failed" -eq 0 ] || status=1

ROOMCODE_SQLITE3=$vg ROOMCODE_SQL_SUITE=sql-valgrind tests/sql/run.sh || status=1
exit $status
