/*
 * Reading the room_codes table: a cursor runs one reading statement on the store, chosen
 * by the plan of table_best_index and fetching only the columns the query uses.
 *
 * A statement may read room_codes and write codes through the extension at once
 * (SELECT roomcode_new(room_id, role) FROM room_codes ...). Its cursor would then meet its
 * own new rows, or skip rows, as the store changes under it. So before any write through
 * the table, each cursor still reading copies the rows it has left (the current one
 * included) and serves those: the statement sees the rows as they were when it started.
 * A cursor filtered after such a write (the inner side of a join) has nothing left to
 * copy: it skips the codes the running statement minted and shows the rows it disabled
 * with their values before (room_codes_mints.c). A cursor that no write meets costs
 * nothing more.
 */
#include <stddef.h>
#include <string.h>

#include "copied_rows.h"
#include "room_codes_cursor.h"

static roomcode_table *table_of(roomcode_cursor *c) { return (roomcode_table *)c->base.pVtab; }

static void stop_reading(roomcode_cursor *c) {
    roomcode_table *t = table_of(c);
    for (roomcode_cursor **p = &t->reading; *p; p = &(*p)->next_reading) {
        if (*p == c) {
            *p = c->next_reading;
            break;
        }
    }
    c->next_reading = 0;
    if (c->stmt)
        roomcode_table_read_give(t, c->plan, c->columns, c->stmt);
    c->stmt = 0;
}

static void free_rows(roomcode_cursor *c) {
    roomcode_copied_rows_clear(&c->rows);
    c->copied = c->at = 0;
}

static void cursor_reset(roomcode_cursor *c) {
    stop_reading(c);
    free_rows(c);
    sqlite3_free(c->hidden);
    c->hidden = 0;
    c->n_hidden = 0;
    roomcode_copied_rows_clear(&c->olds);
    c->eof = 1;
}

void roomcode_table_free_spare(roomcode_table *t) {
    sqlite3_free(t->spare);
    t->spare = 0;
}

/* A lookup opens and closes a cursor; the last one closed is kept for the next. */
int roomcode_table_open(sqlite3_vtab *vtab, sqlite3_vtab_cursor **out) {
    roomcode_table *t = (roomcode_table *)vtab;
    roomcode_cursor *c = t->spare;
    t->spare = 0;
    if (!c)
        c = sqlite3_malloc64(sizeof(*c));
    if (!c)
        return SQLITE_NOMEM;
    memset(c, 0, offsetof(roomcode_cursor, key));
    c->eof = 1;
    c->opened = ++t->serial;
    c->next_open = t->open;
    t->open = c;
    *out = &c->base;
    return SQLITE_OK;
}

int roomcode_table_close(sqlite3_vtab_cursor *cur) {
    roomcode_table *t = (roomcode_table *)cur->pVtab;
    roomcode_cursor *c = (roomcode_cursor *)cur;
    cursor_reset(c);
    for (roomcode_cursor **p = &t->open; *p; p = &(*p)->next_open) {
        if (*p == c) {
            *p = c->next_open;
            break;
        }
    }
    roomcode_table_prune_mints(t);
    if (t->spare || !t->connected)
        sqlite3_free(cur);
    else
        t->spare = (roomcode_cursor *)cur;
    return SQLITE_OK;
}

/* SQLite's last error as the table's message. */
static int cursor_error(roomcode_cursor *c, int rc) {
    return roomcode_vtab_db_error(c->base.pVtab, table_of(c)->db, rc);
}

/* Steps the statement; at its end the statement goes back to the table. */
static int cursor_step(roomcode_cursor *c) {
    int rc = sqlite3_step(c->stmt);
    while (rc == SQLITE_ROW && roomcode_table_row_hidden(c))
        rc = sqlite3_step(c->stmt);
    if (rc == SQLITE_ROW)
        return SQLITE_OK;
    c->eof = 1;
    rc = rc == SQLITE_DONE ? SQLITE_OK : cursor_error(c, rc);
    stop_reading(c);
    return rc;
}

/* Copies the statement's current row to the end of the copied rows. */
static int copy_row(roomcode_cursor *c) {
    c->copied = 1;
    return roomcode_table_row_hidden(c)
               ? SQLITE_OK
               : roomcode_copied_rows_append(&c->rows, c->stmt, c->columns);
}

/* Copies the current row and every row left, and hands the statement back. */
static int copy_rest(roomcode_cursor *c) {
    int rc = copy_row(c);
    /* code is the store's key: a lookup by code has no row after its one */
    while (rc == SQLITE_OK && c->plan != ROOMCODE_PLAN_CODE) {
        rc = sqlite3_step(c->stmt);
        if (rc == SQLITE_ROW)
            rc = copy_row(c);
        else if (rc == SQLITE_DONE)
            break;
        else
            rc = cursor_error(c, rc);
    }
    stop_reading(c);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int roomcode_table_snapshot_readers(roomcode_table *t) {
    int rc = SQLITE_OK;
    while (t->reading && rc == SQLITE_OK)
        rc = copy_rest(t->reading);
    return rc;
}

/*
 * The arguments of a lookup by room_id (and role), each a value or, for an IN operator, a
 * list of them. SQLite compares a key that is not text under the affinity of the query
 * (numeric against an INTEGER column, none in IN (SELECT ...)), which a lookup of the store
 * can not know; so when one is, the cursor scans, and SQLite, which checks every
 * constraint again (table_best_index omits none), keeps the rows that match. NULL matches
 * nothing. Returns SQLITE_OK with *all_text set, or an error.
 */
/* Are a and b the same value, of one type and the same bytes? */
static int same_key(sqlite3_value *a, sqlite3_value *b) {
    int type = sqlite3_value_type(a);
    if (type != sqlite3_value_type(b))
        return 0;
    if (type != SQLITE_TEXT)
        return 0; /* only text keys are looked up; others make a scan */
    const unsigned char *ta = sqlite3_value_text(a), *tb = sqlite3_value_text(b);
    int n = sqlite3_value_bytes(a);
    return ta && tb && n == sqlite3_value_bytes(b) && memcmp(ta, tb, (size_t)n) == 0;
}

static int gather_keys(int argc, sqlite3_value **argv, unsigned in_lists, sqlite3_value **keys[2],
                       int n_keys[2], int *all_text) {
    *all_text = 1;
    for (int i = 0; i < argc; i++) {
        keys[i] = 0;
        n_keys[i] = 0;
        int rc = SQLITE_OK;
        sqlite3_value *v = argv[i];
        if (in_lists & (1u << i))
            rc = sqlite3_vtab_in_first(argv[i], &v);
        for (; rc == SQLITE_OK && v;
             rc = (in_lists & (1u << i)) ? sqlite3_vtab_in_next(argv[i], &v) : SQLITE_DONE) {
            int type = sqlite3_value_type(v);
            if (type == SQLITE_NULL)
                continue;
            if (type != SQLITE_TEXT)
                *all_text = 0;
            /* a list may hold a value twice: one lookup each, or rows come twice */
            int seen = 0;
            for (int k = 0; k < n_keys[i] && !seen; k++)
                seen = same_key(keys[i][k], v);
            if (seen)
                continue;
            sqlite3_value **more =
                sqlite3_realloc64(keys[i], sizeof(*more) * (size_t)(n_keys[i] + 1));
            if (!more)
                return SQLITE_NOMEM;
            keys[i] = more;
            /* the list may hand out the same value object each time */
            keys[i][n_keys[i]] = sqlite3_value_dup(v);
            if (!keys[i][n_keys[i]++])
                return SQLITE_NOMEM;
            if (!(in_lists & (1u << i)))
                break;
        }
        if (rc != SQLITE_OK && rc != SQLITE_DONE)
            return rc;
    }
    return SQLITE_OK;
}

/* Reads the rows of every combination of text keys into the cursor's copied rows. */
static int read_all(roomcode_cursor *c, int argc, sqlite3_value **keys[2], int n_keys[2]) {
    roomcode_table *t = table_of(c);
    int rc = roomcode_table_read_take(t, c->plan, c->columns, &c->stmt);
    int n = argc > 1 ? n_keys[0] * n_keys[1] : n_keys[0];
    for (int k = 0; k < n && rc == SQLITE_OK; k++) {
        for (int i = 0; i < argc && rc == SQLITE_OK; i++) {
            int at = i ? k / n_keys[0] : k % n_keys[0];
            rc = sqlite3_bind_value(c->stmt, i + 1, keys[i][at]);
        }
        while (rc == SQLITE_OK && (rc = sqlite3_step(c->stmt)) == SQLITE_ROW)
            rc = copy_row(c);
        if (rc == SQLITE_DONE)
            rc = SQLITE_OK;
        else if (rc != SQLITE_OK && rc != SQLITE_NOMEM)
            rc = cursor_error(c, rc);
        sqlite3_reset(c->stmt);
    }
    if (c->stmt)
        roomcode_table_read_give(t, c->plan, c->columns, c->stmt);
    c->stmt = 0;
    c->copied = 1;
    c->eof = c->rows.n == 0;
    return rc;
}

/* A lookup by room_id (and role) with an IN list among its keys. */
static int filter_lists(roomcode_cursor *c, int argc, sqlite3_value **argv, unsigned in_lists,
                        int *scan) {
    sqlite3_value **keys[2] = {0, 0};
    int n_keys[2] = {0, 0};
    int all_text = 1;
    int rc = gather_keys(argc, argv, in_lists, keys, n_keys, &all_text);
    if (rc == SQLITE_OK && !all_text)
        *scan = 1;
    else if (rc == SQLITE_OK)
        rc = read_all(c, argc, keys, n_keys);
    for (int i = 0; i < 2; i++) {
        for (int k = 0; k < n_keys[i]; k++)
            sqlite3_value_free(keys[i][k]);
        sqlite3_free(keys[i]);
    }
    return rc;
}

int roomcode_table_filter(sqlite3_vtab_cursor *cur, int plan, const char *idx_str, int argc,
                          sqlite3_value **argv) {
    roomcode_cursor *c = (roomcode_cursor *)cur;
    roomcode_table *t = table_of(c);
    cursor_reset(c);
    int hide = roomcode_table_hide_mints(c);
    if (hide != SQLITE_OK)
        return hide;
    unsigned columns = ROOMCODE_STORE_ALL_COLUMNS, in_lists = 0;
    if (roomcode_table_plan_read(idx_str, &columns, &in_lists) != SQLITE_OK)
        return SQLITE_ERROR; /* not a plan of table_best_index */
    c->plan = plan;
    c->columns = (columns & ROOMCODE_STORE_ALL_COLUMNS) | 1u << ROOMCODE_COL_CODE;
    c->code_len = -1;
    if (in_lists) {
        int scan = 0;
        int rc = filter_lists(c, argc, argv, in_lists, &scan);
        if (rc != SQLITE_OK || !scan)
            return rc;
        c->plan = ROOMCODE_PLAN_SCAN;
        argc = 0;
    }
    /* A stored code is letters: no value but text equals one, under any affinity. Other
     * keys that are not text make a scan, as in gather_keys. */
    for (int i = 0; i < argc; i++) {
        int type = sqlite3_value_type(argv[i]);
        if (type == SQLITE_NULL || (type != SQLITE_TEXT && plan == ROOMCODE_PLAN_CODE))
            return SQLITE_OK;
        if (type != SQLITE_TEXT)
            c->plan = ROOMCODE_PLAN_SCAN, argc = 0;
    }
    /* Text arguments are copied to the cursor and bound from there; text too long to be
     * stored is bound as a copy of its own. */
    int key_len[2] = {-1, -1};
    for (int i = 0; i < argc && i < 2; i++) {
        const unsigned char *text = sqlite3_value_text(argv[i]);
        int len = sqlite3_value_bytes(argv[i]);
        if (text && len <= ROOMCODE_MAX_NAME_BYTES) {
            memcpy(c->key[i], text, (size_t)len);
            key_len[i] = len;
        }
    }
    /* The code is fetched too, to find the row again should SQLite ask for another column
     * (see roomcode_table_column), unless the lookup by code already has it as text. */
    if (c->plan == ROOMCODE_PLAN_CODE && key_len[0] >= 0) {
        c->code_len = key_len[0];
        c->columns &= ~(1u << ROOMCODE_COL_CODE);
    }
    int rc = roomcode_table_read_take(t, c->plan, c->columns, &c->stmt);
    for (int i = 0; i < argc && rc == SQLITE_OK; i++) {
        rc = key_len[i] >= 0
                 ? sqlite3_bind_text(c->stmt, i + 1, c->key[i], key_len[i], SQLITE_STATIC)
                 : sqlite3_bind_value(c->stmt, i + 1, argv[i]);
    }
    if (rc != SQLITE_OK) {
        rc = cursor_error(c, rc);
        stop_reading(c);
        return rc;
    }
    c->next_reading = t->reading;
    t->reading = c;
    c->eof = 0;
    return cursor_step(c);
}

int roomcode_table_next(sqlite3_vtab_cursor *cur) {
    roomcode_cursor *c = (roomcode_cursor *)cur;
    if (c->copied) {
        c->eof = ++c->at >= c->rows.n;
        return SQLITE_OK;
    }
    /* code is the store's key: after its one row, stepping again would only find the end. */
    if (c->plan == ROOMCODE_PLAN_CODE) {
        c->eof = 1;
        stop_reading(c);
        return SQLITE_OK;
    }
    return cursor_step(c);
}

int roomcode_table_eof(sqlite3_vtab_cursor *cur) { return ((roomcode_cursor *)cur)->eof; }

/* Column col of the current row, copied or from the statement. */
static sqlite3_value *value_of(roomcode_cursor *c, int col) {
    return c->copied ? roomcode_copied_rows_at(&c->rows, c->at, col)
                     : sqlite3_column_value(c->stmt, col);
}

/*
 * Hands v to SQLite by its type. Text and blobs are copied (SQLITE_TRANSIENT): they come
 * from the store statement's row or the copied rows, both gone when the cursor moves on,
 * while SQLite may keep a column's value longer. Returns SQLITE_NOMEM when the text could
 * not be read.
 */
static int result_by_type(sqlite3_context *ctx, sqlite3_value *v) {
    switch (v ? sqlite3_value_type(v) : SQLITE_NULL) {
    case SQLITE_INTEGER:
        sqlite3_result_int64(ctx, sqlite3_value_int64(v));
        return SQLITE_OK;
    case SQLITE_FLOAT:
        sqlite3_result_double(ctx, sqlite3_value_double(v));
        return SQLITE_OK;
    case SQLITE_TEXT: {
        const unsigned char *text = sqlite3_value_text(v);
        if (!text)
            return SQLITE_NOMEM;
        sqlite3_result_text(ctx, (const char *)text, sqlite3_value_bytes(v), SQLITE_TRANSIENT);
        return SQLITE_OK;
    }
    case SQLITE_BLOB: {
        const void *blob = sqlite3_value_blob(v);
        int n = sqlite3_value_bytes(v);
        if (!blob && n > 0)
            return SQLITE_NOMEM;
        sqlite3_result_blob(ctx, blob, n, SQLITE_TRANSIENT);
        return SQLITE_OK;
    }
    default:
        sqlite3_result_null(ctx);
        return SQLITE_OK;
    }
}

/* A column the cursor does not fetch: read from the row found again by code. */
static int column_of_row(roomcode_cursor *c, sqlite3_context *ctx, int col) {
    roomcode_table *t = table_of(c);
    sqlite3_stmt *row = 0;
    int rc = roomcode_table_take(t, ROOMCODE_STORE_BY_CODE, &row);
    if (rc == SQLITE_OK && c->code_len >= 0)
        rc = sqlite3_bind_text(row, 1, c->key[0], c->code_len, SQLITE_STATIC);
    else if (rc == SQLITE_OK)
        rc = sqlite3_bind_value(row, 1, value_of(c, ROOMCODE_COL_CODE));
    if (rc == SQLITE_OK)
        rc = sqlite3_step(row);
    if (rc == SQLITE_ROW)
        rc = result_by_type(ctx, sqlite3_column_value(row, col)) == SQLITE_OK ? SQLITE_ROW
                                                                              : SQLITE_NOMEM;
    rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK
                                               : roomcode_vtab_db_error(&t->base, t->db, rc);
    roomcode_table_give(t, ROOMCODE_STORE_BY_CODE, row);
    return rc;
}

/* The current row's values before the running statement changed it, or NULL. */
static sqlite3_value *old_value(roomcode_cursor *c, int col) {
    const struct roomcode_statement_row *h = 0;
    if (c->code_len >= 0) {
        h = roomcode_table_written(c, (const unsigned char *)c->key[0], c->code_len);
    } else {
        sqlite3_value *code = value_of(c, ROOMCODE_COL_CODE);
        h = code ? roomcode_table_written(c, sqlite3_value_text(code), sqlite3_value_bytes(code))
                 : 0;
    }
    return h && h->old >= 0 ? roomcode_copied_rows_at(&c->olds, h->old, col) : 0;
}

int roomcode_table_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col) {
    roomcode_cursor *c = (roomcode_cursor *)cur;
    /* An UPDATE that leaves a column alone need not copy it. */
    if (col != ROOMCODE_COL_CODE && sqlite3_vtab_nochange(ctx))
        return SQLITE_OK;
    sqlite3_value *old = c->n_hidden ? old_value(c, col) : 0;
    if (old)
        return result_by_type(ctx, old);
    if (col == ROOMCODE_COL_CODE && c->code_len >= 0)
        sqlite3_result_text(ctx, c->key[0], c->code_len, SQLITE_TRANSIENT);
    else if (c->columns & (1u << col))
        return result_by_type(ctx, value_of(c, col));
    else
        return column_of_row(c, ctx, col);
    return SQLITE_OK;
}

int roomcode_table_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid) {
    (void)cur;
    (void)rowid;
    return SQLITE_ERROR; /* never called: the table is WITHOUT ROWID */
}
