/*
 * adapter.c -- helpers the extension's files share: errors, owners of
 * Py_buffers, views of other exporters.
 */
#define PY_SSIZE_T_CLEAN
#include "adapter.h"

#include <string.h>

/* ------------------------------------------------------------------------
 * Errors
 * ------------------------------------------------------------------------ */

/* Raise the exception for a failing core status, with the core's message.
 * An OSError is built from errno, the text after "[Errno N] " and path
 * (may be NULL), so that it is errno's subclass (FileNotFoundError ...)
 * and reads as open() words it. Returns NULL so callers can
 * `return mvpy_raise_status(st);`. */
PyObject *mvpy_raise_status_path(int st, PyObject *path) {
    PyObject *exc;
    switch (st) {
    case MV_EINDEX: exc = PyExc_IndexError; break;
    case MV_ETYPE: exc = PyExc_TypeError; break;
    case MV_EVALUE: exc = PyExc_ValueError; break;
    case MV_ENOTIMPL: exc = PyExc_NotImplementedError; break;
    case MV_EBUFFER: exc = PyExc_BufferError; break;
    case MV_ENOMEM: exc = PyExc_MemoryError; break;
    case MV_EOVERFLOW: exc = PyExc_OverflowError; break;
    case MV_EOS: {
        /* "[Errno N] text: 'path'" -> OSError(N, "text", path) */
        const char *msg = mv_errmsg();
        const char *text = strstr(msg, "] ");
        text = text ? text + 2 : msg;
        const char *end = path ? strstr(text, ": '") : NULL;
        Py_ssize_t len = end ? end - text : (Py_ssize_t)strlen(text);
        PyObject *args =
            path ? Py_BuildValue("(is#O)", mv_errno(), text, len, path)
                 : Py_BuildValue("(is#)", mv_errno(), text, len);
        if (args) {
            PyErr_SetObject(PyExc_OSError, args);
            Py_DECREF(args);
        }
        return NULL;
    }
    default: exc = PyExc_SystemError; break;
    }
    PyErr_SetString(exc, mv_errmsg());
    return NULL;
}

PyObject *mvpy_raise_status(int st) { return mvpy_raise_status_path(st, NULL); }

int mvpy_raise_status_int(int st) {
    mvpy_raise_status(st);
    return -1;
}

/* ------------------------------------------------------------------------
 * Owners of Py_buffers
 * ------------------------------------------------------------------------ */

/* The owner's release callback: runs once, when the last view and the
 * creator handle are gone. Every view is a Python object, so this runs
 * with the GIL held; ensure it anyway for C code that might keep a view. */
void mvpy_master_release(void *ctx, void *data, mv_ssize len) {
    (void)data;
    (void)len;
    PyGILState_STATE g = PyGILState_Ensure();
    Py_buffer *b = ctx;
    PyBuffer_Release(b);
    PyMem_Free(b);
    PyGILState_Release(g);
}

/* The core's description of a Py_buffer's layout. */
mv_layout mvpy_layout_of(const Py_buffer *b) {
    mv_layout l = {
        .buf = b->buf,
        .nbytes = b->len,
        .itemsize = b->itemsize,
        .format = b->format,
        .ndim = b->ndim,
        .shape = b->shape,
        .strides = b->strides,
        .suboffsets = b->suboffsets,
        .readonly = b->readonly,
    };
    return l;
}

/* An owner of the memory a layout reaches (from buf, strides may go
 * backwards), lent by an exporter. An indirect layout's memory is wherever
 * its pointers lead: the owner then stands for buf and len only. */
int mvpy_wrap_layout(mv_owner **o, const mv_layout *l, mv_release_fn fn,
                     void *ctx) {
    char *start = l->buf;
    mv_ssize size = l->nbytes;
    if (!l->suboffsets) {
        mv_ssize lo, hi;
        int st = mv_layout_extent(l, &lo, &hi);
        if (st < 0)
            return st;
        if (hi > lo) {
            start = (char *)((uintptr_t)l->buf + (uintptr_t)lo);
            size = hi - lo;
        } else {
            size = 0;
        }
    }
    return mv_owner_wrap(o, start, size, l->readonly, fn, ctx);
}

/* obj's buffer, asked with the request flags, in PyMem_Malloc'd memory
 * (mvpy_master_release gives both back); NULL with an exception set. */
Py_buffer *mvpy_buffer_take(PyObject *obj, int flags) {
    Py_buffer *b = PyMem_Malloc(sizeof *b);
    if (b == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    if (PyObject_GetBuffer(obj, b, flags) < 0) {
        PyMem_Free(b);
        return NULL;
    }
    return b;
}

/* ------------------------------------------------------------------------
 * Views of other exporters
 * ------------------------------------------------------------------------ */

/* A temporary core view of a Py_buffer (which the caller releases after
 * the view). */
static int view_of_buffer(mv_view *dst, Py_buffer *b) {
    mv_owner *o;
    mv_layout l = mvpy_layout_of(b);
    int st = mvpy_wrap_layout(&o, &l, NULL, NULL);
    if (st < 0)
        return st;
    mvpy_guard_owner(o, b->obj); /* python/map.c */
    st = mv_view_from_layout(dst, o, &l);
    mv_owner_release(o);
    return st;
}

int mvpy_other_view_get(struct mvpy_other_view *ov, PyObject *obj) {
    ov->used = 0;
    if (MView_Check(obj)) {
        ov->view = &((MViewObject *)obj)->view;
        return 0;
    }
    if (PyObject_GetBuffer(obj, &ov->buf, PyBUF_FULL_RO) < 0)
        return -1;
    int st = view_of_buffer(&ov->tmp, &ov->buf);
    if (st < 0) {
        PyBuffer_Release(&ov->buf);
        return mvpy_raise_status_int(st);
    }
    ov->view = &ov->tmp;
    ov->used = 1;
    return 0;
}

void mvpy_other_view_put(struct mvpy_other_view *ov) {
    if (ov->used) {
        mv_view_release(&ov->tmp);
        PyBuffer_Release(&ov->buf);
        ov->used = 0;
    }
}

/* ------------------------------------------------------------------------
 * Long operations without the GIL
 * ------------------------------------------------------------------------ */

int mvpy_unlocked(mv_view *a, mv_view *b, mv_ssize nbytes, mvpy_job job,
                  void *arg) {
    if (nbytes < MVPY_UNLOCK_MIN)
        return job(arg);
    int st = a ? mv_view_export(a) : MV_OK;
    if (st == MV_OK && b && (st = mv_view_export(b)) < 0 && a)
        mv_view_unexport(a);
    if (st < 0)
        return st;
    Py_BEGIN_ALLOW_THREADS
    st = job(arg);
    Py_END_ALLOW_THREADS
    if (b)
        mv_view_unexport(b);
    if (a)
        mv_view_unexport(a);
    return st;
}
