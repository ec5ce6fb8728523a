/*
 * info.c -- info (what a file looks like as a view) and seed (the
 * article's loop, timed).
 */
#include "cli.h"

#include <stdio.h>

static void print_tuple(const mv_ssize *a, int n) {
    putchar('(');
    for (int i = 0; i < n; i++)
        printf(i ? ", %td" : "%td", a[i]);
    fputs(n == 1 ? ",)" : ")", stdout);
}

static int run_info(cli_args *a) {
    mv_view v;
    mv_ssize n;
    int rc;

    if ((rc = cli_open(a, a->pos[0], &v)) != 0)
        return rc;
    if ((rc = mv_view_length(&v, &n)) < 0) {
        mv_view_release(&v);
        return cli_fail(rc);
    }
    printf("file: %s\n", a->pos[0]);
    printf("size: %td\n", v.nbytes);
    printf("format: %s\n", v.format);
    printf("itemsize: %td\n", v.itemsize);
    printf("ndim: %d\n", v.ndim);
    fputs("shape: ", stdout);
    print_tuple(v.shape, v.ndim);
    fputs("\nstrides: ", stdout);
    print_tuple(v.strides, v.ndim);
    printf("\nlength: %td\n", n);
    printf("readonly: %s\n", (v.flags & MV_READONLY) ? "True" : "False");
    printf("contiguous: %s\n", mv_view_is_c_contiguous(&v) ? "True" : "False");
    printf("exports: %td\n", mv_owner_exports(v.owner));
    mv_view_release(&v);
    return cli_finish_stdout();
}

const cli_cmd cli_cmd_info = {
    .name = "info",
    .synopsis = "FILE",
    .summary = "size, format and exports of FILE",
    .min_pos = 1,
    .max_pos = 1,
    .common = CLI_RANGE,
    .run = run_info,
};

/* ---- seed ---------------------------------------------------------------- */

/* Every loop reads the first byte of what is left into this, so that no
 * iteration can be optimised away. */
static volatile unsigned sink;

static int seed_one(mv_ssize n) {
    mv_owner *o;
    mv_view v;
    double t0, t_view, t_raw;
    int rc;

    if ((rc = mv_owner_new_bytes(&o, n)) < 0)
        return cli_fail(rc);
    unsigned char *data = mv_owner_data(o);
    for (mv_ssize i = 0; i < n; i++)
        data[i] = (unsigned char)i;
    rc = mv_view_from_owner(&v, o);
    if (rc < 0) {
        mv_owner_release(o);
        return cli_fail(rc);
    }

    /* Python: while b: b = b[1:] */
    t0 = cli_os_clock();
    while (v.nbytes) {
        sink += (unsigned char)v.buf[0];
        if ((rc = mv_view_narrow(&v, 1, MV_END, 1)) < 0)
            break;
    }
    t_view = cli_os_clock() - t0;
    mv_view_release(&v);
    if (rc < 0) {
        mv_owner_release(o);
        return cli_fail(rc);
    }

    /* The same walk over a raw pointer and a length. */
    const unsigned char *p = data;
    mv_ssize len = n;
    t0 = cli_os_clock();
    while (len) {
        sink += p[0];
        p++;
        len--;
    }
    t_raw = cli_os_clock() - t0;
    mv_owner_release(o);

    printf("%td %.9f %.9f\n", n, t_view, t_raw);
    return 0;
}

static int run_seed(cli_args *a) {
    mv_ssize sizes[64];
    int count = 0, rc;

    for (int i = 0; i < a->npos; i++) {
        if (cli_parse_size(a->pos[i], &sizes[count]) < 0 || sizes[count] < 0)
            return cli_usage_error(a->cmd, "invalid size '%s'", a->pos[i]);
        count++;
    }
    if (count == 0)
        for (mv_ssize n = 100000; n <= 500000; n += 100000)
            sizes[count++] = n;
    for (int i = 0; i < count; i++) {
        if ((rc = seed_one(sizes[i])) != 0)
            return rc;
        fflush(stdout);
    }
    return cli_finish_stdout();
}

const cli_cmd cli_cmd_seed = {
    .name = "seed",
    .synopsis = "[N ...]",
    .summary = "time 'while v: v = v[1:]' over N bytes, view against pointer",
    .help = "Prints one line per N: N, seconds through a view, seconds "
            "through a raw pointer.\n",
    .min_pos = 0,
    .max_pos = 64,
    .run = run_seed,
};
