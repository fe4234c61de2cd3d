/* Unit tests for the shared report formatting: RFC 3339 times, human units, escaping. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <glib.h>

#include "oddport/report.h"

/* The C library's calendar, for comparison with oddport's own. */
static void reference_time(uint64_t timestamp_ns, unsigned digits, char *text, size_t size)
{
    time_t seconds = (time_t)(timestamp_ns / 1000000000u);
    struct tm broken_down;
    g_assert_nonnull(gmtime_r(&seconds, &broken_down));
    size_t length = strftime(text, size, "%Y-%m-%dT%H:%M:%S", &broken_down);
    uint64_t fraction = timestamp_ns % 1000000000u;
    if (digits >= 9)
        snprintf(text + length, size - length, ".%09lluZ", (unsigned long long)fraction);
    else
        snprintf(text + length, size - length, ".%06lluZ", (unsigned long long)(fraction / 1000));
}

static void test_time_known_values(void)
{
    char text[ODDPORT_TIME_TEXT_MAX];
    oddport_format_time(0, 6, text);
    g_assert_cmpstr(text, ==, "1970-01-01T00:00:00.000000Z");
    oddport_format_time(951782400123456789u, 9, text); /* the leap day of 2000 */
    g_assert_cmpstr(text, ==, "2000-02-29T00:00:00.123456789Z");
    oddport_format_time(4107542399999999999u, 6, text); /* the last moment of 2100-02-28 */
    g_assert_cmpstr(text, ==, "2100-02-28T23:59:59.999999Z");
}

static void test_time_matches_the_c_library(void)
{
    GRand *random = g_rand_new_with_seed(7);
    char ours[ODDPORT_TIME_TEXT_MAX];
    char reference[ODDPORT_TIME_TEXT_MAX];
    for (unsigned round = 0; round < 200000; round++) {
        /* Anything up to the year 2500, and every day boundary of the first years. */
        uint64_t timestamp = round < 2000 ? (uint64_t)round * 86400u * 1000000000u - (round & 1)
                                          : (uint64_t)g_rand_double_range(random, 0, 1.6e19);
        unsigned digits = round % 2 == 0 ? 6 : 9;
        size_t length = oddport_format_time(timestamp, digits, ours);
        reference_time(timestamp, digits, reference, sizeof reference);
        g_assert_cmpstr(ours, ==, reference);
        g_assert_cmpuint(length, ==, strlen(reference));
    }
    g_rand_free(random);
}

/* Times formatted one after another in the same second, the next, and back again: the text of
 * the last second is kept for the next time, and must never be reused for another second. Run
 * in a thread of its own, whose kept second starts empty. */
static gpointer format_runs_within_a_second(gpointer unused)
{
    (void)unused;
    static const uint64_t second = 1000000000u;
    const uint64_t start = UINT64_C(1710234000) * second; /* 2024-03-12T09:00:00Z */
    const uint64_t timestamps[] = {
        0, /* second 0 first: the kept text starts empty, not as 0 */
        1,
        start,
        start + 1,
        start + second - 1,
        start + second,             /* the next second */
        start + 5,                  /* and back */
        start + 86400 * second - 1, /* the last moment of the day */
        start + 86400 * second,     /* the next day */
        0,
        start + 86400 * second + 7,
    };
    char ours[ODDPORT_TIME_TEXT_MAX];
    char reference[ODDPORT_TIME_TEXT_MAX];
    for (unsigned digits = 6; digits <= 9; digits += 3)
        for (size_t index = 0; index < G_N_ELEMENTS(timestamps); index++) {
            size_t length = oddport_format_time(timestamps[index], digits, ours);
            reference_time(timestamps[index], digits, reference, sizeof reference);
            g_assert_cmpstr(ours, ==, reference);
            g_assert_cmpuint(length, ==, strlen(reference));
        }
    return NULL;
}

static void test_time_runs_within_a_second(void)
{
    g_thread_join(g_thread_new("times", format_runs_within_a_second, NULL));
}

/* Workers write flows' times at the same time: each thread's kept second is its own. Each thread
 * formats runs of times within one second of its own, so that both threads reuse their kept text
 * while the other writes its own. A kept text shared between threads shows here only when the
 * threads meet inside one call, which is likely over these rounds but not certain; under
 * ThreadSanitizer (CI runs this test so) the shared text is reported on the first meeting. */
static gpointer format_times_in_a_thread(gpointer first_second_pointer)
{
    uint64_t first_second = GPOINTER_TO_UINT(first_second_pointer);
    char ours[ODDPORT_TIME_TEXT_MAX];
    char reference[ODDPORT_TIME_TEXT_MAX];
    for (unsigned round = 0; round < 200000; round++) {
        uint64_t timestamp = (first_second + round / 8) * 1000000000u + round;
        oddport_format_time(timestamp, 9, ours);
        reference_time(timestamp, 9, reference, sizeof reference);
        if (strcmp(ours, reference) != 0)
            return g_strdup_printf("round %u: %s, expected %s", round, ours, reference);
    }
    return NULL;
}

static void test_time_in_threads(void)
{
    GThread *one = g_thread_new("times-1", format_times_in_a_thread, GUINT_TO_POINTER(1000000000u));
    GThread *two = g_thread_new("times-2", format_times_in_a_thread, GUINT_TO_POINTER(2000000000u));
    char *first_failure = g_thread_join(one);
    char *second_failure = g_thread_join(two);
    g_assert_cmpstr(first_failure, ==, NULL);
    g_assert_cmpstr(second_failure, ==, NULL);
}

static void test_human_units(void)
{
    char text[ODDPORT_HUMAN_TEXT_MAX];
    oddport_format_bytes(512, text);
    g_assert_cmpstr(text, ==, "512 B");
    oddport_format_bytes(98128, text);
    g_assert_cmpstr(text, ==, "95.8 KiB");
    oddport_format_count(999, text);
    g_assert_cmpstr(text, ==, "999");
    oddport_format_count(1234, text);
    g_assert_cmpstr(text, ==, "1.2k");
}

static void test_escaping(void)
{
    GString *out = g_string_new(NULL);
    oddport_append_escaped(out, "ok\x1b[31m\\ \xc3\xa9");
    g_assert_cmpstr(out->str, ==, "ok\\x1b[31m\\\\ \\xc3\\xa9");
    g_string_free(out, TRUE);
}

/* Decimal digits match printf's from zero up to the largest 64-bit value, at every width. */
static void test_decimal(void)
{
    GString *out = g_string_new(NULL);
    char expected[32];
    for (uint64_t value = 1; value != 0; value *= 10) {
        const uint64_t samples[] = {value - 1, value, value + 1, value * 7 + 3};
        for (size_t index = 0; index < G_N_ELEMENTS(samples); index++) {
            g_string_truncate(out, 0);
            oddport_append_decimal(out, samples[index]);
            snprintf(expected, sizeof expected, "%" G_GUINT64_FORMAT, (guint64)samples[index]);
            g_assert_cmpstr(out->str, ==, expected);
        }
        if (value > UINT64_MAX / 10)
            break;
    }
    /* Every pair of digits the table writes, in every place of a short number. */
    for (uint64_t value = 0; value < 100000; value++) {
        g_string_truncate(out, 0);
        oddport_append_decimal(out, value);
        snprintf(expected, sizeof expected, "%" G_GUINT64_FORMAT, (guint64)value);
        g_assert_cmpstr(out->str, ==, expected);
    }
    g_string_assign(out, "n=");
    oddport_append_decimal(out, UINT64_MAX);
    g_assert_cmpstr(out->str, ==, "n=18446744073709551615");
    g_string_free(out, TRUE);
}

/* --since and --until: RFC 3339 with a zone, or epoch seconds; nothing else. */
static void test_parse_time(void)
{
    uint64_t value = 0;
    g_assert_true(oddport_parse_time("2026-11-28T01:10:55Z", &value));
    g_assert_cmpuint(value, ==, UINT64_C(1795828255000000000));
    g_assert_true(oddport_parse_time("2026-11-28t02:10:55.123456789+01:00", &value));
    g_assert_cmpuint(value, ==, UINT64_C(1795828255123456789));
    g_assert_true(oddport_parse_time("2026-11-28 01:10:55.5Z", &value));
    g_assert_cmpuint(value, ==, UINT64_C(1795828255500000000));
    /* A lower-case zone letter, as RFC 3339 allows; digits below a nanosecond dropped. */
    g_assert_true(oddport_parse_time("2026-11-28t01:10:55.12345678999z", &value));
    g_assert_cmpuint(value, ==, UINT64_C(1795828255123456789));
    g_assert_true(oddport_parse_time("1795828255", &value));
    g_assert_cmpuint(value, ==, UINT64_C(1795828255000000000));
    g_assert_true(oddport_parse_time("1795828255.000000001", &value));
    g_assert_cmpuint(value, ==, UINT64_C(1795828255000000001));
    g_assert_true(oddport_parse_time("0", &value));
    g_assert_cmpuint(value, ==, 0);
    /* What a report writes reads back as the same time. */
    char text[ODDPORT_TIME_TEXT_MAX];
    oddport_format_time(UINT64_C(1795828255123456789), 9, text);
    g_assert_true(oddport_parse_time(text, &value));
    g_assert_cmpuint(value, ==, UINT64_C(1795828255123456789));
    const char *refused[] = {
        "",
        "2026-11-28T01:10:55",  /* no zone */
        "2026-11-28",           /* no time */
        "2026-W48-6T01:10:55Z", /* ISO 8601 but not RFC 3339 */
        "1969-12-31T23:59:59Z", /* before the epoch */
        "-5",
        "12abc",
        "1795828255.",
        "99999999999999999999", /* past what nanoseconds can count */
        "2026-11-28T01:10:55.Z",
        "2026-13-28T01:10:55Z",
        "yesterday",
    };
    for (size_t index = 0; index < G_N_ELEMENTS(refused); index++)
        g_assert_false(oddport_parse_time(refused[index], &value));
}

static void test_display_filter(void)
{
    OddportAddress address = {.family = 4, .bytes = {192, 0, 2, 1}};
    char text[ODDPORT_DISPLAY_FILTER_TEXT_MAX];
    oddport_format_display_filter(&address, 443, ODDPORT_TRANSPORT_TCP, text);
    g_assert_cmpstr(text, ==, "ip.addr==192.0.2.1 && tcp.port==443");
    OddportAddress ipv6 = {.family = 6, .bytes = {0x20, 0x01, 0x0d, 0xb8, [15] = 1}};
    oddport_format_display_filter(&ipv6, 53, ODDPORT_TRANSPORT_UDP, text);
    g_assert_cmpstr(text, ==, "ipv6.addr==2001:db8::1 && udp.port==53");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/format/time/known-values", test_time_known_values);
    g_test_add_func("/format/time/matches-the-c-library", test_time_matches_the_c_library);
    g_test_add_func("/format/time/runs-within-a-second", test_time_runs_within_a_second);
    g_test_add_func("/format/time/in-threads", test_time_in_threads);
    g_test_add_func("/format/human-units", test_human_units);
    g_test_add_func("/format/escaping", test_escaping);
    g_test_add_func("/format/decimal", test_decimal);
    g_test_add_func("/format/parse-time", test_parse_time);
    g_test_add_func("/format/display-filter", test_display_filter);
    return g_test_run();
}
