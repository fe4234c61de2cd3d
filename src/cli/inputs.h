/* Planning which captures the command reads, and in what order, from its arguments. */
#ifndef ODDPORT_INPUTS_H
#define ODDPORT_INPUTS_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

/*
 * Rotated captures are often named so that a shell glob sorts them wrongly (dump, dump1, dump10,
 * dump2), the same file is given twice (a glob and a path, a symlink), or a whole folder is meant.
 * A plan turns the command's CAPTURE arguments into the list of captures to read:
 *
 * - A folder stands for the captures in it: regular files (symlinks followed), not searching
 *   folders inside, leaving out hidden names (starting with '.'), and keeping only files that
 *   open as a capture, compressed or not; files that are not captures, empty or compressed in a
 *   way oddport does not read are left out and named in a warning. Members are taken in natural
 *   name order (dump, dump1, dump2, dump10) before the time ordering below. A folder that cannot
 *   be listed, or holds no capture, becomes an entry with an error.
 * - A file named again (the same device and inode, by the same path, another path or a symlink)
 *   is dropped with a warning: it is read once, where first given. "-" (standard input) twice,
 *   or with a path naming the same pipe or file, likewise.
 * - Each regular file is opened to read its first record's time, then closed. The captures are
 *   read in order of that time, which puts rotated files in order. The sort is stable: equal
 *   times keep the order given. Captures whose first time is not known keep their position in
 *   the order given, and the others are sorted into the remaining positions: standard input and
 *   other pipes or devices (they cannot be read ahead and read again), captures that could not
 *   be opened, and captures with no record or whose first record carries no time. A warning
 *   says when the order differs from the order given.
 * - A capture that cannot be opened stays in the plan, at its position, with its error, so
 *   that every capture named on the command line is reported.
 *
 * Overlapping time ranges and identical copies under different inodes are not this module's
 * business: the engine skips records inside the time already covered.
 */

/* One capture to read. Owned by its plan (transfer none); the strings live as long as the plan. */
typedef struct {
    /* As given on the command line, "-" for standard input, or for a folder's member the folder
     * as given joined with the member's name. */
    char *path;
    /* Why this capture cannot be read (domain ODDPORT_CAPTURE_ERROR or ODDPORT_INPUT_ERROR), or
     * NULL. The message names the problem but not the path, like oddport_capture_open's. The
     * caller reports it and need not open the capture again. */
    GError *error;
    /* The first record's time, in nanoseconds since the Unix epoch, when known. */
    bool has_first_timestamp;
    uint64_t first_timestamp_ns;
} OddportInput;

/* The plan: owns its inputs and warnings, freed with it. */
typedef struct {
    /* OddportInput *, in the order to read them. */
    GPtrArray *inputs;
    /* char *, one line each, without a "oddport: " prefix or a newline, in the order found: a
     * folder's left-out entries, files given twice, the order changed. */
    GPtrArray *warnings;
} OddportInputPlan;

#define ODDPORT_INPUT_ERROR (oddport_input_error_quark())
GQuark oddport_input_error_quark(void);

typedef enum {
    ODDPORT_INPUT_ERROR_NO_CAPTURES, /* a folder holds no capture */
} OddportInputError;

/* Plans the reading of `arguments` (a NULL-terminated list of paths or "-", as the command got
 * them; not modified, not kept). Looks at the files, opens each regular file's capture once to
 * read its first record's time, and reads from no pipe. Never fails as a whole: each problem is
 * an entry's error or a warning. The caller owns the plan (transfer full):
 * oddport_input_plan_free. */
OddportInputPlan *oddport_input_plan_new(char *const *arguments);

void oddport_input_plan_free(OddportInputPlan *plan);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(OddportInputPlan, oddport_input_plan_free)

#endif
