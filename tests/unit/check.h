/*
 * The checks of the C unit tests: each counts, a failure prints where and what, and
 * check_report() prints the "NAME: N passed, M failed" line tests/unit/run.sh reads.
 */
#ifndef ROOMCODE_TEST_CHECK_H
#define ROOMCODE_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

static int passed, failed;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (cond) {                                                                                \
            passed++;                                                                              \
        } else {                                                                                   \
            failed++;                                                                              \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);               \
        }                                                                                          \
    } while (0)

#define CHECK_STR(got, want)                                                                       \
    do {                                                                                           \
        const char *got_ = (got), *want_ = (want);                                                 \
        CHECK(strcmp(got_, want_) == 0);                                                           \
        if (strcmp(got_, want_) != 0)                                                              \
            fprintf(stderr, "  got  %s\n  want %s\n", got_, want_);                                \
    } while (0)

/* Prints the result line; the exit status of main. */
static int check_report(const char *name) {
    printf("%s: %d passed, %d failed\n", name, passed, failed);
    return failed != 0;
}

#endif
