/* The oddport dissector: the CLI's engine judges every frame, Wireshark's dissectors decode it. */
#define WS_BUILD_DLL
#include <string.h>

#include <epan/conversation.h>
#include <epan/expert.h>
#include <epan/packet.h>
#include <epan/prefs.h>
#include <epan/proto_data.h>
#include <epan/proto.h>
#include <epan/tap.h>
#include <wiretap/pcap-encap.h>
#include <wiretap/wtap.h>
#include <wsutil/report_message.h>

#include "oddport-plugin-config.h"
#include "oddport/engine.h"
#include "oddport/portclass.h"
#include "oddport/vocabulary.h"
#include "packet-oddport.h"
#include "protocol-fields.h"

static int proto_oddport = -1;
static int oddport_tap = -1;

static int hf_flow = -1;
static int hf_app = -1;
static int hf_client_app = -1;
static int hf_server_app = -1;
static int hf_client_port_class = -1;
static int hf_server_port_class = -1;
static int hf_server_port = -1;
static int hf_nonstandard = -1;
static int hf_severity = -1;
static int hf_mismatch = -1;
static int hf_expected_ports = -1;
static int hf_iana_service = -1;
static int hf_confidence = -1;
static int hf_evidence = -1;
static int hf_direction = -1;
static int hf_community_id = -1;

/* Every field of the subtree, to tell whether a filter or -e asks for one of them. */
static int *const subtree_fields[] = {
    &hf_flow,
    &hf_app,
    &hf_client_app,
    &hf_server_app,
    &hf_client_port_class,
    &hf_server_port_class,
    &hf_server_port,
    &hf_nonstandard,
    &hf_severity,
    &hf_mismatch,
    &hf_expected_ports,
    &hf_iana_service,
    &hf_confidence,
    &hf_evidence,
    &hf_direction,
    &hf_community_id,
};

static int ett_oddport = -1;

static expert_field ei_alternate = EI_INIT;
static expert_field ei_unexpected = EI_INIT;
static expert_field ei_masquerade = EI_INIT;
static expert_field ei_mismatch = EI_INIT;

/* Value strings built from oddport's own names, so filters read as the CLI's JSON does:
 * oddport.app == "http", oddport.severity == "masquerade". */
static value_string app_names[ODDPORT_APP_COUNT + 1];
static value_string port_class_names[ODDPORT_PORT_CLASS_COUNT + 1];
static value_string severity_names[ODDPORT_SEVERITY_COUNT + 1];
static value_string confidence_names[ODDPORT_CONFIDENCE_COUNT + 1];
static value_string direction_names[ODDPORT_DIRECTION_SOURCE_COUNT + 1];

/* Preferences. */
static ODDPORT_PREFERENCE_BOOL decode_any_port = TRUE;
static const char *services_file_path = "";
static bool rules_stale = true;

static dissector_handle_t probe_handle;
/* Wireshark's dissector for each app, over TCP ([0]) and over UDP ([1]). */
static dissector_handle_t app_handles[2][ODDPORT_APP_COUNT];

/* Wiretap's encapsulations mapped back to the LINKTYPE_* values oddport decodes. */
static GHashTable *link_type_of_encapsulation;

/* Marks a frame that joined no flow, so that it is fed to the engine only once. */
static int frame_outside_flows;

/* The open capture: the engine that judges it and the flows it found. */
static struct {
    OddportPortRules *rules; /* owned; replaced only between captures, as the engine borrows it */
    OddportEngine *engine;   /* owned */
    GHashTable *flows;       /* flow id -> OddportPluginFlow, owned */
    uint64_t finished_flows;
    bool all_finished;
    /* Packet records fed so far: the CLI's frame numbers, from which its flow ids come. Wireshark's
     * own count also numbers pcapng journal entries and custom blocks, and a read filter's first
     * pass gives frames it drops the number of the next one (tshark -2 -R). */
    uint64_t records;
    /* The frame whose first reading is being dissected, or 0: its taps run once dissection has
     * marked it visited, and must still show what was known then. */
    uint32_t new_frame;
} capture;

static void load_rules(void)
{
    OddportPortRules *rules = oddport_port_rules_new();
    GError *error = NULL;
    if (services_file_path != NULL && services_file_path[0] != '\0' &&
        !oddport_port_rules_load_file(rules, services_file_path, &error)) {
        report_failure("oddport: %s; using the built-in expected ports only", error->message);
        g_error_free(error);
        oddport_port_rules_free(rules);
        rules = oddport_port_rules_new();
    }
    if (capture.rules != NULL)
        oddport_port_rules_free(capture.rules);
    capture.rules = rules;
    rules_stale = false;
}

static OddportPluginFlow *flow_of_id(uint64_t id)
{
    OddportPluginFlow *flow = g_hash_table_lookup(capture.flows, &id);
    if (flow == NULL) {
        flow = g_new0(OddportPluginFlow, 1);
        flow->report.id = id;
        g_hash_table_insert(capture.flows, &flow->report.id, flow);
    }
    return flow;
}

/* Copies a side result (its details may still grow after the side was decided, so it is copied
 * each time rather than once). */
static void keep_result(OddportSideResult **kept, const OddportSideResult *source)
{
    if (source == NULL) {
        g_free(*kept);
        *kept = NULL;
        return;
    }
    size_t size = ODDPORT_SIDE_RESULT_SIZE(oddport_protocol(source->app)->details_size);
    if (*kept == NULL || (*kept)->app != source->app) {
        g_free(*kept);
        *kept = g_malloc(size);
    }
    memcpy(*kept, source, size);
}

/* Keeps a copy of the engine's description and of the side results it points at. */
static void store_report(OddportPluginFlow *flow, const OddportFlowReport *report)
{
    flow->verdict = *report->verdict;
    flow->report = *report;
    flow->report.verdict = &flow->verdict;
    keep_result(&flow->client_result, report->client_result);
    keep_result(&flow->server_result, report->server_result);
    flow->report.client_result = flow->client_result;
    flow->report.server_result = flow->server_result;
    flow->texts_ready = false;
}

/* The texts the subtree shows, made once per verdict when a subtree first needs them rather
 * than on every packet (and not at all in a run that shows no subtree). */
static void prepare_texts(OddportPluginFlow *flow)
{
    if (flow->texts_ready)
        return;
    flow->texts_ready = true;
    const OddportFlowVerdict *verdict = &flow->verdict;
    const OddportFlowReport *report = &flow->report;
    g_snprintf(flow->summary, sizeof flow->summary, "%s on %s port %u%s%s",
               oddport_app_name(verdict->app), oddport_port_class_name(report->server.port_class),
               (unsigned)report->server.port, verdict->nonstandard ? ", non-standard, " : "",
               verdict->nonstandard ? oddport_severity_name(verdict->severity) : "");
    /* Evidence may quote wire bytes; the tree wants valid UTF-8 and escapes the rest itself. */
    g_free(flow->evidence);
    flow->evidence = g_utf8_make_valid(verdict->evidence, -1);
    oddport_flow_community_id(report, flow->community_id);
}

static void free_flow(gpointer data)
{
    OddportPluginFlow *flow = data;
    g_free(flow->evidence);
    g_free(flow->client_result);
    g_free(flow->server_result);
    g_free(flow);
}

/* The engine's sink: a flow's final verdict, as the CLI reports it. */
static void remember_finished_flow(const OddportFlowReport *report, void *user_data _U_)
{
    OddportPluginFlow *flow = flow_of_id(report->id);
    store_report(flow, report);
    flow->finished = true;
    flow->finish_order = capture.finished_flows++;
    /* The final verdict's deciding packet, in Wireshark's numbering: one named on the way, or,
     * judged known only now from a partial opening, the last packet, which completed it. */
    uint64_t deciding = report->deciding_packet.frame;
    bool named_on_the_way = flow->deciding_by_side[report->decided_by].record == deciding;
    flow->deciding_frame = deciding == 0      ? 0
                           : named_on_the_way ? flow->deciding_by_side[report->decided_by].frame
                           : deciding == flow->last_record ? flow->last_frame
                                                           : flow->deciding_frame;
}

OddportPluginFlow *oddport_plugin_flow_by_id(uint64_t id)
{
    return capture.flows != NULL ? g_hash_table_lookup(capture.flows, &id) : NULL;
}

void oddport_plugin_finish_flows(void)
{
    if (capture.engine == NULL || capture.all_finished)
        return;
    oddport_engine_finish(capture.engine);
    capture.all_finished = true;
}

OddportPluginFlow *oddport_plugin_flow_for_packet(OddportPluginFlow *flow, const packet_info *pinfo)
{
    if (PINFO_FD_VISITED(pinfo) && pinfo->num != capture.new_frame && !flow->finished)
        oddport_plugin_finish_flows();
    return flow;
}

static uint64_t nanoseconds(const nstime_t *time)
{
    return (uint64_t)time->secs * 1000000000u + (uint64_t)time->nsecs;
}

/* Feeds the frame to the engine once, on the first pass, and returns its flow (or NULL). The
 * engine decodes the frame's bytes itself, as the CLI does, so it sees every frame of every
 * flow, the first one included, whatever Wireshark's dissectors make of it. */
static OddportPluginFlow *flow_of_frame(packet_info *pinfo, tvbuff_t *frame)
{
    void *known = p_get_proto_data(wmem_file_scope(), pinfo, proto_oddport, 0);
    if (known != NULL)
        return known == &frame_outside_flows ? NULL : known;
    if (PINFO_FD_VISITED(pinfo) || frame == NULL || capture.engine == NULL)
        return NULL;
    OddportPluginFlow *flow = NULL;
    gpointer link_type = NULL;
    if (pinfo->rec != NULL && pinfo->rec->rec_type == REC_TYPE_PACKET &&
        g_hash_table_lookup_extended(
            link_type_of_encapsulation,
            GINT_TO_POINTER(pinfo->rec->rec_header.packet_header.pkt_encap), NULL, &link_type)) {
        guint length = tvb_captured_length(frame);
        OddportRecord record = {
            .timestamp_ns = nanoseconds(&pinfo->abs_ts),
            .captured_length = length,
            .wire_length = pinfo->fd->pkt_len,
            .link_type = (uint32_t)GPOINTER_TO_UINT(link_type),
            .data = tvb_get_ptr(frame, 0, (gint)length),
            /* So that the engine's flow ids are the CLI's: the first packet record's place. */
            .frame_number = ++capture.records,
        };
        capture.all_finished = false;
        OddportRecordOutcome outcome = oddport_engine_feed_record(capture.engine, &record);
        if (outcome.status == ODDPORT_DECODE_OK) {
            flow = flow_of_id(outcome.flow_id);
            /* Judging a flow costs more than feeding it: only when its facts moved. The counts
             * in the stored report may lag until the flow finishes; nothing shows them sooner. */
            OddportFlowFacts facts;
            OddportFlowVerdict verdict;
            OddportFlowReport report;
            if (oddport_engine_last_flow_facts(capture.engine, &facts) &&
                (!flow->judged || flow->reads_details ||
                 !oddport_flow_facts_equal(&facts, &flow->judged_facts)) &&
                oddport_engine_describe_last_flow(capture.engine, &verdict, &report)) {
                flow->judged = true;
                flow->judged_facts = facts;
                store_report(flow, &report);
                /* The packet the CLI names as deciding, in Wireshark's numbering, kept for the
                 * side it decided: the final verdict's comes from one of the two. */
                if (report.deciding_packet.frame == record.frame_number) {
                    flow->deciding_frame = pinfo->num;
                    flow->deciding_by_side[report.decided_by].record = record.frame_number;
                    flow->deciding_by_side[report.decided_by].frame = pinfo->num;
                }
            }
            flow->reads_details = oddport_engine_last_flow_reads_details(capture.engine);
            if (flow->first_frame == 0)
                flow->first_frame = pinfo->num;
            flow->last_frame = pinfo->num;
            flow->last_record = record.frame_number;
        }
    }
    p_add_proto_data(wmem_file_scope(), pinfo, proto_oddport, 0,
                     flow != NULL ? (void *)flow : (void *)&frame_outside_flows);
    return flow;
}

/* The frame's own bytes: the first data source of every frame is the frame itself. */
static tvbuff_t *frame_of(const packet_info *pinfo)
{
    if (pinfo->data_src == NULL)
        return NULL;
    return get_data_source_tvb((const struct data_source *)pinfo->data_src->data);
}

static bool address_of(const address *from, OddportAddress *to)
{
    memset(to, 0, sizeof *to);
    if (from->type == AT_IPv4 && from->len == 4) {
        to->family = 4;
        memcpy(to->bytes, from->data, 4);
        return true;
    }
    if (from->type == AT_IPv6 && from->len == 16) {
        to->family = 6;
        memcpy(to->bytes, from->data, 16);
        return true;
    }
    return false;
}

static bool same_endpoint(const OddportEndpoint *endpoint, const OddportAddress *where,
                          uint32_t port)
{
    return endpoint->port == port && memcmp(&endpoint->address, where, sizeof *where) == 0;
}

/* Whether the transport layer Wireshark is in is the engine's flow (and not, say, the outer
 * UDP of a VXLAN tunnel whose inner flow the engine followed); sets who sent the packet. */
static bool layer_is_flow(const packet_info *pinfo, const OddportPluginFlow *flow,
                          bool *sent_by_client)
{
    OddportTransport transport = pinfo->ptype == PT_TCP   ? ODDPORT_TRANSPORT_TCP
                                 : pinfo->ptype == PT_UDP ? ODDPORT_TRANSPORT_UDP
                                                          : 0;
    if (transport == 0 || transport != flow->report.transport)
        return false;
    OddportAddress source;
    OddportAddress destination;
    if (!address_of(&pinfo->src, &source) || !address_of(&pinfo->dst, &destination))
        return false;
    const OddportFlowReport *report = &flow->report;
    if (same_endpoint(&report->client, &source, pinfo->srcport) &&
        same_endpoint(&report->server, &destination, pinfo->destport)) {
        *sent_by_client = true;
        return true;
    }
    if (same_endpoint(&report->server, &source, pinfo->srcport) &&
        same_endpoint(&report->client, &destination, pinfo->destport)) {
        *sent_by_client = false;
        return true;
    }
    return false;
}

/* The app to decode one direction's bytes with: what that side speaks, else the flow's app. */
static OddportApp app_for_direction(const OddportFlowVerdict *verdict, bool sent_by_client)
{
    OddportApp own = sent_by_client ? verdict->client_app : verdict->server_app;
    return own != ODDPORT_APP_UNKNOWN ? own : verdict->app;
}

/* The conversation dissector oddport installs on each TCP and UDP flow. It hands a recognised
 * flow to Wireshark's own HTTP, TLS or SSH dissector; for anything else it declines, and the
 * transport dissector goes on exactly as without it. */
static int dissect_probe(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    OddportPluginFlow *flow = flow_of_frame(pinfo, frame_of(pinfo));
    bool sent_by_client;
    /* The dissector that held the conversation before oddport, if one did (a STUN heuristic, an
     * FTP data channel), keeps the directions oddport recognised nothing in, and packets of a
     * layer that is not the engine's flow. */
    if (flow == NULL || !layer_is_flow(pinfo, flow, &sent_by_client)) {
        conversation_t *conversation = find_conversation_pinfo(pinfo, 0);
        dissector_handle_t displaced =
            conversation != NULL ? conversation_get_proto_data(conversation, proto_oddport) : NULL;
        return displaced != NULL ? call_dissector_only(displaced, tvb, pinfo, tree, data) : 0;
    }
    dissector_handle_t displaced = flow->displaced;
    const OddportFlowVerdict *verdict = &oddport_plugin_flow_for_packet(flow, pinfo)->verdict;
    OddportApp own = sent_by_client ? verdict->client_app : verdict->server_app;
    if (own == ODDPORT_APP_UNKNOWN && displaced != NULL)
        return call_dissector_only(displaced, tvb, pinfo, tree, data);
    /* Wireshark's HTTP dissector reads no HTTP/0.9: it would hold the request back for headers
     * that never come, and take the answer's bare body for nothing. */
    const OddportHttpInfo *request = oddport_http_details(flow->client_result);
    if (verdict->app == ODDPORT_APP_HTTP && request != NULL && request->is_simple_request)
        return displaced != NULL ? call_dissector_only(displaced, tvb, pinfo, tree, data) : 0;
    unsigned over_udp = flow->report.transport == ODDPORT_TRANSPORT_UDP;
    dissector_handle_t handle = app_handles[over_udp][app_for_direction(verdict, sent_by_client)];
    if (handle == NULL) {
        /* A ClientHello or banner cut across segments: ask TCP for the rest rather than let the
         * port's dissector take a piece of it. Only for openings that already look telling. */
        OddportConfidence pending = ODDPORT_CONFIDENCE_NONE;
        if (!PINFO_FD_VISITED(pinfo) &&
            oddport_engine_last_sender_undecided(capture.engine, &pending) &&
            pending >= ODDPORT_CONFIDENCE_MEDIUM && pinfo->can_desegment > 0) {
            pinfo->desegment_offset = 0;
            pinfo->desegment_len = DESEGMENT_ONE_MORE_SEGMENT;
            return (int)tvb_captured_length(tvb);
        }
        return 0;
    }
    /* If the dissector switches the conversation to another protocol (an h2c preface, a CONNECT
     * tunnel, STARTTLS), that choice stands: it knows the protocol's own rules. If it declines
     * this packet, so does the probe, and TCP or UDP goes on as without the plugin. */
    guint32 saved_match = pinfo->match_uint;
    /* Dissectors reached through a port table learn the server's port from match_uint (HTTP
     * tells requests from responses by it); give them the same here. Each dissector layer also
     * lowers can_desegment by one, and this probe is a layer TCP did not count on: restore the
     * transport's value so the app's dissector can still ask for reassembly. */
    pinfo->match_uint = flow->report.server.port;
    pinfo->can_desegment = pinfo->saved_can_desegment;
    int consumed = call_dissector_only(handle, tvb, pinfo, tree, data);
    pinfo->match_uint = saved_match;
    return consumed;
}

static void add_expert(packet_info *pinfo, proto_item *item, const OddportPluginFlow *flow)
{
    const OddportFlowVerdict *verdict = &flow->verdict;
    if (verdict->nonstandard) {
        expert_field *field = verdict->severity == ODDPORT_SEVERITY_MASQUERADE   ? &ei_masquerade
                              : verdict->severity == ODDPORT_SEVERITY_UNEXPECTED ? &ei_unexpected
                                                                                 : &ei_alternate;
        GString *expected = g_string_new(NULL);
        for (size_t index = 0; index < verdict->expected_port_count; index++)
            g_string_append_printf(expected, "%s%u", index > 0 ? ", " : "",
                                   (unsigned)verdict->expected_ports[index]);
        gchar *app = g_ascii_strup(oddport_app_name(verdict->app), -1);
        if (verdict->iana_service != NULL)
            expert_add_info_format(
                pinfo, item, field,
                "%s on non-standard port %u (expected %s; port registered to %s)", app,
                (unsigned)flow->report.server.port, expected->str, verdict->iana_service);
        else
            expert_add_info_format(pinfo, item, field, "%s on non-standard port %u (expected %s)",
                                   app, (unsigned)flow->report.server.port, expected->str);
        g_free(app);
        g_string_free(expected, TRUE);
    }
    if (verdict->mismatch)
        expert_add_info_format(
            pinfo, item, &ei_mismatch, "Client speaks %s but the server answers in %s",
            oddport_app_name(verdict->client_app), oddport_app_name(verdict->server_app));
}

/* Adds the oddport subtree; returns its root item for expert info. */
static proto_item *add_tree(proto_tree *tree, tvbuff_t *tvb, OddportPluginFlow *flow)
{
    prepare_texts(flow);
    const OddportFlowVerdict *verdict = &flow->verdict;
    const OddportFlowReport *report = &flow->report;
    proto_item *root = proto_tree_add_item(tree, proto_oddport, tvb, 0, 0, ENC_NA);
    proto_item_append_text(root, ": %s", flow->summary);
    proto_item_set_generated(root);
    proto_tree *subtree = proto_item_add_subtree(root, ett_oddport);
    proto_item_set_generated(proto_tree_add_uint64(subtree, hf_flow, tvb, 0, 0, report->id));
    proto_item_set_generated(proto_tree_add_uint(subtree, hf_app, tvb, 0, 0, verdict->app));
    proto_item_set_generated(
        proto_tree_add_uint(subtree, hf_client_app, tvb, 0, 0, verdict->client_app));
    proto_item_set_generated(
        proto_tree_add_uint(subtree, hf_server_app, tvb, 0, 0, verdict->server_app));
    proto_item_set_generated(
        proto_tree_add_uint(subtree, hf_client_port_class, tvb, 0, 0, report->client.port_class));
    proto_item_set_generated(
        proto_tree_add_uint(subtree, hf_server_port_class, tvb, 0, 0, report->server.port_class));
    proto_item_set_generated(
        proto_tree_add_uint(subtree, hf_server_port, tvb, 0, 0, report->server.port));
    /* Present only when true, like tcp.analysis.*: "-Y oddport.nonstandard" then means what it
     * says. */
    if (verdict->nonstandard) {
        proto_item_set_generated(proto_tree_add_boolean(subtree, hf_nonstandard, tvb, 0, 0, 1));
        proto_item_set_generated(
            proto_tree_add_uint(subtree, hf_severity, tvb, 0, 0, verdict->severity));
    }
    if (verdict->mismatch)
        proto_item_set_generated(proto_tree_add_boolean(subtree, hf_mismatch, tvb, 0, 0, 1));
    for (size_t index = 0; index < verdict->expected_port_count; index++)
        proto_item_set_generated(proto_tree_add_uint(subtree, hf_expected_ports, tvb, 0, 0,
                                                     verdict->expected_ports[index]));
    if (verdict->iana_service != NULL)
        proto_item_set_generated(
            proto_tree_add_string(subtree, hf_iana_service, tvb, 0, 0, verdict->iana_service));
    proto_item_set_generated(
        proto_tree_add_uint(subtree, hf_confidence, tvb, 0, 0, verdict->confidence));
    proto_item_set_generated(
        proto_tree_add_string(subtree, hf_evidence, tvb, 0, 0, flow->evidence));
    proto_item_set_generated(
        proto_tree_add_uint(subtree, hf_direction, tvb, 0, 0, verdict->direction));
    proto_item_set_generated(
        proto_tree_add_string(subtree, hf_community_id, tvb, 0, 0, flow->community_id));
    oddport_protocol_fields_add(subtree, tvb, flow->client_result, flow->server_result);
    return root;
}

/* Whether anyone will see the subtree: a tree that is shown, or a filter or -e that names
 * oddport or one of its fields. (proto_field_is_referenced on the protocol also says yes to every
 * tree that keeps protocol items, as tshark's -T fields does: building it there would be most of
 * the plugin's cost.) */
static bool subtree_wanted(proto_tree *tree)
{
    if (tree == NULL)
        return false;
    if (PTREE_DATA(tree)->visible ||
        proto_registrar_get_nth(proto_oddport)->ref_type != HF_REF_TYPE_NONE)
        return true;
    for (size_t index = 0; index < array_length(subtree_fields); index++)
        if (proto_field_is_referenced(tree, *subtree_fields[index]))
            return true;
    return oddport_protocol_fields_referenced(tree);
}

/* Makes the probe the flow's conversation dissector. A dissector that already holds the
 * conversation (a STUN heuristic, an FTP data channel) stays behind the probe and still gets
 * every direction oddport recognises nothing in, so such flows decode as without the plugin. */
static void install_probe(packet_info *pinfo, OddportPluginFlow *flow)
{
    flow->probe_installed = true;
    conversation_t *conversation = find_or_create_conversation(pinfo);
    dissector_handle_t current = conversation_get_dissector(conversation, pinfo->num);
    dissector_handle_t displaced = conversation_get_proto_data(conversation, proto_oddport);
    flow->displaced = displaced;
    /* Already the probe (an earlier flow on a reused port pair installed it); or a dissector
     * that replaced the probe (an HTTP upgrade, STARTTLS): its choice stands. */
    if (current == probe_handle || (current != NULL && displaced != NULL))
        return;
    if (current != NULL) {
        conversation_add_proto_data(conversation, proto_oddport, current);
        flow->displaced = current;
        /* Wireshark keeps a conversation's dissectors by the frame they start from; the one in
         * place may have started after the flow's first frame. */
        conversation_set_dissector_from_frame_number(conversation, pinfo->num, probe_handle);
    }
    conversation_set_dissector_from_frame_number(conversation, flow->first_frame, probe_handle);
}

/* Runs after every other dissector on every frame: feeds the frame to the engine if the probe
 * did not, installs the probe on new flows, and adds the oddport subtree and its expert info. */
static int dissect_oddport(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    capture.new_frame = PINFO_FD_VISITED(pinfo) ? 0 : pinfo->num;
    OddportPluginFlow *flow = flow_of_frame(pinfo, tvb);
    if (flow == NULL)
        return 0;
    bool sent_by_client;
    if (!PINFO_FD_VISITED(pinfo) && decode_any_port && !flow->probe_installed &&
        layer_is_flow(pinfo, flow, &sent_by_client))
        install_probe(pinfo, flow);
    OddportPluginFlow *shown = oddport_plugin_flow_for_packet(flow, pinfo);
    proto_item *root = subtree_wanted(tree) ? add_tree(tree, tvb, shown) : NULL;
    if (pinfo->num == shown->deciding_frame)
        add_expert(pinfo, root, shown);
    tap_queue_packet(oddport_tap, pinfo, flow);
    return (int)tvb_captured_length(tvb);
}

static void free_flows(void)
{
    oddport_engine_free(capture.engine);
    capture.engine = NULL;
    if (capture.flows != NULL)
        g_hash_table_destroy(capture.flows);
    capture.flows = NULL;
}

static void init_capture(void)
{
    free_flows();
    if (rules_stale || capture.rules == NULL)
        load_rules();
    capture.engine = oddport_engine_new(capture.rules, remember_finished_flow, NULL);
    oddport_engine_begin_capture(capture.engine, "", ODDPORT_CAPTURE_FORMAT_PCAP, 9);
    capture.flows = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, free_flow);
    capture.finished_flows = 0;
    capture.all_finished = false;
    capture.records = 0;
    capture.new_frame = 0;
}

static void cleanup_capture(void)
{
    free_flows();
}

static void apply_preferences(void)
{
    /* The engine borrows the rules: they change when the next capture (or re-dissection)
     * starts, which Wireshark does after a preference changes. */
    rules_stale = true;
}

static void fill_names(value_string *names, unsigned count, const char *(*name_of)(unsigned))
{
    for (unsigned value = 0; value < count; value++) {
        names[value].value = value;
        names[value].strptr = name_of(value);
    }
    names[count].value = 0;
    names[count].strptr = NULL;
}

static const char *app_name_of(unsigned value)
{
    return oddport_app_name((OddportApp)value);
}

static const char *port_class_name_of(unsigned value)
{
    return oddport_port_class_name((OddportPortClass)value);
}

static const char *severity_name_of(unsigned value)
{
    const char *name = oddport_severity_name((OddportSeverity)value);
    return name != NULL ? name : "none";
}

static const char *confidence_name_of(unsigned value)
{
    return oddport_confidence_name((OddportConfidence)value);
}

static const char *direction_name_of(unsigned value)
{
    return oddport_direction_source_name((OddportDirectionSource)value);
}

void proto_register_oddport(void)
{
    fill_names(app_names, ODDPORT_APP_COUNT, app_name_of);
    fill_names(port_class_names, ODDPORT_PORT_CLASS_COUNT, port_class_name_of);
    fill_names(severity_names, ODDPORT_SEVERITY_COUNT, severity_name_of);
    fill_names(confidence_names, ODDPORT_CONFIDENCE_COUNT, confidence_name_of);
    fill_names(direction_names, ODDPORT_DIRECTION_SOURCE_COUNT, direction_name_of);
    static hf_register_info fields[] = {
        {&hf_flow,
         {"Flow", "oddport.flow", FT_UINT64, BASE_DEC, NULL, 0x0,
          "The flow's id, the frame number of its first packet, as in the CLI's JSON report of "
          "the same capture",
          HFILL}},
        {&hf_app,
         {"App", "oddport.app", FT_UINT8, BASE_DEC, VALS(app_names), 0x0,
          "What the flow speaks, from its first payload: http, tls, ssh or unknown", HFILL}},
        {&hf_client_app,
         {"Client app", "oddport.client_app", FT_UINT8, BASE_DEC, VALS(app_names), 0x0,
          "What the client's first bytes are", HFILL}},
        {&hf_server_app,
         {"Server app", "oddport.server_app", FT_UINT8, BASE_DEC, VALS(app_names), 0x0,
          "What the server's first bytes are", HFILL}},
        {&hf_client_port_class,
         {"Client port class", "oddport.client_port_class", FT_UINT8, BASE_DEC,
          VALS(port_class_names), 0x0,
          "IANA range of the client port: well-known, registered or ephemeral", HFILL}},
        {&hf_server_port_class,
         {"Server port class", "oddport.server_port_class", FT_UINT8, BASE_DEC,
          VALS(port_class_names), 0x0,
          "IANA range of the server port: well-known, registered or ephemeral", HFILL}},
        {&hf_server_port,
         {"Server port", "oddport.server_port", FT_UINT16, BASE_DEC, NULL, 0x0,
          "The port of the flow's server side", HFILL}},
        {&hf_nonstandard,
         {"Non-standard port", "oddport.nonstandard", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
          "Present when the app runs on a port not expected for it", HFILL}},
        {&hf_severity,
         {"Severity", "oddport.severity", FT_UINT8, BASE_DEC, VALS(severity_names), 0x0,
          "How odd the port is: alternate, masquerade or unexpected", HFILL}},
        {&hf_mismatch,
         {"Mismatch", "oddport.mismatch", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
          "Present when client and server speak different apps", HFILL}},
        {&hf_expected_ports,
         {"Expected port", "oddport.expected_ports", FT_UINT16, BASE_DEC, NULL, 0x0,
          "A port where the app is standard", HFILL}},
        {&hf_iana_service,
         {"IANA service", "oddport.iana_service", FT_STRING, BASE_NONE, NULL, 0x0,
          "The service IANA registered for the server port", HFILL}},
        {&hf_confidence,
         {"Confidence", "oddport.confidence", FT_UINT8, BASE_DEC, VALS(confidence_names), 0x0,
          "How sure the verdict is: high, medium or low", HFILL}},
        {&hf_evidence,
         {"Evidence", "oddport.evidence", FT_STRING, BASE_NONE, NULL, 0x0,
          "Why the verdict was made", HFILL}},
        {&hf_direction,
         {"Client found by", "oddport.direction", FT_UINT8, BASE_DEC, VALS(direction_names), 0x0,
          "How the client was told from the server: syn, payload or port", HFILL}},
        {&hf_community_id,
         {"Community ID", "oddport.community_id", FT_STRING, BASE_NONE, NULL, 0x0,
          "The flow's Community ID v1 (seed 0), as Wireshark's communityid, Zeek and Suricata "
          "compute it",
          HFILL}},
    };
    static int *subtrees[] = {&ett_oddport};
    static ei_register_info expert_fields[] = {
        {&ei_alternate,
         {"oddport.nonstandard.alternate", PI_SECURITY, PI_NOTE, "App on a common alternate port",
          EXPFILL}},
        {&ei_unexpected,
         {"oddport.nonstandard.unexpected", PI_SECURITY, PI_WARN, "App on an unexpected port",
          EXPFILL}},
        {&ei_masquerade,
         {"oddport.nonstandard.masquerade", PI_SECURITY, PI_ERROR,
          "App on a port that belongs to another widely used service", EXPFILL}},
        {&ei_mismatch,
         {"oddport.mismatch.apps", PI_PROTOCOL, PI_WARN, "Client and server speak different apps",
          EXPFILL}},
    };
    proto_oddport =
        proto_register_protocol("oddport: services on non-standard ports", "oddport", "oddport");
    proto_register_field_array(proto_oddport, fields, array_length(fields));
    oddport_protocol_fields_register(proto_oddport);
    proto_register_subtree_array(subtrees, array_length(subtrees));
    expert_module_t *expert = expert_register_protocol(proto_oddport);
    expert_register_field_array(expert, expert_fields, array_length(expert_fields));

    module_t *preferences = prefs_register_protocol(proto_oddport, apply_preferences);
    /* Preference texts are kept by Wireshark for the whole session. */
    const char *titles_and = oddport_protocol_titles(ODDPORT_TITLES_AND);
    const char *titles_or = oddport_protocol_titles(ODDPORT_TITLES_OR);
    char *title = g_strdup_printf("Decode %s on any port", titles_and);
    char *description = g_strdup_printf(
        "Hand each flow whose first payload is %s to Wireshark's own dissector for that protocol, "
        "whatever its port. oddport does this by offering itself as the conversation dissector "
        "of every TCP and UDP flow and declining flows that are none of these, so those are "
        "decoded exactly as without the plugin.",
        titles_or);
    prefs_register_bool_preference(preferences, "decode_any_port", title, description,
                                   &decode_any_port);
    prefs_register_filename_preference(
        preferences, "services_file", "Site services file",
        "A services file as for 'oddport --services': one 'APP PORT[-PORT][/tcp|/udp]' per line, "
        "ports where an app is expected at this site",
        &services_file_path, FALSE);

    dissector_handle_t postdissector =
        register_dissector("oddport", dissect_oddport, proto_oddport);
    register_postdissector(postdissector);
    /* No protocol of its own: the probe only routes, so frame.protocols reads as without it. */
    probe_handle = create_dissector_handle_with_name(dissect_probe, -1, "oddport_probe");
    oddport_tap = register_tap("oddport");
    register_init_routine(init_capture);
    register_cleanup_routine(cleanup_capture);
}

void proto_reg_handoff_oddport(void)
{
    /* Each protocol's own dissector, by the names its description gives. */
    dissector_table_t udp_ports = find_dissector_table("udp.port");
    size_t protocol_count;
    const OddportProtocol *const *protocols = oddport_protocols(&protocol_count);
    for (size_t index = 0; index < protocol_count; index++) {
        const OddportProtocol *protocol = protocols[index];
        dissector_handle_t stream = find_dissector(protocol->wireshark_dissector);
        dissector_handle_t datagram =
            protocol->wireshark_datagram_protocol != NULL && udp_ports != NULL
                ? dissector_table_get_dissector_handle(udp_ports,
                                                       protocol->wireshark_datagram_protocol)
                : NULL;
        app_handles[0][protocol->app] = stream;
        app_handles[1][protocol->app] = datagram != NULL ? datagram : stream;
    }
    /* Several LINKTYPE_* values may share one encapsulation (raw IP); any of them decodes it. */
    link_type_of_encapsulation = g_hash_table_new(g_direct_hash, g_direct_equal);
    size_t count;
    const uint32_t *link_types = oddport_decode_link_types(&count);
    for (size_t index = 0; index < count; index++) {
        int encapsulation = wtap_pcap_encap_to_wtap_encap((int)link_types[index]);
        if (encapsulation != WTAP_ENCAP_UNKNOWN &&
            !g_hash_table_contains(link_type_of_encapsulation, GINT_TO_POINTER(encapsulation)))
            g_hash_table_insert(link_type_of_encapsulation, GINT_TO_POINTER(encapsulation),
                                GUINT_TO_POINTER(link_types[index]));
    }
}
