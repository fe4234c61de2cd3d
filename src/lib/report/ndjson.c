/* The NDJSON report: one JSON object per line, each flow as it finishes, then the summary. */
#include <glib.h>

#include "internal/json_writer.h"
#include "formats.h"
#include "json_report.h"

/* Each line is a whole JSON value that a reader can parse alone as it arrives (jq, a log
 * shipper, a database loading newline-delimited JSON), and "type" first says which kind it is.
 * The JSON writer ends every top-level value with a line feed and never breaks a line inside
 * one, since every control character in a string is escaped. */
typedef struct {
    OddportJsonWriter *writer;
} NdjsonReport;

void *oddport_ndjson_begin(FILE *stream, const OddportReportOptions *options)
{
    (void)options;
    NdjsonReport *report = g_new0(NdjsonReport, 1);
    report->writer = oddport_json_writer_new(stream);
    return report;
}

void oddport_ndjson_add_flow(const OddportFlowReport *flow, void *state)
{
    NdjsonReport *report = state;
    OddportJsonWriter *writer = report->writer;
    oddport_json_begin_object(writer);
    ODDPORT_JSON_MEMBER(writer, "type");
    oddport_json_string(writer, "flow");
    oddport_json_write_flow_members(writer, flow);
    oddport_json_end_object(writer);
}

bool oddport_ndjson_end(void *state, const OddportRunResult *run)
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

void oddport_ndjson_discard(void *state)
{
    NdjsonReport *report = state;
    oddport_json_writer_free(report->writer);
    g_free(report);
}
