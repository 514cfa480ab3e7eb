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

# The whole extension compiled in (-DSQLITE_CORE), registered with sqlite3_roomcode_init:
# its objects carry the fuzzer's coverage (fuzzer-no-link) besides ASan+UBSan.
FUZZ_EXT_OBJ       := $(call EXT_OBJ_IN,fuzz/ext)

$(BUILD)/fuzz/ext/%.o: ext/%.c $(EXT_DEPS)
	@mkdir -p $(@D)
	$(FUZZ_CC) -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined \
	    -fno-sanitize-recover=undefined $(EXT_CFLAGS) -DSQLITE_CORE -c -o $@ $<

$(BUILD)/fuzz/fuzz_sql: tests/fuzz/fuzz_sql.c tests/support/store_check.c tests/support/store_check.h \
                        $(FUZZ_EXT_OBJ)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -Itests/support -DSQLITE_CORE -o $@ $< tests/support/store_check.c \
	    $(FUZZ_EXT_OBJ) $(FUZZ_SQLITE_LIBS) $(SODIUM_LIBS)

fuzz-build: $(FUZZ_BINS)

fuzz: $(FUZZ_BINS)
	@tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_BINS)

fuzz-smoke: $(FUZZ_BINS)
	@tests/support/run_suite.sh fuzz tests/fuzz/run.sh --smoke $(FUZZ_SMOKE_SECONDS) $(FUZZ_BINS)

