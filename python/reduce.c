/*
 * reduce.c -- sum(), min(), max(), mean() and stats() of a view's items.
 *
 * The core computes (mv_view_stats: any layout, any numeric format, exact
 * integer sums, NumPy's NaN rules); this file turns its mv_stats into
 * Python numbers:
 *
 *   1. Integer sums are exact ints, built from the 128-bit sum.
 *   2. min and max of integers are ints, of '?' bools, of floats floats;
 *      sums of '?' count the Trues (an int), as NumPy's do.
 *   3. Means are floats.
 *   4. An empty view sums to 0 (0.0 for floats); its min, max and mean
 *      raise ValueError (NumPy's message for min and max).
 *   6. Complex numbers ("Zf", "Zd") have a complex sum and mean
 *      (mv_view_stats_complex); min and max raise Python's TypeError for
 *      comparing complex numbers.
 *   5. The scan runs without the GIL (mvpy_unlocked); the view is pinned
 *      meanwhile, so another thread's release() raises BufferError.
 */
#include "adapter.h"

#include <math.h>

/* The exact integer sum sum_hi:sum_lo (two's complement) as an int. */
static PyObject *exact_sum(const mv_stats *s) {
    if (s->sum_hi == 0)
        return PyLong_FromUnsignedLongLong(s->sum_lo);
    if (s->sum_hi == -1 && s->sum_lo >= ((uint64_t)1 << 63))
        return PyLong_FromLongLong((long long)(int64_t)s->sum_lo);
    PyObject *hi = PyLong_FromLongLong(s->sum_hi);
    PyObject *lo = PyLong_FromUnsignedLongLong(s->sum_lo);
    PyObject *sh = PyLong_FromLong(64);
    PyObject *res = NULL, *t = NULL;
    if (hi && lo && sh && (t = PyNumber_Lshift(hi, sh)) != NULL)
        res = PyNumber_Add(t, lo);
    Py_XDECREF(t);
    Py_XDECREF(sh);
    Py_XDECREF(lo);
    Py_XDECREF(hi);
    return res;
}

/* Is v's item a '?' (a bool element, whatever its byte order prefix)? */
static int is_bool(const mv_view *v) {
    const char *f = v->format;
    if (*f == '@' || *f == '=' || *f == '<' || *f == '>' || *f == '!')
        f++;
    return f[0] == '?' && f[1] == '\0';
}

/* An extreme of s (max when hi) as the item's Python type; the view is not
 * empty. */
static PyObject *extreme(const mv_view *v, const mv_stats *s, int hi) {
    switch (s->kind) {
    case MV_KIND_INT: return PyLong_FromLongLong(hi ? s->max_i : s->min_i);
    case MV_KIND_UINT:
        if (is_bool(v))
            return PyBool_FromLong((long)(hi ? s->max_u : s->min_u));
        return PyLong_FromUnsignedLongLong(hi ? s->max_u : s->min_u);
    default: return PyFloat_FromDouble(hi ? s->max : s->min);
    }
}

struct stats_job {
    const mv_view *v;
    mv_stats *out;
};

static int stats_job(void *arg) {
    struct stats_job *j = arg;
    return mv_view_stats(j->v, j->out);
}

/* The core's stats of self's items, computed without the GIL. */
static int view_stats(MViewObject *self, mv_stats *s) {
    CHECK_RELEASED_INT(self);
    struct stats_job j = {&self->view, s};
    int st = mvpy_unlocked(&self->view, NULL, self->view.nbytes, stats_job, &j);
    return st < 0 ? mvpy_raise_status_int(st) : 0;
}

struct complex_job {
    const mv_view *v;
    mv_stats *re, *im;
};

static int complex_job(void *arg) {
    struct complex_job *j = arg;
    return mv_view_stats_complex(j->v, j->re, j->im);
}

/* 1 with *re and *im filled when self's items are complex numbers, 0 when
 * they are not, -1 with an exception set. */
static int complex_stats(MViewObject *self, mv_stats *re, mv_stats *im) {
    CHECK_RELEASED_INT(self);
    struct complex_job j = {&self->view, re, im};
    if (mv_view_stats_complex(&self->view, NULL, NULL) == MV_ETYPE)
        return 0;
    int st =
        mvpy_unlocked(&self->view, NULL, self->view.nbytes, complex_job, &j);
    return st < 0 ? mvpy_raise_status_int(st) : 1;
}

/* min and max of complex numbers: Python's refusal to order them. */
static int complex_refused(MViewObject *self) {
    CHECK_RELEASED_INT(self);
    if (mv_view_stats_complex(&self->view, NULL, NULL) != MV_OK)
        return 0;
    PyErr_SetString(PyExc_TypeError, "'<' not supported between instances "
                                     "of 'complex' and 'complex'");
    return -1;
}

static PyObject *empty_error(const char *op) {
    PyErr_Format(PyExc_ValueError,
                 "zero-size array to reduction operation %s which has no "
                 "identity",
                 op);
    return NULL;
}

static PyObject *mview_sum(MViewObject *self, PyObject *unused) {
    (void)unused;
    mv_stats s, im;
    int z = complex_stats(self, &s, &im);
    if (z != 0)
        return z < 0 ? NULL : PyComplex_FromDoubles(s.sum, im.sum);
    if (view_stats(self, &s) < 0)
        return NULL;
    if (s.kind == MV_KIND_FLOAT)
        return PyFloat_FromDouble(s.count ? s.sum : 0.0);
    return exact_sum(&s);
}

static PyObject *mview_min(MViewObject *self, PyObject *unused) {
    (void)unused;
    mv_stats s;
    if (complex_refused(self) < 0 || view_stats(self, &s) < 0)
        return NULL;
    if (s.count == 0)
        return empty_error("minimum");
    return extreme(&self->view, &s, 0);
}

static PyObject *mview_max(MViewObject *self, PyObject *unused) {
    (void)unused;
    mv_stats s;
    if (complex_refused(self) < 0 || view_stats(self, &s) < 0)
        return NULL;
    if (s.count == 0)
        return empty_error("maximum");
    return extreme(&self->view, &s, 1);
}

static PyObject *mview_mean(MViewObject *self, PyObject *unused) {
    (void)unused;
    mv_stats s, im;
    int z = complex_stats(self, &s, &im);
    if (z < 0 || (z == 0 && view_stats(self, &s) < 0))
        return NULL;
    if (s.count == 0) {
        PyErr_SetString(PyExc_ValueError, "mean of an empty view");
        return NULL;
    }
    if (z)
        return PyComplex_FromDoubles(s.mean, im.mean);
    return PyFloat_FromDouble(s.mean);
}

/* memview.Stats, a named tuple made at import. */
static PyObject *stats_type;

#define STATS_FIELDS "count sum min max mean nans nansum nanmin nanmax nanmean"

static PyObject *mview_stats(MViewObject *self, PyObject *unused) {
    (void)unused;
    mv_stats s;
    if (view_stats(self, &s) < 0)
        return NULL;
    PyObject *vals[10] = {NULL};
    int isint = s.kind != MV_KIND_FLOAT;
    vals[0] = PyLong_FromSsize_t(s.count);
    vals[1] = isint ? exact_sum(&s) : PyFloat_FromDouble(s.count ? s.sum : 0.0);
    vals[2] = isint && s.count ? extreme(&self->view, &s, 0)
                               : PyFloat_FromDouble(s.min);
    vals[3] = isint && s.count ? extreme(&self->view, &s, 1)
                               : PyFloat_FromDouble(s.max);
    vals[4] = PyFloat_FromDouble(s.mean);
    vals[5] = PyLong_FromSsize_t(s.nans);
    if (isint) {
        for (int i = 6; i < 9; i++)
            vals[i] = Py_XNewRef(vals[i - 5]);
    } else {
        vals[6] = PyFloat_FromDouble(s.nansum);
        vals[7] = PyFloat_FromDouble(s.nanmin);
        vals[8] = PyFloat_FromDouble(s.nanmax);
    }
    vals[9] = PyFloat_FromDouble(s.nanmean);
    PyObject *args = PyTuple_New(10);
    for (int i = 0; i < 10; i++) {
        if (vals[i] == NULL || args == NULL) {
            for (int k = i; k < 10; k++)
                Py_XDECREF(vals[k]);
            Py_XDECREF(args);
            return NULL;
        }
        PyTuple_SET_ITEM(args, i, vals[i]);
    }
    PyObject *res = PyObject_Call(stats_type, args, NULL);
    Py_DECREF(args);
    return res;
}

PyMethodDef mvpy_reduce_methods[] = {
    {"sum", (PyCFunction)mview_sum, METH_NOARGS,
     "sum($self, /)\n--\n\n"
     "The sum of the items: an exact int for integers (the number of Trues\n"
     "for '?'), a float for floats (NaN if any item is NaN)."},
    {"min", (PyCFunction)mview_min, METH_NOARGS,
     "min($self, /)\n--\n\n"
     "The smallest item (NaN if any is NaN); ValueError when empty."},
    {"max", (PyCFunction)mview_max, METH_NOARGS,
     "max($self, /)\n--\n\n"
     "The largest item (NaN if any is NaN); ValueError when empty."},
    {"mean", (PyCFunction)mview_mean, METH_NOARGS,
     "mean($self, /)\n--\n\n"
     "The mean of the items, a float; ValueError when empty."},
    {"stats", (PyCFunction)mview_stats, METH_NOARGS,
     "stats($self, /)\n--\n\n"
     "count, sum, min, max, mean and their NaN-skipping forms in one pass,\n"
     "as a memview.Stats named tuple."},
    {NULL, NULL, 0, NULL},
};

int mvpy_reduce_init(PyObject *module) {
    if (stats_type == NULL) {
        PyObject *coll = PyImport_ImportModule("collections");
        if (coll == NULL)
            return -1;
        PyObject *nt = PyObject_GetAttrString(coll, "namedtuple");
        Py_DECREF(coll);
        if (nt == NULL)
            return -1;
        PyObject *args = Py_BuildValue("(ss)", "Stats", STATS_FIELDS);
        PyObject *kw = Py_BuildValue("{ss}", "module", "memview");
        if (args && kw)
            stats_type = PyObject_Call(nt, args, kw);
        Py_XDECREF(args);
        Py_XDECREF(kw);
        Py_DECREF(nt);
        if (stats_type == NULL)
            return -1;
        PyObject *doc = PyUnicode_FromString(
            "The reductions of a view's items (memoryview.stats()): count, "
            "sum, min, max, mean as NumPy's np.sum, np.min, np.max, np.mean "
            "(NaN when an item is NaN), nans (the NaN items), and nansum, "
            "nanmin, nanmax, nanmean as NumPy's nan* functions.");
        if (doc == NULL ||
            PyObject_SetAttrString(stats_type, "__doc__", doc) < 0) {
            Py_XDECREF(doc);
            return -1;
        }
        Py_DECREF(doc);
    }
    return PyModule_AddObjectRef(module, "Stats", stats_type);
}
