/* Unit tests for the streaming JSON writer: structure, escaping, invalid UTF-8, parsed back. */
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "internal/json_writer.h"

/* Runs `write` against a memory stream and returns what it wrote (transfer full). */
static char *capture_output(void (*write)(OddportJsonWriter *writer))
{
    char *text = NULL;
    size_t length = 0;
    FILE *stream = open_memstream(&text, &length);
    OddportJsonWriter *writer = oddport_json_writer_new(stream);
    write(writer);
    oddport_json_writer_free(writer);
    fclose(stream);
    return text;
}

static void write_nested(OddportJsonWriter *writer)
{
    oddport_json_begin_object(writer);
    oddport_json_key(writer, "list");
    oddport_json_begin_array(writer);
    oddport_json_unsigned(writer, 1);
    oddport_json_unsigned(writer, UINT64_MAX);
    oddport_json_boolean(writer, true);
    oddport_json_null(writer);
    oddport_json_begin_object(writer);
    oddport_json_end_object(writer);
    oddport_json_end_array(writer);
    oddport_json_key(writer, "absent");
    oddport_json_string_or_null(writer, "");
    oddport_json_key(writer, "empty");
    oddport_json_string(writer, "");
    oddport_json_key(writer, "no_elements");
    oddport_json_begin_array(writer);
    oddport_json_end_array(writer);
    oddport_json_key(writer, "no_members");
    oddport_json_begin_object(writer);
    oddport_json_end_object(writer);
    oddport_json_key(writer, "after");
    oddport_json_unsigned(writer, 2);
    oddport_json_end_object(writer);
}

/* Values at the top level, as NDJSON writes them: one a line, no comma between. */
static void write_lines(OddportJsonWriter *writer)
{
    for (unsigned line = 0; line < 3; line++) {
        oddport_json_begin_object(writer);
        oddport_json_key(writer, "line");
        oddport_json_unsigned(writer, line);
        oddport_json_key(writer, "list");
        oddport_json_begin_array(writer);
        oddport_json_begin_array(writer);
        oddport_json_end_array(writer);
        oddport_json_null(writer);
        oddport_json_end_array(writer);
        oddport_json_end_object(writer);
    }
    oddport_json_begin_array(writer);
    oddport_json_end_array(writer);
}

static void test_structure(void)
{
    g_autofree char *text = capture_output(write_nested);
    g_assert_cmpstr(text, ==,
                    "{\"list\":[1,18446744073709551615,true,null,{}],\"absent\":null,"
                    "\"empty\":\"\",\"no_elements\":[],\"no_members\":{},\"after\":2}\n");
    g_autofree char *lines = capture_output(write_lines);
    g_assert_cmpstr(lines, ==,
                    "{\"line\":0,\"list\":[[],null]}\n{\"line\":1,\"list\":[[],null]}\n"
                    "{\"line\":2,\"list\":[[],null]}\n[]\n");
}

static const uint8_t hostile[] =
    "a\"b\\c\n\t\x01\x1b[31m\x7f \xc3\xa9 \xff\xfe \xed\xa0\x80 \xf0\x9f\x98\x80";

static void write_hostile(OddportJsonWriter *writer)
{
    oddport_json_begin_object(writer);
    oddport_json_key(writer, "value");
    oddport_json_string_bytes(writer, hostile, sizeof hostile - 1);
    oddport_json_key(writer, "with\"quote");
    oddport_json_string_bytes(writer, (const uint8_t *)"nul\0inside", 10);
    oddport_json_end_object(writer);
}

static void test_escaping_parses_back(void)
{
    g_autofree char *text = capture_output(write_hostile);
    g_autoptr(JsonParser) parser = json_parser_new();
    GError *error = NULL;
    g_assert_true(json_parser_load_from_data(parser, text, -1, &error));
    g_assert_no_error(error);
    JsonObject *object = json_node_get_object(json_parser_get_root(parser));
    const char *value = json_object_get_string_member(object, "value");
    /* Valid UTF-8 (é, 😀) passes; invalid bytes and a surrogate become visible \xNN text. */
    g_assert_cmpstr(value, ==,
                    "a\"b\\c\n\t\x01\x1b[31m\x7f \xc3\xa9 \\xff\\xfe \\xed\\xa0\\x80 "
                    "\xf0\x9f\x98\x80");
    g_assert_true(g_utf8_validate(value, -1, NULL));
    g_assert_nonnull(strstr(text, "\\u001b"));
    g_assert_true(json_object_has_member(object, "with\"quote"));
}

static void write_long(OddportJsonWriter *writer)
{
    GString *value = g_string_new(NULL);
    for (unsigned index = 0; index < 5000; index++)
        g_string_append(value, "\xc3\xa9");
    oddport_json_begin_array(writer);
    for (unsigned index = 0; index < 100; index++)
        oddport_json_string(writer, value->str);
    oddport_json_end_array(writer);
    g_string_free(value, TRUE);
}

static void test_long_values_keep_utf8(void)
{
    g_autofree char *text = capture_output(write_long);
    g_assert_true(g_utf8_validate(text, -1, NULL));
    g_assert_null(strstr(text, "\\x"));
    g_autoptr(JsonParser) parser = json_parser_new();
    g_assert_true(json_parser_load_from_data(parser, text, -1, NULL));
    g_assert_cmpuint(json_array_get_length(json_node_get_array(json_parser_get_root(parser))), ==,
                     100);
}

/* Plain text is checked eight bytes at a time, the last block overlapping the one before, and
 * four to seven bytes as two overlapping halves; it is copied in blocks of 16, 8 or 4 bytes that
 * overlap at the end; strings longer than 64 bytes take another path. Every byte value, at every
 * place in strings of lengths on both sides of those steps, is escaped exactly as on its own. */
static void test_every_byte_in_every_place(void)
{
    static const size_t lengths[] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  15, 16, 17, 23,
                                     24, 31, 32, 33, 40, 47, 48, 63, 64, 65, 72, 80, 97};
    uint8_t value[97];
    for (size_t which = 0; which < G_N_ELEMENTS(lengths); which++) {
        size_t value_length = lengths[which];
        g_assert_cmpuint(value_length, <=, sizeof value);
        for (unsigned byte = 0; byte < 256; byte++) {
            for (size_t place = 0; place < value_length; place++) {
                memset(value, 'a', value_length);
                value[place] = (uint8_t)byte;
                char *text = NULL;
                size_t length = 0;
                FILE *stream = open_memstream(&text, &length);
                OddportJsonWriter *writer = oddport_json_writer_new(stream);
                /* A copy of exactly the string's length, so that the sanitizers see any read
                 * past its end. */
                uint8_t *exact = g_memdup2(value, value_length);
                oddport_json_string_bytes(writer, exact, value_length);
                g_free(exact);
                oddport_json_writer_free(writer);
                fclose(stream);
                GString *expected = g_string_new("\"");
                g_string_append_len(expected, (const char *)value, (gssize)place);
                bool plain = byte >= 0x20 && byte < 0x7f && byte != '"' && byte != '\\';
                if (plain) {
                    g_string_append_c(expected, (char)byte);
                } else {
                    char escaped[6 * 4 + 1];
                    size_t written = oddport_json_escape(value + place, 1, escaped);
                    g_string_append_len(expected, escaped, (gssize)written);
                }
                g_string_append_len(expected, (const char *)value + place + 1,
                                    (gssize)(value_length - place - 1));
                g_string_append_c(expected, '"');
                g_assert_cmpstr(text, ==, expected->str);
                g_string_free(expected, TRUE);
                free(text);
            }
        }
    }
}

/* Members written ahead of time into a text, then placed into an object, read the same as
 * members written in place: commas before, between and after, nesting, and a value longer than
 * the writer's buffer, which leaves it in pieces. */
static char *long_value_text;

static const char *long_value(void)
{
    return long_value_text;
}

static void write_some_members(OddportJsonWriter *writer)
{
    oddport_json_key(writer, "number");
    oddport_json_unsigned(writer, 42);
    oddport_json_key(writer, "inner");
    oddport_json_begin_object(writer);
    oddport_json_key(writer, "list");
    oddport_json_begin_array(writer);
    oddport_json_boolean(writer, false);
    oddport_json_string(writer, "two");
    oddport_json_end_array(writer);
    oddport_json_end_object(writer);
    oddport_json_key(writer, "long");
    oddport_json_string(writer, long_value());
}

static void write_members_in_place(OddportJsonWriter *writer)
{
    oddport_json_begin_array(writer);
    oddport_json_begin_object(writer);
    oddport_json_key(writer, "before");
    oddport_json_null(writer);
    write_some_members(writer);
    oddport_json_key(writer, "after");
    oddport_json_null(writer);
    oddport_json_end_object(writer);
    oddport_json_begin_object(writer);
    write_some_members(writer);
    oddport_json_end_object(writer);
    oddport_json_end_array(writer);
}

/* How far into the buffer the padding string reaches, for the tests of members near its end. */
static size_t padding_length;

static void write_padding(OddportJsonWriter *writer)
{
    char *padding = g_malloc(padding_length + 1);
    memset(padding, 'p', padding_length);
    padding[padding_length] = '\0';
    oddport_json_begin_object(writer);
    ODDPORT_JSON_MEMBER(writer, "padding");
    oddport_json_string(writer, padding);
    g_free(padding);
}

/* Members and array elements written each in one piece, as a flow's are: a value of the
 * caller's own through oddport_json_value_begin, and the writer's numbers, flags and nulls. */
static void write_members_in_one_piece(OddportJsonWriter *writer)
{
    write_padding(writer);
    static const char text[] = "\"text\"";
    char *out = oddport_json_value_begin(writer, "text", 4, sizeof text - 1);
    memcpy(out, text, sizeof text - 1);
    oddport_json_value_end(writer, out + sizeof text - 1);
    oddport_json_put_unsigned(writer, "number", 6, 12345678901234567890u);
    oddport_json_open(writer, "list", 4, '[');
    oddport_json_put_null(writer, NULL, 0);
    oddport_json_open(writer, NULL, 0, '{');
    oddport_json_end_object(writer);
    oddport_json_put_unsigned(writer, NULL, 0, 7);
    oddport_json_put_boolean(writer, NULL, 0, true);
    oddport_json_end_array(writer);
    oddport_json_open(writer, "empty", 5, '{');
    oddport_json_end_object(writer);
    oddport_json_put_boolean(writer, "flag", 4, false);
    oddport_json_put_null(writer, "none", 4);
    oddport_json_end_object(writer);
}

/* The same members and elements through the writer's functions one by one. */
static void write_members_one_by_one(OddportJsonWriter *writer)
{
    write_padding(writer);
    oddport_json_key(writer, "text");
    oddport_json_string(writer, "text");
    oddport_json_key(writer, "number");
    oddport_json_unsigned(writer, 12345678901234567890u);
    oddport_json_key(writer, "list");
    oddport_json_begin_array(writer);
    oddport_json_null(writer);
    oddport_json_begin_object(writer);
    oddport_json_end_object(writer);
    oddport_json_unsigned(writer, 7);
    oddport_json_boolean(writer, true);
    oddport_json_end_array(writer);
    oddport_json_key(writer, "empty");
    oddport_json_begin_object(writer);
    oddport_json_end_object(writer);
    oddport_json_key(writer, "flag");
    oddport_json_boolean(writer, false);
    oddport_json_key(writer, "none");
    oddport_json_null(writer);
    oddport_json_end_object(writer);
}

/* A member and its value, or an array element, written in one piece come out as the same written
 * piece by piece, and as the text spelt out here (the writer's plain values are its one-piece
 * ones without a name, so the two ways share code), wherever in the buffer they fall: before its
 * end, across it, or just after a flush. */
static void test_members_in_one_piece(void)
{
    static const char members[] = ",\"text\":\"text\",\"number\":12345678901234567890,"
                                  "\"list\":[null,{},7,true],\"empty\":{},\"flag\":false,"
                                  "\"none\":null}\n";
    for (padding_length = ODDPORT_JSON_BUFFER_SIZE - 120;
         padding_length <= ODDPORT_JSON_BUFFER_SIZE + 10; padding_length++) {
        g_autofree char *in_one_piece = capture_output(write_members_in_one_piece);
        g_autofree char *one_by_one = capture_output(write_members_one_by_one);
        GString *expected = g_string_new("{\"padding\":\"");
        for (size_t index = 0; index < padding_length; index++)
            g_string_append_c(expected, 'p');
        g_string_append_c(expected, '"');
        g_string_append(expected, members);
        g_assert_cmpstr(in_one_piece, ==, expected->str);
        g_assert_cmpstr(one_by_one, ==, expected->str);
        g_string_free(expected, TRUE);
    }
}

/* Keys of every length around the bound of the plain path (one piece up to PLAIN_KEY_MAX bytes,
 * the escaping path beyond), and far longer, wherever in the buffer they fall. */
static size_t key_length;

static void write_key_after_padding(OddportJsonWriter *writer)
{
    write_padding(writer);
    char *key = g_malloc(key_length + 1);
    memset(key, 'k', key_length);
    key[key_length] = '\0';
    oddport_json_key(writer, key);
    g_free(key);
    oddport_json_unsigned(writer, 1);
    oddport_json_end_object(writer);
}

static void test_keys_of_any_length(void)
{
    static const size_t lengths[] = {1, 59, 60, 61, 64, 200, ODDPORT_JSON_BUFFER_SIZE + 5};
    for (size_t which = 0; which < G_N_ELEMENTS(lengths); which++) {
        key_length = lengths[which];
        for (padding_length = ODDPORT_JSON_BUFFER_SIZE - 80;
             padding_length <= ODDPORT_JSON_BUFFER_SIZE + 4; padding_length += 3) {
            g_autofree char *text = capture_output(write_key_after_padding);
            GString *expected = g_string_new("{\"padding\":\"");
            for (size_t index = 0; index < padding_length; index++)
                g_string_append_c(expected, 'p');
            g_string_append(expected, "\",\"");
            for (size_t index = 0; index < key_length; index++)
                g_string_append_c(expected, 'k');
            g_string_append(expected, "\":1}\n");
            g_assert_cmpstr(text, ==, expected->str);
            g_string_free(expected, TRUE);
        }
    }
}

static GString *prepared_members;

static void write_prepared_members(OddportJsonWriter *writer)
{
    oddport_json_begin_array(writer);
    oddport_json_begin_object(writer);
    oddport_json_key(writer, "before");
    oddport_json_null(writer);
    oddport_json_members(writer, prepared_members->str, prepared_members->len);
    oddport_json_key(writer, "after");
    oddport_json_null(writer);
    oddport_json_end_object(writer);
    oddport_json_begin_object(writer);
    oddport_json_members(writer, prepared_members->str, prepared_members->len);
    oddport_json_end_object(writer);
    oddport_json_end_array(writer);
}

static void test_members_written_ahead(void)
{
    long_value_text = g_malloc(3 * ODDPORT_JSON_BUFFER_SIZE + 1);
    for (size_t index = 0; index < 3 * ODDPORT_JSON_BUFFER_SIZE; index++)
        long_value_text[index] = (char)('a' + index % 26);
    long_value_text[3 * ODDPORT_JSON_BUFFER_SIZE] = '\0';
    /* Written straight into a text far smaller than the members, which grows to take them. */
    prepared_members = g_string_new("held before");
    OddportJsonWriter *members = oddport_json_writer_new_members();
    oddport_json_writer_start_members(members, prepared_members);
    write_some_members(members);
    oddport_json_writer_end_members(members);
    g_assert_true(g_str_has_prefix(prepared_members->str, "\"number\":42,"));
    g_assert_cmpuint(strlen(prepared_members->str), ==, prepared_members->len);
    g_autofree char *in_place = capture_output(write_members_in_place);
    g_autofree char *prepared = capture_output(write_prepared_members);
    g_assert_cmpuint(strlen(prepared), ==, strlen(in_place));
    g_assert_true(strcmp(prepared, in_place) == 0);
    g_autoptr(JsonParser) parser = json_parser_new();
    g_assert_true(json_parser_load_from_data(parser, prepared, -1, NULL));
    oddport_json_writer_free(members);
    g_string_free(prepared_members, TRUE);
    g_clear_pointer(&long_value_text, g_free);
}

/* A run of members replaces what its text held, leaves other texts alone, starts without a
 * comma and ends with the text's length and NUL set; one writer serves run after run. */
static void test_members_in_turn(void)
{
    g_autoptr(GString) first = g_string_new("held before");
    g_autoptr(GString) second = g_string_sized_new(4);
    OddportJsonWriter *members = oddport_json_writer_new_members();
    oddport_json_writer_start_members(members, first);
    oddport_json_key(members, "short");
    oddport_json_unsigned(members, 7);
    oddport_json_writer_end_members(members);
    g_assert_cmpstr(first->str, ==, "\"short\":7");
    g_assert_cmpuint(first->len, ==, strlen("\"short\":7"));

    oddport_json_writer_start_members(members, second);
    oddport_json_key(members, "again");
    oddport_json_null(members);
    oddport_json_key(members, "text");
    oddport_json_string(members, "a \"quoted\" word");
    oddport_json_writer_end_members(members);
    g_assert_cmpstr(second->str, ==, "\"again\":null,\"text\":\"a \\\"quoted\\\" word\"");
    g_assert_cmpstr(first->str, ==, "\"short\":7");

    /* Back into the first text, longer than it was: it grows, keeping what was written. */
    oddport_json_writer_start_members(members, first);
    for (unsigned index = 0; index < 1000; index++) {
        oddport_json_key(members, "n");
        oddport_json_unsigned(members, index);
    }
    oddport_json_writer_free(members);
    g_assert_cmpuint(first->len, ==, strlen(first->str));
    g_assert_true(g_str_has_prefix(first->str, "\"n\":0,\"n\":1,"));
    g_assert_true(g_str_has_suffix(first->str, ",\"n\":998,\"n\":999"));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/json-writer/structure", test_structure);
    g_test_add_func("/json-writer/escaping-parses-back", test_escaping_parses_back);
    g_test_add_func("/json-writer/keys-of-any-length", test_keys_of_any_length);
    g_test_add_func("/json-writer/long-values-keep-utf8", test_long_values_keep_utf8);
    g_test_add_func("/json-writer/every-byte-in-every-place", test_every_byte_in_every_place);
    g_test_add_func("/json-writer/members-written-ahead", test_members_written_ahead);
    g_test_add_func("/json-writer/members-in-turn", test_members_in_turn);
    g_test_add_func("/json-writer/members-in-one-piece", test_members_in_one_piece);
    return g_test_run();
}
