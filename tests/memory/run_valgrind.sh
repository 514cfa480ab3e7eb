#!/bin/sh
# make test-valgrind, one suite per call: the whole SQL suite with the sqlite3 shell under
# memcheck (tests/memory/valgrind_sqlite3.sh: any error or definite leak is printed into
# the output and so fails the comparison with the .expected file), and canaries that prove
# a leak and an overflow inside a loaded extension are reported.
# usage: tests/memory/run_valgrind.sh canary | sql
cd "$(dirname "$0")/../.." || exit 1
command -v valgrind > /dev/null || { echo "test-valgrind: valgrind is not installed"; exit 1; }
vg=$(pwd)/tests/memory/valgrind_sqlite3.sh
case $1 in
canary)
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
    [ "$failed" -eq 0 ]
    ;;
sql)
    ROOMCODE_SQLITE3=$vg ROOMCODE_SQL_SUITE=sql-valgrind tests/sql/run.sh
    ;;
*)
    echo "usage: $0 canary | sql"
    exit 2
    ;;
esac
