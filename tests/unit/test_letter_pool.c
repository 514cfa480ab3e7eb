/*
 * Unit tests for ext/letter_pool.c with a scripted byte source: letters follow the
 * bytes, bytes of 234..255 are skipped (no modulo bias), the pool refills in batches.
 */
#include "letter_pool.h"

#include "check.h"

static int fills;
static unsigned next_byte;

/* Serves 0, 1, ..., 255, 0, 1, ... */
static void counting_fill(void *buf, size_t n) {
    unsigned char *b = buf;
    for (size_t i = 0; i < n; i++)
        b[i] = (unsigned char)(next_byte++ & 0xFF);
    fills++;
}

static void test_letters_follow_bytes(void) {
    roomcode_letter_pool pool;
    roomcode_pool_init(&pool, counting_fill);
    next_byte = 0;
    fills = 0;
    char code[ROOMCODE_LEN + 1];
    roomcode_pool_draw_code(&pool, code);
    CHECK_STR(code, "abc-defg-hij");
    roomcode_pool_draw_code(&pool, code);
    CHECK_STR(code, "klm-nopq-rst");
    roomcode_pool_draw_code(&pool, code);
    CHECK_STR(code, "uvw-xyza-bcd"); /* 26 maps to 'a' again */
    CHECK(fills == 1);
}

/* Over whole cycles of 0..255 every letter comes exactly 9 times: 234 = 9 * 26 bytes are
 * used and 22 skipped, where a plain "b % 26" would favour a..v. */
static void test_no_modulo_bias(void) {
    roomcode_letter_pool pool;
    roomcode_pool_init(&pool, counting_fill);
    next_byte = 0;
    fills = 0;
    int count[26] = {0};
    char code[ROOMCODE_LEN + 1];
    /* 9 * 26 * 5 letters = 117 codes use exactly 5 cycles of 256 bytes */
    for (int i = 0; i < 117; i++) {
        roomcode_pool_draw_code(&pool, code);
        CHECK(roomcode_is_canonical(code, ROOMCODE_LEN));
        for (int k = 0; k < ROOMCODE_LEN; k++) {
            if (code[k] != '-')
                count[code[k] - 'a']++;
        }
    }
    int all_45 = 1;
    for (int l = 0; l < 26; l++)
        all_45 &= count[l] == 45;
    CHECK(all_45);
}

static void high_fill(void *buf, size_t n) {
    unsigned char *b = buf;
    /* the first batch holds only bytes that must be skipped */
    for (size_t i = 0; i < n; i++)
        b[i] = (unsigned char)(fills == 0 ? 234 + i % 22 : 25);
    fills++;
}

static void test_skips_and_refills(void) {
    roomcode_letter_pool pool;
    roomcode_pool_init(&pool, high_fill);
    fills = 0;
    char code[ROOMCODE_LEN + 1];
    roomcode_pool_draw_code(&pool, code);
    CHECK_STR(code, "zzz-zzzz-zzz");
    CHECK(fills == 2);
}

static void test_batches(void) {
    roomcode_letter_pool pool;
    roomcode_pool_init(&pool, counting_fill);
    fills = 0;
    char code[ROOMCODE_LEN + 1];
    for (int i = 0; i < 1000; i++)
        roomcode_pool_draw_code(&pool, code);
    /* 10,000 letters need about 10,940 bytes: three 4096-byte batches, not one per code */
    CHECK(fills == 3);
}

static void test_wipe(void) {
    roomcode_letter_pool pool;
    roomcode_pool_init(&pool, counting_fill);
    char code[ROOMCODE_LEN + 1];
    roomcode_pool_draw_code(&pool, code);
    roomcode_pool_wipe(&pool);
    int zero = 1;
    for (size_t i = 0; i < ROOMCODE_POOL_BYTES; i++)
        zero &= pool.buf[i] == 0;
    CHECK(zero);
    CHECK(pool.pos == ROOMCODE_POOL_BYTES);
}

/* Bytes for token ids come in order across a refill, each served once and zeroed behind. */
static void test_draw_bytes(void) {
    roomcode_letter_pool pool;
    roomcode_pool_init(&pool, counting_fill);
    next_byte = 0;
    fills = 0;
    unsigned char b[16];
    roomcode_pool_draw_bytes(&pool, b, sizeof b);
    CHECK(b[0] == 0 && b[15] == 15 && fills == 1);
    CHECK(pool.buf[0] == 0 && pool.buf[15] == 0 && pool.buf[16] == 16);
    int in_order = 1;
    for (int i = 1; i < 256; i++) { /* 4096 = 256 * 16: the 257th draw refills */
        roomcode_pool_draw_bytes(&pool, b, sizeof b);
        in_order &= b[0] == (unsigned char)(16 * i) && b[15] == (unsigned char)(16 * i + 15);
    }
    CHECK(in_order && fills == 1);
    roomcode_pool_draw_bytes(&pool, b, 8);
    CHECK(fills == 2 && b[0] == 0 && b[7] == 7);
    /* a draw that spans the end of a batch takes the rest, then the next batch */
    pool.pos = ROOMCODE_POOL_BYTES - 4;
    pool.buf[ROOMCODE_POOL_BYTES - 4] = 0xAB;
    roomcode_pool_draw_bytes(&pool, b, 8);
    CHECK(fills == 3 && b[0] == 0xAB && pool.pos == 4);
}

int main(void) {
    test_letters_follow_bytes();
    test_no_modulo_bias();
    test_skips_and_refills();
    test_batches();
    test_wipe();
    test_draw_bytes();
    return check_report("test_letter_pool");
}
