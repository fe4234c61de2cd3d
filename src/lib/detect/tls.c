/* Recognises TLS from hello messages, SSLv2-style hellos and records caught midstream. */
#include <stdio.h>
#include <string.h>

#include "internal/cursor.h"
#include "internal/stream.h"
#include "oddport/detect.h"
#include "oddport/protocol.h"
#include "oddport/record.h"
#include "tls-fingerprint.h"
#include "verdict.h"

enum {
    CONTENT_CHANGE_CIPHER_SPEC = 20,
    CONTENT_ALERT = 21,
    CONTENT_HANDSHAKE = 22,
    CONTENT_APPLICATION_DATA = 23,
};

enum {
    HANDSHAKE_CLIENT_HELLO = 1,
    HANDSHAKE_SERVER_HELLO = 2,
    HANDSHAKE_CERTIFICATE = 11,
};

enum {
    EXTENSION_SERVER_NAME = 0,
    EXTENSION_ALPN = 16,
    EXTENSION_SUPPORTED_VERSIONS = 43,
};

#define RECORD_HEADER_LENGTH    5
#define HANDSHAKE_HEADER_LENGTH 4
/* A record may carry up to 2^14 bytes of plaintext plus what protection adds. */
#define RECORD_PAYLOAD_MAX (16384 + 2048)

/* The smallest hellos: version, random, empty session id, one cipher suite, and for a
 * ClientHello one compression method; no extensions. */
#define CLIENT_HELLO_LENGTH_MIN (2 + 32 + 1 + 2 + 2 + 1 + 1)
#define SERVER_HELLO_LENGTH_MIN (2 + 32 + 1 + 2 + 1)
/* The largest every length field of a hello allows; anything beyond is not a hello. */
#define CLIENT_HELLO_LENGTH_MAX (2 + 32 + 1 + 32 + 2 + 65534 + 1 + 255 + 2 + 65535)
#define SERVER_HELLO_LENGTH_MAX (2 + 32 + 1 + 32 + 2 + 1 + 2 + 65535)

/* Hellos are reassembled here. Real ones take a few hundred bytes to a few KiB; one bigger than
 * this is checked only as far as the buffer goes. */
#define HELLO_BUFFER_SIZE 16384

/* An SSLv2 CLIENT-HELLO: its header holds the message type, version and three lengths. */
#define SSLV2_HELLO_HEADER_LENGTH 9
#define SSLV2_HELLO_LENGTH_MIN    (SSLV2_HELLO_HEADER_LENGTH + 3 + 16)

const char *oddport_tls_version_name(uint16_t version)
{
    switch (version) {
    case 0x0002:
        return "SSL 2.0";
    case 0x0300:
        return "SSL 3.0";
    case 0x0301:
        return "TLS 1.0";
    case 0x0302:
        return "TLS 1.1";
    case 0x0303:
        return "TLS 1.2";
    case 0x0304:
        return "TLS 1.3";
    default:
        return NULL;
    }
}

static bool is_tls_record_version(uint8_t major, uint8_t minor)
{
    return major == 3 && minor <= 4;
}

static bool is_hello_version(uint16_t version)
{
    return version >= 0x0300 && version <= 0x0303;
}

static void append_version(char evidence[ODDPORT_EVIDENCE_MAX], uint16_t version)
{
    const char *name = oddport_tls_version_name(version);
    char unknown[24];
    if (name == NULL) {
        snprintf(unknown, sizeof unknown, "TLS version 0x%04x", version);
        name = unknown;
    }
    oddport_evidence_append(evidence, name);
}

static OddportMatch need_more(OddportVerdict *verdict, OddportConfidence confidence,
                              OddportRole role, const char *why)
{
    oddport_verdict_set(verdict, ODDPORT_MATCH_NEED_MORE, confidence, role, why);
    return ODDPORT_MATCH_NEED_MORE;
}

typedef enum {
    PARSE_OK,
    PARSE_SHORT, /* the bytes ran out before the lengths said the data would */
    PARSE_BAD,   /* the lengths contradict each other */
    /* The hello itself is sound and its extension block ends where the message does, but the
     * extensions inside contradict their lengths: a broken or hostile client, still TLS. */
    PARSE_BAD_EXTENSIONS,
} ParseStatus;

/* A length-prefixed piece of a hello: what its length says it holds and what of it was captured.
 * Keeping both apart tells a hello that is cut short from one that lies about its lengths. */
typedef struct {
    OddportCursor present;
    size_t stated_left; /* never less than present.left */
} Field;

static bool field_is_whole(const Field *field)
{
    return field->present.left == field->stated_left;
}

static ParseStatus field_take(Field *field, size_t count, Field *part)
{
    if (count > field->stated_left)
        return PARSE_BAD;
    size_t present = count < field->present.left ? count : field->present.left;
    oddport_cursor_sub(&field->present, present, &part->present);
    part->stated_left = count;
    field->stated_left -= count;
    return PARSE_OK;
}

static ParseStatus field_u8(Field *field, uint8_t *value)
{
    if (field->stated_left < 1)
        return PARSE_BAD;
    if (!oddport_cursor_u8(&field->present, value))
        return PARSE_SHORT;
    field->stated_left -= 1;
    return PARSE_OK;
}

static ParseStatus field_be16(Field *field, uint16_t *value)
{
    if (field->stated_left < 2)
        return PARSE_BAD;
    if (!oddport_cursor_be16(&field->present, value))
        return PARSE_SHORT;
    field->stated_left -= 2;
    return PARSE_OK;
}

/* Takes a vector whose length is given by a one- or two-byte prefix. */
static ParseStatus field_vector(Field *field, size_t prefix_length, Field *vector)
{
    ParseStatus status;
    size_t length;
    if (prefix_length == 1) {
        uint8_t short_length = 0;
        status = field_u8(field, &short_length);
        length = short_length;
    } else {
        uint16_t long_length = 0;
        status = field_be16(field, &long_length);
        length = long_length;
    }
    return status != PARSE_OK ? status : field_take(field, length, vector);
}

#define RETURN_UNLESS_OK(expression)                                                               \
    do {                                                                                           \
        ParseStatus status_ = (expression);                                                        \
        if (status_ != PARSE_OK)                                                                   \
            return status_;                                                                        \
    } while (0)

/* Extension contents are read leniently: a malformed one yields nothing but does not unmake a
 * hello whose outer lengths all agree, since real stacks differ in the details. */

static void read_server_name(Field extension, OddportTlsInfo *info)
{
    Field list;
    if (field_vector(&extension, 2, &list) != PARSE_OK)
        return;
    while (list.stated_left > 0 && info->sni[0] == '\0') {
        uint8_t name_type;
        Field name;
        if (field_u8(&list, &name_type) != PARSE_OK || field_vector(&list, 2, &name) != PARSE_OK)
            return;
        if (name_type == 0 && field_is_whole(&name))
            oddport_copy_wire_text(info->sni, sizeof info->sni, name.present);
    }
}

static void read_alpn(Field extension, OddportTlsInfo *info)
{
    Field list;
    if (field_vector(&extension, 2, &list) != PARSE_OK)
        return;
    while (list.stated_left > 0 && info->alpn_count < ODDPORT_TLS_ALPN_MAX_COUNT) {
        Field name;
        if (field_vector(&list, 1, &name) != PARSE_OK || !field_is_whole(&name))
            return;
        uint16_t two_bytes;
        OddportCursor peek = name.present;
        if (name.stated_left == 2 && oddport_cursor_be16(&peek, &two_bytes) &&
            oddport_tls_is_grease(two_bytes))
            continue;
        if (name.stated_left == 0)
            continue;
        oddport_copy_wire_text(info->alpn[info->alpn_count], sizeof info->alpn[0], name.present);
        info->alpn_count++;
    }
}

static void read_supported_versions(Field extension, uint8_t handshake_type, OddportTlsInfo *info)
{
    uint16_t version;
    if (handshake_type == HANDSHAKE_SERVER_HELLO) {
        if (field_be16(&extension, &version) == PARSE_OK && !oddport_tls_is_grease(version))
            info->version = version;
        return;
    }
    Field list;
    if (field_vector(&extension, 1, &list) != PARSE_OK)
        return;
    uint16_t highest = 0;
    while (field_be16(&list, &version) == PARSE_OK) {
        /* TLS versions all have major 3; drafts and GREASE do not count as an offer. */
        if (!oddport_tls_is_grease(version) && (version >> 8) == 3 && version > highest)
            highest = version;
    }
    if (highest != 0)
        info->version = highest;
}

static ParseStatus parse_extensions(Field *body, uint8_t handshake_type, OddportTlsInfo *info)
{
    /* Hellos from before extensions existed simply end here. */
    if (body->stated_left == 0)
        return PARSE_OK;
    Field extensions;
    RETURN_UNLESS_OK(field_vector(body, 2, &extensions));
    if (body->stated_left != 0)
        return PARSE_BAD;
    while (extensions.stated_left > 0) {
        uint16_t type;
        Field extension;
        ParseStatus status = field_be16(&extensions, &type);
        if (status == PARSE_OK)
            status = field_vector(&extensions, 2, &extension);
        if (status != PARSE_OK)
            return status == PARSE_BAD ? PARSE_BAD_EXTENSIONS : status;
        if (type == EXTENSION_SERVER_NAME && handshake_type == HANDSHAKE_CLIENT_HELLO)
            read_server_name(extension, info);
        else if (type == EXTENSION_ALPN)
            read_alpn(extension, info);
        else if (type == EXTENSION_SUPPORTED_VERSIONS)
            read_supported_versions(extension, handshake_type, info);
    }
    return PARSE_OK;
}

static ParseStatus parse_hello(Field *body, uint8_t handshake_type, OddportTlsInfo *info)
{
    uint16_t legacy_version;
    Field skipped;
    RETURN_UNLESS_OK(field_be16(body, &legacy_version));
    if (!is_hello_version(legacy_version))
        return PARSE_BAD;
    info->hello_version = legacy_version;
    RETURN_UNLESS_OK(field_take(body, 32, &skipped)); /* random */
    Field session_id;
    RETURN_UNLESS_OK(field_vector(body, 1, &session_id));
    if (session_id.stated_left > 32)
        return PARSE_BAD;
    if (handshake_type == HANDSHAKE_CLIENT_HELLO) {
        Field cipher_suites;
        RETURN_UNLESS_OK(field_vector(body, 2, &cipher_suites));
        if (cipher_suites.stated_left < 2 || cipher_suites.stated_left % 2 != 0)
            return PARSE_BAD;
        Field compression_methods;
        RETURN_UNLESS_OK(field_vector(body, 1, &compression_methods));
        if (compression_methods.stated_left < 1)
            return PARSE_BAD;
        /* Every client must offer the null method (RFC 5246 section 7.4.1.2). */
        bool offers_null = false;
        uint8_t method;
        OddportCursor methods = compression_methods.present;
        while (oddport_cursor_u8(&methods, &method))
            offers_null = offers_null || method == 0;
        if (!offers_null && field_is_whole(&compression_methods))
            return PARSE_BAD;
    } else {
        uint16_t cipher_suite;
        uint8_t compression_method;
        RETURN_UNLESS_OK(field_be16(body, &cipher_suite));
        RETURN_UNLESS_OK(field_u8(body, &compression_method));
        /* null, DEFLATE (RFC 3749) and LZS (RFC 3943) are all a server ever chose. */
        if (compression_method != 0 && compression_method != 1 && compression_method != 64)
            return PARSE_BAD;
    }
    return parse_extensions(body, handshake_type, info);
}

/* Walks the handshake records that carry a hello, yielding their fragments as one stream. */
typedef struct {
    OddportCursor input;     /* the bytes after what has been consumed */
    size_t fragment_left;    /* of the current record */
    uint16_t record_version; /* all records of a flight carry the first record's version */
    bool broken;             /* a later record is not a handshake record of that version */
} HandshakeRecords;

/* Enters the next record; false if its header is not all there or is not a fit. */
static bool enter_next_record(HandshakeRecords *records)
{
    uint8_t type = 0;
    uint8_t major = 0;
    uint8_t minor = 0;
    uint16_t length = 0;
    OddportCursor header = records->input;
    if (oddport_cursor_u8(&header, &type) && type != CONTENT_HANDSHAKE)
        records->broken = true;
    if (oddport_cursor_u8(&header, &major) && major != records->record_version >> 8)
        records->broken = true;
    if (oddport_cursor_u8(&header, &minor) && minor != (records->record_version & 0xff))
        records->broken = true;
    if (oddport_cursor_be16(&header, &length) && (length == 0 || length > RECORD_PAYLOAD_MAX))
        records->broken = true;
    if (records->broken || !oddport_cursor_skip(&records->input, RECORD_HEADER_LENGTH))
        return false;
    records->fragment_left = length;
    return true;
}

/* Appends handshake bytes to `buffer` until it holds `wanted` bytes or there are no more. */
static void gather(HandshakeRecords *records, uint8_t *buffer, size_t wanted, size_t *filled)
{
    while (*filled < wanted) {
        if (records->fragment_left == 0 && !enter_next_record(records))
            return;
        size_t count = wanted - *filled;
        if (count > records->fragment_left)
            count = records->fragment_left;
        if (count > records->input.left)
            count = records->input.left;
        const uint8_t *source = NULL;
        if (count == 0 || !oddport_cursor_bytes(&records->input, count, &source))
            return;
        memcpy(buffer + *filled, source, count);
        *filled += count;
        records->fragment_left -= count;
    }
}

static void describe_hello(OddportVerdict *verdict, const OddportTlsInfo *info)
{
    verdict->evidence[0] = '\0';
    append_version(verdict->evidence, info->version);
    oddport_evidence_append(verdict->evidence, info->handshake_type == HANDSHAKE_CLIENT_HELLO
                                                   ? " ClientHello"
                                                   : " ServerHello");
    if (info->sni[0] != '\0') {
        oddport_evidence_append(verdict->evidence, " SNI=");
        oddport_evidence_append(verdict->evidence, info->sni);
    }
    for (unsigned index = 0; index < info->alpn_count; index++) {
        oddport_evidence_append(verdict->evidence, index == 0 ? " ALPN=" : ",");
        oddport_evidence_append(verdict->evidence, info->alpn[index]);
    }
}

typedef enum {
    HELLO_FOUND,     /* the verdict is written */
    HELLO_NOT_HELLO, /* a handshake record, but its first message is no hello */
} HelloSearch;

/* `fingerprint`: whether the caller keeps the details, so that a whole hello's fingerprints are
 * worth their hashing. */
static HelloSearch detect_hello(OddportCursor input, OddportVerdict *verdict, OddportTlsInfo *info,
                                bool fingerprint)
{
    uint8_t type = 0;
    uint8_t major = 0;
    uint8_t minor = 0;
    uint16_t record_length = 0;
    oddport_cursor_u8(&input, &type);
    if (!oddport_cursor_u8(&input, &major) || (major == 3 && !oddport_cursor_u8(&input, &minor)) ||
        (major == 3 && minor <= 4 && !oddport_cursor_be16(&input, &record_length))) {
        need_more(verdict, ODDPORT_CONFIDENCE_LOW, ODDPORT_ROLE_EITHER, "start of a TLS record");
        return HELLO_FOUND;
    }
    if (!is_tls_record_version(major, minor)) {
        oddport_verdict_reject(verdict, "not a TLS record version");
        return HELLO_FOUND;
    }
    if (record_length == 0 || record_length > RECORD_PAYLOAD_MAX) {
        oddport_verdict_reject(verdict, "TLS record length out of range");
        return HELLO_FOUND;
    }
    info->record_version = (uint16_t)(major << 8 | minor);

    HandshakeRecords records = {input, record_length, info->record_version, false};
    uint8_t message[HANDSHAKE_HEADER_LENGTH + HELLO_BUFFER_SIZE];
    size_t filled = 0;
    gather(&records, message, HANDSHAKE_HEADER_LENGTH, &filled);
    OddportCursor header = oddport_cursor_make(message, filled);
    uint8_t handshake_type = 0;
    uint32_t message_length = 0;
    if (oddport_cursor_u8(&header, &handshake_type) && handshake_type != HANDSHAKE_CLIENT_HELLO &&
        handshake_type != HANDSHAKE_SERVER_HELLO)
        return HELLO_NOT_HELLO;
    if (records.broken) {
        oddport_verdict_reject(verdict, "TLS handshake continued in a record of another kind");
        return HELLO_FOUND;
    }
    OddportRole role = handshake_type == HANDSHAKE_CLIENT_HELLO   ? ODDPORT_ROLE_CLIENT
                       : handshake_type == HANDSHAKE_SERVER_HELLO ? ODDPORT_ROLE_SERVER
                                                                  : ODDPORT_ROLE_EITHER;
    if (!oddport_cursor_be24(&header, &message_length)) {
        need_more(verdict, ODDPORT_CONFIDENCE_LOW, role, "start of a TLS handshake record");
        return HELLO_FOUND;
    }
    bool is_client = handshake_type == HANDSHAKE_CLIENT_HELLO;
    if (message_length < (is_client ? CLIENT_HELLO_LENGTH_MIN : SERVER_HELLO_LENGTH_MIN) ||
        message_length > (is_client ? CLIENT_HELLO_LENGTH_MAX : SERVER_HELLO_LENGTH_MAX)) {
        oddport_verdict_reject(verdict, "TLS hello length out of range");
        return HELLO_FOUND;
    }
    info->handshake_type = handshake_type;
    const char *hello_name = is_client ? "ClientHello" : "ServerHello";

    size_t wanted = message_length < HELLO_BUFFER_SIZE ? message_length : HELLO_BUFFER_SIZE;
    gather(&records, message, HANDSHAKE_HEADER_LENGTH + wanted, &filled);
    if (records.broken) {
        oddport_verdict_reject(verdict, "TLS handshake continued in a record of another kind");
        return HELLO_FOUND;
    }
    Field body = {
        oddport_cursor_make(message + HANDSHAKE_HEADER_LENGTH, filled - HANDSHAKE_HEADER_LENGTH),
        message_length};
    OddportCursor version_bytes = body.present;
    uint16_t legacy_version;
    if (!oddport_cursor_be16(&version_bytes, &legacy_version)) {
        need_more(verdict, ODDPORT_CONFIDENCE_LOW, role, "start of a TLS hello");
        return HELLO_FOUND;
    }
    if (!is_hello_version(legacy_version)) {
        oddport_verdict_reject(verdict, "TLS hello with an unknown version");
        return HELLO_FOUND;
    }

    ParseStatus status = parse_hello(&body, handshake_type, info);
    if (info->version == 0)
        info->version = info->hello_version;
    bool whole = filled == HANDSHAKE_HEADER_LENGTH + message_length;
    bool buffer_full = filled == sizeof message;
    if (status == PARSE_OK && !whole)
        status = PARSE_SHORT;
    if (status == PARSE_SHORT && whole)
        status = PARSE_BAD;
    if (status == PARSE_BAD) {
        oddport_verdict_reject(verdict, is_client ? "ClientHello with inconsistent lengths"
                                                  : "ServerHello with inconsistent lengths");
        return HELLO_FOUND;
    }
    if (status == PARSE_SHORT && !buffer_full) {
        char evidence[ODDPORT_EVIDENCE_MAX];
        snprintf(evidence, sizeof evidence, "TLS %s, %zu of %u bytes so far", hello_name,
                 filled - HANDSHAKE_HEADER_LENGTH, (unsigned)message_length);
        need_more(verdict, ODDPORT_CONFIDENCE_MEDIUM, role, evidence);
        return HELLO_FOUND;
    }
    /* Only here, once per side: a hello is judged again and again while it arrives, but says
     * yes once. */
    if (fingerprint && whole && (status == PARSE_OK || status == PARSE_BAD_EXTENSIONS)) {
        OddportCursor hello =
            oddport_cursor_make(message + HANDSHAKE_HEADER_LENGTH, message_length);
        if (is_client)
            oddport_tls_client_fingerprints(hello, info);
        else
            oddport_tls_server_fingerprint(hello, info);
    }
    describe_hello(verdict, info);
    verdict->match = ODDPORT_MATCH_YES;
    verdict->role = role;
    verdict->confidence = ODDPORT_CONFIDENCE_HIGH;
    if (status == PARSE_BAD_EXTENSIONS) {
        verdict->confidence = ODDPORT_CONFIDENCE_MEDIUM;
        oddport_evidence_append(verdict->evidence, " (malformed extensions)");
    }
    if (status == PARSE_SHORT) {
        /* Consistent as far as the buffer reaches, but the rest went unchecked. */
        verdict->confidence = ODDPORT_CONFIDENCE_MEDIUM;
        oddport_evidence_append(verdict->evidence, " (too large to check whole)");
    }
    return HELLO_FOUND;
}

/* A warning-level alert record as servers send them before a ServerHello (RFC 6066's
 * unrecognized_name): type 21, version 3.1 to 3.3, length 2, level 1 (warning), any description;
 * each byte's lowest and highest value. Its versions are those records caught midstream may
 * have, so that the alert alone, judged midstream until more comes, is not refused where the
 * alert and a hello are accepted. */
enum { WARNING_ALERT_LENGTH = 7 };
static const uint8_t warning_alert_lowest[WARNING_ALERT_LENGTH] = {CONTENT_ALERT, 3, 1, 0, 2, 1, 0};
static const uint8_t warning_alert_highest[WARNING_ALERT_LENGTH] = {
    CONTENT_ALERT, 3, 3, 0, 2, 1, 255};

/* How many of the next bytes are those of a warning alert: WARNING_ALERT_LENGTH for a whole one,
 * fewer where one is cut short or none begins. */
static size_t warning_alert_bytes(OddportCursor input)
{
    size_t matched = 0;
    uint8_t byte = 0;
    while (matched < WARNING_ALERT_LENGTH && oddport_cursor_peek_u8(&input, matched, &byte) &&
           byte >= warning_alert_lowest[matched] && byte <= warning_alert_highest[matched])
        matched++;
    return matched;
}

/* Past the whole warning alerts at the start of `input`. */
static OddportCursor after_warning_alerts(OddportCursor input)
{
    while (warning_alert_bytes(input) == WARNING_ALERT_LENGTH)
        oddport_cursor_skip(&input, WARNING_ALERT_LENGTH);
    return input;
}

/* Moves past whole warning alerts that open a side when a handshake record's first byte follows
 * them; false, `input` unchanged, when there are none. */
static bool skip_warning_alerts(OddportCursor *input)
{
    OddportCursor at = after_warning_alerts(*input);
    uint8_t next = 0;
    if (at.data == input->data || !oddport_cursor_peek_u8(&at, 0, &next) ||
        next != CONTENT_HANDSHAKE)
        return false;
    *input = at;
    return true;
}

/* Whether every byte so far belongs to warning alerts, the last perhaps cut short, with nothing
 * after them yet: a hello may still follow, so the side cannot be refused, even where the
 * alerts' versions differ, as records midstream may not. */
static bool only_warning_alerts_so_far(OddportCursor input)
{
    OddportCursor rest = after_warning_alerts(input);
    return warning_alert_bytes(rest) == rest.left;
}

/* Records seen without their handshake: content types 20 to 23, one TLS version throughout. */
static OddportMatch detect_midstream(OddportCursor input, OddportVerdict *verdict,
                                     OddportTlsInfo *info)
{
    unsigned complete_records = 0;
    uint16_t first_version = 0;
    for (;;) {
        uint8_t type = 0;
        uint8_t major;
        uint8_t minor;
        uint16_t length;
        if (!oddport_cursor_u8(&input, &type))
            break;
        if (type < CONTENT_CHANGE_CIPHER_SPEC || type > CONTENT_APPLICATION_DATA)
            return oddport_verdict_reject(verdict, "not a TLS record type");
        if (!oddport_cursor_u8(&input, &major))
            break;
        if (major != 3)
            return oddport_verdict_reject(verdict, "not a TLS record version");
        if (!oddport_cursor_u8(&input, &minor))
            break;
        /* SSL 3.0 and TLS 1.3 record versions never carry a whole connection's records. */
        uint16_t version = (uint16_t)(major << 8 | minor);
        if (version < 0x0301 || version > 0x0303 ||
            (first_version != 0 && version != first_version))
            return oddport_verdict_reject(verdict, "not a run of TLS records of one version");
        first_version = version;
        if (!oddport_cursor_be16(&input, &length))
            break;
        if (length == 0 || length > RECORD_PAYLOAD_MAX)
            return oddport_verdict_reject(verdict, "TLS record length out of range");
        /* A ChangeCipherSpec is always the single byte 1. */
        uint8_t first_byte;
        if (type == CONTENT_CHANGE_CIPHER_SPEC &&
            (length != 1 || (oddport_cursor_peek_u8(&input, 0, &first_byte) && first_byte != 1)))
            return oddport_verdict_reject(verdict, "malformed TLS ChangeCipherSpec");
        if (!oddport_cursor_skip(&input, length))
            break;
        complete_records++;
    }
    info->record_version = first_version;
    if (complete_records < 2)
        return need_more(verdict, ODDPORT_CONFIDENCE_LOW, ODDPORT_ROLE_EITHER,
                         complete_records == 0 ? "start of a TLS record" : "one TLS record");
    char evidence[ODDPORT_EVIDENCE_MAX];
    snprintf(evidence, sizeof evidence, "TLS records (midstream, %u records)", complete_records);
    oddport_verdict_set(verdict, ODDPORT_MATCH_YES, ODDPORT_CONFIDENCE_MEDIUM, ODDPORT_ROLE_EITHER,
                        evidence);
    return ODDPORT_MATCH_YES;
}

/* RFC 5246 appendix E.2: how clients offered TLS to servers that might only speak SSL 2.0. */
static OddportMatch detect_sslv2_hello(OddportCursor input, OddportVerdict *verdict,
                                       OddportTlsInfo *info)
{
    uint16_t header;
    uint8_t message_type;
    uint16_t version;
    uint16_t cipher_specs_length;
    uint16_t session_id_length;
    uint16_t challenge_length;
    if (!oddport_cursor_be16(&input, &header))
        return need_more(verdict, ODDPORT_CONFIDENCE_LOW, ODDPORT_ROLE_CLIENT,
                         "start of an SSLv2-style record");
    size_t record_length = header & 0x7fff;
    if (record_length < SSLV2_HELLO_LENGTH_MIN)
        return oddport_verdict_reject(verdict, "SSLv2-style record too short for a hello");
    if (!oddport_cursor_u8(&input, &message_type))
        return need_more(verdict, ODDPORT_CONFIDENCE_LOW, ODDPORT_ROLE_CLIENT,
                         "start of an SSLv2-style record");
    if (message_type != HANDSHAKE_CLIENT_HELLO)
        return oddport_verdict_reject(verdict, "SSLv2-style record is not a ClientHello");
    OddportCursor so_far = input;
    if (!oddport_cursor_be16(&input, &version)) {
        uint8_t version_major;
        if (oddport_cursor_u8(&so_far, &version_major) && version_major != 0 && version_major != 3)
            return oddport_verdict_reject(verdict, "SSLv2-style hello with an unknown version");
        return need_more(verdict, ODDPORT_CONFIDENCE_LOW, ODDPORT_ROLE_CLIENT,
                         "start of an SSLv2-style ClientHello");
    }
    if (version != 0x0002 && !is_hello_version(version))
        return oddport_verdict_reject(verdict, "SSLv2-style hello with an unknown version");
    if (!oddport_cursor_be16(&input, &cipher_specs_length) ||
        !oddport_cursor_be16(&input, &session_id_length) ||
        !oddport_cursor_be16(&input, &challenge_length))
        return need_more(verdict, ODDPORT_CONFIDENCE_LOW, ODDPORT_ROLE_CLIENT,
                         "start of an SSLv2-style ClientHello");
    if (cipher_specs_length == 0 || cipher_specs_length % 3 != 0 ||
        (session_id_length != 0 && session_id_length != 16) || challenge_length < 16 ||
        challenge_length > 32 ||
        record_length != SSLV2_HELLO_HEADER_LENGTH + (size_t)cipher_specs_length +
                             session_id_length + challenge_length)
        return oddport_verdict_reject(verdict, "SSLv2-style ClientHello with inconsistent lengths");
    info->handshake_type = HANDSHAKE_CLIENT_HELLO;
    info->sslv2_compatible = true;
    info->hello_version = version;
    info->version = version;
    if (!oddport_cursor_skip(&input, record_length - SSLV2_HELLO_HEADER_LENGTH))
        return need_more(verdict, ODDPORT_CONFIDENCE_MEDIUM, ODDPORT_ROLE_CLIENT,
                         "SSLv2-compatible ClientHello, not whole yet");
    verdict->evidence[0] = '\0';
    oddport_evidence_append(verdict->evidence, "SSLv2-compatible ClientHello (");
    append_version(verdict->evidence, version);
    oddport_evidence_append(verdict->evidence, ")");
    verdict->match = ODDPORT_MATCH_YES;
    verdict->confidence = ODDPORT_CONFIDENCE_HIGH;
    verdict->role = ODDPORT_ROLE_CLIENT;
    return ODDPORT_MATCH_YES;
}

OddportMatch oddport_detect_tls(const uint8_t *bytes, size_t length, OddportVerdict *verdict,
                                OddportTlsInfo *info)
{
    OddportCursor input = oddport_cursor_make(bytes, length);
    uint8_t first_byte = 0;
    bool any_bytes = oddport_cursor_peek_u8(&input, 0, &first_byte);
    /* A record's content type, or the length of an SSLv2-style hello with its high bit set.
     * Most sides tried against TLS are something else: refused here, before the working fields
     * (about a kilobyte) are cleared. */
    if (any_bytes &&
        !(first_byte >= CONTENT_CHANGE_CIPHER_SPEC && first_byte <= CONTENT_APPLICATION_DATA) &&
        !(first_byte & 0x80)) {
        if (info != NULL)
            memset(info, 0, sizeof *info);
        if (verdict != NULL)
            oddport_verdict_reject(verdict, "not a TLS record type");
        return ODDPORT_MATCH_NO;
    }
    OddportVerdict result;
    memset(&result, 0, sizeof result);
    /* Filled in place: the caller's, or a scratch copy when the caller wants none. */
    OddportTlsInfo scratch;
    OddportTlsInfo *found = info != NULL ? info : &scratch;
    memset(found, 0, sizeof *found);

    OddportCursor after_alerts = input;
    if (!any_bytes) {
        need_more(&result, ODDPORT_CONFIDENCE_NONE, ODDPORT_ROLE_EITHER, "no bytes yet");
    } else if (first_byte == CONTENT_HANDSHAKE) {
        if (detect_hello(input, &result, found, info != NULL) == HELLO_NOT_HELLO) {
            memset(found, 0, sizeof *found);
            detect_midstream(input, &result, found);
        }
    } else if (first_byte == CONTENT_ALERT && skip_warning_alerts(&after_alerts)) {
        /* Some servers warn (unrecognized_name, RFC 6066) before their ServerHello. A hello
         * after the warning is judged as a hello; anything else as records midstream. */
        if (detect_hello(after_alerts, &result, found, info != NULL) == HELLO_NOT_HELLO ||
            result.match == ODDPORT_MATCH_NO) {
            memset(found, 0, sizeof *found);
            detect_midstream(input, &result, found);
        } else if (result.match == ODDPORT_MATCH_YES) {
            oddport_evidence_append(result.evidence, " after a warning alert");
        }
    } else if (first_byte <= CONTENT_APPLICATION_DATA) {
        if (detect_midstream(input, &result, found) == ODDPORT_MATCH_NO &&
            first_byte == CONTENT_ALERT && only_warning_alerts_so_far(input))
            need_more(&result, ODDPORT_CONFIDENCE_LOW, ODDPORT_ROLE_EITHER,
                      "TLS warning alerts, a hello may follow");
    } else {
        detect_sslv2_hello(input, &result, found);
    }

    if (result.match == ODDPORT_MATCH_NO)
        memset(found, 0, sizeof *found);
    if (verdict != NULL)
        *verdict = result;
    return result.match;
}

/* Up to TLS 1.2 a server sends its certificate in the clear, in the Certificate message right
 * after its ServerHello, when it sends one at all (RFC 5246 section 7.3). Only the first
 * certificate, the server's own, is read, and only as many bytes as reach its end. */
bool oddport_tls_read_server_flight(const uint8_t *bytes, size_t length, bool final,
                                    OddportTlsInfo *info)
{
    /* From TLS 1.3 on the certificate is encrypted; a client's first flight holds none. */
    if (info->handshake_type != HANDSHAKE_SERVER_HELLO || info->version > 0x0303)
        return true;
    OddportCursor input = oddport_cursor_make(bytes, length);
    skip_warning_alerts(&input);
    uint8_t type = 0;
    uint8_t major = 0;
    uint8_t minor = 0;
    uint16_t record_length = 0;
    if (!oddport_cursor_u8(&input, &type) || !oddport_cursor_u8(&input, &major) ||
        !oddport_cursor_u8(&input, &minor) || !oddport_cursor_be16(&input, &record_length))
        return final;
    if (type != CONTENT_HANDSHAKE || record_length == 0 || record_length > RECORD_PAYLOAD_MAX)
        return true;

    /* The handshake messages are read out of their records into one buffer, which the stream
     * limit bounds: no server flight oddport keeps is longer. */
    HandshakeRecords records = {input, record_length, (uint16_t)(major << 8 | minor), false};
    uint8_t flight[ODDPORT_STREAM_LIMIT];
    size_t filled = 0;
    gather(&records, flight, HANDSHAKE_HEADER_LENGTH, &filled);
    OddportCursor header = oddport_cursor_make(flight, filled);
    uint8_t hello_type = 0;
    uint32_t hello_length = 0;
    if (!oddport_cursor_u8(&header, &hello_type) || !oddport_cursor_be24(&header, &hello_length))
        return records.broken || final;
    if (hello_type != HANDSHAKE_SERVER_HELLO)
        return true;

    /* The next message's header, then the certificate list's and the first certificate's
     * lengths. */
    size_t next = HANDSHAKE_HEADER_LENGTH + (size_t)hello_length;
    size_t lengths_end = next + HANDSHAKE_HEADER_LENGTH + 3 + 3;
    if (lengths_end > sizeof flight)
        return true;
    gather(&records, flight, lengths_end, &filled);
    uint8_t message_type = 0;
    uint32_t message_length = 0;
    uint32_t list_length = 0;
    uint32_t certificate_length = 0;
    OddportCursor lengths =
        oddport_cursor_make(flight + MIN(next, filled), filled - MIN(next, filled));
    if (oddport_cursor_u8(&lengths, &message_type) && message_type != HANDSHAKE_CERTIFICATE)
        return true;
    if (!oddport_cursor_be24(&lengths, &message_length) ||
        !oddport_cursor_be24(&lengths, &list_length) ||
        !oddport_cursor_be24(&lengths, &certificate_length))
        return records.broken || final;
    /* An empty list (a server without a certificate) or lengths that contradict each other. */
    if (certificate_length == 0 || (size_t)list_length + 3 > message_length ||
        (size_t)certificate_length + 3 > list_length)
        return true;

    size_t certificate_end = MIN(lengths_end + (size_t)certificate_length, sizeof flight);
    gather(&records, flight, certificate_end, &filled);
    bool whole = filled == lengths_end + (size_t)certificate_length;
    if (!whole && !records.broken && !final && filled < sizeof flight)
        return false;
    oddport_tls_read_certificate(flight + lengths_end, filled - lengths_end, &info->certificate);
    if (!whole)
        info->certificate.truncated = true;
    return true;
}

_Static_assert(sizeof(OddportTlsInfo) <= ODDPORT_PROTOCOL_DETAILS_MAX,
               "TLS's details must fit a side result");

static OddportMatch detect(const uint8_t *bytes, size_t length, OddportVerdict *verdict,
                           void *details)
{
    return oddport_detect_tls(bytes, length, verdict, details);
}

static bool read_later_details(const uint8_t *bytes, size_t length, bool final, void *details)
{
    return oddport_tls_read_server_flight(bytes, length, final, details);
}

const OddportTlsInfo *oddport_tls_details(const OddportSideResult *side)
{
    return side != NULL && side->app == ODDPORT_APP_TLS ? (const void *)side->details.bytes : NULL;
}

/* A side's details when it sent a hello of `handshake_type`, else NULL. */
static const OddportTlsInfo *hello_details(const OddportSideResult *side, uint8_t handshake_type)
{
    const OddportTlsInfo *info = oddport_tls_details(side);
    return info != NULL && info->handshake_type == handshake_type ? info : NULL;
}

extern const OddportProtocol oddport_protocol_tls;

static void describe_certificate(const OddportTlsCertificate *certificate,
                                 const OddportRecordVisitor *visitor, void *data)
{
    visitor->begin_object("certificate", certificate != NULL, data);
    oddport_record_text(visitor, "subject_cn", certificate != NULL ? certificate->subject_cn : NULL,
                        data);
    oddport_record_text(visitor, "issuer_cn", certificate != NULL ? certificate->issuer_cn : NULL,
                        data);
    oddport_record_text(visitor, "not_before", certificate != NULL ? certificate->not_before : NULL,
                        data);
    oddport_record_text(visitor, "not_after", certificate != NULL ? certificate->not_after : NULL,
                        data);
    if (certificate != NULL && certificate->self_signed_known)
        visitor->boolean("self_signed", certificate->self_signed, data);
    else
        visitor->null("self_signed", data);
    if (certificate != NULL)
        visitor->boolean("truncated", certificate->truncated, data);
    else
        visitor->null("truncated", data);
    visitor->end_object(data);
}

/* The report fields: the version in use, which hellos were seen, SNI, ALPN, the fingerprints and
 * the server's certificate. */
static void describe_fields(const OddportSideResult *client, const OddportSideResult *server,
                            const OddportRecordVisitor *visitor, void *data)
{
    const OddportTlsInfo *offered = oddport_tls_details(client);
    const OddportTlsInfo *chosen = oddport_tls_details(server);
    bool seen = offered != NULL || chosen != NULL;
    /* The server's choice is the version in use; a ClientHello alone only says what was offered. */
    const char *version = oddport_field_of_both_sides(
        &oddport_protocol_tls, offered != NULL ? oddport_tls_version_name(offered->version) : NULL,
        chosen != NULL ? oddport_tls_version_name(chosen->version) : NULL);
    oddport_record_text(visitor, "version", version, data);
    if (seen) {
        visitor->boolean("client_hello", offered != NULL && offered->handshake_type == 1, data);
        visitor->boolean("server_hello", chosen != NULL && chosen->handshake_type == 2, data);
        visitor->boolean("sslv2_compatible", offered != NULL && offered->sslv2_compatible, data);
    } else {
        visitor->null("client_hello", data);
        visitor->null("server_hello", data);
        visitor->null("sslv2_compatible", data);
    }
    oddport_record_text(visitor, "sni", offered != NULL ? offered->sni : NULL, data);
    visitor->begin_array("alpn", data);
    for (unsigned index = 0; offered != NULL && index < offered->alpn_count; index++)
        visitor->string(NULL, offered->alpn[index], data);
    visitor->end_array(data);
    oddport_record_text(visitor, "alpn_selected",
                        chosen != NULL && chosen->alpn_count > 0 ? chosen->alpn[0] : NULL, data);
    const OddportTlsInfo *client_hello = hello_details(client, HANDSHAKE_CLIENT_HELLO);
    const OddportTlsInfo *server_hello = hello_details(server, HANDSHAKE_SERVER_HELLO);
    oddport_record_text(visitor, "ja3", client_hello != NULL ? client_hello->ja3 : NULL, data);
    oddport_record_text(visitor, "ja3s", server_hello != NULL ? server_hello->ja3 : NULL, data);
    oddport_record_text(visitor, "ja4", client_hello != NULL ? client_hello->ja4 : NULL, data);
    describe_certificate(server_hello != NULL && server_hello->certificate.present
                             ? &server_hello->certificate
                             : NULL,
                         visitor, data);
}

/* Appends to a NUL-terminated text held in `capacity` bytes, cutting what does not fit. */
static void append_text(char *text, size_t capacity, const char *more)
{
    size_t used = strlen(text);
    while (*more != '\0' && used + 1 < capacity)
        text[used++] = *more++;
    text[used] = '\0';
}

/* "ja4 t13d1516h2_8daaf6152771_e5627efa2ab1, ja3 ..., ja3s ...; cert CN=example.org
 * (self-signed)": what a defender pivots on, in one line. */
static void summarise_fields(const OddportFieldTexts *fields, char *text, size_t capacity)
{
    if (capacity == 0)
        return;
    text[0] = '\0';
    static const struct {
        const char *label;
        const char *field;
    } fingerprints[] = {{"ja4 ", "ja4"}, {"ja3 ", "ja3"}, {"ja3s ", "ja3s"}};
    for (size_t index = 0; index < sizeof fingerprints / sizeof fingerprints[0]; index++) {
        const char *value = oddport_field_text(fields, fingerprints[index].field);
        if (value == NULL)
            continue;
        if (text[0] != '\0')
            append_text(text, capacity, ", ");
        append_text(text, capacity, fingerprints[index].label);
        append_text(text, capacity, value);
    }
    /* A certificate read has its flags, whatever names it gave. */
    const char *truncated = oddport_field_text(fields, "certificate.truncated");
    if (truncated == NULL)
        return;
    if (text[0] != '\0')
        append_text(text, capacity, "; ");
    append_text(text, capacity, "cert");
    const char *subject = oddport_field_text(fields, "certificate.subject_cn");
    if (subject != NULL) {
        append_text(text, capacity, " CN=");
        append_text(text, capacity, subject);
    }
    const char *self_signed = oddport_field_text(fields, "certificate.self_signed");
    const char *issuer = oddport_field_text(fields, "certificate.issuer_cn");
    if (self_signed != NULL && strcmp(self_signed, "true") == 0) {
        append_text(text, capacity, " (self-signed)");
    } else if (issuer != NULL) {
        append_text(text, capacity, " issued by CN=");
        append_text(text, capacity, issuer);
    }
    if (strcmp(truncated, "true") == 0)
        append_text(text, capacity, " (cut short)");
}

const OddportProtocol oddport_protocol_tls = {
    .app = ODDPORT_APP_TLS,
    .name = "tls",
    .title = "TLS",
    .recognises = "SSL 3.0 to TLS 1.3 hellos, SSLv2-style hellos, records caught midstream",
    .transports = ODDPORT_PROTOCOL_OVER_TCP | ODDPORT_PROTOCOL_OVER_UDP,
    .detect = detect,
    .describe_fields = describe_fields,
    .field_both_sides_give = "version",
    .server_word_prevails = true,
    .summarise_fields = summarise_fields,
    .read_later_details = read_later_details,
    .details_size = sizeof(OddportTlsInfo),
    /* 443 and IANA's implicit-TLS ports, where a handshake is the first thing on the wire. UDP
     * has none: QUIC is not TLS records. */
    .standard_ports = {.tcp = ODDPORT_PORT_LIST(443, 465, 563, 636, 853, 989, 990, 992, 993, 994,
                                                995, 5061, 8883)},
    /* 4443: the customary HTTPS alternate when 443 is taken; 8443: IANA pcsync-https, but de
     * facto the HTTPS alternate (Tomcat). Single vendors' defaults (10443, 9443) and services of
     * their own (6443, the Kubernetes API) are left to site rules. */
    .alternate_ports = {.tcp = ODDPORT_PORT_LIST(4443, 8443)},
    /* https, smtps, ldaps, DNS over TLS, ftps, imaps, pop3s, the Docker engine API over TLS, SIP
     * over TLS, WinRM over TLS, MQTT over TLS. */
    .native_service_ports = {.tcp = ODDPORT_PORT_LIST(443, 465, 636, 853, 990, 993, 995, 2376, 5061,
                                                      5986, 8883)},
    .wireshark_dissector = "tls",
};
