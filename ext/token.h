/*
 * Room Code Authentication tokens: HS256 JWTs with the claims of a 100ms app token.
 * Pure code on libsodium (the caller runs sodium_init() first), no SQLite, no heap:
 * the caller asks for a length, allocates, and lets the writer fill its buffer, so an
 * allocation failure stays in the caller's hands.
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
    char jti[ROOMCODE_UUID_SIZE]; /* token id, filled by roomcode_uuid4() */
} roomcode_claims;

/* Write HMAC-SHA256(key, msg) to out; any key length works (RFC 2104). */
void roomcode_hmac_sha256(unsigned char out[32], const unsigned char *key, size_t keylen,
                          const unsigned char *msg, size_t n);

/* Return the length of the unpadded base64url text for n bytes, without the NUL. */
size_t roomcode_base64url_encoded_len(size_t n);

/* Write n bytes as unpadded base64url and a NUL; out holds encoded_len(n) + 1 bytes. */
void roomcode_base64url_encode(char *out, const unsigned char *in, size_t n);

/* Write a random version 4 UUID as 36 lowercase characters and a NUL. */
void roomcode_uuid4(char out[ROOMCODE_UUID_SIZE]);

/* Return the size of the JWT for these claims, its NUL included. */
size_t roomcode_jwt_length(const roomcode_claims *c);

/*
 * Write the JWT signed with secret and a NUL; out holds roomcode_jwt_length(c) bytes.
 * Strings are JSON-escaped byte by byte: the caller refuses invalid UTF-8 if it must.
 */
void roomcode_jwt_write(char *out, const roomcode_claims *c, const unsigned char *secret,
                        size_t secret_len);

#endif
