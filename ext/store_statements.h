/*
 * The statements the extension runs on a store ("<table>_store", sql/store_statements.sql),
 * and which of the store's rules refused one. Needs only SQLite and the storage SQL.
 */
#ifndef ROOMCODE_STORE_STATEMENTS_H
#define ROOMCODE_STORE_STATEMENTS_H

#include "store_sql.h"

/* The statements on a store, each prepared once per virtual table. */
enum roomcode_store_stmt {
    ROOMCODE_STORE_SCAN,               /* every row, in code order */
    ROOMCODE_STORE_BY_CODE,            /* ?1 code */
    ROOMCODE_STORE_BY_ROOM,            /* ?1 room_id */
    ROOMCODE_STORE_BY_ROOM_ROLE,       /* ?1 room_id, ?2 role */
    ROOMCODE_STORE_BY_USER,            /* ?1 user_id, on the partial index of bound codes */
    ROOMCODE_STORE_BY_USER_ROOM,       /* ?1 user_id, ?2 room_id, on the same index */
    ROOMCODE_STORE_INSERT,             /* ?1 code, ?2 room_id, ?3 role, ?4 enabled, ?5 user_id */
    ROOMCODE_STORE_UPDATE,             /* ?1 code; enabled ?2 when ?3; user_id ?4 when ?5 */
    ROOMCODE_STORE_DELETE,             /* ?1 code */
    ROOMCODE_STORE_RESTORE_UPDATED_AT, /* ?1 code, ?2 updated_at */
    ROOMCODE_STORE_UNLISTED,           /* ?1 room_id, ?2 roles: enabled codes of roles not listed */
    ROOMCODE_STORE_ROLES_LACKING, /* ?1 room_id, ?2 roles: those without a shared enabled code */
    ROOMCODE_STORE_LIST_ENABLED,  /* ?1 room_id, ?2 roles: enabled codes in the roles' order */
    ROOMCODE_STORE_JSON_CODE,     /* ?1 code: the code as a 100ms API object (JSON text) */
    ROOMCODE_STORE_JSON_ROOM,     /* ?1 room_id: {"data": [...]}, the room's codes as objects */
    ROOMCODE_STORE_N_STMT
};

/* The columns every reading statement returns, in the virtual table's order. */
enum {
    ROOMCODE_COL_CODE,
    ROOMCODE_COL_ROOM_ID,
    ROOMCODE_COL_ROLE,
    ROOMCODE_COL_ENABLED,
    ROOMCODE_COL_USER_ID,
    ROOMCODE_COL_CREATED_AT,
    ROOMCODE_COL_UPDATED_AT
};

/* The SQL text of statement which on table "schema"."table_store" (sqlite3_malloc'd). */
char *roomcode_store_sql(enum roomcode_store_stmt which, const char *schema, const char *table);

#define ROOMCODE_STORE_ALL_COLUMNS 0x7Fu /* bit COL_x set for each column */

/* Is which one of the reading statements the cursors use (ROOMCODE_STORE_SCAN to
 * ROOMCODE_STORE_BY_USER_ROOM)? */
#define ROOMCODE_STORE_IS_READ(which) ((which) <= ROOMCODE_STORE_BY_USER_ROOM)

/*
 * The reading statement which (see ROOMCODE_STORE_IS_READ) fetching only the columns
 * whose bits are set; the others read as NULL, so every column keeps its position. Each
 * text value a statement returns is one more copy per row, and a lookup rarely wants all.
 */
char *roomcode_store_read_sql(enum roomcode_store_stmt which, unsigned columns, const char *schema,
                              const char *table);

/*
 * Which rule of the store refused the last statement that failed on db, told by its error:
 * the triggers' RAISE messages (SQLITE_CONSTRAINT_TRIGGER; roomcode_sql_raised_*), or the
 * code's uniqueness (SQLITE_CONSTRAINT_PRIMARYKEY or _UNIQUE, in a store whose no_replace
 * trigger is gone).
 */
enum roomcode_store_refusal {
    ROOMCODE_STORE_REFUSED_OTHER, /* not one of the store's triggers, nor a duplicate code */
    ROOMCODE_STORE_REFUSED_EXISTS,
    ROOMCODE_STORE_REFUSED_CAP,
    ROOMCODE_STORE_REFUSED_FIXED
};
enum roomcode_store_refusal roomcode_store_refusal(sqlite3 *db);

#endif
