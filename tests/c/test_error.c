/*
 * test_error.c -- status names, descriptions, and the per-thread message.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>

#include "test_util.h"

static const struct {
    int status;
    const char *name;
} names[] = {
    {MV_OK, "OK"},
    {MV_EINDEX, "IndexError"},
    {MV_ETYPE, "TypeError"},
    {MV_EVALUE, "ValueError"},
    {MV_ENOTIMPL, "NotImplementedError"},
    {MV_EBUFFER, "BufferError"},
    {MV_ENOMEM, "MemoryError"},
    {MV_EOVERFLOW, "OverflowError"},
    {MV_EOS, "OSError"},
};
#define NNAMES (sizeof names / sizeof names[0])

static void test_status_values(void **state) {
    (void)state;
    /* The numbers are part of the ABI. */
    CHECK_EQ(MV_OK, 0);
    CHECK_EQ(MV_EINDEX, -1);
    CHECK_EQ(MV_ETYPE, -2);
    CHECK_EQ(MV_EVALUE, -3);
    CHECK_EQ(MV_ENOTIMPL, -4);
    CHECK_EQ(MV_EBUFFER, -5);
    CHECK_EQ(MV_ENOMEM, -6);
    CHECK_EQ(MV_EOVERFLOW, -7);
    CHECK_EQ(MV_EOS, -8);
}

static void test_err_name(void **state) {
    (void)state;
    for (size_t i = 0; i < NNAMES; i++) {
        const char *n = mv_err_name(names[i].status);
        assert_non_null(n);
        assert_string_equal(n, names[i].name);
    }
}

static void test_err_name_unknown(void **state) {
    (void)state;
    /* Unknown statuses still give a usable string. */
    const int odd[] = {-9, -100, 1, 42, 2147483647, -2147483647};
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
        assert_non_null(mv_err_name(odd[i]));
        assert_non_null(mv_strerror(odd[i]));
    }
}

static void test_err_name_int_min(void **state) {
    (void)state;
    /* The most negative int is a status like any other unknown one. */
    assert_non_null(mv_err_name(-2147483647 - 1));
    assert_non_null(mv_strerror(-2147483647 - 1));
}

static void test_strerror(void **state) {
    (void)state;
    for (size_t i = 0; i < NNAMES; i++) {
        const char *s = mv_strerror(names[i].status);
        assert_non_null(s);
        CHECK_TRUE(s[0] != '\0');
        /* Each kind has its own description. */
        for (size_t j = 0; j < i; j++)
            CHECK_TRUE(strcmp(s, mv_strerror(names[j].status)) != 0);
    }
}

static void test_error_sets_message(void **state) {
    (void)state;
    CHECK_STATUS(mv_error(MV_EVALUE, "plain"), MV_EVALUE);
    assert_string_equal(mv_errmsg(), "plain");
    CHECK_STATUS(
        mv_error(MV_EINDEX, "index %d on %s, %zd", 5, "dim", (ptrdiff_t)-3),
        MV_EINDEX);
    assert_string_equal(mv_errmsg(), "index 5 on dim, -3");
    /* A '%' in an argument is not re-interpreted. */
    CHECK_STATUS(mv_error(MV_ETYPE, "%s", "100%s %d"), MV_ETYPE);
    assert_string_equal(mv_errmsg(), "100%s %d");
    /* Each status comes back unchanged. */
    for (size_t i = 1; i < NNAMES; i++)
        CHECK_STATUS(mv_error(names[i].status, "x"), names[i].status);
}

static void test_error_long_message(void **state) {
    (void)state;
    char big[5000];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    CHECK_STATUS(mv_error(MV_EVALUE, "%s", big), MV_EVALUE);
    const char *m = mv_errmsg();
    size_t n = strlen(m);
    /* Kept whole or cut short, never overrun, never garbage. */
    CHECK_TRUE(n > 0 && n <= sizeof big - 1);
    CHECK_TRUE(strncmp(m, big, n) == 0);
    CHECK_STATUS(mv_error(MV_EVALUE, "short"), MV_EVALUE);
    assert_string_equal(mv_errmsg(), "short");
}

static void test_error_after_real_failure(void **state) {
    (void)state;
    mv_owner *o;
    CHECK_OK(mv_owner_new_bytes(&o, 4));
    mv_view v;
    CHECK_OK(mv_view_from_owner(&v, o));
    mv_owner_release(o);
    mv_value x;
    CHECK_ERR(mv_view_get(&v, 4, &x), MV_EINDEX,
              "index out of bounds on dimension 1");
    CHECK_ERR(mv_view_slice(&(mv_view){0}, &v, 0, 1, 0), MV_EVALUE,
              "slice step cannot be zero");
    CHECK_OK(mv_view_release(&v));
    CHECK_ERR(mv_view_get(&v, 0, &x), MV_EVALUE,
              "operation forbidden on released memoryview object");
}

static void test_errno_kept_for_os_errors(void **state) {
    (void)state;
    errno = ENOENT;
    CHECK_STATUS(mv_error(MV_EOS, "no such file"), MV_EOS);
    CHECK_EQ(mv_errno(), ENOENT);
    assert_string_equal(mv_err_name(MV_EOS), "OSError");
}

/* ---- thread-locality ---- */

struct thread_result {
    char initial[256];
    char after_error[256];
    char after_real[256];
    int status;
};

static void *other_thread(void *arg) {
    struct thread_result *r = arg;
    snprintf(r->initial, sizeof r->initial, "%s", mv_errmsg());
    r->status = mv_error(MV_ETYPE, "thread %d", 2);
    snprintf(r->after_error, sizeof r->after_error, "%s", mv_errmsg());
    mv_owner *o = NULL;
    (void)mv_owner_new_bytes(&o, -5);
    snprintf(r->after_real, sizeof r->after_real, "%s", mv_errmsg());
    return NULL;
}

static void test_thread_local_message(void **state) {
    (void)state;
    CHECK_STATUS(mv_error(MV_EVALUE, "main %s", "thread"), MV_EVALUE);
    pthread_t t;
    struct thread_result r;
    memset(&r, 0, sizeof r);
    assert_int_equal(pthread_create(&t, NULL, other_thread, &r), 0);
    assert_int_equal(pthread_join(t, NULL), 0);
    /* A new thread starts with no message, and its failures are its own. */
    assert_string_equal(r.initial, "");
    CHECK_EQ(r.status, MV_ETYPE);
    assert_string_equal(r.after_error, "thread 2");
    CHECK_TRUE(r.after_real[0] != '\0');
    CHECK_TRUE(strcmp(r.after_real, "thread 2") != 0);
    assert_string_equal(mv_errmsg(), "main thread");
}

struct hammer {
    int id;
    int bad;
};

static void *hammer_thread(void *arg) {
    struct hammer *h = arg;
    char want[64];
    for (int i = 0; i < 2000; i++) {
        snprintf(want, sizeof want, "thread %d round %d", h->id, i);
        mv_error(MV_EVALUE, "thread %d round %d", h->id, i);
        if (strcmp(mv_errmsg(), want) != 0)
            h->bad++;
    }
    return NULL;
}

static void test_threads_do_not_share(void **state) {
    (void)state;
    enum { N = 8 };
    pthread_t t[N];
    struct hammer h[N];
    for (int i = 0; i < N; i++) {
        h[i].id = i;
        h[i].bad = 0;
        assert_int_equal(pthread_create(&t[i], NULL, hammer_thread, &h[i]), 0);
    }
    for (int i = 0; i < N; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
        CHECK_EQ(h[i].bad, 0);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_values),
        cmocka_unit_test(test_err_name),
        cmocka_unit_test(test_err_name_unknown),
        cmocka_unit_test(test_strerror),
        cmocka_unit_test(test_error_sets_message),
        cmocka_unit_test(test_error_long_message),
        cmocka_unit_test(test_error_after_real_failure),
        cmocka_unit_test(test_errno_kept_for_os_errors),
        cmocka_unit_test(test_thread_local_message),
        cmocka_unit_test(test_threads_do_not_share),
        cmocka_unit_test(test_err_name_int_min),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
