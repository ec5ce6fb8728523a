/*
 * test_index.c -- item lookup by index and by index tuple, typed get and
 * set, slice clamping, slicing and narrowing.
 *
 * Oracles: Python's slice semantics written out here as a plain reference
 * (PySlice_AdjustIndices), and item addresses computed from the view's
 * public strides.
 */
#include <limits.h>

#include "test_util.h"

#define MSG_RELEASED "operation forbidden on released memoryview object"
#define MSG_BOUNDS1 "index out of bounds on dimension 1"

/* ---- reference slice adjustment (Python's rules, written plainly) ---- */

static mv_ssize ref_adjust(mv_ssize len, mv_ssize *start, mv_ssize *stop,
                           mv_ssize step) {
    /* Python clamps a step below -PY_SSIZE_T_MAX to -PY_SSIZE_T_MAX. */
    if (step < -MV_SSIZE_MAX)
        step = -MV_SSIZE_MAX;
    if (*start < 0) {
        *start = *start < -len ? -1 : *start + len;
        if (*start < 0)
            *start = step < 0 ? -1 : 0;
    } else if (*start >= len) {
        *start = step < 0 ? len - 1 : len;
    }
    if (*stop < 0) {
        *stop = *stop < -len ? -1 : *stop + len;
        if (*stop < 0)
            *stop = step < 0 ? -1 : 0;
    } else if (*stop >= len) {
        *stop = step < 0 ? len - 1 : len;
    }
    /* Count by stepping, with no arithmetic that could overflow. */
    mv_ssize n = 0;
    if (step > 0) {
        for (mv_ssize i = *start; i < *stop; n++) {
            if (*stop - i <= step) {
                n++;
                break;
            }
            i += step;
        }
    } else {
        for (mv_ssize i = *start; i > *stop; n++) {
            if (i - *stop <= -step) {
                n++;
                break;
            }
            i += step;
        }
    }
    return n;
}

/* ---- 1-D get and set ---- */

static void test_get_set_1d(void **state) {
    (void)state;
    short data[5] = {10, -20, 30, -40, 50};
    mv_owner *o = tu_wrap(data, sizeof data);
    mv_view v;
    tu_layout_view(&v, o, data, 10, "h", 2, 1, NULL, NULL, NULL, 0);
    mv_value x;
    for (mv_ssize i = -5; i < 5; i++) {
        CHECK_OK(mv_view_get(&v, i, &x));
        CHECK_EQ(x.type, MV_VAL_INT);
        CHECK_EQ(x.i, data[i < 0 ? i + 5 : i]);
        char *p;
        CHECK_OK(mv_view_item_ptr(&v, i, &p));
        CHECK_TRUE(p == (char *)&data[i < 0 ? i + 5 : i]);
    }
    const mv_ssize bad[] = {5,
                            6,
                            -6,
                            -7,
                            MV_SSIZE_MAX,
                            MV_SSIZE_MIN,
                            MV_SSIZE_MIN + 1,
                            MV_SSIZE_MIN + 4};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        char *p = (char *)&x;
        CHECK_ERR(mv_view_get(&v, bad[k], &x), MV_EINDEX, MSG_BOUNDS1);
        CHECK_ERR(mv_view_item_ptr(&v, bad[k], &p), MV_EINDEX, MSG_BOUNDS1);
        CHECK_TRUE(p == (char *)&x); /* output untouched */
        mv_value y = vint(1);
        CHECK_ERR(mv_view_set(&v, bad[k], &y), MV_EINDEX, MSG_BOUNDS1);
    }
    mv_value y = vint(-32768);
    CHECK_OK(mv_view_set(&v, -1, &y));
    CHECK_EQ(data[4], -32768);
    y = vint(32768);
    CHECK_ERR(mv_view_set(&v, 0, &y), MV_EVALUE,
              "memoryview: invalid value for format 'h'");
    CHECK_EQ(data[0], 10);
    /* 1-D views take a tuple of one index too. */
    mv_ssize idx[1] = {-2};
    CHECK_OK(mv_view_getn(&v, idx, 1, &x));
    CHECK_EQ(x.i, -40);
    idx[0] = 5;
    CHECK_ERR(mv_view_getn(&v, idx, 1, &x), MV_EINDEX, MSG_BOUNDS1);
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
}

static void test_message_uses_format_without_at(void **state) {
    (void)state;
    unsigned char data[2] = {0};
    mv_owner *o = tu_wrap(data, 2);
    mv_view v;
    tu_layout_view(&v, o, data, 2, "@B", 1, 1, NULL, NULL, NULL, 0);
    mv_value y = vint(300);
    CHECK_ERR(mv_view_set(&v, 0, &y), MV_EVALUE,
              "memoryview: invalid value for format 'B'");
    y.type = MV_VAL_FLOAT;
    y.f = 1.0;
    CHECK_ERR(mv_view_set(&v, 0, &y), MV_ETYPE,
              "memoryview: invalid type for format 'B'");
    CHECK_EQ(data[0], 0);
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
}

static void test_readonly_set(void **state) {
    (void)state;
    mv_owner *o;
    CHECK_OK(mv_owner_copy(&o, "abcd", 4));
    mv_view v;
    CHECK_OK(mv_view_from_owner(&v, o));
    mv_value y = vint(1);
    CHECK_ERR(mv_view_set(&v, 0, &y), MV_ETYPE,
              "cannot modify read-only memory");
    /* Read-only is reported before a bad index or a bad value, as the
     * builtin does. */
    CHECK_ERR(mv_view_set(&v, 100, &y), MV_ETYPE,
              "cannot modify read-only memory");
    y = vint(1000);
    CHECK_ERR(mv_view_set(&v, 0, &y), MV_ETYPE,
              "cannot modify read-only memory");
    mv_ssize idx[1] = {0};
    CHECK_ERR(mv_view_setn(&v, idx, 1, &y), MV_ETYPE,
              "cannot modify read-only memory");
    assert_memory_equal(mv_owner_data(o), "abcd", 4);
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
}

/* The checks adapters make before converting a key or a value come in
 * CPython's order: released, format, read-only, deletion. */
static void test_check_assign_order(void **state) {
    (void)state;
    int data[2] = {1, 2};
    mv_owner *o = tu_wrap(data, sizeof data);
    mv_view v;
    tu_layout_view(&v, o, data, 8, "T{<i", 4, 1, NULL, NULL, NULL, 1);
    CHECK_ERR(mv_view_check_item(&v), MV_ENOTIMPL,
              "memoryview: unsupported format T{<i");
    CHECK_ERR(mv_view_check_assign(&v, 1), MV_ENOTIMPL,
              "memoryview: unsupported format T{<i");
    CHECK_OK(mv_view_release(&v));
    tu_layout_view(&v, o, data, 8, "@i", 4, 1, NULL, NULL, NULL, 1);
    CHECK_OK(mv_view_check_item(&v));
    CHECK_ERR(mv_view_check_assign(&v, 1), MV_ETYPE,
              "cannot modify read-only memory");
    CHECK_OK(mv_view_release(&v));
    tu_layout_view(&v, o, data, 8, "x", 1, 1, NULL, NULL, NULL, 0);
    CHECK_OK(mv_view_check_item(&v)); /* one character: checked later */
    CHECK_ERR(mv_view_check_assign(&v, 1), MV_ETYPE, "cannot delete memory");
    CHECK_OK(mv_view_check_assign(&v, 0));
    CHECK_OK(mv_view_release(&v));
    CHECK_ERR(mv_view_check_assign(&v, 0), MV_EVALUE, MSG_RELEASED);
    CHECK_ERR(mv_view_check_iter(&v), MV_EVALUE, MSG_RELEASED);
    CHECK_ERR(mv_view_check_item(&v), MV_EVALUE, MSG_RELEASED);
    mv_owner_release(o);
}

static void test_check_iter(void **state) {
    (void)state;
    int data[4] = {1, 2, 3, 4};
    mv_owner *o = tu_wrap(data, sizeof data);
    mv_view v;
    mv_ssize shape2[] = {2, 2};
    tu_layout_view(&v, o, data, 4, "i", 4, 0, NULL, NULL, NULL, 0);
    CHECK_ERR(mv_view_check_iter(&v), MV_ETYPE,
              "invalid indexing of 0-dim memory");
    CHECK_OK(mv_view_release(&v));
    tu_layout_view(&v, o, data, 16, "i", 4, 2, shape2, NULL, NULL, 0);
    CHECK_ERR(mv_view_check_iter(&v), MV_ENOTIMPL,
              "multi-dimensional sub-views are not implemented");
    CHECK_OK(mv_view_release(&v));
    tu_layout_view(&v, o, data, 16, "<n", 4, 1, NULL, NULL, NULL, 0);
    CHECK_ERR(mv_view_check_iter(&v), MV_ENOTIMPL,
              "memoryview: unsupported format <n");
    CHECK_OK(mv_view_release(&v));
    tu_layout_view(&v, o, data, 16, "i", 4, 1, NULL, NULL, NULL, 0);
    CHECK_OK(mv_view_check_iter(&v));
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
}

static void test_unsupported_formats(void **state) {
    (void)state;
    int data[2] = {1, 2};
    mv_owner *o = tu_wrap(data, sizeof data);
    mv_view v;
    mv_value x;
    mv_value y = vint(1);
    mv_ssize idx[1] = {0};
    /* Several characters that do not compile: the builtin's adjust_fmt
     * message. */
    tu_layout_view(&v, o, data, 8, "<n", 4, 1, NULL, NULL, NULL, 0);
    CHECK_ERR(mv_view_get(&v, 0, &x), MV_ENOTIMPL,
              "memoryview: unsupported format <n");
    CHECK_ERR(mv_view_set(&v, 0, &y), MV_ENOTIMPL,
              "memoryview: unsupported format <n");
    CHECK_ERR(mv_view_getn(&v, idx, 1, &x), MV_ENOTIMPL,
              "memoryview: unsupported format <n");
    /* The format is checked before the index. */
    CHECK_ERR(mv_view_get(&v, 99, &x), MV_ENOTIMPL,
              "memoryview: unsupported format <n");
    CHECK_OK(mv_view_release(&v));
    /* A format of items larger than the view's: unsupported too. */
    tu_layout_view(&v, o, data, 8, "ii", 4, 1, NULL, NULL, NULL, 0);
    CHECK_ERR(mv_view_get(&v, 0, &x), MV_ENOTIMPL,
              "memoryview: unsupported format ii");
    CHECK_OK(mv_view_release(&v));
    /* Beyond the builtin: a compiled format of one value reads and
     * writes as a native one; one of several values has no mv_value. */
    tu_layout_view(&v, o, data, 8, ">i", 4, 1, NULL, NULL, NULL, 0);
    CHECK_OK(mv_view_set(&v, 1, &y));
    CHECK_OK(mv_view_get(&v, 1, &x));
    CHECK_EQ(x.type, MV_VAL_INT);
    CHECK_EQ(x.i, 1);
    CHECK_TRUE(memcmp(&data[1], "\0\0\0\1", 4) == 0);
    CHECK_OK(mv_view_release(&v));
    tu_layout_view(&v, o, data, 8, "<hh", 4, 1, NULL, NULL, NULL, 0);
    CHECK_ERR(mv_view_get(&v, 0, &x), MV_ETYPE,
              "memoryview: an item of format '<hh' is not a single value");
    CHECK_ERR(mv_view_set(&v, 0, &y), MV_ETYPE,
              "memoryview: an item of format '<hh' is not a single value");
    CHECK_OK(mv_view_release(&v));
    /* One character that does not compile: unpack_single's message. */
    tu_layout_view(&v, o, data, 8, "u", 1, 1, NULL, NULL, NULL, 0);
    CHECK_ERR(mv_view_get(&v, 0, &x), MV_ENOTIMPL,
              "memoryview: format u not supported");
    CHECK_ERR(mv_view_set(&v, 0, &y), MV_ENOTIMPL,
              "memoryview: format u not supported");
    CHECK_OK(mv_view_release(&v));
    CHECK_EQ(data[0], 1);
    mv_owner_release(o);
}

static void test_every_format_through_views(void **state) {
    (void)state;
    static const struct {
        const char *fmt;
        mv_ssize size;
        mv_value val;
        mv_vtype back;
    } f[] = {
        {"b", 1, {.type = MV_VAL_INT, .i = -100}, MV_VAL_INT},
        {"B", 1, {.type = MV_VAL_UINT, .u = 200}, MV_VAL_UINT},
        {"h", sizeof(short), {.type = MV_VAL_INT, .i = -30000}, MV_VAL_INT},
        {"H", sizeof(short), {.type = MV_VAL_UINT, .u = 60000}, MV_VAL_UINT},
        {"i", sizeof(int), {.type = MV_VAL_INT, .i = -2000000000}, MV_VAL_INT},
        {"I",
         sizeof(int),
         {.type = MV_VAL_UINT, .u = 4000000000u},
         MV_VAL_UINT},
        {"l", sizeof(long), {.type = MV_VAL_INT, .i = LONG_MIN}, MV_VAL_INT},
        {"L", sizeof(long), {.type = MV_VAL_UINT, .u = ULONG_MAX}, MV_VAL_UINT},
        {"q", 8, {.type = MV_VAL_INT, .i = -5}, MV_VAL_INT},
        {"Q", 8, {.type = MV_VAL_UINT, .u = 5}, MV_VAL_UINT},
        {"n", sizeof(ptrdiff_t), {.type = MV_VAL_INT, .i = -7}, MV_VAL_INT},
        {"N", sizeof(size_t), {.type = MV_VAL_UINT, .u = 7}, MV_VAL_UINT},
        {"e", 2, {.type = MV_VAL_FLOAT, .f = -1.5}, MV_VAL_FLOAT},
        {"f", sizeof(float), {.type = MV_VAL_FLOAT, .f = 0.25}, MV_VAL_FLOAT},
        {"d", sizeof(double), {.type = MV_VAL_FLOAT, .f = 1e300}, MV_VAL_FLOAT},
        {"?", sizeof(_Bool), {.type = MV_VAL_BOOL, .i = 1}, MV_VAL_BOOL},
        {"P",
         sizeof(void *),
         {.type = MV_VAL_UINT, .u = 0xdeadbeef},
         MV_VAL_UINT},
        {"@i", sizeof(int), {.type = MV_VAL_INT, .i = 12}, MV_VAL_INT},
    };
    for (size_t k = 0; k < sizeof f / sizeof f[0]; k++) {
        unsigned char data[3 * 8];
        memset(data, 0xA5, sizeof data);
        mv_owner *o = tu_wrap(data, 3 * f[k].size);
        mv_view v;
        tu_layout_view(&v, o, data, 3 * f[k].size, f[k].fmt, f[k].size, 1, NULL,
                       NULL, NULL, 0);
        CHECK_EQ(v.shape[0], 3);
        CHECK_OK(mv_view_set(&v, 1, &f[k].val));
        mv_value x;
        CHECK_OK(mv_view_get(&v, -2, &x));
        if (x.type != f[k].back)
            fail_msg("'%s': got type %d, want %d", f[k].fmt, (int)x.type,
                     (int)f[k].back);
        if (x.type == MV_VAL_FLOAT ? x.f != f[k].val.f : x.u != f[k].val.u)
            fail_msg("'%s': value changed on the way back", f[k].fmt);
        for (mv_ssize i = 0; i < f[k].size; i++) {
            CHECK_EQ(data[i], 0xA5);
            CHECK_EQ(data[2 * f[k].size + i], 0xA5);
        }
        CHECK_OK(mv_view_release(&v));
        mv_owner_release(o);
    }
    /* 'c' gives one byte pointing into the view. */
    char cs[3] = {'x', 'y', 'z'};
    mv_owner *o = tu_wrap(cs, 3);
    mv_view v;
    tu_layout_view(&v, o, cs, 3, "c", 1, 1, NULL, NULL, NULL, 0);
    mv_value x;
    CHECK_OK(mv_view_get(&v, 2, &x));
    CHECK_EQ(x.type, MV_VAL_BYTES);
    CHECK_EQ(x.s.len, 1);
    CHECK_TRUE(x.s.ptr == &cs[2]);
    mv_value y = {.type = MV_VAL_BYTES, .s = {"q", 1}};
    CHECK_OK(mv_view_set(&v, 0, &y));
    CHECK_EQ(cs[0], 'q');
    y.s.len = 2;
    CHECK_ERR(mv_view_set(&v, 0, &y), MV_EVALUE,
              "memoryview: invalid value for format 'c'");
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
}

/* ---- N-D ---- */

static void test_get_set_nd(void **state) {
    (void)state;
    int data[24];
    for (int i = 0; i < 24; i++)
        data[i] = i * 3 - 7;
    mv_owner *o = tu_wrap(data, sizeof data);
    mv_view v;
    mv_ssize shape[3] = {2, 3, 4};
    tu_layout_view(&v, o, data, 96, "i", 4, 3, shape, NULL, NULL, 0);
    mv_value x;
    for (mv_ssize i = -2; i < 2; i++)
        for (mv_ssize j = -3; j < 3; j++)
            for (mv_ssize k = -4; k < 4; k++) {
                mv_ssize idx[3] = {i, j, k};
                mv_ssize flat =
                    ((i + 2) % 2) * 12 + ((j + 3) % 3) * 4 + ((k + 4) % 4);
                CHECK_OK(mv_view_getn(&v, idx, 3, &x));
                CHECK_EQ(x.i, data[flat]);
                char *p;
                CHECK_OK(mv_view_item_ptrn(&v, idx, 3, &p));
                CHECK_TRUE(p == (char *)&data[flat]);
            }
    /* Bounds errors name the (1-based) dimension. */
    static const struct {
        mv_ssize idx[3];
        const char *msg;
    } bad[] = {
        {{2, 0, 0}, "index out of bounds on dimension 1"},
        {{-3, 0, 0}, "index out of bounds on dimension 1"},
        {{0, 3, 0}, "index out of bounds on dimension 2"},
        {{1, -4, 0}, "index out of bounds on dimension 2"},
        {{0, 0, 4}, "index out of bounds on dimension 3"},
        {{0, 0, -5}, "index out of bounds on dimension 3"},
        {{9, 9, 9}, "index out of bounds on dimension 1"},
        {{0, MV_SSIZE_MIN, 0}, "index out of bounds on dimension 2"},
        {{0, 0, MV_SSIZE_MAX}, "index out of bounds on dimension 3"},
    };
    for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++) {
        CHECK_ERR(mv_view_getn(&v, bad[b].idx, 3, &x), MV_EINDEX, bad[b].msg);
        mv_value y = vint(0);
        CHECK_ERR(mv_view_setn(&v, bad[b].idx, 3, &y), MV_EINDEX, bad[b].msg);
    }
    mv_ssize idx[3] = {1, 2, 3};
    mv_value y = vint(INT_MIN);
    CHECK_OK(mv_view_setn(&v, idx, 3, &y));
    CHECK_EQ(data[23], INT_MIN);
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
}

static void test_wrong_tuple_lengths(void **state) {
    (void)state;
    unsigned char data[6] = {1, 2, 3, 4, 5, 6};
    mv_owner *o = tu_wrap(data, 6);
    mv_view v;
    mv_ssize shape[2] = {2, 3};
    tu_layout_view(&v, o, data, 6, "B", 1, 2, shape, NULL, NULL, 0);
    mv_ssize idx[3] = {0, 0, 0};
    mv_value x, y = vint(9);
    char *p;
    /* More indexes than dimensions: TypeError. */
    CHECK_ERR(mv_view_getn(&v, idx, 3, &x), MV_ETYPE,
              "cannot index 2-dimension view with 3-element tuple");
    CHECK_ERR(mv_view_setn(&v, idx, 3, &y), MV_ETYPE,
              "cannot index 2-dimension view with 3-element tuple");
    CHECK_ERR(mv_view_item_ptrn(&v, idx, 3, &p), MV_ETYPE,
              "cannot index 2-dimension view with 3-element tuple");
    /* Fewer: sub-views are not implemented. */
    CHECK_ERR(mv_view_getn(&v, idx, 1, &x), MV_ENOTIMPL,
              "sub-views are not implemented");
    CHECK_ERR(mv_view_setn(&v, idx, 1, &y), MV_ENOTIMPL,
              "sub-views are not implemented");
    CHECK_ERR(mv_view_getn(&v, idx, 0, &x), MV_ENOTIMPL,
              "sub-views are not implemented");
    /* One integer on a 2-D view (Python's m[0]). */
    CHECK_ERR(mv_view_get(&v, 0, &x), MV_ENOTIMPL,
              "multi-dimensional sub-views are not implemented");
    CHECK_ERR(mv_view_set(&v, 0, &y), MV_ENOTIMPL,
              "sub-views are not implemented");
    CHECK_ERR(mv_view_item_ptr(&v, 0, &p), MV_ENOTIMPL,
              "multi-dimensional sub-views are not implemented");
    CHECK_FAILS(mv_view_getn(&v, idx, -1, &x));
    /* 1-D with two indexes. */
    mv_view w;
    tu_layout_view(&w, o, data, 6, "B", 1, 1, NULL, NULL, NULL, 0);
    CHECK_ERR(mv_view_getn(&w, idx, 2, &x), MV_ETYPE,
              "cannot index 1-dimension view with 2-element tuple");
    /* m[()] on a 1-D view. */
    CHECK_ERR(mv_view_getn(&w, idx, 0, &x), MV_ENOTIMPL,
              "sub-views are not implemented");
    CHECK_OK(mv_view_release(&w));
    for (int i = 0; i < 6; i++)
        CHECK_EQ(data[i], i + 1);
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
}

static void test_0d_indexing(void **state) {
    (void)state;
    long item = 42;
    mv_owner *o = tu_wrap(&item, sizeof item);
    mv_view v;
    mv_ssize dummy = 0;
    tu_layout_view(&v, o, &item, sizeof item, "l", sizeof item, 0, &dummy, NULL,
                   NULL, 0);
    mv_value x, y = vint(-5);
    char *p;
    CHECK_OK(mv_view_item_ptrn(&v, NULL, 0, &p));
    CHECK_TRUE(p == (char *)&item);
    CHECK_OK(mv_view_getn(&v, NULL, 0, &x));
    CHECK_EQ(x.i, 42);
    CHECK_OK(mv_view_setn(&v, NULL, 0, &y));
    CHECK_EQ(item, -5);
    mv_ssize idx[1] = {0};
    CHECK_ERR(mv_view_get(&v, 0, &x), MV_ETYPE,
              "invalid indexing of 0-dim memory");
    CHECK_ERR(mv_view_set(&v, 0, &y), MV_ETYPE,
              "invalid indexing of 0-dim memory");
    CHECK_ERR(mv_view_item_ptr(&v, 0, &p), MV_ETYPE,
              "invalid indexing of 0-dim memory");
    CHECK_ERR(mv_view_getn(&v, idx, 1, &x), MV_ETYPE,
              "invalid indexing of 0-dim memory");
    CHECK_ERR(mv_view_setn(&v, idx, 1, &y), MV_ETYPE,
              "invalid indexing of 0-dim memory");
    /* A 0-D view cannot be sliced either (Python: TypeError). */
    mv_view s;
    CHECK_ERR(mv_view_slice(&s, &v, 0, 1, 1), MV_ETYPE,
              "invalid indexing of 0-dim memory");
    CHECK_EQ(mv_owner_exports(o), 1);
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
}

static void test_suboffset_items(void **state) {
    (void)state;
    /* Rows at non-zero offsets inside separate blocks. */
    short r0[4] = {0, 1, 2, 3}, r1[4] = {10, 11, 12, 13},
          r2[4] = {20, 21, 22, 23};
    short *rows[3] = {r0, r1, r2};
    mv_owner *o = tu_wrap(rows, sizeof rows);
    mv_view v;
    mv_ssize shape[2] = {3, 3}, strides[2] = {sizeof(short *), 2},
             sub[2] = {2, -1};
    tu_layout_view(&v, o, rows, 18, "h", 2, 2, shape, strides, sub, 0);
    mv_value x;
    for (mv_ssize i = 0; i < 3; i++)
        for (mv_ssize j = 0; j < 3; j++) {
            mv_ssize idx[2] = {i, j};
            CHECK_OK(mv_view_getn(&v, idx, 2, &x));
            CHECK_EQ(x.i, 10 * i + j + 1);
        }
    mv_ssize idx[2] = {2, -1};
    mv_value y = vint(-1);
    CHECK_OK(mv_view_setn(&v, idx, 2, &y));
    CHECK_EQ(r2[3], -1);
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
}

/* ---- slice adjustment ---- */

static void check_adjust(mv_ssize len, mv_ssize start, mv_ssize stop,
                         mv_ssize step) {
    mv_ssize s1 = start, e1 = stop, s2 = start, e2 = stop;
    mv_ssize n1 = mv_slice_adjust(len, &s1, &e1, step);
    mv_ssize n2 = ref_adjust(len, &s2, &e2, step);
    if (n1 != n2 || s1 != s2 || e1 != e2)
        fail_msg("adjust(len=%td, %td:%td:%td) = %td items, [%td:%td], want "
                 "%td items, [%td:%td]",
                 len, start, stop, step, n1, s1, e1, n2, s2, e2);
}

static void test_slice_adjust_reference(void **state) {
    (void)state;
    const mv_ssize special[] = {0,
                                1,
                                -1,
                                2,
                                -2,
                                3,
                                7,
                                -7,
                                MV_SSIZE_MAX,
                                MV_SSIZE_MIN,
                                MV_SSIZE_MAX - 1,
                                MV_SSIZE_MIN + 1,
                                MV_SSIZE_MAX / 2,
                                MV_SSIZE_MIN / 2,
                                MV_BEGIN,
                                MV_END};
    const mv_ssize lens[] = {
        0, 1, 2, 5, 10, 17, MV_SSIZE_MAX / 2, MV_SSIZE_MAX - 1, MV_SSIZE_MAX};
    size_t ns = sizeof special / sizeof special[0];
    for (size_t l = 0; l < sizeof lens / sizeof lens[0]; l++)
        for (size_t a = 0; a < ns; a++)
            for (size_t b = 0; b < ns; b++)
                for (size_t c = 0; c < ns; c++) {
                    /* Step 0 is refused; MV_SSIZE_MIN has its own test. */
                    if (special[c] == 0 || special[c] == MV_SSIZE_MIN)
                        continue;
                    /* Huge lengths with tiny steps count by stepping in
                     * the reference: keep those to large steps. */
                    if (lens[l] > 100 && special[c] > -1000 &&
                        special[c] < 1000)
                        continue;
                    check_adjust(lens[l], special[a], special[b], special[c]);
                }
    uint64_t seed = 12345;
    for (int i = 0; i < 200000; i++) {
        mv_ssize len = tu_range(&seed, 0, 40);
        mv_ssize start = tu_range(&seed, -50, 50);
        mv_ssize stop = tu_range(&seed, -50, 50);
        mv_ssize step = tu_range(&seed, -12, 12);
        if (step == 0)
            step = 1;
        if (tu_range(&seed, 0, 9) == 0)
            start = tu_range(&seed, 0, 1) ? MV_BEGIN : MV_END;
        if (tu_range(&seed, 0, 9) == 0)
            stop = tu_range(&seed, 0, 1) ? MV_BEGIN : MV_END;
        check_adjust(len, start, stop, step);
    }
}

static void test_slice_adjust_examples(void **state) {
    (void)state;
    /* A few written out by hand, from Python. */
    mv_ssize s, e;
    s = MV_END, e = MV_BEGIN; /* [::-1] */
    CHECK_EQ(mv_slice_adjust(5, &s, &e, -1), 5);
    CHECK_EQ(s, 4);
    CHECK_EQ(e, -1);
    s = MV_BEGIN, e = MV_END; /* [::2] */
    CHECK_EQ(mv_slice_adjust(5, &s, &e, 2), 3);
    CHECK_EQ(s, 0);
    CHECK_EQ(e, 5);
    s = -2, e = MV_END; /* [-2:] */
    CHECK_EQ(mv_slice_adjust(5, &s, &e, 1), 2);
    CHECK_EQ(s, 3);
    s = 10, e = 20;
    CHECK_EQ(mv_slice_adjust(5, &s, &e, 1), 0);
    s = 1, e = 4; /* [1:4:-1] is empty */
    CHECK_EQ(mv_slice_adjust(5, &s, &e, -1), 0);
}

static void test_slice_adjust_most_negative_step(void **state) {
    (void)state;
    /* Python clamps such a step to -PY_SSIZE_T_MAX: [::MIN] is one item. */
    mv_ssize s = MV_END, e = MV_BEGIN;
    CHECK_EQ(mv_slice_adjust(5, &s, &e, MV_SSIZE_MIN), 1);
    CHECK_EQ(s, 4);
    CHECK_EQ(e, -1);
    const mv_ssize lens[] = {0, 1, 3, MV_SSIZE_MAX};
    const mv_ssize ends[] = {MV_BEGIN, -1, 0, 1, MV_END};
    for (size_t l = 0; l < 4; l++)
        for (size_t a = 0; a < 5; a++)
            for (size_t b = 0; b < 5; b++)
                check_adjust(lens[l], ends[a], ends[b], MV_SSIZE_MIN);
}

/* ---- slicing views ---- */

static void check_sliced(const mv_view *src, const mv_view *dst, mv_ssize start,
                         mv_ssize stop, mv_ssize step) {
    mv_ssize s = start, e = stop;
    mv_ssize n = ref_adjust(src->shape[0], &s, &e, step);
    if (dst->shape[0] != n)
        fail_msg("[%td:%td:%td] of %td: %td items, want %td", start, stop, step,
                 src->shape[0], dst->shape[0], n);
    CHECK_EQ(dst->ndim, src->ndim);
    CHECK_EQ(dst->itemsize, src->itemsize);
    CHECK_EQ(dst->nbytes, tu_nitems(dst) * dst->itemsize);
    for (int d = 1; d < src->ndim; d++) {
        CHECK_EQ(dst->shape[d], src->shape[d]);
        CHECK_EQ(dst->strides[d], src->strides[d]);
    }
    /* Item i of the slice is item start + i * step of the source. */
    mv_ssize idx[MV_MAXDIM] = {0}, sidx[MV_MAXDIM] = {0};
    for (mv_ssize i = 0; i < n; i++) {
        idx[0] = i;
        sidx[0] = s + i * step;
        char *p, *q;
        CHECK_OK(mv_view_item_ptrn(dst, idx, dst->ndim, &p));
        q = tu_item_addr(src, sidx);
        if (p != q)
            fail_msg("[%td:%td:%td] item %td at %p, want %p", start, stop, step,
                     i, (void *)p, (void *)q);
    }
    CHECK_EQ(!!mv_view_is_c_contiguous(dst), tu_ref_contig(dst, 0));
    CHECK_EQ(!!mv_view_is_f_contiguous(dst), tu_ref_contig(dst, 1));
    CHECK_EQ(!!(dst->flags & MV_READONLY), !!(src->flags & MV_READONLY));
}

static void test_slice_vs_narrow_random(void **state) {
    (void)state;
    static unsigned char data[64];
    tu_pattern(data, sizeof data, 5);
    mv_owner *o = tu_wrap(data, sizeof data);
    mv_view base;
    CHECK_OK(mv_view_from_owner(&base, o));
    uint64_t seed = 777;
    for (int round = 0; round < 20000; round++) {
        mv_ssize start = tu_range(&seed, -70, 70);
        mv_ssize stop = tu_range(&seed, -70, 70);
        mv_ssize step = tu_range(&seed, -9, 9);
        if (step == 0)
            step = -3;
        if (tu_range(&seed, 0, 7) == 0)
            start = tu_range(&seed, 0, 1) ? MV_BEGIN : MV_END;
        if (tu_range(&seed, 0, 7) == 0)
            stop = tu_range(&seed, 0, 1) ? MV_BEGIN : MV_END;
        /* Slice a slice sometimes, so that strides compound. */
        mv_view src;
        if (round % 3 == 0)
            CHECK_OK(mv_view_slice(&src, &base, 60, 2, -2));
        else
            CHECK_OK(mv_view_new(&src, &base));
        mv_ssize before = mv_owner_exports(o);
        mv_view s, n;
        CHECK_OK(mv_view_slice(&s, &src, start, stop, step));
        CHECK_EQ(mv_owner_exports(o), before + 1);
        check_sliced(&src, &s, start, stop, step);
        CHECK_OK(mv_view_new(&n, &src));
        CHECK_OK(mv_view_narrow(&n, start, stop, step));
        CHECK_EQ(mv_owner_exports(o), before + 2);
        CHECK_TRUE(n.buf == s.buf);
        CHECK_EQ(n.shape[0], s.shape[0]);
        CHECK_EQ(n.strides[0], s.strides[0]);
        CHECK_EQ(n.nbytes, s.nbytes);
        CHECK_EQ(n.flags, s.flags);
        CHECK_OK(mv_view_release(&s));
        CHECK_OK(mv_view_release(&n));
        CHECK_OK(mv_view_release(&src));
        CHECK_EQ(mv_owner_exports(o), 1);
    }
    CHECK_OK(mv_view_release(&base));
    mv_owner_release(o);
}

static void test_slice_nd(void **state) {
    (void)state;
    int data[60];
    for (int i = 0; i < 60; i++)
        data[i] = i;
    mv_owner *o = tu_wrap(data, sizeof data);
    mv_view v, fv;
    mv_ssize shape[3] = {5, 3, 4};
    tu_layout_view(&v, o, data, 240, "i", 4, 3, shape, NULL, NULL, 0);
    mv_ssize fstrides[3] = {4, 20, 60};
    tu_layout_view(&fv, o, data, 240, "i", 4, 3, shape, fstrides, NULL, 0);
    const mv_ssize cases[][3] = {{MV_BEGIN, MV_END, 1},
                                 {1, 4, 1},
                                 {MV_END, MV_BEGIN, -1},
                                 {0, 5, 2},
                                 {-1, -6, -2},
                                 {3, 3, 1},
                                 {4, 5, 1},
                                 {1, 2, 1}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const mv_view *srcs[2] = {&v, &fv};
        for (int k = 0; k < 2; k++) {
            mv_view s;
            CHECK_OK(mv_view_slice(&s, srcs[k], cases[c][0], cases[c][1],
                                   cases[c][2]));
            check_sliced(srcs[k], &s, cases[c][0], cases[c][1], cases[c][2]);
            CHECK_OK(mv_view_release(&s));
        }
    }
    /* A C-contiguous prefix of rows stays C-contiguous. */
    mv_view s;
    CHECK_OK(mv_view_slice(&s, &v, 1, 3, 1));
    CHECK_TRUE(mv_view_is_c_contiguous(&s) && !mv_view_is_f_contiguous(&s));
    CHECK_OK(mv_view_release(&s));
    CHECK_OK(mv_view_release(&v));
    CHECK_OK(mv_view_release(&fv));
    mv_owner_release(o);
}

static void test_slice_suboffsets(void **state) {
    (void)state;
    unsigned char r0[3] = {1, 2, 3}, r1[3] = {4, 5, 6}, r2[3] = {7, 8, 9};
    unsigned char *rows[3] = {r0, r1, r2};
    mv_owner *o = tu_wrap(rows, sizeof rows);
    mv_view v, s;
    mv_ssize shape[2] = {3, 3}, strides[2] = {sizeof(char *), 1},
             sub[2] = {0, -1};
    tu_layout_view(&v, o, rows, 9, "B", 1, 2, shape, strides, sub, 0);
    CHECK_OK(mv_view_slice(&s, &v, MV_END, MV_BEGIN, -2));
    check_sliced(&v, &s, MV_END, MV_BEGIN, -2);
    mv_ssize idx[2] = {1, 2};
    mv_value x;
    CHECK_OK(mv_view_getn(&s, idx, 2, &x));
    CHECK_EQ(x.u, 3);
    CHECK_TRUE(s.suboffsets != NULL);
    CHECK_OK(mv_view_release(&s));
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
}

static void test_slice_step_zero(void **state) {
    (void)state;
    mv_owner *o;
    CHECK_OK(mv_owner_new_bytes(&o, 8));
    mv_view v, s;
    CHECK_OK(mv_view_from_owner(&v, o));
    CHECK_ERR(mv_view_slice(&s, &v, 0, 8, 0), MV_EVALUE,
              "slice step cannot be zero");
    CHECK_EQ(mv_owner_exports(o), 1);
    char *buf = v.buf;
    CHECK_ERR(mv_view_narrow(&v, 2, 8, 0), MV_EVALUE,
              "slice step cannot be zero");
    /* The view is unchanged. */
    CHECK_TRUE(v.buf == buf);
    CHECK_EQ(v.shape[0], 8);
    CHECK_EQ(v.nbytes, 8);
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
}

static void test_slice_huge_steps(void **state) {
    (void)state;
    /* Python: memoryview(array('q', range(5)))[::2**62] is one item. */
    long long data[5] = {100, 101, 102, 103, 104};
    mv_owner *o = tu_wrap(data, sizeof data);
    mv_view v, s;
    tu_layout_view(&v, o, data, 40, "q", 8, 1, NULL, NULL, NULL, 0);
    const mv_ssize steps[] = {MV_SSIZE_MAX, TU_HUGE, MV_SSIZE_MIN,
                              -MV_SSIZE_MAX, -(TU_HUGE)};
    for (size_t k = 0; k < sizeof steps / sizeof steps[0]; k++) {
        mv_ssize start = steps[k] > 0 ? MV_BEGIN : MV_END;
        mv_ssize stop = steps[k] > 0 ? MV_END : MV_BEGIN;
        CHECK_OK(mv_view_slice(&s, &v, start, stop, steps[k]));
        CHECK_EQ(s.shape[0], 1);
        CHECK_EQ(s.nbytes, 8);
        mv_value x;
        CHECK_OK(mv_view_get(&s, 0, &x));
        CHECK_EQ(x.i, steps[k] > 0 ? 100 : 104);
        CHECK_OK(mv_view_get(&s, -1, &x));
        CHECK_EQ(x.i, steps[k] > 0 ? 100 : 104);
        CHECK_TRUE(mv_view_is_c_contiguous(&s));
        /* Slicing the one-item slice again is still well defined. */
        mv_view t;
        CHECK_OK(mv_view_slice(&t, &s, MV_BEGIN, MV_END, 3));
        CHECK_EQ(t.shape[0], 1);
        CHECK_OK(mv_view_release(&t));
        CHECK_OK(mv_view_release(&s));
    }
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
}

static void test_seed_loop(void **state) {
    (void)state;
    /* while b: b = b[1:] */
    enum { N = 10000 };
    mv_owner *o;
    CHECK_OK(mv_owner_new_bytes(&o, N));
    mv_view v;
    CHECK_OK(mv_view_from_owner(&v, o));
    char *first = v.buf;
    mv_ssize steps = 0;
    while (v.nbytes) {
        CHECK_OK(mv_view_narrow(&v, 1, MV_END, 1));
        steps++;
        if (steps % 1000 == 0) {
            CHECK_TRUE(v.buf == first + steps);
            CHECK_EQ(mv_owner_exports(o), 1);
        }
    }
    CHECK_EQ(steps, N);
    CHECK_EQ(v.shape[0], 0);
    /* Narrowing an empty view stays empty. */
    CHECK_OK(mv_view_narrow(&v, 1, MV_END, 1));
    CHECK_EQ(v.nbytes, 0);
    CHECK_OK(mv_view_release(&v));
    CHECK_EQ(mv_owner_exports(o), 0);
    mv_owner_release(o);
}

/* An empty slice at the end of a dimension with a huge stride: the start
 * is one stride past the last item, beyond the address space. */
static void test_slice_end_huge_stride(void **state) {
    (void)state;
    static char data[4] = {1, 2, 3, 4};
    mv_owner *o = tu_wrap(data, sizeof data);
    mv_ssize huge[] = {MV_SSIZE_MAX, MV_SSIZE_MIN, MV_SSIZE_MAX / 2 + 7};
    for (int k = 0; k < 3; k++) {
        mv_view v, s;
        mv_ssize shape[2] = {1, 1}, strides[2] = {huge[k], huge[k]};
        tu_layout_view(&v, o, data, 1, "B", 1, 2, shape, strides, NULL, 0);
        CHECK_OK(mv_view_slice(&s, &v, 1, MV_END, 1));
        CHECK_EQ(s.shape[0], 0);
        CHECK_EQ(s.nbytes, 0);
        CHECK_OK(mv_view_release(&s));
        CHECK_OK(mv_view_narrow_dim(&v, 1, 5, MV_END, 1));
        CHECK_EQ(v.shape[1], 0);
        CHECK_OK(mv_view_release(&v));
        mv_ssize one[1] = {1};
        tu_layout_view(&v, o, data + 2, 1, "B", 1, 1, one, strides, NULL, 0);
        CHECK_OK(mv_view_narrow(&v, 1, MV_END, 1));
        CHECK_EQ(v.nbytes, 0);
        CHECK_OK(mv_view_release(&v));
        /* an empty view: its strides were never checked against memory,
         * indexing a dimension of it may not overflow */
        mv_ssize eshape[3] = {5, 0, 7}, est[3] = {huge[k], 1, huge[k]};
        tu_layout_view(&v, o, data, 0, "B", 1, 3, eshape, est, NULL, 0);
        mv_keyitem key[3] = {{0, 3, 0, 0, 0}, {1, 0, 0, 0, 0}, {0, 6, 0, 0, 0}};
        key[1].is_slice = 1;
        key[1].start = MV_BEGIN;
        key[1].stop = MV_END;
        key[1].step = 1;
        CHECK_OK(mv_view_select(&s, &v, key, 3));
        CHECK_EQ(s.ndim, 1);
        CHECK_EQ(s.nbytes, 0);
        CHECK_OK(mv_view_release(&s));
        CHECK_OK(mv_view_subview(&s, &v, 4));
        CHECK_EQ(s.ndim, 2);
        CHECK_OK(mv_view_release(&s));
        mv_ssize at[3] = {4, 0, 6};
        mv_value x;
        CHECK_ERR(mv_view_getn(&v, at, 3, &x), MV_EINDEX,
                  "index out of bounds on dimension 2");
        CHECK_OK(mv_view_release(&v));
    }
    mv_owner_release(o);
}

/* A key of a negative number of items, and the item check of a released
 * view of a native format. */
static void test_key_length_and_released(void **state) {
    (void)state;
    unsigned char b[4] = {1, 2, 3, 4};
    mv_owner *o = tu_wrap(b, sizeof b);
    mv_view v, d;
    CHECK_OK(mv_view_from_owner(&v, o));
    mv_keyitem key[1] = {{.is_slice = 0, .index = 0}};
    CHECK_ERR(mv_view_select(&d, &v, key, -1), MV_ETYPE,
              "cannot index 1-dimension view with -1-element tuple");
    CHECK_TRUE(mv_view_is_released(&d));
    CHECK_OK(mv_view_check_item(&v));
    CHECK_OK(mv_view_release(&v));
    CHECK_ERR(mv_view_check_item(&v), MV_EVALUE,
              "operation forbidden on released memoryview object");
    mv_owner_release(o);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_get_set_1d),
        cmocka_unit_test(test_message_uses_format_without_at),
        cmocka_unit_test(test_readonly_set),
        cmocka_unit_test(test_check_assign_order),
        cmocka_unit_test(test_check_iter),
        cmocka_unit_test(test_unsupported_formats),
        cmocka_unit_test(test_every_format_through_views),
        cmocka_unit_test(test_get_set_nd),
        cmocka_unit_test(test_wrong_tuple_lengths),
        cmocka_unit_test(test_0d_indexing),
        cmocka_unit_test(test_suboffset_items),
        cmocka_unit_test(test_slice_adjust_reference),
        cmocka_unit_test(test_slice_adjust_examples),
        cmocka_unit_test(test_slice_vs_narrow_random),
        cmocka_unit_test(test_slice_nd),
        cmocka_unit_test(test_slice_suboffsets),
        cmocka_unit_test(test_slice_step_zero),
        cmocka_unit_test(test_slice_huge_steps),
        cmocka_unit_test(test_seed_loop),
        cmocka_unit_test(test_slice_adjust_most_negative_step),
        cmocka_unit_test(test_slice_end_huge_stride),
        cmocka_unit_test(test_key_length_and_released),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
