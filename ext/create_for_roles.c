/*
 * roomcode_create(room_id, roles): the "create room codes for every role at once" call, as
 * an eponymous table-valued function. It syncs a room with a list of roles: each listed
 * role without a shared (unbound) enabled code gets one, enabled codes of unlisted roles
 * are disabled, and the room's enabled codes come back as rows. Running it twice changes
 * nothing the second time, so migrations may call it freely.
 *
 * Its writes go to the store of the room_codes table inside one savepoint, so a failure
 * part way (the cap, a busy database) leaves the room as it was.
 */
#include <string.h>

#include "copied_rows.h"
#include "room_codes_table.h"
#include "template_roles.h"

enum { ARG_ROOM_ID = COPIED_COLUMNS, ARG_ROLES };

static const char roles_sql[] = "SELECT value, type FROM json_each("
                                "CASE WHEN json_valid(?1) AND json_type(?1) = 'array' THEN ?1 END)";

typedef struct create_table {
    sqlite3_vtab base;
    sqlite3 *db;
    roomcode_conn *conn;       /* a reference */
    sqlite3_stmt *roles_check; /* idle; finalized at disconnect */
} create_table;

/*
 * The room's enabled codes, read in full once the sync is done: at most the cap, and a
 * statement that writes codes while it reads them (SELECT roomcode_new(...) FROM
 * roomcode_create(...)) sees them as they were.
 */
typedef struct create_cursor {
    sqlite3_vtab_cursor base;
    copied_rows rows;
    int at;
} create_cursor;

static int create_connect(sqlite3 *db, void *aux, int argc, const char *const *argv,
                          sqlite3_vtab **out, char **err) {
    (void)argc;
    (void)argv;
    (void)err;
    int rc = sqlite3_declare_vtab(db, "CREATE TABLE x(code, room_id, role, enabled, user_id,"
                                      " created_at, updated_at, arg_room_id HIDDEN,"
                                      " arg_roles HIDDEN)");
    if (rc != SQLITE_OK)
        return rc;
    /* It writes: no trigger or view may run it. */
    sqlite3_vtab_config(db, SQLITE_VTAB_DIRECTONLY);
    create_table *t = sqlite3_malloc64(sizeof(*t));
    if (!t)
        return SQLITE_NOMEM;
    memset(t, 0, sizeof(*t));
    t->db = db;
    t->conn = aux;
    roomcode_conn_ref(t->conn);
    *out = &t->base;
    return SQLITE_OK;
}

static int create_disconnect(sqlite3_vtab *vtab) {
    create_table *t = (create_table *)vtab;
    roomcode_stmt_clear(&t->roles_check);
    roomcode_conn_unref(t->conn);
    sqlite3_free(t);
    return SQLITE_OK;
}

static int create_best_index(sqlite3_vtab *vtab, sqlite3_index_info *info) {
    int seen[2] = {-1, -1}, usable[2] = {0, 0};
    for (int i = 0; i < info->nConstraint; i++) {
        const struct sqlite3_index_constraint *c = &info->aConstraint[i];
        if (c->op != SQLITE_INDEX_CONSTRAINT_EQ || c->iColumn < ARG_ROOM_ID)
            continue;
        int a = c->iColumn - ARG_ROOM_ID;
        if (c->usable || seen[a] < 0) {
            seen[a] = i;
            usable[a] = c->usable;
        }
    }
    if (seen[0] < 0) {
        return roomcode_vtab_error(
            vtab, SQLITE_ERROR,
            sqlite3_mprintf("roomcode: roomcode_create takes (room_id, roles)"));
    }
    /* roles left out: those of the room's template (idxNum 1, template_roles.c) */
    info->idxNum = seen[1] < 0;
    if (!usable[0] || (seen[1] >= 0 && !usable[1]))
        return SQLITE_CONSTRAINT;
    for (int a = 0; a < 2 - info->idxNum; a++) {
        info->aConstraintUsage[seen[a]].argvIndex = a + 1;
        info->aConstraintUsage[seen[a]].omit = 1;
    }
    info->estimatedCost = 100;
    info->estimatedRows = 10;
    return SQLITE_OK;
}

static int create_open(sqlite3_vtab *vtab, sqlite3_vtab_cursor **out) {
    (void)vtab;
    create_cursor *c = sqlite3_malloc64(sizeof(*c));
    if (!c)
        return SQLITE_NOMEM;
    memset(c, 0, sizeof(*c));
    *out = &c->base;
    return SQLITE_OK;
}

static void cursor_reset(create_cursor *c) {
    copied_rows_clear(&c->rows);
    c->at = 0;
}

static int create_close(sqlite3_vtab_cursor *cur) {
    cursor_reset((create_cursor *)cur);
    sqlite3_free(cur);
    return SQLITE_OK;
}

/* Refuses roles that are not a non-empty JSON array of valid role names. */
static int check_roles(create_table *t, sqlite3_value *roles) {
    sqlite3_stmt *stmt = 0;
    int rc = roomcode_stmt_take(t->db, &t->roles_check, roles_sql, &stmt);
    if (rc != SQLITE_OK)
        return roomcode_vtab_db_error(&t->base, t->db, rc);
    int count = 0;
    if (sqlite3_value_type(roles) == SQLITE_TEXT)
        rc = sqlite3_bind_value(stmt, 1, roles);
    while (rc == SQLITE_OK && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        rc = SQLITE_OK;
        count++;
        sqlite3_value *role = sqlite3_column_value(stmt, 0);
        if (strcmp((const char *)sqlite3_column_text(stmt, 1), "text") != 0) {
            rc = roomcode_vtab_error(
                &t->base, SQLITE_CONSTRAINT,
                roomcode_message_with(role,
                                      "roomcode: roles must hold role names (strings), not "));
        } else {
            char *msg = 0;
            rc = roomcode_check_name("role", role, 0, &msg);
            if (rc != SQLITE_OK)
                rc = roomcode_vtab_error(&t->base, rc, msg);
        }
    }
    if (rc == SQLITE_DONE && count == 0) {
        rc = roomcode_vtab_error(&t->base, SQLITE_CONSTRAINT,
                                 roomcode_message_with(roles,
                                                       "roomcode: roles must be a non-empty JSON"
                                                       " array of role names, not "));
    } else if (rc == SQLITE_DONE) {
        rc = SQLITE_OK;
    } else if (rc != SQLITE_CONSTRAINT) {
        rc = roomcode_vtab_db_error(&t->base, t->db, rc);
    }
    roomcode_stmt_give(&t->roles_check, stmt);
    return rc;
}

/* Binds (room_id, roles) to a statement taken from the store of codes. */
static int take_with_args(create_table *t, room_codes_table *codes, enum roomcode_store_stmt which,
                          sqlite3_value **args, sqlite3_stmt **out) {
    int rc = room_codes_take(codes, which, out);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_value(*out, 1, args[0]);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_value(*out, 2, args[1]);
    return rc == SQLITE_OK ? rc : roomcode_vtab_db_error(&t->base, t->db, rc);
}

static int disable_unlisted(create_table *t, room_codes_table *codes, sqlite3_value **args) {
    sqlite3_stmt *stmt = 0;
    int rc = take_with_args(t, codes, STORE_DISABLE_UNLISTED, args, &stmt);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(stmt);
        rc = rc == SQLITE_DONE ? SQLITE_OK : roomcode_vtab_db_error(&t->base, t->db, rc);
    }
    room_codes_give(codes, STORE_DISABLE_UNLISTED, stmt);
    return rc;
}

/* The codes a sync minted, so that a sync that fails later can take them back. */
typedef struct minted_codes {
    int n;
    char code[ROOMCODE_MAX_PER_ROOM + 1][ROOMCODE_LEN + 1];
} minted_codes;

/*
 * Mints a code for each listed role that lacks a shared enabled code. The roles are read
 * first, since writing the store while a statement reads it has no defined result; more
 * than the cap never fit, so no more are read.
 */
static int mint_lacking(create_table *t, room_codes_table *codes, sqlite3_value **args,
                        minted_codes *minted) {
    sqlite3_value *roles[ROOMCODE_MAX_PER_ROOM + 1];
    int n = 0;
    sqlite3_stmt *stmt = 0;
    int rc = take_with_args(t, codes, STORE_ROLES_LACKING, args, &stmt);
    while (rc == SQLITE_OK && n <= ROOMCODE_MAX_PER_ROOM &&
           (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        roles[n] = sqlite3_value_dup(sqlite3_column_value(stmt, 0));
        rc = roles[n++] ? SQLITE_OK : SQLITE_NOMEM;
    }
    if (rc == SQLITE_DONE)
        rc = SQLITE_OK;
    else if (rc != SQLITE_OK && rc != SQLITE_NOMEM)
        rc = roomcode_vtab_db_error(&t->base, t->db, rc);
    room_codes_give(codes, STORE_ROLES_LACKING, stmt);
    for (int i = 0; i < n; i++) {
        if (rc == SQLITE_OK) {
            roomcode_row row = {{0}};
            row.col[COL_ROOM_ID] = args[0];
            row.col[COL_ROLE] = roles[i];
            char *err = 0;
            rc = room_codes_insert(codes, &row, minted->code[minted->n], &err);
            if (rc == SQLITE_OK)
                minted->n++;
            else
                rc = roomcode_vtab_error(&t->base, rc, err);
        }
        sqlite3_value_free(roles[i]);
    }
    return rc;
}

/* Deletes the codes a failed sync minted. */
static int delete_minted(room_codes_table *codes, const minted_codes *minted) {
    sqlite3_stmt *stmt = 0;
    int rc = room_codes_take(codes, STORE_DELETE, &stmt);
    for (int i = 0; i < minted->n && rc == SQLITE_OK; i++) {
        rc = sqlite3_bind_text(stmt, 1, minted->code[i], ROOMCODE_LEN, SQLITE_STATIC);
        if (rc == SQLITE_OK) {
            int step = sqlite3_step(stmt);
            rc = step == SQLITE_DONE ? SQLITE_OK : step;
        }
        sqlite3_reset(stmt);
    }
    room_codes_give(codes, STORE_DELETE, stmt);
    return rc;
}

/*
 * The writes of a sync, so that a refusal part way (the cap) leaves the room as it was:
 * the lacking codes are minted first, then the unlisted roles' codes are disabled in one
 * statement, all inside a savepoint. Inside a statement that itself writes, SQLite refuses
 * the savepoint, and that statement need not undo these writes (INSERT INTO t SELECT ...
 * FROM roomcode_create(...) has no statement journal; inside BEGIN its failure rolls back
 * nothing): there the minted codes are deleted again instead. If undoing fails, out of
 * memory is reported, on which SQLite rolls back the transaction.
 *
 * In autocommit the savepoint is the transaction, and releasing it commits, which can fail
 * (SQLITE_BUSY while another connection reads, in rollback-journal mode): then the whole
 * transaction is rolled back, so that no error leaves it open.
 */
static int sync_room(create_table *t, room_codes_table *codes, sqlite3_value **args) {
    minted_codes minted;
    minted.n = 0;
    int began = sqlite3_get_autocommit(t->db);
    int in_savepoint = sqlite3_exec(t->db, "SAVEPOINT roomcode_create", 0, 0, 0) == SQLITE_OK;
    int rc = mint_lacking(t, codes, args, &minted);
    if (rc == SQLITE_OK)
        rc = disable_unlisted(t, codes, args);
    if (rc != SQLITE_OK && !in_savepoint && minted.n > 0 &&
        delete_minted(codes, &minted) != SQLITE_OK)
        rc = SQLITE_NOMEM;
    if (!in_savepoint)
        return rc;
    /* Releasing would commit what could not be rolled back: leave that to SQLite. */
    if (rc != SQLITE_OK && sqlite3_exec(t->db, "ROLLBACK TO roomcode_create", 0, 0, 0) != SQLITE_OK)
        return SQLITE_NOMEM;
    int released = sqlite3_exec(t->db, "RELEASE roomcode_create", 0, 0, 0);
    if (released != SQLITE_OK) {
        if (rc == SQLITE_OK)
            rc = roomcode_vtab_db_error(&t->base, t->db, released);
        if (began && !sqlite3_get_autocommit(t->db))
            sqlite3_exec(t->db, "ROLLBACK", 0, 0, 0);
    }
    return rc;
}

/* Reads the room's enabled codes into the cursor, in the roles' order. */
static int read_enabled(create_table *t, create_cursor *c, room_codes_table *codes,
                        sqlite3_value **args) {
    sqlite3_stmt *stmt = 0;
    int rc = take_with_args(t, codes, STORE_LIST_ENABLED, args, &stmt);
    while (rc == SQLITE_OK && (rc = sqlite3_step(stmt)) == SQLITE_ROW)
        rc = copied_rows_append(&c->rows, stmt, STORE_ALL_COLUMNS);
    if (rc == SQLITE_DONE)
        rc = SQLITE_OK;
    else if (rc != SQLITE_OK && rc != SQLITE_NOMEM)
        rc = roomcode_vtab_db_error(&t->base, t->db, rc);
    room_codes_give(codes, STORE_LIST_ENABLED, stmt);
    return rc;
}

/* The sync of create_filter on the table found, and its result rows. */
typedef struct sync_request {
    create_table *t;
    create_cursor *c;
    sqlite3_value **args;
} sync_request;

static int sync_and_read(room_codes_table *codes, void *arg, char **msg) {
    (void)msg; /* messages go to the table-valued function's own */
    sync_request *r = arg;
    cursor_reset(r->c);
    sqlite3_stmt *template = 0;
    sqlite3_value *args[2] = {r->args[0], r->args[1]};
    char *err = 0;
    int rc = args[1] ? SQLITE_OK : roomcode_template_roles(codes, args[0], &template, &err);
    if (rc == SQLITE_OK && !args[1])
        args[1] = sqlite3_column_value(template, 0);
    if (rc == SQLITE_OK)
        rc = sync_room(r->t, codes, args);
    if (rc == SQLITE_OK)
        rc = read_enabled(r->t, r->c, codes, args);
    else if (err)
        rc = roomcode_vtab_error(&r->t->base, rc, err);
    sqlite3_finalize(template);
    return rc;
}

static int create_filter(sqlite3_vtab_cursor *cur, int idx, const char *idx_str, int argc,
                         sqlite3_value **argv) {
    (void)idx_str;
    (void)argc;
    create_cursor *c = (create_cursor *)cur;
    create_table *t = (create_table *)cur->pVtab;
    cursor_reset(c);
    char *msg = 0;
    int rc = roomcode_check_name("room_id", argv[0], 0, &msg);
    if (rc == SQLITE_OK && idx == 0)
        rc = check_roles(t, argv[1]);
    sqlite3_value *args[2] = {argv[0], idx == 0 ? argv[1] : 0};
    if (rc == SQLITE_OK) {
        sync_request r = {t, c, args};
        rc = room_codes_with_table(t->conn, sync_and_read, &r, &msg);
    }
    if (msg)
        rc = roomcode_vtab_error(&t->base, rc, msg);
    if (rc != SQLITE_OK)
        cursor_reset(c);
    /* a refusal of the call is SQLITE_ERROR, as every function's */
    return rc == SQLITE_CONSTRAINT ? SQLITE_ERROR : rc;
}

static int create_next(sqlite3_vtab_cursor *cur) {
    ((create_cursor *)cur)->at++;
    return SQLITE_OK;
}

static int create_eof(sqlite3_vtab_cursor *cur) {
    create_cursor *c = (create_cursor *)cur;
    return c->at >= c->rows.n;
}

static int create_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col) {
    create_cursor *c = (create_cursor *)cur;
    if (col < ARG_ROOM_ID)
        sqlite3_result_value(ctx, copied_rows_at(&c->rows, c->at, col));
    return SQLITE_OK;
}

static int create_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid) {
    (void)cur;
    *rowid = 0;
    return SQLITE_OK;
}

static sqlite3_module create_module = {
    .iVersion = 1,
    .xConnect = create_connect, /* no xCreate: eponymous only */
    .xBestIndex = create_best_index,
    .xDisconnect = create_disconnect,
    .xDestroy = create_disconnect,
    .xOpen = create_open,
    .xClose = create_close,
    .xFilter = create_filter,
    .xNext = create_next,
    .xEof = create_eof,
    .xColumn = create_column,
    .xRowid = create_rowid,
};

int roomcode_register_create(sqlite3 *db, roomcode_conn *conn) {
    /* SQLite calls the destructor also when registering fails. */
    roomcode_conn_ref(conn);
    return sqlite3_create_module_v2(db, "roomcode_create", &create_module, conn,
                                    roomcode_conn_module_gone);
}
