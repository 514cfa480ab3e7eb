/*
 * Several writes to a room_codes table's store that happen all or not at all: the one way
 * roomcode_rotate, roomcode_create and any later call that writes more than one row make
 * their writes atomic (ext/atomic_writes.c).
 */
#ifndef ROOMCODE_ATOMIC_WRITES_H
#define ROOMCODE_ATOMIC_WRITES_H

#include "room_codes_table.h"

/* The writes: SQLITE_OK, or an error with *msg (sqlite3_malloc'd) or with the message
 * already set where they report it. */
typedef int (*roomcode_writes)(roomcode_table *t, void *arg, char **msg);

/* Undoes by hand what writes did (inside a statement that itself writes); SQLITE_OK when
 * nothing is left of it. */
typedef int (*roomcode_undo)(roomcode_table *t, void *arg);

/*
 * Runs writes(t, arg, msg) so that it takes effect whole or not at all: in autocommit as a
 * transaction of its own begun IMMEDIATE, inside the caller's transaction as a savepoint,
 * inside a statement that itself writes (where SQLite refuses both) undone by hand with
 * undo on failure. Every statement it needs to end the writes is prepared before they
 * begin. Returns SQLITE_OK once the writes are committed or released, and nothing that
 * can fail runs after that; on failure, what writes did is gone and *msg says why (see
 * atomic_writes.c for what "gone" means when the connection was interrupted).
 */
int roomcode_atomic_writes(roomcode_table *t, roomcode_writes writes, roomcode_undo undo, void *arg,
                           char **msg);

/* Finalizes the statements t keeps for atomic writes (at disconnect). */
void roomcode_atomic_clear(roomcode_table *t);

#endif
