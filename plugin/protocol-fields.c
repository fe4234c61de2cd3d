/* Wireshark fields made from the protocol table: each protocol's report members, named alike. */
#include <string.h>

#include <epan/packet.h>
#include <epan/proto.h>

#include "oddport/protocol.h"
#include "oddport/record.h"
#include "oddport/report.h"
#include "protocol-fields.h"

/* The fields of every protocol, in table order and in the order its describe_fields reports
 * them: the walk is the same whether its sides are there or not, so the n-th value a walk
 * reports is the n-th field of that protocol. Registered once and kept for the session, as
 * Wireshark keeps the names it is given. */
static int *field_ids;
static size_t first_field[ODDPORT_APP_COUNT];
static size_t field_count;

/* Where a walk is: the member names from the protocol's object down, and inside an array the
 * elements so far (an array is one field, its elements joined). */
typedef struct {
    const OddportProtocol *protocol;
    GPtrArray *path; /* member names, borrowed */
    unsigned array_depth;
    GString *array_text;
    /* Registering: the fields found (hf_register_info, growing). */
    GArray *registrations;
    /* Adding: the next field of the protocol, the tree and its buffer. */
    size_t next_field;
    proto_tree *tree;
    tvbuff_t *tvb;
} FieldWalk;

/* "oddport.tls.certificate.subject_cn" for a member at the current path. */
static char *field_abbreviation(const FieldWalk *walk, const char *name)
{
    GString *text = g_string_new("oddport.");
    g_string_append(text, walk->protocol->name);
    for (guint index = 0; index < walk->path->len; index++)
        g_string_append_printf(text, ".%s", (const char *)g_ptr_array_index(walk->path, index));
    g_string_append_printf(text, ".%s", name);
    return g_string_free(text, FALSE);
}

/* "TLS certificate subject cn": the title, then the path with spaces for underscores. */
static char *field_title(const FieldWalk *walk, const char *name)
{
    GString *text = g_string_new(walk->protocol->title);
    for (guint index = 0; index < walk->path->len; index++)
        g_string_append_printf(text, " %s", (const char *)g_ptr_array_index(walk->path, index));
    g_string_append_printf(text, " %s", name);
    g_strdelimit(text->str + strlen(walk->protocol->title), "_", ' ');
    return g_string_free(text, FALSE);
}

static void register_field(FieldWalk *walk, const char *name)
{
    hf_register_info registration = {NULL,
                                     {field_title(walk, name), field_abbreviation(walk, name),
                                      FT_STRING, BASE_NONE, NULL, 0x0,
                                      "As the CLI's JSON report gives it for this flow", HFILL}};
    g_array_append_val(walk->registrations, registration);
}

/* A member's value as text, or NULL for a null; adds it to the tree or registers it. */
static void leaf(FieldWalk *walk, const char *name, const char *text)
{
    if (walk->array_depth > 0) {
        if (text != NULL) {
            if (walk->array_text->len > 0)
                g_string_append_c(walk->array_text, ',');
            g_string_append(walk->array_text, text);
        }
        return;
    }
    if (walk->registrations != NULL) {
        register_field(walk, name);
        return;
    }
    size_t field = walk->next_field++;
    if (text == NULL || field >= field_count)
        return;
    /* Wire text may be any bytes; the tree takes UTF-8. */
    char *valid = g_utf8_make_valid(text, -1);
    proto_item_set_generated(
        proto_tree_add_string(walk->tree, field_ids[field], walk->tvb, 0, 0, valid));
    g_free(valid);
}

static void walk_begin_object(const char *name, bool present, void *data)
{
    (void)present;
    FieldWalk *walk = data;
    g_ptr_array_add(walk->path, (char *)name);
}

static void walk_end_object(void *data)
{
    FieldWalk *walk = data;
    g_ptr_array_remove_index(walk->path, walk->path->len - 1);
}

static void walk_begin_array(const char *name, void *data)
{
    FieldWalk *walk = data;
    if (walk->array_depth++ == 0) {
        g_string_truncate(walk->array_text, 0);
        g_ptr_array_add(walk->path, (char *)name);
    }
}

static void walk_end_array(void *data)
{
    FieldWalk *walk = data;
    if (--walk->array_depth > 0)
        return;
    const char *name = g_ptr_array_index(walk->path, walk->path->len - 1);
    g_ptr_array_remove_index(walk->path, walk->path->len - 1);
    char *text = walk->array_text->len > 0 ? g_strdup(walk->array_text->str) : NULL;
    leaf(walk, name, text);
    g_free(text);
}

static void walk_string(const char *name, const char *value, void *data)
{
    leaf(data, name, value);
}

static void walk_unsigned(const char *name, uint64_t value, void *data)
{
    char text[24];
    g_snprintf(text, sizeof text, "%" G_GUINT64_FORMAT, value);
    leaf(data, name, text);
}

static void walk_boolean(const char *name, bool value, void *data)
{
    leaf(data, name, value ? "true" : "false");
}

static void walk_null(const char *name, void *data)
{
    leaf(data, name, NULL);
}

static void walk_time(const char *name, uint64_t timestamp_ns, unsigned digits, void *data)
{
    char text[ODDPORT_TIME_TEXT_MAX];
    oddport_format_time(timestamp_ns, digits, text);
    leaf(data, name, text);
}

static const OddportRecordVisitor field_visitor = {
    .begin_object = walk_begin_object,
    .end_object = walk_end_object,
    .begin_array = walk_begin_array,
    .end_array = walk_end_array,
    .string = walk_string,
    .unsigned_integer = walk_unsigned,
    .boolean = walk_boolean,
    .null = walk_null,
    .time = walk_time,
};

void oddport_protocol_fields_register(int protocol)
{
    FieldWalk walk = {
        .path = g_ptr_array_new(),
        .array_text = g_string_new(NULL),
        .registrations = g_array_new(FALSE, TRUE, sizeof(hf_register_info)),
    };
    size_t count;
    const OddportProtocol *const *protocols = oddport_protocols(&count);
    for (size_t index = 0; index < count; index++) {
        walk.protocol = protocols[index];
        first_field[protocols[index]->app] = walk.registrations->len;
        protocols[index]->describe_fields(NULL, NULL, &field_visitor, &walk);
    }
    field_count = walk.registrations->len;
    field_ids = g_new(int, field_count);
    hf_register_info *registrations = (hf_register_info *)(void *)walk.registrations->data;
    for (size_t index = 0; index < field_count; index++) {
        field_ids[index] = -1;
        registrations[index].p_id = &field_ids[index];
    }
    /* Wireshark keeps the array and its strings for the session. */
    proto_register_field_array(protocol, registrations, (int)field_count);
    g_array_free(walk.registrations, FALSE);
    g_ptr_array_free(walk.path, TRUE);
    g_string_free(walk.array_text, TRUE);
}

bool oddport_protocol_fields_referenced(proto_tree *tree)
{
    for (size_t index = 0; index < field_count; index++)
        if (proto_field_is_referenced(tree, field_ids[index]))
            return true;
    return false;
}

void oddport_protocol_fields_add(proto_tree *tree, tvbuff_t *tvb, const OddportSideResult *client,
                                 const OddportSideResult *server)
{
    FieldWalk walk = {
        .path = g_ptr_array_new(), .array_text = g_string_new(NULL), .tree = tree, .tvb = tvb};
    size_t count;
    const OddportProtocol *const *protocols = oddport_protocols(&count);
    for (size_t index = 0; index < count; index++) {
        const OddportProtocol *protocol = protocols[index];
        const OddportSideResult *own_client =
            client != NULL && client->app == protocol->app ? client : NULL;
        const OddportSideResult *own_server =
            server != NULL && server->app == protocol->app ? server : NULL;
        if (own_client == NULL && own_server == NULL)
            continue;
        walk.protocol = protocol;
        walk.next_field = first_field[protocol->app];
        protocol->describe_fields(own_client, own_server, &field_visitor, &walk);
    }
    g_ptr_array_free(walk.path, TRUE);
    g_string_free(walk.array_text, TRUE);
}
