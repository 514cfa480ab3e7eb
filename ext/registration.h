/*
 * What the entry point (roomcode.c) registers on a connection: the room_codes module, the
 * roomcode_create module and the scalar functions. Each takes its own reference to conn.
 * Only roomcode.c calls these; each is defined beside what it registers.
 */
#ifndef ROOMCODE_REGISTRATION_H
#define ROOMCODE_REGISTRATION_H

#include "connection.h"

int roomcode_register_table(sqlite3 *db, roomcode_conn *conn);
int roomcode_register_create(sqlite3 *db, roomcode_conn *conn);
int roomcode_register_functions(sqlite3 *db, roomcode_conn *conn);

#endif
