/*
 * buffer.c -- owners of memory and their export counts.
 *
 * Invariants:
 *   refs = (creator's handle still held ? 1 : 0) + number of live views.
 *   The memory is freed, and a wrapped owner's release callback run, when
 *   refs reaches zero: exactly once, whichever goes last.
 *   Only the creator touches `handle`, so exports = refs - handle needs no
 *   lock; refs itself is atomic because views may die on any thread.
 *   data and size change only in mv_owner_resize(), which the creator may
 *   call only while no view exists (refs == 1), so no view sees them move.
 */
#include "internal.h"

#include <stdlib.h>

typedef enum { OWN_COPY, OWN_BYTES, OWN_WRAP } owner_kind;

struct mv_owner {
    long refs; /* host.h's atomic counts */
    char *data;
    mv_ssize size;
    owner_kind kind;
    bool readonly;
    bool guarded;            /* bulk work runs inside a fault guard (fault.c) */
    const mv_owner *mapping; /* whose file to check after it, or NULL */
    bool handle;
    mv_release_fn release;
    void *ctx;
    char inline_data[]; /* OWN_COPY keeps its bytes here */
};

static int check_size(mv_ssize len) {
    if (len < 0)
        return mv_error(MV_EVALUE, "negative size");
    if ((size_t)len > (size_t)MV_SSIZE_MAX - sizeof(mv_owner) - 1)
        return mv_error(MV_ENOMEM, "cannot allocate %td bytes", len);
    return MV_OK;
}

static mv_owner *owner_alloc(size_t extra) {
    mv_owner *o = malloc(sizeof *o + extra);
    if (!o)
        return NULL;
    o->refs = 1;
    o->data = NULL;
    o->size = 0;
    o->readonly = false;
    o->guarded = false;
    o->mapping = NULL;
    o->handle = true;
    o->release = NULL;
    o->ctx = NULL;
    return o;
}

int mv_owner_copy(mv_owner **out, const void *data, mv_ssize len) {
    int rc = check_size(len);
    if (rc < 0)
        return rc;
    if (len > 0 && !data)
        return mv_error(MV_EVALUE, "NULL data with a non-zero length");
    mv_owner *o = owner_alloc((size_t)len + 1);
    if (!o)
        return mv_error(MV_ENOMEM, "cannot allocate %td bytes", len);
    o->kind = OWN_COPY;
    o->readonly = true;
    o->data = o->inline_data;
    o->size = len;
    if (len > 0)
        memcpy(o->data, data, (size_t)len);
    o->data[len] = '\0';
    *out = o;
    return MV_OK;
}

int mv_owner_new_bytes(mv_owner **out, mv_ssize len) {
    int rc = check_size(len);
    if (rc < 0)
        return rc;
    mv_owner *o = owner_alloc(0);
    char *data = calloc((size_t)len + 1, 1);
    if (!o || !data) {
        free(o);
        free(data);
        return mv_error(MV_ENOMEM, "cannot allocate %td bytes", len);
    }
    o->kind = OWN_BYTES;
    o->data = data;
    o->size = len;
    *out = o;
    return MV_OK;
}

int mv_owner_wrap(mv_owner **out, void *data, mv_ssize len, int readonly,
                  mv_release_fn release, void *ctx) {
    if (len < 0)
        return mv_error(MV_EVALUE, "negative size");
    if (len > 0 && !data)
        return mv_error(MV_EVALUE, "NULL data with a non-zero length");
    mv_owner *o = owner_alloc(0);
    if (!o)
        return mv_error(MV_ENOMEM, "cannot allocate an owner");
    o->kind = OWN_WRAP;
    o->data = data;
    o->size = len;
    o->readonly = readonly != 0;
    o->release = release;
    o->ctx = ctx;
    *out = o;
    return MV_OK;
}

void *mv_owner_data(const mv_owner *o) { return o->data; }

void mv_owner_set_guarded(mv_owner *o) { o->guarded = true; }
int mv_owner_guarded(const mv_owner *o) { return o->guarded; }

void mv_owner_guard_as(mv_owner *o, const mv_owner *mapping) {
    o->guarded = true;
    o->mapping = mapping;
}

const mv_owner *mv__owner_mapping(const mv_owner *o) {
    return o->mapping ? o->mapping : o;
}

bool mv__owner_wrapped(const mv_owner *o, mv_release_fn fn, void **ctx) {
    if (o->kind != OWN_WRAP || o->release != fn)
        return false;
    *ctx = o->ctx;
    return true;
}
mv_ssize mv_owner_size(const mv_owner *o) { return o->size; }
int mv_owner_readonly(const mv_owner *o) { return o->readonly; }

mv_ssize mv_owner_exports(const mv_owner *o) {
    mv_ssize refs = mv__ref_load(&o->refs);
    return refs - (o->handle ? 1 : 0);
}

static void owner_destroy(mv_owner *o) {
    if (o->kind == OWN_BYTES)
        free(o->data);
    else if (o->kind == OWN_WRAP && o->release)
        o->release(o->ctx, o->data, o->size);
    /* OWN_COPY: the bytes live in o's own block */
    free(o);
}

void mv__owner_incref(mv_owner *o) { mv__ref_incr(&o->refs); }

void mv__owner_decref(mv_owner *o) {
    if (mv__ref_decr(&o->refs) == 0)
        owner_destroy(o);
}

static int refuse_exported(const mv_owner *o, const char *what) {
    mv_ssize n = mv_owner_exports(o);
    return mv_error(MV_EBUFFER,
                    "Existing exports of data: object cannot be %s "
                    "(%td export%s remain%s)",
                    what, n, n == 1 ? "" : "s", n == 1 ? "s" : "");
}

int mv_owner_resize(mv_owner *o, mv_ssize newlen) {
    if (o->kind != OWN_BYTES)
        return mv_error(MV_ETYPE, "only growable byte owners can be resized");
    int rc = check_size(newlen);
    if (rc < 0)
        return rc;
    if (mv_owner_exports(o) > 0)
        return refuse_exported(o, "re-sized");
    char *data = realloc(o->data, (size_t)newlen + 1);
    if (!data)
        return mv_error(MV_ENOMEM, "cannot allocate %td bytes", newlen);
    if (newlen > o->size)
        memset(data + o->size, 0, (size_t)(newlen - o->size));
    data[newlen] = '\0';
    o->data = data;
    o->size = newlen;
    return MV_OK;
}

void mv_owner_release(mv_owner *o) {
    if (!o)
        return;
    o->handle = false;
    mv__owner_decref(o);
}

int mv_owner_free(mv_owner *o) {
    if (!o)
        return MV_OK;
    if (mv_owner_exports(o) > 0)
        return refuse_exported(o, "freed");
    mv_owner_release(o);
    return MV_OK;
}

void mv_free(void *p) { free(p); }
