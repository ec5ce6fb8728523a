/*
 * index.c -- item lookup, typed get and set, slicing.
 *
 * The order of the checks is CPython's, so that a key that is wrong in
 * several ways fails with the same error as the builtin: released view,
 * then format, then read-only (for set), then the number of indexes, then
 * each index in turn.
 */
#include "internal.h"

/* ---- item lookup ---- */

static int index_error(int dim) {
    return mv_error(MV_EINDEX, "index out of bounds on dimension %d", dim + 1);
}

/* ptr advanced to index (negative counts from the end) along dim. */
static inline int lookup_dimension(const mv_view *v, char **ptr, int dim,
                                   mv_ssize index) {
    mv_ssize n = v->shape[dim];
    if (index < 0)
        index += n;
    if (index < 0 || index >= n)
        return index_error(dim);
    /* A view of no items fails at its empty dimension; before that its
     * strides, never checked against memory, are not followed. */
    if (v->nbytes > 0)
        *ptr = adjust_ptr(*ptr + v->strides[dim] * index, v->suboffsets, dim);
    return MV_OK;
}

/* CPython refuses formats of several characters before looking at the
 * key, and unknown single characters only when an item is read or written
 * (after the bounds check). */
int mv_view_check_item(const mv_view *v) {
    if (v->fmtchar_ && !(v->flags & MV_RELEASED))
        return MV_OK;
    int rc = check_live(v);
    if (rc < 0)
        return rc;
    /* Beyond the builtin: any compiled format whose items fit. */
    if (v->fmtdesc && v->fmtdesc->itemsize > 0 &&
        v->fmtdesc->itemsize <= v->itemsize)
        return MV_OK;
    /* A single character that compiled has items of its size: it passed
     * above (only formats that did not compile remain). */
    const char *f = mv__skip_at(v->format);
    return (f[0] && !f[1]) ? MV_OK : mv__format_unsupported(v->format);
}

/* An item of several values has no single mv_value. */
static int several_values(const mv_view *v) {
    return mv_error(MV_ETYPE,
                    "memoryview: an item of format '%s' is not a single value",
                    v->format);
}

int mv__view_unpack(const mv_view *v, const char *p, mv_value *out) {
    if (v->fmtchar_ || !v->fmtdesc)
        return mv__unpack_char(v->fmtchar_, v->format, p, out);
    const mv_field *fd = mv_format_scalar(v->fmtdesc);
    if (!fd)
        return several_values(v);
    return mv__field_read(fd, p + fd->offset, out);
}

int mv__view_pack(const mv_view *v, char *p, const mv_value *val) {
    if (v->fmtchar_ || !v->fmtdesc)
        return mv_format_pack(v->format, p, val);
    const mv_field *fd = mv_format_scalar(v->fmtdesc);
    if (!fd)
        return several_values(v);
    return mv__field_write(fd, p + fd->offset, val);
}

int mv_view_item_ptr(const mv_view *v, mv_ssize index, char **ptr) {
    int rc = check_live(v);
    if (rc < 0)
        return rc;
    if (v->ndim == 0)
        return mv_error(MV_ETYPE, "invalid indexing of 0-dim memory");
    if (v->ndim > 1)
        return mv_error(MV_ENOTIMPL,
                        "multi-dimensional sub-views are not implemented");
    char *p = v->buf;
    rc = lookup_dimension(v, &p, 0, index);
    if (rc == MV_OK)
        *ptr = p;
    return rc;
}

int mv_view_item_ptrn(const mv_view *v, const mv_ssize *index, int n,
                      char **ptr) {
    int rc = check_live(v);
    if (rc < 0)
        return rc;
    if (v->ndim == 0) {
        if (n != 0)
            return mv_error(MV_ETYPE, "invalid indexing of 0-dim memory");
        *ptr = v->buf;
        return MV_OK;
    }
    if (n < v->ndim)
        return mv_error(MV_ENOTIMPL, "sub-views are not implemented");
    if (n > v->ndim)
        return mv_error(MV_ETYPE,
                        "cannot index %d-dimension view with %d-element tuple",
                        v->ndim, n);
    char *p = v->buf;
    for (int d = 0; d < n; d++) {
        rc = lookup_dimension(v, &p, d, index[d]);
        if (rc < 0)
            return rc;
    }
    *ptr = p;
    return MV_OK;
}

/* ---- typed get and set ---- */

int mv_view_get_any(const mv_view *v, mv_ssize index, mv_value *out) {
    /* The common case first: a live, flat 1-D view of a native format. */
    if ((v->flags & (MV_FLAT1D_ | MV_RELEASED)) == MV_FLAT1D_ && v->fmtchar_) {
        mv_ssize n = v->shape[0], i = index < 0 ? index + n : index;
        if (i >= 0 && i < n) { /* fmtchar_ is native: unpack_native reads it */
            unpack_native(v->fmtchar_, v->buf + i * v->itemsize, out);
            return MV_OK;
        }
    }
    int rc = check_live(v);
    if (rc < 0)
        return rc;
    if ((rc = mv_view_check_item(v)) < 0)
        return rc;
    char *p = NULL; /* set by the call that checks the index */
    if ((rc = mv_view_item_ptr(v, index, &p)) < 0)
        return rc;
    return mv__view_unpack(v, p, out);
}

int mv_view_getn(const mv_view *v, const mv_ssize *index, int n,
                 mv_value *out) {
    int rc = check_live(v);
    if (rc < 0)
        return rc;
    if (v->ndim == 0 && n != 0)
        return mv_error(MV_ETYPE, "invalid indexing of 0-dim memory");
    if ((rc = mv_view_check_item(v)) < 0)
        return rc;
    char *p = NULL; /* set by the call that checks the index */
    if ((rc = mv_view_item_ptrn(v, index, n, &p)) < 0)
        return rc;
    return mv__view_unpack(v, p, out);
}

/* The checks every assignment makes first, in CPython's order. */
int mv_view_check_iter(const mv_view *v) {
    /* CPython 3.11 looks at ndim before it sees that a view is released
     * (a released view keeps its ndim). */
    if (v->ndim == 0)
        return mv_error(MV_ETYPE, "invalid indexing of 0-dim memory");
    if (v->ndim != 1)
        return mv_error(MV_ENOTIMPL,
                        "multi-dimensional sub-views are not implemented");
    return mv_view_check_item(v);
}

int mv_view_check_assign(const mv_view *v, int deleting) {
    int rc = check_live(v);
    if (rc < 0)
        return rc;
    if ((rc = mv_view_check_item(v)) < 0)
        return rc;
    if (v->flags & MV_READONLY)
        return mv_error(MV_ETYPE, MSG_READONLY);
    if (deleting)
        return mv_error(MV_ETYPE, "cannot delete memory");
    return MV_OK;
}

static int check_writable(const mv_view *v, const mv_value *val) {
    return mv_view_check_assign(v, val == NULL);
}

int mv_view_set(mv_view *v, mv_ssize index, const mv_value *val) {
    int rc = check_writable(v, val);
    if (rc < 0)
        return rc;
    if (v->ndim == 0)
        return mv_error(MV_ETYPE, "invalid indexing of 0-dim memory");
    if (v->ndim > 1)
        return mv_error(MV_ENOTIMPL, "sub-views are not implemented");
    char *p = v->buf;
    if ((rc = lookup_dimension(v, &p, 0, index)) < 0)
        return rc;
    return mv__view_pack(v, p, val);
}

int mv_view_setn(mv_view *v, const mv_ssize *index, int n,
                 const mv_value *val) {
    int rc = check_writable(v, val);
    if (rc < 0)
        return rc;
    char *p = NULL; /* set by the call that checks the index */
    if ((rc = mv_view_item_ptrn(v, index, n, &p)) < 0)
        return rc;
    return mv__view_pack(v, p, val);
}

/* ---- slicing ---- */

mv_ssize mv_slice_adjust(mv_ssize len, mv_ssize *start, mv_ssize *stop,
                         mv_ssize step) {
    if (step < -MV_SSIZE_MAX) /* as Python's slice unpacking, so -step fits */
        step = -MV_SSIZE_MAX;
    if (*start < 0) {
        *start += len;
        if (*start < 0)
            *start = step < 0 ? -1 : 0;
    } else if (*start >= len) {
        *start = step < 0 ? len - 1 : len;
    }
    if (*stop < 0) {
        *stop += len;
        if (*stop < 0)
            *stop = step < 0 ? -1 : 0;
    } else if (*stop >= len) {
        *stop = step < 0 ? len - 1 : len;
    }
    if (step < 0) {
        if (*stop < *start)
            return (*start - *stop - 1) / (-step) + 1;
    } else if (*start < *stop) {
        return step == 1 ? *stop - *start : (*stop - *start - 1) / step + 1;
    }
    return 0;
}

/* Slice v's first dimension in place. The stride product is computed
 * modulo 2^64 as CPython's is: it only overflows when the slice has at
 * most one item, and then the stride is never used to reach memory. */
/* Slice dimension dim of v in place. The stride product is computed
 * modulo 2^64 as CPython's is: it only overflows when the slice has at
 * most one item, and then the stride is never used to reach memory.
 *
 * Where the items are reached through suboffsets, the start of a slice of
 * dimension dim > 0 moves the nearest indirection before dim (the pointer
 * arrays are shared, so the offset goes into that suboffset), as CPython's
 * init_slice() does; with none before it, it moves buf. */
static int narrow_dim(mv_view *v, int dim, mv_ssize start, mv_ssize stop,
                      mv_ssize step) {
    if (v->ndim == 0)
        return mv_error(MV_ETYPE, "invalid indexing of 0-dim memory");
    if (dim < 0 || dim >= v->ndim)
        return mv_error(MV_EINDEX, "index out of bounds on dimension %d",
                        dim + 1);
    if (step == 0)
        return mv_error(MV_EVALUE, "slice step cannot be zero");
    if (step < -MV_SSIZE_MAX)
        step = -MV_SSIZE_MAX;
    mv_ssize n = mv_slice_adjust(v->shape[dim], &start, &stop, step);
    mv_ssize stride = v->strides[dim];
    if (start >= 0) { /* start is -1 only for an empty reversed slice */
        /* start may be shape[dim] (an empty slice at the end): the move is
         * then one stride past the last item, which for a huge stride leaves
         * the address space. Computed modulo 2^64 without pointer
         * arithmetic; an empty view never reaches memory through it. */
        uint64_t move = (uint64_t)stride * (uint64_t)start;
        int k = dim - 1;
        while (v->suboffsets && k >= 0 && v->suboffsets[k] < 0)
            k--;
        if (v->suboffsets && dim > 0 && k >= 0)
            v->suboffsets[k] = (mv_ssize)((uint64_t)v->suboffsets[k] + move);
        else
            v->buf = (char *)((uintptr_t)v->buf + (uintptr_t)move);
    }
    v->shape[dim] = n;
    v->strides[dim] = (mv_ssize)((uint64_t)stride * (uint64_t)step);
    mv_ssize len = v->itemsize;
    for (int i = 0; i < v->ndim; i++)
        len *= v->shape[i];
    v->nbytes = len;
    mv__view_init_flags(v);
    return MV_OK;
}

static int narrow(mv_view *v, mv_ssize start, mv_ssize stop, mv_ssize step) {
    return narrow_dim(v, 0, start, stop, step);
}

int mv_view_narrow_dim(mv_view *v, int dim, mv_ssize start, mv_ssize stop,
                       mv_ssize step) {
    int rc = check_live(v);
    return rc < 0 ? rc : narrow_dim(v, dim, start, stop, step);
}

int mv_view_subview(mv_view *dst, const mv_view *src, mv_ssize index) {
    mv_keyitem key = {.is_slice = 0, .index = index};
    return mv_view_select(dst, src, &key, 1);
}

/* Drop dimension dim of the geometry g, keeping the items at index along
 * it; pos is the key position reported in errors. Dimension 0 is followed
 * now. A later dimension's offset goes where narrow_dim puts a slice's
 * start; if the dimension is indirect, its indirection moves to the
 * dimension before it, which must be direct for that to be expressible. */
static int drop_dim(mv_view *g, int dim, mv_ssize index, int pos) {
    mv_ssize n = g->shape[dim];
    if (index < 0)
        index += n;
    if (index < 0 || index >= n)
        return index_error(pos);
    mv_ssize *sub = g->suboffsets;
    /* Inside the block when the view has items; when another dimension is
     * empty the bounds were never checked, so the offset is taken modulo
     * 2^64 and added without pointer arithmetic (it reaches no memory). */
    uint64_t offset = (uint64_t)g->strides[dim] * (uint64_t)index;
    if (dim == 0) {
        g->buf =
            adjust_ptr((char *)((uintptr_t)g->buf + (uintptr_t)offset), sub, 0);
    } else {
        bool indirect = sub && sub[dim] >= 0;
        if (indirect && sub[dim - 1] >= 0)
            return mv_error(MV_ENOTIMPL,
                            "memview: cannot index an indirect dimension "
                            "that follows another");
        int k = dim - 1;
        while (sub && k >= 0 && sub[k] < 0)
            k--;
        if (sub && k >= 0)
            sub[k] = (mv_ssize)((uint64_t)sub[k] + offset);
        else
            g->buf = (char *)((uintptr_t)g->buf + (uintptr_t)offset);
        if (indirect)
            sub[dim - 1] = sub[dim];
    }
    for (int i = dim; i + 1 < g->ndim; i++) {
        g->shape[i] = g->shape[i + 1];
        g->strides[i] = g->strides[i + 1];
        if (sub)
            sub[i] = sub[i + 1];
    }
    g->ndim--;
    return MV_OK;
}

int mv_view_select(mv_view *dst, const mv_view *src, const mv_keyitem *key,
                   int n) {
    int rc = check_live(src);
    if (rc == MV_OK && src->ndim == 0 && n > 0)
        rc = mv_error(MV_ETYPE, "invalid indexing of 0-dim memory");
    if (rc == MV_OK && (n < 0 || n > src->ndim))
        rc = mv_error(MV_ETYPE,
                      "cannot index %d-dimension view with %d-element tuple",
                      src->ndim, n);
    /* Work on a copy of the geometry, so that a failure changes nothing. */
    mv_ssize shape[MV_MAXDIM], strides[MV_MAXDIM], sub[MV_MAXDIM];
    mv_view g;
    memset(&g, 0, sizeof g);
    if (rc == MV_OK) {
        size_t size = (size_t)src->ndim * sizeof(mv_ssize);
        g.buf = src->buf;
        g.itemsize = src->itemsize;
        g.ndim = src->ndim;
        g.shape = shape;
        g.strides = strides;
        g.suboffsets = src->suboffsets ? sub : NULL;
        if (size) {
            memcpy(shape, src->shape, size);
            memcpy(strides, src->strides, size);
            if (src->suboffsets)
                memcpy(sub, src->suboffsets, size);
        }
    }
    for (int j = 0, d = 0; rc == MV_OK && j < n; j++) {
        if (key[j].is_slice)
            rc = narrow_dim(&g, d++, key[j].start, key[j].stop, key[j].step);
        else
            rc = drop_dim(&g, d, key[j].index, j);
    }
    if (rc < 0) {
        mv__view_set_released(dst);
        return rc;
    }
    return mv__view_build(dst, src, g.buf, g.ndim, shape, strides,
                          g.suboffsets && g.ndim > 0 ? sub : NULL);
}

int mv_view_narrow_any(mv_view *v, mv_ssize start, mv_ssize stop,
                       mv_ssize step) {
    int rc = check_live(v);
    return rc < 0 ? rc : narrow(v, start, stop, step);
}

int mv_view_slice(mv_view *dst, const mv_view *src, mv_ssize start,
                  mv_ssize stop, mv_ssize step) {
    int rc = check_live(src);
    if (rc == MV_OK && src->ndim == 0)
        rc = mv_error(MV_ETYPE, "invalid indexing of 0-dim memory");
    if (rc == MV_OK && step == 0)
        rc = mv_error(MV_EVALUE, "slice step cannot be zero");
    if (rc < 0) {
        mv__view_set_released(dst);
        return rc;
    }
    if ((rc = mv_view_new(dst, src)) < 0)
        return rc;
    return narrow(dst, start, stop, step); /* cannot fail now */
}
