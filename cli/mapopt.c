/*
 * mapopt.c -- the map options of every file command, and opening the
 * range they select.
 *
 * --offset N and --length N select bytes [N, N + length) of the file, as
 * a slice does: a negative offset counts from the end, and both ends are
 * clamped to the file, so a range past the end is empty rather than an
 * error (as data[offset:offset + length] is in Python). Only the selected
 * range is mapped, so the size of the file costs nothing.
 */
#define _POSIX_C_SOURCE 200809L
#define _FILE_OFFSET_BITS 64
#include "cli.h"

#include <stdint.h>
#include <sys/stat.h>

void cli_range(const cli_args *a, mv_ssize size, mv_ssize *start,
               mv_ssize *stop) {
    mv_ssize off = a->offset;
    if (off < 0)
        off = off < -size ? 0 : off + size;
    if (off > size)
        off = size;
    mv_ssize end = size;
    if (a->length >= 0 && a->length < size - off)
        end = off + a->length;
    *start = off;
    *stop = end;
}

int cli_open(cli_args *a, const char *path, mv_view *v) {
    mv_owner *o;
    mv_ssize start, stop;
    struct stat st;
    int rc;

    if (stat(path, &st) < 0 || !S_ISREG(st.st_mode) ||
        (uintmax_t)st.st_size > (uintmax_t)MV_SSIZE_MAX) {
        /* The library words the refusal (missing file, directory, FIFO). */
        rc = mv_owner_map(&o, path, 0);
        if (rc < 0)
            return cli_fail(rc);
        st.st_size = (off_t)mv_owner_size(o);
        mv_owner_release(o);
    }
    cli_range(a, (mv_ssize)st.st_size, &start, &stop);
    a->start = start;
    /* Only the selected range is mapped: a slice near the end of a huge
     * file costs what the slice does. */
    if (start == stop)
        rc = mv_owner_copy(&o, "", 0);
    else
        rc = mv_owner_map_range(&o, path, start, stop - start, 0);
    if (rc < 0)
        return cli_fail(rc);
    rc = mv_view_from_owner(v, o);
    mv_owner_release(o); /* the view holds the mapping from here on */
    if (rc < 0)
        return cli_fail(rc);
    return 0;
}

/* ---- progress ----------------------------------------------------------- */

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void cli_progress_start(cli_progress *p, mv_ssize total) {
    const char *after = getenv("MEMVIEW_PROGRESS_AFTER");
    p->total = total;
    p->t0 = now_s();
    p->after = after ? strtod(after, NULL) : 1.0;
    p->shown = 0;
    p->tty = isatty(STDERR_FILENO);
}

void cli_progress_update(cli_progress *p, mv_ssize done) {
    if (!p->tty || p->total <= 0)
        return;
    double t = now_s() - p->t0;
    if (t < p->after)
        return;
    int pct = (int)((double)done * 100.0 / (double)p->total);
    char bar[41];
    int fill = pct * 40 / 100;
    for (int i = 0; i < 40; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[40] = '\0';
    fprintf(stderr, "\r[%s] %3d%% %.2f GB/s", bar, pct,
            t > 0 ? (double)done / t / 1e9 : 0.0);
    fflush(stderr);
    p->shown = 1;
}

void cli_progress_end(cli_progress *p) {
    if (p->shown) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
}
