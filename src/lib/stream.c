/* In-order reassembly of a direction's first bytes, bounded and robust to bad segments. */
#include <string.h>

#include <glib.h>

#include "internal/stream.h"

/* What keeps a flow small (see OddportStream.buffer): one pointer, the numbers and flags. */
_Static_assert(sizeof(OddportStream) <= 24, "a stream fits three words");

/* A buffer's first size: it doubles from there up to ODDPORT_STREAM_LIMIT. */
enum { FIRST_CAPACITY = 2048 };

/* The room for pieces out of order, after the buffer's bytes: the buffer is always a multiple of
 * FIRST_CAPACITY bytes, so the ranges there are aligned. */
enum { PENDING_ROOM = ODDPORT_STREAM_MAX_PENDING * sizeof(OddportStreamRange) };
_Static_assert(FIRST_CAPACITY % _Alignof(OddportStreamRange) == 0 &&
                   ODDPORT_STREAM_LIMIT % _Alignof(OddportStreamRange) == 0,
               "ranges after the bytes are aligned");

static OddportStreamRange *pending_ranges(const OddportStream *stream)
{
    return (OddportStreamRange *)(void *)(stream->buffer + stream->capacity);
}

void oddport_stream_set_base(OddportStream *stream, uint32_t first_data_sequence)
{
    if (stream->has_base)
        return;
    stream->base_sequence = first_data_sequence;
    stream->has_base = true;
}

bool oddport_stream_is_fresh_start(const OddportStream *stream, uint32_t sequence)
{
    if (!stream->has_base)
        return true;
    return stream->contiguous == 0 && stream->pending_count == 0 &&
           sequence == stream->base_sequence;
}

static void ensure_capacity(OddportStream *stream, uint32_t needed)
{
    if (needed <= stream->capacity)
        return;
    uint32_t capacity = stream->capacity != 0 ? stream->capacity : FIRST_CAPACITY;
    while (capacity < needed)
        capacity *= 2;
    if (capacity > ODDPORT_STREAM_LIMIT)
        capacity = ODDPORT_STREAM_LIMIT;
    stream->buffer =
        g_realloc(stream->buffer, capacity + (stream->has_pending_room ? PENDING_ROOM : 0));
    /* The waiting pieces move up with the end of the bytes. */
    if (stream->pending_count > 0)
        memmove(stream->buffer + capacity, stream->buffer + stream->capacity,
                stream->pending_count * sizeof(OddportStreamRange));
    stream->capacity = capacity;
}

/* Folds waiting pieces that now touch the in-order prefix into it. */
static void absorb_pending(OddportStream *stream)
{
    OddportStreamRange *pending = pending_ranges(stream);
    bool absorbed;
    do {
        absorbed = false;
        for (unsigned index = 0; index < stream->pending_count; index++) {
            OddportStreamRange range = pending[index];
            if (range.start > stream->contiguous)
                continue;
            if (range.end > stream->contiguous)
                stream->contiguous = range.end;
            pending[index] = pending[--stream->pending_count];
            absorbed = true;
            break;
        }
    } while (absorbed);
}

/* The piece's bytes are in the buffer already, so the buffer is there to make room after. */
static void remember_pending(OddportStream *stream, uint32_t start, uint32_t end)
{
    for (unsigned index = 0; index < stream->pending_count; index++) {
        OddportStreamRange *range = &pending_ranges(stream)[index];
        if (start <= range->end && end >= range->start) {
            range->start = start < range->start ? start : range->start;
            range->end = end > range->end ? end : range->end;
            return;
        }
    }
    if (stream->pending_count == ODDPORT_STREAM_MAX_PENDING)
        return;
    if (!stream->has_pending_room) {
        stream->buffer = g_realloc(stream->buffer, stream->capacity + PENDING_ROOM);
        stream->has_pending_room = true;
    }
    pending_ranges(stream)[stream->pending_count++] = (OddportStreamRange){start, end};
}

/* Copies offsets [from, to) of a segment that begins at offset `start`, leaving alone the bytes
 * an earlier out-of-order segment placed there: the first value received wins, beyond the
 * in-order prefix as within it, so that a later overlapping segment cannot rewrite an opening
 * that was already judged in part. */
static void copy_new_bytes(OddportStream *stream, uint32_t start, const uint8_t *data,
                           uint32_t from, uint32_t to)
{
    const OddportStreamRange *pending = pending_ranges(stream);
    while (from < to) {
        uint32_t gap_end = to;
        bool held = false;
        for (unsigned index = 0; index < stream->pending_count && !held; index++) {
            const OddportStreamRange *range = &pending[index];
            if (range->start <= from && from < range->end) {
                from = range->end;
                held = true;
            } else if (range->start > from && range->start < gap_end) {
                gap_end = range->start;
            }
        }
        if (held)
            continue;
        memcpy(stream->buffer + from, data + (from - start), gap_end - from);
        from = gap_end;
    }
}

bool oddport_stream_add(OddportStream *stream, uint32_t sequence, const uint8_t *data,
                        size_t length)
{
    if (length == 0)
        return false;
    oddport_stream_set_base(stream, sequence);
    /* Sequence numbers wrap: the signed distance says whether the segment starts before the
     * base (a retransmission of what came before, or the part of one that overlaps). */
    int64_t offset = (int32_t)(sequence - stream->base_sequence);
    if (offset < 0) {
        if ((uint64_t)-offset >= length)
            return false;
        data += -offset;
        length -= (size_t)-offset;
        offset = 0;
    }
    if (offset >= ODDPORT_STREAM_LIMIT)
        return false;
    uint32_t start = (uint32_t)offset;
    uint32_t end =
        length > ODDPORT_STREAM_LIMIT - start ? ODDPORT_STREAM_LIMIT : start + (uint32_t)length;
    /* First value wins: skip what the in-order prefix already holds. */
    uint32_t copy_from = start < stream->contiguous ? stream->contiguous : start;
    if (copy_from >= end)
        return false;
    ensure_capacity(stream, end);
    copy_new_bytes(stream, start, data, copy_from, end);
    if (start > stream->contiguous) {
        remember_pending(stream, start, end);
        return false;
    }
    stream->contiguous = end;
    absorb_pending(stream);
    return true;
}

const uint8_t *oddport_stream_data(const OddportStream *stream, size_t *length)
{
    *length = stream->contiguous;
    return stream->buffer;
}

bool oddport_stream_is_full(const OddportStream *stream)
{
    return stream->contiguous >= ODDPORT_STREAM_LIMIT;
}

void oddport_stream_clear(OddportStream *stream)
{
    g_free(stream->buffer);
    memset(stream, 0, sizeof *stream);
}
