/* The oddport command: options, the run over each capture, the report, and exit codes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "oddport/engine.h"
#include "oddport/report.h"

enum {
    EXIT_OK = 0,
    EXIT_UNREADABLE_CAPTURE = 1,
    EXIT_USAGE = 2,
};

typedef struct {
    char *format;
    char *output_path;
    char *filter;
    char *services_path;
    gboolean all_flows;
    gboolean quiet;
    gboolean show_version;
    char **captures;
} Options;

static void options_clear(Options *options)
{
    g_free(options->format);
    g_free(options->output_path);
    g_free(options->filter);
    g_free(options->services_path);
    g_strfreev(options->captures);
}

static int usage_error(GOptionContext *context, const char *message)
{
    fprintf(stderr, "oddport: %s\n", message);
    fprintf(stderr, "Try 'oddport --help' for more information.\n");
    g_option_context_free(context);
    return EXIT_USAGE;
}

static int parse_options(int argc, char **argv, Options *options)
{
    GOptionEntry report_entries[] = {
        {"format", 0, 0, G_OPTION_ARG_STRING, &options->format,
         "Report format: text (default) or json", "FORMAT"},
        {"output", 'o', 0, G_OPTION_ARG_FILENAME, &options->output_path,
         "Write the report to FILE instead of standard output", "FILE"},
        {"all-flows", 0, 0, G_OPTION_ARG_NONE, &options->all_flows,
         "Text report: list every flow, not only the services found", NULL},
        {"quiet", 'q', 0, G_OPTION_ARG_NONE, &options->quiet, "Print no warnings on stderr",
         NULL},
        {"version", 0, 0, G_OPTION_ARG_NONE, &options->show_version, "Print the version and exit",
         NULL},
        {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &options->captures, NULL,
         NULL},
        G_OPTION_ENTRY_NULL,
    };
    GOptionEntry input_entries[] = {
        {"filter", 'f', 0, G_OPTION_ARG_STRING, &options->filter,
         "Only packets matching this BPF expression (libpcap syntax), in every capture", "BPF"},
        {"services", 0, 0, G_OPTION_ARG_FILENAME, &options->services_path,
         "Site rules: ports where an app is expected, one 'APP PORT[/tcp|/udp]' per line",
         "FILE"},
        G_OPTION_ENTRY_NULL,
    };
    GOptionContext *context = g_option_context_new("CAPTURE...");
    g_option_context_set_summary(
        context, "Find HTTP, TLS and SSH services on non-standard ports in pcap and pcapng\n"
                 "captures. CAPTURE may be '-' for standard input; several captures are\n"
                 "read in the order given, like rotated files.");
    g_option_context_set_description(
        context, "Exit status: 0 success (also when a capture ends truncated: what was read is\n"
                 "reported), 1 when a capture cannot be read at all, 2 on usage errors.\n");
    g_option_context_add_main_entries(context, report_entries, NULL);
    GOptionGroup *input_group =
        g_option_group_new("input", "Input options:", "Show input options", NULL, NULL);
    g_option_group_add_entries(input_group, input_entries);
    g_option_context_add_group(context, input_group);

    GError *error = NULL;
    if (!g_option_context_parse(context, &argc, &argv, &error)) {
        int status = usage_error(context, error->message);
        g_error_free(error);
        return status;
    }
    if (options->show_version) {
        g_option_context_free(context);
        return EXIT_OK;
    }
    if (options->format == NULL)
        options->format = g_strdup("text");
    if (strcmp(options->format, "text") != 0 && strcmp(options->format, "json") != 0) {
        g_autofree char *message =
            g_strdup_printf("unknown format '%s' (expected text or json)", options->format);
        return usage_error(context, message);
    }
    if (options->captures == NULL || options->captures[0] == NULL)
        return usage_error(context, "no capture given");
    g_option_context_free(context);
    return -1;
}

int main(int argc, char **argv)
{
    Options options = {0};
    int status = parse_options(argc, argv, &options);
    if (status >= 0) {
        if (options.show_version)
            printf("oddport %s\n", ODDPORT_VERSION);
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

    bool json = strcmp(options.format, "json") == 0;
    OddportJsonReport *json_report = NULL;
    OddportTextReport *text_report = NULL;
    OddportEngine *engine;
    if (json) {
        json_report = oddport_json_report_begin(output);
        engine = oddport_engine_new(rules, oddport_json_report_add_flow, json_report);
    } else {
        OddportTextOptions text_options = {.all_flows = options.all_flows};
        text_report = oddport_text_report_new(&text_options);
        engine = oddport_engine_new(rules, oddport_text_report_add_flow, text_report);
    }

    int exit_status = EXIT_OK;
    if (options.filter != NULL && !oddport_engine_set_filter(engine, options.filter, &error)) {
        fprintf(stderr, "oddport: %s\n", error->message);
        g_clear_error(&error);
        exit_status = EXIT_USAGE;
    }
    for (char **path = options.captures; exit_status != EXIT_USAGE && *path != NULL; path++) {
        if (!oddport_engine_read_capture(engine, *path, &error)) {
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

    bool written;
    if (json)
        written = oddport_json_report_end(json_report, engine);
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
