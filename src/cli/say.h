/* One line on stderr for oddport's programs: their messages quote file names and wire text. */
#ifndef ODDPORT_SAY_H
#define ODDPORT_SAY_H

#include <stdarg.h>
#include <stdio.h>

#include <glib.h>

/* Writes "PROGRAM: " and the formatted message on `stream` as one line, with every byte outside
 * printable ASCII escaped as the reports escape them: a file name from a folder, text from a
 * capture or from a report must not drive the terminal. */
void oddport_say_va(FILE *stream, const char *program, const char *format, va_list arguments)
    G_GNUC_PRINTF(3, 0);

#endif
