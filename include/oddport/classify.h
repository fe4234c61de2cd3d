/* From detector verdicts and ports to a flow's client, server, app and how odd it is. */
#ifndef ODDPORT_CLASSIFY_H
#define ODDPORT_CLASSIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oddport/decode.h"
#include "oddport/detect.h"
#include "oddport/portclass.h"

/* The first bytes one side sent, kept after detection is done so that a report can show what a
 * service nobody recognised said. Bounded, and held by value in a flow report so that a copied
 * report owns its bytes. They are wire bytes: escape when printing. */
#define ODDPORT_OPENING_MAX 48
typedef struct {
    uint8_t length;
    uint8_t bytes[ODDPORT_OPENING_MAX];
} OddportOpening;

/* What one side's first bytes turned out to be. */
typedef struct {
    OddportApp app;
    OddportVerdict verdict;
    union {
        OddportHttpInfo http;
        OddportTlsInfo tls;
        OddportSshInfo ssh;
    } info;
} OddportSideResult;

/* Bit per app still possible for a side; all of them before the first byte. */
typedef uint8_t OddportCandidates;
#define ODDPORT_ALL_CANDIDATES                                                                     \
    ((OddportCandidates)((1u << ODDPORT_APP_HTTP) | (1u << ODDPORT_APP_TLS) |                      \
                         (1u << ODDPORT_APP_SSH)))

/* Runs the detectors still in `candidates` over one side's first bytes, striking out those that
 * say no. YES: `result` holds the app and its details. NO: nothing fits (result->app unknown).
 * NEED_MORE: call again with more bytes; `result` holds the most confident partial match so far.
 * With `final` set no more bytes will come, so the most
 * confident partial match is taken with its own confidence (oddport_classify_flow lets a low one
 * count only when the other side agrees), or NO. Pure: the same bytes
 * give the same answer, in the CLI and in the plugin. */
OddportMatch oddport_detect_side(const uint8_t *bytes, size_t length, bool final,
                                 OddportCandidates *candidates, OddportSideResult *result);

/* How the client was told from the server. */
typedef enum {
    ODDPORT_DIRECTION_SYN,     /* who sent the first SYN (or the SYN-ACK) */
    ODDPORT_DIRECTION_PAYLOAD, /* a request-shaped or response-shaped first payload */
    ODDPORT_DIRECTION_PORT,    /* port classes, then who spoke first */
} OddportDirectionSource;

#define ODDPORT_DIRECTION_SOURCE_COUNT 3
_Static_assert(ODDPORT_DIRECTION_PORT + 1 == ODDPORT_DIRECTION_SOURCE_COUNT,
               "ODDPORT_DIRECTION_SOURCE_COUNT must follow the last source");

/* "syn", "payload", "port" (transfer none). */
const char *oddport_direction_source_name(OddportDirectionSource source);

/* What is known of a flow's two ends, indexed 0 and 1 in any order. */
typedef struct {
    OddportTransport transport;
    uint16_t port[2];
    bool sent_syn[2];     /* a SYN without ACK */
    bool sent_syn_ack[2]; /* a SYN with ACK */
    bool had_payload[2];  /* the side sent at least one payload byte */
    unsigned first_sender;
    const OddportSideResult *side[2]; /* NULL where nothing was recognised */
    /* The first bytes of a side that was judged and recognised as nothing (none otherwise): what
     * a server answers tells an HTTP/0.9 simple request from a command of another protocol. */
    const OddportOpening *opening[2]; /* borrowed from the side; NULL when none was kept */
} OddportFlowFacts;

#define ODDPORT_EXPECTED_PORTS_MAX 16
#define ODDPORT_FLOW_EVIDENCE_MAX  (2 * ODDPORT_EVIDENCE_MAX + 32)

typedef struct {
    unsigned client; /* index into the facts' arrays; the server is the other one */
    OddportDirectionSource direction;
    OddportApp app;
    OddportApp client_app;
    OddportApp server_app;
    bool mismatch;
    bool nonstandard;
    OddportSeverity severity;
    OddportConfidence confidence;
    /* Ports where `app` is expected on this transport (none for unknown). */
    uint16_t expected_ports[ODDPORT_EXPECTED_PORTS_MAX];
    size_t expected_port_count;
    const char *iana_service; /* registered name of the server port, or NULL (transfer none) */
    char evidence[ODDPORT_FLOW_EVIDENCE_MAX]; /* may hold wire bytes: escape when printing */
} OddportFlowVerdict;

void oddport_classify_flow(const OddportFlowFacts *facts, const OddportPortRules *rules,
                           OddportFlowVerdict *verdict);

/* Whether oddport_classify_flow must judge two sets of facts alike: same transport, ports, SYNs,
 * payloads and first sender, and the same side results (by identity: a side's result is made
 * once, when the side is decided). */
bool oddport_flow_facts_equal(const OddportFlowFacts *first, const OddportFlowFacts *second);

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
