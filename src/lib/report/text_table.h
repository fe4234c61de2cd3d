/* Tables for reports people read: columns, widths, alignment, "+N more" and styles. */
#ifndef ODDPORT_TEXT_TABLE_H
#define ODDPORT_TEXT_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <glib.h>

/* What a piece of text means to the eye, not how it looks: a terminal shows it with ANSI
 * colours, a markup format could give it a class. Severities get the loudest styles so the eye
 * lands on them first. */
typedef enum {
    ODDPORT_TEXT_STYLE_NONE,
    ODDPORT_TEXT_STYLE_HEADING,
    ODDPORT_TEXT_STYLE_MASQUERADE,
    ODDPORT_TEXT_STYLE_UNEXPECTED,
    ODDPORT_TEXT_STYLE_ALTERNATE,
    ODDPORT_TEXT_STYLE_WARNING,
    ODDPORT_TEXT_STYLE_QUIET, /* labels of detail lines and "+N more" */
} OddportTextStyle;

/* The colour hook: appends `text` to `out` in `style`. */
typedef void (*OddportTextStyler)(GString *out, OddportTextStyle style, const char *text);

/* Appends the text as it is, for output without colour. */
void oddport_text_style_plain(GString *out, OddportTextStyle style, const char *text);
/* Appends the text between ANSI SGR codes for its style, for terminals. */
void oddport_text_style_ansi(GString *out, OddportTextStyle style, const char *text);

/* The style of a severity name ("masquerade", "unexpected", "alternate"); none for others. */
OddportTextStyle oddport_text_severity_style(const char *severity);

typedef enum {
    ODDPORT_TEXT_ALIGN_LEFT,
    ODDPORT_TEXT_ALIGN_RIGHT,
} OddportTextAlignment;

typedef struct {
    const char *heading;
    OddportTextAlignment alignment;
    /* The style of a cell from its text, such as oddport_text_severity_style, or NULL for
     * none. Headings are never styled. */
    OddportTextStyle (*cell_style)(const char *cell);
} OddportTextColumn;

#define ODDPORT_TEXT_TABLE_COLUMNS_MAX 8

/* What goes on a line under a row, not counted for the column widths: `before`, then when
 * `has_times` "seen: FIRST to LAST", then `after`; and `below`, when not empty, on a line of its
 * own under that one. The texts are already escaped (and styled, when styles are on); NULL
 * counts as "". Times are kept as numbers because whether they need their date is only known
 * when the table is written. */
typedef struct {
    const char *before;
    bool has_times;
    uint64_t first_seen_ns;
    uint64_t last_seen_ns;
    const char *after;
    const char *below;
} OddportTextDetail;

/* A table whose columns are as wide as their widest cell, so rows are kept until it is written:
 * memory grows with the rows kept, and `limit` bounds them. All cell text must be ASCII (wire
 * text arrives escaped), so a cell's width is its length. The members are for this module
 * only; initialise with oddport_text_table_init and release with oddport_text_table_clear. */
typedef struct {
    const OddportTextColumn *columns; /* borrowed: usually a static table */
    size_t column_count;
    size_t widths[ODDPORT_TEXT_TABLE_COLUMNS_MAX];
    GPtrArray *rows;        /* owned: one block per row, cells then detail texts */
    uint64_t limit;         /* rows kept at most; 0 keeps all */
    uint64_t rows_left_out; /* rows beyond the limit, counted for the "+N more" line */
} OddportTextTable;

/* `columns` is borrowed and must outlive the table; at most ODDPORT_TEXT_TABLE_COLUMNS_MAX. */
void oddport_text_table_init(OddportTextTable *table, const OddportTextColumn *columns,
                             size_t column_count, uint64_t limit);
void oddport_text_table_clear(OddportTextTable *table);

/* Whether one more row fits under the limit; counts it as left out when not. Ask before
 * formatting a row's cells, so rows beyond the limit cost nothing more. */
bool oddport_text_table_wants_row(OddportTextTable *table);

/* Adds a row: `cells` holds column_count strings (copied); `detail` may be NULL. */
void oddport_text_table_add(OddportTextTable *table, const char *const *cells,
                            const OddportTextDetail *detail);

/* Rows kept, and rows offered in all (kept and left out). */
size_t oddport_text_table_kept(const OddportTextTable *table);
uint64_t oddport_text_table_offered(const OddportTextTable *table);

/* The cells of kept row `index` (column_count pointers) and its detail; both point into the
 * table (transfer none) and stay valid until it is cleared. For writers of other layouts. */
void oddport_text_table_row(const OddportTextTable *table, size_t index, const char **cells,
                            OddportTextDetail *detail);

/* Writes the table for a terminal: the headings, each row with its detail line indented under
 * it, and "+N more WHAT (--top 0 shows all)" when the limit left rows out. `with_date`: whether
 * detail times need their date. Columns are two spaces apart and the last one gets no trailing
 * spaces. */
void oddport_text_table_write(FILE *stream, const OddportTextTable *table, OddportTextStyler styler,
                              bool with_date, const char *what);

/* "seen: 01:10:54 to 01:10:56" (one time when both fall in the same second), UTC. */
void oddport_text_append_seen(GString *out, OddportTextStyler styler, uint64_t first_ns,
                              uint64_t last_ns, bool with_date);

#endif
