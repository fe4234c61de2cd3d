/* Reads pcap and pcapng captures record by record, mapped, streamed or decompressed, trusting no
 * length. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal/decompress.h"
#include "internal/mapping_cost.h"
#include "internal/object_pool.h"
#include "internal/prefetch.h"
#include "oddport/capture.h"
#include "internal/cursor.h"

/* Written out rather than with G_DEFINE_QUARK, whose dashed name argument a formatter would
 * space out into the string itself. */
GQuark oddport_capture_error_quark(void)
{
    return g_quark_from_static_string("oddport-capture-error-quark");
}

/* Magic numbers as the first four bytes read big-endian; the byte-swapped value means the file
 * was written little-endian. */
#define PCAP_MAGIC_MICROSECONDS 0xa1b2c3d4u
#define PCAP_MAGIC_NANOSECONDS  0xa1b23c4du
#define PCAP_MAGIC_MODIFIED     0xa1b2cd34u /* Alexey Kuznetsov's patched libpcap */
#define PCAPNG_BYTE_ORDER_MAGIC 0x1a2b3c4du

#define PCAP_FILE_HEADER_SIZE     24
#define PCAP_RECORD_HEADER_SIZE   16
#define PCAP_MODIFIED_HEADER_SIZE 24 /* adds ifindex, protocol, packet type and padding */
/* libpcap's MAXIMUM_SNAPLEN: writers have produced records up to this size whatever the file
 * header said, so only a record longer than both it and the snapshot length is a lie. */
#define PCAP_MAX_PLAUSIBLE_CAPLEN 262144u

#define PCAPNG_BLOCK_SECTION_HEADER     0x0a0d0d0au /* reads the same in either byte order */
#define PCAPNG_BLOCK_INTERFACE          0x00000001u
#define PCAPNG_BLOCK_PACKET             0x00000002u /* obsolete, still written by old tools */
#define PCAPNG_BLOCK_SIMPLE_PACKET      0x00000003u
#define PCAPNG_BLOCK_ENHANCED_PACKET    0x00000006u
#define PCAPNG_BLOCK_HEADER_SIZE        8  /* type and total length */
#define PCAPNG_BLOCK_MINIMUM_SIZE       12 /* header and trailing length copy */
#define PCAPNG_SECTION_HEADER_MINIMUM   28 /* adds byte-order magic, version, section length */
#define PCAPNG_BLOCK_MAXIMUM_SIZE       (16u * 1024 * 1024)
#define PCAPNG_OPTION_END               0
#define PCAPNG_OPTION_IF_TSRESOL        9
#define PCAPNG_OPTION_IF_TSOFFSET       14
#define PCAPNG_TSRESOL_BINARY           0x80u
#define PCAPNG_DEFAULT_TSRESOL_EXPONENT 6
/* Every interface description costs at least 20 bytes of file but ~40 bytes of memory; a cap keeps
 * a hostile file from making us hold more than a few tens of MiB of interfaces. */
#define PCAPNG_MAX_INTERFACES_PER_SECTION (1u << 20)

#define NANOSECONDS_PER_SECOND UINT64_C(1000000000)
/* Large enough that reading a pipe costs few system calls, small enough not to matter. */
#define STREAM_BUFFER_SIZE (256 * 1024)
/* A pipe's buffer is asked to grow to this (the most Linux gives an unprivileged process by
 * default) from the usual 64 KiB: a producer then fills it in fewer turns, and each read takes
 * more records at once. Reading a 4M-packet capture from `cat` took 0.43 to 0.65 of the time. */
#define PIPE_SIZE_WANTED (1024 * 1024)
/* Compressed bytes are handed to the decompressor from a mapping in pieces this large, so that
 * pages behind can be released as for an uncompressed file. */
#define COMPRESSED_INPUT_CHUNK (1024 * 1024)
/* Streamed and decompressed bytes wait in a window that starts this large and grows only for a
 * longer record. */
#define WINDOW_INITIAL_SIZE STREAM_BUFFER_SIZE
/* Windows read ahead (oddport_capture_read_ahead) are eight times the first, a huge page each,
 * so that the two threads meet once every 2 MiB: on long flows at -j 2 they took 0.84 to 0.98 of
 * the time of 1 MiB windows (7 to 11 alternating rounds), for 6 to 9 MiB more memory; 256 KiB
 * windows were slower than reading in place. Each read leaves room before its bytes for the end
 * of the window before it, the start of a record cut by the window's end, so that the window is
 * handed on without moving its bytes. */
#define READ_AHEAD_WINDOW_SIZE (2048 * 1024)
#define READ_AHEAD_HEADROOM    (64 * 1024)
/* What reads ahead start on, in the file and in the window, once the first has ended on it. */
#define READ_AHEAD_ALIGNMENT 4096
/* A lying length in an uncompressed file can only ask for bytes the file really holds; a few KiB
 * of compressed data can make gigabytes, so the window stops at the largest pcapng block. */
#define WINDOW_MAXIMUM_SIZE PCAPNG_BLOCK_MAXIMUM_SIZE

/* An interface of the current pcapng section, with its timestamp conversion worked out once. */
typedef struct {
    uint32_t link_type;
    uint32_t snapshot_length;
    /* Timestamp units are 10^-exponent or 2^-exponent seconds. The common decimal resolutions
     * (down to 1 ns) convert with one multiplication by `multiplier`; finer ones divide by
     * `divisor` (0 when the units are too fine to count nanoseconds at all). */
    uint64_t multiplier;
    uint64_t divisor;
    bool binary;
    uint8_t exponent;
    /* if_tsoffset in nanoseconds, saturated, and its direction. */
    uint64_t offset_ns;
    bool offset_negative;
} CaptureInterface;

/* How a classic pcap file orders the two lengths of a record: files before version 2.3 wrote the
 * wire length first, and 2.3 files were written both ways (libpcap's reading of the history). */
typedef enum {
    LENGTHS_IN_ORDER,
    LENGTHS_SWAPPED,
    LENGTHS_MAYBE_SWAPPED,
} LengthOrder;

/* A thread of the reader's own that reads the file into the next window while the caller takes
 * records from the current one (oddport_capture_read_ahead). Its fields after `lock` are shared
 * with the reading thread under it: POSIX's lock rather than GLib's, whose futexes
 * ThreadSanitizer cannot see. */
typedef struct {
    GThread *thread;
    int stream; /* the reader's, borrowed */
    pthread_mutex_t lock;
    pthread_cond_t changed;
    uint8_t *window; /* a pooled window read into from READ_AHEAD_HEADROOM to its end */
    size_t got;      /* bytes read into it, once done */
    size_t taken;    /* of those, copied out by take_read_ahead_bytes */
    int read_errno;  /* of a failed read, once done */
    bool asked;      /* a read is asked for and not done */
    bool quit;
    uint64_t file_offset; /* where the thread's next read starts: the thread's own */
} ReadAhead;

/* A window's memory, and the number it was read under while held. */
typedef struct {
    uint8_t *bytes;
    size_t size;
    uint64_t number;
    bool carved; /* from one of the reader's pools (see carve_window), not an allocation */
} HeldWindow;

struct OddportCaptureReader {
    /* Where the bytes come from: the whole file mapped, or a stream read into `window`. */
    const uint8_t *map;
    size_t map_size;
    int stream;     /* owned; -1 when the file is mapped */
    int read_errno; /* set when the stream failed rather than ended */
    OddportCaptureInterruptCheck interrupt_check;
    void *interrupt_check_data;
    bool interrupted; /* the check ended the stream after a signal */

    uint64_t offset;         /* bytes taken so far, i.e. the file position of the next byte */
    uint64_t packet_records; /* packet records handed out, as Wireshark numbers frames */
    size_t released; /* mapped bytes before this offset have been handed back to the kernel */
    size_t fetched_through;   /* mapped lines before this offset have been asked for early */
    size_t populated_through; /* mapped pages before this offset are in the page table */
    uint64_t size;            /* 0 when unknown */

    /* A compressed file: its mapped or streamed bytes go through the decompressor, and the capture
     * is handed out from `window`, as a streamed one is; `offset` then counts capture bytes, not
     * file bytes. */
    OddportCompression compression;
    OddportDecompressor *decompressor;
    OddportCursor compressed;   /* taken from the file, not yet decompressed */
    uint8_t *compressed_buffer; /* owned; holds `compressed` when the file is streamed */
    uint64_t compressed_taken;  /* file bytes taken so far */
    bool compressed_ended;      /* the file has no bytes beyond `compressed` */
    uint8_t *window;            /* owned; NULL for an uncompressed mapped file */
    size_t window_size;
    size_t window_start; /* the next byte to hand out */
    size_t window_end;   /* one past the last byte read or decompressed */
    /* The window gets no more bytes: the stream or the decompressor gave its last, or failed. */
    bool window_source_over;
    /* Windows whose bytes a caller still reads (oddport_capture_hold_window): the current one
     * when `window_held`, and those left behind, oldest first. The bytes of a held window are
     * never moved or overwritten; reading goes on in another window, from a pool (see
     * carve_window). */
    uint64_t window_number; /* of the current window; each window takes the next */
    bool window_held;
    bool window_carved;   /* see HeldWindow */
    GArray *held_windows; /* of HeldWindow, by number */
    size_t held_bytes;
    OddportObjectPool window_pool;     /* of windows of WINDOW_INITIAL_SIZE bytes */
    OddportObjectPool read_ahead_pool; /* of windows of READ_AHEAD_WINDOW_SIZE bytes */
    bool regular_file;             /* the stream is a regular file: reads never wait on anyone */
    size_t window_fetched_through; /* lines of the window before it asked for (read ahead only) */
    ReadAhead *read_ahead;         /* owned; NULL unless oddport_capture_read_ahead started it */
    /* Why the decompressed capture stopped early (transfer full), and whether the compressed data
     * was damaged (or a record too long) rather than cut short. */
    char *source_problem;
    bool source_damaged;

    OddportCaptureFormat format;
    bool big_endian; /* of the file (pcap) or of the current section (pcapng) */
    unsigned precision_digits;

    /* Classic pcap: one interface for the whole file. */
    uint32_t link_type;
    uint32_t snapshot_length;
    size_t record_header_size;
    bool nanoseconds;
    LengthOrder length_order;
    uint64_t records_read;

    /* pcapng: interfaces of the current section (CaptureInterface), blocks seen in the file. */
    GArray *interfaces;
    uint64_t blocks_read;

    /* Once the file has ended or failed, every later call gives the same answer. */
    bool finished;
    OddportReadStatus final_status;
    GError *final_error;
};

/* ---- Taking bytes: the one place that knows whether the file is mapped or streamed ---- */

/* Reads what the stream has ready, at least one byte and at most `room`, waiting if it has none.
 * Returns 0 at the end of the stream, on an error (which `read_errno` then holds), or when a
 * signal came and the interrupt check says to stop. */
static size_t read_some(OddportCaptureReader *reader, uint8_t *destination, size_t room)
{
    for (;;) {
        ssize_t got = read(reader->stream, destination, room);
        if (got >= 0)
            return (size_t)got;
        if (errno != EINTR) {
            reader->read_errno = errno;
            return 0;
        }
        if (reader->interrupt_check != NULL &&
            reader->interrupt_check(reader->interrupt_check_data)) {
            reader->interrupted = true;
            return 0;
        }
    }
}

/* Reads `count` bytes from the stream; fewer only at its end, on an error or when interrupted. */
static size_t read_stream(OddportCaptureReader *reader, uint8_t *destination, size_t count)
{
    size_t got = 0;
    while (got < count) {
        size_t more = read_some(reader, destination + got, count - got);
        if (more == 0)
            break;
        got += more;
    }
    return got;
}

/* A mapped file is read once, front to back. Pages far behind are handed back so that memory
 * stays flat however large the file; the lag keeps any record still in use mapped, since none
 * is longer than a pcapng block may be. */
#define RELEASE_LAG   (24u << 20)
#define RELEASE_CHUNK (8u << 20)

/* Every line of the next few KiB is asked for early. Going from record header to record header
 * is a chain of loads the processor cannot run ahead on, and its hardware prefetcher stops at
 * page boundaries and loses track of reads a few hundred bytes apart: without this, each header
 * waits on memory. Asking for every line, not one line a record, is what covers every header
 * whatever the records' lengths (on records of about 630 bytes, 15 to 28% less time in user
 * space over several runs). The hints are non-temporal: each line is read once, soon, and
 * should not push the flow table and the flows' records out of the cache on its way through. On
 * 4M packets with one thread that took 3 to 5% off the time of long flows and 5% off short ones
 * (5 to 7 alternating rounds); a flood, whose records are a line or two, is unchanged. */
#define FETCH_AHEAD (4u << 10)

enum { FETCH_BLOCK_BYTES = 4 * ODDPORT_CACHE_LINE };

/* Asks for the lines of `memory` from `position` to FETCH_AHEAD bytes on, or to `size`, past
 * those asked for already (before `fetched_through`); returns how far they now are. */
static inline size_t fetch_lines_ahead(const uint8_t *memory, size_t size, size_t position,
                                       size_t fetched_through)
{
    /* Four lines a step, so that the loop costs less than the hints. The last block may reach
     * past the end of the memory, which the hints' integer addresses allow. */
    size_t until = MIN(position + FETCH_AHEAD, size);
    size_t block = MAX(fetched_through, position & ~(size_t)(FETCH_BLOCK_BYTES - 1));
    uintptr_t start = (uintptr_t)memory;
    for (; block < until; block += FETCH_BLOCK_BYTES) {
        oddport_fetch_line_once(start + block);
        oddport_fetch_line_once(start + block + ODDPORT_CACHE_LINE);
        oddport_fetch_line_once(start + block + 2 * ODDPORT_CACHE_LINE);
        oddport_fetch_line_once(start + block + 3 * ODDPORT_CACHE_LINE);
    }
    return MAX(block, fetched_through);
}

static inline void fetch_ahead(OddportCaptureReader *reader, size_t position)
{
    reader->fetched_through =
        fetch_lines_ahead(reader->map, reader->map_size, position, reader->fetched_through);
}

/* The kernel puts a mapped file's pages into the page table on first touch, sixteen at a time,
 * and until then the lines fetch_ahead asks for in them are dropped: the first touch of every
 * 64 KiB waited for the kernel and then for memory. So the page table is filled half a MiB at a
 * time, a MiB ahead of the reader, in one call each. It took 3 to 4% off the time of 4M
 * packets of long flows with one thread or two, and 1 to 2% off short flows with one (7 to 9
 * alternating rounds). A kernel before Linux 5.14 refuses it, and the pages are mapped on
 * touch as before. On Linux 6.18 it no longer matters either way: without it, 1M packets of long
 * flows took 0.99 of the time, in 4 KiB pages and in large ones alike (7 rounds). */
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif
#define POPULATE_LEAD  (1u << 20)
#define POPULATE_CHUNK (512u << 10)

static inline void populate_ahead(OddportCaptureReader *reader, size_t position)
{
    if (position + POPULATE_LEAD <= reader->populated_through)
        return;
    /* After a record longer than the lead, from where the reader is, not from behind it. */
    size_t from = MAX(reader->populated_through, position & ~(size_t)(POPULATE_CHUNK - 1));
    if (from >= reader->map_size)
        return;
    size_t length = MIN((size_t)POPULATE_CHUNK, reader->map_size - from);
    (void)madvise((void *)(reader->map + from), length, MADV_POPULATE_READ);
    reader->populated_through = from + length;
}

/* Every chunk now far enough behind `position`, however far the last move went: a record or
 * block may be longer than a chunk, and handing back one chunk a move then fell further behind
 * with each one. */
static void release_behind(OddportCaptureReader *reader, uint64_t position)
{
    while ((size_t)position - reader->released >= RELEASE_LAG) {
        (void)madvise((void *)(reader->map + reader->released), RELEASE_CHUNK, MADV_DONTNEED);
        reader->released += RELEASE_CHUNK;
    }
}

/* Moves a mapped reader `count` bytes on, and keeps what lies around it as reading needs: the
 * pages far behind handed back, the page table and the next lines asked for ahead. */
static inline void move_through_map(OddportCaptureReader *reader, uint64_t count)
{
    release_behind(reader, reader->offset);
    reader->offset += count;
    populate_ahead(reader, (size_t)reader->offset);
    fetch_ahead(reader, (size_t)reader->offset);
}

/* Gives the decompressor the next compressed bytes of the file. */
static void take_compressed(OddportCaptureReader *reader)
{
    if (reader->map != NULL) {
        size_t left = reader->map_size - (size_t)reader->compressed_taken;
        size_t chunk = MIN(left, (size_t)COMPRESSED_INPUT_CHUNK);
        reader->compressed = oddport_cursor_make(reader->map + reader->compressed_taken, chunk);
        reader->compressed_taken += chunk;
        reader->compressed_ended = reader->compressed_taken == reader->map_size;
        release_behind(reader, reader->compressed_taken);
        return;
    }
    size_t got = read_stream(reader, reader->compressed_buffer, STREAM_BUFFER_SIZE);
    reader->compressed = oddport_cursor_make(reader->compressed_buffer, got);
    reader->compressed_taken += got;
    reader->compressed_ended = got < STREAM_BUFFER_SIZE;
}

/* Remembers why the decompressed capture stops here, for fail_short and finish_cleanly. */
G_GNUC_PRINTF(3, 4)
static void stop_decompressing(OddportCaptureReader *reader, bool damaged, const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    g_free(reader->source_problem);
    reader->source_problem = g_strdup_vprintf(format, arguments);
    va_end(arguments);
    reader->source_damaged = damaged;
    reader->window_source_over = true;
}

/* Adds the decompressor's next bytes to the window. */
static void decompress_into_window(OddportCaptureReader *reader)
{
    if (reader->compressed.left == 0 && !reader->compressed_ended)
        take_compressed(reader);
    size_t produced = 0;
    g_autofree char *problem = NULL;
    OddportDecompressStatus status =
        oddport_decompressor_step(reader->decompressor, &reader->compressed,
                                  reader->compressed_ended, reader->window + reader->window_end,
                                  reader->window_size - reader->window_end, &produced, &problem);
    reader->window_end += produced;
    const char *name = oddport_compression_name(reader->compression);
    switch (status) {
    case ODDPORT_DECOMPRESS_MORE:
        break;
    case ODDPORT_DECOMPRESS_END:
        reader->window_source_over = true;
        break;
    case ODDPORT_DECOMPRESS_CUT:
        stop_decompressing(reader, false, "the %s data is cut short", name);
        break;
    case ODDPORT_DECOMPRESS_DAMAGED:
        stop_decompressing(reader, true,
                           "damaged %s data at or after compressed offset %" PRIu64 " (%s)", name,
                           reader->compressed_taken - reader->compressed.left, problem);
        break;
    }
}

/* The first window of a reader that streams or decompresses. */
static void make_window(OddportCaptureReader *reader)
{
    reader->window_size = WINDOW_INITIAL_SIZE;
    reader->window = g_malloc(reader->window_size);
    reader->held_windows = g_array_new(FALSE, FALSE, sizeof(HeldWindow));
    oddport_object_pool_init(&reader->window_pool, WINDOW_INITIAL_SIZE);
    oddport_object_pool_init(&reader->read_ahead_pool, READ_AHEAD_WINDOW_SIZE);
}

/* The pool of windows of `size` bytes, or NULL for a size no pool has. */
static OddportObjectPool *pool_for(OddportCaptureReader *reader, size_t size)
{
    if (size == WINDOW_INITIAL_SIZE)
        return &reader->window_pool;
    return size == READ_AHEAD_WINDOW_SIZE ? &reader->read_ahead_pool : NULL;
}

/* A window of `size` bytes for holding, the last one handed back first; NULL when no pool has
 * windows of that size or no memory is left. Held windows are new memory the kernel fills as it
 * reads into them, and on a machine where a page fault is dear, 4 KiB pages made 1M packets of long
 * flows take longer at -j 2 than copying their payloads had (3,323 page faults against 1,638; 1,211
 * now): windows come from a pool whose blocks the kernel may back with huge pages, and are kept for
 * reuse until the reader is closed. */
static uint8_t *carve_window(OddportCaptureReader *reader, size_t size)
{
    OddportObjectPool *pool = pool_for(reader, size);
    return pool != NULL ? oddport_object_pool_take(pool) : NULL;
}

/* Frees a window that is neither held nor current, or keeps it for reuse. */
static void let_window_go(OddportCaptureReader *reader, HeldWindow window)
{
    if (window.carved)
        oddport_object_pool_give_back(pool_for(reader, window.size), window.bytes);
    else
        g_free(window.bytes);
}

/* Puts the current window aside before reading goes on in another: with the other held windows
 * while held, otherwise freed or kept for reuse. */
static void put_current_window_aside(OddportCaptureReader *reader)
{
    HeldWindow current = {reader->window, reader->window_size, reader->window_number,
                          reader->window_carved};
    if (reader->window_held)
        g_array_append_val(reader->held_windows, current);
    else
        let_window_go(reader, current);
}

/* ---- Reading ahead: a thread of the reader's own reads the next window ---- */

/* Reads into each window it is asked to fill until the window is full, the file ends or a read
 * fails. Runs with every signal blocked: a signal is the reading thread's to take. */
static gpointer run_read_ahead(gpointer data)
{
    ReadAhead *ahead = data;
    pthread_mutex_lock(&ahead->lock);
    for (;;) {
        while (!ahead->asked && !ahead->quit)
            pthread_cond_wait(&ahead->changed, &ahead->lock);
        if (ahead->quit)
            break;
        uint8_t *destination = ahead->window + READ_AHEAD_HEADROOM;
        /* The first read stops where a page of the file ends, so that every later one copies from
         * a place in a page of the file to the same place in a page of the window (the room is
         * whole pages). Otherwise every read of the run copies as far past its source, counted
         * within 4 KiB, as the first did, and AMD processors copy at a quarter of their speed when
         * that is 1 to 31 bytes (see time_mapping_against_reading). */
        size_t room = READ_AHEAD_WINDOW_SIZE - READ_AHEAD_HEADROOM -
                      (size_t)(ahead->file_offset % READ_AHEAD_ALIGNMENT);
        pthread_mutex_unlock(&ahead->lock);
        size_t got = 0;
        int read_errno = 0;
        while (got < room) {
            ssize_t more = read(ahead->stream, destination + got, room - got);
            if (more > 0)
                got += (size_t)more;
            else if (more == 0)
                break;
            else if (errno != EINTR) {
                read_errno = errno;
                break;
            }
        }
        ahead->file_offset += got;
        pthread_mutex_lock(&ahead->lock);
        ahead->got = got;
        ahead->taken = 0;
        ahead->read_errno = read_errno;
        ahead->asked = false;
        pthread_cond_signal(&ahead->changed);
    }
    pthread_mutex_unlock(&ahead->lock);
    return NULL;
}

/* Asks the thread to read into `window`, which is then its own until the read is done. */
static void ask_read_ahead(ReadAhead *ahead, uint8_t *window)
{
    pthread_mutex_lock(&ahead->lock);
    ahead->window = window;
    ahead->asked = true;
    pthread_cond_signal(&ahead->changed);
    pthread_mutex_unlock(&ahead->lock);
}

/* Waits for the read asked for; its window and results are then the reading thread's. */
static ReadAhead *wait_for_read_ahead(OddportCaptureReader *reader)
{
    ReadAhead *ahead = reader->read_ahead;
    pthread_mutex_lock(&ahead->lock);
    while (ahead->asked)
        pthread_cond_wait(&ahead->changed, &ahead->lock);
    pthread_mutex_unlock(&ahead->lock);
    return ahead;
}

/* Ends the thread, once its read is done; the stream then goes on where its last read ended. */
static void stop_read_ahead(OddportCaptureReader *reader)
{
    ReadAhead *ahead = reader->read_ahead;
    if (ahead == NULL)
        return;
    pthread_mutex_lock(&ahead->lock);
    ahead->quit = true;
    pthread_cond_signal(&ahead->changed);
    pthread_mutex_unlock(&ahead->lock);
    g_thread_join(ahead->thread);
    pthread_mutex_destroy(&ahead->lock);
    pthread_cond_destroy(&ahead->changed);
    /* Its window, if it has one, is pooled and goes with the pool. */
    g_free(ahead);
    reader->read_ahead = NULL;
}

/* Copies up to `room` bytes the thread read and the reader has not taken, for a window that
 * cannot simply be handed on (take_read_ahead_window), and asks for the next read once all are
 * taken. Returns 0 at the end of the file, or on an error, which `read_errno` then holds. */
static size_t take_read_ahead_bytes(OddportCaptureReader *reader, uint8_t *destination, size_t room)
{
    ReadAhead *ahead = wait_for_read_ahead(reader);
    size_t left = ahead->got - ahead->taken;
    if (left == 0) {
        reader->read_errno = ahead->read_errno;
        return 0;
    }
    size_t count = MIN(room, left);
    memcpy(destination, ahead->window + READ_AHEAD_HEADROOM + ahead->taken, count);
    ahead->taken += count;
    if (ahead->taken == ahead->got && ahead->read_errno == 0)
        ask_read_ahead(ahead, ahead->window);
    return count;
}

/* Makes the window the thread read into the current one, with the bytes not yet handed out
 * copied in front of those it read, and has the thread read into another: the one left behind,
 * unless it is held, in which case it waits with the other held windows. False, with nothing
 * changed, when the bytes waiting do not fit in front or the read found nothing or failed (a
 * copy then meets the end or the error as a read would); otherwise, whether the window now
 * holds `count` bytes to hand out. */
static bool take_read_ahead_window(OddportCaptureReader *reader, size_t count)
{
    size_t waiting = reader->window_end - reader->window_start;
    ReadAhead *ahead = wait_for_read_ahead(reader);
    size_t unread_start = READ_AHEAD_HEADROOM + ahead->taken;
    if (waiting > unread_start || ahead->got == ahead->taken || ahead->read_errno != 0)
        return false;
    uint8_t *next = ahead->window;
    size_t start = unread_start - waiting;
    memcpy(next + start, reader->window + reader->window_start, waiting);
    put_current_window_aside(reader);
    /* The window just let go, when it was read ahead itself, since the pool gives back last in. */
    uint8_t *spare = carve_window(reader, READ_AHEAD_WINDOW_SIZE);
    reader->window = next;
    reader->window_size = READ_AHEAD_WINDOW_SIZE;
    reader->window_carved = true;
    reader->window_start = start;
    reader->window_end = READ_AHEAD_HEADROOM + ahead->got;
    reader->window_number++;
    reader->window_held = false;
    reader->window_fetched_through = 0;
    ahead->window = NULL;
    /* Out of memory for another window: the stream is read in place from here on. */
    if (spare == NULL)
        stop_read_ahead(reader);
    else
        ask_read_ahead(ahead, spare);
    return reader->window_end - reader->window_start >= count;
}

/* Adds what the stream has ready to the window: one read for as many records as came, which are
 * then handed out where they lie rather than copied out one by one. */
static void read_into_window(OddportCaptureReader *reader)
{
    uint8_t *destination = reader->window + reader->window_end;
    size_t room = reader->window_size - reader->window_end;
    size_t got = reader->read_ahead != NULL ? take_read_ahead_bytes(reader, destination, room)
                                            : read_some(reader, destination, room);
    reader->window_end += got;
    reader->window_source_over = got == 0;
}

/* Leaves the held current window as it is and goes on in another of the same size, which starts
 * with the bytes not yet handed out. */
static void move_to_another_window(OddportCaptureReader *reader)
{
    uint8_t *next = carve_window(reader, reader->window_size);
    bool carved = next != NULL;
    if (next == NULL)
        next = g_malloc(reader->window_size);
    size_t waiting = reader->window_end - reader->window_start;
    memcpy(next, reader->window + reader->window_start, waiting);
    put_current_window_aside(reader);
    reader->window_carved = carved;
    reader->window = next;
    reader->window_start = 0;
    reader->window_end = waiting;
    reader->window_number++;
    reader->window_held = false;
}

/* Reads or decompresses until the window holds `count` bytes to hand out or the data is over. The
 * window grows only once full, so that a lying length can ask only for bytes that really come;
 * decompressed, since a few KiB of compressed data can make gigabytes, only up to the largest
 * pcapng block. A held window takes more bytes after its last while they fit, and is otherwise
 * left for another. */
static void fill_window(OddportCaptureReader *reader, size_t count)
{
    if (reader->read_ahead != NULL && take_read_ahead_window(reader, count))
        return;
    if (reader->window_held && reader->window_start + count > reader->window_size)
        move_to_another_window(reader);
    if (reader->window_start > 0 && !reader->window_held) {
        size_t waiting = reader->window_end - reader->window_start;
        memmove(reader->window, reader->window + reader->window_start, waiting);
        reader->window_start = 0;
        reader->window_end = waiting;
        reader->window_fetched_through = 0;
    }
    /* The window start is 0 here unless the window is held, and then the bytes fit. */
    size_t needed_end = reader->window_start + count;
    bool decompressing = reader->decompressor != NULL;
    while (reader->window_end < needed_end && !reader->window_source_over) {
        if (reader->window_end == reader->window_size) {
            if (decompressing && reader->window_size >= WINDOW_MAXIMUM_SIZE) {
                stop_decompressing(reader, true,
                                   "a length of %zu bytes, more than the %u MiB a record of a "
                                   "compressed capture may take",
                                   count, WINDOW_MAXIMUM_SIZE >> 20);
                break;
            }
            size_t grown_size = reader->window_size * 2;
            if (decompressing)
                grown_size = MIN(grown_size, (size_t)WINDOW_MAXIMUM_SIZE);
            if (reader->window_carved) {
                uint8_t *grown = g_malloc(grown_size);
                memcpy(grown, reader->window, reader->window_end);
                let_window_go(reader, (HeldWindow){reader->window, reader->window_size, 0, true});
                reader->window = grown;
                reader->window_carved = false;
            } else {
                reader->window = g_realloc(reader->window, grown_size);
            }
            reader->window_size = grown_size;
        }
        if (decompressing)
            decompress_into_window(reader);
        else
            read_into_window(reader);
    }
}

/* A window read ahead was written by another thread, and its lines lie in that thread's cache:
 * they are asked for early, as a mapped file's are (fetch_ahead). */
static inline void fetch_window_ahead(OddportCaptureReader *reader)
{
    reader->window_fetched_through = fetch_lines_ahead(
        reader->window, reader->window_end, reader->window_start, reader->window_fetched_through);
}

/* The bytes the reader can hand out without reading or decompressing more: the rest of a mapped
 * file, or of the window. */
static inline OddportCursor ready_bytes(const OddportCaptureReader *reader)
{
    if (reader->window != NULL)
        return oddport_cursor_make(reader->window + reader->window_start,
                                   reader->window_end - reader->window_start);
    return oddport_cursor_make(reader->map + reader->offset,
                               reader->map_size - (size_t)reader->offset);
}

/* Moves past `count` of the ready bytes and keeps what lies around them as reading needs: for a
 * mapping, the pages behind and ahead (move_through_map); in a window read ahead, the lines after
 * them asked for early, as they are in a mapping. */
static inline void move_past_ready(OddportCaptureReader *reader, size_t count)
{
    if (reader->window == NULL) {
        move_through_map(reader, count);
        return;
    }
    reader->window_start += count;
    reader->offset += count;
    if (reader->read_ahead != NULL)
        fetch_window_ahead(reader);
}

/* Hands out the next `count` bytes of the file and moves past them: a pointer into the mapping,
 * or into the reader's window, which is filled first when it holds fewer. Returns how many bytes
 * there were, fewer than `count` only at the end of the file or on a read error. The bytes stay
 * valid until the next take. */
static inline size_t take(OddportCaptureReader *reader, size_t count, const uint8_t **bytes)
{
    /* A reader has a window exactly when its bytes are streamed or decompressed. */
    if (reader->window != NULL && reader->window_end - reader->window_start < count)
        fill_window(reader, count);
    OddportCursor ready = ready_bytes(reader);
    size_t got = MIN(count, ready.left);
    *bytes = ready.data;
    move_past_ready(reader, got);
    return got;
}

/* ---- Field readers in the file's byte order ---- */

static inline bool read_u16(OddportCursor *cursor, bool big_endian, uint16_t *value)
{
    return big_endian ? oddport_cursor_be16(cursor, value) : oddport_cursor_le16(cursor, value);
}

static inline bool read_u32(OddportCursor *cursor, bool big_endian, uint32_t *value)
{
    return big_endian ? oddport_cursor_be32(cursor, value) : oddport_cursor_le32(cursor, value);
}

static inline bool read_u64(OddportCursor *cursor, bool big_endian, uint64_t *value)
{
    uint32_t first, second;
    if (cursor->left < 8)
        return false;
    read_u32(cursor, big_endian, &first);
    read_u32(cursor, big_endian, &second);
    *value = big_endian ? (uint64_t)first << 32 | second : (uint64_t)second << 32 | first;
    return true;
}

/* ---- Errors ---- */

static OddportCaptureError error_code_for(OddportReadStatus status)
{
    return status == ODDPORT_READ_TRUNCATED ? ODDPORT_CAPTURE_ERROR_TRUNCATED
                                            : ODDPORT_CAPTURE_ERROR_DAMAGED;
}

/* Ends the file with `status` (TRUNCATED or DAMAGED) and a message; later calls repeat both. */
G_GNUC_PRINTF(4, 5)
static OddportReadStatus fail(OddportCaptureReader *reader, OddportReadStatus status,
                              GError **error, const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    char *message = g_strdup_vprintf(format, arguments);
    va_end(arguments);

    reader->finished = true;
    reader->final_status = status;
    reader->final_error =
        g_error_new_literal(ODDPORT_CAPTURE_ERROR, error_code_for(status), message);
    g_free(message);
    if (error != NULL)
        *error = g_error_copy(reader->final_error);
    return status;
}

/* The file stopped short of `needed` bytes of `what`: the file was cut, or reading it failed. */
G_GNUC_PRINTF(5, 6)
static OddportReadStatus fail_short(OddportCaptureReader *reader, GError **error, size_t needed,
                                    size_t got, const char *what_format, ...)
{
    va_list arguments;
    va_start(arguments, what_format);
    g_autofree char *what = g_strdup_vprintf(what_format, arguments);
    va_end(arguments);

    if (reader->read_errno != 0)
        return fail(reader, ODDPORT_READ_TRUNCATED, error, "reading %s failed: %s", what,
                    g_strerror(reader->read_errno));
    if (reader->source_problem != NULL && reader->source_damaged)
        return fail(reader, ODDPORT_READ_DAMAGED, error, "%s has %s", what, reader->source_problem);
    if (reader->source_problem != NULL)
        return fail(reader, ODDPORT_READ_TRUNCATED, error,
                    "file ends inside %s (needed %zu bytes, %zu left): %s", what, needed, got,
                    reader->source_problem);
    return fail(reader, ODDPORT_READ_TRUNCATED, error,
                "file ends inside %s (needed %zu bytes, %zu left)", what, needed, got);
}

/* The open error for a file header that ended early, as `format` says, or that came out of
 * damaged compressed data, which then is what the message says. */
G_GNUC_PRINTF(3, 4)
static void set_short_header_error(const OddportCaptureReader *reader, GError **error,
                                   const char *format, ...)
{
    if (reader->source_problem != NULL && reader->source_damaged) {
        g_set_error(error, ODDPORT_CAPTURE_ERROR, ODDPORT_CAPTURE_ERROR_BAD_HEADER,
                    "the file header has %s", reader->source_problem);
        return;
    }
    va_list arguments;
    va_start(arguments, format);
    g_autofree char *message = g_strdup_vprintf(format, arguments);
    va_end(arguments);
    if (reader->source_problem != NULL)
        g_set_error(error, ODDPORT_CAPTURE_ERROR, ODDPORT_CAPTURE_ERROR_BAD_HEADER, "%s: %s",
                    message, reader->source_problem);
    else
        g_set_error_literal(error, ODDPORT_CAPTURE_ERROR, ODDPORT_CAPTURE_ERROR_BAD_HEADER,
                            message);
}

static OddportReadStatus finish_cleanly(OddportCaptureReader *reader, GError **error)
{
    if (reader->read_errno != 0)
        return fail(reader, ODDPORT_READ_TRUNCATED, error,
                    "reading at offset %" PRIu64 " failed: %s", reader->offset,
                    g_strerror(reader->read_errno));
    if (reader->source_problem != NULL && reader->source_damaged)
        return fail(reader, ODDPORT_READ_DAMAGED, error, "%s after %" PRIu64 " bytes of capture",
                    reader->source_problem, reader->offset);
    if (reader->source_problem != NULL)
        return fail(reader, ODDPORT_READ_TRUNCATED, error,
                    "file ends after %" PRIu64 " bytes of capture: %s", reader->offset,
                    reader->source_problem);
    reader->finished = true;
    reader->final_status = ODDPORT_READ_END;
    return ODDPORT_READ_END;
}

/* ---- Classic pcap ---- */

/* A pcap record header's fields, lengths already in their right order. */
typedef struct {
    uint32_t seconds;
    uint32_t fraction;
    uint32_t captured;
    uint32_t wire;
} PcapRecordHeader;

static inline void fill_pcap_record(const OddportCaptureReader *reader, OddportRecord *record,
                                    PcapRecordHeader header, const uint8_t *bytes)
{
    record->timestamp_ns =
        header.seconds * NANOSECONDS_PER_SECOND +
        (reader->nanoseconds ? header.fraction : header.fraction * UINT64_C(1000));
    record->captured_length = header.captured;
    /* Some writers store the captured length in both fields or less on the wire than they kept;
     * what was kept did exist, so the wire had at least that much. */
    record->wire_length = MAX(header.wire, header.captured);
    record->link_type = reader->link_type;
    record->snapshot_length = reader->snapshot_length;
    record->data = bytes;
}

/* Reads a record header's fields from `header` (the record header's bytes, whatever its size)
 * and puts the two lengths in their right order; false when the bytes are too few. Whether the
 * captured length is plausible is left to the caller, which says why it is not. */
static inline bool read_pcap_record_header(const OddportCaptureReader *reader, OddportCursor header,
                                           PcapRecordHeader *fields)
{
    if (!read_u32(&header, reader->big_endian, &fields->seconds) ||
        !read_u32(&header, reader->big_endian, &fields->fraction) ||
        !read_u32(&header, reader->big_endian, &fields->captured) ||
        !read_u32(&header, reader->big_endian, &fields->wire) ||
        !oddport_cursor_skip(&header, reader->record_header_size - PCAP_RECORD_HEADER_SIZE))
        return false;
    if (reader->length_order == LENGTHS_SWAPPED ||
        (reader->length_order == LENGTHS_MAYBE_SWAPPED && fields->captured > fields->wire)) {
        uint32_t first = fields->captured;
        fields->captured = fields->wire;
        fields->wire = first;
    }
    return true;
}

/* A pcap record may take up to the header's snapshot length, and the usual 256 KiB where the
 * header says less, but never more than the largest pcapng block: a header that claims 4 GiB
 * would otherwise let a record's length make a reader from a pipe hold gigabytes. */
#define PCAP_RECORD_MAXIMUM_SIZE PCAPNG_BLOCK_MAXIMUM_SIZE

static inline uint32_t largest_pcap_record(const OddportCaptureReader *reader)
{
    return MIN(MAX(reader->snapshot_length, PCAP_MAX_PLAUSIBLE_CAPLEN), PCAP_RECORD_MAXIMUM_SIZE);
}

static inline bool plausible_captured_length(const OddportCaptureReader *reader, uint32_t captured)
{
    return captured <= largest_pcap_record(reader);
}

/* The common case read in one go: a plain 16-byte record header and the whole record among the
 * bytes ready, in a mapped file or in the window. The record's bytes are checked once, header and
 * data together; anything else (the end of the ready bytes, a record cut short, an implausible
 * length) is left to next_pcap_record's general path, which reads more or says what is wrong.
 * With a window, taking the header and the data one at a time cost about 80 instructions a
 * record more. */
static inline bool next_ready_pcap_record(OddportCaptureReader *reader, OddportRecord *record)
{
    if (reader->record_header_size != PCAP_RECORD_HEADER_SIZE)
        return false;
    OddportCursor rest = ready_bytes(reader);
    OddportCursor header;
    PcapRecordHeader fields;
    const uint8_t *bytes;
    if (!oddport_cursor_sub(&rest, PCAP_RECORD_HEADER_SIZE, &header) ||
        !read_pcap_record_header(reader, header, &fields) ||
        !plausible_captured_length(reader, fields.captured) ||
        !oddport_cursor_bytes(&rest, fields.captured, &bytes))
        return false;
    move_past_ready(reader, PCAP_RECORD_HEADER_SIZE + (size_t)fields.captured);
    reader->records_read++;
    fill_pcap_record(reader, record, fields, bytes);
    return true;
}

static OddportReadStatus next_pcap_record(OddportCaptureReader *reader, OddportRecord *record,
                                          GError **error)
{
    if (next_ready_pcap_record(reader, record))
        return ODDPORT_READ_RECORD;
    uint64_t number = reader->records_read + 1;
    const uint8_t *bytes;
    size_t got = take(reader, reader->record_header_size, &bytes);
    if (got == 0)
        return finish_cleanly(reader, error);

    PcapRecordHeader fields;
    if (!read_pcap_record_header(reader, oddport_cursor_make(bytes, got), &fields))
        return fail_short(reader, error, reader->record_header_size, got,
                          "the header of record %" PRIu64, number);
    if (!plausible_captured_length(reader, fields.captured)) {
        if (reader->snapshot_length > PCAP_RECORD_MAXIMUM_SIZE)
            return fail(reader, ODDPORT_READ_DAMAGED, error,
                        "record %" PRIu64 " claims %" PRIu32
                        " bytes, more than the %u MiB a record may take",
                        number, fields.captured, PCAP_RECORD_MAXIMUM_SIZE >> 20);
        return fail(reader, ODDPORT_READ_DAMAGED, error,
                    "record %" PRIu64 " claims %" PRIu32
                    " bytes, more than the snapshot length %" PRIu32,
                    number, fields.captured, reader->snapshot_length);
    }

    got = take(reader, fields.captured, &bytes);
    if (got < fields.captured)
        return fail_short(reader, error, fields.captured, got, "record %" PRIu64, number);

    reader->records_read = number;
    fill_pcap_record(reader, record, fields, bytes);
    return ODDPORT_READ_RECORD;
}

/* Reads the rest of the 24-byte file header once the magic number has been taken. */
static bool open_pcap(OddportCaptureReader *reader, uint32_t magic, GError **error)
{
    reader->format = ODDPORT_CAPTURE_FORMAT_PCAP;
    reader->big_endian = magic == PCAP_MAGIC_MICROSECONDS || magic == PCAP_MAGIC_NANOSECONDS ||
                         magic == PCAP_MAGIC_MODIFIED;
    reader->nanoseconds =
        magic == PCAP_MAGIC_NANOSECONDS || magic == GUINT32_SWAP_LE_BE(PCAP_MAGIC_NANOSECONDS);
    bool modified =
        magic == PCAP_MAGIC_MODIFIED || magic == GUINT32_SWAP_LE_BE(PCAP_MAGIC_MODIFIED);
    reader->record_header_size = modified ? PCAP_MODIFIED_HEADER_SIZE : PCAP_RECORD_HEADER_SIZE;
    reader->precision_digits = reader->nanoseconds ? 9 : 6;

    const uint8_t *bytes;
    size_t got = take(reader, PCAP_FILE_HEADER_SIZE - 4, &bytes);
    OddportCursor header = oddport_cursor_make(bytes, got);
    uint16_t major, minor;
    uint32_t link_type_field;
    if (!read_u16(&header, reader->big_endian, &major) ||
        !read_u16(&header, reader->big_endian, &minor) ||
        !oddport_cursor_skip(&header, 8) /* time zone and accuracy, unused by every writer */ ||
        !read_u32(&header, reader->big_endian, &reader->snapshot_length) ||
        !read_u32(&header, reader->big_endian, &link_type_field)) {
        set_short_header_error(reader, error, "pcap file header cut short (%zu of %d bytes)",
                               got + 4, PCAP_FILE_HEADER_SIZE);
        return false;
    }
    /* Like libpcap: every 2.x up to 2.4 shares one layout except for the order of the lengths. */
    if (major != 2 || minor > 4) {
        g_set_error(error, ODDPORT_CAPTURE_ERROR, ODDPORT_CAPTURE_ERROR_BAD_HEADER,
                    "unsupported pcap version %u.%u (expected 2.4)", major, minor);
        return false;
    }
    reader->length_order = minor < 3    ? LENGTHS_SWAPPED
                           : minor == 3 ? LENGTHS_MAYBE_SWAPPED
                                        : LENGTHS_IN_ORDER;
    /* The upper bits may carry the FCS length; the link type is the low 16 bits. */
    reader->link_type = link_type_field & 0xffffu;
    return true;
}

/* ---- pcapng ---- */

static const char *block_name(uint32_t type)
{
    switch (type) {
    case PCAPNG_BLOCK_SECTION_HEADER:
        return "section header block";
    case PCAPNG_BLOCK_INTERFACE:
        return "interface description block";
    case PCAPNG_BLOCK_PACKET:
        return "packet block";
    case PCAPNG_BLOCK_SIMPLE_PACKET:
        return "simple packet block";
    case PCAPNG_BLOCK_ENHANCED_PACKET:
        return "enhanced packet block";
    default:
        return NULL;
    }
}

/* Names a block in messages, e.g. "enhanced packet block 7 at offset 1024" (transfer full). */
static char *describe_block(uint32_t type, uint64_t number, uint64_t offset)
{
    const char *name = block_name(type);
    if (name == NULL)
        return g_strdup_printf("block %" PRIu64 " (type 0x%08" PRIx32 ") at offset %" PRIu64,
                               number, type, offset);
    return g_strdup_printf("%s %" PRIu64 " at offset %" PRIu64, name, number, offset);
}

/* Why a total length cannot be a real block's, or NULL when it can be. */
static inline const char *block_length_problem(uint32_t length, uint32_t minimum)
{
    if (length < minimum)
        return "less than the minimum";
    if (length % 4 != 0)
        return "not a multiple of 4";
    if (length > PCAPNG_BLOCK_MAXIMUM_SIZE)
        return "more than the 16 MiB limit";
    return NULL;
}

/* Rejects a total length that cannot be a real block before anything is read on its word. */
static bool block_length_plausible(OddportCaptureReader *reader, uint32_t type, uint32_t length,
                                   uint32_t minimum, uint64_t number, uint64_t offset,
                                   GError **error)
{
    const char *problem = block_length_problem(length, minimum);
    if (problem == NULL)
        return true;
    g_autofree char *block = describe_block(type, number, offset);
    if (length < minimum)
        fail(reader, ODDPORT_READ_DAMAGED, error, "%s has total length %" PRIu32 ", %s %" PRIu32,
             block, length, problem, minimum);
    else
        fail(reader, ODDPORT_READ_DAMAGED, error, "%s has total length %" PRIu32 ", %s", block,
             length, problem);
    return false;
}

/* Splits `rest`, a block's bytes after its header, into its body and the trailing copy of its
 * length, which it reads into `*trailing_length`; false when there is no room for that copy or it
 * is not `length`. */
static inline bool split_block_rest(const OddportCaptureReader *reader, OddportCursor rest,
                                    uint32_t length, OddportCursor *body, uint32_t *trailing_length)
{
    OddportCursor trailer;
    return rest.left >= 4 && oddport_cursor_sub(&rest, rest.left - 4, body) &&
           oddport_cursor_sub(&rest, 4, &trailer) &&
           read_u32(&trailer, reader->big_endian, trailing_length) && *trailing_length == length;
}

/* Takes the rest of a block whose header has been read and checks the trailing copy of its
 * length. `body` then spans the bytes between the header and that trailing copy. */
static OddportReadStatus take_block_body(OddportCaptureReader *reader, uint32_t type,
                                         uint32_t length, size_t taken, uint64_t number,
                                         uint64_t offset, OddportCursor *body, GError **error)
{
    const uint8_t *bytes;
    size_t needed = length - taken;
    size_t got = take(reader, needed, &bytes);
    if (got < needed) {
        g_autofree char *block = describe_block(type, number, offset);
        return fail_short(reader, error, needed, got, "%s", block);
    }
    uint32_t trailing_length = 0;
    if (!split_block_rest(reader, oddport_cursor_make(bytes, got), length, body,
                          &trailing_length)) {
        g_autofree char *block = describe_block(type, number, offset);
        return fail(reader, ODDPORT_READ_DAMAGED, error,
                    "%s: trailing length %" PRIu32 " does not match leading length %" PRIu32, block,
                    trailing_length, length);
    }
    return ODDPORT_READ_RECORD;
}

/* Reads a section header block once its type and raw length field have been taken: the byte
 * order comes from the block itself, and the new section starts with no interfaces. */
static OddportReadStatus read_section_header(OddportCaptureReader *reader,
                                             const uint8_t raw_length[4], uint64_t number,
                                             uint64_t offset, GError **error)
{
    const uint8_t *bytes;
    size_t got = take(reader, 4, &bytes);
    OddportCursor cursor = oddport_cursor_make(bytes, got);
    uint32_t byte_order_magic;
    if (!oddport_cursor_be32(&cursor, &byte_order_magic))
        return fail_short(reader, error, 4, got,
                          "the header of section header block %" PRIu64 " at offset %" PRIu64,
                          number, offset);
    if (byte_order_magic != PCAPNG_BYTE_ORDER_MAGIC &&
        byte_order_magic != GUINT32_SWAP_LE_BE(PCAPNG_BYTE_ORDER_MAGIC))
        return fail(reader, ODDPORT_READ_DAMAGED, error,
                    "section header block %" PRIu64 " at offset %" PRIu64
                    " has byte-order magic %08" PRIx32 ", expected 1a2b3c4d",
                    number, offset, byte_order_magic);
    reader->big_endian = byte_order_magic == PCAPNG_BYTE_ORDER_MAGIC;

    uint32_t length = 0;
    OddportCursor length_cursor = oddport_cursor_make(raw_length, 4);
    if (!read_u32(&length_cursor, reader->big_endian, &length) ||
        !block_length_plausible(reader, PCAPNG_BLOCK_SECTION_HEADER, length,
                                PCAPNG_SECTION_HEADER_MINIMUM, number, offset, error))
        return ODDPORT_READ_DAMAGED;

    OddportCursor body;
    OddportReadStatus status = take_block_body(reader, PCAPNG_BLOCK_SECTION_HEADER, length, 12,
                                               number, offset, &body, error);
    if (status != ODDPORT_READ_RECORD)
        return status;
    uint16_t major = 0, minor = 0;
    read_u16(&body, reader->big_endian, &major);
    read_u16(&body, reader->big_endian, &minor);
    /* 1.2 was written by a few early tools for the same layout; 2.x would be a new format. */
    if (major != 1)
        return fail(reader, ODDPORT_READ_DAMAGED, error,
                    "section header block %" PRIu64 " at offset %" PRIu64
                    " has unsupported pcapng version %u.%u",
                    number, offset, major, minor);
    g_array_set_size(reader->interfaces, 0);
    return ODDPORT_READ_RECORD;
}

static uint64_t power_of_ten(unsigned exponent)
{
    uint64_t value = 1;
    while (exponent-- > 0)
        value *= 10;
    return value;
}

/* Works out how to turn timestamp units of 10^-n or 2^-n seconds (if_tsresol) into ns. */
static void set_resolution(CaptureInterface *interface, uint8_t tsresol)
{
    interface->binary = (tsresol & PCAPNG_TSRESOL_BINARY) != 0;
    interface->exponent = (uint8_t)(tsresol & ~PCAPNG_TSRESOL_BINARY);
    interface->multiplier = 0;
    interface->divisor = 0;
    if (interface->binary)
        return;
    if (interface->exponent <= 9)
        interface->multiplier = power_of_ten(9u - interface->exponent);
    else if (interface->exponent - 9 <= 19) /* 10^19 is the largest power of ten in 64 bits */
        interface->divisor = power_of_ten(interface->exponent - 9u);
}

static void set_offset(CaptureInterface *interface, int64_t seconds)
{
    uint64_t magnitude = seconds < 0 ? (uint64_t)(-(seconds + 1)) + 1 : (uint64_t)seconds;
    interface->offset_negative = seconds < 0;
    if (!g_uint64_checked_mul(&interface->offset_ns, magnitude, NANOSECONDS_PER_SECOND))
        interface->offset_ns = UINT64_MAX;
}

static unsigned interface_precision_digits(const CaptureInterface *interface)
{
    /* 2^-20 s is the first binary unit finer than a microsecond. */
    bool finer_than_microseconds =
        interface->binary ? interface->exponent >= 20 : interface->exponent > 6;
    return finer_than_microseconds ? 9 : 6;
}

/* Ticks of 2^-exponent seconds to ns: whole seconds from the high bits, the fraction from the low
 * ones, dropping fraction bits finer than 2^-34 s (far below 1 ns) so the product fits 64 bits. */
static uint64_t binary_ticks_to_ns(uint64_t ticks, unsigned exponent)
{
    uint64_t seconds = exponent < 64 ? ticks >> exponent : 0;
    uint64_t fraction = exponent < 64 ? ticks & ((UINT64_C(1) << exponent) - 1) : ticks;
    unsigned shift = exponent;
    if (shift > 34) {
        unsigned dropped = shift - 34;
        fraction = dropped < 64 ? fraction >> dropped : 0;
        shift = 34;
    }
    return seconds * NANOSECONDS_PER_SECOND + ((fraction * NANOSECONDS_PER_SECOND) >> shift);
}

static inline uint64_t ticks_to_ns(const CaptureInterface *interface, uint64_t ticks)
{
    uint64_t ns;
    if (interface->multiplier != 0)
        ns = ticks * interface->multiplier;
    else if (interface->binary)
        ns = binary_ticks_to_ns(ticks, interface->exponent);
    else
        ns = interface->divisor != 0 ? ticks / interface->divisor : 0;
    if (interface->offset_ns == 0)
        return ns;
    if (interface->offset_negative)
        return ns > interface->offset_ns ? ns - interface->offset_ns : 0;
    return ns > UINT64_MAX - interface->offset_ns ? UINT64_MAX : ns + interface->offset_ns;
}

static OddportReadStatus read_interface(OddportCaptureReader *reader, OddportCursor *body,
                                        uint64_t number, uint64_t offset, GError **error)
{
    CaptureInterface interface = {0};
    uint16_t link_type, reserved;
    if (!read_u16(body, reader->big_endian, &link_type) ||
        !read_u16(body, reader->big_endian, &reserved) ||
        !read_u32(body, reader->big_endian, &interface.snapshot_length))
        return fail(reader, ODDPORT_READ_DAMAGED, error,
                    "interface description block %" PRIu64 " at offset %" PRIu64
                    " is too short for its fields",
                    number, offset);
    if (reader->interfaces->len >= PCAPNG_MAX_INTERFACES_PER_SECTION)
        return fail(reader, ODDPORT_READ_DAMAGED, error,
                    "interface description block %" PRIu64 " at offset %" PRIu64
                    " exceeds the limit of %u interfaces per section",
                    number, offset, PCAPNG_MAX_INTERFACES_PER_SECTION);
    interface.link_type = link_type;
    set_resolution(&interface, PCAPNG_DEFAULT_TSRESOL_EXPONENT);

    /* Options are hints about the packets, not framing: one that runs past the block ends the
     * option list but leaves the interface usable, as the block length itself was sound. */
    uint16_t code, length;
    while (read_u16(body, reader->big_endian, &code) &&
           read_u16(body, reader->big_endian, &length) && code != PCAPNG_OPTION_END) {
        OddportCursor value;
        if (!oddport_cursor_sub(body, length, &value))
            break;
        oddport_cursor_skip(body, (4u - length % 4u) % 4u);
        uint8_t tsresol;
        uint64_t tsoffset;
        if (code == PCAPNG_OPTION_IF_TSRESOL && length == 1 && oddport_cursor_u8(&value, &tsresol))
            set_resolution(&interface, tsresol);
        else if (code == PCAPNG_OPTION_IF_TSOFFSET && length == 8 &&
                 read_u64(&value, reader->big_endian, &tsoffset))
            set_offset(&interface, (int64_t)tsoffset);
    }

    reader->precision_digits =
        MAX(reader->precision_digits, interface_precision_digits(&interface));
    g_array_append_val(reader->interfaces, interface);
    return ODDPORT_READ_RECORD;
}

static const CaptureInterface *find_interface(OddportCaptureReader *reader, uint32_t type,
                                              uint32_t id, uint64_t number, uint64_t offset,
                                              GError **error)
{
    if (id < reader->interfaces->len)
        return &g_array_index(reader->interfaces, CaptureInterface, id);
    g_autofree char *block = describe_block(type, number, offset);
    if (reader->interfaces->len == 0)
        fail(reader, ODDPORT_READ_DAMAGED, error,
             "%s refers to interface %" PRIu32
             ", but no interface has been described in its section",
             block, id);
    else
        fail(reader, ODDPORT_READ_DAMAGED, error,
             "%s refers to interface %" PRIu32 ", but its section describes only %u", block, id,
             reader->interfaces->len);
    return NULL;
}

/* Enhanced and obsolete packet blocks: interface, 64-bit timestamp, both lengths, then data. */
static OddportReadStatus read_packet(OddportCaptureReader *reader, uint32_t type,
                                     OddportCursor *body, uint64_t number, uint64_t offset,
                                     OddportRecord *record, GError **error)
{
    bool big_endian = reader->big_endian;
    uint32_t interface_id = 0, timestamp_high = 0, timestamp_low = 0, captured = 0, wire = 0;
    bool fields_present;
    if (type == PCAPNG_BLOCK_ENHANCED_PACKET) {
        fields_present = read_u32(body, big_endian, &interface_id);
    } else {
        uint16_t short_id = 0, drops;
        fields_present =
            read_u16(body, big_endian, &short_id) && read_u16(body, big_endian, &drops);
        interface_id = short_id;
    }
    fields_present = fields_present && read_u32(body, big_endian, &timestamp_high) &&
                     read_u32(body, big_endian, &timestamp_low) &&
                     read_u32(body, big_endian, &captured) && read_u32(body, big_endian, &wire);
    if (!fields_present) {
        g_autofree char *block = describe_block(type, number, offset);
        return fail(reader, ODDPORT_READ_DAMAGED, error, "%s is too short for its fields", block);
    }
    const CaptureInterface *interface =
        find_interface(reader, type, interface_id, number, offset, error);
    if (interface == NULL)
        return ODDPORT_READ_DAMAGED;
    size_t room = body->left;
    if (!oddport_cursor_bytes(body, captured, &record->data)) {
        g_autofree char *block = describe_block(type, number, offset);
        return fail(reader, ODDPORT_READ_DAMAGED, error,
                    "%s claims %" PRIu32 " captured bytes but has room for %zu", block, captured,
                    room);
    }
    record->timestamp_ns =
        ticks_to_ns(interface, (uint64_t)timestamp_high << 32 | (uint64_t)timestamp_low);
    record->captured_length = captured;
    record->wire_length = MAX(wire, captured);
    record->link_type = interface->link_type;
    record->snapshot_length = interface->snapshot_length;
    return ODDPORT_READ_RECORD;
}

/* Simple packet blocks: interface 0, no timestamp, and only the wire length; the captured length
 * follows from the snapshot length and the room in the block. */
static OddportReadStatus read_simple_packet(OddportCaptureReader *reader, OddportCursor *body,
                                            uint64_t number, uint64_t offset, OddportRecord *record,
                                            GError **error)
{
    uint32_t wire;
    if (!read_u32(body, reader->big_endian, &wire)) {
        g_autofree char *block = describe_block(PCAPNG_BLOCK_SIMPLE_PACKET, number, offset);
        return fail(reader, ODDPORT_READ_DAMAGED, error, "%s is too short for its fields", block);
    }
    const CaptureInterface *interface =
        find_interface(reader, PCAPNG_BLOCK_SIMPLE_PACKET, 0, number, offset, error);
    if (interface == NULL)
        return ODDPORT_READ_DAMAGED;
    uint32_t captured = wire;
    if (interface->snapshot_length != 0)
        captured = MIN(captured, interface->snapshot_length);
    captured = (uint32_t)MIN((size_t)captured, body->left);
    oddport_cursor_bytes(body, captured, &record->data);
    /* The block carries no time; 0 (the epoch) says so rather than inventing one. */
    record->timestamp_ns = 0;
    record->captured_length = captured;
    record->wire_length = wire;
    record->link_type = interface->link_type;
    record->snapshot_length = interface->snapshot_length;
    return ODDPORT_READ_RECORD;
}

/* A block other than a section header (whose byte order is its own), whole among the bytes
 * ready and sound in its framing, taken in one go, as next_ready_pcap_record takes a pcap record:
 * `body` then spans the bytes between its header and the trailing copy of its length. False, with
 * nothing taken, for anything else, which the general path takes or says what is wrong with. */
static inline bool take_ready_block(OddportCaptureReader *reader, uint32_t *type,
                                    OddportCursor *body)
{
    OddportCursor rest = ready_bytes(reader);
    OddportCursor block;
    uint32_t length, trailing_length;
    if (!read_u32(&rest, reader->big_endian, type) || *type == PCAPNG_BLOCK_SECTION_HEADER ||
        !read_u32(&rest, reader->big_endian, &length) ||
        block_length_problem(length, PCAPNG_BLOCK_MINIMUM_SIZE) != NULL ||
        !oddport_cursor_sub(&rest, length - PCAPNG_BLOCK_HEADER_SIZE, &block) ||
        !split_block_rest(reader, block, length, body, &trailing_length))
        return false;
    move_past_ready(reader, length);
    return true;
}

/* Takes the next block by parts, reading more as it needs, and says what is wrong with one that
 * is cut short or lies about its length. A section header block is read whole here, and then
 * `*type` says so with nothing more to do. */
static OddportReadStatus take_block(OddportCaptureReader *reader, uint64_t number, uint64_t offset,
                                    uint32_t *type, OddportCursor *body, GError **error)
{
    const uint8_t *bytes;
    size_t got = take(reader, PCAPNG_BLOCK_HEADER_SIZE, &bytes);
    if (got == 0)
        return finish_cleanly(reader, error);
    OddportCursor header = oddport_cursor_make(bytes, got);
    uint32_t length;
    const uint8_t *raw_length;
    if (!read_u32(&header, reader->big_endian, type) ||
        !oddport_cursor_bytes(&header, 4, &raw_length))
        return fail_short(reader, error, PCAPNG_BLOCK_HEADER_SIZE, got,
                          "the header of block %" PRIu64 " at offset %" PRIu64, number, offset);
    if (*type == PCAPNG_BLOCK_SECTION_HEADER) {
        /* The next take reuses the stream buffer, so keep the length bytes. */
        uint8_t length_bytes[4];
        memcpy(length_bytes, raw_length, sizeof length_bytes);
        return read_section_header(reader, length_bytes, number, offset, error);
    }
    OddportCursor length_cursor = oddport_cursor_make(raw_length, 4);
    if (!read_u32(&length_cursor, reader->big_endian, &length) ||
        !block_length_plausible(reader, *type, length, PCAPNG_BLOCK_MINIMUM_SIZE, number, offset,
                                error))
        return ODDPORT_READ_DAMAGED;
    return take_block_body(reader, *type, length, PCAPNG_BLOCK_HEADER_SIZE, number, offset, body,
                           error);
}

static OddportReadStatus next_pcapng_record(OddportCaptureReader *reader, OddportRecord *record,
                                            GError **error)
{
    for (;;) {
        uint64_t offset = reader->offset;
        uint64_t number = reader->blocks_read + 1;
        uint32_t type = 0;
        OddportCursor body;
        if (!take_ready_block(reader, &type, &body)) {
            OddportReadStatus status = take_block(reader, number, offset, &type, &body, error);
            if (status != ODDPORT_READ_RECORD)
                return status;
        }
        reader->blocks_read = number;

        OddportReadStatus status;
        switch (type) {
        case PCAPNG_BLOCK_SECTION_HEADER:
            /* Read whole by take_block: the section starts with no interfaces. */
            break;
        case PCAPNG_BLOCK_ENHANCED_PACKET:
        case PCAPNG_BLOCK_PACKET:
            return read_packet(reader, type, &body, number, offset, record, error);
        case PCAPNG_BLOCK_SIMPLE_PACKET:
            return read_simple_packet(reader, &body, number, offset, record, error);
        case PCAPNG_BLOCK_INTERFACE:
            status = read_interface(reader, &body, number, offset, error);
            if (status != ODDPORT_READ_RECORD)
                return status;
            break;
        default:
            /* Statistics, name resolution, decryption secrets, custom blocks: not packets. */
            break;
        }
    }
}

/* ---- Opening ---- */

/* strerror text with a lower-case start, as every message of this module has. */
static char *error_text(int errnum)
{
    char *text = g_strdup(g_strerror(errnum));
    if (g_ascii_isupper(text[0]) && !g_ascii_isupper(text[1]))
        text[0] = g_ascii_tolower(text[0]);
    return text;
}

static void set_open_error(GError **error, int errnum)
{
    g_autofree char *text = error_text(errnum);
    g_set_error_literal(error, ODDPORT_CAPTURE_ERROR, ODDPORT_CAPTURE_ERROR_OPEN, text);
}

/* Whether fewer than four bytes could be the start of a capture that was cut short. */
static bool is_start_of_magic(const uint8_t *bytes, size_t count)
{
    static const uint8_t magics[][4] = {
        {0xa1, 0xb2, 0xc3, 0xd4}, {0xd4, 0xc3, 0xb2, 0xa1}, {0xa1, 0xb2, 0x3c, 0x4d},
        {0x4d, 0x3c, 0xb2, 0xa1}, {0xa1, 0xb2, 0xcd, 0x34}, {0x34, 0xcd, 0xb2, 0xa1},
        {0x0a, 0x0d, 0x0d, 0x0a},
    };
    for (size_t index = 0; index < G_N_ELEMENTS(magics); index++) {
        if (memcmp(bytes, magics[index], count) == 0)
            return true;
    }
    return false;
}

/* Reads the file header, given the first bytes of the capture (compressed or not). */
static bool read_file_header(OddportCaptureReader *reader, const uint8_t *bytes, size_t got,
                             GError **error)
{
    if (reader->read_errno != 0) {
        set_open_error(error, reader->read_errno);
        return false;
    }
    if (got < 4 && reader->source_problem != NULL) {
        set_short_header_error(reader, error, "file header cut short (%zu bytes)", got);
        return false;
    }
    if (got == 0) {
        if (reader->decompressor != NULL)
            g_set_error(error, ODDPORT_CAPTURE_ERROR, ODDPORT_CAPTURE_ERROR_EMPTY,
                        "file is empty (its %s data holds no bytes)",
                        oddport_compression_name(reader->compression));
        else
            g_set_error_literal(error, ODDPORT_CAPTURE_ERROR, ODDPORT_CAPTURE_ERROR_EMPTY,
                                "file is empty");
        return false;
    }
    OddportCursor cursor = oddport_cursor_make(bytes, got);
    uint32_t magic;
    if (!oddport_cursor_be32(&cursor, &magic)) {
        if (is_start_of_magic(bytes, got) ||
            (reader->decompressor == NULL && oddport_compression_could_start(bytes, got))) {
            g_set_error(error, ODDPORT_CAPTURE_ERROR, ODDPORT_CAPTURE_ERROR_BAD_HEADER,
                        "file header cut short (%zu bytes)", got);
            return false;
        }
        magic = 0;
    }

    switch (magic) {
    case PCAP_MAGIC_MICROSECONDS:
    case PCAP_MAGIC_NANOSECONDS:
    case PCAP_MAGIC_MODIFIED:
    case GUINT32_SWAP_LE_BE_CONSTANT(PCAP_MAGIC_MICROSECONDS):
    case GUINT32_SWAP_LE_BE_CONSTANT(PCAP_MAGIC_NANOSECONDS):
    case GUINT32_SWAP_LE_BE_CONSTANT(PCAP_MAGIC_MODIFIED):
        return open_pcap(reader, magic, error);
    case PCAPNG_BLOCK_SECTION_HEADER: {
        reader->format = ODDPORT_CAPTURE_FORMAT_PCAPNG;
        reader->precision_digits = 6;
        reader->interfaces = g_array_new(FALSE, FALSE, sizeof(CaptureInterface));
        reader->blocks_read = 1;
        uint8_t length_bytes[4];
        got = take(reader, 4, &bytes);
        if (got < 4) {
            set_short_header_error(reader, error, "pcapng section header cut short (%zu bytes)",
                                   got + 4);
            return false;
        }
        memcpy(length_bytes, bytes, sizeof length_bytes);
        if (read_section_header(reader, length_bytes, 1, 0, NULL) == ODDPORT_READ_RECORD)
            return true;
        /* Any fault in the first block means the file header itself is bad. */
        g_set_error_literal(error, ODDPORT_CAPTURE_ERROR, ODDPORT_CAPTURE_ERROR_BAD_HEADER,
                            reader->final_error->message);
        return false;
    }
    default: {
        GString *start = g_string_new(NULL);
        for (size_t index = 0; index < got; index++)
            g_string_append_printf(start, index == 0 ? "%02x" : " %02x", bytes[index]);
        if (reader->decompressor != NULL)
            g_set_error(error, ODDPORT_CAPTURE_ERROR, ODDPORT_CAPTURE_ERROR_NOT_CAPTURE,
                        "%s-compressed, but not a pcap or pcapng capture (starts with %s)",
                        oddport_compression_name(reader->compression), start->str);
        else
            g_set_error(error, ODDPORT_CAPTURE_ERROR, ODDPORT_CAPTURE_ERROR_NOT_CAPTURE,
                        "not a pcap or pcapng capture (starts with %s)", start->str);
        g_string_free(start, TRUE);
        return false;
    }
    }
}

/* Makes the reader decompress from here on. `bytes` are the `got` first bytes of the file, already
 * taken to recognise the compression: a mapping still holds them, a stream must be given them. */
static bool start_decompressing(OddportCaptureReader *reader, OddportCompression compression,
                                const uint8_t *bytes, size_t got, GError **error)
{
    if (!oddport_compression_available(compression)) {
        g_autofree char *message = oddport_compression_unavailable_message(compression);
        g_set_error_literal(error, ODDPORT_CAPTURE_ERROR,
                            ODDPORT_CAPTURE_ERROR_UNSUPPORTED_COMPRESSION, message);
        return false;
    }
    reader->decompressor = oddport_decompressor_new(compression, error);
    if (reader->decompressor == NULL)
        return false;
    reader->compression = compression;
    reader->offset = 0;
    if (reader->map == NULL) {
        /* The stream's first read left the window holding the magic and whatever came after it:
         * all of it is compressed input, and the window is emptied for the capture. It was read
         * into the window as first made, so it fits a buffer of that size. The buffer is then
         * filled as every later one is, so that how much of a pipe's input is taken does not
         * depend on how much its first read found there (a capture damaged early would
         * otherwise end at a different offset from run to run). */
        size_t read_ahead = reader->window_end - reader->window_start;
        size_t first = got + read_ahead;
        g_assert(first <= STREAM_BUFFER_SIZE &&
                 bytes + got == reader->window + reader->window_start);
        /* On a page, as every later read fills it whole from where the last ended: from malloc
         * it lay 16 bytes past one, and each read then copied 16 bytes past its source (counted
         * within 4 KiB), which AMD processors do at a quarter of their speed (see
         * time_mapping_against_reading). */
        reader->compressed_buffer = oddport_large_memory_new(STREAM_BUFFER_SIZE);
        if (reader->compressed_buffer == NULL) {
            g_set_error(error, ODDPORT_CAPTURE_ERROR, ODDPORT_CAPTURE_ERROR_OPEN,
                        "cannot start %s decompression (out of memory)",
                        oddport_compression_name(compression));
            return false;
        }
        memcpy(reader->compressed_buffer, bytes, first);
        reader->window_start = 0;
        reader->window_end = 0;
        first += read_stream(reader, reader->compressed_buffer + first, STREAM_BUFFER_SIZE - first);
        reader->compressed = oddport_cursor_make(reader->compressed_buffer, first);
        reader->compressed_taken = first;
        reader->compressed_ended = first < STREAM_BUFFER_SIZE;
        return true;
    }
    make_window(reader);
    return true;
}

/* Recognises a compressed file by its first bytes, then reads the capture's file header. */
static bool read_start(OddportCaptureReader *reader, GError **error)
{
    const uint8_t *bytes;
    size_t got = take(reader, ODDPORT_COMPRESSION_MAGIC_SIZE, &bytes);
    OddportCompression compression = oddport_compression_detect(bytes, got);
    if (reader->read_errno == 0 && compression != ODDPORT_COMPRESSION_NONE) {
        if (!start_decompressing(reader, compression, bytes, got, error))
            return false;
        got = take(reader, 4, &bytes);
    }
    return read_file_header(reader, bytes, got, error);
}

/* Mapping a file spares copying it, but the kernel then maps every page of it into the process
 * and takes it out again, and what that costs differs from machine to machine far more than the
 * copy does. On one 2-core virtual machine, with the file in 4 KiB pages, mapping was the faster
 * by 1.13 to 1.16 times (touching a mapped 604 MB file took 0.06 to 0.095 s there, about what
 * reading it takes); on an EPYC one, another day, reading such files was 1.02 to 1.28 times as
 * fast with one thread. On a third, whose hypervisor takes part in every change to a page table,
 * the first touch of each mapped page cost about 1.5 us even with its page-table entry already
 * filled (0.25 s for the same file, against 0.05 s to read it), and 4M packets mapped took 2 to 3
 * times as long as read at -j 1. A file the page cache holds in large pieces maps cheaply
 * anywhere. So on the first file of a run large enough to matter, both are timed on its first
 * PROBE_BYTES, in the page cache from a first read, and files that large are mapped only when
 * mapping cost no more than reading did (oddport_mapping_costs_more). The limit was once 3 times,
 * on the best round: on the third machine that ratio ranged from 1.9 to 5.6 from one run to the
 * next, so one run in three to five mapped and took 2.7 times as long. The cost is the machine's
 * more than the file's, and a set of hundreds of rotated files would otherwise read 8 MiB and map
 * 6 MiB more for each; the verdict is kept for the run. */
enum { PROBE_FILE_MIN = 64 * 1024 * 1024, PROBE_BYTES = 2 * 1024 * 1024, PROBE_ROUNDS = 3 };
_Static_assert((int)PROBE_ROUNDS <= (int)ODDPORT_MAPPING_ROUNDS_MAX,
               "the verdict takes every round");

typedef enum {
    MAPPING_NOT_TIMED,
    MAPPING_CHEAP,
    MAPPING_DEAR,
} MappingVerdict;

static int compare_durations(const void *left, const void *right)
{
    int64_t a = *(const int64_t *)left;
    int64_t b = *(const int64_t *)right;
    return (a > b) - (a < b);
}

static int64_t median_duration(const int64_t *durations, size_t count)
{
    int64_t sorted[ODDPORT_MAPPING_ROUNDS_MAX];
    memcpy(sorted, durations, count * sizeof *durations);
    qsort(sorted, count, sizeof *sorted, compare_durations);
    return sorted[count / 2];
}

/* Medians, not the best round: on the machine where mapping is dear, about one round in fifteen
 * mapped at half what reading cost (a page table the previous round left warm, perhaps), and the
 * best of three then chose mapping for a run that took 2.7 times as long. */
bool oddport_mapping_costs_more(const int64_t *read_durations, const int64_t *map_durations,
                                size_t rounds)
{
    g_return_val_if_fail(rounds >= 1 && rounds <= ODDPORT_MAPPING_ROUNDS_MAX, false);
    return median_duration(map_durations, rounds) > median_duration(read_durations, rounds);
}

/* The verdict on `fd`'s first bytes; MAPPING_NOT_TIMED when they could not be timed (a file cut
 * short under the reader, mapping refused). */
static MappingVerdict time_mapping_against_reading(int fd)
{
    /* Read into memory that starts on a page, as the reader's own windows do. A copy by the
     * kernel to a place 1 to 31 bytes past where it reads from, counted within 4 KiB, runs at a
     * quarter of its speed on AMD processors (1.3 to 1.5 GB/s against 5 to 6 on an EPYC virtual
     * machine), and malloc's 16-byte header put every read of this probe there: reading was
     * timed at 1,200 to 1,400 us for 2 MiB against 120 to 170 us, and files in 4 KiB pages were
     * mapped where reading them was 1.02 to 1.28 times as fast with one thread. */
    uint8_t *buffer = oddport_large_memory_new(PROBE_BYTES);
    if (buffer == NULL)
        return MAPPING_NOT_TIMED;
    bool read_whole = pread(fd, buffer, PROBE_BYTES, 0) == PROBE_BYTES;
    int64_t read_durations[PROBE_ROUNDS];
    int64_t map_durations[PROBE_ROUNDS];
    size_t rounds = 0;
    while (read_whole && rounds < PROBE_ROUNDS) {
        gint64 start = g_get_monotonic_time();
        read_whole = pread(fd, buffer, PROBE_BYTES, 0) == PROBE_BYTES;
        gint64 read_done = g_get_monotonic_time();
        uint8_t *map = mmap(NULL, PROBE_BYTES, PROT_READ, MAP_PRIVATE, fd, 0);
        if (map == MAP_FAILED)
            break;
        (void)madvise(map, PROBE_BYTES, MADV_POPULATE_READ);
        /* Touched as the reader touches it, a page at a time, for kernels without the advice. */
        volatile uint8_t sum = 0;
        for (size_t offset = 0; offset < PROBE_BYTES; offset += 4096)
            sum = (uint8_t)(sum + map[offset]);
        munmap(map, PROBE_BYTES);
        gint64 map_done = g_get_monotonic_time();
        read_durations[rounds] = read_done - start;
        map_durations[rounds] = map_done - read_done;
        rounds++;
    }
    oddport_large_memory_free(buffer, PROBE_BYTES);
    if (!read_whole || rounds < PROBE_ROUNDS)
        return MAPPING_NOT_TIMED;
    return oddport_mapping_costs_more(read_durations, map_durations, rounds) ? MAPPING_DEAR
                                                                             : MAPPING_CHEAP;
}

/* Readers may be opened from several threads (one run's parts, a library's callers): the verdict
 * is kept atomically, and two first files timed at once only both time it. */
static gint mapping_verdict = MAPPING_NOT_TIMED;

static bool mapping_costs_more_than_reading(int fd, size_t size)
{
    if (size < PROBE_FILE_MIN)
        return false;
    MappingVerdict verdict = (MappingVerdict)g_atomic_int_get(&mapping_verdict);
    if (verdict == MAPPING_NOT_TIMED) {
        verdict = time_mapping_against_reading(fd);
        if (verdict != MAPPING_NOT_TIMED)
            g_atomic_int_set(&mapping_verdict, (gint)verdict);
    }
    return verdict == MAPPING_DEAR;
}

/* Maps a regular file whole; false leaves the reader to fall back on reading the stream. */
static bool map_file(OddportCaptureReader *reader, int fd, const struct stat *info)
{
    if (!S_ISREG(info->st_mode) || info->st_size <= 0 || (uintmax_t)info->st_size > SIZE_MAX)
        return false;
    size_t size = (size_t)info->st_size;
    if (mapping_costs_more_than_reading(fd, size))
        return false;
    void *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED)
        return false;
    /* A hint only: reading ahead helps, its failure does not matter. */
    (void)madvise(map, size, MADV_SEQUENTIAL);
    reader->map = map;
    reader->map_size = size;
    return true;
}

OddportCaptureReader *oddport_capture_open(const char *path, GError **error)
{
    g_return_val_if_fail(path != NULL, NULL);
    g_return_val_if_fail(error == NULL || *error == NULL, NULL);

    /* Standard input is duplicated so the reader owns (and closes) its descriptor alone. */
    bool from_stdin = strcmp(path, "-") == 0;
    int fd =
        from_stdin ? fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 0) : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        set_open_error(error, errno);
        return NULL;
    }
    struct stat info;
    if (fstat(fd, &info) != 0) {
        int errnum = errno;
        close(fd);
        set_open_error(error, errnum);
        return NULL;
    }
    if (S_ISDIR(info.st_mode)) {
        /* open() succeeds on a directory; only reading it would fail, and less clearly. */
        close(fd);
        set_open_error(error, EISDIR);
        return NULL;
    }

    OddportCaptureReader *reader = g_new0(OddportCaptureReader, 1);
    reader->stream = -1;
    if (!from_stdin && map_file(reader, fd, &info)) {
        close(fd); /* the mapping stays valid without it */
        reader->size = reader->map_size;
    } else {
        reader->stream = fd;
        /* A hint only: a pipe kept at its size is read all the same, as on systems without
         * F_SETPIPE_SZ (it is Linux's). */
#ifdef F_SETPIPE_SZ
        if (S_ISFIFO(info.st_mode))
            (void)fcntl(fd, F_SETPIPE_SZ, PIPE_SIZE_WANTED);
#endif
        make_window(reader);
        reader->regular_file = S_ISREG(info.st_mode);
        /* A file redirected to standard input still has a size; a pipe or /proc file has none. */
        off_t start = S_ISREG(info.st_mode) ? lseek(fd, 0, SEEK_CUR) : -1;
        if (start >= 0 && start <= info.st_size)
            reader->size = (uint64_t)(info.st_size - start);
    }

    if (!read_start(reader, error)) {
        oddport_capture_close(reader);
        return NULL;
    }
    return reader;
}

OddportReadStatus oddport_capture_next(OddportCaptureReader *reader, OddportRecord *record,
                                       GError **error)
{
    g_return_val_if_fail(reader != NULL && record != NULL, ODDPORT_READ_DAMAGED);
    g_return_val_if_fail(error == NULL || *error == NULL, ODDPORT_READ_DAMAGED);

    if (reader->finished) {
        if (reader->final_error != NULL && error != NULL)
            *error = g_error_copy(reader->final_error);
        return reader->final_status;
    }
    OddportReadStatus status = reader->format == ODDPORT_CAPTURE_FORMAT_PCAP
                                   ? next_pcap_record(reader, record, error)
                                   : next_pcapng_record(reader, record, error);
    if (status == ODDPORT_READ_RECORD)
        record->frame_number = ++reader->packet_records;
    return status;
}

OddportCaptureFormat oddport_capture_format(const OddportCaptureReader *reader)
{
    return reader->format;
}

unsigned oddport_capture_precision_digits(const OddportCaptureReader *reader)
{
    return reader->precision_digits;
}

const char *oddport_capture_compression_name(const OddportCaptureReader *reader)
{
    return oddport_compression_name(reader->compression);
}

uint64_t oddport_capture_offset(const OddportCaptureReader *reader)
{
    if (reader->decompressor != NULL)
        return reader->compressed_taken - reader->compressed.left;
    return reader->offset;
}

uint64_t oddport_capture_size(const OddportCaptureReader *reader)
{
    return reader->size;
}

void oddport_capture_set_interrupt_check(OddportCaptureReader *reader,
                                         OddportCaptureInterruptCheck check, void *user_data)
{
    reader->interrupt_check = check;
    reader->interrupt_check_data = user_data;
}

bool oddport_capture_was_interrupted(const OddportCaptureReader *reader)
{
    return reader->interrupted;
}

bool oddport_capture_mapped_file(const OddportCaptureReader *reader, const uint8_t **start,
                                 size_t *size)
{
    /* Pages handed back behind the reading position fault in again from the file, unchanged. */
    if (reader->map == NULL)
        return false;
    *start = reader->map;
    *size = reader->map_size;
    return true;
}

bool oddport_capture_hold_window(OddportCaptureReader *reader, const uint8_t *bytes, size_t length,
                                 uint64_t *number)
{
    if (reader->window == NULL)
        return false;
    /* Compared as addresses, since `bytes` may lie in no window at all. */
    uintptr_t start = (uintptr_t)reader->window;
    uintptr_t at = (uintptr_t)bytes;
    if (at < start || at - start > reader->window_end || length > reader->window_end - (at - start))
        return false;
    if (!reader->window_held) {
        reader->window_held = true;
        reader->held_bytes += reader->window_size;
    }
    *number = reader->window_number;
    return true;
}

void oddport_capture_release_windows(OddportCaptureReader *reader, uint64_t below)
{
    if (reader->held_windows == NULL)
        return;
    guint released = 0;
    while (released < reader->held_windows->len) {
        HeldWindow window = g_array_index(reader->held_windows, HeldWindow, released);
        if (window.number >= below)
            break;
        reader->held_bytes -= window.size;
        let_window_go(reader, window);
        released++;
    }
    if (released > 0)
        g_array_remove_range(reader->held_windows, 0, released);
    /* The current window is read into again in place once nothing holds it. */
    if (reader->window_held && reader->window_number < below) {
        reader->window_held = false;
        reader->held_bytes -= reader->window_size;
    }
}

size_t oddport_capture_held_bytes(const OddportCaptureReader *reader)
{
    return reader->held_bytes;
}

bool oddport_capture_read_ahead(OddportCaptureReader *reader)
{
    if (reader->read_ahead != NULL)
        return true;
    if (reader->stream < 0 || !reader->regular_file || reader->decompressor != NULL ||
        reader->window_source_over)
        return false;
    uint8_t *window = carve_window(reader, READ_AHEAD_WINDOW_SIZE);
    if (window == NULL)
        return false;
    ReadAhead *ahead = g_new0(ReadAhead, 1);
    ahead->stream = reader->stream;
    off_t file_offset = lseek(reader->stream, 0, SEEK_CUR);
    ahead->file_offset = file_offset > 0 ? (uint64_t)file_offset : 0;
    pthread_mutex_init(&ahead->lock, NULL);
    pthread_cond_init(&ahead->changed, NULL);
    ahead->window = window;
    ahead->asked = true;
    sigset_t all;
    sigset_t before;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &before);
    ahead->thread = g_thread_try_new("oddport-read", run_read_ahead, ahead, NULL);
    pthread_sigmask(SIG_SETMASK, &before, NULL);
    if (ahead->thread == NULL) {
        oddport_object_pool_give_back(&reader->read_ahead_pool, window);
        pthread_mutex_destroy(&ahead->lock);
        pthread_cond_destroy(&ahead->changed);
        g_free(ahead);
        return false;
    }
    reader->read_ahead = ahead;
    return true;
}

/* Frees every window the reader made, and the array that lists the held ones. */
static void free_windows(OddportCaptureReader *reader)
{
    if (reader->held_windows != NULL) {
        for (guint index = 0; index < reader->held_windows->len; index++) {
            const HeldWindow *window = &g_array_index(reader->held_windows, HeldWindow, index);
            if (!window->carved)
                g_free(window->bytes);
        }
        g_array_free(reader->held_windows, TRUE);
    }
    if (!reader->window_carved)
        g_free(reader->window);
    /* Carved windows, held or not, go with their blocks. */
    oddport_object_pool_clear(&reader->window_pool);
    oddport_object_pool_clear(&reader->read_ahead_pool);
}

void oddport_capture_close(OddportCaptureReader *reader)
{
    if (reader == NULL)
        return;
    stop_read_ahead(reader);
    free_windows(reader);
    if (reader->map != NULL)
        munmap((void *)reader->map, reader->map_size);
    if (reader->stream >= 0)
        close(reader->stream);
    oddport_decompressor_free(reader->decompressor);
    if (reader->compressed_buffer != NULL)
        oddport_large_memory_free(reader->compressed_buffer, STREAM_BUFFER_SIZE);
    g_free(reader->source_problem);
    if (reader->interfaces != NULL)
        g_array_free(reader->interfaces, TRUE);
    g_clear_error(&reader->final_error);
    g_free(reader);
}
