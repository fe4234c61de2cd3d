/* The engine: captures in, finished flows and run totals out. */
#ifndef ODDPORT_ENGINE_H
#define ODDPORT_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "oddport/capture.h"
#include "oddport/flow.h"
#include "oddport/decode.h"
#include "oddport/tally.h"
#include "oddport/portclass.h"
#include "oddport/summary.h"

/* How long a flow may stay silent before it is finished, in seconds of capture time. TCP waits
 * long so an idle SSH session is not split; a closed connection waits briefly for its last ACKs. */
#define ODDPORT_TCP_IDLE_SECONDS     3600
#define ODDPORT_UDP_IDLE_SECONDS     120
#define ODDPORT_CLOSED_GRACE_SECONDS 5

/* How many flows may be open at once by default: about 200 MiB of flow table, so that a scan or
 * flood of millions of distinct flows runs in bounded memory. */
#define ODDPORT_DEFAULT_MAX_FLOWS 500000

typedef struct OddportEngine OddportEngine;

/* Called once per finished flow, in the order flows finish; `flow` is borrowed for the call. */
typedef void (*OddportFlowSink)(const OddportFlowReport *flow, void *user_data);

/* Runs the flows on `count` worker threads (1, the default, runs them on the caller's thread).
 * Call before the first capture begins. The engine still reads every record itself (filters,
 * the time window, repeated packets and the summary stay in one place) and passes each decoded
 * TCP/UDP packet to the worker chosen by a hash of its flow key, which is the same for both
 * directions; a record that gives no TCP/UDP segment (IP fragments after the first, other
 * protocols, damaged frames) is counted as skipped here, exactly as with one thread, and never
 * reaches a worker. Finished flows reach the tally and the sink in the order one engine would
 * finish them, so that the reports are the same byte for byte, but from a delivering thread of
 * the engine's own, one flow at a time, while the caller goes on feeding: a sink that shares
 * state with the progress or stop-check callbacks must lock it. Every flow finished by the end
 * of a capture has reached the sink when oddport_engine_end_capture (or read_capture) returns.
 * Differences from one thread: the bound of oddport_engine_set_max_flows is shared out evenly
 * (each worker keeps at most max_flows / count, rounded up), so which flows are evicted differs
 * once a worker reaches its share; memory running out stops reading a little later than it
 * would; with record times that go backwards, the idle sweep (which stops at the first flow not
 * idle, in the order flows were last touched) may finish an idle flow earlier in a worker, which
 * holds only some of the flows; and oddport_engine_feed_record cannot say which flow a record
 * joined (flow_id 0, and the last-flow calls return false). The Wireshark plugin does not use
 * workers. */
void oddport_engine_set_workers(OddportEngine *engine, unsigned count);

/* With workers, whether a thread of the capture reader's reads a file ahead of the reading
 * thread (oddport_capture_read_ahead), where the file is read rather than mapped: by default
 * once the reading thread is judged to set the pace (over the first batches, the other threads
 * took much less processor time than it, the workers waiting for packets), or always, or never. By
 * default too, once a file is read ahead for that reason with two workers, the reading thread keeps
 * every flow from then on, the worker thread's open flows moved to it, as handing a packet over
 * costs it about what running the packet's flow would. AS_IF_READING_SETS_PACE judges the reading
 * thread to set the pace at the first check, after 4,096 packets, whatever the threads' times: for
 * tests. The report is the same in every case. */
typedef enum {
    ODDPORT_READ_AHEAD_WHEN_READING_SETS_PACE,
    ODDPORT_READ_AHEAD_ALWAYS,
    ODDPORT_READ_AHEAD_NEVER,
    ODDPORT_READ_AHEAD_AS_IF_READING_SETS_PACE,
} OddportReadAhead;
void oddport_engine_set_read_ahead(OddportEngine *engine, OddportReadAhead read_ahead);

/* With workers, has each of them write its finished flows' parts of a report in `format`
 * (transfer none: a format of the static table) ahead of time, in parallel, when the format
 * can (OddportReportFormat.prepare_flow): the flow reports the sink gets then carry them, and
 * the report copies them rather than writing every flow in the one thread that delivers them.
 * Without workers, or for a format that cannot, it changes nothing. */
void oddport_engine_prepare_flows(OddportEngine *engine, const struct OddportReportFormat *format);

/* Called now and then while a capture is read, for progress displays. */
typedef void (*OddportProgressFunc)(const OddportCaptureReader *reader, uint64_t packets,
                                    void *user_data);

/* `rules` is borrowed and must outlive the engine. The caller owns the engine (transfer full). */
OddportEngine *oddport_engine_new(const OddportPortRules *rules, OddportFlowSink sink,
                                  void *sink_data);
void oddport_engine_free(OddportEngine *engine);

/* Bounds the flows open at once. When a new flow would exceed it, the least recently seen open
 * flow is finished early (reported as usual and counted in evicted_flows). 0 means no bound. */
void oddport_engine_set_max_flows(OddportEngine *engine, uint64_t max_flows);

void oddport_engine_set_progress(OddportEngine *engine, OddportProgressFunc progress,
                                 void *user_data);

/* Asked every few thousand packets while a capture is read; returning true stops reading there
 * (the summary's `stopped` says so). For interruptions and for an output nobody reads any more. */
typedef bool (*OddportStopCheck)(void *user_data);
void oddport_engine_set_stop_check(OddportEngine *engine, OddportStopCheck check, void *user_data);

#define ODDPORT_ENGINE_ERROR (oddport_engine_error_quark())
GQuark oddport_engine_error_quark(void);

typedef enum {
    ODDPORT_ENGINE_ERROR_INVALID_FILTER,     /* libpcap cannot compile the filter expression */
    ODDPORT_ENGINE_ERROR_FILTER_UNAVAILABLE, /* libpcap, loaded for filters, cannot be loaded */
} OddportEngineError;

/* Sets a BPF filter (libpcap syntax) applied to every packet of every capture. Returns false
 * with `error` when the expression does not compile (ODDPORT_ENGINE_ERROR_INVALID_FILTER) or
 * libpcap, loaded on the first filter, cannot be (ODDPORT_ENGINE_ERROR_FILTER_UNAVAILABLE). */
bool oddport_engine_set_filter(OddportEngine *engine, const char *expression, GError **error);

/* Reads one capture ("-" for standard input) into the engine; flows go on across captures, as
 * in rotated files. Returns false with `error` only when the capture cannot be read at all; the
 * summary then still gets an entry for it, with the error's message and kind and zero counts
 * (see oddport_engine_add_unread_capture). A capture cut short or damaged midway is read as far
 * as it goes, its summary says so, and the function returns true. */
bool oddport_engine_read_capture(OddportEngine *engine, const char *path, GError **error);

/* Lists a capture that could not be read at all in the summary, with `error`'s message and
 * kind (`error` is borrowed), for a caller that opens captures itself; read_capture does this
 * on its own. Ends the capture begun before, if any. */
void oddport_engine_add_unread_capture(OddportEngine *engine, const char *path,
                                       const GError *error);

/* Adds a warning about the run as a whole (copied), e.g. from the caller's choice of captures;
 * it joins the summary's warnings ahead of those oddport_engine_finish makes. */
void oddport_engine_add_warning(OddportEngine *engine, const char *warning);

/* Counts only packets whose time lies in [since_ns, until_ns): at or after `since_ns` and before
 * `until_ns` (nanoseconds since the Unix epoch); the others are skipped as
 * ODDPORT_SKIP_OUTSIDE_TIME_WINDOW, and still keep their place in frame numbers and flow ids. The
 * default, 0 and UINT64_MAX, counts every packet. */
void oddport_engine_set_time_window(OddportEngine *engine, uint64_t since_ns, uint64_t until_ns);

/* Packets at or after `timestamp_ns` are remembered (by a digest of their bytes and time) so
 * that a later capture of the run that repeats them, in part or whole, is not counted twice: its
 * repeated packets are skipped as ODDPORT_SKIP_OVERLAPPING_CAPTURE. A caller reading captures in
 * time order passes the first packet time of the captures still to come (0 when one is unknown,
 * UINT64_MAX when none follows, the default). Memory is bounded; past the bound, packets in time
 * already covered are judged by time alone, and the capture's warnings say so. */
void oddport_engine_remember_packets_from(OddportEngine *engine, uint64_t timestamp_ns);

/* Feeding records one by one, for a caller that reads captures itself (the Wireshark plugin, a
 * test). oddport_engine_read_capture is these three calls over a file. */

/* Starts a capture: its records count towards a new entry of the summary's captures, named
 * `path` (copied). Ends the capture begun before, if any. */
void oddport_engine_begin_capture(OddportEngine *engine, const char *path,
                                  OddportCaptureFormat format, unsigned precision_digits);

/* Where one record went. */
typedef struct {
    OddportDecodeStatus status; /* ODDPORT_DECODE_OK when it joined a flow, else why not */
    /* The id of the flow it joined (the id its report will carry); 0 with ODDPORT_DECODE_OK when
     * there was no memory for a new flow (the summary's out_of_memory is then set, and the record
     * is not counted). */
    uint64_t flow_id;
} OddportRecordOutcome;

/* Feeds the next record of the capture begun last (there must be one): the engine's one entry
 * for records, whoever reads them (the file reader, the Wireshark plugin, a test, a live
 * source). `record` and its bytes are borrowed for the call only; the engine copies what it
 * keeps. Flows it ends (idle ones, a closed connection its SYN reopens) reach the sink before it
 * returns (with workers, as soon as their turn in the finishing order has come). */
OddportRecordOutcome oddport_engine_feed_record(OddportEngine *engine, const OddportRecord *record);

/* Ends the capture begun last: its counts join the summary's totals. */
void oddport_engine_end_capture(OddportEngine *engine);

/* The flow the last fed record joined, as it stands: `verdict` is what is known so far (a side
 * still undecided counts as unknown, where finishing would judge its partial match), and
 * `report` describes the flow under it, borrowing from the engine until the next call that
 * feeds or finishes. Returns false when the last record joined no flow. */
bool oddport_engine_describe_last_flow(const OddportEngine *engine, OddportFlowVerdict *verdict,
                                       OddportFlowReport *report);

/* The facts the last record's flow is judged on so far, for a caller that judges it only when
 * they change (oddport_flow_facts_equal); they borrow from the engine until the next call that
 * feeds or finishes. Returns false when the last record joined no flow. */
bool oddport_engine_last_flow_facts(const OddportEngine *engine, OddportFlowFacts *facts);

/* Whether detection still waits for more bytes from the last record's sender in that flow; if
 * so, `pending` says how telling its best partial match is so far (a dissector asks TCP for more
 * only when it is worth it). False when the last record joined no flow or the side is decided. */
bool oddport_engine_last_sender_undecided(const OddportEngine *engine, OddportConfidence *pending);

/* Whether a side of the last record's flow is decided and still reads details from its later
 * bytes (a TLS certificate, SSH's key exchange offer, HTTP's later header lines): they grow in
 * place in its result, with the facts unchanged, until it is done. A caller that keeps a copy of
 * the description describes the flow again at its next packet while this holds. False when the
 * last record joined no flow. */
bool oddport_engine_last_flow_reads_details(const OddportEngine *engine);

/* Finishes every flow still open and writes the summary's run warnings; call once after the
 * last capture. */
void oddport_engine_finish(OddportEngine *engine);

/* Totals so far (transfer none). */
const OddportSummary *oddport_engine_summary(const OddportEngine *engine);

/* The finished flows' tally: counts and service rows (transfer none). */
const OddportTally *oddport_engine_tally(const OddportEngine *engine);

#endif
