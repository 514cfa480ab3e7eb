/*
 * Unit tests for ext/token.c: HMAC-SHA256 against RFC 4231, base64url against
 * RFC 4648, whole JWTs against vectors made by an independent implementation, and the
 * shape of the random UUIDs.
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

/* Allocate exactly the advertised size, so ASan catches any write past it. */
static char *make_jwt(const roomcode_claims *c, const unsigned char *secret, size_t n) {
    size_t len = roomcode_jwt_length(c);
    char *out = malloc(len);
    if (!out)
        abort();
    roomcode_jwt_write(out, c, secret, n);
    CHECK(strlen(out) + 1 == len);
    return out;
}

/* Decode the payload (the part between the dots) into out, NUL-terminated. */
static void jwt_payload(const char *jwt, char *out, size_t cap) {
    const char *p = strchr(jwt, '.') + 1;
    const char *end = strchr(p, '.');
    size_t n = 0;
    int rc = sodium_base642bin((unsigned char *)out, cap - 1, p, (size_t)(end - p), NULL, &n, NULL,
                               sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    CHECK(rc == 0);
    out[rc == 0 ? n : 0] = '\0';
}

/*
 * The expected tokens come from Python's standard library (json, hmac, hashlib, base64):
 *   b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
 *   h = b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
 *   p = b64(json.dumps(claims, separators=(",", ":"), ensure_ascii=False).encode())
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

/* Quotes, backslashes, multi-byte UTF-8, every short escape, \u escapes and a raw DEL;
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
                       "\"user_id\":\"q\\\"uo\\\\te \xc3\xa9\xe6\x97\xa5\xe6\x9c\xac "
                       "\\u0001\\b\\f\\n\\r\\t\\u001f\x7f end\","
                       "\"role\":\"host\",\"type\":\"app\",\"version\":2,"
                       "\"iat\":1700000000,\"nbf\":1700000000,\"exp\":1700086400,"
                       "\"jti\":\"0f8fad5b-d9cb-469f-a165-70867728950e\"}");
    CHECK_STR(jwt, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
                   "eyJhY2Nlc3Nfa2V5IjoiNjVmMmQwYzFhOWI4ZTdmNmE1YjRjM2QyIiwicm9vbV9pZCI6IjY1Zj"
                   "JkMGMxYTliOGU3ZjZhNWI0YzNlMSIsInVzZXJfaWQiOiJxXCJ1b1xcdGUgw6nml6XmnKwgXHUw"
                   "MDAxXGJcZlxuXHJcdFx1MDAxZn8gZW5kIiwicm9sZSI6Imhvc3QiLCJ0eXBlIjoiYXBwIiwidm"
                   "Vyc2lvbiI6MiwiaWF0IjoxNzAwMDAwMDAwLCJuYmYiOjE3MDAwMDAwMDAsImV4cCI6MTcwMDA4"
                   "NjQwMCwianRpIjoiMGY4ZmFkNWItZDljYi00NjlmLWExNjUtNzA4Njc3Mjg5NTBlIn0."
                   "j4Q_iEHdIx9xoke_jmwQfvpyc6Ji9JxcsEHicJ7EK-4");
    free(jwt);
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
    test_jwt_vector();
    test_jwt_escaping();
    test_jwt_edges();
    test_uuid4();
    return check_report("test_token");
}
