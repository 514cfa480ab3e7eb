# Fuzzing: libFuzzer targets with ASan+UBSan for the code format, Room Links, JWTs and SQL
# on the room_codes table (see tests/fuzz/*.c). `make fuzz` runs each for FUZZ_SECONDS
# (default 60) and grows build/fuzz/corpus/; fuzz-smoke (part of `make test`) runs each for
# FUZZ_SMOKE_SECONDS from the checked-in seeds and records the suite "fuzz".

FUZZ_CC            ?= clang
FUZZ_FLAGS         := -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined \
                      -fno-sanitize-recover=undefined -std=c11 -D_POSIX_C_SOURCE=200809L $(WARN) \
                      -Iext -I$(BUILD) -Itests/fuzz $(PKG_CFLAGS)
FUZZ_SQLITE_LIBS   := $(shell pkg-config --libs sqlite3 2>/dev/null || echo -lsqlite3)
FUZZ_SECONDS       ?= 60
FUZZ_SMOKE_SECONDS ?= 5
FUZZ_TARGETS       := code_format link token sql
FUZZ_BINS          := $(addprefix $(BUILD)/fuzz/fuzz_,$(FUZZ_TARGETS))

.PHONY: fuzz fuzz-smoke fuzz-build
TEST_SUITES += fuzz-smoke

$(BUILD)/fuzz/fuzz_code_format: tests/fuzz/fuzz_code_format.c tests/fuzz/fuzz_check.h ext/code_format.c ext/code_format.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $< ext/code_format.c

$(BUILD)/fuzz/fuzz_link: tests/fuzz/fuzz_link.c tests/fuzz/fuzz_check.h ext/link.c ext/link.h ext/code_format.c ext/code_format.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $< ext/link.c ext/code_format.c

$(BUILD)/fuzz/fuzz_token: tests/fuzz/fuzz_token.c tests/fuzz/fuzz_check.h ext/token.c ext/token.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $< ext/token.c $(FUZZ_SQLITE_LIBS) $(SODIUM_LIBS)

# The whole extension compiled in (-DSQLITE_CORE), registered with sqlite3_roomcode_init.
$(BUILD)/fuzz/fuzz_sql: tests/fuzz/fuzz_sql.c tests/fuzz/store_check.c tests/fuzz/store_check.h \
                        $(EXT_SRC) $(EXT_HDR) $(BUILD)/storage_sql.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -DSQLITE_CORE -o $@ $< tests/fuzz/store_check.c $(EXT_SRC) \
	    $(FUZZ_SQLITE_LIBS) $(SODIUM_LIBS)

fuzz-build: $(FUZZ_BINS)

fuzz: $(FUZZ_BINS)
	@tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_BINS)

fuzz-smoke: $(FUZZ_BINS)
	@tests/support/run_suite.sh fuzz tests/fuzz/run.sh --smoke $(FUZZ_SMOKE_SECONDS) $(FUZZ_BINS)

