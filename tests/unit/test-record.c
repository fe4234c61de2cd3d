/* Unit tests for the flow record walker and the CSV header and rows built from its walk. */
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "oddport/record.h"
#include "report-samples.h"

/* Counts what the walker describes and checks its shape as it goes. */
typedef struct {
    unsigned columns; /* members outside lists, and lists, as a flat format counts them */
    unsigned depth;   /* objects open */
    bool in_list;
    unsigned absent_depth;       /* above 0 inside an absent object */
    unsigned non_null_in_absent; /* values inside an absent object that are not null or empty */
    GString *names;              /* the flattened names, comma-separated, as a CSV header has */
    GString *path;
    GPtrArray *path_lengths;
    GHashTable *seen_names; /* flattened names so far, to catch a name given twice */
} Counter;

static void counter_init(Counter *counter)
{
    memset(counter, 0, sizeof *counter);
    counter->names = g_string_new(NULL);
    counter->path = g_string_new(NULL);
    counter->path_lengths = g_ptr_array_new();
    counter->seen_names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
}

static void counter_clear(Counter *counter)
{
    g_string_free(counter->names, TRUE);
    g_string_free(counter->path, TRUE);
    g_ptr_array_unref(counter->path_lengths);
    g_hash_table_unref(counter->seen_names);
}

/* A member's name: lowercase letters, digits and '_', given once per object; none in a list. */
static void count_member(Counter *counter, const char *name, bool is_null)
{
    if (counter->in_list) {
        g_assert_null(name);
        if (counter->absent_depth > 0)
            counter->non_null_in_absent++;
        return;
    }
    g_assert_nonnull(name);
    g_assert_cmpuint(strlen(name), >, 0);
    for (const char *character = name; *character != '\0'; character++)
        g_assert_true(g_ascii_islower(*character) || g_ascii_isdigit(*character) ||
                      *character == '_');
    g_autofree char *flat = g_strconcat(counter->path->str, name, NULL);
    g_assert_false(g_hash_table_contains(counter->seen_names, flat));
    g_hash_table_add(counter->seen_names, g_strdup(flat));
    if (counter->names->len > 0)
        g_string_append_c(counter->names, ',');
    g_string_append(counter->names, flat);
    counter->columns++;
    if (counter->absent_depth > 0 && !is_null)
        counter->non_null_in_absent++;
}

static void count_begin_object(const char *name, bool present, void *data)
{
    Counter *counter = data;
    g_assert_false(counter->in_list);
    g_assert_nonnull(name);
    if (counter->absent_depth > 0 || !present)
        counter->absent_depth++;
    counter->depth++;
    g_ptr_array_add(counter->path_lengths, GSIZE_TO_POINTER(counter->path->len));
    g_string_append_printf(counter->path, "%s_", name);
}

static void count_end_object(void *data)
{
    Counter *counter = data;
    g_assert_cmpuint(counter->depth, >, 0);
    g_assert_false(counter->in_list);
    counter->depth--;
    if (counter->absent_depth > 0)
        counter->absent_depth--;
    gsize length =
        GPOINTER_TO_SIZE(g_ptr_array_index(counter->path_lengths, counter->path_lengths->len - 1));
    g_ptr_array_set_size(counter->path_lengths, counter->path_lengths->len - 1);
    g_string_truncate(counter->path, length);
}

static void count_begin_array(const char *name, void *data)
{
    Counter *counter = data;
    count_member(counter, name, true);
    counter->in_list = true;
}

static void count_end_array(void *data)
{
    Counter *counter = data;
    g_assert_true(counter->in_list);
    counter->in_list = false;
}

static void count_string(const char *name, const char *value, void *data)
{
    g_assert_nonnull(value);
    count_member(data, name, false);
}

static void count_unsigned(const char *name, uint64_t value, void *data)
{
    (void)value;
    count_member(data, name, false);
}

static void count_boolean(const char *name, bool value, void *data)
{
    (void)value;
    count_member(data, name, false);
}

static void count_null(const char *name, void *data)
{
    count_member(data, name, true);
}

static void count_time(const char *name, uint64_t timestamp_ns, unsigned digits, void *data)
{
    (void)timestamp_ns;
    g_assert_true(digits == 6 || digits == 9);
    count_member(data, name, false);
}

static const OddportRecordVisitor counting_visitor = {
    .begin_object = count_begin_object,
    .end_object = count_end_object,
    .begin_array = count_begin_array,
    .end_array = count_end_array,
    .string = count_string,
    .unsigned_integer = count_unsigned,
    .boolean = count_boolean,
    .null = count_null,
    .time = count_time,
};

/* Every flow, whatever it holds, is described with the same members in the same order, objects
 * and lists balanced, and an absent object holds nulls and empty lists only. */
static void test_same_members_for_every_flow(void)
{
    g_autofree char *first_names = NULL;
    unsigned first_columns = 0;
    for (unsigned kind = 0; kind < SAMPLE_COUNT; kind++) {
        SampleFlow sample;
        sample_flow(&sample, (SampleKind)kind, kind + 1);
        Counter counter;
        counter_init(&counter);
        oddport_flow_record_walk(&sample.flow, &counting_visitor, &counter);
        g_assert_cmpuint(counter.depth, ==, 0);
        g_assert_false(counter.in_list);
        g_assert_cmpuint(counter.non_null_in_absent, ==, 0);
        g_assert_cmpuint(counter.columns, >, 30);
        if (first_names == NULL) {
            first_names = g_strdup(counter.names->str);
            first_columns = counter.columns;
        } else {
            g_assert_cmpstr(counter.names->str, ==, first_names);
            g_assert_cmpuint(counter.columns, ==, first_columns);
        }
        counter_clear(&counter);
    }
    /* The JSON report's members, in its order, as the README and the man page list them. */
    g_assert_true(g_str_has_prefix(first_names, "id,transport,client_ip,client_port,"
                                                "client_port_class,server_ip,server_port,"));
    g_assert_true(g_str_has_suffix(first_names,
                                   "packets,bytes,c2s_packets,c2s_bytes,s2c_packets,s2c_bytes,"
                                   "community_id,first_packet_capture,first_packet_frame,"
                                   "deciding_packet_capture,deciding_packet_frame,"
                                   "deciding_packet_side,client_sent_payload,"
                                   "server_sent_payload,server_accepted,client_opening,"
                                   "server_opening,client_sent_syn,client_sent_fin,"
                                   "server_sent_fin,reset,open_at_end,client_detection_done,"
                                   "server_detection_done,client_syn_sequence"));
}

/* Replays a protocol's members as absent, standing in for a report being read back. */
static void replay_as_absent(const OddportProtocol *protocol, const void *source,
                             const OddportRecordVisitor *visitor, void *visitor_data)
{
    unsigned *calls = (unsigned *)source;
    (*calls)++;
    visitor->begin_object(protocol->name, false, visitor_data);
    protocol->describe_fields(NULL, NULL, visitor, visitor_data);
    visitor->end_object(visitor_data);
}

/* A flow read back from a report (oddport merge) has its protocols' members replayed, once per
 * protocol, in their places: the record has the same members as one the engine made. */
static void test_replayed_members(void)
{
    SampleFlow sample;
    sample_flow(&sample, (SampleKind)0, 1);
    Counter made;
    counter_init(&made);
    oddport_flow_record_walk(&sample.flow, &counting_visitor, &made);

    unsigned calls = 0;
    sample.flow.replay_protocol_members = replay_as_absent;
    sample.flow.replay_source = &calls;
    Counter replayed;
    counter_init(&replayed);
    oddport_flow_record_walk(&sample.flow, &counting_visitor, &replayed);
    size_t protocol_count;
    oddport_protocols(&protocol_count);
    g_assert_cmpuint(calls, ==, protocol_count);
    g_assert_cmpstr(replayed.names->str, ==, made.names->str);
    g_assert_cmpuint(replayed.columns, ==, made.columns);
    counter_clear(&made);
    counter_clear(&replayed);
}

/* Each protocol's describe function names its members the same whether its sides are there or
 * not, and says nothing but null and empty lists when neither is. */
static void test_app_records(void)
{
    GHashTable *names = g_hash_table_new(g_str_hash, g_str_equal);
    size_t protocol_count;
    const OddportProtocol *const *protocols = oddport_protocols(&protocol_count);
    for (size_t index = 0; index < protocol_count; index++) {
        const OddportProtocol *protocol = protocols[index];
        g_assert_nonnull(protocol->describe_fields);
        /* The record member is the app's own name, as JSON readers look it up. */
        g_assert_true(g_hash_table_add(names, (char *)protocol->name));

        Counter absent;
        counter_init(&absent);
        count_begin_object(protocol->name, false, &absent);
        protocol->describe_fields(NULL, NULL, &counting_visitor, &absent);
        count_end_object(&absent);
        g_assert_cmpuint(absent.non_null_in_absent, ==, 0);
        g_assert_cmpuint(absent.columns, >, 0);

        /* With the sides of every sample flow where this protocol was found. */
        for (unsigned kind = 0; kind < SAMPLE_COUNT; kind++) {
            SampleFlow sample;
            sample_flow(&sample, (SampleKind)kind, 1);
            const OddportSideResult *client = sample.flow.client_result;
            const OddportSideResult *server = sample.flow.server_result;
            if (client != NULL && client->app != protocol->app)
                client = NULL;
            if (server != NULL && server->app != protocol->app)
                server = NULL;
            if (client == NULL && server == NULL)
                continue;
            Counter present;
            counter_init(&present);
            count_begin_object(protocol->name, true, &present);
            protocol->describe_fields(client, server, &counting_visitor, &present);
            count_end_object(&present);
            g_assert_cmpstr(present.names->str, ==, absent.names->str);
            counter_clear(&present);
        }
        counter_clear(&absent);
    }
    g_hash_table_unref(names);
}

/* Splits one CSV row (RFC 4180, no line break inside a field) into its fields. */
static GPtrArray *csv_fields(const char *row)
{
    GPtrArray *fields = g_ptr_array_new_with_free_func(g_free);
    GString *field = g_string_new(NULL);
    bool quoted = false;
    for (const char *character = row; *character != '\0'; character++) {
        if (quoted) {
            if (*character == '"' && character[1] == '"') {
                g_string_append_c(field, '"');
                character++;
            } else if (*character == '"') {
                quoted = false;
            } else {
                g_string_append_c(field, *character);
            }
        } else if (*character == '"') {
            quoted = true;
        } else if (*character == ',') {
            g_ptr_array_add(fields, g_string_free(field, FALSE));
            field = g_string_new(NULL);
        } else {
            g_string_append_c(field, *character);
        }
    }
    g_assert_false(quoted);
    g_ptr_array_add(fields, g_string_free(field, FALSE));
    return fields;
}

/* Writes the samples through the CSV format and returns its rows, without their CRLF. */
static char **csv_rows_of_samples(void)
{
    const OddportReportFormat *format = oddport_report_format_find("csv");
    g_assert_nonnull(format);
    char *text = NULL;
    size_t size = 0;
    FILE *stream = open_memstream(&text, &size);
    g_assert_nonnull(stream);
    const OddportReportOptions options = {0};
    OddportReport *report = oddport_report_begin(format, stream, &options);
    SampleFlow samples[SAMPLE_COUNT];
    for (unsigned kind = 0; kind < SAMPLE_COUNT; kind++) {
        sample_flow(&samples[kind], (SampleKind)kind, kind + 1);
        oddport_report_add_flow(&samples[kind].flow, report);
    }
    /* Flow rows need nothing of the run at the end. */
    OddportTally *tally = oddport_tally_new();
    OddportSummary summary = {.captures = g_ptr_array_new(), .warnings = g_ptr_array_new()};
    summary.counts = oddport_tally_counts(tally);
    const OddportRunResult run = {.summary = &summary, .tally = tally};
    g_assert_true(oddport_report_end(report, &run));
    fclose(stream);
    g_ptr_array_unref(summary.captures);
    g_ptr_array_unref(summary.warnings);
    oddport_tally_free(tally);
    g_assert_true(g_str_has_suffix(text, "\r\n"));
    text[size - 2] = '\0';
    char **rows = g_strsplit(text, "\r\n", -1);
    free(text);
    return rows;
}

/* The CSV header is the walker's flattened names, and every row has a cell for each. */
static void test_csv_header_and_rows_match_the_walk(void)
{
    SampleFlow sample;
    sample_flow(&sample, SAMPLE_NOTHING_RECOGNISED, 1);
    Counter counter;
    counter_init(&counter);
    oddport_flow_record_walk(&sample.flow, &counting_visitor, &counter);

    g_auto(GStrv) rows = csv_rows_of_samples();
    g_assert_cmpuint(g_strv_length(rows), ==, 1 + SAMPLE_COUNT);
    g_assert_cmpstr(rows[0], ==, counter.names->str);
    for (unsigned row = 0; rows[row] != NULL; row++) {
        GPtrArray *fields = csv_fields(rows[row]);
        g_assert_cmpuint(fields->len, ==, counter.columns);
        g_ptr_array_unref(fields);
    }
    counter_clear(&counter);
}

/* Lists are one cell, items separated by single spaces; a space inside an item is escaped so
 * the cell splits back into exactly its items. */
static void test_csv_lists(void)
{
    g_auto(GStrv) rows = csv_rows_of_samples();
    GPtrArray *header = csv_fields(rows[0]);
    GPtrArray *tls = csv_fields(rows[1 + SAMPLE_TLS_WITH_ALPN]);
    GPtrArray *unknown = csv_fields(rows[1 + SAMPLE_NOTHING_RECOGNISED]);
    const char *expected_ports = NULL;
    const char *alpn = NULL;
    const char *unknown_alpn = NULL;
    const char *unknown_client_hello = NULL;
    for (guint column = 0; column < header->len; column++) {
        const char *name = g_ptr_array_index(header, column);
        if (strcmp(name, "expected_ports") == 0)
            expected_ports = g_ptr_array_index(tls, column);
        if (strcmp(name, "tls_alpn") == 0) {
            alpn = g_ptr_array_index(tls, column);
            unknown_alpn = g_ptr_array_index(unknown, column);
        }
        if (strcmp(name, "tls_client_hello") == 0)
            unknown_client_hello = g_ptr_array_index(unknown, column);
    }
    g_assert_cmpstr(expected_ports, ==, "443 853");
    g_assert_cmpstr(alpn, ==, "h2 odd\\x20name");
    /* No TLS in the flow: the TLS cells are empty, as JSON's "tls" is null. */
    g_assert_cmpstr(unknown_alpn, ==, "");
    g_assert_cmpstr(unknown_client_hello, ==, "");
    g_ptr_array_unref(header);
    g_ptr_array_unref(tls);
    g_ptr_array_unref(unknown);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/record/same-members-for-every-flow", test_same_members_for_every_flow);
    g_test_add_func("/record/app-records", test_app_records);
    g_test_add_func("/record/replayed-members", test_replayed_members);
    g_test_add_func("/record/csv/header-and-rows-match-the-walk",
                    test_csv_header_and_rows_match_the_walk);
    g_test_add_func("/record/csv/lists", test_csv_lists);
    return g_test_run();
}
