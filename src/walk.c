/*
 * walk.c -- visiting a view's items in C order (tolist, iteration).
 *
 * Rules, as Python's memoryview.tolist() has them:
 *   - A released view fails with the released message.
 *   - The format, after an optional '@', must be a single character, or
 *     the walk fails before any callback with NotImplementedError
 *     "memoryview: unsupported format F" (F as the view spells it).
 *   - A single character that is not a native format fails only when an
 *     item is read: "memoryview: format F not supported" (F without '@').
 *     So an empty view of such a format still walks (begin/end only).
 *   - A 0-D view gives exactly one item callback and no begin/end.
 *   - Strides may be negative or zero; suboffsets are followed in each
 *     dimension where they are non-negative.
 *
 * The innermost dimension is the hot loop: it reads items with the native
 * C type chosen once per row, so the common formats cost one load and one
 * callback per item.
 */
#include "internal.h"

/* One item at ptr, read as the single-character format f: unknown
 * characters fail with "memoryview: format F not supported". */
static inline int read_item(const char *f, const char *ptr, mv_value *out) {
    return mv_format_unpack(f, ptr, out);
}

static inline int emit(const mv_walker *w, void *ctx, const mv_value *x) {
    if (w->items)
        return w->items(ctx, x, 1);
    return w->item ? w->item(ctx, x) : MV_OK;
}

/* Values delivered to an items callback at a time. */
#define BATCH 64

/* Fill out[0..m) from the row at ptr: FILL reads items of C type T into
 * the value field FIELD of type VT. */
#define FILL(T, FIELD, VT)                                                     \
    do {                                                                       \
        for (mv_ssize k = 0; k < m; k++) {                                     \
            T t_;                                                              \
            memcpy(&t_, ptr + k * stride, sizeof t_);                          \
            out[k].type = VT;                                                  \
            out[k].FIELD = t_;                                                 \
        }                                                                      \
        return MV_OK;                                                          \
    } while (0)

static int fill(const char *f, const char *ptr, mv_ssize m, mv_ssize stride,
                mv_value *out) {
    switch (f[0]) {
    case 'B': FILL(unsigned char, u, MV_VAL_UINT);
    case 'b': FILL(signed char, i, MV_VAL_INT);
    case 'h': FILL(short, i, MV_VAL_INT);
    case 'H': FILL(unsigned short, u, MV_VAL_UINT);
    case 'i': FILL(int, i, MV_VAL_INT);
    case 'I': FILL(unsigned int, u, MV_VAL_UINT);
    case 'l': FILL(long, i, MV_VAL_INT);
    case 'L': FILL(unsigned long, u, MV_VAL_UINT);
    case 'q': FILL(long long, i, MV_VAL_INT);
    case 'Q': FILL(unsigned long long, u, MV_VAL_UINT);
    case 'n': FILL(ptrdiff_t, i, MV_VAL_INT);
    case 'N': FILL(size_t, u, MV_VAL_UINT);
    case 'f': FILL(float, f, MV_VAL_FLOAT);
    case 'd': FILL(double, f, MV_VAL_FLOAT);
    case 'P': FILL(uintptr_t, u, MV_VAL_UINT);
    default: break;
    }
    for (mv_ssize k = 0; k < m; k++) {
        int rc = read_item(f, ptr + k * stride, &out[k]);
        if (rc < 0)
            return rc;
    }
    return MV_OK;
}
#undef FILL

/* A row of n items delivered BATCH at a time to w->items. */
static int walk_row_batched(const char *f, const char *ptr, mv_ssize n,
                            mv_ssize stride, const mv_walker *w, void *ctx) {
    mv_value out[BATCH];
    for (mv_ssize k = 0; k < n; k += BATCH) {
        mv_ssize m = n - k < BATCH ? n - k : BATCH;
        int rc = fill(f, ptr + k * stride, m, stride, out);
        if (rc == MV_OK)
            rc = w->items(ctx, out, m);
        if (rc < 0)
            return rc;
    }
    return MV_OK;
}

/* A row of n items at ptr, stride bytes apart, no suboffset to follow.
 * LOOP reads an item of C type T into the value field FIELD of type VT. */
#define LOOP(T, FIELD, VT)                                                     \
    do {                                                                       \
        x.type = VT;                                                           \
        for (mv_ssize k = 0; k < n; k++) {                                     \
            T t_;                                                              \
            memcpy(&t_, ptr + k * stride, sizeof t_);                          \
            x.FIELD = t_;                                                      \
            int rc_ = w->item(ctx, &x);                                        \
            if (rc_ < 0)                                                       \
                return rc_;                                                    \
        }                                                                      \
        return MV_OK;                                                          \
    } while (0)

static int walk_row(const char *f, const char *ptr, mv_ssize n, mv_ssize stride,
                    const mv_walker *w, void *ctx) {
    mv_value x;
    if (n == 0)
        return MV_OK;
    if (w->items)
        return walk_row_batched(f, ptr, n, stride, w, ctx);
    if (!w->item) {
        /* Nothing to deliver, but an unreadable format still fails. */
        return read_item(f, ptr, &x);
    }
    switch (f[0]) {
    case 'B': LOOP(unsigned char, u, MV_VAL_UINT);
    case 'b': LOOP(signed char, i, MV_VAL_INT);
    case 'h': LOOP(short, i, MV_VAL_INT);
    case 'H': LOOP(unsigned short, u, MV_VAL_UINT);
    case 'i': LOOP(int, i, MV_VAL_INT);
    case 'I': LOOP(unsigned int, u, MV_VAL_UINT);
    case 'l': LOOP(long, i, MV_VAL_INT);
    case 'L': LOOP(unsigned long, u, MV_VAL_UINT);
    case 'q': LOOP(long long, i, MV_VAL_INT);
    case 'Q': LOOP(unsigned long long, u, MV_VAL_UINT);
    case 'n': LOOP(ptrdiff_t, i, MV_VAL_INT);
    case 'N': LOOP(size_t, u, MV_VAL_UINT);
    case 'f': LOOP(float, f, MV_VAL_FLOAT);
    case 'd': LOOP(double, f, MV_VAL_FLOAT);
    case 'P': LOOP(uintptr_t, u, MV_VAL_UINT);
    default: break;
    }
    /* c, e, ? and anything unknown: one call per item. */
    for (mv_ssize k = 0; k < n; k++) {
        int rc = read_item(f, ptr + k * stride, &x);
        if (rc < 0)
            return rc;
        rc = w->item(ctx, &x);
        if (rc < 0)
            return rc;
    }
    return MV_OK;
}
#undef LOOP

/* Items of dimension dim and below, starting at ptr. */
static int walk_dim(const mv_view *v, int dim, const char *ptr, const char *f,
                    const mv_walker *w, void *ctx) {
    mv_ssize n = v->shape[dim];
    mv_ssize stride = v->strides[dim];
    const mv_ssize *sub = v->suboffsets;
    int rc;

    if (w->begin && (rc = w->begin(ctx, dim, n)) < 0)
        return rc;
    if (dim == v->ndim - 1 && !(sub && sub[dim] >= 0)) {
        rc = walk_row(f, ptr, n, stride, w, ctx);
        if (rc < 0)
            return rc;
    } else {
        /* Each row's address from its index: stepping past the last row
         * could leave the address space when the stride is huge. A view
         * of no items reaches no memory: its bounds were never checked, so
         * its rows are not moved to. */
        mv_ssize step = v->nbytes ? stride : 0;
        for (mv_ssize k = 0; k < n; k++) {
            char *p = adjust_ptr((char *)ptr + k * step, sub, dim);
            if (dim == v->ndim - 1) {
                mv_value x;
                if ((rc = read_item(f, p, &x)) < 0 ||
                    (rc = emit(w, ctx, &x)) < 0)
                    return rc;
            } else if ((rc = walk_dim(v, dim + 1, p, f, w, ctx)) < 0) {
                return rc;
            }
        }
    }
    if (w->end && (rc = w->end(ctx, dim)) < 0)
        return rc;
    return MV_OK;
}

/* Fill out[0..m) with the scalar field fd of the items at ptr, stride
 * bytes apart: ints and floats of 2, 4 and 8 bytes, in either byte order,
 * in a loop of their own (SW a constant, so that each loop is built with
 * its load), the rest through the engine's reader. */
#define FILL(W, SW, FIELD, VT, CONV)                                           \
    do {                                                                       \
        for (mv_ssize k = 0; k < m; k++) {                                     \
            out[k].type = VT;                                                  \
            out[k].FIELD = CONV(mv__load##W(ptr + k * stride, SW));            \
        }                                                                      \
        return;                                                                \
    } while (0)
#define AS_U(u) (u)
#define AS_I16(u) (int16_t)(u)
#define AS_I32(u) (int32_t)(u)
#define AS_I64(u) (int64_t)(u)
#define AS_F32(u) mv__f32(u)
#define AS_F64(u) mv__f64(u)

/* Each scalar of 2, 4 or 8 bytes that fill_field() loads itself, byte
 * order SW (0: the host's, 1: swapped); falls through for the others.
 * CASE8 labels the 8-byte integers and REST ends the switch: "case 8" and
 * "default: break;" in host order, where 1-byte integers fall through;
 * "default" and nothing when swapped, since struct.c swaps integers of 2,
 * 4 and 8 bytes only. */
#define FILL_SIZES(SW, CASE8, REST)                                            \
    do {                                                                       \
        if (fd->kind == MV_KIND_INT || u) {                                    \
            switch (fd->size) {                                                \
            case 2:                                                            \
                if (u)                                                         \
                    FILL(16, SW, u, MV_VAL_UINT, AS_U);                        \
                FILL(16, SW, i, MV_VAL_INT, AS_I16);                           \
            case 4:                                                            \
                if (u)                                                         \
                    FILL(32, SW, u, MV_VAL_UINT, AS_U);                        \
                FILL(32, SW, i, MV_VAL_INT, AS_I32);                           \
            CASE8:                                                             \
                if (u)                                                         \
                    FILL(64, SW, u, MV_VAL_UINT, AS_U);                        \
                FILL(64, SW, i, MV_VAL_INT, AS_I64);                           \
                REST                                                           \
            }                                                                  \
        } else if (fd->kind == MV_KIND_FLOAT && fd->size == 4) {               \
            FILL(32, SW, f, MV_VAL_FLOAT, AS_F32);                             \
        } else if (fd->kind == MV_KIND_FLOAT && fd->size == 8) {               \
            FILL(64, SW, f, MV_VAL_FLOAT, AS_F64);                             \
        }                                                                      \
    } while (0)

static void fill_field(const mv_field *fd, const char *ptr, mv_ssize m,
                       mv_ssize stride, mv_value *out) {
    ptr += fd->offset;
    /* a pointer is read as an unsigned integer; a swapped field is never a
     * pointer, a bool or a char (struct.c sets swap for numbers only) */
    bool u = fd->kind == MV_KIND_UINT || fd->kind == MV_KIND_PTR;
    if (fd->kind != MV_KIND_BOOL && fd->kind != MV_KIND_CHAR) {
        if (fd->swap) /* an integer of 2, 4 or 8 bytes, or a float */
            FILL_SIZES(1, default, );
        else
            FILL_SIZES(0, case 8, default : break;);
    }
    for (mv_ssize k = 0; k < m; k++)
        mv__field_read(fd, ptr + k * stride, &out[k]);
}
#undef FILL_SIZES
#undef FILL
#undef AS_U
#undef AS_I16
#undef AS_I32
#undef AS_I64
#undef AS_F32
#undef AS_F64

/* Items of a compiled format, each walked by the format engine with its
 * tuples' depths counted after the view's ndim dimensions. A format of
 * one scalar ('<i', '>d') takes rows of values in batches, as the native
 * formats do. */
static int walk_records(const mv_view *v, int dim, const char *ptr,
                        const mv_walker *w, void *ctx) {
    int rc;
    if (dim == v->ndim)
        return mv__item_walk(v->fmtdesc, ptr, v->ndim, w, ctx);
    mv_ssize n = v->shape[dim], step = v->nbytes ? v->strides[dim] : 0;
    if (w->begin && (rc = w->begin(ctx, dim, n)) < 0)
        return rc;
    const mv_field *fd = mv_format_scalar(v->fmtdesc);
    if (fd && w->items && dim == v->ndim - 1 &&
        !(v->suboffsets && v->suboffsets[dim] >= 0)) {
        mv_value out[BATCH];
        for (mv_ssize k = 0; k < n; k += BATCH) {
            mv_ssize m = n - k < BATCH ? n - k : BATCH;
            fill_field(fd, ptr + k * step, m, step, out);
            if ((rc = w->items(ctx, out, m)) < 0)
                return rc;
        }
    } else {
        for (mv_ssize k = 0; k < n; k++) {
            char *p = adjust_ptr((char *)ptr + k * step, v->suboffsets, dim);
            if ((rc = walk_records(v, dim + 1, p, w, ctx)) < 0)
                return rc;
        }
    }
    return w->end ? w->end(ctx, dim) : MV_OK;
}

int mv_view_walk(const mv_view *v, const mv_walker *w, void *ctx) {
    /* Live, and a single character ('@' stripped) or a compiled format
     * whose items fit; else "memoryview: unsupported format F". */
    int rc = mv_view_check_item(v);
    if (rc < 0)
        return rc;
    if (!v->fmtchar_ && v->fmtdesc)
        return walk_records(v, 0, v->buf, w, ctx);
    const char *f = mv__skip_at(v->format);
    if (v->ndim == 0) {
        mv_value x;
        if ((rc = read_item(f, v->buf, &x)) < 0)
            return rc;
        return emit(w, ctx, &x);
    }
    return walk_dim(v, 0, v->buf, f, w, ctx);
}
