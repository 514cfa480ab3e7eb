#!/bin/sh
# make test-asan, one suite per call: the unit tests and the whole SQL suite with
# ASan+UBSan. The SQL files run in Debian's sqlite3 shell, which is not instrumented, with
# the sanitized extension (build/asan/roomcode.so) and the ASan runtime preloaded; any
# report lands in the shell's output and so fails the comparison with the .expected file.
# Leak detection is on: the shell frees what it allocates, so no suppressions are needed.
# The canaries prove that a leak and an overflow inside a loaded extension are reported.
# usage: ASAN_RUNTIME=PATH tests/memory/run_asan.sh canary | unit TEST_BINARY | sql
cd "$(dirname "$0")/../.." || exit 1
runtime=$ASAN_RUNTIME
[ -f "$runtime" ] || { echo "test-asan: no ASan runtime at '$runtime'"; exit 1; }
export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:abort_on_error=0:exitcode=23
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
sanitized_sqlite3="env LD_PRELOAD=$runtime sqlite3"

case $1 in
canary)
    passed=0 failed=0
    canary() { # FUNCTION WANTED-TEXT
        out=$(echo "SELECT $1();" | $sanitized_sqlite3 -batch -cmd ".load build/asan/canary" :memory: 2>&1)
        code=$?
        if [ "$code" -ne 0 ] && echo "$out" | grep -q "$2"; then
            passed=$((passed + 1))
        else
            failed=$((failed + 1))
            echo "FAIL asan-canary/$1: exit $code, no '$2' reported:"
            echo "$out" | head -n 20
        fi
    }
    canary canary_leak "LeakSanitizer: detected memory leaks"
    canary canary_overflow "heap-buffer-overflow"
    echo "asan-canary: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    ;;
unit) # the test prints its own count line last; a sanitizer report makes it exit non-zero
    "$2"
    ;;
sql)
    ROOMCODE_SQLITE3=$sanitized_sqlite3 ROOMCODE_EXT=$(pwd)/build/asan/roomcode \
        ROOMCODE_SQL_SUITE=sql-asan tests/sql/run.sh
    ;;
*)
    echo "usage: $0 canary | unit TEST_BINARY | sql"
    exit 2
    ;;
esac
