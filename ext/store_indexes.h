/*
 * The store's indexes (sql/store_triggers.sql), each recognized by its definition whatever
 * its name, and brought up to this version's set on a later connect.
 */
#ifndef ROOMCODE_STORE_INDEXES_H
#define ROOMCODE_STORE_INDEXES_H

#include <sqlite3ext.h>
#ifndef SQLITE_CORE
SQLITE_EXTENSION_INIT3
#endif

/*
 * Makes each index of sql/store_triggers.sql that the store "<table>_store" lacks, named
 * "<table>_store_<suffix>" or, when that is taken, the first free "<name>_<n>". With tidy
 * (no statement runs, so an index can be dropped), one of that definition under another
 * name is made again under its own name when that is free.
 */
int roomcode_store_ensure_indexes(sqlite3 *db, const char *schema, const char *table, int tidy,
                                  char **err);

/*
 * Brings a store made by an older roomcode up to this version's objects without touching
 * its rows: today, the index of bound codes that 1.1.0 stores lack. Called when a table
 * connects; it does nothing unless the index is missing and the connection can write
 * there now (not read-only, no transaction open, no statement running), and a failure
 * (busy, query_only, an authorizer) is left for the next connection: lookups by user_id
 * work without the index, as a scan of the store.
 */
void roomcode_store_upgrade(sqlite3 *db, const char *schema, const char *table);

#endif
