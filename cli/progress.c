/*
 * progress.c -- the progress bar of long scans, on stderr.
 *
 * Drawn only when stderr is a terminal and the scan has run for
 * MEMVIEW_PROGRESS_AFTER seconds (1 by default), so that short runs and
 * redirected runs print nothing; erased at the end. With a known total it
 * shows a bar, the percentage and the speed; for a stream, the bytes read
 * and the speed.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>

void cli_progress_start(cli_progress *p, mv_ssize total) {
    const char *after = getenv("MEMVIEW_PROGRESS_AFTER");
    p->total = total;
    p->t0 = cli_os_clock();
    p->after = after ? strtod(after, NULL) : 1.0;
    p->shown = 0;
    p->tty = cli_os_stderr_tty();
}

void cli_progress_update(cli_progress *p, mv_ssize done) {
    if (!p->tty || p->total == 0)
        return;
    double t = cli_os_clock() - p->t0;
    if (t < p->after)
        return;
    double rate = t > 0 ? (double)done / t / 1e9 : 0.0;
    if (p->total < 0) {
        fprintf(stderr, "\r%.1f MB %.2f GB/s", (double)done / 1e6, rate);
    } else {
        int pct = (int)((double)done * 100.0 / (double)p->total);
        char bar[41];
        int fill = pct * 40 / 100;
        for (int i = 0; i < 40; i++)
            bar[i] = i < fill ? '#' : '.';
        bar[40] = '\0';
        fprintf(stderr, "\r[%s] %3d%% %.2f GB/s", bar, pct, rate);
    }
    fflush(stderr);
    p->shown = 1;
}

void cli_progress_end(cli_progress *p) {
    if (p->shown) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
}
