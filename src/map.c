/*
 * map.c -- owners of file mappings.
 *
 * A mapped file is wrapped memory whose release callback unmaps it, so it
 * follows every owner rule: it lives until the creator's handle and the
 * last view are gone, and its size never changes. A writable mapping is
 * shared: writes through views reach the file. An empty file maps to an
 * empty block (mmap cannot map zero bytes).
 */
#define _POSIX_C_SOURCE 200809L
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static char empty_block[1];

static void unmap(void *ctx, void *data, mv_ssize len) {
    (void)ctx;
    munmap(data, (size_t)len);
}

/* OSError worded as Python's: "[Errno 2] No such file or directory: 'p'" */
static int os_error(int err, const char *path) {
    errno = err;
    return mv_error(MV_EOS, "[Errno %d] %s: '%s'", err, strerror(err), path);
}

int mv_owner_map(mv_owner **out, const char *path, int writable) {
    int fd = open(path, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC);
    if (fd < 0)
        return os_error(errno, path);
    struct stat st;
    int err = 0;
    if (fstat(fd, &st) < 0)
        err = errno;
    else if (S_ISDIR(st.st_mode))
        err = EISDIR;
    else if ((uintmax_t)st.st_size > (uintmax_t)MV_SSIZE_MAX)
        err = EFBIG;
    if (err) {
        close(fd);
        return os_error(err, path);
    }
    mv_ssize len = (mv_ssize)st.st_size;
    if (len == 0) {
        close(fd);
        return mv_owner_wrap(out, empty_block, 0, !writable, NULL, NULL);
    }
    int prot = PROT_READ | (writable ? PROT_WRITE : 0);
    void *data = mmap(NULL, (size_t)len, prot, MAP_SHARED, fd, 0);
    err = data == MAP_FAILED ? errno : 0;
    close(fd);
    if (err)
        return os_error(err, path);
    int rc = mv_owner_wrap(out, data, len, !writable, unmap, NULL);
    if (rc < 0)
        munmap(data, (size_t)len);
    return rc;
}
