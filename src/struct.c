/*
 * struct.c -- compiled formats: the struct module's language with PEP
 * 3118's records, shapes and complex numbers, parsed once into an
 * mv_format that views share; reading and writing fields and items.
 *
 * Invariants of a compiled mv_format (see memview.h for the fields):
 *   - It lives in one block: the top-level format first, then the formats
 *     of its nested records, their fields, shapes, names and a copy of the
 *     text. Freeing the block frees it all; nested formats are never
 *     counted on their own (their static_ is 2).
 *   - Every offset, size and count was computed with checked arithmetic:
 *     for any element k < count of a field, offset + (k + 1) * size <=
 *     the itemsize of the format that holds the field.
 *   - Parsing runs twice over the text: a counting pass that finds every
 *     error and sizes the block, then a filling pass that cannot fail.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>

/* ------------------------------------------------------------------------
 * The formats of the native single characters: static, shared, free.
 * ------------------------------------------------------------------------ */

#define NFIELD(c, k, T)                                                        \
    [c] = {.size = sizeof(T),                                                  \
           .count = 1,                                                         \
           .repeat = 1,                                                        \
           .units = 1,                                                         \
           .kind = k,                                                          \
           .code = c,                                                          \
           .ncode = c,                                                         \
           .order = MV__HOST_ORDER}
static const mv_field native_fields[128] = {
    NFIELD('c', MV_KIND_CHAR, char),    NFIELD('b', MV_KIND_INT, char),
    NFIELD('B', MV_KIND_UINT, char),    NFIELD('?', MV_KIND_BOOL, _Bool),
    NFIELD('h', MV_KIND_INT, short),    NFIELD('H', MV_KIND_UINT, short),
    NFIELD('i', MV_KIND_INT, int),      NFIELD('I', MV_KIND_UINT, int),
    NFIELD('l', MV_KIND_INT, long),     NFIELD('L', MV_KIND_UINT, long),
    NFIELD('q', MV_KIND_INT, int64_t),  NFIELD('Q', MV_KIND_UINT, int64_t),
    NFIELD('n', MV_KIND_INT, size_t),   NFIELD('N', MV_KIND_UINT, size_t),
    NFIELD('e', MV_KIND_FLOAT, short),  NFIELD('f', MV_KIND_FLOAT, float),
    NFIELD('d', MV_KIND_FLOAT, double), NFIELD('P', MV_KIND_PTR, void *),
};
#undef NFIELD

#define NFORMAT(c, s, T)                                                       \
    [c] = {.text = s,                                                          \
           .fields = &native_fields[c],                                        \
           .itemsize = sizeof(T),                                              \
           .units = 1,                                                         \
           .nvalues = 1,                                                       \
           .nfields = 1,                                                       \
           .native = c,                                                        \
           .static_ = 1}
static const mv_format native_formats[128] = {
    NFORMAT('c', "c", char),    NFORMAT('b', "b", char),
    NFORMAT('B', "B", char),    NFORMAT('?', "?", _Bool),
    NFORMAT('h', "h", short),   NFORMAT('H', "H", short),
    NFORMAT('i', "i", int),     NFORMAT('I', "I", int),
    NFORMAT('l', "l", long),    NFORMAT('L', "L", long),
    NFORMAT('q', "q", int64_t), NFORMAT('Q', "Q", int64_t),
    NFORMAT('n', "n", size_t),  NFORMAT('N', "N", size_t),
    NFORMAT('e', "e", short),   NFORMAT('f', "f", float),
    NFORMAT('d', "d", double),  NFORMAT('P', "P", void *),
};
#undef NFORMAT

/* "@B"...: the '@' spellings of the same formats. */
#define AT(c, s) [c] = "@" s
static const char *const native_at[128] = {
    AT('c', "c"), AT('b', "b"), AT('B', "B"), AT('?', "?"), AT('h', "h"),
    AT('H', "H"), AT('i', "i"), AT('I', "I"), AT('l', "l"), AT('L', "L"),
    AT('q', "q"), AT('Q', "Q"), AT('n', "n"), AT('N', "N"), AT('e', "e"),
    AT('f', "f"), AT('d', "d"), AT('P', "P"),
};
#undef AT

const char *mv__native_spelling(char c, bool at) {
    return at ? native_at[(unsigned char)c & 0x7f] : mv__format_native(c)->text;
}

const mv_format *mv__format_native(char c) {
    return &native_formats[(unsigned char)c & 0x7f];
}

/* ------------------------------------------------------------------------
 * The parser
 * ------------------------------------------------------------------------ */

typedef struct mode {
    char order; /* '<' or '>' */
    bool std;   /* standard sizes */
    bool align; /* native alignment */
} mode;

static bool set_mode(char c, mode *m, bool noalign) {
    switch (c) {
    case '@': *m = (mode){MV__HOST_ORDER, false, !noalign}; return true;
    case '^': *m = (mode){MV__HOST_ORDER, false, false}; return true;
    case '=': *m = (mode){MV__HOST_ORDER, true, false}; return true;
    case '<': *m = (mode){'<', true, false}; return true;
    case '>':
    case '!': *m = (mode){'>', true, false}; return true;
    default: return false;
    }
}

static bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
           c == '\f';
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

typedef struct parser {
    const char *s;
    bool fill;    /* second pass: write the block */
    bool noalign; /* '@' aligns nothing (read as '^') */
    mode mode;    /* the prefix in force: it lasts across '{' and '}' */
    int nfmt;     /* records begun so far (their ordinals) */
    int maxfmt;   /* entries of fcount */
    int *fcount;  /* fields of each record, from the counting pass */
    mv_ssize nfields, nshape, nname; /* counting pass totals */
    mv_format *fmts;
    mv_field *fields;
    mv_ssize *shapes;
    char *names;
    mv_ssize fields_used, shapes_used, names_used;
} parser;

/* What a record's parse tells its parent. */
typedef struct rec_info {
    mv_ssize size, align, nvalues;
    mv_ssize work; /* elements, at every depth, that reading an item visits */
    int depth;
    int tdepth; /* tuples nested in a value of the record, its own counted */
} rec_info;

/* Elements of size 0 cost a visit each but no byte: past this many more
 * visits than two per byte an item is refused, so that no format of a few bytes
 * makes reading one item endless ("1000000000000T{}"). */
#define MAX_EMPTY_WORK ((mv_ssize)1 << 20)

static int bad(const char *msg) { return mv_error(MV_EVALUE, "%s", msg); }
#define TOO_LONG "total struct size too long"
#define BAD_CHAR "bad char in struct format"

static int parse_number(parser *p, mv_ssize *out) {
    mv_ssize n = 0;
    while (is_digit(*p->s)) {
        if (mul_overflows(n, 10, &n) || add_overflows(n, *p->s - '0', &n))
            return bad(TOO_LONG);
        p->s++;
    }
    *out = n;
    return MV_OK;
}

/* "(2,3)" at p->s: dims into shape[0 .. *ndim), their product into *elems,
 * and into *nodes the lists a walk of one element of that shape opens (the
 * sum of the products of the dims before each dim): "(N,0)" holds no element
 * but opens N + 1 lists. */
static int parse_shape(parser *p, mv_ssize *shape, int *ndim, mv_ssize *elems,
                       mv_ssize *nodes) {
    p->s++; /* '(' */
    int n = 0;
    mv_ssize prod = 1, lists = 0;
    for (;;) {
        while (is_space(*p->s))
            p->s++;
        if (!is_digit(*p->s) || n == MV_MAXDIM)
            return bad("bad shape in format");
        mv_ssize d = 0;
        if (parse_number(p, &d) < 0 || add_overflows(lists, prod, &lists) ||
            mul_overflows(prod, d, &prod))
            return bad(TOO_LONG);
        shape[n++] = d;
        while (is_space(*p->s))
            p->s++;
        if (*p->s == ')') {
            p->s++;
            break;
        }
        if (*p->s != ',')
            return bad("bad shape in format");
        p->s++;
    }
    *ndim = n;
    *elems = prod;
    *nodes = lists;
    return MV_OK;
}

/* ":name:" at p->s; *name is NULL in the counting pass. */
static int parse_name(parser *p, const char **name) {
    const char *start = ++p->s;
    const char *end = strchr(start, ':');
    if (!end)
        return bad("unterminated field name in format");
    size_t len = (size_t)(end - start);
    p->s = end + 1;
    if (!p->fill) {
        p->nname += (mv_ssize)len + 1;
        return MV_OK;
    }
    char *dst = p->names + p->names_used;
    memcpy(dst, start, len);
    dst[len] = '\0';
    p->names_used += (mv_ssize)len + 1;
    *name = dst;
    return MV_OK;
}

static int parse_record(parser *p, mv_format *f, int depth, bool nested,
                        rec_info *info);

/* One field (or padding) at p->s, laid out at *off in mode m. */
static int parse_field(parser *p, mode *m, int depth, mv_field *fd,
                       mv_ssize *off, rec_info *acc, bool *is_field) {
    mv_ssize shape[MV_MAXDIM];
    int ndim = 0, rc;
    mv_ssize elems = 1, repeat = 1, nodes = 0;
    if (*p->s == '(') {
        if ((rc = parse_shape(p, shape, &ndim, &elems, &nodes)) < 0)
            return rc;
        /* Lists of elements cost at most MV_MAXDIM visits per element, and
         * elements are counted below; only a shape holding no element opens
         * lists that nothing else counts. */
        if (elems != 0)
            nodes = 0;
        while (set_mode(*p->s, m, p->noalign)) /* NumPy: "(2,3)<f" */
            p->s++;
    }
    if (is_digit(*p->s)) {
        if ((rc = parse_number(p, &repeat)) < 0)
            return rc;
        if (*p->s == '\0')
            return bad("repeat count given without format specifier");
    }
    mode fm = *m; /* this field's: a nested record may change *m */
    char c = *p->s++;
    mv_ssize size, align = 1, count, units = repeat, nvalues = 1, work = 1;
    int sub_tdepth = 0;
    mv_kind kind;
    char ncode = 0;
    const mv_format *sub = NULL;
    if (c == 'T') {
        if (*p->s != '{')
            return bad(BAD_CHAR);
        p->s++;
        if (depth >= MV_FORMAT_MAXDEPTH)
            return bad("format nests records too deeply");
        rec_info si;
        mv_format *sf = p->fill ? &p->fmts[p->nfmt] : NULL;
        if ((rc = parse_record(p, sf, depth + 1, true, &si)) < 0)
            return rc;
        sub = sf;
        size = si.size;
        align = fm.align ? si.align : 1;
        nvalues = si.nvalues;
        work = si.work + 1;
        sub_tdepth = si.tdepth;
        if (si.depth + 1 > acc->depth)
            acc->depth = si.depth + 1;
        kind = MV_KIND_RECORD;
    } else if (c == 'Z') {
        char e = *p->s;
        if (e != 'f' && e != 'd')
            return bad(BAD_CHAR);
        p->s++;
        size = e == 'f' ? 2 * (mv_ssize)sizeof(float)
                        : 2 * (mv_ssize)sizeof(double);
        if (fm.align)
            align = e == 'f' ? (mv_ssize) _Alignof(float)
                             : (mv_ssize) _Alignof(double);
        ncode = e;
        kind = MV_KIND_COMPLEX;
    } else {
        const mv__code *k = mv__code_of(c);
        if (!k || (fm.std && !k->ssize))
            return bad(BAD_CHAR);
        if (c == 'x') { /* padding: bytes, no value, no alignment */
            mv_ssize n;
            if (mul_overflows(repeat, elems, &n) || add_overflows(*off, n, off))
                return bad(TOO_LONG);
            *is_field = false;
            return *p->s == ':' ? parse_name(p, &(const char *){NULL}) : MV_OK;
        }
        kind = k->kind;
        size = fm.std ? k->ssize : k->nsize;
        if (fm.align)
            align = k->nalign;
        ncode = fm.std ? k->sncode : k->nncode;
        if (kind == MV_KIND_BYTES) {
            size = repeat; /* one string of repeat bytes per element */
            units = 1;
            ncode = 0;
        }
    }
    if (kind == MV_KIND_BYTES)
        count = elems;
    else if (mul_overflows(repeat, elems, &count))
        return bad(TOO_LONG);
    mv_ssize at = *off, bytes, vals, visits, lists;
    if (align > 1 && at % align)
        if (add_overflows(at, align - at % align, &at))
            return bad(TOO_LONG);
    if (mul_overflows(count, size, &bytes) || add_overflows(at, bytes, off) ||
        mul_overflows(count, nvalues, &vals) ||
        add_overflows(acc->nvalues, vals, &acc->nvalues) ||
        mul_overflows(count, work, &visits) ||
        add_overflows(acc->work, visits, &acc->work) ||
        mul_overflows(units, nodes, &lists) ||
        add_overflows(acc->work, lists, &acc->work))
        return bad(TOO_LONG);
    /* No overflow: each field adds at least its units to acc->work (count
     * visits of units * elems elements, or units * nodes lists when elems
     * is 0), so acc->size <= acc->work. */
    acc->size += units;
    if (align > acc->align)
        acc->align = align;
    if (ndim + sub_tdepth > acc->tdepth)
        acc->tdepth = ndim + sub_tdepth;
    const char *name = NULL;
    if (*p->s == ':' && (rc = parse_name(p, &name)) < 0)
        return rc;
    *is_field = true;
    if (!p->fill) {
        p->nshape += ndim;
        return MV_OK;
    }
    mv_ssize *sh = p->shapes + p->shapes_used;
    memcpy(sh, shape, (size_t)ndim * sizeof *sh);
    p->shapes_used += ndim;
    *fd = (mv_field){
        .name = name,
        .sub = sub,
        .shape = sh,
        .offset = at,
        .size = size,
        .count = count,
        .repeat = repeat,
        .units = units,
        .ndim = ndim,
        .kind = kind,
        .code = c,
        .ncode = ncode,
        .order = fm.order,
        .swap = fm.order != MV__HOST_ORDER && size > 1 &&
                kind != MV_KIND_BYTES && kind != MV_KIND_RECORD,
        .std = fm.std,
    };
    return MV_OK;
}

/* A record's fields up to its '}' (nested) or the end of the text. In the
 * counting pass f is NULL. acc.size counts units while parsing. */
static int parse_record(parser *p, mv_format *f, int depth, bool nested,
                        rec_info *info) {
    int ord = p->nfmt++;
    mode *m = &p->mode; /* shared with nested records, as NumPy has it */
    mv_field *fields = NULL;
    if (p->fill) {
        fields = p->fields + p->fields_used;
        p->fields_used += p->fcount[ord];
    }
    rec_info acc = {0, 1, 0, 0, 0, 0};
    mv_ssize off = 0;
    int nf = 0;
    for (;;) {
        char c = *p->s;
        if (c == '\0') {
            if (nested)
                return bad("unmatched '{' in format");
            break;
        }
        if (c == '}') {
            if (!nested)
                return bad(BAD_CHAR);
            p->s++;
            break;
        }
        if (is_space(c) || set_mode(c, m, p->noalign)) {
            p->s++;
            continue;
        }
        /* nf < INT32_MAX: each field takes a character of a text of at
         * most INT32_MAX (checked by mv__format_compile) */
        bool is_field;
        int rc = parse_field(p, m, depth, fields ? &fields[nf] : NULL, &off,
                             &acc, &is_field);
        if (rc < 0)
            return rc;
        nf += is_field;
    }
    /* A nested record is aligned as a C struct: size rounded up to the
     * alignment of its widest member. */
    if (nested && acc.align > 1 && off % acc.align &&
        add_overflows(off, acc.align - off % acc.align, &off))
        return bad(TOO_LONG);
    mv_ssize excess; /* visits beyond two per byte */
    if (!nested && !__builtin_sub_overflow(acc.work - off, off, &excess) &&
        excess > MAX_EMPTY_WORK)
        return bad("format has too many empty elements");
    if (!p->fill) {
        p->fcount[ord] = nf;
        p->nfields += nf;
    } else {
        f->fields = fields;
        f->nfields = nf;
        f->itemsize = off;
        f->units = acc.size;
        f->nvalues = acc.nvalues;
        f->depth = acc.depth;
        f->tuple_depth = acc.tdepth + 1;
        f->flat_ = 1;
        for (int i = 0; i < nf; i++)
            /* count is units (elements of repeat) for a field of no
             * shape that is not a record: units != 1 says count != 1 */
            if (fields[i].kind == MV_KIND_RECORD || fields[i].ndim ||
                fields[i].units != 1)
                f->flat_ = 0;
        f->static_ = nested ? 2 : 0;
    }
    *info = (rec_info){off,      acc.align, acc.nvalues,
                       acc.work, acc.depth, acc.tdepth + 1};
    return MV_OK;
}

/* Block layout: formats, fields, shapes (all 8-aligned), names, text. */
static size_t round8(size_t n) { return (n + 7) & ~(size_t)7; }

int mv__format_compile(const mv_format **out, const char *fmt, bool noalign) {
    if (!fmt)
        fmt = "B";
    char c = mv_format_char(fmt);
    if (c) {
        *out = mv__format_native(c);
        return MV_OK;
    }
    size_t len = strlen(fmt);
    if (len > (size_t)INT32_MAX)
        return bad(TOO_LONG);
    int maxfmt = 1;
    for (const char *q = fmt; *q; q++)
        maxfmt += *q == '{';
    parser p = {.s = fmt,
                .maxfmt = maxfmt,
                .noalign = noalign,
                .mode = {MV__HOST_ORDER, false, !noalign}};
    p.fcount = malloc((size_t)maxfmt * sizeof *p.fcount);
    if (!p.fcount)
        return mv_error(MV_ENOMEM, "cannot compile format");
    rec_info info;
    int rc = parse_record(&p, NULL, 0, false, &info);
    if (rc < 0) {
        free(p.fcount);
        return rc;
    }
    /* Every count is bounded by the text's length, itself < 2^31. */
    size_t nfmt = (size_t)p.nfmt;
    size_t o_fields = round8(nfmt * sizeof(mv_format));
    size_t o_shapes = o_fields + round8((size_t)p.nfields * sizeof(mv_field));
    size_t o_names = o_shapes + (size_t)p.nshape * sizeof(mv_ssize);
    size_t o_text = o_names + (size_t)p.nname;
    char *block = calloc(1, o_text + len + 1);
    if (!block) {
        free(p.fcount);
        return mv_error(MV_ENOMEM, "cannot compile format");
    }
    parser q = {.s = fmt,
                .fill = true,
                .noalign = noalign,
                .mode = {MV__HOST_ORDER, false, !noalign},
                .maxfmt = maxfmt,
                .fcount = p.fcount,
                .fmts = (mv_format *)(void *)block,
                .fields = (mv_field *)(void *)(block + o_fields),
                .shapes = (mv_ssize *)(void *)(block + o_shapes),
                .names = block + o_names};
    /* Cannot fail: the counting pass parsed the same text. */
    (void)parse_record(&q, q.fmts, 0, false, &info);
    free(p.fcount);
    memcpy(block + o_text, fmt, len + 1);
    for (size_t i = 0; i < nfmt; i++)
        q.fmts[i].text = block + o_text;
    q.fmts[0].refs_ = 1;
    *out = q.fmts;
    return MV_OK;
}

int mv_format_compile(const mv_format **out, const char *fmt) {
    return mv__format_compile(out, fmt, false);
}

const mv_format *mv_format_retain(const mv_format *f) {
    if (f && !f->static_)
        mv__ref_incr(&((mv_format *)f)->refs_);
    return f;
}

void mv_format_release(const mv_format *f) {
    if (!f || f->static_)
        return;
    if (mv__ref_decr(&((mv_format *)f)->refs_) == 0)
        free((void *)f);
}

int mv_format_field_index(const mv_format *f, const char *name) {
    for (int i = 0; i < f->nfields; i++)
        if (f->fields[i].name && strcmp(f->fields[i].name, name) == 0)
            return i;
    return -1;
}

/* ------------------------------------------------------------------------
 * Fields
 * ------------------------------------------------------------------------ */

/* One number of native code c at p, byte-swapped when swap. */
static inline void load_number(char c, bool swap, const unsigned char *p,
                               mv_ssize size, mv_value *out) {
    if (swap) {
        unsigned char b[16];
        mv__copy_ordered(b, p, (size_t)size, true);
        unpack_native(c, b, out);
    } else {
        unpack_native(c, p, out);
    }
}

int mv__field_read(const mv_field *f, const char *elem, mv_value *out) {
    const unsigned char *p = (const unsigned char *)elem;
    switch (f->kind) {
    case MV_KIND_BYTES: {
        mv_ssize n = f->size;
        if (f->code == 'p') {
            n = n > 0 ? p[0] : 0;
            if (f->size > 0 && n >= f->size)
                n = f->size - 1;
            p++;
        }
        out->type = MV_VAL_BYTES;
        out->s.ptr = (const char *)p;
        out->s.len = n;
        return MV_OK;
    }
    case MV_KIND_COMPLEX: {
        mv_ssize half = f->size / 2;
        mv_value re = {.f = 0.0}, im = {.f = 0.0};
        load_number(f->ncode, f->swap, p, half, &re);
        load_number(f->ncode, f->swap, p + half, half, &im);
        out->type = MV_VAL_COMPLEX;
        out->z.re = re.f;
        out->z.im = im.f;
        return MV_OK;
    }
    case MV_KIND_RECORD:
        return mv_error(MV_ETYPE, "a record field has no single value");
    default: load_number(f->ncode, f->swap, p, f->size, out); return MV_OK;
    }
}

int mv_field_get(const mv_field *f, const void *item, mv_ssize k,
                 mv_value *out) {
    if (k < 0 || k >= f->count)
        return mv_error(MV_EINDEX, "field element index out of range");
    return mv__field_read(f, (const char *)item + f->offset + k * f->size, out);
}

/* The spelling of f's format in messages: "i", "<i", ">3s", "Zd". */
static void field_spelling(const mv_field *f, char *buf, size_t size) {
    char order[2] = {f->std ? f->order : '\0', '\0'};
    char zc[2] = {f->kind == MV_KIND_COMPLEX ? f->ncode : '\0', '\0'};
    if (f->kind == MV_KIND_BYTES)
        snprintf(buf, size, "%s%td%c", order, f->size, f->code);
    else
        snprintf(buf, size, "%s%c%s", order, f->code, zc);
}

int mv__field_write(const mv_field *f, char *elem, const mv_value *val) {
    char name[32];
    unsigned char *p = (unsigned char *)elem;
    switch (f->kind) {
    case MV_KIND_BYTES: {
        if (val->type != MV_VAL_BYTES) {
            field_spelling(f, name, sizeof name);
            return mv_error(MV_ETYPE,
                            "memoryview: invalid type for format '%s'", name);
        }
        mv_ssize n = val->s.len, room = f->size;
        if (f->code == 'p') {
            if (room == 0)
                return MV_OK;
            room--;
            if (n > room)
                n = room;
            if (n > 255)
                n = 255;
            *p++ = (unsigned char)n;
        } else if (n > room) {
            n = room;
        }
        if (n > 0)
            memcpy(p, val->s.ptr, (size_t)n);
        memset(p + n, 0, (size_t)(room - n));
        return MV_OK;
    }
    case MV_KIND_COMPLEX: {
        mv_value re = *val, im = {.type = MV_VAL_FLOAT, .f = 0.0};
        if (val->type == MV_VAL_COMPLEX) {
            re = (mv_value){.type = MV_VAL_FLOAT, .f = val->z.re};
            im.f = val->z.im;
        }
        mv_ssize half = f->size / 2;
        unsigned char b[16];
        field_spelling(f, name, sizeof name);
        char nc[2] = {f->ncode, '\0'};
        int rc = mv__pack_named(nc, name, b, &re);
        if (rc == MV_OK)
            rc = mv__pack_named(nc, name, b + half, &im);
        if (rc < 0)
            return rc;
        mv__copy_ordered(p, b, (size_t)half, f->swap);
        mv__copy_ordered(p + half, b + half, (size_t)half, f->swap);
        return MV_OK;
    }
    case MV_KIND_RECORD:
        return mv_error(MV_ETYPE, "a record field has no single value");
    default: {
        unsigned char b[16];
        field_spelling(f, name, sizeof name);
        char nc[2] = {f->ncode, '\0'};
        int rc = mv__pack_named(nc, name, b, val);
        if (rc < 0)
            return rc;
        mv__copy_ordered(p, b, (size_t)f->size, f->swap);
        return MV_OK;
    }
    }
}

int mv_field_set(const mv_field *f, void *item, mv_ssize k,
                 const mv_value *val) {
    if (k < 0 || k >= f->count)
        return mv_error(MV_EINDEX, "field element index out of range");
    return mv__field_write(f, (char *)item + f->offset + k * f->size, val);
}

/* ------------------------------------------------------------------------
 * Items: their values as nested tuples (walk), packing them (pack), and
 * their scalars one after the other (cursor)
 * ------------------------------------------------------------------------ */

static int walk_record(const mv_format *f, const char *item, int depth,
                       const mv_walker *w, void *ctx);

/* One value: through item when there is one (cheaper for a single value
 * than a batch of one), else items. */
static inline int emit_scalar(const mv_walker *w, void *ctx,
                              const mv_value *x) {
    if (w->item)
        return w->item(ctx, x);
    return w->items ? w->items(ctx, x, 1) : MV_OK;
}

/* Element k of field fd: a scalar, or a record's tuple. */
static int walk_element(const mv_field *fd, const char *item, mv_ssize k,
                        int depth, const mv_walker *w, void *ctx) {
    const char *elem = item + fd->offset + k * fd->size;
    if (fd->kind == MV_KIND_RECORD)
        return walk_record(fd->sub, elem, depth, w, ctx);
    mv_value x;
    mv__field_read(fd, elem, &x); /* a scalar: cannot fail */
    return emit_scalar(w, ctx, &x);
}

/* Dimension dim of the shaped unit whose first element is *k. */
static int walk_shape(const mv_field *fd, const char *item, int dim,
                      mv_ssize *k, int depth, const mv_walker *w, void *ctx) {
    int rc;
    if (dim == fd->ndim)
        return walk_element(fd, item, (*k)++, depth, w, ctx);
    if (w->begin && (rc = w->begin(ctx, depth, fd->shape[dim])) < 0)
        return rc;
    for (mv_ssize i = 0; i < fd->shape[dim]; i++)
        if ((rc = walk_shape(fd, item, dim + 1, k, depth + 1, w, ctx)) < 0)
            return rc;
    return w->end ? w->end(ctx, depth) : MV_OK;
}

/* Every unit of every field, in order. */
static int walk_units(const mv_format *f, const char *item, int depth,
                      const mv_walker *w, void *ctx) {
    for (int i = 0; i < f->nfields; i++) {
        const mv_field *fd = &f->fields[i];
        mv_ssize k = 0;
        for (mv_ssize u = 0; u < fd->units; u++) {
            int rc = walk_shape(fd, item, 0, &k, depth, w, ctx);
            if (rc < 0)
                return rc;
        }
    }
    return MV_OK;
}

static int walk_record(const mv_format *f, const char *item, int depth,
                       const mv_walker *w, void *ctx) {
    int rc;
    if (w->begin && (rc = w->begin(ctx, depth, f->units)) < 0)
        return rc;
    if ((rc = walk_units(f, item, depth + 1, w, ctx)) < 0)
        return rc;
    return w->end ? w->end(ctx, depth) : MV_OK;
}

/* A record of scalar fields, one value each ("<IfH", "T{<I:a:<f:b:}"'s
 * record): one tuple, no descent through shapes and units. */
static int walk_flat(const mv_format *f, const char *item, int depth,
                     const mv_walker *w, void *ctx) {
    int rc;
    if (w->begin && (rc = w->begin(ctx, depth, f->units)) < 0)
        return rc;
    for (int i = 0; i < f->nfields; i++) {
        mv_value x;
        const mv_field *fd = &f->fields[i];
        mv__field_read(fd, item + fd->offset, &x);
        if ((rc = emit_scalar(w, ctx, &x)) < 0)
            return rc;
    }
    return w->end ? w->end(ctx, depth) : MV_OK;
}

int mv__item_walk(const mv_format *f, const void *item, int base,
                  const mv_walker *w, void *ctx) {
    if (f->flat_ && f->units > 1)
        return walk_flat(f, item, base, w, ctx);
    if (f->nfields == 1 && f->units == 1 && f->fields[0].count == 1 &&
        f->fields[0].sub && f->fields[0].sub->flat_)
        return walk_flat(f->fields[0].sub,
                         (const char *)item + f->fields[0].offset, base, w,
                         ctx);
    if (f->units == 1)
        return walk_units(f, item, base, w, ctx);
    return walk_record(f, item, base, w, ctx);
}

int mv_item_walk(const mv_format *f, const void *item, const mv_walker *w,
                 void *ctx) {
    return mv__item_walk(f, item, 0, w, ctx);
}

const mv_field *mv_format_scalar(const mv_format *f) {
    if (f->units != 1)
        return NULL;
    /* f->units is the sum of its fields' units: exactly one has 1 */
    const mv_field *fd = f->fields;
    while (fd->units != 1)
        fd++;
    return fd->ndim == 0 && fd->kind != MV_KIND_RECORD ? fd : NULL;
}

static int pack_record(const mv_format *f, char *item, int depth,
                       const mv_source *s, void *ctx);

static int pack_element(const mv_field *fd, char *item, mv_ssize k, int depth,
                        const mv_source *s, void *ctx) {
    char *elem = item + fd->offset + k * fd->size;
    if (fd->kind == MV_KIND_RECORD)
        return pack_record(fd->sub, elem, depth, s, ctx);
    mv_value x;
    int rc = s->value(ctx, fd, &x);
    return rc < 0 ? rc : mv__field_write(fd, elem, &x);
}

static int pack_shape(const mv_field *fd, char *item, int dim, mv_ssize *k,
                      int depth, const mv_source *s, void *ctx) {
    int rc;
    if (dim == fd->ndim)
        return pack_element(fd, item, (*k)++, depth, s, ctx);
    if ((rc = s->begin(ctx, depth, fd->shape[dim])) < 0)
        return rc;
    for (mv_ssize i = 0; i < fd->shape[dim]; i++)
        if ((rc = pack_shape(fd, item, dim + 1, k, depth + 1, s, ctx)) < 0)
            return rc;
    return s->end(ctx, depth);
}

static int pack_units(const mv_format *f, char *item, int depth,
                      const mv_source *s, void *ctx) {
    for (int i = 0; i < f->nfields; i++) {
        const mv_field *fd = &f->fields[i];
        mv_ssize k = 0;
        for (mv_ssize u = 0; u < fd->units; u++) {
            int rc = pack_shape(fd, item, 0, &k, depth, s, ctx);
            if (rc < 0)
                return rc;
        }
    }
    return MV_OK;
}

static int pack_record(const mv_format *f, char *item, int depth,
                       const mv_source *s, void *ctx) {
    int rc;
    if ((rc = s->begin(ctx, depth, f->units)) < 0)
        return rc;
    if ((rc = pack_units(f, item, depth + 1, s, ctx)) < 0)
        return rc;
    return s->end(ctx, depth);
}

int mv_item_pack(const mv_format *f, void *item, const mv_source *s,
                 void *ctx) {
    char local[256];
    char *tmp = local;
    if (f->itemsize > (mv_ssize)sizeof local &&
        !(tmp = malloc((size_t)f->itemsize)))
        return mv_error(MV_ENOMEM, "cannot allocate %td bytes", f->itemsize);
    memcpy(tmp, item, (size_t)f->itemsize); /* padding stays as it was */
    int rc = f->units == 1 ? pack_units(f, tmp, 0, s, ctx)
                           : pack_record(f, tmp, 0, s, ctx);
    if (rc == MV_OK)
        memcpy(item, tmp, (size_t)f->itemsize);
    if (tmp != local)
        free(tmp);
    return rc;
}

void mv__cursor_init(mv__cursor *c, const mv_format *f, const char *item) {
    c->top = 0;
    c->lv[0] = (struct mv__level){f, item, 0, 0};
}

bool mv__cursor_next(mv__cursor *c, mv_value *out) {
    for (;;) {
        struct mv__level *l = &c->lv[c->top];
        if (l->field >= l->f->nfields) {
            if (c->top == 0)
                return false;
            c->top--;
            c->lv[c->top].k++;
            continue;
        }
        const mv_field *fd = &l->f->fields[l->field];
        if (l->k >= fd->count) {
            l->field++;
            l->k = 0;
            continue;
        }
        const char *elem = l->item + fd->offset + l->k * fd->size;
        if (fd->kind == MV_KIND_RECORD) {
            c->lv[++c->top] = (struct mv__level){fd->sub, elem, 0, 0};
            continue;
        }
        mv__field_read(fd, elem, out);
        l->k++;
        return true;
    }
}
