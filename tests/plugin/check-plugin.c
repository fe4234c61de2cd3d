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
    COLUMN_TIME,
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
    COLUMN_REASSEMBLED_IN,
    COLUMN_APP,
    COLUMN_NONSTANDARD,
    COLUMN_SEVERITY,
    COLUMN_MISMATCH,
    COLUMN_CLIENT_PORT_CLASS,
    COLUMN_SERVER_PORT_CLASS,
    COLUMN_EXPECTED_PORTS,
    COLUMN_INFO,
    COLUMN_COUNT,
};

typedef struct {
    JsonObject *object;
    double first_seen;
    double last_seen;
} Flow;

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

static double parse_time(const char *text)
{
    GDateTime *time = g_date_time_new_from_iso8601(text, NULL);
    if (time == NULL)
        return 0;
    double seconds = (double)g_date_time_to_unix(time) + g_date_time_get_microsecond(time) / 1e6;
    g_date_time_unref(time);
    return seconds;
}

/* The last of a comma-separated field: the innermost header when tunnels repeat one. */
static const char *last_value(const char *field)
{
    const char *comma = strrchr(field, ',');
    return comma != NULL ? comma + 1 : field;
}

static char *flow_key(const char *transport, const char *first_ip, const char *first_port,
                      const char *second_ip, const char *second_port)
{
    g_autofree char *first = g_strdup_printf("%s|%s", first_ip, first_port);
    g_autofree char *second = g_strdup_printf("%s|%s", second_ip, second_port);
    return strcmp(first, second) < 0 ? g_strdup_printf("%s|%s|%s", transport, first, second)
                                     : g_strdup_printf("%s|%s|%s", transport, second, first);
}

static char *json_endpoint_key(JsonObject *flow)
{
    JsonObject *client = json_object_get_object_member(flow, "client");
    JsonObject *server = json_object_get_object_member(flow, "server");
    g_autofree char *client_port =
        g_strdup_printf("%" G_GINT64_FORMAT, json_object_get_int_member(client, "port"));
    g_autofree char *server_port =
        g_strdup_printf("%" G_GINT64_FORMAT, json_object_get_int_member(server, "port"));
    return flow_key(json_object_get_string_member(flow, "transport"),
                    json_object_get_string_member(client, "ip"), client_port,
                    json_object_get_string_member(server, "ip"), server_port);
}

/* Flows of the CLI report by endpoint key; a key may hold several flows one after another. */
static GHashTable *load_flows(JsonParser *parser, const char *path)
{
    GError *error = NULL;
    if (!json_parser_load_from_file(parser, path, &error)) {
        fprintf(stderr, "%s: %s\n", path, error->message);
        exit(2);
    }
    JsonArray *flows =
        json_object_get_array_member(json_node_get_object(json_parser_get_root(parser)), "flows");
    GHashTable *by_key =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_ptr_array_unref);
    for (guint index = 0; index < json_array_get_length(flows); index++) {
        Flow *flow = g_new0(Flow, 1);
        flow->object = json_array_get_object_element(flows, index);
        flow->first_seen = parse_time(json_object_get_string_member(flow->object, "first_seen"));
        flow->last_seen = parse_time(json_object_get_string_member(flow->object, "last_seen"));
        char *key = json_endpoint_key(flow->object);
        GPtrArray *list = g_hash_table_lookup(by_key, key);
        if (list == NULL) {
            list = g_ptr_array_new_with_free_func(g_free);
            g_hash_table_insert(by_key, key, list);
        } else {
            g_free(key);
        }
        g_ptr_array_add(list, flow);
    }
    return by_key;
}

/* The CLI flow a tshark line belongs to, or NULL (not TCP/UDP, or a packet oddport skipped). */
static JsonObject *flow_of_line(GHashTable *flows, char **columns)
{
    bool tcp = columns[COLUMN_TCP_SOURCE_PORT][0] != '\0';
    bool udp = columns[COLUMN_UDP_SOURCE_PORT][0] != '\0';
    if (!tcp && !udp)
        return NULL;
    const char *source = columns[COLUMN_IPV6_SOURCE][0] != '\0' ? columns[COLUMN_IPV6_SOURCE]
                                                                : columns[COLUMN_IP_SOURCE];
    const char *destination = columns[COLUMN_IPV6_DESTINATION][0] != '\0'
                                  ? columns[COLUMN_IPV6_DESTINATION]
                                  : columns[COLUMN_IP_DESTINATION];
    g_autofree char *key = flow_key(
        tcp ? "tcp" : "udp", last_value(source),
        last_value(tcp ? columns[COLUMN_TCP_SOURCE_PORT] : columns[COLUMN_UDP_SOURCE_PORT]),
        last_value(destination),
        last_value(tcp ? columns[COLUMN_TCP_DESTINATION_PORT]
                       : columns[COLUMN_UDP_DESTINATION_PORT]));
    GPtrArray *list = g_hash_table_lookup(flows, key);
    if (list == NULL)
        return NULL;
    double time = g_ascii_strtod(columns[COLUMN_TIME], NULL);
    for (guint index = 0; index < list->len; index++) {
        Flow *flow = g_ptr_array_index(list, index);
        if (list->len == 1 || (time >= flow->first_seen - 1e-6 && time <= flow->last_seen + 1e-6))
            return flow->object;
    }
    return NULL;
}

static bool has_payload(char **columns)
{
    return atoi(columns[COLUMN_TCP_LENGTH]) > 0 || atoi(columns[COLUMN_UDP_LENGTH]) > 8;
}

static bool protocols_contain(const char *protocols, const char *name)
{
    g_auto(GStrv) layers = g_strsplit(protocols, ":", -1);
    for (char **layer = layers; *layer != NULL; layer++)
        if (strcmp(*layer, name) == 0)
            return true;
    return false;
}

static char **read_lines(const char *path)
{
    char *text = NULL;
    GError *error = NULL;
    if (!g_file_get_contents(path, &text, NULL, &error)) {
        fprintf(stderr, "%s: %s\n", path, error->message);
        exit(2);
    }
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

/* Every payload packet of an HTTP, TLS or SSH flow is decoded by that protocol's dissector,
 * or is a segment TCP reassembled into a later frame. */
static void check_protocols(GHashTable *flows, char **lines)
{
    for (char **line = lines; *line != NULL; line++) {
        g_auto(GStrv) columns = split_columns(*line);
        if (columns == NULL || !has_payload(columns))
            continue;
        JsonObject *flow = flow_of_line(flows, columns);
        if (flow == NULL)
            continue;
        const char *app = json_object_get_string_member(flow, "app");
        if (strcmp(app, "unknown") == 0)
            continue;
        checks++;
        const char *protocols = columns[COLUMN_PROTOCOLS];
        if (protocols_contain(protocols, app) ||
            (strcmp(app, "http") == 0 && protocols_contain(protocols, "http2")) ||
            columns[COLUMN_REASSEMBLED_IN][0] != '\0' ||
            strstr(columns[COLUMN_INFO], "TCP segment of a reassembled PDU") != NULL)
            continue;
        JsonNode *http = json_object_get_member(flow, "http");
        if (http != NULL && JSON_NODE_HOLDS_OBJECT(http) &&
            json_object_get_boolean_member_with_default(json_node_get_object(http),
                                                        "h2c_prior_knowledge", FALSE)) {
            /* Wireshark 4.0's HTTP dissector keeps HTTP/2 frames after a prior-knowledge
             * preface to itself only when it is reached through its port table. */
            notes++;
            printf("note: frame %s: HTTP/2 frame after an h2c preface shown as %s\n",
                   columns[COLUMN_FRAME], protocols);
            continue;
        }
        fail("frame %s: flow is %s but tshark decoded %s (%s)", columns[COLUMN_FRAME], app,
             protocols, columns[COLUMN_INFO]);
    }
}

static void compare_field(const char *frame, const char *name, const char *plugin, const char *cli)
{
    checks++;
    if (strcmp(plugin, cli) != 0)
        fail("frame %s: oddport.%s is '%s' in tshark but '%s' in the CLI report", frame, name,
             plugin, cli);
}

static const char *json_string_or_empty(JsonObject *object, const char *member)
{
    JsonNode *node = json_object_get_member(object, member);
    return node != NULL && JSON_NODE_HOLDS_VALUE(node) ? json_node_get_string(node) : "";
}

/* The oddport.* fields on every packet of a flow say what the CLI says of the flow. */
static void check_fields(GHashTable *flows, char **lines)
{
    for (char **line = lines; *line != NULL; line++) {
        g_auto(GStrv) columns = split_columns(*line);
        if (columns == NULL)
            continue;
        JsonObject *flow = flow_of_line(flows, columns);
        if (flow == NULL)
            continue;
        const char *frame = columns[COLUMN_FRAME];
        compare_field(frame, "app", columns[COLUMN_APP],
                      json_object_get_string_member(flow, "app"));
        compare_field(frame, "nonstandard", columns[COLUMN_NONSTANDARD],
                      json_object_get_boolean_member(flow, "nonstandard") ? "1" : "0");
        compare_field(frame, "severity", columns[COLUMN_SEVERITY],
                      json_string_or_empty(flow, "severity"));
        compare_field(frame, "mismatch", columns[COLUMN_MISMATCH],
                      json_object_get_boolean_member(flow, "mismatch") ? "1" : "0");
        compare_field(frame, "client_port_class", columns[COLUMN_CLIENT_PORT_CLASS],
                      json_object_get_string_member(json_object_get_object_member(flow, "client"),
                                                    "port_class"));
        compare_field(frame, "server_port_class", columns[COLUMN_SERVER_PORT_CLASS],
                      json_object_get_string_member(json_object_get_object_member(flow, "server"),
                                                    "port_class"));
        JsonArray *expected = json_object_get_array_member(flow, "expected_ports");
        GString *ports = g_string_new(NULL);
        for (guint index = 0; index < json_array_get_length(expected); index++)
            g_string_append_printf(ports, "%s%" G_GINT64_FORMAT, index > 0 ? "," : "",
                                   json_array_get_int_element(expected, index));
        compare_field(frame, "expected_ports", columns[COLUMN_EXPECTED_PORTS], ports->str);
        g_string_free(ports, TRUE);
    }
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

int main(int argc, char **argv)
{
    if (argc < 4 || (strcmp(argv[1], "unchanged") == 0 && argc != 5)) {
        fprintf(stderr, "usage: check-plugin protocols|fields REPORT.json TSHARK.tsv\n"
                        "       check-plugin unchanged REPORT.json WITH.tsv WITHOUT.tsv\n");
        return 2;
    }
    g_autoptr(JsonParser) parser = json_parser_new();
    GHashTable *flows = load_flows(parser, argv[2]);
    char **lines = read_lines(argv[3]);
    if (strcmp(argv[1], "protocols") == 0) {
        check_protocols(flows, lines);
    } else if (strcmp(argv[1], "fields") == 0) {
        check_fields(flows, lines);
    } else if (strcmp(argv[1], "unchanged") == 0) {
        char **baseline = read_lines(argv[4]);
        check_unchanged(flows, lines, baseline);
        g_strfreev(baseline);
    } else {
        fprintf(stderr, "check-plugin: unknown mode '%s'\n", argv[1]);
        return 2;
    }
    g_strfreev(lines);
    g_hash_table_unref(flows);
    if (checks == 0) {
        printf("no packet was checked: the capture or the tshark output is not what was meant\n");
        return 1;
    }
    printf("%u passed, %u failed%s\n", checks - failures, failures,
           notes > 0 ? " (with notes above)" : "");
    return failures == 0 ? 0 : 1;
}
