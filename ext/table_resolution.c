/*
 * Which room_codes table an unqualified "room_codes" names: the one the functions
 * (roomcode_new, roomcode_token, roomcode_create) write to and read from.
 *
 * Looking it up means planning statements, which costs about a quarter of a roomcode_new
 * (and ten times a roomcode_token), so the table found is kept per connection and checked
 * before each use instead: it is still connected (SQLite disconnects it when its schema
 * changes), it has not been renamed, and no schema searched before its own names a
 * room_codes now. For temp, the first searched: SQLite expires every prepared statement of
 * the connection when the temp schema changes (also inside an open transaction), so a tiny
 * statement of the table's own, stepped before each use, tells by being re-prepared. For
 * main and the attached schemas in front of the table's: sqlite3_table_column_metadata
 * asks the connection's own copy of each schema, without I/O, the copy SQLite itself
 * resolves names against (another connection's DDL shows there once this connection reads
 * that schema again, as it does for SQL). Where SQLite lacks that function
 * (SQLITE_ENABLE_COLUMN_METADATA), a table in an attached schema is looked up on every call.
 */
#include "table_resolution.h"

#include <stddef.h>

#include "errors.h"
#include "input_check.h"
#include "room_codes_private.h"

/* The table around a link of the connection's list. */
static roomcode_table *table_of(roomcode_table_link *link) {
    return link ? (roomcode_table *)((char *)link - offsetof(roomcode_table, link)) : 0;
}

/* The name of the schema searched k-th for an unqualified name (temp, main, then attached
 * ones in order), or NULL past the last. */
static const char *searched(sqlite3 *db, int k) { return sqlite3_db_name(db, k < 2 ? 1 - k : k); }

/* How often t's sentinel statement was re-prepared, after stepping it once; -1 on failure. */
static int sentinel_reprepares(roomcode_table *t) {
    if (!t->sentinel &&
        sqlite3_prepare_v3(t->db, "SELECT 1", -1, SQLITE_PREPARE_PERSISTENT, &t->sentinel, 0))
        return -1;
#ifndef SQLITE_OMIT_DEPRECATED
        /* A statement without tables is re-prepared by a step exactly when SQLite has expired
         * it: until then the count stands, and the step (a tenth of a roomcode_check) can wait.
         * A library built without deprecated functions (better-sqlite3's) leaves the loadable
         * extension's pointer to sqlite3_expired NULL: the step then tells. */
#ifdef SQLITE_CORE
    if (!sqlite3_expired(t->sentinel))
#else
    if (sqlite3_api->expired && !sqlite3_expired(t->sentinel))
#endif
        return sqlite3_stmt_status(t->sentinel, SQLITE_STMTSTATUS_REPREPARE, 0);
#endif
    int rc = sqlite3_step(t->sentinel);
    sqlite3_reset(t->sentinel);
    return rc == SQLITE_ROW ? sqlite3_stmt_status(t->sentinel, SQLITE_STMTSTATUS_REPREPARE, 0) : -1;
}

/* Drops the kept answer; the table stays (the answer holds no reference to it). */
static void forget(roomcode_conn *conn) { conn->resolved = 0; }

/* Does no schema searched after temp and before t's own hold an object named room_codes?
 * Views excepted: sqlite3_table_column_metadata does not see them. */
static int unshadowed(const roomcode_table *t) {
    for (int k = 1;; k++) {
        const char *schema = searched(t->db, k);
        if (!schema)
            return 0; /* t's schema was detached */
        if (sqlite3_stricmp(schema, t->schema) == 0)
            return 1;
        /* SQLITE_ERROR: no such table; anything else (one there, busy, out of memory) looks
         * the table up again, which reports it */
        if (sqlite3_table_column_metadata(t->db, schema, "room_codes", 0, 0, 0, 0, 0, 0) !=
            SQLITE_ERROR)
            return 0;
    }
}

static int still_named(roomcode_conn *conn) {
    roomcode_table *t = table_of(conn->resolved);
    return t->connected && t->name_version == conn->resolved_name_version &&
           sentinel_reprepares(t) == conn->resolved_sentinel && unshadowed(t);
}

/* The SQL that finds the first schema holding an object named room_codes, with its kind. */
static char *first_holder_sql(sqlite3 *db) {
    sqlite3_str *sql = sqlite3_str_new(db);
    for (int k = 0; searched(db, k); k++) {
        sqlite3_str_appendf(sql,
                            "%sSELECT %d, %Q, type, sql LIKE 'CREATE VIRTUAL TABLE%%'"
                            " FROM \"%w\".sqlite_schema WHERE type IN ('table', 'view')"
                            " AND name = 'room_codes' COLLATE NOCASE",
                            k ? " UNION ALL " : "", k, searched(db, k), searched(db, k));
    }
    sqlite3_str_appendall(sql, " ORDER BY 1 LIMIT 1");
    return sqlite3_str_finish(sql);
}

/* Refuses what room_codes names when it is not a roomcode table: the schema and its kind. */
static int refuse_holder(sqlite3_stmt *stmt, char **err) {
    const char *schema = (const char *)sqlite3_column_text(stmt, 1);
    const char *type = (const char *)sqlite3_column_text(stmt, 2);
    int is_virtual = sqlite3_column_int(stmt, 3);
    if (!schema || !type)
        return SQLITE_NOMEM;
    *err = sqlite3_mprintf("roomcode: room_codes in schema '%s' is a %s, not a roomcode virtual"
                           " table",
                           schema, is_virtual ? "virtual table of another module" : type);
    return *err ? SQLITE_ERROR : SQLITE_NOMEM;
}

/*
 * Prepares a statement on "schema"."room_codes", which connects the table if need be (it
 * then enters the connection's list), and takes the table of that name there from the list.
 */
static int plan_lookup(roomcode_conn *conn, const char *schema, roomcode_table **out) {
    *out = 0;
    char *sql = sqlite3_mprintf("SELECT 1 FROM \"%w\".room_codes", schema);
    if (!sql)
        return SQLITE_NOMEM;
    sqlite3_stmt *stmt = 0;
    int rc = sqlite3_prepare_v2(conn->db, sql, -1, &stmt, 0);
    sqlite3_free(sql);
    for (roomcode_table_link *l = conn->tables; rc == SQLITE_OK && l && !*out; l = l->next) {
        roomcode_table *t = table_of(l);
        if (t->connected && sqlite3_stricmp(t->schema, schema) == 0 &&
            sqlite3_stricmp(t->name, "room_codes") == 0)
            *out = t;
    }
    /* finalizing may disconnect what it planned on, hence the reference first */
    if (*out)
        roomcode_table_ref(*out);
    sqlite3_finalize(stmt);
    if (*out && !(*out)->connected) {
        roomcode_table_release(*out);
        *out = 0;
    }
    return rc;
}

/* Whether the answer for t may be kept: see the top of this file. */
static int keeps(sqlite3 *db, const roomcode_table *t) {
    return sqlite3_stricmp(t->schema, searched(db, 0)) == 0 ||
           sqlite3_stricmp(t->schema, searched(db, 1)) == 0 ||
           sqlite3_compileoption_used("ENABLE_COLUMN_METADATA");
}

/* Looks the table up, taking a reference for the caller, and keeps the answer. */
static int look_up(roomcode_conn *conn, roomcode_table **out, char **err) {
    sqlite3 *db = conn->db;
    char *sql = first_holder_sql(db);
    sqlite3_stmt *stmt = 0;
    int rc = sql ? sqlite3_prepare_v2(db, sql, -1, &stmt, 0) : SQLITE_NOMEM;
    sqlite3_free(sql);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) {
        *err = sqlite3_mprintf("roomcode: no room_codes table here:"
                               " CREATE VIRTUAL TABLE room_codes USING roomcode");
        rc = *err ? SQLITE_ERROR : SQLITE_NOMEM;
    } else if (rc == SQLITE_ROW && !sqlite3_column_int(stmt, 3)) {
        rc = refuse_holder(stmt, err);
    } else if (rc == SQLITE_ROW) {
        char *schema = sqlite3_mprintf("%s", (const char *)sqlite3_column_text(stmt, 1));
        roomcode_table *t = 0;
        rc = schema ? plan_lookup(conn, schema, &t) : SQLITE_NOMEM;
        if (rc == SQLITE_OK && !t)
            rc = refuse_holder(stmt, err);
        else if (rc == SQLITE_OK) {
            *out = t;
            int sentinel = keeps(db, t) ? sentinel_reprepares(t) : -1;
            if (sentinel >= 0) {
                conn->resolved = &t->link;
                conn->resolved_name_version = t->name_version;
                conn->resolved_sentinel = sentinel;
            }
        } else if (rc != SQLITE_NOMEM) {
            *err = roomcode_db_message(db);
        }
        sqlite3_free(schema);
    } else if (rc != SQLITE_NOMEM) {
        *err = roomcode_db_message(db);
    }
    sqlite3_finalize(stmt);
    return rc;
}

/* Finds the table, taking a reference to it. */
static int find(roomcode_conn *conn, roomcode_table **out, char **err) {
    *err = 0;
    *out = 0;
    if (!roomcode_conn_has_modules(conn)) {
        forget(conn);
        *err = sqlite3_mprintf("roomcode: the roomcode modules were dropped from this"
                               " connection: load the extension again");
        return *err ? SQLITE_ERROR : SQLITE_NOMEM;
    }
    if (conn->resolved && still_named(conn)) {
        *out = table_of(conn->resolved);
        roomcode_table_ref(*out);
        return SQLITE_OK;
    }
    forget(conn);
    return look_up(conn, out, err);
}

int roomcode_with_table(roomcode_conn *conn, roomcode_table_work work, void *arg, char **msg) {
    roomcode_table *t = 0;
    int rc = find(conn, &t, msg);
    for (int attempt = 0; rc == SQLITE_OK; attempt++) {
        rc = work(t, arg, msg);
        if (attempt > 0 || (rc != SQLITE_ERROR && rc != SQLITE_SCHEMA))
            break;
        /* Run again only when the name now resolves to another table: the schema changed
         * under the work. Any other failure is final (the work may have had effects). */
        forget(conn);
        roomcode_table *now = 0;
        char *err = 0;
        int found = find(conn, &now, &err);
        if (found == SQLITE_OK && now == t) {
            roomcode_table_release(now);
            sqlite3_free(err);
            break;
        }
        sqlite3_free(*msg);
        *msg = err;
        roomcode_table_release(t);
        t = now;
        rc = found;
    }
    roomcode_table_release(t);
    return rc;
}

void roomcode_fn_on_code(sqlite3_context *ctx, int rc, char *msg, sqlite3_value *code_arg,
                         char code[ROOMCODE_LEN + 1], roomcode_table_work work, void *arg) {
    if (rc == SQLITE_OK)
        rc = roomcode_parse_code(code_arg, code, &msg);
    if (rc == SQLITE_OK)
        rc = roomcode_with_table(sqlite3_user_data(ctx), work, arg, &msg);
    if (rc != SQLITE_OK)
        roomcode_fn_error(ctx, rc, msg);
}
