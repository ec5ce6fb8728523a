/*
 * dlpack.c -- DLPack for memview.memoryview (the Python array API's
 * __dlpack__, __dlpack_device__ and from_dlpack).
 *
 * The core makes and reads the tensors (src/dlpack.c); this file deals
 * in capsules. A capsule named "dltensor_versioned" (DLPack 1.x, when the
 * consumer asks with max_version >= (1, 0)) or "dltensor" (older
 * consumers) holds a managed tensor until a consumer renames it
 * "used_..."; a capsule dropped unused calls the tensor's deleter.
 *
 * An exported tensor holds a buffer of the view, as any consumer of the
 * buffer protocol does: while it lives, release() of the view is refused
 * with BufferError and the memory stays valid.
 */
#include "adapter.h"

#define NAME_LEGACY "dltensor"
#define NAME_VERSIONED "dltensor_versioned"
#define NAME_USED_LEGACY "used_dltensor"
#define NAME_USED_VERSIONED "used_dltensor_versioned"

static void capsule_destructor(PyObject *cap) {
    if (PyCapsule_IsValid(cap, NAME_VERSIONED)) {
        mv_dl_managed_tensor_versioned *t =
            PyCapsule_GetPointer(cap, NAME_VERSIONED);
        if (t->deleter)
            t->deleter(t);
    } else if (PyCapsule_IsValid(cap, NAME_LEGACY)) {
        mv_dl_managed_tensor *t = PyCapsule_GetPointer(cap, NAME_LEGACY);
        if (t->deleter)
            t->deleter(t);
    }
}

/* (device_type, device_id) given as a tuple of two ints: is it the CPU? */
static int is_cpu_device(PyObject *dev, int *yes) {
    if (!PyTuple_Check(dev) || PyTuple_GET_SIZE(dev) != 2) {
        PyErr_SetString(PyExc_TypeError,
                        "memview: a DLPack device is a tuple (device_type, "
                        "device_id)");
        return -1;
    }
    long type = PyLong_AsLong(PyTuple_GET_ITEM(dev, 0));
    if (type == -1 && PyErr_Occurred())
        return -1;
    long id = PyLong_AsLong(PyTuple_GET_ITEM(dev, 1));
    if (id == -1 && PyErr_Occurred())
        return -1;
    *yes = type == MV_DL_CPU && id == 0;
    return 0;
}

/* The copy keyword as the core's policy. */
static int copy_policy(PyObject *copy, mv_dl_copy *out) {
    if (copy == Py_None) {
        *out = MV_DL_COPY_IF_NEEDED;
        return 0;
    }
    int yes = PyObject_IsTrue(copy);
    if (yes < 0)
        return -1;
    *out = yes ? MV_DL_COPY_ALWAYS : MV_DL_COPY_NEVER;
    return 0;
}

PyObject *mvpy_dlpack(PyObject *self, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"stream", "max_version", "dl_device", "copy",
                             NULL};
    PyObject *stream = Py_None, *max_version = Py_None, *dl_device = Py_None,
             *copy = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|$OOOO:__dlpack__", kwlist,
                                     &stream, &max_version, &dl_device, &copy))
        return NULL;
    if (stream != Py_None) {
        PyErr_SetString(PyExc_ValueError,
                        "memview: stream must be None for memory on the CPU");
        return NULL;
    }
    int versioned = 0;
    if (max_version != Py_None) {
        long major, minor;
        if (!PyTuple_Check(max_version) ||
            !PyArg_ParseTuple(max_version, "ll", &major, &minor)) {
            PyErr_SetString(PyExc_TypeError,
                            "memview: max_version must be a tuple (major, "
                            "minor)");
            return NULL;
        }
        versioned = major >= MV_DLPACK_MAJOR;
    }
    if (dl_device != Py_None) {
        int cpu;
        if (is_cpu_device(dl_device, &cpu) < 0)
            return NULL;
        if (!cpu) {
            PyErr_SetString(PyExc_BufferError,
                            "memview: can export to the CPU only, device "
                            "(1, 0)");
            return NULL;
        }
    }
    mv_dl_copy policy;
    if (copy_policy(copy, &policy) < 0)
        return NULL;

    mv_view v;
    if (mvpy_core_view_of(self, PyBUF_FULL_RO, &v) < 0)
        return NULL;
    void *tensor;
    int st;
    if (versioned) {
        mv_dl_managed_tensor_versioned *t;
        st = mv_view_to_dlpack_versioned(&v, policy, &t);
        tensor = t;
    } else {
        mv_dl_managed_tensor *t;
        st = mv_view_to_dlpack(&v, policy, &t);
        tensor = t;
    }
    (void)mv_view_release(&v); /* the tensor holds its own reference */
    if (st < 0)
        return mvpy_raise_status(st);
    PyObject *cap = PyCapsule_New(
        tensor, versioned ? NAME_VERSIONED : NAME_LEGACY, capsule_destructor);
    if (cap == NULL) {
        if (versioned) {
            mv_dl_managed_tensor_versioned *t = tensor;
            t->deleter(t);
        } else {
            mv_dl_managed_tensor *t = tensor;
            t->deleter(t);
        }
    }
    return cap;
}

PyObject *mvpy_dlpack_device(PyObject *self, PyObject *unused) {
    (void)unused;
    Py_buffer b; /* fails, as other methods do, on a released view */
    if (PyObject_GetBuffer(self, &b, PyBUF_FULL_RO) < 0)
        return NULL;
    PyBuffer_Release(&b);
    return Py_BuildValue("(ii)", MV_DL_CPU, 0);
}

/* Import the tensor in cap into a core view; on success the capsule is
 * renamed used, and the view holds the tensor. *copied says whether the
 * producer flagged the tensor as its own copy. */
static int import_capsule(PyObject *cap, mv_view *v, int *copied) {
    int st;
    *copied = 0;
    if (PyCapsule_IsValid(cap, NAME_VERSIONED)) {
        mv_dl_managed_tensor_versioned *t =
            PyCapsule_GetPointer(cap, NAME_VERSIONED);
        st = mv_view_from_dlpack_versioned(v, t);
        if (st < 0) {
            mvpy_raise_status(st);
            return -1;
        }
        *copied = (t->flags & MV_DLPACK_IS_COPIED) != 0;
        return PyCapsule_SetName(cap, NAME_USED_VERSIONED);
    }
    if (PyCapsule_IsValid(cap, NAME_LEGACY)) {
        mv_dl_managed_tensor *t = PyCapsule_GetPointer(cap, NAME_LEGACY);
        st = mv_view_from_dlpack(v, t);
        if (st < 0) {
            mvpy_raise_status(st);
            return -1;
        }
        return PyCapsule_SetName(cap, NAME_USED_LEGACY);
    }
    PyErr_Format(PyExc_TypeError,
                 "memview: __dlpack__ returned %.200s, not an unused DLPack "
                 "capsule",
                 Py_TYPE(cap)->tp_name);
    return -1;
}

/* A view of a private copy of v's items (v is released). */
static int copy_core_view(mv_view *v) {
    mv_dl_managed_tensor_versioned *t;
    int st = mv_view_to_dlpack_versioned(v, MV_DL_COPY_ALWAYS, &t);
    (void)mv_view_release(v);
    if (st == MV_OK && (st = mv_view_from_dlpack_versioned(v, t)) < 0)
        t->deleter(t);
    if (st < 0) {
        mvpy_raise_status(st);
        return -1;
    }
    return 0;
}

/* from_dlpack(x, /, *, device=None, copy=None) */
static PyObject *from_dlpack(PyObject *module, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"", "device", "copy", NULL};
    PyObject *x, *device = Py_None, *copy = Py_None;
    (void)module;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|$OO:from_dlpack", kwlist,
                                     &x, &device, &copy))
        return NULL;
    int cpu;
    if (device != Py_None) {
        if (is_cpu_device(device, &cpu) < 0)
            return NULL;
        if (!cpu) {
            PyErr_SetString(PyExc_BufferError,
                            "memview: views live on the CPU, device (1, 0)");
            return NULL;
        }
    }
    mv_dl_copy policy;
    if (copy_policy(copy, &policy) < 0)
        return NULL;

    PyObject *meth = PyObject_GetAttrString(x, "__dlpack__");
    if (meth == NULL) {
        if (PyErr_ExceptionMatches(PyExc_AttributeError)) {
            PyErr_Clear();
            PyErr_Format(PyExc_TypeError,
                         "memview: from_dlpack needs an object with "
                         "__dlpack__ and __dlpack_device__, not '%.200s'",
                         Py_TYPE(x)->tp_name);
        }
        return NULL;
    }
    PyObject *dev = PyObject_CallMethod(x, "__dlpack_device__", NULL);
    if (dev == NULL) {
        Py_DECREF(meth);
        return NULL;
    }
    int rc = is_cpu_device(dev, &cpu);
    if (rc == 0 && !cpu) {
        /* the id of a CPU device need not be 0 */
        long type = PyLong_AsLong(PyTuple_GET_ITEM(dev, 0));
        if (type != MV_DL_CPU) {
            PyErr_Format(PyExc_BufferError,
                         "memview: from_dlpack reads memory on the CPU, not "
                         "on DLPack device %R",
                         dev);
            rc = -1;
        }
    }
    Py_DECREF(dev);
    if (rc < 0) {
        Py_DECREF(meth);
        return NULL;
    }

    /* Ask for a versioned tensor; a producer that does not know the
     * keywords raises TypeError, and is asked again without them. */
    PyObject *kw = Py_BuildValue("{s(ii)}", "max_version", MV_DLPACK_MAJOR,
                                 MV_DLPACK_MINOR);
    if (kw == NULL) {
        Py_DECREF(meth);
        return NULL;
    }
    if (copy != Py_None && PyDict_SetItemString(kw, "copy", copy) < 0) {
        Py_DECREF(kw);
        Py_DECREF(meth);
        return NULL;
    }
    PyObject *empty = PyTuple_New(0);
    PyObject *cap = empty ? PyObject_Call(meth, empty, kw) : NULL;
    Py_DECREF(kw);
    if (cap == NULL && empty && PyErr_ExceptionMatches(PyExc_TypeError)) {
        PyErr_Clear();
        cap = PyObject_Call(meth, empty, NULL);
    }
    Py_XDECREF(empty);
    Py_DECREF(meth);
    if (cap == NULL)
        return NULL;

    mv_view v;
    int copied;
    rc = import_capsule(cap, &v, &copied);
    Py_DECREF(cap); /* once used, the capsule no longer owns the tensor */
    if (rc < 0)
        return NULL;
    if (policy == MV_DL_COPY_ALWAYS && !copied && copy_core_view(&v) < 0)
        return NULL;
    return mvpy_memoryview_of_core(&v, NULL);
}

PyMethodDef mvpy_dlpack_functions[] = {
    {"from_dlpack", (PyCFunction)(void (*)(void))from_dlpack,
     METH_VARARGS | METH_KEYWORDS,
     "from_dlpack(x, /, *, device=None, copy=None)\n--\n\n"
     "A memoryview of the memory of x, an object with __dlpack__ (a NumPy\n"
     "array, for instance): shared with x, unless copy is True."},
    {NULL, NULL, 0, NULL},
};
