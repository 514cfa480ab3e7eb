/*
 * libFuzzer target for the room_codes virtual table and the functions that write it. The
 * extension is compiled in (-DSQLITE_CORE) and registered on a fresh in-memory database
 * per input; the input is decoded into a sequence of operations (INSERT minting and
 * importing, multi-row INSERT, UPDATE, DELETE, lookups, roomcode_new, roomcode_create,
 * transactions and savepoints, renames, DROP, direct writes to the store, an app trigger
 * that writes codes, a reader left open across writes) with fuzz-chosen room ids, roles,
 * user ids and codes, valid and invalid, and every conflict clause.
 *
 * After each operation the store is read as a plain table and judged by the storage rules with
 * tests/support/store_check.c: every code canonical and unique, at most 100 per room,
 * enabled 0 or 1, names well formed, identity columns unchanged, a failed statement
 * changed nothing (or, for OR FAIL and OR ROLLBACK, exactly what SQLite says); and where
 * the outcome is predictable from the inputs (it mostly is), the exact outcome: which
 * statements must succeed, which rows they add, change, remove or return. Error messages
 * must be valid UTF-8, and refusals must be the extension's own ("roomcode: ...").
 *
 * Inputs with flags bit 4 also get environment operations (decoded after the others, so
 * inputs without the bit decode as they always did): a second connection to the same
 * database (a memdb file) runs DDL on room_codes (DROP, CREATE, RENAME, a view in its
 * place), on a plain table, and writes; the first attaches and detaches aux, which holds
 * its own room_codes; a temp view named room_codes hides the tables; sqlite3_serialize and
 * sqlite3_deserialize replace main; the extension is loaded again or its modules dropped.
 * After each, the first connection's roomcode_new, roomcode_create and roomcode_token
 * either work on the table an unqualified room_codes names now (temp, main, then aux) or
 * fail with "roomcode: ...", and both connections close with SQLITE_OK.
 *
 * Inputs with flags bit 5 also get roomcode_rotate (from a SELECT and from a statement that
 * writes), roomcode_json and roomcode_room_json, checked against the store read before and
 * after: one new code of the same room, role and user, the old one disabled, nothing else
 * changed; or a refusal that changed nothing.
 *
 * Inputs with flags bit 6 also get roomcode_check, its verdict predicted from the store;
 * now and then the code's room is registered with a template of its codes' roles
 * (room_codes_templates, room_codes_rooms), disabled, checked and unregistered again.
 *
 * Randomness is libsodium's, replaced by a deterministic generator seeded from the input
 * (so crashes reproduce); a few inputs get a low-entropy or constant generator, so minting
 * collides and the retry path runs. FUZZ_SQL_TRACE=1 build/fuzz/fuzz_sql FILE replays an
 * input printing each statement, its arguments and its outcome.
 */
#include <sodium.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "code_format.h"
#include "store_check.h"

int sqlite3_roomcode_init(sqlite3 *db, char **err, const sqlite3_api_routines *api);

#define MAX_OPS 48
#define MAX_TEXT 300
#define MAX_ROWS 2000

static const char *current_sql = "";

#define CHECK(cond) check_at((cond) ? 1 : 0, #cond, __LINE__, 0)
#define CHECK_MSG(cond, msg) check_at((cond) ? 1 : 0, #cond, __LINE__, msg)

static void check_at(int ok, const char *what, int line, const char *msg) {
    if (ok)
        return;
    fprintf(stderr, "fuzz_sql.c:%d: invariant failed: %s\n", line, what);
    if (msg)
        fprintf(stderr, "  %s\n", msg);
    fprintf(stderr, "  last statement: %s\n", current_sql);
    abort();
}

/* ---- deterministic randomness for libsodium ---- */

static int rng_mode; /* 0 uniform, 1 two letters only, 2 all zero bytes */
static uint64_t rng_state;

static uint64_t splitmix64(void) {
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static void det_buf(void *const buf, const size_t size) {
    unsigned char *b = buf;
    for (size_t i = 0; i < size; i++) {
        uint64_t v = splitmix64();
        b[i] = rng_mode == 0 ? (unsigned char)v : rng_mode == 1 ? (unsigned char)(v & 1) : 0;
    }
}

static uint32_t det_random(void) {
    uint32_t v;
    det_buf(&v, sizeof v);
    return v;
}

static const char *det_name(void) { return "roomcode-fuzz"; }

static randombytes_implementation det_impl = {det_name, det_random, NULL, NULL, det_buf, NULL};

static int trace;     /* FUZZ_SQL_TRACE=1 prints every statement, its arguments and outcome */
static sqlite3 *side; /* a plain connection: JSON for roomcode_create's roles */

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    randombytes_set_implementation(&det_impl);
    if (sodium_init() < 0 || sqlite3_open(":memory:", &side) != SQLITE_OK)
        abort();
    trace = getenv("FUZZ_SQL_TRACE") != NULL;
    return 0;
}

/* ---- input decoding ---- */

typedef struct reader {
    const uint8_t *p, *end;
} reader;

static unsigned rd(reader *r) { return r->p < r->end ? *r->p++ : 0; }

typedef struct fval {
    int type;
    sqlite3_int64 i;
    double d;
    int n;
    char s[MAX_TEXT + 1];
} fval;

static void set_null(fval *v) {
    memset(v, 0, sizeof *v);
    v->type = SQLITE_NULL;
}

static void set_int(fval *v, sqlite3_int64 i) {
    set_null(v);
    v->type = SQLITE_INTEGER;
    v->i = i;
}

static void set_real(fval *v, double d) {
    set_null(v);
    v->type = SQLITE_FLOAT;
    v->d = d;
}

static void set_bytes(fval *v, int type, const char *s, int n) {
    set_null(v);
    v->type = type;
    v->n = n > MAX_TEXT ? MAX_TEXT : n;
    memcpy(v->s, s, (size_t)v->n);
}

static void set_text(fval *v, const char *s) { set_bytes(v, SQLITE_TEXT, s, (int)strlen(s)); }

static void set_fuzz_bytes(fval *v, int type, reader *r, unsigned max) {
    char buf[64];
    unsigned n = rd(r) % (max + 1);
    for (unsigned k = 0; k < n; k++)
        buf[k] = (char)rd(r);
    set_bytes(v, type, buf, (int)n);
}

static int bind_fval(sqlite3_stmt *st, int i, const fval *v) {
    switch (v->type) {
    case SQLITE_INTEGER:
        return sqlite3_bind_int64(st, i, v->i);
    case SQLITE_FLOAT:
        return sqlite3_bind_double(st, i, v->d);
    case SQLITE_TEXT:
        return sqlite3_bind_text(st, i, v->s, v->n, SQLITE_TRANSIENT);
    case SQLITE_BLOB:
        return sqlite3_bind_blob(st, i, v->s, v->n, SQLITE_TRANSIENT);
    default:
        return sqlite3_bind_null(st, i);
    }
}

static int is_name(const fval *v) { return v->type == SQLITE_TEXT && sc_valid_name(v->s, v->n); }

static int is_user(const fval *v) { return v->type == SQLITE_NULL || is_name(v); }

/* The text a comparison with a TEXT column sees, or 0 when nothing can equal it. */
static int key_text(const fval *v, char *buf, int *n) {
    switch (v->type) {
    case SQLITE_TEXT:
        memcpy(buf, v->s, (size_t)v->n);
        *n = v->n;
        return 1;
    case SQLITE_INTEGER:
        *n = snprintf(buf, 32, "%lld", (long long)v->i);
        return 1;
    case SQLITE_FLOAT:
        sqlite3_snprintf(32, buf, "%!.15g", v->d);
        *n = (int)strlen(buf);
        return 1;
    default:
        return 0;
    }
}

/* Does stored text column value c equal key k under a TEXT comparison? */
static int key_matches(const sc_value *c, const fval *k) {
    char buf[MAX_TEXT + 32];
    int n;
    return key_text(k, buf, &n) && sc_value_is_text(c, buf, n);
}

static const char *const room_pool[] = {"r-1", "r-2", "r-3", "room 'q\"", "\xc3\xa9t\xc3\xa9"};
static const char *const role_pool[] = {"host", "guest", "viewer", "r-1"};
static const char *const user_pool[] = {"u-1", "u-2", "host"};

enum name_kind { ROOM, ROLE, USER };

static void pick_name(reader *r, enum name_kind kind, fval *v) {
    const char *const *pool = kind == ROOM ? room_pool : kind == ROLE ? role_pool : user_pool;
    size_t pool_n = kind == ROOM ? 5 : kind == ROLE ? 4 : 3;
    unsigned sel = rd(r) % 26;
    char buf[MAX_TEXT + 1];
    if (sel < 16 || (kind == USER && sel < 20)) {
        if (kind == USER && sel % 3 == 0)
            set_null(v);
        else
            set_text(v, pool[sel % pool_n]);
        return;
    }
    switch (sel) {
    case 16:
        set_null(v);
        break;
    case 17:
        set_int(v, (sqlite3_int64)rd(r) - 100);
        break;
    case 18:
        set_real(v, rd(r) % 2 ? 4.5 : 7.0);
        break;
    case 19:
        set_fuzz_bytes(v, SQLITE_BLOB, r, 8);
        break;
    case 20:
        set_text(v, "");
        break;
    case 21: {
        /* At and past the 256-byte limit, in one- and two-byte characters. */
        unsigned k = rd(r) % 4;
        int n = 0;
        if (k < 2) {
            n = 256 + (int)k;
            memset(buf, 'x', (size_t)n);
        } else {
            for (int c = 0; c < 128 + (int)(k - 2); c++) {
                buf[n++] = '\xc3';
                buf[n++] = '\xa9';
            }
        }
        set_bytes(v, SQLITE_TEXT, buf, n);
        break;
    }
    case 22:
    case 23:
        set_fuzz_bytes(v, SQLITE_TEXT, r, 24);
        break;
    default: {
        /* A pool name spoiled by one byte: control, invalid UTF-8, NUL, DEL, or fine. */
        static const char spoil[] = {'\n', '\x01', '\xff', '\0', '\x7f', '\xc3', ' '};
        int n = snprintf(buf, sizeof buf, "%s", pool[rd(r) % pool_n]);
        buf[n++] = spoil[rd(r) % sizeof spoil];
        set_bytes(v, SQLITE_TEXT, buf, n);
        break;
    }
    }
}

static void letters_code(reader *r, char out[ROOMCODE_LEN + 1]) {
    unsigned char letters[ROOMCODE_LETTERS];
    for (int i = 0; i < ROOMCODE_LETTERS; i++)
        letters[i] = (unsigned char)(rd(r) % 26);
    roomcode_format_letters(letters, out);
}

/* A form of a canonical code that roomcode_normalize accepts. */
static void variant(reader *r, const char *code, fval *v) {
    char buf[128];
    unsigned k = rd(r) % 5;
    int n = 0;
    for (int i = 0; i < ROOMCODE_LEN; i++) {
        char c = code[i];
        if (k == 0 && c != '-')
            c = (char)(c - 'a' + 'A');
        if (k == 1 && c == '-')
            c = ' ';
        if (k == 2 && c == '-')
            continue;
        buf[n++] = c;
    }
    buf[n] = '\0';
    if (k == 3)
        n = snprintf(buf, sizeof buf, "https://acme.app.100ms.live/meeting/%s", code);
    if (k == 4)
        n = snprintf(buf, sizeof buf, "  %s\t", code);
    set_bytes(v, SQLITE_TEXT, buf, n);
}

typedef struct harness harness;
static const sc_snapshot *current_rows(const harness *h);

static void pick_code(reader *r, const harness *h, fval *v) {
    const sc_snapshot *s = current_rows(h);
    unsigned sel = rd(r) % 16;
    char code[ROOMCODE_LEN + 1];
    if (sel < 6 && s->n > 0) {
        const sc_value *c = &s->rows[rd(r) % s->n].col[SC_CODE];
        if (sel == 5 && c->type == SQLITE_TEXT && c->n == ROOMCODE_LEN)
            variant(r, c->s, v);
        else
            set_bytes(v, c->type == SQLITE_TEXT ? SQLITE_TEXT : SQLITE_BLOB, c->s ? c->s : "",
                      c->n);
        return;
    }
    switch (sel) {
    case 10:
        letters_code(r, code);
        variant(r, code, v);
        break;
    case 11: {
        static const char *const fixed[] = {"aaa-aaaa-aaa", "abc-defg-hij", "zzz-zzzz-zzz"};
        set_text(v, fixed[rd(r) % 3]);
        break;
    }
    case 12:
        set_fuzz_bytes(v, SQLITE_TEXT, r, 40);
        break;
    case 13:
        set_null(v);
        break;
    case 14:
        if (rd(r) % 2)
            set_int(v, 1234567890);
        else
            set_bytes(v, SQLITE_BLOB, "abc-defg-hij", ROOMCODE_LEN);
        break;
    case 15: {
        letters_code(r, code);
        unsigned k = rd(r) % 3;
        if (k == 0)
            code[11] = '\0'; /* one letter short */
        else if (k == 1)
            code[rd(r) % ROOMCODE_LEN] = '7';
        else
            code[3] = code[4], code[4] = '-';
        set_text(v, code);
        break;
    }
    default:
        letters_code(r, code);
        set_text(v, code);
        break;
    }
}

/*
 * Text for enabled built from fuzz bytes by the grammar of a number SQLite reads (spaces,
 * sign, digits, point, exponent), with pieces left out or misplaced now and then; at most
 * six digits of mantissa, so that any correctly rounded reading agrees on whether it is 0
 * or 1.
 */
static void numeric_text(reader *r, fval *v) {
    static const char spaces[] = " \t\n\r\f\v";
    static const char *const junk[] = {"", "x", "0x", "e", ".", "+", "-", " 1", "\xc2\xa0"};
    char buf[64];
    int n = 0;
    unsigned b = rd(r);
    for (unsigned k = 0; k < (b & 3); k++)
        buf[n++] = spaces[rd(r) % 6];
    if (b & 4)
        buf[n++] = b & 8 ? '-' : '+';
    unsigned digits = rd(r) % 4, frac = rd(r) % 4;
    /* mostly 0 and 1, the digits that can make 0 or 1 */
    for (unsigned k = 0; k < digits + frac + 1; k++) {
        if (k == digits) {
            if (!(b & 16))
                break;
            buf[n++] = '.';
            continue;
        }
        unsigned d = rd(r);
        buf[n++] = (char)('0' + (d % 4 ? d / 4 % 2 : d / 4 % 10));
    }
    if (b & 32) {
        buf[n++] = rd(r) % 2 ? 'e' : 'E';
        unsigned e = rd(r);
        if (e & 1)
            buf[n++] = e & 2 ? '-' : '+';
        for (unsigned k = 0; k < (e >> 2) % 3; k++)
            buf[n++] = (char)('0' + rd(r) % 10);
    }
    for (unsigned k = 0; k < (b >> 6); k++)
        buf[n++] = spaces[rd(r) % 6];
    const char *j = junk[rd(r) % 9];
    size_t jn = strlen(j);
    if (jn && rd(r) % 2) {
        memmove(buf + jn, buf, (size_t)n);
        memcpy(buf, j, jn);
    } else {
        memcpy(buf + n, j, jn);
    }
    set_bytes(v, SQLITE_TEXT, buf, n + (int)jn);
}

static void pick_enabled(reader *r, fval *v) {
    /* What the store's INTEGER affinity makes 0 or 1, and what it leaves alone. */
    static const char *const texts[] = {"1",  " 0 ",   "1e0",  "1.0", "+1",  "-0",  "0.0",  " 1\n",
                                        "01", "10e-1", ".1e1", "1.",  "-.0", "1.5", "2",    "0x1",
                                        "1e", "one",   "",     " ",   "1 1", "-1",  "true", "1e-0"};
    static const double reals[] = {1.0, 0.0, -0.0, 1.5, 1e300, 2.0, -1.0, 0.5, 1.0000000000000002};
    unsigned sel = rd(r) % 12;
    if (sel < 4)
        set_int(v, 1);
    else if (sel < 7)
        set_int(v, 0);
    else if (sel < 9)
        set_null(v);
    else if (sel == 9)
        set_int(v, rd(r) % 2 ? 2 : -1);
    else if (sel == 10) {
        unsigned t = rd(r) % 32;
        if (t < sizeof texts / sizeof *texts)
            set_text(v, texts[t]);
        else
            numeric_text(r, v);
    } else {
        unsigned k = rd(r);
        if (k % 2)
            set_real(v, reals[k / 2 % (sizeof reals / sizeof *reals)]);
        else
            set_bytes(v, SQLITE_BLOB, "\x01", 1);
    }
}

/* The 0 or 1 the store's INTEGER column makes of v (store_check.c's model of affinity). */
static int enabled_of(const fval *v, sqlite3_int64 *out) {
    sqlite3_int64 x;
    if (!sc_integer_affinity(v->type, v->i, v->d, v->s, v->n, &x) || (x != 0 && x != 1))
        return 0;
    *out = x;
    return 1;
}

/* ---- the harness ---- */

static const char *const table_names[] = {"", "room_codes", "rc_renamed"};

typedef struct state {
    int which;            /* main: 0 no table; 1 room_codes; 2 renamed to rc_renamed */
    int main_view;        /* main holds a view named room_codes (the other connection made it) */
    int temp_view;        /* a temp view room_codes: 0 none; 1 over nothing; 2 over main.room_codes;
                             3 over main.rc_renamed (a rename rewrites the view) */
    int aux;              /* 0 not attached; 1 attached without a table; 2 with aux.room_codes */
    sc_snapshot rows;     /* main's store */
    sc_snapshot aux_rows; /* aux.room_codes_store */
} state;

/* What an unqualified "room_codes" names: temp, then main, then attached schemas. */
enum { T_NONE, T_MAIN, T_AUX, T_VIEW_EMPTY, T_VIEW_MAIN };

static int target_of(const state *s) {
    if (s->temp_view)
        return s->temp_view == 1 ? T_VIEW_EMPTY : T_VIEW_MAIN;
    if (s->which == 1)
        return T_MAIN;
    if (s->main_view)
        return T_VIEW_EMPTY;
    return s->aux == 2 ? T_AUX : T_NONE;
}

struct harness {
    sqlite3 *db;
    state now;
    int tgt; /* target_of(&now) when the operation began */
    int tx_open;
    state tx_start; /* the state when the open transaction began */
    int sp_depth;
    state sp[4];          /* the state at each open savepoint "sp" */
    sqlite3_stmt *reader; /* a SELECT left open across operations */
    int exact_mints;      /* minting cannot collide (uniform generator) */
    int defensive;
    int trigger_exact; /* the app trigger still names the table of this input */
    int was_auto;
    /*
     * The environment operations (flags bit 4): a second connection to the same database,
     * an attached database with its own room_codes, deserialization, a temp view, loading
     * the extension again and dropping its modules.
     */
    int environment;
    sqlite3 *other; /* the second connection, opened when first needed */
    char main_uri[64], aux_uri[64];
    int shared;          /* the first connection's main is still the file other sees */
    int lenient;         /* an environment operation ran: functions may refuse, "roomcode: ..." */
    int modules_dropped; /* sqlite3_drop_modules ran, and the extension was not loaded since */
    int skip_identity;   /* this operation may bring back an older row of a code */
    unsigned char *snap; /* a serialized main database, with the state it held */
    sqlite3_int64 snap_n;
    state snap_state;
    int snap_trigger_exact;
    int eponymous_used; /* roomcode_create (or json_each inside it) ran on the first connection */
};

/* The rows a statement on an unqualified room_codes works on, when it names a table. */
static sc_snapshot *rows_of(state *s, int tgt) { return tgt == T_AUX ? &s->aux_rows : &s->rows; }

static const sc_snapshot *current_rows(const harness *h) {
    return rows_of((state *)&h->now, target_of(&h->now));
}

/* Do SQL statements on an unqualified room_codes reach a roomcode table, exactly modeled? */
static int sql_exact(const harness *h) {
    return (h->tgt == T_MAIN || h->tgt == T_AUX) && !h->modules_dropped;
}

/* The table roomcode_new and the other functions write: a view over main.room_codes leads
 * to main.room_codes, any other view to none. */
static int fn_target(const harness *h) {
    if (h->tgt == T_VIEW_MAIN)
        return h->now.which == h->now.temp_view - 1 ? T_MAIN : T_NONE;
    return h->tgt == T_VIEW_EMPTY ? T_NONE : h->tgt;
}

static void state_free(state *s) {
    sc_free(&s->rows);
    sc_free(&s->aux_rows);
    s->which = s->main_view = s->temp_view = s->aux = 0;
}

static void state_copy(state *to, const state *from) {
    to->which = from->which;
    to->main_view = from->main_view;
    to->temp_view = from->temp_view;
    to->aux = from->aux;
    CHECK(sc_copy(&to->rows, &from->rows));
    CHECK(sc_copy(&to->aux_rows, &from->aux_rows));
}

/* Main's part of the state: what a serialized main database holds. */
static int main_equal(const state *a, const state *b) {
    return a->which == b->which && a->main_view == b->main_view && sc_equal(&a->rows, &b->rows);
}

static int state_equal(const state *a, const state *b) {
    return main_equal(a, b) && a->temp_view == b->temp_view && a->aux == b->aux &&
           sc_equal(&a->aux_rows, &b->aux_rows);
}

/* A statement on the target table left the other table alone. */
static void check_others(const harness *h, const state *after) {
    if (h->tgt == T_AUX || fn_target(h) == T_AUX)
        CHECK_MSG(main_equal(&h->now, after), "a statement on aux.room_codes changed main");
    else
        CHECK_MSG(sc_equal(&h->now.aux_rows, &after->aux_rows),
                  "a statement on main.room_codes changed aux");
}

/* A count the first connection reads; the statement must run. */
static int count_of(harness *h, const char *sql) {
    sqlite3_stmt *st = 0;
    CHECK_MSG(sqlite3_prepare_v2(h->db, sql, -1, &st, 0) == SQLITE_OK, sqlite3_errmsg(h->db));
    CHECK_MSG(sqlite3_step(st) == SQLITE_ROW, sqlite3_errmsg(h->db));
    int n = sqlite3_column_int(st, 0);
    CHECK(sqlite3_finalize(st) == SQLITE_OK);
    return n;
}

/* Is schema attached? PRAGMA database_list, not its table-valued form (see op_snapshot). */
static int attached(harness *h, const char *schema) {
    sqlite3_stmt *st = 0;
    int found = 0;
    CHECK(sqlite3_prepare_v2(h->db, "PRAGMA database_list", -1, &st, 0) == SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW)
        found |= strcmp((const char *)sqlite3_column_text(st, 1), schema) == 0;
    CHECK(sqlite3_finalize(st) == SQLITE_OK);
    return found;
}

/* Reads the state: which tables and views exist, and the rows of the stores. */
static void observe(harness *h, state *out) {
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = 0;
    CHECK(sqlite3_prepare_v2(h->db,
                             "SELECT name FROM main.sqlite_schema WHERE type = 'table'"
                             " AND name IN ('room_codes', 'rc_renamed', 'room_codes_store',"
                             " 'rc_renamed_store') ORDER BY name",
                             -1, &st, 0) == SQLITE_OK);
    int vtab[3] = {0, 0, 0}, store[3] = {0, 0, 0};
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        for (int w = 1; w <= 2; w++) {
            size_t n = strlen(table_names[w]);
            if (strncmp(name, table_names[w], n) == 0)
                (name[n] ? store : vtab)[w] = 1;
        }
    }
    CHECK(sqlite3_finalize(st) == SQLITE_OK);
    for (int w = 1; w <= 2; w++)
        CHECK_MSG(vtab[w] == store[w], "a virtual table without its store, or a store left behind");
    CHECK(!(vtab[1] && vtab[2]));
    out->which = vtab[1] ? 1 : vtab[2] ? 2 : 0;
    if (out->which)
        CHECK(sc_take(h->db, "main", table_names[out->which], &out->rows) == SQLITE_OK);
    if (!h->environment)
        return;
    out->main_view = count_of(h, "SELECT count(*) FROM main.sqlite_schema WHERE type = 'view'"
                                 " AND name = 'room_codes'");
    out->temp_view = count_of(h, "SELECT coalesce(max(CASE WHEN sql LIKE '%rc_renamed%' THEN 3"
                                 " WHEN sql LIKE '%main.room_codes%' THEN 2 ELSE 1 END), 0)"
                                 " FROM temp.sqlite_schema WHERE type = 'view'"
                                 " AND name = 'room_codes'");
    if (attached(h, "aux")) {
        int aux_table = count_of(h, "SELECT count(*) FROM aux.sqlite_schema WHERE type = 'table'"
                                    " AND name = 'room_codes'");
        int aux_store = count_of(h, "SELECT count(*) FROM aux.sqlite_schema WHERE type = 'table'"
                                    " AND name = 'room_codes_store'");
        CHECK_MSG(aux_table == aux_store,
                  "aux: a virtual table without its store, or a store left behind");
        out->aux = aux_table ? 2 : 1;
        if (aux_table)
            CHECK(sc_take(h->db, "aux", "room_codes", &out->aux_rows) == SQLITE_OK);
    }
}

/* The outcome of one statement. */
typedef struct result {
    int rc; /* primary result code; SQLITE_OK when it ran to the end */
    int prepared;
    char msg[160];
    int ncol;
    size_t nrows;
    sc_value *v; /* nrows * ncol values */
} result;

static void result_free(result *res) {
    for (size_t i = 0; i < res->nrows * (size_t)res->ncol; i++)
        sc_value_free(&res->v[i]);
    free(res->v);
    memset(res, 0, sizeof *res);
}

static const sc_value *cell(const result *res, size_t row, int col) {
    return &res->v[row * (size_t)res->ncol + (size_t)col];
}

static void note_error(sqlite3 *db, result *res, int rc) {
    const char *m = sqlite3_errmsg(db);
    CHECK_MSG(sc_valid_utf8(m, (int)strlen(m)), "an error message is not valid UTF-8");
    snprintf(res->msg, sizeof res->msg, "%s", m);
    res->rc = rc & 0xff;
    if (res->rc == SQLITE_OK)
        res->rc = SQLITE_ERROR;
}

static void trace_value(const char *label, int i, const fval *v) {
    fprintf(stderr, "  %s%d = ", label, i);
    if (v->type == SQLITE_NULL)
        fprintf(stderr, "NULL\n");
    else if (v->type == SQLITE_INTEGER)
        fprintf(stderr, "%lld\n", (long long)v->i);
    else if (v->type == SQLITE_FLOAT)
        fprintf(stderr, "%g\n", v->d);
    else {
        fprintf(stderr, "%s '", v->type == SQLITE_TEXT ? "text" : "blob");
        for (int k = 0; k < v->n; k++)
            fprintf(stderr, v->s[k] >= 0x20 && v->s[k] < 0x7f ? "%c" : "\\x%02x",
                    (unsigned char)v->s[k]);
        fprintf(stderr, "' (%d bytes)\n", v->n);
    }
}

/* Runs sql on db (who: "" for the first connection, "(other) ") and keeps its outcome. */
static void run_sql_on(sqlite3 *db, const char *who, const char *sql, const fval *const *args,
                       int nargs, result *res) {
    memset(res, 0, sizeof *res);
    current_sql = sql;
    if (trace) {
        fprintf(stderr, "%s%s\n", who, sql);
        for (int i = 0; i < nargs; i++)
            trace_value("?", i + 1, args[i]);
    }
    sqlite3_stmt *st = 0;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, 0);
    if (rc != SQLITE_OK) {
        note_error(db, res, rc);
        if (trace)
            fprintf(stderr, "  -> rc %d (prepare): %s\n", res->rc, res->msg);
        return;
    }
    res->prepared = 1;
    int nparam = sqlite3_bind_parameter_count(st);
    for (int i = 0; i < nargs && i < nparam; i++)
        CHECK(bind_fval(st, i + 1, args[i]) == SQLITE_OK);
    res->ncol = sqlite3_column_count(st);
    size_t cap = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        CHECK(res->nrows < MAX_ROWS);
        if (res->nrows == cap) {
            cap = cap ? 2 * cap : 16;
            res->v = realloc(res->v, cap * (size_t)res->ncol * sizeof *res->v);
            CHECK(res->v != NULL);
        }
        for (int c = 0; c < res->ncol; c++)
            CHECK(sc_value_copy(&res->v[res->nrows * (size_t)res->ncol + (size_t)c],
                                sqlite3_column_value(st, c)));
        res->nrows++;
    }
    if (rc != SQLITE_DONE)
        note_error(db, res, rc);
    sqlite3_finalize(st);
    if (trace)
        fprintf(stderr, "  -> rc %d, %zu rows%s%s\n", res->rc, res->nrows, res->rc ? ": " : "",
                res->msg);
}

static void run_sql(harness *h, const char *sql, const fval *const *args, int nargs, result *res) {
    run_sql_on(h->db, "", sql, args, nargs, res);
}

/* How a failed statement may have left the store. */
enum fail_mode { ATOMIC, PARTIAL };

static void begin_op(harness *h) {
    h->was_auto = sqlite3_get_autocommit(h->db);
    h->tgt = target_of(&h->now);
    h->skip_identity = 0;
}

/*
 * The checks every operation gets; returns the observed state after it. A read-only
 * operation must change nothing at all.
 */
static void end_op(harness *h, const result *res, enum fail_mode mode, int read_only,
                   state *after) {
    observe(h, after);
    const char *bad = sc_check_rules(&after->rows);
    CHECK_MSG(bad == 0, bad);
    bad = sc_check_rules(&after->aux_rows);
    CHECK_MSG(bad == 0, bad);
    if (h->now.which && after->which && !h->skip_identity) {
        bad = sc_check_identity(&h->now.rows, &after->rows);
        CHECK_MSG(bad == 0, bad);
    }
    if (h->now.aux == 2 && after->aux == 2 && !h->skip_identity) {
        bad = sc_check_identity(&h->now.aux_rows, &after->aux_rows);
        CHECK_MSG(bad == 0, bad);
    }
    int now_auto = sqlite3_get_autocommit(h->db);
    if (res->rc != SQLITE_OK) {
        if (!h->was_auto && now_auto)
            CHECK_MSG(state_equal(after, &h->tx_start), "a rolled back transaction left changes");
        else if (mode == ATOMIC)
            CHECK_MSG(state_equal(after, &h->now), "a failed statement changed the store");
        bad = sc_check_schema(h->db, "main", table_names[after->which], after->which != 0, 1);
        CHECK_MSG(bad == 0, bad);
        if (after->aux) {
            bad = sc_check_schema(h->db, "aux", "room_codes", after->aux == 2, 1);
            CHECK_MSG(bad == 0, bad);
        }
    }
    if (read_only)
        CHECK_MSG(state_equal(after, &h->now), "a read-only statement changed the store");
}

/* Makes after the current state and keeps the transaction bookkeeping. */
static void commit_op(harness *h, state *after) {
    int now_auto = sqlite3_get_autocommit(h->db);
    if (h->was_auto && !now_auto) {
        state_free(&h->tx_start);
        state_copy(&h->tx_start, &h->now);
        h->tx_open = 1;
    }
    if (now_auto) {
        state_free(&h->tx_start);
        h->tx_open = 0;
        while (h->sp_depth > 0)
            state_free(&h->sp[--h->sp_depth]);
    }
    state_free(&h->now);
    h->now = *after;
    memset(after, 0, sizeof *after);
}

/* A refusal by the table or a function must be the extension's message. */
static void check_refusal(const result *res) {
    if (res->rc == SQLITE_CONSTRAINT)
        CHECK_MSG(strncmp(res->msg, "roomcode: ", 10) == 0, res->msg);
}

/* roomcode_new, roomcode_create and roomcode_token fail with the extension's message only,
 * whatever happened to the schema, the modules or the other connection. */
static void check_function_refusal(const result *res) {
    if (res->rc != SQLITE_OK)
        CHECK_MSG(strncmp(res->msg, "roomcode: ", 10) == 0, res->msg);
}

static const char *const conflict_sql[] = {"",         "OR ABORT ",    "OR IGNORE ",
                                           "OR FAIL ", "OR ROLLBACK ", "OR REPLACE "};
enum { CM_NONE, CM_ABORT, CM_IGNORE, CM_FAIL, CM_ROLLBACK, CM_REPLACE };

static int pick_conflict(reader *r) {
    unsigned k = rd(r) % 10;
    return k < 5 ? CM_NONE : (int)k - 4;
}

/* ---- the INSERT model ---- */

typedef struct ins_req {
    const fval *code; /* NULL: minted */
    const fval *room, *role, *user, *enabled;
} ins_req;

typedef struct ins_added {
    const ins_req *req;
    char code[ROOMCODE_LEN + 1]; /* "" when minted */
} ins_added;

static int added_has_code(const ins_added *a, int n, const char *code) {
    for (int i = 0; i < n; i++)
        if (strcmp(a[i].code, code) == 0)
            return 1;
    return 0;
}

static size_t added_in_room(const ins_added *a, int n, const fval *room) {
    size_t k = 0;
    for (int i = 0; i < n; i++)
        k += a[i].req->room->n == room->n &&
             memcmp(a[i].req->room->s, room->s, (size_t)room->n) == 0;
    return k;
}

/*
 * Runs the rows through the rules in order, as SQLite and the table do: the rows that
 * would be stored go to added; returns the index of the row that fails the statement, or
 * -1 (with OR IGNORE a refused row is skipped).
 */
static int simulate_insert(const sc_snapshot *before, const ins_req *reqs, int n, int cm,
                           ins_added *added, int *nadded) {
    *nadded = 0;
    for (int i = 0; i < n; i++) {
        const ins_req *q = &reqs[i];
        sqlite3_int64 en;
        int ok = is_name(q->room) && is_name(q->role) && is_user(q->user) &&
                 (q->enabled->type == SQLITE_NULL || enabled_of(q->enabled, &en));
        char code[ROOMCODE_LEN + 1] = "";
        if (ok && q->code) {
            char *text = q->code->type == SQLITE_TEXT ? malloc((size_t)q->code->n + 1) : 0;
            if (text) {
                memcpy(text, q->code->s, (size_t)q->code->n);
                ok = roomcode_normalize_text(text, (size_t)q->code->n, code) &&
                     !sc_find(before, code, ROOMCODE_LEN) && !added_has_code(added, *nadded, code);
                free(text);
            } else {
                ok = 0;
            }
        }
        if (ok)
            ok = sc_count_room(before, q->room->s, q->room->n) +
                     added_in_room(added, *nadded, q->room) <
                 100;
        if (ok) {
            added[*nadded].req = q;
            memcpy(added[*nadded].code, code, sizeof code);
            (*nadded)++;
        } else if (cm != CM_IGNORE) {
            return i;
        }
    }
    return -1;
}

static int row_is(const sc_row *row, const ins_req *q) {
    sqlite3_int64 enabled = 1;
    if (q->enabled->type != SQLITE_NULL)
        CHECK(enabled_of(q->enabled, &enabled));
    return sc_value_is_text(&row->col[SC_ROOM_ID], q->room->s, q->room->n) &&
           sc_value_is_text(&row->col[SC_ROLE], q->role->s, q->role->n) &&
           (q->user->type == SQLITE_NULL
                ? row->col[SC_USER_ID].type == SQLITE_NULL
                : sc_value_is_text(&row->col[SC_USER_ID], q->user->s, q->user->n)) &&
           row->col[SC_ENABLED].type == SQLITE_INTEGER && row->col[SC_ENABLED].i == enabled &&
           sc_value_equal(&row->col[SC_CREATED_AT], &row->col[SC_UPDATED_AT]);
}

/* The new rows of after that were not in before; every old row must be unchanged. */
static size_t new_rows(const sc_snapshot *before, const sc_snapshot *after, const sc_row **out) {
    size_t k = 0;
    for (size_t j = 0; j < after->n; j++) {
        const sc_value *c = &after->rows[j].col[SC_CODE];
        const sc_row *old = sc_find(before, c->s, c->n);
        if (old)
            CHECK_MSG(sc_row_equal(old, &after->rows[j]), "an INSERT changed an existing row");
        else
            out[k++] = &after->rows[j];
    }
    CHECK_MSG(after->n - k == before->n, "an INSERT removed a row");
    return k;
}

/* The store grew by exactly the rows in added, and returned codes (if any) are those rows. */
static void check_inserted(const sc_snapshot *before, const sc_snapshot *after,
                           const ins_added *added, int nadded) {
    const sc_row **fresh = malloc((after->n + 1) * sizeof *fresh);
    CHECK(fresh != NULL);
    size_t k = new_rows(before, after, fresh);
    CHECK_MSG(k == (size_t)nadded, "an INSERT stored another number of rows than it should");
    /* Imported rows first, by code; then minted rows take any fresh row that fits. */
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < nadded; i++) {
            if ((pass == 0) != (added[i].code[0] != 0))
                continue;
            size_t j;
            for (j = 0; j < k; j++) {
                if (!fresh[j])
                    continue;
                if (added[i].code[0] &&
                    !sc_value_is_text(&fresh[j]->col[SC_CODE], added[i].code, ROOMCODE_LEN))
                    continue;
                if (row_is(fresh[j], added[i].req))
                    break;
            }
            CHECK_MSG(j < k, "an inserted row is not what was asked for");
            fresh[j] = 0;
        }
    free(fresh);
}

/* ---- operations ---- */

static void op_insert(harness *h, reader *r) {
    fval code[2], room[2], role[2], user[2], enabled[2];
    int cm = pick_conflict(r);
    unsigned shape = rd(r) % 4; /* 0 mint, 1 import, 2 two rows, 3 many rows */
    ins_req reqs[121];
    int n = 0;
    char sql[512];
    for (int i = 0; i < 2; i++) {
        pick_code(r, h, &code[i]);
        pick_name(r, ROOM, &room[i]);
        pick_name(r, ROLE, &role[i]);
        pick_name(r, USER, &user[i]);
        pick_enabled(r, &enabled[i]);
    }
    result res;
    int mints = 0;
    if (shape <= 1) {
        ins_req q = {shape == 1 ? &code[0] : 0, &room[0], &role[0], &user[0], &enabled[0]};
        reqs[n++] = q;
        mints = shape == 0;
        snprintf(sql, sizeof sql,
                 "INSERT %sINTO room_codes(code, room_id, role, user_id, enabled) VALUES (%s, ?2, "
                 "?3, ?4, ?5)",
                 conflict_sql[cm], shape == 1 ? "?1" : "NULL");
        const fval *args[] = {&code[0], &room[0], &role[0], &user[0], &enabled[0]};
        begin_op(h);
        run_sql(h, sql, args, 5, &res);
    } else if (shape == 2) {
        int mint_first = rd(r) % 3 == 0;
        for (int i = 0; i < 2; i++) {
            ins_req q = {i == 0 && mint_first ? 0 : &code[i], &room[i], &role[i], &user[i],
                         &enabled[i]};
            reqs[n++] = q;
        }
        mints = mint_first;
        snprintf(sql, sizeof sql,
                 "INSERT %sINTO room_codes(code, room_id, role, user_id, enabled) VALUES"
                 " (%s, ?2, ?3, ?4, ?5), (?6, ?7, ?8, ?9, ?10)",
                 conflict_sql[cm], mint_first ? "NULL" : "?1");
        const fval *args[] = {&code[0], &room[0], &role[0], &user[0], &enabled[0],
                              &code[1], &room[1], &role[1], &user[1], &enabled[1]};
        begin_op(h);
        run_sql(h, sql, args, 10, &res);
    } else {
        /* Many minted rows in one room; row ?3 has role ?4 and the others role ?5. */
        fval count, odd;
        set_int(&count, rd(r) % 121);
        set_int(&odd, rd(r) % 130);
        static fval null_user;
        set_null(&null_user);
        for (int i = 1; i <= (count.i < 1 ? 1 : count.i); i++) {
            ins_req q = {0, &room[0], i == odd.i ? &role[1] : &role[0], &null_user, &null_user};
            reqs[n++] = q;
        }
        mints = 1;
        snprintf(sql, sizeof sql,
                 "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < ?1)"
                 " INSERT %sINTO room_codes(room_id, role) SELECT ?2, iif(i = ?3, ?4, ?5) FROM c",
                 conflict_sql[cm]);
        const fval *args[] = {&count, &room[0], &odd, &role[1], &role[0]};
        begin_op(h);
        run_sql(h, sql, args, 5, &res);
    }
    /* A NULL code mints, as if the column were left out. */
    for (int i = 0; i < n; i++) {
        if (reqs[i].code && reqs[i].code->type == SQLITE_NULL) {
            reqs[i].code = 0;
            mints = 1;
        }
    }
    state after;
    end_op(h, &res, cm == CM_FAIL ? PARTIAL : ATOMIC, 0, &after);
    check_refusal(&res);

    if (sql_exact(h) && (!mints || h->exact_mints)) {
        const sc_snapshot *before = rows_of(&h->now, h->tgt), *now = rows_of(&after, h->tgt);
        ins_added added[121];
        int nadded;
        int fail_at = simulate_insert(before, reqs, n, cm, added, &nadded);
        if (fail_at < 0) {
            CHECK_MSG(res.rc == SQLITE_OK, res.msg);
            check_inserted(before, now, added, nadded);
        } else {
            CHECK_MSG(res.rc != SQLITE_OK, "an INSERT that breaks a rule succeeded");
            if (cm == CM_FAIL)
                check_inserted(before, now, added, nadded);
        }
        check_others(h, &after);
    } else if (h->tgt == T_NONE) {
        CHECK(res.rc != SQLITE_OK);
    }
    result_free(&res);
    commit_op(h, &after);
}

/* The rows of s matching a filter, compared with what a SELECT returned (any order). */
typedef int (*row_filter)(const sc_row *row, const fval *const *keys);

static void check_selected(const sc_snapshot *s, const result *res, row_filter f,
                           const fval *const *keys, int col0) {
    size_t want = 0;
    for (size_t i = 0; i < s->n; i++)
        want += f(&s->rows[i], keys);
    CHECK_MSG(res->nrows == want, "a SELECT returned another number of rows than the store holds");
    for (size_t i = 0; i < res->nrows; i++) {
        const sc_value *c = cell(res, i, col0 + SC_CODE);
        const sc_row *row = c->type == SQLITE_TEXT ? sc_find(s, c->s, c->n) : 0;
        CHECK_MSG(row && f(row, keys), "a SELECT returned a row that does not match");
        for (int k = 0; k < SC_NCOL; k++)
            CHECK_MSG(sc_value_equal(cell(res, i, col0 + k), &row->col[k]),
                      "a SELECT returned other values");
        for (size_t j = 0; j < i; j++)
            CHECK_MSG(!sc_value_equal(cell(res, j, col0 + SC_CODE), c),
                      "a SELECT returned a row twice");
    }
}

static int by_code(const sc_row *row, const fval *const *k) {
    return key_matches(&row->col[SC_CODE], k[0]);
}
static int by_codes(const sc_row *row, const fval *const *k) {
    return key_matches(&row->col[SC_CODE], k[0]) || key_matches(&row->col[SC_CODE], k[1]);
}
static int by_code_or_room(const sc_row *row, const fval *const *k) {
    return key_matches(&row->col[SC_CODE], k[0]) || key_matches(&row->col[SC_ROOM_ID], k[1]);
}
static int by_room(const sc_row *row, const fval *const *k) {
    return key_matches(&row->col[SC_ROOM_ID], k[0]);
}
static int by_room_role(const sc_row *row, const fval *const *k) {
    return by_room(row, k) && key_matches(&row->col[SC_ROLE], k[1]);
}
static int by_room_enabled(const sc_row *row, const fval *const *k) {
    return by_room(row, k) && k[2]->type == SQLITE_INTEGER && row->col[SC_ENABLED].i == k[2]->i;
}
static int by_role(const sc_row *row, const fval *const *k) {
    return key_matches(&row->col[SC_ROLE], k[1]);
}
static int every_row(const sc_row *row, const fval *const *k) {
    (void)row;
    (void)k;
    return 1;
}

static void op_select(harness *h, reader *r) {
    static const struct {
        const char *where;
        row_filter f;
    } shapes[] = {
        {"code = ?1", by_code},
        {"code IN (?1, ?2)", by_codes},
        {"code = ?1 OR room_id = ?2", by_code_or_room},
        {"room_id = ?1", by_room},
        {"room_id = ?1 AND role = ?2", by_room_role},
        {"room_id = ?1 AND enabled = ?3", by_room_enabled},
        {"role = ?2", by_role},
        {"1", every_row},
    };
    unsigned k = rd(r) % 8;
    fval a, b, e;
    if (k < 3) {
        pick_code(r, h, &a);
        if (k == 1)
            pick_code(r, h, &b);
        else
            pick_name(r, ROOM, &b);
    } else {
        pick_name(r, ROOM, &a);
        pick_name(r, ROLE, &b);
    }
    set_int(&e, rd(r) % 3);
    if (k == 3 && rd(r) % 4 == 0) {
        pick_code(r, h, &a); /* a code where a room is expected */
    }
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT * FROM room_codes WHERE %s%s", shapes[k].where,
             rd(r) % 2 ? " ORDER BY code" : "");
    const fval *args[] = {&a, &b, &e};
    result res;
    begin_op(h);
    run_sql(h, sql, args, 3, &res);
    state after;
    end_op(h, &res, ATOMIC, 1, &after);
    if (sql_exact(h)) {
        CHECK_MSG(res.rc == SQLITE_OK, res.msg);
        CHECK(res.ncol == SC_NCOL);
        check_selected(rows_of(&h->now, h->tgt), &res, shapes[k].f, args, 0);
        if (strstr(sql, "ORDER BY"))
            for (size_t i = 1; i < res.nrows; i++)
                CHECK(strcmp(cell(&res, i - 1, 0)->s, cell(&res, i, 0)->s) < 0);
    } else if (h->tgt == T_NONE) {
        CHECK(res.rc != SQLITE_OK);
    }
    result_free(&res);
    commit_op(h, &after);
}

static void op_update(harness *h, reader *r) {
    static const char *const sets[] = {"enabled = ?1", "enabled = NOT enabled",
                                       "enabled = ?1, user_id = ?5", "user_id = ?5"};
    static const struct {
        const char *where;
        row_filter f;
    } wheres[] = {
        {"code = ?2", by_code},
        {"room_id = ?2", by_room},
        {"room_id = ?2 AND role = ?3", by_room_role},
        {"1", every_row},
    };
    int cm = pick_conflict(r);
    unsigned s = rd(r) % 4, w = rd(r) % 4;
    if (w == 3 && rd(r) % 2)
        w = 0;
    fval en, key, role, user;
    pick_enabled(r, &en);
    if (w == 0)
        pick_code(r, h, &key);
    else
        pick_name(r, ROOM, &key);
    pick_name(r, ROLE, &role);
    pick_name(r, USER, &user);
    char sql[256];
    snprintf(sql, sizeof sql, "UPDATE %sroom_codes SET %s WHERE %s", conflict_sql[cm], sets[s],
             wheres[w].where);
    const fval *args[] = {&en, &key, &role, &user, &user};
    result res;
    begin_op(h);
    run_sql(h, sql, args, 5, &res);
    state after;
    end_op(h, &res, ATOMIC, 0, &after);
    check_refusal(&res);
    if (sql_exact(h)) {
        const fval *keys[] = {&key, &role};
        const sc_snapshot *before = rows_of(&h->now, h->tgt), *later = rows_of(&after, h->tgt);
        size_t matched = 0;
        for (size_t i = 0; i < before->n; i++)
            matched += wheres[w].f(&before->rows[i], keys);
        int sets_enabled = s <= 2, sets_user = s >= 2, toggles = s == 1;
        sqlite3_int64 en_value = 0;
        int valid = (!sets_enabled || toggles || enabled_of(&en, &en_value)) &&
                    (!sets_user || is_user(&user));
        if (matched == 0 || cm == CM_IGNORE) {
            CHECK_MSG(res.rc == SQLITE_OK, res.msg);
        } else if (!valid) {
            CHECK_MSG(res.rc != SQLITE_OK, "an UPDATE to a bad value succeeded");
        } else {
            CHECK_MSG(res.rc == SQLITE_OK, res.msg);
        }
        if (res.rc == SQLITE_OK) {
            CHECK(later->n == before->n);
            check_others(h, &after);
            for (size_t i = 0; i < before->n; i++) {
                const sc_row *old = &before->rows[i], *now = &later->rows[i];
                CHECK(sc_value_equal(&old->col[SC_CODE], &now->col[SC_CODE]));
                if (!valid || !wheres[w].f(old, keys)) {
                    CHECK_MSG(sc_row_equal(old, now), "an UPDATE changed a row it should not");
                    continue;
                }
                sqlite3_int64 want = toggles        ? !old->col[SC_ENABLED].i
                                     : sets_enabled ? en_value
                                                    : old->col[SC_ENABLED].i;
                CHECK(now->col[SC_ENABLED].type == SQLITE_INTEGER &&
                      now->col[SC_ENABLED].i == want);
                if (sets_user)
                    CHECK(user.type == SQLITE_NULL
                              ? now->col[SC_USER_ID].type == SQLITE_NULL
                              : sc_value_is_text(&now->col[SC_USER_ID], user.s, user.n));
                else
                    CHECK(sc_value_equal(&old->col[SC_USER_ID], &now->col[SC_USER_ID]));
                int changed = !sc_value_equal(&old->col[SC_ENABLED], &now->col[SC_ENABLED]) ||
                              !sc_value_equal(&old->col[SC_USER_ID], &now->col[SC_USER_ID]);
                if (!changed)
                    CHECK_MSG(sc_row_equal(old, now), "an UPDATE to the same values touched a row");
                else
                    CHECK(strcmp(now->col[SC_UPDATED_AT].s, old->col[SC_UPDATED_AT].s) >= 0);
            }
        }
    } else if (h->tgt == T_NONE) {
        CHECK(res.rc != SQLITE_OK);
    }
    result_free(&res);
    commit_op(h, &after);
}

static void op_update_identity(harness *h, reader *r) {
    static const char *const cols[] = {"code", "room_id", "role", "created_at", "updated_at"};
    static const int col_index[] = {SC_CODE, SC_ROOM_ID, SC_ROLE, SC_CREATED_AT, SC_UPDATED_AT};
    int cm = pick_conflict(r);
    unsigned c = rd(r) % 5;
    fval key, value;
    pick_code(r, h, &key);
    const sc_row *row = key.type == SQLITE_TEXT ? sc_find(current_rows(h), key.s, key.n) : 0;
    unsigned how = rd(r) % 4;
    if (how == 0 && row) {
        const sc_value *v = &row->col[col_index[c]];
        set_bytes(&value, SQLITE_TEXT, v->s, v->n); /* the same value: allowed */
    } else if (c == 0) {
        pick_code(r, h, &value);
    } else if (c <= 2) {
        pick_name(r, c == 1 ? ROOM : ROLE, &value);
    } else {
        set_text(&value, rd(r) % 2 ? "2020-01-01T00:00:00.000Z" : "not a time");
    }
    char sql[256];
    int self = how == 1;
    snprintf(sql, sizeof sql, "UPDATE %sroom_codes SET %s = %s%s WHERE code = ?2", conflict_sql[cm],
             cols[c], self ? cols[c] : "?1", rd(r) % 3 == 0 ? ", enabled = enabled" : "");
    const fval *args[] = {&value, &key};
    result res;
    begin_op(h);
    run_sql(h, sql, args, 2, &res);
    state after;
    end_op(h, &res, ATOMIC, 0, &after);
    check_refusal(&res);
    if (sql_exact(h)) {
        int same = self || (row && sc_value_is_text(&row->col[col_index[c]], value.s, value.n) &&
                            value.type == SQLITE_TEXT);
        if (!row || same || cm == CM_IGNORE)
            CHECK_MSG(res.rc == SQLITE_OK, res.msg);
        else
            CHECK_MSG(res.rc != SQLITE_OK, "an identity column changed");
        CHECK_MSG(state_equal(&after, &h->now),
                  "an UPDATE of an identity column changed the store");
    } else if (h->tgt == T_NONE) {
        CHECK(res.rc != SQLITE_OK);
    }
    result_free(&res);
    commit_op(h, &after);
}

static int by_room_disabled(const sc_row *row, const fval *const *k) {
    return by_room(row, k) && row->col[SC_ENABLED].i == 0;
}

static void op_delete(harness *h, reader *r) {
    static const struct {
        const char *where;
        row_filter f;
    } wheres[] = {
        {"code = ?1", by_code},
        {"room_id = ?1", by_room},
        {"room_id = ?1 AND role = ?2", by_room_role},
        {"room_id = ?1 AND enabled = 0", by_room_disabled},
        {"code IN (?1, ?2)", by_codes},
    };
    unsigned w = rd(r) % 5;
    fval a, b;
    if (w == 0 || w == 4)
        pick_code(r, h, &a);
    else
        pick_name(r, ROOM, &a);
    if (w == 4)
        pick_code(r, h, &b);
    else
        pick_name(r, ROLE, &b);
    char sql[256];
    snprintf(sql, sizeof sql, "DELETE FROM room_codes WHERE %s", wheres[w].where);
    const fval *args[] = {&a, &b};
    result res;
    begin_op(h);
    run_sql(h, sql, args, 2, &res);
    state after;
    end_op(h, &res, ATOMIC, 0, &after);
    if (sql_exact(h)) {
        CHECK_MSG(res.rc == SQLITE_OK, res.msg);
        const sc_snapshot *before = rows_of(&h->now, h->tgt), *later = rows_of(&after, h->tgt);
        size_t kept = 0;
        check_others(h, &after);
        for (size_t i = 0; i < before->n; i++) {
            const sc_row *old = &before->rows[i];
            const sc_row *now = sc_find(later, old->col[SC_CODE].s, old->col[SC_CODE].n);
            if (wheres[w].f(old, args)) {
                CHECK_MSG(!now, "a DELETE left a row it matched");
            } else {
                CHECK_MSG(now && sc_row_equal(old, now), "a DELETE changed a row it did not match");
                kept++;
            }
        }
        CHECK(later->n == kept);
    } else if (h->tgt == T_NONE) {
        CHECK(res.rc != SQLITE_OK);
    }
    result_free(&res);
    commit_op(h, &after);
}

static void op_new(harness *h, reader *r) {
    fval room, role, user, null_enabled;
    pick_name(r, ROOM, &room);
    pick_name(r, ROLE, &role);
    pick_name(r, USER, &user);
    set_null(&null_enabled);
    unsigned shape = rd(r) % 4;
    static const char *const sqls[] = {
        "SELECT roomcode_new(?1, ?2)", "SELECT roomcode_new(?1, ?2, ?3)",
        "INSERT INTO log SELECT roomcode_new(?1, ?2, ?3)",
        "INSERT INTO rooms(id) VALUES (?1)", /* the app's trigger mints a 'host' code */
    };
    fval host;
    set_text(&host, "host");
    if (shape == 0)
        set_null(&user);
    const fval *args[] = {&room, shape == 3 ? &host : &role, &user};
    result res;
    begin_op(h);
    run_sql(h, sqls[shape], args, 3, &res);
    state after;
    end_op(h, &res, ATOMIC, 0, &after);
    if (shape != 3)
        check_function_refusal(&res);
    int exact = h->exact_mints && (shape != 3 || (h->trigger_exact && !h->lenient));
    if (shape == 3)
        set_null(&user);
    /* The app's trigger writes main.room_codes, the schema it lives in; the function writes
     * the table an unqualified room_codes names now. */
    int ft = shape == 3 ? (h->now.which == 1 ? T_MAIN : T_NONE) : fn_target(h);
    if ((ft == T_MAIN || ft == T_AUX) && exact) {
        const sc_snapshot *before = rows_of(&h->now, ft), *later = rows_of(&after, ft);
        ins_req q = {0, &room, args[1], &user, &null_enabled};
        ins_added added[1];
        int nadded;
        if (simulate_insert(before, &q, 1, CM_NONE, added, &nadded) < 0) {
            /* After an environment operation a refusal ("roomcode: ...") is allowed. */
            if (res.rc == SQLITE_OK || !h->lenient) {
                CHECK_MSG(res.rc == SQLITE_OK, res.msg);
                check_inserted(before, later, added, 1);
                check_others(h, &after);
            }
            if (shape <= 1 && res.rc == SQLITE_OK) {
                CHECK(res.nrows == 1 && cell(&res, 0, 0)->type == SQLITE_TEXT);
                const sc_row *row = sc_find(later, cell(&res, 0, 0)->s, cell(&res, 0, 0)->n);
                CHECK_MSG(row && !sc_find(before, row->col[SC_CODE].s, row->col[SC_CODE].n),
                          "roomcode_new returned a code it did not store");
            }
        } else {
            CHECK_MSG(res.rc != SQLITE_OK, "roomcode_new broke a rule and succeeded");
        }
    } else if (ft == T_NONE && shape != 3) {
        CHECK_MSG(res.rc != SQLITE_OK, "roomcode_new succeeded without a room_codes table");
    }
    result_free(&res);
    commit_op(h, &after);
}

/* roomcode_new on every row of a room, while the scan of that room runs. */
static void op_new_while_scanning(harness *h, reader *r) {
    fval room, role;
    pick_name(r, ROOM, &room);
    pick_name(r, ROLE, &role);
    const fval *args[] = {&room, &role};
    result res;
    begin_op(h);
    run_sql(h, "SELECT roomcode_new(room_id, ?2) FROM room_codes WHERE room_id = ?1", args, 2,
            &res);
    state after;
    end_op(h, &res, PARTIAL, 0, &after);
    if (sql_exact(h) && fn_target(h) == h->tgt) {
        /* Each call stands alone: any rows added are codes of this room and role. */
        const sc_snapshot *before = rows_of(&h->now, h->tgt), *later = rows_of(&after, h->tgt);
        const sc_row **fresh = malloc((later->n + 1) * sizeof *fresh);
        CHECK(fresh != NULL);
        size_t k = new_rows(before, later, fresh);
        for (size_t i = 0; i < k; i++)
            CHECK(is_name(&room) && is_name(&role) &&
                  sc_value_is_text(&fresh[i]->col[SC_ROOM_ID], room.s, room.n) &&
                  sc_value_is_text(&fresh[i]->col[SC_ROLE], role.s, role.n));
        if (res.rc == SQLITE_OK)
            CHECK(res.nrows == k);
        free(fresh);
    }
    result_free(&res);
    commit_op(h, &after);
}

typedef struct role_list {
    int valid; /* a non-empty JSON array of valid role names */
    int n;
    fval *roles; /* distinct, in order of first appearance */
} role_list;

/* What roomcode_create should make of its roles argument, read by a plain connection. */
/*
 * Does JSON text hold the escape \u0000 inside a string? Such a role holds a NUL, which
 * roomcode_create refuses; read here from the text, since SQLite 3.40's json_each cuts the
 * value at the NUL.
 */
static int json_escapes_nul(const fval *arg) {
    int in_string = 0;
    for (int i = 0; i < arg->n; i++) {
        if (arg->s[i] == '"') {
            in_string = !in_string;
        } else if (in_string && arg->s[i] == '\\') {
            if (i + 5 < arg->n && memcmp(arg->s + i + 1, "u0000", 5) == 0)
                return 1;
            i++; /* the escaped character */
        }
    }
    return 0;
}

static void read_roles(const fval *arg, role_list *out) {
    memset(out, 0, sizeof *out);
    if (arg->type != SQLITE_TEXT)
        return;
    sqlite3_stmt *st = 0;
    CHECK(sqlite3_prepare_v2(side,
                             "SELECT value, type FROM json_each(CASE WHEN json_valid(?1)"
                             " AND json_type(?1) = 'array' THEN ?1 END)",
                             -1, &st, 0) == SQLITE_OK);
    bind_fval(st, 1, arg);
    int count = 0, valid = 1;
    out->roles = malloc(sizeof *out->roles * 64);
    CHECK(out->roles != NULL);
    while (sqlite3_step(st) == SQLITE_ROW) {
        count++;
        fval v;
        if (strcmp((const char *)sqlite3_column_text(st, 1), "text") != 0) {
            valid = 0;
            continue;
        }
        set_bytes(&v, SQLITE_TEXT, (const char *)sqlite3_column_text(st, 0),
                  sqlite3_column_bytes(st, 0));
        if (sqlite3_column_bytes(st, 0) > MAX_TEXT || !is_name(&v)) {
            valid = 0;
            continue;
        }
        int seen = 0;
        for (int i = 0; i < out->n && !seen; i++)
            seen = out->roles[i].n == v.n && memcmp(out->roles[i].s, v.s, (size_t)v.n) == 0;
        if (!seen && out->n < 64)
            out->roles[out->n++] = v;
        else if (!seen)
            valid = 0; /* more roles than this model keeps: too many for a room anyway */
    }
    sqlite3_finalize(st);
    out->valid = valid && count > 0 && !json_escapes_nul(arg);
}

static int role_index(const role_list *l, const sc_value *role) {
    for (int i = 0; i < l->n; i++)
        if (sc_value_is_text(role, l->roles[i].s, l->roles[i].n))
            return i;
    return -1;
}

static void op_create(harness *h, reader *r) {
    fval room, roles, parts[4];
    pick_name(r, ROOM, &room);
    unsigned how = rd(r) % 8;
    if (how < 5) {
        /* A JSON array of role picks, made by json_array(). */
        int k = 1 + (int)(rd(r) % 4);
        for (int i = 0; i < k; i++)
            pick_name(r, ROLE, &parts[i]);
        char sql[64] = "SELECT json_array(?1";
        for (int i = 1; i < k; i++)
            snprintf(sql + strlen(sql), sizeof sql - strlen(sql), ", ?%d", i + 1);
        strcat(sql, ")");
        sqlite3_stmt *st = 0;
        CHECK(sqlite3_prepare_v2(side, sql, -1, &st, 0) == SQLITE_OK);
        for (int i = 0; i < k; i++)
            bind_fval(st, i + 1, &parts[i]);
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 0) <= MAX_TEXT)
            set_bytes(&roles, SQLITE_TEXT, (const char *)sqlite3_column_text(st, 0),
                      sqlite3_column_bytes(st, 0));
        else
            roles = parts[0];
        sqlite3_finalize(st);
    } else if (how == 5) {
        set_fuzz_bytes(&roles, SQLITE_TEXT, r, 40);
    } else if (how == 6) {
        static const char *const fixed[] = {
            "[]",           "{\"host\": 1}",   "host", "[\"host\", 3]", "[\"host\", \"\"]",
            "[[\"host\"]]", "[\"ho\\u0073t\"]"};
        set_text(&roles, fixed[rd(r) % 7]);
    } else {
        pick_name(r, ROLE, &roles); /* NULL, a number, a blob or a bare name */
    }
    unsigned shape = rd(r) % 3;
    static const char *const sqls[] = {
        "SELECT * FROM roomcode_create(?1, ?2)",
        "INSERT INTO log SELECT code FROM roomcode_create(?1, ?2)",
        "SELECT code, role FROM roomcode_create(?1, ?2) WHERE enabled = 1",
    };
    const fval *args[] = {&room, &roles};
    result res;
    h->eponymous_used = 1;
    begin_op(h);
    run_sql(h, sqls[shape], args, 2, &res);
    state after;
    end_op(h, &res, ATOMIC, 0, &after);
    /* Once its module is dropped, roomcode_create is no table at all: SQLite says so. */
    if (!h->modules_dropped)
        check_function_refusal(&res);
    else
        check_refusal(&res);

    role_list l;
    read_roles(&roles, &l);
    int ft = fn_target(h);
    int table = ft == T_MAIN || ft == T_AUX;
    if (table && h->exact_mints && is_name(&room) && l.valid) {
        const sc_snapshot *before = rows_of(&h->now, ft), *later = rows_of(&after, ft);
        int lacking = 0;
        for (int i = 0; i < l.n; i++) {
            int has = 0;
            for (size_t j = 0; j < before->n && !has; j++) {
                const sc_row *row = &before->rows[j];
                has = sc_value_is_text(&row->col[SC_ROOM_ID], room.s, room.n) &&
                      sc_value_is_text(&row->col[SC_ROLE], l.roles[i].s, l.roles[i].n) &&
                      row->col[SC_ENABLED].i == 1 && row->col[SC_USER_ID].type == SQLITE_NULL;
            }
            lacking += !has;
        }
        if (sc_count_room(before, room.s, room.n) + (size_t)lacking > 100) {
            CHECK_MSG(res.rc != SQLITE_OK, "roomcode_create went past the cap");
        } else if (res.rc == SQLITE_OK || !h->lenient) {
            /* After an environment operation a refusal ("roomcode: ...") is allowed. */
            CHECK_MSG(res.rc == SQLITE_OK, res.msg);
            check_others(h, &after);
            const sc_row **fresh = malloc((later->n + 1) * sizeof *fresh);
            CHECK(fresh != NULL);
            size_t k = 0;
            for (size_t j = 0; j < later->n; j++) {
                const sc_row *now = &later->rows[j];
                const sc_row *old = sc_find(before, now->col[SC_CODE].s, now->col[SC_CODE].n);
                int in_room = sc_value_is_text(&now->col[SC_ROOM_ID], room.s, room.n);
                if (!old) {
                    CHECK(in_room && role_index(&l, &now->col[SC_ROLE]) >= 0 &&
                          now->col[SC_ENABLED].i == 1 && now->col[SC_USER_ID].type == SQLITE_NULL);
                    fresh[k++] = now;
                } else if (!in_room || role_index(&l, &old->col[SC_ROLE]) >= 0 ||
                           old->col[SC_ENABLED].i == 0) {
                    CHECK_MSG(sc_row_equal(old, now),
                              "roomcode_create changed a row it should not");
                } else {
                    CHECK_MSG(now->col[SC_ENABLED].i == 0,
                              "roomcode_create kept an unlisted role enabled");
                }
            }
            CHECK_MSG(later->n - k == before->n, "roomcode_create removed a row");
            CHECK_MSG(k == (size_t)lacking, "roomcode_create minted another number of codes");
            for (size_t a = 0; a < k; a++)
                for (size_t b = 0; b < a; b++)
                    CHECK(!sc_value_equal(&fresh[a]->col[SC_ROLE], &fresh[b]->col[SC_ROLE]));
            free(fresh);
            if (shape == 0) {
                /* The enabled codes of the room, in the order of the roles. */
                size_t want = 0;
                for (size_t j = 0; j < later->n; j++)
                    want += sc_value_is_text(&later->rows[j].col[SC_ROOM_ID], room.s, room.n) &&
                            later->rows[j].col[SC_ENABLED].i == 1;
                CHECK(res.nrows == want && res.ncol == SC_NCOL);
                int last = -1;
                for (size_t i = 0; i < res.nrows; i++) {
                    const sc_value *c = cell(&res, i, SC_CODE);
                    const sc_row *row = sc_find(later, c->s, c->n);
                    CHECK(row != NULL);
                    for (int col = 0; col < SC_NCOL; col++)
                        CHECK(sc_value_equal(cell(&res, i, col), &row->col[col]));
                    int idx = role_index(&l, &row->col[SC_ROLE]);
                    CHECK(idx >= last);
                    last = idx;
                }
            }
        }
    } else if (table && (!is_name(&room) || !l.valid)) {
        CHECK_MSG(res.rc != SQLITE_OK, "roomcode_create took a bad room or roles");
    } else if (ft == T_NONE) {
        CHECK(res.rc != SQLITE_OK);
    }
    free(l.roles);
    result_free(&res);
    commit_op(h, &after);
}

static void op_functions(harness *h, reader *r) {
    fval x;
    pick_code(r, h, &x);
    if (rd(r) % 4 == 0)
        set_fuzz_bytes(&x, SQLITE_TEXT, r, 60);
    const fval *args[] = {&x};
    result res;
    begin_op(h);
    run_sql(h,
            "SELECT roomcode_valid(?1), roomcode_normalize(?1), roomcode_generate(), "
            "roomcode_version()",
            args, 1, &res);
    state after;
    end_op(h, &res, ATOMIC, 1, &after);
    CHECK_MSG(res.rc == SQLITE_OK, res.msg);
    CHECK(res.nrows == 1);
    int canonical = x.type == SQLITE_TEXT && sc_canonical(x.s, x.n);
    CHECK(cell(&res, 0, 0)->type == SQLITE_INTEGER && cell(&res, 0, 0)->i == canonical);
    char code[ROOMCODE_LEN + 1];
    int found = x.type == SQLITE_TEXT && roomcode_normalize_text(x.s, (size_t)x.n, code);
    if (found)
        CHECK(sc_value_is_text(cell(&res, 0, 1), code, ROOMCODE_LEN));
    else
        CHECK(cell(&res, 0, 1)->type == SQLITE_NULL);
    if (canonical)
        CHECK(sc_value_is_text(cell(&res, 0, 1), x.s, x.n));
    CHECK(cell(&res, 0, 2)->type == SQLITE_TEXT &&
          sc_canonical(cell(&res, 0, 2)->s, cell(&res, 0, 2)->n));
    CHECK(cell(&res, 0, 3)->type == SQLITE_TEXT && cell(&res, 0, 3)->n > 0);
    result_free(&res);
    commit_op(h, &after);
}

/* Decodes unpadded base64url into out (NUL-terminated); returns the length or -1. */
static long b64url_decode(const char *s, size_t n, char *out) {
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    unsigned long acc = 0;
    int bits = 0;
    long o = 0;
    for (size_t i = 0; i < n; i++) {
        const char *hit = s[i] ? memchr(alphabet, s[i], 64) : 0;
        if (!hit)
            return -1;
        acc = acc << 6 | (unsigned long)(hit - alphabet);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (char)(acc >> bits);
        }
    }
    out[o] = '\0';
    return o;
}

/*
 * roomcode_token and roomcode_link write nothing. A token is issued only for a stored,
 * enabled code, and for its bound user if it has one; its payload names that code's room
 * and role and the user asked for.
 */
static void op_link_token(harness *h, reader *r) {
    fval code, base, user;
    pick_code(r, h, &code);
    set_fuzz_bytes(&base, SQLITE_TEXT, r, 30);
    if (rd(r) % 2)
        set_text(&base, "acme.app.100ms.live");
    pick_name(r, USER, &user);
    const fval *args[] = {&code, &base, &user};
    int token = rd(r) % 2;
    const char *sql = token ? "SELECT roomcode_token(?1, ?3, 'access-key', 'app-secret')"
                            : "SELECT roomcode_link(?1, ?2)";
    result res;
    begin_op(h);
    run_sql(h, sql, args, 3, &res);
    state after;
    end_op(h, &res, ATOMIC, 1, &after);
    if (token)
        check_function_refusal(&res);
    int ft = fn_target(h);
    char norm[ROOMCODE_LEN + 1];
    int normalizes =
        code.type == SQLITE_TEXT && roomcode_normalize_text(code.s, (size_t)code.n, norm);
    if (res.rc == SQLITE_OK && !token) {
        CHECK(res.nrows == 1 && cell(&res, 0, 0)->type == SQLITE_TEXT);
        CHECK_MSG(normalizes && strstr(cell(&res, 0, 0)->s, norm), "a link without its code");
    }
    if (res.rc == SQLITE_OK && token) {
        CHECK_MSG(ft == T_MAIN || ft == T_AUX, "a token without a room_codes table");
        CHECK_MSG(normalizes, "a token for a malformed code");
        const sc_row *row = sc_find(rows_of(&h->now, ft), norm, ROOMCODE_LEN);
        CHECK_MSG(row, "a token for an unknown code");
        CHECK_MSG(row->col[SC_ENABLED].i == 1, "a token for a disabled code");
        CHECK_MSG(user.type == SQLITE_TEXT, "a token for a user_id that is not text");
        const sc_value *bound = &row->col[SC_USER_ID];
        CHECK_MSG(bound->type == SQLITE_NULL || sc_value_is_text(bound, user.s, user.n),
                  "a token for another user than the code is bound to");
        const sc_value *t = cell(&res, 0, 0);
        CHECK(res.nrows == 1 && t->type == SQLITE_TEXT);
        const char *dot1 = memchr(t->s, '.', (size_t)t->n);
        const char *dot2 = dot1 ? memchr(dot1 + 1, '.', (size_t)(t->s + t->n - dot1 - 1)) : 0;
        CHECK(dot1 && dot2 && !memchr(dot2 + 1, '.', (size_t)(t->s + t->n - dot2 - 1)));
        char *json = malloc((size_t)t->n + 1);
        CHECK(json != NULL);
        long jn = b64url_decode(dot1 + 1, (size_t)(dot2 - dot1 - 1), json);
        CHECK(jn > 0);
        sqlite3_stmt *st = 0;
        CHECK(sqlite3_prepare_v2(side,
                                 "SELECT json_extract(?1, '$.room_id'), json_extract(?1, '$.role'),"
                                 " json_extract(?1, '$.user_id')",
                                 -1, &st, 0) == SQLITE_OK);
        sqlite3_bind_text(st, 1, json, (int)jn, SQLITE_STATIC);
        CHECK(sqlite3_step(st) == SQLITE_ROW);
        for (int c = 0; c < 3; c++) {
            const char *v = (const char *)sqlite3_column_text(st, c);
            int vn = sqlite3_column_bytes(st, c);
            const sc_value *want = c == 0 ? &row->col[SC_ROOM_ID] : &row->col[SC_ROLE];
            CHECK_MSG(v && (c == 2 ? vn == user.n && memcmp(v, user.s, (size_t)vn) == 0
                                   : sc_value_is_text(want, v, vn)),
                      "a token's claims are not its code's room, role and user");
        }
        sqlite3_finalize(st);
        free(json);
    }
    result_free(&res);
    commit_op(h, &after);
}

/* Is the stored name one the extension's write paths accept again (rotation re-inserts it)? */
static int reinsertable(const sc_value *v, int nullable) {
    if (v->type == SQLITE_NULL)
        return nullable;
    return v->type == SQLITE_TEXT && sc_valid_name(v->s, v->n);
}

/* The JSON text of a code, read back with SQLite's JSON functions, is its stored row. */
static void check_code_json(const sc_value *json, const sc_row *row) {
    CHECK(json->type == SQLITE_TEXT);
    sqlite3_stmt *st = 0;
    CHECK(sqlite3_prepare_v2(side,
                             "SELECT json_valid(?1), json_extract(?1, '$.code'),"
                             " json_extract(?1, '$.room_id'), json_extract(?1, '$.role'),"
                             " json_type(?1, '$.enabled'), json_extract(?1, '$.user_id'),"
                             " json_type(?1, '$.user_id'), json_extract(?1, '$.created_at'),"
                             " json_extract(?1, '$.updated_at')",
                             -1, &st, 0) == SQLITE_OK);
    sqlite3_bind_text(st, 1, json->s, json->n, SQLITE_STATIC);
    CHECK(sqlite3_step(st) == SQLITE_ROW);
    CHECK_MSG(sqlite3_column_int(st, 0) == 1, json->s);
    static const int cols[] = {SC_CODE, SC_ROOM_ID, SC_ROLE};
    for (int i = 0; i < 3; i++) {
        const sc_value *want = &row->col[cols[i]];
        /* names that are not UTF-8 (a direct writer's) do not come back from JSON as stored */
        if (!sc_valid_name(want->s ? want->s : "", want->n))
            continue;
        CHECK_MSG(sc_value_is_text(want, (const char *)sqlite3_column_text(st, 1 + i),
                                   sqlite3_column_bytes(st, 1 + i)),
                  "roomcode_json does not hold the stored code, room_id or role");
    }
    CHECK_MSG(strcmp((const char *)sqlite3_column_text(st, 4),
                     row->col[SC_ENABLED].i == 1 ? "true" : "false") == 0,
              "roomcode_json's enabled is not the stored one as a JSON boolean");
    const sc_value *user = &row->col[SC_USER_ID];
    if (user->type == SQLITE_NULL)
        CHECK_MSG(sqlite3_column_type(st, 6) == SQLITE_NULL, "user_id shown for an unbound code");
    else if (sc_valid_name(user->s, user->n))
        CHECK_MSG(sc_value_is_text(user, (const char *)sqlite3_column_text(st, 5),
                                   sqlite3_column_bytes(st, 5)),
                  "roomcode_json's user_id is not the stored one");
    for (int i = 0; i < 2; i++)
        CHECK_MSG(sc_value_is_text(&row->col[SC_CREATED_AT + i],
                                   (const char *)sqlite3_column_text(st, 7 + i),
                                   sqlite3_column_bytes(st, 7 + i)),
                  "roomcode_json's timestamps are not the stored ones");
    sqlite3_finalize(st);
}

/* A room's JSON lists every code of the room once, by created_at and then code. */
static void check_room_json(const sc_value *json, const sc_snapshot *rows, const fval *room) {
    CHECK(json->type == SQLITE_TEXT);
    sqlite3_stmt *st = 0;
    CHECK(sqlite3_prepare_v2(side,
                             "SELECT value ->> 'code' FROM json_each(?1, '$.data') ORDER BY key",
                             -1, &st, 0) == SQLITE_OK);
    sqlite3_bind_text(st, 1, json->s, json->n, SQLITE_STATIC);
    size_t listed = 0;
    const sc_row *last = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const sc_row *row =
            sc_find(rows, (const char *)sqlite3_column_text(st, 0), sqlite3_column_bytes(st, 0));
        CHECK_MSG(row && sc_value_is_text(&row->col[SC_ROOM_ID], room->s, room->n),
                  "roomcode_room_json lists a code of another room");
        if (last) {
            int c = strcmp(last->col[SC_CREATED_AT].s, row->col[SC_CREATED_AT].s);
            CHECK_MSG(c < 0 || (c == 0 && strcmp(last->col[SC_CODE].s, row->col[SC_CODE].s) < 0),
                      "roomcode_room_json is not in creation order");
        }
        last = row;
        listed++;
    }
    sqlite3_finalize(st);
    CHECK_MSG(listed == sc_count_room(rows, room->s, room->n),
              "roomcode_room_json does not list every code of the room");
}

/*
 * roomcode_rotate (from a SELECT and from a statement that writes, where no savepoint can
 * be opened), roomcode_json and roomcode_room_json. Only for inputs with flags bit 5, so
 * that inputs without it decode as they did before these functions.
 */
static void op_rotate_json(harness *h, reader *r) {
    fval code, room;
    pick_code(r, h, &code);
    pick_name(r, ROOM, &room);
    unsigned shape = rd(r) % 4;
    static const char *const sqls[] = {
        "SELECT roomcode_rotate(?1)",
        "INSERT INTO log SELECT roomcode_rotate(?1)",
        "SELECT roomcode_json(?1)",
        "SELECT roomcode_room_json(?2)",
    };
    const fval *args[] = {&code, &room};
    result res;
    begin_op(h);
    run_sql(h, sqls[shape], args, 2, &res);
    state after;
    end_op(h, &res, ATOMIC, shape >= 2, &after);
    check_function_refusal(&res);
    int ft = fn_target(h);
    int known = (ft == T_MAIN || ft == T_AUX) && !h->modules_dropped;
    /* a refusal is allowed after an environment operation, and through a view (the
     * functions refuse anything but a roomcode table under the name room_codes) */
    int strict = known && !h->lenient && (h->tgt == T_MAIN || h->tgt == T_AUX);
    char norm[ROOMCODE_LEN + 1];
    int normalizes =
        code.type == SQLITE_TEXT && roomcode_normalize_text(code.s, (size_t)code.n, norm);
    const sc_snapshot *before = known ? rows_of(&h->now, ft) : 0;
    const sc_row *row = before && normalizes ? sc_find(before, norm, ROOMCODE_LEN) : 0;
    if (!known) {
        if (shape < 2 || (shape == 2 && normalizes) || (shape == 3 && is_name(&room)))
            CHECK_MSG(res.rc != SQLITE_OK || h->lenient, "a function worked without a table");
    } else if (shape < 2) {
        const sc_value *room_id = row ? &row->col[SC_ROOM_ID] : 0;
        int fits = row && row->col[SC_ENABLED].i == 1 && reinsertable(room_id, 0) &&
                   reinsertable(&row->col[SC_ROLE], 0) && reinsertable(&row->col[SC_USER_ID], 1) &&
                   sc_count_room(before, room_id->s, room_id->n) < 100;
        if (!fits)
            CHECK_MSG(res.rc != SQLITE_OK, "roomcode_rotate succeeded where it must refuse");
        else if (h->exact_mints && strict)
            CHECK_MSG(res.rc == SQLITE_OK, res.msg);
        if (res.rc == SQLITE_OK) {
            const sc_snapshot *later = rows_of(&after, ft);
            CHECK_MSG(later->n == before->n + 1, "roomcode_rotate did not add exactly one code");
            const sc_row *fresh = 0;
            for (size_t j = 0; j < later->n; j++) {
                const sc_row *now = &later->rows[j];
                const sc_row *old = sc_find(before, now->col[SC_CODE].s, now->col[SC_CODE].n);
                if (!old) {
                    CHECK_MSG(!fresh, "roomcode_rotate added two codes");
                    fresh = now;
                } else if (old == row) {
                    CHECK_MSG(now->col[SC_ENABLED].i == 0, "roomcode_rotate left the code enabled");
                    CHECK(sc_value_equal(&now->col[SC_USER_ID], &row->col[SC_USER_ID]));
                } else {
                    CHECK_MSG(sc_row_equal(old, now), "roomcode_rotate changed another code");
                }
            }
            CHECK(fresh != NULL);
            for (int c = SC_ROOM_ID; c <= SC_USER_ID; c++) {
                if (c == SC_ENABLED)
                    CHECK_MSG(fresh->col[c].i == 1, "the new code is not enabled");
                else
                    CHECK_MSG(sc_value_equal(&fresh->col[c], &row->col[c]),
                              "the new code is not of the same room, role and user");
            }
            if (shape == 0)
                CHECK_MSG(res.nrows == 1 && sc_value_equal(cell(&res, 0, 0), &fresh->col[SC_CODE]),
                          "roomcode_rotate returned another code than it stored");
            check_others(h, &after);
        }
    } else if (shape == 2) {
        if (code.type == SQLITE_NULL)
            CHECK_MSG(res.rc == SQLITE_OK && cell(&res, 0, 0)->type == SQLITE_NULL,
                      "roomcode_json(NULL) is not NULL");
        else if (!normalizes)
            CHECK_MSG(res.rc != SQLITE_OK, "roomcode_json took a malformed code");
        else if (res.rc != SQLITE_OK)
            CHECK_MSG(!strict, res.msg);
        else if (!row)
            CHECK_MSG(cell(&res, 0, 0)->type == SQLITE_NULL,
                      "roomcode_json of no code is not NULL");
        else
            check_code_json(cell(&res, 0, 0), row);
    } else {
        if (room.type == SQLITE_NULL)
            CHECK(res.rc == SQLITE_OK && cell(&res, 0, 0)->type == SQLITE_NULL);
        else if (!is_name(&room))
            CHECK_MSG(res.rc != SQLITE_OK, "roomcode_room_json took a bad room_id");
        else if (res.rc != SQLITE_OK)
            CHECK_MSG(!strict, res.msg);
        else
            check_room_json(cell(&res, 0, 0), before, &room);
    }
    result_free(&res);
    commit_op(h, &after);
}

static void op_transaction(harness *h, reader *r) {
    static const char *const sqls[] = {"BEGIN",         "BEGIN IMMEDIATE", "COMMIT",
                                       "ROLLBACK",      "SAVEPOINT sp",    "RELEASE sp",
                                       "ROLLBACK TO sp"};
    unsigned k = rd(r) % 7;
    if (k == 4 && h->sp_depth == 4)
        k = 5;
    result res;
    begin_op(h);
    run_sql(h, sqls[k], 0, 0, &res);
    state after;
    observe(h, &after);
    const char *bad = sc_check_rules(&after.rows);
    CHECK_MSG(bad == 0, bad);
    bad = sc_check_rules(&after.aux_rows);
    CHECK_MSG(bad == 0, bad);
    int now_auto = sqlite3_get_autocommit(h->db);
    if (res.rc == SQLITE_OK && k == 3)
        CHECK_MSG(state_equal(&after, &h->tx_start), "ROLLBACK did not restore the store");
    else if (res.rc == SQLITE_OK && k == 6)
        CHECK_MSG(h->sp_depth > 0 && state_equal(&after, &h->sp[h->sp_depth - 1]),
                  "ROLLBACK TO did not restore the store");
    else
        CHECK_MSG(state_equal(&after, &h->now), "a transaction statement changed the store");
    if (res.rc != SQLITE_OK || k == 3) {
        bad = sc_check_schema(h->db, "main", table_names[after.which], after.which != 0, 1);
        CHECK_MSG(bad == 0, bad);
    }
    if (res.rc == SQLITE_OK && k == 4) {
        state_copy(&h->sp[h->sp_depth++], &h->now);
    } else if (res.rc == SQLITE_OK && k == 5) {
        CHECK(h->sp_depth > 0);
        state_free(&h->sp[--h->sp_depth]);
    }
    if (!now_auto && h->was_auto)
        CHECK(k == 0 || k == 1 || k == 4);
    result_free(&res);
    commit_op(h, &after);
}

static void op_rename(harness *h, reader *r) {
    (void)r;
    char sql[128];
    int from = h->now.which ? h->now.which : 1;
    snprintf(sql, sizeof sql, "ALTER TABLE main.%s RENAME TO %s", table_names[from],
             table_names[3 - from]);
    result res;
    begin_op(h);
    run_sql(h, sql, 0, 0, &res);
    state after;
    end_op(h, &res, ATOMIC, 0, &after);
    /* Once the app's trigger names a table that is gone, SQLite refuses renames; a temp
     * view over a table that is gone, or a dropped module, can refuse them too. */
    if (h->now.which && !h->reader && h->trigger_exact && !h->lenient)
        CHECK_MSG(res.rc == SQLITE_OK, res.msg);
    if (res.rc == SQLITE_OK) {
        CHECK(after.which == 3 - from && sc_equal(&after.rows, &h->now.rows));
        const char *bad = sc_check_schema(h->db, "main", table_names[after.which], 1, 1);
        CHECK_MSG(bad == 0, bad);
        h->trigger_exact = 0;
    }
    result_free(&res);
    commit_op(h, &after);
}

static void op_drop_create(harness *h, reader *r) {
    (void)r;
    char sql[128];
    if (h->now.which)
        snprintf(sql, sizeof sql, "DROP TABLE main.%s", table_names[h->now.which]);
    else
        snprintf(sql, sizeof sql, "CREATE VIRTUAL TABLE main.room_codes USING roomcode");
    result res;
    begin_op(h);
    run_sql(h, sql, 0, 0, &res);
    state after;
    end_op(h, &res, ATOMIC, 0, &after);
    if (!h->reader && !h->lenient)
        CHECK_MSG(res.rc == SQLITE_OK, res.msg);
    if (res.rc == SQLITE_OK) {
        CHECK(after.which == (h->now.which ? 0 : 1) && after.rows.n == 0);
        h->trigger_exact = 0;
    }
    result_free(&res);
    commit_op(h, &after);
}

/*
 * Writes to the store itself, as another client would: the storage's rules must hold. The
 * store is a plain table (not a shadow table), so SQLITE_DBCONFIG_DEFENSIVE lets these
 * writes through too, and the rules alone keep it sound.
 */
static void op_direct(harness *h, reader *r) {
    static const char *const sqls[] = {
        "INSERT INTO \"%s_store\"(code, room_id, role, enabled, user_id) VALUES (?1, ?2, ?3, ?4, "
        "?5)",
        "INSERT INTO \"%s_store\"(code, room_id, role, created_at) VALUES (?1, ?2, ?3, "
        "'2020-01-01T00:00:00.000Z')",
        "UPDATE \"%s_store\" SET enabled = ?4 WHERE code = ?1",
        "UPDATE \"%s_store\" SET room_id = ?2 WHERE code = ?1",
        "UPDATE \"%s_store\" SET user_id = ?5, updated_at = '2021-01-01T00:00:00.000Z' WHERE code "
        "= ?1",
        "DELETE FROM \"%s_store\" WHERE code = ?1",
    };
    fval code, room, role, en, user;
    pick_code(r, h, &code);
    pick_name(r, ROOM, &room);
    pick_name(r, ROLE, &role);
    pick_enabled(r, &en);
    pick_name(r, USER, &user);
    char sql[256];
    snprintf(sql, sizeof sql, sqls[rd(r) % 6], table_names[h->now.which ? h->now.which : 1]);
    const fval *args[] = {&code, &room, &role, &en, &user};
    result res;
    begin_op(h);
    run_sql(h, sql, args, 5, &res);
    state after;
    end_op(h, &res, ATOMIC, 0, &after);
    result_free(&res);
    commit_op(h, &after);
}

/* A SELECT on room_codes left open while other operations write. */
static void op_reader(harness *h, reader *r) {
    state after;
    begin_op(h);
    if (!h->reader && rd(r) % 3) {
        fval room;
        pick_name(r, ROOM, &room);
        const char *sql = rd(r) % 2 ? "SELECT code FROM room_codes WHERE room_id = ?1"
                                    : "SELECT code FROM room_codes";
        current_sql = sql;
        if (trace)
            fprintf(stderr, "(reader) %s\n", sql);
        if (sqlite3_prepare_v2(h->db, sql, -1, &h->reader, 0) == SQLITE_OK)
            bind_fval(h->reader, 1, &room);
    }
    if (h->reader) {
        int rc = sqlite3_step(h->reader);
        if (rc == SQLITE_ROW) {
            const char *c = (const char *)sqlite3_column_text(h->reader, 0);
            CHECK(c && sc_canonical(c, sqlite3_column_bytes(h->reader, 0)));
        }
        if (rc != SQLITE_ROW || rd(r) % 4 == 0) {
            sqlite3_finalize(h->reader);
            h->reader = 0;
        }
    }
    result none = {0};
    end_op(h, &none, ATOMIC, 1, &after);
    commit_op(h, &after);
}

/* ---- environment operations (flags bit 4) ---- */

/*
 * Opens the second connection on first use: the same main database (a memdb file both
 * can open), the extension loaded, and aux attached with a room_codes of its own, so that
 * aux outlives a DETACH by the first connection.
 */
static void other_ready(harness *h) {
    if (h->other)
        return;
    char *err = 0;
    CHECK(sqlite3_open_v2(h->main_uri, &h->other,
                          SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI,
                          0) == SQLITE_OK);
    CHECK_MSG(sqlite3_roomcode_init(h->other, &err, 0) == SQLITE_OK, err);
    char *sql =
        sqlite3_mprintf("ATTACH %Q AS aux;"
                        "CREATE VIRTUAL TABLE aux.room_codes USING roomcode;"
                        "INSERT INTO aux.room_codes(code, room_id, role) VALUES"
                        " ('aux-code-aux', 'r-1', 'host'), ('aux-code-bbb', 'r-2', 'guest')",
                        h->aux_uri);
    CHECK(sql != NULL);
    CHECK_MSG(sqlite3_exec(h->other, sql, 0, 0, &err) == SQLITE_OK, err);
    sqlite3_free(sql);
}

/*
 * A statement of the second connection between two of the first's: DDL on the table the
 * first one uses, on a plain table, a view in its place, or writes. The first connection
 * must see a sound database after it, and its functions must cope (see op_new). The
 * statements name their schema: the other connection does not see the first one's DDL on
 * main until it reads main, so an unqualified name compiled against its stale schema can
 * resolve to aux.room_codes, and SQLite then never notices main changed.
 */
static void op_other(harness *h, reader *r) {
    /* Qualified: a name resolved against a stale schema can land in aux (see op_other). */
    static const char *const sqls[] = {
        "CREATE VIRTUAL TABLE main.room_codes USING roomcode",
        "DROP TABLE main.room_codes",
        "ALTER TABLE main.room_codes RENAME TO rc_renamed",
        "ALTER TABLE main.rc_renamed RENAME TO room_codes",
        "DROP TABLE main.rc_renamed",
        "CREATE TABLE main.other_plain(x)",
        "DROP TABLE main.other_plain",
        "CREATE VIEW main.room_codes AS SELECT 1 AS code WHERE 0",
        "DROP VIEW main.room_codes",
        "INSERT INTO main.room_codes(room_id, role, user_id) VALUES (?1, ?2, ?3)",
        "SELECT roomcode_new(?1, ?2)", /* whichever table the other connection finds */
        "DELETE FROM main.room_codes WHERE room_id = ?1",
        "UPDATE main.room_codes SET enabled = 1 - enabled WHERE room_id = ?1",
        "DROP TABLE aux.room_codes",
        "CREATE VIRTUAL TABLE aux.room_codes USING roomcode",
        "INSERT INTO aux.room_codes(room_id, role) VALUES (?1, ?2)",
    };
    unsigned k = rd(r) % 16;
    fval room, role, user;
    pick_name(r, ROOM, &room);
    pick_name(r, ROLE, &role);
    pick_name(r, USER, &user);
    /* The model of the first connection's transactions assumes it is the only writer, and
     * its state has room for one of room_codes and rc_renamed in main, not both. */
    if (!sqlite3_get_autocommit(h->db) || (k == 0 && h->shared && h->now.which == 2))
        return;
    other_ready(h);
    h->lenient = 1;
    const fval *args[] = {&room, &role, &user};
    result res;
    begin_op(h);
    run_sql_on(h->other, "(other) ", sqls[k], args, 3, &res);
    state after;
    end_op(h, &res, ATOMIC, 0, &after);
    check_refusal(&res);
    /* The first connection may hold a lock that the other's write waits for. */
    if (k == 10 && res.rc != SQLITE_BUSY && res.rc != SQLITE_LOCKED)
        check_function_refusal(&res);
    if (!h->shared)
        CHECK_MSG(main_equal(&after, &h->now),
                  "the other connection changed a database the first one deserialized");
    if (res.rc == SQLITE_OK && k <= 8)
        h->trigger_exact = 0;
    result_free(&res);
    commit_op(h, &after);
}

/* ATTACH and DETACH aux (which holds its own room_codes), and DDL and writes on it. */
static void op_attach(harness *h, reader *r) {
    static const char *const sqls[] = {
        "DETACH aux",
        "DROP TABLE aux.room_codes",
        "CREATE VIRTUAL TABLE aux.room_codes USING roomcode",
        "INSERT INTO aux.room_codes(room_id, role) VALUES (?2, ?3)",
    };
    fval uri, room, role;
    pick_name(r, ROOM, &room);
    pick_name(r, ROLE, &role);
    unsigned k = rd(r) % 4;
    other_ready(h);
    h->lenient = 1;
    set_text(&uri, h->aux_uri);
    const char *sql = !h->now.aux ? "ATTACH ?1 AS aux" : sqls[k];
    /* ATTACH and DETACH outlast a ROLLBACK: the transaction model keeps them out. */
    if ((sql == sqls[0] || !h->now.aux) && !sqlite3_get_autocommit(h->db))
        return;
    const fval *args[] = {&uri, &room, &role};
    result res;
    begin_op(h);
    run_sql(h, sql, args, 3, &res);
    state after;
    end_op(h, &res, ATOMIC, 0, &after);
    check_refusal(&res);
    if (res.rc == SQLITE_OK && !h->now.aux)
        CHECK(after.aux != 0);
    if (res.rc == SQLITE_OK && sql == sqls[0])
        CHECK(after.aux == 0);
    result_free(&res);
    commit_op(h, &after);
}

/*
 * sqlite3_serialize of main into a snapshot, or sqlite3_deserialize of the snapshot into
 * the first connection's main (which from then on is private to it).
 */
static void op_snapshot(harness *h, reader *r) {
    unsigned k = rd(r) % 3;
    h->lenient = 1;
    if (k == 0 || !h->snap) {
        sqlite3_int64 n = 0;
        unsigned char *p = sqlite3_serialize(h->db, "main", &n, 0);
        if (trace)
            fprintf(stderr, "(sqlite3_serialize main: %lld bytes)\n", (long long)n);
        if (p) {
            sqlite3_free(h->snap);
            h->snap = p;
            h->snap_n = n;
            state_free(&h->snap_state);
            state_copy(&h->snap_state, &h->now);
            h->snap_trigger_exact = h->trigger_exact;
        }
        if (k == 0 || !h->snap)
            return;
    }
    /*
     * SQLite itself (3.40.1, and 3.52.0 too) reads past db->aDb when an eponymous virtual
     * table used before sqlite3_deserialize(db, "main", ...) is used after it: json_each
     * alone shows it, without roomcode. roomcode_create is one, and runs json_each.
     */
    if (!sqlite3_get_autocommit(h->db) || h->eponymous_used)
        return;
    /* A statement left running across sqlite3_deserialize is the caller's misuse. */
    if (h->reader) {
        sqlite3_finalize(h->reader);
        h->reader = 0;
    }
    unsigned char *copy = sqlite3_malloc64((sqlite3_uint64)h->snap_n);
    CHECK(copy != NULL);
    memcpy(copy, h->snap, (size_t)h->snap_n);
    begin_op(h);
    h->skip_identity = 1; /* codes may come back with an older identity */
    current_sql = "(sqlite3_deserialize main)";
    int rc = sqlite3_deserialize(h->db, "main", copy, h->snap_n, h->snap_n,
                                 SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_RESIZEABLE);
    result res;
    memset(&res, 0, sizeof res);
    if (rc != SQLITE_OK)
        note_error(h->db, &res, rc);
    if (trace)
        fprintf(stderr, "(sqlite3_deserialize main)\n  -> rc %d\n", rc);
    state after;
    end_op(h, &res, ATOMIC, 0, &after);
    if (rc == SQLITE_OK) {
        CHECK_MSG(main_equal(&after, &h->snap_state),
                  "a deserialized database is not the snapshot");
        h->shared = 0;
        h->trigger_exact = h->snap_trigger_exact;
    }
    commit_op(h, &after);
}

/* A temp view named room_codes hides the tables: over nothing, or over main.room_codes. */
static void op_temp_view(harness *h, reader *r) {
    static const char *const sqls[] = {
        "CREATE TEMP VIEW room_codes AS SELECT 1 AS code WHERE 0",
        "CREATE TEMP VIEW room_codes AS SELECT * FROM main.room_codes",
        "DROP VIEW temp.room_codes",
    };
    unsigned k = h->now.temp_view ? 2 : rd(r) % 2;
    h->lenient = 1;
    result res;
    begin_op(h);
    run_sql(h, sqls[k], 0, 0, &res);
    state after;
    end_op(h, &res, ATOMIC, 0, &after);
    result_free(&res);
    commit_op(h, &after);
}

/* Loads the extension again on the first connection, or drops its modules. */
static void op_reload(harness *h, reader *r) {
    h->lenient = 1;
    begin_op(h);
    if (rd(r) % 2) {
        char *err = 0;
        current_sql = "(sqlite3_roomcode_init again)";
        if (trace)
            fprintf(stderr, "%s\n", current_sql);
        CHECK_MSG(sqlite3_roomcode_init(h->db, &err, 0) == SQLITE_OK, err);
        h->modules_dropped = 0;
    } else {
        static const char *keep[] = {"json_each", "json_tree", 0};
        current_sql = "(sqlite3_drop_modules)";
        if (trace)
            fprintf(stderr, "%s\n", current_sql);
        CHECK(sqlite3_drop_modules(h->db, keep) == SQLITE_OK);
        h->modules_dropped = 1;
    }
    result none;
    memset(&none, 0, sizeof none);
    state after;
    end_op(h, &none, ATOMIC, 1, &after);
    commit_op(h, &after);
}

typedef void (*op_fn)(harness *h, reader *r);

/* ---- roomcode_check and a disabled room (flags bit 6) ---- */

/*
 * The verdict roomcode_check should give a code (and user, when given), from the store
 * read as a plain table; room_disabled: the code's room is registered and disabled. The
 * order is that of docs/platforms.md's table: malformed, unknown, disabled, room_disabled,
 * bound, other_user, ok.
 */
static const char *expected_verdict(const sc_snapshot *s, const fval *code, const fval *user,
                                    int room_disabled) {
    char c[ROOMCODE_LEN + 1];
    if (code->type != SQLITE_TEXT || !roomcode_normalize_text(code->s, (size_t)code->n, c))
        return "malformed";
    const sc_row *row = sc_find(s, c, ROOMCODE_LEN);
    if (!row)
        return "unknown";
    if (row->col[SC_ENABLED].i == 0)
        return "disabled";
    if (room_disabled)
        return "room_disabled";
    if (row->col[SC_USER_ID].type == SQLITE_NULL)
        return "ok";
    if (!user)
        return "bound";
    return sc_value_is_text(&row->col[SC_USER_ID], user->s, user->n) ? "ok" : "other_user";
}

static void check_verdict(harness *h, const fval *code, const fval *user, int room_disabled) {
    const fval *args[] = {code, user};
    result res;
    run_sql(h, user ? "SELECT roomcode_check(?1, ?2)" : "SELECT roomcode_check(?1)", args,
            user ? 2 : 1, &res);
    CHECK_MSG(res.rc == SQLITE_OK, res.msg);
    CHECK(res.nrows == 1 && res.ncol == 1);
    const char *want = expected_verdict(&h->now.rows, code, user, room_disabled);
    CHECK_MSG(sc_value_is_text(cell(&res, 0, 0), want, (int)strlen(want)),
              "roomcode_check gave another verdict than the store and rooms say");
    result_free(&res);
}

/* Runs a statement on the templates or rooms table that must succeed. */
static void must_run(harness *h, const char *sql, const fval *arg) {
    const fval *args[] = {arg};
    result res;
    run_sql(h, sql, args, arg ? 1 : 0, &res);
    CHECK_MSG(res.rc == SQLITE_OK, res.msg);
    result_free(&res);
}

/*
 * roomcode_check on a fuzz-chosen code; now and then the room of that code is registered
 * with a template of exactly the roles its codes carry, disabled (its enabled codes then
 * say room_disabled), and unregistered again, so the store and everything else the model
 * knows stay as they were: the operation must change no code.
 */
static void op_check_rooms(harness *h, reader *r) {
    fval code, user;
    pick_code(r, h, &code);
    pick_name(r, USER, &user);
    const fval *u = rd(r) % 2 && is_name(&user) ? &user : NULL;
    int disable_room = rd(r) % 3 == 0;
    begin_op(h);
    int exact = h->tgt == T_MAIN && h->now.which == 1 && !h->modules_dropped && !h->lenient &&
                !h->environment;
    result last = {0};
    if (exact) {
        check_verdict(h, &code, u, 0);
        char c[ROOMCODE_LEN + 1];
        const sc_row *row =
            code.type == SQLITE_TEXT && roomcode_normalize_text(code.s, (size_t)code.n, c)
                ? sc_find(&h->now.rows, c, ROOMCODE_LEN)
                : NULL;
        int names_ok = row && sc_valid_name(row->col[SC_ROOM_ID].s, row->col[SC_ROOM_ID].n);
        for (size_t i = 0; names_ok && i < h->now.rows.n; i++) {
            const sc_row *o = &h->now.rows.rows[i];
            if (sc_value_equal(&o->col[SC_ROOM_ID], &row->col[SC_ROOM_ID]))
                names_ok = sc_valid_name(o->col[SC_ROLE].s, o->col[SC_ROLE].n);
        }
        if (disable_room && names_ok) {
            fval room;
            set_bytes(&room, SQLITE_TEXT, row->col[SC_ROOM_ID].s, row->col[SC_ROOM_ID].n);
            must_run(h,
                     "INSERT INTO room_codes_templates(template, role) SELECT DISTINCT "
                     "'fuzz-template', role FROM room_codes WHERE room_id = ?1",
                     &room);
            must_run(h,
                     "INSERT INTO room_codes_rooms(room_id, template) VALUES (?1, 'fuzz-template')",
                     &room);
            must_run(h, "UPDATE room_codes_rooms SET enabled = 0 WHERE room_id = ?1", &room);
            check_verdict(h, &code, u, 1);
            must_run(h, "DELETE FROM room_codes_rooms WHERE room_id = ?1", &room);
            must_run(h, "DELETE FROM room_codes_templates WHERE template = 'fuzz-template'", 0);
            check_verdict(h, &code, u, 0);
        }
    } else {
        const fval *args[] = {&code, u};
        run_sql(h, u ? "SELECT roomcode_check(?1, ?2)" : "SELECT roomcode_check(?1)", args,
                u ? 2 : 1, &last);
        if (last.rc != SQLITE_OK)
            check_function_refusal(&last);
        last.rc = SQLITE_OK; /* a refusal here is allowed; the store must not change */
    }
    state after;
    end_op(h, &last, ATOMIC, 1, &after);
    result_free(&last);
    commit_op(h, &after);
}

/* The environment operations come last, so inputs without flags bit 4 decode as before. */
static const struct {
    op_fn fn;
    int weight;
    int environment; /* 0 always; else the flags it needs: 1 bit 4, 2 bit 5, 4 bit 6 */
} ops[] = {
    {op_insert, 14, 0},
    {op_select, 5, 0},
    {op_update, 6, 0},
    {op_update_identity, 3, 0},
    {op_delete, 4, 0},
    {op_new, 6, 0},
    {op_new_while_scanning, 1, 0},
    {op_create, 6, 0},
    {op_functions, 2, 0},
    {op_link_token, 1, 0},
    {op_transaction, 5, 0},
    {op_rename, 1, 0},
    {op_drop_create, 1, 0},
    {op_direct, 2, 0},
    {op_reader, 2, 0},
    {op_other, 6, 1},
    {op_attach, 2, 1},
    {op_snapshot, 1, 1},
    {op_temp_view, 1, 1},
    {op_reload, 1, 1},
    {op_rotate_json, 5, 2},
    {op_check_rooms, 4, 4},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    reader r = {data, data + size};
    unsigned flags = rd(&r);
    rng_mode = (flags & 7) == 7 ? 2 : (flags & 7) == 6 ? 1 : 0;
    rng_state = (uint64_t)rd(&r) << 8 | rd(&r);

    harness h;
    memset(&h, 0, sizeof h);
    h.exact_mints = rng_mode == 0;
    h.defensive = (flags & 8) != 0;
    h.trigger_exact = 1;
    h.environment = (flags & 16) != 0;
    h.shared = 1;
    if (h.environment) {
        /* memdb files by name are shared by the connections of this process */
        static unsigned long inputs;
        inputs++;
        snprintf(h.main_uri, sizeof h.main_uri, "file:/rcfuzz-%lu?vfs=memdb", inputs);
        snprintf(h.aux_uri, sizeof h.aux_uri, "file:/rcfuzz-aux-%lu?vfs=memdb", inputs);
    } else {
        snprintf(h.main_uri, sizeof h.main_uri, ":memory:");
    }
    CHECK(sqlite3_open_v2(h.main_uri, &h.db,
                          SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI,
                          0) == SQLITE_OK);
    char *err = 0;
    CHECK_MSG(sqlite3_roomcode_init(h.db, &err, 0) == SQLITE_OK, err);
    /* Opened first: memdb refuses even a reader while another connection writes. */
    if (h.environment)
        other_ready(&h);
    CHECK(sqlite3_exec(h.db,
                       "CREATE VIRTUAL TABLE room_codes USING roomcode;"
                       "CREATE TABLE log(code);"
                       "CREATE TABLE rooms(id);"
                       "CREATE TRIGGER rooms_codes AFTER INSERT ON rooms BEGIN"
                       "  INSERT INTO room_codes(room_id, role) VALUES (NEW.id, 'host');"
                       " END;",
                       0, 0, &err) == SQLITE_OK);
    if (h.defensive)
        CHECK(sqlite3_db_config(h.db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)0) == SQLITE_OK);
    observe(&h, &h.now);

    int total = 0;
    size_t n_ops = sizeof ops / sizeof ops[0];
    /* environment 1: flags bit 4; 2: flags bit 5 (rotation and JSON); 4: flags bit 6
     * (roomcode_check and a disabled room) */
    unsigned wanted = (h.environment ? 1u : 0u) | (flags & 32 ? 2u : 0u) | (flags & 64 ? 4u : 0u);
    for (size_t i = 0; i < n_ops; i++)
        total += !ops[i].environment || (wanted & ops[i].environment) ? ops[i].weight : 0;
    for (int n = 0; n < MAX_OPS && r.p < r.end; n++) {
        int pick = (int)(rd(&r) % (unsigned)total);
        size_t i = 0;
        for (;; i++) {
            if (ops[i].environment && !(wanted & ops[i].environment))
                continue;
            if (pick < ops[i].weight)
                break;
            pick -= ops[i].weight;
        }
        ops[i].fn(&h, &r);
    }

    if (h.reader)
        sqlite3_finalize(h.reader);
    current_sql = "(final checks)";
    const char *bad = sc_check_schema(h.db, "main", table_names[h.now.which], h.now.which != 0, 0);
    CHECK_MSG(bad == 0, bad);
    if (h.now.aux) {
        bad = sc_check_schema(h.db, "aux", "room_codes", h.now.aux == 2, 0);
        CHECK_MSG(bad == 0, bad);
    }
    state_free(&h.now);
    state_free(&h.tx_start);
    state_free(&h.snap_state);
    sqlite3_free(h.snap);
    for (int i = 0; i < h.sp_depth; i++)
        state_free(&h.sp[i]);
    CHECK_MSG(sqlite3_close(h.db) == SQLITE_OK,
              "sqlite3_close refused: a statement outlived its table");
    if (h.other) {
        /* The first connection's transaction, if one was left open, is gone now. */
        bad = sc_check_schema(h.other, "main", "", 0, 0);
        CHECK_MSG(bad == 0, bad);
        bad = sc_check_schema(h.other, "aux", "", 0, 0);
        CHECK_MSG(bad == 0, bad);
        CHECK_MSG(sqlite3_close(h.other) == SQLITE_OK,
                  "sqlite3_close of the other connection refused");
    }
    return 0;
}
