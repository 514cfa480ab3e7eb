/*
 * Room Code Authentication tokens: HS256 JWTs with the claims of a 100ms app token.
 * Pure code on libsodium (the caller runs sodium_init() first), no SQLite, no heap: the
 * caller sizes the buffer from an upper bound and the writer fills it in one pass.
 *
 * Every segment of a token is base64url without padding, and its JSON is ASCII only, so
 * a client that decodes the payload as 100ms's web SDK does, JSON.parse(atob(payload)),
 * gets the exact values back: non-ASCII characters are \uXXXX escapes (a surrogate pair
 * above U+FFFF), and so are '>', '?', '~' and DEL, the only ASCII bytes that can make
 * base64 write '-' or '_' (the last 6 bits of a 3-byte group: 0x3E, 0x3F, 0x7E, 0x7F).
 * With none of those characters, the base64url text is also standard base64; unpadded, its
 * length is never 1 more than a multiple of 4, and atob (WHATWG forgiving-base64) accepts
 * it without the '=' padding.
 */
#ifndef ROOMCODE_TOKEN_H
#define ROOMCODE_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#define ROOMCODE_UUID_SIZE 37 /* 36 characters and a NUL */

typedef struct roomcode_claims {
    const char *access_key; /* UTF-8, NUL-terminated, like the three below */
    const char *room_id;
    const char *user_id;
    const char *role;
    int64_t iat;                  /* issued-at in unix seconds; nbf is the same */
    int64_t ttl;                  /* exp = iat + ttl, saturating at the int64 limits */
    char jti[ROOMCODE_UUID_SIZE]; /* token id, NUL-terminated (roomcode_uuid4_format) */
} roomcode_claims;

/* Write HMAC-SHA256(key, msg) to out; any key length works (RFC 2104). */
void roomcode_hmac_sha256(unsigned char out[32], const unsigned char *key, size_t keylen,
                          const unsigned char *msg, size_t n);

/* Return the length of the unpadded base64url text for n bytes, without the NUL. */
size_t roomcode_base64url_encoded_len(size_t n);

/* Write n bytes as unpadded base64url and a NUL; out holds encoded_len(n) + 1 bytes. */
void roomcode_base64url_encode(char *out, const unsigned char *in, size_t n);

/* Write the version 4 UUID made of 16 random bytes (RFC 4122 version and variant bits
 * set) as 36 lowercase characters and a NUL. */
void roomcode_uuid4_format(const unsigned char bytes[16], char out[ROOMCODE_UUID_SIZE]);

/* Write a version 4 UUID of 16 fresh bytes from randombytes_buf(). */
void roomcode_uuid4(char out[ROOMCODE_UUID_SIZE]);

/*
 * Return the most bytes roomcode_jwt_write() needs, its NUL included, for claims whose
 * access_key, room_id, user_id and role hold name_bytes bytes together (any jti).
 */
size_t roomcode_jwt_max_size(size_t name_bytes);

/*
 * Write the JWT signed with secret and a NUL into out, which holds roomcode_jwt_max_size()
 * bytes, and return its length. A claim that is not valid UTF-8 (an overlong form, a
 * surrogate, a stray byte) makes no token: the return is 0 and *bad names the claim.
 */
size_t roomcode_jwt_write(char *out, const roomcode_claims *c, const unsigned char *secret,
                          size_t secret_len, const char **bad);

/*
 * The pieces other platforms' tokens share with this one (platform_claims.c): the same
 * ASCII-only JSON strings and the same header and signature.
 *
 * Writes the body of a JSON string for the NUL-terminated s into out, which holds
 * ROOMCODE_JSON_ESCAPE_MAX bytes per byte of s, escaped as this token's claims are;
 * returns the end of what it wrote, or NULL when s is not valid UTF-8.
 */
#define ROOMCODE_JSON_ESCAPE_MAX 6
char *roomcode_json_string_body(char *out, const char *s);

/* The longest an int64 is in decimal (-9223372036854775808). */
#define ROOMCODE_INT64_DIGITS 20

/* Writes v in decimal at d (at most ROOMCODE_INT64_DIGITS bytes, no NUL); returns the end. */
char *roomcode_put_int(char *d, int64_t v);

/* a + b, saturated at the int64 range instead of overflowing (undefined behaviour). */
int64_t roomcode_add_saturating(int64_t a, int64_t b);

/* The most bytes roomcode_jwt_from_json() needs, its NUL included, for json_len bytes. */
size_t roomcode_jwt_from_json_max_size(size_t json_len);

/* Writes the HS256 JWT of the payload json (ASCII, so that its base64url is standard
 * base64 too) signed with secret, and a NUL, into out; returns its length. */
size_t roomcode_jwt_from_json(char *out, const char *json, size_t json_len,
                              const unsigned char *secret, size_t secret_len);

#endif
