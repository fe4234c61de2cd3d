/* The report writers: JSON and CSV (streamed), plain text, and the formatting they share. */
#ifndef ODDPORT_REPORT_H
#define ODDPORT_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "oddport/classify.h"
#include "oddport/summary.h"
#include "oddport/tally.h"

#define ODDPORT_SCHEMA_VERSION 1
#define ODDPORT_TIME_TEXT_MAX  40

/* RFC 3339 UTC with `digits` fractional digits (6 or 9), e.g. "2026-11-28T01:02:03.123456Z". */
void oddport_format_time(uint64_t timestamp_ns, unsigned digits, char text[ODDPORT_TIME_TEXT_MAX]);

/* Everything a report may say about a run besides its flows. A report reads this and the
 * finished flows, never the engine, so that whatever produces the same flows and summary (a
 * merge of partial results, the Wireshark plugin) can write the same reports. Both members are
 * borrowed (transfer none) and must stay valid until the report is ended. */
typedef struct {
    const OddportSummary *summary; /* captures, totals, run warnings, whether it stopped early */
    const OddportTally *tally;     /* counts and service rows of the finished flows */
} OddportRunResult;

/* A JSON report written while the engine runs: each flow as it finishes, the summary at the
 * end, so memory does not grow with the number of flows. */
typedef struct OddportJsonReport OddportJsonReport;

/* Starts the document on `stream` (borrowed). The caller owns the report (transfer full) and
 * ends it with oddport_json_report_end, which also frees it. */
OddportJsonReport *oddport_json_report_begin(FILE *stream);
/* An OddportFlowSink: pass the report as the sink's user data. */
void oddport_json_report_add_flow(const OddportFlowReport *flow, void *json_report);
/* Writes the captures, totals, port classes, apps and services; false on a write error. */
bool oddport_json_report_end(OddportJsonReport *report, const OddportRunResult *run);

/* What the text report holds. Whether to colour is the caller's choice (the CLI weighs --color,
 * whether the output is a terminal, and NO_COLOR). */
typedef struct {
    bool all_flows;     /* a table of every flow as well */
    bool services_only; /* only the services on non-standard ports */
    bool color;         /* ANSI SGR colour for severities, headings and warnings */
    uint64_t top;       /* at most this many rows per long table, then "+N more"; 0: all */
} OddportTextOptions;

/* A text report for people, for terminals 80 columns wide or more: a header per capture, the
 * services on non-standard ports most severe first, mismatches, flows per port class and per
 * app, and with `all_flows` a table of every flow. Columns are as wide as their widest cell;
 * wire text is escaped (\xNN) so no byte from a capture can drive the terminal. Rows of the
 * flow and mismatch tables are kept until the end to size the columns, so memory grows with
 * them (not with other flows); `top` bounds that. The caller owns the report (transfer full):
 * oddport_text_report_free. */
typedef struct OddportTextReport OddportTextReport;
OddportTextReport *oddport_text_report_new(const OddportTextOptions *options);
void oddport_text_report_free(OddportTextReport *report);
/* An OddportFlowSink: pass the report as the sink's user data. */
void oddport_text_report_add_flow(const OddportFlowReport *flow, void *text_report);
/* Writes the whole report to `stream` (borrowed); false on a write error. */
bool oddport_text_report_write(OddportTextReport *report, const OddportRunResult *run,
                               FILE *stream);

/* Writes what the text report says of a tally made elsewhere, such as the Wireshark plugin's
 * statistics: the services on non-standard ports, then (unless `services_only`) the flows by
 * port class and by app, in the same layout and words. `stream` is borrowed. */
bool oddport_text_write_tally(FILE *stream, const OddportTally *tally,
                              const OddportTextOptions *options);

/* A CSV report (RFC 4180: a header row, CRLF line ends, fields quoted where needed): one row per
 * flow, written as each flow finishes so memory does not grow with flows, or with
 * `services_only` one row per service at the end. Wire text is escaped as in the text report,
 * and a cell a spreadsheet would take for a formula (starting with = + - @, tab or CR) gets a
 * leading single quote. */
typedef struct OddportCsvReport OddportCsvReport;

/* Writes the header row to `stream` (borrowed). The caller owns the report (transfer full) and
 * ends it with oddport_csv_report_end, which also frees it. */
OddportCsvReport *oddport_csv_report_begin(FILE *stream, bool services_only);
/* An OddportFlowSink: pass the report as the sink's user data. */
void oddport_csv_report_add_flow(const OddportFlowReport *flow, void *csv_report);
/* Writes the service rows when `services_only`; false on a write error at any point. */
bool oddport_csv_report_end(OddportCsvReport *report, const OddportRunResult *run);

/* Human units and text shared by the text and CSV writers. */
#define ODDPORT_HUMAN_TEXT_MAX    16
#define ODDPORT_ENDPOINT_TEXT_MAX (ODDPORT_ADDRESS_TEXT_MAX + 8)

/* "2026-11-28 01:02:03" or, without the date, "01:02:03" (UTC, whole seconds). */
void oddport_format_clock(uint64_t timestamp_ns, bool with_date, char text[ODDPORT_TIME_TEXT_MAX]);
/* Binary units: "512 B", "7.1 KiB", "95.8 KiB", "958 KiB", "1.0 MiB". */
void oddport_format_bytes(uint64_t bytes, char text[ODDPORT_HUMAN_TEXT_MAX]);
/* Exact below a thousand, else decimal units: "399", "1.2k", "98.8k", "988k", "1.0M". */
void oddport_format_count(uint64_t count, char text[ODDPORT_HUMAN_TEXT_MAX]);
/* "350 ms", "2.2 s", "7 min 05 s", "2 h 05 min", "3 d 04 h". */
void oddport_format_duration(uint64_t nanoseconds, char text[ODDPORT_HUMAN_TEXT_MAX]);
/* "192.0.2.1:80" or "[2001:db8::1]:443". */
void oddport_format_endpoint(const OddportAddress *address, uint16_t port,
                             char text[ODDPORT_ENDPOINT_TEXT_MAX]);
/* Appends `text` with every byte outside printable ASCII written as the four characters \xNN
 * and the backslash doubled, so wire bytes reach no terminal or spreadsheet raw. */
void oddport_append_escaped(GString *out, const char *text);
/* The same for `length` bytes that may hold NUL, such as a service's first bytes. */
void oddport_append_escaped_bytes(GString *out, const uint8_t *bytes, size_t length);

#endif
