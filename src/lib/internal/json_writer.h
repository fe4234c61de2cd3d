/* A small streaming JSON writer: RFC 8259 output, built for millions of values. */
#ifndef ODDPORT_JSON_WRITER_H
#define ODDPORT_JSON_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Writes straight to a stream through its own buffer, tracking commas per nesting level, so the
 * cost of a value is the cost of its bytes. json-glib builds a tree first and costs far more per
 * flow. Strings are escaped per RFC 8259; bytes that are not valid UTF-8 are written as the
 * visible text \xNN rather than passed through. */
typedef struct OddportJsonWriter OddportJsonWriter;

/* `stream` is borrowed: the writer flushes to it but never closes it. The caller owns the writer
 * (transfer full): oddport_json_writer_free flushes and frees. */
OddportJsonWriter *oddport_json_writer_new(FILE *stream);
void oddport_json_writer_free(OddportJsonWriter *writer);
/* Pushes buffered bytes to the stream; false when the stream reported an error. */
bool oddport_json_writer_flush(OddportJsonWriter *writer);

void oddport_json_begin_object(OddportJsonWriter *writer);
void oddport_json_end_object(OddportJsonWriter *writer);
void oddport_json_begin_array(OddportJsonWriter *writer);
void oddport_json_end_array(OddportJsonWriter *writer);
/* The member name for the next value inside an object. */
void oddport_json_key(OddportJsonWriter *writer, const char *key);

/* The member name for the next value, for names that are plain printable ASCII without quotes
 * or backslashes (oddport's own constant names): written as they are, without escaping. Use it
 * through ODDPORT_JSON_MEMBER with a string literal. */
void oddport_json_member(OddportJsonWriter *writer, const char *name, size_t length);
#define ODDPORT_JSON_MEMBER(writer, literal)                                                       \
    oddport_json_member((writer), "" literal, sizeof(literal) - 1)

void oddport_json_string(OddportJsonWriter *writer, const char *value);
/* Bytes that may hold anything, NUL included. */
void oddport_json_string_bytes(OddportJsonWriter *writer, const uint8_t *value, size_t length);
/* A string, or null for NULL or "". */
void oddport_json_string_or_null(OddportJsonWriter *writer, const char *value);
void oddport_json_unsigned(OddportJsonWriter *writer, uint64_t value);
void oddport_json_boolean(OddportJsonWriter *writer, bool value);
void oddport_json_null(OddportJsonWriter *writer);

/* Appends the RFC 8259 escaped form of `value` (without quotes) to a GString-free buffer: used
 * by the writer and by the CSV and text reports' tests. Returns the bytes written to `output`,
 * which must hold at least 6 * length + 1 bytes. */
size_t oddport_json_escape(const uint8_t *value, size_t length, char *output);

#endif
