/* Unit tests for stream reassembly: order, retransmission, overlap, gaps, wrap-around, limit. */
#include <string.h>

#include <glib.h>

#include "internal/stream.h"

static const char opening[] = "GET /split HTTP/1.1\r\nHost: example.org\r\n\r\n";
#define OPENING_LENGTH (sizeof opening - 1)

static void assert_prefix(const OddportStream *stream, size_t expected_length)
{
    size_t length;
    const uint8_t *data = oddport_stream_data(stream, &length);
    g_assert_cmpuint(length, ==, expected_length);
    if (length > 0)
        g_assert_true(memcmp(data, opening, length) == 0);
}

static void add_piece(OddportStream *stream, uint32_t base, size_t start, size_t end)
{
    oddport_stream_add(stream, base + (uint32_t)start, (const uint8_t *)opening + start,
                       end - start);
}

static void test_in_order(void)
{
    OddportStream stream = {0};
    oddport_stream_set_base(&stream, 100);
    g_assert_true(oddport_stream_is_fresh_start(&stream, 100));
    add_piece(&stream, 100, 0, 10);
    g_assert_false(oddport_stream_is_fresh_start(&stream, 110));
    add_piece(&stream, 100, 10, OPENING_LENGTH);
    assert_prefix(&stream, OPENING_LENGTH);
    oddport_stream_clear(&stream);
}

/* The opening in three overlapping pieces, last first: nothing is in order until the first
 * piece comes, and then all of it is. */
static void add_last_piece_first(OddportStream *stream, uint32_t base)
{
    oddport_stream_set_base(stream, base);
    add_piece(stream, base, 20, OPENING_LENGTH);
    add_piece(stream, base, 10, 25);
    assert_prefix(stream, 0);
    add_piece(stream, base, 0, 12);
    assert_prefix(stream, OPENING_LENGTH);
}

static void test_reordered_with_retransmission(void)
{
    OddportStream stream = {0};
    add_last_piece_first(&stream, 5);
    /* A retransmission with other bytes cannot rewrite what is held. */
    oddport_stream_add(&stream, 5, (const uint8_t *)"XXXX", 4);
    assert_prefix(&stream, OPENING_LENGTH);
    oddport_stream_clear(&stream);
}

static void test_gap_stops_prefix(void)
{
    OddportStream stream = {0};
    oddport_stream_set_base(&stream, 0);
    add_piece(&stream, 0, 0, 8);
    add_piece(&stream, 0, 12, OPENING_LENGTH);
    assert_prefix(&stream, 8);
    oddport_stream_clear(&stream);
}

static void test_sequence_wraps(void)
{
    OddportStream stream = {0};
    uint32_t base = UINT32_MAX - 5;
    oddport_stream_set_base(&stream, base);
    add_piece(&stream, base, 0, 10);
    add_piece(&stream, base, 10, OPENING_LENGTH);
    assert_prefix(&stream, OPENING_LENGTH);
    /* A segment from before the base is cut to what follows it. */
    oddport_stream_add(&stream, base - 3, (const uint8_t *)"abc", 3);
    assert_prefix(&stream, OPENING_LENGTH);
    oddport_stream_clear(&stream);
}

static void test_limit(void)
{
    OddportStream stream = {0};
    uint8_t *big = g_malloc0(ODDPORT_STREAM_LIMIT * 2);
    oddport_stream_add(&stream, 7, big, ODDPORT_STREAM_LIMIT * 2);
    size_t length;
    oddport_stream_data(&stream, &length);
    g_assert_cmpuint(length, ==, ODDPORT_STREAM_LIMIT);
    g_assert_true(oddport_stream_is_full(&stream));
    g_assert_false(oddport_stream_add(&stream, 7 + ODDPORT_STREAM_LIMIT, big, 10));
    g_free(big);
    oddport_stream_clear(&stream);
}

static void test_many_holes(void)
{
    OddportStream stream = {0};
    oddport_stream_set_base(&stream, 0);
    for (size_t start = 2; start + 1 < OPENING_LENGTH; start += 2)
        add_piece(&stream, 0, start, start + 1);
    add_piece(&stream, 0, 0, 1);
    size_t length;
    oddport_stream_data(&stream, &length);
    g_assert_cmpuint(length, ==, 1);
    oddport_stream_clear(&stream);
}

/* Bytes beyond the in-order prefix keep the first value received too: a later segment that
 * overlaps an earlier out-of-order one, with other bytes, fills only what was missing. */
static void test_first_value_wins_beyond_the_prefix(void)
{
    OddportStream stream = {0};
    oddport_stream_set_base(&stream, 1000);
    g_assert_false(oddport_stream_add(&stream, 1004, (const uint8_t *)"BBBB", 4));
    g_assert_false(oddport_stream_add(&stream, 1002, (const uint8_t *)"xxxxxxxxYY", 10));
    g_assert_true(oddport_stream_add(&stream, 1000, (const uint8_t *)"AAzzzzzzzzzzzz", 14));
    size_t length;
    const uint8_t *data = oddport_stream_data(&stream, &length);
    g_assert_cmpuint(length, ==, 14);
    g_assert_true(memcmp(data, "AAxxBBBBxxYYzz", 14) == 0);
    oddport_stream_clear(&stream);
}

/* The room for pieces out of order is made with the first and let go with the stream's bytes;
 * a stream cleared and used again starts without it (ASan and valgrind check the memory). */
static void test_pieces_after_clear(void)
{
    OddportStream stream = {0};
    g_assert_false(stream.has_pending_room);
    oddport_stream_set_base(&stream, 0);
    add_piece(&stream, 0, 0, 4);
    g_assert_false(stream.has_pending_room);
    add_piece(&stream, 0, 8, 12);
    g_assert_true(stream.has_pending_room);
    oddport_stream_clear(&stream);
    g_assert_false(stream.has_pending_room);
    g_assert_cmpuint(stream.pending_count, ==, 0);
    add_last_piece_first(&stream, 0);
    g_assert_true(stream.has_pending_room);
    oddport_stream_clear(&stream);
}

/* Pieces waiting while the buffer grows past its first size: their room lies after the bytes,
 * so it moves with the end; the prefix must still close over them, with every byte in place. */
static void test_pieces_wait_while_buffer_grows(void)
{
    enum { LENGTH = 6000 };
    uint8_t *bytes = g_malloc(LENGTH);
    for (size_t index = 0; index < LENGTH; index++)
        bytes[index] = (uint8_t)(index * 7 + index / 251);
    OddportStream stream = {0};
    oddport_stream_set_base(&stream, 1000);
    /* Out of order within the first buffer, then again beyond it, twice growing it. */
    oddport_stream_add(&stream, 1000 + 100, bytes + 100, 50);
    oddport_stream_add(&stream, 1000 + 3000, bytes + 3000, 10);
    oddport_stream_add(&stream, 1000 + 5000, bytes + 5000, LENGTH - 5000);
    g_assert_true(stream.has_pending_room);
    g_assert_cmpuint(stream.pending_count, ==, 3);
    size_t length;
    oddport_stream_data(&stream, &length);
    g_assert_cmpuint(length, ==, 0);
    /* The gaps, first to last: each closes up to the next waiting piece's end. */
    g_assert_true(oddport_stream_add(&stream, 1000, bytes, 100));
    oddport_stream_data(&stream, &length);
    g_assert_cmpuint(length, ==, 150);
    g_assert_true(oddport_stream_add(&stream, 1000 + 150, bytes + 150, 3000 - 150));
    oddport_stream_data(&stream, &length);
    g_assert_cmpuint(length, ==, 3010);
    g_assert_true(oddport_stream_add(&stream, 1000 + 3010, bytes + 3010, 5000 - 3010));
    const uint8_t *data = oddport_stream_data(&stream, &length);
    g_assert_cmpuint(length, ==, LENGTH);
    g_assert_cmpuint(stream.pending_count, ==, 0);
    g_assert_true(memcmp(data, bytes, LENGTH) == 0);
    oddport_stream_clear(&stream);
    g_free(bytes);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/stream/in-order", test_in_order);
    g_test_add_func("/stream/pieces-wait-while-buffer-grows", test_pieces_wait_while_buffer_grows);
    g_test_add_func("/stream/reordered-with-retransmission", test_reordered_with_retransmission);
    g_test_add_func("/stream/gap-stops-prefix", test_gap_stops_prefix);
    g_test_add_func("/stream/sequence-wraps", test_sequence_wraps);
    g_test_add_func("/stream/limit", test_limit);
    g_test_add_func("/stream/many-holes", test_many_holes);
    g_test_add_func("/stream/first-value-wins-beyond-the-prefix",
                    test_first_value_wins_beyond_the_prefix);
    g_test_add_func("/stream/pieces-after-clear", test_pieces_after_clear);
    return g_test_run();
}
