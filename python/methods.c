/*
 * methods.c -- the buffer protocol, ==, hash() and the methods.
 */
#include "adapter.h"

#include <string.h>

/* ------------------------------------------------------------------------
 * Buffer protocol
 * ------------------------------------------------------------------------ */

#define REQ(flags, f) (((flags) & (f)) == (f))

/* Lend v's buffer to a consumer as owner's export, with the rules and
 * messages of CPython's memory_getbuf(): one home for both memview's
 * memoryview and the holder objects of coreview.c. */
int mvpy_export_view(PyObject *owner, mv_view *v, Py_buffer *b, int flags) {
    int c = mv_view_is_c_contiguous(v), f = mv_view_is_f_contiguous(v);
    int readonly = (v->flags & MV_READONLY) != 0;
    const char *msg = NULL;

    b->format = (flags & PyBUF_FORMAT) ? (char *)v->format : NULL;
    if ((flags & PyBUF_WRITABLE) && readonly)
        msg = "memoryview: underlying buffer is not writable";
    else if (REQ(flags, PyBUF_C_CONTIGUOUS) && !c)
        msg = "memoryview: underlying buffer is not C-contiguous";
    else if (REQ(flags, PyBUF_F_CONTIGUOUS) && !f)
        msg = "memoryview: underlying buffer is not Fortran contiguous";
    else if (REQ(flags, PyBUF_ANY_CONTIGUOUS) && !c && !f)
        msg = "memoryview: underlying buffer is not contiguous";
    else if (!REQ(flags, PyBUF_INDIRECT) && v->suboffsets)
        msg = "memoryview: underlying buffer requires suboffsets";
    else if (!REQ(flags, PyBUF_STRIDES) && !c)
        msg = "memoryview: underlying buffer is not C-contiguous";
    else if (!REQ(flags, PyBUF_ND) && b->format != NULL)
        msg = "memoryview: cannot cast to unsigned bytes if the format flag "
              "is present";
    if (msg) {
        PyErr_SetString(PyExc_BufferError, msg);
        return -1;
    }

    int st = mv_view_export(v);
    if (st < 0)
        return mvpy_raise_status_int(st);
    b->buf = v->buf;
    b->obj = Py_NewRef(owner);
    b->len = v->nbytes;
    b->itemsize = v->itemsize;
    b->readonly = readonly;
    b->ndim = v->ndim;
    b->shape = v->ndim ? v->shape : NULL;
    b->strides = v->ndim && REQ(flags, PyBUF_STRIDES) ? v->strides : NULL;
    b->suboffsets = v->ndim ? v->suboffsets : NULL;
    b->internal = NULL;
    if (!REQ(flags, PyBUF_ND)) {
        b->ndim = 1;
        b->shape = NULL;
    }
    return 0;
}

int mvpy_getbuf(MViewObject *self, Py_buffer *b, int flags) {
    CHECK_RELEASED_INT(self);
    return mvpy_export_view((PyObject *)self, &self->view, b, flags);
}

void mvpy_releasebuf(MViewObject *self, Py_buffer *b) {
    (void)b;
    mv_view_unexport(&self->view);
}

/* ------------------------------------------------------------------------
 * Comparison and hash
 * ------------------------------------------------------------------------ */

struct equal_job {
    const mv_view *a, *b;
    int *eq;
};
static int equal_job(void *arg) {
    struct equal_job *j = arg;
    return mv_view_equal(j->a, j->b, j->eq);
}

PyObject *mvpy_richcompare(PyObject *a, PyObject *b, int op) {
    if (op != Py_EQ && op != Py_NE)
        Py_RETURN_NOTIMPLEMENTED;
    MViewObject *self = (MViewObject *)a;
    int eq;
    if (mv_view_is_released(&self->view)) {
        eq = a == b;
    } else {
        struct mvpy_other_view ov;
        if (MView_Check(b) && mv_view_is_released(&((MViewObject *)b)->view)) {
            eq = a == b;
        } else {
            if (mvpy_other_view_get(&ov, b) < 0) {
                PyErr_Clear(); /* not an exporter: not comparable */
                Py_RETURN_NOTIMPLEMENTED;
            }
            struct equal_job j = {&self->view, ov.view, &eq};
            mv_view *pin = MView_Check(b) ? &((MViewObject *)b)->view : NULL;
            mv_ssize n = self->view.nbytes > ov.view->nbytes ? self->view.nbytes
                                                             : ov.view->nbytes;
            int st = mvpy_unlocked(&self->view, pin == &self->view ? NULL : pin,
                                   n, equal_job, &j);
            mvpy_other_view_put(&ov);
            if (st < 0)
                return mvpy_raise_status(st);
        }
    }
    if (op == Py_NE)
        eq = !eq;
    return Py_NewRef(eq ? Py_True : Py_False);
}

/* The interpreter's string hash (PEP 456), and its cutoff below which
 * bytes are hashed by another function (sys.hash_info.cutoff, 0 in the
 * default build). Read at import. */
static PyHash_FuncDef *hash_func;
static Py_ssize_t hash_cutoff;

int mvpy_methods_init(void) {
    hash_func = PyHash_GetFuncDef();
    PyObject *info = PySys_GetObject("hash_info"); /* borrowed */
    PyObject *cutoff = info ? PyObject_GetAttrString(info, "cutoff") : NULL;
    if (cutoff == NULL) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_RuntimeError, "memview: no sys.hash_info");
        return -1;
    }
    hash_cutoff = PyLong_AsSsize_t(cutoff);
    Py_DECREF(cutoff);
    return hash_cutoff == -1 && PyErr_Occurred() ? -1 : 0;
}

/* hash(bytes(data[:len])), computed as the interpreter computes it. */
static Py_hash_t hash_memory(const void *data, mv_ssize len) {
    if (len == 0)
        return 0;
    if (len < hash_cutoff) { /* a few bytes: let bytes itself say */
        PyObject *b = PyBytes_FromStringAndSize(data, len);
        if (b == NULL)
            return -1;
        Py_hash_t h = PyObject_Hash(b);
        Py_DECREF(b);
        return h;
    }
    Py_hash_t h = hash_func->hash(data, len);
    return h == -1 ? -2 : h;
}

/* The Python error is set: the status only stops the core. */
static int hash_bytes(void *ctx, const void *data, mv_ssize len, int64_t *out) {
    PyObject *obj = ctx;
    /* The builtin hashes the exporter first and keeps its error. */
    if (obj != NULL && PyObject_Hash(obj) == -1)
        return MV_EVALUE;
    Py_hash_t hash = hash_memory(data, len);
    if (hash == -1) /* only a failed allocation */
        return MV_ENOMEM;
    *out = (int64_t)hash;
    return MV_OK;
}

Py_hash_t mvpy_hash(MViewObject *self) {
    int64_t out;
    int st = mv_view_hash(&self->view, hash_bytes,
                          self->mbuf ? self->mbuf->base : NULL, &out);
    if (st < 0)
        return PyErr_Occurred() ? -1 : mvpy_raise_status_int(st);
    return out == -1 ? -2 : (Py_hash_t)out;
}

/* ------------------------------------------------------------------------
 * Methods
 * ------------------------------------------------------------------------ */

/* Give back the core view and the mbuf. Fails while buffers are lent. */
static int mview_release_view(MViewObject *self) {
    int st = mv_view_release(&self->view);
    if (st < 0)
        return mvpy_raise_status_int(st);
    Py_CLEAR(self->mbuf);
    return 0;
}

/* Beyond the builtin: flush a view of a file mapping (python/map.c). */
static PyObject *mview_flush(MViewObject *self, PyObject *unused) {
    (void)unused;
    PyObject *exporter =
        self->mbuf && self->mbuf->master ? self->mbuf->master->obj : NULL;
    return mvpy_flush(exporter, &self->view);
}

static PyObject *mview_release(MViewObject *self, PyObject *unused) {
    (void)unused;
    if (mview_release_view(self) < 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyObject *mview_enter(MViewObject *self, PyObject *unused) {
    (void)unused;
    CHECK_RELEASED(self);
    return Py_NewRef(self);
}

static PyObject *mview_exit(MViewObject *self, PyObject *args) {
    (void)args;
    return mview_release(self, NULL);
}

struct tobytes_job {
    const mv_view *v;
    char *out;
    mv_order order;
};
static int tobytes_job(void *arg) {
    struct tobytes_job *j = arg;
    return mv_view_tobytes_into(j->v, j->out, j->v->nbytes, j->order);
}

static PyObject *mview_tobytes(MViewObject *self, PyObject *args,
                               PyObject *kwds) {
    static char *kwlist[] = {"order", NULL};
    int ord = MV_ORDER_C;
#if PY_VERSION_HEX < 0x030A0000
    /* Python 3.9: the released check comes first, then the arguments are
     * parsed as "|z" (with that parser's messages). */
    const char *order_s = NULL;
    CHECK_RELEASED(self);
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|z", kwlist, &order_s))
        return NULL;
    if (order_s != NULL)
        ord = strlen(order_s) == 1 ? (unsigned char)order_s[0] : 0;
#else
    PyObject *order = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|O:tobytes", kwlist, &order))
        return NULL;
    if (order != NULL && order != Py_None) {
        if (!PyUnicode_Check(order)) {
            PyErr_Format(PyExc_TypeError,
                         "tobytes() argument 'order' must be str or None, "
                         "not %.50s",
                         Py_TYPE(order)->tp_name);
            return NULL;
        }
        Py_ssize_t n;
        const char *s = PyUnicode_AsUTF8AndSize(order, &n);
        if (s == NULL)
            return NULL;
        if ((Py_ssize_t)strlen(s) != n) {
            PyErr_SetString(PyExc_ValueError, "embedded null character");
            return NULL;
        }
        /* The core judges the order; anything but one character is no
         * order at all. */
        ord = n == 1 ? (unsigned char)s[0] : 0;
    }
    CHECK_RELEASED(self);
#endif
    PyObject *bytes = PyBytes_FromStringAndSize(NULL, self->view.nbytes);
    if (bytes == NULL)
        return NULL;
    struct tobytes_job j = {&self->view, PyBytes_AS_STRING(bytes),
                            (mv_order)ord};
    int st =
        mvpy_unlocked(&self->view, NULL, self->view.nbytes, tobytes_job, &j);
    if (st < 0) {
        Py_DECREF(bytes);
        return mvpy_raise_status(st);
    }
    return bytes;
}

struct hex_job {
    const mv_view *v;
    int32_t sep;
    int bytes_per_sep;
    char **out;
    mv_ssize *outlen;
};
static int hex_job(void *arg) {
    struct hex_job *j = arg;
    return mv_view_hex(j->v, j->sep, j->bytes_per_sep, j->out, j->outlen);
}

static PyObject *mview_hex(MViewObject *self, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"sep", "bytes_per_sep", NULL};
    PyObject *sep = NULL, *bps = NULL;
    int bytes_per_sep = 1;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|OO:hex", kwlist, &sep, &bps))
        return NULL;
    if (bps != NULL) {
        if (mvpy_long_as_int(bps, &bytes_per_sep) < 0)
            return NULL;
    }
    CHECK_RELEASED(self);

    int32_t sch = MV_HEX_NOSEP;
    if (sep != NULL) { /* an explicit None has no len(), as the builtin */
        Py_ssize_t n = PyObject_Length(sep);
        if (n < 0)
            return NULL;
        if (n == 1 && !PyUnicode_Check(sep) && !PyBytes_Check(sep)) {
            PyErr_SetString(PyExc_TypeError, "sep must be str or bytes.");
            return NULL;
        }
        uint32_t first = n != 1 ? 0
                         : PyUnicode_Check(sep)
                             ? PyUnicode_READ_CHAR(sep, 0)
                             : (unsigned char)PyBytes_AS_STRING(sep)[0];
        int st = mv_view_check_hex_sep(n, first, &sch);
        if (st < 0)
            return mvpy_raise_status(st);
    }
    char *out;
    mv_ssize outlen;
    struct hex_job j = {&self->view, sch, bytes_per_sep, &out, &outlen};
    int st = mvpy_unlocked(&self->view, NULL, self->view.nbytes, hex_job, &j);
    if (st < 0)
        return mvpy_raise_status(st);
    PyObject *res = PyUnicode_New(outlen, 127);
    if (res != NULL)
        memcpy(PyUnicode_1BYTE_DATA(res), out, (size_t)outlen);
    mv_free(out);
    return res;
}

static PyObject *mview_toreadonly(MViewObject *self, PyObject *unused) {
    (void)unused;
    CHECK_RELEASED(self);
    MViewObject *m = mvpy_view_alloc();
    if (m == NULL)
        return NULL;
    int st = mv_view_readonly(&m->view, &self->view);
    if (st < 0) {
        mvpy_view_free(m);
        return mvpy_raise_status(st);
    }
    return mvpy_view_finish(m, self->mbuf);
}

/* The builtin checks the shape's Python types only after some of the
 * core's rules. To keep that order, the core first judges the cast with a
 * stand-in shape of ndim entries whose product fits ([1, ..., 1, n]): an
 * error then is one the builtin reports first. */
static int cast_probe(const mv_view *v, const char *fmt, int ndim) {
    mv_ssize itemsize = mv_format_itemsize(fmt);
    mv_ssize dims[MV_MAXDIM];
    for (int i = 0; i < ndim; i++)
        dims[i] = 1;
    if (ndim > 0 && itemsize > 0)
        dims[ndim - 1] = v->nbytes / itemsize;
    mv_view tmp;
    int st = mv_view_cast(&tmp, v, fmt, dims, ndim);
    if (st == 0)
        mv_view_release(&tmp);
    return st;
}

/* cast()'s keyword-only order: one character, which the core judges
 * ('C' or 'F'); as Argument Clinic converts a unicode character. */
static int order_arg(PyObject *order, mv_order *out) {
    if (order == NULL)
        return 0;
    if (!PyUnicode_Check(order)) {
        PyErr_Format(PyExc_TypeError,
                     "cast() argument 'order' must be a unicode character, "
                     "not %.50s",
                     Py_TYPE(order)->tp_name);
        return -1;
    }
    if (PyUnicode_GET_LENGTH(order) != 1) {
        PyErr_Format(PyExc_TypeError,
                     "cast() argument 'order' must be a unicode character, "
                     "not a string of length %zd",
                     PyUnicode_GET_LENGTH(order));
        return -1;
    }
    *out = (mv_order)PyUnicode_READ_CHAR(order, 0);
    return 0;
}

/* kwds without "order" (a new dict, or NULL with no exception when kwds
 * is NULL), *order its value (borrowed from kwds, or NULL). */
static PyObject *take_order(PyObject *kwds, PyObject **order) {
    *order = kwds ? PyDict_GetItemString(kwds, "order") : NULL;
    if (kwds == NULL)
        return NULL;
    PyObject *kw = PyDict_Copy(kwds);
    if (kw != NULL && *order != NULL && PyDict_DelItemString(kw, "order") < 0)
        Py_CLEAR(kw);
    return kw;
}

static PyObject *mview_cast(MViewObject *self, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"format", "shape", NULL};
    PyObject *format, *shape = NULL, *order = NULL;
    mv_order ord = MV_ORDER_C;
#if PY_VERSION_HEX < 0x030A0000
    /* Python 3.9: released check first, the parser's unnamed messages. */
    CHECK_RELEASED(self);
#endif
    /* order is keyword-only: taken out of kwds, so that the parser's
     * messages for the rest are the builtin's */
    PyObject *kw = take_order(kwds, &order);
    if (kw == NULL && PyErr_Occurred())
        return NULL;
#if PY_VERSION_HEX < 0x030A0000
    int ok =
        PyArg_ParseTupleAndKeywords(args, kw, "O|O", kwlist, &format, &shape);
    Py_XDECREF(kw);
    if (!ok || order_arg(order, &ord) < 0)
        return NULL;
    if (!PyUnicode_Check(format)) {
        PyErr_SetString(PyExc_TypeError,
                        "memoryview: format argument must be a string");
        return NULL;
    }
#else
    int ok = PyArg_ParseTupleAndKeywords(args, kw, "O|O:cast", kwlist, &format,
                                         &shape);
    Py_XDECREF(kw);
    if (!ok || order_arg(order, &ord) < 0)
        return NULL;
    if (!PyUnicode_Check(format)) {
        PyErr_Format(PyExc_TypeError,
                     "cast() argument 'format' must be str, not %.50s",
                     Py_TYPE(format)->tp_name);
        return NULL;
    }
    CHECK_RELEASED(self);
#endif
    const char *fmt = PyUnicode_AsUTF8(format);
    if (fmt == NULL)
        return NULL;

    mv_ssize *dims = NULL;
    int ndim = -1;
    if (shape != NULL) {
        if (!PyList_Check(shape) && !PyTuple_Check(shape)) {
            int st = cast_probe(&self->view, "B", 1);
            if (st < 0)
                return mvpy_raise_status(st);
            PyErr_SetString(PyExc_TypeError, "shape must be a list or a tuple");
            return NULL;
        }
        Py_ssize_t n = PySequence_Fast_GET_SIZE(shape);
        if (n > MV_MAXDIM) {
            ndim = n > INT_MAX ? INT_MAX : (int)n; /* the core refuses it */
        } else {
            dims = PyMem_Malloc(sizeof *dims * (size_t)(n ? n : 1));
            if (dims == NULL)
                return PyErr_NoMemory();
            for (Py_ssize_t i = 0; i < n; i++) {
                PyObject *x = PySequence_Fast_GET_ITEM(shape, i);
                if (PyLong_Check(x))
                    dims[i] = PyLong_AsSsize_t(x);
                if (!PyLong_Check(x) || (dims[i] == -1 && PyErr_Occurred())) {
                    PyMem_Free(dims);
                    PyObject *et, *ev, *tb;
                    PyErr_Fetch(&et, &ev, &tb);
                    int st = cast_probe(&self->view, fmt, (int)n);
                    if (st < 0) {
                        Py_XDECREF(et);
                        Py_XDECREF(ev);
                        Py_XDECREF(tb);
                        return mvpy_raise_status(st);
                    }
                    if (et != NULL) {
                        PyErr_Restore(et, ev, tb);
                        return NULL;
                    }
                    PyErr_SetString(PyExc_TypeError,
                                    "memoryview.cast(): elements of shape "
                                    "must be integers");
                    return NULL;
                }
            }
            ndim = (int)n;
        }
    }
    MViewObject *m = mvpy_view_alloc();
    if (m == NULL) {
        PyMem_Free(dims);
        return NULL;
    }
    int st = mv_view_cast_order(&m->view, &self->view, fmt, dims, ndim, ord);
    PyMem_Free(dims);
    if (st < 0) {
        mvpy_view_free(m);
        return mvpy_raise_status(st);
    }
    return mvpy_view_finish(m, self->mbuf);
}

/* Values of other types (Decimal, Fraction, NumPy scalars, complex, ...)
 * are compared by Python's own ==, item by item, over [start, stop) of a
 * live 1-D view; the core still judges everything else. Returns the
 * number of matches (count) or the first match's index (find), -1 when
 * none, -2 on error. */
static Py_ssize_t scan_by_python(MViewObject *self, PyObject *value,
                                 Py_ssize_t start, Py_ssize_t stop, int count) {
    Py_ssize_t n = 0;
    for (Py_ssize_t i = start; i < stop; i++) {
        if (i >= self->view.shape[0] || mv_view_is_released(&self->view))
            break; /* an __eq__ released or changed us */
        PyObject *item = mvpy_item(self, i);
        if (item == NULL)
            return -2;
        int eq = PyObject_RichCompareBool(item, value, Py_EQ);
        Py_DECREF(item);
        if (eq < 0)
            return -2;
        if (eq && !count)
            return i;
        n += eq;
    }
    return count ? n : -1;
}

static int python_scan_applies(MViewObject *self, const mv_value *x) {
    const mv_view *v = &self->view;
    if (mv_view_is_released(v) || v->ndim != 1)
        return 0;
    if (mvpy_tuple_items(v)) /* items are tuples: Python compares them */
        return mv_view_check_item(v) == 0;
    return x->type == MV_VAL_OTHER && (mv_view_format_char(v) || v->fmtdesc);
}

/* count() and index() of an mv_value (the value's bytes, if any, belong
 * to an argument the caller holds). */
struct scan_job {
    const mv_view *v;
    const mv_value *x;
    mv_ssize start, stop, *out;
    int count;
};
static int scan_job(void *arg) {
    struct scan_job *j = arg;
    return j->count ? mv_view_count(j->v, j->x, j->out)
                    : mv_view_index(j->v, j->x, j->start, j->stop, j->out);
}

static PyObject *mview_count(MViewObject *self, PyObject *value) {
    mv_value x;
    mv_ssize n;
    mvpy_py_to_value(value, &x);
    if (python_scan_applies(self, &x)) {
        n = scan_by_python(self, value, 0, self->view.shape[0], 1);
        return n < 0 ? NULL : PyLong_FromSsize_t(n);
    }
    struct scan_job j = {&self->view, &x, 0, 0, &n, 1};
    int st = mvpy_unlocked(&self->view, NULL, self->view.nbytes, scan_job, &j);
    if (st < 0)
        return mvpy_raise_status(st);
    return PyLong_FromSsize_t(n);
}

/* A start or stop argument as index() of a sequence converts it: any
 * object with __index__, clamped to the Py_ssize_t range. */
static int slice_index(PyObject *v, Py_ssize_t *out) {
    if (!PyIndex_Check(v)) {
        PyErr_SetString(PyExc_TypeError,
                        "slice indices must be integers or have an __index__ "
                        "method");
        return -1;
    }
    Py_ssize_t x = PyNumber_AsSsize_t(v, NULL);
    if (x == -1 && PyErr_Occurred())
        return -1;
    *out = x;
    return 0;
}

static PyObject *mview_index(MViewObject *self, PyObject *const *args,
                             Py_ssize_t nargs) {
    Py_ssize_t start = 0, stop = PY_SSIZE_T_MAX;
    if (nargs < 1 || nargs > 3) {
        PyErr_Format(PyExc_TypeError, "index expected %s%d argument%s, got %zd",
                     nargs < 1 ? "at least " : "at most ", nargs < 1 ? 1 : 3,
                     nargs < 1 ? "" : "s", nargs);
        return NULL;
    }
    PyObject *value = args[0];
    if (nargs > 1 && slice_index(args[1], &start) < 0)
        return NULL;
    if (nargs > 2 && slice_index(args[2], &stop) < 0)
        return NULL;
    mv_value x;
    mv_ssize at;
    mvpy_py_to_value(value, &x);
    if (python_scan_applies(self, &x)) {
        mv_slice_adjust(self->view.shape[0], &start, &stop, 1);
        at = scan_by_python(self, value, start, stop, 0);
        if (at >= 0)
            return PyLong_FromSsize_t(at);
        if (at == -2)
            return NULL;
        /* not found: the core says so in its words */
    }
    struct scan_job j = {&self->view, &x, start, stop, &at, 0};
    int st = mvpy_unlocked(&self->view, NULL, self->view.nbytes, scan_job, &j);
    if (st < 0)
        return mvpy_raise_status(st);
    return PyLong_FromSsize_t(at);
}

PyMethodDef mvpy_methods[] = {
    {"__reduce_ex__", (PyCFunction)mvpy_reduce_ex, METH_O, NULL},
    {"__class_getitem__", Py_GenericAlias, METH_O | METH_CLASS, "See PEP 585"},
    {"__dlpack__", (PyCFunction)(void (*)(void))mvpy_dlpack,
     METH_VARARGS | METH_KEYWORDS, MVPY_DLPACK_DOC},
    {"__dlpack_device__", (PyCFunction)mvpy_dlpack_device, METH_NOARGS,
     MVPY_DLPACK_DEVICE_DOC},
    {"release", (PyCFunction)mview_release, METH_NOARGS,
     "Release the underlying buffer exposed by the memoryview object."},
    {"tobytes", (PyCFunction)(void (*)(void))mview_tobytes,
     METH_VARARGS | METH_KEYWORDS,
     "Return the data in the buffer as a byte string."},
    {"hex", (PyCFunction)(void (*)(void))mview_hex,
     METH_VARARGS | METH_KEYWORDS,
     "Return the data in the buffer as a str of hexadecimal numbers."},
    {"tolist", (PyCFunction)mvpy_tolist, METH_NOARGS,
     "Return the data in the buffer as a list of elements."},
    {"cast", (PyCFunction)(void (*)(void))mview_cast,
     METH_VARARGS | METH_KEYWORDS,
     "cast($self, /, format, shape=<unrepresentable>, *, order='C')\n--\n\n"
     "Cast a memoryview to a new format or shape."},
    {"toreadonly", (PyCFunction)mview_toreadonly, METH_NOARGS,
     "Return a readonly version of the memoryview."},
    {"count", (PyCFunction)mview_count, METH_O,
     "Count the number of occurrences of a value."},
    {"index", (PyCFunction)(void (*)(void))mview_index, METH_FASTCALL,
     "Return the index of the first occurrence of a value."},
#if PY_VERSION_HEX >= 0x030C0000
    {"_from_flags", (PyCFunction)(void (*)(void))mvpy_from_flags,
     METH_VARARGS | METH_KEYWORDS | METH_CLASS,
     "Create a new memoryview object which references the given object."},
#endif
    {"flush", (PyCFunction)mview_flush, METH_NOARGS,
     PyDoc_STR("Write changes to a view of memview.map() to the file.")},
    {"__enter__", (PyCFunction)mview_enter, METH_NOARGS, NULL},
    {"__exit__", (PyCFunction)mview_exit, METH_VARARGS,
     "Release the underlying buffer exposed by the memoryview object."},
    {NULL, NULL, 0, NULL},
};
