/*
 * wavinfo.c -- read a binary file's header with a struct format.
 *
 * The 44-byte header of a WAV file is described once, as Python's struct
 * module and PEP 3118 would describe it: a record of named, little-endian
 * fields. The file is mapped, not read; a view of its first bytes has the
 * record as its item format. Each field is looked up by name once
 * (mv_view_field) and then read straight from the mapped bytes
 * (mv_view_get_field: no copy, no allocation, byte order handled).
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

/* Store v as n little-endian bytes at p. */
static void put_le(unsigned char *p, uint32_t v, int n) {
    for (int i = 0; i < n; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

/* Write a small WAV file (0.01 s of 16-bit stereo silence at 8 kHz). */
static int write_wav(const char *path) {
    enum { RATE = 8000, CHANNELS = 2, BITS = 16, FRAMES = 80 };
    const uint32_t block = CHANNELS * BITS / 8;
    const uint32_t data_size = FRAMES * block;
    unsigned char h[44];
    memcpy(h, "RIFF", 4);
    put_le(h + 4, 36 + data_size, 4);
    memcpy(h + 8, "WAVEfmt ", 8);
    put_le(h + 16, 16, 4); /* size of the fmt chunk */
    put_le(h + 20, 1, 2);  /* PCM */
    put_le(h + 22, CHANNELS, 2);
    put_le(h + 24, RATE, 4);
    put_le(h + 28, RATE * block, 4); /* bytes per second */
    put_le(h + 32, block, 2);        /* bytes per frame */
    put_le(h + 34, BITS, 2);
    memcpy(h + 36, "data", 4);
    put_le(h + 40, data_size, 4);
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    int ok = fwrite(h, 1, sizeof h, f) == sizeof h;
    for (uint32_t i = 0; ok && i < data_size; i++)
        ok = fputc(0, f) != EOF;
    return fclose(f) == 0 && ok ? 0 : -1;
}

/* Print the field called name of the header's (only) item. */
static int show(const mv_view *header, const char *name) {
    mv_fieldref field;
    mv_value x;
    if (mv_view_field(header, name, &field) < 0 ||
        mv_view_get_field(header, 0, &field, &x) < 0)
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
    /* The compiled format: one field, the record, of 13 fields. */
    const mv_format *f = header.fmtdesc;
    printf("format: %td bytes, %d record of %d fields\n", f->itemsize,
           f->nfields, f->fields[0].sub->nfields);

    static const char *const names[] = {
        "riff",        "riff_size",       "wave",     "channels",
        "sample_rate", "bits_per_sample", "data_size"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (show(&header, names[i]) < 0) {
            fprintf(stderr, "wavinfo: %s\n", mv_errmsg());
            mv_view_release(&header);
            return 1;
        }
    mv_view_release(&header);
    return 0;
}
