/*
 * Allocation-failure tests. SQLite's allocator is wrapped (SQLITE_CONFIG_MALLOC, before
 * sqlite3_initialize, around the default methods from SQLITE_CONFIG_GETMALLOC) so that
 * the Nth allocation fails, for N = 1, 2, ... until an operation runs without reaching
 * its Nth allocation; once with only that allocation failing ("transient") and once with
 * every allocation from the Nth on failing ("persistent"). The extension is compiled in
 * (-DSQLITE_CORE) and registered with sqlite3_roomcode_init, and allocates only through
 * SQLite, so every allocation on its paths is counted here.
 *
 * Each operation (extension load, CREATE VIRTUAL TABLE, connecting to an existing table,
 * INSERT minting and importing, refused INSERTs, lookups, UPDATE, DELETE, roomcode_new,
 * roomcode_create, rename, DROP) runs on a fresh database prepared without failures.
 * After each attempt, with failures off: the result is SQLITE_OK or a clean error; the
 * store passes PRAGMA integrity_check and the storage rules (tests/support/store_check.c);
 * a failed statement changed nothing and a successful one did all of its work; the
 * connection still works; sqlite3_close() succeeds; and every allocation made since the
 * database was opened has been freed.
 *
 * Prints one line per operation with its allocation-failure points, then
 * "memory: N passed, M failed" (one test per operation and mode). A first argument runs
 * one operation only; MEMFAULT_VERBOSE=1 tells more, MEMFAULT_STACKS=1 (this is built
 * with ASan) prints the stack of every injected failure.
 */
#include <sodium.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store_check.h"

int sqlite3_roomcode_init(sqlite3 *db, char **err, const sqlite3_api_routines *api);

/* ---- the failing allocator ---- */

static sqlite3_mem_methods base;
static int armed;       /* counting allocations, and failing the fail_at-th */
static long seen;       /* allocations since arming */
static long fail_at;    /* the allocation that fails; 0: none */
static int persistent;  /* after the first failure, fail every allocation */
static int failed_once; /* an allocation failed since arming */
static long outstanding;

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#include <sanitizer/common_interface_defs.h>
#define HAVE_STACK_TRACE 1
#endif
#endif

static int show_stacks; /* MEMFAULT_STACKS=1 (ASan build): where each injected failure hits */

static int should_fail(void) {
    if (!armed)
        return 0;
    seen++;
    if (failed_once && persistent)
        return 1;
    if (seen == fail_at) {
        failed_once = 1;
#ifdef HAVE_STACK_TRACE
        if (show_stacks)
            __sanitizer_print_stack_trace();
#endif
        return 1;
    }
    return 0;
}

static void *fm_malloc(int n) {
    if (should_fail())
        return 0;
    void *p = base.xMalloc(n);
    if (p)
        outstanding++;
    return p;
}

static void fm_free(void *p) {
    if (p)
        outstanding--;
    base.xFree(p);
}

static void *fm_realloc(void *p, int n) {
    if (should_fail())
        return 0;
    return base.xRealloc(p, n);
}

static int fm_size(void *p) { return base.xSize(p); }
static int fm_roundup(int n) { return base.xRoundup(n); }
static int fm_init(void *x) { return base.xInit(x); }
static void fm_shutdown(void *x) { base.xShutdown(x); }

static void arm(long n, int keep_failing) {
    armed = 1;
    seen = 0;
    fail_at = n;
    failed_once = 0;
    persistent = keep_failing;
}

/* Turns failures off; returns whether one happened. */
static int disarm(void) {
    int hit = failed_once;
    armed = 0;
    failed_once = 0;
    return hit;
}

/* ---- checks ---- */

static int problems; /* failures of the current test */
static const char *test_name, *test_mode;
static long test_n;

__attribute__((format(printf, 1, 2))) static void problem(const char *fmt, ...) {
    if (problems++ >= 5)
        return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "FAIL memory/%s (%s, allocation %ld): ", test_name, test_mode, test_n);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static void must(int rc, sqlite3 *db, const char *what) {
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
        fprintf(stderr, "memfault: %s failed without injected failures: %s\n", what,
                db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        exit(2);
    }
}

static void exec_ok(sqlite3 *db, const char *sql) {
    char *err = 0;
    int rc = sqlite3_exec(db, sql, 0, 0, &err);
    if (rc != SQLITE_OK) {
        fprintf(stderr, "memfault: setup failed: %s\n  %s\n", err ? err : sqlite3_errstr(rc), sql);
        exit(2);
    }
}

static int conversion_failed; /* run_rows: the statement ran, turning a value to text did not */

/* Runs sql; its rows, "a|b|c\n" each, go to out (malloc'd). Returns the result code. */
static int run_rows(sqlite3 *db, const char *sql, char **out) {
    size_t cap = 256, len = 0;
    char *buf = out ? malloc(cap) : 0;
    if (out && !buf)
        exit(2);
    if (buf)
        buf[0] = '\0';
    sqlite3_stmt *st = 0;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, 0);
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        rc = SQLITE_OK;
        for (int c = 0; buf && c < sqlite3_column_count(st); c++) {
            const char *v = (const char *)sqlite3_column_text(st, c);
            if (!v && sqlite3_errcode(db) == SQLITE_NOMEM)
                conversion_failed = 1;
            if (!v && sqlite3_column_type(st, c) != SQLITE_NULL) {
                rc = SQLITE_NOMEM; /* converting to text can fail too */
                break;
            }
            size_t need = len + (v ? strlen(v) : 4) + 2;
            if (need > cap) {
                cap = 2 * need;
                buf = realloc(buf, cap);
                if (!buf)
                    exit(2);
            }
            len += (size_t)sprintf(buf + len, "%s%s", c ? "|" : "", v ? v : "NULL");
        }
        if (buf && rc == SQLITE_OK)
            len += (size_t)sprintf(buf + len, "\n");
    }
    if (rc == SQLITE_DONE)
        rc = SQLITE_OK;
    sqlite3_finalize(st);
    rc &= 0xff;
    if (out)
        *out = buf;
    return rc;
}

static int run(sqlite3 *db, const char *sql) { return run_rows(db, sql, 0); }

/* Which of the two names the table exists under: 0 none, 1 room_codes, 2 rc2. */
static int table_present(sqlite3 *db, const char *name) {
    char *sql = sqlite3_mprintf("SELECT count(*) FROM sqlite_schema WHERE name = '%q'", name);
    sqlite3_stmt *st = 0;
    must(sqlite3_prepare_v2(db, sql, -1, &st, 0), db, "reading the schema");
    must(sqlite3_step(st), db, "reading the schema");
    int n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_free(sql);
    return n > 0;
}

static void snapshot(sqlite3 *db, const char *table, sc_snapshot *s) {
    must(sc_take(db, "main", table, s), db, "reading the store");
    if (s->present != table_present(db, table))
        problem("table %s and its store do not exist together", table);
}

static void check_consistent(sqlite3 *db, const char *table, const sc_snapshot *s) {
    const char *bad = sc_check_rules(s);
    if (bad)
        problem("rules: %s", bad);
    bad = sc_check_schema(db, "main", table, s->present, 0);
    if (bad)
        problem("%s", bad);
}

/* ---- the operations ---- */

typedef struct op {
    const char *name;
    const char *setup;       /* SQL run before, without failures (NULL: none) */
    int no_extension;        /* the operation itself loads the extension */
    int on_disk;             /* the database is a file, reopened before the operation */
    const char *sql;         /* the operation (or NULL for the extension load) */
    const char *want_rows;   /* rows the operation returns when it succeeds (NULL: any) */
    const char *after;       /* a query on the store whose rows must be want_after on success */
    const char *want_after;  /* (and must not change when the operation fails) */
    int must_fail;           /* a refusal: never succeeds */
    const char *table_after; /* the table's name after success (rename, drop) */
} op;

/* Calls that hand back what they wrote: an error after their work is done would hide that
 * work (the codes made), so none may come. */
static int whole(const op *o) {
    static const char *const names[] = {"roomcode_rotate", "roomcode_rotate_in_transaction",
                                        "roomcode_create", "roomcode_create_in_transaction"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcmp(o->name, names[i]) == 0)
            return 1;
    }
    return 0;
}

#define BASE_ROWS                                                                                  \
    "CREATE VIRTUAL TABLE room_codes USING roomcode;"                                              \
    "INSERT INTO room_codes(code, room_id, role) VALUES ('aaa-aaaa-aaa', 'r-1', 'host'),"          \
    " ('bbb-bbbb-bbb', 'r-1', 'guest'), ('ccc-cccc-ccc', 'r-2', 'host');"                          \
    "INSERT INTO room_codes(code, room_id, role, enabled, user_id)"                                \
    " VALUES ('ddd-dddd-ddd', 'r-2', 'guest', 0, 'u-1');"

/* Rooms filled straight into the store: quicker than through the table, same rows. */
#define FILL(room, n)                                                                              \
    "WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < " #n " - 1)"         \
    " INSERT INTO room_codes_store(code, room_id, role) SELECT 'zzz-z' || char(97 + i / 26, 97 + " \
    "i % 26)"                                                                                      \
    " || 'z-' || substr('" room "', 1, 3), '" room "', 'guest' FROM c;"

#define FULL_ROOM BASE_ROWS FILL("full", 100)
#define ALMOST_FULL BASE_ROWS FILL("almost", 98)

/* Every row but timestamps, and minted codes shown only by whether they are valid. */
/* The base rows with r-1 registered with template t (host and guest) and r-2 registered
 * and disabled. */
#define TEMPLATE_ROWS                                                                              \
    BASE_ROWS "INSERT INTO room_codes_templates VALUES ('t', 'host', '{\"admin\": true}'),"        \
              " ('t', 'guest', '{}');"                                                             \
              "INSERT INTO room_codes_rooms(room_id, template, enabled) VALUES ('r-1', 't', 1),"   \
              " ('r-2', 't', 0);"

#define SUMMARY                                                                                    \
    "SELECT iif(code IN ('aaa-aaaa-aaa', 'bbb-bbbb-bbb', 'ccc-cccc-ccc', 'ddd-dddd-ddd',"          \
    " 'xvm-wxwo-gbl'), code, 'minted'),"                                                           \
    " room_id, role, enabled, quote(user_id) FROM room_codes_store"                                \
    " WHERE room_id <> 'full' ORDER BY room_id, role, code"

#define BASE_SUMMARY                                                                               \
    "bbb-bbbb-bbb|r-1|guest|1|NULL\n"                                                              \
    "aaa-aaaa-aaa|r-1|host|1|NULL\n"                                                               \
    "ddd-dddd-ddd|r-2|guest|0|'u-1'\n"                                                             \
    "ccc-cccc-ccc|r-2|host|1|NULL\n"

#define SCHEMA "SELECT type, name, tbl_name FROM sqlite_schema ORDER BY name"

static const op ops[] = {
    {"load", 0, 1, 0, 0, 0, 0, 0, 0, 0},
    {"create_table", 0, 0, 0, "CREATE VIRTUAL TABLE room_codes USING roomcode", 0, SCHEMA,
     "table|room_codes|room_codes\n"
     "table|room_codes_rooms|room_codes_rooms\n"
     "trigger|room_codes_rooms_codes|room_codes_rooms\n"
     "trigger|room_codes_rooms_codes_update|room_codes_rooms\n"
     "trigger|room_codes_rooms_role_of_code|room_codes_store\n"
     "trigger|room_codes_rooms_template|room_codes_rooms\n"
     "trigger|room_codes_rooms_template_update|room_codes_rooms\n"
     "table|room_codes_store|room_codes_store\n"
     "trigger|room_codes_store_cap|room_codes_store\n"
     "trigger|room_codes_store_fixed|room_codes_store\n"
     "trigger|room_codes_store_no_replace|room_codes_store\n"
     "trigger|room_codes_store_touch|room_codes_store\n"
     "index|room_codes_store_user_id|room_codes_store\n"
     "table|room_codes_templates|room_codes_templates\n"
     "trigger|room_codes_templates_last_role|room_codes_templates\n"
     "trigger|room_codes_templates_permissions|room_codes_templates\n"
     "trigger|room_codes_templates_permissions_update|room_codes_templates\n"
     "trigger|room_codes_templates_role_in_use|room_codes_templates\n"
     "trigger|room_codes_templates_role_renamed|room_codes_templates\n"
     "index|sqlite_autoindex_room_codes_rooms_2|room_codes_rooms\n"
     "index|sqlite_autoindex_room_codes_store_2|room_codes_store\n",
     0, 0},
    {"connect", BASE_ROWS, 0, 1,
     "SELECT code, room_id, role FROM room_codes WHERE code = 'aaa-aaaa-aaa'",
     "aaa-aaaa-aaa|r-1|host\n", SUMMARY, BASE_SUMMARY, 0, 0},
    {"insert_mint", BASE_ROWS, 0, 0, "INSERT INTO room_codes(room_id, role) VALUES ('r-3', 'host')",
     0, SUMMARY, BASE_SUMMARY "minted|r-3|host|1|NULL\n", 0, 0},
    {"insert_import", BASE_ROWS, 0, 0,
     "INSERT INTO room_codes(code, room_id, role, user_id) VALUES ('XVM WXWO GBL', 'r-3', 'guest', "
     "'u-2')",
     0, SUMMARY, BASE_SUMMARY "xvm-wxwo-gbl|r-3|guest|1|'u-2'\n", 0, 0},
    {"insert_multi_row", BASE_ROWS, 0, 0,
     "INSERT INTO room_codes(room_id, role) VALUES ('r-3', 'a'), ('r-3', 'b'), ('r-3', 'c')", 0,
     SUMMARY, BASE_SUMMARY "minted|r-3|a|1|NULL\nminted|r-3|b|1|NULL\nminted|r-3|c|1|NULL\n", 0, 0},
    {"insert_in_transaction", BASE_ROWS "BEGIN;", 0, 0,
     "INSERT INTO room_codes(room_id, role) VALUES ('r-3', 'host'), ('r-3', 'guest')", 0, SUMMARY,
     BASE_SUMMARY "minted|r-3|guest|1|NULL\nminted|r-3|host|1|NULL\n", 0, 0},
    {"insert_refused_duplicate", BASE_ROWS, 0, 0,
     "INSERT INTO room_codes(code, room_id, role) VALUES ('aaa-aaaa-aaa', 'r-3', 'host')", 0,
     SUMMARY, BASE_SUMMARY, 1, 0},
    {"insert_refused_cap", FULL_ROOM, 0, 0,
     "INSERT INTO room_codes(room_id, role) VALUES ('full', 'host')", 0,
     "SELECT count(*) FROM room_codes_store WHERE room_id = 'full'", "100\n", 1, 0},
    {"insert_refused_name", BASE_ROWS, 0, 0,
     "INSERT INTO room_codes(room_id, role) VALUES ('r-3', 'bad' || char(10) || 'role')", 0,
     SUMMARY, BASE_SUMMARY, 1, 0},
    {"lookup_code", BASE_ROWS, 0, 0,
     "SELECT code, room_id, role, enabled, user_id FROM room_codes WHERE code = 'ddd-dddd-ddd'",
     "ddd-dddd-ddd|r-2|guest|0|u-1\n", SUMMARY, BASE_SUMMARY, 0, 0},
    {"lookup_room", BASE_ROWS, 0, 0,
     "SELECT code, role FROM room_codes WHERE room_id = 'r-1' ORDER BY code",
     "aaa-aaaa-aaa|host\nbbb-bbbb-bbb|guest\n", SUMMARY, BASE_SUMMARY, 0, 0},
    {"lookup_room_role", BASE_ROWS, 0, 0,
     "SELECT code FROM room_codes WHERE room_id = 'r-2' AND role = 'host'", "ccc-cccc-ccc\n",
     SUMMARY, BASE_SUMMARY, 0, 0},
    {"update_enabled", BASE_ROWS, 0, 0, "UPDATE room_codes SET enabled = 0 WHERE room_id = 'r-1'",
     0, SUMMARY,
     "bbb-bbbb-bbb|r-1|guest|0|NULL\naaa-aaaa-aaa|r-1|host|0|NULL\nddd-dddd-ddd|r-2|guest|0|'u-1'\n"
     "ccc-cccc-ccc|r-2|host|1|NULL\n",
     0, 0},
    {"update_user", BASE_ROWS, 0, 0,
     "UPDATE room_codes SET user_id = 'u-9' WHERE code = 'aaa-aaaa-aaa'", 0, SUMMARY,
     "bbb-bbbb-bbb|r-1|guest|1|NULL\naaa-aaaa-aaa|r-1|host|1|'u-9'\nddd-dddd-ddd|r-2|guest|0|'u-1'"
     "\n"
     "ccc-cccc-ccc|r-2|host|1|NULL\n",
     0, 0},
    {"update_refused_identity", BASE_ROWS, 0, 0,
     "UPDATE room_codes SET role = 'cohost' WHERE code = 'aaa-aaaa-aaa'", 0, SUMMARY, BASE_SUMMARY,
     1, 0},
    {"delete", BASE_ROWS, 0, 0, "DELETE FROM room_codes WHERE room_id = 'r-1'", 0, SUMMARY,
     "ddd-dddd-ddd|r-2|guest|0|'u-1'\nccc-cccc-ccc|r-2|host|1|NULL\n", 0, 0},
    {"roomcode_new", BASE_ROWS, 0, 0, "SELECT roomcode_new('r-2', 'viewer', 'u-3')", 0, SUMMARY,
     BASE_SUMMARY "minted|r-2|viewer|1|'u-3'\n", 0, 0},
    {"roomcode_new_refused_cap", FULL_ROOM, 0, 0, "SELECT roomcode_new('full', 'host')", 0,
     "SELECT count(*) FROM room_codes_store WHERE room_id = 'full'", "100\n", 1, 0},
    {"lookup_user", BASE_ROWS, 0, 0, "SELECT code FROM room_codes WHERE user_id = 'u-1'",
     "ddd-dddd-ddd\n", SUMMARY, BASE_SUMMARY, 0, 0},
    /* A 1.1.0 store (no index of bound codes) upgraded when the table connects; a failed
     * upgrade is left for later, so only the rows are checked. */
    {"connect_upgrade", BASE_ROWS "DROP INDEX room_codes_store_user_id;", 0, 1,
     "SELECT code FROM room_codes WHERE user_id = 'u-1'", "ddd-dddd-ddd\n", SUMMARY, BASE_SUMMARY,
     0, 0},
    /* The successor sorts after aaa-aaaa-aaa, the first code there is. */
    {"roomcode_rotate", BASE_ROWS, 0, 0, "SELECT roomcode_rotate('aaa-aaaa-aaa') IS NOT NULL",
     "1\n", SUMMARY,
     "bbb-bbbb-bbb|r-1|guest|1|NULL\naaa-aaaa-aaa|r-1|host|0|NULL\nminted|r-1|host|1|NULL\n"
     "ddd-dddd-ddd|r-2|guest|0|'u-1'\nccc-cccc-ccc|r-2|host|1|NULL\n",
     0, 0},
    {"roomcode_rotate_in_transaction", BASE_ROWS "BEGIN;", 0, 0,
     "SELECT roomcode_rotate('aaa-aaaa-aaa') IS NOT NULL", "1\n", SUMMARY,
     "bbb-bbbb-bbb|r-1|guest|1|NULL\naaa-aaaa-aaa|r-1|host|0|NULL\nminted|r-1|host|1|NULL\n"
     "ddd-dddd-ddd|r-2|guest|0|'u-1'\nccc-cccc-ccc|r-2|host|1|NULL\n",
     0, 0},
    /* From a statement that writes, inside BEGIN: no savepoint, undone by hand. */
    {"roomcode_rotate_in_update",
     BASE_ROWS "CREATE TABLE w(c); INSERT INTO w VALUES"
               " ('aaa-aaaa-aaa'); BEGIN;",
     0, 0, "UPDATE w SET c = roomcode_rotate(c)", 0, SUMMARY,
     "bbb-bbbb-bbb|r-1|guest|1|NULL\naaa-aaaa-aaa|r-1|host|0|NULL\nminted|r-1|host|1|NULL\n"
     "ddd-dddd-ddd|r-2|guest|0|'u-1'\nccc-cccc-ccc|r-2|host|1|NULL\n",
     0, 0},
    {"roomcode_rotate_refused_cap", FULL_ROOM, 0, 0, "SELECT roomcode_rotate('zzz-zaaz-ful')", 0,
     "SELECT count(*), sum(enabled) FROM room_codes_store WHERE room_id = 'full'", "100|100\n", 1,
     0},
    {"roomcode_json", BASE_ROWS, 0, 0,
     "SELECT json_remove(roomcode_json('ddd-dddd-ddd'), '$.created_at', '$.updated_at')",
     "{\"code\":\"ddd-dddd-ddd\",\"room_id\":\"r-2\",\"role\":\"guest\",\"enabled\":false,"
     "\"user_id\":\"u-1\"}\n",
     SUMMARY, BASE_SUMMARY, 0, 0},
    {"roomcode_room_json", BASE_ROWS, 0, 0,
     "SELECT json_array_length(roomcode_room_json('r-1'), '$.data')", "2\n", SUMMARY, BASE_SUMMARY,
     0, 0},
    {"roomcode_create", BASE_ROWS, 0, 0,
     "SELECT role, enabled FROM roomcode_create('r-1', '[\"host\", \"viewer\", \"cohost\"]')",
     "host|1\nviewer|1\ncohost|1\n", SUMMARY,
     "minted|r-1|cohost|1|NULL\nbbb-bbbb-bbb|r-1|guest|0|NULL\naaa-aaaa-aaa|r-1|host|1|NULL\n"
     "minted|r-1|viewer|1|NULL\nddd-dddd-ddd|r-2|guest|0|'u-1'\nccc-cccc-ccc|r-2|host|1|NULL\n",
     0, 0},
    {"roomcode_create_in_transaction", BASE_ROWS "BEGIN;", 0, 0,
     "SELECT role FROM roomcode_create('r-3', '[\"host\", \"guest\"]')", "host\nguest\n", SUMMARY,
     BASE_SUMMARY "minted|r-3|guest|1|NULL\nminted|r-3|host|1|NULL\n", 0, 0},
    {"roomcode_create_refused_cap", FULL_ROOM, 0, 0,
     "SELECT * FROM roomcode_create('full', '[\"host\", \"guest\", \"viewer\"]')", 0,
     "SELECT count(*), sum(enabled) FROM room_codes_store WHERE room_id = 'full'", "100|100\n", 1,
     0},
    /* Two codes fit, the third does not: what was minted is taken back. */
    {"roomcode_create_refused_part_way", ALMOST_FULL, 0, 0,
     "SELECT * FROM roomcode_create('almost', '[\"a\", \"b\", \"c\"]')", 0,
     "SELECT count(*), sum(enabled) FROM room_codes_store WHERE room_id = 'almost'", "98|98\n", 1,
     0},
    /* The same inside BEGIN, from a statement that writes (no savepoint can be opened). */
    {"roomcode_create_refused_in_insert", ALMOST_FULL "CREATE TABLE log(code); BEGIN;", 0, 0,
     "INSERT INTO log SELECT code FROM roomcode_create('almost', '[\"a\", \"b\", \"c\"]')", 0,
     "SELECT count(*), sum(enabled), (SELECT count(*) FROM log) FROM room_codes_store"
     " WHERE room_id = 'almost'",
     "98|98|0\n", 1, 0},
    /* From a statement that writes, inside BEGIN: guest is disabled and viewer minted, both
     * undone by hand (or by SQLite's rollback) on a failure. */
    {"roomcode_create_disabling_in_insert", BASE_ROWS "CREATE TABLE log(code); BEGIN;", 0, 0,
     "INSERT INTO log SELECT code FROM roomcode_create('r-1', '[\"host\", \"viewer\"]')", 0,
     SUMMARY,
     "bbb-bbbb-bbb|r-1|guest|0|NULL\naaa-aaaa-aaa|r-1|host|1|NULL\nminted|r-1|viewer|1|NULL\n"
     "ddd-dddd-ddd|r-2|guest|0|'u-1'\nccc-cccc-ccc|r-2|host|1|NULL\n",
     0, 0},
    /* A statement that reads room_codes again for each row while it rotates (the cursor
     * keeps the rows it disables with their values before). */
    {"roomcode_rotate_beside_count", BASE_ROWS "CREATE TABLE log(c, n); BEGIN;", 0, 0,
     "INSERT INTO log SELECT roomcode_rotate(a.code), (SELECT count(*) FROM room_codes c"
     " WHERE c.room_id = a.room_id AND c.enabled) FROM room_codes a WHERE a.room_id = 'r-1'",
     0, "SELECT count(*), sum(enabled), (SELECT group_concat(n) FROM log) FROM room_codes_store",
     "6|3|2,2\n", 0, 0},
    /* templates, rooms and the functions that read them */
    {"roomcode_check", TEMPLATE_ROWS, 0, 0,
     "SELECT roomcode_check('aaa-aaaa-aaa'), roomcode_check('ccc-cccc-ccc'),"
     " roomcode_check('ddd-dddd-ddd', 'u-1'), roomcode_check('zzz-zzzz-zzz')",
     "ok|room_disabled|disabled|unknown\n", SUMMARY, BASE_SUMMARY, 0, 0},
    {"roomcode_resolve", TEMPLATE_ROWS, 0, 0, "SELECT roomcode_resolve('aaa-aaaa-aaa', 'u-7')",
     "{\"code\":\"aaa-aaaa-aaa\",\"room_id\":\"r-1\",\"role\":\"host\",\"user_id\":\"u-7\","
     "\"template\":\"t\",\"permissions\":{\"publish\":true,\"subscribe\":true,"
     "\"publish_data\":true,\"admin\":true,\"hidden\":false}}\n",
     SUMMARY, BASE_SUMMARY, 0, 0},
    {"roomcode_livekit_token", TEMPLATE_ROWS, 0, 0,
     "SELECT length(roomcode_livekit_token('bbb-bbbb-bbb', 'u-7', 'key', 'secret')) > 100", "1\n",
     SUMMARY, BASE_SUMMARY, 0, 0},
    {"roomcode_jitsi_token", TEMPLATE_ROWS, 0, 0,
     "SELECT length(roomcode_jitsi_token('aaa-aaaa-aaa', NULL, 'app', 'secret', "
     "'meet.example.com'))"
     " > 100",
     "1\n", SUMMARY, BASE_SUMMARY, 0, 0},
    {"roomcode_token_room_disabled", TEMPLATE_ROWS, 0, 0,
     "SELECT roomcode_token('ccc-cccc-ccc', 'u', 'k', 's')", 0, SUMMARY, BASE_SUMMARY, 1, 0},
    {"insert_refused_role_of_template", TEMPLATE_ROWS, 0, 0,
     "INSERT INTO room_codes(room_id, role) VALUES ('r-1', 'janitor')", 0, SUMMARY, BASE_SUMMARY, 1,
     0},
    {"roomcode_create_of_template", TEMPLATE_ROWS, 0, 0,
     "SELECT role, enabled FROM roomcode_create('r-1')", "guest|1\nhost|1\n", SUMMARY, BASE_SUMMARY,
     0, 0},
    /* a table of 1.2.0 gets its templates and rooms when it connects */
    {"connect_upgrade_templates",
     BASE_ROWS "DROP TABLE room_codes_templates; DROP TABLE room_codes_rooms;"
               " DROP TRIGGER room_codes_rooms_role_of_code;",
     0, 1, "SELECT code FROM room_codes WHERE code = 'aaa-aaaa-aaa'", "aaa-aaaa-aaa\n", SUMMARY,
     BASE_SUMMARY, 0, 0},
    {"rename", BASE_ROWS, 0, 0, "ALTER TABLE room_codes RENAME TO rc2", 0, SCHEMA,
     "table|rc2|rc2\n"
     "table|rc2_rooms|rc2_rooms\n"
     "trigger|rc2_rooms_codes|rc2_rooms\n"
     "trigger|rc2_rooms_codes_update|rc2_rooms\n"
     "trigger|rc2_rooms_role_of_code|rc2_store\n"
     "trigger|rc2_rooms_template|rc2_rooms\n"
     "trigger|rc2_rooms_template_update|rc2_rooms\n"
     "table|rc2_store|rc2_store\n"
     "trigger|rc2_store_cap|rc2_store\n"
     "trigger|rc2_store_fixed|rc2_store\n"
     "trigger|rc2_store_no_replace|rc2_store\n"
     "trigger|rc2_store_touch|rc2_store\n"
     "table|rc2_templates|rc2_templates\n"
     "trigger|rc2_templates_last_role|rc2_templates\n"
     "trigger|rc2_templates_permissions|rc2_templates\n"
     "trigger|rc2_templates_permissions_update|rc2_templates\n"
     "trigger|rc2_templates_role_in_use|rc2_templates\n"
     "trigger|rc2_templates_role_renamed|rc2_templates\n"
     /* a named index keeps its name through ALTER TABLE, until the table next connects */
     "index|room_codes_store_user_id|rc2_store\n"
     "index|sqlite_autoindex_rc2_rooms_2|rc2_rooms\n"
     "index|sqlite_autoindex_rc2_store_2|rc2_store\n",
     0, "rc2"},
    {"drop", BASE_ROWS, 0, 0, "DROP TABLE room_codes", 0, SCHEMA, "", 0, ""},
};

static const char *db_path(void) {
    static char path[64];
    if (!path[0])
        snprintf(path, sizeof path, "/tmp/roomcode-memfault-%d.db", (int)getpid());
    return path;
}

static void remove_db(void) {
    char j[80];
    unlink(db_path());
    snprintf(j, sizeof j, "%s-journal", db_path());
    unlink(j);
}

static sqlite3 *open_db(const op *o) {
    sqlite3 *db = 0;
    const char *name = o->on_disk ? db_path() : ":memory:";
    must(sqlite3_open(name, &db), db, "sqlite3_open");
    if (!o->no_extension) {
        char *err = 0;
        must(sqlite3_roomcode_init(db, &err, 0), db, "loading the extension");
    }
    return db;
}

static int close_db(sqlite3 *db) {
    int rc = sqlite3_close(db);
    if (rc != SQLITE_OK)
        problem("sqlite3_close: %s", sqlite3_errmsg(db));
    return rc;
}

/*
 * The starting point of an in-memory operation is built once (the template) and copied
 * into each attempt's fresh database with the backup API: building it through the table
 * each time would cost more than the attempt itself. A trailing BEGIN runs per attempt.
 */
static sqlite3 *template_db;
static int template_begin;

static void make_template(const op *o) {
    template_db = 0;
    template_begin = 0;
    if (o->on_disk || o->no_extension || !o->setup)
        return;
    size_t n = strlen(o->setup);
    char *sql = strdup(o->setup);
    if (!sql)
        exit(2);
    if (n >= 6 && strcmp(sql + n - 6, "BEGIN;") == 0) {
        sql[n - 6] = '\0';
        template_begin = 1;
    }
    template_db = open_db(o);
    exec_ok(template_db, sql);
    free(sql);
}

static void drop_template(void) {
    if (template_db && sqlite3_close(template_db) != SQLITE_OK)
        exit(2);
    template_db = 0;
}

/* A fresh database with the operation's starting point, opened and ready. */
static sqlite3 *prepare(const op *o) {
    if (o->on_disk)
        remove_db();
    sqlite3 *db = open_db(o);
    if (template_db) {
        sqlite3_backup *b = sqlite3_backup_init(db, "main", template_db, "main");
        if (!b || sqlite3_backup_step(b, -1) != SQLITE_DONE ||
            sqlite3_backup_finish(b) != SQLITE_OK) {
            fprintf(stderr, "memfault: copying the template failed: %s\n", sqlite3_errmsg(db));
            exit(2);
        }
        /* Connected before the operation, as a table in use is. */
        if (table_present(db, "room_codes"))
            exec_ok(db, "SELECT count(*) FROM room_codes");
        if (template_begin)
            exec_ok(db, "BEGIN");
        return db;
    }
    if (o->setup)
        exec_ok(db, o->setup);
    if (o->on_disk) {
        close_db(db);
        db = open_db(o); /* so that the operation connects to the table */
    }
    return db;
}

/* Clean results of an operation that met a failed allocation. */
static int clean_error(int rc) {
    return rc == SQLITE_NOMEM || rc == SQLITE_ERROR || rc == SQLITE_CONSTRAINT ||
           rc == SQLITE_ABORT;
}

/* One attempt with the Nth allocation failing; returns whether a failure was injected. */
static int attempt(const op *o, long n, int keep_failing, long *n_ok, long *n_nomem, long *n_other,
                   long *n_completed) {
    long base_outstanding = outstanding;
    sqlite3 *db = prepare(o);
    const char *table = o->table_after && o->table_after[0] ? o->table_after : "room_codes";

    sc_snapshot before, after;
    char *before_rows = 0, *after_rows = 0, *rows = 0;
    if (!o->no_extension) {
        snapshot(db, "room_codes", &before);
        if (o->after)
            must(run_rows(db, o->after, &before_rows), db, "the check query");
    }

    char *err = 0;
    conversion_failed = 0;
    arm(n, keep_failing);
    int rc = o->sql ? run_rows(db, o->sql, &rows) : sqlite3_roomcode_init(db, &err, 0);
    int hit = disarm();
    if (err && rc == SQLITE_OK)
        problem("the load succeeded with a message: %s", err);
    sqlite3_free(err);
    err = 0;

    if (rc == SQLITE_OK)
        (*n_ok)++;
    else if (rc == SQLITE_NOMEM)
        (*n_nomem)++;
    else
        (*n_other)++;
    if (!hit && rc != SQLITE_OK && !o->must_fail)
        problem("failed without an injected failure: %s", sqlite3_errmsg(db));
    if (hit && rc != SQLITE_OK && !clean_error(rc))
        problem("unexpected result code %d (%s)", rc, sqlite3_errmsg(db));
    if (o->must_fail && rc == SQLITE_OK)
        problem("a refused operation succeeded");
    if (rc == SQLITE_OK && o->want_rows && (!rows || strcmp(rows, o->want_rows) != 0))
        problem("returned\n%s  instead of\n%s", rows ? rows : "(nothing)\n", o->want_rows);
    free(rows);
    rows = 0;

    if (o->no_extension) {
        /* A failed load leaves the connection usable: loading again works. */
        if (rc != SQLITE_OK) {
            must(sqlite3_roomcode_init(db, &err, 0), db, "loading again after a failed load");
            sqlite3_free(err);
        }
        int vrc = run(db, "CREATE VIRTUAL TABLE room_codes USING roomcode;");
        if (vrc == SQLITE_OK)
            vrc = run(db, "SELECT roomcode_new('r-1', 'host')");
        if (vrc != SQLITE_OK)
            problem("the extension does not work after the load: %s", sqlite3_errmsg(db));
        snapshot(db, "room_codes", &after);
        check_consistent(db, "room_codes", &after);
        sc_free(&after);
    } else {
        /* A statement may leave a transaction open (the setup's BEGIN): end it first. */
        if (!sqlite3_get_autocommit(db) && run(db, "COMMIT") != SQLITE_OK)
            problem("COMMIT after the operation failed: %s", sqlite3_errmsg(db));
        int arc = o->after ? run_rows(db, o->after, &after_rows) : SQLITE_OK;
        if (arc != SQLITE_OK)
            problem("the check query failed: %s", sqlite3_errmsg(db));
        /* A failed statement changed nothing, or did all of its work (then the error came
         * after the work, from SQLite handing back the result). */
        int done = rc == SQLITE_OK;
        if (!done && o->after && arc == SQLITE_OK && !o->must_fail &&
            strcmp(after_rows, o->want_after) == 0 && strcmp(after_rows, before_rows) != 0) {
            done = 1;
            (*n_completed)++;
            if (whole(o) && !conversion_failed)
                problem("failed (%s) after its work was committed", sqlite3_errmsg(db));
            if (getenv("MEMFAULT_VERBOSE"))
                fprintf(stderr, "  %s (%s): allocation %ld failed after the work was done: %s\n",
                        o->name, test_mode, n, sqlite3_errmsg(db));
        }
        const char *now_table = done ? table : "room_codes";
        snapshot(db, now_table, &after);
        check_consistent(db, now_table, &after);
        if (o->after && arc == SQLITE_OK) {
            const char *want = done ? o->want_after : before_rows;
            if (strcmp(after_rows, want) != 0)
                problem("%s left\n%s  instead of\n%s", done ? "success" : "failure", after_rows,
                        want);
        }
        if (done && o->table_after && !o->table_after[0]) {
            if (after.present || table_present(db, "room_codes"))
                problem("DROP TABLE left the table or its store");
        } else if (done && !after.present) {
            problem("the table is missing");
        } else if (done && o->table_after && !sc_equal(&before, &after)) {
            problem("the renamed table lost or changed rows");
        } else if (!done && !sc_equal(&before, &after)) {
            problem("a failed statement changed the store");
        }
        if (before.present && after.present) {
            const char *bad = sc_check_identity(&before, &after);
            if (bad)
                problem("%s", bad);
        }
        /* The connection still works for the next statement. */
        if (table_present(db, "room_codes") &&
            run(db, "SELECT roomcode_new('r-9', 'host'), count(*) FROM room_codes") != SQLITE_OK)
            problem("roomcode_new fails after the operation: %s", sqlite3_errmsg(db));
        sc_free(&before);
        sc_free(&after);
        free(before_rows);
        free(after_rows);
    }
    close_db(db);
    if (outstanding != base_outstanding)
        problem("%ld allocations leaked", outstanding - base_outstanding);
    if (o->on_disk)
        remove_db();
    return hit;
}

/*
 * MEMFAULT_STRIDE=FROM:K[:MAX]: past the FROM-th allocation of an operation, try only every
 * K-th and the last, and at most MAX of them, spread evenly (the quick run of `make test`: a
 * rename makes tens of thousands of allocations, mostly SQLite parsing its schema once per
 * storage table, and each attempt redoes all before it, so the cost grows with the square).
 */
static long stride_from = 1000000, stride = 1, stride_max = 0;

int main(int argc, char **argv) {
    const char *only = argc > 1 ? argv[1] : 0;
    show_stacks = getenv("MEMFAULT_STACKS") != 0;
    const char *st = getenv("MEMFAULT_STRIDE");
    if (st && (sscanf(st, "%ld:%ld:%ld", &stride_from, &stride, &stride_max) < 2 || stride < 1 ||
               stride_max < 0)) {
        fprintf(stderr, "memfault: MEMFAULT_STRIDE is FROM:K[:MAX]\n");
        return 2;
    }
    if (sqlite3_config(SQLITE_CONFIG_GETMALLOC, &base) != SQLITE_OK)
        return 2;
    static sqlite3_mem_methods wrapped;
    wrapped = base;
    wrapped.xMalloc = fm_malloc;
    wrapped.xFree = fm_free;
    wrapped.xRealloc = fm_realloc;
    wrapped.xSize = fm_size;
    wrapped.xRoundup = fm_roundup;
    wrapped.xInit = fm_init;
    wrapped.xShutdown = fm_shutdown;
    /* No lookaside: every small allocation then reaches the allocator and can fail. */
    if (sqlite3_config(SQLITE_CONFIG_MALLOC, &wrapped) != SQLITE_OK ||
        sqlite3_config(SQLITE_CONFIG_LOOKASIDE, 0, 0) != SQLITE_OK ||
        sqlite3_initialize() != SQLITE_OK || sodium_init() < 0) {
        fprintf(stderr, "memfault: cannot set up SQLite's allocator\n");
        return 2;
    }

    /* Warm-up: whatever SQLite allocates once per process is allocated before counting. */
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        long dummy = 0;
        test_name = ops[i].name;
        test_mode = "warm-up";
        make_template(&ops[i]);
        attempt(&ops[i], 0, 0, &dummy, &dummy, &dummy, &dummy);
        drop_template();
    }
    if (problems) {
        fprintf(stderr, "memfault: the operations fail without injected failures\n");
        return 1;
    }

    int passed = 0, failed = 0;
    long total_tried = 0;
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        const op *o = &ops[i];
        if (only && strcmp(only, o->name) != 0)
            continue;
        long points[2] = {0, 0}, completed[2] = {0, 0}, tested[2] = {0, 0};
        make_template(o);
        for (int mode = 0; mode < 2; mode++) {
            test_name = o->name;
            test_mode = mode ? "persistent" : "transient";
            problems = 0;
            long n_ok = 0, n_nomem = 0, n_other = 0, n, dummy = 0;
            /* A clean run counts the operation's allocations. */
            attempt(o, 0, 0, &dummy, &dummy, &dummy, &dummy);
            long total = seen, step = stride;
            if (stride_max > 0 && (total - stride_from) / stride_max > step)
                step = (total - stride_from) / stride_max;
            for (n = 1; n < 1000000; n++) {
                if (n > stride_from && n < total && (n - stride_from) % step != 0)
                    continue;
                test_n = n;
                tested[mode]++;
                if (!attempt(o, n, mode, &n_ok, &n_nomem, &n_other, &completed[mode]))
                    break;
            }
            if (n == 1000000)
                problem("never ran to the end");
            points[mode] = n - 1;
            if (problems) {
                failed++;
            } else {
                passed++;
            }
            if (getenv("MEMFAULT_VERBOSE"))
                fprintf(stderr, "  %s %s: %ld ok, %ld nomem, %ld other\n", o->name, test_mode, n_ok,
                        n_nomem, n_other);
        }
        drop_template();
        total_tried += tested[0] + tested[1] - 2;
        printf("  %-32s %4ld allocation-failure points (transient), %4ld (persistent)", o->name,
               points[0], points[1]);
        if (tested[0] - 1 < points[0] || tested[1] - 1 < points[1])
            printf(", %ld and %ld of them tried", tested[0] - 1, tested[1] - 1);
        if (completed[0] + completed[1])
            printf("; %ld errors came after the work was done", completed[0] + completed[1]);
        printf("\n");
    }
    printf("memory: %ld allocation failures injected in all\n", total_tried);
    printf("memory: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
