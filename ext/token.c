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
#define INT64_DIGITS 20  /* -9223372036854775808 */
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
        unsigned char c = *p;
        if (c < 0x80) {
            unsigned char e = ascii_escape[c];
            if (!e) {
                *d++ = c;
            } else if (!c) {
                break;
            } else if (e == 'u') {
                d = put_u_escape(d, c);
            } else {
                d[0] = '\\';
                d[1] = e;
                d += 2;
            }
            continue;
        }
        uint32_t cp;
        int len = utf8_decode(p, &cp);
        if (!len)
            return 0;
        p += len - 1;
        if (cp < 0x10000) {
            d = put_u_escape(d, cp);
        } else {
            cp -= 0x10000;
            d = put_u_escape(put_u_escape(d, 0xD800 | cp >> 10), 0xDC00 | (cp & 0x3FF));
        }
    }
    w->n = (size_t)(d - w->window);
    return 1;
}

static void put_int(payload_writer *w, int64_t v) {
    char digits[INT64_DIGITS];
    size_t k = sizeof digits;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do {
        digits[--k] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        digits[--k] = '-';
    put_bytes(w, digits + k, sizeof digits - k);
}

/* Saturate instead of overflowing: a signed overflow would be undefined behaviour. */
static int64_t add_saturating(int64_t a, int64_t b) {
    if (b > 0 && a > INT64_MAX - b)
        return INT64_MAX;
    if (b < 0 && a < INT64_MIN - b)
        return INT64_MIN;
    return a + b;
}

static int refuse_claim(const char **bad, const char *name) {
    *bad = name;
    return 0;
}

/* Writes the payload JSON, the claims in the order of 100ms's tokens; 0 with *bad set
 * when a claim is not valid UTF-8. */
static int put_payload(payload_writer *w, const roomcode_claims *c, const char **bad) {
    PUT_LITERAL(w, "{\"access_key\":\"");
    if (!put_string_body(w, c->access_key))
        return refuse_claim(bad, "access_key");
    PUT_LITERAL(w, "\",\"room_id\":\"");
    if (!put_string_body(w, c->room_id))
        return refuse_claim(bad, "room_id");
    PUT_LITERAL(w, "\",\"user_id\":\"");
    if (!put_string_body(w, c->user_id))
        return refuse_claim(bad, "user_id");
    PUT_LITERAL(w, "\",\"role\":\"");
    if (!put_string_body(w, c->role))
        return refuse_claim(bad, "role");
    PUT_LITERAL(w, "\",\"type\":\"app\",\"version\":2,\"iat\":");
    put_int(w, c->iat);
    PUT_LITERAL(w, ",\"nbf\":");
    put_int(w, c->iat);
    PUT_LITERAL(w, ",\"exp\":");
    put_int(w, add_saturating(c->iat, c->ttl));
    PUT_LITERAL(w, ",\"jti\":\"");
    if (!put_string_body(w, c->jti))
        return refuse_claim(bad, "jti");
    PUT_LITERAL(w, "\"}");
    return 1;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
/*
 * SHA-256 on the SHA extensions of x86-64 (Intel since Goldmont and Ice Lake, AMD since
 * Zen), used when the CPU has them: libsodium's SHA-256 is portable C, and the HMAC was
 * two thirds of a token's cost. Elsewhere libsodium computes the same HMAC. The unit test
 * compares both on every length up to a few blocks, the fuzz target against its own HMAC
 * over libsodium's SHA-256.
 */
#include <cpuid.h>
#include <immintrin.h>
#include <stdatomic.h>

#define ROOMCODE_SHA_EXTENSIONS 1

static const uint32_t sha256_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

static const uint32_t sha256_iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                      0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

/* Compresses whole 64-byte blocks into h (FIPS 180-4), four rounds per step. */
__attribute__((target("sha,sse4.1,ssse3"))) static void
sha256_blocks(uint32_t h[8], const unsigned char *p, size_t blocks) {
    const __m128i byteswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    __m128i t = _mm_loadu_si128((const __m128i *)&h[0]);
    __m128i s1 = _mm_loadu_si128((const __m128i *)&h[4]);
    t = _mm_shuffle_epi32(t, 0xB1);         /* CDAB */
    s1 = _mm_shuffle_epi32(s1, 0x1B);       /* EFGH */
    __m128i s0 = _mm_alignr_epi8(t, s1, 8); /* ABEF */
    s1 = _mm_blend_epi16(s1, t, 0xF0);      /* CDGH */
    for (; blocks > 0; blocks--, p += 64) {
        __m128i abef = s0, cdgh = s1, w[4];
        for (int i = 0; i < 4; i++)
            w[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * i)), byteswap);
        for (int i = 0; i < 16; i++) {
            __m128i m = _mm_add_epi32(w[i % 4], _mm_loadu_si128((const __m128i *)&sha256_k[4 * i]));
            s1 = _mm_sha256rnds2_epu32(s1, s0, m);
            s0 = _mm_sha256rnds2_epu32(s0, s1, _mm_shuffle_epi32(m, 0x0E));
            if (i < 12) { /* the schedule's next four words, W[t] for t = 4i + 16 .. 4i + 19 */
                __m128i x = _mm_sha256msg1_epu32(w[i % 4], w[(i + 1) % 4]);
                x = _mm_add_epi32(x, _mm_alignr_epi8(w[(i + 3) % 4], w[(i + 2) % 4], 4));
                w[i % 4] = _mm_sha256msg2_epu32(x, w[(i + 3) % 4]);
            }
        }
        s0 = _mm_add_epi32(s0, abef);
        s1 = _mm_add_epi32(s1, cdgh);
    }
    t = _mm_shuffle_epi32(s0, 0x1B);   /* FEBA */
    s1 = _mm_shuffle_epi32(s1, 0xB1);  /* DCHG */
    s0 = _mm_blend_epi16(t, s1, 0xF0); /* DCBA */
    s1 = _mm_alignr_epi8(s1, t, 8);    /* HGFE */
    _mm_storeu_si128((__m128i *)&h[0], s0);
    _mm_storeu_si128((__m128i *)&h[4], s1);
}

/* Hashes the n bytes at p that follow `before` bytes already compressed into h (a multiple
 * of 64), pads, and writes the digest. */
static void sha256_finish(uint32_t h[8], const unsigned char *p, size_t n, uint64_t before,
                          unsigned char out[32]) {
    unsigned char last[128] = {0};
    size_t whole = n / 64, rest = n % 64, last_len = rest + 9 <= 64 ? 64 : 128;
    sha256_blocks(h, p, whole);
    memcpy(last, p + whole * 64, rest);
    last[rest] = 0x80;
    uint64_t bits = (before + n) * 8;
    for (int i = 0; i < 8; i++)
        last[last_len - 1 - i] = (unsigned char)(bits >> (8 * i));
    sha256_blocks(h, last, last_len / 64);
    for (int i = 0; i < 8; i++) {
        out[4 * i] = (unsigned char)(h[i] >> 24);
        out[4 * i + 1] = (unsigned char)(h[i] >> 16);
        out[4 * i + 2] = (unsigned char)(h[i] >> 8);
        out[4 * i + 3] = (unsigned char)h[i];
    }
    sodium_memzero(last, sizeof last);
}

/* HMAC (RFC 2104) over sha256_blocks; every key-derived byte is wiped. */
static void hmac_sha_extensions(unsigned char out[32], const unsigned char *key, size_t keylen,
                                const unsigned char *msg, size_t n) {
    unsigned char k[64] = {0}, pad[64], inner[32];
    uint32_t h[8];
    if (keylen > 64) {
        memcpy(h, sha256_iv, sizeof h);
        sha256_finish(h, key, keylen, 0, k);
    } else if (keylen) {
        memcpy(k, key, keylen);
    }
    for (int i = 0; i < 64; i++)
        pad[i] = k[i] ^ 0x36;
    memcpy(h, sha256_iv, sizeof h);
    sha256_blocks(h, pad, 1);
    sha256_finish(h, msg, n, 64, inner);
    for (int i = 0; i < 64; i++)
        pad[i] = k[i] ^ 0x5c;
    memcpy(h, sha256_iv, sizeof h);
    sha256_blocks(h, pad, 1);
    sha256_finish(h, inner, sizeof inner, 64, out);
    sodium_memzero(k, sizeof k);
    sodium_memzero(pad, sizeof pad);
    sodium_memzero(inner, sizeof inner);
    sodium_memzero(h, sizeof h);
}

/* Whether the CPU has the SHA extensions (and the SSE levels the code uses), asked once:
 * CPUID is slow, and traps to the hypervisor in a virtual machine. */
static int has_sha_extensions(void) {
    static atomic_int known = -1;
    int v = atomic_load_explicit(&known, memory_order_relaxed);
    if (v < 0) {
        unsigned a, b, c, d;
        int sse = __get_cpuid(1, &a, &b, &c, &d) && (c & bit_SSSE3) && (c & bit_SSE4_1);
        v = sse && __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & bit_SHA) ? 1 : 0;
        atomic_store_explicit(&known, v, memory_order_relaxed);
    }
    return v;
}
#endif

void roomcode_hmac_sha256(unsigned char out[32], const unsigned char *key, size_t keylen,
                          const unsigned char *msg, size_t n) {
    static const unsigned char empty[1];
    key = key ? key : empty;
    msg = msg ? msg : empty;
#ifdef ROOMCODE_SHA_EXTENSIONS
    if (has_sha_extensions()) {
        hmac_sha_extensions(out, key, keylen, msg, n);
        return;
    }
#endif
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
    size_t json = sizeof PAYLOAD_FRAME - 1 + 3 * INT64_DIGITS +
                  ESCAPE_MAX * (name_bytes + ROOMCODE_UUID_SIZE - 1);
    return sizeof header_b64 + roomcode_base64url_encoded_len(json) + 1 + SIGNATURE_B64 + 1;
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
    size_t signed_len = (size_t)(w.out - out);
    unsigned char mac[32];
    roomcode_hmac_sha256(mac, secret, secret_len, (const unsigned char *)out, signed_len);
    out[signed_len] = '.';
    roomcode_base64url_encode(out + signed_len + 1, mac, sizeof mac);
    sodium_memzero(mac, sizeof mac);
    return signed_len + 1 + SIGNATURE_B64;
}
