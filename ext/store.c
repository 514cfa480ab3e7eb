/*
 * The storage DDL lives in sql/ and nowhere else: the build turns those files into
 * storage_sql.h, and this file fills in the schema and table names. The templates name
 * them {schema} and {table}, inside double quotes, so each is substituted as an escaped
 * identifier.
 */
#include "store.h"

#include <string.h>

#include "storage_sql.h"

static const char *const statement_sql[STORE_N_STMT] = {
    [STORE_SCAN] = "SELECT code, room_id, role, enabled, user_id, created_at, updated_at"
                   " FROM \"%w\".\"%w_store\" ORDER BY code",
    [STORE_BY_CODE] = "SELECT code, room_id, role, enabled, user_id, created_at, updated_at"
                      " FROM \"%w\".\"%w_store\" WHERE code = ?1",
    [STORE_BY_ROOM] = "SELECT code, room_id, role, enabled, user_id, created_at, updated_at"
                      " FROM \"%w\".\"%w_store\" WHERE room_id = ?1",
    [STORE_BY_ROOM_ROLE] = "SELECT code, room_id, role, enabled, user_id, created_at, updated_at"
                           " FROM \"%w\".\"%w_store\" WHERE room_id = ?1 AND role = ?2",
    [STORE_INSERT] = "INSERT INTO \"%w\".\"%w_store\"(code, room_id, role, enabled, user_id)"
                     " VALUES (?1, ?2, ?3, ?4, ?5)",
    [STORE_UPDATE] = "UPDATE \"%w\".\"%w_store\""
                     " SET enabled = iif(?3, ?2, enabled), user_id = iif(?5, ?4, user_id)"
                     " WHERE code = ?1",
    [STORE_DELETE] = "DELETE FROM \"%w\".\"%w_store\" WHERE code = ?1",
    [STORE_DISABLE_UNLISTED] = "UPDATE \"%w\".\"%w_store\" SET enabled = 0"
                               " WHERE room_id = ?1 AND enabled = 1"
                               " AND role NOT IN (SELECT value FROM json_each(?2))",
    /* A code bound to one user cannot serve as the role's shared code. */
    [STORE_ROLES_LACKING] = "SELECT r.value FROM json_each(?2) AS r WHERE NOT EXISTS"
                            " (SELECT 1 FROM \"%w\".\"%w_store\" AS c WHERE c.room_id = ?1"
                            " AND c.role = r.value AND c.enabled = 1 AND c.user_id IS NULL)"
                            " GROUP BY r.value ORDER BY min(r.key)",
    [STORE_LIST_ENABLED] = "SELECT code, room_id, role, enabled, user_id, created_at, updated_at"
                           " FROM \"%w\".\"%w_store\" WHERE room_id = ?1 AND enabled = 1"
                           " ORDER BY (SELECT min(key) FROM json_each(?2) WHERE value = role),"
                           " created_at, code",
};

char *roomcode_store_sql(enum roomcode_store_stmt which, const char *schema, const char *table) {
    return sqlite3_mprintf(statement_sql[which], schema, table);
}

char *roomcode_store_read_sql(enum roomcode_store_stmt which, unsigned columns, const char *schema,
                              const char *table) {
    static const char *const name[] = {"code",    "room_id",    "role",      "enabled",
                                       "user_id", "created_at", "updated_at"};
    static const char *const where[] = {
        /* in code order, which the virtual table promises; without the ORDER BY a scan
         * of few columns may take the smaller (room_id, role, code) index instead */
        [STORE_SCAN] = " ORDER BY code",
        [STORE_BY_CODE] = " WHERE code = ?1",
        [STORE_BY_ROOM] = " WHERE room_id = ?1",
        [STORE_BY_ROOM_ROLE] = " WHERE room_id = ?1 AND role = ?2",
    };
    sqlite3_str *out = sqlite3_str_new(0);
    sqlite3_str_appendall(out, "SELECT ");
    for (unsigned i = 0; i <= COL_UPDATED_AT; i++) {
        sqlite3_str_appendall(out, i ? ", " : "");
        sqlite3_str_appendall(out, columns & (1u << i) ? name[i] : "NULL");
    }
    sqlite3_str_appendf(out, " FROM \"%w\".\"%w_store\"%s", schema, table, where[which]);
    return sqlite3_str_finish(out);
}

/* The template with {schema} and {table} replaced by escaped identifiers. */
static char *fill_template(const char *tmpl, const char *schema, const char *table) {
    static const char *const keys[2] = {"{schema}", "{table}"};
    const char *values[2] = {schema, table};
    sqlite3_str *out = sqlite3_str_new(0);
    const char *p = tmpl;
    while (*p) {
        int k = -1;
        for (int i = 0; i < 2 && k < 0; i++) {
            if (strncmp(p, keys[i], strlen(keys[i])) == 0)
                k = i;
        }
        if (k < 0) {
            sqlite3_str_appendchar(out, 1, *p++);
            continue;
        }
        sqlite3_str_appendf(out, "%w", values[k]);
        p += strlen(keys[k]);
    }
    return sqlite3_str_finish(out);
}

static int exec_template(sqlite3 *db, const char *tmpl, const char *schema, const char *table,
                         char **err) {
    char *sql = fill_template(tmpl, schema, table);
    if (!sql)
        return SQLITE_NOMEM;
    int rc = sqlite3_exec(db, sql, 0, 0, err);
    sqlite3_free(sql);
    return rc;
}

int roomcode_store_create(sqlite3 *db, const char *schema, const char *table, char **err) {
    int rc = exec_template(db, roomcode_sql_store_table, schema, table, err);
    if (rc == SQLITE_OK)
        rc = exec_template(db, roomcode_sql_store_triggers, schema, table, err);
    return rc;
}

/*
 * Trigger bodies name the store, and SQLite's check after a rename fails on them, so the
 * triggers are dropped, the table renamed, and the triggers made again from sql/.
 */
int roomcode_store_rename(sqlite3 *db, const char *schema, const char *from, const char *to,
                          char **err) {
    char *sql = sqlite3_mprintf("SELECT name FROM \"%w\".sqlite_schema"
                                " WHERE type = 'trigger' AND tbl_name = '%q_store'",
                                schema, from);
    sqlite3_stmt *stmt = 0;
    int rc = sql ? sqlite3_prepare_v2(db, sql, -1, &stmt, 0) : SQLITE_NOMEM;
    sqlite3_free(sql);
    sqlite3_str *drops = sqlite3_str_new(db);
    while (rc == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW) {
        sqlite3_str_appendf(drops, "DROP TRIGGER \"%w\".\"%w\";", schema,
                            (const char *)sqlite3_column_text(stmt, 0));
    }
    if (rc == SQLITE_OK)
        rc = sqlite3_finalize(stmt);
    sqlite3_str_appendf(drops, "ALTER TABLE \"%w\".\"%w_store\" RENAME TO \"%w_store\";", schema,
                        from, to);
    sql = sqlite3_str_finish(drops);
    if (rc == SQLITE_OK)
        rc = sql ? sqlite3_exec(db, sql, 0, 0, err) : SQLITE_NOMEM;
    sqlite3_free(sql);
    if (rc == SQLITE_OK)
        rc = exec_template(db, roomcode_sql_store_triggers, schema, to, err);
    return rc;
}

int roomcode_store_drop(sqlite3 *db, const char *schema, const char *table, char **err) {
    char *sql = sqlite3_mprintf("DROP TABLE IF EXISTS \"%w\".\"%w_store\"", schema, table);
    int rc = sql ? sqlite3_exec(db, sql, 0, 0, err) : SQLITE_NOMEM;
    sqlite3_free(sql);
    return rc;
}
