/* The Wireshark plugin: oddport's detectors pick each flow's app, Wireshark's dissectors decode it.
 */
#define WS_BUILD_DLL
#include <string.h>

#include <epan/conversation.h>
#include <epan/expert.h>
#include <epan/packet.h>
#include <epan/prefs.h>
#include <epan/proto.h>
#include <epan/tap.h>
#include <epan/dissectors/packet-tcp.h>
#include <ws_symbol_export.h>
#include <ws_version.h>
#include <wsutil/report_message.h>

#include "oddport/classify.h"
#include "oddport/portclass.h"
#include "oddport/side.h"
#include "oddport-plugin.h"

WS_DLL_PUBLIC_DEF const gchar plugin_version[] = ODDPORT_VERSION;
WS_DLL_PUBLIC_DEF const int plugin_want_major = WIRESHARK_VERSION_MAJOR;
WS_DLL_PUBLIC_DEF const int plugin_want_minor = WIRESHARK_VERSION_MINOR;
WS_DLL_PUBLIC void plugin_register(void);

static int proto_oddport = -1;
static int proto_tcp = -1;
static int oddport_tap = -1;

static int hf_app = -1;
static int hf_client_app = -1;
static int hf_server_app = -1;
static int hf_client_port_class = -1;
static int hf_server_port_class = -1;
static int hf_nonstandard = -1;
static int hf_severity = -1;
static int hf_expected_ports = -1;
static int hf_iana_service = -1;
static int hf_confidence = -1;
static int hf_evidence = -1;
static int hf_mismatch = -1;
static int hf_direction = -1;

static gint ett_oddport = -1;

static expert_field ei_alternate = EI_INIT;
static expert_field ei_unexpected = EI_INIT;
static expert_field ei_masquerade = EI_INIT;
static expert_field ei_mismatch = EI_INIT;

/* Preferences. */
static gboolean decode_any_port = TRUE;
static const char *services_file_path = "";

static dissector_handle_t probe_handle;
static dissector_handle_t app_handles[ODDPORT_APP_COUNT];

/* The rules in force: built-in expectations plus the services file, if any (owned here). */
static OddportPortRules *port_rules;

/* Every flow of the open capture, so their reassembly buffers can be released when it closes
 * and the statistics can walk them. */
static GPtrArray *open_flows;

const OddportPortRules *oddport_plugin_rules(void)
{
    return port_rules;
}

GPtrArray *oddport_plugin_flows(void)
{
    return open_flows;
}

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
    if (port_rules != NULL)
        oddport_port_rules_free(port_rules);
    port_rules = rules;
}

static OddportTransport transport_of(const packet_info *pinfo)
{
    return pinfo->ptype == PT_UDP ? ODDPORT_TRANSPORT_UDP : ODDPORT_TRANSPORT_TCP;
}

/* The flow of this packet, created on the first pass when `create` is set. */
static OddportPluginFlow *flow_of(packet_info *pinfo, gboolean create)
{
    if (pinfo->ptype != PT_TCP && pinfo->ptype != PT_UDP)
        return NULL;
    conversation_t *conversation = find_conversation_pinfo(pinfo, 0);
    if (conversation == NULL) {
        if (!create || PINFO_FD_VISITED(pinfo))
            return NULL;
        conversation = find_or_create_conversation(pinfo);
    }
    OddportPluginFlow *flow = conversation_get_proto_data(conversation, proto_oddport);
    if (flow != NULL || !create || PINFO_FD_VISITED(pinfo))
        return flow;
    flow = wmem_new0(wmem_file_scope(), OddportPluginFlow);
    flow->conversation = conversation;
    flow->transport = transport_of(pinfo);
    copy_address_wmem(wmem_file_scope(), &flow->address[0], &pinfo->src);
    copy_address_wmem(wmem_file_scope(), &flow->address[1], &pinfo->dst);
    flow->port[0] = (guint16)pinfo->srcport;
    flow->port[1] = (guint16)pinfo->destport;
    flow->first_seen = pinfo->abs_ts;
    oddport_side_init(&flow->side[0]);
    oddport_side_init(&flow->side[1]);
    conversation_add_proto_data(conversation, proto_oddport, flow);
    g_ptr_array_add(open_flows, flow);
    return flow;
}

static unsigned direction_of(const OddportPluginFlow *flow, const packet_info *pinfo)
{
    return addresses_equal(&pinfo->src, &flow->address[0]) && pinfo->srcport == flow->port[0] ? 0
                                                                                              : 1;
}

/* The port the TCP dissector saw a SYN (or SYN-ACK) go to, or 0 when the handshake was missed. */
static guint16 tcp_server_port(const OddportPluginFlow *flow)
{
    if (flow->transport != ODDPORT_TRANSPORT_TCP)
        return 0;
    const struct tcp_analysis *analysis =
        conversation_get_proto_data(flow->conversation, proto_tcp);
    return analysis != NULL ? (guint16)analysis->server_port : 0;
}

void oddport_plugin_classify(OddportPluginFlow *flow, gboolean finished)
{
    if (finished) {
        oddport_side_finish(&flow->side[0]);
        oddport_side_finish(&flow->side[1]);
    }
    OddportFlowFacts facts = {.transport = flow->transport, .first_sender = 0};
    guint16 server_port = tcp_server_port(flow);
    for (unsigned index = 0; index < 2; index++) {
        facts.port[index] = flow->port[index];
        /* Wireshark keeps the handshake's direction as the server's port, as the CLI keeps who
         * sent the SYN; a flow between equal ports gives no direction this way. */
        facts.sent_syn[index] = server_port != 0 && flow->port[1 - index] == server_port &&
                                flow->port[index] != server_port;
        facts.had_payload[index] = flow->side[index].had_payload;
        facts.side[index] = flow->side[index].result;
    }
    oddport_classify_flow(&facts, port_rules, &flow->verdict);
}

/* The app to decode one direction's bytes with: what the classification says that side speaks,
 * else the flow's app. */
static OddportApp app_for_direction(const OddportPluginFlow *flow, unsigned direction)
{
    const OddportFlowVerdict *verdict = &flow->verdict;
    OddportApp own = direction == verdict->client ? verdict->client_app : verdict->server_app;
    return own != ODDPORT_APP_UNKNOWN ? own : verdict->app;
}

static void observe_payload(OddportPluginFlow *flow, unsigned direction, tvbuff_t *tvb,
                            packet_info *pinfo, const struct tcpinfo *segment)
{
    OddportSide *side = &flow->side[direction];
    guint length = tvb_captured_length(tvb);
    if (length == 0 || side->decided)
        return;
    const guint8 *bytes = tvb_get_ptr(tvb, 0, length);
    gboolean decided = flow->transport == ODDPORT_TRANSPORT_TCP && segment != NULL
                           ? oddport_side_feed_segment(side, segment->seq, bytes, length)
                           : oddport_side_feed_datagram(side, bytes, length);
    if (!decided)
        return;
    OddportApp before = flow->verdict.app;
    oddport_plugin_classify(flow, FALSE);
    if (before == ODDPORT_APP_UNKNOWN && flow->verdict.app != ODDPORT_APP_UNKNOWN)
        flow->deciding_frame = pinfo->num;
}

/* The conversation dissector oddport installs on each TCP and UDP flow. It judges the first
 * payloads and hands a recognised flow to Wireshark's own HTTP, TLS or SSH dissector; for
 * anything else it declines, and the transport dissector goes on exactly as without it. */
static int dissect_probe(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    OddportPluginFlow *flow = flow_of(pinfo, FALSE);
    if (flow == NULL)
        return 0;
    unsigned direction = direction_of(flow, pinfo);
    const struct tcpinfo *segment = flow->transport == ODDPORT_TRANSPORT_TCP ? data : NULL;
    if (!PINFO_FD_VISITED(pinfo))
        observe_payload(flow, direction, tvb, pinfo, segment);
    OddportApp app = app_for_direction(flow, direction);
    dissector_handle_t handle = app_handles[app];
    if (handle == NULL) {
        const OddportSide *side = &flow->side[direction];
        /* A ClientHello or banner cut across segments: ask TCP for the rest rather than let the
         * port's dissector take a piece of it. Only for openings that already look telling. */
        if (!side->decided && side->pending_confidence >= ODDPORT_CONFIDENCE_MEDIUM &&
            pinfo->can_desegment > 0 && !PINFO_FD_VISITED(pinfo)) {
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
    pinfo->match_uint = flow->port[1 - flow->verdict.client];
    pinfo->can_desegment = pinfo->saved_can_desegment;
    int consumed = call_dissector_only(handle, tvb, pinfo, tree, data);
    pinfo->match_uint = saved_match;
    return consumed;
}

static const char *severity_text(OddportSeverity severity)
{
    const char *name = oddport_severity_name(severity);
    return name != NULL ? name : "none";
}

static void add_expert(packet_info *pinfo, proto_item *item, const OddportPluginFlow *flow)
{
    const OddportFlowVerdict *verdict = &flow->verdict;
    unsigned server = 1 - verdict->client;
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
                (unsigned)flow->port[server], expected->str, verdict->iana_service);
        else
            expert_add_info_format(pinfo, item, field, "%s on non-standard port %u (expected %s)",
                                   app, (unsigned)flow->port[server], expected->str);
        g_free(app);
        g_string_free(expected, TRUE);
    }
    if (verdict->mismatch)
        expert_add_info_format(
            pinfo, item, &ei_mismatch, "Client speaks %s but the server answers in %s",
            oddport_app_name(verdict->client_app), oddport_app_name(verdict->server_app));
}

/* Runs after every other dissector on every packet: installs the probe on new flows, counts the
 * flow's traffic on the first pass, and adds the oddport subtree and its expert info. */
static int dissect_oddport(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    OddportPluginFlow *flow = flow_of(pinfo, TRUE);
    if (flow == NULL)
        return 0;
    unsigned direction = direction_of(flow, pinfo);
    if (!PINFO_FD_VISITED(pinfo)) {
        if (decode_any_port && conversation_get_dissector(flow->conversation, pinfo->num) == NULL)
            conversation_set_dissector(flow->conversation, probe_handle);
        flow->packets[direction]++;
        flow->bytes[direction] += pinfo->fd->pkt_len;
        flow->last_seen = pinfo->abs_ts;
        oddport_plugin_classify(flow, FALSE);
    }
    const OddportFlowVerdict *verdict = &flow->verdict;
    unsigned client = verdict->client;
    unsigned server = 1 - client;

    proto_item *root = proto_tree_add_item(tree, proto_oddport, tvb, 0, 0, ENC_NA);
    proto_item_append_text(root, ": %s on %s port %u%s%s", oddport_app_name(verdict->app),
                           oddport_port_class_name(oddport_port_class(flow->port[server])),
                           (unsigned)flow->port[server],
                           verdict->nonstandard ? ", non-standard, " : "",
                           verdict->nonstandard ? severity_text(verdict->severity) : "");
    proto_tree *subtree = proto_item_add_subtree(root, ett_oddport);
    proto_tree_add_string(subtree, hf_app, tvb, 0, 0, oddport_app_name(verdict->app));
    proto_tree_add_string(subtree, hf_client_app, tvb, 0, 0, oddport_app_name(verdict->client_app));
    proto_tree_add_string(subtree, hf_server_app, tvb, 0, 0, oddport_app_name(verdict->server_app));
    proto_tree_add_string(subtree, hf_client_port_class, tvb, 0, 0,
                          oddport_port_class_name(oddport_port_class(flow->port[client])));
    proto_tree_add_string(subtree, hf_server_port_class, tvb, 0, 0,
                          oddport_port_class_name(oddport_port_class(flow->port[server])));
    proto_tree_add_boolean(subtree, hf_nonstandard, tvb, 0, 0, verdict->nonstandard);
    if (verdict->nonstandard)
        proto_tree_add_string(subtree, hf_severity, tvb, 0, 0, severity_text(verdict->severity));
    for (size_t index = 0; index < verdict->expected_port_count; index++)
        proto_tree_add_uint(subtree, hf_expected_ports, tvb, 0, 0, verdict->expected_ports[index]);
    if (verdict->iana_service != NULL)
        proto_tree_add_string(subtree, hf_iana_service, tvb, 0, 0, verdict->iana_service);
    proto_tree_add_string(subtree, hf_confidence, tvb, 0, 0,
                          oddport_confidence_name(verdict->confidence));
    /* Evidence may quote wire bytes; the tree wants valid UTF-8 and escapes the rest itself. */
    gchar *evidence = g_utf8_make_valid(verdict->evidence, -1);
    proto_tree_add_string(subtree, hf_evidence, tvb, 0, 0, evidence);
    g_free(evidence);
    proto_tree_add_boolean(subtree, hf_mismatch, tvb, 0, 0, verdict->mismatch);
    proto_tree_add_string(subtree, hf_direction, tvb, 0, 0,
                          oddport_direction_source_name(verdict->direction));
    if (pinfo->num == flow->deciding_frame)
        add_expert(pinfo, root, flow);
    tap_queue_packet(oddport_tap, pinfo, flow);
    return tvb_captured_length(tvb);
}

static void init_flows(void)
{
    open_flows = g_ptr_array_new();
}

static void cleanup_flows(void)
{
    for (guint index = 0; index < open_flows->len; index++) {
        OddportPluginFlow *flow = g_ptr_array_index(open_flows, index);
        oddport_side_clear(&flow->side[0]);
        oddport_side_clear(&flow->side[1]);
    }
    g_ptr_array_free(open_flows, TRUE);
    open_flows = NULL;
}

static void apply_preferences(void)
{
    load_rules();
}

static void proto_register_oddport(void)
{
    static hf_register_info fields[] = {
        {&hf_app,
         {"App", "oddport.app", FT_STRING, BASE_NONE, NULL, 0x0,
          "What the flow speaks, from its first payload: http, tls, ssh or unknown", HFILL}},
        {&hf_client_app,
         {"Client app", "oddport.client_app", FT_STRING, BASE_NONE, NULL, 0x0,
          "What the client's first bytes are", HFILL}},
        {&hf_server_app,
         {"Server app", "oddport.server_app", FT_STRING, BASE_NONE, NULL, 0x0,
          "What the server's first bytes are", HFILL}},
        {&hf_client_port_class,
         {"Client port class", "oddport.client_port_class", FT_STRING, BASE_NONE, NULL, 0x0,
          "IANA range of the client port: well-known, registered or ephemeral", HFILL}},
        {&hf_server_port_class,
         {"Server port class", "oddport.server_port_class", FT_STRING, BASE_NONE, NULL, 0x0,
          "IANA range of the server port: well-known, registered or ephemeral", HFILL}},
        {&hf_nonstandard,
         {"Non-standard port", "oddport.nonstandard", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
          "The app runs on a port not expected for it", HFILL}},
        {&hf_severity,
         {"Severity", "oddport.severity", FT_STRING, BASE_NONE, NULL, 0x0,
          "alternate, masquerade or unexpected", HFILL}},
        {&hf_expected_ports,
         {"Expected port", "oddport.expected_ports", FT_UINT16, BASE_DEC, NULL, 0x0,
          "A port where the app is standard", HFILL}},
        {&hf_iana_service,
         {"IANA service", "oddport.iana_service", FT_STRING, BASE_NONE, NULL, 0x0,
          "The service IANA registered for the server port", HFILL}},
        {&hf_confidence,
         {"Confidence", "oddport.confidence", FT_STRING, BASE_NONE, NULL, 0x0,
          "How sure the verdict is: high, medium or low", HFILL}},
        {&hf_evidence,
         {"Evidence", "oddport.evidence", FT_STRING, BASE_NONE, NULL, 0x0,
          "Why the verdict was made", HFILL}},
        {&hf_mismatch,
         {"Mismatch", "oddport.mismatch", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
          "Client and server speak different apps", HFILL}},
        {&hf_direction,
         {"Client found by", "oddport.direction", FT_STRING, BASE_NONE, NULL, 0x0,
          "How the client was told from the server: syn, payload or port", HFILL}},
    };
    static gint *subtrees[] = {&ett_oddport};
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
         {"oddport.mismatch", PI_PROTOCOL, PI_WARN, "Client and server speak different apps",
          EXPFILL}},
    };
    proto_oddport =
        proto_register_protocol("oddport: services on non-standard ports", "oddport", "oddport");
    proto_register_field_array(proto_oddport, fields, array_length(fields));
    proto_register_subtree_array(subtrees, array_length(subtrees));
    expert_module_t *expert = expert_register_protocol(proto_oddport);
    expert_register_field_array(expert, expert_fields, array_length(expert_fields));

    module_t *preferences = prefs_register_protocol(proto_oddport, apply_preferences);
    prefs_register_bool_preference(
        preferences, "decode_any_port", "Decode HTTP, TLS and SSH on any port",
        "Hand each flow whose first payload is HTTP, TLS or SSH to Wireshark's own dissector for "
        "that protocol, whatever its port. oddport does this by offering itself as the "
        "conversation dissector of every TCP and UDP flow and declining flows that are none of "
        "the three, so those are decoded exactly as without the plugin.",
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
    register_init_routine(init_flows);
    register_cleanup_routine(cleanup_flows);
    oddport_plugin_register_statistics();
}

static void proto_reg_handoff_oddport(void)
{
    proto_tcp = proto_get_id_by_filter_name("tcp");
    app_handles[ODDPORT_APP_HTTP] = find_dissector("http");
    app_handles[ODDPORT_APP_TLS] = find_dissector("tls");
    app_handles[ODDPORT_APP_SSH] = find_dissector("ssh");
    load_rules();
}

void plugin_register(void)
{
    static proto_plugin plugin;
    plugin.register_protoinfo = proto_register_oddport;
    plugin.register_handoff = proto_reg_handoff_oddport;
    proto_register_plugin(&plugin);
}
