/*
 * memview.c -- memview.memoryview, a drop-in for Python's memoryview.
 *
 * The extension is an adapter. It turns Python objects into calls of the
 * C core (include/memview.h) and the core's statuses into exceptions; the
 * rules themselves (index checks, slicing, formats, ranges, casts and
 * their messages) live in the core. What stays here is what only Python
 * knows: the types of keys and values, argument parsing, the buffer
 * protocol's request flags, garbage collection. This file is the type:
 * its objects, their construction, attributes and slots, and the module;
 * adapter.h lists the other files.
 *
 * Ownership
 * ---------
 * A managed buffer (mbuf) stands for one buffer obtained from an exporter
 * with PyObject_GetBuffer(). The Py_buffer lives on the heap and belongs to
 * a wrapped core owner: the owner's release callback gives the buffer back
 * to the exporter when the last reference to the owner is gone.
 *
 *   - The mbuf holds the owner's creator handle, so while the mbuf lives,
 *     the Py_buffer (and its reference to the exporter) lives. That makes
 *     the mbuf the one object through which the collector sees that
 *     reference: mbuf_traverse visits it, mbuf_clear drops the handle.
 *   - Every live (unreleased) memoryview holds one core view of the owner
 *     and one reference to the mbuf. release() gives both back, so the
 *     exporter gets its buffer back as soon as the last view is released,
 *     as with the builtin.
 *   - A view embeds its core mv_view, whose shape and strides point into
 *     the object itself: objects never move, so this is safe.
 *   - Buffers lent out by bf_getbuffer are counted by the core view
 *     (mv_view_export/unexport); release() is refused while any is alive.
 */
#include "adapter.h"

#include <structmember.h>

#include <string.h>

/* ------------------------------------------------------------------------
 * Managed buffer
 * ------------------------------------------------------------------------ */

static PyTypeObject MBuf_Type;

static int mbuf_traverse(MBufObject *self, visitproc visit, void *arg) {
    Py_VISIT(self->obj);
    Py_VISIT(self->base);
    if (self->owner && self->master)
        Py_VISIT(self->master->obj);
    return 0;
}

/* The creator handle is kept until dealloc: views that borrow it may still
 * be reached (by finalizers) while a cycle is being broken. The cycle
 * breaks when the views' own clear drops their references to the mbuf. */
static int mbuf_clear(MBufObject *self) {
    Py_CLEAR(self->obj);
    Py_CLEAR(self->base);
    return 0;
}

static void mbuf_dealloc(MBufObject *self) {
    PyObject_GC_UnTrack(self);
    mbuf_clear(self);
    mv_owner *o = self->owner;
    self->owner = NULL;
    self->master = NULL;
    mv_owner_release(o);
    PyObject_GC_Del(self);
}

static PyTypeObject MBuf_Type = {
    .ob_base = {PyObject_HEAD_INIT(NULL) 0},
    .tp_name = "memview._managedbuffer",
    .tp_basicsize = sizeof(MBufObject),
    .tp_dealloc = (destructor)mbuf_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_traverse = (traverseproc)mbuf_traverse,
    .tp_clear = (inquiry)mbuf_clear,
};

/* ------------------------------------------------------------------------
 * The memoryview object
 * ------------------------------------------------------------------------ */

PyTypeObject *mvpy_view_type;
MViewObject *mvpy_freelist;
int mvpy_freelist_len;

/* A managed buffer for exporter, asked with the request flags, and self's
 * view of all of it. */
static int mview_init_from_exporter(MViewObject *self, PyObject *exporter,
                                    PyObject *attr_obj, PyObject *base,
                                    int flags) {
    Py_buffer *b = mvpy_buffer_take(exporter, flags);
    if (b == NULL)
        return -1;
    MBufObject *mbuf = PyObject_GC_New(MBufObject, &MBuf_Type);
    if (mbuf == NULL) {
        PyBuffer_Release(b);
        PyMem_Free(b);
        return -1;
    }
    mbuf->owner = NULL;
    mbuf->master = NULL;
    mbuf->obj = NULL;
    mbuf->base = NULL;

    mv_layout l = mvpy_layout_of(b);
    mv_owner *o;
    int st = mvpy_wrap_layout(&o, &l, mvpy_master_release, b);
    if (st < 0) {
        PyBuffer_Release(b);
        PyMem_Free(b);
        Py_DECREF(mbuf);
        return mvpy_raise_status_int(st);
    }
    mvpy_guard_owner(o, b->obj); /* python/map.c */
    mbuf->owner = o;
    mbuf->master = b;
    if (attr_obj == NULL)
        attr_obj = base = b->obj;
    mbuf->obj = Py_XNewRef(attr_obj);
    mbuf->base = Py_XNewRef(base);
    PyObject_GC_Track(mbuf);

    st = mv_view_from_layout(&self->view, o, &l);
    if (st < 0) {
        Py_DECREF(mbuf); /* releases the buffer */
        return mvpy_raise_status_int(st);
    }
    self->mbuf = mbuf;
    return 0;
}

/* Python's memoryview(object), whose buffer is asked with the request
 * flags (PyBUF_FULL_RO for memoryview(); memoryview._from_flags() passes
 * its own). A memoryview is viewed as it is, whatever the flags. */
PyObject *mvpy_from_object_flags(PyObject *obj, int flags) {
    MViewObject *self;
    if (MView_Check(obj)) {
        MViewObject *src = (MViewObject *)obj;
        CHECK_RELEASED(src);
        if ((self = mvpy_view_alloc()) == NULL)
            return NULL;
        int st = mv_view_new(&self->view, &src->view);
        if (st < 0) {
            mvpy_view_free(self);
            return mvpy_raise_status(st);
        }
        return mvpy_view_finish(self, src->mbuf);
    }
    if (PyMemoryView_Check(obj)) {
        /* A builtin view is an exporter like any other (.obj is obj), but
         * its buffer is taken through a private builtin view of the same
         * managed buffer, so that releasing obj is not blocked by us. */
        PyObject *inner = PyMemoryView_FromObject(obj);
        if (inner == NULL)
            return NULL;
        if ((self = mvpy_view_alloc()) == NULL) {
            Py_DECREF(inner);
            return NULL;
        }
        int rc = mview_init_from_exporter(
            self, inner, obj, PyMemoryView_GET_BUFFER(obj)->obj, PyBUF_FULL_RO);
        Py_DECREF(inner);
        if (rc < 0) {
            mvpy_view_free(self);
            return NULL;
        }
        PyObject_GC_Track(self);
        return (PyObject *)self;
    }
    if (!PyObject_CheckBuffer(obj)) {
        PyErr_Format(PyExc_TypeError,
                     "memoryview: a bytes-like object is required, not "
                     "'%.200s'",
                     Py_TYPE(obj)->tp_name);
        return NULL;
    }
    if ((self = mvpy_view_alloc()) == NULL)
        return NULL;
    if (mview_init_from_exporter(self, obj, NULL, NULL, flags) < 0) {
        mvpy_view_free(self);
        return NULL;
    }
    PyObject_GC_Track(self);
    return (PyObject *)self;
}

static PyObject *mview_from_object(PyObject *obj) {
    return mvpy_from_object_flags(obj, PyBUF_FULL_RO);
}

#if PY_VERSION_HEX >= 0x030C0000
/* memoryview._from_flags(object, flags), Python 3.12's classmethod. */
PyObject *mvpy_from_flags(PyObject *type, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"object", "flags", NULL};
    PyObject *obj, *flags_obj;
    int flags;
    (void)type;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO:_from_flags", kwlist, &obj,
                                     &flags_obj))
        return NULL;
    if (mvpy_long_as_int(flags_obj, &flags) < 0)
        return NULL;
    return mvpy_from_object_flags(obj, flags);
}
#endif

static PyObject *mview_new(PyTypeObject *type, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"object", NULL};
    PyObject *obj;
    (void)type;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O:memoryview", kwlist, &obj))
        return NULL;
    return mview_from_object(obj);
}

static PyObject *mview_vectorcall(PyObject *type, PyObject *const *args,
                                  size_t nargsf, PyObject *kwnames) {
    Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
    if (nargs == 1 && kwnames == NULL)
        return mview_from_object(args[0]);
    /* Rare forms: let the ordinary argument parser speak. */
    PyObject *tuple = PyTuple_New(nargs);
    if (tuple == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < nargs; i++)
        PyTuple_SET_ITEM(tuple, i, Py_NewRef(args[i]));
    PyObject *kw = NULL;
    if (kwnames && PyTuple_GET_SIZE(kwnames)) {
        kw = PyDict_New();
        if (kw == NULL) {
            Py_DECREF(tuple);
            return NULL;
        }
        for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(kwnames); i++) {
            if (PyDict_SetItem(kw, PyTuple_GET_ITEM(kwnames, i),
                               args[nargs + i]) < 0) {
                Py_DECREF(kw);
                Py_DECREF(tuple);
                return NULL;
            }
        }
    }
    PyObject *res = mview_new((PyTypeObject *)type, tuple, kw);
    Py_XDECREF(kw);
    Py_DECREF(tuple);
    return res;
}

static void mview_dealloc(MViewObject *self) {
    PyObject_GC_UnTrack(self);
    if (self->weakreflist != NULL)
        PyObject_ClearWeakRefs((PyObject *)self);
    (void)mv_view_release(&self->view);
    Py_CLEAR(self->mbuf);
    mvpy_view_free(self);
}

static int mview_traverse(MViewObject *self, visitproc visit, void *arg) {
    Py_VISIT(Py_TYPE(self));
    Py_VISIT(self->mbuf);
    return 0;
}

static int mview_clear(MViewObject *self) {
    if (mv_view_exports(&self->view) == 0) {
        (void)mv_view_release(&self->view);
        Py_CLEAR(self->mbuf);
    }
    return 0;
}

static PyObject *mview_repr(MViewObject *self) {
    if (mv_view_is_released(&self->view))
        return PyUnicode_FromFormat("<released memory at %p>", self);
    return PyUnicode_FromFormat("<memory at %p>", self);
}

/* ------------------------------------------------------------------------
 * Attributes
 * ------------------------------------------------------------------------ */

static PyObject *ssize_tuple(int n, const mv_ssize *vals) {
    if (vals == NULL)
        return PyTuple_New(0);
    PyObject *t = PyTuple_New(n);
    if (t == NULL)
        return NULL;
    for (int i = 0; i < n; i++) {
        PyObject *x = PyLong_FromSsize_t(vals[i]);
        if (x == NULL) {
            Py_DECREF(t);
            return NULL;
        }
        PyTuple_SET_ITEM(t, i, x);
    }
    return t;
}

static PyObject *get_obj(MViewObject *self, void *c) {
    (void)c;
    CHECK_RELEASED(self);
    PyObject *o = self->mbuf ? self->mbuf->obj : NULL;
    return Py_NewRef(o ? o : Py_None);
}
static PyObject *get_nbytes(MViewObject *self, void *c) {
    (void)c;
    CHECK_RELEASED(self);
    return PyLong_FromSsize_t(self->view.nbytes);
}
static PyObject *get_readonly(MViewObject *self, void *c) {
    (void)c;
    CHECK_RELEASED(self);
    return PyBool_FromLong((self->view.flags & MV_READONLY) != 0);
}
static PyObject *get_itemsize(MViewObject *self, void *c) {
    (void)c;
    CHECK_RELEASED(self);
    return PyLong_FromSsize_t(self->view.itemsize);
}
static PyObject *get_format(MViewObject *self, void *c) {
    (void)c;
    CHECK_RELEASED(self);
    return PyUnicode_FromString(self->view.format);
}
static PyObject *get_ndim(MViewObject *self, void *c) {
    (void)c;
    CHECK_RELEASED(self);
    return PyLong_FromLong(self->view.ndim);
}
static PyObject *get_shape(MViewObject *self, void *c) {
    (void)c;
    CHECK_RELEASED(self);
    return ssize_tuple(self->view.ndim, self->view.shape);
}
static PyObject *get_strides(MViewObject *self, void *c) {
    (void)c;
    CHECK_RELEASED(self);
    return ssize_tuple(self->view.ndim, self->view.strides);
}
static PyObject *get_suboffsets(MViewObject *self, void *c) {
    (void)c;
    CHECK_RELEASED(self);
    return ssize_tuple(self->view.ndim, self->view.suboffsets);
}
static PyObject *get_c_contiguous(MViewObject *self, void *c) {
    (void)c;
    CHECK_RELEASED(self);
    return PyBool_FromLong(mv_view_is_c_contiguous(&self->view));
}
static PyObject *get_f_contiguous(MViewObject *self, void *c) {
    (void)c;
    CHECK_RELEASED(self);
    return PyBool_FromLong(mv_view_is_f_contiguous(&self->view));
}
static PyObject *get_contiguous(MViewObject *self, void *c) {
    (void)c;
    CHECK_RELEASED(self);
    return PyBool_FromLong(mv_view_is_contiguous(&self->view));
}

#define GETTER(name, fn, doc)                                                  \
    { name, (getter)fn, NULL, doc, NULL }
static PyGetSetDef mview_getset[] = {
    GETTER("obj", get_obj, "The underlying object of the memoryview."),
    GETTER("nbytes", get_nbytes,
           "The amount of space in bytes that the array would use in\n"
           " a contiguous representation."),
    GETTER("readonly", get_readonly,
           "A bool indicating whether the memory is read only."),
    GETTER("itemsize", get_itemsize,
           "The size in bytes of each element of the memoryview."),
    GETTER("format", get_format,
           "A string containing the format (in struct module style)\n"
           " for each element in the view."),
    GETTER("ndim", get_ndim,
           "An integer indicating how many dimensions of a multi-dimensional\n"
           " array the memory represents."),
    GETTER("shape", get_shape,
           "A tuple of ndim integers giving the shape of the memory\n"
           " as an N-dimensional array."),
    GETTER("strides", get_strides,
           "A tuple of ndim integers giving the size in bytes to access\n"
           " each element for each dimension of the array."),
    GETTER("suboffsets", get_suboffsets,
           "A tuple of integers used internally for PIL-style arrays."),
    GETTER("c_contiguous", get_c_contiguous,
           "A bool indicating whether the memory is C contiguous."),
    GETTER("f_contiguous", get_f_contiguous,
           "A bool indicating whether the memory is Fortran contiguous."),
    GETTER("contiguous", get_contiguous,
           "A bool indicating whether the memory is contiguous."),
    {NULL, NULL, NULL, NULL, NULL},
};

static PyMemberDef mview_members[] = {
    {"__weaklistoffset__", T_PYSSIZET, offsetof(MViewObject, weakreflist),
     READONLY, NULL},
    {NULL, 0, 0, 0, NULL},
};

static PyType_Slot mview_slots[] = {
    {Py_tp_dealloc, (void *)mview_dealloc},
    {Py_tp_repr, (void *)mview_repr},
    {Py_tp_hash, (void *)mvpy_hash},
    {Py_tp_doc, (void *)"memoryview(object)\n--\n\n"
                        "Create a new memoryview object which references "
                        "the given object."},
    {Py_tp_traverse, (void *)mview_traverse},
    {Py_tp_clear, (void *)mview_clear},
    {Py_tp_richcompare, (void *)mvpy_richcompare},
#if PY_VERSION_HEX >= 0x030A0000
    /* Python 3.9's builtin has no __iter__: iter() makes a sequence
     * iterator over sq_item, which fails at the first next(). */
    {Py_tp_iter, (void *)mvpy_iter},
#endif
    {Py_tp_methods, mvpy_methods},
    {Py_tp_members, mview_members},
    {Py_tp_getset, mview_getset},
    {Py_tp_new, (void *)mview_new},
    {Py_mp_length, (void *)mvpy_length},
    {Py_mp_subscript, (void *)mvpy_subscript},
    {Py_mp_ass_subscript, (void *)mvpy_ass_sub},
    {Py_sq_length, (void *)mvpy_length},
    {Py_sq_item, (void *)mvpy_item},
    {Py_bf_getbuffer, (void *)mvpy_getbuf},
    {Py_bf_releasebuffer, (void *)mvpy_releasebuf},
    {0, NULL},
};

static PyType_Spec mview_spec = {
    .name = "memview.memoryview",
    .basicsize = sizeof(MViewObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_SEQUENCE,
    .slots = mview_slots,
};

/* ------------------------------------------------------------------------
 * Module
 * ------------------------------------------------------------------------ */

static struct PyModuleDef memview_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "memview._memview",
    .m_doc = "Zero-copy, typed, N-dimensional views over memory: "
             "memview.memoryview is a drop-in for the builtin memoryview.",
    .m_size = -1,
};

/* Add the methods defs of another file to the type. */
static int add_methods(PyTypeObject *type, PyMethodDef *defs) {
    for (PyMethodDef *d = defs; d->ml_name != NULL; d++) {
        PyObject *descr = PyDescr_NewMethod(type, d);
        if (descr == NULL)
            return -1;
        int rc = PyObject_SetAttrString((PyObject *)type, d->ml_name, descr);
        Py_DECREF(descr);
        if (rc < 0)
            return -1;
    }
    return 0;
}

PyMODINIT_FUNC PyInit__memview(void) {
    if (PyType_Ready(&MBuf_Type) < 0 || mvpy_items_init() < 0 ||
        mvpy_map_init() < 0 || mvpy_convert_init() < 0 ||
        mvpy_methods_init() < 0)
        return NULL;
    if (mvpy_view_type == NULL) {
        mvpy_view_type = (PyTypeObject *)PyType_FromSpec(&mview_spec);
        if (mvpy_view_type == NULL)
            return NULL;
        mvpy_view_type->tp_name = "memoryview";
        mvpy_view_type->tp_vectorcall = mview_vectorcall;
        if (add_methods(mvpy_view_type, mvpy_reduce_methods) < 0 ||
            add_methods(mvpy_view_type, mvpy_map_methods) < 0)
            return NULL;
    }
    PyObject *m = PyModule_Create(&memview_module);
    if (m == NULL)
        return NULL;
    if (PyModule_AddObjectRef(m, "memoryview", (PyObject *)mvpy_view_type) <
            0 ||
        PyModule_AddFunctions(m, mvpy_map_functions) < 0 ||
        PyModule_AddStringConstant(m, "__version__", MEMVIEW_VERSION) < 0 ||
        mvpy_module_init(m) < 0 || mvpy_reduce_init(m) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
