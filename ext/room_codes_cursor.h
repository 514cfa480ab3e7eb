/*
 * The room_codes cursor's structure, shared by room_codes_cursor.c (reading) and
 * room_codes_mints.c (what the running statement wrote, which a cursor hides or shows as
 * it was). Calls go one way: the cursor calls the mints, which only read its fields.
 */
#ifndef ROOMCODE_ROOM_CODES_CURSOR_H
#define ROOMCODE_ROOM_CODES_CURSOR_H

#include "room_codes_private.h"

/* A code the running statement wrote before a cursor was filtered (see hide_mints). */
struct roomcode_statement_row {
    char code[ROOMCODE_LEN + 1];
    int old; /* its values before: row old of the cursor's olds; -1: minted */
};

struct roomcode_cursor {
    sqlite3_vtab_cursor base;
    roomcode_cursor *next_reading; /* in the table's list while stmt reads */
    int plan;
    unsigned columns; /* those stmt fetches (bit COL_x); the others read as NULL */
    sqlite3_stmt *stmt;
    int eof;
    int code_len;               /* for a lookup by code given as text: the code is key[0] */
    roomcode_cursor *next_open; /* in the table's list of open cursors */
    unsigned long opened;       /* t->serial when opened */
    /* Codes this statement minted or changed before the cursor was filtered
     * (roomcode_table_minted, roomcode_table_changing): a minted one is skipped, a changed one
     * shows its values before (row `old` of olds), so the statement sees the table as it
     * was when it started. */
    struct roomcode_statement_row *hidden;
    int n_hidden;
    roomcode_copied_rows olds;
    /* Once a write met the cursor (copied), the rows it had left; `at` is the current one. */
    int copied;
    roomcode_copied_rows rows;
    int at;
    /* Copies of xFilter's text arguments, bound without a copy of their own: the
     * statement reads them until it is reset, when xFilter's argv may be gone. */
    char key[2][ROOMCODE_MAX_NAME_BYTES];
};

/* Drops the minted codes and changed rows no open cursor saw the table without. */
void roomcode_table_prune_mints(roomcode_table *t);

/* Which minted codes c skips, and which changed rows it shows as they were: those
 * written while every statement running now was running. */
int roomcode_table_hide_mints(roomcode_cursor *c);

/* The first of c's statement rows for code (len bytes), the earliest write: NULL if none. */
const struct roomcode_statement_row *roomcode_table_written(const roomcode_cursor *c,
                                                            const unsigned char *code, int len);

/* Is the statement's current row one c skips (minted by the running statement)? */
int roomcode_table_row_hidden(roomcode_cursor *c);

#endif
