/* libFuzzer target: oddport merge, from the bytes of damaged or crafted reports to one report. */
#include <stdbool.h>
#include <stdio.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "fuzz-common.h"
#include "merge.h"

#include "oddport/report.h"

/* A report never holds a raw NUL (JSON escapes it), so NUL bytes split the input into the parts'
 * reports: one input is a whole capture set's worth of runs, and the joining of flows cut by a
 * part's end is reached as easily as the reading of one report. */
#define FUZZ_PARTS_MAX 4

/* Reads each part's report into a new merge: how many were accepted. */
static unsigned add_parts(OddportMerge *merge, const uint8_t *data, size_t size)
{
    unsigned accepted = 0;
    size_t start = 0;
    for (unsigned part = 0; part < FUZZ_PARTS_MAX; part++) {
        const uint8_t *end = start < size ? memchr(data + start, '\0', size - start) : NULL;
        size_t length = end != NULL ? (size_t)(end - (data + start)) : size - start;
        /* A copy of exactly the report's bytes, no NUL after them: the reader must stay within
         * `length`, and the sanitizers see it if it does not. */
        char *text = g_malloc(length > 0 ? length : 1);
        if (length > 0)
            memcpy(text, data + start, length);
        char name[16];
        snprintf(name, sizeof name, "part-%u", part);
        GError *error = NULL;
        bool added = oddport_merge_add_report(merge, name, text, length, &error);
        /* Refused with a reason that names the report, or accepted without one. */
        FUZZ_CHECK(added == (error == NULL));
        if (error != NULL) {
            FUZZ_CHECK(strstr(error->message, name) != NULL);
            g_error_free(error);
        } else {
            accepted++;
        }
        g_free(text);
        if (end == NULL)
            break;
        start += length + 1;
    }
    return accepted;
}

/* The parts merged and written in `format_name`, in memory (free() it); NULL when no part was
 * accepted. Putting the parts together changes them, so each format gets a merge of its own. */
static char *merge_parts(const uint8_t *data, size_t size, const char *format_name, size_t *length)
{
    OddportMerge *merge = oddport_merge_new();
    char *text = NULL;
    if (add_parts(merge, data, size) > 0) {
        const OddportReportFormat *format = oddport_report_format_find(format_name);
        FUZZ_CHECK(format != NULL);
        FILE *stream = open_memstream(&text, length);
        FUZZ_CHECK(stream != NULL);
        const OddportReportOptions options = {0};
        FUZZ_CHECK(oddport_merge_write(merge, format, stream, &options));
        FUZZ_CHECK(fclose(stream) == 0);
    }
    oddport_merge_free(merge);
    return text;
}

/* The flows of every member of a table such as "apps" ({"http": {"flows": N, ...}, ...}). */
static gint64 flows_counted(JsonObject *table)
{
    gint64 flows = 0;
    GList *rows = json_object_get_values(table);
    for (GList *row = rows; row != NULL; row = row->next)
        flows += json_object_get_int_member(json_node_get_object(row->data), "flows");
    g_list_free(rows);
    return flows;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t length = 0;
    char *json = merge_parts(data, size, "json", &length);
    if (json == NULL)
        return 0;
    /* Whatever the parts held, the merged report is JSON with its flows and services; the text
     * and CSV reports come out too, escaping whatever strings the parts carried. */
    JsonParser *parser = json_parser_new();
    FUZZ_CHECK(json_parser_load_from_data(parser, json, (gssize)length, NULL));
    JsonNode *root = json_parser_get_root(parser);
    FUZZ_CHECK(root != NULL && JSON_NODE_HOLDS_OBJECT(root));
    JsonObject *report = json_node_get_object(root);
    FUZZ_CHECK(json_object_has_member(report, "flows") &&
               json_object_has_member(report, "services"));
    /* The totals, the port classes and the apps are counted again from the merged flows, so
     * they agree with the flows listed, whatever counts the parts' own summaries claimed. */
    gint64 flows = (gint64)json_array_get_length(json_object_get_array_member(report, "flows"));
    FUZZ_CHECK(json_object_get_int_member(json_object_get_object_member(report, "totals"),
                                          "flows") == flows);
    FUZZ_CHECK(flows_counted(json_object_get_object_member(report, "port_classes")) == flows);
    FUZZ_CHECK(flows_counted(json_object_get_object_member(report, "apps")) == flows);
    g_object_unref(parser);
    free(json);
    free(merge_parts(data, size, "text", &length));
    free(merge_parts(data, size, "csv", &length));
    return 0;
}
