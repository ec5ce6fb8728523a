/*
 * test_nomem.c -- every allocation of every call fails in turn.
 *
 * This program is linked with -Wl,--wrap=malloc,--wrap=calloc,
 * --wrap=realloc, so the library's allocations (linked in statically) go
 * through the countdown below. For each call, and k = 1, 2, ..., the k-th
 * allocation the call makes fails, until the call makes fewer than k
 * allocations and succeeds. Every failing run must return MV_ENOMEM with a
 * non-empty message, leave its inputs as they were (views, owners, the
 * bytes they hold) and its outputs too (a view constructor leaves its
 * destination released), and leak nothing: the C tests run this program
 * under ASan/LSan and valgrind.
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <unistd.h>

#include "test_util.h"

#include "test_os.h"

/* ---- the countdown ---- */

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);

static long fail_at;  /* fail the fail_at-th allocation (0: none) */
static long alloc_no; /* allocations since arming */
static bool injected;

static bool should_fail(void) {
    if (fail_at == 0)
        return false;
    if (++alloc_no != fail_at)
        return false;
    injected = true;
    return true;
}

void *__wrap_malloc(size_t n) {
    return should_fail() ? NULL : __real_malloc(n);
}
void *__wrap_calloc(size_t n, size_t size) {
    return should_fail() ? NULL : __real_calloc(n, size);
}
void *__wrap_realloc(void *p, size_t n) {
    return should_fail() ? NULL : __real_realloc(p, n);
}

static void arm(long k) {
    fail_at = k;
    alloc_no = 0;
    injected = false;
}

static void disarm(void) { fail_at = 0; }

/* ---- inputs and outputs of the calls ---- */

enum { NBYTES = 320 };

struct fx {
    mv_owner *o;                     /* an input owner: NBYTES of a pattern */
    mv_view a, b;                    /* input views */
    mv_view out;                     /* an output view */
    mv_owner *oo;                    /* an output owner */
    void *mem;                       /* an output block */
    char *str;                       /* an output string */
    mv_ssize n;                      /* an output size */
    int eq;                          /* an output flag */
    int64_t hash;                    /* an output hash */
    const mv_format *fmt;            /* an output format */
    const mv_format *infmt;          /* an input format */
    mv_dl_managed_tensor *dl, *indl; /* output, input */
    mv_dl_managed_tensor_versioned *dlv, *indlv; /* output, input */
    int callbacks;                               /* release callback calls */
    char wrapped[64];
    char path[300];
};

#define SENTINEL ((void *)(uintptr_t)0x5a5a5a5a)

static void count_callback(void *ctx, void *data, mv_ssize len) {
    (void)data;
    (void)len;
    ((struct fx *)ctx)->callbacks++;
}

static void make_owner(struct fx *f, int readonly) {
    unsigned char tmp[NBYTES];
    tu_pattern(tmp, NBYTES, 7);
    if (readonly) {
        CHECK_OK(mv_owner_copy(&f->o, tmp, NBYTES));
    } else {
        CHECK_OK(mv_owner_new_bytes(&f->o, NBYTES));
        memcpy(mv_owner_data(f->o), tmp, NBYTES);
    }
}

/* A 5-D view (2x2x2x3x5 bytes): its shape and strides live on the heap. */
static const mv_ssize SHAPE5[5] = {2, 2, 2, 3, 5};

static void make_5d(struct fx *f, mv_view *v) {
    tu_layout_view(v, f->o, mv_owner_data(f->o), 120, "B", 1, 5, SHAPE5, NULL,
                   NULL, mv_owner_readonly(f->o));
}

/* A non-contiguous 4-D view (every other byte). */
static void make_4d_strided(struct fx *f, mv_view *v) {
    static const mv_ssize shape[4] = {2, 2, 3, 5};
    static const mv_ssize strides[4] = {120, 60, 20, 2};
    tu_layout_view(v, f->o, mv_owner_data(f->o), 60, "B", 1, 4, shape, strides,
                   NULL, mv_owner_readonly(f->o));
}

static void setup(struct fx *f) {
    memset(f, 0, sizeof *f);
    f->a.flags = f->b.flags = MV_RELEASED;
    f->out.flags = MV_RELEASED;
    f->oo = SENTINEL;
    f->mem = SENTINEL;
    f->str = SENTINEL;
    f->n = -12345;
    f->eq = -7;
    f->hash = -99;
    f->fmt = SENTINEL;
    f->dl = SENTINEL;
    f->dlv = SENTINEL;
}

static void teardown(struct fx *f) {
    if (f->oo != SENTINEL)
        mv_owner_release(f->oo);
    if (f->mem != SENTINEL)
        mv_free(f->mem);
    if (f->str != SENTINEL)
        mv_free(f->str);
    if (f->fmt != SENTINEL)
        mv_format_release(f->fmt);
    mv_format_release(f->infmt);
    if (f->dl != SENTINEL)
        f->dl->deleter(f->dl);
    if (f->dlv != SENTINEL)
        f->dlv->deleter(f->dlv);
    if (f->indl) /* not taken by the view (it failed) */
        f->indl->deleter(f->indl);
    if (f->indlv)
        f->indlv->deleter(f->indlv);
    CHECK_OK(mv_view_release(&f->out));
    CHECK_OK(mv_view_release(&f->a));
    CHECK_OK(mv_view_release(&f->b));
    mv_owner_release(f->o);
    if (f->path[0])
        unlink(f->path);
}

/* ---- what a failing call must leave as it was ---- */

struct view_snap {
    mv_view v;
    mv_ssize dims[3 * MV_MAXDIM];
};

struct snap {
    struct view_snap a, b;
    unsigned char bytes[NBYTES];
    mv_ssize size, exports;
    mv_dl_managed_tensor dl;
    mv_dl_managed_tensor_versioned dlv;
};

static void snap_view(struct view_snap *s, const mv_view *v) {
    memcpy(&s->v, v, sizeof *v);
    memset(s->dims, 0, sizeof s->dims);
    if (!mv_view_is_released(v))
        for (int d = 0; d < v->ndim; d++) {
            s->dims[d] = v->shape[d];
            s->dims[MV_MAXDIM + d] = v->strides[d];
            s->dims[2 * MV_MAXDIM + d] = v->suboffsets ? v->suboffsets[d] : -1;
        }
}

static void take_snap(struct snap *s, const struct fx *f) {
    memset(s, 0, sizeof *s);
    snap_view(&s->a, &f->a);
    snap_view(&s->b, &f->b);
    if (f->indl)
        memcpy(&s->dl, f->indl, sizeof s->dl);
    if (f->indlv)
        memcpy(&s->dlv, f->indlv, sizeof s->dlv);
    if (f->o) {
        s->size = mv_owner_size(f->o);
        s->exports = mv_owner_exports(f->o);
        memcpy(s->bytes, mv_owner_data(f->o),
               (size_t)(s->size < NBYTES ? s->size : NBYTES));
    }
}

/* ---- the calls ---- */

struct nomem_case {
    const char *name;
    void (*prepare)(struct fx *f); /* inputs, made with no failure armed */
    int (*call)(struct fx *f);
    enum {
        OUT_NONE,
        OUT_VIEW,
        OUT_OWNER,
        OUT_MEM,
        OUT_STR,
        OUT_FMT,
        OUT_DL
    } out;
};

static void prep_none(struct fx *f) { (void)f; }
static void prep_owner(struct fx *f) { make_owner(f, 0); }
static void prep_1d(struct fx *f) {
    make_owner(f, 0);
    CHECK_OK(mv_view_from_owner(&f->a, f->o));
}
static void prep_5d(struct fx *f) {
    make_owner(f, 0);
    make_5d(f, &f->a);
}
static void prep_strided(struct fx *f) {
    make_owner(f, 0);
    make_4d_strided(f, &f->a);
}
static void prep_strided_ro(struct fx *f) {
    make_owner(f, 1);
    make_4d_strided(f, &f->a);
}
static void prep_overlap(struct fx *f) {
    make_owner(f, 0);
    mv_view all;
    CHECK_OK(mv_view_from_owner(&all, f->o));
    CHECK_OK(mv_view_slice(&f->a, &all, 0, 200, 2));
    CHECK_OK(mv_view_slice(&f->b, &all, 1, 201, 2));
    CHECK_OK(mv_view_release(&all));
}
static void prep_file(struct fx *f) {
    snprintf(f->path, sizeof f->path, "%s/memview-nomem-%ld.bin", tu_tmpdir(),
             (long)getpid());
    FILE *fp = fopen(f->path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite("0123456789", 1, 10, fp), 10);
    assert_int_equal(fclose(fp), 0);
}

static void prep_records(struct fx *f) {
    make_owner(f, 0);
    mv_ssize shape[1] = {NBYTES / 40};
    mv_layout l = {.buf = mv_owner_data(f->o),
                   .nbytes = NBYTES / 40 * 40,
                   .itemsize = 40,
                   .format = "T{<i:a:T{<h:x:<h:y:}:p:(2,2,2,2)<h:q:}",
                   .ndim = 1,
                   .shape = shape};
    CHECK_OK(mv_view_from_layout(&f->a, f->o, &l));
}
static int call_field_view(struct fx *f) {
    return mv_view_field_view(&f->out, &f->a, "p");
}
static int call_field_view_5d(struct fx *f) {
    return mv_view_field_view(&f->out, &f->a, "q");
}
static int call_copy(struct fx *f) { return mv_owner_copy(&f->oo, "abc", 3); }
static int call_new_bytes(struct fx *f) {
    return mv_owner_new_bytes(&f->oo, 64);
}
static int call_wrap(struct fx *f) {
    return mv_owner_wrap(&f->oo, f->wrapped, 64, 0, count_callback, f);
}
static int call_map(struct fx *f) { return mv_owner_map(&f->oo, f->path, 0); }
static int call_map_range(struct fx *f) {
    return mv_owner_map_range(&f->oo, f->path, 2, 5, 0);
}
static int call_resize(struct fx *f) { return mv_owner_resize(f->o, 4096); }
static int call_from_layout(struct fx *f) {
    mv_layout l = {.buf = mv_owner_data(f->o),
                   .nbytes = 120,
                   .itemsize = 1,
                   .format = "B",
                   .ndim = 5,
                   .shape = SHAPE5};
    return mv_view_from_layout(&f->out, f->o, &l);
}
static int call_new(struct fx *f) { return mv_view_new(&f->out, &f->a); }
static int call_borrow(struct fx *f) { return mv_view_borrow(&f->out, &f->a); }
static int call_readonly(struct fx *f) {
    return mv_view_readonly(&f->out, &f->a);
}
static int call_slice(struct fx *f) {
    return mv_view_slice(&f->out, &f->a, 1, MV_END, 1);
}
static int call_subview(struct fx *f) {
    return mv_view_subview(&f->out, &f->a, 1);
}
static int call_select(struct fx *f) {
    mv_keyitem key[2] = {{.is_slice = 1, .start = 0, .stop = 1, .step = 1},
                         {.is_slice = 1, .start = 1, .stop = 2, .step = 1}};
    return mv_view_select(&f->out, &f->a, key, 2);
}
static int call_cast(struct fx *f) {
    mv_ssize shape[5] = {2, 2, 2, 5, 8};
    return mv_view_cast(&f->out, &f->a, "B", shape, 5);
}
static int call_cast_compiled(struct fx *f) {
    return mv_view_cast(&f->out, &f->a, "<i", NULL, -1);
}
static int call_cast_in_place(struct fx *f) {
    mv_ssize shape[5] = {2, 2, 2, 5, 8};
    return mv_view_cast(&f->a, &f->a, "B", shape, 5);
}
static int call_tobytes(struct fx *f) {
    return mv_view_tobytes(&f->a, &f->mem, MV_ORDER_C);
}
static int call_tobytes_f(struct fx *f) {
    return mv_view_tobytes(&f->a, &f->mem, MV_ORDER_F);
}
static int call_hex(struct fx *f) {
    return mv_view_hex(&f->a, MV_HEX_NOSEP, 0, &f->str, &f->n);
}
static int call_hex_sep(struct fx *f) {
    return mv_view_hex(&f->a, ':', 2, &f->str, &f->n);
}
static int call_from_layout_struct(struct fx *f) {
    mv_ssize shape[1] = {20};
    mv_layout l = {.buf = mv_owner_data(f->o),
                   .nbytes = 120,
                   .itemsize = 6,
                   .format = "<hI",
                   .ndim = 1,
                   .shape = shape};
    return mv_view_from_layout(&f->out, f->o, &l);
}
/* "hI" aligned is 8 bytes: items of 6 are read packed (compiled twice) */
static int call_from_layout_packed(struct fx *f) {
    mv_ssize shape[1] = {20};
    mv_layout l = {.buf = mv_owner_data(f->o),
                   .nbytes = 120,
                   .itemsize = 6,
                   .format = "hI",
                   .ndim = 1,
                   .shape = shape};
    return mv_view_from_layout(&f->out, f->o, &l);
}
static int call_format_compile(struct fx *f) {
    return mv_format_compile(&f->fmt, "T{<I:id:(2,3)f:x:10s:name:}");
}

/* mv_item_pack's source: one byte string. */
static int src_begin(void *ctx, int depth, mv_ssize n) {
    (void)ctx, (void)depth, (void)n;
    return MV_OK;
}
static int src_value(void *ctx, const mv_field *field, mv_value *out) {
    (void)ctx;
    (void)field;
    out->type = MV_VAL_BYTES;
    out->s.ptr = "packed";
    out->s.len = 6;
    return MV_OK;
}
static int src_end(void *ctx, int depth) {
    (void)ctx, (void)depth;
    return MV_OK;
}
static void prep_pack(struct fx *f) {
    make_owner(f, 0);
    /* An item of more than 256 bytes is packed in an allocated copy. */
    CHECK_OK(mv_format_compile(&f->infmt, "300s"));
}
static int call_item_pack(struct fx *f) {
    mv_source src = {src_begin, src_value, src_end};
    return mv_item_pack(f->infmt, mv_owner_data(f->o), &src, NULL);
}
static void prep_dlpack(struct fx *f) {
    prep_strided(f);
    mv_view v;
    CHECK_OK(mv_view_new(&v, &f->a));
    CHECK_OK(mv_view_to_dlpack(&v, MV_DL_COPY_IF_NEEDED, &f->indl));
    CHECK_OK(mv_view_to_dlpack_versioned(&v, MV_DL_COPY_IF_NEEDED, &f->indlv));
    CHECK_OK(mv_view_release(&v));
}
static int call_to_dlpack(struct fx *f) {
    return mv_view_to_dlpack(&f->a, MV_DL_COPY_IF_NEEDED, &f->dl);
}
static int call_to_dlpack_copy(struct fx *f) {
    return mv_view_to_dlpack(&f->a, MV_DL_COPY_ALWAYS, &f->dl);
}
static int call_to_dlpack_versioned(struct fx *f) {
    return mv_view_to_dlpack_versioned(&f->a, MV_DL_COPY_IF_NEEDED, &f->dlv);
}
static int call_from_dlpack(struct fx *f) {
    int rc = mv_view_from_dlpack(&f->out, f->indl);
    if (rc == MV_OK)
        f->indl = NULL; /* the view holds it now */
    return rc;
}
static int call_from_dlpack_versioned(struct fx *f) {
    int rc = mv_view_from_dlpack_versioned(&f->out, f->indlv);
    if (rc == MV_OK)
        f->indlv = NULL;
    return rc;
}
static int call_hash(struct fx *f) {
    return mv_view_hash(&f->a, NULL, NULL, &f->hash);
}
static int call_assign(struct fx *f) { return mv_view_assign(&f->a, &f->b); }

static const struct nomem_case cases[] = {
    {"mv_owner_copy", prep_none, call_copy, OUT_OWNER},
    {"mv_owner_new_bytes", prep_none, call_new_bytes, OUT_OWNER},
    {"mv_owner_wrap", prep_none, call_wrap, OUT_OWNER},
    {"mv_owner_map", prep_file, call_map, OUT_OWNER},
    {"mv_owner_map_range", prep_file, call_map_range, OUT_OWNER},
    {"mv_owner_resize", prep_owner, call_resize, OUT_NONE},
    {"mv_view_from_layout (5-D)", prep_owner, call_from_layout, OUT_VIEW},
    {"mv_view_new (5-D)", prep_5d, call_new, OUT_VIEW},
    {"mv_view_borrow (5-D)", prep_5d, call_borrow, OUT_VIEW},
    {"mv_view_readonly (5-D)", prep_5d, call_readonly, OUT_VIEW},
    {"mv_view_slice (5-D)", prep_5d, call_slice, OUT_VIEW},
    {"mv_view_subview (5-D)", prep_5d, call_subview, OUT_VIEW},
    {"mv_view_select (5-D)", prep_5d, call_select, OUT_VIEW},
    {"mv_view_cast (to 5-D)", prep_1d, call_cast, OUT_VIEW},
    {"mv_view_field_view (record)", prep_records, call_field_view, OUT_VIEW},
    {"mv_view_field_view (5-D)", prep_records, call_field_view_5d, OUT_VIEW},
    {"mv_view_cast (in place)", prep_1d, call_cast_in_place, OUT_NONE},
    {"mv_view_cast (to <i)", prep_1d, call_cast_compiled, OUT_VIEW},
    {"mv_view_tobytes (strided, C)", prep_strided, call_tobytes, OUT_MEM},
    {"mv_view_tobytes (strided, F)", prep_strided, call_tobytes_f, OUT_MEM},
    {"mv_view_hex (strided)", prep_strided, call_hex, OUT_STR},
    {"mv_view_hex (strided, sep)", prep_strided, call_hex_sep, OUT_STR},
    {"mv_view_from_layout (<hI)", prep_owner, call_from_layout_struct,
     OUT_VIEW},
    {"mv_view_from_layout (hI, packed)", prep_owner, call_from_layout_packed,
     OUT_VIEW},
    {"mv_format_compile (record)", prep_none, call_format_compile, OUT_FMT},
    {"mv_item_pack (300 bytes)", prep_pack, call_item_pack, OUT_NONE},
    {"mv_view_to_dlpack (strided)", prep_strided, call_to_dlpack, OUT_DL},
    {"mv_view_to_dlpack (copy)", prep_strided, call_to_dlpack_copy, OUT_DL},
    {"mv_view_to_dlpack_versioned", prep_strided, call_to_dlpack_versioned,
     OUT_DL},
    {"mv_view_from_dlpack", prep_dlpack, call_from_dlpack, OUT_VIEW},
    {"mv_view_from_dlpack_versioned", prep_dlpack, call_from_dlpack_versioned,
     OUT_VIEW},
    {"mv_view_hash (strided)", prep_strided_ro, call_hash, OUT_NONE},
    {"mv_view_assign (overlap)", prep_overlap, call_assign, OUT_NONE},
};

#define NCASES ((int)(sizeof cases / sizeof cases[0]))

/* Run one case with its k-th allocation failing; returns whether a failure
 * was injected (false: the call made fewer than k allocations). */
static bool run_failing(const struct nomem_case *c, long k) {
    struct fx f;
    setup(&f);
    c->prepare(&f);
    struct snap before, after;
    take_snap(&before, &f);
    mv_error(MV_OK, "%s", "");
    arm(k);
    int rc = c->call(&f);
    disarm();
    if (!injected) {
        if (rc != MV_OK)
            fail_msg("%s: failed with %s \"%s\" with no allocation failure",
                     c->name, mv_err_name(rc), mv_errmsg());
        teardown(&f);
        return false;
    }
    if (rc != MV_ENOMEM)
        fail_msg("%s, allocation %ld failing: returned %d (%s), want "
                 "MemoryError",
                 c->name, k, rc, mv_err_name(rc));
    if (mv_errmsg()[0] == '\0')
        fail_msg("%s, allocation %ld failing: MemoryError with an empty "
                 "message",
                 c->name, k);
    take_snap(&after, &f);
    if (memcmp(&before, &after, sizeof before) != 0)
        fail_msg("%s, allocation %ld failing: an input changed", c->name, k);
    switch (c->out) {
    case OUT_VIEW:
        if (!mv_view_is_released(&f.out) || f.out.owner != NULL)
            fail_msg("%s, allocation %ld failing: destination not released",
                     c->name, k);
        break;
    case OUT_OWNER:
        if (f.oo != SENTINEL)
            fail_msg("%s, allocation %ld failing: output owner written",
                     c->name, k);
        break;
    case OUT_MEM:
        if (f.mem != SENTINEL)
            fail_msg("%s, allocation %ld failing: output written", c->name, k);
        break;
    case OUT_STR:
        if (f.str != SENTINEL || f.n != -12345)
            fail_msg("%s, allocation %ld failing: output written", c->name, k);
        break;
    case OUT_FMT:
        if (f.fmt != SENTINEL)
            fail_msg("%s, allocation %ld failing: output written", c->name, k);
        break;
    case OUT_DL:
        if (f.dl != SENTINEL || f.dlv != SENTINEL)
            fail_msg("%s, allocation %ld failing: output written", c->name, k);
        break;
    case OUT_NONE: break;
    }
    if (f.eq != -7 || f.hash != -99)
        fail_msg("%s, allocation %ld failing: output written", c->name, k);
    if (f.callbacks != 0)
        fail_msg("%s, allocation %ld failing: release callback ran", c->name,
                 k);
    teardown(&f);
    return true;
}

static void test_every_allocation_fails_cleanly(void **state) {
    (void)state;
    long total = 0;
    for (int i = 0; i < NCASES; i++) {
        long k = 1;
        while (run_failing(&cases[i], k))
            k++;
        print_message("%-32s %ld allocation%s, each failed in turn\n",
                      cases[i].name, k - 1, k - 1 == 1 ? "" : "s");
        if (k == 1) /* a call in the table allocates */
            fail_msg("%s made no allocation", cases[i].name);
        total += k - 1;
    }
    print_message("%d calls, %ld injected allocation failures\n", NCASES,
                  total);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_allocation_fails_cleanly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
