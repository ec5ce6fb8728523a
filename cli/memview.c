/*
 * memview -- the command-line face of libmemview.
 *
 * Every command maps a file read-only (mmap, MAP_PRIVATE), lends the
 * mapping to an owner whose release callback unmaps it, and works through
 * views of that owner: nothing is copied that the command does not print.
 * All rules (slicing, casting, hex grouping, counting) are the library's;
 * this file only parses arguments and turns statuses into exit codes:
 *
 *   0  success
 *   1  a memview error, printed as "memview: <ErrorName>: <message>"
 *   2  a usage error
 */
#define _POSIX_C_SOURCE 200809L

#include "memview.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { EXIT_MV_ERROR = 1, EXIT_USAGE = 2 };

static const char usage_text[] =
    "usage: memview <command> [args]\n"
    "\n"
    "commands:\n"
    "  info FILE                      size, format and exports of FILE\n"
    "  hex FILE [--offset N] [--length N] [--sep C] [--group N]\n"
    "                                 bytes of FILE in hex, as bytes.hex()\n"
    "  slice FILE START STOP [STEP]   write FILE[START:STOP:STEP] to stdout\n"
    "                                 (an empty START or STOP, or None, is\n"
    "                                 omitted)\n"
    "  get FILE FORMAT INDEX          item INDEX of FILE cast to FORMAT\n"
    "  count FILE BYTE                occurrences of the byte value BYTE\n"
    "  seed [N ...]                   time the loop 'while v: v = v[1:]'\n"
    "                                 over N bytes: view against raw pointer\n"
    "  help                           this text\n"
    "  version                        memview's version\n";

/* ---- reporting ------------------------------------------------------- */

#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
static int
usage_error(const char *fmt, ...) {
    va_list ap;
    fputs("memview: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\n", stderr);
    fputs(usage_text, stderr);
    return EXIT_USAGE;
}

/* Print the failing call's status and message; give the exit code. */
static int mv_failure(int status) {
    fprintf(stderr, "memview: %s: %s\n", mv_err_name(status), mv_errmsg());
    return EXIT_MV_ERROR;
}

static int os_failure(const char *what) {
    return mv_failure(
        mv_error(MV_EOS, "[Errno %d] %s: '%s'", errno, strerror(errno), what));
}

/* ---- numbers ----------------------------------------------------------- */

/* A whole decimal number (or 0x hexadecimal), with an optional sign. */
static int parse_ssize(const char *s, mv_ssize *out) {
    const char *p = s;
    int base = 10;
    char *end;
    long long n;

    if (*p == '+' || *p == '-')
        p++;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        base = 16;
        p += 2;
    }
    if (*p < '0' || (*p > '9' && base == 10) ||
        (base == 16 && !((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') ||
                         (*p >= 'A' && *p <= 'F'))))
        return -1;
    errno = 0;
    n = strtoll(p, &end, base);
    if (errno != 0 || *end != '\0')
        return -1;
    if (s[0] == '-')
        n = -n; /* n >= 0 here: strtoll saw no sign */
#if LLONG_MAX > PTRDIFF_MAX
    if (n > PTRDIFF_MAX || n < PTRDIFF_MIN)
        return -1;
#endif
    *out = (mv_ssize)n;
    return 0;
}

/* A slice end: a number, or "" / "None" for an omitted end. */
static int parse_slice_end(const char *s, mv_ssize omitted, mv_ssize *out) {
    if (s[0] == '\0' || strcmp(s, "None") == 0) {
        *out = omitted;
        return 0;
    }
    return parse_ssize(s, out);
}

/* ---- files ------------------------------------------------------------- */

/* A read-only 1-D "B" view of the whole of path, mapped, not read. */
static int open_view(const char *path, mv_view *v) {
    mv_owner *o;
    int rc = mv_owner_map(&o, path, 0);
    if (rc < 0)
        return mv_failure(rc);
    rc = mv_view_from_owner(v, o);
    mv_owner_release(o); /* the view holds the mapping from here on */
    if (rc < 0)
        return mv_failure(rc);
    return 0;
}

/* ---- output ------------------------------------------------------------ */

static int write_all(const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(STDOUT_FILENO, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return os_failure("<stdout>");
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int finish_stdout(void) {
    if (fflush(stdout) != 0 || ferror(stdout))
        return os_failure("<stdout>");
    return 0;
}

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

static void print_value(const mv_value *x) {
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

static void print_tuple(const mv_ssize *a, int n) {
    putchar('(');
    for (int i = 0; i < n; i++)
        printf(i ? ", %td" : "%td", a[i]);
    fputs(n == 1 ? ",)" : ")", stdout);
}

/* ---- commands ---------------------------------------------------------- */

static int cmd_info(int argc, char **argv) {
    mv_view v;
    mv_ssize n;
    int rc;

    if (argc != 1)
        return usage_error("info takes one FILE");
    if ((rc = open_view(argv[0], &v)) != 0)
        return rc;
    if ((rc = mv_view_length(&v, &n)) < 0) {
        mv_view_release(&v);
        return mv_failure(rc);
    }
    printf("file: %s\n", argv[0]);
    printf("size: %td\n", v.len);
    printf("format: %s\n", v.format);
    printf("itemsize: %td\n", v.itemsize);
    printf("ndim: %d\n", v.ndim);
    fputs("shape: ", stdout);
    print_tuple(v.shape, v.ndim);
    fputs("\nstrides: ", stdout);
    print_tuple(v.strides, v.ndim);
    printf("\nlength: %td\n", n);
    printf("readonly: %s\n", (v.flags & MV_READONLY) ? "True" : "False");
    printf("contiguous: %s\n", mv_is_c_contiguous(&v) ? "True" : "False");
    printf("exports: %td\n", mv_owner_exports(v.owner));
    mv_view_release(&v);
    return finish_stdout();
}

/* Number of UTF-8 characters in s and the code of the first one. */
static mv_ssize utf8_chars(const char *s, uint32_t *first) {
    const unsigned char *p = (const unsigned char *)s;
    mv_ssize n = 0;
    *first = 0;
    while (*p) {
        uint32_t c = *p;
        int more = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 0;
        if (more)
            c &= 0x3fu >> more;
        p++;
        for (; more > 0 && (*p & 0xc0) == 0x80; more--, p++)
            c = (c << 6) | (*p & 0x3fu);
        if (n++ == 0)
            *first = c;
    }
    return n;
}

static int cmd_hex(int argc, char **argv) {
    const char *path = NULL, *sep = NULL;
    mv_ssize offset = 0, length = -1, group = 1;
    mv_view v, part;
    char *text;
    mv_ssize textlen;
    int rc;

    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char *opts[] = {"--offset", "--length", "--sep", "--group"};
        int which = -1;
        const char *val = NULL;
        for (int k = 0; k < 4; k++) {
            size_t l = strlen(opts[k]);
            if (strncmp(a, opts[k], l) == 0 && (a[l] == '\0' || a[l] == '=')) {
                which = k;
                if (a[l] == '=')
                    val = a + l + 1;
                else if (i + 1 < argc)
                    val = argv[++i];
                else
                    return usage_error("%s needs a value", opts[k]);
            }
        }
        if (which < 0) {
            if (a[0] == '-' && a[1] == '-')
                return usage_error("unknown option '%s'", a);
            if (path)
                return usage_error("unexpected argument '%s'", a);
            path = a;
            continue;
        }
        if (which == 2) {
            sep = val;
        } else {
            mv_ssize *dst = which == 0   ? &offset
                            : which == 1 ? &length
                                         : &group;
            if (parse_ssize(val, dst) < 0)
                return usage_error("invalid number '%s'", val);
            if (which == 1 && length < 0)
                return usage_error("invalid length '%s'", val);
        }
    }
    if (!path)
        return usage_error("hex needs a FILE");
    if ((rc = open_view(path, &v)) != 0)
        return rc;

    /* --offset counts from the end when negative, as an index does. */
    if (offset < 0)
        offset = offset + v.len < 0 ? 0 : offset + v.len;
    mv_ssize stop = MV_END;
    if (length >= 0 && offset <= MV_SSIZE_MAX - length)
        stop = offset + length;
    rc = mv_view_slice(&part, &v, offset, stop, 1);
    mv_view_release(&v);
    if (rc < 0)
        return mv_failure(rc);

    uint32_t sep_char = 0;
    mv_ssize sep_len = sep ? utf8_chars(sep, &sep_char) : 0;
    rc = mv_view_hex(&part, sep, sep_len, 1, sep_char, group, &text, &textlen);
    mv_view_release(&part);
    if (rc < 0)
        return mv_failure(rc);
    rc = write_all(text, (size_t)textlen);
    free(text);
    if (rc == 0)
        rc = write_all("\n", 1);
    return rc;
}

static int cmd_slice(int argc, char **argv) {
    mv_ssize start, stop, step = 1;
    mv_view v, part;
    int rc;

    if (argc < 3 || argc > 4)
        return usage_error("slice takes FILE START STOP [STEP]");
    if (argc == 4 && parse_slice_end(argv[3], 1, &step) < 0)
        return usage_error("invalid number '%s'", argv[3]);
    /* Omitted ends, as Python's slice.indices() reads them: from the first
     * item to past the last for a positive step, the other way round for a
     * negative one. */
    if (parse_slice_end(argv[1], step < 0 ? MV_END : MV_BEGIN, &start) < 0)
        return usage_error("invalid number '%s'", argv[1]);
    if (parse_slice_end(argv[2], step < 0 ? MV_BEGIN : MV_END, &stop) < 0)
        return usage_error("invalid number '%s'", argv[2]);
    if ((rc = open_view(argv[0], &v)) != 0)
        return rc;
    rc = mv_view_slice(&part, &v, start, stop, step);
    mv_view_release(&v);
    if (rc < 0)
        return mv_failure(rc);

    if (mv_is_c_contiguous(&part)) {
        /* Straight from the mapping: no copy. */
        rc = write_all(part.buf, (size_t)part.len);
    } else {
        void *bytes;
        rc = mv_tobytes(&part, &bytes, MV_ORDER_C);
        if (rc < 0) {
            mv_view_release(&part);
            return mv_failure(rc);
        }
        rc = write_all(bytes, (size_t)part.len);
        free(bytes);
    }
    mv_view_release(&part);
    return rc;
}

static int cmd_get(int argc, char **argv) {
    mv_ssize index;
    mv_view v, typed;
    mv_value x;
    int rc;

    if (argc != 3)
        return usage_error("get takes FILE FORMAT INDEX");
    if (parse_ssize(argv[2], &index) < 0)
        return usage_error("invalid number '%s'", argv[2]);
    if ((rc = open_view(argv[0], &v)) != 0)
        return rc;
    rc = mv_view_cast(&typed, &v, argv[1], NULL, -1);
    mv_view_release(&v);
    if (rc < 0)
        return mv_failure(rc);
    rc = mv_get(&typed, index, &x);
    if (rc < 0) {
        mv_view_release(&typed);
        return mv_failure(rc);
    }
    print_value(&x); /* before release: bytes values point into the file */
    mv_view_release(&typed);
    return finish_stdout();
}

static int cmd_count(int argc, char **argv) {
    mv_ssize byte, n;
    mv_view v;
    mv_value x;
    int rc;

    if (argc != 2)
        return usage_error("count takes FILE BYTE");
    if (parse_ssize(argv[1], &byte) < 0 || byte < 0 || byte > 255)
        return usage_error("BYTE must be a number from 0 to 255, not '%s'",
                           argv[1]);
    if ((rc = open_view(argv[0], &v)) != 0)
        return rc;
    x.type = MV_VAL_INT;
    x.i = byte;
    rc = mv_view_count(&v, &x, &n);
    mv_view_release(&v);
    if (rc < 0)
        return mv_failure(rc);
    printf("%td\n", n);
    return finish_stdout();
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Every loop reads the first byte of what is left into this, so that no
 * iteration can be optimised away. */
static volatile unsigned sink;

static int seed_one(mv_ssize n) {
    mv_owner *o;
    mv_view v;
    double t0, t_view, t_raw;
    int rc;

    if ((rc = mv_owner_new_bytes(&o, n)) < 0)
        return mv_failure(rc);
    unsigned char *data = mv_owner_data(o);
    for (mv_ssize i = 0; i < n; i++)
        data[i] = (unsigned char)i;
    rc = mv_view_from_owner(&v, o);
    if (rc < 0) {
        mv_owner_release(o);
        return mv_failure(rc);
    }

    /* Python: while b: b = b[1:] */
    t0 = now();
    while (v.len) {
        sink += (unsigned char)v.buf[0];
        if ((rc = mv_view_narrow(&v, 1, MV_END, 1)) < 0)
            break;
    }
    t_view = now() - t0;
    mv_view_release(&v);
    if (rc < 0) {
        mv_owner_release(o);
        return mv_failure(rc);
    }

    /* The same walk over a raw pointer and a length. */
    const unsigned char *p = data;
    mv_ssize len = n;
    t0 = now();
    while (len) {
        sink += p[0];
        p++;
        len--;
    }
    t_raw = now() - t0;
    mv_owner_release(o);

    printf("%td %.9f %.9f\n", n, t_view, t_raw);
    return 0;
}

static int cmd_seed(int argc, char **argv) {
    mv_ssize sizes[64];
    int count = 0, rc;

    if (argc > 64)
        return usage_error("seed takes at most 64 sizes");
    for (int i = 0; i < argc; i++) {
        if (parse_ssize(argv[i], &sizes[count]) < 0 || sizes[count] < 0)
            return usage_error("invalid size '%s'", argv[i]);
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
    return finish_stdout();
}

int main(int argc, char **argv) {
    static const struct {
        const char *name;
        int (*run)(int, char **);
    } commands[] = {
        {"info", cmd_info}, {"hex", cmd_hex},     {"slice", cmd_slice},
        {"get", cmd_get},   {"count", cmd_count}, {"seed", cmd_seed},
    };

    if (argc < 2) {
        fputs(usage_text, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 ||
        strcmp(cmd, "-h") == 0) {
        fputs(usage_text, stdout);
        return finish_stdout();
    }
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("memview %s\n", MEMVIEW_VERSION);
        return finish_stdout();
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(cmd, commands[i].name) == 0)
            return commands[i].run(argc - 2, argv + 2);
    return usage_error("unknown command '%s'", cmd);
}
