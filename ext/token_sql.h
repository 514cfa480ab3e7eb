/*
 * What every token function shares with roomcode_token (token_sql.c): the checks of its
 * arguments, the look-up that refuses a code as roomcode_token does, and the time a token
 * is issued at. So LiveKit's and Jitsi's tokens refuse what 100ms's refuses, in the same
 * words.
 */
#ifndef ROOMCODE_TOKEN_SQL_H
#define ROOMCODE_TOKEN_SQL_H

#include <stdint.h>

#include "room_codes_private.h"

/* Each returns SQLITE_OK, or a refusal with *msg (see roomcode_internal.h). */

/* A user id named what: NULL (none given), or a name of up to 256 bytes, control
 * characters allowed (JSON escapes them). */
int roomcode_token_check_user(const char *what, sqlite3_value *v, char **msg);

/* A key or id named what: a name of up to 256 bytes without control characters. */
int roomcode_token_check_key(const char *what, sqlite3_value *v, char **msg);

/* A secret named what: non-empty text or blob. */
int roomcode_token_check_secret(const char *what, sqlite3_value *v, char **msg);

/* ttl_seconds (v NULL pointer: not given, a day): a whole number from 1 to 366 days. */
int roomcode_token_check_ttl(sqlite3_value *v, sqlite3_int64 *ttl, char **msg);

/* Looks the canonical code up with statement which (code_lookup.h) and refuses it as
 * roomcode_token does unless it lets user_id in; else returns use(arg, row, msg) on the
 * code's row. The statement goes back to its slot in either case. */
int roomcode_token_with_row(roomcode_table *t, int which, const char *code, sqlite3_value *user_id,
                            int (*use)(const void *arg, sqlite3_stmt *row, char **msg),
                            const void *arg, char **msg);

/* Refuses a stored name (what: "room_id" or "role") that is not valid UTF-8. */
int roomcode_token_refuse_stored(const char *code, sqlite3_stmt *row, const char *what, char **msg);

/* nbf (and iat) of a token made now: a few seconds back, for verifiers' clocks. */
int64_t roomcode_token_issued_at(void);

#endif
