/*
 * libFuzzer target for ext/token.c: JWTs for fuzzed claims and secrets. The token is
 * written into a heap buffer of exactly roomcode_jwt_max_size() bytes (ASan catches an
 * overrun); a claim that is not valid UTF-8 (by a decoder written here) makes no token
 * and is named, any other input makes one; it has three base64url parts, and header and
 * payload are also standard base64 (no '-' or '_': what atob accepts); the header decodes
 * to the fixed HS256 header; the payload decodes to printable ASCII JSON (checked by
 * SQLite's JSON functions) whose claims are the inputs, in order; and the signature
 * matches an HMAC computed here from plain SHA-256, independently of the code under test.
 *
 * Input: iat (8 bytes), ttl (8 bytes), a flag byte, then access_key, room_id, user_id,
 * role and jti separated by NUL bytes, and the rest is the secret (any bytes).
 */
#include "token.h"

#include <sodium.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static sqlite3 *db;
static sqlite3_stmt *claims_stmt;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    if (sodium_init() < 0 || sqlite3_open(":memory:", &db) != SQLITE_OK)
        abort();
    const char *sql = "SELECT json_valid(?1), (SELECT group_concat(key, ',') FROM json_each(?1)),"
                      " json_extract(?1, '$.access_key'), json_extract(?1, '$.room_id'),"
                      " json_extract(?1, '$.user_id'), json_extract(?1, '$.role'),"
                      " json_extract(?1, '$.type'), json_extract(?1, '$.version'),"
                      " json_extract(?1, '$.iat'), json_extract(?1, '$.nbf'),"
                      " json_extract(?1, '$.exp'), json_extract(?1, '$.jti'),"
                      " json_type(?1, '$.iat'), json_type(?1, '$.nbf'), json_type(?1, '$.exp')";
    if (sqlite3_prepare_v2(db, sql, -1, &claims_stmt, 0) != SQLITE_OK)
        abort();
    return 0;
}

/* Decodes unpadded base64url strictly; returns the length, or -1 for bad input. */
static long b64url_decode(const char *s, size_t n, unsigned char *out) {
    if (n % 4 == 1)
        return -1;
    unsigned long acc = 0;
    int bits = 0;
    long o = 0;
    for (size_t i = 0; i < n; i++) {
        const char *hit = memchr(alphabet, s[i], 64);
        if (!hit || !s[i])
            return -1;
        acc = acc << 6 | (unsigned long)(hit - alphabet);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)(acc >> bits);
        }
    }
    /* The unused low bits of the last character must be zero (canonical encoding). */
    if (acc & ((1UL << bits) - 1))
        return -1;
    return o;
}

/* Is s valid UTF-8? Decodes each sequence to its code point and checks the range, where
 * token.c checks the second byte's range. */
static int valid_utf8(const unsigned char *s) {
    while (*s) {
        unsigned c = *s, need, cp;
        if (c < 0x80) {
            s++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            need = 1, cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            need = 2, cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            need = 3, cp = c & 0x07;
        } else {
            return 0;
        }
        for (unsigned i = 1; i <= need; i++) {
            if ((s[i] & 0xC0) != 0x80)
                return 0;
            cp = cp << 6 | (s[i] & 0x3F);
        }
        static const unsigned min[4] = {0, 0x80, 0x800, 0x10000};
        if (cp < min[need] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        s += need + 1;
    }
    return 1;
}

/* HMAC-SHA256 from RFC 2104 over plain SHA-256. */
static void reference_hmac(unsigned char out[32], const unsigned char *key, size_t keylen,
                           const unsigned char *msg, size_t n) {
    unsigned char k[64] = {0}, pad[64], inner[32];
    if (keylen > 64)
        crypto_hash_sha256(k, key, keylen);
    else if (keylen)
        memcpy(k, key, keylen);
    crypto_hash_sha256_state st;
    for (int i = 0; i < 64; i++)
        pad[i] = k[i] ^ 0x36;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, pad, 64);
    crypto_hash_sha256_update(&st, msg, n);
    crypto_hash_sha256_final(&st, inner);
    for (int i = 0; i < 64; i++)
        pad[i] = k[i] ^ 0x5c;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, pad, 64);
    crypto_hash_sha256_update(&st, inner, 32);
    crypto_hash_sha256_final(&st, out);
}

/* The next NUL-terminated part (a pointer into a NUL-terminated copy of the input). */
static char *next_part(char **p, char *end) {
    char *s = *p;
    char *nul = memchr(s, 0, (size_t)(end - s));
    *p = nul ? nul + 1 : end;
    return s;
}

static void check_text(int col, const char *want) {
    CHECK(sqlite3_column_type(claims_stmt, col) == SQLITE_TEXT);
    const char *got = (const char *)sqlite3_column_text(claims_stmt, col);
    CHECK(got && (size_t)sqlite3_column_bytes(claims_stmt, col) == strlen(want));
    CHECK(strcmp(got, want) == 0);
}

static void check_int(int col, int64_t want) {
    CHECK(sqlite3_column_type(claims_stmt, col) == SQLITE_INTEGER);
    CHECK(sqlite3_column_int64(claims_stmt, col) == want);
    CHECK(strcmp((const char *)sqlite3_column_text(claims_stmt, col + 4), "integer") == 0);
}

static void check_payload(const unsigned char *json, size_t n, const roomcode_claims *c) {
    CHECK(sqlite3_bind_text(claims_stmt, 1, (const char *)json, (int)n, SQLITE_STATIC) ==
          SQLITE_OK);
    CHECK(sqlite3_step(claims_stmt) == SQLITE_ROW);
    CHECK(sqlite3_column_int(claims_stmt, 0) == 1);
    check_text(1, "access_key,room_id,user_id,role,type,version,iat,nbf,exp,jti");
    check_text(2, c->access_key);
    check_text(3, c->room_id);
    check_text(4, c->user_id);
    check_text(5, c->role);
    check_text(6, "app");
    CHECK(sqlite3_column_int64(claims_stmt, 7) == 2);
    int64_t exp;
    if (__builtin_add_overflow(c->iat, c->ttl, &exp))
        exp = c->ttl > 0 ? INT64_MAX : INT64_MIN;
    check_int(8, c->iat);
    check_int(9, c->iat);
    check_int(10, exp);
    check_text(11, c->jti);
    sqlite3_reset(claims_stmt);
    sqlite3_clear_bindings(claims_stmt);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 17)
        return 0;
    roomcode_claims c;
    memset(&c, 0, sizeof c);
    memcpy(&c.iat, data, 8);
    memcpy(&c.ttl, data + 8, 8);
    int fuzzed_jti = data[16] & 1;

    char *copy = malloc(size - 17 + 1);
    if (!copy)
        abort();
    memcpy(copy, data + 17, size - 17);
    copy[size - 17] = '\0';
    char *p = copy, *end = copy + (size - 17);
    c.access_key = next_part(&p, end);
    c.room_id = next_part(&p, end);
    c.user_id = next_part(&p, end);
    c.role = next_part(&p, end);
    char *jti = next_part(&p, end);
    const unsigned char *secret = (const unsigned char *)p;
    size_t secret_len = (size_t)(end - p);
    if (fuzzed_jti)
        snprintf(c.jti, sizeof c.jti, "%s", jti);
    else
        roomcode_uuid4(c.jti);

    size_t cap = roomcode_jwt_max_size(strlen(c.access_key) + strlen(c.room_id) +
                                       strlen(c.user_id) + strlen(c.role));
    char *out = malloc(cap);
    if (!out)
        abort();
    const char *bad = NULL;
    size_t len = roomcode_jwt_write(out, &c, secret, secret_len, &bad);
    const char *const names[5] = {"access_key", "room_id", "user_id", "role", "jti"};
    const char *const values[5] = {c.access_key, c.room_id, c.user_id, c.role, c.jti};
    const char *want_bad = NULL;
    for (int i = 0; i < 5 && !want_bad; i++) {
        if (!valid_utf8((const unsigned char *)values[i]))
            want_bad = names[i];
    }
    if (want_bad) {
        CHECK(len == 0 && bad && strcmp(bad, want_bad) == 0);
        free(out);
        free(copy);
        return 0;
    }
    CHECK(len > 0 && !bad && len < cap && strlen(out) == len);

    char *dot1 = strchr(out, '.');
    CHECK(dot1);
    char *dot2 = strchr(dot1 + 1, '.');
    CHECK(dot2 && !strchr(dot2 + 1, '.'));
    for (const char *q = out; *q; q++)
        CHECK(*q == '.' || strchr(alphabet, *q));
    /* header and payload hold no '-' or '_', so standard base64 reads them as well */
    CHECK(strcspn(out, "-_") >= (size_t)(dot2 - out));

    unsigned char *buf = malloc(len);
    if (!buf)
        abort();
    long n = b64url_decode(out, (size_t)(dot1 - out), buf);
    static const char header[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
    CHECK(n == (long)sizeof header - 1 && memcmp(buf, header, sizeof header - 1) == 0);

    n = b64url_decode(dot1 + 1, (size_t)(dot2 - dot1 - 1), buf);
    CHECK(n > 0);
    for (long i = 0; i < n; i++)
        CHECK(buf[i] >= 0x20 && buf[i] <= 0x7E);
    check_payload(buf, (size_t)n, &c);

    unsigned char mac[32], want[32];
    n = b64url_decode(dot2 + 1, strlen(dot2 + 1), mac);
    CHECK(n == 32);
    reference_hmac(want, secret, secret_len, (const unsigned char *)out, (size_t)(dot2 - out));
    CHECK(memcmp(mac, want, 32) == 0);

    /* The base64url helpers on their own: round trip of the raw input. */
    size_t elen = roomcode_base64url_encoded_len(size);
    char *enc = malloc(elen + 1);
    unsigned char *dec = malloc(size + 1);
    if (!enc || !dec)
        abort();
    roomcode_base64url_encode(enc, data, size);
    CHECK(strlen(enc) == elen);
    CHECK(b64url_decode(enc, elen, dec) == (long)size && memcmp(dec, data, size) == 0);

    free(enc);
    free(dec);
    free(buf);
    free(out);
    free(copy);
    return 0;
}
