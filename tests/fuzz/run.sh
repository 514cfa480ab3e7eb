#!/bin/sh
# Runs each libFuzzer target of tests/fuzz for a bounded time and reports the executions
# it reached. usage: tests/fuzz/run.sh [--smoke] SECONDS TARGET...
#   --smoke  (make test) starts from the checked-in seeds only, in a scratch directory, and
#            counts one pass per target that ran clean;
#   without  (make fuzz) grows build/fuzz/corpus/NAME across runs.
# A crash, leak, sanitizer report or timeout fails the target; libFuzzer writes the input
# to build/fuzz/artifacts/NAME-* (reproduce: build/fuzz/fuzz_NAME FILE).
cd "$(dirname "$0")/../.." || exit 1
smoke=0
[ "$1" = --smoke ] && { smoke=1; shift; }
seconds=$1
shift
mkdir -p build/fuzz/artifacts
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
passed=0 failed=0
for bin in "$@"; do
    name=$(basename "$bin" | sed 's/^fuzz_//')
    seeds=tests/fuzz/corpus/$name
    if [ "$smoke" = 1 ]; then
        corpus=$scratch/$name
    else
        corpus=build/fuzz/corpus/$name
    fi
    mkdir -p "$corpus"
    dict=
    [ -f "tests/fuzz/$name.dict" ] && dict=-dict=tests/fuzz/$name.dict
    log=$scratch/$name.log
    "$bin" -max_total_time="$seconds" -print_final_stats=1 -timeout=20 -rss_limit_mb=2048 \
        -artifact_prefix="build/fuzz/artifacts/$name-" $dict "$corpus" "$seeds" > "$log" 2>&1
    status=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    units=$(ls "$corpus" | wc -l)
    if [ "$status" -eq 0 ] && [ -n "$execs" ]; then
        passed=$((passed + 1))
        printf 'fuzz %-12s ok: %s executions in %ss (%s/s), corpus %s inputs\n' \
            "$name" "$execs" "$seconds" "$rate" "$units"
    else
        failed=$((failed + 1))
        echo "FAIL fuzz/$name (exit $status):"
        grep -v '^#\|^INFO\|^\s*NEW_FUNC' "$log" | tail -n 60
    fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
