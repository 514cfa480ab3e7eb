/*
 * Which room_codes table an unqualified "room_codes" names, for the SQL functions that
 * write to it or read from it (roomcode_new, roomcode_token, roomcode_create, ...).
 */
#ifndef ROOMCODE_TABLE_RESOLUTION_H
#define ROOMCODE_TABLE_RESOLUTION_H

#include "room_codes_table.h"

/* Work done on a table: returns SQLITE_OK, or an error with *msg (sqlite3_malloc'd) or
 * with its message already set where the work reports it. */
typedef int (*roomcode_table_work)(roomcode_table *t, void *arg, char **msg);

/*
 * Runs work on the room_codes table that SQL names by the unqualified name now (temp,
 * main, then attached schemas), connecting it if need be; anything else of that name, or
 * none, is a refusal with *msg. When the work fails with SQLITE_ERROR or SQLITE_SCHEMA,
 * the name is looked up again, and only when it now resolves to another table (or to
 * none) has the schema changed under the work: another connection dropped, renamed or
 * re-created the table, which SQLite notices only when the store's statements run. Then
 * the work runs once more on the table found (or that refusal is returned). Any other
 * failure, a refusal of the values, busy, out of memory, is final: the work runs once.
 */
int roomcode_with_table(roomcode_conn *conn, roomcode_table_work work, void *arg, char **msg);

/* The end of every SQL function that takes a room code: unless rc already refuses another
 * argument (with msg), parses code_arg into code and runs work on the table of the
 * function's connection state; any failure is reported on ctx. */
void roomcode_fn_on_code(sqlite3_context *ctx, int rc, char *msg, sqlite3_value *code_arg,
                         char code[ROOMCODE_LEN + 1], roomcode_table_work work, void *arg);

#endif
