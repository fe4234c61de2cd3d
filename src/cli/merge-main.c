/* oddport-merge: `oddport merge` on its own, so that reading captures loads no JSON parser. */
#include "fatal.h"
#include "merge.h"

/* The merge writes its report beside the -o name and renames it when whole, so a merge that
 * runs out of memory leaves that name as it was. */
static const OddportFatalErrors FATAL_ERRORS = {
    .out_of_memory_line = "oddport merge: out of memory\n",
    .internal_error_prefix = "oddport merge: internal error: ",
    .before_ending = NULL,
};

int main(int argc, char **argv)
{
    oddport_handle_fatal_errors(&FATAL_ERRORS);
    /* oddport starts this program with its own path first; the command reads "merge" there. */
    static char merge_name[] = "merge";
    argv[0] = merge_name;
    return oddport_merge_main(argc, argv);
}
