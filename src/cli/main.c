/* The oddport command: options, the run over each capture, progress, the report, and exit codes. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

#include "arguments.h"
#include "fatal.h"
#include "inputs.h"
#include "report-options.h"
#include "report-output.h"
#include "say.h"
#include "oddport/engine.h"
#include "oddport/protocol.h"
#include "oddport/report.h"

/* The exit statuses, in one table that --help prints and the README and man page repeat (a test
 * checks they agree). When several apply, the lowest `precedence` wins. */
enum {
    EXIT_OK = 0,
    EXIT_UNREADABLE_CAPTURE = 1,
    EXIT_USAGE = 2,
    EXIT_WRITE_ERROR = 3,
    EXIT_FINDINGS = 4,
    EXIT_OUT_OF_MEMORY = ODDPORT_EXIT_OUT_OF_MEMORY,
    EXIT_SIGNAL_BASE = 128,
};

typedef struct {
    const char *status;
    const char *meaning;
} ExitStatusRow;

static const ExitStatusRow exit_status_table[] = {
    {"0", "success, also when a capture ends truncated (the report says so)"},
    {"1", "a capture could not be read at all; the report lists it with its error"},
    {"2", "usage error: bad option or value, invalid filter, unreadable or malformed services "
          "file, -o naming an input; no file is touched"},
    {"3", "the report could not be written (no permission, full disk, closed pipe)"},
    {"4", "--fail-on: a service on a non-standard port at or above that severity"},
    {"5", "out of memory: reading stopped early (try --max-flows)"},
    {"128+N", "stopped by signal N (130 Ctrl-C, 143 SIGTERM): no -o file is replaced; a "
              "report written in place covers what was read and says it is incomplete"},
};

/* Which status wins when several apply: errors before findings, the user's signal first. */
static int exit_status_precedence(int status)
{
    if (status == EXIT_USAGE)
        return 0;
    if (status > EXIT_SIGNAL_BASE)
        return 1;
    static const int order[] = {EXIT_OUT_OF_MEMORY, EXIT_WRITE_ERROR, EXIT_UNREADABLE_CAPTURE,
                                EXIT_FINDINGS, EXIT_OK};
    for (size_t index = 0; index < G_N_ELEMENTS(order); index++)
        if (order[index] == status)
            return (int)index + 2;
    return (int)G_N_ELEMENTS(order) + 2;
}

static void raise_exit_status(int *current, int status)
{
    if (exit_status_precedence(status) < exit_status_precedence(*current))
        *current = status;
}

typedef struct {
    char *format_name;
    const OddportReportFormat *format; /* the format named, once the options are checked */
    char *output_path;
    char *filter;
    char **services_paths;
    char *fail_on_name;
    OddportSeverity fail_on; /* ODDPORT_SEVERITY_NONE: no --fail-on */
    gboolean all_flows;
    gboolean services_only;
    gboolean display_filters;
    char *since_text;
    char *until_text;
    uint64_t since_ns;
    uint64_t until_ns;
    gint64 top;
    gint64 max_flows;
    gint64 jobs;
    char *color_name;
    OddportColorMode color;
    gboolean quiet;
    gboolean show_version;
    gboolean show_help;
    char **captures;
} Options;

/* More threads than this only add queues: the reading thread is the limit long before. */
#define ODDPORT_MAX_JOBS 64

/* A progress line appears only once a capture has taken this long, so short runs stay silent. */
#define PROGRESS_AFTER_MS_DEFAULT 1000
/* Redrawing more often than this only costs time; nobody reads faster. */
#define PROGRESS_REDRAW_US (250 * 1000)

typedef struct {
    const char *path;
    gint64 started_us;
    gint64 drawn_us; /* when the line was last drawn, 0 before the first time */
    gint64 after_us; /* how long a capture must run before the line appears */
    bool visible;    /* the line is on the terminal now */
    /* The report's own flow sink; a format that streams flows writes while the line may be
     * showing. */
    OddportFlowSink report_sink;
    void *report_data;
    bool report_streams;
} Progress;

static void options_clear(Options *options)
{
    g_free(options->format_name);
    g_free(options->output_path);
    g_free(options->filter);
    g_free(options->since_text);
    g_free(options->until_text);
    g_strfreev(options->services_paths);
    g_free(options->fail_on_name);
    g_free(options->color_name);
    g_strfreev(options->captures);
}

static int usage_error(GOptionContext *context, const char *message)
{
    fprintf(stderr, "oddport: %s\n", message);
    fprintf(stderr, "Try 'oddport --help' for more information.\n");
    g_option_context_free(context);
    return EXIT_USAGE;
}

static const char help_description_head[] =
    "The text report starts with the services on non-standard ports, the most\n"
    "severe at the top, each with the evidence for its verdict; then other servers\n"
    "that answered on non-standard ports in something else, with their first\n"
    "bytes; then mismatches and flows per port class and per app.\n"
    "The filter applies to every capture. When stderr is a terminal and a capture\n"
    "takes more than a second, a progress line shows there. A report file named\n"
    "with -o is written beside its name and renamed when complete (devices, pipes\n"
    "and files that cannot be replaced are written in place).\n"
    "--since (inclusive) and --until (exclusive) take an RFC 3339 time with a\n"
    "zone (2026-11-28T01:10:55Z) or seconds since 1970. A flow's id is the\n"
    "position of its first packet in the run, filtered packets included, so it\n"
    "does not change with -f, --since or --until.\n"
    "\n";

static const char help_description_rules[] =
    "\n"
    "Site rules (--services FILE, may be given several times; '-' reads standard\n"
    "input) add expected ports, so known services drop out of the findings: one\n"
    "'APP PORT[-PORT][/tcp|/udp]' per line, '#' comments, e.g. 'http 3128  # our\n"
    "proxy'. A file with an error applies no rule.\n"
    "\n"
    "Environment:\n"
    "  NO_COLOR                   set and not empty: no colour unless --color=always\n"
    "  ODDPORT_PROGRESS_AFTER_MS  how long (ms) a capture must run before the\n"
    "                             progress line shows (default 1000)\n"
    "  ODDPORT_READ_AHEAD         'always' or 'never': with -j, whether a thread\n"
    "                             reads a file ahead (default: when it pays);\n"
    "                             'as-if-reading-sets-pace' for tests\n"
    "\n";

static const char help_description_tail[] =
    "\n"
    "Examples:\n"
    "  oddport capture.pcap\n"
    "  oddport --all-flows -f 'tcp port 443' day1.pcap day2.pcap\n"
    "  oddport --format csv --services-only -o services.csv capture.pcapng\n"
    "  oddport --services captures/site-services.example capture.pcap\n"
    "  oddport --fail-on=masquerade -q -o report.json --format json capture.pcap\n"
    "  oddport --format ndjson capture.pcap | jq -c 'select(.nonstandard)'\n"
    "  oddport --format html -o report.html capture.pcap\n"
    "\n"
    "See oddport(1) for more.\n";

enum { HELP_WIDTH = 80 };

/* Appends `words` wrapped to the help's width, continuing at `column` and carrying on lines that
 * start `indent` columns in. Returns the column where the text ends. */
static size_t append_wrapped(GString *text, size_t column, size_t indent, const char *words)
{
    g_auto(GStrv) split = g_strsplit(words, " ", -1);
    bool line_start = true;
    for (char **word = split; *word != NULL; word++) {
        size_t length = strlen(*word);
        if (!line_start && column + 1 + length > HELP_WIDTH) {
            g_string_append_printf(text, "\n%*s", (int)indent, "");
            column = indent;
        } else if (!line_start) {
            g_string_append_c(text, ' ');
            column++;
        }
        g_string_append(text, *word);
        column += length;
        line_start = false;
    }
    return column;
}

/* "443, 465, 992-995": runs of consecutive ports shortened. */
/* Appends `list`'s ports but those in `except` (may be NULL), runs of three or more as ranges;
 * returns how many it wrote. */
static size_t append_port_list(GString *text, const OddportPortList *list,
                               const OddportPortList *except)
{
    GArray *kept = g_array_new(FALSE, FALSE, sizeof(uint16_t));
    for (size_t index = 0; index < list->count; index++) {
        bool excepted = false;
        for (size_t other = 0; except != NULL && other < except->count; other++)
            excepted = excepted || except->ports[other] == list->ports[index];
        if (!excepted)
            g_array_append_val(kept, list->ports[index]);
    }
    const uint16_t *ports = (const uint16_t *)(const void *)kept->data;
    for (size_t index = 0; index < kept->len;) {
        size_t last = index;
        while (last + 1 < kept->len && ports[last + 1] == ports[last] + 1)
            last++;
        g_string_append_printf(text, "%s%u", index > 0 ? ", " : "", ports[index]);
        if (last >= index + 2)
            g_string_append_printf(text, "-%u", ports[last]);
        else
            last = index;
        index = last + 1;
    }
    size_t written = kept->len;
    g_array_free(kept, TRUE);
    return written;
}

static const OddportPortsByTransport *ports_at(const OddportProtocol *protocol, size_t offset)
{
    return (const OddportPortsByTransport *)(const void *)((const char *)protocol + offset);
}

/* "http 80; tls 443, ...; ssh 22" for one kind of port list of every protocol (at
 * `list_offset` in its description), leaving out the ports of another kind (at `except_offset`,
 * or none when it equals `list_offset`), "/udp" after the UDP ones; protocols left with no
 * such ports are left out. */
static char *protocol_ports_text(size_t list_offset, size_t except_offset)
{
    GString *text = g_string_new(NULL);
    size_t count;
    const OddportProtocol *const *protocols = oddport_protocols(&count);
    for (size_t index = 0; index < count; index++) {
        const OddportPortsByTransport *ports = ports_at(protocols[index], list_offset);
        const OddportPortsByTransport *except =
            except_offset != list_offset ? ports_at(protocols[index], except_offset) : NULL;
        GString *entry = g_string_new(NULL);
        size_t tcp = append_port_list(entry, &ports->tcp, except != NULL ? &except->tcp : NULL);
        GString *udp_ports = g_string_new(NULL);
        size_t udp = append_port_list(udp_ports, &ports->udp, except != NULL ? &except->udp : NULL);
        if (udp > 0)
            g_string_append_printf(entry, "%s%s/udp", tcp > 0 ? ", " : "", udp_ports->str);
        if (tcp + udp > 0)
            g_string_append_printf(text, "%s%s %s", text->len > 0 ? "; " : "",
                                   protocols[index]->name, entry->str);
        g_string_free(udp_ports, TRUE);
        g_string_free(entry, TRUE);
    }
    return g_string_free(text, FALSE);
}

/* The protocols, the port rules drawn from their descriptions, the report formats and the
 * exit-status table, wrapped to 80 columns. */
static char *help_description(void)
{
    GString *text = g_string_new(help_description_head);
    g_string_append(text, "Protocols recognised on any port:\n");
    size_t count;
    const OddportProtocol *const *protocols = oddport_protocols(&count);
    enum { PROTOCOL_INDENT = 9 };
    for (size_t index = 0; index < count; index++) {
        g_string_append_printf(text, "  %-*s", PROTOCOL_INDENT - 2, protocols[index]->name);
        append_wrapped(text, PROTOCOL_INDENT, PROTOCOL_INDENT, protocols[index]->recognises);
        g_string_append_c(text, '\n');
    }
    size_t standard_offset = offsetof(OddportProtocol, standard_ports);
    size_t alternate_offset = offsetof(OddportProtocol, alternate_ports);
    g_autofree char *standard = protocol_ports_text(standard_offset, standard_offset);
    g_autofree char *alternate = protocol_ports_text(alternate_offset, alternate_offset);
    g_autofree char *native =
        protocol_ports_text(offsetof(OddportProtocol, native_service_ports), standard_offset);
    g_autofree char *rules = g_strdup_printf(
        "Port classes (of the server's port): well-known 0-1023, registered 1024-49151, "
        "ephemeral 49152-65535. Expected ports (all tcp unless marked /udp): %s. Severity of a "
        "service elsewhere: masquerade (the port belongs to another common service, e.g. SSH on "
        "443), unexpected (any other port), alternate (a customary alternate: %s; or the port "
        "of a service that itself speaks the app: %s). --fail-on takes one of them: alternate "
        "(any finding), unexpected (unexpected or masquerade), masquerade.",
        standard, alternate, native);
    g_string_append_c(text, '\n');
    append_wrapped(text, 0, 0, rules);
    g_string_append_c(text, '\n');
    g_string_append(text, help_description_rules);
    g_string_append(text, "Report formats (--format):\n");
    for (size_t index = 0; index < oddport_report_format_count; index++) {
        const OddportReportFormat *format = oddport_report_formats[index];
        g_string_append_printf(text, "  %-7s %s%s\n", format->name, format->description,
                               index == 0 ? " (default)" : "");
    }
    g_string_append_c(text, '\n');
    g_string_append(text,
                    "Exit status (when several apply: 2, 128+N, 5, 3, 1, 4, in that order):\n");
    enum { EXIT_INDENT = 9 };
    for (size_t row = 0; row < G_N_ELEMENTS(exit_status_table); row++) {
        g_string_append_printf(text, "  %-*s", EXIT_INDENT - 2, exit_status_table[row].status);
        append_wrapped(text, EXIT_INDENT, EXIT_INDENT, exit_status_table[row].meaning);
        g_string_append_c(text, '\n');
    }
    g_string_append(text, help_description_tail);
    return g_string_free(text, FALSE);
}

static int parse_options(int argc, char **argv, Options *options)
{
    g_autofree char *format_names = oddport_report_format_names(true);
    g_autofree char *format_help = g_strdup_printf("Report format: %s", format_names);
    /* Descriptions stay within 80 columns: GOption does not wrap them. */
    GOptionEntry report_entries[] = {
        {"format", 0, 0, G_OPTION_ARG_STRING, &options->format_name, format_help, "FORMAT"},
        {"output", 'o', 0, G_OPTION_ARG_FILENAME, &options->output_path,
         "Write the report to FILE, not standard output", "FILE"},
        {"all-flows", 0, 0, G_OPTION_ARG_NONE, &options->all_flows,
         "Text: add a table of every flow; HTML: list every flow", NULL},
        {"services-only", 0, 0, G_OPTION_ARG_NONE, &options->services_only,
         "Text: only the services; CSV: a row per service", NULL},
        {"filters", 0, 0, G_OPTION_ARG_NONE, &options->display_filters,
         "Text: a Wireshark display filter under each service", NULL},
        {"top", 0, 0, G_OPTION_ARG_INT64, &options->top,
         "Text, HTML: at most N rows per table, then '+M more'", "N"},
        {"color", 0, 0, G_OPTION_ARG_STRING, &options->color_name,
         "Text: auto (on a terminal), always or never", "WHEN"},
        G_OPTION_ENTRY_NULL,
    };
    GOptionEntry input_entries[] = {
        {"filter", 'f', 0, G_OPTION_ARG_STRING, &options->filter,
         "Only packets matching a libpcap filter", "BPF"},
        {"since", 0, 0, G_OPTION_ARG_STRING, &options->since_text,
         "Only packets at or after TIME (RFC 3339 or epoch s)", "TIME"},
        {"until", 0, 0, G_OPTION_ARG_STRING, &options->until_text,
         "Only packets before TIME (RFC 3339 or epoch s)", "TIME"},
        {"services", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &options->services_paths,
         "Site rules: ports where an app is expected", "FILE"},
        {"max-flows", 0, 0, G_OPTION_ARG_INT64, &options->max_flows,
         "Open flows kept at once (500000; 0: no bound)", "N"},
        {"jobs", 'j', 0, G_OPTION_ARG_INT64, &options->jobs,
         "Threads running the flows (default: the cores there are)", "N"},
        G_OPTION_ENTRY_NULL,
    };
    /* GOption collects the remaining arguments only through the main group. */
    GOptionEntry capture_entries[] = {
        {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &options->captures, NULL, NULL},
        G_OPTION_ENTRY_NULL,
    };
    GOptionEntry general_entries[] = {
        {"fail-on", 0, 0, G_OPTION_ARG_STRING, &options->fail_on_name,
         "Exit 4 on a service at least this severe", "SEVERITY"},
        {"quiet", 'q', 0, G_OPTION_ARG_NONE, &options->quiet,
         "No warnings, no progress line on stderr", NULL},
        {"version", 0, 0, G_OPTION_ARG_NONE, &options->show_version, "Print the version and exit",
         NULL},
        {"help", 'h', 0, G_OPTION_ARG_NONE, &options->show_help, "Print this help and exit", NULL},
        G_OPTION_ENTRY_NULL,
    };
    GOptionContext *context = g_option_context_new("CAPTURE...");
    /* Our own --help prints every group at once; GOption's would hide all but the main one. */
    g_option_context_set_help_enabled(context, FALSE);
    g_autofree char *summary =
        g_strdup_printf("Find %s services on non-standard ports in pcap and pcapng\n"
                        "captures, also gzip, zstd or lz4 compressed. CAPTURE may be '-' for\n"
                        "standard input, or a folder for the captures in it. Several captures are\n"
                        "read in the order of their first packets, as one run of rotated files; a\n"
                        "file named twice is read once, and packets a capture repeats are not\n"
                        "counted again.",
                        oddport_protocol_titles(ODDPORT_TITLES_AND));
    g_option_context_set_summary(context, summary);
    g_autofree char *description = help_description();
    g_option_context_set_description(context, description);
    g_option_context_add_main_entries(context, capture_entries, NULL);
    GOptionGroup *report_group =
        g_option_group_new("report", "Report options:", "Show report options", options, NULL);
    g_option_group_add_entries(report_group, report_entries);
    g_option_context_add_group(context, report_group);
    GOptionGroup *input_group =
        g_option_group_new("input", "Input options:", "Show input options", options, NULL);
    g_option_group_add_entries(input_group, input_entries);
    g_option_context_add_group(context, input_group);
    GOptionGroup *general_group =
        g_option_group_new("general", "General options:", "Show general options", options, NULL);
    g_option_group_add_entries(general_group, general_entries);
    g_option_context_add_group(context, general_group);

    const GOptionEntry *const tables[] = {report_entries, input_entries, general_entries, NULL};
    g_auto(GStrv) arguments = oddport_split_attached_values(argc, argv, tables);
    GError *error = NULL;
    if (!g_option_context_parse_strv(context, &arguments, &error)) {
        int status = usage_error(context, error->message);
        g_error_free(error);
        return status;
    }
    if (options->show_help) {
        oddport_print_help(context);
        g_option_context_free(context);
        return EXIT_OK;
    }
    if (options->show_version) {
        printf("oddport %s\n", ODDPORT_VERSION);
        g_option_context_free(context);
        return EXIT_OK;
    }
    /* The first format in the table is the default. */
    options->format = options->format_name == NULL
                          ? oddport_report_formats[0]
                          : oddport_report_format_find(options->format_name);
    if (options->format == NULL) {
        g_autofree char *names = oddport_report_format_names(false);
        g_autofree char *message =
            g_strdup_printf("unknown format '%s' (expected %s)", options->format_name, names);
        return usage_error(context, message);
    }
    if (!oddport_color_mode_parse(options->color_name, &options->color)) {
        g_autofree char *message = g_strdup_printf(
            "unknown colour mode '%s' (expected auto, always or never)", options->color_name);
        return usage_error(context, message);
    }
    if (options->fail_on_name != NULL) {
        options->fail_on = ODDPORT_SEVERITY_NONE;
        if (!oddport_severity_from_name(options->fail_on_name, &options->fail_on)) {
            g_autofree char *message =
                g_strdup_printf("unknown severity '%s' for --fail-on (expected alternate, "
                                "unexpected or masquerade)",
                                options->fail_on_name);
            return usage_error(context, message);
        }
    }
    if (options->top < 0)
        return usage_error(context, "--top needs a number of rows, 0 or more");
    const struct {
        const char *name;
        const char *text;
        uint64_t *value;
    } times[] = {{"--since", options->since_text, &options->since_ns},
                 {"--until", options->until_text, &options->until_ns}};
    for (size_t index = 0; index < G_N_ELEMENTS(times); index++) {
        if (times[index].text != NULL &&
            !oddport_parse_time(times[index].text, times[index].value)) {
            g_autofree char *message = g_strdup_printf(
                "%s needs an RFC 3339 time with a time zone (2026-11-28T01:10:55Z) or seconds "
                "since 1970 (1795828255), not '%s'",
                times[index].name, times[index].text);
            return usage_error(context, message);
        }
    }
    if (options->since_text != NULL && options->until_text != NULL &&
        options->since_ns >= options->until_ns) {
        g_autofree char *message =
            g_strdup_printf("--since %s is not before --until %s: no packet could be counted",
                            options->since_text, options->until_text);
        return usage_error(context, message);
    }
    if (options->jobs < 1 || options->jobs > ODDPORT_MAX_JOBS) {
        g_autofree char *message =
            g_strdup_printf("-j/--jobs must be between 1 and %d, not %" G_GINT64_FORMAT,
                            ODDPORT_MAX_JOBS, options->jobs);
        return usage_error(context, message);
    }
    if (options->max_flows < 0)
        return usage_error(context, "--max-flows needs a number of flows, 0 or more");
    g_autofree char *refusal = oddport_report_options_refusal(
        options->format, options->services_only, options->all_flows, (uint64_t)options->top);
    if (refusal != NULL)
        return usage_error(context, refusal);
    if (options->captures == NULL || options->captures[0] == NULL)
        return usage_error(context, "no capture given");
    /* Standard input can be read once. */
    unsigned standard_input_uses = 0;
    for (char **path = options->captures; *path != NULL; path++)
        standard_input_uses += strcmp(*path, "-") == 0;
    for (char **path = options->services_paths; path != NULL && *path != NULL; path++)
        standard_input_uses += strcmp(*path, "-") == 0;
    if (standard_input_uses > 1)
        return usage_error(context, "standard input ('-') can be read only once: name it as one "
                                    "capture or one services file");
    g_option_context_free(context);
    return -1;
}

static gint64 progress_after_us(void)
{
    const char *text = g_getenv("ODDPORT_PROGRESS_AFTER_MS");
    if (text != NULL && text[0] != '\0') {
        char *end = NULL;
        guint64 milliseconds = g_ascii_strtoull(text, &end, 10);
        if (end != NULL && *end == '\0' && milliseconds < G_MAXINT64 / 1000)
            return (gint64)milliseconds * 1000;
    }
    return (gint64)PROGRESS_AFTER_MS_DEFAULT * 1000;
}

/* ODDPORT_READ_AHEAD: "always" or "never" overrides the engine's own judgement of whether to
 * read ahead, for comparing timings and for the tests, and "as-if-reading-sets-pace" makes the
 * judgement at the first check (see OddportReadAhead); anything else leaves it to the engine. */
static OddportReadAhead read_ahead_asked(void)
{
    const char *text = g_getenv("ODDPORT_READ_AHEAD");
    if (g_strcmp0(text, "always") == 0)
        return ODDPORT_READ_AHEAD_ALWAYS;
    if (g_strcmp0(text, "never") == 0)
        return ODDPORT_READ_AHEAD_NEVER;
    if (g_strcmp0(text, "as-if-reading-sets-pace") == 0)
        return ODDPORT_READ_AHEAD_AS_IF_READING_SETS_PACE;
    return ODDPORT_READ_AHEAD_WHEN_READING_SETS_PACE;
}

/* Called by the engine every 65536 packets: reading the clock here, not per packet, keeps the
 * cost far below a percent, and the line is redrawn at most four times a second. */
/* With -j the report is written by the engine's delivering thread while the reading thread
 * draws the line: both take this before touching the line. Static: there is one line. */
static GMutex progress_line_lock;

static void draw_progress(Progress *progress, const OddportCaptureReader *reader, uint64_t packets);

static void show_progress(const OddportCaptureReader *reader, uint64_t packets, void *data)
{
    Progress *progress = data;
    g_mutex_lock(&progress_line_lock);
    draw_progress(progress, reader, packets);
    g_mutex_unlock(&progress_line_lock);
}

static void draw_progress(Progress *progress, const OddportCaptureReader *reader, uint64_t packets)
{
    gint64 now = g_get_monotonic_time();
    gint64 elapsed = now - progress->started_us;
    if (elapsed < progress->after_us || elapsed <= 0)
        return;
    if (progress->drawn_us != 0 && now - progress->drawn_us < PROGRESS_REDRAW_US)
        return;
    progress->drawn_us = now;
    progress->visible = true;

    uint64_t offset = oddport_capture_offset(reader);
    uint64_t size = oddport_capture_size(reader);
    double seconds = (double)elapsed / 1e6;
    char count[ODDPORT_HUMAN_TEXT_MAX];
    char rate[ODDPORT_HUMAN_TEXT_MAX];
    char read[ODDPORT_HUMAN_TEXT_MAX];
    oddport_format_count(packets, count);
    oddport_format_count((uint64_t)((double)packets / seconds), rate);
    oddport_format_bytes(offset, read);
    g_autofree char *name = g_path_get_basename(progress->path);
    GString *line = g_string_new("\roddport: ");
    oddport_append_escaped(line, name);
    if (size > 0 && offset <= size) {
        char total[ODDPORT_HUMAN_TEXT_MAX];
        char remaining[ODDPORT_HUMAN_TEXT_MAX];
        oddport_format_bytes(size, total);
        double left_ns =
            offset > 0 ? (double)elapsed * 1e3 * (double)(size - offset) / (double)offset : 0.0;
        oddport_format_duration((uint64_t)left_ns, remaining);
        g_string_append_printf(line, ": %3u%% of %s, %s packets, %s packets/s, ETA %s",
                               (unsigned)(offset * 100 / size), total, count, rate, remaining);
    } else {
        g_string_append_printf(line, ": %s read, %s packets, %s packets/s", read, count, rate);
    }
    /* Erase what a longer earlier line left to the right. */
    g_string_append(line, "\033[K");
    fputs(line->str, stderr);
    fflush(stderr);
    g_string_free(line, TRUE);
}

static void clear_progress(Progress *progress)
{
    g_mutex_lock(&progress_line_lock);
    if (progress->visible) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        progress->visible = false;
    }
    g_mutex_unlock(&progress_line_lock);
}

/* Stands between the engine and the report: a report that streams flows to the same terminal
 * would otherwise write its rows over the progress line. The next progress call redraws it. */
static void flow_sink_under_progress(const OddportFlowReport *flow, void *data)
{
    Progress *progress = data;
    if (progress->report_streams)
        clear_progress(progress);
    progress->report_sink(flow, progress->report_data);
}

/* One line on stderr, "oddport: " and the message with every byte outside printable ASCII
 * escaped as the reports escape them: a file name from a folder, or text from a capture's
 * warning, must not drive the terminal. */
static void say(const char *format, ...) G_GNUC_PRINTF(1, 2);
static void say(const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    oddport_say_va(stderr, "oddport", format, arguments);
    va_end(arguments);
}

/* The run's warnings, which the report carries too, for whoever watches the terminal. */
static void warn_about_limits(const OddportSummary *summary, size_t first)
{
    for (guint index = (guint)first; index < summary->warnings->len; index++)
        say("warning: %s", (const char *)g_ptr_array_index(summary->warnings, index));
}

/* Signals that ask oddport to stop: the first one stops reading at the next check and leaves
 * the run to end cleanly; a second one ends the process at once, removing the unfinished report
 * first (unlink is async-signal-safe). */
static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int number)
{
    if (stop_signal != 0) {
        oddport_report_output_remove_unfinished();
        signal(number, SIG_DFL);
        raise(number);
        return;
    }
    stop_signal = number;
}

/* While captures are read, a signal also interrupts a read waiting on an idle pipe, so that
 * the run stops at once; while the report is written, interrupted writes resume instead. */
static void install_stop_signal_handlers(bool interrupt_reads)
{
    /* A file size limit (ulimit -f) then fails the write, which is reported, instead of ending
     * the process with a half-written temporary file left behind. */
    signal(SIGXFSZ, SIG_IGN);
    struct sigaction action = {.sa_handler = on_stop_signal};
    sigemptyset(&action.sa_mask);
    action.sa_flags = interrupt_reads ? 0 : SA_RESTART;
    const int numbers[] = {SIGINT, SIGTERM, SIGHUP};
    for (size_t index = 0; index < G_N_ELEMENTS(numbers); index++) {
        struct sigaction previous;
        /* A signal ignored by whoever started us (nohup, a background job) stays ignored. */
        if (sigaction(numbers[index], NULL, &previous) == 0 && previous.sa_handler == SIG_IGN)
            continue;
        sigaction(numbers[index], &action, NULL);
    }
}

static bool same_terminal(FILE *first, FILE *second)
{
    struct stat first_status;
    struct stat second_status;
    return isatty(fileno(first)) == 1 && isatty(fileno(second)) == 1 &&
           fstat(fileno(first), &first_status) == 0 && fstat(fileno(second), &second_status) == 0 &&
           first_status.st_rdev == second_status.st_rdev;
}

/* A pipe whose reader has gone reports an error when polled for writing (Linux, the BSDs). */
static bool output_reader_gone(const OddportReportOutput *output)
{
    if (!output->is_pipe)
        return false;
    struct pollfd poll_output = {.fd = fileno(output->stream), .events = POLLOUT};
    return poll(&poll_output, 1, 0) == 1 && (poll_output.revents & (POLLERR | POLLHUP)) != 0;
}

typedef struct {
    const OddportReportOutput *output;
    bool output_gone;   /* the pipe's reader went away */
    bool output_failed; /* a write failed (full disk, file too large, I/O error) */
} StopState;

/* A streamed report that cannot be written, or that nobody reads any more, ends the reading: it
 * could only go on to no purpose. */
static bool should_stop_reading(void *data)
{
    StopState *state = data;
    if (!state->output_gone && output_reader_gone(state->output))
        state->output_gone = true;
    if (!state->output_gone && ferror(state->output->stream))
        state->output_failed = true;
    return stop_signal != 0 || state->output_gone || state->output_failed;
}

/* The service rows come sorted non-standard and most severe first: the first one decides. */
static bool has_finding_at_least(const OddportEngine *engine, OddportSeverity threshold)
{
    GPtrArray *services = oddport_tally_services(oddport_engine_tally(engine));
    const OddportService *most_severe = services->len > 0 ? g_ptr_array_index(services, 0) : NULL;
    bool found = most_severe != NULL && most_severe->nonstandard &&
                 oddport_severity_level(most_severe->severity) >= oddport_severity_level(threshold);
    g_ptr_array_unref(services);
    return found;
}

/* Where the captures after `first` begin: the earliest of their first packets, 0 when one of
 * them cannot be known ahead (standard input), UINT64_MAX when none follows. Packets of the
 * capture read now from that time on are the ones a later capture may repeat. */
static uint64_t earliest_still_to_come(const OddportInputPlan *plan, guint first)
{
    uint64_t earliest = UINT64_MAX;
    for (guint index = first; index < plan->inputs->len; index++) {
        const OddportInput *input = g_ptr_array_index(plan->inputs, index);
        if (input->error != NULL)
            continue;
        if (!input->has_first_timestamp)
            return 0;
        earliest = MIN(earliest, input->first_timestamp_ns);
    }
    return earliest;
}

/* The ports site rules add to where each protocol is standard, "http 3128, 8000-8010; ssh
 * 2200/udp", the same for equal rules however their files are written; NULL where they add none
 * (transfer full). For the reports' run_options, which oddport merge compares. */
static char *site_rules_text(const OddportPortRules *rules)
{
    GString *text = g_string_new(NULL);
    size_t count;
    const OddportProtocol *const *protocols = oddport_protocols(&count);
    uint16_t *ports = g_new(uint16_t, 65536);
    for (size_t index = 0; index < count; index++) {
        const OddportProtocol *protocol = protocols[index];
        GString *entry = g_string_new(NULL);
        const OddportTransport transports[] = {ODDPORT_TRANSPORT_TCP, ODDPORT_TRANSPORT_UDP};
        for (size_t slot = 0; slot < G_N_ELEMENTS(transports); slot++) {
            size_t listed = oddport_port_rules_expected_ports(rules, protocol->app,
                                                              transports[slot], ports, 65536);
            OddportPortList list = {ports, MIN(listed, (size_t)65536)};
            const OddportPortList *built_in =
                slot == 0 ? &protocol->standard_ports.tcp : &protocol->standard_ports.udp;
            GString *added = g_string_new(NULL);
            if (append_port_list(added, &list, built_in) > 0)
                g_string_append_printf(entry, "%s%s%s", entry->len > 0 ? ", " : "", added->str,
                                       slot == 1 ? "/udp" : "");
            g_string_free(added, TRUE);
        }
        if (entry->len > 0)
            g_string_append_printf(text, "%s%s %s", text->len > 0 ? "; " : "", protocol->name,
                                   entry->str);
        g_string_free(entry, TRUE);
    }
    g_free(ports);
    if (text->len == 0) {
        g_string_free(text, TRUE);
        return NULL;
    }
    return g_string_free(text, FALSE);
}

/* A --since or --until time as the run options record it, to the nanosecond (transfer full). */
static char *window_time_text(const char *given, uint64_t timestamp_ns)
{
    if (given == NULL)
        return NULL;
    char text[ODDPORT_TIME_TEXT_MAX];
    oddport_format_time(timestamp_ns, 9, text);
    return g_strdup(text);
}

static int load_site_rules(OddportPortRules *rules, char **paths)
{
    for (char **path = paths; path != NULL && *path != NULL; path++) {
        GError *error = NULL;
        if (!oddport_port_rules_load_file(rules, *path, &error)) {
            fprintf(stderr, "oddport: %s\n", error->message);
            g_error_free(error);
            return EXIT_USAGE;
        }
    }
    return EXIT_OK;
}

/* Memory can also run out outside the engine's flow table (the service rows, a report's own
 * buffers), where GLib ends the process. Its last word is replaced by a line that says what to
 * do, and the unfinished report file goes with it. */
static void remove_unfinished_report(void)
{
    oddport_report_output_remove_unfinished();
}

static const OddportFatalErrors FATAL_ERRORS = {
    .out_of_memory_line =
        "oddport: out of memory: the report is incomplete (no -o file was replaced; on standard "
        "output it stops where memory ran out); bound the flows kept at once with a smaller "
        "--max-flows (the default is 500000)\n",
    .internal_error_prefix = "oddport: internal error: ",
    .before_ending = remove_unfinished_report,
};

/* One thread per core available; but one in all under an address-space limit (ulimit -v):
 * glibc reserves up to 64 MiB of address space for each thread's heap, which would leave the
 * flows a fraction of the limit, and running out of memory early is the worse deal. Threads
 * asked for there share one heap, so that the memory the engine gives back when it runs out
 * serves every thread in finishing the report. */
static gint64 default_jobs(void)
{
    struct rlimit address_space;
    if (getrlimit(RLIMIT_AS, &address_space) == 0 && address_space.rlim_cur != RLIM_INFINITY) {
#ifdef M_ARENA_MAX
        mallopt(M_ARENA_MAX, 1);
#endif
        return 1;
    }
    return MIN(g_get_num_processors(), ODDPORT_MAX_JOBS);
}

/* `oddport merge` is the program oddport-merge, beside oddport in a build, and under the prefix,
 * once installed, in LIBEXECDIR/oddport: found from where oddport itself lies, so that a staged
 * or moved installation finds its own, and then where it was to be installed. Reading captures
 * then loads neither json-glib nor GIO, which the merge reads reports with: `oddport --version`
 * took 0.65 of the processor time, a run over a capture of nine packets 0.7 to 0.8, each with 83
 * fewer page faults. Returns only when the merge could not be started. */
static int run_merge(char **argv)
{
    g_autofree char *self = g_file_read_link("/proc/self/exe", NULL);
    if (self == NULL && strchr(argv[0], '/') != NULL)
        self = g_canonicalize_filename(argv[0], NULL);
    if (self == NULL)
        self = g_find_program_in_path(argv[0]);
    g_autofree char *own_folder = self != NULL ? g_path_get_dirname(self) : NULL;
    g_autofree char *relative_folder =
        own_folder != NULL ? g_canonicalize_filename(ODDPORT_LIBEXEC_FROM_BINDIR, own_folder)
                           : NULL;
    /* In the order looked in, NULL-terminated. */
    const char *folders[4] = {NULL};
    size_t count = 0;
    if (own_folder != NULL) {
        folders[count++] = own_folder;
        folders[count++] = relative_folder;
    }
    /* Installed where it was built for, the place found from oddport's folder is that one:
     * named once. */
    if (relative_folder == NULL || strcmp(relative_folder, ODDPORT_LIBEXECDIR) != 0)
        folders[count++] = ODDPORT_LIBEXECDIR;
    for (size_t index = 0; index < count; index++) {
        g_autofree char *candidate = g_build_filename(folders[index], "oddport-merge", NULL);
        if (!g_file_test(candidate, G_FILE_TEST_IS_EXECUTABLE))
            continue;
        argv[1] = candidate;
        execv(candidate, argv + 1);
        fprintf(stderr, "oddport merge: cannot run %s: %s\n", candidate, g_strerror(errno));
        return EXIT_USAGE;
    }
    g_autofree char *searched = g_strjoinv(", ", (char **)folders);
    fprintf(stderr,
            "oddport merge: oddport-merge, the program that merges reports, is not installed "
            "(looked in %s)\n",
            searched);
    return EXIT_USAGE;
}

int main(int argc, char **argv)
{
    oddport_handle_fatal_errors(&FATAL_ERRORS);

    /* `oddport merge REPORT...` puts the reports of runs over parts of a capture set together; a
     * capture that happens to be called "merge" is still read as ./merge. */
    if (argc >= 2 && strcmp(argv[1], "merge") == 0)
        return run_merge(argv);

    Options options = {
        .max_flows = ODDPORT_DEFAULT_MAX_FLOWS,
        .jobs = default_jobs(),
        .until_ns = UINT64_MAX,
    };
    int status = parse_options(argc, argv, &options);
    if (status >= 0) {
        options_clear(&options);
        return status;
    }

    /* Everything a usage error can come from is checked before the report file is touched. */
    g_autoptr(OddportPortRules) rules = oddport_port_rules_new();
    if (load_site_rules(rules, options.services_paths) != EXIT_OK) {
        options_clear(&options);
        return EXIT_USAGE;
    }
    /* Folders stand for their captures, a file named twice is read once, and captures are read
     * in time order. Opening each for its first packet's time reads nothing into the report. */
    g_autoptr(OddportInputPlan) plan = oddport_input_plan_new(options.captures);
    g_autoptr(GPtrArray) read_paths = g_ptr_array_new();
    for (guint index = 0; index < plan->inputs->len; index++)
        g_ptr_array_add(read_paths, ((OddportInput *)g_ptr_array_index(plan->inputs, index))->path);
    for (char **path = options.services_paths; path != NULL && *path != NULL; path++)
        g_ptr_array_add(read_paths, *path);
    const char *overwritten_input = oddport_report_output_overwrites(
        options.output_path, (const char *const *)read_paths->pdata, read_paths->len);
    if (overwritten_input != NULL) {
        fprintf(stderr,
                "oddport: the report (-o %s) would overwrite the input %s: nothing was written\n",
                options.output_path, overwritten_input);
        options_clear(&options);
        return EXIT_USAGE;
    }

    Progress progress = {.after_us = progress_after_us()};
    /* The engine exists before the output so that the filter is checked before any file is
     * created; the flow sink's data is filled in once the report has begun. */
    bool show = !options.quiet && isatty(STDERR_FILENO) == 1;
    OddportEngine *engine = oddport_engine_new(rules, flow_sink_under_progress, &progress);
    GError *error = NULL;
    if (options.filter != NULL && !oddport_engine_set_filter(engine, options.filter, &error)) {
        fprintf(stderr, "oddport: %s\n", error->message);
        g_clear_error(&error);
        oddport_engine_free(engine);
        options_clear(&options);
        return EXIT_USAGE;
    }

    install_stop_signal_handlers(false);
    OddportReportOutput output;
    if (!oddport_report_output_open(options.output_path, &output, &error)) {
        fprintf(stderr, "oddport: %s\n", error->message);
        g_clear_error(&error);
        oddport_engine_free(engine);
        options_clear(&options);
        return EXIT_WRITE_ERROR;
    }

    const OddportReportFormat *format = options.format;
    OddportReportOptions report_options = {
        .all_flows = options.all_flows,
        .services_only = options.services_only,
        .display_filters = options.display_filters,
        .color = format->for_terminals && oddport_color_wanted(options.color, output.stream),
        .top = (uint64_t)options.top,
    };
    OddportReport *report = oddport_report_begin(format, output.stream, &report_options);
    progress.report_sink = oddport_report_add_flow;
    progress.report_data = report;
    /* Without a progress line there is nothing to clear, and no lock to take for every flow (a
     * flood's JSON at -j 2 spent 3.5% of the delivering thread's time taking it). */
    progress.report_streams = format->streams_flows && show;
    if (show)
        oddport_engine_set_progress(engine, show_progress, &progress);
    oddport_engine_set_max_flows(engine, (uint64_t)options.max_flows);
    oddport_engine_set_workers(engine, (unsigned)options.jobs);
    oddport_engine_set_read_ahead(engine, read_ahead_asked());
    oddport_engine_prepare_flows(engine, format);
    oddport_engine_set_time_window(engine, options.since_ns, options.until_ns);
    StopState stop_state = {.output = &output};
    oddport_engine_set_stop_check(engine, should_stop_reading, &stop_state);

    int exit_status = EXIT_OK;
    const OddportSummary *summary = oddport_engine_summary(engine);
    /* What the report reads at its end besides the flows: the engine's, as it stands then. */
    g_autofree char *site_rules = site_rules_text(rules);
    g_autofree char *since = window_time_text(options.since_text, options.since_ns);
    g_autofree char *until = window_time_text(options.until_text, options.until_ns);
    const OddportRunOptions run_options = {options.filter, since, until, site_rules};
    const OddportRunResult run = {
        .summary = summary, .tally = oddport_engine_tally(engine), .options = &run_options};
    install_stop_signal_handlers(true);
    /* A report for terminals on the terminal stderr shares already carries every warning in its
     * header: once is enough. */
    bool warnings_in_view = format->for_terminals && same_terminal(output.stream, stderr);
    bool say_warnings = !options.quiet && !warnings_in_view;
    for (guint index = 0; index < plan->warnings->len; index++) {
        const char *warning = g_ptr_array_index(plan->warnings, index);
        oddport_engine_add_warning(engine, warning);
        if (say_warnings)
            say("warning: %s", warning);
    }
    for (guint index = 0; index < plan->inputs->len; index++) {
        const OddportInput *input = g_ptr_array_index(plan->inputs, index);
        if (summary->stopped || summary->out_of_memory) {
            GError *not_read =
                g_error_new_literal(ODDPORT_CAPTURE_ERROR, ODDPORT_CAPTURE_ERROR_NOT_READ,
                                    "the run stopped before this capture");
            oddport_engine_add_unread_capture(engine, input->path, not_read);
            g_error_free(not_read);
            continue;
        }
        bool read = false;
        if (input->error != NULL) {
            oddport_engine_add_unread_capture(engine, input->path, input->error);
            error = g_error_copy(input->error);
        } else {
            oddport_engine_remember_packets_from(engine, earliest_still_to_come(plan, index + 1));
            progress.path = input->path;
            progress.started_us = g_get_monotonic_time();
            read = oddport_engine_read_capture(engine, input->path, &error);
            clear_progress(&progress);
        }
        if (!read) {
            say("%s: %s", input->path, error->message);
            g_clear_error(&error);
            raise_exit_status(&exit_status, EXIT_UNREADABLE_CAPTURE);
            continue;
        }
        const OddportCaptureSummary *capture =
            g_ptr_array_index(summary->captures, summary->captures->len - 1);
        bool say_capture_warnings = say_warnings && !stop_state.output_gone;
        for (guint warning = 0; say_capture_warnings && warning < capture->warnings->len; warning++)
            say("%s: warning: %s", input->path,
                (const char *)g_ptr_array_index(capture->warnings, warning));
    }

    install_stop_signal_handlers(false);

    /* A reader that went away wants no more: end as a writer to a closed pipe does. */
    if (stop_state.output_gone) {
        struct sigaction pipe_action;
        if (sigaction(SIGPIPE, NULL, &pipe_action) == 0 && pipe_action.sa_handler == SIG_DFL)
            raise(SIGPIPE);
        /* Whoever started us ignores SIGPIPE and so expects to hear of it as an error. */
        /* The engine first: with -j its delivering thread may still be writing the report. */
        oddport_engine_free(engine);
        oddport_report_discard(report);
        oddport_report_output_close(&output, false);
        fprintf(stderr, "oddport: %s: write error: %s\n", oddport_report_output_name(&output),
                g_strerror(EPIPE));
        options_clear(&options);
        return EXIT_WRITE_ERROR;
    }

    size_t warnings_before_finish = summary->warnings->len;
    oddport_engine_finish(engine);
    if (say_warnings)
        warn_about_limits(summary, warnings_before_finish);
    bool out_of_memory = summary->out_of_memory;
    if (out_of_memory) {
        /* Four fifths of what fitted leaves room for the rest of the run's memory. */
        uint64_t suggestion = summary->flows_open_when_out_of_memory / 5 * 4;
        fprintf(stderr,
                "oddport: out of memory with %" G_GUINT64_FORMAT " flows open: reading stopped "
                "early and the report covers only what was read; try --max-flows %" G_GUINT64_FORMAT
                " to keep fewer flows open at once\n",
                summary->flows_open_when_out_of_memory, suggestion > 0 ? suggestion : 1);
        raise_exit_status(&exit_status, EXIT_OUT_OF_MEMORY);
    }

    bool written = oddport_report_end(report, &run);
    int write_errno = errno;
    /* An interrupted or out-of-memory run does not replace a file with its report; where the
     * report is written in place (standard output, a device, a file that cannot be replaced) it
     * says it is incomplete. */
    bool complete = stop_signal == 0 && !out_of_memory;
    if (options.fail_on != ODDPORT_SEVERITY_NONE && has_finding_at_least(engine, options.fail_on))
        raise_exit_status(&exit_status, EXIT_FINDINGS);
    oddport_engine_free(engine);
    bool written_beside = output.temporary_path != NULL;
    if (!oddport_report_output_close(&output, written && complete) && written) {
        written = false;
        write_errno = errno;
    }
    if (!written) {
        fprintf(stderr, "oddport: %s: write error: %s\n", oddport_report_output_name(&output),
                g_strerror(write_errno));
        raise_exit_status(&exit_status, EXIT_WRITE_ERROR);
    }
    if (!complete && written_beside)
        fprintf(stderr,
                "oddport: %s: not written, the run did not finish; an earlier file of "
                "that name is left as it was\n",
                output.target_path);
    else if (!complete && output.in_place)
        fprintf(stderr,
                "oddport: %s: holds a report of what was read, marked incomplete: the run did "
                "not finish\n",
                output.target_path);
    options_clear(&options);
    if (stop_signal != 0) {
        fprintf(stderr, "oddport: stopped by signal %d (%s)\n", (int)stop_signal,
                g_strsignal(stop_signal));
        /* Dying of the signal itself tells a calling shell that the user interrupted us. */
        int number = stop_signal;
        signal(number, SIG_DFL);
        raise(number);
        return EXIT_SIGNAL_BASE + number;
    }
    return exit_status;
}
