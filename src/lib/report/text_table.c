/* Tables for reports people read: rows kept to size the columns, then written aligned. */
#include <inttypes.h>
#include <string.h>

#include <glib.h>

#include "oddport/report.h"
#include "text_table.h"

/* ANSI SGR parameters per style; NULL leaves the text plain. */
static const char *const ansi_codes[] = {
    [ODDPORT_TEXT_STYLE_NONE] = NULL,         [ODDPORT_TEXT_STYLE_HEADING] = "1",
    [ODDPORT_TEXT_STYLE_MASQUERADE] = "1;31", [ODDPORT_TEXT_STYLE_UNEXPECTED] = "33",
    [ODDPORT_TEXT_STYLE_ALTERNATE] = "36",    [ODDPORT_TEXT_STYLE_WARNING] = "1;33",
    [ODDPORT_TEXT_STYLE_QUIET] = "2",
};

void oddport_text_style_plain(GString *out, OddportTextStyle style, const char *text)
{
    (void)style;
    g_string_append(out, text);
}

void oddport_text_style_ansi(GString *out, OddportTextStyle style, const char *text)
{
    if (ansi_codes[style] == NULL) {
        g_string_append(out, text);
        return;
    }
    g_string_append_printf(out, "\033[%sm%s\033[0m", ansi_codes[style], text);
}

OddportTextStyle oddport_text_severity_style(const char *severity)
{
    if (strcmp(severity, "masquerade") == 0)
        return ODDPORT_TEXT_STYLE_MASQUERADE;
    if (strcmp(severity, "unexpected") == 0)
        return ODDPORT_TEXT_STYLE_UNEXPECTED;
    if (strcmp(severity, "alternate") == 0)
        return ODDPORT_TEXT_STYLE_ALTERNATE;
    return ODDPORT_TEXT_STYLE_NONE;
}

/* One row in one allocation, since --all-flows keeps one per flow: the times, then each cell
 * NUL-terminated, then the detail before the times, the detail after them and the one below. */
typedef struct {
    bool has_times;
    uint64_t first_seen_ns;
    uint64_t last_seen_ns;
    char text[];
} Row;

void oddport_text_table_init(OddportTextTable *table, const OddportTextColumn *columns,
                             size_t column_count, uint64_t limit)
{
    g_assert(column_count <= ODDPORT_TEXT_TABLE_COLUMNS_MAX);
    memset(table, 0, sizeof *table);
    table->columns = columns;
    table->column_count = column_count;
    table->rows = g_ptr_array_new_with_free_func(g_free);
    table->limit = limit;
    for (size_t column = 0; column < column_count; column++)
        table->widths[column] = strlen(columns[column].heading);
}

void oddport_text_table_clear(OddportTextTable *table)
{
    if (table->rows != NULL)
        g_ptr_array_unref(table->rows);
    table->rows = NULL;
}

bool oddport_text_table_wants_row(OddportTextTable *table)
{
    if (table->limit != 0 && table->rows->len >= table->limit) {
        table->rows_left_out++;
        return false;
    }
    return true;
}

void oddport_text_table_add(OddportTextTable *table, const char *const *cells,
                            const OddportTextDetail *detail)
{
    const char *before = detail != NULL && detail->before != NULL ? detail->before : "";
    const char *after = detail != NULL && detail->after != NULL ? detail->after : "";
    const char *below = detail != NULL && detail->below != NULL ? detail->below : "";
    const char *details[] = {before, after, below};
    size_t lengths[ODDPORT_TEXT_TABLE_COLUMNS_MAX + G_N_ELEMENTS(details)];
    size_t total = 0;
    for (size_t column = 0; column < table->column_count; column++) {
        lengths[column] = strlen(cells[column]);
        if (lengths[column] > table->widths[column])
            table->widths[column] = lengths[column];
        total += lengths[column] + 1;
    }
    for (size_t index = 0; index < G_N_ELEMENTS(details); index++) {
        lengths[table->column_count + index] = strlen(details[index]);
        total += lengths[table->column_count + index] + 1;
    }

    Row *row = g_malloc(sizeof(Row) + total);
    row->has_times = detail != NULL && detail->has_times;
    row->first_seen_ns = row->has_times ? detail->first_seen_ns : 0;
    row->last_seen_ns = row->has_times ? detail->last_seen_ns : 0;
    char *cursor = row->text;
    for (size_t part = 0; part < table->column_count + G_N_ELEMENTS(details); part++) {
        const char *text =
            part < table->column_count ? cells[part] : details[part - table->column_count];
        memcpy(cursor, text, lengths[part] + 1);
        cursor += lengths[part] + 1;
    }
    g_ptr_array_add(table->rows, row);
}

size_t oddport_text_table_kept(const OddportTextTable *table)
{
    return table->rows->len;
}

uint64_t oddport_text_table_offered(const OddportTextTable *table)
{
    return table->rows->len + table->rows_left_out;
}

void oddport_text_table_row(const OddportTextTable *table, size_t index, const char **cells,
                            OddportTextDetail *detail)
{
    const Row *row = g_ptr_array_index(table->rows, index);
    const char *cursor = row->text;
    for (size_t column = 0; column < table->column_count; column++) {
        cells[column] = cursor;
        cursor += strlen(cursor) + 1;
    }
    detail->before = cursor;
    detail->after = cursor + strlen(cursor) + 1;
    detail->below = detail->after + strlen(detail->after) + 1;
    detail->has_times = row->has_times;
    detail->first_seen_ns = row->first_seen_ns;
    detail->last_seen_ns = row->last_seen_ns;
}

static void append_padding(GString *line, size_t count)
{
    for (size_t index = 0; index < count; index++)
        g_string_append_c(line, ' ');
}

static void write_cells(FILE *stream, const OddportTextTable *table, const char *const *cells,
                        bool heading, OddportTextStyler styler)
{
    GString *line = g_string_new("  ");
    for (size_t column = 0; column < table->column_count; column++) {
        const OddportTextColumn *spec = &table->columns[column];
        size_t padding = table->widths[column] - strlen(cells[column]);
        bool last = column + 1 == table->column_count;
        if (column > 0)
            g_string_append(line, "  ");
        if (spec->alignment == ODDPORT_TEXT_ALIGN_RIGHT)
            append_padding(line, padding);
        OddportTextStyle style = heading || spec->cell_style == NULL
                                     ? ODDPORT_TEXT_STYLE_NONE
                                     : spec->cell_style(cells[column]);
        styler(line, style, cells[column]);
        if (spec->alignment == ODDPORT_TEXT_ALIGN_LEFT && !last)
            append_padding(line, padding);
    }
    g_string_append_c(line, '\n');
    fwrite(line->str, 1, line->len, stream);
    g_string_free(line, TRUE);
}

void oddport_text_append_seen(GString *out, OddportTextStyler styler, uint64_t first_ns,
                              uint64_t last_ns, bool with_date)
{
    char first[ODDPORT_TIME_TEXT_MAX];
    char last[ODDPORT_TIME_TEXT_MAX];
    oddport_format_clock(first_ns, with_date, first);
    oddport_format_clock(last_ns, with_date, last);
    styler(out, ODDPORT_TEXT_STYLE_QUIET, "seen:");
    g_string_append_printf(out, " %s", first);
    if (strcmp(first, last) != 0)
        g_string_append_printf(out, " to %s", last);
}

void oddport_text_table_write(FILE *stream, const OddportTextTable *table, OddportTextStyler styler,
                              bool with_date, const char *what)
{
    const char *cells[ODDPORT_TEXT_TABLE_COLUMNS_MAX];
    for (size_t column = 0; column < table->column_count; column++)
        cells[column] = table->columns[column].heading;
    write_cells(stream, table, cells, true, styler);
    GString *line = g_string_new(NULL);
    for (size_t index = 0; index < oddport_text_table_kept(table); index++) {
        OddportTextDetail detail;
        oddport_text_table_row(table, index, cells, &detail);
        write_cells(stream, table, cells, false, styler);
        g_string_assign(line, detail.before);
        if (detail.has_times)
            oddport_text_append_seen(line, styler, detail.first_seen_ns, detail.last_seen_ns,
                                     with_date);
        g_string_append(line, detail.after);
        if (line->len > 0)
            fprintf(stream, "      %s\n", line->str);
        if (detail.below[0] != '\0')
            fprintf(stream, "      %s\n", detail.below);
    }
    if (table->rows_left_out > 0) {
        g_autofree char *more =
            g_strdup_printf("+%" PRIu64 " more %s (--top 0 shows all)", table->rows_left_out, what);
        g_string_assign(line, "  ");
        styler(line, ODDPORT_TEXT_STYLE_QUIET, more);
        fprintf(stream, "%s\n", line->str);
    }
    g_string_free(line, TRUE);
}
