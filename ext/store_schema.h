/*
 * The life of a room_codes table's storage: the plain table "<name>_store" with its
 * triggers and index, made from sql/, adopted, renamed and dropped (its
 * indexes, and their upgrade: store_indexes.h). Needs only
 * SQLite and the storage SQL.
 */
#ifndef ROOMCODE_STORE_SCHEMA_H
#define ROOMCODE_STORE_SCHEMA_H

#include <sqlite3ext.h>
#ifndef SQLITE_CORE
SQLITE_EXTENSION_INIT3
#endif

/*
 * Creates the store and its triggers, or adopts a table "<table>_store" that exists already
 * (a restored dump or clone) when its definition is this extension's and its rows keep the
 * rules, making its triggers anew; triggers of others on it stay. Refuses, with a
 * "roomcode:" message in *err saying what to do, a database that is not UTF-8 and a table
 * of that name that cannot be adopted.
 */
int roomcode_store_create(sqlite3 *db, const char *schema, const char *table, char **err);

/* Renames the store along with the virtual table and remakes the store's own triggers
 * under the new name; triggers of others on the store stay, and SQLite renames in them. */
int roomcode_store_rename(sqlite3 *db, const char *schema, const char *from, const char *to,
                          char **err);

/* Drops the store (and so every trigger on it). */
int roomcode_store_drop(sqlite3 *db, const char *schema, const char *table, char **err);

#endif
