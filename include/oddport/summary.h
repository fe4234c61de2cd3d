/* What a run read: per capture and in total. The engine fills it; the reports only read it. */
#ifndef ODDPORT_SUMMARY_H
#define ODDPORT_SUMMARY_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "oddport/capture.h"
#include "oddport/decode.h"
#include "oddport/tally.h"

/* What one capture file gave. Owned by the engine (transfer none). */
typedef struct {
    char *path;
    /* Why the capture could not be read at all, or NULL when it was read. A capture that was
     * not read is still listed, so no report silently leaves a file out; its counts are zero,
     * it has no link type, and `format` means nothing. */
    char *error;
    OddportCaptureError error_kind; /* meaningful only when `error` is set */
    OddportCaptureFormat format;
    const char *compression; /* "gzip", "zstd", "lz4", or NULL for a plain file (static text) */
    GPtrArray *link_types;   /* of char *, names in order of first appearance */
    uint64_t packets;
    uint64_t bytes; /* wire bytes */
    uint64_t first_seen_ns;
    uint64_t last_seen_ns;
    unsigned precision_digits;
    bool truncated;      /* ended inside a record or at a damaged one */
    GPtrArray *warnings; /* of char *, one line each, without the path */
    /* This capture's packets counted in no flow, by reason (the totals add up all captures). */
    uint64_t skipped[ODDPORT_SKIP_REASON_COUNT];
} OddportCaptureSummary;

typedef struct {
    GPtrArray *captures; /* of OddportCaptureSummary * */
    /* Sums over the captures read so far, brought up to date as each capture ends. */
    uint64_t packets;
    uint64_t bytes;
    uint64_t skipped[ODDPORT_SKIP_REASON_COUNT];
    /* The finished flows counted by port class, app and service (transfer none). */
    const OddportFlowCounts *counts;
    unsigned precision_digits; /* finest of all captures: for flow and service times */
    /* Flows finished before their time because the table was full (see
     * oddport_engine_set_max_flows); they are reported like any other flow. */
    uint64_t evicted_flows;
    uint64_t max_flows;
    /* Reading ended before the last capture's end: a stop check asked for it (see
     * oddport_engine_set_stop_check), or memory for a new flow ran out. The capture concerned
     * says where in its warnings; the flows read so far are reported as usual. */
    bool stopped;
    bool out_of_memory;
    uint64_t flows_open_when_out_of_memory;
    /* Warnings about the run as a whole (of char *, one line each), such as flows finished early
     * or services left out of the list; made by oddport_engine_finish, so that every report and
     * the CLI's stderr say the same thing. Per-capture warnings are in the captures. */
    GPtrArray *warnings;
} OddportSummary;

/* Adds to `summary->warnings` what every report must say about the bounds that keep memory flat
 * (flows finished early under --max-flows, services counted but not listed), from its
 * evicted_flows, max_flows and counts: the engine when it finishes, and oddport merge for the
 * whole set. */
void oddport_summary_add_run_warnings(OddportSummary *summary);

/* Frees a capture summary made with g_new and every string and array in it: the free function of
 * the arrays that own capture summaries (OddportSummary.captures). */
void oddport_capture_summary_free(void *capture);

#endif
