/* Unit tests for the HTML report's escaping of wire text and its buffered page writer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "oddport/report.h"
#include "report/html_text.h"

/* Undoes the escaping: character references first, then \\ and \xNN. Fails the test on anything
 * the escaper never writes, so the output's shape is checked as well as its content. */
static GByteArray *unescape(const char *html)
{
    static const struct {
        const char *reference;
        char character;
    } references[] = {
        {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#39;", '\''}};
    GString *text = g_string_new(NULL);
    for (const char *at = html; *at != '\0';) {
        if (*at != '&') {
            g_string_append_c(text, *at++);
            continue;
        }
        size_t index = 0;
        while (index < G_N_ELEMENTS(references) &&
               strncmp(at, references[index].reference, strlen(references[index].reference)) != 0)
            index++;
        g_assert_cmpuint(index, <, G_N_ELEMENTS(references));
        g_string_append_c(text, references[index].character);
        at += strlen(references[index].reference);
    }
    GByteArray *bytes = g_byte_array_new();
    for (size_t at = 0; at < text->len;) {
        if (text->str[at] != '\\') {
            g_byte_array_append(bytes, (const guint8 *)&text->str[at++], 1);
            continue;
        }
        g_assert_cmpuint(at + 1, <, text->len);
        if (text->str[at + 1] == '\\') {
            g_byte_array_append(bytes, (const guint8 *)"\\", 1);
            at += 2;
            continue;
        }
        g_assert_cmpint(text->str[at + 1], ==, 'x');
        g_assert_cmpuint(at + 3, <, text->len);
        char digits[3] = {text->str[at + 2], text->str[at + 3], '\0'};
        guint8 byte = (guint8)strtoul(digits, NULL, 16);
        g_byte_array_append(bytes, &byte, 1);
        at += 4;
    }
    g_string_free(text, TRUE);
    return bytes;
}

/* What escaped HTML may hold: printable ASCII without the characters that make markup, and '&'
 * only where it starts a reference (which unescape checks). */
static void assert_inert(const char *html)
{
    for (const char *at = html; *at != '\0'; at++) {
        g_assert_cmpint((unsigned char)*at, >=, 0x20);
        g_assert_cmpint((unsigned char)*at, <, 0x7f);
        g_assert_null(strchr("<>\"'", *at));
    }
}

static void assert_round_trip(const guint8 *bytes, size_t length)
{
    GString *html = g_string_new(NULL);
    oddport_html_append_bytes(html, bytes, length);
    assert_inert(html->str);
    GByteArray *back = unescape(html->str);
    g_assert_cmpmem(back->data, (int)back->len, bytes, (int)length);
    g_byte_array_unref(back);
    g_string_free(html, TRUE);
}

/* Every byte value, alone and between plain text on either side, escapes to inert text that
 * unescapes to itself. */
static void test_every_byte(void)
{
    for (unsigned value = 0; value < 256; value++) {
        guint8 alone = (guint8)value;
        assert_round_trip(&alone, 1);
        guint8 surrounded[] = {'a', 'b', (guint8)value, 'c', (guint8)value, (guint8)value};
        assert_round_trip(surrounded, sizeof surrounded);
    }
}

/* Random bytes, markup-heavy and not. */
static void test_random_bytes(void)
{
    static const char markup[] = "<>\"'&\\=/ ajs:";
    GRand *random = g_rand_new_with_seed(13);
    for (unsigned round = 0; round < 2000; round++) {
        guint8 bytes[64];
        size_t length = (size_t)g_rand_int_range(random, 0, sizeof bytes + 1);
        for (size_t index = 0; index < length; index++)
            bytes[index] = round % 2 == 0
                               ? (guint8)g_rand_int_range(random, 0, 256)
                               : (guint8)markup[g_rand_int_range(random, 0, sizeof markup - 1)];
        assert_round_trip(bytes, length);
    }
    g_rand_free(random);
}

/* The page shows wire bytes as the text report does: the same \xNN and doubled backslashes, with
 * only the markup characters written as references on top. */
static void test_same_as_text_report(void)
{
    static const char sample[] = "SSH-2.0-x <script>alert('a')</script> \"><img src=x "
                                 "onerror=alert(1)> javascript:void(0) \\x1b \x1b[2J \xe2\x80\xae "
                                 "caf\xc3\xa9 & done";
    GString *text = g_string_new(NULL);
    oddport_append_escaped(text, sample);
    GString *expected = g_string_new(NULL);
    for (size_t index = 0; index < text->len; index++) {
        switch (text->str[index]) {
        case '&':
            g_string_append(expected, "&amp;");
            break;
        case '<':
            g_string_append(expected, "&lt;");
            break;
        case '>':
            g_string_append(expected, "&gt;");
            break;
        case '"':
            g_string_append(expected, "&quot;");
            break;
        case '\'':
            g_string_append(expected, "&#39;");
            break;
        default:
            g_string_append_c(expected, text->str[index]);
        }
    }
    GString *html = g_string_new(NULL);
    oddport_html_append_text(html, sample);
    g_assert_cmpstr(html->str, ==, expected->str);
    g_assert_nonnull(strstr(html->str, "&lt;script&gt;alert(&#39;a&#39;)&lt;/script&gt;"));
    g_assert_nonnull(strstr(html->str, "\\xe2\\x80\\xae"));
    g_string_free(html, TRUE);
    g_string_free(expected, TRUE);
    g_string_free(text, TRUE);
}

/* Plain text is copied eight bytes at a time: a markup character anywhere in a long plain run,
 * whatever its place in a word, is still written as its reference. */
static void test_markup_in_long_run(void)
{
    static const char *const references[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&#39;"};
    static const char characters[] = "&<>\"'";
    for (size_t which = 0; which < sizeof characters - 1; which++) {
        for (size_t place = 0; place < 24; place++) {
            char text[25];
            memset(text, 'a', 24);
            text[24] = '\0';
            text[place] = characters[which];
            GString *html = g_string_new(NULL);
            oddport_html_append_text(html, text);
            GString *expected = g_string_new(NULL);
            g_string_append_len(expected, text, (gssize)place);
            g_string_append(expected, references[which]);
            g_string_append(expected, text + place + 1);
            g_assert_cmpstr(html->str, ==, expected->str);
            g_string_free(expected, TRUE);
            g_string_free(html, TRUE);
        }
    }
}

/* The writer passes every byte through in order, across many blocks. */
static void test_output_blocks(void)
{
    char *written = NULL;
    size_t size = 0;
    FILE *stream = open_memstream(&written, &size);
    OddportHtmlOutput output;
    oddport_html_output_init(&output, stream);
    GString *expected = g_string_new(NULL);
    for (unsigned line = 0; line < 20000; line++) {
        g_string_append_printf(output.buffer, "<p>line %u</p>\n", line);
        g_string_append_printf(expected, "<p>line %u</p>\n", line);
        oddport_html_output_maybe_flush(&output);
        g_assert_cmpuint(output.buffer->len, <, 128 * 1024);
    }
    g_assert_true(oddport_html_output_finish(&output));
    fclose(stream);
    g_assert_cmpuint(size, ==, expected->len);
    g_assert_cmpmem(written, (int)size, expected->str, (int)expected->len);
    free(written);
    g_string_free(expected, TRUE);
}

/* A stream that cannot be written makes finish say so. */
static void test_output_failure(void)
{
    FILE *stream = fopen("/dev/full", "w");
    if (stream == NULL) {
        g_test_skip("no /dev/full");
        return;
    }
    OddportHtmlOutput output;
    oddport_html_output_init(&output, stream);
    for (unsigned line = 0; line < 20000; line++) {
        g_string_append(output.buffer, "<p>more than a block in all</p>\n");
        oddport_html_output_maybe_flush(&output);
    }
    g_assert_false(oddport_html_output_finish(&output));
    fclose(stream);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/report/html/escape/every-byte", test_every_byte);
    g_test_add_func("/report/html/escape/random-bytes", test_random_bytes);
    g_test_add_func("/report/html/escape/same-as-text-report", test_same_as_text_report);
    g_test_add_func("/report/html/escape/markup-in-long-run", test_markup_in_long_run);
    g_test_add_func("/report/html/output/blocks", test_output_blocks);
    g_test_add_func("/report/html/output/failure", test_output_failure);
    return g_test_run();
}
