/*
 * Store snapshots and rule checks (see store_check.h). Copies use malloc, not SQLite's
 * allocator, so that a harness counting SQLite's allocations sees only SQLite's own.
 */
#include "store_check.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The storage DDL of sql/, as the build embeds it: the store's triggers are named there. */
#include "store_sql.h"

static char message[512];

__attribute__((format(printf, 1, 2))) static const char *fail(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    return message;
}

int sc_value_copy(sc_value *to, sqlite3_value *from) {
    memset(to, 0, sizeof *to);
    to->type = sqlite3_value_type(from);
    switch (to->type) {
    case SQLITE_INTEGER:
        to->i = sqlite3_value_int64(from);
        return 1;
    case SQLITE_FLOAT:
        to->r = sqlite3_value_double(from);
        return 1;
    case SQLITE_TEXT:
    case SQLITE_BLOB: {
        const void *p = to->type == SQLITE_TEXT ? (const void *)sqlite3_value_text(from)
                                                : sqlite3_value_blob(from);
        to->n = sqlite3_value_bytes(from);
        if (!p && to->n > 0)
            return 0;
        to->s = malloc((size_t)to->n + 1);
        if (!to->s)
            return 0;
        if (to->n)
            memcpy(to->s, p, (size_t)to->n);
        to->s[to->n] = '\0';
        return 1;
    }
    default:
        return 1;
    }
}

void sc_value_free(sc_value *v) {
    free(v->s);
    v->s = 0;
}

int sc_value_equal(const sc_value *a, const sc_value *b) {
    if (a->type != b->type)
        return 0;
    switch (a->type) {
    case SQLITE_INTEGER:
        return a->i == b->i;
    case SQLITE_FLOAT:
        return memcmp(&a->r, &b->r, sizeof a->r) == 0;
    case SQLITE_TEXT:
    case SQLITE_BLOB:
        return a->n == b->n && (a->n == 0 || memcmp(a->s, b->s, (size_t)a->n) == 0);
    default:
        return 1;
    }
}

int sc_value_is_text(const sc_value *v, const char *s, int n) {
    return v->type == SQLITE_TEXT && v->n == n && (n == 0 || memcmp(v->s, s, (size_t)n) == 0);
}

void sc_free(sc_snapshot *s) {
    for (size_t r = 0; r < s->n; r++)
        for (int c = 0; c < SC_NCOL; c++)
            sc_value_free(&s->rows[r].col[c]);
    free(s->rows);
    memset(s, 0, sizeof *s);
}

int sc_copy(sc_snapshot *to, const sc_snapshot *from) {
    memset(to, 0, sizeof *to);
    to->present = from->present;
    if (from->n == 0)
        return 1;
    to->rows = calloc(from->n, sizeof *to->rows);
    if (!to->rows)
        return 0;
    to->n = from->n;
    for (size_t r = 0; r < from->n; r++) {
        for (int c = 0; c < SC_NCOL; c++) {
            const sc_value *v = &from->rows[r].col[c];
            sc_value *w = &to->rows[r].col[c];
            *w = *v;
            w->s = 0;
            if (v->s) {
                w->s = malloc((size_t)v->n + 1);
                if (!w->s) {
                    sc_free(to);
                    return 0;
                }
                memcpy(w->s, v->s, (size_t)v->n + 1);
            }
        }
    }
    return 1;
}

int sc_take(sqlite3 *db, const char *schema, const char *table, sc_snapshot *out) {
    memset(out, 0, sizeof *out);
    char *sql = sqlite3_mprintf("SELECT count(*) FROM \"%w\".sqlite_schema"
                                " WHERE type = 'table' AND name = '%q_store'",
                                schema, table);
    sqlite3_stmt *stmt = 0;
    int rc = sql ? sqlite3_prepare_v2(db, sql, -1, &stmt, 0) : SQLITE_NOMEM;
    sqlite3_free(sql);
    if (rc == SQLITE_OK && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        out->present = sqlite3_column_int(stmt, 0) > 0;
        rc = SQLITE_OK;
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_OK || !out->present)
        return rc;
    sql = sqlite3_mprintf("SELECT code, room_id, role, enabled, user_id, created_at, updated_at"
                          " FROM \"%w\".\"%w_store\" ORDER BY code",
                          schema, table);
    stmt = 0;
    rc = sql ? sqlite3_prepare_v2(db, sql, -1, &stmt, 0) : SQLITE_NOMEM;
    sqlite3_free(sql);
    size_t cap = 0;
    while (rc == SQLITE_OK && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        rc = SQLITE_OK;
        if (out->n == cap) {
            cap = cap ? 2 * cap : 64;
            sc_row *rows = realloc(out->rows, cap * sizeof *rows);
            if (!rows) {
                rc = SQLITE_NOMEM;
                break;
            }
            out->rows = rows;
        }
        sc_row *row = &out->rows[out->n];
        memset(row, 0, sizeof *row);
        out->n++;
        for (int c = 0; c < SC_NCOL; c++)
            if (!sc_value_copy(&row->col[c], sqlite3_column_value(stmt, c)))
                rc = SQLITE_NOMEM;
    }
    if (rc == SQLITE_DONE)
        rc = SQLITE_OK;
    sqlite3_finalize(stmt);
    if (rc != SQLITE_OK)
        sc_free(out);
    return rc;
}

int sc_row_equal(const sc_row *a, const sc_row *b) {
    for (int c = 0; c < SC_NCOL; c++)
        if (!sc_value_equal(&a->col[c], &b->col[c]))
            return 0;
    return 1;
}

int sc_equal(const sc_snapshot *a, const sc_snapshot *b) {
    if (a->present != b->present || a->n != b->n)
        return 0;
    for (size_t r = 0; r < a->n; r++)
        if (!sc_row_equal(&a->rows[r], &b->rows[r]))
            return 0;
    return 1;
}

const sc_row *sc_find(const sc_snapshot *s, const char *code, int n) {
    for (size_t r = 0; r < s->n; r++)
        if (sc_value_is_text(&s->rows[r].col[SC_CODE], code, n))
            return &s->rows[r];
    return 0;
}

size_t sc_count_room(const sc_snapshot *s, const char *room, int room_n) {
    size_t k = 0;
    for (size_t r = 0; r < s->n; r++)
        k += sc_value_is_text(&s->rows[r].col[SC_ROOM_ID], room, room_n);
    return k;
}

int sc_canonical(const char *s, int n) {
    static const char shape[] = "aaa-aaaa-aaa";
    if (n != (int)sizeof shape - 1)
        return 0;
    for (int i = 0; i < n; i++) {
        if (shape[i] == '-' ? s[i] != '-' : !(s[i] >= 'a' && s[i] <= 'z'))
            return 0;
    }
    return 1;
}

int sc_valid_utf8(const char *z, int n) {
    const unsigned char *s = (const unsigned char *)z;
    for (int i = 0; i < n;) {
        unsigned c = s[i];
        int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (!len || i + len > n)
            return 0;
        unsigned cp = len == 1 ? c : c & (0x3F >> (len - 1));
        for (int k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return 0;
            cp = cp << 6 | (s[i + k] & 0x3F);
        }
        static const unsigned min[5] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < min[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += len;
    }
    return 1;
}

int sc_storable_name(const char *s, int n) {
    if (n < 1 || n > 256)
        return 0;
    for (int i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7F)
            return 0;
    }
    return 1;
}

int sc_valid_name(const char *s, int n) { return sc_storable_name(s, n) && sc_valid_utf8(s, n); }

static int digits(const char *s, int n) {
    int v = 0;
    for (int i = 0; i < n; i++)
        v = 10 * v + (s[i] - '0');
    return v;
}

/* An instant of the Gregorian calendar in UTC, YYYY-MM-DDTHH:MM:SS.SSSZ. */
static int valid_timestamp(const sc_value *v) {
    static const char shape[] = "dddd-dd-ddTdd:dd:dd.dddZ";
    static const int month_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (v->type != SQLITE_TEXT || v->n != (int)sizeof shape - 1)
        return 0;
    for (int i = 0; i < v->n; i++) {
        if (shape[i] == 'd' ? !(v->s[i] >= '0' && v->s[i] <= '9') : v->s[i] != shape[i])
            return 0;
    }
    int year = digits(v->s, 4), month = digits(v->s + 5, 2), day = digits(v->s + 8, 2);
    int leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    if (month < 1 || month > 12 || day < 1 || day > month_days[month - 1] + (month == 2 && leap))
        return 0;
    return digits(v->s + 11, 2) < 24 && digits(v->s + 14, 2) < 60 && digits(v->s + 17, 2) < 60;
}

static int compare_rooms(const void *a, const void *b) {
    const sc_value *x = *(const sc_value *const *)a, *y = *(const sc_value *const *)b;
    int n = x->n < y->n ? x->n : y->n;
    int c = n > 0 ? memcmp(x->s, y->s, (size_t)n) : 0;
    return c ? c : (x->n > y->n) - (x->n < y->n);
}

const char *sc_check_rules(const sc_snapshot *s) {
    for (size_t r = 0; r < s->n; r++) {
        const sc_row *row = &s->rows[r];
        const sc_value *code = &row->col[SC_CODE];
        if (code->type != SQLITE_TEXT || !sc_canonical(code->s, code->n))
            return fail("stored code %s is not canonical (row %ld)",
                        code->type == SQLITE_TEXT ? code->s : "(not text)", (long)r);
        if (r > 0 && sc_value_equal(code, &s->rows[r - 1].col[SC_CODE]))
            return fail("code %s is stored twice", code->s);
        const sc_value *en = &row->col[SC_ENABLED];
        if (en->type != SQLITE_INTEGER || (en->i != 0 && en->i != 1))
            return fail("code %s has enabled of type %d, not 0 or 1", code->s, en->type);
        for (int c = SC_ROOM_ID; c <= SC_USER_ID; c++) {
            if (c == SC_ENABLED || (c == SC_USER_ID && row->col[c].type == SQLITE_NULL))
                continue;
            const sc_value *v = &row->col[c];
            if (v->type != SQLITE_TEXT || !sc_storable_name(v->s, v->n))
                return fail("code %s has an invalid name in column %d", code->s, c);
        }
        if (!valid_timestamp(&row->col[SC_CREATED_AT]) ||
            !valid_timestamp(&row->col[SC_UPDATED_AT]))
            return fail("code %s has a malformed timestamp", code->s);
        if (memcmp(row->col[SC_UPDATED_AT].s, row->col[SC_CREATED_AT].s, 24) < 0)
            return fail("code %s was updated before it was created", code->s);
    }
    if (s->n == 0)
        return 0;
    const sc_value **rooms = malloc(s->n * sizeof *rooms);
    if (!rooms)
        return "out of memory in sc_check_rules";
    for (size_t r = 0; r < s->n; r++)
        rooms[r] = &s->rows[r].col[SC_ROOM_ID];
    qsort(rooms, s->n, sizeof *rooms, compare_rooms);
    const char *bad = 0;
    for (size_t r = 0, run = 1; r < s->n && !bad; r++, run++) {
        if (r > 0 && compare_rooms(&rooms[r], &rooms[r - 1]) != 0)
            run = 1;
        if (run > 100)
            bad = fail("room '%s' holds %ld codes, more than 100", rooms[r]->s, (long)run);
    }
    free(rooms);
    return bad;
}

const char *sc_check_identity(const sc_snapshot *before, const sc_snapshot *after) {
    /* Both are in code order: walk them together. */
    size_t i = 0, j = 0;
    while (i < before->n && j < after->n) {
        const sc_row *a = &before->rows[i], *b = &after->rows[j];
        int c = compare_rooms(&(const sc_value *){&a->col[SC_CODE]},
                              &(const sc_value *){&b->col[SC_CODE]});
        if (c < 0) {
            i++;
        } else if (c > 0) {
            j++;
        } else {
            static const int fixed[] = {SC_ROOM_ID, SC_ROLE, SC_CREATED_AT};
            for (int k = 0; k < 3; k++)
                if (!sc_value_equal(&a->col[fixed[k]], &b->col[fixed[k]]))
                    return fail("code %s changed its identity column %d", a->col[SC_CODE].s,
                                fixed[k]);
            i++;
            j++;
        }
    }
    return 0;
}

static int compare_names(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * The trigger names sql/store_triggers.sql gives the store of table, in name order and
 * separated by spaces, as the schema query below lists them.
 */
static void expected_triggers(const char *table, char *out, size_t size) {
    const char *sorted[16];
    int n = roomcode_sql_n_triggers < 16 ? roomcode_sql_n_triggers : 16;
    for (int i = 0; i < n; i++)
        sorted[i] = roomcode_sql_triggers[i].suffix;
    qsort(sorted, (size_t)n, sizeof *sorted, compare_names);
    size_t used = 0;
    out[0] = '\0';
    for (int i = 0; i < n && used < size; i++)
        used += (size_t)snprintf(out + used, size - used, "%s%s_store_%s", i ? " " : "", table,
                                 sorted[i]);
}

const char *sc_check_schema(sqlite3 *db, const char *schema, const char *table, int present,
                            int quick) {
    sqlite3_stmt *stmt = 0;
    char *sql =
        sqlite3_mprintf("PRAGMA \"%w\".%s", schema, quick ? "quick_check" : "integrity_check");
    int rc = sql ? sqlite3_prepare_v2(db, sql, -1, &stmt, 0) : SQLITE_NOMEM;
    sqlite3_free(sql);
    const char *bad = 0;
    if (rc == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW) {
        const char *r = (const char *)sqlite3_column_text(stmt, 0);
        if (!r || strcmp(r, "ok") != 0)
            bad = fail("integrity check: %s", r ? r : "(null)");
    } else {
        bad = fail("integrity check could not run: %s", sqlite3_errmsg(db));
    }
    sqlite3_finalize(stmt);
    if (bad || !present)
        return bad;
    sql =
        sqlite3_mprintf("SELECT group_concat(name, ' ') FROM (SELECT name FROM \"%w\".sqlite_schema"
                        " WHERE type = 'trigger' AND tbl_name = '%q_store'"
                        /* the templates' trigger on the store is theirs to check */
                        " AND name <> '%q_rooms_role_of_code' ORDER BY name)",
                        schema, table, table);
    stmt = 0;
    rc = sql ? sqlite3_prepare_v2(db, sql, -1, &stmt, 0) : SQLITE_NOMEM;
    if (rc == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW) {
        char want[1024];
        expected_triggers(table, want, sizeof want);
        const char *got = (const char *)sqlite3_column_text(stmt, 0);
        if (!got || strcmp(got, want) != 0)
            bad = fail("store triggers are '%s', not '%s' of sql/store_triggers.sql",
                       got ? got : "(none)", want);
    } else {
        bad = fail("reading the triggers failed: %s", sqlite3_errmsg(db));
    }
    sqlite3_free(sql);
    sqlite3_finalize(stmt);
    return bad;
}

static int affinity_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static int affinity_digit(char c) { return c >= '0' && c <= '9'; }

/* A real converts only when it is exactly an integer inside the 64-bit range (open ends). */
static int real_to_integer(double r, sqlite3_int64 *out) {
    if (!(r > -9223372036854775808.0 && r < 9223372036854775808.0))
        return 0;
    sqlite3_int64 x = (sqlite3_int64)r;
    if ((double)x != r || x == INT64_MIN || x == INT64_MAX)
        return 0;
    *out = x;
    return 1;
}

int sc_integer_affinity(int type, sqlite3_int64 i, double r, const char *s, int n,
                        sqlite3_int64 *out) {
    if (type == SQLITE_INTEGER) {
        *out = i;
        return 1;
    }
    if (type == SQLITE_FLOAT)
        return real_to_integer(r, out);
    if (type != SQLITE_TEXT || n <= 0)
        return 0;
    /* [spaces] [sign] (digits [. digits*] | . digits) [e [sign] digits] [spaces] */
    int a = 0, b = n;
    while (a < b && affinity_space(s[a]))
        a++;
    while (b > a && affinity_space(s[b - 1]))
        b--;
    int k = a, mantissa = 0, exponent_digits = 0;
    if (k < b && (s[k] == '+' || s[k] == '-'))
        k++;
    while (k < b && affinity_digit(s[k]))
        k++, mantissa++;
    if (k < b && s[k] == '.')
        for (k++; k < b && affinity_digit(s[k]); k++)
            mantissa++;
    if (mantissa == 0)
        return 0;
    if (k < b && (s[k] == 'e' || s[k] == 'E')) {
        k++;
        if (k < b && (s[k] == '+' || s[k] == '-'))
            k++;
        while (k < b && affinity_digit(s[k]))
            k++, exponent_digits++;
        if (exponent_digits == 0)
            return 0;
    }
    if (k != b)
        return 0;
    char *buf = malloc((size_t)(b - a) + 1);
    if (!buf)
        abort();
    memcpy(buf, s + a, (size_t)(b - a));
    buf[b - a] = '\0';
    int converts = 0;
    /* An integer literal converts to its exact value when it fits in 64 bits. */
    if (!strpbrk(buf, ".eE")) {
        errno = 0;
        char *end;
        long long v = strtoll(buf, &end, 10);
        if (errno == 0 && *end == '\0') {
            *out = v;
            converts = 1;
        }
    }
    if (!converts)
        converts = real_to_integer(strtod(buf, NULL), out);
    free(buf);
    return converts;
}
