/*
 * Unit tests for ext/link.c: every form of base, every route, and every refusal, each
 * link built in a buffer of exactly the advertised size so ASan catches an overrun.
 */
#include "link.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static const char code[] = "abc-defg-hij";

static void check_link_at(int line, const char *base, const char *route, const char *want) {
    size_t size = 0;
    int err = roomcode_link_size(code, base, route, &size);
    if (err != ROOMCODE_LINK_OK) {
        failed++;
        fprintf(stderr, "%s:%d: base '%s': %s\n", __FILE__, line, base,
                roomcode_link_error_text(err));
        return;
    }
    char *out = malloc(size);
    if (!out)
        abort();
    roomcode_link_write(out, code, base, route);
    if (strlen(out) + 1 == size && strcmp(out, want) == 0) {
        passed++;
    } else {
        failed++;
        fprintf(stderr, "%s:%d: base '%s'\n  got  %s (size %zu)\n  want %s\n", __FILE__, line, base,
                out, size, want);
    }
    free(out);
}

static void check_error_at(int line, const char *base, const char *route, int want) {
    size_t size = 12345;
    int err = roomcode_link_size(code, base, route, &size);
    if (err == want && size == 12345) {
        passed++;
    } else {
        failed++;
        fprintf(stderr, "%s:%d: base '%s': got error %d (%s), want %d (%s)\n", __FILE__, line,
                base ? base : "(null)", err, roomcode_link_error_text(err), want,
                roomcode_link_error_text(want));
    }
}

#define check_link(base, route, want) check_link_at(__LINE__, base, route, want)
#define check_error(base, route, want) check_error_at(__LINE__, base, route, want)

static void test_bases(void) {
    check_link("acme.app.100ms.live", NULL, "https://acme.app.100ms.live/meeting/abc-defg-hij");
    check_link("acme.app.100ms.live/", NULL, "https://acme.app.100ms.live/meeting/abc-defg-hij");
    check_link("localhost:8080", NULL, "https://localhost:8080/meeting/abc-defg-hij");
    check_link("https://meet.example.com", NULL, "https://meet.example.com/meeting/abc-defg-hij");
    check_link("https://meet.example.com/", NULL, "https://meet.example.com/meeting/abc-defg-hij");
    check_link("https://meet.example.com//", NULL, "https://meet.example.com/meeting/abc-defg-hij");
    check_link("https://meet.example.com/app", NULL,
               "https://meet.example.com/app/meeting/abc-defg-hij");
    check_link("https://meet.example.com/app/", NULL,
               "https://meet.example.com/app/meeting/abc-defg-hij");
    check_link("meet.example.com/a/b", NULL, "https://meet.example.com/a/b/meeting/abc-defg-hij");
    check_link("http://127.0.0.1:3000/", NULL, "http://127.0.0.1:3000/meeting/abc-defg-hij");
    check_link("HTTPS://Meet.Example.com", NULL, "HTTPS://Meet.Example.com/meeting/abc-defg-hij");
    check_link("https://x.example/%7Eteam", NULL, "https://x.example/%7Eteam/meeting/abc-defg-hij");
}

static void test_routes(void) {
    check_link("acme.app.100ms.live", "meeting",
               "https://acme.app.100ms.live/meeting/abc-defg-hij");
    check_link("acme.app.100ms.live", "preview",
               "https://acme.app.100ms.live/preview/abc-defg-hij");
    check_link("acme.app.100ms.live", "streaming/meeting",
               "https://acme.app.100ms.live/streaming/meeting/abc-defg-hij");
    check_link("https://acme.app.100ms.live/", "streaming/preview",
               "https://acme.app.100ms.live/streaming/preview/abc-defg-hij");
    check_error("acme.app.100ms.live", "foo", ROOMCODE_LINK_BAD_ROUTE);
    check_error("acme.app.100ms.live", "", ROOMCODE_LINK_BAD_ROUTE);
    check_error("acme.app.100ms.live", "Meeting", ROOMCODE_LINK_BAD_ROUTE);
    check_error("acme.app.100ms.live", "meeting/", ROOMCODE_LINK_BAD_ROUTE);
    check_error("acme.app.100ms.live", "streaming", ROOMCODE_LINK_BAD_ROUTE);
}

static void test_templates(void) {
    check_link("https://x.example/join?c={code}", NULL, "https://x.example/join?c=abc-defg-hij");
    check_link("https://x.example/join?c={code}", "preview",
               "https://x.example/join?c=abc-defg-hij");
    check_link("x.example/r/{code}#{code}", NULL, "https://x.example/r/abc-defg-hij#abc-defg-hij");
    check_link("https://x.example/{code}/", NULL, "https://x.example/abc-defg-hij/");
    check_link("https://x.example/{code}{code}", NULL,
               "https://x.example/abc-defg-hijabc-defg-hij");
    check_error("https://x.example/{code}", "foo", ROOMCODE_LINK_BAD_ROUTE);
    check_error("https://x.example/{Code}", NULL, ROOMCODE_LINK_BAD_PLACEHOLDER);
    check_error("https://x.example/{room}/{code}", NULL, ROOMCODE_LINK_BAD_PLACEHOLDER);
    check_error("https://x.example/{code", NULL, ROOMCODE_LINK_BAD_PLACEHOLDER);
    check_error("https://x.example/code}", NULL, ROOMCODE_LINK_BAD_PLACEHOLDER);
    check_error("https://{code}.example/", NULL, ROOMCODE_LINK_BAD_HOST);
}

static void test_bad_bases(void) {
    check_error(NULL, NULL, ROOMCODE_LINK_EMPTY_BASE);
    check_error("", NULL, ROOMCODE_LINK_EMPTY_BASE);
    check_error(" acme.app.100ms.live", NULL, ROOMCODE_LINK_SPACE_IN_BASE);
    check_error("acme.app.100ms.live\n", NULL, ROOMCODE_LINK_SPACE_IN_BASE);
    check_error("https://x.example/a b", NULL, ROOMCODE_LINK_SPACE_IN_BASE);
    check_error("https://x.example/\t", NULL, ROOMCODE_LINK_SPACE_IN_BASE);
    check_error("https://x.example/\x7f", NULL, ROOMCODE_LINK_SPACE_IN_BASE);
    check_error("https://b\xc3\xbc"
                "cher.example",
                NULL, ROOMCODE_LINK_BAD_CHAR_IN_BASE);
    check_error("https://x.example/\"", NULL, ROOMCODE_LINK_BAD_CHAR_IN_BASE);
    check_error("https://x.example/<script>", NULL, ROOMCODE_LINK_BAD_CHAR_IN_BASE);
    check_error("https:\\\\x.example", NULL, ROOMCODE_LINK_BAD_CHAR_IN_BASE);
    check_error("ftp://x.example", NULL, ROOMCODE_LINK_BAD_SCHEME);
    check_error("javascript://x.example", NULL, ROOMCODE_LINK_BAD_SCHEME);
    check_error("httpss://x.example", NULL, ROOMCODE_LINK_BAD_SCHEME);
    check_error("javascript:alert(1)", NULL, ROOMCODE_LINK_BAD_HOST);
    check_error("https://", NULL, ROOMCODE_LINK_BAD_HOST);
    check_error("https:///meeting", NULL, ROOMCODE_LINK_BAD_HOST);
    check_error("//x.example", NULL, ROOMCODE_LINK_BAD_HOST);
    check_error("/meeting", NULL, ROOMCODE_LINK_BAD_HOST);
    check_error("https://user@x.example", NULL, ROOMCODE_LINK_BAD_HOST);
    check_error("https://.example", NULL, ROOMCODE_LINK_BAD_HOST);
    check_error("https://x.example:", NULL, ROOMCODE_LINK_BAD_HOST);
    check_error("https://x.example:http", NULL, ROOMCODE_LINK_BAD_HOST);
    check_error("https://x.example:123456", NULL, ROOMCODE_LINK_BAD_HOST);
    check_error("https://[::1]/", NULL, ROOMCODE_LINK_BAD_HOST);
    check_error("https://x.example?room=1", NULL, ROOMCODE_LINK_QUERY_IN_BASE);
    check_error("https://x.example/app?room=1", NULL, ROOMCODE_LINK_QUERY_IN_BASE);
    check_error("https://x.example/app#top", NULL, ROOMCODE_LINK_QUERY_IN_BASE);
    check_error("x.example/?", NULL, ROOMCODE_LINK_QUERY_IN_BASE);
}

static void test_error_texts(void) {
    CHECK(strcmp(roomcode_link_error_text(ROOMCODE_LINK_BAD_ROUTE), "unknown route") == 0);
    CHECK(strcmp(roomcode_link_error_text(ROOMCODE_LINK_EMPTY_BASE), "empty base") == 0);
    CHECK(strcmp(roomcode_link_error_text(-1), "unknown error") == 0);
    for (int err = ROOMCODE_LINK_EMPTY_BASE; err <= ROOMCODE_LINK_BAD_ROUTE; err++) {
        const char *text = roomcode_link_error_text(err);
        int lower = strcmp(text, "unknown error") != 0;
        for (const char *p = text; *p; p++)
            lower &= !(*p >= 'A' && *p <= 'Z');
        CHECK(lower);
    }
}

int main(void) {
    test_bases();
    test_routes();
    test_templates();
    test_bad_bases();
    test_error_texts();
    return check_report("test_link");
}
