/* Unit tests for the tally: the service rows' order, and two tallies merged equal one tally of
 * all their flows. */
#include <string.h>

#include <glib.h>

#include "oddport/tally.h"

static OddportAddress address_number(uint8_t first, uint32_t number)
{
    OddportAddress address;
    memset(&address, 0, sizeof address);
    address.family = 4;
    address.bytes[0] = first;
    address.bytes[1] = (uint8_t)(number >> 16);
    address.bytes[2] = (uint8_t)(number >> 8);
    address.bytes[3] = (uint8_t)number;
    return address;
}

/* A finished flow to one of a few services, from one of `clients` clients; the verdict lives in
 * `verdict`, which the report points at. */
static void make_flow(GRand *random, uint32_t clients, OddportFlowVerdict *verdict,
                      OddportFlowReport *report)
{
    static const uint16_t ports[] = {80, 443, 8080, 2222, 50000};
    static const OddportApp apps[] = {ODDPORT_APP_HTTP, ODDPORT_APP_TLS, ODDPORT_APP_HTTP,
                                      ODDPORT_APP_SSH, ODDPORT_APP_UNKNOWN};
    unsigned service = (unsigned)g_rand_int_range(random, 0, G_N_ELEMENTS(ports));
    memset(verdict, 0, sizeof *verdict);
    verdict->app = apps[service];
    verdict->nonstandard = service >= 2 && service <= 3;
    verdict->severity = verdict->nonstandard ? ODDPORT_SEVERITY_ALTERNATE : ODDPORT_SEVERITY_NONE;
    g_snprintf(verdict->evidence, sizeof verdict->evidence, "evidence %u",
               (unsigned)g_rand_int_range(random, 0, 1000));
    memset(report, 0, sizeof *report);
    report->transport = service == 4 ? ODDPORT_TRANSPORT_UDP : ODDPORT_TRANSPORT_TCP;
    report->server.address = address_number(192, (uint32_t)g_rand_int_range(random, 0, 2));
    report->server.port = ports[service];
    report->server.port_class = oddport_port_class(report->server.port);
    report->client.address = address_number(10, (uint32_t)g_rand_int_range(random, 0, clients));
    report->client.port = 40000;
    report->client.port_class = oddport_port_class(40000);
    report->verdict = verdict;
    report->first_seen_ns = (uint64_t)g_rand_int_range(random, 1, 1000000);
    report->last_seen_ns = report->first_seen_ns + (uint64_t)g_rand_int_range(random, 0, 5000);
    report->client_packets = (uint64_t)g_rand_int_range(random, 1, 20);
    report->server_packets = (uint64_t)g_rand_int_range(random, 0, 20);
    report->client_bytes = report->client_packets * 100;
    report->server_bytes = report->server_packets * 300;
    report->server_sent_payload = report->server_packets > 3;
    if (verdict->app == ODDPORT_APP_UNKNOWN && g_rand_boolean(random)) {
        OddportOpening *opening =
            report->server_sent_payload ? &report->server_opening : &report->client_opening;
        opening->length = (uint8_t)g_snprintf((char *)opening->bytes, sizeof opening->bytes,
                                              "hello %u", (unsigned)report->first_seen_ns);
    }
}

static const OddportService *find_service(GPtrArray *services, const OddportService *like)
{
    for (guint index = 0; index < services->len; index++) {
        const OddportService *service = g_ptr_array_index(services, index);
        if (memcmp(&service->address, &like->address, sizeof like->address) == 0 &&
            service->port == like->port && service->transport == like->transport &&
            service->app == like->app)
            return service;
    }
    return NULL;
}

/* Everything the merge promises to keep exact, and the top clients when `top_exact`. */
static void assert_tallies_equal(const OddportTally *merged, const OddportTally *together,
                                 bool top_exact)
{
    g_assert_cmpmem(oddport_tally_counts(merged), sizeof(OddportFlowCounts),
                    oddport_tally_counts(together), sizeof(OddportFlowCounts));
    GPtrArray *merged_services = oddport_tally_services(merged);
    GPtrArray *together_services = oddport_tally_services(together);
    g_assert_cmpuint(merged_services->len, ==, together_services->len);
    for (guint index = 0; index < together_services->len; index++) {
        const OddportService *expected = g_ptr_array_index(together_services, index);
        const OddportService *got = g_ptr_array_index(merged_services, index);
        g_assert_true(got == find_service(merged_services, expected));
        g_assert_cmpint(got->nonstandard, ==, expected->nonstandard);
        g_assert_cmpint(got->severity, ==, expected->severity);
        g_assert_cmpuint(got->flows, ==, expected->flows);
        g_assert_cmpuint(got->packets, ==, expected->packets);
        g_assert_cmpuint(got->bytes, ==, expected->bytes);
        g_assert_cmpuint(got->first_seen_ns, ==, expected->first_seen_ns);
        g_assert_cmpuint(got->last_seen_ns, ==, expected->last_seen_ns);
        g_assert_cmpuint(got->server_spoke_flows, ==, expected->server_spoke_flows);
        g_assert_cmpstr(got->evidence, ==, expected->evidence);
        g_assert_cmpint(got->opening_from, ==, expected->opening_from);
        g_assert_cmpmem(got->opening.bytes, got->opening.length, expected->opening.bytes,
                        expected->opening.length);
        bool got_estimate = false;
        bool expected_estimate = false;
        g_assert_cmpuint(oddport_service_client_count(got, &got_estimate), ==,
                         oddport_service_client_count(expected, &expected_estimate));
        g_assert_cmpint(got_estimate, ==, expected_estimate);
        OddportTopClient got_top[ODDPORT_TOP_CLIENTS];
        OddportTopClient expected_top[ODDPORT_TOP_CLIENTS];
        bool got_exact = false;
        bool expected_exact = false;
        size_t got_count = oddport_service_top_clients(got, got_top, &got_exact);
        size_t expected_count =
            oddport_service_top_clients(expected, expected_top, &expected_exact);
        if (!top_exact) {
            g_assert_false(got_exact);
            continue;
        }
        g_assert_true(got_exact && expected_exact);
        g_assert_cmpuint(got_count, ==, expected_count);
        for (size_t client = 0; client < got_count; client++) {
            g_assert_cmpmem(&got_top[client].address, sizeof(OddportAddress),
                            &expected_top[client].address, sizeof(OddportAddress));
            g_assert_cmpuint(got_top[client].flows, ==, expected_top[client].flows);
            g_assert_cmpuint(got_top[client].bytes, ==, expected_top[client].bytes);
            g_assert_cmpuint(got_top[client].first_seen_ns, ==, expected_top[client].first_seen_ns);
        }
    }
    g_ptr_array_unref(merged_services);
    g_ptr_array_unref(together_services);
}

/* Flows split at `split` between two tallies, merged, against one tally of them all. */
static void check_split(uint32_t seed, unsigned flows, unsigned split, uint32_t clients,
                        bool top_exact)
{
    GRand *random = g_rand_new_with_seed(seed);
    OddportTally *first = oddport_tally_new();
    OddportTally *second = oddport_tally_new();
    OddportTally *together = oddport_tally_new();
    for (unsigned flow = 0; flow < flows; flow++) {
        OddportFlowVerdict verdict;
        OddportFlowReport report;
        make_flow(random, clients, &verdict, &report);
        oddport_tally_add_flow(flow < split ? first : second, &report);
        oddport_tally_add_flow(together, &report);
    }
    oddport_tally_merge(first, second);
    assert_tallies_equal(first, together, top_exact);
    oddport_tally_free(first);
    oddport_tally_free(second);
    oddport_tally_free(together);
    g_rand_free(random);
}

/* With few clients per service every part is exact, wherever the flows are split, an empty
 * tally on either side included. */
static void test_merge_exact_with_few_clients(void)
{
    for (uint32_t seed = 1; seed <= 20; seed++)
        check_split(seed, 300, seed * 15, 12, true);
    check_split(99, 300, 0, 12, true);
    check_split(99, 300, 300, 12, true);
}

/* Thousands of clients: distinct counts go past the exact set to the sketch and still merge to
 * what one tally counts; only the top clients are then merged estimates. */
static void test_merge_with_many_clients(void)
{
    check_split(7, 40000, 15000, 30000, false);
    check_split(8, 40000, 39000, 30000, false);
}

/* The report's order, written out plainly: non-standard first, the most severe first, by app
 * with the unrecognised last, then by server address (IPv4 before IPv6), port and transport. */
static int report_order(const OddportService *left, const OddportService *right)
{
    if (left->nonstandard != right->nonstandard)
        return left->nonstandard ? -1 : 1;
    int left_level = oddport_severity_level(left->severity);
    int right_level = oddport_severity_level(right->severity);
    if (left_level != right_level)
        return right_level - left_level;
    if (left->app != right->app) {
        if (left->app == ODDPORT_APP_UNKNOWN || right->app == ODDPORT_APP_UNKNOWN)
            return left->app == ODDPORT_APP_UNKNOWN ? 1 : -1;
        return (int)left->app - (int)right->app;
    }
    if (left->address.family != right->address.family)
        return left->address.family - right->address.family;
    int bytes = memcmp(left->address.bytes, right->address.bytes, sizeof left->address.bytes);
    if (bytes != 0)
        return bytes;
    if (left->port != right->port)
        return left->port < right->port ? -1 : 1;
    return (int)left->transport - (int)right->transport;
}

/* Services that differ in every part of the order, added in a random order, come out sorted;
 * ports on both sides of 256 catch a key compared in the wrong byte order. */
static void test_services_in_report_order(void)
{
    static const uint16_t ports[] = {22, 80, 256, 443, 511, 8080, 65535};
    static const OddportApp apps[] = {ODDPORT_APP_UNKNOWN, ODDPORT_APP_HTTP, ODDPORT_APP_TLS,
                                      ODDPORT_APP_SSH};
    static const OddportSeverity severities[] = {
        ODDPORT_SEVERITY_ALTERNATE, ODDPORT_SEVERITY_UNEXPECTED, ODDPORT_SEVERITY_MASQUERADE};
    GRand *random = g_rand_new_with_seed(5);
    OddportTally *tally = oddport_tally_new();
    unsigned added = 0;
    for (unsigned round = 0; round < 400; round++) {
        OddportFlowVerdict verdict;
        OddportFlowReport report;
        memset(&verdict, 0, sizeof verdict);
        memset(&report, 0, sizeof report);
        verdict.app = apps[g_rand_int_range(random, 0, G_N_ELEMENTS(apps))];
        verdict.nonstandard = verdict.app != ODDPORT_APP_UNKNOWN && g_rand_boolean(random);
        verdict.severity = verdict.nonstandard
                               ? severities[g_rand_int_range(random, 0, G_N_ELEMENTS(severities))]
                               : ODDPORT_SEVERITY_NONE;
        report.verdict = &verdict;
        report.transport = g_rand_boolean(random) ? ODDPORT_TRANSPORT_TCP : ODDPORT_TRANSPORT_UDP;
        report.server.address = address_number(192, (uint32_t)g_rand_int_range(random, 0, 3));
        if (g_rand_int_range(random, 0, 4) == 0)
            report.server.address.family = 6;
        report.server.port = ports[g_rand_int_range(random, 0, G_N_ELEMENTS(ports))];
        report.server.port_class = oddport_port_class(report.server.port);
        report.client.address = address_number(10, round);
        report.client.port = 40000;
        report.client.port_class = oddport_port_class(40000);
        report.first_seen_ns = report.last_seen_ns = 1000 + round;
        report.client_packets = report.server_packets = 1;
        report.server_sent_payload = true;
        oddport_tally_add_flow(tally, &report);
        added++;
    }
    GPtrArray *services = oddport_tally_services(tally);
    g_assert_cmpuint(services->len, >, 100);
    g_assert_cmpuint(services->len, <=, added);
    for (guint index = 1; index < services->len; index++)
        g_assert_cmpint(report_order(g_ptr_array_index(services, index - 1),
                                     g_ptr_array_index(services, index)),
                        <, 0);
    const OddportService *first = g_ptr_array_index(services, 0);
    g_assert_true(first->nonstandard);
    g_assert_cmpint(first->severity, ==, ODDPORT_SEVERITY_MASQUERADE);
    g_ptr_array_unref(services);
    oddport_tally_free(tally);
    g_rand_free(random);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/tally/services-in-report-order", test_services_in_report_order);
    g_test_add_func("/tally/merge-exact-with-few-clients", test_merge_exact_with_few_clients);
    g_test_add_func("/tally/merge-with-many-clients", test_merge_with_many_clients);
    return g_test_run();
}
