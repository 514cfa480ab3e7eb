/*
 * roomcode_token(code, user_id, access_key, app_secret [, ttl_seconds]): Room Code
 * Authentication. Exchanges an enabled room code for an HS256 app token of its room and
 * role, as a join endpoint does. The code may be given in any form roomcode_normalize
 * accepts, since people paste links.
 */
#include <string.h>
#include <time.h>

#include "room_codes_private.h"
#include "sql_functions.h"
#include "table_resolution.h"
#include "token.h"

#define DEFAULT_TTL 86400     /* a day, as 100ms app tokens */
#define MAX_TTL (366 * 86400) /* longer than a year is a mistake, not a policy */
#define BACKDATE 10           /* seconds iat lies in the past, as in 100ms's tokens */

/*
 * Whether a stored code may authenticate user_id (NULL when none was given): the one place
 * that decides. A code authenticates while enabled, and a code bound to a user
 * authenticates that user only, who must be named. Returns SQLITE_OK when it may, else a
 * refusal.
 */
static int refuse_authentication(const char *code, sqlite3_stmt *row, sqlite3_value *user_id,
                                 char **msg) {
    if (sqlite3_column_int(row, COL_ENABLED) != 1)
        return roomcode_refuse(msg, sqlite3_mprintf("roomcode: room code '%s' is disabled", code));
    sqlite3_value *bound = sqlite3_column_value(row, COL_USER_ID);
    if (sqlite3_value_type(bound) == SQLITE_NULL)
        return SQLITE_OK;
    if (sqlite3_value_type(user_id) == SQLITE_NULL) {
        return roomcode_refuse(msg, sqlite3_mprintf("roomcode: room code '%s' is bound to a user:"
                                                    " give that user's user_id",
                                                    code));
    }
    if (sqlite3_value_bytes(bound) != sqlite3_value_bytes(user_id) ||
        memcmp(sqlite3_value_text(bound), sqlite3_value_text(user_id),
               (size_t)sqlite3_value_bytes(user_id)) != 0) {
        return roomcode_refuse(
            msg, roomcode_message_with(
                     user_id, "roomcode: room code '%s' is bound to another user than ", code));
    }
    return SQLITE_OK;
}

/* Printable ASCII of 1 to 256 bytes, which roomcode_check_name accepts: the usual user id
 * and access key pass without decoding UTF-8; anything else gets the full check. */
static int plain_name(sqlite3_value *v) {
    if (sqlite3_value_type(v) != SQLITE_TEXT)
        return 0;
    const unsigned char *s = sqlite3_value_text(v);
    int n = sqlite3_value_bytes(v);
    if (!s || n < 1 || n > ROOMCODE_MAX_NAME_BYTES)
        return 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < 0x20 || s[i] > 0x7e)
            return 0;
    }
    return 1;
}

/* Refuses arguments other than the code that cannot make a token; sets *ttl. */
static int refuse_arguments(int argc, sqlite3_value **argv, sqlite3_int64 *ttl, char **msg) {
    /* The joining user's id only goes into the token, where JSON escapes any character,
     * and may be left out (NULL) for a fresh one; the access key is an identifier. */
    int rc = sqlite3_value_type(argv[1]) == SQLITE_NULL || plain_name(argv[1])
                 ? SQLITE_OK
                 : roomcode_check_name("user_id", argv[1], 1, msg);
    if (rc == SQLITE_OK && !plain_name(argv[2]))
        rc = roomcode_check_name("access_key", argv[2], 0, msg);
    if (rc != SQLITE_OK)
        return rc;
    int secret_type = sqlite3_value_type(argv[3]);
    if ((secret_type != SQLITE_TEXT && secret_type != SQLITE_BLOB) ||
        sqlite3_value_bytes(argv[3]) == 0)
        return roomcode_refuse(
            msg, sqlite3_mprintf("roomcode: app_secret must be non-empty text or blob"));
    *ttl = DEFAULT_TTL;
    if (argc > 4) {
        *ttl = sqlite3_value_int64(argv[4]);
        if (sqlite3_value_type(argv[4]) != SQLITE_INTEGER || *ttl <= 0 || *ttl > MAX_TTL) {
            return roomcode_refuse(msg,
                                   roomcode_message_with(argv[4],
                                                         "roomcode: ttl_seconds must be a whole"
                                                         " number of seconds from 1 to %d, not ",
                                                         MAX_TTL));
        }
    }
    return SQLITE_OK;
}

/* What a token is made of, besides the stored row. */
typedef struct token_request {
    sqlite3_context *ctx;
    const char *code;
    sqlite3_value **argv;
    sqlite3_int64 ttl;
} token_request;

/* The Unix time from the precise clock: time(0) may read a coarse one that lags a
 * verifier's clock by a tick at a second boundary. */
static int64_t now_seconds(void) {
    struct timespec ts;
    return clock_gettime(CLOCK_REALTIME, &ts) == 0 ? (int64_t)ts.tv_sec : (int64_t)time(0);
}

/* Refuses a stored name the writer found not valid UTF-8: another client may have written
 * it to the store, and a token must carry what is stored. */
static int refuse_stored(const char *code, sqlite3_stmt *row, const char *what, char **msg) {
    int col = strcmp(what, "role") == 0 ? COL_ROLE : COL_ROOM_ID;
    char *q = roomcode_quote(sqlite3_column_text(row, col), sqlite3_column_bytes(row, col));
    int rc =
        roomcode_refuse(msg, q ? sqlite3_mprintf("roomcode: room code '%s' has a stored %s %s that"
                                                 " is not valid UTF-8",
                                                 code, what, q)
                               : 0);
    sqlite3_free(q);
    return rc;
}

/*
 * Signs the token for the stored row and sets it as the result, or refuses. The jti, and
 * the user_id when none is given, are UUIDs of the connection's random pool: one system
 * call per few hundred tokens rather than one per token.
 */
static int sign(const token_request *r, sqlite3_stmt *row, char **msg) {
    sqlite3_value **argv = r->argv;
    roomcode_conn *conn = sqlite3_user_data(r->ctx);
    roomcode_claims claims;
    char fresh_user[ROOMCODE_UUID_SIZE];
    unsigned char bytes[32];
    int anonymous = sqlite3_value_type(argv[1]) == SQLITE_NULL;
    roomcode_pool_draw_bytes(&conn->pool, bytes, anonymous ? 32 : 16);
    roomcode_uuid4_format(bytes, claims.jti);
    if (anonymous)
        roomcode_uuid4_format(bytes + 16, fresh_user);
    claims.user_id = anonymous ? fresh_user : (const char *)sqlite3_value_text(argv[1]);
    claims.access_key = (const char *)sqlite3_value_text(argv[2]);
    claims.room_id = (const char *)sqlite3_column_text(row, COL_ROOM_ID);
    claims.role = (const char *)sqlite3_column_text(row, COL_ROLE);
    const unsigned char *secret = sqlite3_value_blob(argv[3]);
    if (!claims.access_key || !claims.user_id || !claims.room_id || !claims.role || !secret)
        return SQLITE_NOMEM;
    size_t secret_len = (size_t)sqlite3_value_bytes(argv[3]);
    size_t name_bytes =
        (anonymous ? ROOMCODE_UUID_SIZE - 1 : (size_t)sqlite3_value_bytes(argv[1])) +
        (size_t)sqlite3_value_bytes(argv[2]) + (size_t)sqlite3_column_bytes(row, COL_ROOM_ID) +
        (size_t)sqlite3_column_bytes(row, COL_ROLE);
    /* iat backdated as 100ms's server SDK does, so that a verifier whose clock is a little
     * behind accepts a fresh token; nbf = iat, exp = nbf + ttl */
    claims.iat = now_seconds() - BACKDATE;
    claims.ttl = r->ttl;
    char *jwt = sqlite3_malloc64(roomcode_jwt_max_size(name_bytes));
    if (!jwt)
        return SQLITE_NOMEM;
    const char *bad = 0;
    size_t n = roomcode_jwt_write(jwt, &claims, secret, secret_len, &bad);
    if (n == 0) {
        sqlite3_free(jwt);
        /* user_id and access_key were checked as arguments: only stored names remain */
        return refuse_stored(r->code, row, bad, msg);
    }
    sqlite3_result_text64(r->ctx, jwt, n, sqlite3_free, SQLITE_UTF8);
    return SQLITE_OK;
}

/* The columns a token needs: the others read as NULL and cost no copy. */
#define TOKEN_COLUMNS (1u << COL_ROOM_ID | 1u << COL_ROLE | 1u << COL_ENABLED | 1u << COL_USER_ID)

/*
 * Looks the code up in t and signs its token, or says why not. Returns SQLITE_OK when the
 * result is set; otherwise an error code and *msg.
 */
static int token_from(room_codes_table *t, void *arg, char **msg) {
    token_request *r = arg;
    sqlite3_stmt *row = 0;
    int rc = room_codes_read_take(t, PLAN_CODE, TOKEN_COLUMNS, &row);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(row, 1, r->code, ROOMCODE_LEN, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(row);
    if (rc == SQLITE_ROW) {
        rc = refuse_authentication(r->code, row, r->argv[1], msg);
        if (rc == SQLITE_OK)
            rc = sign(r, row, msg);
    } else if (rc == SQLITE_DONE) {
        rc = roomcode_refuse(msg, sqlite3_mprintf("roomcode: unknown room code '%s'", r->code));
    } else {
        *msg = roomcode_db_message(sqlite3_context_db_handle(r->ctx));
    }
    if (row)
        room_codes_read_give(t, PLAN_CODE, TOKEN_COLUMNS, row);
    return rc;
}

void roomcode_fn_token(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
    char code[ROOMCODE_LEN + 1];
    token_request r = {ctx, code, argv, 0};
    char *msg = 0;
    int rc = refuse_arguments(argc, argv, &r.ttl, &msg);
    if (rc == SQLITE_OK)
        rc = roomcode_parse_code(argv[0], code, &msg);
    if (rc == SQLITE_OK)
        rc = room_codes_with_table(sqlite3_user_data(ctx), token_from, &r, &msg);
    if (rc != SQLITE_OK)
        roomcode_fn_error(ctx, rc, msg);
}
