/* The report writers: JSON (streamed), plain text, and the formatting they share. */
#ifndef ODDPORT_REPORT_H
#define ODDPORT_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "oddport/classify.h"
#include "oddport/engine.h"

#define ODDPORT_SCHEMA_VERSION 1
#define ODDPORT_TIME_TEXT_MAX  40

/* RFC 3339 UTC with `digits` fractional digits (6 or 9), e.g. "2026-11-28T01:02:03.123456Z". */
void oddport_format_time(uint64_t timestamp_ns, unsigned digits, char text[ODDPORT_TIME_TEXT_MAX]);

/* A JSON report written while the engine runs: each flow as it finishes, the summary at the
 * end, so memory does not grow with the number of flows. */
typedef struct OddportJsonReport OddportJsonReport;

/* Starts the document on `stream` (borrowed). The caller owns the report (transfer full) and
 * ends it with oddport_json_report_end, which also frees it. */
OddportJsonReport *oddport_json_report_begin(FILE *stream);
/* An OddportFlowSink: pass the report as the sink's user data. */
void oddport_json_report_add_flow(const OddportFlowReport *flow, void *json_report);
/* Writes the captures, totals, port classes, apps and services; false on a write error. */
bool oddport_json_report_end(OddportJsonReport *report, const OddportEngine *engine);

typedef struct {
    bool all_flows; /* list every flow, not only the services */
} OddportTextOptions;

/* A text report: a summary, the services on non-standard ports first, mismatches, and with
 * `all_flows` a line per flow. The caller owns it (transfer full): oddport_text_report_free. */
typedef struct OddportTextReport OddportTextReport;
OddportTextReport *oddport_text_report_new(const OddportTextOptions *options);
void oddport_text_report_free(OddportTextReport *report);
/* An OddportFlowSink: pass the report as the sink's user data. */
void oddport_text_report_add_flow(const OddportFlowReport *flow, void *text_report);
bool oddport_text_report_write(OddportTextReport *report, const OddportEngine *engine,
                               FILE *stream);

#endif
