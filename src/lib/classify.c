/* Deciding each side's app from its bytes, then the flow's client, app, severity and evidence. */
#include <stdio.h>
#include <string.h>

#include "oddport/classify.h"

static OddportMatch run_detector(OddportApp app, const uint8_t *bytes, size_t length,
                                 OddportSideResult *attempt)
{
    attempt->app = app;
    switch (app) {
    case ODDPORT_APP_HTTP:
        return oddport_detect_http(bytes, length, &attempt->verdict, &attempt->info.http);
    case ODDPORT_APP_TLS:
        return oddport_detect_tls(bytes, length, &attempt->verdict, &attempt->info.tls);
    case ODDPORT_APP_SSH:
        return oddport_detect_ssh(bytes, length, &attempt->verdict, &attempt->info.ssh);
    case ODDPORT_APP_UNKNOWN:
        break;
    }
    return ODDPORT_MATCH_NO;
}

static void set_unknown(OddportSideResult *result)
{
    result->app = ODDPORT_APP_UNKNOWN;
    result->verdict.match = ODDPORT_MATCH_NO;
    result->verdict.confidence = ODDPORT_CONFIDENCE_NONE;
    result->verdict.role = ODDPORT_ROLE_EITHER;
    result->verdict.evidence[0] = '\0';
}

OddportMatch oddport_detect_side(const uint8_t *bytes, size_t length, bool final,
                                 OddportCandidates *candidates, OddportSideResult *result)
{
    /* TLS first: one byte rules it out. HTTP before SSH: SSH lets a server send other lines before
     * its banner, so it reads further into text that HTTP judges at once. */
    static const OddportApp detection_order[] = {ODDPORT_APP_TLS, ODDPORT_APP_HTTP,
                                                 ODDPORT_APP_SSH};
    /* Detectors write straight into `result`; the best partial match is remembered by app and
     * confidence only and run again at the end if it is wanted, rather than copying a whole
     * result (over a kilobyte of fields) for every attempt. */
    OddportApp best_app = ODDPORT_APP_UNKNOWN;
    OddportConfidence best_confidence = ODDPORT_CONFIDENCE_NONE;
    for (size_t index = 0; index < sizeof detection_order / sizeof detection_order[0]; index++) {
        OddportApp app = detection_order[index];
        OddportCandidates bit = (OddportCandidates)(1u << app);
        if ((*candidates & bit) == 0)
            continue;
        OddportMatch match = run_detector(app, bytes, length, result);
        if (match == ODDPORT_MATCH_YES)
            return ODDPORT_MATCH_YES;
        if (match == ODDPORT_MATCH_NO) {
            *candidates &= (OddportCandidates)~bit;
            continue;
        }
        if (best_app == ODDPORT_APP_UNKNOWN || result->verdict.confidence > best_confidence) {
            best_app = app;
            best_confidence = result->verdict.confidence;
        }
    }
    if (*candidates == 0 || best_app == ODDPORT_APP_UNKNOWN) {
        set_unknown(result);
        return ODDPORT_MATCH_NO;
    }
    bool accepted = final && best_confidence >= ODDPORT_CONFIDENCE_LOW;
    if (!final || accepted) {
        /* The side's best partial match, with its details; final: it stands with its own
         * confidence, and classification decides whether a low one is worth anything. */
        if (result->app != best_app)
            run_detector(best_app, bytes, length, result);
        result->verdict.match = accepted ? ODDPORT_MATCH_YES : ODDPORT_MATCH_NEED_MORE;
        return result->verdict.match;
    }
    set_unknown(result);
    return ODDPORT_MATCH_NO;
}

const char *oddport_direction_source_name(OddportDirectionSource source)
{
    switch (source) {
    case ODDPORT_DIRECTION_SYN:
        return "syn";
    case ODDPORT_DIRECTION_PAYLOAD:
        return "payload";
    case ODDPORT_DIRECTION_PORT:
        break;
    }
    return "port";
}

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

/* Whether side `index` sent an HTTP/0.9 simple request and the other side answered the way only
 * an HTTP/0.9 server can: with bytes no detector recognised (a body without a status line) that
 * do not open like the reply of a protocol whose commands look the same (Redis answers "GET
 * /key" too, with "$5" or "$-1"). */
static bool answered_as_http09(const OddportFlowFacts *facts, unsigned index)
{
    const OddportSideResult *side = facts->side[index];
    unsigned other = 1 - index;
    return side != NULL && side->app == ODDPORT_APP_HTTP && side->info.http.is_simple_request &&
           facts->side[other] == NULL && facts->opening[other] != NULL &&
           oddport_http_simple_response_possible(facts->opening[other]->bytes,
                                                 facts->opening[other]->length);
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
    return answered_as_http09(facts, index) ? side : NULL;
}

static void write_evidence(const OddportFlowFacts *facts, unsigned client,
                           OddportFlowVerdict *verdict)
{
    const OddportSideResult *client_side = facts->side[client];
    const OddportSideResult *server_side = facts->side[1 - client];
    bool client_known = client_side != NULL && client_side->app != ODDPORT_APP_UNKNOWN;
    bool server_known = server_side != NULL && server_side->app != ODDPORT_APP_UNKNOWN;
    if (client_known && server_known)
        snprintf(verdict->evidence, sizeof verdict->evidence, "client: %s; server: %s",
                 client_side->verdict.evidence, server_side->verdict.evidence);
    else if (client_known && answered_as_http09(facts, client))
        snprintf(verdict->evidence, sizeof verdict->evidence,
                 "client: %s; server: a body without a status line", client_side->verdict.evidence);
    else if (client_known)
        snprintf(verdict->evidence, sizeof verdict->evidence, "client: %s",
                 client_side->verdict.evidence);
    else if (server_known)
        snprintf(verdict->evidence, sizeof verdict->evidence, "server: %s",
                 server_side->verdict.evidence);
    else if (facts->had_payload[0] || facts->had_payload[1])
        snprintf(verdict->evidence, sizeof verdict->evidence,
                 "payload matches no HTTP, TLS or SSH opening");
    else
        snprintf(verdict->evidence, sizeof verdict->evidence, "no payload seen");
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
