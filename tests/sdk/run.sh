#!/bin/sh
# The sdk suite: examples/join-endpoint against the real 100ms web SDK, and the endpoint's
# own behaviour (tests/sdk/test_*.mjs), after install.sh. Run it through
# tests/support/run_suite.sh; the reporter prints the count line.
cd "$(dirname "$0")" || exit 1
./install.sh || {
    echo "sdk: 0 passed, 1 failed"
    exit 1
}
ROOMCODE_SUITE=sdk exec timeout 300 node --test --test-reporter=../support/node_reporter.mjs test_*.mjs
