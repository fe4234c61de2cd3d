/* Where a report goes: standard output, a device or pipe written as it is, or a file written
 * beside its name and renamed when complete; shared by oddport and oddport merge. */
#ifndef ODDPORT_REPORT_OUTPUT_H
#define ODDPORT_REPORT_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <glib.h>

/* Where the report goes: standard output; a file written in place (a device, a pipe, a file
 * with other names, or one in a folder where nothing may be created); or a regular file,
 * written beside its name and renamed when complete, so that an interrupted run never leaves
 * half a report under the real name. */
typedef struct {
    const char *target_path; /* NULL for standard output (borrowed from the options) */
    char *final_path;        /* owned: the file renamed onto, the target with links resolved */
    char *temporary_path;    /* owned; NULL when written in place */
    FILE *stream;
    bool is_pipe;  /* a pipe or socket, whose reader may go away */
    bool in_place; /* a named file written directly: an early end leaves it partial */
} OddportReportOutput;

/* Opens the report's output at `path` ("-" or NULL: standard output; borrowed, and kept by the
 * output). Returns false with `error` set when it cannot be written. */
bool oddport_report_output_open(const char *path, OddportReportOutput *output, GError **error);

/* Ends the report: with `keep`, flushes it to disk and gives it its real name; otherwise
 * removes the unfinished file. Returns false with errno set when keeping failed. */
bool oddport_report_output_close(OddportReportOutput *output, bool keep);

/* The output's name for messages (transfer none): its path, or "standard output". */
const char *oddport_report_output_name(const OddportReportOutput *output);

/* Removes the unfinished report file, if one is being written: async-signal-safe, for a signal
 * handler or a last word before the process ends. */
void oddport_report_output_remove_unfinished(void);

/* The first of `paths` (borrowed; "-" stands for what standard input reads, which may be a
 * redirected file) that is the file `output_path` names, which writing the report would
 * destroy; NULL when none is (a path that does not exist yet is none of them). */
const char *oddport_report_output_overwrites(const char *output_path, const char *const *paths,
                                             size_t count);

#endif
