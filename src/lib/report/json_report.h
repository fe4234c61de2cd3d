/* What the JSON and NDJSON reports share: a flow's members and the run summary's, as JSON. */
#ifndef ODDPORT_JSON_REPORT_H
#define ODDPORT_JSON_REPORT_H

#include "oddport/classify.h"
#include "internal/json_writer.h"
#include "oddport/report.h"

/* Each writes members into the object the caller has opened. */

/* "oddport" (the version) and "schema". */
void oddport_json_write_version_members(OddportJsonWriter *writer);
/* A flow's members, from the record walker. */
void oddport_json_write_flow_members(OddportJsonWriter *writer, const OddportFlowReport *flow);
/* A flow's members written ahead of time, in any thread, for the JSON and NDJSON formats'
 * prepare_flow (see OddportReportFormat); the preparer is a writer of members. */
void *oddport_json_flow_preparer_new(void);
void oddport_json_prepare_flow(void *preparer, const OddportFlowReport *flow, GString *part);
void oddport_json_flow_preparer_free(void *preparer);
/* The flow's members: as written ahead of time when the flow carries them, else written now. */
void oddport_json_flow_members(OddportJsonWriter *writer, const OddportFlowReport *flow);
/* Everything the JSON report says besides its flows: "incomplete", "captures", "warnings",
 * "totals", "port_classes", "apps" and "services". */
void oddport_json_write_summary_members(OddportJsonWriter *writer, const OddportRunResult *run);

#endif
