/*
 * bench_scanref.c -- the machine's own speed at scanning a file: the two
 * plain C loops that bench_files.py compares memview's scans with.
 *
 *     bench_scanref read FILE BYTE   read() into one 1 MiB buffer
 *     bench_scanref mmap FILE BYTE   one MAP_SHARED read-only mapping
 *
 * Each counts the bytes of value BYTE and prints the count, so that the
 * loop cannot be dropped and its answer can be checked against memview's.
 * The count is SSE2 compares (4 bytes a cycle and more): the loop is
 * bound by the way the bytes arrive, which is what it measures.
 */
#if !defined(_POSIX_C_SOURCE) && !defined(_GNU_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif
#define _FILE_OFFSET_BITS 64
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* The bytes of p equal to b: SSE2 where there is SSE2, a plain loop
 * elsewhere. */
static uint64_t count(const unsigned char *p, size_t n, unsigned char b) {
    uint64_t total = 0;
    size_t i = 0;
#if defined(__SSE2__)
    const __m128i pat = _mm_set1_epi8((char)b);
    while (n - i >= 64) {
        /* 255 rounds at most per 8-bit lane counter */
        size_t rounds = (n - i) / 64 < 255 ? (n - i) / 64 : 255;
        __m128i acc = _mm_setzero_si128();
        for (size_t r = 0; r < rounds; r++, i += 64)
            for (int k = 0; k < 64; k += 16)
                acc = _mm_sub_epi8(
                    acc,
                    _mm_cmpeq_epi8(
                        _mm_loadu_si128((const __m128i *)(p + i + k)), pat));
        __m128i s = _mm_sad_epu8(acc, _mm_setzero_si128());
        total += (uint64_t)_mm_cvtsi128_si64(s) +
                 (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(s, s));
    }
#endif
    for (; i < n; i++)
        total += p[i] == b;
    return total;
}

int main(int argc, char **argv) {
    if (argc != 4 || (strcmp(argv[1], "read") && strcmp(argv[1], "mmap"))) {
        fputs("usage: bench_scanref read|mmap FILE BYTE\n", stderr);
        return 2;
    }
    unsigned char b = (unsigned char)atoi(argv[3]);
    int fd = open(argv[2], O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        perror(argv[2]);
        return 1;
    }
    uint64_t n = 0;
    if (strcmp(argv[1], "read") == 0) {
        size_t cap = (size_t)1 << 20;
        unsigned char *buf = malloc(cap);
        ssize_t got;
        if (!buf)
            return 1;
        while ((got = read(fd, buf, cap)) > 0)
            n += count(buf, (size_t)got, b);
        if (got < 0) {
            perror(argv[2]);
            return 1;
        }
        free(buf);
    } else if (st.st_size > 0) {
        void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
        if (p == MAP_FAILED) {
            perror(argv[2]);
            return 1;
        }
        n = count(p, (size_t)st.st_size, b);
        munmap(p, (size_t)st.st_size);
    }
    close(fd);
    printf("%llu\n", (unsigned long long)n);
    return 0;
}
