/*
 * The room_codes virtual table's own structures, shared by the files that make up the
 * module: room_codes_table.c (life, plans, statements), room_codes_cursor.c (reading) and
 * room_codes_write.c (INSERT, UPDATE, DELETE).
 */
#ifndef ROOMCODE_ROOM_CODES_PRIVATE_H
#define ROOMCODE_ROOM_CODES_PRIVATE_H

#include "code_lookup.h"
#include "room_codes_table.h"

#define READ_SLOTS 8 /* reading statements kept per table, by plan and columns */

/* An idle reading statement of a cursor: which plan, which columns it fetches. */
typedef struct read_slot {
    int plan;
    unsigned columns;
    sqlite3_stmt *stmt;
} read_slot;

typedef struct room_codes_cursor room_codes_cursor;

struct room_codes_table {
    sqlite3_vtab base;
    sqlite3 *db;
    roomcode_conn *conn; /* a reference */
    int refs;            /* SQLite's while connected, and one per user */
    int connected;
    unsigned name_version; /* bumped by each rename */
    char *schema;
    char *name;
    /* Idle statements (see roomcode_stmt_take); each is finalized at disconnect, or when
     * given back after it. */
    sqlite3_stmt *stmt[STORE_N_STMT];
    char *sql[STORE_N_STMT];
    sqlite3_stmt *lookup[LOOKUP_N_STMT]; /* idle look-ups of a code (code_lookup.c) */
    sqlite3_stmt *sentinel;              /* "SELECT 1", whose re-prepares tell of schema changes */
    room_codes_cursor *spare;            /* a closed cursor kept for the next xOpen */
    room_codes_cursor *reading;          /* cursors whose statement still reads the store */
    read_slot reads[READ_SLOTS];
    unsigned next_evicted; /* round robin over reads when all are full */
};

/* Query plans (idxNum), each one reading statement of the store. */
enum { PLAN_SCAN, PLAN_CODE, PLAN_ROOM, PLAN_ROOM_ROLE, PLAN_USER, PLAN_USER_ROOM };

/* Takes or gives back an idle reading statement of plan fetching columns. */
int room_codes_read_take(room_codes_table *t, int plan, unsigned columns, sqlite3_stmt **out);
void room_codes_read_give(room_codes_table *t, int plan, unsigned columns, sqlite3_stmt *stmt);

/*
 * Before any write through t: each cursor still reading the store copies the rows it has
 * left, so that a statement that reads room_codes and writes codes sees the rows as they
 * were when it started, not its own new ones.
 */
int room_codes_snapshot_readers(room_codes_table *t);

/* Frees the cursors t keeps for reuse. */
void room_codes_free_spare(room_codes_table *t);

/* Called by xBestIndex: while room_codes_with_table plans its look-up, this tells it which table
 * SQLite resolved the name to. */
void room_codes_note_planned(room_codes_table *t);

/* Cursor methods (room_codes_cursor.c). */
int room_codes_open(sqlite3_vtab *vtab, sqlite3_vtab_cursor **out);
int room_codes_close(sqlite3_vtab_cursor *cur);
int room_codes_filter(sqlite3_vtab_cursor *cur, int plan, const char *idx_str, int argc,
                      sqlite3_value **argv);
int room_codes_next(sqlite3_vtab_cursor *cur);
int room_codes_eof(sqlite3_vtab_cursor *cur);
int room_codes_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col);
int room_codes_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid);

/* xUpdate (room_codes_write.c). */
int room_codes_update(sqlite3_vtab *vtab, int argc, sqlite3_value **argv, sqlite3_int64 *rowid);
int room_codes_write_row(room_codes_table *t, sqlite3_value *const *col,
                         char code[ROOMCODE_LEN + 1]);

#endif
