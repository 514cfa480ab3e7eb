# Memory: the unit and SQL suites under ASan+UBSan (test-asan), the SQL suite under
# valgrind (test-valgrind), and allocation failures on every path of the extension
# (memory-test; memory-full tries every allocation of the long sweeps too).

SAN_CC          ?= clang
SAN_FLAGS       := -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
                   -fno-sanitize-recover=undefined
ASAN_RUNTIME    := $(shell $(SAN_CC) -print-file-name=libclang_rt.asan-x86_64.so 2>/dev/null)
MEMORY_LIBS     := $(shell pkg-config --libs sqlite3 2>/dev/null || echo -lsqlite3) $(SODIUM_LIBS)
MEMFAULT_STRIDE ?= 60:8:30

.PHONY: test-asan test-valgrind memory-test memory-full
TEST_SUITES += test-asan test-valgrind memory-test

# The extension's objects with ASan+UBSan and SQLITE_CORE, for the programs that compile
# it in (memfault, schema_change_asan): built once for both.
SAN_OBJ         := $(call EXT_OBJ_IN,san)

$(BUILD)/san/%.o: ext/%.c $(EXT_DEPS)
	@mkdir -p $(@D)
	$(SAN_CC) $(SAN_FLAGS) $(EXT_CFLAGS) -DSQLITE_CORE -c -o $@ $<

# The extension with ASan+UBSan, linked to the shared ASan runtime that test-asan preloads
# into Debian's sqlite3 shell.
$(BUILD)/asan/roomcode.so: $(EXT_SRC) $(EXT_DEPS)
	@mkdir -p $(@D)
	$(SAN_CC) $(SAN_FLAGS) -shared-libasan $(EXT_CFLAGS) -shared -o $@ $(EXT_SRC) $(SODIUM_LIBS)

$(BUILD)/asan/canary.so: tests/memory/canary.c
	@mkdir -p $(@D)
	$(SAN_CC) $(SAN_FLAGS) -shared-libasan -fPIC -shared $(PKG_CFLAGS) -o $@ $<

$(BUILD)/memory/canary.so: tests/memory/canary.c
	@mkdir -p $(@D)
	$(CC) -g -O0 -fPIC -shared $(PKG_CFLAGS) -o $@ $<

$(BUILD)/asan/test_%: tests/unit/test_%.c tests/unit/check.h ext/%.c ext/%.h ext/code_format.c ext/code_format.h
	@mkdir -p $(@D)
	$(SAN_CC) $(SAN_FLAGS) -std=c11 -D_POSIX_C_SOURCE=200809L $(WARN) -Iext $(PKG_CFLAGS) -o $@ $< \
	    ext/$*.c $(if $(filter letter_pool link,$*),ext/code_format.c) $(if $(filter platform_claims,$*),ext/token.c) $(SODIUM_LIBS)

test-asan: $(BUILD)/asan/roomcode.so $(BUILD)/asan/canary.so $(addprefix $(BUILD)/asan/test_,$(UNIT_TESTS))
	@status=0; \
	ASAN_RUNTIME="$(ASAN_RUNTIME)" tests/support/run_suite.sh asan-canary tests/memory/run_asan.sh canary || status=1; \
	for t in $(addprefix $(BUILD)/asan/test_,$(UNIT_TESTS)); do \
	    ASAN_RUNTIME="$(ASAN_RUNTIME)" tests/support/run_suite.sh unit-asan-$${t##*/test_} tests/memory/run_asan.sh unit $$t || status=1; \
	done; \
	ASAN_RUNTIME="$(ASAN_RUNTIME)" tests/support/run_suite.sh sql-asan tests/memory/run_asan.sh sql || status=1; \
	exit $$status

test-valgrind: $(BUILD)/roomcode.so $(BUILD)/memory/canary.so
	@status=0; \
	tests/support/run_suite.sh valgrind-canary tests/memory/run_valgrind.sh canary || status=1; \
	tests/support/run_suite.sh sql-valgrind tests/memory/run_valgrind.sh sql || status=1; \
	exit $$status

# The allocation-failure harness: the extension compiled in, with ASan+UBSan.
$(BUILD)/memory/memfault: tests/memory/memfault.c tests/support/store_check.c \
                          tests/support/store_check.h $(SAN_OBJ)
	@mkdir -p $(@D)
	$(SAN_CC) $(SAN_FLAGS) $(EXT_CFLAGS) -DSQLITE_CORE -Itests/support -o $@ tests/memory/memfault.c \
	    tests/support/store_check.c $(SAN_OBJ) $(MEMORY_LIBS)

memory-test: $(BUILD)/memory/memfault
	@MEMFAULT_STRIDE=$(MEMFAULT_STRIDE) tests/support/run_suite.sh memory tests/memory/run_memfault.sh $<

memory-full: $(BUILD)/memory/memfault
	@tests/support/run_suite.sh memory-full tests/memory/run_memfault.sh $<


# Memory safety and stale state around schema changes (tests/memory/schema_change.c): with
# ASan+UBSan and the extension compiled in, and under valgrind loading build/roomcode.so.
# Two suites: schema-asan and schema-valgrind.
.PHONY: schema-test schema-test-asan schema-test-valgrind
TEST_SUITES += schema-test-asan schema-test-valgrind

$(BUILD)/memory/schema_change_asan: tests/memory/schema_change.c $(SAN_OBJ)
	@mkdir -p $(@D)
	$(SAN_CC) $(SAN_FLAGS) $(EXT_CFLAGS) -DSQLITE_CORE -o $@ tests/memory/schema_change.c $(SAN_OBJ) \
	    $(MEMORY_LIBS)

$(BUILD)/memory/schema_change: tests/memory/schema_change.c
	@mkdir -p $(@D)
	$(CC) -g -O1 -std=c11 -D_POSIX_C_SOURCE=200809L $(WARN) $(PKG_CFLAGS) -o $@ $< \
	    $(shell pkg-config --libs sqlite3 2>/dev/null || echo -lsqlite3)

schema-test-asan: $(BUILD)/memory/schema_change_asan
	@tests/support/run_suite.sh schema-asan tests/memory/run_schema_change.sh asan $<

schema-test-valgrind: $(BUILD)/memory/schema_change $(BUILD)/roomcode.so
	@tests/support/run_suite.sh schema-valgrind tests/memory/run_schema_change.sh valgrind $<

schema-test: schema-test-asan schema-test-valgrind

# The interrupt sweep and the query differential (tests/python) with the ASan+UBSan
# extension loaded into Python.
.PHONY: python-asan
TEST_SUITES += python-asan
python-asan: $(BUILD)/asan/roomcode.so
	@ASAN_RUNTIME="$(ASAN_RUNTIME)" tests/support/run_suite.sh python-asan tests/memory/run_python_asan.sh
