/*
 * roomcode_link(code, base [, route]): the Room Link of a code. Pure: it reads no table,
 * so it may serve in views and generated columns. The code may be in any form
 * roomcode_normalize accepts; the link always carries the canonical form.
 */
#include <string.h>

#include "link.h"
#include "roomcode_internal.h"

/* Refuses a base or route that is not text; NULL when it is. */
static char *refuse_type(const char *what, sqlite3_value *v) {
    if (sqlite3_value_type(v) == SQLITE_TEXT)
        return 0;
    return roomcode_message_with(v, "roomcode: %s must be text, not ", what);
}

/* Why base and route make no link, as a message; NULL when they make one of *size bytes. */
static char *refuse_link(const char *code, sqlite3_value *base, sqlite3_value *route,
                         size_t *size) {
    const char *b = (const char *)sqlite3_value_text(base);
    const char *r = route ? (const char *)sqlite3_value_text(route) : 0;
    int err;
    /* Text with a NUL inside would be cut short by the C string code. */
    if (route && (!r || strlen(r) != (size_t)sqlite3_value_bytes(route)))
        err = ROOMCODE_LINK_BAD_ROUTE;
    else if (!b || strlen(b) != (size_t)sqlite3_value_bytes(base))
        err = ROOMCODE_LINK_SPACE_IN_BASE;
    else
        err = roomcode_link_size(code, b, r, size);
    if (err == ROOMCODE_LINK_OK)
        return 0;
    int bad_route = err == ROOMCODE_LINK_BAD_ROUTE;
    sqlite3_value *v = bad_route ? route : base;
    char *q = roomcode_quote(sqlite3_value_text(v), sqlite3_value_bytes(v));
    char *msg = q ? sqlite3_mprintf("roomcode: %s %s%s", roomcode_link_error_text(err), q,
                                    bad_route ? " (" ROOMCODE_LINK_ROUTES ")" : "")
                  : 0;
    sqlite3_free(q);
    return msg;
}

void roomcode_fn_link(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
    char code[ROOMCODE_LEN + 1];
    sqlite3_value *route = argc > 2 ? argv[2] : 0;
    char *msg = 0;
    size_t size = 0;
    int rc = roomcode_parse_code(argv[0], code, &msg);
    if (rc == SQLITE_OK) {
        msg = refuse_type("base", argv[1]);
        if (!msg && route)
            msg = refuse_type("route", route);
        if (!msg)
            msg = refuse_link(code, argv[1], route, &size);
        rc = msg ? SQLITE_ERROR : SQLITE_OK;
    }
    char *link = rc == SQLITE_OK ? sqlite3_malloc64(size) : 0;
    if (rc == SQLITE_OK && link) {
        roomcode_link_write(link, code, (const char *)sqlite3_value_text(argv[1]),
                            route ? (const char *)sqlite3_value_text(route) : 0);
        sqlite3_result_text64(ctx, link, size - 1, sqlite3_free, SQLITE_UTF8);
    } else if (msg) {
        sqlite3_result_error(ctx, msg, -1);
    } else {
        sqlite3_result_error_nomem(ctx);
    }
    sqlite3_free(msg);
}
