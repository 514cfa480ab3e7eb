/* Rows copied out of a statement (see copied_rows.h). */
#include "copied_rows.h"

#include <string.h>

/* A new row at the end, every column NULL, or NULL when out of memory. */
static sqlite3_value **new_row(roomcode_copied_rows *rows) {
    sqlite3_value **values = sqlite3_realloc64(
        rows->values, sizeof(*values) * (size_t)(rows->n + 1) * ROOMCODE_COPIED_COLUMNS);
    if (!values)
        return 0;
    rows->values = values;
    sqlite3_value **row = values + (size_t)rows->n++ * ROOMCODE_COPIED_COLUMNS;
    memset(row, 0, sizeof(*row) * ROOMCODE_COPIED_COLUMNS);
    return row;
}

int roomcode_copied_rows_append(roomcode_copied_rows *rows, sqlite3_stmt *stmt, unsigned columns) {
    sqlite3_value **row = new_row(rows);
    if (!row)
        return SQLITE_NOMEM;
    for (int col = 0; col < ROOMCODE_COPIED_COLUMNS; col++) {
        if (!(columns & (1u << col)))
            continue;
        row[col] = sqlite3_value_dup(sqlite3_column_value(stmt, col));
        if (!row[col])
            return SQLITE_NOMEM;
    }
    return SQLITE_OK;
}

int roomcode_copied_rows_append_copy(roomcode_copied_rows *rows, const roomcode_copied_rows *from,
                                     int i) {
    sqlite3_value **row = new_row(rows);
    if (!row)
        return SQLITE_NOMEM;
    for (int col = 0; col < ROOMCODE_COPIED_COLUMNS; col++) {
        sqlite3_value *v = roomcode_copied_rows_at(from, i, col);
        if (v && !(row[col] = sqlite3_value_dup(v)))
            return SQLITE_NOMEM;
    }
    return SQLITE_OK;
}

sqlite3_value *roomcode_copied_rows_at(const roomcode_copied_rows *rows, int i, int col) {
    return rows->values[(size_t)i * ROOMCODE_COPIED_COLUMNS + col];
}

void roomcode_copied_rows_clear(roomcode_copied_rows *rows) {
    for (int i = 0; i < rows->n * ROOMCODE_COPIED_COLUMNS; i++)
        sqlite3_value_free(rows->values[i]);
    sqlite3_free(rows->values);
    rows->values = 0;
    rows->n = 0;
}
