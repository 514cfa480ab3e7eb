/*
 * SQLite helpers for the statements of a connection: slots that keep one idle prepared
 * statement each, and whether a statement is running.
 */
#ifndef ROOMCODE_DB_STATEMENTS_H
#define ROOMCODE_DB_STATEMENTS_H

#include <sqlite3ext.h>
#ifndef SQLITE_CORE
SQLITE_EXTENSION_INIT3
#endif

/*
 * A statement slot holds one idle prepared statement. Take moves it out (preparing sql
 * when the slot is empty), so that a nested use prepares its own; give resets it and
 * puts it back, or finalizes it when the slot was refilled meanwhile or is closed (NULL).
 */
int roomcode_stmt_take(sqlite3 *db, sqlite3_stmt **slot, const char *sql, sqlite3_stmt **out);
void roomcode_stmt_give(sqlite3_stmt **slot, sqlite3_stmt *stmt);
void roomcode_stmt_clear(sqlite3_stmt **slot);

/* Is a statement of db running (stepped and not yet reset), or with writers_only one that
 * writes? Then SQLite refuses a savepoint, COMMIT or DDL of our own on the connection. */
int roomcode_statement_running(sqlite3 *db, int writers_only);

/*
 * The columns of schema.table, hidden ones too, in order, as "a, b, c" (sqlite3_malloc'd),
 * NULL when there is no such table. Read with PRAGMA table_xinfo, never the
 * pragma_table_xinfo table: used from inside the virtual table's methods, that table kept
 * a schema pointer that sqlite3_deserialize (SQLite 3.40) left dangling, and the next
 * query naming it on the connection crashed.
 */
int roomcode_column_list(sqlite3 *db, const char *schema, const char *table, char **out);

#endif
