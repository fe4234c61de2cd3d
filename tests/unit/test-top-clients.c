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
    /* Of those, one it surely had: its own; the others are exact still. */
    g_assert_cmpuint(clients[0].flows_uncertain, ==, 1);
    g_assert_cmpuint(clients[1].flows_uncertain, ==, 0);
    oddport_top_clients_free(top);
}

/* Many clients of one flow each, as a scan's or a crowd's: every listed client's count may be
 * more than its own, but what it surely had (flows - flows_uncertain) is never more than its
 * flows, and its bytes are those of the flows it surely had. A report said "2 flows" of clients
 * that had one. */
static void test_estimates_bound_the_truth(void)
{
    OddportTopClients *top = oddport_top_clients_new();
    for (uint32_t client = 0; client < 3 * ODDPORT_TOP_CLIENTS_TRACKED; client++) {
        OddportAddress address = client_number(client);
        oddport_top_clients_add(top, &address, 1000, client);
    }
    OddportTopClient clients[ODDPORT_TOP_CLIENTS];
    bool exact = true;
    size_t count = oddport_top_clients_list(top, clients, ODDPORT_TOP_CLIENTS, &exact);
    g_assert_false(exact);
    g_assert_cmpuint(count, ==, ODDPORT_TOP_CLIENTS);
    for (size_t index = 0; index < count; index++) {
        g_assert_cmpuint(clients[index].flows, >, 1);
        g_assert_cmpuint(clients[index].flows - clients[index].flows_uncertain, ==, 1);
        g_assert_cmpuint(clients[index].bytes, ==, 1000);
    }
    /* Merged with another such summary, the bounds add up as the counts do. */
    OddportTopClients *other = oddport_top_clients_copy(top);
    oddport_top_clients_merge(top, other);
    count = oddport_top_clients_list(top, clients, ODDPORT_TOP_CLIENTS, &exact);
    for (size_t index = 0; index < count; index++)
        g_assert_cmpuint(clients[index].flows - clients[index].flows_uncertain, ==, 2);
    oddport_top_clients_free(other);
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

static void assert_same_lists(const OddportTopClients *left, const OddportTopClients *right)
{
    OddportTopClient left_clients[ODDPORT_TOP_CLIENTS];
    OddportTopClient right_clients[ODDPORT_TOP_CLIENTS];
    bool left_exact = false;
    bool right_exact = false;
    size_t count = oddport_top_clients_list(left, left_clients, ODDPORT_TOP_CLIENTS, &left_exact);
    g_assert_cmpuint(
        oddport_top_clients_list(right, right_clients, ODDPORT_TOP_CLIENTS, &right_exact), ==,
        count);
    g_assert_cmpint(left_exact, ==, right_exact);
    /* Field by field: padding after the address holds nothing. */
    for (size_t index = 0; index < count; index++) {
        g_assert_cmpmem(&left_clients[index].address, sizeof(OddportAddress),
                        &right_clients[index].address, sizeof(OddportAddress));
        g_assert_cmpuint(left_clients[index].flows, ==, right_clients[index].flows);
        g_assert_cmpuint(left_clients[index].bytes, ==, right_clients[index].bytes);
        g_assert_cmpuint(left_clients[index].first_seen_ns, ==, right_clients[index].first_seen_ns);
    }
}

/* While both are exact and their clients together fit, merging is adding every flow to one:
 * shared clients' flows and bytes summed, the earlier first time kept. */
static void test_merge_exact_when_few(void)
{
    OddportTopClients *first = oddport_top_clients_new();
    OddportTopClients *second = oddport_top_clients_new();
    OddportTopClients *together = oddport_top_clients_new();
    for (uint32_t flow = 0; flow < 40; flow++) {
        OddportAddress address = client_number(flow % 9);
        OddportTopClients *part = flow % 3 == 0 ? first : second;
        oddport_top_clients_add(part, &address, flow * 10, 1000 - flow);
        oddport_top_clients_add(together, &address, flow * 10, 1000 - flow);
    }
    oddport_top_clients_merge(first, second);
    assert_same_lists(first, together);
    /* An empty list changes nothing, either way. */
    OddportTopClients *empty = oddport_top_clients_new();
    oddport_top_clients_merge(first, empty);
    assert_same_lists(first, together);
    oddport_top_clients_merge(empty, together);
    assert_same_lists(empty, together);
    oddport_top_clients_free(empty);
    oddport_top_clients_free(first);
    oddport_top_clients_free(second);
    oddport_top_clients_free(together);
}

/* Past the bound the merge is marked not exact, and a client with more than a
 * 1/ODDPORT_TOP_CLIENTS_TRACKED share of all flows is still listed, first. */
static void test_merge_keeps_heavy_clients(void)
{
    OddportTopClients *first = oddport_top_clients_new();
    OddportTopClients *second = oddport_top_clients_new();
    OddportAddress heavy = client_number(999);
    for (uint32_t flow = 0; flow < 400; flow++) {
        OddportAddress address = flow % 4 == 0 ? heavy : client_number(flow);
        oddport_top_clients_add(flow < 200 ? first : second, &address, 1, flow);
    }
    OddportTopClients *copy = oddport_top_clients_copy(second);
    oddport_top_clients_merge(first, second);
    assert_same_lists(copy, second);
    OddportTopClient clients[ODDPORT_TOP_CLIENTS];
    bool exact = true;
    size_t count = oddport_top_clients_list(first, clients, ODDPORT_TOP_CLIENTS, &exact);
    g_assert_false(exact);
    g_assert_cmpuint(count, ==, ODDPORT_TOP_CLIENTS);
    g_assert_cmpmem(&clients[0].address, sizeof heavy, &heavy, sizeof heavy);
    g_assert_cmpuint(clients[0].flows, >=, 100);
    oddport_top_clients_free(first);
    oddport_top_clients_free(second);
    oddport_top_clients_free(copy);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/top-clients/exact-when-few", test_exact_when_few);
    g_test_add_func("/top-clients/one-more-than-followed", test_one_more_than_followed);
    g_test_add_func("/top-clients/estimates-bound-the-truth", test_estimates_bound_the_truth);
    g_test_add_func("/top-clients/fewer-than-listed", test_fewer_than_listed);
    g_test_add_func("/top-clients/bounded-when-many", test_bounded_when_many);
    g_test_add_func("/top-clients/merge-exact-when-few", test_merge_exact_when_few);
    g_test_add_func("/top-clients/merge-keeps-heavy-clients", test_merge_keeps_heavy_clients);
    return g_test_run();
}
