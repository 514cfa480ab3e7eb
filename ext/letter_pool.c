/*
 * Rejection sampling keeps letters uniform: a byte below 234 (9 * 26) maps to a letter by
 * its remainder mod 26, a byte of 234..255 would favour a..v and is skipped. About one byte
 * in eleven is skipped, so a 4096-byte batch yields some 370 codes.
 */
#include "letter_pool.h"

#include <string.h>

#define ACCEPT_BELOW 234 /* largest multiple of 26 that fits in a byte */

void roomcode_pool_init(roomcode_letter_pool *pool, roomcode_fill_fn fill) {
    pool->fill = fill;
    pool->pos = ROOMCODE_POOL_BYTES;
}

void roomcode_pool_draw_code(roomcode_letter_pool *pool, char out[ROOMCODE_LEN + 1]) {
    unsigned char letters[ROOMCODE_LETTERS];
    size_t count = 0;
    /* A local position: a byte store into buf could alias pool->pos, and the compiler would
     * reload it after every byte. */
    size_t pos = pool->pos;
    while (count < ROOMCODE_LETTERS) {
        if (pos == ROOMCODE_POOL_BYTES) {
            pool->fill(pool->buf, ROOMCODE_POOL_BYTES);
            pos = 0;
        }
        unsigned char b = pool->buf[pos];
        pool->buf[pos++] = 0; /* a drawn byte is never served twice */
        letters[count] = (unsigned char)(b % 26);
        count += b < ACCEPT_BELOW; /* a skipped byte's letter is overwritten by the next */
    }
    pool->pos = pos;
    roomcode_format_letters(letters, out);
}

void roomcode_pool_draw_bytes(roomcode_letter_pool *pool, unsigned char *out, size_t n) {
    while (n > 0) {
        if (pool->pos == ROOMCODE_POOL_BYTES) {
            pool->fill(pool->buf, ROOMCODE_POOL_BYTES);
            pool->pos = 0;
        }
        size_t k = ROOMCODE_POOL_BYTES - pool->pos;
        if (k > n)
            k = n;
        memcpy(out, pool->buf + pool->pos, k);
        memset(pool->buf + pool->pos, 0, k);
        pool->pos += k;
        out += k;
        n -= k;
    }
}

void roomcode_pool_wipe(roomcode_letter_pool *pool) {
    /* volatile so the compiler keeps a store it would call dead */
    volatile unsigned char *p = pool->buf;
    for (size_t i = 0; i < ROOMCODE_POOL_BYTES; i++)
        p[i] = 0;
    pool->pos = ROOMCODE_POOL_BYTES;
}
