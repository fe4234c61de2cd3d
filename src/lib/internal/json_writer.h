/* A small streaming JSON writer: RFC 8259 output, built for millions of values. */
#ifndef ODDPORT_JSON_WRITER_H
#define ODDPORT_JSON_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "internal/always_inline.h"
#include "internal/decimal.h"

/* Writes straight to a stream through its own buffer, with one flag for whether the next value
 * takes a comma, so the cost of a value is the cost of its bytes. json-glib builds a tree first and
 * costs far more per flow. Strings are escaped per RFC 8259; bytes that are not valid UTF-8 are
 * written as the visible text \xNN rather than passed through. */
typedef struct OddportJsonWriter OddportJsonWriter;

enum { ODDPORT_JSON_BUFFER_SIZE = 1 << 16 };

/* Visible here only so that member names, the most frequent output, can be written inline with
 * their constant lengths (see oddport_json_member); everyone goes through the functions. */
struct OddportJsonWriter {
    FILE *stream;
    GString *text; /* instead of the stream, for a writer of members: written in place */
    bool failed;
    unsigned depth;
    /* Whether the next member or value follows another at its level and so takes a comma: a
     * member name clears it, so that its value takes none, and the value sets it again. One flag
     * does for every level, since a level closes with a value written in the one around it. */
    bool needs_comma;
    size_t used;
    /* Where the output goes first: own_buffer, flushed to the stream when full, or the text's own
     * bytes, which grow as needed. */
    char *buffer;
    size_t capacity;
    char own_buffer[ODDPORT_JSON_BUFFER_SIZE];
};

/* `stream` is borrowed: the writer flushes to it but never closes it. The caller owns the writer
 * (transfer full): oddport_json_writer_free flushes and frees. */
OddportJsonWriter *oddport_json_writer_new(FILE *stream);
void oddport_json_writer_free(OddportJsonWriter *writer);
/* A writer of an object's members, as if inside an object another writer opens later: what it
 * writes goes into that object whole with oddport_json_members. Each run of members is written
 * straight into a text given with oddport_json_writer_start_members, not through a buffer of
 * its own, so that handing the members on copies nothing. The caller owns the writer (transfer
 * full): oddport_json_writer_free. */
OddportJsonWriter *oddport_json_writer_new_members(void);
/* Starts a run of members written into `text` (borrowed until the run ends), whose contents
 * they replace. */
void oddport_json_writer_start_members(OddportJsonWriter *writer, GString *text);
/* Ends the run: the text then holds the members written since it started, and nothing else. */
void oddport_json_writer_end_members(OddportJsonWriter *writer);
/* Members written by a writer of members, `length` bytes of `text`, as the next members of the
 * object open in `writer`. */
void oddport_json_members(OddportJsonWriter *writer, const char *text, size_t length);
/* Pushes buffered bytes to the stream, or ends a run of members; false when the stream
 * reported an error. */
bool oddport_json_writer_flush(OddportJsonWriter *writer);

void oddport_json_begin_object(OddportJsonWriter *writer);
void oddport_json_end_object(OddportJsonWriter *writer);
void oddport_json_begin_array(OddportJsonWriter *writer);
void oddport_json_end_array(OddportJsonWriter *writer);
/* The member name for the next value inside an object. */
void oddport_json_key(OddportJsonWriter *writer, const char *key);

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

/* Makes room for `needed` bytes more, at most ODDPORT_JSON_BUFFER_SIZE: flushes the whole
 * buffer to the stream, or lets a writer of members' text grow. */
void oddport_json_writer_make_room(OddportJsonWriter *writer, size_t needed);

/* Starts a value of at most `value_max` bytes, which the caller writes at the place returned and
 * ends with oddport_json_value_end: the value of the member `name`, a plain printable ASCII name
 * without quotes or backslashes (oddport's own constant names), or an array element when `name`
 * is NULL. The comma, the name and the room for the value take one check: a flow object has
 * some sixty members, and a call per value with a check of its own cost more than most values'
 * bytes. */
G_ALWAYS_INLINE static inline char *oddport_json_value_begin(OddportJsonWriter *writer,
                                                             const char *name, size_t length,
                                                             size_t value_max)
{
    /* Inline, so that the copy of a constant name compiles to a few moves, and a constant NULL
     * to none. */
    if (writer->used + length + 4 + value_max > writer->capacity)
        oddport_json_writer_make_room(writer, length + 4 + value_max);
    char *out = writer->buffer + writer->used;
    if (writer->needs_comma)
        *out++ = ',';
    if (name != NULL) {
        *out++ = '"';
        memcpy(out, name, length);
        out += length;
        *out++ = '"';
        *out++ = ':';
    }
    return out;
}

/* Ends a value begun with oddport_json_value_begin, written up to `end`. */
G_ALWAYS_INLINE static inline void oddport_json_value_end(OddportJsonWriter *writer, char *end)
{
    writer->used = (size_t)(end - writer->buffer);
    writer->needs_comma = writer->depth > 0;
}

/* The member name for the next value, for names as oddport_json_value_begin takes them, the
 * value then written by any of the functions above. Use it through ODDPORT_JSON_MEMBER with a
 * string literal. */
G_ALWAYS_INLINE static inline void oddport_json_member(OddportJsonWriter *writer, const char *name,
                                                       size_t length)
{
    char *out = oddport_json_value_begin(writer, name, length, 0);
    writer->used = (size_t)(out - writer->buffer);
    writer->needs_comma = false;
}

/* Opens an object ('{') or an array ('['): the value of the member `name`, or an array element
 * when `name` is NULL (as oddport_json_value_begin takes them); closed as any other. */
G_ALWAYS_INLINE static inline void oddport_json_open(OddportJsonWriter *writer, const char *name,
                                                     size_t length, char bracket)
{
    char *out = oddport_json_value_begin(writer, name, length, 1);
    *out++ = bracket;
    writer->used = (size_t)(out - writer->buffer);
    writer->depth++;
    writer->needs_comma = false;
}

/* A number, a flag and null, each with its member name in one piece, or alone when `name` is
 * NULL (as oddport_json_value_begin takes them). The writer's own oddport_json_unsigned,
 * oddport_json_boolean and oddport_json_null are these without a name. */
G_ALWAYS_INLINE static inline void oddport_json_put_unsigned(OddportJsonWriter *writer,
                                                             const char *name, size_t length,
                                                             uint64_t value)
{
    char *out = oddport_json_value_begin(writer, name, length, ODDPORT_DECIMAL_MAX);
    out += oddport_decimal_write(value, out);
    oddport_json_value_end(writer, out);
}

G_ALWAYS_INLINE static inline void
oddport_json_put_boolean(OddportJsonWriter *writer, const char *name, size_t length, bool value)
{
    /* Eight bytes moved whichever the word, so that the copy is one move of a constant size. */
    char *out = oddport_json_value_begin(writer, name, length, 8);
    memcpy(out, value ? "true\0\0\0\0" : "false\0\0\0", 8);
    oddport_json_value_end(writer, out + (value ? 4 : 5));
}

G_ALWAYS_INLINE static inline void oddport_json_put_null(OddportJsonWriter *writer,
                                                         const char *name, size_t length)
{
    char *out = oddport_json_value_begin(writer, name, length, 4);
    memcpy(out, "null", 4);
    oddport_json_value_end(writer, out + 4);
}

#define ODDPORT_JSON_MEMBER(writer, literal)                                                       \
    oddport_json_member((writer), "" literal, sizeof(literal) - 1)

#endif
