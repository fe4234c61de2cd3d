/* Decimal digits without printf, for the writers that put out many numbers (internal). */
#ifndef ODDPORT_DECIMAL_H
#define ODDPORT_DECIMAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum { ODDPORT_DECIMAL_MAX = 20 }; /* the digits of UINT64_MAX */

/* The digits of 00 to 99, two by two: numbers go out two digits at a time. */
static const char oddport_decimal_pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233"
    "34353637383940414243444546474849505152535455565758596061626364656667"
    "6869707172737475767778798081828384858687888990919293949596979899";

/* Writes the two digits of `pair`, below 100, at `out`. */
static inline void oddport_decimal_put_pair(char *out, unsigned pair)
{
    memcpy(out, oddport_decimal_pairs + 2 * pair, 2);
}

/* Writes `value` in decimal at `out`, which has room for its digits (ODDPORT_DECIMAL_MAX at most),
 * without a NUL; returns how many digits it wrote. Two digits at a time from a table: report rows,
 * JSON members and TLS fingerprints hold many numbers, and printf's machinery costs more than they.
 */
static inline size_t oddport_decimal_write(uint64_t value, char *out)
{
    size_t count = 1;
    for (uint64_t rest = value; rest >= 10; rest /= 10)
        count++;
    char *cursor = out + count;
    while (value >= 100) {
        unsigned pair = (unsigned)(value % 100);
        value /= 100;
        cursor -= 2;
        oddport_decimal_put_pair(cursor, pair);
    }
    if (value >= 10) {
        cursor -= 2;
        oddport_decimal_put_pair(cursor, (unsigned)value);
    } else {
        *--cursor = (char)('0' + value);
    }
    return count;
}

/* Writes exactly `width` digits of `value` at `out`, zeros in front, without a NUL; returns the
 * end, unlike oddport_decimal_write, so that the fields of a time chain. Digits above the width
 * are dropped. Times are fixed-width fields of two to nine digits, and reports write a few a
 * flow. */
static inline char *oddport_decimal_put_width(char *out, uint32_t value, unsigned width)
{
    char *end = out + width;
    char *cursor = end;
    for (; width >= 2; width -= 2) {
        unsigned pair = (unsigned)(value % 100);
        value /= 100;
        cursor -= 2;
        oddport_decimal_put_pair(cursor, pair);
    }
    if (width == 1)
        *--cursor = (char)('0' + value % 10);
    return end;
}

#endif
