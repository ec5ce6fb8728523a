/*
 * test_dlpack.c -- DLPack: the structs' layout, export and import, the
 * read-only flag, and the rule that a deleter runs exactly once.
 *
 * The layout of the unversioned structs is checked against Debian's
 * dlpack.h (libdlpack-dev, DLPack 0.6); that header predates
 * DLManagedTensorVersioned, whose layout is checked against the offsets
 * the DLPack 1.0 spec's field order gives on this ABI.
 */
#include "test_util.h"

/* ---- ABI ---- */

#if __has_include(<dlpack/dlpack.h>) /* libdlpack-dev, installed by make test  \
                                      */
#include <dlpack/dlpack.h>

#define SAME_FIELD(ours, theirs, field)                                        \
    _Static_assert(offsetof(ours, field) == offsetof(theirs, field) &&         \
                       sizeof(((ours *)0)->field) ==                           \
                           sizeof(((theirs *)0)->field),                       \
                   #ours "." #field)

_Static_assert(sizeof(mv_dl_device) == sizeof(DLDevice), "DLDevice");
SAME_FIELD(mv_dl_device, DLDevice, device_type);
SAME_FIELD(mv_dl_device, DLDevice, device_id);
_Static_assert(sizeof(mv_dl_dtype) == sizeof(DLDataType), "DLDataType");
SAME_FIELD(mv_dl_dtype, DLDataType, code);
SAME_FIELD(mv_dl_dtype, DLDataType, bits);
SAME_FIELD(mv_dl_dtype, DLDataType, lanes);
_Static_assert(sizeof(mv_dl_tensor) == sizeof(DLTensor), "DLTensor");
SAME_FIELD(mv_dl_tensor, DLTensor, data);
SAME_FIELD(mv_dl_tensor, DLTensor, device);
SAME_FIELD(mv_dl_tensor, DLTensor, ndim);
SAME_FIELD(mv_dl_tensor, DLTensor, dtype);
SAME_FIELD(mv_dl_tensor, DLTensor, shape);
SAME_FIELD(mv_dl_tensor, DLTensor, strides);
SAME_FIELD(mv_dl_tensor, DLTensor, byte_offset);
_Static_assert(sizeof(mv_dl_managed_tensor) == sizeof(DLManagedTensor),
               "DLManagedTensor");
SAME_FIELD(mv_dl_managed_tensor, DLManagedTensor, dl_tensor);
SAME_FIELD(mv_dl_managed_tensor, DLManagedTensor, manager_ctx);
SAME_FIELD(mv_dl_managed_tensor, DLManagedTensor, deleter);
_Static_assert((int)MV_DL_CPU == (int)kDLCPU && (int)MV_DL_INT == (int)kDLInt &&
                   (int)MV_DL_UINT == (int)kDLUInt &&
                   (int)MV_DL_FLOAT == (int)kDLFloat &&
                   (int)MV_DL_COMPLEX == (int)kDLComplex,
               "DLPack enum values");
#endif
/* DLManagedTensorVersioned (DLPack 1.0): version, manager_ctx, deleter,
 * flags, dl_tensor, each aligned as C aligns it. */
_Static_assert(offsetof(mv_dl_managed_tensor_versioned, version) == 0 &&
                   sizeof(mv_dl_version) == 8,
               "version");
_Static_assert(offsetof(mv_dl_managed_tensor_versioned, manager_ctx) == 8,
               "manager_ctx");
_Static_assert(offsetof(mv_dl_managed_tensor_versioned, deleter) ==
                   8 + sizeof(void *),
               "deleter");
_Static_assert(offsetof(mv_dl_managed_tensor_versioned, flags) ==
                   8 + 2 * sizeof(void *),
               "flags");
_Static_assert(offsetof(mv_dl_managed_tensor_versioned, dl_tensor) ==
                   16 + 2 * sizeof(void *),
               "dl_tensor");

/* ---- counting deleters ---- */

/* Exported tensors get their deleter wrapped, to count its calls. */
static int legacy_calls, versioned_calls;
static void (*legacy_orig)(mv_dl_managed_tensor *);
static void (*versioned_orig)(mv_dl_managed_tensor_versioned *);

static void count_legacy(mv_dl_managed_tensor *t) {
    legacy_calls++;
    legacy_orig(t);
}
static void count_versioned(mv_dl_managed_tensor_versioned *t) {
    versioned_calls++;
    versioned_orig(t);
}
static void wrap_legacy(mv_dl_managed_tensor *t) {
    legacy_calls = 0;
    legacy_orig = t->deleter;
    t->deleter = count_legacy;
}
static void wrap_versioned(mv_dl_managed_tensor_versioned *t) {
    versioned_calls = 0;
    versioned_orig = t->deleter;
    t->deleter = count_versioned;
}

/* Tensors made by the test as a producer: a deleter that only counts. */
static int made_calls;
static void made_legacy_deleter(mv_dl_managed_tensor *t) {
    (void)t;
    made_calls++;
}
static void made_versioned_deleter(mv_dl_managed_tensor_versioned *t) {
    (void)t;
    made_calls++;
}

/* Counting release callback of a wrapped owner. */
static int owner_calls;
static void owner_release(void *ctx, void *data, mv_ssize len) {
    (void)ctx;
    (void)data;
    (void)len;
    owner_calls++;
}

/* A 2 x 3 view of format "i" over data (C-contiguous), read-only or not,
 * whose owner counts its release. */
static void int_view(mv_view *v, int32_t *data, int readonly) {
    for (int i = 0; i < 6; i++)
        data[i] = 10 * i + 1;
    mv_owner *o;
    owner_calls = 0;
    CHECK_OK(mv_owner_wrap(&o, data, 24, readonly, owner_release, NULL));
    mv_ssize shape[2] = {2, 3};
    tu_layout_view(v, o, data, 24, "i", 4, 2, shape, NULL, NULL, readonly);
    mv_owner_release(o);
}

static int32_t get_i32(const mv_view *v, mv_ssize r, mv_ssize c) {
    mv_ssize idx[2] = {r, c};
    mv_value x;
    CHECK_OK(mv_view_getn(v, idx, 2, &x));
    CHECK_EQ(x.type, MV_VAL_INT);
    return (int32_t)x.i;
}

/* ---- export ---- */

static void test_export_versioned_fields(void **state) {
    (void)state;
    int32_t data[6];
    mv_view v;
    int_view(&v, data, 0);
    mv_dl_managed_tensor_versioned *t;
    CHECK_OK(mv_view_to_dlpack_versioned(&v, MV_DL_COPY_NEVER, &t));
    CHECK_EQ(t->version.major, 1);
    CHECK_EQ(t->version.minor, 0);
    CHECK_EQ(t->flags, 0);
    const mv_dl_tensor *d = &t->dl_tensor;
    CHECK_TRUE(d->data == (void *)data);
    CHECK_EQ(d->byte_offset, 0);
    CHECK_EQ(d->device.device_type, MV_DL_CPU);
    CHECK_EQ(d->device.device_id, 0);
    CHECK_EQ(d->ndim, 2);
    CHECK_EQ(d->dtype.code, MV_DL_INT);
    CHECK_EQ(d->dtype.bits, 32);
    CHECK_EQ(d->dtype.lanes, 1);
    CHECK_EQ(d->shape[0], 2);
    CHECK_EQ(d->shape[1], 3);
    CHECK_EQ(d->strides[0], 3); /* items, not bytes */
    CHECK_EQ(d->strides[1], 1);
    wrap_versioned(t);
    CHECK_OK(mv_view_release(&v));
    t->deleter(t);
    CHECK_EQ(versioned_calls, 1);
    CHECK_EQ(owner_calls, 1);
}

static void test_export_outlives_view(void **state) {
    (void)state;
    int32_t data[6];
    mv_view v;
    int_view(&v, data, 0);
    mv_dl_managed_tensor *t;
    CHECK_OK(mv_view_to_dlpack(&v, MV_DL_COPY_NEVER, &t));
    wrap_legacy(t);
    CHECK_OK(mv_view_release(&v));
    /* The view is gone; the tensor still holds the owner. */
    CHECK_EQ(owner_calls, 0);
    const int32_t *p = t->dl_tensor.data;
    CHECK_EQ(p[5], 51);
    CHECK_EQ(legacy_calls, 0);
    t->deleter(t);
    CHECK_EQ(legacy_calls, 1);
    CHECK_EQ(owner_calls, 1);
}

static void test_export_strided_view(void **state) {
    (void)state;
    int32_t data[6];
    mv_view v, col;
    int_view(&v, data, 0);
    /* v[::-1, ::2] (a backward slice's omitted ends: MV_END, MV_BEGIN) */
    mv_keyitem key[2] = {
        {.is_slice = 1, .start = MV_END, .stop = MV_BEGIN, .step = -1},
        {.is_slice = 1, .start = 0, .stop = MV_END, .step = 2}};
    CHECK_OK(mv_view_select(&col, &v, key, 2));
    mv_dl_managed_tensor_versioned *t;
    CHECK_OK(mv_view_to_dlpack_versioned(&col, MV_DL_COPY_NEVER, &t));
    const mv_dl_tensor *d = &t->dl_tensor;
    CHECK_EQ(d->shape[0], 2);
    CHECK_EQ(d->shape[1], 2);
    CHECK_EQ(d->strides[0], -3);
    CHECK_EQ(d->strides[1], 2);
    CHECK_TRUE(d->data == (void *)(data + 3));
    /* Read it back through the import: the same items, the same memory. */
    mv_view back;
    CHECK_OK(mv_view_from_dlpack_versioned(&back, t));
    CHECK_TRUE(back.buf == col.buf);
    for (mv_ssize r = 0; r < 2; r++)
        for (mv_ssize c = 0; c < 2; c++)
            CHECK_EQ(get_i32(&back, r, c), get_i32(&col, r, c));
    CHECK_OK(mv_view_release(&col));
    CHECK_OK(mv_view_release(&v));
    CHECK_EQ(owner_calls, 0);
    CHECK_OK(mv_view_release(&back));
    CHECK_EQ(owner_calls, 1);
}

static void test_export_readonly(void **state) {
    (void)state;
    int32_t data[6];
    mv_view v;
    int_view(&v, data, 1);
    mv_dl_managed_tensor *legacy;
    CHECK_ERR(mv_view_to_dlpack(&v, MV_DL_COPY_NEVER, &legacy), MV_EBUFFER,
              "memview: cannot export a read-only view as an unversioned "
              "DLPack tensor, which has no read-only flag");
    CHECK_ERR(mv_view_to_dlpack(&v, MV_DL_COPY_IF_NEEDED, &legacy), MV_EBUFFER,
              "memview: cannot export a read-only view as an unversioned "
              "DLPack tensor, which has no read-only flag");
    /* A copy is the consumer's own, writable. */
    CHECK_OK(mv_view_to_dlpack(&v, MV_DL_COPY_ALWAYS, &legacy));
    CHECK_TRUE(legacy->dl_tensor.data != (void *)data);
    int32_t *copy = legacy->dl_tensor.data;
    CHECK_EQ(copy[4], 41);
    copy[4] = -1;
    CHECK_EQ(data[4], 41);
    legacy->deleter(legacy);

    mv_dl_managed_tensor_versioned *t;
    CHECK_OK(mv_view_to_dlpack_versioned(&v, MV_DL_COPY_NEVER, &t));
    CHECK_EQ(t->flags, MV_DLPACK_READ_ONLY);
    mv_view back;
    CHECK_OK(mv_view_from_dlpack_versioned(&back, t));
    CHECK_TRUE(back.flags & MV_READONLY);
    mv_ssize idx[2] = {0, 0};
    mv_value one = {.type = MV_VAL_INT, .i = 1};
    CHECK_ERR(mv_view_setn(&back, idx, 2, &one), MV_ETYPE,
              "cannot modify read-only memory");
    CHECK_OK(mv_view_release(&back));

    CHECK_OK(mv_view_to_dlpack_versioned(&v, MV_DL_COPY_ALWAYS, &t));
    CHECK_EQ(t->flags, MV_DLPACK_IS_COPIED);
    t->deleter(t);
    CHECK_OK(mv_view_release(&v));
    CHECK_EQ(owner_calls, 1);
}

static void test_export_needs_copy(void **state) {
    (void)state;
    /* Items of format "h" every 3 bytes: DLPack strides count items. */
    unsigned char bytes[9];
    tu_pattern(bytes, sizeof bytes, 1);
    mv_owner *o = tu_wrap(bytes, sizeof bytes);
    mv_view v;
    mv_ssize shape[1] = {3}, strides[1] = {3};
    tu_layout_view(&v, o, bytes, 6, "h", 2, 1, shape, strides, NULL, 0);
    mv_owner_release(o);
    mv_dl_managed_tensor_versioned *t;
    CHECK_ERR(mv_view_to_dlpack_versioned(&v, MV_DL_COPY_NEVER, &t), MV_EBUFFER,
              "memview: DLPack cannot describe this view without a copy "
              "(suboffsets, or strides that are not a multiple of the item "
              "size)");
    CHECK_OK(mv_view_to_dlpack_versioned(&v, MV_DL_COPY_IF_NEEDED, &t));
    CHECK_EQ(t->flags, MV_DLPACK_IS_COPIED);
    CHECK_EQ(t->dl_tensor.strides[0], 1);
    const unsigned char *c = t->dl_tensor.data;
    for (int i = 0; i < 3; i++)
        assert_memory_equal(c + 2 * i, bytes + 3 * i, 2);
    t->deleter(t);
    CHECK_OK(mv_view_release(&v));
}

static void test_export_types(void **state) {
    (void)state;
    static const struct {
        const char *format;
        mv_ssize itemsize;
        int code, bits;
    } cases[] = {
        {"b", 1, MV_DL_INT, 8},
        {"@h", 2, MV_DL_INT, 16},
        {"l", sizeof(long), MV_DL_INT, 8 * sizeof(long)},
        {"n", sizeof(mv_ssize), MV_DL_INT, 8 * sizeof(mv_ssize)},
        {"B", 1, MV_DL_UINT, 8},
        {"c", 1, MV_DL_UINT, 8},
        {"Q", 8, MV_DL_UINT, 64},
        {"e", 2, MV_DL_FLOAT, 16},
        {"f", 4, MV_DL_FLOAT, 32},
        {"d", 8, MV_DL_FLOAT, 64},
        {"?", 1, MV_DL_BOOL, 8},
        {"Zf", 8, MV_DL_COMPLEX, 64},
        {"Zd", 16, MV_DL_COMPLEX, 128},
        /* standard sizes in this machine's byte order */
        {"=l", 4, MV_DL_INT, 32},
        {"=Q", 8, MV_DL_UINT, 64},
        {"=Zd", 16, MV_DL_COMPLEX, 128},
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        {"<d", 8, MV_DL_FLOAT, 64},
#else
        {">d", 8, MV_DL_FLOAT, 64},
#endif
    };
    unsigned char data[64] = {0};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mv_owner *o = tu_wrap(data, sizeof data);
        mv_view v;
        mv_ssize shape[1] = {2};
        tu_layout_view(&v, o, data, 2 * cases[i].itemsize, cases[i].format,
                       cases[i].itemsize, 1, shape, NULL, NULL, 0);
        mv_owner_release(o);
        mv_dl_managed_tensor *t;
        CHECK_OK(mv_view_to_dlpack(&v, MV_DL_COPY_NEVER, &t));
        CHECK_EQ(t->dl_tensor.dtype.code, cases[i].code);
        CHECK_EQ(t->dl_tensor.dtype.bits, cases[i].bits);
        CHECK_EQ(t->dl_tensor.dtype.lanes, 1);
        t->deleter(t);
        CHECK_OK(mv_view_release(&v));
    }
    mv_owner *o = tu_wrap(data, sizeof data);
    mv_view v;
    mv_ssize shape[1] = {2};
    tu_layout_view(&v, o, data, 6, "3s", 3, 1, shape, NULL, NULL, 0);
    mv_owner_release(o);
    mv_dl_managed_tensor *t;
    CHECK_ERR(mv_view_to_dlpack(&v, MV_DL_COPY_ALWAYS, &t), MV_EBUFFER,
              "memview: format '3s' has no DLPack data type");
    CHECK_OK(mv_view_release(&v));
    /* the other byte order */
    o = tu_wrap(data, sizeof data);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    const char *swapped = ">i";
#else
    const char *swapped = "<i";
#endif
    tu_layout_view(&v, o, data, 8, swapped, 4, 1, shape, NULL, NULL, 0);
    mv_owner_release(o);
    CHECK_FAILS(mv_view_to_dlpack(&v, MV_DL_COPY_ALWAYS, &t));
    CHECK_OK(mv_view_release(&v));
    CHECK_ERR(mv_view_to_dlpack(&v, MV_DL_COPY_ALWAYS, &t), MV_EVALUE,
              "operation forbidden on released memoryview object");
}

/* ---- import ---- */

static int64_t shape23[2] = {2, 3};

static void make_legacy(mv_dl_managed_tensor *t, void *data) {
    memset(t, 0, sizeof *t);
    t->dl_tensor.data = data;
    t->dl_tensor.device.device_type = MV_DL_CPU;
    t->dl_tensor.ndim = 2;
    t->dl_tensor.dtype.code = MV_DL_FLOAT;
    t->dl_tensor.dtype.bits = 64;
    t->dl_tensor.dtype.lanes = 1;
    t->dl_tensor.shape = shape23;
    t->dl_tensor.strides = NULL;
    t->deleter = made_legacy_deleter;
    made_calls = 0;
}

static void test_import_deleter_once(void **state) {
    (void)state;
    double data[6] = {0, 1, 2, 3, 4, 5};
    mv_dl_managed_tensor t;
    make_legacy(&t, data);
    mv_view v, row, copy;
    CHECK_OK(mv_view_from_dlpack(&v, &t));
    CHECK_TRUE(v.buf == (char *)data);
    CHECK_TRUE(strcmp(v.format, "d") == 0);
    CHECK_EQ(v.ndim, 2);
    CHECK_EQ(v.strides[0], 24);
    CHECK_EQ(v.strides[1], 8);
    CHECK_TRUE(!(v.flags & MV_READONLY));
    CHECK_OK(mv_view_subview(&row, &v, 1));
    CHECK_OK(mv_view_new(&copy, &v));
    /* Writes through a view reach the producer's memory. */
    mv_value x = {.type = MV_VAL_FLOAT, .f = 9.5};
    CHECK_OK(mv_view_set(&row, 2, &x));
    CHECK_TRUE(data[5] == 9.5);
    CHECK_OK(mv_view_release(&v));
    CHECK_OK(mv_view_release(&v)); /* idempotent: still not deleted */
    CHECK_EQ(made_calls, 0);
    CHECK_OK(mv_view_release(&copy));
    CHECK_EQ(made_calls, 0);
    CHECK_OK(mv_view_release(&row));
    CHECK_EQ(made_calls, 1);
}

static void test_import_versioned_readonly(void **state) {
    (void)state;
    uint16_t data[4] = {1, 2, 3, 4};
    int64_t shape[1] = {4}, strides[1] = {-1};
    mv_dl_managed_tensor_versioned t;
    memset(&t, 0, sizeof t);
    t.version.major = 1;
    t.version.minor = 3; /* a later minor version is read as 1.0 */
    t.flags = MV_DLPACK_READ_ONLY;
    t.deleter = made_versioned_deleter;
    t.dl_tensor.data = data;
    t.dl_tensor.byte_offset = 3 * sizeof(uint16_t);
    t.dl_tensor.device.device_type = MV_DL_CPU;
    t.dl_tensor.ndim = 1;
    t.dl_tensor.dtype.code = MV_DL_UINT;
    t.dl_tensor.dtype.bits = 16;
    t.dl_tensor.dtype.lanes = 1;
    t.dl_tensor.shape = shape;
    t.dl_tensor.strides = strides;
    made_calls = 0;
    mv_view v;
    CHECK_OK(mv_view_from_dlpack_versioned(&v, &t));
    CHECK_TRUE(v.flags & MV_READONLY);
    CHECK_TRUE(strcmp(v.format, "H") == 0);
    for (mv_ssize i = 0; i < 4; i++) {
        mv_value x;
        CHECK_OK(mv_view_get(&v, i, &x));
        CHECK_EQ(x.u, 4 - i);
    }
    mv_value one = {.type = MV_VAL_INT, .i = 1};
    CHECK_ERR(mv_view_set(&v, 0, &one), MV_ETYPE,
              "cannot modify read-only memory");
    CHECK_OK(mv_view_release(&v));
    CHECK_EQ(made_calls, 1);
}

static void test_import_empty_and_0d(void **state) {
    (void)state;
    int64_t zero[1] = {0};
    mv_dl_managed_tensor t;
    make_legacy(&t, NULL);
    t.dl_tensor.ndim = 1;
    t.dl_tensor.shape = zero;
    mv_view v;
    CHECK_OK(mv_view_from_dlpack(&v, &t));
    CHECK_EQ(v.nbytes, 0);
    CHECK_EQ(v.shape[0], 0);
    CHECK_OK(mv_view_release(&v));
    CHECK_EQ(made_calls, 1);

    double one = 2.5;
    make_legacy(&t, &one);
    t.dl_tensor.ndim = 0;
    t.dl_tensor.shape = NULL;
    CHECK_OK(mv_view_from_dlpack(&v, &t));
    CHECK_EQ(v.ndim, 0);
    CHECK_EQ(v.nbytes, 8);
    mv_value x;
    CHECK_OK(mv_view_getn(&v, NULL, 0, &x));
    CHECK_TRUE(x.f == 2.5);
    CHECK_OK(mv_view_release(&v));
    CHECK_EQ(made_calls, 1);
}

/* A failed import leaves the tensor to its caller: no deleter call. */
static void test_import_refusals(void **state) {
    (void)state;
    double data[6] = {0};
    mv_dl_managed_tensor t;
    mv_view v;

    make_legacy(&t, data);
    t.dl_tensor.device.device_type = 2; /* CUDA */
    CHECK_ERR(mv_view_from_dlpack(&v, &t), MV_EBUFFER,
              "memview: DLPack device type 2 is not the CPU (1)");
    CHECK_OK(mv_view_release(&v));

    make_legacy(&t, data);
    t.dl_tensor.dtype.lanes = 4;
    CHECK_ERR(mv_view_from_dlpack(&v, &t), MV_EBUFFER,
              "memview: DLPack data type (code 2, bits 64, lanes 4) has no "
              "memview format");
    make_legacy(&t, data);
    t.dl_tensor.dtype.code = 4; /* bfloat */
    t.dl_tensor.dtype.bits = 16;
    CHECK_FAILS(mv_view_from_dlpack(&v, &t));

    make_legacy(&t, data);
    t.dl_tensor.ndim = 65;
    CHECK_ERR(mv_view_from_dlpack(&v, &t), MV_EBUFFER,
              "memview: a DLPack tensor of 65 dimensions (at most 64)");
    t.dl_tensor.ndim = -1;
    CHECK_FAILS(mv_view_from_dlpack(&v, &t));

    int64_t bad_shape[2] = {2, -3};
    make_legacy(&t, data);
    t.dl_tensor.shape = bad_shape;
    CHECK_ERR(mv_view_from_dlpack(&v, &t), MV_EBUFFER,
              "memview: DLPack shape entry -3 is invalid");

    int64_t huge[2] = {INT64_MAX / 2, 3};
    make_legacy(&t, data);
    t.dl_tensor.shape = huge;
    CHECK_ERR(mv_view_from_dlpack(&v, &t), MV_EOVERFLOW,
              "memview: DLPack tensor too large");

    int64_t big_strides[2] = {INT64_MAX / 4, 1};
    make_legacy(&t, data);
    t.dl_tensor.strides = big_strides;
    CHECK_ERR(mv_view_from_dlpack(&v, &t), MV_EOVERFLOW,
              "memview: DLPack strides overflow");

    make_legacy(&t, NULL);
    CHECK_ERR(mv_view_from_dlpack(&v, &t), MV_EBUFFER,
              "memview: DLPack tensor has no data");

    make_legacy(&t, data);
    t.dl_tensor.shape = NULL;
    CHECK_ERR(mv_view_from_dlpack(&v, &t), MV_EBUFFER,
              "memview: DLPack tensor without a shape");

    mv_dl_managed_tensor_versioned tv;
    memset(&tv, 0, sizeof tv);
    tv.version.major = 2;
    tv.deleter = made_versioned_deleter;
    CHECK_ERR(mv_view_from_dlpack_versioned(&v, &tv), MV_EBUFFER,
              "memview: DLPack version 2.0 is not supported (major version "
              "1)");
    CHECK_EQ(made_calls, 0);
    CHECK_OK(mv_view_release(&v));
}

/* Formats that name no DLPack type: the other byte order, letters beyond
 * the table, item sizes DLPack has no type of. */
static void test_export_refusals(void **state) {
    (void)state;
    unsigned char data[64] = {0};
    static const struct {
        const char *format;
        mv_ssize itemsize;
    } cases[] = {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        {"!i", 4},
        {">Zd", 16},
#else
        {"<i", 4},
        {"<Zd", 16},
#endif
        {"", 1},
        {"@", 1},
        {"Zq", 16},
        {"Zdx", 16},
        {"ii", 8},
        {"=q", 32},
        {"=h", 3},
        {"3s", 3},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mv_owner *o = tu_wrap(data, sizeof data);
        mv_view v;
        mv_ssize shape[1] = {1};
        tu_layout_view(&v, o, data, cases[i].itemsize, cases[i].format,
                       cases[i].itemsize, 1, shape, NULL, NULL, 0);
        mv_owner_release(o);
        char want[96];
        snprintf(want, sizeof want,
                 "memview: format '%s' has no DLPack data type",
                 cases[i].format);
        mv_dl_managed_tensor_versioned *t = NULL;
        CHECK_ERR(mv_view_to_dlpack_versioned(&v, MV_DL_COPY_ALWAYS, &t),
                  MV_EBUFFER, want);
        CHECK_TRUE(t == NULL);
        CHECK_OK(mv_view_release(&v));
    }
}

/* A view through pointers (suboffsets) is exported as a copy of its
 * items, in C order. */
static void test_export_suboffsets(void **state) {
    (void)state;
    int16_t row0[2] = {1, 2}, row1[2] = {3, 4};
    int16_t *rows[2] = {row1, row0};
    mv_owner *o = tu_wrap(rows, sizeof rows);
    mv_view v;
    mv_ssize shape[2] = {2, 2}, strides[2] = {sizeof(int16_t *), 2};
    mv_ssize sub[2] = {0, -1};
    tu_layout_view(&v, o, rows, 8, "h", 2, 2, shape, strides, sub, 0);
    mv_owner_release(o);
    mv_dl_managed_tensor *t;
    CHECK_ERR(mv_view_to_dlpack(&v, MV_DL_COPY_NEVER, &t), MV_EBUFFER,
              "memview: DLPack cannot describe this view without a copy "
              "(suboffsets, or strides that are not a multiple of the item "
              "size)");
    CHECK_OK(mv_view_to_dlpack(&v, MV_DL_COPY_IF_NEEDED, &t));
    const int16_t *c = t->dl_tensor.data;
    CHECK_EQ(c[0], 3);
    CHECK_EQ(c[1], 4);
    CHECK_EQ(c[2], 1);
    CHECK_EQ(c[3], 2);
    CHECK_EQ(t->dl_tensor.strides[0], 2);
    CHECK_EQ(t->dl_tensor.strides[1], 1);
    t->deleter(t);
    CHECK_OK(mv_view_release(&v));
}

/* Tensors without a deleter are imported; releasing the view calls
 * nothing. Offsets past the address space, and shapes whose contiguous
 * strides overflow, are refused. */
static void test_import_no_deleter_and_limits(void **state) {
    (void)state;
    double data[6] = {1, 2, 3, 4, 5, 6};
    mv_dl_managed_tensor t;
    mv_view v;
    make_legacy(&t, data);
    t.deleter = NULL;
    CHECK_OK(mv_view_from_dlpack(&v, &t));
    mv_ssize idx[2] = {1, 2};
    mv_value x;
    CHECK_OK(mv_view_getn(&v, idx, 2, &x));
    CHECK_TRUE(x.f == 6.0);
    CHECK_OK(mv_view_release(&v));
    CHECK_EQ(made_calls, 0);

    mv_dl_managed_tensor_versioned tv;
    memset(&tv, 0, sizeof tv);
    tv.version.major = MV_DLPACK_MAJOR;
    tv.dl_tensor = t.dl_tensor;
    CHECK_OK(mv_view_from_dlpack_versioned(&v, &tv));
    CHECK_OK(mv_view_getn(&v, idx, 2, &x));
    CHECK_TRUE(x.f == 6.0);
    CHECK_OK(mv_view_release(&v));

    make_legacy(&t, data);
    t.dl_tensor.byte_offset = (uint64_t)MV_SSIZE_MAX + 1;
    CHECK_ERR(mv_view_from_dlpack(&v, &t), MV_EBUFFER,
              "memview: DLPack byte offset too large");
    CHECK_EQ(made_calls, 0);

    /* no item, but C-contiguous strides of 2^62 * 4 * 8 bytes */
    int64_t empty_huge[3] = {0, (int64_t)1 << 62, 4};
    make_legacy(&t, data);
    t.dl_tensor.ndim = 3;
    t.dl_tensor.shape = empty_huge;
    CHECK_ERR(mv_view_from_dlpack(&v, &t), MV_EOVERFLOW,
              "memview: DLPack tensor too large");
    CHECK_EQ(made_calls, 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_export_versioned_fields),
        cmocka_unit_test(test_export_outlives_view),
        cmocka_unit_test(test_export_strided_view),
        cmocka_unit_test(test_export_readonly),
        cmocka_unit_test(test_export_needs_copy),
        cmocka_unit_test(test_export_types),
        cmocka_unit_test(test_import_deleter_once),
        cmocka_unit_test(test_import_versioned_readonly),
        cmocka_unit_test(test_import_empty_and_0d),
        cmocka_unit_test(test_import_refusals),
        cmocka_unit_test(test_export_refusals),
        cmocka_unit_test(test_export_suboffsets),
        cmocka_unit_test(test_import_no_deleter_and_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
