/*
 * Snapshots of a room_codes table's store and the storage rules (docs/storage.md) checked on them,
 * written independently of ext/ so that the SQL fuzzer (tests/fuzz/fuzz_sql.c) and the
 * allocation-failure harness (tests/memory/memfault.c) judge the extension by the spec,
 * not by its own code. The store is read as the plain table any client sees.
 */
#ifndef ROOMCODE_STORE_CHECK_H
#define ROOMCODE_STORE_CHECK_H

#include <sqlite3.h>
#include <stddef.h>

enum {
    SC_CODE,
    SC_ROOM_ID,
    SC_ROLE,
    SC_ENABLED,
    SC_USER_ID,
    SC_CREATED_AT,
    SC_UPDATED_AT,
    SC_NCOL
};

/* One SQL value, copied out of SQLite. */
typedef struct sc_value {
    int type; /* SQLITE_INTEGER, ..., SQLITE_NULL */
    sqlite3_int64 i;
    double r;
    int n;   /* bytes of text or blob */
    char *s; /* text or blob bytes, NUL-terminated copy; NULL otherwise */
} sc_value;

typedef struct sc_row {
    sc_value col[SC_NCOL];
} sc_row;

typedef struct sc_snapshot {
    int present; /* does "<schema>"."<table>_store" exist? */
    size_t n;    /* rows, in code order */
    sc_row *rows;
} sc_snapshot;

/* Reads every row of "schema"."table_store" (table absent: present = 0). SQLITE_OK or an error. */
int sc_take(sqlite3 *db, const char *schema, const char *table, sc_snapshot *out);
void sc_free(sc_snapshot *s);
/* A deep copy of from into to; returns 0 on allocation failure (to is then empty). */
int sc_copy(sc_snapshot *to, const sc_snapshot *from);

/* Copies a value (deep). Returns 0 on allocation failure. */
int sc_value_copy(sc_value *to, sqlite3_value *from);
void sc_value_free(sc_value *v);
int sc_value_equal(const sc_value *a, const sc_value *b);
/* Does a (text) value hold exactly these bytes? */
int sc_value_is_text(const sc_value *v, const char *s, int n);

int sc_row_equal(const sc_row *a, const sc_row *b);
int sc_equal(const sc_snapshot *a, const sc_snapshot *b);
/* The row of a canonical code, or NULL. */
const sc_row *sc_find(const sc_snapshot *s, const char *code, int n);
/* Rows whose room_id is exactly the text room[0..room_n). */
size_t sc_count_room(const sc_snapshot *s, const char *room, int room_n);

/* Is s[0..n) a canonical code "xxx-xxxx-xxx" of lowercase letters? */
int sc_canonical(const char *s, int n);
/* Is s[0..n) a valid room_id/role/user_id: 1..256 bytes of UTF-8, no control characters? */
int sc_valid_name(const char *s, int n);
/*
 * What the store's CHECK constraints enforce of a name, for every writer: 1..256 bytes, no
 * control characters. Plain SQL cannot check UTF-8, so a client writing the store directly
 * can store invalid UTF-8; the extension's own paths refuse it (sc_valid_name).
 */
int sc_storable_name(const char *s, int n);

/*
 * Checks the rules on one snapshot: format, uniqueness, cap, enabled, storable names,
 * timestamps (real UTC instants, updated_at not before created_at).
 * Returns NULL, or a description of the first violation (in a static buffer).
 */
const char *sc_check_rules(const sc_snapshot *s);

/* Checks that every code in both snapshots kept code, room_id, role and created_at. */
const char *sc_check_identity(const sc_snapshot *before, const sc_snapshot *after);

/*
 * Checks the schema around the store: PRAGMA integrity_check (quick when quick is set)
 * and, when the store is present, that its triggers are those sql/store_triggers.sql names.
 */
const char *sc_check_schema(sqlite3 *db, const char *schema, const char *table, int present,
                            int quick);

/*
 * What a column of INTEGER affinity (the store's enabled) makes of a value, as SQLite
 * documents it (datatype3.html, "Type Affinity"): an integer stays; a real equal to an
 * integer becomes it; text that reads as a decimal integer or real (spaces around it, a
 * sign, digits with an optional point, an optional exponent; no hex) becomes that number,
 * and an integer when its value is one. Returns 1 with *out set when the value becomes an
 * integer, else 0 (NULL, blob, other text, a fractional or out-of-range number). Written
 * from the documentation, not from SQLite's or the extension's code.
 */
int sc_integer_affinity(int type, sqlite3_int64 i, double r, const char *s, int n,
                        sqlite3_int64 *out);

/* Is s[0..n) valid UTF-8 (what messages must be)? */
int sc_valid_utf8(const char *s, int n);

#endif
