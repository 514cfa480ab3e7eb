/*
 * The room_codes virtual table: its life (create, connect, rename, disconnect), its query
 * plans and the statements it keeps on its store. Rows live in the plain table
 * "<name>_store", whose constraints and triggers (sql/) enforce the rules for every
 * writer; this module adds minting, normalized imports, index lookups, and messages that
 * name the bad value. Reading is in room_codes_cursor.c, writing in room_codes_write.c.
 *
 * The table is declared WITHOUT ROWID with code as its primary key, so xUpdate receives
 * codes rather than rowids and a lookup by code is one probe of the store.
 */
#include <stdlib.h>
#include <string.h>

#include "atomic_writes.h"
#include "registration.h"
#include "room_codes_private.h"
#include "store_indexes.h"
#include "store_schema.h"
#include "templates_store.h"

/* What EXPLAIN QUERY PLAN shows for each plan. */
static const char *const plan_text[] = {"full scan", "code=?",
                                        "room_id=?", "room_id=? AND role=?",
                                        "user_id=?", "user_id=? AND room_id=?"};
/* The store statement each plan reads with. */
static const enum roomcode_store_stmt plan_stmt[] = {
    ROOMCODE_STORE_SCAN,         ROOMCODE_STORE_BY_CODE, ROOMCODE_STORE_BY_ROOM,
    ROOMCODE_STORE_BY_ROOM_ROLE, ROOMCODE_STORE_BY_USER, ROOMCODE_STORE_BY_USER_ROOM};

void roomcode_table_ref(roomcode_table *t) { t->refs++; }

static void clear_statements(roomcode_table *t) {
    for (int i = 0; i < ROOMCODE_STORE_N_STMT; i++)
        roomcode_stmt_clear(&t->stmt[i]);
    for (int i = 0; i < ROOMCODE_READ_SLOTS; i++)
        roomcode_stmt_clear(&t->reads[i].stmt);
    for (int i = 0; i < ROOMCODE_LOOKUP_N_STMT; i++)
        roomcode_stmt_clear(&t->lookup[i]);
    roomcode_stmt_clear(&t->sentinel);
    roomcode_atomic_clear(t);
}

static void table_free(roomcode_table *t) {
    clear_statements(t);
    for (int i = 0; i < ROOMCODE_STORE_N_STMT; i++)
        sqlite3_free(t->sql[i]);
    roomcode_table_free_spare(t);
    roomcode_table_free_mints(t);
    sqlite3_free(t->schema);
    sqlite3_free(t->name);
    /* SQLite does not collect a message xDestroy leaves behind when it fails. */
    sqlite3_free(t->base.zErrMsg);
    if (t->conn)
        roomcode_conn_unref(t->conn);
    sqlite3_free(t);
}

void roomcode_table_release(roomcode_table *t) {
    if (t && --t->refs == 0)
        table_free(t);
}

/* Statements kept in t's slots; cursors read the others by plan and columns (read slots). */
static int kept_in_slot(int which) {
    return which == ROOMCODE_STORE_BY_CODE || !ROOMCODE_STORE_IS_READ(which);
}

/* The slot statements' SQL for t's current name. */
static int format_statements(roomcode_table *t) {
    for (int i = 0; i < ROOMCODE_STORE_N_STMT; i++) {
        if (!kept_in_slot(i))
            continue;
        char *sql = roomcode_store_sql(i, t->schema, t->name);
        if (!sql)
            return SQLITE_NOMEM;
        sqlite3_free(t->sql[i]);
        t->sql[i] = sql;
    }
    return SQLITE_OK;
}

static int table_init(sqlite3 *db, void *aux, int argc, const char *const *argv, sqlite3_vtab **out,
                      char **err, int is_create) {
    roomcode_table *t = 0;
    int rc;
    if (argc > 3) {
        *err = sqlite3_mprintf(
            "roomcode: %s takes no arguments: CREATE VIRTUAL TABLE %s USING roomcode", argv[2],
            argv[2]);
        return SQLITE_ERROR;
    }
    /* NOT NULL and the key tell schema readers (PRAGMA table_info, ORMs) what the store
     * holds; SQLite checks neither on a virtual table, and ignores a DEFAULT there, so none
     * is declared: xUpdate reads a NULL enabled, code or timestamp as one left out. */
    rc = sqlite3_declare_vtab(db, "CREATE TABLE x(code TEXT PRIMARY KEY, room_id TEXT NOT NULL,"
                                  " role TEXT NOT NULL, enabled INTEGER NOT NULL, user_id TEXT,"
                                  " created_at TEXT, updated_at TEXT) WITHOUT ROWID");
    if (rc != SQLITE_OK)
        return rc;
    /* An app's own trigger may write codes, also under trusted_schema=OFF. */
    sqlite3_vtab_config(db, SQLITE_VTAB_INNOCUOUS);
    sqlite3_vtab_config(db, SQLITE_VTAB_CONSTRAINT_SUPPORT, 1);
    t = sqlite3_malloc64(sizeof(*t));
    if (!t)
        return SQLITE_NOMEM;
    *t = (roomcode_table){.db = db, .conn = roomcode_conn_ref(aux), .refs = 1};
    t->schema = sqlite3_mprintf("%s", argv[1]);
    t->name = sqlite3_mprintf("%s", argv[2]);
    rc = (t->schema && t->name) ? format_statements(t) : SQLITE_NOMEM;
    if (rc == SQLITE_OK && is_create)
        rc = roomcode_store_create(db, t->schema, t->name, err);
    if (rc == SQLITE_OK && is_create)
        rc = roomcode_templates_create(db, t->schema, t->name, err);
    else if (rc == SQLITE_OK) {
        roomcode_store_upgrade(db, t->schema, t->name);
        roomcode_templates_upgrade(db, t->schema, t->name);
    }
    if (rc != SQLITE_OK) {
        table_free(t);
        return rc;
    }
    t->connected = 1;
    roomcode_conn_enter(t->conn, &t->link);
    *out = &t->base;
    return SQLITE_OK;
}

static int table_create(sqlite3 *db, void *aux, int argc, const char *const *argv,
                        sqlite3_vtab **out, char **err) {
    return table_init(db, aux, argc, argv, out, err, 1);
}

static int table_connect(sqlite3 *db, void *aux, int argc, const char *const *argv,
                         sqlite3_vtab **out, char **err) {
    return table_init(db, aux, argc, argv, out, err, 0);
}

/*
 * SQLite is done with t, but a call in progress may still hold it: its statements go now
 * (those in use are finalized when given back), and the last reference frees it.
 */
static int table_disconnect(sqlite3_vtab *vtab) {
    roomcode_table *t = (roomcode_table *)vtab;
    t->connected = 0;
    roomcode_conn_leave(t->conn, &t->link);
    clear_statements(t);
    roomcode_table_release(t);
    return SQLITE_OK;
}

static int table_destroy(sqlite3_vtab *vtab) {
    roomcode_table *t = (roomcode_table *)vtab;
    char *err = 0;
    int rc = roomcode_templates_drop(t->db, t->schema, t->name, &err);
    if (rc == SQLITE_OK)
        rc = roomcode_store_drop(t->db, t->schema, t->name, &err);
    if (rc != SQLITE_OK)
        return roomcode_vtab_error(vtab, rc, err);
    return table_disconnect(vtab);
}

static int table_rename(sqlite3_vtab *vtab, const char *to) {
    roomcode_table *t = (roomcode_table *)vtab;
    char *err = 0;
    clear_statements(t);
    int rc = roomcode_templates_unhook(t->db, t->schema, t->name, to, &err);
    if (rc == SQLITE_OK)
        rc = roomcode_store_rename(t->db, t->schema, t->name, to, &err);
    if (rc == SQLITE_OK)
        rc = roomcode_templates_rename(t->db, t->schema, t->name, to, &err);
    if (rc != SQLITE_OK)
        return roomcode_vtab_error(vtab, rc, err);
    char *name = sqlite3_mprintf("%s", to);
    if (!name)
        return SQLITE_NOMEM;
    sqlite3_free(t->name);
    t->name = name;
    t->name_version++; /* what "room_codes" names has changed */
    return format_statements(t);
}

/* Is the constraint compared with BINARY, as the store's indexes are? */
static int binary_collation(sqlite3_index_info *info, int i) {
    const char *name = sqlite3_vtab_collation(info, i);
    return !name || sqlite3_stricmp(name, "BINARY") == 0;
}

/* Asks for the IN lists among the plan's two arguments (constraints first and second, -1
 * for none) whole; bit k of the result: argument k is a list. */
static unsigned take_in_lists(sqlite3_index_info *info, int first, int second) {
    unsigned in_lists = 0;
    for (int k = 0; k < 2; k++) {
        int i = k ? second : first;
        if (i >= 0 && sqlite3_vtab_in(info, i, -1)) {
            sqlite3_vtab_in(info, i, 1);
            in_lists |= 1u << k;
        }
    }
    return in_lists;
}

/* Plans a lookup by the constraints first and second (-1 when there is none), with its
 * estimates; returns which of the two come as whole IN lists. */
static unsigned plan_lookup(sqlite3_index_info *info, int plan, int first, int second, double cost,
                            sqlite3_int64 rows) {
    info->idxNum = plan;
    info->aConstraintUsage[first].argvIndex = 1;
    if (second >= 0)
        info->aConstraintUsage[second].argvIndex = 2;
    info->estimatedCost = cost;
    info->estimatedRows = rows;
    return take_in_lists(info, first, second);
}

/*
 * Turns code = ? and room_id = ? [AND role = ?] into lookups on the store's indexes. A
 * constraint under another collation (room_id = 'x' COLLATE NOCASE) matches more than the
 * key, so SQLite checks it on the rows of a wider plan instead. No constraint is omitted:
 * SQLite checks each again on the rows a lookup returns, which costs a comparison a row and
 * keeps its own affinity rules for keys that are not text (see roomcode_table_filter).
 */
static int table_best_index(sqlite3_vtab *vtab, sqlite3_index_info *info) {
    (void)vtab;
    int code = -1, room = -1, role = -1, user = -1;
    unsigned in_lists = 0; /* bit k: argument k is an IN list */
    for (int i = 0; i < info->nConstraint; i++) {
        const struct sqlite3_index_constraint *c = &info->aConstraint[i];
        if (!c->usable || c->op != SQLITE_INDEX_CONSTRAINT_EQ || !binary_collation(info, i))
            continue;
        if (c->iColumn == ROOMCODE_COL_CODE)
            code = i;
        else if (c->iColumn == ROOMCODE_COL_ROOM_ID)
            room = i;
        else if (c->iColumn == ROOMCODE_COL_ROLE)
            role = i;
        else if (c->iColumn == ROOMCODE_COL_USER_ID)
            user = i;
    }
    if (code >= 0) {
        info->idxNum = ROOMCODE_PLAN_CODE;
        info->aConstraintUsage[code].argvIndex = 1;
        info->estimatedCost = 1;
        info->estimatedRows = 1;
        info->idxFlags = SQLITE_INDEX_SCAN_UNIQUE;
    } else if (user >= 0) {
        /* A user's codes are few (the index holds bound codes only), and fewer in one room;
         * role, if given, is checked by SQLite on them. IN lists come whole, as for room_id
         * below: SQLite, handing them one value a filter, checks each row again against
         * that one value under another affinity than the IN's own, and a value listed twice
         * (42 and '42') finds a row twice */
        in_lists = plan_lookup(info, room >= 0 ? ROOMCODE_PLAN_USER_ROOM : ROOMCODE_PLAN_USER, user,
                               room, room >= 0 ? 5 : 20, room >= 0 ? 2 : 20);
    } else if (room >= 0) {
        /* room_id IN (...) and role IN (...) come as whole lists (see roomcode_table_filter) */
        in_lists = plan_lookup(info, role >= 0 ? ROOMCODE_PLAN_ROOM_ROLE : ROOMCODE_PLAN_ROOM, room,
                               role, role >= 0 ? 10 : 100, role >= 0 ? 10 : ROOMCODE_MAX_PER_ROOM);
    } else {
        info->idxNum = ROOMCODE_PLAN_SCAN;
        info->estimatedCost = 1e7;
        info->estimatedRows = 1000000;
    }
    /* idxStr: see room_codes_private.h (what EXPLAIN QUERY PLAN shows, and all the cursor
     * reads back besides idxNum) */
    info->idxStr = roomcode_table_plan_text(
        info->idxNum, (unsigned)(info->colUsed & ROOMCODE_STORE_ALL_COLUMNS), in_lists);
    if (!info->idxStr)
        return SQLITE_NOMEM;
    info->needToFreeIdxStr = 1;
    /* The store is keyed by code, so a scan or a lookup by code is already in code order
     * (BINARY order, as the declared column's). */
    if (info->nOrderBy == 1 && info->aOrderBy[0].iColumn == ROOMCODE_COL_CODE &&
        !info->aOrderBy[0].desc &&
        (info->idxNum == ROOMCODE_PLAN_SCAN || info->idxNum == ROOMCODE_PLAN_CODE))
        info->orderByConsumed = 1;
    return SQLITE_OK;
}

char *roomcode_table_plan_text(int plan, unsigned columns, unsigned in_lists) {
    if (in_lists)
        return sqlite3_mprintf("%s (columns 0x%02x, IN lists 0x%x)", plan_text[plan], columns,
                               in_lists);
    return sqlite3_mprintf("%s (columns 0x%02x)", plan_text[plan], columns);
}

int roomcode_table_plan_read(const char *text, unsigned *columns, unsigned *in_lists) {
    const char *p = text ? strstr(text, " (columns 0x") : 0;
    if (!p)
        return SQLITE_ERROR;
    char *end = 0;
    *columns = (unsigned)strtoul(p + 12, &end, 16);
    *in_lists = 0;
    if (end && strncmp(end, ", IN lists 0x", 13) == 0)
        *in_lists = (unsigned)strtoul(end + 13, 0, 16);
    return SQLITE_OK;
}

int roomcode_table_read_take(roomcode_table *t, int plan, unsigned columns, sqlite3_stmt **out) {
    for (int i = 0; i < ROOMCODE_READ_SLOTS; i++) {
        roomcode_read_slot *r = &t->reads[i];
        if (r->stmt && r->plan == plan && r->columns == columns) {
            *out = r->stmt;
            r->stmt = 0;
            return SQLITE_OK;
        }
    }
    char *sql = roomcode_store_read_sql(plan_stmt[plan], columns, t->schema, t->name);
    if (!sql)
        return SQLITE_NOMEM;
    int rc = sqlite3_prepare_v3(t->db, sql, -1, SQLITE_PREPARE_PERSISTENT, out, 0);
    sqlite3_free(sql);
    return rc;
}

/*
 * Puts a statement back, evicting another when all slots are full. Unlike
 * roomcode_stmt_give it keeps the bindings: every use binds all parameters first, and
 * clearing them would cost some 300 instructions a lookup.
 */
void roomcode_table_read_give(roomcode_table *t, int plan, unsigned columns, sqlite3_stmt *stmt) {
    sqlite3_reset(stmt);
    if (!t->connected) {
        sqlite3_finalize(stmt);
        return;
    }
    roomcode_read_slot *r = 0;
    for (int i = 0; i < ROOMCODE_READ_SLOTS && !r; i++) {
        if (!t->reads[i].stmt)
            r = &t->reads[i];
    }
    if (!r) {
        r = &t->reads[t->next_evicted++ % ROOMCODE_READ_SLOTS];
        roomcode_stmt_clear(&r->stmt);
    }
    r->plan = plan;
    r->columns = columns;
    r->stmt = stmt;
}

static int writes(enum roomcode_store_stmt which) {
    return which == ROOMCODE_STORE_INSERT || which == ROOMCODE_STORE_UPDATE ||
           which == ROOMCODE_STORE_DELETE || which == ROOMCODE_STORE_RESTORE_UPDATED_AT;
}

int roomcode_table_take(roomcode_table *t, enum roomcode_store_stmt which, sqlite3_stmt **out) {
    *out = 0;
    int rc = writes(which) ? roomcode_table_snapshot_readers(t) : SQLITE_OK;
    if (rc == SQLITE_OK)
        rc = roomcode_stmt_take(t->db, t->connected ? &t->stmt[which] : 0, t->sql[which], out);
    return rc;
}

void roomcode_table_give(roomcode_table *t, enum roomcode_store_stmt which, sqlite3_stmt *stmt) {
    roomcode_stmt_give(t->connected ? &t->stmt[which] : 0, stmt);
}

static sqlite3_module roomcode_table_module = {
    .iVersion = 3,
    .xCreate = table_create,
    .xConnect = table_connect,
    .xBestIndex = table_best_index,
    .xDisconnect = table_disconnect,
    .xDestroy = table_destroy,
    ROOMCODE_CURSOR_METHODS(roomcode_table),
    .xUpdate = roomcode_table_update,
    .xRename = table_rename,
};

int roomcode_register_table(sqlite3 *db, roomcode_conn *conn) {
    return roomcode_conn_register_module(db, "roomcode", &roomcode_table_module, conn);
}
