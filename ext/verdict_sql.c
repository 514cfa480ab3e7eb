/*
 * roomcode_check(code [, user_id]) and roomcode_resolve(code [, user_id]): what a join
 * endpoint of any video platform asks first. roomcode_check answers with a verdict, never
 * an error for a refused code, so that an app maps it to an HTTP status without reading
 * message text; roomcode_resolve gives what a token is made of, for a platform's own JWT
 * library, and refuses as roomcode_token does.
 */
#include <string.h>

#include "registration.h"
#include "room_codes_private.h"
#include "table_resolution.h"
#include "token.h"
#include "token_sql.h"

typedef struct verdict_request {
    sqlite3_context *ctx;
    const char *code;
    sqlite3_value *user_id; /* NULL pointer when not given */
} verdict_request;

static int verdict_from(roomcode_table *t, void *arg, char **msg) {
    verdict_request *r = arg;
    sqlite3_stmt *row = 0;
    int rc = roomcode_lookup(t, ROOMCODE_LOOKUP_CHECK, r->code, &row);
    roomcode_verdict v = ROOMCODE_VERDICT_UNKNOWN;
    if (rc == SQLITE_ROW)
        v = roomcode_verdict_of(row, r->user_id);
    if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
        sqlite3_result_text(r->ctx, roomcode_verdict_name(v), -1, SQLITE_STATIC);
        rc = SQLITE_OK;
    } else {
        *msg = roomcode_db_message(t->db);
    }
    roomcode_lookup_give(t, ROOMCODE_LOOKUP_CHECK, row);
    return rc;
}

/* roomcode_check(code [, user_id]): 'ok' or why the code lets nobody (or not this user) in. */
static void fn_check(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
    char code[ROOMCODE_LEN + 1];
    verdict_request r = {ctx, code, argc > 1 ? argv[1] : 0};
    char *msg = 0;
    int rc = r.user_id ? roomcode_token_check_user("user_id", r.user_id, &msg) : SQLITE_OK;
    if (rc != SQLITE_OK) {
        roomcode_fn_error(ctx, rc, msg);
        return;
    }
    rc = roomcode_parse_code(argv[0], code, &msg);
    if (rc == SQLITE_CONSTRAINT) {
        sqlite3_free(msg);
        sqlite3_result_text(ctx, roomcode_verdict_name(ROOMCODE_VERDICT_MALFORMED), -1,
                            SQLITE_STATIC);
        return;
    }
    if (rc == SQLITE_OK)
        rc = roomcode_with_table(sqlite3_user_data(ctx), verdict_from, &r, &msg);
    if (rc != SQLITE_OK)
        roomcode_fn_error(ctx, rc, msg);
}

/* Appends "key":"text" (text escaped as token claims are); 0 when text is not UTF-8. */
static int put_string(sqlite3_str *out, const char *key, const char *text) {
    size_t n = strlen(text);
    char *body = sqlite3_malloc64(ROOMCODE_JSON_ESCAPE_MAX * n + 1);
    if (!body) {
        sqlite3_str_appendall(out, ""); /* keeps going; the NOMEM shows at the end */
        return -1;
    }
    char *end = roomcode_json_string_body(body, text);
    if (end)
        sqlite3_str_appendf(out, "\"%s\":\"%.*s\"", key, (int)(end - body), body);
    sqlite3_free(body);
    return end ? 1 : 0;
}

static const char *boolean(sqlite3_stmt *row, int col) {
    return sqlite3_column_int(row, col) ? "true" : "false";
}

/* Writes the resolved code as JSON into the result, or refuses a stored name that is not
 * valid UTF-8. */
static int resolved(const void *arg, sqlite3_stmt *row, char **msg) {
    const verdict_request *r = arg;
    sqlite3_str *out = sqlite3_str_new(0);
    const char *room = (const char *)sqlite3_column_text(row, ROOMCODE_COL_ROOM_ID);
    const char *role = (const char *)sqlite3_column_text(row, ROOMCODE_COL_ROLE);
    const char *user = r->user_id && sqlite3_value_type(r->user_id) != SQLITE_NULL
                           ? (const char *)sqlite3_value_text(r->user_id)
                           : (const char *)sqlite3_column_text(row, ROOMCODE_COL_USER_ID);
    const char *template = (const char *)sqlite3_column_text(row, ROOMCODE_LOOKUP_TEMPLATE);
    if (!room || !role) {
        sqlite3_free(sqlite3_str_finish(out));
        return SQLITE_NOMEM;
    }
    sqlite3_str_appendf(out, "{\"code\":\"%s\",", r->code);
    int ok = put_string(out, "room_id", room);
    const char *bad = ok == 0 ? "room_id" : 0;
    sqlite3_str_appendall(out, ",");
    if (ok > 0 && (ok = put_string(out, "role", role)) == 0)
        bad = "role";
    if (ok > 0 && user) {
        sqlite3_str_appendall(out, ",");
        ok = put_string(out, "user_id", user); /* checked as an argument, or stored checked */
    } else if (ok > 0) {
        sqlite3_str_appendall(out, ",\"user_id\":null");
    }
    if (ok > 0 && template) {
        sqlite3_str_appendall(out, ",");
        ok = put_string(out, "template", template);
    } else if (ok > 0) {
        sqlite3_str_appendall(out, ",\"template\":null");
    }
    sqlite3_str_appendf(out,
                        ",\"permissions\":{\"publish\":%s,\"subscribe\":%s,\"publish_data\":%s,"
                        "\"admin\":%s,\"hidden\":%s}}",
                        boolean(row, ROOMCODE_LOOKUP_PUBLISH),
                        boolean(row, ROOMCODE_LOOKUP_SUBSCRIBE),
                        boolean(row, ROOMCODE_LOOKUP_PUBLISH_DATA),
                        boolean(row, ROOMCODE_LOOKUP_ADMIN), boolean(row, ROOMCODE_LOOKUP_HIDDEN));
    int n = sqlite3_str_length(out);
    int err = sqlite3_str_errcode(out);
    char *json = sqlite3_str_finish(out);
    if (ok < 0 || err != SQLITE_OK || !json) {
        sqlite3_free(json);
        return SQLITE_NOMEM;
    }
    if (!ok) {
        sqlite3_free(json);
        return roomcode_token_refuse_stored(r->code, row, bad ? bad : "room_id", msg);
    }
    sqlite3_result_text(r->ctx, json, n, sqlite3_free);
    return SQLITE_OK;
}

static int resolve_from(roomcode_table *t, void *arg, char **msg) {
    const verdict_request *r = arg;
    return roomcode_token_with_row(t, ROOMCODE_LOOKUP_RESOLVE, r->code, r->user_id, resolved, r,
                                   msg);
}

/* roomcode_resolve(code [, user_id]): the usable code's room, role, user and permissions
 * as a JSON object; refuses as roomcode_token does. */
static void fn_resolve(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
    char code[ROOMCODE_LEN + 1];
    verdict_request r = {ctx, code, argc > 1 ? argv[1] : 0};
    char *msg = 0;
    int rc = r.user_id ? roomcode_token_check_user("user_id", r.user_id, &msg) : SQLITE_OK;
    roomcode_fn_on_code(ctx, rc, msg, argv[0], code, resolve_from, &r);
}

/* Both read the table: no schema object may run them. */
const roomcode_function roomcode_verdict_functions[] = {
    {"roomcode_check", 1, 2, SQLITE_UTF8 | SQLITE_DIRECTONLY, fn_check},
    {"roomcode_resolve", 1, 2, SQLITE_UTF8 | SQLITE_DIRECTONLY, fn_resolve},
    {0},
};
