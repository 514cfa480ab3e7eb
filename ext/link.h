/*
 * Room Links: the shareable URL of a room code on a 100ms or custom domain. Pure
 * string code, no SQLite, no heap: roomcode_link_size() checks the base and sizes, the
 * caller allocates, roomcode_link_write() fills the buffer and checks the link comes back.
 *
 * A base is one of
 *   - a domain, with an optional port and path: "acme.app.100ms.live" gets "https://";
 *   - an http or https URL, with or without path and trailing slashes;
 *   - a template: any of the above containing "{code}", every occurrence replaced by the
 *     code and nothing appended, so it may carry a query or fragment.
 * A non-template link is base (trailing slashes dropped) + "/" + route + "/" + code.
 * A base is refused when it is empty; holds whitespace, control or non-ASCII bytes (use
 * punycode and percent-encoding) or one of " < > \ ^ ` |; has a brace outside "{code}";
 * has a scheme other than http or https; has a host that is not dot-separated labels of
 * letters, digits and inner hyphens (no empty label, so no leading or trailing dot), or
 * whose last label is a number without the host being an IPv4 address a.b.c.d; has a port
 * that is not a decimal from 1 to 65535 without leading zeros; has a dot segment in its
 * path ("." or "..", also percent-encoded as %2e in any case), which a URL parser removes
 * with the segment before it, code and all; without "{code}", has a
 * query or fragment; or holds text that roomcode_normalize_text would read as a code
 * competing with the link's own (code_format.c ranks the candidates), so that its links
 * would not come back to their code. That last refusal depends on the base and route
 * only, never on the code.
 */
#ifndef ROOMCODE_LINK_H
#define ROOMCODE_LINK_H

#include <stddef.h>

/* The routes of a 100ms Room Link, for error messages. */
#define ROOMCODE_LINK_ROUTES "meeting, preview, streaming/meeting, streaming/preview"

enum roomcode_link_err {
    ROOMCODE_LINK_OK = 0,
    ROOMCODE_LINK_EMPTY_BASE,
    ROOMCODE_LINK_SPACE_IN_BASE,
    ROOMCODE_LINK_BAD_CHAR_IN_BASE,
    ROOMCODE_LINK_BAD_PLACEHOLDER,
    ROOMCODE_LINK_BAD_SCHEME,
    ROOMCODE_LINK_BAD_HOST,
    ROOMCODE_LINK_BAD_PORT,
    ROOMCODE_LINK_QUERY_IN_BASE,
    ROOMCODE_LINK_CODE_IN_BASE,
    ROOMCODE_LINK_BAD_ROUTE,
    ROOMCODE_LINK_BAD_CODE, /* code is not canonical: a caller's bug, never the user's */
    ROOMCODE_LINK_DOT_SEGMENT
};

/*
 * Check the canonical code, base and route (NULL means "meeting"; a template ignores a
 * valid route) and on success store in *size the bytes the link of code needs, NUL
 * included.
 */
int roomcode_link_size(const char *code, const char *base, const char *route, size_t *size);

/*
 * Write the link and a NUL into out, sized by a successful roomcode_link_size(), and
 * return ROOMCODE_LINK_OK when roomcode_normalize_text() reads it back as code, else
 * ROOMCODE_LINK_CODE_IN_BASE (out then holds no usable link).
 */
int roomcode_link_write(char *out, const char *code, const char *base, const char *route);

/* Return a short lowercase reason for err, to be followed by the offending value. */
const char *roomcode_link_error_text(int err);

#endif
