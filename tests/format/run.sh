#!/bin/sh
# Checks that every C file is laid out as .clang-format says (the suite "format" of `make test`).
cd "$(dirname "$0")/../.." || exit 1
passed=0 failed=0
for f in $(git ls-files 'ext/*.c' 'ext/*.h' 'tests/*.c' 'tests/*.h' 'cluster/*.c' 'cluster/*.h' 2>/dev/null || ls ext/*.[ch]); do
    if clang-format "$f" | cmp -s "$f" -; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL format: $f (clang-format -i $f)"
    fi
done
echo "format: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
