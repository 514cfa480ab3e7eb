/*
 * Room Link building (rules in link.h). Both entry points run the same parse, so the
 * size and the writer cannot disagree; a base is short, so parsing it twice is cheap.
 */
#include "link.h"

#include <string.h>

#include "code_format.h"

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

/*
 * Is h[0..n) a host a browser opens? Labels of letters, digits and inner hyphens (RFC
 * 1123), none empty: so no leading, doubled or trailing dot (a trailing-dot name resolves,
 * but web servers and certificates rarely answer to it). A host whose last label is a
 * number is an IPv4 address to the WHATWG URL parser, so it must be four decimal numbers
 * from 0 to 255 without leading zeros.
 */
static int host_valid(const char *h, size_t n) {
    size_t labels = 0, octets = 0;
    int last_is_number = 0;
    for (size_t start = 0; start <= n; start++, labels++) {
        const char *label = h + start;
        size_t len = 0, digits = 0, hex = 0;
        for (; start < n && h[start] != '.'; start++, len++) {
            digits += is_digit(h[start]);
            hex += is_digit(h[start]) || ((h[start] | 0x20) >= 'a' && (h[start] | 0x20) <= 'f');
        }
        if (len == 0 || label[0] == '-' || label[len - 1] == '-')
            return 0;
        last_is_number = digits == len || (len >= 2 && label[0] == '0' &&
                                           (label[1] | 0x20) == 'x' && hex == len - 1);
        if (digits == len && len <= 3 && (label[0] != '0' || len == 1) &&
            (len < 3 || strncmp(label, "255", 3) <= 0))
            octets++;
    }
    return !last_is_number || (labels == 4 && octets == 4);
}

/* Is digits[0..n) a port number: a decimal from 1 to 65535, without leading zeros? */
static int port_valid(const char *digits, size_t n) {
    unsigned long value = 0;
    for (size_t i = 0; i < n && value <= 65535; i++)
        value = value * 10 + (unsigned long)(digits[i] - '0');
    return digits[0] != '0' && value <= 65535;
}

/*
 * Does the path path[0..n) hold a dot segment? A URL parser (WHATWG: browsers, Node's new
 * URL) drops "." and, with the segment before it, ".." from a path, in any case of its
 * percent-encoding (%2e), so a link whose code stood before one would lose it.
 */
static int has_dot_segment(const char *path, size_t n) {
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && path[i] != '/')
            continue;
        size_t dots = 0, other = 0;
        for (size_t j = start; j < i; j++) {
            if (path[j] == '.') {
                dots++;
            } else if (path[j] == '%' && j + 2 < i && path[j + 1] == '2' &&
                       (path[j + 2] | 0x20) == 'e') {
                dots++;
                j += 2;
            } else {
                other++;
            }
        }
        if (other == 0 && (dots == 1 || dots == 2))
            return 1;
        start = i + 1;
    }
    return 0;
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
    if (!host_valid(host, (size_t)(p - host)))
        return ROOMCODE_LINK_BAD_HOST;
    /* a colon without digits is no port: a scheme without "//", say, as in javascript: */
    if (*p == ':' && is_digit(p[1])) {
        const char *digits = ++p;
        while (is_digit(*p))
            p++;
        if (!port_valid(digits, (size_t)(p - digits)))
            return ROOMCODE_LINK_BAD_PORT;
    }
    if (*p && !strchr("/?#", *p))
        return ROOMCODE_LINK_BAD_HOST;
    if (has_dot_segment(p, strcspn(p, "?#")))
        return ROOMCODE_LINK_DOT_SEGMENT;

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
    if (!code || !roomcode_is_canonical(code, strlen(code)))
        return ROOMCODE_LINK_BAD_CODE;
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

static void build(char *out, const char *code, const char *base, const char *route) {
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

/* Does the link in out, made for code, come back to it through roomcode_normalize? */
static int leads_back(const char *out, const char *code) {
    char found[ROOMCODE_LEN + 1];
    return roomcode_normalize_text(out, strlen(out), found) && strcmp(found, code) == 0;
}

/*
 * The link is built and read back twice: for the code, and for the code with every letter
 * moved 13 places. Whether a part of a link counts as a candidate, and how strongly, does
 * not depend on which letters the code has, only where it stands; a stray candidate holds
 * at least one letter of the base, so it cannot read as both codes. Hence this refuses
 * exactly the bases and routes whose links would leave some code, whatever the code.
 */
int roomcode_link_write(char *out, const char *code, const char *base, const char *route) {
    char other[ROOMCODE_LEN + 1];
    for (size_t i = 0; i <= ROOMCODE_LEN; i++)
        other[i] =
            code[i] >= 'a' && code[i] <= 'z' ? (char)('a' + (code[i] - 'a' + 13) % 26) : code[i];
    build(out, other, base, route);
    if (!leads_back(out, other))
        return ROOMCODE_LINK_CODE_IN_BASE;
    build(out, code, base, route);
    return leads_back(out, code) ? ROOMCODE_LINK_OK : ROOMCODE_LINK_CODE_IN_BASE;
}

/* A switch rather than a table indexed by err: values outside the enum need no check. */
const char *roomcode_link_error_text(int err) {
    switch (err) {
    case ROOMCODE_LINK_OK:
        return "no error";
    case ROOMCODE_LINK_EMPTY_BASE:
        return "empty base";
    case ROOMCODE_LINK_SPACE_IN_BASE:
        return "whitespace or control character in base";
    case ROOMCODE_LINK_BAD_CHAR_IN_BASE:
        return "character not allowed in a url in base";
    case ROOMCODE_LINK_BAD_PLACEHOLDER:
        return "unknown placeholder (only {code}) in base";
    case ROOMCODE_LINK_BAD_SCHEME:
        return "unsupported scheme (only http, https) in base";
    case ROOMCODE_LINK_BAD_HOST:
        return "invalid host in base";
    case ROOMCODE_LINK_BAD_PORT:
        return "invalid port (1 to 65535) in base";
    case ROOMCODE_LINK_QUERY_IN_BASE:
        return "query or fragment without {code} in base";
    case ROOMCODE_LINK_CODE_IN_BASE:
        return "text that reads as another room code in base";
    case ROOMCODE_LINK_DOT_SEGMENT:
        return "dot segment (. or .., also as %2e) in the path of base";
    case ROOMCODE_LINK_BAD_ROUTE:
        return "unknown route";
    case ROOMCODE_LINK_BAD_CODE:
        return "malformed room code";
    default:
        return "unknown error";
    }
}
