/*
 * The SQL functions defined beside the code they serve, which scalar_sql.c lists for the
 * entry point to register:
 * token_sql.c, link_sql.c, rotate_sql.c and rest_json_sql.c. Each takes the connection state
 * (connection.h) as its user data.
 */
#ifndef ROOMCODE_SQL_FUNCTIONS_H
#define ROOMCODE_SQL_FUNCTIONS_H

#include <sqlite3ext.h>
#ifndef SQLITE_CORE
SQLITE_EXTENSION_INIT3
#endif

void roomcode_fn_token(sqlite3_context *ctx, int argc, sqlite3_value **argv);
void roomcode_fn_link(sqlite3_context *ctx, int argc, sqlite3_value **argv);
void roomcode_fn_rotate(sqlite3_context *ctx, int argc, sqlite3_value **argv);
void roomcode_fn_json(sqlite3_context *ctx, int argc, sqlite3_value **argv);
void roomcode_fn_room_json(sqlite3_context *ctx, int argc, sqlite3_value **argv);

#endif
