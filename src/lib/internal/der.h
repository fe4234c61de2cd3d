/* Reading DER (ITU-T X.690) through the bounds-checked cursor: enough for an X.509 certificate's
 * names and dates (internal to liboddport). */
#ifndef ODDPORT_DER_H
#define ODDPORT_DER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "internal/cursor.h"

/* Identifier octets of the universal types a certificate's names and dates use, and of the
 * context-specific [0] that holds a certificate's version. */
enum {
    ODDPORT_DER_INTEGER = 0x02,
    ODDPORT_DER_OBJECT_IDENTIFIER = 0x06,
    ODDPORT_DER_UTF8_STRING = 0x0c,
    ODDPORT_DER_PRINTABLE_STRING = 0x13,
    ODDPORT_DER_TELETEX_STRING = 0x14,
    ODDPORT_DER_IA5_STRING = 0x16,
    ODDPORT_DER_UTC_TIME = 0x17,
    ODDPORT_DER_GENERALIZED_TIME = 0x18,
    ODDPORT_DER_VISIBLE_STRING = 0x1a,
    ODDPORT_DER_UNIVERSAL_STRING = 0x1c,
    ODDPORT_DER_BMP_STRING = 0x1e,
    ODDPORT_DER_SEQUENCE = 0x30,
    ODDPORT_DER_SET = 0x31,
    ODDPORT_DER_CONTEXT_0 = 0xa0,
};

/* One element: its identifier octet and its content. A certificate may be cut short by the end
 * of what was captured, so the content holds the bytes that are there, and `whole` says whether
 * they are all that the length octets promised. */
typedef struct {
    /* The first identifier octet: class, constructed bit and, below 31, the tag number. A tag
     * number of 31 or more (high-tag-number form) reads as 0x1f in the low bits, which no
     * certificate field oddport reads uses, so such elements are only ever skipped. */
    uint8_t identifier;
    OddportCursor content;
    bool whole;
} OddportDerElement;

/* Reads the next element's identifier and length octets and takes its content, moving the
 * cursor past it. False when the header itself is not all there or is not DER: an indefinite
 * length (BER only) or a length of more than four octets, which no certificate within a TLS
 * record needs. A content that runs past the end of the bytes is taken as far as the bytes go,
 * with `whole` false, and the cursor is left at the end. */
static inline bool oddport_der_next(OddportCursor *cursor, OddportDerElement *element)
{
    OddportCursor at = *cursor;
    uint8_t identifier;
    if (!oddport_cursor_u8(&at, &identifier))
        return false;
    if ((identifier & 0x1f) == 0x1f) {
        /* High-tag-number form: base-128 digits, the last without its top bit. Five are more
         * than any tag number fits in 32 bits. */
        uint8_t digit = 0x80;
        unsigned digits = 0;
        while ((digit & 0x80) != 0) {
            if (++digits > 5 || !oddport_cursor_u8(&at, &digit))
                return false;
        }
    }
    uint8_t first_length;
    if (!oddport_cursor_u8(&at, &first_length))
        return false;
    size_t length = first_length;
    if (first_length & 0x80) {
        unsigned octets = first_length & 0x7f;
        if (octets == 0 || octets > 4)
            return false;
        length = 0;
        for (unsigned index = 0; index < octets; index++) {
            uint8_t octet;
            if (!oddport_cursor_u8(&at, &octet))
                return false;
            length = length << 8 | octet;
        }
    }
    element->identifier = identifier;
    element->whole = length <= at.left;
    oddport_cursor_sub(&at, element->whole ? length : at.left, &element->content);
    *cursor = at;
    return true;
}

/* Reads the next element and checks its identifier; false (cursor unchanged) if it differs. */
static inline bool oddport_der_expect(OddportCursor *cursor, uint8_t identifier,
                                      OddportDerElement *element)
{
    OddportCursor at = *cursor;
    if (!oddport_der_next(&at, element) || element->identifier != identifier)
        return false;
    *cursor = at;
    return true;
}

/* Whether a whole OBJECT IDENTIFIER element's content is exactly `encoded` (its DER content
 * octets, e.g. 55 04 03 for id-at-commonName). */
static inline bool oddport_der_oid_is(const OddportDerElement *element, const uint8_t *encoded,
                                      size_t length)
{
    if (element->identifier != ODDPORT_DER_OBJECT_IDENTIFIER || !element->whole ||
        element->content.left != length)
        return false;
    for (size_t index = 0; index < length; index++) {
        uint8_t byte;
        if (!oddport_cursor_peek_u8(&element->content, index, &byte) || byte != encoded[index])
            return false;
    }
    return true;
}

#endif
