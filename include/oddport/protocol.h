/* Each recognised protocol described once, and per-side detection that runs the descriptions. */
#ifndef ODDPORT_PROTOCOL_H
#define ODDPORT_PROTOCOL_H

#include <stdalign.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oddport/detect.h"
#include "oddport/portclass.h"
#include "oddport/protocol-table.h"

/* A protocol's details of one side (a request's method and Host, a ClientHello's SNI) live in
 * this much room; each protocol's file asserts that its details fit. */
#define ODDPORT_PROTOCOL_DETAILS_MAX 1024

/* What one side's first bytes turned out to be. A recognised side's copy is cut to its
 * protocol's details_size, so read `details` only through the protocol's own accessor
 * (oddport_http_details and the like). */
typedef struct {
    OddportApp app;
    OddportVerdict verdict;
    union {
        max_align_t alignment;
        unsigned char bytes[ODDPORT_PROTOCOL_DETAILS_MAX];
    } details;
} OddportSideResult;

/* The size of a side result holding `details_size` bytes of details. */
#define ODDPORT_SIDE_RESULT_SIZE(details_size)                                                     \
    (offsetof(OddportSideResult, details) + (details_size))

/* The first bytes one side sent, kept after detection is done so that a report can show what a
 * service nobody recognised said. Bounded, and held by value in a flow report so that a copied
 * report owns its bytes. They are wire bytes: escape when printing. */
#define ODDPORT_OPENING_MAX 48
typedef struct {
    uint8_t length;
    uint8_t bytes[ODDPORT_OPENING_MAX];
} OddportOpening;

/* A list of ports in a protocol's description, written ODDPORT_PORT_LIST(80, 8080). */
typedef struct {
    const uint16_t *ports;
    size_t count;
} OddportPortList;

#define ODDPORT_PORT_LIST(...)                                                                     \
    {                                                                                              \
        .ports = (const uint16_t[]){__VA_ARGS__},                                                  \
        .count = sizeof((const uint16_t[]){__VA_ARGS__}) / sizeof(uint16_t),                       \
    }

/* Ports by transport: the lists a description gives for TCP and for UDP. */
typedef struct {
    OddportPortList tcp;
    OddportPortList udp;
} OddportPortsByTransport;

/* Which transports a protocol is looked for on. */
enum {
    ODDPORT_PROTOCOL_OVER_TCP = 1u << 0,
    ODDPORT_PROTOCOL_OVER_UDP = 1u << 1,
};

/* The texts of a protocol's report fields for one flow, as describe_fields gives them: what its
 * one-line summary is made from (oddport_field_text). */
typedef struct OddportFieldTexts OddportFieldTexts;

/* The text of the field `name` ("ja4", or "certificate.subject_cn" inside an object), or NULL
 * where it is null, absent or an array: flags as "true" or "false", numbers in decimal.
 * Borrowed from `fields`. */
const char *oddport_field_text(const OddportFieldTexts *fields, const char *name);

/* A detector as the table calls it: the protocol's own detector with its details untyped. */
typedef OddportMatch (*OddportDetector)(const uint8_t *bytes, size_t length,
                                        OddportVerdict *verdict, void *details);

/* The fields a report gives a protocol are walked, not written, so that JSON, CSV and NDJSON
 * name them alike; report.h declares the visitor. */
typedef struct OddportRecordVisitor OddportRecordVisitor;

/* Emits the protocol's report fields for a flow: the client's and server's results (each NULL
 * unless that side is this protocol). Called for every flow, so that a table has the same columns
 * in each row: with both sides NULL it emits every field as null. */
typedef void (*OddportDescribeFields)(const OddportSideResult *client,
                                      const OddportSideResult *server,
                                      const OddportRecordVisitor *visitor, void *visitor_data);

/* Everything oddport knows about one protocol, in the protocol's own file under src/lib/detect:
 * one static description per row of the protocol table. */
typedef struct {
    OddportApp app;
    const char *name;       /* in reports and services files: "http" */
    const char *title;      /* for people: "HTTP" */
    const char *recognises; /* one line for --help and the man page */
    unsigned transports;    /* ODDPORT_PROTOCOL_OVER_TCP and/or ODDPORT_PROTOCOL_OVER_UDP */
    OddportDetector detect; /* pure: bytes in, verdict and details out */
    size_t details_size;    /* of what `detect` writes into OddportSideResult.details */
    /* The built-in expectations: where the protocol is standard (the README's "Expected ports"). */
    OddportPortsByTransport standard_ports;
    /* Where it routinely runs when its standard port is taken: worth a note, rarely alarming. */
    OddportPortsByTransport alternate_ports;
    /* Ports of widely used services (portclass.c's list) that themselves open with this
     * protocol: finding it there is no masquerade (TLS on 993, HTTP on Elasticsearch's 9200). */
    OddportPortsByTransport native_service_ports;
    OddportDescribeFields describe_fields; /* its object in JSON, its columns in CSV */
    /* The report field both sides give, if any (NULL: each field is one side's), and whose word
     * it takes when both do: the server's when server_word_prevails (TLS: the version chosen
     * over the one offered), else the client's (HTTP: the request's version over its answer's).
     * describe_fields follows it; `oddport merge`, which joins a flow whose sides spoke in
     * different parts from their reports, follows it too. */
    const char *field_both_sides_give;
    bool server_word_prevails;
    /* One short line for people about what the sides' details identify (fingerprints, a
     * certificate's names), written into `text` (NUL-terminated, cut to `capacity`; empty when
     * there is nothing to say) from the texts of the protocol's own report fields: a flow read
     * back from a report, which has those fields and not the details, is summarised alike. May
     * hold wire bytes, escaped by whoever prints it. The text report shows it under a service's
     * evidence. NULL: nothing to say. */
    void (*summarise_fields)(const OddportFieldTexts *fields, char *text, size_t capacity);
    /* For details that come after the bytes that decided the side (a TLS server's certificate
     * after its ServerHello, SSH's key exchange offer after the banner): called with the side's
     * opening so far, from its first byte, each time it grows after the decision, until it
     * returns true (done) or `final` says no more will come (the flow ended, or the opening
     * reached ODDPORT_STREAM_LIMIT bytes). It writes into the side's details and must bound its
     * reads by `length`. NULL: nothing of interest comes later. */
    bool (*read_later_details)(const uint8_t *bytes, size_t length, bool final, void *details);
    /* For a low-confidence side that only the other end's answer can confirm (an HTTP/0.9 simple
     * request is byte for byte a Redis command too): whether an answer no detector recognised
     * confirms it. NULL: only the other side's own detection can. */
    bool (*unrecognised_answer_confirms)(const OddportSideResult *side,
                                         const OddportOpening *answer);
    /* The Wireshark dissector the plugin hands a stream of this protocol to, and for datagrams
     * the protocol's name in Wireshark's "udp.port" table (NULL: the stream dissector). */
    const char *wireshark_dissector;
    const char *wireshark_datagram_protocol;
} OddportProtocol;

/* The description of a recognised app, or NULL for ODDPORT_APP_UNKNOWN and values out of range
 * (transfer none: static). */
const OddportProtocol *oddport_protocol(OddportApp app);

/* The protocols in table order, ODDPORT_APP_COUNT - 1 of them (transfer none: static). */
const OddportProtocol *const *oddport_protocols(size_t *count);

/* The apps in the order reports list them, for `index` from 0 to ODDPORT_APP_COUNT - 1: the
 * protocols in table order, then "unknown". */
OddportApp oddport_app_in_report_order(size_t index);

/* Every protocol's title joined for a sentence, "HTTP, TLS or SSH" or "HTTP, TLS and SSH"
 * (transfer none: made once, then static). */
typedef enum {
    ODDPORT_TITLES_OR,
    ODDPORT_TITLES_AND,
} OddportTitlesJoin;
const char *oddport_protocol_titles(OddportTitlesJoin join);

/* Whether `port` is on the list for `transport`. */
bool oddport_ports_have(const OddportPortsByTransport *lists, OddportTransport transport,
                        uint16_t port);

/* Bit per app still possible for a side, (1 << app); before the first byte, every protocol
 * looked for on the side's transport (oddport_protocol_candidates). */
typedef uint8_t OddportCandidates;
_Static_assert(ODDPORT_APP_COUNT <= 8, "widen OddportCandidates: one bit per app");

OddportCandidates oddport_protocol_candidates(OddportTransport transport);

/* Runs the detectors still in `candidates`, in table order, over one side's first bytes,
 * striking out those that say no. YES: `result` holds the app and its details. NO: nothing fits
 * (result->app unknown). NEED_MORE: call again with more bytes; `result` holds the most confident
 * partial match so far. With `final` set no more bytes will come, so the most confident partial
 * match is taken with its own confidence (oddport_classify_flow lets a low one count only when
 * the other side agrees), or NO. Pure: the same bytes give the same answer, in the CLI and in the
 * plugin. */
OddportMatch oddport_detect_side(const uint8_t *bytes, size_t length, bool final,
                                 OddportCandidates *candidates, OddportSideResult *result);

/* The value of the field both sides of a flow give (field_both_sides_give), as describe_fields
 * writes it: the prevailing side's (server_word_prevails) where it says something, else the
 * other side's; NULL where neither does. The one place the rule is applied to values, so that a
 * report and a merge of reports take the same side's word. */
static inline const char *oddport_field_of_both_sides(const OddportProtocol *protocol,
                                                      const char *client_value,
                                                      const char *server_value)
{
    const char *prevailing = protocol->server_word_prevails ? server_value : client_value;
    const char *other = protocol->server_word_prevails ? client_value : server_value;
    if (prevailing != NULL && prevailing[0] != '\0')
        return prevailing;
    return other != NULL && other[0] != '\0' ? other : NULL;
}

/* The longest line a protocol's summarise_details writes that reports keep. */
#define ODDPORT_SUMMARY_MAX 512

/* `app`'s summary (summarise_fields) of the fields its describe_fields gives for a flow's
 * sides, each passed only if it is of that app, into `text` (NUL-terminated, cut to
 * `capacity`); empty when the protocol has nothing to say or `app` is not a protocol's. */
void oddport_protocol_summarise(OddportApp app, const OddportSideResult *client,
                                const OddportSideResult *server, char *text, size_t capacity);

/* The same from the fields a walk gives: `walk` emits the protocol's object (its name, then its
 * members, as a flow record's walk does) to the visitor it is given, with `walk_data`. For a
 * flow read back from a report (oddport merge), whose fields are all it has. */
void oddport_protocol_summarise_walk(const OddportProtocol *protocol,
                                     void (*walk)(const OddportRecordVisitor *visitor,
                                                  void *visitor_data, void *walk_data),
                                     void *walk_data, char *text, size_t capacity);

/* Typed views of a side's details: NULL unless `side` is non-NULL and of that app (transfer
 * none: they point into `side`). */
const OddportHttpInfo *oddport_http_details(const OddportSideResult *side);
const OddportTlsInfo *oddport_tls_details(const OddportSideResult *side);
const OddportSshInfo *oddport_ssh_details(const OddportSideResult *side);

#endif
