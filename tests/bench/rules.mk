# make bench: the benchmark table of tests/bench/bench.c, then roomcode_token against a PyJWT
# join handler in Python (tests/bench/token_vs_pyjwt.py); not part of `make test`.
# bench-smoke (part of `make test`): the same workloads at a small size, results checked:
# two suites, bench-smoke (bench.c) and bench-smoke-python (the PyJWT comparison).

BENCH_LIBS := $(shell pkg-config --libs sqlite3 2>/dev/null || echo -lsqlite3) $(SODIUM_LIBS)
BENCH_PYTHON := /usr/bin/python3

.PHONY: bench bench-smoke
TEST_SUITES += bench-smoke

$(BUILD)/bench: tests/bench/bench.c tests/bench/bench_platforms.c | $(BUILD)
	$(CC) $(CFLAGS) -std=c11 $(WARN) $(PKG_CFLAGS) -o $@ $< $(BENCH_LIBS)

bench: $(BUILD)/bench $(BUILD)/roomcode.so
	@$(BUILD)/bench --ext $(BUILD)/roomcode --sql sql
	@$(BENCH_PYTHON) tests/bench/token_vs_pyjwt.py --ext $(BUILD)/roomcode

bench-smoke: $(BUILD)/bench $(BUILD)/roomcode.so
	@status=0; \
	tests/support/run_suite.sh bench-smoke $(BUILD)/bench --quick --ext $(BUILD)/roomcode --sql sql || status=1; \
	tests/support/run_suite.sh bench-smoke-python \
	    $(BENCH_PYTHON) tests/bench/token_vs_pyjwt.py --quick --ext $(BUILD)/roomcode || status=1; \
	exit $$status
