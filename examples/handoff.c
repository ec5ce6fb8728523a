/*
 * handoff.c -- hand a block of memory to consumers without copying it.
 *
 * A producer fills a buffer it allocated itself, lends it to memview with
 * mv_owner_wrap() and a release callback, gives views of it to consumers
 * and drops its own handle at once. The bytes are never copied: every view
 * points into the producer's buffer. The callback frees the buffer exactly
 * once, when the last view is released, whatever the order of releases.
 *
 *     cc handoff.c $(pkg-config --cflags --libs memview)
 */
#include <memview.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The release callback: runs once, when nothing refers to the block. */
static void free_frame(void *ctx, void *data, mv_ssize len) {
    int *releases = ctx;
    ++*releases;
    printf("release callback: %td bytes freed\n", len);
    free(data);
}

/* A frame: an 8-byte header ("FRAME", version, count) and count samples. */
enum { HEADER = 8, COUNT = 24 };

static int producer(mv_view *frame, int *releases) {
    unsigned char *data = malloc(HEADER + COUNT);
    if (data == NULL)
        return MV_ENOMEM;
    memcpy(data, "FRAME", 5);
    data[5] = 1;
    data[6] = COUNT;
    data[7] = 0;
    for (int i = 0; i < COUNT; i++)
        data[HEADER + i] = (unsigned char)(i * i % 251);

    mv_owner *o;
    int rc = mv_owner_wrap(&o, data, HEADER + COUNT, 0, free_frame, releases);
    if (rc < 0) { /* the callback did not take the block: free it here */
        free(data);
        return rc;
    }
    rc = mv_view_from_owner(frame, o);
    printf("producer: views of the frame: %td\n", mv_owner_exports(o));
    printf("producer: view points into the buffer: %s\n",
           rc == MV_OK && frame->buf == (char *)data ? "yes" : "no");
    mv_owner_release(o); /* the view keeps the block alive */
    return rc;
}

/* The consumer sees only views: it sums the samples of its half. */
static int consume(const char *name, const mv_view *samples) {
    mv_ssize n;
    int rc = mv_view_length(samples, &n);
    unsigned long sum = 0;
    for (mv_ssize i = 0; rc == MV_OK && i < n; i++) {
        mv_value x;
        rc = mv_view_get(samples, i, &x);
        sum += (unsigned long)x.u;
    }
    if (rc == MV_OK)
        printf("%s: %td samples, sum %lu\n", name, n, sum);
    return rc;
}

int main(void) {
    int releases = 0;
    mv_view frame, even, odd;
    if (producer(&frame, &releases) < 0) {
        fprintf(stderr, "producer: %s\n", mv_errmsg());
        return 1;
    }

    /* Two consumers each get a view of every other sample. */
    if (mv_view_slice(&even, &frame, HEADER, MV_END, 2) < 0 ||
        mv_view_slice(&odd, &frame, HEADER + 1, MV_END, 2) < 0) {
        fprintf(stderr, "slice: %s\n", mv_errmsg());
        return 1;
    }
    char magic[6] = {0};
    memcpy(magic, frame.buf, 5);
    printf("header: %s version %d\n", magic, frame.buf[5]);
    mv_view_release(&frame); /* the producer's view is gone */

    consume("even", &even);
    mv_view_release(&even);
    printf("after the first consumer: callback ran %d times\n", releases);

    /* A write through the last view lands in the producer's buffer. */
    mv_value zero = {.type = MV_VAL_UINT, .u = 0};
    if (mv_view_set(&odd, 0, &zero) < 0)
        fprintf(stderr, "set: %s\n", mv_errmsg());
    consume("odd", &odd);
    mv_view_release(&odd);
    printf("after the last consumer: callback ran %d times\n", releases);

    /* Released views refuse every operation, with Python's message. */
    mv_value x;
    if (mv_view_get(&odd, 0, &x) < 0)
        printf("%s: %s\n", mv_err_name(MV_EVALUE), mv_errmsg());
    return releases == 1 ? 0 : 1;
}
