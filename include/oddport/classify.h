/* From both sides' detection and the ports to a flow's client, server, app and how odd it is. */
#ifndef ODDPORT_CLASSIFY_H
#define ODDPORT_CLASSIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oddport/decode.h"
#include "oddport/portclass.h"
#include "oddport/protocol.h"

/* How the client was told from the server. */
typedef enum {
    ODDPORT_DIRECTION_SYN,     /* who sent the first SYN (or the SYN-ACK) */
    ODDPORT_DIRECTION_PAYLOAD, /* a request-shaped or response-shaped first payload */
    ODDPORT_DIRECTION_PORT,    /* port classes, then who spoke first */
} OddportDirectionSource;

#define ODDPORT_DIRECTION_SOURCE_COUNT 3
_Static_assert(ODDPORT_DIRECTION_PORT + 1 == ODDPORT_DIRECTION_SOURCE_COUNT,
               "ODDPORT_DIRECTION_SOURCE_COUNT must follow the last source");

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

/* What one end of a flow was found to be, as a verdict joins two ends. */
typedef struct {
    OddportApp app; /* ODDPORT_APP_UNKNOWN where nothing was recognised */
    OddportConfidence confidence;
    const char *evidence; /* the end's own evidence, `evidence_length` bytes (borrowed) */
    size_t evidence_length;
} OddportEndVerdict;

/* Joins the client's and the server's ends into `verdict`'s apps, mismatch, confidence and
 * evidence, as oddport_classify_flow does; the verdict's other members are left as they are.
 * The server's app names the flow, else the client's; the confidence is that end's, raised one
 * step when both ends name the same app. `answer` is the evidence of a server whose bytes no
 * detector recognised but which answered the client's protocol as its servers do (an HTTP/0.9
 * body), or NULL. `had_payload` says whether either end sent a payload byte, which tells "no
 * payload seen" from "matches nothing" when neither end was recognised. */
void oddport_classify_join_ends(const OddportEndVerdict *client, const OddportEndVerdict *server,
                                const char *answer, bool had_payload, OddportFlowVerdict *verdict);

/* One end's part of a verdict's evidence, as oddport_classify_join_ends wrote it: false when
 * that end was not recognised or its part cannot be told apart. `end` gets the end's app and
 * evidence (borrowed from `verdict`) and the verdict's confidence; the caller knows whether that
 * was the end's own. */
bool oddport_classify_end_of(const OddportFlowVerdict *verdict, bool server,
                             OddportEndVerdict *end);

/* Whether oddport_classify_flow must judge two sets of facts alike: same transport, ports, SYNs,
 * payloads and first sender, and the same side results (by identity: a side's result is made
 * once, when the side is decided). */
bool oddport_flow_facts_equal(const OddportFlowFacts *first, const OddportFlowFacts *second);

#endif
