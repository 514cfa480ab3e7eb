/*
 * The scalar SQL functions. Flags are chosen per function: the pure ones are
 * DETERMINISTIC|INNOCUOUS so they may serve in CHECK constraints and indexes; those that
 * write or run SQL are DIRECTONLY, so no schema or view can make them run.
 */
#include <string.h>

#include "room_codes_table.h"

/* What roomcode_new inserts, and where the code goes. */
typedef struct new_code {
    roomcode_row row;
    char *code;
} new_code;

static int insert_code(room_codes_table *t, void *arg, char **msg) {
    new_code *n = arg;
    return room_codes_insert(t, &n->row, n->code, msg);
}

/* roomcode_new(room_id, role [, user_id]): mints and stores a code in room_codes. */
static void fn_new(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
    new_code n = {{{0}}, 0};
    n.row.col[COL_ROOM_ID] = argv[0];
    n.row.col[COL_ROLE] = argv[1];
    n.row.col[COL_USER_ID] = argc > 2 ? argv[2] : 0;
    /* The result's memory comes first: once the code is stored, handing it back must not
     * fail, or the caller would lose an enabled code. */
    n.code = sqlite3_malloc64(ROOMCODE_LEN + 1);
    char *err = 0;
    int rc = n.code ? room_codes_with_table(sqlite3_user_data(ctx), insert_code, &n, &err)
                    : SQLITE_NOMEM;
    if (rc == SQLITE_OK) {
        sqlite3_result_text(ctx, n.code, ROOMCODE_LEN, sqlite3_free);
    } else {
        sqlite3_free(n.code);
        roomcode_fn_error(ctx, rc, err);
    }
}

/* roomcode_generate(): a fresh random code, stored nowhere. */
static void fn_generate(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
    (void)argc;
    (void)argv;
    char code[ROOMCODE_LEN + 1];
    roomcode_conn_draw(sqlite3_user_data(ctx), code);
    sqlite3_result_text(ctx, code, ROOMCODE_LEN, SQLITE_TRANSIENT);
}

/* roomcode_valid(x): 1 when x is canonical stored-form code text, else 0 (NULL too). */
static void fn_valid(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
    (void)argc;
    int valid = 0;
    if (sqlite3_value_type(argv[0]) == SQLITE_TEXT) {
        const char *s = (const char *)sqlite3_value_text(argv[0]);
        valid = s && roomcode_is_canonical(s, (size_t)sqlite3_value_bytes(argv[0]));
    }
    sqlite3_result_int(ctx, valid);
}

/* roomcode_normalize(x): the canonical code found in typed or pasted text, or NULL. */
static void fn_normalize(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
    (void)argc;
    if (sqlite3_value_type(argv[0]) != SQLITE_TEXT)
        return;
    const char *s = (const char *)sqlite3_value_text(argv[0]);
    char code[ROOMCODE_LEN + 1];
    if (!s) {
        sqlite3_result_error_nomem(ctx);
        return;
    }
    if (roomcode_normalize_text(s, (size_t)sqlite3_value_bytes(argv[0]), code))
        sqlite3_result_text(ctx, code, ROOMCODE_LEN, SQLITE_TRANSIENT);
}

static void fn_version(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
    (void)argc;
    (void)argv;
    sqlite3_result_text(ctx, ROOMCODE_VERSION, -1, SQLITE_STATIC);
}

#define PURE (SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS)
#define DIRECT (SQLITE_UTF8 | SQLITE_DIRECTONLY) /* writes or runs SQL */

static const struct {
    const char *name;
    int n_arg;
    int flags;
    void (*fn)(sqlite3_context *, int, sqlite3_value **);
} functions[] = {
    {"roomcode_new", 2, DIRECT, fn_new},
    {"roomcode_new", 3, DIRECT, fn_new},
    /* random like randomblob(): harmless anywhere, but not deterministic */
    {"roomcode_generate", 0, SQLITE_UTF8 | SQLITE_INNOCUOUS, fn_generate},
    {"roomcode_valid", 1, PURE, fn_valid},
    {"roomcode_normalize", 1, PURE, fn_normalize},
    {"roomcode_version", 0, PURE, fn_version},
    /* reads the table (and draws a random jti): no schema object may run it */
    {"roomcode_token", 4, DIRECT, roomcode_fn_token},
    {"roomcode_token", 5, DIRECT, roomcode_fn_token},
    /* writes: disables a code and mints its successor */
    {"roomcode_rotate", 1, DIRECT, roomcode_fn_rotate},
    /* read the table: no schema object may run them */
    {"roomcode_json", 1, DIRECT, roomcode_fn_json},
    {"roomcode_room_json", 1, DIRECT, roomcode_fn_room_json},
    {"roomcode_link", 2, PURE, roomcode_fn_link},
    {"roomcode_link", 3, PURE, roomcode_fn_link},
};

int roomcode_register_functions(sqlite3 *db, roomcode_conn *conn) {
    for (size_t i = 0; i < sizeof(functions) / sizeof(functions[0]); i++) {
        /* Each function holds conn; SQLite calls the destructor also when this fails. */
        roomcode_conn_ref(conn);
        int rc = sqlite3_create_function_v2(db, functions[i].name, functions[i].n_arg,
                                            functions[i].flags, conn, functions[i].fn, 0, 0,
                                            roomcode_conn_unref);
        if (rc != SQLITE_OK)
            return rc;
    }
    return SQLITE_OK;
}
