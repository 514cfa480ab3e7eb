/*
 * The state of one database connection: its letter pool, the room_codes tables connected
 * on it, and which of them an unqualified "room_codes" resolved to last. One state serves
 * every load of the extension on a connection, so loading twice shares it.
 *
 * Every holder keeps a reference: each module and each function registered with it, and
 * each table object. So it outlives whatever can still reach it, in any order SQLite frees
 * them (a reload, sqlite3_drop_modules, close). It holds no statement and no reference to a
 * table: a table enters its list when it connects and leaves when it disconnects, which
 * also clears the resolved table when it was that one.
 */
#ifndef ROOMCODE_CONNECTION_H
#define ROOMCODE_CONNECTION_H

#include <sqlite3ext.h>
#ifndef SQLITE_CORE
SQLITE_EXTENSION_INIT3
#endif

#include "code_format.h"
#include "letter_pool.h"

/* The modules the extension registers: the room_codes table and roomcode_create. */
#define ROOMCODE_N_MODULES 2

/* A table's place in its connection's list (the table embeds it; table_resolution.c reads
 * the table around it). */
typedef struct roomcode_table_link {
    struct roomcode_table_link *next;
} roomcode_table_link;

typedef struct roomcode_conn {
    sqlite3 *db;
    int refs;
    roomcode_letter_pool pool;
    roomcode_table_link *tables;    /* the connected tables */
    roomcode_table_link *resolved;  /* one of those, or NULL (table_resolution.c) */
    unsigned resolved_name_version; /* the table's name when it was resolved */
    int resolved_sentinel;          /* re-prepares of the table's sentinel then */
    int modules;                    /* of ours registered on db and not yet let go */
    struct roomcode_conn *next;     /* the process's states, one per connection */
} roomcode_conn;

/* The state of db, holding one more reference (the caller's): the one an earlier load made,
 * or a new one; NULL when out of memory. */
roomcode_conn *roomcode_conn_for(sqlite3 *db);

/* Takes one more reference to conn, and returns it. */
roomcode_conn *roomcode_conn_ref(roomcode_conn *conn);

/* Drops a reference (also a function's destructor); the last frees the state. */
void roomcode_conn_unref(void *conn);

/* Registers module name with conn as its data; the module holds a reference to conn and
 * counts among the connection's modules until SQLite lets go of it (a reload replacing it,
 * sqlite3_drop_modules, close). */
int roomcode_conn_register_module(sqlite3 *db, const char *name, const sqlite3_module *module,
                                  roomcode_conn *conn);

/* One SQL function to register: its name, the fewest and most arguments it takes (one
 * registration for each count), flags and implementation. A list of them ends with {0}. */
typedef struct roomcode_function {
    const char *name;
    int min_arg, max_arg;
    int flags;
    void (*fn)(sqlite3_context *, int, sqlite3_value **);
} roomcode_function;

/* Registers the functions of a list ended by {0} with conn as their data, each holding a
 * reference to conn (SQLite calls the destructor also when registering fails); stops at
 * the first failure. */
int roomcode_conn_register_functions(sqlite3 *db, roomcode_conn *conn,
                                     const roomcode_function *functions);

/* Are all of the extension's modules registered on the connection? */
int roomcode_conn_has_modules(const roomcode_conn *conn);

/* A table connected (enter) or disconnected (leave). */
void roomcode_conn_enter(roomcode_conn *conn, roomcode_table_link *table);
void roomcode_conn_leave(roomcode_conn *conn, roomcode_table_link *table);

/* Draws a fresh random code into out. */
void roomcode_conn_draw(roomcode_conn *conn, char out[ROOMCODE_LEN + 1]);

#endif
