# make bench: the benchmark table of tests/bench/bench.c (not part of `make test`).
# bench-smoke (part of `make test`): the same workloads at a small size, results checked.

BENCH_LIBS := $(shell pkg-config --libs sqlite3 2>/dev/null || echo -lsqlite3) $(SODIUM_LIBS)

.PHONY: bench bench-smoke
TEST_SUITES += bench-smoke

$(BUILD)/bench: tests/bench/bench.c | $(BUILD)
	$(CC) $(CFLAGS) -std=c11 $(WARN) $(PKG_CFLAGS) -o $@ $< $(BENCH_LIBS)

bench: $(BUILD)/bench $(BUILD)/roomcode.so
	@$(BUILD)/bench --ext $(BUILD)/roomcode --sql sql

bench-smoke: $(BUILD)/bench $(BUILD)/roomcode.so
	@out=$$($(BUILD)/bench --quick --ext $(BUILD)/roomcode --sql sql); status=$$?; \
	echo "$$out"; \
	line=$$(echo "$$out" | tail -n 1); \
	p=$$(echo "$$line" | sed -n 's/^bench-smoke: \([0-9]*\) passed, \([0-9]*\) failed$$/\1/p'); \
	f=$$(echo "$$line" | sed -n 's/^bench-smoke: \([0-9]*\) passed, \([0-9]*\) failed$$/\2/p'); \
	[ -n "$$p" ] || { p=0; f=1; }; \
	[ $$status -eq 0 ] || [ $$f -gt 0 ] || f=1; \
	tests/record_result.sh bench-smoke $$p $$f; \
	[ $$status -eq 0 ] && [ $$f -eq 0 ]
