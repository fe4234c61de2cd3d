/* The engine: reads captures, keeps the flow table, runs detection and counts everything. */
#include <string.h>

#include <pcap/pcap.h>

#include "internal/hash.h"
#include "oddport/engine.h"
#include "internal/side.h"

/* A flow's identity with its two endpoints in a fixed order (the smaller first), so both
 * directions find the same entry. Zero-filled before use: it is hashed and compared as bytes. */
typedef struct {
    OddportAddress address[2];
    uint16_t port[2];
    uint16_t vlan_id;
    uint8_t transport;
    uint8_t has_vlan;
} FlowKey;

typedef struct {
    OddportSide detection;
    bool sent_syn;
    bool sent_syn_ack;
    bool sent_fin;
    uint32_t syn_sequence;
    uint64_t packets;
    uint64_t bytes;
    /* The last packet that brought this side bytes while it was undecided: once the side is
     * decided, the packet that decided it. */
    const OddportCaptureSummary *deciding_capture;
    uint64_t deciding_frame;
} FlowSide;

typedef enum {
    LIST_TCP_OPEN,
    LIST_UDP,
    LIST_TCP_CLOSED,
    LIST_COUNT,
} TimeoutList;

typedef struct Flow {
    FlowKey key;
    uint32_t hash; /* of the key, kept for the table's probing and growth */
    uint64_t id;   /* the run's packet ordinal of its first packet */
    uint64_t first_seen_ns;
    uint64_t last_seen_ns;
    const OddportCaptureSummary *first_capture;
    uint64_t first_frame;
    FlowSide side[2]; /* indexed like key.address */
    uint8_t first_sender;
    bool reset;
    uint8_t list;
    struct Flow *older; /* neighbours in the flow's timeout list, least recently seen first */
    struct Flow *newer;
} Flow;

/* Open addressing with linear probing: a lookup per packet is most of the flow table's work,
 * and probing an array of pointers with the hashes kept in the flows beats a general hash table
 * that calls back for every hash and comparison. */
typedef struct {
    Flow **slots;
    size_t mask; /* slot count - 1, a power of two minus one */
    size_t count;
} FlowTable;

typedef struct {
    Flow *oldest;
    Flow *newest;
    uint64_t timeout_ns;
} FlowList;

typedef struct {
    uint32_t link_type;
    uint64_t skipped;
} LinkTypeUse;

typedef struct {
    uint32_t link_type;
    bool usable;
    struct bpf_program program;
} CompiledFilter;

/* Digests of the packets later captures of the run may repeat: an open-addressing set of
 * non-zero 64-bit digests, bounded so that a long overlap cannot take unbounded memory. */
enum { REMEMBERED_DIGESTS_MAX = 1 << 22 };
typedef struct {
    uint64_t *slots; /* 0 marks an empty slot */
    size_t mask;
    size_t count;
    bool overflowed; /* a digest did not fit: later captures fall back to judging by time */
} DigestSet;

struct OddportEngine {
    const OddportPortRules *rules;
    OddportFlowSink sink;
    void *sink_data;
    OddportProgressFunc progress;
    void *progress_data;
    OddportStopCheck stop_check;
    void *stop_check_data;
    /* Freed when an allocation fails, so that finishing the open flows and writing the report
     * have memory left to work with. */
    void *memory_reserve;
    FlowTable flows;
    FlowList lists[LIST_COUNT];
    /* Packet records of the captures ended so far, and of the one being fed, so that each
     * record has a place in its file and in the run (see OddportFlowReport.id). */
    uint64_t frames_before_capture;
    uint64_t capture_frames;
    uint64_t current_frame;
    /* Packets outside [since, since + length) are skipped: BPF cannot filter on time. One
     * unsigned comparison per packet tells (a time before `since` wraps around to a large
     * offset). */
    uint64_t since_ns;
    uint64_t window_length_ns;
    uint64_t now_ns;
    uint64_t last_sweep_ns;
    OddportSummary summary;
    OddportTally *tally;
    char *filter_expression;
    GArray *filters; /* of CompiledFilter, one per link type met */
    /* The capture being fed, between oddport_engine_begin_capture and _end_capture. */
    OddportCaptureSummary *capture;
    GArray *link_type_uses; /* of LinkTypeUse, for the capture being fed */
    uint32_t last_link_type;
    /* Captures of one run are read in time order; a later one that goes back into the time an
     * earlier one covered may repeat its packets, which are then not counted again. Packets at
     * or after `remember_from_ns` are remembered for that comparison. */
    bool any_covered;
    uint64_t covered_until_ns; /* the latest packet of the captures ended so far */
    uint64_t remember_from_ns;
    DigestSet remembered;
    uint64_t judged_by_time; /* of the capture being fed: skipped without a digest to compare */
    /* The flow the last fed record joined, while it is open. */
    Flow *last_flow;
    unsigned last_sender;
    /* oddport_engine_finish is finishing the flows still open (OddportFlowReport.open_at_end). */
    bool input_ended;
};

enum { NANOSECONDS_PER_SECOND = 1000000000 };
enum { PROGRESS_EVERY_PACKETS = 1 << 16 };
/* A few milliseconds of reading at full speed: a stop request is answered promptly, and the
 * check costs nothing measurable. */
enum { STOP_CHECK_EVERY_PACKETS = 1 << 12 };
enum { MEMORY_RESERVE_BYTES = 16 * 1024 * 1024 };
/* libpcap's own ceiling on a snapshot length, used for the filters' dead handles. */
enum { FILTER_SNAPSHOT_LENGTH = 262144 };

enum { FLOW_TABLE_INITIAL_SLOTS = 1024 };

static void flow_table_init(FlowTable *table)
{
    table->slots = g_new0(Flow *, FLOW_TABLE_INITIAL_SLOTS);
    table->mask = FLOW_TABLE_INITIAL_SLOTS - 1;
    table->count = 0;
}

static uint32_t flow_key_hash(const FlowKey *key)
{
    return (uint32_t)oddport_hash_bytes(key, sizeof *key);
}

static Flow *flow_table_lookup(const FlowTable *table, const FlowKey *key, uint32_t hash)
{
    for (size_t index = hash & table->mask;; index = (index + 1) & table->mask) {
        Flow *flow = table->slots[index];
        if (flow == NULL)
            return NULL;
        if (flow->hash == hash && memcmp(&flow->key, key, sizeof *key) == 0)
            return flow;
    }
}

static void flow_table_place(FlowTable *table, Flow *flow)
{
    size_t index = flow->hash & table->mask;
    while (table->slots[index] != NULL)
        index = (index + 1) & table->mask;
    table->slots[index] = flow;
}

/* Keeps the table at most half full so that probe runs stay short. Returns false, leaving the
 * table as it was, when there is no memory to grow it. */
static bool flow_table_insert(FlowTable *table, Flow *flow)
{
    if ((table->count + 1) * 2 > table->mask + 1) {
        Flow **old_slots = table->slots;
        size_t old_count = table->mask + 1;
        Flow **new_slots = g_try_new0(Flow *, old_count * 2);
        if (new_slots == NULL)
            return false;
        table->slots = new_slots;
        table->mask = old_count * 2 - 1;
        for (size_t index = 0; index < old_count; index++)
            if (old_slots[index] != NULL)
                flow_table_place(table, old_slots[index]);
        g_free(old_slots);
    }
    flow_table_place(table, flow);
    table->count++;
    return true;
}

/* Removes a flow and closes the gap by moving back the entries probed past it, so that no
 * lookup stops early at an empty slot that used to be occupied. */
static void flow_table_remove(FlowTable *table, const Flow *flow)
{
    size_t hole = flow->hash & table->mask;
    while (table->slots[hole] != flow)
        hole = (hole + 1) & table->mask;
    for (size_t next = (hole + 1) & table->mask; table->slots[next] != NULL;
         next = (next + 1) & table->mask) {
        size_t home = table->slots[next]->hash & table->mask;
        /* The entry at `next` may fill the hole unless its home lies cyclically in
         * (hole, next]. */
        bool home_after_hole =
            hole <= next ? (home > hole && home <= next) : (home > hole || home <= next);
        if (!home_after_hole) {
            table->slots[hole] = table->slots[next];
            hole = next;
        }
    }
    table->slots[hole] = NULL;
    table->count--;
}

static void capture_summary_free(gpointer data)
{
    OddportCaptureSummary *capture = data;
    g_free(capture->path);
    g_free(capture->error);
    g_ptr_array_unref(capture->link_types);
    g_ptr_array_unref(capture->warnings);
    g_free(capture);
}

OddportEngine *oddport_engine_new(const OddportPortRules *rules, OddportFlowSink sink,
                                  void *sink_data)
{
    OddportEngine *engine = g_new0(OddportEngine, 1);
    engine->rules = rules;
    engine->sink = sink;
    engine->sink_data = sink_data;
    flow_table_init(&engine->flows);
    engine->lists[LIST_TCP_OPEN].timeout_ns =
        (uint64_t)ODDPORT_TCP_IDLE_SECONDS * NANOSECONDS_PER_SECOND;
    engine->lists[LIST_UDP].timeout_ns =
        (uint64_t)ODDPORT_UDP_IDLE_SECONDS * NANOSECONDS_PER_SECOND;
    engine->lists[LIST_TCP_CLOSED].timeout_ns =
        (uint64_t)ODDPORT_CLOSED_GRACE_SECONDS * NANOSECONDS_PER_SECOND;
    engine->window_length_ns = UINT64_MAX;
    engine->remember_from_ns = UINT64_MAX;
    engine->summary.max_flows = ODDPORT_DEFAULT_MAX_FLOWS;
    engine->summary.captures = g_ptr_array_new_with_free_func(capture_summary_free);
    engine->summary.warnings = g_ptr_array_new_with_free_func(g_free);
    engine->tally = oddport_tally_new();
    engine->summary.counts = oddport_tally_counts(engine->tally);
    engine->filters = g_array_new(FALSE, TRUE, sizeof(CompiledFilter));
    /* Left untouched, the reserve costs address space but no resident memory: allocations fail
     * where address space is limited (ulimit -v, 32-bit), and that is what it gives back. */
    engine->memory_reserve = g_try_malloc(MEMORY_RESERVE_BYTES);
    return engine;
}

void oddport_engine_set_stop_check(OddportEngine *engine, OddportStopCheck check, void *user_data)
{
    engine->stop_check = check;
    engine->stop_check_data = user_data;
}

/* An allocation for a new flow failed: the flows already open are kept and reported, reading
 * stops, and the reserve goes back so the report can still be written. */
static void note_out_of_memory(OddportEngine *engine)
{
    engine->summary.out_of_memory = true;
    engine->summary.flows_open_when_out_of_memory = engine->flows.count;
    g_free(engine->memory_reserve);
    engine->memory_reserve = NULL;
}

void oddport_engine_set_max_flows(OddportEngine *engine, uint64_t max_flows)
{
    engine->summary.max_flows = max_flows;
}

void oddport_engine_set_progress(OddportEngine *engine, OddportProgressFunc progress,
                                 void *user_data)
{
    engine->progress = progress;
    engine->progress_data = user_data;
}

/* Link types as files write them and the DLT_ values libpcap's compiler expects differ for
 * raw IP only. */
static int link_type_to_dlt(uint32_t link_type)
{
    return link_type == 101 ? DLT_RAW : (int)link_type;
}

/* Written out rather than with G_DEFINE_QUARK, whose dashed name argument a formatter would
 * space out into the string itself. */
GQuark oddport_engine_error_quark(void)
{
    return g_quark_from_static_string("oddport-engine-error-quark");
}

static void free_filters(OddportEngine *engine)
{
    for (guint index = 0; index < engine->filters->len; index++) {
        CompiledFilter *filter = &g_array_index(engine->filters, CompiledFilter, index);
        if (filter->usable)
            pcap_freecode(&filter->program);
    }
    g_array_set_size(engine->filters, 0);
}

static bool compile_filter(const char *expression, uint32_t link_type, struct bpf_program *program,
                           char *message, size_t message_size)
{
    pcap_t *dead = pcap_open_dead(link_type_to_dlt(link_type), FILTER_SNAPSHOT_LENGTH);
    if (dead == NULL) {
        g_strlcpy(message, "libpcap cannot open a handle for this link type", message_size);
        return false;
    }
    bool compiled = pcap_compile(dead, program, expression, 1, PCAP_NETMASK_UNKNOWN) == 0;
    if (!compiled)
        g_strlcpy(message, pcap_geterr(dead), message_size);
    pcap_close(dead);
    return compiled;
}

bool oddport_engine_set_filter(OddportEngine *engine, const char *expression, GError **error)
{
    CompiledFilter ethernet = {.link_type = 1};
    char message[PCAP_ERRBUF_SIZE + 64];
    /* Compiled for Ethernet up front so a typo is a usage error before any file is read; the
     * program is kept, since libpcap's optimiser makes compiling a long filter slow. */
    if (!compile_filter(expression, ethernet.link_type, &ethernet.program, message,
                        sizeof message)) {
        g_set_error(error, ODDPORT_ENGINE_ERROR, ODDPORT_ENGINE_ERROR_INVALID_FILTER,
                    "invalid filter expression '%s': %s", expression, message);
        return false;
    }
    ethernet.usable = true;
    free_filters(engine);
    g_array_append_val(engine->filters, ethernet);
    g_free(engine->filter_expression);
    engine->filter_expression = g_strdup(expression);
    return true;
}

/* The record's bytes, lengths and time: a repeated capture repeats all of them, while a
 * capture of another link at the same time differs at least in time or link-layer bytes. Zero
 * is kept free to mark empty slots. */
static uint64_t record_digest(const OddportRecord *record)
{
    uint64_t digest = oddport_hash_bytes(record->data, record->captured_length) ^
                      ((uint64_t)record->captured_length << 32 | record->wire_length) ^
                      (record->timestamp_ns * 0x9e3779b97f4a7c15u);
    return digest != 0 ? digest : 1;
}

static bool digest_set_contains(const DigestSet *set, uint64_t digest)
{
    if (set->slots == NULL)
        return false;
    for (size_t index = digest & set->mask; set->slots[index] != 0; index = (index + 1) & set->mask)
        if (set->slots[index] == digest)
            return true;
    return false;
}

static void digest_set_place(DigestSet *set, uint64_t digest)
{
    size_t index = digest & set->mask;
    while (set->slots[index] != 0 && set->slots[index] != digest)
        index = (index + 1) & set->mask;
    if (set->slots[index] == 0) {
        set->slots[index] = digest;
        set->count++;
    }
}

static void digest_set_add(DigestSet *set, uint64_t digest)
{
    if (set->count >= REMEMBERED_DIGESTS_MAX) {
        set->overflowed = true;
        return;
    }
    /* At most half full, as the flow table, so probe runs stay short. */
    if (set->slots == NULL || (set->count + 1) * 2 > set->mask + 1) {
        size_t old_count = set->slots != NULL ? set->mask + 1 : 0;
        size_t new_count = old_count != 0 ? old_count * 2 : 1024;
        uint64_t *new_slots = g_try_new0(uint64_t, new_count);
        if (new_slots == NULL) {
            set->overflowed = true;
            return;
        }
        uint64_t *old_slots = set->slots;
        set->slots = new_slots;
        set->mask = new_count - 1;
        set->count = 0;
        for (size_t index = 0; index < old_count; index++)
            if (old_slots[index] != 0)
                digest_set_place(set, old_slots[index]);
        g_free(old_slots);
    }
    digest_set_place(set, digest);
}

void oddport_engine_set_time_window(OddportEngine *engine, uint64_t since_ns, uint64_t until_ns)
{
    engine->since_ns = since_ns;
    engine->window_length_ns = until_ns > since_ns ? until_ns - since_ns : 0;
}

void oddport_engine_remember_packets_from(OddportEngine *engine, uint64_t timestamp_ns)
{
    engine->remember_from_ns = timestamp_ns;
}

static CompiledFilter *filter_for(OddportEngine *engine, uint32_t link_type,
                                  OddportCaptureSummary *capture)
{
    for (guint index = 0; index < engine->filters->len; index++) {
        CompiledFilter *filter = &g_array_index(engine->filters, CompiledFilter, index);
        if (filter->link_type == link_type)
            return filter;
    }
    CompiledFilter filter = {.link_type = link_type};
    char message[PCAP_ERRBUF_SIZE + 64];
    filter.usable = compile_filter(engine->filter_expression, link_type, &filter.program, message,
                                   sizeof message);
    if (!filter.usable)
        g_ptr_array_add(capture->warnings,
                        g_strdup_printf("the filter does not apply to link type %u (%s): its "
                                        "packets are skipped as filtered",
                                        (unsigned)link_type, message));
    g_array_append_val(engine->filters, filter);
    return &g_array_index(engine->filters, CompiledFilter, engine->filters->len - 1);
}

static void list_remove(OddportEngine *engine, Flow *flow)
{
    FlowList *list = &engine->lists[flow->list];
    if (flow->older != NULL)
        flow->older->newer = flow->newer;
    else
        list->oldest = flow->newer;
    if (flow->newer != NULL)
        flow->newer->older = flow->older;
    else
        list->newest = flow->older;
    flow->older = flow->newer = NULL;
}

static void list_append(OddportEngine *engine, Flow *flow, TimeoutList which)
{
    FlowList *list = &engine->lists[which];
    flow->list = (uint8_t)which;
    flow->older = list->newest;
    flow->newer = NULL;
    if (list->newest != NULL)
        list->newest->newer = flow;
    else
        list->oldest = flow;
    list->newest = flow;
}

static bool flow_is_closed(const Flow *flow)
{
    return flow->reset || (flow->side[0].sent_fin && flow->side[1].sent_fin);
}

/* What a flow is judged on; the side results are borrowed from the flow. */
static void flow_facts(const Flow *flow, OddportFlowFacts *facts)
{
    *facts = (OddportFlowFacts){
        .transport = (OddportTransport)flow->key.transport,
        .first_sender = flow->first_sender,
    };
    for (unsigned index = 0; index < 2; index++) {
        const FlowSide *side = &flow->side[index];
        facts->port[index] = flow->key.port[index];
        facts->sent_syn[index] = side->sent_syn;
        facts->sent_syn_ack[index] = side->sent_syn_ack;
        facts->had_payload[index] = side->detection.had_payload;
        facts->side[index] = side->detection.result;
        /* Kept once when the side is decided and never changed: comparing pointers is enough. */
        facts->opening[index] = side->detection.opening;
    }
}

/* Judges a flow on what its sides hold now; undecided sides stay undecided. */
static void classify_open_flow(const OddportEngine *engine, const Flow *flow,
                               OddportFlowVerdict *verdict)
{
    OddportFlowFacts facts;
    flow_facts(flow, &facts);
    oddport_classify_flow(&facts, engine->rules, verdict);
}

/* The report of a flow under `verdict`; it borrows from the flow and the verdict. */
static void describe_flow(const OddportEngine *engine, const Flow *flow,
                          const OddportFlowVerdict *verdict, OddportFlowReport *report)
{
    unsigned client = verdict->client;
    unsigned server = 1 - client;
    *report = (OddportFlowReport){
        .id = flow->id,
        .transport = (OddportTransport)flow->key.transport,
        .client = {flow->key.address[client], flow->key.port[client],
                   oddport_port_class(flow->key.port[client])},
        .server = {flow->key.address[server], flow->key.port[server],
                   oddport_port_class(flow->key.port[server])},
        .has_vlan = flow->key.has_vlan,
        .vlan_id = flow->key.vlan_id,
        .verdict = verdict,
        /* A side's partial match that classification set aside is not reported either. */
        .client_result =
            verdict->client_app != ODDPORT_APP_UNKNOWN ? flow->side[client].detection.result : NULL,
        .server_result =
            verdict->server_app != ODDPORT_APP_UNKNOWN ? flow->side[server].detection.result : NULL,
        .first_seen_ns = flow->first_seen_ns,
        .last_seen_ns = flow->last_seen_ns,
        .client_packets = flow->side[client].packets,
        .client_bytes = flow->side[client].bytes,
        .server_packets = flow->side[server].packets,
        .server_bytes = flow->side[server].bytes,
        .precision_digits = engine->summary.precision_digits,
        .client_sent_payload = flow->side[client].detection.had_payload,
        .server_sent_payload = flow->side[server].detection.had_payload,
        .server_accepted = flow->side[server].sent_syn_ack,
        .client_sent_syn = flow->side[client].sent_syn,
        .client_sent_fin = flow->side[client].sent_fin,
        .server_sent_fin = flow->side[server].sent_fin,
        .reset = flow->reset,
        .open_at_end = engine->input_ended,
    };
    if (flow->side[client].detection.opening != NULL)
        report->client_opening = *flow->side[client].detection.opening;
    if (flow->side[server].detection.opening != NULL)
        report->server_opening = *flow->side[server].detection.opening;
    report->first_packet = (OddportPacketPlace){flow->first_capture->path, flow->first_frame};
    /* The app is the server's when it has one, else the client's (oddport_classify_flow). */
    unsigned decider = verdict->app == ODDPORT_APP_UNKNOWN   ? 2
                       : verdict->server_app == verdict->app ? server
                       : verdict->client_app == verdict->app ? client
                                                             : 2;
    if (decider != 2 && flow->side[decider].deciding_capture != NULL) {
        report->deciding_packet = (OddportPacketPlace){flow->side[decider].deciding_capture->path,
                                                       flow->side[decider].deciding_frame};
        report->decided_by =
            decider == client ? ODDPORT_DECIDED_BY_CLIENT : ODDPORT_DECIDED_BY_SERVER;
    }
}

static void finish_flow(OddportEngine *engine, Flow *flow)
{
    flow_table_remove(&engine->flows, flow);
    list_remove(engine, flow);
    if (engine->last_flow == flow)
        engine->last_flow = NULL;
    bool detection_done[2];
    for (unsigned index = 0; index < 2; index++) {
        const OddportSide *side = &flow->side[index].detection;
        detection_done[index] = side->decided && !side->reading_later_details;
    }
    oddport_side_finish(&flow->side[0].detection);
    oddport_side_finish(&flow->side[1].detection);

    OddportFlowVerdict verdict;
    classify_open_flow(engine, flow, &verdict);
    OddportFlowReport report;
    describe_flow(engine, flow, &verdict, &report);
    report.client_detection_done = detection_done[verdict.client];
    report.server_detection_done = detection_done[1 - verdict.client];
    oddport_tally_add_flow(engine->tally, &report);
    if (engine->sink != NULL)
        engine->sink(&report, engine->sink_data);

    oddport_side_clear(&flow->side[0].detection);
    oddport_side_clear(&flow->side[1].detection);
    g_free(flow);
}

static void expire_idle_flows(OddportEngine *engine)
{
    for (unsigned which = 0; which < LIST_COUNT; which++) {
        FlowList *list = &engine->lists[which];
        while (list->oldest != NULL &&
               list->oldest->last_seen_ns + list->timeout_ns < engine->now_ns)
            finish_flow(engine, list->oldest);
    }
    engine->last_sweep_ns = engine->now_ns;
}

/* Puts the endpoints in a fixed order; returns the index of the packet's sender. */
static unsigned make_flow_key(const OddportPacket *packet, FlowKey *key)
{
    memset(key, 0, sizeof *key);
    key->transport = packet->transport;
    key->has_vlan = packet->has_vlan;
    key->vlan_id = packet->vlan_id;
    int order = memcmp(&packet->source, &packet->destination, sizeof(OddportAddress));
    unsigned sender =
        order < 0 || (order == 0 && packet->source_port <= packet->destination_port) ? 0 : 1;
    key->address[sender] = packet->source;
    key->port[sender] = packet->source_port;
    key->address[1 - sender] = packet->destination;
    key->port[1 - sender] = packet->destination_port;
    return sender;
}

/* Makes room for one more flow: finishes the least recently seen one. Closed connections
 * waiting out their grace time go first, then whichever open flow has been quiet longest; only
 * the latter count as evicted. */
static void evict_one_flow(OddportEngine *engine)
{
    /* A closed connection only waits for stray last packets: finishing it now loses nothing. */
    Flow *closed = engine->lists[LIST_TCP_CLOSED].oldest;
    if (closed != NULL) {
        finish_flow(engine, closed);
        return;
    }
    Flow *tcp = engine->lists[LIST_TCP_OPEN].oldest;
    Flow *udp = engine->lists[LIST_UDP].oldest;
    Flow *victim = tcp == NULL                              ? udp
                   : udp == NULL                            ? tcp
                   : tcp->last_seen_ns <= udp->last_seen_ns ? tcp
                                                            : udp;
    if (victim == NULL)
        return;
    engine->summary.evicted_flows++;
    finish_flow(engine, victim);
}

static Flow *new_flow(OddportEngine *engine, const FlowKey *key, unsigned sender, uint64_t now)
{
    if (engine->summary.max_flows != 0 && engine->flows.count >= engine->summary.max_flows)
        evict_one_flow(engine);
    Flow *flow = g_try_new0(Flow, 1);
    if (flow == NULL) {
        note_out_of_memory(engine);
        return NULL;
    }
    flow->key = *key;
    flow->id = engine->frames_before_capture + engine->current_frame;
    flow->first_capture = engine->capture;
    flow->first_frame = engine->current_frame;
    flow->first_seen_ns = now;
    flow->first_sender = (uint8_t)sender;
    oddport_side_init(&flow->side[0].detection, (OddportTransport)key->transport);
    oddport_side_init(&flow->side[1].detection, (OddportTransport)key->transport);
    flow->hash = flow_key_hash(key);
    if (!flow_table_insert(&engine->flows, flow)) {
        g_free(flow);
        note_out_of_memory(engine);
        return NULL;
    }
    list_append(engine, flow, key->transport == ODDPORT_TRANSPORT_TCP ? LIST_TCP_OPEN : LIST_UDP);
    return flow;
}

/* Returns false when the packet needed a new flow and there was no memory for it. */
static bool process_packet(OddportEngine *engine, const OddportPacket *packet, uint64_t now,
                           uint32_t wire_length)
{
    FlowKey key;
    unsigned sender = make_flow_key(packet, &key);
    Flow *flow = flow_table_lookup(&engine->flows, &key, flow_key_hash(&key));
    bool is_tcp = packet->transport == ODDPORT_TRANSPORT_TCP;
    bool is_syn =
        is_tcp && (packet->tcp_flags & (ODDPORT_TCP_SYN | ODDPORT_TCP_ACK)) == ODDPORT_TCP_SYN;
    if (flow != NULL && is_syn) {
        const FlowSide *side = &flow->side[sender];
        bool reused = side->sent_syn && side->syn_sequence != packet->sequence;
        /* A fresh SYN on a closed or reused 5-tuple is a new connection. */
        if (flow_is_closed(flow) || reused) {
            finish_flow(engine, flow);
            flow = NULL;
        }
    }
    if (flow == NULL)
        flow = new_flow(engine, &key, sender, now);
    if (flow == NULL)
        return false;

    FlowSide *side = &flow->side[sender];
    if (now > flow->last_seen_ns)
        flow->last_seen_ns = now;
    side->packets++;
    side->bytes += wire_length;

    if (is_tcp) {
        uint8_t flags = packet->tcp_flags;
        if (flags & ODDPORT_TCP_SYN) {
            if (flags & ODDPORT_TCP_ACK)
                side->sent_syn_ack = true;
            else
                side->sent_syn = true;
            side->syn_sequence = packet->sequence;
            oddport_side_set_start(&side->detection, packet->sequence + 1);
        }
        if (flags & ODDPORT_TCP_FIN)
            side->sent_fin = true;
        if (flags & ODDPORT_TCP_RST)
            flow->reset = true;
    }
    if (packet->payload_captured > 0) {
        if (!side->detection.decided) {
            side->deciding_capture = engine->capture;
            side->deciding_frame = engine->current_frame;
        }
        if (!is_tcp)
            oddport_side_feed_datagram(&side->detection, packet->payload, packet->payload_captured);
        else
            /* A SYN may carry data (TCP Fast Open); it starts after the SYN's own number. */
            oddport_side_feed_segment(
                &side->detection, packet->sequence + (packet->tcp_flags & ODDPORT_TCP_SYN ? 1 : 0),
                packet->payload, packet->payload_captured);
    }

    TimeoutList which = !is_tcp ? LIST_UDP : flow_is_closed(flow) ? LIST_TCP_CLOSED : LIST_TCP_OPEN;
    list_remove(engine, flow);
    list_append(engine, flow, which);
    engine->last_flow = flow;
    engine->last_sender = sender;
    return true;
}

static void note_link_type(GArray *uses, OddportCaptureSummary *capture, uint32_t link_type,
                           bool skipped)
{
    LinkTypeUse *use = NULL;
    for (guint index = 0; index < uses->len; index++) {
        if (g_array_index(uses, LinkTypeUse, index).link_type == link_type) {
            use = &g_array_index(uses, LinkTypeUse, index);
            break;
        }
    }
    if (use == NULL) {
        LinkTypeUse fresh = {link_type, 0};
        g_array_append_val(uses, fresh);
        use = &g_array_index(uses, LinkTypeUse, uses->len - 1);
        char buffer[24];
        g_ptr_array_add(capture->link_types, g_strdup(oddport_link_type_name(link_type, buffer)));
    }
    if (skipped)
        use->skipped++;
}

/* A new, empty entry at the end of the summary's captures (transfer none). */
static OddportCaptureSummary *add_capture_summary(OddportEngine *engine, const char *path)
{
    OddportCaptureSummary *capture = g_new0(OddportCaptureSummary, 1);
    capture->path = g_strdup(path);
    capture->precision_digits = 6;
    capture->link_types = g_ptr_array_new_with_free_func(g_free);
    capture->warnings = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(engine->summary.captures, capture);
    return capture;
}

void oddport_engine_add_unread_capture(OddportEngine *engine, const char *path, const GError *error)
{
    if (engine->capture != NULL)
        oddport_engine_end_capture(engine);
    OddportCaptureSummary *capture = add_capture_summary(engine, path);
    capture->error = g_strdup(error->message);
    /* Errors from elsewhere than the reader still mean the file could not be opened. */
    capture->error_kind = error->domain == ODDPORT_CAPTURE_ERROR ? (OddportCaptureError)error->code
                                                                 : ODDPORT_CAPTURE_ERROR_OPEN;
}

void oddport_engine_begin_capture(OddportEngine *engine, const char *path,
                                  OddportCaptureFormat format, unsigned precision_digits)
{
    if (engine->capture != NULL)
        oddport_engine_end_capture(engine);
    /* Flows written before the capture ends need its precision. */
    if (precision_digits > engine->summary.precision_digits)
        engine->summary.precision_digits = precision_digits;
    OddportCaptureSummary *capture = add_capture_summary(engine, path);
    capture->format = format;
    capture->precision_digits = precision_digits;
    engine->capture = capture;
    engine->capture_frames = 0;
    engine->link_type_uses = g_array_new(FALSE, TRUE, sizeof(LinkTypeUse));
    engine->last_link_type = UINT32_MAX;
}

OddportRecordOutcome oddport_engine_feed_record(OddportEngine *engine, const OddportRecord *record)
{
    OddportCaptureSummary *capture = engine->capture;
    g_return_val_if_fail(capture != NULL, ((OddportRecordOutcome){ODDPORT_SKIP_NOT_IP, 0}));
    engine->last_flow = NULL;
    uint64_t frame = record->frame_number != 0 ? record->frame_number : engine->capture_frames + 1;
    if (frame > engine->capture_frames)
        engine->capture_frames = frame;
    engine->current_frame = frame;
    capture->packets++;
    capture->bytes += record->wire_length;
    if (capture->packets == 1 || record->timestamp_ns < capture->first_seen_ns)
        capture->first_seen_ns = record->timestamp_ns;
    if (record->timestamp_ns > capture->last_seen_ns)
        capture->last_seen_ns = record->timestamp_ns;
    if (record->timestamp_ns > engine->now_ns)
        engine->now_ns = record->timestamp_ns;

    if (record->link_type != engine->last_link_type) {
        note_link_type(engine->link_type_uses, capture, record->link_type, false);
        engine->last_link_type = record->link_type;
    }

    if (record->timestamp_ns - engine->since_ns >= engine->window_length_ns) {
        capture->skipped[ODDPORT_SKIP_OUTSIDE_TIME_WINDOW]++;
        return (OddportRecordOutcome){ODDPORT_SKIP_OUTSIDE_TIME_WINDOW, 0};
    }
    /* Digests are taken only where they matter: within the time earlier captures covered, and
     * where a later capture may come back to. */
    bool maybe_covered = engine->any_covered && record->timestamp_ns <= engine->covered_until_ns;
    if (maybe_covered || record->timestamp_ns >= engine->remember_from_ns) {
        uint64_t digest = record_digest(record);
        bool repeated = maybe_covered && digest_set_contains(&engine->remembered, digest);
        /* Without a full record of what came before, a packet in covered time is taken for a
         * repeat: counting it twice would be the worse error. */
        bool judged_by_time = maybe_covered && !repeated && engine->remembered.overflowed;
        if (repeated || judged_by_time) {
            engine->judged_by_time += judged_by_time;
            capture->skipped[ODDPORT_SKIP_OVERLAPPING_CAPTURE]++;
            return (OddportRecordOutcome){ODDPORT_SKIP_OVERLAPPING_CAPTURE, 0};
        }
        if (record->timestamp_ns >= engine->remember_from_ns)
            digest_set_add(&engine->remembered, digest);
    }
    if (engine->filter_expression != NULL) {
        CompiledFilter *filter = filter_for(engine, record->link_type, capture);
        struct pcap_pkthdr header = {.caplen = record->captured_length, .len = record->wire_length};
        if (!filter->usable || pcap_offline_filter(&filter->program, &header, record->data) == 0) {
            capture->skipped[ODDPORT_SKIP_FILTERED]++;
            return (OddportRecordOutcome){ODDPORT_SKIP_FILTERED, 0};
        }
    }
    OddportPacket packet;
    OddportDecodeStatus status =
        oddport_decode_frame(record->link_type, record->data, record->captured_length, &packet);
    if (status != ODDPORT_DECODE_OK) {
        capture->skipped[status]++;
        if (status == ODDPORT_SKIP_UNSUPPORTED_LINK_TYPE)
            note_link_type(engine->link_type_uses, capture, record->link_type, true);
        return (OddportRecordOutcome){status, 0};
    }
    if (!process_packet(engine, &packet, record->timestamp_ns, record->wire_length)) {
        /* Reading ends here: the record counts as not read, so the report still adds up. */
        capture->packets--;
        capture->bytes -= record->wire_length;
        return (OddportRecordOutcome){ODDPORT_DECODE_OK, 0};
    }
    uint64_t flow_id = engine->last_flow->id;
    if (engine->now_ns >= engine->last_sweep_ns + NANOSECONDS_PER_SECOND)
        expire_idle_flows(engine);
    return (OddportRecordOutcome){ODDPORT_DECODE_OK, flow_id};
}

void oddport_engine_end_capture(OddportEngine *engine)
{
    OddportCaptureSummary *capture = engine->capture;
    if (capture == NULL)
        return;
    GArray *uses = engine->link_type_uses;
    for (guint index = 0; index < uses->len; index++) {
        const LinkTypeUse *use = &g_array_index(uses, LinkTypeUse, index);
        if (use->skipped == 0)
            continue;
        char buffer[24];
        g_ptr_array_add(capture->warnings,
                        g_strdup_printf("link type %u (%s) is not supported: %" G_GUINT64_FORMAT
                                        " packets skipped",
                                        (unsigned)use->link_type,
                                        oddport_link_type_name(use->link_type, buffer),
                                        use->skipped));
    }
    g_array_unref(uses);
    engine->link_type_uses = NULL;
    uint64_t repeated = capture->skipped[ODDPORT_SKIP_OVERLAPPING_CAPTURE];
    if (repeated > 0 && repeated == capture->packets)
        g_ptr_array_add(capture->warnings,
                        g_strdup_printf("all %" G_GUINT64_FORMAT " packets repeat packets earlier "
                                        "captures held: a repeated capture, not counted again",
                                        repeated));
    else if (repeated > 0)
        g_ptr_array_add(capture->warnings,
                        g_strdup_printf("%" G_GUINT64_FORMAT " packets repeat packets earlier "
                                        "captures held (an overlapping capture) and were not "
                                        "counted again",
                                        repeated));
    if (engine->judged_by_time > 0)
        g_ptr_array_add(capture->warnings,
                        g_strdup_printf("%" G_GUINT64_FORMAT " of them were judged by time alone, "
                                        "as the overlap was longer than oddport compares packet "
                                        "by packet (%u packets); captures of different links "
                                        "are best merged with mergecap first",
                                        engine->judged_by_time, (unsigned)REMEMBERED_DIGESTS_MAX));
    engine->judged_by_time = 0;
    if (capture->packets > 0 &&
        (!engine->any_covered || capture->last_seen_ns > engine->covered_until_ns)) {
        engine->covered_until_ns = capture->last_seen_ns;
        engine->any_covered = true;
    }
    /* The run's totals are the captures' sums, added once per capture rather than per packet. */
    OddportSummary *summary = &engine->summary;
    summary->packets += capture->packets;
    summary->bytes += capture->bytes;
    for (unsigned reason = 0; reason < ODDPORT_SKIP_REASON_COUNT; reason++)
        summary->skipped[reason] += capture->skipped[reason];
    if (capture->precision_digits > summary->precision_digits)
        summary->precision_digits = capture->precision_digits;
    engine->frames_before_capture += engine->capture_frames;
    engine->capture_frames = 0;
    engine->capture = NULL;
}

bool oddport_engine_describe_last_flow(const OddportEngine *engine, OddportFlowVerdict *verdict,
                                       OddportFlowReport *report)
{
    if (engine->last_flow == NULL)
        return false;
    classify_open_flow(engine, engine->last_flow, verdict);
    describe_flow(engine, engine->last_flow, verdict, report);
    return true;
}

bool oddport_engine_last_flow_facts(const OddportEngine *engine, OddportFlowFacts *facts)
{
    if (engine->last_flow == NULL)
        return false;
    flow_facts(engine->last_flow, facts);
    return true;
}

bool oddport_engine_last_sender_undecided(const OddportEngine *engine, OddportConfidence *pending)
{
    if (engine->last_flow == NULL)
        return false;
    const OddportSide *side = &engine->last_flow->side[engine->last_sender].detection;
    if (side->decided)
        return false;
    *pending = side->pending_confidence;
    return true;
}

/* Reading ends early at the caller's request: the run and the capture say so. */
static void note_stopped(OddportEngine *engine, OddportCaptureSummary *capture)
{
    engine->summary.stopped = true;
    g_ptr_array_add(capture->warnings,
                    g_strdup_printf("not read to the end: stopped after %" G_GUINT64_FORMAT
                                    " packets",
                                    capture->packets));
}

bool oddport_engine_read_capture(OddportEngine *engine, const char *path, GError **error)
{
    GError *open_error = NULL;
    OddportCaptureReader *reader = oddport_capture_open(path, &open_error);
    if (reader == NULL) {
        oddport_engine_add_unread_capture(engine, path, open_error);
        g_propagate_error(error, open_error);
        return false;
    }
    oddport_engine_begin_capture(engine, path, oddport_capture_format(reader),
                                 oddport_capture_precision_digits(reader));
    OddportCaptureSummary *capture = engine->capture;
    /* A read waiting on a pipe is ended by a signal when the stop check then says so. */
    oddport_capture_set_interrupt_check(reader, engine->stop_check, engine->stop_check_data);
    OddportRecord record = {0};
    for (;;) {
        GError *read_error = NULL;
        OddportReadStatus status = oddport_capture_next(reader, &record, &read_error);
        if (oddport_capture_was_interrupted(reader)) {
            g_clear_error(&read_error);
            note_stopped(engine, capture);
            break;
        }
        if (status == ODDPORT_READ_END)
            break;
        if (status != ODDPORT_READ_RECORD) {
            capture->truncated = true;
            g_ptr_array_add(capture->warnings, g_strdup(read_error->message));
            g_error_free(read_error);
            break;
        }
        oddport_engine_feed_record(engine, &record);
        if (engine->summary.out_of_memory) {
            g_ptr_array_add(
                capture->warnings,
                g_strdup_printf("not read to the end: out of memory after %" G_GUINT64_FORMAT
                                " packets with %zu flows open",
                                capture->packets, engine->flows.count));
            break;
        }
        if (capture->packets % STOP_CHECK_EVERY_PACKETS != 0)
            continue;
        if (engine->progress != NULL && capture->packets % PROGRESS_EVERY_PACKETS == 0)
            engine->progress(reader, capture->packets, engine->progress_data);
        if (engine->stop_check != NULL && engine->stop_check(engine->stop_check_data)) {
            note_stopped(engine, capture);
            break;
        }
    }
    /* A pcapng interface met later may have declared a finer precision than the first. */
    capture->format = oddport_capture_format(reader);
    capture->compression = oddport_capture_compression_name(reader);
    capture->precision_digits = oddport_capture_precision_digits(reader);
    oddport_engine_end_capture(engine);
    oddport_capture_close(reader);
    return true;
}

static int compare_flows_by_id(gconstpointer left_pointer, gconstpointer right_pointer)
{
    const Flow *left = *(Flow *const *)left_pointer;
    const Flow *right = *(Flow *const *)right_pointer;
    return left->id < right->id ? -1 : left->id > right->id;
}

void oddport_engine_add_warning(OddportEngine *engine, const char *warning)
{
    g_ptr_array_add(engine->summary.warnings, g_strdup(warning));
}

void oddport_engine_finish(OddportEngine *engine)
{
    engine->input_ended = true;
    /* Finish in the order flows began, so the output reads like the capture. */
    GPtrArray *ordered = g_ptr_array_new();
    for (size_t index = 0; index <= engine->flows.mask; index++)
        if (engine->flows.slots[index] != NULL)
            g_ptr_array_add(ordered, engine->flows.slots[index]);
    g_ptr_array_sort(ordered, compare_flows_by_id);
    for (guint index = 0; index < ordered->len; index++)
        finish_flow(engine, g_ptr_array_index(ordered, index));
    g_ptr_array_unref(ordered);
    oddport_summary_add_run_warnings(&engine->summary);
}

const OddportSummary *oddport_engine_summary(const OddportEngine *engine)
{
    return &engine->summary;
}

const OddportTally *oddport_engine_tally(const OddportEngine *engine)
{
    return engine->tally;
}

void oddport_engine_free(OddportEngine *engine)
{
    if (engine == NULL)
        return;
    for (size_t index = 0; index <= engine->flows.mask; index++) {
        Flow *flow = engine->flows.slots[index];
        if (flow == NULL)
            continue;
        oddport_side_clear(&flow->side[0].detection);
        oddport_side_clear(&flow->side[1].detection);
        g_free(flow);
    }
    g_free(engine->flows.slots);
    oddport_tally_free(engine->tally);
    g_ptr_array_unref(engine->summary.captures);
    g_ptr_array_unref(engine->summary.warnings);
    free_filters(engine);
    g_array_unref(engine->filters);
    g_free(engine->filter_expression);
    if (engine->link_type_uses != NULL)
        g_array_unref(engine->link_type_uses);
    g_free(engine->memory_reserve);
    g_free(engine->remembered.slots);
    g_free(engine);
}
