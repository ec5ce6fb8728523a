/*
 * cli.h -- what the memview command's files share. Not installed.
 *
 * The tool is one file per command family over one argument parser:
 *
 *   main.c    the command table and dispatch, top-level help
 *   args.c    the argument parser (options, --help, sizes), reporting and
 *             exit codes, output helpers
 *   mapopt.c  the map options every file command takes (--offset,
 *             --length) and opening a file's range as a view
 *   info.c    info, seed
 *   dump.c    hex, slice, dump
 *   get.c     get (items of a typed view), value printing; the home of
 *             show
 *   scan.c    count, find, stat
 *
 * A command is a cli_cmd: its name, synopsis, help text, the number of
 * positional arguments it takes, its own options, and a run function that
 * receives the parsed arguments. Adding a command is adding one entry to
 * the table in main.c and its cli_cmd in its family's file.
 *
 * Exit codes: 0 success, 1 a memview error ("memview: <ErrorName>:
 * <message>" on stderr), 2 bad usage (the message, then the command's
 * usage, on stderr).
 */
#ifndef MEMVIEW_CLI_H
#define MEMVIEW_CLI_H

#include "memview.h"

#include <stddef.h>

enum { EXIT_MV_ERROR = 1, EXIT_USAGE = 2 };

/* Most options one command may have, its own and the common ones. */
#define CLI_MAXOPT 16

/* One option: "--name" (long), optional one-letter short form. metavar
 * NULL makes it a flag (its value is "1" when given). */
typedef struct cli_opt {
    const char *name;    /* "--offset" */
    char short_name;     /* 's' for "-s", or 0 */
    const char *metavar; /* "N", or NULL for a flag */
    const char *help;
} cli_opt;

/* What a command accepts, on top of --help. */
enum {
    CLI_RANGE = 1u << 0 /* the map options --offset and --length */
};

struct cli_args;

typedef struct cli_cmd {
    const char *name;
    const char *synopsis; /* "FILE BYTE", after the name */
    const char *summary;  /* one line for the command list */
    const char *help;     /* the rest of --help, or NULL */
    int min_pos, max_pos; /* positional arguments */
    unsigned common;      /* CLI_RANGE ... */
    const cli_opt *opts;  /* its own options, ended by {0}; may be NULL */
    int (*run)(struct cli_args *a);
} cli_cmd;

/* The parsed command line of one command. */
typedef struct cli_args {
    const cli_cmd *cmd;
    int npos;
    char **pos;                     /* positional arguments */
    const cli_opt *opt[CLI_MAXOPT]; /* every option the command knows */
    const char *val[CLI_MAXOPT];    /* its value, NULL when not given */
    int nopt;
    /* The map options, parsed (CLI_RANGE): offset may be negative (from
     * the end); length -1 when not given. */
    mv_ssize offset, length;
    /* Set by cli_open(): the file offset of the opened range. */
    mv_ssize start;
} cli_args;

/* ---- args.c ---- */

/* Parse argv (after the command name) for cmd and run it; --help prints
 * the command's help. Gives the exit code. */
int cli_run(const cli_cmd *cmd, int argc, char **argv);
/* The value of an option by its long name, NULL when not given. */
const char *cli_opt_value(const cli_args *a, const char *name);
/* Print "memview: <message>" and the command's usage to stderr: 2. */
int cli_usage_error(const cli_cmd *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Print the failing call's status and message: 1. */
int cli_fail(int status);
/* An OSError for errno about what: 1. */
int cli_os_fail(const char *what);

/* A whole number, decimal or 0x hexadecimal, with an optional sign. */
int cli_parse_ssize(const char *s, mv_ssize *out);
/* A size: a whole number with an optional binary suffix K, M, G, T, P or
 * E (also KiB.., k): "4K" is 4096, "-1G" is -2^30. */
int cli_parse_size(const char *s, mv_ssize *out);

/* A KEY as Python writes one inside []: "[::100, 3]", "5", "1:-1,::2"
 * (brackets optional, blanks ignored; each entry an index or a slice
 * start:stop[:step] whose omitted ends are Python's, so "::-1" reverses).
 * "[]" or "" is the empty key (the whole view). 0, or -1 if malformed. */
int cli_parse_key(const char *text, mv_keyitem *key, int *n);
/* A shape "1000,1000": 1 to MV_MAXDIM non-negative dims. 0, or -1. */
int cli_parse_shape(const char *text, mv_ssize *shape, int *ndim);

/* Write n bytes to stdout unbuffered / flush stdout: 0, or 1 on error. */
int cli_write_all(const char *p, size_t n);
int cli_finish_stdout(void);

/* ---- mapopt.c ---- */

/* The byte range the map options select from a file of size bytes, as a
 * slice does: a negative offset counts from the end, both ends are
 * clamped. */
void cli_range(const cli_args *a, mv_ssize size, mv_ssize *start,
               mv_ssize *stop);
/* A read-only 1-D "B" view of the range of path the map options select
 * (the whole file without them). 0, or the exit code after reporting. */
int cli_open(cli_args *a, const char *path, mv_view *v);

/* A progress bar on stderr for long scans: drawn only when stderr is a
 * terminal and the scan has run for a second (MEMVIEW_PROGRESS_AFTER
 * seconds), erased at the end. */
typedef struct cli_progress {
    double t0, after;
    mv_ssize total;
    int shown, tty;
} cli_progress;
void cli_progress_start(cli_progress *p, mv_ssize total);
void cli_progress_update(cli_progress *p, mv_ssize done);
void cli_progress_end(cli_progress *p);
/* Bytes a long scan takes between two progress updates. */
#define CLI_SCAN_CHUNK ((mv_ssize)64 << 20)

/* ---- the commands, by family ---- */

extern const cli_cmd cli_cmd_info, cli_cmd_seed;                /* info.c */
extern const cli_cmd cli_cmd_hex, cli_cmd_slice, cli_cmd_dump;  /* dump.c */
extern const cli_cmd cli_cmd_get, cli_cmd_show;                 /* get.c */
extern const cli_cmd cli_cmd_count, cli_cmd_find, cli_cmd_stat; /* scan.c */

/* get.c: print an item's value as Python's repr, then a newline. */
void cli_print_value(const mv_value *x);
/* get.c: print a double as Python's repr (no newline). */
void cli_print_float(double x);
/* The same as JSON has it (Python's json: NaN, Infinity, -Infinity). */
void cli_print_json_float(double x);

#endif /* MEMVIEW_CLI_H */
