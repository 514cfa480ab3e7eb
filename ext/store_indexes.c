/*
 * The store's indexes: made apart from its triggers, since SQLite cannot drop an index (free
 * its pages) while a statement runs, as CREATE VIRTUAL TABLE and ALTER TABLE are while they
 * call the module; so an index is never dropped or remade then. It keeps the name it was
 * made with through a rename (SQLite rewrites the table it is on), and is recognized by its
 * definition, whatever its name; a later connect brings it to its own name (upgrade).
 */
#include "store_indexes.h"

#include <string.h>

#include "db_statements.h"
#include "schema_query.h"
#include "store_sql.h"

/* Sets *is_free when no schema object is named name. */
static int name_free(sqlite3 *db, const char *schema, const char *name, int *is_free, char **err) {
    char *taken = 0;
    int rc = roomcode_query_text(
        db, &taken, err, "SELECT type FROM \"%w\".sqlite_schema WHERE name = %Q COLLATE NOCASE",
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
    int rc =
        roomcode_query_prepare(db, &stmt,
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

int roomcode_store_ensure_indexes(sqlite3 *db, const char *schema, const char *table, int tidy,
                                  char **err) {
    int rc = SQLITE_OK;
    for (int i = 0; rc == SQLITE_OK && i < roomcode_sql_n_indexes; i++)
        rc = ensure_index(db, schema, table, roomcode_sql_indexes[i].suffix,
                          roomcode_sql_indexes[i].definition, tidy, err);
    return rc == SQLITE_OK ? rc : roomcode_query_error(db, rc, err);
}

/* Only when nothing else is under way on the connection, so that the DDL commits on its own
 * at once and no statement of the caller's sees the schema change under it. */
void roomcode_store_upgrade(sqlite3 *db, const char *schema, const char *table) {
    if (!sqlite3_get_autocommit(db) || sqlite3_db_readonly(db, schema) != 0 ||
        sqlite3_txn_state(db, schema) != SQLITE_TXN_NONE || roomcode_statement_running(db, 0))
        return;
    char *err = 0;
    roomcode_store_ensure_indexes(db, schema, table, 1, &err);
    sqlite3_free(err);
}
