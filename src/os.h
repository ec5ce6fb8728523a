/*
 * os.h -- the platform layer: every call memview makes to the operating
 * system, behind one small interface with one file per OS.
 *
 *   os_posix.c   POSIX.1-2008 (Linux extras under #ifdef __linux__)
 *   os_win32.c   Windows (CreateFileW, MapViewOfFile, a vectored
 *                exception handler)
 *
 * The build compiles exactly one of them. Nothing else in src/ includes an
 * OS header or tests the platform: what differs between systems is said
 * here once.
 *
 * Rules:
 *   1. Every call that fails records memview's OSError-kind status with
 *      CPython's wording for the OS's error ("[Errno 2] No such file or
 *      directory: 'p'" on POSIX, "[WinError 2] The system cannot find the
 *      file specified: 'p'" on Windows) and returns it; mv_errno() gives
 *      the errno value (on Windows the errno CPython maps the error to).
 *   2. A mapping may start at any 64-bit file offset: the layer aligns it
 *      down to the granularity the OS needs (the page size on POSIX,
 *      dwAllocationGranularity -- 64 KiB -- on Windows) and says where the
 *      asked-for byte landed. Callers never see the alignment.
 *   3. The fault guard: the layer installs its handler once, runs a
 *      guarded function, and on a fault asks fault.c (mv__fault_claim)
 *      whether the faulting address is guarded by this thread; only then
 *      does it end the function and report the fault. Every other fault is
 *      left to whatever handled it before memview.
 */
#ifndef MV_OS_H
#define MV_OS_H

#include "internal.h"

#include <stdio.h>

/* An open file: a file descriptor on POSIX, a HANDLE on Windows. */
typedef intptr_t mv__os_file;

/* One mapping as the OS made it. */
typedef struct mv__os_mapping {
    char *base; /* what the OS returned: aligned to the granularity */
    size_t len; /* bytes mapped from base */
} mv__os_mapping;

/* Open path (UTF-8) for mapping, read-only or read-write, and give its
 * size. Only a regular file is accepted: a directory, a FIFO, a device is
 * refused with OSError before anything waits on it. */
int mv__os_open(const char *path, int writable, mv__os_file *file,
                int64_t *size);
/* The file's size now (OSError without a file name on failure). */
int mv__os_size(mv__os_file file, int64_t *size);
void mv__os_close(mv__os_file file);

/* Map [offset, offset + length) of file (length > 0, within the file),
 * shared, writable or not; *data is the byte at offset. path words the
 * error. */
int mv__os_map(mv__os_file file, const char *path, int64_t offset,
               size_t length, int writable, mv__os_mapping *out, char **data);
void mv__os_unmap(const mv__os_mapping *m);

/* Write the dirty pages of [start, start + len) (start page-aligned) to
 * file and wait until they are on the device. */
int mv__os_flush(mv__os_file file, char *start, size_t len);
/* Pass an access pattern for [start, start + len) (start page-aligned) to
 * the OS (a valid advice). POSIX: posix_madvise. Windows has no such call:
 * the advice is accepted and does nothing. */
int mv__os_advise(char *start, size_t len, mv_advice advice);

/* The page size: the unit in which memory faults and is flushed. */
size_t mv__os_page_size(void);
/* The alignment of a mapping's file offset (page size, or 64 KiB). */
size_t mv__os_granularity(void);

/* The OS's last error code (errno, or GetLastError()). */
int mv__os_last_error(void);
/* Record err (a code of mv__os_last_error()) as an OSError-kind status,
 * worded as CPython's OSError, with ": 'path'" when path is not NULL. */
int mv__os_error(int err, const char *path);

/* ---- the fault guard ---------------------------------------------------- */

/* A guarded region, on the stack of the thread that runs it. */
typedef struct mv__guard {
    uintptr_t lo[2], hi[2]; /* the guarded owners' memory, page-rounded */
    struct mv__guard *prev; /* the region this one runs inside, or NULL */
    void *jump;             /* the OS layer's way back to mv__os_guard_run */
    const char *what;       /* the fault that ended it ("bus error", ...) */
} mv__guard;

/* This thread's innermost region (NULL: none), and setting it. The OS
 * layer keeps it in thread-local storage that its fault handler reads
 * without allocating or taking a lock, on any thread. */
mv__guard *mv__os_guard_top(void);
void mv__os_guard_set_top(mv__guard *g);

/* Run *rc = fn(ctx) and return 0; or, when a fault that mv__fault_claim()
 * gave to g ended fn, return 1 with g->what set. The fault handler is
 * installed (once per process) before the first region runs. */
int mv__os_guard_run(mv__guard *g, int (*fn)(void *ctx), void *ctx, int *rc);

/* fault.c: the region of this thread that guards addr, taken off the
 * thread's stack of regions, or NULL when addr is not guarded. Called by
 * the OS layer's handler, on the faulting thread. */
mv__guard *mv__fault_claim(uintptr_t addr);

/* ---- streams ------------------------------------------------------------- */

/* Make f read and write bytes as they are (no newline translation on
 * Windows; nothing to do on POSIX). 0, or -1 with errno set. */
int mv__os_binary(FILE *f);

#endif
