/* The one table of report formats, and the report handle that drives whichever is chosen. */
#include <string.h>

#include <glib.h>

#include "formats.h"

const OddportReportFormat oddport_report_formats[] = {
    {
        .name = "text",
        .description = "for people: the findings first, then summary tables",
        .supports_services_only = true,
        .supports_all_flows = true,
        .for_terminals = true,
        .begin = oddport_text_begin,
        .add_flow = oddport_text_add_flow,
        .end = oddport_text_end,
        .discard = oddport_text_discard,
    },
    {
        .name = "json",
        .description = "one JSON document (schema 1), flows written as they end",
        .lists_every_flow = true,
        .streams_flows = true,
        .begin = oddport_json_begin,
        .add_flow = oddport_json_add_flow,
        .end = oddport_json_end,
        .discard = oddport_json_discard,
    },
    {
        .name = "csv",
        .description = "a row per flow as it ends, or per service with --services-only",
        .supports_services_only = true,
        .lists_every_flow = true,
        .streams_flows = true,
        .begin = oddport_csv_begin,
        .add_flow = oddport_csv_add_flow,
        .end = oddport_csv_end,
        .discard = oddport_csv_discard,
    },
    {
        .name = "ndjson",
        .description = "a JSON line per flow as it ends, then a summary line",
        .lists_every_flow = true,
        .streams_flows = true,
        .begin = oddport_ndjson_begin,
        .add_flow = oddport_ndjson_add_flow,
        .end = oddport_ndjson_end,
        .discard = oddport_ndjson_discard,
    },
};

const size_t oddport_report_format_count = G_N_ELEMENTS(oddport_report_formats);

const OddportReportFormat *oddport_report_format_find(const char *name)
{
    for (size_t index = 0; index < oddport_report_format_count; index++)
        if (strcmp(oddport_report_formats[index].name, name) == 0)
            return &oddport_report_formats[index];
    return NULL;
}

char *oddport_report_format_names(bool mark_default)
{
    GString *names = g_string_new(NULL);
    for (size_t index = 0; index < oddport_report_format_count; index++) {
        if (index > 0)
            g_string_append(names, index + 1 == oddport_report_format_count ? " or " : ", ");
        g_string_append(names, oddport_report_formats[index].name);
        if (index == 0 && mark_default)
            g_string_append(names, " (default)");
    }
    return g_string_free(names, FALSE);
}

struct OddportReport {
    const OddportReportFormat *format;
    void *state;
};

OddportReport *oddport_report_begin(const OddportReportFormat *format, FILE *stream,
                                    const OddportReportOptions *options)
{
    OddportReport *report = g_new0(OddportReport, 1);
    report->format = format;
    report->state = format->begin(stream, options);
    return report;
}

void oddport_report_add_flow(const OddportFlowReport *flow, void *report)
{
    OddportReport *self = report;
    self->format->add_flow(flow, self->state);
}

bool oddport_report_end(OddportReport *report, const OddportRunResult *run)
{
    bool written = report->format->end(report->state, run);
    g_free(report);
    return written;
}

void oddport_report_discard(OddportReport *report)
{
    if (report == NULL)
        return;
    report->format->discard(report->state);
    g_free(report);
}

const OddportReportFormat *oddport_report_format(const OddportReport *report)
{
    return report->format;
}
