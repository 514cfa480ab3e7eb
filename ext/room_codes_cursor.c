/*
 * Reading the room_codes table: a cursor runs one reading statement on the store, chosen
 * by the plan of table_best_index and fetching only the columns the query uses.
 *
 * A statement may read room_codes and write codes through the extension at once
 * (SELECT roomcode_new(room_id, role) FROM room_codes ...). Its cursor would then meet its
 * own new rows, or skip rows, as the store changes under it. So before any write through
 * the table, each cursor still reading copies the rows it has left (the current one
 * included) and serves those: the statement sees the rows as they were when it started.
 * A cursor that no write meets costs nothing more.
 */
#include <stddef.h>
#include <string.h>

#include "room_codes_private.h"

struct room_codes_cursor {
    sqlite3_vtab_cursor base;
    room_codes_cursor *next_reading; /* in the table's list while stmt reads */
    int plan;
    unsigned columns; /* those stmt fetches (bit COL_x); the others read as NULL */
    sqlite3_stmt *stmt;
    int eof;
    int code_len; /* for a lookup by code given as text: the code is key[0] */
    /* The copied rows, N_COLUMNS values each (NULL where not fetched), once a write met
     * the cursor; `at` is the current one. */
    sqlite3_value **rows;
    int n_rows, at;
    /* Copies of xFilter's text arguments, bound without a copy of their own: the
     * statement reads them until it is reset, when xFilter's argv may be gone. */
    char key[2][ROOMCODE_MAX_NAME_BYTES];
};

static room_codes_table *table_of(room_codes_cursor *c) {
    return (room_codes_table *)c->base.pVtab;
}

static void stop_reading(room_codes_cursor *c) {
    room_codes_table *t = table_of(c);
    for (room_codes_cursor **p = &t->reading; *p; p = &(*p)->next_reading) {
        if (*p == c) {
            *p = c->next_reading;
            break;
        }
    }
    c->next_reading = 0;
    if (c->stmt)
        room_codes_read_give(t, c->plan, c->columns, c->stmt);
    c->stmt = 0;
}

static void free_rows(room_codes_cursor *c) {
    for (int i = 0; i < c->n_rows * N_COLUMNS; i++)
        sqlite3_value_free(c->rows[i]);
    sqlite3_free(c->rows);
    c->rows = 0;
    c->n_rows = c->at = 0;
}

static void cursor_reset(room_codes_cursor *c) {
    stop_reading(c);
    free_rows(c);
    c->eof = 1;
}

void room_codes_free_spare(room_codes_table *t) {
    sqlite3_free(t->spare);
    t->spare = 0;
}

/* A lookup opens and closes a cursor; the last one closed is kept for the next. */
int room_codes_open(sqlite3_vtab *vtab, sqlite3_vtab_cursor **out) {
    room_codes_table *t = (room_codes_table *)vtab;
    room_codes_cursor *c = t->spare;
    t->spare = 0;
    if (!c)
        c = sqlite3_malloc64(sizeof(*c));
    if (!c)
        return SQLITE_NOMEM;
    memset(c, 0, offsetof(room_codes_cursor, key));
    c->eof = 1;
    *out = &c->base;
    return SQLITE_OK;
}

int room_codes_close(sqlite3_vtab_cursor *cur) {
    room_codes_table *t = (room_codes_table *)cur->pVtab;
    cursor_reset((room_codes_cursor *)cur);
    if (t->spare || !t->connected)
        sqlite3_free(cur);
    else
        t->spare = (room_codes_cursor *)cur;
    return SQLITE_OK;
}

/* SQLite's last error as the table's message. */
static int cursor_error(room_codes_cursor *c, int rc) {
    return roomcode_vtab_db_error(c->base.pVtab, table_of(c)->db, rc);
}

/* Steps the statement; at its end the statement goes back to the table. */
static int cursor_step(room_codes_cursor *c) {
    int rc = sqlite3_step(c->stmt);
    if (rc == SQLITE_ROW)
        return SQLITE_OK;
    c->eof = 1;
    rc = rc == SQLITE_DONE ? SQLITE_OK : cursor_error(c, rc);
    stop_reading(c);
    return rc;
}

/* Copies the statement's current row to the end of the copied rows. */
static int copy_row(room_codes_cursor *c) {
    sqlite3_value **rows =
        sqlite3_realloc64(c->rows, sizeof(*rows) * (size_t)(c->n_rows + 1) * N_COLUMNS);
    if (!rows)
        return SQLITE_NOMEM;
    c->rows = rows;
    sqlite3_value **row = rows + (size_t)c->n_rows * N_COLUMNS;
    memset(row, 0, sizeof(*row) * N_COLUMNS);
    c->n_rows++;
    for (int col = 0; col < N_COLUMNS; col++) {
        if (!(c->columns & (1u << col)))
            continue;
        row[col] = sqlite3_value_dup(sqlite3_column_value(c->stmt, col));
        if (!row[col])
            return SQLITE_NOMEM;
    }
    return SQLITE_OK;
}

/* Copies the current row and every row left, and hands the statement back. */
static int copy_rest(room_codes_cursor *c) {
    int rc = copy_row(c);
    /* code is the store's key: a lookup by code has no row after its one */
    while (rc == SQLITE_OK && c->plan != PLAN_CODE) {
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

int room_codes_snapshot_readers(room_codes_table *t) {
    int rc = SQLITE_OK;
    while (t->reading && rc == SQLITE_OK)
        rc = copy_rest(t->reading);
    return rc;
}

int room_codes_filter(sqlite3_vtab_cursor *cur, int plan, const char *idx_str, int argc,
                      sqlite3_value **argv) {
    room_codes_cursor *c = (room_codes_cursor *)cur;
    room_codes_table *t = table_of(c);
    cursor_reset(c);
    c->plan = plan;
    /* Text arguments are copied to the cursor and bound from there; other types, and
     * text too long to be stored, are bound as copies of their own. */
    int key_len[2] = {-1, -1};
    for (int i = 0; i < argc && i < 2; i++) {
        if (sqlite3_value_type(argv[i]) != SQLITE_TEXT)
            continue;
        const unsigned char *text = sqlite3_value_text(argv[i]);
        int n = sqlite3_value_bytes(argv[i]);
        if (text && n <= ROOMCODE_MAX_NAME_BYTES) {
            memcpy(c->key[i], text, (size_t)n);
            key_len[i] = n;
        }
    }
    /* The code is fetched too, to find the row again should SQLite ask for another column
     * (see room_codes_column), unless the lookup by code already has it as text. */
    c->code_len = plan == PLAN_CODE ? key_len[0] : -1;
    c->columns = (unsigned char)idx_str[strlen(idx_str) + 1];
    if (c->code_len < 0)
        c->columns |= 1u << COL_CODE;
    else
        c->columns &= ~(1u << COL_CODE);
    int rc = room_codes_read_take(t, plan, c->columns, &c->stmt);
    for (int i = 0; i < argc && rc == SQLITE_OK; i++) {
        rc = i < 2 && key_len[i] >= 0
                 ? sqlite3_bind_text(c->stmt, i + 1, c->key[i], key_len[i], SQLITE_STATIC)
                 : sqlite3_bind_value(c->stmt, i + 1, argv[i]);
    }
    if (rc != SQLITE_OK) {
        rc = roomcode_vtab_db_error(&t->base, t->db, rc);
        stop_reading(c);
        return rc;
    }
    c->next_reading = t->reading;
    t->reading = c;
    c->eof = 0;
    return cursor_step(c);
}

int room_codes_next(sqlite3_vtab_cursor *cur) {
    room_codes_cursor *c = (room_codes_cursor *)cur;
    if (c->rows) {
        c->eof = ++c->at >= c->n_rows;
        return SQLITE_OK;
    }
    /* code is the store's key: after its one row, stepping again would only find the end. */
    if (c->plan == PLAN_CODE) {
        c->eof = 1;
        stop_reading(c);
        return SQLITE_OK;
    }
    return cursor_step(c);
}

int room_codes_eof(sqlite3_vtab_cursor *cur) { return ((room_codes_cursor *)cur)->eof; }

/* Column col of the current row, copied or from the statement. */
static sqlite3_value *value_of(room_codes_cursor *c, int col) {
    return c->rows ? c->rows[(size_t)c->at * N_COLUMNS + col] : sqlite3_column_value(c->stmt, col);
}

/* A column the cursor does not fetch: read from the row found again by code. */
static int column_of_row(room_codes_cursor *c, sqlite3_context *ctx, int col) {
    room_codes_table *t = table_of(c);
    sqlite3_stmt *row = 0;
    int rc = room_codes_take(t, STORE_BY_CODE, &row);
    if (rc == SQLITE_OK && c->code_len >= 0)
        rc = sqlite3_bind_text(row, 1, c->key[0], c->code_len, SQLITE_STATIC);
    else if (rc == SQLITE_OK)
        rc = sqlite3_bind_value(row, 1, value_of(c, COL_CODE));
    if (rc == SQLITE_OK)
        rc = sqlite3_step(row);
    if (rc == SQLITE_ROW)
        sqlite3_result_value(ctx, sqlite3_column_value(row, col));
    rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK
                                               : roomcode_vtab_db_error(&t->base, t->db, rc);
    room_codes_give(t, STORE_BY_CODE, row);
    return rc;
}

int room_codes_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col) {
    room_codes_cursor *c = (room_codes_cursor *)cur;
    /* An UPDATE that leaves a column alone need not copy it. */
    if (col != COL_CODE && sqlite3_vtab_nochange(ctx))
        return SQLITE_OK;
    if (col == COL_CODE && c->code_len >= 0)
        sqlite3_result_text(ctx, c->key[0], c->code_len, SQLITE_TRANSIENT);
    else if (c->columns & (1u << col))
        sqlite3_result_value(ctx, value_of(c, col));
    else
        return column_of_row(c, ctx, col);
    return SQLITE_OK;
}

int room_codes_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid) {
    (void)cur;
    (void)rowid;
    return SQLITE_ERROR; /* never called: the table is WITHOUT ROWID */
}
