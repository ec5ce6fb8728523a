/*
 * test_field.c -- fields of a view's items by name and position: reads
 * and writes in both byte orders, inline and through the call, against
 * the bytes written by hand (the oracle is the layout struct.pack gives).
 */
#include <math.h>

#include "test_util.h"

/* Little-endian and big-endian bytes of a value of size n. */
static void put_le(unsigned char *p, uint64_t x, int n) {
    for (int i = 0; i < n; i++)
        p[i] = (unsigned char)(x >> (8 * i));
}
static void put_be(unsigned char *p, uint64_t x, int n) {
    for (int i = 0; i < n; i++)
        p[n - 1 - i] = (unsigned char)(x >> (8 * i));
}

static void view_of(mv_view *v, mv_owner *o, void *buf, mv_ssize n,
                    const char *fmt, mv_ssize itemsize) {
    mv_ssize shape[1] = {n};
    tu_layout_view(v, o, buf, n * itemsize, fmt, itemsize, 1, shape, NULL, NULL,
                   0);
}

static void test_record_fields_by_name(void **state) {
    (void)state;
    /* T{<I:id:<f:x:}: 8-byte records */
    unsigned char mem[10 * 8];
    for (int k = 0; k < 10; k++) {
        float x = (float)k * 0.5f;
        uint32_t xb;
        memcpy(&xb, &x, 4);
        put_le(mem + 8 * k, 1000u + (unsigned)k, 4);
        put_le(mem + 8 * k + 4, xb, 4);
    }
    mv_owner *o = tu_wrap(mem, sizeof mem);
    mv_view v;
    view_of(&v, o, mem, 10, "T{<I:id:<f:x:}", 8);
    mv_fieldref id, x, x2;
    CHECK_OK(mv_view_field(&v, "id", &id));
    CHECK_OK(mv_view_field(&v, "x", &x));
    CHECK_OK(mv_view_field_at(&v, 1, &x2));
    CHECK_TRUE(x.field == x2.field && x.offset == x2.offset);
    CHECK_EQ(x.offset, 4);
    /* '<': swapped on a big-endian host */
    int sw = tu_host_big() ? MV_LOAD_SWAPPED : 0;
    CHECK_EQ(id.load, MV_LOAD_U32 + sw);
    CHECK_EQ(x.load, MV_LOAD_F32 + sw);
    mv_value val;
    CHECK_OK(mv_view_get_field(&v, 7, &x, &val));
    CHECK_EQ(val.type, MV_VAL_FLOAT);
    CHECK_TRUE(val.f == 3.5);
    CHECK_OK(mv_view_get_field(&v, -1, &id, &val));
    CHECK_EQ(val.u, 1009);
    CHECK_OK(mv_view_get_field_any(&v, 7, &x, &val));
    CHECK_TRUE(val.f == 3.5);
    /* writes change the field's bytes only */
    mv_value nv = vfloat(-2.0);
    CHECK_OK(mv_view_set_field(&v, 3, &x, &nv));
    CHECK_TRUE(memcmp(mem + 28, "\x00\x00\x00\xc0", 4) == 0);
    CHECK_OK(mv_view_get_field(&v, 3, &id, &val));
    CHECK_EQ(val.u, 1003);
    nv = vint(-1);
    CHECK_ERR(mv_view_set_field(&v, 3, &id, &nv), MV_EVALUE,
              "memoryview: invalid value for format '<I'");
    CHECK_OK(mv_view_get_field(&v, 3, &id, &val));
    CHECK_EQ(val.u, 1003);
    /* errors, with mv_view_get's words for the index */
    CHECK_ERR(mv_view_get_field(&v, 10, &x, &val), MV_EINDEX,
              "index out of bounds on dimension 1");
    CHECK_ERR(mv_view_get_field(&v, -11, &x, &val), MV_EINDEX,
              "index out of bounds on dimension 1");
    CHECK_ERR(mv_view_field(&v, "y", &x2), MV_EVALUE, "no field of name y");
    CHECK_ERR(mv_view_field(&v, "x.y", &x2), MV_EVALUE, "no field of name x.y");
    CHECK_ERR(mv_view_field_at(&v, 2, &x2), MV_EINDEX,
              "field index out of range");
    CHECK_ERR(mv_view_field_at(&v, -1, &x2), MV_EINDEX,
              "field index out of range");
    CHECK_ERR(mv_fieldref_element(&x, 1, &x2), MV_EINDEX,
              "field element index out of range");
    /* read-only views refuse writes (x stays valid while a view of its
     * format lives: w shares v's compiled format) */
    mv_view w;
    CHECK_OK(mv_view_readonly(&w, &v));
    CHECK_ERR(mv_view_set_field(&w, 0, &x, &nv), MV_ETYPE,
              "cannot modify read-only memory");
    CHECK_OK(mv_view_release(&w));
    /* a reference too large for another view's items is refused */
    view_of(&w, o, mem, 20, "<I", 4);
    CHECK_ERR(mv_view_get_field_any(&w, 0, &x, &val), MV_EVALUE,
              "field reference does not fit the view's items");
    CHECK_OK(mv_view_release(&w));
    CHECK_OK(mv_view_release(&v));
    CHECK_ERR(mv_view_get_field(&v, 0, &id, &val), MV_EVALUE,
              "operation forbidden on released memoryview object");
    mv_owner_release(o);
}

/* Every integer and float load, both byte orders, inline and called. */
static void test_every_load(void **state) {
    (void)state;
    static const struct {
        char code;
        int size, is_float, is_signed;
        mv_load load;
    } c[] = {
        {'b', 1, 0, 1, MV_LOAD_I8},   {'B', 1, 0, 0, MV_LOAD_U8},
        {'h', 2, 0, 1, MV_LOAD_I16},  {'H', 2, 0, 0, MV_LOAD_U16},
        {'i', 4, 0, 1, MV_LOAD_I32},  {'I', 4, 0, 0, MV_LOAD_U32},
        {'q', 8, 0, 1, MV_LOAD_I64},  {'Q', 8, 0, 0, MV_LOAD_U64},
        {'f', 4, 1, 1, MV_LOAD_F32},  {'d', 8, 1, 1, MV_LOAD_F64},
        {'e', 2, 1, 1, MV_LOAD_CALL}, {'?', 1, 0, 0, MV_LOAD_CALL},
    };
    uint64_t seed = 7;
    for (size_t k = 0; k < sizeof c / sizeof c[0]; k++) {
        for (int big = 0; big < 2; big++) {
            char fmt[16];
            snprintf(fmt, sizeof fmt, "T{%cB:pad:%c%c:v:}", big ? '>' : '<',
                     big ? '>' : '<', c[k].code);
            unsigned char mem[4 * 9];
            memset(mem, 0, sizeof mem);
            mv_ssize isz = 1 + c[k].size;
            uint64_t want[4];
            for (int i = 0; i < 4; i++) {
                uint64_t x = tu_rand(&seed);
                if (c[k].code == 'e')
                    x = 0x3c00; /* 1.0 */
                if (c[k].code == '?')
                    x = i & 1;
                if (c[k].is_float && c[k].size == 4) {
                    float f = (float)((int)(x % 2001) - 1000) / 8;
                    uint32_t b;
                    memcpy(&b, &f, 4);
                    x = b;
                } else if (c[k].is_float && c[k].size == 8) {
                    double d = (double)((int)(x % 2001) - 1000) / 8;
                    memcpy(&x, &d, 8);
                }
                want[i] = x;
                (big ? put_be : put_le)(mem + i * isz + 1, x, c[k].size);
            }
            mv_owner *o = tu_wrap(mem, sizeof mem);
            mv_view v;
            view_of(&v, o, mem, 4, fmt, isz);
            mv_fieldref r;
            CHECK_OK(mv_view_field(&v, "v", &r));
            mv_load wl = c[k].load;
            if (wl != MV_LOAD_CALL && big != tu_host_big() && c[k].size > 1)
                wl = (mv_load)(wl + MV_LOAD_SWAPPED);
            CHECK_EQ(r.load, wl);
            for (int i = 0; i < 4; i++) {
                mv_value a, b;
                CHECK_OK(mv_view_get_field(&v, i, &r, &a));
                CHECK_OK(mv_view_get_field_any(&v, i, &r, &b));
                CHECK_TRUE(mv_value_equal(&a, &b));
                uint64_t x = want[i];
                if (c[k].code == 'e') {
                    CHECK_TRUE(a.f == 1.0);
                } else if (c[k].code == '?') {
                    CHECK_EQ(a.i, (int64_t)x);
                } else if (c[k].is_float) {
                    double d;
                    if (c[k].size == 4) {
                        float f;
                        uint32_t b32 = (uint32_t)x;
                        memcpy(&f, &b32, 4);
                        d = f;
                    } else {
                        memcpy(&d, &x, 8);
                    }
                    CHECK_TRUE(a.type == MV_VAL_FLOAT && a.f == d);
                } else if (c[k].is_signed) {
                    int sh = 64 - 8 * c[k].size;
                    int64_t s = (int64_t)(x << sh) >> sh;
                    CHECK_TRUE(a.type == MV_VAL_INT && a.i == s);
                } else {
                    uint64_t m = c[k].size == 8
                                     ? ~(uint64_t)0
                                     : (((uint64_t)1 << (8 * c[k].size)) - 1);
                    CHECK_TRUE(a.type == MV_VAL_UINT && a.u == (x & m));
                }
                /* writing the value read back gives the same bytes */
                unsigned char before[sizeof mem];
                memcpy(before, mem, sizeof mem);
                CHECK_OK(mv_view_set_field(&v, i, &r, &a));
                CHECK_TRUE(memcmp(before, mem, sizeof mem) == 0);
            }
            CHECK_OK(mv_view_release(&v));
            mv_owner_release(o);
        }
    }
}

static void test_nested_and_positions(void **state) {
    (void)state;
    /* a plain top level: fields by position; nested by dotted name */
    unsigned char mem[2 * 11];
    memset(mem, 0, sizeof mem);
    const char *fmt = "<B T{>h:p:(2)<I:q:}:s: x";
    mv_owner *o = tu_wrap(mem, sizeof mem);
    mv_view v;
    view_of(&v, o, mem, 2, fmt, 11);
    CHECK_EQ(v.fmtdesc->itemsize, 12); /* ends with a pad byte... */
    CHECK_OK(mv_view_release(&v));
    fmt = "<B T{>h:p:(2)<I:q:}:s:";
    view_of(&v, o, mem, 2, fmt, 11);
    mv_fieldref b, p, q, q1, s;
    CHECK_OK(mv_view_field_at(&v, 0, &b));
    CHECK_ERR(mv_view_field_at(&v, 1, &s), MV_EVALUE, "field '#1' is a record");
    CHECK_ERR(mv_view_field(&v, "s", &s), MV_EVALUE, "field 's' is a record");
    CHECK_OK(mv_view_field(&v, "s.p", &p));
    CHECK_OK(mv_view_field(&v, "s.q", &q));
    CHECK_EQ(p.offset, 1);
    CHECK_EQ(q.offset, 3);
    CHECK_OK(mv_fieldref_element(&q, 1, &q1));
    CHECK_EQ(q1.offset, 7);
    mv_value x = vint(-2);
    CHECK_OK(mv_view_set_field(&v, 1, &p, &x));
    CHECK_TRUE(memcmp(mem + 11 + 1, "\xff\xfe", 2) == 0);
    x = vuint(0x01020304);
    CHECK_OK(mv_view_set_field(&v, 1, &q1, &x));
    CHECK_TRUE(memcmp(mem + 11 + 7, "\x04\x03\x02\x01", 4) == 0);
    mv_value got;
    CHECK_OK(mv_view_get_field(&v, 1, &q1, &got));
    CHECK_EQ(got.u, 0x01020304);
    CHECK_OK(mv_view_get_field(&v, 1, &p, &got));
    CHECK_EQ(got.i, -2);
    CHECK_OK(mv_view_release(&v));
    /* a format that does not compile */
    view_of(&v, o, mem, 2, "T{<h", 11);
    CHECK_ERR(mv_view_field(&v, "a", &p), MV_ENOTIMPL,
              "memoryview: unsupported format T{<h");
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
}

static void test_field_lookup_errors(void **state) {
    (void)state;
    unsigned char mem[64] = {0};
    mv_owner *o = tu_wrap(mem, sizeof mem);
    mv_view v;
    mv_fieldref r;
    mv_value x;
    /* a single character that does not compile */
    view_of(&v, o, mem, 2, "u", 4);
    CHECK_ERR(mv_view_field(&v, "a", &r), MV_ENOTIMPL,
              "memoryview: format u not supported");
    CHECK_ERR(mv_view_field_at(&v, 0, &r), MV_ENOTIMPL,
              "memoryview: format u not supported");
    CHECK_OK(mv_view_release(&v));
    /* two records an item: names are looked up at the top level */
    view_of(&v, o, mem, 2, "2T{<i:a:}", 8);
    CHECK_ERR(mv_view_field(&v, "a", &r), MV_EVALUE, "no field of name a");
    CHECK_OK(mv_view_release(&v));
    /* a dotted name through a record of several elements */
    view_of(&v, o, mem, 2, "T{(2)T{<i:a:}:s:}", 8);
    CHECK_ERR(mv_view_field(&v, "s.a", &r), MV_EVALUE, "no field of name s.a");
    CHECK_OK(mv_view_release(&v));
    /* fields read through the call: strings, half floats, a strided view */
    memcpy(mem,
           "\x01\x00\x00\x00"
           "abc"
           "\x00\x3c",
           9);
    view_of(&v, o, mem, 1, "<i3se", 9);
    CHECK_OK(mv_view_field_at(&v, 1, &r));
    CHECK_EQ(r.load, MV_LOAD_CALL);
    CHECK_OK(mv_view_get_field(&v, 0, &r, &x));
    CHECK_TRUE(x.type == MV_VAL_BYTES && x.s.len == 3);
    CHECK_OK(mv_view_field_at(&v, 2, &r));
    CHECK_OK(mv_view_get_field(&v, 0, &r, &x));
    CHECK_TRUE(x.f == 1.0);
    CHECK_OK(mv_view_release(&v));
    mv_ssize shape[1] = {2}, strides[1] = {16};
    tu_layout_view(&v, o, mem, 8, "<i", 4, 1, shape, strides, NULL, 0);
    CHECK_OK(mv_view_field_at(&v, 0, &r));
    CHECK_OK(mv_view_get_field(&v, 0, &r, &x)); /* not flat: the call */
    CHECK_EQ(x.i, 1);
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
}

/* References that do not fit a view's items: a field larger than the
 * item, an offset before it (a reference is a caller's struct); element
 * indexes below 0. */
static void test_reference_bounds(void **state) {
    (void)state;
    unsigned char mem[16] = {0};
    mv_owner *o = tu_wrap(mem, sizeof mem);
    mv_view v, w;
    view_of(&v, o, mem, 2, "<2I", 8);
    mv_fieldref r, e;
    CHECK_OK(mv_view_field_at(&v, 0, &r));
    CHECK_ERR(mv_fieldref_element(&r, -1, &e), MV_EINDEX,
              "field element index out of range");
    CHECK_ERR(mv_fieldref_element(&r, 2, &e), MV_EINDEX,
              "field element index out of range");
    CHECK_OK(mv_fieldref_element(&r, 1, &e));
    CHECK_EQ(e.offset, 4);
    mv_value x;
    view_of(&w, o, mem, 8, "<H", 2);
    CHECK_ERR(mv_view_get_field_any(&w, 0, &r, &x), MV_EVALUE,
              "field reference does not fit the view's items");
    CHECK_OK(mv_view_release(&w));
    e.offset = -1;
    CHECK_ERR(mv_view_get_field_any(&v, 0, &e, &x), MV_EVALUE,
              "field reference does not fit the view's items");
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
}

/* The inline read against the call on the same view, for every index
 * from two before the start to two past the end: same status, same value
 * (the call checks the view's shape itself). */
static void same_as_call(const mv_view *v, const mv_fieldref *r, mv_ssize n) {
    for (mv_ssize i = -n - 2; i < n + 2; i++) {
        mv_value a, b;
        memset(&a, 0, sizeof a);
        memset(&b, 0, sizeof b);
        int ra = mv_view_get_field(v, i, r, &a);
        int rb = mv_view_get_field_any(v, i, r, &b);
        CHECK_EQ(ra, rb);
        if (rb == MV_OK)
            CHECK_TRUE(a.type == b.type && a.u == b.u);
    }
}

/* The inline read's one comparison follows the view as it narrows, moves,
 * is sliced, reshaped and released. */
static void test_inline_bound_follows_view(void **state) {
    (void)state;
    unsigned char mem[12 * 4];
    for (int k = 0; k < 12; k++)
        put_le(mem + 4 * k, 100u + (unsigned)k, 4);
    mv_owner *o = tu_wrap(mem, sizeof mem);
    mv_view v, w;
    mv_fieldref r;
    mv_value x;
    view_of(&v, o, mem, 12, "T{<I:a:}", 4);
    CHECK_OK(mv_view_field(&v, "a", &r));
    same_as_call(&v, &r, 12);
    CHECK_OK(mv_view_narrow(&v, 1, MV_END, 1)); /* v = v[1:], inline */
    same_as_call(&v, &r, 12);
    CHECK_OK(mv_view_get_field(&v, 10, &r, &x));
    CHECK_EQ(x.u, 111);
    CHECK_ERR(mv_view_get_field(&v, 11, &r, &x), MV_EINDEX,
              "index out of bounds on dimension 1");
    CHECK_OK(mv_view_narrow(&v, 3, MV_END, 1)); /* v = v[3:], inline */
    same_as_call(&v, &r, 12);
    CHECK_ERR(mv_view_get_field(&v, 8, &r, &x), MV_EINDEX,
              "index out of bounds on dimension 1");
    CHECK_OK(mv_view_narrow(&v, 0, 6, 1)); /* v = v[:6], the call */
    same_as_call(&v, &r, 12);
    CHECK_ERR(mv_view_get_field(&v, 6, &r, &x), MV_EINDEX,
              "index out of bounds on dimension 1");
    CHECK_OK(mv_view_narrow(&v, 0, MV_END, 2)); /* strided: not flat */
    same_as_call(&v, &r, 12);
    CHECK_OK(mv_view_get_field(&v, 2, &r, &x));
    CHECK_EQ(x.u, 108);
    CHECK_OK(mv_view_slice(&w, &v, MV_BEGIN, MV_END, -1));
    same_as_call(&w, &r, 12);
    CHECK_OK(mv_view_release(&w));
    CHECK_OK(mv_view_narrow(&v, 9, MV_END, 1)); /* empty at its end */
    same_as_call(&v, &r, 12);
    CHECK_OK(mv_view_release(&v));
    view_of(&v, o, mem, 12, "T{<I:a:}", 4);
    CHECK_OK(mv_view_field(&v, "a", &r)); /* v's format is a new one */
    mv_view_move(&w, &v);
    same_as_call(&w, &r, 12);
    same_as_call(&v, &r, 12); /* moved from: released */
    CHECK_OK(mv_view_borrow(&v, &w));
    same_as_call(&v, &r, 12);
    CHECK_OK(mv_view_release(&v));
    mv_ssize shape[2] = {3, 4};
    tu_layout_view(&v, o, mem, sizeof mem, "T{<I:a:}", 4, 2, shape, NULL, NULL,
                   0); /* 2-D */
    same_as_call(&v, &r, 12);
    CHECK_OK(mv_view_release(&v));
    CHECK_OK(mv_view_release(&w));
    same_as_call(&w, &r, 12); /* refused before r is read */
    CHECK_ERR(mv_view_get_field(&w, 0, &r, &x), MV_EVALUE,
              "operation forbidden on released memoryview object");
    mv_owner_release(o);
}

/* One naming rule: paths, unique leaves, the unnamed wrapper, positions;
 * mv_view_field, mv_view_field_index and mv_view_field_view agree. */
#define CHECK_STR(a, b) CHECK_TRUE(strcmp((a), (b)) == 0)

static void test_one_naming_rule(void **state) {
    (void)state;
    unsigned char mem[4 * 8] = {0};
    mv_owner *o = tu_wrap(mem, sizeof mem);
    mv_view v, fv;
    mv_fieldref r;
    view_of(&v, o, mem, 4, "T{T{<I:a:<f:b:}:outer:}", 8);
    CHECK_OK(mv_view_field(&v, "outer.b", &r));
    CHECK_EQ(r.offset, 4);
    CHECK_OK(mv_view_field(&v, "b", &r)); /* the one leaf named b */
    CHECK_EQ(r.offset, 4);
    CHECK_EQ(mv_view_field_index(&v, "outer"), 0);
    CHECK_EQ(mv_view_field_index(&v, "b"), -1); /* nested: a view names it */
    CHECK_EQ(mv_view_field_index(&v, "outer.b"), -1);
    CHECK_OK(mv_view_field_view(&fv, &v, "outer.b"));
    CHECK_STR(fv.format, "<f");
    CHECK_OK(mv_view_release(&fv));
    CHECK_ERR(mv_view_field(&v, "outer.c", &r), MV_EVALUE,
              "no field of name outer.c");
    CHECK_ERR(mv_view_field(&v, "outer.a.z", &r), MV_EVALUE,
              "no field of name outer.a.z");
    CHECK_ERR(mv_view_field(&v, "outer", &r), MV_EVALUE,
              "field 'outer' is a record");
    mv_stats s;
    CHECK_ERR(mv_view_stats(&v, &s), MV_ETYPE,
              "cannot reduce a record field: name one of its fields");
    CHECK_OK(mv_view_release(&v));
    /* a leaf name two records share is no name */
    view_of(&v, o, mem, 4, "T{T{<h:x:}:p:T{<h:x:}:q:<i:n:}", 8);
    CHECK_ERR(mv_view_field(&v, "x", &r), MV_EVALUE, "no field of name x");
    CHECK_OK(mv_view_field(&v, "q.x", &r));
    CHECK_EQ(r.offset, 2);
    CHECK_EQ(mv_view_field_index(&v, "n"), 2);
    CHECK_ERR(mv_view_stats(&v, &s), MV_ETYPE,
              "cannot reduce items of format T{T{<h:x:}:p:T{<h:x:}:q:<i:n:}: "
              "they are records of fields 'p', 'q', 'n'; reduce a field "
              "(m['name'])");
    CHECK_OK(mv_view_release(&v));
    /* many long names: the list stops at a line's length */
    view_of(&v, o, mem, 2,
            "T{B:abcdefghijklmnopqrstuvwxyz0123456789:"
            "B:bbcdefghijklmnopqrstuvwxyz0123456789:"
            "B:cbcdefghijklmnopqrstuvwxyz0123456789:"
            "B:dbcdefghijklmnopqrstuvwxyz0123456789:}",
            4);
    CHECK_STATUS(mv_view_stats(&v, &s), MV_ETYPE);
    CHECK_TRUE(strstr(mv_errmsg(), "'cbcdefghijklmnopqrstuvwxyz0123456789'"));
    CHECK_TRUE(!strstr(mv_errmsg(), "'dbcdefghijklmnopqrstuvwxyz0123456789'"));
    CHECK_OK(mv_view_release(&v));
    /* unnamed fields are listed empty */
    view_of(&v, o, mem, 4, "<i<f", 8);
    CHECK_ERR(mv_view_stats(&v, &s), MV_ETYPE,
              "cannot reduce items of format <i<f: they are records of "
              "fields '', ''; reduce a field (m['name'])");
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
}

/* Field views: format, shape, strides, memory, writability, chaining,
 * the dimensions a field adds, indirect views, and the refusals. */
static void test_field_views(void **state) {
    (void)state;
    /* 4 records of 24 bytes: <i a, then T{>h x, 2s s} p at 4, pad to 8,
     * (2,3)<B m at 8, 2<h r at 14, <d? no: 6 bytes pad to 24 */
    unsigned char mem[4 * 24];
    for (int i = 0; i < (int)sizeof mem; i++)
        mem[i] = (unsigned char)i;
    mv_owner *o = tu_wrap(mem, sizeof mem);
    mv_view v, f, g;
    view_of(&v, o, mem, 4, "T{<i:a:T{>h:x:2s:s:}:p:(2,3)B:m:<2h:r:6x}", 24);
    /* a scalar field */
    CHECK_OK(mv_view_field_view(&f, &v, "a"));
    CHECK_STR(f.format, "<i");
    CHECK_EQ(f.ndim, 1);
    CHECK_EQ(f.shape[0], 4);
    CHECK_EQ(f.strides[0], 24);
    CHECK_EQ(f.itemsize, 4);
    CHECK_EQ(f.nbytes, 16);
    CHECK_TRUE(f.buf == (char *)mem);
    CHECK_TRUE(!(f.flags & MV_READONLY));
    mv_value x = {.type = MV_VAL_INT, .i = -5};
    CHECK_OK(mv_view_set(&f, 1, &x));
    CHECK_TRUE(memcmp(mem + 24, "\xfb\xff\xff\xff", 4) == 0);
    CHECK_OK(mv_view_release(&f));
    /* a record field, and a field of it */
    CHECK_OK(mv_view_field_view(&f, &v, "p"));
    CHECK_STR(f.format, "T{>h:x:2s:s:}");
    CHECK_EQ(f.itemsize, 4);
    CHECK_TRUE(f.buf == (char *)mem + 4);
    CHECK_OK(mv_view_field_view(&g, &f, "s"));
    CHECK_STR(g.format, "2s");
    CHECK_TRUE(g.buf == (char *)mem + 6);
    CHECK_EQ(g.strides[0], 24);
    CHECK_OK(mv_view_release(&g));
    CHECK_OK(mv_view_field_view(&g, &f, "x"));
    CHECK_STR(g.format, ">h");
    CHECK_OK(mv_view_release(&g));
    CHECK_OK(mv_view_release(&f));
    /* a shape adds dimensions, C order inside the field */
    CHECK_OK(mv_view_field_view(&f, &v, "m"));
    CHECK_EQ(f.ndim, 3);
    CHECK_EQ(f.shape[1], 2);
    CHECK_EQ(f.shape[2], 3);
    CHECK_EQ(f.strides[1], 3);
    CHECK_EQ(f.strides[2], 1);
    CHECK_EQ(f.nbytes, 24);
    CHECK_OK(mv_view_release(&f));
    /* and so does a repeat count */
    CHECK_OK(mv_view_field_view(&f, &v, "r"));
    CHECK_EQ(f.ndim, 2);
    CHECK_EQ(f.shape[1], 2);
    CHECK_EQ(f.strides[1], 2);
    CHECK_STR(f.format, "<h");
    CHECK_OK(mv_view_release(&f));
    /* a read-only, reversed source */
    mv_view rv;
    CHECK_OK(mv_view_readonly(&rv, &v));
    CHECK_OK(mv_view_narrow(&rv, -1, -5, -1));
    CHECK_OK(mv_view_field_view(&f, &rv, "p.x"));
    CHECK_TRUE(f.flags & MV_READONLY);
    CHECK_EQ(f.strides[0], -24);
    CHECK_TRUE(f.buf == (char *)mem + 72 + 4);
    CHECK_OK(mv_view_release(&f));
    CHECK_OK(mv_view_release(&rv));
    /* refusals */
    CHECK_ERR(mv_view_field_view(&f, &v, "zz"), MV_EVALUE,
              "no field of name zz");
    CHECK_TRUE(mv_view_is_released(&f));
    CHECK_OK(mv_view_field_view(&f, &v, "a"));
    CHECK_ERR(mv_view_field_view(&g, &f, "a"), MV_ETYPE,
              "format <i has no fields");
    CHECK_OK(mv_view_release(&f));
    CHECK_OK(mv_view_release(&v));
    CHECK_ERR(mv_view_field_view(&f, &v, "a"), MV_EVALUE,
              "operation forbidden on released memoryview object");
    view_of(&v, o, mem, 4, "u", 24); /* does not compile */
    CHECK_ERR(mv_view_field_view(&f, &v, "a"), MV_ETYPE,
              "format u has no fields");
    CHECK_OK(mv_view_release(&v));
    view_of(&v, o, mem, 4, "2T{<i:a:}", 8); /* two records: no wrapper */
    CHECK_ERR(mv_view_field_view(&f, &v, "a"), MV_EVALUE, "no field of name a");
    CHECK_OK(mv_view_release(&v));
    view_of(&v, o, mem, 4, "8x", 8); /* padding: no field at all */
    CHECK_ERR(mv_view_field_view(&f, &v, "a"), MV_ETYPE,
              "format 8x has no fields");
    CHECK_OK(mv_view_release(&v));
    view_of(&v, o, mem, 4, "<q", 8); /* one number: no record */
    CHECK_ERR(mv_view_field_view(&f, &v, "a"), MV_ETYPE,
              "format <q has no fields");
    CHECK_OK(mv_view_release(&v));
    view_of(&v, o, mem, 4, "<i:a:<f:b:", 8); /* fields without T{} */
    CHECK_OK(mv_view_field_view(&f, &v, "b"));
    CHECK_STR(f.format, "<f");
    CHECK_OK(mv_view_release(&f));
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
}

/* The formats a field view's items get: native, complex, Pascal strings,
 * padding inside a record field; a packed record field; too many
 * dimensions; an indirect source. */
static void test_field_view_formats(void **state) {
    (void)state;
    unsigned char mem[4 * 48] = {0};
    mv_owner *o = tu_wrap(mem, sizeof mem);
    mv_view v, f;
    view_of(&v, o, mem, 4,
            "T{i:n:<Zd:z:3p:s:T{<b:c:3x<i:d:2x(2,1)<h<3b4s:w:3x}:r:}", 47);
    CHECK_OK(mv_view_field_view(&f, &v, "n"));
    CHECK_STR(f.format, "i");
    CHECK_OK(mv_view_release(&f));
    CHECK_OK(mv_view_field_view(&f, &v, "z"));
    CHECK_STR(f.format, "<Zd");
    CHECK_EQ(f.itemsize, 16);
    CHECK_OK(mv_view_release(&f));
    CHECK_OK(mv_view_field_view(&f, &v, "s"));
    CHECK_STR(f.format, "3p");
    CHECK_OK(mv_view_release(&f));
    CHECK_OK(mv_view_field_view(&f, &v, "r"));
    CHECK_STR(f.format, "T{<b:c:3x<i:d:2x(2,1)<h<3b4s:w:3x}");
    CHECK_EQ(f.itemsize, 24);
    CHECK_OK(mv_view_release(&f));
    CHECK_OK(mv_view_release(&v));
    view_of(&v, o, mem, 4, "T{T{Zf:z:}:r:}", 8); /* native, in a record */
    CHECK_OK(mv_view_field_view(&f, &v, "r"));
    CHECK_STR(f.format, "T{=Zf:z:}");
    CHECK_OK(mv_view_release(&f));
    CHECK_OK(mv_view_release(&v));
    view_of(&v, o, mem, 4, "T{Zf:z:}", 8); /* native complex */
    CHECK_OK(mv_view_field_view(&f, &v, "z"));
    CHECK_STR(f.format, "@Zf");
    CHECK_OK(mv_view_release(&f));
    CHECK_OK(mv_view_release(&v));
    /* items smaller than the aligned format: compiled packed; a record
     * field keeps its offsets where its fields have standard sizes ('='),
     * and cannot where one has a native size only ('n' aligns) */
    view_of(&v, o, mem, 4, "T{b:a:T{b:x:i:y:}:s:}", 6);
    CHECK_OK(mv_view_field_view(&f, &v, "s"));
    CHECK_STR(f.format, "T{=b:x:=i:y:}");
    CHECK_EQ(f.itemsize, 5);
    CHECK_OK(mv_view_release(&f));
    CHECK_OK(mv_view_release(&v));
    mv_ssize nsize = 2 + (mv_ssize)sizeof(ptrdiff_t);
    view_of(&v, o, mem, 4, "T{b:a:T{b:x:n:y:}:s:}", nsize);
    CHECK_ERR(mv_view_field_view(&f, &v, "s"), MV_ENOTIMPL,
              "cannot view field s of format T{b:a:T{b:x:n:y:}:s:}");
    CHECK_OK(mv_view_field_view(&f, &v, "s.y"));
    CHECK_TRUE(f.buf == (char *)mem + 2);
    CHECK_OK(mv_view_release(&f));
    CHECK_OK(mv_view_release(&v));
    /* a field's dimensions must fit beside the view's */
    mv_ssize shape[MV_MAXDIM], sub[2] = {0, -1},
                               strides[2] = {(mv_ssize)sizeof(char *), 8};
    for (int i = 0; i < MV_MAXDIM; i++)
        shape[i] = 1;
    tu_layout_view(&v, o, mem, 8, "T{(2)<i:a:}", 8, MV_MAXDIM, shape, NULL,
                   NULL, 0);
    CHECK_ERR(mv_view_field_view(&f, &v, "a"), MV_EVALUE,
              "field a adds too many dimensions");
    CHECK_OK(mv_view_release(&v));
    /* indirect: the offset goes to the last indirect dimension */
    char *rows[2] = {(char *)mem, (char *)mem + 64};
    mem[64 + 8 + 4] = 7;
    shape[0] = 2;
    shape[1] = 2;
    tu_layout_view(&v, o, rows, 32, "T{<i:a:<i:b:}", 8, 2, shape, strides, sub,
                   0);
    CHECK_OK(mv_view_field_view(&f, &v, "b"));
    CHECK_TRUE(f.suboffsets != NULL);
    CHECK_EQ(f.suboffsets[0], 4);
    CHECK_EQ(f.suboffsets[1], -1);
    CHECK_TRUE(f.buf == (char *)rows);
    mv_value x;
    mv_ssize at[2] = {1, 1};
    CHECK_OK(mv_view_getn(&f, at, 2, &x));
    CHECK_EQ(x.i, 7);
    CHECK_OK(mv_view_release(&f));
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
}

/* Complex sums part by part, in either byte order, through records and
 * repeat counts; refusals. */
static void test_complex_stats(void **state) {
    (void)state;
    double mem[4 * 4];
    for (int i = 0; i < 16; i++)
        mem[i] = i * 0.5;
    mv_owner *o = tu_wrap(mem, sizeof mem);
    mv_view v, r;
    mv_stats re, im;
    view_of(&v, o, mem, 8, "Zd", 16);
    CHECK_OK(mv_view_stats_complex(&v, NULL, NULL)); /* a check only */
    CHECK_OK(mv_view_stats_complex(&v, &re, &im));
    CHECK_EQ(re.count, 8);
    CHECK_TRUE(re.sum == 0 + 1 + 2 + 3 + 4 + 5 + 6 + 7);
    CHECK_TRUE(im.sum == 0.5 + 1.5 + 2.5 + 3.5 + 4.5 + 5.5 + 6.5 + 7.5);
    CHECK_OK(mv_view_release(&v));
    view_of(&v, o, mem, 4, "T{2Zd:z:}", 32); /* two a record */
    CHECK_OK(mv_view_stats_complex(&v, &re, &im));
    CHECK_EQ(re.count, 8);
    CHECK_TRUE(re.sum == 28.0 && im.sum == 32.0);
    CHECK_OK(mv_view_readonly(&r, &v));
    CHECK_OK(mv_view_release(&v));
    CHECK_OK(mv_view_narrow(&r, 0, 0, 1)); /* empty */
    CHECK_OK(mv_view_stats_complex(&r, &re, &im));
    CHECK_EQ(re.count, 0);
    CHECK_TRUE(isnan(re.mean));
    CHECK_OK(mv_view_release(&r));
    /* the other byte order */
    unsigned char be[16] = {0x3f, 0xf0, 0, 0, 0, 0, 0, 0,  /* 1.0 */
                            0x40, 0,    0, 0, 0, 0, 0, 0}; /* 2.0 */
    mv_owner *o2 = tu_wrap(be, sizeof be);
    view_of(&v, o2, be, 1, ">Zd", 16);
    CHECK_OK(mv_view_stats_complex(&v, &re, &im));
    CHECK_TRUE(re.sum == 1.0 && im.sum == 2.0);
    be[0] = 0x7f; /* the real part NaN: both means NaN */
    be[1] = 0xf8;
    CHECK_OK(mv_view_stats_complex(&v, &re, &im));
    CHECK_TRUE(isnan(re.sum) && im.sum == 2.0);
    CHECK_TRUE(isnan(re.mean) && isnan(im.mean));
    be[0] = 0x3f;
    be[1] = 0xf0;
    be[8] = 0x7f; /* the imaginary part NaN */
    be[9] = 0xf8;
    CHECK_OK(mv_view_stats_complex(&v, &re, &im));
    CHECK_TRUE(isnan(re.mean) && re.sum == 1.0);
    CHECK_TRUE(isnan(im.mean));
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o2);
    /* refusals */
    view_of(&v, o, mem, 16, "<d", 8);
    CHECK_ERR(mv_view_stats_complex(&v, &re, &im), MV_ETYPE,
              "format <d is not of complex numbers");
    CHECK_OK(mv_view_release(&v));
    view_of(&v, o, mem, 4, "T{Zd:a:Zd:b:}", 32);
    CHECK_ERR(mv_view_stats_complex(&v, &re, &im), MV_ETYPE,
              "format T{Zd:a:Zd:b:} is not of complex numbers");
    CHECK_OK(mv_view_release(&v));
    view_of(&v, o, mem, 4, "u", 32); /* no compiled format */
    CHECK_ERR(mv_view_stats_complex(&v, &re, &im), MV_ETYPE,
              "format u is not of complex numbers");
    CHECK_OK(mv_view_release(&v));
    view_of(&v, o, mem, 4, "Zd", 32); /* items larger than the format */
    CHECK_ERR(mv_view_stats_complex(&v, &re, &im), MV_ETYPE,
              "format Zd is not of complex numbers");
    CHECK_OK(mv_view_release(&v));
    CHECK_ERR(mv_view_stats_complex(&v, &re, &im), MV_EVALUE,
              "operation forbidden on released memoryview object");
    mv_owner_release(o);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_record_fields_by_name),
        cmocka_unit_test(test_one_naming_rule),
        cmocka_unit_test(test_field_views),
        cmocka_unit_test(test_field_view_formats),
        cmocka_unit_test(test_complex_stats),
        cmocka_unit_test(test_every_load),
        cmocka_unit_test(test_nested_and_positions),
        cmocka_unit_test(test_field_lookup_errors),
        cmocka_unit_test(test_reference_bounds),
        cmocka_unit_test(test_inline_bound_follows_view),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
