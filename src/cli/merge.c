/* oddport merge: reads the reports of runs over the parts of a capture set and writes one. */
#include "merge.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "arguments.h"
#include "report-options.h"
#include "report-output.h"
#include "say.h"
#include "oddport/engine.h"
#include "oddport/record.h"
#include "oddport/summary.h"
#include "oddport/tally.h"
#include "oddport/vocabulary.h"

/* The flows a report lists are complete records: the merged report's counts and services are
 * made by adding them to a new tally, exactly as one run adds the flows it finishes, so nothing
 * is summed from the parts' own tables (whose distinct clients and busiest clients could not be
 * added up exactly). Only the flows cut by a part's end need joining. */

typedef struct {
    char *key;              /* transport, VLAN and both endpoints, in a fixed order */
    JsonObject *app_source; /* whose protocol members and verdict the flow reports */
    OddportFlowReport report;
    OddportFlowVerdict verdict;
    char *first_capture;
    char *deciding_capture;
    unsigned part;
    /* Joined across a part boundary, with later bytes that a single run could have read its
     * app from: its verdict may differ from a single run's. */
    bool verdict_uncertain;
} MergedFlow;

typedef struct {
    GPtrArray *flows;    /* of MergedFlow *, in the order the part's run finished them */
    GPtrArray *captures; /* of OddportCaptureSummary * */
    GPtrArray *warnings; /* of char *: the part's run warnings, without the run-bound ones */
    uint64_t packets;
    uint64_t bytes;
    uint64_t skipped[ODDPORT_SKIP_REASON_COUNT];
    uint64_t first_seen_ns;
    uint64_t last_seen_ns;
    uint64_t evicted_flows;
    uint64_t max_flows;
    bool stopped;
    unsigned index; /* in the order the reports were given */
    char *name;     /* the report's, as given */
    /* Ids (the part's own) of the flows an earlier merge named in its warnings: a merged report
     * merged again marks them anew under the ids of the whole set. */
    GHashTable *verdict_uncertain_ids; /* of uint64_t *, a set */
    /* The run options its report records (filter, since, until, site_rules: owned texts, NULL
     * where the run had none), which every part must share. */
    char *run_options[4];
} Part;

static const char *const run_option_names[4] = {"filter", "since", "until", "site_rules"};

struct OddportMerge {
    GPtrArray *parts;    /* of Part * */
    GPtrArray *repeated; /* of char *: a warning for each report left out as a repeat */
    GPtrArray *warnings; /* of char *: the merged report's warnings, once it is written */
};

static GQuark merge_error_quark(void)
{
    return g_quark_from_static_string("oddport-merge-error-quark");
}

static void merged_flow_free(gpointer data)
{
    MergedFlow *flow = data;
    g_free(flow->key);
    if (flow->app_source != NULL)
        json_object_unref(flow->app_source);
    g_free(flow->first_capture);
    g_free(flow->deciding_capture);
    g_free(flow);
}

static void part_free(gpointer data)
{
    Part *part = data;
    g_ptr_array_unref(part->flows);
    g_ptr_array_unref(part->captures);
    g_ptr_array_unref(part->warnings);
    g_free(part->name);
    g_hash_table_unref(part->verdict_uncertain_ids);
    for (size_t index = 0; index < G_N_ELEMENTS(part->run_options); index++)
        g_free(part->run_options[index]);
    g_free(part);
}

OddportMerge *oddport_merge_new(void)
{
    OddportMerge *merge = g_new0(OddportMerge, 1);
    merge->parts = g_ptr_array_new_with_free_func(part_free);
    merge->repeated = g_ptr_array_new_with_free_func(g_free);
    merge->warnings = g_ptr_array_new_with_free_func(g_free);
    return merge;
}

void oddport_merge_free(OddportMerge *merge)
{
    if (merge == NULL)
        return;
    g_ptr_array_unref(merge->parts);
    g_ptr_array_unref(merge->repeated);
    g_ptr_array_unref(merge->warnings);
    g_free(merge);
}

/* Reading members: each sets `error` naming the member when it is missing or of another type. */

typedef struct {
    const char *report; /* the report's name, for errors */
    GError **error;
    bool failed;
} Reader;

static JsonNode *member(Reader *reader, JsonObject *object, const char *name, JsonNodeType type,
                        bool nullable)
{
    if (reader->failed)
        return NULL;
    JsonNode *node = object != NULL ? json_object_get_member(object, name) : NULL;
    if (node != NULL && JSON_NODE_HOLDS_NULL(node) && nullable)
        return NULL;
    if (node == NULL || json_node_get_node_type(node) != type) {
        g_set_error(reader->error, merge_error_quark(), 0,
                    "%s: \"%s\" is missing or not what an oddport report holds there (a report of "
                    "another oddport version? run the part again with this one)",
                    reader->report, name);
        reader->failed = true;
        return NULL;
    }
    return node;
}

static uint64_t read_unsigned(Reader *reader, JsonObject *object, const char *name)
{
    JsonNode *node = member(reader, object, name, JSON_NODE_VALUE, false);
    if (node == NULL)
        return 0;
    if (json_node_get_value_type(node) != G_TYPE_INT64 || json_node_get_int(node) < 0) {
        g_set_error(reader->error, merge_error_quark(), 0, "%s: \"%s\" is not a count",
                    reader->report, name);
        reader->failed = true;
        return 0;
    }
    return (uint64_t)json_node_get_int(node);
}

static bool read_boolean(Reader *reader, JsonObject *object, const char *name)
{
    JsonNode *node = member(reader, object, name, JSON_NODE_VALUE, false);
    if (node == NULL)
        return false;
    if (json_node_get_value_type(node) != G_TYPE_BOOLEAN) {
        g_set_error(reader->error, merge_error_quark(), 0, "%s: \"%s\" is not true or false",
                    reader->report, name);
        reader->failed = true;
        return false;
    }
    return json_node_get_boolean(node);
}

/* A string member (transfer none), or NULL for null when `nullable`. */
static const char *read_string(Reader *reader, JsonObject *object, const char *name, bool nullable)
{
    JsonNode *node = member(reader, object, name, JSON_NODE_VALUE, nullable);
    if (node == NULL)
        return NULL;
    if (json_node_get_value_type(node) != G_TYPE_STRING) {
        g_set_error(reader->error, merge_error_quark(), 0, "%s: \"%s\" is not text", reader->report,
                    name);
        reader->failed = true;
        return NULL;
    }
    return json_node_get_string(node);
}

static JsonObject *read_object(Reader *reader, JsonObject *object, const char *name, bool nullable)
{
    JsonNode *node = member(reader, object, name, JSON_NODE_OBJECT, nullable);
    return node != NULL ? json_node_get_object(node) : NULL;
}

static JsonArray *read_array(Reader *reader, JsonObject *object, const char *name)
{
    JsonNode *node = member(reader, object, name, JSON_NODE_ARRAY, false);
    return node != NULL ? json_node_get_array(node) : NULL;
}

/* Adds the texts of the array `name` to `texts` (borrowed from the report); an array holding
 * anything else fails the report, as no oddport writes one. */
static void read_texts(Reader *reader, JsonObject *object, const char *name, GPtrArray *texts)
{
    JsonArray *array = read_array(reader, object, name);
    for (guint index = 0; array != NULL && index < json_array_get_length(array); index++) {
        JsonNode *node = json_array_get_element(array, index);
        if (json_node_get_node_type(node) != JSON_NODE_VALUE ||
            json_node_get_value_type(node) != G_TYPE_STRING) {
            g_set_error(reader->error, merge_error_quark(), 0,
                        "%s: \"%s\" holds something other than text", reader->report, name);
            reader->failed = true;
            return;
        }
        g_ptr_array_add(texts, (gpointer)json_node_get_string(node));
    }
}

static void fail(Reader *reader, const char *what, const char *value)
{
    if (reader->failed)
        return;
    g_set_error(reader->error, merge_error_quark(), 0, "%s: %s \"%s\" is not one oddport writes",
                reader->report, what, value != NULL ? value : "(null)");
    reader->failed = true;
}

/* The client's SYN sequence number: a 32-bit number when the client sent a SYN, else null. */
static uint32_t read_syn_sequence(Reader *reader, JsonObject *object, bool sent_syn)
{
    const char *name = "client_syn_sequence";
    if (!sent_syn) {
        (void)member(reader, object, name, JSON_NODE_NULL, false); /* there, and null */
        return 0;
    }
    uint64_t sequence = read_unsigned(reader, object, name);
    if (sequence > UINT32_MAX) {
        char text[24];
        g_snprintf(text, sizeof text, "%" G_GUINT64_FORMAT, sequence);
        fail(reader, "the client's SYN sequence number", text);
        return 0;
    }
    return (uint32_t)sequence;
}

/* A time as reports write it, and how many fractional digits it has (6 or 9). */
static uint64_t read_time(Reader *reader, JsonObject *object, const char *name, unsigned *digits)
{
    const char *text = read_string(reader, object, name, false);
    if (text == NULL)
        return 0;
    uint64_t timestamp_ns = 0;
    const char *dot = strchr(text, '.');
    if (!oddport_parse_time(text, &timestamp_ns) || dot == NULL) {
        fail(reader, "the time", text);
        return 0;
    }
    if (digits != NULL) {
        size_t fraction = strspn(dot + 1, "0123456789");
        *digits = fraction > 6 ? 9 : 6;
    }
    return timestamp_ns;
}

static void read_endpoint(Reader *reader, JsonObject *object, const char *name,
                          OddportEndpoint *endpoint)
{
    JsonObject *endpoint_object = read_object(reader, object, name, false);
    const char *ip = read_string(reader, endpoint_object, "ip", false);
    uint64_t port = read_unsigned(reader, endpoint_object, "port");
    if (reader->failed)
        return;
    memset(endpoint, 0, sizeof *endpoint);
    if (inet_pton(AF_INET, ip, endpoint->address.bytes) == 1)
        endpoint->address.family = 4;
    else if (inet_pton(AF_INET6, ip, endpoint->address.bytes) == 1)
        endpoint->address.family = 6;
    else
        fail(reader, "the address", ip);
    if (port > UINT16_MAX)
        fail(reader, "the port of", ip);
    endpoint->port = (uint16_t)port;
    endpoint->port_class = oddport_port_class(endpoint->port);
}

static OddportApp read_app(Reader *reader, JsonObject *object, const char *name)
{
    const char *text = read_string(reader, object, name, false);
    OddportApp app = ODDPORT_APP_UNKNOWN;
    if (text != NULL && strcmp(text, "unknown") != 0 && !oddport_app_from_name(text, &app))
        fail(reader, "the app", text);
    return app;
}

/* The first bytes of a side, written as hex (null: none). */
static void read_opening(Reader *reader, JsonObject *object, const char *name,
                         OddportOpening *opening)
{
    const char *hex = read_string(reader, object, name, true);
    memset(opening, 0, sizeof *opening);
    if (hex == NULL)
        return;
    size_t length = strlen(hex);
    if (length % 2 != 0 || length / 2 > ODDPORT_OPENING_MAX) {
        fail(reader, "the opening", hex);
        return;
    }
    for (size_t index = 0; index < length / 2; index++) {
        int high = g_ascii_xdigit_value(hex[2 * index]);
        int low = g_ascii_xdigit_value(hex[2 * index + 1]);
        if (high < 0 || low < 0) {
            fail(reader, "the opening", hex);
            return;
        }
        opening->bytes[index] = (uint8_t)(high << 4 | low);
    }
    opening->length = (uint8_t)(length / 2);
}

/* A packet place; `capture` receives the path (transfer full). */
static void read_place(Reader *reader, JsonObject *object, const char *name,
                       OddportPacketPlace *place, char **capture, const char **side)
{
    JsonObject *place_object = read_object(reader, object, name, true);
    *place = (OddportPacketPlace){0};
    *capture = NULL;
    if (side != NULL)
        *side = NULL;
    if (place_object == NULL)
        return;
    *capture = g_strdup(read_string(reader, place_object, "capture", false));
    place->capture = *capture;
    place->frame = read_unsigned(reader, place_object, "frame");
    if (side != NULL)
        *side = read_string(reader, place_object, "side", true);
}

/* Endpoint text in a fixed order, so that both directions of a flow share the key. */
static char *flow_key(const OddportFlowReport *report)
{
    char client[ODDPORT_ENDPOINT_TEXT_MAX];
    char server[ODDPORT_ENDPOINT_TEXT_MAX];
    oddport_format_endpoint(&report->client.address, report->client.port, client);
    oddport_format_endpoint(&report->server.address, report->server.port, server);
    bool client_first = strcmp(client, server) <= 0;
    return g_strdup_printf("%s %d/%u %s %s", oddport_transport_name(report->transport),
                           report->has_vlan, (unsigned)report->vlan_id,
                           client_first ? client : server, client_first ? server : client);
}

/* The verdict's members of `object`, the flow whose app the merged flow reports. */
static void read_verdict(Reader *reader, JsonObject *object, OddportFlowVerdict *verdict,
                         OddportTransport transport, uint16_t server_port)
{
    memset(verdict, 0, sizeof *verdict);
    verdict->app = read_app(reader, object, "app");
    verdict->client_app = read_app(reader, object, "client_app");
    verdict->server_app = read_app(reader, object, "server_app");
    verdict->mismatch = read_boolean(reader, object, "mismatch");
    verdict->nonstandard = read_boolean(reader, object, "nonstandard");
    const char *severity = read_string(reader, object, "severity", true);
    verdict->severity = ODDPORT_SEVERITY_NONE;
    if (severity != NULL && !oddport_severity_from_name(severity, &verdict->severity))
        fail(reader, "the severity", severity);
    JsonArray *expected = read_array(reader, object, "expected_ports");
    guint expected_count = expected != NULL ? json_array_get_length(expected) : 0;
    for (guint index = 0; index < expected_count && index < ODDPORT_EXPECTED_PORTS_MAX; index++) {
        gint64 port = json_array_get_int_element(expected, index);
        if (port < 0 || port > UINT16_MAX)
            fail(reader, "an expected port of", "expected_ports");
        verdict->expected_ports[verdict->expected_port_count++] = (uint16_t)port;
    }
    /* The registered name is the port's, the same in every part: the library's own string. */
    const char *iana = read_string(reader, object, "iana_service", true);
    verdict->iana_service = iana != NULL ? oddport_iana_service_name(server_port, transport) : NULL;
    const char *confidence = read_string(reader, object, "confidence", false);
    verdict->confidence = ODDPORT_CONFIDENCE_NONE;
    if (confidence != NULL && !oddport_confidence_from_name(confidence, &verdict->confidence))
        fail(reader, "the confidence", confidence);
    const char *evidence = read_string(reader, object, "evidence", false);
    if (evidence != NULL)
        g_strlcpy(verdict->evidence, evidence, sizeof verdict->evidence);
    const char *direction = read_string(reader, object, "direction", false);
    verdict->direction = (OddportDirectionSource)0;
    if (direction != NULL && !oddport_direction_source_from_name(direction, &verdict->direction))
        fail(reader, "the direction", direction);
}

/* The members a protocol's writer walks, nested as it nests them: what a report's null stands
 * for when the member is an object (a TLS flow's "certificate" with nothing read), since a
 * format with a place for every member (CSV's columns) wants each of them. */
typedef struct MemberShape {
    char *name;
    bool is_object;
    GPtrArray *members; /* of MemberShape *, for an object */
} MemberShape;

static void member_shape_free(gpointer data)
{
    MemberShape *shape = data;
    g_free(shape->name);
    if (shape->members != NULL)
        g_ptr_array_unref(shape->members);
    g_free(shape);
}

static MemberShape *member_shape_new(const char *name, bool is_object)
{
    MemberShape *shape = g_new0(MemberShape, 1);
    shape->name = g_strdup(name);
    shape->is_object = is_object;
    if (is_object)
        shape->members = g_ptr_array_new_with_free_func(member_shape_free);
    return shape;
}

/* Records the shape of a walk: the objects opened and not yet closed, innermost last. */
typedef struct {
    GPtrArray *open;
} ShapeRecorder;

static void shape_add(ShapeRecorder *recorder, MemberShape *shape)
{
    MemberShape *parent = g_ptr_array_index(recorder->open, recorder->open->len - 1);
    g_ptr_array_add(parent->members, shape);
}

static void shape_begin_object(const char *name, G_GNUC_UNUSED bool present, void *data)
{
    ShapeRecorder *recorder = data;
    MemberShape *shape = member_shape_new(name, true);
    shape_add(recorder, shape);
    g_ptr_array_add(recorder->open, shape);
}

static void shape_end_object(void *data)
{
    ShapeRecorder *recorder = data;
    g_ptr_array_set_size(recorder->open, recorder->open->len - 1);
}

static void shape_begin_array(const char *name, void *data)
{
    shape_add(data, member_shape_new(name, false));
}

static void shape_end_array(G_GNUC_UNUSED void *data) {}

static void shape_value(const char *name, void *data)
{
    if (name != NULL)
        shape_add(data, member_shape_new(name, false));
}

static void shape_string(const char *name, G_GNUC_UNUSED const char *value, void *data)
{
    shape_value(name, data);
}

static void shape_unsigned_integer(const char *name, G_GNUC_UNUSED uint64_t value, void *data)
{
    shape_value(name, data);
}

static void shape_boolean(const char *name, G_GNUC_UNUSED bool value, void *data)
{
    shape_value(name, data);
}

static void shape_time(const char *name, G_GNUC_UNUSED uint64_t timestamp_ns,
                       G_GNUC_UNUSED unsigned digits, void *data)
{
    shape_value(name, data);
}

/* The shape of `protocol`'s members, from its writer's walk with nothing to describe, which
 * gives every member (transfer full). */
static MemberShape *protocol_shape_new(const OddportProtocol *protocol)
{
    static const OddportRecordVisitor recorder_visitor = {
        .begin_object = shape_begin_object,
        .end_object = shape_end_object,
        .begin_array = shape_begin_array,
        .end_array = shape_end_array,
        .string = shape_string,
        .unsigned_integer = shape_unsigned_integer,
        .boolean = shape_boolean,
        .null = shape_value,
        .time = shape_time,
        .skips_absent_members = false,
    };
    MemberShape *root = member_shape_new(protocol->name, true);
    ShapeRecorder recorder = {g_ptr_array_new()};
    g_ptr_array_add(recorder.open, root);
    protocol->describe_fields(NULL, NULL, &recorder_visitor, &recorder);
    g_ptr_array_unref(recorder.open);
    return root;
}

static const MemberShape *find_member_shape(const MemberShape *object, const char *name)
{
    if (object == NULL || !object->is_object || name == NULL)
        return NULL;
    for (guint index = 0; index < object->members->len; index++) {
        const MemberShape *member = g_ptr_array_index(object->members, index);
        if (strcmp(member->name, name) == 0)
            return member;
    }
    return NULL;
}

/* An object with nothing in it, as its writer gives one: absent, with its members as nulls for a
 * format that keeps a place for each. */
static void replay_absent_object(const MemberShape *shape, const OddportRecordVisitor *visitor,
                                 void *data)
{
    visitor->begin_object(shape->name, false, data);
    if (!visitor->skips_absent_members) {
        for (guint index = 0; index < shape->members->len; index++) {
            const MemberShape *member = g_ptr_array_index(shape->members, index);
            if (member->is_object)
                replay_absent_object(member, visitor, data);
            else
                visitor->null(member->name, data);
        }
    }
    visitor->end_object(data);
}

/* Replays a JSON value with a record visitor, as the flow's writer walked it; `shape` is the
 * writer's for this member, or NULL where it has none to say. */
static void replay_value(const char *name, JsonNode *node, const MemberShape *shape,
                         const OddportRecordVisitor *visitor, void *data)
{
    switch (json_node_get_node_type(node)) {
    case JSON_NODE_NULL:
        if (shape != NULL && shape->is_object)
            replay_absent_object(shape, visitor, data);
        else
            visitor->null(name, data);
        return;
    case JSON_NODE_ARRAY: {
        JsonArray *array = json_node_get_array(node);
        visitor->begin_array(name, data);
        for (guint index = 0; index < json_array_get_length(array); index++)
            replay_value(NULL, json_array_get_element(array, index), NULL, visitor, data);
        visitor->end_array(data);
        return;
    }
    case JSON_NODE_OBJECT: {
        JsonObject *object = json_node_get_object(node);
        visitor->begin_object(name, true, data);
        JsonObjectIter iterator;
        const char *member_name;
        JsonNode *member_node;
        json_object_iter_init_ordered(&iterator, object);
        while (json_object_iter_next_ordered(&iterator, &member_name, &member_node))
            replay_value(member_name, member_node, find_member_shape(shape, member_name), visitor,
                         data);
        visitor->end_object(data);
        return;
    }
    case JSON_NODE_VALUE:
        break;
    }
    GType type = json_node_get_value_type(node);
    if (type == G_TYPE_BOOLEAN)
        visitor->boolean(name, json_node_get_boolean(node), data);
    else if (type == G_TYPE_INT64 && json_node_get_int(node) >= 0)
        visitor->unsigned_integer(name, (uint64_t)json_node_get_int(node), data);
    else if (type == G_TYPE_STRING)
        visitor->string(name, json_node_get_string(node), data);
    else
        visitor->null(name, data);
}

/* Each protocol's member shape, made on first use and kept for the process. */
static const MemberShape *protocol_shape(const OddportProtocol *protocol)
{
    static GHashTable *shapes; /* OddportProtocol * to MemberShape * */
    if (shapes == NULL)
        shapes = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, member_shape_free);
    MemberShape *shape = g_hash_table_lookup(shapes, protocol);
    if (shape == NULL) {
        shape = protocol_shape_new(protocol);
        g_hash_table_insert(shapes, (gpointer)protocol, shape);
    }
    return shape;
}

/* OddportReplayProtocolMembers over the JSON object of the flow the verdict came from. */
static void replay_protocol_members(const OddportProtocol *protocol, const void *source,
                                    const OddportRecordVisitor *visitor, void *visitor_data)
{
    JsonObject *object = (JsonObject *)source;
    JsonNode *node = json_object_get_member(object, protocol->name);
    if (node == NULL || json_node_get_node_type(node) != JSON_NODE_OBJECT) {
        /* Absent: the protocol's own null members, so every format keeps its columns. */
        visitor->begin_object(protocol->name, false, visitor_data);
        protocol->describe_fields(NULL, NULL, visitor, visitor_data);
        visitor->end_object(visitor_data);
        return;
    }
    replay_value(protocol->name, node, protocol_shape(protocol), visitor, visitor_data);
}

/* Points the flow's verdict, protocol members and deciding packet at `object`. */
static void take_verdict(Reader *reader, MergedFlow *flow, JsonObject *object)
{
    read_verdict(reader, object, &flow->verdict, flow->report.transport, flow->report.server.port);
    if (flow->app_source != object) {
        json_object_ref(object);
        if (flow->app_source != NULL)
            json_object_unref(flow->app_source);
        flow->app_source = object;
    }
    flow->report.verdict = &flow->verdict;
    flow->report.replay_source = object;
    g_free(flow->deciding_capture);
    const char *side = NULL;
    read_place(reader, object, "deciding_packet", &flow->report.deciding_packet,
               &flow->deciding_capture, &side);
    flow->report.decided_by = side == NULL                  ? ODDPORT_DECIDED_BY_NONE
                              : strcmp(side, "client") == 0 ? ODDPORT_DECIDED_BY_CLIENT
                                                            : ODDPORT_DECIDED_BY_SERVER;
}

static MergedFlow *read_flow(Reader *reader, JsonObject *object, unsigned part)
{
    MergedFlow *flow = g_new0(MergedFlow, 1);
    flow->part = part;
    OddportFlowReport *report = &flow->report;
    report->id = read_unsigned(reader, object, "id");
    const char *transport = read_string(reader, object, "transport", false);
    if (transport == NULL || !oddport_transport_from_name(transport, &report->transport))
        fail(reader, "the transport", transport);
    read_endpoint(reader, object, "client", &report->client);
    read_endpoint(reader, object, "server", &report->server);
    JsonNode *vlan = member(reader, object, "vlan", JSON_NODE_VALUE, true);
    if (vlan != NULL) {
        report->has_vlan = true;
        report->vlan_id = (uint16_t)json_node_get_int(vlan);
    }
    report->first_seen_ns = read_time(reader, object, "first_seen", &report->precision_digits);
    report->last_seen_ns = read_time(reader, object, "last_seen", NULL);
    JsonObject *c2s = read_object(reader, object, "c2s", false);
    JsonObject *s2c = read_object(reader, object, "s2c", false);
    report->client_packets = read_unsigned(reader, c2s, "packets");
    report->client_bytes = read_unsigned(reader, c2s, "bytes");
    report->server_packets = read_unsigned(reader, s2c, "packets");
    report->server_bytes = read_unsigned(reader, s2c, "bytes");
    read_place(reader, object, "first_packet", &report->first_packet, &flow->first_capture, NULL);
    report->client_sent_payload = read_boolean(reader, object, "client_sent_payload");
    report->server_sent_payload = read_boolean(reader, object, "server_sent_payload");
    report->server_accepted = read_boolean(reader, object, "server_accepted");
    read_opening(reader, object, "client_opening", &report->client_opening);
    read_opening(reader, object, "server_opening", &report->server_opening);
    report->client_sent_syn = read_boolean(reader, object, "client_sent_syn");
    report->client_sent_fin = read_boolean(reader, object, "client_sent_fin");
    report->server_sent_fin = read_boolean(reader, object, "server_sent_fin");
    report->reset = read_boolean(reader, object, "reset");
    report->open_at_end = read_boolean(reader, object, "open_at_end");
    report->client_detection_done = read_boolean(reader, object, "client_detection_done");
    report->server_detection_done = read_boolean(reader, object, "server_detection_done");
    report->client_syn_sequence = read_syn_sequence(reader, object, report->client_sent_syn);
    report->replay_protocol_members = replay_protocol_members;
    take_verdict(reader, flow, object);
    flow->key = flow_key(report);
    return flow;
}

static OddportCaptureSummary *read_capture(Reader *reader, JsonObject *object)
{
    OddportCaptureSummary *capture = g_new0(OddportCaptureSummary, 1);
    capture->link_types = g_ptr_array_new_with_free_func(g_free);
    capture->warnings = g_ptr_array_new_with_free_func(g_free);
    capture->path = g_strdup(read_string(reader, object, "path", false));
    capture->error = g_strdup(read_string(reader, object, "error", true));
    if (capture->error != NULL) {
        const char *kind = read_string(reader, object, "error_kind", false);
        if (kind != NULL && !oddport_capture_error_from_name(kind, &capture->error_kind))
            fail(reader, "the error kind", kind);
    }
    const char *format = read_string(reader, object, "format", true);
    capture->format = format != NULL && strcmp(format, "pcapng") == 0
                          ? ODDPORT_CAPTURE_FORMAT_PCAPNG
                          : ODDPORT_CAPTURE_FORMAT_PCAP;
    const char *compression = read_string(reader, object, "compression", true);
    /* The summary holds the library's static names. */
    static const char *const compressions[] = {"gzip", "zstd", "lz4"};
    for (size_t index = 0; compression != NULL && index < G_N_ELEMENTS(compressions); index++)
        if (strcmp(compression, compressions[index]) == 0)
            capture->compression = compressions[index];
    g_autoptr(GPtrArray) link_types = g_ptr_array_new();
    read_texts(reader, object, "link_types", link_types);
    for (guint index = 0; index < link_types->len; index++)
        g_ptr_array_add(capture->link_types, g_strdup(g_ptr_array_index(link_types, index)));
    capture->packets = read_unsigned(reader, object, "packets");
    capture->bytes = read_unsigned(reader, object, "bytes");
    capture->precision_digits = 6;
    if (capture->packets > 0) {
        capture->first_seen_ns =
            read_time(reader, object, "first_seen", &capture->precision_digits);
        capture->last_seen_ns = read_time(reader, object, "last_seen", NULL);
    }
    capture->truncated = read_boolean(reader, object, "truncated");
    g_autoptr(GPtrArray) warnings = g_ptr_array_new();
    read_texts(reader, object, "warnings", warnings);
    for (guint index = 0; index < warnings->len; index++)
        g_ptr_array_add(capture->warnings, g_strdup(g_ptr_array_index(warnings, index)));
    JsonObject *skipped = read_object(reader, object, "skipped_packets", false);
    for (unsigned reason = 1; skipped != NULL && reason < ODDPORT_SKIP_REASON_COUNT; reason++) {
        const char *name = oddport_skip_reason_name((OddportDecodeStatus)reason);
        if (name != NULL && json_object_has_member(skipped, name))
            capture->skipped[reason] = read_unsigned(reader, skipped, name);
    }
    return capture;
}

/* How a merge's warning on flows it could not join exactly begins, after their count. */
#define VERDICT_UNCERTAIN_START " flows cut by the end of a part (ids "
/* How a merge's warning on flows its parts finished early begins: a merged report merged again
 * counts them anew, from the totals. */
#define EVICTED_IN_PARTS_START "the parts' runs finished "

/* Whether `warning` is a merge's own on flows it could not join exactly ("N flows ... (ids 3, 9)
 * ..." with `start` after the count): its ids then go into `ids`. */
static bool read_merge_warning(const char *warning, const char *start, GHashTable *ids)
{
    const char *text = warning;
    while (g_ascii_isdigit(*text))
        text++;
    if (text == warning || !g_str_has_prefix(text, start))
        return false;
    text += strlen(start);
    g_autoptr(GArray) read = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    while (g_ascii_isdigit(*text)) {
        uint64_t id = g_ascii_strtoull(text, (char **)&text, 10);
        g_array_append_val(read, id);
        if (g_str_has_prefix(text, ", "))
            text += 2;
    }
    /* Not the merge's own after all: kept as a warning of the part's. */
    if (*text != ')' || read->len == 0)
        return false;
    for (guint index = 0; index < read->len; index++)
        g_hash_table_add(ids, g_memdup2(&g_array_index(read, uint64_t, index), sizeof(uint64_t)));
    return true;
}

/* The part's summary: captures, totals and warnings. */
static void read_summary(Reader *reader, JsonObject *object, Part *part)
{
    const char *version = read_string(reader, object, "oddport", false);
    uint64_t schema = read_unsigned(reader, object, "schema");
    if (!reader->failed && schema != ODDPORT_SCHEMA_VERSION) {
        g_set_error(reader->error, merge_error_quark(), 0,
                    "%s: a report of schema %" G_GUINT64_FORMAT ", and this oddport writes "
                    "schema %d",
                    reader->report, schema, ODDPORT_SCHEMA_VERSION);
        reader->failed = true;
    }
    if (!reader->failed && strcmp(version, ODDPORT_VERSION) != 0) {
        g_set_error(reader->error, merge_error_quark(), 0,
                    "%s: written by oddport %s; merge reports of oddport %s only", reader->report,
                    version, ODDPORT_VERSION);
        reader->failed = true;
    }
    part->stopped = read_boolean(reader, object, "incomplete");
    JsonObject *options = read_object(reader, object, "run_options", false);
    for (size_t index = 0; options != NULL && index < G_N_ELEMENTS(part->run_options); index++)
        part->run_options[index] =
            g_strdup(read_string(reader, options, run_option_names[index], true));
    JsonArray *captures = read_array(reader, object, "captures");
    part->first_seen_ns = UINT64_MAX;
    for (guint index = 0; captures != NULL && index < json_array_get_length(captures); index++) {
        JsonObject *capture_object = json_array_get_object_element(captures, index);
        if (capture_object == NULL) {
            fail(reader, "a capture", "captures");
            break;
        }
        OddportCaptureSummary *capture = read_capture(reader, capture_object);
        g_ptr_array_add(part->captures, capture);
        part->packets += capture->packets;
        part->bytes += capture->bytes;
        for (unsigned reason = 0; reason < ODDPORT_SKIP_REASON_COUNT; reason++)
            part->skipped[reason] += capture->skipped[reason];
        if (capture->packets > 0) {
            part->first_seen_ns = MIN(part->first_seen_ns, capture->first_seen_ns);
            part->last_seen_ns = MAX(part->last_seen_ns, capture->last_seen_ns);
        }
    }
    JsonObject *totals = read_object(reader, object, "totals", false);
    part->evicted_flows = read_unsigned(reader, totals, "evicted_flows");
    part->max_flows = read_unsigned(reader, totals, "max_flows");
    JsonObject *omitted_object = read_object(reader, totals, "omitted_services", false);
    if (reader->failed)
        return;
    /* The part's own run-bound warnings are said again for the whole set, with its numbers. */
    OddportFlowCounts counts = {0};
    counts.omitted_services.rows = read_unsigned(reader, omitted_object, "rows");
    counts.omitted_services.flows = read_unsigned(reader, omitted_object, "flows");
    OddportSummary own = {.evicted_flows = part->evicted_flows,
                          .max_flows = part->max_flows,
                          .counts = &counts,
                          .warnings = g_ptr_array_new_with_free_func(g_free)};
    oddport_summary_add_run_warnings(&own);
    g_autoptr(GPtrArray) warnings = g_ptr_array_new();
    read_texts(reader, object, "warnings", warnings);
    for (guint index = 0; index < warnings->len; index++) {
        const char *warning = g_ptr_array_index(warnings, index);
        if (read_merge_warning(warning, VERDICT_UNCERTAIN_START, part->verdict_uncertain_ids) ||
            g_str_has_prefix(warning, EVICTED_IN_PARTS_START))
            continue;
        bool run_bound = false;
        for (guint own_index = 0; own_index < own.warnings->len; own_index++)
            run_bound =
                run_bound || strcmp(warning, g_ptr_array_index(own.warnings, own_index)) == 0;
        if (!run_bound)
            g_ptr_array_add(part->warnings, g_strdup(warning));
    }
    g_ptr_array_unref(own.warnings);
}

static Part *part_new(unsigned index, const char *name)
{
    Part *part = g_new0(Part, 1);
    part->name = g_strdup(name);
    part->verdict_uncertain_ids = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
    part->flows = g_ptr_array_new_with_free_func(merged_flow_free);
    part->captures = g_ptr_array_new_with_free_func(oddport_capture_summary_free);
    part->warnings = g_ptr_array_new_with_free_func(g_free);
    part->index = index;
    return part;
}

/* json-glib's message on text that is not JSON, "<data>:LINE:COLUMN: Parse error: ...", with the
 * line counted in the whole report: an NDJSON report's lines are parsed one at a time, each its
 * own line 1, from `first_line` on. Other messages are given as they are (transfer full). */
static char *parse_error_message(const char *message, unsigned first_line)
{
    static const char prefix[] = "<data>:";
    unsigned line;
    unsigned column;
    int consumed = 0;
    if (g_str_has_prefix(message, prefix) &&
        sscanf(message + strlen(prefix), "%u:%u: %n", &line, &column, &consumed) == 2 &&
        consumed > 0)
        return g_strdup_printf("line %u, column %u: %s", first_line + line - 1, column,
                               message + strlen(prefix) + consumed);
    return g_strdup(message);
}

/* One JSON value, from line `first_line` of the report on, or NULL with `error` set (transfer
 * full). */
/* Deeper than any report nests (a flow's members are four levels down), and far short of what
 * json-glib's parser, which recurses once per level without a bound, takes before the stack
 * runs out (some 75,000 levels of brackets, 150 KB of text, crashed it). */
enum { NESTING_MAX = 64 };

/* Whether JSON text opens more than NESTING_MAX arrays or objects inside one another, brackets
 * in strings aside: refused before parsing. */
static bool nested_too_deep(const char *text, size_t length)
{
    unsigned depth = 0;
    bool in_string = false;
    for (size_t index = 0; index < length; index++) {
        char byte = text[index];
        if (in_string) {
            if (byte == '\\')
                index++;
            else if (byte == '"')
                in_string = false;
        } else if (byte == '"') {
            in_string = true;
        } else if (byte == '[' || byte == '{') {
            if (++depth > NESTING_MAX)
                return true;
        } else if ((byte == ']' || byte == '}') && depth > 0) {
            depth--;
        }
    }
    return false;
}

static JsonNode *parse_json(const char *name, const char *text, gssize length, unsigned first_line,
                            GError **error)
{
    if (nested_too_deep(text, length < 0 ? strlen(text) : (size_t)length)) {
        g_set_error(error, merge_error_quark(), 0,
                    "%s: not an oddport report: arrays or objects nested more than %d deep", name,
                    NESTING_MAX);
        return NULL;
    }
    g_autoptr(JsonParser) parser = json_parser_new_immutable();
    GError *parse_error = NULL;
    if (!json_parser_load_from_data(parser, text, length, &parse_error)) {
        g_autofree char *message = parse_error_message(parse_error->message, first_line);
        g_set_error(error, merge_error_quark(), 0, "%s: not JSON or NDJSON: %s", name, message);
        g_error_free(parse_error);
        return NULL;
    }
    JsonNode *root = json_parser_steal_root(parser);
    if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root)) {
        g_set_error(error, merge_error_quark(), 0, "%s: not an oddport report", name);
        if (root != NULL)
            json_node_unref(root);
        return NULL;
    }
    return root;
}

/* Whether the first line is a JSON object with a "type" member, as NDJSON reports' lines are. */
static bool first_line_is_typed(const char *text, size_t length)
{
    if (nested_too_deep(text, length))
        return false;
    g_autoptr(JsonParser) parser = json_parser_new_immutable();
    if (!json_parser_load_from_data(parser, text, (gssize)length, NULL))
        return false;
    JsonNode *root = json_parser_get_root(parser);
    return root != NULL && JSON_NODE_HOLDS_OBJECT(root) &&
           json_object_has_member(json_node_get_object(root), "type");
}

/* Whether the line from `line` to `end` holds only spaces, tabs and a carriage return: read
 * within the line, since the report's text need not end in a NUL. */
static bool is_blank(const char *line, const char *end)
{
    for (; line < end; line++) {
        if (*line != ' ' && *line != '\t' && *line != '\r')
            return false;
    }
    return true;
}

/* A merged report merged again: the flows its warnings named are marked as joined then. */
static void mark_uncertain_flows(Part *part)
{
    if (g_hash_table_size(part->verdict_uncertain_ids) == 0)
        return;
    for (guint index = 0; index < part->flows->len; index++) {
        MergedFlow *flow = g_ptr_array_index(part->flows, index);
        gint64 id = (gint64)flow->report.id;
        flow->verdict_uncertain = g_hash_table_contains(part->verdict_uncertain_ids, &id);
    }
}

static bool same_capture(const OddportCaptureSummary *left, const OddportCaptureSummary *right)
{
    return g_strcmp0(left->path, right->path) == 0 && left->packets == right->packets &&
           left->bytes == right->bytes && left->first_seen_ns == right->first_seen_ns &&
           left->last_seen_ns == right->last_seen_ns &&
           memcmp(left->skipped, right->skipped, sizeof left->skipped) == 0;
}

/* An earlier part that read the very captures `part` read, keeping the same packets (the same
 * report given twice, or two runs over the same files): one run reads a file named twice once,
 * and so does a merge. Parts that read captures of the same name with other packets, as runs on
 * other machines may, or that a filter or time window kept other packets of, are parts of their
 * own. NULL when there is none. */
static const Part *part_with_same_captures(const OddportMerge *merge, const Part *part)
{
    if (part->captures->len == 0)
        return NULL;
    for (guint index = 0; index < merge->parts->len; index++) {
        const Part *earlier = g_ptr_array_index(merge->parts, index);
        bool same = earlier->captures->len == part->captures->len;
        for (guint capture = 0; same && capture < part->captures->len; capture++)
            same = same_capture(g_ptr_array_index(earlier->captures, capture),
                                g_ptr_array_index(part->captures, capture));
        if (same)
            return earlier;
    }
    return NULL;
}

/* Whether two of a part's flows have one id (its first packet's position, which no two flows
 * share): such a report was not written by oddport, and one of the two would be lost. */
static bool flow_id_twice(const Part *part, uint64_t *id)
{
    g_autoptr(GHashTable) seen = g_hash_table_new(g_int64_hash, g_int64_equal);
    for (guint index = 0; index < part->flows->len; index++) {
        MergedFlow *flow = g_ptr_array_index(part->flows, index);
        if (!g_hash_table_add(seen, &flow->report.id)) {
            *id = flow->report.id;
            return true;
        }
    }
    return false;
}

/* Whether `part` was run with the options the parts before it were: a part filtered otherwise,
 * with other site rules, another time window or another bound on open flows counts other flows,
 * and its merge would be no run's report. Sets `error`, naming both reports and the difference,
 * when not. */
static bool runs_alike(const OddportMerge *merge, const Part *part, GError **error)
{
    if (merge->parts->len == 0)
        return true;
    const Part *first = g_ptr_array_index(merge->parts, 0);
    for (size_t index = 0; index < G_N_ELEMENTS(part->run_options); index++) {
        const char *own = part->run_options[index];
        const char *theirs = first->run_options[index];
        if (g_strcmp0(own, theirs) == 0)
            continue;
        g_set_error(error, merge_error_quark(), 0,
                    "%s: run with other options than %s (%s %s%s%s against %s%s%s): run every "
                    "part with the same options",
                    part->name, first->name, run_option_names[index], own != NULL ? "'" : "",
                    own != NULL ? own : "none", own != NULL ? "'" : "", theirs != NULL ? "'" : "",
                    theirs != NULL ? theirs : "none", theirs != NULL ? "'" : "");
        return false;
    }
    if (part->max_flows != first->max_flows) {
        g_set_error(error, merge_error_quark(), 0,
                    "%s: run with other options than %s (--max-flows %" G_GUINT64_FORMAT
                    " against %" G_GUINT64_FORMAT "): run every part with the same options",
                    part->name, first->name, part->max_flows, first->max_flows);
        return false;
    }
    return true;
}

bool oddport_merge_add_report(OddportMerge *merge, const char *name, const char *text,
                              size_t length, GError **error)
{
    Part *part = part_new(merge->parts->len, name);
    Reader reader = {.report = name, .error = error};
    /* NDJSON: a flow per line, then the summary, each line an object with a "type"; JSON: one
     * document with both, on one line as oddport writes it or spread over many. */
    const char *newline = memchr(text, '\n', length);
    bool one_document = newline == NULL || !first_line_is_typed(text, (size_t)(newline - text));
    bool have_summary = false;
    if (one_document) {
        JsonNode *root = parse_json(name, text, (gssize)length, 1, error);
        if (root == NULL) {
            part_free(part);
            return false;
        }
        JsonObject *object = json_node_get_object(root);
        if (json_object_has_member(object, "type")) {
            /* An NDJSON report of no flows is its summary line alone. */
            have_summary = true;
            read_summary(&reader, object, part);
        } else {
            JsonArray *flows = read_array(&reader, object, "flows");
            for (guint index = 0; flows != NULL && index < json_array_get_length(flows); index++) {
                JsonObject *flow = json_array_get_object_element(flows, index);
                if (flow == NULL) {
                    fail(&reader, "a flow", "flows");
                    break;
                }
                g_ptr_array_add(part->flows, read_flow(&reader, flow, part->index));
            }
            read_summary(&reader, object, part);
            have_summary = true;
        }
        json_node_unref(root);
    } else {
        const char *line = text;
        const char *end = text + length;
        unsigned line_number = 1;
        for (; line < end && !reader.failed; line_number++) {
            const char *line_end = memchr(line, '\n', (size_t)(end - line));
            if (line_end == NULL)
                line_end = end;
            if (!is_blank(line, line_end)) {
                JsonNode *root = parse_json(name, line, line_end - line, line_number, error);
                if (root == NULL) {
                    part_free(part);
                    return false;
                }
                JsonObject *object = json_node_get_object(root);
                const char *type = read_string(&reader, object, "type", false);
                if (type != NULL && strcmp(type, "flow") == 0)
                    g_ptr_array_add(part->flows, read_flow(&reader, object, part->index));
                else if (type != NULL && strcmp(type, "summary") == 0 && !have_summary) {
                    read_summary(&reader, object, part);
                    have_summary = true;
                } else
                    fail(&reader, "the line type", type);
                json_node_unref(root);
            }
            line = line_end + 1;
        }
    }
    if (!reader.failed && !have_summary) {
        g_set_error(error, merge_error_quark(), 0,
                    "%s: no summary: the report is cut short (was its run stopped?)", name);
        reader.failed = true;
    }
    uint64_t repeated_id = 0;
    if (!reader.failed && flow_id_twice(part, &repeated_id)) {
        g_set_error(error, merge_error_quark(), 0,
                    "%s: not an oddport report: flow id %" G_GUINT64_FORMAT " appears twice", name,
                    repeated_id);
        reader.failed = true;
    }
    if (reader.failed) {
        part_free(part);
        return false;
    }
    if (!runs_alike(merge, part, error)) {
        part_free(part);
        return false;
    }
    mark_uncertain_flows(part);
    const Part *earlier = part_with_same_captures(merge, part);
    if (earlier != NULL) {
        g_ptr_array_add(merge->repeated,
                        g_strdup_printf("%s reports the same captures as %s: merged once", name,
                                        earlier->name));
        part_free(part);
        return true;
    }
    g_ptr_array_add(merge->parts, part);
    return true;
}

static bool has_packets(const Part *part)
{
    return part->first_seen_ns != UINT64_MAX;
}

/* Parts with packets in the order of their first packets, the order given among those that
 * begin at once. */
static int compare_parts(gconstpointer left_pointer, gconstpointer right_pointer)
{
    const Part *left = *(Part *const *)left_pointer;
    const Part *right = *(Part *const *)right_pointer;
    if (left->first_seen_ns != right->first_seen_ns)
        return left->first_seen_ns < right->first_seen_ns ? -1 : 1;
    return left->index < right->index ? -1 : left->index > right->index;
}

/* Puts the parts (in the order given) in the order one run reads the files of a set: by their
 * first packets, while a part with no packets (an empty capture, one that could not be opened)
 * keeps its place in the order given, as such a capture does in one run. */
static void order_parts(GPtrArray *parts)
{
    g_autoptr(GPtrArray) timed = g_ptr_array_new();
    for (guint index = 0; index < parts->len; index++) {
        Part *part = g_ptr_array_index(parts, index);
        if (has_packets(part))
            g_ptr_array_add(timed, part);
    }
    g_ptr_array_sort(timed, compare_parts);
    guint next = 0;
    for (guint index = 0; index < parts->len; index++) {
        if (has_packets(g_ptr_array_index(parts, index)))
            parts->pdata[index] = g_ptr_array_index(timed, next++);
    }
}

static bool is_closed(const OddportFlowReport *flow)
{
    return flow->reset || (flow->client_sent_fin && flow->server_sent_fin);
}

/* How long a flow stays open without packets before the engine finishes it. */
static uint64_t idle_timeout_ns(const OddportFlowReport *flow)
{
    uint64_t seconds = flow->transport == ODDPORT_TRANSPORT_UDP ? ODDPORT_UDP_IDLE_SECONDS
                       : is_closed(flow)                        ? ODDPORT_CLOSED_GRACE_SECONDS
                                                                : ODDPORT_TCP_IDLE_SECONDS;
    return seconds * 1000000000u;
}

static bool same_endpoint(const OddportEndpoint *left, const OddportEndpoint *right)
{
    return left->port == right->port &&
           memcmp(&left->address, &right->address, sizeof left->address) == 0;
}

/* Whether one run over both parts would have carried `earlier`, still open when its part ended,
 * on into `later`, the first flow of the same endpoints in the next part. */
static bool continues(const MergedFlow *earlier, const MergedFlow *later)
{
    const OddportFlowReport *first = &earlier->report;
    const OddportFlowReport *next = &later->report;
    if (next->first_seen_ns > first->last_seen_ns + idle_timeout_ns(first))
        return false;
    /* A part that begins with the client's SYN is judged as the engine judges a SYN on a flow it
     * has open: a retransmission, which a part's end may well fall between, goes on with it. The
     * SYN is measured against its own endpoint's: a report keeps only its client's SYN, so one
     * from the earlier flow's server is taken as that endpoint's first, as it nearly always is. */
    if (next->transport == ODDPORT_TRANSPORT_TCP && next->client_sent_syn) {
        bool from_client = same_endpoint(&first->client, &next->client);
        if (oddport_syn_starts_connection(is_closed(first), from_client && first->client_sent_syn,
                                          first->client_syn_sequence, next->client_syn_sequence))
            return false;
    }
    return true;
}

/* Whether a protocol member holds what a side that never got there writes: null, false, 0, ""
 * or []. */
static bool says_nothing(JsonNode *node)
{
    if (JSON_NODE_HOLDS_NULL(node))
        return true;
    if (JSON_NODE_HOLDS_ARRAY(node))
        return json_array_get_length(json_node_get_array(node)) == 0;
    if (!JSON_NODE_HOLDS_VALUE(node))
        return false;
    GType type = json_node_get_value_type(node);
    return (type == G_TYPE_BOOLEAN && !json_node_get_boolean(node)) ||
           (type == G_TYPE_INT64 && json_node_get_int(node) == 0) ||
           (type == G_TYPE_STRING && json_node_get_string(node)[0] == '\0');
}

/* Protocol members of both flows, member by member, as one run describes the two sides together
 * (transfer full). A member one flow says nothing of is the other's. Where both say something,
 * a member of one side's is the earlier flow's: a side that spoke in both parts has its details
 * from its first bytes only in the earlier one (the later one's come from midway), and one that
 * spoke only in the later part says nothing in the earlier. The member both sides give (the
 * protocol's field_both_sides_give) takes the word of the side its protocol prefers
 * (server_word_prevails), so it comes from the flow that holds that side's first bytes, or
 * where that side never spoke, the other side's. `client_in_earlier` and `server_in_earlier`
 * say whether each side spoke in the earlier flow, `client_spoke` and `server_spoke` whether it
 * spoke in either. */
static JsonObject *united_protocol_members(JsonObject *earlier, JsonObject *later,
                                           bool client_in_earlier, bool server_in_earlier,
                                           bool client_spoke, bool server_spoke)
{
    JsonObject *united = json_object_new();
    size_t count;
    const OddportProtocol *const *protocols = oddport_protocols(&count);
    for (size_t index = 0; index < count; index++) {
        const OddportProtocol *protocol = protocols[index];
        const char *name = protocol->name;
        JsonObject *first = json_object_get_object_member(earlier, name);
        JsonObject *second = json_object_get_object_member(later, name);
        if (first == NULL || second == NULL) {
            JsonNode *node = json_object_get_member(first != NULL ? earlier : later, name);
            json_object_set_member(
                united, name, node != NULL ? json_node_copy(node) : json_node_new(JSON_NODE_NULL));
            continue;
        }
        bool prevailing_spoke = protocol->server_word_prevails ? server_spoke : client_spoke;
        bool server_decides = protocol->server_word_prevails == prevailing_spoke;
        bool earlier_prevails = server_decides ? server_in_earlier : client_in_earlier;
        JsonObject *members = json_object_new();
        JsonObjectIter iterator;
        const char *member_name;
        JsonNode *node;
        json_object_iter_init_ordered(&iterator, first);
        while (json_object_iter_next_ordered(&iterator, &member_name, &node)) {
            JsonNode *other = json_object_get_member(second, member_name);
            bool earlier_silent = says_nothing(node);
            bool later_silent = other == NULL || says_nothing(other);
            bool both_sides_give = protocol->field_both_sides_give != NULL &&
                                   strcmp(member_name, protocol->field_both_sides_give) == 0;
            bool take_later =
                !later_silent && (earlier_silent || (both_sides_give && !earlier_prevails));
            json_object_set_member(members, member_name, json_node_copy(take_later ? other : node));
        }
        json_object_set_object_member(united, name, members);
    }
    return united;
}

/* The verdict one run would reach when each side's first bytes lie in one of the two flows:
 * the client's from whichever flow it spoke in first, the server's likewise, put together as
 * oddport_classify_flow puts sides together. False where the parts do not tell (a side's
 * evidence cannot be told apart); the earlier flow's verdict then stands. `later` has the same
 * client as `earlier`. */
static bool combine_verdicts(MergedFlow *earlier, const MergedFlow *later)
{
    const OddportFlowVerdict *first = &earlier->verdict;
    const OddportFlowVerdict *second = &later->verdict;
    bool client_from_first = earlier->report.client_sent_payload;
    bool server_from_first = earlier->report.server_sent_payload;
    const OddportFlowVerdict *client_source = client_from_first ? first : second;
    const OddportFlowVerdict *server_source = server_from_first ? first : second;
    /* Each flow's confidence was that of its one recognised end. */
    OddportEndVerdict client;
    OddportEndVerdict server;
    if ((!oddport_classify_end_of(client_source, false, &client) &&
         client.app != ODDPORT_APP_UNKNOWN) ||
        (!oddport_classify_end_of(server_source, true, &server) &&
         server.app != ODDPORT_APP_UNKNOWN))
        return false;
    OddportFlowVerdict combined = *first;
    bool had_payload = earlier->report.client_sent_payload || earlier->report.server_sent_payload ||
                       later->report.client_sent_payload || later->report.server_sent_payload;
    oddport_classify_join_ends(&client, &server, NULL, had_payload, &combined);
    /* Where the app is expected and how severe it is elsewhere follow from the app and the
     * server's port, as in the flow whose verdict already named that app. */
    const OddportFlowVerdict *named = combined.app == second->app ? second : first;
    combined.nonstandard = named->nonstandard;
    combined.severity = named->severity;
    combined.expected_port_count = named->expected_port_count;
    memcpy(combined.expected_ports, named->expected_ports, sizeof combined.expected_ports);
    earlier->verdict = combined;
    /* The deciding packet is that of the side the app came from. */
    bool server_decides = server.app != ODDPORT_APP_UNKNOWN;
    const MergedFlow *decider =
        (server_decides ? server_from_first : client_from_first) ? earlier : later;
    if (decider == later) {
        g_free(earlier->deciding_capture);
        earlier->deciding_capture = g_strdup(later->deciding_capture);
        earlier->report.deciding_packet =
            (OddportPacketPlace){earlier->deciding_capture, later->report.deciding_packet.frame};
        earlier->report.decided_by =
            server_decides ? ODDPORT_DECIDED_BY_SERVER : ODDPORT_DECIDED_BY_CLIENT;
    }
    JsonObject *united = united_protocol_members(
        earlier->app_source, later->app_source, client_from_first, server_from_first,
        client_from_first || later->report.client_sent_payload,
        server_from_first || later->report.server_sent_payload);
    json_object_unref(earlier->app_source);
    earlier->app_source = united;
    earlier->report.replay_source = united;
    return true;
}

/* Whether one run could have judged a side differently from what a part reported: its later
 * bytes reached a side whose detection was not done (undecided, or its protocol still reading
 * details such as a TLS certificate or SSH's key exchange offer). */
static bool later_bytes_matter(bool earlier_payload, bool earlier_done, bool later_payload)
{
    return earlier_payload && later_payload && !earlier_done;
}

/* Whether a side left unrecognised began with bytes that a detector matches, if only weakly: a
 * low-confidence match (an HTTP/0.9 request) counts only when the other side confirms it, and
 * that other side's bytes are now in another part. */
static bool may_await_confirmation(OddportTransport transport, OddportApp app,
                                   const OddportOpening *opening)
{
    if (app != ODDPORT_APP_UNKNOWN || opening->length == 0)
        return false;
    OddportCandidates candidates = oddport_protocol_candidates(transport);
    OddportSideResult result;
    memset(&result, 0, sizeof result);
    oddport_detect_side(opening->bytes, opening->length, true, &candidates, &result);
    return result.app != ODDPORT_APP_UNKNOWN;
}

/* Adds `later` (the continuation) to `earlier`, which keeps its id, client and opening. */
static void join(MergedFlow *earlier, MergedFlow *later)
{
    OddportFlowReport *first = &earlier->report;
    const OddportFlowReport *next = &later->report;
    bool same_sides = same_endpoint(&first->client, &next->client);
    uint64_t client_packets = same_sides ? next->client_packets : next->server_packets;
    uint64_t client_bytes = same_sides ? next->client_bytes : next->server_bytes;
    uint64_t server_packets = same_sides ? next->server_packets : next->client_packets;
    uint64_t server_bytes = same_sides ? next->server_bytes : next->client_bytes;
    bool client_payload = same_sides ? next->client_sent_payload : next->server_sent_payload;
    bool server_payload = same_sides ? next->server_sent_payload : next->client_sent_payload;
    bool client_done = same_sides ? next->client_detection_done : next->server_detection_done;
    bool server_done = same_sides ? next->server_detection_done : next->client_detection_done;
    const OddportOpening *client_opening =
        same_sides ? &next->client_opening : &next->server_opening;
    const OddportOpening *server_opening =
        same_sides ? &next->server_opening : &next->client_opening;

    bool client_new = client_payload && !first->client_sent_payload;
    bool server_new = server_payload && !first->server_sent_payload;
    bool uncertain = later_bytes_matter(first->client_sent_payload, first->client_detection_done,
                                        client_payload) ||
                     later_bytes_matter(first->server_sent_payload, first->server_detection_done,
                                        server_payload);
    if (client_new || server_new) {
        /* A side that spoke only in the later part was read there from its first byte, as one
         * run reads it; with the client the other way round its sides' members cannot be
         * matched up. */
        OddportTransport transport = first->transport;
        uncertain =
            uncertain || !same_sides ||
            may_await_confirmation(transport, earlier->verdict.client_app,
                                   &first->client_opening) ||
            may_await_confirmation(transport, earlier->verdict.server_app,
                                   &first->server_opening) ||
            may_await_confirmation(transport, later->verdict.client_app, &next->client_opening) ||
            may_await_confirmation(transport, later->verdict.server_app, &next->server_opening);
        if (same_sides && !combine_verdicts(earlier, later))
            uncertain = true;
    }
    /* Marks the later flow carries, from a merge of its own, go on with the joined flow. */
    earlier->verdict_uncertain =
        earlier->verdict_uncertain || later->verdict_uncertain || uncertain;
    /* Each part judged who the client is from what it saw; one run sees what both saw, and the
     * surer judgement stands: a SYN, then a request's or response's shape, then the ports (the
     * sources in that order). */
    if (same_sides)
        earlier->verdict.direction = MIN(earlier->verdict.direction, later->verdict.direction);
    first->client_packets += client_packets;
    first->client_bytes += client_bytes;
    first->server_packets += server_packets;
    first->server_bytes += server_bytes;
    if (first->client_opening.length == 0)
        first->client_opening = *client_opening;
    if (first->server_opening.length == 0)
        first->server_opening = *server_opening;
    /* A side that spoke again later was read further by one run: as far as the later part. */
    if (client_payload)
        first->client_detection_done = first->client_detection_done || client_done;
    if (server_payload)
        first->server_detection_done = first->server_detection_done || server_done;
    first->client_sent_payload = first->client_sent_payload || client_payload;
    first->server_sent_payload = first->server_sent_payload || server_payload;
    first->server_accepted = first->server_accepted || (same_sides && next->server_accepted);
    first->client_sent_fin =
        first->client_sent_fin || (same_sides ? next->client_sent_fin : next->server_sent_fin);
    first->server_sent_fin =
        first->server_sent_fin || (same_sides ? next->server_sent_fin : next->client_sent_fin);
    first->reset = first->reset || next->reset;
    /* A connection seen from its middle whose client's SYN came later, as one run counts it. */
    if (same_sides && next->client_sent_syn && !first->client_sent_syn) {
        first->client_sent_syn = true;
        first->client_syn_sequence = next->client_syn_sequence;
    }
    first->last_seen_ns = MAX(first->last_seen_ns, next->last_seen_ns);
    first->precision_digits = MAX(first->precision_digits, next->precision_digits);
    first->open_at_end = next->open_at_end;
}

static int compare_flows_by_id(gconstpointer left_pointer, gconstpointer right_pointer)
{
    const MergedFlow *left = *(MergedFlow *const *)left_pointer;
    const MergedFlow *right = *(MergedFlow *const *)right_pointer;
    return left->report.id < right->report.id ? -1 : left->report.id > right->report.id;
}

/* Moves the flows of `carried` whose idle time ran out by `now_ns` (all of them when `all`: the
 * input ended) to `order`, in id order, as one run finishes the flows it holds when they time
 * out together or the input ends. */
static void emit_carried(GHashTable *carried, GPtrArray *order, uint64_t now_ns, bool all)
{
    GPtrArray *due = g_ptr_array_new();
    GHashTableIter iterator;
    gpointer value;
    g_hash_table_iter_init(&iterator, carried);
    while (g_hash_table_iter_next(&iterator, NULL, &value)) {
        MergedFlow *flow = value;
        /* The engine looks for idle flows once a second of packet time: a flow whose time ran
         * out a second or more before `now` has surely been finished, one whose time ran out
         * in that last second is taken to be still open (it may or may not have been). */
        uint64_t timed_out_ns = flow->report.last_seen_ns + idle_timeout_ns(&flow->report);
        if (all || timed_out_ns + 1000000000u <= now_ns) {
            /* Timed out before the input ended. */
            flow->report.open_at_end = all;
            g_ptr_array_add(due, flow);
            g_hash_table_iter_remove(&iterator);
        }
    }
    g_ptr_array_sort(due, compare_flows_by_id);
    for (guint index = 0; index < due->len; index++)
        g_ptr_array_add(order, g_ptr_array_index(due, index));
    g_ptr_array_unref(due);
}

/* The flows of every part in the order one run would finish them, joined across the parts'
 * boundaries (container transfer full; the flows stay the parts'). */
static GPtrArray *put_flows_together(OddportMerge *merge)
{
    GPtrArray *order = g_ptr_array_new();
    /* Flows still open at the end of the parts read so far, by key (borrowed). */
    GHashTable *carried = g_hash_table_new(g_str_hash, g_str_equal);
    uint64_t records_before = 0;
    for (guint part_index = 0; part_index < merge->parts->len; part_index++) {
        Part *part = g_ptr_array_index(merge->parts, part_index);
        /* Ids are positions among the records of the whole set. */
        for (guint index = 0; index < part->flows->len; index++) {
            MergedFlow *flow = g_ptr_array_index(part->flows, index);
            flow->report.id += records_before;
        }
        records_before += part->packets;
        /* Only a part's first flow of some endpoints can be the continuation of a carried one. */
        GHashTable *first_of_key = g_hash_table_new(g_str_hash, g_str_equal);
        for (guint index = 0; index < part->flows->len; index++) {
            MergedFlow *flow = g_ptr_array_index(part->flows, index);
            MergedFlow *known = g_hash_table_lookup(first_of_key, flow->key);
            if (known == NULL || flow->report.id < known->report.id)
                g_hash_table_insert(first_of_key, flow->key, flow);
        }
        for (guint index = 0; index < part->flows->len; index++) {
            MergedFlow *flow = g_ptr_array_index(part->flows, index);
            MergedFlow *earlier = g_hash_table_lookup(carried, flow->key);
            MergedFlow *target = flow;
            if (earlier != NULL && g_hash_table_lookup(first_of_key, flow->key) == flow) {
                g_hash_table_remove(carried, flow->key);
                if (continues(earlier, flow)) {
                    join(earlier, flow);
                    target = earlier;
                } else {
                    /* Finished by this flow's SYN, or timed out, before the input ended. */
                    earlier->report.open_at_end = false;
                    g_ptr_array_add(order, earlier);
                }
            }
            /* Open at the part's end: it may go on in the next part, or (joined, and now closed
             * by both FINs) have timed out before the end after all. */
            if (target->report.open_at_end)
                g_hash_table_insert(carried, target->key, target);
            else
                g_ptr_array_add(order, target);
        }
        g_hash_table_unref(first_of_key);
        /* Carried flows that one run would have timed out by the end of this part. */
        emit_carried(carried, order, part->last_seen_ns, false);
    }
    emit_carried(carried, order, 0, true);
    g_hash_table_unref(carried);
    return order;
}

static int compare_ids(gconstpointer left_pointer, gconstpointer right_pointer)
{
    uint64_t left = *(const uint64_t *)left_pointer;
    uint64_t right = *(const uint64_t *)right_pointer;
    return left < right ? -1 : left > right;
}

/* "12, 40, 77": every id, so that a reader can set exactly those flows aside (transfer full). */
static char *list_ids(GArray *ids)
{
    GString *text = g_string_new(NULL);
    for (guint index = 0; index < ids->len; index++)
        g_string_append_printf(text, "%s%" G_GUINT64_FORMAT, index > 0 ? ", " : "",
                               g_array_index(ids, uint64_t, index));
    return g_string_free(text, FALSE);
}

/* Adds "N<start><ids>) <rest>" to `warnings`, the ids in order, when there are any. */
static void warn_of_flows(GPtrArray *warnings, GArray *ids, const char *start, const char *rest)
{
    if (ids->len == 0)
        return;
    g_array_sort(ids, compare_ids);
    g_autofree char *list = list_ids(ids);
    g_ptr_array_add(warnings, g_strdup_printf("%u%s%s) %s", ids->len, start, list, rest));
}

bool oddport_merge_write(OddportMerge *merge, const OddportReportFormat *format, FILE *stream,
                         const OddportReportOptions *options)
{
    order_parts(merge->parts);
    OddportSummary summary = {
        .captures = g_ptr_array_new(),
        .warnings = g_ptr_array_new_with_free_func(g_free),
        .precision_digits = 6,
    };
    for (guint part_index = 0; part_index < merge->parts->len; part_index++) {
        Part *part = g_ptr_array_index(merge->parts, part_index);
        for (guint index = 0; index < part->captures->len; index++) {
            OddportCaptureSummary *capture = g_ptr_array_index(part->captures, index);
            g_ptr_array_add(summary.captures, capture);
            if (capture->packets > 0)
                summary.precision_digits = MAX(summary.precision_digits, capture->precision_digits);
        }
        summary.packets += part->packets;
        summary.bytes += part->bytes;
        for (unsigned reason = 0; reason < ODDPORT_SKIP_REASON_COUNT; reason++)
            summary.skipped[reason] += part->skipped[reason];
        summary.evicted_flows += part->evicted_flows;
        summary.max_flows = MAX(summary.max_flows, part->max_flows);
        summary.stopped = summary.stopped || part->stopped;
        for (guint index = 0; index < part->warnings->len; index++) {
            const char *warning = g_ptr_array_index(part->warnings, index);
            bool known = false;
            for (guint seen = 0; seen < summary.warnings->len && !known; seen++)
                known = strcmp(warning, g_ptr_array_index(summary.warnings, seen)) == 0;
            if (!known)
                g_ptr_array_add(summary.warnings, g_strdup(warning));
        }
    }

    for (guint index = 0; index < merge->repeated->len; index++)
        g_ptr_array_add(summary.warnings, g_strdup(g_ptr_array_index(merge->repeated, index)));

    GPtrArray *order = put_flows_together(merge);
    OddportTally *tally = oddport_tally_new();
    summary.counts = oddport_tally_counts(tally);
    OddportReport *report = oddport_report_begin(format, stream, options);
    GArray *uncertain = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    for (guint index = 0; index < order->len; index++) {
        MergedFlow *flow = g_ptr_array_index(order, index);
        /* Flow times are written with the finest precision of the whole set. */
        flow->report.precision_digits = summary.precision_digits;
        oddport_tally_add_flow(tally, &flow->report);
        oddport_report_add_flow(&flow->report, report);
        if (flow->verdict_uncertain)
            g_array_append_val(uncertain, flow->report.id);
    }
    warn_of_flows(summary.warnings, uncertain, VERDICT_UNCERTAIN_START,
                  "sent bytes in the next part that the earlier part had not recognised: their "
                  "app and protocol details are the earlier part's, or the later part's where "
                  "the earlier recognised none, and may differ from one run over the whole set");
    if (summary.evicted_flows > 0)
        g_ptr_array_add(summary.warnings,
                        g_strdup_printf(EVICTED_IN_PARTS_START
                                        "%" G_GUINT64_FORMAT " flows "
                                        "early (--max-flows): one run over the whole set, with "
                                        "other flows open at once, may have finished others",
                                        summary.evicted_flows));
    oddport_summary_add_run_warnings(&summary);
    /* Every part's, which are one. */
    const Part *first = merge->parts->len > 0 ? g_ptr_array_index(merge->parts, 0) : NULL;
    const OddportRunOptions run_options = {
        first != NULL ? first->run_options[0] : NULL, first != NULL ? first->run_options[1] : NULL,
        first != NULL ? first->run_options[2] : NULL, first != NULL ? first->run_options[3] : NULL};
    const OddportRunResult run = {.summary = &summary, .tally = tally, .options = &run_options};
    bool written = oddport_report_end(report, &run);
    g_array_unref(uncertain);
    g_ptr_array_unref(order);
    oddport_tally_free(tally);
    g_ptr_array_unref(summary.captures);
    g_ptr_array_unref(merge->warnings);
    merge->warnings = summary.warnings;
    return written;
}

/* One line on `stream`, "oddport merge: " and the message with every byte outside printable
 * ASCII escaped as oddport's own messages escape them: a report's text (a path, or what the
 * JSON parser quotes of it) must not drive the terminal. */
static void say_on(FILE *stream, const char *format, ...) G_GNUC_PRINTF(2, 3);
static void say_on(FILE *stream, const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    oddport_say_va(stream, "oddport merge", format, arguments);
    va_end(arguments);
}

const char *oddport_merge_capture_overwritten(const OddportMerge *merge, const char *output_path)
{
    g_autoptr(GPtrArray) paths = g_ptr_array_new();
    for (guint index = 0; index < merge->parts->len; index++) {
        const Part *part = g_ptr_array_index(merge->parts, index);
        for (guint capture = 0; capture < part->captures->len; capture++) {
            const OddportCaptureSummary *summary = g_ptr_array_index(part->captures, capture);
            if (summary->path != NULL)
                g_ptr_array_add(paths, summary->path);
        }
    }
    return oddport_report_output_overwrites(output_path, (const char *const *)paths->pdata,
                                            paths->len);
}

unsigned oddport_merge_tell(const OddportMerge *merge, bool with_warnings, FILE *stream)
{
    unsigned unreadable = 0;
    for (guint index = 0; index < merge->parts->len; index++) {
        const Part *part = g_ptr_array_index(merge->parts, index);
        for (guint capture = 0; capture < part->captures->len; capture++) {
            const OddportCaptureSummary *summary = g_ptr_array_index(part->captures, capture);
            if (summary->error != NULL) {
                say_on(stream, "%s: %s", summary->path, summary->error);
                unreadable++;
            }
            for (guint warning = 0; with_warnings && warning < summary->warnings->len; warning++)
                say_on(stream, "%s: warning: %s", summary->path,
                       (const char *)g_ptr_array_index(summary->warnings, warning));
        }
    }
    for (guint index = 0; with_warnings && index < merge->warnings->len; index++)
        say_on(stream, "warning: %s", (const char *)g_ptr_array_index(merge->warnings, index));
    return unreadable;
}

/* Writes the merged report where -o says, as oddport writes its reports: beside the name and
 * renamed when whole, so that an earlier report is never replaced by half of one; a device or
 * a pipe as it is; "-" or no path is standard output. */
static bool write_output(OddportMerge *merge, const OddportReportFormat *format, const char *path,
                         OddportReportOptions options, OddportColorMode color)
{
    OddportReportOutput output;
    GError *error = NULL;
    if (!oddport_report_output_open(path, &output, &error)) {
        say_on(stderr, "%s", error->message);
        g_error_free(error);
        return false;
    }
    options.color = format->for_terminals && oddport_color_wanted(color, output.stream);
    bool written = oddport_merge_write(merge, format, output.stream, &options);
    int write_error = errno;
    bool closed = oddport_report_output_close(&output, written);
    if (!written || !closed) {
        say_on(stderr, "%s: write error: %s", oddport_report_output_name(&output),
               g_strerror(written ? errno : write_error));
        return false;
    }
    return true;
}

int oddport_merge_main(int argc, char **argv)
{
    enum { MERGE_OK = 0, MERGE_UNREADABLE = 1, MERGE_USAGE = 2, MERGE_WRITE_ERROR = 3 };
    char *output_path = NULL;
    char *format_name = NULL;
    gboolean quiet = FALSE;
    gboolean show_help = FALSE;
    gboolean all_flows = FALSE;
    gboolean services_only = FALSE;
    gboolean display_filters = FALSE;
    gint64 top = 0;
    char *color_name = NULL;
    /* The report options are oddport's own, with its words: a merged report is any report one
     * run writes. */
    const GOptionEntry entries[] = {
        {"output", 'o', 0, G_OPTION_ARG_FILENAME, &output_path,
         "Write the merged report to FILE, not standard output", "FILE"},
        {"format", 0, 0, G_OPTION_ARG_STRING, &format_name,
         "Report format: json (default), ndjson, text, csv or html", "FORMAT"},
        {"all-flows", 0, 0, G_OPTION_ARG_NONE, &all_flows,
         "Text: add a table of every flow; HTML: list every flow", NULL},
        {"services-only", 0, 0, G_OPTION_ARG_NONE, &services_only,
         "Text: only the services; CSV: a row per service", NULL},
        {"filters", 0, 0, G_OPTION_ARG_NONE, &display_filters,
         "Text: a Wireshark display filter under each service", NULL},
        {"top", 0, 0, G_OPTION_ARG_INT64, &top,
         "Text, HTML: at most N rows per table, then '+M more'", "N"},
        {"color", 0, 0, G_OPTION_ARG_STRING, &color_name,
         "Text: auto (on a terminal), always or never", "WHEN"},
        {"quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet,
         "Say no warnings on stderr (the report keeps them)", NULL},
        {"help", 'h', 0, G_OPTION_ARG_NONE, &show_help, "Print this help and exit", NULL},
        G_OPTION_ENTRY_NULL,
    };
    /* The help's usage line names the program from this; argv[0] here is only "merge". */
    g_set_prgname("oddport merge");
    GOptionContext *context = g_option_context_new("REPORT...");
    g_option_context_set_summary(
        context, "Merge the JSON or NDJSON reports of oddport runs over time-contiguous parts of "
                 "one capture set\ninto the report of one run over the whole set: flows cut by a "
                 "part's end are joined,\nflow ids are the set's, and totals and services are "
                 "counted again from the flows.");
    g_option_context_set_description(
        context, "Reports are read in the order of their first packets, whatever the order given.\n"
                 "Every part must be run by this oddport version with the same options.\n"
                 "See oddport(1) for what cannot be merged exactly and how the report says so.");
    /* Its own --help, laid out as oddport's: one group, "[OPTION...]" in any locale. */
    g_option_context_set_help_enabled(context, FALSE);
    GOptionGroup *group = g_option_group_new("merge", "Options:", "Show the options", NULL, NULL);
    g_option_group_add_entries(group, entries);
    g_option_context_set_main_group(context, group);
    const GOptionEntry *const tables[] = {entries, NULL};
    g_auto(GStrv) arguments = oddport_split_attached_values(argc, argv, tables);
    GError *error = NULL;
    bool parsed = g_option_context_parse_strv(context, &arguments, &error);
    if (parsed && show_help) {
        oddport_print_help(context);
        g_option_context_free(context);
        g_free(output_path);
        g_free(format_name);
        g_free(color_name);
        return MERGE_OK;
    }
    g_option_context_free(context);
    /* What parsing left: the program's name, then the reports. */
    argc = (int)g_strv_length(arguments);
    argv = arguments;
    int status = MERGE_OK;
    OddportColorMode color = ODDPORT_COLOR_AUTO;
    g_autofree char *refusal = NULL;
    const OddportReportFormat *format =
        oddport_report_format_find(format_name != NULL ? format_name : "json");
    if (!parsed) {
        say_on(stderr, "%s", error->message);
        g_clear_error(&error);
        status = MERGE_USAGE;
    } else if (format == NULL) {
        g_autofree char *names = oddport_report_format_names(false);
        say_on(stderr, "unknown format '%s' (%s)", format_name, names);
        status = MERGE_USAGE;
    } else if (top < 0) {
        say_on(stderr, "--top needs a number of rows, 0 or more");
        status = MERGE_USAGE;
    } else if (!oddport_color_mode_parse(color_name, &color)) {
        say_on(stderr, "unknown colour mode '%s' (expected auto, always or never)", color_name);
        status = MERGE_USAGE;
    } else if ((refusal = oddport_report_options_refusal(format, services_only, all_flows,
                                                         (uint64_t)top)) != NULL) {
        say_on(stderr, "%s", refusal);
        status = MERGE_USAGE;
    } else if (argc < 2) {
        say_on(stderr, "name the reports to merge (see oddport merge --help)");
        status = MERGE_USAGE;
    } else {
        const char *overwritten = oddport_report_output_overwrites(
            output_path, (const char *const *)argv + 1, (size_t)(argc - 1));
        if (overwritten != NULL) {
            say_on(stderr,
                   "the merged report (-o %s) would overwrite the report %s: nothing was written",
                   output_path, overwritten);
            status = MERGE_USAGE;
        }
    }
    OddportMerge *merge = oddport_merge_new();
    for (int index = 1; status == MERGE_OK && index < argc; index++) {
        bool from_input = strcmp(argv[index], "-") == 0;
        const char *name = from_input ? "standard input" : argv[index];
        FILE *stream = from_input ? stdin : fopen(argv[index], "rb");
        GString *input = g_string_new(NULL);
        bool read = stream != NULL;
        if (read) {
            char buffer[65536];
            size_t got;
            while ((got = fread(buffer, 1, sizeof buffer, stream)) > 0)
                g_string_append_len(input, buffer, (gssize)got);
            read = !ferror(stream);
        }
        /* In oddport's own words, as it names a capture it cannot read (GLib's quote marks
         * came out escaped). */
        if (!read)
            g_set_error(&error, G_FILE_ERROR, g_file_error_from_errno(errno), "cannot read %s: %s",
                        name, g_strerror(errno));
        if (stream != NULL && !from_input)
            fclose(stream);
        gsize length = input->len;
        char *text = g_string_free(input, FALSE);
        if (read)
            read = oddport_merge_add_report(merge, argv[index], text, length, &error);
        if (!read) {
            say_on(stderr, "%s", error->message);
            g_clear_error(&error);
            status = MERGE_UNREADABLE;
        }
        g_free(text);
    }
    const char *capture =
        status == MERGE_OK ? oddport_merge_capture_overwritten(merge, output_path) : NULL;
    if (capture != NULL) {
        say_on(stderr,
               "the merged report (-o %s) would overwrite the capture %s: nothing was written",
               output_path, capture);
        status = MERGE_USAGE;
    }
    const OddportReportOptions options = {.all_flows = all_flows,
                                          .services_only = services_only,
                                          .display_filters = display_filters,
                                          .top = (uint64_t)MAX(top, 0)};
    if (status == MERGE_OK && !write_output(merge, format, output_path, options, color))
        status = MERGE_WRITE_ERROR;
    if (status == MERGE_OK && oddport_merge_tell(merge, !quiet, stderr) > 0)
        status = MERGE_UNREADABLE;
    oddport_merge_free(merge);
    g_free(output_path);
    g_free(format_name);
    g_free(color_name);
    return status;
}
