/* Unit tests of splitting short options written with their value attached ("-j2"). */
#include <glib.h>

#include "arguments.h"

static gboolean quiet;
static char *output;
static gint64 jobs;
static char *format;

/* A table like the command's: -q alone, -o and -j with a value, --format with one. */
static const GOptionEntry ENTRIES[] = {
    {"quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, NULL, NULL},
    {"output", 'o', 0, G_OPTION_ARG_FILENAME, &output, NULL, "FILE"},
    {"jobs", 'j', 0, G_OPTION_ARG_INT64, &jobs, NULL, "N"},
    {"format", 0, 0, G_OPTION_ARG_STRING, &format, NULL, "FORMAT"},
    G_OPTION_ENTRY_NULL,
};

/* Splits `given` (space-separated) and checks the result joined the same way. */
static void check_split(const char *given, const char *expected)
{
    g_auto(GStrv) arguments = g_strsplit(given, " ", -1);
    const GOptionEntry *const tables[] = {ENTRIES, NULL};
    g_auto(GStrv) split =
        oddport_split_attached_values((int)g_strv_length(arguments), arguments, tables);
    g_autofree char *joined = g_strjoinv(" ", split);
    g_assert_cmpstr(joined, ==, expected);
}

static void test_attached_values_are_split(void)
{
    check_split("oddport -j2 a.pcap", "oddport -j 2 a.pcap");
    check_split("oddport -oreport.json a.pcap", "oddport -o report.json a.pcap");
    check_split("oddport -qj2 a.pcap", "oddport -qj 2 a.pcap");
    /* As getopt: whatever follows the letter is the value, a dash or a letter included. */
    check_split("oddport -j-1 a.pcap", "oddport -j -1 a.pcap");
    check_split("oddport -jq a.pcap", "oddport -j q a.pcap");
}

static void test_other_arguments_are_kept(void)
{
    check_split("oddport -j 2 -q a.pcap", "oddport -j 2 -q a.pcap");
    check_split("oddport -qj 2 a.pcap", "oddport -qj 2 a.pcap");
    check_split("oddport --jobs=2 --format json - a.pcap",
                "oddport --jobs=2 --format json - a.pcap");
    /* The program's own name, even when it looks like an option. */
    check_split("-j2 a.pcap", "-j2 a.pcap");
    /* Unknown letters are GOption's to refuse. */
    check_split("oddport -x2 a.pcap", "oddport -x2 a.pcap");
}

static void test_values_and_captures_are_not_options(void)
{
    /* A file named "-j2", given as -o's value, by a short or a long option. */
    check_split("oddport -o -j2 a.pcap", "oddport -o -j2 a.pcap");
    check_split("oddport -qo -j2 a.pcap", "oddport -qo -j2 a.pcap");
    check_split("oddport --output -j2 a.pcap", "oddport --output -j2 a.pcap");
    check_split("oddport --format -j2 a.pcap", "oddport --format -j2 a.pcap");
    /* GOption also names an option after its group (--report-output); a name the tables do
     * not know may take a value, which stays as it is. */
    check_split("oddport --report-output -j2 a.pcap", "oddport --report-output -j2 a.pcap");
    /* A long option without a value leaves the next argument to be read as an option. */
    check_split("oddport --quiet -j2 a.pcap", "oddport --quiet -j 2 a.pcap");
    /* After "--" every argument is a capture. */
    check_split("oddport -j2 -- -j2", "oddport -j 2 -- -j2");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/arguments/attached-values-are-split", test_attached_values_are_split);
    g_test_add_func("/arguments/other-arguments-are-kept", test_other_arguments_are_kept);
    g_test_add_func("/arguments/values-and-captures-are-not-options",
                    test_values_and_captures_are_not_options);
    return g_test_run();
}
