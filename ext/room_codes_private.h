/*
 * The room_codes virtual table's own structures, shared by the files that make up the
 * module: room_codes_table.c (life, plans, statements), room_codes_cursor.c (reading) and
 * room_codes_write.c (INSERT, UPDATE, DELETE).
 */
#ifndef ROOMCODE_ROOM_CODES_PRIVATE_H
#define ROOMCODE_ROOM_CODES_PRIVATE_H

#include "code_lookup.h"
#include "copied_rows.h"
#include "room_codes_table.h"

#define ROOMCODE_READ_SLOTS 8   /* reading statements kept per table, by plan and columns */
#define ROOMCODE_ATOMIC_STMTS 7 /* what atomic writes begin and end with (atomic_writes.c) */

/* An idle reading statement of a cursor: which plan, which columns it fetches. */
typedef struct roomcode_read_slot {
    int plan;
    unsigned columns;
    sqlite3_stmt *stmt;
} roomcode_read_slot;

typedef struct roomcode_cursor roomcode_cursor;

#define ROOMCODE_MINT_BUSY_MAX                                                                     \
    4 /* statements of the app's kept per mint (see roomcode_table_minted) */

/* A code minted, or a row changed, while cursors of the table were open
 * (roomcode_table_minted, roomcode_table_changing). */
typedef struct roomcode_statement_mint {
    char code[ROOMCODE_LEN + 1];
    roomcode_copied_rows was; /* a changed row: its values before, one row; none for a mint */
    unsigned long serial;     /* t->serial then: cursors opened up to it saw the table before */
    int n_busy;               /* the app's statements running then; -1: too many to keep */
    sqlite3_stmt *busy[ROOMCODE_MINT_BUSY_MAX];
} roomcode_statement_mint;

struct roomcode_table {
    sqlite3_vtab base;
    sqlite3 *db;
    roomcode_conn *conn;      /* a reference */
    roomcode_table_link link; /* in conn's list while connected */
    int refs;                 /* SQLite's while connected, and one per user */
    int connected;
    unsigned name_version; /* bumped by each rename */
    char *schema;
    char *name;
    /* Idle statements (see roomcode_stmt_take); each is finalized at disconnect, or when
     * given back after it. */
    sqlite3_stmt *stmt[ROOMCODE_STORE_N_STMT];
    char *sql[ROOMCODE_STORE_N_STMT];
    sqlite3_stmt *lookup[ROOMCODE_LOOKUP_N_STMT]; /* idle look-ups of a code (code_lookup.c) */
    sqlite3_stmt *sentinel;   /* "SELECT 1", whose re-prepares tell of schema changes */
    roomcode_cursor *spare;   /* a closed cursor kept for the next xOpen */
    roomcode_cursor *reading; /* cursors whose statement still reads the store */
    roomcode_read_slot reads[ROOMCODE_READ_SLOTS];
    sqlite3_stmt *atomic[ROOMCODE_ATOMIC_STMTS]; /* idle, see roomcode_atomic_writes */
    roomcode_cursor *open;                       /* every open cursor */
    unsigned long serial;                        /* counts cursors opened */
    roomcode_statement_mint *mints;              /* see roomcode_table_minted */
    int n_mints, cap_mints;
    unsigned next_evicted; /* round robin over reads when all are full */
};

/* Query plans (idxNum), each one reading statement of the store. */
enum {
    ROOMCODE_PLAN_SCAN,
    ROOMCODE_PLAN_CODE,
    ROOMCODE_PLAN_ROOM,
    ROOMCODE_PLAN_ROOM_ROLE,
    ROOMCODE_PLAN_USER,
    ROOMCODE_PLAN_USER_ROOM
};

/*
 * The plan's idxStr, which EXPLAIN QUERY PLAN shows after idxNum: the plan's lookup, then
 * in parentheses the columns the query uses (bit COL_x, in hex), which the store statement
 * fetches (the others read as NULL), and, when there are any, which arguments are IN
 * lists taken whole (bit k: argument k). For example
 *     room_id=? AND role=? (columns 0x07, IN lists 0x1)
 * roomcode_table_plan_read reads it back in xFilter; it holds nothing else.
 */
char *roomcode_table_plan_text(int plan, unsigned columns, unsigned in_lists);
int roomcode_table_plan_read(const char *text, unsigned *columns, unsigned *in_lists);

/* Takes or gives back an idle reading statement of plan fetching columns. */
int roomcode_table_read_take(roomcode_table *t, int plan, unsigned columns, sqlite3_stmt **out);
void roomcode_table_read_give(roomcode_table *t, int plan, unsigned columns, sqlite3_stmt *stmt);

/*
 * Before any write through t: each cursor still reading the store copies the rows it has
 * left, so that a statement that reads room_codes and writes codes sees the rows as they
 * were when it started, not its own new ones.
 */
int roomcode_table_snapshot_readers(roomcode_table *t);

/*
 * A code was minted into t (INSERT, roomcode_new, rotate, create). When cursors of t are
 * open, a statement may be reading the table while it mints (SELECT roomcode_new(...) FROM
 * room_codes a JOIN room_codes b ...): a cursor that such a statement filters again later
 * (the inner side of a join, a correlated subquery) must not see the new code, so the code
 * is kept, with the app's statements running now, for as long as a cursor opened before
 * stays open. A cursor filtered while only those statements run (the same statement, or
 * one that was running then) skips it; one of a statement started since reads live.
 */
void roomcode_table_minted(roomcode_table *t, const char *code);

/* Makes room to keep one more minted code, before the write (SQLITE_OK or SQLITE_NOMEM). */
int roomcode_table_reserve_mint(roomcode_table *t);

/*
 * Row i of was (every column, as stored now) is about to change through t (a disable by
 * roomcode_rotate or roomcode_create). When cursors of t are open it is kept as a minted
 * code is, with its values: a cursor that skips a code minted then shows this row with
 * these values. Call it before the write; SQLITE_OK or SQLITE_NOMEM.
 */
int roomcode_table_changing(roomcode_table *t, const roomcode_copied_rows *was, int i);

/* Frees the minted codes and changed rows t keeps (at disconnect). */
void roomcode_table_free_mints(roomcode_table *t);

/* Frees the cursors t keeps for reuse. */
void roomcode_table_free_spare(roomcode_table *t);

/* Cursor methods (room_codes_cursor.c). */
int roomcode_table_open(sqlite3_vtab *vtab, sqlite3_vtab_cursor **out);
int roomcode_table_close(sqlite3_vtab_cursor *cur);
int roomcode_table_filter(sqlite3_vtab_cursor *cur, int plan, const char *idx_str, int argc,
                          sqlite3_value **argv);
int roomcode_table_next(sqlite3_vtab_cursor *cur);
int roomcode_table_eof(sqlite3_vtab_cursor *cur);
int roomcode_table_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col);
int roomcode_table_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid);

/* xUpdate (room_codes_write.c). */
int roomcode_table_update(sqlite3_vtab *vtab, int argc, sqlite3_value **argv, sqlite3_int64 *rowid);

#endif
