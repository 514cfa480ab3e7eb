/*
 * roomcode_token(code, user_id, access_key, app_secret [, ttl_seconds]): Room Code
 * Authentication. Exchanges an enabled room code for an HS256 app token of its room and
 * role, as a join endpoint does. The code may be given in any form roomcode_normalize
 * accepts, since people paste links.
 */
#include <sodium.h>
#include <string.h>
#include <time.h>

#include "room_codes_table.h"
#include "token.h"

#define DEFAULT_TTL 86400     /* a day, as 100ms app tokens */
#define MAX_TTL (366 * 86400) /* longer than a year is a mistake, not a policy */

/*
 * Whether a stored code may authenticate user_id: the one place that decides. A code
 * authenticates while enabled, and a code bound to a user authenticates that user only.
 * Returns NULL when it may, else the reason (sqlite3_malloc'd).
 */
static char *refuse_authentication(const char *code, sqlite3_stmt *row, sqlite3_value *user_id) {
    if (sqlite3_column_int(row, COL_ENABLED) != 1)
        return sqlite3_mprintf("roomcode: room code '%s' is disabled", code);
    sqlite3_value *bound = sqlite3_column_value(row, COL_USER_ID);
    if (sqlite3_value_type(bound) != SQLITE_NULL &&
        (sqlite3_value_bytes(bound) != sqlite3_value_bytes(user_id) ||
         memcmp(sqlite3_value_text(bound), sqlite3_value_text(user_id),
                (size_t)sqlite3_value_bytes(user_id)) != 0)) {
        return roomcode_message_with(
            user_id, "roomcode: room code '%s' is bound to another user than ", code);
    }
    return 0;
}

static void fail(sqlite3_context *ctx, int rc, char *msg) {
    if (!msg || rc == SQLITE_NOMEM) {
        sqlite3_result_error_nomem(ctx);
    } else {
        sqlite3_result_error(ctx, msg, -1);
        sqlite3_result_error_code(ctx, rc);
    }
    sqlite3_free(msg);
}

/* Checks the arguments other than the code; returns a message or NULL. */
static char *check_arguments(int argc, sqlite3_value **argv, sqlite3_int64 *ttl, int *rc) {
    char *msg = 0;
    /* The joining user's id only goes into the token, where JSON escapes any character;
     * the access key is an identifier. */
    *rc = roomcode_check_name("user_id", argv[1], 1, &msg);
    if (*rc == SQLITE_OK)
        *rc = roomcode_check_name("access_key", argv[2], 0, &msg);
    if (*rc != SQLITE_OK)
        return msg;
    *rc = SQLITE_MISUSE;
    int secret_type = sqlite3_value_type(argv[3]);
    if ((secret_type != SQLITE_TEXT && secret_type != SQLITE_BLOB) ||
        sqlite3_value_bytes(argv[3]) == 0)
        return sqlite3_mprintf("roomcode: app_secret must be non-empty text or blob");
    *ttl = DEFAULT_TTL;
    if (argc > 4) {
        *ttl = sqlite3_value_int64(argv[4]);
        if (sqlite3_value_type(argv[4]) != SQLITE_INTEGER || *ttl <= 0 || *ttl > MAX_TTL) {
            return roomcode_message_with(argv[4],
                                         "roomcode: ttl_seconds must be a whole number of"
                                         " seconds from 1 to %d, not ",
                                         MAX_TTL);
        }
    }
    *rc = SQLITE_OK;
    return 0;
}

/* Signs the token for the stored row and sets it as the result. */
static void sign(sqlite3_context *ctx, sqlite3_stmt *row, sqlite3_value **argv, sqlite3_int64 ttl) {
    roomcode_claims claims;
    claims.access_key = (const char *)sqlite3_value_text(argv[2]);
    claims.user_id = (const char *)sqlite3_value_text(argv[1]);
    claims.room_id = (const char *)sqlite3_column_text(row, COL_ROOM_ID);
    claims.role = (const char *)sqlite3_column_text(row, COL_ROLE);
    claims.iat = (int64_t)time(0);
    claims.ttl = ttl;
    roomcode_uuid4(claims.jti);
    const unsigned char *secret = sqlite3_value_blob(argv[3]);
    size_t secret_len = (size_t)sqlite3_value_bytes(argv[3]);
    if (!claims.access_key || !claims.user_id || !claims.room_id || !claims.role || !secret) {
        sqlite3_result_error_nomem(ctx);
        return;
    }
    size_t size = roomcode_jwt_length(&claims);
    char *jwt = sqlite3_malloc64(size);
    if (!jwt) {
        sqlite3_result_error_nomem(ctx);
        return;
    }
    roomcode_jwt_write(jwt, &claims, secret, secret_len);
    sqlite3_result_text64(ctx, jwt, size - 1, sqlite3_free, SQLITE_UTF8);
}

void roomcode_fn_token(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
    int rc;
    sqlite3_int64 ttl = 0;
    char *msg = check_arguments(argc, argv, &ttl, &rc);
    if (rc != SQLITE_OK) {
        fail(ctx, rc == SQLITE_MISUSE ? SQLITE_ERROR : rc, msg);
        return;
    }
    char code[ROOMCODE_LEN + 1];
    rc = roomcode_parse_code(argv[0], code, &msg);
    if (rc != SQLITE_OK) {
        fail(ctx, rc == SQLITE_CONSTRAINT ? SQLITE_ERROR : rc, msg);
        return;
    }
    room_codes_table *t = 0;
    rc = room_codes_find(sqlite3_user_data(ctx), &t, &msg);
    if (rc != SQLITE_OK) {
        fail(ctx, rc, msg);
        return;
    }
    sqlite3_stmt *row = 0;
    rc = room_codes_take(t, STORE_BY_CODE, &row);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(row, 1, code, ROOMCODE_LEN, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(row);
    if (rc == SQLITE_ROW) {
        msg = refuse_authentication(code, row, argv[1]);
        if (msg)
            fail(ctx, SQLITE_ERROR, msg);
        else
            sign(ctx, row, argv, ttl);
    } else if (rc == SQLITE_DONE) {
        fail(ctx, SQLITE_ERROR, sqlite3_mprintf("roomcode: unknown room code '%s'", code));
    } else {
        fail(ctx, rc, sqlite3_mprintf("%s", sqlite3_errmsg(sqlite3_context_db_handle(ctx))));
    }
    room_codes_give(t, STORE_BY_CODE, row);
}
