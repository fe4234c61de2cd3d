/* Counting finished flows by port class, app and service, shared by the CLI and the plugin. */
#ifndef ODDPORT_TALLY_H
#define ODDPORT_TALLY_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "oddport/flow.h"

/* Counts a service's distinct clients; opaque outside the library. */
typedef struct OddportDistinctCounter OddportDistinctCounter;

/* Follows a service's busiest clients in bounded memory; opaque outside the library. */
typedef struct OddportTopClients OddportTopClients;

/* How many clients each service lists, and how many it follows to choose them: counts are exact
 * while a service has had at most ODDPORT_TOP_CLIENTS_TRACKED distinct clients, and bounded
 * estimates past that (see oddport_service_top_clients). */
#define ODDPORT_TOP_CLIENTS         5
#define ODDPORT_TOP_CLIENTS_TRACKED 16

/* One of a service's busiest clients. Where the counts are estimates, `flows` may count up to
 * `flows_uncertain` flows of clients it took the place of; flows - flows_uncertain it surely
 * had, and `bytes` and `first_seen_ns` are of those. */
typedef struct {
    OddportAddress address;
    uint64_t flows;
    uint64_t bytes;
    uint64_t first_seen_ns;
    uint64_t flows_uncertain; /* 0 where the count is exact */
} OddportTopClient;

/* How many service rows are kept. A scan or flood makes one row per port and host it touches,
 * almost all of traffic nobody recognised; past half of this, such unknown rows are only
 * counted (OddportOmittedServices), leaving the rest for HTTP, TLS and SSH services. */
#define ODDPORT_MAX_SERVICES 200000

typedef struct {
    uint64_t flows;
    uint64_t packets;
    uint64_t bytes;
} OddportTrafficCount;

typedef struct {
    uint64_t flows;
    uint64_t nonstandard_flows;
    uint64_t packets;
    uint64_t bytes;
} OddportAppCount;

/* Whose first bytes a service row keeps as evidence. */
typedef enum {
    ODDPORT_OPENING_NONE,
    ODDPORT_OPENING_CLIENT,
    ODDPORT_OPENING_SERVER,
} OddportOpeningSource;

#define ODDPORT_OPENING_SOURCE_COUNT 3
_Static_assert(ODDPORT_OPENING_SERVER + 1 == ODDPORT_OPENING_SOURCE_COUNT,
               "ODDPORT_OPENING_SOURCE_COUNT must follow the last source");

/* One row per (server address, server port, transport, app). */
typedef struct {
    OddportAddress address;
    uint16_t port;
    OddportTransport transport;
    OddportApp app;
    bool nonstandard;
    OddportSeverity severity;
    const char *iana_service; /* transfer none */
    uint64_t flows;
    uint64_t packets;
    uint64_t bytes;
    uint64_t first_seen_ns;
    uint64_t last_seen_ns;
    OddportDistinctCounter *clients; /* distinct client addresses (exact, or an estimate) */
    OddportTopClients *top_clients;  /* the busiest client addresses */
    char *evidence;                  /* from the first flow, for the text report (owned) */
    /* What the first flow's protocol says of its sides (fingerprints, a certificate's names),
     * for the text report; NULL when it has nothing to say (owned). Wire text: escape it. */
    char *details_summary;
    uint64_t server_spoke_flows; /* flows in which the server spoke (oddport_flow_server_spoke) */
    /* For unrecognised traffic only: the first bytes of the first flow whose server sent any,
     * else of the first flow whose client did; wire bytes, escape when printing. */
    OddportOpening opening;
    OddportOpeningSource opening_from;
} OddportService;

/* Whether a live server answered in this flow: it sent payload, or (TCP) it accepted the
 * connection with a SYN-ACK and the client then sent data over it. A SYN to a closed port gets
 * no SYN-ACK, and a scan or SYN flood sends no data, so neither counts; a server that greets,
 * answers a datagram, or takes a client's data without a reply yet, does. */
bool oddport_flow_server_spoke(const OddportFlowReport *flow);

/* How many distinct client addresses a service had; `is_estimate` (may be NULL) says whether
 * the number is an estimate, as it becomes past a few thousand clients. */
uint64_t oddport_service_client_count(const OddportService *service, bool *is_estimate);

/* Writes the service's busiest clients, at most ODDPORT_TOP_CLIENTS, into `clients`, most flows
 * first (then most bytes, the earliest, the smallest address), and returns how many. `exact` (may
 * be NULL) is true while the service has had at most ODDPORT_TOP_CLIENTS_TRACKED distinct
 * clients, when every number is exact. Past that oddport follows that many clients with the
 * Space-Saving algorithm: a client with more than 1/ODDPORT_TOP_CLIENTS_TRACKED of the flows is
 * always listed, its flows may be overcounted by the flows of the client whose place it took,
 * and its bytes and first time count from when it took that place. */
size_t oddport_service_top_clients(const OddportService *service,
                                   OddportTopClient clients[ODDPORT_TOP_CLIENTS], bool *exact);

/* Whether a service is one of the "other servers on non-standard ports": traffic nobody
 * recognised (app unknown) on a registered or ephemeral server port, where a server spoke in at
 * least one flow. Well-known ports are left out: their own service is the expected one. */
bool oddport_service_is_other_server(const OddportService *service);

/* Services beyond the table's bound, counted but not listed (see ODDPORT_MAX_SERVICES). */
typedef struct {
    uint64_t rows; /* distinct services left out (an estimate when many) */
    uint64_t flows;
    uint64_t packets;
    uint64_t bytes;
} OddportOmittedServices;

typedef struct {
    uint64_t flows;
    uint64_t tcp_flows;
    uint64_t udp_flows;
    OddportTrafficCount port_classes[ODDPORT_PORT_CLASS_COUNT]; /* by server port */
    OddportAppCount apps[ODDPORT_APP_COUNT];
    OddportOmittedServices omitted_services;
} OddportFlowCounts;

/* Adds finished flows up. The caller owns the tally (transfer full): oddport_tally_free. */
typedef struct OddportTally OddportTally;

OddportTally *oddport_tally_new(void);
void oddport_tally_free(OddportTally *tally);

void oddport_tally_add_flow(OddportTally *tally, const OddportFlowReport *flow);

/* Adds everything `from` counted to `into` (`from` is borrowed and unchanged), for runs split
 * between threads or machines; `from`'s flows are taken to have finished after `into`'s. What is
 * exact, i.e. the same as one tally given the flows of both in that order:
 * - every count: flows, TCP/UDP flows, port classes, apps, and the flows, packets and bytes of
 *   each service and of the omitted services;
 * - each service's times, non-standard flag, severity, and flows in which the server spoke;
 * - distinct clients (and distinct omitted services): merged as sets while exact, register by
 *   register once a sketch, so the count is the one a single tally gives;
 * - evidence, details and first bytes kept from a service's first flow (`into`'s when it has the
 *   service);
 * - top clients while the two lists together hold at most ODDPORT_TOP_CLIENTS_TRACKED clients
 *   and neither was an estimate already.
 * Not exact: top clients past that bound (merged Space-Saving summaries: the same guarantee,
 * marked not exact, but possibly another list than a single pass gives), and which service rows
 * are listed rather than omitted once ODDPORT_MAX_SERVICES is reached. */
void oddport_tally_merge(OddportTally *into, const OddportTally *from);

/* The counts so far (transfer none). */
const OddportFlowCounts *oddport_tally_counts(const OddportTally *tally);

/* The service rows, sorted: nonstandard first, most severe first, then by app, address and port
 * (container transfer full: g_ptr_array_unref; the rows stay owned by the tally). */
GPtrArray *oddport_tally_services(const OddportTally *tally);

/* Asks for the memory of the rows a few after `index` in `rows` (as oddport_tally_services gives
 * them) and of their client counts, for a caller about to read row `index`: the rows lie where
 * their flows left them, and a report going through tens of thousands of them otherwise waits on
 * memory three times for each. Only a hint. */
void oddport_tally_fetch_rows_ahead(const GPtrArray *rows, guint index);

#endif
