# Compatibility matrix: roomcode on a current SQLite as well as Debian's 3.40. The current
# one is the 3.52.0 amalgamation the npm package sqlite3@6.0.1 ships, built once into
# build/sqlite-current/: a sqlite3 shell as shipped (DEFENSIVE on by default) and
# libsqlite3.so.0. Suites of `make test`:
#   sql-test-current       the SQL suite in the current shell
#   sql-test-defensive     the SQL suite in the system shell (Debian 12: 3.40) with DEFENSIVE on
#   python-test-current    the Python suite on the current library (LD_LIBRARY_PATH)
#   cross-version-test     databases written by one shell, opened and written by the other
# (better-sqlite3 12 in node-test bundles its own current SQLite, DEFENSIVE on.)

SQLITE_CURRENT         := $(BUILD)/sqlite-current
SQLITE_CURRENT_VERSION := 3.52.0
SQLITE_CURRENT_NPM     := sqlite3@6.0.1
SQLITE_CURRENT_TARBALL := deps/sqlite-autoconf-3520000.tar.gz
# npm's dist.integrity of sqlite3@6.0.1 (`npm view sqlite3@6.0.1 dist.integrity`): a
# changed package stops the build
SQLITE_CURRENT_SHA512  := sha512-X0czUUMG2tmSqJpEQa3tCuZSHKIx8PwM53vLZzKp/o6Rpy25fiVfjdbnZ988M8+O3ZWR1ih0K255VumCb3MAnQ==
# The amalgamation's default options (load_extension included, as in Debian's); -O0 keeps the
# one-time build short.
SQLITE_CURRENT_CFLAGS  := -O0 -fPIC
SQLITE_CURRENT_LIBS    := -lm -lpthread -ldl

.PHONY: sqlite-current compat-test sql-test-current sql-test-defensive python-test-current cross-version-test
TEST_SUITES += sql-test-current sql-test-defensive python-test-current cross-version-test

sqlite-current: $(SQLITE_CURRENT)/sqlite3 $(SQLITE_CURRENT)/libsqlite3.so.0

# src/sqlite3.c comes last, with shell.c and the headers already beside it
$(SQLITE_CURRENT)/src/sqlite3.c: tests/compat/fetch_sqlite.sh tests/compat/rules.mk
	@tests/compat/fetch_sqlite.sh $(SQLITE_CURRENT_NPM) $(SQLITE_CURRENT_SHA512) \
	    $(SQLITE_CURRENT_TARBALL) $(@D)

$(SQLITE_CURRENT)/sqlite3.o: $(SQLITE_CURRENT)/src/sqlite3.c
	$(CC) $(SQLITE_CURRENT_CFLAGS) -c -o $@ $<

$(SQLITE_CURRENT)/libsqlite3.so.0: $(SQLITE_CURRENT)/sqlite3.o
	$(CC) -shared -Wl,-soname,libsqlite3.so.0 -o $@ $< $(SQLITE_CURRENT_LIBS)

$(SQLITE_CURRENT)/sqlite3: $(SQLITE_CURRENT)/sqlite3.o
	$(CC) $(SQLITE_CURRENT_CFLAGS) -I$(SQLITE_CURRENT)/src -o $@ $(SQLITE_CURRENT)/src/shell.c $< \
	    $(SQLITE_CURRENT_LIBS)

compat-test: sql-test-current sql-test-defensive python-test-current cross-version-test

# run.sh runs the shell from a scratch directory: absolute paths
sql-test-current: all $(SQLITE_CURRENT)/sqlite3
	@ROOMCODE_SQLITE3=$(CURDIR)/$(SQLITE_CURRENT)/sqlite3 ROOMCODE_SQL_SUITE=sql-current \
	    tests/support/run_suite.sh sql-current tests/sql/run.sh

sql-test-defensive: all
	@ROOMCODE_SQLITE3="$(CURDIR)/tests/compat/sqlite3_defensive.sh sqlite3" \
	    ROOMCODE_SQL_SUITE=sql-defensive tests/support/run_suite.sh sql-defensive tests/sql/run.sh

python-test-current: all $(SQLITE_CURRENT)/libsqlite3.so.0
	@LD_LIBRARY_PATH=$(CURDIR)/$(SQLITE_CURRENT) ROOMCODE_SQLITE_VERSION=$(SQLITE_CURRENT_VERSION) \
	    tests/support/run_suite.sh python-current \
	    /usr/bin/python3 tests/support/unittest_suite.py python-current tests/python

$(BUILD)/compat/older_sqlite.so: tests/compat/older_sqlite.c
	@mkdir -p $(@D)
	$(CC) -shared -fPIC -o $@ $<

cross-version-test: all $(SQLITE_CURRENT)/sqlite3 $(BUILD)/compat/older_sqlite.so
	@OLDER_SQLITE_SHIM=$(CURDIR)/$(BUILD)/compat/older_sqlite.so \
	    tests/support/run_suite.sh cross-version tests/compat/cross_version.sh sqlite3 $(SQLITE_CURRENT)/sqlite3 $(SQLITE_CURRENT_VERSION)
