/* From both sides' detection and the ports to a flow's client, app, severity and evidence. */
#include <glib.h>
#include <string.h>

#include "oddport/classify.h"

static OddportRole side_role(const OddportSideResult *side)
{
    return side != NULL ? side->verdict.role : ODDPORT_ROLE_EITHER;
}

/* Picks the client: a SYN says it outright; otherwise a request or response shape; otherwise
 * the side on the higher port class (servers sit low), then a registered service name, then
 * whoever spoke first. */
static unsigned find_client(const OddportFlowFacts *facts, OddportDirectionSource *source)
{
    for (unsigned index = 0; index < 2; index++) {
        if (facts->sent_syn[index] && !facts->sent_syn[1 - index]) {
            *source = ODDPORT_DIRECTION_SYN;
            return index;
        }
    }
    for (unsigned index = 0; index < 2; index++) {
        if (facts->sent_syn_ack[index] && !facts->sent_syn_ack[1 - index]) {
            *source = ODDPORT_DIRECTION_SYN;
            return 1 - index;
        }
    }
    OddportRole roles[2] = {side_role(facts->side[0]), side_role(facts->side[1])};
    for (unsigned index = 0; index < 2; index++) {
        OddportRole other = roles[1 - index];
        if (roles[index] == ODDPORT_ROLE_CLIENT && other != ODDPORT_ROLE_CLIENT) {
            *source = ODDPORT_DIRECTION_PAYLOAD;
            return index;
        }
        if (roles[index] == ODDPORT_ROLE_SERVER && other != ODDPORT_ROLE_SERVER) {
            *source = ODDPORT_DIRECTION_PAYLOAD;
            return 1 - index;
        }
    }
    *source = ODDPORT_DIRECTION_PORT;
    OddportPortClass classes[2] = {oddport_port_class(facts->port[0]),
                                   oddport_port_class(facts->port[1])};
    if (classes[0] != classes[1])
        return classes[0] > classes[1] ? 0 : 1;
    bool named[2] = {oddport_iana_service_name(facts->port[0], facts->transport) != NULL,
                     oddport_iana_service_name(facts->port[1], facts->transport) != NULL};
    if (named[0] != named[1])
        return named[0] ? 1 : 0;
    return facts->first_sender;
}

static OddportConfidence raise_confidence(OddportConfidence confidence)
{
    return confidence < ODDPORT_CONFIDENCE_HIGH ? confidence + 1 : ODDPORT_CONFIDENCE_HIGH;
}

/* Whether side `index` said something only an answer can confirm and the other side answered
 * with bytes no detector recognised that its protocol accepts as that answer (an HTTP/0.9 body). */
static bool answered_as_its_protocol(const OddportFlowFacts *facts, unsigned index)
{
    const OddportSideResult *side = facts->side[index];
    unsigned other = 1 - index;
    if (side == NULL || facts->side[other] != NULL || facts->opening[other] == NULL)
        return false;
    const OddportProtocol *protocol = oddport_protocol(side->app);
    return protocol != NULL && protocol->unrecognised_answer_confirms != NULL &&
           protocol->unrecognised_answer_confirms(side, facts->opening[other]);
}

/* A low-confidence side (one lone TLS record, a request cut after a few bytes, an HTTP/0.9 line)
 * proves nothing alone; it counts only when the other side independently says the same app, or
 * answers an HTTP/0.9 request as its servers do. */
static const OddportSideResult *corroborated(const OddportFlowFacts *facts, unsigned index)
{
    const OddportSideResult *side = facts->side[index];
    const OddportSideResult *other = facts->side[1 - index];
    if (side == NULL || side->verdict.confidence > ODDPORT_CONFIDENCE_LOW)
        return side;
    if (other != NULL && other->app == side->app)
        return side;
    return answered_as_its_protocol(facts, index) ? side : NULL;
}

/* Joins texts into `evidence`, cutting what does not fit as snprintf would; by hand, since every
 * flow gets its evidence. */
static void join_evidence(char evidence[ODDPORT_FLOW_EVIDENCE_MAX], const char *const *parts,
                          size_t count)
{
    size_t used = 0;
    for (size_t part = 0; part < count; part++) {
        size_t length = strlen(parts[part]);
        size_t room = ODDPORT_FLOW_EVIDENCE_MAX - 1 - used;
        if (length > room)
            length = room;
        memcpy(evidence + used, parts[part], length);
        used += length;
    }
    evidence[used] = '\0';
}

static void write_evidence(const OddportFlowFacts *facts, unsigned client,
                           OddportFlowVerdict *verdict)
{
    const OddportSideResult *client_side = facts->side[client];
    const OddportSideResult *server_side = facts->side[1 - client];
    bool client_known = client_side != NULL && client_side->app != ODDPORT_APP_UNKNOWN;
    bool server_known = server_side != NULL && server_side->app != ODDPORT_APP_UNKNOWN;
    if (client_known && server_known) {
        const char *const parts[] = {"client: ", client_side->verdict.evidence,
                                     "; server: ", server_side->verdict.evidence};
        join_evidence(verdict->evidence, parts, G_N_ELEMENTS(parts));
    } else if (client_known && answered_as_its_protocol(facts, client)) {
        const char *const parts[] = {"client: ", client_side->verdict.evidence,
                                     "; server: a body without a status line"};
        join_evidence(verdict->evidence, parts, G_N_ELEMENTS(parts));
    } else if (client_known) {
        const char *const parts[] = {"client: ", client_side->verdict.evidence};
        join_evidence(verdict->evidence, parts, G_N_ELEMENTS(parts));
    } else if (server_known) {
        const char *const parts[] = {"server: ", server_side->verdict.evidence};
        join_evidence(verdict->evidence, parts, G_N_ELEMENTS(parts));
    } else if (facts->had_payload[0] || facts->had_payload[1]) {
        const char *const parts[] = {"payload matches no ",
                                     oddport_protocol_titles(ODDPORT_TITLES_OR), " opening"};
        join_evidence(verdict->evidence, parts, G_N_ELEMENTS(parts));
    } else {
        const char *const parts[] = {"no payload seen"};
        join_evidence(verdict->evidence, parts, G_N_ELEMENTS(parts));
    }
}

void oddport_classify_flow(const OddportFlowFacts *given_facts, const OddportPortRules *rules,
                           OddportFlowVerdict *verdict)
{
    OddportFlowFacts corroborated_facts = *given_facts;
    corroborated_facts.side[0] = corroborated(given_facts, 0);
    corroborated_facts.side[1] = corroborated(given_facts, 1);
    const OddportFlowFacts *facts = &corroborated_facts;
    memset(verdict, 0, sizeof *verdict);
    unsigned client = find_client(facts, &verdict->direction);
    unsigned server = 1 - client;
    verdict->client = client;
    const OddportSideResult *client_side = facts->side[client];
    const OddportSideResult *server_side = facts->side[server];
    verdict->client_app = client_side != NULL ? client_side->app : ODDPORT_APP_UNKNOWN;
    verdict->server_app = server_side != NULL ? server_side->app : ODDPORT_APP_UNKNOWN;
    verdict->app =
        verdict->server_app != ODDPORT_APP_UNKNOWN ? verdict->server_app : verdict->client_app;
    verdict->mismatch = verdict->client_app != ODDPORT_APP_UNKNOWN &&
                        verdict->server_app != ODDPORT_APP_UNKNOWN &&
                        verdict->client_app != verdict->server_app;

    if (verdict->app == ODDPORT_APP_UNKNOWN) {
        /* Sure of "none of the three" only when there were bytes to judge. */
        verdict->confidence = facts->had_payload[0] || facts->had_payload[1]
                                  ? ODDPORT_CONFIDENCE_HIGH
                                  : ODDPORT_CONFIDENCE_LOW;
    } else {
        const OddportSideResult *deciding =
            verdict->server_app != ODDPORT_APP_UNKNOWN ? server_side : client_side;
        verdict->confidence = deciding->verdict.confidence;
        if (verdict->client_app == verdict->server_app)
            verdict->confidence =
                raise_confidence(client_side->verdict.confidence > server_side->verdict.confidence
                                     ? client_side->verdict.confidence
                                     : server_side->verdict.confidence);
    }
    write_evidence(facts, client, verdict);

    uint16_t server_port = facts->port[server];
    verdict->iana_service = oddport_iana_service_name(server_port, facts->transport);
    if (verdict->app == ODDPORT_APP_UNKNOWN)
        return;
    verdict->expected_port_count = oddport_port_rules_expected_ports(
        rules, verdict->app, facts->transport, verdict->expected_ports, ODDPORT_EXPECTED_PORTS_MAX);
    if (verdict->expected_port_count > ODDPORT_EXPECTED_PORTS_MAX)
        verdict->expected_port_count = ODDPORT_EXPECTED_PORTS_MAX;
    verdict->nonstandard =
        !oddport_port_rules_is_expected(rules, verdict->app, facts->transport, server_port);
    if (verdict->nonstandard)
        verdict->severity =
            oddport_port_rules_severity(rules, verdict->app, facts->transport, server_port);
}

bool oddport_flow_facts_equal(const OddportFlowFacts *first, const OddportFlowFacts *second)
{
    if (first->transport != second->transport || first->first_sender != second->first_sender)
        return false;
    for (unsigned index = 0; index < 2; index++)
        if (first->port[index] != second->port[index] ||
            first->sent_syn[index] != second->sent_syn[index] ||
            first->sent_syn_ack[index] != second->sent_syn_ack[index] ||
            first->had_payload[index] != second->had_payload[index] ||
            first->side[index] != second->side[index] ||
            first->opening[index] != second->opening[index])
            return false;
    return true;
}
