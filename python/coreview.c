/*
 * coreview.c -- core views made into memview.memoryview objects.
 *
 * Unpickling and DLPack import produce a core view (mv_view) whose layout
 * no Python exporter describes. A small object, memview._coreview, holds
 * such a view and lends it through the buffer protocol; the memoryview is
 * then made from that object like from any exporter, so the one way views
 * are built (and their layouts checked) stays in memview.c and the core.
 * A _coreview is the .obj of the memoryviews made from it.
 */
#include "adapter.h"

#include <string.h>

typedef struct {
    PyObject_HEAD
    mv_view view;
    PyObject *keep; /* what the view's format points into, or NULL */
} CoreViewObject;

static void coreview_dealloc(CoreViewObject *self) {
    /* Buffers lent out hold a reference to self: none is left here. */
    (void)mv_view_release(&self->view);
    Py_XDECREF(self->keep);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* Lend the view, refusing what the request cannot take, as memoryview's
 * own getbuffer does. */
static int coreview_getbuf(CoreViewObject *self, Py_buffer *b, int flags) {
    return mvpy_export_view((PyObject *)self, &self->view, b, flags);
}

static void coreview_releasebuf(CoreViewObject *self, Py_buffer *b) {
    (void)b;
    mv_view_unexport(&self->view);
}

static PyBufferProcs coreview_as_buffer = {
    .bf_getbuffer = (getbufferproc)coreview_getbuf,
    .bf_releasebuffer = (releasebufferproc)coreview_releasebuf,
};

static PyTypeObject CoreView_Type = {
    .ob_base = {PyObject_HEAD_INIT(NULL) 0},
    .tp_name = "memview._coreview",
    .tp_basicsize = sizeof(CoreViewObject),
    .tp_dealloc = (destructor)coreview_dealloc,
    .tp_as_buffer = &coreview_as_buffer,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Memory of a memoryview that was unpickled or imported from "
              "DLPack.",
};

/* memview.memoryview, kept at module init. */
static PyObject *memoryview_type;

PyObject *mvpy_memoryview_of_core(mv_view *v, PyObject *keep) {
    CoreViewObject *holder =
        (CoreViewObject *)CoreView_Type.tp_alloc(&CoreView_Type, 0);
    if (holder == NULL) {
        (void)mv_view_release(v);
        return NULL;
    }
    mv_view_move(&holder->view, v);
    Py_XINCREF(keep);
    holder->keep = keep;
    PyObject *res =
        PyObject_CallFunctionObjArgs(memoryview_type, (PyObject *)holder, NULL);
    Py_DECREF(holder); /* the memoryview's buffer keeps it */
    return res;
}

int mvpy_core_view_of(PyObject *obj, int flags, mv_view *out) {
    Py_buffer *b = mvpy_buffer_take(obj, flags);
    if (b == NULL)
        return -1;
    mv_layout l = mvpy_layout_of(b);
    mv_owner *o;
    int st = mvpy_wrap_layout(&o, &l, mvpy_master_release, b);
    if (st < 0) {
        PyBuffer_Release(b);
        PyMem_Free(b);
        mvpy_raise_status(st);
        return -1;
    }
    st = mv_view_from_layout(out, o, &l);
    mv_owner_release(o); /* the view holds the buffer, or it is given back */
    if (st < 0) {
        mvpy_raise_status(st);
        return -1;
    }
    return 0;
}

int mvpy_module_init(PyObject *module) {
    if (PyType_Ready(&CoreView_Type) < 0)
        return -1;
    if (memoryview_type == NULL) {
        memoryview_type = PyObject_GetAttrString(module, "memoryview");
        if (memoryview_type == NULL)
            return -1;
    }
    if (PyModule_AddFunctions(module, mvpy_pickle_functions) < 0 ||
        PyModule_AddFunctions(module, mvpy_dlpack_functions) < 0 ||
        mvpy_pickle_init(module) < 0)
        return -1;
    return 0;
}
