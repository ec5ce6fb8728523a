/*
 * scan.c -- commands that scan a file: count and find (a byte value, at
 * memchr speed), stat (count, sum, min, max and mean of typed items).
 *
 * Each scans in chunks of CLI_SCAN_CHUNK bytes so that a progress bar can
 * follow it on a terminal; every chunk is a library call on a view of the
 * mapping, inside its fault guard.
 */
#include "cli.h"
#include "int128.h" /* src/: the exact sum in decimal */

#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_byte(cli_args *a, const char *s, mv_value *x) {
    mv_ssize byte;
    if (cli_parse_ssize(s, &byte) < 0 || byte < 0 || byte > 255)
        return cli_usage_error(
            a->cmd, "BYTE must be a number from 0 to 255, not '%s'", s);
    x->type = MV_VAL_INT;
    x->i = byte;
    return 0;
}

/* ---- count ------------------------------------------------------------------
 */

static int run_count(cli_args *a) {
    mv_ssize total = 0;
    mv_view v;
    mv_value x;
    cli_progress pr;
    int rc;

    if ((rc = parse_byte(a, a->pos[1], &x)) != 0)
        return rc;
    if ((rc = cli_open(a, a->pos[0], &v)) != 0)
        return rc;
    mv_owner_advise(v.owner, 0, -1, MV_ADVISE_SEQUENTIAL); /* a hint only */
    cli_progress_start(&pr, v.nbytes);
    for (mv_ssize at = 0; at < v.nbytes || at == 0; at += CLI_SCAN_CHUNK) {
        mv_view part;
        mv_ssize n;
        rc = mv_view_slice(&part, &v, at, at + CLI_SCAN_CHUNK, 1);
        if (rc == 0)
            rc = mv_view_count(&part, &x, &n);
        mv_view_release(&part);
        if (rc < 0)
            break;
        total += n;
        cli_progress_update(&pr, at + part.nbytes);
        if (v.nbytes == 0)
            break;
    }
    cli_progress_end(&pr);
    mv_view_release(&v);
    if (rc < 0)
        return cli_fail(rc);
    printf("%td\n", total);
    return cli_finish_stdout();
}

const cli_cmd cli_cmd_count = {
    .name = "count",
    .synopsis = "FILE BYTE",
    .summary = "occurrences of the byte value BYTE (0..255, or 0x..)",
    .min_pos = 2,
    .max_pos = 2,
    .common = CLI_RANGE,
    .run = run_count,
};

/* ---- find -------------------------------------------------------------------
 */

static int run_find(cli_args *a) {
    mv_view v;
    mv_value x;
    cli_progress pr;
    mv_ssize found = -1;
    int rc;

    if ((rc = parse_byte(a, a->pos[1], &x)) != 0)
        return rc;
    if ((rc = cli_open(a, a->pos[0], &v)) != 0)
        return rc;
    mv_owner_advise(v.owner, 0, -1, MV_ADVISE_SEQUENTIAL);
    cli_progress_start(&pr, v.nbytes);
    for (mv_ssize at = 0; at < v.nbytes && found < 0; at += CLI_SCAN_CHUNK) {
        mv_ssize stop =
            v.nbytes - at < CLI_SCAN_CHUNK ? v.nbytes : at + CLI_SCAN_CHUNK;
        rc = mv_view_index(&v, &x, at, stop, &found);
        if (rc == MV_EVALUE) { /* not in this chunk */
            found = -1;
            rc = 0;
        }
        if (rc < 0)
            break;
        cli_progress_update(&pr, stop);
    }
    cli_progress_end(&pr);
    mv_view_release(&v);
    if (rc < 0)
        return cli_fail(rc);
    if (found < 0)
        return cli_fail(
            mv_error(MV_EVALUE, "memoryview.index(x): x not found"));
    printf("%td\n", a->start + found);
    return cli_finish_stdout();
}

const cli_cmd cli_cmd_find = {
    .name = "find",
    .synopsis = "FILE BYTE",
    .summary = "file offset of the first byte of value BYTE",
    .help = "Exits 1 (ValueError) when BYTE is not there.\n",
    .min_pos = 2,
    .max_pos = 2,
    .common = CLI_RANGE,
    .run = run_find,
};

/* ---- stat -------------------------------------------------------------------
 */

static void print_i128(int64_t hi, uint64_t lo) {
    char d[41];
    mv__i128p_to_dec(mv__i128p_make(hi, lo), d);
    fputs(d, stdout);
}

static void print_stats(const mv_stats *s, int json) {
    const char *sep = json ? ", " : "\n";
    const char *q = json ? "\"" : "";
    const char *colon = json ? ": " : ": ";
    void (*pf)(double) = json ? cli_print_json_float : cli_print_float;
    if (json)
        putchar('{');
    printf("%scount%s%s%td", q, q, colon, s->count);
    printf("%s%ssum%s%s", sep, q, q, colon);
    if (s->kind == MV_KIND_FLOAT)
        pf(s->sum);
    else
        print_i128(s->sum_hi, s->sum_lo);
    printf("%s%smin%s%s", sep, q, q, colon);
    if (s->count == 0 || s->kind == MV_KIND_FLOAT)
        pf(s->min);
    else if (s->kind == MV_KIND_INT)
        printf("%" PRId64, s->min_i);
    else
        printf("%" PRIu64, s->min_u);
    printf("%s%smax%s%s", sep, q, q, colon);
    if (s->count == 0 || s->kind == MV_KIND_FLOAT)
        pf(s->max);
    else if (s->kind == MV_KIND_INT)
        printf("%" PRId64, s->max_i);
    else
        printf("%" PRIu64, s->max_u);
    printf("%s%smean%s%s", sep, q, q, colon);
    pf(s->mean);
    if (s->kind == MV_KIND_FLOAT) {
        printf("%s%snans%s%s%td", sep, q, q, colon, s->nans);
        printf("%s%snansum%s%s", sep, q, q, colon);
        pf(s->nansum);
        printf("%s%snanmin%s%s", sep, q, q, colon);
        pf(s->nanmin);
        printf("%s%snanmax%s%s", sep, q, q, colon);
        pf(s->nanmax);
        printf("%s%snanmean%s%s", sep, q, q, colon);
        pf(s->nanmean);
    }
    puts(json ? "}" : "");
}

/* The stats of v, a chunk of its first dimension at a time. */
static int stats_chunked(const mv_view *v, int field, mv_stats *out) {
    mv_ssize n = v->ndim ? v->shape[0] : 1;
    mv_ssize row = n ? v->nbytes / n : 0;
    mv_ssize per =
        row > 0 && CLI_SCAN_CHUNK / row > 0 ? CLI_SCAN_CHUNK / row : 1;
    cli_progress pr;
    int rc = 0;
    if (v->ndim == 0 || n == 0)
        return mv_view_stats_field(v, field, out);
    memset(out, 0, sizeof *out);
    cli_progress_start(&pr, v->nbytes);
    for (mv_ssize at = 0; at < n; at += per) {
        mv_view part;
        mv_stats s;
        rc = mv_view_slice(&part, v, at, at + per, 1);
        if (rc == 0)
            rc = mv_view_stats_field(&part, field, &s);
        mv_view_release(&part);
        if (rc < 0)
            break;
        if (at == 0)
            *out = s;
        else
            mv_stats_merge(out, &s);
        cli_progress_update(&pr, (at + per < n ? at + per : n) * row);
    }
    cli_progress_end(&pr);
    return rc;
}

static int run_stat(cli_args *a) {
    const char *fmt = a->pos[1];
    const char *shape_arg = cli_opt_value(a, "--shape");
    const char *field_arg = cli_opt_value(a, "--field");
    int field = -1;
    mv_ssize shape[MV_MAXDIM];
    mv_keyitem key[MV_MAXDIM];
    int ndim = -1, nkey = 0;
    mv_view v, typed, sel;
    mv_stats s;
    int rc;

    if (shape_arg && cli_parse_shape(shape_arg, shape, &ndim) < 0)
        return cli_usage_error(a->cmd, "invalid shape '%s'", shape_arg);
    if (a->npos == 3 && cli_parse_key(a->pos[2], key, &nkey) < 0)
        return cli_usage_error(a->cmd, "invalid key '%s'", a->pos[2]);
    const mv_format *f;
    if ((rc = mv_format_compile(&f, fmt)) < 0)
        return cli_fail(rc);
    mv_ssize size = f->itemsize;
    mv_format_release(f);
    if (size <= 0)
        return cli_fail(mv_error(MV_EVALUE, "format %s has empty items", fmt));
    if ((rc = cli_open(a, a->pos[0], &v)) != 0)
        return rc;
    mv_owner_advise(v.owner, 0, -1, MV_ADVISE_SEQUENTIAL);
    /* The file's bytes as items of FORMAT: whole items only (a shorter
     * tail is left out), in --shape when given. */
    mv_ssize n = v.nbytes / size;
    if (ndim < 0) {
        ndim = 1;
        shape[0] = n;
    }
    mv_layout l = {.buf = v.buf,
                   .itemsize = size,
                   .format = fmt,
                   .ndim = ndim,
                   .shape = shape,
                   .readonly = 1};
    mv_ssize items = 1;
    for (int i = 0; i < ndim; i++)
        if (__builtin_mul_overflow(items, shape[i], &items))
            items = MV_SSIZE_MAX;
    if (items > n) {
        mv_view_release(&v);
        return cli_fail(mv_error(MV_ETYPE,
                                 "memoryview: product(shape) * itemsize != "
                                 "buffer size"));
    }
    l.nbytes = items * size;
    rc = mv_view_from_layout(&typed, v.owner, &l);
    mv_view_release(&v);
    if (rc < 0)
        return cli_fail(rc);
    const char *field_name = NULL;
    if (field_arg) {
        mv_ssize k;
        if (cli_parse_ssize(field_arg, &k) == 0 && k >= 0 && k < INT_MAX)
            field = (int)k;
        else
            field_name = field_arg; /* the core's naming rule ("pos.x") */
    }
    rc = mv_view_select(&sel, &typed, key, nkey);
    mv_view_release(&typed);
    if (rc == 0 && field_name) {
        mv_view fv;
        rc = mv_view_field_view(&fv, &sel, field_name);
        mv_view_release(&sel);
        if (rc == 0)
            mv_view_move(&sel, &fv);
    }
    if (rc < 0)
        return cli_fail(rc);
    rc = stats_chunked(&sel, field, &s);
    mv_view_release(&sel);
    if (rc < 0)
        return cli_fail(rc);
    print_stats(&s, cli_opt_value(a, "--json") != NULL);
    return cli_finish_stdout();
}

static const cli_opt stat_opts[] = {
    {"--shape", 0, "N,M,...", "read the items as an N-D array of this shape"},
    {"--field", 0, "NAME",
     "a record's field, by number or by name (a path: \"pos.x\")"},
    {"--json", 0, NULL, "print one JSON object"},
    {0},
};

const cli_cmd cli_cmd_stat = {
    .name = "stat",
    .synopsis = "FILE FORMAT [KEY]",
    .summary = "count, sum, min, max and mean of FILE's items as FORMAT",
    .help = "FORMAT is any struct or PEP 3118 format: 'd', '<i', '>Q', '4h',\n"
            "'T{<I:id:<d:x:}' (with --field x). "
            "KEY selects items as Python's [] does: '100:200', '::2',\n"
            "'1:-1,3' (N-D, with --shape). Integer sums are exact; for\n"
            "floats NaN makes sum, min, max and mean NaN, as NumPy's sum,\n"
            "min, max and mean, and nansum, nanmin, nanmax and nanmean\n"
            "leave NaNs out. A tail shorter than one item is left out.\n",
    .min_pos = 2,
    .max_pos = 3,
    .common = CLI_RANGE,
    .opts = stat_opts,
    .run = run_stat,
};
