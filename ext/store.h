/*
 * The storage of a room_codes table: the plain table "<name>_store" and its triggers,
 * whose DDL comes from sql/ (embedded at build time), and the statements that read and
 * write it. Self-contained: it needs only SQLite's extension header.
 */
#ifndef ROOMCODE_STORE_H
#define ROOMCODE_STORE_H

#include <sqlite3ext.h>
#ifndef SQLITE_CORE
SQLITE_EXTENSION_INIT3
#endif

/* The most codes a room may hold, enabled and disabled together: the one place it is set,
 * filled into the store's trigger (sql/store_triggers.sql) like the table name. */
#define ROOMCODE_MAX_PER_ROOM 100

/* The statements on a store, each prepared once per virtual table. */
enum roomcode_store_stmt {
    STORE_SCAN,             /* every row, in code order */
    STORE_BY_CODE,          /* ?1 code */
    STORE_BY_ROOM,          /* ?1 room_id */
    STORE_BY_ROOM_ROLE,     /* ?1 room_id, ?2 role */
    STORE_BY_USER,          /* ?1 user_id, on the partial index of bound codes */
    STORE_BY_USER_ROOM,     /* ?1 user_id, ?2 room_id, on the same index */
    STORE_INSERT,           /* ?1 code, ?2 room_id, ?3 role, ?4 enabled, ?5 user_id */
    STORE_UPDATE,           /* ?1 code; enabled ?2 when ?3; user_id ?4 when ?5 */
    STORE_DELETE,           /* ?1 code */
    STORE_DISABLE_UNLISTED, /* ?1 room_id, ?2 JSON array of the roles to keep */
    STORE_ROLES_LACKING,    /* ?1 room_id, ?2 roles: those without a shared enabled code */
    STORE_LIST_ENABLED,     /* ?1 room_id, ?2 roles: enabled codes in the roles' order */
    STORE_JSON_CODE,        /* ?1 code: the code as a 100ms API object (JSON text) */
    STORE_JSON_ROOM,        /* ?1 room_id: {"data": [...]}, the room's codes as objects */
    STORE_N_STMT
};

/* The columns every reading statement returns, in the virtual table's order. */
enum { COL_CODE, COL_ROOM_ID, COL_ROLE, COL_ENABLED, COL_USER_ID, COL_CREATED_AT, COL_UPDATED_AT };

/* The SQL text of statement which on table "schema"."table_store" (sqlite3_malloc'd). */
char *roomcode_store_sql(enum roomcode_store_stmt which, const char *schema, const char *table);

#define STORE_ALL_COLUMNS 0x7Fu /* bit COL_x set for each column */

/* Is which one of the reading statements the cursors use (STORE_SCAN to STORE_BY_USER_ROOM)? */
#define STORE_IS_READ(which) ((which) <= STORE_BY_USER_ROOM)

/*
 * The reading statement which (see STORE_IS_READ) fetching only the columns
 * whose bits are set; the others read as NULL, so every column keeps its position. Each
 * text value a statement returns is one more copy per row, and a lookup rarely wants all.
 */
char *roomcode_store_read_sql(enum roomcode_store_stmt which, unsigned columns, const char *schema,
                              const char *table);

/*
 * Creates the store and its triggers, or adopts a table "<table>_store" that exists already
 * (a restored dump or clone) when its definition is this extension's and its rows keep the
 * rules, making its triggers anew; triggers of others on it stay. Refuses, with a
 * "roomcode:" message in *err saying what to do, a database that is not UTF-8 and a table
 * of that name that cannot be adopted.
 */
int roomcode_store_create(sqlite3 *db, const char *schema, const char *table, char **err);

/* Is a statement of db running (stepped and not yet reset), or with writers_only one that
 * writes? Then SQLite refuses a savepoint, COMMIT or DDL of our own on the connection. */
int roomcode_statement_running(sqlite3 *db, int writers_only);

/*
 * Brings a store made by an older roomcode up to this version's objects without touching
 * its rows: today, the index of bound codes that 1.1.0 stores lack. Called when a table
 * connects; it does nothing unless the index is missing and the connection can write
 * there now (not read-only, no transaction open, no statement running), and a failure
 * (busy, query_only, an authorizer) is left for the next connection: lookups by user_id
 * work without the index, as a scan of the store.
 */
void roomcode_store_upgrade(sqlite3 *db, const char *schema, const char *table);

/* Renames the store along with the virtual table and remakes the store's own triggers
 * under the new name; triggers of others on the store stay, and SQLite renames in them. */
int roomcode_store_rename(sqlite3 *db, const char *schema, const char *from, const char *to,
                          char **err);

/* Drops the store (and so every trigger on it). */
int roomcode_store_drop(sqlite3 *db, const char *schema, const char *table, char **err);

/*
 * Which rule of the store refused the last statement that failed on db, told by its error:
 * the triggers' RAISE messages (SQLITE_CONSTRAINT_TRIGGER), or the code's uniqueness
 * (SQLITE_CONSTRAINT_PRIMARYKEY or _UNIQUE, in a store whose no_replace trigger is gone).
 * The messages are, exactly:
 *   STORE_REFUSED_EXISTS  roomcode: room code already exists; update its enabled or user_id instead
 *   STORE_REFUSED_CAP     roomcode: a room has at most 100 room codes (limit 100)
 *   STORE_REFUSED_FIXED   roomcode: code, room_id, role and created_at of a room code never change
 */
enum roomcode_store_refusal {
    STORE_REFUSED_OTHER, /* not one of the store's triggers, nor a duplicate code */
    STORE_REFUSED_EXISTS,
    STORE_REFUSED_CAP,
    STORE_REFUSED_FIXED
};
enum roomcode_store_refusal roomcode_store_refusal(sqlite3 *db);

#endif
