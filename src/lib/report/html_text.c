/* Escaping wire text for HTML, and the buffered writer the HTML report writes its page with. */
#include "html_text.h"

#include <string.h>

/* The character reference that stands for an ASCII byte in markup, or NULL for a byte that may
 * be written as it is. The apostrophe is escaped too, so a value is safe in either quote. */
static const char *markup_reference(uint8_t byte)
{
    switch (byte) {
    case '&':
        return "&amp;";
    case '<':
        return "&lt;";
    case '>':
        return "&gt;";
    case '"':
        return "&quot;";
    case '\'':
        return "&#39;";
    default:
        return NULL;
    }
}

void oddport_html_append_bytes(GString *out, const uint8_t *bytes, size_t length)
{
    static const char hex_digits[] = "0123456789abcdef";
    const uint8_t *byte = bytes;
    const uint8_t *end = bytes + length;
    while (byte < end) {
        /* Runs of plain text, the usual case, are copied whole. */
        const uint8_t *run = byte;
        while (byte < end && *byte >= 0x20 && *byte < 0x7f && *byte != '\\' &&
               markup_reference(*byte) == NULL)
            byte++;
        if (byte > run)
            g_string_append_len(out, (const char *)run, byte - run);
        if (byte == end)
            break;
        const char *reference = markup_reference(*byte);
        if (reference != NULL) {
            g_string_append(out, reference);
        } else if (*byte == '\\') {
            /* Doubled, so a literal "\x3c" sent on the wire cannot pass for an escaped byte. */
            g_string_append(out, "\\\\");
        } else {
            char escape[4] = {'\\', 'x', hex_digits[*byte >> 4], hex_digits[*byte & 0x0f]};
            g_string_append_len(out, escape, sizeof escape);
        }
        byte++;
    }
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
