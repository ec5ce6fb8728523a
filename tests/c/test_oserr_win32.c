/*
 * test_oserr_win32.c -- Windows calls of file mappings that fail: each
 * failure is an OSError-kind status worded as CPython's OSError on
 * Windows ("[WinError 1117] <the system's text>"), with errno set as
 * CPython sets it, and leaves the outputs untouched. The Windows twin of
 * test_oserr.c.
 *
 * This program is linked with -Wl,--wrap=__imp_GetFileSizeEx and the
 * like: the library's calls of those Windows functions go through their
 * import pointers, which the wrappers below replace with functions that
 * fail the next call of the function armed (ERROR_IO_DEVICE) and pass
 * every other call on.
 */
#include "test_util.h"

#include "test_os.h"

#include <stdbool.h>

static const char *armed; /* the function whose next call fails */

static bool take(const char *fn) {
    if (!armed || strcmp(armed, fn) != 0)
        return false;
    armed = NULL;
    SetLastError(ERROR_IO_DEVICE);
    return true;
}

/* The import pointers: __real___imp_F is Windows' F, __wrap___imp_F what
 * the library calls instead. */
#define WRAP(ret, name, params, args, failed)                                  \
    extern ret(WINAPI *__real___imp_##name) params;                            \
    static ret WINAPI fake_##name params {                                     \
        if (take(#name))                                                       \
            return failed;                                                     \
        return __real___imp_##name args;                                       \
    }                                                                          \
    ret(WINAPI *__wrap___imp_##name) params = fake_##name;

WRAP(BOOL, GetFileSizeEx, (HANDLE h, PLARGE_INTEGER size), (h, size), FALSE)
WRAP(BOOL, FlushViewOfFile, (LPCVOID p, SIZE_T n), (p, n), FALSE)
WRAP(BOOL, FlushFileBuffers, (HANDLE h), (h), FALSE)
WRAP(HANDLE, CreateFileMappingW,
     (HANDLE h, LPSECURITY_ATTRIBUTES sa, DWORD prot, DWORD hi, DWORD lo,
      LPCWSTR name),
     (h, sa, prot, hi, lo, name), NULL)
WRAP(LPVOID, MapViewOfFile,
     (HANDLE h, DWORD access, DWORD hi, DWORD lo, SIZE_T n),
     (h, access, hi, lo, n), NULL)

static char dir[160], path[200];

static const char *io_error(const char *p) {
    static char want[600];
    tu_want_winerror(want, sizeof want, ERROR_IO_DEVICE, p);
    return want;
}

/* The size of the file just opened, its section, its view */
static void test_open_and_map_fail(void **state) {
    (void)state;
    const char *calls[] = {"GetFileSizeEx", "CreateFileMappingW",
                           "MapViewOfFile"};
    for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++) {
        mv_owner *o = (mv_owner *)&o;
        armed = calls[i];
        CHECK_ERR(mv_owner_map(&o, path, 0), MV_EOS, io_error(path));
        CHECK_EQ(mv_errno(), EINVAL); /* CPython's errno for 1117 */
        CHECK_TRUE(o == (mv_owner *)&o);
        CHECK_TRUE(armed == NULL);
        /* the file was closed: mapping it again, for writing, works */
        CHECK_OK(mv_owner_map(&o, path, 1));
        CHECK_EQ(mv_owner_size(o), 16);
        mv_owner_release(o);
    }
}

/* Both halves of a flush */
static void test_flush_fails(void **state) {
    (void)state;
    mv_owner *o;
    CHECK_OK(mv_owner_map(&o, path, 1));
    armed = "FlushViewOfFile";
    CHECK_ERR(mv_owner_flush(o, 0, -1), MV_EOS, io_error(NULL));
    CHECK_TRUE(armed == NULL);
    armed = "FlushFileBuffers";
    CHECK_ERR(mv_owner_flush(o, 3, 4), MV_EOS, io_error(NULL));
    CHECK_TRUE(armed == NULL);
    CHECK_OK(mv_owner_flush(o, 0, -1));
    mv_owner_release(o);
}

/* The size check that follows a guarded operation on a mapping */
static void test_shrink_check_fails(void **state) {
    (void)state;
    mv_owner *o;
    mv_view v;
    CHECK_OK(mv_owner_map(&o, path, 0));
    CHECK_OK(mv_view_from_owner(&v, o));
    mv_owner_release(o);
    void *bytes = (void *)&bytes;
    armed = "GetFileSizeEx";
    CHECK_ERR(mv_view_tobytes(&v, &bytes, MV_ORDER_C), MV_EOS, io_error(NULL));
    CHECK_TRUE(bytes == (void *)&bytes);
    CHECK_TRUE(armed == NULL);
    CHECK_OK(mv_view_tobytes(&v, &bytes, MV_ORDER_C));
    CHECK_TRUE(memcmp(bytes, "0123456789abcdef", 16) == 0);
    mv_free(bytes);
    CHECK_OK(mv_view_release(&v));
}

static int setup(void **state) {
    (void)state;
    if (tu_mkdtemp(dir, sizeof dir, "memview-oserr") < 0)
        return -1;
    snprintf(path, sizeof path, "%s\\data", dir);
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    int ok = fwrite("0123456789abcdef", 1, 16, f) == 16;
    return fclose(f) == 0 && ok ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    tu_unlink(path);
    return tu_rmdir(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_and_map_fail),
        cmocka_unit_test(test_flush_fails),
        cmocka_unit_test(test_shrink_check_fails),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
