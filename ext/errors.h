/*
 * Errors, one convention: every message starts with "roomcode:". A refusal by a function
 * (a scalar or roomcode_create) is SQLITE_ERROR; a refusal of an INSERT, UPDATE or DELETE
 * on the table is SQLITE_CONSTRAINT, which INSERT OR IGNORE skips; any other failure keeps
 * SQLite's code (SQLITE_BUSY, SQLITE_NOMEM, ...).
 */
#ifndef ROOMCODE_ERRORS_H
#define ROOMCODE_ERRORS_H

#include <sqlite3ext.h>
#ifndef SQLITE_CORE
SQLITE_EXTENSION_INIT3
#endif

/* SQLite's last message on db, prefixed "roomcode: " unless it already is
 * (sqlite3_malloc'd, NULL when out of memory). */
char *roomcode_db_message(sqlite3 *db);

/* Sets vtab's message (taking msg) and returns rc; out of memory when msg is NULL. */
int roomcode_vtab_error(sqlite3_vtab *vtab, int rc, char *msg);

/* The same with SQLite's last message on db (see roomcode_db_message). */
int roomcode_vtab_db_error(sqlite3_vtab *vtab, sqlite3 *db, int rc);

/* A refusal: sets *msg (taking text) and returns SQLITE_CONSTRAINT, or SQLITE_NOMEM when
 * the message could not be made (text NULL). */
int roomcode_refuse(char **msg, char *text);

/* Reports a function's failure (taking msg): a refusal (SQLITE_CONSTRAINT) as SQLITE_ERROR,
 * other codes as they are; out of memory when msg is NULL or rc is SQLITE_NOMEM. */
void roomcode_fn_error(sqlite3_context *ctx, int rc, char *msg);

#endif
