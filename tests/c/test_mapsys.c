/*
 * test_mapsys.c -- mappings the system refuses, worded as Python's mmap
 * words them, and the bounds of flush and advice on an empty span.
 *
 * A write-sealed memfd is a regular file that cannot be mapped for
 * writing (EPERM): it is reached by its /proc/self/fd path, as any path.
 */
#define _GNU_SOURCE
#include "test_util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* A memfd of n bytes of 'a', sealed against writes; its path in *path. */
static int sealed_memfd(char *path, size_t size, size_t n) {
    int fd = memfd_create("memview-sealed", MFD_ALLOW_SEALING);
    assert_true(fd >= 0);
    char buf[64];
    memset(buf, 'a', sizeof buf);
    assert_true(n <= sizeof buf);
    assert_int_equal(write(fd, buf, n), (ssize_t)n);
    assert_int_equal(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), 0);
    snprintf(path, size, "/proc/self/fd/%d", fd);
    return fd;
}

static void test_mmap_refused(void **state) {
    (void)state;
    char path[64], want[256];
    int fd = sealed_memfd(path, sizeof path, 10);
    mv_owner *o = NULL;
    snprintf(want, sizeof want, "[Errno %d] %s: '%s'", EPERM, strerror(EPERM),
             path);
    CHECK_ERR(mv_owner_map_range(&o, path, 0, -1, MV_MAP_WRITE), MV_EOS, want);
    CHECK_EQ(mv_errno(), EPERM);
    CHECK_TRUE(o == NULL);
    CHECK_ERR(mv_owner_map(&o, path, 1), MV_EOS, want);
    CHECK_TRUE(o == NULL);
    /* read-only, it maps, and reads what was written */
    CHECK_OK(mv_owner_map(&o, path, 0));
    CHECK_EQ(mv_owner_size(o), 10);
    CHECK_TRUE(memcmp(mv_owner_data(o), "aaaaaaaaaa", 10) == 0);
    mv_owner_release(o);
    close(fd);
}

/* Flush and advice: spans out of bounds, and empty spans (nothing to do). */
static void test_span_bounds(void **state) {
    (void)state;
    char path[] = "/tmp/memview-mapsys-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "0123456789abcdefghij", 20), 20);
    close(fd);
    mv_owner *o;
    CHECK_OK(mv_owner_map_range(&o, path, 0, -1, MV_MAP_WRITE));
    const mv_ssize bad[][2] = {{-1, 1}, {-1, -1}, {0, -2}, {21, -1},
                               {21, 0}, {0, 21},  {5, 16}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_ERR(mv_owner_flush(o, bad[i][0], bad[i][1]), MV_EVALUE,
                  "flush range out of bounds");
        CHECK_ERR(mv_owner_advise(o, bad[i][0], bad[i][1], MV_ADVISE_NORMAL),
                  MV_EVALUE, "advise range out of bounds");
    }
    /* empty spans, at the start and at the end */
    CHECK_OK(mv_owner_flush(o, 0, 0));
    CHECK_OK(mv_owner_advise(o, 0, 0, MV_ADVISE_WILLNEED));
    CHECK_OK(mv_owner_flush(o, 20, -1));
    CHECK_OK(mv_owner_advise(o, 20, -1, MV_ADVISE_DONTNEED));
    mv_owner_release(o);
    unlink(path);
}

/* A block device is refused as the other files that are not regular. The
 * machine may have none in /dev (then there is nothing to check). */
static void test_block_device_refused(void **state) {
    (void)state;
    DIR *d = opendir("/dev");
    if (!d)
        return;
    char path[300] = "";
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        struct stat st;
        char p[300];
        snprintf(p, sizeof p, "/dev/%s", e->d_name);
        int fd = open(p, O_RDONLY | O_NONBLOCK);
        if (fd < 0)
            continue;
        int blk = fstat(fd, &st) == 0 && S_ISBLK(st.st_mode);
        close(fd);
        if (blk) {
            snprintf(path, sizeof path, "%s", p);
            break;
        }
    }
    closedir(d);
    if (!path[0]) {
        print_message("no block device in /dev: nothing to check\n");
        return;
    }
    char want[400];
    snprintf(want, sizeof want,
             "[Errno %d] %s (a block device cannot be mapped; only a regular "
             "file can): '%s'",
             ENODEV, strerror(ENODEV), path);
    mv_owner *o = NULL;
    CHECK_ERR(mv_owner_map_range(&o, path, 0, -1, 0), MV_EOS, want);
    CHECK_TRUE(o == NULL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mmap_refused),
        cmocka_unit_test(test_span_bounds),
        cmocka_unit_test(test_block_device_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
