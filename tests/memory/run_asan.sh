#!/bin/sh
# make test-asan: the unit tests and the whole SQL suite with ASan+UBSan. The SQL files run
# in Debian's sqlite3 shell, which is not instrumented, with the sanitized extension
# (build/asan/roomcode.so) and the ASan runtime preloaded; any report lands in the shell's
# output and so fails the comparison with the .expected file. Leak detection is on: the
# shell frees what it allocates, so no suppressions are needed. Canaries first prove that
# a leak and an overflow inside a loaded extension are reported.
# usage: tests/memory/run_asan.sh ASAN_RUNTIME UNIT_TEST...
cd "$(dirname "$0")/../.." || exit 1
runtime=$1
shift
[ -f "$runtime" ] || { echo "test-asan: no ASan runtime at '$runtime'"; exit 1; }
status=0
export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:abort_on_error=0:exitcode=23
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
sanitized_sqlite3="env LD_PRELOAD=$runtime sqlite3"

# Canaries: the tools must see a leak and a heap overflow in a loaded extension.
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
tests/record_result.sh asan-canary "$passed" "$failed"
[ "$failed" -eq 0 ] || status=1

# Unit tests, each printing "NAME: N passed, M failed" as its last line.
passed=0 failed=0
for t in "$@"; do
    out=$("$t" 2>&1)
    code=$?
    line=$(echo "$out" | tail -n 1)
    p=$(echo "$line" | sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
    f=$(echo "$line" | sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
    if [ -z "$p" ] || [ "$code" -ne 0 ]; then
        echo "FAIL unit-asan/$(basename "$t") (exit $code):"
        echo "$out" | tail -n 30
        p=${p:-0} f=$((${f:-0} + 1))
    fi
    passed=$((passed + p)) failed=$((failed + f))
done
echo "unit-asan: $passed passed, $failed failed"
tests/record_result.sh unit-asan "$passed" "$failed"
[ "$failed" -eq 0 ] || status=1

ROOMCODE_SQLITE3=$sanitized_sqlite3 ROOMCODE_EXT=$(pwd)/build/asan/roomcode \
    ROOMCODE_SQL_SUITE=sql-asan tests/sql/run.sh || status=1
exit $status
