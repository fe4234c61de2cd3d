/* The plain text report: what hides on odd ports first, then the summary tables. */
#include <inttypes.h>
#include <string.h>

#include <glib.h>

#include "oddport/record.h"
#include "oddport/report.h"
#include "text_table.h"

/* The state of a text report: the flow and mismatch tables are kept until the end to size
 * their columns. */
typedef struct {
    OddportReportOptions options;
    FILE *stream;
    OddportTextTable mismatches;
    OddportTextTable flows;
} TextReport;

static const OddportTextColumn service_columns[] = {
    {"SEVERITY", ODDPORT_TEXT_ALIGN_LEFT, oddport_text_severity_style},
    {"APP", ODDPORT_TEXT_ALIGN_LEFT, NULL},
    {"CLASS", ODDPORT_TEXT_ALIGN_LEFT, NULL},
    {"FLOWS", ODDPORT_TEXT_ALIGN_RIGHT, NULL},
    {"CLIENTS", ODDPORT_TEXT_ALIGN_RIGHT, NULL},
    {"BYTES", ODDPORT_TEXT_ALIGN_RIGHT, NULL},
    {"SERVER", ODDPORT_TEXT_ALIGN_LEFT, NULL},
};

static const OddportTextColumn other_server_columns[] = {
    {"CLASS", ODDPORT_TEXT_ALIGN_LEFT, NULL},  {"IANA", ODDPORT_TEXT_ALIGN_LEFT, NULL},
    {"FLOWS", ODDPORT_TEXT_ALIGN_RIGHT, NULL}, {"CLIENTS", ODDPORT_TEXT_ALIGN_RIGHT, NULL},
    {"BYTES", ODDPORT_TEXT_ALIGN_RIGHT, NULL}, {"SERVER", ODDPORT_TEXT_ALIGN_LEFT, NULL},
};

static const OddportTextColumn mismatch_columns[] = {
    {"ID", ODDPORT_TEXT_ALIGN_RIGHT, NULL},
    {"CLIENT APP", ODDPORT_TEXT_ALIGN_LEFT, NULL},
    {"SERVER APP", ODDPORT_TEXT_ALIGN_LEFT, NULL},
    {"SEVERITY", ODDPORT_TEXT_ALIGN_LEFT, oddport_text_severity_style},
    {"CLIENT", ODDPORT_TEXT_ALIGN_LEFT, NULL},
    {"SERVER", ODDPORT_TEXT_ALIGN_LEFT, NULL},
};

static const OddportTextColumn flow_columns[] = {
    {"ID", ODDPORT_TEXT_ALIGN_RIGHT, NULL},
    {"APP", ODDPORT_TEXT_ALIGN_LEFT, NULL},
    {"SEVERITY", ODDPORT_TEXT_ALIGN_LEFT, oddport_text_severity_style},
    {"PACKETS", ODDPORT_TEXT_ALIGN_RIGHT, NULL},
    {"BYTES", ODDPORT_TEXT_ALIGN_RIGHT, NULL},
    {"CLIENT", ODDPORT_TEXT_ALIGN_LEFT, NULL},
    {"SERVER", ODDPORT_TEXT_ALIGN_LEFT, NULL},
};

static const OddportTextColumn port_class_columns[] = {
    {"CLASS", ODDPORT_TEXT_ALIGN_LEFT, NULL},  {"PORTS", ODDPORT_TEXT_ALIGN_LEFT, NULL},
    {"FLOWS", ODDPORT_TEXT_ALIGN_RIGHT, NULL}, {"PACKETS", ODDPORT_TEXT_ALIGN_RIGHT, NULL},
    {"BYTES", ODDPORT_TEXT_ALIGN_RIGHT, NULL},
};

static const OddportTextColumn app_columns[] = {
    {"APP", ODDPORT_TEXT_ALIGN_LEFT, NULL},
    {"FLOWS", ODDPORT_TEXT_ALIGN_RIGHT, NULL},
    {"STANDARD PORT", ODDPORT_TEXT_ALIGN_RIGHT, NULL},
    {"NON-STANDARD PORT", ODDPORT_TEXT_ALIGN_RIGHT, NULL},
    {"PACKETS", ODDPORT_TEXT_ALIGN_RIGHT, NULL},
    {"BYTES", ODDPORT_TEXT_ALIGN_RIGHT, NULL},
};

static OddportTextStyler styler_for(bool color)
{
    return color ? oddport_text_style_ansi : oddport_text_style_plain;
}

static void append_styled(GString *line, bool color, OddportTextStyle style, const char *text)
{
    styler_for(color)(line, style, text);
}

/* A section heading, after a blank line unless it opens the report. */
static void write_heading(FILE *stream, bool color, bool first, const char *text)
{
    GString *line = g_string_new(first ? NULL : "\n");
    append_styled(line, color, ODDPORT_TEXT_STYLE_HEADING, text);
    fprintf(stream, "%s\n", line->str);
    g_string_free(line, TRUE);
}

/* "443/tcp" after the endpoint: the transport belongs to the server's port. */
static void format_server(const OddportAddress *address, uint16_t port, OddportTransport transport,
                          char *text, size_t size)
{
    char endpoint[ODDPORT_ENDPOINT_TEXT_MAX];
    oddport_format_endpoint(address, port, endpoint);
    snprintf(text, size, "%s/%s", endpoint, oddport_transport_name(transport));
}

/* The cells every service table shows, in the units people read. */
typedef struct {
    char flows[ODDPORT_HUMAN_TEXT_MAX];
    char clients[ODDPORT_HUMAN_TEXT_MAX];
    char bytes[ODDPORT_HUMAN_TEXT_MAX];
    char server[ODDPORT_ENDPOINT_TEXT_MAX + 8];
} ServiceCells;

static void format_service_cells(const OddportService *service, ServiceCells *cells)
{
    oddport_format_count(service->flows, cells->flows);
    oddport_format_count(oddport_service_client_count(service, NULL), cells->clients);
    oddport_format_bytes(service->bytes, cells->bytes);
    format_server(&service->address, service->port, service->transport, cells->server,
                  sizeof cells->server);
}

static void append_evidence(GString *detail, const char *evidence)
{
    if (evidence[0] == '\0')
        return;
    g_string_append(detail, "  ");
    oddport_append_escaped(detail, evidence);
}

/* What a flow's protocol says of its sides (fingerprints, a certificate's names), escaped, for
 * the line under its evidence. */
static void append_flow_summary(GString *below, const OddportFlowReport *flow)
{
    char summary[ODDPORT_SUMMARY_MAX];
    oddport_flow_summarise(flow, summary, sizeof summary);
    oddport_append_escaped(below, summary);
}

/* The lines under a service after its evidence: its busiest clients and, when asked for, the
 * display filter that shows it in Wireshark. The table writes a row's detail as one line, so
 * further lines go in as a line break and the detail's indentation. A service's only client is
 * named alone, since the row already gives its flows, bytes and time; a scan makes thousands of
 * rows, so the line is put together without printf. */
static void append_service_lines(GString *after, const OddportService *service, bool color,
                                 bool display_filter)
{
    OddportTopClient clients[ODDPORT_TOP_CLIENTS];
    bool exact;
    size_t count = oddport_service_top_clients(service, clients, &exact);
    char address[ODDPORT_ADDRESS_TEXT_MAX];
    if (count == 1 && exact) {
        g_string_append(after, "\n      ");
        append_styled(after, color, ODDPORT_TEXT_STYLE_QUIET, "client address:");
        oddport_address_to_text(&clients[0].address, address);
        g_string_append_c(after, ' ');
        g_string_append(after, address);
    } else if (count > 0) {
        g_string_append(after, "\n      ");
        append_styled(after, color, ODDPORT_TEXT_STYLE_QUIET,
                      exact ? "top clients:" : "top clients (approximate):");
        /* Flows only: bytes and first times are in the JSON and CSV reports, and formatting
         * them in human units per client made the text report of a scan measurably slower. */
        for (size_t index = 0; index < count; index++) {
            oddport_address_to_text(&clients[index].address, address);
            g_string_append(after, index > 0 ? ", " : " ");
            g_string_append(after, address);
            g_string_append(after, " (");
            /* An estimate says the flows the client surely had, then the most it may have. */
            if (clients[index].flows_uncertain > 0) {
                oddport_append_decimal(after,
                                       clients[index].flows - clients[index].flows_uncertain);
                g_string_append(after, " to ");
            }
            oddport_append_decimal(after, clients[index].flows);
            g_string_append(after, clients[index].flows == 1 ? " flow)" : " flows)");
        }
    }
    if (display_filter) {
        char filter[ODDPORT_DISPLAY_FILTER_TEXT_MAX];
        oddport_format_display_filter(&service->address, service->port, service->transport, filter);
        g_string_append(after, "\n      ");
        append_styled(after, color, ODDPORT_TEXT_STYLE_QUIET, "Wireshark:");
        g_string_append_c(after, ' ');
        g_string_append(after, filter);
    }
}

static TextReport *text_report_new(const OddportReportOptions *options)
{
    TextReport *report = g_new0(TextReport, 1);
    report->options = *options;
    oddport_text_table_init(&report->mismatches, mismatch_columns, G_N_ELEMENTS(mismatch_columns),
                            options->top);
    oddport_text_table_init(&report->flows, flow_columns, G_N_ELEMENTS(flow_columns), options->top);
    return report;
}

static void text_report_free(TextReport *report)
{
    oddport_text_table_clear(&report->mismatches);
    oddport_text_table_clear(&report->flows);
    g_free(report);
}

static void add_flow_report(const OddportFlowReport *flow, void *state)
{
    TextReport *report = state;
    const OddportFlowVerdict *verdict = flow->verdict;
    bool color = report->options.color;
    bool want_mismatch = verdict->mismatch && !report->options.services_only &&
                         oddport_text_table_wants_row(&report->mismatches);
    bool want_flow = report->options.all_flows && !report->options.services_only &&
                     oddport_text_table_wants_row(&report->flows);
    if (!want_mismatch && !want_flow)
        return;

    char id[24];
    char client[ODDPORT_ENDPOINT_TEXT_MAX];
    char server[ODDPORT_ENDPOINT_TEXT_MAX + 8];
    snprintf(id, sizeof id, "%" PRIu64, flow->id);
    oddport_format_endpoint(&flow->client.address, flow->client.port, client);
    format_server(&flow->server.address, flow->server.port, flow->transport, server, sizeof server);
    const char *severity = oddport_severity_name(verdict->severity);
    if (severity == NULL)
        severity = "-";
    GString *evidence = g_string_new(NULL);
    append_evidence(evidence, verdict->evidence);
    GString *summary = g_string_new(NULL);
    append_flow_summary(summary, flow);

    if (want_mismatch) {
        OddportTextDetail detail = {
            "", true, flow->first_seen_ns, flow->last_seen_ns, evidence->str, summary->str};
        const char *cells[] = {id,
                               oddport_app_name(verdict->client_app),
                               oddport_app_name(verdict->server_app),
                               severity,
                               client,
                               server};
        oddport_text_table_add(&report->mismatches, cells, &detail);
    }
    if (want_flow) {
        char packets[ODDPORT_HUMAN_TEXT_MAX];
        char bytes[ODDPORT_HUMAN_TEXT_MAX];
        oddport_format_count(flow->client_packets + flow->server_packets, packets);
        oddport_format_bytes(flow->client_bytes + flow->server_bytes, bytes);
        GString *confidence = g_string_new(NULL);
        append_styled(confidence, color, ODDPORT_TEXT_STYLE_QUIET, "confidence:");
        g_string_append_printf(confidence, " %s  ", oddport_confidence_name(verdict->confidence));
        OddportTextDetail detail = {confidence->str,    true,          flow->first_seen_ns,
                                    flow->last_seen_ns, evidence->str, summary->str};
        const char *cells[] = {
            id, oddport_app_name(verdict->app), severity, packets, bytes, client, server};
        oddport_text_table_add(&report->flows, cells, &detail);
        g_string_free(confidence, TRUE);
    }
    g_string_free(summary, TRUE);
    g_string_free(evidence, TRUE);
}

/* Whether every timestamp of the run falls on one UTC day, so rows can show times alone. */
static bool run_spans_days(const OddportSummary *summary)
{
    bool any = false;
    uint64_t first = 0;
    uint64_t last = 0;
    for (guint index = 0; index < summary->captures->len; index++) {
        const OddportCaptureSummary *capture = g_ptr_array_index(summary->captures, index);
        if (capture->packets == 0)
            continue;
        if (!any || capture->first_seen_ns < first)
            first = capture->first_seen_ns;
        if (!any || capture->last_seen_ns > last)
            last = capture->last_seen_ns;
        any = true;
    }
    const uint64_t day_ns = UINT64_C(86400) * 1000000000u;
    return any && first / day_ns != last / day_ns;
}

static void append_skipped(GString *line, const uint64_t skipped[ODDPORT_SKIP_REASON_COUNT])
{
    bool first = true;
    for (unsigned reason = 1; reason < ODDPORT_SKIP_REASON_COUNT; reason++) {
        if (skipped[reason] == 0)
            continue;
        char count[ODDPORT_HUMAN_TEXT_MAX];
        oddport_format_count(skipped[reason], count);
        g_string_append_printf(line, "%s%s %s", first ? "" : ", ",
                               oddport_skip_reason_name((OddportDecodeStatus)reason), count);
        first = false;
    }
}

static bool any_skipped(const uint64_t skipped[ODDPORT_SKIP_REASON_COUNT])
{
    for (unsigned reason = 1; reason < ODDPORT_SKIP_REASON_COUNT; reason++)
        if (skipped[reason] != 0)
            return true;
    return false;
}

/* "warning: TEXT", the text escaped; `indent` spaces before. */
static void write_warning(FILE *stream, bool color, const char *indent, const char *text)
{
    GString *line = g_string_new(indent);
    append_styled(line, color, ODDPORT_TEXT_STYLE_WARNING, "warning:");
    g_string_append_c(line, ' ');
    oddport_append_escaped(line, text);
    fprintf(stream, "%s\n", line->str);
    g_string_free(line, TRUE);
}

/* One header line per capture, with its warnings and skipped packets under it; with
 * `unread_only`, only the captures that could not be read. Returns how many lines it wrote. */
static unsigned write_captures(FILE *stream, const OddportSummary *summary, bool color,
                               bool unread_only)
{
    unsigned lines = 0;
    for (guint index = 0; index < summary->captures->len; index++) {
        const OddportCaptureSummary *capture = g_ptr_array_index(summary->captures, index);
        if (unread_only && capture->error == NULL)
            continue;
        /* The path comes from the command line, yet may hold any byte a file name can. */
        GString *heading = g_string_new("Capture ");
        oddport_append_escaped(heading, capture->path);
        g_string_append_c(heading, ':');
        GString *line = g_string_new(NULL);
        append_styled(line, color, ODDPORT_TEXT_STYLE_HEADING, heading->str);
        g_string_free(heading, TRUE);
        lines++;
        if (capture->error != NULL) {
            g_string_append_c(line, ' ');
            append_styled(line, color, ODDPORT_TEXT_STYLE_WARNING, "not read:");
            g_string_append_c(line, ' ');
            oddport_append_escaped(line, capture->error);
            fprintf(stream, "%s\n", line->str);
            g_string_free(line, TRUE);
            continue;
        }
        g_string_append_printf(line, " %s%s%s, ", oddport_capture_format_name(capture->format),
                               capture->compression != NULL ? " " : "",
                               capture->compression != NULL ? capture->compression : "");
        for (guint type = 0; type < capture->link_types->len; type++)
            g_string_append_printf(line, "%s%s", type > 0 ? "+" : "",
                                   (const char *)g_ptr_array_index(capture->link_types, type));
        if (capture->link_types->len == 0)
            g_string_append(line, "no link type");
        char packets[ODDPORT_HUMAN_TEXT_MAX];
        char bytes[ODDPORT_HUMAN_TEXT_MAX];
        oddport_format_count(capture->packets, packets);
        oddport_format_bytes(capture->bytes, bytes);
        g_string_append_printf(line, ", %s packet%s, %s", packets, capture->packets == 1 ? "" : "s",
                               bytes);
        if (capture->packets > 0) {
            char first[ODDPORT_TIME_TEXT_MAX];
            char last[ODDPORT_TIME_TEXT_MAX];
            char span[ODDPORT_HUMAN_TEXT_MAX];
            const uint64_t day_ns = UINT64_C(86400) * 1000000000u;
            oddport_format_clock(capture->first_seen_ns, true, first);
            oddport_format_clock(capture->last_seen_ns,
                                 capture->first_seen_ns / day_ns != capture->last_seen_ns / day_ns,
                                 last);
            oddport_format_duration(capture->last_seen_ns - capture->first_seen_ns, span);
            g_string_append_printf(line, ", %s to %s UTC (%s)", first, last, span);
        }
        if (capture->truncated) {
            g_string_append(line, ", ");
            append_styled(line, color, ODDPORT_TEXT_STYLE_WARNING, "truncated");
        }
        fprintf(stream, "%s\n", line->str);
        for (guint warning = 0; warning < capture->warnings->len; warning++)
            write_warning(stream, color, "  ", g_ptr_array_index(capture->warnings, warning));
        lines += capture->warnings->len;
        if (any_skipped(capture->skipped)) {
            g_string_assign(line, "  skipped packets: ");
            append_skipped(line, capture->skipped);
            fprintf(stream, "%s\n", line->str);
            lines++;
        }
        g_string_free(line, TRUE);
    }
    return lines;
}

/* After the captures: a plain statement when none could be read, so an empty report is not
 * taken for a quiet network, then the run's warnings. Returns how many lines it wrote. */
static unsigned write_run_warnings(FILE *stream, const OddportSummary *summary, bool color)
{
    unsigned lines = 0;
    guint unread = 0;
    for (guint index = 0; index < summary->captures->len; index++) {
        const OddportCaptureSummary *capture = g_ptr_array_index(summary->captures, index);
        if (capture->error != NULL)
            unread++;
    }
    if (unread > 0 && unread == summary->captures->len) {
        GString *line = g_string_new(NULL);
        append_styled(line, color, ODDPORT_TEXT_STYLE_WARNING,
                      unread == 1 ? "The capture could not be read: every count below is zero."
                                  : "No capture could be read: every count below is zero.");
        fprintf(stream, "%s\n", line->str);
        g_string_free(line, TRUE);
        lines++;
    }
    for (guint index = 0; index < summary->warnings->len; index++)
        write_warning(stream, color, "", g_ptr_array_index(summary->warnings, index));
    return lines + summary->warnings->len;
}

static bool show_filters(const TextReport *report)
{
    return report->options.display_filters || report->options.all_flows;
}

/* The findings: recognised services on ports not expected for them. `services` is the tally's
 * sorted rows. */
static void write_services(FILE *stream, const GPtrArray *services, const TextReport *report,
                           bool first, bool with_date)
{
    bool color = report->options.color;
    guint nonstandard = 0;
    while (nonstandard < services->len &&
           ((const OddportService *)g_ptr_array_index(services, nonstandard))->nonstandard)
        nonstandard++;
    g_autofree char *heading =
        nonstandard == 0
            ? g_strdup("Services on non-standard ports: none")
            : g_strdup_printf("Services on non-standard ports: %u, most severe first", nonstandard);
    write_heading(stream, color, first, heading);

    OddportTextTable table;
    oddport_text_table_init(&table, service_columns, G_N_ELEMENTS(service_columns),
                            report->options.top);
    GString *owner = g_string_new(NULL);
    GString *evidence = g_string_new(NULL);
    GString *summary = g_string_new(NULL);
    for (guint index = 0; index < nonstandard; index++) {
        const OddportService *service = g_ptr_array_index(services, index);
        if (!oddport_text_table_wants_row(&table))
            continue;
        ServiceCells cells;
        format_service_cells(service, &cells);
        const char *app = oddport_app_name(service->app);
        const char *severity = oddport_severity_name(service->severity);

        g_string_truncate(owner, 0);
        g_string_truncate(evidence, 0);
        /* The port's registered owner tells what a defender expects there ("https" for SSH on
         * 443); it says nothing new when it is the app itself. */
        if (service->iana_service != NULL && strcmp(service->iana_service, app) != 0) {
            append_styled(owner, color, ODDPORT_TEXT_STYLE_QUIET, "IANA:");
            g_string_append_printf(owner, " %s  ", service->iana_service);
        }
        append_evidence(evidence, service->evidence);
        append_service_lines(evidence, service, color, show_filters(report));
        g_string_truncate(summary, 0);
        if (service->details_summary != NULL)
            oddport_append_escaped(summary, service->details_summary);
        OddportTextDetail detail = {
            owner->str,    true,        service->first_seen_ns, service->last_seen_ns,
            evidence->str, summary->str};
        const char *row[] = {severity != NULL ? severity : "-",
                             app,
                             oddport_port_class_name(oddport_port_class(service->port)),
                             cells.flows,
                             cells.clients,
                             cells.bytes,
                             cells.server};
        oddport_text_table_add(&table, row, &detail);
    }
    g_string_free(owner, TRUE);
    g_string_free(evidence, TRUE);
    g_string_free(summary, TRUE);
    if (nonstandard > 0)
        oddport_text_table_write(stream, &table, styler_for(color), with_date, "services");
    oddport_text_table_clear(&table);
}

/* Servers that speak something no protocol of the table recognises where no well-known service is
 * expected: shadow services a defender wants to know of (an LDAP callback on 1389, a mail relay
 * on 2525). Only where a server answered (oddport_service_is_other_server), so a scan of closed
 * ports adds nothing here; what the server said first is the evidence. */
static void write_other_servers(FILE *stream, const GPtrArray *services, const TextReport *report,
                                bool with_date)
{
    bool color = report->options.color;
    uint64_t count = 0;
    for (guint index = 0; index < services->len; index++)
        if (oddport_service_is_other_server(g_ptr_array_index(services, index)))
            count++;
    g_autofree char *heading =
        count == 0 ? g_strdup("Other servers on non-standard ports: none")
                   : g_strdup_printf("Other servers on non-standard ports: %" PRIu64
                                     ", not %s, where a server answered",
                                     count, oddport_protocol_titles(ODDPORT_TITLES_OR));
    write_heading(stream, color, false, heading);
    if (count == 0)
        return;

    OddportTextTable table;
    oddport_text_table_init(&table, other_server_columns, G_N_ELEMENTS(other_server_columns),
                            report->options.top);
    GString *evidence = g_string_new(NULL);
    for (guint index = 0; index < services->len; index++) {
        oddport_tally_fetch_rows_ahead(services, index);
        const OddportService *service = g_ptr_array_index(services, index);
        if (!oddport_service_is_other_server(service) || !oddport_text_table_wants_row(&table))
            continue;
        ServiceCells cells;
        format_service_cells(service, &cells);
        g_string_truncate(evidence, 0);
        const char *source = oddport_opening_source_name(service->opening_from);
        if (source != NULL) {
            g_autofree char *label = g_strdup_printf("%s sent:", source);
            g_string_append(evidence, "  ");
            append_styled(evidence, color, ODDPORT_TEXT_STYLE_QUIET, label);
            g_string_append_c(evidence, ' ');
            oddport_append_escaped_bytes(evidence, service->opening.bytes, service->opening.length);
        }
        append_service_lines(evidence, service, color, show_filters(report));
        OddportTextDetail detail = {
            "", true, service->first_seen_ns, service->last_seen_ns, evidence->str, NULL};
        const char *row[] = {oddport_port_class_name(oddport_port_class(service->port)),
                             service->iana_service != NULL ? service->iana_service : "-",
                             cells.flows,
                             cells.clients,
                             cells.bytes,
                             cells.server};
        oddport_text_table_add(&table, row, &detail);
    }
    g_string_free(evidence, TRUE);
    oddport_text_table_write(stream, &table, styler_for(color), with_date, "servers");
    oddport_text_table_clear(&table);
}

/* Both lists of services, from one sort of the tally's rows. */
static void write_service_sections(FILE *stream, const OddportTally *tally,
                                   const TextReport *report, bool first, bool with_date)
{
    GPtrArray *services = oddport_tally_services(tally);
    write_services(stream, services, report, first, with_date);
    write_other_servers(stream, services, report, with_date);
    g_ptr_array_unref(services);
}

static void write_count_tables(FILE *stream, const OddportFlowCounts *counts, bool color)
{
    char flows[ODDPORT_HUMAN_TEXT_MAX];
    char packets[ODDPORT_HUMAN_TEXT_MAX];
    char bytes[ODDPORT_HUMAN_TEXT_MAX];

    write_heading(stream, color, false, "Flows by server port class:");
    OddportTextTable classes;
    oddport_text_table_init(&classes, port_class_columns, G_N_ELEMENTS(port_class_columns), 0);
    for (unsigned port_class = 0; port_class < ODDPORT_PORT_CLASS_COUNT; port_class++) {
        const OddportTrafficCount *count = &counts->port_classes[port_class];
        oddport_format_count(count->flows, flows);
        oddport_format_count(count->packets, packets);
        oddport_format_bytes(count->bytes, bytes);
        const char *cells[] = {oddport_port_class_name((OddportPortClass)port_class),
                               oddport_port_class_range((OddportPortClass)port_class), flows,
                               packets, bytes};
        oddport_text_table_add(&classes, cells, NULL);
    }
    oddport_text_table_write(stream, &classes, styler_for(color), false, "port classes");
    oddport_text_table_clear(&classes);

    write_heading(stream, color, false, "Flows by app, on standard and non-standard ports:");
    OddportTextTable apps;
    oddport_text_table_init(&apps, app_columns, G_N_ELEMENTS(app_columns), 0);
    for (size_t index = 0; index < ODDPORT_APP_COUNT; index++) {
        OddportApp app = oddport_app_in_report_order(index);
        const OddportAppCount *count = &counts->apps[app];
        char standard[ODDPORT_HUMAN_TEXT_MAX];
        char nonstandard[ODDPORT_HUMAN_TEXT_MAX];
        oddport_format_count(count->flows, flows);
        oddport_format_count(count->flows - count->nonstandard_flows, standard);
        oddport_format_count(count->nonstandard_flows, nonstandard);
        oddport_format_count(count->packets, packets);
        oddport_format_bytes(count->bytes, bytes);
        /* An unrecognised app has no standard port, so neither column means anything for it. */
        bool unknown = app == ODDPORT_APP_UNKNOWN;
        const char *cells[] = {oddport_app_name(app),       flows,   unknown ? "-" : standard,
                               unknown ? "-" : nonstandard, packets, bytes};
        oddport_text_table_add(&apps, cells, NULL);
    }
    oddport_text_table_write(stream, &apps, styler_for(color), false, "apps");
    oddport_text_table_clear(&apps);
}

static void write_totals(FILE *stream, const OddportSummary *summary, bool color)
{
    char flows[ODDPORT_HUMAN_TEXT_MAX];
    char packets[ODDPORT_HUMAN_TEXT_MAX];
    char bytes[ODDPORT_HUMAN_TEXT_MAX];
    GString *line = g_string_new(NULL);
    char tcp[ODDPORT_HUMAN_TEXT_MAX];
    char udp[ODDPORT_HUMAN_TEXT_MAX];
    oddport_format_count(summary->packets, packets);
    oddport_format_bytes(summary->bytes, bytes);
    oddport_format_count(summary->counts->flows, flows);
    oddport_format_count(summary->counts->tcp_flows, tcp);
    oddport_format_count(summary->counts->udp_flows, udp);
    g_string_append_c(line, '\n');
    append_styled(line, color, ODDPORT_TEXT_STYLE_HEADING, "Totals:");
    g_string_append_printf(line, " %s packet%s, %s, %s flow%s (%s tcp, %s udp)", packets,
                           summary->packets == 1 ? "" : "s", bytes, flows,
                           summary->counts->flows == 1 ? "" : "s", tcp, udp);
    /* Each capture's header lists its own; the sum only adds something for several. */
    if (summary->captures->len > 1 && any_skipped(summary->skipped)) {
        g_string_append(line, "; skipped packets: ");
        append_skipped(line, summary->skipped);
    }
    fprintf(stream, "%s\n", line->str);
    g_string_free(line, TRUE);
}

static bool write_report(const TextReport *report, const OddportRunResult *run, FILE *stream)
{
    const OddportSummary *summary = run->summary;
    bool color = report->options.color;
    bool with_date = run_spans_days(summary);
    if (summary->stopped || summary->out_of_memory) {
        GString *line = g_string_new(NULL);
        append_styled(line, color, ODDPORT_TEXT_STYLE_WARNING, "Incomplete:");
        g_string_append(line, summary->out_of_memory
                                  ? " memory ran out, so reading stopped early; this report "
                                    "covers only the packets read\n\n"
                                  : " the run was stopped early; this report covers only the "
                                    "packets read\n\n");
        fputs(line->str, stream);
        g_string_free(line, TRUE);
    }
    /* Only the services, yet never without saying which captures were not read, nor what the
     * run left out. */
    unsigned header_lines = write_captures(stream, summary, color, report->options.services_only);
    header_lines += write_run_warnings(stream, summary, color);
    write_service_sections(stream, run->tally, report, header_lines == 0, with_date);
    if (report->options.services_only)
        return fflush(stream) == 0 && !ferror(stream);

    uint64_t mismatch_count = oddport_text_table_offered(&report->mismatches);
    if (mismatch_count > 0) {
        g_autofree char *heading =
            g_strdup_printf("Mismatches: %" PRIu64 " flow%s where the client and the server "
                            "speak different apps",
                            mismatch_count, mismatch_count == 1 ? "" : "s");
        write_heading(stream, color, false, heading);
        oddport_text_table_write(stream, &report->mismatches, styler_for(color), with_date,
                                 "mismatches");
    }
    write_count_tables(stream, summary->counts, color);
    write_totals(stream, summary, color);
    if (report->options.all_flows) {
        uint64_t flow_count = oddport_text_table_offered(&report->flows);
        g_autofree char *heading = g_strdup_printf(
            "All flows: %" PRIu64 ", in the order they ended (times UTC)", flow_count);
        write_heading(stream, color, false, heading);
        if (flow_count > 0)
            oddport_text_table_write(stream, &report->flows, styler_for(color), with_date, "flows");
    }
    return fflush(stream) == 0 && !ferror(stream);
}

static void *begin_report(FILE *stream, const OddportReportOptions *options)
{
    TextReport *report = text_report_new(options);
    report->stream = stream;
    return report;
}

static void discard_report(void *state)
{
    text_report_free(state);
}

/* The whole report is written here, once every flow is in: the findings come first, and the
 * tables need every row to size their columns. */
static bool end_report(void *state, const OddportRunResult *run)
{
    TextReport *report = state;
    bool written = write_report(report, run, report->stream);
    text_report_free(report);
    return written;
}

bool oddport_text_write_tally(FILE *stream, const OddportTally *tally,
                              const OddportTextOptions *options)
{
    TextReport *report = text_report_new(options);
    write_service_sections(stream, tally, report, options->services_only, true);
    if (!options->services_only)
        write_count_tables(stream, oddport_tally_counts(tally), options->color);
    text_report_free(report);
    return fflush(stream) == 0 && !ferror(stream);
}

const OddportReportFormat oddport_report_format_text = {
    .name = "text",
    .description = "for people: the findings first, then summary tables",
    .supports_services_only = true,
    .supports_all_flows = true,
    .supports_top = true,
    .for_terminals = true,
    .begin = begin_report,
    .add_flow = add_flow_report,
    .end = end_report,
    .discard = discard_report,
};
