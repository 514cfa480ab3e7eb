/*
 * The roles argument of roomcode_create: a non-empty JSON array of role names, each a name
 * roomcode_check_name accepts, read with SQLite's json_each.
 */
#include "roles_check.h"

#include <string.h>

#include "db_statements.h"
#include "errors.h"
#include "input_check.h"

static const char roles_sql[] = "SELECT value, type FROM json_each("
                                "CASE WHEN json_valid(?1) AND json_type(?1) = 'array' THEN ?1 END)";

/*
 * The JSON string of roles (valid JSON) holding a \u0000 escape, or NULL. SQLite 3.40's
 * json_each ends such a string at the NUL ("a\u0000b" reads as "a") where later versions
 * keep the NUL, so a role with a NUL is found here, the same on every version.
 */
static const char *string_with_nul(const char *json, int n, int *len) {
    const char *start = 0;
    for (int i = 0; i < n; i++) {
        if (!start) {
            if (json[i] == '"')
                start = json + i;
        } else if (json[i] == '"') {
            start = 0;
        } else if (json[i] == '\\') {
            if (i + 5 < n && memcmp(json + i + 1, "u0000", 5) == 0) {
                int end = i + 6;
                while (end < n && json[end] != '"')
                    end += json[end] == '\\' ? 2 : 1;
                *len = (int)(json + end + 1 - start);
                return start;
            }
            i++; /* the escaped character */
        }
    }
    return 0;
}

int roomcode_check_roles(sqlite3 *db, sqlite3_stmt **slot, sqlite3_value *roles, char **msg) {
    *msg = 0;
    if (sqlite3_value_type(roles) == SQLITE_TEXT) {
        const char *json = (const char *)sqlite3_value_text(roles);
        int len = 0;
        const char *bad = json ? string_with_nul(json, sqlite3_value_bytes(roles), &len) : 0;
        if (!json)
            return SQLITE_NOMEM;
        if (bad) {
            char *q = roomcode_quote((const unsigned char *)bad, len);
            return roomcode_refuse(
                msg, q ? sqlite3_mprintf("roomcode: role %z in roles contains a NUL byte", q) : 0);
        }
    }
    sqlite3_stmt *stmt = 0;
    int rc = roomcode_stmt_take(db, slot, roles_sql, &stmt);
    if (rc != SQLITE_OK) {
        *msg = rc == SQLITE_NOMEM ? 0 : roomcode_db_message(db);
        return rc;
    }
    int count = 0;
    if (sqlite3_value_type(roles) == SQLITE_TEXT)
        rc = sqlite3_bind_value(stmt, 1, roles);
    while (rc == SQLITE_OK && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        count++;
        sqlite3_value *role = sqlite3_column_value(stmt, 0);
        if (strcmp((const char *)sqlite3_column_text(stmt, 1), "text") != 0)
            rc = roomcode_refuse(
                msg, roomcode_message_with(role,
                                           "roomcode: roles must hold role names (strings), not "));
        else
            rc = roomcode_check_name("role", role, 0, msg);
    }
    if (rc == SQLITE_DONE && count == 0)
        rc = roomcode_refuse(msg, roomcode_message_with(roles, "roomcode: roles must be a non-empty"
                                                               " JSON array of role names, not "));
    else if (rc == SQLITE_DONE)
        rc = SQLITE_OK;
    else if (rc != SQLITE_OK && rc != SQLITE_CONSTRAINT && rc != SQLITE_NOMEM)
        *msg = roomcode_db_message(db);
    roomcode_stmt_give(slot, stmt);
    return rc;
}
