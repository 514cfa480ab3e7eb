# roomcode: a SQLite loadable extension for room codes. `make` builds build/roomcode.so.

PKGS        := sqlite3 libsodium
CC          ?= cc
CFLAGS      ?= -O2 -g
WARN        := -Wall -Wextra -Wshadow -Wstrict-prototypes
PKG_CFLAGS  := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
SODIUM_LIBS := $(shell pkg-config --libs libsodium 2>/dev/null || echo -lsodium)
PREFIX      ?= /usr/local
LIBDIR      ?= $(PREFIX)/lib
INCLUDEDIR  ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
AR          ?= ar
BUILD       := build
# The one place the version is written: roomcode_version(), roomcode.pc, package.json and
# the Python package take it from there (debian/changelog repeats it, checked by a test).
VERSION     := $(shell cat VERSION)

EXT_SRC     := $(wildcard ext/*.c)
EXT_HDR     := $(wildcard ext/*.h) $(BUILD)/roomcode_version.h
SQL_SRC     := sql/store_table.sql sql/store_triggers.sql sql/store_statements.sql \
               sql/templates_tables.sql sql/templates_triggers.sql sql/templates_statements.sql
EXT_CFLAGS  := -std=c11 -D_POSIX_C_SOURCE=200809L $(WARN) -fPIC -fvisibility=hidden -Iext -I$(BUILD) $(PKG_CFLAGS)

# The extension's objects, compiled once each with EXT_CFLAGS. Other builds of the same
# sources reuse these definitions: EXT_OBJ (the loadable module), STATIC_OBJ and
# $(BUILD)/libroomcode.a (SQLITE_CORE, for programs that link SQLite themselves), and
# $(call EXT_OBJ_IN,dir) for a variant of their own under $(BUILD)/dir/, compiled by a
# pattern rule of the folder that needs it (tests/memory: sanitizers; tests/fuzz).
EXT_OBJ_IN   = $(patsubst ext/%.c,$(BUILD)/$(1)/%.o,$(EXT_SRC))
EXT_OBJ     := $(call EXT_OBJ_IN,obj)
EXT_DEPS    := $(EXT_HDR) $(BUILD)/storage_sql.h
STATIC_OBJ  := $(call EXT_OBJ_IN,static)

# Pure modules (no SQLite): each unit test links only its own module.
UNIT_TESTS  := code_format letter_pool token link platform_claims

# Suites `make test` runs, in order. Each runs through tests/support/run_suite.sh, which
# records its count line for the summary (tests/README.md says how to add one).
# tests/<area>/rules.mk, and the rules.mk of cluster/, examples/* and bindings/*, add their own
# suites and targets. `make check` runs the fast ones: no network, no sanitizers.
CHECK_SUITES := format-check unit-test sql-test python-test
TEST_SUITES  := $(CHECK_SUITES) node-test

.PHONY: all test check format-check unit-test sql-test python-test node-test demo install uninstall clean check-deps demo-deps \
        static version

# `make` builds the extension, whatever the included files define first.
.DEFAULT_GOAL := all
include $(sort $(wildcard tests/*/rules.mk cluster/rules.mk examples/*/rules.mk bindings/*/rules.mk))

# The suites that install npm packages run last: `make test` starts their installs in the
# background first (tests/support/npm_prefetch.sh; a compile of better-sqlite3 or
# node-sqlite3 takes minutes on a new machine), and each suite's own install waits for it.
NPM_SUITES  := node-test clients-test sdk-test browser-test packaging-test platforms-test
TEST_SUITES := $(filter-out $(NPM_SUITES),$(TEST_SUITES)) $(filter $(NPM_SUITES),$(TEST_SUITES))

all: $(BUILD)/roomcode.so

# The SQL of sql/ (the store's and the templates') becomes C data in one step (sql/to_c.awk,
# POSIX awk), so nothing repeats it by hand in C and nothing searches it at run time;
# ext/store_sql.c includes it.
$(BUILD)/storage_sql.h: sql/to_c.awk ext/store_limits.h $(SQL_SRC) | $(BUILD)
	awk -f sql/to_c.awk ext/store_limits.h $(SQL_SRC) > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/%.o: ext/%.c $(EXT_DEPS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(EXT_CFLAGS) -c -o $@ $<

$(BUILD)/roomcode.so: $(EXT_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -shared -o $@ $(EXT_OBJ) $(SODIUM_LIBS)

$(BUILD):
	mkdir -p $@

$(BUILD)/roomcode_version.h: VERSION | $(BUILD)
	printf '#define ROOMCODE_VERSION "%s"\n' "$(VERSION)" > $@

# libroomcode.a: the same sources built with SQLITE_CORE, for programs that link SQLite
# themselves and register sqlite3_roomcode_init (roomcode.h). Every object sees the public
# header first, so the compiler checks its declaration against the definition.

$(BUILD)/static/%.o: ext/%.c $(EXT_DEPS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(EXT_CFLAGS) -DSQLITE_CORE -include ext/roomcode.h -c -o $@ $<

$(BUILD)/libroomcode.a: $(STATIC_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

static: $(BUILD)/libroomcode.a

$(BUILD)/test_%: tests/unit/test_%.c tests/unit/check.h ext/%.c ext/%.h ext/code_format.c ext/code_format.h | $(BUILD)
	$(CC) $(CFLAGS) -std=c11 -D_POSIX_C_SOURCE=200809L $(WARN) -Iext $(PKG_CFLAGS) -o $@ $< ext/$*.c $(if $(filter letter_pool link,$*),ext/code_format.c) $(if $(filter platform_claims,$*),ext/token.c) $(SODIUM_LIBS)

# What the tests need, and what the demo needs (much less): installed as root, else the
# apt-get line to run is printed.
check-deps:
	@tests/support/check_deps.sh test

demo-deps:
	@tests/support/check_deps.sh demo

test: check-deps all
	@rm -f $(BUILD)/test-results.txt
	@tests/support/npm_prefetch.sh > $(BUILD)/npm-prefetch.log 2>&1 &
	@$(MAKE) --no-print-directory -k $(TEST_SUITES); built=$$?; tests/support/summary.sh && exit $$built

check: check-deps all
	@rm -f $(BUILD)/test-results.txt
	@$(MAKE) --no-print-directory -k $(CHECK_SUITES); built=$$?; tests/support/summary.sh && exit $$built

format-check:
	@tests/support/run_suite.sh format tests/format/run.sh

# each C unit test is a suite of its own, printing its count line last
unit-test: $(addprefix $(BUILD)/test_,$(UNIT_TESTS))
	@status=0; for t in $^; do tests/support/run_suite.sh unit-$${t##*/test_} $$t || status=1; done; \
	exit $$status

sql-test: all
	@tests/support/run_suite.sh sql tests/sql/run.sh

python-test: all
	@tests/support/run_suite.sh python /usr/bin/python3 tests/support/unittest_suite.py python tests/python

node-test: all
	@tests/support/run_suite.sh node tests/node/run.sh

DEMO_DB := $(BUILD)/demo.db

demo: demo-deps all
	@rm -f $(DEMO_DB)
	@# step 7 fails on purpose: the demo passes when that is its only error
	@sqlite3 -cmd ".load $(BUILD)/roomcode" $(DEMO_DB) < sql/examples/demo.sql 2>&1 \
	  | tee $(BUILD)/demo.out
	@test "$$(grep -c 'error' $(BUILD)/demo.out)" = 1 && grep -q 'already has 100 room codes' $(BUILD)/demo.out
	@echo; echo "demo database left in $(DEMO_DB): sqlite3 -cmd '.load $(BUILD)/roomcode' $(DEMO_DB)"

# The loadable module, the static library, its header and its pkg-config file. roomcode.pc
# names the install paths (without DESTDIR), so it is written at install time; libsodium is
# Requires.private, since only static linking needs it (pkg-config --static).
# Every path is quoted in the shell, so PREFIX, DESTDIR or LIBDIR may hold spaces (make
# would split a list of them into words: hence one command per file, no $(addprefix)).
install: all $(BUILD)/libroomcode.a
	printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$(LIBDIR)' 'includedir=$(INCLUDEDIR)' '' \
	    'Name: roomcode' \
	    'Description: Room codes for SQLite, linked in (libroomcode.a, built with SQLITE_CORE)' \
	    'Version: $(VERSION)' 'Requires.private: libsodium' \
	    'Libs: -L$${libdir} -lroomcode' 'Cflags: -I$${includedir}' > $(BUILD)/roomcode.pc
	install -d "$(DESTDIR)$(LIBDIR)" "$(DESTDIR)$(INCLUDEDIR)" "$(DESTDIR)$(PKGCONFIGDIR)"
	install -m 644 $(BUILD)/roomcode.so "$(DESTDIR)$(LIBDIR)/roomcode.so"
	install -m 644 $(BUILD)/libroomcode.a "$(DESTDIR)$(LIBDIR)/libroomcode.a"
	install -m 644 ext/roomcode.h "$(DESTDIR)$(INCLUDEDIR)/roomcode.h"
	install -m 644 $(BUILD)/roomcode.pc "$(DESTDIR)$(PKGCONFIGDIR)/roomcode.pc"

# Exactly the files install wrote; directories stay, since others may share them.
uninstall:
	rm -f "$(DESTDIR)$(LIBDIR)/roomcode.so" "$(DESTDIR)$(LIBDIR)/libroomcode.a" \
	    "$(DESTDIR)$(INCLUDEDIR)/roomcode.h" "$(DESTDIR)$(PKGCONFIGDIR)/roomcode.pc"

version:
	@echo $(VERSION)

clean:
	rm -rf $(BUILD)
