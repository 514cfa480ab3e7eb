/*
 * What the entry point (roomcode.c) registers on a connection: the room_codes module, the
 * roomcode_create module, the scalar functions and those that serve other platforms. Each takes its
 * own reference to conn. Only roomcode.c calls these; each is defined beside what it registers.
 */
#ifndef ROOMCODE_REGISTRATION_H
#define ROOMCODE_REGISTRATION_H

#include "connection.h"

int roomcode_register_table(sqlite3 *db, roomcode_conn *conn);
int roomcode_register_create(sqlite3 *db, roomcode_conn *conn);
int roomcode_register_functions(sqlite3 *db, roomcode_conn *conn);
/* roomcode_check and roomcode_resolve (verdict_sql.c); the LiveKit and Jitsi tokens
 * (platform_token_sql.c). */
int roomcode_register_verdict(sqlite3 *db, roomcode_conn *conn);
int roomcode_register_platform_tokens(sqlite3 *db, roomcode_conn *conn);

#endif
