/* libFuzzer target: the whole engine, from a capture file's bytes to a report in every format. */
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include <glib.h>

#include "fuzz-common.h"

#include "oddport/engine.h"
#include "oddport/report.h"

/* Every format in the table sees every flow, so one run checks the streamed JSON writer, the
 * text report's escaping and column sizing, the CSV report's quoting and any format added later
 * on the same hostile values. */
#define FUZZ_FORMATS_MAX 8
typedef struct {
    OddportReport *reports[FUZZ_FORMATS_MAX];
    uint64_t flows;
    uint64_t flow_packets;
} Reports;

static void add_flow(const OddportFlowReport *flow, void *user_data)
{
    Reports *reports = user_data;
    reports->flows++;
    reports->flow_packets += flow->client_packets + flow->server_packets;
    FUZZ_CHECK(flow->verdict != NULL);
    FUZZ_CHECK(flow->first_seen_ns <= flow->last_seen_ns);
    for (size_t index = 0; index < oddport_report_format_count; index++)
        oddport_report_add_flow(flow, reports->reports[index]);
}

/* Small, so that a few flows in a capture already exercise eviction (the CLI's default bound is
 * reached only by floods, far beyond what a fuzzer's input holds). */
#define FUZZ_MAX_FLOWS 16

static void write_all(int fd, const uint8_t *data, size_t size)
{
    size_t written = 0;
    while (written < size) {
        ssize_t count = write(fd, data + written, size - written);
        FUZZ_CHECK(count > 0);
        written += (size_t)count;
    }
}

/* The capture goes to the engine as a path, the way the CLI gets it; an in-memory file keeps the
 * fuzzer off the disk and is mapped like a regular file by the capture reader. */
static int write_memory_file(const uint8_t *data, size_t size)
{
    int fd = memfd_create("fuzz-capture", MFD_CLOEXEC);
    FUZZ_CHECK(fd >= 0);
    write_all(fd, data, size);
    return fd;
}

/* The same bytes through a pipe, which the reader takes as a stream (no mapping, its own windows
 * and refills), as it does `oddport -` at the end of a pipeline. The pipe is put on standard input
 * for the run, because that is how a pipe reaches the reader: false when the bytes do not fit in
 * a pipe at once, for one thread cannot both write and read them. */
static bool put_on_standard_input(const uint8_t *data, size_t size, int *saved_stdin)
{
    int ends[2];
    FUZZ_CHECK(pipe2(ends, O_CLOEXEC) == 0);
    int capacity = fcntl(ends[1], F_SETPIPE_SZ, 1024 * 1024);
    if (capacity < 0)
        capacity = fcntl(ends[1], F_GETPIPE_SZ);
    if (capacity < 0 || size > (size_t)capacity) {
        close(ends[0]);
        close(ends[1]);
        return false;
    }
    write_all(ends[1], data, size);
    close(ends[1]);
    *saved_stdin = dup(STDIN_FILENO);
    FUZZ_CHECK(*saved_stdin >= 0);
    FUZZ_CHECK(dup2(ends[0], STDIN_FILENO) == STDIN_FILENO);
    close(ends[0]);
    return true;
}

static void restore_standard_input(int saved_stdin)
{
    FUZZ_CHECK(dup2(saved_stdin, STDIN_FILENO) == STDIN_FILENO);
    close(saved_stdin);
}

/* What a run over one capture came to, for comparing the mapped and the streamed reads. */
typedef struct {
    bool read;
    uint64_t packets;
    uint64_t flows;
    uint64_t flow_packets;
} Outcome;

static Outcome read_through_engine(const char *path)
{
    FILE *sink = fopen("/dev/null", "w");
    FUZZ_CHECK(sink != NULL);
    OddportPortRules *rules = oddport_port_rules_new();
    /* Every option that adds to a report, except --services-only, which leaves flows out. */
    const OddportReportOptions options = {.all_flows = true};
    Reports reports = {0};
    FUZZ_CHECK(oddport_report_format_count <= FUZZ_FORMATS_MAX);
    for (size_t index = 0; index < oddport_report_format_count; index++)
        reports.reports[index] =
            oddport_report_begin(oddport_report_formats[index], sink, &options);
    OddportEngine *engine = oddport_engine_new(rules, add_flow, &reports);
    oddport_engine_set_max_flows(engine, FUZZ_MAX_FLOWS);

    GError *error = NULL;
    bool read = oddport_engine_read_capture(engine, path, &error);
    /* false comes only with a reason, for the CLI's one-line message. */
    FUZZ_CHECK(read == (error == NULL));
    if (error != NULL) {
        FUZZ_CHECK(error->message != NULL && error->message[0] != '\0');
        g_error_free(error);
    }
    oddport_engine_finish(engine);

    /* Every finished flow reached the sink exactly once, and every packet read is in one flow
     * or skipped for a named reason. */
    const OddportSummary *summary = oddport_engine_summary(engine);
    const OddportFlowCounts *counts = summary->counts;
    FUZZ_CHECK(counts->flows == reports.flows);
    FUZZ_CHECK(counts->tcp_flows + counts->udp_flows == counts->flows);
    FUZZ_CHECK(summary->evicted_flows <= counts->flows);
    uint64_t accounted = reports.flow_packets;
    for (unsigned reason = 0; reason < ODDPORT_SKIP_REASON_COUNT; reason++)
        accounted += summary->skipped[reason];
    FUZZ_CHECK(accounted == summary->packets);
    const Outcome outcome = {.read = read,
                             .packets = summary->packets,
                             .flows = counts->flows,
                             .flow_packets = reports.flow_packets};

    const OddportRunResult run = {.summary = summary, .tally = oddport_engine_tally(engine)};
    for (size_t index = 0; index < oddport_report_format_count; index++)
        FUZZ_CHECK(oddport_report_end(reports.reports[index], &run));
    oddport_engine_free(engine);
    oddport_port_rules_free(rules);
    fclose(sink);
    return outcome;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = write_memory_file(data, size);
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    const Outcome mapped = read_through_engine(path);
    close(fd);

    /* A stream and a mapping of the same bytes are one capture: the same packets, the same
     * flows, the same failure or none. */
    int saved_stdin = -1;
    if (put_on_standard_input(data, size, &saved_stdin)) {
        const Outcome streamed = read_through_engine("-");
        restore_standard_input(saved_stdin);
        FUZZ_CHECK(streamed.read == mapped.read);
        FUZZ_CHECK(streamed.packets == mapped.packets);
        FUZZ_CHECK(streamed.flows == mapped.flows);
        FUZZ_CHECK(streamed.flow_packets == mapped.flow_packets);
    }
    return 0;
}
