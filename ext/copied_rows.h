/*
 * Rows copied out of a statement, for readers that must keep what they read while the
 * table changes under them: a cursor met by a write, and roomcode_create's result.
 */
#ifndef ROOMCODE_COPIED_ROWS_H
#define ROOMCODE_COPIED_ROWS_H

#include "store_statements.h"

#define ROOMCODE_COPIED_COLUMNS                                                                    \
    (ROOMCODE_COL_UPDATED_AT + 1) /* every row has the table's columns */

typedef struct roomcode_copied_rows {
    sqlite3_value **values; /* n rows of ROOMCODE_COPIED_COLUMNS values; NULL where not copied */
    int n;
} roomcode_copied_rows;

/* Appends stmt's current row, copying the columns whose bit (1 << COL_x) is set. Returns
 * SQLITE_OK or SQLITE_NOMEM. */
int roomcode_copied_rows_append(roomcode_copied_rows *rows, sqlite3_stmt *stmt, unsigned columns);

/* Appends a copy of row i of from (each column it copied). SQLITE_OK or SQLITE_NOMEM. */
int roomcode_copied_rows_append_copy(roomcode_copied_rows *rows, const roomcode_copied_rows *from,
                                     int i);

/* Value col of row i (NULL when that column was not copied). */
sqlite3_value *roomcode_copied_rows_at(const roomcode_copied_rows *rows, int i, int col);

/* Frees every row; the rows are then empty. */
void roomcode_copied_rows_clear(roomcode_copied_rows *rows);

#endif
