/*
 * test_os.h -- what the portable tests do with files, written once for
 * POSIX and once for Windows: a temporary directory, reading and writing
 * at any 64-bit offset, a sparse file, and the OSError messages memview
 * words as CPython does on each system.
 *
 * Include after test_util.h.
 */
#ifndef MV_TEST_OS_H
#define MV_TEST_OS_H

#include <errno.h>
#include <stdio.h>
#include <string.h>

#ifdef _WIN32
#define WIN32_LEAN_AND_MEAN
#include <direct.h>
#include <io.h>
#include <sys/stat.h>
#include <windows.h>
#include <winioctl.h>
#define TU_WINDOWS 1
#else
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#define TU_WINDOWS 0
#endif

/* The system's directory for temporary files, without a trailing slash. */
static inline const char *tu_tmpdir(void) {
#ifdef _WIN32
    static char tmp[MAX_PATH + 1];
    DWORD n = GetTempPathA(sizeof tmp, tmp);
    if (n == 0 || n > MAX_PATH)
        return ".";
    if (tmp[n - 1] == '\\' || tmp[n - 1] == '/')
        tmp[n - 1] = '\0';
    return tmp;
#else
    return "/tmp";
#endif
}

/* A new, empty directory named <temp dir>/<prefix>-XXXXXX into out. */
static inline int tu_mkdtemp(char *out, size_t size, const char *prefix) {
#ifdef _WIN32
    char tmp[MAX_PATH + 1];
    DWORD n = GetTempPathA(sizeof tmp, tmp);
    if (n == 0 || n > MAX_PATH)
        return -1;
    for (unsigned i = 0; i < 1000; i++) {
        snprintf(out, size, "%s%s-%lu-%u", tmp, prefix,
                 (unsigned long)GetCurrentProcessId(), i);
        if (_mkdir(out) == 0)
            return 0;
    }
    return -1;
#else
    snprintf(out, size, "/tmp/%s-XXXXXX", prefix);
    return mkdtemp(out) ? 0 : -1;
#endif
}

static inline int tu_unlink(const char *path) {
#ifdef _WIN32
    return _unlink(path);
#else
    return unlink(path);
#endif
}

static inline int tu_rmdir(const char *path) {
#ifdef _WIN32
    return _rmdir(path);
#else
    return rmdir(path);
#endif
}

/* Bytes [off, off + n) of the file at path into buf; the count read. */
static inline long long tu_read_at(const char *path, int64_t off, void *buf,
                                   size_t n) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
#ifdef _WIN32
    int rc = _fseeki64(f, off, SEEK_SET);
#else
    int rc = fseeko(f, (off_t)off, SEEK_SET);
#endif
    long long got = rc == 0 ? (long long)fread(buf, 1, n, f) : -1;
    fclose(f);
    return got;
}

/* Write n bytes at off of the existing file at path; the count written. */
static inline long long tu_write_at(const char *path, int64_t off,
                                    const void *buf, size_t n) {
    FILE *f = fopen(path, "r+b");
    if (!f)
        return -1;
#ifdef _WIN32
    int rc = _fseeki64(f, off, SEEK_SET);
#else
    int rc = fseeko(f, (off_t)off, SEEK_SET);
#endif
    long long put = rc == 0 ? (long long)fwrite(buf, 1, n, f) : -1;
    if (fclose(f) != 0)
        put = -1;
    return put;
}

/* Create (or empty) the file at path and give it size bytes of zeros
 * that take no disk space (a sparse file). 0 on success. */
static inline int tu_make_sparse(const char *path, int64_t size) {
#ifdef _WIN32
    HANDLE h = CreateFileA(path, GENERIC_READ | GENERIC_WRITE, 0, NULL,
                           CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    if (h == INVALID_HANDLE_VALUE)
        return -1;
    DWORD ret;
    /* Without this, NTFS would write zeros up to the first write. */
    DeviceIoControl(h, FSCTL_SET_SPARSE, NULL, 0, NULL, 0, &ret, NULL);
    LARGE_INTEGER at;
    at.QuadPart = size;
    int ok = SetFilePointerEx(h, at, NULL, FILE_BEGIN) && SetEndOfFile(h);
    CloseHandle(h);
    return ok ? 0 : -1;
#else
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        return -1;
    int rc = ftruncate(fd, (off_t)size);
    close(fd);
    return rc;
#endif
}

#ifdef _WIN32
/* CPython's OSError text for the Windows error err, found here through
 * FormatMessageA (memview asks FormatMessageW): the system's message, less
 * its trailing white space, CR/LF and periods, then ": 'path'". */
static inline void tu_want_winerror(char *want, size_t size, unsigned err,
                                    const char *path) {
    char text[400];
    DWORD n = FormatMessageA(
        FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, err,
        MAKELANGID(LANG_NEUTRAL, SUBLANG_DEFAULT), text, sizeof text, NULL);
    while (n > 0 && ((unsigned char)text[n - 1] <= ' ' || text[n - 1] == '.'))
        n--;
    text[n] = '\0';
    if (path)
        snprintf(want, size, "[WinError %u] %s: '%s'", err, text, path);
    else
        snprintf(want, size, "[WinError %u] %s", err, text);
}
#endif

/* The OSError memview gives for a file that does not exist, as CPython
 * words it on this system; tu_errno_missing is its errno. */
static inline void tu_want_missing(char *want, size_t size, const char *path) {
#ifdef _WIN32
    tu_want_winerror(want, size, ERROR_FILE_NOT_FOUND, path);
#else
    snprintf(want, size, "[Errno %d] %s: '%s'", ENOENT, strerror(ENOENT), path);
#endif
}
#define tu_errno_missing ENOENT

/* ... for a directory (POSIX: EISDIR; Windows: CreateFileW refuses to open
 * a directory as a file, "Access is denied"); tu_errno_isdir its errno. */
static inline void tu_want_isdir(char *want, size_t size, const char *path) {
#ifdef _WIN32
    tu_want_winerror(want, size, ERROR_ACCESS_DENIED, path);
#else
    snprintf(want, size, "[Errno %d] %s: '%s'", EISDIR, strerror(EISDIR), path);
#endif
}
#ifdef _WIN32
#define tu_errno_isdir EACCES
#else
#define tu_errno_isdir EISDIR
#endif

#endif
