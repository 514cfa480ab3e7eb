/*
 * The roles argument of roomcode_create: a non-empty JSON array of role names, each a
 * valid name (input_check.h). Knows nothing of the table-valued function around it.
 */
#ifndef ROOMCODE_ROLES_CHECK_H
#define ROOMCODE_ROLES_CHECK_H

#include <sqlite3ext.h>
#ifndef SQLITE_CORE
SQLITE_EXTENSION_INIT3
#endif

/*
 * Checks roles with the statement kept in slot (db_statements.h). SQLITE_OK when they are
 * good; a refusal is SQLITE_CONSTRAINT with a "roomcode:" message in *msg (NULL when out of
 * memory); any other failure is SQLite's, with *msg NULL.
 */
int roomcode_check_roles(sqlite3 *db, sqlite3_stmt **slot, sqlite3_value *roles, char **msg);

#endif
