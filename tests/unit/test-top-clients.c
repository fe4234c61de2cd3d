/* Unit tests for a service's top clients: exact while few, bounded and still right when many. */
#include <string.h>

#include <glib.h>

#include "internal/top_clients.h"

static OddportAddress client_number(uint32_t number)
{
    OddportAddress address;
    memset(&address, 0, sizeof address);
    address.family = 4;
    address.bytes[0] = 10;
    address.bytes[1] = (uint8_t)(number >> 16);
    address.bytes[2] = (uint8_t)(number >> 8);
    address.bytes[3] = (uint8_t)number;
    return address;
}

/* Up to the followed bound every count is exact, and the list is ordered by flows, then bytes,
 * then the earliest. */
static void test_exact_when_few(void)
{
    OddportTopClient clients[ODDPORT_TOP_CLIENTS];
    bool exact = false;
    size_t count;
    OddportTopClients *top = oddport_top_clients_new();
    for (uint32_t client = 0; client < ODDPORT_TOP_CLIENTS_TRACKED; client++)
        for (uint32_t flow = 0; flow <= client; flow++) {
            OddportAddress address = client_number(client);
            oddport_top_clients_add(top, &address, 100, 1000 - flow);
        }
    count = oddport_top_clients_list(top, clients, ODDPORT_TOP_CLIENTS, &exact);
    g_assert_true(exact);
    g_assert_cmpuint(count, ==, ODDPORT_TOP_CLIENTS);
    for (size_t index = 0; index < count; index++) {
        uint32_t client = ODDPORT_TOP_CLIENTS_TRACKED - 1 - (uint32_t)index;
        OddportAddress expected = client_number(client);
        g_assert_cmpmem(&clients[index].address, sizeof expected, &expected, sizeof expected);
        g_assert_cmpuint(clients[index].flows, ==, client + 1);
        g_assert_cmpuint(clients[index].bytes, ==, 100 * (client + 1));
        g_assert_cmpuint(clients[index].first_seen_ns, ==, 1000 - client);
    }
    oddport_top_clients_free(top);
}

/* One distinct client more than the bound follows, and the counts are no longer called exact. */
static void test_one_more_than_followed(void)
{
    OddportTopClients *top = oddport_top_clients_new();
    OddportTopClient clients[ODDPORT_TOP_CLIENTS];
    bool exact = false;
    for (uint32_t client = 0; client < ODDPORT_TOP_CLIENTS_TRACKED; client++) {
        OddportAddress address = client_number(client);
        oddport_top_clients_add(top, &address, 1, 1);
    }
    oddport_top_clients_list(top, clients, ODDPORT_TOP_CLIENTS, &exact);
    g_assert_true(exact);
    OddportAddress newcomer = client_number(ODDPORT_TOP_CLIENTS_TRACKED);
    oddport_top_clients_add(top, &newcomer, 1, 1);
    g_assert_cmpuint(oddport_top_clients_list(top, clients, ODDPORT_TOP_CLIENTS, &exact), ==,
                     ODDPORT_TOP_CLIENTS);
    g_assert_false(exact);
    /* It took the place of a client with one flow and may have had that one too. */
    g_assert_cmpmem(&clients[0].address, sizeof newcomer, &newcomer, sizeof newcomer);
    g_assert_cmpuint(clients[0].flows, ==, 2);
    oddport_top_clients_free(top);
}

static void test_fewer_than_listed(void)
{
    OddportTopClients *top = oddport_top_clients_new();
    OddportTopClient clients[ODDPORT_TOP_CLIENTS];
    bool exact = false;
    g_assert_cmpuint(oddport_top_clients_list(top, clients, ODDPORT_TOP_CLIENTS, &exact), ==, 0);
    g_assert_true(exact);
    OddportAddress small = client_number(1);
    OddportAddress large = client_number(2);
    oddport_top_clients_add(top, &large, 10, 5);
    oddport_top_clients_add(top, &small, 10, 5);
    /* Equal flows, bytes and times: the smaller address first, so reports never shuffle. */
    g_assert_cmpuint(oddport_top_clients_list(top, clients, ODDPORT_TOP_CLIENTS, &exact), ==, 2);
    g_assert_true(exact);
    g_assert_cmpmem(&clients[0].address, sizeof small, &small, sizeof small);
    oddport_top_clients_free(top);
}

/* Many distinct clients (a scan, a botnet) and a few heavy ones among them: memory stays at the
 * followed bound, the heavy ones are listed first, and their flow counts are at least the truth
 * and at most the truth plus what the bound allows (flows / followed clients). */
static void test_bounded_when_many(void)
{
    OddportTopClients *top = oddport_top_clients_new();
    const uint32_t heavy = 3;
    const uint32_t heavy_flows = 2000;
    const uint32_t light_clients = 20000;
    uint64_t total = 0;
    for (uint32_t round = 0; round < heavy_flows; round++) {
        for (uint32_t client = 0; client < heavy; client++) {
            OddportAddress address = client_number(client);
            oddport_top_clients_add(top, &address, 1, round);
            total++;
        }
        for (uint32_t light = 0; light < light_clients / heavy_flows; light++) {
            OddportAddress address = client_number(1000 + round * 10 + light);
            oddport_top_clients_add(top, &address, 1, round);
            total++;
        }
    }
    OddportTopClient clients[ODDPORT_TOP_CLIENTS];
    bool exact = true;
    size_t count = oddport_top_clients_list(top, clients, ODDPORT_TOP_CLIENTS, &exact);
    g_assert_false(exact);
    g_assert_cmpuint(count, ==, ODDPORT_TOP_CLIENTS);
    for (uint32_t index = 0; index < heavy; index++) {
        g_assert_cmpuint(clients[index].address.bytes[3], <, heavy);
        g_assert_cmpuint(clients[index].address.bytes[2], ==, 0);
        g_assert_cmpuint(clients[index].flows, >=, heavy_flows);
        g_assert_cmpuint(clients[index].flows, <=,
                         heavy_flows + total / ODDPORT_TOP_CLIENTS_TRACKED);
    }
    oddport_top_clients_free(top);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/top-clients/exact-when-few", test_exact_when_few);
    g_test_add_func("/top-clients/one-more-than-followed", test_one_more_than_followed);
    g_test_add_func("/top-clients/fewer-than-listed", test_fewer_than_listed);
    g_test_add_func("/top-clients/bounded-when-many", test_bounded_when_many);
    return g_test_run();
}
