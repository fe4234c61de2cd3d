/* Checks an NDJSON report line by line against the JSON report of the same run. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <json-glib/json-glib.h>

static unsigned problems;

static void problem(const char *format, ...) G_GNUC_PRINTF(1, 2);
static void problem(const char *format, ...)
{
    problems++;
    if (problems > 20)
        return;
    va_list arguments;
    va_start(arguments, format);
    g_autofree char *message = g_strdup_vprintf(format, arguments);
    va_end(arguments);
    fprintf(stderr, "%s\n", message);
}

/* Compact JSON text in the members' own order, so two values compare equal only when they
 * hold the same members in the same order with the same values. */
static char *canonical(JsonNode *node)
{
    return json_to_string(node, FALSE);
}

/* Everything the JSON report holds but its flows, in its order, as canonical text. */
static char *summary_of(JsonObject *report)
{
    g_autoptr(JsonObject) summary = json_object_new();
    GList *names = json_object_get_members(report);
    for (GList *name = names; name != NULL; name = name->next)
        if (strcmp(name->data, "flows") != 0)
            json_object_set_member(summary, name->data,
                                   json_node_copy(json_object_get_member(report, name->data)));
    g_list_free(names);
    g_autoptr(JsonNode) node = json_node_init_object(json_node_alloc(), summary);
    return canonical(node);
}

static JsonNode *parse(const char *text, gssize length, const char *where)
{
    g_autoptr(JsonParser) parser = json_parser_new();
    GError *error = NULL;
    if (!json_parser_load_from_data(parser, text, length, &error)) {
        problem("%s: does not parse on its own: %s", where, error->message);
        g_error_free(error);
        return NULL;
    }
    JsonNode *root = json_parser_get_root(parser);
    if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root)) {
        problem("%s: is not a JSON object", where);
        return NULL;
    }
    return json_node_copy(root);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: check-ndjson REPORT.json REPORT.ndjson\n");
        return 2;
    }
    g_autofree char *json_text = NULL;
    g_autofree char *ndjson_text = NULL;
    gsize ndjson_length = 0;
    GError *error = NULL;
    if (!g_file_get_contents(argv[1], &json_text, NULL, &error) ||
        !g_file_get_contents(argv[2], &ndjson_text, &ndjson_length, &error)) {
        fprintf(stderr, "%s\n", error->message);
        g_error_free(error);
        return 2;
    }
    g_autoptr(JsonNode) report = parse(json_text, -1, argv[1]);
    if (report == NULL)
        return 1;
    JsonObject *report_object = json_node_get_object(report);
    JsonArray *flows = json_object_get_array_member(report_object, "flows");

    /* Lines end with a line feed alone, the last one included, and none is blank. */
    if (ndjson_length == 0 || ndjson_text[ndjson_length - 1] != '\n')
        problem("%s: does not end with a line feed", argv[2]);
    if (memchr(ndjson_text, '\r', ndjson_length) != NULL)
        problem("%s: holds a carriage return", argv[2]);
    if (strlen(ndjson_text) != ndjson_length)
        problem("%s: holds a NUL byte", argv[2]);
    g_auto(GStrv) lines = g_strsplit(ndjson_text, "\n", -1);
    guint line_count = g_strv_length(lines) - 1; /* after the last line feed comes "" */

    guint flow_count = 0;
    bool summary_seen = false;
    for (guint index = 0; index < line_count; index++) {
        const char *line = lines[index];
        g_autofree char *where = g_strdup_printf("%s:%u", argv[2], index + 1);
        bool is_flow = g_str_has_prefix(line, "{\"type\":\"flow\",");
        bool is_summary = g_str_has_prefix(line, "{\"type\":\"summary\",");
        if (!is_flow && !is_summary) {
            problem("%s: does not start with {\"type\":\"flow\" or {\"type\":\"summary\"", where);
            continue;
        }
        if (summary_seen)
            problem("%s: comes after the summary line", where);
        g_autoptr(JsonNode) node = parse(line, -1, where);
        if (node == NULL)
            continue;
        JsonObject *object = json_node_get_object(node);
        json_object_remove_member(object, "type");
        if (is_summary) {
            summary_seen = true;
            g_autofree char *want = summary_of(report_object);
            g_autofree char *got = canonical(node);
            if (strcmp(want, got) != 0)
                problem("%s: the summary differs from the JSON report without its flows:\n"
                        "  json:   %.300s\n  ndjson: %.300s",
                        where, want, got);
            continue;
        }
        if (flows == NULL || flow_count >= json_array_get_length(flows)) {
            problem("%s: a flow the JSON report does not have", where);
            flow_count++;
            continue;
        }
        g_autofree char *want = canonical(json_array_get_element(flows, flow_count));
        g_autofree char *got = canonical(node);
        if (strcmp(want, got) != 0)
            problem("%s: flow %u differs from the JSON report's:\n  json:   %.300s\n"
                    "  ndjson: %.300s",
                    where, flow_count, want, got);
        flow_count++;
    }
    if (!summary_seen)
        problem("%s: no summary line", argv[2]);
    guint json_flows = flows != NULL ? json_array_get_length(flows) : 0;
    if (flow_count != json_flows)
        problem("%s: %u flow lines, the JSON report has %u flows", argv[2], flow_count, json_flows);
    JsonObject *totals = json_object_get_object_member(report_object, "totals");
    if (totals == NULL || (guint64)json_object_get_int_member(totals, "flows") != flow_count)
        problem("%s: %u flow lines, totals.flows says otherwise", argv[2], flow_count);
    if (problems > 0) {
        fprintf(stderr, "%u problems\n", problems);
        return 1;
    }
    printf("%u flow lines and the summary match the JSON report\n", flow_count);
    return 0;
}
