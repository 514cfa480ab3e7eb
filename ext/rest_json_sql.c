/*
 * roomcode_json(code) and roomcode_room_json(room_id): room codes in the shape of the 100ms
 * REST API, {code, room_id, role, enabled, created_at, updated_at} (and user_id when the
 * code is bound), and a room's codes as {"data": [...]}, so that a server standing in for
 * those calls can return them as they are. The JSON is made by SQLite's own JSON functions
 * in the store's statements (sql/store_statements.sql); timestamps are the stored text, UTC
 * ISO-8601 with milliseconds, as 100ms writes them.
 */
#include "room_codes_private.h"
#include "sql_functions.h"
#include "table_resolution.h"

/* Which statement, its key, and where the JSON goes. */
typedef struct json_request {
    sqlite3_context *ctx;
    enum roomcode_store_stmt which;
    const char *key;
    int key_len;
} json_request;

/*
 * Refuses a row of a store statement (all columns) holding text that is not valid UTF-8
 * (another client wrote it), naming the code and the column, as roomcode_token does: JSON
 * must be UTF-8, and a client decoding it would fail. SQLITE_OK when the row is valid.
 */
static int refuse_row(sqlite3_stmt *row, char **msg) {
    static const char *const names[] = {"code",    "room_id",    "role",      "enabled",
                                        "user_id", "created_at", "updated_at"};
    for (int col = ROOMCODE_COL_CODE; col <= ROOMCODE_COL_UPDATED_AT; col++) {
        if (sqlite3_column_type(row, col) != SQLITE_TEXT)
            continue;
        const unsigned char *text = sqlite3_column_text(row, col);
        int n = sqlite3_column_bytes(row, col);
        if (!text)
            return SQLITE_NOMEM;
        if (roomcode_is_utf8(text, n))
            continue;
        char *code = roomcode_quote(sqlite3_column_text(row, ROOMCODE_COL_CODE),
                                    sqlite3_column_bytes(row, ROOMCODE_COL_CODE));
        char *q = roomcode_quote(text, n);
        char *m = code && q ? sqlite3_mprintf("roomcode: room code %s has a stored %s %s that"
                                              " is not valid UTF-8",
                                              code, names[col], q)
                            : 0;
        sqlite3_free(code);
        sqlite3_free(q);
        return roomcode_refuse(msg, m);
    }
    return SQLITE_OK;
}

/* The JSON came out invalid UTF-8: finds the stored row that made it so and refuses it. */
static int refuse_stored(roomcode_table *t, json_request *r, char **msg) {
    int plan = r->which == ROOMCODE_STORE_JSON_CODE ? ROOMCODE_PLAN_CODE : ROOMCODE_PLAN_ROOM;
    sqlite3_stmt *stmt = 0;
    int rc = roomcode_table_read_take(t, plan, ROOMCODE_STORE_ALL_COLUMNS, &stmt);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(stmt, 1, r->key, r->key_len, SQLITE_STATIC);
    while (rc == SQLITE_OK && (rc = sqlite3_step(stmt)) == SQLITE_ROW)
        rc = refuse_row(stmt, msg);
    if (rc == SQLITE_DONE) /* changed meanwhile: refused all the same */
        rc = roomcode_refuse(msg, sqlite3_mprintf("roomcode: stored text that is not valid"
                                                  " UTF-8 for '%s'",
                                                  r->key));
    else if (rc != SQLITE_OK && rc != SQLITE_CONSTRAINT && rc != SQLITE_NOMEM)
        *msg = roomcode_db_message(t->db);
    if (stmt)
        roomcode_table_read_give(t, plan, ROOMCODE_STORE_ALL_COLUMNS, stmt);
    return rc;
}

/* Sets the statement's JSON text as the result; no row (an unknown code) leaves NULL. */
static int json_from(roomcode_table *t, void *arg, char **msg) {
    json_request *r = arg;
    sqlite3_stmt *stmt = 0;
    int rc = roomcode_table_take(t, r->which, &stmt);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(stmt, 1, r->key, r->key_len, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        const unsigned char *json = sqlite3_column_text(stmt, 0);
        rc = json || sqlite3_column_type(stmt, 0) == SQLITE_NULL ? SQLITE_OK : SQLITE_NOMEM;
        if (json && !roomcode_is_utf8(json, sqlite3_column_bytes(stmt, 0))) {
            sqlite3_reset(stmt);
            rc = refuse_stored(t, r, msg);
        } else if (json) {
            sqlite3_result_text(r->ctx, (const char *)json, sqlite3_column_bytes(stmt, 0),
                                SQLITE_TRANSIENT);
        }
    } else if (rc == SQLITE_DONE) {
        rc = SQLITE_OK;
    } else if (rc != SQLITE_NOMEM) {
        *msg = roomcode_db_message(sqlite3_context_db_handle(r->ctx));
    }
    roomcode_table_give(t, r->which, stmt);
    return rc;
}

/* roomcode_json(code): the code as a 100ms API object, NULL for NULL or an unknown code. */
void roomcode_fn_json(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
        return;
    char code[ROOMCODE_LEN + 1];
    json_request r = {ctx, ROOMCODE_STORE_JSON_CODE, code, ROOMCODE_LEN};
    roomcode_fn_on_code(ctx, SQLITE_OK, 0, argv[0], code, json_from, &r);
}

/* roomcode_room_json(room_id): {"data": [...]} with the room's codes in creation order
 * (an empty list for a room without codes); NULL for NULL. */
void roomcode_fn_room_json(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
        return;
    char *msg = 0;
    int rc = roomcode_check_name("room_id", argv[0], 0, &msg);
    const char *room = rc == SQLITE_OK ? (const char *)sqlite3_value_text(argv[0]) : 0;
    if (rc == SQLITE_OK && !room)
        rc = SQLITE_NOMEM;
    if (rc == SQLITE_OK) {
        json_request r = {ctx, ROOMCODE_STORE_JSON_ROOM, room, sqlite3_value_bytes(argv[0])};
        rc = roomcode_with_table(sqlite3_user_data(ctx), json_from, &r, &msg);
    }
    if (rc != SQLITE_OK)
        roomcode_fn_error(ctx, rc, msg);
}
