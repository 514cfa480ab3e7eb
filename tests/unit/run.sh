#!/bin/sh
# Runs the C unit tests of the pure modules; each prints "NAME: N passed, M failed".
passed=0 failed=0 status=0
for t in "$@"; do
    out=$("$t") || status=1
    echo "$out"
    line=$(echo "$out" | tail -n 1)
    p=$(echo "$line" | sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
    f=$(echo "$line" | sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
    [ -n "$p" ] || { echo "$t: no result line"; status=1; f=1; p=0; }
    passed=$((passed + p)) failed=$((failed + f))
done
tests/record_result.sh unit "$passed" "$failed"
exit $status
