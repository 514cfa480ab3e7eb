/*
 * roomcode_livekit_token(code, identity, api_key, api_secret [, ttl_seconds [, name]]) and
 * roomcode_jitsi_token(code, user_id, app_id, app_secret, domain [, ttl_seconds [, name]]):
 * the tokens LiveKit and Jitsi Meet accept, for a room code, with an optional display name. Both
 * check their arguments and refuse a code exactly as roomcode_token does (token_sql.h), write their
 * payloads with platform_claims.c and sign through token.c's one signing path.
 */
#include <string.h>

#include "platform_claims.h"
#include "registration.h"
#include "table_resolution.h"
#include "token.h"
#include "token_sql.h"

enum platform { LIVEKIT, JITSI };

typedef struct platform_request {
    sqlite3_context *ctx;
    enum platform platform;
    char code[ROOMCODE_LEN + 1];
    sqlite3_value *user;   /* identity or user_id */
    sqlite3_value *key;    /* api_key or app_id */
    sqlite3_value *secret; /* api_secret or app_secret */
    sqlite3_value *domain; /* Jitsi only */
    sqlite3_value *name;   /* the display name: absent (0) or NULL for none */
    sqlite3_int64 ttl;
} platform_request;

/* The user the token names: the one given, else a fresh UUID of the connection's pool (a
 * code bound to a user was refused without one). */
static const char *user_of(const platform_request *r, char fresh[ROOMCODE_UUID_SIZE]) {
    if (sqlite3_value_type(r->user) != SQLITE_NULL)
        return (const char *)sqlite3_value_text(r->user);
    roomcode_conn *conn = sqlite3_user_data(r->ctx);
    unsigned char bytes[16];
    roomcode_pool_draw_bytes(&conn->pool, bytes, sizeof bytes);
    roomcode_uuid4_format(bytes, fresh);
    return fresh;
}

static int has_name(const platform_request *r) {
    return r->name && sqlite3_value_type(r->name) != SQLITE_NULL;
}

/* Writes the payload for the row into json (sized by the caller); 0 with *bad when a
 * stored name is not valid UTF-8. */
static size_t payload(const platform_request *r, sqlite3_stmt *row, const char *user, char *json,
                      const char **bad) {
    int64_t nbf = roomcode_token_issued_at();
    const char *name = has_name(r) ? (const char *)sqlite3_value_text(r->name) : 0;
    if (r->platform == LIVEKIT) {
        roomcode_livekit_claims c = {
            (const char *)sqlite3_value_text(r->key),
            user,
            (const char *)sqlite3_column_text(row, ROOMCODE_COL_ROOM_ID),
            (const char *)sqlite3_column_text(row, ROOMCODE_COL_ROLE),
            nbf,
            r->ttl,
            {sqlite3_column_int(row, ROOMCODE_LOOKUP_PUBLISH) != 0,
             sqlite3_column_int(row, ROOMCODE_LOOKUP_SUBSCRIBE) != 0,
             sqlite3_column_int(row, ROOMCODE_LOOKUP_PUBLISH_DATA) != 0,
             sqlite3_column_int(row, ROOMCODE_LOOKUP_ADMIN) != 0,
             sqlite3_column_int(row, ROOMCODE_LOOKUP_HIDDEN) != 0},
            name,
        };
        return roomcode_livekit_json(json, &c, bad);
    }
    roomcode_jitsi_claims c = {
        (const char *)sqlite3_value_text(r->key),
        user,
        (const char *)sqlite3_value_text(r->domain),
        (const char *)sqlite3_column_text(row, ROOMCODE_COL_ROOM_ID),
        nbf,
        r->ttl,
        sqlite3_column_int(row, ROOMCODE_LOOKUP_ADMIN) != 0,
        name,
    };
    return roomcode_jitsi_json(json, &c, bad);
}

static int sign(const void *arg, sqlite3_stmt *row, char **msg) {
    const platform_request *r = arg;
    char fresh[ROOMCODE_UUID_SIZE];
    const char *user = user_of(r, fresh);
    if (!user || !sqlite3_value_text(r->key) || !sqlite3_column_text(row, ROOMCODE_COL_ROOM_ID) ||
        !sqlite3_column_text(row, ROOMCODE_COL_ROLE) ||
        (r->domain && !sqlite3_value_text(r->domain)) ||
        (has_name(r) && !sqlite3_value_text(r->name)))
        return SQLITE_NOMEM;
    size_t names = strlen(user) + (size_t)sqlite3_value_bytes(r->key) +
                   (size_t)sqlite3_column_bytes(row, ROOMCODE_COL_ROOM_ID) +
                   (size_t)sqlite3_column_bytes(row, ROOMCODE_COL_ROLE) +
                   (r->domain ? (size_t)sqlite3_value_bytes(r->domain) : 0) +
                   (has_name(r) ? (size_t)sqlite3_value_bytes(r->name) : 0);
    size_t json_max =
        r->platform == LIVEKIT ? roomcode_livekit_json_max(names) : roomcode_jitsi_json_max(names);
    /* The payload goes on the stack unless names are long; the token is handed to SQLite. */
    char stack[2048];
    char *json = json_max <= sizeof stack ? stack : sqlite3_malloc64(json_max);
    char *jwt = json ? sqlite3_malloc64(roomcode_jwt_from_json_max_size(json_max)) : 0;
    const unsigned char *secret = sqlite3_value_blob(r->secret);
    int rc = jwt && secret ? SQLITE_OK : SQLITE_NOMEM;
    const char *bad = 0;
    size_t n = rc == SQLITE_OK ? payload(r, row, user, json, &bad) : 0;
    if (rc == SQLITE_OK && n == 0) {
        /* the arguments were checked: only stored names remain */
        rc = roomcode_token_refuse_stored(r->code, row,
                                          strcmp(bad, "role") == 0 ? "role" : "room_id", msg);
    } else if (rc == SQLITE_OK) {
        size_t len =
            roomcode_jwt_from_json(jwt, json, n, secret, (size_t)sqlite3_value_bytes(r->secret));
        sqlite3_result_text64(r->ctx, jwt, len, sqlite3_free, SQLITE_UTF8);
        jwt = 0;
    }
    if (json != stack)
        sqlite3_free(json);
    sqlite3_free(jwt);
    return rc;
}

static int token_from(roomcode_table *t, void *arg, char **msg) {
    const platform_request *r = arg;
    return roomcode_token_with_row(t, ROOMCODE_LOOKUP_RESOLVE, r->code, r->user, sign, r, msg);
}

static void make_token(platform_request *r, sqlite3_value *code, sqlite3_value *ttl) {
    char *msg = 0;
    int is_livekit = r->platform == LIVEKIT;
    int rc = roomcode_token_check_user(is_livekit ? "identity" : "user_id", r->user, &msg);
    if (rc == SQLITE_OK)
        rc = roomcode_token_check_key(is_livekit ? "api_key" : "app_id", r->key, &msg);
    if (rc == SQLITE_OK)
        rc = roomcode_token_check_secret(is_livekit ? "api_secret" : "app_secret", r->secret, &msg);
    if (rc == SQLITE_OK && r->domain)
        rc = roomcode_token_check_key("domain", r->domain, &msg);
    if (rc == SQLITE_OK)
        rc = roomcode_token_check_ttl(ttl, &r->ttl, &msg);
    /* A display name is shown, never compared: checked as a user id is (NULL: none). */
    if (rc == SQLITE_OK && r->name)
        rc = roomcode_token_check_user("name", r->name, &msg);
    roomcode_fn_on_code(r->ctx, rc, msg, code, r->code, token_from, r);
}

static void fn_livekit_token(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
    platform_request r = {ctx, LIVEKIT, {0}, argv[1], argv[2], argv[3], 0, argc > 5 ? argv[5] : 0,
                          0};
    make_token(&r, argv[0], argc > 4 ? argv[4] : 0);
}

static void fn_jitsi_token(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
    platform_request r = {
        ctx, JITSI, {0}, argv[1], argv[2], argv[3], argv[4], argc > 6 ? argv[6] : 0, 0};
    make_token(&r, argv[0], argc > 5 ? argv[5] : 0);
}

/* Both read the table and draw random ids: no schema object may run them. */
const roomcode_function roomcode_platform_token_functions[] = {
    {"roomcode_livekit_token", 4, 6, SQLITE_UTF8 | SQLITE_DIRECTONLY, fn_livekit_token},
    {"roomcode_jitsi_token", 5, 7, SQLITE_UTF8 | SQLITE_DIRECTONLY, fn_jitsi_token},
    {0},
};
