#!/bin/sh
# The one runner of `make test`: runs a suite's command, shows its output, reads its counts
# and records them for the closing summary (build/test-results.txt, read by
# tests/support/summary.sh), with the seconds it took.
#
# usage: tests/support/run_suite.sh SUITE COMMAND [ARG...]
#
# The contract every suite follows: its last line of output is
#     <anything>: <P> passed, <F> failed
# and it exits 0 only when nothing failed. A suite that prints no such line, or exits
# non-zero while claiming no failure, is recorded as failed, so a crash cannot pass.
suite=$1
shift
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mktemp)
trap 'rm -f "$out"' EXIT
started=$(date +%s)
"$@" > "$out" 2>&1
status=$?
seconds=$(($(date +%s) - started))
cat "$out"
line=$(grep -E ': [0-9]+ passed, [0-9]+ failed$' "$out" | tail -n 1)
passed=$(echo "$line" | sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
failed=$(echo "$line" | sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
if [ -z "$passed" ]; then
    echo "$suite: no result line (exit status $status)"
    passed=0 failed=1
fi
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
    echo "$suite: exit status $status with no failure counted"
    failed=1
fi
mkdir -p "$root/build"
echo "$suite $passed $failed $seconds" >> "$root/build/test-results.txt"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
