/* A made-up protocol ("DUMMY/1 <name>" from the server) that the growth test adds to a copy. */
#include <stdio.h>
#include <string.h>

#include "oddport/protocol.h"
#include "oddport/record.h"

typedef struct {
    char name[64];
} ExampleDetails;

_Static_assert(sizeof(ExampleDetails) <= ODDPORT_PROTOCOL_DETAILS_MAX,
               "the example's details must fit a side result");

static const char greeting[] = "DUMMY/1 ";

static OddportMatch detect(const uint8_t *bytes, size_t length, OddportVerdict *verdict,
                           void *details_out)
{
    ExampleDetails *details = details_out;
    size_t prefix = sizeof greeting - 1;
    size_t compared = length < prefix ? length : prefix;
    verdict->role = ODDPORT_ROLE_SERVER;
    verdict->confidence = ODDPORT_CONFIDENCE_NONE;
    verdict->evidence[0] = '\0';
    if (memcmp(bytes, greeting, compared) != 0)
        return verdict->match = ODDPORT_MATCH_NO;
    if (length <= prefix)
        return verdict->match = ODDPORT_MATCH_NEED_MORE;
    size_t name_length = 0;
    while (prefix + name_length < length && name_length + 1 < sizeof details->name &&
           bytes[prefix + name_length] != '\r' && bytes[prefix + name_length] != '\n' &&
           bytes[prefix + name_length] != '\0')
        name_length++;
    memcpy(details->name, bytes + prefix, name_length);
    details->name[name_length] = '\0';
    snprintf(verdict->evidence, sizeof verdict->evidence, "greeting from %s", details->name);
    verdict->confidence = ODDPORT_CONFIDENCE_HIGH;
    return verdict->match = ODDPORT_MATCH_YES;
}

static void describe_fields(const OddportSideResult *client, const OddportSideResult *server,
                            const OddportRecordVisitor *visitor, void *data)
{
    (void)client;
    const ExampleDetails *details =
        server != NULL ? (const ExampleDetails *)(const void *)server->details.bytes : NULL;
    oddport_record_text(visitor, "server_name", details != NULL ? details->name : NULL, data);
}

const OddportProtocol oddport_protocol_dummy = {
    .app = ODDPORT_APP_DUMMY,
    .name = "dummy",
    .title = "Dummy",
    .recognises = "the made-up DUMMY/1 greeting",
    .transports = ODDPORT_PROTOCOL_OVER_TCP,
    .detect = detect,
    .details_size = sizeof(ExampleDetails),
    .standard_ports = {.tcp = ODDPORT_PORT_LIST(7777)},
    .alternate_ports = {.tcp = ODDPORT_PORT_LIST(17777)},
    .describe_fields = describe_fields,
    .wireshark_dissector = "data",
};
