/* Which report options a format takes, and whether to colour: checked alike by oddport and
 * oddport merge. */
#include "report-options.h"

#include <string.h>
#include <unistd.h>

bool oddport_color_mode_parse(const char *name, OddportColorMode *mode)
{
    if (name == NULL || strcmp(name, "auto") == 0)
        *mode = ODDPORT_COLOR_AUTO;
    else if (strcmp(name, "always") == 0)
        *mode = ODDPORT_COLOR_ALWAYS;
    else if (strcmp(name, "never") == 0)
        *mode = ODDPORT_COLOR_NEVER;
    else
        return false;
    return true;
}

/* Colour needs a terminal that understands it: NO_COLOR (https://no-color.org) and TERM=dumb
 * turn it off unless --color=always asks for it anyway. */
bool oddport_color_wanted(OddportColorMode mode, FILE *output)
{
    if (mode != ODDPORT_COLOR_AUTO)
        return mode == ODDPORT_COLOR_ALWAYS;
    const char *no_color = g_getenv("NO_COLOR");
    if (no_color != NULL && no_color[0] != '\0')
        return false;
    const char *terminal = g_getenv("TERM");
    if (terminal != NULL && strcmp(terminal, "dumb") == 0)
        return false;
    return isatty(fileno(output)) == 1;
}

static bool supports_services_only(const OddportReportFormat *format)
{
    return format->supports_services_only;
}

/* A format that lists every flow anyway takes --all-flows as asking for nothing more. */
static bool accepts_all_flows(const OddportReportFormat *format)
{
    return format->supports_all_flows || format->lists_every_flow;
}

static bool supports_top(const OddportReportFormat *format)
{
    return format->supports_top;
}

/* "text and csv": the formats that have a capability, for usage errors (transfer full). */
static char *format_names_where(bool (*has)(const OddportReportFormat *format))
{
    GString *text = g_string_new(NULL);
    size_t listed = 0;
    size_t total = 0;
    for (size_t index = 0; index < oddport_report_format_count; index++)
        total += has(oddport_report_formats[index]);
    for (size_t index = 0; index < oddport_report_format_count; index++) {
        if (!has(oddport_report_formats[index]))
            continue;
        if (listed > 0)
            g_string_append(text, listed + 1 == total ? " and " : ", ");
        g_string_append(text, oddport_report_formats[index]->name);
        listed++;
    }
    return g_string_free(text, FALSE);
}

char *oddport_report_options_refusal(const OddportReportFormat *format, bool services_only,
                                     bool all_flows, uint64_t top)
{
    if (services_only && !supports_services_only(format)) {
        g_autofree char *names = format_names_where(supports_services_only);
        return g_strdup_printf("--services-only is for the %s formats, not %s", names,
                               format->name);
    }
    if (all_flows && !accepts_all_flows(format)) {
        g_autofree char *names = format_names_where(accepts_all_flows);
        return g_strdup_printf("--all-flows is for the %s formats, not %s", names, format->name);
    }
    /* Every row of the other formats is there for scripts: a bound would be taken for the
     * whole. --top 0 asks for every row, which they give. */
    if (top > 0 && !supports_top(format)) {
        g_autofree char *names = format_names_where(supports_top);
        return g_strdup_printf("--top is for the %s formats, not %s, which list every row", names,
                               format->name);
    }
    if (services_only && all_flows)
        return g_strdup("--services-only and --all-flows exclude each other");
    return NULL;
}

void oddport_print_help(GOptionContext *context)
{
    g_autofree char *help = g_option_context_get_help(context, FALSE, NULL);
    GString *text = g_string_new(help);
    static const char *const ellipses[] = {"[OPTION\xe2\x80\xa6]", "[OPTION?]"};
    for (size_t index = 0; index < G_N_ELEMENTS(ellipses); index++) {
        const char *found = strstr(text->str, ellipses[index]);
        if (found == NULL)
            continue;
        gssize position = found - text->str;
        g_string_erase(text, position, (gssize)strlen(ellipses[index]));
        g_string_insert(text, position, "[OPTION...]");
    }
    fputs(text->str, stdout);
    g_string_free(text, TRUE);
}
