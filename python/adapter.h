/*
 * adapter.h -- what the Python extension's files share.
 *
 * The extension is an adapter: it turns Python objects into calls of the C
 * core (include/memview.h) and the core's statuses into exceptions. Its
 * files, one a concept:
 *
 *   memview.c   the memoryview type: managed buffers, construction,
 *               attributes, the type's slots, the module
 *   adapter.c   shared helpers: errors, owners of Py_buffers, views of
 *               other exporters
 *   convert.c   keys and values: Python objects <-> indexes, mv_value
 *   items.c     m[key], m[key] = value, len(), iteration
 *   methods.c   the buffer protocol, ==, hash(), and the methods
 *   tolist.c    tolist() and the tuples of items of compiled formats
 *   reduce.c    sum(), min(), max(), mean(), stats()
 *   coreview.c  core views as memoryviews; pickle.c, dlpack.c, map.c
 *
 * Names shared between files are mvpy_*; everything else is static.
 */
#ifndef MEMVIEW_PY_ADAPTER_H
#define MEMVIEW_PY_ADAPTER_H

/* No PY_SSIZE_T_CLEAN here: these files parse no "#" formats, and without
 * it PyArg_ParseTuple, Py_BuildValue and PyObject_CallMethod are the public
 * functions themselves (with it, before 3.13, private *_SizeT ones).
 * adapter.c, which builds "s#", defines it before including this. */
#include <Python.h>

#include <stdint.h>

#include "memview.h"

/* Public API that Python 3.9 does not have yet, in its 3.10 meaning. */
#if PY_VERSION_HEX < 0x030A0000
static inline PyObject *mv_new_ref(PyObject *o) {
    Py_INCREF(o);
    return o;
}
static inline PyObject *mv_xnew_ref(PyObject *o) {
    Py_XINCREF(o);
    return o;
}
#define Py_NewRef(o) mv_new_ref((PyObject *)(o))
#define Py_XNewRef(o) mv_xnew_ref((PyObject *)(o))
static inline int PyModule_AddObjectRef(PyObject *mod, const char *name,
                                        PyObject *value) {
    Py_XINCREF(value);
    int rc = PyModule_AddObject(mod, name, value);
    if (rc < 0)
        Py_XDECREF(value);
    return rc;
}
/* Only pattern matching (3.10) reads it. */
#define Py_TPFLAGS_SEQUENCE 0
#endif

/* ------------------------------------------------------------------------
 * The objects (memview.c)
 *
 * A managed buffer (mbuf) stands for one buffer obtained from an exporter;
 * every live memoryview holds one core view of its owner and one reference
 * to it (memview.c's header tells the whole ownership story).
 * ------------------------------------------------------------------------ */

typedef struct {
    PyObject_HEAD
    mv_owner *owner;   /* creator handle; NULL once cleared */
    Py_buffer *master; /* the exporter's buffer, freed with the owner */
    PyObject *obj;     /* what .obj answers (NULL: None) */
    PyObject *base;    /* the exporter whose hash a view's hash needs */
} MBufObject;

typedef struct {
    PyObject_HEAD
    mv_view view;
    MBufObject *mbuf; /* NULL once released */
    PyObject *weakreflist;
} MViewObject;

/* A heap type (created at import) so that its __module__ is "memview";
 * its tp_name is then set to the builtin's, "memoryview", which Python's
 * own messages quote ("unhashable type: 'memoryview'", ...). */
extern PyTypeObject *mvpy_view_type;

#define MView_Check(op) Py_IS_TYPE(op, mvpy_view_type)

/* Objects of dead views, kept for reuse (slicing in a loop makes and drops
 * one per step). Linked through their mbuf field; all untracked. Guarded by
 * the GIL like everything here. */
#define MVPY_FREELIST_MAX 16
extern MViewObject *mvpy_freelist;
extern int mvpy_freelist_len;

/* A new, untracked object whose view the caller fills in. */
static inline MViewObject *mvpy_view_alloc(void) {
    MViewObject *m = mvpy_freelist;
    if (m != NULL) {
        mvpy_freelist = (MViewObject *)m->mbuf;
        mvpy_freelist_len--;
        /* A fresh reference count and a reference to the (heap) type,
         * as PyObject_GC_New gives. */
        (void)PyObject_Init((PyObject *)m, mvpy_view_type);
    } else {
        m = PyObject_GC_New(MViewObject, mvpy_view_type);
        if (m == NULL)
            return NULL;
    }
    m->mbuf = NULL;
    m->weakreflist = NULL;
    return m;
}

/* Free an untracked object whose view is released or was never made. */
static inline void mvpy_view_free(MViewObject *m) {
    Py_DECREF(mvpy_view_type);
    if (mvpy_freelist_len < MVPY_FREELIST_MAX) {
        m->mbuf = (MBufObject *)mvpy_freelist;
        mvpy_freelist = m;
        mvpy_freelist_len++;
    } else {
        PyObject_GC_Del(m);
    }
}

/* Finish an object whose view is filled in: share src's mbuf, track. */
static inline PyObject *mvpy_view_finish(MViewObject *m, MBufObject *mbuf) {
    Py_INCREF(mbuf);
    m->mbuf = mbuf;
    PyObject_GC_Track(m);
    return (PyObject *)m;
}

/* Fail unless the view is live. */
#define CHECK_RELEASED(self)                                                   \
    do {                                                                       \
        if (mv_view_is_released(&(self)->view))                                \
            return mvpy_raise_status(mv_view_check_released(&(self)->view));   \
    } while (0)
#define CHECK_RELEASED_INT(self)                                               \
    do {                                                                       \
        if (mv_view_is_released(&(self)->view))                                \
            return mvpy_raise_status_int(                                      \
                mv_view_check_released(&(self)->view));                        \
    } while (0)

/* memoryview(obj) with the buffer asked with the request flags. */
PyObject *mvpy_from_object_flags(PyObject *obj, int flags);
#if PY_VERSION_HEX >= 0x030C0000
PyObject *mvpy_from_flags(PyObject *type, PyObject *args, PyObject *kwds);
#endif

/* ------------------------------------------------------------------------
 * Shared helpers (adapter.c)
 * ------------------------------------------------------------------------ */

/* Raise the exception for a failing core status; returns NULL (the _int
 * form -1). The _path form names the file of an OSError (may be NULL). */
PyObject *mvpy_raise_status(int st);
PyObject *mvpy_raise_status_path(int st, PyObject *path);
int mvpy_raise_status_int(int st);
/* obj's buffer in PyMem_Malloc'd memory, for mvpy_master_release; NULL with
 * an exception set. */
Py_buffer *mvpy_buffer_take(PyObject *obj, int flags);
/* The core's description of a Py_buffer's layout. */
mv_layout mvpy_layout_of(const Py_buffer *b);
/* An owner of the memory a layout reaches. */
int mvpy_wrap_layout(mv_owner **o, const mv_layout *l, mv_release_fn fn,
                     void *ctx);
/* Release callback for an owner wrapping a PyMem_Malloc'd Py_buffer:
 * gives the buffer back (taking the GIL) and frees it. */
void mvpy_master_release(void *ctx, void *data, mv_ssize len);

/* A view of any exporter: ours directly, others through a Py_buffer and a
 * temporary core view. mvpy_other_view_get: 0, or -1 with an exception
 * set; mvpy_other_view_put gives back what get took. */
struct mvpy_other_view {
    mv_view tmp;
    Py_buffer buf;
    const mv_view *view; /* the view to use */
    int used;            /* buf and tmp need releasing */
};
int mvpy_other_view_get(struct mvpy_other_view *ov, PyObject *obj);
void mvpy_other_view_put(struct mvpy_other_view *ov);

/* A long operation, run by mvpy_unlocked(): a core status. */
typedef int (*mvpy_job)(void *arg);
/* Run job(arg) without the GIL when it reads or writes nbytes or more
 * (MVPY_UNLOCK_MIN: below that, dropping the GIL costs more than it
 * gives). Meanwhile a and b (either may be NULL), the live views of
 * memoryview objects the job works on, are pinned as if a buffer were
 * lent: another thread's release() raises BufferError instead of
 * unmapping memory under the job. Returns job's status (no exception is
 * set); a released view gives the core's status without running job. */
#define MVPY_UNLOCK_MIN ((mv_ssize)1 << 16)
int mvpy_unlocked(mv_view *a, mv_view *b, mv_ssize nbytes, mvpy_job job,
                  void *arg);

/* ------------------------------------------------------------------------
 * Keys and values (convert.c)
 * ------------------------------------------------------------------------ */

/* Called once at import. */
int mvpy_convert_init(void);

/* Python's own small ints (the interpreter shares one object per value in
 * this range), looked up inline for speed: the same objects
 * PyLong_FromLong would return. */
#define MVPY_SMALL_MIN (-5)
#define MVPY_SMALL_MAX 256
extern PyObject *mvpy_small_ints[MVPY_SMALL_MAX - MVPY_SMALL_MIN + 1];
/* One-byte bytes objects, shared by the interpreter as well. */
extern PyObject *mvpy_byte_objs[256];

static inline PyObject *mvpy_int_to_py(int64_t i) {
    if (i >= MVPY_SMALL_MIN && i <= MVPY_SMALL_MAX)
        return Py_NewRef(mvpy_small_ints[i - MVPY_SMALL_MIN]);
#if LONG_MAX >= INT64_MAX
    return PyLong_FromLong((long)i);
#else
    return PyLong_FromLongLong(i);
#endif
}

static inline PyObject *mvpy_uint_to_py(uint64_t u) {
    if (u <= MVPY_SMALL_MAX)
        return Py_NewRef(mvpy_small_ints[u - MVPY_SMALL_MIN]);
    if (u <= (uint64_t)LONG_MAX)
        return PyLong_FromLong((long)u);
    return PyLong_FromUnsignedLongLong(u);
}

/* Out of line: keeps mvpy_value_to_py small enough to inline everywhere. */
PyObject *mvpy_complex_to_py(const mv_value *v);

static inline PyObject *mvpy_value_to_py(const mv_value *v) {
    switch (v->type) {
    case MV_VAL_INT: return mvpy_int_to_py(v->i);
    case MV_VAL_UINT: return mvpy_uint_to_py(v->u);
    case MV_VAL_FLOAT: return PyFloat_FromDouble(v->f);
    case MV_VAL_BOOL: return PyBool_FromLong((long)v->i);
    case MV_VAL_BYTES:
        if (v->s.len == 1)
            return Py_NewRef(mvpy_byte_objs[(unsigned char)v->s.ptr[0]]);
        return PyBytes_FromStringAndSize(v->s.ptr, v->s.len);
    case MV_VAL_COMPLEX: return mvpy_complex_to_py(v);
    default:
        PyErr_SetString(PyExc_SystemError, "memview: unexpected value type");
        return NULL;
    }
}

/* Items of v read as tuples (a compiled format of several values): they
 * go through the format engine's walks instead of one mv_value. */
static inline int mvpy_tuple_items(const mv_view *v) {
    return !mv_view_format_char(v) && v->fmtdesc &&
           !mv_format_scalar(v->fmtdesc);
}

/* Values for storing into items: by the item's kind (-1 only with an
 * exception the value itself raised), or for comparing: by x's own type. */
int mvpy_py_to_value_kind(mv_kind kind, PyObject *x, mv_value *out);
int mvpy_py_to_value_for(const mv_view *v, PyObject *x, mv_value *out);
void mvpy_py_to_value(PyObject *x, mv_value *out);
/* Store value into the item at ptr of v (a tuple format): 0, or -1 with an
 * exception set; nothing is written on failure. */
int mvpy_pack_from_py(const mv_view *v, char *ptr, PyObject *value);
/* An int argument as the builtin's argument parser converts it. */
int mvpy_long_as_int(PyObject *o, int *out);

/* Keys: an object with __index__, its value (IndexError when too large). */
static inline int mvpy_index_check(PyObject *x) {
    PyNumberMethods *nb = Py_TYPE(x)->tp_as_number;
    return nb != NULL && nb->nb_index != NULL;
}
Py_ssize_t mvpy_key_to_index(PyObject *key);
int mvpy_is_multiindex(PyObject *key);
int mvpy_is_key_tuple(PyObject *key);
int mvpy_tuple_to_indexes(PyObject *key, mv_ssize *idx, int *n);
int mvpy_check_item_format(const mv_view *v);
int mvpy_key_to_items(PyObject *key, mv_keyitem *items, int *n);

/* ------------------------------------------------------------------------
 * Items (items.c), methods (methods.c), lists (tolist.c)
 * ------------------------------------------------------------------------ */

int mvpy_items_init(void);
Py_ssize_t mvpy_length(MViewObject *self);
PyObject *mvpy_item(MViewObject *self, Py_ssize_t index);
PyObject *mvpy_subscript(MViewObject *self, PyObject *key);
int mvpy_ass_sub(MViewObject *self, PyObject *key, PyObject *value);
PyObject *mvpy_iter(MViewObject *self);

int mvpy_methods_init(void);
extern PyMethodDef mvpy_methods[];
/* Lend v's buffer as owner's export (Py_buffer's rules and messages, as
 * CPython's memoryview lends its own): 0, or -1 with an exception set. */
int mvpy_export_view(PyObject *owner, mv_view *v, Py_buffer *b, int flags);
int mvpy_getbuf(MViewObject *self, Py_buffer *b, int flags);
void mvpy_releasebuf(MViewObject *self, Py_buffer *b);
PyObject *mvpy_richcompare(PyObject *a, PyObject *b, int op);
Py_hash_t mvpy_hash(MViewObject *self);

PyObject *mvpy_tolist(MViewObject *self, PyObject *unused);

/* sum(), min(), max(), mean(), stats() (reduce.c); adds memview.Stats. */
extern PyMethodDef mvpy_reduce_methods[];
int mvpy_reduce_init(PyObject *module);
/* The nested tuples of the item at ptr of a compiled format. */
PyObject *mvpy_item_to_py(const mv_format *f, const char *ptr);

/* ------------------------------------------------------------------------
 * Core views (coreview.c), pickles (pickle.c), DLPack (dlpack.c)
 * ------------------------------------------------------------------------ */

/* Called once by the module's init: keeps the memoryview type and adds
 * the module-level functions of the files below. */
int mvpy_module_init(PyObject *module);
/* A core view of obj's buffer, taken with the given request flags: the
 * view's owner holds the buffer and gives it back when its last view is
 * released. */
int mvpy_core_view_of(PyObject *obj, int flags, mv_view *out);
/* A memview.memoryview of the core view v, which is moved (v is left
 * released, also on failure). keep (may be NULL) is kept alive as long as
 * the view's memory: what v->format points into, for instance. */
PyObject *mvpy_memoryview_of_core(mv_view *v, PyObject *keep);

PyObject *mvpy_reduce_ex(PyObject *self, PyObject *protocol);
extern PyMethodDef mvpy_pickle_functions[];
/* Finds the reconstructor among the module's functions. */
int mvpy_pickle_init(PyObject *module);

PyObject *mvpy_dlpack(PyObject *self, PyObject *args, PyObject *kwds);
PyObject *mvpy_dlpack_device(PyObject *self, PyObject *unused);
extern PyMethodDef mvpy_dlpack_functions[];
#define MVPY_DLPACK_DOC                                                        \
    "__dlpack__($self, /, *, stream=None, max_version=None, dl_device=None,\n" \
    "           copy=None)\n--\n\n"                                            \
    "Export the view as a DLPack capsule (Python array API)."
#define MVPY_DLPACK_DEVICE_DOC                                                 \
    "__dlpack_device__($self, /)\n--\n\n"                                      \
    "The DLPack device of the view's memory: (1, 0), the CPU."

/* ------------------------------------------------------------------------
 * File mappings (map.c)
 * ------------------------------------------------------------------------ */

/* Module functions: memview.map(). Added to the module at import. */
extern PyMethodDef mvpy_map_functions[];
/* The memoryview's methods for mapped files: advise(). */
extern PyMethodDef mvpy_map_methods[];

/* Ready the types map.c defines; 0 or -1 with an exception. */
int mvpy_map_init(void);

/* Mark o, an owner of memory exported by obj, guarded when that memory
 * may fault because it is a file mapping (memview.map's, mmap.mmap,
 * numpy.memmap): bulk operations then raise OSError instead of dying of
 * SIGBUS when the file shrinks (and, for memview.map's, also when it
 * shrank inside the last page). */
void mvpy_guard_owner(mv_owner *o, PyObject *obj);

/* memoryview.flush(): write the changed bytes of v, a view of memory
 * exported by exporter, back to the file. */
PyObject *mvpy_flush(PyObject *exporter, const mv_view *v);

#endif /* MEMVIEW_PY_ADAPTER_H */
