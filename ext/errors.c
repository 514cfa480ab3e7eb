/*
 * The one way the extension reports errors (rules in errors.h): every message
 * starts with "roomcode:", a function's refusal is SQLITE_ERROR, a table statement's
 * refusal SQLITE_CONSTRAINT, and SQLite's own failures keep their code.
 */
#include <string.h>

#include "errors.h"

int roomcode_refuse(char **msg, char *text) {
    *msg = text;
    return text ? SQLITE_CONSTRAINT : SQLITE_NOMEM;
}

char *roomcode_db_message(sqlite3 *db) {
    const char *msg = sqlite3_errmsg(db);
    if (strncmp(msg, "roomcode:", 9) == 0)
        return sqlite3_mprintf("%s", msg);
    return sqlite3_mprintf("roomcode: %s", msg);
}

int roomcode_vtab_error(sqlite3_vtab *vtab, int rc, char *msg) {
    sqlite3_free(vtab->zErrMsg);
    vtab->zErrMsg = msg;
    return msg ? rc : SQLITE_NOMEM;
}

int roomcode_vtab_db_error(sqlite3_vtab *vtab, sqlite3 *db, int rc) {
    return rc == SQLITE_NOMEM ? rc : roomcode_vtab_error(vtab, rc, roomcode_db_message(db));
}

void roomcode_fn_error(sqlite3_context *ctx, int rc, char *msg) {
    if (!msg || rc == SQLITE_NOMEM) {
        sqlite3_result_error_nomem(ctx);
    } else {
        sqlite3_result_error(ctx, msg, -1);
        sqlite3_result_error_code(ctx, rc == SQLITE_CONSTRAINT ? SQLITE_ERROR : rc);
    }
    sqlite3_free(msg);
}
