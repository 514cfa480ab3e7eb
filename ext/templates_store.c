/*
 * The DDL of the templates and rooms tables lives in sql/ and nowhere else: the build turns
 * it into data (store_sql.h), and this file fills in the schema and table names ({schema},
 * {table}, each inside double quotes, substituted as an escaped identifier).
 */
#include "templates_store.h"

#include <string.h>

#include "db_statements.h"
#include "input_check.h"
#include "store_sql.h"

/* Drops each trigger sql/templates_triggers.sql names, for table, where it exists; all of
 * them or, out of memory, none. */
static int drop_triggers(sqlite3 *db, const char *schema, const char *table, char **err) {
    sqlite3_str *sql = sqlite3_str_new(0);
    for (int i = 0; i < roomcode_sql_n_templates_triggers; i++)
        sqlite3_str_appendf(sql, "DROP TRIGGER IF EXISTS \"%w\".\"%w_%w\";", schema, table,
                            roomcode_sql_templates_triggers[i].suffix);
    int rc = sqlite3_str_errcode(sql);
    char *text = sqlite3_str_finish(sql);
    if (rc == SQLITE_OK)
        rc = text ? sqlite3_exec(db, text, 0, 0, err) : SQLITE_NOMEM;
    sqlite3_free(text);
    return rc;
}

/* The columns of "<table>_<suffix>" as a list (sqlite3_malloc'd), NULL when none. */
static int columns_of(sqlite3 *db, const char *schema, const char *table, const char *suffix,
                      char **out) {
    *out = 0;
    char *name = sqlite3_mprintf("%s_%s", table, suffix);
    int rc = name ? roomcode_column_list(db, schema, name, out) : SQLITE_NOMEM;
    sqlite3_free(name);
    return rc;
}

/* Refuses a table of one of the two names whose columns are not this extension's. */
static int check_adoptable(sqlite3 *db, const char *schema, const char *table, char **err) {
    static const struct {
        const char *suffix, *columns;
    } want[] = {{"templates", "template, role, permissions"},
                {"rooms", "room_id, template, enabled"}};
    int rc = SQLITE_OK;
    for (size_t i = 0; rc == SQLITE_OK && i < sizeof want / sizeof want[0]; i++) {
        char *have = 0;
        rc = columns_of(db, schema, table, want[i].suffix, &have);
        if (rc == SQLITE_OK && have && strcmp(have, want[i].columns) != 0) {
            *err = sqlite3_mprintf("roomcode: cannot adopt table %s_%s as the %s of %s: its"
                                   " columns are (%s), not (%s); rename or drop it",
                                   table, want[i].suffix, want[i].suffix, table, have,
                                   want[i].columns);
            rc = SQLITE_ERROR;
        }
        sqlite3_free(have);
    }
    return rc;
}

int roomcode_templates_create(sqlite3 *db, const char *schema, const char *table, char **err) {
    int rc = check_adoptable(db, schema, table, err);
    if (rc == SQLITE_OK)
        rc = roomcode_sql_exec(db, roomcode_sql_templates_tables, schema, table, err);
    if (rc == SQLITE_OK)
        rc = drop_triggers(db, schema, table, err);
    if (rc == SQLITE_OK)
        rc = roomcode_sql_exec_each(db, roomcode_sql_templates_triggers,
                                    roomcode_sql_n_templates_triggers, schema, table, err);
    return rc;
}

/* Do both tables exist, and the last trigger of sql/templates_triggers.sql (made last)? */
static int complete(sqlite3 *db, const char *schema, const char *table) {
    char *sql = sqlite3_mprintf(
        "SELECT count(*) = 3 FROM \"%w\".sqlite_schema WHERE"
        " (type = 'table' AND name IN ('%q_templates', '%q_rooms'))"
        " OR (type = 'trigger' AND name = '%q_%q')",
        schema, table, table, table,
        roomcode_sql_templates_triggers[roomcode_sql_n_templates_triggers - 1].suffix);
    sqlite3_stmt *stmt = 0;
    int found = 1; /* when unsure, touch nothing */
    if (sql && sqlite3_prepare_v2(db, sql, -1, &stmt, 0) == SQLITE_OK)
        found = sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_int(stmt, 0);
    sqlite3_finalize(stmt);
    sqlite3_free(sql);
    return found;
}

void roomcode_templates_upgrade(sqlite3 *db, const char *schema, const char *table) {
    if (!sqlite3_get_autocommit(db) || sqlite3_db_readonly(db, schema) != 0 ||
        sqlite3_txn_state(db, schema) != SQLITE_TXN_NONE || roomcode_statement_running(db, 0) ||
        complete(db, schema, table))
        return;
    /* all or nothing: a half-made set would refuse nothing and tell nobody */
    char *err = 0;
    int rc = sqlite3_exec(db, "SAVEPOINT roomcode_templates", 0, 0, 0);
    if (rc == SQLITE_OK)
        rc = roomcode_templates_create(db, schema, table, &err);
    if (rc != SQLITE_OK)
        sqlite3_exec(db, "ROLLBACK TO roomcode_templates", 0, 0, 0);
    sqlite3_exec(db, "RELEASE roomcode_templates", 0, 0, 0);
    sqlite3_free(err);
}

int roomcode_templates_unhook(sqlite3 *db, const char *schema, const char *from, const char *to,
                              char **err) {
    static const char *const suffix[] = {"templates", "rooms"};
    for (int i = 0; i < 2; i++) {
        char *sql = sqlite3_mprintf("SELECT type FROM \"%w\".sqlite_schema"
                                    " WHERE name = '%q_%s' COLLATE NOCASE",
                                    schema, to, suffix[i]);
        sqlite3_stmt *stmt = 0;
        int rc = sql ? sqlite3_prepare_v2(db, sql, -1, &stmt, 0) : SQLITE_NOMEM;
        sqlite3_free(sql);
        int step = rc == SQLITE_OK ? sqlite3_step(stmt) : rc;
        if (step != SQLITE_ROW && step != SQLITE_DONE)
            rc = step;
        if (step == SQLITE_ROW) {
            *err = sqlite3_mprintf("roomcode: cannot rename %s to %s: %s_%s is already a %s in"
                                   " schema %s; rename or drop it first",
                                   from, to, to, suffix[i], sqlite3_column_text(stmt, 0), schema);
            rc = *err ? SQLITE_ERROR : SQLITE_NOMEM;
        }
        sqlite3_finalize(stmt);
        if (rc != SQLITE_OK)
            return rc;
    }
    return drop_triggers(db, schema, from, err);
}

/* Renames "<from>_<suffix>" to "<to>_<suffix>" when it exists. */
static int rename_table(sqlite3 *db, const char *schema, const char *from, const char *to,
                        const char *suffix, char **err) {
    char *have = 0;
    int rc = columns_of(db, schema, from, suffix, &have);
    if (rc == SQLITE_OK && have) {
        char *sql = sqlite3_mprintf("ALTER TABLE \"%w\".\"%w_%w\" RENAME TO \"%w_%w\"", schema,
                                    from, suffix, to, suffix);
        rc = sql ? sqlite3_exec(db, sql, 0, 0, err) : SQLITE_NOMEM;
        sqlite3_free(sql);
    }
    sqlite3_free(have);
    return rc;
}

int roomcode_templates_rename(sqlite3 *db, const char *schema, const char *from, const char *to,
                              char **err) {
    int rc = rename_table(db, schema, from, to, "templates", err);
    if (rc == SQLITE_OK)
        rc = rename_table(db, schema, from, to, "rooms", err);
    /* A table made before templates existed, never upgraded, gets them now. */
    if (rc == SQLITE_OK)
        rc = roomcode_templates_create(db, schema, to, err);
    return rc;
}

int roomcode_templates_drop(sqlite3 *db, const char *schema, const char *table, char **err) {
    char *sql = sqlite3_mprintf("DROP TABLE IF EXISTS \"%w\".\"%w_templates\";"
                                " DROP TABLE IF EXISTS \"%w\".\"%w_rooms\";",
                                schema, table, schema, table);
    int rc = sql ? sqlite3_exec(db, sql, 0, 0, err) : SQLITE_NOMEM;
    sqlite3_free(sql);
    return rc;
}

char *roomcode_templates_role_refusal(sqlite3 *db, const char *schema, const char *table,
                                      sqlite3_value *room, sqlite3_value *role) {
    if (sqlite3_extended_errcode(db) != SQLITE_CONSTRAINT_TRIGGER ||
        strcmp(sqlite3_errmsg(db), roomcode_sql_raised_rooms_role_of_code) != 0)
        return 0;
    char *sql = roomcode_sql_fill(roomcode_sql_stmt_room_template, schema, table, 0);
    sqlite3_stmt *stmt = 0;
    char *template = 0;
    if (sql && sqlite3_prepare_v2(db, sql, -1, &stmt, 0) == SQLITE_OK &&
        sqlite3_bind_value(stmt, 1, room) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW)
        template = roomcode_quote(sqlite3_column_text(stmt, 0), sqlite3_column_bytes(stmt, 0));
    sqlite3_finalize(stmt);
    sqlite3_free(sql);
    char *q_role = roomcode_describe(role), *q_room = roomcode_describe(room);
    char *msg = template && q_role && q_room
                    ? sqlite3_mprintf("roomcode: role %s is not a role of template %s of room %s",
                                      q_role, template, q_room)
                    : 0;
    sqlite3_free(template);
    sqlite3_free(q_role);
    sqlite3_free(q_room);
    return msg;
}
