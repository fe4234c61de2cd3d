/* Per-direction detection shared by the CLI and the plugin: in-place first, reassembled after. */
#include <string.h>

#include <glib.h>

#include "internal/side.h"

void oddport_side_init(OddportSide *side, OddportTransport transport)
{
    memset(side, 0, sizeof *side);
    side->candidates = oddport_protocol_candidates(transport);
}

void oddport_side_set_start(OddportSide *side, uint32_t first_data_sequence)
{
    oddport_stream_set_base(&side->stream, first_data_sequence);
}

static void read_later_details(OddportSide *side, const uint8_t *bytes, size_t length, bool final);

/* Records a detection outcome on `bytes`, the side's opening as far as detection read it;
 * returns true when it settled the side. */
static bool settle(OddportSide *side, OddportMatch match, const OddportSideResult *result,
                   const uint8_t *bytes, size_t length)
{
    if (match == ODDPORT_MATCH_NEED_MORE) {
        side->pending_confidence = result->verdict.confidence;
        return false;
    }
    /* Kept before the stream that may hold them is released. */
    bool may_end_unknown =
        match != ODDPORT_MATCH_YES || result->verdict.confidence <= ODDPORT_CONFIDENCE_LOW;
    if (may_end_unknown && length > 0 && side->opening == NULL) {
        side->opening = g_new(OddportOpening, 1);
        side->opening->length =
            (uint8_t)(length < ODDPORT_OPENING_MAX ? length : ODDPORT_OPENING_MAX);
        memcpy(side->opening->bytes, bytes, side->opening->length);
    }
    side->decided = true;
    side->pending_confidence = ODDPORT_CONFIDENCE_NONE;
    if (match == ODDPORT_MATCH_YES) {
        /* Only as much of the result as its protocol's details take: most of the room is for
         * the largest protocol's. */
        const OddportProtocol *protocol = oddport_protocol(result->app);
        side->result = g_memdup2(result, ODDPORT_SIDE_RESULT_SIZE(protocol->details_size));
        if (protocol->read_later_details != NULL) {
            side->reading_later_details = true;
            read_later_details(side, bytes, length, oddport_stream_is_full(&side->stream));
        }
    }
    if (!side->reading_later_details)
        oddport_stream_clear(&side->stream);
    return true;
}

/* Same bytes, more details: gives the protocol of a decided side its opening so far. */
static void read_later_details(OddportSide *side, const uint8_t *bytes, size_t length, bool final)
{
    const OddportProtocol *protocol = oddport_protocol(side->result->app);
    if (protocol->read_later_details(bytes, length, final, side->result->details.bytes) || final) {
        side->reading_later_details = false;
        oddport_stream_clear(&side->stream);
    }
}

/* A segment of a decided side that still reads later details. */
static void continue_later_details(OddportSide *side, uint32_t sequence, const uint8_t *payload,
                                   size_t length)
{
    if (!oddport_stream_add(&side->stream, sequence, payload, length))
        return;
    size_t prefix_length;
    const uint8_t *prefix = oddport_stream_data(&side->stream, &prefix_length);
    read_later_details(side, prefix, prefix_length, oddport_stream_is_full(&side->stream));
}

bool oddport_side_feed_segment(OddportSide *side, uint32_t sequence, const uint8_t *payload,
                               size_t length)
{
    if (length == 0)
        return false;
    side->had_payload = true;
    if (side->decided) {
        if (side->reading_later_details)
            continue_later_details(side, sequence, payload, length);
        return false;
    }
    OddportSideResult result;
    if (oddport_stream_is_fresh_start(&side->stream, sequence)) {
        /* Most openings fit one segment: judge it where it lies and copy only if undecided, or
         * if its protocol wants later bytes for details. */
        OddportMatch match =
            oddport_detect_side(payload, length, false, &side->candidates, &result);
        if (match != ODDPORT_MATCH_NEED_MORE) {
            bool decided = settle(side, match, &result, payload, length);
            /* A protocol that reads details from later bytes has had these in place; they are
             * copied only when it wants more, which most sides never do (and read again, in case
             * they alone fill the stream). */
            if (side->reading_later_details)
                continue_later_details(side, sequence, payload, length);
            return decided;
        }
        oddport_stream_add(&side->stream, sequence, payload, length);
        return settle(side, match, &result, payload, length);
    }
    if (!oddport_stream_add(&side->stream, sequence, payload, length))
        return false;
    size_t prefix_length;
    const uint8_t *prefix = oddport_stream_data(&side->stream, &prefix_length);
    bool full = oddport_stream_is_full(&side->stream);
    return settle(side,
                  oddport_detect_side(prefix, prefix_length, full, &side->candidates, &result),
                  &result, prefix, prefix_length);
}

bool oddport_side_feed_datagram(OddportSide *side, const uint8_t *payload, size_t length)
{
    if (length == 0)
        return false;
    side->had_payload = true;
    if (side->decided)
        return false;
    OddportSideResult result;
    bool decided =
        settle(side, oddport_detect_side(payload, length, true, &side->candidates, &result),
               &result, payload, length);
    /* Each datagram stands alone: what the deciding one holds is all there is. */
    if (side->reading_later_details)
        read_later_details(side, payload, length, true);
    return decided;
}

void oddport_side_finish(OddportSide *side)
{
    if (side->reading_later_details) {
        size_t length;
        const uint8_t *data = oddport_stream_data(&side->stream, &length);
        read_later_details(side, data, length, true);
    }
    if (side->decided)
        return;
    size_t length;
    const uint8_t *data = oddport_stream_data(&side->stream, &length);
    OddportSideResult result;
    OddportMatch match = length > 0
                             ? oddport_detect_side(data, length, true, &side->candidates, &result)
                             : ODDPORT_MATCH_NO;
    settle(side, match == ODDPORT_MATCH_YES ? match : ODDPORT_MATCH_NO, &result, data, length);
    /* Decided only now, with no more bytes to come for details either. */
    if (side->reading_later_details)
        read_later_details(side, data, length, true);
}

void oddport_side_clear(OddportSide *side)
{
    oddport_stream_clear(&side->stream);
    g_free(side->result);
    side->result = NULL;
    g_free(side->opening);
    side->opening = NULL;
}
