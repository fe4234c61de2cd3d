/* Unit tests for the protocol table and every list derived from it, and for the vocabulary. */
#include <string.h>

#include <glib.h>

#include "oddport/portclass.h"
#include "oddport/protocol.h"
#include "oddport/vocabulary.h"

static const OddportProtocol *const *all_protocols(size_t *count)
{
    const OddportProtocol *const *protocols = oddport_protocols(count);
    g_assert_cmpuint(*count, ==, ODDPORT_APP_COUNT - 1);
    return protocols;
}

static void test_rows_and_names(void)
{
    size_t count;
    const OddportProtocol *const *protocols = all_protocols(&count);
    g_assert_null(oddport_protocol(ODDPORT_APP_UNKNOWN));
    g_assert_null(oddport_protocol((OddportApp)ODDPORT_APP_COUNT));
    g_assert_cmpstr(oddport_app_name(ODDPORT_APP_UNKNOWN), ==, "unknown");
    OddportApp parsed = ODDPORT_APP_UNKNOWN;
    g_assert_false(oddport_app_from_name("unknown", &parsed));
    for (size_t index = 0; index < count; index++) {
        const OddportProtocol *protocol = protocols[index];
        /* Row order is app order, and each app finds its own description. */
        g_assert_cmpint(protocol->app, ==, (OddportApp)(index + 1));
        g_assert_true(oddport_protocol(protocol->app) == protocol);
        /* Names round-trip through every output and services files. */
        g_assert_nonnull(protocol->name);
        g_assert_cmpstr(oddport_app_name(protocol->app), ==, protocol->name);
        g_assert_true(oddport_app_from_name(protocol->name, &parsed));
        g_assert_cmpint(parsed, ==, protocol->app);
        /* A services file word: lower case letters and digits, no blanks. */
        for (const char *character = protocol->name; *character != '\0'; character++)
            g_assert_true(g_ascii_islower(*character) || g_ascii_isdigit(*character));
        for (size_t other = 0; other < index; other++)
            g_assert_cmpstr(protocols[other]->name, !=, protocol->name);
        g_assert_nonnull(protocol->title);
        g_assert_nonnull(protocol->recognises);
        g_assert_nonnull(protocol->detect);
        g_assert_nonnull(protocol->describe_fields);
        g_assert_nonnull(protocol->wireshark_dissector);
        g_assert_cmpuint(protocol->details_size, >, 0);
        g_assert_cmpuint(protocol->details_size, <=, ODDPORT_PROTOCOL_DETAILS_MAX);
        g_assert_cmpuint(protocol->transports, !=, 0);
        g_assert_cmpuint(protocol->transports &
                             ~(unsigned)(ODDPORT_PROTOCOL_OVER_TCP | ODDPORT_PROTOCOL_OVER_UDP),
                         ==, 0);
    }
}

/* Reports list every app once: the protocols in table order, then "unknown". */
static void test_report_order(void)
{
    bool listed[ODDPORT_APP_COUNT] = {false};
    for (size_t index = 0; index < ODDPORT_APP_COUNT; index++) {
        OddportApp app = oddport_app_in_report_order(index);
        g_assert_cmpuint(app, <, ODDPORT_APP_COUNT);
        g_assert_false(listed[app]);
        listed[app] = true;
    }
    g_assert_cmpint(oddport_app_in_report_order(ODDPORT_APP_COUNT - 1), ==, ODDPORT_APP_UNKNOWN);
    g_assert_cmpint(oddport_app_in_report_order(0), ==, oddport_protocols(&(size_t){0})[0]->app);
    /* Sentences that name every protocol name each of them. */
    size_t count;
    const OddportProtocol *const *protocols = oddport_protocols(&count);
    for (size_t index = 0; index < count; index++) {
        g_assert_nonnull(
            strstr(oddport_protocol_titles(ODDPORT_TITLES_OR), protocols[index]->title));
        g_assert_nonnull(
            strstr(oddport_protocol_titles(ODDPORT_TITLES_AND), protocols[index]->title));
    }
}

static void test_candidates(void)
{
    size_t count;
    const OddportProtocol *const *protocols = all_protocols(&count);
    OddportCandidates over_tcp = oddport_protocol_candidates(ODDPORT_TRANSPORT_TCP);
    OddportCandidates over_udp = oddport_protocol_candidates(ODDPORT_TRANSPORT_UDP);
    g_assert_cmpuint(over_tcp & 1u, ==, 0); /* "unknown" is never a candidate */
    for (size_t index = 0; index < count; index++) {
        unsigned bit = 1u << protocols[index]->app;
        g_assert_cmpuint((over_tcp & bit) != 0, ==,
                         (protocols[index]->transports & ODDPORT_PROTOCOL_OVER_TCP) != 0);
        g_assert_cmpuint((over_udp & bit) != 0, ==,
                         (protocols[index]->transports & ODDPORT_PROTOCOL_OVER_UDP) != 0);
    }
    g_assert_cmpuint(over_tcp >> ODDPORT_APP_COUNT, ==, 0);
}

static int compare_ports(const void *first, const void *second)
{
    return (int)*(const uint16_t *)first - (int)*(const uint16_t *)second;
}

/* The built-in rules expect exactly each protocol's standard ports, listed in ascending order. */
static void check_standard_ports(const OddportPortRules *rules, const OddportProtocol *protocol,
                                 OddportTransport transport, const OddportPortList *list)
{
    uint16_t expected[64];
    g_assert_cmpuint(list->count, <=, G_N_ELEMENTS(expected));
    if (list->count > 0) /* an empty list has no array to copy from */
        memcpy(expected, list->ports, list->count * sizeof *expected);
    qsort(expected, list->count, sizeof *expected, compare_ports);
    uint16_t listed[64];
    size_t total = oddport_port_rules_expected_ports(rules, protocol->app, transport, listed,
                                                     G_N_ELEMENTS(listed));
    g_assert_cmpuint(total, ==, list->count);
    for (size_t index = 0; index < list->count; index++) {
        g_assert_cmpuint(listed[index], ==, expected[index]);
        g_assert_true(
            oddport_port_rules_is_expected(rules, protocol->app, transport, expected[index]));
        g_assert_cmpint(
            oddport_port_rules_severity(rules, protocol->app, transport, expected[index]), ==,
            ODDPORT_SEVERITY_NONE);
    }
}

static void check_alternate_ports(const OddportPortRules *rules, const OddportProtocol *protocol,
                                  OddportTransport transport, const OddportPortList *list)
{
    for (size_t index = 0; index < list->count; index++) {
        uint16_t port = list->ports[index];
        g_assert_false(oddport_port_rules_is_expected(rules, protocol->app, transport, port));
        g_assert_cmpint(oddport_port_rules_severity(rules, protocol->app, transport, port), ==,
                        ODDPORT_SEVERITY_ALTERNATE);
    }
}

/* A protocol on a service port that opens with it is no masquerade; a protocol that is not
 * native there is, which also shows the port is on the list of widely used services. */
static void check_native_ports(const OddportPortRules *rules, const OddportProtocol *protocol,
                               OddportTransport transport, const OddportPortList *list)
{
    size_t count;
    const OddportProtocol *const *protocols = oddport_protocols(&count);
    for (size_t index = 0; index < list->count; index++) {
        uint16_t port = list->ports[index];
        g_assert_cmpint(oddport_port_rules_severity(rules, protocol->app, transport, port), !=,
                        ODDPORT_SEVERITY_MASQUERADE);
        for (size_t other = 0; other < count; other++) {
            if (oddport_ports_have(&protocols[other]->native_service_ports, transport, port))
                continue;
            g_assert_cmpint(
                oddport_port_rules_severity(rules, protocols[other]->app, transport, port), ==,
                ODDPORT_SEVERITY_MASQUERADE);
        }
    }
}

static void test_ports(void)
{
    g_autoptr(OddportPortRules) rules = oddport_port_rules_new();
    size_t count;
    const OddportProtocol *const *protocols = all_protocols(&count);
    for (size_t index = 0; index < count; index++) {
        const OddportProtocol *protocol = protocols[index];
        check_standard_ports(rules, protocol, ODDPORT_TRANSPORT_TCP, &protocol->standard_ports.tcp);
        check_standard_ports(rules, protocol, ODDPORT_TRANSPORT_UDP, &protocol->standard_ports.udp);
        check_alternate_ports(rules, protocol, ODDPORT_TRANSPORT_TCP,
                              &protocol->alternate_ports.tcp);
        check_alternate_ports(rules, protocol, ODDPORT_TRANSPORT_UDP,
                              &protocol->alternate_ports.udp);
        check_native_ports(rules, protocol, ODDPORT_TRANSPORT_TCP,
                           &protocol->native_service_ports.tcp);
        check_native_ports(rules, protocol, ODDPORT_TRANSPORT_UDP,
                           &protocol->native_service_ports.udp);
    }
    /* A services file names apps by the table's words. */
    GError *error = NULL;
    for (size_t index = 0; index < count; index++) {
        g_autofree char *rule = g_strdup_printf("%s 40000/udp\n", protocols[index]->name);
        g_assert_true(oddport_port_rules_load_text(rules, rule, "test", &error));
        g_assert_no_error(error);
        g_assert_true(oddport_port_rules_is_expected(rules, protocols[index]->app,
                                                     ODDPORT_TRANSPORT_UDP, 40000));
    }
}

/* The detectors the table runs are the protocols' own: bytes only one of them takes are
 * recognised as that app, whichever candidates remain. */
static void test_detection_runs_the_table(void)
{
    static const char request[] = "GET / HTTP/1.1\r\nHost: example.org\r\n\r\n";
    static const char banner[] = "SSH-2.0-OpenSSH_9.2\r\n";
    OddportSideResult result;
    OddportCandidates candidates = oddport_protocol_candidates(ODDPORT_TRANSPORT_TCP);
    g_assert_cmpint(
        oddport_detect_side((const uint8_t *)request, strlen(request), false, &candidates, &result),
        ==, ODDPORT_MATCH_YES);
    g_assert_cmpint(result.app, ==, ODDPORT_APP_HTTP);
    g_assert_nonnull(oddport_http_details(&result));
    g_assert_null(oddport_tls_details(&result));
    g_assert_cmpstr(oddport_http_details(&result)->host, ==, "example.org");
    candidates = oddport_protocol_candidates(ODDPORT_TRANSPORT_TCP);
    g_assert_cmpint(
        oddport_detect_side((const uint8_t *)banner, strlen(banner), false, &candidates, &result),
        ==, ODDPORT_MATCH_YES);
    g_assert_cmpint(result.app, ==, ODDPORT_APP_SSH);
    g_assert_cmpstr(oddport_ssh_details(&result)->banner, ==, "SSH-2.0-OpenSSH_9.2");
    /* Struck out, a protocol is not tried again. */
    candidates = (OddportCandidates)(oddport_protocol_candidates(ODDPORT_TRANSPORT_TCP) &
                                     ~(1u << ODDPORT_APP_SSH));
    g_assert_cmpint(
        oddport_detect_side((const uint8_t *)banner, strlen(banner), false, &candidates, &result),
        ==, ODDPORT_MATCH_NO);
    g_assert_cmpint(result.app, ==, ODDPORT_APP_UNKNOWN);
}

/* The table's HTTP entry refuses at the first byte what the whole detector would refuse, and
 * nothing else: every first byte, followed by the rest of a request. */
static void test_http_entry_agrees_with_detector(void)
{
    for (unsigned first = 0; first < 256; first++) {
        uint8_t bytes[] = {
            (uint8_t)first, 'E',  'T',  ' ', '/', ' ', 'H', 'T', 'T', 'P', '/', '1', '.', '1',
            '\r',           '\n', '\r', '\n'};
        for (size_t length = 1; length <= sizeof bytes; length += sizeof bytes - 1) {
            OddportVerdict verdict;
            OddportMatch direct = oddport_detect_http(bytes, length, &verdict, NULL);
            OddportSideResult result;
            OddportCandidates candidates = (OddportCandidates)(1u << ODDPORT_APP_HTTP);
            OddportMatch through_table =
                oddport_detect_side(bytes, length, false, &candidates, &result);
            g_assert_cmpint(direct == ODDPORT_MATCH_NO, ==, through_table == ODDPORT_MATCH_NO);
        }
    }
}

/* Each value of an enum has its own word, and none is empty. */
static void check_distinct_words(const char *const *words, size_t count)
{
    for (size_t index = 0; index < count; index++) {
        g_assert_nonnull(words[index]);
        g_assert_cmpuint(strlen(words[index]), >, 0);
        for (size_t other = 0; other < index; other++)
            g_assert_cmpstr(words[other], !=, words[index]);
    }
}

static void test_vocabulary(void)
{
    const char *words[64];
    for (unsigned value = 0; value < ODDPORT_APP_COUNT; value++)
        words[value] = oddport_app_name((OddportApp)value);
    check_distinct_words(words, ODDPORT_APP_COUNT);
    for (unsigned value = 0; value < ODDPORT_CONFIDENCE_COUNT; value++)
        words[value] = oddport_confidence_name((OddportConfidence)value);
    check_distinct_words(words, ODDPORT_CONFIDENCE_COUNT);
    for (unsigned value = 0; value < ODDPORT_PORT_CLASS_COUNT; value++) {
        words[value] = oddport_port_class_name((OddportPortClass)value);
        words[ODDPORT_PORT_CLASS_COUNT + value] = oddport_port_class_range((OddportPortClass)value);
    }
    check_distinct_words(words, 2 * ODDPORT_PORT_CLASS_COUNT);
    words[0] = oddport_transport_name(ODDPORT_TRANSPORT_TCP);
    words[1] = oddport_transport_name(ODDPORT_TRANSPORT_UDP);
    check_distinct_words(words, 2);
    g_assert_null(oddport_severity_name(ODDPORT_SEVERITY_NONE));
    for (unsigned value = 1; value < ODDPORT_SEVERITY_COUNT; value++)
        words[value - 1] = oddport_severity_name((OddportSeverity)value);
    check_distinct_words(words, ODDPORT_SEVERITY_COUNT - 1);
    for (unsigned value = 0; value < ODDPORT_DIRECTION_SOURCE_COUNT; value++)
        words[value] = oddport_direction_source_name((OddportDirectionSource)value);
    check_distinct_words(words, ODDPORT_DIRECTION_SOURCE_COUNT);
    g_assert_null(oddport_opening_source_name(ODDPORT_OPENING_NONE));
    for (unsigned value = 1; value < ODDPORT_OPENING_SOURCE_COUNT; value++)
        words[value - 1] = oddport_opening_source_name((OddportOpeningSource)value);
    check_distinct_words(words, ODDPORT_OPENING_SOURCE_COUNT - 1);
    g_assert_null(oddport_decided_by_name(ODDPORT_DECIDED_BY_NONE));
    for (unsigned value = 1; value < ODDPORT_DECIDED_BY_COUNT; value++)
        words[value - 1] = oddport_decided_by_name((OddportDecidedBy)value);
    check_distinct_words(words, ODDPORT_DECIDED_BY_COUNT - 1);
    for (unsigned value = 0; value < ODDPORT_CAPTURE_ERROR_COUNT; value++)
        words[value] = oddport_capture_error_name((OddportCaptureError)value);
    check_distinct_words(words, ODDPORT_CAPTURE_ERROR_COUNT);
    g_assert_null(oddport_skip_reason_name(ODDPORT_DECODE_OK));
    for (unsigned value = 1; value < ODDPORT_SKIP_REASON_COUNT; value++)
        words[value - 1] = oddport_skip_reason_name((OddportDecodeStatus)value);
    check_distinct_words(words, ODDPORT_SKIP_REASON_COUNT - 1);
}

/* Every word a report writes reads back as its value, and other words read as none. */
static void test_vocabulary_read_back(void)
{
    for (unsigned value = 1; value < ODDPORT_SEVERITY_COUNT; value++) {
        OddportSeverity read = ODDPORT_SEVERITY_NONE;
        g_assert_true(oddport_severity_from_name(oddport_severity_name(value), &read));
        g_assert_cmpuint(read, ==, value);
    }
    for (unsigned value = 0; value < ODDPORT_CONFIDENCE_COUNT; value++) {
        OddportConfidence read = ODDPORT_CONFIDENCE_NONE;
        g_assert_true(oddport_confidence_from_name(oddport_confidence_name(value), &read));
        g_assert_cmpuint(read, ==, value);
    }
    for (unsigned value = 0; value < ODDPORT_DIRECTION_SOURCE_COUNT; value++) {
        OddportDirectionSource read = 0;
        g_assert_true(
            oddport_direction_source_from_name(oddport_direction_source_name(value), &read));
        g_assert_cmpuint(read, ==, value);
    }
    for (unsigned value = 0; value < ODDPORT_CAPTURE_ERROR_COUNT; value++) {
        OddportCaptureError read = 0;
        g_assert_true(oddport_capture_error_from_name(oddport_capture_error_name(value), &read));
        g_assert_cmpuint(read, ==, value);
    }
    OddportTransport transport = ODDPORT_TRANSPORT_TCP;
    g_assert_true(oddport_transport_from_name("udp", &transport));
    g_assert_cmpuint(transport, ==, ODDPORT_TRANSPORT_UDP);
    OddportSeverity severity = ODDPORT_SEVERITY_NONE;
    OddportConfidence confidence = ODDPORT_CONFIDENCE_NONE;
    g_assert_false(oddport_severity_from_name("none", &severity));
    g_assert_false(oddport_confidence_from_name("HIGH", &confidence));
    g_assert_false(oddport_transport_from_name("sctp", &transport));
    g_assert_cmpuint(severity, ==, ODDPORT_SEVERITY_NONE);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/protocol/rows-and-names", test_rows_and_names);
    g_test_add_func("/protocol/report-order", test_report_order);
    g_test_add_func("/protocol/candidates", test_candidates);
    g_test_add_func("/protocol/ports", test_ports);
    g_test_add_func("/protocol/detection-runs-the-table", test_detection_runs_the_table);
    g_test_add_func("/protocol/http-entry-agrees-with-detector",
                    test_http_entry_agrees_with_detector);
    g_test_add_func("/protocol/vocabulary", test_vocabulary);
    g_test_add_func("/protocol/vocabulary-read-back", test_vocabulary_read_back);
    return g_test_run();
}
