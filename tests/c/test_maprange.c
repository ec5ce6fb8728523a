/*
 * test_maprange.c -- mappings of byte ranges: contents against the file
 * read with pread, alignment hidden, errors as Python's mmap words them,
 * writable ranges through flush, hints, and a 64 GiB sparse file.
 */
#define _POSIX_C_SOURCE 200809L
#define _FILE_OFFSET_BITS 64
#include "test_util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/memview-maprange-XXXXXX";
static char path[256], big[256], fifo[256];

static void write_random(const char *p, size_t n, uint64_t seed) {
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    for (size_t i = 0; i < n; i++)
        fputc((int)(tu_rand(&seed) >> 56), f);
    assert_int_equal(fclose(f), 0);
}

static void test_ranges_match_pread(void **state) {
    (void)state;
    const size_t n = 3 * 4096 + 123;
    write_random(path, n, 7);
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    static char want[3 * 4096 + 123];
    assert_int_equal(pread(fd, want, n, 0), (ssize_t)n);
    close(fd);
    const int64_t offs[] = {0,    1,    4095,  4096,
                            4097, 8191, 12000, (int64_t)n - 1};
    for (size_t i = 0; i < sizeof offs / sizeof offs[0]; i++) {
        int64_t off = offs[i];
        const int64_t lens[] = {1, 2, 4096, (int64_t)n - off, -1};
        for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
            int64_t len = lens[k];
            if (len > (int64_t)n - off)
                continue;
            mv_owner *o;
            CHECK_OK(mv_owner_map_range(&o, path, off, len, 0));
            int64_t got = len < 0 ? (int64_t)n - off : len;
            CHECK_EQ(mv_owner_size(o), got);
            CHECK_TRUE(mv_owner_readonly(o));
            CHECK_TRUE(mv_owner_is_mapped(o));
            CHECK_TRUE(mv_owner_guarded(o));
            CHECK_TRUE(memcmp(mv_owner_data(o), want + off, (size_t)got) == 0);
            /* Through a view, with a guarded copy. */
            mv_view v;
            void *bytes;
            CHECK_OK(mv_view_from_owner(&v, o));
            CHECK_OK(mv_view_tobytes(&v, &bytes, MV_ORDER_C));
            CHECK_TRUE(memcmp(bytes, want + off, (size_t)got) == 0);
            free(bytes);
            CHECK_OK(mv_owner_advise(o, 0, -1, MV_ADVISE_SEQUENTIAL));
            CHECK_OK(mv_owner_flush(o, 0, -1)); /* read-only: nothing */
            CHECK_OK(mv_view_release(&v));
            mv_owner_release(o);
        }
    }
}

static void test_range_errors(void **state) {
    (void)state;
    char empty[300], want[600];
    mv_owner *o = NULL;
    write_random(path, 100, 1);
    CHECK_ERR(mv_owner_map_range(&o, path, 101, -1, 0), MV_EVALUE,
              "mmap offset is greater than file size");
    CHECK_ERR(mv_owner_map_range(&o, path, 100, -1, 0), MV_EVALUE,
              "mmap offset is greater than file size");
    CHECK_ERR(mv_owner_map_range(&o, path, 50, 51, 0), MV_EVALUE,
              "mmap length is greater than file size");
    CHECK_ERR(mv_owner_map_range(&o, path, 0, 0, 0), MV_EVALUE,
              "cannot mmap an empty range");
    CHECK_ERR(mv_owner_map_range(&o, path, -1, 1, 0), MV_EOVERFLOW,
              "memory mapped offset must be positive");
    CHECK_ERR(mv_owner_map_range(&o, path, 0, -2, 0), MV_EOVERFLOW,
              "memory mapped length must be positive");
    CHECK_STATUS(mv_owner_map_range(&o, path, 0, 1, 0x80), MV_EVALUE);
    snprintf(empty, sizeof empty, "%s/empty", dir);
    write_random(empty, 0, 1);
    CHECK_ERR(mv_owner_map_range(&o, empty, 0, -1, 0), MV_EVALUE,
              "cannot mmap an empty file");
    unlink(empty);
    snprintf(want, sizeof want, "[Errno %d] %s: '%s'", EISDIR, strerror(EISDIR),
             dir);
    CHECK_ERR(mv_owner_map_range(&o, dir, 0, -1, 0), MV_EOS, want);
    /* A FIFO with no writer: refused at once, not waited on. */
    assert_int_equal(mkfifo(fifo, 0600), 0);
    snprintf(want, sizeof want,
             "[Errno %d] %s (a FIFO cannot be mapped; only a regular file "
             "can): '%s'",
             ENODEV, strerror(ENODEV), fifo);
    CHECK_ERR(mv_owner_map_range(&o, fifo, 0, -1, 0), MV_EOS, want);
    CHECK_EQ(mv_errno(), ENODEV);
    unlink(fifo);
    CHECK_STATUS(mv_owner_map_range(&o, "/dev/null", 0, -1, 0), MV_EOS);
    CHECK_TRUE(o == NULL);
    /* Permission: a read-only file mapped for writing (root ignores mode
     * bits, so ask for it only when it applies). */
    assert_int_equal(chmod(path, 0400), 0);
    if (geteuid() != 0) {
        snprintf(want, sizeof want, "[Errno %d] %s: '%s'", EACCES,
                 strerror(EACCES), path);
        CHECK_ERR(mv_owner_map_range(&o, path, 0, -1, MV_MAP_WRITE), MV_EOS,
                  want);
    }
    assert_int_equal(chmod(path, 0600), 0);
    /* Flush and advice need a mapping and a range inside it. */
    mv_owner *bytes;
    CHECK_OK(mv_owner_new_bytes(&bytes, 10));
    CHECK_ERR(mv_owner_flush(bytes, 0, -1), MV_ETYPE,
              "flush needs a file mapping");
    mv_owner_release(bytes);
    CHECK_OK(mv_owner_map_range(&o, path, 10, 20, 0));
    CHECK_ERR(mv_owner_flush(o, 0, 21), MV_EVALUE, "flush range out of bounds");
    CHECK_ERR(mv_owner_advise(o, 21, -1, MV_ADVISE_RANDOM), MV_EVALUE,
              "advise range out of bounds");
    CHECK_STATUS(mv_owner_advise(o, 0, -1, (mv_advice)99), MV_EVALUE);
    CHECK_OK(mv_owner_advise(o, 3, 4, MV_ADVISE_WILLNEED));
    CHECK_OK(mv_owner_advise(o, 0, 20, MV_ADVISE_RANDOM));
    mv_owner_release(o);
}

static void test_writable_range_flush(void **state) {
    (void)state;
    const size_t n = 5 * 4096;
    write_random(path, n, 3);
    mv_owner *o;
    CHECK_OK(mv_owner_map_range(&o, path, 4096 + 10, 5000, MV_MAP_WRITE));
    CHECK_TRUE(!mv_owner_readonly(o));
    mv_view v;
    CHECK_OK(mv_view_from_owner(&v, o));
    mv_value x = {.type = MV_VAL_UINT, .u = 0xAB};
    CHECK_OK(mv_view_set(&v, 0, &x));
    CHECK_OK(mv_view_set(&v, -1, &x));
    CHECK_OK(mv_owner_flush(o, 0, 1));
    CHECK_OK(mv_owner_flush(o, 4999, 1));
    CHECK_OK(mv_owner_flush(o, 0, -1));
    /* A fresh read of the file, not through the mapping. */
    int fd = open(path, O_RDONLY);
    unsigned char c;
    assert_int_equal(pread(fd, &c, 1, 4096 + 10), 1);
    CHECK_EQ(c, 0xAB);
    assert_int_equal(pread(fd, &c, 1, 4096 + 10 + 4999), 1);
    CHECK_EQ(c, 0xAB);
    close(fd);
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
}

/* True when mmap() of fd at the page-aligned offset off shows the bytes
 * want there, as the file has them (false where an emulator truncates
 * the offset). */
static bool mmap_reaches(int fd, off_t off, const char *want) {
    char *p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, off);
    if (p == MAP_FAILED)
        return false;
    bool ok = memcmp(p, want, strlen(want)) == 0;
    munmap(p, 4096);
    return ok;
}

/* A 64 GiB sparse file: no disk cost, offsets far past 4 GiB. */
static void test_sparse_64g(void **state) {
    (void)state;
    const int64_t size = (int64_t)64 << 30;
    int fd = open(big, O_RDWR | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, (off_t)size), 0);
    const char tail[] = "the end";
    assert_int_equal(pwrite(fd, tail, 7, (off_t)(size - 7)), 7);
    assert_int_equal(pwrite(fd, "\x2a", 1, (off_t)5 << 32), 1);
    assert_int_equal(pwrite(fd, "60G", 3, (off_t)60 << 30), 3);
    bool far = mmap_reaches(fd, (off_t)60 << 30, "60G");
    close(fd);

    mv_owner *o;
#if PTRDIFF_MAX <= INT32_MAX
    /* a 32-bit address space holds no range of 2 GiB or more: an
     * OverflowError, never a truncated size */
    o = NULL;
    CHECK_ERR(mv_owner_map_range(&o, big, 0, -1, 0), MV_EOVERFLOW,
              "mmap length is too large");
    CHECK_ERR(
        mv_owner_map_range(&o, big, (int64_t)60 << 30, (int64_t)3 << 30, 0),
        MV_EOVERFLOW, "mmap length is too large");
    CHECK_ERR(mv_owner_map_range(&o, big, 0, (int64_t)1 << 32, 0), MV_EOVERFLOW,
              "mmap length is too large");
    CHECK_TRUE(o == NULL);
#endif
    if (!far) {
        unlink(big);
        print_message("mmap() of this system maps offsets past 4 GiB at "
                      "the wrong place (qemu-user 7 with a 32-bit program "
                      "cuts them to 32 bits): skipped\n");
        skip();
    }
    CHECK_OK(mv_owner_map_range(&o, big, size - 7, 7, 0));
    CHECK_TRUE(memcmp(mv_owner_data(o), tail, 7) == 0);
    mv_owner_release(o);

    /* At 60 GiB: file offsets are 64-bit on every target */
    CHECK_OK(mv_owner_map_range(&o, big, ((int64_t)60 << 30) - 3, 10, 0));
    CHECK_EQ(mv_owner_size(o), 10);
    CHECK_TRUE(memcmp(mv_owner_data(o),
                      "\0\0\0"
                      "60G\0\0\0\0",
                      10) == 0);
    mv_owner_release(o);

    /* Near 20 GiB, a range that straddles a page; counted inside the
     * guard. */
    CHECK_OK(mv_owner_map_range(&o, big, ((int64_t)5 << 32) - 100, 200, 0));
    mv_view v;
    mv_ssize n;
    mv_value x = {.type = MV_VAL_UINT, .u = 0x2a};
    CHECK_OK(mv_view_from_owner(&v, o));
    mv_owner_release(o);
    CHECK_OK(mv_view_count(&v, &x, &n));
    CHECK_EQ(n, 1);
    CHECK_OK(mv_view_index(&v, &x, 0, MV_END, &n));
    CHECK_EQ(n, 100);
    CHECK_OK(mv_view_release(&v));

    /* The whole file: 64 GiB of address space, touched only at the end
     * (more than valgrind's address space holds: skipped under it). */
    const char *preload = getenv("LD_PRELOAD");
    if (preload && strstr(preload, "vgpreload")) {
        unlink(big);
        return;
    }
#if PTRDIFF_MAX > INT32_MAX
    /* qemu-user gives its 64-bit programs less address space than that */
    int bfd = open(big, O_RDONLY);
    assert_true(bfd >= 0);
    void *whole = mmap(NULL, (size_t)size, PROT_READ, MAP_SHARED, bfd, 0);
    close(bfd);
    if (whole == MAP_FAILED) {
        unlink(big);
        print_message("mmap() of 64 GiB fails on this system (%s): the "
                      "whole-file mapping is skipped\n",
                      strerror(errno));
        skip();
    }
    munmap(whole, (size_t)size);
    CHECK_OK(mv_owner_map_range(&o, big, 0, -1, 0));
    CHECK_EQ(mv_owner_size(o), size);
    CHECK_TRUE(memcmp((char *)mv_owner_data(o) + size - 7, tail, 7) == 0);
    mv_owner_release(o);
#endif
    unlink(big);
}

static int setup(void **state) {
    (void)state;
    if (!mkdtemp(dir))
        return -1;
    snprintf(path, sizeof path, "%s/data", dir);
    snprintf(big, sizeof big, "%s/big", dir);
    snprintf(fifo, sizeof fifo, "%s/fifo", dir);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    unlink(path);
    unlink(big);
    unlink(fifo);
    return rmdir(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ranges_match_pread),
        cmocka_unit_test(test_range_errors),
        cmocka_unit_test(test_writable_range_flush),
        cmocka_unit_test(test_sparse_64g),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
