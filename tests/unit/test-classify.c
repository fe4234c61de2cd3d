/* Unit tests for side detection and flow classification: client inference, apps, severities. */
#include <string.h>

#include <glib.h>

#include "oddport/vocabulary.h"
#include "oddport/classify.h"

static const char http_request[] = "GET /admin HTTP/1.1\r\nHost: example.org\r\n\r\n";
static const char http_response[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
static const char ssh_banner[] = "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n";

static OddportSideResult side_from(const char *bytes, bool final)
{
    OddportSideResult result;
    OddportCandidates candidates = oddport_protocol_candidates(ODDPORT_TRANSPORT_TCP);
    oddport_detect_side((const uint8_t *)bytes, strlen(bytes), final, &candidates, &result);
    return result;
}

static void test_detect_side_narrows_candidates(void)
{
    OddportSideResult result;
    OddportCandidates candidates = oddport_protocol_candidates(ODDPORT_TRANSPORT_TCP);
    /* "GE" is no TLS record; it may still start HTTP, or a line a server sends before its SSH
     * banner. */
    g_assert_cmpint(oddport_detect_side((const uint8_t *)"GE", 2, false, &candidates, &result), ==,
                    ODDPORT_MATCH_NEED_MORE);
    g_assert_cmpuint(candidates, ==, (1u << ODDPORT_APP_HTTP) | (1u << ODDPORT_APP_SSH));
    g_assert_cmpint(oddport_detect_side((const uint8_t *)http_request, strlen(http_request), false,
                                        &candidates, &result),
                    ==, ODDPORT_MATCH_YES);
    g_assert_cmpint(result.app, ==, ODDPORT_APP_HTTP);
    g_assert_cmpstr(oddport_http_details(&result)->host, ==, "example.org");

    candidates = oddport_protocol_candidates(ODDPORT_TRANSPORT_TCP);
    g_assert_cmpint(
        oddport_detect_side((const uint8_t *)"\x00\x01binary", 8, false, &candidates, &result), ==,
        ODDPORT_MATCH_NO);
    g_assert_cmpuint(candidates, ==, 0);
    g_assert_cmpint(result.app, ==, ODDPORT_APP_UNKNOWN);
}

static OddportFlowFacts tcp_facts(uint16_t port0, uint16_t port1)
{
    OddportFlowFacts facts;
    memset(&facts, 0, sizeof facts);
    facts.transport = ODDPORT_TRANSPORT_TCP;
    facts.port[0] = port0;
    facts.port[1] = port1;
    return facts;
}

static void test_syn_decides_client(void)
{
    OddportPortRules *rules = oddport_port_rules_new();
    OddportSideResult response = side_from(http_response, false);
    OddportFlowFacts facts = tcp_facts(80, 51000);
    /* The SYN says side 1 is the client even though the ports would say so too. */
    facts.sent_syn[1] = true;
    facts.side[0] = &response;
    facts.had_payload[0] = true;
    OddportFlowVerdict verdict;
    oddport_classify_flow(&facts, rules, &verdict);
    g_assert_cmpuint(verdict.client, ==, 1);
    g_assert_cmpint(verdict.direction, ==, ODDPORT_DIRECTION_SYN);
    g_assert_cmpint(verdict.app, ==, ODDPORT_APP_HTTP);
    g_assert_false(verdict.nonstandard);
    g_assert_null(oddport_severity_name(verdict.severity));
    oddport_port_rules_free(rules);
}

static void test_payload_decides_client(void)
{
    OddportPortRules *rules = oddport_port_rules_new();
    OddportSideResult request = side_from(http_request, false);
    /* Midstream: no SYN, and a server on the higher port. The request shape wins over ports. */
    OddportFlowFacts facts = tcp_facts(50123, 1025);
    facts.side[0] = &request;
    facts.had_payload[0] = true;
    OddportFlowVerdict verdict;
    oddport_classify_flow(&facts, rules, &verdict);
    g_assert_cmpuint(verdict.client, ==, 0);
    g_assert_cmpint(verdict.direction, ==, ODDPORT_DIRECTION_PAYLOAD);
    g_assert_true(verdict.nonstandard);
    g_assert_cmpstr(oddport_severity_name(verdict.severity), ==, "unexpected");
    g_assert_nonnull(strstr(verdict.evidence, "GET /admin"));
    oddport_port_rules_free(rules);
}

static void test_ports_decide_client(void)
{
    OddportPortRules *rules = oddport_port_rules_new();
    OddportSideResult banner = side_from(ssh_banner, false);
    OddportFlowFacts facts = tcp_facts(443, 60000);
    facts.first_sender = 0;
    facts.side[0] = &banner;
    facts.side[1] = &banner;
    facts.had_payload[0] = facts.had_payload[1] = true;
    OddportFlowVerdict verdict;
    oddport_classify_flow(&facts, rules, &verdict);
    /* SSH banners come from both ends: the well-known port serves. */
    g_assert_cmpuint(verdict.client, ==, 1);
    g_assert_cmpint(verdict.direction, ==, ODDPORT_DIRECTION_PORT);
    g_assert_cmpint(verdict.app, ==, ODDPORT_APP_SSH);
    g_assert_cmpstr(oddport_severity_name(verdict.severity), ==, "masquerade");
    g_assert_cmpstr(verdict.iana_service, ==, "https");
    g_assert_cmpuint(verdict.expected_port_count, ==, 1);
    g_assert_cmpuint(verdict.expected_ports[0], ==, 22);
    oddport_port_rules_free(rules);
}

/* A site rule for a range can make more expected ports than a flow lists: the list keeps the
 * lowest 16, in order, and whether the flow is non-standard is judged against all of them (the
 * server on 9100, the range's last port, is standard). */
static void test_expected_ports_list_the_lowest(void)
{
    OddportPortRules *rules = oddport_port_rules_new();
    GError *error = NULL;
    g_assert_true(oddport_port_rules_load_text(rules, "ssh 9000-9100\n", "test", &error));
    g_assert_no_error(error);
    OddportSideResult banner = side_from(ssh_banner, false);
    OddportFlowFacts facts = tcp_facts(9100, 60000);
    facts.side[0] = &banner;
    facts.had_payload[0] = true;
    OddportFlowVerdict verdict;
    oddport_classify_flow(&facts, rules, &verdict);
    g_assert_cmpint(verdict.app, ==, ODDPORT_APP_SSH);
    g_assert_false(verdict.nonstandard);
    g_assert_cmpuint(verdict.expected_port_count, ==, ODDPORT_EXPECTED_PORTS_MAX);
    g_assert_cmpuint(verdict.expected_ports[0], ==, 22);
    g_assert_cmpuint(verdict.expected_ports[1], ==, 9000);
    g_assert_cmpuint(verdict.expected_ports[ODDPORT_EXPECTED_PORTS_MAX - 1], ==, 9014);
    oddport_port_rules_free(rules);
}

/* Two TCP ports of one class, neither with a registered name, and no handshake seen: the lower
 * port serves, whoever sent first (a server that greets first, as SMTP's and SSH's do, was taken
 * for the client). A UDP flow's first datagram is the client's. */
static void test_lower_port_serves_without_handshake(void)
{
    OddportPortRules *rules = oddport_port_rules_new();
    OddportFlowFacts facts = tcp_facts(34586, 7101);
    facts.had_payload[0] = facts.had_payload[1] = true;
    OddportFlowVerdict verdict;
    for (unsigned first = 0; first < 2; first++) {
        facts.first_sender = first;
        oddport_classify_flow(&facts, rules, &verdict);
        g_assert_cmpuint(verdict.client, ==, 0);
        g_assert_cmpint(verdict.direction, ==, ODDPORT_DIRECTION_PORT);
        g_assert_null(verdict.iana_service);
    }
    facts.transport = ODDPORT_TRANSPORT_UDP;
    facts.first_sender = 1;
    oddport_classify_flow(&facts, rules, &verdict);
    g_assert_cmpuint(verdict.client, ==, 1);
    oddport_port_rules_free(rules);
}

static void test_mismatch_prefers_server(void)
{
    OddportPortRules *rules = oddport_port_rules_new();
    OddportSideResult request = side_from(http_request, false);
    OddportSideResult banner = side_from(ssh_banner, false);
    OddportFlowFacts facts = tcp_facts(41000, 8080);
    facts.sent_syn[0] = true;
    facts.side[0] = &request;
    facts.side[1] = &banner;
    facts.had_payload[0] = facts.had_payload[1] = true;
    OddportFlowVerdict verdict;
    oddport_classify_flow(&facts, rules, &verdict);
    g_assert_cmpint(verdict.client_app, ==, ODDPORT_APP_HTTP);
    g_assert_cmpint(verdict.server_app, ==, ODDPORT_APP_SSH);
    g_assert_cmpint(verdict.app, ==, ODDPORT_APP_SSH);
    g_assert_true(verdict.mismatch);
    g_assert_cmpstr(oddport_severity_name(verdict.severity), ==, "unexpected");
    oddport_port_rules_free(rules);
}

/* One lone TLS record proves little; the same from both ends is worth a verdict. */
static void test_low_confidence_needs_the_other_side(void)
{
    static const uint8_t record[] = {23, 3, 3, 0, 4, 1, 2, 3, 4};
    OddportSideResult lone;
    OddportCandidates candidates = oddport_protocol_candidates(ODDPORT_TRANSPORT_TCP);
    g_assert_cmpint(oddport_detect_side(record, sizeof record, true, &candidates, &lone), ==,
                    ODDPORT_MATCH_YES);
    g_assert_cmpint(lone.app, ==, ODDPORT_APP_TLS);
    g_assert_cmpint(lone.verdict.confidence, ==, ODDPORT_CONFIDENCE_LOW);

    OddportPortRules *rules = oddport_port_rules_new();
    OddportFlowFacts facts = tcp_facts(993, 50000);
    facts.sent_syn[1] = true;
    facts.side[0] = &lone;
    facts.had_payload[0] = true;
    OddportFlowVerdict verdict;
    oddport_classify_flow(&facts, rules, &verdict);
    g_assert_cmpint(verdict.app, ==, ODDPORT_APP_UNKNOWN);

    facts.side[1] = &lone;
    facts.had_payload[1] = true;
    oddport_classify_flow(&facts, rules, &verdict);
    g_assert_cmpint(verdict.app, ==, ODDPORT_APP_TLS);
    g_assert_cmpint(verdict.confidence, ==, ODDPORT_CONFIDENCE_MEDIUM);
    g_assert_false(verdict.nonstandard);
    oddport_port_rules_free(rules);
}

/* What a side's facts hold once it was judged and recognised as nothing; the opening lives in
 * `storage`, as it lives in the side for the engine. */
static void set_unrecognised(OddportFlowFacts *facts, unsigned index, const char *bytes,
                             OddportOpening *storage)
{
    size_t length = MIN(strlen(bytes), sizeof storage->bytes);
    storage->length = (uint8_t)length;
    memcpy(storage->bytes, bytes, length);
    facts->side[index] = NULL;
    facts->had_payload[index] = true;
    facts->opening[index] = storage;
}

/* An HTTP/0.9 simple request stands when the server answers with a bare body; Redis takes the
 * same line as an inline command, and its answer keeps the flow unknown. */
static void test_simple_request_needs_a_bare_body(void)
{
    OddportSideResult request = side_from("GET /hello.txt\n", true);
    g_assert_cmpint(request.app, ==, ODDPORT_APP_HTTP);
    g_assert_cmpint(request.verdict.match, ==, ODDPORT_MATCH_YES);
    g_assert_cmpint(request.verdict.confidence, ==, ODDPORT_CONFIDENCE_LOW);
    g_assert_true(oddport_http_details(&request)->is_simple_request);
    /* Not final: the line may still grow into something else. */
    g_assert_cmpint(side_from("GET /hello.txt\n", false).verdict.match, ==,
                    ODDPORT_MATCH_NEED_MORE);

    OddportPortRules *rules = oddport_port_rules_new();
    OddportOpening opening;
    OddportFlowFacts facts = tcp_facts(45000, 8000);
    facts.sent_syn[0] = true;
    facts.side[0] = &request;
    facts.had_payload[0] = true;
    set_unrecognised(&facts, 1, "<!DOCTYPE HTML>\n", &opening);
    OddportFlowVerdict verdict;
    oddport_classify_flow(&facts, rules, &verdict);
    g_assert_cmpint(verdict.app, ==, ODDPORT_APP_HTTP);
    g_assert_cmpint(verdict.client_app, ==, ODDPORT_APP_HTTP);
    g_assert_cmpint(verdict.server_app, ==, ODDPORT_APP_UNKNOWN);
    g_assert_false(verdict.mismatch);
    g_assert_cmpint(verdict.confidence, ==, ODDPORT_CONFIDENCE_LOW);
    g_assert_cmpstr(verdict.evidence, ==,
                    "client: HTTP/0.9 simple request GET /hello.txt; server: a body without a "
                    "status line");
    g_assert_true(verdict.nonstandard);
    g_assert_cmpstr(oddport_severity_name(verdict.severity), ==, "alternate");

    /* Without a SYN, the request's shape still tells the client. */
    facts.sent_syn[0] = false;
    oddport_classify_flow(&facts, rules, &verdict);
    g_assert_cmpint(verdict.app, ==, ODDPORT_APP_HTTP);
    g_assert_cmpuint(verdict.client, ==, 0);
    g_assert_cmpint(verdict.direction, ==, ODDPORT_DIRECTION_PAYLOAD);
    facts.sent_syn[0] = true;

    /* Redis, POP3, IMAP, SMTP and FTP answers, and no answer at all, keep it unknown. */
    static const char *const replies[] = {"$-1\r\n", "$5\r\nhello\r\n", "-ERR wrong", "+OK\r\n",
                                          ":0\r\n",  "* OK ready",      "220 ready",  "502 no"};
    g_autofree char *unrecognised = g_strdup_printf("payload matches no %s opening",
                                                    oddport_protocol_titles(ODDPORT_TITLES_OR));
    for (size_t index = 0; index < G_N_ELEMENTS(replies); index++) {
        set_unrecognised(&facts, 1, replies[index], &opening);
        oddport_classify_flow(&facts, rules, &verdict);
        g_assert_cmpint(verdict.app, ==, ODDPORT_APP_UNKNOWN);
        g_assert_cmpstr(verdict.evidence, ==, unrecognised);
    }
    facts.had_payload[1] = false;
    facts.opening[1] = NULL;
    oddport_classify_flow(&facts, rules, &verdict);
    g_assert_cmpint(verdict.app, ==, ODDPORT_APP_UNKNOWN);

    /* A server that answers with a status line (a modern server refusing HTTP/0.9) says HTTP
     * itself, and the request agrees. */
    OddportSideResult refusal = side_from("HTTP/1.1 400 Bad Request\r\n\r\n", true);
    facts.side[1] = &refusal;
    facts.had_payload[1] = true;
    oddport_classify_flow(&facts, rules, &verdict);
    g_assert_cmpint(verdict.app, ==, ODDPORT_APP_HTTP);
    g_assert_cmpint(verdict.client_app, ==, ODDPORT_APP_HTTP);
    g_assert_cmpint(verdict.confidence, ==, ODDPORT_CONFIDENCE_HIGH);

    /* A server that answers in SSH is SSH, whatever the client asked. */
    OddportSideResult banner = side_from(ssh_banner, true);
    facts.side[1] = &banner;
    oddport_classify_flow(&facts, rules, &verdict);
    g_assert_cmpint(verdict.app, ==, ODDPORT_APP_SSH);
    g_assert_cmpint(verdict.client_app, ==, ODDPORT_APP_UNKNOWN);

    /* An ordinary request cut short is not a simple request: a bare answer does not help it. */
    OddportSideResult cut = side_from("GET /hello", true);
    g_assert_cmpint(cut.verdict.confidence, ==, ODDPORT_CONFIDENCE_LOW);
    facts.side[0] = &cut;
    set_unrecognised(&facts, 1, "<!DOCTYPE HTML>\n", &opening);
    oddport_classify_flow(&facts, rules, &verdict);
    g_assert_cmpint(verdict.app, ==, ODDPORT_APP_UNKNOWN);
    oddport_port_rules_free(rules);
}

static void test_site_rule_clears_finding(void)
{
    OddportPortRules *rules = oddport_port_rules_new();
    g_assert_true(oddport_port_rules_load_text(rules, "http 3128\n", "test", NULL));
    OddportSideResult request = side_from(http_request, false);
    OddportFlowFacts facts = tcp_facts(40000, 3128);
    facts.sent_syn[0] = true;
    facts.side[0] = &request;
    facts.had_payload[0] = true;
    OddportFlowVerdict verdict;
    oddport_classify_flow(&facts, rules, &verdict);
    g_assert_cmpint(verdict.app, ==, ODDPORT_APP_HTTP);
    g_assert_false(verdict.nonstandard);
    g_assert_cmpint(verdict.severity, ==, ODDPORT_SEVERITY_NONE);
    oddport_port_rules_free(rules);
}

/* Facts that differ anywhere a verdict could depend on compare unequal; copies compare equal. */
static void test_facts_equal(void)
{
    OddportSideResult request = side_from(http_request, false);
    OddportFlowFacts base = {
        .transport = ODDPORT_TRANSPORT_TCP,
        .port = {51000, 8080},
        .sent_syn = {true, false},
        .sent_syn_ack = {false, true},
        .had_payload = {true, false},
        .first_sender = 0,
        .side = {&request, NULL},
    };
    OddportOpening opening = {.length = 1, .bytes = {'+'}};
    OddportOpening same_bytes = opening;
    OddportFlowFacts copy = base;
    g_assert_true(oddport_flow_facts_equal(&base, &copy));
    for (unsigned change = 0; change < 9; change++) {
        OddportFlowFacts other = base;
        switch (change) {
        case 0:
            other.transport = ODDPORT_TRANSPORT_UDP;
            break;
        case 1:
            other.port[1] = 8081;
            break;
        case 2:
            other.sent_syn[1] = true;
            break;
        case 3:
            other.sent_syn_ack[0] = true;
            break;
        case 4:
            other.had_payload[1] = true;
            break;
        case 5:
            other.first_sender = 1;
            break;
        case 6:
            other.opening[1] = &opening;
            break;
        case 7:
            /* Another side's opening, even with the same bytes: openings are kept once. */
            base.opening[1] = &opening;
            other.opening[1] = &same_bytes;
            break;
        default:
            other.side[1] = &request;
            break;
        }
        g_assert_false(oddport_flow_facts_equal(&base, &other));
        base.opening[1] = NULL;
    }
}

static OddportEndVerdict end_saying(OddportApp app, OddportConfidence confidence,
                                    const char *evidence)
{
    return (OddportEndVerdict){app, confidence, evidence, strlen(evidence)};
}

static void assert_end_evidence(const OddportEndVerdict *end, const char *expected)
{
    g_autofree char *evidence = g_strndup(end->evidence, end->evidence_length);
    g_assert_cmpstr(evidence, ==, expected);
}

/* The ends a verdict was joined from come back out of it, as `oddport merge` reads them. */
static void test_joined_ends_come_apart(void)
{
    OddportFlowVerdict verdict;
    OddportEndVerdict client = end_saying(ODDPORT_APP_TLS, ODDPORT_CONFIDENCE_MEDIUM,
                                          "TLS 1.3 ClientHello SNI=example.org");
    OddportEndVerdict server =
        end_saying(ODDPORT_APP_TLS, ODDPORT_CONFIDENCE_HIGH, "TLS 1.3 ServerHello");
    memset(&verdict, 0, sizeof verdict);
    oddport_classify_join_ends(&client, &server, NULL, true, &verdict);
    g_assert_cmpint(verdict.app, ==, ODDPORT_APP_TLS);
    g_assert_false(verdict.mismatch);
    /* Both ends naming one app raise the higher of their confidences, here as far as it goes. */
    g_assert_cmpint(verdict.confidence, ==, ODDPORT_CONFIDENCE_HIGH);
    g_assert_cmpstr(verdict.evidence, ==,
                    "client: TLS 1.3 ClientHello SNI=example.org; server: TLS 1.3 ServerHello");
    OddportEndVerdict part;
    g_assert_true(oddport_classify_end_of(&verdict, false, &part));
    g_assert_cmpint(part.app, ==, ODDPORT_APP_TLS);
    assert_end_evidence(&part, client.evidence);
    g_assert_true(oddport_classify_end_of(&verdict, true, &part));
    assert_end_evidence(&part, server.evidence);

    /* Different apps: the server's names the flow, with its own confidence. */
    client = end_saying(ODDPORT_APP_HTTP, ODDPORT_CONFIDENCE_HIGH, "GET / HTTP/1.1");
    server = end_saying(ODDPORT_APP_SSH, ODDPORT_CONFIDENCE_MEDIUM, "SSH-2.0-x");
    oddport_classify_join_ends(&client, &server, NULL, true, &verdict);
    g_assert_cmpint(verdict.app, ==, ODDPORT_APP_SSH);
    g_assert_true(verdict.mismatch);
    g_assert_cmpint(verdict.confidence, ==, ODDPORT_CONFIDENCE_MEDIUM);

    /* One end alone. */
    OddportEndVerdict nothing = end_saying(ODDPORT_APP_UNKNOWN, ODDPORT_CONFIDENCE_NONE, "");
    oddport_classify_join_ends(&nothing, &server, NULL, true, &verdict);
    g_assert_cmpstr(verdict.evidence, ==, "server: SSH-2.0-x");
    g_assert_false(oddport_classify_end_of(&verdict, false, &part));
    g_assert_true(oddport_classify_end_of(&verdict, true, &part));
    assert_end_evidence(&part, "SSH-2.0-x");
    oddport_classify_join_ends(&client, &nothing, NULL, true, &verdict);
    g_assert_cmpstr(verdict.evidence, ==, "client: GET / HTTP/1.1");
    g_assert_true(oddport_classify_end_of(&verdict, false, &part));
    assert_end_evidence(&part, "GET / HTTP/1.1");

    /* Neither: whether there were bytes to judge says how sure "nothing" is. */
    oddport_classify_join_ends(&nothing, &nothing, NULL, true, &verdict);
    g_assert_cmpint(verdict.app, ==, ODDPORT_APP_UNKNOWN);
    g_assert_cmpint(verdict.confidence, ==, ODDPORT_CONFIDENCE_HIGH);
    g_assert_true(g_str_has_prefix(verdict.evidence, "payload matches no "));
    oddport_classify_join_ends(&nothing, &nothing, NULL, false, &verdict);
    g_assert_cmpint(verdict.confidence, ==, ODDPORT_CONFIDENCE_LOW);
    g_assert_cmpstr(verdict.evidence, ==, "no payload seen");
}

/* Wire bytes in an end's evidence may hold the words that part the ends: where they could part
 * the evidence in more than one place, neither end is read back. */
static void test_ambiguous_ends_are_not_parted(void)
{
    OddportFlowVerdict verdict;
    memset(&verdict, 0, sizeof verdict);
    OddportEndVerdict client =
        end_saying(ODDPORT_APP_HTTP, ODDPORT_CONFIDENCE_HIGH, "GET /a; server: b HTTP/1.1");
    OddportEndVerdict server =
        end_saying(ODDPORT_APP_HTTP, ODDPORT_CONFIDENCE_HIGH, "HTTP/1.1 200 response");
    oddport_classify_join_ends(&client, &server, NULL, true, &verdict);
    OddportEndVerdict part;
    g_assert_false(oddport_classify_end_of(&verdict, false, &part));
    g_assert_false(oddport_classify_end_of(&verdict, true, &part));

    /* A client alone whose evidence holds them, or followed by an answer's: not told apart. */
    OddportEndVerdict nothing = end_saying(ODDPORT_APP_UNKNOWN, ODDPORT_CONFIDENCE_NONE, "");
    oddport_classify_join_ends(&client, &nothing, NULL, true, &verdict);
    g_assert_false(oddport_classify_end_of(&verdict, false, &part));
    client = end_saying(ODDPORT_APP_HTTP, ODDPORT_CONFIDENCE_LOW, "GET /x HTTP/0.9");
    oddport_classify_join_ends(&client, &nothing, "a body without a status line", true, &verdict);
    g_assert_cmpstr(verdict.evidence, ==,
                    "client: GET /x HTTP/0.9; server: a body without a status line");
    g_assert_false(oddport_classify_end_of(&verdict, false, &part));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/classify/detect-side-narrows-candidates",
                    test_detect_side_narrows_candidates);
    g_test_add_func("/classify/syn-decides-client", test_syn_decides_client);
    g_test_add_func("/classify/payload-decides-client", test_payload_decides_client);
    g_test_add_func("/classify/ports-decide-client", test_ports_decide_client);
    g_test_add_func("/classify/expected-ports-list-the-lowest",
                    test_expected_ports_list_the_lowest);
    g_test_add_func("/classify/lower-port-serves-without-handshake",
                    test_lower_port_serves_without_handshake);
    g_test_add_func("/classify/mismatch-prefers-server", test_mismatch_prefers_server);
    g_test_add_func("/classify/low-confidence-needs-the-other-side",
                    test_low_confidence_needs_the_other_side);
    g_test_add_func("/classify/simple-request-needs-a-bare-body",
                    test_simple_request_needs_a_bare_body);
    g_test_add_func("/classify/site-rule-clears-finding", test_site_rule_clears_finding);
    g_test_add_func("/classify/facts-equal", test_facts_equal);
    g_test_add_func("/classify/joined-ends-come-apart", test_joined_ends_come_apart);
    g_test_add_func("/classify/ambiguous-ends-are-not-parted", test_ambiguous_ends_are_not_parted);
    return g_test_run();
}
