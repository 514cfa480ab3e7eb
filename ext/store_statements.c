/*
 * The store's statements, filled in from sql/store_statements.sql, and the refusals of its
 * rules, told apart by the RAISE messages the build took from sql/store_triggers.sql.
 */
#include "store_statements.h"

#include <string.h>

static const char *const statement_sql[ROOMCODE_STORE_N_STMT] = {
    [ROOMCODE_STORE_SCAN] = roomcode_sql_stmt_scan,
    [ROOMCODE_STORE_BY_CODE] = roomcode_sql_stmt_by_code,
    [ROOMCODE_STORE_BY_ROOM] = roomcode_sql_stmt_by_room,
    [ROOMCODE_STORE_BY_ROOM_ROLE] = roomcode_sql_stmt_by_room_role,
    [ROOMCODE_STORE_BY_USER] = roomcode_sql_stmt_by_user,
    [ROOMCODE_STORE_BY_USER_ROOM] = roomcode_sql_stmt_by_user_room,
    [ROOMCODE_STORE_INSERT] = roomcode_sql_stmt_insert,
    [ROOMCODE_STORE_UPDATE] = roomcode_sql_stmt_update,
    [ROOMCODE_STORE_DELETE] = roomcode_sql_stmt_delete,
    [ROOMCODE_STORE_RESTORE_UPDATED_AT] = roomcode_sql_stmt_restore_updated_at,
    [ROOMCODE_STORE_UNLISTED] = roomcode_sql_stmt_unlisted,
    [ROOMCODE_STORE_ROLES_LACKING] = roomcode_sql_stmt_roles_lacking,
    [ROOMCODE_STORE_LIST_ENABLED] = roomcode_sql_stmt_list_enabled,
    [ROOMCODE_STORE_JSON_CODE] = roomcode_sql_stmt_json_code,
    [ROOMCODE_STORE_JSON_ROOM] = roomcode_sql_stmt_json_room,
};

char *roomcode_store_sql(enum roomcode_store_stmt which, const char *schema, const char *table) {
    if (ROOMCODE_STORE_IS_READ(which))
        return roomcode_store_read_sql(which, ROOMCODE_STORE_ALL_COLUMNS, schema, table);
    return roomcode_sql_fill(statement_sql[which], schema, table, 0);
}

char *roomcode_store_read_sql(enum roomcode_store_stmt which, unsigned columns, const char *schema,
                              const char *table) {
    static const char *const name[] = {"code",    "room_id",    "role",      "enabled",
                                       "user_id", "created_at", "updated_at"};
    sqlite3_str *list = sqlite3_str_new(0);
    for (unsigned i = 0; i <= ROOMCODE_COL_UPDATED_AT; i++) {
        sqlite3_str_appendall(list, i ? ", " : "");
        sqlite3_str_appendall(list, columns & (1u << i) ? name[i] : "NULL");
    }
    char *listed = sqlite3_str_finish(list);
    char *sql = listed ? roomcode_sql_fill(statement_sql[which], schema, table, listed) : 0;
    sqlite3_free(listed);
    return sql;
}

enum roomcode_store_refusal roomcode_store_refusal(sqlite3 *db) {
    int ext = sqlite3_extended_errcode(db);
    if (ext == SQLITE_CONSTRAINT_PRIMARYKEY || ext == SQLITE_CONSTRAINT_UNIQUE)
        return ROOMCODE_STORE_REFUSED_EXISTS;
    if (ext != SQLITE_CONSTRAINT_TRIGGER)
        return ROOMCODE_STORE_REFUSED_OTHER;
    const char *msg = sqlite3_errmsg(db);
    if (strcmp(msg, roomcode_sql_raised_no_replace) == 0)
        return ROOMCODE_STORE_REFUSED_EXISTS;
    if (strcmp(msg, roomcode_sql_raised_cap) == 0)
        return ROOMCODE_STORE_REFUSED_CAP;
    if (strcmp(msg, roomcode_sql_raised_fixed) == 0)
        return ROOMCODE_STORE_REFUSED_FIXED;
    return ROOMCODE_STORE_REFUSED_OTHER;
}
