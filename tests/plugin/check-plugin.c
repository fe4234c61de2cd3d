/* Checks tshark's output with the oddport plugin against the oddport CLI's JSON for one capture. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <json-glib/json-glib.h>

/* The columns run-plugin-test.sh asks tshark for, in this order. */
enum {
    COLUMN_FRAME,
    COLUMN_IP_SOURCE,
    COLUMN_IPV6_SOURCE,
    COLUMN_IP_DESTINATION,
    COLUMN_IPV6_DESTINATION,
    COLUMN_TCP_SOURCE_PORT,
    COLUMN_TCP_DESTINATION_PORT,
    COLUMN_UDP_SOURCE_PORT,
    COLUMN_UDP_DESTINATION_PORT,
    COLUMN_TCP_LENGTH,
    COLUMN_UDP_LENGTH,
    COLUMN_PROTOCOLS,
    COLUMN_SEGMENT_DATA,
    COLUMN_FLOW,
    COLUMN_APP,
    COLUMN_CLIENT_APP,
    COLUMN_SERVER_APP,
    COLUMN_NONSTANDARD,
    COLUMN_SEVERITY,
    COLUMN_MISMATCH,
    COLUMN_CLIENT_PORT_CLASS,
    COLUMN_SERVER_PORT_CLASS,
    COLUMN_SERVER_PORT,
    COLUMN_EXPECTED_PORTS,
    COLUMN_CONFIDENCE,
    COLUMN_DIRECTION,
    COLUMN_IANA_SERVICE,
    COLUMN_INFO,
    COLUMN_COUNT,
};

static unsigned failures;
static unsigned checks;
static unsigned notes;

static void fail(const char *format, ...) G_GNUC_PRINTF(1, 2);

static void fail(const char *format, ...)
{
    failures++;
    if (failures > 40)
        return;
    va_list arguments;
    va_start(arguments, format);
    vfprintf(stdout, format, arguments);
    va_end(arguments);
    fputc('\n', stdout);
}

static char *read_text(const char *path)
{
    char *text = NULL;
    GError *error = NULL;
    if (!g_file_get_contents(path, &text, NULL, &error)) {
        fprintf(stderr, "%s: %s\n", path, error->message);
        exit(2);
    }
    return text;
}

static char **read_lines(const char *path)
{
    char *text = read_text(path);
    char **lines = g_strsplit(text, "\n", -1);
    g_free(text);
    return lines;
}

static char **split_columns(const char *line)
{
    char **columns = g_strsplit(line, "\t", -1);
    if (g_strv_length(columns) != COLUMN_COUNT) {
        g_strfreev(columns);
        return NULL;
    }
    return columns;
}

/* "field|number" -> name, from "tshark -G values": the plugin's enumerations are integers with
 * value strings, and this reads their names from tshark itself rather than a second copy. */
static GHashTable *load_value_names(const char *path)
{
    GHashTable *names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    g_auto(GStrv) lines = read_lines(path);
    for (char **line = lines; *line != NULL; line++) {
        g_auto(GStrv) parts = g_strsplit(*line, "\t", -1);
        if (g_strv_length(parts) == 4 && strcmp(parts[0], "V") == 0 &&
            g_str_has_prefix(parts[1], "oddport."))
            g_hash_table_insert(names, g_strdup_printf("%s|%s", parts[1], parts[2]),
                                g_strdup(parts[3]));
    }
    return names;
}

/* The name a value-string field printed as a number stands for, or the text as it is. */
static const char *value_name(GHashTable *names, const char *field, const char *number)
{
    g_autofree char *key = g_strdup_printf("%s|%s", field, number);
    const char *name = g_hash_table_lookup(names, key);
    return name != NULL ? name : number;
}

/* tshark prints booleans as 1/0 up to 4.2 and True/False from 4.4; oddport's flags are present
 * only when set. */
static bool flag_set(const char *text)
{
    return strcmp(text, "1") == 0 || g_ascii_strcasecmp(text, "true") == 0;
}

/* The last of a comma-separated field: the innermost header when tunnels repeat one. */
static const char *last_value(const char *field)
{
    const char *comma = strrchr(field, ',');
    return comma != NULL ? comma + 1 : field;
}

/* Whether the flow's own transport header (the innermost, under tunnels) carries payload. */
static bool has_payload(char **columns, JsonObject *flow)
{
    if (strcmp(json_object_get_string_member(flow, "transport"), "tcp") == 0)
        return atoi(last_value(columns[COLUMN_TCP_LENGTH])) > 0;
    return atoi(last_value(columns[COLUMN_UDP_LENGTH])) > 8;
}

/* A segment TCP does not hand to any dissector: a retransmission, or one out of order. */
static bool is_repeated_segment(char **columns)
{
    const char *info = columns[COLUMN_INFO];
    return strstr(info, "[TCP Retransmission]") != NULL ||
           strstr(info, "[TCP Out-Of-Order]") != NULL ||
           strstr(info, "[TCP Spurious Retransmission]") != NULL;
}

static bool protocols_contain(const char *protocols, const char *name)
{
    g_auto(GStrv) layers = g_strsplit(protocols, ":", -1);
    for (char **layer = layers; *layer != NULL; layer++)
        if (strcmp(*layer, name) == 0)
            return true;
    return false;
}

/* A segment TCP held for reassembly: its payload is decoded in a later frame. */
static bool is_held_segment(char **columns)
{
    return columns[COLUMN_SEGMENT_DATA][0] != '\0' &&
           g_str_has_suffix(columns[COLUMN_PROTOCOLS], ":tcp");
}

/* The packet's addresses of the flow's family: a tunnel may carry IPv4 in IPv6 or the reverse,
 * and the flow is the innermost. */
static bool flow_is_ipv6(JsonObject *flow)
{
    JsonObject *client = json_object_get_object_member(flow, "client");
    return strchr(json_object_get_string_member(client, "ip"), ':') != NULL;
}

static const char *packet_source(char **columns, JsonObject *flow)
{
    return last_value(flow_is_ipv6(flow) ? columns[COLUMN_IPV6_SOURCE] : columns[COLUMN_IP_SOURCE]);
}

static const char *packet_destination(char **columns, JsonObject *flow)
{
    return last_value(flow_is_ipv6(flow) ? columns[COLUMN_IPV6_DESTINATION]
                                         : columns[COLUMN_IP_DESTINATION]);
}

static const char *packet_source_port(char **columns)
{
    return last_value(columns[COLUMN_TCP_SOURCE_PORT][0] != '\0' ? columns[COLUMN_TCP_SOURCE_PORT]
                                                                 : columns[COLUMN_UDP_SOURCE_PORT]);
}

static bool sent_by_client(char **columns, JsonObject *flow)
{
    JsonObject *client = json_object_get_object_member(flow, "client");
    g_autofree char *client_port =
        g_strdup_printf("%" G_GINT64_FORMAT, json_object_get_int_member(client, "port"));
    return strcmp(packet_source(columns, flow), json_object_get_string_member(client, "ip")) == 0 &&
           strcmp(packet_source_port(columns), client_port) == 0;
}

/* The CLI's flows by id. */
static GHashTable *load_flows(JsonParser *parser, const char *path)
{
    GError *error = NULL;
    if (!json_parser_load_from_file(parser, path, &error)) {
        fprintf(stderr, "%s: %s\n", path, error->message);
        exit(2);
    }
    JsonArray *flows =
        json_object_get_array_member(json_node_get_object(json_parser_get_root(parser)), "flows");
    GHashTable *by_id = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    for (guint index = 0; index < json_array_get_length(flows); index++) {
        JsonObject *flow = json_array_get_object_element(flows, index);
        g_hash_table_insert(
            by_id, g_strdup_printf("%" G_GINT64_FORMAT, json_object_get_int_member(flow, "id")),
            flow);
    }
    return by_id;
}

static JsonObject *flow_of_line(GHashTable *flows, char **columns)
{
    return columns[COLUMN_FLOW][0] != '\0' ? g_hash_table_lookup(flows, columns[COLUMN_FLOW])
                                           : NULL;
}

static const char *json_string_or_empty(JsonObject *object, const char *member)
{
    JsonNode *node = json_object_get_member(object, member);
    return node != NULL && JSON_NODE_HOLDS_VALUE(node) ? json_node_get_string(node) : "";
}

static int64_t flow_packets(JsonObject *flow)
{
    return json_object_get_int_member(json_object_get_object_member(flow, "c2s"), "packets") +
           json_object_get_int_member(json_object_get_object_member(flow, "s2c"), "packets");
}

/* Whether the CLI found the flow HTTP from an HTTP/0.9 simple request, which counts only once
 * the server's answer is known: at the flow's end. */
static bool rests_on_simple_request(JsonObject *flow)
{
    JsonNode *http = json_object_get_member(flow, "http");
    if (http == NULL || !JSON_NODE_HOLDS_OBJECT(http))
        return false;
    JsonObject *fields = json_node_get_object(http);
    return strcmp(json_string_or_empty(fields, "version"), "HTTP/0.9") == 0 &&
           strcmp(json_object_get_string_member(flow, "server_app"), "unknown") == 0;
}

/* Every payload packet of an HTTP, TLS or SSH flow is decoded by that protocol's dissector, or
 * is a segment TCP held for a later frame. In a single pass the probe is installed on a flow
 * while its first frame is dissected, too late for that frame: `exempt_first` allows it, and
 * the frames of a flow known only at its end, while the plugin still shows it unknown. */
static void check_protocols(GHashTable *flows, char **lines, bool exempt_first)
{
    GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    for (char **line = lines; *line != NULL; line++) {
        g_auto(GStrv) columns = split_columns(*line);
        if (columns == NULL)
            continue;
        JsonObject *flow = flow_of_line(flows, columns);
        if (flow == NULL)
            continue;
        bool first = g_hash_table_add(seen, g_strdup(columns[COLUMN_FLOW]));
        /* What the sender itself speaks: a side the CLI found nothing in (a STUN request
         * answered in HTTP) may be decoded as anything. */
        const char *app = json_object_get_string_member(
            flow, sent_by_client(columns, flow) ? "client_app" : "server_app");
        if (!has_payload(columns, flow) || strcmp(app, "unknown") == 0)
            continue;
        checks++;
        const char *protocols = columns[COLUMN_PROTOCOLS];
        /* Wireshark's HTTP dissector reads no HTTP/0.9: such a flow is decoded as without the
         * plugin (by its port, if at all), in either pass, never held back for headers that do
         * not come. */
        if (rests_on_simple_request(flow)) {
            if (!is_held_segment(columns))
                continue;
            fail("frame %s: flow %s is HTTP/0.9 but tshark decoded %s (%s)", columns[COLUMN_FRAME],
                 columns[COLUMN_FLOW], protocols, columns[COLUMN_INFO]);
            continue;
        }
        /* HTTP in datagrams is what Wireshark's SSDP dissector decodes. */
        bool is_http = strcmp(app, "http") == 0;
        if (protocols_contain(protocols, app) ||
            (is_http && protocols_contain(protocols, "http2")) ||
            (is_http && protocols_contain(protocols, "ssdp")) || is_held_segment(columns) ||
            is_repeated_segment(columns))
            continue;
        if (first && exempt_first) {
            notes++;
            printf("note: frame %s: a flow's first frame, decoded before the probe was on it: "
                   "%s\n",
                   columns[COLUMN_FRAME], protocols);
            continue;
        }
        JsonNode *http = json_object_get_member(flow, "http");
        if (http != NULL && JSON_NODE_HOLDS_OBJECT(http) &&
            json_object_get_boolean_member_with_default(json_node_get_object(http),
                                                        "h2c_prior_knowledge", FALSE)) {
            /* Wireshark's HTTP dissector keeps HTTP/2 frames after a prior-knowledge preface to
             * itself only when it is reached through its port table. */
            notes++;
            printf("note: frame %s: HTTP/2 frame after an h2c preface shown as %s\n",
                   columns[COLUMN_FRAME], protocols);
            continue;
        }
        fail("frame %s: flow %s is %s but tshark decoded %s (%s)", columns[COLUMN_FRAME],
             columns[COLUMN_FLOW], app, protocols, columns[COLUMN_INFO]);
    }
    g_hash_table_unref(seen);
}

static void compare_field(const char *frame, const char *name, const char *plugin, const char *cli)
{
    checks++;
    if (strcmp(plugin, cli) != 0)
        fail("frame %s: oddport.%s is '%s' in tshark but '%s' in the CLI report", frame, name,
             plugin, cli);
}

static void compare_named(GHashTable *names, char **columns, int column, const char *field,
                          const char *cli)
{
    g_autofree char *abbreviation = g_strdup_printf("oddport.%s", field);
    compare_field(
        columns[COLUMN_FRAME], field,
        columns[column][0] != '\0' ? value_name(names, abbreviation, columns[column]) : "", cli);
}

static const char *endpoint_string(JsonObject *flow, const char *side, const char *member)
{
    return json_object_get_string_member(json_object_get_object_member(flow, side), member);
}

/* The packet's addresses and ports are those of the CLI flow its oddport.flow names. */
static void check_endpoints(char **columns, JsonObject *flow)
{
    bool tcp = columns[COLUMN_TCP_SOURCE_PORT][0] != '\0';
    g_autofree char *packet = g_strdup_printf(
        "%s %s|%s %s|%s", tcp ? "tcp" : "udp", packet_source(columns, flow),
        last_value(tcp ? columns[COLUMN_TCP_SOURCE_PORT] : columns[COLUMN_UDP_SOURCE_PORT]),
        packet_destination(columns, flow),
        last_value(tcp ? columns[COLUMN_TCP_DESTINATION_PORT]
                       : columns[COLUMN_UDP_DESTINATION_PORT]));
    JsonObject *client = json_object_get_object_member(flow, "client");
    JsonObject *server = json_object_get_object_member(flow, "server");
    const char *transport = json_object_get_string_member(flow, "transport");
    g_autofree char *forward = g_strdup_printf(
        "%s %s|%" G_GINT64_FORMAT " %s|%" G_GINT64_FORMAT, transport,
        json_object_get_string_member(client, "ip"), json_object_get_int_member(client, "port"),
        json_object_get_string_member(server, "ip"), json_object_get_int_member(server, "port"));
    g_autofree char *backward = g_strdup_printf(
        "%s %s|%" G_GINT64_FORMAT " %s|%" G_GINT64_FORMAT, transport,
        json_object_get_string_member(server, "ip"), json_object_get_int_member(server, "port"),
        json_object_get_string_member(client, "ip"), json_object_get_int_member(client, "port"));
    checks++;
    if (strcmp(packet, forward) != 0 && strcmp(packet, backward) != 0)
        fail("frame %s: packet %s is not flow %s (%s)", columns[COLUMN_FRAME], packet,
             columns[COLUMN_FLOW], forward);
}

/* The oddport.* fields on every packet of a flow say what the CLI says of the flow, and the
 * plugin counts as many packets in each flow as the CLI. */
static void check_fields(GHashTable *flows, GHashTable *names, char **lines)
{
    GHashTable *packets = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    for (char **line = lines; *line != NULL; line++) {
        g_auto(GStrv) columns = split_columns(*line);
        if (columns == NULL || columns[COLUMN_FLOW][0] == '\0')
            continue;
        const char *frame = columns[COLUMN_FRAME];
        JsonObject *flow = flow_of_line(flows, columns);
        checks++;
        if (flow == NULL) {
            fail("frame %s: oddport.flow %s is not in the CLI report", frame, columns[COLUMN_FLOW]);
            continue;
        }
        guint count = GPOINTER_TO_UINT(g_hash_table_lookup(packets, columns[COLUMN_FLOW]));
        g_hash_table_insert(packets, g_strdup(columns[COLUMN_FLOW]), GUINT_TO_POINTER(count + 1));
        check_endpoints(columns, flow);
        compare_named(names, columns, COLUMN_APP, "app",
                      json_object_get_string_member(flow, "app"));
        compare_named(names, columns, COLUMN_CLIENT_APP, "client_app",
                      json_object_get_string_member(flow, "client_app"));
        compare_named(names, columns, COLUMN_SERVER_APP, "server_app",
                      json_object_get_string_member(flow, "server_app"));
        compare_field(frame, "nonstandard", flag_set(columns[COLUMN_NONSTANDARD]) ? "yes" : "no",
                      json_object_get_boolean_member(flow, "nonstandard") ? "yes" : "no");
        compare_named(names, columns, COLUMN_SEVERITY, "severity",
                      json_string_or_empty(flow, "severity"));
        compare_field(frame, "mismatch", flag_set(columns[COLUMN_MISMATCH]) ? "yes" : "no",
                      json_object_get_boolean_member(flow, "mismatch") ? "yes" : "no");
        compare_named(names, columns, COLUMN_CLIENT_PORT_CLASS, "client_port_class",
                      endpoint_string(flow, "client", "port_class"));
        compare_named(names, columns, COLUMN_SERVER_PORT_CLASS, "server_port_class",
                      endpoint_string(flow, "server", "port_class"));
        g_autofree char *server_port = g_strdup_printf(
            "%" G_GINT64_FORMAT,
            json_object_get_int_member(json_object_get_object_member(flow, "server"), "port"));
        compare_field(frame, "server_port", columns[COLUMN_SERVER_PORT], server_port);
        JsonArray *expected = json_object_get_array_member(flow, "expected_ports");
        GString *ports = g_string_new(NULL);
        for (guint index = 0; index < json_array_get_length(expected); index++)
            g_string_append_printf(ports, "%s%" G_GINT64_FORMAT, index > 0 ? "," : "",
                                   json_array_get_int_element(expected, index));
        compare_field(frame, "expected_ports", columns[COLUMN_EXPECTED_PORTS], ports->str);
        g_string_free(ports, TRUE);
        compare_named(names, columns, COLUMN_CONFIDENCE, "confidence",
                      json_object_get_string_member(flow, "confidence"));
        compare_named(names, columns, COLUMN_DIRECTION, "direction",
                      json_object_get_string_member(flow, "direction"));
        compare_field(frame, "iana_service", columns[COLUMN_IANA_SERVICE],
                      json_string_or_empty(flow, "iana_service"));
    }
    GHashTableIter iterator;
    gpointer id;
    gpointer flow;
    g_hash_table_iter_init(&iterator, flows);
    while (g_hash_table_iter_next(&iterator, &id, &flow)) {
        checks++;
        guint seen = GPOINTER_TO_UINT(g_hash_table_lookup(packets, id));
        if ((int64_t)seen != flow_packets(flow))
            fail("flow %s: tshark marked %u packets with it, the CLI counts %" G_GINT64_FORMAT,
                 (const char *)id, seen, flow_packets(flow));
    }
    g_hash_table_unref(packets);
}

/* Flows that are none of the three decode exactly as without the plugin. */
static void check_unchanged(GHashTable *flows, char **with_plugin, char **without_plugin)
{
    GHashTable *baseline =
        g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify)g_strfreev);
    for (char **line = without_plugin; *line != NULL; line++) {
        char **columns = split_columns(*line);
        if (columns != NULL)
            g_hash_table_insert(baseline, columns[COLUMN_FRAME], columns);
    }
    for (char **line = with_plugin; *line != NULL; line++) {
        g_auto(GStrv) columns = split_columns(*line);
        if (columns == NULL)
            continue;
        JsonObject *flow = flow_of_line(flows, columns);
        if (flow != NULL && strcmp(json_object_get_string_member(flow, "app"), "unknown") != 0)
            continue;
        char **reference = g_hash_table_lookup(baseline, columns[COLUMN_FRAME]);
        checks++;
        if (reference == NULL) {
            fail("frame %s: missing from the run without the plugin", columns[COLUMN_FRAME]);
            continue;
        }
        if (strcmp(columns[COLUMN_PROTOCOLS], reference[COLUMN_PROTOCOLS]) != 0 ||
            strcmp(columns[COLUMN_INFO], reference[COLUMN_INFO]) != 0)
            fail("frame %s: with the plugin %s '%s', without it %s '%s'", columns[COLUMN_FRAME],
                 columns[COLUMN_PROTOCOLS], columns[COLUMN_INFO], reference[COLUMN_PROTOCOLS],
                 reference[COLUMN_INFO]);
    }
    g_hash_table_unref(baseline);
}

/* The count in the row of a stats_tree text table whose name is `name`, or -1. */
static int64_t tree_count(char **lines, const char *name)
{
    for (char **line = lines; *line != NULL; line++) {
        const char *text = *line;
        while (*text == ' ')
            text++;
        if (!g_str_has_prefix(text, name))
            continue;
        const char *rest = text + strlen(name);
        if (*rest != ' ')
            continue;
        return g_ascii_strtoll(rest, NULL, 10);
    }
    return -1;
}

/* The Statistics tree counts every packet of every flow, by server port class, as the CLI. */
static void check_tree(JsonParser *parser, char **lines)
{
    JsonObject *root = json_node_get_object(json_parser_get_root(parser));
    JsonObject *classes = json_object_get_object_member(root, "port_classes");
    int64_t total = 0;
    GList *names = json_object_get_members(classes);
    for (GList *name = names; name != NULL; name = name->next) {
        int64_t packets = json_object_get_int_member(
            json_object_get_object_member(classes, name->data), "packets");
        total += packets;
        checks++;
        int64_t counted = tree_count(lines, name->data);
        if (counted != (packets > 0 ? packets : -1) && !(packets == 0 && counted <= 0))
            fail("port class %s: the tree counts %" G_GINT64_FORMAT
                 " packets, the CLI %" G_GINT64_FORMAT,
                 (const char *)name->data, counted, packets);
    }
    g_list_free(names);
    checks++;
    int64_t counted = tree_count(lines, "Packets by server port class");
    if (counted != total)
        fail("the tree counts %" G_GINT64_FORMAT " packets in flows, the CLI %" G_GINT64_FORMAT,
             counted, total);
}

/* "-Y oddport.FLAG" selects exactly the packets of the flows the CLI marks with FLAG. */
static void check_selected(GHashTable *flows, char **lines, const char *flag)
{
    int64_t selected = 0;
    for (char **line = lines; *line != NULL; line++) {
        g_auto(GStrv) columns = split_columns(*line);
        if (columns == NULL)
            continue;
        selected++;
        JsonObject *flow = flow_of_line(flows, columns);
        checks++;
        if (flow == NULL || !json_object_get_boolean_member(flow, flag))
            fail("frame %s: selected by oddport.%s, but its flow %s is not %s in the CLI report",
                 columns[COLUMN_FRAME], flag, columns[COLUMN_FLOW], flag);
    }
    int64_t expected = 0;
    GHashTableIter iterator;
    gpointer flow;
    g_hash_table_iter_init(&iterator, flows);
    while (g_hash_table_iter_next(&iterator, NULL, &flow))
        if (json_object_get_boolean_member(flow, flag))
            expected += flow_packets(flow);
    checks++;
    if (selected != expected)
        fail("oddport.%s selects %" G_GINT64_FORMAT
             " packets; the CLI's %s flows have %" G_GINT64_FORMAT,
             flag, selected, flag, expected);
}

static int usage(void)
{
    fprintf(stderr,
            "usage: check-plugin protocols|protocols-all|fields REPORT.json VALUES TSHARK.tsv\n"
            "       check-plugin unchanged REPORT.json VALUES WITH.tsv WITHOUT.tsv\n"
            "       check-plugin tree REPORT.json VALUES TREE.txt\n"
            "       check-plugin nonstandard|mismatch REPORT.json VALUES SELECTED.tsv\n"
            "VALUES is the output of 'tshark -G values'.\n");
    return 2;
}

int main(int argc, char **argv)
{
    if (argc < 5)
        return usage();
    const char *mode = argv[1];
    bool unchanged = strcmp(mode, "unchanged") == 0;
    if ((unchanged && argc != 6) || (!unchanged && argc != 5))
        return usage();
    g_autoptr(JsonParser) parser = json_parser_new();
    GHashTable *flows = load_flows(parser, argv[2]);
    GHashTable *names = load_value_names(argv[3]);
    char **lines = read_lines(argv[4]);
    if (strcmp(mode, "protocols") == 0 || strcmp(mode, "protocols-all") == 0) {
        check_protocols(flows, lines, strcmp(mode, "protocols") == 0);
    } else if (strcmp(mode, "fields") == 0) {
        check_fields(flows, names, lines);
    } else if (unchanged) {
        char **baseline = read_lines(argv[5]);
        check_unchanged(flows, lines, baseline);
        g_strfreev(baseline);
    } else if (strcmp(mode, "nonstandard") == 0 || strcmp(mode, "mismatch") == 0) {
        check_selected(flows, lines, mode);
    } else if (strcmp(mode, "tree") == 0) {
        check_tree(parser, lines);
    } else {
        fprintf(stderr, "check-plugin: unknown mode '%s'\n", mode);
        return usage();
    }
    g_strfreev(lines);
    g_hash_table_unref(names);
    g_hash_table_unref(flows);
    if (checks == 0) {
        printf("no packet was checked: the capture or the tshark output is not what was meant\n");
        return 1;
    }
    printf("%u passed, %u failed%s\n", checks - failures, failures,
           notes > 0 ? " (with notes above)" : "");
    return failures == 0 ? 0 : 1;
}
