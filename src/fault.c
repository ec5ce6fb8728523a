/*
 * fault.c -- turning a fault on a mapped owner into an error.
 *
 * Memory of a file mapping faults (SIGBUS on POSIX, EXCEPTION_IN_PAGE_ERROR
 * on Windows) when the file cannot give the page: another process shrank
 * it, or the device failed. memview's bulk operations on a guarded owner
 * run inside a guarded region, so that such a fault becomes MV_EOS instead
 * of killing the process (as the JVM turns it into an exception on its
 * mapped buffers). This file holds the portable part; the OS layer
 * (os.h) installs the handler and leaves the region.
 *
 * Rules:
 *   1. Each thread has a stack of regions (thread-local, kept by the OS
 *      layer where its handler can read it without allocating). A fault on this
 *      thread while a region is active, at an address inside one of the
 *      region's owners' memory (page-rounded), ends the region, which
 *      returns MV_EOS.
 *   2. Any other fault, and any fault outside a region, is left to the
 *      handler that was there before memview's (the OS layer's rules).
 *   3. Work inside a region allocates nothing, takes no lock and calls no
 *      caller code but a hash function: a fault abandons it where it
 *      stands, and the region's entry cleans up only what it set up.
 *   4. After the work, an owner that is a file mapping is asked whether
 *      its file shrank (map.c): a shrink inside the last page reads as
 *      zeros rather than faulting, and must not give a wrong answer.
 */
#include "os.h"

#include <errno.h>

static int inside(const mv__guard *g, uintptr_t addr) {
    for (int i = 0; i < 2; i++)
        if (addr >= g->lo[i] && addr < g->hi[i])
            return 1;
    return 0;
}

mv__guard *mv__fault_claim(uintptr_t addr) {
    mv__guard *g = mv__os_guard_top();
    if (!g || !inside(g, addr))
        return NULL;
    mv__os_guard_set_top(g->prev);
    return g;
}

/* Views given to a guarded operation are live: each has an owner (b may
 * be absent). */
static int needs_guard(const mv_view *v) {
    return v && mv_owner_guarded(v->owner);
}

static void set_range(mv__guard *g, int i, const mv_view *v) {
    g->lo[i] = g->hi[i] = 0;
    if (!needs_guard(v))
        return;
    uintptr_t page = (uintptr_t)mv__os_page_size();
    uintptr_t lo = (uintptr_t)mv_owner_data(v->owner);
    uintptr_t hi = lo + (uintptr_t)mv_owner_size(v->owner);
    g->lo[i] = lo & ~(page - 1);
    g->hi[i] = (hi + page - 1) & ~(page - 1);
}

static int faulted(const mv_view *a, const mv_view *b, const char *what) {
    /* The file's own word on what happened, when it is a mapping. */
    if (mv__map_check(mv__owner_mapping(a->owner)) < 0)
        return MV_EOS;
    if (b && mv__map_check(mv__owner_mapping(b->owner)) < 0)
        return MV_EOS;
    errno = EIO;
    return mv_error(MV_EOS,
                    "mapped file shrank under the view (%s reading its "
                    "memory)",
                    what);
}

int mv__guarded2(const mv_view *a, const mv_view *b, int (*fn)(void *ctx),
                 void *ctx) {
    if (!needs_guard(a) && !needs_guard(b))
        return fn(ctx);
    mv__guard g;
    set_range(&g, 0, a);
    set_range(&g, 1, b);
    g.prev = mv__os_guard_top();
    g.jump = NULL;
    g.what = NULL;
    mv__os_guard_set_top(&g);
    int rc = MV_OK;
    if (mv__os_guard_run(&g, fn, ctx, &rc) != 0)
        return faulted(a, b, g.what); /* mv__fault_claim popped g */
    mv__os_guard_set_top(g.prev);
    if (rc >= 0 && needs_guard(a))
        rc = mv__map_check(mv__owner_mapping(a->owner)) < 0 ? MV_EOS : rc;
    if (rc >= 0 && needs_guard(b))
        rc = mv__map_check(mv__owner_mapping(b->owner)) < 0 ? MV_EOS : rc;
    return rc;
}

int mv__guarded(const mv_view *v, int (*fn)(void *ctx), void *ctx) {
    return mv__guarded2(v, NULL, fn, ctx);
}
