/* The HTML report's charts: inline SVG drawn from the tally's counts and service rows. */
#ifndef ODDPORT_HTML_CHARTS_H
#define ODDPORT_HTML_CHARTS_H

#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#include "oddport/tally.h"

/* Each appends one <figure> holding an <svg role="img"> with a title, and a caption that says
 * what the chart leaves out. Every text from a service is escaped; coordinates are whole
 * numbers, so no locale can put a comma in them. The page's tables hold the same numbers for
 * readers who cannot see the charts. */

/* Flows and bytes per server port class, each class named with its port range. */
void oddport_html_chart_port_classes(GString *out, const OddportFlowCounts *counts);

/* Per app, flows on its standard ports and on others. */
void oddport_html_chart_apps(GString *out, const OddportFlowCounts *counts);

/* Server ports on a log axis from 1 to 65535 with the three classes shaded, one mark per service
 * (`services`: the tally's rows, transfer none) sized by bytes and coloured by app, in one lane
 * per app, the non-standard ones outlined and labelled. Unrecognised services are drawn only
 * where a server spoke, so a scan does not fill the map. Past `max_marks` services the marks are
 * merged per app, port and transport, and past that again only the largest are drawn. */
void oddport_html_chart_port_map(GString *out, const GPtrArray *services, size_t max_marks);

/* When each service on a non-standard port was active: a bar from its first to its last packet
 * on the run's time axis, coloured by severity, at most `max_rows` rows in the tally's order
 * (most severe first). */
void oddport_html_chart_timeline(GString *out, const GPtrArray *services, size_t max_rows,
                                 bool with_date);

#endif
