/*
 * test_oserr.c -- system calls of file mappings that fail: each failure
 * is an OSError-kind status worded as Python's ("[Errno 5] Input/output
 * error"), with errno set, and leaves the outputs untouched.
 *
 * This program is linked with -Wl,--wrap=fstat64,--wrap=msync,
 * --wrap=posix_madvise, so the library's calls (linked in statically) go
 * through the wrappers below, which fail the next call of the function
 * armed with EIO and pass every other call on.
 */
#define _POSIX_C_SOURCE 200809L
#define _FILE_OFFSET_BITS 64
#include "test_util.h"

#include <errno.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int __real_fstat64(int fd, struct stat *st);
int __real_msync(void *addr, size_t len, int flags);
int __real_posix_madvise(void *addr, size_t len, int advice);

static const char *armed; /* the function whose next call fails */

static bool take(const char *fn) {
    if (!armed || strcmp(armed, fn) != 0)
        return false;
    armed = NULL;
    return true;
}

int __wrap_fstat64(int fd, struct stat *st) {
    if (take("fstat")) {
        errno = EIO;
        return -1;
    }
    return __real_fstat64(fd, st);
}
int __wrap_msync(void *addr, size_t len, int flags) {
    if (take("msync")) {
        errno = EIO;
        return -1;
    }
    return __real_msync(addr, len, flags);
}
int __wrap_posix_madvise(void *addr, size_t len, int advice) {
    if (take("posix_madvise"))
        return EIO; /* posix_madvise returns the error number */
    return __real_posix_madvise(addr, len, advice);
}

static char path[] = "/tmp/memview-oserr-XXXXXX";

static char want[300];

static const char *eio(const char *suffix) {
    snprintf(want, sizeof want, "[Errno %d] %s%s", EIO, strerror(EIO), suffix);
    return want;
}

/* fstat of the file just opened for mapping */
static void test_open_fstat_fails(void **state) {
    (void)state;
    mv_owner *o = (mv_owner *)&o;
    char suffix[64];
    snprintf(suffix, sizeof suffix, ": '%s'", path);
    armed = "fstat";
    CHECK_ERR(mv_owner_map(&o, path, 0), MV_EOS, eio(suffix));
    CHECK_EQ(mv_errno(), EIO);
    CHECK_TRUE(o == (mv_owner *)&o);
    CHECK_TRUE(armed == NULL);
    /* the file was closed: mapping it again works */
    CHECK_OK(mv_owner_map(&o, path, 0));
    CHECK_EQ(mv_owner_size(o), 16);
    mv_owner_release(o);
}

/* msync of a flush, posix_madvise of advice */
static void test_flush_and_advice_fail(void **state) {
    (void)state;
    mv_owner *o;
    CHECK_OK(mv_owner_map(&o, path, 1));
    armed = "msync";
    CHECK_ERR(mv_owner_flush(o, 0, -1), MV_EOS, eio(""));
    CHECK_EQ(mv_errno(), EIO);
    CHECK_OK(mv_owner_flush(o, 0, -1));
    armed = "posix_madvise";
    CHECK_ERR(mv_owner_advise(o, 0, -1, MV_ADVISE_SEQUENTIAL), MV_EOS, eio(""));
    CHECK_EQ(mv_errno(), EIO);
    CHECK_OK(mv_owner_advise(o, 0, -1, MV_ADVISE_SEQUENTIAL));
    CHECK_TRUE(armed == NULL);
    mv_owner_release(o);
}

/* fstat of the check that follows a guarded operation on a mapping (is
 * the file still as long as the mapping?) */
static void test_shrink_check_fails(void **state) {
    (void)state;
    mv_owner *o;
    mv_view v;
    CHECK_OK(mv_owner_map(&o, path, 0));
    CHECK_OK(mv_view_from_owner(&v, o));
    mv_owner_release(o);
    void *bytes = (void *)&bytes;
    armed = "fstat";
    CHECK_ERR(mv_view_tobytes(&v, &bytes, MV_ORDER_C), MV_EOS, eio(""));
    CHECK_TRUE(bytes == (void *)&bytes);
    CHECK_TRUE(armed == NULL);
    CHECK_OK(mv_view_tobytes(&v, &bytes, MV_ORDER_C));
    CHECK_TRUE(memcmp(bytes, "0123456789abcdef", 16) == 0);
    mv_free(bytes);
    CHECK_OK(mv_view_release(&v));
}

static int setup(void **state) {
    (void)state;
    int fd = mkstemp(path);
    if (fd < 0)
        return -1;
    int ok = write(fd, "0123456789abcdef", 16) == 16;
    close(fd);
    return ok ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    return unlink(path);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_fstat_fails),
        cmocka_unit_test(test_flush_and_advice_fail),
        cmocka_unit_test(test_shrink_check_fails),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
