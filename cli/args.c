/*
 * args.c -- the one argument parser of the memview command, and its
 * reporting.
 *
 * Rules, in order:
 *   1. "--" ends the options; everything after it is positional.
 *   2. "--name=value" and "--name value" give a long option its value;
 *      "-xVALUE" and "-x VALUE" a short one. Short flags may be grouped:
 *      "-up" is "-u -p".
 *   3. An argument that starts with '-' and a digit ("-5") is positional:
 *      negative numbers are arguments, not options.
 *   4. "--help" (or "-h" when the command has no -h of its own) prints the
 *      command's help to stdout and exits 0, whatever else is given.
 *   5. Anything unknown, a missing value or a wrong number of positional
 *      arguments is a usage error: exit 2.
 */
#define _POSIX_C_SOURCE 200809L

#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const cli_opt range_opts[] = {
    {"--offset", 0, "N",
     "start at byte N (negative: from the end; suffixes K M G T)"},
    {"--length", 0, "N", "at most N bytes (suffixes K M G T)"},
};

/* ---- usage and help ------------------------------------------------- */

static void print_usage(FILE *f, const cli_cmd *cmd) {
    fprintf(f, "usage: memview %s%s%s%s\n", cmd->name,
            cmd->synopsis[0] ? " " : "", cmd->synopsis,
            (cmd->opts || (cmd->common & CLI_RANGE)) ? " [options]" : "");
}

static void print_opt(FILE *f, const cli_opt *o) {
    char left[64];
    if (o->short_name)
        snprintf(left, sizeof left, "-%c, %s%s%s", o->short_name, o->name,
                 o->metavar ? " " : "", o->metavar ? o->metavar : "");
    else
        snprintf(left, sizeof left, "%s%s%s", o->name, o->metavar ? " " : "",
                 o->metavar ? o->metavar : "");
    fprintf(f, "  %s\n      %s\n", left, o->help);
}

static void print_help(const cli_cmd *cmd) {
    print_usage(stdout, cmd);
    printf("\n%s\n", cmd->summary);
    if (cmd->help)
        printf("\n%s", cmd->help);
    printf("\noptions:\n");
    for (const cli_opt *o = cmd->opts; o && o->name; o++)
        print_opt(stdout, o);
    if (cmd->common & CLI_RANGE)
        for (size_t i = 0; i < sizeof range_opts / sizeof range_opts[0]; i++)
            print_opt(stdout, &range_opts[i]);
    print_opt(stdout, &(cli_opt){"--help", 0, NULL, "this text"});
}

int cli_usage_error(const cli_cmd *cmd, const char *fmt, ...) {
    va_list ap;
    fputs("memview: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\n", stderr);
    print_usage(stderr, cmd);
    fprintf(stderr, "(memview %s --help for more)\n", cmd->name);
    return EXIT_USAGE;
}

int cli_fail(int status) {
    fprintf(stderr, "memview: %s: %s\n", mv_err_name(status), mv_errmsg());
    return EXIT_MV_ERROR;
}

int cli_os_fail(const char *what) {
    return cli_fail(
        mv_error(MV_EOS, "[Errno %d] %s: '%s'", errno, strerror(errno), what));
}

/* ---- numbers ----------------------------------------------------------- */

/* Digits of base 10 or 16 from *s into *out (no sign). */
static int parse_digits(const char **s, unsigned long long *out) {
    const char *p = *s;
    int base = 10;
    char *end;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        base = 16;
        p += 2;
    }
    if (!(base == 16 ? isxdigit((unsigned char)*p)
                     : isdigit((unsigned char)*p)))
        return -1;
    errno = 0;
    *out = strtoull(p, &end, base);
    if (errno != 0)
        return -1;
    *s = end;
    return 0;
}

/* sign * n * mult as an mv_ssize, unless it overflows. */
static int signed_product(int neg, unsigned long long n,
                          unsigned long long mult, mv_ssize *out) {
    unsigned long long m;
    if (__builtin_mul_overflow(n, mult, &m))
        return -1;
    if (neg) {
        if (m > (unsigned long long)PTRDIFF_MAX + 1)
            return -1;
        *out = m == (unsigned long long)PTRDIFF_MAX + 1 ? PTRDIFF_MIN
                                                        : -(mv_ssize)m;
    } else {
        if (m > (unsigned long long)PTRDIFF_MAX)
            return -1;
        *out = (mv_ssize)m;
    }
    return 0;
}

int cli_parse_ssize(const char *s, mv_ssize *out) {
    int neg = s[0] == '-';
    unsigned long long n;
    if (s[0] == '+' || s[0] == '-')
        s++;
    if (parse_digits(&s, &n) < 0 || *s != '\0')
        return -1;
    return signed_product(neg, n, 1, out);
}

/* s without its leading and trailing blanks (in place). */
static char *trim(char *s) {
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
    return s;
}

/* One entry of a key: an index, or start:stop[:step] with omitted parts. */
static int parse_key_item(char *part, mv_keyitem *k) {
    part = trim(part);
    char *c1 = strchr(part, ':');
    if (!c1) {
        k->is_slice = 0;
        return cli_parse_ssize(part, &k->index);
    }
    *c1++ = '\0';
    char *c2 = strchr(c1, ':');
    if (c2)
        *c2++ = '\0';
    const char *start = trim(part), *stop = trim(c1);
    const char *step = c2 ? trim(c2) : "";
    k->is_slice = 1;
    k->step = 1;
    if (*step && cli_parse_ssize(step, &k->step) < 0)
        return -1;
    /* Omitted ends as Python's slice(None, None, step) gives them. */
    k->start = k->step < 0 ? MV_END : MV_BEGIN;
    k->stop = k->step < 0 ? MV_BEGIN : MV_END;
    if (*start && cli_parse_ssize(start, &k->start) < 0)
        return -1;
    if (*stop && cli_parse_ssize(stop, &k->stop) < 0)
        return -1;
    return 0;
}

int cli_parse_key(const char *text, mv_keyitem *key, int *n) {
    char buf[1024];
    size_t len = strlen(text);
    if (len >= sizeof buf)
        return -1;
    memcpy(buf, text, len + 1);
    char *s = trim(buf);
    if (*s == '[') {
        size_t m = strlen(s);
        if (s[m - 1] != ']')
            return -1;
        s[m - 1] = '\0';
        s = trim(s + 1);
    }
    *n = 0;
    if (*s == '\0')
        return 0;
    for (char *part = s, *end; part; part = end) {
        end = strchr(part, ',');
        if (end)
            *end++ = '\0';
        if (*n == MV_MAXDIM || parse_key_item(part, &key[*n]) < 0)
            return -1;
        (*n)++;
    }
    return 0;
}

int cli_parse_shape(const char *text, mv_ssize *shape, int *ndim) {
    char buf[1024];
    size_t len = strlen(text);
    if (len >= sizeof buf)
        return -1;
    memcpy(buf, text, len + 1);
    *ndim = 0;
    for (char *part = buf, *end; part; part = end) {
        end = strchr(part, ',');
        if (end)
            *end++ = '\0';
        if (*ndim == MV_MAXDIM ||
            cli_parse_ssize(trim(part), &shape[*ndim]) < 0 || shape[*ndim] < 0)
            return -1;
        (*ndim)++;
    }
    return 0;
}

int cli_parse_size(const char *s, mv_ssize *out) {
    static const char units[] = "KMGTPE";
    int neg = s[0] == '-';
    unsigned long long n, mult = 1;
    if (s[0] == '+' || s[0] == '-')
        s++;
    if (parse_digits(&s, &n) < 0)
        return -1;
    if (*s) {
        const char *u = strchr(units, toupper((unsigned char)*s));
        if (!u)
            return -1;
        mult = 1ull << (10 * (u - units + 1));
        s++;
        if (strcmp(s, "iB") == 0 || strcmp(s, "B") == 0)
            s += strlen(s);
        if (*s)
            return -1;
    }
    return signed_product(neg, n, mult, out);
}

/* ---- the parser -------------------------------------------------------- */

static int is_number(const char *a) {
    return a[0] == '-' && isdigit((unsigned char)a[1]);
}

/* Index of the option named by a long name (name_len chars), or -1. */
static int find_long(const cli_args *a, const char *name, size_t name_len) {
    for (int k = 0; k < a->nopt; k++)
        if (strlen(a->opt[k]->name) == name_len &&
            strncmp(a->opt[k]->name, name, name_len) == 0)
            return k;
    return -1;
}

static int find_short(const cli_args *a, char c) {
    for (int k = 0; k < a->nopt; k++)
        if (a->opt[k]->short_name == c)
            return k;
    return -1;
}

const char *cli_opt_value(const cli_args *a, const char *name) {
    int k = find_long(a, name, strlen(name));
    return k < 0 ? NULL : a->val[k];
}

static int parse(cli_args *a, int argc, char **argv, char **pos) {
    const cli_cmd *cmd = a->cmd;
    int only_pos = 0;

    for (int i = 0; i < argc; i++) {
        char *arg = argv[i];
        if (only_pos || arg[0] != '-' || arg[1] == '\0' || is_number(arg)) {
            pos[a->npos++] = arg;
            continue;
        }
        if (strcmp(arg, "--") == 0) {
            only_pos = 1;
            continue;
        }
        if (arg[1] == '-') {
            const char *eq = strchr(arg, '=');
            size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
            int k = find_long(a, arg, len);
            if (k < 0)
                return cli_usage_error(cmd, "unknown option '%.*s'", (int)len,
                                       arg);
            if (!a->opt[k]->metavar) {
                if (eq)
                    return cli_usage_error(cmd, "%s takes no value",
                                           a->opt[k]->name);
                a->val[k] = "1";
            } else if (eq) {
                a->val[k] = eq + 1;
            } else if (i + 1 < argc) {
                a->val[k] = argv[++i];
            } else {
                return cli_usage_error(cmd, "%s needs a value",
                                       a->opt[k]->name);
            }
            continue;
        }
        /* Short options, possibly grouped. */
        for (char *p = arg + 1; *p; p++) {
            int k = find_short(a, *p);
            if (k < 0)
                return cli_usage_error(cmd, "unknown option '-%c'", *p);
            if (!a->opt[k]->metavar) {
                a->val[k] = "1";
            } else if (p[1]) {
                a->val[k] = p + 1;
                break;
            } else if (i + 1 < argc) {
                a->val[k] = argv[++i];
                break;
            } else {
                return cli_usage_error(cmd, "-%c needs a value", *p);
            }
        }
    }
    return 0;
}

static int parse_range(cli_args *a) {
    const char *off = cli_opt_value(a, "--offset");
    const char *len = cli_opt_value(a, "--length");
    a->offset = 0;
    a->length = -1;
    if (off && cli_parse_size(off, &a->offset) < 0)
        return cli_usage_error(a->cmd, "invalid offset '%s'", off);
    if (len && (cli_parse_size(len, &a->length) < 0 || a->length < 0))
        return cli_usage_error(a->cmd, "invalid length '%s'", len);
    return 0;
}

int cli_run(const cli_cmd *cmd, int argc, char **argv) {
    cli_args a = {.cmd = cmd, .length = -1};
    char **pos = calloc((size_t)argc + 1, sizeof *pos);
    int rc;

    if (!pos)
        return cli_fail(mv_error(MV_ENOMEM, "out of memory"));
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 ||
            (strcmp(argv[i], "-h") == 0 && !(cmd->opts && cmd->opts[0].name &&
                                             cmd->opts[0].short_name == 'h'))) {
            free(pos);
            print_help(cmd);
            return cli_finish_stdout();
        } else if (strcmp(argv[i], "--") == 0)
            break;
    for (const cli_opt *o = cmd->opts; o && o->name; o++)
        a.opt[a.nopt++] = o;
    if (cmd->common & CLI_RANGE)
        for (size_t i = 0; i < sizeof range_opts / sizeof range_opts[0]; i++)
            a.opt[a.nopt++] = &range_opts[i];
    a.pos = pos;
    if ((rc = parse(&a, argc, argv, pos)) != 0 || (rc = parse_range(&a)) != 0) {
        free(pos);
        return rc;
    }
    if (a.npos < cmd->min_pos || a.npos > cmd->max_pos) {
        free(pos);
        return cli_usage_error(cmd, "%s takes %s", cmd->name,
                               cmd->synopsis[0] ? cmd->synopsis
                                                : "no arguments");
    }
    rc = cmd->run(&a);
    free(pos);
    return rc;
}

/* ---- output ------------------------------------------------------------ */

int cli_write_all(const char *p, size_t n) {
    int rc = cli_os_write(1, "<stdout>", p, n);
    return rc < 0 ? cli_fail(rc) : 0;
}

int cli_finish_stdout(void) {
    if (fflush(stdout) != 0 || ferror(stdout))
        return cli_os_fail("<stdout>");
    return 0;
}
