/*
 * test_struct.c -- the format engine: compiling struct-module and PEP 3118
 * formats, their fields, reading and writing fields and whole items.
 *
 * Sizes and offsets are those struct.calcsize gives on x86-64 / aarch64
 * Linux (checked at the top of main for the sizes that matter).
 */
#include <math.h>

#include "test_util.h"

static const mv_format *compile(const char *fmt) {
    const mv_format *f = NULL;
    CHECK_OK(mv_format_compile(&f, fmt));
    CHECK_TRUE(f != NULL);
    return f;
}

static void test_native_formats_are_static(void **state) {
    (void)state;
    const char *natives = "cbB?hHiIlLqQnNefdP";
    for (const char *c = natives; *c; c++) {
        char plain[2] = {*c, 0}, at[3] = {'@', *c, 0};
        const mv_format *a = compile(plain), *b = compile(at);
        CHECK_TRUE(a == b);
        CHECK_EQ(a->native, *c);
        CHECK_EQ(a->itemsize, mv_format_itemsize(plain));
        CHECK_EQ(a->nfields, 1);
        CHECK_EQ(a->units, 1);
        CHECK_EQ(a->fields[0].offset, 0);
        CHECK_EQ(a->fields[0].swap, 0);
        CHECK_TRUE(mv_format_retain(a) == a);
        mv_format_release(a);
        mv_format_release(b);
    }
    /* "B" is the default */
    const mv_format *d = NULL;
    CHECK_OK(mv_format_compile(&d, NULL));
    CHECK_EQ(d->native, 'B');
}

struct size_case {
    const char *fmt;
    mv_ssize size, units, nvalues;
    int nfields;
};

static void test_sizes(void **state) {
    (void)state;
    static const struct size_case cases[] = {
        {"", 0, 0, 0, 0},
        {"<ih", 6, 2, 2, 2},
        {"@hi", 8, 2, 2, 2},
        {"hi", 8, 2, 2, 2},
        {"=hi", 6, 2, 2, 2},
        {"@bq", 16, 2, 2, 2},
        {"!bq", 9, 2, 2, 2},
        {"^bq", 9, 2, 2, 2},
        {"3s", 3, 1, 1, 1},
        {"0s", 0, 1, 1, 1},
        {"3x", 3, 0, 0, 0},
        {"<5p", 5, 1, 1, 1},
        {"2i", 8, 2, 2, 1},
        {"0i", 0, 0, 0, 1},
        {"@c?d", 16, 3, 3, 3},
        {"ix", 5, 1, 1, 1},
        {"<i 2h\t?", 9, 4, 4, 3},
        {"<Zd", 16, 1, 1, 1},
        {"Zf", 8, 1, 1, 1},
        {"T{<I:id:<f:x:}", 8, 1, 2, 1},
        {"T{B:a:<i:b:}", 5, 1, 2, 1},
        {"T{b:a:i:b:}", 8, 1, 2, 1},   /* aligned as a C struct */
        {"T{i:a:b:b:}", 8, 1, 2, 1},   /* with trailing padding */
        {"bT{b:a:i:b:}", 12, 2, 3, 2}, /* the record aligned to 4 */
        {"(2,3)<f", 24, 1, 6, 1},
        {"(3)<2h", 12, 2, 6, 1},
        {"T{<i:a:(2)<h:b:T{<d:c:}:s:}", 16, 1, 4, 1},
        {"2T{<i:a:<i:b:}", 16, 2, 4, 1},
        {"(2)3s", 6, 1, 2, 1},
        {"T{}", 0, 1, 0, 1},
        {"1048576T{}", 0, 1048576, 0, 1},
        /* every white space struct skips: ' ', \t, \n, \r, \v, \f */
        {" \t\n\r\v\fi", 4, 1, 1, 1},
        {"( 2 ,\t3\n)B", 6, 1, 6, 1},
        {"x:pad:B", 2, 1, 1, 1}, /* padding may be named; it is no field */
        {"T{T{B}}T{B}", 2, 2, 2, 2},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct size_case *c = &cases[i];
        const mv_format *f = compile(c->fmt);
        if (f->itemsize != c->size || f->units != c->units ||
            f->nvalues != c->nvalues || f->nfields != c->nfields)
            fail_msg("%s: size %td units %td nvalues %td nfields %d", c->fmt,
                     f->itemsize, f->units, f->nvalues, f->nfields);
        CHECK_TRUE(strcmp(f->text, c->fmt) == 0);
        mv_format_release(f);
    }
}

static void test_fields(void **state) {
    (void)state;
    const mv_format *f = compile("T{<I:id:>f:x:(2,3)=h:m:T{Zd:z:}:sub:}");
    CHECK_EQ(f->nfields, 1);
    CHECK_EQ(f->depth, 2);
    const mv_field *r = &f->fields[0];
    CHECK_EQ(r->kind, MV_KIND_RECORD);
    CHECK_EQ(r->code, 'T');
    const mv_format *s = r->sub;
    CHECK_EQ(s->nfields, 4);
    CHECK_EQ(mv_format_field_index(s, "id"), 0);
    CHECK_EQ(mv_format_field_index(s, "x"), 1);
    CHECK_EQ(mv_format_field_index(s, "m"), 2);
    CHECK_EQ(mv_format_field_index(s, "sub"), 3);
    CHECK_EQ(mv_format_field_index(s, "nope"), -1);
    const mv_field *id = &s->fields[0], *x = &s->fields[1], *m = &s->fields[2];
    CHECK_TRUE(strcmp(id->name, "id") == 0);
    CHECK_EQ(id->offset, 0);
    CHECK_EQ(id->size, 4);
    CHECK_EQ(id->order, '<');
    CHECK_EQ(id->swap, tu_host_big()); /* '<' */
    CHECK_EQ(id->ncode, 'I');
    CHECK_EQ(id->kind, MV_KIND_UINT);
    CHECK_EQ(x->offset, 4);
    CHECK_EQ(x->order, '>');
    CHECK_EQ(x->swap, !tu_host_big());
    CHECK_EQ(x->ncode, 'f');
    CHECK_EQ(m->offset, 8);
    CHECK_EQ(m->ndim, 2);
    CHECK_EQ(m->shape[0], 2);
    CHECK_EQ(m->shape[1], 3);
    CHECK_EQ(m->count, 6);
    CHECK_EQ(m->units, 1);
    CHECK_EQ(m->std, 1);
    const mv_field *z = &s->fields[3];
    /* '=' lasts to the end of the record: Zd at standard size, no pad */
    CHECK_EQ(z->offset, 20);
    CHECK_EQ(z->sub->fields[0].kind, MV_KIND_COMPLEX);
    CHECK_EQ(z->sub->fields[0].offset, 0);
    CHECK_EQ(z->sub->fields[0].std, 1); /* '=' goes on into the record */
    CHECK_EQ(f->itemsize, 36);
    /* '<l' reads as a 4-byte int, '@l' as a long */
    const mv_format *l = compile("<l@l");
    CHECK_EQ(l->fields[0].ncode, 'i');
    CHECK_EQ(l->fields[0].size, 4);
    CHECK_EQ(l->fields[1].ncode, 'l');
    CHECK_EQ(l->fields[1].offset, (mv_ssize) _Alignof(long));
    mv_format_release(l);
    mv_format_release(f);
}

static void test_errors(void **state) {
    (void)state;
    static const struct {
        const char *fmt, *msg;
    } cases[] = {
        {"3", "repeat count given without format specifier"},
        {"i3", "repeat count given without format specifier"},
        {"y", "bad char in struct format"},
        {"<P", "bad char in struct format"},
        {">n", "bad char in struct format"},
        {"Zq", "bad char in struct format"},
        {"Z", "bad char in struct format"},
        {"T", "bad char in struct format"},
        {"Ti", "bad char in struct format"},
        {"i}", "bad char in struct format"},
        {"3 i", "bad char in struct format"},
        {"T{i", "unmatched '{' in format"},
        {"T{T{i}", "unmatched '{' in format"},
        {"(2,3", "bad shape in format"},
        {"(2,)i", "bad shape in format"},
        {"()i", "bad shape in format"},
        {"(a)i", "bad shape in format"},
        {"i:a", "unterminated field name in format"},
        {"T{i:a}", "unterminated field name in format"},
        {"99999999999999999999i", "total struct size too long"},
        {"9223372036854775807q", "total struct size too long"},
        {"4611686018427387904i", "total struct size too long"},
        {"9223372036854775807s9223372036854775807s",
         "total struct size too long"},
        {"(4611686018427387904,4)i", "total struct size too long"},
        {"(3037000500,3037000500)0s", "total struct size too long"},
        {"9223372036854775807x9x", "total struct size too long"},
        {"9223372036854775807c@i", "total struct size too long"},
        {"4611686018427387904T{<h}", "total struct size too long"},
        /* each overflow check of the parser, in turn */
        {"9223372036854775808B", "total struct size too long"},
        {"(99999999999999999999)B", "total struct size too long"},
        {"(4294967296,4294967296)B", "total struct size too long"},
        {"(4611686018427387904,1,1)B", "total struct size too long"},
        {"(2)4611686018427387904x", "total struct size too long"},
        {"(4611686018427387904)4B", "total struct size too long"},
        {"B9223372036854775807B", "total struct size too long"},
        {"9223372036854775807T{0s0s}", "total struct size too long"},
        {"(4611686018427387904)0s(4611686018427387904)0s",
         "total struct size too long"},
        {"4611686018427387904T{T{T{}}}", "total struct size too long"},
        {"3000000000000000000T{T{}}3000000000000000000T{T{}}",
         "total struct size too long"},
        {"(2,0)9223372036854775807B", "total struct size too long"},
        {"(1,0)4611686018427387903B(1,0)4611686018427387903B",
         "total struct size too long"},
        {"1000000000000T{}", "format has too many empty elements"},
        {"(1000000,1000000)0s", "format has too many empty elements"},
        {"1048577T{}", "format has too many empty elements"},
        /* no element, but a walk of it opens 2^46 lists (found by fuzzing) */
        {"(46116260184240,1,0,1,1,1,1,1,1,0)0s",
         "format has too many empty elements"},
        {"(1048577,0)i", "format has too many empty elements"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const mv_format *f = (const mv_format *)&f;
        CHECK_ERR(mv_format_compile(&f, cases[i].fmt), MV_EVALUE, cases[i].msg);
        CHECK_TRUE(f == (const mv_format *)&f); /* untouched on failure */
    }
    /* nesting: 64 levels compile, 65 do not */
    char deep[1024];
    for (int n = 64; n <= 65; n++) {
        char *p = deep;
        for (int k = 0; k < n; k++)
            p += sprintf(p, "T{");
        *p++ = 'i';
        for (int k = 0; k < n; k++)
            *p++ = '}';
        *p = '\0';
        const mv_format *f = NULL;
        if (n == 64) {
            CHECK_OK(mv_format_compile(&f, deep));
            CHECK_EQ(f->depth, 64);
            CHECK_EQ(f->itemsize, 4);
            mv_format_release(f);
        } else {
            CHECK_ERR(mv_format_compile(&f, deep), MV_EVALUE,
                      "format nests records too deeply");
        }
    }
    /* 64 dimensions in a field's shape compile, 65 do not */
    char shape[512], *p = shape;
    *p++ = '(';
    for (int k = 0; k < 65; k++)
        p += sprintf(p, k ? ",1" : "1");
    strcpy(p, ")i");
    const mv_format *f = NULL;
    CHECK_ERR(mv_format_compile(&f, shape), MV_EVALUE, "bad shape in format");
    memmove(shape + 1, shape + 3, strlen(shape + 3) + 1); /* drop "1," */
    CHECK_OK(mv_format_compile(&f, shape));
    CHECK_EQ(f->fields[0].ndim, 64);
    mv_format_release(f);
}

static int set_(const mv_field *f, void *item, mv_ssize k, mv_value v) {
    return mv_field_set(f, item, k, &v);
}

static void test_field_get_set(void **state) {
    (void)state;
    const mv_format *f = compile(">I<h=?Zf>Zd3s4p>e");
    unsigned char item[64];
    memset(item, 0xee, sizeof item);
    CHECK_EQ(f->itemsize, 4 + 2 + 1 + 8 + 16 + 3 + 4 + 2);
    const mv_field *fd = f->fields;
    mv_value v;
    CHECK_OK(set_(&fd[0], item, 0, vuint(0x01020304)));
    CHECK_TRUE(memcmp(item, "\x01\x02\x03\x04", 4) == 0);
    CHECK_OK(mv_field_get(&fd[0], item, 0, &v));
    CHECK_EQ(v.type, MV_VAL_UINT);
    CHECK_EQ(v.u, 0x01020304);
    CHECK_OK(set_(&fd[1], item, 0, vint(-2)));
    CHECK_TRUE(memcmp(item + 4, "\xfe\xff", 2) == 0);
    CHECK_OK(mv_field_get(&fd[1], item, 0, &v));
    CHECK_EQ(v.i, -2);
    CHECK_OK(set_(&fd[2], item, 0, vint(5)));
    CHECK_EQ(item[6], 1);
    CHECK_OK(mv_field_get(&fd[2], item, 0, &v));
    CHECK_EQ(v.type, MV_VAL_BOOL);
    mv_value z = {.type = MV_VAL_COMPLEX, .z = {1.5, -2.25}};
    CHECK_OK(mv_field_set(&fd[3], item, 0, &z));
    CHECK_OK(mv_field_get(&fd[3], item, 0, &v));
    CHECK_EQ(v.type, MV_VAL_COMPLEX);
    CHECK_TRUE(v.z.re == 1.5 && v.z.im == -2.25);
    CHECK_OK(mv_field_set(&fd[4], item, 0, &z));
    CHECK_TRUE(memcmp(item + 15, "\x3f\xf8\0\0\0\0\0\0", 8) == 0);
    CHECK_OK(mv_field_get(&fd[4], item, 0, &v));
    CHECK_TRUE(v.z.re == 1.5 && v.z.im == -2.25);
    CHECK_OK(set_(&fd[4], item, 0, vint(3))); /* int -> 3+0j */
    CHECK_OK(mv_field_get(&fd[4], item, 0, &v));
    CHECK_TRUE(v.z.re == 3.0 && v.z.im == 0.0);
    /* 's' pads with zeros and truncates */
    CHECK_OK(set_(&fd[5], item, 0, vbytes("a", 1)));
    CHECK_TRUE(memcmp(item + 31, "a\0\0", 3) == 0);
    CHECK_OK(set_(&fd[5], item, 0, vbytes("abcdef", 6)));
    CHECK_TRUE(memcmp(item + 31, "abc", 3) == 0);
    CHECK_OK(mv_field_get(&fd[5], item, 0, &v));
    CHECK_EQ(v.s.len, 3);
    CHECK_TRUE(v.s.ptr == (const char *)item + 31); /* no copy */
    /* 'p': a length byte, at most size - 1 bytes */
    CHECK_OK(set_(&fd[6], item, 0, vbytes("abcdef", 6)));
    CHECK_TRUE(memcmp(item + 34,
                      "\x03"
                      "abc",
                      4) == 0);
    CHECK_OK(set_(&fd[6], item, 0, vbytes("x", 1)));
    CHECK_TRUE(memcmp(item + 34, "\x01x\0\0", 4) == 0);
    CHECK_OK(mv_field_get(&fd[6], item, 0, &v));
    CHECK_EQ(v.s.len, 1);
    item[34] = 200; /* a length past the field reads as size - 1 */
    CHECK_OK(mv_field_get(&fd[6], item, 0, &v));
    CHECK_EQ(v.s.len, 3);
    CHECK_OK(set_(&fd[7], item, 0, vfloat(1.0)));
    CHECK_TRUE(memcmp(item + 38, "\x3c\x00", 2) == 0);
    /* refused values write nothing, with the builtin's wording */
    unsigned char before[64];
    memcpy(before, item, sizeof item);
    CHECK_ERR(set_(&fd[0], item, 0, vint(-1)), MV_EVALUE,
              "memoryview: invalid value for format '>I'");
    CHECK_ERR(set_(&fd[1], item, 0, vint(40000)), MV_EVALUE,
              "memoryview: invalid value for format '<h'");
    CHECK_ERR(set_(&fd[1], item, 0, vfloat(1.0)), MV_ETYPE,
              "memoryview: invalid type for format '<h'");
    CHECK_ERR(set_(&fd[4], item, 0, vbytes("a", 1)), MV_ETYPE,
              "memoryview: invalid type for format '>Zd'");
    CHECK_ERR(set_(&fd[5], item, 0, vint(1)), MV_ETYPE,
              "memoryview: invalid type for format '>3s'");
    CHECK_ERR(set_(&fd[7], item, 0, vfloat(1e6)), MV_EVALUE,
              "memoryview: invalid value for format '>e'");
    CHECK_ERR(mv_field_get(&fd[0], item, 1, &v), MV_EINDEX,
              "field element index out of range");
    CHECK_ERR(set_(&fd[0], item, -1, vint(1)), MV_EINDEX,
              "field element index out of range");
    CHECK_TRUE(memcmp(before, item, sizeof item) == 0);
    mv_format_release(f);
}

/* A walker that spells what it sees: "(1,(2,3))". */
typedef struct spell {
    char buf[256];
    size_t n;
} spell;

static int sp_begin(void *ctx, int depth, mv_ssize n) {
    (void)depth;
    (void)n;
    spell *s = ctx;
    s->n += (size_t)snprintf(s->buf + s->n, sizeof s->buf - s->n, "(");
    return MV_OK;
}
static int sp_item(void *ctx, const mv_value *v) {
    spell *s = ctx;
    char *b = s->buf + s->n;
    size_t room = sizeof s->buf - s->n;
    int k;
    switch (v->type) {
    case MV_VAL_INT: k = snprintf(b, room, "%lld,", (long long)v->i); break;
    case MV_VAL_UINT:
        k = snprintf(b, room, "%llu,", (unsigned long long)v->u);
        break;
    case MV_VAL_FLOAT: k = snprintf(b, room, "%g,", v->f); break;
    case MV_VAL_BYTES:
        k = snprintf(b, room, "'%.*s',", (int)v->s.len, v->s.ptr);
        break;
    default: k = snprintf(b, room, "?,"); break;
    }
    s->n += (size_t)k;
    return MV_OK;
}
static int sp_end(void *ctx, int depth) {
    (void)depth;
    spell *s = ctx;
    s->n += (size_t)snprintf(s->buf + s->n, sizeof s->buf - s->n, "),");
    return MV_OK;
}

static void check_walk(const char *fmt, const void *item, const char *want) {
    const mv_format *f = compile(fmt);
    spell s = {{0}, 0};
    mv_walker w = {sp_begin, sp_item, sp_end, NULL};
    CHECK_OK(mv_item_walk(f, item, &w, &s));
    if (strcmp(s.buf, want) != 0)
        fail_msg("%s: walked %s, want %s", fmt, s.buf, want);
    mv_format_release(f);
}

static void test_item_walk(void **state) {
    (void)state;
    /* little-endian items, as the formats say */
    unsigned char i3[12];
    tu_put(i3, 7, 4, '<');
    tu_put(i3 + 4, (uint64_t)-8, 4, '<');
    tu_put(i3 + 8, 9, 4, '<');
    check_walk("<i", i3, "7,");
    check_walk("<2i", i3, "(7,-8,),");
    check_walk("<ih", i3, "(7,-8,),");
    check_walk("3s", "abc", "'abc',");
    check_walk("3sx", "abcd", "'abc',");
    check_walk("T{<i:a:}", i3, "(7,),");
    check_walk("T{<i:a:<i:b:}", i3, "(7,-8,),");
    check_walk("(3)<i", i3, "(7,-8,9,),");
    check_walk("(1,3)<i", i3, "((7,-8,9,),),");
    check_walk("<i(2)<i", i3, "(7,(-8,9,),),");
    check_walk("T{<i:a:T{<i:b:<i:c:}:s:}", i3, "(7,(-8,9,),),");
    check_walk("2T{<i}<i", i3, "((7,),(-8,),9,),");
    check_walk("T{}", i3, "(),");
    check_walk("", i3, "(),");
}

/* A source that hands out the values of a fixed list, checking that the
 * sequence sizes asked for are those listed ('(' then n). */
typedef struct src {
    const mv_value *vals;
    const mv_ssize *seqs; /* sizes begin() must see, in order */
    int nv, ns, iv, is, fail_at;
} src;

static int src_begin(void *ctx, int depth, mv_ssize n) {
    (void)depth;
    src *s = ctx;
    if (s->is >= s->ns || s->seqs[s->is++] != n)
        return mv_error(MV_ETYPE, "wrong sequence");
    return MV_OK;
}
static int src_value(void *ctx, const mv_field *field, mv_value *out) {
    (void)field;
    src *s = ctx;
    if (s->iv == s->fail_at || s->iv >= s->nv)
        return mv_error(MV_EVALUE, "no value");
    *out = s->vals[s->iv++];
    return MV_OK;
}
static int src_end(void *ctx, int depth) {
    (void)ctx;
    (void)depth;
    return MV_OK;
}

static void test_item_pack(void **state) {
    (void)state;
    const mv_format *f = compile("T{>i:a:(2)<H:b:3s:c:}");
    mv_value vals[] = {vint(-3), vuint(513), vuint(2), vbytes("xy", 2)};
    mv_ssize seqs[] = {3, 2};
    unsigned char item[16], before[16];
    memset(item, 0xaa, sizeof item);
    memcpy(before, item, sizeof item);
    mv_source so = {src_begin, src_value, src_end};
    /* a failure at any value writes nothing */
    for (int k = 0; k < 4; k++) {
        src s = {vals, seqs, 4, 2, 0, 0, k};
        CHECK_ERR(mv_item_pack(f, item, &so, &s), MV_EVALUE, "no value");
        CHECK_TRUE(memcmp(item, before, sizeof item) == 0);
    }
    mv_value badv[] = {vint(-3), vuint(70000), vuint(2), vbytes("xy", 2)};
    src sb = {badv, seqs, 4, 2, 0, 0, -1};
    CHECK_ERR(mv_item_pack(f, item, &so, &sb), MV_EVALUE,
              "memoryview: invalid value for format '<H'");
    CHECK_TRUE(memcmp(item, before, sizeof item) == 0);
    src s = {vals, seqs, 4, 2, 0, 0, -1};
    CHECK_OK(mv_item_pack(f, item, &so, &s));
    CHECK_TRUE(memcmp(item, "\xff\xff\xff\xfd\x01\x02\x02\x00xy\0", 11) == 0);
    CHECK_EQ(item[11], 0xaa); /* past the item: untouched */
    mv_format_release(f);
}

static void test_views_share_formats(void **state) {
    (void)state;
    char data[32] = {0};
    mv_owner *o = tu_wrap(data, sizeof data);
    mv_view v, w, c;
    mv_ssize shape[] = {4};
    tu_layout_view(&v, o, data, 32, "T{<I:id:<f:x:}", 8, 1, shape, NULL, NULL,
                   0);
    CHECK_TRUE(v.fmtdesc != NULL);
    CHECK_EQ(v.fmtdesc->itemsize, 8);
    CHECK_OK(mv_view_new(&w, &v));
    CHECK_TRUE(w.fmtdesc == v.fmtdesc);
    CHECK_OK(mv_view_borrow(&c, &w));
    CHECK_TRUE(c.fmtdesc == v.fmtdesc);
    CHECK_OK(mv_view_release(&c));
    CHECK_OK(mv_view_release(&v));
    CHECK_EQ(w.fmtdesc->refs_, 1);
    CHECK_OK(mv_view_release(&w));
    CHECK_TRUE(w.fmtdesc == NULL);
    /* a format that does not compile still makes a view */
    tu_layout_view(&v, o, data, 32, "T{", 8, 1, shape, NULL, NULL, 0);
    CHECK_TRUE(v.fmtdesc == NULL);
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
}

/* Walks of views: every native format through the one-item callback, and
 * compiled formats through the engine, strided and 0-D, with callbacks that
 * stop the walk at each step. */
typedef struct counter {
    int items, begins, ends, stop_at, calls;
} counter;

static int ct_step(counter *c) {
    return ++c->calls == c->stop_at ? mv_error(MV_EINDEX, "stop") : MV_OK;
}
static int ct_begin(void *ctx, int dim, mv_ssize n) {
    (void)dim;
    (void)n;
    counter *c = ctx;
    c->begins++;
    return ct_step(c);
}
static int ct_item(void *ctx, const mv_value *v) {
    (void)v;
    counter *c = ctx;
    c->items++;
    return ct_step(c);
}
static int ct_end(void *ctx, int dim) {
    (void)dim;
    counter *c = ctx;
    c->ends++;
    return ct_step(c);
}
static int ct_items(void *ctx, const mv_value *v, mv_ssize n) {
    (void)v;
    counter *c = ctx;
    c->items += (int)n;
    return ct_step(c);
}

static void test_view_walks(void **state) {
    (void)state;
    unsigned char mem[256];
    for (int i = 0; i < 256; i++)
        mem[i] = (unsigned char)(i & 1);
    mv_owner *o = tu_wrap(mem, sizeof mem);
    const char *natives = "cbB?hHiIlLqQnNefdP";
    mv_walker one = {ct_begin, ct_item, ct_end, NULL};
    mv_walker batch = {ct_begin, NULL, ct_end, ct_items};
    for (const char *c = natives; *c; c++) {
        char fmt[2] = {*c, 0};
        mv_ssize size = mv_format_itemsize(fmt);
        mv_ssize shape[1] = {4}, strides[1] = {2 * size};
        mv_view v;
        tu_layout_view(&v, o, mem, 4 * size, fmt, size, 1, shape, strides, NULL,
                       0);
        counter k = {0};
        CHECK_OK(mv_view_walk(&v, &one, &k));
        CHECK_EQ(k.items, 4);
        memset(&k, 0, sizeof k);
        k.stop_at = 3;
        CHECK_ERR(mv_view_walk(&v, &one, &k), MV_EINDEX, "stop");
        CHECK_OK(mv_view_release(&v));
    }
    /* compiled formats: records with shapes, 2-D, strided, 0-D */
    static const struct {
        const char *fmt;
        mv_ssize size;
        int values; /* scalars an item gives */
    } f[] = {
        {"<h(2)b", 4, 3},   {"T{<h:a:(2,1)<b:b:}", 4, 3},
        {"2T{<b}<h", 4, 3}, {">i", 4, 1},
        {"3s", 3, 1},       {"Zf", 8, 1},
    };
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        mv_ssize shape[2] = {2, 3};
        mv_view v;
        tu_layout_view(&v, o, mem, 6 * f[i].size, f[i].fmt, f[i].size, 2, shape,
                       NULL, NULL, 0);
        for (int b = 0; b < 2; b++) {
            counter k = {0};
            CHECK_OK(mv_view_walk(&v, b ? &batch : &one, &k));
            CHECK_EQ(k.items, 6 * f[i].values);
            CHECK_EQ(k.begins, k.ends);
            for (int stop = 1; stop < k.calls; stop += 3) {
                counter s2 = {0};
                s2.stop_at = stop;
                CHECK_ERR(mv_view_walk(&v, b ? &batch : &one, &s2), MV_EINDEX,
                          "stop");
            }
        }
        mv_view w;
        mv_keyitem key[2] = {
            {.is_slice = 0, .index = 1},
            {.is_slice = 1, .start = MV_END, .stop = MV_BEGIN, .step = -2}};
        CHECK_OK(mv_view_select(&w, &v, key, 2));
        counter k = {0};
        CHECK_OK(mv_view_walk(&w, &one, &k));
        CHECK_EQ(k.items, 2 * f[i].values);
        CHECK_OK(mv_view_release(&w));
        CHECK_OK(mv_view_select(&w, &v, key, 1)); /* a row */
        key[1].is_slice = 0;
        key[1].index = -1;
        mv_view z;
        CHECK_OK(mv_view_select(&z, &v, key, 2)); /* 0-D */
        memset(&k, 0, sizeof k);
        CHECK_OK(mv_view_walk(&z, &one, &k));
        CHECK_EQ(k.items, f[i].values);
        CHECK_OK(mv_view_release(&z));
        CHECK_OK(mv_view_release(&w));
        /* NULL callbacks are skipped */
        mv_walker none = {NULL, NULL, NULL, NULL};
        CHECK_OK(mv_view_walk(&v, &none, NULL));
        CHECK_OK(mv_view_release(&v));
    }
    /* a format whose items are larger than the view's */
    mv_view v;
    tu_layout_view(&v, o, mem, 8, "<iiii", 4, 1, NULL, NULL, NULL, 0);
    counter k = {0};
    CHECK_ERR(mv_view_walk(&v, &one, &k), MV_ENOTIMPL,
              "memoryview: unsupported format <iiii");
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
}

/* Rows of one-value formats come in batches, each value what mv_view_get reads
 * (through the engine's reader) at its index. */
typedef struct rowcheck {
    const mv_view *v;
    mv_ssize next;
    int bad;
} rowcheck;

static int rc_items(void *ctx, const mv_value *x, mv_ssize n) {
    rowcheck *r = ctx;
    for (mv_ssize k = 0; k < n; k++) {
        mv_value want;
        if (mv_view_get(r->v, r->next++, &want) < 0 ||
            !(mv_value_equal(&want, &x[k]) ||
              (want.type == MV_VAL_FLOAT && want.f != want.f &&
               x[k].f != x[k].f)) ||
            want.type != x[k].type)
            r->bad++;
    }
    return MV_OK;
}

static void test_scalar_rows(void **state) {
    (void)state;
    unsigned char mem[2 * 8 * 100];
    uint64_t seed = 11;
    for (size_t i = 0; i < sizeof mem; i++)
        mem[i] = (unsigned char)tu_rand(&seed);
    mv_owner *o = tu_wrap(mem, sizeof mem);
    const char *fmts[] = {"<h", ">h", "<H", ">H", "<i",   ">i", "<I", ">I",
                          "<q", ">q", "<Q", ">Q", "<f",   ">f", "<d", ">d",
                          "<e", ">e", "<?", "<c", "2x<i", "<b", "^P"};
    for (size_t i = 0; i < sizeof fmts / sizeof fmts[0]; i++) {
        const mv_format *f = compile(fmts[i]);
        mv_ssize size = f->itemsize;
        mv_format_release(f);
        for (int strided = 0; strided < 2; strided++) {
            mv_ssize n = 100, shape[1] = {n}, strides[1] = {2 * size};
            mv_view v;
            tu_layout_view(&v, o, mem, n * size, fmts[i], size, 1, shape,
                           strided ? strides : NULL, NULL, 0);
            rowcheck r = {&v, 0, 0};
            mv_walker w = {NULL, NULL, NULL, rc_items};
            CHECK_OK(mv_view_walk(&v, &w, &r));
            CHECK_EQ(r.next, n);
            if (r.bad)
                fail_msg("%s: %d values differ from mv_view_get's", fmts[i],
                         r.bad);
            CHECK_OK(mv_view_release(&v));
        }
    }
    mv_owner_release(o);
}

/* The engine's other paths: NumPy's packed exports, complex values
 * compared, sources that fail, references that are not counted. */
static void test_engine_corners(void **state) {
    (void)state;
    unsigned char mem[64] = {0};
    mv_owner *o = tu_wrap(mem, sizeof mem);
    mv_view v;
    /* '@' would align and pad this record to 4 bytes; NumPy exports it
     * for 3-byte items: read unaligned */
    tu_layout_view(&v, o, mem, 9, "T{h:f0:B:f1:}", 3, 1, NULL, NULL, NULL, 0);
    CHECK_EQ(v.fmtdesc->itemsize, 3);
    CHECK_OK(mv_view_release(&v));
    tu_layout_view(&v, o, mem, 8, "T{h:f0:B:f1:}", 4, 1, NULL, NULL, NULL, 0);
    CHECK_EQ(v.fmtdesc->itemsize, 4);
    CHECK_OK(mv_view_release(&v));
    /* neither fits: the aligned reading stays */
    tu_layout_view(&v, o, mem, 10, "T{h:f0:B:f1:}", 5, 1, NULL, NULL, NULL, 0);
    CHECK_EQ(v.fmtdesc->itemsize, 4);
    CHECK_OK(mv_view_release(&v));
    /* complex values equal as Python's */
    mv_value z = {.type = MV_VAL_COMPLEX, .z = {2.0, 0.0}};
    mv_value zi = {.type = MV_VAL_COMPLEX, .z = {2.0, 1.0}};
    CHECK_TRUE(mv_value_equal(&z, &(mv_value){.type = MV_VAL_INT, .i = 2}));
    CHECK_TRUE(mv_value_equal(&(mv_value){.type = MV_VAL_UINT, .u = 2}, &z));
    CHECK_TRUE(mv_value_equal(&z, &(mv_value){.type = MV_VAL_FLOAT, .f = 2}));
    CHECK_TRUE(mv_value_equal(&z, &(mv_value){.type = MV_VAL_BOOL, .i = 0}) ==
               0);
    CHECK_TRUE(!mv_value_equal(&z, &zi));
    CHECK_TRUE(mv_value_equal(&zi, &zi));
    CHECK_TRUE(!mv_value_equal(&zi, &(mv_value){.type = MV_VAL_INT, .i = 2}));
    mv_value ab = vbytes("a", 1);
    CHECK_TRUE(!mv_value_equal(&z, &ab));
    /* nested formats are not counted on their own */
    const mv_format *f = compile("T{T{<i:a:}:s:}");
    const mv_format *sub = f->fields[0].sub;
    CHECK_TRUE(mv_format_retain(sub) == sub);
    mv_format_release(sub);
    CHECK_TRUE(mv_format_scalar(f) == NULL);
    CHECK_EQ(f->tuple_depth, 3);
    mv_format_release(f);
    mv_format_release(NULL);
    CHECK_TRUE(mv_format_retain(NULL) == NULL);
    /* 'p' fields of no bytes, and long strings */
    f = compile("0p300p");
    unsigned char item[300];
    memset(item, 0xee, sizeof item);
    char big[400];
    memset(big, 'x', sizeof big);
    CHECK_OK(set_(&f->fields[0], item, 0, vbytes(big, 3)));
    CHECK_EQ(item[0], 0xee); /* nothing to write */
    CHECK_OK(set_(&f->fields[1], item, 0, vbytes(big, 400)));
    CHECK_EQ(item[0], 255); /* the length byte caps at 255 */
    mv_value got;
    CHECK_OK(mv_field_get(&f->fields[1], item, 0, &got));
    CHECK_EQ(got.s.len, 255);
    CHECK_OK(mv_field_get(&f->fields[0], item, 0, &got));
    CHECK_EQ(got.s.len, 0);
    CHECK_ERR(mv_field_get(&f->fields[0], item, -1, &got), MV_EINDEX,
              "field element index out of range");
    mv_format_release(f);
    /* records have no single value */
    f = compile("T{<i}");
    CHECK_ERR(mv_field_get(&f->fields[0], item, 0, &got), MV_ETYPE,
              "a record field has no single value");
    CHECK_ERR(mv_field_set(&f->fields[0], item, 0, &got), MV_ETYPE,
              "a record field has no single value");
    mv_format_release(f);
    /* a source that refuses the sequences asked for */
    f = compile("T{<h:a:(2)<b:b:}");
    mv_value vals[] = {vint(1), vint(2), vint(3)};
    mv_ssize wrong[] = {3, 2};
    mv_source so = {src_begin, src_value, src_end};
    src s = {vals, wrong, 3, 2, 0, 0, -1};
    unsigned char rec[4] = {9, 9, 9, 9};
    CHECK_ERR(mv_item_pack(f, rec, &so, &s), MV_ETYPE, "wrong sequence");
    mv_ssize inner[] = {2, 3};
    src s2 = {vals, inner, 3, 2, 0, 0, -1};
    CHECK_ERR(mv_item_pack(f, rec, &so, &s2), MV_ETYPE, "wrong sequence");
    CHECK_TRUE(memcmp(rec, "\x09\x09\x09\x09", 4) == 0);
    mv_format_release(f);
    /* an item larger than the stack buffer goes through the heap */
    f = compile("<300B");
    unsigned char bigitem[300] = {0};
    mv_value ones[300];
    for (int i = 0; i < 300; i++)
        ones[i] = vuint(1);
    mv_ssize seq300[] = {300};
    src s3 = {ones, seq300, 300, 1, 0, 0, -1};
    CHECK_OK(mv_item_pack(f, bigitem, &so, &s3));
    CHECK_EQ(bigitem[299], 1);
    mv_format_release(f);
    mv_owner_release(o);
}

/* Walkers whose callbacks fail or are missing, over the engine's walks of
 * flat records, nested records and shaped fields. */
typedef struct stopper {
    int calls, fail_begin; /* calls of begin and item; fail at this one */
    int items, fail_item;  /* calls of item; fail at this one (0: never) */
} stopper;
static int st_begin(void *ctx, int depth, mv_ssize n) {
    (void)depth, (void)n;
    stopper *s = ctx;
    return ++s->calls == s->fail_begin ? mv_error(MV_EINDEX, "begin") : MV_OK;
}
static int st_item(void *ctx, const mv_value *x) {
    (void)x;
    stopper *s = ctx;
    s->calls++;
    return ++s->items == s->fail_item ? mv_error(MV_EINDEX, "item") : MV_OK;
}
static int st_items(void *ctx, const mv_value *x, mv_ssize n) {
    for (mv_ssize k = 0; k < n; k++) {
        int rc = st_item(ctx, &x[k]);
        if (rc < 0)
            return rc;
    }
    return MV_OK;
}

static void test_walk_callbacks(void **state) {
    (void)state;
    int32_t item[4] = {1, 2, 3, 4};
    /* "2T{<i<i}" walks as a record (begin) of records */
    const char *fmts[] = {"<2i", "2T{<i<i}", "(2)<i<i", "<ih", "T{<i<h}"};
    const int nvalues[] = {2, 4, 3, 2, 2};
    for (size_t i = 0; i < sizeof fmts / sizeof fmts[0]; i++) {
        const mv_format *f = compile(fmts[i]);
        mv_walker w = {st_begin, st_item, NULL, NULL};
        stopper s = {0, 1, 0, 0};
        CHECK_ERR(mv_item_walk(f, item, &w, &s), MV_EINDEX, "begin");
        CHECK_EQ(s.calls, 1);
        s = (stopper){0, 0, 0, 2};
        CHECK_ERR(mv_item_walk(f, item, &w, &s), MV_EINDEX, "item");
        CHECK_EQ(s.items, 2);
        /* no begin, no end: the values alone (through item, or items) */
        mv_walker only = {NULL, st_item, NULL, NULL};
        s = (stopper){0, 0, 0, 0};
        CHECK_OK(mv_item_walk(f, item, &only, &s));
        CHECK_EQ(s.calls, nvalues[i]);
        mv_walker batch = {NULL, NULL, NULL, st_items};
        s = (stopper){0, 0, 0, 0};
        CHECK_OK(mv_item_walk(f, item, &batch, &s));
        CHECK_EQ(s.calls, nvalues[i]);
        mv_walker none = {NULL, NULL, NULL, NULL};
        CHECK_OK(mv_item_walk(f, item, &none, NULL));
        mv_format_release(f);
    }
}

/* Fields: bounds of element indexes, messages that spell a native-mode
 * field, empty strings, names of unnamed fields, records never swapped. */
static void test_field_corners(void **state) {
    (void)state;
    const mv_format *f = compile("hi3s");
    unsigned char item[16];
    memset(item, 0x55, sizeof item);
    mv_value x;
    for (int i = 0; i < 3; i++) {
        CHECK_ERR(mv_field_get(&f->fields[i], item, -1, &x), MV_EINDEX,
                  "field element index out of range");
        CHECK_ERR(mv_field_get(&f->fields[i], item, 1, &x), MV_EINDEX,
                  "field element index out of range");
        CHECK_ERR(mv_field_set(&f->fields[i], item, -1, &x), MV_EINDEX,
                  "field element index out of range");
        CHECK_ERR(mv_field_set(&f->fields[i], item, 1, &x), MV_EINDEX,
                  "field element index out of range");
    }
    /* native sizes: the message names the code alone, as the builtin's */
    CHECK_ERR(set_(&f->fields[0], item, 0, vother()), MV_ETYPE,
              "memoryview: invalid type for format 'h'");
    CHECK_ERR(set_(&f->fields[2], item, 0, vint(1)), MV_ETYPE,
              "memoryview: invalid type for format '3s'");
    /* an empty string pads the field with zeros, as struct.pack('3s', b'') */
    CHECK_OK(set_(&f->fields[2], item, 0, vbytes("", 0)));
    CHECK_TRUE(memcmp(item + f->fields[2].offset, "\0\0\0", 3) == 0);
    CHECK_EQ(item[f->fields[2].offset + 3], 0x55);
    /* no field has a name */
    CHECK_EQ(mv_format_field_index(f, "h"), -1);
    mv_format_release(f);
    /* a record is not byte-swapped as a whole: its fields are */
    f = compile(">T{<i:a:>h:b:}");
    CHECK_EQ(f->fields[0].swap, 0);
    CHECK_EQ(f->fields[0].sub->fields[0].swap, tu_host_big());
    CHECK_EQ(f->fields[0].sub->fields[1].swap, !tu_host_big());
    mv_format_release(f);
    /* the one scalar of a format: after fields of no units; none when the
     * unit has a shape */
    f = compile("0i<h");
    CHECK_TRUE(mv_format_scalar(f) == &f->fields[1]);
    mv_format_release(f);
    f = compile("(2)<h");
    CHECK_TRUE(mv_format_scalar(f) == NULL);
    mv_format_release(f);
    /* a nested record's size is rounded up to its alignment: past the
     * largest size, that fails */
    const mv_format *g = NULL;
    CHECK_ERR(mv_format_compile(&g, "T{i9223372036854775803x}"), MV_EVALUE,
              "total struct size too long");
    /* the largest item size compiles */
    f = compile("9223372036854775807x");
    CHECK_EQ(f->itemsize, MV_SSIZE_MAX);
    CHECK_EQ(f->nfields, 0);
    mv_format_release(f);
}

/* Fields with shapes each keep their own: the shapes of a format sit side
 * by side in its block, one field's after the other's. */
static void test_field_shapes_kept_apart(void **state) {
    (void)state;
    const mv_format *f;
    CHECK_OK(mv_format_compile(&f, "<T{(2,3)i:a:(4,5,6)h:b:(7)B:c:}"));
    CHECK_EQ(f->nfields, 1);
    const mv_format *r = f->fields[0].sub;
    CHECK_EQ(r->nfields, 3);
    static const mv_ssize want[3][3] = {{2, 3}, {4, 5, 6}, {7}};
    static const int ndims[3] = {2, 3, 1};
    for (int i = 0; i < 3; i++) {
        CHECK_EQ(r->fields[i].ndim, ndims[i]);
        for (int d = 0; d < ndims[i]; d++)
            CHECK_EQ(r->fields[i].shape[d], want[i][d]);
    }
    CHECK_EQ(f->itemsize, 2 * 3 * 4 + 4 * 5 * 6 * 2 + 7);
    mv_format_release(f);
}

int main(void) {
    if (sizeof(long) != 8 || _Alignof(double) != 8) {
        printf("skipped: the expected sizes are those of LP64\n");
        return 0;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_native_formats_are_static),
        cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_fields),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_field_get_set),
        cmocka_unit_test(test_item_walk),
        cmocka_unit_test(test_item_pack),
        cmocka_unit_test(test_views_share_formats),
        cmocka_unit_test(test_view_walks),
        cmocka_unit_test(test_engine_corners),
        cmocka_unit_test(test_scalar_rows),
        cmocka_unit_test(test_walk_callbacks),
        cmocka_unit_test(test_field_corners),
        cmocka_unit_test(test_field_shapes_kept_apart),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
