/* The plain text report: what hides on odd ports first, then the summary tables. */
#include <inttypes.h>
#include <string.h>

#include <glib.h>

#include "oddport/report.h"

struct OddportTextReport {
    OddportTextOptions options;
    GPtrArray *mismatch_lines; /* of char *, already escaped */
    GPtrArray *flow_lines;     /* of char *, already escaped; only with all_flows */
};

/* Wire bytes never reach a terminal raw: anything but printable ASCII becomes \xNN. */
static void append_escaped(GString *out, const char *text)
{
    for (const unsigned char *byte = (const unsigned char *)text; *byte != '\0'; byte++) {
        if (*byte >= 0x20 && *byte < 0x7f && *byte != '\\')
            g_string_append_c(out, (char)*byte);
        else if (*byte == '\\')
            g_string_append(out, "\\\\");
        else
            g_string_append_printf(out, "\\x%02x", *byte);
    }
}

static char *escaped(const char *text)
{
    GString *out = g_string_new(NULL);
    append_escaped(out, text);
    return g_string_free(out, FALSE);
}

static void format_endpoint(const OddportEndpoint *endpoint, char *text, size_t size)
{
    char address[ODDPORT_ADDRESS_TEXT_MAX];
    oddport_address_to_text(&endpoint->address, address);
    if (endpoint->address.family == 6)
        snprintf(text, size, "[%s]:%u", address, (unsigned)endpoint->port);
    else
        snprintf(text, size, "%s:%u", address, (unsigned)endpoint->port);
}

OddportTextReport *oddport_text_report_new(const OddportTextOptions *options)
{
    OddportTextReport *report = g_new0(OddportTextReport, 1);
    report->options = *options;
    report->mismatch_lines = g_ptr_array_new_with_free_func(g_free);
    report->flow_lines = g_ptr_array_new_with_free_func(g_free);
    return report;
}

void oddport_text_report_free(OddportTextReport *report)
{
    if (report == NULL)
        return;
    g_ptr_array_unref(report->mismatch_lines);
    g_ptr_array_unref(report->flow_lines);
    g_free(report);
}

void oddport_text_report_add_flow(const OddportFlowReport *flow, void *text_report)
{
    OddportTextReport *report = text_report;
    const OddportFlowVerdict *verdict = flow->verdict;
    if (!verdict->mismatch && !report->options.all_flows)
        return;
    char client[64];
    char server[64];
    format_endpoint(&flow->client, client, sizeof client);
    format_endpoint(&flow->server, server, sizeof server);
    g_autofree char *evidence = escaped(verdict->evidence);
    if (verdict->mismatch)
        g_ptr_array_add(report->mismatch_lines,
                        g_strdup_printf("  flow %" PRIu64 " %s -> %s: client speaks %s, server "
                                        "speaks %s (%s)",
                                        flow->id, client, server,
                                        oddport_app_name(verdict->client_app),
                                        oddport_app_name(verdict->server_app), evidence));
    if (report->options.all_flows) {
        const char *severity = oddport_severity_name(verdict->severity);
        g_ptr_array_add(report->flow_lines,
                        g_strdup_printf("  %6" PRIu64 "  %-3s  %-44s %-44s %-7s %-10s %-6s "
                                        "%8" PRIu64 " %10" PRIu64 "  %s",
                                        flow->id, oddport_transport_name(flow->transport), client,
                                        server, oddport_app_name(verdict->app),
                                        severity != NULL ? severity : "-",
                                        oddport_confidence_name(verdict->confidence),
                                        flow->client_packets + flow->server_packets,
                                        flow->client_bytes + flow->server_bytes, evidence));
    }
}

static void write_captures(FILE *stream, const OddportSummary *summary)
{
    for (guint index = 0; index < summary->captures->len; index++) {
        const OddportCaptureSummary *capture = g_ptr_array_index(summary->captures, index);
        g_autofree char *path = escaped(capture->path);
        g_autofree char *link_types = NULL;
        GString *joined = g_string_new(NULL);
        for (guint type = 0; type < capture->link_types->len; type++)
            g_string_append_printf(joined, "%s%s", type > 0 ? "+" : "",
                                   (const char *)g_ptr_array_index(capture->link_types, type));
        link_types = g_string_free(joined, FALSE);
        fprintf(stream, "Capture %s: %s, %s, %" PRIu64 " packets, %" PRIu64 " bytes", path,
                oddport_capture_format_name(capture->format),
                link_types[0] != '\0' ? link_types : "no link type", capture->packets,
                capture->bytes);
        if (capture->packets > 0) {
            char first[ODDPORT_TIME_TEXT_MAX];
            char last[ODDPORT_TIME_TEXT_MAX];
            oddport_format_time(capture->first_seen_ns, capture->precision_digits, first);
            oddport_format_time(capture->last_seen_ns, capture->precision_digits, last);
            fprintf(stream, ", %s to %s", first, last);
        }
        fprintf(stream, "%s\n", capture->truncated ? " (truncated)" : "");
        for (guint warning = 0; warning < capture->warnings->len; warning++) {
            g_autofree char *line = escaped(g_ptr_array_index(capture->warnings, warning));
            fprintf(stream, "  warning: %s\n", line);
        }
    }
}

static void write_services(FILE *stream, const OddportEngine *engine)
{
    GPtrArray *services = oddport_engine_services(engine);
    guint nonstandard = 0;
    while (nonstandard < services->len &&
           ((const OddportService *)g_ptr_array_index(services, nonstandard))->nonstandard)
        nonstandard++;
    fprintf(stream, "\nServices on non-standard ports: %u\n", nonstandard);
    if (nonstandard > 0)
        fprintf(stream, "  %-10s %-3s %-44s %-10s %-4s %-14s %6s %7s %10s  %s\n", "SEVERITY",
                "", "SERVER", "CLASS", "APP", "PORT OWNER", "FLOWS", "CLIENTS", "BYTES",
                "EVIDENCE");
    for (guint index = 0; index < nonstandard; index++) {
        const OddportService *service = g_ptr_array_index(services, index);
        OddportEndpoint server = {service->address, service->port,
                                  oddport_port_class(service->port)};
        char endpoint[64];
        format_endpoint(&server, endpoint, sizeof endpoint);
        g_autofree char *evidence = escaped(service->evidence);
        const char *severity = oddport_severity_name(service->severity);
        fprintf(stream,
                "  %-10s %-3s %-44s %-10s %-4s %-14s %6" PRIu64 " %7u %10" PRIu64 "  %s\n",
                severity != NULL ? severity : "-", oddport_transport_name(service->transport),
                endpoint, oddport_port_class_name(server.port_class),
                oddport_app_name(service->app),
                service->iana_service != NULL ? service->iana_service : "-", service->flows,
                (unsigned)oddport_distinct_count(service->clients), service->bytes, evidence);
    }
    g_ptr_array_unref(services);
}

static void write_tables(FILE *stream, const OddportSummary *summary)
{
    fprintf(stream, "\nFlows by server port class:\n");
    for (unsigned port_class = 0; port_class < ODDPORT_PORT_CLASS_COUNT; port_class++) {
        const OddportTrafficCount *count = &summary->port_classes[port_class];
        fprintf(stream, "  %-10s %-11s %8" PRIu64 " flows %10" PRIu64 " packets %12" PRIu64
                        " bytes\n",
                oddport_port_class_name((OddportPortClass)port_class),
                oddport_port_class_range((OddportPortClass)port_class), count->flows,
                count->packets, count->bytes);
    }
    fprintf(stream, "\nFlows by app:\n");
    static const OddportApp app_order[] = {ODDPORT_APP_HTTP, ODDPORT_APP_TLS, ODDPORT_APP_SSH,
                                           ODDPORT_APP_UNKNOWN};
    for (size_t index = 0; index < G_N_ELEMENTS(app_order); index++) {
        const OddportAppCount *count = &summary->apps[app_order[index]];
        fprintf(stream, "  %-8s %8" PRIu64 " flows, %8" PRIu64 " on non-standard ports\n",
                oddport_app_name(app_order[index]), count->flows, count->nonstandard_flows);
    }
    fprintf(stream, "\nTotals: %" PRIu64 " packets, %" PRIu64 " bytes, %" PRIu64
                    " flows (%" PRIu64 " tcp, %" PRIu64 " udp)",
            summary->packets, summary->bytes, summary->flows, summary->tcp_flows,
            summary->udp_flows);
    bool first = true;
    for (unsigned reason = 1; reason < ODDPORT_SKIP_REASON_COUNT; reason++) {
        if (summary->skipped[reason] == 0)
            continue;
        fprintf(stream, "%s%s %" PRIu64, first ? "; skipped: " : ", ",
                oddport_skip_reason_name((OddportDecodeStatus)reason), summary->skipped[reason]);
        first = false;
    }
    fprintf(stream, "\n");
}

bool oddport_text_report_write(OddportTextReport *report, const OddportEngine *engine,
                               FILE *stream)
{
    const OddportSummary *summary = oddport_engine_summary(engine);
    write_captures(stream, summary);
    write_services(stream, engine);
    if (report->mismatch_lines->len > 0) {
        fprintf(stream, "\nMismatches: %u\n", report->mismatch_lines->len);
        for (guint index = 0; index < report->mismatch_lines->len; index++)
            fprintf(stream, "%s\n", (const char *)g_ptr_array_index(report->mismatch_lines, index));
    }
    write_tables(stream, summary);
    if (report->options.all_flows) {
        fprintf(stream, "\nAll flows (in the order they ended):\n");
        fprintf(stream, "  %6s  %-3s  %-44s %-44s %-7s %-10s %-6s %8s %10s  %s\n", "ID", "",
                "CLIENT", "SERVER", "APP", "SEVERITY", "CONF", "PACKETS", "BYTES", "EVIDENCE");
        for (guint index = 0; index < report->flow_lines->len; index++)
            fprintf(stream, "%s\n", (const char *)g_ptr_array_index(report->flow_lines, index));
    }
    return fflush(stream) == 0 && !ferror(stream);
}
