/* The first bytes of one direction of a TCP connection, put back in sequence order. */
#ifndef ODDPORT_STREAM_H
#define ODDPORT_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Detection needs only a flow's opening: a request line, a ClientHello, a banner. Bytes past
 * this many from the start of a direction are never kept. */
#define ODDPORT_STREAM_LIMIT 8192
/* Out-of-order pieces waiting for a gap to fill; more than this and later ones are dropped. */
#define ODDPORT_STREAM_MAX_PENDING 8

typedef struct {
    uint32_t start; /* offsets from the base sequence number, end exclusive */
    uint32_t end;
} OddportStreamRange;

/* One direction's opening bytes. Zero-initialised is a valid empty stream. Segments may come
 * retransmitted, overlapping, reordered or not at all; `contiguous` is how many bytes from the
 * start are known without a gap. The buffer grows only as far as data arrives; it and the room
 * for pieces out of order are owned by the stream: oddport_stream_clear releases them. */
typedef struct {
    /* `capacity` bytes, and after them, once a piece has come out of order, room for
     * ODDPORT_STREAM_MAX_PENDING ranges: few streams ever have one, and a pointer of its own for
     * that room, or the room itself in every stream, makes every flow larger, which a flood or a
     * scan pays for half a million flows at a time. */
    uint8_t *buffer;
    uint32_t capacity;
    uint32_t base_sequence;
    uint32_t contiguous;
    bool has_base;
    bool has_pending_room;
    uint8_t pending_count;
} OddportStream;

/* Fixes where the stream starts: the sequence number after a SYN's. Without it the first data
 * segment seen sets the start. */
void oddport_stream_set_base(OddportStream *stream, uint32_t first_data_sequence);

/* Whether a segment starting at `sequence` would be the stream's first in-order bytes with
 * nothing stored yet, so that a detector can read it in place without a copy. */
bool oddport_stream_is_fresh_start(const OddportStream *stream, uint32_t sequence);

/* Stores a segment. Bytes already held keep their first value (a retransmission cannot rewrite
 * what detection has read). Returns true when the in-order prefix grew. */
bool oddport_stream_add(OddportStream *stream, uint32_t sequence, const uint8_t *data,
                        size_t length);

/* The in-order prefix (transfer none: valid until the next add or clear). */
const uint8_t *oddport_stream_data(const OddportStream *stream, size_t *length);

/* True when no more in-order bytes can be kept: the limit is reached. */
bool oddport_stream_is_full(const OddportStream *stream);

/* Releases the buffer and empties the stream (it may be used again). */
void oddport_stream_clear(OddportStream *stream);

#endif
