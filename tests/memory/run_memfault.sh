#!/bin/sh
# make memory-test: the allocation-failure harness (tests/memory/memfault.c, built with
# ASan+UBSan) over every operation; it prints its own count line last. MEMFAULT_STRIDE
# (FROM:K) thins out the long sweeps; `make memory-full` tries every allocation.
# usage: tests/memory/run_memfault.sh BINARY
cd "$(dirname "$0")/../.." || exit 1
export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
exec "$1"
