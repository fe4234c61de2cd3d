/* oddport-merge: `oddport merge` on its own, so that reading captures loads no JSON parser. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "merge.h"

/* As oddport's own exit status for it: see oddport(1), EXIT STATUS. */
enum { EXIT_OUT_OF_MEMORY = 5 };

/* A failed allocation ends the merge with a message rather than GLib's abort; the report was
 * being written beside its -o name, which is left as it was. */
static void on_fatal_glib_error(const char *domain, GLogLevelFlags level, const char *message,
                                void *data)
{
    (void)domain;
    (void)level;
    (void)data;
    ssize_t ignored;
    if (strstr(message, "failed to allocate") != NULL) {
        static const char out_of_memory[] = "oddport merge: out of memory\n";
        ignored = write(STDERR_FILENO, out_of_memory, sizeof out_of_memory - 1);
        _exit(EXIT_OUT_OF_MEMORY);
    }
    static const char prefix[] = "oddport merge: internal error: ";
    ignored = write(STDERR_FILENO, prefix, sizeof prefix - 1);
    ignored = write(STDERR_FILENO, message, strlen(message));
    ignored = write(STDERR_FILENO, "\n", 1);
    (void)ignored;
    abort();
}

int main(int argc, char **argv)
{
    /* GLib before 2.76 takes small blocks from its slice allocator, whose failures bypass the
     * handler above; plain malloc reports them through it. */
    g_setenv("G_SLICE", "always-malloc", FALSE);
    g_log_set_handler("GLib", G_LOG_LEVEL_ERROR | G_LOG_FLAG_FATAL, on_fatal_glib_error, NULL);
    /* oddport starts this program with its own path first; the command reads "merge" there. */
    static char merge_name[] = "merge";
    argv[0] = merge_name;
    return oddport_merge_main(argc, argv);
}
