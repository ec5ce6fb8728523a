/*
 * copy.c -- tobytes, strided copies, assignment between views.
 *
 * One recursive routine copies between any two geometries of the same
 * shape and itemsize: each side has its own strides and, optionally,
 * suboffsets. A contiguous side is described by the strides of a C or
 * Fortran array of that shape. Rows whose items are adjacent on both
 * sides go through memmove; other rows item by item.
 *
 * Assignment is all or nothing: every check, and the one allocation it may
 * need, comes before the first byte is written. When source and
 * destination may overlap, the source is gathered into a temporary block
 * first, which gives memmove's semantics for any pair of layouts.
 */
#include "internal.h"

#include <stdint.h>
#include <stdlib.h>

typedef struct {
    char *ptr;
    const mv_ssize *strides;
    const mv_ssize *suboffsets;
} side;

static inline bool direct_row(const side *s, mv_ssize itemsize) {
    return s->strides[0] == itemsize &&
           !(s->suboffsets && s->suboffsets[0] >= 0);
}

/* Copy one row of n items. */
static void copy_row(mv_ssize n, mv_ssize itemsize, side d, side s) {
    if (direct_row(&d, itemsize) && direct_row(&s, itemsize)) {
        memmove(d.ptr, s.ptr, (size_t)(n * itemsize));
        return;
    }
    mv_ssize ds = d.strides[0], ss = s.strides[0];
    if (!d.suboffsets && !s.suboffsets) {
        switch (itemsize) {
        case 1:
            for (mv_ssize i = 0; i < n; i++)
                d.ptr[i * ds] = s.ptr[i * ss];
            return;
        case 2:
            for (mv_ssize i = 0; i < n; i++)
                memcpy(d.ptr + i * ds, s.ptr + i * ss, 2);
            return;
        case 4:
            for (mv_ssize i = 0; i < n; i++)
                memcpy(d.ptr + i * ds, s.ptr + i * ss, 4);
            return;
        case 8:
            for (mv_ssize i = 0; i < n; i++)
                memcpy(d.ptr + i * ds, s.ptr + i * ss, 8);
            return;
        default: break;
        }
    }
    for (mv_ssize i = 0; i < n; i++) {
        char *dp = adjust_ptr(d.ptr + i * ds, d.suboffsets, 0);
        char *sp = adjust_ptr(s.ptr + i * ss, s.suboffsets, 0);
        memcpy(dp, sp, (size_t)itemsize);
    }
}

static side next_dim(side s, mv_ssize i) {
    side t = {adjust_ptr(s.ptr + i * s.strides[0], s.suboffsets, 0),
              s.strides + 1, s.suboffsets ? s.suboffsets + 1 : NULL};
    return t;
}

/* Copy the items of an ndim >= 1 array of the given shape from s to d. */
static void copy_rec(int ndim, const mv_ssize *shape, mv_ssize itemsize,
                     const side *d, const side *s) {
    /* sides go by pointer: passed by value, each call's 24-byte structs
     * are read back with wide loads that wait for the row's memmove to
     * retire (a store-forwarding stall of ~16 ns a row) */
    if (ndim == 1) {
        copy_row(shape[0], itemsize, *d, *s);
        return;
    }
    /* rows adjacent on both sides: one memmove a row, no recursion */
    if (ndim == 2 && !d->suboffsets && !s->suboffsets &&
        d->strides[1] == itemsize && s->strides[1] == itemsize) {
        size_t row = (size_t)(shape[1] * itemsize);
        /* addressed from the index: one stride past the last row may leave
         * the address space when the stride is huge */
        for (mv_ssize i = 0; i < shape[0]; i++)
            memmove(d->ptr + i * d->strides[0], s->ptr + i * s->strides[0],
                    row);
        return;
    }
    for (mv_ssize i = 0; i < shape[0]; i++) {
        side dn = next_dim(*d, i), sn = next_dim(*s, i);
        copy_rec(ndim - 1, shape + 1, itemsize, &dn, &sn);
    }
}

/* Strides of a contiguous array of v's shape in the given order. */
static void contiguous_strides(const mv_view *v, mv_order order,
                               mv_ssize *strides) {
    mv_ssize sd = v->itemsize;
    if (order == MV_ORDER_F) {
        for (int i = 0; i < v->ndim; i++) {
            strides[i] = sd;
            sd *= v->shape[i];
        }
    } else {
        for (int i = v->ndim - 1; i >= 0; i--) {
            strides[i] = sd;
            sd *= v->shape[i];
        }
    }
}

static bool has_items(const mv_view *v) { return v->nbytes > 0; }

/* Copy between v's items and the contiguous block mem, laid out in order.
 * to_mem chooses the direction. */
static void transfer(const mv_view *v, char *mem, mv_order order, bool to_mem) {
    if (!has_items(v))
        return;
    /* One block: a 0-D item (even with suboffsets: it has no dimension to
     * follow them in), or items in the order asked for. */
    bool same =
        v->ndim == 0 || (order == MV_ORDER_F ? mv_view_is_f_contiguous(v)
                                             : mv_view_is_c_contiguous(v));
    if (same) {
        if (to_mem)
            memcpy(mem, v->buf, (size_t)v->nbytes);
        else
            memcpy(v->buf, mem, (size_t)v->nbytes);
        return;
    }
    mv_ssize strides[MV_MAXDIM];
    contiguous_strides(v, order, strides);
    side m = {mem, strides, NULL};
    side s = {v->buf, v->strides, v->suboffsets};
    if (to_mem)
        copy_rec(v->ndim, v->shape, v->itemsize, &m, &s);
    else
        copy_rec(v->ndim, v->shape, v->itemsize, &s, &m);
}

typedef struct copy_job {
    char *out;
    const mv_view *v;
    mv_order order;
} copy_job;

static int run_copy(void *ctx) {
    copy_job *j = ctx;
    transfer(j->v, j->out, j->order, true);
    return MV_OK;
}

int mv__copy_to_contiguous_guarded(char *out, const mv_view *v,
                                   mv_order order) {
    copy_job j = {out, v, order};
    return mv__guarded(v, run_copy, &j);
}

/* 'A' keeps the physical order of a contiguous view: Fortran if the view
 * is Fortran- but not C-contiguous, else C. */
static int resolve_order(const mv_view *v, mv_order order, mv_order *out) {
    switch (order) {
    case MV_ORDER_C:
    case MV_ORDER_F: *out = order; return MV_OK;
    case MV_ORDER_A:
        *out = (mv_view_is_f_contiguous(v) && !mv_view_is_c_contiguous(v))
                   ? MV_ORDER_F
                   : MV_ORDER_C;
        return MV_OK;
    default: return mv_error(MV_EVALUE, "order must be 'C', 'F' or 'A'");
    }
}

int mv_view_tobytes_into(const mv_view *v, void *out, mv_ssize size,
                         mv_order order) {
    int rc = check_live(v);
    if (rc < 0)
        return rc;
    if ((rc = resolve_order(v, order, &order)) < 0)
        return rc;
    if (size < v->nbytes)
        return mv_error(MV_EVALUE,
                        "output buffer of %td bytes is too small for %td", size,
                        v->nbytes);
    return mv__copy_to_contiguous_guarded(out, v, order);
}

int mv_view_tobytes(const mv_view *v, void **out, mv_order order) {
    int rc = check_live(v);
    if (rc < 0)
        return rc;
    if ((rc = resolve_order(v, order, &order)) < 0)
        return rc;
    char *mem = malloc(v->nbytes > 0 ? (size_t)v->nbytes : 1);
    if (!mem)
        return mv_error(MV_ENOMEM, "cannot allocate %td bytes", v->nbytes);
    if ((rc = mv__copy_to_contiguous_guarded(mem, v, order)) < 0) {
        free(mem);
        return rc;
    }
    *out = mem;
    return MV_OK;
}

/* ---- assignment ---- */

static bool equiv_structure(const mv_view *a, const mv_view *b) {
    return strcmp(mv__skip_at(a->format), mv__skip_at(b->format)) == 0 &&
           a->itemsize == b->itemsize && mv__view_equiv_shape(a, b);
}

/* The byte range a view's items occupy; false if it is indirect. */
static bool byte_range(const mv_view *v, uintptr_t *lo, uintptr_t *hi) {
    if (v->suboffsets)
        return false;
    mv_ssize l = 0, h = v->itemsize;
    for (int i = 0; i < v->ndim; i++) {
        mv_ssize span = v->strides[i] * (v->shape[i] - 1);
        if (span > 0)
            h += span;
        else
            l += span;
    }
    *lo = (uintptr_t)v->buf + (uintptr_t)l;
    *hi = (uintptr_t)v->buf + (uintptr_t)h;
    return true;
}

static bool may_overlap(const mv_view *a, const mv_view *b) {
    uintptr_t alo, ahi, blo, bhi;
    if (!byte_range(a, &alo, &ahi) || !byte_range(b, &blo, &bhi))
        return true;
    return alo < bhi && blo < ahi;
}

typedef struct assign_job {
    mv_view *dst;
    const mv_view *src;
    char *tmp; /* a C-order copy of src's items, when they may overlap */
} assign_job;

static int run_assign(void *ctx) {
    assign_job *j = ctx;
    mv_view *dst = j->dst;
    const mv_view *src = j->src;
    if (dst->ndim == 0) {
        memmove(dst->buf, src->buf, (size_t)dst->itemsize);
    } else if (mv_view_is_c_contiguous(dst) && mv_view_is_c_contiguous(src)) {
        memmove(dst->buf, src->buf, (size_t)dst->nbytes);
    } else if (j->tmp) {
        transfer(src, j->tmp, MV_ORDER_C, true);
        transfer(dst, j->tmp, MV_ORDER_C, false);
    } else {
        side d = {dst->buf, dst->strides, dst->suboffsets};
        side s = {src->buf, src->strides, src->suboffsets};
        copy_rec(dst->ndim, dst->shape, dst->itemsize, &d, &s);
    }
    return MV_OK;
}

int mv_view_assign(mv_view *dst, const mv_view *src) {
    int rc = check_live(dst);
    if (rc < 0)
        return rc;
    if ((rc = mv_view_check_item(dst)) < 0)
        return rc;
    if (dst->flags & MV_READONLY)
        return mv_error(MV_ETYPE, MSG_READONLY);
    if ((rc = check_live(src)) < 0)
        return rc;
    if (!equiv_structure(dst, src))
        return mv_error(MV_EVALUE, "memoryview assignment: lvalue and rvalue "
                                   "have different structures");
    if (!has_items(dst))
        return MV_OK;
    assign_job j = {dst, src, NULL};
    if (dst->ndim > 0 &&
        !(mv_view_is_c_contiguous(dst) && mv_view_is_c_contiguous(src)) &&
        may_overlap(dst, src)) {
        j.tmp = malloc((size_t)src->nbytes);
        if (!j.tmp)
            return mv_error(MV_ENOMEM, "cannot allocate %td bytes",
                            src->nbytes);
    }
    rc = mv__guarded2(dst, src, run_assign, &j);
    free(j.tmp);
    return rc;
}
