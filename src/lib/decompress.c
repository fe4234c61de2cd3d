/* Streaming decompression of gzip (zlib), zstd (libzstd) and lz4 frames (liblz4) for captures. */
#include <limits.h>
#include <string.h>

#if ODDPORT_HAVE_ZLIB
#include <zlib.h>
#endif
#if ODDPORT_HAVE_ZSTD
#include <zstd.h>
#endif
#if ODDPORT_HAVE_LZ4
#include <lz4frame.h>
#endif

#include "internal/decompress.h"
#include "oddport/capture.h"

/* What is known about each compression, in OddportCompression order. */
typedef struct {
    const char *name;
    uint8_t magic[ODDPORT_COMPRESSION_MAGIC_SIZE];
    size_t magic_size;
    bool available;
    const char *library;     /* NULL when oddport never reads this compression */
    const char *dev_package; /* the Debian package to build with */
    const char *command;     /* decompresses to standard output */
} CompressionInfo;

static const CompressionInfo compressions[] = {
    [ODDPORT_COMPRESSION_NONE] = {NULL, {0}, 0, true, NULL, NULL, NULL},
    /* ID1, ID2 and CM = 8 (deflate), the only method RFC 1952 defines. */
    [ODDPORT_COMPRESSION_GZIP] =
        {"gzip", {0x1f, 0x8b, 0x08}, 3, ODDPORT_HAVE_ZLIB != 0, "zlib", "zlib1g-dev", "gzip -dc"},
    [ODDPORT_COMPRESSION_ZSTD] = {"zstd",
                                  {0x28, 0xb5, 0x2f, 0xfd},
                                  4,
                                  ODDPORT_HAVE_ZSTD != 0,
                                  "libzstd",
                                  "libzstd-dev",
                                  "zstd -dc"},
    /* The frame format; the legacy format of lz4 before 1.4 has another magic number. */
    [ODDPORT_COMPRESSION_LZ4] = {"lz4",
                                 {0x04, 0x22, 0x4d, 0x18},
                                 4,
                                 ODDPORT_HAVE_LZ4 != 0,
                                 "liblz4",
                                 "liblz4-dev",
                                 "lz4 -dc"},
    [ODDPORT_COMPRESSION_BZIP2] = {"bzip2", {'B', 'Z', 'h'}, 3, false, NULL, NULL, "bzip2 -dc"},
    [ODDPORT_COMPRESSION_XZ] = {"xz", {0xfd, '7', 'z', 'X'}, 4, false, NULL, NULL, "xz -dc"},
};

/* A skippable frame's magic number, 0x184D2A50 to 0x184D2A5F in little-endian order, checked on
 * the first `length` bytes (up to four). Such a frame holds bytes for the tool that wrote it and
 * none of the data: pzstd, the zstd package's parallel compressor, starts each frame it writes
 * with one. lz4 frames may follow one too, but no lz4 tool writes them first, and libzstd skips
 * the frame as it reads, so a file starting with one is taken for zstd. */
static bool starts_like_skippable_frame(const uint8_t *bytes, size_t length)
{
    static const uint8_t rest_of_magic[3] = {0x2a, 0x4d, 0x18};
    if (length == 0 || (bytes[0] & 0xf0) != 0x50)
        return false;
    size_t compared = MIN(length, (size_t)ODDPORT_COMPRESSION_MAGIC_SIZE) - 1;
    return memcmp(bytes + 1, rest_of_magic, compared) == 0;
}

OddportCompression oddport_compression_detect(const uint8_t *bytes, size_t length)
{
    if (length >= ODDPORT_COMPRESSION_MAGIC_SIZE && starts_like_skippable_frame(bytes, length))
        return ODDPORT_COMPRESSION_ZSTD;
    for (size_t index = ODDPORT_COMPRESSION_NONE + 1; index < G_N_ELEMENTS(compressions); index++) {
        const CompressionInfo *info = &compressions[index];
        if (length >= info->magic_size && memcmp(bytes, info->magic, info->magic_size) == 0)
            return (OddportCompression)index;
    }
    return ODDPORT_COMPRESSION_NONE;
}

bool oddport_compression_could_start(const uint8_t *bytes, size_t length)
{
    /* From two bytes on: a one-byte file of a letter from P to _ is text, not a cut frame. */
    if (length >= 2 && length < ODDPORT_COMPRESSION_MAGIC_SIZE &&
        starts_like_skippable_frame(bytes, length))
        return true;
    for (size_t index = ODDPORT_COMPRESSION_NONE + 1; index < G_N_ELEMENTS(compressions); index++) {
        const CompressionInfo *info = &compressions[index];
        if (length < info->magic_size && memcmp(bytes, info->magic, length) == 0)
            return true;
    }
    return false;
}

const char *oddport_compression_name(OddportCompression compression)
{
    return compressions[compression].name;
}

bool oddport_compression_available(OddportCompression compression)
{
    return compressions[compression].available;
}

char *oddport_compression_unavailable_message(OddportCompression compression)
{
    const CompressionInfo *info = &compressions[compression];
    if (info->library == NULL)
        return g_strdup_printf("%s-compressed; oddport reads gzip, zstd and lz4 compression but "
                               "not %s: decompress it first, e.g. %s FILE | oddport -",
                               info->name, info->name, info->command);
    return g_strdup_printf("%s-compressed, but this oddport was built without %s (install %s "
                           "and build again), or decompress it first: %s FILE | oddport -",
                           info->name, info->library, info->dev_package, info->command);
}

struct OddportDecompressor {
    OddportCompression compression;
    /* The codec stands where a member or frame has ended, so the input may end here. */
    bool at_boundary;
    /* gzip only: zero bytes after a member, which gzip ignores as padding; only zeros may follow.
     */
    bool in_padding;
    char *damage; /* set once the data proved invalid; every later step repeats it */
#if ODDPORT_HAVE_ZLIB
    z_stream gzip;
    bool gzip_started;
#endif
#if ODDPORT_HAVE_ZSTD
    ZSTD_DCtx *zstd;
#endif
#if ODDPORT_HAVE_LZ4
    LZ4F_dctx *lz4;
#endif
};

static OddportDecompressor *start_failed(OddportDecompressor *decompressor, GError **error)
{
    g_set_error(error, ODDPORT_CAPTURE_ERROR, ODDPORT_CAPTURE_ERROR_OPEN,
                "cannot start %s decompression (out of memory)",
                compressions[decompressor->compression].name);
    oddport_decompressor_free(decompressor);
    return NULL;
}

OddportDecompressor *oddport_decompressor_new(OddportCompression compression, GError **error)
{
    g_return_val_if_fail(compression != ODDPORT_COMPRESSION_NONE &&
                             oddport_compression_available(compression),
                         NULL);
    OddportDecompressor *decompressor = g_new0(OddportDecompressor, 1);
    decompressor->compression = compression;
    bool started = false;
    switch (compression) {
#if ODDPORT_HAVE_ZLIB
    case ODDPORT_COMPRESSION_GZIP:
        /* 16 + 15: a gzip wrapper (not zlib's) and the largest window deflate may use. */
        started = inflateInit2(&decompressor->gzip, 16 + MAX_WBITS) == Z_OK;
        decompressor->gzip_started = started;
        break;
#endif
#if ODDPORT_HAVE_ZSTD
    case ODDPORT_COMPRESSION_ZSTD:
        /* libzstd's default window limit (128 MiB) bounds what a hostile frame can make us hold. */
        decompressor->zstd = ZSTD_createDCtx();
        started = decompressor->zstd != NULL;
        break;
#endif
#if ODDPORT_HAVE_LZ4
    case ODDPORT_COMPRESSION_LZ4:
        started = !LZ4F_isError(LZ4F_createDecompressionContext(&decompressor->lz4, LZ4F_VERSION));
        break;
#endif
    default:
        break;
    }
    if (!started)
        return start_failed(decompressor, error);
    return decompressor;
}

void oddport_decompressor_free(OddportDecompressor *decompressor)
{
    if (decompressor == NULL)
        return;
#if ODDPORT_HAVE_ZLIB
    if (decompressor->gzip_started)
        inflateEnd(&decompressor->gzip);
#endif
#if ODDPORT_HAVE_ZSTD
    ZSTD_freeDCtx(decompressor->zstd);
#endif
#if ODDPORT_HAVE_LZ4
    if (decompressor->lz4 != NULL)
        LZ4F_freeDecompressionContext(decompressor->lz4);
#endif
    g_free(decompressor->damage);
    g_free(decompressor);
}

static OddportDecompressStatus damaged(OddportDecompressor *decompressor, const char *problem)
{
    decompressor->damage = g_strdup(problem);
    return ODDPORT_DECOMPRESS_DAMAGED;
}

/* Moves past what a decompressor took; it never takes more than it was given. */
static inline void consume(OddportCursor *input, size_t count)
{
    if (!oddport_cursor_skip(input, count))
        g_warn_if_reached();
}

#if ODDPORT_HAVE_ZLIB
/* Between gzip members: another member, zero padding to the end, or the end itself. Returns
 * MORE once a new member has started or the input so far was padding. */
static OddportDecompressStatus gzip_between_members(OddportDecompressor *decompressor,
                                                    OddportCursor *input, bool input_ended)
{
    uint8_t next;
    if (oddport_cursor_peek_u8(input, 0, &next) && next == 0x00)
        decompressor->in_padding = true;
    if (decompressor->in_padding) {
        while (oddport_cursor_peek_u8(input, 0, &next) && next == 0x00)
            consume(input, 1);
        if (input->left > 0)
            return damaged(decompressor, "bytes other than zeros follow the padding after the "
                                         "last gzip member");
    }
    if (input->left == 0)
        return input_ended ? ODDPORT_DECOMPRESS_END : ODDPORT_DECOMPRESS_MORE;
    /* inflate checks the rest of the header; only the first byte decides it is meant as one. */
    if (!oddport_cursor_peek_u8(input, 0, &next) || next != 0x1f)
        return damaged(decompressor, "the bytes after a gzip member start no other member");
    inflateReset(&decompressor->gzip);
    decompressor->at_boundary = false;
    return ODDPORT_DECOMPRESS_MORE;
}

static OddportDecompressStatus gzip_step(OddportDecompressor *decompressor, OddportCursor *input,
                                         bool input_ended, uint8_t *output, size_t output_size,
                                         size_t *produced)
{
    if (decompressor->at_boundary) {
        OddportDecompressStatus status = gzip_between_members(decompressor, input, input_ended);
        if (status != ODDPORT_DECOMPRESS_MORE || decompressor->at_boundary)
            return status;
    }
    z_stream *stream = &decompressor->gzip;
    uInt input_size = (uInt)MIN(input->left, (size_t)UINT_MAX);
    stream->next_in = (Bytef *)input->data;
    stream->avail_in = input_size;
    stream->next_out = output;
    stream->avail_out = (uInt)MIN(output_size, (size_t)UINT_MAX);
    int result = inflate(stream, Z_NO_FLUSH);
    consume(input, input_size - stream->avail_in);
    *produced = (size_t)(stream->next_out - output);
    switch (result) {
    case Z_OK:
        return ODDPORT_DECOMPRESS_MORE;
    case Z_STREAM_END:
        decompressor->at_boundary = true;
        return ODDPORT_DECOMPRESS_MORE;
    case Z_BUF_ERROR:
        /* No progress: inflate wants input, and the caller gives more unless there is none. */
        return input_ended && input->left == 0 ? ODDPORT_DECOMPRESS_CUT : ODDPORT_DECOMPRESS_MORE;
    case Z_MEM_ERROR:
        return damaged(decompressor, "out of memory");
    default:
        return damaged(decompressor, stream->msg != NULL ? stream->msg : "invalid data");
    }
}
#endif

#if ODDPORT_HAVE_ZSTD
static OddportDecompressStatus zstd_step(OddportDecompressor *decompressor, OddportCursor *input,
                                         uint8_t *output, size_t output_size, size_t *produced)
{
    ZSTD_inBuffer in = {input->data, input->left, 0};
    ZSTD_outBuffer out = {output, output_size, 0};
    size_t result = ZSTD_decompressStream(decompressor->zstd, &out, &in);
    consume(input, in.pos);
    *produced = out.pos;
    if (ZSTD_isError(result))
        return damaged(decompressor, ZSTD_getErrorName(result));
    /* 0: a frame is complete and flushed; a following frame starts with the next input. */
    if (in.pos > 0 || out.pos > 0 || result == 0)
        decompressor->at_boundary = result == 0;
    return ODDPORT_DECOMPRESS_MORE;
}
#endif

#if ODDPORT_HAVE_LZ4
static OddportDecompressStatus lz4_step(OddportDecompressor *decompressor, OddportCursor *input,
                                        uint8_t *output, size_t output_size, size_t *produced)
{
    size_t input_size = input->left;
    size_t output_room = output_size;
    size_t result =
        LZ4F_decompress(decompressor->lz4, output, &output_room, input->data, &input_size, NULL);
    consume(input, input_size);
    *produced = output_room;
    if (LZ4F_isError(result))
        return damaged(decompressor, LZ4F_getErrorName(result));
    /* 0: a frame is complete; the context then reads the next frame from the next input. */
    if (input_size > 0 || output_room > 0 || result == 0)
        decompressor->at_boundary = result == 0;
    return ODDPORT_DECOMPRESS_MORE;
}
#endif

/* In a build without any compression library, no codec writes to `output`. */
OddportDecompressStatus oddport_decompressor_step(OddportDecompressor *decompressor,
                                                  OddportCursor *input, bool input_ended,
                                                  G_GNUC_UNUSED uint8_t *output, size_t output_size,
                                                  size_t *produced, char **problem)
{
    *produced = 0;
    if (decompressor->damage == NULL && decompressor->at_boundary && input->left == 0 &&
        input_ended)
        return ODDPORT_DECOMPRESS_END;

    size_t input_before = input->left;
    OddportDecompressStatus status = ODDPORT_DECOMPRESS_DAMAGED;
    if (decompressor->damage == NULL) {
        switch (decompressor->compression) {
#if ODDPORT_HAVE_ZLIB
        case ODDPORT_COMPRESSION_GZIP:
            status = gzip_step(decompressor, input, input_ended, output, output_size, produced);
            break;
#endif
#if ODDPORT_HAVE_ZSTD
        case ODDPORT_COMPRESSION_ZSTD:
            status = zstd_step(decompressor, input, output, output_size, produced);
            break;
#endif
#if ODDPORT_HAVE_LZ4
        case ODDPORT_COMPRESSION_LZ4:
            status = lz4_step(decompressor, input, output, output_size, produced);
            break;
#endif
        default:
            status = damaged(decompressor, "no decompressor for this format");
            break;
        }
    }
    /* A step that moved nothing while input remained would loop for ever; a sound codec never
     * does that, so it means the data is not what it claims to be. */
    if (status == ODDPORT_DECOMPRESS_MORE && *produced == 0 && input->left == input_before &&
        output_size > 0) {
        if (input->left == 0 && input_ended)
            status = decompressor->at_boundary ? ODDPORT_DECOMPRESS_END : ODDPORT_DECOMPRESS_CUT;
        else if (input->left > 0)
            status = damaged(decompressor, "the decompressor stopped making progress");
    }
    if (status == ODDPORT_DECOMPRESS_DAMAGED)
        *problem = g_strdup(decompressor->damage);
    return status;
}
