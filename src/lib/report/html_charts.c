/* Inline SVG charts for the HTML report: port classes, apps, the port map and the timeline. */
#include "html_charts.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "html_text.h"
#include "oddport/report.h"

/* The viewBox width every chart is drawn in; the page scales it to the column. */
#define CHART_WIDTH 960

/* "flow" or "flows", after a count of them. */
static const char *flows_noun(uint64_t count)
{
    return count == 1 ? "flow" : "flows";
}
/* The width of the charts that share a row, so their text is as large as the wide ones'. */
#define HALF_CHART_WIDTH 480

static void append_figure_start(GString *out, const char *id, const char *title, bool wide)
{
    g_string_append_printf(out, "<figure id=\"%s\"%s>\n", id, wide ? " class=\"wide\"" : "");
    g_string_append_printf(out, "<h3 id=\"%s-title\">%s</h3>\n", id, title);
}

static void append_svg_start(GString *out, const char *id, int width, int height)
{
    g_string_append_printf(out,
                           "<svg viewBox=\"0 0 %d %d\" role=\"img\" aria-labelledby=\"%s-title\" "
                           "xmlns=\"http://www.w3.org/2000/svg\">\n",
                           width, height, id);
}

static int scaled(uint64_t value, uint64_t maximum, int length)
{
    if (maximum == 0)
        return 0;
    return (int)lround((double)value / (double)maximum * length);
}

/* A text element at (x, y); `text` is oddport's own or already escaped. */
static void append_text(GString *out, int x, int y, const char *anchor, const char *class_name,
                        const char *text)
{
    g_string_append_printf(out, "<text x=\"%d\" y=\"%d\"", x, y);
    if (anchor != NULL)
        g_string_append_printf(out, " text-anchor=\"%s\"", anchor);
    if (class_name != NULL)
        g_string_append_printf(out, " class=\"%s\"", class_name);
    g_string_append_printf(out, ">%s</text>\n", text);
}

void oddport_html_chart_port_classes(GString *out, const OddportFlowCounts *counts)
{
    const int label_width = 150;
    const int bar_width = 150;
    const int column_gap = 20;
    const int row_height = 44;
    const int top = 30;
    int height = top + ODDPORT_PORT_CLASS_COUNT * row_height + 10;
    uint64_t most_flows = 0;
    uint64_t most_bytes = 0;
    for (unsigned port_class = 0; port_class < ODDPORT_PORT_CLASS_COUNT; port_class++) {
        most_flows = MAX(most_flows, counts->port_classes[port_class].flows);
        most_bytes = MAX(most_bytes, counts->port_classes[port_class].bytes);
    }
    append_figure_start(out, "chart-port-classes", "Flows and bytes by server port class", false);
    append_svg_start(out, "chart-port-classes", HALF_CHART_WIDTH, height);
    int flows_left = label_width;
    int bytes_left = label_width + bar_width + column_gap;
    append_text(out, flows_left, 16, NULL, "label", "flows");
    append_text(out, bytes_left, 16, NULL, "label", "bytes");
    for (unsigned port_class = 0; port_class < ODDPORT_PORT_CLASS_COUNT; port_class++) {
        const OddportTrafficCount *count = &counts->port_classes[port_class];
        int y = top + (int)port_class * row_height;
        const char *name = oddport_port_class_name((OddportPortClass)port_class);
        const char *range = oddport_port_class_range((OddportPortClass)port_class);
        g_autofree char *label = g_strdup_printf("%s (ports %s)", name, range);
        append_text(out, label_width - 8, y + 14, "end", "label", name);
        g_autofree char *ports = g_strdup_printf("ports %s", range);
        append_text(out, label_width - 8, y + 28, "end", "quiet", ports);
        char flows[ODDPORT_HUMAN_TEXT_MAX];
        char bytes[ODDPORT_HUMAN_TEXT_MAX];
        oddport_format_count(count->flows, flows);
        oddport_format_bytes(count->bytes, bytes);
        int flows_length = scaled(count->flows, most_flows, bar_width - 60);
        int bytes_length = scaled(count->bytes, most_bytes, bar_width - 60);
        g_string_append_printf(out,
                               "<rect class=\"bar class-bar\" data-class=\"%s\" x=\"%d\" y=\"%d\" "
                               "width=\"%d\" height=\"28\"><title>%s: %s %s</title></rect>\n",
                               oddport_port_class_name((OddportPortClass)port_class), flows_left,
                               y + 2, flows_length, label, flows, flows_noun(count->flows));
        append_text(out, flows_left + flows_length + 6, y + 21, NULL, NULL, flows);
        g_string_append_printf(out,
                               "<rect class=\"bar class-bar\" x=\"%d\" y=\"%d\" width=\"%d\" "
                               "height=\"28\"><title>%s: %s</title></rect>\n",
                               bytes_left, y + 2, bytes_length, label, bytes);
        append_text(out, bytes_left + bytes_length + 6, y + 21, NULL, NULL, bytes);
    }
    g_string_append(out, "</svg>\n<figcaption>By the server's port: well-known 0&ndash;1023, "
                         "registered 1024&ndash;49151, ephemeral 49152&ndash;65535 (IANA, RFC "
                         "6335).</figcaption>\n</figure>\n");
}

void oddport_html_chart_apps(GString *out, const OddportFlowCounts *counts)
{
    const int label_width = 70;
    const int bar_width = 220;
    const int row_height = 40;
    const int top = 10;
    int height = top + ODDPORT_APP_COUNT * row_height + 10;
    uint64_t most_flows = 0;
    for (size_t app = 0; app < ODDPORT_APP_COUNT; app++)
        most_flows = MAX(most_flows, counts->apps[app].flows);
    append_figure_start(out, "chart-apps", "Flows per app, on standard and non-standard ports",
                        false);
    g_string_append(out, "<ul class=\"legend\"><li class=\"standard\">standard port</li>"
                         "<li class=\"nonstandard\">non-standard port</li>"
                         "<li class=\"app-unknown\">not recognised</li></ul>\n");
    append_svg_start(out, "chart-apps", HALF_CHART_WIDTH, height);
    for (size_t index = 0; index < ODDPORT_APP_COUNT; index++) {
        OddportApp app = oddport_app_in_report_order(index);
        const OddportAppCount *count = &counts->apps[app];
        const char *name = oddport_app_name(app);
        int y = top + (int)index * row_height;
        append_text(out, label_width - 10, y + 20, "end", "label", name);
        char flows[ODDPORT_HUMAN_TEXT_MAX];
        char standard[ODDPORT_HUMAN_TEXT_MAX];
        char nonstandard[ODDPORT_HUMAN_TEXT_MAX];
        oddport_format_count(count->flows, flows);
        oddport_format_count(count->flows - count->nonstandard_flows, standard);
        oddport_format_count(count->nonstandard_flows, nonstandard);
        int whole = scaled(count->flows, most_flows, bar_width);
        if (app == ODDPORT_APP_UNKNOWN) {
            g_string_append_printf(out,
                                   "<rect class=\"bar app-unknown\" x=\"%d\" y=\"%d\" width=\"%d\" "
                                   "height=\"26\"><title>%s: %s %s</title></rect>\n",
                                   label_width, y + 3, whole, name, flows,
                                   flows_noun(count->flows));
            g_autofree char *value = g_strdup_printf("%s %s", flows, flows_noun(count->flows));
            append_text(out, label_width + whole + 6, y + 21, NULL, NULL, value);
            continue;
        }
        int odd = scaled(count->nonstandard_flows, most_flows, bar_width);
        int usual = whole - odd;
        g_string_append_printf(out,
                               "<rect class=\"bar standard\" data-app=\"%s\" x=\"%d\" y=\"%d\" "
                               "width=\"%d\" height=\"26\"><title>%s on standard ports: %s "
                               "%s</title></rect>\n",
                               name, label_width, y + 3, usual, name, standard,
                               flows_noun(count->flows - count->nonstandard_flows));
        g_string_append_printf(out,
                               "<rect class=\"bar nonstandard\" data-app=\"%s\" x=\"%d\" y=\"%d\" "
                               "width=\"%d\" height=\"26\"><title>%s on non-standard ports: %s "
                               "%s</title></rect>\n",
                               name, label_width + usual, y + 3, odd, name, nonstandard,
                               flows_noun(count->nonstandard_flows));
        g_autofree char *value = g_strdup_printf("%s + %s", standard, nonstandard);
        append_text(out, label_width + whole + 6, y + 21, NULL, NULL, value);
    }
    g_string_append(out, "</svg>\n<figcaption>An app's standard ports are its IANA ports and any "
                         "site rules; unrecognised traffic has none.</figcaption>\n</figure>\n");
}

/* One mark of the port map: a service, or services merged when there are too many. */
typedef struct {
    OddportApp app;
    uint16_t port;
    OddportTransport transport;
    bool nonstandard;
    OddportSeverity severity;
    uint64_t flows;
    uint64_t bytes;
    uint64_t services;
    OddportAddress address; /* of the one service, when `services` is 1 */
    unsigned lane_offset;   /* spreads marks of one port within the lane */
} PortMark;

static bool drawn_on_port_map(const OddportService *service)
{
    return service->app != ODDPORT_APP_UNKNOWN || service->server_spoke_flows > 0;
}

static int compare_marks_by_bytes(const void *first, const void *second)
{
    const PortMark *a = first;
    const PortMark *b = second;
    if (a->bytes != b->bytes)
        return a->bytes > b->bytes ? -1 : 1;
    if (a->port != b->port)
        return a->port < b->port ? -1 : 1;
    return (int)a->app - (int)b->app;
}

/* The key of a merged mark: app, transport, port and whether it is non-standard. */
static uint64_t merge_key(const OddportService *service)
{
    return ((uint64_t)service->app << 24) | ((uint64_t)service->transport << 17) |
           ((uint64_t)service->nonstandard << 16) | service->port;
}

/* The marks to draw and whether services were merged into them. */
static GArray *collect_marks(const GPtrArray *services, size_t max_marks, bool *merged)
{
    GArray *marks = g_array_new(FALSE, TRUE, sizeof(PortMark));
    size_t eligible = 0;
    for (guint index = 0; index < services->len; index++)
        eligible += drawn_on_port_map(g_ptr_array_index(services, index));
    *merged = eligible > max_marks;
    GHashTable *merged_marks = *merged ? g_hash_table_new(g_int64_hash, g_int64_equal) : NULL;
    GArray *keys = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    if (*merged)
        g_array_set_size(keys, (guint)eligible);
    size_t next_key = 0;
    for (guint index = 0; index < services->len; index++) {
        const OddportService *service = g_ptr_array_index(services, index);
        if (!drawn_on_port_map(service))
            continue;
        PortMark *mark = NULL;
        if (*merged) {
            uint64_t *key = &g_array_index(keys, uint64_t, next_key++);
            *key = merge_key(service);
            gpointer position;
            if (g_hash_table_lookup_extended(merged_marks, key, NULL, &position)) {
                mark = &g_array_index(marks, PortMark, GPOINTER_TO_UINT(position));
            } else {
                g_hash_table_insert(merged_marks, key, GUINT_TO_POINTER(marks->len));
                g_array_set_size(marks, marks->len + 1);
                mark = &g_array_index(marks, PortMark, marks->len - 1);
            }
        } else {
            g_array_set_size(marks, marks->len + 1);
            mark = &g_array_index(marks, PortMark, marks->len - 1);
        }
        if (mark->services == 0) {
            mark->app = service->app;
            mark->port = service->port;
            mark->transport = service->transport;
            mark->nonstandard = service->nonstandard;
            mark->severity = service->severity;
            mark->address = service->address;
        }
        mark->flows += service->flows;
        mark->bytes += service->bytes;
        mark->services++;
    }
    if (merged_marks != NULL)
        g_hash_table_destroy(merged_marks);
    g_array_free(keys, TRUE);
    g_array_sort(marks, compare_marks_by_bytes);
    return marks;
}

/* The x of a port on the log axis: 1 (and 0) at the left edge, 65535 at the right. */
static int port_x(uint16_t port, int left, int width)
{
    double position = log10(port < 1 ? 1.0 : (double)port) / log10(65535.0);
    return left + (int)lround(position * width);
}

static void append_port_tick(GString *out, uint16_t port, int left, int width, int top, int bottom,
                             int label_y, const char *anchor)
{
    int x = port_x(port, left, width);
    g_string_append_printf(out,
                           "<g class=\"tick\"><line class=\"grid\" x1=\"%d\" y1=\"%d\" x2=\"%d\" "
                           "y2=\"%d\"/><text x=\"%d\" y=\"%d\" text-anchor=\"%s\">%u</text></g>\n",
                           x, top, x, bottom, x, label_y, anchor, port);
}

/* What a label must keep off: a label put before it, or a mark it is not about. */
typedef struct {
    int left;
    int right;
    int top;
    int bottom;
} ChartBox;

#define LABEL_HEIGHT    12
#define LABEL_DESCENT   3 /* below the baseline, for letters such as p */
#define LABEL_CHARACTER 7 /* about the width of one character of a label, in chart units */

static bool overlaps_any(const GArray *boxes, const ChartBox *candidate, int except)
{
    for (guint index = 0; index < boxes->len; index++) {
        const ChartBox *box = &g_array_index(boxes, ChartBox, index);
        if ((int)index != except && candidate->left < box->right && box->left < candidate->right &&
            candidate->top < box->bottom && box->top < candidate->bottom)
            return true;
    }
    return false;
}

/* A mark that wants a label, kept until every mark is drawn: a label is placed knowing all the
 * marks, not only the larger ones drawn before it. */
typedef struct {
    int x;
    int y;
    int radius;
    guint mark; /* its index among the marks' boxes */
    char text[32];
} LabelWish;

/* Places a label on its mark: above it, below it, right of it, left of it, then further up and
 * down, the first place that covers no other label and no other mark. The text anchor of the
 * place found is set in `anchor`; false when every place is taken (the label is left out, the
 * mark's own tooltip still names it). */
static bool place_label(GArray *labels, const GArray *marks, const LabelWish *wish, int top, int *x,
                        int *baseline, const char **anchor)
{
    int width = (int)strlen(wish->text) * LABEL_CHARACTER;
    int half = width / 2;
    int above = wish->y - wish->radius - LABEL_DESCENT;
    int below = wish->y + wish->radius + LABEL_HEIGHT;
    int middle = wish->y + 4;
    int side = wish->radius + 4;
    const struct {
        int x;
        int baseline;
        int left;
        const char *anchor;
    } places[] = {
        {wish->x, above, wish->x - half, "middle"},
        {wish->x, below, wish->x - half, "middle"},
        {wish->x + side, middle, wish->x + side, "start"},
        {wish->x - side, middle, wish->x - side - width, "end"},
        {wish->x, above - LABEL_HEIGHT, wish->x - half, "middle"},
        {wish->x, below + LABEL_HEIGHT, wish->x - half, "middle"},
        {wish->x, above - 2 * LABEL_HEIGHT, wish->x - half, "middle"},
    };
    for (size_t index = 0; index < G_N_ELEMENTS(places); index++) {
        ChartBox box = {places[index].left, places[index].left + width,
                        places[index].baseline - LABEL_HEIGHT + LABEL_DESCENT,
                        places[index].baseline + LABEL_DESCENT};
        if (box.top < top - 4 || box.left < 0 || box.right > CHART_WIDTH ||
            overlaps_any(labels, &box, -1) || overlaps_any(marks, &box, (int)wish->mark))
            continue;
        g_array_append_val(labels, box);
        *x = places[index].x;
        *baseline = places[index].baseline;
        *anchor = places[index].anchor;
        return true;
    }
    return false;
}

void oddport_html_chart_port_map(GString *out, const GPtrArray *services, size_t max_marks)
{
    const int left = 70;
    const int right = 20;
    const int top = 44;
    const int lane_height = 70;
    const int width = CHART_WIDTH - left - right;
    const int bottom = top + ODDPORT_APP_COUNT * lane_height;
    const int height = bottom + 44;
    bool merged = false;
    GArray *marks = collect_marks(services, max_marks, &merged);
    size_t drawn = MIN(marks->len, max_marks);
    uint64_t most_bytes = drawn > 0 ? g_array_index(marks, PortMark, 0).bytes : 0;

    append_figure_start(out, "chart-port-map", "Port map: every service by server port", true);
    g_string_append(out, "<ul class=\"legend\">");
    for (size_t index = 0; index < ODDPORT_APP_COUNT; index++) {
        const char *name = oddport_app_name(oddport_app_in_report_order(index));
        g_string_append_printf(out, "<li class=\"app-%s\">%s</li>", name, name);
    }
    g_string_append(out, "</ul>\n");
    append_svg_start(out, "chart-port-map", CHART_WIDTH, height);

    /* The classes, shaded, with their ranges; the ephemeral band is narrow on a log axis, so its
     * label sits above its end. */
    static const uint16_t class_starts[ODDPORT_PORT_CLASS_COUNT + 1] = {1, 1024, 49152, 65535};
    for (unsigned port_class = 0; port_class < ODDPORT_PORT_CLASS_COUNT; port_class++) {
        int start = port_x(class_starts[port_class], left, width);
        int end = port_x(class_starts[port_class + 1], left, width);
        const char *name = oddport_port_class_name((OddportPortClass)port_class);
        g_string_append_printf(out,
                               "<rect class=\"band-%s\" x=\"%d\" y=\"%d\" width=\"%d\" "
                               "height=\"%d\"/>\n",
                               name, start, top, end - start, bottom - top);
        g_autofree char *label =
            g_strdup_printf("%s %s", name, oddport_port_class_range((OddportPortClass)port_class));
        bool last = port_class + 1 == ODDPORT_PORT_CLASS_COUNT;
        append_text(out, last ? end : (start + end) / 2, last ? 14 : 32, last ? "end" : "middle",
                    "label", label);
    }
    static const uint16_t ticks[] = {1, 10, 100, 10000};
    for (size_t index = 0; index < G_N_ELEMENTS(ticks); index++)
        append_port_tick(out, ticks[index], left, width, top, bottom, bottom + 16, "middle");
    append_port_tick(out, 1024, left, width, top, bottom, bottom + 16, "middle");
    append_port_tick(out, 49152, left, width, top, bottom, bottom + 16, "end");
    append_port_tick(out, 65535, left, width, top, bottom, bottom + 30, "end");
    for (size_t index = 1; index < 3; index++) {
        int x = port_x(class_starts[index], left, width);
        g_string_append_printf(
            out, "<line class=\"boundary\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n", x, top - 8,
            x, bottom);
    }
    append_text(out, left + width / 2, height - 2, "middle", "quiet", "server port (log scale)");

    /* One lane per app, named at the left. */
    int lane_of_app[ODDPORT_APP_COUNT];
    for (size_t index = 0; index < ODDPORT_APP_COUNT; index++) {
        OddportApp app = oddport_app_in_report_order(index);
        lane_of_app[app] = (int)index;
        int y = top + (int)index * lane_height;
        if (index > 0)
            g_string_append_printf(
                out, "<line class=\"grid\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n", left, y,
                left + width, y);
        append_text(out, left - 8, y + lane_height / 2 + 4, "end", "label", oddport_app_name(app));
    }

    /* Largest first, so small marks stay visible on top of large ones. */
    /* One label per app and port, however many servers share them. */
    GHashTable *ports_to_label = g_hash_table_new(g_direct_hash, g_direct_equal);
    unsigned labelled = 0;
    GArray *mark_boxes = g_array_new(FALSE, FALSE, sizeof(ChartBox));
    GArray *wishes = g_array_new(FALSE, FALSE, sizeof(LabelWish));
    const unsigned max_labels = 30;
    GString *title = g_string_new(NULL);
    for (size_t index = 0; index < drawn; index++) {
        const PortMark *mark = &g_array_index(marks, PortMark, index);
        const char *app = oddport_app_name(mark->app);
        int x = port_x(mark->port, left, width);
        /* Services on one port spread over the lane by a fixed pattern, the same every run. */
        int spread =
            (int)((mark->address.bytes[15] ^ mark->address.bytes[3] ^ (mark->port >> 3)) % 7) - 3;
        int y = top + lane_of_app[mark->app] * lane_height + lane_height / 2 + spread * 6;
        int radius =
            3 + (int)lround(14.0 *
                            sqrt(most_bytes > 0 ? (double)mark->bytes / (double)most_bytes : 0.0));
        char bytes[ODDPORT_HUMAN_TEXT_MAX];
        char flows[ODDPORT_HUMAN_TEXT_MAX];
        oddport_format_bytes(mark->bytes, bytes);
        oddport_format_count(mark->flows, flows);
        const char *severity = oddport_severity_name(mark->severity);
        g_string_truncate(title, 0);
        if (mark->services == 1) {
            char endpoint[ODDPORT_ENDPOINT_TEXT_MAX];
            oddport_format_endpoint(&mark->address, mark->port, endpoint);
            g_string_append_printf(title, "%s on ", app);
            oddport_html_append_text(title, endpoint);
            g_string_append_printf(title, "/%s", oddport_transport_name(mark->transport));
        } else {
            g_string_append_printf(title, "%s on port %u/%s, %" PRIu64 " services", app, mark->port,
                                   oddport_transport_name(mark->transport), mark->services);
        }
        g_string_append_printf(title, ": %s%s%s %s, %s", severity != NULL ? severity : "",
                               severity != NULL ? ", " : "", flows, flows_noun(mark->flows), bytes);
        g_string_append_printf(out,
                               "<circle class=\"mark app-%s%s\" data-port=\"%u\" data-app=\"%s\" "
                               "cx=\"%d\" cy=\"%d\" r=\"%d\"><title>%s</title></circle>\n",
                               app, mark->nonstandard ? " nonstandard" : "", mark->port, app, x, y,
                               radius, title->str);
        ChartBox mark_box = {x - radius, x + radius, y - radius, y + radius};
        g_array_append_val(mark_boxes, mark_box);
        gpointer label_key = GUINT_TO_POINTER(((unsigned)mark->app << 17) | mark->port);
        if (mark->nonstandard && g_hash_table_add(ports_to_label, label_key)) {
            LabelWish wish = {x, y, radius, mark_boxes->len - 1, ""};
            g_snprintf(wish.text, sizeof wish.text, "%s %u", app, mark->port);
            g_array_append_val(wishes, wish);
        }
    }
    /* Labels last, above every mark, the largest marks' first. */
    GArray *placed = g_array_new(FALSE, FALSE, sizeof(ChartBox));
    for (guint index = 0; index < wishes->len && labelled < max_labels; index++) {
        const LabelWish *wish = &g_array_index(wishes, LabelWish, index);
        int label_x = 0;
        int label_y = 0;
        const char *anchor = NULL;
        if (place_label(placed, mark_boxes, wish, top, &label_x, &label_y, &anchor)) {
            labelled++;
            g_string_append_printf(out,
                                   "<text class=\"label\" x=\"%d\" y=\"%d\" "
                                   "text-anchor=\"%s\">%s</text>\n",
                                   label_x, label_y, anchor, wish->text);
        }
    }
    g_string_append(out, "</svg>\n<figcaption>");
    g_string_append_printf(out,
                           "%zu mark%s, area by bytes; non-standard services outlined and "
                           "labelled by app and port",
                           drawn, drawn == 1 ? "" : "s");
    if (labelled < g_hash_table_size(ports_to_label))
        g_string_append_printf(out,
                               " (%u of %u, the largest where they fit; each mark's tooltip "
                               "names it)",
                               labelled, g_hash_table_size(ports_to_label));
    g_string_append(out, ". Unrecognised traffic only where a server answered.");
    if (merged)
        g_string_append_printf(
            out,
            " More than %zu services: services of one app on one port "
            "are merged into one mark%s.",
            max_marks, marks->len > drawn ? ", and only the largest merged marks are drawn" : "");
    g_string_append(out, "</figcaption>\n</figure>\n");
    g_string_free(title, TRUE);
    g_hash_table_destroy(ports_to_label);
    g_array_free(placed, TRUE);
    g_array_free(wishes, TRUE);
    g_array_free(mark_boxes, TRUE);
    g_array_free(marks, TRUE);
}

void oddport_html_chart_timeline(GString *out, const GPtrArray *services, size_t max_rows,
                                 bool with_date)
{
    const int label_width = 300;
    const int right = 20;
    const int top = 10;
    const int row_height = 20;
    const int plot_width = CHART_WIDTH - label_width - right;
    size_t nonstandard = 0;
    uint64_t first = UINT64_MAX;
    uint64_t last = 0;
    while (nonstandard < services->len) {
        const OddportService *service = g_ptr_array_index(services, nonstandard);
        if (!service->nonstandard)
            break;
        first = MIN(first, service->first_seen_ns);
        last = MAX(last, service->last_seen_ns);
        nonstandard++;
    }
    append_figure_start(out, "chart-timeline",
                        "Timeline: when each service on a non-standard "
                        "port was active",
                        true);
    if (nonstandard == 0) {
        g_string_append(out, "<p class=\"note\">No service on a non-standard port.</p>\n"
                             "</figure>\n");
        return;
    }
    g_string_append(out, "<ul class=\"legend\"><li class=\"severity-masquerade\">masquerade</li>"
                         "<li class=\"severity-unexpected\">unexpected</li>"
                         "<li class=\"severity-alternate\">alternate</li></ul>\n");
    size_t rows = MIN(nonstandard, max_rows);
    int bottom = top + (int)rows * row_height;
    int height = bottom + 30;
    uint64_t span = last > first ? last - first : 1;
    append_svg_start(out, "chart-timeline", CHART_WIDTH, height);
    for (int tick = 0; tick <= 4; tick++) {
        int x = label_width + plot_width * tick / 4;
        uint64_t at = first + (uint64_t)((double)span * tick / 4.0);
        char clock[ODDPORT_TIME_TEXT_MAX + 8];
        oddport_format_clock(at, with_date, clock);
        /* Ticks less than a few seconds apart would all read the same second. */
        if (span < UINT64_C(20) * 1000000000u)
            snprintf(clock + strlen(clock), sizeof clock - strlen(clock), ".%03u",
                     (unsigned)(at % 1000000000u / 1000000u));
        g_string_append_printf(out,
                               "<g class=\"tick\"><line class=\"grid\" x1=\"%d\" y1=\"%d\" "
                               "x2=\"%d\" y2=\"%d\"/><text x=\"%d\" y=\"%d\" "
                               "text-anchor=\"%s\">%s</text></g>\n",
                               x, top, x, bottom, x, bottom + 16,
                               tick == 0   ? "start"
                               : tick == 4 ? "end"
                                           : "middle",
                               clock);
    }
    GString *label = g_string_new(NULL);
    for (size_t index = 0; index < rows; index++) {
        const OddportService *service = g_ptr_array_index(services, index);
        int y = top + (int)index * row_height;
        int start = label_width + scaled(service->first_seen_ns - first, span, plot_width);
        int end = label_width + scaled(service->last_seen_ns - first, span, plot_width);
        char endpoint[ODDPORT_ENDPOINT_TEXT_MAX];
        oddport_format_endpoint(&service->address, service->port, endpoint);
        const char *severity = oddport_severity_name(service->severity);
        g_string_truncate(label, 0);
        g_string_append_printf(label, "%s ", oddport_app_name(service->app));
        oddport_html_append_text(label, endpoint);
        g_string_append_printf(label, "/%s", oddport_transport_name(service->transport));
        append_text(out, label_width - 8, y + 14, "end", NULL, label->str);
        char first_clock[ODDPORT_TIME_TEXT_MAX];
        char last_clock[ODDPORT_TIME_TEXT_MAX];
        oddport_format_clock(service->first_seen_ns, with_date, first_clock);
        oddport_format_clock(service->last_seen_ns, with_date, last_clock);
        g_string_append_printf(
            out,
            "<rect class=\"span severity-%s\" x=\"%d\" y=\"%d\" width=\"%d\" "
            "height=\"%d\"><title>%s, %s: %s to %s, %" PRIu64 " %s</title></rect>\n",
            severity, start, y + 3, MAX(end - start, 3), row_height - 6, label->str, severity,
            first_clock, last_clock, service->flows, flows_noun(service->flows));
    }
    g_string_free(label, TRUE);
    g_string_append(out, "</svg>\n<figcaption>From each service's first packet to its last, "
                         "UTC");
    if (rows < nonstandard)
        g_string_append_printf(out,
                               "; the %zu most severe of %zu services (the table below lists "
                               "more)",
                               rows, nonstandard);
    g_string_append(out, ".</figcaption>\n</figure>\n");
}
