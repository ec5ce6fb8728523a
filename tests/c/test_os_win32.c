/*
 * test_os_win32.c -- the Windows platform layer (src/os_win32.c): mappings
 * at offsets that are not multiples of the 64 KiB allocation granularity,
 * flush, advice, errors worded as CPython's OSError on Windows, binary
 * streams, and the fault guard (a vectored exception handler).
 *
 * Faults. Windows refuses to truncate a file while a view of it exists
 * (ERROR_USER_MAPPED_FILE), so the POSIX way to make a mapping fault is
 * closed to a Windows program, under wine too (checked below). Under wine
 * a Unix program can truncate the file, and wine turns the SIGBUS of the
 * mapping into an exception of the faulting thread (wine reports it as
 * EXCEPTION_ACCESS_VIOLATION, where Windows gives EXCEPTION_IN_PAGE_ERROR
 * for a page the file cannot give); test_shrink_under_wine does that.
 * On Windows itself it is skipped: no program there can shrink a mapped
 * file. EXCEPTION_IN_PAGE_ERROR is raised with RaiseException() from
 * inside a guarded region, which takes the handler's path of a real one
 * (the exception record of a fault has the same two parameters).
 */
#include "test_util.h"

#include "test_os.h"

#include "internal.h"
#include "os.h"

#include <process.h>

static char dir[160], path[200];

enum { FILE_SIZE = 5 * 65536 + 321 };
static unsigned char content[FILE_SIZE];

static void write_content(void) {
    uint64_t seed = 11;
    for (size_t i = 0; i < FILE_SIZE; i++)
        content[i] = (unsigned char)(tu_rand(&seed) >> 56);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(content, 1, FILE_SIZE, f), FILE_SIZE);
    assert_int_equal(fclose(f), 0);
}

/* ---- mappings ------------------------------------------------------------ */

static void test_granularity(void **state) {
    (void)state;
    SYSTEM_INFO si;
    GetSystemInfo(&si);
    CHECK_EQ(mv__os_granularity(), si.dwAllocationGranularity);
    CHECK_EQ(mv__os_page_size(), si.dwPageSize);
    CHECK_EQ(mv__os_granularity() % mv__os_page_size(), 0);
}

static void test_ranges_at_any_offset(void **state) {
    (void)state;
    write_content();
    const int64_t g = (int64_t)mv__os_granularity();
    const int64_t offs[] = {0,     1,         4095,          4096,
                            g - 1, g,         g + 1,         2 * g + 12345,
                            3 * g, 4 * g - 7, FILE_SIZE - 1, 5 * g + 1};
    for (size_t i = 0; i < sizeof offs / sizeof offs[0]; i++) {
        int64_t off = offs[i];
        const int64_t lens[] = {1, 2, 4096, g, g + 1, FILE_SIZE - off, -1};
        for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
            int64_t len = lens[k];
            if (len > FILE_SIZE - off)
                continue;
            int64_t n = len < 0 ? FILE_SIZE - off : len;
            mv_owner *o;
            CHECK_OK(mv_owner_map_range(&o, path, off, len, 0));
            CHECK_EQ(mv_owner_size(o), n);
            CHECK_TRUE(memcmp(mv_owner_data(o), content + off, (size_t)n) == 0);
            /* A guarded copy reads the same bytes. */
            mv_view v;
            void *bytes;
            CHECK_OK(mv_view_from_owner(&v, o));
            CHECK_OK(mv_view_tobytes(&v, &bytes, MV_ORDER_C));
            CHECK_TRUE(memcmp(bytes, content + off, (size_t)n) == 0);
            mv_free(bytes);
            CHECK_OK(mv_view_release(&v));
            mv_owner_release(o);
        }
    }
}

static void test_write_flush_at_offset(void **state) {
    (void)state;
    write_content();
    const int64_t off = 2 * 65536 + 777, len = 65536 + 3;
    mv_owner *o;
    CHECK_OK(mv_owner_map_range(&o, path, off, len, MV_MAP_WRITE));
    unsigned char *p = mv_owner_data(o);
    p[0] = (unsigned char)~content[off];
    p[len - 1] = (unsigned char)~content[off + len - 1];
    CHECK_OK(mv_owner_flush(o, 0, 1));
    CHECK_OK(mv_owner_flush(o, len - 1, 1));
    CHECK_OK(mv_owner_flush(o, 0, -1));
    CHECK_OK(mv_owner_flush(o, len, 0));
    /* The file, read apart from the mapping, has the new bytes. */
    unsigned char c;
    assert_int_equal(tu_read_at(path, off, &c, 1), 1);
    CHECK_EQ(c, (unsigned char)~content[off]);
    assert_int_equal(tu_read_at(path, off + len - 1, &c, 1), 1);
    CHECK_EQ(c, (unsigned char)~content[off + len - 1]);
    assert_int_equal(tu_read_at(path, off + len, &c, 1), 1);
    CHECK_EQ(c, content[off + len]);
    mv_owner_release(o);
}

static void test_advice_is_accepted(void **state) {
    (void)state;
    write_content();
    mv_owner *o;
    CHECK_OK(mv_owner_map_range(&o, path, 65536 + 5, 1000, 0));
    const mv_advice all[] = {MV_ADVISE_NORMAL, MV_ADVISE_SEQUENTIAL,
                             MV_ADVISE_RANDOM, MV_ADVISE_WILLNEED,
                             MV_ADVISE_DONTNEED};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        CHECK_OK(mv_owner_advise(o, 0, -1, all[i]));
        CHECK_OK(mv_owner_advise(o, 999, 1, all[i]));
    }
    /* The portable checks come first. */
    CHECK_ERR(mv_owner_advise(o, 0, -1, (mv_advice)5), MV_EVALUE,
              "unknown advice 5");
    CHECK_ERR(mv_owner_advise(o, 1000, 1, MV_ADVISE_NORMAL), MV_EVALUE,
              "advise range out of bounds");
    /* The bytes are still those of the file. */
    CHECK_TRUE(memcmp(mv_owner_data(o), content + 65536 + 5, 1000) == 0);
    mv_owner_release(o);
}

/* ---- errors -------------------------------------------------------------- */

static void test_error_wording(void **state) {
    (void)state;
    char missing[300], want[600];
    mv_owner *o = NULL;
    snprintf(missing, sizeof missing, "%s\\missing", dir);
    tu_want_winerror(want, sizeof want, ERROR_FILE_NOT_FOUND, missing);
    CHECK_ERR(mv_owner_map(&o, missing, 0), MV_EOS, want);
    CHECK_EQ(mv_errno(), ENOENT);
    CHECK_TRUE(o == NULL);
    /* The system's text keeps no trailing period, CR or LF. */
    const char *m = mv_errmsg();
    const char *tail = strstr(m, ": '");
    assert_non_null(tail);
    CHECK_TRUE(tail > m && tail[-1] != '.' && tail[-1] != '\n' &&
               tail[-1] != '\r' && tail[-1] != ' ');
    CHECK_TRUE(strncmp(m, "[WinError 2] ", 13) == 0 && m + 13 < tail);
    /* A directory on the way that does not exist: ERROR_PATH_NOT_FOUND. */
    snprintf(missing, sizeof missing, "%s\\no-dir\\file", dir);
    tu_want_winerror(want, sizeof want, ERROR_PATH_NOT_FOUND, missing);
    CHECK_ERR(mv_owner_map(&o, missing, 0), MV_EOS, want);
    CHECK_EQ(mv_errno(), ENOENT);
    /* A path that is not UTF-8. */
    CHECK_STATUS(mv_owner_map(&o, "bad-\xff-name", 0), MV_EOS);
    CHECK_TRUE(strncmp(mv_errmsg(), "[WinError 1113] ", 16) == 0);
    CHECK_TRUE(strstr(mv_errmsg(), ": 'bad-\xff-name'") != NULL);
    CHECK_EQ(mv_errno(), EILSEQ);
    /* Paths in UTF-8 reach the file system as UTF-16. */
    char utf8[300];
    snprintf(utf8, sizeof utf8, "%s\\caf\xc3\xa9-\xe2\x82\xac.bin", dir);
    wchar_t wide[300];
    assert_true(MultiByteToWideChar(CP_UTF8, 0, utf8, -1, wide, 300) > 0);
    HANDLE h = CreateFileW(wide, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS,
                           FILE_ATTRIBUTE_NORMAL, NULL);
    assert_true(h != INVALID_HANDLE_VALUE);
    DWORD put;
    assert_true(WriteFile(h, "euro", 4, &put, NULL) && put == 4);
    CloseHandle(h);
    CHECK_OK(mv_owner_map(&o, utf8, 0));
    CHECK_TRUE(memcmp(mv_owner_data(o), "euro", 4) == 0);
    mv_owner_release(o);
    assert_true(DeleteFileW(wide));
}

/* The layer's own calls: an error code with no system text, a failing
 * flush and file size. */
static void test_layer_errors(void **state) {
    (void)state;
    char want[600];
    snprintf(want, sizeof want, "Windows Error 0x%x", 0x2ffffff0u);
    CHECK_STATUS(mv__os_error(0x2ffffff0, NULL), MV_EOS);
    CHECK_TRUE(strcmp(mv_errmsg() + strlen("[WinError 805306352] "), want) ==
               0);
    CHECK_EQ(mv_errno(), EINVAL);
    int64_t size = 0;
    CHECK_STATUS(mv__os_size((mv__os_file)INVALID_HANDLE_VALUE, &size), MV_EOS);
    tu_want_winerror(want, sizeof want, ERROR_INVALID_HANDLE, NULL);
    CHECK_TRUE(strcmp(mv_errmsg(), want) == 0);
    CHECK_EQ(mv_errno(), EBADF);
    /* A flush whose file cannot be flushed. */
    write_content();
    mv__os_file file;
    mv__os_mapping m;
    char *data = NULL;
    CHECK_OK(mv__os_open(path, 1, &file, &size));
    CHECK_EQ(size, FILE_SIZE);
    CHECK_OK(mv__os_map(file, path, 65536 + 1, 100, 1, &m, &data));
    CHECK_TRUE(data == m.base + 1 && m.len == 101);
    CHECK_TRUE(memcmp(data, content + 65536 + 1, 100) == 0);
    CHECK_OK(mv__os_flush(file, m.base, m.len));
    CHECK_STATUS(mv__os_flush((mv__os_file)INVALID_HANDLE_VALUE, m.base, m.len),
                 MV_EOS);
    tu_want_winerror(want, sizeof want, ERROR_INVALID_HANDLE, NULL);
    CHECK_TRUE(strcmp(mv_errmsg(), want) == 0);
    mv__os_unmap(&m);
    mv__os_close(file);
    /* A section of an empty file cannot be made. */
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fclose(f), 0);
    CHECK_OK(mv__os_open(path, 0, &file, &size));
    CHECK_EQ(size, 0);
    CHECK_STATUS(mv__os_map(file, path, 0, 1, 0, &m, &data), MV_EOS);
    tu_want_winerror(want, sizeof want, ERROR_FILE_INVALID, path);
    CHECK_TRUE(strcmp(mv_errmsg(), want) == 0);
    mv__os_close(file);
    /* A character device (NUL) is not mapped, and not waited on. */
    snprintf(want, sizeof want,
             "[Errno %d] %s (a character device cannot be mapped; only a "
             "regular file can): 'NUL'",
             ENODEV, strerror(ENODEV));
    CHECK_ERR(mv__os_open("NUL", 0, &file, &size), MV_EOS, want);
    CHECK_EQ(mv_errno(), ENODEV);
}

/* ---- streams ------------------------------------------------------------- */

static void test_binary_stream(void **state) {
    (void)state;
    FILE *f = fopen(path, "w"); /* text mode: "\n" would become "\r\n" */
    assert_non_null(f);
    CHECK_EQ(mv__os_binary(f), 0);
    assert_true(fputs("a\nb\n", f) >= 0);
    assert_int_equal(fclose(f), 0);
    char got[8];
    CHECK_EQ(tu_read_at(path, 0, got, sizeof got), 4);
    CHECK_TRUE(memcmp(got, "a\nb\n", 4) == 0);
    /* And without it, the stream translates (so the test can fail). */
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("a\n", f);
    assert_int_equal(fclose(f), 0);
    CHECK_EQ(tu_read_at(path, 0, got, sizeof got), 3);
}

/* ---- the fault guard
 * ---------------------------------------------------------- */

/* A handler of the test's own, called after memview's (added last): it
 * counts the exceptions memview left alone and lets RaiseException()
 * return. */
static volatile LONG passed_on;
static volatile ULONG_PTR passed_addr;
static LONG CALLBACK test_handler(EXCEPTION_POINTERS *ep) {
    if (ep->ExceptionRecord->ExceptionCode != EXCEPTION_IN_PAGE_ERROR)
        return EXCEPTION_CONTINUE_SEARCH;
    InterlockedIncrement(&passed_on);
    passed_addr = ep->ExceptionRecord->ExceptionInformation[1];
    return EXCEPTION_CONTINUE_EXECUTION;
}

/* EXCEPTION_IN_PAGE_ERROR for a read of addr, as the system raises it
 * (parameters: 0 = read, the address, the NTSTATUS of the I/O). */
static void raise_in_page(const void *addr) {
    ULONG_PTR info[3] = {0, (ULONG_PTR)addr, (ULONG_PTR)0xC0000185 /* I/O */};
    RaiseException(EXCEPTION_IN_PAGE_ERROR, 0, 3, info);
}

typedef struct work {
    const char *at; /* the address the exception names */
    int done;       /* reached the end of the work */
    HANDLE thread;  /* raise on another thread, when set */
} work;

static unsigned __stdcall raise_thread(void *ctx) {
    raise_in_page(((work *)ctx)->at);
    return 0;
}

static int raise_inside(void *ctx) {
    work *w = ctx;
    if (w->thread) {
        w->thread = (HANDLE)_beginthreadex(NULL, 0, raise_thread, w, 0, NULL);
        WaitForSingleObject(w->thread, INFINITE);
        CloseHandle(w->thread);
    } else {
        raise_in_page(w->at);
    }
    w->done = 1;
    return 7;
}

static void map_view(mv_owner **o, mv_view *v) {
    write_content();
    CHECK_OK(mv_owner_map_range(o, path, 65536 + 9, 3 * 65536, 0));
    CHECK_OK(mv_view_from_owner(v, *o));
}

static void test_in_page_error_becomes_status(void **state) {
    (void)state;
    mv_owner *o;
    mv_view v;
    map_view(&o, &v);
    const char *data = mv_owner_data(o);
    const size_t at[] = {0, 1, 65536, 3 * 65536 - 1};
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
        work w = {data + at[i], 0, NULL};
        LONG before = passed_on;
        errno = 0;
        CHECK_ERR(mv__guarded(&v, raise_inside, &w), MV_EOS,
                  "mapped file shrank under the view (in-page error reading "
                  "its memory)");
        CHECK_EQ(mv_errno(), EIO);
        CHECK_EQ(w.done, 0); /* the work was abandoned where it stood */
        CHECK_EQ(passed_on, before);
    }
    /* A region left by a fault leaves none behind: the next exception,
     * outside any region, goes on. */
    LONG before = passed_on;
    raise_in_page(data);
    CHECK_EQ(passed_on, before + 1);
    CHECK_EQ(passed_addr, (ULONG_PTR)data);
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
}

static void test_other_exceptions_go_on(void **state) {
    (void)state;
    mv_owner *o;
    mv_view v;
    map_view(&o, &v);
    const char *data = mv_owner_data(o);
    static char elsewhere[64];
    /* Inside a region, at an address outside its memory. */
    work w = {elsewhere, 0, NULL};
    LONG before = passed_on;
    CHECK_EQ(mv__guarded(&v, raise_inside, &w), 7);
    CHECK_EQ(w.done, 1);
    CHECK_EQ(passed_on, before + 1);
    CHECK_EQ(passed_addr, (ULONG_PTR)elsewhere);
    /* Inside the region's memory, raised by another thread (which runs no
     * region of its own). */
    w = (work){data + 100, 0, (HANDLE)1};
    before = passed_on;
    CHECK_EQ(mv__guarded(&v, raise_inside, &w), 7);
    CHECK_EQ(w.done, 1);
    CHECK_EQ(passed_on, before + 1);
    CHECK_EQ(passed_addr, (ULONG_PTR)(data + 100));
    /* Outside any region. */
    before = passed_on;
    raise_in_page(data + 5);
    CHECK_EQ(passed_on, before + 1);
    /* A view of memory that is not guarded runs no region at all. */
    mv_owner *plain = NULL;
    mv_view pv;
    CHECK_OK(mv_owner_copy(&plain, "abc", 3));
    CHECK_OK(mv_view_from_owner(&pv, plain));
    mv_owner_release(plain);
    w = (work){(const char *)pv.buf, 0, NULL};
    before = passed_on;
    CHECK_EQ(mv__guarded(&pv, raise_inside, &w), 7);
    CHECK_EQ(passed_on, before + 1);
    CHECK_OK(mv_view_release(&pv));
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
}

/* A real fault: the pages of a guarded view made inaccessible, then read
 * by a guarded copy. */
static void test_access_violation_in_guarded_copy(void **state) {
    (void)state;
    mv_owner *o;
    mv_view v;
    map_view(&o, &v);
    char *data = mv_owner_data(o);
    char *page =
        data + (mv__os_page_size() - (uintptr_t)data % mv__os_page_size());
    DWORD old;
    assert_true(VirtualProtect(page, 4096, PAGE_NOACCESS, &old));
    void *bytes = NULL;
    CHECK_ERR(mv_view_tobytes(&v, &bytes, MV_ORDER_C), MV_EOS,
              "mapped file shrank under the view (access violation reading "
              "its memory)");
    CHECK_TRUE(bytes == NULL);
    char *hex = NULL;
    CHECK_ERR(mv_view_hex(&v, ':', 2, &hex, NULL), MV_EOS,
              "mapped file shrank under the view (access violation reading "
              "its memory)");
    assert_true(VirtualProtect(page, 4096, old, &old));
    /* Readable again: the same calls succeed. */
    CHECK_OK(mv_view_tobytes(&v, &bytes, MV_ORDER_C));
    CHECK_TRUE(memcmp(bytes, content + 65536 + 9, 3 * 65536) == 0);
    mv_free(bytes);
    CHECK_OK(mv_view_hex(&v, ':', 2, &hex, NULL));
    mv_free(hex);
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
}

/* The Unix name of a Windows path under wine, or NULL (not wine). */
static char *unix_name(const char *winpath) {
    typedef char *(CDECL * to_unix)(const WCHAR *);
    HMODULE k32 = GetModuleHandleA("kernel32.dll");
    to_unix f =
        (to_unix)(void (*)(void))GetProcAddress(k32, "wine_get_unix_file_name");
    wchar_t w[300];
    if (!f || MultiByteToWideChar(CP_UTF8, 0, winpath, -1, w, 300) <= 0)
        return NULL;
    return f(w);
}

static void test_shrink_under_wine(void **state) {
    (void)state;
    mv_owner *o;
    mv_view v;
    map_view(&o, &v);
    /* Windows refuses, with a view in place (wine too). */
    HANDLE h =
        CreateFileA(path, GENERIC_WRITE,
                    FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                    NULL, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
    assert_true(h != INVALID_HANDLE_VALUE);
    LARGE_INTEGER at = {.QuadPart = 100};
    CHECK_TRUE(SetFilePointerEx(h, at, NULL, FILE_BEGIN));
    CHECK_TRUE(!SetEndOfFile(h));
    CHECK_EQ(GetLastError(), ERROR_USER_MAPPED_FILE);
    CloseHandle(h);
    char *unix_path = unix_name(path);
    if (!unix_path || GetFileAttributesA("Z:\\usr\\bin\\truncate") ==
                          INVALID_FILE_ATTRIBUTES) {
        CHECK_OK(mv_view_release(&v));
        mv_owner_release(o);
        skip(); /* Windows: nothing can shrink a mapped file */
    }
    char cmd[600];
    snprintf(cmd, sizeof cmd, "/usr/bin/truncate -s 100 %s", unix_path);
    HeapFree(GetProcessHeap(), 0, unix_path);
    STARTUPINFOA si = {.cb = sizeof si};
    PROCESS_INFORMATION pi;
    assert_true(CreateProcessA("/usr/bin/truncate", cmd, NULL, NULL, FALSE, 0,
                               NULL, NULL, &si, &pi));
    CloseHandle(pi.hThread);
    CloseHandle(pi.hProcess);
    /* wine's handle of a Unix process does not wait for its end: wait
     * for the file. */
    int64_t size = -1;
    for (int i = 0; i < 1000; i++) {
        WIN32_FILE_ATTRIBUTE_DATA fa;
        assert_true(GetFileAttributesExA(path, GetFileExInfoStandard, &fa));
        size = ((int64_t)fa.nFileSizeHigh << 32) | fa.nFileSizeLow;
        if (size == 100)
            break;
        Sleep(10);
    }
    CHECK_EQ(size, 100);
    char want[200];
    snprintf(want, sizeof want,
             "mapped file shrank under the view (now 100 bytes, the mapping "
             "reaches byte %d)",
             65536 + 9 + 3 * 65536);
    void *bytes = NULL;
    CHECK_ERR(mv_view_tobytes(&v, &bytes, MV_ORDER_C), MV_EOS, want);
    CHECK_EQ(mv_errno(), EIO);
    mv_ssize n;
    mv_value x = {.type = MV_VAL_UINT, .u = 0};
    CHECK_ERR(mv_view_count(&v, &x, &n), MV_EOS, want);
    char *hex = NULL;
    CHECK_ERR(mv_view_hex(&v, MV_HEX_NOSEP, 0, &hex, NULL), MV_EOS, want);
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
}

static int setup(void **state) {
    (void)state;
    if (tu_mkdtemp(dir, sizeof dir, "memview-win32") < 0)
        return -1;
    snprintf(path, sizeof path, "%s\\data.bin", dir);
    return AddVectoredExceptionHandler(0, test_handler) ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    tu_unlink(path);
    return tu_rmdir(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_granularity),
        cmocka_unit_test(test_ranges_at_any_offset),
        cmocka_unit_test(test_write_flush_at_offset),
        cmocka_unit_test(test_advice_is_accepted),
        cmocka_unit_test(test_error_wording),
        cmocka_unit_test(test_layer_errors),
        cmocka_unit_test(test_binary_stream),
        cmocka_unit_test(test_in_page_error_becomes_status),
        cmocka_unit_test(test_other_exceptions_go_on),
        cmocka_unit_test(test_access_violation_in_guarded_copy),
        cmocka_unit_test(test_shrink_under_wine),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
