/*
 * Writes that happen all or not at all (see atomic_writes.h), and the one rollback policy.
 *
 * Why a rollback here needs care: sqlite3_interrupt() (and an allocation failure inside a
 * statement) sets a flag that SQLite clears only when no statement of the connection is
 * running. Our writes run inside the caller's statement (SELECT roomcode_rotate(?)), so
 * once the flag is set, every statement we step fails at once with SQLITE_INTERRUPT: the
 * ROLLBACK too, which would leave our own transaction open, its lock held, and the
 * caller's next "autocommit" writes inside it. A progress handler that returns non-zero
 * fails our ROLLBACK the same way, at its one loop check.
 *
 * SQLite's own rule gives the way out: a statement that writes and is interrupted rolls
 * back the whole transaction (sqlite3_interrupt's documentation says so of an INSERT
 * inside BEGIN). So when ROLLBACK (or ROLLBACK TO) fails, a prepared write that changes no
 * row is stepped: with the flag set it fails as interrupted, and SQLite rolls the
 * transaction back; with the flag clear it runs, and ROLLBACK is tried again. What is left
 * afterwards is checked, never assumed: a write transaction still open after all of that
 * (only when memory ran out: then every statement fails with SQLITE_NOMEM) is reported as
 * out of memory, on which SQLite rolls the transaction back when the caller's statement
 * ends.
 *
 * So after a failure the connection is as it was before the call, or, when the interrupt
 * met one of our writes (SQLite's rule) or our ROLLBACK TO could not run, the caller's
 * transaction is rolled back as a whole, as SQLite does for an interrupted INSERT: never
 * half a call, never a transaction the caller did not open. The error keeps its code:
 * an interrupt is reported as "roomcode: interrupted" (SQLITE_INTERRUPT).
 *
 * Every statement that ends the writes is prepared before they begin, so no allocation is
 * needed to end them; after COMMIT or RELEASE succeeds nothing runs that can fail.
 */
#include "atomic_writes.h"

#include "room_codes_private.h"

enum { A_BEGIN, A_COMMIT, A_ROLLBACK, A_SAVEPOINT, A_RELEASE, A_ROLLBACK_TO, A_TRIP };

static const char *const atomic_sql[ROOMCODE_ATOMIC_STMTS] = {
    "BEGIN IMMEDIATE",
    "COMMIT",
    "ROLLBACK",
    "SAVEPOINT roomcode_writes",
    "RELEASE roomcode_writes",
    "ROLLBACK TO roomcode_writes",
    0, /* A_TRIP: a write of no row, on the store (see the top of this file) */
};

typedef struct held {
    roomcode_table *t;
    sqlite3_stmt *s[ROOMCODE_ATOMIC_STMTS];
} held;

static int take(held *h, int which) {
    roomcode_table *t = h->t;
    sqlite3_stmt **slot = t->connected ? &t->atomic[which] : 0;
    char *sql = 0;
    if (which == A_TRIP && !(slot && *slot)) {
        sql = sqlite3_mprintf("DELETE FROM \"%w\".\"%w_store\" WHERE code = NULL", t->schema,
                              t->name);
        if (!sql)
            return SQLITE_NOMEM;
    }
    int rc = roomcode_stmt_take(t->db, slot, sql ? sql : atomic_sql[which], &h->s[which]);
    sqlite3_free(sql);
    return rc;
}

static void give_all(held *h) {
    for (int i = 0; i < ROOMCODE_ATOMIC_STMTS; i++) {
        if (h->s[i])
            roomcode_stmt_give(h->t->connected ? &h->t->atomic[i] : 0, h->s[i]);
        h->s[i] = 0;
    }
}

void roomcode_atomic_clear(roomcode_table *t) {
    for (int i = 0; i < ROOMCODE_ATOMIC_STMTS; i++)
        roomcode_stmt_clear(&t->atomic[i]);
}

/*
 * Steps a transaction statement (BEGIN, COMMIT, SAVEPOINT ...) once. SQLite calls the
 * progress handler once more after a statement has ended, and a "stop" then fails a
 * statement that did its work (vdbe_return in SQLite's vdbe.c). Each of these programs
 * runs Init, Goto, its action(s), Halt, and the handler is called only at the Goto and
 * after the end: past the second step the action is done.
 */
static int step_once(sqlite3_stmt *stmt) {
    sqlite3_stmt_status(stmt, SQLITE_STMTSTATUS_VM_STEP, 1);
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_INTERRUPT && sqlite3_stmt_status(stmt, SQLITE_STMTSTATUS_VM_STEP, 0) > 2)
        rc = SQLITE_DONE;
    sqlite3_reset(stmt);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Does the connection still hold a write transaction on t's schema? */
static int writing(roomcode_table *t) {
    return sqlite3_txn_state(t->db, t->schema) == SQLITE_TXN_WRITE;
}

enum mode { OWN_TRANSACTION, SAVEPOINT, BY_HAND };

/* One undo of the writes, by mode; SQLITE_OK when nothing of them is left. */
static int undo_once(held *h, enum mode mode, roomcode_undo undo, void *arg) {
    roomcode_table *t = h->t;
    if (mode == OWN_TRANSACTION)
        return step_once(h->s[A_ROLLBACK]);
    if (mode == SAVEPOINT) {
        int rc = step_once(h->s[A_ROLLBACK_TO]);
        return rc == SQLITE_OK ? step_once(h->s[A_RELEASE]) : rc;
    }
    return undo ? undo(t, arg) : SQLITE_OK;
}

/* Is nothing of the writes left: the transaction we began, or the caller's that SQLite
 * rolled back, ended; or, inside a statement that writes in autocommit, its transaction? */
static int gone(held *h, enum mode mode, int caller_txn) {
    if (mode == OWN_TRANSACTION || caller_txn)
        return sqlite3_get_autocommit(h->t->db);
    return !writing(h->t);
}

/*
 * Takes the writes back (see the top of this file). Returns SQLITE_OK when they are gone
 * and no transaction of ours is left open; SQLITE_NOMEM otherwise.
 */
static int take_back(held *h, enum mode mode, int caller_txn, roomcode_undo undo, void *arg) {
    for (int attempt = 0; attempt < 3; attempt++) {
        /* an interrupted write of ours may have made SQLite roll everything back */
        if (gone(h, mode, caller_txn) || undo_once(h, mode, undo, arg) == SQLITE_OK)
            return SQLITE_OK;
        step_once(h->s[A_TRIP]);
    }
    return gone(h, mode, caller_txn) ? SQLITE_OK : SQLITE_NOMEM;
}

int roomcode_atomic_writes(roomcode_table *t, roomcode_writes writes, roomcode_undo undo, void *arg,
                           char **msg) {
    sqlite3 *db = t->db;
    held h = {t, {0}};
    enum mode mode;
    if (roomcode_statement_running(db, 1))
        mode = BY_HAND;
    else if (sqlite3_get_autocommit(db))
        mode = OWN_TRANSACTION;
    else
        mode = SAVEPOINT;
    /* A transaction of the caller's: nothing is left of the writes also when SQLite has
     * rolled it back whole (see gone) */
    int caller_txn = !sqlite3_get_autocommit(db) && mode != OWN_TRANSACTION;
    int rc = take(&h, A_TRIP);
    if (rc == SQLITE_OK && mode == OWN_TRANSACTION) {
        rc = take(&h, A_BEGIN);
        if (rc == SQLITE_OK)
            rc = take(&h, A_COMMIT);
        if (rc == SQLITE_OK)
            rc = take(&h, A_ROLLBACK);
    } else if (rc == SQLITE_OK && mode == SAVEPOINT) {
        rc = take(&h, A_SAVEPOINT);
        if (rc == SQLITE_OK)
            rc = take(&h, A_RELEASE);
        if (rc == SQLITE_OK)
            rc = take(&h, A_ROLLBACK_TO);
    }
    if (rc == SQLITE_OK && mode != BY_HAND)
        rc = step_once(h.s[mode == OWN_TRANSACTION ? A_BEGIN : A_SAVEPOINT]);
    if (rc != SQLITE_OK) {
        /* nothing was written; a transaction begun all the same is ended */
        if (rc != SQLITE_NOMEM)
            *msg = roomcode_db_message(db);
        if (mode == OWN_TRANSACTION && h.s[A_ROLLBACK] &&
            take_back(&h, mode, caller_txn, undo, 0) != SQLITE_OK) {
            sqlite3_free(*msg);
            *msg = 0;
            rc = SQLITE_NOMEM;
        }
        give_all(&h);
        return rc;
    }

    rc = writes(t, arg, msg);
    if (rc == SQLITE_OK) {
        int ended = mode == BY_HAND
                        ? SQLITE_OK
                        : step_once(h.s[mode == OWN_TRANSACTION ? A_COMMIT : A_RELEASE]);
        if (ended != SQLITE_OK) {
            rc = ended;
            if (rc != SQLITE_NOMEM)
                *msg = roomcode_db_message(db);
        }
    } else if (rc != SQLITE_NOMEM && !*msg) {
        *msg = roomcode_db_message(db);
    }
    /* A COMMIT that failed (busy) leaves the transaction open: it is taken back too. */
    if (rc != SQLITE_OK && take_back(&h, mode, caller_txn, undo, arg) != SQLITE_OK) {
        sqlite3_free(*msg);
        *msg = 0;
        rc = SQLITE_NOMEM;
    }
    give_all(&h);
    return rc;
}
