/* Unit tests for the table of report formats: names, lookup, and every format driven alike. */
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "oddport/report.h"
#include "report-samples.h"

/* Every format is found by its own name, names are unique lowercase words, and every call of
 * the interface is there. */
static void test_every_format_is_found_by_name(void)
{
    g_assert_cmpuint(oddport_report_format_count, >=, 5);
    for (size_t index = 0; index < oddport_report_format_count; index++) {
        const OddportReportFormat *format = oddport_report_formats[index];
        g_assert_true(oddport_report_format_find(format->name) == format);
        g_assert_cmpuint(strlen(format->name), >, 0);
        for (const char *character = format->name; *character != '\0'; character++)
            g_assert_true(g_ascii_islower(*character));
        g_assert_nonnull(format->description);
        g_assert_cmpuint(strlen(format->description), >, 0);
        g_assert_nonnull(format->begin);
        g_assert_nonnull(format->add_flow);
        g_assert_nonnull(format->end);
        g_assert_nonnull(format->discard);
        for (size_t other = index + 1; other < oddport_report_format_count; other++)
            g_assert_cmpstr(format->name, !=, oddport_report_formats[other]->name);
    }
    /* The formats the manual and the README promise. */
    const char *const documented[] = {"text", "json", "csv", "ndjson", "html"};
    for (size_t index = 0; index < G_N_ELEMENTS(documented); index++)
        g_assert_nonnull(oddport_report_format_find(documented[index]));
    g_assert_cmpstr(oddport_report_formats[0]->name, ==, "text");
}

static void test_unknown_names(void)
{
    g_assert_null(oddport_report_format_find(""));
    g_assert_null(oddport_report_format_find("xml"));
    g_assert_null(oddport_report_format_find("JSON"));
    g_assert_null(oddport_report_format_find("json "));
    g_assert_null(oddport_report_format_find("jsonl"));
}

/* The list the help and the usage errors print names every format once, in table order. */
static void test_names_for_help(void)
{
    g_autofree char *plain = oddport_report_format_names(false);
    g_autofree char *marked = oddport_report_format_names(true);
    g_assert_null(strstr(plain, "(default)"));
    g_autofree char *default_marked =
        g_strdup_printf("%s (default)", oddport_report_formats[0]->name);
    g_assert_true(g_str_has_prefix(marked, default_marked));
    const char *cursor = plain;
    for (size_t index = 0; index < oddport_report_format_count; index++) {
        const char *name = oddport_report_formats[index]->name;
        const char *found = strstr(cursor, name);
        g_assert_nonnull(found);
        g_assert_nonnull(strstr(marked, name));
        cursor = found + strlen(name);
    }
    g_autofree char *last =
        g_strdup_printf(" or %s", oddport_report_formats[oddport_report_format_count - 1]->name);
    g_assert_true(g_str_has_suffix(plain, last));
}

/* A run with one capture and the sample flows in its tally. */
typedef struct {
    SampleFlow samples[SAMPLE_COUNT];
    OddportTally *tally;
    OddportCaptureSummary capture;
    OddportSummary summary;
    OddportRunResult run;
} SampleRun;

static void sample_run_init(SampleRun *run)
{
    memset(run, 0, sizeof *run);
    run->tally = oddport_tally_new();
    for (unsigned kind = 0; kind < SAMPLE_COUNT; kind++) {
        sample_flow(&run->samples[kind], (SampleKind)kind, kind + 1);
        oddport_tally_add_flow(run->tally, &run->samples[kind].flow);
    }
    run->capture.path = "sample.pcap";
    run->capture.format = ODDPORT_CAPTURE_FORMAT_PCAP;
    run->capture.link_types = g_ptr_array_new();
    g_ptr_array_add(run->capture.link_types, "ethernet");
    run->capture.warnings = g_ptr_array_new();
    run->capture.packets = 12 * SAMPLE_COUNT;
    run->capture.bytes = 1158 * SAMPLE_COUNT;
    run->capture.first_seen_ns = run->samples[0].flow.first_seen_ns;
    run->capture.last_seen_ns = run->samples[SAMPLE_COUNT - 1].flow.last_seen_ns;
    run->capture.precision_digits = 6;
    run->summary.captures = g_ptr_array_new();
    g_ptr_array_add(run->summary.captures, &run->capture);
    run->summary.warnings = g_ptr_array_new();
    g_ptr_array_add(run->summary.warnings, "a run warning");
    run->summary.packets = run->capture.packets;
    run->summary.bytes = run->capture.bytes;
    run->summary.counts = oddport_tally_counts(run->tally);
    run->summary.precision_digits = 9;
    run->run.summary = &run->summary;
    run->run.tally = run->tally;
}

static void sample_run_clear(SampleRun *run)
{
    g_ptr_array_unref(run->capture.link_types);
    g_ptr_array_unref(run->capture.warnings);
    g_ptr_array_unref(run->summary.captures);
    g_ptr_array_unref(run->summary.warnings);
    oddport_tally_free(run->tally);
}

/* Writes the sample run in `format` through the interface; returns what it wrote (g_free). */
static char *write_report(const OddportReportFormat *format, const OddportReportOptions *options,
                          SampleRun *run)
{
    char *text = NULL;
    size_t size = 0;
    FILE *stream = open_memstream(&text, &size);
    g_assert_nonnull(stream);
    OddportReport *report = oddport_report_begin(format, stream, options);
    g_assert_true(oddport_report_format(report) == format);
    for (unsigned kind = 0; kind < SAMPLE_COUNT; kind++)
        oddport_report_add_flow(&run->samples[kind].flow, report);
    g_assert_true(oddport_report_end(report, &run->run));
    fclose(stream);
    char *copy = g_strndup(text, size);
    free(text);
    return copy;
}

/* A format that can have flows' parts written ahead of time (prepare_flow) writes the same
 * bytes from those parts as from the flows, also from parts another such format prepared: the
 * workers of -j prepare them for whichever format the run asked for. */
static void test_prepared_flows_write_the_same(void)
{
    const OddportReportOptions options = {0};
    unsigned preparing = 0;
    for (size_t index = 0; index < oddport_report_format_count; index++) {
        const OddportReportFormat *format = oddport_report_formats[index];
        g_assert_true((format->preparer_new == NULL) == (format->preparer_free == NULL));
        if (format->preparer_new != NULL)
            g_assert_nonnull(format->prepare_flow);
        if (format->prepare_flow == NULL)
            continue;
        preparing++;
        SampleRun plain_run;
        sample_run_init(&plain_run);
        g_autofree char *plain = write_report(format, &options, &plain_run);
        sample_run_clear(&plain_run);
        for (size_t other = 0; other < oddport_report_format_count; other++) {
            const OddportReportFormat *preparer_format = oddport_report_formats[other];
            if (preparer_format->prepare_flow != format->prepare_flow)
                continue;
            SampleRun run;
            sample_run_init(&run);
            void *preparer =
                preparer_format->preparer_new != NULL ? preparer_format->preparer_new() : NULL;
            GString *parts[SAMPLE_COUNT];
            for (unsigned kind = 0; kind < SAMPLE_COUNT; kind++) {
                OddportFlowReport *flow = &run.samples[kind].flow;
                /* A part's memory comes reused: what it held before, longer than any part,
                 * must not show, neither in front nor past the end. */
                parts[kind] = g_string_new(NULL);
                g_string_set_size(parts[kind], 8192);
                memset(parts[kind]->str, 'x', parts[kind]->len);
                preparer_format->prepare_flow(preparer, flow, parts[kind]);
                g_assert_cmpuint(parts[kind]->len, >, 0);
                flow->prepared_for = preparer_format;
                flow->prepared_text = parts[kind]->str;
                flow->prepared_length = parts[kind]->len;
            }
            if (preparer_format->preparer_free != NULL)
                preparer_format->preparer_free(preparer);
            /* A part, not the flow, is what is written: a flow changed after its part was
             * made does not show. */
            run.samples[0].flow.client_packets += 1000;
            g_autofree char *prepared = write_report(format, &options, &run);
            run.samples[0].flow.client_packets -= 1000;
            for (unsigned kind = 0; kind < SAMPLE_COUNT; kind++)
                g_string_free(parts[kind], TRUE);
            sample_run_clear(&run);
            g_assert_cmpstr(prepared, ==, plain);
        }
    }
    g_assert_cmpuint(preparing, >=, 3); /* json, ndjson and csv */
}

static unsigned count_lines(const char *text)
{
    unsigned lines = 0;
    for (const char *character = text; *character != '\0'; character++)
        lines += *character == '\n';
    return lines;
}

/* Every format writes the same run through the same calls, and what it writes is what it says:
 * JSON parses with every flow, each NDJSON line parses alone, CSV has a row per flow. */
static void test_every_format_writes_a_run(void)
{
    SampleRun run;
    sample_run_init(&run);
    const OddportReportOptions options = {.all_flows = true};
    for (size_t index = 0; index < oddport_report_format_count; index++) {
        const OddportReportFormat *format = oddport_report_formats[index];
        g_autofree char *text = write_report(format, &options, &run);
        g_test_message("%s: %zu bytes", format->name, strlen(text));
        g_assert_cmpuint(strlen(text), >, 0);
        /* A report that lists every flow names every flow's server. */
        if (format->lists_every_flow || format->supports_all_flows)
            g_assert_nonnull(strstr(text, "2001:db8::6"));
    }

    g_autofree char *json = write_report(oddport_report_format_find("json"), &options, &run);
    g_autoptr(JsonParser) parser = json_parser_new();
    GError *error = NULL;
    g_assert_true(json_parser_load_from_data(parser, json, -1, &error));
    g_assert_no_error(error);
    JsonObject *document = json_node_get_object(json_parser_get_root(parser));
    g_assert_cmpuint(json_array_get_length(json_object_get_array_member(document, "flows")), ==,
                     SAMPLE_COUNT);

    g_autofree char *ndjson = write_report(oddport_report_format_find("ndjson"), &options, &run);
    g_assert_cmpuint(count_lines(ndjson), ==, SAMPLE_COUNT + 1);
    g_auto(GStrv) lines = g_strsplit(ndjson, "\n", -1);
    for (unsigned line = 0; line < SAMPLE_COUNT + 1; line++) {
        g_autoptr(JsonParser) line_parser = json_parser_new();
        g_assert_true(json_parser_load_from_data(line_parser, lines[line], -1, &error));
        g_assert_no_error(error);
        JsonObject *object = json_node_get_object(json_parser_get_root(line_parser));
        g_assert_cmpstr(json_object_get_string_member(object, "type"), ==,
                        line < SAMPLE_COUNT ? "flow" : "summary");
    }

    g_autofree char *csv = write_report(oddport_report_format_find("csv"), &options, &run);
    g_assert_cmpuint(count_lines(csv), ==, SAMPLE_COUNT + 1);
    sample_run_clear(&run);
}

/* With --services-only, the formats that support it write the services and leave flows out. */
static void test_services_only(void)
{
    SampleRun run;
    sample_run_init(&run);
    const OddportReportOptions options = {.services_only = true};
    g_autoptr(GPtrArray) services = oddport_tally_services(run.tally);
    for (size_t index = 0; index < oddport_report_format_count; index++) {
        const OddportReportFormat *format = oddport_report_formats[index];
        if (!format->supports_services_only)
            continue;
        g_autofree char *text = write_report(format, &options, &run);
        /* The SSH service on 443 is the most severe finding. */
        g_assert_nonnull(strstr(text, "2001:db8::6"));
        /* No flow's client port. */
        g_assert_null(strstr(text, "47746"));
    }
    g_autofree char *csv = write_report(oddport_report_format_find("csv"), &options, &run);
    g_assert_cmpuint(count_lines(csv), ==, services->len + 1);
    sample_run_clear(&run);
}

/* A report whose output is gone is freed without writing the rest. */
static void test_discard(void)
{
    SampleRun run;
    sample_run_init(&run);
    const OddportReportOptions options = {.all_flows = true};
    for (size_t index = 0; index < oddport_report_format_count; index++) {
        char *text = NULL;
        size_t size = 0;
        FILE *stream = open_memstream(&text, &size);
        OddportReport *report =
            oddport_report_begin(oddport_report_formats[index], stream, &options);
        oddport_report_add_flow(&run.samples[0].flow, report);
        oddport_report_discard(report);
        fclose(stream);
        /* No summary was written: the last line of a full report is not there. */
        g_assert_null(strstr(text != NULL ? text : "", "a run warning"));
        free(text);
    }
    oddport_report_discard(NULL);
    sample_run_clear(&run);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/report/formats/found-by-name", test_every_format_is_found_by_name);
    g_test_add_func("/report/formats/unknown-names", test_unknown_names);
    g_test_add_func("/report/formats/names-for-help", test_names_for_help);
    g_test_add_func("/report/formats/every-format-writes-a-run", test_every_format_writes_a_run);
    g_test_add_func("/report/formats/services-only", test_services_only);
    g_test_add_func("/report/formats/discard", test_discard);
    g_test_add_func("/report/formats/prepared-flows", test_prepared_flows_write_the_same);
    return g_test_run();
}
