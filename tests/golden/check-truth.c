/* check-truth: checks an oddport JSON report against a capture's ground-truth file, e.g.
 * captures/loopback.truth. */

/*
 * Usage: check-truth TRUTH_FILE REPORT.json
 *
 * TRUTH_FILE holds one scenario per line, tab-separated:
 *   transport server_ip server_port app nonstandard severity description
 * ("-" as severity when the service is not nonstandard; blank lines and lines
 * starting with '#' are ignored).  Every flow of the report whose transport
 * and server {ip, port} match a line must have that line's app, nonstandard
 * and severity (JSON null when not nonstandard); a line without any such flow
 * fails.  A TCP/UDP flow whose server endpoint is in no line is listed, and
 * fails unless its app is "unknown".
 *
 * Prints one line per mismatch and "N passed, M failed" at the end.
 * Exit status: 0 all passed, 1 any failure (including unreadable input),
 * 2 usage error.
 */

#include <gio/gio.h>
#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    guint line;      /* line number in the truth file */
    char *transport; /* "tcp" or "udp" */
    char *ip;        /* canonical text form */
    guint port;
    char *app;
    gboolean nonstandard;
    char *severity; /* NULL when not nonstandard */
    char *description;
    guint flows;      /* matching flows seen in the report */
    guint mismatches; /* field mismatches over those flows */
} TruthEntry;

static void truth_entry_free(gpointer data)
{
    TruthEntry *e = data;

    g_free(e->transport);
    g_free(e->ip);
    g_free(e->app);
    g_free(e->severity);
    g_free(e->description);
    g_free(e);
}

/* Canonical text form of an IP address, or NULL if TEXT is not one.
 * (transfer full) */
static char *canonical_ip(const char *text)
{
    g_autoptr(GInetAddress) addr = g_inet_address_new_from_string(text);

    return addr != NULL ? g_inet_address_to_string(addr) : NULL;
}

static char *endpoint_key(const char *transport, const char *canonical, guint port)
{
    return g_strdup_printf("%s %s %u", transport, canonical, port);
}

static gboolean parse_port(const char *text, guint *port)
{
    guint64 value;

    if (!g_ascii_string_to_unsigned(text, 10, 0, 65535, &value, NULL))
        return FALSE;
    *port = (guint)value;
    return TRUE;
}

/* Reads PATH into ENTRIES (owned TruthEntry) and INDEX (key -> entry). */
static gboolean load_truth(const char *path, GPtrArray *entries, GHashTable *index, GError **error)
{
    g_autofree char *contents = NULL;
    g_auto(GStrv) lines = NULL;

    if (!g_file_get_contents(path, &contents, NULL, error))
        return FALSE;
    lines = g_strsplit(contents, "\n", -1);

    for (guint i = 0; lines[i] != NULL; i++) {
        char *line = lines[i];
        size_t len = strlen(line);
        g_auto(GStrv) f = NULL;
        g_autofree char *ip = NULL;
        TruthEntry *e;
        guint port;

        if (len > 0 && line[len - 1] == '\r')
            line[len - 1] = '\0';
        if (line[0] == '\0' || line[0] == '#')
            continue;

        f = g_strsplit(line, "\t", 7);
        if (g_strv_length(f) != 7) {
            g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                        "%s:%u: expected 7 tab-separated fields", path, i + 1);
            return FALSE;
        }
        ip = canonical_ip(f[1]);
        if ((strcmp(f[0], "tcp") != 0 && strcmp(f[0], "udp") != 0) || ip == NULL ||
            !parse_port(f[2], &port) || f[3][0] == '\0' ||
            (strcmp(f[4], "true") != 0 && strcmp(f[4], "false") != 0) || f[5][0] == '\0') {
            g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                        "%s:%u: malformed line (transport tcp|udp, IP, port, "
                        "app, true|false, severity or -, description)",
                        path, i + 1);
            return FALSE;
        }

        e = g_new0(TruthEntry, 1);
        e->line = i + 1;
        e->transport = g_strdup(f[0]);
        e->ip = g_steal_pointer(&ip);
        e->port = port;
        e->app = g_strdup(f[3]);
        e->nonstandard = strcmp(f[4], "true") == 0;
        e->severity = (strcmp(f[5], "-") == 0 || strcmp(f[5], "null") == 0) ? NULL : g_strdup(f[5]);
        e->description = g_strdup(f[6]);
        g_ptr_array_add(entries, e);

        {
            char *key = endpoint_key(e->transport, e->ip, e->port);

            if (g_hash_table_contains(index, key)) {
                g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                            "%s:%u: server endpoint %s listed twice", path, e->line, key);
                g_free(key);
                return FALSE;
            }
            g_hash_table_insert(index, key, e);
        }
    }
    return TRUE;
}

/* Member NAME of OBJ if it is a JSON string, else NULL. (transfer none) */
static const char *member_string(JsonObject *obj, const char *name)
{
    JsonNode *node = json_object_get_member(obj, name);

    if (node == NULL || !JSON_NODE_HOLDS_VALUE(node) ||
        json_node_get_value_type(node) != G_TYPE_STRING)
        return NULL;
    return json_node_get_string(node);
}

static gboolean member_int(JsonObject *obj, const char *name, gint64 *value)
{
    JsonNode *node = json_object_get_member(obj, name);

    if (node == NULL || !JSON_NODE_HOLDS_VALUE(node) ||
        json_node_get_value_type(node) != G_TYPE_INT64)
        return FALSE;
    *value = json_node_get_int(node);
    return TRUE;
}

/* "flow 12" or "flow #3" (position) when the flow has no integer id. */
static char *flow_name(JsonObject *flow, guint position)
{
    gint64 id;

    if (member_int(flow, "id", &id))
        return g_strdup_printf("flow %" G_GINT64_FORMAT, id);
    return g_strdup_printf("flow #%u", position);
}

/* Compares one flow with its truth line; prints and counts mismatches. */
static void check_flow(JsonObject *flow, const char *name, TruthEntry *e)
{
    const char *app = member_string(flow, "app");
    JsonNode *ns = json_object_get_member(flow, "nonstandard");
    JsonNode *sev = json_object_get_member(flow, "severity");
    g_autofree char *where = g_strdup_printf("line %u (%s %s %u, %s): %s", e->line, e->transport,
                                             e->ip, e->port, e->description, name);

    e->flows++;

    if (app == NULL || strcmp(app, e->app) != 0) {
        printf("FAIL %s: app %s%s%s, truth \"%s\"\n", where, app ? "\"" : "", app ? app : "missing",
               app ? "\"" : "", e->app);
        e->mismatches++;
    }

    if (ns == NULL || !JSON_NODE_HOLDS_VALUE(ns) ||
        json_node_get_value_type(ns) != G_TYPE_BOOLEAN) {
        printf("FAIL %s: nonstandard missing or not a boolean, truth %s\n", where,
               e->nonstandard ? "true" : "false");
        e->mismatches++;
    } else if (json_node_get_boolean(ns) != e->nonstandard) {
        printf("FAIL %s: nonstandard %s, truth %s\n", where,
               json_node_get_boolean(ns) ? "true" : "false", e->nonstandard ? "true" : "false");
        e->mismatches++;
    }

    if (e->severity == NULL) {
        if (sev == NULL || !JSON_NODE_HOLDS_NULL(sev)) {
            const char *got = member_string(flow, "severity");

            printf("FAIL %s: severity %s%s%s, truth null\n", where, got ? "\"" : "",
                   got ? got : (sev ? "not a string" : "missing"), got ? "\"" : "");
            e->mismatches++;
        }
    } else {
        const char *got = member_string(flow, "severity");

        if (got == NULL || strcmp(got, e->severity) != 0) {
            printf("FAIL %s: severity %s%s%s, truth \"%s\"\n", where, got ? "\"" : "",
                   got ? got : (sev && JSON_NODE_HOLDS_NULL(sev) ? "null" : "missing"),
                   got ? "\"" : "", e->severity);
            e->mismatches++;
        }
    }
}

/* Loads REPORT's "flows" array. (transfer full) */
static JsonParser *load_report(const char *path, JsonArray **flows, GError **error)
{
    g_autoptr(JsonParser) parser = json_parser_new();
    JsonNode *root;
    JsonNode *node;

    if (!json_parser_load_from_file(parser, path, error))
        return NULL;
    root = json_parser_get_root(parser);
    if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root)) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                    "%s: the report is not a JSON object", path);
        return NULL;
    }
    node = json_object_get_member(json_node_get_object(root), "flows");
    if (node == NULL || !JSON_NODE_HOLDS_ARRAY(node)) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                    "%s: no \"flows\" array in the report", path);
        return NULL;
    }
    *flows = json_node_get_array(node);
    return g_steal_pointer(&parser);
}

int main(int argc, char **argv)
{
    g_autoptr(GPtrArray) entries = NULL;
    g_autoptr(GHashTable) index = NULL;
    g_autoptr(JsonParser) parser = NULL;
    g_autoptr(GError) error = NULL;
    JsonArray *flows = NULL;
    guint passed = 0, failed = 0;

    if (argc != 3) {
        fprintf(stderr, "usage: check-truth TRUTH_FILE REPORT.json\n");
        return 2;
    }

    entries = g_ptr_array_new_with_free_func(truth_entry_free);
    index = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    if (!load_truth(argv[1], entries, index, &error)) {
        fprintf(stderr, "check-truth: %s\n", error->message);
        return 1;
    }
    parser = load_report(argv[2], &flows, &error);
    if (parser == NULL) {
        fprintf(stderr, "check-truth: %s\n", error->message);
        return 1;
    }

    for (guint i = 0; i < json_array_get_length(flows); i++) {
        JsonNode *node = json_array_get_element(flows, i);
        JsonObject *flow, *server;
        JsonNode *server_node;
        const char *transport, *ip, *app;
        g_autofree char *name = NULL;
        g_autofree char *canonical = NULL;
        g_autofree char *key = NULL;
        gint64 port;
        TruthEntry *e;

        if (!JSON_NODE_HOLDS_OBJECT(node)) {
            printf("FAIL flow #%u: not a JSON object\n", i);
            failed++;
            continue;
        }
        flow = json_node_get_object(node);
        name = flow_name(flow, i);
        transport = member_string(flow, "transport");
        if (transport == NULL || (strcmp(transport, "tcp") != 0 && strcmp(transport, "udp") != 0))
            continue; /* only TCP and UDP flows are checked */

        server_node = json_object_get_member(flow, "server");
        server = (server_node != NULL && JSON_NODE_HOLDS_OBJECT(server_node))
                     ? json_node_get_object(server_node)
                     : NULL;
        ip = server ? member_string(server, "ip") : NULL;
        canonical = ip ? canonical_ip(ip) : NULL;
        if (canonical == NULL || !member_int(server, "port", &port) || port < 0 || port > 65535) {
            printf("FAIL %s: no valid server {ip, port}\n", name);
            failed++;
            continue;
        }
        if (strcmp(canonical, ip) != 0) {
            printf("FAIL %s: server ip \"%s\" is not in canonical form (\"%s\")\n", name, ip,
                   canonical);
            failed++;
        }

        key = endpoint_key(transport, canonical, (guint)port);
        e = g_hash_table_lookup(index, key);
        if (e != NULL) {
            check_flow(flow, name, e);
            continue;
        }

        app = member_string(flow, "app");
        if (app != NULL && strcmp(app, "unknown") == 0)
            printf("note %s: server %s not in the truth file (app unknown)\n", name, key);
        else {
            printf("FAIL %s: server %s not in the truth file, app %s%s%s\n", name, key,
                   app ? "\"" : "", app ? app : "missing", app ? "\"" : "");
            failed++;
        }
    }

    for (guint i = 0; i < entries->len; i++) {
        TruthEntry *e = g_ptr_array_index(entries, i);

        if (e->flows == 0)
            printf("FAIL line %u (%s %s %u, %s): no flow in the report\n", e->line, e->transport,
                   e->ip, e->port, e->description);
        if (e->flows == 0 || e->mismatches > 0)
            failed++;
        else
            passed++;
    }

    printf("%u passed, %u failed\n", passed, failed);
    return failed > 0 ? 1 : 0;
}
