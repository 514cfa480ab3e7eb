/*
 * What the SQL functions use of a room_codes table: finding the one an unqualified
 * "room_codes" names, minting into it, and running statements on its store. The
 * functions work on the store directly rather than through SQL on the virtual table,
 * since a statement on the virtual table, kept prepared, would keep the table connected
 * and so never be finalized before sqlite3_close() checks for unfinalized statements.
 */
#ifndef ROOMCODE_ROOM_CODES_TABLE_H
#define ROOMCODE_ROOM_CODES_TABLE_H

#include "store.h"

typedef struct room_codes_table room_codes_table;

/*
 * The values of a new row, by column (enum COL_*); a NULL pointer is SQL NULL. A NULL code
 * mints one.
 */
typedef struct roomcode_row {
    sqlite3_value *col[COL_UPDATED_AT + 1];
} roomcode_row;

/*
 * Finds the room_codes table that SQL names by the unqualified name (temp, main, then
 * attached schemas), connecting it if need be. On failure *err is an sqlite3_malloc'd
 * message.
 */
int room_codes_find(roomcode_conn *conn, room_codes_table **out, char **err);

/* Inserts a row (checks, minting, messages as an INSERT does); the code goes to code_out. */
int room_codes_insert(room_codes_table *t, const roomcode_row *row, char code_out[ROOMCODE_LEN + 1],
                      char **err);

/* Takes statement which of t's store, prepared once; give it back when done. */
int room_codes_take(room_codes_table *t, enum roomcode_store_stmt which, sqlite3_stmt **out);
void room_codes_give(room_codes_table *t, enum roomcode_store_stmt which, sqlite3_stmt *stmt);

#endif
