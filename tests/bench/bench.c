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
 * the 1M-code database for the lookups.
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
    remove_db("big.db");
    result *res = add_result("lookup", "lookup x 100,000 by code, 1M codes", "ms");
    if (run.quick)
        snprintf(res->label, sizeof res->label, "lookup x %ld, %lld codes", n, size);
    res->ours = median(t[0], run.rounds);
    res->base = median(t[1], run.rounds);
    set_ratio(res, 1.5);
    snprintf(res->note, sizeof res->note, "base: WITHOUT ROWID, code PRIMARY KEY");
}

/* tokens: roomcode_token calls per second, when the build has the function. */
static void bench_token(void) {
    const long n = run.quick ? 100 : 20000;
    sqlite3 *db = open_db("token.db", 1);
    if (query_int(db, "SELECT count(*) FROM pragma_function_list WHERE name = 'roomcode_token'") ==
        0) {
        printf("roomcode_token: not in this build, skipped\n");
        close_db(db);
        remove_db("token.db");
        return;
    }
    exec(db, "CREATE VIRTUAL TABLE room_codes USING roomcode");
    sqlite3_stmt *mint = prepare(db, "SELECT roomcode_new('room-token', 'host')");
    if (sqlite3_step(mint) != SQLITE_ROW)
        die("roomcode_new: %s", sqlite3_errmsg(db));
    char code[CODE_LEN + 1];
    memcpy(code, sqlite3_column_text(mint, 0), CODE_LEN + 1);
    sqlite3_finalize(mint);
    sqlite3_stmt *tok = prepare(db, "SELECT roomcode_token(?1, 'user-1', 'access-key-0123',"
                                    " 'app-secret-0123456789abcdef0123456789')");
    sqlite3_bind_text(tok, 1, code, CODE_LEN, SQLITE_STATIC);
    double t[MAX_ROUNDS];
    long bad = 0;
    for (int r = 0; r < run.rounds; r++) {
        double t0 = cpu_ms();
        for (long i = 0; i < n; i++) {
            if (sqlite3_step(tok) != SQLITE_ROW)
                die("roomcode_token: %s", sqlite3_errmsg(db));
            const char *jwt = (const char *)sqlite3_column_text(tok, 0);
            const char *dot = jwt ? strchr(jwt, '.') : 0;
            bad += !(dot && strchr(dot + 1, '.'));
            sqlite3_reset(tok);
        }
        t[r] = n / ((cpu_ms() - t0) / 1000.0);
    }
    sqlite3_finalize(tok);
    close_db(db);
    remove_db("token.db");
    check(bad == 0, "token: %ld results are not a JWT", bad);
    result *res = add_result("token", "roomcode_token calls", "/s");
    res->ours = median(t, run.rounds);
    res->ratio = res->ours;
    res->cmp = ">=";
    res->target = 100000;
    snprintf(res->note, sizeof res->note, "%ld calls a round", n);
}

static void print_results(void) {
    printf("\n%-42s %14s %14s %8s %9s  %-3s  %s\n", "workload", "ours", "baseline", "ratio",
           "target", "ok", "note");
    for (int i = 0; i < n_results; i++) {
        const result *r = &results[i];
        char ours[32], base[32], ratio[32], target[32];
        snprintf(ours, sizeof ours, "%.1f %s", r->ours, r->unit);
        snprintf(base, sizeof base, r->base >= 0 ? "%.1f %s" : "-", r->base, r->unit);
        if (strcmp(r->name, "token") == 0) {
            snprintf(ours, sizeof ours, "%.0f/s", r->ours);
            snprintf(ratio, sizeof ratio, "-");
            snprintf(target, sizeof target, ">=%.0f/s", r->target);
        } else {
            snprintf(ratio, sizeof ratio, "%.2f", r->ratio);
            snprintf(target, sizeof target, r->cmp ? "%s %.2f" : "-", r->cmp, r->target);
        }
        printf("%-42s %14s %14s %8s %9s  %-3s  %s\n", r->label, ours, base, ratio, target,
               r->cmp ? (result_ok(r) ? "yes" : "NO") : "", r->note);
    }
    printf("\n");
    for (int i = 0; i < n_results; i++) {
        const result *r = &results[i];
        if (strcmp(r->unit, "MiB") == 0)
            printf("BENCH name=%s ours_mib=%.1f base_mib=%.1f ratio=%.2f\n", r->name, r->ours,
                   r->base, r->ratio);
        else if (strcmp(r->name, "token") == 0)
            printf("BENCH name=token per_s=%.0f target=%s%.0f ok=%s\n", r->ours, r->cmp, r->target,
                   result_ok(r) ? "yes" : "no");
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
                " [--only store|draw|new|scale|lookup|token]");
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
    } workloads[] = {{"store", bench_store}, {"draw", bench_draw},     {"new", bench_new},
                     {"scale", bench_scale}, {"lookup", bench_lookup}, {"token", bench_token}};
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
    if (run.quick) {
        printf("bench-smoke: %d passed, %d failed\n", run.passed, run.failed);
    } else {
        print_results();
        if (run.failed)
            printf("bench: %d result checks failed\n", run.failed);
    }
    return run.failed ? 1 : 0;
}
