/*
 * Room Link building (rules in link.h). Both entry points run the same parse, so the
 * size and the writer cannot disagree; a base is short, so parsing it twice is cheap.
 */
#include "link.h"

#include <string.h>

static const char placeholder[] = "{code}";
#define PLACEHOLDER_LEN (sizeof placeholder - 1)

static const char *const routes[] = {"meeting", "preview", "streaming/meeting",
                                     "streaming/preview"};

typedef struct link_base {
    int add_scheme;   /* no scheme given: the link gets "https://" */
    size_t used;      /* bytes of base copied when not a template (no trailing slashes) */
    size_t templates; /* occurrences of "{code}" */
} link_base;

static int is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_alnum(char c) { return is_alpha(c) || is_digit(c); }

/* Return the end of a leading "scheme://", or NULL when base starts with a host. */
static const char *scheme_end(const char *base) {
    const char *p = base;
    if (!is_alpha(*p))
        return NULL;
    while (is_alnum(*p) || *p == '+' || *p == '-' || *p == '.')
        p++;
    return strncmp(p, "://", 3) == 0 ? p + 3 : NULL;
}

static int scheme_is(const char *base, const char *end, const char *want) {
    size_t n = strlen(want);
    if ((size_t)(end - base) != n + 3)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((base[i] | 0x20) != want[i])
            return 0;
    return 1;
}

static int parse_base(const char *base, link_base *lb) {
    if (!base || !*base)
        return ROOMCODE_LINK_EMPTY_BASE;

    lb->templates = 0;
    for (const char *p = base; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c <= 0x20 || c == 0x7f)
            return ROOMCODE_LINK_SPACE_IN_BASE;
        /* Not allowed in a URL (RFC 3986); a browser would rewrite or reject them. */
        if (c >= 0x80 || strchr("\"<>\\^`|", c))
            return ROOMCODE_LINK_BAD_CHAR_IN_BASE;
        if (c == '{' && strncmp(p, placeholder, PLACEHOLDER_LEN) == 0) {
            lb->templates++;
            p += PLACEHOLDER_LEN - 1;
        } else if (c == '{' || c == '}') {
            return ROOMCODE_LINK_BAD_PLACEHOLDER;
        }
    }

    const char *host = scheme_end(base);
    lb->add_scheme = host == NULL;
    if (!host)
        host = base;
    else if (!scheme_is(base, host, "https") && !scheme_is(base, host, "http"))
        return ROOMCODE_LINK_BAD_SCHEME;

    const char *p = host;
    while (is_alnum(*p) || *p == '-' || *p == '.')
        p++;
    if (p == host || !is_alnum(host[0]) || !is_alnum(p[-1]))
        return ROOMCODE_LINK_BAD_HOST;
    if (*p == ':') {
        const char *port = ++p;
        while (is_digit(*p))
            p++;
        if (p == port || p - port > 5)
            return ROOMCODE_LINK_BAD_HOST;
    }
    if (*p && !strchr("/?#", *p))
        return ROOMCODE_LINK_BAD_HOST;

    lb->used = strlen(base);
    if (lb->templates == 0) {
        if (strpbrk(p, "?#"))
            return ROOMCODE_LINK_QUERY_IN_BASE;
        while (base[lb->used - 1] == '/')
            lb->used--;
    }
    return ROOMCODE_LINK_OK;
}

static int route_known(const char *route) {
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        if (strcmp(route, routes[i]) == 0)
            return 1;
    return 0;
}

int roomcode_link_size(const char *code, const char *base, const char *route, size_t *size) {
    link_base lb;
    int err = parse_base(base, &lb);
    if (err)
        return err;
    if (!route)
        route = routes[0];
    if (!route_known(route))
        return ROOMCODE_LINK_BAD_ROUTE;

    size_t n = (lb.add_scheme ? strlen("https://") : 0) + 1;
    if (lb.templates)
        n += lb.used - lb.templates * PLACEHOLDER_LEN + lb.templates * strlen(code);
    else
        n += lb.used + 1 + strlen(route) + 1 + strlen(code);
    *size = n;
    return ROOMCODE_LINK_OK;
}

static char *append(char *out, const char *z, size_t n) {
    memcpy(out, z, n);
    return out + n;
}

void roomcode_link_write(char *out, const char *code, const char *base, const char *route) {
    link_base lb;
    size_t code_len = strlen(code);
    (void)parse_base(base, &lb);
    if (!route)
        route = routes[0];

    if (lb.add_scheme)
        out = append(out, "https://", strlen("https://"));
    if (lb.templates) {
        for (const char *p = base; *p;) {
            if (strncmp(p, placeholder, PLACEHOLDER_LEN) == 0) {
                out = append(out, code, code_len);
                p += PLACEHOLDER_LEN;
            } else {
                *out++ = *p++;
            }
        }
    } else {
        out = append(out, base, lb.used);
        *out++ = '/';
        out = append(out, route, strlen(route));
        *out++ = '/';
        out = append(out, code, code_len);
    }
    *out = '\0';
}

const char *roomcode_link_error_text(int err) {
    static const char *const texts[] = {
        [ROOMCODE_LINK_OK] = "no error",
        [ROOMCODE_LINK_EMPTY_BASE] = "empty base",
        [ROOMCODE_LINK_SPACE_IN_BASE] = "whitespace or control character in base",
        [ROOMCODE_LINK_BAD_CHAR_IN_BASE] = "character not allowed in a url in base",
        [ROOMCODE_LINK_BAD_PLACEHOLDER] = "unknown placeholder (only {code}) in base",
        [ROOMCODE_LINK_BAD_SCHEME] = "unsupported scheme (only http, https) in base",
        [ROOMCODE_LINK_BAD_HOST] = "invalid host in base",
        [ROOMCODE_LINK_QUERY_IN_BASE] = "query or fragment without {code} in base",
        [ROOMCODE_LINK_BAD_ROUTE] = "unknown route",
    };
    if (err < 0 || (size_t)err >= sizeof texts / sizeof texts[0])
        return "unknown error";
    return texts[err];
}
