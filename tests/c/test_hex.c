/*
 * test_hex.c -- mv_view_hex(): Python's memoryview.hex(sep, bytes_per_sep).
 *
 * Oracle: CPython 3.11, e.g. memoryview(b'abcde').hex(':', 2) gives
 * '61:6263:6465' and .hex(':', -2) gives '6162:6364:65'.
 */
#include "test_util.h"

static char *hex(const mv_view *v, const char *sep, mv_ssize bps) {
    char *out = NULL;
    mv_ssize n = -1;
    CHECK_OK(mv_view_hex(v, sep ? (unsigned char)sep[0] : MV_HEX_NOSEP, bps,
                         &out, &n));
    CHECK_TRUE(out != NULL);
    CHECK_EQ(n, (mv_ssize)strlen(out));
    return out;
}

static void expect(const mv_view *v, const char *sep, mv_ssize bps,
                   const char *want) {
    char *got = hex(v, sep, bps);
    if (strcmp(got, want) != 0)
        fail_msg("hex(%s, %td) gave '%s', want '%s'", sep ? sep : "None", bps,
                 got, want);
    mv_free(got);
}

static mv_owner *owner_of(const char *s, mv_ssize n, mv_view *v) {
    mv_owner *o;
    CHECK_OK(mv_owner_copy(&o, s, n));
    CHECK_OK(mv_view_from_owner(v, o));
    return o;
}

static void test_hex_examples(void **state) {
    (void)state;
    mv_view v;
    mv_owner *o = owner_of("\xb9\x01\xef", 3, &v);
    expect(&v, NULL, 1, "b901ef");
    expect(&v, ":", 1, "b9:01:ef");
    expect(&v, ":", 2, "b9:01ef");
    expect(&v, ":", -2, "b901:ef");
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);

    o = owner_of("abcde", 5, &v);
    expect(&v, ":", 2, "61:6263:6465");
    expect(&v, ":", -2, "6162:6364:65");
    expect(&v, "-", 1, "61-62-63-64-65");
    expect(&v, "-", -1, "61-62-63-64-65");
    expect(&v, " ", 4, "61 62636465");
    expect(&v, " ", -4, "61626364 65");
    expect(&v, ":", 0, "6162636465");
    expect(&v, ":", 5, "6162636465");
    expect(&v, ":", -5, "6162636465");
    expect(&v, ":", 6, "6162636465");
    expect(&v, ":", MV_SSIZE_MAX, "6162636465");
    expect(&v, ":", MV_SSIZE_MIN, "6162636465");
    expect(&v, ":", -2147483648LL, "6162636465");
    /* without a separator bytes_per_sep is ignored */
    expect(&v, NULL, 2, "6162636465");
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);

    o = owner_of("abcdef", 6, &v);
    expect(&v, ".", 2, "6162.6364.6566");
    expect(&v, ".", -2, "6162.6364.6566");
    expect(&v, ".", 3, "616263.646566");
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);

    o = owner_of("", 0, &v);
    expect(&v, NULL, 1, "");
    expect(&v, ":", 1, "");
    expect(&v, ":", -3, "");
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);

    /* every byte value */
    unsigned char all[256];
    char want[513];
    for (int i = 0; i < 256; i++) {
        all[i] = (unsigned char)i;
        snprintf(want + 2 * i, 3, "%02x", i);
    }
    o = owner_of((const char *)all, 256, &v);
    expect(&v, NULL, 1, want);
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
}

/* A binding's separator argument: its length in characters, then the
 * first one's code, as CPython's hex() checks them. */
static void test_check_hex_sep(void **state) {
    (void)state;
    int32_t sep = 77;
    CHECK_ERR(mv_view_check_hex_sep(0, 0, &sep), MV_EVALUE,
              "sep must be length 1.");
    CHECK_ERR(mv_view_check_hex_sep(2, ':', &sep), MV_EVALUE,
              "sep must be length 1.");
    CHECK_ERR(mv_view_check_hex_sep(2, 0xe9, &sep), MV_EVALUE,
              "sep must be length 1."); /* the length is checked first */
    CHECK_ERR(mv_view_check_hex_sep(1, 0xe9, &sep), MV_EVALUE,
              "sep must be ASCII.");
    CHECK_ERR(mv_view_check_hex_sep(1, 0x20ac, &sep), MV_EVALUE,
              "sep must be ASCII.");
    CHECK_EQ(sep, 77); /* untouched on failure */
    CHECK_OK(mv_view_check_hex_sep(1, 0x7f, &sep));
    CHECK_EQ(sep, 0x7f);
    CHECK_OK(mv_view_check_hex_sep(1, 0, &sep)); /* NUL is ASCII */
    CHECK_EQ(sep, 0);
}

static void test_hex_separator_errors(void **state) {
    (void)state;
    mv_view v;
    mv_owner *o = owner_of("abc", 3, &v);
    char *out = (char *)0x1;
    mv_ssize n = 77;
    /* 'é' (0xe9), '€', 0x80, and codes that are no character */
    CHECK_ERR(mv_view_hex(&v, 0xe9, 1, &out, &n), MV_EVALUE,
              "sep must be ASCII.");
    CHECK_ERR(mv_view_hex(&v, 0x20ac, 1, &out, &n), MV_EVALUE,
              "sep must be ASCII.");
    CHECK_ERR(mv_view_hex(&v, 0x80, 1, &out, &n), MV_EVALUE,
              "sep must be ASCII.");
    CHECK_ERR(mv_view_hex(&v, -2, 1, &out, &n), MV_EVALUE,
              "sep must be ASCII.");
    CHECK_ERR(mv_view_hex(&v, INT32_MIN, 1, &out, &n), MV_EVALUE,
              "sep must be ASCII.");
    /* the outputs are untouched on failure */
    CHECK_TRUE(out == (char *)0x1);
    CHECK_EQ(n, 77);
    /* 0x7f is ASCII */
    CHECK_OK(mv_view_hex(&v, 0x7f, 1, &out, &n));
    CHECK_EQ(n, 8);
    CHECK_TRUE(memcmp(out,
                      "61\x7f"
                      "62\x7f"
                      "63",
                      9) == 0);
    mv_free(out);
    /* a NULL outlen is allowed */
    CHECK_OK(mv_view_hex(&v, MV_HEX_NOSEP, 1, &out, NULL));
    CHECK_TRUE(strcmp(out, "616263") == 0);
    mv_free(out);
    CHECK_OK(mv_view_release(&v));
    CHECK_ERR(mv_view_hex(&v, MV_HEX_NOSEP, 1, &out, &n), MV_EVALUE,
              "operation forbidden on released memoryview object");
    /* released is checked before the separator */
    CHECK_ERR(mv_view_hex(&v, 0xe9, 1, &out, &n), MV_EVALUE,
              "operation forbidden on released memoryview object");
    mv_owner_release(o);
}

/* Reference: C-order bytes of v, then grouping done the simple way. */
static void ref_hex(const mv_view *v, char sep, mv_ssize bps, char *out) {
    char *bytes = malloc((size_t)v->nbytes + 1);
    tu_ref_copy(v, bytes, 0);
    mv_ssize n = v->nbytes;
    mv_ssize g = bps < 0 ? -bps : bps;
    size_t k = 0;
    for (mv_ssize i = 0; i < n; i++) {
        if (sep && g && g < n && i > 0) {
            mv_ssize pos = bps > 0 ? n - i : i; /* bytes on one side */
            if (pos % g == 0)
                out[k++] = sep;
        }
        k += (size_t)snprintf(out + k, 3, "%02x", (unsigned char)bytes[i]);
    }
    out[k] = '\0';
    free(bytes);
}

static void check_against_ref(const mv_view *v) {
    char *want = malloc((size_t)v->nbytes * 3 + 1);
    const mv_ssize groups[] = {1, 2, 3, 7, -1, -2, -3, -7};
    ref_hex(v, 0, 0, want);
    expect(v, NULL, 1, want);
    for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++) {
        ref_hex(v, '|', groups[i], want);
        expect(v, "|", groups[i], want);
    }
    free(want);
}

static void test_hex_layouts(void **state) {
    (void)state;
    unsigned char mem[200];
    tu_pattern(mem, sizeof mem, 5);
    mv_owner *o = tu_wrap(mem, sizeof mem);
    mv_view v, s;
    CHECK_OK(mv_view_from_owner(&v, o));
    check_against_ref(&v);
    /* negative and large strides */
    CHECK_OK(mv_view_slice(&s, &v, MV_END, MV_BEGIN, -3));
    check_against_ref(&s);
    CHECK_OK(mv_view_release(&s));
    CHECK_OK(mv_view_slice(&s, &v, 1, 150, 2));
    check_against_ref(&s);
    CHECK_OK(mv_view_release(&s));
    CHECK_OK(mv_view_release(&v));
    /* 2-D Fortran order, 'H' items: bytes in C order of items */
    mv_ssize shape[] = {3, 4}, fstrides[] = {2, 6};
    tu_layout_view(&v, o, mem, 24, "H", 2, 2, shape, fstrides, NULL, 1);
    CHECK_TRUE(!mv_view_is_c_contiguous(&v));
    check_against_ref(&v);
    CHECK_OK(mv_view_release(&v));
    /* zero strides */
    mv_ssize zs[] = {0, 1};
    tu_layout_view(&v, o, mem, 12, "B", 1, 2, shape, zs, NULL, 1);
    check_against_ref(&v);
    CHECK_OK(mv_view_release(&v));
    /* 0-D */
    tu_layout_view(&v, o, mem + 3, 4, "i", 4, 0, NULL, NULL, NULL, 1);
    check_against_ref(&v);
    CHECK_OK(mv_view_release(&v));
    /* zero-size 2-D */
    mv_ssize z[] = {4, 0};
    tu_layout_view(&v, o, mem, 0, "B", 1, 2, z, NULL, NULL, 1);
    expect(&v, ":", 1, "");
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);

    /* suboffsets: row pointers */
    struct {
        char *rows[2];
        unsigned char r0[3], r1[3];
    } pil;
    memcpy(pil.r0, "\x01\x02\x03", 3);
    memcpy(pil.r1, "\xfd\xfe\xff", 3);
    pil.rows[0] = (char *)pil.r1;
    pil.rows[1] = (char *)pil.r0;
    o = tu_wrap(&pil, sizeof pil);
    mv_ssize ps[] = {2, 3}, pst[] = {sizeof(char *), 1}, sub[] = {0, -1};
    tu_layout_view(&v, o, pil.rows, 6, "B", 1, 2, ps, pst, sub, 1);
    expect(&v, NULL, 1, "fdfeff010203");
    expect(&v, " ", 3, "fdfeff 010203");
    check_against_ref(&v);
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
}

static void test_hex_large(void **state) {
    (void)state;
    enum { N = 1 << 20 };
    unsigned char *mem = malloc(N);
    tu_pattern(mem, N, 9);
    mv_owner *o = tu_wrap(mem, N);
    mv_view v;
    CHECK_OK(mv_view_from_owner(&v, o));
    char *out;
    mv_ssize n;
    CHECK_OK(mv_view_hex(&v, MV_HEX_NOSEP, 1, &out, &n));
    CHECK_EQ(n, 2 * N);
    for (size_t i = 0; i < N; i += 4099) {
        char two[3];
        snprintf(two, sizeof two, "%02x", mem[i]);
        CHECK_TRUE(out[2 * i] == two[0] && out[2 * i + 1] == two[1]);
    }
    CHECK_EQ(out[n], '\0');
    mv_free(out);
    CHECK_OK(mv_view_hex(&v, ':', -4, &out, &n));
    CHECK_EQ(n, 2 * N + N / 4 - 1);
    CHECK_EQ(out[8], ':');
    CHECK_EQ(out[n], '\0');
    mv_free(out);
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
    free(mem);
}

/* A view of 2^62 bytes (2^30 on 32-bit targets; one byte, stride 0) has a hex
 * too long to make: MemoryError, as the builtin's. */
static void test_hex_too_long(void **state) {
    (void)state;
    unsigned char b = 0xab;
    mv_owner *o = tu_wrap(&b, 1);
    mv_view v;
    mv_ssize shape[1] = {TU_HUGE}, strides[1] = {0};
    tu_layout_view(&v, o, &b, shape[0], "B", 1, 1, shape, strides, NULL, 0);
    char *s = (char *)&b;
    mv_ssize n = -1;
    char msg[64];
    snprintf(msg, sizeof msg, "cannot allocate the hex of %td bytes", TU_HUGE);
    CHECK_ERR(mv_view_hex(&v, MV_HEX_NOSEP, 0, &s, &n), MV_ENOMEM, msg);
    CHECK_TRUE(s == (char *)&b && n == -1);
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hex_examples),
        cmocka_unit_test(test_hex_separator_errors),
        cmocka_unit_test(test_check_hex_sep),
        cmocka_unit_test(test_hex_layouts),
        cmocka_unit_test(test_hex_large),
        cmocka_unit_test(test_hex_too_long),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
