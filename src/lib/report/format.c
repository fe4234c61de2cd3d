/* Formatting shared by the report writers: times, units, endpoints, filters and wire text. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "internal/decimal.h"
#include "internal/escape.h"
#include "internal/word_scan.h"
#include "oddport/report.h"

/* The proleptic Gregorian date of a day counted from 1970-01-01, by whole 400-year eras: the
 * JSON report writes two times per flow and gmtime_r + strftime cost more than the rest of it. */
static void date_from_days(int64_t days, int64_t *year, unsigned *month, unsigned *day)
{
    days += 719468; /* days from 0000-03-01 to 1970-01-01 */
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    unsigned day_of_era = (unsigned)(days - era * 146097);
    unsigned year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    unsigned day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    unsigned shifted_month = (5 * day_of_year + 2) / 153; /* March is 0 */
    *day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    *month = shifted_month < 10 ? shifted_month + 3 : shifted_month - 9;
    *year = (int64_t)year_of_era + era * 400 + (*month <= 2 ? 1 : 0);
}

/* "YYYY-MM-DDTHH:MM:SS", the part of a time that a whole second shares. */
enum { SECOND_TEXT_LENGTH = 19 };

/* The text of the last whole second this thread formatted. A report's times come in runs within
 * one second (flows are written mostly in the order they end, those still open at the end in the
 * order they began, and a flood's flows all end within a few seconds), so most times need only
 * their fraction written; the calendar arithmetic cost more than the rest of a time. One per
 * thread, since workers write flows' text in parallel. */
static _Thread_local struct {
    uint64_t seconds; /* UINT64_MAX until the first: no timestamp's seconds reach it */
    char text[SECOND_TEXT_LENGTH];
} last_second = {.seconds = UINT64_MAX};

static void format_second(uint64_t seconds, char text[SECOND_TEXT_LENGTH])
{
    int64_t year;
    unsigned month;
    unsigned day;
    date_from_days((int64_t)(seconds / 86400), &year, &month, &day);
    unsigned second_of_day = (unsigned)(seconds % 86400);
    /* Timestamps are unsigned nanoseconds since 1970: the last is in 2554, so the year always
     * has four digits and never a sign. */
    char *out = oddport_decimal_put_width(text, (uint32_t)year, 4);
    *out++ = '-';
    out = oddport_decimal_put_width(out, month, 2);
    *out++ = '-';
    out = oddport_decimal_put_width(out, day, 2);
    *out++ = 'T';
    out = oddport_decimal_put_width(out, second_of_day / 3600, 2);
    *out++ = ':';
    out = oddport_decimal_put_width(out, second_of_day / 60 % 60, 2);
    *out++ = ':';
    oddport_decimal_put_width(out, second_of_day % 60, 2);
}

size_t oddport_format_time(uint64_t timestamp_ns, unsigned digits, char text[ODDPORT_TIME_TEXT_MAX])
{
    uint64_t seconds = timestamp_ns / 1000000000u;
    uint32_t fraction = (uint32_t)(timestamp_ns % 1000000000u);
    if (last_second.seconds != seconds) {
        format_second(seconds, last_second.text);
        last_second.seconds = seconds;
    }
    memcpy(text, last_second.text, SECOND_TEXT_LENGTH);
    char *out = text + SECOND_TEXT_LENGTH;
    *out++ = '.';
    out = digits >= 9 ? oddport_decimal_put_width(out, fraction, 9)
                      : oddport_decimal_put_width(out, fraction / 1000u, 6);
    *out++ = 'Z';
    *out = '\0';
    return (size_t)(out - text);
}

/* Up to nine digits after a decimal point as nanoseconds; sets `end` past the digits. False when
 * there is no digit. Digits beyond the ninth are below a nanosecond and dropped. */
static bool parse_fraction(const char *digits, uint64_t *nanoseconds, const char **end)
{
    uint64_t value = 0;
    unsigned count = 0;
    const char *cursor = digits;
    for (; g_ascii_isdigit(*cursor); cursor++)
        if (count < 9) {
            value = value * 10 + (uint64_t)(*cursor - '0');
            count++;
        }
    if (cursor == digits)
        return false;
    for (; count < 9; count++)
        value *= 10;
    *nanoseconds = value;
    *end = cursor;
    return true;
}

/* Seconds since the epoch: digits, optionally a fraction. */
static bool parse_epoch_seconds(const char *text, uint64_t *timestamp_ns)
{
    uint64_t seconds = 0;
    const char *cursor = text;
    for (; g_ascii_isdigit(*cursor); cursor++) {
        seconds = seconds * 10 + (uint64_t)(*cursor - '0');
        /* Beyond this the nanoseconds no longer fit in 64 bits (the year 2554). */
        if (seconds > UINT64_MAX / 1000000000u - 1)
            return false;
    }
    if (cursor == text)
        return false;
    uint64_t fraction = 0;
    if (*cursor == '.' && !parse_fraction(cursor + 1, &fraction, &cursor))
        return false;
    if (*cursor != '\0')
        return false;
    *timestamp_ns = seconds * 1000000000u + fraction;
    return true;
}

bool oddport_parse_time(const char *text, uint64_t *timestamp_ns)
{
    if (parse_epoch_seconds(text, timestamp_ns))
        return true;
    /* RFC 3339 is the one ISO 8601 profile meant: a full date, then 'T' (or, as RFC 3339 allows,
     * 't' or a space), a full time and a zone. GLib reads the rest, to microseconds; the
     * fraction is taken apart so that nanosecond captures can be cut exactly. */
    if (strlen(text) < 20 || !g_ascii_isdigit(text[0]) || text[4] != '-' || text[7] != '-' ||
        (text[10] != 'T' && text[10] != 't' && text[10] != ' ') || text[13] != ':' ||
        text[16] != ':')
        return false;
    uint64_t fraction = 0;
    g_autofree char *whole = NULL;
    if (text[19] == '.') {
        const char *after;
        if (!parse_fraction(text + 20, &fraction, &after))
            return false;
        whole = g_strdup_printf("%.19s%s", text, after);
    } else {
        whole = g_strdup(text);
    }
    whole[10] = 'T';
    /* RFC 3339 allows a lower-case zone letter too; GLib takes only 'Z'. */
    size_t length = strlen(whole);
    if (whole[length - 1] == 'z')
        whole[length - 1] = 'Z';
    /* Without a default zone GLib refuses a time that names none, as RFC 3339 does. */
    GDateTime *time = g_date_time_new_from_iso8601(whole, NULL);
    if (time == NULL)
        return false;
    gint64 seconds = g_date_time_to_unix(time);
    g_date_time_unref(time);
    if (seconds < 0 || (uint64_t)seconds > UINT64_MAX / 1000000000u - 1)
        return false;
    *timestamp_ns = (uint64_t)seconds * 1000000000u + fraction;
    return true;
}

void oddport_format_clock(uint64_t timestamp_ns, bool with_date, char text[ODDPORT_TIME_TEXT_MAX])
{
    time_t seconds = (time_t)(timestamp_ns / 1000000000u);
    struct tm broken_down;
    if (gmtime_r(&seconds, &broken_down) == NULL) {
        snprintf(text, ODDPORT_TIME_TEXT_MAX, "invalid-time");
        return;
    }
    strftime(text, ODDPORT_TIME_TEXT_MAX, with_date ? "%Y-%m-%d %H:%M:%S" : "%H:%M:%S",
             &broken_down);
}

/* Scales `value` by `base` until it shows in at most three digits, then writes it with one
 * decimal below 100 and none above: "7.1", "95.8", "958". Rounding happens before the unit is
 * chosen, so 999.96 becomes "1.0" of the next unit rather than "1000". Below `base` the exact
 * number is as short as any rounding of it; deciding that by an integer comparison lets the
 * compiler see that it has at most four digits and fits the buffer. */
static void format_scaled(uint64_t value, unsigned base, const char *const *units,
                          size_t unit_count, const char *separator,
                          char text[ODDPORT_HUMAN_TEXT_MAX])
{
    if (value < base) {
        snprintf(text, ODDPORT_HUMAN_TEXT_MAX, "%" PRIu64 "%s%s", value,
                 units[0][0] != '\0' ? separator : "", units[0]);
        return;
    }
    double scaled = (double)value / base;
    size_t unit = 1;
    while (unit + 1 < unit_count && scaled >= 999.95) {
        scaled /= base;
        unit++;
    }
    if (scaled < 99.95)
        snprintf(text, ODDPORT_HUMAN_TEXT_MAX, "%.1f%s%s", scaled, separator, units[unit]);
    else
        snprintf(text, ODDPORT_HUMAN_TEXT_MAX, "%.0f%s%s", scaled, separator, units[unit]);
}

void oddport_format_bytes(uint64_t bytes, char text[ODDPORT_HUMAN_TEXT_MAX])
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    format_scaled(bytes, 1024, units, G_N_ELEMENTS(units), " ", text);
}

void oddport_format_count(uint64_t count, char text[ODDPORT_HUMAN_TEXT_MAX])
{
    static const char *const units[] = {"", "k", "M", "G", "T", "P", "E"};
    format_scaled(count, 1000, units, G_N_ELEMENTS(units), "", text);
}

void oddport_format_duration(uint64_t nanoseconds, char text[ODDPORT_HUMAN_TEXT_MAX])
{
    uint64_t seconds = nanoseconds / 1000000000u;
    if (nanoseconds < 1000000000u)
        snprintf(text, ODDPORT_HUMAN_TEXT_MAX, "%" PRIu64 " ms", nanoseconds / 1000000u);
    else if (seconds < 60)
        snprintf(text, ODDPORT_HUMAN_TEXT_MAX, "%.1f s", (double)nanoseconds / 1e9);
    else if (seconds < 3600)
        snprintf(text, ODDPORT_HUMAN_TEXT_MAX, "%" PRIu64 " min %02" PRIu64 " s", seconds / 60,
                 seconds % 60);
    else if (seconds < 86400)
        snprintf(text, ODDPORT_HUMAN_TEXT_MAX, "%" PRIu64 " h %02" PRIu64 " min", seconds / 3600,
                 seconds / 60 % 60);
    else
        snprintf(text, ODDPORT_HUMAN_TEXT_MAX, "%" PRIu64 " d %02" PRIu64 " h", seconds / 86400,
                 seconds / 3600 % 24);
}

void oddport_format_endpoint(const OddportAddress *address, uint16_t port,
                             char text[ODDPORT_ENDPOINT_TEXT_MAX])
{
    char address_text[ODDPORT_ADDRESS_TEXT_MAX];
    oddport_address_to_text(address, address_text);
    /* Brackets keep an IPv6 address's colons apart from the port's, as in URLs (RFC 3986). */
    if (address->family == 6)
        snprintf(text, ODDPORT_ENDPOINT_TEXT_MAX, "[%s]:%u", address_text, (unsigned)port);
    else
        snprintf(text, ODDPORT_ENDPOINT_TEXT_MAX, "%s:%u", address_text, (unsigned)port);
}

void oddport_format_display_filter(const OddportAddress *address, uint16_t port,
                                   OddportTransport transport,
                                   char text[ODDPORT_DISPLAY_FILTER_TEXT_MAX])
{
    /* Put together piece by piece: a report writes one per service, and a scan makes many. */
    char *out = text;
    const char *network = address->family == 6 ? "ipv6.addr==" : "ip.addr==";
    out = stpcpy(out, network);
    oddport_address_to_text(address, out);
    out += strlen(out);
    out = stpcpy(out, " && ");
    out = stpcpy(out, oddport_transport_name(transport));
    out = stpcpy(out, ".port==");
    out += oddport_decimal_write(port, out);
    *out = '\0';
}

void oddport_append_decimal(GString *out, uint64_t value)
{
    char digits[ODDPORT_DECIMAL_MAX];
    g_string_append_len(out, digits, (gssize)oddport_decimal_write(value, digits));
}

void oddport_append_escaped(GString *out, const char *text)
{
    oddport_append_escaped_bytes(out, (const uint8_t *)text, strlen(text));
}

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

/* Whether none of eight bytes needs escaping: all printable ASCII, no backslash and, in markup,
 * none of the characters that have a reference. */
static bool word_is_plain(uint64_t word, bool markup)
{
    if (!oddport_word_bytes_between(word, 0x20, 0x7e) || oddport_word_has_byte(word, '\\'))
        return false;
    return !markup || !(oddport_word_has_byte(word, '&') || oddport_word_has_byte(word, '<') ||
                        oddport_word_has_byte(word, '>') || oddport_word_has_byte(word, '"') ||
                        oddport_word_has_byte(word, '\''));
}

static bool byte_is_plain(uint8_t byte, bool markup)
{
    return byte >= 0x20 && byte < 0x7f && byte != '\\' &&
           (!markup || markup_reference(byte) == NULL);
}

void oddport_append_escaped_bytes(GString *out, const uint8_t *bytes, size_t length)
{
    oddport_append_escaped_bytes_for(out, bytes, length, false);
}

void oddport_append_escaped_bytes_for(GString *out, const uint8_t *bytes, size_t length,
                                      bool markup)
{
    static const char hex_digits[] = "0123456789abcdef";
    const uint8_t *byte = bytes;
    const uint8_t *end = bytes + length;
    while (byte < end) {
        /* Runs of plain text, the usual case, are copied whole. */
        const uint8_t *run = byte;
        while (end - byte >= 8 && word_is_plain(oddport_word_load(byte), markup))
            byte += 8;
        while (byte < end && byte_is_plain(*byte, markup))
            byte++;
        if (byte > run)
            g_string_append_len(out, (const char *)run, byte - run);
        if (byte == end)
            break;
        const char *reference = markup ? markup_reference(*byte) : NULL;
        if (reference != NULL) {
            g_string_append(out, reference);
        } else if (*byte == '\\') {
            /* Doubled, so a literal "\x1b" sent on the wire cannot pass for an escaped byte. */
            g_string_append(out, "\\\\");
        } else {
            char escape[4] = {'\\', 'x', hex_digits[*byte >> 4], hex_digits[*byte & 0x0f]};
            g_string_append_len(out, escape, sizeof escape);
        }
        byte++;
    }
}
