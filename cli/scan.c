/*
 * scan.c -- commands that scan a file's bytes: count.
 */
#include "cli.h"

#include <stdio.h>

static int run_count(cli_args *a) {
    mv_ssize byte, n;
    mv_view v;
    mv_value x;
    int rc;

    if (cli_parse_ssize(a->pos[1], &byte) < 0 || byte < 0 || byte > 255)
        return cli_usage_error(
            a->cmd, "BYTE must be a number from 0 to 255, not '%s'", a->pos[1]);
    if ((rc = cli_open(a, a->pos[0], &v)) != 0)
        return rc;
    x.type = MV_VAL_INT;
    x.i = byte;
    rc = mv_view_count(&v, &x, &n);
    mv_view_release(&v);
    if (rc < 0)
        return cli_fail(rc);
    printf("%td\n", n);
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
