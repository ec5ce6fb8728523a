/*
 * items.c -- m[key], m[key] = value, len(m) and iter(m).
 */
#include "adapter.h"

static PyTypeObject MViewIter_Type;

/* Messages of Python-level rules the core cannot see (the kinds of keys). */
#define MSG_0DIM "invalid indexing of 0-dim memory"
#define MSG_BADKEY "memoryview: invalid slice key"

/* ------------------------------------------------------------------------
 * Sequence and mapping
 * ------------------------------------------------------------------------ */

/* len(): a 0-D view has length 1 up to Python 3.11 and none from 3.12 on,
 * as the builtin of the interpreter the module is built for. */
#if PY_VERSION_HEX >= 0x030C0000
#define view_length mv_view_length_nd
#else
#define view_length mv_view_length
#endif

Py_ssize_t mvpy_length(MViewObject *self) {
    if (!mv_view_is_released(&self->view) && self->view.ndim > 0)
        return self->view.shape[0];
    mv_ssize n;
    int st = view_length(&self->view, &n);
    if (st < 0)
        return mvpy_raise_status_int(st);
    return n;
}

/* m[index] of a 1-D view of a tuple format. */
/* Out of line and cold: the native formats' m[i] must not pay for it. */
__attribute__((noinline, cold)) static PyObject *tuple_item(MViewObject *self,
                                                            Py_ssize_t index) {
    char *ptr;
    int st = mv_view_check_item(&self->view);
    if (st == 0)
        st = mv_view_item_ptr(&self->view, index, &ptr);
    if (st < 0)
        return mvpy_raise_status(st);
    return mvpy_item_to_py(self->view.fmtdesc, ptr);
}

PyObject *mvpy_item(MViewObject *self, Py_ssize_t index) {
    if (__builtin_expect(!mv_view_format_char(&self->view), 0) &&
        mvpy_tuple_items(&self->view) && !mv_view_is_released(&self->view))
        return tuple_item(self, index);
    mv_value v;
    int st = mv_view_get(&self->view, index, &v);
    if (st < 0)
        return mvpy_raise_status(st);
    return mvpy_value_to_py(&v);
}

/* m['name'], beyond the builtin: a view of a field of records (the core's
 * naming rule, NumPy's a['name']). NULL with no exception set when m's
 * items are not records: the key is then judged as the builtin judges it. */
static PyObject *field_view(MViewObject *self, PyObject *key) {
    const char *name = PyUnicode_AsUTF8(key);
    if (name == NULL)
        return NULL;
    MViewObject *m = mvpy_view_alloc();
    if (m == NULL)
        return NULL;
    int st = mv_view_field_view(&m->view, &self->view, name);
    if (st < 0) {
        mvpy_view_free(m);
        return st == MV_ETYPE ? NULL : mvpy_raise_status(st);
    }
    return mvpy_view_finish(m, self->mbuf);
}

PyObject *mvpy_subscript(MViewObject *self, PyObject *key) {
    mv_view *v = &self->view;
    CHECK_RELEASED(self);

    if (PyUnicode_Check(key)) {
        PyObject *res = field_view(self, key);
        if (res != NULL || PyErr_Occurred())
            return res;
    }

    if (v->ndim == 0) {
        if (PyTuple_Check(key) && PyTuple_GET_SIZE(key) == 0) {
            if (mvpy_tuple_items(v)) {
                int st = mv_view_check_item(v);
                if (st < 0)
                    return mvpy_raise_status(st);
                return mvpy_item_to_py(v->fmtdesc, v->buf);
            }
            mv_value val;
            int st = mv_view_getn(v, NULL, 0, &val);
            if (st < 0)
                return mvpy_raise_status(st);
            return mvpy_value_to_py(&val);
        }
        if (key == Py_Ellipsis)
            return Py_NewRef(self);
        PyErr_SetString(PyExc_TypeError, MSG_0DIM);
        return NULL;
    }

    if (mvpy_index_check(key)) {
        Py_ssize_t i = mvpy_key_to_index(key);
        if (i == -1 && PyErr_Occurred())
            return NULL;
        if (v->ndim == 1)
            return mvpy_item(self, i);
        /* Beyond the builtin: the sub-view at i, as NumPy's a[i]. */
        MViewObject *m = mvpy_view_alloc();
        if (m == NULL)
            return NULL;
        int st = mv_view_subview(&m->view, v, i);
        if (st < 0) {
            mvpy_view_free(m);
            return mvpy_raise_status(st);
        }
        return mvpy_view_finish(m, self->mbuf);
    }
    if (PySlice_Check(key)) {
        /* The new view exists before the slice's indexes are read (their
         * __index__ may release self), as with the builtin. */
        Py_ssize_t start, stop, step;
        MViewObject *m = mvpy_view_alloc();
        if (m == NULL)
            return NULL;
        /* The mbuf both objects hold keeps the owner alive. */
        int st = mv_view_borrow(&m->view, v);
        if (st < 0) {
            mvpy_view_free(m);
            return mvpy_raise_status(st);
        }
        mvpy_view_finish(m, self->mbuf);
        if (PySlice_Unpack(key, &start, &stop, &step) < 0) {
            Py_DECREF(m);
            return NULL;
        }
        st = mv_view_narrow(&m->view, start, stop, step);
        if (st < 0) {
            Py_DECREF(m);
            return mvpy_raise_status(st);
        }
        return (PyObject *)m;
    }
    if (mvpy_is_multiindex(key) && PyTuple_GET_SIZE(key) >= v->ndim) {
        mv_ssize idx[MV_MAXDIM];
        int n;
        mv_value val;
        if (mvpy_check_item_format(v) < 0)
            return NULL;
        if (mvpy_tuple_to_indexes(key, idx, &n) < 0)
            return NULL;
        if (mvpy_tuple_items(v)) {
            char *ptr;
            int st = mv_view_item_ptrn(v, idx, n, &ptr);
            if (st < 0)
                return mvpy_raise_status(st);
            return mvpy_item_to_py(v->fmtdesc, ptr);
        }
        int st = mv_view_getn(v, idx, n, &val);
        if (st < 0)
            return mvpy_raise_status(st);
        return mvpy_value_to_py(&val);
    }
    /* Beyond the builtin: a tuple of indexes (fewer than ndim) and slices
     * selects a view, as NumPy's a[key]. The indexes are read first (their
     * __index__ may release self: the core then refuses). */
    mv_keyitem items[MV_MAXDIM];
    int n;
    int kind = mvpy_key_to_items(key, items, &n);
    if (kind < 0)
        return NULL;
    if (kind > 0) {
        MViewObject *m = mvpy_view_alloc();
        if (m == NULL)
            return NULL;
        int st = mv_view_select(&m->view, v, items, n);
        if (st < 0) {
            mvpy_view_free(m);
            return mvpy_raise_status(st);
        }
        return mvpy_view_finish(m, self->mbuf);
    }
    PyErr_SetString(PyExc_TypeError, MSG_BADKEY);
    return NULL;
}

/* dst = src, a copy of a view's items into a part of self's. */
struct assign_job {
    mv_view *dst;
    const mv_view *src;
};
static int assign_job(void *arg) {
    struct assign_job *j = arg;
    return mv_view_assign(j->dst, j->src);
}

static int assign_unlocked(MViewObject *self, mv_view *dst, PyObject *value,
                           const mv_view *src) {
    struct assign_job j = {dst, src};
    mv_view *pin = MView_Check(value) ? &((MViewObject *)value)->view : NULL;
    return mvpy_unlocked(&self->view, pin == &self->view ? NULL : pin,
                         dst->nbytes, assign_job, &j);
}

int mvpy_ass_sub(MViewObject *self, PyObject *key, PyObject *value) {
    mv_view *v = &self->view;
    mv_value val;
    int st;

    /* The builtin's order: released, format, read-only, deletion. */
    st = mv_view_check_assign(v, value == NULL);
    if (st < 0)
        return mvpy_raise_status_int(st);

    if (PyUnicode_Check(key)) {
        /* m['name'] = buffer, beyond the builtin: a copy into the field
         * view (a buffer of its structure, as for slices) */
        PyObject *field = field_view(self, key);
        if (field != NULL) {
            MViewObject *f = (MViewObject *)field;
            struct mvpy_other_view src;
            st = mvpy_other_view_get(&src, value);
            if (st == 0) {
                st = assign_unlocked(f, &f->view, value, src.view);
                mvpy_other_view_put(&src);
                if (st < 0)
                    mvpy_raise_status_int(st);
            }
            Py_DECREF(field);
            return st < 0 ? -1 : 0;
        }
        if (PyErr_Occurred())
            return -1;
    }

    if (v->ndim == 0) {
        if (key == Py_Ellipsis ||
            (PyTuple_Check(key) && PyTuple_GET_SIZE(key) == 0)) {
            if (mvpy_tuple_items(v))
                return mvpy_pack_from_py(v, v->buf, value);
            if (mvpy_py_to_value_for(v, value, &val) < 0)
                return -1;
            st = mv_view_setn(v, NULL, 0, &val);
            return st < 0 ? mvpy_raise_status_int(st) : 0;
        }
        PyErr_SetString(PyExc_TypeError, MSG_0DIM);
        return -1;
    }

    if (mvpy_index_check(key) && v->ndim == 1) {
        Py_ssize_t i = mvpy_key_to_index(key);
        if (i == -1 && PyErr_Occurred())
            return -1;
        char *ptr;
        st = mv_view_item_ptr(v, i, &ptr); /* IndexError before the value */
        if (st < 0)
            return mvpy_raise_status_int(st);
        if (mvpy_tuple_items(v))
            return mvpy_pack_from_py(v, ptr, value);
        if (mvpy_py_to_value_for(v, value, &val) < 0)
            return -1;
        st = mv_view_set(v, i, &val);
        return st < 0 ? mvpy_raise_status_int(st) : 0;
    }
    if (PySlice_Check(key)) {
        struct mvpy_other_view src;
        Py_ssize_t start, stop, step;
        mv_view dst;
        if (mvpy_other_view_get(&src, value) < 0)
            return -1;
        if (PySlice_Unpack(key, &start, &stop, &step) < 0) {
            mvpy_other_view_put(&src);
            return -1;
        }
        st = mv_view_slice(&dst, v, start, stop, step);
        if (st == 0) {
            st = assign_unlocked(self, &dst, value, src.view);
            mv_view_release(&dst);
        }
        mvpy_other_view_put(&src);
        return st < 0 ? mvpy_raise_status_int(st) : 0;
    }
    if (mvpy_is_multiindex(key) && PyTuple_GET_SIZE(key) >= v->ndim) {
        mv_ssize idx[MV_MAXDIM];
        int n;
        if (mvpy_tuple_to_indexes(key, idx, &n) < 0)
            return -1;
        if (n <= MV_MAXDIM) {
            char *ptr;
            st = mv_view_item_ptrn(v, idx, n, &ptr);
            if (st < 0)
                return mvpy_raise_status_int(st);
            if (mvpy_tuple_items(v))
                return mvpy_pack_from_py(v, ptr, value);
        }
        if (mvpy_py_to_value_for(v, value, &val) < 0)
            return -1;
        st = mv_view_setn(v, idx, n, &val);
        return st < 0 ? mvpy_raise_status_int(st) : 0;
    }
    /* Beyond the builtin: an index of an N-D view, or a tuple of indexes
     * (fewer than ndim) and slices, selects the view to copy the buffer
     * into. As for slices, the value must be an exporter, taken first. */
    if (mvpy_index_check(key) || mvpy_is_key_tuple(key)) {
        struct mvpy_other_view src;
        mv_keyitem items[MV_MAXDIM];
        int n;
        mv_view dst;
        if (mvpy_other_view_get(&src, value) < 0)
            return -1;
        if (mvpy_key_to_items(key, items, &n) < 0) {
            mvpy_other_view_put(&src);
            return -1;
        }
        st = mv_view_select(&dst, v, items, n);
        if (st == 0) {
            st = assign_unlocked(self, &dst, value, src.view);
            mv_view_release(&dst);
        }
        mvpy_other_view_put(&src);
        return st < 0 ? mvpy_raise_status_int(st) : 0;
    }
    PyErr_SetString(PyExc_TypeError, MSG_BADKEY);
    return -1;
}

/* ------------------------------------------------------------------------
 * Iteration
 * ------------------------------------------------------------------------ */

typedef struct {
    PyObject_HEAD
    Py_ssize_t index;
    Py_ssize_t length;
    MViewObject *seq; /* NULL when exhausted */
} MViewIterObject;

PyObject *mvpy_iter(MViewObject *self) {
    int st = mv_view_check_iter(&self->view);
    if (st < 0)
        return mvpy_raise_status(st);
    MViewIterObject *it = PyObject_GC_New(MViewIterObject, &MViewIter_Type);
    if (it == NULL)
        return NULL;
    it->index = 0;
    it->length = mvpy_length(self);
    if (it->length < 0 && PyErr_Occurred()) {
        it->seq = NULL;
        Py_DECREF(it);
        return NULL;
    }
    it->seq = (MViewObject *)Py_NewRef(self);
    PyObject_GC_Track(it);
    return (PyObject *)it;
}

static PyObject *mviewiter_next(MViewIterObject *it) {
    MViewObject *seq = it->seq;
    if (seq == NULL)
        return NULL;
    if (it->index < it->length) {
        const mv_view *v = &seq->view;
        /* Bytes, the common case: a live flat 'B' view's items are the
         * cached small ints. */
        if (mv_view_format_char(v) == 'B' && mv_view_is_flat(v))
            return Py_NewRef(
                mvpy_small_ints[(unsigned char)v->buf[it->index++] -
                                MVPY_SMALL_MIN]);
        CHECK_RELEASED(seq);
        return mvpy_item(seq, it->index++);
    }
    it->seq = NULL;
    Py_DECREF(seq);
    return NULL;
}

static void mviewiter_dealloc(MViewIterObject *it) {
    PyObject_GC_UnTrack(it);
    Py_XDECREF(it->seq);
    PyObject_GC_Del(it);
}

static int mviewiter_traverse(MViewIterObject *it, visitproc visit, void *arg) {
    Py_VISIT(it->seq);
    return 0;
}

static PyTypeObject MViewIter_Type = {
    .ob_base = {PyObject_HEAD_INIT(NULL) 0},
    .tp_name = "memview.memory_iterator",
    .tp_basicsize = sizeof(MViewIterObject),
    .tp_dealloc = (destructor)mviewiter_dealloc,
    .tp_getattro = PyObject_GenericGetAttr,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_traverse = (traverseproc)mviewiter_traverse,
    .tp_iter = PyObject_SelfIter,
    .tp_iternext = (iternextfunc)mviewiter_next,
};

int mvpy_items_init(void) { return PyType_Ready(&MViewIter_Type); }
