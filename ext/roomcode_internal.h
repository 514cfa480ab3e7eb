/*
 * What the SQLite-facing files of the extension share: the per-connection state, the
 * statement slots, the checks every write path uses, and the one way errors are reported.
 */
#ifndef ROOMCODE_INTERNAL_H
#define ROOMCODE_INTERNAL_H

#include <sqlite3ext.h>
#ifndef SQLITE_CORE
SQLITE_EXTENSION_INIT3
#endif

#include "code_format.h"
#include "letter_pool.h"
#include "store.h"

#define ROOMCODE_VERSION "1.1.0"
/* The oldest SQLite the extension runs on (and is tested with); older ones are refused at
 * load time, since the storage DDL relies on built-in JSON and the table on
 * sqlite3_vtab_collation, sqlite3_db_name and SQLITE_VTAB_INNOCUOUS. */
#define ROOMCODE_MIN_SQLITE 3040000
#define ROOMCODE_MIN_SQLITE_TEXT "3.40.0"
#define ROOMCODE_MAX_NAME_BYTES 256

struct room_codes_table;

/*
 * State of one database connection: its letter pool, and which room_codes table an
 * unqualified name resolved to last. Every holder keeps a reference: each module and
 * each function registered with it, and each table object. So it outlives whatever can
 * still reach it, in any order SQLite frees them (a reload, sqlite3_drop_modules, close).
 * It holds no statement: each module owns and finalizes its own.
 */
typedef struct roomcode_conn {
    sqlite3 *db;
    int refs;
    roomcode_letter_pool pool;
    struct room_codes_table *resolved; /* a reference; checked before each use */
    unsigned resolved_name_version;    /* the table's name when it was resolved */
    int resolved_sentinel; /* re-prepares of the table's sentinel then (table_resolution.c) */
    int modules_dropped;   /* set when SQLite let go of a module (sqlite3_drop_modules) */
} roomcode_conn;

/* A new connection state holding one reference (the caller's), or NULL when out of memory. */
roomcode_conn *roomcode_conn_new(sqlite3 *db);

void roomcode_conn_ref(roomcode_conn *conn);

/* Drops a reference (also a function's destructor); the last frees the state. */
void roomcode_conn_unref(void *conn);

/* A module's destructor: the functions refuse from then on (a table connected before
 * would otherwise still serve them), and the module's reference goes. */
void roomcode_conn_module_gone(void *conn);

/* Draws a fresh random code into out. */
void roomcode_conn_draw(roomcode_conn *conn, char out[ROOMCODE_LEN + 1]);

/*
 * A statement slot holds one idle prepared statement. Take moves it out (preparing sql
 * when the slot is empty), so that a nested use prepares its own; give resets it and
 * puts it back, or finalizes it when the slot was refilled meanwhile or is closed (NULL).
 */
int roomcode_stmt_take(sqlite3 *db, sqlite3_stmt **slot, const char *sql, sqlite3_stmt **out);
void roomcode_stmt_give(sqlite3_stmt **slot, sqlite3_stmt *stmt);
void roomcode_stmt_clear(sqlite3_stmt **slot);

/*
 * Checks. Each returns SQLITE_OK; SQLITE_CONSTRAINT with *msg, an sqlite3_malloc'd message
 * naming what was refused and the value; or SQLITE_NOMEM. The caller decides the class of
 * a refusal (see roomcode_fn_error). A NULL value pointer is SQL NULL.
 */

/* room_id, role or user_id: non-empty UTF-8 text of at most 256 bytes, with no NUL and,
 * unless allow_control, no other control character. */
int roomcode_check_name(const char *what, sqlite3_value *v, int allow_control, char **msg);

/* The canonical code in v, text in any form roomcode_normalize accepts. */
int roomcode_parse_code(sqlite3_value *v, char out[ROOMCODE_LEN + 1], char **msg);

/* Describes a value for a message: 'text' quoted printably, or its type and value. */
char *roomcode_describe(sqlite3_value *v);

/* A message: fmt (sqlite3_mprintf style) and its arguments, then v described; NULL when
 * out of memory. */
char *roomcode_message_with(sqlite3_value *v, const char *fmt, ...);

/* Quotes text for a message: printable UTF-8 only, long text cut, in single quotes. */
char *roomcode_quote(const unsigned char *s, int n);

/* Is s[0..n) valid UTF-8? */
int roomcode_is_utf8(const unsigned char *s, int n);

/*
 * Errors, one convention: every message starts with "roomcode:". A refusal by a function
 * (a scalar or roomcode_create) is SQLITE_ERROR; a refusal of an INSERT, UPDATE or DELETE
 * on the table is SQLITE_CONSTRAINT, which INSERT OR IGNORE skips; any other failure keeps
 * SQLite's code (SQLITE_BUSY, SQLITE_NOMEM, ...).
 */

/* SQLite's last message on db, prefixed "roomcode: " unless it already is
 * (sqlite3_malloc'd, NULL when out of memory). */
char *roomcode_db_message(sqlite3 *db);

/* Sets vtab's message (taking msg) and returns rc; out of memory when msg is NULL. */
int roomcode_vtab_error(sqlite3_vtab *vtab, int rc, char *msg);

/* The same with SQLite's last message on db (see roomcode_db_message). */
int roomcode_vtab_db_error(sqlite3_vtab *vtab, sqlite3 *db, int rc);

/* Reports a function's failure (taking msg): a refusal (SQLITE_CONSTRAINT) as SQLITE_ERROR,
 * other codes as they are; out of memory when msg is NULL or rc is SQLITE_NOMEM. */
void roomcode_fn_error(sqlite3_context *ctx, int rc, char *msg);

/* SQL functions defined beside the code they serve (token_sql.c, link_sql.c, rotate.c,
 * json_sql.c). */
void roomcode_fn_token(sqlite3_context *ctx, int argc, sqlite3_value **argv);
void roomcode_fn_link(sqlite3_context *ctx, int argc, sqlite3_value **argv);
void roomcode_fn_rotate(sqlite3_context *ctx, int argc, sqlite3_value **argv);
void roomcode_fn_json(sqlite3_context *ctx, int argc, sqlite3_value **argv);
void roomcode_fn_room_json(sqlite3_context *ctx, int argc, sqlite3_value **argv);

/* Module and function registration, called by the entry point; each takes its own
 * reference to conn. */
int roomcode_register_table(sqlite3 *db, roomcode_conn *conn);
int roomcode_register_create(sqlite3 *db, roomcode_conn *conn);
int roomcode_register_functions(sqlite3 *db, roomcode_conn *conn);

#endif
