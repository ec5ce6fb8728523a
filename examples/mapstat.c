/*
 * mapstat.c -- a statistic over a file too large to read, without reading it.
 *
 * The file is mapped (mv_owner_map), not read into memory: the view is the
 * page cache. Cast to 16-bit samples, one call, mv_view_stats, computes
 * their count, minimum, maximum and mean in a single pass (with an exact
 * integer sum), and mv_view_count counts one value. Nothing is copied,
 * whatever the size of the file, and a file that shrinks under the mapping
 * gives an error, not a crash (both calls run inside memview's fault guard).
 *
 *     cc mapstat.c $(pkg-config --cflags --libs memview)
 */
#define _POSIX_C_SOURCE 200809L /* mkstemp */
#include <memview.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

enum { SAMPLES = 100000 };

/* A file of SAMPLES 16-bit samples in the machine's byte order: a sawtooth
 * from 0 to 999. */
static int write_samples(const char *path) {
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    int ok = 1;
    for (int i = 0; ok && i < SAMPLES; i++) {
        uint16_t s = (uint16_t)(i % 1000);
        ok = fwrite(&s, sizeof s, 1, f) == 1;
    }
    return fclose(f) == 0 && ok ? 0 : -1;
}

int main(void) {
    char path[] = "/tmp/memview-mapstat-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0 || close(fd) < 0 || write_samples(path) < 0) {
        perror("mapstat: temporary file");
        return 1;
    }
    mv_owner *o;
    int rc = mv_owner_map(&o, path, 0);
    remove(path); /* the mapping keeps the bytes */
    if (rc < 0) {
        fprintf(stderr, "mapstat: %s\n", mv_errmsg());
        return 1;
    }
    mv_view bytes, samples;
    rc = mv_view_from_owner(&bytes, o);
    mv_owner_release(o);
    if (rc == MV_OK)
        rc = mv_view_cast(&samples, &bytes, "H", NULL, -1);
    mv_view_release(&bytes);
    if (rc < 0) {
        fprintf(stderr, "mapstat: %s\n", mv_errmsg());
        return 1;
    }
    printf("mapped: %td bytes, %td samples of format %s\n", samples.nbytes,
           samples.shape[0], samples.format);

    mv_stats s;
    mv_value zero = {.type = MV_VAL_UINT, .u = 0};
    mv_ssize zeros;
    if (mv_view_stats(&samples, &s) < 0 ||
        mv_view_count(&samples, &zero, &zeros) < 0) {
        fprintf(stderr, "mapstat: %s\n", mv_errmsg());
        mv_view_release(&samples);
        return 1;
    }
    /* "H" items are unsigned integers: the exact extremes are min_u and
     * max_u; mean is a double for every kind. */
    printf("min %llu, max %llu, mean %.3f, zeros %td\n",
           (unsigned long long)s.min_u, (unsigned long long)s.max_u, s.mean,
           zeros);
    mv_view_release(&samples);
    return 0;
}
