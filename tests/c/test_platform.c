/*
 * test_platform.c -- the platform layer's portable promises (src/os.h), on
 * every system: the page size and the mapping granularity, and streams
 * that write bytes as they are.
 */
#define _POSIX_C_SOURCE 200809L
#include "test_util.h"

#include "test_os.h"

#include "os.h"

static char dir[160];

static void test_page_and_granularity(void **state) {
    (void)state;
    size_t page = mv__os_page_size(), gran = mv__os_granularity();
    CHECK_TRUE(page >= 4096 && (page & (page - 1)) == 0);
    CHECK_TRUE(gran >= page && gran % page == 0);
    CHECK_TRUE((gran & (gran - 1)) == 0);
}

static void test_binary_stream(void **state) {
    (void)state;
    char path[200];
    snprintf(path, sizeof path, "%s/out", dir);
    const char text[] = "a\nb\r\n\x1a\n";
    FILE *f = fopen(path, "w"); /* a text stream */
    assert_non_null(f);
    CHECK_EQ(mv__os_binary(f), 0);
    assert_int_equal(fwrite(text, 1, sizeof text - 1, f), sizeof text - 1);
    assert_int_equal(fclose(f), 0);
    char got[32];
    CHECK_EQ(tu_read_at(path, 0, got, sizeof got), (long long)sizeof text - 1);
    CHECK_TRUE(memcmp(got, text, sizeof text - 1) == 0);
    assert_int_equal(tu_unlink(path), 0);
}

static int setup(void **state) {
    (void)state;
    return tu_mkdtemp(dir, sizeof dir, "memview-platform");
}

static int teardown(void **state) {
    (void)state;
    return tu_rmdir(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_page_and_granularity),
        cmocka_unit_test(test_binary_stream),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
