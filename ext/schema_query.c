/*
 * Small queries the storage's schema life runs on a schema's catalogue (sqlite_schema,
 * pragmas), formatted sqlite3_mprintf style, with SQLite's message as the error.
 */
#include "schema_query.h"

#include <stdarg.h>

int roomcode_query_error(sqlite3 *db, int rc, char **err) {
    if (!*err && rc != SQLITE_NOMEM)
        *err = sqlite3_mprintf("%s", sqlite3_errmsg(db));
    return rc;
}

static int prepare_query(sqlite3 *db, sqlite3_stmt **stmt, const char *fmt, va_list ap) {
    *stmt = 0;
    char *sql = sqlite3_vmprintf(fmt, ap);
    int rc = sql ? sqlite3_prepare_v2(db, sql, -1, stmt, 0) : SQLITE_NOMEM;
    sqlite3_free(sql);
    return rc;
}

int roomcode_query_prepare(sqlite3 *db, sqlite3_stmt **stmt, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int rc = prepare_query(db, stmt, fmt, ap);
    va_end(ap);
    return rc;
}

int roomcode_query_text(sqlite3 *db, char **out, char **err, const char *fmt, ...) {
    *out = 0;
    sqlite3_stmt *stmt = 0;
    va_list ap;
    va_start(ap, fmt);
    int rc = prepare_query(db, &stmt, fmt, ap);
    va_end(ap);
    if (rc == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW) {
        const char *text = (const char *)sqlite3_column_text(stmt, 0);
        if (text && !(*out = sqlite3_mprintf("%s", text)))
            rc = SQLITE_NOMEM;
    }
    int done = sqlite3_finalize(stmt);
    if (rc == SQLITE_OK)
        rc = done;
    if (rc != SQLITE_OK) {
        sqlite3_free(*out);
        *out = 0;
        return roomcode_query_error(db, rc, err);
    }
    return SQLITE_OK;
}
