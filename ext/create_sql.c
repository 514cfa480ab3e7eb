/*
 * roomcode_create(room_id, roles): the "create room codes for every role at once" call, as
 * an eponymous table-valued function. It syncs a room with a list of roles: each listed
 * role without a shared (unbound) enabled code gets one, enabled codes of unlisted roles
 * are disabled, and the room's enabled codes come back as rows. Running it twice changes
 * nothing the second time, so migrations may call it freely.
 *
 * Its writes go to the store of the room_codes table all or nothing (atomic_writes.c), so
 * a failure part way (the cap, a busy database, an interrupt) leaves the room as it was.
 */
#include <string.h>

#include "atomic_writes.h"
#include "copied_rows.h"
#include "registration.h"
#include "roles_check.h"
#include "room_codes_table.h"
#include "table_resolution.h"
#include "template_roles.h"

enum { ARG_ROOM_ID = ROOMCODE_COPIED_COLUMNS, ARG_ROLES };

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
    roomcode_copied_rows rows;
    /* Each text value once more, made before the writes commit and handed to SQLite as it
     * is the first time a column is read: so reading a row allocates nothing once the
     * codes are stored (an allocation failing then would hide them). */
    char **texts; /* rows.n * ROOMCODE_COPIED_COLUMNS, NULL where handed out or not text */
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
    *t = (create_table){.db = db, .conn = roomcode_conn_ref(aux)};
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
    for (int i = 0; c->texts && i < c->rows.n * ROOMCODE_COPIED_COLUMNS; i++)
        sqlite3_free(c->texts[i]);
    sqlite3_free(c->texts);
    c->texts = 0;
    roomcode_copied_rows_clear(&c->rows);
    c->at = 0;
}

/* Makes the texts handed out first (see create_cursor). */
static int copy_texts(create_cursor *c) {
    size_t n = (size_t)c->rows.n * ROOMCODE_COPIED_COLUMNS;
    c->texts = sqlite3_malloc64(n * sizeof(*c->texts) + 1);
    if (!c->texts)
        return SQLITE_NOMEM;
    memset(c->texts, 0, n * sizeof(*c->texts));
    for (size_t i = 0; i < n; i++) {
        sqlite3_value *v = roomcode_copied_rows_at(&c->rows, (int)(i / ROOMCODE_COPIED_COLUMNS),
                                                   (int)(i % ROOMCODE_COPIED_COLUMNS));
        if (v && sqlite3_value_type(v) == SQLITE_TEXT) {
            c->texts[i] = sqlite3_mprintf("%s", (const char *)sqlite3_value_text(v));
            if (!c->texts[i])
                return SQLITE_NOMEM;
        }
    }
    return SQLITE_OK;
}

static int create_close(sqlite3_vtab_cursor *cur) {
    cursor_reset((create_cursor *)cur);
    sqlite3_free(cur);
    return SQLITE_OK;
}

/* Refuses roles that are not a non-empty JSON array of valid role names. */
static int check_roles(create_table *t, sqlite3_value *roles) {
    char *msg = 0;
    int rc = roomcode_check_roles(t->db, &t->roles_check, roles, &msg);
    return rc == SQLITE_OK || rc == SQLITE_NOMEM ? rc : roomcode_vtab_error(&t->base, rc, msg);
}

/* Binds (room_id, roles) to a statement taken from the store of codes. */
static int take_with_args(create_table *t, roomcode_table *codes, enum roomcode_store_stmt which,
                          sqlite3_value **args, sqlite3_stmt **out) {
    int rc = roomcode_table_take(codes, which, out);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_value(*out, 1, args[0]);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_value(*out, 2, args[1]);
    return rc == SQLITE_OK ? rc : roomcode_vtab_db_error(&t->base, t->db, rc);
}

/* The codes a sync minted, and the rows it disabled as they were, so that a sync that
 * fails later can take them back. */
typedef struct minted_codes {
    int n;
    char code[ROOMCODE_MAX_PER_ROOM + 1][ROOMCODE_LEN + 1];
    roomcode_copied_rows unlisted; /* the enabled codes of roles not listed */
    int n_disabled;                /* the first n_disabled of them */
} minted_codes;

/* Disables the enabled codes of the roles not listed, read in full first (at most the cap
 * of the room), since writing the store while a statement reads it has no defined result. */
static int disable_unlisted(create_table *t, roomcode_table *codes, sqlite3_value **args,
                            minted_codes *done) {
    sqlite3_stmt *stmt = 0;
    int rc = take_with_args(t, codes, ROOMCODE_STORE_UNLISTED, args, &stmt);
    while (rc == SQLITE_OK && (rc = sqlite3_step(stmt)) == SQLITE_ROW)
        rc = roomcode_copied_rows_append(&done->unlisted, stmt, ROOMCODE_STORE_ALL_COLUMNS);
    roomcode_table_give(codes, ROOMCODE_STORE_UNLISTED, stmt);
    if (rc == SQLITE_DONE)
        rc = SQLITE_OK;
    for (int i = 0; i < done->unlisted.n && rc == SQLITE_OK; i++) {
        rc = roomcode_table_disable(codes, &done->unlisted, i);
        done->n_disabled += rc == SQLITE_OK;
    }
    return rc == SQLITE_OK || rc == SQLITE_NOMEM ? rc : roomcode_vtab_db_error(&t->base, t->db, rc);
}

/*
 * Mints a code for each listed role that lacks a shared enabled code. The roles are read
 * first, since writing the store while a statement reads it has no defined result; more
 * than the cap never fit, so no more are read.
 */
static int mint_lacking(create_table *t, roomcode_table *codes, sqlite3_value **args,
                        minted_codes *minted) {
    sqlite3_value *roles[ROOMCODE_MAX_PER_ROOM + 1];
    int n = 0;
    sqlite3_stmt *stmt = 0;
    int rc = take_with_args(t, codes, ROOMCODE_STORE_ROLES_LACKING, args, &stmt);
    while (rc == SQLITE_OK && n <= ROOMCODE_MAX_PER_ROOM &&
           (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        roles[n] = sqlite3_value_dup(sqlite3_column_value(stmt, 0));
        rc = roles[n++] ? SQLITE_OK : SQLITE_NOMEM;
    }
    if (rc == SQLITE_DONE)
        rc = SQLITE_OK;
    else if (rc != SQLITE_OK && rc != SQLITE_NOMEM)
        rc = roomcode_vtab_db_error(&t->base, t->db, rc);
    roomcode_table_give(codes, ROOMCODE_STORE_ROLES_LACKING, stmt);
    for (int i = 0; i < n; i++) {
        if (rc == SQLITE_OK) {
            roomcode_row row = {{0}};
            row.col[ROOMCODE_COL_ROOM_ID] = args[0];
            row.col[ROOMCODE_COL_ROLE] = roles[i];
            char *err = 0;
            rc = roomcode_table_insert(codes, &row, minted->code[minted->n], &err);
            if (rc == SQLITE_OK)
                minted->n++;
            else
                rc = roomcode_vtab_error(&t->base, rc, err);
        }
        sqlite3_value_free(roles[i]);
    }
    return rc;
}

/* Enables the codes a failed sync disabled again, as they were, and deletes those it
 * minted. */
static int delete_minted(roomcode_table *codes, const minted_codes *minted) {
    int rc = SQLITE_OK;
    for (int i = minted->n_disabled - 1; i >= 0 && rc == SQLITE_OK; i--)
        rc = roomcode_table_restore(codes, &minted->unlisted, i);
    sqlite3_stmt *stmt = 0;
    if (rc == SQLITE_OK)
        rc = roomcode_table_take(codes, ROOMCODE_STORE_DELETE, &stmt);
    for (int i = 0; i < minted->n && rc == SQLITE_OK; i++) {
        rc = sqlite3_bind_text(stmt, 1, minted->code[i], ROOMCODE_LEN, SQLITE_STATIC);
        if (rc == SQLITE_OK)
            rc = roomcode_table_step_write(stmt);
        sqlite3_reset(stmt);
    }
    roomcode_table_give(codes, ROOMCODE_STORE_DELETE, stmt);
    return rc;
}

/* Reads the room's enabled codes into the cursor, in the roles' order. */
static int read_enabled(create_table *t, create_cursor *c, roomcode_table *codes,
                        sqlite3_value **args) {
    sqlite3_stmt *stmt = 0;
    int rc = take_with_args(t, codes, ROOMCODE_STORE_LIST_ENABLED, args, &stmt);
    while (rc == SQLITE_OK && (rc = sqlite3_step(stmt)) == SQLITE_ROW)
        rc = roomcode_copied_rows_append(&c->rows, stmt, ROOMCODE_STORE_ALL_COLUMNS);
    if (rc == SQLITE_DONE)
        rc = copy_texts(c);
    else if (rc != SQLITE_OK && rc != SQLITE_NOMEM)
        rc = roomcode_vtab_db_error(&t->base, t->db, rc);
    roomcode_table_give(codes, ROOMCODE_STORE_LIST_ENABLED, stmt);
    return rc;
}

/* The sync of create_filter on the table found, and its result rows. */
typedef struct sync_request {
    create_table *t;
    create_cursor *c;
    sqlite3_value **args;
    minted_codes minted;
} sync_request;

/*
 * The writes of a sync: the lacking codes are minted first, then the unlisted roles' codes
 * are disabled one by one (each kept for the statement's cursors), and the room's enabled
 * codes are read into the cursor before the writes are committed, so that nothing can fail
 * once they are (an error then would hide codes that exist). atomic_writes.c makes them
 * all or nothing.
 */
static int sync_writes(roomcode_table *codes, void *arg, char **msg) {
    (void)msg; /* messages go to the table-valued function's own */
    sync_request *r = arg;
    cursor_reset(r->c);
    int rc = mint_lacking(r->t, codes, r->args, &r->minted);
    if (rc == SQLITE_OK)
        rc = disable_unlisted(r->t, codes, r->args, &r->minted);
    if (rc == SQLITE_OK)
        rc = read_enabled(r->t, r->c, codes, r->args);
    return rc;
}

/* Inside a statement that itself writes, the undo by hand: the disabled codes are enabled
 * again as they were and the minted codes go. SQLite's own rollback of the caller's
 * statement can not be relied on for this: a statement that fails with an ordinary error
 * and has no statement journal keeps the writes made beside it. */
static int unmint(roomcode_table *codes, void *arg) {
    sync_request *r = arg;
    return delete_minted(codes, &r->minted);
}

/*
 * The roles left out (args[1] NULL) are those of the room's template, copied before the
 * writes begin: a statement still stepping would keep them from their savepoint.
 */
static int template_roles(create_table *t, roomcode_table *codes, sqlite3_value *room,
                          sqlite3_value **roles) {
    sqlite3_stmt *stmt = 0;
    char *err = 0;
    int rc = roomcode_template_roles(codes, room, &stmt, &err);
    if (rc == SQLITE_OK && !(*roles = sqlite3_value_dup(sqlite3_column_value(stmt, 0))))
        rc = SQLITE_NOMEM;
    sqlite3_finalize(stmt);
    if (err)
        rc = roomcode_vtab_error(&t->base, rc, err);
    return rc;
}

static int sync_and_read(roomcode_table *codes, void *arg, char **msg) {
    sync_request *r = arg;
    r->minted.n = r->minted.n_disabled = 0;
    sqlite3_value **given = r->args, *template = 0;
    sqlite3_value *args[2] = {given[0], given[1]};
    int rc = args[1] ? SQLITE_OK : template_roles(r->t, codes, args[0], &template);
    if (rc == SQLITE_OK && template) {
        args[1] = template;
        r->args = args;
    }
    if (rc == SQLITE_OK)
        rc = roomcode_atomic_writes(codes, sync_writes, unmint, r, msg);
    r->args = given;
    sqlite3_value_free(template);
    roomcode_copied_rows_clear(&r->minted.unlisted);
    if (rc != SQLITE_OK) {
        cursor_reset(r->c);
        /* the writes' own message first; else the atomic writes' (busy, interrupted) */
        if (*msg && !r->t->base.zErrMsg)
            rc = roomcode_vtab_error(&r->t->base, rc, *msg);
        else
            sqlite3_free(*msg);
        *msg = 0;
    }
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
        sync_request r = {t, c, args, {0, {{0}}, {0, 0}, 0}};
        rc = roomcode_with_table(t->conn, sync_and_read, &r, &msg);
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
    if (col >= ARG_ROOM_ID)
        return SQLITE_OK;
    char **text = &c->texts[c->at * ROOMCODE_COPIED_COLUMNS + col];
    sqlite3_value *v = roomcode_copied_rows_at(&c->rows, c->at, col);
    if (*text) {
        /* stored names and codes hold no NUL: -1 lets SQLite know the text ends there */
        sqlite3_result_text(ctx, *text, -1, sqlite3_free);
        *text = 0;
    } else if (sqlite3_value_type(v) == SQLITE_INTEGER) {
        sqlite3_result_int64(ctx, sqlite3_value_int64(v));
    } else if (sqlite3_value_type(v) == SQLITE_TEXT) {
        sqlite3_result_text(ctx, (const char *)sqlite3_value_text(v), sqlite3_value_bytes(v),
                            SQLITE_TRANSIENT);
    }
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
    ROOMCODE_CURSOR_METHODS(create),
};

int roomcode_register_create(sqlite3 *db, roomcode_conn *conn) {
    return roomcode_conn_register_module(db, "roomcode_create", &create_module, conn);
}
