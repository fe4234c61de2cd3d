/* The report options oddport and oddport merge both take: which a format takes, and colour. */
#ifndef ODDPORT_REPORT_OPTIONS_H
#define ODDPORT_REPORT_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <glib.h>

#include "oddport/report.h"

/* --color: auto (on a terminal, unless NO_COLOR or TERM=dumb), always or never. */
typedef enum {
    ODDPORT_COLOR_AUTO,
    ODDPORT_COLOR_ALWAYS,
    ODDPORT_COLOR_NEVER,
} OddportColorMode;

/* The mode `name` names (NULL: auto); false for any other word. */
bool oddport_color_mode_parse(const char *name, OddportColorMode *mode);

/* Whether a report written to `output` is coloured under `mode`. */
bool oddport_color_wanted(OddportColorMode mode, FILE *output);

/* Why `format` cannot take these options as given (--services-only, --all-flows, --top), as
 * one line for a usage error, or NULL when it can (transfer full: g_free). */
char *oddport_report_options_refusal(const OddportReportFormat *format, bool services_only,
                                     bool all_flows, uint64_t top);

/* Prints `context`'s help on standard output, every group at once, with "[OPTION...]" for
 * GLib's "[OPTION…]" (or "[OPTION?]" where the locale has no ellipsis). For oddport and oddport
 * merge alike, which turn GLib's own --help off. */
void oddport_print_help(GOptionContext *context);

#endif
