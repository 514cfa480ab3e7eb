#!/bin/sh
# The sqlite3 shell under valgrind's memcheck, for tests/sql/run.sh (ROOMCODE_SQLITE3). The
# shell's own output passes through untouched; memcheck's report goes to a log, and when
# memcheck finds an error or a definite leak the log is printed with a marker line, so the
# comparison with the .expected file fails and shows why.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
valgrind --tool=memcheck --quiet --error-exitcode=99 --leak-check=full \
    --errors-for-leak-kinds=definite --show-leak-kinds=definite \
    --track-origins=yes --log-file="$log" sqlite3 "$@"
status=$?
if [ "$status" -eq 99 ] || [ -s "$log" ]; then
    echo "VALGRIND MEMCHECK FOUND ERRORS (exit $status):"
    cat "$log"
fi
exit "$status"
