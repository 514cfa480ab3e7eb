/*
 * Checks of the names a caller passes (room_id, role, user_id) and the quoting of bad
 * input back into messages. A message that echoed raw input could carry invalid UTF-8,
 * which strict clients fail to decode, so quoting keeps only printable UTF-8.
 */
#include <stdarg.h>
#include <string.h>

#include "input_check.h"

#include "errors.h"

#define QUOTE_MAX_BYTES 64 /* longer input is cut in messages */

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0 when invalid. */
static int utf8_sequence(const unsigned char *s, int n) {
    int len;
    unsigned min;
    unsigned cp;
    if (s[0] < 0x80)
        return 1;
    if ((s[0] & 0xE0) == 0xC0) {
        len = 2, min = 0x80, cp = s[0] & 0x1F;
    } else if ((s[0] & 0xF0) == 0xE0) {
        len = 3, min = 0x800, cp = s[0] & 0x0F;
    } else if ((s[0] & 0xF8) == 0xF0) {
        len = 4, min = 0x10000, cp = s[0] & 0x07;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (int i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

int roomcode_is_utf8(const unsigned char *s, int n) {
    for (int i = 0, len; i < n; i += len) {
        len = utf8_sequence(s + i, n - i);
        if (len == 0)
            return 0;
    }
    return 1;
}

static int is_control(unsigned char c) { return c < 0x20 || c == 0x7F; }

char *roomcode_quote(const unsigned char *s, int n) {
    sqlite3_str *out = sqlite3_str_new(0);
    sqlite3_str_appendchar(out, 1, '\'');
    int i = 0;
    while (i < n && i < QUOTE_MAX_BYTES) {
        int len = utf8_sequence(s + i, n - i);
        if (len == 0 || (len == 1 && is_control(s[i]))) {
            sqlite3_str_appendf(out, "\\x%02x", s[i]);
            i++;
        } else {
            sqlite3_str_append(out, (const char *)s + i, len);
            i += len;
        }
    }
    sqlite3_str_appendall(out, i < n ? "'..." : "'");
    return sqlite3_str_finish(out);
}

char *roomcode_message_with(sqlite3_value *v, const char *fmt, ...) {
    char *d = roomcode_describe(v);
    if (!d)
        return 0;
    va_list ap;
    va_start(ap, fmt);
    sqlite3_str *out = sqlite3_str_new(0);
    sqlite3_str_vappendf(out, fmt, ap);
    va_end(ap);
    sqlite3_str_appendall(out, d);
    sqlite3_free(d);
    return sqlite3_str_finish(out);
}

char *roomcode_describe(sqlite3_value *v) {
    switch (v ? sqlite3_value_type(v) : SQLITE_NULL) {
    case SQLITE_NULL:
        return sqlite3_mprintf("NULL");
    case SQLITE_INTEGER:
        return sqlite3_mprintf("integer %lld", sqlite3_value_int64(v));
    case SQLITE_FLOAT:
        return sqlite3_mprintf("real %!.15g", sqlite3_value_double(v));
    case SQLITE_BLOB:
        return sqlite3_mprintf("a blob of %d bytes", sqlite3_value_bytes(v));
    default: {
        const unsigned char *s = sqlite3_value_text(v);
        return s ? roomcode_quote(s, sqlite3_value_bytes(v)) : 0;
    }
    }
}

int roomcode_check_name(const char *what, sqlite3_value *v, int allow_control, char **msg) {
    *msg = 0;
    int type = v ? sqlite3_value_type(v) : SQLITE_NULL;
    if (type == SQLITE_NULL)
        return roomcode_refuse(msg, sqlite3_mprintf("roomcode: %s must not be NULL", what));
    if (type != SQLITE_TEXT)
        return roomcode_refuse(msg,
                               roomcode_message_with(v, "roomcode: %s must be text, not ", what));
    const unsigned char *s = sqlite3_value_text(v);
    int n = sqlite3_value_bytes(v);
    if (s == 0)
        return SQLITE_NOMEM;
    if (n == 0)
        return roomcode_refuse(msg, sqlite3_mprintf("roomcode: %s must not be empty", what));
    const char *problem = 0;
    if (n > ROOMCODE_MAX_NAME_BYTES) {
        problem = "is longer than " ROOMCODE_TEXT_OF(ROOMCODE_MAX_NAME_BYTES) " bytes";
    } else {
        for (int i = 0; i < n && !problem;) {
            int len = utf8_sequence(s + i, n - i);
            if (len == 0)
                problem = "is not valid UTF-8";
            else if (len == 1 && (s[i] == 0 || (!allow_control && is_control(s[i]))))
                problem = s[i] == 0 ? "contains a NUL byte" : "contains a control character";
            i += len ? len : 1;
        }
    }
    if (!problem)
        return SQLITE_OK;
    char *q = roomcode_quote(s, n);
    int rc = roomcode_refuse(msg, q ? sqlite3_mprintf("roomcode: %s %s %s", what, q, problem) : 0);
    sqlite3_free(q);
    return rc;
}

int roomcode_parse_code(sqlite3_value *v, char out[ROOMCODE_LEN + 1], char **msg) {
    *msg = 0;
    int is_text = v && sqlite3_value_type(v) == SQLITE_TEXT;
    /* A code in its stored form, as an app passes it on, needs no normalizing; read as a
     * blob, the text of a bound parameter is not copied to get a NUL after it. */
    const char *given = is_text ? (const char *)sqlite3_value_blob(v) : 0;
    if (given && sqlite3_value_bytes(v) == ROOMCODE_LEN &&
        roomcode_is_canonical(given, ROOMCODE_LEN)) {
        memcpy(out, given, ROOMCODE_LEN);
        out[ROOMCODE_LEN] = '\0';
        return SQLITE_OK;
    }
    const unsigned char *s = is_text ? sqlite3_value_text(v) : 0;
    if (is_text && !s)
        return SQLITE_NOMEM;
    if (s && roomcode_normalize_text((const char *)s, (size_t)sqlite3_value_bytes(v), out))
        return SQLITE_OK;
    return roomcode_refuse(msg, roomcode_message_with(v, "roomcode: malformed room code "));
}
