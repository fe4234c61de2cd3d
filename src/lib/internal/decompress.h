/* Streaming decompression of gzip, zstd and lz4 data, one bounded step at a time (internal). */
#ifndef ODDPORT_DECOMPRESS_H
#define ODDPORT_DECOMPRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#include "internal/cursor.h"

/* Compressed formats recognised by their first bytes. bzip2 and xz are recognised only so that
 * the message can say what the file is and how to read it. */
typedef enum {
    ODDPORT_COMPRESSION_NONE,
    ODDPORT_COMPRESSION_GZIP,
    ODDPORT_COMPRESSION_ZSTD,
    ODDPORT_COMPRESSION_LZ4,
    ODDPORT_COMPRESSION_BZIP2,
    ODDPORT_COMPRESSION_XZ,
} OddportCompression;

/* The longest magic number looked at, and so the fewest bytes that decide. */
#define ODDPORT_COMPRESSION_MAGIC_SIZE 4

/* The compression whose magic number `bytes` start with, or NONE. */
OddportCompression oddport_compression_detect(const uint8_t *bytes, size_t length);

/* Whether `length` bytes, fewer than a magic number, could be the start of a compressed file. */
bool oddport_compression_could_start(const uint8_t *bytes, size_t length);

/* "gzip", "zstd", "lz4", "bzip2", "xz" (transfer none); NULL for NONE. */
const char *oddport_compression_name(OddportCompression compression);

/* Whether this build can decompress `compression`. */
bool oddport_compression_available(OddportCompression compression);

/* Why this build cannot read `compression` and what to do instead, one line without the path
 * (transfer full). Only for compressions that are not available. */
char *oddport_compression_unavailable_message(OddportCompression compression);

typedef struct OddportDecompressor OddportDecompressor;

/* A decompressor for one stream of `compression`, which must be available. Returns NULL with
 * `error` set (domain ODDPORT_CAPTURE_ERROR) when the library cannot start, e.g. out of memory.
 * The caller owns it (transfer full): oddport_decompressor_free. */
OddportDecompressor *oddport_decompressor_new(OddportCompression compression, GError **error);

void oddport_decompressor_free(OddportDecompressor *decompressor);

typedef enum {
    ODDPORT_DECOMPRESS_MORE,    /* call again, with more input once `input` is used up */
    ODDPORT_DECOMPRESS_END,     /* the input ended where a member or frame ends: all is out */
    ODDPORT_DECOMPRESS_CUT,     /* the input ended inside a member or frame */
    ODDPORT_DECOMPRESS_DAMAGED, /* the data is not valid; `problem` says how */
} OddportDecompressStatus;

/* Decompresses from `input` (advanced past what was consumed) into `output`, setting `produced`.
 * `input` must hold bytes unless `input_ended` says the compressed file has no more. Concatenated
 * members (gzip) and frames (zstd, lz4) read as one stream, as their own tools read them. On
 * DAMAGED, `problem` is set to a phrase such as "invalid block type" (transfer full); later
 * calls give DAMAGED again. */
OddportDecompressStatus oddport_decompressor_step(OddportDecompressor *decompressor,
                                                  OddportCursor *input, bool input_ended,
                                                  uint8_t *output, size_t output_size,
                                                  size_t *produced, char **problem);

#endif
