/*
 * What the SQL functions use of a room_codes table: minting into it, and running
 * statements on its store (table_resolution.h finds the one "room_codes" names). The
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

#include "connection.h"
#include "copied_rows.h"
#include "db_statements.h"
#include "errors.h"
#include "input_check.h"
#include "store_statements.h"

typedef struct roomcode_table roomcode_table;

/*
 * The values of a new row, by column (enum COL_*); a NULL pointer is SQL NULL. A NULL code
 * mints one.
 */
typedef struct roomcode_row {
    sqlite3_value *col[ROOMCODE_COL_UPDATED_AT + 1];
} roomcode_row;

void roomcode_table_ref(roomcode_table *t);
void roomcode_table_release(roomcode_table *t);

/* Inserts a row (checks, minting, messages as an INSERT does); the code goes to code_out. */
int roomcode_table_insert(roomcode_table *t, const roomcode_row *row,
                          char code_out[ROOMCODE_LEN + 1], char **err);

/*
 * Disables the code of row i of was, which holds that row as stored now (every column):
 * the disable of roomcode_rotate and roomcode_create. A statement reading t meanwhile
 * keeps seeing the row as it was (roomcode_table_changing).
 */
int roomcode_table_disable(roomcode_table *t, const roomcode_copied_rows *was, int i);

/* Puts enabled, user_id and updated_at of row i of was back: undoes roomcode_table_disable
 * inside a statement that itself writes (atomic_writes.c). */
int roomcode_table_restore(roomcode_table *t, const roomcode_copied_rows *was, int i);

/*
 * Takes statement which of t's store, prepared once; give it back when done. Taking a
 * statement that writes first lets every cursor still reading t keep the rows as they were.
 */
int roomcode_table_take(roomcode_table *t, enum roomcode_store_stmt which, sqlite3_stmt **out);
void roomcode_table_give(roomcode_table *t, enum roomcode_store_stmt which, sqlite3_stmt *stmt);

/* Steps a bound write statement on the store, which returns no row: SQLITE_OK once its
 * write is done (see room_codes_write.c for an interrupt that comes after that). */
int roomcode_table_step_write(sqlite3_stmt *stmt);

#endif
