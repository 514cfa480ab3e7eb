/* Rows copied out of a statement (see copied_rows.h). */
#include "copied_rows.h"

#include <string.h>

int copied_rows_append(copied_rows *rows, sqlite3_stmt *stmt, unsigned columns) {
    sqlite3_value **values =
        sqlite3_realloc64(rows->values, sizeof(*values) * (size_t)(rows->n + 1) * COPIED_COLUMNS);
    if (!values)
        return SQLITE_NOMEM;
    rows->values = values;
    sqlite3_value **row = values + (size_t)rows->n++ * COPIED_COLUMNS;
    memset(row, 0, sizeof(*row) * COPIED_COLUMNS);
    for (int col = 0; col < COPIED_COLUMNS; col++) {
        if (!(columns & (1u << col)))
            continue;
        row[col] = sqlite3_value_dup(sqlite3_column_value(stmt, col));
        if (!row[col])
            return SQLITE_NOMEM;
    }
    return SQLITE_OK;
}

sqlite3_value *copied_rows_at(const copied_rows *rows, int i, int col) {
    return rows->values[(size_t)i * COPIED_COLUMNS + col];
}

void copied_rows_clear(copied_rows *rows) {
    for (int i = 0; i < rows->n * COPIED_COLUMNS; i++)
        sqlite3_value_free(rows->values[i]);
    sqlite3_free(rows->values);
    rows->values = 0;
    rows->n = 0;
}
