#!/bin/sh
# make schema-test-asan / schema-test-valgrind: the schema-change scenarios
# (tests/memory/schema_change.c), recording the suite schema-asan or schema-valgrind.
#   asan: the extension compiled in with ASan+UBSan, every configuration.
#   valgrind: memcheck over the plain program loading build/roomcode.so, in two of the four
#         configurations (rollback journal with DEFENSIVE off, WAL with it on) to stay quick.
# Each scenario runs in a process of its own, so that a report ends only that scenario
# (schema_change without --per-scenario runs each configuration apart, for a closer look).
# The whole output goes to build/memory/schema-MODE.log; failures, the tools' summaries and
# the count line are shown.
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
suite=schema-$mode
grep -E '^FAIL |SUMMARY: |ERROR SUMMARY: [1-9]|definitely lost: [1-9]' "$log" | head -n 60
line=$(tail -n 1 "$log")
p=$(echo "$line" | sed -n 's/^schema-change: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
f=$(echo "$line" | sed -n 's/^schema-change: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
[ -n "$p" ] || { p=0 f=1; echo "FAIL $suite: the program did not finish (exit $code)"; }
[ "$code" -eq 0 ] || [ "$f" -gt 0 ] || { f=1; echo "FAIL $suite: exit $code"; }
echo "$suite: $p passed, $f failed (log: $log)"
tests/record_result.sh "$suite" "$p" "$f"
[ "$f" -eq 0 ]
