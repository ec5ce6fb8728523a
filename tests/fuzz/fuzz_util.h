/*
 * fuzz_util.h -- what memview's libFuzzer targets share: reading the input
 * as a stream of integers, and the check every status must pass.
 * Define FUZZ_NAME before including it.
 */
#ifndef MEMVIEW_FUZZ_UTIL_H
#define MEMVIEW_FUZZ_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "memview.h"

static void fail(const char *what) {
    fprintf(stderr, FUZZ_NAME ": %s\n", what);
    abort();
}

/* A status must be MV_OK or a known negative kind with a message. */
static int chk(int rc) {
    if (rc == MV_OK)
        return rc;
    if (rc < MV_EOS || rc > 0)
        fail("status out of range");
    if (!mv_errmsg() || !mv_errmsg()[0])
        fail("failure without a message");
    return rc;
}

/* The input, read front to back; past its end it reads as zeros. */
typedef struct input {
    const uint8_t *p;
    size_t n;
} input;

static inline uint8_t u8(input *in) {
    if (!in->n)
        return 0;
    in->n--;
    return *in->p++;
}

static inline uint64_t u64(input *in) {
    uint64_t x = 0;
    for (int i = 0; i < 8; i++)
        x = (x << 8) | u8(in);
    return x;
}

#endif
