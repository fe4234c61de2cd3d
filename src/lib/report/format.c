/* Formatting shared by the report writers: times, human units, endpoints and escaped wire text. */
#include <inttypes.h>
#include <stdio.h>
#include <time.h>

#include "oddport/report.h"

void oddport_format_time(uint64_t timestamp_ns, unsigned digits, char text[ODDPORT_TIME_TEXT_MAX])
{
    time_t seconds = (time_t)(timestamp_ns / 1000000000u);
    uint64_t fraction = timestamp_ns % 1000000000u;
    struct tm broken_down;
    if (gmtime_r(&seconds, &broken_down) == NULL) {
        snprintf(text, ODDPORT_TIME_TEXT_MAX, "invalid-time");
        return;
    }
    size_t length = strftime(text, ODDPORT_TIME_TEXT_MAX, "%Y-%m-%dT%H:%M:%S", &broken_down);
    if (digits >= 9)
        snprintf(text + length, ODDPORT_TIME_TEXT_MAX - length, ".%09" PRIu64 "Z", fraction);
    else
        snprintf(text + length, ODDPORT_TIME_TEXT_MAX - length, ".%06" PRIu64 "Z",
                 fraction / 1000u);
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
 * chosen, so 999.96 becomes "1.0" of the next unit rather than "1000". */
static void format_scaled(uint64_t value, double base, const char *const *units, size_t unit_count,
                          const char *separator, char text[ODDPORT_HUMAN_TEXT_MAX])
{
    double scaled = (double)value;
    size_t unit = 0;
    while (unit + 1 < unit_count && (unit == 0 ? scaled >= base : scaled >= 999.95)) {
        scaled /= base;
        unit++;
    }
    if (unit == 0)
        snprintf(text, ODDPORT_HUMAN_TEXT_MAX, "%" PRIu64 "%s%s", value,
                 units[0][0] != '\0' ? separator : "", units[0]);
    else if (scaled < 99.95)
        snprintf(text, ODDPORT_HUMAN_TEXT_MAX, "%.1f%s%s", scaled, separator, units[unit]);
    else
        snprintf(text, ODDPORT_HUMAN_TEXT_MAX, "%.0f%s%s", scaled, separator, units[unit]);
}

void oddport_format_bytes(uint64_t bytes, char text[ODDPORT_HUMAN_TEXT_MAX])
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    format_scaled(bytes, 1024.0, units, G_N_ELEMENTS(units), " ", text);
}

void oddport_format_count(uint64_t count, char text[ODDPORT_HUMAN_TEXT_MAX])
{
    /* Below a thousand the exact number is as short as any rounding of it. */
    static const char *const units[] = {"", "k", "M", "G", "T", "P", "E"};
    if (count < 1000) {
        snprintf(text, ODDPORT_HUMAN_TEXT_MAX, "%" PRIu64, count);
        return;
    }
    format_scaled(count, 1000.0, units, G_N_ELEMENTS(units), "", text);
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

void oddport_append_escaped(GString *out, const char *text)
{
    static const char hex_digits[] = "0123456789abcdef";
    const unsigned char *byte = (const unsigned char *)text;
    while (*byte != '\0') {
        /* Runs of plain text, the usual case, are copied whole. */
        const unsigned char *run = byte;
        while (*byte >= 0x20 && *byte < 0x7f && *byte != '\\')
            byte++;
        if (byte > run)
            g_string_append_len(out, (const char *)run, byte - run);
        if (*byte == '\0')
            break;
        if (*byte == '\\') {
            /* Doubled, so a literal "\x1b" sent on the wire cannot pass for an escaped byte. */
            g_string_append(out, "\\\\");
        } else {
            char escape[4] = {'\\', 'x', hex_digits[*byte >> 4], hex_digits[*byte & 0x0f]};
            g_string_append_len(out, escape, sizeof escape);
        }
        byte++;
    }
}
