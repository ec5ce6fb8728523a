/*
 * cast.c -- Python's memoryview.cast(format[, shape]).
 *
 * A cast reads the same bytes with another native format and/or another
 * contiguous shape (C order, or F order when asked). Its rules, checked in
 * CPython's order so that the first failing rule names the error:
 *   0. the order is 'C' or 'F' (ValueError);
 *   1. the source is live and C-contiguous, or F-contiguous when the
 *      result is 1-D (its bytes in memory order; TypeError);
 *   2. a source of any ndim but 1, or any cast given a shape, must have no
 *      zero in its shape (TypeError);
 *   3. a shape has at most MV_MAXDIM entries (ValueError), and either the
 *      source or the result is 1-D (TypeError);
 *   4. the destination format compiles to items of at least one byte
 *      (ValueError; beyond the builtin, which takes only one native
 *      character: "<i", "T{<I:id:<f:x:}" are accepted, and a longer
 *      format that is refused is named with the struct rule it breaks); one of
 * the two formats is a byte format 'B', 'b' or 'c' (TypeError); the byte length
 * is a multiple of the new item size (TypeError);
 *   5. every shape entry is > 0, their product times the item size does
 *      not overflow (ValueError) and equals the byte length (TypeError).
 * The result's format string is a static one for native characters, else
 * the compiled format's copy (the view holds its reference); it keeps the
 * source's read-only flag and takes its own owner reference.
 */
#include "internal.h"

#include <stdio.h>
#include <string.h>

static bool is_byte_format(char c) { return c == 'B' || c == 'b' || c == 'c'; }

static bool zero_in_shape(const mv_view *v) {
    for (int i = 0; i < v->ndim; i++)
        if (v->shape[i] == 0)
            return true;
    return false;
}

/* Rules 0-3: the order, the source and the shape's length. */
static int check_source(const mv_view *src, bool has_shape, int ndim,
                        mv_order order) {
    int rc = check_live(src);
    if (rc < 0)
        return rc;
    if (order != MV_ORDER_C && order != MV_ORDER_F)
        return mv_error(MV_EVALUE, "memoryview: order must be 'C' or 'F'");
    bool flat = !has_shape || ndim == 1;
    if (!mv_view_is_c_contiguous(src) &&
        !(flat && mv_view_is_f_contiguous(src)))
        return mv_error(MV_ETYPE,
                        "memoryview: casts are restricted to C-contiguous "
                        "views");
    if ((has_shape || src->ndim != 1) && zero_in_shape(src))
        return mv_error(MV_ETYPE, "memoryview: cannot cast view with zeros "
                                  "in shape or strides");
    if (has_shape) {
        if (ndim > MV_MAXDIM)
            return mv_error(MV_EVALUE,
                            "memoryview: number of dimensions "
                            "must not exceed %d",
                            MV_MAXDIM);
        if (src->ndim != 1 && ndim != 1)
            return mv_error(MV_ETYPE,
                            "memoryview: cast must be 1D -> ND or ND -> 1D");
    }
    return MV_OK;
}

/* Rule 4: the destination format; sets its character (0 for a format
 * beyond the builtin's), size and compilation (one reference). */
static int check_format(const mv_view *src, const char *format, char *c,
                        mv_ssize *itemsize, const mv_format **desc) {
    const mv_format *d = NULL;
    int rc = format ? mv_format_compile(&d, format) : MV_EVALUE;
    if (rc == MV_ENOMEM)
        return rc;
    if (rc < 0 || d->itemsize == 0) {
        bool empty = rc == MV_OK;
        mv_format_release(d);
        if (format && strlen(mv__skip_at(format)) > 1) {
            /* only memview reads such formats: say what is wrong */
            char why[128];
            snprintf(why, sizeof why, "%s",
                     empty ? "its items have no bytes" : mv_errmsg());
            return mv_error(MV_EVALUE,
                            "memoryview: destination format '%s': %s", format,
                            why);
        }
        return mv_error(MV_EVALUE, "memoryview: destination format must be "
                                   "a native single character format "
                                   "prefixed with an optional '@'");
    }
    char dc = d->native;
    if (!is_byte_format(mv_format_char(src->format)) && !is_byte_format(dc)) {
        mv_format_release(d);
        return mv_error(MV_ETYPE,
                        "memoryview: cannot cast between two non-byte formats");
    }
    if (src->nbytes % d->itemsize) {
        mv_format_release(d);
        return mv_error(MV_ETYPE,
                        "memoryview: length is not a multiple of itemsize");
    }
    *c = dc;
    *itemsize = d->itemsize;
    *desc = d;
    return MV_OK;
}

/* Rule 5: the new shape against the byte length. */
static int check_shape(const mv_view *src, const mv_ssize *shape, int ndim,
                       mv_ssize itemsize) {
    mv_ssize len = itemsize;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] <= 0)
            return mv_error(MV_EVALUE, "memoryview.cast(): elements of shape "
                                       "must be integers > 0");
        if (mul_overflows(len, shape[i], &len))
            return mv_error(MV_EVALUE,
                            "memoryview.cast(): product(shape) > SSIZE_MAX");
    }
    if (len != src->nbytes)
        return mv_error(MV_ETYPE, "memoryview: product(shape) * itemsize != "
                                  "buffer size");
    return MV_OK;
}

int mv_view_cast(mv_view *dst, const mv_view *src, const char *format,
                 const mv_ssize *shape, int ndim) {
    return mv_view_cast_order(dst, src, format, shape, ndim, MV_ORDER_C);
}

int mv_view_cast_order(mv_view *dst, const mv_view *src, const char *format,
                       const mv_ssize *shape, int ndim, mv_order order) {
    bool has_shape = ndim >= 0;
    if (ndim < -1 || (ndim > 0 && ndim <= MV_MAXDIM && !shape))
        return mv_error(MV_EVALUE,
                        "memoryview.cast(): shape of %d dimensions is NULL",
                        ndim);
    int rc = check_source(src, has_shape, ndim, order);
    char c = 0;
    mv_ssize itemsize = 0;
    const mv_format *desc = NULL;
    if (rc == MV_OK)
        rc = check_format(src, format, &c, &itemsize, &desc);
    if (rc == MV_OK && has_shape)
        rc = check_shape(src, shape, ndim, itemsize);
    if (rc < 0) {
        mv_format_release(desc);
        return rc;
    }

    int nd = has_shape ? ndim : 1;
    mv_view v;
    memset(&v, 0, sizeof v);
    if ((rc = mv__view_alloc_dims(&v, nd, false)) < 0) {
        mv_format_release(desc);
        return rc;
    }
    v.buf = src->buf;
    v.owner = src->owner;
    v.nbytes = src->nbytes;
    v.itemsize = itemsize;
    v.format =
        c ? mv__native_spelling(c, mv__skip_at(format) != format) : desc->text;
    v.ndim = nd;
    v.flags = src->flags & MV_READONLY;
    v.fmtchar_ = c;
    v.fmtdesc = desc;
    if (!has_shape) {
        v.shape[0] = src->nbytes / itemsize;
        v.strides[0] = itemsize;
    } else if (nd > 0) {
        memcpy(v.shape, shape, (size_t)nd * sizeof *shape);
        mv_ssize sd = itemsize; /* no overflow: checked by check_shape */
        bool f = order == MV_ORDER_F;
        for (int k = 0; k < nd; k++) {
            int i = f ? k : nd - 1 - k;
            v.strides[i] = sd;
            sd *= shape[i];
        }
    }
    mv__view_init_flags(&v);
    mv__owner_incref(v.owner);
    if (dst == src && (rc = mv_view_release(dst)) < 0) {
        mv_view_release(&v);
        return rc;
    }
    mv_view_move(dst, &v);
    return MV_OK;
}
