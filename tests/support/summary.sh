#!/bin/sh
# Prints the counts every suite recorded through tests/support/run_suite.sh, and the total
# as its last line, with the seconds each took; fails when any suite failed or none ran.
cd "$(dirname "$0")/../.." || exit 1
[ -s build/test-results.txt ] || { echo "no test results recorded"; exit 1; }
awk '{ printf "  %-22s %5d passed, %d failed %6ds\n", $1, $2, $3, $4; p += $2; f += $3; s += $4 }
     END { printf "  %-22s %28ds\n", "(time in suites)", s
           printf "roomcode: %d passed, %d failed\n", p, f; exit (f > 0) }' build/test-results.txt
