/*
 * memview.h -- zero-copy, typed, N-dimensional views over memory.
 *
 * The model is Python's memoryview and the PEP 3118 buffer protocol:
 * an *owner* holds a block of bytes and counts the views that point into
 * it; a *view* says how to read those bytes (format, itemsize, shape,
 * strides, suboffsets, readonly) without copying them.
 *
 * The ten calls most programs need:
 *
 *   mv_owner_copy(&o, p, n)        own a copy of n bytes (also: mv_owner_wrap
 *                                  lends your memory, mv_owner_map a file)
 *   mv_view_from_owner(&v, o)      a 1-D view of every byte, format "B"
 *   mv_owner_release(o)            drop your handle; views keep the bytes
 *   mv_view_cast(&v, &v, "<I", NULL, -1)   read the bytes as another format
 *   mv_view_slice(&s, &v, 2, MV_END, 1)    s = v[2:], no copy
 *   mv_view_get(&v, i, &x)         item i as an mv_value (x.u, x.i, x.f...)
 *   mv_view_set(&v, i, &x)         store an item, with Python's checks
 *   mv_view_tobytes(&v, &p, MV_ORDER_C)    copy out (mv_free() it)
 *   mv_view_release(&v)            the last view of an owner frees it
 *   mv_errmsg()                    why the last call failed (this thread)
 *
 *     mv_owner *o;
 *     mv_view v;
 *     if (mv_owner_copy(&o, "hello world", 11) < 0) ...   // own a copy
 *     mv_view_from_owner(&v, o);        // 1-D view, format "B"
 *     mv_owner_release(o);              // the view keeps the bytes alive
 *     mv_value x;
 *     mv_view_get(&v, 0, &x);           // x.u == 104 ('h')
 *     while (v.nbytes)                  // Python: while b: b = b[1:]
 *         mv_view_narrow(&v, 1, MV_END, 1);
 *     mv_view_release(&v);              // last view gone: bytes freed
 *
 * Names
 *   - A call is mv_<object>_<verb>, and its first argument is that object
 *     (or where a new one is made): mv_owner_* act on owners, mv_view_* on
 *     views, mv_format_* on formats, mv_field_* on one field of an item,
 *     mv_item_* on the bytes of one item, and mv_value_*, mv_layout_*,
 *     mv_slice_*, mv_stats_* on those. The error calls are named after C's
 *     own: mv_errmsg, mv_errno, mv_strerror, mv_err_name, mv_error.
 *   - Where Python's memoryview has the operation, the verb is Python's:
 *     mv_view_tobytes is m.tobytes(), mv_view_index is m.index(x),
 *     mv_view_length is len(m), mv_view_hex is m.hex().
 *   - Sizes in bytes are nbytes; lengths and counts are of items.
 *   - A call ending in _n takes a full index tuple (mv_view_getn); one
 *     ending in _any is the out-of-line general case of an inline call
 *     (call the inline one: it falls back by itself).
 *   - Struct fields and flags whose names end in '_', and every mv__ name,
 *     are private: do not use them. (A struct's size and layout change only
 *     with the library's major version; see docs/abi.md.)
 *
 * Conventions
 *   - Every call that can fail returns 0 (MV_OK) or a negative mv_status
 *     whose kind mirrors a Python exception (MV_EINDEX is IndexError...).
 *     mv_errmsg() gives the failing call's message on this thread, word
 *     for word CPython's where CPython has one.
 *   - A failing call leaves its inputs untouched, and its outputs too,
 *     except that a view constructor leaves its destination released (so
 *     releasing it again is always safe).
 *   - Views are values the caller owns, on the stack or inside another
 *     object. Do not copy one with '='; make another with mv_view_new(),
 *     or move it with mv_view_move(). Each live view holds one counted
 *     reference to its owner; mv_view_release() gives it back.
 *   - Sizes and indexes are mv_ssize (ptrdiff_t). No input, however
 *     hostile, reaches undefined behaviour: every size, index and stride
 *     product is checked for overflow.
 *
 * Threads (docs/threads.md)
 *   - Error messages are per thread. Owners count their views atomically:
 *     views of one owner may be made and released on any threads at once,
 *     and a release callback runs exactly once, on the thread that drops
 *     the last reference.
 *   - A view is a value: any number of threads may read one view at once
 *     (the calls taking const mv_view *, which also make new views from
 *     it); a call taking mv_view * (release, narrow, cast in place, hash,
 *     export) needs the caller's lock, as does writing items that another
 *     thread reads. Make views of an owner only while holding a reference
 *     to it; resize or free an owner only when no thread can be making one.
 */
#ifndef MEMVIEW_H
#define MEMVIEW_H

#include <stddef.h>
#include <stdint.h>
#if !(defined(__GNUC__) || defined(__clang__)) || defined(MV__NO_BUILTINS)
#include <stdlib.h> /* MSVC's _byteswap_* */
#include <string.h> /* memcpy */
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* MV_API marks the calls the library exports.
 *   - Windows: a program that uses the DLL defines MV_SHARED (memview's
 *     CMake package and memview.pc do it for the shared library), so that
 *     the calls are imported; the DLL's own build defines MV_SHARED and
 *     MV_BUILDING, so that they are exported; a program linked with the
 *     static library defines neither.
 *   - ELF and Mach-O: the library is built with hidden visibility, and
 *     MV_API makes the calls visible; MV_SHARED changes nothing.
 *   - A build that links the library into one module (the Python package)
 *     defines MV_API empty to keep its symbols inside that module. */
#if defined(MV_API)
#elif defined(_WIN32) && defined(MV_SHARED) && defined(MV_BUILDING)
#define MV_API __declspec(dllexport)
#elif defined(_WIN32) && defined(MV_SHARED)
#define MV_API __declspec(dllimport)
#elif defined(_WIN32) || !defined(__GNUC__)
#define MV_API
#else
#define MV_API __attribute__((visibility("default")))
#endif

/* The version's MAJOR: the soname's (libmemview.so.1). It changes only
 * with a break of the ABI, a struct's size or layout included (docs/abi.md).
 */
#define MEMVIEW_VERSION_MAJOR 1
/* MINOR: raised by a release that adds calls or constants, ABI kept. */
#define MEMVIEW_VERSION_MINOR 0
/* PATCH: raised by a release of fixes only. */
#define MEMVIEW_VERSION_PATCH 0
/* The version as a string, "MAJOR.MINOR.PATCH". */
#define MEMVIEW_VERSION "1.0.0"

/* Sizes, counts, indexes and strides: signed, as Python's Py_ssize_t. */
typedef ptrdiff_t mv_ssize;
#define MV_SSIZE_MAX PTRDIFF_MAX /* largest mv_ssize */
#define MV_SSIZE_MIN PTRDIFF_MIN /* smallest mv_ssize */

/* Most dimensions a view may have (PEP 3118's PyBUF_MAX_NDIM). */
#define MV_MAXDIM 64

/* ------------------------------------------------------------------------
 * Status codes and messages
 * ------------------------------------------------------------------------ */

/* What a call that can fail returns: MV_OK, or a negative code whose kind
 * is the Python exception CPython raises for the same failure. */
typedef enum mv_status {
    MV_OK = 0,         /* success */
    MV_EINDEX = -1,    /* IndexError */
    MV_ETYPE = -2,     /* TypeError */
    MV_EVALUE = -3,    /* ValueError */
    MV_ENOTIMPL = -4,  /* NotImplementedError */
    MV_EBUFFER = -5,   /* BufferError */
    MV_ENOMEM = -6,    /* MemoryError */
    MV_EOVERFLOW = -7, /* OverflowError */
    MV_EOS = -8        /* OSError; errno is kept in mv_errno() */
} mv_status;

/* The Python exception's name for a status: "IndexError", ... "OK". */
MV_API const char *mv_err_name(int status);
/* A fixed, general description of a status kind. */
MV_API const char *mv_strerror(int status);
/* The message of the most recent failure on this thread ("" if none). */
MV_API const char *mv_errmsg(void);
/* errno of the most recent MV_EOS failure on this thread. */
MV_API int mv_errno(void);
/* Record a failure: sets this thread's message, returns status. For
 * adapters that report an error of their own through memview's channel. */
MV_API int mv_error(int status, const char *fmt, ...)
#if defined(__MINGW32__) /* C99's printf (%zd, %td, %jd), not msvcrt's */
    __attribute__((format(gnu_printf, 2, 3)))
#elif defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Free memory the library allocated for the caller: the bytes of
 * mv_view_tobytes(), the text of mv_view_hex(). Call this, not free():
 * on Windows the library and the program may use two C runtimes, each
 * with its own heap. NULL is accepted.
 *
 *     void *p;
 *     if (mv_view_tobytes(&v, &p, MV_ORDER_C) == MV_OK) {
 *         use(p, v.nbytes);
 *         mv_free(p);
 *     }
 */
MV_API void mv_free(void *p);

/* ------------------------------------------------------------------------
 * Owners of memory
 *
 * An owner holds one block of bytes and an atomic reference count: one
 * reference for the handle its creator holds, one for each live view.
 * mv_owner_exports() is the number of views. While it is non-zero the
 * block cannot be resized or freed: such a request fails with MV_EBUFFER
 * (Python's BufferError) and changes nothing.
 * ------------------------------------------------------------------------ */

/* An owner of a block of memory (opaque: only pointers to it are used). */
typedef struct mv_owner mv_owner;

/* Called once, when the last reference to a wrapped owner is gone. */
typedef void (*mv_release_fn)(void *ctx, void *data, mv_ssize len);

/* An immutable copy of len bytes of data (views of it are read-only). */
MV_API int mv_owner_copy(mv_owner **out, const void *data, mv_ssize len);
/* A growable, writable byte array of len zero bytes. */
MV_API int mv_owner_new_bytes(mv_owner **out, mv_ssize len);
/* Memory the caller owns, lent to memview. release (may be NULL) runs
 * exactly once, when the creator's handle and the last view are gone. */
MV_API int mv_owner_wrap(mv_owner **out, void *data, mv_ssize len, int readonly,
                         mv_release_fn release, void *ctx);

/* The file at path (UTF-8), mapped into memory (read-only unless
 * writable, in which case views write through to the file). MV_EOS with
 * Python's OSError message ("[Errno 2] No such file or directory: 'x'";
 * on Windows "[WinError 2] The system cannot find the file specified:
 * 'x'") when it cannot be opened or mapped; mv_errno() gives errno (on
 * Windows, the errno Python's OSError gives for the Windows error). */
MV_API int mv_owner_map(mv_owner **out, const char *path, int writable);

/* ------------------------------------------------------------------------
 * File mappings: ranges, flush, hints
 *
 * A mapping of any byte range of a regular file; alignment (to the page
 * size, or to Windows' 64 KiB allocation granularity) is memview's
 * business, not the caller's. Files larger than memory and
 * offsets past 4 GiB work (the range must fit the address space).
 *
 *     mv_owner *o;
 *     if (mv_owner_map_range(&o, "big.bin", 60LL << 30, 4096, 0) < 0)
 *         fprintf(stderr, "%s\n", mv_errmsg());
 *     mv_owner_advise(o, 0, -1, MV_ADVISE_SEQUENTIAL);
 *     ... views of o ...
 *     mv_owner_release(o);       // unmapped when the last view is gone
 *
 * Errors, as Python's mmap gives them: OSError for a file that cannot be
 * opened, a directory, and anything but a regular file (a FIFO, a
 * terminal, /dev/stdin: refused without waiting on it); ValueError "cannot
 * mmap an empty file", "mmap offset is greater than file size", "mmap
 * length is greater than file size", "cannot mmap an empty range";
 * OverflowError for a negative offset or length.
 * mv_owner_map() above maps a whole file, and an empty file to an empty
 * owner.
 * ------------------------------------------------------------------------ */

enum {
    MV_MAP_WRITE = 1u << 0 /* writable and shared: writes reach the file */
};

/* Map bytes [offset, offset + length) of path; length -1 means to the end
 * of the file. flags: 0 (read-only) or MV_MAP_WRITE. The owner is guarded
 * (see "Faults" below). */
MV_API int mv_owner_map_range(mv_owner **out, const char *path, int64_t offset,
                              int64_t length, unsigned flags);
/* 1 if o is a file mapping made by memview. */
MV_API int mv_owner_is_mapped(const mv_owner *o);
/* Write the changed pages of bytes [offset, offset + length) of o's data
 * (length -1: to the end) to the file and wait for it (msync MS_SYNC; on
 * Windows FlushViewOfFile, then FlushFileBuffers).
 * TypeError for an owner that is not a mapping, ValueError for a range
 * outside it; a read-only mapping has nothing to flush. */
MV_API int mv_owner_flush(mv_owner *o, mv_ssize offset, mv_ssize length);

/* An access hint for mv_owner_advise() (madvise's advice). */
typedef enum mv_advice {
    MV_ADVISE_NORMAL,     /* no special treatment (the default) */
    MV_ADVISE_SEQUENTIAL, /* read ahead aggressively, drop pages behind */
    MV_ADVISE_RANDOM,     /* do not read ahead */
    MV_ADVISE_WILLNEED,   /* start reading the range in now */
    MV_ADVISE_DONTNEED    /* the range will not be needed soon */
} mv_advice;

/* An access hint (posix_madvise) for bytes [offset, offset + length) of
 * o's data (length -1: to the end). A hint changes speed, never results.
 * Windows has no such hint for a mapped view: there the range and the
 * advice are checked, and the call does nothing else. */
MV_API int mv_owner_advise(mv_owner *o, mv_ssize offset, mv_ssize length,
                           mv_advice advice);

/* ------------------------------------------------------------------------
 * Faults
 *
 * Memory of a file mapping faults (SIGBUS; on Windows
 * EXCEPTION_IN_PAGE_ERROR) when the file shrinks under it or its device
 * fails to read. On a *guarded* owner, memview's bulk operations catch that
 * fault and fail with MV_EOS instead ("mapped file shrank under the view ..."),
 * and after the work they check that the file did not shrink (a shrink inside
 * the last page reads as zeros rather than faulting): a scan gives the
 * right answer or an error, never a crash and never a wrong answer.
 *
 * Guarded: mv_view_tobytes, mv_view_tobytes_into, mv_view_hex, mv_view_equal,
 * mv_view_assign, mv_view_count, mv_view_index, mv_view_hash and the
 * reductions (mv_view_stats).
 * Not guarded: a plain pointer read by the caller (v->buf[i]), the inline
 * and single-item calls (mv_view_get, mv_view_set, mv_view_getn, mv_view_setn,
 * mv_format_unpack) and mv_view_walk, whose callbacks run caller code. Those
 * fault as any memory access does.
 *
 * The guard is a signal handler for SIGBUS and SIGSEGV installed once,
 * on the first guarded operation; outside a guarded region it passes the
 * signal to the handler that was there before it. A handler installed
 * later that does not chain to the previous one disables the guard.
 * On Windows it is a vectored exception handler, installed once, that
 * handles EXCEPTION_IN_PAGE_ERROR and EXCEPTION_ACCESS_VIOLATION at a
 * guarded address of the faulting thread's guarded region, and leaves
 * every other exception to the next handler.
 * ------------------------------------------------------------------------ */

/* Mark o's memory as one that may fault (a file mapping made elsewhere,
 * such as Python's mmap.mmap): its bulk operations become guarded. File
 * mappings made by memview are guarded from the start. */
MV_API void mv_owner_set_guarded(mv_owner *o);
/* o's memory lies inside the file mapping `mapping`, which outlives o (an
 * adapter's owner of a buffer that a mapping exported): guard o, and check
 * after its bulk operations whether mapping's file shrank. */
MV_API void mv_owner_guard_as(mv_owner *o, const mv_owner *mapping);
/* 1 if o's bulk operations run inside the fault guard. */
MV_API int mv_owner_guarded(const mv_owner *o);

/* The owner's first byte, its size in bytes, and whether its views are
 * read-only. */
MV_API void *mv_owner_data(const mv_owner *o);
MV_API mv_ssize mv_owner_size(const mv_owner *o);
MV_API int mv_owner_readonly(const mv_owner *o);
/* Number of live views of the owner. */
MV_API mv_ssize mv_owner_exports(const mv_owner *o);

/* Growable owners only: change the size (new bytes are zero). Refused with
 * MV_EBUFFER while views exist, with MV_ETYPE for other owners. */
MV_API int mv_owner_resize(mv_owner *o, mv_ssize newlen);
/* Drop the creator's handle. The memory lives on until the last view is
 * released. Never fails; NULL is accepted. */
MV_API void mv_owner_release(mv_owner *o);
/* Drop the creator's handle and free the memory now. Refused with
 * MV_EBUFFER while views exist (the handle stays valid then). */
MV_API int mv_owner_free(mv_owner *o);

/* ------------------------------------------------------------------------
 * Formats
 *
 * A view's format is a struct-module format string. The native
 * single-character ones ("B", "@i": c b B ? h H i I l L q Q n N e f d P)
 * are Python's builtin memoryview's, and read fastest; every other format
 * of the struct module and of PEP 3118 ("<i", ">IHf", "T{<I:id:<f:x:}")
 * goes through the compiled formats below, and its items read and write
 * as struct.unpack and struct.pack would. A format that does not compile
 * can still be sliced, copied and compared bytewise; typed access to its
 * items fails with MV_ENOTIMPL, worded as CPython words it: "memoryview:
 * unsupported format <x" for a format of several characters, "memoryview:
 * format x not supported" for one unknown character.
 *
 * The calls on format strings below know the native formats only; the
 * compiled formats (mv_format_compile) know them all.
 * ------------------------------------------------------------------------ */

/* Callbacks that visit values (mv_view_walk(), mv_item_walk()); below. */
typedef struct mv_walker mv_walker;

/* What a format's items are, as C values. */
typedef enum mv_kind {
    MV_KIND_NONE = 0, /* not a native single-character format */
    MV_KIND_INT,      /* b h i l q n: int64_t */
    MV_KIND_UINT,     /* B H I L Q N: uint64_t */
    MV_KIND_FLOAT,    /* e f d: double */
    MV_KIND_BOOL,     /* ?: 0 or 1 */
    MV_KIND_CHAR,     /* c: one byte */
    MV_KIND_PTR,      /* P: a pointer, as uintptr_t in .u */
    MV_KIND_BYTES,    /* s p: one byte string per element */
    MV_KIND_COMPLEX,  /* Zf Zd: two doubles */
    MV_KIND_RECORD    /* T{...}: a record of fields */
} mv_kind;

/* The native format character of fmt ('B' for "B" and "@B"), or 0 when
 * fmt is not one of the native single-character formats. */
MV_API char mv_format_char(const char *fmt);
/* The kind of fmt's items (MV_KIND_NONE if not native). */
MV_API mv_kind mv_format_kind(const char *fmt);
/* Item size of a native format, 0 when fmt is not native. */
MV_API mv_ssize mv_format_itemsize(const char *fmt);

/* One item's value, or a value offered for storing into an item. */
typedef enum mv_vtype {
    MV_VAL_INT,    /* .i */
    MV_VAL_UINT,   /* .u */
    MV_VAL_BIGINT, /* an integer outside int64_t and uint64_t; .i has its
                      sign (-1 or 1) */
    MV_VAL_FLOAT,  /* .f */
    MV_VAL_BOOL,   /* .i is 0 or 1 */
    MV_VAL_BYTES,  /* .s.ptr, .s.len: a byte string */
    MV_VAL_OTHER,  /* none of these: a value of the wrong type */
    MV_VAL_COMPLEX /* .z.re, .z.im */
} mv_vtype;

/* An item's value as C holds it: type says which member is set. */
typedef struct mv_value {
    mv_vtype type; /* which member below holds the value */
    union {
        int64_t i;  /* MV_VAL_INT; MV_VAL_BOOL (0, 1); MV_VAL_BIGINT's sign */
        uint64_t u; /* MV_VAL_UINT (also 'P' pointers) */
        double f;   /* MV_VAL_FLOAT */
        struct {
            const char *ptr; /* the bytes, not NUL-terminated, not owned */
            mv_ssize len;    /* their number */
        } s;                 /* MV_VAL_BYTES */
        struct {
            double re, im; /* real and imaginary parts */
        } z;               /* MV_VAL_COMPLEX */
    };
} mv_value;

/* Read the item at ptr as format fmt. 'c' gives MV_VAL_BYTES of length 1
 * pointing at ptr; 'P' gives MV_VAL_UINT. */
MV_API int mv_format_unpack(const char *fmt, const void *ptr, mv_value *out);
/* Store val into the item at ptr as format fmt, with Python's rules:
 * MV_ETYPE "memoryview: invalid type for format 'B'" for a value of the
 * wrong type, MV_EVALUE "memoryview: invalid value for format 'B'" for one
 * out of range. Nothing is written on failure. */
MV_API int mv_format_pack(const char *fmt, void *ptr, const mv_value *val);

/* ------------------------------------------------------------------------
 * Compiled formats: the struct module's language and PEP 3118's records
 *
 * mv_format_compile() parses a format string once into an mv_format that
 * views share. The language is the struct module's, with PEP 3118's
 * additions as NumPy exports them:
 *   - a byte order and size prefix: '@' (native sizes and alignment, the
 *     default), '=' (native order, standard sizes), '<', '>' and '!'
 *     (standard sizes, that order), '^' (native sizes, no alignment); as
 *     in PEP 3118 a prefix may also appear between fields, and lasts until
 *     the next one, into and out of nested records (as NumPy reads and
 *     writes them: "T{B:a:T{>h:b:}:s:H:c:}" has c big-endian);
 *   - codes x c b B ? h H i I l L q Q n N e f d s p P with repeat counts
 *     ("3i" is three values, "3s" one bytes value of 3 bytes), whitespace
 *     between fields;
 *   - Zf and Zd, complex numbers of two floats or doubles;
 *   - T{...} records, nested up to MV_FORMAT_MAXDEPTH deep, whose fields
 *     may be named ("T{<I:id:<f:x:}");
 *   - field shapes: "(2,3)f" is one value, a 2 x 3 array of floats.
 * Under '@' each field is aligned to its type's native alignment as a C
 * compiler would; a record under '@' is aligned to its widest member and
 * its size rounded up to that alignment (the top-level item is not, as
 * struct.calcsize has it).
 *
 * Ownership: a compiled format is immutable and counted. mv_format_compile
 * gives one reference; mv_format_retain() takes another, and
 * mv_format_release() gives one back (the last frees it). The formats of
 * the native single characters ("B", "@i"...) are static: compiling them
 * allocates nothing. Each view holds one reference to its format's
 * compilation (mv_view.fmtdesc), taken when the view is made and given
 * back when it is released; views that share a format share one
 * mv_format. A format is safe to share between threads.
 *
 * Reading the fields: f->fields[0 .. f->nfields) in item order. A field's
 * elements are count values of size bytes each, the first offset bytes
 * into the item, laid out one after the other (a field of shape (2,3) and
 * repeat 1 has 6). Padding ('x') makes no field. A field with code 'T' is
 * a record whose own fields are in sub; offsets inside sub count from the
 * start of each of the field's elements.
 * ------------------------------------------------------------------------ */

/* Deepest nesting of T{...} records a format may have. */
#define MV_FORMAT_MAXDEPTH 64

/* A compiled format (struct mv_format below). */
typedef struct mv_format mv_format;

/* One field of a compiled format: where its elements lie in an item and
 * how they read. */
typedef struct mv_field {
    /* read-only */
    const char *name;      /* T{} member name (":x:"), or NULL */
    const mv_format *sub;  /* code 'T': the record's format, else NULL */
    const mv_ssize *shape; /* ndim entries: the shape in "(2,3)f" */
    mv_ssize offset;       /* bytes from the item's start to element 0 */
    mv_ssize size;         /* bytes per element ('s', 'p': the string's
                              length; 'Z': both parts) */
    mv_ssize count;        /* elements: repeat * product(shape), except
                              for 's' and 'p' (product(shape)) */
    mv_ssize repeat;       /* the repeat count written before the code */
    mv_ssize units;        /* values the field adds to its record's tuple:
                              repeat ('s', 'p': 1); each unit is one
                              element, or product(shape) of them as nested
                              tuples when ndim > 0 */
    int ndim;              /* of shape (0: none) */
    mv_kind kind;          /* how an element reads (MV_KIND_RECORD: 'T') */
    char code;             /* the struct code: b B ... P s p, 'Z', 'T' */
    char ncode;            /* the native code that reads one element once
                              in host byte order ('i' for "<l" or ">i", 'f'
                              for each part of "Zf"; 0 for s p T) */
    char order;            /* '<' or '>': the byte order of the bytes */
    unsigned char swap;    /* 1 when order is not the host's */
    unsigned char std;     /* 1: standard size ('=' '<' '>' '!') */
} mv_field;

/* A compiled format: mv_format_compile() makes one, views share it. */
struct mv_format {
    /* read-only */
    const char *text;       /* the format string (a copy, owned) */
    const mv_field *fields; /* nfields fields, in item order */
    mv_ssize itemsize;      /* struct.calcsize(text) */
    mv_ssize units;         /* values of an item at its top level: an item
                               of one unit reads as that value ("<i" -> int,
                               "3s" -> bytes, "T{...}" -> tuple of fields),
                               any other as a tuple of its units */
    mv_ssize nvalues;       /* scalar values in an item, at every depth */
    int nfields;            /* entries of fields (padding makes none) */
    int depth;              /* T{} nesting below this format (0: flat) */
    int tuple_depth;        /* tuples nest at most this deep in a value */
    char native;            /* the native character for "B", "@i"..., else 0 */
    /* private */
    unsigned char static_; /* not counted: 1 static, 2 nested in another */
    unsigned char flat_;   /* scalar fields of one value each */
    long refs_;            /* references, counted atomically */
};

/* Compile fmt (NUL-terminated). A format the language rejects fails with
 * MV_EVALUE and struct's message where it has one: "bad char in struct
 * format", "repeat count given without format specifier", "total struct
 * size too long"; and "unmatched '{' in format", "format nests records too
 * deeply", "bad shape in format", "unterminated field name in format",
 * and "format has too many empty elements" when reading an item would visit
 * over 2^20 more elements than twice its bytes ("1000000000000T{}"). */
MV_API int mv_format_compile(const mv_format **out, const char *fmt);
/* Another reference to f (returned); NULL is accepted. */
MV_API const mv_format *mv_format_retain(const mv_format *f);
/* Give back one reference; NULL is accepted. */
MV_API void mv_format_release(const mv_format *f);
/* The field of f's one value when an item of f reads as one scalar
 * ("<i", "3s", "Zd", "2x<q"); NULL when it reads as a tuple. */
MV_API const mv_field *mv_format_scalar(const mv_format *f);
/* Index of f's field named name at its top level, or -1. */
MV_API int mv_format_field_index(const mv_format *f, const char *name);

/* Element k (0 <= k < field->count) of field of the item at item: a
 * scalar of its kind, a byte string pointing into the item ('s': all of
 * it; 'p': the length its first byte gives), or a complex. Byte order is
 * handled; nothing is copied or allocated. MV_ETYPE for a record field
 * (read its sub-fields), MV_EINDEX for k out of range. */
MV_API int mv_field_get(const mv_field *field, const void *item, mv_ssize k,
                        mv_value *out);
/* Store val as element k of field, packed as struct.pack would: 's' pads
 * with zero bytes or truncates, 'p' stores its length byte first. A refused
 * value (MV_ETYPE, MV_EVALUE, with the builtin's messages naming the
 * field's format) writes nothing. */
MV_API int mv_field_set(const mv_field *field, void *item, mv_ssize k,
                        const mv_value *val);

/* Visit the value of the item at item, read as format f, with w's
 * callbacks: begin(ctx, depth, n) ... end(ctx, depth) around each tuple
 * (depth 0 for the item's own), item (or items, one value at a time) for
 * each scalar. An item of one unit gives that unit's value alone. */
MV_API int mv_item_walk(const mv_format *f, const void *item,
                        const struct mv_walker *w, void *ctx);

/* Where mv_item_pack() takes the values of an item from: begin(ctx, depth,
 * n) asks that the next value be a sequence of n entries and enters it
 * (fail with a negative status when it is not), value(ctx, field, out)
 * gives the next scalar, to be stored into an element of field (so that
 * it can be converted for the field's kind), end(ctx, depth) leaves the
 * sequence begun last. */
typedef struct mv_source {
    int (*begin)(void *ctx, int depth, mv_ssize n); /* enter a sequence */
    int (*value)(void *ctx, const mv_field *field,
                 mv_value *out);      /* the next scalar, for field */
    int (*end)(void *ctx, int depth); /* leave the sequence */
} mv_source;

/* Pack one item of format f at item from src, in the shape mv_item_walk()
 * gives: all of it or, on any failure, nothing. */
MV_API int mv_item_pack(const mv_format *f, void *item, const mv_source *src,
                        void *ctx);

/* ------------------------------------------------------------------------
 * Views
 *
 * A view is read through its public fields; change it only through these
 * calls. shape, strides and suboffsets point into the view itself (or into
 * memory it owns when ndim > MV_INLINE_NDIM), which is why a view is never
 * copied with '='.
 * ------------------------------------------------------------------------ */

/* Dimensions whose shape, strides and suboffsets a view keeps inside itself
 * (dims_); a view of more allocates them. */
#define MV_INLINE_NDIM 3

/* Bits of mv_view.flags. */
enum {
    MV_READONLY = 1u << 0,     /* items may not be written */
    MV_C_CONTIGUOUS = 1u << 1, /* items in C (row-major) order, no gaps */
    MV_F_CONTIGUOUS = 1u << 2, /* the same in Fortran (column-major) order */
    MV_RELEASED = 1u << 3,     /* released (mv_view_release()) */
    MV_HASHED_ = 1u << 4,      /* hash_ holds the cached hash */
    MV_FLAT1D_ = 1u << 5,  /* 1-D, stride == itemsize, direct: set by memview */
    MV_BORROWED_ = 1u << 6 /* holds no owner reference (mv_view_borrow) */
};

/* A view: how to read a block of an owner's memory (Python's memoryview).
 * A value the caller owns; make, change and release it through the calls.
 * Its fields are read-only, and those ending in '_' private (docs/abi.md). */
typedef struct mv_view {
    /* read-only: read these freely; change a view only through the calls */
    char *buf;                /* first item (start of the block for ndim 0) */
    mv_owner *owner;          /* one counted reference; NULL once released */
    mv_ssize nbytes;          /* product(shape) * itemsize (Python's nbytes) */
    mv_ssize itemsize;        /* bytes per item */
    const char *format;       /* struct-module format; lives as long as owner */
    const mv_format *fmtdesc; /* format compiled; one reference (NULL when
                                 the format does not compile) */
    int ndim;                 /* 0 .. MV_MAXDIM */
    unsigned flags;       /* MV_READONLY | MV_C_CONTIGUOUS | MV_F_CONTIGUOUS |
                             MV_RELEASED; the bits ending in '_' are private */
    mv_ssize *shape;      /* ndim entries */
    mv_ssize *strides;    /* ndim entries, in bytes, may be negative or 0 */
    mv_ssize *suboffsets; /* ndim entries, or NULL: PIL-style indirection */

    /* private: neither read nor write these. Where fmtchar_ and flatlen_
     * lie is part of the ABI all the same, because the inline calls of
     * this header (mv_view_get, mv_view_narrow, mv_view_get_field,
     * mv_view_is_flat, mv_view_format_char) read fmtchar_ and flatlen_
     * and write flatlen_ themselves: reading shape[0] instead costs a
     * dependent load on every call of the hottest loops, and flatlen_
     * makes "a flat 1-D view, and the index in range" one unsigned
     * comparison (docs/abi.md). A flat view's shape points at flatlen_,
     * so that b = b[1:] stores its length once. */
    char fmtchar_;                      /* mv_format_char(format) */
    mv_ssize exports_;                  /* buffers lent out (mv_view_export) */
    int64_t hash_;                      /* cached when MV_HASHED_ */
    mv_ssize dims_[3 * MV_INLINE_NDIM]; /* shape, strides, suboffsets */
    mv_ssize *heap_;                    /* the same for ndim > inline */
    mv_ssize flatlen_;  /* shape[0] (shape points here) while MV_FLAT1D_
                           is set, else 0 */
    void *reserved_[3]; /* room to grow within 1.x */
} mv_view;

/* The full description of a block's layout, as PEP 3118's Py_buffer. */
typedef struct mv_layout {
    void *buf;                  /* first item (the block's start for ndim 0) */
    mv_ssize nbytes;            /* product(shape) * itemsize */
    mv_ssize itemsize;          /* bytes per item */
    const char *format;         /* NULL means "B" */
    int ndim;                   /* 0 .. MV_MAXDIM */
    const mv_ssize *shape;      /* NULL: 1-D of nbytes / itemsize items */
    const mv_ssize *strides;    /* NULL: C-contiguous */
    const mv_ssize *suboffsets; /* NULL: none */
    int readonly;               /* 1: views of it are read-only */
} mv_layout;

/* The byte range [*lo, *hi) relative to l->buf that l's items occupy
 * (both 0 when it has no items). Wrap exactly that much memory in an owner
 * for a layout with negative strides. */
MV_API int mv_layout_extent(const mv_layout *l, mv_ssize *lo, mv_ssize *hi);

/* Constructors (mv_view_from_*, mv_view_new, mv_view_borrow,
 * mv_view_readonly, mv_view_slice, mv_view_subview, mv_view_select) that
 * fail leave their destination released, so mv_view_release() on it is
 * always safe. (mv_view_cast, whose destination may be its source, leaves
 * it as it was.)
 *
 * A 1-D view of every byte of o, format "B". Read-only if o is. */
MV_API int mv_view_from_owner(mv_view *dst, mv_owner *o);
/* A view of o's memory with the given layout, after checking it: itemsize
 * positive and equal to the format's for native formats, shape entries
 * non-negative, products free of overflow, l->nbytes == itemsize *
 * product(shape), and every byte reachable through buf, shape and strides
 * inside o's memory (not checked for indirect layouts: a suboffsets
 * layout's pointers are the caller's word). A readonly owner gives readonly
 * views. */
MV_API int mv_view_from_layout(mv_view *dst, mv_owner *o, const mv_layout *l);
/* Another view, equal to src, holding its own reference. */
MV_API int mv_view_new(mv_view *dst, const mv_view *src);
/* Another view, equal to src, that holds no reference to the owner: for
 * a caller that keeps the owner alive by other means for as long as the
 * view lives (the Python binding: each of its views holds the object that
 * holds the owner). No atomic operation (but one for a compiled format
 * beyond the native ones: the view holds its own reference to it), no
 * allocation for ndim <= 3.
 * Release it like any view; views made from it take their own reference. */
MV_API int mv_view_borrow(mv_view *dst, const mv_view *src);
/* Same, read-only (Python's toreadonly()). */
MV_API int mv_view_readonly(mv_view *dst, const mv_view *src);
/* Move src into dst (dst must be unused); src is left released. */
MV_API void mv_view_move(mv_view *dst, mv_view *src);
/* Give back the owner reference. Idempotent. Refused with MV_EBUFFER
 * "memoryview has N exported buffers" while v has exports (mv_view_export).
 * Every other call on a released view fails with MV_EVALUE "operation
 * forbidden on released memoryview object". A released view's flags say
 * MV_RELEASED and its owner is NULL; its format, buf and shape are not to be
 * read any more (format may have been its compiled format's text, now freed).
 */
MV_API int mv_view_release(mv_view *v);
/* Lend out / take back v's buffer: counts exports as Python's memoryview
 * does for consumers of its buffer. */
MV_API int mv_view_export(mv_view *v);
MV_API void mv_view_unexport(mv_view *v);

/* Contiguity (computed at construction; released views answer 0). */
static inline int mv_view_is_released(const mv_view *v) {
    return (v->flags & MV_RELEASED) != 0;
}
static inline int mv_view_is_c_contiguous(const mv_view *v) {
    return (v->flags & MV_C_CONTIGUOUS) != 0;
}
static inline int mv_view_is_f_contiguous(const mv_view *v) {
    return (v->flags & MV_F_CONTIGUOUS) != 0;
}
static inline int mv_view_is_contiguous(const mv_view *v) {
    return (v->flags & (MV_C_CONTIGUOUS | MV_F_CONTIGUOUS)) != 0;
}
/* 1 for a live 1-D view whose items lie side by side (stride ==
 * itemsize, no suboffsets): the views the inline fast paths serve. */
static inline int mv_view_is_flat(const mv_view *v) {
    return (v->flags & MV_FLAT1D_) != 0; /* never set once released */
}
/* The native format character of v's items ('B' for "B" and "@B"), or 0
 * for any other format (mv_format_char(v->format), kept in the view). */
static inline char mv_view_format_char(const mv_view *v) { return v->fmtchar_; }
/* Number of buffers lent out of v by mv_view_export() and not yet taken
 * back; v cannot be released while it is not 0. */
MV_API mv_ssize mv_view_exports(const mv_view *v);
/* Number of items in the first dimension (Python's len()): 1 for 0-D,
 * as Python up to 3.11 answers. */
MV_API int mv_view_length(const mv_view *v, mv_ssize *out);
/* The same, as Python 3.12 and later answer: a 0-D view has no length
 * (MV_ETYPE, "0-dim memory has no length"). */
MV_API int mv_view_length_nd(const mv_view *v, mv_ssize *out);

/* ------------------------------------------------------------------------
 * Items and slices
 * ------------------------------------------------------------------------ */

/* Omitted slice ends, as Python's slice(None, None, step) gives them. */
#define MV_END MV_SSIZE_MAX   /* an omitted stop (start, for step < 0) */
#define MV_BEGIN MV_SSIZE_MIN /* an omitted start (stop, for step < 0) */

/* Clamp start and stop of a slice with the given step to a dimension of
 * len items, as Python does; returns the slice's item count. step != 0. */
MV_API mv_ssize mv_slice_adjust(mv_ssize len, mv_ssize *start, mv_ssize *stop,
                                mv_ssize step);

/* Address of the item at index (negative counts from the end) of a 1-D
 * view; IndexError "index out of bounds on dimension 1" when out of range.
 */
MV_API int mv_view_item_ptr(const mv_view *v, mv_ssize index, char **ptr);
/* Address of the item at a full tuple of n indexes (n == ndim; n == 0 for
 * the single item of a 0-D view). */
MV_API int mv_view_item_ptrn(const mv_view *v, const mv_ssize *index, int n,
                             char **ptr);
/* Read (get) or store (set) the item at index of a 1-D view (negative
 * counts from the end), or at a full index tuple (getn, setn), as
 * Python's m[i] and m[i] = x: IndexError out of range, MV_ETYPE "cannot
 * modify read-only memory" for a set on a read-only view, and a refused
 * value writes nothing (mv_format_pack() gives the messages). An item of
 * a compiled format reads as its one value ("<i", ">d", "3s"); an item of
 * several values ("<ih", "T{...}") fails with MV_ETYPE: read it with the
 * field calls below or mv_item_walk().
 *
 * mv_view_get() reads a byte of a flat "B" view inline (the common case of
 * bytes) and calls mv_view_get_any() for everything else. */
MV_API int mv_view_get_any(const mv_view *v, mv_ssize index, mv_value *out);
static inline int mv_view_get(const mv_view *v, mv_ssize index, mv_value *out) {
    /* flatlen_ is 0 unless the view is flat and 1-D (never once released) */
    if (v->fmtchar_ == 'B' && (size_t)index < (size_t)v->flatlen_) {
        out->type = MV_VAL_UINT;
        out->u = (unsigned char)v->buf[index];
        return MV_OK;
    }
    return mv_view_get_any(v, index, out);
}
MV_API int mv_view_set(mv_view *v, mv_ssize index, const mv_value *val);
MV_API int mv_view_getn(const mv_view *v, const mv_ssize *index, int n,
                        mv_value *out);
MV_API int mv_view_setn(mv_view *v, const mv_ssize *index, int n,
                        const mv_value *val);

/* A view of src sliced along its first dimension as Python's
 * src[start:stop:step] (start/stop clamped; MV_BEGIN/MV_END for omitted
 * ends; step 0 is MV_EVALUE "slice step cannot be zero"). */
MV_API int mv_view_slice(mv_view *dst, const mv_view *src, mv_ssize start,
                         mv_ssize stop, mv_ssize step);
/* The same, narrowing v in place: no allocation, no atomic operation.
 * The common case (1-D, step 1, to the end) is inline. */
MV_API int mv_view_narrow_any(mv_view *v, mv_ssize start, mv_ssize stop,
                              mv_ssize step);
static inline int mv_view_narrow(mv_view *v, mv_ssize start, mv_ssize stop,
                                 mv_ssize step) {
    /* flatlen_ > 0: a flat 1-D view (not released) of at least one item,
     * whose shape[0] is flatlen_ itself. */
    if (step == 1 && stop == MV_END && start >= 0 && v->flatlen_ > 0) {
        /* b = b[1:], without a multiplication or a read of the shape */
        if (start == 1) {
            mv_ssize n = v->flatlen_ - 1, size = v->itemsize;
            v->buf += size;
            v->flatlen_ = n; /* shape[0] too: shape points at flatlen_ */
            v->nbytes = n * size;
            return MV_OK;
        }
        mv_ssize n = v->flatlen_;
        if (start > n) /* clamped: the view becomes empty at its end */
            start = n;
        mv_ssize skip = start * v->itemsize;
        v->buf += skip;
        v->flatlen_ = n - start;
        v->nbytes -= skip;
        return MV_OK;
    }
    return mv_view_narrow_any(v, start, stop, step);
}

/* Beyond the builtin, which raises NotImplementedError for these: */
/* The (ndim - 1)-dimensional view at index of src's first dimension (NumPy's
 * a[i] on an N-D array; a 1-D view gives a 0-D one). */
MV_API int mv_view_subview(mv_view *dst, const mv_view *src, mv_ssize index);
/* Slice dimension dim (0-based) of v in place, as v[..., start:stop:step]
 * with that slice at position dim. */
MV_API int mv_view_narrow_dim(mv_view *v, int dim, mv_ssize start,
                              mv_ssize stop, mv_ssize step);
/* One entry of a key of several dimensions: an index, which drops its
 * dimension, or a slice (MV_BEGIN/MV_END for omitted ends), which narrows
 * it. */
typedef struct mv_keyitem {
    int is_slice;               /* 0: index, 1: start:stop:step */
    mv_ssize index;             /* when !is_slice (negative from the end) */
    mv_ssize start, stop, step; /* when is_slice */
} mv_keyitem;
/* NumPy's a[key] for a tuple key of n <= ndim entries, the j-th applying to
 * dimension j of src; the dimensions after the key stay whole (n == 0 gives
 * a view equal to src). IndexError "index out of bounds on dimension j+1",
 * ValueError for a zero step, TypeError "cannot index N-dimension view with
 * M-element tuple" for n > ndim. An index on an indirect dimension right
 * after another indirect one cannot be expressed: MV_ENOTIMPL. */
MV_API int mv_view_select(mv_view *dst, const mv_view *src,
                          const mv_keyitem *key, int n);

/* ------------------------------------------------------------------------
 * Fields of a view's items
 *
 * A field is looked up once, by name or position, into an mv_fieldref;
 * reading or writing it in an item then costs no lookup, no copy and no
 * allocation. One rule names fields everywhere (here, mv_view_field_view,
 * mv_view_field_index, Python's m['x'], the CLI's --field): names resolve
 * in the item's record, the format's top level or, for a format that is
 * one unnamed record ("T{<I:id:<f:x:}"), that record's fields, where "x"
 * is the second; a path "s.p" names field p of the record field s, as
 * NumPy's; a name without a dot that is no field of the item's record may
 * name the one leaf of a nested record that has it. Positions count the
 * fields of the item's record (padding is no field).
 *
 *     mv_fieldref x;
 *     if (mv_view_field(&v, "x", &x) < 0) ...     // once
 *     mv_value val;
 *     mv_view_get_field(&v, 7, &x, &val);              // val.f: item 7's x
 * ------------------------------------------------------------------------ */

/* How an mv_fieldref reads inline: a load of one C type, byte-swapped or
 * not; MV_LOAD_CALL for every other field (through mv_view_get_field_any). */
typedef enum mv_load {
    MV_LOAD_CALL = 0,    /* no inline load: a call reads it */
    MV_LOAD_I8,          /* int8_t */
    MV_LOAD_U8,          /* uint8_t */
    MV_LOAD_I16,         /* int16_t */
    MV_LOAD_U16,         /* uint16_t */
    MV_LOAD_I32,         /* int32_t */
    MV_LOAD_U32,         /* uint32_t */
    MV_LOAD_I64,         /* int64_t */
    MV_LOAD_U64,         /* uint64_t */
    MV_LOAD_F32,         /* float */
    MV_LOAD_F64,         /* double */
    MV_LOAD_SWAPPED = 16 /* added to the above: bytes in the other order */
} mv_load;

/* A reference points into the view's compiled format: it is valid while
 * a view of that format (the one it was made from, or views made from it)
 * is alive. */
typedef struct mv_fieldref {
    /* read-only */
    const mv_field *field; /* the field (a scalar one, never a record) */
    mv_ssize offset;       /* of its element 0 from the item's start */
    mv_load load;          /* how mv_view_get_field() reads it inline */
} mv_fieldref;

/* The field named name (dotted for nested records: "s.p") of v's items;
 * MV_EVALUE "no field of name q" when there is none, "field 'q' is a
 * record" for a record, MV_ENOTIMPL for a format that does not compile. */
MV_API int mv_view_field(const mv_view *v, const char *name, mv_fieldref *out);
/* The pos-th field (0-based) of v's items' record, as above. */
MV_API int mv_view_field_at(const mv_view *v, int pos, mv_fieldref *out);
/* Element k of a field with several (a repeat count or a shape): the
 * same reference, k elements further. MV_EINDEX when k is out of range. */
MV_API int mv_fieldref_element(const mv_fieldref *r, mv_ssize k,
                               mv_fieldref *out);

/* A view of the field named name of src's items (the naming rule above),
 * as NumPy's a['x']: the field's format (a record's is "T{...}", so that
 * its own fields can be named in turn), src's shape followed by the
 * field's own dimensions (a repeat count, then a shape: "(2,3)f" adds 2
 * and 3), strides that reach the field's bytes in src's memory. dst is
 * writable when src is; it holds its own reference to the owner.
 *
 *     mv_view x;
 *     if (mv_view_field_view(&x, &records, "pos.x") == 0) {
 *         mv_stats s;
 *         mv_view_stats(&x, &s);          // the x of every record
 *         mv_view_release(&x);
 *     }
 *
 * MV_ETYPE "format F has no fields" unless src's items are records,
 * MV_EVALUE "no field of name q" (NumPy's words), MV_ENOTIMPL for a record
 * field of a packed record whose own format would align differently. A
 * failure leaves dst released. */
MV_API int mv_view_field_view(mv_view *dst, const mv_view *src,
                              const char *name);

/* Read / write the field r of the item at index of a 1-D view (negative
 * from the end), with mv_view_get()'s checks and messages. A write changes the
 * field's bytes only, or nothing when the value is refused. */
MV_API int mv_view_get_field_any(const mv_view *v, mv_ssize index,
                                 const mv_fieldref *r, mv_value *out);
MV_API int mv_view_set_field(mv_view *v, mv_ssize index, const mv_fieldref *r,
                             const mv_value *val);

/* Private: the compiler facilities the inline fast paths use, spelled for
 * every C and C++ compiler. GCC and Clang get their builtins, MSVC its
 * intrinsics, any other compiler portable C that optimisers recognise.
 * The library itself uses the same ones (one home for byte swaps).
 * MV__NO_BUILTINS (for tests) selects the portable C everywhere. */
#if (defined(__GNUC__) || defined(__clang__)) && !defined(MV__NO_BUILTINS)
#define MV__MEMCPY(d, s, n) __builtin_memcpy(d, s, n)
#define MV__UNREACHABLE() __builtin_unreachable()
#define MV__BSWAP16(x) __builtin_bswap16(x)
#define MV__BSWAP32(x) __builtin_bswap32(x)
#define MV__BSWAP64(x) __builtin_bswap64(x)
#elif defined(_MSC_VER) && !defined(MV__NO_BUILTINS)
#define MV__MEMCPY(d, s, n) memcpy(d, s, n)
#define MV__UNREACHABLE() __assume(0)
#define MV__BSWAP16(x) _byteswap_ushort(x)
#define MV__BSWAP32(x) _byteswap_ulong(x)
#define MV__BSWAP64(x) _byteswap_uint64(x)
#else
#define MV__MEMCPY(d, s, n) memcpy(d, s, n)
/* unreachable: nothing; the code after the switch is a safe path */
#define MV__UNREACHABLE() ((void)0)
#define MV__BSWAP16(x) mv__bswap16_c(x)
#define MV__BSWAP32(x) mv__bswap32_c(x)
#define MV__BSWAP64(x) mv__bswap64_c(x)
#endif

/* Byte swaps in portable C (the fallback above, and what tests compare the
 * builtins with). */
static inline uint16_t mv__bswap16_c(uint16_t x) {
    return (uint16_t)((unsigned)x >> 8 | ((unsigned)x & 0xffu) << 8);
}
static inline uint32_t mv__bswap32_c(uint32_t x) {
    return x >> 24 | (x >> 8 & 0xff00u) | (x & 0xff00u) << 8 | x << 24;
}
static inline uint64_t mv__bswap64_c(uint64_t x) {
    return (uint64_t)mv__bswap32_c((uint32_t)x) << 32 |
           mv__bswap32_c((uint32_t)(x >> 32));
}

/* Private: the unsigned integer of 2, 4 or 8 bytes at p (any alignment),
 * in the host's byte order, or with its bytes reversed when swap. The one
 * byte-swapped load of memview, header and library. */
static inline uint16_t mv__load16(const void *p, int swap) {
    uint16_t u;
    MV__MEMCPY(&u, p, 2);
    return swap ? (uint16_t)MV__BSWAP16(u) : u;
}
static inline uint32_t mv__load32(const void *p, int swap) {
    uint32_t u;
    MV__MEMCPY(&u, p, 4);
    return swap ? (uint32_t)MV__BSWAP32(u) : u;
}
static inline uint64_t mv__load64(const void *p, int swap) {
    uint64_t u;
    MV__MEMCPY(&u, p, 8);
    return swap ? (uint64_t)MV__BSWAP64(u) : u;
}

/* Private helpers of mv_view_get_field(): a float or double from its bits. */
static inline double mv__f32(uint32_t u) {
    float f;
    MV__MEMCPY(&f, &u, 4);
    return f;
}
static inline double mv__f64(uint64_t u) {
    double f;
    MV__MEMCPY(&f, &u, 8);
    return f;
}
/* mv_view_get_field() reads inline the common fields of a flat 1-D view: ints
 * and floats of 1 to 8 bytes in either byte order; every other case goes
 * through mv_view_get_field_any(). */
static inline int mv_view_get_field(const mv_view *v, mv_ssize index,
                                    const mv_fieldref *r, mv_value *out) {
    /* flatlen_ is 0 unless the view is flat and 1-D (never once released):
     * one comparison checks both that and the index */
    if ((size_t)index < (size_t)v->flatlen_) {
        const char *p = v->buf + index * v->itemsize + r->offset;
        switch ((int)r->load) {
        case MV_LOAD_I8:
            out->type = MV_VAL_INT;
            out->i = *(const int8_t *)(const void *)p;
            return 0;
        case MV_LOAD_U8:
            out->type = MV_VAL_UINT;
            out->u = *(const uint8_t *)(const void *)p;
            return 0;
#define MV__LOAD(K, W, FIELD, VT, EXPR)                                        \
    case K:                                                                    \
        out->type = VT;                                                        \
        out->FIELD = EXPR(mv__load##W(p, 0));                                  \
        return 0;                                                              \
    case K + MV_LOAD_SWAPPED:                                                  \
        out->type = VT;                                                        \
        out->FIELD = EXPR(mv__load##W(p, 1));                                  \
        return 0;
#define MV__S16(x) (int16_t)(x)
#define MV__S32(x) (int32_t)(x)
#define MV__S64(x) (int64_t)(x)
#define MV__U(x) (x)
            MV__LOAD(MV_LOAD_I16, 16, i, MV_VAL_INT, MV__S16)
            MV__LOAD(MV_LOAD_U16, 16, u, MV_VAL_UINT, MV__U)
            MV__LOAD(MV_LOAD_I32, 32, i, MV_VAL_INT, MV__S32)
            MV__LOAD(MV_LOAD_U32, 32, u, MV_VAL_UINT, MV__U)
            MV__LOAD(MV_LOAD_I64, 64, i, MV_VAL_INT, MV__S64)
            MV__LOAD(MV_LOAD_U64, 64, u, MV_VAL_UINT, MV__U)
            MV__LOAD(MV_LOAD_F32, 32, f, MV_VAL_FLOAT, mv__f32)
            MV__LOAD(MV_LOAD_F64, 64, f, MV_VAL_FLOAT, mv__f64)
#undef MV__LOAD
#undef MV__S16
#undef MV__S32
#undef MV__S64
#undef MV__U
        case MV_LOAD_CALL: break;
        /* mv_view_field() makes no other value: no range check here */
        default: MV__UNREACHABLE();
        }
    }
    /* through a copy, so that out can stay in the caller's registers */
    mv_value tmp;
    int rc = mv_view_get_field_any(v, index, r, &tmp);
    *out = tmp;
    return rc;
}

/* ------------------------------------------------------------------------
 * Copying out
 * ------------------------------------------------------------------------ */

/* An order of items in memory (Python's order argument: 'C', 'F', 'A'). */
typedef enum mv_order {
    MV_ORDER_C = 'C', /* row-major */
    MV_ORDER_F = 'F', /* column-major */
    MV_ORDER_A = 'A'  /* F if the view is F- but not C-contiguous, else C */
} mv_order;

/* Copy v's items, in the given order, into out (size >= v->nbytes bytes). */
MV_API int mv_view_tobytes_into(const mv_view *v, void *out, mv_ssize size,
                                mv_order order);
/* The same into a new block of v->nbytes bytes, allocated by the library:
 * release it with mv_free(). A zero length still returns a non-NULL
 * pointer. */
MV_API int mv_view_tobytes(const mv_view *v, void **out, mv_order order);

/* ------------------------------------------------------------------------
 * Cast
 * ------------------------------------------------------------------------ */

/* Python's src.cast(format[, shape]): a view of src's contiguous bytes
 * read as another format (one of the two formats must be a byte format
 * 'B', 'b' or 'c' unless the shape changes only), with the builtin's rules
 * and messages. Beyond the builtin, format may be any format that compiles
 * ("<I", "T{<I:id:<f:x:}"); the builtin's refusal of it is then not
 * repeated. shape == NULL and ndim == -1 mean 1-D
 * (Python's cast without shape). As CPython's newer memoryview does
 * (gh-91484), an F-contiguous src may be cast to 1-D: its bytes in memory
 * order. dst may be src; a failure leaves dst as it was. */
MV_API int mv_view_cast(mv_view *dst, const mv_view *src, const char *format,
                        const mv_ssize *shape, int ndim);
/* mv_view_cast() whose result, given a shape, is laid out in order:
 * MV_ORDER_C (row-major, mv_view_cast's) or MV_ORDER_F (column-major: a
 * zero-copy Fortran-contiguous view of flat bytes), as CPython's
 * cast(format, shape, order=...) (gh-78959). Any other order fails with
 * MV_EVALUE "memoryview: order must be 'C' or 'F'". */
MV_API int mv_view_cast_order(mv_view *dst, const mv_view *src,
                              const char *format, const mv_ssize *shape,
                              int ndim, mv_order order);

/* ------------------------------------------------------------------------
 * Walking items (tolist, iteration)
 * ------------------------------------------------------------------------ */

/* Callbacks for mv_view_walk(): begin/end bracket each dimension's list of
 * n entries, item gives each item's value, in C order. When items is set
 * it is called instead of item, with up to 64 consecutive values of the
 * innermost dimension at a time, all of one mv_vtype. A callback returns 0 to
 * go on, or a negative status to stop the walk with it. Any callback may be
 * NULL. */
struct mv_walker {
    int (*begin)(void *ctx, int dim, mv_ssize n); /* a list of n entries */
    int (*item)(void *ctx, const mv_value *v);    /* one item */
    int (*end)(void *ctx, int dim);               /* the list is complete */
    int (*items)(void *ctx, const mv_value *v,
                 mv_ssize n); /* n items at once (then item is not called) */
};

/* Python's tolist(): a 0-D view gives one item call and no begin/end. */
MV_API int mv_view_walk(const mv_view *v, const mv_walker *w, void *ctx);

/* ------------------------------------------------------------------------
 * Hex
 * ------------------------------------------------------------------------ */

/* No separator, for mv_view_hex(). */
#define MV_HEX_NOSEP (-1)

/* Python's hex([sep[, bytes_per_sep]]) over v's bytes in C order: two
 * lowercase digits per byte, with the character sep (an ASCII code, or
 * MV_HEX_NOSEP) between groups of |bytes_per_sep| bytes, counted from the
 * right when bytes_per_sep > 0 and from the left when it is negative (0:
 * no separator). MV_EVALUE "sep must be ASCII." for a code above 127.
 * *out is a new NUL-terminated string of *outlen characters (outlen may
 * be NULL), allocated by the library: release it with mv_free().
 *
 *     mv_view_hex(&v, ':', 2, &s, NULL);    // "dead:beef"
 *
 * (A binding turns Python's sep argument, a str or bytes of length 1,
 * into that code with mv_view_check_hex_sep(), after the released-view
 * check.) */
MV_API int mv_view_hex(const mv_view *v, int32_t sep, mv_ssize bytes_per_sep,
                       char **out, mv_ssize *outlen);

/* ------------------------------------------------------------------------
 * Comparison and hash
 * ------------------------------------------------------------------------ */

/* Python's a == b for two views: equal shapes and item values equal after
 * unpacking each by its own format (so 'B' and 'b' views can be equal;
 * NaN != NaN). Sets *eq to 0 or 1. A released view is unequal to all but
 * itself. */
MV_API int mv_view_equal(const mv_view *a, const mv_view *b, int *eq);

/* A caller-supplied hash of len contiguous bytes (Python passes its own):
 * sets *out and returns 0, or returns a negative status (after
 * mv_error() or a binding's own error report) to fail the hash. */
typedef int (*mv_hash_fn)(void *ctx, const void *data, mv_ssize len,
                          int64_t *out);
/* Python's hash(v): only read-only views of formats 'B', 'b', 'c'; equal
 * to fn over v's bytes in C order (fn == NULL: 64-bit FNV-1a); cached in v
 * and still answered after release. A failure of fn is returned as it is,
 * and nothing is cached. */
MV_API int mv_view_hash(mv_view *v, mv_hash_fn fn, void *ctx, int64_t *out);

/* Two values of items equal, as Python's == on the objects they stand for
 * (1 == 1.0 == True; NaN equal to nothing). */
MV_API int mv_value_equal(const mv_value *a, const mv_value *b);

/* ------------------------------------------------------------------------
 * Assignment, count, index
 * ------------------------------------------------------------------------ */

/* Python's dst[...] = src for views of the same structure (equal formats
 * but for '@', itemsizes and shapes): MV_EVALUE "memoryview assignment:
 * lvalue and rvalue have different structures" otherwise. Overlapping
 * memory is copied as memmove would; a failure writes nothing. */
MV_API int mv_view_assign(mv_view *dst, const mv_view *src);

/* Python's v.count(x): items of a 1-D view equal to x. */
MV_API int mv_view_count(const mv_view *v, const mv_value *x, mv_ssize *out);
/* Python's v.index(x, start, stop) (start/stop clamped as for slices);
 * MV_EVALUE "memoryview.index(x): x not found" when absent. */
MV_API int mv_view_index(const mv_view *v, const mv_value *x, mv_ssize start,
                         mv_ssize stop, mv_ssize *out);

/* ------------------------------------------------------------------------
 * DLPack
 *
 * The exchange structs of DLPack 1.0 (https://dmlc.github.io/dlpack/),
 * written here under memview's own names with the same layout: a pointer
 * to an mv_dl_managed_tensor may be passed as a DLManagedTensor *, and an
 * mv_dl_managed_tensor_versioned as a DLManagedTensorVersioned *. Only
 * memory the CPU can read is exchanged (device type MV_DL_CPU).
 *
 * A managed tensor belongs to whoever holds it, until that holder calls
 * its deleter (once). A view made from one holds it: its deleter runs
 * exactly once, when the last view of it is released. A tensor made from
 * a view holds its own reference to the view's owner, so it stays valid
 * after the view is released, until its deleter runs.
 * ------------------------------------------------------------------------ */

/* The DLPack version memview makes and reads (DLPACK_MAJOR_VERSION...). */
#define MV_DLPACK_MAJOR 1
#define MV_DLPACK_MINOR 0 /* DLPACK_MINOR_VERSION */
/* Bits of mv_dl_managed_tensor_versioned.flags. */
#define MV_DLPACK_READ_ONLY (UINT64_C(1) << 0) /* do not write the data */
#define MV_DLPACK_IS_COPIED (UINT64_C(1) << 1) /* the data is a copy */

/* Device types (DLDeviceType) memview knows by name. */
enum { MV_DL_CPU = 1 /* kDLCPU: memory the CPU reads */ };
/* Type codes (DLDataTypeCode) of the types memview maps to formats. */
enum {
    MV_DL_INT = 0,     /* kDLInt: signed integer */
    MV_DL_UINT = 1,    /* kDLUInt: unsigned integer */
    MV_DL_FLOAT = 2,   /* kDLFloat: IEEE float */
    MV_DL_COMPLEX = 5, /* kDLComplex: two floats */
    MV_DL_BOOL = 6     /* kDLBool */
};

/* DLPackVersion. */
typedef struct mv_dl_version {
    uint32_t major; /* MV_DLPACK_MAJOR: a different one is unreadable */
    uint32_t minor; /* MV_DLPACK_MINOR */
} mv_dl_version;

/* DLDevice: where a tensor's memory is. */
typedef struct mv_dl_device {
    int32_t device_type; /* DLDeviceType, an enum of int size */
    int32_t device_id;   /* which device of that type (0 for the CPU) */
} mv_dl_device;

/* DLDataType: the type of one element. */
typedef struct mv_dl_dtype {
    uint8_t code;   /* MV_DL_INT ... */
    uint8_t bits;   /* bits of one lane */
    uint16_t lanes; /* 1 for scalars */
} mv_dl_dtype;

/* DLTensor: an N-dimensional array's memory and layout. */
typedef struct mv_dl_tensor {
    void *data;           /* the allocation (element 0 is byte_offset on) */
    mv_dl_device device;  /* where data is */
    int32_t ndim;         /* entries of shape and strides */
    mv_dl_dtype dtype;    /* each element's type */
    int64_t *shape;       /* ndim entries */
    int64_t *strides;     /* in items, not bytes; NULL: C-contiguous */
    uint64_t byte_offset; /* from data to element 0 */
} mv_dl_tensor;

/* DLManagedTensor: a tensor and whatever keeps its memory alive. */
typedef struct mv_dl_managed_tensor {
    mv_dl_tensor dl_tensor; /* the tensor */
    void *manager_ctx;      /* the producer's, for its deleter */
    void (*deleter)(struct mv_dl_managed_tensor *self); /* frees it, once */
} mv_dl_managed_tensor;

/* DLManagedTensorVersioned: the same with a version and flags. */
typedef struct mv_dl_managed_tensor_versioned {
    mv_dl_version version; /* of the producer's DLPack */
    void *manager_ctx;     /* the producer's, for its deleter */
    void (*deleter)(
        struct mv_dl_managed_tensor_versioned *self); /* frees it, once */
    uint64_t flags;         /* MV_DLPACK_READ_ONLY | MV_DLPACK_IS_COPIED */
    mv_dl_tensor dl_tensor; /* the tensor */
} mv_dl_managed_tensor_versioned;

/* When an export copies, as the Python array API's copy keyword says. */
typedef enum mv_dl_copy {
    MV_DL_COPY_NEVER = 0,    /* share v's memory, or fail (copy=False) */
    MV_DL_COPY_ALWAYS = 1,   /* a new C-contiguous copy (copy=True) */
    MV_DL_COPY_IF_NEEDED = 2 /* share if DLPack can describe v (None) */
} mv_dl_copy;

/* A managed tensor of v's items, for the caller to hand to a consumer.
 * Native formats map to DLPack types by kind and size ('?' is bool, 'c'
 * an 8-bit unsigned), "Zf"/"Zd" to complex; byte strides become item
 * strides. MV_EBUFFER (Python's BufferError) when DLPack cannot describe
 * v: another format, strides that are not a multiple of the item size or
 * suboffsets (unless the policy allows a copy), and, for the unversioned
 * tensor, which has no read-only flag, a read-only view (unless copied).
 * A copy is writable and, when versioned, flagged MV_DLPACK_IS_COPIED. */
MV_API int mv_view_to_dlpack(const mv_view *v, mv_dl_copy copy,
                             mv_dl_managed_tensor **out);
MV_API int mv_view_to_dlpack_versioned(const mv_view *v, mv_dl_copy copy,
                                       mv_dl_managed_tensor_versioned **out);

/* A view of a managed tensor's items (a CPU tensor of a type with a
 * format: signed and unsigned integers and floats of 8 to 64 bits, bool,
 * complex of 64 and 128 bits; one lane). The view holds t from then on
 * (see above); read-only when t's flags say so. MV_EBUFFER for a tensor
 * memview cannot read (another device, type, or major version); on any
 * failure t is left untouched and remains the caller's. */
MV_API int mv_view_from_dlpack(mv_view *dst, mv_dl_managed_tensor *t);
MV_API int mv_view_from_dlpack_versioned(mv_view *dst,
                                         mv_dl_managed_tensor_versioned *t);

/* ------------------------------------------------------------------------
 * Reductions
 * ------------------------------------------------------------------------ */

/* count, sum, min, max and mean of a view's items, in one pass over any
 * layout (strided, N-D, indirect). Integer sums are exact: sum_hi and
 * sum_lo are the 128-bit two's complement sum (sum_hi is its sign and high
 * half). NaN follows NumPy: sum, min, max and mean are NaN when any item is
 * NaN (np.sum, np.min, np.max, np.mean); the nan* members leave NaNs out
 * (np.nansum, np.nanmin, np.nanmax, np.nanmean), and are NaN when no item
 * is left (nansum is then 0). For integers the double members hold the
 * same answers rounded to double.
 *
 *     mv_stats s;
 *     if (mv_view_stats(&v, &s) == 0)
 *         printf("%td items, mean %g\n", s.count, s.mean);
 *
 * Formats: any the format engine compiles whose items are one number
 * ("d", "<i", ">Q", "=e") or an array of them ("4h"); for records see
 * mv_view_stats_field(). Bytes, characters and complex numbers fail with
 * MV_ETYPE. An empty view gives count 0 and NaN min/max/mean.
 * Runs inside the fault guard of a mapped owner. */
typedef struct mv_stats {
    mv_ssize count;        /* items */
    mv_ssize nans;         /* items that are NaN (floats) */
    mv_kind kind;          /* MV_KIND_INT, MV_KIND_UINT or MV_KIND_FLOAT */
    int64_t sum_hi;        /* integers: the exact sum, high 64 bits (signed) */
    uint64_t sum_lo;       /* integers: the exact sum, low 64 bits */
    int64_t min_i, max_i;  /* exact extremes when kind is MV_KIND_INT */
    uint64_t min_u, max_u; /* MV_KIND_UINT's (bool reads as 0 and 1) */
    double sum, min, max, mean;             /* of all items; NaN if one is */
    double nansum, nanmin, nanmax, nanmean; /* of the items but NaNs */
} mv_stats;

/* Fill *out with the count, sum, min, max and mean of v's items (see
 * mv_stats above). */
MV_API int mv_view_stats(const mv_view *v, mv_stats *out);
/* The same over field number `field` of each item of a record format
 * ("T{<I:id:<d:x:}": field 1 is x; mv_view_field_index() finds it by
 * name); every element of a field with a repeat or a shape ("3i",
 * "(2,2)d") is counted. field -1 is the items' only field. A record field
 * of records fails with MV_ETYPE (name one of its own fields through a
 * view of that record format). */
MV_API int mv_view_stats_field(const mv_view *v, int field, mv_stats *out);
/* The stats of the real parts (*re) and of the imaginary parts (*im) of
 * the complex numbers of v's items ("Zf", "<Zd", "3Zd", "T{Zd:z:}"): sum
 * and mean are NumPy's for complex numbers (sums part by part; a NaN in
 * either part of the sum makes both means NaN, as NumPy's complex
 * division does; min and max have no meaning there). MV_ETYPE "format F is not
 * of complex numbers" for any other format; with re NULL, only that check is
 * made (nothing is read). Runs inside the fault guard of a mapped owner. */
MV_API int mv_view_stats_complex(const mv_view *v, mv_stats *re, mv_stats *im);
/* Combine into *a the stats *b of another part of the same view (the
 * same format and field): exact sums and extremes merge, the derived
 * members are computed again. For work split into parts (a progress bar,
 * threads). */
MV_API void mv_stats_merge(mv_stats *a, const mv_stats *b);
/* The number of the field named name among the fields of v's items'
 * record (the naming rule of mv_view_field), or -1 when there is none or
 * the name reaches into a nested record (mv_view_field_view views it). */
MV_API int mv_view_field_index(const mv_view *v, const char *name);

/* ------------------------------------------------------------------------
 * For language bindings
 *
 * A binding converts keys and values itself, and must raise its errors in
 * the order CPython does (a released view before a bad key, an unsupported
 * format before a bad value). These calls make the core's checks on their
 * own, in that order, so that the binding can run them first. A C program
 * does not need them: every call makes its own checks.
 * ------------------------------------------------------------------------ */

/* Fails with MV_EVALUE and the released message if v is released. */
MV_API int mv_view_check_released(const mv_view *v);
/* The checks item access makes before it looks at a key, in CPython's
 * order, for adapters that convert keys and values themselves:
 * mv_view_check_item() fails with MV_ENOTIMPL "memoryview: unsupported
 * format X" unless items of the format can be read (a native format, or
 * one that compiles to items no larger than the view's);
 * mv_view_check_assign() adds, after it, "cannot modify read-only memory" and,
 * when deleting, "cannot delete memory" (MV_ETYPE). Both fail first on a
 * released view. */
MV_API int mv_view_check_item(const mv_view *v);
MV_API int mv_view_check_assign(const mv_view *v, int deleting);
/* Iteration over v's items (Python's iter(m)): 1-D views only, TypeError
 * "invalid indexing of 0-dim memory" for 0-D, NotImplementedError for N-D
 * (both even once released, as CPython 3.11 checks), then the released
 * view and format checks. */
MV_API int mv_view_check_iter(const mv_view *v);
/* Python's rule for hex()'s separator argument, a str or bytes of nchars
 * characters whose first has the code first: ValueError "sep must be
 * length 1." unless nchars is 1, "sep must be ASCII." for a code above
 * 127; else *sep is the code to pass to mv_view_hex(). */
MV_API int mv_view_check_hex_sep(mv_ssize nchars, uint32_t first, int32_t *sep);

#ifdef __cplusplus
}
#endif
#endif /* MEMVIEW_H */
