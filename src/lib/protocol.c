/* The protocol table made into the lists the rest of oddport reads, and per-side detection. */
#include <string.h>

#include <glib.h>

#include "oddport/protocol.h"
#include "oddport/record.h"

#define ODDPORT_PROTOCOL_DECLARATION(identifier, name)                                             \
    extern const OddportProtocol oddport_protocol_##name;
ODDPORT_PROTOCOL_ROWS(ODDPORT_PROTOCOL_DECLARATION)
#undef ODDPORT_PROTOCOL_DECLARATION

/* Indexed by app minus one: "unknown" has no description. */
static const OddportProtocol *const protocols[] = {
#define ODDPORT_PROTOCOL_ENTRY(identifier, name) &oddport_protocol_##name,
    ODDPORT_PROTOCOL_ROWS(ODDPORT_PROTOCOL_ENTRY)
#undef ODDPORT_PROTOCOL_ENTRY
};
_Static_assert(sizeof protocols / sizeof protocols[0] == ODDPORT_APP_COUNT - 1,
               "one description per app but unknown");

const OddportProtocol *oddport_protocol(OddportApp app)
{
    if (app == ODDPORT_APP_UNKNOWN || (unsigned)app >= ODDPORT_APP_COUNT)
        return NULL;
    return protocols[app - 1];
}

/* The fields a summary reads: few, and short but for wire text, which is kept whole up to the
 * room left. Names are the walk's constants, kept as pointers with the object they sit in. */
enum { FIELD_TEXTS_MAX = 48, FIELD_TEXT_ROOM = 4096, FIELD_DEPTH_MAX = 4 };

struct OddportFieldTexts {
    size_t count;
    struct {
        const char *object; /* the object the field sits in below the protocol's, or NULL */
        const char *name;
        const char *value; /* in `room` */
    } fields[FIELD_TEXTS_MAX];
    /* The objects open, the protocol's own first: what a field's name is relative to. */
    const char *objects[FIELD_DEPTH_MAX];
    unsigned depth;
    unsigned absent_depth; /* inside an absent object: its members, all null, are left out */
    unsigned array_depth;  /* inside a list: its values have no names and are left out */
    size_t used;
    char room[FIELD_TEXT_ROOM];
};

const char *oddport_field_text(const OddportFieldTexts *fields, const char *name)
{
    const char *dot = strchr(name, '.');
    size_t object_length = dot != NULL ? (size_t)(dot - name) : 0;
    const char *field = dot != NULL ? dot + 1 : name;
    for (size_t index = 0; index < fields->count; index++) {
        const char *object = fields->fields[index].object;
        bool same_object = dot == NULL ? object == NULL
                                       : object != NULL && strlen(object) == object_length &&
                                             memcmp(object, name, object_length) == 0;
        if (same_object && strcmp(fields->fields[index].name, field) == 0)
            return fields->fields[index].value;
    }
    return NULL;
}

static void keep_field(OddportFieldTexts *fields, const char *name, const char *value)
{
    size_t length = strlen(value);
    if (name == NULL || fields->absent_depth > 0 || fields->array_depth > 0 ||
        fields->count == FIELD_TEXTS_MAX || fields->depth == 0 ||
        length + 1 > FIELD_TEXT_ROOM - fields->used)
        return;
    char *kept = fields->room + fields->used;
    memcpy(kept, value, length + 1);
    fields->used += length + 1;
    fields->fields[fields->count].object =
        fields->depth > 1 ? fields->objects[fields->depth - 1] : NULL;
    fields->fields[fields->count].name = name;
    fields->fields[fields->count].value = kept;
    fields->count++;
}

static void field_begin_object(const char *name, bool present, void *data)
{
    OddportFieldTexts *fields = data;
    if (fields->absent_depth > 0 || !present || fields->depth == FIELD_DEPTH_MAX) {
        fields->absent_depth++;
        return;
    }
    fields->objects[fields->depth++] = name;
}

static void field_end_object(void *data)
{
    OddportFieldTexts *fields = data;
    if (fields->absent_depth > 0)
        fields->absent_depth--;
    else if (fields->depth > 0)
        fields->depth--;
}

static void field_begin_array(const char *name, void *data)
{
    (void)name;
    ((OddportFieldTexts *)data)->array_depth++;
}

static void field_end_array(void *data)
{
    ((OddportFieldTexts *)data)->array_depth--;
}

static void field_string(const char *name, const char *value, void *data)
{
    keep_field(data, name, value);
}

static void field_unsigned(const char *name, uint64_t value, void *data)
{
    char text[24];
    g_snprintf(text, sizeof text, "%" G_GUINT64_FORMAT, value);
    keep_field(data, name, text);
}

static void field_boolean(const char *name, bool value, void *data)
{
    keep_field(data, name, value ? "true" : "false");
}

static void field_null(const char *name, void *data)
{
    (void)name;
    (void)data;
}

static void field_time(const char *name, uint64_t timestamp_ns, unsigned digits, void *data)
{
    (void)name;
    (void)timestamp_ns;
    (void)digits;
    (void)data;
}

static const OddportRecordVisitor field_collector = {
    .begin_object = field_begin_object,
    .end_object = field_end_object,
    .begin_array = field_begin_array,
    .end_array = field_end_array,
    .string = field_string,
    .unsigned_integer = field_unsigned,
    .boolean = field_boolean,
    .null = field_null,
    .time = field_time,
    .skips_absent_members = true,
};

void oddport_protocol_summarise_walk(const OddportProtocol *protocol,
                                     void (*walk)(const OddportRecordVisitor *visitor,
                                                  void *visitor_data, void *walk_data),
                                     void *walk_data, char *text, size_t capacity)
{
    if (capacity == 0)
        return;
    text[0] = '\0';
    if (protocol == NULL || protocol->summarise_fields == NULL)
        return;
    OddportFieldTexts fields;
    fields.count = 0;
    fields.depth = fields.absent_depth = fields.array_depth = 0;
    fields.used = 0;
    walk(&field_collector, &fields, walk_data);
    protocol->summarise_fields(&fields, text, capacity);
}

typedef struct {
    const OddportProtocol *protocol;
    const OddportSideResult *client;
    const OddportSideResult *server;
} SidesWalk;

/* The protocol's object as a flow record's walk gives it for these sides. */
static void walk_sides(const OddportRecordVisitor *visitor, void *visitor_data, void *walk_data)
{
    const SidesWalk *sides = walk_data;
    visitor->begin_object(sides->protocol->name, sides->client != NULL || sides->server != NULL,
                          visitor_data);
    sides->protocol->describe_fields(sides->client, sides->server, visitor, visitor_data);
    visitor->end_object(visitor_data);
}

void oddport_protocol_summarise(OddportApp app, const OddportSideResult *client,
                                const OddportSideResult *server, char *text, size_t capacity)
{
    SidesWalk sides = {oddport_protocol(app), client != NULL && client->app == app ? client : NULL,
                       server != NULL && server->app == app ? server : NULL};
    if (sides.protocol == NULL) {
        if (capacity > 0)
            text[0] = '\0';
        return;
    }
    oddport_protocol_summarise_walk(sides.protocol, walk_sides, &sides, text, capacity);
}

const OddportProtocol *const *oddport_protocols(size_t *count)
{
    *count = sizeof protocols / sizeof protocols[0];
    return protocols;
}

OddportApp oddport_app_in_report_order(size_t index)
{
    return index + 1 < ODDPORT_APP_COUNT ? (OddportApp)(index + 1) : ODDPORT_APP_UNKNOWN;
}

static const char *join_titles(const char *last_separator)
{
    GString *text = g_string_new(NULL);
    size_t count = sizeof protocols / sizeof protocols[0];
    for (size_t index = 0; index < count; index++) {
        if (index > 0)
            g_string_append(text, index + 1 == count ? last_separator : ", ");
        g_string_append(text, protocols[index]->title);
    }
    /* Made once per process and kept: it is read for as long as reports are written. */
    return g_string_free(text, FALSE);
}

const char *oddport_protocol_titles(OddportTitlesJoin join)
{
    static const char *joined[2];
    static gsize made[2];
    unsigned slot = join == ODDPORT_TITLES_AND;
    if (g_once_init_enter(&made[slot])) {
        joined[slot] = join_titles(slot ? " and " : " or ");
        g_once_init_leave(&made[slot], 1);
    }
    return joined[slot];
}

bool oddport_ports_have(const OddportPortsByTransport *lists, OddportTransport transport,
                        uint16_t port)
{
    const OddportPortList *list = transport == ODDPORT_TRANSPORT_UDP ? &lists->udp : &lists->tcp;
    for (size_t index = 0; index < list->count; index++) {
        if (list->ports[index] == port)
            return true;
    }
    return false;
}

OddportCandidates oddport_protocol_candidates(OddportTransport transport)
{
    unsigned wanted =
        transport == ODDPORT_TRANSPORT_UDP ? ODDPORT_PROTOCOL_OVER_UDP : ODDPORT_PROTOCOL_OVER_TCP;
    OddportCandidates candidates = 0;
    for (size_t index = 0; index < sizeof protocols / sizeof protocols[0]; index++) {
        if ((protocols[index]->transports & wanted) != 0)
            candidates |= (OddportCandidates)(1u << protocols[index]->app);
    }
    return candidates;
}

static OddportMatch run_detector(const OddportProtocol *protocol, const uint8_t *bytes,
                                 size_t length, OddportSideResult *attempt)
{
    attempt->app = protocol->app;
    return protocol->detect(bytes, length, &attempt->verdict, attempt->details.bytes);
}

static void set_unknown(OddportSideResult *result)
{
    result->app = ODDPORT_APP_UNKNOWN;
    result->verdict.match = ODDPORT_MATCH_NO;
    result->verdict.confidence = ODDPORT_CONFIDENCE_NONE;
    result->verdict.role = ODDPORT_ROLE_EITHER;
    result->verdict.evidence[0] = '\0';
}

OddportMatch oddport_detect_side(const uint8_t *bytes, size_t length, bool final,
                                 OddportCandidates *candidates, OddportSideResult *result)
{
    /* Detectors write straight into `result`; the best partial match is remembered by protocol
     * and confidence only and run again at the end if it is wanted, rather than copying a whole
     * result (over a kilobyte of fields) for every attempt. */
    const OddportProtocol *best = NULL;
    OddportConfidence best_confidence = ODDPORT_CONFIDENCE_NONE;
    for (size_t index = 0; index < sizeof protocols / sizeof protocols[0]; index++) {
        const OddportProtocol *protocol = protocols[index];
        OddportCandidates bit = (OddportCandidates)(1u << protocol->app);
        if ((*candidates & bit) == 0)
            continue;
        OddportMatch match = run_detector(protocol, bytes, length, result);
        if (match == ODDPORT_MATCH_YES)
            return ODDPORT_MATCH_YES;
        if (match == ODDPORT_MATCH_NO) {
            *candidates &= (OddportCandidates)~bit;
            continue;
        }
        if (best == NULL || result->verdict.confidence > best_confidence) {
            best = protocol;
            best_confidence = result->verdict.confidence;
        }
    }
    if (*candidates == 0 || best == NULL) {
        set_unknown(result);
        return ODDPORT_MATCH_NO;
    }
    bool accepted = final && best_confidence >= ODDPORT_CONFIDENCE_LOW;
    if (!final || accepted) {
        /* The side's best partial match, with its details; final: it stands with its own
         * confidence, and classification decides whether a low one is worth anything. */
        if (result->app != best->app)
            run_detector(best, bytes, length, result);
        result->verdict.match = accepted ? ODDPORT_MATCH_YES : ODDPORT_MATCH_NEED_MORE;
        return result->verdict.match;
    }
    set_unknown(result);
    return ODDPORT_MATCH_NO;
}
