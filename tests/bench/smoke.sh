#!/bin/sh
# bench-smoke: every workload of build/bench and the Python token comparison at a small
# size, results checked; the two quick runs' counts added up into one result line.
# usage: tests/bench/smoke.sh BUILD_DIR PYTHON
build=$1 python=$2
passed=0 failed=0 status=0
for cmd in "$build/bench --quick --ext $build/roomcode --sql sql" \
           "$python tests/bench/token_vs_pyjwt.py --quick --ext $build/roomcode"; do
    out=$($cmd 2>&1) || status=1
    echo "$out"
    line=$(echo "$out" | tail -n 1)
    p=$(echo "$line" | sed -n 's/^bench-smoke[a-z-]*: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
    f=$(echo "$line" | sed -n 's/^bench-smoke[a-z-]*: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
    [ -n "$p" ] || { p=0 f=1; }
    passed=$((passed + p)) failed=$((failed + f))
done
[ "$status" -eq 0 ] || [ "$failed" -gt 0 ] || failed=1
echo "bench-smoke: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
