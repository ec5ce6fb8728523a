/*
 * test_owner.c -- owners of memory: copies, growable bytes, wrapped memory,
 * export counting, and the refusals while views exist.
 */
#define _GNU_SOURCE
#include <pthread.h>

#include "test_util.h"

static mv_owner *const SENTINEL_OWNER = (mv_owner *)(uintptr_t)0x5a5a5a5a;

/* ---- copy ---- */

static void test_copy_is_readonly_copy(void **state) {
    (void)state;
    char src[] = "hello world";
    mv_owner *o;
    CHECK_OK(mv_owner_copy(&o, src, 11));
    CHECK_EQ(mv_owner_size(o), 11);
    CHECK_TRUE(mv_owner_readonly(o));
    CHECK_EQ(mv_owner_exports(o), 0);
    CHECK_TRUE(mv_owner_data(o) != (void *)src);
    assert_memory_equal(mv_owner_data(o), "hello world", 11);
    /* The copy survives a change of the source. */
    src[0] = 'J';
    assert_memory_equal(mv_owner_data(o), "hello world", 11);

    mv_view v;
    CHECK_OK(mv_view_from_owner(&v, o));
    CHECK_TRUE(v.flags & MV_READONLY);
    CHECK_EQ(mv_owner_exports(o), 1);
    mv_value x;
    CHECK_OK(mv_view_get(&v, 0, &x));
    CHECK_EQ(x.type, MV_VAL_UINT);
    CHECK_EQ(x.u, 'h');
    mv_value y = {.type = MV_VAL_INT, .i = 1};
    CHECK_ERR(mv_view_set(&v, 0, &y), MV_ETYPE,
              "cannot modify read-only memory");
    CHECK_OK(mv_view_release(&v));
    CHECK_EQ(mv_owner_exports(o), 0);
    mv_owner_release(o);
}

/* One byte: the shortest copy that copies anything. */
static void test_copy_one_byte(void **state) {
    (void)state;
    mv_owner *o;
    CHECK_OK(mv_owner_copy(&o, "z", 1));
    CHECK_EQ(mv_owner_size(o), 1);
    CHECK_EQ(((const char *)mv_owner_data(o))[0], 'z');
    mv_owner_release(o);
}

static void test_copy_zero_length(void **state) {
    (void)state;
    mv_owner *o;
    CHECK_OK(mv_owner_copy(&o, NULL, 0));
    CHECK_EQ(mv_owner_size(o), 0);
    mv_view v;
    CHECK_OK(mv_view_from_owner(&v, o));
    CHECK_EQ(v.nbytes, 0);
    CHECK_EQ(v.ndim, 1);
    CHECK_EQ(v.shape[0], 0);
    CHECK_EQ(v.itemsize, 1);
    CHECK_TRUE(mv_view_is_c_contiguous(&v) && mv_view_is_f_contiguous(&v));
    mv_value x;
    CHECK_ERR(mv_view_get(&v, 0, &x), MV_EINDEX,
              "index out of bounds on dimension 1");
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);

    CHECK_OK(mv_owner_copy(&o, "abc", 0));
    CHECK_EQ(mv_owner_size(o), 0);
    CHECK_OK(mv_owner_free(o));
    /* no owner: nothing to free or release */
    CHECK_OK(mv_owner_free(NULL));
    mv_owner_release(NULL);
}

static void test_copy_hostile(void **state) {
    (void)state;
    mv_owner *o = SENTINEL_OWNER;
    CHECK_STATUS(mv_owner_copy(&o, "abc", -1), MV_EVALUE);
    assert_ptr_equal(o, SENTINEL_OWNER);
    CHECK_STATUS(mv_owner_copy(&o, "abc", MV_SSIZE_MIN), MV_EVALUE);
    assert_ptr_equal(o, SENTINEL_OWNER);
    /* NULL data with a non-zero length is refused, not read. */
    CHECK_FAILS(mv_owner_copy(&o, NULL, 5));
    assert_ptr_equal(o, SENTINEL_OWNER);
}

/* ---- new_bytes ---- */

static void test_new_bytes_zeroed_writable(void **state) {
    (void)state;
    mv_owner *o;
    CHECK_OK(mv_owner_new_bytes(&o, 100));
    CHECK_EQ(mv_owner_size(o), 100);
    CHECK_TRUE(!mv_owner_readonly(o));
    const unsigned char *d = mv_owner_data(o);
    for (int i = 0; i < 100; i++)
        CHECK_EQ(d[i], 0);
    mv_view v;
    CHECK_OK(mv_view_from_owner(&v, o));
    CHECK_TRUE(!(v.flags & MV_READONLY));
    CHECK_TRUE(v.buf == (char *)mv_owner_data(o));
    mv_value y = {.type = MV_VAL_INT, .i = 200};
    CHECK_OK(mv_view_set(&v, 99, &y));
    CHECK_EQ(d[99], 200);
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
}

static void test_new_bytes_zero_length(void **state) {
    (void)state;
    mv_owner *o;
    CHECK_OK(mv_owner_new_bytes(&o, 0));
    CHECK_EQ(mv_owner_size(o), 0);
    mv_view v;
    CHECK_OK(mv_view_from_owner(&v, o));
    CHECK_EQ(v.nbytes, 0);
    CHECK_EQ(v.shape[0], 0);
    void *out = NULL;
    CHECK_OK(mv_view_tobytes(&v, &out, MV_ORDER_C));
    CHECK_TRUE(out != NULL);
    mv_free(out);
    CHECK_OK(mv_view_release(&v));
    CHECK_OK(mv_owner_resize(o, 3));
    CHECK_EQ(mv_owner_size(o), 3);
    CHECK_OK(mv_owner_free(o));
}

static void test_new_bytes_hostile(void **state) {
    (void)state;
    mv_owner *o = SENTINEL_OWNER;
    CHECK_STATUS(mv_owner_new_bytes(&o, -1), MV_EVALUE);
    assert_ptr_equal(o, SENTINEL_OWNER);
    CHECK_STATUS(mv_owner_new_bytes(&o, MV_SSIZE_MIN), MV_EVALUE);
    assert_ptr_equal(o, SENTINEL_OWNER);
    int rc = mv_owner_new_bytes(&o, MV_SSIZE_MAX);
    if (rc != MV_ENOMEM && rc != MV_EOVERFLOW)
        fail_msg("new_bytes(MV_SSIZE_MAX) returned %d (%s)", rc,
                 mv_err_name(rc));
    assert_ptr_equal(o, SENTINEL_OWNER);
    rc = mv_owner_new_bytes(&o, MV_SSIZE_MAX - 7);
    if (rc != MV_ENOMEM && rc != MV_EOVERFLOW)
        fail_msg("new_bytes(MV_SSIZE_MAX - 7) returned %d (%s)", rc,
                 mv_err_name(rc));
    assert_ptr_equal(o, SENTINEL_OWNER);
}

/* ---- resize and free ---- */

static void test_resize_refused_while_views(void **state) {
    (void)state;
    mv_owner *o;
    CHECK_OK(mv_owner_new_bytes(&o, 4));
    unsigned char *d = mv_owner_data(o);
    d[0] = 1;
    d[3] = 4;
    mv_view a, b;
    CHECK_OK(mv_view_from_owner(&a, o));
    /* one export, and then two: singular and plural, word for word */
    CHECK_ERR(mv_owner_resize(o, 8), MV_EBUFFER,
              "Existing exports of data: object cannot be re-sized "
              "(1 export remains)");
    CHECK_OK(mv_view_new(&b, &a));
    CHECK_EQ(mv_owner_exports(o), 2);
    CHECK_ERR(mv_owner_resize(o, 2), MV_EBUFFER,
              "Existing exports of data: object cannot be re-sized "
              "(2 exports remain)");
    /* Nothing changed. */
    CHECK_EQ(mv_owner_size(o), 4);
    CHECK_TRUE(mv_owner_data(o) == (void *)d);
    CHECK_EQ(a.nbytes, 4);
    CHECK_OK(mv_view_release(&a));
    CHECK_STATUS(mv_owner_resize(o, 8), MV_EBUFFER);
    CHECK_TRUE(strchr(mv_errmsg(), '1') != NULL);
    CHECK_OK(mv_view_release(&b));
    CHECK_EQ(mv_owner_exports(o), 0);

    CHECK_OK(mv_owner_resize(o, 1000));
    CHECK_EQ(mv_owner_size(o), 1000);
    d = mv_owner_data(o);
    CHECK_EQ(d[0], 1);
    CHECK_EQ(d[3], 4);
    for (int i = 4; i < 1000; i++)
        if (d[i] != 0)
            fail_msg("byte %d after growth is %d, want 0", i, d[i]);
    CHECK_OK(mv_owner_resize(o, 2));
    CHECK_EQ(mv_owner_size(o), 2);
    CHECK_OK(mv_owner_resize(o, 5));
    d = mv_owner_data(o);
    CHECK_EQ(d[0], 1);
    CHECK_EQ(d[2], 0); /* shrunk away and grown back: zero */
    CHECK_EQ(d[3], 0);
    CHECK_OK(mv_owner_resize(o, 0));
    CHECK_EQ(mv_owner_size(o), 0);
    /* A view made after a resize sees the new size. */
    CHECK_OK(mv_owner_resize(o, 6));
    CHECK_OK(mv_view_from_owner(&a, o));
    CHECK_EQ(a.nbytes, 6);
    CHECK_OK(mv_view_release(&a));
    mv_owner_release(o);
}

static void test_resize_hostile(void **state) {
    (void)state;
    mv_owner *o;
    CHECK_OK(mv_owner_new_bytes(&o, 4));
    CHECK_FAILS(mv_owner_resize(o, -1));
    CHECK_EQ(mv_owner_size(o), 4);
    int rc = mv_owner_resize(o, MV_SSIZE_MAX);
    if (rc != MV_ENOMEM && rc != MV_EOVERFLOW)
        fail_msg("resize(MV_SSIZE_MAX) returned %d (%s)", rc, mv_err_name(rc));
    CHECK_EQ(mv_owner_size(o), 4);
    CHECK_OK(mv_owner_free(o));
}

static void test_resize_not_growable(void **state) {
    (void)state;
    mv_owner *o;
    CHECK_OK(mv_owner_copy(&o, "abc", 3));
    CHECK_STATUS(mv_owner_resize(o, 5), MV_ETYPE);
    CHECK_EQ(mv_owner_size(o), 3);
    mv_owner_release(o);

    char buf[8];
    CHECK_OK(mv_owner_wrap(&o, buf, 8, 0, NULL, NULL));
    CHECK_STATUS(mv_owner_resize(o, 4), MV_ETYPE);
    CHECK_EQ(mv_owner_size(o), 8);
    mv_owner_release(o);
}

static void test_free_refused_while_views(void **state) {
    (void)state;
    mv_owner *o;
    CHECK_OK(mv_owner_new_bytes(&o, 16));
    mv_view v;
    CHECK_OK(mv_view_from_owner(&v, o));
    CHECK_STATUS(mv_owner_free(o), MV_EBUFFER);
    CHECK_TRUE(strchr(mv_errmsg(), '1') != NULL);
    /* The handle is still valid and the memory still usable. */
    CHECK_EQ(mv_owner_size(o), 16);
    CHECK_EQ(mv_owner_exports(o), 1);
    mv_value y = {.type = MV_VAL_UINT, .u = 7};
    CHECK_OK(mv_view_set(&v, 15, &y));
    CHECK_EQ(((unsigned char *)mv_owner_data(o))[15], 7);
    CHECK_OK(mv_view_release(&v));
    CHECK_OK(mv_owner_free(o));
    /* Releasing NULL is allowed. */
    mv_owner_release(NULL);
}

static void test_exports_counting(void **state) {
    (void)state;
    mv_owner *o;
    CHECK_OK(mv_owner_new_bytes(&o, 10));
    enum { N = 20 };
    mv_view v[N];
    for (int i = 0; i < N; i++) {
        if (i == 0)
            CHECK_OK(mv_view_from_owner(&v[0], o));
        else if (i % 3 == 0)
            CHECK_OK(mv_view_slice(&v[i], &v[i - 1], 1, MV_END, 1));
        else if (i % 3 == 1)
            CHECK_OK(mv_view_readonly(&v[i], &v[i - 1]));
        else
            CHECK_OK(mv_view_new(&v[i], &v[i - 1]));
        CHECK_EQ(mv_owner_exports(o), i + 1);
    }
    /* Narrowing in place takes no reference. */
    CHECK_OK(mv_view_narrow(&v[N - 1], 0, 1, 1));
    CHECK_EQ(mv_owner_exports(o), N);
    /* Moving keeps the count. */
    mv_view moved;
    mv_view_move(&moved, &v[5]);
    CHECK_EQ(mv_owner_exports(o), N);
    CHECK_OK(mv_view_release(&v[5])); /* already released: no effect */
    CHECK_EQ(mv_owner_exports(o), N);
    CHECK_OK(mv_view_release(&moved));
    CHECK_EQ(mv_owner_exports(o), N - 1);
    for (int i = N - 1; i >= 0; i--) {
        if (i == 5)
            continue;
        CHECK_OK(mv_view_release(&v[i]));
        CHECK_OK(mv_view_release(&v[i]));
    }
    CHECK_EQ(mv_owner_exports(o), 0);
    mv_owner_release(o);
}

/* ---- wrap and release callbacks ---- */

struct cb {
    int calls;
    void *data;
    mv_ssize len;
    void *ctx;
};

static void count_release(void *ctx, void *data, mv_ssize len) {
    struct cb *c = ctx;
    c->calls++;
    c->data = data;
    c->len = len;
    c->ctx = ctx;
}

static void test_wrap_release_view_last(void **state) {
    (void)state;
    char buf[32];
    tu_pattern(buf, sizeof buf, 1);
    struct cb c = {0};
    mv_owner *o;
    CHECK_OK(mv_owner_wrap(&o, buf, 32, 0, count_release, &c));
    CHECK_TRUE(mv_owner_data(o) == (void *)buf);
    CHECK_EQ(mv_owner_size(o), 32);
    CHECK_TRUE(!mv_owner_readonly(o));
    mv_view v, w;
    CHECK_OK(mv_view_from_owner(&v, o));
    CHECK_OK(mv_view_slice(&w, &v, 2, 10, 3));
    CHECK_TRUE(v.buf == buf);
    mv_owner_release(o);
    CHECK_EQ(c.calls, 0);
    CHECK_OK(mv_view_release(&v));
    CHECK_EQ(c.calls, 0);
    /* The last view still reads the memory. */
    mv_value x;
    CHECK_OK(mv_view_get(&w, 1, &x));
    CHECK_EQ(x.u, (unsigned char)buf[5]);
    CHECK_OK(mv_view_release(&w));
    CHECK_EQ(c.calls, 1);
    CHECK_TRUE(c.data == (void *)buf);
    CHECK_EQ(c.len, 32);
    CHECK_TRUE(c.ctx == (void *)&c);
    CHECK_OK(mv_view_release(&w));
    CHECK_EQ(c.calls, 1);
}

static void test_wrap_release_owner_last(void **state) {
    (void)state;
    char buf[8];
    struct cb c = {0};
    mv_owner *o;
    CHECK_OK(mv_owner_wrap(&o, buf, 8, 1, count_release, &c));
    CHECK_TRUE(mv_owner_readonly(o));
    mv_view v;
    CHECK_OK(mv_view_from_owner(&v, o));
    CHECK_TRUE(v.flags & MV_READONLY);
    CHECK_OK(mv_view_release(&v));
    CHECK_EQ(c.calls, 0);
    mv_owner_release(o);
    CHECK_EQ(c.calls, 1);
    CHECK_TRUE(c.data == (void *)buf);
    CHECK_EQ(c.len, 8);
}

static void test_wrap_no_views(void **state) {
    (void)state;
    char buf[4];
    struct cb c = {0};
    mv_owner *o;
    CHECK_OK(mv_owner_wrap(&o, buf, 4, 0, count_release, &c));
    mv_owner_release(o);
    CHECK_EQ(c.calls, 1);

    /* free with no views runs the callback now, once. */
    CHECK_OK(mv_owner_wrap(&o, buf, 4, 0, count_release, &c));
    CHECK_OK(mv_owner_free(o));
    CHECK_EQ(c.calls, 2);

    /* free refused while a view exists: the callback does not run. */
    CHECK_OK(mv_owner_wrap(&o, buf, 4, 0, count_release, &c));
    mv_view v;
    CHECK_OK(mv_view_from_owner(&v, o));
    CHECK_STATUS(mv_owner_free(o), MV_EBUFFER);
    CHECK_EQ(c.calls, 2);
    CHECK_OK(mv_view_release(&v));
    CHECK_EQ(c.calls, 2);
    CHECK_OK(mv_owner_free(o));
    CHECK_EQ(c.calls, 3);
}

static void test_wrap_null_callback_and_zero_length(void **state) {
    (void)state;
    mv_owner *o;
    CHECK_OK(mv_owner_wrap(&o, NULL, 0, 0, NULL, NULL));
    CHECK_EQ(mv_owner_size(o), 0);
    mv_view v;
    CHECK_OK(mv_view_from_owner(&v, o));
    CHECK_EQ(v.nbytes, 0);
    mv_owner_release(o);
    CHECK_OK(mv_view_release(&v));

    struct cb c = {0};
    CHECK_OK(mv_owner_wrap(&o, NULL, 0, 1, count_release, &c));
    mv_owner_release(o);
    CHECK_EQ(c.calls, 1);
    CHECK_EQ(c.len, 0);
}

static void test_wrap_hostile(void **state) {
    (void)state;
    char buf[4];
    struct cb c = {0};
    mv_owner *o = SENTINEL_OWNER;
    CHECK_STATUS(mv_owner_wrap(&o, buf, -1, 0, count_release, &c), MV_EVALUE);
    assert_ptr_equal(o, SENTINEL_OWNER);
    CHECK_FAILS(mv_owner_wrap(&o, NULL, 4, 0, count_release, &c));
    assert_ptr_equal(o, SENTINEL_OWNER);
    /* A refused wrap does not call the release callback. */
    CHECK_EQ(c.calls, 0);
}

/* ---- references from several threads ---- */

struct viewer {
    mv_owner *o;
    int failures;
};

static void *viewer_thread(void *arg) {
    struct viewer *w = arg;
    for (int i = 0; i < 5000; i++) {
        mv_view v, s;
        if (mv_view_from_owner(&v, w->o) < 0) {
            w->failures++;
            continue;
        }
        if (mv_view_slice(&s, &v, 1, MV_END, 2) < 0)
            w->failures++;
        else if (mv_view_release(&s) < 0)
            w->failures++;
        if (mv_view_release(&v) < 0)
            w->failures++;
    }
    return NULL;
}

static void test_threads_count_exports(void **state) {
    (void)state;
    struct cb c = {0};
    static char buf[64];
    mv_owner *o;
    CHECK_OK(mv_owner_wrap(&o, buf, 64, 0, count_release, &c));
    mv_view keep;
    CHECK_OK(mv_view_from_owner(&keep, o));
    enum { N = 8 };
    pthread_t t[N];
    struct viewer w[N];
    for (int i = 0; i < N; i++) {
        w[i].o = o;
        w[i].failures = 0;
        assert_int_equal(pthread_create(&t[i], NULL, viewer_thread, &w[i]), 0);
    }
    for (int i = 0; i < N; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
        CHECK_EQ(w[i].failures, 0);
    }
    CHECK_EQ(mv_owner_exports(o), 1);
    mv_owner_release(o);
    CHECK_EQ(c.calls, 0);
    CHECK_OK(mv_view_release(&keep));
    CHECK_EQ(c.calls, 1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_copy_is_readonly_copy),
        cmocka_unit_test(test_copy_zero_length),
        cmocka_unit_test(test_copy_hostile),
        cmocka_unit_test(test_new_bytes_zeroed_writable),
        cmocka_unit_test(test_new_bytes_zero_length),
        cmocka_unit_test(test_new_bytes_hostile),
        cmocka_unit_test(test_copy_one_byte),
        cmocka_unit_test(test_resize_refused_while_views),
        cmocka_unit_test(test_resize_hostile),
        cmocka_unit_test(test_resize_not_growable),
        cmocka_unit_test(test_free_refused_while_views),
        cmocka_unit_test(test_exports_counting),
        cmocka_unit_test(test_wrap_release_view_last),
        cmocka_unit_test(test_wrap_release_owner_last),
        cmocka_unit_test(test_wrap_no_views),
        cmocka_unit_test(test_wrap_null_callback_and_zero_length),
        cmocka_unit_test(test_wrap_hostile),
        cmocka_unit_test(test_threads_count_exports),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
