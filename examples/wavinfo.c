/*
 * wavinfo.c -- read a binary file's header with a struct format.
 *
 * The 44-byte header of a WAV file is described once, as Python's struct
 * module and PEP 3118 would describe it: a record of named, little-endian
 * fields. The file is mapped, not read; a view of its first bytes has the
 * record as its item format, and each field is read by name, straight from
 * the mapped bytes (no copy, byte order handled).
 *
 *     cc wavinfo.c $(pkg-config --cflags --libs memview)
 */
#define _POSIX_C_SOURCE 200809L /* mkstemp */
#include <memview.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The canonical WAV header: RIFF chunk, "fmt " chunk, "data" chunk. */
static const char WAV_HEADER[] = "T{<4s:riff:I:riff_size:4s:wave:"
                                 "4s:fmt:I:fmt_size:H:audio_format:"
                                 "H:channels:I:sample_rate:I:byte_rate:"
                                 "H:block_align:H:bits_per_sample:"
                                 "4s:data:I:data_size:}";

/* Write a small WAV file (0.01 s of 16-bit stereo silence at 8 kHz). */
static int write_wav(const char *path) {
    enum { RATE = 8000, CHANNELS = 2, BITS = 16, FRAMES = 80 };
    uint32_t data_size = FRAMES * CHANNELS * BITS / 8;
    unsigned char h[44];
    memcpy(h, "RIFF", 4);
    uint32_t riff_size = 36 + data_size;
    for (int i = 0; i < 4; i++)
        h[4 + i] = (unsigned char)(riff_size >> (8 * i));
    memcpy(h + 8, "WAVEfmt ", 8);
    const unsigned char fmt[20] = {16,
                                   0,
                                   0,
                                   0, /* fmt chunk size */
                                   1,
                                   0, /* PCM */
                                   CHANNELS,
                                   0, /* channels */
                                   RATE & 0xff,
                                   RATE >> 8,
                                   0,
                                   0, /* sample rate */
                                   (RATE * 4) & 0xff,
                                   ((RATE * 4) >> 8) & 0xff,
                                   0,
                                   0, /* byte rate */
                                   4,
                                   0, /* block align */
                                   BITS,
                                   0}; /* bits per sample */
    memcpy(h + 16, fmt, 20);
    memcpy(h + 36, "data", 4);
    for (int i = 0; i < 4; i++)
        h[40 + i] = (unsigned char)(data_size >> (8 * i));
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    int ok = fwrite(h, 1, sizeof h, f) == sizeof h;
    for (uint32_t i = 0; ok && i < data_size; i++)
        ok = fputc(0, f) != EOF;
    return fclose(f) == 0 && ok ? 0 : -1;
}

/* Print field name of the record at item. */
static int show(const mv_format *rec, const char *item, const char *name) {
    int i = mv_format_field_index(rec, name);
    if (i < 0) {
        fprintf(stderr, "no field %s\n", name);
        return -1;
    }
    mv_value x;
    if (mv_field_get(&rec->fields[i], item, 0, &x) < 0)
        return -1;
    if (x.type == MV_VAL_BYTES)
        printf("%-16s b'%.*s'\n", name, (int)x.s.len, x.s.ptr);
    else
        printf("%-16s %llu\n", name, (unsigned long long)x.u);
    return 0;
}

int main(void) {
    char path[] = "/tmp/memview-wavinfo-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0 || close(fd) < 0 || write_wav(path) < 0) {
        perror("wavinfo: temporary file");
        return 1;
    }

    mv_owner *o;
    int rc = mv_owner_map(&o, path, 0);
    remove(path); /* the mapping keeps the bytes */
    if (rc < 0) {
        fprintf(stderr, "wavinfo: %s\n", mv_errmsg());
        return 1;
    }
    printf("file: %td bytes\n", mv_owner_size(o));

    /* One item of the header's format, at the start of the file. */
    mv_ssize one = 1;
    mv_layout l = {.buf = mv_owner_data(o),
                   .nbytes = 44,
                   .itemsize = 44,
                   .format = WAV_HEADER,
                   .ndim = 1,
                   .shape = &one};
    mv_view header;
    rc = mv_view_from_layout(&header, o, &l);
    mv_owner_release(o);
    if (rc < 0) {
        fprintf(stderr, "wavinfo: %s\n", mv_errmsg());
        return 1;
    }
    const mv_format *f = header.fmtdesc;
    printf("format: %td bytes, %d record of %d fields\n", f->itemsize,
           f->nfields, f->fields[0].sub->nfields);

    const mv_format *rec = f->fields[0].sub;
    static const char *const names[] = {
        "riff",        "riff_size",       "wave",     "channels",
        "sample_rate", "bits_per_sample", "data_size"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (show(rec, header.buf, names[i]) < 0) {
            fprintf(stderr, "wavinfo: %s\n", mv_errmsg());
            return 1;
        }
    mv_view_release(&header);
    return 0;
}
