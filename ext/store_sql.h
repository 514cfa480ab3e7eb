/*
 * The storage SQL of sql/ as data: the build turns sql/store_*.sql and sql/templates_*.sql
 * into these constants (sql/to_c.awk), with the storage's constants (store_limits.h)
 * filled in. Only the names are left as templates: {schema} and {table}, each inside double quotes,
 * and {columns} in the reading statements.
 */
#ifndef ROOMCODE_STORE_SQL_H
#define ROOMCODE_STORE_SQL_H

#include <sqlite3ext.h>
#ifndef SQLITE_CORE
SQLITE_EXTENSION_INIT3
#endif

#include "store_limits.h"

/* A trigger or an index of the store, made "<table>_store_<suffix>". */
typedef struct roomcode_sql_object {
    const char *suffix;
    const char *sql;        /* the CREATE statement */
    const char *definition; /* an index's "(columns) WHERE ..." after its table, whitespace
                             * runs as one space; NULL
                             * for a trigger */
} roomcode_sql_object;

extern const char roomcode_sql_store_table[];
/* What follows the store's name in its CREATE TABLE, squeezed like a definition. */
extern const char roomcode_sql_store_definition[];
extern const roomcode_sql_object roomcode_sql_triggers[];
extern const int roomcode_sql_n_triggers;
extern const roomcode_sql_object roomcode_sql_indexes[];
extern const int roomcode_sql_n_indexes;

/* The CREATE TABLEs of the templates and rooms tables (sql/templates_tables.sql), and their
 * triggers (sql/templates_triggers.sql), each made "<table>_<suffix>", in file order. */
extern const char roomcode_sql_templates_tables[];
extern const roomcode_sql_object roomcode_sql_templates_triggers[];
extern const int roomcode_sql_n_templates_triggers;

/* The triggers' RAISE messages, by trigger. */
extern const char roomcode_sql_raised_cap[];
extern const char roomcode_sql_raised_no_replace[];
extern const char roomcode_sql_raised_fixed[];
extern const char roomcode_sql_raised_rooms_role_of_code[];

/* The statements of sql/store_statements.sql, by name. */
extern const char roomcode_sql_stmt_scan[];
extern const char roomcode_sql_stmt_by_code[];
extern const char roomcode_sql_stmt_by_room[];
extern const char roomcode_sql_stmt_by_room_role[];
extern const char roomcode_sql_stmt_by_user[];
extern const char roomcode_sql_stmt_by_user_room[];
extern const char roomcode_sql_stmt_insert[];
extern const char roomcode_sql_stmt_update[];
extern const char roomcode_sql_stmt_delete[];
extern const char roomcode_sql_stmt_restore_updated_at[];
extern const char roomcode_sql_stmt_unlisted[];
extern const char roomcode_sql_stmt_roles_lacking[];
extern const char roomcode_sql_stmt_list_enabled[];
extern const char roomcode_sql_stmt_json_code[];
extern const char roomcode_sql_stmt_json_room[];
/* ... and of sql/templates_statements.sql. */
extern const char roomcode_sql_stmt_room_template[];

/*
 * The template with {schema} and {table} replaced as escaped identifiers, and {columns} by
 * columns (NULL when the template has none); sqlite3_malloc'd, NULL when out of memory.
 */
char *roomcode_sql_fill(const char *tmpl, const char *schema, const char *table,
                        const char *columns);

/* Runs the template with the names filled in (as roomcode_sql_fill, without {columns}). */
int roomcode_sql_exec(sqlite3 *db, const char *tmpl, const char *schema, const char *table,
                      char **err);

/* Runs the CREATE statement of each of the n objects, in their order, until one fails. */
int roomcode_sql_exec_each(sqlite3 *db, const roomcode_sql_object *objects, int n,
                           const char *schema, const char *table, char **err);

/*
 * The definition in a CREATE TABLE statement of the database, after its (maybe
 * schema-qualified) name, squeezed (*out sqlite3_malloc'd, NULL when empty or when sql is
 * no CREATE TABLE).
 */
int roomcode_sql_table_definition(const char *sql, char **out);

/* What a CREATE INDEX statement of the database defines after its table, "(columns) WHERE
 * ...", squeezed (sqlite3_malloc'd), or NULL when sql is no CREATE INDEX. */
char *roomcode_sql_index_definition(const char *sql);

#endif
