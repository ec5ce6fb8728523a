/*
 * fault.c -- turning a fault on a mapped owner into an error.
 *
 * Memory of a file mapping faults (SIGBUS) when another process shrinks
 * the file under it. memview's bulk operations on a guarded owner run
 * inside a guarded region, so that such a fault becomes MV_EOS instead of
 * killing the process (as the JVM turns it into an exception on its
 * mapped buffers).
 *
 * Rules:
 *   1. One handler for SIGBUS and SIGSEGV, installed once (on the first
 *      guarded operation), with SA_NODEFER so that leaving it by
 *      siglongjmp leaves the signal mask as it was (sigsetjmp then need
 *      not save the mask: no system call per region).
 *   2. Each thread has a stack of guards (thread-local). A fault on this
 *      thread while a guard is active, at an address inside one of the
 *      guard's owners' memory (page-rounded), jumps back to the guard's
 *      entry, which returns MV_EOS.
 *   3. Any other fault, and any fault outside a guard, goes to the handler
 *      that was installed before memview's: called directly, or, when that
 *      was the default or "ignore", the default is restored and the signal
 *      raised again, so the process dies as it would have without memview.
 *   4. Work inside a region allocates nothing, takes no lock and calls no
 *      caller code but a hash function: a fault abandons it where it
 *      stands, and the region's entry cleans up only what it set up.
 *   5. After the work, an owner that is a file mapping is asked whether
 *      its file shrank (map.c): a shrink inside the last page reads as
 *      zeros rather than faulting, and must not give a wrong answer.
 */
#define _XOPEN_SOURCE 700
#include "internal.h"

#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <unistd.h>

typedef struct guard {
    sigjmp_buf env;
    uintptr_t lo[2], hi[2]; /* the guarded owners' memory, page-rounded */
    struct guard *prev;
    volatile int sig; /* the signal that ended the region */
} guard;

static _Thread_local guard *volatile current;
static struct sigaction old_bus, old_segv;
static pthread_once_t install_once = PTHREAD_ONCE_INIT;

static int inside(const guard *g, uintptr_t addr) {
    for (int i = 0; i < 2; i++)
        if (addr >= g->lo[i] && addr < g->hi[i])
            return 1;
    return 0;
}

/* Rule 3: what would have happened without memview. */
static void pass_on(int sig, siginfo_t *info, void *uctx) {
    struct sigaction *old = sig == SIGBUS ? &old_bus : &old_segv;
    if (old->sa_flags & SA_SIGINFO) {
        old->sa_sigaction(sig, info, uctx);
        return;
    }
    /* Taken the other way only on the way to dying of sig, which leaves
     * gcov no chance to record it (docs/coverage.md; test_fault checks
     * the death). */
    /* GCOVR_EXCL_BR_START */
    if (old->sa_handler != SIG_DFL && old->sa_handler != SIG_IGN) {
        old->sa_handler(sig);
        return;
    }
    /* GCOVR_EXCL_BR_STOP */
    /* dies, as without memview (which gcov cannot record) */
    signal(sig, SIG_DFL), raise(sig); /* GCOVR_EXCL_LINE */
}

static void on_fault(int sig, siginfo_t *info, void *uctx) {
    guard *g = current;
    if (g && inside(g, (uintptr_t)info->si_addr)) { /* SA_SIGINFO: info set */
        current = g->prev;
        g->sig = sig;
        siglongjmp(g->env, 1);
    }
    pass_on(sig, info, uctx);
}

static void install(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    /* Cannot fail: both signals may be caught, and sa is well formed. */
    sigaction(SIGBUS, &sa, &old_bus);
    sigaction(SIGSEGV, &sa, &old_segv);
}

/* Views given to a guarded operation are live: each has an owner (b may
 * be absent). */
static int needs_guard(const mv_view *v) {
    return v && mv_owner_guarded(v->owner);
}

static void set_range(guard *g, int i, const mv_view *v) {
    g->lo[i] = g->hi[i] = 0;
    if (!needs_guard(v))
        return;
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t lo = (uintptr_t)mv_owner_data(v->owner);
    uintptr_t hi = lo + (uintptr_t)mv_owner_size(v->owner);
    g->lo[i] = lo & ~(page - 1);
    g->hi[i] = (hi + page - 1) & ~(page - 1);
}

static int faulted(const mv_view *a, const mv_view *b, int sig) {
    /* The file's own word on what happened, when it is a mapping. */
    if (mv__map_check(mv__owner_mapping(a->owner)) < 0)
        return MV_EOS;
    if (b && mv__map_check(mv__owner_mapping(b->owner)) < 0)
        return MV_EOS;
    errno = EIO;
    return mv_error(MV_EOS,
                    "mapped file shrank under the view (%s reading its "
                    "memory)",
                    sig == SIGBUS ? "bus error" : "segmentation fault");
}

int mv__guarded2(const mv_view *a, const mv_view *b, int (*fn)(void *ctx),
                 void *ctx) {
    if (!needs_guard(a) && !needs_guard(b))
        return fn(ctx);
    pthread_once(&install_once, install);
    guard g;
    set_range(&g, 0, a);
    set_range(&g, 1, b);
    g.prev = current;
    g.sig = 0;
    if (sigsetjmp(g.env, 0) != 0)
        return faulted(a, b, g.sig); /* current was reset by on_fault */
    current = &g;
    int rc = fn(ctx);
    current = g.prev;
    if (rc >= 0 && needs_guard(a))
        rc = mv__map_check(mv__owner_mapping(a->owner)) < 0 ? MV_EOS : rc;
    if (rc >= 0 && needs_guard(b))
        rc = mv__map_check(mv__owner_mapping(b->owner)) < 0 ? MV_EOS : rc;
    return rc;
}

int mv__guarded(const mv_view *v, int (*fn)(void *ctx), void *ctx) {
    return mv__guarded2(v, NULL, fn, ctx);
}
