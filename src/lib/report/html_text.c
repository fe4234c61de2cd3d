/* Escaping wire text for HTML, and the buffered writer the HTML report writes its page with. */
#include "html_text.h"

#include <string.h>

#include "internal/escape.h"

void oddport_html_append_bytes(GString *out, const uint8_t *bytes, size_t length)
{
    oddport_append_escaped_bytes_for(out, bytes, length, true);
}

void oddport_html_append_text(GString *out, const char *text)
{
    oddport_html_append_bytes(out, (const uint8_t *)text, strlen(text));
}

#define HTML_OUTPUT_BLOCK (64 * 1024)

void oddport_html_output_init(OddportHtmlOutput *output, FILE *stream)
{
    output->stream = stream;
    output->buffer = g_string_sized_new(HTML_OUTPUT_BLOCK * 2);
    output->failed = false;
}

static void write_buffer(OddportHtmlOutput *output)
{
    if (!output->failed && output->buffer->len > 0 &&
        fwrite(output->buffer->str, 1, output->buffer->len, output->stream) != output->buffer->len)
        output->failed = true;
    g_string_truncate(output->buffer, 0);
}

void oddport_html_output_maybe_flush(OddportHtmlOutput *output)
{
    if (output->buffer->len >= HTML_OUTPUT_BLOCK)
        write_buffer(output);
}

bool oddport_html_output_finish(OddportHtmlOutput *output)
{
    write_buffer(output);
    g_string_free(output->buffer, TRUE);
    output->buffer = NULL;
    bool flushed = fflush(output->stream) == 0 && !ferror(output->stream);
    return !output->failed && flushed;
}
