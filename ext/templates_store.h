/*
 * The templates and rooms tables of a room_codes table ("<name>_templates", "<name>_rooms")
 * and their triggers, whose DDL comes from sql/templates_*.sql (embedded at build time).
 * They live and are renamed and dropped with the virtual table, beside its store.
 */
#ifndef ROOMCODE_TEMPLATES_STORE_H
#define ROOMCODE_TEMPLATES_STORE_H

#include <sqlite3ext.h>
#ifndef SQLITE_CORE
SQLITE_EXTENSION_INIT3
/*
 * When the last statement on db failed on the trigger that keeps a registered room's codes
 * to the roles of its template: the message naming role, template and room, for the
 * extension's own write paths (sqlite3_malloc'd); else NULL, also when out of memory.
 */
char *roomcode_templates_role_refusal(sqlite3 *db, const char *schema, const char *table,
                                      sqlite3_value *room, sqlite3_value *role);

#endif

/* Creates the two tables and their triggers (after the store, which one trigger is on), or
 * adopts tables of those names that have the same columns; refuses others in *err. */
int roomcode_templates_create(sqlite3 *db, const char *schema, const char *table, char **err);

/* Gives a table made by roomcode 1.2.0 or older its templates and rooms, when the
 * connection can write there now (as roomcode_store_upgrade); a failure is left for the
 * next connection, and until then every room is unregistered. */
void roomcode_templates_upgrade(sqlite3 *db, const char *schema, const char *table);

/* Renaming takes two steps around the store's rename: the triggers go first (their bodies
 * name the store), then the tables are renamed and the triggers made under the new name.
 * Unhooking refuses first a rename onto names that another object holds. */
int roomcode_templates_unhook(sqlite3 *db, const char *schema, const char *from, const char *to,
                              char **err);
int roomcode_templates_rename(sqlite3 *db, const char *schema, const char *from, const char *to,
                              char **err);

/* Drops both tables, and so their triggers. */
int roomcode_templates_drop(sqlite3 *db, const char *schema, const char *table, char **err);

/*
 * When the last statement on db failed on the trigger that keeps a registered room's codes
 * to the roles of its template: the message naming role, template and room, for the
 * extension's own write paths (sqlite3_malloc'd); else NULL, also when out of memory.
 */
char *roomcode_templates_role_refusal(sqlite3 *db, const char *schema, const char *table,
                                      sqlite3_value *room, sqlite3_value *role);

#endif
