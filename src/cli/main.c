/* The oddport command: options, the run over each capture, progress, the report, and exit codes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "oddport/engine.h"
#include "oddport/report.h"

enum {
    EXIT_OK = 0,
    EXIT_UNREADABLE_CAPTURE = 1,
    EXIT_USAGE = 2,
};

typedef enum {
    COLOR_AUTO,
    COLOR_ALWAYS,
    COLOR_NEVER,
} ColorMode;

typedef struct {
    char *format;
    char *output_path;
    char *filter;
    char *services_path;
    gboolean all_flows;
    gboolean services_only;
    gint64 top;
    gint64 max_flows;
    char *color_name;
    ColorMode color;
    gboolean quiet;
    gboolean show_version;
    gboolean show_help;
    char **captures;
} Options;

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
    /* The report's own flow sink: JSON and CSV write while the line may be showing. */
    OddportFlowSink report_sink;
    void *report_data;
} Progress;

static void options_clear(Options *options)
{
    g_free(options->format);
    g_free(options->output_path);
    g_free(options->filter);
    g_free(options->services_path);
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

static const char help_description[] =
    "The text report starts with the services on non-standard ports, the most\n"
    "severe at the top, each with the evidence for its verdict; then mismatches\n"
    "and flows per port class and per app. JSON and CSV are written as flows end.\n"
    "The filter applies to every capture. When stderr is a terminal and a capture\n"
    "takes more than a second, a progress line shows there.\n"
    "\n"
    "Port classes (of the server's port): well-known 0-1023, registered\n"
    "1024-49151, ephemeral 49152-65535. Expected ports: http 80; tls 443, 465, 563,\n"
    "636, 853, 989, 990, 992-995, 5061, 8883; ssh 22 (all tcp). Severity of a\n"
    "service elsewhere: masquerade (the port belongs to another common service,\n"
    "e.g. SSH on 443), unexpected (any other port), alternate (a common alternate\n"
    "such as HTTP on 8080, TLS on 8443, SSH on 2222).\n"
    "\n"
    "Site rules (--services FILE) add expected ports, so known services drop out\n"
    "of the findings: one 'APP PORT[-PORT][/tcp|/udp]' per line, '#' comments,\n"
    "e.g. 'http 3128  # our proxy'. A file with an error applies no rule.\n"
    "\n"
    "Environment:\n"
    "  NO_COLOR                   set and not empty: no colour unless --color=always\n"
    "  ODDPORT_PROGRESS_AFTER_MS  how long (ms) a capture must run before the\n"
    "                             progress line shows (default 1000)\n"
    "\n"
    "Exit status: 0 success (also when a capture ends truncated: what was read is\n"
    "reported), 1 when a capture cannot be read at all, 2 on usage errors.\n"
    "\n"
    "Examples:\n"
    "  oddport capture.pcap\n"
    "  oddport --all-flows -f 'tcp port 443' day1.pcap day2.pcap\n"
    "  oddport --format csv --services-only -o services.csv capture.pcapng\n"
    "  oddport --services captures/site-services.example capture.pcap\n"
    "\n"
    "See oddport(1) for more.\n";

/* GOption writes "[OPTION…]" with a Unicode ellipsis, which a C locale prints as '?'. */
static void print_help(GOptionContext *context)
{
    g_autofree char *help = g_option_context_get_help(context, FALSE, NULL);
    GString *text = g_string_new(help);
    const char *ellipsis = "[OPTION\xe2\x80\xa6]";
    const char *found = strstr(text->str, ellipsis);
    if (found != NULL) {
        gssize position = found - text->str;
        g_string_erase(text, position, (gssize)strlen(ellipsis));
        g_string_insert(text, position, "[OPTION...]");
    }
    fputs(text->str, stdout);
    g_string_free(text, TRUE);
}

static int parse_options(int argc, char **argv, Options *options)
{
    /* Descriptions stay within 80 columns: GOption does not wrap them. */
    GOptionEntry report_entries[] = {
        {"format", 0, 0, G_OPTION_ARG_STRING, &options->format,
         "Report format: text (default), json or csv", "FORMAT"},
        {"output", 'o', 0, G_OPTION_ARG_FILENAME, &options->output_path,
         "Write the report to FILE, not standard output", "FILE"},
        {"all-flows", 0, 0, G_OPTION_ARG_NONE, &options->all_flows,
         "Text: add a table of every flow", NULL},
        {"services-only", 0, 0, G_OPTION_ARG_NONE, &options->services_only,
         "Text: only the services; CSV: a row per service", NULL},
        {"top", 0, 0, G_OPTION_ARG_INT64, &options->top,
         "Text: at most N rows per table, then '+N more'", "N"},
        {"color", 0, 0, G_OPTION_ARG_STRING, &options->color_name,
         "Text: auto (on a terminal), always or never", "WHEN"},
        G_OPTION_ENTRY_NULL,
    };
    GOptionEntry input_entries[] = {
        {"filter", 'f', 0, G_OPTION_ARG_STRING, &options->filter,
         "Only packets matching a libpcap filter", "BPF"},
        {"services", 0, 0, G_OPTION_ARG_FILENAME, &options->services_path,
         "Site rules: ports where an app is expected", "FILE"},
        {"max-flows", 0, 0, G_OPTION_ARG_INT64, &options->max_flows,
         "Open flows kept at once (500000; 0: no bound)", "N"},
        G_OPTION_ENTRY_NULL,
    };
    /* GOption collects the remaining arguments only through the main group. */
    GOptionEntry capture_entries[] = {
        {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &options->captures, NULL, NULL},
        G_OPTION_ENTRY_NULL,
    };
    GOptionEntry general_entries[] = {
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
    g_option_context_set_summary(
        context, "Find HTTP, TLS and SSH services on non-standard ports in pcap and pcapng\n"
                 "captures. CAPTURE may be '-' for standard input; several captures are\n"
                 "read in the order given, like rotated files.");
    g_option_context_set_description(context, help_description);
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

    GError *error = NULL;
    if (!g_option_context_parse(context, &argc, &argv, &error)) {
        int status = usage_error(context, error->message);
        g_error_free(error);
        return status;
    }
    if (options->show_help) {
        print_help(context);
        g_option_context_free(context);
        return EXIT_OK;
    }
    if (options->show_version) {
        printf("oddport %s\n", ODDPORT_VERSION);
        g_option_context_free(context);
        return EXIT_OK;
    }
    if (options->format == NULL)
        options->format = g_strdup("text");
    if (strcmp(options->format, "text") != 0 && strcmp(options->format, "json") != 0 &&
        strcmp(options->format, "csv") != 0) {
        g_autofree char *message =
            g_strdup_printf("unknown format '%s' (expected text, json or csv)", options->format);
        return usage_error(context, message);
    }
    if (options->color_name == NULL || strcmp(options->color_name, "auto") == 0) {
        options->color = COLOR_AUTO;
    } else if (strcmp(options->color_name, "always") == 0) {
        options->color = COLOR_ALWAYS;
    } else if (strcmp(options->color_name, "never") == 0) {
        options->color = COLOR_NEVER;
    } else {
        g_autofree char *message = g_strdup_printf(
            "unknown colour mode '%s' (expected auto, always or never)", options->color_name);
        return usage_error(context, message);
    }
    if (options->top < 0)
        return usage_error(context, "--top needs a number of rows, 0 or more");
    if (options->max_flows < 0)
        return usage_error(context, "--max-flows needs a number of flows, 0 or more");
    if (options->services_only && strcmp(options->format, "json") == 0)
        return usage_error(context, "--services-only is for the text and csv formats (the JSON "
                                    "report always holds the services)");
    if (options->services_only && options->all_flows)
        return usage_error(context, "--services-only and --all-flows exclude each other");
    if (options->captures == NULL || options->captures[0] == NULL)
        return usage_error(context, "no capture given");
    g_option_context_free(context);
    return -1;
}

/* Colour needs a terminal that understands it: NO_COLOR (https://no-color.org) and TERM=dumb
 * turn it off unless --color=always asks for it anyway. */
static bool use_color(ColorMode mode, FILE *output)
{
    if (mode != COLOR_AUTO)
        return mode == COLOR_ALWAYS;
    const char *no_color = g_getenv("NO_COLOR");
    if (no_color != NULL && no_color[0] != '\0')
        return false;
    const char *terminal = g_getenv("TERM");
    if (terminal != NULL && strcmp(terminal, "dumb") == 0)
        return false;
    return isatty(fileno(output)) == 1;
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

/* Called by the engine every 65536 packets: reading the clock here, not per packet, keeps the
 * cost far below a percent, and the line is redrawn at most four times a second. */
static void show_progress(const OddportCaptureReader *reader, uint64_t packets, void *data)
{
    Progress *progress = data;
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
    if (!progress->visible)
        return;
    fputs("\r\033[K", stderr);
    fflush(stderr);
    progress->visible = false;
}

/* Stands between the engine and a streaming report: a JSON or CSV report on the same terminal
 * would otherwise write its rows over the progress line. The next progress call redraws it. */
static void flow_sink_under_progress(const OddportFlowReport *flow, void *data)
{
    Progress *progress = data;
    clear_progress(progress);
    progress->report_sink(flow, progress->report_data);
}

/* The run's warnings, which the report carries too, for whoever watches the terminal. */
static void warn_about_limits(const OddportSummary *summary)
{
    for (guint index = 0; index < summary->warnings->len; index++)
        fprintf(stderr, "oddport: warning: %s\n",
                (const char *)g_ptr_array_index(summary->warnings, index));
}

int main(int argc, char **argv)
{
    Options options = {.max_flows = ODDPORT_DEFAULT_MAX_FLOWS};
    int status = parse_options(argc, argv, &options);
    if (status >= 0) {
        options_clear(&options);
        return status;
    }

    g_autoptr(OddportPortRules) rules = oddport_port_rules_new();
    GError *error = NULL;
    if (options.services_path != NULL &&
        !oddport_port_rules_load_file(rules, options.services_path, &error)) {
        fprintf(stderr, "oddport: %s\n", error->message);
        g_error_free(error);
        options_clear(&options);
        return EXIT_USAGE;
    }

    FILE *output = stdout;
    if (options.output_path != NULL && strcmp(options.output_path, "-") != 0) {
        output = fopen(options.output_path, "w");
        if (output == NULL) {
            fprintf(stderr, "oddport: %s: cannot write the report: %s\n", options.output_path,
                    g_strerror(errno));
            options_clear(&options);
            return EXIT_USAGE;
        }
    }

    OddportJsonReport *json_report = NULL;
    OddportCsvReport *csv_report = NULL;
    OddportTextReport *text_report = NULL;
    Progress progress = {.after_us = progress_after_us()};
    if (strcmp(options.format, "json") == 0) {
        json_report = oddport_json_report_begin(output);
        progress.report_sink = oddport_json_report_add_flow;
        progress.report_data = json_report;
    } else if (strcmp(options.format, "csv") == 0) {
        csv_report = oddport_csv_report_begin(output, options.services_only);
        progress.report_sink = oddport_csv_report_add_flow;
        progress.report_data = csv_report;
    } else {
        OddportTextOptions text_options = {
            .all_flows = options.all_flows,
            .services_only = options.services_only,
            .color = use_color(options.color, output),
            .top = (uint64_t)options.top,
        };
        text_report = oddport_text_report_new(&text_options);
        progress.report_sink = oddport_text_report_add_flow;
        progress.report_data = text_report;
    }

    /* Progress is for a person watching: never in a pipe or a file, never with -q. */
    bool show = !options.quiet && isatty(STDERR_FILENO) == 1;
    /* Only a report streamed to the terminal itself can collide with the line. */
    bool streams_to_terminal = text_report == NULL && isatty(fileno(output)) == 1;
    OddportEngine *engine =
        show && streams_to_terminal
            ? oddport_engine_new(rules, flow_sink_under_progress, &progress)
            : oddport_engine_new(rules, progress.report_sink, progress.report_data);
    if (show)
        oddport_engine_set_progress(engine, show_progress, &progress);
    oddport_engine_set_max_flows(engine, (uint64_t)options.max_flows);

    int exit_status = EXIT_OK;
    if (options.filter != NULL && !oddport_engine_set_filter(engine, options.filter, &error)) {
        fprintf(stderr, "oddport: %s\n", error->message);
        g_clear_error(&error);
        exit_status = EXIT_USAGE;
    }
    for (char **path = options.captures; exit_status != EXIT_USAGE && *path != NULL; path++) {
        progress.path = *path;
        progress.started_us = g_get_monotonic_time();
        bool read = oddport_engine_read_capture(engine, *path, &error);
        clear_progress(&progress);
        if (!read) {
            fprintf(stderr, "oddport: %s: %s\n", *path, error->message);
            g_clear_error(&error);
            exit_status = EXIT_UNREADABLE_CAPTURE;
            continue;
        }
        const OddportSummary *summary = oddport_engine_summary(engine);
        const OddportCaptureSummary *capture =
            g_ptr_array_index(summary->captures, summary->captures->len - 1);
        for (guint index = 0; !options.quiet && index < capture->warnings->len; index++)
            fprintf(stderr, "oddport: %s: warning: %s\n", *path,
                    (const char *)g_ptr_array_index(capture->warnings, index));
    }
    oddport_engine_finish(engine);
    if (!options.quiet)
        warn_about_limits(oddport_engine_summary(engine));

    bool written;
    if (json_report != NULL)
        written = oddport_json_report_end(json_report, engine);
    else if (csv_report != NULL)
        written = oddport_csv_report_end(csv_report, engine);
    else
        written = oddport_text_report_write(text_report, engine, output);
    oddport_text_report_free(text_report);
    oddport_engine_free(engine);
    if (output != stdout && fclose(output) != 0)
        written = false;
    if (!written) {
        fprintf(stderr, "oddport: %s: write error: %s\n",
                options.output_path != NULL ? options.output_path : "standard output",
                g_strerror(errno));
        if (exit_status == EXIT_OK)
            exit_status = EXIT_UNREADABLE_CAPTURE;
    }
    options_clear(&options);
    return exit_status;
}
