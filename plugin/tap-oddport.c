/* tshark -z oddport and Wireshark's Statistics menu: what hides on odd ports, in the CLI's terms.
 */
#define WS_BUILD_DLL
#include <stdio.h>
#include <string.h>

#include <epan/packet.h>
#include <epan/stat_tap_ui.h>
#include <epan/stats_tree.h>
#include <epan/tap.h>

#include "oddport-plugin-config.h"
#include "oddport/report.h"
#include "oddport/tally.h"
#include "packet-oddport.h"
#include "tap-oddport.h"

/* One -z oddport request: the flows that had a packet passing its filter. */
typedef struct {
    char *filter;         /* owned, or NULL */
    GHashTable *flow_ids; /* set of flow ids (uint64_t keys, owned) */
} Listener;

static tap_packet_status remember_flow(void *data, packet_info *pinfo _U_, epan_dissect_t *edt _U_,
                                       const void *flow_data, tap_flags_t flags _U_)
{
    Listener *listener = data;
    const OddportPluginFlow *flow = flow_data;
    if (!g_hash_table_contains(listener->flow_ids, &flow->report.id))
        g_hash_table_add(listener->flow_ids, g_memdup2(&flow->report.id, sizeof flow->report.id));
    return TAP_PACKET_DONT_REDRAW;
}

static void forget_flows(void *data)
{
    Listener *listener = data;
    g_hash_table_remove_all(listener->flow_ids);
}

/* The CLI adds flows to its tally in the order they finish, and the first flow of a service
 * gives its evidence: add them in the same order. */
static gint compare_flows_by_finish(gconstpointer left, gconstpointer right)
{
    const OddportPluginFlow *first = *(OddportPluginFlow *const *)left;
    const OddportPluginFlow *second = *(OddportPluginFlow *const *)right;
    return first->finish_order < second->finish_order   ? -1
           : first->finish_order > second->finish_order ? 1
                                                        : 0;
}

static void draw(void *data)
{
    Listener *listener = data;
    oddport_plugin_finish_flows();
    GPtrArray *flows = g_ptr_array_new();
    GHashTableIter iterator;
    gpointer id;
    g_hash_table_iter_init(&iterator, listener->flow_ids);
    while (g_hash_table_iter_next(&iterator, &id, NULL)) {
        OddportPluginFlow *flow = oddport_plugin_flow_by_id(*(const uint64_t *)id);
        if (flow != NULL && flow->finished)
            g_ptr_array_add(flows, flow);
    }
    g_ptr_array_sort(flows, compare_flows_by_finish);
    OddportTally *tally = oddport_tally_new();
    for (guint index = 0; index < flows->len; index++) {
        const OddportPluginFlow *flow = g_ptr_array_index(flows, index);
        oddport_tally_add_flow(tally, &flow->report);
    }
    g_ptr_array_unref(flows);

    printf("\n===================================================================\n");
    printf("oddport: services on non-standard ports (oddport %s)\n", ODDPORT_VERSION);
    if (listener->filter != NULL)
        printf("Filter: %s\n", listener->filter);
    const OddportTextOptions options = {.color = false};
    oddport_text_write_tally(stdout, tally, &options);
    printf("===================================================================\n");
    oddport_tally_free(tally);
}

static void finish(void *data)
{
    Listener *listener = data;
    g_hash_table_unref(listener->flow_ids);
    g_free(listener->filter);
    g_free(listener);
}

/* "-z oddport" or "-z oddport,FILTER". */
static ODDPORT_STAT_TAP_INIT_RESULT start_listener(const char *argument, void *user_data _U_)
{
    static const char prefix[] = "oddport,";
    Listener *listener = g_new0(Listener, 1);
    if (argument != NULL && strncmp(argument, prefix, sizeof prefix - 1) == 0 &&
        argument[sizeof prefix - 1] != '\0')
        listener->filter = g_strdup(argument + sizeof prefix - 1);
    listener->flow_ids = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
    GString *error =
        register_tap_listener("oddport", listener, listener->filter, TL_REQUIRES_NOTHING,
                              forget_flows, remember_flow, draw, finish);
    if (error != NULL) {
        fprintf(stderr, "tshark: cannot start the oddport statistics: %s\n", error->str);
        g_string_free(error, TRUE);
        finish(listener);
        ODDPORT_STAT_TAP_INIT_RETURN(false);
    }
    ODDPORT_STAT_TAP_INIT_RETURN(true);
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

static tap_packet_status tree_packet(stats_tree *tree, packet_info *pinfo, epan_dissect_t *edt _U_,
                                     const void *data, tap_flags_t flags _U_)
{
    const OddportPluginFlow *flow =
        oddport_plugin_flow_for_packet((OddportPluginFlow *)data, pinfo);
    const OddportFlowVerdict *verdict = &flow->verdict;
    uint16_t server_port = flow->report.server.port;
    tick_stat_node(tree, "Packets by server port class", 0, TRUE);
    tick_stat_node(tree, oddport_port_class_name(flow->report.server.port_class), tree_port_classes,
                   FALSE);
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

void register_tap_listener_oddport(void)
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
