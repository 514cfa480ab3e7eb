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
