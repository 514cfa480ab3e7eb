/*
 * Looking a code up for a join: its row, its room's registration and its role's
 * permissions, in one statement kept per table, and the one decision whether the code
 * lets a user in (the verdict roomcode_check returns, and roomcode_token and every other
 * token refuse by).
 */
#ifndef ROOMCODE_CODE_LOOKUP_H
#define ROOMCODE_CODE_LOOKUP_H

#include "room_codes_table.h"

/* The statements: ROOMCODE_LOOKUP_CHECK reads only what the verdict needs (ROOMCODE_COL_ENABLED,
 * ROOMCODE_COL_USER_ID, ROOMCODE_LOOKUP_ROOM_ENABLED), ROOMCODE_LOOKUP_VERDICT also
 * ROOMCODE_COL_ROOM_ID and ROOMCODE_COL_ROLE, ROOMCODE_LOOKUP_RESOLVE every column. */
enum {
    ROOMCODE_LOOKUP_CHECK,
    ROOMCODE_LOOKUP_VERDICT,
    ROOMCODE_LOOKUP_RESOLVE,
    ROOMCODE_LOOKUP_N_STMT
};

/* Their columns: the store's first five in the store's positions (ROOMCODE_COL_CODE reads NULL),
 * then the room's enabled and template (NULL for an unregistered room), then the role's
 * permissions, defaults filled in (0 or 1). */
enum {
    ROOMCODE_LOOKUP_ROOM_ENABLED = 5,
    ROOMCODE_LOOKUP_TEMPLATE,
    ROOMCODE_LOOKUP_PUBLISH,
    ROOMCODE_LOOKUP_SUBSCRIBE,
    ROOMCODE_LOOKUP_PUBLISH_DATA,
    ROOMCODE_LOOKUP_ADMIN,
    ROOMCODE_LOOKUP_HIDDEN
};

typedef enum roomcode_verdict {
    ROOMCODE_VERDICT_OK,
    ROOMCODE_VERDICT_MALFORMED,
    ROOMCODE_VERDICT_UNKNOWN,
    ROOMCODE_VERDICT_DISABLED,
    ROOMCODE_VERDICT_ROOM_DISABLED,
    ROOMCODE_VERDICT_BOUND,
    ROOMCODE_VERDICT_OTHER_USER
} roomcode_verdict;

/* The verdict's name as roomcode_check returns it ('ok', 'malformed', ...). */
const char *roomcode_verdict_name(roomcode_verdict v);

struct roomcode_table;

/*
 * Looks the canonical code up with statement which of t and steps it: SQLITE_ROW with the
 * row in *row, SQLITE_DONE when the code is unknown, or an error. Give the statement back
 * (also after SQLITE_DONE) with roomcode_lookup_give.
 */
int roomcode_lookup(struct roomcode_table *t, int which, const char *code, sqlite3_stmt **row);
void roomcode_lookup_give(struct roomcode_table *t, int which, sqlite3_stmt *row);

/* May the code of row let user_id in (NULL pointer or SQL NULL: none given)? */
roomcode_verdict roomcode_verdict_of(sqlite3_stmt *row, sqlite3_value *user_id);

/* The refusal roomcode_token gives for verdict v (not OK) of the code: SQLITE_CONSTRAINT
 * with *msg, or SQLITE_NOMEM. */
int roomcode_verdict_refuse(roomcode_verdict v, const char *code, sqlite3_stmt *row,
                            sqlite3_value *user_id, char **msg);

#endif
