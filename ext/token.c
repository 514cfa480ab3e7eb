/*
 * HS256 JWT encoding for Room Code Authentication. The JSON of header and payload is
 * never held anywhere: it is base64url-encoded straight into the caller's buffer as it
 * is produced, and the same code run without a buffer counts the bytes, so the length
 * and the writer cannot disagree.
 */
#include "token.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

static const char b64url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* The JWT header never changes; its key order is the one 100ms and jwt.io use. */
static const char jwt_header[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";

typedef struct b64_stream {
    char *out;              /* next output character; NULL only counts input bytes */
    size_t n;               /* input bytes seen */
    unsigned char group[3]; /* input bytes of the group not yet encoded */
} b64_stream;

static void b64_emit(b64_stream *s, size_t len) {
    unsigned long v =
        (unsigned long)s->group[0] << 16 | (unsigned long)s->group[1] << 8 | s->group[2];
    for (size_t i = 0; i <= len; i++)
        *s->out++ = b64url_alphabet[(v >> (18 - 6 * i)) & 63];
}

static void b64_put(b64_stream *s, unsigned char byte) {
    s->group[s->n % 3] = byte;
    s->n++;
    if (s->out && s->n % 3 == 0)
        b64_emit(s, 3);
}

/* Encode the last partial group without padding, as JWTs require. */
static void b64_finish(b64_stream *s) {
    size_t rest = s->n % 3;
    if (s->out && rest) {
        memset(s->group + rest, 0, 3 - rest);
        b64_emit(s, rest);
    }
}

static void put_raw(b64_stream *s, const char *z) {
    while (*z)
        b64_put(s, (unsigned char)*z++);
}

/* RFC 8259 escaping; the output matches Python's json.dumps(ensure_ascii=False). */
static void put_json_string(b64_stream *s, const char *z) {
    static const char hex[] = "0123456789abcdef";
    static const char plain[] = "\"\\\b\f\n\r\t", escaped[] = "\"\\bfnrt";
    b64_put(s, '"');
    for (const unsigned char *p = (const unsigned char *)z; *p; p++) {
        const char *hit = strchr(plain, *p);
        if (hit) {
            b64_put(s, '\\');
            b64_put(s, (unsigned char)escaped[hit - plain]);
        } else if (*p < 0x20) {
            put_raw(s, "\\u00");
            b64_put(s, (unsigned char)hex[*p >> 4]);
            b64_put(s, (unsigned char)hex[*p & 15]);
        } else {
            b64_put(s, *p);
        }
    }
    b64_put(s, '"');
}

static void put_json_int(b64_stream *s, int64_t v) {
    char buf[24];
    snprintf(buf, sizeof buf, "%" PRId64, v);
    put_raw(s, buf);
}

/* Saturate instead of overflowing: a signed overflow would be undefined behaviour. */
static int64_t add_saturating(int64_t a, int64_t b) {
    if (b > 0 && a > INT64_MAX - b)
        return INT64_MAX;
    if (b < 0 && a < INT64_MIN - b)
        return INT64_MIN;
    return a + b;
}

static void put_payload(b64_stream *s, const roomcode_claims *c) {
    put_raw(s, "{\"access_key\":");
    put_json_string(s, c->access_key);
    put_raw(s, ",\"room_id\":");
    put_json_string(s, c->room_id);
    put_raw(s, ",\"user_id\":");
    put_json_string(s, c->user_id);
    put_raw(s, ",\"role\":");
    put_json_string(s, c->role);
    put_raw(s, ",\"type\":\"app\",\"version\":2,\"iat\":");
    put_json_int(s, c->iat);
    put_raw(s, ",\"nbf\":");
    put_json_int(s, c->iat);
    put_raw(s, ",\"exp\":");
    put_json_int(s, add_saturating(c->iat, c->ttl));
    put_raw(s, ",\"jti\":");
    put_json_string(s, c->jti);
    put_raw(s, "}");
}

void roomcode_hmac_sha256(unsigned char out[32], const unsigned char *key, size_t keylen,
                          const unsigned char *msg, size_t n) {
    static const unsigned char empty[1];
    crypto_auth_hmacsha256_state st;
    /* The streaming form, unlike crypto_auth_hmacsha256(), takes keys of any length. */
    (void)crypto_auth_hmacsha256_init(&st, key ? key : empty, keylen);
    (void)crypto_auth_hmacsha256_update(&st, msg ? msg : empty, n);
    (void)crypto_auth_hmacsha256_final(&st, out);
    sodium_memzero(&st, sizeof st);
}

size_t roomcode_base64url_encoded_len(size_t n) { return n / 3 * 4 + (n % 3 ? n % 3 + 1 : 0); }

void roomcode_base64url_encode(char *out, const unsigned char *in, size_t n) {
    b64_stream s = {out, 0, {0}};
    for (size_t i = 0; i < n; i++)
        b64_put(&s, in[i]);
    b64_finish(&s);
    *s.out = '\0';
}

void roomcode_uuid4(char out[ROOMCODE_UUID_SIZE]) {
    static const char hex[] = "0123456789abcdef";
    unsigned char b[16];
    randombytes_buf(b, sizeof b);
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    char *p = out;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *p++ = '-';
        *p++ = hex[b[i] >> 4];
        *p++ = hex[b[i] & 15];
    }
    *p = '\0';
}

size_t roomcode_jwt_length(const roomcode_claims *c) {
    b64_stream s = {NULL, 0, {0}};
    put_payload(&s, c);
    return roomcode_base64url_encoded_len(sizeof jwt_header - 1) + 1 +
           roomcode_base64url_encoded_len(s.n) + 1 + roomcode_base64url_encoded_len(32) + 1;
}

void roomcode_jwt_write(char *out, const roomcode_claims *c, const unsigned char *secret,
                        size_t secret_len) {
    b64_stream s = {out, 0, {0}};
    put_raw(&s, jwt_header);
    b64_finish(&s);
    *s.out++ = '.';
    s.n = 0;
    put_payload(&s, c);
    b64_finish(&s);

    /* The signature covers the encoded text, which already sits in out. */
    size_t signed_len = (size_t)(s.out - out);
    unsigned char mac[32];
    roomcode_hmac_sha256(mac, secret, secret_len, (const unsigned char *)out, signed_len);
    out[signed_len] = '.';
    roomcode_base64url_encode(out + signed_len + 1, mac, sizeof mac);
    sodium_memzero(mac, sizeof mac);
}
