/*
 * `make bench`: each workload of the extension beside a baseline that does the same job
 * without it, in one process, in interleaved rounds (the order alternates each round, so
 * neither side always runs on a warmer machine). Prints a table of medians and ratios
 * (ours / baseline) and one machine-readable BENCH line per workload. Nothing here asserts
 * a timing; results are checked for correctness (row counts, codes valid) in every mode.
 *
 * `bench --quick` (the bench-smoke suite of `make test`) runs every workload at a small
 * size, reports only its checks, and ends with "bench-smoke: N passed, M failed".
 *
 * Databases are files in a fresh temp dir, WAL with synchronous=OFF on both sides: real
 * pagers and journals (a statement journal, WAL commits), without fsync noise.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CODE_LEN 12
#define MAX_ROUNDS 15
/* Cheap workloads run each round in this many slices, alternating ours and the baseline,
 * so that both sides meet the same bursts of load from other tenants. */
#define SLICES 10

/* The settings of one run. */
static struct {
    int quick;
    int rounds;
    const char *ext;
    const char *sql_dir;
    const char *only; /* run just this workload (for profiling) */
    char dir[PATH_MAX];
    char *store_table_sql; /* sql/store_table.sql, read at run time */
    char *store_triggers_sql;
    int passed, failed;
} run;

/* One line of the table. */
typedef struct result {
    const char *name;  /* the BENCH name */
    char label[64];    /* the table's first column */
    const char *unit;  /* of ours and base */
    double ours, base; /* medians; base < 0 when there is none */
    double ratio;      /* ours / base, or the measured figure against an absolute target */
    const char *cmp;   /* "<=" or ">=" */
    double target;
    char note[96];
} result;

static result results[24];
static int n_results;

static void die(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "bench: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(2);
}

/* CPU time (user + system) of this process: on a shared machine, wall time would also
 * count the other tenants. The work is CPU-bound (databases stay in the OS page cache). */
static double cpu_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double wall_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Records one correctness check; a failure is printed at once. */
static void check(int ok, const char *fmt, ...) {
    if (ok) {
        run.passed++;
        return;
    }
    run.failed++;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "FAIL ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
}

static int is_code(const unsigned char *s, int n) {
    if (!s || n != CODE_LEN)
        return 0;
    for (int i = 0; i < CODE_LEN; i++) {
        if ((i == 3 || i == 8) ? s[i] != '-' : (s[i] < 'a' || s[i] > 'z'))
            return 0;
    }
    return 1;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(const double *v, int n) {
    double s[MAX_ROUNDS];
    memcpy(s, v, sizeof(double) * (size_t)n);
    qsort(s, (size_t)n, sizeof(double), cmp_double);
    return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

static char *read_text(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f)
        die("cannot read %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (!s || fread(s, 1, (size_t)n, f) != (size_t)n)
        die("cannot read %s", path);
    s[n] = 0;
    fclose(f);
    return s;
}

static void exec(sqlite3 *db, const char *sql) {
    char *err = 0;
    if (sqlite3_exec(db, sql, 0, 0, &err) != SQLITE_OK)
        die("%s\n  in: %.200s", err ? err : sqlite3_errmsg(db), sql);
}

static sqlite3_stmt *prepare(sqlite3 *db, const char *sql) {
    sqlite3_stmt *stmt = 0;
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, 0) != SQLITE_OK)
        die("%s\n  in: %.200s", sqlite3_errmsg(db), sql);
    return stmt;
}

/* Runs sql with ?1 bound to n (when it has a parameter) to completion; returns its step
 * status. The values of a last row stay readable until finalize. */
static int step_all(sqlite3_stmt *stmt, sqlite3_int64 n) {
    if (sqlite3_bind_parameter_count(stmt) > 0)
        sqlite3_bind_int64(stmt, 1, n);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    }
    return rc;
}

/* The integer of the first column of the first row of sql. */
static sqlite3_int64 query_int(sqlite3 *db, const char *sql) {
    sqlite3_stmt *stmt = prepare(db, sql);
    if (sqlite3_step(stmt) != SQLITE_ROW)
        die("no row: %s (%s)", sql, sqlite3_errmsg(db));
    sqlite3_int64 v = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    return v;
}

static void path_of(char *out, size_t size, const char *name) {
    snprintf(out, size, "%s/%s", run.dir, name);
}

static void remove_db(const char *name) {
    static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
    char path[PATH_MAX + 96];
    for (int i = 0; i < 4; i++) {
        snprintf(path, sizeof path, "%s/%s%s", run.dir, name, suffix[i]);
        unlink(path);
    }
}

/* Opens (creating afresh when asked) a database file of the temp dir, the extension loaded. */
static sqlite3 *open_db(const char *name, int fresh) {
    char path[PATH_MAX + 96];
    if (fresh)
        remove_db(name);
    path_of(path, sizeof path, name);
    sqlite3 *db = 0;
    if (sqlite3_open(path, &db) != SQLITE_OK)
        die("cannot open %s: %s", path, sqlite3_errmsg(db));
    char *err = 0;
    sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 1, 0);
    if (sqlite3_load_extension(db, run.ext, 0, &err) != SQLITE_OK)
        die("cannot load %s: %s", run.ext, err);
    exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF");
    return db;
}

static void close_db(sqlite3 *db) {
    if (sqlite3_close(db) != SQLITE_OK)
        die("close: %s", sqlite3_errmsg(db));
}

/* Copies the DDL of sql/ with {schema}, {table} and {cap} replaced, as the extension does. */
static char *fill_template(const char *tmpl, const char *table) {
    sqlite3_str *out = sqlite3_str_new(0);
    for (const char *p = tmpl; *p;) {
        if (strncmp(p, "{schema}", 8) == 0) {
            sqlite3_str_appendall(out, "main");
            p += 8;
        } else if (strncmp(p, "{table}", 7) == 0) {
            sqlite3_str_appendall(out, table);
            p += 7;
        } else if (strncmp(p, "{cap}", 5) == 0) {
            sqlite3_str_appendall(out, "100");
            p += 5;
        } else {
            sqlite3_str_appendchar(out, 1, *p++);
        }
    }
    return sqlite3_str_finish(out);
}

/* The hand-written plain table "<table>_store", with the rules of the extension's store. */
static void create_plain(sqlite3 *db, const char *table) {
    char *a = fill_template(run.store_table_sql, table);
    char *b = fill_template(run.store_triggers_sql, table);
    exec(db, a);
    exec(db, b);
    sqlite3_free(a);
    sqlite3_free(b);
}

static result *add_result(const char *name, const char *label, const char *unit) {
    result *r = &results[n_results++];
    memset(r, 0, sizeof *r);
    r->name = name;
    snprintf(r->label, sizeof r->label, "%s", label);
    r->unit = unit;
    r->base = -1;
    r->cmp = "<=";
    return r;
}

static void set_ratio(result *r, double target) {
    r->ratio = r->ours / r->base;
    r->target = target;
}

static int result_ok(const result *r) {
    return strcmp(r->cmp, "<=") == 0 ? r->ratio <= r->target : r->ratio >= r->target;
}

/* WITH clause of a series i = 0 .. ?1-1; the baseline's also carries 62 random bits x. */
#define SERIES "WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i + 1 < ?1) "
#define SERIES_X                                                                                   \
    "WITH RECURSIVE s(i, x) AS (SELECT 0, random() & 0x3fffffffffffffff UNION ALL"                 \
    " SELECT i + 1, random() & 0x3fffffffffffffff FROM s WHERE i + 1 < ?1) "
/* A code from x, one base-26 digit per letter (the bias of the top digit is 1e-5). */
#define CODE_OF_X                                                                                  \
    "char(97 + x % 26, 97 + x / 26 % 26, 97 + x / 676 % 26, 45,"                                   \
    " 97 + x / 17576 % 26, 97 + x / 456976 % 26, 97 + x / 11881376 % 26,"                          \
    " 97 + x / 308915776 % 26, 45, 97 + x / 8031810176 % 26,"                                      \
    " 97 + x / 208827064576 % 26, 97 + x / 5429503678976 % 26)"
/* 100 codes per room, three roles. */
#define ROOM_ROLE "printf('room-%05d', i / 100), 'role-' || (i % 3)"

/*
 * draw: roomcode_generate() over a series against randomblob(8) over the same series.
 * No storage is involved, so this runs on an in-memory database.
 */
static void bench_draw(void) {
    const long n = run.quick ? 1000 : 1000000;
    sqlite3 *db = 0;
    char *err = 0;
    if (sqlite3_open(":memory:", &db) != SQLITE_OK)
        die("cannot open :memory:");
    sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 1, 0);
    if (sqlite3_load_extension(db, run.ext, 0, &err) != SQLITE_OK)
        die("cannot load %s: %s", run.ext, err);
    sqlite3_stmt *ours = prepare(db, SERIES "SELECT count(*), max(roomcode_generate()) FROM s");
    sqlite3_stmt *base = prepare(db, SERIES "SELECT count(*), max(randomblob(8)) FROM s");
    double t_ours[MAX_ROUNDS] = {0}, t_base[MAX_ROUNDS] = {0};
    for (int r = 0; r < run.rounds; r++) {
        for (int slice = 0; slice < SLICES * 2; slice++) {
            int is_ours = (slice + r) % 2 == 0;
            sqlite3_stmt *stmt = is_ours ? ours : base;
            double t0 = cpu_ms();
            sqlite3_bind_int64(stmt, 1, n / SLICES);
            int rc = sqlite3_step(stmt);
            double t = cpu_ms() - t0;
            check(rc == SQLITE_ROW && sqlite3_column_int64(stmt, 0) == n / SLICES, "draw: %s count",
                  is_ours ? "ours" : "base");
            if (is_ours)
                check(is_code(sqlite3_column_text(stmt, 1), sqlite3_column_bytes(stmt, 1)),
                      "draw: max(roomcode_generate()) is not a code");
            sqlite3_reset(stmt);
            (is_ours ? t_ours : t_base)[r] += t;
        }
    }
    sqlite3_finalize(ours);
    sqlite3_finalize(base);
    /* Every draw is a valid code, and a thousand draws never repeat. */
    sqlite3_stmt *all =
        prepare(db, SERIES ", c(v) AS MATERIALIZED (SELECT roomcode_generate() FROM s)"
                           " SELECT count(*), sum(roomcode_valid(v)),"
                           " count(DISTINCT v) FROM c");
    sqlite3_bind_int64(all, 1, 1000);
    check(sqlite3_step(all) == SQLITE_ROW && sqlite3_column_int(all, 0) == 1000 &&
              sqlite3_column_int(all, 1) == 1000 && sqlite3_column_int(all, 2) == 1000,
          "draw: 1000 draws are not 1000 distinct valid codes");
    sqlite3_finalize(all);
    close_db(db);
    result *res = add_result("draw", "draw 1,000,000 codes", "ms");
    if (run.quick)
        snprintf(res->label, sizeof res->label, "draw %ld codes", n);
    res->ours = median(t_ours, run.rounds);
    res->base = median(t_base, run.rounds);
    set_ratio(res, 1.2);
    snprintf(res->note, sizeof res->note, "base: randomblob(8)");
}

/* What a store round's child reports back. */
typedef struct store_report {
    double ms;
    sqlite3_int64 rows, invalid, rooms, max_per_room;
    int rc;
} store_report;

/* One store round in a child process, so that its peak memory is its own. */
static store_report store_round(int is_ours, int round, long n, int temp_in_memory,
                                long *maxrss_kb) {
    int fd[2];
    store_report rep = {0};
    if (pipe(fd) != 0)
        die("pipe");
    fflush(0);
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        close(fd[0]);
        char name[64];
        snprintf(name, sizeof name, "store-%s-%d.db", is_ours ? "ours" : "base", round);
        sqlite3 *db = open_db(name, 1);
        if (temp_in_memory)
            exec(db, "PRAGMA temp_store = MEMORY");
        const char *table;
        sqlite3_stmt *ins;
        if (is_ours) {
            exec(db, "CREATE VIRTUAL TABLE room_codes USING roomcode");
            table = "room_codes_store";
            ins = prepare(db, SERIES "INSERT INTO room_codes(room_id, role) SELECT " ROOM_ROLE
                                     " FROM s");
        } else {
            create_plain(db, "plain");
            table = "plain_store";
            ins = prepare(db, SERIES_X "INSERT INTO plain_store(code, room_id, role)"
                                       " SELECT " CODE_OF_X ", " ROOM_ROLE " FROM s");
        }
        double t0 = cpu_ms();
        exec(db, "BEGIN");
        rep.rc = step_all(ins, n);
        if (rep.rc == SQLITE_DONE) {
            exec(db, "COMMIT");
            rep.rc = SQLITE_OK;
        } else {
            fprintf(stderr, "bench: store %s: %s\n", is_ours ? "ours" : "base", sqlite3_errmsg(db));
            rep.rc = sqlite3_extended_errcode(db);
        }
        rep.ms = cpu_ms() - t0;
        sqlite3_finalize(ins);
        if (rep.rc == SQLITE_OK) {
            char sql[256];
            snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
            rep.rows = query_int(db, sql);
            snprintf(sql, sizeof sql, "SELECT count(*) FROM %s WHERE NOT roomcode_valid(code)",
                     table);
            rep.invalid = query_int(db, sql);
            snprintf(sql, sizeof sql, "SELECT count(DISTINCT room_id) FROM %s", table);
            rep.rooms = query_int(db, sql);
            snprintf(sql, sizeof sql,
                     "SELECT max(n) FROM (SELECT count(*) AS n FROM %s GROUP BY room_id)", table);
            rep.max_per_room = query_int(db, sql);
        }
        close_db(db);
        remove_db(name);
        if (write(fd[1], &rep, sizeof rep) != (ssize_t)sizeof rep)
            _exit(1);
        _exit(0);
    }
    close(fd[1]);
    ssize_t got = read(fd[0], &rep, sizeof rep);
    close(fd[0]);
    int status = 0;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
        got != (ssize_t)sizeof rep)
        die("store round %d (%s) failed", round, is_ours ? "ours" : "base");
    *maxrss_kb = ru.ru_maxrss;
    return rep;
}

/*
 * store: 200,000 minted codes over 2,000 rooms in one transaction, through the virtual
 * table, against the same rows into a plain table with the same constraints and triggers
 * (from sql/), codes drawn by a pure-SQL expression.
 */
static void bench_store(void) {
    const long n = run.quick ? 2000 : 200000;
    /* The second variant (no target, 3 rounds) keeps statement journals in memory on both
     * sides; see the note on statement journals in tests/bench/README.md. */
    for (int in_memory = 0; in_memory < 2; in_memory++) {
        int rounds = in_memory && run.rounds > 3 ? 3 : run.rounds;
        double t_ours[MAX_ROUNDS], t_base[MAX_ROUNDS], m_ours[MAX_ROUNDS], m_base[MAX_ROUNDS];
        for (int r = 0; r < rounds; r++) {
            for (int k = 0; k < 2; k++) {
                int is_ours = (k == 0) == (r % 2 == 0);
                long rss = 0;
                store_report rep = store_round(is_ours, r, n, in_memory, &rss);
                /* Two of 200,000 pure-SQL codes collide once in some 7,000 runs: again. */
                if (!is_ours && rep.rc == SQLITE_CONSTRAINT_PRIMARYKEY)
                    rep = store_round(is_ours, r, n, in_memory, &rss);
                const char *who = is_ours ? "ours" : "base";
                check(rep.rc == SQLITE_OK, "store %s: insert failed (%d)", who, rep.rc);
                check(rep.rows == n, "store %s: %lld rows, not %ld", who, rep.rows, n);
                check(rep.invalid == 0, "store %s: %lld invalid codes", who, rep.invalid);
                check(rep.rooms == n / 100 && rep.max_per_room == 100,
                      "store %s: %lld rooms, at most %lld codes each", who, rep.rooms,
                      rep.max_per_room);
                (is_ours ? t_ours : t_base)[r] = rep.ms;
                (is_ours ? m_ours : m_base)[r] = rss / 1024.0;
            }
        }
        result *res = add_result(in_memory ? "store_temp_memory" : "store",
                                 in_memory ? "  same, temp_store=MEMORY both sides"
                                           : "store 200,000 codes, 2,000 rooms",
                                 "ms");
        if (run.quick && !in_memory)
            snprintf(res->label, sizeof res->label, "store %ld codes", n);
        res->ours = median(t_ours, rounds);
        res->base = median(t_base, rounds);
        set_ratio(res, 1.1);
        if (in_memory)
            res->cmp = 0;
        snprintf(res->note, sizeof res->note, "%s",
                 in_memory ? "3 rounds" : "base: INSERT ... SELECT pure-SQL codes");
        result *mem = add_result(in_memory ? "store_temp_memory_peak_rss" : "store_peak_rss",
                                 "  peak RSS of that process", "MiB");
        mem->ours = median(m_ours, rounds);
        mem->base = median(m_base, rounds);
        mem->ratio = mem->ours / mem->base;
        mem->cmp = 0; /* no target */
        snprintf(mem->note, sizeof mem->note, "ru_maxrss of a forked child per round");
    }
}

/* A CSPRNG letter source as a careful app writes it: libsodium bytes fetched in batches,
 * rejection sampling against modulo bias. */
typedef struct app_rng {
    unsigned char buf[4096];
    size_t pos;
} app_rng;

static void app_draw(app_rng *g, char out[CODE_LEN + 1]) {
    int o = 0;
    while (o < CODE_LEN) {
        if (o == 3 || o == 8) {
            out[o++] = '-';
            continue;
        }
        if (g->pos == sizeof g->buf) {
            randombytes_buf(g->buf, sizeof g->buf);
            g->pos = 0;
        }
        unsigned char b = g->buf[g->pos++];
        if (b < 234)
            out[o++] = (char)('a' + b % 26);
    }
    out[CODE_LEN] = 0;
}

/*
 * new: n roomcode_new(room, role) calls, against an app that draws its codes and INSERTs
 * them into a plain table (with the storage DDL) with a prepared statement. Rooms
 * 'room-<prefix>-<k>', 100 codes each; both in one transaction. Returns the milliseconds.
 */
static double mint_calls(sqlite3 *db, int is_ours, const char *table, const char *prefix, long n,
                         int one_txn) {
    char sql[160];
    snprintf(sql, sizeof sql, "INSERT INTO %s(code, room_id, role) VALUES (?3, ?1, ?2)", table);
    sqlite3_stmt *stmt = prepare(db, is_ours ? "SELECT roomcode_new(?1, ?2)" : sql);
    static const char *const roles[3] = {"role-0", "role-1", "role-2"};
    app_rng rng = {.pos = sizeof rng.buf};
    char room[64], code[CODE_LEN + 1];
    long bad = 0;
    double t0 = cpu_ms();
    if (one_txn)
        exec(db, "BEGIN");
    for (long i = 0; i < n; i++) {
        int len = snprintf(room, sizeof room, "room-%s-%05ld", prefix, i / 100);
        sqlite3_bind_text(stmt, 1, room, len, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 2, roles[i % 3], 6, SQLITE_STATIC);
        if (is_ours) {
            if (sqlite3_step(stmt) != SQLITE_ROW)
                die("roomcode_new: %s", sqlite3_errmsg(db));
            bad += !is_code(sqlite3_column_text(stmt, 0), sqlite3_column_bytes(stmt, 0));
        } else {
            int rc;
            do { /* a collision is drawn again, as roomcode_new does */
                sqlite3_reset(stmt);
                app_draw(&rng, code);
                sqlite3_bind_text(stmt, 3, code, CODE_LEN, SQLITE_STATIC);
                rc = sqlite3_step(stmt);
            } while (rc == SQLITE_CONSTRAINT &&
                     sqlite3_extended_errcode(db) == SQLITE_CONSTRAINT_PRIMARYKEY);
            if (rc != SQLITE_DONE)
                die("plain insert: %s", sqlite3_errmsg(db));
        }
        sqlite3_reset(stmt);
    }
    if (one_txn)
        exec(db, "COMMIT");
    double ms = cpu_ms() - t0;
    sqlite3_finalize(stmt);
    sodium_memzero(&rng, sizeof rng);
    check(bad == 0, "roomcode_new returned %ld malformed codes", bad);
    return ms;
}

static void bench_new(void) {
    const long n = run.quick ? 1000 : 100000;
    double t_ours[MAX_ROUNDS], t_base[MAX_ROUNDS];
    for (int r = 0; r < run.rounds; r++) {
        for (int k = 0; k < 2; k++) {
            int is_ours = (k == 0) == (r % 2 == 0);
            const char *name = is_ours ? "new-ours.db" : "new-base.db";
            sqlite3 *db = open_db(name, 1);
            if (is_ours)
                exec(db, "CREATE VIRTUAL TABLE room_codes USING roomcode");
            else
                create_plain(db, "plain");
            (is_ours ? t_ours : t_base)[r] = mint_calls(db, is_ours, "plain_store", "n", n, 1);
            const char *table = is_ours ? "room_codes_store" : "plain_store";
            char sql[160];
            snprintf(sql, sizeof sql, "SELECT count(*) FROM %s WHERE roomcode_valid(code)", table);
            check(query_int(db, sql) == n, "new %s: not %ld valid codes", is_ours ? "ours" : "base",
                  n);
            close_db(db);
            remove_db(name);
        }
    }
    result *res = add_result("new", "roomcode_new x 100,000", "ms");
    if (run.quick)
        snprintf(res->label, sizeof res->label, "roomcode_new x %ld", n);
    res->ours = median(t_ours, run.rounds);
    res->base = median(t_base, run.rounds);
    set_ratio(res, 1.3);
    snprintf(res->note, sizeof res->note, "base: app draws (libsodium) + INSERT");
}

/*
 * Fills a store ("room_codes_store" or the baseline's "plain_store") until it holds `to`
 * codes, drawn by roomcode_generate() and written straight into the table in one
 * statement: the same content as minting would leave, without spending the time budget
 * on minting a million rows one by one. A code drawn twice is skipped and topped up.
 */
static void grow(sqlite3 *db, const char *table, sqlite3_int64 to) {
    char sql[512], count[128];
    snprintf(sql, sizeof sql,
             SERIES "INSERT OR IGNORE INTO %s(code, room_id, role) SELECT roomcode_generate(),"
                    " printf('fill-%%07d', ?2 + i / 100), 'role-' || (i %% 3) FROM s",
             table);
    snprintf(count, sizeof count, "SELECT count(*) FROM %s", table);
    sqlite3_stmt *ins = prepare(db, sql);
    sqlite3_int64 have;
    while ((have = query_int(db, count)) < to) {
        sqlite3_reset(ins);
        sqlite3_bind_int64(ins, 2, have / 100 + 1);
        exec(db, "BEGIN");
        if (step_all(ins, to - have) != SQLITE_DONE)
            die("grow: %s", sqlite3_errmsg(db));
        exec(db, "COMMIT");
    }
    sqlite3_finalize(ins);
}

/* Makes the database `name` a page-for-page copy of src's main database. */
static sqlite3 *copy_db(sqlite3 *src, const char *name) {
    sqlite3 *db = open_db(name, 1);
    sqlite3_backup *b = sqlite3_backup_init(db, "main", src, "main");
    if (!b || sqlite3_backup_step(b, -1) != SQLITE_DONE || sqlite3_backup_finish(b) != SQLITE_OK)
        die("backup to %s: %s", name, sqlite3_errmsg(db));
    return db;
}

/*
 * scale: the per-code cost of roomcode_new at 10k, 100k and 1M stored codes, against
 * itself at 10k, minted one code per transaction (as an API request mints one) and 5,000
 * per transaction. For comparison (no target) the app of "new" does the same on a
 * page-for-page copy of each database, writing straight into its store, a plain table with
 * the storage DDL. The three sizes are kept side by side (copies taken as the table grows)
 * and measured in interleaved turns, so that all of them meet the same load; each turn
 * mints into fresh rooms and deletes them again, so the tables keep their sizes. Leaves
 * the 1M-code database for the lookups and tokens.
 */
static void bench_scale(void) {
    const long levels[3] = {10000, 100000, 1000000};
    const long quick_levels[3] = {1000, 2000, 5000};
    const long n[2] = {run.quick ? 100 : 2000, run.quick ? 300 : 5000}; /* by one_txn */
    sqlite3 *db[3][2];                                                  /* [level][app] */
    char name[3][2][32];
    sqlite3 *big = open_db("big.db", 1);
    exec(big, "CREATE VIRTUAL TABLE room_codes USING roomcode");
    for (int l = 0; l < 3; l++) {
        grow(big, "room_codes_store", run.quick ? quick_levels[l] : levels[l]);
        for (int k = 0; k < 2; k++) {
            snprintf(name[l][k], sizeof name[l][k], "level%d-%s.db", l, k ? "app" : "ours");
            db[l][k] = l == 2 && k == 0 ? big : copy_db(big, name[l][k]);
        }
    }
    double t[2][3][2][MAX_ROUNDS] = {{{{0}}}}; /* [one_txn][level][app][round] */
    for (int one_txn = 0; one_txn < 2; one_txn++) {
        int slices = one_txn ? 1 : SLICES;
        for (int r = 0; r < run.rounds; r++) {
            for (int slice = 0; slice < slices; slice++) {
                for (int l = 0; l < 3; l++) {
                    for (int k = 0; k < 2; k++) {
                        int app = (k + r + slice + l) % 2;
                        char prefix[16];
                        snprintf(prefix, sizeof prefix, "mint%d", slice);
                        t[one_txn][l][app][r] += mint_calls(db[l][app], !app, "room_codes_store",
                                                            prefix, n[one_txn] / slices, one_txn);
                    }
                }
            }
            for (int l = 0; l < 3; l++) {
                for (int k = 0; k < 2; k++)
                    exec(db[l][k], "DELETE FROM room_codes_store WHERE room_id GLOB 'room-mint*'");
            }
        }
    }
    for (int l = 0; l < 3; l++) {
        for (int k = 0; k < 2; k++) {
            long size = run.quick ? quick_levels[l] : levels[l];
            check(query_int(db[l][k], "SELECT count(*) FROM room_codes_store") == size,
                  "scale: %s holds not %ld codes", name[l][k], size);
            close_db(db[l][k]);
            if (!(l == 2 && k == 0))
                remove_db(name[l][k]);
        }
    }
    static const char *const names[2][2][2] = {
        {{"scale_100k_1", "scale_1m_1"}, {"scale_app_100k_1", "scale_app_1m_1"}},
        {{"scale_100k_5000", "scale_1m_5000"}, {"scale_app_100k_5000", "scale_app_1m_5000"}}};
    for (int one_txn = 0; one_txn < 2; one_txn++) {
        for (int app = 0; app < 2; app++) {
            double per_code[3];
            for (int l = 0; l < 3; l++)
                per_code[l] = median(t[one_txn][l][app], run.rounds) / n[one_txn] * 1000.0;
            for (int l = 1; l < 3; l++) {
                if (app && l == 1)
                    continue; /* the app's trend is shown at the largest size only */
                result *res = add_result(names[one_txn][app][l - 1], "", "us/code");
                snprintf(res->label, sizeof res->label, "%s at %s, %ld/txn (vs %s)",
                         app ? "  app mint" : "mint per code",
                         run.quick ? (l == 1 ? "2k" : "5k") : (l == 1 ? "100k" : "1M"),
                         one_txn ? n[1] : 1L, run.quick ? "1k" : "10k");
                res->ours = per_code[l];
                res->base = per_code[0];
                set_ratio(res, 1.5);
                if (l == 1 || app)
                    res->cmp = 0; /* the target is ours at 1M; the rest shows the trend */
                snprintf(res->note, sizeof res->note, "base: %s",
                         app ? "the app of roomcode_new x, itself" : "itself");
            }
        }
    }
}

/* Lookups of n keys in one read transaction; counts the rows' enabled and text bytes. */
static void lookup_pass(sqlite3 *db, sqlite3_stmt *stmt, char (*keys)[CODE_LEN + 1], long n,
                        long *found, long *bytes) {
    exec(db, "BEGIN");
    for (long i = 0; i < n; i++) {
        sqlite3_bind_text(stmt, 1, keys[i], CODE_LEN, SQLITE_STATIC);
        while (sqlite3_step(stmt) == SQLITE_ROW) {
            *bytes += sqlite3_column_bytes(stmt, 0) + sqlite3_column_bytes(stmt, 1);
            *found += sqlite3_column_int(stmt, 2);
        }
        sqlite3_reset(stmt);
    }
    exec(db, "COMMIT");
}

/*
 * lookup: 100,000 lookups by code through the virtual table against the same lookups
 * on a plain table keyed by code: WITHOUT ROWID with code as its PRIMARY KEY, the
 * store's columns in the store's order, holding a copy of the same 1M rows (so its
 * B-tree is the store's, without the store's second index, which no lookup touches). Both
 * connections get a page cache that holds the whole table and one untimed warm-up pass, so what is
 * compared is the CPU cost of a lookup, not the reading of pages; each pass runs in one read
 * transaction.
 */
static void bench_lookup(void) {
    const long n = run.quick ? 1000 : 100000;
    sqlite3 *ours = open_db("big.db", 0);
    sqlite3 *base = open_db("plain.db", 1);
    sqlite3_int64 size = query_int(ours, "SELECT count(*) FROM room_codes_store");
    char attach[PATH_MAX + 64];
    path_of(attach, sizeof attach, "big.db");
    char *sql = sqlite3_mprintf("ATTACH %Q AS src", attach);
    exec(base, sql);
    sqlite3_free(sql);
    exec(base, "CREATE TABLE plain(code TEXT PRIMARY KEY, room_id TEXT, role TEXT, enabled INTEGER,"
               " user_id TEXT, created_at TEXT, updated_at TEXT) WITHOUT ROWID;"
               " INSERT INTO plain SELECT * FROM src.room_codes_store; DETACH src");
    for (int k = 0; k < 2; k++)
        exec(k ? base : ours, "PRAGMA cache_size = -1000000");
    char(*keys)[CODE_LEN + 1] = malloc((size_t)n * sizeof *keys);
    sqlite3_stmt *pick =
        prepare(ours, "SELECT code FROM room_codes_store ORDER BY random() LIMIT ?1");
    sqlite3_bind_int64(pick, 1, n);
    long got = 0;
    while (got < n && sqlite3_step(pick) == SQLITE_ROW)
        memcpy(keys[got++], sqlite3_column_text(pick, 0), CODE_LEN + 1);
    sqlite3_finalize(pick);
    check(got == n, "lookup: only %ld codes to look up", got);
    sqlite3_stmt *q[2] = {
        prepare(ours, "SELECT room_id, role, enabled FROM room_codes WHERE code = ?1"),
        prepare(base, "SELECT room_id, role, enabled FROM plain WHERE code = ?1")};
    double t[2][MAX_ROUNDS] = {{0}};
    long per_slice = got / SLICES;
    for (int r = -1; r < run.rounds; r++) { /* round -1 warms the caches */
        for (int slice = 0; slice < SLICES * 2; slice++) {
            int is_ours = (slice + r) % 2 == 0;
            sqlite3 *db = is_ours ? ours : base;
            sqlite3_stmt *stmt = q[!is_ours];
            long found = 0, bytes = 0;
            double t0 = cpu_ms();
            lookup_pass(db, stmt, keys + slice / 2 * per_slice, per_slice, &found, &bytes);
            double ms = cpu_ms() - t0;
            if (r >= 0)
                t[!is_ours][r] += ms;
            check(found == per_slice && bytes > 0, "lookup %s: %ld of %ld found",
                  is_ours ? "ours" : "base", found, per_slice);
        }
    }
    check(size == query_int(base, "SELECT count(*) FROM plain"), "lookup: tables differ");
    sqlite3_finalize(q[0]);
    sqlite3_finalize(q[1]);
    free(keys);
    close_db(ours);
    close_db(base);
    remove_db("plain.db");
    result *res = add_result("lookup", "lookup x 100,000 by code, 1M codes", "ms");
    if (run.quick)
        snprintf(res->label, sizeof res->label, "lookup x %ld, %lld codes", n, size);
    res->ours = median(t[0], run.rounds);
    res->base = median(t[1], run.rounds);
    set_ratio(res, 1.5);
    snprintf(res->note, sizeof res->note, "base: WITHOUT ROWID, code PRIMARY KEY");
}

/*
 * The lean C path of the token workload: what a C join endpoint that cares about speed
 * does without the extension. The same lookup (a prepared SELECT of the columns it needs
 * from the same store, one autocommit read per token), the same checks (enabled, bound
 * user), the same claims and escaping, JSON built into a stack buffer and then base64url
 * by a table (libsodium's sodium_bin2base64 is constant-time, and slower), HMAC-SHA256 by
 * libsodium's crypto_auth_hmacsha256, and the jti from random bytes fetched in 4 KiB
 * batches (as the extension's pool does, so that the comparison is of the rest). It takes
 * the code as given: the extension also reads typed and pasted forms.
 */
typedef struct lean_app {
    sqlite3_stmt *lookup;
    unsigned char pool[4096];
    size_t pos;
} lean_app;

static const char lean_hex[] = "0123456789abcdef";

static char *lean_u_escape(char *o, unsigned unit) {
    o[0] = '\\';
    o[1] = 'u';
    for (int i = 0; i < 4; i++)
        o[2 + i] = lean_hex[unit >> (12 - 4 * i) & 15];
    return o + 6;
}

/* A JSON string body, ASCII only: the escaping of roomcode tokens (input is valid UTF-8). */
static char *lean_string(char *o, const unsigned char *s) {
    for (; *s; s++) {
        unsigned c = *s;
        if (c == '"' || c == '\\') {
            *o++ = '\\';
            *o++ = (char)c;
        } else if (c < 0x20 || c == '>' || c == '?' || c == '~' || c == 0x7f) {
            o = lean_u_escape(o, c);
        } else if (c < 0x80) {
            *o++ = (char)c;
        } else {
            int k = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : 1;
            unsigned cp = c & (0x3F >> k);
            for (int i = 0; i < k; i++)
                cp = cp << 6 | (*++s & 0x3F);
            if (cp >= 0x10000) {
                cp -= 0x10000;
                o = lean_u_escape(o, 0xD800 | cp >> 10);
                cp = 0xDC00 | (cp & 0x3FF);
            }
            o = lean_u_escape(o, cp);
        }
    }
    return o;
}

static char *lean_put(char *o, const char *s) {
    size_t n = strlen(s);
    memcpy(o, s, n);
    return o + n;
}

static char *lean_int(char *o, long long v) {
    char d[24];
    int k = 0;
    do {
        d[k++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (k)
        *o++ = d[--k];
    return o;
}

static size_t lean_b64url(char *out, const unsigned char *in, size_t n) {
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char *o = out;
    size_t i = 0;
    for (; i + 3 <= n; i += 3, o += 4) {
        unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 | in[i + 2];
        o[0] = a[v >> 18];
        o[1] = a[v >> 12 & 63];
        o[2] = a[v >> 6 & 63];
        o[3] = a[v & 63];
    }
    if (i < n) {
        unsigned v = (unsigned)in[i] << 16 | (i + 1 < n ? (unsigned)in[i + 1] << 8 : 0);
        *o++ = a[v >> 18];
        *o++ = a[v >> 12 & 63];
        if (i + 1 < n)
            *o++ = a[v >> 6 & 63];
    }
    *o = 0;
    return (size_t)(o - out);
}

/* Writes the token for code into out (2048 bytes); returns its length, 0 when refused. */
static size_t lean_token(lean_app *a, const char *code, const char *user_id, const char *access_key,
                         const unsigned char *secret, size_t secret_len, char *out) {
    sqlite3_bind_text(a->lookup, 1, code, CODE_LEN, SQLITE_STATIC);
    if (sqlite3_step(a->lookup) != SQLITE_ROW) {
        sqlite3_reset(a->lookup);
        return 0;
    }
    const unsigned char *room_id = sqlite3_column_text(a->lookup, 0);
    const unsigned char *role = sqlite3_column_text(a->lookup, 1);
    const char *bound = (const char *)sqlite3_column_text(a->lookup, 3);
    if (sqlite3_column_int(a->lookup, 2) != 1 || (bound && strcmp(bound, user_id) != 0)) {
        sqlite3_reset(a->lookup);
        return 0;
    }
    if (a->pos + 16 > sizeof a->pool) {
        randombytes_buf(a->pool, sizeof a->pool);
        a->pos = 0;
    }
    unsigned char *r = a->pool + a->pos;
    a->pos += 16;
    r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);
    r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
    char jti[37], *j = jti;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *j++ = '-';
        *j++ = lean_hex[r[i] >> 4];
        *j++ = lean_hex[r[i] & 15];
    }
    *j = 0;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    long long iat = (long long)ts.tv_sec - 10;

    char json[1600], *o = json;
    o = lean_put(o, "{\"access_key\":\"");
    o = lean_string(o, (const unsigned char *)access_key);
    o = lean_put(o, "\",\"room_id\":\"");
    o = lean_string(o, room_id);
    o = lean_put(o, "\",\"user_id\":\"");
    o = lean_string(o, (const unsigned char *)user_id);
    o = lean_put(o, "\",\"role\":\"");
    o = lean_string(o, role);
    o = lean_put(o, "\",\"type\":\"app\",\"version\":2,\"iat\":");
    o = lean_int(o, iat);
    o = lean_put(o, ",\"nbf\":");
    o = lean_int(o, iat);
    o = lean_put(o, ",\"exp\":");
    o = lean_int(o, iat + 86400);
    o = lean_put(o, ",\"jti\":\"");
    o = lean_put(o, jti);
    o = lean_put(o, "\"}");
    sqlite3_reset(a->lookup);

    static const char header[] = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.";
    memcpy(out, header, sizeof header - 1);
    size_t n = sizeof header - 1;
    n += lean_b64url(out + n, (const unsigned char *)json, (size_t)(o - json));
    unsigned char mac[32];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, secret, secret_len);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)out, n);
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_memzero(&st, sizeof st);
    out[n++] = '.';
    return n + lean_b64url(out + n, mac, sizeof mac);
}

/*
 * Checks a token: three parts, header and payload standard base64 (no '-' or '_') that
 * decode to ASCII JSON holding room_id and role, and a signature libsodium verifies.
 */
static int token_ok(const char *t, const unsigned char *secret, size_t secret_len,
                    const char *room_id, const char *role) {
    const char *dot1 = t ? strchr(t, '.') : 0, *dot2 = dot1 ? strchr(dot1 + 1, '.') : 0;
    if (!dot2 || strcspn(t, "-_") < (size_t)(dot2 - t))
        return 0;
    unsigned char json[1600], mac[32], want[32];
    size_t n = 0, m = 0;
    if (sodium_base642bin(json, sizeof json - 1, dot1 + 1, (size_t)(dot2 - dot1 - 1), 0, &n, 0,
                          sodium_base64_VARIANT_ORIGINAL_NO_PADDING) != 0 ||
        sodium_base642bin(mac, sizeof mac, dot2 + 1, strlen(dot2 + 1), 0, &m, 0,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        m != 32)
        return 0;
    json[n] = 0;
    char room_claim[300], role_claim[300];
    snprintf(room_claim, sizeof room_claim, "\"room_id\":\"%s\"", room_id);
    snprintf(role_claim, sizeof role_claim, "\"role\":\"%s\"", role);
    for (size_t i = 0; i < n; i++) {
        if (json[i] < 0x20 || json[i] > 0x7e)
            return 0;
    }
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, secret, secret_len);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)t, (size_t)(dot2 - t));
    crypto_auth_hmacsha256_final(&st, want);
    return strstr((const char *)json, room_claim) && strstr((const char *)json, role_claim) &&
           memcmp(mac, want, 32) == 0;
}

/*
 * token: roomcode_token(code, user_id, access_key, app_secret) on the 1M-code table, one
 * autocommit statement per token as a join endpoint runs it, against the lean C path
 * above on the same connection and store. Random codes, a page cache holding the table
 * and an untimed warm-up pass, as for the lookups.
 */
static void bench_token(void) {
    const long size = run.quick ? 5000 : 1000000;
    const long n = run.quick ? 500 : 100000;
    static const char secret[] = "app-secret-0123456789abcdef0123456789";
    static const char access_key[] = "65f2d0c1a9b8e7f6a5b4c3d2";
    static const char user_id[] = "user-1";
    sqlite3 *db = open_db("big.db", 0); /* the table scale grew, or a new one */
    exec(db, "CREATE VIRTUAL TABLE IF NOT EXISTS room_codes USING roomcode");
    grow(db, "room_codes_store", size);
    exec(db, "PRAGMA cache_size = -1000000");
    char(*keys)[CODE_LEN + 1] = malloc((size_t)n * sizeof *keys);
    sqlite3_stmt *pick =
        prepare(db, "SELECT code FROM room_codes_store ORDER BY random() LIMIT ?1");
    sqlite3_bind_int64(pick, 1, n);
    long got = 0;
    while (got < n && sqlite3_step(pick) == SQLITE_ROW)
        memcpy(keys[got++], sqlite3_column_text(pick, 0), CODE_LEN + 1);
    sqlite3_finalize(pick);
    check(got == n, "token: only %ld codes", got);

    sqlite3_stmt *ours = prepare(db, "SELECT roomcode_token(?1, ?2, ?3, ?4)");
    sqlite3_bind_text(ours, 2, user_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(ours, 3, access_key, -1, SQLITE_STATIC);
    sqlite3_bind_text(ours, 4, secret, -1, SQLITE_STATIC);
    lean_app *app = calloc(1, sizeof *app);
    app->pos = sizeof app->pool;
    app->lookup = prepare(db, "SELECT room_id, role, enabled, user_id FROM room_codes_store"
                              " WHERE code = ?1");
    sqlite3_stmt *row = prepare(db, "SELECT room_id, role FROM room_codes_store WHERE code = ?1");
    const unsigned char *key = (const unsigned char *)secret;
    size_t key_len = sizeof secret - 1;
    char lean_out[2048];

    double t[2][MAX_ROUNDS] = {{0}};
    long per_slice = n / SLICES, bad[2] = {0, 0}, made[2] = {0, 0}, same_len = 0, checked = 0;
    for (int r = -1; r < run.rounds; r++) { /* round -1 warms the caches */
        for (int slice = 0; slice < SLICES * 2; slice++) {
            int is_ours = (slice + r) % 2 == 0;
            char(*k)[CODE_LEN + 1] = keys + slice / 2 * per_slice;
            double t0 = cpu_ms();
            for (long i = 0; i < per_slice; i++) {
                if (is_ours) {
                    sqlite3_bind_text(ours, 1, k[i], CODE_LEN, SQLITE_STATIC);
                    made[0] +=
                        sqlite3_step(ours) == SQLITE_ROW && sqlite3_column_bytes(ours, 0) > 0;
                    sqlite3_reset(ours);
                } else {
                    made[1] +=
                        lean_token(app, k[i], user_id, access_key, key, key_len, lean_out) > 0;
                }
            }
            double ms = cpu_ms() - t0;
            if (r >= 0)
                t[!is_ours][r] += ms;
        }
    }
    /* Untimed: every token of the quick run, every 100th of a full one, is checked. */
    for (long i = 0; i < n; i += run.quick ? 1 : 100) {
        sqlite3_bind_text(row, 1, keys[i], CODE_LEN, SQLITE_STATIC);
        sqlite3_bind_text(ours, 1, keys[i], CODE_LEN, SQLITE_STATIC);
        if (sqlite3_step(row) != SQLITE_ROW || sqlite3_step(ours) != SQLITE_ROW)
            die("token check: %s", sqlite3_errmsg(db));
        const char *room_id = (const char *)sqlite3_column_text(row, 0);
        const char *role = (const char *)sqlite3_column_text(row, 1);
        const char *tok = (const char *)sqlite3_column_text(ours, 0);
        size_t lean_len = lean_token(app, keys[i], user_id, access_key, key, key_len, lean_out);
        bad[0] += !token_ok(tok, key, key_len, room_id, role);
        bad[1] += !token_ok(lean_out, key, key_len, room_id, role);
        same_len += lean_len == strlen(tok); /* the same claims, so the same length */
        checked++;
        sqlite3_reset(row);
        sqlite3_reset(ours);
    }
    sqlite3_finalize(row);
    sqlite3_finalize(ours);
    sqlite3_finalize(app->lookup);
    free(app);
    free(keys);
    close_db(db);
    long want = per_slice * SLICES * (run.rounds + 1);
    check(made[0] == want && made[1] == want, "token: %ld and %ld tokens made, not %ld", made[0],
          made[1], want);
    check(bad[0] == 0, "token: %ld of %ld roomcode_token results fail the checks", bad[0], checked);
    check(bad[1] == 0, "token: %ld of %ld lean tokens fail the checks", bad[1], checked);
    check(same_len == checked, "token: %ld of %ld lengths differ from the lean path's",
          checked - same_len, checked);
    result *res = add_result("token", "", "us/token");
    snprintf(res->label, sizeof res->label, "token x %ld, %s codes", n, run.quick ? "5k" : "1M");
    double tokens = (double)per_slice * SLICES;
    res->ours = median(t[0], run.rounds) / tokens * 1000.0;
    res->base = median(t[1], run.rounds) / tokens * 1000.0;
    set_ratio(res, 1.15);
    snprintf(res->note, sizeof res->note, "base: lean C path (%.0f/s vs %.0f/s)", 1e6 / res->ours,
             1e6 / res->base);
}

#include "bench_platforms.c"

static void print_results(void) {
    printf("\n%-42s %14s %14s %8s %9s  %-3s  %s\n", "workload", "ours", "baseline", "ratio",
           "target", "ok", "note");
    for (int i = 0; i < n_results; i++) {
        const result *r = &results[i];
        char ours[32], base[32], ratio[32], target[32];
        snprintf(ours, sizeof ours, "%.1f %s", r->ours, r->unit);
        snprintf(base, sizeof base, r->base >= 0 ? "%.1f %s" : "-", r->base, r->unit);
        snprintf(ratio, sizeof ratio, "%.2f", r->ratio);
        snprintf(target, sizeof target, r->cmp ? "%s %.2f" : "-", r->cmp, r->target);
        printf("%-42s %14s %14s %8s %9s  %-3s  %s\n", r->label, ours, base, ratio, target,
               r->cmp ? (result_ok(r) ? "yes" : "NO") : "", r->note);
    }
    printf("\n");
    for (int i = 0; i < n_results; i++) {
        const result *r = &results[i];
        if (strcmp(r->unit, "MiB") == 0)
            printf("BENCH name=%s ours_mib=%.1f base_mib=%.1f ratio=%.2f\n", r->name, r->ours,
                   r->base, r->ratio);
        else if (!r->cmp)
            printf("BENCH name=%s ours_%s=%.3f base_%s=%.3f ratio=%.3f target=- ok=-\n", r->name,
                   strcmp(r->unit, "ms") == 0 ? "ms" : "us", r->ours,
                   strcmp(r->unit, "ms") == 0 ? "ms" : "us", r->base, r->ratio);
        else
            printf("BENCH name=%s ours_%s=%.3f base_%s=%.3f ratio=%.3f target=%s%.2f ok=%s\n",
                   r->name, strcmp(r->unit, "ms") == 0 ? "ms" : "us", r->ours,
                   strcmp(r->unit, "ms") == 0 ? "ms" : "us", r->base, r->ratio, r->cmp, r->target,
                   result_ok(r) ? "yes" : "no");
    }
}

static void cleanup_dir(void) {
    if (run.dir[0])
        rmdir(run.dir);
}

int main(int argc, char **argv) {
    run.rounds = 5;
    run.ext = "build/roomcode";
    run.sql_dir = "sql";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0)
            run.quick = 1;
        else if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc)
            run.rounds = atoi(argv[++i]);
        else if (strcmp(argv[i], "--ext") == 0 && i + 1 < argc)
            run.ext = argv[++i];
        else if (strcmp(argv[i], "--sql") == 0 && i + 1 < argc)
            run.sql_dir = argv[++i];
        else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
            run.only = argv[++i];
        else
            die("usage: bench [--quick] [--rounds N] [--ext build/roomcode] [--sql sql]"
                " [--only store|draw|new|scale|lookup|token|platforms]");
    }
    if (run.quick)
        run.rounds = 1;
    if (run.rounds < 1 || run.rounds > MAX_ROUNDS)
        die("--rounds takes 1 to %d", MAX_ROUNDS);
    if (sodium_init() < 0)
        die("libsodium failed to initialize");
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/store_table.sql", run.sql_dir);
    run.store_table_sql = read_text(path);
    snprintf(path, sizeof path, "%s/store_triggers.sql", run.sql_dir);
    run.store_triggers_sql = read_text(path);
    const char *tmp = getenv("TMPDIR");
    snprintf(run.dir, sizeof run.dir, "%s/roomcode-bench-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(run.dir))
        die("cannot make a temp dir in %s", tmp && *tmp ? tmp : "/tmp");
    atexit(cleanup_dir);
    if (!run.quick)
        printf("roomcode bench: SQLite %s, libsodium %s, file databases in %s"
               " (WAL, synchronous=OFF),\n%d rounds, medians of CPU time\n",
               sqlite3_libversion(), sodium_version_string(), run.dir, run.rounds);
    fflush(stdout);
    /* The store rounds fork: run them while this process holds no database. */
    static const struct {
        const char *name;
        void (*fn)(void);
    } workloads[] = {
        {"store", bench_store},        {"draw", bench_draw},     {"new", bench_new},
        {"scale", bench_scale},        {"lookup", bench_lookup}, {"token", bench_token},
        {"platforms", bench_platforms}};
    for (size_t i = 0; i < sizeof workloads / sizeof workloads[0]; i++) {
        /* lookup runs on the table that scale grows */
        int wanted = !run.only || strcmp(run.only, workloads[i].name) == 0 ||
                     (strcmp(run.only, "lookup") == 0 && strcmp(workloads[i].name, "scale") == 0);
        if (!wanted)
            continue;
        double t0 = wall_ms();
        workloads[i].fn();
        if (!run.quick)
            printf("  %-7s done in %5.1f s\n", workloads[i].name, (wall_ms() - t0) / 1000);
        fflush(stdout);
    }
    remove_db("big.db"); /* grown by scale or token, read by lookup and token */
    if (run.quick) {
        printf("bench-smoke: %d passed, %d failed\n", run.passed, run.failed);
    } else {
        print_results();
        if (run.failed)
            printf("bench: %d result checks failed\n", run.failed);
    }
    return run.failed ? 1 : 0;
}
