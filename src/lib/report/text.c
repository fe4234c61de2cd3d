/* The plain text report: what hides on odd ports first, then the summary tables. */
#include <inttypes.h>
#include <string.h>

#include <glib.h>

#include "oddport/report.h"

/* ANSI SGR parameters. Severities get the loudest colours so the eye lands on them first. */
typedef enum {
    STYLE_NONE,
    STYLE_HEADING,
    STYLE_MASQUERADE,
    STYLE_UNEXPECTED,
    STYLE_ALTERNATE,
    STYLE_WARNING,
    STYLE_QUIET, /* labels of detail lines and "+N more" */
} Style;

static const char *const style_codes[] = {
    [STYLE_NONE] = NULL,       [STYLE_HEADING] = "1",    [STYLE_MASQUERADE] = "1;31",
    [STYLE_UNEXPECTED] = "33", [STYLE_ALTERNATE] = "36", [STYLE_WARNING] = "1;33",
    [STYLE_QUIET] = "2",
};

typedef enum {
    ALIGN_LEFT,
    ALIGN_RIGHT,
} Alignment;

typedef struct {
    const char *heading;
    Alignment alignment;
    bool is_severity; /* cells are severity names, coloured by their value */
} Column;

#define TABLE_COLUMNS_MAX 8

/* One row: its cells, then a detail line printed under it that does not count for the widths.
 * The detail's times are kept as numbers because whether they need their date is only known
 * once every capture has been read. */
typedef struct {
    bool has_times;
    uint64_t first_seen_ns;
    uint64_t last_seen_ns;
    /* Each cell NUL-terminated, then the detail before the times and the detail after them. */
    char text[];
} Row;

/* A table whose columns are as wide as their widest cell, so rows are kept until it is written.
 * All cell text is ASCII (wire text arrives escaped), so a cell's width is its length. */
typedef struct {
    const Column *columns;
    size_t column_count;
    size_t widths[TABLE_COLUMNS_MAX];
    GPtrArray *rows;        /* of Row * */
    uint64_t limit;         /* --top: rows kept at most; 0 keeps all */
    uint64_t rows_left_out; /* rows beyond the limit, counted for the "+N more" line */
} Table;

/* What goes under a row: `before`, then when the row has times "seen: FIRST to LAST", then
 * `after`. Both texts are already escaped (and coloured, when colour is on). */
typedef struct {
    const char *before;
    bool has_times;
    uint64_t first_seen_ns;
    uint64_t last_seen_ns;
    const char *after;
} Detail;

struct OddportTextReport {
    OddportTextOptions options;
    Table mismatches;
    Table flows;
};

static const Column service_columns[] = {
    {"SEVERITY", ALIGN_LEFT, true}, {"APP", ALIGN_LEFT, false},      {"CLASS", ALIGN_LEFT, false},
    {"FLOWS", ALIGN_RIGHT, false},  {"CLIENTS", ALIGN_RIGHT, false}, {"BYTES", ALIGN_RIGHT, false},
    {"SERVER", ALIGN_LEFT, false},
};

static const Column other_server_columns[] = {
    {"CLASS", ALIGN_LEFT, false},    {"IANA", ALIGN_LEFT, false},   {"FLOWS", ALIGN_RIGHT, false},
    {"CLIENTS", ALIGN_RIGHT, false}, {"BYTES", ALIGN_RIGHT, false}, {"SERVER", ALIGN_LEFT, false},
};

static const Column mismatch_columns[] = {
    {"FLOW", ALIGN_RIGHT, false},      {"CLIENT APP", ALIGN_LEFT, false},
    {"SERVER APP", ALIGN_LEFT, false}, {"SEVERITY", ALIGN_LEFT, true},
    {"CLIENT", ALIGN_LEFT, false},     {"SERVER", ALIGN_LEFT, false},
};

static const Column flow_columns[] = {
    {"ID", ALIGN_RIGHT, false},      {"APP", ALIGN_LEFT, false},    {"SEVERITY", ALIGN_LEFT, true},
    {"PACKETS", ALIGN_RIGHT, false}, {"BYTES", ALIGN_RIGHT, false}, {"CLIENT", ALIGN_LEFT, false},
    {"SERVER", ALIGN_LEFT, false},
};

static const Column port_class_columns[] = {
    {"CLASS", ALIGN_LEFT, false},    {"PORTS", ALIGN_LEFT, false},  {"FLOWS", ALIGN_RIGHT, false},
    {"PACKETS", ALIGN_RIGHT, false}, {"BYTES", ALIGN_RIGHT, false},
};

static const Column app_columns[] = {
    {"APP", ALIGN_LEFT, false},
    {"FLOWS", ALIGN_RIGHT, false},
    {"STANDARD PORT", ALIGN_RIGHT, false},
    {"NON-STANDARD PORT", ALIGN_RIGHT, false},
    {"PACKETS", ALIGN_RIGHT, false},
    {"BYTES", ALIGN_RIGHT, false},
};

static void table_init(Table *table, const Column *columns, size_t column_count, uint64_t limit)
{
    g_assert(column_count <= TABLE_COLUMNS_MAX);
    memset(table, 0, sizeof *table);
    table->columns = columns;
    table->column_count = column_count;
    table->rows = g_ptr_array_new_with_free_func(g_free);
    table->limit = limit;
    for (size_t column = 0; column < column_count; column++)
        table->widths[column] = strlen(columns[column].heading);
}

static void table_clear(Table *table)
{
    if (table->rows != NULL)
        g_ptr_array_unref(table->rows);
    table->rows = NULL;
}

/* Whether one more row fits under the limit; counts it as left out when not. */
static bool table_wants_row(Table *table)
{
    if (table->limit != 0 && table->rows->len >= table->limit) {
        table->rows_left_out++;
        return false;
    }
    return true;
}

/* Adds a row: `cells` holds column_count strings; `detail` may be NULL. One allocation a row,
 * since --all-flows keeps one per flow. */
static void table_add(Table *table, const char *const *cells, const Detail *detail)
{
    const char *before = detail != NULL && detail->before != NULL ? detail->before : "";
    const char *after = detail != NULL && detail->after != NULL ? detail->after : "";
    size_t lengths[TABLE_COLUMNS_MAX + 2];
    size_t total = 0;
    for (size_t column = 0; column < table->column_count; column++) {
        lengths[column] = strlen(cells[column]);
        if (lengths[column] > table->widths[column])
            table->widths[column] = lengths[column];
        total += lengths[column] + 1;
    }
    lengths[table->column_count] = strlen(before);
    lengths[table->column_count + 1] = strlen(after);
    total += lengths[table->column_count] + 1 + lengths[table->column_count + 1] + 1;

    Row *row = g_malloc(sizeof(Row) + total);
    row->has_times = detail != NULL && detail->has_times;
    row->first_seen_ns = row->has_times ? detail->first_seen_ns : 0;
    row->last_seen_ns = row->has_times ? detail->last_seen_ns : 0;
    char *cursor = row->text;
    for (size_t part = 0; part < table->column_count + 2; part++) {
        const char *text = part < table->column_count    ? cells[part]
                           : part == table->column_count ? before
                                                         : after;
        memcpy(cursor, text, lengths[part] + 1);
        cursor += lengths[part] + 1;
    }
    g_ptr_array_add(table->rows, row);
}

static void append_styled(GString *line, bool color, Style style, const char *text)
{
    if (!color || style_codes[style] == NULL) {
        g_string_append(line, text);
        return;
    }
    g_string_append_printf(line, "\033[%sm%s\033[0m", style_codes[style], text);
}

static Style severity_style(const char *name)
{
    if (strcmp(name, "masquerade") == 0)
        return STYLE_MASQUERADE;
    if (strcmp(name, "unexpected") == 0)
        return STYLE_UNEXPECTED;
    if (strcmp(name, "alternate") == 0)
        return STYLE_ALTERNATE;
    return STYLE_NONE;
}

static void append_padding(GString *line, size_t count)
{
    for (size_t index = 0; index < count; index++)
        g_string_append_c(line, ' ');
}

/* One line of cells; the last column gets no trailing spaces. */
static void write_cells(FILE *stream, const Table *table, const char *const *cells, bool heading,
                        bool color)
{
    GString *line = g_string_new("  ");
    for (size_t column = 0; column < table->column_count; column++) {
        const Column *spec = &table->columns[column];
        size_t padding = table->widths[column] - strlen(cells[column]);
        bool last = column + 1 == table->column_count;
        if (column > 0)
            g_string_append(line, "  ");
        if (spec->alignment == ALIGN_RIGHT)
            append_padding(line, padding);
        Style style = heading             ? STYLE_NONE
                      : spec->is_severity ? severity_style(cells[column])
                                          : STYLE_NONE;
        append_styled(line, color, style, cells[column]);
        if (spec->alignment == ALIGN_LEFT && !last)
            append_padding(line, padding);
    }
    g_string_append_c(line, '\n');
    fwrite(line->str, 1, line->len, stream);
    g_string_free(line, TRUE);
}

/* "seen: 01:10:54 to 01:10:56" (one time when both fall in the same second). Times are UTC;
 * the capture headers say so and give the date when every time shares it. */
static void append_seen(GString *detail, bool color, uint64_t first_ns, uint64_t last_ns,
                        bool with_date)
{
    char first[ODDPORT_TIME_TEXT_MAX];
    char last[ODDPORT_TIME_TEXT_MAX];
    oddport_format_clock(first_ns, with_date, first);
    oddport_format_clock(last_ns, with_date, last);
    append_styled(detail, color, STYLE_QUIET, "seen:");
    g_string_append_printf(detail, " %s", first);
    if (strcmp(first, last) != 0)
        g_string_append_printf(detail, " to %s", last);
}

/* Writes the column headings, the rows with their detail lines, and "+N more" when the limit
 * left rows out. `with_date`: whether detail times need their date. */
static void table_write(FILE *stream, const Table *table, bool color, bool with_date,
                        const char *what)
{
    const char *headings[TABLE_COLUMNS_MAX];
    for (size_t column = 0; column < table->column_count; column++)
        headings[column] = table->columns[column].heading;
    write_cells(stream, table, headings, true, color);
    GString *detail = g_string_new(NULL);
    for (guint index = 0; index < table->rows->len; index++) {
        const Row *row = g_ptr_array_index(table->rows, index);
        const char *cells[TABLE_COLUMNS_MAX];
        const char *cursor = row->text;
        for (size_t column = 0; column < table->column_count; column++) {
            cells[column] = cursor;
            cursor += strlen(cursor) + 1;
        }
        write_cells(stream, table, cells, false, color);
        const char *after = cursor + strlen(cursor) + 1;
        g_string_assign(detail, cursor);
        if (row->has_times)
            append_seen(detail, color, row->first_seen_ns, row->last_seen_ns, with_date);
        g_string_append(detail, after);
        if (detail->len > 0)
            fprintf(stream, "      %s\n", detail->str);
    }
    g_string_free(detail, TRUE);
    if (table->rows_left_out > 0) {
        g_autofree char *more =
            g_strdup_printf("+%" PRIu64 " more %s (--top 0 shows all)", table->rows_left_out, what);
        GString *line = g_string_new("  ");
        append_styled(line, color, STYLE_QUIET, more);
        fprintf(stream, "%s\n", line->str);
        g_string_free(line, TRUE);
    }
}

/* A section heading, after a blank line unless it opens the report. */
static void write_heading(FILE *stream, bool color, bool first, const char *text)
{
    GString *line = g_string_new(first ? NULL : "\n");
    append_styled(line, color, STYLE_HEADING, text);
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
    oddport_format_count(oddport_distinct_count(service->clients), cells->clients);
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

OddportTextReport *oddport_text_report_new(const OddportTextOptions *options)
{
    OddportTextReport *report = g_new0(OddportTextReport, 1);
    report->options = *options;
    table_init(&report->mismatches, mismatch_columns, G_N_ELEMENTS(mismatch_columns), options->top);
    table_init(&report->flows, flow_columns, G_N_ELEMENTS(flow_columns), options->top);
    return report;
}

void oddport_text_report_free(OddportTextReport *report)
{
    if (report == NULL)
        return;
    table_clear(&report->mismatches);
    table_clear(&report->flows);
    g_free(report);
}

void oddport_text_report_add_flow(const OddportFlowReport *flow, void *text_report)
{
    OddportTextReport *report = text_report;
    const OddportFlowVerdict *verdict = flow->verdict;
    bool color = report->options.color;
    bool want_mismatch =
        verdict->mismatch && !report->options.services_only && table_wants_row(&report->mismatches);
    bool want_flow = report->options.all_flows && !report->options.services_only &&
                     table_wants_row(&report->flows);
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

    if (want_mismatch) {
        Detail detail = {"", true, flow->first_seen_ns, flow->last_seen_ns, evidence->str};
        const char *cells[] = {id,
                               oddport_app_name(verdict->client_app),
                               oddport_app_name(verdict->server_app),
                               severity,
                               client,
                               server};
        table_add(&report->mismatches, cells, &detail);
    }
    if (want_flow) {
        char packets[ODDPORT_HUMAN_TEXT_MAX];
        char bytes[ODDPORT_HUMAN_TEXT_MAX];
        oddport_format_count(flow->client_packets + flow->server_packets, packets);
        oddport_format_bytes(flow->client_bytes + flow->server_bytes, bytes);
        GString *confidence = g_string_new(NULL);
        append_styled(confidence, color, STYLE_QUIET, "confidence:");
        g_string_append_printf(confidence, " %s  ", oddport_confidence_name(verdict->confidence));
        Detail detail = {confidence->str, true, flow->first_seen_ns, flow->last_seen_ns,
                         evidence->str};
        const char *cells[] = {
            id, oddport_app_name(verdict->app), severity, packets, bytes, client, server};
        table_add(&report->flows, cells, &detail);
        g_string_free(confidence, TRUE);
    }
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
    append_styled(line, color, STYLE_WARNING, "warning:");
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
        append_styled(line, color, STYLE_HEADING, heading->str);
        g_string_free(heading, TRUE);
        lines++;
        if (capture->error != NULL) {
            g_string_append_c(line, ' ');
            append_styled(line, color, STYLE_WARNING, "not read:");
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
            append_styled(line, color, STYLE_WARNING, "truncated");
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
        append_styled(line, color, STYLE_WARNING,
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

/* The findings: recognised services on ports not expected for them. `services` is the tally's
 * sorted rows. */
static void write_services(FILE *stream, const GPtrArray *services, const OddportTextReport *report,
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

    Table table;
    table_init(&table, service_columns, G_N_ELEMENTS(service_columns), report->options.top);
    GString *owner = g_string_new(NULL);
    GString *evidence = g_string_new(NULL);
    for (guint index = 0; index < nonstandard; index++) {
        const OddportService *service = g_ptr_array_index(services, index);
        if (!table_wants_row(&table))
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
            append_styled(owner, color, STYLE_QUIET, "IANA:");
            g_string_append_printf(owner, " %s  ", service->iana_service);
        }
        append_evidence(evidence, service->evidence);
        Detail detail = {owner->str, true, service->first_seen_ns, service->last_seen_ns,
                         evidence->str};
        const char *row[] = {severity != NULL ? severity : "-",
                             app,
                             oddport_port_class_name(oddport_port_class(service->port)),
                             cells.flows,
                             cells.clients,
                             cells.bytes,
                             cells.server};
        table_add(&table, row, &detail);
    }
    g_string_free(owner, TRUE);
    g_string_free(evidence, TRUE);
    if (nonstandard > 0)
        table_write(stream, &table, color, with_date, "services");
    table_clear(&table);
}

/* Servers that speak something other than HTTP, TLS or SSH where no well-known service is
 * expected: shadow services a defender wants to know of (an LDAP callback on 1389, a mail relay
 * on 2525). Only where a server answered (oddport_service_is_other_server), so a scan of closed
 * ports adds nothing here; what the server said first is the evidence. */
static void write_other_servers(FILE *stream, const GPtrArray *services,
                                const OddportTextReport *report, bool with_date)
{
    bool color = report->options.color;
    uint64_t count = 0;
    for (guint index = 0; index < services->len; index++)
        if (oddport_service_is_other_server(g_ptr_array_index(services, index)))
            count++;
    g_autofree char *heading =
        count == 0 ? g_strdup("Other servers on non-standard ports: none")
                   : g_strdup_printf("Other servers on non-standard ports: %" PRIu64
                                     ", not HTTP, TLS or SSH, where a server answered",
                                     count);
    write_heading(stream, color, false, heading);
    if (count == 0)
        return;

    Table table;
    table_init(&table, other_server_columns, G_N_ELEMENTS(other_server_columns),
               report->options.top);
    GString *evidence = g_string_new(NULL);
    for (guint index = 0; index < services->len; index++) {
        const OddportService *service = g_ptr_array_index(services, index);
        if (!oddport_service_is_other_server(service) || !table_wants_row(&table))
            continue;
        ServiceCells cells;
        format_service_cells(service, &cells);
        g_string_truncate(evidence, 0);
        const char *source = oddport_opening_source_name(service->opening_from);
        if (source != NULL) {
            g_autofree char *label = g_strdup_printf("%s sent:", source);
            g_string_append(evidence, "  ");
            append_styled(evidence, color, STYLE_QUIET, label);
            g_string_append_c(evidence, ' ');
            oddport_append_escaped_bytes(evidence, service->opening.bytes, service->opening.length);
        }
        Detail detail = {"", true, service->first_seen_ns, service->last_seen_ns, evidence->str};
        const char *row[] = {oddport_port_class_name(oddport_port_class(service->port)),
                             service->iana_service != NULL ? service->iana_service : "-",
                             cells.flows,
                             cells.clients,
                             cells.bytes,
                             cells.server};
        table_add(&table, row, &detail);
    }
    g_string_free(evidence, TRUE);
    table_write(stream, &table, color, with_date, "servers");
    table_clear(&table);
}

/* Both lists of services, from one sort of the tally's rows. */
static void write_service_sections(FILE *stream, const OddportTally *tally,
                                   const OddportTextReport *report, bool first, bool with_date)
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
    Table classes;
    table_init(&classes, port_class_columns, G_N_ELEMENTS(port_class_columns), 0);
    for (unsigned port_class = 0; port_class < ODDPORT_PORT_CLASS_COUNT; port_class++) {
        const OddportTrafficCount *count = &counts->port_classes[port_class];
        oddport_format_count(count->flows, flows);
        oddport_format_count(count->packets, packets);
        oddport_format_bytes(count->bytes, bytes);
        const char *cells[] = {oddport_port_class_name((OddportPortClass)port_class),
                               oddport_port_class_range((OddportPortClass)port_class), flows,
                               packets, bytes};
        table_add(&classes, cells, NULL);
    }
    table_write(stream, &classes, color, false, "port classes");
    table_clear(&classes);

    write_heading(stream, color, false, "Flows by app, on standard and non-standard ports:");
    Table apps;
    table_init(&apps, app_columns, G_N_ELEMENTS(app_columns), 0);
    static const OddportApp app_order[] = {ODDPORT_APP_HTTP, ODDPORT_APP_TLS, ODDPORT_APP_SSH,
                                           ODDPORT_APP_UNKNOWN};
    for (size_t index = 0; index < G_N_ELEMENTS(app_order); index++) {
        const OddportAppCount *count = &counts->apps[app_order[index]];
        char standard[ODDPORT_HUMAN_TEXT_MAX];
        char nonstandard[ODDPORT_HUMAN_TEXT_MAX];
        oddport_format_count(count->flows, flows);
        oddport_format_count(count->flows - count->nonstandard_flows, standard);
        oddport_format_count(count->nonstandard_flows, nonstandard);
        oddport_format_count(count->packets, packets);
        oddport_format_bytes(count->bytes, bytes);
        /* An unrecognised app has no standard port, so neither column means anything for it. */
        bool unknown = app_order[index] == ODDPORT_APP_UNKNOWN;
        const char *cells[] = {
            oddport_app_name(app_order[index]), flows,   unknown ? "-" : standard,
            unknown ? "-" : nonstandard,        packets, bytes};
        table_add(&apps, cells, NULL);
    }
    table_write(stream, &apps, color, false, "apps");
    table_clear(&apps);
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
    append_styled(line, color, STYLE_HEADING, "Totals:");
    g_string_append_printf(line, " %s packets, %s, %s flows (%s tcp, %s udp)", packets, bytes,
                           flows, tcp, udp);
    /* Each capture's header lists its own; the sum only adds something for several. */
    if (summary->captures->len > 1 && any_skipped(summary->skipped)) {
        g_string_append(line, "; skipped packets: ");
        append_skipped(line, summary->skipped);
    }
    fprintf(stream, "%s\n", line->str);
    g_string_free(line, TRUE);
}

bool oddport_text_report_write(OddportTextReport *report, const OddportRunResult *run, FILE *stream)
{
    const OddportSummary *summary = run->summary;
    bool color = report->options.color;
    bool with_date = run_spans_days(summary);
    if (summary->stopped || summary->out_of_memory) {
        GString *line = g_string_new(NULL);
        append_styled(line, color, STYLE_WARNING, "Incomplete:");
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

    uint64_t mismatch_count = report->mismatches.rows->len + report->mismatches.rows_left_out;
    if (mismatch_count > 0) {
        g_autofree char *heading =
            g_strdup_printf("Mismatches: %" PRIu64 " flow%s where the client and the server "
                            "speak different apps",
                            mismatch_count, mismatch_count == 1 ? "" : "s");
        write_heading(stream, color, false, heading);
        table_write(stream, &report->mismatches, color, with_date, "mismatches");
    }
    write_count_tables(stream, summary->counts, color);
    write_totals(stream, summary, color);
    if (report->options.all_flows) {
        uint64_t flow_count = report->flows.rows->len + report->flows.rows_left_out;
        g_autofree char *heading = g_strdup_printf(
            "All flows: %" PRIu64 ", in the order they ended (times UTC)", flow_count);
        write_heading(stream, color, false, heading);
        if (flow_count > 0)
            table_write(stream, &report->flows, color, with_date, "flows");
    }
    return fflush(stream) == 0 && !ferror(stream);
}

bool oddport_text_write_tally(FILE *stream, const OddportTally *tally,
                              const OddportTextOptions *options)
{
    OddportTextReport *report = oddport_text_report_new(options);
    write_service_sections(stream, tally, report, options->services_only, true);
    if (!options->services_only)
        write_count_tables(stream, oddport_tally_counts(tally), options->color);
    oddport_text_report_free(report);
    return fflush(stream) == 0 && !ferror(stream);
}
