/* oddport merge: the reports of separate runs over the parts of one capture set, made one. */
#ifndef ODDPORT_CLI_MERGE_H
#define ODDPORT_CLI_MERGE_H

#include <stdio.h>

#include <glib.h>

#include "oddport/report.h"

/* The reports of runs over time-contiguous parts of one capture set, read back and put together
 * as one run over the whole set would have reported it. Opaque; the caller owns it (transfer
 * full): oddport_merge_free. */
typedef struct OddportMerge OddportMerge;

OddportMerge *oddport_merge_new(void);
void oddport_merge_free(OddportMerge *merge);

/* Reads one part's report, JSON or NDJSON, from `text` (`length` bytes; `name` names it in
 * errors). False, with `error` set, when it is not an oddport report of this schema with every
 * member merging needs; the merge is then unchanged. */
bool oddport_merge_add_report(OddportMerge *merge, const char *name, const char *text,
                              size_t length, GError **error);

/* Puts the parts together in the order of their first packets and writes the report in `format`
 * (transfer none) on `stream` (borrowed). False when writing failed. Once per merge: putting the
 * parts together joins their flows where they lie. */
bool oddport_merge_write(OddportMerge *merge, const OddportReportFormat *format, FILE *stream,
                         const OddportReportOptions *options);

/* A capture the reports read that writing the merged report to `output_path` would replace
 * (transfer none), or NULL: a report never replaces evidence. */
const char *oddport_merge_capture_overwritten(const OddportMerge *merge, const char *output_path);

/* Once the report is written, says on `stream` what one run over the whole set would have said
 * on stderr: a line for each capture a part's run could not read at all, in the words that run
 * used, and, `with_warnings`, each capture's warnings and the merged report's own. Returns how
 * many captures could not be read: the report lists them with their errors, and a merge, like
 * one run, then exits with status 1. */
unsigned oddport_merge_tell(const OddportMerge *merge, bool with_warnings, FILE *stream);

/* The command, run by the program oddport-merge: `oddport merge [OPTIONS] REPORT...` with
 * argv[0] "merge". Returns its exit status. */
int oddport_merge_main(int argc, char **argv);

#endif
