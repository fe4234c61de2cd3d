/* Unit tests for the engine: fed record by record it gives the file's flows; what the summary says.
 */
#include <string.h>

#include <glib.h>

#include "oddport/engine.h"

typedef struct {
    GString *lines; /* one line per finished flow: id, app, severity, packets */
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

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/engine/fed-records-match-the-file", test_fed_records_match_the_file);
    g_test_add_func("/engine/unread-capture-is-listed", test_unread_capture_is_listed);
    return g_test_run();
}
