/*
 * test_format_limit.c -- a format text longer than INT32_MAX characters
 * is refused as too long (struct: "total struct size too long").
 *
 * The 2 GiB + 1 MiB text costs 1 MiB of memory: one memfd page run of
 * 'B' characters mapped 2049 times, end to end, then a zero byte. Reading
 * it takes a tenth of a second natively and a quarter of a minute under
 * valgrind, which skips it (the plain and sanitizer runs check it).
 */
#define _GNU_SOURCE
#include "test_util.h"

#include <sys/mman.h>
#include <unistd.h>

#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#else
#define RUNNING_ON_VALGRIND 0
#endif

enum { CHUNK = 1 << 20 };

static void test_text_past_int32_max(void **state) {
    (void)state;
    if (RUNNING_ON_VALGRIND)
        skip();
    size_t n = ((size_t)INT32_MAX + 1) / CHUNK + 1; /* > INT32_MAX chars */
    int fd = memfd_create("memview-format", 0);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, CHUNK), 0);
    char *c = mmap(NULL, CHUNK, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    assert_true(c != MAP_FAILED);
    memset(c, 'B', CHUNK);
    size_t total = (n + 1) * (size_t)CHUNK;
    char *text =
        mmap(NULL, total, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(text != MAP_FAILED);
    for (size_t i = 0; i < n; i++)
        assert_true(mmap(text + i * CHUNK, CHUNK, PROT_READ,
                         MAP_SHARED | MAP_FIXED, fd, 0) != MAP_FAILED);
    /* the last chunk: zeros, so the text ends at n * CHUNK characters */
    assert_true(mmap(text + n * CHUNK, CHUNK, PROT_READ,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1,
                     0) != MAP_FAILED);
    CHECK_TRUE(text[n * CHUNK - 1] == 'B' && text[n * CHUNK] == '\0');
    const mv_format *f = (const mv_format *)&f;
    CHECK_ERR(mv_format_compile(&f, text), MV_EVALUE,
              "total struct size too long");
    CHECK_TRUE(f == (const mv_format *)&f);
    /* the refusal is the length's: the last 1024 of those characters
     * compile */
    char *end = text + n * CHUNK - 1024;
    CHECK_OK(mv_format_compile(&f, end));
    CHECK_EQ(f->itemsize, 1024);
    mv_format_release(f);
    assert_int_equal(munmap(text, total), 0);
    assert_int_equal(munmap(c, CHUNK), 0);
    close(fd);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_past_int32_max),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
