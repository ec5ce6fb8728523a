/*
 * test_fault.c -- a file that shrinks under a mapping: every guarded bulk
 * operation fails with MV_EOS and a clear message, in a child process
 * that must exit normally (a signal death fails the test), and never
 * answers wrongly. A plain pointer read is not guarded, and still dies.
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#define _FILE_OFFSET_BITS 64
#include "test_util.h"

#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[] = "/tmp/memview-fault-XXXXXX";
static char path[256];

#define SIZE (16 * 4096)

enum {
    OP_TOBYTES,
    OP_TOBYTES_STRIDED,
    OP_TOBYTES_INTO,
    OP_HEX,
    OP_HEX_STRIDED,
    OP_EQUAL,
    OP_EQUAL_OTHER_FIRST,
    OP_EQUAL_TAIL,
    OP_EQUAL_TYPED,
    OP_ASSIGN,
    OP_COUNT,
    OP_COUNT_TYPED,
    OP_FIND,
    OP_FIND_TYPED,
    OP_HASH,
    OP_HASH_STRIDED,
    OP_STATS,
    OP_STATS_TYPED,
    OP_STATS_COMPLEX,
    NOPS
};

static void make_file(void) {
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    static char data[SIZE];
    memset(data, 'a', sizeof data);
    assert_int_equal(write(fd, data, sizeof data), SIZE);
    close(fd);
}

/* The operation op on a view of the whole mapping; its status. */
static int run_op(int op, mv_view *v, mv_view *other) {
    void *bytes = NULL;
    static char buf[SIZE];
    char *text = NULL;
    mv_ssize n;
    int eq, rc;
    int64_t h;
    mv_stats st, st2;
    mv_view part, typed;
    mv_value a = {.type = MV_VAL_UINT, .u = 'b'};
    mv_value ai = {.type = MV_VAL_INT, .i = 7};

    switch (op) {
    case OP_TOBYTES: rc = mv_view_tobytes(v, &bytes, MV_ORDER_C); break;
    case OP_TOBYTES_STRIDED:
        if ((rc = mv_view_slice(&part, v, 0, MV_END, 3)) < 0)
            return rc;
        rc = mv_view_tobytes(&part, &bytes, MV_ORDER_C);
        mv_view_release(&part);
        break;
    case OP_TOBYTES_INTO:
        rc = mv_view_tobytes_into(v, buf, SIZE, MV_ORDER_C);
        break;
    case OP_HEX: rc = mv_view_hex(v, MV_HEX_NOSEP, 0, &text, NULL); break;
    case OP_HEX_STRIDED:
        if ((rc = mv_view_slice(&part, v, 0, MV_END, 2)) < 0)
            return rc;
        rc = mv_view_hex(&part, ':', 2, &text, NULL);
        mv_view_release(&part);
        break;
    case OP_EQUAL: rc = mv_view_equal(v, other, &eq); break;
    case OP_EQUAL_OTHER_FIRST: rc = mv_view_equal(other, v, &eq); break;
    case OP_EQUAL_TAIL:
        /* bytes of the last page, past a cut inside it: they read as
         * zeros (no fault); the file is asked afterwards */
        if ((rc = mv_view_slice(&part, v, 5 * 4096 + 150, 5 * 4096 + 250, 1)) <
            0)
            return rc;
        if ((rc = mv_view_slice(&typed, other, 0, 100, 1)) < 0)
            return rc;
        rc = mv_view_equal(&typed, &part, &eq);
        mv_view_release(&part);
        mv_view_release(&typed);
        break;
    case OP_EQUAL_TYPED:
        if ((rc = mv_view_cast(&typed, v, "d", NULL, -1)) < 0)
            return rc;
        if ((rc = mv_view_cast(&part, other, "d", NULL, -1)) < 0)
            return rc;
        rc = mv_view_equal(&typed, &part, &eq);
        mv_view_release(&typed);
        mv_view_release(&part);
        break;
    case OP_ASSIGN: rc = mv_view_assign(other, v); break;
    case OP_COUNT: rc = mv_view_count(v, &a, &n); break;
    case OP_FIND: rc = mv_view_index(v, &a, 0, MV_END, &n); break;
    case OP_COUNT_TYPED:
    case OP_FIND_TYPED:
        if ((rc = mv_view_cast(&typed, v, "i", NULL, -1)) < 0)
            return rc;
        rc = op == OP_COUNT_TYPED ? mv_view_count(&typed, &ai, &n)
                                  : mv_view_index(&typed, &ai, 0, MV_END, &n);
        mv_view_release(&typed);
        break;
    case OP_HASH: rc = mv_view_hash(v, NULL, NULL, &h); break;
    case OP_HASH_STRIDED:
        if ((rc = mv_view_slice(&part, v, 0, MV_END, 2)) < 0)
            return rc;
        rc = mv_view_hash(&part, NULL, NULL, &h);
        mv_view_release(&part);
        break;
    case OP_STATS: rc = mv_view_stats(v, &st); break;
    case OP_STATS_TYPED:
        if ((rc = mv_view_cast(&typed, v, "d", NULL, -1)) < 0)
            return rc;
        rc = mv_view_stats(&typed, &st);
        mv_view_release(&typed);
        break;
    case OP_STATS_COMPLEX:
        if ((rc = mv_view_cast(&typed, v, "Zd", NULL, -1)) < 0)
            return rc;
        rc = mv_view_stats_complex(&typed, &st, &st2);
        mv_view_release(&typed);
        break;
    default: rc = MV_OK;
    }
    mv_free(bytes);
    mv_free(text);
    return rc;
}

/* Child: map the file, shrink it to keep bytes, run op; exit 0 when the
 * op failed with MV_EOS and the shrink message, 3 when it succeeded, 4 on
 * any other status. */
static void child(int op, mv_ssize keep) {
    mv_owner *o, *w;
    mv_view v, other;
    if (mv_owner_map_range(&o, path, 0, -1, 0) < 0)
        _exit(5);
    if (mv_owner_new_bytes(&w, SIZE) < 0)
        _exit(5);
    mv_view_from_owner(&v, o);
    mv_view_from_owner(&other, w);
    int fd = open(path, O_RDWR);
    if (fd < 0 || ftruncate(fd, keep) < 0)
        _exit(6);
    close(fd);
    int rc = run_op(op, &v, &other);
    int shrank = rc == MV_EOS && strstr(mv_errmsg(), "shrank under the view");
    mv_view_release(&v);
    mv_view_release(&other);
    mv_owner_release(o);
    mv_owner_release(w);
    /* exit, not _exit, so that coverage data is written; nothing leaks */
    exit(shrank ? 0 : rc == MV_OK ? 3 : 4);
}

static void check_op(int op, mv_ssize keep) {
    make_file();
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        child(op, keep);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (WIFSIGNALED(status))
        fail_msg("op %d (file cut to %td bytes): child died of signal %d", op,
                 keep, WTERMSIG(status));
    if (WEXITSTATUS(status) != 0)
        fail_msg("op %d (file cut to %td bytes): child exit %d", op, keep,
                 WEXITSTATUS(status));
}

/* ---- whether this system reports a SIGBUS where it happened ----------
 *
 * The guard recognises its faults by the address the kernel reports
 * (si_addr). qemu-user 7.2 for s390x hands the handler that address with
 * its two 32-bit halves swapped, so no guard can recognise it there; the
 * tests that need a real SIGBUS ask the system first and say why they
 * skip. */

static sigjmp_buf probe_jmp;
static void *volatile probe_addr;

static void probe_handler(int sig, siginfo_t *info, void *uctx) {
    (void)sig, (void)uctx;
    probe_addr = info->si_addr;
    siglongjmp(probe_jmp, 1);
}

static bool sigbus_address_right(void) {
    make_file();
    int fd = open(path, O_RDWR);
    assert_true(fd >= 0);
    char *p = mmap(NULL, SIZE, PROT_READ, MAP_SHARED, fd, 0);
    assert_true(p != MAP_FAILED);
    assert_int_equal(ftruncate(fd, 0), 0);
    close(fd);
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = probe_handler;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGBUS, &sa, &old);
    const volatile char *at = p + 3 * 4096 + 8;
    probe_addr = NULL;
    if (sigsetjmp(probe_jmp, 1) == 0)
        (void)*at;
    sigaction(SIGBUS, &old, NULL);
    munmap(p, SIZE);
    /* s390 reports the page of the fault, other systems the byte */
    uintptr_t got = (uintptr_t)probe_addr, want = (uintptr_t)at;
    return got == want || got == (want & ~(uintptr_t)4095);
}

static void skip_unless_sigbus_address_right(void) {
    if (!sigbus_address_right()) {
        print_message("SKIPPED: this system reports a SIGBUS at an address "
                      "other than the faulting one (qemu-user 7.2 for s390x "
                      "swaps its 32-bit halves), so no guard can tell its "
                      "faults there\n");
        skip();
    }
}

/* Every bulk operation, the file cut to nothing, to a page boundary and
 * inside a page (whose tail then reads as zeros instead of faulting). */
static void test_shrink_gives_error(void **state) {
    (void)state;
    skip_unless_sigbus_address_right();
    const mv_ssize keeps[] = {0, 4096, 5 * 4096 + 100};
    for (int op = 0; op < NOPS; op++)
        for (size_t k = 0; k < sizeof keeps / sizeof keeps[0]; k++)
            check_op(op, keeps[k]);
}

/* The same operations on an intact file succeed (the harness can tell). */
static void test_intact_file_succeeds(void **state) {
    (void)state;
    make_file();
    for (int op = 0; op < NOPS; op++) {
        mv_owner *o, *w;
        mv_view v, other;
        CHECK_OK(mv_owner_map_range(&o, path, 0, -1, 0));
        CHECK_OK(mv_owner_new_bytes(&w, SIZE));
        CHECK_OK(mv_view_from_owner(&v, o));
        CHECK_OK(mv_view_from_owner(&other, w));
        mv_owner_release(o);
        mv_owner_release(w);
        int rc = run_op(op, &v, &other);
        /* find of an absent value is ValueError; all else succeeds */
        if (op == OP_FIND || op == OP_FIND_TYPED)
            CHECK_STATUS(rc, MV_EVALUE);
        else
            CHECK_OK(rc);
        CHECK_OK(mv_view_release(&v));
        CHECK_OK(mv_view_release(&other));
    }
}

/* Outside a guarded operation a fault is what it always was. Run in a
 * fresh process (this program again, exec'd), so that the handler before
 * memview's is the default rather than the test framework's. */
static const char *self;

/* In the child of a fork: become this program again, with up to three
 * arguments (NULL ends them early). A cross-compiled test runs under an
 * emulator, and a foreign binary cannot be exec'd by itself: the emulator
 * ctest runs this one with (MEMVIEW_TEST_EMULATOR, its words separated by
 * spaces, e.g. "qemu-aarch64 -L /") comes first. Returns only when the
 * exec failed. */
static void exec_self(const char *a1, const char *a2, const char *a3) {
    enum { MAX_WORDS = 16 };
    char *argv[MAX_WORDS + 5];
    char words[512];
    int n = 0;
    const char *emu = getenv("MEMVIEW_TEST_EMULATOR");
    if (emu && strlen(emu) < sizeof words) {
        strcpy(words, emu);
        for (char *w = strtok(words, " "); w && n < MAX_WORDS;
             w = strtok(NULL, " "))
            argv[n++] = w;
    }
    int emulated = n > 0;
    argv[n++] = (char *)self;
    const char *args[] = {a1, a2, a3};
    for (int i = 0; i < 3 && args[i]; i++)
        argv[n++] = (char *)args[i];
    argv[n] = NULL;
    if (emulated)
        execvp(argv[0], argv); /* the emulator is found on PATH */
    else
        execv(argv[0], argv);
}

/* The handler that was there before memview's: it is called for a fault
 * outside a guarded operation. */
static void earlier_info(int sig, siginfo_t *info, void *uctx) {
    (void)sig, (void)info, (void)uctx;
    exit(42);
}

static void earlier_plain(int sig) {
    (void)sig;
    exit(43);
}

static int plain_read_child(const char *file, const char *earlier) {
    if (strcmp(earlier, "none") != 0) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        if (strcmp(earlier, "info") == 0) {
            sa.sa_sigaction = earlier_info;
            sa.sa_flags = SA_SIGINFO;
        } else {
            sa.sa_handler = earlier_plain;
        }
        sigaction(SIGBUS, &sa, NULL);
    }
    mv_owner *o;
    mv_view v;
    mv_value x = {.type = MV_VAL_UINT, .u = 'a'};
    mv_ssize n;
    if (mv_owner_map_range(&o, file, 0, -1, 0) < 0)
        return 5;
    mv_view_from_owner(&v, o);
    /* Install the guard's handler with one guarded call first. */
    if (mv_view_count(&v, &x, &n) < 0 || n != SIZE)
        return 6;
    int fd = open(file, O_RDWR);
    if (fd < 0 || ftruncate(fd, 0) < 0)
        return 6;
    volatile char c = v.buf[SIZE - 1];
    (void)c;
    return 0;
}

static int run_plain_read(const char *earlier) {
    make_file();
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        exec_self("plain-read", path, earlier);
        _exit(7);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return status;
}

static void test_plain_read_goes_to_earlier_handler(void **state) {
    (void)state;
    int status = run_plain_read("info");
    CHECK_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 42);
    status = run_plain_read("plain");
    CHECK_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 43);
}

static void test_plain_read_not_guarded(void **state) {
    (void)state;
    int status = run_plain_read("none");
    /* Killed by SIGBUS, or (under a sanitizer that reports it) exited
     * with an error: never carried on. */
    if (WIFEXITED(status) && WEXITSTATUS(status) >= 5)
        fail_msg("child could not run: exit %d", WEXITSTATUS(status));
    CHECK_TRUE(WIFSIGNALED(status) ? WTERMSIG(status) == SIGBUS
                                   : WEXITSTATUS(status) != 0);
}

/* Memory mapped by someone else, marked guarded (as the Python adapter
 * marks mmap.mmap), and a wrapper of a memview mapping guarded as it. */
static int foreign_child(const char *file) {
    int fd = open(file, O_RDWR);
    char *m = mmap(NULL, SIZE, PROT_READ, MAP_SHARED, fd, 0);
    mv_owner *o, *mapped, *inner;
    mv_view v, w, part;
    void *bytes = NULL;
    if (fd < 0 || m == MAP_FAILED ||
        mv_owner_wrap(&o, m, SIZE, 1, NULL, NULL) < 0 ||
        mv_owner_map_range(&mapped, file, 0, -1, 0) < 0 ||
        mv_owner_wrap(&inner, mv_owner_data(mapped), SIZE, 1, NULL, NULL) < 0)
        return 5;
    mv_owner_set_guarded(o);
    mv_owner_guard_as(inner, mapped);
    if (!mv_owner_guarded(o) || !mv_owner_guarded(inner) ||
        mv_owner_is_mapped(o) || !mv_owner_is_mapped(mapped))
        return 6;
    mv_view_from_owner(&v, o);
    mv_view_from_owner(&w, inner);
    if (ftruncate(fd, 4096 + 100) < 0)
        return 6;
    /* a fault: the generic message (no file to ask) */
    int rc1 = mv_view_tobytes(&v, &bytes, MV_ORDER_C);
    int ok1 = rc1 == MV_EOS && strstr(mv_errmsg(), "bus error");
    /* no fault inside the second page, but the file is asked */
    mv_view_slice(&part, &w, 4096, 4096 + 200, 1);
    int rc2 = mv_view_tobytes(&part, &bytes, MV_ORDER_C);
    int ok2 = rc2 == MV_EOS && strstr(mv_errmsg(), "now 4196 bytes");
    mv_view_release(&part);
    mv_view_release(&v);
    mv_view_release(&w);
    mv_owner_release(o);
    mv_owner_release(inner);
    mv_owner_release(mapped);
    munmap(m, SIZE);
    close(fd);
    return ok1 && ok2 ? 0 : 3;
}

/* Memory mapped by someone else, marked guarded (as the Python adapter
 * marks mmap.mmap), and a wrapper of a memview mapping guarded as it; in
 * a fresh process, whose fault handlers the test framework has not
 * replaced. */
static void test_foreign_mapping_guarded(void **state) {
    (void)state;
    skip_unless_sigbus_address_right();
    make_file();
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        exec_self("foreign", path, NULL);
        _exit(7);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    CHECK_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* ---- faults that are not the guarded owners' ---- */

enum { PAGE = 4096 };

/* Three pages: the middle one guarded (as the Python adapter marks a
 * foreign mapping), the outer ones unreadable. */
static char *three_pages(mv_owner **o, mv_view *v) {
    char *p = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED || mprotect(p, PAGE, PROT_NONE) < 0 ||
        mprotect(p + 2 * PAGE, PAGE, PROT_NONE) < 0)
        _exit(5);
    memset(p + PAGE, 'a', PAGE);
    if (mv_owner_wrap(o, p + PAGE, PAGE, 1, NULL, NULL) < 0)
        _exit(5);
    mv_owner_set_guarded(*o);
    mv_view_from_owner(v, *o);
    return p;
}

/* A hash function (caller code, run inside the guarded region) that
 * reads the byte at ctx. */
static int reading_hash(void *ctx, const void *data, mv_ssize len,
                        int64_t *out) {
    (void)data, (void)len;
    *out = *(volatile const char *)ctx;
    return MV_OK;
}

/* Earlier handlers that mend the fault (make the page readable) and
 * return: the read is retried, and succeeds. */
static char *mend_page;
static void mend_info(int sig, siginfo_t *info, void *uctx) {
    (void)sig, (void)uctx;
    char *page = (char *)((uintptr_t)info->si_addr & ~(uintptr_t)(PAGE - 1));
    if (mprotect(page, PAGE, PROT_READ) < 0)
        _exit(8);
}
static void mend_plain(int sig) {
    (void)sig;
    if (mprotect(mend_page, PAGE, PROT_READ) < 0)
        _exit(8);
}

/* Exec'd child: a fault below or above the guarded page, inside a guarded
 * operation, goes to the handler that was there before memview's
 * ("info": exit 42, "plain": exit 43; "mend-info", "mend-plain": they
 * return and the operation completes, exit 0) or, when that was the
 * default or "ignore", kills the process with the signal. */
static int outside_child(const char *where, const char *earlier) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    if (strcmp(earlier, "info") == 0) {
        sa.sa_sigaction = earlier_info;
        sa.sa_flags = SA_SIGINFO;
    } else if (strcmp(earlier, "plain") == 0) {
        sa.sa_handler = earlier_plain;
    } else if (strcmp(earlier, "mend-info") == 0) {
        sa.sa_sigaction = mend_info;
        sa.sa_flags = SA_SIGINFO;
    } else if (strcmp(earlier, "mend-plain") == 0) {
        sa.sa_handler = mend_plain;
    } else if (strcmp(earlier, "ignore") == 0) {
        sa.sa_handler = SIG_IGN;
    } else {
        sa.sa_handler = SIG_DFL;
    }
    sigaction(SIGSEGV, &sa, NULL);
    mv_owner *o;
    mv_view v;
    char *p = three_pages(&o, &v);
    int64_t h;
    char *bad = strcmp(where, "below") == 0 ? p : p + 2 * PAGE;
    mend_page = bad;
    h = -1;
    int rc = mv_view_hash(&v, reading_hash, bad, &h);
    /* reached only when the handler mended the page: it reads as zero */
    mv_view_release(&v);
    mv_owner_release(o);
    return rc == MV_OK && h == 0 ? 0 : 3;
}

static int run_outside(const char *where, const char *earlier) {
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        exec_self("outside", where, earlier);
        _exit(7);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return status;
}

static void test_fault_outside_goes_on(void **state) {
    (void)state;
    const char *wheres[] = {"below", "above"};
    for (int i = 0; i < 2; i++) {
        int st = run_outside(wheres[i], "info");
        CHECK_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 42);
        st = run_outside(wheres[i], "plain");
        CHECK_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 43);
        st = run_outside(wheres[i], "mend-info");
        CHECK_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        st = run_outside(wheres[i], "mend-plain");
        CHECK_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        /* ignored or default: dies of it, or (under a sanitizer that
         * reports it) exits with an error; never carries on */
        for (int k = 0; k < 2; k++) {
            st = run_outside(wheres[i], k ? "ignore" : "default");
            if (WIFEXITED(st) && WEXITSTATUS(st) >= 5)
                fail_msg("child could not run: exit %d", WEXITSTATUS(st));
            CHECK_TRUE(WIFSIGNALED(st) ? WTERMSIG(st) == SIGSEGV
                                       : WEXITSTATUS(st) != 0);
        }
    }
}

/* Child: a segmentation fault inside guarded memory that is no file
 * mapping is an error with the generic message, whichever side of a
 * comparison holds it; exit 0 when both calls said so. */
static int segv_inside_child(void) {
    mv_owner *o, *w;
    mv_view v, other;
    char *p = three_pages(&o, &v);
    if (mprotect(p + PAGE, PAGE, PROT_NONE) < 0 ||
        mv_owner_new_bytes(&w, PAGE) < 0)
        return 5;
    mv_view_from_owner(&other, w);
    const char *msg = "mapped file shrank under the view (segmentation "
                      "fault reading its memory)";
    void *bytes = NULL;
    int eq = -1;
    int ok1 = mv_view_tobytes(&v, &bytes, MV_ORDER_C) == MV_EOS &&
              strcmp(mv_errmsg(), msg) == 0 && bytes == NULL;
    int ok2 = mv_view_equal(&other, &v, &eq) == MV_EOS &&
              strcmp(mv_errmsg(), msg) == 0 && eq == -1;
    mv_view_release(&v);
    mv_view_release(&other);
    mv_owner_release(o);
    mv_owner_release(w);
    return ok1 && ok2 ? 0 : 3;
}

/* In a fresh process (this program again, exec'd), whose fault handlers
 * the test framework has not replaced. */
static void test_segv_inside_guard(void **state) {
    (void)state;
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        exec_self("segv-inside", NULL, NULL);
        _exit(7);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    CHECK_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* A guarded operation that fails by itself (its hash function fails) is
 * that failure: the file is not asked. */
static int failing_hash(void *ctx, const void *data, mv_ssize len,
                        int64_t *out) {
    (void)ctx, (void)data, (void)len, (void)out;
    return mv_error(MV_ETYPE, "unhashable");
}

static void test_guarded_failure_kept(void **state) {
    (void)state;
    make_file();
    mv_owner *o;
    mv_view v;
    CHECK_OK(mv_owner_map_range(&o, path, 0, -1, 0));
    CHECK_OK(mv_view_from_owner(&v, o));
    mv_owner_release(o);
    int64_t h = 7;
    CHECK_ERR(mv_view_hash(&v, failing_hash, NULL, &h), MV_ETYPE, "unhashable");
    CHECK_EQ(h, 7);
    CHECK_OK(mv_view_release(&v));
}

static int setup(void **state) {
    (void)state;
    if (!mkdtemp(dir))
        return -1;
    snprintf(path, sizeof path, "%s/data", dir);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    unlink(path);
    return rmdir(dir);
}

int main(int argc, char **argv) {
    if (argc == 4 && strcmp(argv[1], "plain-read") == 0)
        return plain_read_child(argv[2], argv[3]);
    if (argc == 3 && strcmp(argv[1], "foreign") == 0)
        return foreign_child(argv[2]);
    if (argc == 2 && strcmp(argv[1], "segv-inside") == 0)
        return segv_inside_child();
    if (argc == 4 && strcmp(argv[1], "outside") == 0)
        return outside_child(argv[2], argv[3]);
    self = argv[0];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shrink_gives_error),
        cmocka_unit_test(test_intact_file_succeeds),
        cmocka_unit_test(test_plain_read_not_guarded),
        cmocka_unit_test(test_plain_read_goes_to_earlier_handler),
        cmocka_unit_test(test_foreign_mapping_guarded),
        cmocka_unit_test(test_fault_outside_goes_on),
        cmocka_unit_test(test_segv_inside_guard),
        cmocka_unit_test(test_guarded_failure_kept),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
