/*
 * test_threads.c -- many threads make, slice, borrow and release views of
 * shared owners at once.
 *
 * Each round, the main thread makes NOWNERS owners (wrapped memory with a
 * release callback that frees it, immutable copies, growable bytes), gives
 * every worker its own views of them, keeps one shared view of each that
 * all workers read at the same time, and drops its owner handles before
 * the workers start. Some views have a record format, whose compiled form
 * they share and count. The workers then make views from their views and from
 * the shared ones (new, slice, borrow, readonly, sub-view, from_owner),
 * narrow them in place, read items and check each against the byte pattern
 * of its owner, and release them in random order. The last release of a
 * wrapped owner happens on whichever thread gets there last: its callback
 * must run exactly once, on the right memory. Nothing may leak (LSan,
 * valgrind), and `make tsan` runs this program under ThreadSanitizer.
 *
 * Size: NTHREADS threads x ROUNDS rounds x OPS operations per round.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>

#include "test_util.h"

enum {
    NTHREADS = 8,
    ROUNDS = 4,
    OPS = 5000,   /* per thread and round */
    NOWNERS = 12, /* per round: 8 wrapped, 2 copies, 2 growable */
    OWNER_LEN = 96,
    HELD = 24 /* views a worker holds at most */
};

struct owner_slot {
    mv_owner *o;
    unsigned char *base; /* the owner's first byte */
    mv_ssize len;
    unsigned seed;
    int wrapped;
    atomic_int releases;    /* release callback calls */
    atomic_int bad_release; /* callback called with the wrong memory */
    mv_view shared;         /* read by every worker at once; main releases it */
};

static struct owner_slot slots[NOWNERS];
static pthread_barrier_t start;

static unsigned char pattern_byte(unsigned seed, mv_ssize off) {
    return (unsigned char)((size_t)off * 7u + seed * 13u + 3u);
}

static void release_frame(void *ctx, void *data, mv_ssize len) {
    struct owner_slot *s = ctx;
    if (data != s->base || len != s->len)
        atomic_fetch_add(&s->bad_release, 1);
    atomic_fetch_add(&s->releases, 1);
    free(data);
}

struct held {
    mv_view v;
    int slot; /* -1: free */
};

struct worker {
    int id;
    uint64_t rng;
    struct held h[HELD];
    mv_view first[NOWNERS]; /* given by main, released by the worker */
    int own_only; /* use only views this worker holds (no shared ones) */
    long ops, made, released, reads, failures;
    int fail_line; /* the last failure, for the report */
    char fail_msg[128];
};

/* Count a failure in a worker (cmocka's checks belong to the main thread). */
#define FAILED(w) worker_failed((w), __LINE__)
static void worker_failed(struct worker *w, int line) {
    w->failures++;
    w->fail_line = line;
    snprintf(w->fail_msg, sizeof w->fail_msg, "%s", mv_errmsg());
}

static int slot_of(const mv_view *v) {
    for (int k = 0; k < NOWNERS; k++)
        if (v->owner == slots[k].o)
            return k;
    return -1;
}

/* Read every item of a 1-D or 2-D view and check it against its owner's
 * pattern; returns the number of wrong items (or 1 for a failed call). */
static long check_items(const mv_view *v, int k) {
    long bad = 0;
    if (v->ndim == 1 && mv_view_format_char(v) != 'B') {
        /* Records ("<hI"): each item's first byte, through its address. */
        for (mv_ssize i = 0; i < v->shape[0]; i++) {
            char *p;
            if (mv_view_item_ptr(v, i, &p) < 0)
                return 1;
            mv_ssize off = (unsigned char *)p - slots[k].base;
            if (off < 0 || off + v->itemsize > slots[k].len ||
                *(unsigned char *)p != pattern_byte(slots[k].seed, off))
                bad++;
        }
    } else if (v->ndim == 1) {
        for (mv_ssize i = 0; i < v->shape[0]; i++) {
            mv_value x;
            char *p;
            if (mv_view_get(v, i, &x) < 0 || mv_view_item_ptr(v, i, &p) < 0)
                return 1;
            mv_ssize off = (unsigned char *)p - slots[k].base;
            if (x.u != pattern_byte(slots[k].seed, off))
                bad++;
        }
    } else if (v->ndim == 2) {
        for (mv_ssize i = 0; i < v->shape[0]; i++)
            for (mv_ssize j = 0; j < v->shape[1]; j++) {
                mv_ssize idx[2] = {i, j};
                mv_value x;
                if (mv_view_getn(v, idx, 2, &x) < 0)
                    return 1;
                mv_ssize off =
                    (unsigned char *)tu_item_addr(v, idx) - slots[k].base;
                if (x.u != pattern_byte(slots[k].seed, off))
                    bad++;
            }
    }
    return bad;
}

static int free_index(struct worker *w) {
    for (int i = 0; i < HELD; i++)
        if (w->h[i].slot < 0)
            return i;
    return -1;
}

static int used_index(struct worker *w) {
    int i = (int)tu_range(&w->rng, 0, HELD - 1);
    for (int n = 0; n < HELD; n++, i = (i + 1) % HELD)
        if (w->h[i].slot >= 0)
            return i;
    return -1;
}

static void worker_release(struct worker *w, int i) {
    if (mv_view_release(&w->h[i].v) < 0)
        FAILED(w);
    w->h[i].slot = -1;
    w->released++;
}

static void one_op(struct worker *w) {
    int f = free_index(w);
    int u = used_index(w);
    int k = (int)tu_range(&w->rng, 0, NOWNERS - 1);
    if (u < 0 && w->own_only)
        return; /* nothing held, and the shared views are gone */
    /* A source held by this worker, or else a shared view. */
    const mv_view *src = u >= 0 ? &w->h[u].v : &slots[k].shared;
    int sk = u >= 0 ? w->h[u].slot : k;
    const mv_view *shared = w->own_only ? src : &slots[k].shared;
    int rc = MV_OK;
    int op = (int)tu_range(&w->rng, 0, 9);
    if (f < 0) /* full: release one */
        op = 9;
    w->ops++;
    switch (op) {
    case 0: /* a new view of a shared view: concurrent increfs */
        rc = mv_view_new(&w->h[f].v, shared);
        if (!w->own_only)
            sk = k;
        break;
    case 1: { /* a slice of a held or shared view */
        mv_ssize step = tu_range(&w->rng, -3, 3);
        if (step == 0)
            step = 1;
        rc = mv_view_slice(&w->h[f].v, src, tu_range(&w->rng, -8, 8),
                           tu_range(&w->rng, -8, 100), step);
        break;
    }
    case 2: { /* borrowed, then a counted view made from the borrow */
        mv_view b;
        rc = mv_view_borrow(&b, src);
        if (rc == MV_OK) {
            w->reads++;
            if (check_items(&b, sk))
                FAILED(w);
            rc = mv_view_new(&w->h[f].v, &b);
            if (mv_view_release(&b) < 0)
                FAILED(w);
        }
        break;
    }
    case 3: rc = mv_view_readonly(&w->h[f].v, src); break;
    case 4: /* a view of the owner, through a reference this thread holds */
        if (u < 0) {
            rc = mv_view_new(&w->h[f].v, src);
        } else {
            rc = mv_view_from_owner(&w->h[f].v, src->owner);
            sk = slot_of(&w->h[f].v);
        }
        break;
    case 5: /* a sub-view of a 2-D view, or a copy of a 1-D one */
        if (src->ndim == 2 && src->shape[0] > 0)
            rc = mv_view_subview(&w->h[f].v, src,
                                 tu_range(&w->rng, 0, src->shape[0] - 1));
        else
            rc = mv_view_new(&w->h[f].v, src);
        break;
    case 6: /* narrow a held view in place */
        if (u >= 0 && w->h[u].v.ndim == 1 &&
            mv_view_narrow(&w->h[u].v, 1, MV_END, 1) < 0)
            FAILED(w);
        return;
    case 7: /* read a held or shared view */
    case 8:
        w->reads++;
        if (check_items(src, sk))
            FAILED(w);
        return;
    default:
        if (u >= 0)
            worker_release(w, u);
        return;
    }
    if (rc < 0) {
        FAILED(w);
        return;
    }
    w->h[f].slot = sk;
    w->made++;
}

static void *worker_main(void *arg) {
    struct worker *w = arg;
    for (int i = 0; i < HELD; i++)
        w->h[i].slot = -1;
    /* Start from the views main made for this worker. */
    for (int k = 0; k < NOWNERS && k < HELD; k++) {
        mv_view_move(&w->h[k].v, &w->first[k]);
        w->h[k].slot = k;
    }
    pthread_barrier_wait(&start);
    for (int i = 0; i < OPS; i++)
        one_op(w);
    /* Release what is left in an order of this thread's choosing. */
    for (int n = used_index(w); n >= 0; n = used_index(w))
        worker_release(w, n);
    return NULL;
}

static void make_owners(int round) {
    for (int k = 0; k < NOWNERS; k++) {
        struct owner_slot *s = &slots[k];
        s->seed = (unsigned)(round * NOWNERS + k);
        s->len = OWNER_LEN;
        s->wrapped = k < 8;
        atomic_init(&s->releases, 0);
        atomic_init(&s->bad_release, 0);
        unsigned char tmp[OWNER_LEN];
        for (mv_ssize i = 0; i < OWNER_LEN; i++)
            tmp[i] = pattern_byte(s->seed, i);
        if (s->wrapped) {
            unsigned char *data = malloc(OWNER_LEN);
            assert_non_null(data);
            memcpy(data, tmp, OWNER_LEN);
            CHECK_OK(
                mv_owner_wrap(&s->o, data, OWNER_LEN, k % 2, release_frame, s));
        } else if (k < 10) {
            CHECK_OK(mv_owner_copy(&s->o, tmp, OWNER_LEN));
        } else {
            CHECK_OK(mv_owner_new_bytes(&s->o, OWNER_LEN));
            memcpy(mv_owner_data(s->o), tmp, OWNER_LEN);
        }
        s->base = mv_owner_data(s->o);
        /* A quarter of the shared views have a record format (whose
         * compiled form the views share and count), a quarter are 2-D (8
         * rows of 12, for sub-views), the others 1-D bytes. */
        if (k % 4 == 3) {
            mv_ssize shape[1] = {OWNER_LEN / 6};
            tu_layout_view(&s->shared, s->o, s->base, OWNER_LEN, "<hI", 6, 1,
                           shape, NULL, NULL, 0);
        } else if (k % 2) {
            mv_ssize shape[2] = {8, 12};
            tu_layout_view(&s->shared, s->o, s->base, OWNER_LEN, "B", 1, 2,
                           shape, NULL, NULL, 0);
        } else {
            CHECK_OK(mv_view_from_owner(&s->shared, s->o));
        }
    }
}

static void test_threads_share_owners(void **state) {
    (void)state;
    static struct worker w[NTHREADS];
    long ops = 0, made = 0, reads = 0;
    for (int round = 0; round < ROUNDS; round++) {
        make_owners(round);
        assert_int_equal(pthread_barrier_init(&start, NULL, NTHREADS + 1), 0);
        pthread_t t[NTHREADS];
        for (int i = 0; i < NTHREADS; i++) {
            memset(&w[i], 0, sizeof w[i]);
            w[i].id = i;
            w[i].rng = 0x9e3779b97f4a7c15ull * (uint64_t)(round * 64 + i + 1);
            for (int k = 0; k < NOWNERS; k++)
                CHECK_OK(mv_view_new(&w[i].first[k], &slots[k].shared));
            assert_int_equal(pthread_create(&t[i], NULL, worker_main, &w[i]),
                             0);
        }
        /* The creator's handles go before the workers start: from now on
         * only views keep the owners alive. */
        for (int k = 0; k < NOWNERS; k++)
            mv_owner_release(slots[k].o);
        pthread_barrier_wait(&start);
        for (int i = 0; i < NTHREADS; i++)
            assert_int_equal(pthread_join(t[i], NULL), 0);
        for (int i = 0; i < NTHREADS; i++) {
            if (w[i].failures)
                fail_msg("worker %d: %ld failures, the last at line %d (%s)", i,
                         w[i].failures, w[i].fail_line, w[i].fail_msg);
            CHECK_EQ(w[i].made + NOWNERS, w[i].released);
            ops += w[i].ops;
            made += w[i].made;
            reads += w[i].reads;
        }
        assert_int_equal(pthread_barrier_destroy(&start), 0);
        /* Only the shared views are left: each owner is still alive, and
         * has exactly one view. */
        for (int k = 0; k < NOWNERS; k++) {
            CHECK_EQ(atomic_load(&slots[k].releases), 0);
            CHECK_EQ(mv_owner_exports(slots[k].o), 1);
            CHECK_OK(mv_view_release(&slots[k].shared));
            CHECK_EQ(atomic_load(&slots[k].releases), slots[k].wrapped);
            CHECK_EQ(atomic_load(&slots[k].bad_release), 0);
        }
    }
    print_message("threads: %d threads x %d rounds x %d operations: %ld "
                  "operations, %ld views made and released, %ld reads\n",
                  NTHREADS, ROUNDS, OPS, ops, made, reads);
    CHECK_TRUE(made > NTHREADS * ROUNDS * OPS / 4);
}

/* The last release on a worker thread: main keeps no view, so the callback
 * runs on whichever worker releases last. */
static void test_threads_last_release_runs_callback_once(void **state) {
    (void)state;
    static struct worker w[NTHREADS];
    for (int round = 0; round < ROUNDS; round++) {
        make_owners(round + ROUNDS);
        assert_int_equal(pthread_barrier_init(&start, NULL, NTHREADS + 1), 0);
        pthread_t t[NTHREADS];
        for (int i = 0; i < NTHREADS; i++) {
            memset(&w[i], 0, sizeof w[i]);
            w[i].rng = 0x2545f4914f6cdd1dull * (uint64_t)(round * 64 + i + 1);
            for (int k = 0; k < NOWNERS; k++)
                CHECK_OK(mv_view_new(&w[i].first[k], &slots[k].shared));
        }
        for (int k = 0; k < NOWNERS; k++) {
            mv_owner_release(slots[k].o);
            CHECK_OK(mv_view_release(&slots[k].shared));
        }
        /* The shared views are gone: the workers use only their own. */
        for (int i = 0; i < NTHREADS; i++) {
            w[i].own_only = 1;
            assert_int_equal(pthread_create(&t[i], NULL, worker_main, &w[i]),
                             0);
        }
        pthread_barrier_wait(&start);
        for (int i = 0; i < NTHREADS; i++)
            assert_int_equal(pthread_join(t[i], NULL), 0);
        for (int i = 0; i < NTHREADS; i++) {
            if (w[i].failures)
                fail_msg("worker %d: %ld failures, the last at line %d (%s)", i,
                         w[i].failures, w[i].fail_line, w[i].fail_msg);
        }
        assert_int_equal(pthread_barrier_destroy(&start), 0);
        for (int k = 0; k < NOWNERS; k++) {
            CHECK_EQ(atomic_load(&slots[k].releases), slots[k].wrapped);
            CHECK_EQ(atomic_load(&slots[k].bad_release), 0);
        }
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threads_share_owners),
        cmocka_unit_test(test_threads_last_release_runs_callback_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
