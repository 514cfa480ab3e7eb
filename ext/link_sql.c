/*
 * roomcode_link(code, base [, route]): the Room Link of a code. Pure: it reads no table,
 * so it may serve in views and generated columns. The code may be in any form
 * roomcode_normalize accepts; the link always carries the canonical form, and
 * roomcode_normalize always reads it back as that code. Every refusal of an argument is
 * SQLITE_ERROR with a "roomcode:" message naming the value.
 */
#include <string.h>

#include "errors.h"
#include "input_check.h"
#include "link.h"
#include "sql_functions.h"

/* A message refusing an argument of argv, as err says, naming its value. */
static char *link_message(int err, sqlite3_value **argv, sqlite3_value *route) {
    int bad_route = err == ROOMCODE_LINK_BAD_ROUTE;
    sqlite3_value *v = bad_route ? route : argv[err == ROOMCODE_LINK_BAD_CODE ? 0 : 1];
    char *q = roomcode_quote(sqlite3_value_text(v), sqlite3_value_bytes(v));
    char *msg = q ? sqlite3_mprintf("roomcode: %s %s%s", roomcode_link_error_text(err), q,
                                    bad_route ? " (" ROOMCODE_LINK_ROUTES ")" : "")
                  : 0;
    sqlite3_free(q);
    return msg;
}

/* Checks base and route; ROOMCODE_LINK_OK with *size set, or why they make no link. */
static int check_link(const char *code, sqlite3_value *base, sqlite3_value *route, size_t *size) {
    const char *b = (const char *)sqlite3_value_text(base);
    const char *r = route ? (const char *)sqlite3_value_text(route) : 0;
    /* Text with a NUL inside would be cut short by the C string code. */
    if (route && (!r || strlen(r) != (size_t)sqlite3_value_bytes(route)))
        return ROOMCODE_LINK_BAD_ROUTE;
    if (!b || strlen(b) != (size_t)sqlite3_value_bytes(base))
        return ROOMCODE_LINK_SPACE_IN_BASE;
    return roomcode_link_size(code, b, r, size);
}

void roomcode_fn_link(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
    char code[ROOMCODE_LEN + 1];
    sqlite3_value *route = argc > 2 ? argv[2] : 0;
    char *msg = 0, *link = 0;
    size_t size = 0;
    int rc = roomcode_parse_code(argv[0], code, &msg);
    if (rc == SQLITE_OK && sqlite3_value_type(argv[1]) != SQLITE_TEXT) {
        msg = roomcode_message_with(argv[1], "roomcode: base must be text, not ");
        rc = SQLITE_ERROR;
    } else if (rc == SQLITE_OK && route && sqlite3_value_type(route) != SQLITE_TEXT) {
        msg = roomcode_message_with(route, "roomcode: route must be text, not ");
        rc = SQLITE_ERROR;
    }
    if (rc == SQLITE_OK) {
        int err = check_link(code, argv[1], route, &size);
        if (err == ROOMCODE_LINK_OK) {
            link = sqlite3_malloc64(size);
            if (!link)
                rc = SQLITE_NOMEM;
            else
                err = roomcode_link_write(link, code, (const char *)sqlite3_value_text(argv[1]),
                                          route ? (const char *)sqlite3_value_text(route) : 0);
        }
        if (err != ROOMCODE_LINK_OK) {
            msg = link_message(err, argv, route);
            rc = SQLITE_ERROR;
        }
    }
    if (rc == SQLITE_OK) {
        sqlite3_result_text64(ctx, link, size - 1, sqlite3_free, SQLITE_UTF8);
        return;
    }
    sqlite3_free(link);
    if (msg) {
        /* roomcode_parse_code says SQLITE_CONSTRAINT; a bad argument is an SQLITE_ERROR */
        sqlite3_result_error(ctx, msg, -1);
        sqlite3_result_error_code(ctx, SQLITE_ERROR);
    } else {
        /* out of memory, also while making the message */
        sqlite3_result_error_nomem(ctx);
    }
    sqlite3_free(msg);
}
