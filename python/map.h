/*
 * map.h -- file mappings in the Python extension (python/map.c): the
 * hooks python/memview.c calls. Not installed.
 */
#ifndef MEMVIEW_PY_MAP_H
#define MEMVIEW_PY_MAP_H

#include <Python.h>

#include "memview.h"

/* Module functions: memview.map(). Added to the module at import. */
extern PyMethodDef mvpy_map_functions[];

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

#endif
