/* Running one engine's flows on several threads: what the engine and its worker threads share. */
#ifndef ODDPORT_ENGINE_WORKERS_H
#define ODDPORT_ENGINE_WORKERS_H

#include <stdbool.h>
#include <stdint.h>

#include "internal/flow_table.h"
#include "oddport/engine.h"
#include "oddport/report.h"

/* Where a flow's end falls in the order a single engine would finish flows, so that flows
 * finished by several engines, each holding some of the flows, can be put back in that order:
 * `position` is the run-wide position of the record whose processing finished it (UINT64_MAX
 * for flows still open at the end), and `within` orders flows finished by the same record: a
 * connection its SYN reopens, then one evicted for room, then idle ones by list and by when
 * they were last touched; at the end, by flow id. */
typedef struct {
    uint64_t position;
    uint64_t within;
} OddportFinishOrder;

static inline int oddport_finish_order_compare(const OddportFinishOrder *left,
                                               const OddportFinishOrder *right)
{
    if (left->position != right->position)
        return left->position < right->position ? -1 : 1;
    if (left->within != right->within)
        return left->within < right->within ? -1 : 1;
    return 0;
}

/* A flow a worker engine finished, described and judged, waiting to be tallied and reported by
 * the engine that reads the captures; the flow stays the worker's allocation until released. */
typedef struct {
    OddportFinishOrder order;
    OddportFlowVerdict verdict;
    OddportFlowReport report; /* report.verdict points at `verdict` */
    void *flow;               /* the worker engine's flow, for oddport_engine_release_finished */
    /* report.prepared_text's memory, owned here and kept with the record when it is reused;
     * NULL until a part is first written into it, and again once a part too long to keep has
     * been let go. */
    GString *prepared;
} OddportFinishedFlow;

/* Called by a worker engine for each flow it finishes, instead of its sink; `finished` is the
 * handler's (transfer full: it ends with oddport_engine_release_finished). */
typedef void (*OddportFinishedFlowHandler)(OddportFinishedFlow *finished, void *user_data);

/* What the flow engine takes from a decoded record: the flow's key and hash and the few packet
 * fields it reads. One engine builds it and applies it at once; with workers, the reading engine
 * builds it and copies it into a worker's batch, where it is most of the bytes that cross
 * between threads per packet, so it holds nothing the flow engine does not read. */
typedef struct {
    OddportFlowKey key;
    uint32_t hash;
    const uint8_t *payload; /* borrowed: the record's bytes, or the worker's copy of them */
    uint32_t payload_captured;
    uint32_t sequence;
    uint32_t wire_length;
    uint8_t tcp_flags;
    uint8_t sender; /* which of key.address sent it */
    uint64_t timestamp_ns;
    /* Run-wide record position: the id of a flow it starts. The worker's engine finds its
     * capture and frame from it, by the captures it was told of (oddport_engine_set_context). */
    uint64_t position;
} OddportDispatchedPacket;

/* Worker side, in engine.c: a worker engine is an ordinary engine whose finished flows go to
 * `handler` and which is fed decoded packets rather than records. Setting a handler also frees
 * the engine's memory reserve, which only the reading engine needs. */
void oddport_engine_set_finished_handler(OddportEngine *engine, OddportFinishedFlowHandler handler,
                                         void *user_data);
/* Which capture the packets from here on come from (borrowed from the reading engine, which keeps
 * it alive to the end), the frames of the captures before it, and the precision of times written
 * from now on. A capture told of again, as a worker is when it ends, changes only the precision. */
void oddport_engine_set_context(OddportEngine *engine, const OddportCaptureSummary *capture,
                                uint64_t frames_before_capture, unsigned precision_digits);
/* Returns false when there was no memory for a new flow (the engine's summary says so). */
bool oddport_engine_apply_packet(OddportEngine *engine, const OddportDispatchedPacket *dispatched);
/* The engine's flow table (transfer none), for a caller that asks for the flows of packets it
 * is about to apply: only the engine's own thread may use it. */
const OddportFlowTable *oddport_engine_flow_table(const OddportEngine *engine);
/* The idle-flow sweep the reading engine made after the record at `position`. */
void oddport_engine_sweep(OddportEngine *engine, uint64_t now_ns, uint64_t position);
/* Finishes, in the order they began, up to `most` of the flows open at the end of the input:
 * the first call takes them all from the table and sorts them once, each call after it goes on
 * where the last stopped. Returns whether any are left to finish. */
bool oddport_engine_finish_open_flows(OddportEngine *engine, size_t most);
/* Tallies a finished flow in `engine` (the reading one) and hands it to its sink (`finished` is
 * borrowed: the worker that made it frees it). */
void oddport_engine_deliver_finished(OddportEngine *engine, const OddportFinishedFlow *finished);
/* The flows `engine` (a worker's) finishes from now on carry no prepared part: the delivering
 * thread writes them out. Called by the thread that runs the engine from now on, once the one
 * that ran it is done with it: the scratch state that thread made for preparing is freed.
 * oddport_engine_prepare_flows starts preparing again. */
void oddport_engine_stop_preparing(OddportEngine *engine);
/* Frees a finished flow without reporting it. */
void oddport_engine_release_finished(OddportFinishedFlow *finished);
/* Takes back `count` flows `engine` (a worker's, in its own thread) finished, once delivered:
 * their memory is kept for the engine's next flows, up to a bound, or freed. */
void oddport_engine_recycle_finished(OddportEngine *engine, OddportFinishedFlow *const *finished,
                                     size_t count);

/* Reader side, in engine_workers.c. */
typedef struct OddportWorkers OddportWorkers;

/* Starts `count` workers, each with an engine of its own over `rules` (borrowed), which between
 * them keep at most about `max_flows` flows open (0: no bound). Each worker is a thread, except
 * that the first may be the calling thread's own share (with two workers, it is), run as packets
 * are dispatched to it. Finished flows are delivered to `reader`, in the order a single engine
 * would finish them, from the thread that calls the functions below. The caller owns the result
 * (transfer full): oddport_workers_free. NULL when a thread cannot be started (address space
 * limited with ulimit -v, say): the caller runs the flows itself. */
OddportWorkers *oddport_workers_new(unsigned count, OddportEngine *reader,
                                    const OddportPortRules *rules, uint64_t max_flows,
                                    const OddportReportFormat *prepare_format);
/* No window of the capture reader's: see oddport_workers_dispatch. */
#define ODDPORT_NO_WINDOW UINT64_MAX

/* Passes a packet to the worker that holds its flow: the same for both directions, as the hash
 * is of the ordered key. The payload is copied unless `payload_kept`: its bytes then stay
 * readable until the next oddport_workers_drain (a capture file's mapping), or, when
 * `payload_window` is not ODDPORT_NO_WINDOW, for as long as the capture reader's window of that
 * number is held (oddport_capture_hold_window), which must be until
 * oddport_workers_oldest_window has gone past it. */
void oddport_workers_dispatch(OddportWorkers *workers, const OddportDispatchedPacket *packet,
                              bool payload_kept, uint64_t payload_window);
/* The lowest window number a packet sent and not yet done with borrows its payload from, or
 * ODDPORT_NO_WINDOW when none does: the reader's windows below it may be released. */
uint64_t oddport_workers_oldest_window(const OddportWorkers *workers);
void oddport_workers_sweep(OddportWorkers *workers, uint64_t now_ns, uint64_t position);
/* Which threads set the pace, as judged on the first batches sent to the worker threads since
 * oddport_workers_judge_pace, by how the threads spent the time meanwhile: the reading thread,
 * when the others took much less processor time than it and the worker threads waited for
 * packets most of the time, or the worker threads. */
typedef enum {
    ODDPORT_PACE_NOT_YET_JUDGED,
    ODDPORT_PACE_SET_BY_READING,
    ODDPORT_PACE_SET_BY_WORKERS,
} OddportPace;
void oddport_workers_judge_pace(OddportWorkers *workers);
OddportPace oddport_workers_pace(const OddportWorkers *workers);
/* Where the reading thread sets the pace, handing a packet over costs it about what running the
 * packet's flow would: from `position` on (every record up to it passed on), the reading thread
 * runs the worker thread's engine as well as its own share's, once the worker thread is done
 * with what it was sent, until the end of the input, which the worker thread finishes. Each
 * flow stays in the engine of its share, with the share's bound on open flows, so the report is
 * the same whether and wherever this happens. Only with an own share beside one worker thread
 * (two workers); returns whether the reading thread runs every engine (now or already). */
bool oddport_workers_keep_every_flow(OddportWorkers *workers, uint64_t position);
/* The capture the packets that follow come from, the frames of the captures before it (a
 * packet's frame number is its position less those), and the precision of times. */
void oddport_workers_set_context(OddportWorkers *workers, const OddportCaptureSummary *capture,
                                 uint64_t frames_before_capture, unsigned precision_digits);
/* Every record up to `position` has been passed on: sends what is gathered when enough is.
 * Returns whether a worker has run out of memory for a new flow (oddport_workers_out_of_memory
 * says how many flows were open then): one flag, cheap to ask after every record. */
bool oddport_workers_through(OddportWorkers *workers, uint64_t position);
/* Sends everything gathered, with every record up to `position` passed on, and waits until the
 * workers are done with it and every flow finished so far has been delivered: before a capture's
 * bytes go, and so that the report is as far as one engine's would be at that point. */
void oddport_workers_drain(OddportWorkers *workers, uint64_t position);
/* Finishes every open flow and delivers all that remain. */
void oddport_workers_finish(OddportWorkers *workers);
/* Whether a worker ran out of memory for a new flow so far, and how many flows were then open in
 * all workers together. */
bool oddport_workers_out_of_memory(const OddportWorkers *workers, uint64_t *flows_open);
/* Flows finished early for room, over all workers. */
uint64_t oddport_workers_evicted_flows(const OddportWorkers *workers);
/* Stops the threads and frees everything, reporting nothing more. */
void oddport_workers_free(OddportWorkers *workers);

#endif
