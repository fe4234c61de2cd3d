/* Every word the reports and services files use for a value of oddport's enums, in one place. */
#include <stddef.h>
#include <string.h>

#include "oddport/protocol.h"
#include "oddport/vocabulary.h"

const char *oddport_port_class_name(OddportPortClass port_class)
{
    switch (port_class) {
    case ODDPORT_PORT_CLASS_WELL_KNOWN:
        return "well-known";
    case ODDPORT_PORT_CLASS_REGISTERED:
        return "registered";
    case ODDPORT_PORT_CLASS_EPHEMERAL:
        return "ephemeral";
    }
    /* Only a corrupted value gets here; a string keeps printing code from crashing on it. */
    return "unknown";
}

const char *oddport_port_class_range(OddportPortClass port_class)
{
    switch (port_class) {
    case ODDPORT_PORT_CLASS_WELL_KNOWN:
        return "0-1023";
    case ODDPORT_PORT_CLASS_REGISTERED:
        return "1024-49151";
    case ODDPORT_PORT_CLASS_EPHEMERAL:
        return "49152-65535";
    }
    return "";
}

const char *oddport_transport_name(OddportTransport transport)
{
    switch (transport) {
    case ODDPORT_TRANSPORT_TCP:
        return "tcp";
    case ODDPORT_TRANSPORT_UDP:
        return "udp";
    }
    return "unknown";
}

const char *oddport_severity_name(OddportSeverity severity)
{
    switch (severity) {
    case ODDPORT_SEVERITY_ALTERNATE:
        return "alternate";
    case ODDPORT_SEVERITY_MASQUERADE:
        return "masquerade";
    case ODDPORT_SEVERITY_UNEXPECTED:
        return "unexpected";
    case ODDPORT_SEVERITY_NONE:
        break;
    }
    return NULL;
}

const char *oddport_direction_source_name(OddportDirectionSource source)
{
    switch (source) {
    case ODDPORT_DIRECTION_SYN:
        return "syn";
    case ODDPORT_DIRECTION_PAYLOAD:
        return "payload";
    case ODDPORT_DIRECTION_PORT:
        break;
    }
    return "port";
}

const char *oddport_decided_by_name(OddportDecidedBy side)
{
    switch (side) {
    case ODDPORT_DECIDED_BY_CLIENT:
        return "client";
    case ODDPORT_DECIDED_BY_SERVER:
        return "server";
    case ODDPORT_DECIDED_BY_NONE:
        break;
    }
    return NULL;
}

const char *oddport_opening_source_name(OddportOpeningSource source)
{
    switch (source) {
    case ODDPORT_OPENING_CLIENT:
        return "client";
    case ODDPORT_OPENING_SERVER:
        return "server";
    case ODDPORT_OPENING_NONE:
        break;
    }
    return NULL;
}

const char *oddport_capture_format_name(OddportCaptureFormat format)
{
    return format == ODDPORT_CAPTURE_FORMAT_PCAPNG ? "pcapng" : "pcap";
}

const char *oddport_capture_error_name(OddportCaptureError error)
{
    switch (error) {
    case ODDPORT_CAPTURE_ERROR_OPEN:
        return "open";
    case ODDPORT_CAPTURE_ERROR_EMPTY:
        return "empty";
    case ODDPORT_CAPTURE_ERROR_NOT_CAPTURE:
        return "not_capture";
    case ODDPORT_CAPTURE_ERROR_BAD_HEADER:
        return "bad_header";
    case ODDPORT_CAPTURE_ERROR_TRUNCATED:
        return "truncated";
    case ODDPORT_CAPTURE_ERROR_UNSUPPORTED_COMPRESSION:
        return "unsupported_compression";
    case ODDPORT_CAPTURE_ERROR_NOT_READ:
        return "not_read";
    case ODDPORT_CAPTURE_ERROR_DAMAGED:
        break;
    }
    return "damaged";
}

static const char *const skip_reason_names[ODDPORT_SKIP_REASON_COUNT] = {
    [ODDPORT_SKIP_UNSUPPORTED_LINK_TYPE] = "unsupported_link_type",
    [ODDPORT_SKIP_TRUNCATED] = "truncated",
    [ODDPORT_SKIP_NOT_IP] = "not_ip",
    [ODDPORT_SKIP_MALFORMED_IP] = "malformed_ip",
    [ODDPORT_SKIP_NOT_TCP_UDP] = "not_tcp_udp",
    [ODDPORT_SKIP_FRAGMENT] = "ip_fragment",
    [ODDPORT_SKIP_MALFORMED_TRANSPORT] = "malformed_transport",
    [ODDPORT_SKIP_TUNNEL_TOO_DEEP] = "tunnel_too_deep",
    [ODDPORT_SKIP_FILTERED] = "filtered",
    [ODDPORT_SKIP_ENCRYPTED] = "encrypted",
    [ODDPORT_SKIP_OVERLAPPING_CAPTURE] = "overlapping_capture",
    [ODDPORT_SKIP_OUTSIDE_TIME_WINDOW] = "outside_time_window",
};

const char *oddport_skip_reason_name(OddportDecodeStatus status)
{
    if ((unsigned)status >= ODDPORT_SKIP_REASON_COUNT)
        return NULL;
    return skip_reason_names[status];
}

const char *oddport_confidence_name(OddportConfidence confidence)
{
    switch (confidence) {
    case ODDPORT_CONFIDENCE_HIGH:
        return "high";
    case ODDPORT_CONFIDENCE_MEDIUM:
        return "medium";
    case ODDPORT_CONFIDENCE_LOW:
        return "low";
    case ODDPORT_CONFIDENCE_NONE:
        break;
    }
    return "none";
}

/* Apps are named by their protocols' descriptions; "unknown" is the one word of no protocol. */
const char *oddport_app_name(OddportApp app)
{
    const OddportProtocol *protocol = oddport_protocol(app);
    return protocol != NULL ? protocol->name : "unknown";
}

bool oddport_app_from_name(const char *name, OddportApp *app)
{
    size_t count;
    const OddportProtocol *const *protocols = oddport_protocols(&count);
    for (size_t index = 0; index < count; index++) {
        if (strcmp(name, protocols[index]->name) == 0) {
            *app = protocols[index]->app;
            return true;
        }
    }
    return false;
}

/* One lookup for every enum whose values run from 0 to a count: the name functions above are the
 * only list of the words. */
#define DEFINE_FROM_NAME(function, Type, name_of, count)                                           \
    bool function(const char *name, Type *value)                                                   \
    {                                                                                              \
        for (unsigned index = 0; index < (count); index++) {                                       \
            const char *known = name_of((Type)index);                                              \
            if (known != NULL && strcmp(known, name) == 0) {                                       \
                *value = (Type)index;                                                              \
                return true;                                                                       \
            }                                                                                      \
        }                                                                                          \
        return false;                                                                              \
    }

DEFINE_FROM_NAME(oddport_severity_from_name, OddportSeverity, oddport_severity_name,
                 ODDPORT_SEVERITY_COUNT)
DEFINE_FROM_NAME(oddport_direction_source_from_name, OddportDirectionSource,
                 oddport_direction_source_name, ODDPORT_DIRECTION_SOURCE_COUNT)
DEFINE_FROM_NAME(oddport_capture_error_from_name, OddportCaptureError, oddport_capture_error_name,
                 ODDPORT_CAPTURE_ERROR_COUNT)
DEFINE_FROM_NAME(oddport_confidence_from_name, OddportConfidence, oddport_confidence_name,
                 ODDPORT_CONFIDENCE_COUNT)

bool oddport_transport_from_name(const char *name, OddportTransport *value)
{
    /* Two values, and they are IP protocol numbers rather than 0 and 1. */
    static const OddportTransport transports[] = {ODDPORT_TRANSPORT_TCP, ODDPORT_TRANSPORT_UDP};
    for (size_t index = 0; index < sizeof transports / sizeof transports[0]; index++) {
        if (strcmp(oddport_transport_name(transports[index]), name) == 0) {
            *value = transports[index];
            return true;
        }
    }
    return false;
}
