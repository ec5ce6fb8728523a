/*
 * test_map.c -- owners of file mappings: contents, write-through, errors,
 * lifetime.
 */
#define _POSIX_C_SOURCE 200809L
#include "test_util.h"

#include "test_os.h"

static char dir[160];

static void write_file(const char *path, const char *data, size_t n) {
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

static void path_in_dir(char *out, size_t size, const char *name) {
    snprintf(out, size, "%s/%s", dir, name);
}

static void test_map_reads_file(void **state) {
    (void)state;
    char path[256];
    path_in_dir(path, sizeof path, "hello");
    write_file(path, "hello world", 11);
    mv_owner *o;
    CHECK_OK(mv_owner_map(&o, path, 0));
    CHECK_EQ(mv_owner_size(o), 11);
    CHECK_TRUE(mv_owner_readonly(o));
    mv_view v;
    CHECK_OK(mv_view_from_owner(&v, o));
    mv_owner_release(o); /* the view keeps the mapping */
    CHECK_TRUE(v.flags & MV_READONLY);
    mv_value x;
    CHECK_OK(mv_view_get(&v, 0, &x));
    CHECK_EQ(x.u, 'h');
    CHECK_OK(mv_view_get(&v, -1, &x));
    CHECK_EQ(x.u, 'd');
    x.type = MV_VAL_UINT;
    x.u = 'j';
    CHECK_ERR(mv_view_set(&v, 0, &x), MV_ETYPE,
              "cannot modify read-only memory");
    CHECK_OK(mv_view_release(&v));
}

static void test_map_writable_writes_through(void **state) {
    (void)state;
    char path[256];
    path_in_dir(path, sizeof path, "rw");
    write_file(path, "abcdef", 6);
    mv_owner *o;
    CHECK_OK(mv_owner_map(&o, path, 1));
    CHECK_TRUE(!mv_owner_readonly(o));
    mv_view v;
    CHECK_OK(mv_view_from_owner(&v, o));
    mv_value x = {.type = MV_VAL_UINT, .u = 'Z'};
    CHECK_OK(mv_view_set(&v, 2, &x));
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o); /* unmapped here */
    FILE *f = fopen(path, "rb");
    char buf[8] = {0};
    assert_non_null(f);
    assert_int_equal(fread(buf, 1, sizeof buf, f), 6);
    fclose(f);
    assert_string_equal(buf, "abZdef");
}

static void test_map_empty_file(void **state) {
    (void)state;
    char path[256];
    path_in_dir(path, sizeof path, "empty");
    write_file(path, "", 0);
    mv_owner *o;
    CHECK_OK(mv_owner_map(&o, path, 0));
    CHECK_EQ(mv_owner_size(o), 0);
    mv_view v;
    CHECK_OK(mv_view_from_owner(&v, o));
    CHECK_EQ(v.nbytes, 0);
    mv_value x;
    CHECK_ERR(mv_view_get(&v, 0, &x), MV_EINDEX,
              "index out of bounds on dimension 1");
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
}

static void test_map_errors(void **state) {
    (void)state;
    char path[256], want[512];
    mv_owner *o = NULL;
    path_in_dir(path, sizeof path, "missing");
    tu_want_missing(want, sizeof want, path);
    CHECK_ERR(mv_owner_map(&o, path, 0), MV_EOS, want);
    CHECK_EQ(mv_errno(), tu_errno_missing);
    CHECK_TRUE(o == NULL);
    tu_want_isdir(want, sizeof want, dir);
    CHECK_ERR(mv_owner_map(&o, dir, 0), MV_EOS, want);
    CHECK_EQ(mv_errno(), tu_errno_isdir);
}

static void test_map_free_refused_while_viewed(void **state) {
    (void)state;
    char path[256];
    path_in_dir(path, sizeof path, "viewed");
    write_file(path, "xyz", 3);
    mv_owner *o;
    CHECK_OK(mv_owner_map(&o, path, 0));
    mv_view v;
    CHECK_OK(mv_view_from_owner(&v, o));
    CHECK_EQ(mv_owner_exports(o), 1);
    CHECK_STATUS(mv_owner_free(o), MV_EBUFFER);
    CHECK_OK(mv_view_release(&v));
    CHECK_OK(mv_owner_free(o));
}

static int setup(void **state) {
    (void)state;
    return tu_mkdtemp(dir, sizeof dir, "memview-map");
}

static int teardown(void **state) {
    (void)state;
    const char *names[] = {"hello", "rw", "empty", "viewed"};
    char path[256];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        path_in_dir(path, sizeof path, names[i]);
        tu_unlink(path);
    }
    return tu_rmdir(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_map_reads_file),
        cmocka_unit_test(test_map_writable_writes_through),
        cmocka_unit_test(test_map_empty_file),
        cmocka_unit_test(test_map_errors),
        cmocka_unit_test(test_map_free_refused_while_viewed),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
