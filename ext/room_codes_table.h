/*
 * What the SQL functions use of a room_codes table: finding the one an unqualified
 * "room_codes" names, minting into it, and running statements on its store. The
 * functions work on the store directly rather than through SQL on the virtual table,
 * since a statement on the virtual table, kept prepared, would keep the table connected
 * and so never be finalized before sqlite3_close() checks for unfinalized statements.
 *
 * SQLite disconnects and frees table objects whenever a schema changes, also in the middle
 * of a call (a statement re-prepared after another connection's DDL). So a table object is
 * reference counted: SQLite holds one while it is connected, and every user takes one for
 * as long as it uses the table.
 */
#ifndef ROOMCODE_ROOM_CODES_TABLE_H
#define ROOMCODE_ROOM_CODES_TABLE_H

#include "roomcode_internal.h"

typedef struct room_codes_table room_codes_table;

/*
 * The values of a new row, by column (enum COL_*); a NULL pointer is SQL NULL. A NULL code
 * mints one.
 */
typedef struct roomcode_row {
    sqlite3_value *col[COL_UPDATED_AT + 1];
} roomcode_row;

/* Work done on a table: returns SQLITE_OK, or an error with *msg (sqlite3_malloc'd) or
 * with its message already set where the work reports it. */
typedef int (*room_codes_work)(room_codes_table *t, void *arg, char **msg);

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
int room_codes_with_table(roomcode_conn *conn, room_codes_work work, void *arg, char **msg);

/* Drops conn's cached table, if any. */
void room_codes_forget(roomcode_conn *conn);

void room_codes_ref(room_codes_table *t);
void room_codes_release(room_codes_table *t);

/* Inserts a row (checks, minting, messages as an INSERT does); the code goes to code_out. */
int room_codes_insert(room_codes_table *t, const roomcode_row *row, char code_out[ROOMCODE_LEN + 1],
                      char **err);

/*
 * Takes statement which of t's store, prepared once; give it back when done. Taking a
 * statement that writes first lets every cursor still reading t keep the rows as they were.
 */
int room_codes_take(room_codes_table *t, enum roomcode_store_stmt which, sqlite3_stmt **out);
void room_codes_give(room_codes_table *t, enum roomcode_store_stmt which, sqlite3_stmt *stmt);

/* Steps a bound write statement on the store, which returns no row: SQLITE_OK once its
 * write is done (see room_codes_write.c for an interrupt that comes after that). */
int room_codes_step_write(sqlite3_stmt *stmt);

#endif
