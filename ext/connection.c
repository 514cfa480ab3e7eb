/*
 * Per-connection state (connection.h). A connection is used by one thread at a time, so
 * its letter pool and table list need no lock; the process's list of states, which
 * connections on several threads share, has one.
 */
#include "connection.h"

#include <pthread.h>
#include <sodium.h>
#include <string.h>

static pthread_mutex_t states_lock = PTHREAD_MUTEX_INITIALIZER;
static roomcode_conn *states; /* every live state, by db */

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

roomcode_conn *roomcode_conn_for(sqlite3 *db) {
    pthread_mutex_lock(&states_lock);
    roomcode_conn *conn = states;
    while (conn && conn->db != db)
        conn = conn->next;
    if (conn) {
        conn->refs++;
    } else if ((conn = sqlite3_malloc64(sizeof(*conn))) != 0) {
        memset(conn, 0, sizeof(*conn));
        conn->db = db;
        conn->refs = 1;
        roomcode_pool_init(&conn->pool, fill_pool);
        conn->next = states;
        states = conn;
    }
    pthread_mutex_unlock(&states_lock);
    return conn;
}

roomcode_conn *roomcode_conn_ref(roomcode_conn *conn) {
    conn->refs++;
    return conn;
}

void roomcode_conn_unref(void *p) {
    roomcode_conn *conn = p;
    if (--conn->refs > 0)
        return;
    pthread_mutex_lock(&states_lock);
    roomcode_conn **at = &states;
    while (*at != conn)
        at = &(*at)->next;
    *at = conn->next;
    pthread_mutex_unlock(&states_lock);
    roomcode_pool_wipe(&conn->pool);
    sqlite3_free(conn);
}

/* A module's destructor: once fewer than ROOMCODE_N_MODULES are left, the functions that
 * need the table refuse (roomcode_conn_has_modules), and the module's reference goes. */
static void module_gone(void *p) {
    roomcode_conn *conn = p;
    conn->modules--;
    roomcode_conn_unref(conn);
}

int roomcode_conn_register_module(sqlite3 *db, const char *name, const sqlite3_module *module,
                                  roomcode_conn *conn) {
    conn->modules++;
    roomcode_conn_ref(conn);
    /* SQLite calls the destructor also when registering fails. */
    return sqlite3_create_module_v2(db, name, module, conn, module_gone);
}

int roomcode_conn_register_functions(sqlite3 *db, roomcode_conn *conn,
                                     const roomcode_function *functions) {
    for (const roomcode_function *f = functions; f->name; f++) {
        for (int n_arg = f->min_arg; n_arg <= f->max_arg; n_arg++) {
            int rc =
                sqlite3_create_function_v2(db, f->name, n_arg, f->flags, roomcode_conn_ref(conn),
                                           f->fn, 0, 0, roomcode_conn_unref);
            if (rc != SQLITE_OK)
                return rc;
        }
    }
    return SQLITE_OK;
}

int roomcode_conn_has_modules(const roomcode_conn *conn) {
    return conn->modules >= ROOMCODE_N_MODULES;
}

void roomcode_conn_enter(roomcode_conn *conn, roomcode_table_link *table) {
    table->next = conn->tables;
    conn->tables = table;
}

void roomcode_conn_leave(roomcode_conn *conn, roomcode_table_link *table) {
    for (roomcode_table_link **at = &conn->tables; *at; at = &(*at)->next) {
        if (*at == table) {
            *at = table->next;
            break;
        }
    }
    if (conn->resolved == table)
        conn->resolved = 0;
}

void roomcode_conn_draw(roomcode_conn *conn, char out[ROOMCODE_LEN + 1]) {
    roomcode_pool_draw_code(&conn->pool, out);
}
