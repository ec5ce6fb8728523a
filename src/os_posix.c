/*
 * os_posix.c -- the platform layer (os.h) on POSIX systems.
 *
 * POSIX.1-2008 only; Linux extras, where any, stay under #ifdef __linux__.
 * File offsets are 64-bit (_FILE_OFFSET_BITS), so a 32-bit build maps a
 * range at 60 GiB of a big file.
 *
 * Rules:
 *   1. Files are opened with O_NONBLOCK, so that a FIFO or a terminal is
 *      refused before anything waits on it, and O_CLOEXEC.
 *   2. Mappings are MAP_SHARED, at the page below the asked-for offset.
 *   3. The fault guard: one handler for SIGBUS and SIGSEGV, installed once
 *      (on the first guarded operation), with SA_NODEFER so that leaving it
 *      by siglongjmp leaves the signal mask as it was (sigsetjmp then need
 *      not save the mask: no system call per region).
 *   4. A fault that fault.c does not claim goes to the handler that was
 *      installed before memview's: called directly, or, when that was the
 *      default or "ignore", the default is restored and the signal raised
 *      again, so the process dies as it would have without memview.
 */
#define _POSIX_C_SOURCE 200809L
#define _FILE_OFFSET_BITS 64
#include "os.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* A range at 60 GiB of a big file maps on a 32-bit build too. */
_Static_assert(sizeof(off_t) >= 8, "_FILE_OFFSET_BITS 64 gives 64-bit off_t");

/* ---- errors -------------------------------------------------------------- */

int mv__os_last_error(void) { return errno; }

/* OSError worded as Python's: "[Errno 2] No such file or directory: 'p'" */
int mv__os_error(int err, const char *path) {
    errno = err;
    if (!path)
        return mv_error(MV_EOS, "[Errno %d] %s", err, strerror(err));
    return mv_error(MV_EOS, "[Errno %d] %s: '%s'", err, strerror(err), path);
}

/* ---- files --------------------------------------------------------------- */

/* What a file that open() accepted and that is neither regular nor a
 * directory is: open() refuses sockets, and follows symbolic links. */
static const char *file_kind(mode_t mode) {
    return S_ISFIFO(mode)  ? "a FIFO"
           : S_ISCHR(mode) ? "a character device"
                           : "a block device";
}

int mv__os_open(const char *path, int writable, mv__os_file *file,
                int64_t *size) {
    int fd =
        open(path, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return mv__os_error(mv__os_last_error(), path);
    struct stat st;
    int rc = MV_OK;
    if (fstat(fd, &st) < 0) {
        rc = mv__os_error(mv__os_last_error(), path);
    } else if (S_ISDIR(st.st_mode)) {
        rc = mv__os_error(EISDIR, path);
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
    *file = fd;
    *size = (int64_t)st.st_size;
    return MV_OK;
}

int mv__os_size(mv__os_file file, int64_t *size) {
    struct stat st;
    if (fstat((int)file, &st) < 0)
        return mv__os_error(mv__os_last_error(), NULL);
    *size = (int64_t)st.st_size;
    return MV_OK;
}

void mv__os_close(mv__os_file file) { close((int)file); }

/* ---- mappings ------------------------------------------------------------ */

size_t mv__os_page_size(void) {
    return (size_t)sysconf(_SC_PAGESIZE); /* POSIX: > 0 */
}

size_t mv__os_granularity(void) { return mv__os_page_size(); }

int mv__os_map(mv__os_file file, const char *path, int64_t offset,
               size_t length, int writable, mv__os_mapping *out, char **data) {
    int64_t skip = offset % (int64_t)mv__os_granularity();
    size_t maplen = length + (size_t)skip;
    int prot = PROT_READ | (writable ? PROT_WRITE : 0);
    void *base =
        mmap(NULL, maplen, prot, MAP_SHARED, (int)file, (off_t)(offset - skip));
    if (base == MAP_FAILED)
        return mv__os_error(mv__os_last_error(), path);
    out->base = base;
    out->len = maplen;
    *data = out->base + skip;
    return MV_OK;
}

void mv__os_unmap(const mv__os_mapping *m) { munmap(m->base, m->len); }

int mv__os_flush(mv__os_file file, char *start, size_t len) {
    (void)file; /* MS_SYNC waits for the file's pages */
    if (msync(start, len, MS_SYNC) < 0)
        return mv__os_error(mv__os_last_error(), NULL);
    return MV_OK;
}

int mv__os_advise(char *start, size_t len, mv_advice advice) {
    static const int native[] = {
        [MV_ADVISE_NORMAL] = POSIX_MADV_NORMAL,
        [MV_ADVISE_SEQUENTIAL] = POSIX_MADV_SEQUENTIAL,
        [MV_ADVISE_RANDOM] = POSIX_MADV_RANDOM,
        [MV_ADVISE_WILLNEED] = POSIX_MADV_WILLNEED,
        [MV_ADVISE_DONTNEED] = POSIX_MADV_DONTNEED,
    };
    int err = posix_madvise(start, len, native[advice]);
    if (err)
        return mv__os_error(err, NULL);
    return MV_OK;
}

/* ---- the fault guard ----------------------------------------------------- */

static _Thread_local mv__guard *volatile top;
static struct sigaction old_bus, old_segv;

mv__guard *mv__os_guard_top(void) { return top; }

void mv__os_guard_set_top(mv__guard *g) { top = g; }
static pthread_once_t install_once = PTHREAD_ONCE_INIT;

/* Rule 4: what would have happened without memview. */
static void pass_on(int sig, siginfo_t *info, void *uctx) {
    struct sigaction *old = sig == SIGBUS ? &old_bus : &old_segv;
    if (old->sa_flags & SA_SIGINFO) {
        old->sa_sigaction(sig, info, uctx);
        return;
    }
    /* Taken the other way only on the way to dying of sig, which leaves
     * gcov no chance to record it (docs/coverage.md; test_fault checks
     * the death). */
    /* GCOVR_EXCL_BR_START */
    if (old->sa_handler != SIG_DFL && old->sa_handler != SIG_IGN) {
        old->sa_handler(sig);
        return;
    }
    /* GCOVR_EXCL_BR_STOP */
    /* dies, as without memview (which gcov cannot record) */
    signal(sig, SIG_DFL), raise(sig); /* GCOVR_EXCL_LINE */
}

static void on_fault(int sig, siginfo_t *info, void *uctx) {
    /* SA_SIGINFO: info is set */
    mv__guard *g = mv__fault_claim((uintptr_t)info->si_addr);
    if (g) {
        g->what = sig == SIGBUS ? "bus error" : "segmentation fault";
        siglongjmp(*(sigjmp_buf *)g->jump, 1);
    }
    pass_on(sig, info, uctx);
}

static void install(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    /* Cannot fail: both signals may be caught, and sa is well formed. */
    sigaction(SIGBUS, &sa, &old_bus);
    sigaction(SIGSEGV, &sa, &old_segv);
}

int mv__os_guard_run(mv__guard *g, int (*fn)(void *ctx), void *ctx, int *rc) {
    sigjmp_buf env;
    pthread_once(&install_once, install);
    g->jump = &env;
    if (sigsetjmp(env, 0) != 0)
        return 1; /* fault.c took g off the thread's regions */
    *rc = fn(ctx);
    return 0;
}

/* ---- streams ------------------------------------------------------------- */

int mv__os_binary(FILE *f) {
    (void)f; /* POSIX streams never translate */
    return 0;
}
