/*
 * roomcode's public interface, for C programs that link the extension in (libroomcode.a,
 * built with SQLITE_CORE) instead of loading build/roomcode.so: register the entry point
 * before opening connections, e.g.
 *     sqlite3_auto_extension((void (*)(void))sqlite3_roomcode_init);
 * or call it on one open connection with a NULL api.
 */
#ifndef ROOMCODE_H
#define ROOMCODE_H

#include <sqlite3.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Registers the room_codes module, roomcode_create and the roomcode_* functions on db;
 * on failure returns an SQLite code and sets *err (sqlite3_malloc'd). */
int sqlite3_roomcode_init(sqlite3 *db, char **err, const sqlite3_api_routines *api);

#ifdef __cplusplus
}
#endif

#endif
