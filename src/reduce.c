/*
 * reduce.c -- computation over a view's items: count, sum, min, max and
 * mean (mv_view_stats), and byte count and find.
 *
 * Rules:
 *   1. One pass over the items, in any layout: strided, N-D, indirect,
 *      either byte order. Each item is read as an element description
 *      (mv__elem: native code, size, byte order, offset in the item), the
 *      same facts a compiled format gives for each of its fields.
 *   2. Contiguous data takes block loops of a fixed length that
 *      compilers vectorise at -O2: integer sums in 64-bit lanes flushed
 *      into a 128-bit total each block, floats in eight lanes. Data in the
 *      other byte order takes them too, through a copy in host order, so
 *      that a float sum adds in the same order on every host.
 *   3. Integer sums are exact (128-bit); no wraparound is possible below
 *      2^63 items.
 *   4. NaN, as NumPy has it: sum, min, max and mean are NaN when any item
 *      is NaN (np.sum, np.min, np.max, np.mean); nansum, nanmin, nanmax
 *      and nanmean leave NaNs out (np.nansum, np.nanmin, np.nanmax,
 *      np.nanmean); with no item left, nanmin/nanmax/nanmean are NaN and
 *      nansum is 0.
 *   5. Byte count and find run at memchr speed on contiguous bytes: find
 *      is memchr; count compares 16, 32 or 64 bytes at a time (SSE2, or
 *      AVX2 when the CPU has it; NEON on aarch64), summing the matches in
 *      byte lanes that are flushed before they can wrap. Each SIMD loop
 *      has a scalar twin that gives the same result at every length and
 *      alignment (tests/c/test_simd.c compares them).
 *   6. All the work runs inside the view's fault guard (fault.c).
 */
#include "internal.h"
#include "int128.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define MV_X86 1
#elif defined(__aarch64__) && defined(__ARM_NEON) && !defined(__ARM_BIG_ENDIAN)
/* Baseline on aarch64: no detection needed. (Big-endian aarch64 takes the
 * scalar loops: the float loads below reinterpret bytes as lanes.) */
#include <arm_neon.h>
#define MV_NEON 1
#endif

/* Set by tests: take the baseline (SSE2) loops even on a CPU with AVX. */
int mv__simd_baseline;

/* ---- SIMD choices ---------------------------------------------------------
 *
 * Each SIMD loop (byte count, float blocks) is one helper per choice
 * (enum mv__simd), beside its scalar twin. One dispatcher per loop runs
 * the choice it is given (the build's and CPU's best, or a test's) and
 * counts the runs of each choice per thread, so that tests compare every
 * choice with the scalar twin and see which one the public calls take.
 */

static _Thread_local unsigned long simd_runs[MV__SIMD_N];

unsigned long mv__simd_runs(int isa) {
    return isa >= 0 && isa < MV__SIMD_N ? simd_runs[isa] : 0;
}

#ifdef MV_X86
/* Whether the CPU has AVX2 / AVX, unless the tests ask for the baseline
 * (mv__simd_baseline); libgcc/compiler-rt fill in its features before
 * main. */
static bool use_avx2(void) {
    if (mv__simd_baseline)
        return false;
    return __builtin_cpu_supports("avx2");
}
static bool use_avx(void) {
    if (mv__simd_baseline)
        return false;
    return __builtin_cpu_supports("avx");
}
#endif

int mv__simd_count_choice(void) {
#if defined(MV_X86)
    return use_avx2() ? MV__SIMD_AVX2 : MV__SIMD_SSE2;
#elif defined(MV_NEON)
    return MV__SIMD_NEON;
#else
    return MV__SIMD_SCALAR;
#endif
}

int mv__simd_float_choice(void) {
#if defined(MV_X86)
    return use_avx() ? MV__SIMD_AVX : MV__SIMD_SSE2;
#elif defined(MV_NEON)
    return MV__SIMD_NEON;
#else
    return MV__SIMD_SCALAR;
#endif
}

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

#ifdef MV_NEON
/* 64 bytes a round, in four registers: CMEQ gives 0xff where a byte is
 * b, and subtracting that adds 1 to the byte lane. After at most 255
 * rounds the lanes are widened pairwise (UADDLP, UADALP) and summed
 * across (UADDLV) before they could wrap. */
static uint64_t count_neon(const unsigned char *p, size_t n, unsigned char b) {
    const uint8x16_t key = vdupq_n_u8(b), zero = vdupq_n_u8(0);
    uint64_t r = 0;
    size_t i = 0;
    while (n - i >= 64) {
        size_t rounds = (n - i) / 64;
        if (rounds > 255)
            rounds = 255;
        uint8x16_t a0 = zero, a1 = zero, a2 = zero, a3 = zero;
        for (size_t k = 0; k < rounds; k++, i += 64) {
            a0 = vsubq_u8(a0, vceqq_u8(vld1q_u8(p + i), key));
            a1 = vsubq_u8(a1, vceqq_u8(vld1q_u8(p + i + 16), key));
            a2 = vsubq_u8(a2, vceqq_u8(vld1q_u8(p + i + 32), key));
            a3 = vsubq_u8(a3, vceqq_u8(vld1q_u8(p + i + 48), key));
        }
        uint16x8_t s = vpaddlq_u8(a0);
        s = vpadalq_u8(s, a1);
        s = vpadalq_u8(s, a2);
        s = vpadalq_u8(s, a3);
        r += vaddlvq_u16(s);
    }
    uint8x16_t a = zero; /* at most three 16-byte blocks left */
    for (; n - i >= 16; i += 16)
        a = vsubq_u8(a, vceqq_u8(vld1q_u8(p + i), key));
    r += vaddlvq_u8(a);
    return r + count_scalar(p + i, n - i, b);
}
#endif

/* Byte count through the loop of choice isa: -1 when this build or CPU
 * has none, else isa, with the count in *out. */
static int count_with(int isa, const unsigned char *p, size_t n,
                      unsigned char b, uint64_t *out) {
    switch (isa) {
    case MV__SIMD_SCALAR: *out = count_scalar(p, n, b); break;
#ifdef MV_X86
    case MV__SIMD_SSE2: *out = count_sse2(p, n, b); break;
    case MV__SIMD_AVX2:
        if (!use_avx2())
            return -1;
        *out = count_avx2(p, n, b);
        break;
#endif
#ifdef MV_NEON
    case MV__SIMD_NEON: *out = count_neon(p, n, b); break;
#endif
    default: return -1;
    }
    simd_runs[isa]++;
    return isa;
}

int mv__count_byte_with(int isa, const void *p, size_t n, unsigned char b,
                        uint64_t *out) {
    return count_with(isa, p, n, b, out);
}

static uint64_t count_byte(const unsigned char *p, size_t n, unsigned char b) {
    uint64_t r = 0;
    count_with(mv__simd_count_choice(), p, n, b, &r); /* never -1 */
    return r;
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
    int rc = mv__guarded(v, run_count, &j); /* n > 0 */
    if (rc == MV_OK)
        *out = j.r;
    return rc;
}

int mv__bytes_find(const mv_view *v, const char *p, mv_ssize n,
                   unsigned char byte, mv_ssize *out) {
    bytes_job j = {(const unsigned char *)p, (size_t)n, byte, -1};
    int rc = mv__guarded(v, run_find, &j); /* n > 0 */
    if (rc == MV_OK)
        *out = j.r;
    return rc;
}

/* ---- reductions ---------------------------------------------------------- */

/* The running state of one reduction. */
typedef struct acc {
    mv_ssize count, nans;
    int cls;       /* 'i' signed, 'u' unsigned, 'f' float */
    mv__i128 isum; /* exact (int128.h) */
    int64_t imin, imax;
    uint64_t umin, umax;
    double fsum, fmin, fmax; /* over the values that are not NaN */
    bool seen;               /* a value (not NaN) has been taken */
} acc;

#define BLOCK 1024 /* values per block loop: a multiple of every lane count */

static void take_int(acc *a, int64_t x) {
    a->isum = mv__i128_add_i64(a->isum, x);
    if (!a->seen || x < a->imin)
        a->imin = x;
    if (!a->seen || x > a->imax)
        a->imax = x;
    a->seen = true;
}

static void take_uint(acc *a, uint64_t x) {
    a->isum = mv__i128_add_u64(a->isum, x);
    if (!a->seen || x < a->umin)
        a->umin = x;
    if (!a->seen || x > a->umax)
        a->umax = x;
    a->seen = true;
}

static void take_float(acc *a, double x) {
    if (x != x) {
        a->nans++;
        return;
    }
    a->fsum += x;
    if (!a->seen || x < a->fmin)
        a->fmin = x;
    if (!a->seen || x > a->fmax)
        a->fmax = x;
    a->seen = true;
}

/* Block loops over BLOCK contiguous native values of type T: sum in a
 * lane type S (exact: BLOCK values of 16 bits fit 32-bit lanes, of 32 bits
 * 64-bit lanes), min and max in T. On x86-64 each loop is built twice, for
 * AVX2 and for the baseline, and the CPU picks (target_clones). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) &&         \
    defined(__ELF__) /* target_clones needs ifunc: ELF only */
#define MV_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define MV_CLONES
#endif
#define SMALL_INT_BLOCK(name, T, S, W, take, add)                              \
    MV_CLONES static void name(const char *p, acc *a, bool is_signed) {        \
        (void)is_signed; /* T says it */                                       \
        T v0;                                                                  \
        memcpy(&v0, p, sizeof v0);                                             \
        S sum = 0;                                                             \
        T mn = v0, mx = v0;                                                    \
        for (int i = 0; i < BLOCK; i++) {                                      \
            T x;                                                               \
            memcpy(&x, p + (size_t)i * sizeof(T), sizeof x);                   \
            sum += (S)x;                                                       \
            mn = x < mn ? x : mn;                                              \
            mx = x > mx ? x : mx;                                              \
        }                                                                      \
        mv__i128 keep = add(a->isum, (W)sum);                                  \
        take(a, (W)mn);                                                        \
        take(a, (W)mx);                                                        \
        a->isum = keep;                                                        \
    }
SMALL_INT_BLOCK(block_i8, int8_t, int32_t, int64_t, take_int, mv__i128_add_i64)
SMALL_INT_BLOCK(block_u8, uint8_t, uint32_t, uint64_t, take_uint,
                mv__i128_add_u64)
SMALL_INT_BLOCK(block_i16, int16_t, int32_t, int64_t, take_int,
                mv__i128_add_i64)
SMALL_INT_BLOCK(block_u16, uint16_t, uint32_t, uint64_t, take_uint,
                mv__i128_add_u64)
SMALL_INT_BLOCK(block_i32, int32_t, int64_t, int64_t, take_int,
                mv__i128_add_i64)
SMALL_INT_BLOCK(block_u32, uint32_t, uint64_t, uint64_t, take_uint,
                mv__i128_add_u64)

/* 64-bit values: the sum split into high and low 32-bit halves, each
 * summed exactly in 64 bits over a block. */
MV_CLONES static void block_i64(const char *p, acc *a, bool is_signed) {
    int64_t hi = 0;
    uint64_t lo = 0;
    int64_t mn, mx;
    memcpy(&mn, p, sizeof mn);
    mx = mn;
    for (int i = 0; i < BLOCK; i++) {
        int64_t x;
        memcpy(&x, p + (size_t)i * 8, sizeof x);
        hi += x >> 32; /* arithmetic: floor(x / 2^32) */
        lo += (uint64_t)x & 0xffffffffu;
        mn = x < mn ? x : mn;
        mx = x > mx ? x : mx;
    }
    (void)is_signed;
    mv__i128 keep =
        mv__i128_add_u64(mv__i128_add_shl32(a->isum, (int64_t)hi), lo);
    take_int(a, mn);
    take_int(a, mx);
    a->isum = keep;
}

MV_CLONES static void block_u64(const char *p, acc *a, bool is_signed) {
    uint64_t hi = 0, lo = 0, mn, mx;
    memcpy(&mn, p, sizeof mn);
    mx = mn;
    for (int i = 0; i < BLOCK; i++) {
        uint64_t x;
        memcpy(&x, p + (size_t)i * 8, sizeof x);
        hi += x >> 32;
        lo += x & 0xffffffffu;
        mn = x < mn ? x : mn;
        mx = x > mx ? x : mx;
    }
    (void)is_signed;
    mv__i128 keep =
        mv__i128_add_u64(mv__i128_add_shl32(a->isum, (int64_t)hi), lo);
    take_uint(a, mn);
    take_uint(a, mx);
    a->isum = keep;
}

/* Floats in eight lanes: NaNs counted, left out of sum, min and max (the
 * comparisons are false for them). */
#define FLOAT_BLOCK(name, T)                                                   \
    static void name(const char *p, acc *a, bool unused) {                     \
        (void)unused;                                                          \
        double s[8] = {0}, mn[8], mx[8];                                       \
        int64_t nan[8] = {0};                                                  \
        for (int k = 0; k < 8; k++)                                            \
            mn[k] = INFINITY, mx[k] = -INFINITY;                               \
        for (int i = 0; i < BLOCK; i += 8)                                     \
            for (int k = 0; k < 8; k++) {                                      \
                T t;                                                           \
                memcpy(&t, p + (size_t)(i + k) * sizeof(T), sizeof t);         \
                double x = (double)t;                                          \
                nan[k] += x != x;                                              \
                s[k] += x == x ? x : 0.0;                                      \
                mn[k] = x < mn[k] ? x : mn[k];                                 \
                mx[k] = x > mx[k] ? x : mx[k];                                 \
            }                                                                  \
        int64_t nans = 0;                                                      \
        for (int k = 0; k < 8; k++) {                                          \
            nans += nan[k];                                                    \
            a->fsum += s[k];                                                   \
        }                                                                      \
        a->nans += nans;                                                       \
        if (nans < BLOCK)                                                      \
            for (int k = 0; k < 8; k++) {                                      \
                if (!a->seen || mn[k] < a->fmin)                               \
                    a->fmin = mn[k];                                           \
                if (!a->seen || mx[k] > a->fmax)                               \
                    a->fmax = mx[k];                                           \
                a->seen = true;                                                \
            }                                                                  \
    }
FLOAT_BLOCK(scalar_block_f32, float)
FLOAT_BLOCK(scalar_block_f64, double)

#if defined(MV_X86) || defined(MV_NEON)
/* What the SIMD float blocks gather in the scalar twin's eight lanes (lane
 * j holds values j, j + 8, ...): sums and counts of the values that are
 * not NaN, minima and maxima. */
typedef struct lanes {
    double sum[8], count[8], min[8], max[8];
} lanes;

/* Fold the eight lanes into *a in lane order, as the scalar twin does. */
static void fold_lanes(acc *a, const lanes *l) {
    double count = 0;
    for (int j = 0; j < 8; j++) {
        a->fsum += l->sum[j];
        count += l->count[j];
        if (l->count[j] > 0) { /* the lane saw a value that is not NaN */
            if (!a->seen || l->min[j] < a->fmin)
                a->fmin = l->min[j];
            if (!a->seen || l->max[j] > a->fmax)
                a->fmax = l->max[j];
            a->seen = true;
        }
    }
    a->nans += BLOCK - (mv_ssize)count;
}
#endif

#ifdef MV_X86
/* The same with SSE2, which every x86-64 has: minpd(x, m) is exactly
 * x < m ? x : m (m when x is NaN), and NaNs are masked out of the sum and
 * counted through cmpord. Values are loaded two at a time as doubles
 * (floats converted). */
static inline __m128d load2(const char *p, int is_float) {
    if (is_float)
        return _mm_cvtps_pd(_mm_castsi128_ps(
            _mm_loadl_epi64((const __m128i *)(const void *)p)));
    return _mm_loadu_pd((const double *)(const void *)p);
}

/* One lane pair: x into sum s, count c, min m, max M (variables, so that
 * they stay in registers). */
#define FLOAT_STEP(x, s, c, m, M)                                              \
    do {                                                                       \
        __m128d ok_ = _mm_cmpord_pd(x, x);                                     \
        s = _mm_add_pd(s, _mm_and_pd(ok_, x));                                 \
        c = _mm_add_pd(c, _mm_and_pd(ok_, one));                               \
        m = _mm_min_pd(x, m);                                                  \
        M = _mm_max_pd(x, M);                                                  \
    } while (0)

static inline void float_block_sse2(const char *p, acc *a, int is_float) {
    const size_t w = is_float ? 4 : 8;
    const __m128d one = _mm_set1_pd(1.0), zero = _mm_setzero_pd();
    const __m128d inf = _mm_set1_pd(INFINITY), ninf = _mm_set1_pd(-INFINITY);
    __m128d s0 = zero, s1 = zero, s2 = zero, s3 = zero;
    __m128d c0 = zero, c1 = zero, c2 = zero, c3 = zero;
    __m128d m0 = inf, m1 = inf, m2 = inf, m3 = inf;
    __m128d M0 = ninf, M1 = ninf, M2 = ninf, M3 = ninf;
    for (int i = 0; i < BLOCK; i += 8) {
        const char *q = p + (size_t)i * w;
        __m128d x0 = load2(q, is_float), x1 = load2(q + 2 * w, is_float);
        __m128d x2 = load2(q + 4 * w, is_float),
                x3 = load2(q + 6 * w, is_float);
        FLOAT_STEP(x0, s0, c0, m0, M0);
        FLOAT_STEP(x1, s1, c1, m1, M1);
        FLOAT_STEP(x2, s2, c2, m2, M2);
        FLOAT_STEP(x3, s3, c3, m3, M3);
    }
    __m128d s[4] = {s0, s1, s2, s3}, c[4] = {c0, c1, c2, c3};
    __m128d mn[4] = {m0, m1, m2, m3}, mx[4] = {M0, M1, M2, M3};
    lanes l;
    for (int k = 0; k < 4; k++) {
        _mm_storeu_pd(l.sum + 2 * k, s[k]);
        _mm_storeu_pd(l.count + 2 * k, c[k]);
        _mm_storeu_pd(l.min + 2 * k, mn[k]);
        _mm_storeu_pd(l.max + 2 * k, mx[k]);
    }
    fold_lanes(a, &l);
}

/* The same four lanes at a time with AVX, when the CPU has it. */
#define FLOAT_STEP4(x, s, c, m, M)                                             \
    do {                                                                       \
        __m256d ok_ = _mm256_cmp_pd(x, x, _CMP_ORD_Q);                         \
        s = _mm256_add_pd(s, _mm256_and_pd(ok_, x));                           \
        c = _mm256_add_pd(c, _mm256_and_pd(ok_, one));                         \
        m = _mm256_min_pd(x, m);                                               \
        M = _mm256_max_pd(x, M);                                               \
    } while (0)

__attribute__((target("avx"))) static inline __m256d load4(const char *p,
                                                           int is_float) {
    if (is_float)
        return _mm256_cvtps_pd(_mm_loadu_ps((const float *)(const void *)p));
    return _mm256_loadu_pd((const double *)(const void *)p);
}

__attribute__((target("avx"))) static void
float_block_avx(const char *p, acc *a, int is_float) {
    const size_t w = is_float ? 4 : 8;
    const __m256d one = _mm256_set1_pd(1.0), zero = _mm256_setzero_pd();
    const __m256d inf = _mm256_set1_pd(INFINITY),
                  ninf = _mm256_set1_pd(-INFINITY);
    __m256d s0 = zero, s1 = zero, c0 = zero, c1 = zero;
    __m256d m0 = inf, m1 = inf, M0 = ninf, M1 = ninf;
    for (int i = 0; i < BLOCK; i += 8) {
        const char *q = p + (size_t)i * w;
        __m256d x0 = load4(q, is_float), x1 = load4(q + 4 * w, is_float);
        FLOAT_STEP4(x0, s0, c0, m0, M0);
        FLOAT_STEP4(x1, s1, c1, m1, M1);
    }
    lanes l;
    _mm256_storeu_pd(l.sum, s0);
    _mm256_storeu_pd(l.sum + 4, s1);
    _mm256_storeu_pd(l.count, c0);
    _mm256_storeu_pd(l.count + 4, c1);
    _mm256_storeu_pd(l.min, m0);
    _mm256_storeu_pd(l.min + 4, m1);
    _mm256_storeu_pd(l.max, M0);
    _mm256_storeu_pd(l.max + 4, M1);
    fold_lanes(a, &l);
}

#endif

#ifdef MV_NEON
/* The same with NEON, in eight lanes as the scalar twin has them: four
 * pairs of doubles (floats widened), lane j of pair k holding values
 * 2k + j, 2k + j + 8, ... Arm's FMIN is not minpd (it gives NaN when
 * either side is NaN), so min and max are a compare and a select
 * (FCMGT, BSL): exactly x < m ? x : m. NaNs are masked out of the sum
 * through FCMEQ(x, x), whose all-ones lanes also count the values
 * (subtracting -1). Loads are of bytes: no alignment assumed. */
#define NEON_STEP(x, s, c, m, M)                                               \
    do {                                                                       \
        uint64x2_t ok_ = vceqq_f64(x, x);                                      \
        s = vaddq_f64(s, vreinterpretq_f64_u64(                                \
                             vandq_u64(ok_, vreinterpretq_u64_f64(x))));       \
        c = vsubq_u64(c, ok_);                                                 \
        m = vbslq_f64(vcltq_f64(x, m), x, m);                                  \
        M = vbslq_f64(vcgtq_f64(x, M), x, M);                                  \
    } while (0)

static inline float64x2_t neon_load_f64(const char *p) {
    return vreinterpretq_f64_u8(vld1q_u8((const uint8_t *)p));
}

static void float_block_neon(const char *p, acc *a, int is_float) {
    const size_t w = is_float ? 4 : 8;
    const float64x2_t zero = vdupq_n_f64(0.0);
    const float64x2_t inf = vdupq_n_f64(INFINITY),
                      ninf = vdupq_n_f64(-INFINITY);
    const uint64x2_t none = vdupq_n_u64(0);
    float64x2_t s0 = zero, s1 = zero, s2 = zero, s3 = zero;
    uint64x2_t c0 = none, c1 = none, c2 = none, c3 = none;
    float64x2_t m0 = inf, m1 = inf, m2 = inf, m3 = inf;
    float64x2_t M0 = ninf, M1 = ninf, M2 = ninf, M3 = ninf;
    for (int i = 0; i < BLOCK; i += 8) {
        const char *q = p + (size_t)i * w;
        float64x2_t x0, x1, x2, x3;
        if (is_float) { /* FCVTL, FCVTL2: two floats to two doubles */
            float32x4_t lo = vreinterpretq_f32_u8(vld1q_u8((const uint8_t *)q));
            float32x4_t hi =
                vreinterpretq_f32_u8(vld1q_u8((const uint8_t *)q + 16));
            x0 = vcvt_f64_f32(vget_low_f32(lo));
            x1 = vcvt_high_f64_f32(lo);
            x2 = vcvt_f64_f32(vget_low_f32(hi));
            x3 = vcvt_high_f64_f32(hi);
        } else {
            x0 = neon_load_f64(q);
            x1 = neon_load_f64(q + 16);
            x2 = neon_load_f64(q + 32);
            x3 = neon_load_f64(q + 48);
        }
        NEON_STEP(x0, s0, c0, m0, M0);
        NEON_STEP(x1, s1, c1, m1, M1);
        NEON_STEP(x2, s2, c2, m2, M2);
        NEON_STEP(x3, s3, c3, m3, M3);
    }
    float64x2_t s[4] = {s0, s1, s2, s3}, mn[4] = {m0, m1, m2, m3},
                mx[4] = {M0, M1, M2, M3};
    uint64x2_t c[4] = {c0, c1, c2, c3};
    lanes l;
    for (int k = 0; k < 4; k++) {
        uint64_t cv[2];
        vst1q_f64(l.sum + 2 * k, s[k]);
        vst1q_f64(l.min + 2 * k, mn[k]);
        vst1q_f64(l.max + 2 * k, mx[k]);
        vst1q_u64(cv, c[k]);
        l.count[2 * k] = (double)cv[0];
        l.count[2 * k + 1] = (double)cv[1];
    }
    fold_lanes(a, &l);
}
#endif

/* One block of BLOCK floats (is_float) or doubles through the loop of
 * choice isa: -1 when this build or CPU has none, else isa. */
static int float_block_with(int isa, const char *p, acc *a, int is_float) {
    switch (isa) {
    case MV__SIMD_SCALAR:
        if (is_float)
            scalar_block_f32(p, a, false);
        else
            scalar_block_f64(p, a, false);
        break;
#ifdef MV_X86
    case MV__SIMD_SSE2: float_block_sse2(p, a, is_float); break;
    case MV__SIMD_AVX:
        if (!use_avx())
            return -1;
        float_block_avx(p, a, is_float);
        break;
#endif
#ifdef MV_NEON
    case MV__SIMD_NEON: float_block_neon(p, a, is_float); break;
#endif
    default: return -1;
    }
    simd_runs[isa]++;
    return isa;
}

_Static_assert(BLOCK == MV__FLOAT_BLOCK, "internal.h says the block length");

int mv__float_block_with(int isa, const void *p, int is_float, mv__fstate *st) {
    acc a = {.cls = 'f',
             .nans = st->nans,
             .fsum = st->sum,
             .fmin = st->min,
             .fmax = st->max,
             .seen = st->seen};
    int rc = float_block_with(isa, p, &a, is_float);
    st->nans = a.nans;
    st->sum = a.fsum;
    st->min = a.fmin;
    st->max = a.fmax;
    st->seen = a.seen;
    return rc;
}

static void block_f32(const char *p, acc *a, bool unused) {
    (void)unused;
    float_block_with(mv__simd_float_choice(), p, a, 1); /* never -1 */
}

static void block_f64(const char *p, acc *a, bool unused) {
    (void)unused;
    float_block_with(mv__simd_float_choice(), p, a, 0);
}

typedef void (*block_fn)(const char *p, acc *a, bool is_signed);

static int elem_class(char code);

/* The block loop for contiguous values of code (size bytes), or NULL (half
 * floats and bools, whose bytes are not their values, take the generic
 * path). Tables by size, so that the choice costs no branch per type. */
static block_fn block_of(char code, mv_ssize size) {
    static const block_fn by_class[3][9] = {
        {[1] = block_i8, [2] = block_i16, [4] = block_i32, [8] = block_i64},
        {[1] = block_u8, [2] = block_u16, [4] = block_u32, [8] = block_u64},
        {[4] = block_f32, [8] = block_f64},
    };
    int cls = elem_class(code);
    int row = cls == 'i' ? 0 : cls == 'u' ? 1 : 2;
    return code == '?' ? NULL : by_class[row][size];
}

/* One value at p as e describes it, into a. */
static void take_one(const char *p, const mv__elem *e, acc *a) {
    unsigned char b[8];
    mv__copy_ordered(b, p, (size_t)e->size, e->swap);
    mv_value x = {.type = MV_VAL_OTHER};
    if (e->code == '?') {
        take_uint(a, b[0] != 0);
        return;
    }
    unpack_native(e->code, b, &x); /* a numeric code: elem_class() */
    if (x.type == MV_VAL_INT)
        take_int(a, x.i);
    else if (x.type == MV_VAL_UINT)
        take_uint(a, x.u);
    else
        take_float(a, x.f);
}

/* BLOCK values of size bytes at p, in the other byte order, through the
 * block loop blk, from a copy in host order: contiguous values take the
 * same loop whichever order they are in, so that a float sum adds in the
 * same order on little- and big-endian hosts. */
static void take_swapped_block(block_fn blk, const char *p, mv_ssize size,
                               acc *a) {
    _Alignas(8) char host[BLOCK * 8];
    for (mv_ssize i = 0; i < BLOCK * size; i += size)
        for (mv_ssize k = 0; k < size; k++)
            host[i + k] = p[i + size - 1 - k];
    blk(host, a, a->cls == 'i');
}

/* n values, stride bytes apart, from p. */
static void take_run(const char *p, mv_ssize n, mv_ssize stride,
                     const mv__elem *e, acc *a) {
    if (e->count > 1) {
        /* Items that are nothing but the field's elements, one after the
         * other, are one run of n * count elements. */
        if (e->offset == 0 && stride == e->size * e->count) {
            /* n * count * size bytes are the run's: no overflow */
            mv__elem one = *e;
            one.count = 1;
            take_run(p, n * e->count, e->size, &one, a);
            return;
        }
        a->count += n * e->count;
        for (mv_ssize i = 0; i < n; i++)
            for (mv_ssize k = 0; k < e->count; k++)
                take_one(p + i * stride + k * e->size, e, a);
        return;
    }
    a->count += n;
    block_fn blk = stride != e->size ? NULL : block_of(e->code, e->size);
    mv_ssize i = 0;
    if (blk && e->swap)
        for (; n - i >= BLOCK; i += BLOCK)
            take_swapped_block(blk, p + i * stride, e->size, a);
    else if (blk)
        for (; n - i >= BLOCK; i += BLOCK)
            blk(p + i * stride, a, a->cls == 'i');
    for (; i < n; i++)
        take_one(p + i * stride, e, a);
}

typedef struct stats_job {
    const mv_view *v;
    const mv__elem *e;
    acc a;
} stats_job;

static void reduce_dim(stats_job *j, int dim, char *ptr) {
    const mv_view *v = j->v;
    const mv_ssize *sub = v->suboffsets;
    if (dim == v->ndim - 1 && !(sub && sub[dim] >= 0)) {
        take_run(ptr + j->e->offset, v->shape[dim], v->strides[dim], j->e,
                 &j->a);
        return;
    }
    for (mv_ssize i = 0; i < v->shape[dim]; i++) {
        char *p = adjust_ptr(ptr + i * v->strides[dim], sub, dim);
        if (dim == v->ndim - 1) {
            take_run(p + j->e->offset, 1, v->itemsize, j->e, &j->a);
        } else {
            reduce_dim(j, dim + 1, p);
        }
    }
}

static int run_stats(void *ctx) {
    stats_job *j = ctx;
    if (j->v->ndim == 0) {
        take_run(j->v->buf + j->e->offset, 1, j->v->itemsize, j->e, &j->a);
    } else {
        reduce_dim(j, 0, j->v->buf);
    }
    return MV_OK;
}

static int elem_class(char code) {
    switch (code) {
    case 'b':
    case 'h':
    case 'i':
    case 'l':
    case 'q':
    case 'n': return 'i';
    case 'B':
    case 'H':
    case 'I':
    case 'L':
    case 'Q':
    case 'N':
    case '?': return 'u';
    case 'e':
    case 'f':
    case 'd': return 'f';
    default: return 0;
    }
}

/* The exact integer sum an mv_stats holds in sum_hi:sum_lo. */
static mv__i128 stats_isum(const mv_stats *s) {
    return mv__i128_make(s->sum_hi, s->sum_lo);
}

/* The derived members of s (sum, min, max, mean and their nan* forms as
 * doubles) from its exact ones: count, nans, kind, the integer sum and
 * extremes, or for floats nansum, nanmin and nanmax (NaN when no value
 * but NaN was seen). The one home of the NaN rules (rule 4 above). */
static void stats_derive(mv_stats *s) {
    if (s->kind == MV_KIND_FLOAT) {
        mv_ssize left = s->count - s->nans;
        s->nanmean = left ? s->nansum / (double)left : NAN;
        s->sum = s->nans ? NAN : s->nansum;
        s->min = s->nans ? NAN : s->nanmin;
        s->max = s->nans ? NAN : s->nanmax;
        s->mean = s->count && !s->nans ? s->nansum / (double)s->count : NAN;
        return;
    }
    int sgn = s->kind == MV_KIND_INT;
    s->sum = mv__i128_to_double(stats_isum(s));
    s->min = sgn ? (double)s->min_i : (double)s->min_u;
    s->max = sgn ? (double)s->max_i : (double)s->max_u;
    if (!s->count)
        s->min = s->max = NAN;
    s->mean = s->count ? s->sum / (double)s->count : NAN;
    s->nansum = s->sum;
    s->nanmin = s->min;
    s->nanmax = s->max;
    s->nanmean = s->mean;
}

int mv__view_stats_elem(const mv_view *v, const mv__elem *e, mv_stats *out) {
    int rc; /* v is live: the callers have checked */
    int cls = elem_class(e->code);
    if (!cls)
        return mv_error(MV_ETYPE, "cannot reduce items of format '%c'",
                        e->code);
    if (e->size < 1 || e->size > 8 || e->offset < 0 || e->count < 1 ||
        e->count > (v->itemsize - e->offset) / e->size)
        return mv_error(MV_EVALUE,
                        "element of %td bytes at offset %td does "
                        "not fit an item of %td bytes",
                        e->size, e->offset, v->itemsize);
    stats_job j = {v, e, {.cls = cls}};
    if (v->nbytes > 0 && (rc = mv__guarded(v, run_stats, &j)) < 0)
        return rc;
    acc *a = &j.a;
    memset(out, 0, sizeof *out);
    out->count = a->count;
    out->nans = a->nans;
    out->kind = cls == 'i'   ? MV_KIND_INT
                : cls == 'u' ? MV_KIND_UINT
                             : MV_KIND_FLOAT;
    if (cls == 'f') {
        out->nansum = a->fsum;
        out->nanmin = a->seen ? a->fmin : NAN;
        out->nanmax = a->seen ? a->fmax : NAN;
    } else {
        out->sum_hi = mv__i128_hi(a->isum);
        out->sum_lo = mv__i128_lo(a->isum);
        out->min_i = a->imin;
        out->max_i = a->imax;
        out->min_u = a->umin;
        out->max_u = a->umax;
    }
    stats_derive(out);
    return MV_OK;
}

void mv_stats_merge(mv_stats *a, const mv_stats *b) {
    if (b->count == 0)
        return;
    if (a->count == 0) {
        *a = *b;
        return;
    }
    mv__i128 sum = mv__i128_add(stats_isum(a), stats_isum(b));
    a->sum_hi = mv__i128_hi(sum);
    a->sum_lo = mv__i128_lo(sum);
    a->count += b->count;
    a->nans += b->nans;
    if (b->min_i < a->min_i)
        a->min_i = b->min_i;
    if (b->max_i > a->max_i)
        a->max_i = b->max_i;
    if (b->min_u < a->min_u)
        a->min_u = b->min_u;
    if (b->max_u > a->max_u)
        a->max_u = b->max_u;
    a->nansum += b->nansum;
    if (isnan(a->nanmin) || b->nanmin < a->nanmin)
        a->nanmin = b->nanmin;
    if (isnan(a->nanmax) || b->nanmax > a->nanmax)
        a->nanmax = b->nanmax;
    stats_derive(a);
}

/* The element description of field of a compiled format: what the
 * format engine says about it (native code, size, byte order, offset,
 * count), checked to be a number. */
static int elem_of_field(const mv_field *f, mv__elem *out) {
    if (f->kind == MV_KIND_RECORD)
        return mv_error(MV_ETYPE, "cannot reduce a record field: name one of "
                                  "its fields");
    if (!f->ncode || !elem_class(f->ncode) || f->kind == MV_KIND_COMPLEX)
        return mv_error(MV_ETYPE, "cannot reduce items of format '%c'",
                        f->code);
    out->code = f->ncode;
    out->swap = f->swap;
    out->size = f->size;
    out->offset = f->offset;
    out->count = f->count;
    return MV_OK;
}

int mv_view_field_index(const mv_view *v, const char *name) {
    mv_ssize base, offset;
    const mv_field *fd;
    if (mv_view_is_released(v) || !v->fmtdesc ||
        mv__field_lookup(v->fmtdesc, name, &fd, &offset) < 0)
        return -1;
    const mv_format *rec = mv__item_record(v->fmtdesc, &base);
    for (int i = 0; i < rec->nfields; i++)
        if (&rec->fields[i] == fd)
            return i;
    return -1; /* a field of a nested record */
}

/* The numeric field number `field` (-1: the only one) of v's items,
 * through the format engine. */
static int elem_of_view(const mv_view *v, int field, mv__elem *out) {
    const mv_format *top = v->fmtdesc;
    mv_ssize base;
    if (!top)
        return mv__format_unsupported(v->format);
    if (top->itemsize != v->itemsize)
        return mv_error(MV_EVALUE,
                        "format %s has items of %td bytes, the view %td",
                        v->format, top->itemsize, v->itemsize);
    const mv_format *f = mv__item_record(top, &base);
    if (field < 0) {
        if (f->nfields != 1)
            return mv__records_refused(v->format, f);
        field = 0;
    }
    if (field >= f->nfields)
        return mv_error(MV_EINDEX, "format %s has no field %d", v->format,
                        field);
    int rc = elem_of_field(&f->fields[field], out);
    if (rc == MV_OK)
        out->offset += base;
    return rc;
}

int mv_view_stats(const mv_view *v, mv_stats *out) {
    return mv_view_stats_field(v, -1, out);
}

int mv_view_stats_field(const mv_view *v, int field, mv_stats *out) {
    int rc = check_live(v);
    if (rc < 0)
        return rc;
    mv__elem e;
    if ((rc = elem_of_view(v, field, &e)) < 0)
        return rc;
    return mv__view_stats_elem(v, &e, out);
}
