/* Unit tests for the bounds-checked byte cursor that every detector reads wire bytes through. */
#include <glib.h>
#include <string.h>

#include "internal/cursor.h"

static const uint8_t sample[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08};

static void assert_unchanged(const OddportCursor *cursor, const uint8_t *data, size_t left)
{
    g_assert_true(cursor->data == data);
    g_assert_cmpuint(cursor->left, ==, left);
}

static void test_make(void)
{
    OddportCursor cursor = oddport_cursor_make(sample, sizeof sample);
    assert_unchanged(&cursor, sample, sizeof sample);

    /* No bytes behind a NULL pointer, whatever length comes with it. */
    OddportCursor nothing = oddport_cursor_make(NULL, 100);
    g_assert_cmpuint(nothing.left, ==, 0);
    uint8_t value = 0xaa;
    g_assert_false(oddport_cursor_u8(&nothing, &value));
    g_assert_cmpuint(value, ==, 0xaa);

    OddportCursor empty = oddport_cursor_make(sample, 0);
    g_assert_false(oddport_cursor_u8(&empty, &value));
}

static void test_u8(void)
{
    OddportCursor cursor = oddport_cursor_make(sample, 2);
    uint8_t value = 0;
    g_assert_true(oddport_cursor_u8(&cursor, &value));
    g_assert_cmpuint(value, ==, 0x01);
    g_assert_true(oddport_cursor_u8(&cursor, &value));
    g_assert_cmpuint(value, ==, 0x02);
    value = 0x77;
    g_assert_false(oddport_cursor_u8(&cursor, &value));
    g_assert_cmpuint(value, ==, 0x77);
    assert_unchanged(&cursor, sample + 2, 0);
}

static void test_big_endian(void)
{
    OddportCursor cursor = oddport_cursor_make(sample, sizeof sample);
    uint16_t value16 = 0;
    uint32_t value32 = 0;
    g_assert_true(oddport_cursor_be16(&cursor, &value16));
    g_assert_cmphex(value16, ==, 0x0102);
    g_assert_true(oddport_cursor_be24(&cursor, &value32));
    g_assert_cmphex(value32, ==, 0x030405);
    assert_unchanged(&cursor, sample + 5, 3);
    g_assert_false(oddport_cursor_be32(&cursor, &value32));
    assert_unchanged(&cursor, sample + 5, 3);
    g_assert_true(oddport_cursor_be24(&cursor, &value32));
    g_assert_cmphex(value32, ==, 0x060708);

    cursor = oddport_cursor_make(sample, sizeof sample);
    g_assert_true(oddport_cursor_be32(&cursor, &value32));
    g_assert_cmphex(value32, ==, 0x01020304);
    g_assert_true(oddport_cursor_be32(&cursor, &value32));
    g_assert_cmphex(value32, ==, 0x05060708);
    g_assert_false(oddport_cursor_be16(&cursor, &value16));

    /* High bytes must not sign-extend into the result. */
    static const uint8_t high[] = {0xff, 0xfe, 0xfd, 0xfc};
    cursor = oddport_cursor_make(high, sizeof high);
    g_assert_true(oddport_cursor_be32(&cursor, &value32));
    g_assert_cmphex(value32, ==, 0xfffefdfc);
    cursor = oddport_cursor_make(high, sizeof high);
    g_assert_true(oddport_cursor_be16(&cursor, &value16));
    g_assert_cmphex(value16, ==, 0xfffe);
}

static void test_little_endian(void)
{
    OddportCursor cursor = oddport_cursor_make(sample, 7);
    uint16_t value16 = 0;
    uint32_t value32 = 0;
    g_assert_true(oddport_cursor_le16(&cursor, &value16));
    g_assert_cmphex(value16, ==, 0x0201);
    g_assert_true(oddport_cursor_le32(&cursor, &value32));
    g_assert_cmphex(value32, ==, 0x06050403);
    g_assert_false(oddport_cursor_le16(&cursor, &value16));
    g_assert_false(oddport_cursor_le32(&cursor, &value32));
    assert_unchanged(&cursor, sample + 6, 1);
}

static void test_short_reads_leave_cursor_alone(void)
{
    for (size_t length = 0; length < 4; length++) {
        OddportCursor cursor = oddport_cursor_make(sample, length);
        uint32_t value32 = 0x12345678;
        uint16_t value16 = 0x1234;
        g_assert_false(oddport_cursor_be32(&cursor, &value32));
        g_assert_false(oddport_cursor_le32(&cursor, &value32));
        if (length < 3)
            g_assert_false(oddport_cursor_be24(&cursor, &value32));
        if (length < 2) {
            g_assert_false(oddport_cursor_be16(&cursor, &value16));
            g_assert_false(oddport_cursor_le16(&cursor, &value16));
        }
        g_assert_cmphex(value32, ==, 0x12345678);
        g_assert_cmphex(value16, ==, 0x1234);
        assert_unchanged(&cursor, sample, length);
    }
}

static void test_skip(void)
{
    OddportCursor cursor = oddport_cursor_make(sample, sizeof sample);
    g_assert_true(oddport_cursor_skip(&cursor, 0));
    assert_unchanged(&cursor, sample, 8);
    g_assert_true(oddport_cursor_skip(&cursor, 3));
    assert_unchanged(&cursor, sample + 3, 5);
    g_assert_false(oddport_cursor_skip(&cursor, 6));
    assert_unchanged(&cursor, sample + 3, 5);
    g_assert_false(oddport_cursor_skip(&cursor, SIZE_MAX));
    g_assert_true(oddport_cursor_skip(&cursor, 5));
    assert_unchanged(&cursor, sample + 8, 0);
}

static void test_sub(void)
{
    OddportCursor cursor = oddport_cursor_make(sample, sizeof sample);
    OddportCursor part = {NULL, 0};
    g_assert_true(oddport_cursor_sub(&cursor, 3, &part));
    assert_unchanged(&part, sample, 3);
    assert_unchanged(&cursor, sample + 3, 5);

    /* Reading the part never reaches into what follows it. */
    uint32_t value32 = 0;
    g_assert_false(oddport_cursor_be32(&part, &value32));
    g_assert_true(oddport_cursor_be24(&part, &value32));
    g_assert_cmphex(value32, ==, 0x010203);

    OddportCursor untouched = {NULL, 42};
    g_assert_false(oddport_cursor_sub(&cursor, 6, &untouched));
    g_assert_null(untouched.data);
    g_assert_cmpuint(untouched.left, ==, 42);
    assert_unchanged(&cursor, sample + 3, 5);

    g_assert_true(oddport_cursor_sub(&cursor, 0, &part));
    g_assert_cmpuint(part.left, ==, 0);
}

static void test_bytes(void)
{
    OddportCursor cursor = oddport_cursor_make(sample, sizeof sample);
    const uint8_t *view = NULL;
    g_assert_true(oddport_cursor_bytes(&cursor, 4, &view));
    g_assert_true(view == sample);
    assert_unchanged(&cursor, sample + 4, 4);
    view = NULL;
    g_assert_false(oddport_cursor_bytes(&cursor, 5, &view));
    g_assert_null(view);
    assert_unchanged(&cursor, sample + 4, 4);
}

static void test_peek(void)
{
    OddportCursor cursor = oddport_cursor_make(sample, 3);
    uint8_t value = 0;
    g_assert_true(oddport_cursor_peek_u8(&cursor, 0, &value));
    g_assert_cmpuint(value, ==, 0x01);
    g_assert_true(oddport_cursor_peek_u8(&cursor, 2, &value));
    g_assert_cmpuint(value, ==, 0x03);
    value = 0x55;
    g_assert_false(oddport_cursor_peek_u8(&cursor, 3, &value));
    g_assert_false(oddport_cursor_peek_u8(&cursor, SIZE_MAX, &value));
    g_assert_cmpuint(value, ==, 0x55);
    assert_unchanged(&cursor, sample, 3);
}

static void test_narrow(void)
{
    OddportCursor cursor = oddport_cursor_make(sample, sizeof sample);
    g_assert_true(oddport_cursor_narrow(&cursor, 5));
    assert_unchanged(&cursor, sample, 5);
    g_assert_true(oddport_cursor_narrow(&cursor, 5));
    assert_unchanged(&cursor, sample, 5);

    /* A header that claims more than was captured keeps what was captured. */
    g_assert_false(oddport_cursor_narrow(&cursor, 100));
    assert_unchanged(&cursor, sample, 5);
    g_assert_true(oddport_cursor_skip(&cursor, 5));
    g_assert_false(oddport_cursor_skip(&cursor, 1));
}

/* Random sequences of reads on random lengths: the cursor never reports more than it holds. */
static void test_random_walk(void)
{
    GRand *random = g_rand_new_with_seed(20240601);
    uint8_t buffer[64];
    for (size_t index = 0; index < sizeof buffer; index++)
        buffer[index] = (uint8_t)index;
    for (int round = 0; round < 2000; round++) {
        size_t length = (size_t)g_rand_int_range(random, 0, (gint32)sizeof buffer + 1);
        OddportCursor cursor = oddport_cursor_make(buffer, length);
        size_t consumed = 0;
        for (int step = 0; step < 20; step++) {
            size_t before = cursor.left;
            size_t want = 0;
            bool ok = false;
            uint8_t value8;
            uint16_t value16;
            uint32_t value32;
            OddportCursor part = {NULL, 0};
            switch (g_rand_int_range(random, 0, 6)) {
            case 0:
                want = 1;
                ok = oddport_cursor_u8(&cursor, &value8);
                if (ok)
                    g_assert_cmpuint(value8, ==, buffer[consumed]);
                break;
            case 1:
                want = 2;
                ok = oddport_cursor_be16(&cursor, &value16);
                break;
            case 2:
                want = 3;
                ok = oddport_cursor_be24(&cursor, &value32);
                break;
            case 3:
                want = 4;
                ok = oddport_cursor_le32(&cursor, &value32);
                break;
            case 4:
                want = (size_t)g_rand_int_range(random, 0, 10);
                ok = oddport_cursor_skip(&cursor, want);
                break;
            default:
                want = (size_t)g_rand_int_range(random, 0, 10);
                ok = oddport_cursor_sub(&cursor, want, &part);
                if (ok)
                    g_assert_true(part.data == buffer + consumed && part.left == want);
                break;
            }
            g_assert_cmpint(ok, ==, before >= want);
            g_assert_cmpuint(cursor.left, ==, ok ? before - want : before);
            if (ok)
                consumed += want;
            g_assert_true(cursor.data == buffer + consumed);
            g_assert_cmpuint(consumed + cursor.left, ==, length);
        }
    }
    g_rand_free(random);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/cursor/make", test_make);
    g_test_add_func("/cursor/u8", test_u8);
    g_test_add_func("/cursor/big-endian", test_big_endian);
    g_test_add_func("/cursor/little-endian", test_little_endian);
    g_test_add_func("/cursor/short-reads-leave-cursor-alone", test_short_reads_leave_cursor_alone);
    g_test_add_func("/cursor/skip", test_skip);
    g_test_add_func("/cursor/sub", test_sub);
    g_test_add_func("/cursor/bytes", test_bytes);
    g_test_add_func("/cursor/peek", test_peek);
    g_test_add_func("/cursor/narrow", test_narrow);
    g_test_add_func("/cursor/random-walk", test_random_walk);
    return g_test_run();
}
