/*
 * The storage of a room_codes table: the shadow table "<name>_store" and its triggers,
 * whose DDL comes from sql/ (embedded at build time), and the statements that read and
 * write it.
 */
#ifndef ROOMCODE_STORE_H
#define ROOMCODE_STORE_H

#include "roomcode_internal.h"

/* The statements on a store, each prepared once per virtual table. */
enum roomcode_store_stmt {
    STORE_SCAN,             /* every row, in code order */
    STORE_BY_CODE,          /* ?1 code */
    STORE_BY_ROOM,          /* ?1 room_id */
    STORE_BY_ROOM_ROLE,     /* ?1 room_id, ?2 role */
    STORE_INSERT,           /* ?1 code, ?2 room_id, ?3 role, ?4 enabled, ?5 user_id */
    STORE_UPDATE,           /* ?1 code; enabled ?2 when ?3; user_id ?4 when ?5 */
    STORE_DELETE,           /* ?1 code */
    STORE_DISABLE_UNLISTED, /* ?1 room_id, ?2 JSON array of the roles to keep */
    STORE_ROLES_LACKING,    /* ?1 room_id, ?2 roles: those without a shared enabled code */
    STORE_LIST_ENABLED,     /* ?1 room_id, ?2 roles: enabled codes in the roles' order */
    STORE_N_STMT
};

/* The columns every reading statement returns, in the virtual table's order. */
enum { COL_CODE, COL_ROOM_ID, COL_ROLE, COL_ENABLED, COL_USER_ID, COL_CREATED_AT, COL_UPDATED_AT };

/* The SQL text of statement which on table "schema"."table_store" (sqlite3_malloc'd). */
char *roomcode_store_sql(enum roomcode_store_stmt which, const char *schema, const char *table);

#define STORE_ALL_COLUMNS 0x7Fu /* bit COL_x set for each column */

/*
 * The reading statement which (STORE_SCAN to STORE_BY_ROOM_ROLE) fetching only the columns
 * whose bits are set; the others read as NULL, so every column keeps its position. Each
 * text value a statement returns is one more copy per row, and a lookup rarely wants all.
 */
char *roomcode_store_read_sql(enum roomcode_store_stmt which, unsigned columns, const char *schema,
                              const char *table);

/* Creates the store and its triggers. */
int roomcode_store_create(sqlite3 *db, const char *schema, const char *table, char **err);

/* Renames the store and its triggers along with the virtual table. */
int roomcode_store_rename(sqlite3 *db, const char *schema, const char *from, const char *to,
                          char **err);

/* Drops the store (and so its triggers). */
int roomcode_store_drop(sqlite3 *db, const char *schema, const char *table, char **err);

#endif
