/*
 * Entry point of the roomcode extension: checks libsodium and registers the room_codes
 * module, the roomcode_create table-valued function and the scalar functions on one
 * connection. sqlite3_roomcode_init is the name SQLite derives from "roomcode.so".
 */
#include <sodium.h>

#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT1

#include "connection.h"
#include "registration.h"
#include "roomcode.h"

/* The oldest SQLite the extension runs on (and is tested with); older ones are refused at
 * load time, since the storage DDL relies on built-in JSON and the table on
 * sqlite3_vtab_collation, sqlite3_db_name and SQLITE_VTAB_INNOCUOUS. */
#define ROOMCODE_MIN_SQLITE 3040000
#define ROOMCODE_MIN_SQLITE_TEXT "3.40.0"

#ifdef _WIN32
__declspec(dllexport)
#else
__attribute__((visibility("default")))
#endif
    int sqlite3_roomcode_init(sqlite3 *db, char **err, const sqlite3_api_routines *api) {
    SQLITE_EXTENSION_INIT2(api);
    if (sqlite3_libversion_number() < ROOMCODE_MIN_SQLITE) {
        *err = sqlite3_mprintf("roomcode: needs SQLite %s or later, this is %s",
                               ROOMCODE_MIN_SQLITE_TEXT, sqlite3_libversion());
        return SQLITE_ERROR;
    }
    if (sodium_init() < 0) {
        *err = sqlite3_mprintf("roomcode: libsodium failed to initialize");
        return SQLITE_ERROR;
    }
    roomcode_conn *conn = roomcode_conn_for(db);
    if (!conn)
        return SQLITE_NOMEM;
    /* Each registration takes its own reference; loading again replaces them and shares
     * the state of the first load (connection.h). */
    int rc = roomcode_register_table(db, conn);
    if (rc == SQLITE_OK)
        rc = roomcode_register_create(db, conn);
    const roomcode_function *const lists[] = {roomcode_scalar_functions, roomcode_verdict_functions,
                                              roomcode_platform_token_functions};
    for (size_t i = 0; rc == SQLITE_OK && i < sizeof lists / sizeof lists[0]; i++)
        rc = roomcode_conn_register_functions(db, conn, lists[i]);
    roomcode_conn_unref(conn);
    if (rc != SQLITE_OK)
        *err =
            sqlite3_mprintf("roomcode: registering the extension failed: %s", sqlite3_errstr(rc));
    return rc;
}
