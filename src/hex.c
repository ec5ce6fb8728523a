/*
 * hex.c -- Python's memoryview.hex([sep[, bytes_per_sep]]).
 *
 * The bytes are taken in C order (a copy is made for views that are not
 * C-contiguous). With a separator, bytes are grouped bytes_per_sep at a
 * time: counting from the right when it is positive, from the left when
 * it is negative; a group as large as the data means no separator at all.
 * The separator must be one ASCII character ("sep must be length 1.",
 * "sep must be ASCII.", both ValueError), since the result is text.
 */
#include "internal.h"

#include <stdlib.h>

/* n bytes of src as 2n lowercase digits at out ('a' - '0' - 10 == 39).
 * Branch-free arithmetic rather than a table, so that compilers vectorise
 * it; blocks of a fixed size let them do so even at -O2. */
static inline void digits(char *restrict out, const unsigned char *restrict src,
                          mv_ssize n) {
    for (mv_ssize i = 0; i < n; i++) {
        unsigned hi = src[i] >> 4, lo = src[i] & 15u;
        out[2 * i] = (char)(hi + '0' + (unsigned)(hi > 9) * 39u);
        out[2 * i + 1] = (char)(lo + '0' + (unsigned)(lo > 9) * 39u);
    }
}

static void hexlify(char *restrict out, const unsigned char *restrict src,
                    mv_ssize n) {
    mv_ssize i = 0;
    for (; n - i >= 32; i += 32)
        digits(out + 2 * i, src + i, 32);
    digits(out + 2 * i, src + i, n - i);
}

/* Digits of n bytes with sep between groups of `group` bytes; the short
 * group is last when from_left, first otherwise. */
static void hexlify_sep(char *out, const unsigned char *src, mv_ssize n,
                        size_t group, char sep, bool from_left) {
    size_t first = from_left ? group : (size_t)(n - 1) % group + 1;
    mv_ssize i = 0;
    size_t take = first;
    for (;;) {
        if ((size_t)(n - i) < take)
            take = (size_t)(n - i);
        hexlify(out, src + i, (mv_ssize)take);
        out += 2 * take;
        i += (mv_ssize)take;
        if (i >= n)
            break;
        *out++ = sep;
        take = group;
    }
}

typedef struct hex_job {
    char *res;
    const unsigned char *src;
    mv_ssize n;
    size_t group;
    char sep;
    bool from_left;
} hex_job;

static int run_hex(void *ctx) {
    hex_job *j = ctx;
    if (j->group == 0)
        hexlify(j->res, j->src, j->n);
    else
        hexlify_sep(j->res, j->src, j->n, j->group, j->sep, j->from_left);
    return MV_OK;
}

int mv_view_check_hex_sep(mv_ssize nchars, uint32_t first, int32_t *sep) {
    if (nchars != 1)
        return mv_error(MV_EVALUE, "sep must be length 1.");
    if (first > 127)
        return mv_error(MV_EVALUE, "sep must be ASCII.");
    *sep = (int32_t)first;
    return MV_OK;
}

int mv_view_hex(const mv_view *v, int32_t sep, mv_ssize bytes_per_sep,
                char **out, mv_ssize *outlen) {
    int rc = check_live(v);
    if (rc < 0)
        return rc;
    if (sep == MV_HEX_NOSEP)
        bytes_per_sep = 0;
    else if (sep < 0 || sep > 127) /* the result is text: ASCII only */
        return mv_error(MV_EVALUE, "sep must be ASCII.");

    mv_ssize n = v->nbytes;
    /* |bytes_per_sep| without overflow, even for MV_SSIZE_MIN. */
    size_t group = bytes_per_sep < 0 ? (size_t)0 - (size_t)bytes_per_sep
                                     : (size_t)bytes_per_sep;
    mv_ssize nsep = 0;
    if (group && n > 0)
        nsep = (mv_ssize)(((size_t)n - 1) / group);
    if (n >= MV_SSIZE_MAX / 2 - nsep)
        return mv_error(MV_ENOMEM, "cannot allocate the hex of %td bytes", n);
    mv_ssize total = 2 * n + nsep;
    if (group >= (size_t)n)
        group = 0; /* one group: no separator */

    const unsigned char *src = (const unsigned char *)v->buf;
    unsigned char *tmp = NULL;
    if (n > 0 && !mv_view_is_c_contiguous(v)) {
        tmp = malloc((size_t)n);
        if (!tmp)
            return mv_error(MV_ENOMEM, "cannot allocate %td bytes", n);
        if ((rc = mv__copy_to_contiguous_guarded((char *)tmp, v, MV_ORDER_C)) <
            0) {
            free(tmp);
            return rc;
        }
        src = tmp;
    }
    char *res = malloc((size_t)total + 1);
    if (!res) {
        free(tmp);
        return mv_error(MV_ENOMEM, "cannot allocate %td bytes", total + 1);
    }
    hex_job j = {res, src, n, group, (char)sep, bytes_per_sep < 0};
    rc = tmp ? run_hex(&j) : mv__guarded(v, run_hex, &j);
    free(tmp);
    if (rc < 0) {
        free(res);
        return rc;
    }
    res[total] = '\0';
    *out = res;
    if (outlen)
        *outlen = total;
    return MV_OK;
}
