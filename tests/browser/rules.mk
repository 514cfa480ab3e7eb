# The browser suite (part of `make test`): the join page of bindings/node/join/page in
# Debian's Chromium (/usr/bin/chromium, the `chromium` package), driven by playwright-core
# pinned in tests/browser/package.json, which never downloads a browser. Screenshots of the
# page, an error and the phone view go to build/join-page/.

.PHONY: browser-test
TEST_SUITES += browser-test

browser-test: all
	@tests/support/check_deps.sh browser
	@tests/support/run_suite.sh browser tests/browser/run.sh
