/* What is said about a run as a whole, the same whoever made the summary. */
#include "oddport/summary.h"

/* The bounds that keep memory flat under floods change what is reported: every report says so,
 * not only the terminal of whoever ran it. */
void oddport_summary_add_run_warnings(OddportSummary *summary)
{
    if (summary->evicted_flows > 0)
        g_ptr_array_add(summary->warnings,
                        g_strdup_printf("%" G_GUINT64_FORMAT " flows were finished early because "
                                        "more than %" G_GUINT64_FORMAT " were open at once "
                                        "(--max-flows); each is still reported, but a connection "
                                        "that went on afterwards appears as two flows",
                                        summary->evicted_flows, summary->max_flows));
    const OddportOmittedServices *omitted = &summary->counts->omitted_services;
    if (omitted->flows > 0)
        g_ptr_array_add(summary->warnings,
                        g_strdup_printf("about %" G_GUINT64_FORMAT " services of unrecognised "
                                        "traffic (%" G_GUINT64_FORMAT " flows) are counted in the "
                                        "totals but not listed, as in a scan or flood",
                                        omitted->rows, omitted->flows));
}

void oddport_capture_summary_free(void *data)
{
    OddportCaptureSummary *capture = data;
    if (capture == NULL)
        return;
    g_free(capture->path);
    g_free(capture->error);
    g_ptr_array_unref(capture->link_types);
    g_ptr_array_unref(capture->warnings);
    g_free(capture);
}
