/* Tests on eight bytes at once, for scanners that pass over long runs of plain text. */
#ifndef ODDPORT_WORD_SCAN_H
#define ODDPORT_WORD_SCAN_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "internal/cursor.h"

/* The word-at-a-time tests of "Bit Twiddling Hacks" (haszero, hasless, hasmore): each sets a
 * byte's top bit when that byte matches. Borrows and carries between bytes start only at a byte
 * that matches, so whether any byte matches is exact, though which one is not. Report writers
 * and detectors scan tens of strings per flow, and a run of plain text then costs a few
 * operations per eight bytes rather than per byte. */

/* 0x0101010101010101: times a byte value, that value in every byte of a word. */
#define ODDPORT_EVERY_BYTE (UINT64_MAX / 255)

/* Eight bytes as one word, in memory order (the tests do not depend on byte order). */
static inline uint64_t oddport_word_load(const uint8_t *bytes)
{
    uint64_t word;
    memcpy(&word, bytes, sizeof word);
    return word;
}

/* Whether every byte of `word` lies in [first, last], for last below 0x80. */
static inline bool oddport_word_bytes_between(uint64_t word, uint8_t first, uint8_t last)
{
    uint64_t below = (word - ODDPORT_EVERY_BYTE * first) & ~word & ODDPORT_EVERY_BYTE * 0x80;
    uint64_t above =
        ((word + ODDPORT_EVERY_BYTE * (127u - last)) | word) & ODDPORT_EVERY_BYTE * 0x80;
    return (below | above) == 0;
}

/* Whether some byte of `word` equals `value`. */
static inline bool oddport_word_has_byte(uint64_t word, uint8_t value)
{
    uint64_t matched = word ^ (ODDPORT_EVERY_BYTE * value);
    return ((matched - ODDPORT_EVERY_BYTE) & ~matched & ODDPORT_EVERY_BYTE * 0x80) != 0;
}

/* Moves `cursor` past the run of bytes in [first, last] (last below 0x80) it starts with, eight
 * at a time while it can; returns how many bytes it passed. Every byte is reached through the
 * cursor, so the run ends at the cursor's end at the latest. */
static inline size_t oddport_cursor_skip_bytes_between(OddportCursor *cursor, uint8_t first,
                                                       uint8_t last)
{
    size_t before = cursor->left;
    for (;;) {
        OddportCursor ahead = *cursor;
        const uint8_t *word;
        if (!oddport_cursor_bytes(&ahead, sizeof(uint64_t), &word) ||
            !oddport_word_bytes_between(oddport_word_load(word), first, last))
            break;
        *cursor = ahead;
    }
    uint8_t byte;
    while (oddport_cursor_peek_u8(cursor, 0, &byte) && byte >= first && byte <= last)
        oddport_cursor_skip(cursor, 1);
    return before - cursor->left;
}

#endif
