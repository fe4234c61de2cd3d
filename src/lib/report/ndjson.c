/* The NDJSON report: one JSON object per line, each flow as it finishes, then the summary. */
#include <glib.h>

#include "internal/json_writer.h"
#include "json_report.h"

/* Each line is a whole JSON value that a reader can parse alone as it arrives (jq, a log
 * shipper, a database loading newline-delimited JSON), and "type" first says which kind it is.
 * The JSON writer ends every top-level value with a line feed and never breaks a line inside
 * one, since every control character in a string is escaped. */
typedef struct {
    OddportJsonWriter *writer;
} NdjsonReport;

static void *begin_report(FILE *stream, const OddportReportOptions *options)
{
    (void)options;
    NdjsonReport *report = g_new0(NdjsonReport, 1);
    report->writer = oddport_json_writer_new(stream);
    return report;
}

static void add_flow_report(const OddportFlowReport *flow, void *state)
{
    NdjsonReport *report = state;
    OddportJsonWriter *writer = report->writer;
    oddport_json_begin_object(writer);
    ODDPORT_JSON_MEMBER(writer, "type");
    oddport_json_string(writer, "flow");
    oddport_json_flow_members(writer, flow);
    oddport_json_end_object(writer);
}

static bool end_report(void *state, const OddportRunResult *run)
{
    NdjsonReport *report = state;
    OddportJsonWriter *writer = report->writer;
    oddport_json_begin_object(writer);
    ODDPORT_JSON_MEMBER(writer, "type");
    oddport_json_string(writer, "summary");
    oddport_json_write_version_members(writer);
    oddport_json_write_summary_members(writer, run);
    oddport_json_end_object(writer);
    bool written = oddport_json_writer_flush(writer);
    oddport_json_writer_free(writer);
    g_free(report);
    return written;
}

static void discard_report(void *state)
{
    NdjsonReport *report = state;
    oddport_json_writer_free(report->writer);
    g_free(report);
}

const OddportReportFormat oddport_report_format_ndjson = {
    .name = "ndjson",
    .description = "a JSON line per flow as it ends, then a summary line",
    .lists_every_flow = true,
    .streams_flows = true,
    .begin = begin_report,
    .add_flow = add_flow_report,
    .end = end_report,
    .discard = discard_report,
    .preparer_new = oddport_json_flow_preparer_new,
    .prepare_flow = oddport_json_prepare_flow,
    .preparer_free = oddport_json_flow_preparer_free,
};
