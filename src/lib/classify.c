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
    /* A TCP flow without its handshake was caught midway, so who sent first says nothing of who
     * connected; listening ports are mostly lower than the ones systems pick for clients (Linux
     * from 32768, Windows from 49152), and a server that speaks first (SMTP, SSH) would otherwise
     * be taken for the client. A UDP flow's first datagram most often opens it: the client's. */
    if (facts->transport == ODDPORT_TRANSPORT_TCP && facts->port[0] != facts->port[1])
        return facts->port[0] > facts->port[1] ? 0 : 1;
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

/* Joins texts of the given lengths into `evidence`, cutting what does not fit as snprintf would;
 * by hand, since every flow gets its evidence. */
static void join_evidence(char evidence[ODDPORT_FLOW_EVIDENCE_MAX], const char *const *parts,
                          const size_t *lengths, size_t count)
{
    size_t used = 0;
    for (size_t part = 0; part < count; part++) {
        size_t length = lengths[part];
        size_t room = ODDPORT_FLOW_EVIDENCE_MAX - 1 - used;
        if (length > room)
            length = room;
        memcpy(evidence + used, parts[part], length);
        used += length;
    }
    evidence[used] = '\0';
}

/* The words that begin each end's part of a flow's evidence; oddport_classify_end_of reads
 * them back. */
static const char CLIENT_PART[] = "client: ";
static const char SERVER_PART[] = "server: ";
static const char SERVER_AFTER_CLIENT[] = "; server: ";

void oddport_classify_join_ends(const OddportEndVerdict *client, const OddportEndVerdict *server,
                                const char *answer, bool had_payload, OddportFlowVerdict *verdict)
{
    verdict->client_app = client->app;
    verdict->server_app = server->app;
    bool client_known = client->app != ODDPORT_APP_UNKNOWN;
    bool server_known = server->app != ODDPORT_APP_UNKNOWN;
    verdict->app = server_known ? server->app : client->app;
    verdict->mismatch = client_known && server_known && client->app != server->app;
    if (!client_known && !server_known) {
        /* Sure of "none of the three" only when there were bytes to judge. */
        verdict->confidence = had_payload ? ODDPORT_CONFIDENCE_HIGH : ODDPORT_CONFIDENCE_LOW;
    } else if (client->app == server->app) {
        OddportConfidence higher =
            client->confidence > server->confidence ? client->confidence : server->confidence;
        verdict->confidence = raise_confidence(higher);
    } else {
        verdict->confidence = server_known ? server->confidence : client->confidence;
    }

    if (client_known && (server_known || answer != NULL)) {
        const char *server_evidence = server_known ? server->evidence : answer;
        const char *const parts[] = {CLIENT_PART, client->evidence, SERVER_AFTER_CLIENT,
                                     server_evidence};
        const size_t lengths[] = {strlen(CLIENT_PART), client->evidence_length,
                                  strlen(SERVER_AFTER_CLIENT),
                                  server_known ? server->evidence_length : strlen(answer)};
        join_evidence(verdict->evidence, parts, lengths, G_N_ELEMENTS(parts));
    } else if (client_known || server_known) {
        const OddportEndVerdict *known = client_known ? client : server;
        const char *const parts[] = {client_known ? CLIENT_PART : SERVER_PART, known->evidence};
        const size_t lengths[] = {strlen(parts[0]), known->evidence_length};
        join_evidence(verdict->evidence, parts, lengths, G_N_ELEMENTS(parts));
    } else if (had_payload) {
        const char *titles = oddport_protocol_titles(ODDPORT_TITLES_OR);
        const char *const parts[] = {"payload matches no ", titles, " opening"};
        const size_t lengths[] = {strlen(parts[0]), strlen(titles), strlen(parts[2])};
        join_evidence(verdict->evidence, parts, lengths, G_N_ELEMENTS(parts));
    } else {
        g_strlcpy(verdict->evidence, "no payload seen", ODDPORT_FLOW_EVIDENCE_MAX);
    }
}

bool oddport_classify_end_of(const OddportFlowVerdict *verdict, bool server, OddportEndVerdict *end)
{
    *end = (OddportEndVerdict){server ? verdict->server_app : verdict->client_app,
                               verdict->confidence, NULL, 0};
    if (end->app == ODDPORT_APP_UNKNOWN)
        return false;
    bool other_known = (server ? verdict->client_app : verdict->server_app) != ODDPORT_APP_UNKNOWN;
    const char *part = verdict->evidence;
    if (server && other_known) {
        part = strstr(part, SERVER_AFTER_CLIENT);
        if (part == NULL)
            return false;
        part += strlen("; ");
    }
    const char *opening = server ? SERVER_PART : CLIENT_PART;
    if (!g_str_has_prefix(part, opening))
        return false;
    end->evidence = part + strlen(opening);
    end->evidence_length = strlen(end->evidence);
    if (server && !other_known)
        return true;
    /* Either end's evidence may hold the words that part them (it quotes wire bytes): parted
     * only where they occur once, and where a client's part may be followed by an answer. */
    const char *separator = strstr(verdict->evidence, SERVER_AFTER_CLIENT);
    if (separator == NULL)
        return !other_known;
    if (!other_known || strstr(separator + 1, SERVER_AFTER_CLIENT) != NULL)
        return false;
    if (!server)
        end->evidence_length = (size_t)(separator - end->evidence);
    return true;
}

/* An end as the facts give it: unknown where nothing was recognised (or left uncorroborated). */
static OddportEndVerdict end_of_side(const OddportSideResult *side)
{
    if (side == NULL)
        return (OddportEndVerdict){ODDPORT_APP_UNKNOWN, ODDPORT_CONFIDENCE_NONE, "", 0};
    return (OddportEndVerdict){side->app, side->verdict.confidence, side->verdict.evidence,
                               strlen(side->verdict.evidence)};
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
    OddportEndVerdict client_end = end_of_side(facts->side[client]);
    OddportEndVerdict server_end = end_of_side(facts->side[server]);
    bool answered =
        client_end.app != ODDPORT_APP_UNKNOWN && answered_as_its_protocol(facts, client);
    oddport_classify_join_ends(&client_end, &server_end,
                               answered ? "a body without a status line" : NULL,
                               facts->had_payload[0] || facts->had_payload[1], verdict);

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
