/*
 * fuzz_format.c -- libFuzzer target for memview's item packing and its
 * struct-format comparison.
 *
 * Part one packs fuzzed values (every mv_vtype, byte strings of fuzzed
 * length) into every native format: a refused value must leave the item's
 * bytes as they were, and a packed integer must unpack to the same value.
 * Unpacking fuzzed bytes of an integer format and packing the value again
 * must give the bytes back.
 *
 * Part two compares two 1-D views over the input bytes whose formats are
 * fuzzed struct-module strings ("<2hx?", "@Lf5s", garbage): every call must
 * answer MV_OK or a negative status with a message.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_NAME "fuzz_format"
#include "fuzz_util.h"

static const char *const natives[] = {
    "c",  "b",  "B",  "?",  "h",  "H",  "i",  "I",  "l",  "L",
    "q",  "Q",  "n",  "N",  "e",  "f",  "d",  "P",  "@c", "@b",
    "@B", "@?", "@h", "@H", "@i", "@I", "@l", "@L", "@q", "@Q",
    "@n", "@N", "@e", "@f", "@d", "@P", "x",  "<i", "",   "@"};
#define NNATIVES (sizeof natives / sizeof natives[0])

/* A value of any type; byte strings point into the input itself. */
static void any_value(input *in, mv_value *x) {
    x->type = (mv_vtype)(u8(in) % 7);
    switch (x->type) {
    case MV_VAL_INT: {
        uint8_t k = u8(in);
        uint64_t u = u64(in);
        if (k & 1) /* small values are the interesting ones for ranges */
            u = (uint64_t)(int64_t)(int16_t)u;
        memcpy(&x->i, &u, sizeof u);
        break;
    }
    case MV_VAL_UINT: x->u = u64(in); break;
    case MV_VAL_BIGINT: x->i = (u8(in) & 1) ? 1 : -1; break;
    case MV_VAL_FLOAT: {
        uint8_t k = u8(in);
        uint64_t b = u64(in);
        if (k & 1)
            x->f = (double)(int16_t)b / 4;
        else
            memcpy(&x->f, &b, sizeof x->f);
        break;
    }
    case MV_VAL_BOOL: x->i = u8(in) & 1; break;
    case MV_VAL_BYTES: {
        size_t len = u8(in) % 4;
        if (len > in->n)
            len = in->n;
        x->s.ptr = (const char *)in->p;
        x->s.len = (mv_ssize)len;
        in->p += len;
        in->n -= len;
        break;
    }
    default: x->u = u64(in); break;
    }
}

static void pack_one(input *in) {
    const char *fmt = natives[u8(in) % NNATIVES];
    mv_value x;
    any_value(in, &x);
    unsigned char item[32], saved[32];
    uint8_t fill = u8(in);
    memset(item, fill, sizeof item);
    memcpy(saved, item, sizeof item);
    /* The item sits at an odd offset: packing must not assume alignment. */
    unsigned char *at = item + 1 + (u8(in) & 7);
    int rc = chk(mv_format_pack(fmt, at, &x));
    mv_ssize size = mv_format_itemsize(fmt);
    if (rc < 0) {
        if (memcmp(item, saved, sizeof item))
            fail("a refused pack wrote");
        return;
    }
    if (size == 0)
        fail("pack accepted a format that is not native");
    for (size_t k = 0; k < sizeof item; k++)
        if ((item + k < at || item + k >= at + size) && item[k] != saved[k])
            fail("pack wrote outside its item");
    mv_value y;
    if (chk(mv_format_unpack(fmt, at, &y)) < 0)
        fail("unpack of a packed item failed");
    mv_kind kind = mv_format_kind(fmt);
    if ((kind == MV_KIND_INT || kind == MV_KIND_UINT) &&
        (x.type == MV_VAL_INT || x.type == MV_VAL_UINT) &&
        !mv_value_equal(&x, &y))
        fail("a packed integer unpacks to another value");
    if (kind == MV_KIND_BOOL && y.type == MV_VAL_BOOL && y.i != 0 && y.i != 1)
        fail("a packed bool unpacks to neither 0 nor 1");
    if (mv_format_char(fmt) == 'd' && x.type == MV_VAL_FLOAT && !isnan(x.f) &&
        !mv_value_equal(&x, &y))
        fail("a packed double unpacks to another value");
    if (kind == MV_KIND_CHAR && x.type == MV_VAL_BYTES &&
        (y.type != MV_VAL_BYTES || y.s.len != 1 || x.s.len != 1 ||
         y.s.ptr[0] != x.s.ptr[0]))
        fail("a packed char unpacks to another byte");
}

/* Unpack fuzzed bytes, pack the value again: integer formats round-trip. */
static void unpack_one(input *in) {
    const char *fmt = natives[u8(in) % NNATIVES];
    unsigned char item[16], again[16];
    for (size_t k = 0; k < sizeof item; k++)
        item[k] = u8(in);
    mv_value y;
    if (chk(mv_format_unpack(fmt, item, &y)) < 0) {
        if (mv_format_itemsize(fmt) != 0)
            fail("unpack of a native format failed");
        return;
    }
    mv_kind kind = mv_format_kind(fmt);
    if (kind != MV_KIND_INT && kind != MV_KIND_UINT && kind != MV_KIND_CHAR &&
        kind != MV_KIND_PTR)
        return;
    memcpy(again, item, sizeof item);
    memset(again, 0xee, (size_t)mv_format_itemsize(fmt));
    if (chk(mv_format_pack(fmt, again, &y)) < 0)
        fail("an unpacked value does not pack again");
    if (memcmp(again, item, sizeof item))
        fail("unpack + pack changed the bytes");
}

/* A NUL-terminated format string taken from the input, or built from
 * pieces of struct-module syntax. */
static char *any_format(input *in) {
    static const char *const pieces[] = {"<",  ">",
                                         "!",  "=",
                                         "@",  "2",
                                         "0",  "10",
                                         "h",  "x",
                                         "?",  "L",
                                         "f",  "5s",
                                         "p",  "B",
                                         "b",  "c",
                                         "d",  "e",
                                         "q",  "Q",
                                         "n",  "N",
                                         "P",  "i",
                                         "T{", "}",
                                         "(",  ")",
                                         ":",  " ",
                                         "3",  "99999999999999999999",
                                         "I",  "l"};
    char *f = malloc(64);
    if (!f)
        abort();
    size_t n = 0;
    if (u8(in) & 1) {
        size_t want = u8(in) % 24;
        while (n < want && in->n)
            f[n++] = (char)u8(in);
    } else {
        size_t count = u8(in) % 8;
        for (size_t k = 0; k < count; k++) {
            const char *p = pieces[u8(in) % (sizeof pieces / sizeof *pieces)];
            size_t l = strlen(p);
            if (n + l >= 63)
                break;
            memcpy(f + n, p, l);
            n += l;
        }
    }
    f[n] = '\0';
    return f;
}

static void compare_views(input *in, mv_owner *o) {
    char *fa = any_format(in);
    char *fb = (u8(in) & 3) ? any_format(in) : NULL;
    const char *fbs = fb ? fb : fa;
    mv_ssize isa = u8(in) % 24 + 1, isb = u8(in) % 24 + 1;
    if (mv_format_itemsize(fa))
        isa = mv_format_itemsize(fa);
    if (mv_format_itemsize(fbs))
        isb = mv_format_itemsize(fbs);
    if (u8(in) & 1)
        isb = isa;
    mv_ssize size = mv_owner_size(o);
    mv_ssize items = u8(in) % 8;
    if (items * isa > size)
        items = size / isa;
    if (items * isb > size)
        items = size / isb;
    char *base = mv_owner_data(o);
    mv_ssize offa = size - items * isa, offb = size - items * isb;
    if (offa)
        offa = u8(in) % (offa + 1);
    if (offb)
        offb = u8(in) % (offb + 1);
    mv_ssize shape[1] = {items};
    mv_layout la = {base + offa, items * isa, isa, fa, 1, shape, NULL, NULL, 1};
    mv_layout lb = {base + offb, items * isb, isb,  fbs, 1,
                    shape,       NULL,        NULL, 1};
    mv_view a, b;
    int ra = chk(mv_view_from_layout(&a, o, &la));
    int rb = chk(mv_view_from_layout(&b, o, &lb));
    if (ra == MV_OK && rb == MV_OK) {
        int eq = -1;
        if (chk(mv_view_equal(&a, &b, &eq)) == MV_OK && eq != 0 && eq != 1)
            fail("equal gave neither 0 nor 1");
        int eq2 = -1;
        if (chk(mv_view_equal(&b, &a, &eq2)) == MV_OK && eq2 != eq)
            fail("equal is not symmetric");
        if (chk(mv_view_equal(&a, &a, &eq)) == MV_OK && eq != 0 && eq != 1)
            fail("equal gave neither 0 nor 1");
        mv_value x;
        chk(mv_view_get(&a, 0, &x));
        void *bytes = NULL;
        if (chk(mv_view_tobytes(&a, &bytes, MV_ORDER_C)) == MV_OK)
            mv_free(bytes);
    }
    if (ra == MV_OK && chk(mv_view_release(&a)) < 0)
        fail("release failed");
    if (rb == MV_OK && chk(mv_view_release(&b)) < 0)
        fail("release failed");
    if (mv_owner_exports(o) != 0)
        fail("owner still exported");
    free(fa);
    free(fb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    input in = {data, size};
    mv_owner *o = NULL;
    if (chk(mv_owner_copy(&o, data, (mv_ssize)size)) < 0)
        abort();
    for (int round = 0; round < 32 && in.n; round++) {
        switch (u8(&in) % 4) {
        case 0:
        case 1: pack_one(&in); break;
        case 2: unpack_one(&in); break;
        default: compare_views(&in, o); break;
        }
    }
    if (mv_owner_exports(o) != 0)
        fail("owner still exported");
    mv_owner_release(o);
    return 0;
}
