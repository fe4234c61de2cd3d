/* The HTML report: one self-contained page with charts and sortable, filterable tables. */
#include <inttypes.h>
#include <string.h>

#include <glib.h>

#include "html_assets.h"
#include "html_charts.h"
#include "html_text.h"
#include "oddport/record.h"
#include "oddport/community_id.h"
#include "oddport/report.h"

#ifndef ODDPORT_VERSION
#define ODDPORT_VERSION "unknown"
#endif

/* How many rows each table holds unless --top says otherwise, so that the page of a large
 * capture stays small enough to open quickly: every row beyond is counted and the page says
 * where to find it. Services and other servers come from the tally already sorted, the
 * non-standard and most severe first; flows on non-standard ports or with a mismatch are kept
 * before the others. */
#define HTML_SERVICE_ROWS      1000
#define HTML_OTHER_SERVER_ROWS 300
#define HTML_FLOW_ROWS         2000
/* The flow rows' bytes at most, whatever their evidence holds: with the other bounds, the page
 * of any capture stays under 5 MiB. */
#define HTML_FLOW_BYTES     (2 * 1024 * 1024)
#define HTML_PORT_MAP_MARKS 1500
#define HTML_TIMELINE_ROWS  40

/* The state of an HTML report: flow rows are rendered as they finish (the flow is borrowed only
 * for the call) and kept until the end, since the page opens with the findings. */
typedef struct {
    OddportReportOptions options;
    FILE *stream;
    uint64_t flow_limit;    /* rows kept at most; 0: all */
    GPtrArray *notable;     /* of char *: rows of flows on non-standard ports or mismatched */
    GPtrArray *others;      /* of char *: rows of the other flows */
    uint64_t notable_flows; /* offered, kept or not */
    uint64_t other_flows;
    size_t kept_bytes; /* of the rows kept */
    GString *row;
} HtmlReport;

static uint64_t table_limit(const OddportReportOptions *options, uint64_t default_limit)
{
    return options->top > 0 ? options->top : default_limit;
}

/* "192.0.2.1:443/tcp": the transport belongs to the server's port. */
static void append_server(GString *out, const OddportAddress *address, uint16_t port,
                          OddportTransport transport)
{
    char endpoint[ODDPORT_ENDPOINT_TEXT_MAX];
    oddport_format_endpoint(address, port, endpoint);
    oddport_html_append_text(out, endpoint);
    g_string_append_printf(out, "/%s", oddport_transport_name(transport));
}

/* The key that ties a service's row to its flows' rows: address, port, transport and app. */
static void append_service_key(GString *out, const OddportAddress *address, uint16_t port,
                               OddportTransport transport, OddportApp app)
{
    char text[ODDPORT_ADDRESS_TEXT_MAX];
    oddport_address_to_text(address, text);
    oddport_html_append_text(out, text);
    g_string_append_printf(out, " %u %s %s", port, oddport_transport_name(transport),
                           oddport_app_name(app));
}

/* A number cell: shown in human units, sorted by its exact value. */
static void append_count_cell(GString *out, uint64_t value)
{
    char text[ODDPORT_HUMAN_TEXT_MAX];
    oddport_format_count(value, text);
    g_string_append(out, "<td class=\"number\" data-value=\"");
    oddport_append_decimal(out, value);
    g_string_append_printf(out, "\">%s</td>", text);
}

static void append_bytes_cell(GString *out, uint64_t value)
{
    char text[ODDPORT_HUMAN_TEXT_MAX];
    oddport_format_bytes(value, text);
    g_string_append(out, "<td class=\"number\" data-value=\"");
    oddport_append_decimal(out, value);
    g_string_append_printf(out, "\">%s</td>", text);
}

/* A time cell: the date above the clock (flow rows are rendered before the run's span is known,
 * so every table shows dates alike), the RFC 3339 time to sort by. */
static void append_time_cell(GString *out, uint64_t timestamp_ns, unsigned digits)
{
    char full[ODDPORT_TIME_TEXT_MAX];
    char date_and_clock[ODDPORT_TIME_TEXT_MAX];
    oddport_format_time(timestamp_ns, digits, full);
    oddport_format_clock(timestamp_ns, true, date_and_clock);
    /* "2026-11-28 01:10:54": the date is what comes before the space. */
    const char *clock = strchr(date_and_clock, ' ');
    int date_length = clock != NULL ? (int)(clock - date_and_clock) : 0;
    g_string_append_printf(
        out, "<td class=\"time\" data-value=\"%s\"><span class=\"date\">%.*s</span>%s</td>", full,
        date_length, date_and_clock, clock != NULL ? clock : date_and_clock);
}

/* The words a row's severity takes besides the vocabulary's: a recognised app on its own port,
 * and nothing recognised. */
static const char STANDARD_WORD[] = "standard";
static const char UNRECOGNISED_WORD[] = "none";

/* "masquerade" and the like, or "standard" for a recognised app on its own port, or "none". */
static const char *severity_word(OddportApp app, OddportSeverity severity)
{
    const char *name = oddport_severity_name(severity);
    if (name != NULL)
        return name;
    return app == ODDPORT_APP_UNKNOWN ? UNRECOGNISED_WORD : STANDARD_WORD;
}

/* What a row's severity cell and the severity filter show for a word severity_word gives: the
 * vocabulary's severities as they are, the two other words as the filter has always named them,
 * so that no cell reads as a severity the vocabulary lacks ("none" beside an unknown flow read
 * as a verdict). */
static const char *severity_label(const char *word)
{
    if (strcmp(word, STANDARD_WORD) == 0)
        return "standard port";
    if (strcmp(word, UNRECOGNISED_WORD) == 0)
        return "not recognised";
    return word;
}

static void append_severity_cell(GString *out, const char *severity)
{
    g_string_append_printf(out, "<td class=\"severity severity-%s\">%s</td>", severity,
                           severity_label(severity));
}

/* A term of a details list: `label` is oddport's own, `value` wire text to escape. */
static void append_detail(GString *out, const char *label, const char *value, bool code)
{
    if (value == NULL || value[0] == '\0')
        return;
    g_string_append_printf(out, "<dt>%s</dt><dd>%s", label, code ? "<code>" : "");
    oddport_html_append_text(out, value);
    g_string_append_printf(out, "%s</dd>", code ? "</code>" : "");
}

/* "capture.pcap frame 12" for going back to a packet, with whose packet it was. */
static void append_packet_place(GString *out, const char *label, const OddportPacketPlace *place,
                                const char *side)
{
    if (place->capture == NULL)
        return;
    g_string_append_printf(out, "<dt>%s</dt><dd><code>", label);
    oddport_html_append_text(out, place->capture);
    g_string_append(out, " frame ");
    oddport_append_decimal(out, place->frame);
    g_string_append(out, "</code>");
    if (side != NULL)
        g_string_append_printf(out, " (%s)", side);
    g_string_append(out, "</dd>");
}

static bool flow_is_notable(const OddportFlowReport *flow)
{
    return flow->verdict->nonstandard || flow->verdict->mismatch;
}

/* Renders a flow's row, without its opening "<tr" and its order, which come at the end. */
static void render_flow_row(GString *row, const OddportFlowReport *flow)
{
    const OddportFlowVerdict *verdict = flow->verdict;
    const char *app = oddport_app_name(verdict->app);
    const char *severity = severity_word(verdict->app, verdict->severity);
    const char *port_class = oddport_port_class_name(flow->server.port_class);
    g_string_append_printf(row,
                           " data-app=\"%s\" data-severity=\"%s\" data-class=\"%s\" "
                           "data-mismatch=\"%s\" data-service=\"",
                           app, severity, port_class, verdict->mismatch ? "true" : "false");
    append_service_key(row, &flow->server.address, flow->server.port, flow->transport,
                       verdict->app);
    g_string_append(row, "\">");
    g_string_append(row, "<td class=\"number\" data-value=\"");
    oddport_append_decimal(row, flow->id);
    g_string_append(row, "\">");
    oddport_append_decimal(row, flow->id);
    g_string_append(row, "</td>");
    if (verdict->mismatch)
        g_string_append_printf(row,
                               "<td class=\"app app-%s\">%s<br><span class=\"quiet\">client "
                               "%s, server %s</span></td>",
                               app, app, oddport_app_name(verdict->client_app),
                               oddport_app_name(verdict->server_app));
    else
        g_string_append_printf(row, "<td class=\"app app-%s\">%s</td>", app, app);
    append_severity_cell(row, severity);
    g_string_append_printf(row, "<td>%s</td><td class=\"mono\">", port_class);
    append_server(row, &flow->server.address, flow->server.port, flow->transport);
    g_string_append(row, "</td><td class=\"mono\">");
    char client[ODDPORT_ENDPOINT_TEXT_MAX];
    oddport_format_endpoint(&flow->client.address, flow->client.port, client);
    oddport_html_append_text(row, client);
    g_string_append(row, "</td>");
    append_count_cell(row, flow->client_packets + flow->server_packets);
    append_bytes_cell(row, flow->client_bytes + flow->server_bytes);
    append_time_cell(row, flow->first_seen_ns, flow->precision_digits);
    char duration[ODDPORT_HUMAN_TEXT_MAX];
    uint64_t lasted = flow->last_seen_ns - flow->first_seen_ns;
    oddport_format_duration(lasted, duration);
    g_string_append(row, "<td class=\"number\" data-value=\"");
    oddport_append_decimal(row, lasted);
    g_string_append_printf(row, "\">%s</td><td><dl class=\"details\">", duration);
    append_detail(row, "evidence", verdict->evidence, false);
    char summary[ODDPORT_SUMMARY_MAX];
    oddport_flow_summarise(flow, summary, sizeof summary);
    append_detail(row, "fingerprints", summary, true);
    g_string_append_printf(row, "<dt>confidence</dt><dd>%s</dd>",
                           oddport_confidence_name(verdict->confidence));
    char community_id[ODDPORT_COMMUNITY_ID_TEXT_MAX];
    oddport_flow_community_id(flow, community_id);
    append_detail(row, "Community ID", community_id, true);
    append_packet_place(row, "first packet", &flow->first_packet, NULL);
    append_packet_place(row, "deciding packet", &flow->deciding_packet,
                        oddport_decided_by_name(flow->decided_by));
    g_string_append(row, "</dl></td></tr>\n");
}

static void *begin_report(FILE *stream, const OddportReportOptions *options)
{
    HtmlReport *report = g_new0(HtmlReport, 1);
    report->options = *options;
    report->stream = stream;
    report->flow_limit = options->top > 0 ? options->top : options->all_flows ? 0 : HTML_FLOW_ROWS;
    report->notable = g_ptr_array_new_with_free_func(g_free);
    report->others = g_ptr_array_new_with_free_func(g_free);
    report->row = g_string_new(NULL);
    return report;
}

static void html_report_free(HtmlReport *report)
{
    g_ptr_array_unref(report->notable);
    g_ptr_array_unref(report->others);
    g_string_free(report->row, TRUE);
    g_free(report);
}

/* Whether a row of `length` bytes fits beside those kept. */
static bool row_fits(const HtmlReport *report, size_t length)
{
    return report->flow_limit == 0 ||
           (report->notable->len + report->others->len < report->flow_limit &&
            report->kept_bytes + length <= HTML_FLOW_BYTES);
}

/* Keeps flows on non-standard ports and mismatches first: one takes the place of the latest other
 * flows when the table is full. Within each kind, the first to end are kept. */
static void add_flow_report(const OddportFlowReport *flow, void *state)
{
    HtmlReport *report = state;
    bool notable = flow_is_notable(flow);
    if (notable)
        report->notable_flows++;
    else
        report->other_flows++;
    /* A full table takes no other flow, nor a notable one once notable rows alone fill it (no
     * other row is left for it to displace), so such rows are not even rendered. */
    if (!notable && !row_fits(report, 0))
        return;
    if (notable && report->flow_limit != 0 && report->notable->len >= report->flow_limit)
        return;
    g_string_truncate(report->row, 0);
    render_flow_row(report->row, flow);
    size_t length = report->row->len;
    while (notable && !row_fits(report, length) && report->others->len > 0) {
        report->kept_bytes -= strlen(g_ptr_array_index(report->others, report->others->len - 1));
        g_ptr_array_remove_index(report->others, report->others->len - 1);
    }
    if (!row_fits(report, length))
        return;
    report->kept_bytes += length;
    g_ptr_array_add(notable ? report->notable : report->others,
                    g_strndup(report->row->str, length));
}

/* The run's first and last packet over every capture read; false when there was none. */
static bool run_time_span(const OddportSummary *summary, uint64_t *first, uint64_t *last)
{
    bool any = false;
    for (guint index = 0; index < summary->captures->len; index++) {
        const OddportCaptureSummary *capture = g_ptr_array_index(summary->captures, index);
        if (capture->packets == 0)
            continue;
        if (!any || capture->first_seen_ns < *first)
            *first = capture->first_seen_ns;
        if (!any || capture->last_seen_ns > *last)
            *last = capture->last_seen_ns;
        any = true;
    }
    return any;
}

static bool run_spans_days(const OddportSummary *summary)
{
    uint64_t first = 0;
    uint64_t last = 0;
    const uint64_t day_ns = UINT64_C(86400) * 1000000000u;
    return run_time_span(summary, &first, &last) && first / day_ns != last / day_ns;
}

/* "sha256-..." of an inline block, for the Content-Security-Policy to allow it and nothing
 * else (transfer full: g_free). */
static char *content_hash(const char *content, size_t length)
{
    GChecksum *checksum = g_checksum_new(G_CHECKSUM_SHA256);
    g_checksum_update(checksum, (const guchar *)content, (gssize)length);
    guint8 digest[32];
    gsize digest_length = sizeof digest;
    g_checksum_get_digest(checksum, digest, &digest_length);
    g_checksum_free(checksum);
    g_autofree char *encoded = g_base64_encode(digest, digest_length);
    return g_strdup_printf("'sha256-%s'", encoded);
}

static void write_head(GString *out, const OddportSummary *summary)
{
    g_autofree char *style_hash = content_hash(oddport_html_style, oddport_html_style_length);
    g_autofree char *script_hash = content_hash(oddport_html_script, oddport_html_script_length);
    /* Nothing may be loaded, submitted or navigated to; only the page's own style and script,
     * by their hashes, may apply, so markup injected despite the escaping could run nothing;
     * and the script may not feed strings to HTML parsing sinks at all (Trusted Types). */
    g_string_append_printf(out,
                           "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                           "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
                           "'none'; style-src %s; script-src %s; img-src 'none'; font-src 'none'; "
                           "connect-src 'none'; media-src 'none'; object-src 'none'; frame-src "
                           "'none'; worker-src 'none'; manifest-src 'none'; base-uri 'none'; "
                           "form-action 'none'; require-trusted-types-for 'script'; trusted-types "
                           "'none'\">\n",
                           style_hash, script_hash);
    g_string_append(out, "<meta name=\"referrer\" content=\"no-referrer\">\n"
                         "<meta name=\"viewport\" content=\"width=device-width, "
                         "initial-scale=1\">\n"
                         "<meta name=\"generator\" content=\"oddport " ODDPORT_VERSION "\">\n"
                         "<title>oddport: ");
    for (guint index = 0; index < summary->captures->len && index < 3; index++) {
        const OddportCaptureSummary *capture = g_ptr_array_index(summary->captures, index);
        g_autofree char *name = g_path_get_basename(capture->path);
        if (index > 0)
            g_string_append(out, ", ");
        oddport_html_append_text(out, name);
    }
    if (summary->captures->len > 3)
        g_string_append_printf(out, " and %u more", summary->captures->len - 3);
    g_string_append(out, "</title>\n<style>");
    g_string_append_len(out, oddport_html_style, (gssize)oddport_html_style_length);
    g_string_append(out, "</style>\n</head>\n<body>\n");
}

static guint count_nonstandard(const GPtrArray *services, guint *masquerade)
{
    guint count = 0;
    *masquerade = 0;
    for (; count < services->len; count++) {
        const OddportService *service = g_ptr_array_index(services, count);
        if (!service->nonstandard)
            break;
        *masquerade += service->severity == ODDPORT_SEVERITY_MASQUERADE;
    }
    return count;
}

static void append_figure(GString *out, const char *class_name, const char *value,
                          const char *label)
{
    g_string_append_printf(
        out, "<li%s%s%s><strong>%s</strong>%s</li>", class_name != NULL ? " class=\"" : "",
        class_name != NULL ? class_name : "", class_name != NULL ? "\"" : "", value, label);
}

/* The heading, the key figures and where to go on the page. */
static void write_overview(GString *out, const OddportRunResult *run, const GPtrArray *services)
{
    const OddportSummary *summary = run->summary;
    guint masquerade = 0;
    guint nonstandard = count_nonstandard(services, &masquerade);
    g_string_append(out, "<header>\n<h1>Services on non-standard ports</h1>\n<p class=\"lead\">");
    if (nonstandard == 0)
        g_string_append_printf(out, "No %s service was found on a port not expected for it.",
                               oddport_protocol_titles(ODDPORT_TITLES_OR));
    else
        g_string_append_printf(out,
                               "%u service%s on ports not expected for %s, most severe "
                               "first in the table below.",
                               nonstandard, nonstandard == 1 ? "" : "s",
                               nonstandard == 1 ? "its app" : "their apps");
    g_string_append(out, "</p>\n");
    if (summary->stopped || summary->out_of_memory)
        g_string_append_printf(out,
                               "<p class=\"warning incomplete\" role=\"alert\">Incomplete: %s; "
                               "this report covers only the packets read.</p>\n",
                               summary->out_of_memory ? "memory ran out, so reading stopped early"
                                                      : "the run was stopped early");
    char text[ODDPORT_HUMAN_TEXT_MAX];
    g_string_append(out, "<ul class=\"figures\">");
    g_autofree char *count_text = g_strdup_printf("%u", nonstandard);
    append_figure(out, nonstandard > 0 ? "alarm" : NULL, count_text,
                  "services on non-standard ports");
    g_autofree char *masquerade_text = g_strdup_printf("%u", masquerade);
    append_figure(out, masquerade > 0 ? "alarm" : NULL, masquerade_text,
                  "masquerading as another port's service");
    oddport_format_count(summary->counts->flows, text);
    append_figure(out, NULL, text, "flows");
    oddport_format_count(summary->packets, text);
    append_figure(out, NULL, text, "packets");
    oddport_format_bytes(summary->bytes, text);
    append_figure(out, NULL, text, "on the wire");
    uint64_t first = 0;
    uint64_t last = 0;
    if (run_time_span(summary, &first, &last)) {
        oddport_format_duration(last - first, text);
        append_figure(out, NULL, text, "of traffic");
    }
    g_string_append(out, "</ul>\n</header>\n<nav aria-label=\"Sections\">"
                         "<a href=\"#captures\">Captures</a><a href=\"#charts\">Charts</a>"
                         "<a href=\"#services\">Services</a>"
                         "<a href=\"#other-servers\">Other servers</a>"
                         "<a href=\"#counts\">Counts</a><a href=\"#flows\">Flows</a></nav>\n"
                         "<main>\n");
}

static void append_skipped(GString *out, const uint64_t skipped[ODDPORT_SKIP_REASON_COUNT])
{
    bool first = true;
    for (unsigned reason = 1; reason < ODDPORT_SKIP_REASON_COUNT; reason++) {
        if (skipped[reason] == 0)
            continue;
        char count[ODDPORT_HUMAN_TEXT_MAX];
        oddport_format_count(skipped[reason], count);
        g_string_append_printf(out, "%s<code>%s</code> %s", first ? "skipped packets: " : ", ",
                               oddport_skip_reason_name((OddportDecodeStatus)reason), count);
        first = false;
    }
}

static void append_warning(GString *out, const char *prefix, const char *text)
{
    g_string_append(out, "<p class=\"warning\">");
    if (prefix != NULL) {
        oddport_html_append_text(out, prefix);
        g_string_append(out, ": ");
    }
    oddport_html_append_text(out, text);
    g_string_append(out, "</p>\n");
}

/* The capture header facts, as the text report's header lines give them, and the warnings. */
static void write_captures(GString *out, const OddportSummary *summary)
{
    g_string_append(out, "<section id=\"captures\" aria-labelledby=\"captures-title\">\n"
                         "<h2 id=\"captures-title\">Captures</h2>\n<div class=\"table-wrap\">"
                         "<table id=\"captures-table\"><thead><tr><th scope=\"col\">Capture</th>"
                         "<th scope=\"col\">Format</th><th scope=\"col\">Link types</th>"
                         "<th scope=\"col\" class=\"number\">Packets</th>"
                         "<th scope=\"col\" class=\"number\">Bytes</th>"
                         "<th scope=\"col\">First packet</th><th scope=\"col\">Last packet</th>"
                         "<th scope=\"col\">Notes</th></tr></thead>\n<tbody>\n");
    unsigned unread = 0;
    for (guint index = 0; index < summary->captures->len; index++) {
        const OddportCaptureSummary *capture = g_ptr_array_index(summary->captures, index);
        g_string_append(out, "<tr><th scope=\"row\" class=\"mono\">");
        oddport_html_append_text(out, capture->path);
        g_string_append(out, "</th>");
        if (capture->error != NULL) {
            unread++;
            g_string_append(out, "<td colspan=\"7\" class=\"severity-masquerade\">not read: ");
            oddport_html_append_text(out, capture->error);
            g_string_append(out, "</td></tr>\n");
            continue;
        }
        g_string_append_printf(out, "<td>%s%s%s</td><td>",
                               oddport_capture_format_name(capture->format),
                               capture->compression != NULL ? ", " : "",
                               capture->compression != NULL ? capture->compression : "");
        for (guint type = 0; type < capture->link_types->len; type++) {
            if (type > 0)
                g_string_append(out, ", ");
            oddport_html_append_text(out, g_ptr_array_index(capture->link_types, type));
        }
        if (capture->link_types->len == 0)
            g_string_append(out, "none");
        g_string_append(out, "</td>");
        append_count_cell(out, capture->packets);
        append_bytes_cell(out, capture->bytes);
        if (capture->packets > 0) {
            append_time_cell(out, capture->first_seen_ns, capture->precision_digits);
            append_time_cell(out, capture->last_seen_ns, capture->precision_digits);
        } else {
            g_string_append(out, "<td>-</td><td>-</td>");
        }
        g_string_append(out, "<td>");
        if (capture->truncated)
            g_string_append(out, "<strong>truncated</strong>; ");
        append_skipped(out, capture->skipped);
        g_string_append(out, "</td></tr>\n");
    }
    g_string_append(out, "</tbody></table></div>\n");
    if (unread > 0 && unread == summary->captures->len)
        g_string_append(out, "<p class=\"warning\" role=\"alert\">No capture could be read: every "
                             "count below is zero.</p>\n");
    for (guint index = 0; index < summary->captures->len; index++) {
        const OddportCaptureSummary *capture = g_ptr_array_index(summary->captures, index);
        for (guint warning = 0; warning < capture->warnings->len; warning++)
            append_warning(out, capture->path, g_ptr_array_index(capture->warnings, warning));
    }
    for (guint index = 0; index < summary->warnings->len; index++)
        append_warning(out, NULL, g_ptr_array_index(summary->warnings, index));
    g_string_append(out, "</section>\n");
}

/* A sortable column heading; `numeric` columns sort by value. */
static void append_heading(GString *out, const char *heading, bool numeric)
{
    g_string_append_printf(out, "<th scope=\"col\"%s><button type=\"button\">%s</button></th>",
                           numeric ? " class=\"number\" data-numeric" : "", heading);
}

/* A select of `count` values, each shown as its name (or as itself where `names` is NULL). The
 * first value may stand for several others, listed space-separated in `first_stands_for`, which
 * the report's script reads (NULL where it stands for itself). */
static void append_select(GString *out, const char *filter, const char *label,
                          const char *const *values, const char *const *names, size_t count,
                          const char *first_stands_for)
{
    g_string_append_printf(out,
                           "<label>%s<select data-filter=\"%s\"><option value=\"\">any"
                           "</option>",
                           label, filter);
    for (size_t index = 0; index < count; index++) {
        g_string_append_printf(out, "<option value=\"%s\"", values[index]);
        if (index == 0 && first_stands_for != NULL)
            g_string_append_printf(out, " data-any-of=\"%s\"", first_stands_for);
        g_string_append_printf(out, ">%s</option>", names != NULL ? names[index] : values[index]);
    }
    g_string_append(out, "</select></label>");
}

/* The filters of a table: app, severity, class, and a search box. */
static void append_controls(GString *out, const char *table_id, bool with_unknown,
                            bool with_flow_filters)
{
    g_string_append_printf(out,
                           "<div class=\"controls\" role=\"group\" aria-label=\"Filters\" "
                           "data-table=\"%s\">",
                           table_id);
    const char *apps[ODDPORT_APP_COUNT];
    size_t app_count = 0;
    for (size_t index = 0; index < ODDPORT_APP_COUNT; index++) {
        OddportApp app = oddport_app_in_report_order(index);
        if (app != ODDPORT_APP_UNKNOWN || with_unknown)
            apps[app_count++] = oddport_app_name(app);
    }
    append_select(out, "app", "App", apps, NULL, app_count, NULL);
    /* Any non-standard severity, each of them from the most alarming down, a recognised app on
     * its own port, and (in the flows' table) nothing recognised. */
    const char *severities[ODDPORT_SEVERITY_COUNT + 2] = {"nonstandard"};
    const char *severity_names[ODDPORT_SEVERITY_COUNT + 2] = {"any non-standard"};
    size_t severity_count = 1;
    g_autoptr(GString) nonstandard = g_string_new(NULL);
    int highest = 0;
    for (unsigned severity = 0; severity < ODDPORT_SEVERITY_COUNT; severity++)
        highest = MAX(highest, oddport_severity_level((OddportSeverity)severity));
    for (int level = highest; level > 0; level--)
        for (unsigned severity = 0; severity < ODDPORT_SEVERITY_COUNT; severity++)
            if (oddport_severity_level((OddportSeverity)severity) == level) {
                const char *name = oddport_severity_name((OddportSeverity)severity);
                severities[severity_count] = name;
                severity_names[severity_count++] = name;
                g_string_append_printf(nonstandard, "%s%s", nonstandard->len > 0 ? " " : "", name);
            }
    severities[severity_count] = STANDARD_WORD;
    severity_names[severity_count++] = severity_label(STANDARD_WORD);
    if (with_unknown) {
        severities[severity_count] = UNRECOGNISED_WORD;
        severity_names[severity_count++] = severity_label(UNRECOGNISED_WORD);
    }
    append_select(out, "severity", "Severity", severities, severity_names, severity_count,
                  nonstandard->str);
    const char *classes[ODDPORT_PORT_CLASS_COUNT];
    for (unsigned port_class = 0; port_class < ODDPORT_PORT_CLASS_COUNT; port_class++)
        classes[port_class] = oddport_port_class_name((OddportPortClass)port_class);
    append_select(out, "class", "Port class", classes, NULL, ODDPORT_PORT_CLASS_COUNT, NULL);
    if (with_flow_filters)
        g_string_append(out, "<label class=\"check\"><input type=\"checkbox\" "
                             "data-filter=\"mismatch\">mismatches only</label>"
                             "<label>Service<input type=\"search\" data-filter=\"service\" "
                             "placeholder=\"set by a service's button\" readonly></label>");
    g_string_append(out, "<label>Search<input type=\"search\" data-filter=\"text\" "
                         "placeholder=\"address, host, fingerprint...\"></label>"
                         "<button type=\"button\" class=\"reset\">Show all</button>"
                         "<output aria-live=\"polite\"></output></div>\n");
}

/* A service's busiest clients: "192.0.2.7 (3 flows, 1.2 KiB)". */
static void append_top_clients(GString *out, const OddportService *service)
{
    OddportTopClient clients[ODDPORT_TOP_CLIENTS];
    bool exact;
    size_t count = oddport_service_top_clients(service, clients, &exact);
    if (count == 0)
        return;
    g_string_append_printf(out, "<dt>%s</dt><dd class=\"mono\">",
                           exact ? "top clients" : "top clients (approximate)");
    for (size_t index = 0; index < count; index++) {
        char address[ODDPORT_ADDRESS_TEXT_MAX];
        char bytes[ODDPORT_HUMAN_TEXT_MAX];
        oddport_address_to_text(&clients[index].address, address);
        oddport_format_bytes(clients[index].bytes, bytes);
        if (index > 0)
            g_string_append(out, ", ");
        oddport_html_append_text(out, address);
        g_string_append(out, " (");
        /* An estimate says the flows the client surely had, then the most it may have. */
        if (clients[index].flows_uncertain > 0)
            g_string_append_printf(out, "%" PRIu64 " to ",
                                   clients[index].flows - clients[index].flows_uncertain);
        g_string_append_printf(out, "%" PRIu64 " flow%s, %s)", clients[index].flows,
                               clients[index].flows == 1 ? "" : "s", bytes);
    }
    g_string_append(out, "</dd>");
}

static void append_display_filter(GString *out, const OddportService *service)
{
    char filter[ODDPORT_DISPLAY_FILTER_TEXT_MAX];
    oddport_format_display_filter(&service->address, service->port, service->transport, filter);
    append_detail(out, "Wireshark filter", filter, true);
}

static void append_flows_button(GString *out, const OddportService *service)
{
    g_string_append(out, "<button type=\"button\" class=\"show-flows\" data-service=\"");
    append_service_key(out, &service->address, service->port, service->transport, service->app);
    g_string_append(out, "\">its flows below</button>");
}

/* "+N more" under a table, saying where the rest is. */
static void append_left_out(GString *out, uint64_t shown, uint64_t total, const char *what,
                            const char *how)
{
    if (shown >= total)
        return;
    g_string_append_printf(out,
                           "<p class=\"note\">Showing %" PRIu64 " of %" PRIu64 " %s; %" PRIu64
                           " more are left out of this page (%s). <code>--format json</code> "
                           "lists them all.</p>\n",
                           shown, total, what, total - shown, how);
}

static void write_services(GString *out, const GPtrArray *services, const HtmlReport *report,
                           unsigned digits, OddportHtmlOutput *output)
{
    uint64_t limit = table_limit(&report->options, HTML_SERVICE_ROWS);
    uint64_t total = 0;
    for (guint index = 0; index < services->len; index++)
        total += ((const OddportService *)g_ptr_array_index(services, index))->app !=
                 ODDPORT_APP_UNKNOWN;
    g_string_append_printf(out,
                           "<section id=\"services\" aria-labelledby=\"services-title\">\n"
                           "<h2 id=\"services-title\">Services</h2>\n<p>Every %s server found, "
                           "one row per address, port, transport and app: those on non-standard "
                           "ports first, most severe first. Filter them, sort by any column, or "
                           "show a service's flows.</p>\n",
                           oddport_protocol_titles(ODDPORT_TITLES_AND));
    append_controls(out, "services-table", false, false);
    g_string_append(out, "<div class=\"table-wrap\"><table id=\"services-table\" "
                         "class=\"sortable\"><caption>Services, with the evidence of their first "
                         "flow</caption><thead><tr>");
    append_heading(out, "Severity", false);
    append_heading(out, "App", false);
    append_heading(out, "Class", false);
    append_heading(out, "Server", false);
    append_heading(out, "IANA", false);
    append_heading(out, "Flows", true);
    append_heading(out, "Clients", true);
    append_heading(out, "Bytes", true);
    append_heading(out, "First seen", false);
    append_heading(out, "Last seen", false);
    g_string_append(out, "<th scope=\"col\">Evidence, fingerprints, clients, filter</th>"
                         "</tr></thead>\n<tbody>\n");
    uint64_t shown = 0;
    for (guint index = 0; index < services->len && shown < limit; index++) {
        const OddportService *service = g_ptr_array_index(services, index);
        if (service->app == ODDPORT_APP_UNKNOWN)
            continue;
        const char *app = oddport_app_name(service->app);
        const char *severity = severity_word(service->app, service->severity);
        const char *port_class = oddport_port_class_name(oddport_port_class(service->port));
        g_string_append_printf(out,
                               "<tr data-order=\"%" PRIu64 "\" data-app=\"%s\" "
                               "data-severity=\"%s\" data-class=\"%s\">",
                               shown, app, severity, port_class);
        append_severity_cell(out, severity);
        g_string_append_printf(out,
                               "<td class=\"app app-%s\">%s</td><td>%s</td>"
                               "<th scope=\"row\" class=\"mono\">",
                               app, app, port_class);
        append_server(out, &service->address, service->port, service->transport);
        g_string_append(out, "</th><td>");
        oddport_html_append_text(out, service->iana_service != NULL ? service->iana_service : "-");
        g_string_append(out, "</td>");
        append_count_cell(out, service->flows);
        append_count_cell(out, oddport_service_client_count(service, NULL));
        append_bytes_cell(out, service->bytes);
        append_time_cell(out, service->first_seen_ns, digits);
        append_time_cell(out, service->last_seen_ns, digits);
        g_string_append(out, "<td><dl class=\"details\">");
        append_detail(out, "evidence", service->evidence, false);
        append_detail(out, "fingerprints", service->details_summary, true);
        append_top_clients(out, service);
        append_display_filter(out, service);
        g_string_append(out, "</dl>");
        append_flows_button(out, service);
        g_string_append(out, "</td></tr>\n");
        shown++;
        oddport_html_output_maybe_flush(output);
    }
    g_string_append(out, "</tbody></table></div>\n");
    append_left_out(out, shown, total, "services", "the most severe are shown");
    g_string_append(out, "</section>\n");
}

static void write_other_servers(GString *out, const GPtrArray *services, const HtmlReport *report,
                                unsigned digits, OddportHtmlOutput *output)
{
    uint64_t limit = table_limit(&report->options, HTML_OTHER_SERVER_ROWS);
    uint64_t total = 0;
    for (guint index = 0; index < services->len; index++)
        total += oddport_service_is_other_server(g_ptr_array_index(services, index));
    g_string_append_printf(out,
                           "<section id=\"other-servers\" "
                           "aria-labelledby=\"other-servers-title\">\n<h2 "
                           "id=\"other-servers-title\">Other servers on non-standard ports: "
                           "%" PRIu64 "</h2>\n<p>Servers that answered in something not "
                           "recognised as %s, on registered and ephemeral ports: shadow services "
                           "worth a look. What the server (or else the client) sent first is "
                           "their evidence.</p>\n",
                           total, oddport_protocol_titles(ODDPORT_TITLES_OR));
    if (total == 0) {
        g_string_append(out, "</section>\n");
        return;
    }
    g_string_append(out, "<div class=\"table-wrap\"><table id=\"other-servers-table\" "
                         "class=\"sortable\"><thead><tr>");
    append_heading(out, "Class", false);
    append_heading(out, "Server", false);
    append_heading(out, "IANA", false);
    append_heading(out, "Flows", true);
    append_heading(out, "Clients", true);
    append_heading(out, "Bytes", true);
    append_heading(out, "First seen", false);
    append_heading(out, "Last seen", false);
    g_string_append(out, "<th scope=\"col\">First bytes, clients, filter</th></tr></thead>\n"
                         "<tbody>\n");
    uint64_t shown = 0;
    for (guint index = 0; index < services->len && shown < limit; index++) {
        const OddportService *service = g_ptr_array_index(services, index);
        if (!oddport_service_is_other_server(service))
            continue;
        g_string_append_printf(out,
                               "<tr data-order=\"%" PRIu64 "\"><td>%s</td>"
                               "<th scope=\"row\" class=\"mono\">",
                               shown, oddport_port_class_name(oddport_port_class(service->port)));
        append_server(out, &service->address, service->port, service->transport);
        g_string_append(out, "</th><td>");
        oddport_html_append_text(out, service->iana_service != NULL ? service->iana_service : "-");
        g_string_append(out, "</td>");
        append_count_cell(out, service->flows);
        append_count_cell(out, oddport_service_client_count(service, NULL));
        append_bytes_cell(out, service->bytes);
        append_time_cell(out, service->first_seen_ns, digits);
        append_time_cell(out, service->last_seen_ns, digits);
        g_string_append(out, "<td><dl class=\"details\">");
        const char *source = oddport_opening_source_name(service->opening_from);
        if (source != NULL) {
            g_string_append_printf(out, "<dt>%s sent</dt><dd><code>", source);
            oddport_html_append_bytes(out, service->opening.bytes, service->opening.length);
            g_string_append(out, "</code></dd>");
        }
        append_top_clients(out, service);
        append_display_filter(out, service);
        g_string_append(out, "</dl></td></tr>\n");
        shown++;
        oddport_html_output_maybe_flush(output);
    }
    g_string_append(out, "</tbody></table></div>\n");
    append_left_out(out, shown, total, "other servers", "the first in the services' order");
    g_string_append(out, "</section>\n");
}

/* The charts' numbers as tables, for screen readers and for copying. */
static void write_count_tables(GString *out, const OddportFlowCounts *counts)
{
    g_string_append(out, "<section id=\"counts\" aria-labelledby=\"counts-title\">\n"
                         "<h2 id=\"counts-title\">Counts</h2>\n<div class=\"charts\"><div "
                         "class=\"table-wrap\"><table id=\"port-classes-table\"><caption>Flows "
                         "by server port class</caption><thead><tr><th scope=\"col\">Class</th>"
                         "<th scope=\"col\">Ports</th><th scope=\"col\" class=\"number\">Flows"
                         "</th><th scope=\"col\" class=\"number\">Packets</th><th scope=\"col\" "
                         "class=\"number\">Bytes</th></tr></thead><tbody>\n");
    for (unsigned port_class = 0; port_class < ODDPORT_PORT_CLASS_COUNT; port_class++) {
        const OddportTrafficCount *count = &counts->port_classes[port_class];
        g_string_append_printf(out, "<tr><th scope=\"row\">%s</th><td>%s</td>",
                               oddport_port_class_name((OddportPortClass)port_class),
                               oddport_port_class_range((OddportPortClass)port_class));
        append_count_cell(out, count->flows);
        append_count_cell(out, count->packets);
        append_bytes_cell(out, count->bytes);
        g_string_append(out, "</tr>\n");
    }
    g_string_append(out, "</tbody></table></div>\n<div class=\"table-wrap\"><table "
                         "id=\"apps-table\"><caption>Flows by app, on standard and non-standard "
                         "ports</caption><thead><tr><th scope=\"col\">App</th><th scope=\"col\" "
                         "class=\"number\">Flows</th><th scope=\"col\" class=\"number\">Standard "
                         "port</th><th scope=\"col\" class=\"number\">Non-standard port</th><th "
                         "scope=\"col\" class=\"number\">Packets</th><th scope=\"col\" "
                         "class=\"number\">Bytes</th></tr></thead><tbody>\n");
    for (size_t index = 0; index < ODDPORT_APP_COUNT; index++) {
        OddportApp app = oddport_app_in_report_order(index);
        const OddportAppCount *count = &counts->apps[app];
        g_string_append_printf(out, "<tr><th scope=\"row\">%s</th>", oddport_app_name(app));
        append_count_cell(out, count->flows);
        if (app == ODDPORT_APP_UNKNOWN) {
            g_string_append(out, "<td class=\"number\">-</td><td class=\"number\">-</td>");
        } else {
            append_count_cell(out, count->flows - count->nonstandard_flows);
            append_count_cell(out, count->nonstandard_flows);
        }
        append_count_cell(out, count->packets);
        append_bytes_cell(out, count->bytes);
        g_string_append(out, "</tr>\n");
    }
    g_string_append(out, "</tbody></table></div></div>\n</section>\n");
}

static void write_flows(GString *out, const HtmlReport *report, OddportHtmlOutput *output)
{
    uint64_t total = report->notable_flows + report->other_flows;
    g_string_append_printf(out,
                           "<section id=\"flows\" aria-labelledby=\"flows-title\">\n<h2 "
                           "id=\"flows-title\">Flows: %" PRIu64 "</h2>\n<p>Each TCP connection "
                           "or UDP conversation, with the way back to its packets: Community ID, "
                           "capture file and frame numbers (<code>tshark -r CAPTURE -Y "
                           "frame.number==N</code>).</p>\n",
                           total);
    append_controls(out, "flows-table", true, true);
    g_string_append(out, "<div class=\"table-wrap\"><table id=\"flows-table\" class=\"sortable\">"
                         "<caption>Flows on non-standard ports and mismatches first, then the "
                         "others, each in the order they ended</caption><thead><tr>");
    append_heading(out, "ID", true);
    append_heading(out, "App", false);
    append_heading(out, "Severity", false);
    append_heading(out, "Class", false);
    append_heading(out, "Server", false);
    append_heading(out, "Client", false);
    append_heading(out, "Packets", true);
    append_heading(out, "Bytes", true);
    append_heading(out, "First seen", false);
    append_heading(out, "Lasted", true);
    g_string_append(out, "<th scope=\"col\">Evidence and the way back</th></tr></thead>\n"
                         "<tbody>\n");
    uint64_t order = 0;
    const GPtrArray *kinds[] = {report->notable, report->others};
    for (size_t kind = 0; kind < G_N_ELEMENTS(kinds); kind++)
        for (guint index = 0; index < kinds[kind]->len; index++) {
            g_string_append_printf(out, "<tr data-order=\"%" PRIu64 "\"", order++);
            g_string_append(out, g_ptr_array_index(kinds[kind], index));
            oddport_html_output_maybe_flush(output);
        }
    g_string_append(out, "</tbody></table></div>\n");
    if (order < total)
        g_string_append_printf(out,
                               "<p class=\"note\">Showing %" PRIu64 " of %" PRIu64
                               " flows: %u of the %" PRIu64 " on non-standard ports or with a "
                               "mismatch, then %u of the %" PRIu64 " others, the first to end. "
                               "<code>--all-flows</code> puts every flow on the page; "
                               "<code>--format json</code> lists them all too.</p>\n",
                               order, total, report->notable->len, report->notable_flows,
                               report->others->len, report->other_flows);
    g_string_append(out, "</section>\n");
}

static void write_charts(GString *out, const OddportRunResult *run, const GPtrArray *services,
                         bool with_date)
{
    g_string_append(out, "<section id=\"charts\" aria-labelledby=\"charts-title\">\n"
                         "<h2 id=\"charts-title\">Charts</h2>\n<div class=\"charts\">\n");
    oddport_html_chart_port_classes(out, run->summary->counts);
    oddport_html_chart_apps(out, run->summary->counts);
    oddport_html_chart_port_map(out, services, HTML_PORT_MAP_MARKS);
    oddport_html_chart_timeline(out, services, HTML_TIMELINE_ROWS, with_date);
    g_string_append(out, "</div>\n</section>\n");
}

static bool write_page(const HtmlReport *report, const OddportRunResult *run)
{
    const OddportSummary *summary = run->summary;
    bool with_date = run_spans_days(summary);
    OddportHtmlOutput output;
    oddport_html_output_init(&output, report->stream);
    GString *out = output.buffer;
    GPtrArray *services = oddport_tally_services(run->tally);
    write_head(out, summary);
    write_overview(out, run, services);
    write_captures(out, summary);
    write_charts(out, run, services, with_date);
    oddport_html_output_maybe_flush(&output);
    write_services(out, services, report, summary->precision_digits, &output);
    write_other_servers(out, services, report, summary->precision_digits, &output);
    write_count_tables(out, summary->counts);
    write_flows(out, report, &output);
    g_string_append(out,
                    "</main>\n<footer>Written by oddport <span class=\"version\">" ODDPORT_VERSION
                    "</span>. This page is self-contained: it loads nothing, and its "
                    "Content-Security-Policy forbids it to. Times are UTC.</footer>\n"
                    "<script>");
    g_string_append_len(out, oddport_html_script, (gssize)oddport_html_script_length);
    g_string_append(out, "</script>\n</body>\n</html>\n");
    g_ptr_array_unref(services);
    return oddport_html_output_finish(&output);
}

static bool end_report(void *state, const OddportRunResult *run)
{
    HtmlReport *report = state;
    bool written = write_page(report, run);
    html_report_free(report);
    return written;
}

static void discard_report(void *state)
{
    html_report_free(state);
}

const OddportReportFormat oddport_report_format_html = {
    .name = "html",
    .description = "one self-contained page with charts and sortable tables",
    .supports_all_flows = true,
    .supports_top = true,
    .begin = begin_report,
    .add_flow = add_flow_report,
    .end = end_report,
    .discard = discard_report,
};
