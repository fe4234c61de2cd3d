/* The engine: reads captures, keeps the flow table, runs detection and counts everything. */
#include <string.h>

#include <pcap/pcap.h>

#include "internal/always_inline.h"
#include "internal/engine_workers.h"
#include "internal/flow_table.h"
#include "internal/hash.h"
#include "internal/object_pool.h"
#include "internal/pcap_functions.h"
#include "internal/prefetch.h"
#include "oddport/engine.h"
#include "internal/side.h"

typedef OddportFlowKey FlowKey;

/* The flags are bits of one byte, so that the sequence number fits in the word they share and a
 * flow in four cache lines (see Flow). */
typedef struct {
    OddportSide detection;
    bool sent_syn : 1;
    bool sent_syn_ack : 1;
    bool sent_fin : 1;
    bool sent_reset : 1;
    bool sent_first_packet : 1;
    uint32_t syn_sequence;
    uint64_t packets;
    uint64_t bytes;
    /* The last packet that brought this side bytes while it was undecided: once the side is
     * decided, the packet that decided it. Its place in the run (0: none), from which its
     * capture and frame are found when the flow is described (see packet_place). */
    uint64_t deciding_position;
} FlowSide;

/* A flow keeps its packets' places in the run, not their captures and frames: a place is one
 * number where the two took two, and the flows a flood keeps open at once are half a million.
 * Which side sent the first packet, and whether either reset the connection, are flags of the
 * sides, not fields of their own, which would take a word more than four cache lines. */
typedef struct Flow {
    OddportFlowEntry entry; /* first, so that a table entry is its flow */
    uint64_t id;            /* the run's packet ordinal of its first packet */
    uint64_t first_seen_ns;
    FlowSide side[2]; /* indexed like entry.key.address */
} Flow;

_Static_assert(sizeof(Flow) <= 4 * ODDPORT_CACHE_LINE, "a flow takes four cache lines");

static uint8_t first_sender(const Flow *flow)
{
    return flow->side[1].sent_first_packet ? 1 : 0;
}

static bool flow_was_reset(const Flow *flow)
{
    return flow->side[0].sent_reset || flow->side[1].sent_reset;
}

/* Where a capture's records start in the run: its frame N is the run's place frames_before + N. */
typedef struct {
    uint64_t frames_before;
    const OddportCaptureSummary *capture;
} CaptureStart;

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
    OddportFlowTable flows;
    /* Packet records of the captures ended so far, and of the one being fed, so that each
     * record has a place in its file and in the run (see OddportFlowReport.id). */
    uint64_t frames_before_capture;
    uint64_t capture_frames;
    /* The place in the run of the record being fed: frames_before_capture + its frame. */
    uint64_t current_position;
    /* Of CaptureStart, in the run's order: each capture this engine was given, to find a packet's
     * capture and frame from its place in the run. */
    GArray *capture_starts;
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
    GArray *filters;                  /* of CompiledFilter, one per link type met */
    const OddportPcapFunctions *pcap; /* loaded by the first filter set */
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
    /* With several workers (oddport_engine_set_workers), the engine reading the captures passes
     * decoded packets on to them once the first is read; its own flow table stays empty. */
    unsigned worker_count;
    OddportWorkers *workers;
    /* The file read_capture is reading, when mapped: bytes in it workers may read in place. */
    const uint8_t *mapped_start;
    size_t mapped_size;
    /* The reader read_capture reads with: workers read payloads that do not lie in its mapping
     * in the reader's windows, held until they are done (HELD_WINDOWS_MAX_BYTES), rather than
     * in copies. While any are held, `dispatched_since_release` counts packets since windows
     * were last released; a mapped file's run holds none and counts nothing. */
    OddportCaptureReader *reading;
    OddportReadAhead read_ahead;
    bool windows_held;
    unsigned dispatched_since_release;
    /* The workers' reading thread keeps every flow (oddport_workers_keep_every_flow's answer,
     * kept here as well: the engine tests it for every packet, and asks the workers only once). */
    bool reading_keeps_every_flow;
    /* Set on a worker's engine: where its finished flows go instead of its sink and tally. */
    OddportFinishedFlowHandler finished_handler;
    void *finished_data;
    /* The format whose parts of the report a worker's engine writes as it finishes flows (see
     * oddport_engine_prepare_flows), and its scratch state, made on first use by the thread
     * that uses it. */
    const OddportReportFormat *prepare_format;
    void *preparer;
    /* The flows' memory: finished flows go back to it for the next ones. It is mapped in blocks
     * that may be huge pages, since a flood's half a million open flows in 4 KiB pages cost a
     * page fault each 4 KiB, about a tenth of its run; as blocks, a flood's JSON took 0.93 to
     * 0.95 of its time at -j 1 and 0.92 at -j 2 (5 alternating rounds each). In a worker's
     * engine, the finished records delivered and given back are kept too (see
     * oddport_engine_recycle_finished). */
    OddportObjectPool flow_memory;
    GPtrArray *spare_finished;
    /* The flows open when finishing at the end began (of FlowById), in the order they began;
     * those before `finishing_next` are finished. */
    GArray *finishing;
    guint finishing_next;
};

enum { NANOSECONDS_PER_SECOND = 1000000000 };
enum { PROGRESS_EVERY_PACKETS = 1 << 16 };
/* A few milliseconds of reading at full speed: a stop request is answered promptly, and the
 * check costs nothing measurable. */
enum { STOP_CHECK_EVERY_PACKETS = 1 << 12 };
enum { MEMORY_RESERVE_BYTES = 16 * 1024 * 1024 };
/* libpcap's own ceiling on a snapshot length, used for the filters' dead handles. */
enum { FILTER_SNAPSHOT_LENGTH = 262144 };

OddportEngine *oddport_engine_new(const OddportPortRules *rules, OddportFlowSink sink,
                                  void *sink_data)
{
    OddportEngine *engine = g_new0(OddportEngine, 1);
    engine->rules = rules;
    engine->sink = sink;
    engine->sink_data = sink_data;
    const uint64_t timeouts_ns[ODDPORT_FLOW_LIST_COUNT] = {
        [ODDPORT_FLOW_LIST_TCP_OPEN] = (uint64_t)ODDPORT_TCP_IDLE_SECONDS * NANOSECONDS_PER_SECOND,
        [ODDPORT_FLOW_LIST_UDP] = (uint64_t)ODDPORT_UDP_IDLE_SECONDS * NANOSECONDS_PER_SECOND,
        [ODDPORT_FLOW_LIST_TCP_CLOSED] =
            (uint64_t)ODDPORT_CLOSED_GRACE_SECONDS * NANOSECONDS_PER_SECOND,
    };
    oddport_flow_table_init(&engine->flows, timeouts_ns);
    oddport_object_pool_init(&engine->flow_memory, sizeof(Flow));
    engine->capture_starts = g_array_new(FALSE, FALSE, sizeof(CaptureStart));
    engine->worker_count = 1;
    engine->window_length_ns = UINT64_MAX;
    engine->remember_from_ns = UINT64_MAX;
    engine->summary.max_flows = ODDPORT_DEFAULT_MAX_FLOWS;
    engine->summary.captures = g_ptr_array_new_with_free_func(oddport_capture_summary_free);
    engine->summary.warnings = g_ptr_array_new_with_free_func(g_free);
    engine->tally = oddport_tally_new();
    engine->summary.counts = oddport_tally_counts(engine->tally);
    engine->filters = g_array_new(FALSE, TRUE, sizeof(CompiledFilter));
    /* Left untouched, the reserve costs address space but no resident memory: allocations fail
     * where address space is limited (ulimit -v, 32-bit), and that is what it gives back. It is
     * mapped rather than allocated: with MALLOC_PERTURB_ set, as meson's tests set it, glibc
     * fills every allocation and every free, and filling 16 MiB three times over (-j 2) made a
     * run on a small capture take 7 times as long (4.5 at -j 1), the merge test 3.8 times. */
    engine->memory_reserve = oddport_large_memory_new(MEMORY_RESERVE_BYTES);
    return engine;
}

static void free_memory_reserve(OddportEngine *engine)
{
    if (engine->memory_reserve != NULL)
        oddport_large_memory_free(engine->memory_reserve, MEMORY_RESERVE_BYTES);
    engine->memory_reserve = NULL;
}

void oddport_engine_set_stop_check(OddportEngine *engine, OddportStopCheck check, void *user_data)
{
    engine->stop_check = check;
    engine->stop_check_data = user_data;
}

/* An allocation for a new flow failed: the flows already open are kept and reported, reading
 * stops, and the reserve goes back so the report can still be written. `flows_open`: the flows
 * held when memory ran out, in this engine or in all its workers. */
static void note_out_of_memory(OddportEngine *engine, uint64_t flows_open)
{
    engine->summary.out_of_memory = true;
    engine->summary.flows_open_when_out_of_memory = flows_open;
    free_memory_reserve(engine);
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
            engine->pcap->freecode(&filter->program);
    }
    g_array_set_size(engine->filters, 0);
}

static bool compile_filter(const OddportPcapFunctions *pcap, const char *expression,
                           uint32_t link_type, struct bpf_program *program, char *message,
                           size_t message_size)
{
    pcap_t *dead = pcap->open_dead(link_type_to_dlt(link_type), FILTER_SNAPSHOT_LENGTH);
    if (dead == NULL) {
        g_strlcpy(message, "libpcap cannot open a handle for this link type", message_size);
        return false;
    }
    bool compiled = pcap->compile(dead, program, expression, 1, PCAP_NETMASK_UNKNOWN) == 0;
    if (!compiled)
        g_strlcpy(message, pcap->geterr(dead), message_size);
    pcap->close(dead);
    return compiled;
}

bool oddport_engine_set_filter(OddportEngine *engine, const char *expression, GError **error)
{
    if (engine->pcap == NULL) {
        engine->pcap = oddport_pcap_functions(error);
        if (engine->pcap == NULL)
            return false;
    }
    CompiledFilter ethernet = {.link_type = 1};
    char message[PCAP_ERRBUF_SIZE + 64];
    /* Compiled for Ethernet up front so a typo is a usage error before any file is read; the
     * program is kept, since libpcap's optimiser makes compiling a long filter slow. */
    if (!compile_filter(engine->pcap, expression, ethernet.link_type, &ethernet.program, message,
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

/* Packet times compare to the microsecond, give or take two: an export in microseconds of a
 * capture in nanoseconds (editcap -F pcap) holds the same packets with their times cut short,
 * and a recorder in microseconds beside one in nanoseconds on the same link rounds them (and
 * in captures/ once put a packet 1.1 microseconds from the other recorder's time). */
enum { REPEAT_TIME_UNIT_NS = 1000, REPEAT_TIME_SLACK = 2 };

static uint64_t repeat_time_floor(uint64_t timestamp_ns)
{
    return timestamp_ns - timestamp_ns % REPEAT_TIME_UNIT_NS;
}

/* The record's bytes and lengths: a repeated capture repeats all of them, while a capture of
 * another link at the same time differs at least in link-layer bytes. */
static uint64_t record_content_hash(const OddportRecord *record)
{
    return oddport_hash_bytes(record->data, record->captured_length) ^
           ((uint64_t)record->captured_length << 32 | record->wire_length);
}

/* The digest of a record of `content_hash` at `microsecond`. Zero is kept free to mark empty
 * slots. */
static uint64_t record_digest(uint64_t content_hash, uint64_t microsecond)
{
    uint64_t digest = content_hash ^ (microsecond * 0x9e3779b97f4a7c15u);
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
    /* From as early as a copy may place that packet; UINT64_MAX, no packet, stays. */
    if (timestamp_ns == UINT64_MAX) {
        engine->remember_from_ns = UINT64_MAX;
        return;
    }
    uint64_t floor = repeat_time_floor(timestamp_ns);
    uint64_t slack = REPEAT_TIME_SLACK * REPEAT_TIME_UNIT_NS;
    engine->remember_from_ns = floor >= slack ? floor - slack : 0;
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
    filter.usable = compile_filter(engine->pcap, engine->filter_expression, link_type,
                                   &filter.program, message, sizeof message);
    if (!filter.usable)
        g_ptr_array_add(capture->warnings,
                        g_strdup_printf("the filter does not apply to link type %u (%s): its "
                                        "packets are skipped as filtered",
                                        (unsigned)link_type, message));
    g_array_append_val(engine->filters, filter);
    return &g_array_index(engine->filters, CompiledFilter, engine->filters->len - 1);
}

static bool flow_is_closed(const Flow *flow)
{
    return flow_was_reset(flow) || (flow->side[0].sent_fin && flow->side[1].sent_fin);
}

/* What a flow is judged on; the side results are borrowed from the flow. */
static void flow_facts(const Flow *flow, OddportFlowFacts *facts)
{
    *facts = (OddportFlowFacts){
        .transport = (OddportTransport)flow->entry.key.transport,
        .first_sender = first_sender(flow),
    };
    for (unsigned index = 0; index < 2; index++) {
        const FlowSide *side = &flow->side[index];
        facts->port[index] = flow->entry.key.port[index];
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

/* Whether each side's detection is over. */
static void note_detection_done(const Flow *flow, bool done[2])
{
    for (unsigned index = 0; index < 2; index++)
        done[index] = oddport_side_detection_done(&flow->side[index].detection);
}

/* Notes that the run's places after `frames_before` are `capture`'s, unless it was the last noted
 * (a worker is told of a capture again when it ends). */
static void note_capture_start(OddportEngine *engine, const OddportCaptureSummary *capture,
                               uint64_t frames_before)
{
    GArray *starts = engine->capture_starts;
    if (starts->len > 0 && g_array_index(starts, CaptureStart, starts->len - 1).capture == capture)
        return;
    CaptureStart start = {frames_before, capture};
    g_array_append_val(starts, start);
}

/* The capture and frame of the packet at `position` in the run: the capture noted last among
 * those that start before it. A capture without records starts where the next one does, and so
 * is never chosen. */
static OddportPacketPlace packet_place(const OddportEngine *engine, uint64_t position)
{
    const GArray *starts = engine->capture_starts;
    /* Every flow began in a capture the engine was told of. */
    g_return_val_if_fail(starts->len > 0, ((OddportPacketPlace){NULL, 0}));
    guint low = 0;
    guint high = starts->len;
    while (high - low > 1) {
        guint middle = low + (high - low) / 2;
        if (g_array_index(starts, CaptureStart, middle).frames_before < position)
            low = middle;
        else
            high = middle;
    }
    const CaptureStart *start = &g_array_index(starts, CaptureStart, low);
    g_assert(start->frames_before < position);
    return (OddportPacketPlace){start->capture->path, position - start->frames_before};
}

/* The report of a flow under `verdict`; it borrows from the verdict, and from the flow as
 * report_borrows_from_flow says. `detection_done` is indexed like the flow's sides; `open_at_end`
 * says the input ended with the flow still open. */
static void describe_flow(const OddportEngine *engine, const Flow *flow,
                          const OddportFlowVerdict *verdict, bool open_at_end,
                          const bool detection_done[2], OddportFlowReport *report)
{
    unsigned client = verdict->client;
    unsigned server = 1 - client;
    *report = (OddportFlowReport){
        .id = flow->id,
        .transport = (OddportTransport)flow->entry.key.transport,
        .client = {flow->entry.key.address[client], flow->entry.key.port[client],
                   oddport_port_class(flow->entry.key.port[client])},
        .server = {flow->entry.key.address[server], flow->entry.key.port[server],
                   oddport_port_class(flow->entry.key.port[server])},
        .has_vlan = flow->entry.key.has_vlan,
        .vlan_id = flow->entry.key.vlan_id,
        .verdict = verdict,
        /* A side's partial match that classification set aside is not reported either. */
        .client_result =
            verdict->client_app != ODDPORT_APP_UNKNOWN ? flow->side[client].detection.result : NULL,
        .server_result =
            verdict->server_app != ODDPORT_APP_UNKNOWN ? flow->side[server].detection.result : NULL,
        .first_seen_ns = flow->first_seen_ns,
        .last_seen_ns = flow->entry.last_seen_ns,
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
        .reset = flow_was_reset(flow),
        .open_at_end = open_at_end,
        .client_detection_done = detection_done[client],
        .server_detection_done = detection_done[server],
        .client_syn_sequence = flow->side[client].syn_sequence,
    };
    if (flow->side[client].detection.opening != NULL)
        report->client_opening = *flow->side[client].detection.opening;
    if (flow->side[server].detection.opening != NULL)
        report->server_opening = *flow->side[server].detection.opening;
    report->first_packet = packet_place(engine, flow->id);
    /* The app is the server's when it has one, else the client's (oddport_classify_flow). */
    unsigned decider = verdict->app == ODDPORT_APP_UNKNOWN   ? 2
                       : verdict->server_app == verdict->app ? server
                       : verdict->client_app == verdict->app ? client
                                                             : 2;
    if (decider != 2 && flow->side[decider].deciding_position != 0) {
        report->deciding_packet = packet_place(engine, flow->side[decider].deciding_position);
        report->decided_by =
            decider == client ? ODDPORT_DECIDED_BY_CLIENT : ODDPORT_DECIDED_BY_SERVER;
    }
}

/* Whether a report describe_flow made still reads its flow: through the sides' results, the
 * only flow memory it points at (its openings are copies, its captures the reading engine's). */
static bool report_borrows_from_flow(const OddportFlowReport *report)
{
    return report->client_result != NULL || report->server_result != NULL;
}

/* Why a flow ends now, for putting flows finished by several worker engines back in the order
 * one engine finishes them (OddportFinishOrder). */
typedef enum {
    FINISH_REOPENED, /* a packet could not go on with it: a SYN reopened its closed or reused
                      * 5-tuple, or it had been idle past its timeout */
    FINISH_EVICTED,  /* room was needed for a new flow */
    FINISH_IDLE,     /* the sweep after a record found it idle */
    FINISH_AT_END,   /* still open when the run ended */
} FinishCause;

enum { FINISH_CAUSE_SHIFT = 62, FINISH_LIST_SHIFT = 60 };

static OddportFinishOrder finish_order(const OddportEngine *engine, const Flow *flow,
                                       FinishCause cause)
{
    if (cause == FINISH_AT_END)
        return (OddportFinishOrder){UINT64_MAX, flow->id};
    uint64_t within = (uint64_t)cause << FINISH_CAUSE_SHIFT;
    if (cause == FINISH_IDLE)
        within |= (uint64_t)flow->entry.list << FINISH_LIST_SHIFT | flow->entry.last_touch;
    return (OddportFinishOrder){engine->current_position, within};
}

/* Frees what the flow's detection holds, leaving the flow itself. */
static void clear_flow_detection(Flow *flow)
{
    oddport_side_clear(&flow->side[0].detection);
    oddport_side_clear(&flow->side[1].detection);
}

/* The flow's own memory goes when its engine's pool is cleared. */
static void free_flow(Flow *flow)
{
    clear_flow_detection(flow);
}

/* A worker's finished record is freed only once it is delivered, thousands of allocations after
 * it was made, and freeing them in such runs kept malloc sorting and merging free chunks: on a
 * flood with two workers, a sixth of the workers' time. A worker's engine therefore keeps up to
 * this many finished records it got back, and its next flows take them first. (Flows go back to
 * the engine's pool.) */
enum { SPARES_MAX = 8192 };

/* Takes the last spare, and asks for the lines of the one the next call will take, for writing:
 * its next user fills it, and it has not been touched since it was taken back. */
static void *take_spare(GPtrArray *spares, size_t size)
{
    if (spares == NULL || spares->len == 0)
        return NULL;
    void *spare = g_ptr_array_steal_index_fast(spares, spares->len - 1);
    if (spares->len > 0)
        oddport_fetch_for_writing(g_ptr_array_index(spares, spares->len - 1), size);
    return spare;
}

static void keep_spare(GPtrArray **spares, void *memory, GDestroyNotify free_memory)
{
    if (*spares == NULL)
        *spares = g_ptr_array_new_with_free_func(free_memory);
    if ((*spares)->len < SPARES_MAX)
        g_ptr_array_add(*spares, memory);
    else
        free_memory(memory);
}

/* A finished flow, once nothing reads it any more, kept for the engine's next flows. */
static void recycle_flow(OddportEngine *engine, Flow *flow)
{
    clear_flow_detection(flow);
    oddport_object_pool_give_back(&engine->flow_memory, flow);
}

/* Frees a spare finished record and its part's memory, but not its flow, which was recycled or
 * freed on its own. */
static void free_finished_record(void *memory)
{
    OddportFinishedFlow *finished = memory;
    if (finished->prepared != NULL)
        g_string_free(finished->prepared, TRUE);
    g_free(finished);
}

/* Flows evicted or idle are finished oldest first, one list after another, and each of them
 * waited on memory for its flow and for its slot in the table: a flood evicts a flow for every
 * new one. Before its list's oldest flow is finished, the slot of the flow after it and the flow
 * after that are asked for, so that each is at hand by its turn; the one after it was asked for
 * the turn before. */
static void fetch_next_to_finish(const OddportEngine *engine, const OddportFlowEntry *oldest)
{
    const OddportFlowEntry *next = oldest->newer;
    if (next == NULL)
        return;
    oddport_flow_table_fetch_slot(&engine->flows, next->hash);
    if (next->newer != NULL)
        oddport_fetch_for_reading(next->newer, sizeof(Flow));
}

/* A finished record's part memory is kept for reuse only up to this size: a flow's JSON is one
 * or two kilobytes, and its CSV row a few hundred bytes. With at most SPARES_MAX spare records,
 * an engine keeps no more than 32 MiB of parts, and a rare flow with a far longer part lets its
 * memory go. */
enum { PREPARED_KEPT_MAX = 4 * 1024 };

/* Writes the finished flow's part of the report ahead of time, into the record's own memory. */
static void prepare_part(OddportEngine *engine, OddportFinishedFlow *finished)
{
    const OddportReportFormat *format = engine->prepare_format;
    if (engine->preparer == NULL && format->preparer_new != NULL)
        engine->preparer = format->preparer_new();
    if (finished->prepared == NULL)
        finished->prepared = g_string_sized_new(1024);
    format->prepare_flow(engine->preparer, &finished->report, finished->prepared);
    finished->report.prepared_text = finished->prepared->str;
    finished->report.prepared_length = finished->prepared->len;
    finished->report.prepared_for = format;
}

static void finish_flow(OddportEngine *engine, Flow *flow, FinishCause cause)
{
    /* At the end, the table let go of every flow at once (see oddport_engine_finish_open_flows). */
    if (cause != FINISH_AT_END)
        oddport_flow_table_remove(&engine->flows, &flow->entry);
    if (engine->last_flow == flow)
        engine->last_flow = NULL;
    bool detection_done[2];
    note_detection_done(flow, detection_done);
    oddport_side_finish(&flow->side[0].detection);
    oddport_side_finish(&flow->side[1].detection);
    /* A worker engine hands the judged flow over whole when the report borrows from it (its
     * sides' results); one engine alone delivers it at once. */
    OddportFinishedFlow alone;
    OddportFinishedFlow *finished = &alone;
    if (engine->finished_handler != NULL) {
        finished = take_spare(engine->spare_finished, sizeof *finished);
        if (finished == NULL)
            finished = g_new0(OddportFinishedFlow, 1);
    }
    finished->flow = flow;
    classify_open_flow(engine, flow, &finished->verdict);
    describe_flow(engine, flow, &finished->verdict, cause == FINISH_AT_END, detection_done,
                  &finished->report);
    if (engine->finished_handler != NULL) {
        if (engine->prepare_format != NULL)
            prepare_part(engine, finished);
        finished->order = finish_order(engine, flow, cause);
        /* A report that borrows nothing from its flow, as a flood's or a scan's flows give, lets
         * the flow go now, its lines still in this core's cache, for the next new flow to take:
         * not held until delivered, and then taken back cold. */
        if (!report_borrows_from_flow(&finished->report)) {
            recycle_flow(engine, flow);
            finished->flow = NULL;
        }
        engine->finished_handler(finished, engine->finished_data);
        return;
    }
    oddport_engine_deliver_finished(engine, finished);
    recycle_flow(engine, flow);
}

static void expire_idle_flows(OddportEngine *engine)
{
    for (unsigned which = 0; which < ODDPORT_FLOW_LIST_COUNT; which++) {
        OddportFlowEntry *entry;
        while ((entry = oddport_flow_table_next_expired(&engine->flows, which, engine->now_ns)) !=
               NULL) {
            fetch_next_to_finish(engine, entry);
            finish_flow(engine, (Flow *)entry, FINISH_IDLE);
        }
    }
    engine->last_sweep_ns = engine->now_ns;
}

/* Idle flows are looked for once a second of packet time, by this engine or by its workers at
 * the same record. */
static void sweep_if_due(OddportEngine *engine)
{
    if (engine->now_ns < engine->last_sweep_ns + NANOSECONDS_PER_SECOND)
        return;
    if (engine->workers != NULL)
        oddport_workers_sweep(engine->workers, engine->now_ns, engine->current_position);
    else
        expire_idle_flows(engine);
    engine->last_sweep_ns = engine->now_ns;
}

/* Copies an address as its family and then its bytes, as decoding stored them: a load that
 * spans two stores still on their way to the cache waits until they are in it, and a plain copy
 * read the family and the first fifteen bytes in one load, on every packet. */
static void copy_address(OddportAddress *to, const OddportAddress *from)
{
    to->family = from->family;
    memcpy(to->bytes, from->bytes, sizeof to->bytes);
}

/* Puts the endpoints in a fixed order and hashes the key (oddport_flow_key_hash's value);
 * returns the index of the packet's sender. */
static unsigned make_flow_key(const OddportPacket *packet, FlowKey *key, uint32_t *hash)
{
    const OddportAddress *first = &packet->source;
    const OddportAddress *second = &packet->destination;
    uint16_t first_port = packet->source_port;
    uint16_t second_port = packet->destination_port;
    unsigned sender = 0;
    int order = oddport_address_compare(first, second);
    if (order > 0 || (order == 0 && first_port > second_port)) {
        first = &packet->destination;
        second = &packet->source;
        first_port = packet->destination_port;
        second_port = packet->source_port;
        sender = 1;
    }
    memset(key, 0, sizeof *key);
    copy_address(&key->address[0], first);
    copy_address(&key->address[1], second);
    key->port[0] = first_port;
    key->port[1] = second_port;
    key->vlan_id = packet->vlan_id;
    key->transport = packet->transport;
    key->has_vlan = packet->has_vlan;
    *hash = oddport_flow_hash_fields(first, second, first_port, second_port, packet->vlan_id,
                                     packet->transport, packet->has_vlan);
    return sender;
}

/* Makes room for one more flow: finishes the least recently seen one. Closed connections
 * waiting out their grace time go first, then whichever open flow has been quiet longest; only
 * the latter count as evicted. */
static void evict_one_flow(OddportEngine *engine)
{
    OddportFlowEntry *victim = oddport_flow_table_eviction_victim(&engine->flows);
    if (victim == NULL)
        return;
    /* A closed connection only waits for stray last packets: finishing it now loses nothing. */
    if (victim->list != ODDPORT_FLOW_LIST_TCP_CLOSED)
        engine->summary.evicted_flows++;
    fetch_next_to_finish(engine, victim);
    finish_flow(engine, (Flow *)victim, FINISH_EVICTED);
}

static Flow *new_flow(OddportEngine *engine, const FlowKey *key, uint32_t hash, unsigned sender,
                      uint64_t now)
{
    if (engine->summary.max_flows != 0 && engine->flows.count >= engine->summary.max_flows)
        evict_one_flow(engine);
    Flow *flow = oddport_object_pool_take(&engine->flow_memory);
    if (flow == NULL) {
        note_out_of_memory(engine, engine->flows.count);
        return NULL;
    }
    memset(flow, 0, sizeof *flow);
    flow->entry.key = *key;
    flow->entry.hash = hash;
    flow->id = engine->current_position;
    flow->first_seen_ns = now;
    flow->side[sender].sent_first_packet = true;
    oddport_side_init(&flow->side[0].detection, (OddportTransport)key->transport);
    oddport_side_init(&flow->side[1].detection, (OddportTransport)key->transport);
    OddportFlowList list = key->transport == ODDPORT_TRANSPORT_TCP ? ODDPORT_FLOW_LIST_TCP_OPEN
                                                                   : ODDPORT_FLOW_LIST_UDP;
    if (!oddport_flow_table_insert(&engine->flows, &flow->entry, list, engine->current_position)) {
        oddport_object_pool_give_back(&engine->flow_memory, flow);
        note_out_of_memory(engine, engine->flows.count);
        return NULL;
    }
    return flow;
}

/* Returns false when the packet needed a new flow and there was no memory for it. Always
 * inline: the per-packet path of both callers, one thread's and a worker's. */
G_ALWAYS_INLINE static inline bool process_packet(OddportEngine *engine,
                                                  const OddportDispatchedPacket *packet)
{
    const FlowKey *key = &packet->key;
    unsigned sender = packet->sender;
    uint64_t now = packet->timestamp_ns;
    Flow *flow = (Flow *)oddport_flow_table_lookup(&engine->flows, key, packet->hash);
    bool is_tcp = key->transport == ODDPORT_TRANSPORT_TCP;
    bool is_syn =
        is_tcp && (packet->tcp_flags & (ODDPORT_TCP_SYN | ODDPORT_TCP_ACK)) == ODDPORT_TCP_SYN;
    /* Idle past its timeout, a flow is over whether or not a sweep has found it yet (sweeps
     * come once a second of packet time, and only while packets come): its 5-tuple's next packet
     * starts another, as after a sweep. */
    if (flow != NULL && oddport_flow_table_entry_expired(&engine->flows, &flow->entry, now)) {
        finish_flow(engine, flow, FINISH_REOPENED);
        flow = NULL;
    }
    if (flow != NULL && is_syn) {
        const FlowSide *side = &flow->side[sender];
        if (oddport_syn_starts_connection(flow_is_closed(flow), side->sent_syn, side->syn_sequence,
                                          packet->sequence)) {
            finish_flow(engine, flow, FINISH_REOPENED);
            flow = NULL;
        }
    }
    if (flow == NULL)
        flow = new_flow(engine, key, packet->hash, sender, now);
    if (flow == NULL)
        return false;

    FlowSide *side = &flow->side[sender];
    if (now > flow->entry.last_seen_ns)
        flow->entry.last_seen_ns = now;
    side->packets++;
    side->bytes += packet->wire_length;

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
            side->sent_reset = true;
    }
    /* Most of a long flow's packets come after detection is over: they skip the call. */
    if (packet->payload_captured > 0 && !oddport_side_detection_done(&side->detection)) {
        if (!side->detection.decided)
            side->deciding_position = engine->current_position;
        if (!is_tcp)
            oddport_side_feed_datagram(&side->detection, packet->payload, packet->payload_captured);
        else
            /* A SYN may carry data (TCP Fast Open); it starts after the SYN's own number. */
            oddport_side_feed_segment(
                &side->detection, packet->sequence + (packet->tcp_flags & ODDPORT_TCP_SYN ? 1 : 0),
                packet->payload, packet->payload_captured);
    }

    OddportFlowList which = !is_tcp                ? ODDPORT_FLOW_LIST_UDP
                            : flow_is_closed(flow) ? ODDPORT_FLOW_LIST_TCP_CLOSED
                                                   : ODDPORT_FLOW_LIST_TCP_OPEN;
    oddport_flow_table_touch(&engine->flows, &flow->entry, which, engine->current_position);
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
    note_capture_start(engine, capture, engine->frames_before_capture);
    engine->capture_frames = 0;
    engine->link_type_uses = g_array_new(FALSE, TRUE, sizeof(LinkTypeUse));
    engine->last_link_type = UINT32_MAX;
    if (engine->worker_count > 1 && engine->workers == NULL) {
        engine->workers = oddport_workers_new(engine->worker_count, engine, engine->rules,
                                              engine->summary.max_flows, engine->prepare_format);
        if (engine->workers == NULL)
            engine->worker_count = 1;
    }
    if (engine->workers != NULL)
        oddport_workers_set_context(engine->workers, capture, engine->frames_before_capture,
                                    engine->summary.precision_digits);
}

/* Payloads read into memory, not mapped (a pipe, a compressed file, a machine where mapping costs
 * more than reading), are borrowed by the workers' batches from the reader's windows, up to this
 * much memory; beyond it, as when records are tens of KiB long and many batches are out, they are
 * copied into the batches, as every payload once was. At -j 2 with captures read, borrowing took
 * 0.84 to 0.92 of the time of 250k to 4M packets of long flows and of 1M and 4M of short ones
 * (7 to 11 alternating rounds), and 0.72 to 0.92 of the processor time; peak memory grew by up to
 * 9 MiB. The same 4 MiB at most took longer than copying on long flows. */
#define HELD_WINDOWS_MAX_BYTES ((size_t)32 << 20)
/* Windows the workers are done with are handed back after this many packets: a few times in each
 * window of long flows' records. */
enum { RELEASE_WINDOWS_EVERY = 256 };

/* With workers: the packet goes to the worker that holds its flow, and the idle sweep the
 * engine would make now goes to every worker, at the same place in the run. */
static OddportRecordOutcome dispatch_packet(OddportEngine *engine,
                                            const OddportDispatchedPacket *packet)
{
    size_t payload_offset = (size_t)((uintptr_t)packet->payload - (uintptr_t)engine->mapped_start);
    /* A packet without payload has no bytes for its worker to read, nor one the reading thread
     * runs at once, as it runs every packet once it keeps every flow. */
    bool payload_kept = packet->payload_captured == 0 || engine->reading_keeps_every_flow ||
                        (engine->mapped_start != NULL && payload_offset <= engine->mapped_size &&
                         packet->payload_captured <= engine->mapped_size - payload_offset);
    uint64_t window = ODDPORT_NO_WINDOW;
    if (!payload_kept && engine->reading != NULL &&
        oddport_capture_held_bytes(engine->reading) < HELD_WINDOWS_MAX_BYTES)
        payload_kept = oddport_capture_hold_window(engine->reading, packet->payload,
                                                   packet->payload_captured, &window);
    engine->windows_held |= window != ODDPORT_NO_WINDOW;
    oddport_workers_dispatch(engine->workers, packet, payload_kept, window);
    if (engine->windows_held && ++engine->dispatched_since_release >= RELEASE_WINDOWS_EVERY) {
        engine->dispatched_since_release = 0;
        oddport_capture_release_windows(engine->reading,
                                        oddport_workers_oldest_window(engine->workers));
        engine->windows_held = oddport_capture_held_bytes(engine->reading) > 0;
    }
    sweep_if_due(engine);
    uint64_t flows_open;
    if (oddport_workers_through(engine->workers, engine->current_position) &&
        !engine->summary.out_of_memory &&
        oddport_workers_out_of_memory(engine->workers, &flows_open))
        note_out_of_memory(engine, flows_open);
    /* Which flow it joins is known only to its worker, later. */
    return (OddportRecordOutcome){ODDPORT_DECODE_OK, 0};
}

/* A record that gives no flow a packet still moves packet time on: flows idle past their
 * timeouts by then are over, as they are when a TCP or UDP packet comes at that time, so that a
 * capture ending with other packets (ESP, ARP) long after a flow's last does not leave that flow
 * open at the end, and a run over parts, which times flows out against each part's last packet
 * of any kind, agrees. The sweep comes after the record, as after a flow's packet. */
static OddportRecordOutcome skip_record(OddportEngine *engine, OddportDecodeStatus status)
{
    sweep_if_due(engine);
    return (OddportRecordOutcome){status, 0};
}

OddportRecordOutcome oddport_engine_feed_record(OddportEngine *engine, const OddportRecord *record)
{
    OddportCaptureSummary *capture = engine->capture;
    g_return_val_if_fail(capture != NULL, ((OddportRecordOutcome){ODDPORT_SKIP_NOT_IP, 0}));
    engine->last_flow = NULL;
    uint64_t frame = record->frame_number != 0 ? record->frame_number : engine->capture_frames + 1;
    if (frame > engine->capture_frames)
        engine->capture_frames = frame;
    engine->current_position = engine->frames_before_capture + frame;
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
        return skip_record(engine, ODDPORT_SKIP_OUTSIDE_TIME_WINDOW);
    }
    /* Digests are taken only where they matter: within the time earlier captures covered, and
     * where a later capture may come back to. */
    bool maybe_covered = engine->any_covered && record->timestamp_ns <= engine->covered_until_ns;
    if (maybe_covered || record->timestamp_ns >= engine->remember_from_ns) {
        uint64_t content_hash = record_content_hash(record);
        uint64_t microsecond = record->timestamp_ns / REPEAT_TIME_UNIT_NS;
        uint64_t digest = record_digest(content_hash, microsecond);
        bool repeated = false;
        /* From two microseconds before, or from the first where the time is smaller. */
        uint64_t earliest = microsecond >= REPEAT_TIME_SLACK ? microsecond - REPEAT_TIME_SLACK : 0;
        for (uint64_t near = earliest;
             maybe_covered && !repeated && near <= microsecond + REPEAT_TIME_SLACK; near++)
            repeated = digest_set_contains(&engine->remembered,
                                           near == microsecond ? digest
                                                               : record_digest(content_hash, near));
        /* Without a full record of what came before, a packet in covered time is taken for a
         * repeat: counting it twice would be the worse error. */
        bool judged_by_time = maybe_covered && !repeated && engine->remembered.overflowed;
        if (repeated || judged_by_time) {
            engine->judged_by_time += judged_by_time;
            capture->skipped[ODDPORT_SKIP_OVERLAPPING_CAPTURE]++;
            return skip_record(engine, ODDPORT_SKIP_OVERLAPPING_CAPTURE);
        }
        if (record->timestamp_ns >= engine->remember_from_ns)
            digest_set_add(&engine->remembered, digest);
    }
    if (engine->filter_expression != NULL) {
        CompiledFilter *filter = filter_for(engine, record->link_type, capture);
        struct pcap_pkthdr header = {.caplen = record->captured_length, .len = record->wire_length};
        if (!filter->usable ||
            engine->pcap->offline_filter(&filter->program, &header, record->data) == 0) {
            capture->skipped[ODDPORT_SKIP_FILTERED]++;
            return skip_record(engine, ODDPORT_SKIP_FILTERED);
        }
    }
    OddportPacket packet;
    OddportDecodeStatus status =
        oddport_decode_frame(record->link_type, record->data, record->captured_length, &packet);
    if (status != ODDPORT_DECODE_OK) {
        capture->skipped[status]++;
        if (status == ODDPORT_SKIP_UNSUPPORTED_LINK_TYPE)
            note_link_type(engine->link_type_uses, capture, record->link_type, true);
        return skip_record(engine, status);
    }
    OddportDispatchedPacket flow_packet = {
        .payload = packet.payload,
        .payload_captured = (uint32_t)packet.payload_captured,
        .sequence = packet.sequence,
        .wire_length = record->wire_length,
        .tcp_flags = packet.tcp_flags,
        .timestamp_ns = record->timestamp_ns,
        .position = engine->current_position,
    };
    flow_packet.sender = (uint8_t)make_flow_key(&packet, &flow_packet.key, &flow_packet.hash);
    if (engine->workers != NULL)
        return dispatch_packet(engine, &flow_packet);
    if (!process_packet(engine, &flow_packet)) {
        /* Reading ends here: the record counts as not read, so the report still adds up. */
        capture->packets--;
        capture->bytes -= record->wire_length;
        return (OddportRecordOutcome){ODDPORT_DECODE_OK, 0};
    }
    uint64_t flow_id = engine->last_flow->id;
    sweep_if_due(engine);
    return (OddportRecordOutcome){ODDPORT_DECODE_OK, flow_id};
}

void oddport_engine_end_capture(OddportEngine *engine)
{
    OddportCaptureSummary *capture = engine->capture;
    if (capture == NULL)
        return;
    if (engine->workers != NULL)
        oddport_workers_drain(engine->workers,
                              engine->frames_before_capture + engine->capture_frames);
    GArray *uses = engine->link_type_uses;
    for (guint index = 0; index < uses->len; index++) {
        const LinkTypeUse *use = &g_array_index(uses, LinkTypeUse, index);
        if (use->skipped == 0)
            continue;
        char buffer[24];
        g_ptr_array_add(capture->warnings,
                        g_strdup_printf("link type %u (%s) is not supported: %" G_GUINT64_FORMAT
                                        " packet%s skipped",
                                        (unsigned)use->link_type,
                                        oddport_link_type_name(use->link_type, buffer),
                                        use->skipped, use->skipped == 1 ? "" : "s"));
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
        /* To as late as a copy may place that packet. */
        engine->covered_until_ns = repeat_time_floor(capture->last_seen_ns) +
                                   (REPEAT_TIME_SLACK + 1) * REPEAT_TIME_UNIT_NS - 1;
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
    if (engine->workers != NULL)
        oddport_workers_set_context(engine->workers, capture, engine->frames_before_capture,
                                    summary->precision_digits);
}

bool oddport_engine_describe_last_flow(const OddportEngine *engine, OddportFlowVerdict *verdict,
                                       OddportFlowReport *report)
{
    if (engine->last_flow == NULL)
        return false;
    classify_open_flow(engine, engine->last_flow, verdict);
    bool detection_done[2];
    note_detection_done(engine->last_flow, detection_done);
    describe_flow(engine, engine->last_flow, verdict, false, detection_done, report);
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

bool oddport_engine_last_flow_reads_details(const OddportEngine *engine)
{
    const Flow *flow = engine->last_flow;
    return flow != NULL && (flow->side[0].detection.reading_later_details ||
                            flow->side[1].detection.reading_later_details);
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

/* Once the workers' pace is judged, has a thread of the reader's read the file ahead when the
 * reading thread sets the pace: where a file is read rather than mapped, the kernel's copy of it
 * into the reader's windows is then a quarter of the reading thread's time or more, and taken
 * off it. Where the workers set the pace, reading ahead only adds work on the cores they need:
 * its copy then crosses from one core's cache to the other's. At -j 2 on two cores, against
 * never reading ahead, reading ahead from the start took 0.72 to 0.81 of the time on 1M packets
 * of long flows and 0.70 to 0.90 on 4M, but 1.02 to 1.05 on 1M of short flows (7 to 11
 * alternating rounds, two sets); judged, 0.75 to 0.89 and 0.81 to 0.86 on long flows, while
 * short flows and a SYN flood were not read ahead. Returns whether the pace is judged. */
static bool read_ahead_if_it_pays(OddportEngine *engine, OddportCaptureReader *reader)
{
    OddportPace pace = engine->read_ahead == ODDPORT_READ_AHEAD_AS_IF_READING_SETS_PACE
                           ? ODDPORT_PACE_SET_BY_READING
                           : oddport_workers_pace(engine->workers);
    /* Read ahead, the reading thread keeps every flow too (oddport_workers_keep_every_flow).
     * Not otherwise: kept by it from the start without reading ahead, 1M and 4M packets of long
     * flows took 1.15 to 1.21 times -j 1's time, sharing them 1.00 to 1.13 (JSON, 7 and 5
     * alternating rounds). */
    if (pace == ODDPORT_PACE_SET_BY_READING && oddport_capture_read_ahead(reader))
        engine->reading_keeps_every_flow =
            oddport_workers_keep_every_flow(engine->workers, engine->current_position);
    return pace != ODDPORT_PACE_NOT_YET_JUDGED;
}

/* How a capture read with workers begins: read ahead from the start or not at all, as asked or
 * as a run whose reading thread keeps every flow goes on, or with the pace to judge. Returns
 * whether the pace is judged. */
static bool begin_with_workers(OddportEngine *engine, OddportCaptureReader *reader)
{
    if (engine->read_ahead == ODDPORT_READ_AHEAD_NEVER)
        return false;
    /* A pipe or a compressed capture after the first is not read ahead: a reading thread that
     * keeps every flow keeps them all the same. */
    if (engine->read_ahead == ODDPORT_READ_AHEAD_ALWAYS || engine->reading_keeps_every_flow) {
        (void)oddport_capture_read_ahead(reader);
        return false;
    }
    oddport_workers_judge_pace(engine->workers);
    return true;
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
    if (!oddport_capture_mapped_file(reader, &engine->mapped_start, &engine->mapped_size)) {
        engine->mapped_start = NULL;
        engine->mapped_size = 0;
    }
    /* A compressed file is mapped, but its records lie in the reader's windows. */
    engine->reading = reader;
    /* With workers, the reading thread may be the one the others wait for: see
     * read_ahead_if_it_pays. */
    bool judging_pace = engine->workers != NULL && begin_with_workers(engine, reader);
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
                                capture->packets, engine->summary.flows_open_when_out_of_memory));
            break;
        }
        if (capture->packets % STOP_CHECK_EVERY_PACKETS != 0)
            continue;
        if (judging_pace)
            judging_pace = !read_ahead_if_it_pays(engine, reader);
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
    /* Ending the capture waits for the workers to be done with its bytes. */
    oddport_engine_end_capture(engine);
    engine->mapped_start = NULL;
    engine->mapped_size = 0;
    engine->reading = NULL;
    engine->windows_held = false;
    oddport_capture_close(reader);
    return true;
}

/* A flow open at the end, beside its id, so that sorting them reads no flow. */
typedef struct {
    uint64_t id;
    Flow *flow;
} FlowById;

static int compare_flows_by_id(gconstpointer left_pointer, gconstpointer right_pointer)
{
    const FlowById *left = left_pointer;
    const FlowById *right = right_pointer;
    return left->id < right->id ? -1 : left->id > right->id;
}

/* How many slots ahead the gathering asks for a flow's id: far enough for the memory to answer
 * in time, with the flows scattered over the heap. */
enum { GATHER_FETCH_AHEAD_SLOTS = 16 };

void oddport_engine_add_warning(OddportEngine *engine, const char *warning)
{
    g_ptr_array_add(engine->summary.warnings, g_strdup(warning));
}

void oddport_engine_finish(OddportEngine *engine)
{
    if (engine->workers != NULL) {
        oddport_workers_finish(engine->workers);
        engine->summary.evicted_flows = oddport_workers_evicted_flows(engine->workers);
        oddport_summary_add_run_warnings(&engine->summary);
        return;
    }
    oddport_engine_finish_open_flows(engine, G_MAXSIZE);
    oddport_summary_add_run_warnings(&engine->summary);
}

bool oddport_engine_finish_open_flows(OddportEngine *engine, size_t most)
{
    /* Finish in the order flows began, so the output reads like the capture. No packet comes
     * any more, so the table lets go of them all at once and the finishing array owns them: a
     * flood ends with hundreds of thousands of flows open, and taking each out of the index
     * alone, or comparing them where they lie while sorting, would wait on memory every time. */
    if (engine->finishing == NULL) {
        OddportFlowTable *table = &engine->flows;
        GArray *by_id = g_array_sized_new(FALSE, FALSE, sizeof(FlowById), (guint)table->count);
        for (size_t index = 0; index <= table->mask; index++) {
            size_t ahead = index + GATHER_FETCH_AHEAD_SLOTS;
            if (ahead <= table->mask && table->slots[ahead].entry != NULL)
                __builtin_prefetch(&((const Flow *)table->slots[ahead].entry)->id);
            Flow *flow = (Flow *)table->slots[index].entry;
            if (flow != NULL) {
                FlowById item = {flow->id, flow};
                g_array_append_val(by_id, item);
            }
        }
        g_array_sort(by_id, compare_flows_by_id);
        engine->finishing = by_id;
        oddport_flow_table_forget_all(table);
        engine->finishing_next = 0;
    }
    GArray *ordered = engine->finishing;
    guint end = ordered->len - engine->finishing_next > most ? engine->finishing_next + (guint)most
                                                             : ordered->len;
    for (; engine->finishing_next < end; engine->finishing_next++)
        finish_flow(engine, g_array_index(ordered, FlowById, engine->finishing_next).flow,
                    FINISH_AT_END);
    if (engine->finishing_next < ordered->len)
        return true;
    g_clear_pointer(&engine->finishing, g_array_unref);
    return false;
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
    /* Before the engine's own state: the workers' flows borrow its captures and rules. */
    oddport_workers_free(engine->workers);
    for (size_t index = 0; index <= engine->flows.mask; index++)
        if (engine->flows.slots[index].entry != NULL)
            free_flow((Flow *)engine->flows.slots[index].entry);
    oddport_flow_table_clear(&engine->flows);
    /* Once finishing at the end began, the flows not finished yet are the array's. */
    if (engine->finishing != NULL) {
        for (guint index = engine->finishing_next; index < engine->finishing->len; index++)
            free_flow(g_array_index(engine->finishing, FlowById, index).flow);
        g_array_unref(engine->finishing);
    }
    oddport_tally_free(engine->tally);
    g_ptr_array_unref(engine->summary.captures);
    g_ptr_array_unref(engine->summary.warnings);
    free_filters(engine);
    g_array_unref(engine->filters);
    g_free(engine->filter_expression);
    if (engine->link_type_uses != NULL)
        g_array_unref(engine->link_type_uses);
    free_memory_reserve(engine);
    g_free(engine->remembered.slots);
    g_array_unref(engine->capture_starts);
    oddport_engine_stop_preparing(engine);
    oddport_object_pool_clear(&engine->flow_memory);
    if (engine->spare_finished != NULL)
        g_ptr_array_unref(engine->spare_finished);
    g_free(engine);
}

void oddport_engine_set_workers(OddportEngine *engine, unsigned count)
{
    g_return_if_fail(engine->workers == NULL);
    engine->worker_count = count > 0 ? count : 1;
}

void oddport_engine_set_read_ahead(OddportEngine *engine, OddportReadAhead read_ahead)
{
    engine->read_ahead = read_ahead;
}

void oddport_engine_prepare_flows(OddportEngine *engine, const OddportReportFormat *format)
{
    g_return_if_fail(engine->preparer == NULL);
    bool can_prepare = format != NULL && format->prepare_flow != NULL &&
                       (format->preparer_new == NULL) == (format->preparer_free == NULL);
    engine->prepare_format = can_prepare ? format : NULL;
}

void oddport_engine_stop_preparing(OddportEngine *engine)
{
    if (engine->preparer != NULL)
        engine->prepare_format->preparer_free(engine->preparer);
    engine->preparer = NULL;
    engine->prepare_format = NULL;
}

void oddport_engine_set_finished_handler(OddportEngine *engine, OddportFinishedFlowHandler handler,
                                         void *user_data)
{
    engine->finished_handler = handler;
    engine->finished_data = user_data;
    /* The reading engine keeps the run's one reserve: a reserve per worker would only take
     * address space from the flows. */
    free_memory_reserve(engine);
}

void oddport_engine_set_context(OddportEngine *engine, const OddportCaptureSummary *capture,
                                uint64_t frames_before_capture, unsigned precision_digits)
{
    /* A worker only reads the capture's path, when it describes a flow; the reading engine owns
     * and fills the capture. */
    note_capture_start(engine, capture, frames_before_capture);
    engine->summary.precision_digits = precision_digits;
}

bool oddport_engine_apply_packet(OddportEngine *engine, const OddportDispatchedPacket *dispatched)
{
    engine->current_position = dispatched->position;
    return process_packet(engine, dispatched);
}

const OddportFlowTable *oddport_engine_flow_table(const OddportEngine *engine)
{
    return &engine->flows;
}

void oddport_engine_sweep(OddportEngine *engine, uint64_t now_ns, uint64_t position)
{
    engine->now_ns = now_ns;
    engine->current_position = position;
    expire_idle_flows(engine);
}

void oddport_engine_deliver_finished(OddportEngine *engine, const OddportFinishedFlow *finished)
{
    oddport_tally_add_flow(engine->tally, &finished->report);
    if (engine->sink != NULL)
        engine->sink(&finished->report, engine->sink_data);
}

void oddport_engine_release_finished(OddportFinishedFlow *finished)
{
    if (finished->flow != NULL)
        free_flow(finished->flow);
    free_finished_record(finished);
}

/* How many flows ahead of the one taken back their memory is asked for: the delivering thread
 * read them last, so their lines come from the other core's cache, and taken one after another
 * each line was a wait (on a flood at -j 2, clearing their streams alone was 8.7% of the run). */
enum { RECYCLE_AHEAD = 8 };

void oddport_engine_recycle_finished(OddportEngine *engine, OddportFinishedFlow *const *finished,
                                     size_t count)
{
    for (size_t index = 0; index < count; index++) {
        /* Two steps: the record's pointers first, then the flow they lead to. */
        if (index + 2 * RECYCLE_AHEAD < count)
            __builtin_prefetch(&finished[index + 2 * RECYCLE_AHEAD]->flow);
        if (index + RECYCLE_AHEAD < count && finished[index + RECYCLE_AHEAD]->flow != NULL)
            oddport_fetch_for_writing(finished[index + RECYCLE_AHEAD]->flow, sizeof(Flow));
        GString *prepared = finished[index]->prepared;
        if (prepared != NULL && prepared->allocated_len > PREPARED_KEPT_MAX) {
            g_string_free(prepared, TRUE);
            finished[index]->prepared = NULL;
        }
        if (finished[index]->flow != NULL)
            recycle_flow(engine, finished[index]->flow);
        keep_spare(&engine->spare_finished, finished[index], free_finished_record);
    }
}
