/*
 * What the SQLite-facing files of the extension share: the per-connection state, the
 * statement slots, and the checks and messages every write path uses.
 */
#ifndef ROOMCODE_INTERNAL_H
#define ROOMCODE_INTERNAL_H

#include <sqlite3ext.h>
#ifndef SQLITE_CORE
SQLITE_EXTENSION_INIT3
#endif

#include "code_format.h"
#include "letter_pool.h"

#define ROOMCODE_VERSION "1.0.0"
/* The oldest SQLite the extension runs on (and is tested with); older ones are refused at
 * load time, since the storage DDL relies on built-in JSON and the table on
 * sqlite3_vtab_collation, SQLITE_VTAB_INNOCUOUS and sqlite3_value_nochange. */
#define ROOMCODE_MIN_SQLITE 3040000
#define ROOMCODE_MIN_SQLITE_TEXT "3.40.0"
#define ROOMCODE_MAX_PER_ROOM 100 /* also in sql/store_triggers.sql */
#define ROOMCODE_MAX_NAME_BYTES 256

/*
 * State of one database connection, shared by the module and the functions. Statements
 * kept here name no table of this extension, and are finalized by every xDisconnect of
 * its virtual tables, which SQLite runs before sqlite3_close() checks for unfinalized
 * statements.
 */
typedef struct roomcode_conn {
    sqlite3 *db;
    int refs; /* one per module registered with it */
    roomcode_letter_pool pool;
    struct room_codes_table *tables;   /* every connected room_codes table */
    struct room_codes_table *resolved; /* what "room_codes" names; NULL until looked up */
    int resolving;                     /* set while a lookup prepares "room_codes" */
    sqlite3_stmt *roles_check;         /* roomcode_create: the roles array's elements */
} roomcode_conn;

/* A new connection state with no references, or NULL when out of memory. */
roomcode_conn *roomcode_conn_new(sqlite3 *db);

/* Drops a module's reference (a module destructor); the last one frees the state. */
void roomcode_conn_unref(void *conn);

/* Finalizes the statements kept in conn; those taken out and in use are left alone. */
void roomcode_conn_release(roomcode_conn *conn);

/* Draws a fresh random code into out. */
void roomcode_conn_draw(roomcode_conn *conn, char out[ROOMCODE_LEN + 1]);

/*
 * A statement slot holds one idle prepared statement. Take moves it out (preparing sql
 * when the slot is empty), so that a nested use prepares its own; give resets it and
 * puts it back, or finalizes it when the slot was refilled meanwhile.
 */
int roomcode_stmt_take(sqlite3 *db, sqlite3_stmt **slot, const char *sql, sqlite3_stmt **out);
void roomcode_stmt_give(sqlite3_stmt **slot, sqlite3_stmt *stmt);
void roomcode_stmt_clear(sqlite3_stmt **slot);

/*
 * Checks a room_id, role or user_id value: non-empty UTF-8 text of at most 256 bytes, with
 * no NUL and, unless allow_control, no other control character. Returns SQLITE_OK;
 * SQLITE_CONSTRAINT with *msg, an sqlite3_malloc'd message naming what and the value; or
 * SQLITE_NOMEM. A NULL pointer is SQL NULL.
 */
int roomcode_check_name(const char *what, sqlite3_value *v, int allow_control, char **msg);

/*
 * The canonical code in v, text in any form roomcode_normalize accepts: SQLITE_OK;
 * SQLITE_CONSTRAINT with *msg ("malformed room code ..."); or SQLITE_NOMEM.
 */
int roomcode_parse_code(sqlite3_value *v, char out[ROOMCODE_LEN + 1], char **msg);

/* Describes a value for a message: 'text' quoted printably, or its type and value (a NULL
 * pointer is NULL). */
char *roomcode_describe(sqlite3_value *v);

/* A message: fmt (sqlite3_mprintf style) and its arguments, then v described; NULL when
 * out of memory. */
char *roomcode_message_with(sqlite3_value *v, const char *fmt, ...);

/* Quotes text for a message: printable UTF-8 only, long text cut, in single quotes. */
char *roomcode_quote(const unsigned char *s, int n);

/* SQL functions defined beside the code they serve (token_sql.c, link_sql.c). */
void roomcode_fn_token(sqlite3_context *ctx, int argc, sqlite3_value **argv);
void roomcode_fn_link(sqlite3_context *ctx, int argc, sqlite3_value **argv);

/* Module and function registration, called by the entry point. */
int roomcode_register_table(sqlite3 *db, roomcode_conn *conn);
int roomcode_register_create(sqlite3 *db, roomcode_conn *conn);
int roomcode_register_functions(sqlite3 *db, roomcode_conn *conn);

#endif
