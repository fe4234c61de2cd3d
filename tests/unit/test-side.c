/* Unit tests for per-side detection: in-place verdicts, reassembly across segments, datagrams. */
#include <string.h>

#include <glib.h>

#include "internal/side.h"

static const char request[] = "GET /split HTTP/1.1\r\nHost: example.org\r\n\r\n";
static const char banner[] = "SSH-2.0-OpenSSH_9.2p1\r\n";

static void test_in_place(void)
{
    OddportSide side;
    oddport_side_init(&side, ODDPORT_TRANSPORT_TCP);
    oddport_side_set_start(&side, 1001);
    g_assert_true(
        oddport_side_feed_segment(&side, 1001, (const uint8_t *)request, strlen(request)));
    g_assert_true(side.decided);
    g_assert_nonnull(side.result);
    g_assert_cmpint(side.result->app, ==, ODDPORT_APP_HTTP);
    /* Nothing was copied: the verdict came from the segment itself. */
    g_assert_null(side.stream.buffer);
    oddport_side_clear(&side);
}

static void test_split_and_reordered(void)
{
    OddportSide side;
    oddport_side_init(&side, ODDPORT_TRANSPORT_TCP);
    oddport_side_set_start(&side, 0);
    size_t cut = 9; /* inside the request line */
    /* The second half arrives first, then the first: the prefix completes only then. */
    g_assert_false(oddport_side_feed_segment(&side, (uint32_t)cut, (const uint8_t *)request + cut,
                                             strlen(request) - cut));
    g_assert_false(side.decided);
    g_assert_true(oddport_side_feed_segment(&side, 0, (const uint8_t *)request, cut));
    g_assert_cmpint(side.result->app, ==, ODDPORT_APP_HTTP);
    g_assert_cmpstr(oddport_http_details(side.result)->path, ==, "/split");
    oddport_side_clear(&side);
}

static void test_pending_confidence(void)
{
    OddportSide side;
    oddport_side_init(&side, ODDPORT_TRANSPORT_TCP);
    g_assert_false(oddport_side_feed_segment(&side, 50, (const uint8_t *)banner, 12));
    g_assert_false(side.decided);
    g_assert_cmpint(side.pending_confidence, >=, ODDPORT_CONFIDENCE_MEDIUM);
    /* The flow ends before the line does: the partial banner still stands. */
    oddport_side_finish(&side);
    g_assert_true(side.decided);
    g_assert_cmpint(side.result->app, ==, ODDPORT_APP_SSH);
    oddport_side_clear(&side);
}

static void test_datagram(void)
{
    OddportSide side;
    oddport_side_init(&side, ODDPORT_TRANSPORT_TCP);
    g_assert_true(oddport_side_feed_datagram(&side, (const uint8_t *)"\x12\x34\x01\x00", 4));
    g_assert_true(side.decided);
    g_assert_null(side.result);
    g_assert_true(side.had_payload);
    /* Recognised as nothing: its first bytes are kept for judging what it answers. */
    g_assert_nonnull(side.opening);
    g_assert_cmpmem(side.opening->bytes, side.opening->length, "\x12\x34\x01\x00", 4);
    oddport_side_clear(&side);
}

/* A server's bare body answering an HTTP/0.9 request: text lines wait (they could precede an
 * SSH banner) until the flow ends, and the opening is kept from the reassembled bytes. */
static void test_opening_of_an_unrecognised_side(void)
{
    static const char body[] = "<!DOCTYPE HTML>\n<html>\n";
    OddportSide side;
    oddport_side_init(&side, ODDPORT_TRANSPORT_TCP);
    oddport_side_set_start(&side, 7);
    g_assert_false(oddport_side_feed_segment(&side, 7, (const uint8_t *)body, 2));
    g_assert_false(
        oddport_side_feed_segment(&side, 9, (const uint8_t *)body + 2, strlen(body) - 2));
    g_assert_null(side.opening);
    oddport_side_finish(&side);
    g_assert_true(side.decided);
    g_assert_null(side.result);
    g_assert_nonnull(side.opening);
    g_assert_cmpmem(side.opening->bytes, side.opening->length, body, sizeof body - 1);
    oddport_side_clear(&side);

    /* A recognised side keeps its result, not its opening. */
    oddport_side_init(&side, ODDPORT_TRANSPORT_TCP);
    g_assert_true(oddport_side_feed_segment(&side, 0, (const uint8_t *)request, strlen(request)));
    g_assert_null(side.opening);
    oddport_side_clear(&side);
}

/* A side nothing recognised keeps its first bytes, in order and bounded, after its stream is
 * released: they are the evidence for a service nobody recognised. */
static void test_opening_kept(void)
{
    static const char greeting[] =
        "220 relay.example.test ESMTP ready\r\n250 relay.example.test\r\n";
    OddportSide side;
    oddport_side_init(&side, ODDPORT_TRANSPORT_TCP);
    oddport_side_set_start(&side, 0);
    size_t cut = 4;
    g_assert_false(oddport_side_feed_segment(&side, (uint32_t)cut, (const uint8_t *)greeting + cut,
                                             strlen(greeting) - cut));
    oddport_side_feed_segment(&side, 0, (const uint8_t *)greeting, cut);
    oddport_side_finish(&side);
    g_assert_true(side.decided);
    g_assert_null(side.result);
    g_assert_null(side.stream.buffer);
    g_assert_nonnull(side.opening);
    g_assert_cmpuint(side.opening->length, ==, ODDPORT_OPENING_MAX);
    g_assert_cmpmem(side.opening->bytes, side.opening->length, greeting, ODDPORT_OPENING_MAX);
    oddport_side_clear(&side);

    oddport_side_init(&side, ODDPORT_TRANSPORT_TCP);
    g_assert_true(oddport_side_feed_datagram(&side, (const uint8_t *)"\x00\x01ok", 4));
    g_assert_cmpmem(side.opening->bytes, side.opening->length, "\x00\x01ok", 4);
    oddport_side_clear(&side);

    /* A side recognised for sure needs no opening: its verdict says more. */
    oddport_side_init(&side, ODDPORT_TRANSPORT_TCP);
    oddport_side_set_start(&side, 1001);
    oddport_side_feed_segment(&side, 1001, (const uint8_t *)request, strlen(request));
    g_assert_nonnull(side.result);
    g_assert_null(side.opening);
    oddport_side_clear(&side);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/side/in-place", test_in_place);
    g_test_add_func("/side/split-and-reordered", test_split_and_reordered);
    g_test_add_func("/side/pending-confidence", test_pending_confidence);
    g_test_add_func("/side/datagram", test_datagram);
    g_test_add_func("/side/opening-kept", test_opening_kept);
    g_test_add_func("/side/opening-of-an-unrecognised-side", test_opening_of_an_unrecognised_side);
    return g_test_run();
}
