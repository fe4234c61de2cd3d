/* Worker threads for -j: packets out by flow hash, finished flows back in one-engine order. */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include <glib.h>

#include "internal/engine_workers.h"
#include "internal/prefetch.h"
#include "oddport/protocol.h"

/* Three kinds of threads: the reading thread (the engine's caller) decodes records and gathers
 * packets into batches, one worker per share of the flows runs them through its own engine, and
 * one delivering thread puts the flows the workers finished back in order and hands them to the
 * reading engine's tally and sink (the report). Batches go round: reader, worker, delivering
 * thread, and back to the reader, empty. The reader and the delivering thread each do a part of
 * what one thread did, so neither limits the run while the workers have the rest. The first
 * worker may be the reading thread itself (see reading_thread_share): its share of the flows
 * runs as the records are read, with no messages, and its batches carry only the flows it
 * finished. Where the reading thread sets the pace, it may run the worker thread's engine too,
 * the same way, for the rest of the run (oddport_workers_keep_every_flow): the worker thread
 * then waits for the end of the input, when it finishes its flows, and the delivering thread
 * writes every flow out.
 *
 * The reader gathers packets for each worker in batches, so that threads meet once per batch
 * rather than once per packet; every GATHER_RECORDS records all batches go out, so that no
 * worker lags far behind the others and finished flows can be delivered in order soon. */
enum {
    BATCH_BYTES = 512 * 1024,
    GATHER_RECORDS = 4096,
    BATCHES_PER_WORKER = 4,
};

/* The flows still open at the end of the input go to the delivering thread a chunk at a time,
 * and a worker finishes its next chunk only once no more than one chunk of its flows waits to be
 * delivered: a flood that ends with many flows open holds a few chunks a worker beyond what one
 * engine would, not every worker's flows twice over at once. Letting one chunk wait, rather than
 * none, lets the worker write its next chunk while the delivering thread writes out the last
 * one; waiting for none made the two take turns (a 500k-packet flood ending with 420,000 flows
 * open took about an eighth longer at -j 2). */
enum { FINISH_CHUNK_FLOWS = 4096 };

/* The part of the flows the reading thread runs itself, as the first of `count` workers; 0 for
 * none, every worker then a thread of its own. The reading thread alone is about two fifths of a
 * one-thread run, so with two workers, two worker threads beside it and the delivering thread
 * would share two cores by time slices; the reading thread takes the share that leaves the one
 * worker thread about as busy as itself and the delivering thread together.
 *
 * One share for every format: which flows share a flow table, and so which are finished early
 * once a table holds its part of --max-flows, follows from the shares, and every format must
 * report the same flows (the text report once counted 15,531 flows finished early where JSON
 * counted 15,582 on one capture, when the JSON, NDJSON and CSV reports, whose worker threads
 * also write each flow's text, took 0.35 and the others 0.20). The shares were chosen by timing
 * -j 2 with other shares on a 2-core machine (alternating runs, medians), on 4M packets in
 * 160,000 short flows, 4M packets in 8,000 long ones and a 5M-packet flood:
 * - JSON, 0.35 against 0.25: 0.91 to 0.94 of the flood's time in three runs, 0.94 to 1.00 of
 *   the short flows' in four; 1.02 of the long flows', whose reading leaves less to share;
 * - JSON again, on captures in 4 KiB pages as a recorder writes them, 0.40 against 0.35: 0.96
 *   to 0.97 of 4M short flows' time in three runs, but 1.03 to 1.06 of a 5M flood's in two
 *   runs (0.98 in a third), 1.00 of 4M long flows' and of 1M flows of mixed lengths; 0.45 and
 *   0.50 were no better on short flows and slower on long ones (1.03, 1.10);
 * - text, 0.20 against 0.10: 0.91 of the flood's time and of the short flows' (quiet host),
 *   1.02 of the long flows'; 0.15 was between, 0.30 slower than 0.20 on all three.
 * With one share for all, JSON's stays; the text report's, at 0.35 rather than 0.20, took 0.87
 * of the time on 4M packets of short flows and 0.77 on 1M of long ones, 1.15 on the 5M flood
 * (alternating rounds, medians, on the same 2-core machine).
 * A larger share made the reading thread the slower, a smaller one the worker. With three or
 * more workers, each worker thread's part falls toward the reading thread's own load, and
 * nothing measured says a share would help. */
static double reading_thread_share(unsigned count)
{
    return count == 2 ? 0.35 : 0;
}

/* After every flow in one engine's order: a worker whose batches have come back through it has
 * finished all its flows. */
static const OddportFinishOrder AFTER_EVERY_FLOW = {UINT64_MAX, UINT64_MAX};

typedef enum {
    MESSAGE_PACKET,
    MESSAGE_PACKET_WITH_BYTES, /* the payload's bytes follow the packet */
    MESSAGE_IPV4_PACKET,       /* an IPv4 flow's packet, its payload in place (CompactMessage) */
    MESSAGE_SWEEP,
    MESSAGE_CONTEXT,
} MessageKind;

/* Every message starts with its kind and its size, header included, a multiple of eight. The
 * two bytes between are a compact packet's own (see CompactMessage). */
typedef struct {
    uint8_t kind;
    uint8_t tcp_flags;
    uint8_t sender;
    uint8_t unused;
    uint32_t size;
} MessageHeader;

/* Unless its bytes follow it, the payload lies in a capture file the reader keeps open until the
 * worker is done with the batch, or in a window of the capture reader's held until then. */
typedef struct {
    MessageHeader header;
    OddportDispatchedPacket dispatched;
} PacketMessage;

/* The packets of IPv4 flows whose payload lies in a capture's mapping or a held window, or who
 * have none, most packets of most captures, go in one cache line rather than PacketMessage's 96
 * bytes (104 then). In a profile of -j 2 on long flows the reading thread, the one the others wait
 * for, spent more time decoding than at -j 1: its stores waited behind the copies of the packets
 * before into the batch, whose lines the worker had last read on the other core. The key's
 * addresses are their four bytes, and the TCP flags and the sender ride in the header. At -j 2 (9
 * to 15 alternating rounds) 4M packets of long flows took 0.87 to 0.97 of their time, of short
 * flows 0.94 to 0.99, a flood 0.98; the processor time stayed the same, the worker rebuilding what
 * the reading thread left out. */
typedef struct {
    MessageHeader header;
    uint32_t hash;
    uint32_t payload_captured;
    uint8_t address[2][4];
    uint16_t port[2];
    uint16_t vlan_id;
    uint8_t transport;
    uint8_t has_vlan;
    uint32_t sequence;
    uint32_t wire_length;
    uint64_t timestamp_ns;
    uint64_t position;
    const uint8_t *payload;
} CompactMessage;

_Static_assert(sizeof(CompactMessage) == ODDPORT_CACHE_LINE, "a compact packet is one line");

typedef struct {
    MessageHeader header;
    uint64_t now_ns;
    uint64_t position;
} SweepMessage;

typedef struct {
    MessageHeader header;
    const OddportCaptureSummary *capture;
    uint64_t frames_before_capture;
    unsigned precision_digits;
} ContextMessage;

_Static_assert(sizeof(SweepMessage) % 8 == 0 && sizeof(ContextMessage) % 8 == 0,
               "messages are multiples of eight bytes long");

typedef struct {
    unsigned worker;
    unsigned slot; /* which of its worker's batches it is, below BATCHES_PER_WORKER */
    /* The reading thread's: the oldest of the capture reader's held windows (see
     * oddport_capture_hold_window) that a packet in the batch borrows its payload from, or
     * ODDPORT_NO_WINDOW. */
    uint64_t oldest_window;
    uint8_t *bytes;
    size_t used;
    size_t capacity;
    /* Every record up to this position meant for this worker is in this batch or an earlier
     * one, as is every sweep made up to it. */
    uint64_t through_position;
    /* After the messages, finish the next chunk of the flows open at the end of the input; the
     * worker's first such batch ends its input. */
    bool finish;
    bool quit; /* the worker ends on it, leaving it untouched */
    /* Filled by the worker: the flows it finished (of OddportFinishedFlow *), in order, and
     * how its engine stands. */
    GPtrArray *finished;
    /* Every flow the worker finishes later comes after this in one engine's order. */
    OddportFinishOrder finished_through;
    bool more_to_finish; /* flows open at the end are left for the next finishing batch */
    /* Filled by the delivering thread: flows of this worker already reported, which the worker
     * frees before its next batch, in the thread that made them. */
    GPtrArray *delivered;
    uint64_t evicted_flows;
} Batch;

/* A worker's finished flows not yet delivered, in finish order: an array read from `head` on,
 * rather than a list, since a flood passes millions through and a list cell is an allocation
 * each, and since an array lets the delivering thread ask for the flows it takes next. */
typedef struct {
    GPtrArray *flows; /* of OddportFinishedFlow * */
    guint head;
} PendingFlows;

static guint pending_count(const PendingFlows *pending)
{
    return pending->flows->len - pending->head;
}

static OddportFinishedFlow *pending_peek(const PendingFlows *pending, guint ahead)
{
    guint index = pending->head + ahead;
    return index < pending->flows->len ? g_ptr_array_index(pending->flows, index) : NULL;
}

/* Flows taken before the rest of the array moves to the front: enough that the move, a copy of
 * the pointers left, is rare beside the flows taken. */
enum { PENDING_COMPACT_MIN = 4096 };

static OddportFinishedFlow *pending_pop(PendingFlows *pending)
{
    OddportFinishedFlow *first = pending_peek(pending, 0);
    if (first == NULL)
        return NULL;
    pending->head++;
    /* Emptied, the array starts over; half taken, the rest moves to the front, so that the
     * array stays about as long as the flows waiting. */
    if (pending->head == pending->flows->len) {
        g_ptr_array_set_size(pending->flows, 0);
        pending->head = 0;
    } else if (pending->head >= PENDING_COMPACT_MIN && pending->head * 2 >= pending->flows->len) {
        g_ptr_array_remove_range(pending->flows, 0, pending->head);
        pending->head = 0;
    }
    return first;
}

/* A cache line's worth of nothing. When one thread writes a line that another reads or writes
 * all the time, the line passes back and forth between their cores: the reading thread counted
 * its records beside the fields the delivering thread reads for every flow, and the delivering
 * thread took each flow beside the batch pointer the reading thread reads for every packet. The
 * fields each thread keeps changing are kept a gap apart from everyone else's, whatever the
 * address their memory starts at (-j 2 took about 3% less processor time). */
typedef struct {
    char bytes[ODDPORT_CACHE_LINE];
} LineGap;

/* How the threads have spent their time so far, in nanoseconds, each NO_TIME where a clock could
 * not be read: the reading thread's processor time, the other threads' together, the wall time,
 * and how long worker threads waited for batches, together. */
typedef struct {
    int64_t reading;
    int64_t others;
    int64_t wall;
    int64_t waited;
} ThreadTimes;

typedef struct {
    /* Set once, then only read. */
    OddportWorkers *workers;
    GThread *thread;
    /* The reading thread's own share of the flows: no thread, its engine run as records are
     * read, its batches carrying only finished flows. */
    bool own_share;
    OddportEngine *engine;     /* its thread's alone, unless run_by_reader */
    GAsyncQueue *inbox;        /* of Batch *, to the worker */
    GAsyncQueue *free_batches; /* of Batch *, emptied, back to the reader */
    LineGap gap_before_worker;
    /* The worker's (the reading thread's while run_by_reader). */
    Batch *current; /* the batch the worker is processing */
    /* The worker thread's processor-time clock, for the reading thread to read once it is set;
     * set as the thread starts, unless the system has none to give. */
    clockid_t processor_clock;
    atomic_bool processor_clock_set;
    /* How long the worker thread has waited for batches, in nanoseconds of wall time. */
    _Atomic int64_t waited_ns;
    /* Written by the worker, read by the reader once any worker ran out. */
    atomic_bool out_of_memory;
    _Atomic uint64_t flows_open;
    LineGap gap_before_reader;
    /* The reading thread's. */
    /* It runs the worker's engine itself, with no messages: the own share's from the start and,
     * while it keeps every flow, every worker's, until the end of the input, which the worker
     * thread finishes. */
    bool run_by_reader;
    unsigned batches_made;
    /* For each batch sent and not yet taken back to be filled, by slot: its oldest_window. */
    uint64_t window_sent[BATCHES_PER_WORKER];
    uint64_t sent_through; /* the position the last batch sent was through */
    Batch *filling;
    bool more_to_finish; /* the own share's last finishing batch left flows to finish */
    LineGap gap_before_delivering;
    /* The delivering thread's. */
    PendingFlows pending;         /* finished, not yet delivered */
    GPtrArray *released;          /* delivered, to go back to the worker with its next batch */
    OddportFinishOrder watermark; /* the latest finished_through come back */
    /* A finishing batch waiting until no more than one chunk of this worker's flows is still to
     * deliver, to go back to the worker for its next chunk. */
    Batch *held;
    uint64_t evicted_flows;
    LineGap gap_after;
} Worker;

struct OddportWorkers {
    unsigned count;
    Worker *workers;
    /* Which worker a flow hash goes to: below `own_share_bound` (0 when there is no own share)
     * to the reading thread's own share, the first worker; the rest spread evenly over the
     * worker threads from `first_thread` on, by `(hash - own_share_bound) * thread_scale >> 32`. */
    uint32_t own_share_bound;
    unsigned first_thread;
    uint64_t thread_scale;
    OddportEngine *reader;
    /* The format whose parts of the report worker threads write as they finish flows. */
    const OddportReportFormat *prepare_format;
    GAsyncQueue *returned; /* of Batch *, from every worker to the delivering thread */
    GThread *delivering;
    clockid_t delivering_clock; /* as Worker.processor_clock */
    atomic_bool delivering_clock_set;
    atomic_bool any_out_of_memory; /* set by the first worker that runs out */
    LineGap gap_before_reader;
    unsigned gathered; /* the reading thread's: records since the batches last went out */
    /* The reading thread's: batches sent to worker threads since oddport_workers_judge_pace,
     * counted up to PACE_JUDGED_BATCHES, and the threads' times when the
     * PACE_WARMED_UP_BATCHES-th was sent. */
    unsigned pace_judged;
    ThreadTimes pace_judged_from;
    /* The reading thread's: it runs every worker's engine (see oddport_workers_keep_every_flow). */
    bool keeping_every_flow;
    LineGap gap_after;
};

/* GLib's queues lock with futexes of their own, which ThreadSanitizer cannot see: in a build
 * with it, each hand-over of a batch (and of everything the batch carries) is declared. */
#if defined(__SANITIZE_THREAD__)
#define ODDPORT_DECLARE_HANDOVERS 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define ODDPORT_DECLARE_HANDOVERS 1
#endif
#endif
#ifdef ODDPORT_DECLARE_HANDOVERS
#include <sanitizer/tsan_interface.h>
#endif

static void pass_batch(GAsyncQueue *queue, Batch *batch)
{
#ifdef ODDPORT_DECLARE_HANDOVERS
    __tsan_release(batch);
#endif
    g_async_queue_push(queue, batch);
}

static Batch *taken(Batch *batch)
{
#ifdef ODDPORT_DECLARE_HANDOVERS
    if (batch != NULL)
        __tsan_acquire(batch);
#endif
    return batch;
}

static Batch *take_batch(GAsyncQueue *queue)
{
    return taken(g_async_queue_pop(queue));
}

static Batch *try_take_batch(GAsyncQueue *queue)
{
    return taken(g_async_queue_try_pop(queue));
}

static void keep_finished(OddportFinishedFlow *finished, void *user_data)
{
    Worker *worker = user_data;
    g_ptr_array_add(worker->current->finished, finished);
}

/* As one engine stops reading when a new flow finds no memory, a worker that ran out takes no
 * more packets, and says so at once so that the reader stops too. */
static void apply_packet(Worker *worker, const OddportDispatchedPacket *packet)
{
    if (atomic_load_explicit(&worker->out_of_memory, memory_order_relaxed))
        return;
    if (!oddport_engine_apply_packet(worker->engine, packet)) {
        const OddportSummary *summary = oddport_engine_summary(worker->engine);
        atomic_store(&worker->flows_open, summary->flows_open_when_out_of_memory);
        atomic_store(&worker->out_of_memory, true);
        atomic_store(&worker->workers->any_out_of_memory, true);
    }
}

/* A compact message made whole again, as the engine takes it. */
static void expand_compact(const CompactMessage *message, OddportDispatchedPacket *packet)
{
    memset(&packet->key, 0, sizeof packet->key);
    for (unsigned side = 0; side < 2; side++) {
        packet->key.address[side].family = 4;
        memcpy(packet->key.address[side].bytes, message->address[side], 4);
        packet->key.port[side] = message->port[side];
    }
    packet->key.vlan_id = message->vlan_id;
    packet->key.transport = message->transport;
    packet->key.has_vlan = message->has_vlan;
    packet->hash = message->hash;
    packet->payload = message->payload;
    packet->payload_captured = message->payload_captured;
    packet->sequence = message->sequence;
    packet->wire_length = message->wire_length;
    packet->tcp_flags = message->header.tcp_flags;
    packet->sender = message->header.sender;
    packet->timestamp_ns = message->timestamp_ns;
    packet->position = message->position;
}

static void apply_message(Worker *worker, const MessageHeader *header)
{
    if (header->kind == MESSAGE_IPV4_PACKET) {
        OddportDispatchedPacket packet;
        expand_compact((const CompactMessage *)header, &packet);
        apply_packet(worker, &packet);
        return;
    }
    const PacketMessage *message = (const PacketMessage *)header;
    if (header->kind == MESSAGE_PACKET_WITH_BYTES) {
        OddportDispatchedPacket packet = message->dispatched;
        packet.payload = (const uint8_t *)(message + 1);
        apply_packet(worker, &packet);
    } else {
        apply_packet(worker, &message->dispatched);
    }
}

/* The worker's engine takes back its flows delivered since the batch last came round. */
static void recycle_delivered(Worker *worker, Batch *batch)
{
    oddport_engine_recycle_finished(worker->engine,
                                    (OddportFinishedFlow *const *)batch->delivered->pdata,
                                    batch->delivered->len);
    g_ptr_array_set_size(batch->delivered, 0);
}

/* Says how the worker stands after the batch's messages: the flows it finished up to the batch's
 * position, or, in a finishing batch, the next chunk of those open at the end. */
static void close_batch(Worker *worker, Batch *batch)
{
    batch->finished_through = (OddportFinishOrder){batch->through_position, UINT64_MAX};
    batch->more_to_finish = false;
    if (batch->finish) {
        batch->more_to_finish =
            oddport_engine_finish_open_flows(worker->engine, FINISH_CHUNK_FLOWS);
        batch->finished_through = AFTER_EVERY_FLOW;
        /* The flows left come after the last one finished, which began before them. */
        if (batch->more_to_finish) {
            const OddportFinishedFlow *last =
                g_ptr_array_index(batch->finished, batch->finished->len - 1);
            batch->finished_through = last->order;
        }
    }
    batch->evicted_flows = oddport_engine_summary(worker->engine)->evicted_flows;
}

static void run_sweep(Worker *worker, const SweepMessage *message)
{
    oddport_engine_sweep(worker->engine, message->now_ns, message->position);
}

static void run_context(Worker *worker, const ContextMessage *message)
{
    oddport_engine_set_context(worker->engine, message->capture, message->frames_before_capture,
                               message->precision_digits);
}

/* A message that is not a packet, in a worker thread's batch: a sweep, or the capture new flows
 * start in. */
static void run_control_message(Worker *worker, const MessageHeader *header)
{
    if (header->kind == MESSAGE_SWEEP)
        run_sweep(worker, (const SweepMessage *)header);
    else
        run_context(worker, (const ContextMessage *)header);
}

/* The kinds of packet come first in MessageKind. */
static bool is_packet(const MessageHeader *header)
{
    return header->kind <= MESSAGE_IPV4_PACKET;
}

/* The next packet in the batch from `offset` on, which it moves past that packet; NULL at the
 * batch's end. */
static const MessageHeader *next_packet(const Batch *batch, size_t *offset)
{
    while (*offset < batch->used) {
        const MessageHeader *header = (const MessageHeader *)(batch->bytes + *offset);
        *offset += header->size;
        if (is_packet(header))
            return header;
    }
    return NULL;
}

static uint32_t packet_hash(const MessageHeader *header)
{
    return header->kind == MESSAGE_IPV4_PACKET ? ((const CompactMessage *)header)->hash
                                               : ((const PacketMessage *)header)->dispatched.hash;
}

/* The payload of a packet that lies in the capture's mapping, and its captured length; NULL for
 * one copied into the batch after its message. */
static const uint8_t *payload_in_place(const MessageHeader *header, size_t *captured)
{
    if (header->kind == MESSAGE_IPV4_PACKET) {
        const CompactMessage *compact = (const CompactMessage *)header;
        *captured = compact->payload_captured;
        return compact->payload;
    }
    if (header->kind == MESSAGE_PACKET) {
        const PacketMessage *whole = (const PacketMessage *)header;
        *captured = whole->dispatched.payload_captured;
        return whole->dispatched.payload;
    }
    return NULL;
}

/* Finding a packet's flow waits on memory twice when many flows are open, for the table's slot
 * and then for the flow it leads to, and a worker's packets come from all its flows in turn, so
 * neither is in the cache. The batch holds the packets to come: a worker asks for the slot of
 * the packet SLOT_AHEAD packets on and, once that has had time to come, for the flow of the
 * packet FLOW_AHEAD on. At -j 2 (alternating runs) it took 7% off a 5M-packet flood's time,
 * where every packet finds a slot and most a new flow, and 2% off 4M packets in 160,000 flows;
 * on 2,000 long flows, whose table stays in the cache, it changed nothing.
 *
 * A payload that lies in the capture's mapping was last read by the reading thread, on the
 * other core, and the first detector to look at it (HTTP's, which every side meets first)
 * waited for it: three fifths of that detector's time at -j 2. So the first PAYLOAD_LINES lines
 * are asked for with the flow. Asked for every packet with a payload, though most of a long
 * flow's are never read, it took 4 to 5% off the worker's time on the 4M packets, and 0 to 2%
 * (JSON) and 4% (text) off the run's (11 alternating runs); long flows were unchanged. */
enum { PAYLOAD_LINES = 2 };
enum { SLOT_AHEAD = 8, FLOW_AHEAD = 4 };

typedef struct {
    const OddportFlowTable *table;
    const Batch *batch;
    size_t slot_offset; /* where the next packet whose slot is asked for lies */
    size_t flow_offset; /* and the next one whose flow is */
} FlowsAhead;

static void ask_for_slot(FlowsAhead *ahead)
{
    const MessageHeader *packet = next_packet(ahead->batch, &ahead->slot_offset);
    if (packet != NULL)
        oddport_flow_table_fetch_slot(ahead->table, packet_hash(packet));
}

static void ask_for_flow(FlowsAhead *ahead)
{
    const MessageHeader *packet = next_packet(ahead->batch, &ahead->flow_offset);
    if (packet == NULL)
        return;
    oddport_flow_table_fetch_entry(ahead->table, packet_hash(packet));
    /* A payload copied into the batch follows its message, in lines already on their way. */
    size_t captured;
    const uint8_t *payload = payload_in_place(packet, &captured);
    if (payload != NULL)
        oddport_fetch_for_reading(payload, MIN(captured, PAYLOAD_LINES * ODDPORT_CACHE_LINE));
}

static void ask_ahead(FlowsAhead *ahead)
{
    ask_for_slot(ahead);
    ask_for_flow(ahead);
}

static void process_batch(Worker *worker, Batch *batch)
{
    recycle_delivered(worker, batch);
    worker->current = batch;
    FlowsAhead ahead = {oddport_engine_flow_table(worker->engine), batch, 0, 0};
    for (unsigned count = 0; count < SLOT_AHEAD - FLOW_AHEAD; count++)
        ask_for_slot(&ahead);
    for (unsigned count = 0; count < FLOW_AHEAD; count++)
        ask_ahead(&ahead);
    for (size_t offset = 0; offset < batch->used;) {
        const MessageHeader *header = (const MessageHeader *)(batch->bytes + offset);
        if (is_packet(header)) {
            ask_ahead(&ahead);
            apply_message(worker, header);
        } else {
            run_control_message(worker, header);
        }
        offset += header->size;
    }
    close_batch(worker, batch);
    worker->current = NULL;
}

/* The worker and delivering threads wake each time a batch comes for them, hundreds of times a
 * second, and Linux lets a thread that wakes from sleep in ahead of one that has been running:
 * with three threads on two cores, each wake-up stopped the reading thread, which the others
 * wait on. As batch threads (SCHED_BATCH) they wait for the next time slice instead, with the
 * same share of the processor, and other programs' interactive work goes first. At -j 2 on two
 * cores, this and the gaps between the threads' fields (see LineGap) took 6 to 9% off the wall
 * time of 4M packets in 160,000 flows, about a seventh off 1M packets in 2,000 long flows, and
 * 1% off a 5M-packet flood (5 to 9 alternating runs; this alone, 3% of the first). Only a hint:
 * where it is refused or unknown, the threads run as they were. */
static void wait_for_time_slices(void)
{
#ifdef SCHED_BATCH
    struct sched_param parameters = {0};
    (void)pthread_setschedparam(pthread_self(), SCHED_BATCH, &parameters);
#endif
}

enum { NO_TIME = -1 };

/* Publishes the calling thread's processor-time clock for other threads to read. */
static void publish_processor_clock(clockid_t *clock, atomic_bool *set)
{
    if (pthread_getcpuclockid(pthread_self(), clock) == 0)
        atomic_store_explicit(set, true, memory_order_release);
}

/* The time on `clock` in nanoseconds, or NO_TIME when it cannot be read. */
static int64_t clock_time(clockid_t clock)
{
    struct timespec time;
    if (clock_gettime(clock, &time) != 0)
        return NO_TIME;
    return (int64_t)time.tv_sec * 1000000000 + time.tv_nsec;
}

/* The processor time on a clock published so, or NO_TIME when there is none. */
static int64_t processor_time(const clockid_t *clock, const atomic_bool *set)
{
    return atomic_load_explicit(set, memory_order_acquire) ? clock_time(*clock) : NO_TIME;
}

static gpointer run_worker(gpointer data)
{
    Worker *worker = data;
    publish_processor_clock(&worker->processor_clock, &worker->processor_clock_set);
    wait_for_time_slices();
    for (;;) {
        int64_t waiting_since = clock_time(CLOCK_MONOTONIC);
        Batch *batch = take_batch(worker->inbox);
        atomic_fetch_add_explicit(&worker->waited_ns, clock_time(CLOCK_MONOTONIC) - waiting_since,
                                  memory_order_relaxed);
        if (batch->quit)
            return NULL;
        process_batch(worker, batch);
        pass_batch(worker->workers->returned, batch);
    }
}

static Batch *batch_new(unsigned worker, unsigned slot)
{
    Batch *batch = g_new0(Batch, 1);
    batch->worker = worker;
    batch->slot = slot;
    batch->capacity = BATCH_BYTES;
    batch->bytes = g_malloc(batch->capacity);
    batch->finished = g_ptr_array_new();
    batch->delivered = g_ptr_array_new();
    return batch;
}

static void batch_free(Batch *batch)
{
    for (guint index = 0; index < batch->finished->len; index++)
        oddport_engine_release_finished(g_ptr_array_index(batch->finished, index));
    g_ptr_array_unref(batch->finished);
    for (guint index = 0; index < batch->delivered->len; index++)
        oddport_engine_release_finished(g_ptr_array_index(batch->delivered, index));
    g_ptr_array_unref(batch->delivered);
    g_free(batch->bytes);
    g_free(batch);
}

/* Takes a batch back from its worker: its flows wait their turn, and it goes back to the reader
 * to be filled again once the flows whose turn has come are delivered. */
static void take_back(OddportWorkers *workers, Batch *batch)
{
    Worker *worker = &workers->workers[batch->worker];
    g_ptr_array_extend(worker->pending.flows, batch->finished, NULL, NULL);
    g_ptr_array_set_size(batch->finished, 0);
    /* A batch sent early for room may say less than one sent before it: saying less than is
     * true only delays delivery. */
    if (oddport_finish_order_compare(&batch->finished_through, &worker->watermark) > 0)
        worker->watermark = batch->finished_through;
    worker->evicted_flows = batch->evicted_flows;
    batch->used = 0;
    batch->finish = batch->more_to_finish;
}

/* How many flows ahead of the one delivered their memory is asked for: a worker wrote them on
 * the other core, and the report reads each flow's record and copies its prepared part. Two
 * steps, as the part is found through the record. */
enum { DELIVER_AHEAD = 4 };

static void fetch_next_to_deliver(const PendingFlows *pending)
{
    const OddportFinishedFlow *far = pending_peek(pending, 2 * DELIVER_AHEAD);
    if (far != NULL)
        oddport_fetch_for_reading(far, sizeof *far);
    const OddportFinishedFlow *near = pending_peek(pending, DELIVER_AHEAD);
    if (near != NULL && near->report.prepared_text != NULL)
        oddport_fetch_for_reading(near->report.prepared_text, near->report.prepared_length);
}

/* Delivers, in order, every finished flow before which no other can come any more: one whose
 * record every worker has gone past. */
static void deliver_ready(OddportWorkers *workers)
{
    OddportFinishOrder watermark = AFTER_EVERY_FLOW;
    for (unsigned index = 0; index < workers->count; index++)
        if (oddport_finish_order_compare(&workers->workers[index].watermark, &watermark) < 0)
            watermark = workers->workers[index].watermark;
    for (;;) {
        Worker *first = NULL;
        const OddportFinishedFlow *first_flow = NULL;
        for (unsigned index = 0; index < workers->count; index++) {
            const OddportFinishedFlow *head = pending_peek(&workers->workers[index].pending, 0);
            if (head != NULL && (first_flow == NULL || oddport_finish_order_compare(
                                                           &head->order, &first_flow->order) < 0)) {
                first = &workers->workers[index];
                first_flow = head;
            }
        }
        if (first == NULL || oddport_finish_order_compare(&first_flow->order, &watermark) > 0)
            return;
        fetch_next_to_deliver(&first->pending);
        OddportFinishedFlow *finished = pending_pop(&first->pending);
        oddport_engine_deliver_finished(workers->reader, finished);
        g_ptr_array_add(first->released, finished);
    }
}

static bool all_finished(const OddportWorkers *workers)
{
    for (unsigned index = 0; index < workers->count; index++)
        if (oddport_finish_order_compare(&workers->workers[index].watermark, &AFTER_EVERY_FLOW) !=
            0)
            return false;
    return true;
}

/* Hands the worker the flows of its own delivered since its last batch, to free. */
static void pass_back(Worker *worker, Batch *batch, GAsyncQueue *queue)
{
    GPtrArray *released = worker->released;
    worker->released = batch->delivered;
    batch->delivered = released;
    pass_batch(queue, batch);
}

/* A worker with at most one chunk of its finished flows still to deliver finishes its next
 * chunk. The worker whose watermark is the lowest always has all its flows delivered, so some
 * worker can always go on. */
static void return_held(OddportWorkers *workers)
{
    for (unsigned index = 0; index < workers->count; index++) {
        Worker *worker = &workers->workers[index];
        if (worker->held != NULL && pending_count(&worker->pending) <= FINISH_CHUNK_FLOWS) {
            pass_back(worker, worker->held, worker->inbox);
            worker->held = NULL;
        }
    }
}

/* The delivering thread: ends when every worker has finished its flows, or on a quit batch. */
static gpointer run_delivering(gpointer data)
{
    OddportWorkers *workers = data;
    publish_processor_clock(&workers->delivering_clock, &workers->delivering_clock_set);
    wait_for_time_slices();
    for (;;) {
        Batch *batch = take_batch(workers->returned);
        if (batch->quit) {
            batch_free(batch);
            return NULL;
        }
        take_back(workers, batch);
        Worker *worker = &workers->workers[batch->worker];
        bool finishing = batch->finish;
        if (finishing)
            worker->held = batch;
        /* Held batches go back before the flows are written out, so that a worker finishes its
         * next chunk meanwhile; returned after, the two took turns. The flows written out next
         * go back to the worker with its following batch, so a worker's flows span up to three
         * chunks at once: one finishing, one being written, one to recycle. */
        return_held(workers);
        deliver_ready(workers);
        /* Back to the reader only now: a reader that has all its batches back knows that every
         * flow finished so far has been delivered. */
        if (!finishing)
            pass_back(worker, batch, worker->free_batches);
        return_held(workers);
        if (all_finished(workers))
            return NULL;
    }
}

/* Each share's bound on open flows: its part of the run's, rounded up (0, no bound, stays 0). */
static uint64_t share_of_flows(uint64_t max_flows, double share)
{
    return max_flows == 0 ? 0 : (uint64_t)((double)max_flows * share) + 1;
}

OddportWorkers *oddport_workers_new(unsigned count, OddportEngine *reader,
                                    const OddportPortRules *rules, uint64_t max_flows,
                                    const OddportReportFormat *prepare_format)
{
    OddportWorkers *workers = g_new0(OddportWorkers, 1);
    workers->count = count;
    double own_share = reading_thread_share(count);
    workers->own_share_bound = (uint32_t)(own_share * 4294967296.0);
    workers->first_thread = own_share > 0 ? 1 : 0;
    unsigned threads = count - workers->first_thread;
    /* Rounded down, so that the last hash still falls to the last worker thread. */
    workers->thread_scale =
        ((uint64_t)threads << 32) / (((uint64_t)1 << 32) - workers->own_share_bound);
    workers->reader = reader;
    workers->prepare_format = prepare_format;
    atomic_init(&workers->delivering_clock_set, false);
    workers->returned = g_async_queue_new();
    workers->workers = g_new0(Worker, count);
    /* Signals are the reading thread's to take: a read from a pipe waiting in it is what a
     * signal must interrupt. The threads inherit the mask. */
    /* Made once per process on first use (g_once_init), by whichever worker classifies a flow
     * first; made here, the workers only read it, and ThreadSanitizer, which cannot see inside
     * GLib's once, sees the threads start after it. */
    (void)oddport_protocol_titles(ODDPORT_TITLES_OR);
    sigset_t all;
    sigset_t before;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &before);
    bool started = true;
    for (unsigned index = 0; index < count; index++) {
        Worker *worker = &workers->workers[index];
        worker->workers = workers;
        atomic_init(&worker->processor_clock_set, false);
        worker->own_share = own_share > 0 && index == 0;
        worker->run_by_reader = worker->own_share;
        double share = worker->own_share ? own_share : (1 - own_share) / threads;
        worker->engine = oddport_engine_new(rules, NULL, NULL);
        oddport_engine_set_max_flows(worker->engine, share_of_flows(max_flows, share));
        oddport_engine_set_finished_handler(worker->engine, keep_finished, worker);
        /* The reading thread's own flows are written out by the delivering thread, as one
         * engine writes its flows, rather than into a text of their own: the reading thread
         * writing them made them travel through memory twice, into the text and from it. A
         * flood at -j 2 took 0.92 of its time (CPU 0.91); others were unchanged (0.98 to 1.01,
         * 7 to 11 alternating rounds). */
        oddport_engine_prepare_flows(worker->engine, worker->own_share ? NULL : prepare_format);
        worker->inbox = g_async_queue_new();
        worker->free_batches = g_async_queue_new();
        worker->pending.flows = g_ptr_array_new();
        worker->released = g_ptr_array_new();
        if (worker->own_share)
            continue;
        char name[32];
        g_snprintf(name, sizeof name, "oddport-work-%u", index + 1);
        worker->thread = g_thread_try_new(name, run_worker, worker, NULL);
        started = started && worker->thread != NULL;
    }
    if (started)
        workers->delivering = g_thread_try_new("oddport-deliver", run_delivering, workers, NULL);
    pthread_sigmask(SIG_SETMASK, &before, NULL);
    if (workers->delivering == NULL) {
        oddport_workers_free(workers);
        return NULL;
    }
    return workers;
}

/* The batch being filled for a worker; waits for one to come back when all are out. */
static Batch *filling_batch(OddportWorkers *workers, Worker *worker)
{
    if (worker->filling != NULL)
        return worker->filling;
    Batch *batch = try_take_batch(worker->free_batches);
    if (batch == NULL && worker->batches_made < BATCHES_PER_WORKER) {
        batch = batch_new((unsigned)(worker - workers->workers), worker->batches_made);
        worker->batches_made++;
    }
    if (batch == NULL)
        batch = take_batch(worker->free_batches);
    /* Back, its worker is done with every payload it borrowed. */
    worker->window_sent[batch->slot] = ODDPORT_NO_WINDOW;
    batch->oldest_window = ODDPORT_NO_WINDOW;
    worker->filling = batch;
    if (worker->run_by_reader) {
        recycle_delivered(worker, batch);
        worker->current = batch;
    }
    return batch;
}

/* The pace is judged on how the threads spent the time while the reading thread sent worker
 * threads their 5th to 16th batches (the first few go to threads that are starting, into memory
 * not yet touched): the reading thread sets it when the other threads together took less than
 * three fifths of its processor time and the worker threads waited for batches more than half
 * of the time. The first alone was fooled by other programs: a worker thread they keep from
 * running takes little processor time, yet has batches waiting. At -j 2 on two cores (files
 * read, not mapped), the others took 0.18 to 0.50 of the reading thread's processor time on
 * 250k, 1M and 4M packets of long flows, 0.58 to 2.08 on short flows and 0.75 to 1.52 on a SYN
 * flood (JSON and text, 2 to 5 runs each); the worker waited 0.61 to 0.86 of the time on long
 * flows, 0.03 to 0.30 on short ones, 0.07 to 0.32 on the flood, and with three or four
 * programs spinning beside it, 0.80 and more on long flows, 0.15 to 0.34 on the flood. Over the
 * whole run, the others' processor time was 0.07 to 0.20, 0.44 to 0.61 and 2.5 of the reading
 * thread's. A short-flow capture judged the other way costs little (1M and 4M short flows kept
 * by the reading thread from 4,096 packets on: 0.96 to 1.17 of the speed of sharing them, JSON
 * and text, two sets of 7 alternating rounds), a flood in text more (0.75 and 0.80, 3 rounds).
 * Whether the worker thread had every earlier batch done as the next was sent, the judgement
 * used before, told long flows from short on 32 batches but not on 16 on a busy machine: five
 * long-flow runs of eight were missed. */
enum { PACE_WARMED_UP_BATCHES = 4, PACE_JUDGED_BATCHES = 16 };

/* The threads' times now, read from the reading thread. */
static ThreadTimes thread_times(const OddportWorkers *workers)
{
    ThreadTimes times = {clock_time(CLOCK_THREAD_CPUTIME_ID),
                         processor_time(&workers->delivering_clock, &workers->delivering_clock_set),
                         clock_time(CLOCK_MONOTONIC), 0};
    for (unsigned index = 0; index < workers->count; index++) {
        const Worker *worker = &workers->workers[index];
        if (worker->own_share)
            continue;
        int64_t time = processor_time(&worker->processor_clock, &worker->processor_clock_set);
        times.others = times.others == NO_TIME || time == NO_TIME ? NO_TIME : times.others + time;
        times.waited += atomic_load_explicit(&worker->waited_ns, memory_order_relaxed);
    }
    return times;
}

/* Whether every clock of `times` could be read (the waiting is counted, never read). */
static bool thread_times_read(const ThreadTimes *times)
{
    return times->reading != NO_TIME && times->others != NO_TIME && times->wall != NO_TIME;
}

static void judge_pace(OddportWorkers *workers)
{
    if (workers->pace_judged >= PACE_JUDGED_BATCHES)
        return;
    workers->pace_judged++;
    if (workers->pace_judged == PACE_WARMED_UP_BATCHES)
        workers->pace_judged_from = thread_times(workers);
}

void oddport_workers_judge_pace(OddportWorkers *workers)
{
    workers->pace_judged = 0;
}

OddportPace oddport_workers_pace(const OddportWorkers *workers)
{
    if (workers->pace_judged < PACE_JUDGED_BATCHES)
        return ODDPORT_PACE_NOT_YET_JUDGED;
    ThreadTimes from = workers->pace_judged_from;
    ThreadTimes now = thread_times(workers);
    if (!thread_times_read(&from) || !thread_times_read(&now))
        return ODDPORT_PACE_SET_BY_WORKERS;
    int64_t reading = now.reading - from.reading;
    int64_t others = now.others - from.others;
    int64_t waited = now.waited - from.waited;
    /* Each worker thread may have waited the whole span. */
    int64_t could_wait = (now.wall - from.wall) * (workers->count - workers->first_thread);
    bool others_idle = 5 * others < 3 * reading && 2 * waited > could_wait;
    return others_idle ? ODDPORT_PACE_SET_BY_READING : ODDPORT_PACE_SET_BY_WORKERS;
}

static void send_batch(Worker *worker, uint64_t through_position)
{
    Batch *batch = worker->filling;
    batch->through_position = through_position;
    worker->window_sent[batch->slot] = batch->oldest_window;
    worker->sent_through = through_position;
    worker->filling = NULL;
    if (worker->run_by_reader) {
        close_batch(worker, batch);
        worker->current = NULL;
        worker->more_to_finish = batch->more_to_finish;
        pass_batch(worker->workers->returned, batch);
        return;
    }
    judge_pace(worker->workers);
    pass_batch(worker->inbox, batch);
}

/* Room for a message of `size` bytes (a multiple of eight) at the end of the worker's batch. A
 * full batch goes out first, with everything before `position`. */
static void *append_message(OddportWorkers *workers, Worker *worker, MessageKind kind, size_t size,
                            uint64_t position)
{
    Batch *batch = filling_batch(workers, worker);
    if (batch->used + size > batch->capacity && batch->used > 0) {
        send_batch(worker, position - 1);
        batch = filling_batch(workers, worker);
    }
    if (size > batch->capacity) {
        batch->capacity = size;
        batch->bytes = g_realloc(batch->bytes, size);
    }
    MessageHeader *header = (MessageHeader *)(batch->bytes + batch->used);
    *header = (MessageHeader){.kind = (uint8_t)kind, .size = (uint32_t)size};
    batch->used += size;
    return header;
}

static size_t round_up_to_eight(size_t size)
{
    return (size + 7) & ~(size_t)7;
}

/* The hash's high bits choose the worker: its low bits choose slots in the worker's table,
 * which would otherwise use only a part of them. */
static inline unsigned worker_for_hash(const OddportWorkers *workers, uint32_t hash)
{
    if (hash < workers->own_share_bound)
        return 0;
    uint64_t past_own_share = hash - workers->own_share_bound;
    return workers->first_thread + (unsigned)((past_own_share * workers->thread_scale) >> 32);
}

/* The batch just appended to borrows a payload from the reader's window `window` (none for
 * ODDPORT_NO_WINDOW): the window stays held until the batch is back. */
static inline void note_borrowed_window(Worker *worker, uint64_t window)
{
    worker->filling->oldest_window = MIN(worker->filling->oldest_window, window);
}

void oddport_workers_dispatch(OddportWorkers *workers, const OddportDispatchedPacket *packet,
                              bool payload_kept, uint64_t payload_window)
{
    workers->gathered++;
    /* Once every flow is kept, the own share's engine or the one worker thread's (see
     * worker_for_hash), chosen with no branch: which of the two a packet goes to is a coin toss
     * from packet to packet, which a branch guesses wrong about a third of the time, for
     * nothing there, as the packet is run the same way either way. With the branch, 4M packets
     * of long flows took 1.06 to 1.09 times as long at -j 2 as when the worker thread's flows
     * moved into the own share's table; without it, 1.01 to 1.03 (JSON, 14 to 20 alternating
     * rounds; the simulated branch misses of the reading thread went from 1.30 to 1.10 times
     * those of one table). */
    unsigned index = workers->keeping_every_flow
                         ? (unsigned)(packet->hash >= workers->own_share_bound)
                         : worker_for_hash(workers, packet->hash);
    Worker *worker = &workers->workers[index];
    if (worker->run_by_reader) {
        filling_batch(workers, worker);
        apply_packet(worker, packet);
        return;
    }
    if (payload_kept && packet->key.address[0].family == 4 && packet->key.address[1].family == 4) {
        CompactMessage *message = append_message(workers, worker, MESSAGE_IPV4_PACKET,
                                                 sizeof(CompactMessage), packet->position);
        message->header.tcp_flags = packet->tcp_flags;
        message->header.sender = packet->sender;
        message->hash = packet->hash;
        message->payload_captured = packet->payload_captured;
        for (unsigned side = 0; side < 2; side++) {
            memcpy(message->address[side], packet->key.address[side].bytes, 4);
            message->port[side] = packet->key.port[side];
        }
        message->vlan_id = packet->key.vlan_id;
        message->transport = packet->key.transport;
        message->has_vlan = packet->key.has_vlan;
        message->sequence = packet->sequence;
        message->wire_length = packet->wire_length;
        message->timestamp_ns = packet->timestamp_ns;
        message->position = packet->position;
        message->payload = packet->payload;
        note_borrowed_window(worker, payload_window);
        return;
    }
    size_t copied = payload_kept ? 0 : packet->payload_captured;
    size_t size = round_up_to_eight(sizeof(PacketMessage) + copied);
    PacketMessage *message =
        append_message(workers, worker, payload_kept ? MESSAGE_PACKET : MESSAGE_PACKET_WITH_BYTES,
                       size, packet->position);
    message->dispatched = *packet;
    if (!payload_kept) {
        message->dispatched.payload = NULL;
        if (copied > 0)
            memcpy(message + 1, packet->payload, copied);
    } else {
        note_borrowed_window(worker, payload_window);
    }
}

/* A control message is run at once by the reading thread for a worker whose engine it runs, in
 * the batch it is filling (its flows finished then go with that batch): true for such a worker,
 * once ready. Each caller runs its own kind of message, so that no message is ever read as
 * another kind. */
static bool runs_at_once(OddportWorkers *workers, Worker *worker)
{
    if (!worker->run_by_reader)
        return false;
    filling_batch(workers, worker);
    return true;
}

/* Copies a control message into a worker thread's batch. A full batch goes out first, with
 * everything before `position`. */
static void post_message(OddportWorkers *workers, Worker *worker, const MessageHeader *message,
                         uint64_t position)
{
    void *room =
        append_message(workers, worker, (MessageKind)message->kind, message->size, position);
    memcpy(room, message, message->size);
}

void oddport_workers_sweep(OddportWorkers *workers, uint64_t now_ns, uint64_t position)
{
    SweepMessage message = {{.kind = MESSAGE_SWEEP, .size = sizeof message}, now_ns, position};
    for (unsigned index = 0; index < workers->count; index++) {
        Worker *worker = &workers->workers[index];
        if (runs_at_once(workers, worker))
            run_sweep(worker, &message);
        else
            post_message(workers, worker, &message.header, position + 1);
    }
}

void oddport_workers_set_context(OddportWorkers *workers, const OddportCaptureSummary *capture,
                                 uint64_t frames_before_capture, unsigned precision_digits)
{
    ContextMessage message = {{.kind = MESSAGE_CONTEXT, .size = sizeof message},
                              capture,
                              frames_before_capture,
                              precision_digits};
    for (unsigned index = 0; index < workers->count; index++) {
        Worker *worker = &workers->workers[index];
        /* A full batch sent for room says only what is already known to be through: saying
         * less than is true only delays delivery. */
        if (runs_at_once(workers, worker))
            run_context(worker, &message);
        else
            post_message(workers, worker, &message.header, worker->sent_through + 1);
    }
}

static void send_all(OddportWorkers *workers, uint64_t position)
{
    workers->gathered = 0;
    for (unsigned index = 0; index < workers->count; index++) {
        Worker *worker = &workers->workers[index];
        filling_batch(workers, worker);
        send_batch(worker, position);
    }
}

bool oddport_workers_through(OddportWorkers *workers, uint64_t position)
{
    if (workers->gathered >= GATHER_RECORDS)
        send_all(workers, position);
    return atomic_load_explicit(&workers->any_out_of_memory, memory_order_relaxed);
}

uint64_t oddport_workers_oldest_window(const OddportWorkers *workers)
{
    uint64_t oldest = ODDPORT_NO_WINDOW;
    for (unsigned index = 0; index < workers->count; index++) {
        const Worker *worker = &workers->workers[index];
        if (worker->filling != NULL)
            oldest = MIN(oldest, worker->filling->oldest_window);
        for (unsigned slot = 0; slot < worker->batches_made; slot++)
            oldest = MIN(oldest, worker->window_sent[slot]);
    }
    return oldest;
}

bool oddport_workers_keep_every_flow(OddportWorkers *workers, uint64_t position)
{
    /* An own share is there only beside one worker thread (see reading_thread_share), which
     * oddport_workers_dispatch counts on once every flow is kept. */
    if (workers->keeping_every_flow || !workers->workers[0].own_share)
        return workers->keeping_every_flow;
    g_assert(workers->count == 2 && workers->first_thread == 1);
    /* The worker thread is done with every packet sent to it, and waits: its engine is the
     * reading thread's until the end of the input. Its flows finished from now on are written
     * out by the delivering thread, as the own share's are, not by the reading thread. */
    oddport_workers_drain(workers, position);
    Worker *thread_worker = &workers->workers[1];
    oddport_engine_stop_preparing(thread_worker->engine);
    thread_worker->run_by_reader = true;
    workers->keeping_every_flow = true;
    return true;
}

void oddport_workers_drain(OddportWorkers *workers, uint64_t position)
{
    send_all(workers, position);
    for (unsigned index = 0; index < workers->count; index++) {
        Worker *worker = &workers->workers[index];
        GQueue back = G_QUEUE_INIT;
        while (back.length < worker->batches_made)
            g_queue_push_tail(&back, take_batch(worker->free_batches));
        /* Every batch is back: none borrows from the capture's windows any more. */
        for (unsigned slot = 0; slot < worker->batches_made; slot++)
            worker->window_sent[slot] = ODDPORT_NO_WINDOW;
        Batch *batch;
        while ((batch = g_queue_pop_head(&back)) != NULL)
            pass_batch(worker->free_batches, batch);
    }
}

void oddport_workers_finish(OddportWorkers *workers)
{
    /* A worker thread finishes its flows, whoever ran its engine until now: the batch being
     * filled carries the flows the reading thread finished for it, and goes to the thread,
     * which writes its flows' parts of the report again as it finishes them. */
    for (unsigned index = 0; index < workers->count; index++) {
        Worker *worker = &workers->workers[index];
        if (worker->own_share)
            continue;
        Batch *batch = filling_batch(workers, worker);
        if (worker->run_by_reader)
            oddport_engine_prepare_flows(worker->engine, workers->prepare_format);
        worker->run_by_reader = false;
        batch->finish = true;
        send_batch(worker, UINT64_MAX);
    }
    /* The reading thread finishes its own share's flows a chunk at a time, as a worker would:
     * the delivering thread hands each finishing batch back once at most one chunk of its flows
     * waits to be delivered. */
    for (unsigned index = 0; index < workers->count; index++) {
        Worker *worker = &workers->workers[index];
        if (!worker->own_share)
            continue;
        filling_batch(workers, worker)->finish = true;
        send_batch(worker, UINT64_MAX);
        while (worker->more_to_finish) {
            worker->filling = take_batch(worker->inbox);
            recycle_delivered(worker, worker->filling);
            worker->current = worker->filling;
            send_batch(worker, UINT64_MAX);
        }
    }
    /* The delivering thread ends once every worker's finishing batch is back and delivered. */
    g_thread_join(workers->delivering);
    workers->delivering = NULL;
}

bool oddport_workers_out_of_memory(const OddportWorkers *workers, uint64_t *flows_open)
{
    /* The flow counts, which the workers keep changing, are added up only once a worker has
     * stopped: every caller asks after oddport_workers_through said one had. */
    *flows_open = 0;
    if (!atomic_load(&workers->any_out_of_memory))
        return false;
    for (unsigned index = 0; index < workers->count; index++)
        *flows_open += atomic_load(&workers->workers[index].flows_open);
    return true;
}

uint64_t oddport_workers_evicted_flows(const OddportWorkers *workers)
{
    uint64_t evicted = 0;
    for (unsigned index = 0; index < workers->count; index++)
        evicted += workers->workers[index].evicted_flows;
    return evicted;
}

void oddport_workers_free(OddportWorkers *workers)
{
    if (workers == NULL)
        return;
    if (workers->delivering != NULL) {
        Batch *quit = batch_new(0, 0);
        quit->quit = true;
        pass_batch(workers->returned, quit);
        g_thread_join(workers->delivering);
    }
    for (unsigned index = 0; index < workers->count; index++) {
        Worker *worker = &workers->workers[index];
        if (worker->thread == NULL)
            continue;
        Batch *quit = batch_new(index, 0);
        quit->quit = true;
        pass_batch(worker->inbox, quit);
        g_thread_join(worker->thread);
        batch_free(quit);
    }
    Batch *batch;
    while ((batch = try_take_batch(workers->returned)) != NULL)
        batch_free(batch);
    for (unsigned index = 0; index < workers->count; index++) {
        Worker *worker = &workers->workers[index];
        if (worker->inbox == NULL)
            continue;
        while ((batch = try_take_batch(worker->inbox)) != NULL)
            batch_free(batch);
        while ((batch = try_take_batch(worker->free_batches)) != NULL)
            batch_free(batch);
        if (worker->filling != NULL)
            batch_free(worker->filling);
        if (worker->held != NULL)
            batch_free(worker->held);
        OddportFinishedFlow *finished;
        while ((finished = pending_pop(&worker->pending)) != NULL)
            oddport_engine_release_finished(finished);
        g_ptr_array_unref(worker->pending.flows);
        for (guint item = 0; item < worker->released->len; item++)
            oddport_engine_release_finished(g_ptr_array_index(worker->released, item));
        g_ptr_array_unref(worker->released);
        g_async_queue_unref(worker->inbox);
        g_async_queue_unref(worker->free_batches);
        oddport_engine_free(worker->engine);
    }
    g_async_queue_unref(workers->returned);
    g_free(workers->workers);
    g_free(workers);
}
