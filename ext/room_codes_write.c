/*
 * Writing the room_codes table (xUpdate): INSERT mints or imports a code, UPDATE changes
 * enabled and user_id only, DELETE frees a slot under the cap. Each checks its values first,
 * so that a refusal names the bad value; the store's own constraints and triggers then
 * hold the rules for this writer as for every other.
 */
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "room_codes_private.h"
#include "templates_store.h"

#define MINT_ATTEMPTS 16 /* a collision in 26^10 is rare; sixteen in a row is a broken RNG */

static int type_of(sqlite3_value *v) { return v ? sqlite3_value_type(v) : SQLITE_NULL; }

static int bind_or_null(sqlite3_stmt *stmt, int i, sqlite3_value *v) {
    return v ? sqlite3_bind_value(stmt, i, v) : sqlite3_bind_null(stmt, i);
}

/* Binds a checked name (text, or NULL for user_id) without a copy: v must outlive the use. */
static int bind_name(sqlite3_stmt *stmt, int i, sqlite3_value *v) {
    if (type_of(v) != SQLITE_TEXT)
        return bind_or_null(stmt, i, v);
    const unsigned char *text = sqlite3_value_text(v);
    if (!text)
        return SQLITE_NOMEM;
    return sqlite3_bind_text(stmt, i, (const char *)text, sqlite3_value_bytes(v), SQLITE_STATIC);
}

int roomcode_table_step_write(sqlite3_stmt *stmt) {
    int rc = sqlite3_step(stmt);
    /* SQLite calls the progress handler once more after a statement has ended (its
     * vdbe_return), and a "stop" there fails a write that is done, and committed in
     * autocommit. A write that fails part way is rolled back, which sets the count of
     * changes to 0: so changes tell the two apart. */
    if (rc == SQLITE_INTERRUPT && sqlite3_changes(sqlite3_db_handle(stmt)) > 0)
        rc = SQLITE_DONE;
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int run_write(sqlite3_stmt *stmt) { return roomcode_table_step_write(stmt); }

/* Runs the bound write statement taken from slot which (unless rc, of its binding, is an
 * error already), gives it back, and reports a failure on the table. */
static int finish_write(roomcode_table *t, enum roomcode_store_stmt which, sqlite3_stmt *stmt,
                        int rc) {
    if (rc == SQLITE_OK)
        rc = run_write(stmt);
    if (rc != SQLITE_OK)
        rc = roomcode_vtab_db_error(&t->base, t->db, rc);
    roomcode_table_give(t, which, stmt);
    return rc;
}

/*
 * The number that the store's INTEGER column makes of text, as SQLite's affinity does: the
 * text must be a decimal literal, optionally signed, with an optional fraction and
 * exponent, between optional blanks ('1', ' 0 ', '1.0', '1e0'); anything else stays text.
 * Returns 1 with *out set, or 0. (sqlite3_value_numeric_type would do this, but it needs a
 * value of the connection's own, and a copy has none: current SQLite crashes on one.)
 */
static int text_number(const unsigned char *s, int n, double *out) {
    char buf[64];
    int i = 0, j = 0, digits = 0;
    while (i < n && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r')))
        i++;
    while (n > i && (s[n - 1] == ' ' || (s[n - 1] >= '\t' && s[n - 1] <= '\r')))
        n--;
    if (n - i >= (int)sizeof buf)
        return 0; /* no 0 or 1 is written that long but in ways not worth taking */
    const char *point = localeconv()->decimal_point;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        buf[j++] = (char)s[i++];
    for (; i < n && s[i] >= '0' && s[i] <= '9'; digits++)
        buf[j++] = (char)s[i++];
    if (i < n && s[i] == '.') {
        /* strtod reads the locale's decimal point */
        buf[j++] = point && point[0] && !point[1] ? point[0] : '.';
        for (i++; i < n && s[i] >= '0' && s[i] <= '9'; digits++)
            buf[j++] = (char)s[i++];
    }
    if (digits == 0)
        return 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        int exp_digits = 0;
        buf[j++] = (char)s[i++];
        if (i < n && (s[i] == '+' || s[i] == '-'))
            buf[j++] = (char)s[i++];
        for (; i < n && s[i] >= '0' && s[i] <= '9'; exp_digits++)
            buf[j++] = (char)s[i++];
        if (exp_digits == 0)
            return 0;
    }
    if (i != n)
        return 0;
    buf[j] = '\0';
    *out = strtod(buf, 0);
    return 1;
}

/*
 * The 0 or 1 that the store's INTEGER column makes of v, as SQLite's affinity does: text
 * that reads as a number becomes that number, and a real that is a whole number (1.0) an
 * integer; -1 for anything that does not end as integer 0 or 1 (drivers such as PDO bind
 * every value as text, so '1' must be taken as the store takes it).
 */
static int enabled_value(sqlite3_value *v) {
    double d;
    switch (sqlite3_value_type(v)) {
    case SQLITE_INTEGER: {
        sqlite3_int64 e = sqlite3_value_int64(v);
        return e == 0 || e == 1 ? (int)e : -1;
    }
    case SQLITE_FLOAT:
        d = sqlite3_value_double(v);
        break;
    case SQLITE_TEXT: {
        const unsigned char *text = sqlite3_value_text(v);
        if (!text)
            return -2;
        if (!text_number(text, sqlite3_value_bytes(v), &d))
            return -1;
        break;
    }
    default:
        return -1;
    }
    return d == 0.0 ? 0 : d == 1.0 ? 1 : -1;
}

/*
 * Checks the enabled value of an INSERT or UPDATE. NULL on INSERT means enabled. Returns
 * SQLITE_OK with *out 0 or 1, or a refusal.
 */
static int check_enabled(roomcode_table *t, sqlite3_value *v, int *out) {
    int e = enabled_value(v);
    if (e == -2)
        return SQLITE_NOMEM;
    if (e >= 0) {
        *out = e;
        return SQLITE_OK;
    }
    return roomcode_vtab_error(&t->base, SQLITE_CONSTRAINT,
                               roomcode_message_with(v, "roomcode: enabled must be 1 or 0, not "));
}

/* Checks a name column; user_id may also be NULL (not bound to a user). */
static int check_name(roomcode_table *t, const char *what, sqlite3_value *v, int nullable) {
    if (nullable && type_of(v) == SQLITE_NULL)
        return SQLITE_OK;
    char *msg = 0;
    int rc = roomcode_check_name(what, v, 0, &msg);
    return rc == SQLITE_OK ? rc : roomcode_vtab_error(&t->base, rc, msg);
}

/* Replaces a refusal of the store's triggers by a message naming the room or the code. */
static int refuse_from_store(roomcode_table *t, int rc, sqlite3_value *room, const char *code) {
    enum roomcode_store_refusal refusal = roomcode_store_refusal(t->db);
    if (refusal == ROOMCODE_STORE_REFUSED_CAP) {
        char *q = roomcode_describe(room);
        rc = roomcode_vtab_error(
            &t->base, SQLITE_CONSTRAINT,
            q ? sqlite3_mprintf("roomcode: room %s already has %d room codes (limit %d)", q,
                                ROOMCODE_MAX_PER_ROOM, ROOMCODE_MAX_PER_ROOM)
              : 0);
        sqlite3_free(q);
        return rc;
    }
    if (refusal == ROOMCODE_STORE_REFUSED_EXISTS && code) {
        return roomcode_vtab_error(
            &t->base, SQLITE_CONSTRAINT,
            sqlite3_mprintf("roomcode: room code '%s' already exists", code));
    }
    return roomcode_vtab_db_error(&t->base, t->db, rc);
}

/* INSERT of one row; a NULL code mints one. The stored code goes to code_out. */
static int roomcode_table_write_row(roomcode_table *t, sqlite3_value *const *col,
                                    char code[ROOMCODE_LEN + 1]) {
    int enabled = 1;
    int rc = check_name(t, "room_id", col[ROOMCODE_COL_ROOM_ID], 0);
    if (rc == SQLITE_OK)
        rc = check_name(t, "role", col[ROOMCODE_COL_ROLE], 0);
    if (rc == SQLITE_OK)
        rc = check_name(t, "user_id", col[ROOMCODE_COL_USER_ID], 1);
    if (rc == SQLITE_OK && type_of(col[ROOMCODE_COL_ENABLED]) != SQLITE_NULL)
        rc = check_enabled(t, col[ROOMCODE_COL_ENABLED], &enabled);
    for (int i = ROOMCODE_COL_CREATED_AT; i <= ROOMCODE_COL_UPDATED_AT && rc == SQLITE_OK; i++) {
        if (type_of(col[i]) != SQLITE_NULL) {
            rc = roomcode_vtab_error(
                &t->base, SQLITE_CONSTRAINT,
                sqlite3_mprintf("roomcode: %s is set by roomcode, leave it out",
                                i == ROOMCODE_COL_CREATED_AT ? "created_at" : "updated_at"));
        }
    }
    int minted = type_of(col[ROOMCODE_COL_CODE]) == SQLITE_NULL;
    if (rc == SQLITE_OK && !minted) {
        char *msg = 0;
        rc = roomcode_parse_code(col[ROOMCODE_COL_CODE], code, &msg);
        if (rc != SQLITE_OK)
            rc = roomcode_vtab_error(&t->base, rc, msg);
    }
    if (rc != SQLITE_OK)
        return rc;

    sqlite3_stmt *stmt = 0;
    rc = roomcode_table_reserve_mint(t);
    if (rc == SQLITE_OK)
        rc = roomcode_table_take(t, ROOMCODE_STORE_INSERT, &stmt);
    if (rc != SQLITE_OK)
        return roomcode_vtab_db_error(&t->base, t->db, rc);
    /* The checked names and the code stay put until the statement is given back, which
     * clears its bindings: they are bound without copies. */
    rc = bind_name(stmt, 2, col[ROOMCODE_COL_ROOM_ID]);
    if (rc == SQLITE_OK)
        rc = bind_name(stmt, 3, col[ROOMCODE_COL_ROLE]);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int(stmt, 4, enabled);
    if (rc == SQLITE_OK)
        rc = bind_name(stmt, 5, col[ROOMCODE_COL_USER_ID]);
    for (int attempt = 0; rc == SQLITE_OK; attempt++) {
        if (minted)
            roomcode_conn_draw(t->conn, code);
        rc = sqlite3_bind_text(stmt, 1, code, ROOMCODE_LEN, SQLITE_STATIC);
        if (rc == SQLITE_OK)
            rc = run_write(stmt);
        /* A minted code that collides is drawn again; a given one is refused. */
        if (rc == SQLITE_CONSTRAINT && minted && attempt + 1 < MINT_ATTEMPTS &&
            roomcode_store_refusal(t->db) == ROOMCODE_STORE_REFUSED_EXISTS) {
            sqlite3_reset(stmt);
            rc = SQLITE_OK;
            continue;
        }
        break;
    }
    char *role_msg =
        rc == SQLITE_CONSTRAINT
            ? roomcode_templates_role_refusal(t->db, t->schema, t->name, col[ROOMCODE_COL_ROOM_ID],
                                              col[ROOMCODE_COL_ROLE])
            : 0;
    if (role_msg)
        rc = roomcode_vtab_error(&t->base, SQLITE_CONSTRAINT, role_msg);
    else if (rc != SQLITE_OK)
        rc = refuse_from_store(t, rc, col[ROOMCODE_COL_ROOM_ID], code);
    else
        roomcode_table_minted(t, code);
    roomcode_table_give(t, ROOMCODE_STORE_INSERT, stmt);
    return rc;
}

/* Refuses a change of an identity column, naming the code and both values. */
static int refuse_identity(roomcode_table *t, const char *code, const char *what,
                           sqlite3_value *was, sqlite3_value *now) {
    char *a = roomcode_describe(was), *b = roomcode_describe(now);
    int rc = roomcode_vtab_error(
        &t->base, SQLITE_CONSTRAINT,
        a && b ? sqlite3_mprintf("roomcode: %s of room code '%s' cannot change (from %s to %s);"
                                 " only enabled and user_id can",
                                 what, code, a, b)
               : 0);
    sqlite3_free(a);
    sqlite3_free(b);
    return rc;
}

static int same_value(sqlite3_value *a, sqlite3_value *b) {
    if (sqlite3_value_type(a) != sqlite3_value_type(b))
        return 0;
    int n = sqlite3_value_bytes(a);
    return n == sqlite3_value_bytes(b) &&
           memcmp(sqlite3_value_blob(a), sqlite3_value_blob(b), (size_t)n) == 0;
}

/*
 * Identity columns that the UPDATE names are compared with the stored row; those it does
 * not name arrive as "no change" values and cost nothing.
 */
static int check_identity(roomcode_table *t, const char *code, sqlite3_value **col) {
    static const int fixed[] = {ROOMCODE_COL_ROOM_ID, ROOMCODE_COL_ROLE, ROOMCODE_COL_CREATED_AT,
                                ROOMCODE_COL_UPDATED_AT};
    static const char *const names[] = {"room_id", "role", "created_at", "updated_at"};
    int named = 0;
    for (int i = 0; i < 4; i++)
        named |= !sqlite3_value_nochange(col[fixed[i]]);
    if (!named)
        return SQLITE_OK;
    sqlite3_stmt *stmt = 0;
    int rc = roomcode_table_take(t, ROOMCODE_STORE_BY_CODE, &stmt);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(stmt, 1, code, -1, SQLITE_TRANSIENT);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        rc = SQLITE_OK;
        for (int i = 0; i < 4 && rc == SQLITE_OK; i++) {
            sqlite3_value *was = sqlite3_column_value(stmt, fixed[i]);
            if (!sqlite3_value_nochange(col[fixed[i]]) && !same_value(was, col[fixed[i]]))
                rc = refuse_identity(t, code, names[i], was, col[fixed[i]]);
        }
    } else {
        rc = roomcode_vtab_db_error(&t->base, t->db, rc == SQLITE_DONE ? SQLITE_ERROR : rc);
    }
    roomcode_table_give(t, ROOMCODE_STORE_BY_CODE, stmt);
    return rc;
}

/* UPDATE: only enabled and user_id may change. */
static int table_change(roomcode_table *t, sqlite3_value *old_code, sqlite3_value **col) {
    const char *code = (const char *)sqlite3_value_text(old_code);
    if (!code)
        return SQLITE_NOMEM;
    if (!same_value(old_code, col[ROOMCODE_COL_CODE]))
        return refuse_identity(t, code, "code", old_code, col[ROOMCODE_COL_CODE]);
    int rc = check_identity(t, code, col);
    int set_enabled = !sqlite3_value_nochange(col[ROOMCODE_COL_ENABLED]);
    int set_user = !sqlite3_value_nochange(col[ROOMCODE_COL_USER_ID]);
    int enabled = 0;
    if (rc == SQLITE_OK && set_enabled)
        rc = check_enabled(t, col[ROOMCODE_COL_ENABLED], &enabled);
    if (rc == SQLITE_OK && set_user)
        rc = check_name(t, "user_id", col[ROOMCODE_COL_USER_ID], 1);
    if (rc != SQLITE_OK || (!set_enabled && !set_user))
        return rc;
    sqlite3_stmt *stmt = 0;
    rc = roomcode_table_take(t, ROOMCODE_STORE_UPDATE, &stmt);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_value(stmt, 1, old_code);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int(stmt, 2, enabled);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int(stmt, 3, set_enabled);
    if (rc == SQLITE_OK && set_user)
        rc = sqlite3_bind_value(stmt, 4, col[ROOMCODE_COL_USER_ID]);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int(stmt, 5, set_user);
    return finish_write(t, ROOMCODE_STORE_UPDATE, stmt, rc);
}

static int table_delete(roomcode_table *t, sqlite3_value *code) {
    sqlite3_stmt *stmt = 0;
    int rc = roomcode_table_take(t, ROOMCODE_STORE_DELETE, &stmt);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_value(stmt, 1, code);
    return finish_write(t, ROOMCODE_STORE_DELETE, stmt, rc);
}

int roomcode_table_update(sqlite3_vtab *vtab, int argc, sqlite3_value **argv,
                          sqlite3_int64 *rowid) {
    (void)rowid;
    roomcode_table *t = (roomcode_table *)vtab;
    if (argc == 1)
        return table_delete(t, argv[0]);
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        char code[ROOMCODE_LEN + 1];
        return roomcode_table_write_row(t, argv + 2, code);
    }
    return table_change(t, argv[0], argv + 2);
}

/* Runs ROOMCODE_STORE_UPDATE on the code of row i of was: enabled becomes `enabled` (0 when NULL),
 * user_id becomes `user_id` when not NULL (a value; SQL NULL is a value too). */
static int update_row(roomcode_table *t, const roomcode_copied_rows *was, int i,
                      sqlite3_value *enabled, sqlite3_value *user_id) {
    sqlite3_stmt *stmt = 0;
    int rc = roomcode_table_take(t, ROOMCODE_STORE_UPDATE, &stmt);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_value(stmt, 1, roomcode_copied_rows_at(was, i, ROOMCODE_COL_CODE));
    if (rc == SQLITE_OK)
        rc = enabled ? sqlite3_bind_value(stmt, 2, enabled) : sqlite3_bind_int(stmt, 2, 0);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int(stmt, 3, 1);
    if (rc == SQLITE_OK && user_id)
        rc = sqlite3_bind_value(stmt, 4, user_id);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int(stmt, 5, user_id != 0);
    if (rc == SQLITE_OK)
        rc = run_write(stmt);
    roomcode_table_give(t, ROOMCODE_STORE_UPDATE, stmt);
    return rc;
}

int roomcode_table_disable(roomcode_table *t, const roomcode_copied_rows *was, int i) {
    int rc = roomcode_table_changing(t, was, i);
    return rc == SQLITE_OK ? update_row(t, was, i, 0, 0) : rc;
}

int roomcode_table_restore(roomcode_table *t, const roomcode_copied_rows *was, int i) {
    int rc = update_row(t, was, i, roomcode_copied_rows_at(was, i, ROOMCODE_COL_ENABLED),
                        roomcode_copied_rows_at(was, i, ROOMCODE_COL_USER_ID));
    /* the store's trigger touched updated_at: it goes back too */
    sqlite3_stmt *stmt = 0;
    if (rc == SQLITE_OK)
        rc = roomcode_table_take(t, ROOMCODE_STORE_RESTORE_UPDATED_AT, &stmt);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_value(stmt, 1, roomcode_copied_rows_at(was, i, ROOMCODE_COL_CODE));
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_value(stmt, 2, roomcode_copied_rows_at(was, i, ROOMCODE_COL_UPDATED_AT));
    if (rc == SQLITE_OK)
        rc = run_write(stmt);
    roomcode_table_give(t, ROOMCODE_STORE_RESTORE_UPDATED_AT, stmt);
    return rc;
}

int roomcode_table_insert(roomcode_table *t, const roomcode_row *row,
                          char code_out[ROOMCODE_LEN + 1], char **err) {
    int rc = roomcode_table_write_row(t, row->col, code_out);
    /* the message moves to the caller */
    *err = rc == SQLITE_OK ? 0 : t->base.zErrMsg;
    t->base.zErrMsg = 0;
    return rc;
}
