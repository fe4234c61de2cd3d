/* Unit tests for distinct counting: exact when small, within a few percent when large. */
#include <glib.h>

#include "internal/distinct.h"

static void test_exact(void)
{
    OddportDistinctCounter *counter = oddport_distinct_new();
    for (uint32_t round = 0; round < 3; round++)
        for (uint32_t value = 0; value < 1000; value++)
            oddport_distinct_add(counter, &value, sizeof value);
    g_assert_cmpuint(oddport_distinct_count(counter), ==, 1000);
    g_assert_false(oddport_distinct_is_estimate(counter));
    oddport_distinct_free(counter);
}

static void test_one_value(void)
{
    OddportDistinctCounter *counter = oddport_distinct_new();
    g_assert_cmpuint(oddport_distinct_count(counter), ==, 0);
    for (unsigned round = 0; round < 5; round++)
        oddport_distinct_add(counter, "client", 6);
    g_assert_cmpuint(oddport_distinct_count(counter), ==, 1);
    oddport_distinct_add(counter, "other", 5);
    oddport_distinct_add(counter, "client", 6);
    g_assert_cmpuint(oddport_distinct_count(counter), ==, 2);
    oddport_distinct_free(counter);
}

static void test_estimate(void)
{
    OddportDistinctCounter *counter = oddport_distinct_new();
    const uint32_t values = 1000000;
    for (uint32_t value = 0; value < values; value++)
        oddport_distinct_add(counter, &value, sizeof value);
    /* Repeats change nothing. */
    for (uint32_t value = 0; value < values; value += 7)
        oddport_distinct_add(counter, &value, sizeof value);
    g_assert_true(oddport_distinct_is_estimate(counter));
    double count = (double)oddport_distinct_count(counter);
    g_assert_cmpfloat(count, >, values * 0.95);
    g_assert_cmpfloat(count, <, values * 1.05);
    oddport_distinct_free(counter);
}

static void test_just_past_exact(void)
{
    OddportDistinctCounter *counter = oddport_distinct_new();
    for (uint32_t value = 0; value < 3000; value++)
        oddport_distinct_add(counter, &value, sizeof value);
    double count = (double)oddport_distinct_count(counter);
    g_assert_cmpfloat(count, >, 3000 * 0.95);
    g_assert_cmpfloat(count, <, 3000 * 1.05);
    oddport_distinct_free(counter);
}

/* Values `first`..`first + count - 1` as bytes. */
static void add_range(OddportDistinctCounter *counter, uint32_t first, uint32_t count)
{
    for (uint32_t value = first; value < first + count; value++)
        oddport_distinct_add(counter, &value, sizeof value);
}

/* Merging two counters gives the counter one would have had by adding every value of both:
 * sets while exact (overlap counted once), sets grown past the limit, and sketches, in either
 * direction and whatever each side was. */
static void test_merge_is_exact(void)
{
    static const uint32_t sizes[][3] = {
        /* first count, second count, overlap */
        {0, 0, 0},     {1, 0, 0},     {0, 1, 0},          {1, 1, 1},
        {1, 1, 0},     {5, 7, 3},     {1000, 1000, 0},    {1500, 1500, 400},
        {3000, 10, 5}, {10, 3000, 5}, {5000, 6000, 2500}, {1, 5000, 1},
    };
    for (size_t row = 0; row < G_N_ELEMENTS(sizes); row++) {
        uint32_t first_count = sizes[row][0];
        uint32_t second_count = sizes[row][1];
        uint32_t second_start = first_count - MIN(first_count, sizes[row][2]);
        OddportDistinctCounter *first = oddport_distinct_new();
        OddportDistinctCounter *second = oddport_distinct_new();
        OddportDistinctCounter *together = oddport_distinct_new();
        add_range(first, 0, first_count);
        add_range(second, second_start, second_count);
        add_range(together, 0, first_count);
        add_range(together, second_start, second_count);
        OddportDistinctCounter *copy = oddport_distinct_copy(first);
        uint64_t first_before = oddport_distinct_count(first);
        oddport_distinct_merge(first, second);
        g_assert_cmpuint(oddport_distinct_count(first), ==, oddport_distinct_count(together));
        g_assert_cmpint(oddport_distinct_is_estimate(first), ==,
                        oddport_distinct_is_estimate(together));
        if (!oddport_distinct_is_estimate(together))
            g_assert_cmpuint(oddport_distinct_count(first), ==,
                             MAX(first_count, second_start + second_count));
        /* The other way round as well; the copy was left as it was. */
        g_assert_cmpuint(oddport_distinct_count(copy), ==, first_before);
        oddport_distinct_merge(second, copy);
        g_assert_cmpuint(oddport_distinct_count(second), ==, oddport_distinct_count(together));
        oddport_distinct_free(first);
        oddport_distinct_free(second);
        oddport_distinct_free(together);
        oddport_distinct_free(copy);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/distinct/exact", test_exact);
    g_test_add_func("/distinct/one-value", test_one_value);
    g_test_add_func("/distinct/estimate", test_estimate);
    g_test_add_func("/distinct/just-past-exact", test_just_past_exact);
    g_test_add_func("/distinct/merge-is-exact", test_merge_is_exact);
    return g_test_run();
}
