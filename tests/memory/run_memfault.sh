#!/bin/sh
# make memory-test: the allocation-failure harness (tests/memory/memfault.c, built with
# ASan+UBSan) over every operation, recording the suite "memory". MEMFAULT_STRIDE (FROM:K)
# thins out the long sweeps; `make memory-full` tries every allocation.
# usage: tests/memory/run_memfault.sh BINARY
cd "$(dirname "$0")/../.." || exit 1
export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
out=$("$1" 2>&1)
code=$?
echo "$out"
line=$(echo "$out" | tail -n 1)
p=$(echo "$line" | sed -n 's/^memory: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
f=$(echo "$line" | sed -n 's/^memory: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
[ -n "$p" ] || { p=0 f=1; echo "FAIL memory: the harness did not finish (exit $code)"; }
[ "$code" -eq 0 ] || [ "$f" -gt 0 ] || f=1
tests/record_result.sh memory "$p" "$f"
[ "$code" -eq 0 ] && [ "$f" -eq 0 ]
