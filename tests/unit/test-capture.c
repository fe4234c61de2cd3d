/* Unit tests of the capture reader: captures built byte by byte, read from files and pipes. */
/* This file defines read() and pread() of its own, to note the reader's reads: the inline
 * wrappers fortified builds declare in their place (-D_FORTIFY_SOURCE, as distributions build)
 * would stand in the way, and clang warns of them. */
#undef _FORTIFY_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "capture-builder.h"
#include "internal/mapping_cost.h"
#include "oddport/vocabulary.h"
#include "oddport/capture.h"

#if ODDPORT_HAVE_ZLIB
#include <zlib.h>
#endif
#if ODDPORT_HAVE_ZSTD
#include <zstd.h>
#endif
#if ODDPORT_HAVE_LZ4
#include <lz4frame.h>
#endif

/* ---- Building captures ---- */

/* Packet bytes that differ from packet to packet, so a mix-up shows. */
static const uint8_t *packet_bytes(unsigned seed, size_t length)
{
    static uint8_t bytes[2200 * 1000]; /* as long as the longest record of a test */
    g_assert_cmpuint(length, <=, sizeof bytes);
    for (size_t index = 0; index < length; index++)
        bytes[index] = (uint8_t)(seed * 31 + index * 7);
    return bytes;
}

/* A record whose captured bytes are packet_bytes(seed, captured), of which `present` are written.
 */
static void pcap_record(Builder *builder, bool modified, uint32_t seconds, uint32_t fraction,
                        uint32_t captured, uint32_t wire, unsigned seed, size_t present)
{
    put_u32(builder, seconds);
    put_u32(builder, fraction);
    put_u32(builder, captured);
    put_u32(builder, wire);
    if (modified) {
        put_u32(builder, 2); /* ifindex */
        put_u16(builder, 8); /* protocol */
        put_u8(builder, 0);  /* packet type */
        put_u8(builder, 0);  /* padding */
    }
    put_bytes(builder, packet_bytes(seed, present), present);
}

/* A pcapng block around `body`, padded, with both copies of the total length. */
static void pcapng_block(Builder *builder, uint32_t type, const Builder *body)
{
    uint32_t length = 12 + ((body->bytes->len + 3u) & ~3u);
    put_u32(builder, type);
    put_u32(builder, length);
    put_bytes(builder, body->bytes->data, body->bytes->len);
    pad_to_4(builder);
    put_u32(builder, length);
}

static void pcapng_section(Builder *builder, bool big_endian)
{
    builder->big_endian = big_endian;
    Builder body = builder_new(big_endian);
    put_u32(&body, 0x1a2b3c4d);
    put_u16(&body, 1);
    put_u16(&body, 0);
    put_u64(&body, UINT64_MAX); /* section length unknown */
    pcapng_block(builder, 0x0a0d0d0a, &body);
    g_byte_array_unref(body.bytes);
}

/* An interface; tsresol < 0 leaves the option out, tsoffset 0 too. */
static void pcapng_interface(Builder *builder, uint16_t link_type, uint32_t snapshot_length,
                             int tsresol, int64_t tsoffset)
{
    Builder body = builder_new(builder->big_endian);
    put_u16(&body, link_type);
    put_u16(&body, 0);
    put_u32(&body, snapshot_length);
    put_u16(&body, 2); /* if_name, to show other options are stepped over */
    put_u16(&body, 3);
    put_bytes(&body, "et0", 3);
    pad_to_4(&body);
    if (tsresol >= 0) {
        put_u16(&body, 9);
        put_u16(&body, 1);
        put_u8(&body, (uint8_t)tsresol);
        pad_to_4(&body);
    }
    if (tsoffset != 0) {
        put_u16(&body, 14);
        put_u16(&body, 8);
        put_u64(&body, (uint64_t)tsoffset);
    }
    put_u16(&body, 0);
    put_u16(&body, 0);
    pcapng_block(builder, 0x00000001, &body);
    g_byte_array_unref(body.bytes);
}

/* An enhanced packet block holding `captured` bytes of `data`. */
static void pcapng_enhanced_packet_of(Builder *builder, uint32_t interface_id, uint64_t ticks,
                                      uint32_t captured, uint32_t wire, const uint8_t *data)
{
    Builder body = builder_new(builder->big_endian);
    put_u32(&body, interface_id);
    put_u32(&body, (uint32_t)(ticks >> 32));
    put_u32(&body, (uint32_t)ticks);
    put_u32(&body, captured);
    put_u32(&body, wire);
    put_bytes(&body, data, captured);
    pcapng_block(builder, 0x00000006, &body);
    g_byte_array_unref(body.bytes);
}

static void pcapng_enhanced_packet(Builder *builder, uint32_t interface_id, uint64_t ticks,
                                   uint32_t captured, uint32_t wire, unsigned seed)
{
    pcapng_enhanced_packet_of(builder, interface_id, ticks, captured, wire,
                              packet_bytes(seed, captured));
}

static void pcapng_simple_packet(Builder *builder, uint32_t wire, size_t present, unsigned seed)
{
    Builder body = builder_new(builder->big_endian);
    put_u32(&body, wire);
    put_bytes(&body, packet_bytes(seed, present), present);
    pcapng_block(builder, 0x00000003, &body);
    g_byte_array_unref(body.bytes);
}

static void pcapng_obsolete_packet(Builder *builder, uint16_t interface_id, uint64_t ticks,
                                   uint32_t captured, uint32_t wire, unsigned seed)
{
    Builder body = builder_new(builder->big_endian);
    put_u16(&body, interface_id);
    put_u16(&body, 0); /* drops */
    put_u32(&body, (uint32_t)(ticks >> 32));
    put_u32(&body, (uint32_t)ticks);
    put_u32(&body, captured);
    put_u32(&body, wire);
    put_bytes(&body, packet_bytes(seed, captured), captured);
    pcapng_block(builder, 0x00000002, &body);
    g_byte_array_unref(body.bytes);
}

static void pcapng_other_block(Builder *builder, uint32_t type, size_t body_length)
{
    Builder body = builder_new(builder->big_endian);
    put_bytes(&body, packet_bytes(99, body_length), body_length);
    pcapng_block(builder, type, &body);
    g_byte_array_unref(body.bytes);
}

/* Overwrites the 32-bit field at `offset` (in the builder's byte order). */
static void patch_u32(Builder *builder, size_t offset, uint32_t value)
{
    Builder field = builder_new(builder->big_endian);
    put_u32(&field, value);
    memcpy(builder->bytes->data + offset, field.bytes->data, 4);
    g_byte_array_unref(field.bytes);
}

/* ---- Reading captures back ---- */

/* A record with its bytes copied out of the reader. */
typedef struct {
    OddportRecord fields;
    GBytes *bytes;
} SavedRecord;

static void saved_record_free(gpointer data)
{
    SavedRecord *saved = data;
    g_bytes_unref(saved->bytes);
    g_free(saved);
}

/* Everything a run over one capture produced. */
typedef struct {
    GError *open_error;
    GPtrArray *records;
    OddportReadStatus status;
    GError *error;
    OddportCaptureFormat format;
    unsigned precision_digits;
    uint64_t offset;
    uint64_t size;
} ReadResult;

static void read_result_free(ReadResult *result)
{
    g_clear_error(&result->open_error);
    g_clear_error(&result->error);
    g_ptr_array_unref(result->records);
    g_free(result);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(ReadResult, read_result_free)

static ReadResult *read_reader(OddportCaptureReader *reader, GError *open_error)
{
    ReadResult *result = g_new0(ReadResult, 1);
    result->records = g_ptr_array_new_with_free_func(saved_record_free);
    result->open_error = open_error;
    if (reader == NULL) {
        g_assert_nonnull(open_error);
        g_assert_true(open_error->domain == ODDPORT_CAPTURE_ERROR);
        return result;
    }
    g_assert_null(open_error);
    OddportRecord record;
    while ((result->status = oddport_capture_next(reader, &record, &result->error)) ==
           ODDPORT_READ_RECORD) {
        g_assert_null(result->error);
        g_assert_cmpuint(record.captured_length, <=, record.wire_length);
        g_assert_true(record.data != NULL || record.captured_length == 0);
        g_assert_cmpuint(oddport_capture_offset(reader), >, 0);
        SavedRecord *saved = g_new0(SavedRecord, 1);
        saved->fields = record;
        saved->fields.data = NULL;
        saved->bytes = g_bytes_new(record.data, record.captured_length);
        g_ptr_array_add(result->records, saved);
    }
    if (result->status == ODDPORT_READ_END)
        g_assert_null(result->error);
    else {
        gint code = result->status == ODDPORT_READ_TRUNCATED ? ODDPORT_CAPTURE_ERROR_TRUNCATED
                                                             : ODDPORT_CAPTURE_ERROR_DAMAGED;
        g_assert_error(result->error, ODDPORT_CAPTURE_ERROR, code);
    }
    g_assert_true(strchr(result->error != NULL ? result->error->message : "", '\n') == NULL);

    /* Once finished, the reader keeps giving the same answer. */
    GError *again_error = NULL;
    g_assert_cmpint(oddport_capture_next(reader, &record, &again_error), ==, result->status);
    g_assert_cmpstr(again_error != NULL ? again_error->message : NULL, ==,
                    result->error != NULL ? result->error->message : NULL);
    g_clear_error(&again_error);

    result->format = oddport_capture_format(reader);
    result->precision_digits = oddport_capture_precision_digits(reader);
    result->offset = oddport_capture_offset(reader);
    result->size = oddport_capture_size(reader);
    oddport_capture_close(reader);
    return result;
}

static ReadResult *read_path(const char *path)
{
    GError *open_error = NULL;
    OddportCaptureReader *reader = oddport_capture_open(path, &open_error);
    return read_reader(reader, open_error);
}

static ReadResult *read_bytes(const GByteArray *bytes)
{
    g_autofree char *path = write_temporary(bytes);
    ReadResult *result = read_path(path);
    g_unlink(path);
    return result;
}

/* Writes bytes into a pipe or FIFO in small, odd-sized pieces, as a slow producer would. */
typedef struct {
    const GByteArray *bytes;
    int fd; /* already open, or -1 to open `fifo_path` */
    const char *fifo_path;
    bool pause_after_first; /* waits after the first piece, so that a read takes it alone */
} PipeWriter;

static gpointer pipe_writer_run(gpointer data)
{
    PipeWriter *writer = data;
    int fd = writer->fd >= 0 ? writer->fd : open(writer->fifo_path, O_WRONLY);
    g_assert_cmpint(fd, >=, 0);
    for (size_t done = 0; done < writer->bytes->len;) {
        size_t piece = MIN((size_t)777, writer->bytes->len - done);
        ssize_t written = write(fd, writer->bytes->data + done, piece);
        if (written < 0 && errno == EINTR)
            continue;
        if (written < 0)
            break; /* the reader stopped early (EPIPE): fine */
        if (done == 0 && writer->pause_after_first)
            g_usleep(20 * 1000);
        done += (size_t)written;
    }
    close(fd);
    return NULL;
}

/* Opens "-" with `fd` as standard input, which is then closed. The reader duplicates standard
 * input when it opens "-", so the test's own standard input needs replacing only for that
 * moment. */
static OddportCaptureReader *open_as_stdin(int fd, GError **error)
{
    int saved_stdin = dup(STDIN_FILENO);
    g_assert_cmpint(dup2(fd, STDIN_FILENO), ==, STDIN_FILENO);
    close(fd);
    OddportCaptureReader *reader = oddport_capture_open("-", error);
    g_assert_cmpint(dup2(saved_stdin, STDIN_FILENO), ==, STDIN_FILENO);
    close(saved_stdin);
    return reader;
}

/* Reads `bytes` as standard input ("-") fed by a pipe, whose first read finds only the first
 * piece when `pause_after_first`. */
static ReadResult *read_from_stdin_pipe(const GByteArray *bytes, bool pause_after_first)
{
    int ends[2];
    g_assert_cmpint(pipe(ends), ==, 0);
    PipeWriter writer = {bytes, ends[1], NULL, pause_after_first};
    GThread *thread = g_thread_new("pipe-writer", pipe_writer_run, &writer);
    GError *open_error = NULL;
    OddportCaptureReader *reader = open_as_stdin(ends[0], &open_error);
    ReadResult *result = read_reader(reader, open_error);
    g_thread_join(thread);
    return result;
}

static ReadResult *read_bytes_from_stdin_pipe(const GByteArray *bytes)
{
    return read_from_stdin_pipe(bytes, false);
}

/* Reads `bytes` as standard input redirected from a file: streamed, not mapped, with each read
 * taking as much as the reader asks for, as from a fast producer. Unless `reading_ahead` is
 * NULL, a thread of the reader's reads the file ahead from the start, and it says whether one
 * did. */
static ReadResult *read_bytes_from_stdin_file_reading(const GByteArray *bytes, bool *reading_ahead)
{
    g_autofree char *path = write_temporary(bytes);
    int fd = open(path, O_RDONLY);
    g_assert_cmpint(fd, >=, 0);
    GError *open_error = NULL;
    OddportCaptureReader *reader = open_as_stdin(fd, &open_error);
    if (reading_ahead != NULL)
        *reading_ahead = reader != NULL && oddport_capture_read_ahead(reader);
    ReadResult *result = read_reader(reader, open_error);
    g_unlink(path);
    return result;
}

static ReadResult *read_bytes_from_stdin_file(const GByteArray *bytes)
{
    return read_bytes_from_stdin_file_reading(bytes, NULL);
}

/* Reads `bytes` through a named FIFO, the non-seekable file a user might give by path. */
static ReadResult *read_bytes_from_fifo(const GByteArray *bytes)
{
    GError *error = NULL;
    g_autofree char *directory = g_dir_make_tmp("oddport-capture-XXXXXX", &error);
    g_assert_no_error(error);
    g_autofree char *path = g_build_filename(directory, "capture.fifo", NULL);
    g_assert_cmpint(mkfifo(path, 0600), ==, 0);
    PipeWriter writer = {bytes, -1, path, false};
    GThread *thread = g_thread_new("fifo-writer", pipe_writer_run, &writer);
    ReadResult *result = read_path(path);
    g_thread_join(thread);
    g_unlink(path);
    g_rmdir(directory);
    return result;
}

static void assert_same_errors(const GError *first, const GError *second)
{
    if (first == NULL || second == NULL) {
        g_assert_true(first == second);
        return;
    }
    g_assert_cmpint(first->code, ==, second->code);
    g_assert_cmpstr(first->message, ==, second->message);
}

/* Two runs over the same bytes, e.g. mapped and streamed, must agree on everything. */
static void assert_same_results(const ReadResult *first, const ReadResult *second)
{
    assert_same_errors(first->open_error, second->open_error);
    if (first->open_error != NULL)
        return;
    g_assert_cmpint(first->status, ==, second->status);
    assert_same_errors(first->error, second->error);
    g_assert_cmpint(first->format, ==, second->format);
    g_assert_cmpuint(first->precision_digits, ==, second->precision_digits);
    g_assert_cmpuint(first->offset, ==, second->offset);
    g_assert_cmpuint(first->records->len, ==, second->records->len);
    for (guint index = 0; index < first->records->len; index++) {
        const SavedRecord *one = first->records->pdata[index];
        const SavedRecord *other = second->records->pdata[index];
        g_assert_cmpuint(one->fields.timestamp_ns, ==, other->fields.timestamp_ns);
        g_assert_cmpuint(one->fields.captured_length, ==, other->fields.captured_length);
        g_assert_cmpuint(one->fields.wire_length, ==, other->fields.wire_length);
        g_assert_cmpuint(one->fields.link_type, ==, other->fields.link_type);
        g_assert_cmpuint(one->fields.snapshot_length, ==, other->fields.snapshot_length);
        g_assert_true(g_bytes_equal(one->bytes, other->bytes));
    }
}

static const SavedRecord *record_at(const ReadResult *result, guint index)
{
    g_assert_cmpuint(index, <, result->records->len);
    return result->records->pdata[index];
}

static void assert_record(const ReadResult *result, guint index, uint64_t timestamp_ns,
                          uint32_t captured, uint32_t wire, uint32_t link_type,
                          uint32_t snapshot_length, unsigned seed)
{
    const SavedRecord *saved = record_at(result, index);
    g_assert_cmpuint(saved->fields.timestamp_ns, ==, timestamp_ns);
    g_assert_cmpuint(saved->fields.captured_length, ==, captured);
    g_assert_cmpuint(saved->fields.wire_length, ==, wire);
    g_assert_cmpuint(saved->fields.link_type, ==, link_type);
    g_assert_cmpuint(saved->fields.snapshot_length, ==, snapshot_length);
    gsize length = 0;
    const uint8_t *data = g_bytes_get_data(saved->bytes, &length);
    g_assert_cmpmem(data, (gint)length, packet_bytes(seed, captured), (gint)captured);
}

static void assert_open_error(const ReadResult *result, OddportCaptureError code,
                              const char *message)
{
    g_assert_error(result->open_error, ODDPORT_CAPTURE_ERROR, (gint)code);
    if (message != NULL)
        g_assert_cmpstr(result->open_error->message, ==, message);
}

static void assert_failure(const ReadResult *result, OddportReadStatus status, const char *message)
{
    g_assert_no_error(result->open_error);
    g_assert_cmpint(result->status, ==, status);
    g_assert_cmpstr(result->error->message, ==, message);
}

/* ---- Classic pcap ---- */

static void test_pcap_microseconds_little_endian(void)
{
    Builder capture = builder_new(false);
    pcap_file_header(&capture, 0xa1b2c3d4, 2, 4, 65535, 1);
    pcap_record(&capture, false, 1700000000, 123456, 60, 60, 1, 60);
    pcap_record(&capture, false, 1700000001, 999999, 40, 1514, 2, 40);
    pcap_record(&capture, false, 1700000002, 0, 0, 0, 3, 0);
    g_autoptr(ReadResult) result = read_bytes(capture.bytes);

    g_assert_no_error(result->open_error);
    g_assert_cmpint(result->status, ==, ODDPORT_READ_END);
    g_assert_cmpint(result->format, ==, ODDPORT_CAPTURE_FORMAT_PCAP);
    g_assert_cmpuint(result->precision_digits, ==, 6);
    g_assert_cmpuint(result->records->len, ==, 3);
    assert_record(result, 0, UINT64_C(1700000000123456000), 60, 60, 1, 65535, 1);
    assert_record(result, 1, UINT64_C(1700000001999999000), 40, 1514, 1, 65535, 2);
    assert_record(result, 2, UINT64_C(1700000002000000000), 0, 0, 1, 65535, 3);
    g_assert_cmpuint(result->size, ==, capture.bytes->len);
    g_assert_cmpuint(result->offset, ==, capture.bytes->len);
    g_byte_array_unref(capture.bytes);
}

static void test_pcap_nanoseconds_big_endian(void)
{
    Builder capture = builder_new(true);
    pcap_file_header(&capture, 0xa1b23c4d, 2, 4, 262144, 113);
    pcap_record(&capture, false, 1700000000, 123456789, 100, 100, 4, 100);
    pcap_record(&capture, false, 0, 1, 1, 1, 5, 1);
    g_autoptr(ReadResult) result = read_bytes(capture.bytes);

    g_assert_cmpint(result->status, ==, ODDPORT_READ_END);
    g_assert_cmpuint(result->precision_digits, ==, 9);
    g_assert_cmpuint(result->records->len, ==, 2);
    assert_record(result, 0, UINT64_C(1700000000123456789), 100, 100, 113, 262144, 4);
    assert_record(result, 1, 1, 1, 1, 113, 262144, 5);
    g_byte_array_unref(capture.bytes);
}

static void test_pcap_modified(void)
{
    for (int big_endian = 0; big_endian <= 1; big_endian++) {
        Builder capture = builder_new(big_endian);
        pcap_file_header(&capture, 0xa1b2cd34, 2, 4, 1500, 1);
        pcap_record(&capture, true, 1000, 500000, 54, 54, 6, 54);
        pcap_record(&capture, true, 1001, 1, 70, 70, 7, 70);
        g_autoptr(ReadResult) result = read_bytes(capture.bytes);

        g_assert_cmpint(result->status, ==, ODDPORT_READ_END);
        g_assert_cmpuint(result->precision_digits, ==, 6);
        g_assert_cmpuint(result->records->len, ==, 2);
        assert_record(result, 0, UINT64_C(1000500000000), 54, 54, 1, 1500, 6);
        assert_record(result, 1, UINT64_C(1001000001000), 70, 70, 1, 1500, 7);
        g_byte_array_unref(capture.bytes);
    }
}

/* tcpdump's heap-overflow captures set FCS bits above the link type (0x30000065 is raw IP). */
static void test_pcap_link_type_fcs_bits(void)
{
    Builder capture = builder_new(false);
    pcap_file_header(&capture, 0xa1b2c3d4, 2, 4, 65535, 0x30000065);
    pcap_record(&capture, false, 1, 0, 20, 20, 8, 20);
    g_autoptr(ReadResult) result = read_bytes(capture.bytes);
    assert_record(result, 0, UINT64_C(1000000000), 20, 20, 101, 65535, 8);
    g_byte_array_unref(capture.bytes);
}

static void test_pcap_captured_over_snapshot(void)
{
    /* Above the snapshot length but within what libpcap writers produce: accepted. */
    Builder capture = builder_new(false);
    pcap_file_header(&capture, 0xa1b2c3d4, 2, 4, 64, 1);
    pcap_record(&capture, false, 1, 0, 100, 100, 9, 100);
    pcap_record(&capture, false, 2, 0, 300000, 300000, 10, 0);
    g_autoptr(ReadResult) result = read_bytes(capture.bytes);
    g_assert_cmpuint(result->records->len, ==, 1);
    assert_record(result, 0, UINT64_C(1000000000), 100, 100, 1, 64, 9);
    assert_failure(result, ODDPORT_READ_DAMAGED,
                   "record 2 claims 300000 bytes, more than the snapshot length 64");
    g_byte_array_unref(capture.bytes);
}

/* A header that claims a snapshot length of 4 GiB does not make a record of gigabytes
 * plausible: from a pipe, such a record was held in memory whole (4 GiB for a record claiming
 * 0xffffffff bytes). 16 MiB, the largest pcapng block, is the most a record may take. */
static void test_pcap_record_over_largest(void)
{
    Builder capture = builder_new(false);
    pcap_file_header(&capture, 0xa1b2c3d4, 2, 4, 0xffffffffu, 1);
    pcap_record(&capture, false, 1, 0, 100, 100, 9, 100);
    pcap_record(&capture, false, 2, 0, 0xffffffffu, 0xffffffffu, 10, 0);
    g_autoptr(ReadResult) result = read_bytes_from_stdin_pipe(capture.bytes);
    g_assert_cmpuint(result->records->len, ==, 1);
    assert_failure(result, ODDPORT_READ_DAMAGED,
                   "record 2 claims 4294967295 bytes, more than the 16 MiB a record may take");
    g_byte_array_unref(capture.bytes);
}

static void test_pcap_captured_over_wire(void)
{
    Builder capture = builder_new(false);
    pcap_file_header(&capture, 0xa1b2c3d4, 2, 4, 65535, 1);
    pcap_record(&capture, false, 1, 0, 80, 60, 11, 80);
    g_autoptr(ReadResult) result = read_bytes(capture.bytes);
    g_assert_cmpint(result->status, ==, ODDPORT_READ_END);
    assert_record(result, 0, UINT64_C(1000000000), 80, 80, 1, 65535, 11);
    g_byte_array_unref(capture.bytes);
}

static void test_pcap_truncated(void)
{
    Builder capture = builder_new(false);
    pcap_file_header(&capture, 0xa1b2c3d4, 2, 4, 65535, 1);
    for (unsigned index = 0; index < 11; index++)
        pcap_record(&capture, false, 1, index, 60, 60, index, 60);
    pcap_record(&capture, false, 1, 11, 1514, 1514, 11, 700);
    g_autoptr(ReadResult) result = read_bytes(capture.bytes);
    g_assert_cmpuint(result->records->len, ==, 11);
    assert_failure(result, ODDPORT_READ_TRUNCATED,
                   "file ends inside record 12 (needed 1514 bytes, 700 left)");
    g_assert_cmpuint(result->offset, ==, capture.bytes->len);

    /* Cut inside the next record header instead. */
    g_byte_array_set_size(capture.bytes, 24 + 11 * (16 + 60) + 5);
    g_autoptr(ReadResult) header_cut = read_bytes(capture.bytes);
    g_assert_cmpuint(header_cut->records->len, ==, 11);
    assert_failure(header_cut, ODDPORT_READ_TRUNCATED,
                   "file ends inside the header of record 12 (needed 16 bytes, 5 left)");
    g_byte_array_unref(capture.bytes);
}

/* Before 2.3 the wire length came first; 2.3 files were written both ways. */
static void test_pcap_old_versions(void)
{
    Builder capture = builder_new(false);
    pcap_file_header(&capture, 0xa1b2c3d4, 2, 2, 65535, 1);
    pcap_record(&capture, false, 1, 0, 1514, 60, 12, 60); /* fields: wire, captured */
    g_autoptr(ReadResult) swapped = read_bytes(capture.bytes);
    g_assert_cmpint(swapped->status, ==, ODDPORT_READ_END);
    assert_record(swapped, 0, UINT64_C(1000000000), 60, 1514, 1, 65535, 12);

    capture.bytes->data[6] = 3; /* version 2.3: swapped only when it must be */
    g_autoptr(ReadResult) maybe = read_bytes(capture.bytes);
    g_assert_cmpint(maybe->status, ==, ODDPORT_READ_END);
    assert_record(maybe, 0, UINT64_C(1000000000), 60, 1514, 1, 65535, 12);
    g_byte_array_unref(capture.bytes);
}

static void test_pcap_bad_header(void)
{
    Builder capture = builder_new(false);
    pcap_file_header(&capture, 0xa1b2c3d4, 3, 0, 65535, 1);
    g_autoptr(ReadResult) version = read_bytes(capture.bytes);
    assert_open_error(version, ODDPORT_CAPTURE_ERROR_BAD_HEADER,
                      "unsupported pcap version 3.0 (expected 2.4)");

    g_byte_array_set_size(capture.bytes, 10);
    g_autoptr(ReadResult) cut = read_bytes(capture.bytes);
    assert_open_error(cut, ODDPORT_CAPTURE_ERROR_BAD_HEADER,
                      "pcap file header cut short (10 of 24 bytes)");

    g_byte_array_set_size(capture.bytes, 2);
    g_autoptr(ReadResult) magic_cut = read_bytes(capture.bytes);
    assert_open_error(magic_cut, ODDPORT_CAPTURE_ERROR_BAD_HEADER,
                      "file header cut short (2 bytes)");
    g_byte_array_unref(capture.bytes);
}

/* ---- pcapng ---- */

/* Why this reader exists: one file, interfaces of different link types and snapshot lengths. */
static void test_pcapng_multiple_link_types(void)
{
    Builder capture = builder_new(false);
    pcapng_section(&capture, false);
    pcapng_interface(&capture, 1, 0, -1, 0);
    pcapng_interface(&capture, 101, 128, 9, 0);
    pcapng_enhanced_packet(&capture, 0, UINT64_C(1700000000123456), 60, 60, 20);
    pcapng_enhanced_packet(&capture, 1, UINT64_C(1700000001987654321), 128, 1500, 21);
    pcapng_enhanced_packet(&capture, 0, UINT64_C(1700000002000001), 61, 61, 22);

    GError *error = NULL;
    g_autofree char *path = write_temporary(capture.bytes);
    OddportCaptureReader *reader = oddport_capture_open(path, &error);
    g_assert_no_error(error);
    g_assert_cmpint(oddport_capture_format(reader), ==, ODDPORT_CAPTURE_FORMAT_PCAPNG);
    g_assert_cmpuint(oddport_capture_precision_digits(reader), ==, 6);
    g_autoptr(ReadResult) result = read_reader(reader, NULL);
    g_unlink(path);

    g_assert_cmpint(result->status, ==, ODDPORT_READ_END);
    g_assert_cmpuint(result->precision_digits, ==, 9);
    g_assert_cmpuint(result->records->len, ==, 3);
    assert_record(result, 0, UINT64_C(1700000000123456000), 60, 60, 1, 0, 20);
    assert_record(result, 1, UINT64_C(1700000001987654321), 128, 1500, 101, 128, 21);
    assert_record(result, 2, UINT64_C(1700000002000001000), 61, 61, 1, 0, 22);
    g_assert_cmpuint(result->offset, ==, capture.bytes->len);
    g_byte_array_unref(capture.bytes);
}

static void test_pcapng_big_endian(void)
{
    Builder capture = builder_new(true);
    pcapng_section(&capture, true);
    pcapng_interface(&capture, 113, 262144, 6, 0);
    pcapng_enhanced_packet(&capture, 0, UINT64_C(1700000000000001), 33, 40, 23);
    g_autoptr(ReadResult) result = read_bytes(capture.bytes);
    g_assert_cmpint(result->status, ==, ODDPORT_READ_END);
    g_assert_cmpuint(result->precision_digits, ==, 6);
    assert_record(result, 0, UINT64_C(1700000000000001000), 33, 40, 113, 262144, 23);
    g_byte_array_unref(capture.bytes);
}

/* if_tsresol in powers of two and coarse powers of ten, and if_tsoffset both ways. */
static void test_pcapng_timestamp_options(void)
{
    Builder capture = builder_new(false);
    pcapng_section(&capture, false);
    pcapng_interface(&capture, 1, 0, 0x80 | 10, 0); /* 1/1024 s: still micro precision */
    pcapng_interface(&capture, 1, 0, 3, 1000);      /* milliseconds, 1000 s later */
    pcapng_interface(&capture, 1, 0, 0, -100);      /* seconds, 100 s earlier */
    pcapng_interface(&capture, 1, 0, 0x80 | 30, 0); /* 2^-30 s: finer than a microsecond */
    pcapng_interface(&capture, 1, 0, 12, 0);        /* picoseconds */
    pcapng_enhanced_packet(&capture, 0, (UINT64_C(5) << 10) | 512, 1, 1, 24);
    pcapng_enhanced_packet(&capture, 1, 1500, 1, 1, 25);
    pcapng_enhanced_packet(&capture, 2, 50, 1, 1, 26);
    pcapng_enhanced_packet(&capture, 2, 1700000000, 1, 1, 27);
    pcapng_enhanced_packet(&capture, 3, (UINT64_C(7) << 30) | (UINT64_C(1) << 29), 1, 1, 28);
    pcapng_enhanced_packet(&capture, 4, UINT64_C(1700000000123456789), 1, 1, 29);
    g_autoptr(ReadResult) result = read_bytes(capture.bytes);
    g_assert_cmpint(result->status, ==, ODDPORT_READ_END);
    g_assert_cmpuint(result->precision_digits, ==, 9);
    assert_record(result, 0, UINT64_C(5500000000), 1, 1, 1, 0, 24);
    assert_record(result, 1, UINT64_C(1001500000000), 1, 1, 1, 0, 25);
    assert_record(result, 2, 0, 1, 1, 1, 0, 26); /* before the epoch: held at 0 */
    assert_record(result, 3, UINT64_C(1699999900000000000), 1, 1, 1, 0, 27);
    assert_record(result, 4, UINT64_C(7500000000), 1, 1, 1, 0, 28);
    assert_record(result, 5, UINT64_C(1700000000123456), 1, 1, 1, 0, 29);
    g_byte_array_unref(capture.bytes);
}

static void test_pcapng_simple_packet(void)
{
    Builder capture = builder_new(false);
    pcapng_section(&capture, false);
    pcapng_interface(&capture, 1, 64, -1, 0);
    pcapng_simple_packet(&capture, 100, 100, 30); /* cut to the snapshot length */
    pcapng_simple_packet(&capture, 10, 10, 31);   /* shorter than the padding leaves room for */
    pcapng_simple_packet(&capture, 1000, 20, 32); /* block holds less than either */
    g_autoptr(ReadResult) result = read_bytes(capture.bytes);
    g_assert_cmpint(result->status, ==, ODDPORT_READ_END);
    g_assert_cmpuint(result->records->len, ==, 3);
    assert_record(result, 0, 0, 64, 100, 1, 64, 30);
    assert_record(result, 1, 0, 10, 10, 1, 64, 31);
    assert_record(result, 2, 0, 20, 1000, 1, 64, 32);
    g_byte_array_unref(capture.bytes);
}

static void test_pcapng_obsolete_packet(void)
{
    Builder capture = builder_new(true);
    pcapng_section(&capture, true);
    pcapng_interface(&capture, 1, 0, -1, 0);
    pcapng_interface(&capture, 105, 0, -1, 0);
    pcapng_obsolete_packet(&capture, 1, UINT64_C(1000000), 24, 24, 33);
    g_autoptr(ReadResult) result = read_bytes(capture.bytes);
    g_assert_cmpint(result->status, ==, ODDPORT_READ_END);
    assert_record(result, 0, UINT64_C(1000000000), 24, 24, 105, 0, 33);
    g_byte_array_unref(capture.bytes);
}

/* Each section brings its own byte order and its own interface numbering. */
static void test_pcapng_multiple_sections(void)
{
    Builder capture = builder_new(false);
    pcapng_section(&capture, false);
    pcapng_interface(&capture, 1, 0, -1, 0);
    pcapng_enhanced_packet(&capture, 0, 1, 10, 10, 40);
    pcapng_section(&capture, true);
    pcapng_interface(&capture, 101, 200, 9, 0);
    pcapng_interface(&capture, 105, 300, -1, 0);
    pcapng_enhanced_packet(&capture, 1, 2, 11, 11, 41);
    pcapng_enhanced_packet(&capture, 0, 3, 12, 12, 42);
    pcapng_section(&capture, false);
    pcapng_interface(&capture, 228, 0, -1, 0);
    pcapng_enhanced_packet(&capture, 0, 4, 13, 13, 43);
    size_t stale_reference_offset = capture.bytes->len;
    pcapng_enhanced_packet(&capture, 1, 5, 14, 14, 44); /* interface 1 was the last section's */
    g_autoptr(ReadResult) result = read_bytes(capture.bytes);

    g_assert_cmpuint(result->records->len, ==, 4);
    assert_record(result, 0, 1000, 10, 10, 1, 0, 40);
    assert_record(result, 1, 2000, 11, 11, 105, 300, 41);
    assert_record(result, 2, 3, 12, 12, 101, 200, 42);
    assert_record(result, 3, 4000, 13, 13, 228, 0, 43);
    g_autofree char *expected = g_strdup_printf(
        "enhanced packet block 12 at offset %zu refers to interface 1, but its section describes "
        "only 1",
        stale_reference_offset);
    assert_failure(result, ODDPORT_READ_DAMAGED, expected);
    g_assert_cmpuint(result->precision_digits, ==, 9);
    g_byte_array_unref(capture.bytes);
}

static void test_pcapng_unknown_blocks_skipped(void)
{
    Builder capture = builder_new(false);
    pcapng_section(&capture, false);
    pcapng_other_block(&capture, 0x00000bad, 5);
    pcapng_interface(&capture, 1, 0, -1, 0);
    pcapng_other_block(&capture, 0x00000004, 16); /* name resolution */
    pcapng_enhanced_packet(&capture, 0, 1, 10, 10, 50);
    pcapng_other_block(&capture, 0x00000005, 20); /* interface statistics */
    pcapng_other_block(&capture, 0x40000bad, 0);  /* custom, empty */
    pcapng_other_block(&capture, 0x0000000a, 9);  /* decryption secrets */
    pcapng_enhanced_packet(&capture, 0, 2, 11, 11, 51);
    g_autoptr(ReadResult) result = read_bytes(capture.bytes);
    g_assert_cmpint(result->status, ==, ODDPORT_READ_END);
    g_assert_cmpuint(result->records->len, ==, 2);
    assert_record(result, 0, 1000, 10, 10, 1, 0, 50);
    assert_record(result, 1, 2000, 11, 11, 1, 0, 51);
    g_byte_array_unref(capture.bytes);
}

/* Frame numbers count packet records alone: a flow's id is its first packet's place in the run,
 * and oddport merge moves a part's ids on by the packet records before it, so every block that
 * holds no packet (Wireshark shows journal entries, custom blocks and system-call events as
 * frames of their own; statistics, names and secrets it does not) leaves the count as it was,
 * in either byte order. */
static void test_pcapng_frame_numbers_count_packet_records(void)
{
    for (int big_endian = 0; big_endian <= 1; big_endian++) {
        Builder capture = builder_new(big_endian);
        pcapng_section(&capture, big_endian);
        pcapng_other_block(&capture, 0x00000bad, 8); /* custom, may be copied */
        pcapng_interface(&capture, 1, 0, -1, 0);
        pcapng_enhanced_packet(&capture, 0, 1, 10, 10, 50);
        pcapng_other_block(&capture, 0x00000009, 40); /* systemd journal entry */
        pcapng_enhanced_packet(&capture, 0, 2, 11, 11, 51);
        pcapng_other_block(&capture, 0x40000bad, 8);  /* custom, not to be copied */
        pcapng_other_block(&capture, 0x00000204, 20); /* sysdig event */
        pcapng_other_block(&capture, 0x00000216, 20); /* sysdig event, version 2 */
        pcapng_other_block(&capture, 0x00000221, 20); /* sysdig event, large */
        pcapng_other_block(&capture, 0x00000004, 16); /* name resolution */
        pcapng_other_block(&capture, 0x00000005, 20); /* interface statistics */
        pcapng_other_block(&capture, 0x0000000a, 9);  /* decryption secrets */
        pcapng_enhanced_packet(&capture, 0, 3, 12, 12, 52);
        pcapng_simple_packet(&capture, 12, 12, 53);
        g_autoptr(ReadResult) result = read_bytes(capture.bytes);
        g_assert_cmpint(result->status, ==, ODDPORT_READ_END);
        g_assert_cmpuint(result->records->len, ==, 4);
        const uint64_t frames[] = {1, 2, 3, 4};
        for (guint index = 0; index < G_N_ELEMENTS(frames); index++)
            g_assert_cmpuint(record_at(result, index)->fields.frame_number, ==, frames[index]);
        g_byte_array_unref(capture.bytes);
    }
}

static void test_pcapng_truncated(void)
{
    Builder capture = builder_new(false);
    pcapng_section(&capture, false);
    pcapng_interface(&capture, 1, 0, -1, 0);
    pcapng_enhanced_packet(&capture, 0, 1, 60, 60, 52);
    size_t packet_offset = capture.bytes->len;
    pcapng_enhanced_packet(&capture, 0, 2, 1514, 1514, 53);
    g_byte_array_set_size(capture.bytes, (guint)(packet_offset + 700));
    g_autoptr(ReadResult) result = read_bytes(capture.bytes);
    g_assert_cmpuint(result->records->len, ==, 1);
    /* The block is 32 bytes of fields and trailer around 1516 padded bytes of packet. */
    g_autofree char *expected = g_strdup_printf(
        "file ends inside enhanced packet block 4 at offset %zu (needed 1540 bytes, 692 left)",
        packet_offset);
    assert_failure(result, ODDPORT_READ_TRUNCATED, expected);

    g_byte_array_set_size(capture.bytes, (guint)(packet_offset + 3));
    g_autoptr(ReadResult) header_cut = read_bytes(capture.bytes);
    g_free(expected);
    expected = g_strdup_printf(
        "file ends inside the header of block 4 at offset %zu (needed 8 bytes, 3 left)",
        packet_offset);
    assert_failure(header_cut, ODDPORT_READ_TRUNCATED, expected);
    g_byte_array_unref(capture.bytes);
}

/* Block lengths that cannot be true, each caught before anything is read on their word. */
static void test_pcapng_lying_block_lengths(void)
{
    /* The first packet block is 52 bytes at offset 60: 20 bytes of fields and 20 of packet. */
    static const struct {
        uint32_t length;
        uint32_t trailing_length;
        const char *message;
    } cases[] = {
        {8, 52,
         "enhanced packet block 3 at offset 60 has total length 8, less than the minimum 12"},
        {54, 52, "enhanced packet block 3 at offset 60 has total length 54, not a multiple of 4"},
        {0x01000004, 52,
         "enhanced packet block 3 at offset 60 has total length 16777220, more than the 16 MiB "
         "limit"},
        {52, 56,
         "enhanced packet block 3 at offset 60: trailing length 56 does not match leading length "
         "52"},
        {20, 20, "enhanced packet block 3 at offset 60 is too short for its fields"},
    };
    for (size_t index = 0; index < G_N_ELEMENTS(cases); index++) {
        Builder capture = builder_new(false);
        pcapng_section(&capture, false);
        pcapng_interface(&capture, 1, 0, -1, 0);
        g_assert_cmpuint(capture.bytes->len, ==, 60);
        pcapng_enhanced_packet(&capture, 0, 1, 20, 20, 54);
        pcapng_enhanced_packet(&capture, 0, 1, 20, 20, 55);
        patch_u32(&capture, 60 + 4, cases[index].length);
        /* Where a block of the stated length would keep its trailing copy. */
        if (cases[index].length >= 12 && cases[index].length <= 52)
            patch_u32(&capture, 60 + cases[index].length - 4, cases[index].trailing_length);
        g_autoptr(ReadResult) result = read_bytes(capture.bytes);
        g_assert_cmpuint(result->records->len, ==, 0);
        assert_failure(result, ODDPORT_READ_DAMAGED, cases[index].message);
        g_byte_array_unref(capture.bytes);
    }

    /* A captured length larger than the block that holds it. */
    Builder capture = builder_new(false);
    pcapng_section(&capture, false);
    pcapng_interface(&capture, 1, 0, -1, 0);
    pcapng_enhanced_packet(&capture, 0, 1, 20, 20, 56);
    patch_u32(&capture, 60 + 20, 1000);
    g_autoptr(ReadResult) result = read_bytes(capture.bytes);
    assert_failure(result, ODDPORT_READ_DAMAGED,
                   "enhanced packet block 3 at offset 60 claims 1000 captured bytes but has room "
                   "for 20");
    g_byte_array_unref(capture.bytes);
}

static void test_pcapng_packet_before_interface(void)
{
    Builder capture = builder_new(false);
    pcapng_section(&capture, false);
    pcapng_enhanced_packet(&capture, 0, 1, 20, 20, 57);
    g_autoptr(ReadResult) result = read_bytes(capture.bytes);
    assert_failure(result, ODDPORT_READ_DAMAGED,
                   "enhanced packet block 2 at offset 28 refers to interface 0, but no interface "
                   "has been described in its section");
    g_byte_array_unref(capture.bytes);

    Builder simple = builder_new(false);
    pcapng_section(&simple, false);
    pcapng_simple_packet(&simple, 20, 20, 58);
    g_autoptr(ReadResult) simple_result = read_bytes(simple.bytes);
    assert_failure(simple_result, ODDPORT_READ_DAMAGED,
                   "simple packet block 2 at offset 28 refers to interface 0, but no interface "
                   "has been described in its section");
    g_byte_array_unref(simple.bytes);
}

static void test_pcapng_bad_section_header(void)
{
    Builder capture = builder_new(false);
    pcapng_section(&capture, false);
    pcapng_interface(&capture, 1, 0, -1, 0);

    capture.bytes->data[8] = 0x00; /* byte-order magic */
    g_autoptr(ReadResult) magic = read_bytes(capture.bytes);
    assert_open_error(magic, ODDPORT_CAPTURE_ERROR_BAD_HEADER,
                      "section header block 1 at offset 0 has byte-order magic 003c2b1a, "
                      "expected 1a2b3c4d");
    capture.bytes->data[8] = 0x4d;

    patch_u32(&capture, 4, 20);
    g_autoptr(ReadResult) length = read_bytes(capture.bytes);
    assert_open_error(length, ODDPORT_CAPTURE_ERROR_BAD_HEADER,
                      "section header block 1 at offset 0 has total length 20, less than the "
                      "minimum 28");
    patch_u32(&capture, 4, 28);

    capture.bytes->data[12] = 2; /* major version */
    g_autoptr(ReadResult) version = read_bytes(capture.bytes);
    assert_open_error(version, ODDPORT_CAPTURE_ERROR_BAD_HEADER,
                      "section header block 1 at offset 0 has unsupported pcapng version 2.0");
    capture.bytes->data[12] = 1;

    g_byte_array_set_size(capture.bytes, 20);
    g_autoptr(ReadResult) cut = read_bytes(capture.bytes);
    assert_open_error(cut, ODDPORT_CAPTURE_ERROR_BAD_HEADER,
                      "file ends inside section header block 1 at offset 0 (needed 16 bytes, 8 "
                      "left)");

    g_byte_array_set_size(capture.bytes, 6);
    g_autoptr(ReadResult) header_cut = read_bytes(capture.bytes);
    assert_open_error(header_cut, ODDPORT_CAPTURE_ERROR_BAD_HEADER, NULL);
    g_byte_array_unref(capture.bytes);
}

/* ---- Opening ---- */

static void test_open_empty(void)
{
    g_autoptr(GByteArray) empty = g_byte_array_new();
    g_autoptr(ReadResult) result = read_bytes(empty);
    assert_open_error(result, ODDPORT_CAPTURE_ERROR_EMPTY, "file is empty");
}

static void test_open_not_capture(void)
{
    g_autoptr(GByteArray) zip = g_byte_array_new();
    g_byte_array_append(zip, (const guint8 *)"PK\x03\x04\x14\x00", 6);
    g_autoptr(ReadResult) result = read_bytes(zip);
    assert_open_error(result, ODDPORT_CAPTURE_ERROR_NOT_CAPTURE,
                      "not a pcap or pcapng capture (starts with 50 4b 03 04)");

    g_byte_array_set_size(zip, 2);
    g_autoptr(ReadResult) short_result = read_bytes(zip);
    assert_open_error(short_result, ODDPORT_CAPTURE_ERROR_NOT_CAPTURE,
                      "not a pcap or pcapng capture (starts with 50 4b)");

    /* One letter from P to _ could begin a skippable frame's magic, and is only text. */
    g_byte_array_set_size(zip, 1);
    g_autoptr(ReadResult) one_letter = read_bytes(zip);
    assert_open_error(one_letter, ODDPORT_CAPTURE_ERROR_NOT_CAPTURE,
                      "not a pcap or pcapng capture (starts with 50)");
}

static void test_open_directory(void)
{
    g_autoptr(ReadResult) result = read_path(g_get_tmp_dir());
    assert_open_error(result, ODDPORT_CAPTURE_ERROR_OPEN, "is a directory");
}

static void test_open_missing(void)
{
    g_autoptr(ReadResult) result = read_path("/nonexistent/oddport/capture.pcap");
    assert_open_error(result, ODDPORT_CAPTURE_ERROR_OPEN, "no such file or directory");
}

static void test_open_no_permission(void)
{
    if (geteuid() == 0) {
        g_test_skip("root reads files whatever their permissions");
        return;
    }
    g_autoptr(GByteArray) bytes = g_byte_array_new();
    g_byte_array_append(bytes, (const guint8 *)"\xd4\xc3\xb2\xa1", 4);
    g_autofree char *path = write_temporary(bytes);
    g_assert_cmpint(g_chmod(path, 0), ==, 0);
    g_autoptr(ReadResult) result = read_path(path);
    g_unlink(path);
    assert_open_error(result, ODDPORT_CAPTURE_ERROR_OPEN, "permission denied");
}

/* /proc files say they are empty but are not; the reader must read them rather than map them. */
static void test_open_unsized_file(void)
{
    g_autoptr(ReadResult) result = read_path("/proc/self/status");
    assert_open_error(result, ODDPORT_CAPTURE_ERROR_NOT_CAPTURE,
                      "not a pcap or pcapng capture (starts with 4e 61 6d 65)");
}

/* ---- Pipes ---- */

static GByteArray *sample_pcapng(void)
{
    Builder capture = builder_new(false);
    pcapng_section(&capture, false);
    pcapng_interface(&capture, 1, 0, -1, 0);
    pcapng_interface(&capture, 101, 128, 9, 0);
    for (unsigned index = 0; index < 200; index++)
        pcapng_enhanced_packet(&capture, index % 2, UINT64_C(1700000000000000) + index,
                               60 + index * 7 % 1400, 1514, index);
    pcapng_simple_packet(&capture, 100, 100, 60);
    pcapng_section(&capture, true);
    pcapng_interface(&capture, 113, 0, 0x80 | 20, 0);
    pcapng_enhanced_packet(&capture, 0, 1, 3000, 3000, 61);
    return capture.bytes;
}

static GByteArray *sample_pcap(void)
{
    Builder capture = builder_new(true);
    pcap_file_header(&capture, 0xa1b23c4d, 2, 4, 65535, 1);
    for (unsigned index = 0; index < 300; index++)
        pcap_record(&capture, false, 1700000000 + index, index, 60 + index * 13 % 1400, 1514, index,
                    60 + index * 13 % 1400);
    return capture.bytes;
}

/* Returns how many records the file gave, for callers to check. */
static guint check_pipe_matches_file(GByteArray *bytes, OddportReadStatus expected_status)
{
    g_autoptr(ReadResult) from_file = read_bytes(bytes);
    g_assert_no_error(from_file->open_error);
    g_assert_cmpint(from_file->status, ==, expected_status);
    g_assert_cmpuint(from_file->size, ==, bytes->len);

    g_autoptr(ReadResult) from_stdin = read_bytes_from_stdin_pipe(bytes);
    assert_same_results(from_file, from_stdin);
    g_assert_cmpuint(from_stdin->size, ==, 0);

    g_autoptr(ReadResult) from_fifo = read_bytes_from_fifo(bytes);
    assert_same_results(from_file, from_fifo);
    g_assert_cmpuint(from_fifo->size, ==, 0);

    g_autoptr(ReadResult) redirected = read_bytes_from_stdin_file(bytes);
    assert_same_results(from_file, redirected);
    g_assert_cmpuint(redirected->size, ==, bytes->len);

    /* A file read ahead gives the same records and the same end, whether the reader's first reads
     * found it all or not. */
    bool reading_ahead;
    g_autoptr(ReadResult) read_ahead = read_bytes_from_stdin_file_reading(bytes, &reading_ahead);
    assert_same_results(from_file, read_ahead);
    g_assert_true(reading_ahead || from_file->open_error != NULL || from_file->records->len == 0);
    return from_file->records->len;
}

static void test_pipe_same_records(void)
{
    g_autoptr(GByteArray) pcapng = sample_pcapng();
    g_assert_cmpuint(check_pipe_matches_file(pcapng, ODDPORT_READ_END), ==, 202);
    g_autoptr(GByteArray) pcap = sample_pcap();
    g_assert_cmpuint(check_pipe_matches_file(pcap, ODDPORT_READ_END), ==, 300);
}

static void test_pipe_same_failures(void)
{
    g_autoptr(GByteArray) pcapng = sample_pcapng();
    g_byte_array_set_size(pcapng, pcapng->len - 100);
    g_assert_cmpuint(check_pipe_matches_file(pcapng, ODDPORT_READ_TRUNCATED), ==, 201);

    g_autoptr(GByteArray) pcap = sample_pcap();
    g_byte_array_set_size(pcap, pcap->len - 5);
    g_assert_cmpuint(check_pipe_matches_file(pcap, ODDPORT_READ_TRUNCATED), ==, 299);

    g_autoptr(GByteArray) lying = sample_pcapng();
    /* The first packet block follows a 28-byte section header and interfaces of 32 and 40 bytes. */
    patch_u32(&(Builder){lying, false}, 28 + 32 + 40 + 4, 36);
    g_assert_cmpuint(check_pipe_matches_file(lying, ODDPORT_READ_DAMAGED), ==, 0);
}

/* A pcapng capture several of the reader's windows long, with every kind of block and lengths
 * that end blocks at every place in a window, so that blocks are taken whole where they lie ready
 * and by parts where a window ends inside them; a second section, big-endian, starts a MiB and a
 * half in. With `lie_at_offset`, the first enhanced packet block at or past it states a trailing
 * length one word longer than its own. Sets `*packets` to the records a reader gives, up to the
 * lie when there is one. */
static GByteArray *large_pcapng(size_t lie_at_offset, guint *packets)
{
    Builder capture = builder_new(false);
    pcapng_section(&capture, false);
    pcapng_interface(&capture, 1, 0, -1, 0);
    pcapng_interface(&capture, 101, 128, 9, 0);
    bool second_section = false;
    bool lied = false;
    *packets = 0;
    for (unsigned index = 0; capture.bytes->len < 3 * 1024 * 1024; index++) {
        if (!second_section && capture.bytes->len >= 1536 * 1024) {
            pcapng_section(&capture, true);
            pcapng_interface(&capture, 1, 0, 0x80 | 20, 0);
            second_section = true;
        }
        uint64_t ticks = UINT64_C(1700000000000000) + index;
        uint32_t captured = 60 + index * 37 % 1455;
        if (index % 997 == 5)
            pcapng_other_block(&capture, 0x00000005, 4 + index % 61); /* statistics */
        if (index % 499 == 7) {
            pcapng_simple_packet(&capture, captured, captured, index);
        } else if (index % 251 == 3) {
            pcapng_obsolete_packet(&capture, 0, ticks, captured, 1514, index);
        } else {
            size_t start = capture.bytes->len;
            pcapng_enhanced_packet(&capture, second_section ? 0 : index % 2, ticks, captured, 1514,
                                   index);
            if (lie_at_offset > 0 && !lied && start >= lie_at_offset) {
                size_t length = capture.bytes->len - start;
                patch_u32(&capture, start + length - 4, (uint32_t)length + 4);
                lied = true;
            }
        }
        if (!lied)
            ++*packets;
    }
    g_assert_true(second_section);
    g_assert_true(lied == (lie_at_offset > 0));
    return capture.bytes;
}

static void test_pipe_large_pcapng(void)
{
    guint packets;
    g_autoptr(GByteArray) whole = large_pcapng(0, &packets);
    g_assert_cmpuint(check_pipe_matches_file(whole, ODDPORT_READ_END), ==, packets);
    g_autoptr(GByteArray) lying = large_pcapng(2560 * 1024, &packets);
    g_assert_cmpuint(check_pipe_matches_file(lying, ODDPORT_READ_DAMAGED), ==, packets);
    g_autoptr(ReadResult) result = read_bytes(lying);
    g_assert_nonnull(strstr(result->error->message, "does not match leading length"));
}

/* Reads made while a test notes them: where each copied to, where in the file it began, whether
 * it said where (pread: the reader's timed reads, its only ones), and whether the thread that
 * runs the tests made it (else the reader's own thread that reads ahead did). This program's read
 * and pread replace the C library's for the reader too. */
typedef struct {
    uintptr_t destination;
    int64_t file_offset;
    bool positioned;
    bool by_test_thread;
} NotedRead;

static GMutex noted_reads_lock;
static GArray *noted_reads; /* of NotedRead; NULL while no test notes them */
static pthread_t test_thread;

static void note_read(void *buffer, int64_t file_offset, bool positioned)
{
    if (noted_reads == NULL)
        return;
    NotedRead noted = {(uintptr_t)buffer, file_offset, positioned,
                       pthread_equal(pthread_self(), test_thread)};
    g_mutex_lock(&noted_reads_lock);
    g_array_append_val(noted_reads, noted);
    g_mutex_unlock(&noted_reads_lock);
}

ssize_t read(int fd, void *buffer, size_t count)
{
    if (noted_reads != NULL)
        note_read(buffer, lseek(fd, 0, SEEK_CUR), false);
    return syscall(SYS_read, fd, buffer, count);
}

ssize_t pread(int fd, void *buffer, size_t count, off_t offset)
{
    note_read(buffer, offset, true);
    return syscall(SYS_pread64, fd, buffer, count, offset);
}

/* A file large enough that the reader times mapping it against reading it (64 MiB and more)
 * gives the same records whichever it chose, as the same bytes from standard input do, and so
 * does a second such file, which takes the first one's verdict. The timed reads copy to the start
 * of a page, as the reader's own windows do: 16 bytes past one, where malloc put them, the copy
 * ran at a quarter of its speed on AMD processors, and mapping won where reading was faster. */
/* The resident size of the mapping that starts at `start`, in bytes, from /proc/self/smaps; false
 * where that says nothing of it (no /proc, or a program such as valgrind between it and the
 * kernel). */
static bool mapping_resident_bytes(const uint8_t *start, size_t *resident)
{
    g_autofree char *smaps = NULL;
    if (!g_file_get_contents("/proc/self/smaps", &smaps, NULL, NULL))
        return false;
    g_autofree char *heading =
        g_strdup_printf("%" G_GINT64_MODIFIER "x-", (guint64)(uintptr_t)start);
    const char *entry = strstr(smaps, heading);
    while (entry != NULL && entry != smaps && entry[-1] != '\n')
        entry = strstr(entry + 1, heading);
    const char *rss = entry != NULL ? strstr(entry, "\nRss:") : NULL;
    if (rss == NULL)
        return false;
    *resident = (size_t)g_ascii_strtoull(rss + strlen("\nRss:"), NULL, 10) * 1024;
    return true;
}

/* A mapped capture of blocks longer than the chunks its pages are handed back in: the pages far
 * behind the reader go back however long each block is, so that what stays mapped is bounded by
 * how far behind the reader they go (24 MiB, 8 MiB at a time), not by the file. With a block
 * taken in one move and one chunk handed back a move, 60 MiB of 12 MiB blocks left 28 MiB
 * mapped at the end, and more with every block; now 20. */
static void test_mapped_long_blocks_handed_back(void)
{
    enum { BLOCKS = 5, CAPTURED = 12 * 1024 * 1024 };
    Builder capture = builder_new(false);
    pcapng_section(&capture, false);
    pcapng_interface(&capture, 1, 0, -1, 0);
    /* Zeros: packet_bytes's patterns are shorter than these blocks. */
    g_autofree uint8_t *zeros = g_malloc0(CAPTURED);
    for (unsigned index = 0; index < BLOCKS; index++)
        pcapng_enhanced_packet_of(&capture, 0, index, CAPTURED, CAPTURED, zeros);
    g_autoptr(GByteArray) bytes = capture.bytes;
    /* Under the size at which the reader times mapping against reading: always mapped. */
    g_assert_cmpuint(bytes->len, <, 64 * 1024 * 1024);
    g_autofree char *path = write_temporary(bytes);
    GError *error = NULL;
    OddportCaptureReader *reader = oddport_capture_open(path, &error);
    g_assert_no_error(error);
    const uint8_t *start;
    size_t size;
    g_assert_true(oddport_capture_mapped_file(reader, &start, &size));
    OddportRecord record;
    unsigned records = 0;
    while (oddport_capture_next(reader, &record, &error) == ODDPORT_READ_RECORD) {
        g_assert_cmpuint(record.captured_length, ==, CAPTURED);
        /* Every page read, as a caller that copies its records reads them. */
        unsigned sum = 0;
        for (size_t offset = 0; offset < CAPTURED; offset += 4096)
            sum += record.data[offset];
        g_assert_cmpuint(sum, ==, 0);
        records++;
    }
    g_assert_no_error(error);
    g_assert_cmpuint(records, ==, BLOCKS);
    size_t resident;
    if (mapping_resident_bytes(start, &resident))
        g_assert_cmpuint(resident, <=, 24 * 1024 * 1024);
    else
        g_test_skip("/proc/self/smaps does not show the capture's mapping");
    oddport_capture_close(reader);
    g_unlink(path);
}

static void test_large_file_same_records(void)
{
    Builder capture = builder_new(false);
    pcap_file_header(&capture, 0xa1b2c3d4, 2, 4, 65535, 1);
    enum { RECORDS = 90000 };
    for (unsigned index = 0; index < RECORDS; index++)
        pcap_record(&capture, false, 1700000000 + index / 1000, index % 1000 * 1000,
                    60 + index * 37 % 1440, 1514, index, 60 + index * 37 % 1440);
    g_autoptr(GByteArray) bytes = capture.bytes;
    g_assert_cmpuint(bytes->len, >, 64 * 1024 * 1024);
    noted_reads = g_array_new(FALSE, FALSE, sizeof(NotedRead));
    g_autoptr(ReadResult) from_file = read_bytes(bytes);
    g_autoptr(GArray) reads = noted_reads;
    noted_reads = NULL;
    guint timed_reads = 0;
    for (guint index = 0; index < reads->len; index++) {
        const NotedRead *noted = &g_array_index(reads, NotedRead, index);
        if (!noted->positioned)
            continue;
        g_assert_cmpuint(noted->destination % 4096, ==, 0);
        timed_reads++;
    }
    g_assert_cmpuint(timed_reads, >, 0);
    g_assert_no_error(from_file->open_error);
    g_assert_cmpint(from_file->status, ==, ODDPORT_READ_END);
    g_assert_cmpuint(from_file->records->len, ==, RECORDS);
    g_assert_cmpuint(from_file->size, ==, bytes->len);
    g_autoptr(ReadResult) redirected = read_bytes_from_stdin_file(bytes);
    assert_same_results(from_file, redirected);
    g_autoptr(ReadResult) second_file = read_bytes(bytes);
    assert_same_results(from_file, second_file);
}

/* Records longer than the reader's first window of streamed bytes, among short ones, and more
 * bytes in all than several windows hold: the window grows for the long records, and every
 * record comes out whole wherever the reads cut it. */
static void test_pipe_records_longer_than_window(void)
{
    static const uint32_t lengths[] = {60, 300000, 1514, 700001, 90, 262145, 64, 1000000, 61};
    Builder capture = builder_new(false);
    pcap_file_header(&capture, 0xa1b2c3d4, 2, 4, 2000000, 1);
    for (unsigned round = 0; round < 2; round++)
        for (unsigned index = 0; index < G_N_ELEMENTS(lengths); index++)
            pcap_record(&capture, false, 1700000000 + round, index, lengths[index], lengths[index],
                        round * 100 + index, lengths[index]);
    g_assert_cmpuint(check_pipe_matches_file(capture.bytes, ODDPORT_READ_END), ==,
                     2 * G_N_ELEMENTS(lengths));
    g_byte_array_unref(capture.bytes);
}

/* The reads from `first` on copy as far past their source as a page of memory lies past one of
 * the file: not at all. A read that continues one cut short copies on from where it stopped;
 * reads at the end of the file, `size` bytes, copy nothing. */
static void assert_reads_copy_page_to_page(const GArray *reads, guint first, size_t size)
{
    for (guint index = first; index < reads->len; index++) {
        const NotedRead *noted = &g_array_index(reads, NotedRead, index);
        if (noted->file_offset < (int64_t)size)
            g_assert_cmpuint((noted->destination - (uint64_t)noted->file_offset) % 4096, ==, 0);
    }
}

/* A thread that reads a file ahead from wherever the reader was, which is seldom where a page of
 * the file begins, ends its first read where one ends: every later read then copies from a place
 * in a page of the file to the same place in a page of the window. AMD processors copy at a
 * quarter of their speed to a place 1 to 31 bytes past the source, counted within 4 KiB, and
 * without this every read of a run lay as far past as its first. */
static void test_read_ahead_reads_from_page_starts(void)
{
    Builder capture = builder_new(false);
    pcap_file_header(&capture, 0xa1b2c3d4, 2, 4, 65535, 1);
    enum { RECORDS = 12000, BEFORE_READING_AHEAD = 600 };
    for (unsigned index = 0; index < RECORDS; index++) {
        uint32_t length = index % 3 == 0 ? 77 : 1514;
        pcap_record(&capture, false, 1700000000, index, length, length, index, length);
    }
    g_autoptr(GByteArray) bytes = capture.bytes;
    g_autofree char *path = write_temporary(bytes);
    int fd = open(path, O_RDONLY);
    g_assert_cmpint(fd, >=, 0);
    GError *error = NULL;
    OddportCaptureReader *reader = open_as_stdin(fd, &error);
    g_assert_no_error(error);
    OddportRecord record;
    guint records = 0;
    for (; records < BEFORE_READING_AHEAD; records++)
        g_assert_cmpint(oddport_capture_next(reader, &record, &error), ==, ODDPORT_READ_RECORD);
    noted_reads = g_array_new(FALSE, FALSE, sizeof(NotedRead));
    g_assert_true(oddport_capture_read_ahead(reader));
    while (oddport_capture_next(reader, &record, &error) == ODDPORT_READ_RECORD)
        records++;
    g_assert_no_error(error);
    oddport_capture_close(reader);
    g_unlink(path);
    g_assert_cmpuint(records, ==, RECORDS);
    g_autoptr(GArray) reads = noted_reads;
    noted_reads = NULL;
    /* The thread's reads: the reader had read to no page's start when it began, and it read the
     * rest (over 14 MiB) in several reads. */
    guint kept = 0;
    for (guint index = 0; index < reads->len; index++)
        if (!g_array_index(reads, NotedRead, index).by_test_thread)
            g_array_index(reads, NotedRead, kept++) = g_array_index(reads, NotedRead, index);
    g_array_set_size(reads, kept);
    g_assert_cmpuint(reads->len, >=, 4);
    g_assert_cmpint(g_array_index(reads, NotedRead, 0).file_offset % 4096, !=, 0);
    assert_reads_copy_page_to_page(reads, 1, bytes->len);
}

/* A record kept by the test of held windows: where the reader left its bytes, a copy of them, and
 * the window that holds them. */
typedef struct {
    const uint8_t *bytes;
    GBytes *copy;
    uint64_t window;
} HeldRecord;

/* Every record still held has its bytes where the reader left them, unchanged. */
static void assert_held_records_intact(GArray *held, guint from)
{
    for (guint index = from; index < held->len; index++) {
        const HeldRecord *record = &g_array_index(held, HeldRecord, index);
        size_t length;
        const void *copy = g_bytes_get_data(record->copy, &length);
        g_assert_true(memcmp(record->bytes, copy, length) == 0);
    }
}

/* Reads `reader` to its end holding every record's window, and hands windows back only up to the
 * record read `lag` records before: the records still held keep their bytes however the reads
 * cut them and whatever lengths follow. From record `read_ahead_from` on (G_MAXUINT: never), a
 * thread reads the file ahead. Returns the records read. */
static guint read_holding_windows(OddportCaptureReader *reader, guint lag, guint read_ahead_from)
{
    g_autoptr(GArray) held = g_array_new(FALSE, FALSE, sizeof(HeldRecord));
    guint released_through = 0; /* records before it may have lost their bytes */
    OddportRecord record;
    GError *error = NULL;
    uint64_t last_window = 0;
    while (oddport_capture_next(reader, &record, &error) == ODDPORT_READ_RECORD) {
        if (held->len == read_ahead_from)
            g_assert_true(oddport_capture_read_ahead(reader));
        HeldRecord kept = {record.data, g_bytes_new(record.data, record.captured_length), 0};
        g_assert_true(
            oddport_capture_hold_window(reader, record.data, record.captured_length, &kept.window));
        g_assert_cmpuint(kept.window, >=, last_window);
        last_window = kept.window;
        g_assert_cmpuint(oddport_capture_held_bytes(reader), >=, record.captured_length);
        g_array_append_val(held, kept);
        if (held->len > lag) {
            uint64_t oldest_needed = g_array_index(held, HeldRecord, held->len - lag).window;
            oddport_capture_release_windows(reader, oldest_needed);
            released_through = held->len - lag;
        }
        assert_held_records_intact(held, released_through);
    }
    g_assert_no_error(error);
    oddport_capture_release_windows(reader, UINT64_MAX);
    g_assert_cmpuint(oddport_capture_held_bytes(reader), ==, 0);
    guint records = held->len;
    for (guint index = 0; index < held->len; index++)
        g_bytes_unref(g_array_index(held, HeldRecord, index).copy);
    return records;
}

/* A streamed reader's held windows keep their records' bytes until handed back, as -j's workers
 * read payloads in them: records short and longer than a window, read from a file as standard
 * input, read ahead from the start or from the middle on, and from a pipe in odd pieces, handed
 * back one record behind and many behind. A mapped file's records lie in no window and are not
 * held, and it is not read ahead. */
static void test_held_windows_keep_bytes(void)
{
    /* Longer than the room kept in front of a window read ahead (64 KiB), than a first window
     * (256 KiB), and than one read ahead (1984 KiB, after that room). */
    static const uint32_t lengths[] = {60, 1514, 300000, 90, 700001, 64, 9000, 262145, 61, 2100000};
    Builder capture = builder_new(false);
    pcap_file_header(&capture, 0xa1b2c3d4, 2, 4, 4000000, 1);
    guint written = 0;
    for (unsigned round = 0; round < 40; round++)
        for (unsigned index = 0; index < G_N_ELEMENTS(lengths); index++) {
            /* Mostly short records, so that many lie in each window. */
            uint32_t length =
                round % 8 == 7 ? lengths[index] : 60 + (round * 9 + index) * 37 % 1455;
            pcap_record(&capture, false, 1700000000 + round, index, length, length, written++,
                        length);
        }
    g_autofree char *path = write_temporary(capture.bytes);
    static const guint lags[] = {1, 2, 500};
    const guint read_ahead_from[] = {G_MAXUINT, 0, written / 2};
    for (unsigned which = 0; which < G_N_ELEMENTS(lags); which++) {
        GError *error = NULL;
        OddportCaptureReader *reader;
        for (unsigned start = 0; start < G_N_ELEMENTS(read_ahead_from); start++) {
            int fd = open(path, O_RDONLY);
            g_assert_cmpint(fd, >=, 0);
            reader = open_as_stdin(fd, &error);
            g_assert_no_error(error);
            g_assert_cmpuint(read_holding_windows(reader, lags[which], read_ahead_from[start]), ==,
                             written);
            oddport_capture_close(reader);
        }

        int ends[2];
        g_assert_cmpint(pipe(ends), ==, 0);
        PipeWriter writer = {capture.bytes, ends[1], NULL, false};
        GThread *thread = g_thread_new("pipe-writer", pipe_writer_run, &writer);
        reader = open_as_stdin(ends[0], &error);
        g_assert_no_error(error);
        g_assert_false(oddport_capture_read_ahead(reader));
        g_assert_cmpuint(read_holding_windows(reader, lags[which], G_MAXUINT), ==, written);
        oddport_capture_close(reader);
        g_thread_join(thread);
    }

    GError *error = NULL;
    OddportCaptureReader *mapped = oddport_capture_open(path, &error);
    g_assert_no_error(error);
    OddportRecord record;
    g_assert_cmpint(oddport_capture_next(mapped, &record, &error), ==, ODDPORT_READ_RECORD);
    uint64_t window = 7;
    g_assert_false(
        oddport_capture_hold_window(mapped, record.data, record.captured_length, &window));
    g_assert_cmpuint(window, ==, 7);
    g_assert_cmpuint(oddport_capture_held_bytes(mapped), ==, 0);
    g_assert_false(oddport_capture_read_ahead(mapped));
    oddport_capture_close(mapped);
    g_unlink(path);
    g_byte_array_unref(capture.bytes);
}

/* A pipe read as standard input is asked for a 1 MiB buffer, so that its producer fills it in
 * fewer turns; where the system gives no pipe that much, there is nothing to check. */
static void test_pipe_buffer_grown(void)
{
#ifndef F_SETPIPE_SZ
    g_test_skip("this system has no F_SETPIPE_SZ: pipes keep their size");
#else
    enum { WANTED = 1024 * 1024 };
    int scratch[2];
    g_assert_cmpint(pipe(scratch), ==, 0);
    bool allowed = fcntl(scratch[0], F_SETPIPE_SZ, WANTED) >= WANTED;
    close(scratch[0]);
    close(scratch[1]);
    if (!allowed) {
        g_test_skip("this system gives no pipe a 1 MiB buffer");
        return;
    }
    int ends[2];
    g_assert_cmpint(pipe(ends), ==, 0);
    g_assert_cmpint(fcntl(ends[0], F_GETPIPE_SZ), <, WANTED);
    g_autoptr(GByteArray) pcap = sample_pcap();
    g_assert_cmpint(write(ends[1], pcap->data, 24), ==, 24);
    GError *open_error = NULL;
    OddportCaptureReader *reader = open_as_stdin(ends[0], &open_error);
    g_assert_no_error(open_error);
    g_assert_cmpint(fcntl(ends[1], F_GETPIPE_SZ), >=, WANTED);
    close(ends[1]);
    oddport_capture_close(reader);
#endif
}

/* A record that claims gigabytes through a pipe is damaged, and no allocation is made for it;
 * one that claims less than the largest record but more than the pipe holds is cut short. */
static void test_pipe_huge_claimed_length(void)
{
    Builder capture = builder_new(false);
    pcap_file_header(&capture, 0xa1b2c3d4, 2, 4, UINT32_MAX, 1);
    pcap_record(&capture, false, 1, 0, 0xfffffff0u, 0xfffffff0u, 62, 10);
    g_autoptr(ReadResult) from_stdin = read_bytes_from_stdin_pipe(capture.bytes);
    assert_failure(from_stdin, ODDPORT_READ_DAMAGED,
                   "record 1 claims 4294967280 bytes, more than the 16 MiB a record may take");
    g_autoptr(ReadResult) from_file = read_bytes(capture.bytes);
    assert_same_results(from_file, from_stdin);
    g_byte_array_unref(capture.bytes);

    capture = builder_new(false);
    pcap_file_header(&capture, 0xa1b2c3d4, 2, 4, UINT32_MAX, 1);
    pcap_record(&capture, false, 1, 0, 8000000, 8000000, 62, 10);
    g_autoptr(ReadResult) cut_from_stdin = read_bytes_from_stdin_pipe(capture.bytes);
    assert_failure(cut_from_stdin, ODDPORT_READ_TRUNCATED,
                   "file ends inside record 1 (needed 8000000 bytes, 10 left)");
    g_autoptr(ReadResult) cut_from_file = read_bytes(capture.bytes);
    assert_same_results(cut_from_file, cut_from_stdin);
    g_byte_array_unref(capture.bytes);
}

/* ---- Compressed captures ---- */

typedef enum {
    COMPRESS_GZIP,
    COMPRESS_ZSTD,
    COMPRESS_LZ4,
} Compressor;

static const char *const compressor_names[] = {"gzip", "zstd", "lz4"};

static bool compressor_built(Compressor compressor)
{
    switch (compressor) {
    case COMPRESS_GZIP:
        return ODDPORT_HAVE_ZLIB != 0;
    case COMPRESS_ZSTD:
        return ODDPORT_HAVE_ZSTD != 0;
    case COMPRESS_LZ4:
        return ODDPORT_HAVE_LZ4 != 0;
    }
    return false;
}

/* Appends `length` bytes compressed as one gzip member, zstd frame or lz4 frame. Tests call it
 * only for compressors the build has; without any, the parameters go unused. */
static void append_compressed(G_GNUC_UNUSED GByteArray *output, Compressor compressor,
                              G_GNUC_UNUSED const uint8_t *bytes, G_GNUC_UNUSED size_t length)
{
    switch (compressor) {
    case COMPRESS_GZIP: {
#if ODDPORT_HAVE_ZLIB
        z_stream stream = {0};
        /* 16 + 15: a gzip wrapper around the largest deflate window. */
        g_assert_cmpint(deflateInit2(&stream, 6, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY), ==,
                        Z_OK);
        guint start = output->len;
        g_byte_array_set_size(output, start + (guint)deflateBound(&stream, (uLong)length));
        stream.next_in = (Bytef *)bytes;
        stream.avail_in = (uInt)length;
        stream.next_out = output->data + start;
        stream.avail_out = output->len - start;
        g_assert_cmpint(deflate(&stream, Z_FINISH), ==, Z_STREAM_END);
        g_byte_array_set_size(output, start + (guint)stream.total_out);
        deflateEnd(&stream);
#endif
        break;
    }
    case COMPRESS_ZSTD: {
#if ODDPORT_HAVE_ZSTD
        /* With a checksum, as the zstd command writes by default. */
        ZSTD_CCtx *context = ZSTD_createCCtx();
        g_assert_false(ZSTD_isError(ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, 1)));
        guint start = output->len;
        g_byte_array_set_size(output, start + (guint)ZSTD_compressBound(length));
        size_t size =
            ZSTD_compress2(context, output->data + start, output->len - start, bytes, length);
        g_assert_false(ZSTD_isError(size));
        g_byte_array_set_size(output, start + (guint)size);
        ZSTD_freeCCtx(context);
#endif
        break;
    }
    case COMPRESS_LZ4: {
#if ODDPORT_HAVE_LZ4
        /* With a content checksum, as the lz4 command writes by default. */
        LZ4F_preferences_t preferences = {0};
        preferences.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled;
        guint start = output->len;
        g_byte_array_set_size(output, start + (guint)LZ4F_compressFrameBound(length, &preferences));
        size_t size = LZ4F_compressFrame(output->data + start, output->len - start, bytes, length,
                                         &preferences);
        g_assert_false(LZ4F_isError(size));
        g_byte_array_set_size(output, start + (guint)size);
#endif
        break;
    }
    }
}

/* `bytes` compressed, in `pieces` members or frames split at uneven places (transfer full). */
static GByteArray *compress_in_pieces(Compressor compressor, const GByteArray *bytes,
                                      unsigned pieces)
{
    GByteArray *output = g_byte_array_new();
    size_t done = 0;
    for (unsigned piece = 1; piece <= pieces; piece++) {
        /* Cuts fall inside records, and the first inside the file header. */
        size_t end = piece == pieces ? bytes->len : MIN(bytes->len, (size_t)piece * piece * 7 + 3);
        if (end < done)
            end = done;
        append_compressed(output, compressor, bytes->data + done, end - done);
        done = end;
    }
    return output;
}

static GByteArray *compress_whole(Compressor compressor, const GByteArray *bytes)
{
    return compress_in_pieces(compressor, bytes, 1);
}

/* The same records, format and precision as the uncompressed run, and the file's own bytes for
 * progress. */
static void assert_same_capture(const ReadResult *plain, const ReadResult *compressed)
{
    g_assert_no_error(compressed->open_error);
    g_assert_cmpint(compressed->status, ==, plain->status);
    g_assert_cmpint(compressed->format, ==, plain->format);
    g_assert_cmpuint(compressed->precision_digits, ==, plain->precision_digits);
    g_assert_cmpuint(compressed->records->len, ==, plain->records->len);
    for (guint index = 0; index < plain->records->len; index++) {
        const SavedRecord *one = plain->records->pdata[index];
        const SavedRecord *other = compressed->records->pdata[index];
        g_assert_cmpuint(one->fields.timestamp_ns, ==, other->fields.timestamp_ns);
        g_assert_cmpuint(one->fields.captured_length, ==, other->fields.captured_length);
        g_assert_cmpuint(one->fields.wire_length, ==, other->fields.wire_length);
        g_assert_cmpuint(one->fields.link_type, ==, other->fields.link_type);
        g_assert_true(g_bytes_equal(one->bytes, other->bytes));
    }
}

/* Reads `compressed` as a file, from standard input and from a FIFO; each must give what the
 * uncompressed `plain` gives. */
static void check_compressed_reads_like(const GByteArray *plain_bytes, const GByteArray *compressed)
{
    g_autoptr(ReadResult) plain = read_bytes(plain_bytes);
    g_autoptr(ReadResult) from_file = read_bytes(compressed);
    assert_same_capture(plain, from_file);
    g_assert_cmpuint(from_file->size, ==, compressed->len);
    g_assert_cmpuint(from_file->offset, ==, compressed->len);
    if (plain->error != NULL)
        g_assert_cmpstr(from_file->error->message, ==, plain->error->message);

    g_autoptr(ReadResult) from_stdin = read_bytes_from_stdin_pipe(compressed);
    assert_same_capture(plain, from_stdin);
    assert_same_errors(from_file->error, from_stdin->error);
    g_assert_cmpuint(from_stdin->size, ==, 0);
    g_assert_cmpuint(from_stdin->offset, ==, compressed->len);

    g_autoptr(ReadResult) from_fifo = read_bytes_from_fifo(compressed);
    assert_same_capture(plain, from_fifo);
    assert_same_errors(from_file->error, from_fifo->error);

    /* A redirected file's first read fills the reader's whole first window: the decompressor
     * must get every byte of it, not only the magic that told the compression. */
    g_autoptr(ReadResult) redirected = read_bytes_from_stdin_file(compressed);
    assert_same_capture(plain, redirected);
    assert_same_errors(from_file->error, redirected->error);
    g_assert_cmpuint(redirected->offset, ==, compressed->len);

    /* A pipe whose first read brings only a little: as much of the input is taken as from a
     * file, even where the capture ends early (a damaged one stopped inside that first piece). */
    g_autoptr(ReadResult) first_read_short = read_from_stdin_pipe(compressed, true);
    assert_same_capture(plain, first_read_short);
    assert_same_errors(from_file->error, first_read_short->error);
    g_assert_cmpuint(first_read_short->offset, ==, compressed->len);
}

static void test_compressed_same_records(gconstpointer data)
{
    Compressor compressor = GPOINTER_TO_INT(data);
    if (!compressor_built(compressor)) {
        g_test_skip("built without this compression library");
        return;
    }
    g_autoptr(GByteArray) pcap = sample_pcap();
    g_autoptr(GByteArray) pcapng = sample_pcapng();
    GByteArray *captures[] = {pcap, pcapng};
    for (size_t index = 0; index < G_N_ELEMENTS(captures); index++) {
        g_autoptr(GByteArray) compressed = compress_whole(compressor, captures[index]);
        check_compressed_reads_like(captures[index], compressed);

        GError *error = NULL;
        g_autofree char *path = write_temporary(compressed);
        OddportCaptureReader *reader = oddport_capture_open(path, &error);
        g_assert_no_error(error);
        g_assert_cmpstr(oddport_capture_compression_name(reader), ==, compressor_names[compressor]);
        oddport_capture_close(reader);
        g_unlink(path);
    }
    g_autofree char *path = write_temporary(pcap);
    GError *error = NULL;
    OddportCaptureReader *reader = oddport_capture_open(path, &error);
    g_assert_no_error(error);
    g_assert_null(oddport_capture_compression_name(reader));
    oddport_capture_close(reader);
    g_unlink(path);
}

/* A compressed capture read as a stream fills its buffer of compressed bytes whole, each read
 * from where the last ended: the buffer starts on a page, so that every read after the first
 * window's copies from a place in a page of the file to the same place in a page of memory. From
 * malloc it lay 16 bytes past one, and every read copied there (see the test of reading ahead):
 * 1M packets compressed with zstd took 1.15 times as long from a redirected file (9 rounds). */
static void test_compressed_stream_reads_from_page_starts(void)
{
    Compressor compressor = COMPRESS_GZIP;
    while (compressor <= COMPRESS_LZ4 && !compressor_built(compressor))
        compressor++;
    if (compressor > COMPRESS_LZ4) {
        g_test_skip("built without any compression library");
        return;
    }
    /* Random payloads, which do not compress: several buffers' worth of compressed bytes. */
    enum { RECORDS = 1000, PAYLOAD = 1400 };
    Builder capture = builder_new(false);
    pcap_file_header(&capture, 0xa1b2c3d4, 2, 4, 65535, 1);
    GRand *random = g_rand_new_with_seed(7);
    uint8_t payload[PAYLOAD];
    for (unsigned index = 0; index < RECORDS; index++) {
        for (size_t byte = 0; byte < sizeof payload; byte++)
            payload[byte] = (uint8_t)g_rand_int(random);
        put_u32(&capture, 1700000000);
        put_u32(&capture, index);
        put_u32(&capture, PAYLOAD);
        put_u32(&capture, PAYLOAD);
        put_bytes(&capture, payload, sizeof payload);
    }
    g_rand_free(random);
    g_autoptr(GByteArray) plain = capture.bytes;
    g_autoptr(GByteArray) compressed = compress_whole(compressor, plain);
    g_assert_cmpuint(compressed->len, >, 4 * 256 * 1024);
    noted_reads = g_array_new(FALSE, FALSE, sizeof(NotedRead));
    g_autoptr(ReadResult) result = read_bytes_from_stdin_file(compressed);
    g_autoptr(GArray) reads = noted_reads;
    noted_reads = NULL;
    g_assert_no_error(result->open_error);
    g_assert_cmpuint(result->records->len, ==, RECORDS);
    g_assert_cmpuint(reads->len, >=, 5);
    assert_reads_copy_page_to_page(reads, 1, compressed->len);
}

/* `cat a.gz b.gz` (and zstd's and lz4's concatenated frames) read as one stream, wherever the
 * cut between them falls, even inside the file header. */
static void test_compressed_concatenated(gconstpointer data)
{
    Compressor compressor = GPOINTER_TO_INT(data);
    if (!compressor_built(compressor)) {
        g_test_skip("built without this compression library");
        return;
    }
    g_autoptr(GByteArray) pcap = sample_pcap();
    g_autoptr(GByteArray) in_pieces = compress_in_pieces(compressor, pcap, 40);
    check_compressed_reads_like(pcap, in_pieces);
    g_autoptr(GByteArray) pcapng = sample_pcapng();
    g_autoptr(GByteArray) pcapng_pieces = compress_in_pieces(compressor, pcapng, 40);
    check_compressed_reads_like(pcapng, pcapng_pieces);
}

/* pzstd starts each zstd frame with a skippable frame that says how long the frame is: such a
 * file is zstd, not "not a capture", from its first frame to its last. */
static void test_compressed_zstd_skippable_frames(void)
{
    if (!compressor_built(COMPRESS_ZSTD)) {
        g_test_skip("built without libzstd");
        return;
    }
    g_autoptr(GByteArray) pcap = sample_pcap();
    g_autoptr(GByteArray) with_skippable = g_byte_array_new();
    size_t half = pcap->len / 2;
    const size_t starts[] = {0, half};
    const size_t lengths[] = {half, pcap->len - half};
    for (size_t piece = 0; piece < G_N_ELEMENTS(starts); piece++) {
        g_autoptr(GByteArray) frame = g_byte_array_new();
        append_compressed(frame, COMPRESS_ZSTD, pcap->data + starts[piece], lengths[piece]);
        /* Magic 0x184D2A50 and a 4-byte body, little-endian, as pzstd writes them. */
        static const uint8_t skippable_header[8] = {0x50, 0x2a, 0x4d, 0x18, 4, 0, 0, 0};
        g_byte_array_append(with_skippable, skippable_header, sizeof skippable_header);
        uint8_t frame_length[4];
        for (unsigned byte = 0; byte < 4; byte++)
            frame_length[byte] = (uint8_t)(frame->len >> (8 * byte));
        g_byte_array_append(with_skippable, frame_length, sizeof frame_length);
        g_byte_array_append(with_skippable, frame->data, frame->len);
    }
    check_compressed_reads_like(pcap, with_skippable);
}

/* A capture that was itself cut short reads the same compressed: same records, same message. */
static void test_compressed_truncated_capture(gconstpointer data)
{
    Compressor compressor = GPOINTER_TO_INT(data);
    if (!compressor_built(compressor)) {
        g_test_skip("built without this compression library");
        return;
    }
    g_autoptr(GByteArray) pcap = sample_pcap();
    g_byte_array_set_size(pcap, pcap->len - 5);
    g_autoptr(GByteArray) compressed = compress_whole(compressor, pcap);
    check_compressed_reads_like(pcap, compressed);

    g_autoptr(GByteArray) lying = sample_pcapng();
    patch_u32(&(Builder){lying, false}, 28 + 32 + 40 + 4, 36);
    g_autoptr(GByteArray) lying_compressed = compress_whole(compressor, lying);
    check_compressed_reads_like(lying, lying_compressed);
}

/* The records a damaged or cut run gave must be the first records of the whole capture. */
static void assert_prefix_of(const ReadResult *whole, const ReadResult *part)
{
    g_assert_cmpuint(part->records->len, <=, whole->records->len);
    for (guint index = 0; index < part->records->len; index++) {
        const SavedRecord *one = whole->records->pdata[index];
        const SavedRecord *other = part->records->pdata[index];
        g_assert_cmpuint(one->fields.timestamp_ns, ==, other->fields.timestamp_ns);
        g_assert_true(g_bytes_equal(one->bytes, other->bytes));
    }
}

/* A compressed file cut anywhere gives the records before the cut and says the data is cut short,
 * from a file and from a pipe alike. */
static void test_compressed_cut(gconstpointer data)
{
    Compressor compressor = GPOINTER_TO_INT(data);
    if (!compressor_built(compressor)) {
        g_test_skip("built without this compression library");
        return;
    }
    g_autoptr(GByteArray) pcapng = sample_pcapng();
    g_autoptr(ReadResult) whole = read_bytes(pcapng);
    g_autoptr(GByteArray) compressed = compress_whole(compressor, pcapng);
    g_autofree char *cut_short =
        g_strdup_printf("the %s data is cut short", compressor_names[compressor]);
    guint step = MAX(compressed->len / 60, 1u);
    for (guint length = 1; length < compressed->len; length += step) {
        g_autoptr(GByteArray) cut = g_byte_array_new();
        g_byte_array_append(cut, compressed->data, length);
        g_autoptr(ReadResult) result = read_bytes(cut);
        if (result->open_error != NULL) {
            /* Cut before the capture's own header was out. */
            g_assert_error(result->open_error, ODDPORT_CAPTURE_ERROR,
                           ODDPORT_CAPTURE_ERROR_BAD_HEADER);
            /* Fewer bytes than the magic number cannot say which compression they begin. */
            g_assert_nonnull(strstr(result->open_error->message,
                                    length < 4 ? "file header cut short" : cut_short));
            continue;
        }
        assert_prefix_of(whole, result);
        g_assert_cmpuint(result->records->len, <, whole->records->len);
        g_assert_cmpint(result->status, ==, ODDPORT_READ_TRUNCATED);
        g_assert_nonnull(strstr(result->error->message, cut_short));
        g_autoptr(ReadResult) piped = read_bytes_from_stdin_pipe(cut);
        assert_same_capture(result, piped);
        assert_same_errors(result->error, piped->error);
    }

    /* The exact wording, for a cut inside a record. */
    g_autoptr(GByteArray) pcap = sample_pcap();
    g_autoptr(GByteArray) pcap_compressed = compress_whole(compressor, pcap);
    g_byte_array_set_size(pcap_compressed, pcap_compressed->len - 40);
    g_autoptr(ReadResult) result = read_bytes(pcap_compressed);
    g_assert_true(g_str_has_prefix(result->error->message, "file ends inside ") &&
                  strstr(result->error->message, " record ") != NULL);
    g_assert_true(g_str_has_suffix(result->error->message, cut_short));
}

/* Bytes changed anywhere in the compressed data: whatever comes out, the reader's invariants hold
 * (read_reader checks them) and nothing faults. */
static void test_compressed_damaged(gconstpointer data)
{
    Compressor compressor = GPOINTER_TO_INT(data);
    if (!compressor_built(compressor)) {
        g_test_skip("built without this compression library");
        return;
    }
    g_autoptr(GByteArray) pcapng = sample_pcapng();
    g_autoptr(GByteArray) compressed = compress_whole(compressor, pcapng);
    GRand *random = g_rand_new_with_seed(7);
    for (unsigned trial = 0; trial < 80; trial++) {
        g_autoptr(GByteArray) damaged = g_byte_array_new();
        g_byte_array_append(damaged, compressed->data, compressed->len);
        for (unsigned change = 0; change <= trial % 4; change++) {
            guint position = (guint)g_rand_int_range(random, 0, (gint32)damaged->len);
            damaged->data[position] ^= (uint8_t)g_rand_int_range(random, 1, 256);
        }
        g_autoptr(ReadResult) result = read_bytes(damaged);
        /* Where a codec notices damage depends on how its input was handed over, so mapped and
         * piped runs may name different offsets; they agree on the rest. */
        g_autoptr(ReadResult) piped = read_bytes_from_stdin_pipe(damaged);
        g_assert_true((result->open_error == NULL) == (piped->open_error == NULL));
        if (result->open_error == NULL) {
            assert_prefix_of(result, piped);
            assert_prefix_of(piped, result);
            g_assert_cmpint(result->status, ==, piped->status);
        }
    }
    g_rand_free(random);

    /* A changed checksum at the very end: the records come out, then the damage is named. */
    g_autoptr(GByteArray) pcap = sample_pcap();
    g_autoptr(ReadResult) whole = read_bytes(pcap);
    g_autoptr(GByteArray) bad_checksum = compress_whole(compressor, pcap);
    /* gzip ends with the CRC-32 and the length, zstd and lz4 frames with their checksum. */
    bad_checksum->data[bad_checksum->len - (compressor == COMPRESS_GZIP ? 8 : 4)] ^= 0x01;
    g_autoptr(ReadResult) result = read_bytes(bad_checksum);
    /* libzstd and liblz4 withhold the output of the call that found the checksum wrong, here all
     * of it; zlib gives it. */
    g_autofree char *named = g_strdup_printf("damaged %s data at or after compressed offset ",
                                             compressor_names[compressor]);
    if (compressor != COMPRESS_GZIP && result->open_error != NULL) {
        g_autofree char *header_named = g_strconcat("the file header has ", named, NULL);
        g_assert_true(g_str_has_prefix(result->open_error->message, header_named));
        return;
    }
    assert_prefix_of(whole, result);
    if (compressor == COMPRESS_GZIP)
        g_assert_cmpuint(result->records->len, ==, whole->records->len);
    g_assert_cmpint(result->status, ==, ODDPORT_READ_DAMAGED);
    g_autofree char *where = g_strdup_printf(") after %u bytes of capture", pcap->len);
    g_assert_true(g_str_has_prefix(result->error->message, named));
    g_assert_true(g_str_has_suffix(result->error->message, where));
}

/* Zero bytes after the last gzip member are padding, as gzip treats them; anything else after
 * the data is reported once every record has been read. */
static void test_compressed_trailing_bytes(void)
{
    if (!compressor_built(COMPRESS_GZIP)) {
        g_test_skip("built without zlib");
        return;
    }
    g_autoptr(GByteArray) pcap = sample_pcap();
    g_autoptr(ReadResult) whole = read_bytes(pcap);
    g_autoptr(GByteArray) padded = compress_whole(COMPRESS_GZIP, pcap);
    static const uint8_t zeros[700] = {0};
    g_byte_array_append(padded, zeros, sizeof zeros);
    g_autoptr(ReadResult) padded_result = read_bytes(padded);
    assert_same_capture(whole, padded_result);

    for (int after_padding = 0; after_padding <= 1; after_padding++) {
        g_autoptr(GByteArray) trailing = compress_whole(COMPRESS_GZIP, pcap);
        guint compressed_length = trailing->len;
        if (after_padding)
            g_byte_array_append(trailing, zeros, 10);
        g_byte_array_append(trailing, (const guint8 *)"garbage\n", 8);
        g_autoptr(ReadResult) result = read_bytes(trailing);
        g_assert_cmpuint(result->records->len, ==, whole->records->len);
        g_autofree char *expected = g_strdup_printf(
            "damaged gzip data at or after compressed offset %u (%s) after %u bytes of capture",
            compressed_length + (after_padding ? 10 : 0),
            after_padding ? "bytes other than zeros follow the padding after the last gzip member"
                          : "the bytes after a gzip member start no other member",
            pcap->len);
        assert_failure(result, ODDPORT_READ_DAMAGED, expected);
    }
}

/* A record that claims more than a compressed capture may hold at once, backed by megabytes of
 * zeros that compress to almost nothing: refused as damaged, not allocated. */
static void test_compressed_record_too_long(gconstpointer data)
{
    Compressor compressor = GPOINTER_TO_INT(data);
    if (!compressor_built(compressor)) {
        g_test_skip("built without this compression library");
        return;
    }
    Builder capture = builder_new(false);
    pcap_file_header(&capture, 0xa1b2c3d4, 2, 4, UINT32_MAX, 1);
    pcap_record(&capture, false, 1, 0, 60, 60, 63, 60);
    pcap_record(&capture, false, 2, 0, 0x7ffffff0u, 0x7ffffff0u, 64, 0);
    g_byte_array_set_size(capture.bytes, capture.bytes->len + (20u << 20));
    memset(capture.bytes->data + capture.bytes->len - (20u << 20), 0, 20u << 20);
    g_autoptr(GByteArray) compressed = compress_whole(compressor, capture.bytes);
    g_byte_array_unref(capture.bytes);
    g_autoptr(ReadResult) result = read_bytes(compressed);
    g_assert_cmpuint(result->records->len, ==, 1);
    assert_failure(result, ODDPORT_READ_DAMAGED,
                   "record 2 claims 2147483632 bytes, more than the 16 MiB a record may take");

    /* Within the bound, a long record makes the window grow: a 3 MiB record in a pcapng block. */
    Builder large = builder_new(false);
    pcapng_section(&large, false);
    pcapng_interface(&large, 1, 0, -1, 0);
    Builder body = builder_new(false);
    put_u32(&body, 0);
    put_u32(&body, 0);
    put_u32(&body, 1);
    put_u32(&body, 3u << 20);
    put_u32(&body, 3u << 20);
    g_byte_array_set_size(body.bytes, body.bytes->len + (3u << 20));
    for (guint index = 20; index < body.bytes->len; index++)
        body.bytes->data[index] = (uint8_t)(index * 13 / 7);
    pcapng_block(&large, 0x00000006, &body);
    g_byte_array_unref(body.bytes);
    pcapng_enhanced_packet(&large, 0, 2, 20, 20, 65);
    g_autoptr(GByteArray) large_compressed = compress_whole(compressor, large.bytes);
    check_compressed_reads_like(large.bytes, large_compressed);
    g_byte_array_unref(large.bytes);
}

static void test_compressed_not_capture(gconstpointer data)
{
    Compressor compressor = GPOINTER_TO_INT(data);
    if (!compressor_built(compressor)) {
        g_test_skip("built without this compression library");
        return;
    }
    g_autoptr(GByteArray) text = g_byte_array_new();
    g_byte_array_append(text, (const guint8 *)"hello, world\n", 13);
    g_autoptr(GByteArray) compressed_text = compress_whole(compressor, text);
    g_autoptr(ReadResult) result = read_bytes(compressed_text);
    g_autofree char *not_capture =
        g_strdup_printf("%s-compressed, but not a pcap or pcapng capture (starts with 68 65 6c 6c)",
                        compressor_names[compressor]);
    assert_open_error(result, ODDPORT_CAPTURE_ERROR_NOT_CAPTURE, not_capture);

    g_autoptr(GByteArray) nothing = g_byte_array_new();
    g_autoptr(GByteArray) compressed_nothing = compress_whole(compressor, nothing);
    g_autoptr(ReadResult) empty = read_bytes(compressed_nothing);
    g_autofree char *empty_message =
        g_strdup_printf("file is empty (its %s data holds no bytes)", compressor_names[compressor]);
    assert_open_error(empty, ODDPORT_CAPTURE_ERROR_EMPTY, empty_message);
}

/* Compressions oddport does not read are named, with the command that does. */
static void test_compressed_unsupported(void)
{
    g_autoptr(GByteArray) xz = g_byte_array_new();
    g_byte_array_append(xz,
                        (const guint8 *)"\xfd"
                                        "7zXZ\x00\x00\x04",
                        8);
    g_autoptr(ReadResult) xz_result = read_bytes(xz);
    assert_open_error(xz_result, ODDPORT_CAPTURE_ERROR_UNSUPPORTED_COMPRESSION,
                      "xz-compressed; oddport reads gzip, zstd and lz4 compression but not xz: "
                      "decompress it first, e.g. xz -dc FILE | oddport -");

    g_autoptr(GByteArray) bzip2 = g_byte_array_new();
    g_byte_array_append(bzip2, (const guint8 *)"BZh91AY&SY", 10);
    g_autoptr(ReadResult) bzip2_result = read_bytes_from_stdin_pipe(bzip2);
    assert_open_error(bzip2_result, ODDPORT_CAPTURE_ERROR_UNSUPPORTED_COMPRESSION,
                      "bzip2-compressed; oddport reads gzip, zstd and lz4 compression but not "
                      "bzip2: decompress it first, e.g. bzip2 -dc FILE | oddport -");

    /* A format this build lacks names the library to build with. */
    static const struct {
        Compressor compressor;
        const char *magic;
        const char *message;
    } missing[] = {
        {COMPRESS_GZIP, "\x1f\x8b\x08\x00",
         "gzip-compressed, but this oddport was built without zlib (install zlib1g-dev and build "
         "again), or decompress it first: gzip -dc FILE | oddport -"},
        {COMPRESS_ZSTD, "\x28\xb5\x2f\xfd",
         "zstd-compressed, but this oddport was built without libzstd (install libzstd-dev and "
         "build again), or decompress it first: zstd -dc FILE | oddport -"},
        {COMPRESS_LZ4, "\x04\x22\x4d\x18",
         "lz4-compressed, but this oddport was built without liblz4 (install liblz4-dev and "
         "build again), or decompress it first: lz4 -dc FILE | oddport -"},
    };
    for (size_t index = 0; index < G_N_ELEMENTS(missing); index++) {
        if (compressor_built(missing[index].compressor))
            continue;
        g_autoptr(GByteArray) bytes = g_byte_array_new();
        g_byte_array_append(bytes, (const guint8 *)missing[index].magic, 4);
        g_autoptr(ReadResult) missing_result = read_bytes(bytes);
        assert_open_error(missing_result, ODDPORT_CAPTURE_ERROR_UNSUPPORTED_COMPRESSION,
                          missing[index].message);
    }
}

/* ---- Real captures ---- */

/* Every file under $ODDPORT_CORPUS_DIR (and its subfolders) must read without a fault, the same
 * mapped as streamed, and the same again compressed. */
static void read_corpus_folder(const char *folder, unsigned *files)
{
    GError *error = NULL;
    g_autoptr(GDir) directory = g_dir_open(folder, 0, &error);
    g_assert_no_error(error);
    const char *name;
    while ((name = g_dir_read_name(directory)) != NULL) {
        g_autofree char *path = g_build_filename(folder, name, NULL);
        if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
            read_corpus_folder(path, files);
            continue;
        }
        g_test_message("reading %s", path);
        g_autoptr(ReadResult) mapped = read_path(path);
        g_autofree char *contents = NULL;
        gsize length = 0;
        g_assert_true(g_file_get_contents(path, &contents, &length, NULL));
        g_autoptr(GByteArray) bytes = g_byte_array_new();
        g_byte_array_append(bytes, (const guint8 *)contents, (guint)length);
        g_autoptr(ReadResult) streamed = read_bytes_from_stdin_pipe(bytes);
        assert_same_results(mapped, streamed);
        for (int compressor = COMPRESS_GZIP; compressor <= COMPRESS_LZ4; compressor++) {
            if (!compressor_built(compressor) || bytes->len == 0)
                continue;
            g_autoptr(GByteArray) compressed = compress_whole(compressor, bytes);
            g_autoptr(ReadResult) decompressed = read_bytes(compressed);
            if (mapped->open_error != NULL) {
                g_assert_nonnull(decompressed->open_error);
                g_assert_cmpint(decompressed->open_error->code, ==, mapped->open_error->code);
                continue;
            }
            assert_same_capture(mapped, decompressed);
            assert_same_errors(mapped->error, decompressed->error);
        }
        (*files)++;
    }
}

static void test_corpus(void)
{
    const char *folder = g_getenv("ODDPORT_CORPUS_DIR");
    if (folder == NULL || folder[0] == '\0') {
        g_test_skip("set ODDPORT_CORPUS_DIR to read a folder of real captures");
        return;
    }
    unsigned files = 0;
    read_corpus_folder(folder, &files);
    g_test_message("read %u files", files);
}

static void test_names(void)
{
    g_assert_cmpstr(oddport_capture_format_name(ODDPORT_CAPTURE_FORMAT_PCAP), ==, "pcap");
    g_assert_cmpstr(oddport_capture_format_name(ODDPORT_CAPTURE_FORMAT_PCAPNG), ==, "pcapng");
    g_assert_cmpstr(g_quark_to_string(ODDPORT_CAPTURE_ERROR), ==, "oddport-capture-error-quark");
}

/* ---- Mapping against reading ---- */

/* Rounds timed on a machine where mapping 4M packets took 2.7 times as long as reading them (in
 * microseconds, 2 MiB each): one lucky round mapped in 134 us, under every read, and the best
 * round then chose mapping. The medians read. */
static void test_mapping_cost_lucky_round(void)
{
    const int64_t reading[] = {233, 214, 218};
    const int64_t mapping[] = {782, 491, 134};
    g_assert_true(oddport_mapping_costs_more(reading, mapping, G_N_ELEMENTS(reading)));
    const int64_t other_reading[] = {194, 189, 227};
    const int64_t other_mapping[] = {1054, 560, 119};
    g_assert_true(oddport_mapping_costs_more(other_reading, other_mapping, 3));
    /* One round alone is its own median. */
    g_assert_false(oddport_mapping_costs_more(reading + 1, mapping + 2, 1));
}

/* Where mapping costs what reading does or less, a slow round of it does not tip the verdict. */
static void test_mapping_cost_cheap(void)
{
    const int64_t reading[] = {200, 210, 190};
    const int64_t mapping[] = {180, 190, 900};
    g_assert_false(oddport_mapping_costs_more(reading, mapping, 3));
    const int64_t even[] = {200, 200, 200, 200, 200};
    g_assert_false(oddport_mapping_costs_more(even, even, 5));
}

/* A little dearer is dearer: a close call reads. The arrays are left as they were. */
static void test_mapping_cost_close_call(void)
{
    const int64_t reading[] = {300, 100, 200};
    const int64_t mapping[] = {230, 90, 210};
    g_assert_true(oddport_mapping_costs_more(reading, mapping, 3));
    g_assert_cmpint(reading[0], ==, 300);
    g_assert_cmpint(mapping[0], ==, 230);
    /* Too quick to time: nothing against nothing maps. */
    const int64_t nothing[] = {0, 0, 0};
    g_assert_false(oddport_mapping_costs_more(nothing, nothing, 3));
}

int main(int argc, char **argv)
{
    test_thread = pthread_self();
    g_test_init(&argc, &argv, NULL);
    /* A writer thread may still be writing when a reader stops at damage; EPIPE is enough. */
    signal(SIGPIPE, SIG_IGN);

    g_test_add_func("/capture/pcap/microseconds-little-endian",
                    test_pcap_microseconds_little_endian);
    g_test_add_func("/capture/pcap/nanoseconds-big-endian", test_pcap_nanoseconds_big_endian);
    g_test_add_func("/capture/pcap/modified", test_pcap_modified);
    g_test_add_func("/capture/pcap/link-type-fcs-bits", test_pcap_link_type_fcs_bits);
    g_test_add_func("/capture/pcap/captured-over-snapshot", test_pcap_captured_over_snapshot);
    g_test_add_func("/capture/pcap/record-over-largest", test_pcap_record_over_largest);
    g_test_add_func("/capture/pcap/captured-over-wire", test_pcap_captured_over_wire);
    g_test_add_func("/capture/pcap/truncated", test_pcap_truncated);
    g_test_add_func("/capture/pcap/old-versions", test_pcap_old_versions);
    g_test_add_func("/capture/pcap/bad-header", test_pcap_bad_header);
    g_test_add_func("/capture/pcapng/multiple-link-types", test_pcapng_multiple_link_types);
    g_test_add_func("/capture/pcapng/big-endian", test_pcapng_big_endian);
    g_test_add_func("/capture/pcapng/timestamp-options", test_pcapng_timestamp_options);
    g_test_add_func("/capture/pcapng/simple-packet", test_pcapng_simple_packet);
    g_test_add_func("/capture/pcapng/obsolete-packet", test_pcapng_obsolete_packet);
    g_test_add_func("/capture/pcapng/multiple-sections", test_pcapng_multiple_sections);
    g_test_add_func("/capture/pcapng/unknown-blocks-skipped", test_pcapng_unknown_blocks_skipped);
    g_test_add_func("/capture/pcapng/frame-numbers-count-packet-records",
                    test_pcapng_frame_numbers_count_packet_records);
    g_test_add_func("/capture/pcapng/truncated", test_pcapng_truncated);
    g_test_add_func("/capture/pcapng/lying-block-lengths", test_pcapng_lying_block_lengths);
    g_test_add_func("/capture/pcapng/packet-before-interface", test_pcapng_packet_before_interface);
    g_test_add_func("/capture/pcapng/bad-section-header", test_pcapng_bad_section_header);
    g_test_add_func("/capture/open/empty", test_open_empty);
    g_test_add_func("/capture/open/not-capture", test_open_not_capture);
    g_test_add_func("/capture/open/directory", test_open_directory);
    g_test_add_func("/capture/open/missing", test_open_missing);
    g_test_add_func("/capture/open/no-permission", test_open_no_permission);
    g_test_add_func("/capture/open/unsized-file", test_open_unsized_file);
    g_test_add_func("/capture/pipe/same-records", test_pipe_same_records);
    g_test_add_func("/capture/large-file/same-records", test_large_file_same_records);
    g_test_add_func("/capture/large-file/long-blocks-handed-back",
                    test_mapped_long_blocks_handed_back);
    g_test_add_func("/capture/pipe/same-failures", test_pipe_same_failures);
    g_test_add_func("/capture/pipe/large-pcapng", test_pipe_large_pcapng);
    g_test_add_func("/capture/pipe/huge-claimed-length", test_pipe_huge_claimed_length);
    g_test_add_func("/capture/pipe/buffer-grown", test_pipe_buffer_grown);
    g_test_add_func("/capture/pipe/records-longer-than-window",
                    test_pipe_records_longer_than_window);
    g_test_add_func("/capture/pipe/held-windows-keep-bytes", test_held_windows_keep_bytes);
    g_test_add_func("/capture/read-ahead-reads-from-page-starts",
                    test_read_ahead_reads_from_page_starts);
    for (int compressor = COMPRESS_GZIP; compressor <= COMPRESS_LZ4; compressor++) {
        static const char *const tests[] = {
            "same-records", "concatenated",    "truncated-capture", "cut",
            "damaged",      "record-too-long", "not-capture",
        };
        static const GTestDataFunc functions[] = {
            test_compressed_same_records,      test_compressed_concatenated,
            test_compressed_truncated_capture, test_compressed_cut,
            test_compressed_damaged,           test_compressed_record_too_long,
            test_compressed_not_capture,
        };
        G_STATIC_ASSERT(G_N_ELEMENTS(tests) == G_N_ELEMENTS(functions));
        for (size_t index = 0; index < G_N_ELEMENTS(tests); index++) {
            g_autofree char *name = g_strdup_printf("/capture/compressed/%s/%s",
                                                    compressor_names[compressor], tests[index]);
            g_test_add_data_func(name, GINT_TO_POINTER(compressor), functions[index]);
        }
    }
    g_test_add_func("/capture/compressed/gzip/trailing-bytes", test_compressed_trailing_bytes);
    g_test_add_func("/capture/compressed/unsupported", test_compressed_unsupported);
    g_test_add_func("/capture/compressed/zstd/skippable-frames",
                    test_compressed_zstd_skippable_frames);
    g_test_add_func("/capture/compressed/stream-reads-from-page-starts",
                    test_compressed_stream_reads_from_page_starts);
    g_test_add_func("/capture/corpus", test_corpus);
    g_test_add_func("/capture/mapping-cost/lucky-round", test_mapping_cost_lucky_round);
    g_test_add_func("/capture/mapping-cost/cheap", test_mapping_cost_cheap);
    g_test_add_func("/capture/mapping-cost/close-call", test_mapping_cost_close_call);
    g_test_add_func("/capture/names", test_names);
    return g_test_run();
}
