# ORM recipes: the SQLAlchemy and Django examples of docs/orm.md, run exactly as the page shows
# them, with Debian's python3-sqlalchemy and python3-django (the "orm" profile of
# tests/support/check_deps.sh, which .ci/run installs).
.PHONY: orm-test
TEST_SUITES += orm-test

orm-test: all
	@tests/support/check_deps.sh orm
	@tests/support/run_suite.sh orm /usr/bin/python3 tests/support/unittest_suite.py orm tests/orm
