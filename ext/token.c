/*
 * HS256 JWT encoding for Room Code Authentication, in one pass: the payload's JSON is
 * produced into a small window on the stack and base64url-encoded into the caller's buffer
 * whenever the window fills, so nothing is counted first and nothing is formatted twice.
 * The caller's buffer is sized from an upper bound (six output bytes per input byte, the
 * \u00XX escape of one byte), which needs no look at the text.
 */
#include "token.h"

#include <sodium.h>
#include <string.h>

static const char b64url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
static const char hex[] = "0123456789abcdef";

/* The header never changes, so neither does its encoding: {"alg":"HS256","typ":"JWT"} (its
 * key order is the one 100ms and jwt.io use; the unit test decodes it). */
static const char header_b64[] = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";

/* The payload's text around the values, and the longest a number may take. */
#define PAYLOAD_FRAME                                                                              \
    "{\"access_key\":\"\",\"room_id\":\"\",\"user_id\":\"\",\"role\":\"\",\"type\":\"app\","       \
    "\"version\":2,\"iat\":,\"nbf\":,\"exp\":,\"jti\":\"\"}"
#define ESCAPE_MAX 6     /* the most JSON text one input byte becomes (\u00XX) */
#define WINDOW 240       /* JSON bytes held before encoding, a multiple of 3 */
#define CHARACTER_MAX 12 /* the most JSON text one character becomes (a surrogate pair) */
#define SIGNATURE_B64 43 /* 32 bytes */

/*
 * How each ASCII byte is written in a string: 0 as itself, else after a backslash the
 * letter given, 'u' meaning \u00XX. Besides what JSON requires ('"', '\\' and control
 * characters), '>', '?', '~' and DEL are escaped: as the third byte of a 3-byte group
 * they end in the 6 bits 62 or 63, base64url's '-' and '_', which standard base64 decoders
 * (atob) refuse. No other ASCII byte can produce 62 or 63: the first two sextets of a group
 * of bytes below 0x80 are at most 31 and 55, the third at most 61.
 */
static const unsigned char ascii_escape[128] = {
    ['\0'] = 'u', [0x01] = 'u', [0x02] = 'u', [0x03] = 'u',  [0x04] = 'u', [0x05] = 'u',
    [0x06] = 'u', [0x07] = 'u', ['\b'] = 'b', ['\t'] = 't',  ['\n'] = 'n', [0x0b] = 'u',
    ['\f'] = 'f', ['\r'] = 'r', [0x0e] = 'u', [0x0f] = 'u',  [0x10] = 'u', [0x11] = 'u',
    [0x12] = 'u', [0x13] = 'u', [0x14] = 'u', [0x15] = 'u',  [0x16] = 'u', [0x17] = 'u',
    [0x18] = 'u', [0x19] = 'u', [0x1a] = 'u', [0x1b] = 'u',  [0x1c] = 'u', [0x1d] = 'u',
    [0x1e] = 'u', [0x1f] = 'u', ['"'] = '"',  ['\\'] = '\\', ['>'] = 'u',  ['?'] = 'u',
    ['~'] = 'u',  [0x7f] = 'u',
};

/* Writes groups of 3 bytes as 4 characters each; returns the next output position. */
static char *b64_groups(char *out, const unsigned char *in, size_t groups) {
    for (size_t i = 0; i < groups; i++, in += 3, out += 4) {
        uint32_t v = (uint32_t)in[0] << 16 | (uint32_t)in[1] << 8 | in[2];
        out[0] = b64url_alphabet[v >> 18];
        out[1] = b64url_alphabet[v >> 12 & 63];
        out[2] = b64url_alphabet[v >> 6 & 63];
        out[3] = b64url_alphabet[v & 63];
    }
    return out;
}

/* Writes the last 1 or 2 bytes without padding, as JWTs require. */
static char *b64_tail(char *out, const unsigned char *in, size_t rest) {
    uint32_t v = (uint32_t)in[0] << 16 | (rest == 2 ? (uint32_t)in[1] << 8 : 0);
    *out++ = b64url_alphabet[v >> 18];
    *out++ = b64url_alphabet[v >> 12 & 63];
    if (rest == 2)
        *out++ = b64url_alphabet[v >> 6 & 63];
    return out;
}

/* The payload being written: JSON in the window, base64url in the caller's buffer. */
typedef struct payload_writer {
    char *out; /* next base64url character */
    size_t n;  /* JSON bytes in window */
    unsigned char window[WINDOW];
} payload_writer;

/* Encodes the window's whole groups, keeping the 0 to 2 bytes left over. */
static void flush(payload_writer *w) {
    size_t whole = w->n / 3;
    w->out = b64_groups(w->out, w->window, whole);
    size_t rest = w->n - whole * 3;
    for (size_t i = 0; i < rest; i++)
        w->window[i] = w->window[whole * 3 + i];
    w->n = rest;
}

/* Where up to k more JSON bytes go (k <= WINDOW - 2). */
static unsigned char *room(payload_writer *w, size_t k) {
    if (w->n + k > WINDOW)
        flush(w);
    return w->window + w->n;
}

static void put_bytes(payload_writer *w, const char *s, size_t k) {
    memcpy(room(w, k), s, k);
    w->n += k;
}

#define PUT_LITERAL(w, s) put_bytes(w, s, sizeof s - 1)

static unsigned char *put_u_escape(unsigned char *d, uint32_t unit) {
    d[0] = '\\';
    d[1] = 'u';
    d[2] = (unsigned char)hex[unit >> 12];
    d[3] = (unsigned char)hex[unit >> 8 & 15];
    d[4] = (unsigned char)hex[unit >> 4 & 15];
    d[5] = (unsigned char)hex[unit & 15];
    return d + 6;
}

/*
 * Decodes the UTF-8 sequence at p (NUL-terminated, so reading stops at the first byte that
 * is not a continuation) into *cp; returns its length, or 0 when it is not valid UTF-8.
 * The second byte's range excludes overlong forms, surrogates and code points past
 * U+10FFFF (RFC 3629, table 3-7 of Unicode).
 */
static int utf8_decode(const unsigned char *p, uint32_t *cp) {
    unsigned char c = p[0];
    if (c < 0xC2)
        return 0;
    if (c < 0xE0) {
        if ((p[1] & 0xC0) != 0x80)
            return 0;
        *cp = (uint32_t)(c & 0x1F) << 6 | (p[1] & 0x3F);
        return 2;
    }
    if (c < 0xF0) {
        unsigned char lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
        if (p[1] < lo || p[1] > hi || (p[2] & 0xC0) != 0x80)
            return 0;
        *cp = (uint32_t)(c & 0x0F) << 12 | (uint32_t)(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
        return 3;
    }
    if (c < 0xF5) {
        unsigned char lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
        if (p[1] < lo || p[1] > hi || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80)
            return 0;
        *cp = (uint32_t)(c & 0x07) << 18 | (uint32_t)(p[1] & 0x3F) << 12 |
              (uint32_t)(p[2] & 0x3F) << 6 | (p[3] & 0x3F);
        return 4;
    }
    return 0;
}

/* Writes the JSON text of the character starting at *p (not NUL) at d, in ASCII, and
 * returns its end, leaving *p on the character's last byte; NULL when it is not valid
 * UTF-8. Shared by the payload writer and roomcode_json_string_body. */
static inline unsigned char *put_json_char(unsigned char *d, const unsigned char **p) {
    unsigned char c = **p;
    if (c < 0x80) {
        unsigned char e = ascii_escape[c];
        if (!e) {
            *d++ = c;
        } else if (e == 'u') {
            d = put_u_escape(d, c);
        } else {
            d[0] = '\\';
            d[1] = e;
            d += 2;
        }
        return d;
    }
    uint32_t cp;
    int len = utf8_decode(*p, &cp);
    if (!len)
        return 0;
    *p += len - 1;
    if (cp < 0x10000)
        return put_u_escape(d, cp);
    cp -= 0x10000;
    return put_u_escape(put_u_escape(d, 0xD800 | cp >> 10), 0xDC00 | (cp & 0x3FF));
}

/* Writes the body of a JSON string in ASCII; 0 when s is not valid UTF-8. The position is
 * kept in a local: a byte store into the window could alias w->n, which the compiler would
 * then reload after every byte. */
static int put_string_body(payload_writer *w, const char *s) {
    const unsigned char *p = (const unsigned char *)s;
    unsigned char *d = w->window + w->n;
    unsigned char *const last = w->window + WINDOW - CHARACTER_MAX;
    for (;; p++) {
        if (d > last) {
            w->n = (size_t)(d - w->window);
            flush(w);
            d = w->window + w->n;
        }
        if (!*p)
            break;
        if (!(d = put_json_char(d, &p)))
            return 0;
    }
    w->n = (size_t)(d - w->window);
    return 1;
}

char *roomcode_put_int(char *d, int64_t v) {
    char digits[ROOMCODE_INT64_DIGITS];
    size_t k = sizeof digits;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do {
        digits[--k] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        digits[--k] = '-';
    memcpy(d, digits + k, sizeof digits - k);
    return d + (sizeof digits - k);
}

static void put_int(payload_writer *w, int64_t v) {
    char digits[ROOMCODE_INT64_DIGITS];
    put_bytes(w, digits, (size_t)(roomcode_put_int(digits, v) - digits));
}

int64_t roomcode_add_saturating(int64_t a, int64_t b) {
    if (b > 0 && a > INT64_MAX - b)
        return INT64_MAX;
    if (b < 0 && a < INT64_MIN - b)
        return INT64_MIN;
    return a + b;
}

/* Writes key (the JSON up to the claim's opening quote, k bytes) and the claim's string
 * value; 0 with *bad set to name when the value is not valid UTF-8. */
static int put_string_claim(payload_writer *w, const char *key, size_t k, const char *name,
                            const char *value, const char **bad) {
    put_bytes(w, key, k);
    if (put_string_body(w, value))
        return 1;
    *bad = name;
    return 0;
}

/* The key's length is known when compiling, as PUT_LITERAL's: a token costs no strlen. */
#define PUT_STRING_CLAIM(w, lead, name, value, bad)                                                \
    put_string_claim(w, lead "\"" name "\":\"", sizeof lead "\"" name "\":\"" - 1, name, value, bad)

/* Writes the payload JSON, the claims in the order of 100ms's tokens; 0 with *bad set
 * when a claim is not valid UTF-8. */
static int put_payload(payload_writer *w, const roomcode_claims *c, const char **bad) {
    if (!PUT_STRING_CLAIM(w, "{", "access_key", c->access_key, bad) ||
        !PUT_STRING_CLAIM(w, "\",", "room_id", c->room_id, bad) ||
        !PUT_STRING_CLAIM(w, "\",", "user_id", c->user_id, bad) ||
        !PUT_STRING_CLAIM(w, "\",", "role", c->role, bad))
        return 0;
    PUT_LITERAL(w, "\",\"type\":\"app\",\"version\":2,\"iat\":");
    put_int(w, c->iat);
    PUT_LITERAL(w, ",\"nbf\":");
    put_int(w, c->iat);
    PUT_LITERAL(w, ",\"exp\":");
    put_int(w, roomcode_add_saturating(c->iat, c->ttl));
    if (!PUT_STRING_CLAIM(w, ",", "jti", c->jti, bad))
        return 0;
    PUT_LITERAL(w, "\"}");
    return 1;
}

void roomcode_hmac_sha256(unsigned char out[32], const unsigned char *key, size_t keylen,
                          const unsigned char *msg, size_t n) {
    static const unsigned char empty[1];
    key = key ? key : empty;
    msg = msg ? msg : empty;
    crypto_auth_hmacsha256_state st;
    /* The streaming form, unlike crypto_auth_hmacsha256(), takes keys of any length. */
    (void)crypto_auth_hmacsha256_init(&st, key, keylen);
    (void)crypto_auth_hmacsha256_update(&st, msg, n);
    (void)crypto_auth_hmacsha256_final(&st, out);
    sodium_memzero(&st, sizeof st);
}

size_t roomcode_base64url_encoded_len(size_t n) { return n / 3 * 4 + (n % 3 ? n % 3 + 1 : 0); }

void roomcode_base64url_encode(char *out, const unsigned char *in, size_t n) {
    out = b64_groups(out, in, n / 3);
    if (n % 3)
        out = b64_tail(out, in + n / 3 * 3, n % 3);
    *out = '\0';
}

void roomcode_uuid4_format(const unsigned char bytes[16], char out[ROOMCODE_UUID_SIZE]) {
    char *p = out;
    for (int i = 0; i < 16; i++) {
        unsigned char b = bytes[i];
        if (i == 6)
            b = (unsigned char)((b & 0x0f) | 0x40); /* version 4 */
        else if (i == 8)
            b = (unsigned char)((b & 0x3f) | 0x80); /* RFC 4122 variant */
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *p++ = '-';
        *p++ = hex[b >> 4];
        *p++ = hex[b & 15];
    }
    *p = '\0';
}

void roomcode_uuid4(char out[ROOMCODE_UUID_SIZE]) {
    unsigned char b[16];
    randombytes_buf(b, sizeof b);
    roomcode_uuid4_format(b, out);
    sodium_memzero(b, sizeof b);
}

size_t roomcode_jwt_max_size(size_t name_bytes) {
    size_t json = sizeof PAYLOAD_FRAME - 1 + 3 * ROOMCODE_INT64_DIGITS +
                  ESCAPE_MAX * (name_bytes + ROOMCODE_UUID_SIZE - 1);
    return sizeof header_b64 + roomcode_base64url_encoded_len(json) + 1 + SIGNATURE_B64 + 1;
}

/* Appends '.' and the signature of out[0..signed_len), header and payload encoded, and
 * returns the token's length: the one signing path of every token the extension makes. */
static size_t sign_encoded(char *out, size_t signed_len, const unsigned char *secret,
                           size_t secret_len) {
    unsigned char mac[32];
    roomcode_hmac_sha256(mac, secret, secret_len, (const unsigned char *)out, signed_len);
    out[signed_len] = '.';
    roomcode_base64url_encode(out + signed_len + 1, mac, sizeof mac);
    sodium_memzero(mac, sizeof mac);
    return signed_len + 1 + SIGNATURE_B64;
}

size_t roomcode_jwt_write(char *out, const roomcode_claims *c, const unsigned char *secret,
                          size_t secret_len, const char **bad) {
    memcpy(out, header_b64, sizeof header_b64 - 1);
    out[sizeof header_b64 - 1] = '.';
    payload_writer w;
    w.out = out + sizeof header_b64;
    w.n = 0;
    if (!put_payload(&w, c, bad)) {
        out[0] = '\0';
        return 0;
    }
    flush(&w);
    if (w.n)
        w.out = b64_tail(w.out, w.window, w.n);
    /* The signature covers the encoded text, which already sits in out. */
    return sign_encoded(out, (size_t)(w.out - out), secret, secret_len);
}

char *roomcode_json_string_body(char *out, const char *s) {
    unsigned char *d = (unsigned char *)out;
    for (const unsigned char *p = (const unsigned char *)s; *p && d; p++)
        d = put_json_char(d, &p);
    return (char *)d;
}

size_t roomcode_jwt_from_json_max_size(size_t json_len) {
    return sizeof header_b64 + roomcode_base64url_encoded_len(json_len) + 1 + SIGNATURE_B64 + 1;
}

size_t roomcode_jwt_from_json(char *out, const char *json, size_t json_len,
                              const unsigned char *secret, size_t secret_len) {
    memcpy(out, header_b64, sizeof header_b64 - 1);
    out[sizeof header_b64 - 1] = '.';
    roomcode_base64url_encode(out + sizeof header_b64, (const unsigned char *)json, json_len);
    size_t signed_len = sizeof header_b64 + roomcode_base64url_encoded_len(json_len);
    return sign_encoded(out, signed_len, secret, secret_len);
}
