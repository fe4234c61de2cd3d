/* Unit tests for the eight-bytes-at-once tests against byte-by-byte answers. */
#include <string.h>

#include <glib.h>

#include "internal/word_scan.h"

static bool bytes_between(const uint8_t bytes[8], uint8_t first, uint8_t last)
{
    for (int index = 0; index < 8; index++)
        if (bytes[index] < first || bytes[index] > last)
            return false;
    return true;
}

static bool bytes_have(const uint8_t bytes[8], uint8_t value)
{
    for (int index = 0; index < 8; index++)
        if (bytes[index] == value)
            return true;
    return false;
}

/* Words of plain text with one or two bytes set to every value at every position: the cases
 * where a borrow or carry from one byte could reach the next. */
static void test_against_bytes(void)
{
    static const struct {
        uint8_t first;
        uint8_t last;
    } ranges[] = {{0x20, 0x7e}, {0x21, 0x7e}, {0x00, 0x7f}, {0x30, 0x39}};
    for (unsigned position = 0; position < 8; position++) {
        for (unsigned value = 0; value < 256; value++) {
            for (unsigned neighbour = 0; neighbour < 256; neighbour += 17) {
                uint8_t bytes[8] = {'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'};
                bytes[position] = (uint8_t)value;
                bytes[(position + 1) % 8] = (uint8_t)neighbour;
                uint64_t word = oddport_word_load(bytes);
                for (size_t range = 0; range < G_N_ELEMENTS(ranges); range++)
                    g_assert_cmpint(
                        oddport_word_bytes_between(word, ranges[range].first, ranges[range].last),
                        ==, bytes_between(bytes, ranges[range].first, ranges[range].last));
                g_assert_cmpint(oddport_word_has_byte(word, '"'), ==, bytes_have(bytes, '"'));
                g_assert_cmpint(oddport_word_has_byte(word, '\\'), ==, bytes_have(bytes, '\\'));
                g_assert_cmpint(oddport_word_has_byte(word, 0), ==, bytes_have(bytes, 0));
            }
        }
    }
}

/* Random words, most of them with several bytes out of range. */
static void test_random_words(void)
{
    GRand *random = g_rand_new_with_seed(20261201);
    for (int round = 0; round < 200000; round++) {
        uint8_t bytes[8];
        for (int index = 0; index < 8; index++)
            bytes[index] = (uint8_t)g_rand_int_range(random, 0, 256);
        uint64_t word = oddport_word_load(bytes);
        g_assert_cmpint(oddport_word_bytes_between(word, 0x20, 0x7e), ==,
                        bytes_between(bytes, 0x20, 0x7e));
        g_assert_cmpint(oddport_word_has_byte(word, bytes[round % 8]), ==, true);
        g_assert_cmpint(oddport_word_has_byte(word, 0x5c), ==, bytes_have(bytes, 0x5c));
    }
    g_rand_free(random);
}

/* The cursor stops at the first byte out of range wherever it falls, and at the cursor's end. */
static void test_cursor_skip(void)
{
    for (size_t length = 0; length <= 40; length++) {
        uint8_t bytes[41];
        memset(bytes, 'x', sizeof bytes);
        OddportCursor whole = oddport_cursor_make(bytes, length);
        g_assert_cmpuint(oddport_cursor_skip_bytes_between(&whole, 0x21, 0x7e), ==, length);
        g_assert_cmpuint(whole.left, ==, 0);
        for (size_t stop = 0; stop < length; stop++) {
            bytes[stop] = ' ';
            OddportCursor cursor = oddport_cursor_make(bytes, length);
            g_assert_cmpuint(oddport_cursor_skip_bytes_between(&cursor, 0x21, 0x7e), ==, stop);
            g_assert_cmpuint(cursor.left, ==, length - stop);
            g_assert_true(cursor.data == bytes + stop);
            bytes[stop] = 'x';
        }
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/word-scan/against-bytes", test_against_bytes);
    g_test_add_func("/word-scan/random-words", test_random_words);
    g_test_add_func("/word-scan/cursor-skip", test_cursor_skip);
    return g_test_run();
}
