/*
 * The checks every write path uses on values it is given, and the quoting of values in
 * messages. Each check returns SQLITE_OK; SQLITE_CONSTRAINT with *msg, an sqlite3_malloc'd
 * message naming what was refused and the value; or SQLITE_NOMEM. The caller decides the
 * class of a refusal (see roomcode_fn_error). A NULL value pointer is SQL NULL.
 */
#ifndef ROOMCODE_INPUT_CHECK_H
#define ROOMCODE_INPUT_CHECK_H

#include <sqlite3ext.h>
#ifndef SQLITE_CORE
SQLITE_EXTENSION_INIT3
#endif

#include "code_format.h"
#include "store_limits.h"

/* room_id, role or user_id: non-empty UTF-8 text of at most ROOMCODE_MAX_NAME_BYTES bytes,
 * with no NUL and, unless allow_control, no other control character. */
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

/* Is s[0..n) valid UTF-8 (no overlong forms, surrogates or code points past U+10FFFF)? */
int roomcode_is_utf8(const unsigned char *s, int n);

#endif
