/*
 * test_compare.c -- mv_value_equal, mv_view_equal, mv_view_hash,
 * mv_view_count and mv_view_index.
 *
 * Oracles: Python's == between ints, floats, bools and bytes; CPython
 * 3.11's memoryview == (checked with the system Python and _testbuffer,
 * e.g. ndarray([(1,2)], format='2B') != ndarray([258], format='H') since
 * a 2-tuple never equals an int); CPython 3.14's count/index.
 */
#include <math.h>

#include "test_util.h"

/* ---- values ---- */

static mv_value I(int64_t i) {
    mv_value v = {.type = MV_VAL_INT, .i = i};
    return v;
}
static mv_value U(uint64_t u) {
    mv_value v = {.type = MV_VAL_UINT, .u = u};
    return v;
}
static mv_value F(double f) {
    mv_value v = {.type = MV_VAL_FLOAT, .f = f};
    return v;
}
static mv_value B(int b) {
    mv_value v = {.type = MV_VAL_BOOL, .i = b};
    return v;
}
static mv_value S(const char *s, mv_ssize n) {
    mv_value v = {.type = MV_VAL_BYTES};
    v.s.ptr = s;
    v.s.len = n;
    return v;
}

#define EQ(a, b)                                                               \
    do {                                                                       \
        mv_value a_ = (a), b_ = (b);                                           \
        CHECK_TRUE(mv_value_equal(&a_, &b_));                                  \
        CHECK_TRUE(mv_value_equal(&b_, &a_));                                  \
    } while (0)
#define NE(a, b)                                                               \
    do {                                                                       \
        mv_value a_ = (a), b_ = (b);                                           \
        CHECK_TRUE(!mv_value_equal(&a_, &b_));                                 \
        CHECK_TRUE(!mv_value_equal(&b_, &a_));                                 \
    } while (0)

static void test_value_equal(void **state) {
    (void)state;
    EQ(I(1), I(1));
    NE(I(1), I(2));
    EQ(I(1), U(1));
    EQ(I(0), U(0));
    NE(I(-1), U(UINT64_MAX));
    NE(I(INT64_MIN), U((uint64_t)1 << 63));
    EQ(U(UINT64_MAX), U(UINT64_MAX));
    EQ(I(1), F(1.0));
    EQ(I(0), F(-0.0));
    NE(I(1), F(1.5));
    EQ(B(1), I(1));
    EQ(B(1), F(1.0));
    EQ(B(0), U(0));
    EQ(B(1), B(1));
    NE(B(1), B(0));
    /* exact int/float comparison, never through a lossy conversion */
    int64_t big = ((int64_t)1 << 53) + 1;
    NE(I(big), F((double)big));
    EQ(I(big - 1), F((double)(big - 1)));
    EQ(I(INT64_MIN), F(-9223372036854775808.0));
    NE(I(INT64_MAX), F(9223372036854775808.0));
    EQ(U((uint64_t)1 << 63), F(9223372036854775808.0));
    NE(U(UINT64_MAX), F(18446744073709551616.0));
    EQ(U(UINT64_MAX - 2047), F(18446744073709549568.0));
    NE(U(0), F(NAN));
    NE(I(0), F(NAN));
    NE(F(NAN), F(NAN));
    NE(I(INT64_MAX), F(INFINITY));
    NE(U(UINT64_MAX), F(INFINITY));
    EQ(F(INFINITY), F(INFINITY));
    EQ(F(0.0), F(-0.0));
    NE(I(-1), F(-1e300));
    /* bytes */
    EQ(S("ab", 2), S("ab", 2));
    NE(S("ab", 2), S("ac", 2));
    NE(S("ab", 2), S("ab", 1));
    EQ(S("", 0), S(NULL, 0));
    NE(S("a", 1), I('a'));
    NE(S("a", 1), U('a'));
    NE(S("a", 1), F(97.0));
    /* values of no native type */
    mv_value big1 = {.type = MV_VAL_BIGINT, .i = 1};
    mv_value other = {.type = MV_VAL_OTHER};
    NE(big1, I(1));
    NE(big1, U(UINT64_MAX));
    NE(big1, F(1e30));
    NE(big1, big1);
    NE(other, I(0));
    NE(other, other);
}

/* ---- views ---- */

/* Views are never copied with '=': mk fills *v in place. */
static void mk(mv_view *v, mv_owner *o, void *buf, const char *fmt,
               mv_ssize size, int ndim, const mv_ssize *shape,
               const mv_ssize *strides, const mv_ssize *sub, int ro) {
    mv_ssize len = size;
    for (int i = 0; i < ndim; i++)
        len *= shape[i];
    tu_layout_view(v, o, buf, len, fmt, size, ndim, shape, strides, sub, ro);
}

static int eq(const mv_view *a, const mv_view *b) {
    int e = -1, f = -1;
    CHECK_OK(mv_view_equal(a, b, &e));
    CHECK_OK(mv_view_equal(b, a, &f));
    CHECK_EQ(e, f);
    return e;
}

static void test_equal_basic(void **state) {
    (void)state;
    unsigned char a[8] = {1, 2, 3, 200, 5, 6, 7, 8};
    unsigned char b[8] = {1, 2, 3, 200, 5, 6, 7, 8};
    mv_owner *oa = tu_wrap(a, 8), *ob = tu_wrap(b, 8);
    mv_ssize s8[] = {8}, s4[] = {4}, s24[] = {2, 4}, s42[] = {4, 2};
    mv_view va;
    mk(&va, oa, a, "B", 1, 1, s8, NULL, NULL, 0);
    mv_view vb;
    mk(&vb, ob, b, "B", 1, 1, s8, NULL, NULL, 0);
    CHECK_TRUE(eq(&va, &vb));
    CHECK_TRUE(eq(&va, &va));
    b[7] = 9;
    CHECK_TRUE(!eq(&va, &vb));
    b[7] = 8;
    /* 'B' against 'b': equal only where values agree */
    mv_view sb;
    mk(&sb, ob, b, "b", 1, 1, s8, NULL, NULL, 0);
    CHECK_TRUE(!eq(&va, &sb)); /* 200 != -56 */
    mv_view sa3;
    mk(&sa3, oa, a, "@b", 1, 1, (mv_ssize[]){3}, NULL, NULL, 0);
    mv_view ua3;
    mk(&ua3, ob, b, "B", 1, 1, (mv_ssize[]){3}, NULL, NULL, 0);
    CHECK_TRUE(eq(&sa3, &ua3));
    /* 'c' never equals 'B' (bytes are not ints) */
    mv_view ca;
    mk(&ca, oa, a, "c", 1, 1, s8, NULL, NULL, 0);
    mv_view cb;
    mk(&cb, ob, b, "@c", 1, 1, s8, NULL, NULL, 0);
    CHECK_TRUE(!eq(&ca, &vb));
    CHECK_TRUE(eq(&ca, &cb));
    /* shapes */
    mv_view h;
    mk(&h, oa, a, "B", 1, 1, s4, NULL, NULL, 0);
    CHECK_TRUE(!eq(&h, &va));
    mv_view m24;
    mk(&m24, oa, a, "B", 1, 2, s24, NULL, NULL, 0);
    mv_view m42;
    mk(&m42, ob, b, "B", 1, 2, s42, NULL, NULL, 0);
    mv_view n24;
    mk(&n24, ob, b, "B", 1, 2, s24, NULL, NULL, 0);
    CHECK_TRUE(!eq(&m24, &m42));
    CHECK_TRUE(!eq(&m24, &va));
    CHECK_TRUE(eq(&m24, &n24));
    /* released views equal only themselves */
    mv_view r;
    CHECK_OK(mv_view_new(&r, &va));
    CHECK_OK(mv_view_release(&r));
    CHECK_TRUE(!eq(&r, &va));
    int e = 0;
    CHECK_OK(mv_view_equal(&r, &r, &e));
    CHECK_TRUE(e);
    mv_view *all[] = {&va, &vb, &sb,  &sa3, &ua3, &ca,
                      &cb, &h,  &m24, &m42, &n24};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        CHECK_OK(mv_view_release(all[i]));
    mv_owner_release(oa);
    mv_owner_release(ob);
}

static void test_equal_zero_shapes(void **state) {
    (void)state;
    unsigned char a[4] = {0};
    mv_owner *o = tu_wrap(a, 4);
    mv_ssize s10[] = {1, 0, 5}, s10b[] = {1, 0, 7}, s20[] = {2, 0, 5};
    mv_view x;
    mk(&x, o, a, "B", 1, 3, s10, NULL, NULL, 0);
    mv_view y;
    mk(&y, o, a, "d", 8, 3, s10b, NULL, NULL, 0);
    mv_view z;
    mk(&z, o, a, "B", 1, 3, s20, NULL, NULL, 0);
    CHECK_TRUE(eq(&x, &y)); /* equal up to the zero */
    CHECK_TRUE(!eq(&x, &z));
    /* empty views whose format does not compile are unequal */
    mv_ssize e0[] = {0};
    mv_view t;
    mk(&t, o, a, "T{B", 1, 1, e0, NULL, NULL, 0);
    mv_view u;
    mk(&u, o, a, "B", 1, 1, e0, NULL, NULL, 0);
    mv_view w;
    mk(&w, o, a, "<i", 4, 1, e0, NULL, NULL, 0);
    CHECK_TRUE(!eq(&t, &u));
    CHECK_TRUE(!eq(&t, &t));
    CHECK_TRUE(eq(&u, &w));
    CHECK_OK(mv_view_release(&x));
    CHECK_OK(mv_view_release(&y));
    CHECK_OK(mv_view_release(&z));
    CHECK_OK(mv_view_release(&t));
    CHECK_OK(mv_view_release(&u));
    CHECK_OK(mv_view_release(&w));
    mv_owner_release(o);
}

static void test_equal_floats(void **state) {
    (void)state;
    double d[4] = {1.0, NAN, -0.0, 3.0};
    double e[4] = {1.0, NAN, 0.0, 3.0};
    float f[4] = {1.0f, 2.0f, -0.0f, 3.0f};
    unsigned char bytes[4] = {1, 2, 0, 3};
    mv_owner *o = tu_wrap(d, sizeof d), *oe = tu_wrap(e, sizeof e),
             *of = tu_wrap(f, sizeof f), *ob = tu_wrap(bytes, 4);
    mv_ssize s4[] = {4}, s1[] = {1};
    mv_view vd;
    mk(&vd, o, d, "d", 8, 1, s4, NULL, NULL, 0);
    mv_view ve;
    mk(&ve, oe, e, "d", 8, 1, s4, NULL, NULL, 0);
    CHECK_TRUE(!eq(&vd, &vd)); /* NaN != NaN, even in the same view */
    CHECK_TRUE(!eq(&vd, &ve));
    /* -0.0 == 0.0 although the bytes differ */
    mv_view d2;
    mk(&d2, o, d + 2, "d", 8, 1, s1, NULL, NULL, 0);
    mv_view e2;
    mk(&e2, oe, e + 2, "d", 8, 1, s1, NULL, NULL, 0);
    CHECK_TRUE(eq(&d2, &e2));
    mv_view vf;
    mk(&vf, of, f, "f", 4, 1, s4, NULL, NULL, 0);
    mv_view vb;
    mk(&vb, ob, bytes, "B", 1, 1, s4, NULL, NULL, 0);
    CHECK_TRUE(eq(&vf, &vb)); /* 1.0 == 1 ... -0.0 == 0 */
    CHECK_TRUE(!eq(&vf, &vd));
    /* 'e' */
    uint16_t h[2] = {0x3c00, 0x8000}; /* 1.0, -0.0 */
    mv_owner *oh = tu_wrap(h, sizeof h);
    mv_ssize s2[] = {2};
    mv_view vh;
    mk(&vh, oh, h, "e", 2, 1, s2, NULL, NULL, 0);
    mv_view vb2;
    mk(&vb2, ob, bytes, "B", 1, 1, (mv_ssize[]){2}, NULL, NULL, 0);
    unsigned char one_zero[2] = {1, 0};
    mv_owner *oz = tu_wrap(one_zero, 2);
    mv_view vz;
    mk(&vz, oz, one_zero, "B", 1, 1, s2, NULL, NULL, 0);
    CHECK_TRUE(eq(&vh, &vz));
    CHECK_TRUE(!eq(&vh, &vb2));
    uint16_t h2[2] = {0x3c00, 0x0000};
    mv_owner *oh2 = tu_wrap(h2, sizeof h2);
    mv_view vh2;
    mk(&vh2, oh2, h2, "e", 2, 1, s2, NULL, NULL, 0);
    CHECK_TRUE(eq(&vh, &vh2));
    mv_view *all[] = {&vd, &ve, &d2, &e2, &vf, &vb, &vh, &vb2, &vz, &vh2};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        CHECK_OK(mv_view_release(all[i]));
    mv_owner_release(o);
    mv_owner_release(oe);
    mv_owner_release(of);
    mv_owner_release(ob);
    mv_owner_release(oh);
    mv_owner_release(oh2);
    mv_owner_release(oz);
}

/* The same logical array in C order, Fortran order, reversed, with zero
 * strides and through suboffsets compares equal. */
static void test_equal_layouts(void **state) {
    (void)state;
    int32_t c[6] = {0, 1, 2, 3, 4, 5}; /* [[0,1,2],[3,4,5]] */
    int32_t f[6] = {0, 3, 1, 4, 2, 5}; /* same, Fortran order */
    int32_t r[6] = {5, 4, 3, 2, 1, 0}; /* same, reversed */
    int64_t wide[6] = {0, 1, 2, 3, 4, 5};
    mv_owner *oc = tu_wrap(c, sizeof c), *of = tu_wrap(f, sizeof f),
             *orr = tu_wrap(r, sizeof r), *ow = tu_wrap(wide, sizeof wide);
    mv_ssize shape[] = {2, 3}, fs[] = {4, 8}, rs[] = {-12, -4};
    mv_view vc;
    mk(&vc, oc, c, "i", 4, 2, shape, NULL, NULL, 1);
    mv_view vf;
    mk(&vf, of, f, "i", 4, 2, shape, fs, NULL, 1);
    mv_view vr;
    mk(&vr, orr, r + 5, "i", 4, 2, shape, rs, NULL, 1);
    mv_view vw;
    mk(&vw, ow, wide, "q", 8, 2, shape, NULL, NULL, 1);
    CHECK_TRUE(mv_view_is_f_contiguous(&vf) && !mv_view_is_c_contiguous(&vf));
    CHECK_TRUE(eq(&vc, &vf));
    CHECK_TRUE(eq(&vc, &vr));
    CHECK_TRUE(eq(&vf, &vr));
    CHECK_TRUE(eq(&vw, &vf));
    mv_view vf2;
    CHECK_OK(mv_view_new(&vf2, &vf));
    CHECK_TRUE(eq(&vf, &vf2)); /* both Fortran: one memcmp */
    f[5] = 7;
    CHECK_TRUE(!eq(&vc, &vf));
    CHECK_TRUE(!eq(&vw, &vf));
    f[5] = 5;
    /* zero strides: [[1,1,1],[1,1,1]] */
    int32_t one = 1, ones[6] = {1, 1, 1, 1, 1, 1};
    mv_owner *o1 = tu_wrap(&one, 4), *o6 = tu_wrap(ones, sizeof ones);
    mv_ssize zs[] = {0, 0};
    mv_view vz;
    mk(&vz, o1, &one, "i", 4, 2, shape, zs, NULL, 1);
    mv_view v6;
    mk(&v6, o6, ones, "i", 4, 2, shape, NULL, NULL, 1);
    CHECK_TRUE(eq(&vz, &v6));
    CHECK_TRUE(!eq(&vz, &vc));
    /* suboffsets: rows through pointers */
    struct {
        char *rows[2];
        int32_t r1[4], r0[4];
    } pil = {{0}, {0, 3, 4, 5}, {0, 0, 1, 2}};
    pil.rows[0] = (char *)pil.r0;
    pil.rows[1] = (char *)pil.r1;
    mv_owner *op = tu_wrap(&pil, sizeof pil);
    mv_ssize pst[] = {sizeof(char *), 4}, sub[] = {4, -1};
    mv_view vp;
    mk(&vp, op, pil.rows, "i", 4, 2, shape, pst, sub, 1);
    CHECK_TRUE(eq(&vp, &vc));
    CHECK_TRUE(eq(&vp, &vf));
    CHECK_TRUE(eq(&vp, &vw));
    pil.r1[3] = 9;
    CHECK_TRUE(!eq(&vp, &vc));
    mv_view *all[] = {&vc, &vf, &vr, &vw, &vf2, &vz, &v6, &vp};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        CHECK_OK(mv_view_release(all[i]));
    mv_owner *os[] = {oc, of, orr, ow, o1, o6, op};
    for (size_t i = 0; i < sizeof os / sizeof os[0]; i++)
        mv_owner_release(os[i]);
}

/* Formats that are not native single characters, read as struct does. */
static void test_equal_struct_formats(void **state) {
    (void)state;
    unsigned char le[8] = {1, 0, 0, 0, 2, 0, 0, 0};
    unsigned char be[8] = {0, 0, 0, 1, 0, 0, 0, 2};
    mv_owner *ol = tu_wrap(le, 8), *ob = tu_wrap(be, 8);
    mv_ssize s2[] = {2}, s1[] = {1};
    mv_view li;
    mk(&li, ol, le, "<i", 4, 1, s2, NULL, NULL, 1);
    mv_view bi;
    mk(&bi, ob, be, ">i", 4, 1, s2, NULL, NULL, 1);
    mv_view bang;
    mk(&bang, ob, be, "!i", 4, 1, s2, NULL, NULL, 1);
    /* native: the bytes in the host's order */
    unsigned char *hb = tu_host_big() ? be : le;
    mv_owner *oh = tu_host_big() ? ob : ol;
    mv_view ni;
    mk(&ni, oh, hb, "i", 4, 1, s2, NULL, NULL, 1);
    mv_view eq_;
    mk(&eq_, oh, hb, "=l", 4, 1, s2, NULL, NULL, 1);
    mv_view lbad;
    mk(&lbad, ol, le, ">i", 4, 1, s2, NULL, NULL, 1);
    CHECK_TRUE(eq(&li, &bi));
    CHECK_TRUE(eq(&bang, &ni));
    CHECK_TRUE(eq(&eq_, &ni));
    CHECK_TRUE(!eq(&lbad, &li)); /* 16777216 != 1 */
    /* several values an item: 'bi' (native, aligned: 8 bytes) */
    unsigned char rec[8] = {7, 0xee, 0xee, 0xee, 9, 0, 0, 0};
    unsigned char rec2[8] = {7, 0, 0, 0, 9, 0, 0, 0};
    unsigned char packed[5] = {7, 9, 0, 0, 0};
    tu_put(rec + 4, 9, 4, '@'); /* the int in the host's order */
    tu_put(rec2 + 4, 9, 4, '@');
    mv_owner *o1 = tu_wrap(rec, 8), *o2 = tu_wrap(rec2, 8),
             *o3 = tu_wrap(packed, 5);
    mv_view r1;
    mk(&r1, o1, rec, "bi", 8, 1, s1, NULL, NULL, 1);
    mv_view r2;
    mk(&r2, o2, rec2, "@b i", 8, 1, s1, NULL, NULL, 1);
    mv_view r3;
    mk(&r3, o3, packed, "<bi", 5, 1, s1, NULL, NULL, 1);
    mv_view r4;
    mk(&r4, o2, rec2, "b3xi", 8, 1, s1, NULL, NULL, 1);
    CHECK_TRUE(eq(&r1, &r2)); /* padding is not compared */
    CHECK_TRUE(eq(&r1, &r3));
    CHECK_TRUE(eq(&r1, &r4));
    /* a 2-tuple never equals an int */
    mv_view t2;
    mk(&t2, o2, rec2, "2B", 2, 1, s1, NULL, NULL, 1);
    mv_view h1;
    mk(&h1, o2, rec2, "H", 2, 1, s1, NULL, NULL, 1);
    CHECK_TRUE(!eq(&t2, &h1));
    /* strings */
    char s[8] = "abcabc";
    char p[8] = "\x02"
                "abX";
    mv_owner *os_ = tu_wrap(s, 8), *op = tu_wrap(p, 8);
    mv_view s3;
    mk(&s3, os_, s, "3s", 3, 1, s2, NULL, NULL, 1);
    mv_view s3b;
    mk(&s3b, os_, s, "<3s", 3, 1, s2, NULL, NULL, 1);
    mv_view c3;
    mk(&c3, os_, s, "3c", 3, 1, s2, NULL, NULL, 1);
    mv_view p4;
    mk(&p4, op, p, "4p", 4, 1, s1, NULL, NULL, 1);
    mv_view s2b;
    mk(&s2b, os_, s, "2s", 2, 1, s1, NULL, NULL, 1);
    CHECK_TRUE(eq(&s3, &s3b));
    CHECK_TRUE(!eq(&s3, &c3));
    CHECK_TRUE(eq(&p4, &s2b)); /* b'ab' == b'ab' */
    /* '?' against '?' compares bytes, as the builtin does (True is True,
     * but b'\x02' != b'\x01' there); against 'B' it compares values */
    unsigned char t12[2] = {1, 2};
    mv_owner *ot = tu_wrap(t12, 2);
    mv_view q1, q2, qb;
    mk(&q1, ot, t12, "?", 1, 1, s1, NULL, NULL, 1);
    mk(&q2, ot, t12 + 1, "?", 1, 1, s1, NULL, NULL, 1);
    mk(&qb, ot, t12, "B", 1, 1, s1, NULL, NULL, 1);
    CHECK_TRUE(!eq(&q1, &q2));
    CHECK_TRUE(eq(&q2, &qb));
    CHECK_TRUE(eq(&q1, &qb));
    CHECK_OK(mv_view_release(&q1));
    CHECK_OK(mv_view_release(&q2));
    CHECK_OK(mv_view_release(&qb));
    mv_owner_release(ot);
    /* '?' and 'c' in standard mode */
    unsigned char bo[2] = {0, 5};
    mv_owner *obo = tu_wrap(bo, 2);
    mv_view q;
    mk(&q, obo, bo, "<?", 1, 1, s2, NULL, NULL, 1);
    unsigned char zo[2] = {0, 1};
    mv_owner *ozo = tu_wrap(zo, 2);
    mv_view zb;
    mk(&zb, ozo, zo, "B", 1, 1, s2, NULL, NULL, 1);
    CHECK_TRUE(eq(&q, &zb));
    /* standard sizes: '<q', '>H', '<e', '>d', '<f' */
    unsigned char q8[8] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    mv_owner *oq = tu_wrap(q8, 8);
    mv_view vq;
    mk(&vq, oq, q8, "<q", 8, 1, s1, NULL, NULL, 1);
    mv_view vQ;
    mk(&vQ, oq, q8, "<Q", 8, 1, s1, NULL, NULL, 1);
    mv_view nq;
    mk(&nq, oq, q8, "q", 8, 1, s1, NULL, NULL, 1);
    CHECK_TRUE(!eq(&vq, &vQ)); /* -1 != 2**64-1 */
    CHECK_TRUE(eq(&vq, &nq));
    unsigned char he[2] = {0x3c, 0x00}, hl[2] = {0x00, 0x3c};
    unsigned char dd[8] = {0x3f, 0xf0, 0, 0, 0, 0, 0, 0};
    unsigned char ff[4] = {0, 0, 0x80, 0x3f};
    mv_owner *ohe = tu_wrap(he, 2), *ohl = tu_wrap(hl, 2),
             *odd = tu_wrap(dd, 8), *off = tu_wrap(ff, 4);
    mv_view ebe;
    mk(&ebe, ohe, he, ">e", 2, 1, s1, NULL, NULL, 1);
    mv_view ele;
    mk(&ele, ohl, hl, "<e", 2, 1, s1, NULL, NULL, 1);
    mv_view dbe;
    mk(&dbe, odd, dd, ">d", 8, 1, s1, NULL, NULL, 1);
    mv_view fle;
    mk(&fle, off, ff, "<f", 4, 1, s1, NULL, NULL, 1);
    mv_view one;
    mk(&one, ozo, zo + 1, "B", 1, 1, s1, NULL, NULL, 1);
    mv_view H;
    mk(&H, ohe, he, ">H", 2, 1, s1, NULL, NULL, 1);
    CHECK_TRUE(eq(&ebe, &ele));
    CHECK_TRUE(eq(&ebe, &one));
    CHECK_TRUE(eq(&dbe, &one));
    CHECK_TRUE(eq(&fle, &one));
    CHECK_TRUE(!eq(&H, &one)); /* 0x3c00 */
    /* PEP 3118's additions compare by value, beyond struct */
    const char *pep[] = {"T{i}", "i<", "T{<i:a:}", "(1)i", "^i", "1T{i}"};
    for (size_t k = 0; k < sizeof pep / sizeof pep[0]; k++) {
        mv_view x;
        /* the native ones read the host's order; T{<i:a:} little-endian */
        int little = strchr(pep[k], '{') && strchr(pep[k], '<');
        mk(&x, little ? ol : oh, little ? le : hb, pep[k], 4, 1, s2, NULL, NULL,
           1);
        CHECK_TRUE(eq(&x, &li));
        CHECK_TRUE(eq(&x, &x));
        CHECK_OK(mv_view_release(&x));
    }
    /* formats that do not compile: unequal, never an error */
    const char *bad[] = {"T{i", "<n",  ">P",  "3",
                         "Z",   "(2i", "i:a", "99999999999999999999i"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        mv_view x;
        mk(&x, ol, le, bad[k], 4, 1, s2, NULL, NULL, 1);
        CHECK_TRUE(!eq(&x, &li));
        CHECK_TRUE(!eq(&x, &x));
        CHECK_OK(mv_view_release(&x));
    }
    /* an item shorter than its format's size fails as struct does */
    mv_view sh;
    mk(&sh, ol, le, "<q", 4, 1, s2, NULL, NULL, 1);
    int e = 0;
    CHECK_ERR(mv_view_equal(&sh, &li, &e), MV_EVALUE,
              "unpack_from requires a buffer of at least 8 bytes for "
              "unpacking 8 bytes at offset 0 (actual buffer size is 4)");
    CHECK_ERR(mv_view_equal(&li, &sh, &e), MV_EVALUE,
              "unpack_from requires a buffer of at least 8 bytes for "
              "unpacking 8 bytes at offset 0 (actual buffer size is 4)");
    CHECK_OK(mv_view_release(&sh));

    mv_view *all[] = {&li, &bi, &bang, &ni,  &eq_, &lbad, &r1,  &r2, &r3, &r4,
                      &t2, &h1, &s3,   &s3b, &c3,  &p4,   &s2b, &q,  &zb, &vq,
                      &vQ, &nq, &ebe,  &ele, &dbe, &fle,  &one, &H};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        CHECK_OK(mv_view_release(all[i]));
    mv_owner *os[] = {ol,  ob,  o1, o2,  o3,  os_, op,
                      obo, ozo, oq, ohe, ohl, odd, off};
    for (size_t i = 0; i < sizeof os / sizeof os[0]; i++)
        mv_owner_release(os[i]);
}

/* Random layouts of random bytes: equal to a C-order copy of themselves,
 * and the verdict matches an item-by-item reference. */
static void test_equal_random(void **state) {
    (void)state;
    uint64_t seed = 42;
    enum { MEM = 4096 };
    unsigned char *mem = malloc(MEM), *copy = malloc(MEM);
    mv_owner *om = tu_wrap(mem, MEM), *oc = tu_wrap(copy, MEM);
    const char *fmts[] = {"B", "b", "h", "i", "q", "d", "f", "c", "?"};
    for (int round = 0; round < 400; round++) {
        for (int i = 0; i < MEM; i++)
            mem[i] = (unsigned char)(tu_rand(&seed) % 4);
        const char *fmt = fmts[tu_rand(&seed) % 9];
        mv_ssize size = mv_format_itemsize(fmt);
        int ndim = (int)tu_range(&seed, 1, 3);
        mv_ssize shape[3], strides[3], span = size;
        for (int d = ndim - 1; d >= 0; d--) {
            shape[d] = tu_range(&seed, 0, 4);
            strides[d] = span * tu_range(&seed, -2, 2);
            span *= 5;
        }
        mv_ssize lo = 0;
        for (int d = 0; d < ndim; d++)
            if (strides[d] < 0 && shape[d] > 0)
                lo -= strides[d] * (shape[d] - 1);
        mv_view v;
        mk(&v, om, mem + lo, fmt, size, ndim, shape, strides, NULL, 0);
        tu_ref_copy(&v, (char *)copy, 0);
        mv_view w;
        mk(&w, oc, copy, fmt, size, ndim, shape, NULL, NULL, 0);
        /* NaN-free bytes (values 0..3) make every view equal its copy */
        CHECK_TRUE(eq(&v, &w));
        if (v.nbytes > 0) {
            mv_ssize k = tu_range(&seed, 0, v.nbytes / size - 1) * size;
            if (fmt[0] == '?')
                copy[k] = copy[k] ? 0 : 1;
            else
                copy[k] ^= 0x10;
            CHECK_TRUE(!eq(&v, &w));
        }
        CHECK_OK(mv_view_release(&v));
        CHECK_OK(mv_view_release(&w));
    }
    mv_owner_release(om);
    mv_owner_release(oc);
    free(mem);
    free(copy);
}

/* ---- hash ---- */

static int64_t sum_of(const void *data, mv_ssize len) {
    const unsigned char *p = data;
    uint64_t h = 7;
    for (mv_ssize i = 0; i < len; i++)
        h = h * 131 + p[i];
    return (int64_t)(h >> 1);
}

static int sum_hash(void *ctx, const void *data, mv_ssize len, int64_t *out) {
    if (ctx)
        ++*(int *)ctx;
    *out = sum_of(data, len);
    return MV_OK;
}

/* A hash function that fails (as a binding's does when its own hash of the
 * exporter fails), counting its calls. */
static int failing_hash(void *ctx, const void *data, mv_ssize len,
                        int64_t *out) {
    (void)data;
    (void)len;
    (void)out;
    ++*(int *)ctx;
    return mv_error(MV_ETYPE, "unhashable type: 'thing'");
}

static void test_hash_function_failure(void **state) {
    (void)state;
    mv_owner *o;
    CHECK_OK(mv_owner_copy(&o, "abc", 3));
    mv_view v;
    CHECK_OK(mv_view_from_owner(&v, o));
    int calls = 0;
    int64_t h = 12345;
    CHECK_ERR(mv_view_hash(&v, failing_hash, &calls, &h), MV_ETYPE,
              "unhashable type: 'thing'");
    CHECK_EQ(h, 12345); /* untouched */
    CHECK_TRUE(!(v.flags & MV_HASHED_));
    /* nothing was cached: the next hash calls its function again */
    CHECK_ERR(mv_view_hash(&v, failing_hash, &calls, &h), MV_ETYPE,
              "unhashable type: 'thing'");
    CHECK_EQ(calls, 2);
    CHECK_OK(mv_view_hash(&v, sum_hash, NULL, &h));
    CHECK_TRUE(h == sum_of("abc", 3));
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
}

static void test_hash(void **state) {
    (void)state;
    mv_owner *o;
    CHECK_OK(mv_owner_copy(&o, "hello world", 11));
    mv_view v, s, c;
    CHECK_OK(mv_view_from_owner(&v, o));
    int calls = 0;
    int64_t h = 0, h2 = 0;
    CHECK_OK(mv_view_hash(&v, sum_hash, &calls, &h));
    CHECK_TRUE(h == sum_of("hello world", 11));
    CHECK_TRUE(v.flags & MV_HASHED_);
    CHECK_OK(mv_view_hash(&v, sum_hash, &calls, &h2));
    CHECK_TRUE(h == h2);
    CHECK_EQ(calls, 1); /* cached */
    /* a strided view hashes its bytes in C order */
    CHECK_OK(mv_view_slice(&s, &v, MV_END, MV_BEGIN, -2));
    CHECK_OK(mv_view_hash(&s, sum_hash, NULL, &h2));
    CHECK_TRUE(h2 == sum_of("drwolh", 6));
    /* a new view does not inherit the cache */
    mv_view n;
    CHECK_OK(mv_view_new(&n, &s));
    CHECK_TRUE(!(n.flags & MV_HASHED_));
    CHECK_OK(mv_view_release(&n));
    /* 'b', '@c' and 'c' are allowed, and NULL picks a default function */
    CHECK_OK(mv_view_cast(&c, &v, "@c", NULL, -1));
    CHECK_OK(mv_view_hash(&c, NULL, NULL, &h2));
    CHECK_OK(mv_view_release(&c));
    CHECK_OK(mv_view_cast(&c, &v, "b", NULL, -1));
    CHECK_OK(mv_view_hash(&c, sum_hash, NULL, &h2));
    CHECK_TRUE(h == h2);
    CHECK_OK(mv_view_release(&c));
    /* other formats */
    mv_ssize sh[] = {1};
    tu_layout_view(&c, o, mv_owner_data(o), 2, "h", 2, 1, sh, NULL, NULL, 1);
    CHECK_ERR(mv_view_hash(&c, sum_hash, NULL, &h2), MV_EVALUE,
              "memoryview: hashing is restricted to formats 'B', 'b' or "
              "'c'");
    CHECK_OK(mv_view_release(&c));
    tu_layout_view(&c, o, mv_owner_data(o), 2, "<B", 1, 1, (mv_ssize[]){2},
                   NULL, NULL, 1);
    CHECK_ERR(mv_view_hash(&c, sum_hash, NULL, &h2), MV_EVALUE,
              "memoryview: hashing is restricted to formats 'B', 'b' or "
              "'c'");
    CHECK_OK(mv_view_release(&c));
    /* the cached hash survives release; an uncached one fails */
    CHECK_OK(mv_view_release(&v));
    CHECK_OK(mv_view_hash(&v, sum_hash, NULL, &h2));
    CHECK_TRUE(h == h2);
    CHECK_OK(mv_view_new(&c, &s));
    CHECK_OK(mv_view_release(&c));
    CHECK_ERR(mv_view_hash(&c, sum_hash, NULL, &h2), MV_EVALUE,
              "operation forbidden on released memoryview object");
    CHECK_OK(mv_view_release(&s));
    mv_owner_release(o);

    /* writable memory: refused, before the format is looked at */
    char buf[4] = "abc";
    o = tu_wrap(buf, 4);
    CHECK_OK(mv_view_from_owner(&v, o));
    CHECK_ERR(mv_view_hash(&v, sum_hash, NULL, &h2), MV_EVALUE,
              "cannot hash writable memoryview object");
    tu_layout_view(&c, o, buf, 4, "i", 4, 1, sh, NULL, NULL, 0);
    CHECK_ERR(mv_view_hash(&c, sum_hash, NULL, &h2), MV_EVALUE,
              "cannot hash writable memoryview object");
    CHECK_OK(mv_view_release(&c));
    /* a read-only view of it can be hashed */
    CHECK_OK(mv_view_readonly(&c, &v));
    CHECK_OK(mv_view_hash(&c, sum_hash, NULL, &h2));
    CHECK_TRUE(h2 == sum_of("abc", 4));
    CHECK_OK(mv_view_release(&c));
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
}

/* ---- count and index ---- */

static mv_ssize count(const mv_view *v, mv_value x) {
    mv_ssize n = -1;
    CHECK_OK(mv_view_count(v, &x, &n));
    return n;
}

static mv_ssize find(const mv_view *v, mv_value x, mv_ssize a, mv_ssize b) {
    mv_ssize n = -7;
    int rc = mv_view_index(v, &x, a, b, &n);
    if (rc == MV_EVALUE &&
        strcmp(mv_errmsg(), "memoryview.index(x): x not found") == 0)
        return -1;
    CHECK_OK(rc);
    return n;
}

static void test_count_find(void **state) {
    (void)state;
    unsigned char b[10] = {1, 2, 3, 1, 2, 3, 1, 255, 0, 1};
    mv_owner *o = tu_wrap(b, 10);
    mv_view v, r;
    CHECK_OK(mv_view_from_owner(&v, o));
    CHECK_EQ(count(&v, I(1)), 4);
    CHECK_EQ(count(&v, U(1)), 4);
    CHECK_EQ(count(&v, F(1.0)), 4);
    CHECK_EQ(count(&v, B(1)), 4);
    CHECK_EQ(count(&v, B(0)), 1);
    CHECK_EQ(count(&v, F(1.5)), 0);
    CHECK_EQ(count(&v, I(-1)), 0);
    CHECK_EQ(count(&v, I(255)), 1);
    CHECK_EQ(count(&v, I(256)), 0);
    CHECK_EQ(count(&v, F(NAN)), 0);
    CHECK_EQ(count(&v, S("\x01", 1)), 0);
    mv_value big = {.type = MV_VAL_BIGINT, .i = 1};
    CHECK_EQ(count(&v, big), 0);
    CHECK_EQ(find(&v, I(1), 0, MV_END), 0);
    CHECK_EQ(find(&v, I(1), 1, MV_END), 3);
    CHECK_EQ(find(&v, I(1), -4, MV_END), 6);
    CHECK_EQ(find(&v, I(1), -100, 2), 0);
    CHECK_EQ(find(&v, I(1), 7, 9), -1);
    CHECK_EQ(find(&v, I(1), 0, 0), -1); /* an empty range: stop 0 */
    CHECK_EQ(find(&v, I(1), 0, -10), -1);
    CHECK_EQ(find(&v, I(1), 7, 10), 9);
    CHECK_EQ(find(&v, I(1), 7, -1), -1);
    CHECK_EQ(find(&v, I(3), 3, -4), 5);
    CHECK_EQ(find(&v, I(3), 6, 3), -1); /* start > stop */
    CHECK_EQ(find(&v, I(1), MV_BEGIN, MV_END), 0);
    CHECK_EQ(find(&v, I(1), MV_END, MV_END), -1);
    CHECK_EQ(find(&v, I(1), 10, MV_BEGIN), -1);
    CHECK_EQ(find(&v, F(255.0), 0, MV_END), 7);
    CHECK_EQ(find(&v, I(-1), 0, MV_END), -1);
    /* reversed: a strided view */
    CHECK_OK(mv_view_slice(&r, &v, MV_END, MV_BEGIN, -1));
    CHECK_EQ(count(&r, I(3)), 2);
    CHECK_EQ(find(&r, I(3), 0, MV_END), 4);
    CHECK_EQ(find(&r, I(255), 0, MV_END), 2);
    CHECK_OK(mv_view_release(&r));
    /* 'b' and 'c' */
    mv_ssize s10[] = {10};
    tu_layout_view(&r, o, b, 10, "b", 1, 1, s10, NULL, NULL, 0);
    CHECK_EQ(count(&r, I(-1)), 1);
    CHECK_EQ(count(&r, I(255)), 0);
    CHECK_EQ(find(&r, I(-1), 0, MV_END), 7);
    CHECK_OK(mv_view_release(&r));
    tu_layout_view(&r, o, b, 10, "c", 1, 1, s10, NULL, NULL, 0);
    CHECK_EQ(count(&r, S("\x01", 1)), 4);
    CHECK_EQ(count(&r, S("\x01\x02", 2)), 0);
    CHECK_EQ(count(&r, I(1)), 0);
    CHECK_EQ(find(&r, S("\xff", 1), 0, MV_END), 7);
    CHECK_EQ(find(&r, S("\xff", 1), 0, 7), -1);
    CHECK_OK(mv_view_release(&r));
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);

    /* wider formats */
    int64_t q[5] = {INT64_MIN, -1, 0, INT64_MAX, -1};
    o = tu_wrap(q, sizeof q);
    mv_ssize s5[] = {5};
    tu_layout_view(&v, o, q, sizeof q, "q", 8, 1, s5, NULL, NULL, 0);
    CHECK_EQ(count(&v, I(-1)), 2);
    CHECK_EQ(count(&v, U(UINT64_MAX)), 0);
    CHECK_EQ(count(&v, I(INT64_MIN)), 1);
    CHECK_EQ(count(&v, F(-9223372036854775808.0)), 1);
    CHECK_EQ(count(&v, F(9223372036854775808.0)), 0);
    CHECK_EQ(find(&v, I(INT64_MAX), 0, MV_END), 3);
    CHECK_OK(mv_view_release(&v));
    tu_layout_view(&v, o, q, sizeof q, "Q", 8, 1, s5, NULL, NULL, 0);
    CHECK_EQ(count(&v, U(UINT64_MAX)), 2);
    CHECK_EQ(count(&v, I(-1)), 0);
    CHECK_EQ(count(&v, U((uint64_t)1 << 63)), 1);
    CHECK_OK(mv_view_release(&v));
    /* pointers: as many all-ones items as the bytes hold, at the
     * platform's pointer size */
    mv_ssize np[] = {(mv_ssize)(sizeof q / (sizeof(void *)))}, ones = 0;
    for (mv_ssize i = 0; i < np[0]; i++) {
        uintptr_t u;
        memcpy(&u, (char *)q + i * (mv_ssize)sizeof u, sizeof u);
        ones += u == UINTPTR_MAX;
    }
    tu_layout_view(&v, o, q, sizeof q, "P", sizeof(void *), 1, np, NULL, NULL,
                   0);
    CHECK_EQ(count(&v, I(-1)), 0);
    CHECK_EQ(count(&v, U(UINTPTR_MAX)), ones);
    CHECK_TRUE(ones >= 2);
    CHECK_OK(mv_view_release(&v));
    mv_ssize s10h[] = {20};
    tu_layout_view(&v, o, q, sizeof q, "h", 2, 1, s10h, NULL, NULL, 0);
    CHECK_EQ(count(&v, I(-1)), 11);
    CHECK_EQ(count(&v, I(65535)), 0);
    CHECK_EQ(count(&v, I(-32768)), 1);
    CHECK_EQ(count(&v, I(-32769)), 0);
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);

    /* floats and bools */
    double d[4] = {1.0, NAN, -0.0, 1.0};
    o = tu_wrap(d, sizeof d);
    mv_ssize s4[] = {4};
    tu_layout_view(&v, o, d, sizeof d, "d", 8, 1, s4, NULL, NULL, 0);
    CHECK_EQ(count(&v, I(1)), 2);
    CHECK_EQ(count(&v, F(NAN)), 0);
    CHECK_EQ(count(&v, I(0)), 1);
    CHECK_EQ(count(&v, B(1)), 2);
    CHECK_EQ(find(&v, U(0), 0, MV_END), 2);
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
    unsigned char bo[3] = {0, 1, 7};
    o = tu_wrap(bo, 3);
    tu_layout_view(&v, o, bo, 3, "?", 1, 1, (mv_ssize[]){3}, NULL, NULL, 0);
    CHECK_EQ(count(&v, B(1)), 2);
    CHECK_EQ(count(&v, I(1)), 2);
    CHECK_EQ(count(&v, F(0.0)), 1);
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
}

static void test_count_find_layouts(void **state) {
    (void)state;
    /* suboffsets in the only dimension */
    unsigned char a = 5, b = 6, c = 5;
    char *ptrs[3] = {(char *)&a, (char *)&b, (char *)&c};
    mv_owner *o = tu_wrap(ptrs, sizeof ptrs);
    mv_view v;
    mv_ssize s3[] = {3}, st[] = {sizeof(char *)}, sub[] = {0};
    tu_layout_view(&v, o, ptrs, 3, "B", 1, 1, s3, st, sub, 0);
    CHECK_EQ(count(&v, I(5)), 2);
    CHECK_EQ(find(&v, I(6), 0, MV_END), 1);
    CHECK_EQ(find(&v, I(5), 1, MV_END), 2);
    CHECK_OK(mv_view_release(&v));
    /* zero stride */
    mv_ssize z[] = {0};
    tu_layout_view(&v, o, &ptrs[0], 3, "B", 1, 1, s3, z, sub, 0);
    CHECK_EQ(count(&v, I(5)), 3);
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
}

static void test_count_find_errors(void **state) {
    (void)state;
    unsigned char buf[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    mv_owner *o = tu_wrap(buf, 8);
    mv_view v;
    mv_value one = I(1);
    mv_ssize n = 0;
    /* 0-D */
    tu_layout_view(&v, o, buf, 1, "B", 1, 0, NULL, NULL, NULL, 0);
    CHECK_ERR(mv_view_count(&v, &one, &n), MV_ETYPE,
              "invalid indexing of 0-dim memory");
    CHECK_ERR(mv_view_index(&v, &one, 0, MV_END, &n), MV_ETYPE,
              "invalid lookup on 0-dim memory");
    CHECK_OK(mv_view_release(&v));
    /* N-D */
    mv_ssize s22[] = {2, 2};
    tu_layout_view(&v, o, buf, 4, "B", 1, 2, s22, NULL, NULL, 0);
    CHECK_ERR(mv_view_count(&v, &one, &n), MV_ENOTIMPL,
              "multi-dimensional sub-views are not implemented");
    CHECK_ERR(mv_view_index(&v, &one, 0, MV_END, &n), MV_ENOTIMPL,
              "multi-dimensional lookup is not implemented");
    CHECK_OK(mv_view_release(&v));
    /* formats that do not compile: multi-character ones fail when the view is
     * iterated... */
    mv_ssize s2[] = {2}, s0[] = {0};
    tu_layout_view(&v, o, buf, 8, "<n", 4, 1, s2, NULL, NULL, 0);
    CHECK_ERR(mv_view_count(&v, &one, &n), MV_ENOTIMPL,
              "memoryview: unsupported format <n");
    CHECK_ERR(mv_view_index(&v, &one, 0, MV_END, &n), MV_ENOTIMPL,
              "memoryview: unsupported format <n");
    /* ...but index over an empty range reads nothing */
    CHECK_ERR(mv_view_index(&v, &one, 1, 1, &n), MV_EVALUE,
              "memoryview.index(x): x not found");
    CHECK_OK(mv_view_release(&v));
    tu_layout_view(&v, o, buf, 0, "<n", 4, 1, s0, NULL, NULL, 0);
    CHECK_ERR(mv_view_count(&v, &one, &n), MV_ENOTIMPL,
              "memoryview: unsupported format <n");
    CHECK_OK(mv_view_release(&v));
    /* unknown single characters fail only when an item is read */
    tu_layout_view(&v, o, buf, 2, "@u", 1, 1, s2, NULL, NULL, 0);
    CHECK_ERR(mv_view_count(&v, &one, &n), MV_ENOTIMPL,
              "memoryview: format u not supported");
    CHECK_ERR(mv_view_index(&v, &one, 0, MV_END, &n), MV_ENOTIMPL,
              "memoryview: format u not supported");
    CHECK_ERR(mv_view_index(&v, &one, 2, MV_END, &n), MV_EVALUE,
              "memoryview.index(x): x not found");
    CHECK_OK(mv_view_release(&v));
    tu_layout_view(&v, o, buf, 0, "x", 1, 1, s0, NULL, NULL, 0);
    n = 9;
    CHECK_OK(mv_view_count(&v, &one, &n));
    CHECK_EQ(n, 0);
    CHECK_OK(mv_view_release(&v));
    /* released */
    CHECK_ERR(mv_view_count(&v, &one, &n), MV_EVALUE,
              "operation forbidden on released memoryview object");
    CHECK_ERR(mv_view_index(&v, &one, 0, MV_END, &n), MV_EVALUE,
              "operation forbidden on released memoryview object");
    mv_owner_release(o);
}

static void test_count_large(void **state) {
    (void)state;
    enum { N = 1 << 18 };
    unsigned char *m = malloc(N);
    tu_pattern(m, N, 3);
    mv_owner *o = tu_wrap(m, N);
    mv_view v, s;
    CHECK_OK(mv_view_from_owner(&v, o));
    CHECK_OK(mv_view_slice(&s, &v, 1, MV_END, 3));
    for (int x = 0; x < 256; x += 51) {
        mv_ssize want = 0, want_s = 0, first = -1;
        for (mv_ssize i = 0; i < N; i++) {
            if (m[i] == x) {
                want++;
                if (i % 3 == 1) {
                    want_s++;
                    if (first < 0)
                        first = (i - 1) / 3;
                }
            }
        }
        CHECK_EQ(count(&v, I(x)), want);
        CHECK_EQ(count(&s, I(x)), want_s);
        CHECK_EQ(find(&s, I(x), 0, MV_END), first);
    }
    CHECK_OK(mv_view_release(&s));
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
    free(m);
}

/* One item with a huge stride: count and find never form the address one
 * stride past the last item, which would leave the address space. */
static void test_count_find_huge_stride(void **state) {
    (void)state;
    static char data[8] = {7, 7, 7, 7, 7, 7, 7, 7};
    mv_owner *o = tu_wrap(data, sizeof data);
    const char *fmts[] = {"B", "i", "d"};
    mv_ssize sizes[] = {1, 4, 8};
    for (int k = 0; k < 3; k++) {
        mv_view v;
        mv_ssize shape[1] = {1}, strides[1] = {MV_SSIZE_MAX};
        tu_layout_view(&v, o, data, sizes[k], fmts[k], sizes[k], 1, shape,
                       strides, NULL, 1);
        mv_value x = I(7), item;
        CHECK_OK(mv_view_get(&v, 0, &item));
        mv_ssize n = -1;
        CHECK_OK(mv_view_count(&v, &x, &n));
        CHECK_EQ(n, k == 0 ? 1 : mv_value_equal(&item, &x));
        CHECK_OK(mv_view_count(&v, &item, &n));
        CHECK_EQ(n, k == 2 && isnan(item.f) ? 0 : 1);
        if (!(k == 2 && isnan(item.f))) {
            CHECK_OK(mv_view_index(&v, &item, MV_BEGIN, MV_END, &n));
            CHECK_EQ(n, 0);
        }
        strides[0] = MV_SSIZE_MIN;
        mv_view w;
        tu_layout_view(&w, o, data, sizes[k], fmts[k], sizes[k], 1, shape,
                       strides, NULL, 1);
        CHECK_OK(mv_view_count(&w, &item, &n));
        CHECK_OK(mv_view_release(&w));
        CHECK_OK(mv_view_release(&v));
    }
    mv_owner_release(o);
}

/* Equal over huge strides: one row far apart, or no items at all (whose
 * strides were never checked against memory). */
static void test_equal_huge_strides(void **state) {
    (void)state;
    static char data[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    mv_owner *o = tu_wrap(data, sizeof data);
    mv_ssize huge[] = {MV_SSIZE_MAX, MV_SSIZE_MIN};
    const char *fmts[] = {"B", "b", "c", "?"};
    for (int k = 0; k < 2; k++) {
        for (int f = 0; f < 4; f++) {
            mv_view a, b;
            mv_ssize shape[2] = {1, 3}, sa[2] = {huge[k], 1};
            tu_layout_view(&a, o, data, 3, fmts[f], 1, 2, shape, sa, NULL, 1);
            tu_layout_view(&b, o, data, 3, fmts[f], 1, 2, shape, NULL, NULL, 1);
            int eq = -1;
            CHECK_OK(mv_view_equal(&a, &b, &eq));
            CHECK_EQ(eq, 1);
            CHECK_OK(mv_view_release(&a));
            CHECK_OK(mv_view_release(&b));
            mv_ssize es[3] = {4, 2, 0}, st[3] = {huge[k], huge[1 - k], 1};
            tu_layout_view(&a, o, data, 0, fmts[f], 1, 3, es, st, NULL, 1);
            tu_layout_view(&b, o, data, 0, "B", 1, 3, es, st, NULL, 1);
            CHECK_OK(mv_view_equal(&a, &b, &eq));
            CHECK_EQ(eq, 1);
            CHECK_OK(mv_view_release(&a));
            CHECK_OK(mv_view_release(&b));
        }
    }
    mv_owner_release(o);
}

/* Python's comparisons of a complex, float or unsigned value with values
 * that differ in one part only. */
static void test_value_equal_parts(void **state) {
    (void)state;
    mv_value z2 = {.type = MV_VAL_COMPLEX, .z = {2.0, 0.0}};
    mv_value z2i = {.type = MV_VAL_COMPLEX, .z = {2.0, 1.0}};
    mv_value z3 = {.type = MV_VAL_COMPLEX, .z = {3.0, 0.0}};
    NE(z2, z3);      /* 2+0j != 3+0j */
    NE(z2i, F(2.0)); /* 2+1j != 2.0 */
    NE(z2, F(3.0));  /* 2+0j != 3.0 */
    NE(z2i, U(2));   /* 2+1j != 2 */
    NE(z2, U(3));    /* 2+0j != 3 */
    EQ(z2, U(2));
    NE(F(2.5), U(2)); /* a fraction equals no integer */
    NE(F(3.0), U(2));
    NE(U(5), I(-1)); /* an unsigned equals no negative */
    NE(U(5), I(4));
    EQ(U(5), I(5));
}

/* Items compared one by one: 0-D views and rows through suboffsets of
 * every comparison mode (bytes, 'f', 'd', values, struct formats). */
static void test_equal_items(void **state) {
    (void)state;
    union {
        unsigned char b[16];
        float f[4];
        double d[2];
    } x, y;
    memset(&x, 0, sizeof x);
    memset(&y, 0, sizeof y);
    x.f[0] = y.f[0] = x.f[1] = y.f[1] = 1.5f; /* x = [1.5, 1.5, 2.5, 0] */
    x.f[2] = 2.5f;                            /* y = [1.5, 1.5, -2.5, 0] */
    y.f[2] = -2.5f;
    mv_owner *ox = tu_wrap(&x, sizeof x), *oy = tu_wrap(&y, sizeof y);
    /* floats in the host's order, spelled with an explicit prefix */
    const char hf[3] = {tu_host_order(), 'f', '\0'};
    const struct {
        const char *fa, *fb;
        mv_ssize size;
    } modes[] = {{"B", "B", 1}, {"f", "f", 4}, {"d", "d", 8}, {"f", "@f", 4},
                 {"i", "I", 4}, {hf, hf, 4},   {hf, "f", 4}};
    for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
        mv_view a, b;
        /* 0-D: the first item, equal in x and y */
        mk(&a, ox, &x, modes[m].fa, modes[m].size, 0, NULL, NULL, NULL, 0);
        mk(&b, oy, &y, modes[m].fb, modes[m].size, 0, NULL, NULL, NULL, 0);
        CHECK_EQ(eq(&a, &b), 1);
        CHECK_OK(mv_view_release(&a));
        CHECK_OK(mv_view_release(&b));
        /* 0-D: the second item of x against the first of y */
        mk(&a, ox, x.b + modes[m].size, modes[m].fa, modes[m].size, 0, NULL,
           NULL, NULL, 0);
        mk(&b, oy, &y, modes[m].fb, modes[m].size, 0, NULL, NULL, NULL, 0);
        int want = memcmp(x.b + modes[m].size, y.b, (size_t)modes[m].size) == 0;
        CHECK_EQ(eq(&a, &b), want);
        CHECK_OK(mv_view_release(&a));
        CHECK_OK(mv_view_release(&b));
    }
    /* the last dimension through pointers: [x[0], x[2]] against
     * [y[0], y[2]] (equal, then not) and [x[0], x[0]] */
    char *px[2] = {(char *)&x.f[0], (char *)&x.f[2]};
    char *py[2] = {(char *)&y.f[0], (char *)&y.f[2]};
    char *pz[2] = {(char *)&x.f[0], (char *)&x.f[0]};
    mv_owner *opx = tu_wrap(px, sizeof px), *opy = tu_wrap(py, sizeof py);
    mv_owner *opz = tu_wrap(pz, sizeof pz);
    mv_ssize n[] = {2}, st[] = {sizeof(char *)}, sub[] = {0};
    const char *fmts[] = {"f", "I", hf};
    for (size_t k = 0; k < 3; k++) {
        mv_view a, b, c, d;
        mk(&a, opx, px, fmts[k], 4, 1, n, st, sub, 0);
        mk(&b, opy, py, fmts[k], 4, 1, n, st, sub, 0);
        mk(&c, opz, pz, fmts[k], 4, 1, n, st, sub, 0);
        CHECK_EQ(eq(&a, &b), 0);
        CHECK_EQ(eq(&a, &a), 1);
        CHECK_EQ(eq(&c, &c), 1);
        CHECK_EQ(eq(&b, &c), 0);
        /* through pointers against a plain view of the same items */
        mk(&d, ox, &x.f[1], fmts[k], 4, 1, n, NULL, NULL, 0);
        CHECK_EQ(eq(&a, &d), 1);
        CHECK_EQ(eq(&c, &d), 0);
        CHECK_OK(mv_view_release(&a));
        CHECK_OK(mv_view_release(&b));
        CHECK_OK(mv_view_release(&c));
        CHECK_OK(mv_view_release(&d));
    }
    mv_owner_release(opx);
    mv_owner_release(opy);
    mv_owner_release(opz);
    mv_owner_release(ox);
    mv_owner_release(oy);
}

/* count and index: values that equal no integer item, items that are
 * tuples, empty views, suboffsets that are not followed, 'c' items. */
static void test_count_find_corners(void **state) {
    (void)state;
    signed char b[6] = {1, -1, 2, -1, 3, 'x'};
    mv_owner *o = tu_wrap(b, sizeof b);
    mv_view v;
    mv_ssize n6[] = {6};
    mk(&v, o, b, "b", 1, 1, n6, NULL, NULL, 0);
    CHECK_EQ(count(&v, F(-1.0)), 2);
    CHECK_EQ(count(&v, F(-1.5)), 0);
    CHECK_EQ(count(&v, F(1e20)), 0);
    CHECK_EQ(count(&v, F(-1e20)), 0);
    CHECK_EQ(count(&v, F(NAN)), 0);
    CHECK_EQ(find(&v, F(2.0), 0, 6), 2);
    CHECK_EQ(find(&v, F(2.5), 0, 6), -1);
    CHECK_OK(mv_view_release(&v));
    /* 'c': one byte finds, two bytes and integers find nothing */
    mk(&v, o, b, "c", 1, 1, n6, NULL, NULL, 0);
    CHECK_EQ(count(&v, S("x", 1)), 1);
    CHECK_EQ(count(&v, S("xx", 2)), 0);
    CHECK_EQ(count(&v, I('x')), 0);
    CHECK_EQ(find(&v, S("x", 1), 0, 6), 5);
    CHECK_EQ(find(&v, S("xx", 2), 0, 6), -1);
    CHECK_OK(mv_view_release(&v));
    /* suboffsets of -1: the pointers are not followed */
    mv_ssize sub[] = {-1};
    mk(&v, o, b, "b", 1, 1, n6, NULL, sub, 0);
    CHECK_EQ(count(&v, I(-1)), 2);
    CHECK_EQ(find(&v, I(3), 0, 6), 4);
    CHECK_OK(mv_view_release(&v));
    /* empty views count nothing */
    mv_ssize n0[] = {0};
    mk(&v, o, b, "b", 1, 1, n0, NULL, NULL, 0);
    CHECK_EQ(count(&v, I(1)), 0);
    CHECK_EQ(find(&v, I(1), 0, 6), -1);
    CHECK_OK(mv_view_release(&v));
    mk(&v, o, b, "h", 2, 1, n0, NULL, NULL, 0);
    CHECK_EQ(count(&v, I(1)), 0);
    CHECK_OK(mv_view_release(&v));
    /* a compiled format of one scalar reads as its value */
    mv_ssize n3[] = {3};
    mk(&v, o, b, "<h", 2, 1, n3, NULL, NULL, 0);
    CHECK_EQ(count(&v, I((int16_t)(0xff01))), 1); /* bytes 1, -1 */
    CHECK_EQ(find(&v, I((int16_t)(0x78ff)), 0, 3), -1);
    CHECK_EQ(find(&v, I(0x7803), 0, 3), 2); /* bytes 3, 0x78 */
    CHECK_OK(mv_view_release(&v));
    /* items of several values equal no value */
    mv_ssize n2[] = {2};
    mk(&v, o, b, "<bb", 2, 1, n2, NULL, NULL, 0);
    CHECK_EQ(count(&v, I(1)), 0);
    CHECK_EQ(find(&v, I(1), 0, 2), -1);
    CHECK_OK(mv_view_release(&v));
    /* a value that equals no item still reads the first: an unknown
     * format fails */
    mk(&v, o, b, "u", 1, 1, n6, NULL, NULL, 0);
    CHECK_ERR(
        mv_view_count(&v, &(mv_value){.type = MV_VAL_OTHER}, &(mv_ssize){0}),
        MV_ENOTIMPL, "memoryview: format u not supported");
    CHECK_OK(mv_view_release(&v));
    mk(&v, o, b, "b", 1, 1, n6, NULL, NULL, 0);
    CHECK_EQ(count(&v, (mv_value){.type = MV_VAL_OTHER}), 0);
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
}

/* The hash of an empty view that is not contiguous is the hash of b"". */
static void test_hash_empty_strided(void **state) {
    (void)state;
    unsigned char b[4] = {0};
    mv_owner *o = tu_wrap(b, sizeof b);
    mv_view v, e;
    mv_ssize n0[] = {0}, st[] = {2};
    mk(&v, o, b, "B", 1, 1, n0, st, NULL, 1);
    mk(&e, o, b, "B", 1, 1, n0, NULL, NULL, 1);
    CHECK_TRUE(!mv_view_is_c_contiguous(&v));
    int64_t h1 = 0, h2 = 1;
    CHECK_OK(mv_view_hash(&v, NULL, NULL, &h1));
    CHECK_OK(mv_view_hash(&e, NULL, NULL, &h2));
    CHECK_EQ(h1, h2);
    CHECK_OK(mv_view_release(&v));
    CHECK_OK(mv_view_release(&e));
    mv_owner_release(o);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_value_equal),
        cmocka_unit_test(test_equal_basic),
        cmocka_unit_test(test_equal_zero_shapes),
        cmocka_unit_test(test_equal_floats),
        cmocka_unit_test(test_equal_layouts),
        cmocka_unit_test(test_equal_struct_formats),
        cmocka_unit_test(test_equal_random),
        cmocka_unit_test(test_hash),
        cmocka_unit_test(test_hash_function_failure),
        cmocka_unit_test(test_count_find),
        cmocka_unit_test(test_count_find_layouts),
        cmocka_unit_test(test_count_find_errors),
        cmocka_unit_test(test_count_large),
        cmocka_unit_test(test_count_find_huge_stride),
        cmocka_unit_test(test_equal_huge_strides),
        cmocka_unit_test(test_value_equal_parts),
        cmocka_unit_test(test_equal_items),
        cmocka_unit_test(test_count_find_corners),
        cmocka_unit_test(test_hash_empty_strided),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
