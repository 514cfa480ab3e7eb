/*
 * Uniform random letters for new codes, and random bytes for token ids, drawn from a batch
 * of CSPRNG bytes so that the kernel is asked for entropy once per few hundred codes or
 * tokens, not once per letter or token.
 */
#ifndef ROOMCODE_LETTER_POOL_H
#define ROOMCODE_LETTER_POOL_H

#include <stddef.h>

#include "code_format.h"

#define ROOMCODE_POOL_BYTES 4096

/* Fills buf with n random bytes; libsodium in the extension (connection.c). */
typedef void (*roomcode_fill_fn)(void *buf, size_t n);

typedef struct roomcode_letter_pool {
    roomcode_fill_fn fill;
    size_t pos; /* next unread byte of buf; ROOMCODE_POOL_BYTES when empty */
    unsigned char buf[ROOMCODE_POOL_BYTES];
} roomcode_letter_pool;

/* Prepares an empty pool that refills itself through fill. */
void roomcode_pool_init(roomcode_letter_pool *pool, roomcode_fill_fn fill);

/* Draws one code, each letter uniform over a-z and independent of the others. */
void roomcode_pool_draw_code(roomcode_letter_pool *pool, char out[ROOMCODE_LEN + 1]);

/* Copies n random bytes (n <= ROOMCODE_POOL_BYTES) to out; each is served once only. */
void roomcode_pool_draw_bytes(roomcode_letter_pool *pool, unsigned char *out, size_t n);

/* Wipes the unread bytes, so that no future code can be read from freed memory. */
void roomcode_pool_wipe(roomcode_letter_pool *pool);

#endif
