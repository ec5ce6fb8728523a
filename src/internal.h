/*
 * internal.h -- helpers shared by memview's source files. Not installed.
 */
#ifndef MEMVIEW_INTERNAL_H
#define MEMVIEW_INTERNAL_H

#include "memview.h"
#include "host.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* Messages used by more than one file, word for word CPython's. */
#define MSG_RELEASED "operation forbidden on released memoryview object"
#define MSG_READONLY "cannot modify read-only memory"

/* ---- checked arithmetic (no undefined behaviour on overflow) ---- */

static inline bool mul_overflows(mv_ssize a, mv_ssize b, mv_ssize *out) {
    return __builtin_mul_overflow(a, b, out);
}
static inline bool add_overflows(mv_ssize a, mv_ssize b, mv_ssize *out) {
    return __builtin_add_overflow(a, b, out);
}

/* ---- views ---- */

/* Fail with the released message unless v is live. */
static inline int check_live(const mv_view *v) {
    if (v->flags & MV_RELEASED)
        return mv_error(MV_EVALUE, MSG_RELEASED);
    return MV_OK;
}

/* Follow a suboffset of dimension dim, as PEP 3118 describes: the pointer
 * stored at ptr, plus the suboffset, when it is non-negative. */
static inline char *adjust_ptr(char *ptr, const mv_ssize *suboffsets, int dim) {
    if (suboffsets && suboffsets[dim] >= 0)
        return *(char **)(void *)ptr + suboffsets[dim];
    return ptr;
}

/* Allocate shape/strides/suboffsets storage for ndim dimensions in v
 * (inline or on the heap), leaving v->shape etc. pointing at it. */
int mv__view_alloc_dims(mv_view *v, int ndim, bool with_suboffsets);
/* Recompute v->flags' contiguity bits from shape and strides. */
void mv__view_init_flags(mv_view *v);
/* Make v an empty, released view (what failed constructors leave). */
void mv__view_set_released(mv_view *v);
/* Free the heap storage of dims, if any. */
void mv__view_free_dims(mv_view *v);
/* Equal shapes, or equal up to a zero at the same position ([1, 0, 5] and
 * [1, 0, 7]): views with the same items, for comparison and assignment. */
bool mv__view_equiv_shape(const mv_view *a, const mv_view *b);

/* Make dst a view of src's owner, format and readonly flag with the given
 * geometry (shape, strides and suboffsets are copied; dst != src), taking
 * an owner reference. A failure leaves dst released. */
int mv__view_build(mv_view *dst, const mv_view *src, char *buf, int ndim,
                   const mv_ssize *shape, const mv_ssize *strides,
                   const mv_ssize *suboffsets);

/* fmt compiled for a view: *out NULL when it does not compile; fails
 * only with MV_ENOMEM. */
int mv__view_compile_format(const char *fmt, mv_ssize itemsize,
                            const mv_format **out);

/* Copy of v's items, in order, into the contiguous block out, inside v's
 * fault guard (fault.c): MV_EOS when v's memory faults. */
int mv__copy_to_contiguous_guarded(char *out, const mv_view *v, mv_order order);

/* ---- formats: the table of codes (format.c) ---- */

/* One struct code: its native size and alignment, its standard size (0:
 * none, as for 'n', 'N', 'P'), the native code that reads it at the
 * standard size (sncode) and at the native size (nncode), its kind. */
typedef struct mv__code {
    unsigned char nsize, nalign, ssize;
    char sncode, nncode;
    mv_kind kind;
} mv__code;
extern const mv__code mv__codes[128];

/* The table's entry for c, or NULL when c is no struct code. */
static inline const mv__code *mv__code_of(char c) {
    unsigned char u = (unsigned char)c;
    return u < 128 && mv__codes[u].nsize ? &mv__codes[u] : NULL;
}

/* fmt without its optional leading '@': the one rule for '@'. */
const char *mv__skip_at(const char *fmt);

/* mv_format_pack() naming the format as name in its messages. */
int mv__pack_named(const char *fmt, const char *name, void *ptr,
                   const mv_value *val);

/* ---- compiled formats (struct.c) ---- */

/* mv_item_walk() with depths counted from base (a view's walk passes its
 * ndim, so that tuples inside items come after its lists). */
int mv__item_walk(const mv_format *f, const void *item, int base,
                  const mv_walker *w, void *ctx);
/* The item at p of v as one value (native formats and compiled formats of
 * one scalar); MV_ETYPE for items of several values. */
int mv__view_unpack(const mv_view *v, const char *p, mv_value *out);
int mv__view_pack(const mv_view *v, char *p, const mv_value *val);

/* mv_format_compile(), reading '@' as '^' (no alignment) when noalign. */
int mv__format_compile(const mv_format **out, const char *fmt, bool noalign);
/* The static compiled format of native character c (a code that
 * mv_format_char() returns). */
const mv_format *mv__format_native(char c);
/* Static spelling of native format c, "B" or (at) "@B" (c as above). */
const char *mv__native_spelling(char c, bool at);
/* Read / write one element of a (non-record) field at elem. */
/* field.c's one rule for naming a field: the record an item's fields are
 * looked up in (*base: its offset in the item), and the field a name (a
 * path, "outer.b", or a unique leaf) gives, with its offset in the item.
 * MV_EVALUE "no field of name x" when there is none. */
const mv_format *mv__item_record(const mv_format *f, mv_ssize *base);
int mv__field_lookup(const mv_format *f, const char *name, const mv_field **fd,
                     mv_ssize *offset);
/* MV_ETYPE for a reduction over items that are records of several fields:
 * the message names them. */
int mv__records_refused(const char *format, const mv_format *rec);
int mv__field_read(const mv_field *f, const char *elem, mv_value *out);
int mv__field_write(const mv_field *f, char *elem, const mv_value *val);

/* The scalars of one item, one after the other, at every depth: records
 * are entered, 's' and 'p' elements give one bytes value each. */
typedef struct mv__cursor {
    int top;
    struct mv__level {
        const mv_format *f;
        const char *item;
        int field;
        mv_ssize k;
    } lv[MV_FORMAT_MAXDEPTH + 1];
} mv__cursor;
void mv__cursor_init(mv__cursor *c, const mv_format *f, const char *item);
bool mv__cursor_next(mv__cursor *c, mv_value *out);

/* ---- formats ---- */
/* Fail with NotImplementedError for a format typed access can't read:
 * "memoryview: unsupported format X" or "memoryview: format X not
 * supported", as CPython words the two cases. */
int mv__format_unsupported(const char *fmt);
/* mv_format_unpack() for a format whose native character c is known (0 if none;
 * fmt is then named in the error). */
int mv__unpack_char(char c, const char *fmt, const void *ptr, mv_value *out);

/* IEEE 754 half precision, as Python's struct module reads it. */
double mv__half_to_double(uint16_t h);

/* Unaligned loads of each C type. */
#define DEFINE_LOAD(name, type)                                                \
    static inline type name(const void *p) {                                   \
        type x;                                                                \
        memcpy(&x, p, sizeof x);                                               \
        return x;                                                              \
    }
DEFINE_LOAD(load_short, short)
DEFINE_LOAD(load_int, int)
DEFINE_LOAD(load_long, long)
DEFINE_LOAD(load_llong, long long)
DEFINE_LOAD(load_ssize, ptrdiff_t)
DEFINE_LOAD(load_ushort, unsigned short)
DEFINE_LOAD(load_uint, unsigned int)
DEFINE_LOAD(load_ulong, unsigned long)
DEFINE_LOAD(load_ullong, unsigned long long)
DEFINE_LOAD(load_size, size_t)
DEFINE_LOAD(load_uintptr, uintptr_t)
DEFINE_LOAD(load_float, float)
DEFINE_LOAD(load_double, double)
DEFINE_LOAD(load_u16, uint16_t)

/* Read the item at ptr as native format character c; false when c is not
 * one. Inline, so that item reads cost no call. */
static inline bool unpack_native(char c, const void *ptr, mv_value *out) {
    const unsigned char *p = ptr;
    switch (c) {
    case 'B':
        out->type = MV_VAL_UINT;
        out->u = *p;
        break;
    case 'b':
        out->type = MV_VAL_INT;
        out->i = (signed char)*p;
        break;
    case 'h':
        out->type = MV_VAL_INT;
        out->i = load_short(p);
        break;
    case 'i':
        out->type = MV_VAL_INT;
        out->i = load_int(p);
        break;
    case 'l':
        out->type = MV_VAL_INT;
        out->i = load_long(p);
        break;
    case 'q':
        out->type = MV_VAL_INT;
        out->i = load_llong(p);
        break;
    case 'n':
        out->type = MV_VAL_INT;
        out->i = load_ssize(p);
        break;
    case 'H':
        out->type = MV_VAL_UINT;
        out->u = load_ushort(p);
        break;
    case 'I':
        out->type = MV_VAL_UINT;
        out->u = load_uint(p);
        break;
    case 'L':
        out->type = MV_VAL_UINT;
        out->u = load_ulong(p);
        break;
    case 'Q':
        out->type = MV_VAL_UINT;
        out->u = load_ullong(p);
        break;
    case 'N':
        out->type = MV_VAL_UINT;
        out->u = load_size(p);
        break;
    case 'P':
        out->type = MV_VAL_UINT;
        out->u = load_uintptr(p);
        break;
    case 'f':
        out->type = MV_VAL_FLOAT;
        out->f = load_float(p);
        break;
    case 'd':
        out->type = MV_VAL_FLOAT;
        out->f = load_double(p);
        break;
    case 'e':
        out->type = MV_VAL_FLOAT;
        out->f = mv__half_to_double(load_u16(p));
        break;
    /* Any non-zero byte reads as true, without loading it as a _Bool. */
    case '?':
        out->type = MV_VAL_BOOL;
        out->i = *p != 0;
        break;
    case 'c':
        out->type = MV_VAL_BYTES;
        out->s.ptr = (const char *)p;
        out->s.len = 1;
        break;
    default: return false;
    }
    return true;
}

/* ---- owners ---- */
void mv__owner_incref(mv_owner *o);
void mv__owner_decref(mv_owner *o);
/* A wrapped owner released by fn: true, with its ctx. */
bool mv__owner_wrapped(const mv_owner *o, mv_release_fn fn, void **ctx);
/* The owner whose file mapping stands behind o's memory: o itself, or the
 * one given to mv_owner_guard_as(). */
const mv_owner *mv__owner_mapping(const mv_owner *o);
static inline void owner_set_guarded(mv_owner *o) { mv_owner_set_guarded(o); }

/* ---- faults (fault.c) and mappings (map.c) ---- */

/* Run fn(ctx) with faults (SIGBUS and SIGSEGV; on Windows
 * EXCEPTION_IN_PAGE_ERROR and access violations) turned into MV_EOS when
 * v's owner is guarded (else just run it); afterwards, for a file mapping,
 * fail if the file shrank under it. fn must not allocate, take locks or
 * call out: a fault abandons it where it stands. */
int mv__guarded(const mv_view *v, int (*fn)(void *ctx), void *ctx);
/* The same for work on two views (either may be NULL). */
int mv__guarded2(const mv_view *a, const mv_view *b, int (*fn)(void *ctx),
                 void *ctx);
/* Occurrences of byte in p[0:n] / index of the first one (-1 if none), at
 * memchr speed, inside v's fault guard (p points into v's memory; n > 0). */
int mv__bytes_count(const mv_view *v, const char *p, mv_ssize n,
                    unsigned char byte, mv_ssize *out);
int mv__bytes_find(const mv_view *v, const char *p, mv_ssize n,
                   unsigned char byte, mv_ssize *out);
/* ---- reductions (reduce.c) ---- */

/* Non-zero: the SIMD loops take their baseline (SSE2) form even where the
 * CPU has AVX, so that tests run both. */
extern int mv__simd_baseline;

/* The SIMD choices of reduce.c's loops (byte count, float blocks), each
 * beside a scalar twin (MV__SIMD_SCALAR) that tests compare it with. */
enum mv__simd {
    MV__SIMD_SCALAR,
    MV__SIMD_SSE2, /* x86-64 baseline: byte count and float blocks */
    MV__SIMD_AVX,  /* x86-64 with AVX: float blocks */
    MV__SIMD_AVX2, /* x86-64 with AVX2: byte count */
    MV__SIMD_NEON, /* aarch64 baseline: byte count and float blocks */
    MV__SIMD_N
};
/* The choice the public calls take for byte count / float blocks in this
 * build on this CPU (mv__simd_baseline honoured). */
int mv__simd_count_choice(void);
int mv__simd_float_choice(void);
/* Loops of choice isa run by this thread so far (either kind). */
unsigned long mv__simd_runs(int isa);
/* Occurrences of b in p[0:n] into *out through the loop of choice isa;
 * returns isa, or -1 (*out untouched) when this build or CPU has no such
 * loop (AVX and AVX2 count as missing while mv__simd_baseline is set). */
int mv__count_byte_with(int isa, const void *p, size_t n, unsigned char b,
                        uint64_t *out);
/* What float blocks gather: the sum, minimum and maximum of the values
 * that are not NaN (seen: there was one), and the NaNs. */
typedef struct mv__fstate {
    double sum, min, max;
    mv_ssize nans;
    bool seen;
} mv__fstate;
/* Values in one float block of mv_view_stats's contiguous loops. */
#define MV__FLOAT_BLOCK 1024
/* One block of MV__FLOAT_BLOCK floats (is_float) or doubles at p (any
 * alignment), native order, into *st through the loop of choice isa;
 * returns isa, or -1 (*st untouched) when there is no such loop. */
int mv__float_block_with(int isa, const void *p, int is_float, mv__fstate *st);

/* How the values of each item read: the facts a compiled format's field
 * gives (native code, size, byte order, offset in the item, count). */
typedef struct mv__elem {
    char code;          /* native code: b B h H i I l L q Q n N P e f d ? */
    unsigned char swap; /* 1: bytes in the other order than the host's */
    mv_ssize size;      /* bytes of one value */
    mv_ssize offset;    /* of the first value, from the start of the item */
    mv_ssize count;     /* values an item holds, size bytes apart */
} mv__elem;
/* mv_view_stats() over the element e of each item of v (v live). */
int mv__view_stats_elem(const mv_view *v, const mv__elem *e, mv_stats *out);

/* MV_EOS when o is a file mapping whose file is now shorter than the
 * mapping; MV_OK otherwise. */
int mv__map_check(const mv_owner *o);

#endif
