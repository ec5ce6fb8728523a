/*
 * scan.c -- commands that scan a file: count and find (a byte value, at
 * memchr speed), stat (count, sum, min, max and mean of typed items).
 *
 * Each is a function of one chunk of its input run by the one chunk loop
 * (cli_scan): a buffer of a file or of standard input read in order, or,
 * for stat with a KEY or --shape, a run of a typed view of the mapped
 * range. Every chunk is a library call; a mapped one runs inside the
 * library's fault guard.
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

/* Open FILE of a count or find, and its BYTE. 0, or the exit code. */
static int open_byte_scan(cli_args *a, cli_input *in, mv_value *x) {
    int rc;
    if ((rc = parse_byte(a, a->pos[1], x)) != 0)
        return rc;
    if ((rc = cli_input_open(a, a->pos[0], in)) < 0)
        return cli_fail(rc);
    return 0;
}

/* ---- count ------------------------------------------------------------------
 */

typedef struct count_ctx {
    mv_value x;
    mv_ssize total;
} count_ctx;

static int count_chunk(void *ctx, const mv_view *chunk, mv_ssize at) {
    count_ctx *c = ctx;
    mv_ssize n;
    (void)at;
    int rc = mv_view_count(chunk, &c->x, &n);
    if (rc < 0)
        return rc;
    c->total += n;
    return 0;
}

static int run_count(cli_args *a) {
    count_ctx c = {.total = 0};
    cli_input in;
    int rc;

    if ((rc = open_byte_scan(a, &in, &c.x)) != 0)
        return rc;
    rc = cli_scan(&in, 1, count_chunk, &c);
    cli_input_close(&in);
    if (rc < 0)
        return cli_fail(rc);
    printf("%td\n", c.total);
    return cli_finish_stdout();
}

const cli_cmd cli_cmd_count = {
    .name = "count",
    .synopsis = "FILE BYTE",
    .summary = "occurrences of the byte value BYTE (0..255, or 0x..)",
    .help = "FILE - reads standard input.\n",
    .min_pos = 2,
    .max_pos = 2,
    .common = CLI_RANGE,
    .run = run_count,
};

/* ---- find -------------------------------------------------------------------
 */

typedef struct find_ctx {
    mv_value x;
    mv_ssize found;
} find_ctx;

static int find_chunk(void *ctx, const mv_view *chunk, mv_ssize at) {
    find_ctx *f = ctx;
    mv_ssize k;
    int rc = mv_view_index(chunk, &f->x, 0, chunk->nbytes, &k);
    if (rc == MV_EVALUE) /* not in this chunk */
        return 0;
    if (rc < 0)
        return rc;
    f->found = at + k;
    return 1;
}

static int run_find(cli_args *a) {
    find_ctx f = {.found = -1};
    cli_input in;
    int rc;

    if ((rc = open_byte_scan(a, &in, &f.x)) != 0)
        return rc;
    rc = cli_scan(&in, 1, find_chunk, &f);
    cli_input_close(&in);
    if (rc < 0)
        return cli_fail(rc);
    if (f.found < 0)
        return cli_fail(
            mv_error(MV_EVALUE, "memoryview.index(x): x not found"));
    printf("%td\n", in.start + f.found);
    return cli_finish_stdout();
}

const cli_cmd cli_cmd_find = {
    .name = "find",
    .synopsis = "FILE BYTE",
    .summary = "file offset of the first byte of value BYTE",
    .help = "Exits 1 (ValueError) when BYTE is not there. FILE - reads\n"
            "standard input, and stops reading at the first BYTE.\n",
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

/* A stat's scan: chunks of bytes (read) typed as items of fmt, or runs
 * of a typed view's first dimension; their stats merged. */
typedef struct stat_ctx {
    const char *fmt;
    mv_ssize itemsize;
    int field, typed, any;
    const char *field_name; /* --field by name: the core's naming rule */
    mv_stats s;
} stat_ctx;

static int stat_part(stat_ctx *c, const mv_view *part) {
    mv_stats s;
    int rc;
    if (c->field_name) { /* a view of the named field ("pos.x") */
        mv_view fv;
        if ((rc = mv_view_field_view(&fv, part, c->field_name)) < 0)
            return rc;
        rc = mv_view_stats(&fv, &s);
        mv_view_release(&fv);
    } else {
        rc = mv_view_stats_field(part, c->field, &s);
    }
    if (rc < 0)
        return rc;
    if (c->any)
        mv_stats_merge(&c->s, &s);
    else
        c->s = s;
    c->any = 1;
    return 0;
}

/* Bytes as a 1-D view of their whole items of fmt (a shorter tail, at a
 * stream's end, is left out). */
static int typed_bytes(const stat_ctx *c, const mv_view *bytes, mv_view *out) {
    mv_ssize n = bytes->nbytes / c->itemsize;
    mv_layout l = {.buf = bytes->buf,
                   .itemsize = c->itemsize,
                   .format = c->fmt,
                   .ndim = 1,
                   .shape = &n,
                   .nbytes = n * c->itemsize,
                   .readonly = 1};
    return mv_view_from_layout(out, bytes->owner, &l);
}

static int stat_chunk(void *ctx, const mv_view *chunk, mv_ssize at) {
    stat_ctx *c = ctx;
    mv_view typed;
    int rc;
    (void)at;
    if (c->typed)
        return stat_part(c, chunk);
    if ((rc = typed_bytes(c, chunk, &typed)) < 0)
        return rc;
    rc = stat_part(c, &typed);
    mv_view_release(&typed);
    return rc;
}

/* The field --field names: a number (a position in the item's record),
 * or a name the core resolves in each part (mv_view_field_view: "x",
 * "pos.x"); -1 and no name with none. */
static int stat_field(stat_ctx *c, const char *arg) {
    mv_ssize k;
    c->field = -1;
    c->field_name = NULL;
    if (!arg)
        return 0;
    if (cli_parse_ssize(arg, &k) == 0 && k >= 0 && k < INT_MAX)
        c->field = (int)k;
    else
        c->field_name = arg;
    return 0;
}

/* The input's whole items of fmt in shape (ndim >= 0) or 1-D, selected by
 * key: a typed view to scan. */
static int stat_select(cli_input *in, stat_ctx *c, const mv_ssize *shape_arg,
                       int ndim, const mv_keyitem *key, int nkey,
                       const char *field_arg) {
    mv_ssize shape[MV_MAXDIM];
    mv_view v, typed, sel;
    int rc;
    if ((rc = cli_input_view(in, &v)) < 0)
        return rc;
    mv_owner_advise(v.owner, 0, -1, MV_ADVISE_SEQUENTIAL);
    /* The bytes as items of FORMAT: whole items only (a shorter tail is
     * left out), in --shape when given. */
    mv_ssize n = v.nbytes / c->itemsize;
    if (ndim < 0) {
        ndim = 1;
        shape[0] = n;
    } else {
        memcpy(shape, shape_arg, (size_t)ndim * sizeof *shape);
    }
    mv_layout l = {.buf = v.buf,
                   .itemsize = c->itemsize,
                   .format = c->fmt,
                   .ndim = ndim,
                   .shape = shape,
                   .readonly = 1};
    mv_ssize items = 1;
    for (int i = 0; i < ndim; i++)
        if (__builtin_mul_overflow(items, shape[i], &items))
            items = MV_SSIZE_MAX;
    if (items > n) {
        mv_view_release(&v);
        return mv_error(MV_ETYPE, "memoryview: product(shape) * itemsize != "
                                  "buffer size");
    }
    l.nbytes = items * c->itemsize;
    rc = mv_view_from_layout(&typed, v.owner, &l);
    mv_view_release(&v);
    if (rc < 0)
        return rc;
    if ((rc = stat_field(c, field_arg)) == 0)
        rc = mv_view_select(&sel, &typed, key, nkey);
    mv_view_release(&typed);
    if (rc < 0)
        return rc;
    if (sel.ndim == 0 || sel.shape[0] == 0) { /* one item, or none */
        rc = stat_part(c, &sel);
        mv_view_release(&sel);
        return rc;
    }
    c->typed = 1;
    cli_input_set_view(in, &sel);
    return 0;
}

/* A stat of every whole item, read in order: the field checked against
 * an empty view of the format. */
static int stat_stream(stat_ctx *c, const char *field_arg) {
    static const char none[1];
    mv_owner *o;
    mv_view v, typed;
    int rc = mv_owner_copy(&o, none, 0);
    if (rc < 0)
        return rc;
    rc = mv_view_from_owner(&v, o);
    mv_owner_release(o);
    if (rc < 0)
        return rc;
    rc = typed_bytes(c, &v, &typed);
    mv_view_release(&v);
    if (rc < 0)
        return rc;
    if ((rc = stat_field(c, field_arg)) == 0)
        rc = stat_part(c, &typed); /* the stats of no items: the start */
    mv_view_release(&typed);
    c->any = 0;
    return rc;
}

static int run_stat(cli_args *a) {
    const char *fmt = a->pos[1];
    const char *shape_arg = cli_opt_value(a, "--shape");
    const char *field_arg = cli_opt_value(a, "--field");
    mv_ssize shape[MV_MAXDIM];
    mv_keyitem key[MV_MAXDIM];
    int ndim = -1, nkey = 0;
    stat_ctx c = {.fmt = fmt, .field = -1};
    cli_input in;
    int rc;

    if (shape_arg && cli_parse_shape(shape_arg, shape, &ndim) < 0)
        return cli_usage_error(a->cmd, "invalid shape '%s'", shape_arg);
    if (a->npos == 3 && cli_parse_key(a->pos[2], key, &nkey) < 0)
        return cli_usage_error(a->cmd, "invalid key '%s'", a->pos[2]);
    const mv_format *f;
    if ((rc = mv_format_compile(&f, fmt)) < 0)
        return cli_fail(rc);
    c.itemsize = f->itemsize;
    mv_format_release(f);
    if (c.itemsize <= 0)
        return cli_fail(mv_error(MV_EVALUE, "format %s has empty items", fmt));
    if ((rc = cli_input_open(a, a->pos[0], &in)) < 0)
        return cli_fail(rc);
    /* A KEY or a shape selects items anywhere: a view of the whole input.
     * Without them, every whole item in order: a read scan. */
    if (ndim >= 0 || a->npos == 3)
        rc = stat_select(&in, &c, shape, ndim, key, nkey, field_arg);
    else
        rc = stat_stream(&c, field_arg);
    if (rc == 0 && (c.typed || !c.any))
        rc = cli_scan(&in, c.itemsize, stat_chunk, &c);
    cli_input_close(&in);
    if (rc < 0)
        return cli_fail(rc);
    print_stats(&c.s, cli_opt_value(a, "--json") != NULL);
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
