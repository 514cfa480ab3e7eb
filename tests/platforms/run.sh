#!/bin/sh
# Runs the platform tests, tests/platforms/test_*.mjs (livekit-server-sdk, installed from
# the lockfile on first use), with the reporter that prints the count line.
cd "$(dirname "$0")" || exit 1
../support/npm_install.sh . || exit 1
exec node --test --test-reporter=../support/node_reporter.mjs test_*.mjs
