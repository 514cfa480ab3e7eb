#!/bin/sh
# A sqlite3 shell with SQLITE_DBCONFIG_DEFENSIVE on from the start, as current shells and
# better-sqlite3 run, for tests/sql/run.sh (ROOMCODE_SQLITE3) and the cross-version test.
# `.dbconfig` prints the setting, so its output goes to /dev/null.
# usage: tests/compat/sqlite3_defensive.sh SHELL ARG...
shell=$1
shift
exec "$shell" -cmd ".output /dev/null" -cmd ".dbconfig defensive on" -cmd ".output" "$@"
