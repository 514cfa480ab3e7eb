/*
 * Memory safety and stale state around schema changes (tests/memory/rules.mk: make
 * schema-test). SQLite disconnects and frees virtual table objects whenever a schema
 * changes, also by DDL from another connection or process, sqlite3_deserialize or DETACH;
 * the functions must then find the table an unqualified "room_codes" names again, never use
 * what they found before. Each scenario runs sequences of that kind on a database file and
 * asserts exact results: which table a function writes, its result code and message, that
 * no transaction stays open after an error, and that sqlite3_close succeeds.
 *
 * Built twice: with ASan+UBSan and the extension compiled in (-DSQLITE_CORE, registered
 * with sqlite3_roomcode_init), and plainly, loading the extension given by --ext with
 * sqlite3_load_extension, to run under valgrind. Scenarios run in forked processes, one per
 * configuration or (--per-scenario, quicker) one per scenario, so that a sanitizer report
 * ends that run only; an unclean exit is counted as one more failure, and under valgrind
 * its errors and definite leaks are counted per configuration too. Scenarios with a peer
 * run once with a second connection in the same process and once with a second process,
 * forked before any connection is opened, that runs SQL sent over a pipe. Each runs in
 * rollback-journal and WAL mode, with SQLITE_DBCONFIG_DEFENSIVE off and on (--pairwise:
 * rollback with it off and WAL with it on only).
 *
 * usage: schema_change [--ext PATH] [--per-scenario] [--pairwise] [SCENARIO-SUBSTRING];
 * prints each failure with what it expected, then "schema-change: N passed, M failed".
 */
#include <dirent.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define HAVE_MEMCHECK 1
#endif
#endif

#ifdef SQLITE_CORE
int sqlite3_roomcode_init(sqlite3 *db, char **err, const sqlite3_api_routines *api);
#endif

#define NO_TABLE                                                                                   \
    "roomcode: no room_codes table here: CREATE VIRTUAL TABLE room_codes USING roomcode"
#define NOT_ROOMCODE "roomcode:*not a roomcode virtual table*"
#define MODULES_DROPPED                                                                            \
    "roomcode: the roomcode modules were dropped from this connection: load the extension again"
#define ANY_RC (-1)

/* ---- configuration and counting ---- */

typedef struct config {
    int wal;          /* journal_mode=WAL, else the rollback journal (DELETE) */
    int defensive;    /* SQLITE_DBCONFIG_DEFENSIVE on every connection */
    int peer_process; /* the peer is another process, else a second connection here */
    int has_peer;     /* the scenario has a peer at all (for messages); -1: a whole scenario */
} config;

static config cfg;
static const char *scenario;
static int passed, failed;
static const char *ext_path = "build/roomcode"; /* loadable build only */
static char dir[64];                            /* temp dir of this run */
static char path[256];                          /* the scenario's database */
static int per_scenario; /* --per-scenario: one process runs every configuration of a scenario */
static int pairwise;     /* --pairwise: rollback with DEFENSIVE off, WAL with it on, only */

static const char *config_text(void) {
    static char buf[80];
    if (!cfg.wal && !cfg.defensive && !cfg.peer_process && cfg.has_peer < 0)
        return "every configuration";
    snprintf(buf, sizeof buf, "%s, defensive %s%s", cfg.wal ? "wal" : "rollback",
             cfg.defensive ? "on" : "off",
             !cfg.has_peer      ? ""
             : cfg.peer_process ? ", peer process"
                                : ", peer connection");
    return buf;
}

__attribute__((format(printf, 2, 3))) static int check(int ok, const char *fmt, ...) {
    if (ok) {
        passed++;
        return 1;
    }
    failed++;
    va_list ap;
    va_start(ap, fmt);
    printf("FAIL schema-change/%s [%s]: ", scenario, config_text());
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    fflush(stdout);
    return 0;
}

static void *xmalloc(size_t n) {
    void *p = malloc(n);
    if (!p) {
        fprintf(stderr, "schema-change: out of memory\n");
        exit(2);
    }
    return p;
}

static char *xstrdup(const char *s) {
    char *p = xmalloc(strlen(s) + 1);
    strcpy(p, s);
    return p;
}

/* sqlite3_mprintf into malloc'd memory, so that every string here is freed with free(). */
static char *fmt(const char *f, ...) {
    va_list ap;
    va_start(ap, f);
    char *s = sqlite3_vmprintf(f, ap);
    va_end(ap);
    if (!s) {
        fprintf(stderr, "schema-change: out of memory\n");
        exit(2);
    }
    char *copy = xstrdup(s);
    sqlite3_free(s);
    return copy;
}

/* ---- running SQL ---- */

/*
 * Runs every statement of sql. Rows of all statements, "a|b\n" each, go to *rows, and the
 * failing statement's message to *msg (both malloc'd, NULL when not wanted). Returns
 * SQLITE_OK or the primary result code of the first failure, where it stops.
 */
static int run_sql(sqlite3 *db, const char *sql, char **rows, char **msg) {
    size_t cap = 64, len = 0;
    char *buf = xmalloc(cap);
    buf[0] = '\0';
    int rc = SQLITE_OK;
    const char *tail = sql;
    while (rc == SQLITE_OK && tail && *tail) {
        sqlite3_stmt *st = 0;
        rc = sqlite3_prepare_v2(db, tail, -1, &st, &tail);
        if (rc != SQLITE_OK || !st)
            break;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            for (int c = 0; c < sqlite3_column_count(st); c++) {
                const char *v = (const char *)sqlite3_column_text(st, c);
                size_t need = len + (v ? strlen(v) : 4) + 3;
                if (need > cap) {
                    cap = 2 * need;
                    char *grown = realloc(buf, cap);
                    if (!grown)
                        exit(2);
                    buf = grown;
                }
                len += (size_t)sprintf(buf + len, "%s%s", c ? "|" : "", v ? v : "NULL");
            }
            len += (size_t)sprintf(buf + len, "\n");
        }
        if (rc == SQLITE_DONE)
            rc = SQLITE_OK;
        sqlite3_finalize(st);
    }
    rc &= 0xff;
    if (msg)
        *msg = rc == SQLITE_OK ? 0 : xstrdup(sqlite3_errmsg(db));
    if (rows)
        *rows = buf;
    else
        free(buf);
    return rc;
}

/* Rows shown on one line, "a|b / c|d": a new string (malloc'd); rows is freed. */
static char *flat(char *rows) {
    size_t n = strlen(rows);
    if (n && rows[n - 1] == '\n')
        rows[--n] = '\0';
    char *out = xmalloc(3 * n + 1), *o = out;
    for (const char *p = rows; *p; p++) {
        if (*p == '\n') {
            memcpy(o, " / ", 3);
            o += 3;
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
    free(rows);
    return out;
}

/* The first line of rows without its newline (rows is changed). */
static char *first_line(char *rows) {
    if (rows)
        rows[strcspn(rows, "\n")] = '\0';
    return rows;
}

static int load_extension(sqlite3 *db, char **msg) {
    char *err = 0;
#ifdef SQLITE_CORE
    int rc = sqlite3_roomcode_init(db, &err, 0);
#else
    sqlite3_enable_load_extension(db, 1);
    int rc = sqlite3_load_extension(db, ext_path, 0, &err);
    sqlite3_enable_load_extension(db, 0);
#endif
    *msg = rc == SQLITE_OK ? 0 : xstrdup(err ? err : sqlite3_errstr(rc));
    sqlite3_free(err);
    return rc;
}

/* Opens file with the extension loaded, as every connection of a scenario is opened. */
static int open_connection(const char *file, sqlite3 **out, char **msg) {
    sqlite3 *db = 0;
    int rc = sqlite3_open_v2(file, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, 0);
    if (rc == SQLITE_OK) {
        /* Without lookaside every allocation is the tools' to watch. */
        sqlite3_db_config(db, SQLITE_DBCONFIG_LOOKASIDE, 0, 0, 0);
        sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, cfg.defensive, 0);
        sqlite3_busy_timeout(db, 5000);
        /* Durability against power loss is not under test, and fsync on a shared machine
         * takes most of the run's time. */
        rc = sqlite3_exec(db, "PRAGMA synchronous = OFF", 0, 0, 0);
        if (rc == SQLITE_OK)
            rc = load_extension(db, msg);
        else
            *msg = xstrdup(sqlite3_errmsg(db));
    } else {
        *msg = xstrdup(sqlite3_errmsg(db));
    }
    if (rc != SQLITE_OK) {
        sqlite3_close(db);
        db = 0;
    }
    *out = db;
    return rc;
}

/* ---- checks on a connection ---- */

/* sql succeeds; returns its rows (malloc'd) or NULL. */
static char *ok_rows(sqlite3 *db, const char *sql) {
    char *rows = 0, *msg = 0;
    int rc = run_sql(db, sql, &rows, &msg);
    check(rc == SQLITE_OK, "%s: expected success, got error %d: %s", sql, rc, msg);
    free(msg);
    if (rc != SQLITE_OK) {
        free(rows);
        return 0;
    }
    return rows;
}

static void ok(sqlite3 *db, const char *sql) { free(ok_rows(db, sql)); }

/* sql succeeds; returns the first column of its first row (malloc'd) or NULL. */
static char *ok_value(sqlite3 *db, const char *sql) { return first_line(ok_rows(db, sql)); }

/* sql returns exactly want ("a|b\n" per row; a single row may omit the newline). */
static void want(sqlite3 *db, const char *sql, const char *want_rows) {
    char *rows = 0, *msg = 0;
    int rc = run_sql(db, sql, &rows, &msg);
    size_t n = strlen(want_rows);
    int same =
        rc == SQLITE_OK && (strcmp(rows, want_rows) == 0 ||
                            (n && want_rows[n - 1] != '\n' && strncmp(rows, want_rows, n) == 0 &&
                             strcmp(rows + n, "\n") == 0));
    if (rc != SQLITE_OK) {
        check(0, "%s: expected [%s], got error %d: %s", sql, want_rows, rc, msg);
    } else if (!same) {
        char *wanted = flat(xstrdup(want_rows));
        rows = flat(rows);
        check(0, "%s: expected [%s], got [%s]", sql, wanted, rows);
        free(wanted);
    } else {
        passed++;
    }
    free(rows);
    free(msg);
}

static const char *rc_name(int rc) {
    switch (rc) {
    case ANY_RC:
        return "any error";
    case SQLITE_ERROR:
        return "SQLITE_ERROR";
    case SQLITE_BUSY:
        return "SQLITE_BUSY";
    case SQLITE_LOCKED:
        return "SQLITE_LOCKED";
    case SQLITE_NOMEM:
        return "SQLITE_NOMEM";
    case SQLITE_CONSTRAINT:
        return "SQLITE_CONSTRAINT";
    case SQLITE_MISUSE:
        return "SQLITE_MISUSE";
    case SQLITE_INTERNAL:
        return "SQLITE_INTERNAL";
    default:
        return "code";
    }
}

/* A pattern with a '*' is a GLOB (with its [...] classes); any other is the whole message. */
static int matches(const char *pattern, const char *msg) {
    return strchr(pattern, '*') ? sqlite3_strglob(pattern, msg) == 0 : strcmp(pattern, msg) == 0;
}

/* sql fails with result code rc (ANY_RC: any) and a message matching pattern. */
static void want_error(sqlite3 *db, const char *sql, int rc, const char *pattern) {
    char *rows = 0, *msg = 0;
    int got = run_sql(db, sql, &rows, &msg);
    if (got == SQLITE_OK)
        check(0, "%s: expected %s '%s', got success [%s]", sql, rc_name(rc), pattern,
              first_line(rows));
    else
        check((rc == ANY_RC || got == rc) && matches(pattern, msg),
              "%s: expected %s '%s', got %s (%d) '%s'", sql, rc_name(rc), pattern, rc_name(got),
              got, msg);
    free(rows);
    free(msg);
}

/* No transaction is open. One that is stays open, so that what follows shows the harm. */
static void want_autocommit(sqlite3 *db, const char *after) {
    check(sqlite3_get_autocommit(db), "after %s: expected no open transaction (autocommit 1)",
          after);
}

static void close_ok(sqlite3 *db, const char *which) {
    int rc = sqlite3_close(db);
    check(rc == SQLITE_OK, "sqlite3_close(%s): expected SQLITE_OK, got %d: %s", which, rc,
          rc == SQLITE_OK ? "" : sqlite3_errmsg(db));
    if (rc != SQLITE_OK)
        sqlite3_close_v2(db);
}

static sqlite3 *open_ok(const char *file) {
    sqlite3 *db = 0;
    char *msg = 0;
    int rc = open_connection(file, &db, &msg);
    check(rc == SQLITE_OK, "opening %s with the extension: %s", file, msg);
    free(msg);
    if (!db) {
        printf("schema-change: cannot go on without a connection\n");
        exit(1);
    }
    return db;
}

/* Names a file of this scenario in the temp dir. */
static char *scenario_file(const char *suffix) {
    return fmt("%s/%s-%s-d%d-%s%s", dir, scenario, cfg.wal ? "wal" : "rollback", cfg.defensive,
               cfg.peer_process ? "p" : "c", suffix);
}

static void set_journal_mode(sqlite3 *db, const char *schema) {
    char *sql = fmt("PRAGMA \"%w\".journal_mode = %s", schema, cfg.wal ? "wal" : "delete");
    want(db, sql, cfg.wal ? "wal" : "delete");
    free(sql);
}

/* A fresh database file for the scenario, its first connection, and the table if asked. */
static sqlite3 *open_fresh(int with_table) {
    char *file = scenario_file(".db");
    snprintf(path, sizeof path, "%s", file);
    free(file);
    sqlite3 *db = open_ok(path);
    set_journal_mode(db, "main");
    if (with_table)
        ok(db, "CREATE VIRTUAL TABLE room_codes USING roomcode");
    return db;
}

/* Mints a code with roomcode_new; returns it (malloc'd) or NULL. */
static char *mint(sqlite3 *db, const char *room, const char *role) {
    char *sql = fmt("SELECT roomcode_new(%Q, %Q)", room, role);
    char *code = ok_value(db, sql);
    free(sql);
    return code;
}

static char *token_sql(const char *code) {
    return fmt("SELECT roomcode_token(%Q, 'user-1', 'access-key', 'app-secret')",
               code ? code : "aaa-aaaa-aaa");
}

/* roomcode_token signs a token for code. */
static void want_token(sqlite3 *db, const char *code) {
    char *sql = fmt("SELECT roomcode_token(%Q, 'user-1', 'access-key', 'app-secret')"
                    " GLOB 'eyJ*.*.*'",
                    code ? code : "aaa-aaaa-aaa");
    want(db, sql, "1");
    free(sql);
}

static void want_token_error(sqlite3 *db, const char *code, const char *pattern) {
    char *sql = token_sql(code);
    want_error(db, sql, SQLITE_ERROR, pattern);
    free(sql);
}

static void want_unknown_code(sqlite3 *db, const char *code) {
    char *pattern = fmt("roomcode: unknown room code '%s'", code ? code : "?");
    want_token_error(db, code, pattern);
    free(pattern);
}

/* Every function that needs the table refuses with SQLITE_ERROR and a matching message. */
static void want_functions_refused(sqlite3 *db, const char *code, const char *pattern) {
    want_error(db, "SELECT roomcode_new('r', 'x')", SQLITE_ERROR, pattern);
    want_error(db, "SELECT roomcode_new('r', 'x', 'user-1')", SQLITE_ERROR, pattern);
    want_token_error(db, code, pattern);
    want_error(db, "SELECT * FROM roomcode_create('r', '[\"x\", \"y\"]')", SQLITE_ERROR, pattern);
    char *sql = fmt("SELECT roomcode_rotate(%Q)", code ? code : "aaa-aaaa-aaa");
    want_error(db, sql, SQLITE_ERROR, pattern);
    free(sql);
    sql = fmt("SELECT roomcode_json(%Q)", code ? code : "aaa-aaaa-aaa");
    want_error(db, sql, SQLITE_ERROR, pattern);
    free(sql);
    want_error(db, "SELECT roomcode_room_json('r')", SQLITE_ERROR, pattern);
    want_autocommit(db, "the refused calls");
}

/* ---- the peer: a second connection here, or a second process ---- */

static sqlite3 *peer_db;
static pid_t peer_pid;
static int peer_to = -1, peer_from = -1;

static int write_all(int fd, const void *p, size_t n) {
    const char *c = p;
    while (n > 0) {
        ssize_t w = write(fd, c, n);
        if (w <= 0)
            return 0;
        c += w;
        n -= (size_t)w;
    }
    return 1;
}

static int read_all(int fd, void *p, size_t n) {
    char *c = p;
    while (n > 0) {
        ssize_t r = read(fd, c, n);
        if (r <= 0)
            return 0;
        c += r;
        n -= (size_t)r;
    }
    return 1;
}

static int send_text(int fd, const char *s) {
    uint32_t n = s ? (uint32_t)strlen(s) : 0;
    return write_all(fd, &n, sizeof n) && (n == 0 || write_all(fd, s, n));
}

static int receive_text(int fd, char **out) {
    uint32_t n;
    if (!read_all(fd, &n, sizeof n))
        return 0;
    char *s = xmalloc((size_t)n + 1);
    if (n && !read_all(fd, s, n)) {
        free(s);
        return 0;
    }
    s[n] = '\0';
    *out = s;
    return 1;
}

/*
 * The peer process: requests are an operation byte and a text; replies a result code, rows
 * and a message. 'O' opens a file ("1path": DEFENSIVE on), 'X' runs SQL, 'L' runs "N<tab>SQL" N
 * times (SQL is a format given the iteration four times) and replies the iterations done, 'C'
 * closes.
 */
static void peer_serve(int from, int to) {
    sqlite3 *db = 0;
    char op;
    char *arg = 0;
    while (read_all(from, &op, 1) && receive_text(from, &arg)) {
        int rc = SQLITE_OK;
        char *rows = 0, *msg = 0;
        if (op == 'O') {
            cfg.defensive = arg[0] == '1';
            rc = open_connection(arg + 1, &db, &msg);
        } else if (op == 'X') {
            rc = run_sql(db, arg, &rows, &msg);
        } else if (op == 'L') {
            int n = atoi(arg), i = 0;
            const char *sql = strchr(arg, '\t') + 1;
            for (; i < n && rc == SQLITE_OK; i++) {
                char *one = fmt(sql, i, i, i, i);
                rc = run_sql(db, one, 0, &msg);
                free(one);
            }
            rows = fmt("%d", rc == SQLITE_OK ? i : i - 1);
        } else if (op == 'C') {
            rc = sqlite3_close(db);
            if (rc == SQLITE_OK)
                db = 0;
        }
        free(arg);
        int ok_write = write_all(to, &rc, sizeof rc) && send_text(to, rows) && send_text(to, msg);
        free(rows);
        free(msg);
        if (!ok_write)
            break;
    }
    if (db)
        sqlite3_close_v2(db);
    exit(0);
}

/*
 * Starts the peer process unless it runs: call it before this process opens any connection,
 * since a forked child must not inherit SQLite's file and lock state. With --per-scenario
 * the configurations of a scenario share one; otherwise each configuration starts its own.
 */
static void peer_start(void) {
    if (!cfg.peer_process || peer_pid > 0)
        return;
    int down[2], up[2];
    if (pipe(down) || pipe(up)) {
        perror("pipe");
        exit(2);
    }
    fflush(stdout);
    fflush(stderr);
    peer_pid = fork();
    if (peer_pid < 0) {
        perror("fork");
        exit(2);
    }
    if (peer_pid == 0) {
        close(down[1]);
        close(up[0]);
        peer_serve(down[0], up[1]);
    }
    close(down[0]);
    close(up[1]);
    peer_to = down[1];
    peer_from = up[0];
}

static void peer_send(char op, const char *arg) {
    if (!write_all(peer_to, &op, 1) || !send_text(peer_to, arg))
        check(0, "sending to the peer process failed (it ended)");
}

/* The peer process's reply; SQLITE_INTERNAL when it ended. */
static int peer_receive(char **rows, char **msg) {
    int rc;
    char *r = 0, *m = 0;
    if (!read_all(peer_from, &rc, sizeof rc) || !receive_text(peer_from, &r) ||
        !receive_text(peer_from, &m)) {
        free(r);
        *rows = xstrdup("");
        *msg = xstrdup("the peer process ended without a reply");
        return SQLITE_INTERNAL;
    }
    *rows = r;
    *msg = m;
    return rc;
}

/* Runs sql on the peer; returns the result code, its rows and message (malloc'd). */
static int peer_run(const char *sql, char **rows, char **msg) {
    if (!cfg.peer_process)
        return run_sql(peer_db, sql, rows, msg);
    peer_send('X', sql);
    return peer_receive(rows, msg);
}

static void peer_open(void) {
    int rc;
    char *msg = 0;
    if (cfg.peer_process) {
        char *rows = 0;
        char *arg = fmt("%d%s", cfg.defensive, path);
        peer_send('O', arg);
        free(arg);
        rc = peer_receive(&rows, &msg);
        free(rows);
    } else {
        rc = open_connection(path, &peer_db, &msg);
    }
    check(rc == SQLITE_OK, "the peer opening %s: %s", path, msg);
    free(msg);
}

static void peer_ok(const char *sql) {
    char *rows = 0, *msg = 0;
    int rc = peer_run(sql, &rows, &msg);
    check(rc == SQLITE_OK, "peer: %s: expected success, got error %d: %s", sql, rc, msg);
    free(rows);
    free(msg);
}

static void peer_want(const char *sql, const char *want_rows) {
    char *rows = 0, *msg = 0;
    int rc = peer_run(sql, &rows, &msg);
    first_line(rows);
    check(rc == SQLITE_OK && strcmp(rows, want_rows) == 0,
          "peer: %s: expected [%s], got %d [%s] %s", sql, want_rows, rc, rows, msg ? msg : "");
    free(rows);
    free(msg);
}

static void peer_close(void) {
    int rc;
    if (cfg.peer_process) {
        char *rows = 0, *msg = 0;
        peer_send('C', "");
        rc = peer_receive(&rows, &msg);
        free(rows);
        free(msg);
    } else {
        rc = sqlite3_close(peer_db);
        if (rc != SQLITE_OK)
            sqlite3_close_v2(peer_db);
        peer_db = 0;
    }
    check(rc == SQLITE_OK, "sqlite3_close(peer): expected SQLITE_OK, got %d", rc);
}

/* Ends the peer process; it must exit cleanly (a sanitizer or valgrind report does not). */
static void peer_end(void) {
    if (peer_pid <= 0)
        return;
    close(peer_to);
    close(peer_from);
    int status = 0;
    waitpid(peer_pid, &status, 0);
    peer_pid = 0;
    check(WIFEXITED(status) && WEXITSTATUS(status) == 0,
          "the peer process: expected exit 0, got %s %d (its report is above)",
          WIFEXITED(status) ? "exit" : "signal",
          WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
}

/* A scenario is done with the peer process: it ends, unless the configurations share it. */
static void peer_stop(void) {
    if (cfg.peer_process && !per_scenario)
        peer_end();
}

/* ---- the scenarios ---- */

/* DDL by the peer between every two calls (a migration while workers mint). */
static void ddl_between_calls(void) {
    peer_start();
    sqlite3 *db = open_fresh(1);
    peer_open();
    char *c1 = mint(db, "r", "a");
    peer_ok("CREATE TABLE m1(x)");
    char *c2 = mint(db, "r", "b");
    peer_ok("CREATE TABLE m2(x)");
    want_token(db, c1);
    peer_ok("CREATE INDEX m2_x ON m2(x)");
    want(db, "SELECT role FROM roomcode_create('r', '[\"a\", \"b\", \"c\"]')", "a\nb\nc\n");
    peer_ok("DROP TABLE m1");
    ok(db, "INSERT INTO room_codes(room_id, role) VALUES ('r', 'd')");
    peer_ok("ALTER TABLE m2 ADD COLUMN y");
    want_token(db, c2);
    peer_ok("DROP INDEX m2_x");
    want(db, "SELECT roomcode_valid(roomcode_new('r', 'e', 'user-1'))", "1");
    peer_ok("CREATE VIEW v AS SELECT 1");
    want(db, "SELECT group_concat(role, ',') FROM (SELECT role FROM room_codes ORDER BY role)",
         "a,b,c,d,e");
    peer_want("SELECT count(*) FROM room_codes_store WHERE room_id = 'r'", "5");
    peer_close();
    close_ok(db, "db");
    peer_stop();
    free(c1);
    free(c2);
}

/* The peer renames room_codes to old and creates a new room_codes: that one is written. */
static void rename_recreate_by_peer(void) {
    peer_start();
    sqlite3 *db = open_fresh(1);
    peer_open();
    char *c1 = mint(db, "r", "a");
    want_token(db, c1);
    peer_ok("ALTER TABLE room_codes RENAME TO old");
    peer_ok("CREATE VIRTUAL TABLE room_codes USING roomcode");
    char *c2 = mint(db, "r", "b");
    char *sql = fmt("SELECT code = %Q FROM room_codes", c2);
    want(db, sql, "1");
    free(sql);
    sql = fmt("SELECT code = %Q FROM old", c1);
    want(db, sql, "1");
    free(sql);
    want_token(db, c2);
    want_unknown_code(db, c1);
    /* rotate and the JSON functions follow the peer's table as well */
    sql = fmt("SELECT roomcode_json(%Q) ->> 'role'", c2);
    want(db, sql, "b");
    free(sql);
    sql = fmt("SELECT roomcode_rotate(%Q) <> %Q", c2, c2);
    want(db, sql, "1");
    free(sql);
    want(db, "SELECT json_array_length(roomcode_room_json('r') -> 'data')", "2");
    want(db, "SELECT role FROM roomcode_create('s', '[\"h\"]')", "h");
    want(db, "SELECT count(*) FROM room_codes", "3");
    want(db, "SELECT count(*) FROM old", "1");
    peer_want("SELECT count(*) FROM old_store", "1");
    peer_close();
    close_ok(db, "db");
    peer_stop();
    free(c1);
    free(c2);
}

/*
 * DDL that takes the table away from the functions and gives it (or a fresh one) back, run
 * by this connection or by the peer: after each step the functions refuse, or serve the
 * code minted first (the table kept), or do not know it (a fresh table); a new code is
 * minted and served whenever a table is there.
 */
enum { REFUSED, KEPT, FRESH };

typedef struct ddl_step {
    const char *sql;
    int then;          /* REFUSED, KEPT or FRESH */
    const char *check; /* a query run here after the step, and its rows */
    const char *rows;
} ddl_step;

static const struct ddl_case {
    const char *name;
    int by_peer;
    ddl_step steps[4];
} ddl_cases[] = {
    /* the peer renames room_codes away (no table is named so), then back */
    {"rename_by_peer",
     1,
     {{"ALTER TABLE room_codes RENAME TO old", REFUSED, "SELECT count(*) FROM old", "1"},
      {"ALTER TABLE old RENAME TO room_codes", KEPT, "SELECT count(*) FROM room_codes", "2"}}},
    /* the peer drops room_codes, then creates it again */
    {"drop_by_peer",
     1,
     {{"DROP TABLE room_codes", REFUSED,
       "SELECT count(*) FROM sqlite_schema WHERE name LIKE 'room_codes%'", "0"},
      {"CREATE VIRTUAL TABLE room_codes USING roomcode", FRESH, "SELECT count(*) FROM room_codes",
       "1"}}},
    /* this connection renames or drops the table it used */
    {"rename_and_drop_here",
     0,
     {{"ALTER TABLE room_codes RENAME TO old", REFUSED, "SELECT count(*) FROM old", "1"},
      {"ALTER TABLE old RENAME TO room_codes", KEPT, "SELECT count(*) FROM room_codes", "2"},
      {"DROP TABLE room_codes", REFUSED, 0, 0},
      {"CREATE VIRTUAL TABLE room_codes USING roomcode", FRESH, "SELECT count(*) FROM room_codes",
       "1"}}},
};

/* Runs the case of ddl_cases named as the scenario. */
static void ddl_steps(void) {
    const struct ddl_case *c = 0;
    for (size_t i = 0; i < sizeof ddl_cases / sizeof ddl_cases[0] && !c; i++) {
        if (strcmp(ddl_cases[i].name, scenario) == 0)
            c = &ddl_cases[i];
    }
    check(c != 0, "no DDL steps for this scenario");
    if (!c)
        return;
    if (c->by_peer)
        peer_start();
    sqlite3 *db = open_fresh(1);
    if (c->by_peer)
        peer_open();
    char *c1 = mint(db, "r", "a");
    want_token(db, c1);
    for (const ddl_step *s = c->steps; s < c->steps + 4 && s->sql; s++) {
        if (c->by_peer)
            peer_ok(s->sql);
        else
            ok(db, s->sql);
        if (s->then == REFUSED) {
            want_functions_refused(db, c1, NO_TABLE);
        } else {
            if (s->then == KEPT)
                want_token(db, c1);
            else
                want_unknown_code(db, c1);
            char *c2 = mint(db, "r", "b");
            want_token(db, c2);
            free(c2);
        }
        if (s->check)
            want(db, s->check, s->rows);
    }
    if (c->by_peer)
        peer_close();
    close_ok(db, "db");
    if (c->by_peer)
        peer_stop();
    free(c1);
}

/* A TEMP roomcode table shadows main's: the functions write there, and main again after. */
static void temp_roomcode_table(void) {
    sqlite3 *db = open_fresh(1);
    char *c1 = mint(db, "r", "a");
    want_token(db, c1);
    ok(db, "CREATE VIRTUAL TABLE temp.room_codes USING roomcode");
    char *c2 = mint(db, "r", "b");
    want(db, "SELECT count(*) FROM main.room_codes", "1");
    char *sql = fmt("SELECT code = %Q FROM temp.room_codes", c2);
    want(db, sql, "1");
    free(sql);
    want_token(db, c2);
    want_unknown_code(db, c1);
    want(db, "SELECT role FROM roomcode_create('r', '[\"a\", \"b\", \"c\"]')", "a\nb\nc\n");
    want(db, "SELECT count(*) FROM temp.room_codes", "3");
    want(db, "SELECT count(*) FROM main.room_codes", "1");
    ok(db, "DROP TABLE temp.room_codes");
    free(mint(db, "r", "c"));
    want(db, "SELECT count(*) FROM main.room_codes", "2");
    want_token(db, c1);
    close_ok(db, "db");

    /* A connection whose first call already finds the TEMP table. */
    db = open_ok(path);
    ok(db, "CREATE VIRTUAL TABLE temp.room_codes USING roomcode");
    free(mint(db, "r", "d"));
    want(db, "SELECT count(*) FROM temp.room_codes", "1");
    want(db, "SELECT count(*) FROM main.room_codes", "2");
    close_ok(db, "db");
    free(c1);
    free(c2);
}

/*
 * Something else named room_codes shadows main's table: every function refuses and writes
 * nowhere, whether or not it found main's table before (call history must not matter).
 */
static void shadowed(const char *shadow, const char *drop) {
    sqlite3 *db = open_fresh(1);
    ok(db, "CREATE VIRTUAL TABLE other_codes USING roomcode");
    char *c1 = mint(db, "r", "a");
    want_token(db, c1);
    ok(db, shadow);
    want_functions_refused(db, c1, NOT_ROOMCODE);
    want(db, "SELECT count(*) FROM main.room_codes", "1");
    want(db, "SELECT count(*) FROM other_codes", "0");
    close_ok(db, "db");

    db = open_ok(path);
    ok(db, shadow);
    want_functions_refused(db, c1, NOT_ROOMCODE);
    want(db, "SELECT count(*) FROM main.room_codes", "1");
    want(db, "SELECT count(*) FROM other_codes", "0");
    ok(db, drop);
    free(mint(db, "r", "b"));
    want_token(db, c1);
    want(db, "SELECT count(*) FROM main.room_codes", "2");
    want(db, "SELECT count(*) FROM other_codes", "0");
    close_ok(db, "db");
    free(c1);
}

static void temp_view_shadows(void) {
    shadowed("CREATE TEMP VIEW room_codes AS SELECT * FROM main.other_codes",
             "DROP VIEW temp.room_codes");
}

static void temp_view_of_main_shadows(void) {
    shadowed("CREATE TEMP VIEW room_codes AS SELECT * FROM main.room_codes",
             "DROP VIEW temp.room_codes");
}

static void temp_plain_table_shadows(void) {
    shadowed("CREATE TEMP TABLE room_codes(code, room_id, role, enabled, user_id, created_at,"
             " updated_at)",
             "DROP TABLE temp.room_codes");
}

/* A plain table room_codes in main, no roomcode table anywhere. */
static void plain_table_in_main(void) {
    sqlite3 *db = open_fresh(0);
    ok(db, "CREATE TABLE room_codes(code, room_id, role)");
    want_functions_refused(db, 0, NOT_ROOMCODE);
    want(db, "SELECT count(*) FROM room_codes", "0");
    close_ok(db, "db");
}

/* Tables in attached schemas: temp, main, then attached ones in order; DETACH of the one used. */
static void attached_schemas(void) {
    sqlite3 *db = open_fresh(0);
    char *aux1 = scenario_file("-aux1.db"), *aux2 = scenario_file("-aux2.db");
    char *sql = fmt("ATTACH %Q AS aux1; ATTACH %Q AS aux2", aux1, aux2);
    ok(db, sql);
    free(sql);
    set_journal_mode(db, "aux1");
    set_journal_mode(db, "aux2");
    ok(db, "CREATE VIRTUAL TABLE aux2.room_codes USING roomcode");
    char *c2 = mint(db, "r", "a");
    want(db, "SELECT count(*) FROM aux2.room_codes", "1");
    want_token(db, c2);
    ok(db, "CREATE VIRTUAL TABLE aux1.room_codes USING roomcode");
    char *c1 = mint(db, "r", "b");
    want(db, "SELECT count(*) FROM aux1.room_codes", "1");
    want(db, "SELECT count(*) FROM aux2.room_codes", "1");
    want_token(db, c1);
    want_unknown_code(db, c2);
    ok(db, "DETACH aux1");
    free(mint(db, "r", "c"));
    want(db, "SELECT count(*) FROM aux2.room_codes", "2");
    want_token(db, c2);
    want_unknown_code(db, c1);
    ok(db, "DETACH aux2");
    want_functions_refused(db, c2, NO_TABLE);
    ok(db, "CREATE VIRTUAL TABLE main.room_codes USING roomcode");
    sql = fmt("ATTACH %Q AS aux2", aux2);
    ok(db, sql);
    free(sql);
    free(mint(db, "r", "d"));
    want(db, "SELECT count(*) FROM main.room_codes", "1");
    want(db, "SELECT count(*) FROM aux2.room_codes", "2");
    want_unknown_code(db, c2);
    ok(db, "DETACH aux2");
    close_ok(db, "db");
    free(aux1);
    free(aux2);
    free(c1);
    free(c2);
}

/*
 * A table in an attached schema is kept across calls like one in main: it is let go when a
 * table of another kind, or the peer's roomcode table, comes to stand in front of it in
 * main, and found again when that goes.
 */
static void attached_kept(void) {
    peer_start();
    sqlite3 *db = open_fresh(0);
    char *aux = scenario_file("-aux.db");
    char *sql = fmt("ATTACH %Q AS aux", aux);
    ok(db, sql);
    free(sql);
    set_journal_mode(db, "aux");
    ok(db, "CREATE VIRTUAL TABLE aux.room_codes USING roomcode");
    char *c1 = mint(db, "r", "a");
    want_token(db, c1);
    ok(db, "CREATE TABLE main.room_codes(x)");
    want_functions_refused(db, c1, NOT_ROOMCODE);
    ok(db, "DROP TABLE main.room_codes");
    want_token(db, c1);
    peer_open();
    peer_ok("CREATE VIRTUAL TABLE room_codes USING roomcode");
    /* this connection sees the peer's DDL once it reads main again, as SQL does */
    want(db, "SELECT count(*) FROM main.sqlite_schema WHERE name = 'room_codes'", "1");
    want_unknown_code(db, c1);
    free(mint(db, "r", "b"));
    want(db, "SELECT count(*) FROM main.room_codes", "1");
    want(db, "SELECT count(*) FROM aux.room_codes", "1");
    peer_ok("DROP TABLE room_codes");
    want(db, "SELECT count(*) FROM main.sqlite_schema WHERE name = 'room_codes'", "0");
    want_token(db, c1);
    free(mint(db, "r", "c"));
    want(db, "SELECT count(*) FROM aux.room_codes", "2");
    peer_close();
    close_ok(db, "db");
    peer_stop();
    free(aux);
    free(c1);
}

/* An in-memory image of a database built by sql, serialized (sqlite3_malloc'd). */
static unsigned char *image_of(const char *sql, sqlite3_int64 *size) {
    sqlite3 *m = open_ok(":memory:");
    ok(m, sql);
    unsigned char *image = sqlite3_serialize(m, "main", size, 0);
    check(image != 0, "sqlite3_serialize of the image failed");
    close_ok(m, "image");
    return image;
}

static void deserialize_into(sqlite3 *db, unsigned char *image, sqlite3_int64 size) {
    int rc = sqlite3_deserialize(db, "main", image, size, size,
                                 SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_RESIZEABLE);
    check(rc == SQLITE_OK, "sqlite3_deserialize: expected SQLITE_OK, got %d: %s", rc,
          sqlite3_errmsg(db));
}

#define IMAGE_SQL                                                                                  \
    "CREATE VIRTUAL TABLE room_codes USING roomcode;"                                              \
    "INSERT INTO room_codes(code, room_id, role) VALUES ('aaa-aaaa-aaa', 'img', 'a'),"             \
    " ('bbb-bbbb-bbb', 'img', 'b'), ('ccc-cccc-ccc', 'img', 'c'), ('ddd-dddd-ddd', 'img', 'd'),"   \
    " ('eee-eeee-eee', 'img', 'e')"

/*
 * sqlite3_deserialize replaces main between two calls. No eponymous virtual table
 * (roomcode_create, or json_each, which roomcode_create runs) is used before a deserialize
 * on the same connection: SQLite itself (3.40.1 and 3.52.0) then reads freed memory at the
 * next use of one, with or without this extension.
 */
static void deserialize_main(void) {
    sqlite3_int64 size = 0, empty_size = 0;
    unsigned char *image = image_of(IMAGE_SQL, &size);
    unsigned char *empty = image_of("CREATE TABLE t(x)", &empty_size);
    sqlite3 *db = open_fresh(1);
    char *c1 = mint(db, "r", "a");
    want_token(db, c1);
    deserialize_into(db, image, size);
    char *c2 = mint(db, "img", "f");
    want(db, "SELECT count(*) FROM room_codes", "6");
    want_token(db, c2);
    want_token(db, "ccc-cccc-ccc");
    want_unknown_code(db, c1);
    deserialize_into(db, empty, empty_size);
    want_functions_refused(db, c2, NO_TABLE);
    close_ok(db, "db");

    /* roomcode_create after a deserialize, on a connection that used the table before. */
    image = image_of(IMAGE_SQL, &size);
    db = open_ok(path);
    want_token(db, c1);
    deserialize_into(db, image, size);
    want(db, "SELECT role FROM roomcode_create('img', '[\"a\", \"g\"]')", "a\ng\n");
    want(db, "SELECT count(*), sum(enabled) FROM room_codes", "6|2");
    want_unknown_code(db, c1);
    close_ok(db, "db");

    /* The file itself was not written by any of it. */
    db = open_ok(path);
    want(db, "SELECT count(*) FROM room_codes", "1");
    close_ok(db, "db");
    free(c1);
    free(c2);
}

/* Every function works (after a double load, say). */
static void want_all_functions(sqlite3 *db, const char *room) {
    want(db, "SELECT roomcode_version()", "1.2.0");
    want(db, "SELECT roomcode_valid('xvm-wxwo-gbl'), roomcode_valid(roomcode_generate())", "1|1");
    want(db, "SELECT roomcode_normalize(' XVM wxwo.GBL ')", "xvm-wxwo-gbl");
    want(db, "SELECT roomcode_link('xvm-wxwo-gbl', 'acme.app.100ms.live')",
         "https://acme.app.100ms.live/meeting/xvm-wxwo-gbl");
    char *code = mint(db, room, "a");
    want_token(db, code);
    char *sql = fmt("SELECT role FROM roomcode_create(%Q, '[\"a\", \"b\"]')", room);
    want(db, sql, "a\nb\n");
    free(sql);
    sql = fmt("INSERT INTO room_codes(room_id, role) VALUES (%Q, 'c')", room);
    ok(db, sql);
    free(sql);
    sql = fmt("SELECT count(*) FROM room_codes WHERE room_id = %Q", room);
    want(db, sql, "3");
    free(sql);
    free(code);
}

static void load_again(sqlite3 *db) {
    char *msg = 0;
    int rc = load_extension(db, &msg);
    check(rc == SQLITE_OK, "loading the extension again: expected SQLITE_OK, got %d: %s", rc, msg);
    free(msg);
}

/* Loading twice on one connection is harmless, before and after the table is in use. */
static void load_twice(void) {
    sqlite3 *db = open_fresh(0);
    load_again(db);
    ok(db, "CREATE VIRTUAL TABLE room_codes USING roomcode");
    want_all_functions(db, "r1");
    load_again(db);
    want_all_functions(db, "r2");
    want(db, "SELECT count(*) FROM room_codes", "6");
    close_ok(db, "db");
}

/* Pure functions keep working after sqlite3_drop_modules. */
static void want_pure_functions(sqlite3 *db) {
    want(db, "SELECT roomcode_version()", "1.2.0");
    want(db, "SELECT roomcode_valid('xvm-wxwo-gbl'), roomcode_valid(roomcode_generate())", "1|1");
    want(db, "SELECT roomcode_normalize('XVM-WXWO-GBL')", "xvm-wxwo-gbl");
    want(db, "SELECT roomcode_link('xvm-wxwo-gbl', 'acme.app.100ms.live', 'preview')",
         "https://acme.app.100ms.live/preview/xvm-wxwo-gbl");
}

/*
 * sqlite3_drop_modules(db, NULL) unregisters roomcode and roomcode_create while the scalar
 * functions stay: those that need the table refuse with a roomcode: error, the pure ones
 * work. roomcode_create is gone with its module, so SQLite itself refuses it.
 */
static void drop_modules(void) {
    sqlite3 *db = open_fresh(1);
    char *c1 = mint(db, "r", "a");
    want_token(db, c1);
    want(db, "SELECT count(*) FROM roomcode_create('r', '[\"a\", \"b\"]')", "2");
    check(sqlite3_drop_modules(db, 0) == SQLITE_OK, "sqlite3_drop_modules failed");
    want_error(db, "SELECT roomcode_new('r', 'c')", SQLITE_ERROR, MODULES_DROPPED);
    want_error(db, "SELECT roomcode_new('r', 'c', 'user-1')", SQLITE_ERROR, MODULES_DROPPED);
    want_token_error(db, c1, MODULES_DROPPED);
    want_error(db, "SELECT * FROM roomcode_create('r', '[\"a\"]')", ANY_RC, "*");
    want_pure_functions(db);
    want(db, "SELECT count(*) FROM room_codes_store", "2");
    close_ok(db, "db");

    /* Dropped before any use. */
    db = open_ok(path);
    check(sqlite3_drop_modules(db, 0) == SQLITE_OK, "sqlite3_drop_modules failed");
    want_error(db, "SELECT roomcode_new('r', 'c')", SQLITE_ERROR, MODULES_DROPPED);
    want_token_error(db, c1, MODULES_DROPPED);
    want_pure_functions(db);
    close_ok(db, "db");

    /* roomcode's modules dropped (SQLite's json_each, which roomcode_create runs, kept),
     * then loaded again: everything works. */
    db = open_ok(path);
    free(mint(db, "r", "c"));
    const char *keep[] = {"json_each", "json_tree", 0};
    check(sqlite3_drop_modules(db, keep) == SQLITE_OK, "sqlite3_drop_modules failed");
    want_error(db, "SELECT roomcode_new('r', 'd')", SQLITE_ERROR, MODULES_DROPPED);
    load_again(db);
    want_all_functions(db, "s");
    want(db, "SELECT count(*) FROM room_codes WHERE room_id = 'r'", "3");
    close_ok(db, "db");
    free(c1);
}

/*
 * The peer holds a read transaction. In rollback-journal mode every autocommit write of
 * this connection then fails with SQLITE_BUSY (busy timeout 0), leaving no transaction
 * open: the peer can write once its reader ends, and later writes here persist. In WAL the
 * reader blocks nothing.
 */
static void busy_reader(void) {
    peer_start();
    sqlite3 *db = open_fresh(1);
    sqlite3_busy_timeout(db, 0);
    peer_open();
    peer_ok("PRAGMA busy_timeout = 0");
    peer_ok("BEGIN; SELECT count(*) FROM room_codes_store");
    const char *create = "SELECT role FROM roomcode_create('r', '[\"a\", \"b\"]')";
    if (cfg.wal) {
        want(db, create, "a\nb\n");
        free(mint(db, "r", "c"));
        ok(db, "INSERT INTO room_codes(room_id, role) VALUES ('r', 'd')");
    } else {
        want_error(db, create, SQLITE_BUSY, "*");
        want_autocommit(db, create);
        want_error(db, "SELECT roomcode_new('r', 'c')", SQLITE_BUSY, "*");
        want_autocommit(db, "roomcode_new");
        want_error(db, "INSERT INTO room_codes(room_id, role) VALUES ('r', 'd')", SQLITE_BUSY, "*");
        want_autocommit(db, "INSERT");
        want(db, "SELECT count(*) FROM room_codes_store", "0");
    }
    want_autocommit(db, "the writes");
    peer_ok("COMMIT");
    peer_ok("INSERT INTO room_codes(room_id, role) VALUES ('o', 'x')");
    if (!cfg.wal) {
        free(mint(db, "r", "c"));
        ok(db, "INSERT INTO room_codes(room_id, role) VALUES ('r', 'd')");
    }
    want(db, "SELECT role FROM roomcode_create('r', '[\"c\", \"d\", \"e\"]')", "c\nd\ne\n");
    want_autocommit(db, "the writes after the reader ended");
    peer_close();
    close_ok(db, "db");
    peer_stop();

    db = open_ok(path);
    want(db,
         "SELECT room_id, group_concat(role || enabled, ',') FROM"
         " (SELECT room_id, role, enabled FROM room_codes ORDER BY room_id, role)"
         " GROUP BY room_id ORDER BY room_id",
         cfg.wal ? "o|x1\nr|a0,b0,c1,d1,e1\n" : "o|x1\nr|c1,d1,e1\n");
    close_ok(db, "db");
}

/*
 * Statements that read room_codes and write it see the rows as they were when they began:
 * one code per pre-existing row, whichever plan reads them, in autocommit and inside BEGIN.
 */
static void halloween(void) {
    static const char *const forms[] = {
        "INSERT INTO room_codes(room_id, role) SELECT room_id, role FROM room_codes"
        " WHERE room_id = '%s'",
        "SELECT roomcode_new(room_id, role) FROM room_codes WHERE room_id = '%s'",
        /* room_id || '' is no index constraint: the whole table is scanned, in code order,
         * and new codes land anywhere in it */
        "INSERT INTO room_codes(room_id, role) SELECT room_id, role FROM room_codes"
        " WHERE room_id || '' = '%s'",
        "SELECT roomcode_new(room_id, role) FROM room_codes WHERE room_id || '' = '%s'",
    };
    sqlite3 *db = open_fresh(1);
    int n = 0;
    for (int in_begin = 0; in_begin < 2; in_begin++) {
        for (size_t f = 0; f < sizeof forms / sizeof forms[0]; f++) {
            for (int round = 0; round < 3; round++) {
                char room[16];
                snprintf(room, sizeof room, "r%d", n++);
                char *sql = fmt("INSERT INTO room_codes(room_id, role) VALUES (%Q, 'a'),"
                                " (%Q, 'b'), (%Q, 'c')",
                                room, room, room);
                ok(db, sql);
                free(sql);
                if (in_begin)
                    ok(db, "BEGIN");
                char *stmt = fmt(forms[f], room);
                char *rows = ok_rows(db, stmt);
                int lines = 0;
                for (char *p = rows; p && *p; p++)
                    lines += *p == '\n';
                check(f % 2 == 0 || lines == 3, "%s: expected 3 codes back, got %d", stmt, lines);
                free(rows);
                char *count = fmt("SELECT count(*) FROM room_codes WHERE room_id = %Q", room);
                want(db, count, "6");
                if (in_begin) {
                    ok(db, "COMMIT");
                    want(db, count, "6");
                }
                free(count);
                free(stmt);
            }
        }
    }
    close_ok(db, "db");
}

/* Another process migrates (creates and drops tables) while this one keeps minting. */
static void migration_by_process(void) {
    peer_start();
    sqlite3 *db = open_fresh(1);
    peer_open();
    peer_send('L', "30\tCREATE TABLE mig_%d(x); CREATE INDEX mig_%d_x ON mig_%d(x);"
                   " DROP INDEX mig_%d_x");
    int errors = 0, calls = 0;
    char *first_error = 0, *last = 0;
    for (int i = 0; i < 60; i++) {
        char *sql = i % 4 == 3 ? token_sql(last)
                    : i % 4 == 2
                        ? fmt("INSERT INTO room_codes(room_id, role) VALUES ('m', 'role-%d')", i)
                        : fmt("SELECT roomcode_new('m', 'role-%d')", i);
        char *rows = 0, *msg = 0;
        int rc = run_sql(db, sql, &rows, &msg);
        calls++;
        if (rc != SQLITE_OK && errors++ == 0)
            first_error = fmt("%s: error %d: %s", sql, rc, msg);
        if (rc == SQLITE_OK && i % 4 < 2) {
            free(last);
            last = xstrdup(first_line(rows));
        }
        free(rows);
        free(msg);
        free(sql);
    }
    check(errors == 0, "%d of %d calls during the migration failed, expected none; first: %s",
          errors, calls, first_error);
    char *rows = 0, *msg = 0;
    int rc = peer_receive(&rows, &msg);
    check(rc == SQLITE_OK && strcmp(rows, "30") == 0,
          "the migration: expected 30 steps done, got %s (error %d: %s)", rows, rc, msg);
    free(rows);
    free(msg);
    want(db, "SELECT count(*) FROM room_codes WHERE room_id = 'm'", "45");
    want(db, "SELECT count(*) FROM sqlite_schema WHERE name GLOB 'mig_*'", "30");
    peer_want("SELECT count(*) FROM room_codes_store WHERE room_id = 'm'", "45");
    want_autocommit(db, "the minting");
    peer_close();
    close_ok(db, "db");
    peer_stop();
    free(first_error);
    free(last);
}

/* Function refusals are SQLITE_ERROR, refused writes to the table SQLITE_CONSTRAINT. */
static void error_codes(void) {
    sqlite3 *db = open_fresh(1);
    ok(db, "INSERT INTO room_codes(code, room_id, role) VALUES ('xvm-wxwo-gbl', 'r', 'host')");
    want_error(db, "SELECT roomcode_new('r', NULL)", SQLITE_ERROR,
               "roomcode: role must not be NULL");
    want_error(db, "SELECT roomcode_new('', 'host')", SQLITE_ERROR,
               "roomcode: room_id must not be empty");
    want_error(db, "SELECT roomcode_new('r', 'host', 5)", SQLITE_ERROR,
               "roomcode: user_id must be text, not integer 5");
    want_error(db, "SELECT * FROM roomcode_create('r', '[]')", SQLITE_ERROR,
               "roomcode: roles must be a non-empty JSON array of role names, not '[]'");
    want_error(db, "SELECT * FROM roomcode_create(NULL, '[\"a\"]')", SQLITE_ERROR,
               "roomcode: room_id must not be NULL");
    want_token_error(db, "zzz-zzzz-zzz", "roomcode: unknown room code 'zzz-zzzz-zzz'");
    want_token_error(db, "zzz-zzzz-zz", "roomcode: malformed room code 'zzz-zzzz-zz'");
    want_error(db, "SELECT roomcode_link('xvm-wxwo-gbl', 'acme.app.100ms.live', 'lobby')",
               SQLITE_ERROR, "roomcode: unknown route 'lobby'*");
    ok(db, "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 100)"
           " INSERT INTO room_codes(room_id, role) SELECT 'full', 'g' || i FROM c");
    const char *cap = "roomcode: room 'full' already has 100 room codes (limit 100)";
    want_error(db, "SELECT roomcode_new('full', 'host')", SQLITE_ERROR, cap);
    want_error(db, "SELECT * FROM roomcode_create('full', '[\"host\"]')", SQLITE_ERROR, cap);
    want_error(db, "INSERT INTO room_codes(room_id, role) VALUES ('full', 'host')",
               SQLITE_CONSTRAINT, cap);
    want_error(db, "INSERT INTO room_codes(room_id, role) VALUES ('r', NULL)", SQLITE_CONSTRAINT,
               "roomcode: role must not be NULL");
    want_error(db, "INSERT INTO room_codes(code, room_id, role) VALUES ('xvm-wxwo-gbl', 's', 'a')",
               SQLITE_CONSTRAINT, "roomcode: room code 'xvm-wxwo-gbl' already exists");
    want_error(db, "UPDATE room_codes SET role = 'guest' WHERE code = 'xvm-wxwo-gbl'",
               SQLITE_CONSTRAINT, "roomcode: role of room code 'xvm-wxwo-gbl' cannot change*");
    want_error(db, "UPDATE room_codes SET enabled = 2 WHERE code = 'xvm-wxwo-gbl'",
               SQLITE_CONSTRAINT, "roomcode: enabled must be 1 or 0, not integer 2");
    want_autocommit(db, "the refusals");
    want(db, "SELECT count(*) FROM room_codes", "101");
    close_ok(db, "db");
}

typedef struct scenario_def {
    const char *name;
    void (*run)(void);
    int peer; /* 0: no peer; 1: a peer connection, then a peer process; 2: a peer process */
} scenario_def;

static const scenario_def scenarios[] = {
    {"ddl_between_calls", ddl_between_calls, 1},
    {"rename_recreate_by_peer", rename_recreate_by_peer, 1},
    {"rename_by_peer", ddl_steps, 1},
    {"drop_by_peer", ddl_steps, 1},
    {"rename_and_drop_here", ddl_steps, 0},
    {"temp_roomcode_table", temp_roomcode_table, 0},
    {"temp_view_shadows", temp_view_shadows, 0},
    {"temp_view_of_main_shadows", temp_view_of_main_shadows, 0},
    {"temp_plain_table_shadows", temp_plain_table_shadows, 0},
    {"plain_table_in_main", plain_table_in_main, 0},
    {"attached_schemas", attached_schemas, 0},
    {"attached_kept", attached_kept, 1},
    {"deserialize_main", deserialize_main, 0},
    {"load_twice", load_twice, 0},
    {"drop_modules", drop_modules, 0},
    {"busy_reader", busy_reader, 1},
    {"halloween", halloween, 0},
    {"migration_by_process", migration_by_process, 2},
    {"error_codes", error_codes, 0},
};

/*
 * Runs one configuration of a scenario in this process. Under valgrind what memcheck found
 * meanwhile is counted against it: its errors, and definite leaks by a leak check after it.
 */
static void run_here(const scenario_def *s, config c) {
    cfg = c;
    scenario = s->name;
#ifdef HAVE_MEMCHECK
    static unsigned long leaked_before;
    unsigned errors_before = VALGRIND_COUNT_ERRORS;
#endif
    s->run();
#ifdef HAVE_MEMCHECK
    if (RUNNING_ON_VALGRIND) {
        /* Errors first: the leak check reports its findings as errors too. */
        unsigned errors = VALGRIND_COUNT_ERRORS - errors_before;
        unsigned long leaked = 0, dubious = 0, reachable = 0, suppressed = 0;
        VALGRIND_DO_ADDED_LEAK_CHECK;
        VALGRIND_COUNT_LEAKS(leaked, dubious, reachable, suppressed);
        (void)dubious;
        (void)reachable;
        (void)suppressed;
        check(errors == 0 && leaked <= leaked_before,
              "valgrind: expected no errors and no definite leaks, got %u errors and %lu bytes"
              " leaked (its report is above)",
              errors, leaked > leaked_before ? leaked - leaked_before : 0);
        leaked_before = leaked;
    }
#endif
}

/* The configurations a scenario runs in: journal mode, DEFENSIVE, and its kinds of peer. */
static int configs_of(const scenario_def *s, config out[8]) {
    int n = 0;
    for (int wal = 0; wal < 2; wal++) {
        for (int defensive = 0; defensive < 2; defensive++) {
            for (int peer = s->peer == 2; peer <= (s->peer != 0) && (!pairwise || wal == defensive);
                 peer++) {
                config c = {wal, defensive, peer, s->peer != 0};
                out[n++] = c;
            }
        }
    }
    return n;
}

/*
 * Runs configuration which of s (or all of them, which < 0) in a process of its own, so
 * that a sanitizer report, which ends the process, ends only that run; adds up its counts,
 * and counts an unclean end (a sanitizer's or valgrind's exit code, a signal) as a failure.
 */
static void run_isolated(const scenario_def *s, int which) {
    config all[8];
    int n = configs_of(s, all);
    int fd[2];
    if (pipe(fd)) {
        perror("pipe");
        exit(2);
    }
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        exit(2);
    }
    if (pid == 0) {
        close(fd[0]);
        passed = failed = 0;
        for (int i = 0; i < n; i++) {
            if (which < 0 || which == i)
                run_here(s, all[i]);
        }
        peer_end();
        int counts[2] = {passed, failed};
        write_all(fd[1], counts, sizeof counts);
        fflush(stdout);
        exit(0);
    }
    close(fd[1]);
    int counts[2] = {0, 0};
    int got = read_all(fd[0], counts, sizeof counts);
    close(fd[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    passed += counts[0];
    failed += counts[1];
    if (!got || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        scenario = s->name;
        config whole = {0, 0, 0, -1};
        cfg = which >= 0 ? all[which] : whole;
        check(0, "the scenario's process %s %d%s (its report is above)",
              WIFEXITED(status) ? "exited with" : "was killed by signal",
              WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
              got ? "" : " before it finished");
    }
}

/*
 * Runs the common paths once in this process before any scenario, on files closed again
 * before any fork: a forked process inherits what valgrind translated so far, so that each
 * does not translate SQLite again.
 */
static void warm_up(void) {
    for (int wal = 0; wal < 2; wal++) {
        char *file = fmt("%s/warm-up-%d.db", dir, wal);
        sqlite3 *db = 0;
        char *msg = 0;
        if (open_connection(file, &db, &msg) == SQLITE_OK) {
            run_sql(db, wal ? "PRAGMA journal_mode = wal" : "PRAGMA journal_mode = delete", 0, 0);
            run_sql(db,
                    "CREATE VIRTUAL TABLE room_codes USING roomcode;"
                    "INSERT INTO room_codes(room_id, role) VALUES ('r', 'a');"
                    "SELECT roomcode_token(roomcode_new('r', 'b'), 'u', 'k', 's');"
                    "SELECT * FROM roomcode_create('r', '[\"a\", \"c\"]');"
                    "SELECT * FROM room_codes WHERE room_id = 'r';"
                    "UPDATE room_codes SET enabled = 0 WHERE role = 'a';"
                    "DELETE FROM room_codes WHERE role = 'b';"
                    "CREATE TABLE t(x); CREATE INDEX t_x ON t(x); DROP TABLE t;"
                    "ALTER TABLE room_codes RENAME TO old; DROP TABLE old;",
                    0, 0);
            sqlite3_close(db);
        }
        free(msg);
        free(file);
    }
}

static void remove_dir(void) {
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            char *f = fmt("%s/%s", dir, e->d_name);
            unlink(f);
            free(f);
        }
    }
    if (d)
        closedir(d);
    rmdir(dir);
}

int main(int argc, char **argv) {
    const char *filter = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--ext") == 0 && i + 1 < argc)
            ext_path = argv[++i];
        else if (strcmp(argv[i], "--per-scenario") == 0)
            per_scenario = 1;
        else if (strcmp(argv[i], "--pairwise") == 0)
            pairwise = 1;
        else
            filter = argv[i];
    }
    signal(SIGPIPE, SIG_IGN); /* a peer process that died is reported, not fatal */
    snprintf(dir, sizeof dir, "/tmp/roomcode-schema-XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 2;
    }
    warm_up();
    for (size_t i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++) {
        const scenario_def *s = &scenarios[i];
        if (filter && !strstr(s->name, filter))
            continue;
        if (per_scenario) {
            run_isolated(s, -1);
        } else {
            config all[8];
            int n = configs_of(s, all);
            for (int c = 0; c < n; c++)
                run_isolated(s, c);
        }
    }
    remove_dir();
    printf("schema-change: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
