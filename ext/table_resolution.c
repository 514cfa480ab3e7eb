/*
 * Which room_codes table an unqualified "room_codes" names: the one the functions
 * (roomcode_new, roomcode_token, roomcode_create) write to and read from.
 *
 * Looking it up means planning a statement, which costs about a quarter of a
 * roomcode_new, so the answer is kept per connection and checked before each use instead:
 * the table is still connected (SQLite disconnects it on any change of its schema, also
 * one made by another connection), it has not been renamed, and no schema searched before
 * its own has changed (its data version, which any DDL there bumps, e.g. a TEMP VIEW named
 * room_codes). Those checks are a few calls that read no page.
 */
#include <string.h>

#include "room_codes_private.h"

/*
 * The look-up in progress on this thread. SQLite plans a statement on the caller's thread
 * and calls xBestIndex of the very table the name resolves to, which reports itself here.
 */
typedef struct lookup {
    sqlite3 *db;
    room_codes_table *found;
} lookup;

static _Thread_local lookup *current;

void room_codes_note_planned(room_codes_table *t) {
    if (current && current->db == t->db && !current->found)
        current->found = t;
}

/* The name of the schema searched k-th for an unqualified name (temp, main, then attached
 * ones in order), or NULL past the last. */
static const char *searched(sqlite3 *db, int k) { return sqlite3_db_name(db, k < 2 ? 1 - k : k); }

/* A fingerprint of the schemas searched before schema: their names and data versions. */
static sqlite3_uint64 searched_before(sqlite3 *db, const char *schema) {
    sqlite3_uint64 h = 14695981039346656037ull; /* FNV-1a */
    for (int k = 0;; k++) {
        const char *name = searched(db, k);
        if (!name || sqlite3_stricmp(name, schema) == 0)
            break;
        unsigned version = 0;
        /* fails for a schema not opened yet (temp, before its first object) */
        int rc = sqlite3_file_control(db, name, SQLITE_FCNTL_DATA_VERSION, &version);
        sqlite3_uint64 parts[2] = {(sqlite3_uint64)rc, version};
        for (const char *p = name; *p; p++)
            h = (h ^ (unsigned char)*p) * 1099511628211ull;
        for (int i = 0; i < 2; i++)
            h = (h ^ parts[i]) * 1099511628211ull;
    }
    return h;
}

void room_codes_forget(roomcode_conn *conn) {
    room_codes_table *t = conn->resolved;
    conn->resolved = 0;
    room_codes_release(t);
}

static int still_named(roomcode_conn *conn) {
    room_codes_table *t = conn->resolved;
    return t->connected && t->name_version == conn->resolved_name_version &&
           searched_before(conn->db, t->schema) == conn->resolved_before;
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

/* Why what room_codes names is not a roomcode table, or NULL when it is found. */
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

/* Plans a statement on "schema"."room_codes" and takes the table SQLite resolved it to. */
static int plan_lookup(sqlite3 *db, const char *schema, room_codes_table **out) {
    char *sql = sqlite3_mprintf("SELECT 1 FROM \"%w\".room_codes", schema);
    if (!sql)
        return SQLITE_NOMEM;
    lookup here = {db, 0};
    lookup *outer = current;
    current = &here;
    sqlite3_stmt *stmt = 0;
    int rc = sqlite3_prepare_v2(db, sql, -1, &stmt, 0);
    current = outer;
    sqlite3_free(sql);
    if (rc == SQLITE_OK && here.found)
        room_codes_ref(here.found);
    /* finalizing may disconnect what it planned on, hence the reference first */
    sqlite3_finalize(stmt);
    *out = here.found && here.found->connected ? here.found : 0;
    if (here.found && !*out)
        room_codes_release(here.found);
    return rc;
}

static int look_up(roomcode_conn *conn, char **err) {
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
        room_codes_table *t = 0;
        rc = schema ? plan_lookup(db, schema, &t) : SQLITE_NOMEM;
        if (rc == SQLITE_OK && !t)
            rc = refuse_holder(stmt, err);
        else if (rc == SQLITE_OK) {
            conn->resolved = t;
            conn->resolved_name_version = t->name_version;
            conn->resolved_before = searched_before(db, t->schema);
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

int room_codes_find(roomcode_conn *conn, room_codes_table **out, char **err) {
    *err = 0;
    *out = 0;
    if (conn->resolved && !still_named(conn))
        room_codes_forget(conn);
    if (!conn->resolved) {
        int rc = look_up(conn, err);
        if (rc != SQLITE_OK)
            return rc;
    }
    *out = conn->resolved;
    room_codes_ref(*out);
    return SQLITE_OK;
}
