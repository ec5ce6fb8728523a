/*
 * test_cxx.cpp -- memview.h as C++17 sees it.
 *
 * Built with -std=c++17 -Wall -Wextra -Werror by g++ (make check-c) and
 * clang++ (make clang-check): the header's declarations, its inline
 * functions and its structs must compile cleanly as C++, link against the
 * C library without name mangling, and behave as they do from C.
 */
#include <memview.h>
#include <memview.h> /* the include guard */

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

static_assert(std::is_standard_layout<mv_view>::value, "mv_view is a C struct");
static_assert(std::is_trivially_copyable<mv_value>::value,
              "mv_value is a plain value");
static_assert(std::is_same<mv_ssize, std::ptrdiff_t>::value,
              "mv_ssize is ptrdiff_t");
static_assert(MV_END == PTRDIFF_MAX && MV_BEGIN == PTRDIFF_MIN,
              "slice ends are constants");

static int failures = 0;

#define CHECK(cond)                                                            \
    do {                                                                       \
        if (!(cond)) {                                                         \
            std::fprintf(stderr, "%s:%d: expected %s (last message \"%s\")\n", \
                         __FILE__, __LINE__, #cond, mv_errmsg());              \
            ++failures;                                                        \
        }                                                                      \
    } while (0)

/* Items of a view, read through mv_view_get() (inline in the header). */
static std::vector<unsigned> items(const mv_view &v) {
    std::vector<unsigned> out;
    mv_ssize n = 0;
    if (mv_view_length(&v, &n) < 0)
        return out;
    for (mv_ssize i = 0; i < n; i++) {
        mv_value x;
        if (mv_view_get(&v, i, &x) < 0)
            break;
        out.push_back(static_cast<unsigned>(x.u));
    }
    return out;
}

static void test_copy_slice_get() {
    const std::string text = "hello world";
    mv_owner *o = nullptr;
    CHECK(mv_owner_copy(&o, text.data(), mv_ssize(text.size())) == MV_OK);
    mv_view v;
    CHECK(mv_view_from_owner(&v, o) == MV_OK);
    mv_owner_release(o);

    mv_view s;
    CHECK(mv_view_slice(&s, &v, 6, MV_END, 1) == MV_OK);
    CHECK((items(s) == std::vector<unsigned>{'w', 'o', 'r', 'l', 'd'}));
    mv_view r;
    CHECK(mv_view_slice(&r, &v, MV_END, MV_BEGIN, -2) == MV_OK);
    CHECK((items(r) == std::vector<unsigned>{'d', 'r', 'w', 'o', 'l', 'h'}));

    /* The inline narrowing, as in Python's while b: b = b[1:]. */
    int steps = 0;
    while (s.nbytes) {
        CHECK(mv_view_narrow(&s, 1, MV_END, 1) == MV_OK);
        ++steps;
    }
    CHECK(steps == 5);

    mv_value x{};
    CHECK(mv_view_get(&v, 11, &x) == MV_EINDEX);
    CHECK(std::string(mv_err_name(MV_EINDEX)) == "IndexError");
    CHECK(std::string(mv_errmsg()) == "index out of bounds on dimension 1");
    x.type = MV_VAL_INT;
    x.i = 1;
    CHECK(mv_view_set(&v, 0, &x) == MV_ETYPE);
    CHECK(std::string(mv_errmsg()) == "cannot modify read-only memory");

    void *bytes = nullptr;
    CHECK(mv_view_tobytes(&r, &bytes, MV_ORDER_C) == MV_OK);
    CHECK(bytes != nullptr && std::memcmp(bytes, "drwolh", 6) == 0);
    mv_free(bytes);

    CHECK(mv_view_release(&r) == MV_OK);
    CHECK(mv_view_release(&s) == MV_OK);
    CHECK(mv_view_release(&v) == MV_OK);
    CHECK(mv_view_is_released(&v));
}

static void test_wrap_with_lambda_callback() {
    static int released = 0;
    std::vector<unsigned char> storage{1, 2, 3, 4};
    /* A captureless lambda converts to the C callback type. */
    mv_release_fn fn = [](void *ctx, void *, mv_ssize len) {
        *static_cast<int *>(ctx) += int(len);
    };
    mv_owner *o = nullptr;
    CHECK(mv_owner_wrap(&o, storage.data(), 4, 0, fn, &released) == MV_OK);
    mv_view v;
    CHECK(mv_view_from_owner(&v, o) == MV_OK);
    mv_owner_release(o);
    CHECK(released == 0);

    mv_value x{};
    x.type = MV_VAL_UINT;
    x.u = 200;
    CHECK(mv_view_set(&v, 3, &x) == MV_OK);
    CHECK(storage[3] == 200); /* zero-copy: the write lands in storage */
    CHECK(mv_view_release(&v) == MV_OK);
    CHECK(released == 4);
}

static void test_walk_with_callbacks() {
    struct sum {
        unsigned long total;
        int opened;
    } s{0, 0};
    unsigned char data[] = {5, 6, 7};
    mv_owner *o = nullptr;
    CHECK(mv_owner_wrap(&o, data, 3, 1, nullptr, nullptr) == MV_OK);
    mv_view v;
    CHECK(mv_view_from_owner(&v, o) == MV_OK);
    mv_owner_release(o);

    mv_walker w{};
    w.begin = [](void *ctx, int, mv_ssize) {
        static_cast<sum *>(ctx)->opened++;
        return 0;
    };
    w.item = [](void *ctx, const mv_value *x) {
        static_cast<sum *>(ctx)->total += x->u;
        return 0;
    };
    CHECK(mv_view_walk(&v, &w, &s) == MV_OK);
    CHECK(s.total == 18 && s.opened == 1);
    CHECK(mv_view_release(&v) == MV_OK);
}

int main() {
    test_copy_slice_get();
    test_wrap_with_lambda_callback();
    test_walk_with_callbacks();
    if (failures) {
        std::fprintf(stderr, "test_cxx: %d failed checks\n", failures);
        return 1;
    }
    std::printf("test_cxx: all checks passed\n");
    return 0;
}
