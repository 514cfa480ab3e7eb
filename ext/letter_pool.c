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
    while (count < ROOMCODE_LETTERS) {
        if (pool->pos == ROOMCODE_POOL_BYTES) {
            pool->fill(pool->buf, ROOMCODE_POOL_BYTES);
            pool->pos = 0;
        }
        unsigned char b = pool->buf[pool->pos];
        pool->buf[pool->pos++] = 0; /* a drawn byte is never served twice */
        if (b < ACCEPT_BELOW)
            letters[count++] = (unsigned char)(b % 26);
    }
    roomcode_format_letters(letters, out);
}

void roomcode_pool_wipe(roomcode_letter_pool *pool) {
    /* volatile so the compiler keeps a store it would call dead */
    volatile unsigned char *p = pool->buf;
    for (size_t i = 0; i < ROOMCODE_POOL_BYTES; i++)
        p[i] = 0;
    pool->pos = ROOMCODE_POOL_BYTES;
}
