/*
 * mapopt.c -- the map options of every file command, and opening the
 * range they select.
 *
 * --offset N and --length N select bytes [N, N + length) of the file, as
 * a slice does: a negative offset counts from the end, and both ends are
 * clamped to the file, so a range past the end is empty rather than an
 * error (as data[offset:offset + length] is in Python).
 */
#include "cli.h"

void cli_range(const cli_args *a, mv_ssize size, mv_ssize *start,
               mv_ssize *stop) {
    mv_ssize off = a->offset;
    if (off < 0)
        off = off < -size ? 0 : off + size;
    if (off > size)
        off = size;
    mv_ssize end = size;
    if (a->length >= 0 && a->length < size - off)
        end = off + a->length;
    *start = off;
    *stop = end;
}

int cli_open(const cli_args *a, const char *path, mv_view *v) {
    mv_owner *o;
    mv_view whole;
    mv_ssize start, stop;
    int rc = mv_owner_map(&o, path, 0);
    if (rc < 0)
        return cli_fail(rc);
    rc = mv_view_from_owner(&whole, o);
    mv_owner_release(o); /* the view holds the mapping from here on */
    if (rc < 0)
        return cli_fail(rc);
    cli_range(a, whole.len, &start, &stop);
    rc = mv_view_slice(v, &whole, start, stop, 1);
    mv_view_release(&whole);
    if (rc < 0)
        return cli_fail(rc);
    return 0;
}
