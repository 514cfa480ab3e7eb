/*
 * Entry point of the roomcode extension: checks libsodium and registers the room_codes
 * module, the roomcode_create table-valued function and the scalar functions on one
 * connection. sqlite3_roomcode_init is the name SQLite derives from "roomcode.so".
 */
#include <sodium.h>

#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT1

#include "platforms.h"
#include "roomcode_internal.h"

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
    roomcode_conn *conn = roomcode_conn_new(db);
    if (!conn)
        return SQLITE_NOMEM;
    /* Each registration takes its own reference; loading again replaces them, and the
     * state of the first load lives on only as long as something still holds it. */
    int rc = roomcode_register_table(db, conn);
    if (rc == SQLITE_OK)
        rc = roomcode_register_create(db, conn);
    if (rc == SQLITE_OK)
        rc = roomcode_register_functions(db, conn);
    if (rc == SQLITE_OK)
        rc = roomcode_register_verdict(db, conn);
    if (rc == SQLITE_OK)
        rc = roomcode_register_platform_tokens(db, conn);
    roomcode_conn_unref(conn);
    if (rc != SQLITE_OK)
        *err =
            sqlite3_mprintf("roomcode: registering the extension failed: %s", sqlite3_errstr(rc));
    return rc;
}
