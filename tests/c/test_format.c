/*
 * test_format.c -- native format characters, item sizes, and packing and
 * unpacking of single items with the builtin memoryview's rules.
 *
 * Oracles: sizeof and <limits.h> of each C type; IEEE 754 binary16 bit
 * patterns for 'e' (as Python's struct.pack('<e', x) gives them).
 */
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>

#include "test_util.h"

#define SENT 0xA5

static const struct {
    char c;
    mv_kind kind;
    mv_ssize size;
} natives[] = {
    {'c', MV_KIND_CHAR, sizeof(char)},
    {'b', MV_KIND_INT, sizeof(signed char)},
    {'B', MV_KIND_UINT, sizeof(unsigned char)},
    {'?', MV_KIND_BOOL, sizeof(_Bool)},
    {'h', MV_KIND_INT, sizeof(short)},
    {'H', MV_KIND_UINT, sizeof(unsigned short)},
    {'i', MV_KIND_INT, sizeof(int)},
    {'I', MV_KIND_UINT, sizeof(unsigned int)},
    {'l', MV_KIND_INT, sizeof(long)},
    {'L', MV_KIND_UINT, sizeof(unsigned long)},
    {'q', MV_KIND_INT, sizeof(long long)},
    {'Q', MV_KIND_UINT, sizeof(unsigned long long)},
    {'n', MV_KIND_INT, sizeof(ptrdiff_t)},
    {'N', MV_KIND_UINT, sizeof(size_t)},
    {'e', MV_KIND_FLOAT, 2},
    {'f', MV_KIND_FLOAT, sizeof(float)},
    {'d', MV_KIND_FLOAT, sizeof(double)},
    {'P', MV_KIND_PTR, sizeof(void *)},
};
#define NNATIVE (sizeof natives / sizeof natives[0])

/* The format character as CPython names it in messages ('@' dropped). */
static void msg_for(char *out, size_t n, const char *kind, const char *fmt) {
    const char *f = fmt[0] == '@' ? fmt + 1 : fmt;
    snprintf(out, n, "memoryview: invalid %s for format '%s'", kind, f);
}

/* mv_format_pack must fail with status and message, writing nothing. */
static void pack_fails(const char *fmt, mv_value val, int status,
                       const char *kind, int line) {
    unsigned char buf[32], ref[32];
    memset(buf, SENT, sizeof buf);
    memset(ref, SENT, sizeof ref);
    int rc = mv_format_pack(fmt, buf + 8, &val);
    if (rc != status)
        fail_msg(
            "line %d: mv_format_pack(\"%s\", type %d) returned %d (%s), want "
            "%d (%s); message \"%s\"",
            line, fmt, (int)val.type, rc, mv_err_name(rc), status,
            mv_err_name(status), mv_errmsg());
    if (kind) {
        char want[128];
        msg_for(want, sizeof want, kind, fmt);
        if (strcmp(mv_errmsg(), want) != 0)
            fail_msg(
                "line %d: mv_format_pack(\"%s\"): message \"%s\", want \"%s\"",
                line, fmt, mv_errmsg(), want);
    }
    if (memcmp(buf, ref, sizeof buf) != 0)
        fail_msg("line %d: mv_format_pack(\"%s\") wrote bytes on failure", line,
                 fmt);
}
#define PACK_VALUE_ERR(fmt, val)                                               \
    pack_fails(fmt, val, MV_EVALUE, "value", __LINE__)
#define PACK_TYPE_ERR(fmt, val) pack_fails(fmt, val, MV_ETYPE, "type", __LINE__)

/* mv_format_pack must succeed, writing exactly size bytes equal to want. */
static void pack_ok(const char *fmt, mv_value val, const void *want,
                    size_t size, int line) {
    unsigned char buf[32];
    memset(buf, SENT, sizeof buf);
    int rc = mv_format_pack(fmt, buf + 8, &val);
    if (rc != MV_OK)
        fail_msg(
            "line %d: mv_format_pack(\"%s\", type %d) failed: %d (%s) \"%s\"",
            line, fmt, (int)val.type, rc, mv_err_name(rc), mv_errmsg());
    if (memcmp(buf + 8, want, size) != 0)
        fail_msg("line %d: mv_format_pack(\"%s\") stored the wrong bytes", line,
                 fmt);
    for (size_t i = 0; i < sizeof buf; i++)
        if ((i < 8 || i >= 8 + size) && buf[i] != SENT)
            fail_msg(
                "line %d: mv_format_pack(\"%s\") wrote outside its item (byte "
                "%zu)",
                line, fmt, i);
}
#define PACK_OK(fmt, val, type, cval)                                          \
    do {                                                                       \
        type w_ = (cval);                                                      \
        pack_ok(fmt, val, &w_, sizeof w_, __LINE__);                           \
    } while (0)

/* ---- format characters ---- */

static void test_native_formats(void **state) {
    (void)state;
    for (size_t i = 0; i < NNATIVE; i++) {
        char f1[2] = {natives[i].c, 0};
        char f2[3] = {'@', natives[i].c, 0};
        const char *fs[2] = {f1, f2};
        for (int k = 0; k < 2; k++) {
            if (mv_format_char(fs[k]) != natives[i].c)
                fail_msg("mv_format_char(\"%s\") = %d", fs[k],
                         mv_format_char(fs[k]));
            if (mv_format_kind(fs[k]) != natives[i].kind)
                fail_msg("mv_format_kind(\"%s\") = %d, want %d", fs[k],
                         (int)mv_format_kind(fs[k]), (int)natives[i].kind);
            if (mv_format_itemsize(fs[k]) != natives[i].size)
                fail_msg("mv_format_itemsize(\"%s\") = %td, want %td", fs[k],
                         mv_format_itemsize(fs[k]), natives[i].size);
        }
    }
}

static void test_non_native_formats(void **state) {
    (void)state;
    const char *bad[] = {"",   "@", "<i", ">i", "=i",  "!i",  "ii",
                         "x",  "s", "p",  "2B", "B ",  " B",  "@@B",
                         "Bx", "Z", "@<", "i@", "?@",  "10s", "T{i}",
                         "O",  "g", "u",  "w",  "\xff"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (mv_format_char(bad[i]) != 0)
            fail_msg("mv_format_char(\"%s\") = %d, want 0", bad[i],
                     mv_format_char(bad[i]));
        if (mv_format_kind(bad[i]) != MV_KIND_NONE)
            fail_msg("mv_format_kind(\"%s\") = %d, want NONE", bad[i],
                     (int)mv_format_kind(bad[i]));
        if (mv_format_itemsize(bad[i]) != 0)
            fail_msg("mv_format_itemsize(\"%s\") = %td, want 0", bad[i],
                     mv_format_itemsize(bad[i]));
    }
}

static void test_null_format(void **state) {
    (void)state;
    /* No format at all is not a native format, and must not crash. */
    CHECK_EQ(mv_format_char(NULL), 0);
    CHECK_EQ(mv_format_kind(NULL), MV_KIND_NONE);
    CHECK_EQ(mv_format_itemsize(NULL), 0);
}

static void test_unknown_format_pack_unpack(void **state) {
    (void)state;
    const char *bad[] = {"<i", "ii", "x", "", "@", "s"};
    unsigned char buf[16];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        mv_value out = vint(77);
        memset(buf, SENT, sizeof buf);
        CHECK_STATUS(mv_format_unpack(bad[i], buf, &out), MV_ENOTIMPL);
        CHECK_EQ(out.type, MV_VAL_INT);
        CHECK_EQ(out.i, 77);
        pack_fails(bad[i], vint(1), MV_ENOTIMPL, NULL, __LINE__);
    }
}

/* ---- integers at their limits ---- */

static void test_signed_limits(void **state) {
    (void)state;
    PACK_OK("b", vint(SCHAR_MIN), signed char, SCHAR_MIN);
    PACK_OK("b", vint(SCHAR_MAX), signed char, SCHAR_MAX);
    PACK_VALUE_ERR("b", vint(SCHAR_MIN - 1));
    PACK_VALUE_ERR("b", vint(SCHAR_MAX + 1));
    PACK_OK("h", vint(SHRT_MIN), short, SHRT_MIN);
    PACK_OK("h", vint(SHRT_MAX), short, SHRT_MAX);
    PACK_VALUE_ERR("h", vint(SHRT_MIN - 1));
    PACK_VALUE_ERR("@h", vint(SHRT_MAX + 1));
    PACK_OK("i", vint(INT_MIN), int, INT_MIN);
    PACK_OK("@i", vint(INT_MAX), int, INT_MAX);
    PACK_VALUE_ERR("i", vint((int64_t)INT_MIN - 1));
    PACK_VALUE_ERR("i", vint((int64_t)INT_MAX + 1));
    PACK_OK("l", vint(LONG_MIN), long, LONG_MIN);
    PACK_OK("l", vint(LONG_MAX), long, LONG_MAX);
    PACK_OK("q", vint(LLONG_MIN), long long, LLONG_MIN);
    PACK_OK("q", vint(LLONG_MAX), long long, LLONG_MAX);
    PACK_OK("n", vint(PTRDIFF_MIN), ptrdiff_t, PTRDIFF_MIN);
    PACK_OK("n", vint(PTRDIFF_MAX), ptrdiff_t, PTRDIFF_MAX);
    /* One past int64_t on either side. */
    const char *wide[] = {"l", "q", "n", "@q"};
    for (size_t i = 0; i < 4; i++) {
        PACK_VALUE_ERR(wide[i], vuint((uint64_t)INT64_MAX + 1));
        PACK_VALUE_ERR(wide[i], vuint(UINT64_MAX));
        PACK_VALUE_ERR(wide[i], vbig(1));
        PACK_VALUE_ERR(wide[i], vbig(-1));
    }
    /* Unsigned values that fit are taken. */
    PACK_OK("b", vuint(5), signed char, 5);
    PACK_OK("q", vuint(INT64_MAX), long long, LLONG_MAX);
    PACK_VALUE_ERR("b", vuint(128));
    PACK_VALUE_ERR("h", vbig(-1));
}

static void test_unsigned_limits(void **state) {
    (void)state;
    PACK_OK("B", vuint(0), unsigned char, 0);
    PACK_OK("B", vuint(UCHAR_MAX), unsigned char, UCHAR_MAX);
    PACK_OK("B", vint(255), unsigned char, 255);
    PACK_VALUE_ERR("B", vint(256));
    PACK_VALUE_ERR("B", vint(300));
    PACK_VALUE_ERR("@B", vint(300));
    PACK_VALUE_ERR("B", vint(-1));
    PACK_OK("H", vuint(USHRT_MAX), unsigned short, USHRT_MAX);
    PACK_VALUE_ERR("H", vuint(USHRT_MAX + 1u));
    PACK_VALUE_ERR("H", vint(-1));
    PACK_OK("I", vuint(UINT_MAX), unsigned int, UINT_MAX);
    PACK_VALUE_ERR("I", vuint((uint64_t)UINT_MAX + 1));
    PACK_VALUE_ERR("I", vint(-1));
    PACK_OK("L", vuint(ULONG_MAX), unsigned long, ULONG_MAX);
    PACK_OK("Q", vuint(ULLONG_MAX), unsigned long long, ULLONG_MAX);
    PACK_OK("N", vuint(SIZE_MAX), size_t, SIZE_MAX);
    PACK_OK("Q", vint(INT64_MAX), unsigned long long,
            (unsigned long long)INT64_MAX);
    /* 'L' and 'N' have the platform's sizes (a 4-byte long on Windows). */
    PACK_OK("L", vint(0), unsigned long, 0);
    PACK_OK("N", vint(0), size_t, 0);
    PACK_OK("Q", vint(0), uint64_t, 0);
    PACK_OK("@Q", vint(0), uint64_t, 0);
    const char *wide[] = {"L", "Q", "N", "@Q"};
    for (size_t i = 0; i < 4; i++) {
        PACK_VALUE_ERR(wide[i], vint(-1));
        PACK_VALUE_ERR(wide[i], vint(INT64_MIN));
        PACK_VALUE_ERR(wide[i], vbig(1));
        PACK_VALUE_ERR(wide[i], vbig(-1));
    }
    PACK_VALUE_ERR("B", vbig(1));
}

static void test_bool_values_into_ints(void **state) {
    (void)state;
    /* bool is an int in Python. */
    PACK_OK("B", vbool(1), unsigned char, 1);
    PACK_OK("b", vbool(0), signed char, 0);
    PACK_OK("q", vbool(1), long long, 1);
    PACK_OK("Q", vbool(1), unsigned long long, 1);
}

static void test_int_wrong_types(void **state) {
    (void)state;
    const char *ints[] = {"b", "B", "h", "H", "i", "I",  "l",
                          "L", "q", "Q", "n", "N", "@B", "@q"};
    char one = 'a';
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        PACK_TYPE_ERR(ints[i], vfloat(1.0));
        PACK_TYPE_ERR(ints[i], vfloat(0.0));
        PACK_TYPE_ERR(ints[i], vbytes(&one, 1));
        PACK_TYPE_ERR(ints[i], vother());
    }
    PACK_TYPE_ERR("P", vfloat(1.0));
    PACK_TYPE_ERR("P", vbytes(&one, 1));
    PACK_TYPE_ERR("P", vother());
}

static void test_int_round_trips(void **state) {
    (void)state;
    /* Every signed format: unpack(pack(x)) == x for limits and a few
     * values in between, as MV_VAL_INT. */
    static const struct {
        const char *f;
        int64_t lo, hi;
    } s[] = {{"b", SCHAR_MIN, SCHAR_MAX}, {"h", SHRT_MIN, SHRT_MAX},
             {"i", INT_MIN, INT_MAX},     {"l", LONG_MIN, LONG_MAX},
             {"q", LLONG_MIN, LLONG_MAX}, {"n", PTRDIFF_MIN, PTRDIFF_MAX},
             {"@i", INT_MIN, INT_MAX}};
    for (size_t k = 0; k < sizeof s / sizeof s[0]; k++) {
        int64_t vals[] = {s[k].lo, s[k].lo + 1, -1, 0, 1, s[k].hi - 1, s[k].hi};
        for (size_t j = 0; j < 7; j++) {
            unsigned char buf[16];
            mv_value in = vint(vals[j]), out;
            CHECK_OK(mv_format_pack(s[k].f, buf, &in));
            CHECK_OK(mv_format_unpack(s[k].f, buf, &out));
            CHECK_EQ(out.type, MV_VAL_INT);
            if (out.i != vals[j])
                fail_msg("'%s': %lld came back as %lld", s[k].f,
                         (long long)vals[j], (long long)out.i);
        }
    }
    static const struct {
        const char *f;
        uint64_t hi;
    } u[] = {{"B", UCHAR_MAX},   {"H", USHRT_MAX},  {"I", UINT_MAX},
             {"L", ULONG_MAX},   {"Q", ULLONG_MAX}, {"N", SIZE_MAX},
             {"P", UINTPTR_MAX}, {"@Q", ULLONG_MAX}};
    for (size_t k = 0; k < sizeof u / sizeof u[0]; k++) {
        uint64_t vals[] = {0, 1, u[k].hi / 2, u[k].hi - 1, u[k].hi};
        for (size_t j = 0; j < 5; j++) {
            unsigned char buf[16];
            mv_value in = vuint(vals[j]), out;
            CHECK_OK(mv_format_pack(u[k].f, buf, &in));
            CHECK_OK(mv_format_unpack(u[k].f, buf, &out));
            CHECK_EQ(out.type, MV_VAL_UINT);
            if (out.u != vals[j])
                fail_msg("'%s': %llu came back as %llu", u[k].f,
                         (unsigned long long)vals[j],
                         (unsigned long long)out.u);
        }
    }
}

static void test_unpack_reads_native_values(void **state) {
    (void)state;
    unsigned char buf[16];
    mv_value out;
    short h = -12345;
    memcpy(buf, &h, sizeof h);
    CHECK_OK(mv_format_unpack("h", buf, &out));
    CHECK_EQ(out.type, MV_VAL_INT);
    CHECK_EQ(out.i, -12345);
    unsigned int I = 4000000000u;
    memcpy(buf, &I, sizeof I);
    CHECK_OK(mv_format_unpack("@I", buf, &out));
    CHECK_EQ(out.type, MV_VAL_UINT);
    CHECK_TRUE(out.u == 4000000000u);
    buf[0] = 0xff;
    CHECK_OK(mv_format_unpack("b", buf, &out));
    CHECK_EQ(out.type, MV_VAL_INT);
    CHECK_EQ(out.i, -1);
    CHECK_OK(mv_format_unpack("B", buf, &out));
    CHECK_EQ(out.type, MV_VAL_UINT);
    CHECK_EQ(out.u, 255);
    void *p = &out;
    memcpy(buf, &p, sizeof p);
    CHECK_OK(mv_format_unpack("P", buf, &out));
    CHECK_EQ(out.type, MV_VAL_UINT);
    CHECK_TRUE(out.u == (uint64_t)(uintptr_t)p);
    double d = -2.5;
    memcpy(buf, &d, sizeof d);
    CHECK_OK(mv_format_unpack("d", buf, &out));
    CHECK_EQ(out.type, MV_VAL_FLOAT);
    CHECK_TRUE(out.f == -2.5);
    float f = 0.1f;
    memcpy(buf, &f, sizeof f);
    CHECK_OK(mv_format_unpack("f", buf, &out));
    CHECK_EQ(out.type, MV_VAL_FLOAT);
    /* f, not the constant: where FLT_EVAL_METHOD is not 0 (i686's x87,
     * s390x), 0.1f is evaluated at a wider precision than float's */
    CHECK_TRUE(out.f == (double)f);
}

/* ---- pointers ---- */

static void test_pointer_values(void **state) {
    (void)state;
    PACK_OK("P", vuint(UINTPTR_MAX), uintptr_t, UINTPTR_MAX);
    PACK_OK("P", vuint(0x1234), uintptr_t, 0x1234);
    /* Python's PyLong_AsVoidPtr takes a negative int as a C long. */
    PACK_OK("P", vint(-1), uintptr_t, UINTPTR_MAX);
    PACK_VALUE_ERR("P", vbig(1));
}

/* ---- bool ---- */

static void test_bool(void **state) {
    (void)state;
    char a = 'a';
    PACK_OK("?", vint(5), unsigned char, 1);
    PACK_OK("?", vint(-1), unsigned char, 1);
    PACK_OK("?", vint(0), unsigned char, 0);
    PACK_OK("?", vuint(UINT64_MAX), unsigned char, 1);
    PACK_OK("?", vuint(256), unsigned char, 1);
    PACK_OK("?", vbig(1), unsigned char, 1);
    PACK_OK("?", vbig(-1), unsigned char, 1);
    PACK_OK("?", vfloat(0.5), unsigned char, 1);
    PACK_OK("?", vfloat(0.0), unsigned char, 0);
    PACK_OK("?", vfloat(-0.0), unsigned char, 0);
    PACK_OK("?", vfloat(NAN), unsigned char, 1);
    PACK_OK("?", vbool(1), unsigned char, 1);
    PACK_OK("@?", vbool(0), unsigned char, 0);
    PACK_OK("?", vbytes(&a, 1), unsigned char, 1);
    PACK_OK("?", vbytes(&a, 0), unsigned char, 0);

    unsigned char buf[4] = {1, 0, 0, 0};
    mv_value out;
    CHECK_OK(mv_format_unpack("?", buf, &out));
    CHECK_EQ(out.type, MV_VAL_BOOL);
    CHECK_EQ(out.i, 1);
    buf[0] = 0;
    CHECK_OK(mv_format_unpack("?", buf, &out));
    CHECK_EQ(out.type, MV_VAL_BOOL);
    CHECK_EQ(out.i, 0);
}

/* ---- char ---- */

static void test_char(void **state) {
    (void)state;
    const char *s = "xyz";
    PACK_OK("c", vbytes(s, 1), char, 'x');
    PACK_OK("@c", vbytes(s + 2, 1), char, 'z');
    PACK_OK("c", vbytes("\0", 1), char, 0);
    PACK_VALUE_ERR("c", vbytes(s, 0));
    PACK_VALUE_ERR("c", vbytes(s, 2));
    PACK_VALUE_ERR("c", vbytes(s, 3));
    PACK_TYPE_ERR("c", vint(120));
    PACK_TYPE_ERR("c", vuint(120));
    PACK_TYPE_ERR("c", vbool(1));
    PACK_TYPE_ERR("c", vfloat(1.0));
    PACK_TYPE_ERR("c", vother());
    PACK_TYPE_ERR("@c", vbig(1));

    char item = 'q';
    mv_value out;
    CHECK_OK(mv_format_unpack("c", &item, &out));
    CHECK_EQ(out.type, MV_VAL_BYTES);
    CHECK_EQ(out.s.len, 1);
    CHECK_TRUE(out.s.ptr == &item);
}

/* ---- floats ---- */

static void test_double(void **state) {
    (void)state;
    PACK_OK("d", vfloat(1.5), double, 1.5);
    PACK_OK("d", vfloat(-DBL_MAX), double, -DBL_MAX);
    PACK_OK("d", vfloat(INFINITY), double, INFINITY);
    PACK_OK("d", vint(-7), double, -7.0);
    PACK_OK("d", vuint(UINT64_MAX), double, 18446744073709551616.0);
    PACK_OK("d", vbool(1), double, 1.0);
    char a = 'a';
    PACK_TYPE_ERR("d", vbytes(&a, 1));
    PACK_TYPE_ERR("d", vother());
    PACK_TYPE_ERR("f", vbytes(&a, 1));
    PACK_TYPE_ERR("e", vother());

    unsigned char buf[8];
    mv_value in = vfloat(NAN), out;
    CHECK_OK(mv_format_pack("d", buf, &in));
    CHECK_OK(mv_format_unpack("d", buf, &out));
    CHECK_TRUE(isnan(out.f));
}

static void test_float_single(void **state) {
    (void)state;
    PACK_OK("f", vfloat(0.1), float, 0.1f);
    PACK_OK("f", vfloat(FLT_MAX), float, FLT_MAX);
    PACK_OK("f", vint(16777217), float, 16777216.0f);
    PACK_OK("f", vfloat(INFINITY), float, INFINITY);
    /* The builtin stores a finite double beyond FLT_MAX as an infinity
     * (a C cast under IEEE 754), without an error. */
    PACK_OK("f", vfloat(1e300), float, INFINITY);
    PACK_OK("f", vfloat(-1e300), float, -INFINITY);
    PACK_OK("f", vfloat(DBL_MAX), float, INFINITY);
    PACK_OK("@f", vfloat(3.4028236e38), float, INFINITY);

    unsigned char buf[8];
    mv_value in = vfloat(NAN), out;
    CHECK_OK(mv_format_pack("f", buf, &in));
    CHECK_OK(mv_format_unpack("f", buf, &out));
    CHECK_EQ(out.type, MV_VAL_FLOAT);
    CHECK_TRUE(isnan(out.f));
}

static uint16_t half_bits(double x, int *rc) {
    unsigned char buf[2];
    mv_value in = vfloat(x);
    *rc = mv_format_pack("e", buf, &in);
    uint16_t h;
    memcpy(&h, buf, 2);
    return h;
}

static void test_half(void **state) {
    (void)state;
    /* Bit patterns as struct.pack('<e', x) gives them (little-endian host
     * assumed for the byte order of the native format). */
    static const struct {
        double x;
        uint16_t bits;
        double back;
    } h[] = {
        {0.0, 0x0000, 0.0},
        {1.0, 0x3c00, 1.0},
        {-2.0, 0xc000, -2.0},
        {0.5, 0x3800, 0.5},
        {65504.0, 0x7bff, 65504.0},
        {-65504.0, 0xfbff, -65504.0},
        {65519.0, 0x7bff, 65504.0}, /* rounds down, below the overflow */
        {6.103515625e-05, 0x0400, 6.103515625e-05}, /* smallest normal */
        {5.960464477539063e-08, 0x0001, 5.960464477539063e-08},
        {2.9802322387695312e-08, 0x0000, 0.0}, /* tie to even: zero */
        {1e-8, 0x0000, 0.0},
        {1.0009765625, 0x3c01, 1.0009765625},
        {1.00048828125, 0x3c00, 1.0},         /* tie to even */
        {1.00146484375, 0x3c02, 1.001953125}, /* tie to even */
        {INFINITY, 0x7c00, INFINITY},
        {-INFINITY, 0xfc00, -INFINITY},
    };
    for (size_t i = 0; i < sizeof h / sizeof h[0]; i++) {
        int rc;
        uint16_t b = half_bits(h[i].x, &rc);
        if (rc != MV_OK)
            fail_msg("pack 'e' %.17g failed: %s", h[i].x, mv_errmsg());
        if (b != h[i].bits)
            fail_msg("pack 'e' %.17g gave 0x%04x, want 0x%04x", h[i].x, b,
                     h[i].bits);
        mv_value out;
        unsigned char buf[2];
        memcpy(buf, &b, 2);
        CHECK_OK(mv_format_unpack("e", buf, &out));
        CHECK_EQ(out.type, MV_VAL_FLOAT);
        if (!(out.f == h[i].back))
            fail_msg("unpack 'e' 0x%04x gave %.17g, want %.17g", b, out.f,
                     h[i].back);
    }
    /* Negative zero keeps its sign. */
    int rc;
    CHECK_EQ(half_bits(-0.0, &rc), 0x8000);
    CHECK_OK(rc);
    /* NaN stays NaN. */
    uint16_t nb = half_bits(NAN, &rc);
    CHECK_OK(rc);
    CHECK_TRUE((nb & 0x7c00) == 0x7c00 && (nb & 0x03ff) != 0);
    mv_value out;
    unsigned char buf[2];
    memcpy(buf, &nb, 2);
    CHECK_OK(mv_format_unpack("e", buf, &out));
    CHECK_TRUE(isnan(out.f));
    /* Every bit pattern that is not NaN round-trips exactly. */
    for (uint32_t bits = 0; bits <= 0xffff; bits++) {
        uint16_t b16 = (uint16_t)bits;
        if ((b16 & 0x7c00) == 0x7c00 && (b16 & 0x03ff))
            continue;
        memcpy(buf, &b16, 2);
        CHECK_OK(mv_format_unpack("e", buf, &out));
        uint16_t again = half_bits(out.f, &rc);
        if (rc != MV_OK || again != b16)
            fail_msg("'e' 0x%04x -> %.17g -> 0x%04x", b16, out.f, again);
    }
    /* Too large for a half float: OverflowError in PyFloat_Pack2, which
     * the builtin turns into ValueError. */
    PACK_VALUE_ERR("e", vfloat(65520.0));
    PACK_VALUE_ERR("e", vfloat(-65520.0));
    PACK_VALUE_ERR("e", vfloat(1e10));
    PACK_VALUE_ERR("@e", vfloat(DBL_MAX));
    PACK_VALUE_ERR("e", vint(100000));
    PACK_OK("e", vint(2048), uint16_t, 0x6800);
}

/* ---- failing packs write nothing, for every format ---- */

static void test_failures_write_nothing(void **state) {
    (void)state;
    for (size_t i = 0; i < NNATIVE; i++) {
        char f[2] = {natives[i].c, 0};
        /* A value of no known type is the wrong type for all but '?'. */
        if (natives[i].kind != MV_KIND_BOOL)
            PACK_TYPE_ERR(f, vother());
    }
}

/* Half floats round to nearest, ties to even (struct.pack('<e', x):
 * 1 + 2**-11 -> 0x3c00, 1 + 3 * 2**-11 -> 0x3c02, 1.0008 -> 0x3c01,
 * 1.9998 -> 0x4000); a value that rounds
 * up past the largest half (65504) is refused as the builtin refuses it. */
static void test_half_rounding(void **state) {
    (void)state;
    unsigned char b[2] = {0xaa, 0xaa};
    CHECK_OK(mv_format_pack(
        "e", b, &(mv_value){.type = MV_VAL_FLOAT, .f = 1.00048828125}));
    CHECK_EQ(tu_get(b, 2, '@'), 0x3c00);
    CHECK_OK(mv_format_pack(
        "e", b, &(mv_value){.type = MV_VAL_FLOAT, .f = 1.00146484375}));
    CHECK_EQ(tu_get(b, 2, '@'), 0x3c02);
    /* past the tie: up; and up into the next exponent (2.0) */
    CHECK_OK(
        mv_format_pack("e", b, &(mv_value){.type = MV_VAL_FLOAT, .f = 1.0008}));
    CHECK_EQ(tu_get(b, 2, '@'), 0x3c01);
    CHECK_OK(
        mv_format_pack("e", b, &(mv_value){.type = MV_VAL_FLOAT, .f = 1.9998}));
    CHECK_EQ(tu_get(b, 2, '@'), 0x4000);
    CHECK_OK(mv_format_pack("e", b,
                            &(mv_value){.type = MV_VAL_FLOAT, .f = 65504.0}));
    CHECK_EQ(tu_get(b, 2, '@'), 0x7bff);
    CHECK_ERR(
        mv_format_pack("e", b, &(mv_value){.type = MV_VAL_FLOAT, .f = 65520.0}),
        MV_EVALUE, "memoryview: invalid value for format 'e'");
    CHECK_EQ(tu_get(b, 2, '@'), 0x7bff); /* untouched */
}

/* Values of the wrong kind: a big integer for 'd' (ValueError, as
 * OverflowError becomes in the builtin), anything else for '?'; a NULL
 * format reads and writes nothing. */
static void test_pack_kinds(void **state) {
    (void)state;
    unsigned char b[8] = {0};
    CHECK_ERR(
        mv_format_pack("d", b, &(mv_value){.type = MV_VAL_BIGINT, .i = 1}),
        MV_EVALUE, "memoryview: invalid value for format 'd'");
    CHECK_ERR(mv_format_pack("?", b, &(mv_value){.type = MV_VAL_OTHER}),
              MV_ETYPE, "memoryview: invalid type for format '?'");
    mv_value x;
    CHECK_ERR(mv_format_unpack(NULL, b, &x), MV_ENOTIMPL,
              "memoryview: unsupported format (null)");
    CHECK_ERR(mv_format_pack(NULL, b, &(mv_value){.type = MV_VAL_INT}),
              MV_ENOTIMPL, "memoryview: unsupported format (null)");
    for (int i = 0; i < 8; i++)
        CHECK_EQ(b[i], 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_native_formats),
        cmocka_unit_test(test_non_native_formats),
        cmocka_unit_test(test_null_format),
        cmocka_unit_test(test_unknown_format_pack_unpack),
        cmocka_unit_test(test_signed_limits),
        cmocka_unit_test(test_unsigned_limits),
        cmocka_unit_test(test_bool_values_into_ints),
        cmocka_unit_test(test_int_wrong_types),
        cmocka_unit_test(test_int_round_trips),
        cmocka_unit_test(test_unpack_reads_native_values),
        cmocka_unit_test(test_pointer_values),
        cmocka_unit_test(test_bool),
        cmocka_unit_test(test_char),
        cmocka_unit_test(test_double),
        cmocka_unit_test(test_float_single),
        cmocka_unit_test(test_half),
        cmocka_unit_test(test_failures_write_nothing),
        cmocka_unit_test(test_half_rounding),
        cmocka_unit_test(test_pack_kinds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
