/*
 * The codes minted and rows changed by the running statement, kept while cursors of the
 * table are open (roomcode_table_minted, roomcode_table_changing), and what a cursor filtered
 * later makes of them: it skips a code its own statement minted and shows a row it changed
 * with its values before, so the statement sees the table as it was when it started.
 */
#include <string.h>

#include "copied_rows.h"
#include "room_codes_cursor.h"

void roomcode_table_prune_mints(roomcode_table *t) {
    unsigned long oldest = ~0ul;
    for (roomcode_cursor *c = t->open; c; c = c->next_open)
        oldest = c->opened < oldest ? c->opened : oldest;
    int kept = 0;
    for (int i = 0; i < t->n_mints; i++) {
        if (t->mints[i].serial >= oldest)
            t->mints[kept++] = t->mints[i];
        else
            roomcode_copied_rows_clear(&t->mints[i].was);
    }
    t->n_mints = kept;
}

void roomcode_table_free_mints(roomcode_table *t) {
    for (int i = 0; i < t->n_mints; i++)
        roomcode_copied_rows_clear(&t->mints[i].was);
    sqlite3_free(t->mints);
    t->mints = 0;
    t->n_mints = t->cap_mints = 0;
}

/* Is p the store statement of one of t's cursors? */
static int cursor_statement(roomcode_table *t, sqlite3_stmt *p) {
    for (roomcode_cursor *c = t->open; c; c = c->next_open) {
        if (c->stmt == p)
            return 1;
    }
    return 0;
}

/* The app's statements running now (not the store statements of t's cursors): their
 * number, up to max, or -1 past it. */
static int app_statements(roomcode_table *t, sqlite3_stmt **out, int max) {
    int n = 0;
    for (sqlite3_stmt *p = sqlite3_next_stmt(t->db, 0); p; p = sqlite3_next_stmt(t->db, p)) {
        if (!sqlite3_stmt_busy(p) || cursor_statement(t, p))
            continue;
        if (n == max)
            return -1;
        out[n++] = p;
    }
    return n;
}

int roomcode_table_reserve_mint(roomcode_table *t) {
    if (!t->open || t->n_mints < t->cap_mints)
        return SQLITE_OK;
    int cap = t->cap_mints ? 2 * t->cap_mints : 8;
    roomcode_statement_mint *more = sqlite3_realloc64(t->mints, sizeof(*more) * (size_t)cap);
    if (!more)
        return SQLITE_NOMEM;
    t->mints = more;
    t->cap_mints = cap;
    return SQLITE_OK;
}

/* Keeps code, minted or changed now, with the app's statements running (room space
 * reserved); its row before, if any, goes to was after. */
static roomcode_statement_mint *keep(roomcode_table *t, const char *code) {
    roomcode_statement_mint *m = &t->mints[t->n_mints++];
    memset(m, 0, sizeof(*m));
    memcpy(m->code, code, ROOMCODE_LEN);
    m->serial = t->serial;
    m->n_busy = app_statements(t, m->busy, ROOMCODE_MINT_BUSY_MAX);
    return m;
}

void roomcode_table_minted(roomcode_table *t, const char *code) {
    if (!t->open)
        return;
    roomcode_table_prune_mints(t);
    if (t->n_mints < t->cap_mints) /* reserved by roomcode_table_reserve_mint before the write */
        keep(t, code);
}

int roomcode_table_changing(roomcode_table *t, const roomcode_copied_rows *was, int i) {
    if (!t->open)
        return SQLITE_OK;
    roomcode_table_prune_mints(t);
    /* the store's key, text of ROOMCODE_LEN letters (a copy: reading it allocates nothing) */
    const unsigned char *text =
        sqlite3_value_text(roomcode_copied_rows_at(was, i, ROOMCODE_COL_CODE));
    if (!text)
        return SQLITE_NOMEM;
    if (sqlite3_value_bytes(roomcode_copied_rows_at(was, i, ROOMCODE_COL_CODE)) != ROOMCODE_LEN)
        return SQLITE_OK; /* no cursor compares another length (see written) */
    int rc = roomcode_table_reserve_mint(t);
    if (rc != SQLITE_OK)
        return rc;
    roomcode_statement_mint *m = keep(t, (const char *)text);
    rc = roomcode_copied_rows_append_copy(&m->was, was, i);
    if (rc != SQLITE_OK) {
        roomcode_copied_rows_clear(&m->was);
        t->n_mints--;
    }
    return rc;
}

int roomcode_table_hide_mints(roomcode_cursor *c) {
    roomcode_table *t = (roomcode_table *)c->base.pVtab;
    roomcode_table_prune_mints(t);
    if (t->n_mints == 0)
        return SQLITE_OK;
    sqlite3_stmt *now[ROOMCODE_MINT_BUSY_MAX];
    int n_now = app_statements(t, now, ROOMCODE_MINT_BUSY_MAX);
    if (n_now < 0)
        return SQLITE_OK;
    c->hidden = sqlite3_malloc64(sizeof(*c->hidden) * (size_t)t->n_mints);
    if (!c->hidden)
        return SQLITE_NOMEM;
    for (int i = 0; i < t->n_mints; i++) {
        const roomcode_statement_mint *m = &t->mints[i];
        int all = m->n_busy >= 0;
        for (int k = 0; k < n_now && all; k++) {
            int found = 0;
            for (int j = 0; j < m->n_busy && !found; j++)
                found = m->busy[j] == now[k];
            all = found;
        }
        if (!all)
            continue;
        struct roomcode_statement_row *h = &c->hidden[c->n_hidden++];
        memcpy(h->code, m->code, ROOMCODE_LEN + 1);
        h->old = m->was.n ? c->olds.n : -1;
        if (m->was.n && roomcode_copied_rows_append_copy(&c->olds, &m->was, 0) != SQLITE_OK)
            return SQLITE_NOMEM;
    }
    return SQLITE_OK;
}

const struct roomcode_statement_row *roomcode_table_written(const roomcode_cursor *c,
                                                            const unsigned char *code, int len) {
    for (int i = 0; code && len == ROOMCODE_LEN && i < c->n_hidden; i++) {
        if (memcmp(c->hidden[i].code, code, ROOMCODE_LEN) == 0)
            return &c->hidden[i];
    }
    return 0;
}

int roomcode_table_row_hidden(roomcode_cursor *c) {
    if (c->n_hidden == 0)
        return 0;
    const struct roomcode_statement_row *h =
        c->code_len >= 0
            ? roomcode_table_written(c, (const unsigned char *)c->key[0], c->code_len)
            : roomcode_table_written(c, sqlite3_column_text(c->stmt, ROOMCODE_COL_CODE),
                                     sqlite3_column_bytes(c->stmt, ROOMCODE_COL_CODE));
    return h && h->old < 0;
}
