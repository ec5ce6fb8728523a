/*
 * dump.c -- commands that print a file's bytes: hex (as bytes.hex()) and
 * slice (raw bytes of a Python slice).
 */
/* 64-bit off_t: -r seeks past 2 GiB on 32-bit systems and on Windows too */
#define _FILE_OFFSET_BITS 64
#include "cli.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- hex ------------------------------------------------------------------
 */

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

static int run_hex(cli_args *a) {
    const char *sep = cli_opt_value(a, "--sep");
    const char *group_arg = cli_opt_value(a, "--group");
    mv_ssize group = 1;
    mv_view part;
    char *text;
    mv_ssize textlen;
    int rc;

    if (group_arg && cli_parse_ssize(group_arg, &group) < 0)
        return cli_usage_error(a->cmd, "invalid number '%s'", group_arg);
    if ((rc = cli_open(a, a->pos[0], &part)) != 0)
        return rc;
    /* the separator is one character, as Python's hex() takes it */
    int32_t sep_code = MV_HEX_NOSEP;
    if (sep) {
        uint32_t first;
        mv_ssize n = utf8_chars(sep, &first);
        if ((rc = mv_view_check_hex_sep(n, first, &sep_code)) < 0) {
            mv_view_release(&part);
            return cli_fail(rc);
        }
    }
    rc = mv_view_hex(&part, sep_code, group, &text, &textlen);
    mv_view_release(&part);
    if (rc < 0)
        return cli_fail(rc);
    rc = cli_write_all(text, (size_t)textlen);
    mv_free(text);
    if (rc == 0)
        rc = cli_write_all("\n", 1);
    return rc;
}

static const cli_opt hex_opts[] = {
    {"--sep", 0, "C", "separator between groups (as bytes.hex(sep))"},
    {"--group", 0, "N",
     "bytes per group, counted from the right (negative: the left)"},
    {0},
};

const cli_cmd cli_cmd_hex = {
    .name = "hex",
    .synopsis = "FILE",
    .summary = "bytes of FILE in hex on one line, as bytes.hex()",
    .min_pos = 1,
    .max_pos = 1,
    .common = CLI_RANGE,
    .opts = hex_opts,
    .run = run_hex,
};

/* ---- slice ----------------------------------------------------------------
 */

/* A slice end: a number, or "" / "None" for an omitted end. */
static int parse_slice_end(const char *s, mv_ssize omitted, mv_ssize *out) {
    if (s[0] == '\0' || strcmp(s, "None") == 0) {
        *out = omitted;
        return 0;
    }
    return cli_parse_ssize(s, out);
}

static int run_slice(cli_args *a) {
    mv_ssize start, stop, step = 1;
    mv_view v, part;
    int rc;

    if (a->npos == 4 && parse_slice_end(a->pos[3], 1, &step) < 0)
        return cli_usage_error(a->cmd, "invalid number '%s'", a->pos[3]);
    /* Omitted ends, as Python's slice.indices() reads them: from the first
     * item to past the last for a positive step, the other way round for a
     * negative one. */
    if (parse_slice_end(a->pos[1], step < 0 ? MV_END : MV_BEGIN, &start) < 0)
        return cli_usage_error(a->cmd, "invalid number '%s'", a->pos[1]);
    if (parse_slice_end(a->pos[2], step < 0 ? MV_BEGIN : MV_END, &stop) < 0)
        return cli_usage_error(a->cmd, "invalid number '%s'", a->pos[2]);
    if ((rc = cli_open(a, a->pos[0], &v)) != 0)
        return rc;
    rc = mv_view_slice(&part, &v, start, stop, step);
    mv_view_release(&v);
    if (rc < 0)
        return cli_fail(rc);

    if (mv_view_is_c_contiguous(&part)) {
        /* Straight from the mapping: no copy. */
        rc = cli_write_all(part.buf, (size_t)part.nbytes);
    } else {
        void *bytes;
        rc = mv_view_tobytes(&part, &bytes, MV_ORDER_C);
        if (rc < 0) {
            mv_view_release(&part);
            return cli_fail(rc);
        }
        rc = cli_write_all(bytes, (size_t)part.nbytes);
        mv_free(bytes);
    }
    mv_view_release(&part);
    return rc;
}

const cli_cmd cli_cmd_slice = {
    .name = "slice",
    .synopsis = "FILE START STOP [STEP]",
    .summary = "write FILE[START:STOP:STEP] to stdout",
    .help = "An empty START or STOP, or None, is omitted. With --offset or\n"
            "--length, the slice is of the selected range.\n",
    .min_pos = 3,
    .max_pos = 4,
    .common = CLI_RANGE,
    .run = run_slice,
};

/* ---- dump: xxd's output, byte for byte ------------------------------------
 *
 * Rules, as Debian's xxd has them (the tests run both):
 *   1. Numbers for -s, -l, -c and -g are read as strtol(s, NULL, 0) reads
 *      them (0x hexadecimal, leading 0 octal, trailing text ignored).
 *   2. -s N starts at byte N, -s +N at N past the start, -s -N N bytes
 *      before the end; a start before the first byte fails ("cannot
 *      seek"), one past the end dumps nothing.
 *   3. -l N stops after N bytes (a negative N: no limit).
 *   4. -c N bytes a line: 16 by default (-p: 30), at most 256 (-p: no
 *      limit, and 0 means one line). -g N bytes a group (default 2, as
 *      for a negative N; 0 or more than -c means one group).
 *   5. A line is the address (%08x: file offset), the groups placed at
 *      fixed columns, two spaces after the widest line's hex, and the
 *      bytes as text ('.' for all but 0x20..0x7e); a short last line is
 *      padded only up to its text.
 *   6. -r reads a dump (normal, or -p plain) and writes its bytes: lines
 *      start with their offset (-r -s N adds N), at most -c bytes a line,
 *      two characters that are not hex digits end a line's data; gaps
 *      become zero bytes (or a seek, when stdout is a file).
 * With --offset/--length the dump is of that range, addresses still
 * counting from the start of the file.
 */

#include <errno.h>
#include <stdio.h>
#include <sys/types.h>
#include <unistd.h>

#define DUMP_MAXCOLS 256
#define DUMP_CHUNK ((mv_ssize)1 << 20) /* bytes copied out at a time */

typedef struct dump_opts {
    long long seek;   /* -s, resolved to a start in the range */
    long long length; /* -l, -1: no limit */
    long cols, group; /* -c, -g */
    int upper, plain; /* -u, -p */
    mv_ssize base;    /* file offset of the range's first byte */
} dump_opts;

/* An output buffer flushed to stdout with cli_write_all. */
typedef struct outbuf {
    char *p;
    size_t n, cap;
} outbuf;

static int out_flush(outbuf *o) {
    int rc = cli_write_all(o->p, o->n);
    o->n = 0;
    return rc;
}

static const char *hex_digits(int upper) {
    return upper ? "0123456789ABCDEF" : "0123456789abcdef";
}

/* "%08llx:" into s; its length. */
static int put_addr(char *s, unsigned long long a) {
    static const char d[] = "0123456789abcdef";
    char tmp[17];
    int n = 0;
    do {
        tmp[n++] = d[a & 15];
        a >>= 4;
    } while (a);
    while (n < 8)
        tmp[n++] = '0';
    for (int i = 0; i < n; i++)
        s[i] = tmp[n - 1 - i];
    s[n] = ':';
    return n + 1;
}

/* Two hex digits and the text character of every byte value. */
typedef struct dump_tables {
    char hex[256][2];
    char text[256];
} dump_tables;

static void dump_tables_init(dump_tables *t, int upper) {
    const char *hx = hex_digits(upper);
    for (int b = 0; b < 256; b++) {
        t->hex[b][0] = hx[b >> 4];
        t->hex[b][1] = hx[b & 15];
        t->text[b] = (b > 31 && b < 127) ? (char)b : '.';
    }
}

/* The text of n bytes of one line (n <= cols) at file offset addr. */
static size_t dump_line(char *s, const unsigned char *b, long n,
                        unsigned long long addr, const dump_tables *t,
                        const long *hexpos, long textpos) {
    int a = put_addr(s, addr);
    char *line = s + a;
    memset(line, ' ', (size_t)(textpos + n));
    for (long p = 0; p < n; p++) {
        memcpy(line + hexpos[p], t->hex[b[p]], 2);
        line[textpos + p] = t->text[b[p]];
    }
    line[textpos + n] = '\n';
    return (size_t)(a + textpos + n + 1);
}

/* Dump the bytes [start, stop) of v. */
static int dump_view(const mv_view *v, mv_ssize start, mv_ssize stop,
                     const dump_opts *d) {
    long cols = d->cols, group = d->group;
    long hexpos[DUMP_MAXCOLS], textpos = 0;
    if (!d->plain) {
        long grplen = 2 * group + 1;
        for (long p = 0; p < cols; p++)
            hexpos[p] = 1 + (grplen * p) / group;
        textpos = 3 + (grplen * cols - 1) / group;
    }
    size_t linemax = 20 + (size_t)textpos + (size_t)cols + 2;
    outbuf o = {NULL, 0, (size_t)4 << 20};
    unsigned char *chunk = malloc((size_t)DUMP_CHUNK);
    int rc = 0;
    o.p = malloc(o.cap + linemax + 2);
    if (!o.p || !chunk) {
        free(o.p);
        free(chunk);
        return cli_fail(mv_error(MV_ENOMEM, "out of memory"));
    }
    dump_tables t;
    dump_tables_init(&t, d->upper);
    long col = 0; /* -p: bytes on the current line */
    /* Whole lines per chunk, so that a line never spans two. */
    mv_ssize per =
        d->plain || cols <= 0 ? DUMP_CHUNK : DUMP_CHUNK / cols * cols;
    for (mv_ssize at = start; at < stop && rc == 0; at += per) {
        mv_ssize n = stop - at < per ? stop - at : per;
        mv_view part;
        if ((rc = mv_view_slice(&part, v, at, at + n, 1)) < 0 ||
            (rc = mv_view_tobytes_into(&part, chunk, DUMP_CHUNK, MV_ORDER_C)) <
                0) {
            mv_view_release(&part);
            rc = cli_fail(rc);
            break;
        }
        mv_view_release(&part);
        if (d->plain) {
            for (mv_ssize i = 0; i < n; i++) {
                memcpy(o.p + o.n, t.hex[chunk[i]], 2);
                o.n += 2;
                if (cols > 0 && ++col == cols) {
                    o.p[o.n++] = '\n';
                    col = 0;
                }
                if (o.n >= o.cap && (rc = out_flush(&o)) != 0)
                    break;
            }
            continue;
        }
        for (mv_ssize i = 0; i < n; i += cols) {
            long k = n - i < cols ? (long)(n - i) : cols;
            o.n += dump_line(o.p + o.n, chunk + i, k,
                             (unsigned long long)(d->base + at + i), &t, hexpos,
                             textpos);
            if (o.n >= o.cap && (rc = out_flush(&o)) != 0)
                break;
        }
    }
    if (rc == 0 && d->plain && (cols == 0 || col > 0))
        o.p[o.n++] = '\n';
    if (rc == 0)
        rc = out_flush(&o);
    free(o.p);
    free(chunk);
    return rc;
}

/* ---- dump -r ------------------------------------------------------------ */

static int hexval(int c) {
    return (c >= '0' && c <= '9')   ? c - '0'
           : (c >= 'a' && c <= 'f') ? c - 'a' + 10
           : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                    : -1;
}

typedef struct rev_out {
    outbuf o;
    long long have; /* bytes written (or sought past) so far */
    int seekable;
} rev_out;

/* Move the output to offset want: a seek on a file, zeros on a pipe. */
static int rev_move(rev_out *r, long long want) {
    if (r->seekable) {
        if (out_flush(&r->o) != 0)
            return 1;
        if (lseek(STDOUT_FILENO, (off_t)(want - r->have), SEEK_CUR) >= 0) {
            r->have = want;
            return 0;
        }
    }
    if (want < r->have) {
        errno = ESPIPE;
        return cli_fail(mv_error(MV_EOS,
                                 "cannot seek backwards to offset "
                                 "%lld of the output",
                                 want));
    }
    for (; r->have < want; r->have++) {
        r->o.p[r->o.n++] = 0;
        if (r->o.n >= r->o.cap && out_flush(&r->o) != 0)
            return 1;
    }
    return 0;
}

static int reverse(const unsigned char *s, mv_ssize len, long cols, int plain,
                   long long base) {
    rev_out r = {{NULL, 0, (size_t)1 << 20}, 0, 0};
    int n1 = -1, n2 = 0, n3 = 0, skip_garbage = 1, rc = 0;
    long p = cols;
    long long want = 0;
    r.o.p = malloc(r.o.cap + 1);
    if (!r.o.p)
        return cli_fail(mv_error(MV_ENOMEM, "out of memory"));
    r.seekable = lseek(STDOUT_FILENO, 0, SEEK_CUR) >= 0;
    for (mv_ssize i = 0; i < len && rc == 0; i++) {
        int c = s[i];
        if (c == '\r')
            continue;
        if (plain && (c == ' ' || c == '\n' || c == '\t'))
            continue;
        n3 = n2;
        n2 = n1;
        n1 = hexval(c);
        if (n1 == -1 && skip_garbage)
            continue;
        skip_garbage = 0;
        if (!plain && p >= cols) { /* reading the line's offset */
            if (n1 < 0)
                p = 0;
            else
                want = (want << 4) | n1;
            continue;
        }
        if (base + want != r.have && (rc = rev_move(&r, base + want)) != 0)
            break;
        int eol = 0;
        if (n2 >= 0 && n1 >= 0) {
            r.o.p[r.o.n++] = (char)((n2 << 4) | n1);
            r.have++;
            want++;
            n1 = -1;
            if (!plain && ++p >= cols)
                eol = 1;
            if (r.o.n >= r.o.cap && (rc = out_flush(&r.o)) != 0)
                break;
        } else if (n1 < 0 && n2 < 0 && n3 < 0) {
            eol = 1;
        }
        if (eol) {
            while (i < len && s[i] != '\n')
                i++;
            c = i < len ? '\n' : -1;
        }
        if (c == '\n') {
            if (!plain)
                want = 0;
            p = cols;
            skip_garbage = 1;
        }
    }
    if (rc == 0)
        rc = out_flush(&r.o);
    free(r.o.p);
    return rc;
}

/* ---- the command ----------------------------------------------------------
 */

/* xxd's number: strtol(s, NULL, 0). */
static long long xxd_number(const char *s) { return strtoll(s, NULL, 0); }

static int run_dump(cli_args *a) {
    const char *s_arg = cli_opt_value(a, "--seek");
    const char *l_arg = cli_opt_value(a, "--len");
    const char *c_arg = cli_opt_value(a, "--cols");
    const char *g_arg = cli_opt_value(a, "--groupsize");
    int revert = cli_opt_value(a, "--revert") != NULL;
    dump_opts d = {.length = -1,
                   .upper = cli_opt_value(a, "--uppercase") != NULL,
                   .plain = cli_opt_value(a, "--plain") != NULL};
    int rel = 0, neg = 0;
    long long seek = 0;
    mv_view v;
    int rc;

    if (s_arg) {
        rel = s_arg[0] == '+';
        neg = s_arg[rel] == '-';
        seek = xxd_number(s_arg + rel + neg);
    }
    if (l_arg)
        d.length = xxd_number(l_arg);
    long long cols = c_arg ? xxd_number(c_arg) : 0;
    if (!c_arg || (cols == 0 && !d.plain))
        cols = d.plain ? 30 : 16;
    if ((d.plain && cols < 0) || (!d.plain && (cols < 1 || cols > 256))) {
        return cli_fail(
            mv_error(MV_EVALUE, "invalid number of columns (max. 256)"));
    }
    d.cols = (long)cols;
    long long group = g_arg ? xxd_number(g_arg) : -1;
    if (group < 0) /* unset, as xxd reads a negative -g */
        group = 2;
    d.group = (group < 1 || group > cols) ? (long)cols : (long)group;

    if ((rc = cli_open(a, a->pos[0], &v)) != 0)
        return rc;
    if (revert) {
        /* The dump is text: read it through a guarded copy. */
        void *text;
        if ((rc = mv_view_tobytes(&v, &text, MV_ORDER_C)) < 0) {
            mv_view_release(&v);
            return cli_fail(rc);
        }
        rc = reverse(text, v.nbytes, d.cols, d.plain, neg ? -seek : seek);
        mv_free(text);
        mv_view_release(&v);
        return rc;
    }
    d.base = a->start;
    /* Resolve -s within the selected range, as xxd's fseek would. */
    long long pos = 0;
    if (s_arg) {
        long long off = neg ? -seek : seek;
        pos = (!rel && neg) ? (long long)v.nbytes + off : off;
        if (pos < 0) {
            mv_view_release(&v);
            errno = EINVAL;
            return cli_fail(mv_error(MV_EOS, "cannot seek to %lld", pos));
        }
    }
    mv_ssize from = pos > v.nbytes ? v.nbytes : (mv_ssize)pos;
    mv_ssize to = v.nbytes;
    if (d.length >= 0 && d.length < to - from)
        to = from + (mv_ssize)d.length;
    rc = dump_view(&v, from, to, &d);
    mv_view_release(&v);
    return rc;
}

static const cli_opt dump_opts_table[] = {
    {"--seek", 's', "[+][-]N", "start at byte N (-N: N bytes before the end)"},
    {"--len", 'l', "N", "stop after N bytes"},
    {"--cols", 'c', "N", "N bytes a line (16; -p: 30)"},
    {"--groupsize", 'g', "N", "N bytes a group (2)"},
    {"--uppercase", 'u', NULL, "upper-case hex digits"},
    {"--plain", 'p', NULL, "plain hex, no addresses or text"},
    {"--revert", 'r', NULL, "read a dump (or plain hex) and write its bytes"},
    {0},
};

const cli_cmd cli_cmd_dump = {
    .name = "dump",
    .synopsis = "FILE",
    .summary = "hex dump of FILE, exactly as xxd prints it",
    .help = "Options -s -l -c -g -u -p -r mean what they mean to xxd, and\n"
            "the output is xxd's, byte for byte. -r turns a dump back into\n"
            "bytes on stdout.\n",
    .min_pos = 1,
    .max_pos = 1,
    .common = CLI_RANGE,
    .opts = dump_opts_table,
    .run = run_dump,
};
