/*
 * adapter.h -- what the Python extension's files share.
 *
 * memview.c is the memoryview type; the other files add to it through the
 * hooks declared here: coreview.c turns core views into memoryviews,
 * pickle.c pickles them, dlpack.c exchanges them as DLPack tensors.
 */
#ifndef MEMVIEW_PY_ADAPTER_H
#define MEMVIEW_PY_ADAPTER_H

/* No PY_SSIZE_T_CLEAN: these files parse no "#" formats, and without it
 * PyArg_ParseTuple, Py_BuildValue and PyObject_CallMethod are the public
 * functions themselves (with it, before 3.13, private *_SizeT ones). */
#include <Python.h>

#include "memview.h"

/* ---- memview.c ---- */

/* Raise the exception for a failing core status; returns NULL. The _path
 * form names the file of an OSError (path may be NULL). */
PyObject *raise_status(int st);
PyObject *raise_status_path(int st, PyObject *path);
/* Lend v's buffer as owner's export (Py_buffer's rules and messages, as
 * CPython's memoryview lends its own): 0, or -1 with an exception set. */
int export_view(PyObject *owner, mv_view *v, Py_buffer *b, int flags);
/* obj's buffer in PyMem_Malloc'd memory, for master_release; NULL with an
 * exception set. */
Py_buffer *buffer_take(PyObject *obj, int flags);
/* The core's description of a Py_buffer's layout. */
mv_layout layout_of(const Py_buffer *b);
/* An owner of the memory a layout reaches. */
int wrap_layout(mv_owner **o, const mv_layout *l, mv_release_fn fn, void *ctx);
/* Release callback for an owner wrapping a PyMem_Malloc'd Py_buffer:
 * gives the buffer back (taking the GIL) and frees it. */
void master_release(void *ctx, void *data, mv_ssize len);

/* ---- coreview.c ---- */

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

/* ---- pickle.c ---- */

PyObject *mvpy_reduce_ex(PyObject *self, PyObject *protocol);
extern PyMethodDef mvpy_pickle_functions[];
/* Finds the reconstructor among the module's functions. */
int mvpy_pickle_init(PyObject *module);

/* ---- dlpack.c ---- */

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

#endif /* MEMVIEW_PY_ADAPTER_H */
