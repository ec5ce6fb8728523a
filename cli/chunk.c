/*
 * chunk.c -- the one chunk loop of the scans (count, find, stat, dump).
 *
 * A scan is a function called with each chunk of its input, in order,
 * and the offset of the chunk's first byte in the input; the loop draws
 * the progress bar between chunks and stops at the first failure or when
 * the function says it is done (find). What a chunk is, a read buffer or
 * a run of a mapped view, is the input's business (input.c).
 */
#include "cli.h"

int cli_scan(cli_input *in, mv_ssize align, cli_chunk_fn fn, void *ctx) {
    cli_progress pr;
    mv_ssize at = 0;
    mv_view chunk;
    int rc;

    cli_progress_start(&pr, in->size);
    while ((rc = cli_input_next(in, &chunk, align)) > 0) {
        rc = fn(ctx, &chunk, at);
        at += chunk.nbytes;
        mv_view_release(&chunk);
        if (rc != 0)
            break;
        cli_progress_update(&pr, at);
    }
    cli_progress_end(&pr);
    return rc < 0 ? rc : 0;
}
