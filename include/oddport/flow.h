/* A finished flow as the report writers and the tally see it. */
#ifndef ODDPORT_FLOW_H
#define ODDPORT_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oddport/classify.h"
#include "oddport/decode.h"
#include "oddport/portclass.h"
#include "oddport/protocol.h"

/* Declared in oddport/report.h, which builds on this header. */
struct OddportReportFormat;

typedef struct {
    OddportAddress address;
    uint16_t port;
    OddportPortClass port_class;
} OddportEndpoint;

/* Where a packet lies, for going back to it in Wireshark: `tshark -r CAPTURE -Y
 * frame.number==FRAME`. `capture` is the path as given to the engine (transfer none); NULL, with
 * `frame` 0, where there is no such packet. */
typedef struct {
    const char *capture;
    uint64_t frame; /* 1-based, counting every packet record of the file, skipped ones too */
} OddportPacketPlace;

/* Which side's packet a flow's verdict came from. */
typedef enum {
    ODDPORT_DECIDED_BY_NONE,
    ODDPORT_DECIDED_BY_CLIENT,
    ODDPORT_DECIDED_BY_SERVER,
} OddportDecidedBy;

#define ODDPORT_DECIDED_BY_COUNT 3
_Static_assert(ODDPORT_DECIDED_BY_SERVER + 1 == ODDPORT_DECIDED_BY_COUNT,
               "ODDPORT_DECIDED_BY_COUNT must follow the last value");

/* Writes one protocol's members of a flow that was read back from a report rather than made by
 * the engine (`oddport merge` keeps no side results, only what the report said): opens the
 * protocol's object with `visitor`, replays its members, closes it. `source` is the reader's
 * own (transfer none). */
typedef void (*OddportReplayProtocolMembers)(const OddportProtocol *protocol, const void *source,
                                             const OddportRecordVisitor *visitor,
                                             void *visitor_data);

/* Whether a bare SYN with `sequence` on a flow already open starts another connection on the
 * same ports: when the flow is closed, or when the endpoint sending it had already sent a bare
 * SYN on the flow (`sender_had_syn`) with another number. The same number again is a
 * retransmission; a SYN from an endpoint that sent none before goes on with the flow. The engine
 * judges each SYN by this, and oddport merge a part that begins with one. */
static inline bool oddport_syn_starts_connection(bool flow_closed, bool sender_had_syn,
                                                 uint32_t sender_syn_sequence, uint32_t sequence)
{
    return flow_closed || (sender_had_syn && sender_syn_sequence != sequence);
}

/* A finished flow as the report writers see it; everything in it is borrowed from the engine
 * for the duration of the callback (transfer none). */
typedef struct OddportFlowReport {
    /* The position of the flow's first packet among all packet records of the run's captures,
     * counted from 1 across them in the order they were read, including packets skipped or
     * filtered out: so a flow keeps its id whatever --filter, --since or --until leave out and
     * in whatever order flows end. */
    uint64_t id;
    OddportTransport transport;
    OddportEndpoint client;
    OddportEndpoint server;
    bool has_vlan;
    uint16_t vlan_id;
    const OddportFlowVerdict *verdict;
    const OddportSideResult *client_result; /* NULL where nothing was recognised */
    const OddportSideResult *server_result;
    uint64_t first_seen_ns;
    uint64_t last_seen_ns;
    uint64_t client_packets;
    uint64_t client_bytes;
    uint64_t server_packets;
    uint64_t server_bytes;
    unsigned precision_digits; /* of the captures' timestamps: 6 or 9 */
    bool client_sent_payload;
    bool server_sent_payload;
    bool server_accepted; /* TCP: the server answered a SYN with a SYN-ACK */
    OddportOpening client_opening;
    OddportOpening server_opening;
    OddportPacketPlace first_packet;
    /* The packet whose bytes made the flow's app known: the last one fed to the side the app
     * came from (the server's when it has one, else the client's) before that side was decided.
     * None (`decided_by` NONE) when the app is unknown. */
    OddportPacketPlace deciding_packet;
    OddportDecidedBy decided_by;
    /* How the flow stood when it was finished, so that the parts of a capture set read by
     * separate runs can be put back together (oddport merge): a flow still open when one part's
     * input ended may go on at the start of the next part. */
    bool client_sent_syn; /* TCP: the client's SYN is in the flow, so its beginning was seen */
    bool client_sent_fin; /* TCP: closed when both sides sent a FIN, or on a reset */
    bool server_sent_fin;
    bool reset;
    bool open_at_end; /* finished only because the input ended */
    /* The side's detection had everything it wanted before the flow ended: decided, with no
     * details still to come from later bytes. Otherwise later bytes of the side, had there been
     * any, could have changed what is reported of it. */
    bool client_detection_done;
    bool server_detection_done;
    /* TCP, when client_sent_syn: the sequence number of the client's SYN. A SYN again with the
     * same number is a retransmission of the same connection, another number a new connection
     * on the same ports. */
    uint32_t client_syn_sequence;
    /* Set only for a flow read back from a report: its protocols' members come from there, and
     * client_result and server_result are NULL. */
    OddportReplayProtocolMembers replay_protocol_members;
    const void *replay_source;
    /* Set only when the engine's worker threads wrote the flow's part of the report ahead of
     * time (oddport_engine_prepare_flows): that part, for the format named, borrowed from the
     * engine until the flow report is gone. */
    const struct OddportReportFormat *prepared_for;
    const char *prepared_text;
    size_t prepared_length;
} OddportFlowReport;

#endif
