/*
 * error.c -- status codes and this thread's last message.
 *
 * A failing call records its message in thread-local storage and returns
 * its status; nothing is allocated, so recording an error cannot fail.
 * Messages longer than the buffer are cut, never overrun.
 */
#include "internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#define MSG_SIZE 512

static _Thread_local char last_msg[MSG_SIZE];
static _Thread_local int last_errno;

static const struct {
    const char *name;
    const char *text;
} kinds[] = {
    {"OK", "success"},
    {"IndexError", "index out of range"},
    {"TypeError", "operation on a value of the wrong type"},
    {"ValueError", "value out of range or malformed"},
    {"NotImplementedError", "operation not implemented"},
    {"BufferError", "buffer is exported or unsuitable"},
    {"MemoryError", "out of memory"},
    {"OverflowError", "size or index too large"},
    {"OSError", "operating system error"},
};

#define NKINDS ((int)(sizeof kinds / sizeof kinds[0]))

static int kind_index(int status) {
    return (status <= 0 && status > -NKINDS) ? -status : -1;
}

const char *mv_err_name(int status) {
    int i = kind_index(status);
    return i < 0 ? "UnknownError" : kinds[i].name;
}

const char *mv_strerror(int status) {
    int i = kind_index(status);
    return i < 0 ? "unknown error" : kinds[i].text;
}

const char *mv_errmsg(void) { return last_msg; }

int mv_errno(void) { return last_errno; }

int mv_error(int status, const char *fmt, ...) {
    int saved = errno;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_msg, sizeof last_msg, fmt, ap);
    va_end(ap);
    if (status == MV_EOS)
        last_errno = saved;
    errno = saved;
    return status;
}
