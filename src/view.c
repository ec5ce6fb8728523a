/*
 * view.c -- a view's geometry: construction, flags, copies, release.
 *
 * Invariants of a live view v:
 *   - v->owner holds one counted reference (mv__owner_incref at construction,
 *     mv__owner_decref at release); a released view holds none.
 *   - v->shape, v->strides (and v->suboffsets when not NULL) point at
 *     v->dims_ when ndim <= MV_INLINE_NDIM, else at v->heap_, which the view
 *     frees at release; except that a flat 1-D view (MV_FLAT1D_) keeps its
 *     one shape entry in v->flatlen_, where v->shape points. That is why
 *     views move with mv_view_move(), never with '='.
 *   - v->nbytes == itemsize * product(shape), computed without overflow.
 *   - Every byte the view can reach through buf, shape and strides lies in
 *     its owner's memory (checked at construction unless the layout is
 *     indirect: the pointers of a suboffsets layout are the caller's word).
 *   - The contiguity flags follow CPython's init_flags(): 0-D views are
 *     both C and F contiguous; 1-D views are when shape[0] == 1 or the
 *     stride equals the itemsize; otherwise by PyBuffer_IsContiguous's rule;
 *     views with suboffsets never are.
 */
#include "internal.h"

#include <stdint.h>
#include <stdlib.h>

/* A failed constructor leaves its destination released, so that releasing
 * it again is harmless. */
void mv__view_set_released(mv_view *v) {
    memset(v, 0, sizeof *v);
    v->flags = MV_RELEASED;
    v->format = "B";
    v->shape = v->dims_;
    v->strides = v->dims_ + MV_INLINE_NDIM;
}

int mv__view_alloc_dims(mv_view *v, int ndim, bool with_suboffsets) {
    v->heap_ = NULL;
    if (ndim <= MV_INLINE_NDIM) {
        v->shape = v->dims_;
        v->strides = v->dims_ + MV_INLINE_NDIM;
        v->suboffsets = with_suboffsets ? v->dims_ + 2 * MV_INLINE_NDIM : NULL;
        return MV_OK;
    }
    mv_ssize *p = malloc(3 * (size_t)ndim * sizeof *p);
    if (!p)
        return mv_error(MV_ENOMEM, "cannot allocate %d dimensions", ndim);
    v->heap_ = p;
    v->shape = p;
    v->strides = p + ndim;
    v->suboffsets = with_suboffsets ? p + 2 * ndim : NULL;
    return MV_OK;
}

void mv__view_free_dims(mv_view *v) {
    free(v->heap_);
    v->heap_ = NULL;
    v->shape = v->dims_;
    v->strides = v->dims_ + MV_INLINE_NDIM;
    v->suboffsets = NULL;
}

static bool is_c_contiguous(const mv_view *v) {
    if (v->nbytes == 0)
        return true;
    mv_ssize sd = v->itemsize;
    for (int i = v->ndim - 1; i >= 0; i--) {
        if (v->shape[i] > 1 && v->strides[i] != sd)
            return false;
        sd *= v->shape[i];
    }
    return true;
}

static bool is_f_contiguous(const mv_view *v) {
    if (v->nbytes == 0)
        return true;
    mv_ssize sd = v->itemsize;
    for (int i = 0; i < v->ndim; i++) {
        if (v->shape[i] > 1 && v->strides[i] != sd)
            return false;
        sd *= v->shape[i];
    }
    return true;
}

/* flatlen_ took the place of one of the reserved_ pointers. */
_Static_assert(sizeof(mv_ssize) == sizeof(void *),
               "mv_view keeps its size and layout");

void mv__view_init_flags(mv_view *v) {
    unsigned f =
        v->flags & ~(unsigned)(MV_C_CONTIGUOUS | MV_F_CONTIGUOUS | MV_FLAT1D_);
    if (v->ndim == 1 && !v->suboffsets && v->strides[0] == v->itemsize) {
        /* shape[0] lives in flatlen_: b = b[1:] stores the length once */
        f |= MV_FLAT1D_;
        v->flatlen_ = v->shape[0];
        v->shape = &v->flatlen_;
    } else {
        if (v->shape == &v->flatlen_) { /* flat no longer */
            v->dims_[0] = v->flatlen_;
            v->shape = v->dims_;
        }
        v->flatlen_ = 0;
    }
    if (v->suboffsets) {
        /* indirect: never contiguous */
    } else if (v->ndim == 0) {
        f |= MV_C_CONTIGUOUS | MV_F_CONTIGUOUS;
    } else if (v->ndim == 1) {
        if (v->shape[0] == 1 || v->strides[0] == v->itemsize)
            f |= MV_C_CONTIGUOUS | MV_F_CONTIGUOUS;
    } else {
        if (is_c_contiguous(v))
            f |= MV_C_CONTIGUOUS;
        if (is_f_contiguous(v))
            f |= MV_F_CONTIGUOUS;
    }
    v->flags = f;
}

bool mv__view_equiv_shape(const mv_view *a, const mv_view *b) {
    if (a->ndim != b->ndim)
        return false;
    for (int i = 0; i < a->ndim; i++) {
        if (a->shape[i] != b->shape[i])
            return false;
        if (a->shape[i] == 0)
            break;
    }
    return true;
}

int mv__view_build(mv_view *dst, const mv_view *src, char *buf, int ndim,
                   const mv_ssize *shape, const mv_ssize *strides,
                   const mv_ssize *suboffsets) {
    /* dims are written straight into dst: built in a temporary and
     * copied over with memcpy, they made wide loads wait on narrow stores
     * (a store-forwarding stall, 6 ns of a Python slice's 43) */
    mv_ssize *heap = NULL;
    if (ndim > MV_INLINE_NDIM) {
        heap = malloc(3 * (size_t)ndim * sizeof *heap);
        if (!heap) {
            mv__view_set_released(dst);
            return mv_error(MV_ENOMEM, "cannot allocate %d dimensions", ndim);
        }
    }
    mv_ssize *base = heap ? heap : dst->dims_;
    mv_ssize stride = heap ? ndim : MV_INLINE_NDIM;
    mv_ssize len = src->itemsize;
    for (int i = 0; i < ndim; i++) {
        base[i] = shape[i];
        base[stride + i] = strides[i];
        if (suboffsets)
            base[2 * stride + i] = suboffsets[i];
        len *= shape[i];
    }
    dst->buf = buf;
    dst->owner = src->owner;
    dst->nbytes = len;
    dst->itemsize = src->itemsize;
    dst->format = src->format;
    dst->ndim = ndim;
    dst->flags = src->flags & MV_READONLY;
    dst->exports_ = 0;
    dst->fmtchar_ = src->fmtchar_;
    dst->fmtdesc = mv_format_retain(src->fmtdesc);
    dst->hash_ = 0;
    dst->heap_ = heap;
    dst->shape = base;
    dst->strides = base + stride;
    dst->suboffsets = suboffsets ? base + 2 * stride : NULL;
    mv__view_init_flags(dst);
    mv__owner_incref(dst->owner);
    return MV_OK;
}

int mv_view_from_owner(mv_view *dst, mv_owner *o) {
    mv_layout l = {
        .buf = mv_owner_data(o),
        .nbytes = mv_owner_size(o),
        .itemsize = 1,
        .format = "B",
        .ndim = 1,
        .readonly = mv_owner_readonly(o),
    };
    return mv_view_from_layout(dst, o, &l);
}

int mv_layout_extent(const mv_layout *l, mv_ssize *lo, mv_ssize *hi) {
    mv_ssize low = 0, high = l->nbytes;
    if (l->strides && l->shape) {
        high = l->itemsize;
        for (int i = 0; i < l->ndim; i++) {
            if (l->shape[i] == 0) {
                *lo = *hi = 0;
                return MV_OK;
            }
        }
        for (int i = 0; i < l->ndim; i++) {
            mv_ssize span;
            if (mul_overflows(l->strides[i], l->shape[i] - 1, &span) ||
                add_overflows(span > 0 ? high : low, span,
                              span > 0 ? &high : &low))
                return mv_error(MV_EOVERFLOW,
                                "memoryview: strides overflow the address "
                                "space");
        }
    }
    *lo = low;
    *hi = high;
    return MV_OK;
}

/* Check l (format, itemsize, ndim, shape, strides) and compute its byte
 * length into *len. */
static int check_layout(const mv_layout *l, mv_ssize *len) {
    const char *fmt = l->format ? l->format : "B";
    if (l->ndim < 0 || l->ndim > MV_MAXDIM)
        return mv_error(MV_EVALUE,
                        "memoryview: number of dimensions must not exceed %d",
                        MV_MAXDIM);
    if (l->itemsize <= 0)
        return mv_error(MV_EVALUE, "memoryview: itemsize must be positive");
    mv_ssize native = mv_format_itemsize(fmt);
    if (native && native != l->itemsize)
        return mv_error(MV_EVALUE,
                        "memoryview: itemsize %td does not match format '%s'",
                        l->itemsize, fmt);
    if (l->ndim == 1 && !l->shape) {
        if (l->nbytes < 0 || l->nbytes % l->itemsize)
            return mv_error(MV_EVALUE,
                            "memoryview: length is not a multiple of itemsize");
        *len = l->nbytes;
        return MV_OK;
    }
    if (l->ndim > 0 && !l->shape)
        return mv_error(MV_EVALUE, "memoryview: shape is required for ndim %d",
                        l->ndim);
    mv_ssize n = l->itemsize;
    for (int i = 0; i < l->ndim; i++) {
        if (l->shape[i] < 0)
            return mv_error(MV_EVALUE,
                            "memoryview: elements of shape must be >= 0");
        if (mul_overflows(n, l->shape[i], &n))
            return mv_error(MV_EOVERFLOW,
                            "memoryview: product(shape) * itemsize overflows");
    }
    if (l->nbytes != n)
        return mv_error(MV_EVALUE,
                        "memoryview: product(shape) * itemsize != buffer size");
    *len = n;
    return MV_OK;
}

/* Every byte reachable through l lies within o's memory. */
static int check_bounds(const mv_layout *l, const mv_owner *o) {
    mv_ssize lo, hi;
    int rc = mv_layout_extent(l, &lo, &hi);
    if (rc < 0)
        return rc;
    if (hi == lo)
        return MV_OK;
    uintptr_t base = (uintptr_t)mv_owner_data(o);
    uintptr_t end = base + (uintptr_t)mv_owner_size(o);
    uintptr_t buf = (uintptr_t)l->buf;
    if (buf < base || buf > end || (mv_ssize)(buf - base) + lo < 0 ||
        (mv_ssize)(end - buf) < hi)
        return mv_error(
            MV_EVALUE, "memoryview: layout reaches outside its owner's memory");
    return MV_OK;
}

/* The compiled format of a view's format string: NULL when it does not
 * compile (the view is still made: typed access then fails as the
 * builtin's does), a failure only when memory runs out.
 *
 * NumPy exports packed structured dtypes with '@' formats whose native
 * alignment would make items larger than its itemsize ("T{h:f0:B:f1:}"
 * for 3-byte items): as NumPy reads its own exports, such a format is
 * read without alignment when that gives exactly the view's itemsize. */
int mv__view_compile_format(const char *fmt, mv_ssize itemsize,
                            const mv_format **out) {
    int rc = mv_format_compile(out, fmt);
    if (rc == MV_ENOMEM)
        return rc;
    if (rc < 0) {
        *out = NULL;
        return MV_OK;
    }
    /* (A native format's size is the itemsize: check_layout.) */
    if ((*out)->itemsize != itemsize) {
        const mv_format *packed;
        rc = mv__format_compile(&packed, fmt, true);
        if (rc < 0) { /* MV_ENOMEM: the text compiled once already */
            mv_format_release(*out);
            *out = NULL; /* the caller releases what it is given */
            return rc;
        }
        if (packed->itemsize == itemsize) {
            mv_format_release(*out);
            *out = packed;
        } else {
            mv_format_release(packed);
        }
    }
    return MV_OK;
}

int mv_view_from_layout(mv_view *dst, mv_owner *o, const mv_layout *l) {
    mv_ssize len = 0;
    const mv_format *desc = NULL;
    int rc = check_layout(l, &len);
    if (rc == MV_OK)
        rc = mv__view_compile_format(l->format, l->itemsize, &desc);
    if (rc == MV_OK && !l->suboffsets)
        rc = check_bounds(l, o);
    int ndim = l->ndim;
    if (rc == MV_OK)
        rc = mv__view_alloc_dims(dst, ndim, l->suboffsets != NULL);
    if (rc < 0) {
        mv_format_release(desc);
        mv__view_set_released(dst);
        return rc;
    }
    dst->buf = l->buf;
    dst->owner = o;
    dst->nbytes = len;
    dst->itemsize = l->itemsize;
    dst->format = l->format ? l->format : "B";
    dst->ndim = ndim;
    dst->flags = (l->readonly || mv_owner_readonly(o)) ? MV_READONLY : 0;
    dst->exports_ = 0;
    dst->fmtchar_ = mv_format_char(dst->format);
    dst->fmtdesc = desc;
    dst->hash_ = 0;
    if (ndim == 1 && !l->shape) {
        dst->shape[0] = len / l->itemsize;
        dst->strides[0] = l->itemsize;
    } else if (ndim > 0) {
        memcpy(dst->shape, l->shape, (size_t)ndim * sizeof(mv_ssize));
        if (l->strides) {
            memcpy(dst->strides, l->strides, (size_t)ndim * sizeof(mv_ssize));
        } else {
            /* A zero in shape makes the product of the others unbounded:
             * the strides of an empty view stop growing (0) past overflow. */
            mv_ssize sd = l->itemsize;
            for (int i = ndim - 1; i >= 0; i--) {
                dst->strides[i] = sd;
                if (mul_overflows(sd, l->shape[i], &sd))
                    sd = 0;
            }
        }
        if (l->suboffsets)
            memcpy(dst->suboffsets, l->suboffsets,
                   (size_t)ndim * sizeof(mv_ssize));
    }
    mv__view_init_flags(dst);
    mv__owner_incref(o);
    return MV_OK;
}

int mv_view_new(mv_view *dst, const mv_view *src) {
    int rc = check_live(src);
    if (rc < 0) {
        mv__view_set_released(dst);
        return rc;
    }
    return mv__view_build(dst, src, src->buf, src->ndim, src->shape,
                          src->strides, src->suboffsets);
}

int mv_view_borrow(mv_view *dst, const mv_view *src) {
    int rc = check_live(src);
    if (rc < 0) {
        mv__view_set_released(dst);
        return rc;
    }
    if (src->heap_) /* dims on the heap: an ordinary, counted copy */
        return mv_view_new(dst, src);
    memcpy(dst, src, sizeof *dst);
    dst->shape = src->shape == &src->flatlen_ ? &dst->flatlen_ : dst->dims_;
    dst->strides = dst->dims_ + MV_INLINE_NDIM;
    dst->suboffsets = src->suboffsets ? dst->dims_ + 2 * MV_INLINE_NDIM : NULL;
    dst->flags = (src->flags & ~(unsigned)MV_HASHED_) | MV_BORROWED_;
    dst->exports_ = 0;
    dst->hash_ = 0;
    /* The compiled format is src's, which may go first: take a reference
     * (none for native formats, whose compilations are static). */
    mv_format_retain(dst->fmtdesc);
    return MV_OK;
}

int mv_view_readonly(mv_view *dst, const mv_view *src) {
    int rc = mv_view_new(dst, src);
    if (rc == MV_OK)
        dst->flags |= MV_READONLY;
    return rc;
}

void mv_view_move(mv_view *dst, mv_view *src) {
    *dst = *src;
    if (!src->heap_) {
        dst->shape = src->shape == &src->flatlen_ ? &dst->flatlen_ : dst->dims_;
        dst->strides = dst->dims_ + MV_INLINE_NDIM;
        dst->suboffsets =
            src->suboffsets ? dst->dims_ + 2 * MV_INLINE_NDIM : NULL;
    }
    mv__view_set_released(src);
}

int mv_view_release(mv_view *v) {
    if (v->flags & MV_RELEASED)
        return MV_OK;
    if (v->exports_ > 0)
        return mv_error(MV_EBUFFER, "memoryview has %td exported buffer%s",
                        v->exports_, v->exports_ == 1 ? "" : "s");
    mv_owner *o = (v->flags & MV_BORROWED_) ? NULL : v->owner;
    mv_format_release(v->fmtdesc);
    v->fmtdesc = NULL;
    mv__view_free_dims(v);
    v->owner = NULL;
    v->flags = (v->flags & MV_HASHED_) | MV_RELEASED; /* no MV_FLAT1D_ */
    v->flatlen_ = 0;
    if (o)
        mv__owner_decref(o);
    return MV_OK;
}

int mv_view_export(mv_view *v) {
    int rc = check_live(v);
    if (rc == MV_OK)
        v->exports_++;
    return rc;
}

mv_ssize mv_view_exports(const mv_view *v) { return v->exports_; }

void mv_view_unexport(mv_view *v) {
    if (v->exports_ > 0)
        v->exports_--;
}

int mv_view_check_released(const mv_view *v) { return check_live(v); }

int mv_view_length(const mv_view *v, mv_ssize *out) {
    int rc = check_live(v);
    if (rc < 0)
        return rc;
    *out = v->ndim == 0 ? 1 : v->shape[0]; /* Python 3.11: len() of 0-D is 1 */
    return MV_OK;
}

int mv_view_length_nd(const mv_view *v, mv_ssize *out) {
    int rc = check_live(v);
    if (rc < 0)
        return rc;
    if (v->ndim == 0)
        return mv_error(MV_ETYPE, "0-dim memory has no length");
    *out = v->shape[0];
    return MV_OK;
}
