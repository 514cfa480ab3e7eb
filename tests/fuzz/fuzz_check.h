/*
 * The invariant check of the pure fuzz targets: a failed invariant prints where and what
 * and aborts, which libFuzzer reports as a crash and saves the input for.
 */
#ifndef ROOMCODE_FUZZ_CHECK_H
#define ROOMCODE_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);           \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

#endif
