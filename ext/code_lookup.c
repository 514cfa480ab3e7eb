/*
 * The look-up of a code for a join. One statement joins the store with the rooms and
 * templates tables: an unregistered room costs one probe of the rooms table's key. A table
 * made by roomcode 1.2.0 that has not been given those tables yet (its database was only
 * ever opened read-only since) is looked up in its store alone, every room unregistered.
 */
#include "code_lookup.h"

#include <string.h>

#include "room_codes_private.h"

/* The role's permissions, with the defaults where its template does not say or the room is
 * unregistered (t.permissions NULL). */
static const char resolve_sql[] =
    "SELECT NULL, s.room_id, s.role, s.enabled, s.user_id, r.enabled, r.template,"
    " CASE WHEN t.permissions IS NULL THEN 1"
    " ELSE coalesce(json_extract(t.permissions, '$.publish'), 1) END,"
    " CASE WHEN t.permissions IS NULL THEN 1"
    " ELSE coalesce(json_extract(t.permissions, '$.subscribe'), 1) END,"
    " CASE WHEN t.permissions IS NULL THEN 1"
    " ELSE coalesce(json_extract(t.permissions, '$.publish_data'), 1) END,"
    " CASE WHEN t.permissions IS NULL THEN 0"
    " ELSE coalesce(json_extract(t.permissions, '$.admin'), 0) END,"
    " CASE WHEN t.permissions IS NULL THEN 0"
    " ELSE coalesce(json_extract(t.permissions, '$.hidden'), 0) END"
    " FROM \"%w\".\"%w_store\" AS s"
    " LEFT JOIN \"%w\".\"%w_rooms\" AS r ON r.room_id = s.room_id"
    " LEFT JOIN \"%w\".\"%w_templates\" AS t ON t.template = r.template AND t.role = s.role"
    " WHERE s.code = ?1";

static char *lookup_sql(int which, const char *schema, const char *table, int templates) {
    if (!templates) {
        return sqlite3_mprintf("SELECT NULL, room_id, role, enabled, user_id, NULL, NULL%s"
                               " FROM \"%w\".\"%w_store\" WHERE code = ?1",
                               which == ROOMCODE_LOOKUP_RESOLVE ? ", 1, 1, 1, 0, 0" : "", schema,
                               table);
    }
    /* The room is one probe of its key; the verdict alone copies no name. */
    return which == ROOMCODE_LOOKUP_RESOLVE
               ? sqlite3_mprintf(resolve_sql, schema, table, schema, table, schema, table)
               : sqlite3_mprintf("SELECT NULL, %s, s.enabled, s.user_id,"
                                 " (SELECT r.enabled FROM \"%w\".\"%w_rooms\" AS r"
                                 " WHERE r.room_id = s.room_id)"
                                 " FROM \"%w\".\"%w_store\" AS s WHERE s.code = ?1",
                                 which == ROOMCODE_LOOKUP_CHECK ? "NULL, NULL"
                                                                : "s.room_id, s.role",
                                 schema, table, schema, table);
}

static int prepare(roomcode_table *t, int which, sqlite3_stmt **out) {
    for (int templates = 1; templates >= 0; templates--) {
        char *sql = lookup_sql(which, t->schema, t->name, templates);
        if (!sql)
            return SQLITE_NOMEM;
        int rc = sqlite3_prepare_v3(t->db, sql, -1, SQLITE_PREPARE_PERSISTENT, out, 0);
        sqlite3_free(sql);
        /* only a missing table is worth the second form; any other failure is final */
        if (rc != SQLITE_ERROR || !templates)
            return rc;
    }
    return SQLITE_ERROR;
}

int roomcode_lookup(roomcode_table *t, int which, const char *code, sqlite3_stmt **row) {
    *row = 0;
    int rc = SQLITE_OK;
    if (t->connected && t->lookup[which]) {
        *row = t->lookup[which];
        t->lookup[which] = 0;
    } else {
        rc = prepare(t, which, row);
    }
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(*row, 1, code, ROOMCODE_LEN, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(*row);
    return rc;
}

/* Keeps the binding: each use binds the code first (see roomcode_table_read_give). */
void roomcode_lookup_give(roomcode_table *t, int which, sqlite3_stmt *row) {
    if (!row)
        return;
    sqlite3_reset(row);
    if (!t->connected || t->lookup[which])
        sqlite3_finalize(row);
    else
        t->lookup[which] = row;
}

const char *roomcode_verdict_name(roomcode_verdict v) {
    static const char *const names[] = {
        "ok", "malformed", "unknown", "disabled", "room_disabled", "bound", "other_user"};
    return names[v];
}

roomcode_verdict roomcode_verdict_of(sqlite3_stmt *row, sqlite3_value *user_id) {
    if (sqlite3_column_int(row, ROOMCODE_COL_ENABLED) != 1)
        return ROOMCODE_VERDICT_DISABLED;
    if (sqlite3_column_type(row, ROOMCODE_LOOKUP_ROOM_ENABLED) != SQLITE_NULL &&
        sqlite3_column_int(row, ROOMCODE_LOOKUP_ROOM_ENABLED) != 1)
        return ROOMCODE_VERDICT_ROOM_DISABLED;
    if (sqlite3_column_type(row, ROOMCODE_COL_USER_ID) == SQLITE_NULL)
        return ROOMCODE_VERDICT_OK;
    if (!user_id || sqlite3_value_type(user_id) == SQLITE_NULL)
        return ROOMCODE_VERDICT_BOUND;
    /* the bound user's exact bytes: a number given for a text id is another user */
    int n = sqlite3_column_bytes(row, ROOMCODE_COL_USER_ID);
    if (sqlite3_value_type(user_id) != SQLITE_TEXT || sqlite3_value_bytes(user_id) != n ||
        memcmp(sqlite3_column_text(row, ROOMCODE_COL_USER_ID), sqlite3_value_text(user_id),
               (size_t)n) != 0)
        return ROOMCODE_VERDICT_OTHER_USER;
    return ROOMCODE_VERDICT_OK;
}

int roomcode_verdict_refuse(roomcode_verdict v, const char *code, sqlite3_stmt *row,
                            sqlite3_value *user_id, char **msg) {
    switch (v) {
    case ROOMCODE_VERDICT_DISABLED:
        return roomcode_refuse(msg, sqlite3_mprintf("roomcode: room code '%s' is disabled", code));
    case ROOMCODE_VERDICT_ROOM_DISABLED: {
        char *room = roomcode_quote(sqlite3_column_text(row, ROOMCODE_COL_ROOM_ID),
                                    sqlite3_column_bytes(row, ROOMCODE_COL_ROOM_ID));
        int rc = roomcode_refuse(
            msg, room ? sqlite3_mprintf("roomcode: room code '%s' is of room %s, which is disabled",
                                        code, room)
                      : 0);
        sqlite3_free(room);
        return rc;
    }
    case ROOMCODE_VERDICT_BOUND:
        return roomcode_refuse(msg, sqlite3_mprintf("roomcode: room code '%s' is bound to a user:"
                                                    " give that user's user_id",
                                                    code));
    case ROOMCODE_VERDICT_OTHER_USER:
        return roomcode_refuse(
            msg, roomcode_message_with(
                     user_id, "roomcode: room code '%s' is bound to another user than ", code));
    case ROOMCODE_VERDICT_UNKNOWN:
        return roomcode_refuse(msg, sqlite3_mprintf("roomcode: unknown room code '%s'", code));
    default:
        return roomcode_refuse(msg, sqlite3_mprintf("roomcode: malformed room code '%s'", code));
    }
}
