/*
 * dlpack.c -- views to and from DLPack managed tensors.
 *
 * Export: one malloc'd block holds the managed tensor, an independent view
 * (one owner reference, so the tensor outlives the view it came from) and
 * the tensor's shape and strides; the deleter releases the view and frees
 * the block. Import: the tensor's memory is wrapped in an owner whose
 * release callback calls the tensor's deleter, so it runs once, when the
 * last view is gone.
 */
#include "internal.h"

#include <stdlib.h>

/* ---- types ---- */

/* The DLPack type of a view's items, and the format memview gives a
 * DLPack type: one table for both directions. */
static const struct dl_type {
    const char *format;
    uint8_t code;
    uint8_t bits;
} dl_types[] = {
    {"b", MV_DL_INT, 8},       {"h", MV_DL_INT, 16},
    {"i", MV_DL_INT, 32},      {"q", MV_DL_INT, 64},
    {"B", MV_DL_UINT, 8},      {"H", MV_DL_UINT, 16},
    {"I", MV_DL_UINT, 32},     {"Q", MV_DL_UINT, 64},
    {"e", MV_DL_FLOAT, 16},    {"f", MV_DL_FLOAT, 32},
    {"d", MV_DL_FLOAT, 64},    {"?", MV_DL_BOOL, 8},
    {"Zf", MV_DL_COMPLEX, 64}, {"Zd", MV_DL_COMPLEX, 128},
};
#define N_DL_TYPES (sizeof dl_types / sizeof dl_types[0])

/* The format memview gives a DLPack type (NULL if none). */
static const char *format_of_dtype(mv_dl_dtype t) {
    if (t.lanes != 1)
        return NULL;
    for (size_t i = 0; i < N_DL_TYPES; i++)
        if (dl_types[i].code == t.code && dl_types[i].bits == t.bits)
            return dl_types[i].format;
    return NULL;
}

/* The type letter of a format of one item in this machine's byte order:
 * "x", "@x", "=x", and "<x" or ">x"/"!x" as the machine's order says
 * ("Z" of the complex "Zf"/"Zd" gives 'f' or 'd' in *complex). 0 if the
 * format is anything else. The item size says the width: "=l" is 4 bytes,
 * "l" 8 on LP64, and the exporter gives it with the format. */
static char format_letter(const char *f, char *complex) {
    if (*f == '@' || *f == '=' || mv__is_host_order(*f))
        f++;
    *complex = 0;
    if (f[0] == 'Z' && (f[1] == 'f' || f[1] == 'd') && f[2] == '\0') {
        *complex = f[1];
        return 'Z';
    }
    if (f[0] == '\0' || f[1] != '\0')
        return 0;
    return f[0];
}

/* The DLPack type of v's items, and the format of that type in the table
 * (a static string, for a copy's layout). */
static int dtype_of_view(const mv_view *v, mv_dl_dtype *out,
                         const char **canon) {
    char complex;
    uint8_t code;
    switch (format_letter(v->format, &complex)) {
    case 'b':
    case 'h':
    case 'i':
    case 'l':
    case 'q':
    case 'n': code = MV_DL_INT; break;
    case 'B':
    case 'H':
    case 'I':
    case 'L':
    case 'Q':
    case 'N':
    case 'c':
    case 'P': code = MV_DL_UINT; break;
    case 'e':
    case 'f':
    case 'd': code = MV_DL_FLOAT; break;
    case '?': code = MV_DL_BOOL; break;
    case 'Z': code = MV_DL_COMPLEX; break;
    default:
        return mv_error(MV_EBUFFER,
                        "memview: format '%s' has no DLPack data type",
                        v->format);
    }
    if (v->itemsize > 16)
        return mv_error(MV_EBUFFER,
                        "memview: format '%s' has no DLPack data type",
                        v->format);
    out->code = code;
    out->bits = (uint8_t)(v->itemsize * 8);
    out->lanes = 1;
    *canon = format_of_dtype(*out);
    if (*canon == NULL)
        return mv_error(MV_EBUFFER,
                        "memview: format '%s' has no DLPack data type",
                        v->format);
    return MV_OK;
}

/* ---- export ---- */

typedef struct dl_export {
    union {
        mv_dl_managed_tensor legacy;
        mv_dl_managed_tensor_versioned versioned;
    } t;
    mv_view view;   /* holds the owner of the items */
    int64_t dims[]; /* shape, then strides: 2 * ndim entries */
} dl_export;

static void export_free(dl_export *e) {
    (void)mv_view_release(&e->view); /* never lent out: cannot fail */
    free(e);
}

static void delete_legacy(mv_dl_managed_tensor *self) {
    export_free(self->manager_ctx);
}

static void delete_versioned(mv_dl_managed_tensor_versioned *self) {
    export_free(self->manager_ctx);
}

/* Release callback of a copy's owner. */
static void free_copy(void *ctx, void *data, mv_ssize len) {
    (void)ctx;
    (void)len;
    free(data);
}

/* DLPack describes v as it is: no suboffsets, strides whole items. */
static bool describable(const mv_view *v) {
    if (v->suboffsets)
        return false;
    for (int i = 0; i < v->ndim; i++)
        if (v->strides[i] % v->itemsize != 0)
            return false;
    return true;
}

/* A writable C-contiguous copy of v's items, described by the table's
 * format canon. */
static int copy_view(mv_view *dst, const mv_view *v, const char *canon) {
    void *mem;
    int st = mv_view_tobytes(v, &mem, MV_ORDER_C);
    if (st < 0)
        return st;
    mv_owner *o;
    st = mv_owner_wrap(&o, mem, v->nbytes, 0, free_copy, NULL);
    if (st < 0) {
        free(mem);
        return st;
    }
    mv_layout l = {
        .buf = mem,
        .nbytes = v->nbytes,
        .itemsize = v->itemsize,
        .format = canon,
        .ndim = v->ndim,
        .shape = v->shape,
        .strides = NULL,
        .readonly = 0,
    };
    st = mv_view_from_layout(dst, o, &l);
    mv_owner_release(o); /* the view keeps the copy, or it is freed */
    return st;
}

/* The export block for v, its tensor filled in but for the header fields
 * (version, deleter, flags) that differ between the two structs. */
static int export_new(const mv_view *v, mv_dl_copy copy, int versioned,
                      dl_export **out, mv_dl_tensor **tensor, uint64_t *flags) {
    int st = mv_view_check_released(v);
    if (st < 0)
        return st;
    mv_dl_dtype dtype;
    const char *canon;
    if ((st = dtype_of_view(v, &dtype, &canon)) < 0)
        return st;

    int readonly = (v->flags & MV_READONLY) != 0;
    bool do_copy = copy == MV_DL_COPY_ALWAYS;
    if (!describable(v)) {
        if (copy == MV_DL_COPY_NEVER)
            return mv_error(MV_EBUFFER,
                            "memview: DLPack cannot describe this view "
                            "without a copy (suboffsets, or strides that are "
                            "not a multiple of the item size)");
        do_copy = true;
    }
    if (!versioned && readonly && !do_copy)
        return mv_error(MV_EBUFFER,
                        "memview: cannot export a read-only view as an "
                        "unversioned DLPack tensor, which has no read-only "
                        "flag");

    size_t size = sizeof(dl_export) + 2 * (size_t)v->ndim * sizeof(int64_t);
    dl_export *e = malloc(size);
    if (e == NULL)
        return mv_error(MV_ENOMEM, "cannot allocate a DLPack tensor");
    memset(e, 0, size);
    st = do_copy ? copy_view(&e->view, v, canon) : mv_view_new(&e->view, v);
    if (st < 0) {
        free(e);
        return st;
    }
    const mv_view *w = &e->view;
    int64_t *shape = e->dims, *strides = e->dims + w->ndim;
    for (int i = 0; i < w->ndim; i++) {
        shape[i] = w->shape[i];
        strides[i] = w->strides[i] / w->itemsize;
    }
    mv_dl_tensor *t =
        versioned ? &e->t.versioned.dl_tensor : &e->t.legacy.dl_tensor;
    t->data = w->buf;
    t->device.device_type = MV_DL_CPU;
    t->device.device_id = 0;
    t->ndim = w->ndim;
    t->dtype = dtype;
    t->shape = shape;
    t->strides = strides;
    t->byte_offset = 0;
    *flags = (do_copy ? MV_DLPACK_IS_COPIED : 0) |
             ((w->flags & MV_READONLY) ? MV_DLPACK_READ_ONLY : 0);
    *out = e;
    *tensor = t;
    return MV_OK;
}

int mv_view_to_dlpack(const mv_view *v, mv_dl_copy copy,
                      mv_dl_managed_tensor **out) {
    dl_export *e;
    mv_dl_tensor *t;
    uint64_t flags;
    int st = export_new(v, copy, 0, &e, &t, &flags);
    if (st < 0)
        return st;
    e->t.legacy.manager_ctx = e;
    e->t.legacy.deleter = delete_legacy;
    *out = &e->t.legacy;
    return MV_OK;
}

int mv_view_to_dlpack_versioned(const mv_view *v, mv_dl_copy copy,
                                mv_dl_managed_tensor_versioned **out) {
    dl_export *e;
    mv_dl_tensor *t;
    uint64_t flags;
    int st = export_new(v, copy, 1, &e, &t, &flags);
    if (st < 0)
        return st;
    e->t.versioned.version.major = MV_DLPACK_MAJOR;
    e->t.versioned.version.minor = MV_DLPACK_MINOR;
    e->t.versioned.manager_ctx = e;
    e->t.versioned.deleter = delete_versioned;
    e->t.versioned.flags = flags;
    *out = &e->t.versioned;
    return MV_OK;
}

/* ---- import ---- */

/* What an imported tensor's owner calls its deleter through. armed is
 * cleared when the import fails, which leaves the tensor to its caller. */
typedef struct dl_import {
    mv_dl_managed_tensor *legacy;
    mv_dl_managed_tensor_versioned *versioned;
    bool armed;
} dl_import;

static void import_release(void *ctx, void *data, mv_ssize len) {
    (void)data;
    (void)len;
    dl_import *im = ctx;
    if (im->armed) {
        if (im->legacy && im->legacy->deleter)
            im->legacy->deleter(im->legacy);
        if (im->versioned && im->versioned->deleter)
            im->versioned->deleter(im->versioned);
    }
    free(im);
}

/* A view of t; im goes to the owner, which frees it (and calls the
 * deleter, if the view was made) when its last reference is gone. im is
 * freed on any failure, the deleter not called. */
static int import_tensor(mv_view *dst, const mv_dl_tensor *t, int readonly,
                         dl_import *im) {
    static char empty[1]; /* where an empty tensor without data points */
    const char *format = format_of_dtype(t->dtype);
    mv_ssize itemsize = t->dtype.bits / 8;
    int ndim = t->ndim;
    mv_ssize shape[MV_MAXDIM], strides[MV_MAXDIM];
    mv_ssize len = itemsize;
    int st = MV_OK;

    if (t->device.device_type != MV_DL_CPU)
        st = mv_error(MV_EBUFFER,
                      "memview: DLPack device type %d is not the CPU (%d)",
                      (int)t->device.device_type, MV_DL_CPU);
    else if (ndim < 0 || ndim > MV_MAXDIM)
        st = mv_error(MV_EBUFFER,
                      "memview: a DLPack tensor of %d dimensions (at most %d)",
                      ndim, MV_MAXDIM);
    else if (format == NULL)
        st = mv_error(MV_EBUFFER,
                      "memview: DLPack data type (code %u, bits %u, lanes %u) "
                      "has no memview format",
                      (unsigned)t->dtype.code, (unsigned)t->dtype.bits,
                      (unsigned)t->dtype.lanes);
    else if (ndim > 0 && t->shape == NULL)
        st = mv_error(MV_EBUFFER, "memview: DLPack tensor without a shape");
    else if (t->byte_offset > (uint64_t)MV_SSIZE_MAX)
        st = mv_error(MV_EBUFFER, "memview: DLPack byte offset too large");
    for (int i = 0; st == MV_OK && i < ndim; i++) {
        if (t->shape[i] < 0) {
            st = mv_error(MV_EBUFFER,
                          "memview: DLPack shape entry %lld is invalid",
                          (long long)t->shape[i]);
            break;
        }
        /* a size a 32-bit mv_ssize cannot hold: too large, as the same
         * tensor's size is on a 64-bit target */
        if (t->shape[i] > MV_SSIZE_MAX) {
            st = mv_error(MV_EOVERFLOW, "memview: DLPack tensor too large");
            break;
        }
        shape[i] = (mv_ssize)t->shape[i];
        if (mul_overflows(len, shape[i], &len))
            st = mv_error(MV_EOVERFLOW, "memview: DLPack tensor too large");
    }
    /* Strides in bytes; NULL strides mean C-contiguous. */
    mv_ssize step = itemsize;
    for (int i = ndim - 1; st == MV_OK && i >= 0; i--) {
        if (t->strides) {
            if (t->strides[i] < MV_SSIZE_MIN || t->strides[i] > MV_SSIZE_MAX ||
                mul_overflows((mv_ssize)t->strides[i], itemsize, &strides[i]))
                st = mv_error(MV_EOVERFLOW, "memview: DLPack strides overflow");
        } else {
            strides[i] = step;
            if (shape[i] > 0 && mul_overflows(step, shape[i], &step))
                st = mv_error(MV_EOVERFLOW, "memview: DLPack tensor too large");
        }
    }
    mv_layout l = {
        /* data + byte_offset only once the offset is known to fit */
        .buf = t->data && st == MV_OK ? (char *)t->data + t->byte_offset : NULL,
        .nbytes = len,
        .itemsize = itemsize,
        .format = format,
        .ndim = ndim,
        .shape = shape,
        .strides = strides,
        .readonly = readonly,
    };
    mv_ssize lo = 0, hi = 0;
    if (st == MV_OK)
        st = mv_layout_extent(&l, &lo, &hi);
    if (st == MV_OK && hi > lo && l.buf == NULL)
        st = mv_error(MV_EBUFFER, "memview: DLPack tensor has no data");
    if (st < 0) {
        free(im);
        return st;
    }
    if (l.buf == NULL)
        l.buf = empty;
    mv_owner *o;
    st = mv_owner_wrap(&o, (char *)l.buf + lo, hi - lo, readonly,
                       import_release, im);
    if (st < 0) {
        free(im);
        return st;
    }
    st = mv_view_from_layout(dst, o, &l);
    if (st < 0)
        im->armed = false; /* the owner's release frees im only */
    mv_owner_release(o);
    return st;
}

static dl_import *import_new(void) {
    dl_import *im = calloc(1, sizeof *im);
    if (im == NULL)
        mv_error(MV_ENOMEM, "cannot allocate a DLPack import");
    return im;
}

int mv_view_from_dlpack(mv_view *dst, mv_dl_managed_tensor *t) {
    mv__view_set_released(dst);
    dl_import *im = import_new();
    if (im == NULL)
        return MV_ENOMEM;
    im->legacy = t;
    im->armed = true;
    return import_tensor(dst, &t->dl_tensor, 0, im);
}

int mv_view_from_dlpack_versioned(mv_view *dst,
                                  mv_dl_managed_tensor_versioned *t) {
    mv__view_set_released(dst);
    if (t->version.major != MV_DLPACK_MAJOR)
        return mv_error(MV_EBUFFER,
                        "memview: DLPack version %u.%u is not supported "
                        "(major version %d)",
                        (unsigned)t->version.major, (unsigned)t->version.minor,
                        MV_DLPACK_MAJOR);
    dl_import *im = import_new();
    if (im == NULL)
        return MV_ENOMEM;
    im->versioned = t;
    im->armed = true;
    int readonly = (t->flags & MV_DLPACK_READ_ONLY) != 0;
    return import_tensor(dst, &t->dl_tensor, readonly, im);
}
