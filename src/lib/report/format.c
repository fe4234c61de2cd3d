/* Formatting shared by the report writers: times. */
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
