#!/bin/sh
# Records one suite's counts for the closing summary of `make test`.
# usage: tests/record_result.sh SUITE PASSED FAILED
cd "$(dirname "$0")/.." || exit 1
mkdir -p build
echo "$1 $2 $3" >> build/test-results.txt
