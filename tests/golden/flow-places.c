/* flow-places: prints each flow of an oddport JSON report as one tab-separated line, for the
 * tests that look its packets up with tshark. */

/*
 * Usage: flow-places REPORT.json
 *
 * One line per flow: id, transport, client ip, client port, server ip, server port, community
 * id, first packet capture, first packet frame, deciding packet capture ("-" when none),
 * deciding packet frame (0 when none), deciding side ("-" when none). Exit status 1 when the
 * report cannot be read or a flow lacks a member.
 */

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdio.h>

static const char *text_or_dash(JsonObject *object, const char *member)
{
    JsonNode *node = json_object_get_member(object, member);
    return node != NULL && JSON_NODE_HOLDS_VALUE(node) ? json_node_get_string(node) : "-";
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: flow-places REPORT.json\n");
        return 2;
    }
    g_autoptr(JsonParser) parser = json_parser_new();
    GError *error = NULL;
    if (!json_parser_load_from_file(parser, argv[1], &error)) {
        fprintf(stderr, "flow-places: %s: %s\n", argv[1], error->message);
        g_error_free(error);
        return 1;
    }
    JsonObject *report = json_node_get_object(json_parser_get_root(parser));
    JsonArray *flows = json_object_get_array_member(report, "flows");
    for (guint index = 0; index < json_array_get_length(flows); index++) {
        JsonObject *flow = json_array_get_object_element(flows, index);
        JsonObject *client = json_object_get_object_member(flow, "client");
        JsonObject *server = json_object_get_object_member(flow, "server");
        JsonObject *first = json_object_get_object_member(flow, "first_packet");
        if (client == NULL || server == NULL || first == NULL ||
            !json_object_has_member(flow, "community_id") ||
            !json_object_has_member(flow, "deciding_packet")) {
            fprintf(stderr, "flow-places: flow %u lacks a member\n", index);
            return 1;
        }
        JsonNode *deciding_node = json_object_get_member(flow, "deciding_packet");
        JsonObject *deciding =
            JSON_NODE_HOLDS_OBJECT(deciding_node) ? json_node_get_object(deciding_node) : NULL;
        printf(
            "%" G_GINT64_FORMAT "\t%s\t%s\t%" G_GINT64_FORMAT "\t%s\t%" G_GINT64_FORMAT
            "\t%s\t%s\t%" G_GINT64_FORMAT "\t%s\t%" G_GINT64_FORMAT "\t%s\n",
            json_object_get_int_member(flow, "id"),
            json_object_get_string_member(flow, "transport"),
            json_object_get_string_member(client, "ip"), json_object_get_int_member(client, "port"),
            json_object_get_string_member(server, "ip"), json_object_get_int_member(server, "port"),
            json_object_get_string_member(flow, "community_id"),
            json_object_get_string_member(first, "capture"),
            json_object_get_int_member(first, "frame"),
            deciding != NULL ? text_or_dash(deciding, "capture") : "-",
            deciding != NULL ? json_object_get_int_member(deciding, "frame") : 0,
            deciding != NULL ? text_or_dash(deciding, "side") : "-");
    }
    return 0;
}
