/*
 * cli.h -- what the memview command's files share. Not installed.
 *
 * The tool is one file per command family over one argument parser:
 *
 *   main.c    the command table and dispatch, top-level help
 *   args.c    the argument parser (options, --help, sizes), reporting and
 *             exit codes, output helpers
 *   os.c      every call to the operating system (files, clock, tty)
 *   input.c   the input of every file command: a file's range selected
 *             by --offset and --length, or standard input ("-")
 *   chunk.c   the one chunk loop of the scans, over an input
 *   progress.c  the progress bar of long scans
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

/* Write n bytes to stdout unbuffered / flush stdout: 0, or 1 on error
 * (reported). */
int cli_write_all(const char *p, size_t n);
int cli_finish_stdout(void);

/* ---- os.c: every call to the operating system ---- */

/* The kinds of input cli_os_kind() tells apart (input.c adds CLI_VIEW). */
enum { CLI_FILE = 1, CLI_STREAM = 2, CLI_VIEW = 3 };

/* Open path for reading ("-": standard input). 0, or an MV_EOS status. */
int cli_os_open(const char *path, int *fd);
/* Open path for writing, created if missing, emptied if truncate. */
int cli_os_create(const char *path, int truncate, int *fd);
/* Close fd (never the standard streams). */
void cli_os_close(int fd);
/* CLI_FILE (a regular file: its size in *size) or CLI_STREAM (standard
 * input, a pipe, a FIFO, a terminal), or an MV_EOS status (a directory). */
int cli_os_kind(int fd, const char *name, mv_ssize *size);
/* Move fd to byte offset of its file. */
int cli_os_seek(int fd, const char *name, mv_ssize offset);
/* Read n bytes into buf, fewer (*got) only at the end of the input. */
int cli_os_read(int fd, const char *name, void *buf, mv_ssize n, mv_ssize *got);
/* Write n bytes of buf to fd. */
int cli_os_write(int fd, const char *name, const void *buf, size_t n);
/* Move the output fd by delta bytes: 0, or -1 where it cannot seek. */
int cli_os_skip_output(int fd, mv_ssize delta);
/* 1 if stderr is a terminal. */
int cli_os_stderr_tty(void);
/* Seconds on a monotonic clock. */
double cli_os_clock(void);

/* ---- input.c: the input of a file command ---- */

enum { WAY_READ, WAY_MAP }; /* how a CLI_FILE is read */

/* The byte range the map options select from an input of size bytes, as a
 * slice does: a negative offset counts from the end, both ends are
 * clamped. */
void cli_range(const cli_args *a, mv_ssize size, mv_ssize *start,
               mv_ssize *stop);

/* Most bytes of a stream read whole (for the commands that need random
 * access: get, show, hex, slice, info, stat KEY, dump -s -N). */
#define CLI_STREAM_MAX ((mv_ssize)64 << 20)

/* One input: a regular file read in order, a stream (standard input, a
 * pipe) read once, or a view of the whole range (a mapping, or a stream
 * read whole). */
typedef struct cli_input {
    /* read-only */
    const char *name; /* the path, or "<stdin>" */
    int kind;         /* CLI_FILE, CLI_STREAM or CLI_VIEW */
    mv_ssize start;   /* offset of the first byte in the file or stream */
    mv_ssize size;    /* bytes in the input; -1 for a stream */
    /* private */
    int fd;
    mv_ssize pos;       /* bytes read so far */
    mv_ssize skip;      /* a stream's bytes still to skip */
    mv_ssize limit;     /* a stream's most bytes, -1 for no limit */
    mv_ssize row;       /* CLI_VIEW: rows of the first dimension handed out */
    int mapped;         /* CLI_VIEW: a mapping of the file */
    mv_ssize map_start; /* its file offset */
    /* CLI_FILE: read() or mapped windows, timed (input.c, rule 5) */
    int way, read_only, seek_pending, forced;
    double t_last, secs[2];
    mv_ssize bytes[2], last_bytes;
    mv_owner *buf; /* the reused read buffer */
    mv_view bufview, view;
} cli_input;

/* Open the input path ("-": standard input) with the map options of a,
 * and set a->start. 0, or a status (the input is closed then). */
int cli_input_open(cli_args *a, const char *path, cli_input *in);
/* Narrow the input to its bytes [skip, skip + length) (length -1: to the
 * end), as xxd's -s and -l do. */
int cli_input_narrow(cli_input *in, mv_ssize skip, mv_ssize length);
/* Read a CLI_FILE only, never through mapped windows (for scans that
 * copy every byte anyway). */
#define cli_input_read_only(in) ((in)->read_only = 1)
/* Make the input a CLI_VIEW: map the file's range, or read the stream
 * whole (at most CLI_STREAM_MAX bytes). */
int cli_input_whole(cli_input *in);
/* A new view of the whole input (cli_input_whole first). */
int cli_input_view(cli_input *in, mv_view *v);
/* Scan v (moved in) instead: its chunks are runs of its first dimension. */
void cli_input_set_view(cli_input *in, mv_view *v);
/* The next chunk: 1 and a view of it in *chunk (the caller releases it;
 * a read chunk is valid until the next call), 0 at the end, or a status.
 * Read chunks hold a multiple of align bytes, but for a stream's last. */
int cli_input_next(cli_input *in, mv_view *chunk, mv_ssize align);
void cli_input_close(cli_input *in);
/* A read-only 1-D "B" view of the whole input path. 0, or the exit code
 * after reporting. */
int cli_open(cli_args *a, const char *path, mv_view *v);

/* ---- chunk.c: the one chunk loop of the scans ---- */

/* Called with each chunk and the offset of its first byte in the input:
 * 0 to go on, 1 to stop there, or a status. */
typedef int (*cli_chunk_fn)(void *ctx, const mv_view *chunk, mv_ssize at);
/* Every chunk of in to fn (read chunks a multiple of align bytes), with a
 * progress bar. 0, or the first failing status. */
int cli_scan(cli_input *in, mv_ssize align, cli_chunk_fn fn, void *ctx);

/* ---- progress.c ---- */

/* A progress bar on stderr for long scans: drawn only when stderr is a
 * terminal and the scan has run for a second (MEMVIEW_PROGRESS_AFTER
 * seconds), erased at the end. A total of -1 (a stream) shows bytes and
 * speed only. */
typedef struct cli_progress {
    double t0, after;
    mv_ssize total;
    int shown, tty;
} cli_progress;
void cli_progress_start(cli_progress *p, mv_ssize total);
void cli_progress_update(cli_progress *p, mv_ssize done);
void cli_progress_end(cli_progress *p);

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
