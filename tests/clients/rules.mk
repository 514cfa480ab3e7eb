# clients-test (part of `make test`): every snippet of docs/loading.md, run as written in its client (sqlite3 shell, Python, APSW, sqlite-utils,
# better-sqlite3, node-sqlite3, node:sqlite, Bun, Deno, PHP, Ruby, Perl, Tcl, C).

.PHONY: clients-test
TEST_SUITES += clients-test

clients-test: $(BUILD)/roomcode.so
	@tests/support/run_suite.sh clients tests/clients/run.sh
