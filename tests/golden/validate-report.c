/* Checks that an oddport JSON report parses and holds every member the schema 1 contract names. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <json-glib/json-glib.h>

static unsigned problems;

static void problem(const char *where, const char *what)
{
    problems++;
    if (problems <= 20)
        fprintf(stderr, "%s: %s\n", where, what);
}

/* Checks that `object` has each member in `names` (a space-separated list). */
static void require_members(JsonObject *object, const char *where, const char *names)
{
    g_auto(GStrv) list = g_strsplit(names, " ", -1);
    for (char **name = list; *name != NULL; name++) {
        if (!json_object_has_member(object, *name)) {
            g_autofree char *message = g_strdup_printf("missing member '%s'", *name);
            problem(where, message);
        }
    }
}

static JsonObject *member_object(JsonObject *object, const char *name, const char *where)
{
    JsonNode *node = json_object_get_member(object, name);
    if (node == NULL || !JSON_NODE_HOLDS_OBJECT(node)) {
        g_autofree char *message = g_strdup_printf("'%s' is not an object", name);
        problem(where, message);
        return NULL;
    }
    return json_node_get_object(node);
}

static void check_endpoint(JsonObject *flow, const char *name, const char *where)
{
    JsonObject *endpoint = member_object(flow, name, where);
    if (endpoint != NULL)
        require_members(endpoint, where, "ip port port_class");
}

static void check_flow(JsonObject *flow, guint index)
{
    g_autofree char *where = g_strdup_printf("flows[%u]", index);
    require_members(flow, where,
                    "id transport client server vlan app client_app server_app mismatch "
                    "nonstandard severity expected_ports iana_service confidence evidence "
                    "direction http tls ssh first_seen last_seen packets bytes c2s s2c");
    check_endpoint(flow, "client", where);
    check_endpoint(flow, "server", where);
    const char *app = json_object_get_string_member_with_default(flow, "app", "");
    if (strcmp(app, "http") != 0 && strcmp(app, "tls") != 0 && strcmp(app, "ssh") != 0 &&
        strcmp(app, "unknown") != 0)
        problem(where, "app is not http, tls, ssh or unknown");
    const char *confidence = json_object_get_string_member_with_default(flow, "confidence", "");
    if (strcmp(confidence, "high") != 0 && strcmp(confidence, "medium") != 0 &&
        strcmp(confidence, "low") != 0)
        problem(where, "confidence is not high, medium or low");
    bool nonstandard = json_object_get_boolean_member_with_default(flow, "nonstandard", FALSE);
    JsonNode *severity = json_object_get_member(flow, "severity");
    if (severity != NULL && nonstandard == JSON_NODE_HOLDS_NULL(severity))
        problem(where, "severity must be set exactly when the flow is nonstandard");
    gint64 packets = json_object_get_int_member_with_default(flow, "packets", -1);
    JsonObject *c2s = member_object(flow, "c2s", where);
    JsonObject *s2c = member_object(flow, "s2c", where);
    if (c2s != NULL && s2c != NULL &&
        json_object_get_int_member_with_default(c2s, "packets", 0) +
                json_object_get_int_member_with_default(s2c, "packets", 0) !=
            packets)
        problem(where, "c2s and s2c packets do not add up to packets");
}

static void check_service(JsonObject *service, guint index)
{
    g_autofree char *where = g_strdup_printf("services[%u]", index);
    require_members(service, where,
                    "server transport app nonstandard severity flows clients packets bytes "
                    "first_seen last_seen server_spoke other_server opening_from opening");
    const char *app = json_object_get_string_member_with_default(service, "app", "");
    JsonObject *server = member_object(service, "server", where);
    const char *port_class =
        server != NULL ? json_object_get_string_member_with_default(server, "port_class", "") : "";
    /* An other server is unrecognised traffic off the well-known ports where a server spoke. */
    if (json_object_get_boolean_member_with_default(service, "other_server", FALSE) &&
        (strcmp(app, "unknown") != 0 || strcmp(port_class, "well-known") == 0 ||
         !json_object_get_boolean_member_with_default(service, "server_spoke", FALSE)))
        problem(where, "other_server is set on a service that is not one");
    JsonNode *from = json_object_get_member(service, "opening_from");
    JsonNode *opening = json_object_get_member(service, "opening");
    if (from != NULL && opening != NULL &&
        JSON_NODE_HOLDS_NULL(from) != JSON_NODE_HOLDS_NULL(opening))
        problem(where, "opening and opening_from must be null together");
    if (opening != NULL && !JSON_NODE_HOLDS_NULL(opening) && strcmp(app, "unknown") != 0)
        problem(where, "only unrecognised services keep their opening bytes");
}

static gint64 skipped_count(JsonObject *owner, const char *reason)
{
    JsonNode *node = json_object_get_member(owner, "skipped_packets");
    if (node == NULL || !JSON_NODE_HOLDS_OBJECT(node))
        return 0;
    return json_object_get_int_member_with_default(json_node_get_object(node), reason, 0);
}

static void check_capture(JsonObject *capture, guint index)
{
    g_autofree char *where = g_strdup_printf("captures[%u]", index);
    require_members(capture, where,
                    "path error error_kind format link_types packets bytes first_seen last_seen "
                    "truncated warnings skipped_packets");
    JsonNode *error = json_object_get_member(capture, "error");
    if (error == NULL)
        return;
    JsonNode *kind = json_object_get_member(capture, "error_kind");
    if (kind != NULL && JSON_NODE_HOLDS_NULL(error) != JSON_NODE_HOLDS_NULL(kind))
        problem(where, "error_kind must be set exactly when error is");
    if (JSON_NODE_HOLDS_NULL(error)) {
        JsonNode *format = json_object_get_member(capture, "format");
        if (format != NULL && JSON_NODE_HOLDS_NULL(format))
            problem(where, "a capture that was read has a format");
        return;
    }
    /* A capture that could not be read is listed with nothing counted from it. */
    if (json_object_get_int_member_with_default(capture, "packets", -1) != 0 ||
        json_object_get_int_member_with_default(capture, "bytes", -1) != 0)
        problem(where, "a capture that was not read has packets or bytes");
    JsonObject *skipped = member_object(capture, "skipped_packets", where);
    if (skipped != NULL && json_object_get_size(skipped) != 0)
        problem(where, "a capture that was not read has skipped packets");
}

/* The totals are the captures' sums: packets, bytes and each reason's skipped packets. */
static void check_captures_add_up(JsonArray *captures, JsonObject *totals)
{
    gint64 packets = 0;
    gint64 bytes = 0;
    for (guint index = 0; index < json_array_get_length(captures); index++) {
        JsonObject *capture = json_array_get_object_element(captures, index);
        packets += json_object_get_int_member_with_default(capture, "packets", 0);
        bytes += json_object_get_int_member_with_default(capture, "bytes", 0);
    }
    if (packets != json_object_get_int_member_with_default(totals, "packets", -1) ||
        bytes != json_object_get_int_member_with_default(totals, "bytes", -1))
        problem("totals", "packets or bytes are not the captures' sums");
    JsonNode *node = json_object_get_member(totals, "skipped_packets");
    if (node == NULL || !JSON_NODE_HOLDS_OBJECT(node))
        return;
    /* Every reason either side names, so a reason missing from one side is caught too. */
    GHashTable *reasons = g_hash_table_new(g_str_hash, g_str_equal);
    GList *names = json_object_get_members(json_node_get_object(node));
    for (GList *name = names; name != NULL; name = name->next)
        g_hash_table_add(reasons, name->data);
    GList *more = NULL;
    for (guint index = 0; index < json_array_get_length(captures); index++) {
        JsonNode *own = json_object_get_member(json_array_get_object_element(captures, index),
                                               "skipped_packets");
        if (own == NULL || !JSON_NODE_HOLDS_OBJECT(own))
            continue;
        GList *own_names = json_object_get_members(json_node_get_object(own));
        for (GList *name = own_names; name != NULL; name = name->next)
            g_hash_table_add(reasons, name->data);
        more = g_list_concat(more, own_names);
    }
    GHashTableIter iterator;
    gpointer reason;
    g_hash_table_iter_init(&iterator, reasons);
    while (g_hash_table_iter_next(&iterator, &reason, NULL)) {
        gint64 sum = 0;
        for (guint index = 0; index < json_array_get_length(captures); index++)
            sum += skipped_count(json_array_get_object_element(captures, index), reason);
        if (sum != skipped_count(totals, reason)) {
            g_autofree char *message = g_strdup_printf(
                "skipped_packets.%s is not the captures' sum", (const char *)reason);
            problem("totals", message);
        }
    }
    g_list_free(more);
    g_list_free(names);
    g_hash_table_unref(reasons);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: validate-report REPORT.json\n");
        return 2;
    }
    g_autoptr(JsonParser) parser = json_parser_new();
    GError *error = NULL;
    if (!json_parser_load_from_file(parser, argv[1], &error)) {
        fprintf(stderr, "%s: not JSON: %s\n", argv[1], error->message);
        g_error_free(error);
        return 1;
    }
    JsonNode *root = json_parser_get_root(parser);
    if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root)) {
        fprintf(stderr, "%s: the report is not a JSON object\n", argv[1]);
        return 1;
    }
    JsonObject *report = json_node_get_object(root);
    require_members(
        report, "report",
        "oddport schema incomplete captures warnings totals port_classes apps services flows");
    if (json_object_get_int_member_with_default(report, "schema", 0) != 1)
        problem("report", "schema is not 1");
    JsonObject *totals = member_object(report, "totals", "report");
    if (totals != NULL)
        require_members(totals, "totals",
                        "packets bytes flows tcp_flows udp_flows skipped_packets");
    JsonNode *warnings = json_object_get_member(report, "warnings");
    if (warnings != NULL && !JSON_NODE_HOLDS_ARRAY(warnings))
        problem("report", "warnings is not an array");
    JsonObject *port_classes = member_object(report, "port_classes", "report");
    if (port_classes != NULL)
        require_members(port_classes, "port_classes", "well-known registered ephemeral");
    JsonObject *apps = member_object(report, "apps", "report");
    if (apps != NULL)
        require_members(apps, "apps", "http tls ssh unknown");

    JsonArray *captures = json_object_get_array_member(report, "captures");
    for (guint index = 0; captures != NULL && index < json_array_get_length(captures); index++)
        check_capture(json_array_get_object_element(captures, index), index);
    if (totals != NULL && captures != NULL)
        check_captures_add_up(captures, totals);
    JsonArray *services = json_object_get_array_member(report, "services");
    for (guint index = 0; services != NULL && index < json_array_get_length(services); index++)
        check_service(json_array_get_object_element(services, index), index);
    JsonArray *flows = json_object_get_array_member(report, "flows");
    guint flow_count = flows != NULL ? json_array_get_length(flows) : 0;
    for (guint index = 0; index < flow_count; index++)
        check_flow(json_array_get_object_element(flows, index), index);
    if (totals != NULL &&
        json_object_get_int_member_with_default(totals, "flows", -1) != (gint64)flow_count)
        problem("totals", "flows does not match the number of flow objects");
    /* Accounting: every packet read is in exactly one flow or skipped for a named reason. */
    if (totals != NULL) {
        gint64 accounted = 0;
        for (guint index = 0; index < flow_count; index++)
            accounted += json_object_get_int_member_with_default(
                json_array_get_object_element(flows, index), "packets", 0);
        JsonObject *skipped = member_object(totals, "skipped_packets", "totals");
        if (skipped != NULL) {
            GList *reasons = json_object_get_members(skipped);
            for (GList *reason = reasons; reason != NULL; reason = reason->next)
                accounted += json_object_get_int_member(skipped, reason->data);
            g_list_free(reasons);
        }
        gint64 packets = json_object_get_int_member_with_default(totals, "packets", -1);
        if (accounted != packets) {
            g_autofree char *message =
                g_strdup_printf("%" G_GINT64_FORMAT " packets read but %" G_GINT64_FORMAT
                                " in flows and skipped: they do not reconcile",
                                packets, accounted);
            problem("totals", message);
        }
    }
    if (problems > 0) {
        fprintf(stderr, "%s: %u problems\n", argv[1], problems);
        return 1;
    }
    return 0;
}
