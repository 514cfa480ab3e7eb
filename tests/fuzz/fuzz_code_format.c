/*
 * libFuzzer target for ext/code_format.c: whatever the bytes, roomcode_normalize_text()
 * finds either nothing or a canonical code made of the input's own letters in order, is
 * idempotent, and maps a canonical code to itself; roomcode_is_canonical() agrees with an
 * independent reading of the format. A found code is never displaced by a guess: the text
 * with the same code added still reads as it, and with another code added in the most
 * clearly marked place (after /meeting/) reads as that code or as none, never as the
 * first. The input is copied into a buffer of its exact size, without a NUL, so ASan sees
 * any read past the end.
 */
#include "code_format.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"

/* The format written out differently from ext/code_format.c: "xxx-xxxx-xxx", a-z only. */
static int reference_canonical(const char *s, size_t n) {
    static const char shape[] = "aaa-aaaa-aaa";
    if (n != sizeof shape - 1)
        return 0;
    for (size_t i = 0; i < n; i++) {
        int ok = shape[i] == '-' ? s[i] == '-' : (s[i] >= 'a' && s[i] <= 'z');
        if (!ok)
            return 0;
    }
    return 1;
}

/* Normalizes s[0..n) from a heap copy of exactly n bytes. */
static int normalize_exact(const char *s, size_t n, char out[ROOMCODE_LEN + 1]) {
    char *copy = malloc(n ? n : 1);
    if (!copy)
        abort();
    memcpy(copy, s, n);
    memset(out, 'Z', ROOMCODE_LEN + 1);
    int found = roomcode_normalize_text(copy, n, out);
    free(copy);
    return found;
}

/* Are the ten letters of code, in order, a subsequence of the letters of s (any case)? */
static int letters_come_from(const char *code, const char *s, size_t n) {
    size_t i = 0;
    for (const char *c = code; *c; c++) {
        if (*c == '-')
            continue;
        while (i < n && (s[i] | 0x20) != *c)
            i++;
        if (i == n)
            return 0;
        i++;
    }
    return 1;
}

static void check_normalizes_to(const char *text, const char *want) {
    char out[ROOMCODE_LEN + 1];
    CHECK(normalize_exact(text, strlen(text), out) == 1);
    CHECK(strcmp(out, want) == 0);
}

/* What people type and paste for a canonical code must all come back to it. */
static void check_variants(const char *code) {
    char buf[128];
    char upper[ROOMCODE_LEN + 1], spaced[ROOMCODE_LEN + 1], bare[ROOMCODE_LETTERS + 1];
    size_t b = 0;
    for (size_t i = 0; i <= ROOMCODE_LEN; i++) {
        upper[i] = (char)(code[i] >= 'a' && code[i] <= 'z' ? code[i] - 'a' + 'A' : code[i]);
        spaced[i] = code[i] == '-' ? ' ' : code[i];
        if (code[i] != '-')
            bare[b++] = code[i];
    }
    check_normalizes_to(upper, code);
    check_normalizes_to(spaced, code);
    check_normalizes_to(bare, code);
    snprintf(buf, sizeof buf, " \t%s\n", code);
    check_normalizes_to(buf, code);
    snprintf(buf, sizeof buf, "https://acme.app.100ms.live/meeting/%s", code);
    check_normalizes_to(buf, code);
    snprintf(buf, sizeof buf, "https://meet.example.com/streaming/preview/%s/host?x=1#y", upper);
    check_normalizes_to(buf, code);
    snprintf(buf, sizeof buf, "/preview/%s", bare);
    check_normalizes_to(buf, code);
    snprintf(buf, sizeof buf, "%s/host?x=1", code);
    check_normalizes_to(buf, code);
    snprintf(buf, sizeof buf, "https://x.com/conference/meeting/%s", code);
    check_normalizes_to(buf, code);
    snprintf(buf, sizeof buf, "https://x.com/r/%sx.html?team=conference", code);
    check_normalizes_to(buf, code);
}

/* normalize(text + tail + code), text without its trailing blanks; 1 when found. */
static int normalize_with(const char *s, size_t n, const char *tail, const char *code,
                          char out[ROOMCODE_LEN + 1]) {
    while (n > 0 && (s[n - 1] == ' ' || (s[n - 1] >= '\t' && s[n - 1] <= '\r')))
        n--;
    size_t tn = strlen(tail), cn = strlen(code);
    char *text = malloc(n + tn + cn);
    if (!text)
        abort();
    memcpy(text, s, n);
    memcpy(text + n, tail, tn);
    memcpy(text + n + tn, code, cn);
    int found = normalize_exact(text, n + tn + cn, out);
    free(text);
    return found;
}

/* Text that reads as code keeps reading as it, whatever else is added after it. */
static void check_not_displaced(const char *s, size_t n, const char *code) {
    char out[ROOMCODE_LEN + 1], other[ROOMCODE_LEN + 1];
    /* "?/" rather than "/": the text may end in ":/", and "://" would start a new host */
    CHECK(normalize_with(s, n, "?/", code, out) == 1);
    CHECK(strcmp(out, code) == 0);
    for (size_t i = 0; i <= ROOMCODE_LEN; i++)
        other[i] = code[i] == '-' || !code[i] ? code[i] : (char)('a' + (code[i] - 'a' + 13) % 26);
    if (normalize_with(s, n, "?/meeting/", other, out))
        CHECK(strcmp(out, other) == 0);
    if (normalize_with(s, n, "?room_code=", other, out))
        CHECK(strcmp(out, other) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *s = (const char *)data;
    char out[ROOMCODE_LEN + 1];

    int canonical = roomcode_is_canonical(s, size);
    CHECK(canonical == reference_canonical(s, size));

    int found = normalize_exact(s, size, out);
    CHECK(found == 0 || found == 1);
    if (found) {
        CHECK(out[ROOMCODE_LEN] == '\0');
        CHECK(reference_canonical(out, strlen(out)));
        CHECK(roomcode_is_canonical(out, ROOMCODE_LEN));
        CHECK(letters_come_from(out, s, size));
        char again[ROOMCODE_LEN + 1];
        CHECK(normalize_exact(out, ROOMCODE_LEN, again) == 1);
        CHECK(memcmp(again, out, ROOMCODE_LEN + 1) == 0);
        check_variants(out);
        check_not_displaced(s, size, out);
    }
    if (canonical) {
        CHECK(found);
        CHECK(memcmp(out, s, ROOMCODE_LEN) == 0);
    }

    /* roomcode_format_letters: any ten bytes make a canonical code, letter = byte % 26. */
    if (size >= ROOMCODE_LETTERS) {
        char code[ROOMCODE_LEN + 1];
        roomcode_format_letters(data, code);
        CHECK(reference_canonical(code, strlen(code)));
        for (size_t i = 0, j = 0; i < ROOMCODE_LETTERS; i++, j++) {
            if (j == 3 || j == 8)
                j++;
            CHECK(code[j] == 'a' + data[i] % 26);
        }
        check_variants(code);
    }
    return 0;
}
