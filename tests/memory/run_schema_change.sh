#!/bin/sh
# make schema-test-asan / schema-test-valgrind: the schema-change scenarios
# (tests/memory/schema_change.c), the suites schema-asan and schema-valgrind.
#   asan: the extension compiled in with ASan+UBSan, every configuration.
#   valgrind: memcheck over the plain program loading build/roomcode.so, in two of the four
#         configurations (rollback journal with DEFENSIVE off, WAL with it on) to stay quick.
# Each scenario runs in a process of its own, so that a report ends only that scenario
# (schema_change without --per-scenario runs each configuration apart, for a closer look).
# The whole output goes to build/memory/schema-MODE.log; failures, the tools' summaries and
# the program's count line are shown.
# usage: tests/memory/run_schema_change.sh asan|valgrind BINARY
cd "$(dirname "$0")/../.." || exit 1
mode=$1 bin=$2
log=build/memory/schema-$mode.log
mkdir -p build/memory
case $mode in
asan)
    export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:abort_on_error=0:exitcode=23
    export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    "$bin" --per-scenario > "$log" 2>&1
    ;;
valgrind)
    command -v valgrind > /dev/null || { echo "schema-test-valgrind: valgrind is not installed"; exit 1; }
    valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
        --show-leak-kinds=definite "$bin" --ext build/roomcode.so --per-scenario --pairwise \
        > "$log" 2>&1
    ;;
*)
    echo "usage: $0 asan|valgrind BINARY"
    exit 2
    ;;
esac
code=$?
grep -E '^FAIL |SUMMARY: |ERROR SUMMARY: [1-9]|definitely lost: [1-9]' "$log" | head -n 60
echo "(whole output: $log)"
# the program's own count line, last, for tests/support/run_suite.sh
tail -n 1 "$log"
exit $code
