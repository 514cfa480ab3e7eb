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
 * Reads the enabled code's room_id, role and user_id into row (copies, freed by the
 * caller); a disabled or unknown code is refused.
 */
static int read_enabled_code(room_codes_table *t, rotation *r, roomcode_row *row, char **msg) {
    sqlite3_stmt *stmt = 0;
    int rc = room_codes_take(t, STORE_BY_CODE, &stmt);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(stmt, 1, r->old_code, ROOMCODE_LEN, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW && sqlite3_column_int(stmt, COL_ENABLED) != 1) {
        rc = roomcode_refuse(msg,
                             sqlite3_mprintf("roomcode: room code '%s' is disabled", r->old_code));
    } else if (rc == SQLITE_ROW) {
        rc = SQLITE_OK;
        static const int cols[] = {COL_ROOM_ID, COL_ROLE, COL_USER_ID};
        for (int i = 0; i < 3 && rc == SQLITE_OK; i++) {
            row->col[cols[i]] = sqlite3_value_dup(sqlite3_column_value(stmt, cols[i]));
            if (!row->col[cols[i]])
                rc = SQLITE_NOMEM;
        }
    } else if (rc == SQLITE_DONE) {
        rc = roomcode_refuse(msg, sqlite3_mprintf("roomcode: unknown room code '%s'", r->old_code));
    } else if (rc != SQLITE_NOMEM) {
        *msg = roomcode_db_message(r->db);
    }
    room_codes_give(t, STORE_BY_CODE, stmt);
    return rc;
}

/* Runs store statement which on one code: STORE_UPDATE disabling it, or STORE_DELETE. */
static int write_code(room_codes_table *t, enum roomcode_store_stmt which, const char *code) {
    sqlite3_stmt *stmt = 0;
    int rc = room_codes_take(t, which, &stmt);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(stmt, 1, code, ROOMCODE_LEN, SQLITE_STATIC);
    if (rc == SQLITE_OK && which == STORE_UPDATE) {
        /* enabled = 0; user_id unchanged */
        rc = sqlite3_bind_int(stmt, 2, 0);
        if (rc == SQLITE_OK)
            rc = sqlite3_bind_int(stmt, 3, 1);
        if (rc == SQLITE_OK)
            rc = sqlite3_bind_int(stmt, 5, 0);
    }
    if (rc == SQLITE_OK)
        rc = room_codes_step_write(stmt);
    room_codes_give(t, which, stmt);
    return rc;
}

/* The writes of a rotation, without any transaction of their own. */
static int rotate_writes(room_codes_table *t, rotation *r, int *minted, char **msg) {
    roomcode_row row = {{0}};
    int rc = read_enabled_code(t, r, &row, msg);
    if (rc == SQLITE_OK) {
        rc = room_codes_insert(t, &row, r->new_code, msg);
        *minted = rc == SQLITE_OK;
    }
    if (rc == SQLITE_OK) {
        rc = write_code(t, STORE_UPDATE, r->old_code);
        if (rc != SQLITE_OK && rc != SQLITE_NOMEM)
            *msg = roomcode_db_message(r->db);
    }
    for (int i = 0; i <= COL_UPDATED_AT; i++)
        sqlite3_value_free(row.col[i]);
    return rc;
}

/* Deletes the new code again: the undo of a rotation inside a statement that writes. */
static int unmint(room_codes_table *t, void *arg) {
    rotation *r = arg;
    return r->minted ? write_code(t, STORE_DELETE, r->new_code) : SQLITE_OK;
}

static int rotate_writes_of(room_codes_table *t, void *arg, char **msg) {
    rotation *r = arg;
    return rotate_writes(t, r, &r->minted, msg);
}

static int rotate_in(room_codes_table *t, void *arg, char **msg) {
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
        rc = room_codes_with_table(sqlite3_user_data(ctx), rotate_in, &r, &msg);
    if (rc == SQLITE_OK) {
        sqlite3_result_text(ctx, r.new_code, ROOMCODE_LEN, sqlite3_free);
    } else {
        sqlite3_free(r.new_code);
        roomcode_fn_error(ctx, rc, msg);
    }
}
