/*
 * What the entry point (roomcode.c) registers on a connection: the room_codes module, the
 * roomcode_create module, the scalar functions and those that serve other platforms. Every
 * registration takes its own reference to conn. Only roomcode.c uses these; each is defined beside
 * what it registers.
 */
#ifndef ROOMCODE_REGISTRATION_H
#define ROOMCODE_REGISTRATION_H

#include "connection.h"

/*
 * The cursor methods of a module whose cursor functions are named after one prefix
 * (<p>_open, <p>_close, <p>_filter, <p>_next, <p>_eof, <p>_column, <p>_rowid), as both
 * modules' are: a designated-initializer list for its sqlite3_module.
 */
#define ROOMCODE_CURSOR_METHODS(p)                                                                 \
    .xOpen = p##_open, .xClose = p##_close, .xFilter = p##_filter, .xNext = p##_next,              \
    .xEof = p##_eof, .xColumn = p##_column, .xRowid = p##_rowid

int roomcode_register_table(sqlite3 *db, roomcode_conn *conn);
int roomcode_register_create(sqlite3 *db, roomcode_conn *conn);

/* The SQL functions, in lists ended by {0}: the scalar ones (scalar_sql.c), roomcode_check
 * and roomcode_resolve (verdict_sql.c), the LiveKit and Jitsi tokens (platform_token_sql.c). */
extern const roomcode_function roomcode_scalar_functions[];
extern const roomcode_function roomcode_verdict_functions[];
extern const roomcode_function roomcode_platform_token_functions[];

#endif
