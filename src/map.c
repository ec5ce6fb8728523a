/*
 * map.c -- owners of file mappings: any byte range, read-only or
 * writable, flushed and advised by range.
 *
 * Rules:
 *   1. A mapping is wrapped memory whose release callback unmaps it, so it
 *      follows every owner rule: it lives until the creator's handle and
 *      the last view are gone, and its size never changes.
 *   2. The caller names any byte range [offset, offset + length) of the
 *      file; mmap needs a page-aligned offset, so the mapping starts at the
 *      page below offset and the owner's data starts `offset % page` bytes
 *      into it. Callers never see the alignment.
 *   3. A writable mapping is shared: writes through views reach the file;
 *      mv_owner_flush() makes them durable (msync) for a range.
 *   4. Only regular files are mapped. A directory, a FIFO, a terminal or
 *      /dev/stdin is refused with OSError before anything waits on it (the
 *      file is opened with O_NONBLOCK).
 *   5. An empty file or range, or a range past the end, is ValueError with
 *      CPython's mmap messages; a negative offset or length is
 *      OverflowError, as there.
 *   6. A mapped owner is guarded (fault.c): its bulk operations turn a
 *      fault into MV_EOS. The mapping keeps its file open, so that a scan
 *      can ask afterwards whether the file shrank under it (a shrink inside
 *      the last page reads as zeros, not as a fault).
 */
#define _POSIX_C_SOURCE 200809L
#define _FILE_OFFSET_BITS 64
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static char empty_block[1];

typedef struct mapping {
    char *base;    /* what mmap returned */
    size_t maplen; /* what was mapped from base */
    int fd;        /* the file, kept open for mv__map_check */
    int64_t end;   /* file offset of the mapping's last byte + 1 */
} mapping;

static void unmap(void *ctx, void *data, mv_ssize len) {
    mapping *m = ctx;
    (void)data;
    (void)len;
    munmap(m->base, m->maplen);
    close(m->fd);
    free(m);
}

/* OSError worded as Python's: "[Errno 2] No such file or directory: 'p'" */
static int os_error(int err, const char *path) {
    errno = err;
    return mv_error(MV_EOS, "[Errno %d] %s: '%s'", err, strerror(err), path);
}

/* What a file that open() accepted and that is neither regular nor a
 * directory is: open() refuses sockets, and follows symbolic links. */
static const char *file_kind(mode_t mode) {
    return S_ISFIFO(mode)  ? "a FIFO"
           : S_ISCHR(mode) ? "a character device"
                           : "a block device";
}

/* Open path for mapping and give its size; every refusal of rule 4. */
static int open_regular(const char *path, int writable, int *fd_out,
                        int64_t *size) {
    int fd =
        open(path, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return os_error(errno, path);
    struct stat st;
    int rc = MV_OK;
    if (fstat(fd, &st) < 0) {
        rc = os_error(errno, path);
    } else if (S_ISDIR(st.st_mode)) {
        rc = os_error(EISDIR, path);
    } else if (!S_ISREG(st.st_mode)) {
        errno = ENODEV;
        rc = mv_error(MV_EOS,
                      "[Errno %d] %s (%s cannot be mapped; only a regular "
                      "file can): '%s'",
                      ENODEV, strerror(ENODEV), file_kind(st.st_mode), path);
    }
    if (rc < 0) {
        close(fd);
        return rc;
    }
    *fd_out = fd;
    *size = (int64_t)st.st_size;
    return MV_OK;
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

static int map_fd(mv_owner **out, int fd, const char *path, int64_t offset,
                  int64_t length, int writable) {
    int64_t skip = offset % (int64_t)sysconf(_SC_PAGESIZE); /* POSIX: > 0 */
    size_t maplen = (size_t)(length + skip);
    int prot = PROT_READ | (writable ? PROT_WRITE : 0);
    mapping *m = malloc(sizeof *m);
    if (!m)
        return mv_error(MV_ENOMEM, "cannot allocate a mapping");
    void *base =
        mmap(NULL, maplen, prot, MAP_SHARED, fd, (off_t)(offset - skip));
    if (base == MAP_FAILED) {
        int err = errno;
        free(m);
        return os_error(err, path);
    }
    m->base = base;
    m->maplen = maplen;
    m->fd = fd;
    m->end = offset + length;
    int rc = mv_owner_wrap(out, m->base + skip, (mv_ssize)length, !writable,
                           unmap, m);
    if (rc < 0) {
        munmap(base, maplen);
        free(m);
        return rc;
    }
    owner_set_guarded(*out);
    return MV_OK;
}

static int map_range(mv_owner **out, const char *path, int64_t offset,
                     int64_t length, unsigned flags, int allow_empty) {
    int writable = (flags & MV_MAP_WRITE) != 0;
    int fd = -1;
    int64_t size = 0;
    if (flags & ~(unsigned)MV_MAP_WRITE)
        return mv_error(MV_EVALUE, "unknown map flags 0x%x", flags);
    int rc = open_regular(path, writable, &fd, &size);
    if (rc < 0)
        return rc;
    if ((rc = check_range(size, offset, &length, allow_empty)) < 0) {
        close(fd);
        return rc;
    }
    if (length == 0) {
        close(fd);
        return mv_owner_wrap(out, empty_block, 0, !writable, NULL, NULL);
    }
    rc = map_fd(out, fd, path, offset, length, writable);
    if (rc < 0)
        close(fd);
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
 * of o's data, after checking it. */
static int owner_span(const mv_owner *o, mv_ssize offset, mv_ssize length,
                      const char *what, char **start, size_t *len) {
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
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t skip = (size_t)(lo - m->base) % page;
    *start = lo - skip;
    *len = (size_t)length + skip;
    return MV_OK;
}

int mv_owner_flush(mv_owner *o, mv_ssize offset, mv_ssize length) {
    char *start = NULL; /* set by owner_span() on success */
    size_t len = 0;
    int rc = owner_span(o, offset, length, "flush", &start, &len);
    if (rc < 0)
        return rc;
    if (mv_owner_readonly(o) || len == 0)
        return MV_OK; /* nothing can be dirty */
    if (msync(start, len, MS_SYNC) < 0)
        return mv_error(MV_EOS, "[Errno %d] %s", errno, strerror(errno));
    return MV_OK;
}

int mv_owner_advise(mv_owner *o, mv_ssize offset, mv_ssize length,
                    mv_advice advice) {
    static const int native[] = {
        [MV_ADVISE_NORMAL] = POSIX_MADV_NORMAL,
        [MV_ADVISE_SEQUENTIAL] = POSIX_MADV_SEQUENTIAL,
        [MV_ADVISE_RANDOM] = POSIX_MADV_RANDOM,
        [MV_ADVISE_WILLNEED] = POSIX_MADV_WILLNEED,
        [MV_ADVISE_DONTNEED] = POSIX_MADV_DONTNEED,
    };
    if ((unsigned)advice >= sizeof native / sizeof native[0])
        return mv_error(MV_EVALUE, "unknown advice %d", (int)advice);
    char *start = NULL; /* set by owner_span() on success */
    size_t len = 0;
    int rc = owner_span(o, offset, length, "advise", &start, &len);
    if (rc < 0 || len == 0)
        return rc;
    int err = posix_madvise(start, len, native[advice]);
    if (err) {
        errno = err;
        return mv_error(MV_EOS, "[Errno %d] %s", err, strerror(err));
    }
    return MV_OK;
}

int mv__map_check(const mv_owner *o) {
    mapping *m = mapping_of(o);
    struct stat st;
    if (!m)
        return MV_OK;
    if (fstat(m->fd, &st) < 0)
        return mv_error(MV_EOS, "[Errno %d] %s", errno, strerror(errno));
    if ((int64_t)st.st_size < m->end) {
        errno = EIO;
        return mv_error(MV_EOS,
                        "mapped file shrank under the view (now %jd bytes, "
                        "the mapping reaches byte %jd)",
                        (intmax_t)st.st_size, (intmax_t)m->end);
    }
    return MV_OK;
}
