/*
 * Per-connection state and statement slots. A connection is used by one thread at a time,
 * so its letter pool and statements need no lock.
 */
#include <sodium.h>
#include <string.h>

#include "room_codes_table.h"

/*
 * Refills the letter pool: libsodium's randombytes_buf asks the kernel for at most 256
 * bytes per getrandom call, so a 4 KiB refill took 16 system calls. A 32-byte seed from
 * randombytes_buf (one call) keys libsodium's randombytes_buf_deterministic (ChaCha20),
 * which expands it to the whole batch; the seed is wiped at once.
 */
static void fill_pool(void *buf, size_t n) {
    unsigned char seed[randombytes_SEEDBYTES];
    randombytes_buf(seed, sizeof seed);
    randombytes_buf_deterministic(buf, n, seed);
    sodium_memzero(seed, sizeof seed);
}

roomcode_conn *roomcode_conn_new(sqlite3 *db) {
    roomcode_conn *conn = sqlite3_malloc64(sizeof(*conn));
    if (!conn)
        return 0;
    memset(conn, 0, sizeof(*conn));
    conn->db = db;
    conn->refs = 1;
    roomcode_pool_init(&conn->pool, fill_pool);
    return conn;
}

void roomcode_conn_ref(roomcode_conn *conn) { conn->refs++; }

void roomcode_conn_unref(void *p) {
    roomcode_conn *conn = p;
    if (--conn->refs > 0)
        return;
    /* The cached table holds a reference to another state (this one would still be
     * referenced by it), which a reload of the extension leaves behind. */
    room_codes_forget(conn);
    roomcode_pool_wipe(&conn->pool);
    sqlite3_free(conn);
}

void roomcode_conn_module_gone(void *p) {
    roomcode_conn *conn = p;
    conn->modules_dropped = 1;
    roomcode_conn_unref(conn);
}

void roomcode_conn_draw(roomcode_conn *conn, char out[ROOMCODE_LEN + 1]) {
    roomcode_pool_draw_code(&conn->pool, out);
}
