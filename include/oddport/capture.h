/* Reading pcap and pcapng files record by record, trusting no length in them. */
#ifndef ODDPORT_CAPTURE_H
#define ODDPORT_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

/* oddport reads captures itself rather than through libpcap's savefile reader because libpcap
 * 1.10 refuses pcapng files whose interfaces differ in link type or snapshot length, and hides
 * the precision a file was written with. libpcap still compiles and runs BPF filters. */

typedef enum {
    ODDPORT_CAPTURE_FORMAT_PCAP,
    ODDPORT_CAPTURE_FORMAT_PCAPNG,
} OddportCaptureFormat;

typedef struct {
    uint64_t timestamp_ns;    /* nanoseconds since the Unix epoch */
    uint32_t captured_length; /* bytes present in `data` */
    uint32_t wire_length;     /* bytes the packet had on the wire (>= captured_length) */
    uint32_t link_type;       /* LINKTYPE_* value of the record's interface */
    uint32_t snapshot_length; /* of the record's interface, 0 when the file says none */
    /* The record's bytes, borrowed from the reader: valid until the next call (transfer none). */
    const uint8_t *data;
    /* Its 1-based position among the file's packet records, as Wireshark numbers frames, so a
     * report can point back at it (`tshark -Y frame.number==N`). The reader sets it; a caller
     * feeding records of its own may leave it 0, and the engine then counts the records it is
     * fed. */
    uint64_t frame_number;
} OddportRecord;

typedef enum {
    ODDPORT_READ_RECORD,    /* *record holds the next packet */
    ODDPORT_READ_END,       /* the file ended cleanly */
    ODDPORT_READ_TRUNCATED, /* the file ended inside a record; the error says where */
    ODDPORT_READ_DAMAGED,   /* a record or block header lies (impossible length, bad block);
                             * nothing after it can be trusted; the error says what */
} OddportReadStatus;

typedef struct OddportCaptureReader OddportCaptureReader;

/* Opens a pcap or pcapng file, or standard input for "-". Regular files are memory-mapped. A file
 * compressed with gzip (also several members, as `cat a.gz b.gz` makes), zstd or lz4 (frame
 * format) is recognised by its first bytes, whatever its name, and decompressed as it is read,
 * in bounded memory; a compression this build lacks gives ERROR_UNSUPPORTED_COMPRESSION.
 * Returns NULL with `error` set (domain ODDPORT_CAPTURE_ERROR) when the file cannot be opened
 * or is not a capture (empty, unknown magic, a damaged file header); the message names the
 * problem but not the path. The caller owns the reader (transfer full): oddport_capture_close. */
OddportCaptureReader *oddport_capture_open(const char *path, GError **error);

OddportReadStatus oddport_capture_next(OddportCaptureReader *reader, OddportRecord *record,
                                       GError **error);

OddportCaptureFormat oddport_capture_format(const OddportCaptureReader *reader);
/* 6 for microseconds, 9 for nanoseconds: the finest precision any interface declared so far. */
unsigned oddport_capture_precision_digits(const OddportCaptureReader *reader);
/* "gzip", "zstd" or "lz4" for a compressed file, NULL otherwise (transfer none). */
const char *oddport_capture_compression_name(const OddportCaptureReader *reader);
/* Bytes consumed so far and the file's size (0 when unknown, e.g. a pipe): for progress. Both
 * count the file's own bytes, so for a compressed file they are compressed bytes; offsets in
 * error messages count bytes of the (decompressed) capture. */
uint64_t oddport_capture_offset(const OddportCaptureReader *reader);
uint64_t oddport_capture_size(const OddportCaptureReader *reader);

/* Asked when a read from a pipe or terminal is interrupted by a signal: returning true ends the
 * capture there, as its end would, and oddport_capture_was_interrupted then says so. Without it
 * an interrupted read is simply resumed. */
typedef bool (*OddportCaptureInterruptCheck)(void *user_data);
void oddport_capture_set_interrupt_check(OddportCaptureReader *reader,
                                         OddportCaptureInterruptCheck check, void *user_data);
bool oddport_capture_was_interrupted(const OddportCaptureReader *reader);

/* The file's mapping, when the reader maps its file (a regular file, compressed or not): bytes of
 * records that lie within it, as those of an uncompressed file do, stay readable until the
 * reader is closed rather than until the next record; a decompressed record's bytes lie outside
 * it. Sets `*start` and `*size` (borrowed from the reader) and returns true; false, with nothing
 * set, for a reader that does not map its file. */
bool oddport_capture_mapped_file(const OddportCaptureReader *reader, const uint8_t **start,
                                 size_t *size);

/* For a caller that hands records' bytes to another thread: keeps the window of the reader's
 * that holds `length` bytes at `bytes`, the last record's, from being moved or read into again,
 * so that they stay valid after the next call. A reader hands out records from windows of its
 * own when it streams its file or decompresses it; an uncompressed file's mapping is valid until
 * the reader is closed anyway. Returns true and sets `*number`, the window's number (numbers
 * only grow, one window after another); false, with nothing held, when the bytes lie in no
 * window of the reader's. The window stays held until oddport_capture_release_windows hands it
 * back or the reader is closed. */
bool oddport_capture_hold_window(OddportCaptureReader *reader, const uint8_t *bytes, size_t length,
                                 uint64_t *number);
/* Hands back every held window numbered below `below` (UINT64_MAX for all): their bytes are no
 * longer valid, and their memory is read into again or freed. */
void oddport_capture_release_windows(OddportCaptureReader *reader, uint64_t below);
/* The memory of the windows held and not yet handed back, in bytes: for the caller's bound. */
size_t oddport_capture_held_bytes(const OddportCaptureReader *reader);

/* From here on, a thread of the reader's own reads the next window of a regular file while the
 * caller takes records from the current one, so that the kernel's copy of the file runs beside
 * the caller's work rather than before it; records come out exactly as without it, and held
 * windows stay held. For callers with a core to spare: on one core the two threads only take
 * turns. May be called at any record; true when reading ahead (already or now), false, with the
 * reader as it was, for a mapped, compressed or piped capture or one read to its end. The thread
 * ends when the reader is closed. */
bool oddport_capture_read_ahead(OddportCaptureReader *reader);

void oddport_capture_close(OddportCaptureReader *reader);

#define ODDPORT_CAPTURE_ERROR (oddport_capture_error_quark())
GQuark oddport_capture_error_quark(void);

typedef enum {
    ODDPORT_CAPTURE_ERROR_OPEN,        /* missing, a directory, no permission */
    ODDPORT_CAPTURE_ERROR_EMPTY,       /* zero bytes */
    ODDPORT_CAPTURE_ERROR_NOT_CAPTURE, /* unknown magic number */
    ODDPORT_CAPTURE_ERROR_BAD_HEADER,  /* file header cut short or impossible */
    ODDPORT_CAPTURE_ERROR_TRUNCATED,
    ODDPORT_CAPTURE_ERROR_DAMAGED,
    ODDPORT_CAPTURE_ERROR_UNSUPPORTED_COMPRESSION, /* compressed in a way this build cannot read */
    ODDPORT_CAPTURE_ERROR_NOT_READ, /* the run stopped (a signal, memory) before reaching it */
} OddportCaptureError;

#define ODDPORT_CAPTURE_ERROR_COUNT 8
_Static_assert(ODDPORT_CAPTURE_ERROR_NOT_READ + 1 == ODDPORT_CAPTURE_ERROR_COUNT,
               "ODDPORT_CAPTURE_ERROR_COUNT must follow the last error");

#endif
