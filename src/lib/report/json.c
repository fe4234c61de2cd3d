/* The JSON report (schema 1): flows streamed as they finish, then the run's summary. */
#include <string.h>

#include <glib.h>

#include "internal/always_inline.h"
#include "internal/json_writer.h"
#include "oddport/record.h"
#include "oddport/report.h"
#include "record_walk.h"
#include "json_report.h"

#ifndef ODDPORT_VERSION
#define ODDPORT_VERSION "unknown"
#endif

/* The state of a JSON report being written. */
typedef struct {
    OddportJsonWriter *writer;
} JsonReport;

/* Numbers, flags, nulls, times and the openings of objects and arrays, a flow's most frequent
 * values, are written in place with their member name, or as array elements, in one piece (see
 * oddport_json_value_begin). The walk's names are constants, NULL included, so the length and
 * the test for a name compile away. */
G_ALWAYS_INLINE static inline size_t name_length(const char *name)
{
    return name != NULL ? strlen(name) : 0;
}

/* A time as its RFC 3339 text: the value of the member `name`, or of the member just named when
 * `name` is NULL (as oddport_json_value_begin takes them). Its text is digits and punctuation,
 * never anything to escape, so it is formatted in place between its quotes (its NUL lands where
 * the closing quote then goes). Inline: the flow walk writes two for every flow. */
G_ALWAYS_INLINE static inline void write_time(OddportJsonWriter *writer, const char *name,
                                              uint64_t timestamp_ns, unsigned digits)
{
    char *out =
        oddport_json_value_begin(writer, name, name_length(name), ODDPORT_TIME_TEXT_MAX + 2);
    *out++ = '"';
    out += oddport_format_time(timestamp_ns, digits, out);
    *out++ = '"';
    oddport_json_value_end(writer, out);
}

/* An endpoint as {"ip", "port", "port_class"}, the value of the member just named. */
static void write_endpoint(OddportJsonWriter *writer, const OddportEndpoint *endpoint)
{
    char address[ODDPORT_ADDRESS_TEXT_MAX];
    oddport_address_to_text(&endpoint->address, address);
    oddport_json_begin_object(writer);
    ODDPORT_JSON_MEMBER(writer, "ip");
    oddport_json_string(writer, address);
    ODDPORT_JSON_MEMBER(writer, "port");
    oddport_json_unsigned(writer, endpoint->port);
    ODDPORT_JSON_MEMBER(writer, "port_class");
    oddport_json_string(writer, oddport_port_class_name(endpoint->port_class));
    oddport_json_end_object(writer);
}

/* The JSON writer as a flow record visitor. An absent object is written as null, and the
 * members the walker describes inside it all the same are passed over. Its functions are always
 * inlined into the walk: each member's name is then a constant, whose length and copy compile
 * to a few moves, where the compiler's own choice left a third of the calls out of line with a
 * strlen and a library copy each (an eighth of a flow's instructions). */
typedef struct {
    OddportJsonWriter *writer;
    unsigned absent_depth; /* above 0 inside an absent object */
} JsonRecord;

/* The member name, unless the value is an array element. Record names are oddport's own plain
 * constants, written without escaping. */
G_ALWAYS_INLINE static inline void record_name(OddportJsonWriter *writer, const char *name)
{
    if (name != NULL)
        oddport_json_member(writer, name, strlen(name));
}

G_ALWAYS_INLINE static inline void record_begin_object(const char *name, bool present, void *data)
{
    JsonRecord *record = data;
    if (record->absent_depth > 0 || !present) {
        if (record->absent_depth++ == 0)
            oddport_json_put_null(record->writer, name, name_length(name));
        return;
    }
    oddport_json_open(record->writer, name, name_length(name), '{');
}

G_ALWAYS_INLINE static inline void record_end_object(void *data)
{
    JsonRecord *record = data;
    if (record->absent_depth > 0)
        record->absent_depth--;
    else
        oddport_json_end_object(record->writer);
}

G_ALWAYS_INLINE static inline void record_begin_array(const char *name, void *data)
{
    JsonRecord *record = data;
    if (record->absent_depth == 0)
        oddport_json_open(record->writer, name, name_length(name), '[');
}

G_ALWAYS_INLINE static inline void record_end_array(void *data)
{
    JsonRecord *record = data;
    if (record->absent_depth == 0)
        oddport_json_end_array(record->writer);
}

G_ALWAYS_INLINE static inline void record_string(const char *name, const char *value, void *data)
{
    JsonRecord *record = data;
    if (record->absent_depth > 0)
        return;
    record_name(record->writer, name);
    oddport_json_string(record->writer, value);
}

G_ALWAYS_INLINE static inline void record_unsigned(const char *name, uint64_t value, void *data)
{
    JsonRecord *record = data;
    if (record->absent_depth == 0)
        oddport_json_put_unsigned(record->writer, name, name_length(name), value);
}

G_ALWAYS_INLINE static inline void record_boolean(const char *name, bool value, void *data)
{
    JsonRecord *record = data;
    if (record->absent_depth == 0)
        oddport_json_put_boolean(record->writer, name, name_length(name), value);
}

G_ALWAYS_INLINE static inline void record_null(const char *name, void *data)
{
    JsonRecord *record = data;
    if (record->absent_depth == 0)
        oddport_json_put_null(record->writer, name, name_length(name));
}

G_ALWAYS_INLINE static inline void record_time(const char *name, uint64_t timestamp_ns,
                                               unsigned digits, void *data)
{
    JsonRecord *record = data;
    if (record->absent_depth == 0)
        write_time(record->writer, name, timestamp_ns, digits);
}

static const OddportRecordVisitor json_record_visitor = {
    .begin_object = record_begin_object,
    .end_object = record_end_object,
    .begin_array = record_begin_array,
    .end_array = record_end_array,
    .string = record_string,
    .unsigned_integer = record_unsigned,
    .boolean = record_boolean,
    .null = record_null,
    .time = record_time,
    .skips_absent_members = true,
};

void oddport_json_write_flow_members(OddportJsonWriter *writer, const OddportFlowReport *flow)
{
    JsonRecord record = {.writer = writer};
    walk_flow_record(flow, &json_record_visitor, &record);
}

/* A preparer: a writer of members, reused from flow to flow, which writes each flow's members
 * straight into its part. */
void *oddport_json_flow_preparer_new(void)
{
    return oddport_json_writer_new_members();
}

void oddport_json_prepare_flow(void *preparer, const OddportFlowReport *flow, GString *part)
{
    OddportJsonWriter *writer = preparer;
    oddport_json_writer_start_members(writer, part);
    oddport_json_write_flow_members(writer, flow);
    oddport_json_writer_end_members(writer);
}

void oddport_json_flow_preparer_free(void *preparer)
{
    oddport_json_writer_free(preparer);
}

void oddport_json_flow_members(OddportJsonWriter *writer, const OddportFlowReport *flow)
{
    /* JSON and NDJSON write the same members: either's prepared text serves both. */
    if (flow->prepared_for != NULL && flow->prepared_for->prepare_flow == oddport_json_prepare_flow)
        oddport_json_members(writer, flow->prepared_text, flow->prepared_length);
    else
        oddport_json_write_flow_members(writer, flow);
}

static void *begin_report(FILE *stream, const OddportReportOptions *options)
{
    (void)options;
    JsonReport *report = g_new0(JsonReport, 1);
    report->writer = oddport_json_writer_new(stream);
    OddportJsonWriter *writer = report->writer;
    oddport_json_begin_object(writer);
    oddport_json_write_version_members(writer);
    /* Flows come first because they are written as they finish; the totals that describe them
     * are only known at the end. Member order carries no meaning in JSON. */
    ODDPORT_JSON_MEMBER(writer, "flows");
    oddport_json_begin_array(writer);
    return report;
}

static void add_flow_report(const OddportFlowReport *flow, void *state)
{
    JsonReport *report = state;
    oddport_json_begin_object(report->writer);
    oddport_json_flow_members(report->writer, flow);
    oddport_json_end_object(report->writer);
}

/* {"<reason>": n, ...} for the reasons with packets. */
static void write_skipped(OddportJsonWriter *writer,
                          const uint64_t skipped[ODDPORT_SKIP_REASON_COUNT])
{
    ODDPORT_JSON_MEMBER(writer, "skipped_packets");
    oddport_json_begin_object(writer);
    for (unsigned reason = 1; reason < ODDPORT_SKIP_REASON_COUNT; reason++) {
        if (skipped[reason] == 0)
            continue;
        oddport_json_key(writer, oddport_skip_reason_name((OddportDecodeStatus)reason));
        oddport_json_unsigned(writer, skipped[reason]);
    }
    oddport_json_end_object(writer);
}

static void write_string_array(OddportJsonWriter *writer, const char *key, const GPtrArray *texts)
{
    oddport_json_key(writer, key);
    oddport_json_begin_array(writer);
    for (guint index = 0; index < texts->len; index++)
        oddport_json_string(writer, g_ptr_array_index(texts, index));
    oddport_json_end_array(writer);
}

static void write_captures(OddportJsonWriter *writer, const OddportSummary *summary)
{
    ODDPORT_JSON_MEMBER(writer, "captures");
    oddport_json_begin_array(writer);
    for (guint index = 0; index < summary->captures->len; index++) {
        const OddportCaptureSummary *capture = g_ptr_array_index(summary->captures, index);
        oddport_json_begin_object(writer);
        ODDPORT_JSON_MEMBER(writer, "path");
        oddport_json_string(writer, capture->path);
        /* A capture that could not be read is listed all the same, with why and zero counts. */
        ODDPORT_JSON_MEMBER(writer, "error");
        oddport_json_string_or_null(writer, capture->error);
        ODDPORT_JSON_MEMBER(writer, "error_kind");
        oddport_json_string_or_null(writer, capture->error != NULL
                                                ? oddport_capture_error_name(capture->error_kind)
                                                : NULL);
        ODDPORT_JSON_MEMBER(writer, "format");
        oddport_json_string_or_null(
            writer, capture->error == NULL ? oddport_capture_format_name(capture->format) : NULL);
        ODDPORT_JSON_MEMBER(writer, "compression");
        oddport_json_string_or_null(writer, capture->compression);
        ODDPORT_JSON_MEMBER(writer, "link_types");
        oddport_json_begin_array(writer);
        for (guint type = 0; type < capture->link_types->len; type++)
            oddport_json_string(writer, g_ptr_array_index(capture->link_types, type));
        oddport_json_end_array(writer);
        ODDPORT_JSON_MEMBER(writer, "packets");
        oddport_json_unsigned(writer, capture->packets);
        ODDPORT_JSON_MEMBER(writer, "bytes");
        oddport_json_unsigned(writer, capture->bytes);
        if (capture->packets > 0) {
            ODDPORT_JSON_MEMBER(writer, "first_seen");
            write_time(writer, NULL, capture->first_seen_ns, capture->precision_digits);
            ODDPORT_JSON_MEMBER(writer, "last_seen");
            write_time(writer, NULL, capture->last_seen_ns, capture->precision_digits);
        } else {
            ODDPORT_JSON_MEMBER(writer, "first_seen");
            oddport_json_null(writer);
            ODDPORT_JSON_MEMBER(writer, "last_seen");
            oddport_json_null(writer);
        }
        ODDPORT_JSON_MEMBER(writer, "truncated");
        oddport_json_boolean(writer, capture->truncated);
        write_string_array(writer, "warnings", capture->warnings);
        write_skipped(writer, capture->skipped);
        oddport_json_end_object(writer);
    }
    oddport_json_end_array(writer);
}

static void write_totals(OddportJsonWriter *writer, const OddportSummary *summary)
{
    ODDPORT_JSON_MEMBER(writer, "totals");
    oddport_json_begin_object(writer);
    ODDPORT_JSON_MEMBER(writer, "packets");
    oddport_json_unsigned(writer, summary->packets);
    ODDPORT_JSON_MEMBER(writer, "bytes");
    oddport_json_unsigned(writer, summary->bytes);
    ODDPORT_JSON_MEMBER(writer, "flows");
    oddport_json_unsigned(writer, summary->counts->flows);
    ODDPORT_JSON_MEMBER(writer, "tcp_flows");
    oddport_json_unsigned(writer, summary->counts->tcp_flows);
    ODDPORT_JSON_MEMBER(writer, "udp_flows");
    oddport_json_unsigned(writer, summary->counts->udp_flows);
    ODDPORT_JSON_MEMBER(writer, "evicted_flows");
    oddport_json_unsigned(writer, summary->evicted_flows);
    ODDPORT_JSON_MEMBER(writer, "max_flows");
    oddport_json_unsigned(writer, summary->max_flows);
    const OddportOmittedServices *omitted = &summary->counts->omitted_services;
    ODDPORT_JSON_MEMBER(writer, "omitted_services");
    oddport_json_begin_object(writer);
    ODDPORT_JSON_MEMBER(writer, "rows");
    oddport_json_unsigned(writer, omitted->rows);
    ODDPORT_JSON_MEMBER(writer, "flows");
    oddport_json_unsigned(writer, omitted->flows);
    ODDPORT_JSON_MEMBER(writer, "packets");
    oddport_json_unsigned(writer, omitted->packets);
    ODDPORT_JSON_MEMBER(writer, "bytes");
    oddport_json_unsigned(writer, omitted->bytes);
    oddport_json_end_object(writer);
    write_skipped(writer, summary->skipped);
    oddport_json_end_object(writer);

    ODDPORT_JSON_MEMBER(writer, "port_classes");
    oddport_json_begin_object(writer);
    for (unsigned port_class = 0; port_class < ODDPORT_PORT_CLASS_COUNT; port_class++) {
        const OddportTrafficCount *count = &summary->counts->port_classes[port_class];
        oddport_json_key(writer, oddport_port_class_name((OddportPortClass)port_class));
        oddport_json_begin_object(writer);
        ODDPORT_JSON_MEMBER(writer, "flows");
        oddport_json_unsigned(writer, count->flows);
        ODDPORT_JSON_MEMBER(writer, "packets");
        oddport_json_unsigned(writer, count->packets);
        ODDPORT_JSON_MEMBER(writer, "bytes");
        oddport_json_unsigned(writer, count->bytes);
        oddport_json_end_object(writer);
    }
    oddport_json_end_object(writer);

    ODDPORT_JSON_MEMBER(writer, "apps");
    oddport_json_begin_object(writer);
    for (size_t index = 0; index < ODDPORT_APP_COUNT; index++) {
        OddportApp app = oddport_app_in_report_order(index);
        const OddportAppCount *count = &summary->counts->apps[app];
        oddport_json_key(writer, oddport_app_name(app));
        oddport_json_begin_object(writer);
        ODDPORT_JSON_MEMBER(writer, "flows");
        oddport_json_unsigned(writer, count->flows);
        ODDPORT_JSON_MEMBER(writer, "nonstandard_flows");
        oddport_json_unsigned(writer, count->nonstandard_flows);
        ODDPORT_JSON_MEMBER(writer, "packets");
        oddport_json_unsigned(writer, count->packets);
        ODDPORT_JSON_MEMBER(writer, "bytes");
        oddport_json_unsigned(writer, count->bytes);
        oddport_json_end_object(writer);
    }
    oddport_json_end_object(writer);
}

static void write_top_clients(OddportJsonWriter *writer, const OddportService *service,
                              unsigned digits)
{
    OddportTopClient clients[ODDPORT_TOP_CLIENTS];
    bool exact;
    size_t count = oddport_service_top_clients(service, clients, &exact);
    ODDPORT_JSON_MEMBER(writer, "top_clients");
    oddport_json_begin_array(writer);
    for (size_t index = 0; index < count; index++) {
        char address[ODDPORT_ADDRESS_TEXT_MAX];
        oddport_address_to_text(&clients[index].address, address);
        oddport_json_begin_object(writer);
        ODDPORT_JSON_MEMBER(writer, "ip");
        oddport_json_string(writer, address);
        ODDPORT_JSON_MEMBER(writer, "flows");
        oddport_json_unsigned(writer, clients[index].flows);
        ODDPORT_JSON_MEMBER(writer, "flows_at_least");
        oddport_json_unsigned(writer, clients[index].flows - clients[index].flows_uncertain);
        ODDPORT_JSON_MEMBER(writer, "bytes");
        oddport_json_unsigned(writer, clients[index].bytes);
        ODDPORT_JSON_MEMBER(writer, "first_seen");
        write_time(writer, NULL, clients[index].first_seen_ns, digits);
        oddport_json_end_object(writer);
    }
    oddport_json_end_array(writer);
    ODDPORT_JSON_MEMBER(writer, "top_clients_exact");
    oddport_json_boolean(writer, exact);
}

static void write_services(OddportJsonWriter *writer, const OddportTally *tally, unsigned digits)
{
    GPtrArray *services = oddport_tally_services(tally);
    GString *escaped = g_string_new(NULL);
    ODDPORT_JSON_MEMBER(writer, "services");
    oddport_json_begin_array(writer);
    for (guint index = 0; index < services->len; index++) {
        oddport_tally_fetch_rows_ahead(services, index);
        const OddportService *service = g_ptr_array_index(services, index);
        OddportEndpoint server = {service->address, service->port,
                                  oddport_port_class(service->port)};
        oddport_json_begin_object(writer);
        ODDPORT_JSON_MEMBER(writer, "server");
        write_endpoint(writer, &server);
        ODDPORT_JSON_MEMBER(writer, "transport");
        oddport_json_string(writer, oddport_transport_name(service->transport));
        ODDPORT_JSON_MEMBER(writer, "app");
        oddport_json_string(writer, oddport_app_name(service->app));
        ODDPORT_JSON_MEMBER(writer, "nonstandard");
        oddport_json_boolean(writer, service->nonstandard);
        ODDPORT_JSON_MEMBER(writer, "severity");
        oddport_json_string_or_null(writer, oddport_severity_name(service->severity));
        ODDPORT_JSON_MEMBER(writer, "iana_service");
        oddport_json_string_or_null(writer, service->iana_service);
        ODDPORT_JSON_MEMBER(writer, "flows");
        oddport_json_unsigned(writer, service->flows);
        bool clients_estimated = false;
        uint64_t clients = oddport_service_client_count(service, &clients_estimated);
        ODDPORT_JSON_MEMBER(writer, "clients");
        oddport_json_unsigned(writer, clients);
        ODDPORT_JSON_MEMBER(writer, "clients_estimated");
        oddport_json_boolean(writer, clients_estimated);
        ODDPORT_JSON_MEMBER(writer, "packets");
        oddport_json_unsigned(writer, service->packets);
        ODDPORT_JSON_MEMBER(writer, "bytes");
        oddport_json_unsigned(writer, service->bytes);
        ODDPORT_JSON_MEMBER(writer, "first_seen");
        write_time(writer, NULL, service->first_seen_ns, digits);
        ODDPORT_JSON_MEMBER(writer, "last_seen");
        write_time(writer, NULL, service->last_seen_ns, digits);
        ODDPORT_JSON_MEMBER(writer, "server_spoke");
        oddport_json_boolean(writer, service->server_spoke_flows > 0);
        ODDPORT_JSON_MEMBER(writer, "other_server");
        oddport_json_boolean(writer, oddport_service_is_other_server(service));
        /* Escaped as the text report escapes wire bytes: the opening may hold NUL and any byte,
         * and the escaping is lossless (a backslash from the wire is doubled). */
        ODDPORT_JSON_MEMBER(writer, "opening_from");
        oddport_json_string_or_null(writer, oddport_opening_source_name(service->opening_from));
        ODDPORT_JSON_MEMBER(writer, "opening");
        if (service->opening_from != ODDPORT_OPENING_NONE) {
            g_string_truncate(escaped, 0);
            oddport_append_escaped_bytes(escaped, service->opening.bytes, service->opening.length);
            oddport_json_string(writer, escaped->str);
        } else {
            oddport_json_null(writer);
        }
        write_top_clients(writer, service, digits);
        char filter[ODDPORT_DISPLAY_FILTER_TEXT_MAX];
        oddport_format_display_filter(&service->address, service->port, service->transport, filter);
        ODDPORT_JSON_MEMBER(writer, "display_filter");
        oddport_json_string(writer, filter);
        oddport_json_end_object(writer);
    }
    oddport_json_end_array(writer);
    g_string_free(escaped, TRUE);
    g_ptr_array_unref(services);
}

void oddport_json_write_version_members(OddportJsonWriter *writer)
{
    ODDPORT_JSON_MEMBER(writer, "oddport");
    oddport_json_string(writer, ODDPORT_VERSION);
    ODDPORT_JSON_MEMBER(writer, "schema");
    oddport_json_unsigned(writer, ODDPORT_SCHEMA_VERSION);
}

/* {"filter", "since", "until", "site_rules"}, each null where the run had none. */
static void write_run_options(OddportJsonWriter *writer, const OddportRunOptions *options)
{
    ODDPORT_JSON_MEMBER(writer, "run_options");
    oddport_json_begin_object(writer);
    ODDPORT_JSON_MEMBER(writer, "filter");
    oddport_json_string_or_null(writer, options != NULL ? options->filter : NULL);
    ODDPORT_JSON_MEMBER(writer, "since");
    oddport_json_string_or_null(writer, options != NULL ? options->since : NULL);
    ODDPORT_JSON_MEMBER(writer, "until");
    oddport_json_string_or_null(writer, options != NULL ? options->until : NULL);
    ODDPORT_JSON_MEMBER(writer, "site_rules");
    oddport_json_string_or_null(writer, options != NULL ? options->site_rules : NULL);
    oddport_json_end_object(writer);
}

void oddport_json_write_summary_members(OddportJsonWriter *writer, const OddportRunResult *run)
{
    const OddportSummary *summary = run->summary;
    /* A run stopped early (a signal, memory) reports what it read; readers must know. */
    ODDPORT_JSON_MEMBER(writer, "incomplete");
    oddport_json_boolean(writer, summary->stopped || summary->out_of_memory);
    write_run_options(writer, run->options);
    write_captures(writer, summary);
    write_string_array(writer, "warnings", summary->warnings);
    write_totals(writer, summary);
    write_services(writer, run->tally, summary->precision_digits);
}

static bool end_report(void *state, const OddportRunResult *run)
{
    JsonReport *report = state;
    OddportJsonWriter *writer = report->writer;
    oddport_json_end_array(writer);
    oddport_json_write_summary_members(writer, run);
    oddport_json_end_object(writer);
    bool written = oddport_json_writer_flush(writer);
    oddport_json_writer_free(writer);
    g_free(report);
    return written;
}

static void discard_report(void *state)
{
    JsonReport *report = state;
    oddport_json_writer_free(report->writer);
    g_free(report);
}

const OddportReportFormat oddport_report_format_json = {
    .name = "json",
    .description = "one JSON document (schema 1), flows written as they end",
    .lists_every_flow = true,
    .streams_flows = true,
    .begin = begin_report,
    .add_flow = add_flow_report,
    .end = end_report,
    .discard = discard_report,
    .preparer_new = oddport_json_flow_preparer_new,
    .prepare_flow = oddport_json_prepare_flow,
    .preparer_free = oddport_json_flow_preparer_free,
};
