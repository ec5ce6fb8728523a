/*
 * os_win32.c -- the platform layer (os.h) on Windows.
 *
 * Rules:
 *   1. Paths are UTF-8 and are opened as UTF-16 with CreateFileW, shared
 *      for reading, writing and deletion (as POSIX files are). Only a disk
 *      file is mapped: GetFileType() refuses a pipe or a character device
 *      (NUL, CON) before anything waits on it; a directory is refused by
 *      CreateFileW itself ("[WinError 5] Access is denied").
 *   2. A mapping is a view (MapViewOfFile) of a section the size of the
 *      file, at the 64 KiB boundary (dwAllocationGranularity) below the
 *      asked-for offset. The section's handle is closed at once: the view
 *      keeps the section alive.
 *   3. Flush is FlushViewOfFile, then FlushFileBuffers on the file (the
 *      view's pages reach the file, then the file reaches the device).
 *      Advice is accepted and ignored: Windows has no madvise for a view.
 *   4. Errors are worded as CPython's OSError on Windows: "[WinError N]
 *      <FormatMessageW's text>" with the trailing white space, CR/LF and
 *      periods stripped as CPython strips them, then ": 'path'"; errno is
 *      set to the value CPython gives the OSError's errno.
 *   5. The fault guard is a vectored exception handler, added once. It
 *      handles EXCEPTION_IN_PAGE_ERROR (the file could not give the page)
 *      and EXCEPTION_ACCESS_VIOLATION only at an address that fault.c
 *      says the faulting thread's region guards; it then resumes the
 *      thread in leave(), on a fresh frame below the faulting one, which
 *      jumps back to mv__os_guard_run. Every other exception, on any
 *      thread, goes on to the next handler (EXCEPTION_CONTINUE_SEARCH).
 *      The jump is GCC's __builtin_setjmp/__builtin_longjmp (mingw-w64's
 *      gcc and clang), which restores registers without unwinding.
 */
#define WIN32_LEAN_AND_MEAN
#include "os.h"

#include <errno.h>
#include <fcntl.h>
#include <io.h>
#include <stdlib.h>
#include <windows.h>

/* ---- errors -------------------------------------------------------------- */

int mv__os_last_error(void) { return (int)GetLastError(); }

/* The errno CPython's OSError gives a Windows error (winerror_to_errno). */
static int errno_of(DWORD err) {
    switch (err) {
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
    case ERROR_INVALID_DRIVE:
    case ERROR_NO_MORE_FILES:
    case ERROR_BAD_NETPATH:
    case ERROR_BAD_NET_NAME:
    case ERROR_BAD_PATHNAME:
    case ERROR_FILENAME_EXCED_RANGE: return ENOENT;
    case ERROR_INVALID_HANDLE: return EBADF;
    case ERROR_NOT_ENOUGH_MEMORY:
    case ERROR_OUTOFMEMORY:
    case ERROR_NOT_ENOUGH_QUOTA: return ENOMEM;
    case ERROR_ACCESS_DENIED:
    case ERROR_SHARING_VIOLATION:
    case ERROR_LOCK_VIOLATION:
    case ERROR_WRITE_PROTECT:
    case ERROR_NETWORK_ACCESS_DENIED: return EACCES;
    case ERROR_FILE_EXISTS:
    case ERROR_ALREADY_EXISTS: return EEXIST;
    case ERROR_TOO_MANY_OPEN_FILES: return EMFILE;
    case ERROR_DISK_FULL: return ENOSPC;
    case ERROR_DIRECTORY: return ENOTDIR;
    case ERROR_NO_UNICODE_TRANSLATION: return EILSEQ;
    default: return EINVAL;
    }
}

/* The system's text for err in UTF-8, stripped as CPython strips it. */
static void message_of(DWORD err, char *out, size_t size) {
    wchar_t *w = NULL;
    DWORD n = FormatMessageW(
        FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM |
            FORMAT_MESSAGE_IGNORE_INSERTS,
        NULL, err, MAKELANGID(LANG_NEUTRAL, SUBLANG_DEFAULT), (LPWSTR)&w, 0,
        NULL);
    while (n > 0 && (w[n - 1] <= L' ' || w[n - 1] == L'.'))
        n--;
    int len = n == 0 ? 0
                     : WideCharToMultiByte(CP_UTF8, 0, w, (int)n, out,
                                           (int)size - 1, NULL, NULL);
    if (w)
        LocalFree(w);
    if (len <= 0) /* CPython's words when the system has none */
        snprintf(out, size, "Windows Error 0x%lx", (unsigned long)err);
    else
        out[len] = '\0';
}

int mv__os_error(int err, const char *path) {
    char text[400];
    message_of((DWORD)err, text, sizeof text);
    errno = errno_of((DWORD)err);
    if (!path)
        return mv_error(MV_EOS, "[WinError %d] %s", err, text);
    return mv_error(MV_EOS, "[WinError %d] %s: '%s'", err, text, path);
}

/* ---- files --------------------------------------------------------------- */

static const char *file_kind(DWORD type) {
    return type == FILE_TYPE_PIPE   ? "a pipe"
           : type == FILE_TYPE_CHAR ? "a character device"
                                    : "a file of unknown type";
}

int mv__os_open(const char *path, int writable, mv__os_file *file,
                int64_t *size) {
    int n =
        MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, path, -1, NULL, 0);
    if (n <= 0)
        return mv__os_error(mv__os_last_error(), path);
    wchar_t *wpath = malloc((size_t)n * sizeof *wpath);
    if (!wpath)
        return mv_error(MV_ENOMEM, "cannot allocate a path");
    MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, path, -1, wpath, n);
    HANDLE h =
        CreateFileW(wpath, GENERIC_READ | (writable ? GENERIC_WRITE : 0),
                    FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                    NULL, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
    DWORD err = GetLastError();
    free(wpath);
    if (h == INVALID_HANDLE_VALUE)
        return mv__os_error((int)err, path);
    DWORD type = GetFileType(h);
    LARGE_INTEGER st;
    int rc = MV_OK;
    if (type != FILE_TYPE_DISK) {
        errno = ENODEV;
        rc = mv_error(MV_EOS,
                      "[Errno %d] %s (%s cannot be mapped; only a regular "
                      "file can): '%s'",
                      ENODEV, strerror(ENODEV), file_kind(type), path);
    } else if (!GetFileSizeEx(h, &st)) {
        rc = mv__os_error(mv__os_last_error(), path);
    }
    if (rc < 0) {
        CloseHandle(h);
        return rc;
    }
    *file = (mv__os_file)h;
    *size = (int64_t)st.QuadPart;
    return MV_OK;
}

int mv__os_size(mv__os_file file, int64_t *size) {
    LARGE_INTEGER st;
    if (!GetFileSizeEx((HANDLE)file, &st))
        return mv__os_error(mv__os_last_error(), NULL);
    *size = (int64_t)st.QuadPart;
    return MV_OK;
}

void mv__os_close(mv__os_file file) { CloseHandle((HANDLE)file); }

/* ---- mappings ------------------------------------------------------------ */

size_t mv__os_page_size(void) {
    SYSTEM_INFO si;
    GetSystemInfo(&si);
    return si.dwPageSize;
}

size_t mv__os_granularity(void) {
    SYSTEM_INFO si;
    GetSystemInfo(&si);
    return si.dwAllocationGranularity;
}

int mv__os_map(mv__os_file file, const char *path, int64_t offset,
               size_t length, int writable, mv__os_mapping *out, char **data) {
    uint64_t skip = (uint64_t)offset % mv__os_granularity();
    uint64_t at = (uint64_t)offset - skip;
    size_t maplen = length + (size_t)skip;
    HANDLE section = CreateFileMappingW(
        (HANDLE)file, NULL, writable ? PAGE_READWRITE : PAGE_READONLY, 0, 0,
        NULL);
    if (!section)
        return mv__os_error(mv__os_last_error(), path);
    void *base =
        MapViewOfFile(section, writable ? FILE_MAP_WRITE : FILE_MAP_READ,
                      (DWORD)(at >> 32), (DWORD)at, maplen);
    DWORD err = GetLastError();
    CloseHandle(section); /* the view keeps the section */
    if (!base)
        return mv__os_error((int)err, path);
    out->base = base;
    out->len = maplen;
    *data = out->base + skip;
    return MV_OK;
}

void mv__os_unmap(const mv__os_mapping *m) { UnmapViewOfFile(m->base); }

int mv__os_flush(mv__os_file file, char *start, size_t len) {
    if (!FlushViewOfFile(start, len) || !FlushFileBuffers((HANDLE)file))
        return mv__os_error(mv__os_last_error(), NULL);
    return MV_OK;
}

int mv__os_advise(char *start, size_t len, mv_advice advice) {
    (void)start; /* rule 3: Windows has no advice for a view */
    (void)len;
    (void)advice;
    return MV_OK;
}

/* ---- the fault guard ----------------------------------------------------- */

static INIT_ONCE install_once = INIT_ONCE_STATIC_INIT;
/* This thread's innermost region, in a TLS slot (TlsGetValue neither
 * allocates nor locks: the handler may read it on any thread, unlike
 * _Thread_local, which mingw-w64's gcc emulates with a malloc on a
 * thread's first use). */
static volatile DWORD top_slot = TLS_OUT_OF_INDEXES;

mv__guard *mv__os_guard_top(void) {
    if (top_slot == TLS_OUT_OF_INDEXES)
        return NULL;            /* no region was ever set */
    DWORD err = GetLastError(); /* TlsGetValue clears it */
    mv__guard *g = TlsGetValue(top_slot);
    SetLastError(err);
    return g;
}

/* Where a claimed fault resumes the thread: back to mv__os_guard_run. */
__attribute__((noreturn, used)) static void leave(mv__guard *g) {
    __builtin_longjmp(g->jump, 1);
}

static LONG CALLBACK on_exception(EXCEPTION_POINTERS *ep) {
    const EXCEPTION_RECORD *er = ep->ExceptionRecord;
    DWORD code = er->ExceptionCode;
    if ((code != EXCEPTION_IN_PAGE_ERROR &&
         code != EXCEPTION_ACCESS_VIOLATION) ||
        er->NumberParameters < 2)
        return EXCEPTION_CONTINUE_SEARCH;
    /* ExceptionInformation[1]: the address that could not be read */
    mv__guard *g = mv__fault_claim((uintptr_t)er->ExceptionInformation[1]);
    if (!g)
        return EXCEPTION_CONTINUE_SEARCH;
    g->what =
        code == EXCEPTION_IN_PAGE_ERROR ? "in-page error" : "access violation";
    /* Resume in leave(g), as if called on a fresh, aligned frame below the
     * faulting one (at a call, the stack is 16-byte aligned less the
     * return address). */
    CONTEXT *c = ep->ContextRecord;
#if defined(_M_X64) || defined(__x86_64__)
    c->Rsp = ((c->Rsp - 512) & ~(DWORD64)15) - 8;
    c->Rcx = (DWORD64)(uintptr_t)g;
    c->Rip = (DWORD64)(uintptr_t)leave;
#elif defined(_M_ARM64) || defined(__aarch64__)
    c->Sp = (c->Sp - 512) & ~(DWORD64)15;
    c->X0 = (DWORD64)(uintptr_t)g;
    c->Pc = (DWORD64)(uintptr_t)leave;
#elif defined(_M_IX86) || defined(__i386__)
    DWORD *sp = (DWORD *)(((c->Esp - 512) & ~(DWORD)15) - 8);
    sp[1] = (DWORD)(uintptr_t)g; /* the argument, above the return slot */
    c->Esp = (DWORD)(uintptr_t)sp;
    c->Eip = (DWORD)(uintptr_t)leave;
#else
#error "memview: the fault guard does not know this CPU's context"
#endif
    return EXCEPTION_CONTINUE_EXECUTION;
}

static BOOL CALLBACK install(INIT_ONCE *once, void *param, void **ctx) {
    (void)once;
    (void)param;
    (void)ctx;
    /* Without a slot (a process has at least 1088) there is no guard:
     * faults go on as without memview. */
    top_slot = TlsAlloc();
    /* 1: first in the list, before handlers added earlier */
    return top_slot != TLS_OUT_OF_INDEXES &&
           AddVectoredExceptionHandler(1, on_exception) != NULL;
}

void mv__os_guard_set_top(mv__guard *g) {
    InitOnceExecuteOnce(&install_once, install, NULL, NULL);
    TlsSetValue(top_slot, g);
}

int mv__os_guard_run(mv__guard *g, int (*fn)(void *ctx), void *ctx, int *rc) {
    void *env[5];
    g->jump = env; /* the handler is in place: mv__os_guard_set_top() */
    if (__builtin_setjmp(env) != 0)
        return 1; /* fault.c took g off the thread's regions */
    *rc = fn(ctx);
    return 0;
}

/* ---- streams ------------------------------------------------------------- */

int mv__os_binary(FILE *f) {
    return _setmode(_fileno(f), _O_BINARY) == -1 ? -1 : 0;
}
