#!/bin/sh
# Installs the npm packages of the endpoint and of this suite from their lockfiles, once
# per lockfile (tests/support/npm_install.sh). Used by run.sh and bench.sh.
cd "$(dirname "$0")" || exit 1
../support/npm_install.sh ../../examples/join-endpoint && ../support/npm_install.sh .
