/* The report formats behind one interface, chosen by name, and the formatting they share. */
#ifndef ODDPORT_REPORT_H
#define ODDPORT_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "oddport/flow.h"
#include "oddport/summary.h"
#include "oddport/tally.h"
#include "oddport/vocabulary.h"

#define ODDPORT_SCHEMA_VERSION 1
#define ODDPORT_TIME_TEXT_MAX  40

/* RFC 3339 UTC with `digits` fractional digits (6 or 9), e.g. "2026-11-28T01:02:03.123456Z";
 * returns its length, without the NUL. Keeps the text of the last second it wrote, one per thread,
 * so it may be called from any thread but not from a signal handler. */
size_t oddport_format_time(uint64_t timestamp_ns, unsigned digits,
                           char text[ODDPORT_TIME_TEXT_MAX]);

/* Reads a time as --since and --until take it: RFC 3339 with a time zone
 * ("2026-11-28T01:10:55Z", "2026-11-28T02:10:55.25+01:00", up to nine fractional digits) or
 * seconds since the Unix epoch ("1795828255", "1795828255.5"). False when `text` is neither,
 * or lies before 1970. */
bool oddport_parse_time(const char *text, uint64_t *timestamp_ns);

/* Everything a report may say about a run besides its flows. A report reads this and the
 * finished flows, never the engine, so that whatever produces the same flows and summary (a
 * merge of partial results, the Wireshark plugin) can write the same reports. Both members are
 * borrowed (transfer none) and must stay valid until the report is ended. */
/* The options of a run that decide what it counts, as the JSON and NDJSON reports record them,
 * so that oddport merge can refuse parts run otherwise: each NULL where the run had none. The
 * texts are the caller's, in a form two equal settings write alike. */
typedef struct {
    const char *filter;     /* -f, as given */
    const char *since;      /* --since, RFC 3339 to the nanosecond */
    const char *until;      /* --until, likewise */
    const char *site_rules; /* the ports site rules add, "http 3128, 8000-8010; ssh 2200/udp" */
} OddportRunOptions;

typedef struct {
    const OddportSummary *summary;    /* captures, totals, run warnings, whether it stopped early */
    const OddportTally *tally;        /* counts and service rows of the finished flows */
    const OddportRunOptions *options; /* NULL: a run with none of them */
} OddportRunResult;

/* What the user asked of a report; each format reads the options it supports (see the
 * capability flags of OddportReportFormat) and ignores the others. Whether to colour is the
 * caller's choice (the CLI weighs --color, whether the output is a terminal, and NO_COLOR). */
typedef struct {
    bool all_flows;     /* a table of every flow as well */
    bool services_only; /* only the services */
    /* Text: a Wireshark display filter under each service (--filters; --all-flows shows them
     * too). The machine-readable formats always carry it. */
    bool display_filters;
    bool color;   /* ANSI SGR colour for severities, headings and warnings */
    uint64_t top; /* at most this many rows per long table, then "+N more"; 0: all */
} OddportReportOptions;

/* The text report reads every report option; the Wireshark plugin's statistics use this name. */
typedef OddportReportOptions OddportTextOptions;

/* One report format. Every format implements the same calls, so the CLI, the fuzzers and the
 * tests drive them all alike; the flags say which options a format understands, so the CLI's
 * usage checks and --help follow the table rather than a list of names. */
typedef struct OddportReportFormat {
    const char *name;            /* as given to --format: lowercase, unique */
    const char *description;     /* a few words for --help and errors, e.g. "one row per flow" */
    bool supports_services_only; /* --services-only changes what it writes */
    bool supports_all_flows;     /* --all-flows changes what it writes */
    bool lists_every_flow;       /* every flow is in it anyway, so --all-flows asks nothing new */
    bool supports_top;           /* --top bounds its tables */
    /* Writes each flow as it finishes: memory does not grow with flows, and a progress line on
     * the same terminal must be cleared before each flow. */
    bool streams_flows;
    /* Made for people at a terminal, where it shows the run's warnings itself (so the CLI need
     * not repeat them on stderr when both go to the same terminal) and may be coloured. */
    bool for_terminals;
    /* Starts the report on `stream` (borrowed; options copied). Returns the format's own state
     * (transfer full): exactly one of end or discard frees it. */
    void *(*begin)(FILE *stream, const OddportReportOptions *options);
    /* An OddportFlowSink: called once per finished flow, with begin's state as user data. */
    void (*add_flow)(const OddportFlowReport *flow, void *state);
    /* Writes what remains (the summary, the tables) and frees the state; false when a write
     * failed at any point. */
    bool (*end)(void *state, const OddportRunResult *run);
    /* Frees the state without writing more, for an output nobody reads any more. */
    void (*discard)(void *state);
    /* Optional, for a format that writes a part per flow which depends on nothing but the flow:
     * threads other than the report's may then write flows' parts ahead of time, in parallel
     * (oddport_engine_prepare_flows), and add_flow copies a flow's part as it is when the flow
     * carries one made for this format (flow->prepared_for). A preparer is one thread's scratch
     * state (transfer full: preparer_free), or none for a format that needs none (preparer_new
     * and preparer_free NULL; prepare_flow is then passed NULL). prepare_flow replaces the
     * contents of `part` (borrowed) with the flow's part: the caller keeps one part's memory for
     * a later flow's, since a part takes hundreds of bytes to a few kilobytes and a flood finishes
     * millions of flows. It reads nothing of any report's state. */
    void *(*preparer_new)(void);
    void (*prepare_flow)(void *preparer, const OddportFlowReport *flow, GString *part);
    void (*preparer_free)(void *preparer);
} OddportReportFormat;

/* Every format, the default (text) first; a static table (transfer none). */
extern const OddportReportFormat *const oddport_report_formats[];
extern const size_t oddport_report_format_count;

/* The format called `name`, or NULL when there is none (transfer none). */
const OddportReportFormat *oddport_report_format_find(const char *name);

/* The format names in table order for help and error messages, "text, json, csv or ndjson",
 * with " (default)" after the first when `mark_default` (transfer full: g_free). */
char *oddport_report_format_names(bool mark_default);

/* A report being written: a format and its state, so callers hold one typed handle. */
typedef struct OddportReport OddportReport;

/* Starts a report in `format` (transfer none) on `stream` (borrowed). The caller owns the report
 * (transfer full) and ends it with oddport_report_end or oddport_report_discard, which free it. */
OddportReport *oddport_report_begin(const OddportReportFormat *format, FILE *stream,
                                    const OddportReportOptions *options);
/* An OddportFlowSink: pass the report as the sink's user data. */
void oddport_report_add_flow(const OddportFlowReport *flow, void *report);
/* Writes the rest of the report and frees it; false when a write failed at any point. */
bool oddport_report_end(OddportReport *report, const OddportRunResult *run);
/* Frees the report without writing more (its output is gone). */
void oddport_report_discard(OddportReport *report);
/* The report's format (transfer none). */
const OddportReportFormat *oddport_report_format(const OddportReport *report);

/* Writes what the text report says of a tally made elsewhere, such as the Wireshark plugin's
 * statistics: the services on non-standard ports, then (unless `services_only`) the flows by
 * port class and by app, in the same layout and words. `stream` is borrowed. */
bool oddport_text_write_tally(FILE *stream, const OddportTally *tally,
                              const OddportTextOptions *options);

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
/* A Wireshark display filter that shows a server's traffic on one port, for pasting into
 * Wireshark or `tshark -Y`: "ip.addr==192.0.2.1 && tcp.port==443", "ipv6.addr==2001:db8::1 &&
 * udp.port==53". It matches the port on either side, as Wireshark's own conversation filters do. */
#define ODDPORT_DISPLAY_FILTER_TEXT_MAX (ODDPORT_ADDRESS_TEXT_MAX + 32)
void oddport_format_display_filter(const OddportAddress *address, uint16_t port,
                                   OddportTransport transport,
                                   char text[ODDPORT_DISPLAY_FILTER_TEXT_MAX]);

/* Appends `value` in decimal digits, without printf: report rows hold many numbers. */
void oddport_append_decimal(GString *out, uint64_t value);

/* Appends `text` with every byte outside printable ASCII written as the four characters \xNN
 * and the backslash doubled, so wire bytes reach no terminal or spreadsheet raw. */
void oddport_append_escaped(GString *out, const char *text);
/* The same for `length` bytes that may hold NUL, such as a service's first bytes. */
void oddport_append_escaped_bytes(GString *out, const uint8_t *bytes, size_t length);

#endif
