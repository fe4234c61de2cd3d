/* Unit tests for the engine: fed record by record it gives the file's flows; what the summary says.
 */
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "capture-builder.h"
#include "internal/engine_workers.h"
#include "internal/pcap_functions.h"
#include "oddport/engine.h"
#include "oddport/vocabulary.h"

typedef struct {
    GString *lines; /* one line per finished flow, as the test's collector writes it */
} Collected;

static void collect(const OddportFlowReport *flow, void *user_data)
{
    Collected *collected = user_data;
    const char *severity = oddport_severity_name(flow->verdict->severity);
    g_string_append_printf(collected->lines, "%" G_GUINT64_FORMAT " %s %s %" G_GUINT64_FORMAT "\n",
                           flow->id, oddport_app_name(flow->verdict->app),
                           severity != NULL ? severity : "-",
                           flow->client_packets + flow->server_packets);
}

static char *capture_path(void)
{
    return g_build_filename(ODDPORT_TEST_DATA_DIR, "..", "..", "captures", "loopback.pcap", NULL);
}

static char *flows_read_from_file(const OddportPortRules *rules)
{
    Collected collected = {g_string_new(NULL)};
    OddportEngine *engine = oddport_engine_new(rules, collect, &collected);
    g_autofree char *path = capture_path();
    GError *error = NULL;
    g_assert_true(oddport_engine_read_capture(engine, path, &error));
    g_assert_no_error(error);
    oddport_engine_finish(engine);
    oddport_engine_free(engine);
    return g_string_free(collected.lines, FALSE);
}

/* Feeding the records one by one gives the same flows, and while a flow is open the engine
 * describes it as it stands: the HTTP request to 8080 is known as HTTP the moment it is fed. */
static void test_fed_records_match_the_file(void)
{
    OddportPortRules *rules = oddport_port_rules_new();
    g_autofree char *expected = flows_read_from_file(rules);
    g_assert_cmpuint(strlen(expected), >, 0);

    Collected collected = {g_string_new(NULL)};
    OddportEngine *engine = oddport_engine_new(rules, collect, &collected);
    g_autofree char *path = capture_path();
    GError *error = NULL;
    OddportCaptureReader *reader = oddport_capture_open(path, &error);
    g_assert_no_error(error);
    oddport_engine_begin_capture(engine, path, oddport_capture_format(reader),
                                 oddport_capture_precision_digits(reader));
    OddportRecord record;
    bool saw_http_on_8080 = false;
    OddportFlowFacts previous = {0};
    bool have_previous = false;
    while (oddport_capture_next(reader, &record, &error) == ODDPORT_READ_RECORD) {
        OddportRecordOutcome outcome = oddport_engine_feed_record(engine, &record);
        OddportFlowVerdict verdict;
        OddportFlowReport report;
        OddportFlowFacts facts;
        bool described = oddport_engine_describe_last_flow(engine, &verdict, &report);
        g_assert_cmpint(described, ==, outcome.status == ODDPORT_DECODE_OK);
        g_assert_cmpint(oddport_engine_last_flow_facts(engine, &facts), ==, described);
        if (!described)
            continue;
        g_assert_cmpuint(report.id, ==, outcome.flow_id);
        /* Unchanged facts mean an unchanged verdict, which is what lets a caller skip judging. */
        if (have_previous && oddport_flow_facts_equal(&facts, &previous)) {
            OddportFlowVerdict again;
            OddportFlowFacts copy = facts;
            oddport_classify_flow(&copy, rules, &again);
            g_assert_cmpint(again.app, ==, verdict.app);
        }
        previous = facts;
        have_previous = true;
        if (report.server.port == 8080 && verdict.app == ODDPORT_APP_HTTP)
            saw_http_on_8080 = true;
    }
    g_assert_no_error(error);
    oddport_engine_end_capture(engine);
    oddport_capture_close(reader);
    oddport_engine_finish(engine);
    g_assert_cmpuint(oddport_engine_summary(engine)->packets, >, 0);
    oddport_engine_free(engine);
    g_assert_true(saw_http_on_8080);
    g_autofree char *fed = g_string_free(collected.lines, FALSE);
    g_assert_cmpstr(fed, ==, expected);
    oddport_port_rules_free(rules);
}

/* A minimal Ethernet/IPv4/UDP frame from 10.0.0.1 to 10.0.0.2, port 5000 to `port`. */
static void make_udp_frame(uint8_t frame[42], uint16_t port)
{
    static const uint8_t header[42] = {
        0,    1,    2, 3,  4, 5, 0, 1, 2,  3,  4, 6, 0x08, 0x00, /* Ethernet, IPv4 */
        0x45, 0,    0, 28, 0, 1, 0, 0, 64, 17, 0, 0, 10,   0,    0, 1, 10, 0, 0, 2, /* IPv4, UDP */
        0x13, 0x88, 0, 0,  0, 8, 0, 0, /* UDP, no payload */
    };
    memcpy(frame, header, sizeof header);
    frame[36] = (uint8_t)(port >> 8);
    frame[37] = (uint8_t)port;
}

/* Feeds a frame at `second`, numbered `frame_number` (0: the engine numbers it). */
static OddportRecordOutcome feed_frame(OddportEngine *engine, const uint8_t *frame, size_t length,
                                       unsigned second, uint64_t frame_number)
{
    OddportRecord record = {.timestamp_ns = (uint64_t)second * 1000000000u,
                            .captured_length = (uint32_t)length,
                            .wire_length = (uint32_t)length,
                            .link_type = 1,
                            .data = frame,
                            .frame_number = frame_number};
    return oddport_engine_feed_record(engine, &record);
}

/* Feeds one capture of frames at the given seconds to ports 1000 + index. */
static void feed_capture(OddportEngine *engine, const char *name, const unsigned *seconds,
                         const uint16_t *ports, size_t count)
{
    oddport_engine_begin_capture(engine, name, ODDPORT_CAPTURE_FORMAT_PCAP, 6);
    for (size_t index = 0; index < count; index++) {
        uint8_t frame[42];
        make_udp_frame(frame, ports[index]);
        feed_frame(engine, frame, sizeof frame, seconds[index], 0);
    }
    oddport_engine_end_capture(engine);
}

/* The flows of one capture of UDP frames at `seconds` to `ports`, run on `workers` threads, as
 * `collect` writes them, in the order they were reported (transfer full). */
static char *collect_capture_flows(const OddportPortRules *rules, unsigned workers,
                                   const unsigned *seconds, const uint16_t *ports, size_t count)
{
    Collected collected = {g_string_new(NULL)};
    OddportEngine *engine = oddport_engine_new(rules, collect, &collected);
    oddport_engine_set_workers(engine, workers);
    feed_capture(engine, "one", seconds, ports, count);
    oddport_engine_finish(engine);
    oddport_engine_free(engine);
    return g_string_free(collected.lines, FALSE);
}

/* A flow's id is the position of its first packet, whatever order flows end in: here the flow
 * that began second ends first (idle for longer than UDP's timeout), and the packets before and
 * between keep their places whether or not they joined a flow. */
static void test_ids_follow_first_packets(void)
{
    OddportPortRules *rules = oddport_port_rules_new();
    const unsigned seconds[] = {0, 1, 100, 200};
    const uint16_t ports[] = {1001, 1002, 1001, 1003};
    g_autofree char *lines = collect_capture_flows(rules, 1, seconds, ports, G_N_ELEMENTS(seconds));
    g_assert_cmpstr(lines, ==, "2 unknown - 1\n1 unknown - 2\n4 unknown - 1\n");

    /* A caller that numbers frames itself (the plugin passes Wireshark's) gets those numbers;
     * the packets of a later capture count on after the earlier capture's last frame. */
    Collected collected = {g_string_new(NULL)};
    OddportEngine *engine = oddport_engine_new(rules, collect, &collected);
    oddport_engine_begin_capture(engine, "numbered", ODDPORT_CAPTURE_FORMAT_PCAP, 6);
    for (uint64_t frame = 5; frame <= 7; frame += 2) {
        uint8_t bytes[42];
        make_udp_frame(bytes, (uint16_t)(2000 + frame));
        g_assert_cmpuint(feed_frame(engine, bytes, sizeof bytes, (unsigned)frame, frame).flow_id,
                         ==, frame);
    }
    oddport_engine_end_capture(engine);
    const unsigned later_seconds[] = {10};
    const uint16_t later_ports[] = {3000};
    feed_capture(engine, "later", later_seconds, later_ports, 1);
    oddport_engine_finish(engine);
    g_autofree char *numbered = g_string_free(collected.lines, FALSE);
    g_assert_cmpstr(numbered, ==, "5 unknown - 1\n7 unknown - 1\n8 unknown - 1\n");
    oddport_engine_free(engine);
    oddport_port_rules_free(rules);
}

/* A flow idle past its timeout is over even where no other packet came meanwhile to look for
 * idle flows: its 5-tuple's next packet starts another flow, as it would after other traffic,
 * and as oddport merge joins flows across parts. Within the timeout it is one flow. With one
 * thread and with workers. */
static void test_idle_flow_ends_without_other_traffic(void)
{
    OddportPortRules *rules = oddport_port_rules_new();
    const unsigned seconds[] = {0, 100, 221, 400};
    const uint16_t ports[] = {1001, 1001, 1001, 1001};
    for (unsigned workers = 1; workers <= 3; workers++) {
        g_autofree char *lines =
            collect_capture_flows(rules, workers, seconds, ports, G_N_ELEMENTS(seconds));
        g_assert_cmpstr(lines, ==, "1 unknown - 2\n3 unknown - 1\n4 unknown - 1\n");
    }
    oddport_port_rules_free(rules);
}

/* A collector of each flow's id and whether the input's end finished it. */
static void collect_ends(const OddportFlowReport *flow, void *user_data)
{
    Collected *collected = user_data;
    g_string_append_printf(collected->lines, "%" G_GUINT64_FORMAT " %s\n", flow->id,
                           flow->open_at_end ? "open at end" : "finished");
}

/* Records that give no flow a packet (ARP here, a frame that is no IP) still move packet time
 * on: a UDP flow idle past its timeout when the capture's last record, ARP, comes is finished,
 * not left open at the end, as a merge of parts, which times flows out against each part's last
 * packet of any kind, finds it. Within the timeout it stays open. With one thread and with
 * workers. */
static void test_records_without_flows_move_time_on(void)
{
    OddportPortRules *rules = oddport_port_rules_new();
    uint8_t arp[42] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 1, 2, 3, 4, 5, 0x08, 0x06};
    uint8_t udp[42];
    make_udp_frame(udp, 1001);
    const struct {
        unsigned arp_second;
        const char *expected;
    } cases[] = {{1000, "1 finished\n"}, {60, "1 open at end\n"}};
    for (size_t index = 0; index < G_N_ELEMENTS(cases); index++) {
        for (unsigned workers = 1; workers <= 3; workers++) {
            Collected collected = {g_string_new(NULL)};
            OddportEngine *engine = oddport_engine_new(rules, collect_ends, &collected);
            oddport_engine_set_workers(engine, workers);
            oddport_engine_begin_capture(engine, "arp-last", ODDPORT_CAPTURE_FORMAT_PCAP, 6);
            g_assert_cmpint(feed_frame(engine, udp, sizeof udp, 0, 0).status, ==,
                            ODDPORT_DECODE_OK);
            g_assert_cmpint(feed_frame(engine, arp, sizeof arp, cases[index].arp_second, 0).status,
                            ==, ODDPORT_SKIP_NOT_IP);
            oddport_engine_end_capture(engine);
            oddport_engine_finish(engine);
            oddport_engine_free(engine);
            g_autofree char *lines = g_string_free(collected.lines, FALSE);
            g_assert_cmpstr(lines, ==, cases[index].expected);
        }
    }
    oddport_port_rules_free(rules);
}

/* A collector of each flow's id, its first packet's place and its deciding packet's. */
static void collect_places(const OddportFlowReport *flow, void *user_data)
{
    Collected *places = user_data;
    g_string_append_printf(places->lines, "%" G_GUINT64_FORMAT " %s:%" G_GUINT64_FORMAT, flow->id,
                           flow->first_packet.capture, flow->first_packet.frame);
    if (flow->deciding_packet.capture != NULL)
        g_string_append_printf(places->lines, " decided %s:%" G_GUINT64_FORMAT,
                               flow->deciding_packet.capture, flow->deciding_packet.frame);
    g_string_append_c(places->lines, '\n');
}

/* An SSH server's banner from 10.0.0.2 port 2222 to 10.0.0.1 port 40000, in one TCP segment. */
static size_t make_ssh_banner_frame(uint8_t frame[128])
{
    static const char banner[] = "SSH-2.0-OpenSSH_9.6\r\n";
    static const uint8_t ethernet[14] = {0, 1, 2, 3, 4, 6, 0, 1, 2, 3, 4, 5, 0x08, 0x00};
    /* Ports 2222 and 40000, sequence 4096, a header of 20 bytes, PSH and ACK. */
    static const uint8_t tcp[20] = {0x08, 0xae, 0x9c, 0x40, 0,    0,    0x10, 0, 0, 0,
                                    0,    0,    0x50, 0x18, 0xff, 0xff, 0,    0, 0, 0};
    /* IPv4 from 10.0.0.2 to 10.0.0.1; its total length is set below. */
    static const uint8_t ip[20] = {0x45, 0, 0,  0, 0, 1, 0,  0, 64, 6,
                                   0,    0, 10, 0, 0, 2, 10, 0, 0,  1};
    size_t payload = sizeof banner - 1;
    size_t length = 0;
    memcpy(frame + length, ethernet, sizeof ethernet);
    length += sizeof ethernet;
    memcpy(frame + length, ip, sizeof ip);
    size_t ip_length = sizeof ip + sizeof tcp + payload;
    frame[length + 2] = (uint8_t)(ip_length >> 8);
    frame[length + 3] = (uint8_t)ip_length;
    length += sizeof ip;
    memcpy(frame + length, tcp, sizeof tcp);
    length += sizeof tcp;
    memcpy(frame + length, banner, payload);
    return length + payload;
}

/* A packet's place is its capture and its frame there: a flow keeps the run's position of its
 * first packet and of the packet that decided it, and the capture is found from the position
 * when the flow is described. Across captures, past one without records, with frames the caller
 * numbered itself, and for a flow that began in one capture and went on in the next; with one
 * thread, and with worker threads, whose engines learn of each capture from the reading one. */
static void check_packet_places_across_captures(unsigned workers)
{
    OddportPortRules *rules = oddport_port_rules_new();
    Collected places = {g_string_new(NULL)};
    OddportEngine *engine = oddport_engine_new(rules, collect_places, &places);
    oddport_engine_set_workers(engine, workers);
    uint8_t udp[42];
    oddport_engine_begin_capture(engine, "first", ODDPORT_CAPTURE_FORMAT_PCAP, 6);
    make_udp_frame(udp, 1001);
    g_assert_cmpint(feed_frame(engine, udp, sizeof udp, 0, 0).status, ==, ODDPORT_DECODE_OK);
    make_udp_frame(udp, 1002);
    g_assert_cmpint(feed_frame(engine, udp, sizeof udp, 1, 0).status, ==, ODDPORT_DECODE_OK);
    oddport_engine_end_capture(engine);
    oddport_engine_begin_capture(engine, "empty", ODDPORT_CAPTURE_FORMAT_PCAP, 6);
    oddport_engine_end_capture(engine);
    oddport_engine_begin_capture(engine, "third", ODDPORT_CAPTURE_FORMAT_PCAP, 6);
    make_udp_frame(udp, 1001);
    g_assert_cmpint(feed_frame(engine, udp, sizeof udp, 2, 4).status, ==, ODDPORT_DECODE_OK);
    uint8_t ssh[128];
    g_assert_cmpint(feed_frame(engine, ssh, make_ssh_banner_frame(ssh), 3, 0).status, ==,
                    ODDPORT_DECODE_OK);
    make_udp_frame(udp, 1003);
    g_assert_cmpint(feed_frame(engine, udp, sizeof udp, 4, 9).status, ==, ODDPORT_DECODE_OK);
    oddport_engine_end_capture(engine);
    oddport_engine_finish(engine);
    g_autofree char *lines = g_string_free(places.lines, FALSE);
    g_assert_cmpstr(lines, ==,
                    "1 first:1\n"
                    "2 first:2\n"
                    "7 third:5 decided third:5\n"
                    "11 third:9\n");
    oddport_engine_free(engine);
    oddport_port_rules_free(rules);
}

static void test_packet_places_across_captures(void)
{
    check_packet_places_across_captures(1);
    check_packet_places_across_captures(2);
    check_packet_places_across_captures(3);
}

/* At the end, the flows still open finish in the order they began, a chunk at a time, however
 * the flow table holds them; an engine freed before the last chunk frees the flows left. */
static void test_open_flows_finish_in_order_of_beginning(void)
{
    enum { FLOWS = 300, CHUNK = 100 };
    OddportPortRules *rules = oddport_port_rules_new();
    Collected collected = {g_string_new(NULL)};
    OddportEngine *engine = oddport_engine_new(rules, collect, &collected);
    unsigned seconds[FLOWS] = {0};
    uint16_t ports[FLOWS];
    /* Distinct ports in no order, so that the table's slots hold the flows in none either. */
    for (unsigned index = 0; index < FLOWS; index++)
        ports[index] = (uint16_t)(1000 + index * 7919u % 5000u);
    feed_capture(engine, "many", seconds, ports, FLOWS);
    g_assert_true(oddport_engine_finish_open_flows(engine, CHUNK));
    g_assert_true(oddport_engine_finish_open_flows(engine, CHUNK));
    GString *expected = g_string_new(NULL);
    for (unsigned id = 1; id <= 2 * CHUNK; id++)
        g_string_append_printf(expected, "%u unknown - 1\n", id);
    g_autofree char *lines = g_string_free(collected.lines, FALSE);
    g_assert_cmpstr(lines, ==, expected->str);
    g_string_free(expected, TRUE);
    oddport_engine_free(engine);
    oddport_port_rules_free(rules);
}

static void keep_finished(OddportFinishedFlow *finished, void *user_data)
{
    g_ptr_array_add(user_data, finished);
}

/* A worker's engine hands a finished flow over with the flow itself only when the report
 * borrows from it (a side's result): any other flow, as a flood's are, is let go at once, so
 * that it is not held until it is delivered. The results a report points at stay readable until
 * its record is released. */
static void test_worker_keeps_a_flow_only_when_its_report_borrows(void)
{
    OddportPortRules *rules = oddport_port_rules_new();
    OddportEngine *engine = oddport_engine_new(rules, NULL, NULL);
    GPtrArray *handed = g_ptr_array_new();
    oddport_engine_set_finished_handler(engine, keep_finished, handed);
    g_autofree char *path = capture_path();
    GError *error = NULL;
    g_assert_true(oddport_engine_read_capture(engine, path, &error));
    g_assert_no_error(error);
    oddport_engine_finish(engine);
    unsigned kept = 0;
    for (guint index = 0; index < handed->len; index++) {
        OddportFinishedFlow *finished = g_ptr_array_index(handed, index);
        const OddportFlowReport *report = &finished->report;
        bool borrows = report->client_result != NULL || report->server_result != NULL;
        g_assert_true((finished->flow != NULL) == borrows);
        if (report->client_result != NULL)
            g_assert_cmpint(report->client_result->app, ==, report->verdict->client_app);
        if (report->server_result != NULL)
            g_assert_cmpint(report->server_result->app, ==, report->verdict->server_app);
        kept += borrows;
    }
    /* The recorded captures' 27 flows: 23 recognised on a side, 4 that never were. */
    g_assert_cmpuint(handed->len, ==, 27);
    g_assert_cmpuint(kept, ==, 23);
    for (guint index = 0; index < handed->len; index++)
        oddport_engine_release_finished(g_ptr_array_index(handed, index));
    g_ptr_array_free(handed, TRUE);
    oddport_engine_free(engine);
    oddport_port_rules_free(rules);
}

/* Captures read one after another are counted once: a repeated capture adds nothing, one that
 * goes back into covered time adds only the packets it does not repeat, and a capture of
 * another link at the same time (other packets, other times) is counted in full. */
static void test_overlapping_captures_count_once(void)
{
    OddportPortRules *rules = oddport_port_rules_new();
    Collected collected = {g_string_new(NULL)};
    OddportEngine *engine = oddport_engine_new(rules, collect, &collected);
    const unsigned first_seconds[] = {10, 11, 12};
    const uint16_t first_ports[] = {1001, 1002, 1003};
    /* As the CLI does: remember from where the captures still to come begin. */
    oddport_engine_remember_packets_from(engine, 10 * UINT64_C(1000000000));
    feed_capture(engine, "first", first_seconds, first_ports, 3);
    feed_capture(engine, "repeat", first_seconds, first_ports, 3);
    /* Starts inside the first, repeats two of its packets, adds one at a shared instant (12)
     * and one after. */
    const unsigned overlap_seconds[] = {11, 12, 12, 13};
    const uint16_t overlap_ports[] = {1002, 1003, 1004, 1005};
    feed_capture(engine, "overlap", overlap_seconds, overlap_ports, 4);
    /* Another link over the same seconds: none of its packets is one seen before. */
    const unsigned other_link_seconds[] = {10, 11};
    const uint16_t other_link_ports[] = {2001, 2002};
    feed_capture(engine, "other-link", other_link_seconds, other_link_ports, 2);
    oddport_engine_finish(engine);

    const OddportSummary *summary = oddport_engine_summary(engine);
    g_assert_cmpuint(summary->captures->len, ==, 4);
    const OddportCaptureSummary *repeat = g_ptr_array_index(summary->captures, 1);
    const OddportCaptureSummary *overlap = g_ptr_array_index(summary->captures, 2);
    const OddportCaptureSummary *other_link = g_ptr_array_index(summary->captures, 3);
    g_assert_cmpuint(repeat->skipped[ODDPORT_SKIP_OVERLAPPING_CAPTURE], ==, 3);
    g_assert_cmpuint(repeat->warnings->len, ==, 1);
    g_assert_nonnull(strstr(g_ptr_array_index(repeat->warnings, 0), "repeated capture"));
    g_assert_cmpuint(overlap->skipped[ODDPORT_SKIP_OVERLAPPING_CAPTURE], ==, 2);
    g_assert_nonnull(strstr(g_ptr_array_index(overlap->warnings, 0), "overlapping capture"));
    g_assert_cmpuint(other_link->skipped[ODDPORT_SKIP_OVERLAPPING_CAPTURE], ==, 0);
    g_assert_cmpuint(other_link->warnings->len, ==, 0);
    g_assert_cmpuint(summary->skipped[ODDPORT_SKIP_OVERLAPPING_CAPTURE], ==, 5);
    /* Ports 1001 to 1005 and 2001, 2002: one flow each. */
    g_assert_cmpuint(summary->counts->flows, ==, 7);
    oddport_engine_free(engine);
    g_string_free(collected.lines, TRUE);
    oddport_port_rules_free(rules);
}

/* Packets stamped at time 0 (zeroed or anonymised times) are repeats like any others: the
 * comparison from two microseconds before a packet's time started, at 0, from before 0 and
 * wrapped round, and compared nothing. */
static void test_repeats_at_time_zero(void)
{
    OddportPortRules *rules = oddport_port_rules_new();
    Collected collected = {g_string_new(NULL)};
    OddportEngine *engine = oddport_engine_new(rules, collect, &collected);
    const unsigned seconds[] = {0, 0, 0};
    const uint16_t ports[] = {1001, 1002, 1003};
    oddport_engine_remember_packets_from(engine, 0);
    feed_capture(engine, "zero", seconds, ports, 3);
    feed_capture(engine, "zero-copy", seconds, ports, 3);
    oddport_engine_finish(engine);
    const OddportSummary *summary = oddport_engine_summary(engine);
    const OddportCaptureSummary *copy = g_ptr_array_index(summary->captures, 1);
    g_assert_cmpuint(copy->skipped[ODDPORT_SKIP_OVERLAPPING_CAPTURE], ==, 3);
    g_assert_cmpuint(summary->counts->flows, ==, 3);
    oddport_engine_free(engine);
    g_string_free(collected.lines, TRUE);
    oddport_port_rules_free(rules);
}

/* A capture that cannot be read is still in the summary, after the one read before it, with its
 * error and nothing counted; the run's totals are those of the capture that was read. */
static void test_unread_capture_is_listed(void)
{
    OddportPortRules *rules = oddport_port_rules_new();
    OddportEngine *engine = oddport_engine_new(rules, NULL, NULL);
    g_autofree char *path = capture_path();
    g_autofree char *missing = g_build_filename(ODDPORT_TEST_DATA_DIR, "no-such.pcap", NULL);
    GError *error = NULL;
    g_assert_true(oddport_engine_read_capture(engine, path, &error));
    g_assert_false(oddport_engine_read_capture(engine, missing, &error));
    g_assert_error(error, ODDPORT_CAPTURE_ERROR, ODDPORT_CAPTURE_ERROR_OPEN);
    oddport_engine_finish(engine);
    const OddportSummary *summary = oddport_engine_summary(engine);
    g_assert_cmpuint(summary->captures->len, ==, 2);
    const OddportCaptureSummary *read = g_ptr_array_index(summary->captures, 0);
    const OddportCaptureSummary *unread = g_ptr_array_index(summary->captures, 1);
    g_assert_null(read->error);
    g_assert_cmpstr(unread->path, ==, missing);
    g_assert_cmpstr(unread->error, ==, error->message);
    g_assert_cmpint(unread->error_kind, ==, ODDPORT_CAPTURE_ERROR_OPEN);
    g_assert_cmpuint(unread->packets, ==, 0);
    g_assert_cmpuint(unread->link_types->len, ==, 0);
    g_assert_cmpuint(summary->packets, ==, read->packets);
    g_assert_cmpuint(summary->warnings->len, ==, 0);
    g_clear_error(&error);
    oddport_engine_free(engine);
    oddport_port_rules_free(rules);
}

/* A pcap file of raw IPv4 datagrams (link type 101), each from its own UDP source port and so a
 * flow of its own; the caller frees the path (transfer full) and removes the file. */
static char *write_datagrams(unsigned count)
{
    Builder capture = builder_new(false);
    pcap_file_header(&capture, 0xa1b2c3d4, 2, 4, 65535, 101);
    for (unsigned index = 0; index < count; index++) {
        Builder datagram = builder_new(true);
        const uint8_t ipv4_header[] = {0x45, 0, 0,  32, 0, 0, 0,  0, 64, 17,
                                       0,    0, 10, 0,  0, 1, 10, 0, 0,  2};
        put_bytes(&datagram, ipv4_header, sizeof ipv4_header);
        put_u16(&datagram, (uint16_t)(1024 + index)); /* source port */
        put_u16(&datagram, 12345);                    /* destination port */
        put_u16(&datagram, 12);                       /* UDP length: header and four bytes */
        put_u16(&datagram, 0);                        /* no checksum */
        put_u32(&datagram, index);                    /* the payload */
        put_u32(&capture, 1700000000 + index / 1000);
        put_u32(&capture, index % 1000 * 1000);
        put_u32(&capture, datagram.bytes->len);
        put_u32(&capture, datagram.bytes->len);
        put_bytes(&capture, datagram.bytes->data, datagram.bytes->len);
        g_byte_array_unref(datagram.bytes);
    }
    char *path = write_temporary(capture.bytes);
    g_byte_array_unref(capture.bytes);
    return path;
}

typedef struct {
    OddportEngine *engine;
    unsigned calls;
    uint64_t packets_when_stopped;
} StopAtSecondCheck;

static bool stop_at_second_check(void *user_data)
{
    StopAtSecondCheck *stop = user_data;
    if (++stop->calls < 2)
        return false;
    const OddportSummary *summary = oddport_engine_summary(stop->engine);
    const OddportCaptureSummary *capture =
        g_ptr_array_index(summary->captures, summary->captures->len - 1);
    stop->packets_when_stopped = capture->packets;
    return true;
}

static void count_flow(const OddportFlowReport *flow, void *user_data)
{
    (void)flow;
    (*(uint64_t *)user_data)++;
}

/* Stopped by its caller, reading a file has fed every record it counted and none after: as many
 * one-packet flows as packets, all of them counted when the stop was asked for. */
static void test_stopped_reading_counts_what_was_fed(void)
{
    enum { DATAGRAMS = 20000 };
    g_autofree char *path = write_datagrams(DATAGRAMS);
    OddportPortRules *rules = oddport_port_rules_new();
    uint64_t flows = 0;
    OddportEngine *engine = oddport_engine_new(rules, count_flow, &flows);
    StopAtSecondCheck stop = {engine, 0, 0};
    oddport_engine_set_stop_check(engine, stop_at_second_check, &stop);
    GError *error = NULL;
    g_assert_true(oddport_engine_read_capture(engine, path, &error));
    g_assert_no_error(error);
    oddport_engine_finish(engine);
    const OddportSummary *summary = oddport_engine_summary(engine);
    g_assert_true(summary->stopped);
    g_assert_cmpuint(stop.calls, ==, 2);
    g_assert_cmpuint(stop.packets_when_stopped, >, 0);
    g_assert_cmpuint(stop.packets_when_stopped, <, DATAGRAMS);
    g_assert_cmpuint(summary->packets, ==, stop.packets_when_stopped);
    g_assert_cmpuint(flows, ==, stop.packets_when_stopped);
    oddport_engine_free(engine);
    oddport_port_rules_free(rules);
    g_assert_cmpint(g_remove(path), ==, 0);
}

/* A filter that does not compile is a filter error, not a capture's: callers tell them apart. */
static void test_invalid_filter_error(void)
{
    OddportPortRules *rules = oddport_port_rules_new();
    OddportEngine *engine = oddport_engine_new(rules, NULL, NULL);
    GError *error = NULL;
    g_assert_false(oddport_engine_set_filter(engine, "tcp port", &error));
    g_assert_error(error, ODDPORT_ENGINE_ERROR, ODDPORT_ENGINE_ERROR_INVALID_FILTER);
    g_assert_nonnull(strstr(error->message, "tcp port"));
    g_clear_error(&error);
    g_assert_true(oddport_engine_set_filter(engine, "tcp port 443", &error));
    g_assert_no_error(error);
    oddport_engine_free(engine);
    oddport_port_rules_free(rules);
}

/* libpcap is loaded for the first filter: every function filtering calls is there. */
static void test_filter_loads_libpcap(void)
{
    GError *error = NULL;
    const OddportPcapFunctions *pcap = oddport_pcap_functions(&error);
    g_assert_no_error(error);
    g_assert_nonnull(pcap);
    g_assert_nonnull(pcap->open_dead);
    g_assert_nonnull(pcap->compile);
    g_assert_nonnull(pcap->geterr);
    g_assert_nonnull(pcap->close);
    g_assert_nonnull(pcap->freecode);
    g_assert_nonnull(pcap->offline_filter);
    g_assert_true(oddport_pcap_functions(NULL) == pcap);
}

/* A libpcap that cannot be loaded is an error of its own, which names what went wrong. */
static void test_missing_libpcap_is_an_error(void)
{
    OddportPcapFunctions functions = {0};
    GError *error = NULL;
    g_assert_false(oddport_pcap_load("libpcap-oddport-test-none.so.0", &functions, &error));
    g_assert_error(error, ODDPORT_ENGINE_ERROR, ODDPORT_ENGINE_ERROR_FILTER_UNAVAILABLE);
    g_assert_nonnull(strstr(error->message, "libpcap"));
    g_clear_error(&error);
}

static void test_engine_error_domain_name(void)
{
    g_assert_cmpstr(g_quark_to_string(ODDPORT_ENGINE_ERROR), ==, "oddport-engine-error-quark");
}

/* The rule the engine and oddport merge share for a SYN on a flow already open. */
static void test_syn_starts_connection(void)
{
    /* The flow's own SYN again: a retransmission, the same connection. */
    g_assert_false(oddport_syn_starts_connection(false, true, 1000, 1000));
    /* Another number on the same ports: a new connection. */
    g_assert_true(oddport_syn_starts_connection(false, true, 1000, 9000));
    /* A flow seen from its middle, or a SYN from the endpoint that sent none: it goes on. */
    g_assert_false(oddport_syn_starts_connection(false, false, 0, 9000));
    /* After both FINs or a reset, any SYN starts another, the same number included. */
    g_assert_true(oddport_syn_starts_connection(true, true, 1000, 1000));
    g_assert_true(oddport_syn_starts_connection(true, false, 0, 1000));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/engine/ids-follow-first-packets", test_ids_follow_first_packets);
    g_test_add_func("/engine/idle-flow-ends-without-other-traffic",
                    test_idle_flow_ends_without_other_traffic);
    g_test_add_func("/engine/records-without-flows-move-time-on",
                    test_records_without_flows_move_time_on);
    g_test_add_func("/engine/packet-places-across-captures", test_packet_places_across_captures);
    g_test_add_func("/engine/open-flows-finish-in-order-of-beginning",
                    test_open_flows_finish_in_order_of_beginning);
    g_test_add_func("/engine/fed-records-match-the-file", test_fed_records_match_the_file);
    g_test_add_func("/engine/overlapping-captures-count-once",
                    test_overlapping_captures_count_once);
    g_test_add_func("/engine/repeats-at-time-zero", test_repeats_at_time_zero);
    g_test_add_func("/engine/unread-capture-is-listed", test_unread_capture_is_listed);
    g_test_add_func("/engine/worker-keeps-a-flow-only-when-its-report-borrows",
                    test_worker_keeps_a_flow_only_when_its_report_borrows);
    g_test_add_func("/engine/stopped-reading-counts-what-was-fed",
                    test_stopped_reading_counts_what_was_fed);
    g_test_add_func("/engine/invalid-filter-error", test_invalid_filter_error);
    g_test_add_func("/engine/filter-loads-libpcap", test_filter_loads_libpcap);
    g_test_add_func("/engine/missing-libpcap-is-an-error", test_missing_libpcap_is_an_error);
    g_test_add_func("/engine/syn-starts-connection", test_syn_starts_connection);
    g_test_add_func("/engine/error-domain-name", test_engine_error_domain_name);
    return g_test_run();
}
