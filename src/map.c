/*
 * map.c -- owners of file mappings: any byte range, read-only or
 * writable, flushed and advised by range.
 *
 * Rules:
 *   1. A mapping is wrapped memory whose release callback unmaps it, so it
 *      follows every owner rule: it lives until the creator's handle and
 *      the last view are gone, and its size never changes.
 *   2. The caller names any byte range [offset, offset + length) of the
 *      file; the OS needs an aligned offset (the page size on POSIX, 64 KiB
 *      on Windows), so the mapping starts at the boundary below offset and
 *      the owner's data starts past it (os.h). Callers never see the
 *      alignment.
 *   3. A writable mapping is shared: writes through views reach the file;
 *      mv_owner_flush() makes them durable (msync, or FlushViewOfFile and
 *      FlushFileBuffers) for a range.
 *   4. Only regular files are mapped. A directory, a FIFO, a terminal or
 *      /dev/stdin is refused with OSError before anything waits on it
 *      (os.h).
 *   5. An empty file or range, or a range past the end, is ValueError with
 *      CPython's mmap messages; a negative offset or length is
 *      OverflowError, as there.
 *   6. A mapped owner is guarded (fault.c): its bulk operations turn a
 *      fault into MV_EOS. The mapping keeps its file open, so that a scan
 *      can ask afterwards whether the file shrank under it (a shrink inside
 *      the last page reads as zeros, not as a fault).
 */
#include "os.h"

#include <errno.h>
#include <stdlib.h>

static char empty_block[1];

typedef struct mapping {
    mv__os_mapping map; /* what the OS mapped */
    mv__os_file file;   /* the file, kept open for mv__map_check */
    int64_t end;        /* file offset of the mapping's last byte + 1 */
} mapping;

static void unmap(void *ctx, void *data, mv_ssize len) {
    mapping *m = ctx;
    (void)data;
    (void)len;
    mv__os_unmap(&m->map);
    mv__os_close(m->file);
    free(m);
}

/* The range rule 5 allows, from offset and length (-1: to the end). */
static int check_range(int64_t size, int64_t offset, int64_t *length,
                       int allow_empty) {
    if (offset < 0)
        return mv_error(MV_EOVERFLOW, "memory mapped offset must be positive");
    if (*length < -1)
        return mv_error(MV_EOVERFLOW, "memory mapped length must be positive");
    if (size == 0 && !allow_empty)
        return mv_error(MV_EVALUE, "cannot mmap an empty file");
    if (offset > size || (offset == size && !allow_empty))
        return mv_error(MV_EVALUE, "mmap offset is greater than file size");
    if (*length == -1)
        *length = size - offset;
    else if (*length > size - offset)
        return mv_error(MV_EVALUE, "mmap length is greater than file size");
    if (*length == 0 && !allow_empty)
        return mv_error(MV_EVALUE, "cannot mmap an empty range");
#if PTRDIFF_MAX < INT64_MAX /* a file can be larger than the address space */
    if ((uint64_t)*length > (uint64_t)MV_SSIZE_MAX - 65536)
        return mv_error(MV_EOVERFLOW, "mmap length is too large");
#endif
    return MV_OK;
}

static int map_file(mv_owner **out, mv__os_file file, const char *path,
                    int64_t offset, int64_t length, int writable) {
    mapping *m = malloc(sizeof *m);
    char *data = NULL; /* set by mv__os_map() on success */
    if (!m)
        return mv_error(MV_ENOMEM, "cannot allocate a mapping");
    int rc = mv__os_map(file, path, offset, (size_t)length, writable, &m->map,
                        &data);
    if (rc < 0) {
        free(m);
        return rc;
    }
    m->file = file;
    m->end = offset + length;
    rc = mv_owner_wrap(out, data, (mv_ssize)length, !writable, unmap, m);
    if (rc < 0) {
        mv__os_unmap(&m->map);
        free(m);
        return rc;
    }
    owner_set_guarded(*out);
    return MV_OK;
}

static int map_range(mv_owner **out, const char *path, int64_t offset,
                     int64_t length, unsigned flags, int allow_empty) {
    int writable = (flags & MV_MAP_WRITE) != 0;
    mv__os_file file = -1;
    int64_t size = 0;
    if (flags & ~(unsigned)MV_MAP_WRITE)
        return mv_error(MV_EVALUE, "unknown map flags 0x%x", flags);
    int rc = mv__os_open(path, writable, &file, &size);
    if (rc < 0)
        return rc;
    if ((rc = check_range(size, offset, &length, allow_empty)) < 0) {
        mv__os_close(file);
        return rc;
    }
    if (length == 0) {
        mv__os_close(file);
        return mv_owner_wrap(out, empty_block, 0, !writable, NULL, NULL);
    }
    rc = map_file(out, file, path, offset, length, writable);
    if (rc < 0)
        mv__os_close(file);
    return rc;
}

int mv_owner_map_range(mv_owner **out, const char *path, int64_t offset,
                       int64_t length, unsigned flags) {
    return map_range(out, path, offset, length, flags, 0);
}

int mv_owner_map(mv_owner **out, const char *path, int writable) {
    return map_range(out, path, 0, -1, writable ? MV_MAP_WRITE : 0, 1);
}

/* ---- flush, advice, shrink check ---------------------------------------- */

/* The mapping behind o, or NULL when o is not a file mapping. */
static mapping *mapping_of(const mv_owner *o) {
    void *ctx;
    if (mv__owner_wrapped(o, unmap, &ctx))
        return ctx;
    return NULL;
}

int mv_owner_is_mapped(const mv_owner *o) { return mapping_of(o) != NULL; }

/* The page-aligned span of the mapping covering [offset, offset + length)
 * of o's data, after checking it; *file is the mapping's file. */
static int owner_span(const mv_owner *o, mv_ssize offset, mv_ssize length,
                      const char *what, char **start, size_t *len,
                      mv__os_file *file) {
    mapping *m = mapping_of(o);
    mv_ssize size = mv_owner_size(o);
    if (!m)
        return mv_error(MV_ETYPE, "%s needs a file mapping", what);
    if (length == -1 && offset >= 0 && offset <= size)
        length = size - offset;
    if (offset < 0 || length < 0 || offset > size || length > size - offset)
        return mv_error(MV_EVALUE, "%s range out of bounds", what);
    char *data = mv_owner_data(o);
    char *lo = data + offset;
    size_t skip = (size_t)(lo - m->map.base) % mv__os_page_size();
    *start = lo - skip;
    *len = (size_t)length + skip;
    *file = m->file;
    return MV_OK;
}

int mv_owner_flush(mv_owner *o, mv_ssize offset, mv_ssize length) {
    char *start = NULL; /* set by owner_span() on success */
    size_t len = 0;
    mv__os_file file = -1;
    int rc = owner_span(o, offset, length, "flush", &start, &len, &file);
    if (rc < 0)
        return rc;
    if (mv_owner_readonly(o) || len == 0)
        return MV_OK; /* nothing can be dirty */
    return mv__os_flush(file, start, len);
}

int mv_owner_advise(mv_owner *o, mv_ssize offset, mv_ssize length,
                    mv_advice advice) {
    if ((unsigned)advice > (unsigned)MV_ADVISE_DONTNEED)
        return mv_error(MV_EVALUE, "unknown advice %d", (int)advice);
    char *start = NULL; /* set by owner_span() on success */
    size_t len = 0;
    mv__os_file file = -1;
    int rc = owner_span(o, offset, length, "advise", &start, &len, &file);
    if (rc < 0 || len == 0)
        return rc;
    return mv__os_advise(start, len, advice);
}

int mv__map_check(const mv_owner *o) {
    mapping *m = mapping_of(o);
    int64_t size = 0;
    if (!m)
        return MV_OK;
    if (mv__os_size(m->file, &size) < 0)
        return MV_EOS;
    if (size < m->end) {
        errno = EIO;
        return mv_error(MV_EOS,
                        "mapped file shrank under the view (now %jd bytes, "
                        "the mapping reaches byte %jd)",
                        (intmax_t)size, (intmax_t)m->end);
    }
    return MV_OK;
}
