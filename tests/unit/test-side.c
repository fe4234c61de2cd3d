/* Unit tests for per-side detection: in-place verdicts, reassembly across segments, datagrams,
 * and details read from the bytes after those that decided the side. */
#include <string.h>

#include <glib.h>

#include "internal/side.h"
#include "openssh-openings.h"

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

static bool feed(OddportSide *side, uint32_t sequence, const uint8_t *bytes, size_t length)
{
    /* An exactly sized copy, as a capture reader hands a segment over. */
    uint8_t *copy = g_memdup2(bytes, length);
    bool decided = oddport_side_feed_segment(side, sequence, copy, length);
    g_free(copy);
    return decided;
}

static const OddportSshInfo *ssh_details(const OddportSide *side)
{
    const OddportSshInfo *details = oddport_ssh_details(side->result);
    g_assert_nonnull(details);
    return details;
}

/* Done reading: the details are final and the opening is released. */
static void assert_done(const OddportSide *side, const char *hassh)
{
    g_assert_true(side->decided);
    g_assert_false(side->reading_later_details);
    g_assert_null(side->stream.buffer);
    g_assert_cmpstr(ssh_details(side)->hassh, ==, hassh);
    g_assert_cmpstr(ssh_details(side)->banner, ==, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10");
}

/* The banner decides the side; the KEXINIT in the next segment is read after, and then the kept
 * opening is let go. */
static void test_later_details_after_the_deciding_segment(void)
{
    const uint8_t *bytes = openssh_client_opening;
    size_t length = sizeof openssh_client_opening;
    OddportSide side;
    oddport_side_init(&side, ODDPORT_TRANSPORT_TCP);
    oddport_side_set_start(&side, 1000);
    g_assert_true(feed(&side, 1000, bytes, OPENSSH_BANNER_LENGTH));
    g_assert_cmpint(side.result->app, ==, ODDPORT_APP_SSH);
    g_assert_true(side.reading_later_details);
    g_assert_nonnull(side.stream.buffer);
    g_assert_cmpstr(ssh_details(&side)->hassh, ==, "");

    /* Decided already: this segment completes the details, it does not decide again. */
    g_assert_false(feed(&side, 1000 + OPENSSH_BANNER_LENGTH, bytes + OPENSSH_BANNER_LENGTH,
                        length - OPENSSH_BANNER_LENGTH));
    assert_done(&side, OPENSSH_CLIENT_HASSH);
    g_assert_cmpstr(ssh_details(&side)->hassh_server, ==, OPENSSH_CLIENT_HASSH);

    /* What comes later is not kept. */
    g_assert_false(feed(&side, 1000 + (uint32_t)length, (const uint8_t *)"\x00\x00\x00\x0c", 4));
    assert_done(&side, OPENSSH_CLIENT_HASSH);
    oddport_side_finish(&side);
    assert_done(&side, OPENSSH_CLIENT_HASSH);
    oddport_side_clear(&side);
}

/* Banner and KEXINIT in one segment: decided and done at once. */
static void test_later_details_in_the_deciding_segment(void)
{
    OddportSide side;
    oddport_side_init(&side, ODDPORT_TRANSPORT_TCP);
    oddport_side_set_start(&side, 77);
    g_assert_true(feed(&side, 77, openssh_server_opening, sizeof openssh_server_opening));
    assert_done(&side, OPENSSH_SERVER_HASSH_SERVER);
    g_assert_cmpstr(ssh_details(&side)->hassh_server, ==, OPENSSH_SERVER_HASSH_SERVER);
    oddport_side_clear(&side);
}

/* Two segments cut anywhere, in order or the second first, across the sequence number's wrap:
 * the growing opening gives the same fingerprint, and nothing stays kept. */
static void test_later_details_split_anywhere(void)
{
    const uint8_t *bytes = openssh_client_opening;
    size_t length = sizeof openssh_client_opening;
    const uint32_t start = 0xfffffc00;
    for (size_t cut = 1; cut < length; cut++) {
        for (int reversed = 0; reversed <= 1; reversed++) {
            OddportSide side;
            oddport_side_init(&side, ODDPORT_TRANSPORT_TCP);
            oddport_side_set_start(&side, start);
            if (reversed) {
                feed(&side, start + (uint32_t)cut, bytes + cut, length - cut);
                g_assert_false(side.decided);
                feed(&side, start, bytes, cut);
            } else {
                feed(&side, start, bytes, cut);
                g_assert_true(side.decided == (cut >= OPENSSH_BANNER_LENGTH));
                g_assert_cmpstr(side.decided ? ssh_details(&side)->hassh : "", ==, "");
                feed(&side, start + (uint32_t)cut, bytes + cut, length - cut);
            }
            assert_done(&side, OPENSSH_CLIENT_HASSH);
            oddport_side_clear(&side);
        }
    }
}

/* The flow ends with part of the KEXINIT: no fingerprint, and the opening is released. */
static void test_later_details_cut_short(void)
{
    const uint8_t *bytes = openssh_server_opening;
    size_t cuts[] = {OPENSSH_BANNER_LENGTH + 2, OPENSSH_BANNER_LENGTH + 300,
                     sizeof openssh_server_opening - 1};
    for (size_t index = 0; index < G_N_ELEMENTS(cuts); index++) {
        OddportSide side;
        oddport_side_init(&side, ODDPORT_TRANSPORT_TCP);
        oddport_side_set_start(&side, 5);
        g_assert_true(feed(&side, 5, bytes, cuts[index]));
        g_assert_true(side.reading_later_details);
        g_assert_nonnull(side.stream.buffer);
        oddport_side_finish(&side);
        assert_done(&side, "");
        g_assert_cmpstr(ssh_details(&side)->hassh_server, ==, "");
        oddport_side_clear(&side);
    }
}

/* What can never become a KEXINIT is given up at once, without waiting for the flow to end. */
static void test_later_details_given_up(void)
{
    GByteArray *opening = g_byte_array_new();
    g_byte_array_append(opening, openssh_client_opening, OPENSSH_BANNER_LENGTH);
    g_byte_array_append(opening, (const guint8 *)"\xff\xff\xff\xff\x04\x14", 6);
    OddportSide side;
    oddport_side_init(&side, ODDPORT_TRANSPORT_TCP);
    oddport_side_set_start(&side, 0);
    g_assert_true(feed(&side, 0, opening->data, opening->len));
    assert_done(&side, "");
    oddport_side_clear(&side);
    g_byte_array_free(opening, TRUE);

    /* SSH 1.5 has no KEXINIT to wait for. */
    static const char ssh1[] = "SSH-1.5-1.2.27\r\n";
    oddport_side_init(&side, ODDPORT_TRANSPORT_TCP);
    oddport_side_set_start(&side, 0);
    g_assert_true(feed(&side, 0, (const uint8_t *)ssh1, strlen(ssh1)));
    g_assert_false(side.reading_later_details);
    g_assert_null(side.stream.buffer);
    g_assert_cmpstr(ssh_details(&side)->protocol_version, ==, "1.5");
    oddport_side_clear(&side);
}

/* A datagram stands alone: what the deciding one holds is all its details get. */
static void test_later_details_in_datagrams(void)
{
    OddportSide side;
    oddport_side_init(&side, ODDPORT_TRANSPORT_UDP);
    g_assert_true(
        oddport_side_feed_datagram(&side, openssh_client_opening, sizeof openssh_client_opening));
    assert_done(&side, OPENSSH_CLIENT_HASSH);
    oddport_side_clear(&side);

    oddport_side_init(&side, ODDPORT_TRANSPORT_UDP);
    g_assert_true(oddport_side_feed_datagram(&side, openssh_client_opening, OPENSSH_BANNER_LENGTH));
    assert_done(&side, "");
    g_assert_false(
        oddport_side_feed_datagram(&side, openssh_client_opening + OPENSSH_BANNER_LENGTH,
                                   sizeof openssh_client_opening - OPENSSH_BANNER_LENGTH));
    assert_done(&side, "");
    oddport_side_finish(&side);
    assert_done(&side, "");
    oddport_side_clear(&side);
}

/* A side decided only when the flow ends (a banner without its line end) keeps nothing after
 * it: its protocol reads what there is, once, as final. */
static void test_later_details_decided_at_the_end(void)
{
    static const char unfinished[] = "SSH-2.0-OpenSSH_9.2";
    OddportSide side;
    oddport_side_init(&side, ODDPORT_TRANSPORT_TCP);
    oddport_side_set_start(&side, 1000);
    g_assert_false(
        oddport_side_feed_segment(&side, 1000, (const uint8_t *)unfinished, strlen(unfinished)));
    g_assert_false(side.decided);
    oddport_side_finish(&side);
    g_assert_true(side.decided);
    g_assert_false(side.reading_later_details);
    size_t kept = 0;
    oddport_stream_data(&side.stream, &kept);
    g_assert_cmpuint(kept, ==, 0);
    oddport_side_clear(&side);
}

/* One side's opening fed in two segments cut at `cut` (whole when `cut` is its length), in
 * order, and the flow's end; the side is left for the caller to look at and clear. */
static void feed_cut_and_finish(OddportSide *side, const char *opening, size_t cut)
{
    size_t length = strlen(opening);
    oddport_side_init(side, ODDPORT_TRANSPORT_TCP);
    oddport_side_set_start(side, 5000);
    feed(side, 5000, (const uint8_t *)opening, cut);
    if (cut < length)
        feed(side, 5000 + (uint32_t)cut, (const uint8_t *)opening + cut, length - cut);
    oddport_side_finish(side);
    g_assert_true(side->decided);
    g_assert_false(side->reading_later_details);
    g_assert_null(side->stream.buffer);
}

/* A request line decides the side; header lines in later segments (a client typing line by line,
 * a long cookie before Host) still give Host and User-Agent, wherever the segments are cut. */
static void test_later_details_http_headers(void)
{
    static const char typed[] =
        "GET /lines HTTP/1.1\r\nCookie: a=1\r\nHost: lines.test\r\nUser-Agent: typed\r\n\r\n";
    size_t request_line = strlen("GET /lines HTTP/1.1\r\n");
    for (size_t cut = 1; cut <= strlen(typed); cut++) {
        OddportSide side;
        feed_cut_and_finish(&side, typed, cut);
        const OddportHttpInfo *details = oddport_http_details(side.result);
        g_assert_nonnull(details);
        g_assert_cmpstr(details->host, ==, "lines.test");
        g_assert_cmpstr(details->user_agent, ==, "typed");
        oddport_side_clear(&side);
    }

    /* Decided on the request line; the rest of its header block read as it comes, then let go. */
    OddportSide side;
    oddport_side_init(&side, ODDPORT_TRANSPORT_TCP);
    oddport_side_set_start(&side, 10);
    g_assert_true(feed(&side, 10, (const uint8_t *)typed, request_line));
    g_assert_true(side.reading_later_details);
    g_assert_cmpstr(oddport_http_details(side.result)->host, ==, "");
    g_assert_false(feed(&side, 10 + (uint32_t)request_line, (const uint8_t *)typed + request_line,
                        strlen(typed) - request_line));
    g_assert_false(side.reading_later_details);
    g_assert_null(side.stream.buffer);
    g_assert_cmpstr(oddport_http_details(side.result)->host, ==, "lines.test");
    oddport_side_clear(&side);
}

/* Interim answers (100 Continue, 103 Early Hints) come before the final one, whose status is the
 * answer's; 101 Switching Protocols is final. The flow may end after an interim one. */
static void test_later_details_http_final_status(void)
{
    static const struct {
        const char *answer;
        int status;
    } cases[] = {
        {"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n", 201},
        {"HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 100 Continue\r\n\r\n"
         "HTTP/1.1 302 Found\r\nLocation: /b\r\n\r\n",
         302},
        {"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x81\x05hello", 101},
        {"HTTP/1.1 100 Continue\r\n\r\n", 100},
        {"HTTP/1.1 100 Continue\r\n\r\nSSH-2.0-not an answer\r\n", 100},
    };
    for (size_t index = 0; index < G_N_ELEMENTS(cases); index++) {
        for (size_t cut = 1; cut <= strlen(cases[index].answer); cut++) {
            OddportSide side;
            feed_cut_and_finish(&side, cases[index].answer, cut);
            const OddportHttpInfo *details = oddport_http_details(side.result);
            g_assert_nonnull(details);
            g_assert_cmpint(details->status, ==, cases[index].status);
            oddport_side_clear(&side);
        }
    }
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
    g_test_add_func("/side/later-details/after-the-deciding-segment",
                    test_later_details_after_the_deciding_segment);
    g_test_add_func("/side/later-details/in-the-deciding-segment",
                    test_later_details_in_the_deciding_segment);
    g_test_add_func("/side/later-details/split-anywhere", test_later_details_split_anywhere);
    g_test_add_func("/side/later-details/cut-short", test_later_details_cut_short);
    g_test_add_func("/side/later-details/given-up", test_later_details_given_up);
    g_test_add_func("/side/later-details/in-datagrams", test_later_details_in_datagrams);
    g_test_add_func("/side/later-details/decided-at-the-end",
                    test_later_details_decided_at_the_end);
    g_test_add_func("/side/later-details/http-headers", test_later_details_http_headers);
    g_test_add_func("/side/later-details/http-final-status", test_later_details_http_final_status);
    return g_test_run();
}
