/*
 * test_maprange.c -- mappings of byte ranges: contents against the file
 * read with pread, alignment hidden, errors as Python's mmap words them,
 * writable ranges through flush, hints, and a 64 GiB sparse file.
 */
#define _POSIX_C_SOURCE 200809L
#define _FILE_OFFSET_BITS 64
#include "test_util.h"

#include "test_os.h"

static char dir[160];
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
    static char want[3 * 4096 + 123];
    assert_int_equal(tu_read_at(path, 0, want, n), (long long)n);
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
            mv_free(bytes);
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
    tu_unlink(empty);
    tu_want_isdir(want, sizeof want, dir);
    CHECK_ERR(mv_owner_map_range(&o, dir, 0, -1, 0), MV_EOS, want);
#ifndef _WIN32
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
#else
    /* A character device: refused at once, not waited on. */
    snprintf(want, sizeof want,
             "[Errno %d] %s (a character device cannot be mapped; only a "
             "regular file can): '%s'",
             ENODEV, strerror(ENODEV), "NUL");
    CHECK_ERR(mv_owner_map_range(&o, "NUL", 0, -1, 0), MV_EOS, want);
    CHECK_EQ(mv_errno(), ENODEV);
    CHECK_TRUE(o == NULL);
    /* Permission: a read-only file mapped for writing (wine run by root
     * ignores the attribute, as root ignores mode bits: ask for it only
     * when the system refuses to open the file for writing). */
    assert_int_equal(_chmod(path, _S_IREAD), 0);
    HANDLE h = CreateFileA(path, GENERIC_WRITE, 0, NULL, OPEN_EXISTING,
                           FILE_ATTRIBUTE_NORMAL, NULL);
    if (h == INVALID_HANDLE_VALUE) {
        tu_want_winerror(want, sizeof want, ERROR_ACCESS_DENIED, path);
        CHECK_ERR(mv_owner_map_range(&o, path, 0, -1, MV_MAP_WRITE), MV_EOS,
                  want);
        CHECK_EQ(mv_errno(), EACCES);
    } else {
        CloseHandle(h);
        print_message("a read-only file opens for writing here: the "
                      "permission check does not apply\n");
    }
    assert_int_equal(_chmod(path, _S_IREAD | _S_IWRITE), 0);
#endif
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
    unsigned char c;
    assert_int_equal(tu_read_at(path, 4096 + 10, &c, 1), 1);
    CHECK_EQ(c, 0xAB);
    assert_int_equal(tu_read_at(path, 4096 + 10 + 4999, &c, 1), 1);
    CHECK_EQ(c, 0xAB);
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
}

#ifndef _WIN32
#include <sys/mman.h>
/* Whether a plain mmap of the whole file succeeds here. It does not under
 * qemu-user 7.2, which first reserves the guest's range with a shared
 * anonymous mapping of the same length: Linux's overcommit rule refuses
 * that (ENOMEM) beyond RAM plus swap, whatever the file. Lengths past the
 * address space are the library's to refuse, not asked here. */
static int system_maps_whole(const char *file, int64_t size) {
    if ((uint64_t)size > SIZE_MAX)
        return 1;
    int fd = open(file, O_RDONLY);
    assert_true(fd >= 0);
    void *p = mmap(NULL, (size_t)size, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (p == MAP_FAILED)
        return 0;
    munmap(p, (size_t)size);
    return 1;
}

/* Whether mmap() of file at the page-aligned offset off shows the bytes
 * want there, as the file has them (not where an emulator cuts the offset
 * to 32 bits). */
static int system_maps_at(const char *file, int64_t off, const char *want) {
    int fd = open(file, O_RDONLY);
    assert_true(fd >= 0);
    char *p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, (off_t)off);
    close(fd);
    if (p == MAP_FAILED)
        return 0;
    int ok = memcmp(p, want, strlen(want)) == 0;
    munmap(p, 4096);
    return ok;
}
#else
static int system_maps_whole(const char *file, int64_t size) {
    (void)file, (void)size;
    return 1;
}
static int system_maps_at(const char *file, int64_t off, const char *want) {
    (void)file, (void)off, (void)want;
    return 1;
}
#endif

/* A 64 GiB sparse file: no disk cost, offsets far past 4 GiB. */
static void test_sparse_64g(void **state) {
    (void)state;
    const int64_t size = (int64_t)64 << 30;
    assert_int_equal(tu_make_sparse(big, size), 0);
    const char tail[] = "the end";
    assert_int_equal(tu_write_at(big, size - 7, tail, 7), 7);
    assert_int_equal(tu_write_at(big, (int64_t)5 << 32, "\x2a", 1), 1);
    assert_int_equal(tu_write_at(big, (int64_t)60 << 30, "60G", 3), 3);

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
    if (!system_maps_at(big, (int64_t)60 << 30, "60G")) {
        tu_unlink(big);
        print_message("mmap() of this system maps offsets past 4 GiB at "
                      "the wrong place (qemu-user 7 with a 32-bit program "
                      "cuts them to 32 bits): skipped\n");
        skip();
    }
    /* A range at 60 GiB, on 32-bit builds too. */
    CHECK_OK(mv_owner_map_range(&o, big, ((int64_t)60 << 30) + 1, 2, 0));
    CHECK_TRUE(memcmp(mv_owner_data(o), "0G", 2) == 0);
    mv_owner_release(o);
    CHECK_OK(mv_owner_map_range(&o, big, size - 7, 7, 0));
    CHECK_TRUE(memcmp(mv_owner_data(o), tail, 7) == 0);
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
#if PTRDIFF_MAX <= INT32_MAX
    tu_unlink(big); /* no 32-bit address space holds the whole file */
    return;
#endif
    if (!system_maps_whole(big, size)) {
        print_message("test_sparse_64g: whole file not mapped: this system "
                      "refuses a plain mmap of 64 GiB (qemu-user 7.2)\n");
        tu_unlink(big);
        return;
    }

    /* The whole file: 64 GiB of address space, touched only at the end
     * (more than valgrind's address space holds: skipped under it). */
    const char *preload = getenv("LD_PRELOAD");
    if (preload && strstr(preload, "vgpreload")) {
        tu_unlink(big);
        return;
    }
    CHECK_OK(mv_owner_map_range(&o, big, 0, -1, 0));
    CHECK_EQ(mv_owner_size(o), size);
    CHECK_TRUE(memcmp((char *)mv_owner_data(o) + size - 7, tail, 7) == 0);
    mv_owner_release(o);
    tu_unlink(big);
}

static int setup(void **state) {
    (void)state;
    if (tu_mkdtemp(dir, sizeof dir, "memview-maprange") < 0)
        return -1;
    snprintf(path, sizeof path, "%s/data", dir);
    snprintf(big, sizeof big, "%s/big", dir);
    snprintf(fifo, sizeof fifo, "%s/fifo", dir);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    tu_unlink(path);
    tu_unlink(big);
    tu_unlink(fifo);
    return tu_rmdir(dir);
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
