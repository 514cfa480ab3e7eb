/*
 * roomcode_rotate(code): the "fresh Room Links" step of the 100ms API, which has no call of
 * its own there (disable the code, create a new one). Here it is one call that does both
 * or neither: the code is disabled and a fresh enabled code of the same room, role and
 * user takes its place.
 *
 * The two writes are atomic (atomic_writes.c): in autocommit one transaction begun
 * IMMEDIATE, so the call takes the write lock before it reads the code and waits on the
 * busy timeout as an INSERT does; inside the caller's transaction one savepoint; inside a
 * statement that itself writes (UPDATE t SET code = roomcode_rotate(code)), where SQLite
 * refuses both, the new code is deleted again if disabling the old one fails.
 */
#include <string.h>

#include "atomic_writes.h"
#include "sql_functions.h"
#include "table_resolution.h"

/* What a rotation reads and makes. */
typedef struct rotation {
    sqlite3 *db;
    const char *old_code;
    char *new_code; /* ROOMCODE_LEN + 1 bytes, the result */
    int minted;     /* new_code is stored */
} rotation;

/*
 * Reads the enabled code's row into was (a copy, freed by the caller); a disabled or
 * unknown code is refused.
 */
static int read_enabled_code(roomcode_table *t, rotation *r, roomcode_copied_rows *was,
                             char **msg) {
    sqlite3_stmt *stmt = 0;
    int rc = roomcode_table_take(t, ROOMCODE_STORE_BY_CODE, &stmt);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(stmt, 1, r->old_code, ROOMCODE_LEN, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW && sqlite3_column_int(stmt, ROOMCODE_COL_ENABLED) != 1) {
        rc = roomcode_refuse(msg,
                             sqlite3_mprintf("roomcode: room code '%s' is disabled", r->old_code));
    } else if (rc == SQLITE_ROW) {
        rc = roomcode_copied_rows_append(was, stmt, ROOMCODE_STORE_ALL_COLUMNS);
    } else if (rc == SQLITE_DONE) {
        rc = roomcode_refuse(msg, sqlite3_mprintf("roomcode: unknown room code '%s'", r->old_code));
    } else if (rc != SQLITE_NOMEM) {
        *msg = roomcode_db_message(r->db);
    }
    roomcode_table_give(t, ROOMCODE_STORE_BY_CODE, stmt);
    return rc;
}

/* The writes of a rotation, without any transaction of their own: the disable comes
 * last, so an undo has only the new code to delete. */
static int rotate_writes(roomcode_table *t, rotation *r, int *minted, char **msg) {
    roomcode_copied_rows was = {0, 0};
    int rc = read_enabled_code(t, r, &was, msg);
    if (rc == SQLITE_OK) {
        roomcode_row row = {{0}};
        static const int cols[] = {ROOMCODE_COL_ROOM_ID, ROOMCODE_COL_ROLE, ROOMCODE_COL_USER_ID};
        for (int i = 0; i < 3; i++)
            row.col[cols[i]] = roomcode_copied_rows_at(&was, 0, cols[i]);
        rc = roomcode_table_insert(t, &row, r->new_code, msg);
        *minted = rc == SQLITE_OK;
    }
    if (rc == SQLITE_OK) {
        rc = roomcode_table_disable(t, &was, 0);
        if (rc != SQLITE_OK && rc != SQLITE_NOMEM)
            *msg = roomcode_db_message(r->db);
    }
    roomcode_copied_rows_clear(&was);
    return rc;
}

/* Deletes the new code again: the undo of a rotation inside a statement that writes. */
static int unmint(roomcode_table *t, void *arg) {
    rotation *r = arg;
    sqlite3_stmt *stmt = 0;
    int rc = r->minted ? roomcode_table_take(t, ROOMCODE_STORE_DELETE, &stmt) : SQLITE_OK;
    if (rc == SQLITE_OK && stmt)
        rc = sqlite3_bind_text(stmt, 1, r->new_code, ROOMCODE_LEN, SQLITE_STATIC);
    if (rc == SQLITE_OK && stmt)
        rc = roomcode_table_step_write(stmt);
    roomcode_table_give(t, ROOMCODE_STORE_DELETE, stmt);
    return rc;
}

static int rotate_writes_of(roomcode_table *t, void *arg, char **msg) {
    rotation *r = arg;
    return rotate_writes(t, r, &r->minted, msg);
}

static int rotate_in(roomcode_table *t, void *arg, char **msg) {
    rotation *r = arg;
    r->minted = 0;
    return roomcode_atomic_writes(t, rotate_writes_of, unmint, r, msg);
}

void roomcode_fn_rotate(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
    (void)argc;
    char old_code[ROOMCODE_LEN + 1];
    /* The result's memory comes first: once the new code is stored, handing it back must
     * not fail, or the caller would lose it with the old one disabled. */
    rotation r = {sqlite3_context_db_handle(ctx), old_code, sqlite3_malloc64(ROOMCODE_LEN + 1), 0};
    char *msg = 0;
    int rc = r.new_code ? roomcode_parse_code(argv[0], old_code, &msg) : SQLITE_NOMEM;
    if (rc == SQLITE_OK)
        rc = roomcode_with_table(sqlite3_user_data(ctx), rotate_in, &r, &msg);
    if (rc == SQLITE_OK) {
        sqlite3_result_text(ctx, r.new_code, ROOMCODE_LEN, sqlite3_free);
    } else {
        sqlite3_free(r.new_code);
        roomcode_fn_error(ctx, rc, msg);
    }
}
