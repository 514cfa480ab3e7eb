/*
 * The storage DDL lives in sql/ and nowhere else: the build turns those files into
 * storage_sql.h, and this file fills in the schema and table names and the cap. The
 * templates name them {schema} and {table}, inside double quotes, so each is substituted
 * as an escaped identifier; {cap} becomes ROOMCODE_MAX_PER_ROOM.
 *
 * The store is an ordinary table, so others may hold triggers on it, and a dump or clone
 * may copy it without its virtual table. Only the store's own triggers, those
 * sql/store_triggers.sql names, are ever dropped, and creating a virtual table adopts a
 * store that exists when its definition is the one sql/store_table.sql makes.
 */
#include "store.h"

#include <ctype.h>
#include <stdarg.h>
#include <string.h>

#include "storage_sql.h"

/* A row of the store as the 100ms API shows a room code. */
#define ROOMCODE_JSON_OBJECT                                                                       \
    "CASE WHEN user_id IS NULL THEN json_object(" ROOMCODE_JSON_FIELDS                             \
    ") ELSE json_object(" ROOMCODE_JSON_FIELDS ", 'user_id', user_id) END"
#define ROOMCODE_JSON_FIELDS                                                                       \
    "'code', code, 'room_id', room_id, 'role', role,"                                              \
    " 'enabled', json(CASE enabled WHEN 1 THEN 'true' ELSE 'false' END),"                          \
    " 'created_at', created_at, 'updated_at', updated_at"

/* The statements other than the cursors' reads (roomcode_store_read_sql makes those). */
static const char *const statement_sql[STORE_N_STMT] = {
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
    /* The 100ms API's object: enabled as a JSON boolean, user_id only when bound. */
    [STORE_JSON_CODE] = "SELECT " ROOMCODE_JSON_OBJECT " FROM \"%w\".\"%w_store\" WHERE code = ?1",
    /* In creation order: created_at has milliseconds, and codes of one millisecond follow
     * in code order. An aggregate over a subquery with ORDER BY keeps its order: SQLite
     * does not flatten such a subquery. */
    [STORE_JSON_ROOM] =
        "SELECT json_object('data', json_group_array(json(o))) FROM (SELECT " ROOMCODE_JSON_OBJECT
        " AS o FROM \"%w\".\"%w_store\" WHERE room_id = ?1"
        " ORDER BY created_at, code)",
    [STORE_LIST_ENABLED] = "SELECT code, room_id, role, enabled, user_id, created_at, updated_at"
                           " FROM \"%w\".\"%w_store\" WHERE room_id = ?1 AND enabled = 1"
                           " ORDER BY (SELECT min(key) FROM json_each(?2) WHERE value = role),"
                           " created_at, code",
};

char *roomcode_store_sql(enum roomcode_store_stmt which, const char *schema, const char *table) {
    if (STORE_IS_READ(which))
        return roomcode_store_read_sql(which, STORE_ALL_COLUMNS, schema, table);
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
        /* user_id = ?1 implies user_id IS NOT NULL, so the partial index serves */
        [STORE_BY_USER] = " WHERE user_id = ?1",
        [STORE_BY_USER_ROOM] = " WHERE user_id = ?1 AND room_id = ?2",
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

/* The template with {schema}, {table} and {cap} replaced. */
static char *fill_template(const char *tmpl, const char *schema, const char *table) {
    static const char *const keys[] = {"{schema}", "{table}", "{cap}"};
    sqlite3_str *out = sqlite3_str_new(0);
    const char *p = tmpl;
    while (*p) {
        int k = 0;
        while (k < 3 && strncmp(p, keys[k], strlen(keys[k])) != 0)
            k++;
        if (k == 3) {
            sqlite3_str_appendchar(out, 1, *p++);
            continue;
        }
        if (k == 2)
            sqlite3_str_appendf(out, "%d", ROOMCODE_MAX_PER_ROOM);
        else
            sqlite3_str_appendf(out, "%w", k == 0 ? schema : table);
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

/* A failure of a statement the store runs itself, with SQLite's message. */
static int db_error(sqlite3 *db, int rc, char **err) {
    if (!*err && rc != SQLITE_NOMEM)
        *err = sqlite3_mprintf("%s", sqlite3_errmsg(db));
    return rc;
}

/*
 * The first column of the first row of the query fmt (sqlite3_mprintf style), copied to
 * *out (sqlite3_malloc'd; NULL when there is no row or the value is NULL).
 */
static int query_text(sqlite3 *db, char **out, char **err, const char *fmt, ...) {
    *out = 0;
    va_list ap;
    va_start(ap, fmt);
    char *sql = sqlite3_vmprintf(fmt, ap);
    va_end(ap);
    if (!sql)
        return SQLITE_NOMEM;
    sqlite3_stmt *stmt = 0;
    int rc = sqlite3_prepare_v2(db, sql, -1, &stmt, 0);
    sqlite3_free(sql);
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

/*
 * sql/store_triggers.sql holds the store's triggers, then its index of bound codes, which
 * is made apart from them: SQLite cannot drop an index (free its pages) while a statement
 * runs, as CREATE VIRTUAL TABLE and ALTER TABLE are while they call the module, so the
 * index is never dropped or remade. It keeps the name it was made with through a rename
 * (SQLite rewrites the table it is on), and is recognized by its definition, whatever its
 * name.
 */
static const char index_marker[] = "CREATE INDEX \"{schema}\".\"{table}_store_";

/* Runs the template's triggers, the part before its index. */
static int exec_triggers(sqlite3 *db, const char *schema, const char *table, char **err) {
    const char *index = strstr(roomcode_sql_store_triggers, index_marker);
    int n = index ? (int)(index - roomcode_sql_store_triggers) : -1;
    char *tmpl = sqlite3_mprintf("%.*s", n, roomcode_sql_store_triggers);
    int rc = tmpl ? exec_template(db, tmpl, schema, table, err) : SQLITE_NOMEM;
    sqlite3_free(tmpl);
    return rc;
}

/* The triggers sql/store_triggers.sql makes are "<table>_store_<suffix>". */
static const char trigger_marker[] = "CREATE TRIGGER \"{schema}\".\"{table}_store_";

/* Is name one of the store's own triggers, those sql/store_triggers.sql makes for table? */
static int is_own_trigger(const char *name, const char *table) {
    size_t n = strlen(table);
    if (sqlite3_strnicmp(name, table, (int)n) != 0 || sqlite3_strnicmp(name + n, "_store_", 7) != 0)
        return 0;
    const char *suffix = name + n + 7;
    size_t m = strlen(suffix);
    for (const char *p = roomcode_sql_store_triggers; (p = strstr(p, trigger_marker)) != 0;) {
        p += sizeof trigger_marker - 1;
        if (sqlite3_strnicmp(p, suffix, (int)m) == 0 && p[m] == '"')
            return 1;
    }
    return 0;
}

/* Drops the store's own triggers, by name, leaving any other trigger on it alone. */
static int drop_own_triggers(sqlite3 *db, const char *schema, const char *table, char **err) {
    char *sql = sqlite3_mprintf("SELECT name FROM \"%w\".sqlite_schema"
                                " WHERE type = 'trigger' AND tbl_name = '%q_store' COLLATE NOCASE",
                                schema, table);
    sqlite3_stmt *stmt = 0;
    int rc = sql ? sqlite3_prepare_v2(db, sql, -1, &stmt, 0) : SQLITE_NOMEM;
    sqlite3_free(sql);
    sqlite3_str *drops = sqlite3_str_new(db);
    while (rc == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(stmt, 0);
        if (name && is_own_trigger(name, table))
            sqlite3_str_appendf(drops, "DROP TRIGGER \"%w\".\"%w\";", schema, name);
    }
    int done = sqlite3_finalize(stmt);
    if (rc == SQLITE_OK)
        rc = done;
    if (rc == SQLITE_OK)
        rc = sqlite3_str_errcode(drops);
    /* NULL, without an error, when there is nothing to drop */
    sql = sqlite3_str_finish(drops);
    if (rc == SQLITE_OK && sql)
        rc = sqlite3_exec(db, sql, 0, 0, err);
    sqlite3_free(sql);
    return rc == SQLITE_OK ? rc : db_error(db, rc, err);
}

/*
 * Checks that no trigger on another table holds a name of the store's own triggers: one
 * left on a store renamed by hand, which CREATE TRIGGER would collide with.
 */
static int own_trigger_names_free(sqlite3 *db, const char *schema, const char *table, char **err) {
    char *sql = sqlite3_mprintf("SELECT name, tbl_name FROM \"%w\".sqlite_schema"
                                " WHERE type = 'trigger' AND tbl_name <> '%q_store' COLLATE NOCASE",
                                schema, table);
    sqlite3_stmt *stmt = 0;
    int rc = sql ? sqlite3_prepare_v2(db, sql, -1, &stmt, 0) : SQLITE_NOMEM;
    sqlite3_free(sql);
    char *taken = 0;
    while (rc == SQLITE_OK && !taken && sqlite3_step(stmt) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(stmt, 0);
        const char *on = (const char *)sqlite3_column_text(stmt, 1);
        if (name && on && is_own_trigger(name, table)) {
            taken = sqlite3_mprintf("roomcode: cannot make the triggers of %s_store: trigger %s"
                                    " is on table %s; drop it first",
                                    table, name, on);
            if (!taken)
                rc = SQLITE_NOMEM;
        }
    }
    int done = sqlite3_finalize(stmt);
    if (rc == SQLITE_OK)
        rc = done;
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

/* Skips an identifier, quoted in any of SQLite's ways or bare. */
static const char *skip_name(const char *p) {
    char close = *p == '"' ? '"' : *p == '`' ? '`' : *p == '[' ? ']' : 0;
    if (!close) {
        while (*p && *p != '(' && *p != '.' && !isspace((unsigned char)*p))
            p++;
        return p;
    }
    for (p++; *p; p++) {
        if (*p == close && close != ']' && p[1] == close)
            p++;
        else if (*p == close)
            return p + 1;
    }
    return p;
}

static int table_definition_text(const char *p, char **out);

/* What follows the (maybe schema-qualified) name in `CREATE TABLE name ...` or
 * `CREATE INDEX name ...`, as keyword gives, or NULL when sql starts otherwise. */
static const char *after_created_name(const char *sql, const char *keyword) {
    size_t n = strlen(keyword);
    if (sqlite3_strnicmp(sql, keyword, (int)n) != 0)
        return 0;
    const char *p = sql + n;
    while (isspace((unsigned char)*p))
        p++;
    p = skip_name(p);
    if (*p == '.')
        p = skip_name(p + 1);
    return p;
}

/*
 * The definition in a CREATE TABLE statement, after its (qualified) name, with every run of
 * whitespace made one space and none at either end or before a final ';': *out is
 * sqlite3_malloc'd, or NULL when the definition is empty.
 */
static int table_definition(const char *sql, char **out) {
    *out = 0;
    const char *p = after_created_name(sql, "CREATE TABLE");
    return p ? table_definition_text(p, out) : SQLITE_OK;
}

/* Text with every run of whitespace made one space, none at either end or before a final
 * ';' (*out sqlite3_malloc'd, NULL when empty). */
static int table_definition_text(const char *p, char **out) {
    *out = 0;
    sqlite3_str *def = sqlite3_str_new(0);
    for (int space = 0; *p; p++) {
        if (isspace((unsigned char)*p)) {
            space = 1;
            continue;
        }
        if (space && sqlite3_str_length(def) > 0)
            sqlite3_str_appendchar(def, 1, ' ');
        space = 0;
        sqlite3_str_appendchar(def, 1, *p);
    }
    int rc = sqlite3_str_errcode(def), n = sqlite3_str_length(def);
    *out = sqlite3_str_finish(def);
    if (rc != SQLITE_OK) {
        sqlite3_free(*out);
        *out = 0;
    } else if (*out && (*out)[n - 1] == ';') {
        (*out)[n - 1] = '\0';
    }
    return rc;
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
    char *sql = 0, *columns = 0, *want = 0, *have = 0, *check = 0;
    int rc = query_text(db, &sql, err,
                        "SELECT sql FROM \"%w\".sqlite_schema"
                        " WHERE type = 'table' AND name = '%q_store' COLLATE NOCASE",
                        schema, table);
    char *ours = rc == SQLITE_OK ? fill_template(roomcode_sql_store_table, schema, table) : 0;
    if (rc == SQLITE_OK)
        rc = ours ? table_definition(ours, &want) : SQLITE_NOMEM;
    if (rc == SQLITE_OK && sql)
        rc = table_definition(sql, &have);
    sqlite3_free(ours);
    if (rc == SQLITE_OK && (!want || !have || strcmp(want, have) != 0)) {
        rc = query_text(db, &columns, err,
                        "SELECT group_concat(name, ', ') FROM (SELECT name"
                        " FROM pragma_table_xinfo('%q_store', '%q') ORDER BY cid)",
                        table, schema);
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
    sqlite3_free(want);
    sqlite3_free(have);
    sqlite3_free(check);
    return rc;
}

/*
 * What an index statement defines after its table, "(columns) WHERE ...", with runs of
 * whitespace as one space (sqlite3_malloc'd), or NULL when sql is no CREATE INDEX.
 */
static char *index_definition(const char *sql) {
    const char *p = after_created_name(sql, "CREATE INDEX");
    if (!p)
        return 0;
    while (isspace((unsigned char)*p))
        p++;
    if (sqlite3_strnicmp(p, "ON", 2) != 0 || !isspace((unsigned char)p[2]))
        return 0;
    for (p += 2; isspace((unsigned char)*p);)
        p++;
    p = skip_name(p);
    char *def = 0;
    return table_definition_text(p, &def) == SQLITE_OK ? def : 0;
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
    char *sql = sqlite3_mprintf("SELECT name, sql FROM \"%w\".sqlite_schema WHERE type = 'index'"
                                " AND tbl_name = '%q_store' COLLATE NOCASE AND sql IS NOT NULL",
                                schema, table);
    sqlite3_stmt *stmt = 0;
    int rc = sql ? sqlite3_prepare_v2(db, sql, -1, &stmt, 0) : SQLITE_NOMEM;
    sqlite3_free(sql);
    while (rc == SQLITE_OK && !*name && sqlite3_step(stmt) == SQLITE_ROW) {
        char *have = index_definition((const char *)sqlite3_column_text(stmt, 1));
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

/* Makes each index of the template on the store that it lacks (see ensure_index). */
static int ensure_indexes(sqlite3 *db, const char *schema, const char *table, int tidy,
                          char **err) {
    int rc = SQLITE_OK;
    for (const char *p = roomcode_sql_store_triggers;
         rc == SQLITE_OK && (p = strstr(p, index_marker)) != 0;) {
        const char *suffix = p + sizeof index_marker - 1, *suffix_end = strchr(suffix, '"');
        const char *end = strchr(p, ';');
        if (!suffix_end || !end)
            break;
        char *tmpl = sqlite3_mprintf("%.*s", (int)(end - p), p);
        char *filled = tmpl ? fill_template(tmpl, schema, table) : 0;
        char *want = filled ? index_definition(filled) : 0;
        char *name = sqlite3_mprintf("%.*s", (int)(suffix_end - suffix), suffix);
        rc = want && name ? ensure_index(db, schema, table, name, want, tidy, err) : SQLITE_NOMEM;
        sqlite3_free(tmpl);
        sqlite3_free(filled);
        sqlite3_free(want);
        sqlite3_free(name);
        p = end;
    }
    return rc == SQLITE_OK ? rc : db_error(db, rc, err);
}

int roomcode_statement_running(sqlite3 *db, int writers_only) {
    for (sqlite3_stmt *p = sqlite3_next_stmt(db, 0); p; p = sqlite3_next_stmt(db, p)) {
        if (sqlite3_stmt_busy(p) && !(writers_only && sqlite3_stmt_readonly(p)))
            return 1;
    }
    return 0;
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

/*
 * Is msg the RAISE message of the store's trigger "<table>_store_<suffix>" in
 * sql/store_triggers.sql, {cap} filled in? Read from the template, so the two cannot drift.
 */
static int raised_by(const char *msg, const char *suffix) {
    static const char raise[] = "RAISE(ABORT, '";
    char marker[64], cap[16];
    sqlite3_snprintf(sizeof marker, marker, "{table}_store_%s\"", suffix);
    sqlite3_snprintf(sizeof cap, cap, "%d", ROOMCODE_MAX_PER_ROOM);
    const char *t = strstr(roomcode_sql_store_triggers, marker);
    const char *end = 0;
    if (t && (t = strstr(t, raise)) != 0) {
        t += sizeof raise - 1;
        end = strchr(t, '\'');
    }
    if (!end)
        return 0;
    while (t < end) {
        if (strncmp(t, "{cap}", 5) == 0) {
            size_t n = strlen(cap);
            if (strncmp(msg, cap, n) != 0)
                return 0;
            msg += n;
            t += 5;
        } else if (*msg++ != *t++) {
            return 0;
        }
    }
    return *msg == '\0';
}

enum roomcode_store_refusal roomcode_store_refusal(sqlite3 *db) {
    static const struct {
        const char *trigger;
        enum roomcode_store_refusal refusal;
    } raised[] = {{"no_replace", STORE_REFUSED_EXISTS},
                  {"cap", STORE_REFUSED_CAP},
                  {"fixed", STORE_REFUSED_FIXED}};
    int ext = sqlite3_extended_errcode(db);
    if (ext == SQLITE_CONSTRAINT_PRIMARYKEY || ext == SQLITE_CONSTRAINT_UNIQUE)
        return STORE_REFUSED_EXISTS;
    if (ext != SQLITE_CONSTRAINT_TRIGGER)
        return STORE_REFUSED_OTHER;
    const char *msg = sqlite3_errmsg(db);
    for (size_t i = 0; i < sizeof raised / sizeof raised[0]; i++) {
        if (raised_by(msg, raised[i].trigger))
            return raised[i].refusal;
    }
    return STORE_REFUSED_OTHER;
}
