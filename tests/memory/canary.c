/*
 * A deliberately broken SQLite extension, loaded by `make test-asan` and
 * `make test-valgrind` to prove that their tools see into an extension the sqlite3 shell
 * loads: canary_leak() leaks an sqlite3_malloc'd block, canary_overflow() writes one byte
 * past one. A run of the real suites that reports nothing means something only if these
 * are reported.
 */
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT1

#include <string.h>

static void *volatile last_block;

static void canary_leak(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
    (void)argc;
    (void)argv;
    char *p = sqlite3_malloc(40);
    if (p)
        memset(p, 'x', 40);
    last_block = p;
    last_block = 0; /* the only pointer to it is gone */
    sqlite3_result_int(ctx, p != 0);
}

static void canary_overflow(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
    (void)argc;
    (void)argv;
    volatile int n = 64;
    char *p = sqlite3_malloc(n);
    if (p) {
        memset(p, 'x', (size_t)n);
        p[n] = 0; /* one byte past the block */
    }
    sqlite3_free(p);
    sqlite3_result_int(ctx, 1);
}

#ifdef _WIN32
__declspec(dllexport)
#endif
    int sqlite3_canary_init(sqlite3 *db, char **err, const sqlite3_api_routines *api) {
    (void)err;
    SQLITE_EXTENSION_INIT2(api);
    int rc = sqlite3_create_function(db, "canary_leak", 0, SQLITE_UTF8, 0, canary_leak, 0, 0);
    if (rc == SQLITE_OK)
        rc = sqlite3_create_function(db, "canary_overflow", 0, SQLITE_UTF8, 0, canary_overflow, 0,
                                     0);
    return rc;
}
