/* The names and dates of an X.509 certificate (RFC 5280) a TLS server sent, read from its DER. */
#include <string.h>

#include <glib.h>

#include "internal/der.h"
#include "oddport/detect.h"
#include "verdict.h"

/* id-at-commonName, 2.5.4.3. */
static const uint8_t common_name_oid[] = {0x55, 0x04, 0x03};

/* Appends one character as UTF-8 if it fits whole. */
static void append_character(char *text, size_t capacity, size_t *used, gunichar character)
{
    char encoded[6];
    if (!g_unichar_validate(character))
        character = 0xfffd;
    size_t length = (size_t)g_unichar_to_utf8(character, encoded);
    if (*used + length + 1 > capacity)
        return;
    memcpy(text + *used, encoded, length);
    *used += length;
    text[*used] = '\0';
}

/* A directory string as text: the 8-bit types as they are (the report writers escape what is not
 * UTF-8), BMPString (UTF-16 big-endian, surrogates paired) and UniversalString (UCS-4) turned into
 * UTF-8. False for a type that holds no text. */
static bool read_directory_string(const OddportDerElement *value, char *text, size_t capacity)
{
    OddportCursor content = value->content;
    size_t used = 0;
    text[0] = '\0';
    switch (value->identifier) {
    case ODDPORT_DER_UTF8_STRING:
    case ODDPORT_DER_PRINTABLE_STRING:
    case ODDPORT_DER_TELETEX_STRING:
    case ODDPORT_DER_IA5_STRING:
    case ODDPORT_DER_VISIBLE_STRING:
        oddport_copy_wire_text(text, capacity, content);
        return true;
    case ODDPORT_DER_BMP_STRING: {
        uint16_t unit;
        while (oddport_cursor_be16(&content, &unit) && unit != 0) {
            gunichar character = unit;
            uint16_t low;
            OddportCursor next = content;
            if (unit >= 0xd800 && unit < 0xdc00 && oddport_cursor_be16(&next, &low) &&
                low >= 0xdc00 && low < 0xe000) {
                character = 0x10000 + (((gunichar)unit - 0xd800) << 10) + (low - 0xdc00);
                content = next;
            }
            append_character(text, capacity, &used, character);
        }
        return true;
    }
    case ODDPORT_DER_UNIVERSAL_STRING: {
        uint32_t character;
        while (oddport_cursor_be32(&content, &character) && character != 0)
            append_character(text, capacity, &used, character);
        return true;
    }
    default:
        return false;
    }
}

/* The last commonName of a Name (a SEQUENCE of SETs of type-and-value SEQUENCEs): with several,
 * the last is the most specific. Only whole elements count. */
static void read_common_name(const OddportDerElement *name, char *text, size_t capacity)
{
    text[0] = '\0';
    OddportCursor names = name->content;
    OddportDerElement relative_name;
    while (oddport_der_expect(&names, ODDPORT_DER_SET, &relative_name) && relative_name.whole) {
        OddportCursor attributes = relative_name.content;
        OddportDerElement attribute;
        while (oddport_der_expect(&attributes, ODDPORT_DER_SEQUENCE, &attribute) &&
               attribute.whole) {
            OddportCursor parts = attribute.content;
            OddportDerElement type;
            OddportDerElement value;
            if (oddport_der_next(&parts, &type) &&
                oddport_der_oid_is(&type, common_name_oid, sizeof common_name_oid) &&
                oddport_der_next(&parts, &value) && value.whole)
                read_directory_string(&value, text, capacity);
        }
    }
}

/* Two decimal digits at `text`, or -1. */
static int two_digits(const uint8_t *text)
{
    if (!g_ascii_isdigit((char)text[0]) || !g_ascii_isdigit((char)text[1]))
        return -1;
    return (text[0] - '0') * 10 + (text[1] - '0');
}

/* A UTCTime (YYMMDDHHMM[SS]Z, years 50 to 99 being 1950 to 1999 as RFC 5280 says) or a
 * GeneralizedTime (YYYYMMDDHHMMSS[.fraction]Z) as RFC 3339 to the second. Times with a zone
 * offset, which DER forbids, or with impossible fields are left empty. */
static void read_time(const OddportDerElement *time, char text[ODDPORT_TLS_TIME_TEXT_MAX])
{
    text[0] = '\0';
    OddportCursor content = time->content;
    size_t length = content.left;
    const uint8_t *digits;
    if (!time->whole || length < 11 || length > 32 ||
        !oddport_cursor_bytes(&content, length, &digits) || digits[length - 1] != 'Z')
        return;
    size_t at;
    int year;
    if (time->identifier == ODDPORT_DER_UTC_TIME) {
        year = two_digits(digits);
        if (year < 0 || (length != 11 && length != 13))
            return;
        year += year < 50 ? 2000 : 1900;
        at = 2;
    } else if (time->identifier == ODDPORT_DER_GENERALIZED_TIME) {
        int century = two_digits(digits);
        int rest = two_digits(digits + 2);
        if (century < 0 || rest < 0 || length < 15)
            return;
        year = century * 100 + rest;
        at = 4;
    } else {
        return;
    }
    /* Both forms have at least month, day, hour, minute and the Z after `at`. */
    int month = two_digits(digits + at);
    int day = two_digits(digits + at + 2);
    int hour = two_digits(digits + at + 4);
    int minute = two_digits(digits + at + 6);
    at += 8;
    int second = 0;
    if (at + 1 < length) {
        second = two_digits(digits + at);
        at += 2;
    }
    /* A GeneralizedTime may carry a fraction of a second, which RFC 5280 forbids and nobody
     * needs here. */
    if (time->identifier == ODDPORT_DER_GENERALIZED_TIME && at + 1 < length && digits[at] == '.') {
        at++;
        while (at + 1 < length && g_ascii_isdigit((char)digits[at]))
            at++;
    }
    if (at + 1 != length || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 ||
        hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60)
        return;
    g_snprintf(text, ODDPORT_TLS_TIME_TEXT_MAX, "%04d-%02d-%02dT%02d:%02d:%02dZ", year, month, day,
               hour, minute, second);
}

static bool same_bytes(OddportCursor one, OddportCursor other)
{
    size_t length = one.left;
    const uint8_t *first;
    const uint8_t *second;
    return length == other.left && oddport_cursor_bytes(&one, length, &first) &&
           oddport_cursor_bytes(&other, length, &second) &&
           (length == 0 || memcmp(first, second, length) == 0);
}

/* Whether the bytes end inside what would be a SEQUENCE's header (none at all included). */
static bool sequence_header_is_cut(OddportCursor input)
{
    uint8_t identifier;
    uint8_t first_length;
    if (!oddport_cursor_u8(&input, &identifier))
        return true;
    if (identifier != ODDPORT_DER_SEQUENCE)
        return false;
    if (!oddport_cursor_u8(&input, &first_length))
        return true;
    size_t octets = first_length & 0x80 ? first_length & 0x7f : 0;
    return octets >= 1 && octets <= 4 && input.left < octets;
}

void oddport_tls_read_certificate(const uint8_t *der, size_t length,
                                  OddportTlsCertificate *certificate)
{
    memset(certificate, 0, sizeof *certificate);
    certificate->present = true;
    OddportCursor input = oddport_cursor_make(der, length);
    OddportDerElement whole_certificate;
    OddportDerElement to_be_signed;
    if (!oddport_der_expect(&input, ODDPORT_DER_SEQUENCE, &whole_certificate)) {
        certificate->truncated = sequence_header_is_cut(input);
        return;
    }
    certificate->truncated = !whole_certificate.whole;
    OddportCursor outer = whole_certificate.content;
    if (!oddport_der_expect(&outer, ODDPORT_DER_SEQUENCE, &to_be_signed))
        return;

    /* version [0] (absent in version 1), serialNumber, signature, issuer, validity, subject. */
    OddportCursor fields = to_be_signed.content;
    OddportDerElement element;
    OddportDerElement issuer;
    OddportDerElement validity;
    OddportDerElement subject;
    if (oddport_der_expect(&fields, ODDPORT_DER_CONTEXT_0, &element) && !element.whole)
        return;
    if (!oddport_der_expect(&fields, ODDPORT_DER_INTEGER, &element) || !element.whole ||
        !oddport_der_expect(&fields, ODDPORT_DER_SEQUENCE, &element) || !element.whole ||
        !oddport_der_expect(&fields, ODDPORT_DER_SEQUENCE, &issuer))
        return;
    /* A name cut short may have lost its last common name: none is better than a wrong one. */
    if (!issuer.whole)
        return;
    read_common_name(&issuer, certificate->issuer_cn, sizeof certificate->issuer_cn);
    if (!oddport_der_expect(&fields, ODDPORT_DER_SEQUENCE, &validity))
        return;
    OddportCursor times = validity.content;
    OddportDerElement time;
    if (oddport_der_next(&times, &time))
        read_time(&time, certificate->not_before);
    if (oddport_der_next(&times, &time))
        read_time(&time, certificate->not_after);
    if (!validity.whole || !oddport_der_expect(&fields, ODDPORT_DER_SEQUENCE, &subject))
        return;
    if (!subject.whole)
        return;
    read_common_name(&subject, certificate->subject_cn, sizeof certificate->subject_cn);
    certificate->self_signed_known = true;
    certificate->self_signed = same_bytes(subject.content, issuer.content);
}
