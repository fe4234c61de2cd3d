/* The one list of a flow record's members, compiled into the writers that walk every flow. */
#ifndef ODDPORT_RECORD_WALK_H
#define ODDPORT_RECORD_WALK_H

#include "oddport/community_id.h"
#include "oddport/record.h"
#include "oddport/vocabulary.h"

/* This is the one list of a flow's members. It is a header so that a writer that walks every
 * flow of a large capture (JSON, NDJSON, CSV) can call walk_flow_record with its own constant
 * visitor: the compiler then turns the visitor's indirect calls into direct, inlined ones, and
 * the members' names into constants, so the walk costs what writing the members by hand did.
 * Everyone else calls oddport_flow_record_walk. */

static inline void walk_endpoint(const OddportRecordVisitor *visitor, const char *name,
                                 const OddportEndpoint *endpoint, void *data)
{
    char address[ODDPORT_ADDRESS_TEXT_MAX];
    oddport_address_to_text(&endpoint->address, address);
    visitor->begin_object(name, true, data);
    visitor->string("ip", address, data);
    visitor->unsigned_integer("port", endpoint->port, data);
    visitor->string("port_class", oddport_port_class_name(endpoint->port_class), data);
    visitor->end_object(data);
}

static inline void walk_count_pair(const OddportRecordVisitor *visitor, const char *name,
                                   uint64_t packets, uint64_t bytes, void *data)
{
    visitor->begin_object(name, true, data);
    visitor->unsigned_integer("packets", packets, data);
    visitor->unsigned_integer("bytes", bytes, data);
    visitor->end_object(data);
}

/* A packet place as {"capture", "frame"}, with "side" (whose packet it is) when `with_side`. */
static inline void walk_packet_place(const OddportRecordVisitor *visitor, const char *name,
                                     const OddportPacketPlace *place, const char *side,
                                     bool with_side, void *data)
{
    bool present = place->capture != NULL;
    visitor->begin_object(name, present, data);
    if (!present && visitor->skips_absent_members) {
        visitor->end_object(data);
        return;
    }
    oddport_record_text(visitor, "capture", place->capture, data);
    if (place->capture != NULL)
        visitor->unsigned_integer("frame", place->frame, data);
    else
        visitor->null("frame", data);
    if (with_side)
        oddport_record_text(visitor, "side", side, data);
    visitor->end_object(data);
}

/* A side's first bytes as lowercase hex, or null when there are none (or `opening` is NULL). */
static inline void walk_opening_hex(const OddportRecordVisitor *visitor, const char *name,
                                    const OddportOpening *opening, void *data)
{
    if (opening == NULL || opening->length == 0) {
        visitor->null(name, data);
        return;
    }
    static const char digits[] = "0123456789abcdef";
    char hex[2 * ODDPORT_OPENING_MAX + 1];
    size_t length = opening->length <= ODDPORT_OPENING_MAX ? opening->length : ODDPORT_OPENING_MAX;
    for (size_t index = 0; index < length; index++) {
        hex[2 * index] = digits[opening->bytes[index] >> 4];
        hex[2 * index + 1] = digits[opening->bytes[index] & 0x0f];
    }
    hex[2 * length] = '\0';
    visitor->string(name, hex, data);
}

static inline const OddportSideResult *side_of_app(const OddportSideResult *side, OddportApp app)
{
    return side != NULL && side->app == app ? side : NULL;
}

static inline void walk_flow_record(const OddportFlowReport *flow,
                                    const OddportRecordVisitor *visitor, void *data)
{
    const OddportFlowVerdict *verdict = flow->verdict;
    unsigned digits = flow->precision_digits;
    visitor->unsigned_integer("id", flow->id, data);
    visitor->string("transport", oddport_transport_name(flow->transport), data);
    walk_endpoint(visitor, "client", &flow->client, data);
    walk_endpoint(visitor, "server", &flow->server, data);
    if (flow->has_vlan)
        visitor->unsigned_integer("vlan", flow->vlan_id, data);
    else
        visitor->null("vlan", data);
    visitor->string("app", oddport_app_name(verdict->app), data);
    visitor->string("client_app", oddport_app_name(verdict->client_app), data);
    visitor->string("server_app", oddport_app_name(verdict->server_app), data);
    visitor->boolean("mismatch", verdict->mismatch, data);
    visitor->boolean("nonstandard", verdict->nonstandard, data);
    oddport_record_text(visitor, "severity", oddport_severity_name(verdict->severity), data);
    visitor->begin_array("expected_ports", data);
    for (size_t index = 0; index < verdict->expected_port_count; index++)
        visitor->unsigned_integer(NULL, verdict->expected_ports[index], data);
    visitor->end_array(data);
    oddport_record_text(visitor, "iana_service", verdict->iana_service, data);
    visitor->string("confidence", oddport_confidence_name(verdict->confidence), data);
    visitor->string("evidence", verdict->evidence, data);
    visitor->string("direction", oddport_direction_source_name(verdict->direction), data);
    /* Each protocol's own members, from its description, under its name. */
    size_t protocol_count;
    const OddportProtocol *const *protocols = oddport_protocols(&protocol_count);
    for (size_t index = 0; index < protocol_count; index++) {
        const OddportProtocol *protocol = protocols[index];
        if (flow->replay_protocol_members != NULL) {
            flow->replay_protocol_members(protocol, flow->replay_source, visitor, data);
            continue;
        }
        const OddportSideResult *client = side_of_app(flow->client_result, protocol->app);
        const OddportSideResult *server = side_of_app(flow->server_result, protocol->app);
        bool present = client != NULL || server != NULL;
        visitor->begin_object(protocol->name, present, data);
        if (present || !visitor->skips_absent_members)
            protocol->describe_fields(client, server, visitor, data);
        visitor->end_object(data);
    }
    visitor->time("first_seen", flow->first_seen_ns, digits, data);
    visitor->time("last_seen", flow->last_seen_ns, digits, data);
    visitor->unsigned_integer("packets", flow->client_packets + flow->server_packets, data);
    visitor->unsigned_integer("bytes", flow->client_bytes + flow->server_bytes, data);
    walk_count_pair(visitor, "c2s", flow->client_packets, flow->client_bytes, data);
    walk_count_pair(visitor, "s2c", flow->server_packets, flow->server_bytes, data);
    /* Members added after the first schema come last, so CSV columns keep their positions. */
    char community_id[ODDPORT_COMMUNITY_ID_TEXT_MAX];
    oddport_flow_community_id(flow, community_id);
    visitor->string("community_id", community_id, data);
    walk_packet_place(visitor, "first_packet", &flow->first_packet, NULL, false, data);
    walk_packet_place(visitor, "deciding_packet", &flow->deciding_packet,
                      oddport_decided_by_name(flow->decided_by), true, data);
    /* What joining the parts of a capture set needs (oddport merge): whether the server spoke
     * and the first bytes of traffic nobody recognised, as the tally counts them, and how the
     * flow stood at its end. Openings are hex, since JSON strings cannot carry every byte. */
    visitor->boolean("client_sent_payload", flow->client_sent_payload, data);
    visitor->boolean("server_sent_payload", flow->server_sent_payload, data);
    visitor->boolean("server_accepted", flow->server_accepted, data);
    bool unrecognised = verdict->app == ODDPORT_APP_UNKNOWN;
    walk_opening_hex(visitor, "client_opening", unrecognised ? &flow->client_opening : NULL, data);
    walk_opening_hex(visitor, "server_opening", unrecognised ? &flow->server_opening : NULL, data);
    visitor->boolean("client_sent_syn", flow->client_sent_syn, data);
    visitor->boolean("client_sent_fin", flow->client_sent_fin, data);
    visitor->boolean("server_sent_fin", flow->server_sent_fin, data);
    visitor->boolean("reset", flow->reset, data);
    visitor->boolean("open_at_end", flow->open_at_end, data);
    visitor->boolean("client_detection_done", flow->client_detection_done, data);
    visitor->boolean("server_detection_done", flow->server_detection_done, data);
    if (flow->client_sent_syn)
        visitor->unsigned_integer("client_syn_sequence", flow->client_syn_sequence, data);
    else
        visitor->null("client_syn_sequence", data);
}

#endif
