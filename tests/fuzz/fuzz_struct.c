/*
 * fuzz_struct.c -- libFuzzer target for the format engine.
 *
 * The input is a format string (up to its first NUL byte) followed by the
 * bytes of an item. Compiling must answer MV_OK or MV_EVALUE with a
 * message (MV_ENOMEM allowed), never crash. A compiled format must keep
 * its invariants: every element of every field, at every depth, lies
 * inside the item; walking an item gives exactly nvalues scalars, as many
 * as the flat cursor of comparison does; packing the walked values back
 * gives the item's bytes again for formats of integers and bytes; a view
 * of the item equals a view of its copy unless a float may be a NaN.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_NAME "fuzz_struct"
#include "fuzz_util.h"

/* Largest item this target walks and packs (bigger ones are only
 * compiled and checked field by field). */
#define MAX_ITEM 4096
#define MAX_VALUES 4096

static void check_fields(const mv_format *f, int depth) {
    if (depth > MV_FORMAT_MAXDEPTH)
        fail("nested deeper than the limit");
    mv_ssize units = 0;
    for (int i = 0; i < f->nfields; i++) {
        const mv_field *fd = &f->fields[i];
        if (fd->offset < 0 || fd->size < 0 || fd->count < 0)
            fail("negative offset, size or count");
        if (fd->count > 0 &&
            (fd->offset > f->itemsize ||
             (fd->size > 0 &&
              fd->count > (f->itemsize - fd->offset) / fd->size)))
            fail("a field's elements leave its item");
        if ((fd->kind == MV_KIND_RECORD) != (fd->sub != NULL))
            fail("record without a sub-format, or the reverse");
        if (fd->sub) {
            if (fd->sub->itemsize != fd->size)
                fail("record size differs from its format's");
            check_fields(fd->sub, depth + 1);
        }
        if (fd->swap && fd->size <= 1)
            fail("a byte-sized field is swapped");
        units += fd->units;
    }
    if (units != f->units)
        fail("units do not add up");
}

typedef struct collect {
    mv_value vals[MAX_VALUES];
    mv_ssize n, over;
    int depth, maxdepth;
} collect;

static int c_item(void *ctx, const mv_value *v) {
    collect *c = ctx;
    if (c->n < MAX_VALUES)
        c->vals[c->n] = *v;
    else
        c->over = 1;
    c->n++;
    return MV_OK;
}
static int c_begin(void *ctx, int depth, mv_ssize n) {
    (void)n;
    collect *c = ctx;
    if (depth != c->depth)
        fail("begin at the wrong depth");
    c->depth++;
    return MV_OK;
}
static int c_end(void *ctx, int depth) {
    collect *c = ctx;
    if (depth != --c->depth)
        fail("end at the wrong depth");
    return MV_OK;
}

typedef struct replay {
    const collect *c;
    mv_ssize i;
} replay;

static int r_begin(void *ctx, int depth, mv_ssize n) {
    (void)ctx;
    (void)depth;
    (void)n;
    return MV_OK;
}
static int r_value(void *ctx, const mv_field *field, mv_value *out) {
    (void)field;
    replay *r = ctx;
    if (r->i >= r->c->n)
        fail("pack asked for more values than the walk gave");
    *out = r->c->vals[r->i++];
    return MV_OK;
}
static int r_end(void *ctx, int depth) {
    (void)ctx;
    (void)depth;
    return MV_OK;
}

/* Only integers and bytes round-trip bit for bit ('?', 'p', floats,
 * pads do not). */
static int exact(const mv_format *f) {
    for (int i = 0; i < f->nfields; i++) {
        const mv_field *fd = &f->fields[i];
        if (fd->sub ? !exact(fd->sub)
                    : !(fd->kind == MV_KIND_INT || fd->kind == MV_KIND_UINT ||
                        fd->kind == MV_KIND_CHAR || fd->kind == MV_KIND_PTR ||
                        fd->code == 's'))
            return 0;
    }
    return 1;
}

static int has_float(const mv_format *f) {
    for (int i = 0; i < f->nfields; i++) {
        const mv_field *fd = &f->fields[i];
        if (fd->sub ? has_float(fd->sub)
                    : fd->kind == MV_KIND_FLOAT || fd->kind == MV_KIND_COMPLEX)
            return 1;
    }
    return 0;
}

static void check_item(const mv_format *f, const uint8_t *bytes, size_t n) {
    static unsigned char item[MAX_ITEM], copy[MAX_ITEM];
    static collect c;
    memset(item, 0, (size_t)f->itemsize);
    memcpy(item, bytes, n < (size_t)f->itemsize ? n : (size_t)f->itemsize);
    c.n = c.over = 0;
    c.depth = 0;
    mv_walker w = {c_begin, c_item, c_end, NULL};
    chk(mv_item_walk(f, item, &w, &c));
    if (c.depth != 0)
        fail("unbalanced begin and end");
    if (c.n != f->nvalues)
        fail("walk gave a number of values other than nvalues");
    /* the flat view of comparison sees the same number: a view of the
     * item equals a view of its copy */
    memcpy(copy, item, (size_t)f->itemsize);
    if (f->itemsize > 0 && !has_float(f)) {
        mv_owner *oa, *ob;
        mv_view a, b;
        mv_layout l = {.buf = item,
                       .nbytes = f->itemsize,
                       .itemsize = f->itemsize,
                       .format = f->text,
                       .ndim = 1};
        if (chk(mv_owner_wrap(&oa, item, f->itemsize, 1, NULL, NULL)) < 0)
            return;
        chk(mv_owner_wrap(&ob, copy, f->itemsize, 1, NULL, NULL));
        chk(mv_view_from_layout(&a, oa, &l));
        l.buf = copy;
        chk(mv_view_from_layout(&b, ob, &l));
        int eq = 0;
        chk(mv_view_equal(&a, &b, &eq));
        if (!eq)
            fail("an item differs from its copy");
        mv_view_release(&a);
        mv_view_release(&b);
        mv_owner_release(oa);
        mv_owner_release(ob);
    }
    if (c.over)
        return;
    replay r = {&c, 0};
    mv_source s = {r_begin, r_value, r_end};
    memset(copy, 0x5a, (size_t)f->itemsize);
    int rc = chk(mv_item_pack(f, copy, &s, &r));
    if (rc == MV_OK && r.i != c.n)
        fail("pack took fewer values than the walk gave");
    if (rc == MV_OK && exact(f)) {
        /* pads keep copy's bytes: compare field by field through a walk */
        collect *again = malloc(sizeof *again);
        if (!again)
            return;
        again->n = again->over = 0;
        again->depth = 0;
        chk(mv_item_walk(f, copy, &w, again));
        for (mv_ssize i = 0; i < c.n; i++)
            if (!mv_value_equal(&c.vals[i], &again->vals[i]))
                fail("packing the values read gave other values");
        free(again);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    size_t flen = 0;
    while (flen < size && data[flen])
        flen++;
    char *fmt = malloc(flen + 1);
    if (!fmt)
        return 0;
    memcpy(fmt, data, flen);
    fmt[flen] = '\0';
    const mv_format *f = NULL;
    int rc = chk(mv_format_compile(&f, fmt));
    if (rc < 0) {
        if (rc != MV_EVALUE && rc != MV_ENOMEM)
            fail("a bad format fails with other than ValueError");
        free(fmt);
        return 0;
    }
    if (f->itemsize < 0 || f->nvalues < 0 || strcmp(f->text, fmt) != 0)
        if (!f->native)
            fail("bad format totals or text");
    check_fields(f, 0);
    if (f->itemsize <= MAX_ITEM && f->nvalues <= 16 * MAX_VALUES) {
        size_t rest = flen < size ? size - flen - 1 : 0;
        check_item(f, data + size - rest, rest);
    }
    const mv_format *g = mv_format_retain(f);
    mv_format_release(f);
    mv_format_release(g);
    free(fmt);
    return 0;
}
