/* tshark -z oddport and Wireshark's Statistics menu: what hides on odd ports, in the CLI's terms.
 */
#include <stdio.h>
#include <string.h>

#include <epan/packet.h>
#include <epan/stat_tap_ui.h>
#include <epan/stats_tree.h>
#include <epan/tap.h>

#include "oddport-plugin.h"
#include "oddport/report.h"
#include "oddport/tally.h"

/* One -z oddport request: the flows its packets belonged to. */
typedef struct {
    GHashTable *flows; /* set of OddportPluginFlow *, borrowed from the dissector */
} Listener;

static tap_packet_status remember_flow(void *data, packet_info *pinfo _U_, epan_dissect_t *edt _U_,
                                       const void *flow, tap_flags_t flags _U_)
{
    Listener *listener = data;
    g_hash_table_add(listener->flows, (gpointer)flow);
    return TAP_PACKET_DONT_REDRAW;
}

static gint compare_flows_by_start(gconstpointer left, gconstpointer right)
{
    const OddportPluginFlow *first = *(OddportPluginFlow *const *)left;
    const OddportPluginFlow *second = *(OddportPluginFlow *const *)right;
    return nstime_cmp(&first->first_seen, &second->first_seen);
}

static uint64_t nanoseconds(const nstime_t *time)
{
    return (uint64_t)time->secs * 1000000000u + (uint64_t)time->nsecs;
}

/* The plugin keeps Wireshark's addresses; the tally wants oddport's own form. */
static void to_oddport_address(const address *from, OddportAddress *to)
{
    memset(to, 0, sizeof *to);
    if (from->type == AT_IPv4 && from->len == 4) {
        to->family = 4;
        memcpy(to->bytes, from->data, 4);
    } else if (from->type == AT_IPv6 && from->len == 16) {
        to->family = 6;
        memcpy(to->bytes, from->data, 16);
    }
}

/* Adds one finished flow to the tally, judged as the CLI judges a flow that ended. */
static void tally_flow(OddportTally *tally, OddportPluginFlow *flow)
{
    oddport_plugin_classify(flow, TRUE);
    const OddportFlowVerdict *verdict = &flow->verdict;
    unsigned client = verdict->client;
    unsigned server = 1 - client;
    OddportFlowReport report = {
        .transport = flow->transport,
        .client = {.port = flow->port[client],
                   .port_class = oddport_port_class(flow->port[client])},
        .server = {.port = flow->port[server],
                   .port_class = oddport_port_class(flow->port[server])},
        .verdict = verdict,
        .client_result = flow->side[client].result,
        .server_result = flow->side[server].result,
        .first_seen_ns = nanoseconds(&flow->first_seen),
        .last_seen_ns = nanoseconds(&flow->last_seen),
        .client_packets = flow->packets[client],
        .client_bytes = flow->bytes[client],
        .server_packets = flow->packets[server],
        .server_bytes = flow->bytes[server],
        .precision_digits = 9,
    };
    to_oddport_address(&flow->address[client], &report.client.address);
    to_oddport_address(&flow->address[server], &report.server.address);
    oddport_tally_add_flow(tally, &report);
}

static void draw(void *data)
{
    Listener *listener = data;
    /* In order of first packet, as the CLI sees them, so ties sort the same way. */
    GPtrArray *flows = g_ptr_array_new();
    GHashTableIter iterator;
    gpointer flow;
    g_hash_table_iter_init(&iterator, listener->flows);
    while (g_hash_table_iter_next(&iterator, &flow, NULL))
        g_ptr_array_add(flows, flow);
    g_ptr_array_sort(flows, compare_flows_by_start);
    OddportTally *tally = oddport_tally_new();
    for (guint index = 0; index < flows->len; index++)
        tally_flow(tally, g_ptr_array_index(flows, index));
    g_ptr_array_unref(flows);

    printf("\n===================================================================\n");
    printf("oddport: services on non-standard ports (oddport %s)\n", ODDPORT_VERSION);
    const OddportTextOptions options = {.color = false};
    oddport_text_write_tally(stdout, tally, &options);
    printf("===================================================================\n");
    oddport_tally_free(tally);
}

static void finish(void *data)
{
    Listener *listener = data;
    g_hash_table_unref(listener->flows);
    g_free(listener);
}

static void start_listener(const char *argument _U_, void *user_data _U_)
{
    Listener *listener = g_new0(Listener, 1);
    listener->flows = g_hash_table_new(g_direct_hash, g_direct_equal);
    GString *error = register_tap_listener("oddport", listener, NULL, TL_REQUIRES_NOTHING, NULL,
                                           remember_flow, draw, finish);
    if (error != NULL) {
        fprintf(stderr, "tshark: cannot start the oddport statistics: %s\n", error->str);
        g_string_free(error, TRUE);
        finish(listener);
    }
}

/* The Statistics menu gets a packet-count tree: which share of the traffic goes to each port
 * class, and to which services on non-standard ports. */
static int tree_port_classes = -1;
static int tree_findings = -1;

static void tree_init(stats_tree *tree)
{
    tree_port_classes =
        stats_tree_create_node(tree, "Packets by server port class", 0, STAT_DT_INT, TRUE);
    tree_findings = stats_tree_create_node(tree, "Packets to services on non-standard ports", 0,
                                           STAT_DT_INT, TRUE);
}

static tap_packet_status tree_packet(stats_tree *tree, packet_info *pinfo _U_,
                                     epan_dissect_t *edt _U_, const void *data,
                                     tap_flags_t flags _U_)
{
    const OddportPluginFlow *flow = data;
    const OddportFlowVerdict *verdict = &flow->verdict;
    guint16 server_port = flow->port[1 - verdict->client];
    tick_stat_node(tree, "Packets by server port class", 0, TRUE);
    tick_stat_node(tree, oddport_port_class_name(oddport_port_class(server_port)),
                   tree_port_classes, FALSE);
    if (verdict->nonstandard) {
        tick_stat_node(tree, "Packets to services on non-standard ports", 0, TRUE);
        int severity =
            tick_stat_node(tree, oddport_severity_name(verdict->severity), tree_findings, TRUE);
        char service[96];
        g_snprintf(service, sizeof service, "%s on port %u", oddport_app_name(verdict->app),
                   (unsigned)server_port);
        tick_stat_node(tree, service, severity, FALSE);
    }
    return TAP_PACKET_REDRAW;
}

void oddport_plugin_register_statistics(void)
{
    static stat_tap_ui text_statistics = {
        REGISTER_STAT_GROUP_GENERIC,
        "oddport: services on non-standard ports",
        "oddport",
        start_listener,
        0,
        NULL,
    };
    register_stat_tap_ui(&text_statistics, NULL);
    stats_tree_register_plugin("oddport", "oddport_tree", "oddport/Services on non-standard ports",
                               0, tree_packet, tree_init, NULL);
}
