/* Unit tests for Community ID v1 against the specification's published test vectors. */
#include <arpa/inet.h>
#include <string.h>

#include <glib.h>

#include "oddport/community_id.h"

static OddportAddress address_of(const char *text)
{
    OddportAddress address;
    memset(&address, 0, sizeof address);
    if (inet_pton(AF_INET, text, address.bytes) == 1) {
        address.family = 4;
    } else {
        g_assert_cmpint(inet_pton(AF_INET6, text, address.bytes), ==, 1);
        address.family = 6;
    }
    return address;
}

/* Checks one vector in both directions: the two must hash alike. */
static void check_vector(uint16_t seed, uint8_t protocol, const char *address_a, uint16_t port_a,
                         const char *address_b, uint16_t port_b, const char *expected)
{
    OddportAddress a = address_of(address_a);
    OddportAddress b = address_of(address_b);
    char forward[ODDPORT_COMMUNITY_ID_TEXT_MAX];
    char backward[ODDPORT_COMMUNITY_ID_TEXT_MAX];
    oddport_community_id(seed, protocol, &a, port_a, &b, port_b, forward);
    oddport_community_id(seed, protocol, &b, port_b, &a, port_a, backward);
    g_assert_cmpstr(forward, ==, expected);
    g_assert_cmpstr(backward, ==, expected);
}

/* The vectors of the community-id-spec baseline, which Zeek's and other implementations' tests
 * repeat. ICMP's "ports" are the type and its counterpart, as the specification maps them. */
static void test_specification_vectors(void)
{
    check_vector(0, 6, "1.2.3.4", 1122, "5.6.7.8", 3344, "1:wCb3OG7yAFWelaUydu0D+125CLM=");
    check_vector(0, 17, "1.2.3.4", 1122, "5.6.7.8", 3344, "1:0Mu9InQx6z4ZiCZM/7HXi2WMhOg=");
    check_vector(0, 1, "1.2.3.4", 8, "5.6.7.8", 0, "1:crodRHL2FEsHjbv3UkRrfbs4bZ0=");
    check_vector(0, 58, "fe80:0001:0203:0405:0607:0809:0a0b:0c0d", 128,
                 "fe80:1011:1213:1415:1617:1819:1a1b:1c1d", 129, "1:0bf7hyMJUwt3fMED7z8LIfRpBeo=");
}

static void test_seeded_vectors(void)
{
    check_vector(1, 6, "1.2.3.4", 1122, "5.6.7.8", 3344, "1:HhA1B+6CoLbiKPEs5nhNYN4XWfk=");
    check_vector(1, 17, "1.2.3.4", 1122, "5.6.7.8", 3344, "1:OShq+iKDAMVouh/4bMxB9Sz4amw=");
    check_vector(1, 1, "1.2.3.4", 8, "5.6.7.8", 0, "1:9pr4ZGTICiuZoIh90RRYE2RyXpU=");
    check_vector(1, 58, "fe80:0001:0203:0405:0607:0809:0a0b:0c0d", 128,
                 "fe80:1011:1213:1415:1617:1819:1a1b:1c1d", 129, "1:IO27GQzPuCtNnwFvjWALMHu5tJE=");
}

/* With one address on both sides the ports decide the order, so both directions still agree. */
static void test_same_address_orders_by_port(void)
{
    OddportAddress loopback = address_of("127.0.0.1");
    char forward[ODDPORT_COMMUNITY_ID_TEXT_MAX];
    char backward[ODDPORT_COMMUNITY_ID_TEXT_MAX];
    oddport_community_id(0, 6, &loopback, 40000, &loopback, 443, forward);
    oddport_community_id(0, 6, &loopback, 443, &loopback, 40000, backward);
    g_assert_cmpstr(forward, ==, backward);
    g_assert_cmpuint(strlen(forward), ==, 30);
}

/* A flow's id comes from its transport and endpoints, whichever side is the client. */
static void test_flow_community_id(void)
{
    OddportFlowReport flow;
    memset(&flow, 0, sizeof flow);
    flow.transport = ODDPORT_TRANSPORT_TCP;
    flow.client.address = address_of("5.6.7.8");
    flow.client.port = 3344;
    flow.server.address = address_of("1.2.3.4");
    flow.server.port = 1122;
    char text[ODDPORT_COMMUNITY_ID_TEXT_MAX];
    oddport_flow_community_id(&flow, text);
    g_assert_cmpstr(text, ==, "1:wCb3OG7yAFWelaUydu0D+125CLM=");
    flow.transport = ODDPORT_TRANSPORT_UDP;
    oddport_flow_community_id(&flow, text);
    g_assert_cmpstr(text, ==, "1:0Mu9InQx6z4ZiCZM/7HXi2WMhOg=");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/community-id/specification-vectors", test_specification_vectors);
    g_test_add_func("/community-id/seeded-vectors", test_seeded_vectors);
    g_test_add_func("/community-id/same-address-orders-by-port", test_same_address_orders_by_port);
    g_test_add_func("/community-id/flow", test_flow_community_id);
    return g_test_run();
}
