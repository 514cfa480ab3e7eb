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

int main(void) {
    test_canonical();
    test_format_letters();
    test_normalize_bare();
    test_normalize_links();
    return check_report("test_code_format");
}
