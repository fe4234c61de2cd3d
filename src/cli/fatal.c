/* How oddport's programs end when GLib cannot allocate memory: a line saying so, not an abort. */
#include "fatal.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

/* A log domain of its own, so that no other handler sees the message that makes GLib's key. */
#define PRIMING_DOMAIN "oddport-fatal"

/* The heap may be exhausted: only async-signal-safe calls from here on. */
static void on_fatal_glib_error(const char *domain, GLogLevelFlags level, const char *message,
                                void *data)
{
    (void)domain;
    (void)level;
    const OddportFatalErrors *handling = data;
    if (handling->before_ending != NULL)
        handling->before_ending();
    ssize_t ignored;
    if (strstr(message, "failed to allocate") != NULL) {
        ignored = write(STDERR_FILENO, handling->out_of_memory_line,
                        strlen(handling->out_of_memory_line));
        _exit(ODDPORT_EXIT_OUT_OF_MEMORY);
    }
    ignored = write(STDERR_FILENO, handling->internal_error_prefix,
                    strlen(handling->internal_error_prefix));
    ignored = write(STDERR_FILENO, message, strlen(message));
    ignored = write(STDERR_FILENO, "\n", 1);
    (void)ignored;
    abort();
}

static void ignore_message(const char *domain, GLogLevelFlags level, const char *message,
                           void *data)
{
    (void)domain;
    (void)level;
    (void)message;
    (void)data;
}

void oddport_handle_fatal_errors(const OddportFatalErrors *handling)
{
    g_setenv("G_SLICE", "always-malloc", FALSE);
    g_log_set_handler("GLib", G_LOG_LEVEL_ERROR | G_LOG_FLAG_FATAL, on_fatal_glib_error,
                      (void *)handling);
    /* GLib makes the thread key that counts nested messages at the first message logged, with a
     * malloc that aborts the process if it fails. Were that first message the one saying memory
     * ran out, the key could take the last free block after the message's own text did: CI saw
     * "Unexpected error from C library during 'malloc'" and exit 134 once in that case. One
     * message nobody sees makes the key now. */
    guint priming_handler =
        g_log_set_handler(PRIMING_DOMAIN, G_LOG_LEVEL_DEBUG, ignore_message, NULL);
    g_log(PRIMING_DOMAIN, G_LOG_LEVEL_DEBUG, "starting");
    g_log_remove_handler(PRIMING_DOMAIN, priming_handler);
}
