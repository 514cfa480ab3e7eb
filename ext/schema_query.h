/*
 * Small queries on a schema's catalogue, for the storage's schema life (store_schema.c,
 * store_indexes.c): SQLite helpers, knowing nothing of the store.
 */
#ifndef ROOMCODE_SCHEMA_QUERY_H
#define ROOMCODE_SCHEMA_QUERY_H

#include <sqlite3ext.h>
#ifndef SQLITE_CORE
SQLITE_EXTENSION_INIT3
#endif

/* A failure of a statement the storage runs itself: sets *err to SQLite's message unless
 * set already or out of memory; returns rc. */
int roomcode_query_error(sqlite3 *db, int rc, char **err);

/* Prepares the query fmt (sqlite3_mprintf style) into *stmt. */
int roomcode_query_prepare(sqlite3 *db, sqlite3_stmt **stmt, const char *fmt, ...);

/*
 * The first column of the first row of the query fmt (sqlite3_mprintf style), copied to
 * *out (sqlite3_malloc'd; NULL when there is no row or the value is NULL).
 */
int roomcode_query_text(sqlite3 *db, char **out, char **err, const char *fmt, ...);

#endif
