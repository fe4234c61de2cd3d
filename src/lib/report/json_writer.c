/* Streaming JSON output with RFC 8259 escaping and visible invalid UTF-8. */
#include <string.h>

#include <glib.h>

#include "internal/decimal.h"
#include "internal/json_writer.h"
#include "internal/word_scan.h"

enum { BUFFER_SIZE = ODDPORT_JSON_BUFFER_SIZE };

OddportJsonWriter *oddport_json_writer_new(FILE *stream)
{
    OddportJsonWriter *writer = g_new0(OddportJsonWriter, 1);
    writer->stream = stream;
    writer->buffer = writer->own_buffer;
    writer->capacity = BUFFER_SIZE;
    return writer;
}

OddportJsonWriter *oddport_json_writer_new_members(void)
{
    /* Between runs, what is written goes nowhere (a caller's error, kept harmless). */
    OddportJsonWriter *writer = g_new0(OddportJsonWriter, 1);
    writer->buffer = writer->own_buffer;
    writer->capacity = BUFFER_SIZE;
    return writer;
}

/* Points the writer at the text's bytes, as far as they are allocated (less the NUL's place). */
static void take_text_room(OddportJsonWriter *writer)
{
    writer->buffer = writer->text->str;
    writer->capacity = writer->text->allocated_len - 1;
}

void oddport_json_writer_start_members(OddportJsonWriter *writer, GString *text)
{
    writer->text = text;
    writer->used = 0;
    writer->depth = 1;
    writer->needs_comma = false;
    take_text_room(writer);
}

void oddport_json_writer_end_members(OddportJsonWriter *writer)
{
    if (writer->text == NULL)
        return;
    /* The run's bytes are already in place: only the length and the NUL are set. */
    writer->text->len = writer->used;
    writer->text->str[writer->used] = '\0';
    writer->text = NULL;
    writer->buffer = writer->own_buffer;
    writer->capacity = BUFFER_SIZE;
    writer->used = 0;
}

void oddport_json_writer_make_room(OddportJsonWriter *writer, size_t needed)
{
    if (writer->text != NULL) {
        /* The bytes written so far lie in the text's allocation beyond its length, which growing
         * it keeps: only the allocation moves. The length is set when the run ends. */
        writer->text->len = writer->used;
        g_string_set_size(writer->text, writer->used + MAX(needed, writer->used));
        take_text_room(writer);
        return;
    }
    if (writer->stream != NULL && writer->used > 0 &&
        fwrite(writer->buffer, 1, writer->used, writer->stream) != writer->used)
        writer->failed = true;
    writer->used = 0;
}

bool oddport_json_writer_flush(OddportJsonWriter *writer)
{
    if (writer->text != NULL) {
        oddport_json_writer_end_members(writer);
        return true;
    }
    oddport_json_writer_make_room(writer, 0);
    if (writer->stream != NULL && fflush(writer->stream) != 0)
        writer->failed = true;
    return !writer->failed;
}

void oddport_json_writer_free(OddportJsonWriter *writer)
{
    if (writer == NULL)
        return;
    oddport_json_writer_flush(writer);
    g_free(writer);
}

/* Makes sure `length` more bytes fit; the check is inline, the rare flush or growth is not. */
static inline void reserve(OddportJsonWriter *writer, size_t length)
{
    if (writer->used + length > writer->capacity)
        oddport_json_writer_make_room(writer, length);
}

static void emit(OddportJsonWriter *writer, const char *text, size_t length)
{
    /* More than a buffer's worth goes straight to the stream; a text grows to take it. */
    if (writer->text == NULL && length > BUFFER_SIZE) {
        oddport_json_writer_make_room(writer, 0);
        if (writer->stream != NULL && fwrite(text, 1, length, writer->stream) != length)
            writer->failed = true;
        return;
    }
    reserve(writer, length);
    memcpy(writer->buffer + writer->used, text, length);
    writer->used += length;
}

/* Writes the comma that separates this value from the previous one at its level. Values at
 * the top level (one a line) take none. */
static inline void begin_value(OddportJsonWriter *writer)
{
    if (writer->needs_comma) {
        reserve(writer, 1);
        writer->buffer[writer->used++] = ',';
    }
    writer->needs_comma = writer->depth > 0;
}

static void close_level(OddportJsonWriter *writer, char bracket)
{
    g_assert(writer->depth > 0);
    writer->depth--;
    emit(writer, &bracket, 1);
    writer->needs_comma = writer->depth > 0;
    if (writer->depth == 0)
        emit(writer, "\n", 1);
}

void oddport_json_members(OddportJsonWriter *writer, const char *text, size_t length)
{
    if (length == 0)
        return;
    begin_value(writer);
    emit(writer, text, length);
}

void oddport_json_begin_object(OddportJsonWriter *writer)
{
    oddport_json_open(writer, NULL, 0, '{');
}

void oddport_json_end_object(OddportJsonWriter *writer)
{
    close_level(writer, '}');
}

void oddport_json_begin_array(OddportJsonWriter *writer)
{
    oddport_json_open(writer, NULL, 0, '[');
}

void oddport_json_end_array(OddportJsonWriter *writer)
{
    close_level(writer, ']');
}

/* Length of the valid UTF-8 sequence at `text`, or 0 when it is not one (overlong forms,
 * surrogates and values past U+10FFFF are invalid too). */
static size_t utf8_sequence_length(const uint8_t *text, size_t left)
{
    uint8_t lead = text[0];
    size_t length;
    uint32_t minimum;
    uint32_t value;
    if (lead >= 0xc2 && lead <= 0xdf) {
        length = 2;
        minimum = 0x80;
        value = lead & 0x1fu;
    } else if (lead >= 0xe0 && lead <= 0xef) {
        length = 3;
        minimum = 0x800;
        value = lead & 0x0fu;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
        length = 4;
        minimum = 0x10000;
        value = lead & 0x07u;
    } else {
        return 0;
    }
    if (left < length)
        return 0;
    for (size_t index = 1; index < length; index++) {
        if ((text[index] & 0xc0) != 0x80)
            return 0;
        value = value << 6 | (text[index] & 0x3fu);
    }
    if (value < minimum || value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff))
        return 0;
    return length;
}

size_t oddport_json_escape(const uint8_t *value, size_t length, char *output)
{
    static const char hex[] = "0123456789abcdef";
    size_t written = 0;
    size_t index = 0;
    while (index < length) {
        uint8_t byte = value[index];
        if (byte >= 0x80) {
            size_t sequence = utf8_sequence_length(value + index, length - index);
            if (sequence > 0) {
                memcpy(output + written, value + index, sequence);
                written += sequence;
                index += sequence;
                continue;
            }
            /* Not UTF-8: show the byte as the four characters \xNN. */
            memcpy(output + written, "\\\\x", 3);
            output[written + 3] = hex[byte >> 4];
            output[written + 4] = hex[byte & 0xf];
            written += 5;
            index++;
            continue;
        }
        switch (byte) {
        case '"':
            memcpy(output + written, "\\\"", 2);
            written += 2;
            break;
        case '\\':
            memcpy(output + written, "\\\\", 2);
            written += 2;
            break;
        case '\n':
            memcpy(output + written, "\\n", 2);
            written += 2;
            break;
        case '\r':
            memcpy(output + written, "\\r", 2);
            written += 2;
            break;
        case '\t':
            memcpy(output + written, "\\t", 2);
            written += 2;
            break;
        default:
            if (byte < 0x20 || byte == 0x7f) {
                memcpy(output + written, "\\u00", 4);
                output[written + 4] = hex[byte >> 4];
                output[written + 5] = hex[byte & 0xf];
                written += 6;
            } else {
                output[written++] = (char)byte;
            }
        }
        index++;
    }
    output[written] = '\0';
    return written;
}

/* Bytes that go out as they are: printable ASCII other than the quote and the backslash. */
static bool is_plain(uint8_t byte)
{
    return (uint8_t)(byte - 0x20) < 0x5f && byte != '"' && byte != '\\';
}

/* Whether eight bytes in one word are all plain (see word_scan.h). */
static inline bool word_plain(uint64_t word)
{
    return oddport_word_bytes_between(word, 0x20, 0x7e) && !oddport_word_has_byte(word, '"') &&
           !oddport_word_has_byte(word, '\\');
}

static bool eight_plain(const uint8_t *bytes)
{
    return word_plain(oddport_word_load(bytes));
}

/* Whether all `length` bytes are plain: eight at a time, the last eight overlapping the ones
 * before when the length is not a multiple of eight; four to seven bytes as two four-byte loads
 * that overlap, tested as one word. Many strings of a report are that short ("http", "medium"). */
static inline bool all_plain(const uint8_t *value, size_t length)
{
    if (length >= 8) {
        for (size_t index = 0; index + 8 < length; index += 8)
            if (!eight_plain(value + index))
                return false;
        return eight_plain(value + length - 8);
    }
    if (length >= 4) {
        uint32_t head;
        uint32_t tail;
        memcpy(&head, value, sizeof head);
        memcpy(&tail, value + length - 4, sizeof tail);
        return word_plain((uint64_t)head | (uint64_t)tail << 32);
    }
    for (size_t index = 0; index < length; index++)
        if (!is_plain(value[index]))
            return false;
    return true;
}

enum { SHORT_STRING_MAX = 64 };

/* Copies a string of at most SHORT_STRING_MAX bytes in fixed-size moves that overlap at the end
 * rather than through a library call, which costs more than a name or an address. */
static inline void copy_short(char *out, const uint8_t *value, size_t length)
{
    if (length >= 16) {
        for (size_t index = 0; index + 16 < length; index += 16)
            memcpy(out + index, value + index, 16);
        memcpy(out + length - 16, value + length - 16, 16);
    } else if (length >= 8) {
        memcpy(out, value, 8);
        memcpy(out + length - 8, value + length - 8, 8);
    } else if (length >= 4) {
        memcpy(out, value, 4);
        memcpy(out + length - 4, value + length - 4, 4);
    } else {
        for (size_t index = 0; index < length; index++)
            out[index] = (char)value[index];
    }
}

/* A string with something to escape, or too long to check whole: plain runs copied as they
 * are, the rest escaped one character at a time. Apart from the common case, so that the
 * common case stays small. */
static G_GNUC_NO_INLINE void write_escaped_string(OddportJsonWriter *writer, const uint8_t *value,
                                                  size_t length)
{
    /* Escaping at most sextuples a byte (\u00XX; invalid UTF-8 takes five). A string whose worst
     * case fits the buffer is written straight into it; a longer one goes out in runs. */
    bool direct = length <= (BUFFER_SIZE - 2) / 6;
    if (direct)
        reserve(writer, 6 * length + 2);
    else
        emit(writer, "\"", 1);
    char *out = writer->buffer + writer->used;
    if (direct)
        *out++ = '"';
    size_t index = 0;
    while (index < length) {
        /* Most wire text is plain ASCII: copy whole runs of it at once. */
        size_t run = index;
        while (run + 8 <= length && eight_plain(value + run))
            run += 8;
        while (run < length && is_plain(value[run]))
            run++;
        if (run > index) {
            if (direct) {
                memcpy(out, value + index, run - index);
                out += run - index;
            } else {
                emit(writer, (const char *)value + index, run - index);
            }
            index = run;
            continue;
        }
        /* One character that needs care: an escape, or a UTF-8 sequence checked whole. Written
         * straight into the buffer when the string is: the reserve above covers the escape's
         * worst case and its NUL, which the next piece or the closing quote overwrites. */
        size_t piece = 1;
        if (value[index] >= 0x80) {
            size_t sequence = utf8_sequence_length(value + index, length - index);
            piece = sequence > 0 ? sequence : 1;
        }
        if (direct) {
            out += oddport_json_escape(value + index, piece, out);
        } else {
            char escaped[6 * 4 + 1];
            emit(writer, escaped, oddport_json_escape(value + index, piece, escaped));
        }
        index += piece;
    }
    if (direct) {
        *out++ = '"';
        writer->used = (size_t)(out - writer->buffer);
    } else {
        emit(writer, "\"", 1);
    }
}

/* Most strings of a report are short and plain (names, addresses, times, hashes): checked whole
 * and copied in one piece. */
static inline void write_string(OddportJsonWriter *writer, const uint8_t *value, size_t length)
{
    begin_value(writer);
    if (length <= SHORT_STRING_MAX && all_plain(value, length)) {
        /* The most a short string takes, a constant: the check is then one comparison. */
        reserve(writer, SHORT_STRING_MAX + 2);
        char *out = writer->buffer + writer->used;
        out[0] = '"';
        copy_short(out + 1, value, length);
        out[length + 1] = '"';
        writer->used += length + 2;
        return;
    }
    write_escaped_string(writer, value, length);
}

void oddport_json_string_bytes(OddportJsonWriter *writer, const uint8_t *value, size_t length)
{
    write_string(writer, value, length);
}

void oddport_json_string(OddportJsonWriter *writer, const char *value)
{
    write_string(writer, (const uint8_t *)value, strlen(value));
}

void oddport_json_string_or_null(OddportJsonWriter *writer, const char *value)
{
    if (value == NULL || value[0] == '\0')
        oddport_json_null(writer);
    else
        oddport_json_string(writer, value);
}

/* The longest member name written without a look for bytes to escape. */
enum { PLAIN_KEY_MAX = 60 };

void oddport_json_key(OddportJsonWriter *writer, const char *key)
{
    /* Member names are mostly oddport's own plain constants: those go out in one piece, as
     * oddport_json_member writes them, which keeps the per-member cost down; anything else, or a
     * name too long to be one of those, takes the escaping path. */
    size_t length = 0;
    while (key[length] != '\0' && is_plain((uint8_t)key[length]))
        length++;
    if (key[length] == '\0' && length <= PLAIN_KEY_MAX) {
        oddport_json_member(writer, key, length);
        return;
    }
    oddport_json_string(writer, key);
    emit(writer, ":", 1);
    writer->needs_comma = false;
}

void oddport_json_unsigned(OddportJsonWriter *writer, uint64_t value)
{
    oddport_json_put_unsigned(writer, NULL, 0, value);
}

void oddport_json_boolean(OddportJsonWriter *writer, bool value)
{
    oddport_json_put_boolean(writer, NULL, 0, value);
}

void oddport_json_null(OddportJsonWriter *writer)
{
    oddport_json_put_null(writer, NULL, 0);
}
