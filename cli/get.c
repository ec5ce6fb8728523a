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

/* Python's repr of a float: the shortest digits that read back the same,
 * positional for exponents -4 .. 15, else d.ddde+XX. */
static void print_float(double x) {
    char mant[24], out[64];
    int exp10;
    size_t k = 0, m;

    if (isnan(x)) {
        fputs("nan", stdout);
        return;
    }
    if (isinf(x)) {
        fputs(x < 0 ? "-inf" : "inf", stdout);
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
        snprintf(out + k, sizeof out - k, "e%c%02d", exp10 < 0 ? '-' : '+',
                 exp10 < 0 ? -exp10 : exp10);
    }
    fputs(out, stdout);
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

void cli_print_value(const mv_value *x) {
    switch (x->type) {
    case MV_VAL_INT: printf("%" PRId64, x->i); break;
    case MV_VAL_UINT: printf("%" PRIu64, x->u); break;
    case MV_VAL_FLOAT: print_float(x->f); break;
    case MV_VAL_BOOL: fputs(x->i ? "True" : "False", stdout); break;
    case MV_VAL_BYTES: print_bytes(x->s.ptr, x->s.len); break;
    default: fputs("<unsupported value>", stdout); break;
    }
    putchar('\n');
}

/* ---- get ------------------------------------------------------------------
 */

static int run_get(cli_args *a) {
    mv_ssize index;
    mv_view v, typed;
    mv_value x;
    int rc;

    if (cli_parse_ssize(a->pos[2], &index) < 0)
        return cli_usage_error(a->cmd, "invalid number '%s'", a->pos[2]);
    if ((rc = cli_open(a, a->pos[0], &v)) != 0)
        return rc;
    rc = mv_view_cast(&typed, &v, a->pos[1], NULL, -1);
    mv_view_release(&v);
    if (rc < 0)
        return cli_fail(rc);
    rc = mv_get(&typed, index, &x);
    if (rc < 0) {
        mv_view_release(&typed);
        return cli_fail(rc);
    }
    cli_print_value(&x); /* before release: bytes values point into the file */
    mv_view_release(&typed);
    return cli_finish_stdout();
}

const cli_cmd cli_cmd_get = {
    .name = "get",
    .synopsis = "FILE FORMAT INDEX",
    .summary = "item INDEX of FILE cast to FORMAT (negative: from the end)",
    .min_pos = 3,
    .max_pos = 3,
    .common = CLI_RANGE,
    .run = run_get,
};
