/* Writing HTML safely: wire text escaped for markup, and a buffered page writer. */
#ifndef ODDPORT_HTML_TEXT_H
#define ODDPORT_HTML_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <glib.h>

/* Appends `length` bytes as HTML text that is safe both between tags and inside a double- or
 * single-quoted attribute value. Every byte outside printable ASCII becomes the visible text
 * \xNN and a backslash is doubled, exactly as oddport_append_escaped writes them for the text
 * report, so the page shows wire bytes as the other reports do (a bidi override or a NUL stays
 * visible); then & < > " ' become character references, so no byte can open a tag, end an
 * attribute or start an entity. The result is printable ASCII. */
void oddport_html_append_bytes(GString *out, const uint8_t *bytes, size_t length);
/* The same for a NUL-terminated string. */
void oddport_html_append_text(GString *out, const char *text);

/* Writes a page to a stream through a buffer, so the many small pieces of a page cost one write
 * per block. */
typedef struct {
    FILE *stream; /* borrowed */
    GString *buffer;
    bool failed; /* a write to the stream failed; later writes are dropped */
} OddportHtmlOutput;

void oddport_html_output_init(OddportHtmlOutput *output, FILE *stream);
/* Writes the buffer out when it has grown past a block. */
void oddport_html_output_maybe_flush(OddportHtmlOutput *output);
/* Writes out whatever is buffered and frees the buffer; false when any write failed. */
bool oddport_html_output_finish(OddportHtmlOutput *output);

#endif
