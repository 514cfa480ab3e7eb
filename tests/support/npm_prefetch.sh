#!/bin/sh
# Started in the background by `make test`: installs the npm packages of the suites that
# use npm, one folder after the other, while the other suites run (those suites come last,
# and their own tests/support/npm_install.sh waits for the folder's install to end). The
# clients come first: the longest install (node-sqlite3 and better-sqlite3 compile there),
# and it leaves better-sqlite3's prebuild for the others. Output goes
# to build/npm-prefetch.log; a failure here is reported again by the suite's own install.
cd "$(dirname "$0")/../.." || exit 1
for folder in tests/clients tests/node examples/join-endpoint tests/sdk tests/browser tests/platforms; do
    nice tests/support/npm_install.sh "$folder"
done
