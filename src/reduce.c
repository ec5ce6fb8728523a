/*
 * reduce.c -- computation over a view's items: byte count and find.
 *
 * Rules:
 *   1. Byte count and find run at memchr speed on contiguous bytes: find
 *      is memchr; count compares 16 or 32 bytes at a time (SSE2, or AVX2
 *      when the CPU has it), summing the matches in byte lanes that are
 *      flushed before they can wrap.
 *   2. All the work runs inside the view's fault guard (fault.c).
 */
#include "internal.h"

#include <stdint.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define MV_X86 1
#endif

/* ---- counting one byte value ------------------------------------------ */

static uint64_t count_scalar(const unsigned char *p, size_t n,
                             unsigned char b) {
    uint64_t r = 0;
    for (size_t i = 0; i < n; i++)
        r += p[i] == b;
    return r;
}

#ifdef MV_X86
static uint64_t count_sse2(const unsigned char *p, size_t n, unsigned char b) {
    const __m128i key = _mm_set1_epi8((char)b), zero = _mm_setzero_si128();
    uint64_t r = 0;
    size_t i = 0;
    while (n - i >= 16) {
        /* Up to 255 blocks per lane-sum before the byte lanes could wrap. */
        size_t blocks = (n - i) / 16;
        if (blocks > 255)
            blocks = 255;
        __m128i acc = zero;
        for (size_t k = 0; k < blocks; k++, i += 16) {
            __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
            acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(x, key));
        }
        __m128i s = _mm_sad_epu8(acc, zero);
        r += (uint64_t)_mm_cvtsi128_si64(s) +
             (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(s, s));
    }
    return r + count_scalar(p + i, n - i, b);
}

__attribute__((target("avx2"))) static uint64_t
count_avx2(const unsigned char *p, size_t n, unsigned char b) {
    const __m256i key = _mm256_set1_epi8((char)b),
                  zero = _mm256_setzero_si256();
    uint64_t r = 0;
    size_t i = 0;
    while (n - i >= 64) {
        size_t blocks = (n - i) / 64;
        if (blocks > 255)
            blocks = 255;
        __m256i a0 = zero, a1 = zero;
        for (size_t k = 0; k < blocks; k++, i += 64) {
            __m256i x0 =
                _mm256_loadu_si256((const __m256i *)(const void *)(p + i));
            __m256i x1 =
                _mm256_loadu_si256((const __m256i *)(const void *)(p + i + 32));
            a0 = _mm256_sub_epi8(a0, _mm256_cmpeq_epi8(x0, key));
            a1 = _mm256_sub_epi8(a1, _mm256_cmpeq_epi8(x1, key));
        }
        __m256i s = _mm256_add_epi64(_mm256_sad_epu8(a0, zero),
                                     _mm256_sad_epu8(a1, zero));
        r += (uint64_t)_mm256_extract_epi64(s, 0) +
             (uint64_t)_mm256_extract_epi64(s, 1) +
             (uint64_t)_mm256_extract_epi64(s, 2) +
             (uint64_t)_mm256_extract_epi64(s, 3);
    }
    return r + count_sse2(p + i, n - i, b);
}
#endif

static uint64_t count_byte(const unsigned char *p, size_t n, unsigned char b) {
#ifdef MV_X86
    static int have_avx2 = -1;
    if (have_avx2 < 0) {
        __builtin_cpu_init();
        have_avx2 = __builtin_cpu_supports("avx2") != 0;
    }
    return have_avx2 ? count_avx2(p, n, b) : count_sse2(p, n, b);
#else
    return count_scalar(p, n, b);
#endif
}

typedef struct bytes_job {
    const unsigned char *p;
    size_t n;
    unsigned char byte;
    mv_ssize r;
} bytes_job;

static int run_count(void *ctx) {
    bytes_job *j = ctx;
    j->r = (mv_ssize)count_byte(j->p, j->n, j->byte);
    return MV_OK;
}

static int run_find(void *ctx) {
    bytes_job *j = ctx;
    const unsigned char *hit = memchr(j->p, j->byte, j->n);
    j->r = hit ? hit - j->p : -1;
    return MV_OK;
}

int mv__bytes_count(const mv_view *v, const char *p, mv_ssize n,
                    unsigned char byte, mv_ssize *out) {
    bytes_job j = {(const unsigned char *)p, (size_t)n, byte, 0};
    int rc = n > 0 ? mv__guarded(v, run_count, &j) : MV_OK;
    if (rc == MV_OK)
        *out = j.r;
    return rc;
}

int mv__bytes_find(const mv_view *v, const char *p, mv_ssize n,
                   unsigned char byte, mv_ssize *out) {
    bytes_job j = {(const unsigned char *)p, (size_t)n, byte, -1};
    int rc = n > 0 ? mv__guarded(v, run_find, &j) : MV_OK;
    if (rc == MV_OK)
        *out = j.r;
    return rc;
}
