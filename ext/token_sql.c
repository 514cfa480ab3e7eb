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
#include "token_sql.h"

#define DEFAULT_TTL 86400     /* a day, as 100ms app tokens */
#define MAX_TTL (366 * 86400) /* longer than a year is a mistake, not a policy */
#define BACKDATE 10           /* seconds iat lies in the past, as in 100ms's tokens */

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

int roomcode_token_check_user(const char *what, sqlite3_value *v, char **msg) {
    /* The joining user's id only goes into the token, where JSON escapes any character,
     * and may be left out (NULL) for a fresh one. */
    return sqlite3_value_type(v) == SQLITE_NULL || plain_name(v)
               ? SQLITE_OK
               : roomcode_check_name(what, v, 1, msg);
}

int roomcode_token_check_key(const char *what, sqlite3_value *v, char **msg) {
    return plain_name(v) ? SQLITE_OK : roomcode_check_name(what, v, 0, msg);
}

int roomcode_token_check_secret(const char *what, sqlite3_value *v, char **msg) {
    int secret_type = sqlite3_value_type(v);
    if ((secret_type != SQLITE_TEXT && secret_type != SQLITE_BLOB) || sqlite3_value_bytes(v) == 0)
        return roomcode_refuse(
            msg, sqlite3_mprintf("roomcode: %s must be non-empty text or blob", what));
    return SQLITE_OK;
}

int roomcode_token_check_ttl(sqlite3_value *v, sqlite3_int64 *ttl, char **msg) {
    *ttl = DEFAULT_TTL;
    if (!v)
        return SQLITE_OK;
    *ttl = sqlite3_value_int64(v);
    if (sqlite3_value_type(v) != SQLITE_INTEGER || *ttl <= 0 || *ttl > MAX_TTL) {
        return roomcode_refuse(msg, roomcode_message_with(v,
                                                          "roomcode: ttl_seconds must be a whole"
                                                          " number of seconds from 1 to %d, not ",
                                                          MAX_TTL));
    }
    return SQLITE_OK;
}

/* Refuses arguments other than the code that cannot make a token; sets *ttl. */
static int refuse_arguments(int argc, sqlite3_value **argv, sqlite3_int64 *ttl, char **msg) {
    int rc = roomcode_token_check_user("user_id", argv[1], msg);
    if (rc == SQLITE_OK)
        rc = roomcode_token_check_key("access_key", argv[2], msg);
    if (rc == SQLITE_OK)
        rc = roomcode_token_check_secret("app_secret", argv[3], msg);
    if (rc == SQLITE_OK)
        rc = roomcode_token_check_ttl(argc > 4 ? argv[4] : 0, ttl, msg);
    return rc;
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

int64_t roomcode_token_issued_at(void) {
    /* backdated as 100ms's server SDK does, so that a verifier whose clock is a little
     * behind accepts a fresh token */
    return now_seconds() - BACKDATE;
}

int roomcode_token_refuse_stored(const char *code, sqlite3_stmt *row, const char *what,
                                 char **msg) {
    int col = strcmp(what, "role") == 0 ? ROOMCODE_COL_ROLE : ROOMCODE_COL_ROOM_ID;
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
static int sign(const void *arg, sqlite3_stmt *row, char **msg) {
    const token_request *r = arg;
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
    claims.room_id = (const char *)sqlite3_column_text(row, ROOMCODE_COL_ROOM_ID);
    claims.role = (const char *)sqlite3_column_text(row, ROOMCODE_COL_ROLE);
    const unsigned char *secret = sqlite3_value_blob(argv[3]);
    if (!claims.access_key || !claims.user_id || !claims.room_id || !claims.role || !secret)
        return SQLITE_NOMEM;
    size_t secret_len = (size_t)sqlite3_value_bytes(argv[3]);
    size_t name_bytes =
        (anonymous ? ROOMCODE_UUID_SIZE - 1 : (size_t)sqlite3_value_bytes(argv[1])) +
        (size_t)sqlite3_value_bytes(argv[2]) +
        (size_t)sqlite3_column_bytes(row, ROOMCODE_COL_ROOM_ID) +
        (size_t)sqlite3_column_bytes(row, ROOMCODE_COL_ROLE);
    /* nbf = iat, exp = nbf + ttl */
    claims.iat = roomcode_token_issued_at();
    claims.ttl = r->ttl;
    char *jwt = sqlite3_malloc64(roomcode_jwt_max_size(name_bytes));
    if (!jwt)
        return SQLITE_NOMEM;
    const char *bad = 0;
    size_t n = roomcode_jwt_write(jwt, &claims, secret, secret_len, &bad);
    if (n == 0) {
        sqlite3_free(jwt);
        /* user_id and access_key were checked as arguments: only stored names remain */
        return roomcode_token_refuse_stored(r->code, row, bad, msg);
    }
    sqlite3_result_text64(r->ctx, jwt, n, sqlite3_free, SQLITE_UTF8);
    return SQLITE_OK;
}

/*
 * Looks the code up in t and signs its token, or says why not. Returns SQLITE_OK when the
 * result is set; otherwise an error code and *msg.
 */
static int token_from(roomcode_table *t, void *arg, char **msg) {
    const token_request *r = arg;
    return roomcode_token_with_row(t, ROOMCODE_LOOKUP_VERDICT, r->code, r->argv[1], sign, r, msg);
}

/* The lookup of roomcode_token_with_row: *row is to be given back in any case. */
static int token_lookup(roomcode_table *t, int which, const char *code, sqlite3_value *user_id,
                        sqlite3_stmt **row, char **msg) {
    int rc = roomcode_lookup(t, which, code, row);
    if (rc == SQLITE_ROW) {
        roomcode_verdict v = roomcode_verdict_of(*row, user_id);
        return v == ROOMCODE_VERDICT_OK ? SQLITE_OK
                                        : roomcode_verdict_refuse(v, code, *row, user_id, msg);
    }
    if (rc == SQLITE_DONE)
        return roomcode_verdict_refuse(ROOMCODE_VERDICT_UNKNOWN, code, *row, user_id, msg);
    *msg = roomcode_db_message(t->db);
    return rc;
}

int roomcode_token_with_row(roomcode_table *t, int which, const char *code, sqlite3_value *user_id,
                            int (*use)(const void *arg, sqlite3_stmt *row, char **msg),
                            const void *arg, char **msg) {
    sqlite3_stmt *row = 0;
    int rc = token_lookup(t, which, code, user_id, &row, msg);
    if (rc == SQLITE_OK)
        rc = use(arg, row, msg);
    roomcode_lookup_give(t, which, row);
    return rc;
}

void roomcode_fn_token(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
    char code[ROOMCODE_LEN + 1];
    token_request r = {ctx, code, argv, 0};
    char *msg = 0;
    int rc = refuse_arguments(argc, argv, &r.ttl, &msg);
    roomcode_fn_on_code(ctx, rc, msg, argv[0], code, token_from, &r);
}
