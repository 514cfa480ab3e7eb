/*
 * Looking a code up for a join: its row, its room's registration and its role's
 * permissions, in one statement kept per table, and the one decision whether the code
 * lets a user in (the verdict roomcode_check returns, and roomcode_token and every other
 * token refuse by).
 */
#ifndef ROOMCODE_CODE_LOOKUP_H
#define ROOMCODE_CODE_LOOKUP_H

#include "roomcode_internal.h"

/* The statements: LOOKUP_CHECK reads only what the verdict needs (COL_ENABLED,
 * COL_USER_ID, LOOKUP_ROOM_ENABLED), LOOKUP_VERDICT also COL_ROOM_ID and COL_ROLE,
 * LOOKUP_RESOLVE every column. */
enum { LOOKUP_CHECK, LOOKUP_VERDICT, LOOKUP_RESOLVE, LOOKUP_N_STMT };

/* Their columns: the store's first five in the store's positions (COL_CODE reads NULL),
 * then the room's enabled and template (NULL for an unregistered room), then the role's
 * permissions, defaults filled in (0 or 1). */
enum {
    LOOKUP_ROOM_ENABLED = 5,
    LOOKUP_TEMPLATE,
    LOOKUP_PUBLISH,
    LOOKUP_SUBSCRIBE,
    LOOKUP_PUBLISH_DATA,
    LOOKUP_ADMIN,
    LOOKUP_HIDDEN
};

typedef enum roomcode_verdict {
    VERDICT_OK,
    VERDICT_MALFORMED,
    VERDICT_UNKNOWN,
    VERDICT_DISABLED,
    VERDICT_ROOM_DISABLED,
    VERDICT_BOUND,
    VERDICT_OTHER_USER
} roomcode_verdict;

/* The verdict's name as roomcode_check returns it ('ok', 'malformed', ...). */
const char *roomcode_verdict_name(roomcode_verdict v);

struct room_codes_table;

/*
 * Looks the canonical code up with statement which of t and steps it: SQLITE_ROW with the
 * row in *row, SQLITE_DONE when the code is unknown, or an error. Give the statement back
 * (also after SQLITE_DONE) with roomcode_lookup_give.
 */
int roomcode_lookup(struct room_codes_table *t, int which, const char *code, sqlite3_stmt **row);
void roomcode_lookup_give(struct room_codes_table *t, int which, sqlite3_stmt *row);

/* May the code of row let user_id in (NULL pointer or SQL NULL: none given)? */
roomcode_verdict roomcode_verdict_of(sqlite3_stmt *row, sqlite3_value *user_id);

/* The refusal roomcode_token gives for verdict v (not OK) of the code: SQLITE_CONSTRAINT
 * with *msg, or SQLITE_NOMEM. */
int roomcode_verdict_refuse(roomcode_verdict v, const char *code, sqlite3_stmt *row,
                            sqlite3_value *user_id, char **msg);

#endif
