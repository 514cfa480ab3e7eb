#!/bin/sh
# The packaging suite (tests/packaging/run.py, with Debian's Python, which loads SQLite
# extensions), after the Debian packages it needs (tests/support/check_deps.sh packaging:
# installed as root, else named, and the suite fails).
cd "$(dirname "$0")/../.." || exit 1
tests/support/check_deps.sh packaging || { echo "packaging: 0 passed, 1 failed"; exit 1; }
exec /usr/bin/python3 tests/packaging/run.py
