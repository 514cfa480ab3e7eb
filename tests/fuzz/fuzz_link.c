/*
 * libFuzzer target for ext/link.c. The input is "code \0 base \0 route" (a missing route
 * means the default). roomcode_link_size() takes canonical codes only; whenever it accepts
 * a base, roomcode_link_write() fills a heap buffer of exactly that size (ASan catches an
 * overrun). The invariants: an accepted link is as long as advertised, is an http(s) URL
 * made of allowed characters, is the link the rules describe, and always gives its code
 * back through roomcode_normalize_text(), never another, and has no dot segment ("." or
 * "..", also as %2e) in its path, which a URL parser would drop with the code; whether a base is
 * accepted does not depend on the code; and a refused one would indeed have given another code (or
 * none) for the code or for the code 13 letters on, or holds a dot segment when refused for one.
 */
#include "code_format.h"
#include "link.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"

/* Splits off the next NUL-terminated part, as a heap string of exactly its length. */
static char *take_part(const uint8_t **p, const uint8_t *end, int *present) {
    const uint8_t *start = *p;
    const uint8_t *nul = memchr(start, 0, (size_t)(end - start));
    size_t n = (size_t)((nul ? nul : end) - start);
    *present = start < end || nul;
    *p = nul ? nul + 1 : end;
    char *s = malloc(n + 1);
    if (!s)
        abort();
    memcpy(s, start, n);
    s[n] = '\0';
    return s;
}

static int count_of(const char *s, const char *what) {
    int n = 0;
    for (const char *p = strstr(s, what); p; p = strstr(p + 1, what))
        n++;
    return n;
}

static int starts_with_nocase(const char *s, const char *prefix) {
    for (; *prefix; s++, prefix++) {
        if ((*s | 0x20) != *prefix && *s != *prefix)
            return 0;
    }
    return 1;
}

/* The link by hand from the rules in link.h, for a base roomcode_link_size() accepted. */
static char *reference_link(const char *code, const char *base, const char *route) {
    size_t n = strlen(base), cn = strlen(code);
    /* room for a route not checked yet: a base refused for a dot segment is refused first */
    char *out = malloc(strlen("https://") + n * 3 + strlen("/streaming/preview/") +
                       (route ? strlen(route) : 0) + cn + 1);
    if (!out)
        abort();
    size_t o = 0;
    if (!starts_with_nocase(base, "http://") && !starts_with_nocase(base, "https://"))
        o += (size_t)sprintf(out, "https://");
    if (strstr(base, "{code}")) {
        for (const char *p = base; *p;) {
            if (strncmp(p, "{code}", 6) == 0) {
                memcpy(out + o, code, cn);
                o += cn;
                p += 6;
            } else {
                out[o++] = *p++;
            }
        }
    } else {
        while (n > 0 && base[n - 1] == '/')
            n--;
        memcpy(out + o, base, n);
        o += n;
        o += (size_t)sprintf(out + o, "/%s/%s", route ? route : "meeting", code);
    }
    out[o] = '\0';
    return out;
}

/*
 * Does the URL link (scheme "://" host ...) have a dot segment in its path, the part after
 * the host and port up to "?" or "#"? A segment is one when it is "." or "..", each dot
 * written as "." or as "%2e" in any case: what a WHATWG URL parser drops.
 */
static int path_has_dot_segment(const char *link) {
    const char *p = strstr(link, "://");
    if (!p)
        return 0;
    p += 3;
    p += strcspn(p, "/?#");
    size_t end = strcspn(p, "?#");
    for (size_t i = 0; i < end;) { /* p[i] is the '/' before a segment */
        size_t j = i + 1, dots = 0, others = 0;
        while (j < end && p[j] != '/') {
            if (p[j] == '.') {
                dots++;
                j++;
            } else if (p[j] == '%' && j + 2 < end && p[j + 1] == '2' &&
                       (p[j + 2] == 'e' || p[j + 2] == 'E')) {
                dots++;
                j += 3;
            } else {
                others++;
                j++;
            }
        }
        if (others == 0 && (dots == 1 || dots == 2))
            return 1;
        i = j;
    }
    return 0;
}

static int comes_back(const char *link, const char *code) {
    char found[ROOMCODE_LEN + 1];
    return roomcode_normalize_text(link, strlen(link), found) && strcmp(found, code) == 0;
}

/* The code with every letter 13 places on: it differs from code in every letter. */
static void shifted(const char *code, char out[ROOMCODE_LEN + 1]) {
    for (size_t i = 0; i <= ROOMCODE_LEN; i++)
        out[i] =
            code[i] >= 'a' && code[i] <= 'z' ? (char)('a' + (code[i] - 'a' + 13) % 26) : code[i];
}

/* Returns what roomcode_link says of (code, base, route), checking the link it makes. */
static int check_link(const char *code, const char *base, const char *route) {
    size_t size = 0;
    int err = roomcode_link_size(code, base, route, &size);
    CHECK(err >= ROOMCODE_LINK_OK && err <= ROOMCODE_LINK_DOT_SEGMENT);
    CHECK(err != ROOMCODE_LINK_CODE_IN_BASE);
    CHECK(roomcode_link_error_text(err) != NULL);
    int canonical = roomcode_is_canonical(code, strlen(code));
    CHECK(canonical ? err != ROOMCODE_LINK_BAD_CODE : err == ROOMCODE_LINK_BAD_CODE);
    if (err == ROOMCODE_LINK_DOT_SEGMENT) {
        /* refused for a dot segment: the link by the rules would indeed hold one */
        char *dotted = reference_link(code, base, route);
        CHECK(path_has_dot_segment(dotted));
        free(dotted);
    }
    if (err != ROOMCODE_LINK_OK)
        return err;

    char *out = malloc(size);
    if (!out)
        abort();
    err = roomcode_link_write(out, code, base, route);
    CHECK(err == ROOMCODE_LINK_OK || err == ROOMCODE_LINK_CODE_IN_BASE);
    CHECK(strlen(out) + 1 == size);
    char *want = reference_link(code, base, route);
    if (err == ROOMCODE_LINK_OK) {
        CHECK(strcmp(out, want) == 0);
        CHECK(starts_with_nocase(out, "https://") || starts_with_nocase(out, "http://"));
        for (const char *p = out; *p; p++) {
            unsigned char c = (unsigned char)*p;
            CHECK(c > 0x20 && c < 0x7f && !strchr("\"<>\\^`|{}", c));
        }
        CHECK(count_of(base, "{code}") || count_of(out, "?") + count_of(out, "#") == 0);
        /* a URL parser keeps the link's path as it is: no "." or ".." segment to drop */
        CHECK(!path_has_dot_segment(out));
        /* the round trip: the link reads as its code, never as another */
        CHECK(comes_back(out, code));
    } else {
        /* refused: the link of code or of the shifted code would not come back */
        char other[ROOMCODE_LEN + 1];
        shifted(code, other);
        char *want_other = reference_link(other, base, route);
        CHECK(!comes_back(want, code) || !comes_back(want_other, other));
        free(want_other);
    }
    free(want);
    free(out);
    return err;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const uint8_t *p = data, *end = data + size;
    int has_code, has_base, has_route;
    char *code = take_part(&p, end, &has_code);
    char *base = take_part(&p, end, &has_base);
    char *route = take_part(&p, end, &has_route);

    const char *b = has_base ? base : NULL, *r = has_route ? route : NULL;
    check_link(code, b, r);
    /* The extension passes canonical codes: the input's code normalized, and others. A
     * base is accepted or refused whatever the code. */
    char canonical[ROOMCODE_LEN + 1];
    if (!roomcode_normalize_text(code, strlen(code), canonical))
        memcpy(canonical, "abc-defg-hij", sizeof canonical);
    int verdict = check_link(canonical, b, r);
    CHECK(check_link("zzz-zzzz-zzz", b, r) == verdict);
    char letters[ROOMCODE_LEN + 1];
    roomcode_format_letters((const unsigned char *)"\x05\x0c\x11\x00\x19\x02\x08\x0f\x14\x16",
                            letters);
    CHECK(check_link(letters, b, r) == verdict);

    free(code);
    free(base);
    free(route);
    return 0;
}
