/* Worker threads for -j: packets out by flow hash, finished flows back in one-engine order. */
#include <string.h>

#include <glib.h>

#include "internal/engine_workers.h"

/* The reader gathers packets for each worker in batches, so that threads meet once per batch
 * rather than once per packet; every GATHER_RECORDS records all batches go out, so that no
 * worker lags far behind the others and finished flows can be delivered in order soon. */
enum {
    BATCH_BYTES = 512 * 1024,
    GATHER_RECORDS = 4096,
    BATCHES_PER_WORKER = 4,
};

typedef enum {
    MESSAGE_PACKET,
    MESSAGE_SWEEP,
    MESSAGE_CONTEXT,
} MessageKind;

/* Every message starts with its kind and its size, header included, a multiple of eight. */
typedef struct {
    uint32_t kind;
    uint32_t size;
} MessageHeader;

typedef struct {
    MessageHeader header;
    OddportDispatchedPacket dispatched;
    /* the payload's bytes follow */
} PacketMessage;

typedef struct {
    MessageHeader header;
    uint64_t now_ns;
    uint64_t position;
} SweepMessage;

typedef struct {
    MessageHeader header;
    const OddportCaptureSummary *capture;
    unsigned precision_digits;
} ContextMessage;

typedef struct {
    unsigned worker;
    uint8_t *bytes;
    size_t used;
    size_t capacity;
    /* Every record up to this position meant for this worker is in this batch or an earlier
     * one, as is every sweep made up to it. */
    uint64_t through_position;
    bool finish; /* after the messages, finish every open flow */
    bool quit;   /* the worker ends on it, leaving it untouched */
    /* Filled by the worker: the flows it finished (of OddportFinishedFlow *), in order, and
     * how its engine stands. */
    GPtrArray *finished;
    bool out_of_memory;
    uint64_t flows_open;
    uint64_t evicted_flows;
} Batch;

typedef struct {
    OddportWorkers *workers;
    GThread *thread;
    OddportEngine *engine; /* the worker thread's alone while it runs */
    GAsyncQueue *inbox;    /* of Batch *, to the worker */
    Batch *current;        /* the batch the worker is processing (worker thread) */
    /* The rest belongs to the reading thread. */
    GQueue free_batches;
    unsigned batches_made;
    Batch *filling;
    GQueue pending; /* of OddportFinishedFlow *, in finish order, not yet delivered */
    uint64_t watermark;
    bool out_of_memory;
    uint64_t flows_open;
    uint64_t evicted_flows;
} Worker;

struct OddportWorkers {
    unsigned count;
    Worker *workers;
    OddportEngine *reader;
    GAsyncQueue *returned; /* of Batch *, back from every worker */
    unsigned gathered;
    bool finished;
};

static void keep_finished(OddportFinishedFlow *finished, void *user_data)
{
    Worker *worker = user_data;
    g_ptr_array_add(worker->current->finished, finished);
}

static void process_batch(Worker *worker, Batch *batch)
{
    worker->current = batch;
    for (size_t offset = 0; offset < batch->used;) {
        const MessageHeader *header = (const MessageHeader *)(batch->bytes + offset);
        if (header->kind == MESSAGE_PACKET) {
            const PacketMessage *message = (const PacketMessage *)header;
            OddportDispatchedPacket dispatched = message->dispatched;
            dispatched.packet.payload = (const uint8_t *)(message + 1);
            if (!oddport_engine_apply_packet(worker->engine, &dispatched))
                batch->out_of_memory = true;
        } else if (header->kind == MESSAGE_SWEEP) {
            const SweepMessage *message = (const SweepMessage *)header;
            oddport_engine_sweep(worker->engine, message->now_ns, message->position);
        } else {
            const ContextMessage *message = (const ContextMessage *)header;
            oddport_engine_set_context(worker->engine, message->capture, message->precision_digits);
        }
        offset += header->size;
    }
    if (batch->finish)
        oddport_engine_finish(worker->engine);
    const OddportSummary *summary = oddport_engine_summary(worker->engine);
    batch->out_of_memory = batch->out_of_memory || summary->out_of_memory;
    batch->flows_open = summary->flows_open_when_out_of_memory;
    batch->evicted_flows = summary->evicted_flows;
    worker->current = NULL;
}

static gpointer run_worker(gpointer data)
{
    Worker *worker = data;
    for (;;) {
        Batch *batch = g_async_queue_pop(worker->inbox);
        if (batch->quit)
            return NULL;
        process_batch(worker, batch);
        g_async_queue_push(worker->workers->returned, batch);
    }
}

static Batch *batch_new(unsigned worker)
{
    Batch *batch = g_new0(Batch, 1);
    batch->worker = worker;
    batch->capacity = BATCH_BYTES;
    batch->bytes = g_malloc(batch->capacity);
    batch->finished = g_ptr_array_new();
    return batch;
}

static void batch_free(Batch *batch)
{
    for (guint index = 0; index < batch->finished->len; index++)
        oddport_engine_release_finished(g_ptr_array_index(batch->finished, index));
    g_ptr_array_unref(batch->finished);
    g_free(batch->bytes);
    g_free(batch);
}

OddportWorkers *oddport_workers_new(unsigned count, OddportEngine *reader,
                                    const OddportPortRules *rules, uint64_t max_flows_each)
{
    OddportWorkers *workers = g_new0(OddportWorkers, 1);
    workers->count = count;
    workers->reader = reader;
    workers->returned = g_async_queue_new();
    workers->workers = g_new0(Worker, count);
    for (unsigned index = 0; index < count; index++) {
        Worker *worker = &workers->workers[index];
        worker->workers = workers;
        worker->engine = oddport_engine_new(rules, NULL, NULL);
        oddport_engine_set_max_flows(worker->engine, max_flows_each);
        oddport_engine_set_finished_handler(worker->engine, keep_finished, worker);
        worker->inbox = g_async_queue_new();
        g_queue_init(&worker->free_batches);
        g_queue_init(&worker->pending);
        char name[32];
        g_snprintf(name, sizeof name, "oddport-worker-%u", index + 1);
        worker->thread = g_thread_new(name, run_worker, worker);
    }
    return workers;
}

/* Takes a batch back from its worker: its flows wait their turn, and it is filled again. */
static void take_back(OddportWorkers *workers, Batch *batch)
{
    Worker *worker = &workers->workers[batch->worker];
    for (guint index = 0; index < batch->finished->len; index++)
        g_queue_push_tail(&worker->pending, g_ptr_array_index(batch->finished, index));
    g_ptr_array_set_size(batch->finished, 0);
    worker->watermark = MAX(worker->watermark, batch->through_position);
    worker->out_of_memory = worker->out_of_memory || batch->out_of_memory;
    worker->flows_open = batch->flows_open;
    worker->evicted_flows = batch->evicted_flows;
    batch->used = 0;
    batch->finish = false;
    batch->out_of_memory = false;
    g_queue_push_tail(&worker->free_batches, batch);
}

/* Delivers, in order, every finished flow before which no other can come any more: one whose
 * record every worker has gone past. */
static void deliver_ready(OddportWorkers *workers)
{
    uint64_t watermark = UINT64_MAX;
    for (unsigned index = 0; index < workers->count; index++)
        watermark = MIN(watermark, workers->workers[index].watermark);
    for (;;) {
        Worker *first = NULL;
        const OddportFinishedFlow *first_flow = NULL;
        for (unsigned index = 0; index < workers->count; index++) {
            const OddportFinishedFlow *head = g_queue_peek_head(&workers->workers[index].pending);
            if (head != NULL && (first_flow == NULL || oddport_finish_order_compare(
                                                           &head->order, &first_flow->order) < 0)) {
                first = &workers->workers[index];
                first_flow = head;
            }
        }
        if (first == NULL || first_flow->order.position > watermark)
            return;
        oddport_engine_deliver_finished(workers->reader, g_queue_pop_head(&first->pending));
    }
}

static void take_back_waiting(OddportWorkers *workers)
{
    Batch *batch;
    while ((batch = g_async_queue_try_pop(workers->returned)) != NULL)
        take_back(workers, batch);
}

/* The batch being filled for a worker; waits for one to come back when all are out. */
static Batch *filling_batch(OddportWorkers *workers, Worker *worker)
{
    if (worker->filling != NULL)
        return worker->filling;
    unsigned index = (unsigned)(worker - workers->workers);
    if (g_queue_is_empty(&worker->free_batches) && worker->batches_made < BATCHES_PER_WORKER) {
        worker->batches_made++;
        g_queue_push_tail(&worker->free_batches, batch_new(index));
    }
    while (g_queue_is_empty(&worker->free_batches))
        take_back(workers, g_async_queue_pop(workers->returned));
    worker->filling = g_queue_pop_head(&worker->free_batches);
    return worker->filling;
}

static void send_batch(Worker *worker, uint64_t through_position)
{
    Batch *batch = worker->filling;
    batch->through_position = through_position;
    worker->filling = NULL;
    g_async_queue_push(worker->inbox, batch);
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
    header->kind = kind;
    header->size = (uint32_t)size;
    batch->used += size;
    return header;
}

static size_t round_up_to_eight(size_t size)
{
    return (size + 7) & ~(size_t)7;
}

void oddport_workers_dispatch(OddportWorkers *workers, const OddportPacket *packet,
                              const OddportFlowKey *key, uint32_t hash, unsigned sender,
                              uint32_t wire_length, uint64_t timestamp_ns, uint64_t position,
                              uint64_t frame)
{
    /* The hash's high bits choose the worker: its low bits choose slots in the worker's table,
     * which would otherwise use only a part of them. */
    unsigned index = (unsigned)(((uint64_t)hash * workers->count) >> 32);
    Worker *worker = &workers->workers[index];
    size_t size = round_up_to_eight(sizeof(PacketMessage) + packet->payload_captured);
    PacketMessage *message = append_message(workers, worker, MESSAGE_PACKET, size, position);
    message->dispatched = (OddportDispatchedPacket){
        .packet = *packet,
        .key = *key,
        .hash = hash,
        .sender = (uint8_t)sender,
        .wire_length = wire_length,
        .timestamp_ns = timestamp_ns,
        .position = position,
        .frame = frame,
    };
    message->dispatched.packet.payload = NULL;
    if (packet->payload_captured > 0)
        memcpy(message + 1, packet->payload, packet->payload_captured);
    workers->gathered++;
}

void oddport_workers_sweep(OddportWorkers *workers, uint64_t now_ns, uint64_t position)
{
    for (unsigned index = 0; index < workers->count; index++) {
        SweepMessage *message = append_message(workers, &workers->workers[index], MESSAGE_SWEEP,
                                               sizeof(SweepMessage), position + 1);
        message->now_ns = now_ns;
        message->position = position;
    }
}

void oddport_workers_set_context(OddportWorkers *workers, const OddportCaptureSummary *capture,
                                 unsigned precision_digits)
{
    for (unsigned index = 0; index < workers->count; index++) {
        Worker *worker = &workers->workers[index];
        /* A full batch sent for room says only what is already known to be through: saying
         * less than is true only delays delivery. */
        ContextMessage *message =
            append_message(workers, worker, MESSAGE_CONTEXT,
                           round_up_to_eight(sizeof(ContextMessage)), worker->watermark + 1);
        message->capture = capture;
        message->precision_digits = precision_digits;
    }
}

void oddport_workers_through(OddportWorkers *workers, uint64_t position)
{
    if (workers->gathered < GATHER_RECORDS)
        return;
    workers->gathered = 0;
    for (unsigned index = 0; index < workers->count; index++) {
        Worker *worker = &workers->workers[index];
        filling_batch(workers, worker);
        send_batch(worker, position);
    }
    take_back_waiting(workers);
    deliver_ready(workers);
}

void oddport_workers_finish(OddportWorkers *workers)
{
    for (unsigned index = 0; index < workers->count; index++) {
        Worker *worker = &workers->workers[index];
        filling_batch(workers, worker)->finish = true;
        send_batch(worker, UINT64_MAX);
    }
    /* Each worker's finishing batch is its last: all are back when every watermark is. */
    for (;;) {
        bool all_back = true;
        for (unsigned index = 0; index < workers->count; index++)
            all_back = all_back && workers->workers[index].watermark == UINT64_MAX;
        if (all_back)
            break;
        take_back(workers, g_async_queue_pop(workers->returned));
        deliver_ready(workers);
    }
    deliver_ready(workers);
    workers->finished = true;
}

bool oddport_workers_out_of_memory(const OddportWorkers *workers, uint64_t *flows_open)
{
    bool out_of_memory = false;
    *flows_open = 0;
    for (unsigned index = 0; index < workers->count; index++) {
        const Worker *worker = &workers->workers[index];
        out_of_memory = out_of_memory || worker->out_of_memory;
        *flows_open += worker->flows_open;
    }
    return out_of_memory;
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
    for (unsigned index = 0; index < workers->count; index++) {
        Worker *worker = &workers->workers[index];
        Batch *quit = batch_new(index);
        quit->quit = true;
        g_async_queue_push(worker->inbox, quit);
        g_thread_join(worker->thread);
        batch_free(quit);
    }
    Batch *batch;
    while ((batch = g_async_queue_try_pop(workers->returned)) != NULL)
        batch_free(batch);
    for (unsigned index = 0; index < workers->count; index++) {
        Worker *worker = &workers->workers[index];
        while ((batch = g_async_queue_try_pop(worker->inbox)) != NULL)
            batch_free(batch);
        while ((batch = g_queue_pop_head(&worker->free_batches)) != NULL)
            batch_free(batch);
        if (worker->filling != NULL)
            batch_free(worker->filling);
        OddportFinishedFlow *finished;
        while ((finished = g_queue_pop_head(&worker->pending)) != NULL)
            oddport_engine_release_finished(finished);
        g_async_queue_unref(worker->inbox);
        oddport_engine_free(worker->engine);
    }
    g_async_queue_unref(workers->returned);
    g_free(workers->workers);
    g_free(workers);
}
