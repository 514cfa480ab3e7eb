/*
 * The life of a store: created with its triggers and index from the storage SQL of sql/
 * (store_sql.h), adopted when a table of its name exists already, brought up to this
 * version's objects, renamed with its virtual table, and dropped.
 *
 * The store is an ordinary table, so others may hold triggers on it, and a dump or clone
 * may copy it without its virtual table. Only the store's own triggers, those
 * sql/store_triggers.sql names, are ever dropped, and creating a virtual table adopts a
 * store that exists when its definition is the one sql/store_table.sql makes.
 *
 * The store's indexes are made apart from its triggers (store_indexes.c).
 */
#include "store_schema.h"

#include <string.h>

#include "db_statements.h"
#include "schema_query.h"
#include "store_indexes.h"
#include "store_sql.h"

/* Is name one of the store's own triggers, "<table>_store_<suffix>" of sql/store_triggers.sql? */
static int is_own_trigger(const char *name, const char *table) {
    size_t n = strlen(table);
    if (sqlite3_strnicmp(name, table, (int)n) != 0 || sqlite3_strnicmp(name + n, "_store_", 7) != 0)
        return 0;
    for (int i = 0; i < roomcode_sql_n_triggers; i++) {
        if (sqlite3_stricmp(name + n + 7, roomcode_sql_triggers[i].suffix) == 0)
            return 1;
    }
    return 0;
}

/*
 * Walks the triggers of schema that bear a name of the store's own: those on the store are
 * appended to drops as DROP statements (when drops is given), and the first on another
 * table, one left on a store renamed by hand that CREATE TRIGGER would collide with, is
 * refused in *taken (when taken is given).
 */
static int scan_own_triggers(sqlite3 *db, const char *schema, const char *table, sqlite3_str *drops,
                             char **taken) {
    sqlite3_stmt *stmt = 0;
    int rc = roomcode_query_prepare(db, &stmt,
                                    "SELECT name, tbl_name, tbl_name = '%q_store' COLLATE NOCASE"
                                    " FROM \"%w\".sqlite_schema WHERE type = 'trigger'",
                                    table, schema);
    while (rc == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(stmt, 0);
        const char *on = (const char *)sqlite3_column_text(stmt, 1);
        if (!name || !on || !is_own_trigger(name, table))
            continue;
        if (sqlite3_column_int(stmt, 2) && drops) {
            sqlite3_str_appendf(drops, "DROP TRIGGER \"%w\".\"%w\";", schema, name);
        } else if (!sqlite3_column_int(stmt, 2) && taken && !*taken) {
            *taken = sqlite3_mprintf("roomcode: cannot make the triggers of %s_store: trigger %s"
                                     " is on table %s; drop it first",
                                     table, name, on);
            if (!*taken)
                rc = SQLITE_NOMEM;
        }
    }
    int done = sqlite3_finalize(stmt);
    return rc == SQLITE_OK ? done : rc;
}

/* Drops the store's own triggers, by name, leaving any other trigger on it alone. */
static int drop_own_triggers(sqlite3 *db, const char *schema, const char *table, char **err) {
    sqlite3_str *drops = sqlite3_str_new(db);
    int rc = scan_own_triggers(db, schema, table, drops, 0);
    if (rc == SQLITE_OK)
        rc = sqlite3_str_errcode(drops);
    /* NULL, without an error, when there is nothing to drop */
    char *sql = sqlite3_str_finish(drops);
    if (rc == SQLITE_OK && sql)
        rc = sqlite3_exec(db, sql, 0, 0, err);
    sqlite3_free(sql);
    return rc == SQLITE_OK ? rc : roomcode_query_error(db, rc, err);
}

/* Checks that no trigger on another table holds a name of the store's own triggers. */
static int own_trigger_names_free(sqlite3 *db, const char *schema, const char *table, char **err) {
    char *taken = 0;
    int rc = scan_own_triggers(db, schema, table, 0, &taken);
    if (rc != SQLITE_OK) {
        sqlite3_free(taken);
        return roomcode_query_error(db, rc, err);
    }
    if (taken) {
        *err = taken;
        return SQLITE_ERROR;
    }
    return SQLITE_OK;
}

/* The columns of a store, in their order. */
static const char store_columns[] = "code, room_id, role, enabled, user_id, created_at, updated_at";

/*
 * Checks that the table "<table>_store" that exists already can serve as the store: this
 * extension's definition (so its CHECK constraints), rows that keep those constraints and
 * the cap. A trigger rule cannot be checked on rows after the fact, except the cap.
 */
static int check_adoptable(sqlite3 *db, const char *schema, const char *table, const char *type,
                           char **err) {
    if (strcmp(type, "table") != 0) {
        *err = sqlite3_mprintf("roomcode: cannot create the store of %s: %s_store is already"
                               " a %s in schema %s; rename or drop it",
                               table, table, type, schema);
        return SQLITE_ERROR;
    }
    const char *want = roomcode_sql_store_definition;
    char *sql = 0, *columns = 0, *have = 0, *check = 0;
    int rc = roomcode_query_text(db, &sql, err,
                                 "SELECT sql FROM \"%w\".sqlite_schema"
                                 " WHERE type = 'table' AND name = '%q_store' COLLATE NOCASE",
                                 schema, table);
    if (rc == SQLITE_OK && sql)
        rc = roomcode_sql_table_definition(sql, &have);
    if (rc == SQLITE_OK && (!have || strcmp(want, have) != 0)) {
        char *name = sqlite3_mprintf("%s_store", table);
        rc = name ? roomcode_column_list(db, schema, name, &columns) : SQLITE_NOMEM;
        sqlite3_free(name);
        if (rc != SQLITE_OK)
            rc = roomcode_query_error(db, rc, err);
        if (rc == SQLITE_OK && (!columns || strcmp(columns, store_columns) != 0)) {
            *err = sqlite3_mprintf("roomcode: cannot adopt table %s_store as the store of %s:"
                                   " its columns are (%s), not (%s); rename or drop it",
                                   table, table, columns ? columns : "", store_columns);
            rc = SQLITE_ERROR;
        } else if (rc == SQLITE_OK) {
            *err = sqlite3_mprintf(
                "roomcode: cannot adopt table %s_store as the store of %s: its types,"
                " constraints or WITHOUT ROWID are not those this roomcode makes; rename it and"
                " drop its triggers, create %s, then copy its rows with INSERT INTO %s_store"
                " SELECT * FROM the renamed table",
                table, table, table, table);
            rc = SQLITE_ERROR;
        }
    }
    /* Rows written while CHECK constraints were ignored, or a copy made without the
     * triggers, are refused here rather than kept under a table that vouches for them. */
    if (rc == SQLITE_OK)
        rc = roomcode_query_text(db, &check, err, "PRAGMA \"%w\".quick_check('%q_store')", schema,
                                 table);
    if (rc == SQLITE_OK && check && strcmp(check, "ok") != 0) {
        *err = sqlite3_mprintf("roomcode: cannot adopt table %s_store as the store of %s:"
                               " its rows break its rules (%s); correct or delete them first",
                               table, table, check);
        rc = SQLITE_ERROR;
    }
    sqlite3_free(check);
    check = 0;
    if (rc == SQLITE_OK)
        rc = roomcode_query_text(db, &check, err,
                                 "SELECT 'full' FROM \"%w\".\"%w_store\" GROUP BY room_id"
                                 " HAVING count(*) > %d LIMIT 1",
                                 schema, table, ROOMCODE_MAX_PER_ROOM);
    if (rc == SQLITE_OK && check) {
        *err = sqlite3_mprintf("roomcode: cannot adopt table %s_store as the store of %s:"
                               " a room holds more than %d room codes (limit %d); delete some"
                               " first",
                               table, table, ROOMCODE_MAX_PER_ROOM, ROOMCODE_MAX_PER_ROOM);
        rc = SQLITE_ERROR;
    }
    sqlite3_free(sql);
    sqlite3_free(columns);
    sqlite3_free(have);
    sqlite3_free(check);
    return rc;
}

/* The type of the schema object named "<table>_store" (sqlite3_malloc'd), or NULL. */
static int store_name_taken(sqlite3 *db, const char *schema, const char *table, char **type,
                            char **err) {
    return roomcode_query_text(
        db, type, err,
        "SELECT type FROM \"%w\".sqlite_schema"
        " WHERE name = '%q_store' COLLATE NOCASE AND type IN ('table', 'view', 'index')",
        schema, table);
}

/*
 * The store's CHECK constraints measure names in UTF-8 bytes with CAST(x AS BLOB), which is
 * UTF-16 in a UTF-16 database: there every write would fail, so the table is refused.
 */
static int check_encoding(sqlite3 *db, const char *table, char **err) {
    char *encoding = 0;
    int rc = roomcode_query_text(db, &encoding, err, "PRAGMA encoding");
    if (rc == SQLITE_OK && encoding && strcmp(encoding, "UTF-8") != 0) {
        *err =
            sqlite3_mprintf("roomcode: %s needs a UTF-8 database, this one is %s", table, encoding);
        rc = SQLITE_ERROR;
    }
    sqlite3_free(encoding);
    return rc;
}

int roomcode_store_create(sqlite3 *db, const char *schema, const char *table, char **err) {
    char *type = 0;
    int rc = check_encoding(db, table, err);
    if (rc == SQLITE_OK)
        rc = store_name_taken(db, schema, table, &type, err);
    /* Everything is checked before anything is written, so a refusal leaves nothing to
     * undo; a failure while writing (out of memory) is undone by SQLite with the
     * statement, also inside BEGIN. */
    if (rc == SQLITE_OK && type)
        rc = check_adoptable(db, schema, table, type, err);
    if (rc == SQLITE_OK)
        rc = own_trigger_names_free(db, schema, table, err);
    if (rc == SQLITE_OK && type)
        rc = drop_own_triggers(db, schema, table, err);
    else if (rc == SQLITE_OK)
        rc = roomcode_sql_exec(db, roomcode_sql_store_table, schema, table, err);
    if (rc == SQLITE_OK)
        rc = roomcode_sql_exec_each(db, roomcode_sql_triggers, roomcode_sql_n_triggers, schema,
                                    table, err);
    if (rc == SQLITE_OK)
        rc = roomcode_store_ensure_indexes(db, schema, table, 0, err);
    sqlite3_free(type);
    return rc;
}

/*
 * The store's own triggers keep their names through an ALTER TABLE, which would leave
 * "<from>_store_cap" on "<to>_store"; so they are dropped, the table renamed (SQLite
 * rewrites other triggers on it), and they are made again from sql/ under the new name.
 */
int roomcode_store_rename(sqlite3 *db, const char *schema, const char *from, const char *to,
                          char **err) {
    char *type = 0;
    int rc = store_name_taken(db, schema, to, &type, err);
    if (rc == SQLITE_OK && type) {
        *err = sqlite3_mprintf("roomcode: cannot rename %s to %s: %s_store is already a %s in"
                               " schema %s; rename or drop it first",
                               from, to, to, type, schema);
        rc = SQLITE_ERROR;
    }
    sqlite3_free(type);
    if (rc == SQLITE_OK)
        rc = own_trigger_names_free(db, schema, to, err);
    if (rc == SQLITE_OK)
        rc = drop_own_triggers(db, schema, from, err);
    if (rc == SQLITE_OK) {
        char *sql = sqlite3_mprintf("ALTER TABLE \"%w\".\"%w_store\" RENAME TO \"%w_store\"",
                                    schema, from, to);
        rc = sql ? sqlite3_exec(db, sql, 0, 0, err) : SQLITE_NOMEM;
        sqlite3_free(sql);
    }
    if (rc == SQLITE_OK)
        rc = roomcode_sql_exec_each(db, roomcode_sql_triggers, roomcode_sql_n_triggers, schema, to,
                                    err);
    return rc;
}

int roomcode_store_drop(sqlite3 *db, const char *schema, const char *table, char **err) {
    char *sql = sqlite3_mprintf("DROP TABLE IF EXISTS \"%w\".\"%w_store\"", schema, table);
    int rc = sql ? sqlite3_exec(db, sql, 0, 0, err) : SQLITE_NOMEM;
    sqlite3_free(sql);
    return rc;
}
