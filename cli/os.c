/*
 * os.c -- every call the memview command makes to the operating system,
 * and nothing else: opening, reading, seeking and writing files, the
 * clock, and whether stderr is a terminal. The rest of cli/ is standard C
 * over libmemview; a port of the tool is a port of this file.
 *
 * Rules:
 *   1. Failures are MV_EOS statuses worded as Python's OSError:
 *      "[Errno 2] No such file or directory: 'x'", the name being the path,
 *      or "<stdin>" / "<stdout>" for the standard streams.
 *   2. Reads and writes are retried on EINTR and on short transfers; a
 *      read gives fewer bytes than asked only at the end of the input.
 */
#define _POSIX_C_SOURCE 200809L
#define _FILE_OFFSET_BITS 64
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Files are bytes: no text-mode translation where the C library has one
 * (Windows' O_BINARY; 0 elsewhere). */
#ifndef O_BINARY
#define O_BINARY 0
#endif

static int os_error(const char *name) {
    return mv_error(MV_EOS, "[Errno %d] %s: '%s'", errno, strerror(errno),
                    name);
}

int cli_os_open(const char *path, int *fd) {
    if (strcmp(path, "-") == 0) {
        *fd = STDIN_FILENO;
        return 0;
    }
    *fd = open(path, O_RDONLY | O_BINARY);
    return *fd < 0 ? os_error(path) : 0;
}

int cli_os_create(const char *path, int truncate, int *fd) {
    *fd = open(path, O_WRONLY | O_CREAT | O_BINARY | (truncate ? O_TRUNC : 0),
               0666);
    return *fd < 0 ? os_error(path) : 0;
}

void cli_os_close(int fd) {
    if (fd > STDERR_FILENO)
        close(fd);
}

int cli_os_kind(int fd, const char *name, mv_ssize *size) {
    struct stat st;
    if (fstat(fd, &st) < 0)
        return os_error(name);
    if (S_ISDIR(st.st_mode)) {
        errno = EISDIR;
        return os_error(name);
    }
    if (!S_ISREG(st.st_mode) || fd == STDIN_FILENO)
        return CLI_STREAM;
    if ((uintmax_t)st.st_size > (uintmax_t)MV_SSIZE_MAX) {
        errno = EFBIG;
        return os_error(name);
    }
    *size = (mv_ssize)st.st_size;
#if defined(POSIX_FADV_SEQUENTIAL)
    posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL); /* a hint only */
#endif
    return CLI_FILE;
}

int cli_os_seek(int fd, const char *name, mv_ssize offset) {
    return lseek(fd, (off_t)offset, SEEK_SET) < 0 ? os_error(name) : 0;
}

int cli_os_read(int fd, const char *name, void *buf, mv_ssize n,
                mv_ssize *got) {
    char *p = buf;
    *got = 0;
    while (*got < n) {
        ssize_t r = read(fd, p + *got, (size_t)(n - *got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return os_error(name);
        if (r == 0)
            break;
        *got += r;
    }
    return 0;
}

int cli_os_write(int fd, const char *name, const void *buf, size_t n) {
    const char *p = buf;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return os_error(name);
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int cli_os_skip_output(int fd, mv_ssize delta) {
    return lseek(fd, (off_t)delta, SEEK_CUR) >= 0 ? 0 : -1;
}

int cli_os_stderr_tty(void) { return isatty(STDERR_FILENO); }

double cli_os_clock(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}
