/* Reading alone: oddport's reader, and with --decode its decoder, over captures, and no more. */
#include <glib.h>
#include <stdio.h>

#include "oddport/capture.h"
#include "oddport/decode.h"

/* This is the scaling benchmark's measure of the part of a run that one thread does for all the
 * others at -j N: its share of a one-thread run bounds what -j N can gain. */

typedef struct {
    uint64_t records;
    uint64_t decoded;
    /* Summed from what was read and decoded, and printed, so that no work can be left out as
     * unused by the compiler. */
    uint64_t checksum;
} ReadCounts;

/* Reads one capture to its end; returns false, with `error` set, when it cannot be opened or
 * ends in a damaged or cut record. */
static gboolean read_capture(const char *path, gboolean decode, ReadCounts *counts, GError **error)
{
    OddportCaptureReader *reader = oddport_capture_open(path, error);
    if (reader == NULL)
        return FALSE;
    OddportRecord record;
    OddportReadStatus status;
    while ((status = oddport_capture_next(reader, &record, error)) == ODDPORT_READ_RECORD) {
        counts->records++;
        counts->checksum += record.captured_length;
        if (!decode)
            continue;
        OddportPacket packet;
        if (oddport_decode_frame(record.link_type, record.data, record.captured_length, &packet) ==
            ODDPORT_DECODE_OK) {
            counts->decoded++;
            counts->checksum += packet.source_port ^ packet.destination_port;
        }
    }
    oddport_capture_close(reader);
    return status == ODDPORT_READ_END;
}

int main(int argc, char **argv)
{
    gboolean decode = FALSE;
    GOptionEntry entries[] = {
        {"decode", 'd', 0, G_OPTION_ARG_NONE, &decode,
         "also decode every frame down to TCP or UDP, as oddport's reading thread does", NULL},
        G_OPTION_ENTRY_NULL,
    };
    GOptionContext *context = g_option_context_new("CAPTURE...");
    g_option_context_set_summary(context,
                                 "Reads each capture with oddport's reader and does nothing else "
                                 "with it: how long reading alone takes.");
    g_option_context_add_main_entries(context, entries, NULL);
    GError *error = NULL;
    gboolean parsed = g_option_context_parse(context, &argc, &argv, &error);
    g_option_context_free(context);
    if (!parsed || argc < 2) {
        fprintf(stderr, "read-capture: %s\n",
                parsed ? "name at least one capture" : error->message);
        g_clear_error(&error);
        return 2;
    }
    ReadCounts counts = {0};
    for (int index = 1; index < argc; index++) {
        if (!read_capture(argv[index], decode, &counts, &error)) {
            fprintf(stderr, "read-capture: %s: %s\n", argv[index], error->message);
            g_clear_error(&error);
            return 1;
        }
    }
    printf("%" G_GUINT64_FORMAT " records, %" G_GUINT64_FORMAT " decoded to TCP or UDP "
           "(checksum %" G_GUINT64_FORMAT ")\n",
           counts.records, counts.decoded, counts.checksum);
    return 0;
}
