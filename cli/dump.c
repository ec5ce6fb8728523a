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

static int write_chunk(void *ctx, const mv_view *chunk, mv_ssize at) {
    (void)ctx;
    (void)at;
    /* chunks of slices are read, never mapped: plain memory */
    return cli_os_write(1, "<stdout>", chunk->buf, (size_t)chunk->nbytes);
}

/* A slice of step 1, read in order and written as it comes, in bounded
 * memory: from a file, or from a stream when no end counts from its end.
 * The exit code, or -1 when the slice needs the whole input. */
static int slice_stream(cli_args *a, mv_ssize start, mv_ssize stop) {
    cli_input in;
    int rc;
    if ((rc = cli_input_open(a, a->pos[0], &in)) < 0)
        return cli_fail(rc);
    if (in.kind == CLI_STREAM) {
        if (start < 0 && start != MV_BEGIN) { /* from the end */
            cli_input_close(&in);
            return -1;
        }
        start = start == MV_BEGIN ? 0 : start;
        if (stop < 0) {
            cli_input_close(&in);
            return stop == MV_BEGIN ? 0 : -1;
        }
        stop = stop == MV_END ? -1 : stop < start ? start : stop;
    } else {
        mv_slice_adjust(in.size, &start, &stop, 1);
        stop = stop < start ? start : stop;
    }
    cli_input_read_only(&in);
    rc = cli_input_narrow(&in, start, stop < 0 ? -1 : stop - start);
    if (rc == 0)
        rc = cli_scan(&in, 1, write_chunk, NULL);
    cli_input_close(&in);
    return rc < 0 ? cli_fail(rc) : 0;
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
    if (step == 1 && (rc = slice_stream(a, start, stop)) >= 0)
        return rc;
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

#define DUMP_MAXCOLS 256
#define DUMP_CHUNK ((mv_ssize)1 << 20) /* bytes copied out at a time */

typedef struct dump_opts {
    long long seek;   /* -s, resolved to a start in the range */
    long long length; /* -l, -1: no limit */
    long cols, group; /* -c, -g */
    int upper, plain; /* -u, -p */
    mv_ssize base;    /* file offset of the range's first byte */
} dump_opts;

/* An output buffer flushed to fd (stdout, or OUTFILE). */
typedef struct outbuf {
    char *p;
    size_t n, cap;
    int fd;
    const char *name;
} outbuf;

/* 0, or a status. */
static int out_flush(outbuf *o) {
    int rc = cli_os_write(o->fd, o->name, o->p, o->n);
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

/* A dump in progress: lines are cut from chunks of any size, a line
 * that spans two chunks is carried over. */
typedef struct dumper {
    dump_opts d;
    dump_tables t;
    long hexpos[DUMP_MAXCOLS], textpos;
    outbuf o;
    unsigned char carry[DUMP_MAXCOLS]; /* the start of a line */
    long ncarry;
    long col;                /* -p: bytes on the current line */
    unsigned long long addr; /* of the next line */
    unsigned char *copy;     /* a guarded chunk, copied out */
} dumper;

static int dumper_init(dumper *w, const dump_opts *d, outbuf o) {
    memset(w, 0, sizeof *w);
    w->d = *d;
    w->o = o;
    if (!d->plain) {
        long grplen = 2 * d->group + 1;
        for (long p = 0; p < d->cols; p++)
            w->hexpos[p] = 1 + (grplen * p) / d->group;
        w->textpos = 3 + (grplen * d->cols - 1) / d->group;
    }
    size_t linemax = 20 + (size_t)w->textpos + (size_t)d->cols + 2;
    w->o.p = malloc(w->o.cap + linemax + 2);
    if (!w->o.p)
        return mv_error(MV_ENOMEM, "out of memory");
    dump_tables_init(&w->t, d->upper);
    return 0;
}

/* One line of n bytes. */
static int dumper_line(dumper *w, const unsigned char *b, long n) {
    w->o.n +=
        dump_line(w->o.p + w->o.n, b, n, w->addr, &w->t, w->hexpos, w->textpos);
    w->addr += (unsigned long long)n;
    return w->o.n >= w->o.cap ? out_flush(&w->o) : 0;
}

static int dumper_bytes(dumper *w, const unsigned char *b, mv_ssize n) {
    long cols = w->d.cols;
    int rc = 0;
    if (w->d.plain) {
        for (mv_ssize i = 0; i < n && rc == 0; i++) {
            memcpy(w->o.p + w->o.n, w->t.hex[b[i]], 2);
            w->o.n += 2;
            if (cols > 0 && ++w->col == cols) {
                w->o.p[w->o.n++] = '\n';
                w->col = 0;
            }
            if (w->o.n >= w->o.cap)
                rc = out_flush(&w->o);
        }
        return rc;
    }
    mv_ssize i = 0;
    if (w->ncarry > 0) {
        long k = cols - w->ncarry < n ? cols - w->ncarry : (long)n;
        memcpy(w->carry + w->ncarry, b, (size_t)k);
        w->ncarry += k;
        i = k;
        if (w->ncarry < cols)
            return 0;
        w->ncarry = 0;
        if ((rc = dumper_line(w, w->carry, cols)) != 0)
            return rc;
    }
    for (; n - i >= cols && rc == 0; i += cols)
        rc = dumper_line(w, b + i, cols);
    if (rc == 0 && i < n) {
        memcpy(w->carry, b + i, (size_t)(n - i));
        w->ncarry = (long)(n - i);
    }
    return rc;
}

static int dump_chunk(void *ctx, const mv_view *chunk, mv_ssize at) {
    dumper *w = ctx;
    (void)at;
    if (!mv_owner_guarded(chunk->owner))
        return dumper_bytes(w, (const unsigned char *)chunk->buf,
                            chunk->nbytes);
    /* Memory that may fault: copied out under the library's guard. */
    if (!w->copy && !(w->copy = malloc((size_t)DUMP_CHUNK)))
        return mv_error(MV_ENOMEM, "out of memory");
    int rc = 0;
    for (mv_ssize i = 0; i < chunk->nbytes && rc == 0; i += DUMP_CHUNK) {
        mv_view part;
        mv_ssize n =
            chunk->nbytes - i < DUMP_CHUNK ? chunk->nbytes - i : DUMP_CHUNK;
        if ((rc = mv_view_slice(&part, chunk, i, i + n, 1)) < 0)
            break;
        rc = mv_view_tobytes_into(&part, w->copy, DUMP_CHUNK, MV_ORDER_C);
        mv_view_release(&part);
        if (rc == 0)
            rc = dumper_bytes(w, w->copy, n);
    }
    return rc;
}

/* The end: a short last line, -p's last newline, the flush. */
static int dumper_end(dumper *w) {
    int rc = 0;
    if (w->ncarry > 0)
        rc = dumper_line(w, w->carry, w->ncarry);
    if (rc == 0 && w->d.plain && (w->d.cols == 0 || w->col > 0))
        w->o.p[w->o.n++] = '\n';
    if (rc == 0)
        rc = out_flush(&w->o);
    return rc;
}

static void dumper_free(dumper *w) {
    free(w->o.p);
    free(w->copy);
}

/* ---- dump -r ------------------------------------------------------------ */

static int hexval(int c) {
    return (c >= '0' && c <= '9')   ? c - '0'
           : (c >= 'a' && c <= 'f') ? c - 'a' + 10
           : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                    : -1;
}

/* A dump read back, a chunk of text at a time. */
typedef struct reverser {
    outbuf o;
    long long have; /* bytes written (or sought past) so far */
    int seekable;
    long cols;
    int plain;
    long long base;
    int n1, n2, n3, skip_garbage, to_eol;
    long p;
    long long want;
} reverser;

/* Move the output to offset want: a seek on a file, zeros on a pipe. */
static int rev_move(reverser *r, long long want) {
    int rc;
    if (r->seekable) {
        if ((rc = out_flush(&r->o)) < 0)
            return rc;
        if (cli_os_skip_output(r->o.fd, (mv_ssize)(want - r->have)) == 0) {
            r->have = want;
            return 0;
        }
    }
    if (want < r->have) {
        errno = ESPIPE;
        return mv_error(
            MV_EOS, "cannot seek backwards to offset %lld of the output", want);
    }
    for (; r->have < want; r->have++) {
        r->o.p[r->o.n++] = 0;
        if (r->o.n >= r->o.cap && (rc = out_flush(&r->o)) < 0)
            return rc;
    }
    return 0;
}

/* A newline: the next line starts with its offset. */
static void rev_newline(reverser *r) {
    if (!r->plain)
        r->want = 0;
    r->p = r->cols;
    r->skip_garbage = 1;
}

static int rev_chunk(void *ctx, const mv_view *chunk, mv_ssize at) {
    reverser *r = ctx;
    const unsigned char *s = (const unsigned char *)chunk->buf;
    int rc = 0;
    (void)at;
    for (mv_ssize i = 0; i < chunk->nbytes && rc == 0; i++) {
        int c = s[i];
        if (r->to_eol) { /* the rest of a line whose data ended */
            if (c == '\n') {
                r->to_eol = 0;
                rev_newline(r);
            }
            continue;
        }
        if (c == '\r')
            continue;
        if (r->plain && (c == ' ' || c == '\n' || c == '\t'))
            continue;
        r->n3 = r->n2;
        r->n2 = r->n1;
        r->n1 = hexval(c);
        if (r->n1 == -1 && r->skip_garbage)
            continue;
        r->skip_garbage = 0;
        if (!r->plain && r->p >= r->cols) { /* reading the line's offset */
            if (r->n1 < 0)
                r->p = 0;
            else
                r->want = (r->want << 4) | r->n1;
            continue;
        }
        if (r->base + r->want != r->have &&
            (rc = rev_move(r, r->base + r->want)) < 0)
            break;
        int eol = 0;
        if (r->n2 >= 0 && r->n1 >= 0) {
            r->o.p[r->o.n++] = (char)((r->n2 << 4) | r->n1);
            r->have++;
            r->want++;
            r->n1 = -1;
            if (!r->plain && ++r->p >= r->cols)
                eol = 1;
            if (r->o.n >= r->o.cap && (rc = out_flush(&r->o)) < 0)
                break;
        } else if (r->n1 < 0 && r->n2 < 0 && r->n3 < 0) {
            eol = 1;
        }
        if (eol && c != '\n')
            r->to_eol = 1;
        else if (c == '\n')
            rev_newline(r);
    }
    return rc;
}

static int reverse(cli_input *in, long cols, int plain, long long base,
                   outbuf o) {
    reverser r = {.o = o, .cols = cols, .plain = plain, .base = base};
    r.n1 = -1;
    r.skip_garbage = 1;
    r.p = cols;
    r.o.cap = (size_t)1 << 20;
    if (!(r.o.p = malloc(r.o.cap + 1)))
        return mv_error(MV_ENOMEM, "out of memory");
    r.seekable = cli_os_skip_output(r.o.fd, 0) == 0;
    int rc = cli_scan(in, 1, rev_chunk, &r);
    /* What was written before a failure stays written, as xxd leaves it. */
    int flushed = out_flush(&r.o);
    if (rc == 0)
        rc = flushed;
    free(r.o.p);
    return rc;
}

/* ---- the command ----------------------------------------------------------
 */

/* xxd's number: strtol(s, NULL, 0). */
static long long xxd_number(const char *s) { return strtoll(s, NULL, 0); }

/* Dump (or, with -r, read back) the input into o. */
static int dump_input(cli_input *in, const char *s_arg, int revert,
                      dump_opts *d, outbuf o) {
    int rel = 0, neg = 0, rc;
    long long seek = 0;
    if (s_arg) {
        rel = s_arg[0] == '+';
        neg = s_arg[rel] == '-';
        seek = xxd_number(s_arg + rel + neg);
    }
    cli_input_read_only(in); /* every byte is copied out anyway */
    if (revert)
        return reverse(in, d->cols, d->plain, neg ? -seek : seek, o);
    /* Resolve -s within the selected range, as xxd's fseek would: -N
     * counts from the end, which a stream has only once read whole. */
    long long pos = 0;
    if (s_arg) {
        long long off = neg ? -seek : seek;
        if (!rel && neg && (rc = cli_input_whole(in)) < 0)
            return rc;
        pos = (!rel && neg) ? (long long)in->size + off : off;
        if (pos < 0) {
            errno = EINVAL;
            return mv_error(MV_EOS, "cannot seek to %lld", pos);
        }
    }
    if (in->kind != CLI_STREAM && pos > in->size)
        pos = in->size;
    if ((rc = cli_input_narrow(in, (mv_ssize)pos,
                               d->length < 0 ? -1 : (mv_ssize)d->length)) < 0)
        return rc;
    dumper w;
    if ((rc = dumper_init(&w, d, o)) == 0) {
        w.addr = (unsigned long long)in->start;
        rc = cli_scan(in, d->plain ? 1 : d->cols, dump_chunk, &w);
        if (rc == 0)
            rc = dumper_end(&w);
    }
    dumper_free(&w);
    return rc;
}

static int run_dump(cli_args *a) {
    const char *s_arg = cli_opt_value(a, "--seek");
    const char *l_arg = cli_opt_value(a, "--len");
    const char *c_arg = cli_opt_value(a, "--cols");
    const char *g_arg = cli_opt_value(a, "--groupsize");
    int revert = cli_opt_value(a, "--revert") != NULL;
    dump_opts d = {.length = -1,
                   .upper = cli_opt_value(a, "--uppercase") != NULL,
                   .plain = cli_opt_value(a, "--plain") != NULL};
    outbuf o = {NULL, 0, (size_t)4 << 20, 1, "<stdout>"};
    cli_input in;
    int rc;

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

    if ((rc = cli_input_open(a, a->npos > 0 ? a->pos[0] : "-", &in)) < 0)
        return cli_fail(rc);
    /* OUTFILE, as xxd's: emptied for a dump, patched in place by -r. */
    if (a->npos > 1 && (rc = cli_os_create(a->pos[1], !revert, &o.fd)) < 0) {
        cli_input_close(&in);
        return cli_fail(rc);
    }
    if (a->npos > 1)
        o.name = a->pos[1];
    rc = dump_input(&in, s_arg, revert, &d, o);
    cli_input_close(&in);
    if (o.fd != 1)
        cli_os_close(o.fd);
    return rc < 0 ? cli_fail(rc) : 0;
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
    .synopsis = "[FILE [OUTFILE]]",
    .summary = "hex dump of FILE, exactly as xxd prints it",
    .help = "Options -s -l -c -g -u -p -r mean what they mean to xxd, and\n"
            "the output is xxd's, byte for byte. -r turns a dump back into\n"
            "bytes. Without FILE, or with FILE -, standard input is read\n"
            "(as it streams in; -s -N reads it whole first, at most 64 MiB).\n"
            "OUTFILE receives the output instead of stdout; -r writes into\n"
            "it in place, as xxd -r patches a file.\n",
    .min_pos = 0,
    .max_pos = 2,
    .common = CLI_RANGE,
    .opts = dump_opts_table,
    .run = run_dump,
};
