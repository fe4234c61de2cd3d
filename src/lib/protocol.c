/* The protocol table made into the lists the rest of oddport reads, and per-side detection. */
#include <string.h>

#include <glib.h>

#include "oddport/protocol.h"

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

void oddport_protocol_summarise(OddportApp app, const OddportSideResult *client,
                                const OddportSideResult *server, char *text, size_t capacity)
{
    if (capacity == 0)
        return;
    text[0] = '\0';
    const OddportProtocol *protocol = oddport_protocol(app);
    if (protocol == NULL || protocol->summarise_details == NULL)
        return;
    protocol->summarise_details(client != NULL && client->app == app ? client : NULL,
                                server != NULL && server->app == app ? server : NULL, text,
                                capacity);
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
