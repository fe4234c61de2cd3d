/* The CSV report (RFC 4180): a row per flow as it finishes, or a row per service at the end. */
#include <string.h>

#include <glib.h>

#include "oddport/record.h"
#include "oddport/report.h"
#include "record_walk.h"

/* The state of a CSV report being written. */
typedef struct {
    FILE *stream;
    bool services_only;
    GString *line; /* reused for every row, so a row costs no allocation once it has grown */
} CsvReport;

/* The flow columns are the record walker's members, flattened (see write_flow_header). The
 * service columns are older than the walker and keep their places for readers that go by
 * position. */
static const char service_header[] =
    "server_ip,server_port,server_port_class,transport,app,nonstandard,severity,iana_service,"
    "flows,clients,packets,bytes,first_seen,last_seen,evidence,server_spoke,other_server,"
    "opening_from,opening,top_clients,top_clients_exact,display_filter";

/* Characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection"). Tab and
 * CR cannot survive escaping, but are listed so the rule does not rest on that. */
static bool starts_formula(const char *text)
{
    return text[0] != '\0' && strchr("=+-@\t\r", text[0]) != NULL;
}

/* Ends a cell escaped into the row from `start`: defused, quoted when RFC 4180 needs it, then
 * its separator. Most cells need nothing more, so only the rare cell that must be defused or
 * quoted is copied out and written again. */
static void finish_cell(GString *line, size_t start)
{
    bool defused = starts_formula(line->str + start);
    /* Escaping leaves no CR or LF; a quote or a comma still needs the quotes, and a defused cell
     * gets them too, as OWASP advises, so no reader splits it differently. */
    bool quoted = defused || strpbrk(line->str + start, "\",\r\n") != NULL;
    if (quoted) {
        g_autofree char *cell = g_strdup(line->str + start);
        g_string_truncate(line, start);
        g_string_append_c(line, '"');
        if (defused)
            g_string_append_c(line, '\'');
        for (const char *character = cell; *character != '\0'; character++) {
            if (*character == '"')
                g_string_append_c(line, '"');
            g_string_append_c(line, *character);
        }
        g_string_append_c(line, '"');
    }
    g_string_append_c(line, ',');
}

/* Appends one text cell and its separator: escaped, defused, quoted when RFC 4180 needs it. */
static void cell_text(GString *line, const char *text)
{
    size_t start = line->len;
    oddport_append_escaped(line, text != NULL ? text : "");
    finish_cell(line, start);
}

/* The same for wire bytes that may hold NUL. */
static void cell_bytes(GString *line, const uint8_t *bytes, size_t length)
{
    size_t start = line->len;
    oddport_append_escaped_bytes(line, bytes, length);
    finish_cell(line, start);
}

static void cell_unsigned(GString *line, uint64_t value)
{
    oddport_append_decimal(line, value);
    g_string_append_c(line, ',');
}

static void cell_boolean(GString *line, bool value)
{
    g_string_append(line, value ? "true," : "false,");
}

static void cell_time(GString *line, uint64_t timestamp_ns, unsigned digits)
{
    char text[ODDPORT_TIME_TEXT_MAX];
    size_t length = oddport_format_time(timestamp_ns, digits, text);
    g_string_append_len(line, text, (gssize)length);
    g_string_append_c(line, ',');
}

static void cell_empty(GString *line)
{
    g_string_append_c(line, ',');
}

static void cell_address(GString *line, const OddportAddress *address)
{
    char text[ODDPORT_ADDRESS_TEXT_MAX];
    oddport_address_to_text(address, text);
    cell_text(line, text);
}

/* Ends the row: the last separator becomes the CRLF that RFC 4180 asks for. */
static void finish_row(GString *line)
{
    if (line->len > 0 && line->str[line->len - 1] == ',')
        g_string_truncate(line, line->len - 1);
    g_string_append(line, "\r\n");
}

static void end_row(CsvReport *report)
{
    GString *line = report->line;
    finish_row(line);
    fwrite(line->str, 1, line->len, report->stream);
    g_string_truncate(line, 0);
}

/* The CSV row as a flow record visitor: each member is a cell, and a list is one cell of its
 * items separated by spaces. Objects only name their members (client_ip), so an absent one
 * adds the same cells as a present one, empty. */
typedef struct {
    GString *line;
    bool in_list;
    size_t list_start;   /* where the list's cell starts in the line */
    unsigned list_items; /* items of the list written so far */
} CsvRecord;

static void row_begin_object(const char *name, bool present, void *data)
{
    (void)name;
    (void)present;
    (void)data;
}

static void row_end_object(void *data)
{
    (void)data;
}

static void row_begin_array(const char *name, void *data)
{
    (void)name;
    CsvRecord *record = data;
    record->in_list = true;
    record->list_start = record->line->len;
    record->list_items = 0;
}

static void row_end_array(void *data)
{
    CsvRecord *record = data;
    record->in_list = false;
    finish_cell(record->line, record->list_start);
}

/* Before each item of a list but the first, the space between items. */
static void list_separator(CsvRecord *record)
{
    if (record->list_items++ > 0)
        g_string_append_c(record->line, ' ');
}

static void row_string(const char *name, const char *value, void *data)
{
    (void)name;
    CsvRecord *record = data;
    if (!record->in_list) {
        cell_text(record->line, value);
        return;
    }
    list_separator(record);
    /* A space inside an item is written as \x20, as escaping writes bytes that could mislead,
     * so the list splits back at its spaces into exactly its items. */
    size_t start = record->line->len;
    oddport_append_escaped(record->line, value);
    for (size_t index = start; index < record->line->len; index++) {
        if (record->line->str[index] == ' ') {
            g_string_erase(record->line, (gssize)index, 1);
            g_string_insert(record->line, (gssize)index, "\\x20");
            index += 3;
        }
    }
}

static void row_unsigned(const char *name, uint64_t value, void *data)
{
    (void)name;
    CsvRecord *record = data;
    if (!record->in_list) {
        cell_unsigned(record->line, value);
        return;
    }
    list_separator(record);
    oddport_append_decimal(record->line, value);
}

static void row_boolean(const char *name, bool value, void *data)
{
    (void)name;
    CsvRecord *record = data;
    if (!record->in_list) {
        cell_boolean(record->line, value);
        return;
    }
    list_separator(record);
    g_string_append(record->line, value ? "true" : "false");
}

static void row_null(const char *name, void *data)
{
    (void)name;
    CsvRecord *record = data;
    if (!record->in_list)
        cell_empty(record->line);
}

static void row_time(const char *name, uint64_t timestamp_ns, unsigned digits, void *data)
{
    (void)name;
    CsvRecord *record = data;
    char text[ODDPORT_TIME_TEXT_MAX];
    size_t length = oddport_format_time(timestamp_ns, digits, text);
    if (!record->in_list) {
        g_string_append_len(record->line, text, (gssize)length);
        g_string_append_c(record->line, ',');
        return;
    }
    list_separator(record);
    g_string_append_len(record->line, text, (gssize)length);
}

static const OddportRecordVisitor csv_record_visitor = {
    .begin_object = row_begin_object,
    .end_object = row_end_object,
    .begin_array = row_begin_array,
    .end_array = row_end_array,
    .string = row_string,
    .unsigned_integer = row_unsigned,
    .boolean = row_boolean,
    .null = row_null,
    .time = row_time,
};

/* The header row as a record visitor: a column per member outside lists and per list, named by
 * the member's path joined with '_' (client.ip is client_ip). */
enum { HEADER_DEPTH_MAX = 8 };
typedef struct {
    GString *line;
    GString *path;                         /* the names of the objects we are in, joined */
    size_t path_lengths[HEADER_DEPTH_MAX]; /* the path's length before each object */
    unsigned depth;
    bool in_list;
} CsvHeader;

static void header_column(CsvHeader *header, const char *name)
{
    if (header->in_list)
        return;
    g_string_append_len(header->line, header->path->str, (gssize)header->path->len);
    g_string_append(header->line, name);
    g_string_append_c(header->line, ',');
}

static void header_begin_object(const char *name, bool present, void *data)
{
    (void)present;
    CsvHeader *header = data;
    g_assert(header->depth < HEADER_DEPTH_MAX);
    header->path_lengths[header->depth++] = header->path->len;
    g_string_append(header->path, name);
    g_string_append_c(header->path, '_');
}

static void header_end_object(void *data)
{
    CsvHeader *header = data;
    g_string_truncate(header->path, header->path_lengths[--header->depth]);
}

static void header_begin_array(const char *name, void *data)
{
    CsvHeader *header = data;
    header_column(header, name);
    header->in_list = true;
}

static void header_end_array(void *data)
{
    CsvHeader *header = data;
    header->in_list = false;
}

static void header_string(const char *name, const char *value, void *data)
{
    (void)value;
    header_column(data, name);
}

static void header_unsigned(const char *name, uint64_t value, void *data)
{
    (void)value;
    header_column(data, name);
}

static void header_boolean(const char *name, bool value, void *data)
{
    (void)value;
    header_column(data, name);
}

static void header_null(const char *name, void *data)
{
    header_column(data, name);
}

static void header_time(const char *name, uint64_t timestamp_ns, unsigned digits, void *data)
{
    (void)timestamp_ns;
    (void)digits;
    header_column(data, name);
}

static const OddportRecordVisitor csv_header_visitor = {
    .begin_object = header_begin_object,
    .end_object = header_end_object,
    .begin_array = header_begin_array,
    .end_array = header_end_array,
    .string = header_string,
    .unsigned_integer = header_unsigned,
    .boolean = header_boolean,
    .null = header_null,
    .time = header_time,
};

/* The header comes from walking a flow with nothing in it: the walker describes every member
 * of every flow, whatever it holds. */
static void write_flow_header(GString *line)
{
    OddportFlowVerdict verdict = {0};
    OddportFlowReport flow = {.verdict = &verdict};
    CsvHeader header = {.line = line, .path = g_string_new(NULL)};
    oddport_flow_record_walk(&flow, &csv_header_visitor, &header);
    g_string_free(header.path, TRUE);
}

static void *begin_report(FILE *stream, const OddportReportOptions *options)
{
    CsvReport *report = g_new0(CsvReport, 1);
    report->stream = stream;
    report->services_only = options->services_only;
    report->line = g_string_sized_new(1024);
    if (report->services_only)
        g_string_append(report->line, service_header);
    else
        write_flow_header(report->line);
    end_row(report);
    return report;
}

/* A flow's row written ahead of time (see OddportReportFormat.prepare_flow), straight into the
 * part: a row needs no scratch state, so the format has no preparer. */
static void prepare_flow(void *preparer, const OddportFlowReport *flow, GString *part)
{
    (void)preparer;
    g_string_truncate(part, 0);
    CsvRecord record = {.line = part};
    walk_flow_record(flow, &csv_record_visitor, &record);
    finish_row(part);
}

static void add_flow_report(const OddportFlowReport *flow, void *state)
{
    CsvReport *report = state;
    if (report->services_only)
        return;
    if (flow->prepared_for != NULL && flow->prepared_for->prepare_flow == prepare_flow) {
        fwrite(flow->prepared_text, 1, flow->prepared_length, report->stream);
        return;
    }
    CsvRecord record = {.line = report->line};
    walk_flow_record(flow, &csv_record_visitor, &record);
    end_row(report);
}

/* A service's busiest clients in one cell, a list as the CSV writes lists (space-separated):
 * ADDRESS/FLOWS/BYTES/FIRST_SEEN per client, most flows first; then whether they are exact. */
static void cell_top_clients(GString *line, const OddportService *service, unsigned digits)
{
    OddportTopClient clients[ODDPORT_TOP_CLIENTS];
    bool exact;
    size_t count = oddport_service_top_clients(service, clients, &exact);
    size_t start = line->len;
    for (size_t index = 0; index < count; index++) {
        char address[ODDPORT_ADDRESS_TEXT_MAX];
        char time[ODDPORT_TIME_TEXT_MAX];
        oddport_address_to_text(&clients[index].address, address);
        oddport_format_time(clients[index].first_seen_ns, digits, time);
        g_string_append_printf(line, "%s%s/%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT "/%s",
                               index > 0 ? " " : "", address, clients[index].flows,
                               clients[index].bytes, time);
    }
    finish_cell(line, start);
    cell_boolean(line, exact);
}

static void write_services(CsvReport *report, const OddportRunResult *run)
{
    GString *line = report->line;
    unsigned digits = run->summary->precision_digits;
    GPtrArray *services = oddport_tally_services(run->tally);
    for (guint index = 0; index < services->len; index++) {
        oddport_tally_fetch_rows_ahead(services, index);
        const OddportService *service = g_ptr_array_index(services, index);
        cell_address(line, &service->address);
        cell_unsigned(line, service->port);
        cell_text(line, oddport_port_class_name(oddport_port_class(service->port)));
        cell_text(line, oddport_transport_name(service->transport));
        cell_text(line, oddport_app_name(service->app));
        cell_boolean(line, service->nonstandard);
        cell_text(line, oddport_severity_name(service->severity));
        cell_text(line, service->iana_service);
        cell_unsigned(line, service->flows);
        cell_unsigned(line, oddport_service_client_count(service, NULL));
        cell_unsigned(line, service->packets);
        cell_unsigned(line, service->bytes);
        cell_time(line, service->first_seen_ns, digits);
        cell_time(line, service->last_seen_ns, digits);
        cell_text(line, service->evidence);
        cell_boolean(line, service->server_spoke_flows > 0);
        cell_boolean(line, oddport_service_is_other_server(service));
        if (service->opening_from != ODDPORT_OPENING_NONE) {
            cell_text(line, oddport_opening_source_name(service->opening_from));
            cell_bytes(line, service->opening.bytes, service->opening.length);
        } else {
            cell_empty(line);
            cell_empty(line);
        }
        cell_top_clients(line, service, digits);
        char filter[ODDPORT_DISPLAY_FILTER_TEXT_MAX];
        oddport_format_display_filter(&service->address, service->port, service->transport, filter);
        cell_text(line, filter);
        end_row(report);
    }
    g_ptr_array_unref(services);
}

static void csv_report_free(CsvReport *report)
{
    g_string_free(report->line, TRUE);
    g_free(report);
}

static bool end_report(void *state, const OddportRunResult *run)
{
    CsvReport *report = state;
    if (report->services_only)
        write_services(report, run);
    bool written = fflush(report->stream) == 0 && !ferror(report->stream);
    csv_report_free(report);
    return written;
}

static void discard_report(void *state)
{
    csv_report_free(state);
}

const OddportReportFormat oddport_report_format_csv = {
    .name = "csv",
    .description = "a row per flow as it ends, or per service with --services-only",
    .supports_services_only = true,
    .lists_every_flow = true,
    .streams_flows = true,
    .begin = begin_report,
    .add_flow = add_flow_report,
    .end = end_report,
    .discard = discard_report,
    .prepare_flow = prepare_flow,
};
