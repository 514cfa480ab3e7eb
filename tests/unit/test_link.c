/*
 * Unit tests for ext/link.c: every form of base, every route, and every refusal, each
 * link built in a buffer of exactly the advertised size so ASan catches an overrun; and a
 * seeded property test that every link roomcode_link makes comes back to its code.
 */
#include "link.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "code_format.h"

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
    err = roomcode_link_write(out, code, base, route);
    char back[ROOMCODE_LEN + 1] = "";
    int found = roomcode_normalize_text(out, strlen(out), back);
    if (err == ROOMCODE_LINK_OK && strlen(out) + 1 == size && strcmp(out, want) == 0 && found &&
        strcmp(back, code) == 0) {
        passed++;
    } else {
        failed++;
        fprintf(stderr, "%s:%d: base '%s': %s\n  got  %s (size %zu, reads as %s)\n  want %s\n",
                __FILE__, line, base, roomcode_link_error_text(err), out, size,
                found ? back : "nothing", want);
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

/* base and route pass roomcode_link_size but their links would not come back. */
static void check_refused_at(int line, const char *base, const char *route) {
    size_t size = 0;
    int err = roomcode_link_size(code, base, route, &size);
    char *out = err == ROOMCODE_LINK_OK ? malloc(size) : 0;
    if (out)
        err = roomcode_link_write(out, code, base, route);
    if (err == ROOMCODE_LINK_CODE_IN_BASE) {
        passed++;
    } else {
        failed++;
        fprintf(stderr, "%s:%d: base '%s': got %s, want %s\n", __FILE__, line, base,
                roomcode_link_error_text(err),
                roomcode_link_error_text(ROOMCODE_LINK_CODE_IN_BASE));
    }
    free(out);
}

/* code is not canonical: refused before the base is looked at. */
static void check_error_code_at(int line, const char *c) {
    size_t size = 12345;
    int err = roomcode_link_size(c, "acme.app.100ms.live", NULL, &size);
    if (err == ROOMCODE_LINK_BAD_CODE && size == 12345) {
        passed++;
    } else {
        failed++;
        fprintf(stderr, "%s:%d: code '%s': got %s\n", __FILE__, line, c,
                roomcode_link_error_text(err));
    }
}

#define check_error_code(c) check_error_code_at(__LINE__, c)
#define check_link(base, route, want) check_link_at(__LINE__, base, route, want)
#define check_error(base, route, want) check_error_at(__LINE__, base, route, want)
#define check_refused(base, route) check_refused_at(__LINE__, base, route)

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
    check_error("https://x.example:80x", NULL, ROOMCODE_LINK_BAD_HOST);
    check_error("https://x.example:123456", NULL, ROOMCODE_LINK_BAD_PORT);
    check_error("https://[::1]/", NULL, ROOMCODE_LINK_BAD_HOST);
    check_error("https://x.example?room=1", NULL, ROOMCODE_LINK_QUERY_IN_BASE);
    check_error("https://x.example/app?room=1", NULL, ROOMCODE_LINK_QUERY_IN_BASE);
    check_error("https://x.example/app#top", NULL, ROOMCODE_LINK_QUERY_IN_BASE);
    check_error("x.example/?", NULL, ROOMCODE_LINK_QUERY_IN_BASE);
}

/* Ports out of range and hosts with empty labels are not URLs anyone can open. */
static void test_ports_and_hosts(void) {
    check_link("x.com:1", NULL, "https://x.com:1/meeting/abc-defg-hij");
    check_link("x.com:65535", NULL, "https://x.com:65535/meeting/abc-defg-hij");
    check_link("http://10.0.0.255:8080", NULL, "http://10.0.0.255:8080/meeting/abc-defg-hij");
    check_link("a-b.x-1.com", NULL, "https://a-b.x-1.com/meeting/abc-defg-hij");
    check_link("x.com.abc123", NULL, "https://x.com.abc123/meeting/abc-defg-hij");
    check_error("x.com:99999", NULL, ROOMCODE_LINK_BAD_PORT);
    check_error("x.com:65536", NULL, ROOMCODE_LINK_BAD_PORT);
    check_error("x.com:0", NULL, ROOMCODE_LINK_BAD_PORT);
    check_error("x.com:080", NULL, ROOMCODE_LINK_BAD_PORT);
    check_error("https://x.com:99999999999999999999999/", NULL, ROOMCODE_LINK_BAD_PORT);
    check_error("a..b", NULL, ROOMCODE_LINK_BAD_HOST);
    check_error(".a.com", NULL, ROOMCODE_LINK_BAD_HOST);
    check_error("a.com.", NULL, ROOMCODE_LINK_BAD_HOST);
    check_error("https://a.com./meeting", NULL, ROOMCODE_LINK_BAD_HOST);
    check_error("https://a.com.:8080", NULL, ROOMCODE_LINK_BAD_HOST);
    check_error("-a.com", NULL, ROOMCODE_LINK_BAD_HOST);
    check_error("a-.com", NULL, ROOMCODE_LINK_BAD_HOST);
    check_error("a.-b.com", NULL, ROOMCODE_LINK_BAD_HOST);
    check_error("https://1.2.3.256/", NULL, ROOMCODE_LINK_BAD_HOST);
    check_error("https://1.2.3/", NULL, ROOMCODE_LINK_BAD_HOST);
    check_error("https://01.2.3.4/", NULL, ROOMCODE_LINK_BAD_HOST);
    check_error("https://x.123/", NULL, ROOMCODE_LINK_BAD_HOST);
    check_error("https://x.0x1f/", NULL, ROOMCODE_LINK_BAD_HOST);
    check_error(":8080", NULL, ROOMCODE_LINK_BAD_HOST);
}

/* Bases and templates whose links would read as another code, or as none. */
static void test_code_in_base(void) {
    /* the attacker's shapes: they work now */
    check_link("https://example.com/conference/", NULL,
               "https://example.com/conference/meeting/abc-defg-hij");
    check_link("https://x.com/a?team=engineering&c={code}", NULL,
               "https://x.com/a?team=engineering&c=abc-defg-hij");
    check_link("https://x.com/a?team=conference&c={code}", NULL,
               "https://x.com/a?team=conference&c=abc-defg-hij");
    check_link("https://x.com/r/{code}x", NULL, "https://x.com/r/abc-defg-hijx");
    check_link("https://x.com/{code}.html", NULL, "https://x.com/abc-defg-hij.html");
    check_link("https://x.com/well-made-things/{code}", NULL,
               "https://x.com/well-made-things/abc-defg-hij");
    check_link("https://x.com/meeting", NULL, "https://x.com/meeting/meeting/abc-defg-hij");
    check_link("https://x.com/zzz-zzzz-zzz/", NULL,
               "https://x.com/zzz-zzzz-zzz/meeting/abc-defg-hij");
    /* a code of the base's own where the code goes, or marked more clearly */
    check_refused("https://x.com/meeting/conference", NULL);
    check_refused("https://x.com/preview/zzz-zzzz-zzz/", "preview");
    check_refused("https://x.com/code=conference", NULL);
    check_refused("https://x.com/meeting/conference/{code}", NULL);
    check_refused("https://x.com/r/{code}?code=conference", NULL);
    check_refused("https://x.com/zzz-zzzz-zzz/{code}", NULL);
    check_refused("https://x.com/{code}#ZZZ-ZZZZ-ZZZ", NULL);
    check_refused("https://x.com/{code}-abcd-efg", NULL);
    check_refused("https://x.com/well-made-things/{code}x", NULL);
    /* the verdict is the base's: the same for a code the base happens to hold */
    static const char *const codes[] = {"abc-defg-hij", "zzz-zzzz-zzz", "mmm-mmmm-mmm"};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        char out[64];
        size_t size = 0;
        CHECK(roomcode_link_size(codes[i], "https://x.com/zzz-zzzz-zzz/{code}", 0, &size) == 0);
        CHECK(size <= sizeof out);
        CHECK(roomcode_link_write(out, codes[i], "https://x.com/zzz-zzzz-zzz/{code}", 0) ==
              ROOMCODE_LINK_CODE_IN_BASE);
    }
    /* roomcode_link takes canonical codes only; the SQL function normalizes first */
    check_error_code("ABC-DEFG-HIJ");
    check_error_code("abcdefghij");
    check_error_code("");
}

/*
 * The property: every link roomcode_link makes comes back to its code. Bases are drawn
 * from a fixed seed, so a failure repeats; each is tried with every route and two codes.
 */
static uint64_t seed = 0x5eed2026u;

static uint64_t next_random(void) { /* splitmix64 */
    uint64_t z = (seed += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static size_t below(size_t n) { return (size_t)(next_random() % n); }

static const char *pick(const char *const *items, size_t n) { return items[below(n)]; }
#define PICK(items) pick(items, sizeof items / sizeof items[0])

typedef struct buf {
    char s[1024];
    size_t n;
} buf;

static void add(buf *t, const char *z) {
    size_t len = strlen(z);
    if (t->n + len >= sizeof t->s)
        abort();
    memcpy(t->s + t->n, z, len + 1);
    t->n += len;
}

/* Letters of length 1..20, 10 (a code's count) more often than the others. */
static void add_word(buf *t) {
    char w[21];
    size_t len = below(4) == 0 ? 10 : 1 + below(20);
    int style = (int)below(4); /* lower, upper, capitalized, mixed */
    for (size_t i = 0; i < len; i++) {
        char c = (char)('a' + below(26));
        if (style == 1 || (style == 2 && i == 0) || (style == 3 && below(2)))
            c = (char)(c - 'a' + 'A');
        w[i] = c;
    }
    w[len] = '\0';
    add(t, w);
}

static void random_code(char out[ROOMCODE_LEN + 1]) {
    unsigned char letters[ROOMCODE_LETTERS];
    for (size_t i = 0; i < ROOMCODE_LETTERS; i++)
        letters[i] = (unsigned char)below(26);
    roomcode_format_letters(letters, out);
}

/* What the generator put in a base, to say which bases must be accepted. */
typedef struct shape {
    int template;
    int dashed; /* letters-dash-letters-dash-letters somewhere outside {code} */
    int marker; /* meeting/, preview/ or code= before anything but {code} */
    int word10; /* a 10-letter word outside the host */
    int around; /* text right before or after {code} in its part */
} shape;

/* A part of a path, query or fragment: text a base may hold, noted in sh. */
static void add_filler(buf *t, shape *sh) {
    static const char *const spellings[] = {"ABCDEFGHIJ",  "abc.defg.hij", "abc_defg_hij",
                                            "abc-defghij", "Xvm.Wxwo.Gbl", "abcdefg-hij"};
    static const char *const dashed[] = {"well-made-things", "abc-defg-hij",  "XYZ-ABCD-EFG",
                                         "big-team-abc",     "team-room-one", "a-bcde-fghij"};
    static const char *const other[] = {"streaming", "app", "%7Eteam", "v2", "join", "123",
                                        "a.b",       "~x",  "_",       "r",  "code", "MEETINGS"};
    size_t k = below(10);
    if (k < 5) {
        size_t before = t->n;
        add_word(t);
        sh->word10 |= t->n - before == 10;
    } else if (k == 5) {
        add(t, PICK(spellings));
        sh->word10 = 1;
    } else if (k == 6) {
        add(t, PICK(dashed));
        sh->dashed = 1;
    } else if (k == 7) {
        add(t, below(2) ? "meeting/" : "Preview/");
        add_word(t);
        sh->marker = 1;
    } else {
        add(t, PICK(other));
    }
}

/* {code} with what may stand around it in its part. */
static void add_code(buf *t, shape *sh, int marked) {
    static const char *const before[] = {"", "", "x", "room", "r-", "v2_", "12", ".", "~"};
    static const char *const after[] = {"", "", "x", "now", ".html", "-2", "_now", "-now", "~"};
    const char *b = marked ? "" : PICK(before), *a = marked ? "" : PICK(after);
    add(t, b);
    add(t, "{code}");
    add(t, a);
    sh->around |= *b || *a;
}

static const char *const hosts[] = {"acme.app.100ms.live",
                                    "meet.example.com",
                                    "localhost",
                                    "127.0.0.1",
                                    "abc.defg.hij",
                                    "www.acme.com",
                                    "conference.io",
                                    "abc-defg-hij.example.com",
                                    "x.com",
                                    "a1.b-2.c3",
                                    "xvmwxwogbl.live"};

static void make_base(buf *t, shape *sh) {
    static const char *const schemes[] = {"", "", "https://", "http://", "HTTPS://"};
    memset(sh, 0, sizeof *sh);
    t->n = 0;
    t->s[0] = '\0';
    add(t, PICK(schemes));
    add(t, PICK(hosts));
    if (below(4) == 0) {
        char port[8];
        snprintf(port, sizeof port, ":%u", (unsigned)(1 + below(65535)));
        add(t, port);
    }
    sh->template = below(2);
    size_t segments = below(5), code_at = sh->template ? below(segments + 1) : 99;
    for (size_t i = 0; i <= segments; i++) {
        if (i == code_at) {
            int marked = below(3) == 0;
            add(t, "/");
            if (marked)
                add(t, below(2) ? "meeting/" : "streaming/preview/");
            add_code(t, sh, marked);
        }
        if (i < segments) {
            add(t, "/");
            add_filler(t, sh);
        }
    }
    for (size_t slashes = below(3); slashes > 0; slashes--)
        add(t, "/");
    if (!sh->template)
        return;
    /* queries and fragments: words around, and maybe {code} again */
    if (below(2)) {
        add(t, "?team=");
        add_filler(t, sh);
        if (below(3) == 0) {
            add(t, below(2) ? "&code=" : "&room=");
            add_code(t, sh, 1);
        }
        add(t, "&x=");
        add_filler(t, sh);
    }
    if (below(3) == 0) {
        add(t, below(2) ? "#/" : "#");
        add_filler(t, sh);
        if (below(2)) {
            add(t, "/");
            add_code(t, sh, 0);
        }
    }
}

/* The link built by hand from the rules, independently of ext/link.c. */
static void reference_link(buf *out, const char *c, const char *base, const char *route) {
    out->n = 0;
    out->s[0] = '\0';
    if (strncmp(base, "http://", 7) != 0 && strncmp(base, "https://", 8) != 0 &&
        strncmp(base, "HTTPS://", 8) != 0)
        add(out, "https://");
    if (strstr(base, "{code}")) {
        for (const char *p = base; *p;) {
            if (strncmp(p, "{code}", 6) == 0) {
                add(out, c);
                p += 6;
            } else {
                char one[2] = {*p++, '\0'};
                add(out, one);
            }
        }
        return;
    }
    size_t n = strlen(base);
    while (n > 0 && base[n - 1] == '/')
        n--;
    char trimmed[1024];
    memcpy(trimmed, base, n);
    trimmed[n] = '\0';
    add(out, trimmed);
    add(out, "/");
    add(out, route ? route : "meeting");
    add(out, "/");
    add(out, c);
}

static int comes_back(const char *link, const char *c) {
    char found[ROOMCODE_LEN + 1];
    return roomcode_normalize_text(link, strlen(link), found) && strcmp(found, c) == 0;
}

/* Counts of what the property test saw, so that it cannot pass by refusing everything. */
typedef struct tally {
    size_t links, refused, clean, clean_templates, word10, around, marked_refusals;
} tally;

/* One base and route with two codes: the same verdict, and an accepted link comes back. */
static void check_property(const buf *base, const shape *sh, const char *route, tally *t) {
    char codes[2][ROOMCODE_LEN + 1];
    random_code(codes[0]);
    random_code(codes[1]);
    int verdict[2];
    for (int i = 0; i < 2; i++) {
        size_t size = 0;
        int err = roomcode_link_size(codes[i], base->s, route, &size);
        if (err != ROOMCODE_LINK_OK) {
            failed++;
            fprintf(stderr, "%s: base '%s' route %s: %s\n", __FILE__, base->s,
                    route ? route : "(default)", roomcode_link_error_text(err));
            return;
        }
        char *out = malloc(size);
        if (!out)
            abort();
        verdict[i] = roomcode_link_write(out, codes[i], base->s, route);
        buf want;
        reference_link(&want, codes[i], base->s, route);
        if (verdict[i] == ROOMCODE_LINK_OK) {
            t->links++;
            if (strlen(out) + 1 == size && strcmp(out, want.s) == 0 && comes_back(out, codes[i])) {
                passed++;
            } else {
                failed++;
                fprintf(stderr, "%s: base '%s': link %s does not come back to %s\n", __FILE__,
                        base->s, out, codes[i]);
            }
        } else {
            /* refused: the link would indeed leave this code or the one 13 letters on */
            char other[ROOMCODE_LEN + 1];
            for (size_t k = 0; k <= ROOMCODE_LEN; k++)
                other[k] = codes[i][k] == '-' || !codes[i][k]
                               ? codes[i][k]
                               : (char)('a' + (codes[i][k] - 'a' + 13) % 26);
            buf link2;
            reference_link(&link2, other, base->s, route);
            CHECK(verdict[i] == ROOMCODE_LINK_CODE_IN_BASE);
            CHECK(!comes_back(want.s, codes[i]) || !comes_back(link2.s, other));
        }
        free(out);
    }
    CHECK(verdict[0] == verdict[1]);
    int clean = sh->template ? !sh->dashed && !sh->marker : !sh->marker;
    if (verdict[0] != ROOMCODE_LINK_OK) {
        t->refused++;
        t->marked_refusals += sh->marker;
        /* a base with nothing that competes with the code's mark is always accepted */
        if (clean) {
            failed++;
            fprintf(stderr, "%s: clean base '%s' refused\n", __FILE__, base->s);
        }
        return;
    }
    t->clean += clean;
    t->clean_templates += clean && sh->template;
    t->word10 += sh->word10;
    t->around += sh->around;
}

static void test_round_trip_property(void) {
    static const char *const routes[] = {NULL, "meeting", "preview", "streaming/meeting",
                                         "streaming/preview"};
    tally t = {0};
    int before = failed, passed_before = passed;
    for (int i = 0; i < 20000 && failed - before < 10; i++) {
        buf base;
        shape sh;
        make_base(&base, &sh);
        for (size_t r = 0; r < sizeof routes / sizeof routes[0]; r++)
            check_property(&base, &sh, routes[r], &t);
    }
    printf("round trip: %zu links came back; of the base/route pairs, %zu refused (%zu with a "
           "marker), %zu clean, %zu clean templates, %zu with a 10-letter word, %zu with text "
           "around {code}\n",
           t.links, t.refused, t.marked_refusals, t.clean, t.clean_templates, t.word10, t.around);
    /* the sweep counts as one check (a failing case each counts as one failure) */
    passed = passed_before + (failed == before);
    /* not vacuous: most bases are accepted, in every shape the generator makes */
    CHECK(t.links > 150000);
    CHECK(t.refused < t.links / 10);
    CHECK(t.clean_templates > 20000);
    CHECK(t.word10 > 30000);
    CHECK(t.around > 20000);
}

/* Broken ports and hosts, drawn like the bases above: always refused, for what they are. */
static void test_bad_host_property(void) {
    static const char *const bad_hosts[] = {"a..b",      ".a.com", "a.com.", "-a.com", "a-.b",
                                            "1.2.3.256", "x.123",  "1.2.3",  "a.b..c"};
    static const char *const bad_ports[] = {":0",   ":65536", ":99999",
                                            ":080", ":00",    ":123456789012345678901234567890"};
    int before = failed, passed_before = passed;
    for (int i = 0; i < 2000; i++) {
        buf base;
        shape sh;
        make_base(&base, &sh);
        char *host = strstr(base.s, "://");
        host = host ? host + 3 : base.s;
        size_t host_len = strcspn(host, ":/?#");
        size_t rest = strcspn(host, "/?#");
        buf bad = {"", 0};
        int port = below(2);
        char head[1024];
        memcpy(head, base.s, (size_t)(host - base.s));
        head[host - base.s] = '\0';
        add(&bad, head);
        if (port) {
            memcpy(head, host, host_len);
            head[host_len] = '\0';
            add(&bad, head);
            add(&bad, PICK(bad_ports));
        } else {
            add(&bad, PICK(bad_hosts));
            memcpy(head, host + host_len, rest - host_len);
            head[rest - host_len] = '\0';
            add(&bad, head);
        }
        add(&bad, host + rest);
        size_t size = 0;
        int err = roomcode_link_size("abc-defg-hij", bad.s, NULL, &size);
        int want = port ? ROOMCODE_LINK_BAD_PORT : ROOMCODE_LINK_BAD_HOST;
        if (err == want) {
            passed++;
        } else {
            failed++;
            fprintf(stderr, "%s: base '%s': %s\n", __FILE__, bad.s, roomcode_link_error_text(err));
        }
    }
    passed = passed_before + (failed == before); /* the sweep counts as one check */
}

/* The shapes the README shows, with every route and several codes: accepted, and back. */
static void test_documented_shapes(void) {
    static const char *const bases[] = {
        "acme.app.100ms.live",
        "https://acme.app.100ms.live/",
        "https://meet.example.com/app/",
        "http://localhost:8080",
        "https://meet.example.com:8443/a/b",
        "https://x.com/join?code={code}",
        "https://meet.example.com/join?code={code}",
        "https://x.com/r/{code}/go",
        "https://x.com/conference/",
        "https://example.com/conference/",
        "https://x.com/r/{code}x",
        "https://x.com/{code}.html",
        "https://x.com/a?team=engineering&c={code}",
        "https://x.example/#/{code}/lobby",
        "https://x.example/{code}?again={code}",
        "https://x.com/streaming/meeting/{code}",
        "www.abc.com",
        "abc.defg.hij",
        "https://x.com/abc.defg.hij/",
    };
    static const char *const routes[] = {NULL, "meeting", "preview", "streaming/meeting",
                                         "streaming/preview"};
    for (size_t b = 0; b < sizeof bases / sizeof bases[0]; b++) {
        for (size_t r = 0; r < sizeof routes / sizeof routes[0]; r++) {
            for (int k = 0; k < 20; k++) {
                char c[ROOMCODE_LEN + 1];
                random_code(c);
                if (k == 0)
                    memcpy(c, "www-acme-com", sizeof c);
                size_t size = 0;
                char out[256];
                int err = roomcode_link_size(c, bases[b], routes[r], &size);
                if (err == ROOMCODE_LINK_OK && size <= sizeof out)
                    err = roomcode_link_write(out, c, bases[b], routes[r]);
                if (err == ROOMCODE_LINK_OK && comes_back(out, c)) {
                    passed++;
                } else {
                    failed++;
                    fprintf(stderr, "%s: documented base '%s' with %s: %s\n", __FILE__, bases[b], c,
                            roomcode_link_error_text(err));
                }
            }
        }
    }
}

static void test_error_texts(void) {
    CHECK(strcmp(roomcode_link_error_text(ROOMCODE_LINK_BAD_ROUTE), "unknown route") == 0);
    CHECK(strcmp(roomcode_link_error_text(ROOMCODE_LINK_EMPTY_BASE), "empty base") == 0);
    CHECK(strcmp(roomcode_link_error_text(-1), "unknown error") == 0);
    CHECK(strcmp(roomcode_link_error_text(ROOMCODE_LINK_BAD_PORT),
                 "invalid port (1 to 65535) in base") == 0);
    CHECK(strcmp(roomcode_link_error_text(ROOMCODE_LINK_CODE_IN_BASE),
                 "text that reads as another room code in base") == 0);
    for (int err = ROOMCODE_LINK_EMPTY_BASE; err <= ROOMCODE_LINK_DOT_SEGMENT; err++) {
        const char *text = roomcode_link_error_text(err);
        int lower = strcmp(text, "unknown error") != 0;
        for (const char *p = text; *p; p++)
            lower &= !(*p >= 'A' && *p <= 'Z');
        CHECK(lower);
    }
}

/*
 * A URL parser (WHATWG) removes "." and ".." path segments, in any case of their %2e
 * encoding, ".." with the segment before it: a code before one would be lost, so every
 * base with one is refused, template or not. Segments that only look alike stay.
 */
static void test_dot_segments(void) {
    static const char *const refused[] = {
        "https://x.com/{code}/..",
        "x.com/{code}/%2E%2e",
        "x.com/a/{code}/../b",
        "x.com/{code}/.",
        "x.com/{code}/%2e",
        "x.com/{code}/%2E",
        "x.com/{code}/.%2e",
        "x.com/{code}/%2e.",
        "x.com/{code}/.%2E/",
        "https://x.com/./{code}",
        "https://x.com/app/..",
        "https://x.com/app/../",
        "x.com/a/%2e%2e/{code}",
        "x.com/{code}/..?x=1",
        "x.com/{code}/..#f",
        "http://x.com:8080/../{code}",
        "x.com/./meet",
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        check_error(refused[i], 0, ROOMCODE_LINK_DOT_SEGMENT);
    check_link("x.com/a/{code}/...", 0, "https://x.com/a/abc-defg-hij/...");
    check_link("x.com/%2e%2e%2e/{code}", 0, "https://x.com/%2e%2e%2e/abc-defg-hij");
    check_link("x.com/a.b/{code}", 0, "https://x.com/a.b/abc-defg-hij");
    check_link("x.com/.a/{code}/a.", 0, "https://x.com/.a/abc-defg-hij/a.");
    check_link("x.com/{code}/..;", 0, "https://x.com/abc-defg-hij/..;");
    check_link("x.com/{code}?a=/../", 0, "https://x.com/abc-defg-hij?a=/../");
    check_link("x.com/{code}#/./x", 0, "https://x.com/abc-defg-hij#/./x");
    CHECK(strcmp(roomcode_link_error_text(ROOMCODE_LINK_DOT_SEGMENT),
                 "dot segment (. or .., also as %2e) in the path of base") == 0);
}

int main(void) {
    test_dot_segments();
    test_bases();
    test_routes();
    test_templates();
    test_bad_bases();
    test_ports_and_hosts();
    test_code_in_base();
    test_documented_shapes();
    test_round_trip_property();
    test_bad_host_property();
    test_error_texts();
    return check_report("test_link");
}
