/* What the JSON and NDJSON reports share: a flow's members and the run summary's, as JSON. */
#ifndef ODDPORT_JSON_REPORT_H
#define ODDPORT_JSON_REPORT_H

#include "oddport/classify.h"
#include "oddport/json_writer.h"

/* Writes a flow's members (from the record walker) into the object the caller has opened. */
void oddport_json_write_flow_members(OddportJsonWriter *writer, const OddportFlowReport *flow);

#endif
