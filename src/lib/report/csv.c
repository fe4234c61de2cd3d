/* The CSV report (RFC 4180): a row per flow as it finishes, or a row per service at the end. */
#include <string.h>

#include <glib.h>

#include "oddport/report.h"

struct OddportCsvReport {
    FILE *stream;
    bool services_only;
    GString *line; /* reused for every row, so a row costs no allocation once it has grown */
};

/* The columns follow the JSON report's members, flattened; a JSON null is an empty cell. */
static const char flow_header[] =
    "id,transport,client_ip,client_port,client_port_class,server_ip,server_port,"
    "server_port_class,vlan,app,client_app,server_app,mismatch,nonstandard,severity,"
    "expected_ports,iana_service,confidence,direction,evidence,http_method,http_host,http_path,"
    "http_user_agent,http_status,http_version,tls_version,tls_sni,tls_alpn,tls_alpn_selected,"
    "ssh_client_banner,ssh_server_banner,first_seen,last_seen,packets,bytes,c2s_packets,"
    "c2s_bytes,s2c_packets,s2c_bytes";

static const char service_header[] =
    "server_ip,server_port,server_port_class,transport,app,nonstandard,severity,iana_service,"
    "flows,clients,packets,bytes,first_seen,last_seen,evidence,server_spoke,other_server,"
    "opening_from,opening";

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

/* Decimal digits without printf: a flow row holds a dozen numbers, and this is its hot path. */
static void append_decimal(GString *line, uint64_t value)
{
    char digits[20];
    size_t count = 0;
    do {
        digits[sizeof digits - ++count] = (char)('0' + value % 10);
        value /= 10;
    } while (value != 0);
    g_string_append_len(line, digits + sizeof digits - count, (gssize)count);
}

static void cell_unsigned(GString *line, uint64_t value)
{
    append_decimal(line, value);
    g_string_append_c(line, ',');
}

static void cell_boolean(GString *line, bool value)
{
    g_string_append(line, value ? "true," : "false,");
}

static void cell_time(GString *line, uint64_t timestamp_ns, unsigned digits)
{
    char text[ODDPORT_TIME_TEXT_MAX];
    oddport_format_time(timestamp_ns, digits, text);
    g_string_append(line, text);
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
static void end_row(OddportCsvReport *report)
{
    GString *line = report->line;
    if (line->len > 0 && line->str[line->len - 1] == ',')
        g_string_truncate(line, line->len - 1);
    g_string_append(line, "\r\n");
    fwrite(line->str, 1, line->len, report->stream);
    g_string_truncate(line, 0);
}

OddportCsvReport *oddport_csv_report_begin(FILE *stream, bool services_only)
{
    OddportCsvReport *report = g_new0(OddportCsvReport, 1);
    report->stream = stream;
    report->services_only = services_only;
    report->line = g_string_sized_new(1024);
    g_string_append(report->line, services_only ? service_header : flow_header);
    end_row(report);
    return report;
}

static const OddportSideResult *side_of_app(const OddportSideResult *side, OddportApp app)
{
    return side != NULL && side->app == app ? side : NULL;
}

static void cells_http(GString *line, const OddportFlowReport *flow)
{
    const OddportSideResult *request = side_of_app(flow->client_result, ODDPORT_APP_HTTP);
    const OddportSideResult *response = side_of_app(flow->server_result, ODDPORT_APP_HTTP);
    const OddportHttpInfo *asked = request != NULL ? &request->info.http : NULL;
    const OddportHttpInfo *answered = response != NULL ? &response->info.http : NULL;
    if (asked != NULL) {
        cell_text(line, asked->method);
        cell_text(line, asked->host);
        cell_text(line, asked->path);
        cell_text(line, asked->user_agent);
    } else {
        for (int column = 0; column < 4; column++)
            cell_empty(line);
    }
    if (answered != NULL && answered->status != 0)
        cell_unsigned(line, (uint64_t)answered->status);
    else
        cell_empty(line);
    if (asked != NULL)
        cell_text(line, asked->version);
    else if (answered != NULL)
        cell_text(line, answered->version);
    else
        cell_empty(line);
}

static void cells_tls(GString *line, const OddportFlowReport *flow)
{
    const OddportSideResult *hello = side_of_app(flow->client_result, ODDPORT_APP_TLS);
    const OddportSideResult *reply = side_of_app(flow->server_result, ODDPORT_APP_TLS);
    const OddportTlsInfo *offered = hello != NULL ? &hello->info.tls : NULL;
    const OddportTlsInfo *chosen = reply != NULL ? &reply->info.tls : NULL;
    /* As in the JSON report: the server's choice is the version in use, else what was offered. */
    uint16_t version = chosen != NULL && chosen->version != 0 ? chosen->version
                       : offered != NULL                      ? offered->version
                                                              : 0;
    const char *version_name = oddport_tls_version_name(version);
    if (version_name != NULL)
        cell_text(line, version_name);
    else
        cell_empty(line);
    if (offered != NULL) {
        cell_text(line, offered->sni);
        /* Joined with commas as in the evidence; the JSON report keeps the list exact. The
         * names are bounded, so the joined text fits on the stack. */
        char names[ODDPORT_TLS_ALPN_MAX_COUNT * ODDPORT_TLS_ALPN_NAME_MAX] = "";
        for (unsigned index = 0; index < offered->alpn_count; index++) {
            if (index > 0)
                g_strlcat(names, ",", sizeof names);
            g_strlcat(names, offered->alpn[index], sizeof names);
        }
        cell_text(line, names);
    } else {
        cell_empty(line);
        cell_empty(line);
    }
    if (chosen != NULL && chosen->alpn_count > 0)
        cell_text(line, chosen->alpn[0]);
    else
        cell_empty(line);
}

static void cells_ssh(GString *line, const OddportFlowReport *flow)
{
    const OddportSideResult *client = side_of_app(flow->client_result, ODDPORT_APP_SSH);
    const OddportSideResult *server = side_of_app(flow->server_result, ODDPORT_APP_SSH);
    if (client != NULL)
        cell_text(line, client->info.ssh.banner);
    else
        cell_empty(line);
    if (server != NULL)
        cell_text(line, server->info.ssh.banner);
    else
        cell_empty(line);
}

void oddport_csv_report_add_flow(const OddportFlowReport *flow, void *csv_report)
{
    OddportCsvReport *report = csv_report;
    if (report->services_only)
        return;
    GString *line = report->line;
    const OddportFlowVerdict *verdict = flow->verdict;
    cell_unsigned(line, flow->id);
    cell_text(line, oddport_transport_name(flow->transport));
    cell_address(line, &flow->client.address);
    cell_unsigned(line, flow->client.port);
    cell_text(line, oddport_port_class_name(flow->client.port_class));
    cell_address(line, &flow->server.address);
    cell_unsigned(line, flow->server.port);
    cell_text(line, oddport_port_class_name(flow->server.port_class));
    if (flow->has_vlan)
        cell_unsigned(line, flow->vlan_id);
    else
        cell_empty(line);
    cell_text(line, oddport_app_name(verdict->app));
    cell_text(line, oddport_app_name(verdict->client_app));
    cell_text(line, oddport_app_name(verdict->server_app));
    cell_boolean(line, verdict->mismatch);
    cell_boolean(line, verdict->nonstandard);
    cell_text(line, oddport_severity_name(verdict->severity));
    /* Digits and spaces only: nothing to escape, defuse or quote. */
    for (size_t index = 0; index < verdict->expected_port_count; index++) {
        if (index > 0)
            g_string_append_c(line, ' ');
        append_decimal(line, verdict->expected_ports[index]);
    }
    g_string_append_c(line, ',');
    cell_text(line, verdict->iana_service);
    cell_text(line, oddport_confidence_name(verdict->confidence));
    cell_text(line, oddport_direction_source_name(verdict->direction));
    cell_text(line, verdict->evidence);
    cells_http(line, flow);
    cells_tls(line, flow);
    cells_ssh(line, flow);
    cell_time(line, flow->first_seen_ns, flow->precision_digits);
    cell_time(line, flow->last_seen_ns, flow->precision_digits);
    cell_unsigned(line, flow->client_packets + flow->server_packets);
    cell_unsigned(line, flow->client_bytes + flow->server_bytes);
    cell_unsigned(line, flow->client_packets);
    cell_unsigned(line, flow->client_bytes);
    cell_unsigned(line, flow->server_packets);
    cell_unsigned(line, flow->server_bytes);
    end_row(report);
}

static void write_services(OddportCsvReport *report, const OddportRunResult *run)
{
    GString *line = report->line;
    unsigned digits = run->summary->precision_digits;
    GPtrArray *services = oddport_tally_services(run->tally);
    for (guint index = 0; index < services->len; index++) {
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
        cell_unsigned(line, oddport_distinct_count(service->clients));
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
        end_row(report);
    }
    g_ptr_array_unref(services);
}

bool oddport_csv_report_end(OddportCsvReport *report, const OddportRunResult *run)
{
    if (report->services_only)
        write_services(report, run);
    bool written = fflush(report->stream) == 0 && !ferror(report->stream);
    g_string_free(report->line, TRUE);
    g_free(report);
    return written;
}
