/* The one table of report formats, and the report handle that drives whichever is chosen. */
#include <string.h>

#include <glib.h>

#include "oddport/report.h"

/* The formats, one row each; the first is the default. Each is described in its own file under
 * src/lib/report as `const OddportReportFormat oddport_report_format_<name>`. */
#define ODDPORT_REPORT_FORMAT_ROWS(ROW)                                                            \
    ROW(text)                                                                                      \
    ROW(json)                                                                                      \
    ROW(csv)                                                                                       \
    ROW(ndjson)                                                                                    \
    ROW(html)

#define ODDPORT_REPORT_FORMAT_DECLARATION(name)                                                    \
    extern const OddportReportFormat oddport_report_format_##name;
ODDPORT_REPORT_FORMAT_ROWS(ODDPORT_REPORT_FORMAT_DECLARATION)
#undef ODDPORT_REPORT_FORMAT_DECLARATION

const OddportReportFormat *const oddport_report_formats[] = {
#define ODDPORT_REPORT_FORMAT_ENTRY(name) &oddport_report_format_##name,
    ODDPORT_REPORT_FORMAT_ROWS(ODDPORT_REPORT_FORMAT_ENTRY)
#undef ODDPORT_REPORT_FORMAT_ENTRY
};

const size_t oddport_report_format_count = G_N_ELEMENTS(oddport_report_formats);

const OddportReportFormat *oddport_report_format_find(const char *name)
{
    for (size_t index = 0; index < oddport_report_format_count; index++)
        if (strcmp(oddport_report_formats[index]->name, name) == 0)
            return oddport_report_formats[index];
    return NULL;
}

char *oddport_report_format_names(bool mark_default)
{
    GString *names = g_string_new(NULL);
    for (size_t index = 0; index < oddport_report_format_count; index++) {
        if (index > 0)
            g_string_append(names, index + 1 == oddport_report_format_count ? " or " : ", ");
        g_string_append(names, oddport_report_formats[index]->name);
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
