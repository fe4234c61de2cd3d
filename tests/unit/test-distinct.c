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

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/distinct/exact", test_exact);
    g_test_add_func("/distinct/one-value", test_one_value);
    g_test_add_func("/distinct/estimate", test_estimate);
    g_test_add_func("/distinct/just-past-exact", test_just_past_exact);
    return g_test_run();
}
