#!/bin/sh
# The packaging suite (tests/packaging/run.py), with Debian's Python, which loads SQLite
# extensions.
exec /usr/bin/python3 "$(dirname "$0")/run.py"
