/*
 * input.c -- the one input of a file command: the byte range of a file
 * that the map options select, or standard input ("-").
 *
 * An input is one of three kinds, chosen once, when it is opened:
 *
 *   CLI_FILE    a regular file of known size, read in order into a reused
 *               buffer (a scan holds one buffer of it, whatever its size)
 *   CLI_STREAM  standard input, a pipe, a FIFO or a terminal: read once,
 *               in order, into the same kind of buffer; its size is known
 *               only at its end
 *   CLI_VIEW    a view of the whole range: a mapping of the file, or the
 *               stream read into memory (at most CLI_STREAM_MAX bytes)
 *
 * Rules:
 *   1. --offset N and --length N select bytes [N, N + length) as a slice
 *      does (cli_range). A stream skips N bytes by reading them and stops
 *      after length bytes, so an endless one can be scanned; a negative
 *      offset on a stream needs its end, so the stream is read whole.
 *   2. A file that ends before its size at opening (it shrank under the
 *      scan) is an OSError, never a short answer; a mapped one is the
 *      library's fault guard's business.
 *   3. Commands that need random access (get, show, hex, slice, info, stat
 *      with a KEY or --shape, dump -s -N of a stream) ask for the whole
 *      input as a view: a file is mapped (only the range), a stream is
 *      read whole, and refused past CLI_STREAM_MAX bytes.
 *   4. Chunks of a CLI_VIEW input are runs of its first dimension. Those
 *      of a file's mapping are read through a window mapped for each
 *      chunk alone, so that a scan holds a bounded window of the file:
 *      the whole mapping only gives the views their shape.
 *   5. A CLI_FILE is read in one of two ways, chosen by measuring both:
 *      read() into the buffer, or a window of MAP_WINDOW bytes mapped,
 *      scanned and unmapped. Which is faster depends on how the page
 *      cache holds the file: small folios make every page of a mapping a
 *      fault of its own (read() is faster, up to 3x), large ones map in
 *      a few faults and spare read()'s copy (the mapping is faster, up to
 *      2x). The first PROBE bytes are read, the next PROBE mapped, each
 *      timed from one chunk to the next (its reading and its scan), and
 *      the faster way reads the rest (the mapping only when it is twice
 *      as fast: where it wins, it wins by far more). A window is a mapping of
 * the library, guarded: a file that shrinks under it is an OSError. Small
 * files, and scans that ask for it (dump), are only read.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

/* Bytes read into the buffer at a time: the buffer stays in the cache. */
#define READ_CHUNK ((mv_ssize)1 << 20)
/* Bytes of a view's first dimension handed out at a time. */
#define VIEW_CHUNK ((mv_ssize)16 << 20)
/* A file's mapped window, and the bytes each way is tried on first. */
#define MAP_WINDOW ((mv_ssize)32 << 20)
#define PROBE ((mv_ssize)8 << 20)

void cli_range(const cli_args *a, mv_ssize size, mv_ssize *start,
               mv_ssize *stop) {
    mv_ssize off = a->offset;
    if (off < 0)
        off = off < -size ? 0 : off + size;
    if (off > size)
        off = size;
    mv_ssize end = size;
    if (a->length >= 0 && a->length < size - off)
        end = off + a->length;
    *start = off;
    *stop = end;
}

static void release_free(void *ctx, void *data, mv_ssize len) {
    (void)ctx;
    (void)len;
    free(data);
}

/* The stream's bytes, past in->skip and up to in->limit, as a view. */
static int read_whole(cli_input *in) {
    mv_ssize cap = READ_CHUNK, len = 0, got;
    char *data = malloc((size_t)cap);
    int rc = 0;
    if (!data)
        return mv_error(MV_ENOMEM, "out of memory");
    while (in->skip > 0) {
        mv_ssize n = in->skip < cap ? in->skip : cap;
        if ((rc = cli_os_read(in->fd, in->name, data, n, &got)) < 0)
            break;
        in->skip -= got;
        if (got < n)
            in->skip = 0; /* the stream ended first: nothing is left */
    }
    for (got = 1; rc == 0 && got > 0;) {
        if (len == cap) {
            if (len > CLI_STREAM_MAX) {
                rc = mv_error(MV_EVALUE,
                              "%s is longer than %td MiB: this command "
                              "needs it whole; give a file instead",
                              in->name, CLI_STREAM_MAX >> 20);
                break;
            }
            char *more = realloc(data, (size_t)(cap *= 2));
            if (!more) {
                rc = mv_error(MV_ENOMEM, "out of memory");
                break;
            }
            data = more;
        }
        mv_ssize want = cap - len;
        if (in->limit >= 0 && want > in->limit - len)
            want = in->limit - len;
        if (want == 0)
            break;
        rc = cli_os_read(in->fd, in->name, data + len, want, &got);
        len += got;
    }
    mv_owner *o;
    if (rc == 0)
        rc = mv_owner_wrap(&o, data, len, 1, release_free, NULL);
    if (rc < 0) {
        free(data);
        return rc;
    }
    rc = mv_view_from_owner(&in->view, o);
    mv_owner_release(o);
    return rc;
}

int cli_input_open(cli_args *a, const char *path, cli_input *in) {
    mv_ssize size = 0, start, stop;
    int rc;

    memset(in, 0, sizeof *in);
    in->name = strcmp(path, "-") == 0 ? "<stdin>" : path;
    in->limit = -1;
    if ((rc = cli_os_open(path, &in->fd)) < 0) {
        in->fd = -1;
        return rc;
    }
    if ((rc = cli_os_kind(in->fd, in->name, &size)) < 0) {
        cli_input_close(in);
        return rc;
    }
    in->kind = rc;
    if (in->kind == CLI_STREAM && a->offset >= 0) {
        in->start = in->skip = a->offset;
        in->limit = a->length;
        in->size = -1;
        a->start = in->start;
        return 0;
    }
    if (in->kind == CLI_STREAM) { /* from its end: read it all first */
        if ((rc = read_whole(in)) < 0) {
            cli_input_close(in);
            return rc;
        }
        in->kind = CLI_VIEW;
        size = in->view.nbytes;
    }
    /* MEMVIEW_SCAN_WAY=read or map: one way only (tests, benchmarks). */
    const char *way = getenv("MEMVIEW_SCAN_WAY");
    if (way)
        in->forced = strcmp(way, "read") == 0  ? 1 + WAY_READ
                     : strcmp(way, "map") == 0 ? 1 + WAY_MAP
                                               : 0;
    cli_range(a, size, &start, &stop);
    a->start = in->start = start;
    in->size = stop - start;
    if (in->kind == CLI_VIEW)
        rc = mv_view_narrow(&in->view, start, stop, 1);
    else
        rc = cli_os_seek(in->fd, in->name, start);
    if (rc < 0)
        cli_input_close(in);
    return rc;
}

int cli_input_narrow(cli_input *in, mv_ssize skip, mv_ssize length) {
    if (in->kind == CLI_STREAM) {
        in->skip += skip;
        in->start += skip;
        if (in->limit >= 0)
            in->limit = skip < in->limit ? in->limit - skip : 0;
        if (length >= 0 && (in->limit < 0 || length < in->limit))
            in->limit = length;
        return 0;
    }
    if (skip > in->size)
        skip = in->size;
    in->start += skip;
    in->size -= skip;
    if (length >= 0 && length < in->size)
        in->size = length;
    if (in->kind == CLI_VIEW)
        return mv_view_narrow(&in->view, skip, skip + in->size, 1);
    return cli_os_seek(in->fd, in->name, in->start);
}

int cli_input_whole(cli_input *in) {
    mv_owner *o;
    int rc;
    if (in->kind == CLI_VIEW)
        return 0;
    if (in->kind == CLI_STREAM) {
        if ((rc = read_whole(in)) < 0)
            return rc;
        in->size = in->view.nbytes;
    } else {
        /* Only the range is mapped: a slice near the end of a huge file
         * costs what the slice does. */
        if (in->size == 0)
            rc = mv_owner_copy(&o, "", 0);
        else
            rc = mv_owner_map_range(&o, in->name, in->start, in->size, 0);
        if (rc < 0)
            return rc;
        rc = mv_view_from_owner(&in->view, o);
        mv_owner_release(o); /* the view holds the mapping from here on */
        if (rc < 0)
            return rc;
        in->mapped = in->size > 0;
        in->map_start = in->start;
    }
    in->kind = CLI_VIEW;
    cli_os_close(in->fd);
    in->fd = -1;
    return 0;
}

int cli_input_view(cli_input *in, mv_view *v) {
    int rc = cli_input_whole(in);
    return rc < 0 ? rc : mv_view_new(v, &in->view);
}

void cli_input_set_view(cli_input *in, mv_view *v) {
    if (in->view.owner)
        mv_view_release(&in->view);
    mv_view_move(&in->view, v);
    in->kind = CLI_VIEW;
    in->size = in->view.nbytes;
}

/* The byte range [lo, hi) of v's owner that v's items lie in. */
static void view_extent(const mv_view *v, mv_ssize *lo, mv_ssize *hi) {
    mv_ssize a = 0, b = v->itemsize;
    for (int i = 0; i < v->ndim; i++) {
        if (v->shape[i] == 0) {
            a = b = 0;
            break;
        }
        mv_ssize span = (v->shape[i] - 1) * v->strides[i];
        if (span < 0)
            a += span;
        else
            b += span;
    }
    mv_ssize at = (mv_ssize)(v->buf - (char *)mv_owner_data(v->owner));
    *lo = at + a;
    *hi = at + b;
}

/* The file shrank: an OSError, with where it ended. */
static int shrank(const cli_input *in, mv_ssize got) {
    return mv_error(MV_EOS,
                    "file shrank under the scan (it ended after byte %td "
                    "of %td): '%s'",
                    in->start + in->pos + got, in->start + in->size, in->name);
}

/* part, a view of the file's mapping in->view, as the same items in a
 * window of the file mapped for it alone: the scan touches the window,
 * never the whole mapping, and unmaps it with the chunk. */
static int rebase(cli_input *in, mv_view *part) {
    mv_ssize lo, hi;
    mv_owner *w;
    view_extent(part, &lo, &hi);
    if (hi <= lo)
        return 0;
    int rc = mv_owner_map_range(&w, in->name, in->map_start + lo, hi - lo, 0);
    if (rc == MV_EVALUE) /* "mmap length is greater than file size" */
        return mv_error(MV_EOS,
                        "file shrank under the scan (it is shorter than "
                        "byte %td): '%s'",
                        in->map_start + hi, in->name);
    if (rc < 0)
        return rc;
    mv_ssize at = (mv_ssize)(part->buf - (char *)mv_owner_data(part->owner));
    mv_layout l = {.buf = (char *)mv_owner_data(w) + (at - lo),
                   .nbytes = part->nbytes,
                   .itemsize = part->itemsize,
                   .format = part->format,
                   .ndim = part->ndim,
                   .shape = part->shape,
                   .strides = part->strides,
                   .readonly = 1};
    mv_view moved;
    rc = mv_view_from_layout(&moved, w, &l);
    mv_owner_release(w);
    if (rc < 0)
        return rc;
    mv_view_release(part);
    mv_view_move(part, &moved);
    return 0;
}

/* The next rows of a view input. Rows of a file's mapping are read
 * through a window of their own (rebase). */
static int next_rows(cli_input *in, mv_view *chunk) {
    const mv_view *v = &in->view;
    int rc;
    if (v->ndim == 0) {
        if (in->row > 0)
            return 0;
        in->row = 1;
        return (rc = mv_view_new(chunk, v)) < 0 ? rc : 1;
    }
    mv_ssize n = v->shape[0];
    if (in->row >= n)
        return 0;
    mv_ssize row = v->nbytes / n;
    mv_ssize per = row > 0 && VIEW_CHUNK / row > 0 ? VIEW_CHUNK / row : 1;
    mv_ssize stop = n - in->row < per ? n : in->row + per;
    if ((rc = mv_view_slice(chunk, v, in->row, stop, 1)) < 0)
        return rc;
    in->row = stop;
    if (in->mapped && (rc = rebase(in, chunk)) < 0) {
        mv_view_release(chunk);
        return rc;
    }
    return 1;
}

/* Account the time since the last chunk to the way it was read; pick the
 * way of the next one (rule 5). */
static int pick_way(cli_input *in) {
    double now = cli_os_clock();
    if (in->last_bytes > 0 && in->pos > in->last_bytes) {
        /* (the first chunk, which pays for starting up, is left out) */
        in->secs[in->way] += now - in->t_last;
        in->bytes[in->way] += in->last_bytes;
    }
    in->t_last = now;
    if (in->read_only || in->forced == 1 + WAY_READ)
        return WAY_READ;
    if (in->forced == 1 + WAY_MAP)
        return WAY_MAP;
    if (in->size < 4 * PROBE)
        return WAY_READ;
    if (in->bytes[WAY_READ] < PROBE)
        return WAY_READ;
    if (in->bytes[WAY_MAP] < PROBE)
        return WAY_MAP;
    /* Mapped windows, where they win, win by 5x and more: a margin of 2x
     * keeps a busy machine's noise from choosing them where they lose. */
    return 2 * in->secs[WAY_MAP] / (double)in->bytes[WAY_MAP] <
                   in->secs[WAY_READ] / (double)in->bytes[WAY_READ]
               ? WAY_MAP
               : WAY_READ;
}

/* The next window of the file, mapped. */
static int next_window(cli_input *in, mv_view *chunk, mv_ssize align,
                       mv_ssize want) {
    mv_owner *o;
    int rc;
    if (want > MAP_WINDOW)
        want = MAP_WINDOW > align ? MAP_WINDOW / align * align : align;
    if (in->bytes[WAY_MAP] < PROBE && want > PROBE)
        want = PROBE > align ? PROBE / align * align : align;
    if (want > in->size - in->pos)
        want = in->size - in->pos;
    rc = mv_owner_map_range(&o, in->name, in->start + in->pos, want, 0);
    if (rc == MV_EVALUE) /* "mmap length is greater than file size" */
        return shrank(in, 0);
    if (rc < 0)
        return rc;
    rc = mv_view_from_owner(chunk, o);
    mv_owner_release(o); /* unmapped with the chunk */
    if (rc < 0)
        return rc;
    in->pos += want;
    in->last_bytes = want;
    in->seek_pending = 1; /* read() goes on from in->pos */
    return 1;
}

int cli_input_next(cli_input *in, mv_view *chunk, mv_ssize align) {
    mv_ssize got;
    int rc;
    if (in->kind == CLI_VIEW)
        return next_rows(in, chunk);
    if (in->kind == CLI_FILE) {
        in->way = pick_way(in);
        in->last_bytes = 0;
        if (in->pos >= in->size)
            return 0;
        if (in->way == WAY_MAP)
            return next_window(in, chunk, align, in->size - in->pos);
        if (in->seek_pending &&
            (rc = cli_os_seek(in->fd, in->name, in->start + in->pos)) < 0)
            return rc;
        in->seek_pending = 0;
    }
    if (!in->buf) {
        mv_ssize size = READ_CHUNK > align ? READ_CHUNK / align * align : align;
        if ((rc = mv_owner_new_bytes(&in->buf, size)) < 0)
            return rc;
        if ((rc = mv_view_from_owner(&in->bufview, in->buf)) < 0)
            return rc;
    }
    char *data = mv_owner_data(in->buf);
    mv_ssize cap = in->bufview.nbytes;
    while (in->skip > 0) { /* a stream's bytes before the range */
        mv_ssize n = in->skip < cap ? in->skip : cap;
        if ((rc = cli_os_read(in->fd, in->name, data, n, &got)) < 0)
            return rc;
        in->skip = got < n ? 0 : in->skip - n;
        if (got < n)
            in->limit = 0; /* it ended first */
    }
    mv_ssize want = cap;
    if (in->kind == CLI_FILE && want > in->size - in->pos)
        want = in->size - in->pos;
    if (in->limit >= 0 && want > in->limit - in->pos)
        want = in->limit - in->pos;
    if (want <= 0)
        return 0;
    if ((rc = cli_os_read(in->fd, in->name, data, want, &got)) < 0)
        return rc;
    if (got < want && in->kind == CLI_FILE)
        return shrank(in, got);
    if (got == 0)
        return 0;
    if (got < want) /* the stream's end: the next read gives nothing */
        in->limit = in->pos + got;
    in->pos += got;
    in->last_bytes = got;
    return (rc = mv_view_slice(chunk, &in->bufview, 0, got, 1)) < 0 ? rc : 1;
}

void cli_input_close(cli_input *in) {
    if (in->fd >= 0)
        cli_os_close(in->fd);
    in->fd = -1;
    if (in->view.owner)
        mv_view_release(&in->view);
    if (in->bufview.owner)
        mv_view_release(&in->bufview);
    mv_owner_release(in->buf);
    in->buf = NULL;
}

int cli_open(cli_args *a, const char *path, mv_view *v) {
    cli_input in;
    int rc = cli_input_open(a, path, &in);
    if (rc == 0)
        rc = cli_input_view(&in, v);
    cli_input_close(&in);
    return rc < 0 ? cli_fail(rc) : 0;
}
