/* The tally of finished flows: counts by port class and app, and one row per service. */
#include <stdlib.h>
#include <string.h>

#include "internal/distinct.h"
#include "internal/hash.h"
#include "internal/prefetch.h"
#include "internal/top_clients.h"
#include "oddport/record.h"
#include "oddport/tally.h"

typedef struct {
    OddportAddress address;
    uint16_t port;
    uint8_t transport;
    uint8_t app;
} ServiceKey;

typedef struct {
    ServiceKey key;
    OddportService service;
} ServiceEntry;

struct OddportTally {
    OddportFlowCounts counts;
    GHashTable *services; /* ServiceKey -> ServiceEntry, owned */
    guint unknown_service_rows;
    OddportDistinctCounter *omitted_service_keys;
};

static guint service_key_hash(gconstpointer key)
{
    return (guint)oddport_hash_bytes(key, sizeof(ServiceKey));
}

static gboolean service_key_equal(gconstpointer left, gconstpointer right)
{
    return memcmp(left, right, sizeof(ServiceKey)) == 0;
}

static void service_entry_free(gpointer data)
{
    ServiceEntry *entry = data;
    oddport_distinct_free(entry->service.clients);
    oddport_top_clients_free(entry->service.top_clients);
    g_free(entry->service.evidence);
    g_free(entry->service.details_summary);
    g_free(entry);
}

OddportTally *oddport_tally_new(void)
{
    OddportTally *tally = g_new0(OddportTally, 1);
    tally->services =
        g_hash_table_new_full(service_key_hash, service_key_equal, NULL, service_entry_free);
    tally->omitted_service_keys = oddport_distinct_new();
    return tally;
}

/* The rows in the table's own order (container transfer full; the rows stay the tally's). */
static GPtrArray *gather_rows(const OddportTally *tally)
{
    GPtrArray *rows = g_ptr_array_sized_new(g_hash_table_size(tally->services));
    GHashTableIter iterator;
    gpointer value;
    g_hash_table_iter_init(&iterator, tally->services);
    while (g_hash_table_iter_next(&iterator, NULL, &value))
        g_ptr_array_add(rows, &((ServiceEntry *)value)->service);
    return rows;
}

/* The table entry a row is part of. */
static const ServiceEntry *entry_of(const OddportService *row)
{
    return (const ServiceEntry *)((const char *)row - offsetof(ServiceEntry, service));
}

/* How far ahead of the row being read its memory is asked for: the row itself first, then, once
 * it has come, what it points to. */
enum { FETCH_ROW_AHEAD = 8, FETCH_PARTS_AHEAD = 4 };

void oddport_tally_fetch_rows_ahead(const GPtrArray *rows, guint index)
{
    if (index + FETCH_ROW_AHEAD < rows->len)
        oddport_fetch_for_reading(g_ptr_array_index(rows, index + FETCH_ROW_AHEAD),
                                  sizeof(OddportService));
    if (index + FETCH_PARTS_AHEAD < rows->len) {
        const OddportService *service = g_ptr_array_index(rows, index + FETCH_PARTS_AHEAD);
        __builtin_prefetch(service->clients);
        __builtin_prefetch(service->top_clients);
    }
}

void oddport_tally_free(OddportTally *tally)
{
    if (tally == NULL)
        return;
    /* Freed in a list, asking for each row's memory ahead: the table would free them where they
     * lie, each a wait on memory (a quarter of the time spent ending a run of 26,000 rows). */
    GPtrArray *rows = gather_rows(tally);
    g_hash_table_steal_all(tally->services);
    for (guint index = 0; index < rows->len; index++) {
        oddport_tally_fetch_rows_ahead(rows, index);
        service_entry_free((gpointer)entry_of(g_ptr_array_index(rows, index)));
    }
    g_ptr_array_unref(rows);
    g_hash_table_unref(tally->services);
    oddport_distinct_free(tally->omitted_service_keys);
    g_free(tally);
}

const OddportFlowCounts *oddport_tally_counts(const OddportTally *tally)
{
    return &tally->counts;
}

bool oddport_flow_server_spoke(const OddportFlowReport *flow)
{
    if (flow->server_sent_payload)
        return true;
    return flow->transport == ODDPORT_TRANSPORT_TCP && flow->server_accepted &&
           flow->client_sent_payload;
}

uint64_t oddport_service_client_count(const OddportService *service, bool *is_estimate)
{
    if (is_estimate != NULL)
        *is_estimate = oddport_distinct_is_estimate(service->clients);
    return oddport_distinct_count(service->clients);
}

size_t oddport_service_top_clients(const OddportService *service,
                                   OddportTopClient clients[ODDPORT_TOP_CLIENTS], bool *exact)
{
    return oddport_top_clients_list(service->top_clients, clients, ODDPORT_TOP_CLIENTS, exact);
}

bool oddport_service_is_other_server(const OddportService *service)
{
    return service->app == ODDPORT_APP_UNKNOWN &&
           oddport_port_class(service->port) != ODDPORT_PORT_CLASS_WELL_KNOWN &&
           service->server_spoke_flows > 0;
}

/* Keeps the server's first bytes when any flow has them, else the client's: what a service said
 * tells more about it than what was sent to it. */
static void keep_opening(OddportService *service, const OddportFlowReport *report)
{
    if (service->opening_from == ODDPORT_OPENING_SERVER)
        return;
    if (report->server_opening.length > 0) {
        service->opening = report->server_opening;
        service->opening_from = ODDPORT_OPENING_SERVER;
    } else if (service->opening_from == ODDPORT_OPENING_NONE && report->client_opening.length > 0) {
        service->opening = report->client_opening;
        service->opening_from = ODDPORT_OPENING_CLIENT;
    }
}

static OddportSeverity more_severe(OddportSeverity left, OddportSeverity right)
{
    return left > right ? left : right;
}

/* Whether another service row may be made for this app (see ODDPORT_MAX_SERVICES). */
static bool may_add_service(const OddportTally *tally, OddportApp app)
{
    guint rows = g_hash_table_size(tally->services);
    if (app == ODDPORT_APP_UNKNOWN)
        return tally->unknown_service_rows < ODDPORT_MAX_SERVICES / 2;
    return rows < ODDPORT_MAX_SERVICES;
}

static void count_omitted_service(OddportTally *tally, const ServiceKey *key, uint64_t packets,
                                  uint64_t bytes)
{
    OddportOmittedServices *omitted = &tally->counts.omitted_services;
    oddport_distinct_add(tally->omitted_service_keys, key, sizeof *key);
    omitted->rows = oddport_distinct_count(tally->omitted_service_keys);
    omitted->flows++;
    omitted->packets += packets;
    omitted->bytes += bytes;
}

static void count_service(OddportTally *tally, const OddportFlowReport *report)
{
    ServiceKey key;
    memset(&key, 0, sizeof key);
    key.address = report->server.address;
    key.port = report->server.port;
    key.transport = (uint8_t)report->transport;
    key.app = (uint8_t)report->verdict->app;
    ServiceEntry *entry = g_hash_table_lookup(tally->services, &key);
    uint64_t packets = report->client_packets + report->server_packets;
    uint64_t bytes = report->client_bytes + report->server_bytes;
    if (entry == NULL) {
        if (!may_add_service(tally, report->verdict->app)) {
            count_omitted_service(tally, &key, packets, bytes);
            return;
        }
        entry = g_new0(ServiceEntry, 1);
        entry->key = key;
        OddportService *service = &entry->service;
        service->address = key.address;
        service->port = key.port;
        service->transport = report->transport;
        service->app = report->verdict->app;
        service->iana_service = report->verdict->iana_service;
        service->first_seen_ns = report->first_seen_ns;
        service->last_seen_ns = report->last_seen_ns;
        service->clients = oddport_distinct_new();
        service->top_clients = oddport_top_clients_new();
        service->evidence = g_strdup(report->verdict->evidence);
        char summary[ODDPORT_SUMMARY_MAX];
        oddport_flow_summarise(report, summary, sizeof summary);
        service->details_summary = summary[0] != '\0' ? g_strdup(summary) : NULL;
        g_hash_table_insert(tally->services, &entry->key, entry);
        if (service->app == ODDPORT_APP_UNKNOWN)
            tally->unknown_service_rows++;
    }
    OddportService *service = &entry->service;
    service->nonstandard = service->nonstandard || report->verdict->nonstandard;
    service->severity = more_severe(service->severity, report->verdict->severity);
    service->flows++;
    service->packets += packets;
    service->bytes += bytes;
    if (report->first_seen_ns < service->first_seen_ns)
        service->first_seen_ns = report->first_seen_ns;
    if (report->last_seen_ns > service->last_seen_ns)
        service->last_seen_ns = report->last_seen_ns;
    oddport_distinct_add(service->clients, &report->client.address, sizeof(OddportAddress));
    oddport_top_clients_add(service->top_clients, &report->client.address, bytes,
                            report->first_seen_ns);
    if (oddport_flow_server_spoke(report))
        service->server_spoke_flows++;
    /* Recognised services have their evidence; only the others need the raw bytes. */
    if (service->app == ODDPORT_APP_UNKNOWN)
        keep_opening(service, report);
}

void oddport_tally_add_flow(OddportTally *tally, const OddportFlowReport *report)
{
    OddportFlowCounts *counts = &tally->counts;
    uint64_t packets = report->client_packets + report->server_packets;
    uint64_t bytes = report->client_bytes + report->server_bytes;
    counts->flows++;
    if (report->transport == ODDPORT_TRANSPORT_TCP)
        counts->tcp_flows++;
    else
        counts->udp_flows++;
    OddportTrafficCount *by_class = &counts->port_classes[report->server.port_class];
    by_class->flows++;
    by_class->packets += packets;
    by_class->bytes += bytes;
    OddportAppCount *by_app = &counts->apps[report->verdict->app];
    by_app->flows++;
    by_app->nonstandard_flows += report->verdict->nonstandard ? 1 : 0;
    by_app->packets += packets;
    by_app->bytes += bytes;
    count_service(tally, report);
}

/* A row of `from` that `into` does not have yet: a deep copy, or counted as omitted past the
 * bound. */
static void merge_new_service(OddportTally *into, const ServiceEntry *source)
{
    const OddportService *from = &source->service;
    if (!may_add_service(into, from->app)) {
        OddportOmittedServices *omitted = &into->counts.omitted_services;
        oddport_distinct_add(into->omitted_service_keys, &source->key, sizeof source->key);
        omitted->rows = oddport_distinct_count(into->omitted_service_keys);
        omitted->flows += from->flows;
        omitted->packets += from->packets;
        omitted->bytes += from->bytes;
        return;
    }
    ServiceEntry *entry = g_memdup2(source, sizeof *source);
    entry->service.clients = oddport_distinct_copy(from->clients);
    entry->service.top_clients = oddport_top_clients_copy(from->top_clients);
    entry->service.evidence = g_strdup(from->evidence);
    entry->service.details_summary = g_strdup(from->details_summary);
    g_hash_table_insert(into->services, &entry->key, entry);
    if (from->app == ODDPORT_APP_UNKNOWN)
        into->unknown_service_rows++;
}

static void merge_service(OddportService *into, const OddportService *from)
{
    into->nonstandard = into->nonstandard || from->nonstandard;
    into->severity = more_severe(into->severity, from->severity);
    into->flows += from->flows;
    into->packets += from->packets;
    into->bytes += from->bytes;
    into->first_seen_ns = MIN(into->first_seen_ns, from->first_seen_ns);
    into->last_seen_ns = MAX(into->last_seen_ns, from->last_seen_ns);
    oddport_distinct_merge(into->clients, from->clients);
    oddport_top_clients_merge(into->top_clients, from->top_clients);
    into->server_spoke_flows += from->server_spoke_flows;
    /* As keep_opening does flow by flow: a server's bytes over a client's, the earlier first. */
    if (into->opening_from != ODDPORT_OPENING_SERVER &&
        (from->opening_from == ODDPORT_OPENING_SERVER ||
         (into->opening_from == ODDPORT_OPENING_NONE &&
          from->opening_from == ODDPORT_OPENING_CLIENT))) {
        into->opening = from->opening;
        into->opening_from = from->opening_from;
    }
}

void oddport_tally_merge(OddportTally *into, const OddportTally *from)
{
    OddportFlowCounts *counts = &into->counts;
    const OddportFlowCounts *more = &from->counts;
    counts->flows += more->flows;
    counts->tcp_flows += more->tcp_flows;
    counts->udp_flows += more->udp_flows;
    for (unsigned index = 0; index < ODDPORT_PORT_CLASS_COUNT; index++) {
        counts->port_classes[index].flows += more->port_classes[index].flows;
        counts->port_classes[index].packets += more->port_classes[index].packets;
        counts->port_classes[index].bytes += more->port_classes[index].bytes;
    }
    for (unsigned index = 0; index < ODDPORT_APP_COUNT; index++) {
        counts->apps[index].flows += more->apps[index].flows;
        counts->apps[index].nonstandard_flows += more->apps[index].nonstandard_flows;
        counts->apps[index].packets += more->apps[index].packets;
        counts->apps[index].bytes += more->apps[index].bytes;
    }
    oddport_distinct_merge(into->omitted_service_keys, from->omitted_service_keys);
    counts->omitted_services.rows = oddport_distinct_count(into->omitted_service_keys);
    counts->omitted_services.flows += more->omitted_services.flows;
    counts->omitted_services.packets += more->omitted_services.packets;
    counts->omitted_services.bytes += more->omitted_services.bytes;
    /* In the order of `from`'s rows sorted as reported, so that which rows fit under the bound
     * does not depend on hash table order. */
    GPtrArray *rows = oddport_tally_services(from);
    for (guint index = 0; index < rows->len; index++) {
        const OddportService *service = g_ptr_array_index(rows, index);
        const ServiceEntry *source = entry_of(service);
        ServiceEntry *entry = g_hash_table_lookup(into->services, &source->key);
        if (entry != NULL)
            merge_service(&entry->service, service);
        else
            merge_new_service(into, source);
    }
    g_ptr_array_unref(rows);
}

/* A row's place in the report's order as bytes that memcmp puts in that order: non-standard
 * first, then the most severe, then by app (unrecognised last), server address, port and
 * transport. The keys are sorted side by side, each beside its row, so that the sort touches no
 * row: comparing rows where they lie waited on memory at every step, which a flood's 100,000
 * rows made about 3% of its run. */
typedef struct {
    uint8_t bytes[24];
    const OddportService *service;
} ServiceOrder;

_Static_assert(ODDPORT_APP_COUNT < UINT8_MAX, "an app and the unrecognised mark fit a key byte");

static void make_service_order(const OddportService *service, ServiceOrder *order)
{
    uint8_t *key = order->bytes;
    memset(key, 0, sizeof order->bytes);
    key[0] = service->nonstandard ? 0 : 1;
    key[1] = (uint8_t)(UINT8_MAX - oddport_severity_level(service->severity));
    key[2] = service->app == ODDPORT_APP_UNKNOWN ? UINT8_MAX : (uint8_t)service->app;
    key[3] = service->address.family;
    memcpy(key + 4, service->address.bytes, sizeof service->address.bytes);
    key[20] = (uint8_t)(service->port >> 8);
    key[21] = (uint8_t)service->port;
    key[22] = (uint8_t)service->transport;
    order->service = service;
}

static int compare_service_orders(const void *left, const void *right)
{
    return memcmp(((const ServiceOrder *)left)->bytes, ((const ServiceOrder *)right)->bytes,
                  sizeof((const ServiceOrder *)left)->bytes);
}

GPtrArray *oddport_tally_services(const OddportTally *tally)
{
    GPtrArray *rows = gather_rows(tally);
    ServiceOrder *orders = g_new(ServiceOrder, rows->len);
    for (guint index = 0; index < rows->len; index++)
        make_service_order(g_ptr_array_index(rows, index), &orders[index]);
    if (rows->len > 1)
        qsort(orders, rows->len, sizeof *orders, compare_service_orders);
    for (guint index = 0; index < rows->len; index++)
        rows->pdata[index] = (gpointer)orders[index].service;
    g_free(orders);
    return rows;
}
