/* A finished flow as the report writers and the tally see it. */
#ifndef ODDPORT_FLOW_H
#define ODDPORT_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "oddport/classify.h"
#include "oddport/decode.h"
#include "oddport/portclass.h"
#include "oddport/protocol.h"

typedef struct {
    OddportAddress address;
    uint16_t port;
    OddportPortClass port_class;
} OddportEndpoint;

/* A finished flow as the report writers see it; everything in it is borrowed from the engine
 * for the duration of the callback (transfer none). */
typedef struct {
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
} OddportFlowReport;

#endif
