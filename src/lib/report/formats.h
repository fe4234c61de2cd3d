/* Each report format's calls, for the one table of formats (format_table.c) to list. */
#ifndef ODDPORT_FORMATS_H
#define ODDPORT_FORMATS_H

#include "oddport/report.h"

/* Each returns its state from begin (transfer full); end or discard frees it. */
void *oddport_text_begin(FILE *stream, const OddportReportOptions *options);
void oddport_text_add_flow(const OddportFlowReport *flow, void *state);
bool oddport_text_end(void *state, const OddportRunResult *run);
void oddport_text_discard(void *state);

void *oddport_json_begin(FILE *stream, const OddportReportOptions *options);
void oddport_json_add_flow(const OddportFlowReport *flow, void *state);
bool oddport_json_end(void *state, const OddportRunResult *run);
void oddport_json_discard(void *state);

void *oddport_csv_begin(FILE *stream, const OddportReportOptions *options);
void oddport_csv_add_flow(const OddportFlowReport *flow, void *state);
bool oddport_csv_end(void *state, const OddportRunResult *run);
void oddport_csv_discard(void *state);

void *oddport_ndjson_begin(FILE *stream, const OddportReportOptions *options);
void oddport_ndjson_add_flow(const OddportFlowReport *flow, void *state);
bool oddport_ndjson_end(void *state, const OddportRunResult *run);
void oddport_ndjson_discard(void *state);

#endif
