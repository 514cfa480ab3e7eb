/*
 * The room_codes virtual table. Rows live in the plain shadow table "<name>_store", whose
 * constraints and triggers (sql/) enforce the rules for every writer; this module adds
 * minting, normalized imports, index lookups, and messages that name the bad value.
 *
 * The table is declared WITHOUT ROWID with code as its primary key, so xUpdate receives
 * codes rather than rowids and a lookup by code is one probe of the store.
 */
#include <stddef.h>
#include <string.h>

#include "room_codes_table.h"

#define MINT_ATTEMPTS 16 /* a collision in 26^10 is rare; sixteen in a row is a broken RNG */
#define READ_SLOTS 8     /* reading statements kept per table, by plan and columns */

/* An idle reading statement of a cursor: which plan, which columns it fetches. */
typedef struct read_slot {
    int plan;
    unsigned columns;
    sqlite3_stmt *stmt;
} read_slot;

struct room_codes_table {
    sqlite3_vtab base;
    sqlite3 *db;
    roomcode_conn *conn;
    room_codes_table *next; /* in conn->tables */
    char *schema;
    char *name;
    sqlite3_stmt *stmt[STORE_N_STMT]; /* idle statements, see roomcode_stmt_take */
    char *sql[STORE_N_STMT];
    struct room_codes_cursor *spare; /* a closed cursor kept for the next xOpen */
    read_slot reads[READ_SLOTS];     /* idle cursor statements */
    unsigned next_evicted;           /* round robin over reads when all are full */
};

typedef struct room_codes_cursor {
    sqlite3_vtab_cursor base;
    int plan;
    unsigned columns; /* those stmt fetches (bit COL_x); the others read as NULL */
    sqlite3_stmt *stmt;
    int eof;
    int code_len; /* for a lookup by code given as text: the code is key[0] */
    /* Copies of xFilter's text arguments, bound without a copy of their own: the
     * statement reads them until it is reset, when xFilter's argv may be gone. */
    char key[2][ROOMCODE_MAX_NAME_BYTES];
} room_codes_cursor;

/* Query plans (idxNum), each one store statement. */
static const enum roomcode_store_stmt plan_stmt[] = {STORE_SCAN, STORE_BY_CODE, STORE_BY_ROOM,
                                                     STORE_BY_ROOM_ROLE};
enum { PLAN_SCAN, PLAN_CODE, PLAN_ROOM, PLAN_ROOM_ROLE };
/* What EXPLAIN QUERY PLAN shows for each plan. */
static const char *const plan_text[] = {"full scan", "code=?", "room_id=?", "room_id=? AND role=?"};

/* Adds t to, or removes it from, the connection's tables; either may change what
 * "room_codes" names, so the name is looked up again next time. */
static void registry_add(room_codes_table *t) {
    t->next = t->conn->tables;
    t->conn->tables = t;
    t->conn->resolved = 0;
}

static void registry_remove(room_codes_table *t) {
    for (room_codes_table **p = &t->conn->tables; *p; p = &(*p)->next) {
        if (*p == t) {
            *p = t->next;
            break;
        }
    }
    t->conn->resolved = 0;
}

static void clear_reads(room_codes_table *t) {
    for (int i = 0; i < READ_SLOTS; i++)
        roomcode_stmt_clear(&t->reads[i].stmt);
}

static void table_free(room_codes_table *t) {
    if (!t)
        return;
    for (int i = 0; i < STORE_N_STMT; i++) {
        roomcode_stmt_clear(&t->stmt[i]);
        sqlite3_free(t->sql[i]);
    }
    clear_reads(t);
    sqlite3_free(t->spare);
    sqlite3_free(t->schema);
    sqlite3_free(t->name);
    /* SQLite does not collect a message xDestroy leaves behind when it fails. */
    sqlite3_free(t->base.zErrMsg);
    sqlite3_free(t);
}

static int table_init(sqlite3 *db, void *aux, int argc, const char *const *argv, sqlite3_vtab **out,
                      char **err, int is_create) {
    roomcode_conn *conn = aux;
    room_codes_table *t = 0;
    int rc;
    if (argc > 3) {
        *err = sqlite3_mprintf(
            "roomcode: %s takes no arguments: CREATE VIRTUAL TABLE %s USING roomcode", argv[2],
            argv[2]);
        return SQLITE_ERROR;
    }
    rc = sqlite3_declare_vtab(db, "CREATE TABLE x(code TEXT PRIMARY KEY, room_id TEXT, role TEXT,"
                                  " enabled INTEGER, user_id TEXT, created_at TEXT,"
                                  " updated_at TEXT) WITHOUT ROWID");
    if (rc != SQLITE_OK)
        goto error;
    /* An app's own trigger may write codes, also under trusted_schema=OFF. */
    sqlite3_vtab_config(db, SQLITE_VTAB_INNOCUOUS);
    sqlite3_vtab_config(db, SQLITE_VTAB_CONSTRAINT_SUPPORT, 1);
    t = sqlite3_malloc64(sizeof(*t));
    if (!t) {
        rc = SQLITE_NOMEM;
        goto error;
    }
    memset(t, 0, sizeof(*t));
    t->db = db;
    t->conn = conn;
    t->schema = sqlite3_mprintf("%s", argv[1]);
    t->name = sqlite3_mprintf("%s", argv[2]);
    rc = (t->schema && t->name) ? SQLITE_OK : SQLITE_NOMEM;
    for (int i = 0; i < STORE_N_STMT && rc == SQLITE_OK; i++) {
        t->sql[i] = roomcode_store_sql(i, t->schema, t->name);
        if (!t->sql[i])
            rc = SQLITE_NOMEM;
    }
    if (rc == SQLITE_OK && is_create)
        rc = roomcode_store_create(db, t->schema, t->name, err);
    if (rc != SQLITE_OK)
        goto error;
    registry_add(t);
    *out = &t->base;
    return SQLITE_OK;
error:
    table_free(t);
    return rc;
}

static int table_create(sqlite3 *db, void *aux, int argc, const char *const *argv,
                        sqlite3_vtab **out, char **err) {
    return table_init(db, aux, argc, argv, out, err, 1);
}

static int table_connect(sqlite3 *db, void *aux, int argc, const char *const *argv,
                         sqlite3_vtab **out, char **err) {
    return table_init(db, aux, argc, argv, out, err, 0);
}

static int table_disconnect(sqlite3_vtab *vtab) {
    room_codes_table *t = (room_codes_table *)vtab;
    registry_remove(t);
    roomcode_conn_release(t->conn);
    table_free(t);
    return SQLITE_OK;
}

static int table_destroy(sqlite3_vtab *vtab) {
    room_codes_table *t = (room_codes_table *)vtab;
    char *err = 0;
    int rc = roomcode_store_drop(t->db, t->schema, t->name, &err);
    if (rc != SQLITE_OK) {
        sqlite3_free(vtab->zErrMsg);
        vtab->zErrMsg = err;
        return rc;
    }
    return table_disconnect(vtab);
}

static int table_rename(sqlite3_vtab *vtab, const char *to) {
    room_codes_table *t = (room_codes_table *)vtab;
    char *err = 0;
    for (int i = 0; i < STORE_N_STMT; i++)
        roomcode_stmt_clear(&t->stmt[i]);
    clear_reads(t);
    int rc = roomcode_store_rename(t->db, t->schema, t->name, to, &err);
    if (rc != SQLITE_OK) {
        sqlite3_free(vtab->zErrMsg);
        vtab->zErrMsg = err;
        return rc;
    }
    char *name = sqlite3_mprintf("%s", to);
    if (!name)
        return SQLITE_NOMEM;
    sqlite3_free(t->name);
    t->name = name;
    for (int i = 0; i < STORE_N_STMT; i++) {
        char *sql = roomcode_store_sql(i, t->schema, t->name);
        if (!sql)
            return SQLITE_NOMEM;
        sqlite3_free(t->sql[i]);
        t->sql[i] = sql;
    }
    return SQLITE_OK;
}

/* Turns code = ? and room_id = ? [AND role = ?] into lookups on the store's indexes. */
static int table_best_index(sqlite3_vtab *vtab, sqlite3_index_info *info) {
    room_codes_table *t = (room_codes_table *)vtab;
    if (t->conn->resolving)
        t->conn->resolved = t; /* see room_codes_find */
    int code = -1, room = -1, role = -1;
    for (int i = 0; i < info->nConstraint; i++) {
        const struct sqlite3_index_constraint *c = &info->aConstraint[i];
        if (!c->usable || c->op != SQLITE_INDEX_CONSTRAINT_EQ)
            continue;
        if (c->iColumn == COL_CODE)
            code = i;
        else if (c->iColumn == COL_ROOM_ID)
            room = i;
        else if (c->iColumn == COL_ROLE)
            role = i;
    }
    if (code >= 0) {
        info->idxNum = PLAN_CODE;
        info->aConstraintUsage[code].argvIndex = 1;
        info->aConstraintUsage[code].omit = 1;
        info->estimatedCost = 1;
        info->estimatedRows = 1;
        info->idxFlags = SQLITE_INDEX_SCAN_UNIQUE;
    } else if (room >= 0) {
        info->idxNum = role >= 0 ? PLAN_ROOM_ROLE : PLAN_ROOM;
        info->aConstraintUsage[room].argvIndex = 1;
        info->aConstraintUsage[room].omit = 1;
        if (role >= 0) {
            info->aConstraintUsage[role].argvIndex = 2;
            info->aConstraintUsage[role].omit = 1;
        }
        info->estimatedCost = role >= 0 ? 10 : 100;
        info->estimatedRows = role >= 0 ? 10 : ROOMCODE_MAX_PER_ROOM;
    } else {
        info->idxNum = PLAN_SCAN;
        info->estimatedCost = 1e7;
        info->estimatedRows = 1000000;
    }
    /*
     * idxStr is the plan's text, which EXPLAIN QUERY PLAN shows, and after its NUL the
     * columns the statement reads, so that the store statement fetches only those.
     */
    size_t n = strlen(plan_text[info->idxNum]);
    info->idxStr = sqlite3_malloc64(n + 2);
    if (!info->idxStr)
        return SQLITE_NOMEM;
    memcpy(info->idxStr, plan_text[info->idxNum], n + 1);
    info->idxStr[n + 1] = (char)(info->colUsed & STORE_ALL_COLUMNS);
    info->needToFreeIdxStr = 1;
    /* The store is keyed by code, so a scan or a lookup by code is already in code order. */
    if (info->nOrderBy == 1 && info->aOrderBy[0].iColumn == COL_CODE && !info->aOrderBy[0].desc &&
        (info->idxNum == PLAN_SCAN || info->idxNum == PLAN_CODE))
        info->orderByConsumed = 1;
    return SQLITE_OK;
}

/* A lookup opens and closes a cursor; the last one closed is kept for the next. */
static int table_open(sqlite3_vtab *vtab, sqlite3_vtab_cursor **out) {
    room_codes_table *t = (room_codes_table *)vtab;
    room_codes_cursor *c = t->spare;
    t->spare = 0;
    if (!c)
        c = sqlite3_malloc64(sizeof(*c));
    if (!c)
        return SQLITE_NOMEM;
    memset(c, 0, offsetof(room_codes_cursor, key));
    c->eof = 1;
    *out = &c->base;
    return SQLITE_OK;
}

/* Takes an idle statement of plan reading columns, or prepares one. */
static int read_take(room_codes_table *t, int plan, unsigned columns, sqlite3_stmt **out) {
    for (int i = 0; i < READ_SLOTS; i++) {
        read_slot *r = &t->reads[i];
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
static void read_give(room_codes_table *t, int plan, unsigned columns, sqlite3_stmt *stmt) {
    sqlite3_reset(stmt);
    read_slot *r = 0;
    for (int i = 0; i < READ_SLOTS && !r; i++) {
        if (!t->reads[i].stmt)
            r = &t->reads[i];
    }
    if (!r) {
        r = &t->reads[t->next_evicted++ % READ_SLOTS];
        roomcode_stmt_clear(&r->stmt);
    }
    r->plan = plan;
    r->columns = columns;
    r->stmt = stmt;
}

static void cursor_reset(room_codes_cursor *c) {
    if (c->stmt)
        read_give((room_codes_table *)c->base.pVtab, c->plan, c->columns, c->stmt);
    c->stmt = 0;
    c->eof = 1;
}

static int table_close(sqlite3_vtab_cursor *cur) {
    room_codes_table *t = (room_codes_table *)cur->pVtab;
    cursor_reset((room_codes_cursor *)cur);
    if (t->spare)
        sqlite3_free(cur);
    else
        t->spare = (room_codes_cursor *)cur;
    return SQLITE_OK;
}

/* Copies the connection's last error into the table's message. */
static int table_error(room_codes_table *t, int rc) {
    sqlite3_free(t->base.zErrMsg);
    t->base.zErrMsg = sqlite3_mprintf("%s", sqlite3_errmsg(t->db));
    return rc;
}

static int cursor_step(room_codes_cursor *c) {
    int rc = sqlite3_step(c->stmt);
    if (rc == SQLITE_ROW)
        return SQLITE_OK;
    c->eof = 1;
    if (rc == SQLITE_DONE)
        return SQLITE_OK;
    return table_error((room_codes_table *)c->base.pVtab, rc);
}

static int table_filter(sqlite3_vtab_cursor *cur, int plan, const char *idx_str, int argc,
                        sqlite3_value **argv) {
    room_codes_cursor *c = (room_codes_cursor *)cur;
    room_codes_table *t = (room_codes_table *)cur->pVtab;
    cursor_reset(c);
    c->plan = plan;
    /* Text arguments are copied to the cursor and bound from there; other types, and
     * text too long to be stored, are bound as copies of their own. */
    int key_len[2] = {-1, -1};
    for (int i = 0; i < argc && i < 2; i++) {
        if (sqlite3_value_type(argv[i]) != SQLITE_TEXT)
            continue;
        const unsigned char *text = sqlite3_value_text(argv[i]);
        int n = sqlite3_value_bytes(argv[i]);
        if (text && n <= ROOMCODE_MAX_NAME_BYTES) {
            memcpy(c->key[i], text, (size_t)n);
            key_len[i] = n;
        }
    }
    /* The code is fetched too, to find the row again should SQLite ask for another column
     * (see table_column), unless the lookup by code already has it as text. */
    c->code_len = plan == PLAN_CODE ? key_len[0] : -1;
    c->columns = (unsigned char)idx_str[strlen(idx_str) + 1];
    if (c->code_len < 0)
        c->columns |= 1u << COL_CODE;
    else
        c->columns &= ~(1u << COL_CODE);
    int rc = read_take(t, plan, c->columns, &c->stmt);
    for (int i = 0; i < argc && rc == SQLITE_OK; i++) {
        rc = i < 2 && key_len[i] >= 0
                 ? sqlite3_bind_text(c->stmt, i + 1, c->key[i], key_len[i], SQLITE_STATIC)
                 : sqlite3_bind_value(c->stmt, i + 1, argv[i]);
    }
    if (rc != SQLITE_OK)
        return table_error(t, rc);
    c->eof = 0;
    return cursor_step(c);
}

static int table_next(sqlite3_vtab_cursor *cur) {
    room_codes_cursor *c = (room_codes_cursor *)cur;
    /* code is the store's key: after its one row, stepping again would only find the end. */
    if (c->plan == PLAN_CODE) {
        c->eof = 1;
        return SQLITE_OK;
    }
    return cursor_step(c);
}

static int table_eof(sqlite3_vtab_cursor *cur) { return ((room_codes_cursor *)cur)->eof; }

/* A column the cursor's statement does not fetch: read from the row found again by code. */
static int column_of_row(room_codes_cursor *c, sqlite3_context *ctx, int col) {
    room_codes_table *t = (room_codes_table *)c->base.pVtab;
    sqlite3_stmt *row = 0;
    int rc = roomcode_stmt_take(t->db, &t->stmt[STORE_BY_CODE], t->sql[STORE_BY_CODE], &row);
    if (rc == SQLITE_OK && c->code_len >= 0)
        rc = sqlite3_bind_text(row, 1, c->key[0], c->code_len, SQLITE_STATIC);
    else if (rc == SQLITE_OK)
        rc = sqlite3_bind_value(row, 1, sqlite3_column_value(c->stmt, COL_CODE));
    if (rc == SQLITE_OK)
        rc = sqlite3_step(row);
    if (rc == SQLITE_ROW)
        sqlite3_result_value(ctx, sqlite3_column_value(row, col));
    rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : table_error(t, rc);
    roomcode_stmt_give(&t->stmt[STORE_BY_CODE], row);
    return rc;
}

static int table_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col) {
    room_codes_cursor *c = (room_codes_cursor *)cur;
    /* An UPDATE that leaves a column alone need not copy it. */
    if (col != COL_CODE && sqlite3_vtab_nochange(ctx))
        return SQLITE_OK;
    if (col == COL_CODE && c->code_len >= 0)
        sqlite3_result_text(ctx, c->key[0], c->code_len, SQLITE_TRANSIENT);
    else if (c->columns & (1u << col))
        sqlite3_result_value(ctx, sqlite3_column_value(c->stmt, col));
    else
        return column_of_row(c, ctx, col);
    return SQLITE_OK;
}

static int table_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid) {
    (void)cur;
    (void)rowid;
    return SQLITE_ERROR; /* never called: the table is WITHOUT ROWID */
}

static int type_of(sqlite3_value *v) { return v ? sqlite3_value_type(v) : SQLITE_NULL; }

static int bind_or_null(sqlite3_stmt *stmt, int i, sqlite3_value *v) {
    return v ? sqlite3_bind_value(stmt, i, v) : sqlite3_bind_null(stmt, i);
}

/* Binds a checked name (text, or NULL for user_id) without a copy: v must outlive the use. */
static int bind_name(sqlite3_stmt *stmt, int i, sqlite3_value *v) {
    if (type_of(v) != SQLITE_TEXT)
        return bind_or_null(stmt, i, v);
    const unsigned char *text = sqlite3_value_text(v);
    if (!text)
        return SQLITE_NOMEM;
    return sqlite3_bind_text(stmt, i, (const char *)text, sqlite3_value_bytes(v), SQLITE_STATIC);
}

/* Sets the table's message (taking ownership of msg) and returns rc. */
static int table_refuse(room_codes_table *t, int rc, char *msg) {
    sqlite3_free(t->base.zErrMsg);
    t->base.zErrMsg = msg;
    return msg ? rc : SQLITE_NOMEM;
}

/* Runs a bound write statement, which returns no row. */
static int run_write(sqlite3_stmt *stmt) {
    int rc = sqlite3_step(stmt);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/*
 * Checks the enabled value of an INSERT or UPDATE. NULL on INSERT means enabled. Returns
 * SQLITE_OK with *out 0 or 1, or a refusal.
 */
static int check_enabled(room_codes_table *t, sqlite3_value *v, int *out) {
    if (sqlite3_value_type(v) == SQLITE_INTEGER) {
        sqlite3_int64 e = sqlite3_value_int64(v);
        if (e == 0 || e == 1) {
            *out = (int)e;
            return SQLITE_OK;
        }
    }
    return table_refuse(t, SQLITE_CONSTRAINT,
                        roomcode_message_with(v, "roomcode: enabled must be 1 or 0, not "));
}

/* Checks a name column; user_id may also be NULL (not bound to a user). */
static int check_name(room_codes_table *t, const char *what, sqlite3_value *v, int nullable) {
    if (nullable && type_of(v) == SQLITE_NULL)
        return SQLITE_OK;
    char *msg = 0;
    int rc = roomcode_check_name(what, v, 0, &msg);
    return rc == SQLITE_OK ? rc : table_refuse(t, rc, msg);
}

/*
 * A code already stored fails the primary key, or first the (room_id, role, code) index
 * when it is stored for the same room and role.
 */
static int is_duplicate_code(int extended_rc) {
    return extended_rc == SQLITE_CONSTRAINT_PRIMARYKEY || extended_rc == SQLITE_CONSTRAINT_UNIQUE;
}

/* Replaces a failure of the store's cap trigger by a message naming the room. */
static int refuse_from_store(room_codes_table *t, int rc, sqlite3_value *room, const char *code) {
    int ext = sqlite3_extended_errcode(t->db);
    if (ext == SQLITE_CONSTRAINT_TRIGGER && strstr(sqlite3_errmsg(t->db), "at most 100")) {
        char *q = roomcode_describe(room);
        rc = table_refuse(
            t, SQLITE_CONSTRAINT,
            q ? sqlite3_mprintf("roomcode: room %s already has %d room codes (limit %d)", q,
                                ROOMCODE_MAX_PER_ROOM, ROOMCODE_MAX_PER_ROOM)
              : 0);
        sqlite3_free(q);
        return rc;
    }
    if (is_duplicate_code(ext) && code) {
        return table_refuse(t, SQLITE_CONSTRAINT,
                            sqlite3_mprintf("roomcode: room code '%s' already exists", code));
    }
    return table_error(t, rc);
}

/* INSERT of one row; a NULL code mints one. The stored code goes to code_out. */
static int table_insert(room_codes_table *t, sqlite3_value *const *col,
                        char code[ROOMCODE_LEN + 1]) {
    int enabled = 1;
    int rc = check_name(t, "room_id", col[COL_ROOM_ID], 0);
    if (rc == SQLITE_OK)
        rc = check_name(t, "role", col[COL_ROLE], 0);
    if (rc == SQLITE_OK)
        rc = check_name(t, "user_id", col[COL_USER_ID], 1);
    if (rc == SQLITE_OK && type_of(col[COL_ENABLED]) != SQLITE_NULL)
        rc = check_enabled(t, col[COL_ENABLED], &enabled);
    for (int i = COL_CREATED_AT; i <= COL_UPDATED_AT && rc == SQLITE_OK; i++) {
        if (type_of(col[i]) != SQLITE_NULL) {
            rc = table_refuse(t, SQLITE_CONSTRAINT,
                              sqlite3_mprintf("roomcode: %s is set by roomcode, leave it out",
                                              i == COL_CREATED_AT ? "created_at" : "updated_at"));
        }
    }
    int minted = type_of(col[COL_CODE]) == SQLITE_NULL;
    if (rc == SQLITE_OK && !minted) {
        char *msg = 0;
        rc = roomcode_parse_code(col[COL_CODE], code, &msg);
        if (rc != SQLITE_OK)
            rc = table_refuse(t, rc, msg);
    }
    if (rc != SQLITE_OK)
        return rc;

    sqlite3_stmt *stmt = 0;
    rc = roomcode_stmt_take(t->db, &t->stmt[STORE_INSERT], t->sql[STORE_INSERT], &stmt);
    if (rc != SQLITE_OK)
        return table_error(t, rc);
    /* The checked names and the code stay put until the statement is given back, which
     * clears its bindings: they are bound without copies. */
    rc = bind_name(stmt, 2, col[COL_ROOM_ID]);
    if (rc == SQLITE_OK)
        rc = bind_name(stmt, 3, col[COL_ROLE]);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int(stmt, 4, enabled);
    if (rc == SQLITE_OK)
        rc = bind_name(stmt, 5, col[COL_USER_ID]);
    for (int attempt = 0; rc == SQLITE_OK; attempt++) {
        if (minted)
            roomcode_conn_draw(t->conn, code);
        rc = sqlite3_bind_text(stmt, 1, code, ROOMCODE_LEN, SQLITE_STATIC);
        if (rc == SQLITE_OK)
            rc = run_write(stmt);
        /* A minted code that collides is drawn again; a given one is refused. */
        if (rc == SQLITE_CONSTRAINT && minted && attempt + 1 < MINT_ATTEMPTS &&
            is_duplicate_code(sqlite3_extended_errcode(t->db))) {
            sqlite3_reset(stmt);
            rc = SQLITE_OK;
            continue;
        }
        break;
    }
    if (rc != SQLITE_OK)
        rc = refuse_from_store(t, rc, col[COL_ROOM_ID], code);
    roomcode_stmt_give(&t->stmt[STORE_INSERT], stmt);
    return rc;
}

/* Refuses a change of an identity column, naming the code and both values. */
static int refuse_identity(room_codes_table *t, const char *code, const char *what,
                           sqlite3_value *was, sqlite3_value *now) {
    char *a = roomcode_describe(was), *b = roomcode_describe(now);
    int rc = table_refuse(
        t, SQLITE_CONSTRAINT,
        a && b ? sqlite3_mprintf("roomcode: %s of room code '%s' cannot change (from %s to %s);"
                                 " only enabled and user_id can",
                                 what, code, a, b)
               : 0);
    sqlite3_free(a);
    sqlite3_free(b);
    return rc;
}

static int same_value(sqlite3_value *a, sqlite3_value *b) {
    if (sqlite3_value_type(a) != sqlite3_value_type(b))
        return 0;
    int n = sqlite3_value_bytes(a);
    return n == sqlite3_value_bytes(b) &&
           memcmp(sqlite3_value_blob(a), sqlite3_value_blob(b), (size_t)n) == 0;
}

/*
 * Identity columns that the UPDATE names are compared with the stored row; those it does
 * not name arrive as "no change" values and cost nothing.
 */
static int check_identity(room_codes_table *t, const char *code, sqlite3_value **col) {
    static const int fixed[] = {COL_ROOM_ID, COL_ROLE, COL_CREATED_AT, COL_UPDATED_AT};
    static const char *const names[] = {"room_id", "role", "created_at", "updated_at"};
    int named = 0;
    for (int i = 0; i < 4; i++)
        named |= !sqlite3_value_nochange(col[fixed[i]]);
    if (!named)
        return SQLITE_OK;
    sqlite3_stmt *stmt = 0;
    int rc = roomcode_stmt_take(t->db, &t->stmt[STORE_BY_CODE], t->sql[STORE_BY_CODE], &stmt);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(stmt, 1, code, -1, SQLITE_TRANSIENT);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        rc = SQLITE_OK;
        for (int i = 0; i < 4 && rc == SQLITE_OK; i++) {
            sqlite3_value *was = sqlite3_column_value(stmt, fixed[i]);
            if (!sqlite3_value_nochange(col[fixed[i]]) && !same_value(was, col[fixed[i]]))
                rc = refuse_identity(t, code, names[i], was, col[fixed[i]]);
        }
    } else {
        rc = table_error(t, rc == SQLITE_DONE ? SQLITE_ERROR : rc);
    }
    roomcode_stmt_give(&t->stmt[STORE_BY_CODE], stmt);
    return rc;
}

/* UPDATE: only enabled and user_id may change. */
static int table_change(room_codes_table *t, sqlite3_value *old_code, sqlite3_value **col) {
    const char *code = (const char *)sqlite3_value_text(old_code);
    if (!code)
        return SQLITE_NOMEM;
    if (!same_value(old_code, col[COL_CODE]))
        return refuse_identity(t, code, "code", old_code, col[COL_CODE]);
    int rc = check_identity(t, code, col);
    int set_enabled = !sqlite3_value_nochange(col[COL_ENABLED]);
    int set_user = !sqlite3_value_nochange(col[COL_USER_ID]);
    int enabled = 0;
    if (rc == SQLITE_OK && set_enabled)
        rc = check_enabled(t, col[COL_ENABLED], &enabled);
    if (rc == SQLITE_OK && set_user)
        rc = check_name(t, "user_id", col[COL_USER_ID], 1);
    if (rc != SQLITE_OK || (!set_enabled && !set_user))
        return rc;
    sqlite3_stmt *stmt = 0;
    rc = roomcode_stmt_take(t->db, &t->stmt[STORE_UPDATE], t->sql[STORE_UPDATE], &stmt);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_value(stmt, 1, old_code);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int(stmt, 2, enabled);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int(stmt, 3, set_enabled);
    if (rc == SQLITE_OK && set_user)
        rc = sqlite3_bind_value(stmt, 4, col[COL_USER_ID]);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int(stmt, 5, set_user);
    if (rc == SQLITE_OK)
        rc = run_write(stmt);
    if (rc != SQLITE_OK)
        rc = table_error(t, rc);
    roomcode_stmt_give(&t->stmt[STORE_UPDATE], stmt);
    return rc;
}

static int table_delete(room_codes_table *t, sqlite3_value *code) {
    sqlite3_stmt *stmt = 0;
    int rc = roomcode_stmt_take(t->db, &t->stmt[STORE_DELETE], t->sql[STORE_DELETE], &stmt);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_value(stmt, 1, code);
    if (rc == SQLITE_OK)
        rc = run_write(stmt);
    if (rc != SQLITE_OK)
        rc = table_error(t, rc);
    roomcode_stmt_give(&t->stmt[STORE_DELETE], stmt);
    return rc;
}

static int table_update(sqlite3_vtab *vtab, int argc, sqlite3_value **argv, sqlite3_int64 *rowid) {
    (void)rowid;
    room_codes_table *t = (room_codes_table *)vtab;
    if (argc == 1)
        return table_delete(t, argv[0]);
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        char code[ROOMCODE_LEN + 1];
        return table_insert(t, argv + 2, code);
    }
    return table_change(t, argv[0], argv + 2);
}

static sqlite3_module room_codes_module = {
    .iVersion = 3,
    .xCreate = table_create,
    .xConnect = table_connect,
    .xBestIndex = table_best_index,
    .xDisconnect = table_disconnect,
    .xDestroy = table_destroy,
    .xOpen = table_open,
    .xClose = table_close,
    .xFilter = table_filter,
    .xNext = table_next,
    .xEof = table_eof,
    .xColumn = table_column,
    .xRowid = table_rowid,
    .xUpdate = table_update,
    .xRename = table_rename,
};

int room_codes_find(roomcode_conn *conn, room_codes_table **out, char **err) {
    *err = 0;
    if (!conn->resolved) {
        /* Planning a statement on "room_codes" calls xBestIndex of the very table SQLite
         * resolves the name to, which records itself while conn->resolving is set. */
        sqlite3_stmt *stmt = 0;
        conn->resolving = 1;
        int rc = sqlite3_prepare_v2(conn->db, "SELECT 1 FROM room_codes", -1, &stmt, 0);
        conn->resolving = 0;
        sqlite3_finalize(stmt);
        if (rc == SQLITE_NOMEM)
            return rc;
        if (rc != SQLITE_OK && strstr(sqlite3_errmsg(conn->db), "no such table")) {
            *err = sqlite3_mprintf("roomcode: no room_codes table here:"
                                   " CREATE VIRTUAL TABLE room_codes USING roomcode");
            return *err ? SQLITE_ERROR : SQLITE_NOMEM;
        }
        if (rc != SQLITE_OK) {
            *err = sqlite3_mprintf("%s", sqlite3_errmsg(conn->db));
            return *err ? rc : SQLITE_NOMEM;
        }
        if (!conn->resolved) {
            *err = sqlite3_mprintf("roomcode: room_codes is not a roomcode virtual table");
            return *err ? SQLITE_ERROR : SQLITE_NOMEM;
        }
    }
    *out = conn->resolved;
    return SQLITE_OK;
}

/* The message of t's last failure, moved to the caller. */
static char *room_codes_take_error(room_codes_table *t) {
    char *msg = t->base.zErrMsg;
    t->base.zErrMsg = 0;
    return msg;
}

int room_codes_insert(room_codes_table *t, const roomcode_row *row, char code_out[ROOMCODE_LEN + 1],
                      char **err) {
    int rc = table_insert(t, row->col, code_out);
    *err = rc == SQLITE_OK ? 0 : room_codes_take_error(t);
    return rc;
}

int room_codes_take(room_codes_table *t, enum roomcode_store_stmt which, sqlite3_stmt **out) {
    return roomcode_stmt_take(t->db, &t->stmt[which], t->sql[which], out);
}

void room_codes_give(room_codes_table *t, enum roomcode_store_stmt which, sqlite3_stmt *stmt) {
    roomcode_stmt_give(&t->stmt[which], stmt);
}

int roomcode_register_table(sqlite3 *db, roomcode_conn *conn) {
    conn->refs++;
    return sqlite3_create_module_v2(db, "roomcode", &room_codes_module, conn, roomcode_conn_unref);
}
