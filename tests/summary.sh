#!/bin/sh
# Prints the counts of every suite `make test` ran, and the total as its last line.
[ -f build/test-results.txt ] || { echo "no test results recorded"; exit 1; }
awk '{ printf "  %-22s %5d passed, %d failed\n", $1, $2, $3; p += $2; f += $3 }
     END { printf "roomcode: %d passed, %d failed\n", p, f; exit (f > 0) }' build/test-results.txt
