/*
 * Unit tests for ext/token.c: HMAC-SHA256 against RFC 4231, base64url against
 * RFC 4648, whole JWTs against vectors made by an independent implementation, payloads
 * that standard base64 decodes to ASCII JSON for every ASCII byte and every code point,
 * the refusal of bytes that are not UTF-8, and the shape of the random UUIDs.
 */
#include "token.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static void hex_of(char *out, const unsigned char *b, size_t n) {
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", b[i]);
}

static void check_hmac(const unsigned char *key, size_t keylen, const char *msg, size_t outlen,
                       const char *want_hex) {
    unsigned char mac[32];
    char hex[65];
    roomcode_hmac_sha256(mac, key, keylen, (const unsigned char *)msg, strlen(msg));
    hex_of(hex, mac, outlen);
    CHECK_STR(hex, want_hex);
}

static void test_hmac_rfc4231(void) {
    unsigned char k[131];
    char data[51];

    memset(k, 0x0b, 20);
    check_hmac(k, 20, "Hi There", 32,
               "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");

    check_hmac((const unsigned char *)"Jefe", 4, "what do ya want for nothing?", 32,
               "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");

    memset(k, 0xaa, 20);
    memset(data, 0xdd, 50);
    data[50] = '\0';
    check_hmac(k, 20, data, 32, "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");

    for (int i = 0; i < 25; i++)
        k[i] = (unsigned char)(i + 1);
    memset(data, 0xcd, 50);
    check_hmac(k, 25, data, 32, "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");

    /* Case 5 specifies only the first 128 bits of the output. */
    memset(k, 0x0c, 20);
    check_hmac(k, 20, "Test With Truncation", 16, "a3b6167473100ee06e0c796c2955552b");

    /* Cases 6 and 7: a 131-byte key, longer than the SHA-256 block, is hashed first. */
    memset(k, 0xaa, 131);
    check_hmac(k, 131, "Test Using Larger Than Block-Size Key - Hash Key First", 32,
               "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    check_hmac(k, 131,
               "This is a test using a larger than block-size key and a larger than "
               "block-size data. The key needs to be hashed before being used by the HMAC "
               "algorithm.",
               32, "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

static void check_b64(const void *in, size_t n, const char *want) {
    char out[64];
    CHECK(roomcode_base64url_encoded_len(n) == strlen(want));
    memset(out, 'x', sizeof out);
    roomcode_base64url_encode(out, in, n);
    CHECK_STR(out, want);
}

static void test_base64url(void) {
    /* RFC 4648 section 10; the unpadded URL-safe form drops the '='. */
    check_b64("", 0, "");
    check_b64("f", 1, "Zg");
    check_b64("fo", 2, "Zm8");
    check_b64("foo", 3, "Zm9v");
    check_b64("foob", 4, "Zm9vYg");
    check_b64("fooba", 5, "Zm9vYmE");
    check_b64("foobar", 6, "Zm9vYmFy");
    /* Bytes whose standard encoding has '+' and '/'. */
    check_b64("\xfb\xff", 2, "-_8");
    check_b64("\xff\xff\xff", 3, "____");
    check_b64("\xfb\xef\xbe", 3, "----");
    check_b64("\x03\xff", 2, "A_8");
    check_b64("\xf8", 1, "-A");
}

static roomcode_claims fixed_claims(const char *user_id) {
    roomcode_claims c = {"65f2d0c1a9b8e7f6a5b4c3d2",
                         "65f2d0c1a9b8e7f6a5b4c3e1",
                         user_id,
                         "host",
                         1700000000,
                         86400,
                         "0f8fad5b-d9cb-469f-a165-70867728950e"};
    return c;
}

/* Allocate exactly the advertised bound, so ASan catches any write past it; *ok turns 0
 * when the writer fails or its length is not the text's. */
static char *write_jwt(const roomcode_claims *c, const unsigned char *secret, size_t n, int *ok) {
    size_t cap = roomcode_jwt_max_size(strlen(c->access_key) + strlen(c->room_id) +
                                       strlen(c->user_id) + strlen(c->role));
    char *out = malloc(cap);
    if (!out)
        abort();
    const char *bad = 0;
    size_t len = roomcode_jwt_write(out, c, secret, n, &bad);
    *ok &= len > 0 && bad == NULL && strlen(out) == len && len < cap;
    return out;
}

static char *make_jwt(const roomcode_claims *c, const unsigned char *secret, size_t n) {
    int ok = 1;
    char *out = write_jwt(c, secret, n, &ok);
    CHECK(ok);
    return out;
}

/*
 * Decode the payload (the part between the dots) into out, NUL-terminated, as a standard
 * base64 decoder that refuses '-' and '_' (atob's alphabet); 0 when it cannot.
 */
static int payload_of(const char *jwt, char *out, size_t cap) {
    const char *p = strchr(jwt, '.') + 1;
    const char *end = strchr(p, '.');
    size_t n = 0;
    int rc = sodium_base642bin((unsigned char *)out, cap - 1, p, (size_t)(end - p), NULL, &n, NULL,
                               sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
    out[rc == 0 ? n : 0] = '\0';
    return rc == 0;
}

static void jwt_payload(const char *jwt, char *out, size_t cap) {
    CHECK(payload_of(jwt, out, cap));
}

/* Every byte of the payload JSON is printable ASCII. */
static int printable_ascii(const char *s) {
    for (; *s; s++) {
        if (*s < 0x20 || *s > 0x7e)
            return 0;
    }
    return 1;
}

static void test_header_constant(void) {
    roomcode_claims c = fixed_claims("u");
    char *jwt = make_jwt(&c, (const unsigned char *)"k", 1);
    unsigned char header[64];
    size_t n = 0;
    const char *dot = strchr(jwt, '.');
    CHECK(sodium_base642bin(header, sizeof header - 1, jwt, (size_t)(dot - jwt), NULL, &n, NULL,
                            sodium_base64_VARIANT_ORIGINAL_NO_PADDING) == 0);
    header[n] = '\0';
    CHECK_STR((const char *)header, "{\"alg\":\"HS256\",\"typ\":\"JWT\"}");
    free(jwt);
}

/*
 * The expected tokens come from Python's standard library (json, hmac, hashlib, base64):
 *   b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
 *   dumps = lambda o: json.dumps(o, separators=(",", ":"), ensure_ascii=True).replace(
 *       ">", "\\u003e").replace("?", "\\u003f").replace("~", "\\u007e")
 *   h = b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
 *   p = b64(dumps(claims).encode())
 *   token = h + "." + p + "." + b64(hmac.new(secret, (h + "." + p).encode(),
 *                                            hashlib.sha256).digest())
 * with the claims of fixed_claims() in the key order access_key, room_id, user_id, role,
 * type, version, iat, nbf, exp, jti.
 */
static void test_jwt_vector(void) {
    roomcode_claims c = fixed_claims("user-42");
    char *jwt = make_jwt(&c, (const unsigned char *)"app-secret-0123456789", 21);
    CHECK_STR(jwt, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
                   "eyJhY2Nlc3Nfa2V5IjoiNjVmMmQwYzFhOWI4ZTdmNmE1YjRjM2QyIiwicm9vbV9pZCI6IjY1Zj"
                   "JkMGMxYTliOGU3ZjZhNWI0YzNlMSIsInVzZXJfaWQiOiJ1c2VyLTQyIiwicm9sZSI6Imhvc3Qi"
                   "LCJ0eXBlIjoiYXBwIiwidmVyc2lvbiI6MiwiaWF0IjoxNzAwMDAwMDAwLCJuYmYiOjE3MDAwMD"
                   "AwMDAsImV4cCI6MTcwMDA4NjQwMCwianRpIjoiMGY4ZmFkNWItZDljYi00NjlmLWExNjUtNzA4"
                   "Njc3Mjg5NTBlIn0.AxwrQYSr07Y97qwf4PD4SwqTPwMiWW4tjG3dffCjv4c");
    free(jwt);
}

/* Quotes, backslashes, multi-byte UTF-8, every short escape, \u escapes and a DEL;
 * signed with the 131-byte key of RFC 4231 case 6. Same Python recipe as above. */
static void test_jwt_escaping(void) {
    roomcode_claims c =
        fixed_claims("q\"uo\\te \xc3\xa9\xe6\x97\xa5\xe6\x9c\xac \x01\b\f\n\r\t\x1f\x7f end");
    unsigned char key[131];
    char payload[512];
    memset(key, 0xaa, sizeof key);
    char *jwt = make_jwt(&c, key, sizeof key);
    jwt_payload(jwt, payload, sizeof payload);
    CHECK_STR(payload, "{\"access_key\":\"65f2d0c1a9b8e7f6a5b4c3d2\","
                       "\"room_id\":\"65f2d0c1a9b8e7f6a5b4c3e1\","
                       "\"user_id\":\"q\\\"uo\\\\te \\u00e9\\u65e5\\u672c "
                       "\\u0001\\b\\f\\n\\r\\t\\u001f\\u007f end\","
                       "\"role\":\"host\",\"type\":\"app\",\"version\":2,"
                       "\"iat\":1700000000,\"nbf\":1700000000,\"exp\":1700086400,"
                       "\"jti\":\"0f8fad5b-d9cb-469f-a165-70867728950e\"}");
    CHECK_STR(jwt, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
                   "eyJhY2Nlc3Nfa2V5IjoiNjVmMmQwYzFhOWI4ZTdmNmE1YjRjM2QyIiwicm9vbV9pZCI6IjY1Zj"
                   "JkMGMxYTliOGU3ZjZhNWI0YzNlMSIsInVzZXJfaWQiOiJxXCJ1b1xcdGUgXHUwMGU5XHU2NWU1"
                   "XHU2NzJjIFx1MDAwMVxiXGZcblxyXHRcdTAwMWZcdTAwN2YgZW5kIiwicm9sZSI6Imhvc3QiLC"
                   "J0eXBlIjoiYXBwIiwidmVyc2lvbiI6MiwiaWF0IjoxNzAwMDAwMDAwLCJuYmYiOjE3MDAwMDAw"
                   "MDAsImV4cCI6MTcwMDA4NjQwMCwianRpIjoiMGY4ZmFkNWItZDljYi00NjlmLWExNjUtNzA4Nj"
                   "c3Mjg5NTBlIn0.nXWqndqbLZDL0oPkcm2ece5-OD-hyZ5tDZ_sBYa-DQc");
    free(jwt);
}

/* The characters that base64 could turn into '-' or '_', and a character above U+FFFF
 * (a surrogate pair); 100ms's own tokens break atob on such user ids. */
static void test_jwt_atob_safe(void) {
    roomcode_claims c = fixed_claims("Zo\xc3\xab a?b x>y ~ \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf");
    char payload[512];
    char *jwt = make_jwt(&c, (const unsigned char *)"Jefe", 4);
    jwt_payload(jwt, payload, sizeof payload);
    CHECK(strstr(payload, "\"user_id\":\"Zo\\u00eb a\\u003fb x\\u003ey \\u007e "
                          "\\ud83d\\ude00 \\udbff\\udfff\",") != NULL);
    CHECK_STR(jwt, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
                   "eyJhY2Nlc3Nfa2V5IjoiNjVmMmQwYzFhOWI4ZTdmNmE1YjRjM2QyIiwicm9vbV9pZCI6IjY1Zj"
                   "JkMGMxYTliOGU3ZjZhNWI0YzNlMSIsInVzZXJfaWQiOiJab1x1MDBlYiBhXHUwMDNmYiB4XHUw"
                   "MDNleSBcdTAwN2UgXHVkODNkXHVkZTAwIFx1ZGJmZlx1ZGZmZiIsInJvbGUiOiJob3N0IiwidH"
                   "lwZSI6ImFwcCIsInZlcnNpb24iOjIsImlhdCI6MTcwMDAwMDAwMCwibmJmIjoxNzAwMDAwMDAw"
                   "LCJleHAiOjE3MDAwODY0MDAsImp0aSI6IjBmOGZhZDViLWQ5Y2ItNDY5Zi1hMTY1LTcwODY3Nz"
                   "I4OTUwZSJ9.S9-QkqqWWzdcfBcKZY1bVksbWX7q3eqKBelR6lKEapQ");
    free(jwt);
}

/* The JSON text one ASCII byte becomes, as the test expects it (independently of token.c's
 * table): the short escapes of RFC 8259, \u00XX for other controls and ">?~" and DEL. */
static void expected_ascii(char *out, unsigned char b) {
    const char *shorts = "\"\\\b\f\n\r\t", *letters = "\"\\bfnrt";
    const char *hit = b ? strchr(shorts, b) : NULL;
    if (hit)
        sprintf(out, "\\%c", letters[hit - shorts]);
    else if (b < 0x20 || b == '>' || b == '?' || b == '~' || b == 0x7f)
        sprintf(out, "\\u%04x", b);
    else
        sprintf(out, "%c", b);
}

/*
 * Every ASCII byte 1..127, at each of the three positions of a base64 group, in each of
 * the four name claims: the payload decodes as standard base64, is printable ASCII, and
 * holds the byte as expected_ascii() writes it.
 */
static void test_every_ascii_byte(void) {
    static const char *const pad[3] = {"", "a", "ab"};
    int all_ok = 1, count = 0;
    for (int field = 0; field < 4; field++) {
        for (int shift = 0; shift < 3; shift++) {
            for (int b = 1; b < 128; b++) {
                char value[8], want[32], payload[512];
                snprintf(value, sizeof value, "%s%c", pad[shift], b);
                roomcode_claims c = fixed_claims("u");
                const char **slot[4] = {&c.access_key, &c.room_id, &c.user_id, &c.role};
                *slot[field] = value;
                int ok = 1;
                char *jwt = write_jwt(&c, (const unsigned char *)"k", 1, &ok);
                const char *dot1 = strchr(jwt, '.'), *dot2 = strrchr(jwt, '.');
                ok &= strcspn(jwt, "-_") >= (size_t)(dot2 - jwt) && dot1 != dot2;
                ok &= payload_of(jwt, payload, sizeof payload);
                ok &= printable_ascii(payload);
                char escaped[16];
                expected_ascii(escaped, (unsigned char)b);
                snprintf(want, sizeof want, "\"%s%s\"", pad[shift], escaped);
                ok &= strstr(payload, want) != NULL;
                all_ok &= ok;
                count++;
                free(jwt);
            }
        }
    }
    CHECK(all_ok);
    CHECK(count == 4 * 3 * 127);
}

/* Write the code point as UTF-8; returns its length. */
static int utf8_of(char *out, unsigned cp) {
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | cp >> 12);
        out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | cp >> 18);
    out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/*
 * Every code point above U+007F outside the surrogates, 50 at a time in a role, preceded
 * by 0 to 2 ASCII bytes (so that escapes start at every position of a base64 group):
 * \uXXXX escapes, a surrogate pair above U+FFFF, in printable ASCII that decodes as
 * standard base64.
 */
static void test_every_code_point(void) {
    int all_ok = 1, count = 0;
    unsigned cp = 0x80;
    while (cp <= 0x10FFFF) {
        char value[256], want[720], payload[2048];
        int lead = cp % 3, n = lead, w = lead;
        memcpy(value, "ab", 2);
        memcpy(want, "ab", 2);
        for (int k = 0; k < 50 && cp <= 0x10FFFF; k++, cp++) {
            if (cp == 0xD800)
                cp = 0xE000;
            n += utf8_of(value + n, cp);
            if (cp < 0x10000) {
                w += sprintf(want + w, "\\u%04x", cp);
            } else {
                unsigned v = cp - 0x10000;
                w += sprintf(want + w, "\\u%04x\\u%04x", 0xD800 | v >> 10, 0xDC00 | (v & 0x3FF));
            }
            count++;
        }
        value[n] = '\0';
        roomcode_claims c = fixed_claims("u");
        c.role = value;
        int ok = 1;
        char *jwt = write_jwt(&c, (const unsigned char *)"k", 1, &ok);
        ok &= payload_of(jwt, payload, sizeof payload);
        char quoted[760];
        snprintf(quoted, sizeof quoted, "\"role\":\"%s\"", want);
        all_ok &= ok && printable_ascii(payload) && strstr(payload, quoted) != NULL;
        free(jwt);
    }
    CHECK(all_ok);
    CHECK(count == 0x110000 - 0x80 - 0x800);
}

/* Bytes that are not UTF-8 make no token and name their claim. */
static void test_invalid_utf8(void) {
    static const char *const bad[] = {
        "\x80",             /* a stray continuation byte */
        "\xc0\x80",         /* overlong NUL */
        "\xc1\xbf",         /* overlong U+007F */
        "\xe0\x9f\xbf",     /* overlong U+07FF */
        "\xed\xa0\x80",     /* U+D800, a surrogate */
        "\xed\xbf\xbf",     /* U+DFFF */
        "\xf0\x8f\xbf\xbf", /* overlong U+FFFF */
        "\xf4\x90\x80\x80", /* U+110000 */
        "\xf5\x80\x80\x80", /* no such lead byte */
        "\xff",
        "a\xe2\x82",    /* cut short at the end */
        "\xe2\x82z",    /* cut short by an ASCII byte */
        "\xc3\xa9\xc3", /* valid, then cut short */
    };
    const char *names[4] = {"access_key", "room_id", "user_id", "role"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        for (int field = 0; field < 4; field++) {
            roomcode_claims c = fixed_claims("u");
            const char **slot[4] = {&c.access_key, &c.room_id, &c.user_id, &c.role};
            *slot[field] = bad[i];
            char out[2048];
            const char *which = NULL;
            CHECK(roomcode_jwt_max_size(strlen(bad[i]) + 60) <= sizeof out);
            CHECK(roomcode_jwt_write(out, &c, (const unsigned char *)"k", 1, &which) == 0);
            CHECK(which && strcmp(which, names[field]) == 0);
        }
    }
    /* the edges that are valid */
    roomcode_claims c = fixed_claims("\xc2\x80\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80"
                                     "\xef\xbf\xbf\xf0\x90\x80\x80\xf4\x8f\xbf\xbf");
    char payload[512];
    char *jwt = make_jwt(&c, (const unsigned char *)"k", 1);
    jwt_payload(jwt, payload, sizeof payload);
    CHECK(strstr(payload, "\"user_id\":\"\\u0080\\u07ff\\u0800\\ud7ff\\ue000\\uffff"
                          "\\ud800\\udc00\\udbff\\udfff\"") != NULL);
    free(jwt);
}

/* The bound holds for the longest escapes: 256 bytes of each kind in every claim. */
static void test_max_size(void) {
    static const char *const units[] = {"\x01", "\xc2\x80", "\xe0\xa0\x80", "\xf0\x90\x80\x80",
                                        "?",    "a"};
    for (size_t u = 0; u < sizeof units / sizeof units[0]; u++) {
        char value[257];
        size_t k = strlen(units[u]), n = 0;
        while (n + k <= 256) {
            memcpy(value + n, units[u], k);
            n += k;
        }
        value[n] = '\0';
        roomcode_claims c = {value, value, value, value, INT64_MIN, -1, ""};
        memset(c.jti, '~', sizeof c.jti - 1);
        c.jti[sizeof c.jti - 1] = '\0';
        char *jwt = make_jwt(&c, (const unsigned char *)"k", 1); /* ASan checks the bound */
        char payload[16384];
        jwt_payload(jwt, payload, sizeof payload);
        CHECK(printable_ascii(payload));
        CHECK(strstr(payload, "\"iat\":-9223372036854775808,\"nbf\":-9223372036854775808,"
                              "\"exp\":-9223372036854775808,") != NULL);
        free(jwt);
    }
}

static void test_jwt_edges(void) {
    char payload[512];
    char *jwt;

    /* An empty secret is still a valid HMAC key. */
    roomcode_claims c = fixed_claims("");
    jwt = make_jwt(&c, NULL, 0);
    CHECK(strncmp(jwt, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.", 37) == 0);
    free(jwt);

    /* exp saturates rather than overflowing. */
    c.iat = INT64_MAX - 10;
    jwt = make_jwt(&c, (const unsigned char *)"k", 1);
    jwt_payload(jwt, payload, sizeof payload);
    CHECK(strstr(payload, ",\"nbf\":9223372036854775797,\"exp\":9223372036854775807,") != NULL);
    free(jwt);

    c.iat = 0;
    c.ttl = 3600;
    jwt = make_jwt(&c, (const unsigned char *)"k", 1);
    jwt_payload(jwt, payload, sizeof payload);
    CHECK(strstr(payload, "\"user_id\":\"\",") != NULL);
    CHECK(strstr(payload, ",\"iat\":0,\"nbf\":0,\"exp\":3600,") != NULL);
    free(jwt);
}

static int uuid4_well_formed(const char *u) {
    if (strlen(u) != 36 || u[14] != '4' || !strchr("89ab", u[19]))
        return 0;
    for (int i = 0; i < 36; i++) {
        int dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? u[i] != '-' : !strchr("0123456789abcdef", u[i]))
            return 0;
    }
    return 1;
}

static void test_uuid4_format(void) {
    unsigned char ones[16], zeros[16] = {0};
    char u[ROOMCODE_UUID_SIZE];
    memset(ones, 0xff, sizeof ones);
    roomcode_uuid4_format(ones, u);
    CHECK_STR(u, "ffffffff-ffff-4fff-bfff-ffffffffffff");
    roomcode_uuid4_format(zeros, u);
    CHECK_STR(u, "00000000-0000-4000-8000-000000000000");
}

static void test_uuid4(void) {
    char a[ROOMCODE_UUID_SIZE], b[ROOMCODE_UUID_SIZE];
    CHECK(!uuid4_well_formed("0f8fad5b-d9cb-369f-a165-70867728950e")); /* the test can fail */
    CHECK(!uuid4_well_formed("0f8fad5b-d9cb-469f-c165-70867728950e"));
    CHECK(!uuid4_well_formed("0f8fad5b-d9cb-469f-a165-70867728950E"));
    for (int i = 0; i < 20; i++) {
        roomcode_uuid4(a);
        roomcode_uuid4(b);
        CHECK(uuid4_well_formed(a));
        CHECK(uuid4_well_formed(b));
        CHECK(strcmp(a, b) != 0);
    }
}

int main(void) {
    if (sodium_init() < 0) {
        fprintf(stderr, "test_token: sodium_init failed\n");
        return 1;
    }
    test_hmac_rfc4231();
    test_base64url();
    test_header_constant();
    test_jwt_vector();
    test_jwt_escaping();
    test_jwt_atob_safe();
    test_every_ascii_byte();
    test_every_code_point();
    test_invalid_utf8();
    test_max_size();
    test_jwt_edges();
    test_uuid4_format();
    test_uuid4();
    return check_report("test_token");
}
