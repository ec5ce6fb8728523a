/*
 * memview -- the command-line face of libmemview.
 *
 * Every file command reads its input (a file, or standard input) through
 * input.c: scans read it in order, a buffer or a mapped window at a time;
 * the other commands map the range they select read-only and work through
 * views of that mapping. All rules (slicing, casting, hex grouping,
 * counting) are the library's; the tool parses arguments (args.c) and
 * turns statuses into exit codes:
 *
 *   0  success
 *   1  a memview error, printed as "memview: <ErrorName>: <message>"
 *   2  a usage error
 *
 * The commands live one family a file (see cli.h); this file only lists
 * them and dispatches.
 */
#include "cli.h"

#include "os.h" /* the library's platform layer: binary streams */

#include <stdio.h>
#include <string.h>

/* Every command, in the order "memview help" lists them. */
static const cli_cmd *const commands[] = {
    &cli_cmd_info, &cli_cmd_dump,  &cli_cmd_hex,  &cli_cmd_slice, &cli_cmd_get,
    &cli_cmd_show, &cli_cmd_count, &cli_cmd_find, &cli_cmd_stat,  &cli_cmd_seed,
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void print_commands(FILE *f) {
    fputs("usage: memview <command> [args]\n\ncommands:\n", f);
    for (size_t i = 0; i < NCOMMANDS; i++) {
        char left[64];
        snprintf(left, sizeof left, "%s %s", commands[i]->name,
                 commands[i]->synopsis);
        fprintf(f, "  %s\n      %s\n", left, commands[i]->summary);
    }
    fputs("  help\n      this text\n"
          "  version\n      memview's version\n"
          "\n"
          "Every command takes --help. File commands take --offset N and\n"
          "--length N (suffixes K M G T; a negative offset counts from the\n"
          "end); FILE - is standard input.\n"
          "Exit codes: 0 success, 1 error, 2 bad usage.\n",
          f);
}

int main(int argc, char **argv) {
    /* Bytes out as they are (no CRLF on Windows): the same output on every
     * system. */
    mv__os_binary(stdin);
    mv__os_binary(stdout);
    mv__os_binary(stderr);
    if (argc < 2) {
        print_commands(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 ||
        strcmp(cmd, "-h") == 0) {
        print_commands(stdout);
        return cli_finish_stdout();
    }
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("memview %s\n", MEMVIEW_VERSION);
        return cli_finish_stdout();
    }
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(cmd, commands[i]->name) == 0)
            return cli_run(commands[i], argc - 2, argv + 2);
    fprintf(stderr, "memview: unknown command '%s'\n", cmd);
    print_commands(stderr);
    return EXIT_USAGE;
}
