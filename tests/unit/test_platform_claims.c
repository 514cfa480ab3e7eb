/*
 * Unit tests for ext/platform_claims.c: the exact LiveKit and Jitsi payloads for known
 * claims, the room name Jitsi compares (its client's lowercasing and encodeURIComponent),
 * escaping as roomcode_token's claims, the refusal of bytes that are not UTF-8 with the
 * claim named, the optional display name in each, the size bounds at their worst, and a JWT of
 * token.c's shared signing path against a vector made with Python's hmac.
 */
#include "platform_claims.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "token.h"

static const roomcode_permissions host = {1, 1, 1, 1, 0};

static void test_livekit_payload(void) {
    roomcode_livekit_claims c = {"APIkey", "alice", "town-hall", "host", 1700000000, 600, host, 0};
    char out[1024];
    const char *bad = 0;
    size_t n = roomcode_livekit_json(out, &c, &bad);
    CHECK_STR(out, "{\"iss\":\"APIkey\",\"sub\":\"alice\",\"nbf\":1700000000,\"exp\":1700000600,"
                   "\"video\":{\"room\":\"town-hall\",\"roomJoin\":true,\"canPublish\":true,"
                   "\"canSubscribe\":true,\"canPublishData\":true,\"roomAdmin\":true,"
                   "\"hidden\":false},\"attributes\":{\"role\":\"host\"}}");
    CHECK(n == strlen(out));
    CHECK(!bad);
    roomcode_livekit_claims v = {"k", "b", "r", "viewer", 5, 1, {0, 1, 0, 0, 1}, 0};
    roomcode_livekit_json(out, &v, &bad);
    CHECK(strstr(out, "\"canPublish\":false,\"canSubscribe\":true,\"canPublishData\":false,"
                      "\"roomAdmin\":false,\"hidden\":true}") != 0);
}

static void test_jitsi_payload(void) {
    roomcode_jitsi_claims c = {"my-app", "alice", "meet.example.com", "Town Hall", 1700000000, 60,
                               1,        0};
    char out[1024];
    const char *bad = 0;
    size_t n = roomcode_jitsi_json(out, &c, &bad);
    CHECK_STR(out, "{\"iss\":\"my-app\",\"aud\":\"my-app\",\"sub\":\"meet.example.com\","
                   "\"room\":\"town%20hall\",\"nbf\":1700000000,\"exp\":1700000060,"
                   "\"moderator\":true,\"context\":{\"user\":{\"id\":\"alice\","
                   "\"moderator\":\"true\",\"affiliation\":\"owner\"}}}");
    CHECK(n == strlen(out));
    c.moderator = 0;
    roomcode_jitsi_json(out, &c, &bad);
    CHECK(strstr(out, "\"moderator\":false,") != 0);
    CHECK(strstr(out, "\"moderator\":\"false\",\"affiliation\":\"member\"}}}") != 0);
}

/* A display name is LiveKit's top-level name and Jitsi's context.user.name, escaped as
 * every claim; NULL writes no claim at all (the payloads above). */
static void test_display_name(void) {
    char out[1024];
    const char *bad = 0;
    roomcode_livekit_claims l = {"k", "u", "r", "host", 0, 1, host, "Zo\xc3\xab \"Z\""};
    size_t n = roomcode_livekit_json(out, &l, &bad);
    CHECK(n == strlen(out));
    CHECK(strstr(out, "\"attributes\":{\"role\":\"host\"},\"name\":\"Zo\\u00eb \\\"Z\\\"\"}") != 0);
    roomcode_jitsi_claims j = {"a", "u", "d", "r", 0, 1, 0, "Zo\xc3\xab"};
    n = roomcode_jitsi_json(out, &j, &bad);
    CHECK(n == strlen(out));
    CHECK(strstr(out, "\"context\":{\"user\":{\"id\":\"u\",\"name\":\"Zo\\u00eb\",\"moderator\"") !=
          0);
    /* a name that is not UTF-8 is named as the bad claim */
    bad = 0;
    l.name = "a\xff";
    CHECK(roomcode_livekit_json(out, &l, &bad) == 0 && bad && strcmp(bad, "name") == 0);
    bad = 0;
    j.name = "\xc3";
    CHECK(roomcode_jitsi_json(out, &j, &bad) == 0 && bad && strcmp(bad, "name") == 0);
}

static void test_room_names(void) {
    static const struct {
        const char *room, *want;
    } cases[] = {
        {"abc", "abc"},
        {"ABC-def_1.2", "abc-def_1.2"},
        {"!~*'()", "!~*'()"}, /* kept by encodeURIComponent */
        {"a b/c?d#e&f=g%h+i", "a%20b%2fc%3fd%23e%26f%3dg%25h%2bi"},
        {"\"<>\\", "%22%3c%3e%5c"},
        {"\xc3\xa9t\xc3\xa9", "%c3%a9t%c3%a9"}, /* lowercase hex, as Jitsi lowercases it */
        {"\xf0\x9f\x98\x80", "%f0%9f%98%80"},
    };
    char out[64];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n = roomcode_jitsi_room_name(out, cases[i].room);
        CHECK_STR(out, cases[i].want);
        CHECK(n == strlen(cases[i].want));
    }
    /* '~' is kept in the name but escaped in the JSON, as every claim is (atob-safe) */
    roomcode_jitsi_claims c = {"a", "u", "d", "x~y", 0, 1, 0, 0};
    char json[512];
    const char *bad = 0;
    roomcode_jitsi_json(json, &c, &bad);
    CHECK(strstr(json, "\"room\":\"x\\u007ey\"") != 0);
}

static void test_escaping(void) {
    roomcode_livekit_claims c = {"k", "zo\xc3\xab \xf0\x9f\x98\x80", "a\"b\\c\n", "r>?", 0, 1, host,
                                 0};
    char out[1024];
    const char *bad = 0;
    CHECK(roomcode_livekit_json(out, &c, &bad) > 0);
    CHECK(strstr(out, "\"sub\":\"zo\\u00eb \\ud83d\\ude00\"") != 0);
    CHECK(strstr(out, "\"room\":\"a\\\"b\\\\c\\n\"") != 0);
    CHECK(strstr(out, "\"role\":\"r\\u003e\\u003f\"") != 0);
    for (const char *p = out; *p; p++)
        CHECK((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f);
}

static void test_invalid_utf8(void) {
    const char *stray = "a\xff", *surrogate = "\xed\xa0\x80", *overlong = "\xc0\xaf";
    char out[1024];
    const char *bad = 0;
    roomcode_livekit_claims l = {"k", "u", "r", stray, 0, 1, host, 0};
    CHECK(roomcode_livekit_json(out, &l, &bad) == 0 && bad && strcmp(bad, "role") == 0);
    l.role = "r";
    l.room = surrogate;
    bad = 0;
    CHECK(roomcode_livekit_json(out, &l, &bad) == 0 && bad && strcmp(bad, "room_id") == 0);
    roomcode_jitsi_claims j = {"a", "u", "d", overlong, 0, 1, 0, 0};
    bad = 0;
    CHECK(roomcode_jitsi_json(out, &j, &bad) == 0 && bad && strcmp(bad, "room_id") == 0);
    CHECK(out[0] == '\0');
    j.room_id = "r";
    j.user_id = stray;
    bad = 0;
    CHECK(roomcode_jitsi_json(out, &j, &bad) == 0 && bad && strcmp(bad, "user_id") == 0);
}

/* Every name at 256 bytes of the character that escapes longest: the bound holds. */
static void test_size_bounds(void) {
    char name[257];
    memset(name, 0x01, 256); /* \u0001: six bytes each */
    name[256] = '\0';
    char tilde[257];
    memset(tilde, '~', 256); /* kept by the room name, then \u007e */
    tilde[256] = '\0';
    size_t lmax = roomcode_livekit_json_max(5 * 256);
    char *out = malloc(lmax);
    const char *bad = 0;
    roomcode_livekit_claims l = {name, name, name, name, INT64_MIN, INT64_MIN, host, name};
    size_t n = roomcode_livekit_json(out, &l, &bad);
    CHECK(n > 0 && n + 1 <= lmax);
    free(out);
    size_t jmax = roomcode_jitsi_json_max(5 * 256);
    out = malloc(jmax);
    roomcode_jitsi_claims j = {name, name, name, tilde, INT64_MAX, INT64_MAX, 1, name};
    n = roomcode_jitsi_json(out, &j, &bad);
    CHECK(n > 0 && n + 1 <= jmax);
    CHECK(strstr(out, "\"exp\":9223372036854775807,") != 0); /* saturated, not wrapped */
    free(out);
    /* a room_id over 256 bytes is no Jitsi room */
    char *long_room = malloc(300);
    memset(long_room, 'a', 299);
    long_room[299] = '\0';
    char small[4096];
    roomcode_jitsi_claims too_long = {"a", "u", "d", long_room, 0, 1, 0, 0};
    CHECK(roomcode_jitsi_json(small, &too_long, &bad) == 0 && strcmp(bad, "room_id") == 0);
    free(long_room);
}

static void test_shared_signing(void) {
    const char json[] = "{\"iss\":\"k\"}";
    char out[256];
    CHECK(roomcode_jwt_from_json_max_size(sizeof json - 1) <= sizeof out);
    size_t n =
        roomcode_jwt_from_json(out, json, sizeof json - 1, (const unsigned char *)"secret", 6);
    CHECK_STR(out, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJrIn0."
                   "gOUYCdbe6dJxIsuFYlQubQGCP0vrraIZokJgkDN-urs");
    CHECK(n == strlen(out));
    CHECK(n + 1 <= roomcode_jwt_from_json_max_size(sizeof json - 1));
}

int main(void) {
    if (sodium_init() < 0) {
        fprintf(stderr, "test_platform_claims: sodium_init failed\n");
        return 1;
    }
    test_livekit_payload();
    test_jitsi_payload();
    test_display_name();
    test_room_names();
    test_escaping();
    test_invalid_utf8();
    test_size_bounds();
    test_shared_signing();
    return check_report("test_platform_claims");
}
