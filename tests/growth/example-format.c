/* A made-up report format ("tally": flows per app, one line each) that the growth test adds. */
#include <inttypes.h>
#include <stdio.h>

#include <glib.h>

#include "oddport/report.h"

typedef struct {
    FILE *stream;
    uint64_t flows[ODDPORT_APP_COUNT];
} TallyReport;

static void *begin_report(FILE *stream, const OddportReportOptions *options)
{
    (void)options;
    TallyReport *report = g_new0(TallyReport, 1);
    report->stream = stream;
    return report;
}

static void add_flow_report(const OddportFlowReport *flow, void *state)
{
    TallyReport *report = state;
    report->flows[flow->verdict->app]++;
}

static bool end_report(void *state, const OddportRunResult *run)
{
    (void)run;
    TallyReport *report = state;
    for (size_t index = 0; index < ODDPORT_APP_COUNT; index++) {
        OddportApp app = oddport_app_in_report_order(index);
        fprintf(report->stream, "%s %" PRIu64 "\n", oddport_app_name(app), report->flows[app]);
    }
    bool written = fflush(report->stream) == 0 && !ferror(report->stream);
    g_free(report);
    return written;
}

static void discard_report(void *state)
{
    g_free(state);
}

const OddportReportFormat oddport_report_format_tally = {
    .name = "tally",
    .description = "flows per app, one line each",
    .lists_every_flow = false,
    .begin = begin_report,
    .add_flow = add_flow_report,
    .end = end_report,
    .discard = discard_report,
};
