/* The one escaping loop behind the text and HTML reports' wire text (internal to liboddport). */
#ifndef ODDPORT_ESCAPE_H
#define ODDPORT_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

/* Appends `length` bytes as oddport_append_escaped_bytes does; with `markup`, also writes
 * & < > " ' as HTML character references, so the text is safe in HTML markup and attributes. */
void oddport_append_escaped_bytes_for(GString *out, const uint8_t *bytes, size_t length,
                                      bool markup);

#endif
