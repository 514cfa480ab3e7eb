#!/bin/sh
# The browser suite: the join page in Debian's Chromium (tests/browser/test_*.mjs), after
# the npm packages of the endpoint and of this folder are installed from their lockfiles.
# Run it through tests/support/run_suite.sh; the reporter prints the count line.
cd "$(dirname "$0")" || exit 1
# playwright-core downloads nothing on install; this says so to any tool that would
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
../support/npm_install.sh ../../examples/join-endpoint && ../support/npm_install.sh . || {
    echo "browser: 0 passed, 1 failed"
    exit 1
}
ROOMCODE_SUITE=browser exec timeout 240 node --test --test-reporter=../support/node_reporter.mjs test_*.mjs
