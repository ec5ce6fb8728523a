/*
 * pickle.c -- pickling memview.memoryview.
 *
 * A view pickles as its items in C order plus what is needed to read them
 * again: format, item size, shape and the read-only flag (strides are not
 * kept: the unpickled view is C-contiguous). With protocol 5 the items go
 * through a PickleBuffer, so a pickler given a buffer_callback passes them
 * out of band without copying them, and unpickling with the buffers given
 * back makes a view of that very memory. Lower protocols, and protocol 5
 * without a callback, copy the items into the pickle (as bytes for a
 * read-only view, as a bytearray for a writable one). A view whose items
 * are not C-contiguous is copied into C order first, once. The buffer
 * passed out of band is always flat bytes (format "B", 1-D).
 *
 * The builtin memoryview refuses to be pickled at all.
 */
#include "adapter.h"

/* memview._memview._rebuild, the reconstructor named in every pickle. */
static PyObject *rebuild_fn;

/* The items of b as one C-contiguous object of the kind the protocol
 * carries. */
static PyObject *pickled_items(PyObject *self, Py_buffer *b, long proto) {
    PyObject *data;
    if (PyBuffer_IsContiguous(b, 'C')) {
        if (proto >= 5) {
            /* The PickleBuffer of a flat byte view of self (raw() of one
             * of self): out-of-band consumers that split and join frames,
             * such as Dask's, expect 1-D buffers. */
            PyObject *pb = PyPickleBuffer_FromObject(self);
            if (pb == NULL)
                return NULL;
            PyObject *raw = PyObject_CallMethod(pb, "raw", NULL);
            Py_DECREF(pb);
            if (raw == NULL)
                return NULL;
            data = PyPickleBuffer_FromObject(raw);
            Py_DECREF(raw);
            return data;
        }
        return b->readonly ? PyBytes_FromStringAndSize(b->buf, b->len)
                           : PyByteArray_FromStringAndSize(b->buf, b->len);
    }
    /* Not C-contiguous: the core's tobytes copies the items into C order. */
    PyObject *bytes = PyObject_CallMethod(self, "tobytes", NULL);
    if (bytes == NULL || b->readonly)
        data = bytes;
    else {
        data = PyByteArray_FromStringAndSize(PyBytes_AS_STRING(bytes),
                                             PyBytes_GET_SIZE(bytes));
        Py_DECREF(bytes);
    }
    if (data == NULL || proto < 5)
        return data;
    PyObject *pb = PyPickleBuffer_FromObject(data);
    Py_DECREF(data);
    return pb;
}

PyObject *mvpy_reduce_ex(PyObject *self, PyObject *protocol) {
    long proto = PyLong_AsLong(protocol);
    if (proto == -1 && PyErr_Occurred())
        return NULL;
    Py_buffer b;
    if (PyObject_GetBuffer(self, &b, PyBUF_FULL_RO) < 0)
        return NULL;
    PyObject *res = NULL, *shape = NULL;
    PyObject *data = pickled_items(self, &b, proto);
    if (data == NULL)
        goto done;
    shape = PyTuple_New(b.ndim);
    if (shape == NULL)
        goto done;
    for (int i = 0; i < b.ndim; i++) {
        PyObject *n = PyLong_FromSsize_t(b.shape[i]);
        if (n == NULL)
            goto done;
        PyTuple_SET_ITEM(shape, i, n);
    }
    res =
        Py_BuildValue("(O(OsnOO))", rebuild_fn, data, b.format ? b.format : "B",
                      b.itemsize, shape, b.readonly ? Py_True : Py_False);
done:
    Py_XDECREF(shape);
    Py_XDECREF(data);
    PyBuffer_Release(&b);
    return res;
}

/* _rebuild(data, format, itemsize, shape, readonly): a view of data's
 * C-contiguous bytes with that layout, read-only if it was or if data is.
 * The core checks the layout against data's size. */
static PyObject *rebuild(PyObject *module, PyObject *args) {
    PyObject *data, *shape, *fmtobj;
    Py_ssize_t itemsize;
    int readonly;
    (void)module;
    if (!PyArg_ParseTuple(args, "OUnO!p:_rebuild", &data, &fmtobj, &itemsize,
                          &PyTuple_Type, &shape, &readonly))
        return NULL;
    Py_ssize_t ndim = PyTuple_GET_SIZE(shape);
    if (ndim > MV_MAXDIM) {
        PyErr_Format(PyExc_ValueError,
                     "memoryview: number of dimensions must not exceed %d",
                     MV_MAXDIM);
        return NULL;
    }
    mv_ssize dims[MV_MAXDIM];
    for (Py_ssize_t i = 0; i < ndim; i++) {
        dims[i] = PyLong_AsSsize_t(PyTuple_GET_ITEM(shape, i));
        if (dims[i] == -1 && PyErr_Occurred())
            return NULL;
    }
    /* The view's format points into this bytes object, kept with it. */
    PyObject *format = PyUnicode_AsASCIIString(fmtobj);
    if (format == NULL)
        return NULL;

    mv_view raw, v;
    if (mvpy_core_view_of(data, PyBUF_FULL_RO, &raw) < 0) {
        Py_DECREF(format);
        return NULL;
    }
    if (!mv_view_is_c_contiguous(&raw)) {
        (void)mv_view_release(&raw);
        Py_DECREF(format);
        PyErr_SetString(PyExc_ValueError,
                        "memview: pickled items must be C-contiguous");
        return NULL;
    }
    mv_layout l = {
        .buf = raw.buf,
        .nbytes = raw.nbytes,
        .itemsize = itemsize,
        .format = PyBytes_AS_STRING(format),
        .ndim = (int)ndim,
        .shape = dims,
        .strides = NULL,
        .readonly = readonly,
    };
    int st = mv_view_from_layout(&v, raw.owner, &l);
    (void)mv_view_release(&raw);
    if (st < 0) {
        Py_DECREF(format);
        return mvpy_raise_status(st);
    }
    PyObject *res = mvpy_memoryview_of_core(&v, format);
    Py_DECREF(format);
    return res;
}

PyMethodDef mvpy_pickle_functions[] = {
    {"_rebuild", (PyCFunction)rebuild, METH_VARARGS,
     "_rebuild(data, format, itemsize, shape, readonly, /)\n--\n\n"
     "Reconstruct a pickled memoryview (used by pickle)."},
    {NULL, NULL, 0, NULL},
};

int mvpy_pickle_init(PyObject *module) {
    if (rebuild_fn == NULL) {
        rebuild_fn = PyObject_GetAttrString(module, "_rebuild");
        if (rebuild_fn == NULL)
            return -1;
    }
    return 0;
}
