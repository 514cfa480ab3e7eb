#!/bin/sh
# make python-asan: the Python tests that sweep the most paths of the extension (the
# interrupt sweep and the query differential) with the ASan+UBSan build of the extension
# (build/asan/roomcode.so) loaded into Debian's python3, the ASan runtime preloaded. Leak
# detection is off: the interpreter itself keeps memory to its exit. Shorter sweeps than in
# the python suite keep it quick.
# usage: ASAN_RUNTIME=PATH tests/memory/run_python_asan.sh
cd "$(dirname "$0")/../.." || exit 1
[ -f "$ASAN_RUNTIME" ] || { echo "python-asan: no ASan runtime at '$ASAN_RUNTIME'"; exit 1; }
export ASAN_OPTIONS=detect_leaks=0:halt_on_error=1:abort_on_error=0:exitcode=23
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export ROOMCODE_EXT="$(pwd)/build/asan/roomcode"
# (and the rename after sqlite3_deserialize, which once crashed inside SQLite 3.40)
export ROOMCODE_TEST_FILES="test_interrupts test_query_differential test_statement_snapshot\
 test_deserialize_rename"
export ROOMCODE_INTERRUPT_STRIDE=32 ROOMCODE_DIFF_QUERIES=1200
LD_PRELOAD="$ASAN_RUNTIME" /usr/bin/python3 tests/support/unittest_suite.py python-asan tests/python
