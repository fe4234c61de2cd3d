/* One line on stderr for oddport's programs, escaped: their messages quote untrusted text. */
#include "say.h"

#include <glib.h>

#include "oddport/report.h"

void oddport_say_va(FILE *stream, const char *program, const char *format, va_list arguments)
{
    g_autofree char *message = g_strdup_vprintf(format, arguments);
    GString *line = g_string_new(program);
    g_string_append(line, ": ");
    oddport_append_escaped(line, message);
    g_string_append_c(line, '\n');
    fputs(line->str, stream);
    g_string_free(line, TRUE);
}
