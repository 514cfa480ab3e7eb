/* Statement slots and the running-statement check (db_statements.h). */
#include "db_statements.h"

int roomcode_stmt_take(sqlite3 *db, sqlite3_stmt **slot, const char *sql, sqlite3_stmt **out) {
    if (slot && *slot) {
        *out = *slot;
        *slot = 0;
        return SQLITE_OK;
    }
    return sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, out, 0);
}

void roomcode_stmt_give(sqlite3_stmt **slot, sqlite3_stmt *stmt) {
    if (!stmt)
        return;
    sqlite3_reset(stmt);
    if (!slot || *slot) {
        sqlite3_finalize(stmt);
        return;
    }
    sqlite3_clear_bindings(stmt);
    *slot = stmt;
}

void roomcode_stmt_clear(sqlite3_stmt **slot) {
    /* Emptied first: finalizing can disconnect a virtual table, which clears slots again. */
    sqlite3_stmt *stmt = *slot;
    *slot = 0;
    sqlite3_finalize(stmt);
}

int roomcode_statement_running(sqlite3 *db, int writers_only) {
    for (sqlite3_stmt *p = sqlite3_next_stmt(db, 0); p; p = sqlite3_next_stmt(db, p)) {
        if (sqlite3_stmt_busy(p) && !(writers_only && sqlite3_stmt_readonly(p)))
            return 1;
    }
    return 0;
}

int roomcode_column_list(sqlite3 *db, const char *schema, const char *table, char **out) {
    *out = 0;
    char *sql = sqlite3_mprintf("PRAGMA \"%w\".table_xinfo(\"%w\")", schema, table);
    sqlite3_stmt *stmt = 0;
    int rc = sql ? sqlite3_prepare_v2(db, sql, -1, &stmt, 0) : SQLITE_NOMEM;
    sqlite3_free(sql);
    sqlite3_str *list = sqlite3_str_new(db);
    int step = SQLITE_DONE;
    while (rc == SQLITE_OK && (step = sqlite3_step(stmt)) == SQLITE_ROW)
        sqlite3_str_appendf(list, "%s%s", sqlite3_str_length(list) ? ", " : "",
                            (const char *)sqlite3_column_text(stmt, 1));
    if (rc == SQLITE_OK && step != SQLITE_DONE)
        rc = step;
    int done = sqlite3_finalize(stmt);
    if (rc == SQLITE_OK)
        rc = done;
    if (rc == SQLITE_OK)
        rc = sqlite3_str_errcode(list);
    char *text = sqlite3_str_finish(list);
    if (rc == SQLITE_OK)
        *out = text;
    else
        sqlite3_free(text);
    return rc;
}
