/*
 * Unit tests for ext/code_format.c: the canonical form, formatting letters, and what
 * normalizing accepts and refuses, bare and inside Room Links.
 */
#include "code_format.h"

#include "check.h"

static int canonical(const char *s) { return roomcode_is_canonical(s, strlen(s)); }

/* normalize(s) gives want, or nothing when want is NULL. */
static void check_normalize_at(int line, const char *s, const char *want) {
    char out[ROOMCODE_LEN + 1] = "";
    int found = roomcode_normalize_text(s, strlen(s), out);
    if (want ? found && strcmp(out, want) == 0 : !found) {
        passed++;
        return;
    }
    failed++;
    fprintf(stderr, "%s:%d: normalize('%s') gave %s, want %s\n", __FILE__, line, s,
            found ? out : "nothing", want ? want : "nothing");
}
#define check_normalize(s, want) check_normalize_at(__LINE__, s, want)

static void test_canonical(void) {
    CHECK(canonical("xvm-wxwo-gbl"));
    CHECK(canonical("aaa-aaaa-aaa"));
    CHECK(canonical("zzz-zzzz-zzz"));
    CHECK(!canonical("XVM-WXWO-GBL"));
    CHECK(!canonical("xvmwxwogbl"));
    CHECK(!canonical("xvm-wxwo-gb"));
    CHECK(!canonical("xvm-wxwo-gblx"));
    CHECK(!canonical("xvmw-xwo-gbl"));
    CHECK(!canonical("xvm_wxwo_gbl"));
    CHECK(!canonical("xv`-wxwo-gbl")); /* '`' and '{' border 'a' and 'z' */
    CHECK(!canonical("xv{-wxwo-gbl"));
    CHECK(!canonical(""));
    CHECK(!roomcode_is_canonical("xvm-wxwo-gbl\0", 13));
}

static void test_format_letters(void) {
    unsigned char letters[ROOMCODE_LETTERS] = {23, 21, 12, 22, 23, 22, 14, 6, 1, 11};
    char out[ROOMCODE_LEN + 1];
    roomcode_format_letters(letters, out);
    CHECK_STR(out, "xvm-wxwo-gbl");
    CHECK(canonical(out));
    unsigned char edge[ROOMCODE_LETTERS] = {0, 25, 0, 25, 0, 25, 0, 25, 0, 25};
    roomcode_format_letters(edge, out);
    CHECK_STR(out, "aza-zaza-zaz");
}

static void test_normalize_bare(void) {
    check_normalize("xvm-wxwo-gbl", "xvm-wxwo-gbl");
    check_normalize("XVM-WXWO-GBL", "xvm-wxwo-gbl");
    check_normalize("xvmwxwogbl", "xvm-wxwo-gbl");
    check_normalize("xvm wxwo gbl", "xvm-wxwo-gbl");
    check_normalize("xvm.wxwo.gbl", "xvm-wxwo-gbl");
    check_normalize("xvm_wxwo_gbl", "xvm-wxwo-gbl");
    check_normalize("xvm - wxwo - gbl", "xvm-wxwo-gbl");
    check_normalize("xvmwxwo-gbl", "xvm-wxwo-gbl");
    check_normalize(" \t xvm-wxwo-gbl\r\n", "xvm-wxwo-gbl");
    check_normalize("xVm-WxWo-gBl", "xvm-wxwo-gbl");
    check_normalize("xv-mwxwo-gbl", 0); /* a separator inside a group */
    check_normalize("xvm-wxw-ogbl", 0);
    check_normalize("-xvm-wxwo-gbl", 0);
    check_normalize("xvm-wxwo-gbl-", 0);
    check_normalize("xvm-wxwo-gb", 0);
    check_normalize("xvm-wxwo-gblx", 0);
    check_normalize("xvm-wxwo-gb1", 0);
    check_normalize("xvm-wxwö-gbl", 0);
    check_normalize("", 0);
    check_normalize("   ", 0);
    char with_nul[] = "xvm-wxwo-gbl\0x";
    char out[ROOMCODE_LEN + 1];
    CHECK(!roomcode_normalize_text(with_nul, sizeof(with_nul) - 1, out));
}

static void test_normalize_links(void) {
    check_normalize("https://acme.app.100ms.live/meeting/xvm-wxwo-gbl", "xvm-wxwo-gbl");
    check_normalize("https://acme.app.100ms.live/preview/xvm-wxwo-gbl", "xvm-wxwo-gbl");
    check_normalize("https://acme.app.100ms.live/streaming/meeting/xvm-wxwo-gbl", "xvm-wxwo-gbl");
    check_normalize("https://acme.app.100ms.live/streaming/preview/xvm-wxwo-gbl/", "xvm-wxwo-gbl");
    check_normalize("https://acme.app.100ms.live/meeting/xvm-wxwo-gbl/host", "xvm-wxwo-gbl");
    check_normalize("https://acme.app.100ms.live/meeting/xvm-wxwo-gbl/moderators", "xvm-wxwo-gbl");
    check_normalize("HTTPS://ACME.APP.100MS.LIVE/MEETING/XVM-WXWO-GBL", "xvm-wxwo-gbl");
    check_normalize("https://meet.example.com/meeting/xvm-wxwo-gbl?name=ann&x=1#top",
                    "xvm-wxwo-gbl");
    check_normalize("https://meet.example.com:8443/app/meeting/xvm-wxwo-gbl", "xvm-wxwo-gbl");
    check_normalize("acme.app.100ms.live/meeting/xvm-wxwo-gbl", "xvm-wxwo-gbl");
    check_normalize("/meeting/xvm-wxwo-gbl", "xvm-wxwo-gbl");
    check_normalize("https://join.example.com/?code=xvm-wxwo-gbl", "xvm-wxwo-gbl");
    check_normalize("https://join.example.com/#/room/xvm-wxwo-gbl", "xvm-wxwo-gbl");
    check_normalize("  https://acme.app.100ms.live/meeting/xvm-wxwo-gbl  ", "xvm-wxwo-gbl");
    /* a host that looks like a code is a host */
    check_normalize("https://www.acme.com/meeting/xvm-wxwo-gbl", "xvm-wxwo-gbl");
    check_normalize("www.acme.com/meeting/xvm-wxwo-gbl", "xvm-wxwo-gbl");
    check_normalize("https://www.acme.com/", 0);
    check_normalize("https://acme.app.100ms.live/meeting/", 0);
    check_normalize("https://acme.app.100ms.live/meeting/xvm-wxwo", 0);
    check_normalize("https://", 0);
    check_normalize("/", 0);
    check_normalize("?", 0);
}

/* A 10-letter word in a base's path or query is not the code the route word marks. */
static void test_normalize_words_in_links(void) {
    check_normalize("https://example.com/conference/meeting/xvm-wxwo-gbl", "xvm-wxwo-gbl");
    check_normalize("https://example.com/conference/streaming/preview/xvm-wxwo-gbl",
                    "xvm-wxwo-gbl");
    check_normalize("https://x.com/a?team=conference&code=xvm-wxwo-gbl", "xvm-wxwo-gbl");
    check_normalize("https://x.com/a?team=conference&room_code=xvm-wxwo-gbl", "xvm-wxwo-gbl");
    check_normalize("https://x.com/a?team=conference&RoomCode=xvm-wxwo-gbl", "xvm-wxwo-gbl");
    check_normalize("https://x.com/r/xvm-wxwo-gbl?team=conference", "xvm-wxwo-gbl");
    check_normalize("https://x.com/conference/r/xvm-wxwo-gbl", "xvm-wxwo-gbl");
    check_normalize("https://x.com/conference/r/XVM-WXWO-GBL/", "xvm-wxwo-gbl");
    check_normalize("https://x.com/abc.defg.hij/xvm-wxwo-gbl", "xvm-wxwo-gbl");
    check_normalize("https://x.com/meeting/xvm-wxwo-gbl/presenters", "xvm-wxwo-gbl");
    check_normalize("https://x.com/meeting/xvmwxwogbl/r/abc-defg-hij", "xvm-wxwo-gbl");
    /* a lone word that reads as a code is still read, as before */
    check_normalize("https://x.com/conference", "con-fere-nce");
    check_normalize("https://x.com/?room=xvmwxwogbl", "xvm-wxwo-gbl");
}

/* Template links with text around {code} in the same part come back to the code. */
static void test_normalize_text_around_code(void) {
    check_normalize("https://x.com/r/xvm-wxwo-gblx", "xvm-wxwo-gbl");
    check_normalize("https://x.com/r/xxvm-wxwo-gbl", "xvm-wxwo-gbl");
    check_normalize("https://x.com/r/roomxvm-wxwo-gblnow", "xvm-wxwo-gbl");
    check_normalize("https://x.com/xvm-wxwo-gbl.html", "xvm-wxwo-gbl");
    check_normalize("https://x.com/room-xvm-wxwo-gbl-2", "xvm-wxwo-gbl");
    check_normalize("https://x.com/r/xvm-wxwo-gbl-now", "xvm-wxwo-gbl");
    check_normalize("https://x.com/r/v2_xvm-wxwo-gbl.html?x=1", "xvm-wxwo-gbl");
    check_normalize("https://x.com/r/xvm-wxwo-gblxvm-wxwo-gbl", "xvm-wxwo-gbl");
    /* a dashed code on its own outranks one with more letters around it */
    check_normalize("https://x.com/well-made-things/xvm-wxwo-gbl", "xvm-wxwo-gbl");
    check_normalize("https://x.com/well-made-things", "ell-made-thi");
    check_normalize("https://x.com/well-made-things/xvm-wxwo-gblx", 0);
}

/* A bare code followed by a slash, a query, a fragment or a role is still the code. */
static void test_normalize_bare_with_tail(void) {
    check_normalize("xvm-wxwo-gbl/", "xvm-wxwo-gbl");
    check_normalize("xvm-wxwo-gbl?x=1", "xvm-wxwo-gbl");
    check_normalize("xvm-wxwo-gbl/host", "xvm-wxwo-gbl");
    check_normalize("xvm-wxwo-gbl#top", "xvm-wxwo-gbl");
    check_normalize("  XVM WXWO GBL/host ", "xvm-wxwo-gbl");
    check_normalize("xvmwxwogbl/", "xvm-wxwo-gbl");
    check_normalize("code: xvm-wxwo-gbl/host", "xvm-wxwo-gbl");
    /* with a dot or a colon and nothing a host cannot hold, the first part is a host */
    check_normalize("xvm.wxwo.gbl/", 0);
    check_normalize("www.acme.com/", 0);
    check_normalize("localhost:8080/meeting/xvm-wxwo-gbl", "xvm-wxwo-gbl");
    check_normalize("//abc-defg-hij/meeting/xvm-wxwo-gbl", "xvm-wxwo-gbl");
    check_normalize("//abc-defg-hij/", 0);
    check_normalize("https://abc-defg-hij.example.com/", 0);
    check_normalize("https://abc-defg-hij.example.com/r/xvm-wxwo-gbl", "xvm-wxwo-gbl");
}

/* More than one code and no clear marker: no code, never a guess. */
static void test_normalize_ambiguous(void) {
    check_normalize("https://x.com/abcdefghij/klmnopqrst", 0);
    check_normalize("https://x.com/r/xvm-wxwo-gbl/abc-defg-hij", 0);
    check_normalize("https://x.com/r/xvm-wxwo-gbl?room=abc-defg-hij", 0);
    check_normalize("https://x.com/meeting/xvm-wxwo-gbl?code=abc-defg-hij", 0);
    check_normalize("https://x.com/meeting/xvm-wxwo-gbl/preview/abc-defg-hij", 0);
    check_normalize("https://x.com/r/abc-defg-hij-klmn-opq", 0);
    check_normalize("https://x.com/r/xvm-wxwo-gblabc-defg-hij", 0);
    check_normalize("xvm-wxwo-gbl/abc-defg-hij", 0);
    /* the same code twice is one code */
    check_normalize("https://x.com/r/xvm-wxwo-gbl#/XVM-WXWO-GBL", "xvm-wxwo-gbl");
    check_normalize("https://x.com/meeting/xvm-wxwo-gbl?code=xvmwxwogbl", "xvm-wxwo-gbl");
    /* a NUL byte anywhere: not a link anyone pasted */
    static const char nul[] = "https://x.com/meeting/xvm-wxwo-gbl\0";
    char out[ROOMCODE_LEN + 1];
    CHECK(!roomcode_normalize_text(nul, sizeof nul - 1, out));
    CHECK(roomcode_normalize_text(nul, sizeof nul - 2, out) && strcmp(out, "xvm-wxwo-gbl") == 0);
}

/* A code in a chat message, with punctuation around it and a phone's dashes. */
static void test_normalize_sentences(void) {
    check_normalize("toz-mfgy-vep.", "toz-mfgy-vep");
    check_normalize("toz-mfgy-vep,", "toz-mfgy-vep");
    check_normalize("(toz-mfgy-vep);", "toz-mfgy-vep");
    check_normalize("\"TOZ MFGY VEP\"!", "toz-mfgy-vep");
    check_normalize("Use code toz-mfgy-vep to join", "toz-mfgy-vep");
    check_normalize("Use code toz-mfgy-vep to join.", "toz-mfgy-vep");
    check_normalize("Use code TOZ-MFGY-VEP, then wait.", "toz-mfgy-vep");
    check_normalize("code: toz-mfgy-vep", "toz-mfgy-vep");
    check_normalize("Join?\nCode toz-mfgy-vep!", "toz-mfgy-vep");
    check_normalize("It's toz-mfgy-vep's room", "toz-mfgy-vep");
    check_normalize("toz-mfgy-vep or toz-mfgy-vep", "toz-mfgy-vep");
    check_normalize("Open https://x.com/meeting/toz-mfgy-vep now.", "toz-mfgy-vep");
    check_normalize("Open https://x.com/meeting/toz-mfgy-vep (toz-mfgy-vep)", "toz-mfgy-vep");
    /* two different codes: none */
    check_normalize("Use toz-mfgy-vep or xvm-wxwo-gbl", 0);
    check_normalize("Open https://x.com/meeting/toz-mfgy-vep or xvm-wxwo-gbl", 0);
    check_normalize("https://x.com/meeting/toz-mfgy-vep https://x.com/meeting/xvm-wxwo-gbl", 0);
    check_normalize("toz-mfgy-vep, xvm-wxwo-gbl", 0);
    /* words that are not a code written as one */
    check_normalize("We make well-made-things here", 0);
    check_normalize("see abc-defg-hij.html", 0);
    check_normalize("mail abc-defg-hij@x.com", 0);
    check_normalize("at abc-defg-hij.example.com", 0);
    check_normalize("abc-defg-hij-klm today", 0);
    check_normalize("Use code toz mfgy vep to join", 0); /* "Use code toz" would be a guess */
    check_normalize("the conference is everything", 0);
    check_normalize("abc-defg-hi1 x", 0);
    check_normalize("abc-defg-hij\xc3\xa9 x", 0);
    check_normalize("...", 0);
}

/* Every Unicode dash and hyphen reads as '-', Unicode spaces as blanks. */
static void test_normalize_unicode_dashes(void) {
    static const char *const dashes[] = {
        "\xc2\xad",     "\xd6\x8a",     "\xd6\xbe",     "\xe1\x90\x80", "\xe1\xa0\x86",
        "\xe2\x80\x90", "\xe2\x80\x91", "\xe2\x80\x92", "\xe2\x80\x93", "\xe2\x80\x94",
        "\xe2\x80\x95", "\xe2\x81\x93", "\xe2\x81\xbb", "\xe2\x82\x8b", "\xe2\x88\x92",
        "\xe2\xb8\x97", "\xe2\xb8\x9a", "\xe2\xb8\xba", "\xe2\xb8\xbb", "\xe2\xb9\x80",
        "\xe2\xb9\x9d", "\xe3\x80\x9c", "\xe3\x80\xb0", "\xe3\x82\xa0", "\xef\xb8\xb1",
        "\xef\xb8\xb2", "\xef\xb9\x98", "\xef\xb9\xa3", "\xef\xbc\x8d", "\xf0\x90\xba\xad"};
    char text[64];
    for (size_t i = 0; i < sizeof dashes / sizeof dashes[0]; i++) {
        snprintf(text, sizeof text, "toz%smfgy%svep", dashes[i], dashes[i]);
        check_normalize(text, "toz-mfgy-vep");
        snprintf(text, sizeof text, "Use code toz%smfgy%svep to join.", dashes[i], dashes[i]);
        check_normalize(text, "toz-mfgy-vep");
    }
    check_normalize("toz\xe2\x80\x93mfgy-vep", "toz-mfgy-vep");               /* mixed */
    check_normalize("toz\xc2\xa0mfgy\xe2\x80\xafvep", "toz-mfgy-vep");        /* no-break spaces */
    check_normalize("\xef\xbb\xbftoz-mfgy-vep\xe2\x80\x8b", "toz-mfgy-vep");  /* BOM, zero width */
    check_normalize("\xe2\x80\x9ctoz-mfgy-vep\xe2\x80\x9d.", "toz-mfgy-vep"); /* curly quotes */
    check_normalize("Code\xc2\xa0: toz\xe2\x80\x93mfgy\xe2\x80\x93vep\xe2\x80\xa6", "toz-mfgy-vep");
    check_normalize("https://x.com/meeting/toz\xe2\x80\x93mfgy\xe2\x80\x93vep", "toz-mfgy-vep");
    /* not dashes: a bullet, a middle dot, a letter */
    check_normalize("toz\xe2\x80\xa2mfgy\xe2\x80\xa2vep", 0);
    check_normalize("toz\xc2\xb7mfgy\xc2\xb7vep", 0);
    /* broken UTF-8 is left as it is, never read as a dash */
    check_normalize("toz\xe2\x80mfgy\xe2\x80vep", 0);
    check_normalize("toz\xe2\x80", 0);
    check_normalize("toz-mfgy-vep \xff", "toz-mfgy-vep");
    /* a long text with a dash is folded on the heap */
    char big[2048];
    memset(big, ' ', sizeof big);
    memcpy(big + 1000, "toz\xe2\x80\x93mfgy\xe2\x80\x93vep", 16);
    char out[ROOMCODE_LEN + 1];
    CHECK(roomcode_normalize_text(big, sizeof big, out) && strcmp(out, "toz-mfgy-vep") == 0);
}

int main(void) {
    test_canonical();
    test_format_letters();
    test_normalize_bare();
    test_normalize_links();
    test_normalize_words_in_links();
    test_normalize_text_around_code();
    test_normalize_bare_with_tail();
    test_normalize_ambiguous();
    test_normalize_sentences();
    test_normalize_unicode_dashes();
    return check_report("test_code_format");
}
