/*
 * dump.c -- commands that print a file's bytes: hex (as bytes.hex()) and
 * slice (raw bytes of a Python slice).
 */
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
    uint32_t sep_char = 0;
    mv_ssize sep_len = sep ? utf8_chars(sep, &sep_char) : 0;
    rc = mv_view_hex(&part, sep, sep_len, 1, sep_char, group, &text, &textlen);
    mv_view_release(&part);
    if (rc < 0)
        return cli_fail(rc);
    rc = cli_write_all(text, (size_t)textlen);
    free(text);
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

    if (mv_is_c_contiguous(&part)) {
        /* Straight from the mapping: no copy. */
        rc = cli_write_all(part.buf, (size_t)part.len);
    } else {
        void *bytes;
        rc = mv_tobytes(&part, &bytes, MV_ORDER_C);
        if (rc < 0) {
            mv_view_release(&part);
            return cli_fail(rc);
        }
        rc = cli_write_all(bytes, (size_t)part.len);
        free(bytes);
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
