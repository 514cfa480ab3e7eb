/*
 * libFuzzer target for ext/link.c. The input is "code \0 base \0 route" (a missing route
 * means the default); whenever roomcode_link_size() accepts a base, roomcode_link_write()
 * fills a heap buffer of exactly that size (ASan catches an overrun) with a link that
 * is as long as advertised, is an http(s) URL made of allowed characters, carries the
 * code, and gives the code back through roomcode_normalize_text().
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

static void check_link(const char *code, const char *base, const char *route) {
    size_t size = 0;
    int err = roomcode_link_size(code, base, route, &size);
    CHECK(err >= ROOMCODE_LINK_OK && err <= ROOMCODE_LINK_BAD_ROUTE);
    CHECK(roomcode_link_error_text(err) != NULL);
    if (err != ROOMCODE_LINK_OK)
        return;

    char *out = malloc(size);
    if (!out)
        abort();
    roomcode_link_write(out, code, base, route);
    CHECK(strlen(out) + 1 == size);
    CHECK(starts_with_nocase(out, "https://") || starts_with_nocase(out, "http://"));
    int template = strstr(base, "{code}") != NULL;
    /* The base is checked; the code is the caller's, so only the base part is looked at. */
    if (!template) {
        const char *r = route ? route : "meeting";
        size_t rn = strlen(r), cn = strlen(code);
        CHECK(size > rn + cn + 2);
        const char *tail = out + size - 1 - cn;
        CHECK(strcmp(tail, code) == 0);
        CHECK(tail[-1] == '/');
        CHECK(strncmp(tail - 1 - rn, r, rn) == 0 && tail[-2 - (long)rn] == '/');
        for (const char *p = out; p < tail - 2 - rn; p++) {
            unsigned char c = (unsigned char)*p;
            CHECK(c > 0x20 && c < 0x7f && !strchr("\"<>\\^`|{}?#", c));
        }
    } else if (!strchr(code, '{')) {
        CHECK(count_of(out, "{code}") == 0);
        for (const char *p = out; *p; p++) {
            unsigned char c = (unsigned char)*p;
            CHECK(strchr(code, c) || (c > 0x20 && c < 0x7f && !strchr("\"<>\\^`|{}", c)));
        }
    }

    /* A link made from a base that names no code of its own leads back to the code. */
    char found[ROOMCODE_LEN + 1];
    if (roomcode_is_canonical(code, strlen(code)) && !template &&
        !roomcode_normalize_text(base, strlen(base), found)) {
        CHECK(roomcode_normalize_text(out, strlen(out), found) == 1);
        CHECK(strcmp(found, code) == 0);
    }
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const uint8_t *p = data, *end = data + size;
    int has_code, has_base, has_route;
    char *code = take_part(&p, end, &has_code);
    char *base = take_part(&p, end, &has_base);
    char *route = take_part(&p, end, &has_route);

    check_link(code, has_base ? base : NULL, has_route ? route : NULL);
    /* The extension passes canonical codes: also try the input's code normalized. */
    char canonical[ROOMCODE_LEN + 1];
    if (roomcode_normalize_text(code, strlen(code), canonical))
        check_link(canonical, has_base ? base : NULL, has_route ? route : NULL);
    else
        check_link("abc-defg-hij", has_base ? base : NULL, has_route ? route : NULL);

    free(code);
    free(base);
    free(route);
    return 0;
}
