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
 * The store's index of bound codes is made apart from its triggers: SQLite cannot drop an
 * index (free its pages) while a statement runs, as CREATE VIRTUAL TABLE and ALTER TABLE
 * are while they call the module, so the index is never dropped or remade then. It keeps
 * the name it was made with through a rename (SQLite rewrites the table it is on), and is
 * recognized by its definition, whatever its name.
 */
#include "store_schema.h"

#include <stdarg.h>
#include <string.h>

#include "db_statements.h"
#include "store_sql.h"

/* A failure of a statement the store runs itself, with SQLite's message. */
static int db_error(sqlite3 *db, int rc, char **err) {
    if (!*err && rc != SQLITE_NOMEM)
        *err = sqlite3_mprintf("%s", sqlite3_errmsg(db));
    return rc;
}

/* Prepares the query fmt (sqlite3_mprintf style) into *stmt. */
static int prepare_query(sqlite3 *db, sqlite3_stmt **stmt, const char *fmt, va_list ap) {
    *stmt = 0;
    char *sql = sqlite3_vmprintf(fmt, ap);
    int rc = sql ? sqlite3_prepare_v2(db, sql, -1, stmt, 0) : SQLITE_NOMEM;
    sqlite3_free(sql);
    return rc;
}

static int prepare_queryf(sqlite3 *db, sqlite3_stmt **stmt, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int rc = prepare_query(db, stmt, fmt, ap);
    va_end(ap);
    return rc;
}

/*
 * The first column of the first row of the query fmt (sqlite3_mprintf style), copied to
 * *out (sqlite3_malloc'd; NULL when there is no row or the value is NULL).
 */
static int query_text(sqlite3 *db, char **out, char **err, const char *fmt, ...) {
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
        return db_error(db, rc, err);
    }
    return SQLITE_OK;
}

/* Runs the template with the table's names filled in. */
static int exec_template(sqlite3 *db, const char *tmpl, const char *schema, const char *table,
                         char **err) {
    char *sql = roomcode_sql_fill(tmpl, schema, table, 0);
    if (!sql)
        return SQLITE_NOMEM;
    int rc = sqlite3_exec(db, sql, 0, 0, err);
    sqlite3_free(sql);
    return rc;
}

/* Makes the store's own triggers. */
static int exec_triggers(sqlite3 *db, const char *schema, const char *table, char **err) {
    int rc = SQLITE_OK;
    for (int i = 0; rc == SQLITE_OK && i < roomcode_sql_n_triggers; i++)
        rc = exec_template(db, roomcode_sql_triggers[i].sql, schema, table, err);
    return rc;
}

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
    int rc = prepare_queryf(db, &stmt,
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
    return rc == SQLITE_OK ? rc : db_error(db, rc, err);
}

/* Checks that no trigger on another table holds a name of the store's own triggers. */
static int own_trigger_names_free(sqlite3 *db, const char *schema, const char *table, char **err) {
    char *taken = 0;
    int rc = scan_own_triggers(db, schema, table, 0, &taken);
    if (rc != SQLITE_OK) {
        sqlite3_free(taken);
        return db_error(db, rc, err);
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
    int rc = query_text(db, &sql, err,
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
            rc = db_error(db, rc, err);
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
        rc = query_text(db, &check, err, "PRAGMA \"%w\".quick_check('%q_store')", schema, table);
    if (rc == SQLITE_OK && check && strcmp(check, "ok") != 0) {
        *err = sqlite3_mprintf("roomcode: cannot adopt table %s_store as the store of %s:"
                               " its rows break its rules (%s); correct or delete them first",
                               table, table, check);
        rc = SQLITE_ERROR;
    }
    sqlite3_free(check);
    check = 0;
    if (rc == SQLITE_OK)
        rc = query_text(db, &check, err,
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

/* Sets *is_free when no schema object is named name. */
static int name_free(sqlite3 *db, const char *schema, const char *name, int *is_free, char **err) {
    char *taken = 0;
    int rc = query_text(db, &taken, err,
                        "SELECT type FROM \"%w\".sqlite_schema WHERE name = %Q COLLATE NOCASE",
                        schema, name);
    *is_free = rc == SQLITE_OK && !taken;
    sqlite3_free(taken);
    return rc;
}

/* The name of the store's index of this definition (sqlite3_malloc'd), or NULL. */
static int index_named(sqlite3 *db, const char *schema, const char *table, const char *want,
                       char **name) {
    *name = 0;
    sqlite3_stmt *stmt = 0;
    int rc = prepare_queryf(db, &stmt,
                            "SELECT name, sql FROM \"%w\".sqlite_schema WHERE type = 'index'"
                            " AND tbl_name = '%q_store' COLLATE NOCASE AND sql IS NOT NULL",
                            schema, table);
    while (rc == SQLITE_OK && !*name && sqlite3_step(stmt) == SQLITE_ROW) {
        char *have = roomcode_sql_index_definition((const char *)sqlite3_column_text(stmt, 1));
        if (have && strcmp(have, want) == 0 &&
            !(*name = sqlite3_mprintf("%s", (const char *)sqlite3_column_text(stmt, 0))))
            rc = SQLITE_NOMEM;
        sqlite3_free(have);
    }
    int done = sqlite3_finalize(stmt);
    return rc == SQLITE_OK ? done : rc;
}

/*
 * Makes the template's index "<table>_store_<suffix>" (want: its definition) unless the
 * store has one of that definition already. When that name is taken, the first free
 * "<name>_<n>" serves. With tidy (when no statement runs, so that an index can be dropped),
 * an index of that definition under another name, such as the name it had before the table
 * was renamed, is made again under its own name when that is free.
 */
static int ensure_index(sqlite3 *db, const char *schema, const char *table, const char *suffix,
                        const char *want, int tidy, char **err) {
    char *found = 0, *name = sqlite3_mprintf("%s_store_%s", table, suffix);
    int rc = name ? index_named(db, schema, table, want, &found) : SQLITE_NOMEM;
    if (rc == SQLITE_OK && found) {
        int remake = tidy && sqlite3_stricmp(found, name) != 0;
        if (remake)
            rc = name_free(db, schema, name, &remake, err);
        if (rc != SQLITE_OK || !remake) {
            sqlite3_free(found);
            sqlite3_free(name);
            return rc;
        }
    }
    for (int n = 2, is_free = 0; rc == SQLITE_OK && !found; n++) {
        rc = name_free(db, schema, name, &is_free, err);
        if (rc != SQLITE_OK || is_free)
            break;
        sqlite3_free(name);
        name = sqlite3_mprintf("%s_store_%s_%d", table, suffix, n);
        if (!name)
            rc = SQLITE_NOMEM;
    }
    char *sql = rc == SQLITE_OK ? sqlite3_mprintf("CREATE INDEX \"%w\".\"%w\" ON \"%w_store\"%s;",
                                                  schema, name, table, want)
                                : 0;
    /* remade under its own name: both or neither, so no second copy is ever left */
    if (rc == SQLITE_OK && sql && found)
        sql = sqlite3_mprintf("SAVEPOINT roomcode_index; %z DROP INDEX \"%w\".\"%w\";"
                              " RELEASE roomcode_index;",
                              sql, schema, found);
    if (rc == SQLITE_OK)
        rc = sql ? sqlite3_exec(db, sql, 0, 0, err) : SQLITE_NOMEM;
    if (rc != SQLITE_OK && found)
        sqlite3_exec(db, "ROLLBACK TO roomcode_index; RELEASE roomcode_index", 0, 0, 0);
    sqlite3_free(sql);
    sqlite3_free(found);
    sqlite3_free(name);
    return rc;
}

/* Makes each index of sql/store_triggers.sql that the store lacks (see ensure_index). */
static int ensure_indexes(sqlite3 *db, const char *schema, const char *table, int tidy,
                          char **err) {
    int rc = SQLITE_OK;
    for (int i = 0; rc == SQLITE_OK && i < roomcode_sql_n_indexes; i++)
        rc = ensure_index(db, schema, table, roomcode_sql_indexes[i].suffix,
                          roomcode_sql_indexes[i].definition, tidy, err);
    return rc == SQLITE_OK ? rc : db_error(db, rc, err);
}

/*
 * Only when nothing else is under way on the connection, so that the DDL commits on its own
 * at once and no statement of the caller's sees the schema change under it.
 */
void roomcode_store_upgrade(sqlite3 *db, const char *schema, const char *table) {
    if (!sqlite3_get_autocommit(db) || sqlite3_db_readonly(db, schema) != 0 ||
        sqlite3_txn_state(db, schema) != SQLITE_TXN_NONE || roomcode_statement_running(db, 0))
        return;
    char *err = 0;
    ensure_indexes(db, schema, table, 1, &err);
    sqlite3_free(err);
}

/* The type of the schema object named "<table>_store" (sqlite3_malloc'd), or NULL. */
static int store_name_taken(sqlite3 *db, const char *schema, const char *table, char **type,
                            char **err) {
    return query_text(
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
    int rc = query_text(db, &encoding, err, "PRAGMA encoding");
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
        rc = exec_template(db, roomcode_sql_store_table, schema, table, err);
    if (rc == SQLITE_OK)
        rc = exec_triggers(db, schema, table, err);
    if (rc == SQLITE_OK)
        rc = ensure_indexes(db, schema, table, 0, err);
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
        rc = exec_triggers(db, schema, to, err);
    return rc;
}

int roomcode_store_drop(sqlite3 *db, const char *schema, const char *table, char **err) {
    char *sql = sqlite3_mprintf("DROP TABLE IF EXISTS \"%w\".\"%w_store\"", schema, table);
    int rc = sql ? sqlite3_exec(db, sql, 0, 0, err) : SQLITE_NOMEM;
    sqlite3_free(sql);
    return rc;
}
