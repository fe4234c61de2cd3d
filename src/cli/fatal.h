/* How oddport's programs end when GLib cannot allocate memory: a line saying so, not an abort. */
#ifndef ODDPORT_FATAL_H
#define ODDPORT_FATAL_H

/* The status oddport and oddport-merge exit with when memory runs out (oddport(1), EXIT STATUS). */
enum { ODDPORT_EXIT_OUT_OF_MEMORY = 5 };

/* What a program says and does when GLib's allocator fails (it ends the process there, with
 * ODDPORT_EXIT_OUT_OF_MEMORY) or GLib reports another fatal error. Borrowed: it must outlive the
 * program's run. */
typedef struct {
    /* The whole line written when memory ran out, newline included. */
    const char *out_of_memory_line;
    /* Put before GLib's message for any other fatal error, after which the program aborts. */
    const char *internal_error_prefix;
    /* Run first, from the failing allocation: only async-signal-safe calls (NULL for none). */
    void (*before_ending)(void);
} OddportFatalErrors;

/* Sends GLib's fatal errors to `handling`, and has GLib take small blocks from malloc, whose
 * failures reach the handler, rather than from its slice allocator (GLib before 2.76), whose
 * failures do not. Has GLib make now what it would otherwise make when logging the failure, so
 * that the path from a failed allocation to `handling` allocates nothing but GLib's text of the
 * message. Call first thing in main. */
void oddport_handle_fatal_errors(const OddportFatalErrors *handling);

#endif
