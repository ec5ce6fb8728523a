/*
 * get.c -- commands that read typed items of a file: get.
 *
 * The home of the item-reading family: a command that shows items (show,
 * a record's fields) belongs here, beside cli_print_value(), the one
 * printer of an item as Python's repr.
 */
#include "cli.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- printing items as Python's repr ---------------------------------- */

/* Does the decimal m * 10^q read back as x? */
static int reads_back(long long m, int q, double x) {
    char s[48];
    snprintf(s, sizeof s, "%llde%d", m, q);
    return strtod(s, NULL) == x;
}

/* The shortest decimal digits that read back as x (x finite, x >= 0):
 * the digits (no trailing zeros) and the exponent of the first one. */
static void shortest_digits(double x, char *digits, size_t size, int *exp10) {
    char s[48];
    long long m = 0;
    int q = 0;

    for (int p = 1; p <= 17; p++) {
        snprintf(s, sizeof s, "%.*e", p - 1, x);
        char *e = strchr(s, 'e');
        m = 0;
        for (char *c = s; c < e; c++)
            if (*c != '.')
                m = m * 10 + (*c - '0');
        q = atoi(e + 1) - (p - 1);
        if (reads_back(m, q, x))
            break;
        /* The nearest p digits may miss where a neighbour does not. */
        if (m > 0 && reads_back(m - 1, q, x)) {
            m -= 1;
            break;
        }
        if (reads_back(m + 1, q, x)) {
            m += 1;
            break;
        }
    }
    int n = snprintf(digits, size, "%lld", m);
    while (n > 1 && digits[n - 1] == '0')
        digits[--n] = '\0';
    /* m has as many digits as printed before stripping. */
    char full[24];
    int len = snprintf(full, sizeof full, "%lld", m);
    *exp10 = q + len - 1;
}

/* Python's repr of a float into out (64 bytes): the shortest digits that
 * read back the same, positional for exponents -4 .. 15, else d.ddde+XX. */
static void format_float(double x, char *out) {
    char mant[24];
    int exp10;
    size_t k = 0, m;

    if (isnan(x)) {
        strcpy(out, "nan");
        return;
    }
    if (isinf(x)) {
        strcpy(out, x < 0 ? "-inf" : "inf");
        return;
    }
    if (signbit(x))
        out[k++] = '-';
    shortest_digits(fabs(x), mant, sizeof mant, &exp10);
    m = strlen(mant);
    if (x == 0)
        exp10 = 0;

    if (exp10 >= -4 && exp10 < 16) {
        if (exp10 < 0) {
            out[k++] = '0';
            out[k++] = '.';
            for (int i = -1; i > exp10; i--)
                out[k++] = '0';
            for (size_t i = 0; i < m; i++)
                out[k++] = mant[i];
        } else {
            for (int i = 0; i <= exp10; i++)
                out[k++] = (size_t)i < m ? mant[i] : '0';
            out[k++] = '.';
            if ((size_t)exp10 + 1 < m)
                for (size_t i = (size_t)exp10 + 1; i < m; i++)
                    out[k++] = mant[i];
            else
                out[k++] = '0';
        }
        out[k] = '\0';
    } else {
        out[k++] = mant[0];
        if (m > 1) {
            out[k++] = '.';
            for (size_t i = 1; i < m; i++)
                out[k++] = mant[i];
        }
        snprintf(out + k, 64 - k, "e%c%02d", exp10 < 0 ? '-' : '+',
                 exp10 < 0 ? -exp10 : exp10);
    }
}

static void print_float(double x) {
    char out[64];
    format_float(x, out);
    fputs(out, stdout);
}

/* A part of a complex repr: the float's repr without a trailing ".0". */
static void print_complex_part(double x) {
    char out[64];
    format_float(x, out);
    size_t n = strlen(out);
    if (n > 2 && strcmp(out + n - 2, ".0") == 0)
        out[n - 2] = '\0';
    fputs(out, stdout);
}

/* Python's repr of complex(re, im): "(1+2j)", "2j", "(-0-1j)". */
static void print_complex(double re, double im) {
    if (re == 0 && !signbit(re)) {
        print_complex_part(im);
        putchar('j');
        return;
    }
    putchar('(');
    print_complex_part(re);
    if (!signbit(im) || isnan(im))
        putchar('+');
    print_complex_part(im);
    fputs("j)", stdout);
}

/* A float as Python's json.dumps writes it. */
void cli_print_float(double x) { print_float(x); }

void cli_print_json_float(double x) {
    if (isnan(x))
        fputs("NaN", stdout);
    else if (isinf(x))
        fputs(x < 0 ? "-Infinity" : "Infinity", stdout);
    else
        print_float(x);
}

/* Bytes as a JSON string, each byte one character (Latin-1). */
static void print_json_bytes(const char *s, mv_ssize n) {
    putchar('"');
    for (mv_ssize i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20 || c >= 0x7f)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

/* Python's repr of a bytes object. */
static void print_bytes(const char *s, mv_ssize n) {
    int quote = '\'';
    if (memchr(s, '\'', (size_t)n) && !memchr(s, '"', (size_t)n))
        quote = '"';
    printf("b%c", quote);
    for (mv_ssize i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == quote || c == '\\')
            printf("\\%c", c);
        else if (c == '\t')
            fputs("\\t", stdout);
        else if (c == '\n')
            fputs("\\n", stdout);
        else if (c == '\r')
            fputs("\\r", stdout);
        else if (c < 0x20 || c >= 0x7f)
            printf("\\x%02x", c);
        else
            putchar(c);
    }
    putchar(quote);
}

/* One value as Python's repr (json: as json.dumps), no newline. */
static void print_scalar(const mv_value *x, int json) {
    switch (x->type) {
    case MV_VAL_INT: printf("%" PRId64, x->i); break;
    case MV_VAL_UINT: printf("%" PRIu64, x->u); break;
    case MV_VAL_FLOAT:
        if (json)
            cli_print_json_float(x->f);
        else
            print_float(x->f);
        break;
    case MV_VAL_BOOL:
        fputs(json ? (x->i ? "true" : "false") : (x->i ? "True" : "False"),
              stdout);
        break;
    case MV_VAL_BYTES:
        if (json)
            print_json_bytes(x->s.ptr, x->s.len);
        else
            print_bytes(x->s.ptr, x->s.len);
        break;
    case MV_VAL_COMPLEX:
        if (json) {
            putchar('[');
            cli_print_json_float(x->z.re);
            fputs(", ", stdout);
            cli_print_json_float(x->z.im);
            putchar(']');
        } else {
            print_complex(x->z.re, x->z.im);
        }
        break;
    default: fputs("<unsupported value>", stdout); break;
    }
}

void cli_print_value(const mv_value *x) {
    print_scalar(x, 0);
    putchar('\n');
}

/* ---- items as Python's repr of their values, one a line -----------------
 *
 * Callbacks of mv_view_walk(): dimensions below ndim are the view's (one
 * item a line), the rest tuples inside an item: "(1, 2)", "(1,)", "()";
 * with json, arrays. */

typedef struct printer {
    int ndim; /* the view's */
    int json;
    int depth; /* tuples open */
    mv_ssize n[MV_MAXDIM + 16 * MV_FORMAT_MAXDEPTH];
    mv_ssize k[MV_MAXDIM + 16 * MV_FORMAT_MAXDEPTH];
} printer;

enum { PRINTER_DEPTH = MV_MAXDIM + 16 * MV_FORMAT_MAXDEPTH };

static void pr_sep(printer *pr) {
    if (pr->depth > 0 && pr->k[pr->depth - 1]++ > 0)
        fputs(", ", stdout);
}

static int pr_begin(void *ctx, int dim, mv_ssize n) {
    printer *pr = ctx;
    if (dim < pr->ndim)
        return MV_OK;
    if (pr->depth == PRINTER_DEPTH)
        return mv_error(MV_EVALUE, "values nested too deeply to print");
    pr_sep(pr);
    putchar(pr->json ? '[' : '(');
    pr->n[pr->depth] = n;
    pr->k[pr->depth++] = 0;
    return MV_OK;
}

static int pr_item(void *ctx, const mv_value *x) {
    printer *pr = ctx;
    pr_sep(pr);
    print_scalar(x, pr->json);
    if (pr->depth == 0)
        putchar('\n');
    return MV_OK;
}

static int pr_end(void *ctx, int dim) {
    printer *pr = ctx;
    if (dim < pr->ndim)
        return MV_OK;
    pr->depth--;
    if (!pr->json && pr->n[pr->depth] == 1)
        putchar(',');
    putchar(pr->json ? ']' : ')');
    if (pr->depth == 0)
        putchar('\n');
    return MV_OK;
}

/* Every item of v, one a line. */
static int print_items(const mv_view *v, int json) {
    static const mv_walker w = {pr_begin, pr_item, pr_end, NULL};
    printer *pr = calloc(1, sizeof *pr);
    if (!pr)
        return mv_error(MV_ENOMEM, "cannot allocate the printer");
    pr->ndim = v->ndim;
    pr->json = json;
    int rc = mv_view_walk(v, &w, pr);
    free(pr);
    return rc;
}

/* ---- get ------------------------------------------------------------------
 */

static int run_get(cli_args *a) {
    mv_ssize index;
    mv_view v, typed, item;
    int rc;

    if (cli_parse_ssize(a->pos[2], &index) < 0)
        return cli_usage_error(a->cmd, "invalid number '%s'", a->pos[2]);
    if ((rc = cli_open(a, a->pos[0], &v)) != 0)
        return rc;
    rc = mv_view_cast(&typed, &v, a->pos[1], NULL, -1);
    mv_view_release(&v);
    if (rc < 0)
        return cli_fail(rc);
    /* item index, as a 0-D view: read the way tolist() reads it */
    mv_keyitem key = {.is_slice = 0, .index = index};
    rc = mv_view_check_item(&typed);
    if (rc == MV_OK)
        rc = mv_view_select(&item, &typed, &key, 1);
    mv_view_release(&typed);
    if (rc == MV_OK) {
        rc = print_items(&item, cli_opt_value(a, "--json") != NULL);
        mv_view_release(&item);
    }
    if (rc < 0)
        return cli_fail(rc);
    return cli_finish_stdout();
}

static const cli_opt get_opts[] = {
    {"--json", 0, NULL, "print the value as JSON (tuples as arrays)"},
    {0},
};

const cli_cmd cli_cmd_get = {
    .name = "get",
    .synopsis = "FILE FORMAT INDEX",
    .summary = "item INDEX of FILE cast to FORMAT (negative: from the end)",
    .help = "FORMAT is any struct-module format ('>I', '<ih', '3s'), with\n"
            "PEP 3118's records ('T{<I:id:<f:x:}'), shapes and complex\n"
            "numbers; the item prints as Python's repr of its value.",
    .min_pos = 3,
    .max_pos = 3,
    .common = CLI_RANGE,
    .opts = get_opts,
    .run = run_get,
};

/* ---- show -----------------------------------------------------------------
 */

/* s without its leading and trailing blanks (in place). */
static int run_show(cli_args *a) {
    mv_keyitem key[MV_MAXDIM];
    mv_ssize shape[MV_MAXDIM];
    int nkey = 0, ndim = -1;
    const char *shape_arg = cli_opt_value(a, "--shape");
    mv_view v, typed, sel;
    int rc;

    if (a->npos > 2 && cli_parse_key(a->pos[2], key, &nkey) < 0)
        return cli_usage_error(a->cmd, "invalid key '%s'", a->pos[2]);
    if (shape_arg && cli_parse_shape(shape_arg, shape, &ndim) < 0)
        return cli_usage_error(a->cmd, "invalid shape '%s'", shape_arg);
    if ((rc = cli_open(a, a->pos[0], &v)) != 0)
        return rc;
    rc = mv_view_cast(&typed, &v, a->pos[1], ndim >= 0 ? shape : NULL, ndim);
    mv_view_release(&v);
    if (rc < 0)
        return cli_fail(rc);
    rc = mv_view_check_item(&typed);
    if (rc == MV_OK)
        rc = mv_view_select(&sel, &typed, key, nkey);
    mv_view_release(&typed);
    const char *field = cli_opt_value(a, "--field");
    if (rc == MV_OK && field) {
        mv_view fv;
        rc = mv_view_field_view(&fv, &sel, field);
        mv_view_release(&sel);
        if (rc == MV_OK)
            mv_view_move(&sel, &fv);
    }
    if (rc == MV_OK) {
        rc = print_items(&sel, cli_opt_value(a, "--json") != NULL);
        mv_view_release(&sel);
    }
    if (rc < 0)
        return cli_fail(rc);
    return cli_finish_stdout();
}

static const cli_opt show_opts[] = {
    {"--shape", 0, "DIMS",
     "read FILE as an array of this shape (\"1000,1000\")"},
    {"--field", 0, "NAME",
     "only this field of each record (a path: \"pos.x\")"},
    {"--json", 0, NULL, "print each item as JSON (tuples as arrays)"},
    {0},
};

const cli_cmd cli_cmd_show = {
    .name = "show",
    .synopsis = "FILE FORMAT [KEY]",
    .summary = "items of FILE cast to FORMAT, selected by KEY, one a line",
    .help = "KEY is a Python index or slice per dimension (\"[::100, 3]\");\n"
            "each item prints as Python's repr of its value, in C order.",
    .min_pos = 2,
    .max_pos = 3,
    .common = CLI_RANGE,
    .opts = show_opts,
    .run = run_show,
};
