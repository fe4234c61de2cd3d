/* One side of a flow on its way to a verdict: its opening bytes in order and the detectors left. */
#ifndef ODDPORT_SIDE_H
#define ODDPORT_SIDE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oddport/protocol.h"
#include "internal/stream.h"

/* What the CLI's flow table and the Wireshark plugin both keep per direction, so that both judge
 * a flow the same way from the same bytes. Zero-filled and then oddport_side_init'ed; the stream
 * buffer, the result and the opening are owned by the side: oddport_side_clear releases them. */
typedef struct {
    OddportStream stream;
    OddportCandidates candidates;
    bool decided;
    /* Decided, and still keeping its opening for details its protocol reads later
     * (OddportProtocol.read_later_details). */
    bool reading_later_details;
    bool had_payload;
    /* While undecided: how telling the best partial match is so far (for a caller that can ask
     * for more bytes, such as a dissector requesting TCP reassembly). */
    OddportConfidence pending_confidence;
    OddportSideResult *result; /* NULL unless an app was recognised */
    /* Once decided, the first bytes detection judged, kept only where the side may end up
     * unrecognised (nothing matched, or a low-confidence match that classification may set
     * aside): most sides never need them, and keeping them in every flow would make the flow
     * table a quarter larger. */
    OddportOpening *opening;
} OddportSide;

/* Every protocol looked for on `transport` starts as a candidate. */
void oddport_side_init(OddportSide *side, OddportTransport transport);

/* Sets where the side's byte stream starts: the sequence number after its SYN's. */
void oddport_side_set_start(OddportSide *side, uint32_t first_data_sequence);

/* Feeds a TCP segment's payload (`sequence` is that of its first byte). Detection runs on the
 * bytes in place when they open the stream, and on the reassembled prefix otherwise. Returns
 * true when this segment decided the side. */
bool oddport_side_feed_segment(OddportSide *side, uint32_t sequence, const uint8_t *payload,
                               size_t length);

/* Whether the side's detection is over: decided, and reading no later details. A payload fed to
 * it after that changes nothing, so a caller may skip feeding it (the feed that decided it has
 * already noted that the side had payload). */
static inline bool oddport_side_detection_done(const OddportSide *side)
{
    return side->decided && !side->reading_later_details;
}

/* Feeds a datagram: the first one with payload decides the side on its own. */
bool oddport_side_feed_datagram(OddportSide *side, const uint8_t *payload, size_t length);

/* Decides an undecided side from what it holds, once no more bytes will come. */
void oddport_side_finish(OddportSide *side);

void oddport_side_clear(OddportSide *side);

#endif
