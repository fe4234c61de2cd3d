/* Recognises an SSH identification string (RFC 4253 4.2), also after lines sent before it, and
 * fingerprints the key exchange offer that follows it (HASSH). */
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "internal/cursor.h"
#include "internal/digest.h"
#include "internal/stream.h"
#include "internal/word_scan.h"
#include "oddport/detect.h"
#include "oddport/protocol.h"
#include "oddport/record.h"
#include "verdict.h"

/* RFC 4253 limits the identification string to 255 bytes with its CR LF. */
#define BANNER_LINE_MAX 255
/* Servers may greet with other lines first; real ones send a few short lines at most, and
 * endless text without a banner is some other protocol. */
#define PRE_BANNER_BYTES_MAX 1024
#define PRE_BANNER_LINES_MAX 32
/* Older Cisco servers pad their identification line with NUL bytes before its end. How many is
 * not written down anywhere; a short run fills out a fixed-size buffer, while a long run of zero
 * bytes after a bit of text is more likely some binary protocol. The padding still counts
 * towards BANNER_LINE_MAX. */
#define NUL_PADDING_MAX 64
/* "2.0", "1.99", "1.5": longer protocol versions are not ones anybody speaks. */
#define PROTOCOL_VERSION_MAX 7

static const char banner_start[] = "SSH-";
#define BANNER_START_LENGTH (sizeof banner_start - 1)

static OddportMatch set_verdict(OddportVerdict *verdict, OddportMatch match,
                                OddportConfidence confidence, const char *evidence)
{
    /* Client and server both open with a banner. */
    oddport_verdict_set(verdict, match, confidence, ODDPORT_ROLE_EITHER, evidence);
    return match;
}

static bool is_digit(uint8_t byte)
{
    return byte >= '0' && byte <= '9';
}

/* Whether the protocol version read so far can still become "2.0" or "1." followed by digits. */
static bool protocol_version_possible(const char *version, size_t length)
{
    if (length == 0)
        return true;
    if (version[0] == '2')
        return length <= 3 && strncmp(version, "2.0", length) == 0;
    if (version[0] != '1')
        return false;
    if (length >= 2 && version[1] != '.')
        return false;
    for (size_t index = 2; index < length; index++) {
        if (!is_digit((uint8_t)version[index]))
            return false;
    }
    return true;
}

static bool protocol_version_complete(const char *version, size_t length)
{
    return length >= 3 && protocol_version_possible(version, length) &&
           (version[0] == '1' || length == 3);
}

/* Bytes other lines before a banner may hold: UTF-8 text, per RFC 4253. Bytes that never occur
 * in UTF-8 (0xc0, 0xc1, 0xf5 and above) mark binary data. */
static bool is_pre_banner_text(uint8_t byte)
{
    return byte == '\t' ||
           (byte >= 0x20 && byte != 0x7f && byte != 0xc0 && byte != 0xc1 && byte < 0xf5);
}

/* How many leading bytes agree with "SSH-". */
static size_t banner_start_matched(OddportCursor cursor)
{
    size_t matched = 0;
    uint8_t byte;
    while (matched < BANNER_START_LENGTH && oddport_cursor_u8(&cursor, &byte) &&
           byte == (uint8_t)banner_start[matched])
        matched++;
    return matched;
}

typedef enum {
    LINE_END_FOUND,
    LINE_END_MISSING,
    LINE_END_INVALID,
} LineEnd;

static LineEnd read_line_end(OddportCursor *cursor, uint8_t first)
{
    uint8_t byte;
    if (first == '\n')
        return LINE_END_FOUND;
    if (!oddport_cursor_u8(cursor, &byte))
        return LINE_END_MISSING;
    return byte == '\n' ? LINE_END_FOUND : LINE_END_INVALID;
}

/* Copies the identification line's first `length` bytes, without any CR that ends them; the
 * copy stops at NUL padding. */
static void copy_banner(OddportCursor line_start, size_t length, OddportSshInfo *info)
{
    uint8_t last;
    if (length > 0 && oddport_cursor_peek_u8(&line_start, length - 1, &last) && last == '\r')
        length--;
    OddportCursor content = {NULL, 0};
    oddport_cursor_sub(&line_start, length, &content);
    oddport_copy_wire_text(info->banner, sizeof info->banner, content);
}

/* A banner cut short may be taken for one if the flow ends there (at MEDIUM), so what has come
 * of it is kept. */
static OddportMatch banner_cut_short(OddportCursor line_start, size_t length,
                                     OddportConfidence confidence, const char *evidence,
                                     OddportVerdict *verdict, OddportSshInfo *info)
{
    if (confidence >= ODDPORT_CONFIDENCE_MEDIUM)
        copy_banner(line_start, length, info);
    return set_verdict(verdict, ODDPORT_MATCH_NEED_MORE, confidence, evidence);
}

static OddportMatch parse_banner(OddportCursor cursor, unsigned lines_before,
                                 OddportVerdict *verdict, OddportSshInfo *info)
{
    OddportCursor line = cursor;
    bool limit_reached = oddport_cursor_narrow(&line, BANNER_LINE_MAX);
    const size_t line_budget = line.left;
    OddportConfidence waiting = ODDPORT_CONFIDENCE_LOW;
    const char *cut_short = "start of an SSH banner";
    oddport_cursor_skip(&line, BANNER_START_LENGTH);

    char version[PROTOCOL_VERSION_MAX + 1];
    size_t version_length = 0;
    uint8_t byte = 0;
    enum {
        IN_PROTOCOL_VERSION,
        IN_SOFTWARE_VERSION,
        IN_COMMENTS,
        IN_NUL_PADDING,
    } part = IN_PROTOCOL_VERSION;
    size_t software_length = 0;
    size_t padding_length = 0;
    for (;;) {
        if (!oddport_cursor_u8(&line, &byte)) {
            if (limit_reached)
                return oddport_verdict_reject(verdict, "SSH banner longer than 255 bytes");
            return banner_cut_short(cursor, line_budget - line.left, waiting, cut_short, verdict,
                                    info);
        }
        if (part == IN_PROTOCOL_VERSION) {
            if (byte == '-') {
                if (!protocol_version_complete(version, version_length))
                    return oddport_verdict_reject(verdict,
                                                  "SSH banner with an unknown protocol version");
                version[version_length] = '\0';
                snprintf(info->protocol_version, sizeof info->protocol_version, "%s", version);
                part = IN_SOFTWARE_VERSION;
                waiting = ODDPORT_CONFIDENCE_MEDIUM;
                cut_short = "SSH banner without its end yet";
                continue;
            }
            if (version_length == PROTOCOL_VERSION_MAX)
                return oddport_verdict_reject(verdict,
                                              "SSH banner with an unknown protocol version");
            version[version_length++] = (char)byte;
            if (!protocol_version_possible(version, version_length))
                return oddport_verdict_reject(verdict,
                                              "SSH banner with an unknown protocol version");
            continue;
        }
        if (byte == '\0' && (part == IN_NUL_PADDING || software_length > 0)) {
            if (padding_length == NUL_PADDING_MAX)
                return oddport_verdict_reject(verdict, "SSH banner with too many NUL bytes");
            padding_length++;
            part = IN_NUL_PADDING;
            continue;
        }
        if (part == IN_NUL_PADDING && byte != '\r' && byte != '\n')
            return oddport_verdict_reject(verdict, "SSH banner with bytes after its NUL padding");
        if (byte == '\r' || byte == '\n') {
            if (part == IN_SOFTWARE_VERSION && software_length == 0)
                return oddport_verdict_reject(verdict, "SSH banner without a software version");
            LineEnd end = read_line_end(&line, byte);
            if (end == LINE_END_INVALID)
                return oddport_verdict_reject(verdict, "SSH banner with a stray CR");
            if (end == LINE_END_MISSING && limit_reached)
                return oddport_verdict_reject(verdict, "SSH banner longer than 255 bytes");
            if (end == LINE_END_MISSING)
                return banner_cut_short(cursor, line_budget - line.left, waiting, cut_short,
                                        verdict, info);
            break;
        }
        if (part == IN_SOFTWARE_VERSION) {
            if (byte == ' ') {
                if (software_length == 0)
                    return oddport_verdict_reject(verdict, "SSH banner without a software version");
                part = IN_COMMENTS;
            } else if (byte < 0x21 || byte > 0x7e) {
                /* RFC 4253 also forbids '-' here, yet Cisco and others send it. */
                return oddport_verdict_reject(verdict, "SSH software version is not printable");
            } else {
                software_length++;
            }
        } else if (byte < 0x20 || byte == 0x7f) {
            return oddport_verdict_reject(verdict, "SSH banner comment with control bytes");
        }
    }

    /* Everything read but the final LF. */
    copy_banner(cursor, line_budget - line.left - 1, info);

    set_verdict(verdict, ODDPORT_MATCH_YES, ODDPORT_CONFIDENCE_HIGH, info->banner);
    oddport_evidence_append(verdict->evidence, " banner");
    if (padding_length > 0) {
        char note[48];
        snprintf(note, sizeof note, " padded with %zu NUL byte%s", padding_length,
                 padding_length == 1 ? "" : "s");
        oddport_evidence_append(verdict->evidence, note);
    }
    if (lines_before > 0) {
        char note[48];
        snprintf(note, sizeof note, " after %u other line%s", lines_before,
                 lines_before == 1 ? "" : "s");
        oddport_evidence_append(verdict->evidence, note);
    }
    return ODDPORT_MATCH_YES;
}

static OddportMatch detect_banner(OddportCursor cursor, OddportVerdict *verdict,
                                  OddportSshInfo *info)
{
    unsigned lines_before = 0;
    size_t bytes_before = 0;
    for (;;) {
        size_t matched = banner_start_matched(cursor);
        if (matched == BANNER_START_LENGTH)
            return parse_banner(cursor, lines_before, verdict, info);
        if (matched == cursor.left) {
            if (matched > 0)
                return set_verdict(verdict, ODDPORT_MATCH_NEED_MORE, ODDPORT_CONFIDENCE_LOW,
                                   "start of an SSH banner");
            /* Text lines alone prove nothing, whatever comes after them. */
            return set_verdict(verdict, ODDPORT_MATCH_NEED_MORE, ODDPORT_CONFIDENCE_NONE,
                               lines_before == 0 ? "no bytes yet"
                                                 : "text lines, no SSH banner yet");
        }
        if (lines_before == PRE_BANNER_LINES_MAX)
            return oddport_verdict_reject(verdict, "too many lines before an SSH banner");
        /* Any other line: it must be text and end before the allowance runs out. */
        uint8_t byte;
        for (;;) {
            /* Printable ASCII, the bulk of any text, is passed over a word at a time, as far
             * as the allowance goes. */
            OddportCursor allowed = cursor;
            oddport_cursor_narrow(&allowed, PRE_BANNER_BYTES_MAX - bytes_before);
            size_t printable = oddport_cursor_skip_bytes_between(&allowed, 0x20, 0x7e);
            oddport_cursor_skip(&cursor, printable);
            bytes_before += printable;
            if (bytes_before == PRE_BANNER_BYTES_MAX)
                return oddport_verdict_reject(verdict, "too much text before an SSH banner");
            if (!oddport_cursor_u8(&cursor, &byte))
                return set_verdict(verdict, ODDPORT_MATCH_NEED_MORE, ODDPORT_CONFIDENCE_NONE,
                                   "text, no SSH banner yet");
            bytes_before++;
            if (byte == '\n')
                break;
            if (byte == '\r') {
                uint8_t next;
                if (oddport_cursor_peek_u8(&cursor, 0, &next) && next != '\n')
                    return oddport_verdict_reject(verdict, "stray CR before an SSH banner");
                continue;
            }
            if (!is_pre_banner_text(byte))
                return oddport_verdict_reject(verdict,
                                              "binary bytes where an SSH banner should be");
        }
        lines_before++;
    }
}

OddportMatch oddport_detect_ssh(const uint8_t *bytes, size_t length, OddportVerdict *verdict,
                                OddportSshInfo *info)
{
    OddportVerdict result;
    memset(&result, 0, sizeof result);
    /* Filled in place: the caller's, or a scratch copy when the caller wants none. */
    OddportSshInfo scratch;
    OddportSshInfo *found = info != NULL ? info : &scratch;
    memset(found, 0, sizeof *found);

    detect_banner(oddport_cursor_make(bytes, length), &result, found);

    if (result.match == ODDPORT_MATCH_NO)
        memset(found, 0, sizeof *found);
    if (verdict != NULL)
        *verdict = result;
    return result.match;
}

/* RFC 4253 section 6.1 asks implementations to take packets of up to 35000 bytes; a longer
 * length is not a packet anybody sends, and no KEXINIT comes near it. */
#define PACKET_LENGTH_MAX 35000
#define MESSAGE_KEXINIT   20
#define COOKIE_LENGTH     16

/* The name-lists of a KEXINIT, in their order on the wire. */
typedef enum {
    LIST_KEY_EXCHANGE,
    LIST_HOST_KEY,
    LIST_ENCRYPTION_CLIENT_TO_SERVER,
    LIST_ENCRYPTION_SERVER_TO_CLIENT,
    LIST_MAC_CLIENT_TO_SERVER,
    LIST_MAC_SERVER_TO_CLIENT,
    LIST_COMPRESSION_CLIENT_TO_SERVER,
    LIST_COMPRESSION_SERVER_TO_CLIENT,
    LIST_LANGUAGES_CLIENT_TO_SERVER,
    LIST_LANGUAGES_SERVER_TO_CLIENT,
    LIST_COUNT
} NameList;

/* The smallest KEXINIT payload: message number, cookie, every name-list empty,
 * first_kex_packet_follows and the reserved word. */
#define KEXINIT_PAYLOAD_MIN (1 + COOKIE_LENGTH + LIST_COUNT * 4 + 1 + 4)

typedef enum {
    READ_DONE,
    READ_INCOMPLETE,
    READ_GIVEN_UP,
} ReadOutcome;

/* Moves past the identification string and the lines before it as oddport_detect_ssh took them:
 * every line up to and including the first that starts with "SSH-". */
static ReadOutcome skip_identification(OddportCursor *cursor)
{
    size_t scanned = 0;
    for (;;) {
        /* A line is only judged once its line feed is there, so a start cut short cannot fool
         * this. */
        bool is_banner = banner_start_matched(*cursor) == BANNER_START_LENGTH;
        uint8_t byte;
        do {
            if (!oddport_cursor_u8(cursor, &byte))
                return READ_INCOMPLETE;
            if (++scanned > PRE_BANNER_BYTES_MAX + BANNER_LINE_MAX)
                return READ_GIVEN_UP;
        } while (byte != '\n');
        if (is_banner)
            return READ_DONE;
    }
}

/* Bytes allowed in a name-list: RFC 4251 section 5 and RFC 4250 section 4.6.1 make algorithm
 * names printable US-ASCII without spaces, and commas separate them. Anything else is no SSH
 * implementation's offer, and Wireshark would hash replacement characters in its place. */
#define NAME_LIST_BYTE_FIRST 0x21
#define NAME_LIST_BYTE_LAST  0x7e

static bool is_name_list(OddportCursor list)
{
    /* Eight bytes at a time, since every KEXINIT of every SSH flow is checked. */
    oddport_cursor_skip_bytes_between(&list, NAME_LIST_BYTE_FIRST, NAME_LIST_BYTE_LAST);
    return list.left == 0;
}

static bool same_list(OddportCursor one, OddportCursor other)
{
    const uint8_t *one_bytes = NULL;
    const uint8_t *other_bytes = NULL;
    size_t count = one.left;
    if (count != other.left)
        return false;
    if (count == 0)
        return true;
    return oddport_cursor_bytes(&one, count, &one_bytes) &&
           oddport_cursor_bytes(&other, count, &other_bytes) &&
           memcmp(one_bytes, other_bytes, count) == 0;
}

/* Adds a name-list to a HASSH digest and, unless it is the last of the four, the ';' between. */
static void digest_list(OddportMd5 *digest, OddportCursor list, bool last)
{
    const uint8_t *bytes = NULL;
    size_t count = list.left;
    if (count > 0 && oddport_cursor_bytes(&list, count, &bytes))
        oddport_md5_update(digest, bytes, count);
    if (!last)
        oddport_md5_update(digest, ";", 1);
}

/* The digest in lowercase hexadecimal, as Wireshark and the HASSH tools print it. */
static void finish_digest(OddportMd5 *digest, char hex[ODDPORT_SSH_HASSH_SIZE])
{
    uint8_t bytes[ODDPORT_MD5_SIZE];
    oddport_md5_finish(digest, bytes);
    oddport_digest_to_hex(bytes, sizeof bytes, ODDPORT_SSH_HASSH_SIZE - 1, hex);
}

/* HASSH: the key exchange list, then one direction's encryption, MAC and compression lists, each
 * as sent, joined by ';'. The client's fingerprint takes the client-to-server lists, the
 * server's the server-to-client ones. */
static void write_fingerprints(const OddportCursor lists[LIST_COUNT], OddportSshInfo *info)
{
    OddportMd5 client_to_server;
    oddport_md5_init(&client_to_server);
    digest_list(&client_to_server, lists[LIST_KEY_EXCHANGE], false);
    /* Most implementations offer the same lists both ways, and one digest then serves for both. */
    bool symmetric =
        same_list(lists[LIST_ENCRYPTION_CLIENT_TO_SERVER],
                  lists[LIST_ENCRYPTION_SERVER_TO_CLIENT]) &&
        same_list(lists[LIST_MAC_CLIENT_TO_SERVER], lists[LIST_MAC_SERVER_TO_CLIENT]) &&
        same_list(lists[LIST_COMPRESSION_CLIENT_TO_SERVER],
                  lists[LIST_COMPRESSION_SERVER_TO_CLIENT]);
    /* The key exchange list is shared: the other direction starts from a copy of the state. */
    OddportMd5 server_to_client = client_to_server;

    digest_list(&client_to_server, lists[LIST_ENCRYPTION_CLIENT_TO_SERVER], false);
    digest_list(&client_to_server, lists[LIST_MAC_CLIENT_TO_SERVER], false);
    digest_list(&client_to_server, lists[LIST_COMPRESSION_CLIENT_TO_SERVER], true);
    finish_digest(&client_to_server, info->hassh);

    if (symmetric) {
        memcpy(info->hassh_server, info->hassh, sizeof info->hassh_server);
        return;
    }
    digest_list(&server_to_client, lists[LIST_ENCRYPTION_SERVER_TO_CLIENT], false);
    digest_list(&server_to_client, lists[LIST_MAC_SERVER_TO_CLIENT], false);
    digest_list(&server_to_client, lists[LIST_COMPRESSION_SERVER_TO_CLIENT], true);
    finish_digest(&server_to_client, info->hassh_server);
}

/* Reads the binary packet (RFC 4253 section 6) that starts at `cursor`, `offset` bytes into the
 * side's opening, as a KEXINIT (section 7.1), and fingerprints it. */
static ReadOutcome read_key_exchange_init(OddportCursor cursor, size_t offset, OddportSshInfo *info)
{
    uint32_t packet_length;
    if (!oddport_cursor_be32(&cursor, &packet_length))
        return READ_INCOMPLETE;
    /* The padding length byte and room for a KEXINIT, and no more than anybody sends. */
    if (packet_length < 1 + KEXINIT_PAYLOAD_MIN || packet_length > PACKET_LENGTH_MAX)
        return READ_GIVEN_UP;
    /* A side keeps no more than ODDPORT_STREAM_LIMIT bytes of its opening: a packet that ends
     * past them can never be read whole, and saying so now lets the side release its bytes. */
    if (offset + 4 + packet_length > ODDPORT_STREAM_LIMIT)
        return READ_GIVEN_UP;
    /* Wireshark fingerprints only a whole packet, padding included; so does this. */
    OddportCursor packet;
    if (!oddport_cursor_sub(&cursor, packet_length, &packet))
        return READ_INCOMPLETE;
    uint8_t padding_length;
    OddportCursor payload;
    /* RFC 4253 asks for at least 4 bytes of padding. Too little says nothing about the
     * algorithms offered, and Wireshark fingerprints such a packet too, so only a padding that
     * leaves no room for a KEXINIT is refused. */
    if (!oddport_cursor_u8(&packet, &padding_length) ||
        packet.left < (size_t)padding_length + KEXINIT_PAYLOAD_MIN ||
        !oddport_cursor_sub(&packet, packet.left - padding_length, &payload))
        return READ_GIVEN_UP;

    uint8_t message;
    if (!oddport_cursor_u8(&payload, &message) || message != MESSAGE_KEXINIT ||
        !oddport_cursor_skip(&payload, COOKIE_LENGTH))
        return READ_GIVEN_UP;
    OddportCursor lists[LIST_COUNT];
    for (size_t index = 0; index < LIST_COUNT; index++) {
        uint32_t list_length;
        if (!oddport_cursor_be32(&payload, &list_length) ||
            !oddport_cursor_sub(&payload, list_length, &lists[index]) ||
            !is_name_list(lists[index]))
            return READ_GIVEN_UP;
    }
    /* first_kex_packet_follows and the reserved word end the message; a payload without them
     * was cut by its own length fields. */
    if (!oddport_cursor_skip(&payload, 1 + 4))
        return READ_GIVEN_UP;
    write_fingerprints(lists, info);
    return READ_DONE;
}

bool oddport_ssh_read_key_exchange_init(const uint8_t *bytes, size_t length, bool final,
                                        OddportSshInfo *info)
{
    /* SSH 1.x exchanges keys differently and sends no KEXINIT; "1.99" is a server that speaks
     * 2.0 as well. */
    if (strcmp(info->protocol_version, "2.0") != 0 && strcmp(info->protocol_version, "1.99") != 0)
        return true;
    OddportCursor cursor = oddport_cursor_make(bytes, length);
    ReadOutcome outcome = skip_identification(&cursor);
    if (outcome == READ_DONE)
        outcome = read_key_exchange_init(cursor, length - cursor.left, info);
    return outcome != READ_INCOMPLETE || final;
}

_Static_assert(sizeof(OddportSshInfo) <= ODDPORT_PROTOCOL_DETAILS_MAX,
               "SSH's details must fit a side result");

static OddportMatch detect(const uint8_t *bytes, size_t length, OddportVerdict *verdict,
                           void *details)
{
    return oddport_detect_ssh(bytes, length, verdict, details);
}

const OddportSshInfo *oddport_ssh_details(const OddportSideResult *side)
{
    return side != NULL && side->app == ODDPORT_APP_SSH ? (const void *)side->details.bytes : NULL;
}

static bool read_later_details(const uint8_t *bytes, size_t length, bool final, void *details)
{
    return oddport_ssh_read_key_exchange_init(bytes, length, final, details);
}

/* The report fields: both banners, the client's HASSH and the server's HASSHServer. */
static void describe_fields(const OddportSideResult *client, const OddportSideResult *server,
                            const OddportRecordVisitor *visitor, void *data)
{
    const OddportSshInfo *client_details = oddport_ssh_details(client);
    const OddportSshInfo *server_details = oddport_ssh_details(server);
    oddport_record_text(visitor, "client_banner",
                        client_details != NULL ? client_details->banner : NULL, data);
    oddport_record_text(visitor, "server_banner",
                        server_details != NULL ? server_details->banner : NULL, data);
    oddport_record_text(visitor, "hassh", client_details != NULL ? client_details->hassh : NULL,
                        data);
    oddport_record_text(visitor, "hassh_server",
                        server_details != NULL ? server_details->hassh_server : NULL, data);
}

static void summarise_fields(const OddportFieldTexts *fields, char *text, size_t capacity)
{
    const char *hassh = oddport_field_text(fields, "hassh");
    const char *hassh_server = oddport_field_text(fields, "hassh_server");
    if (capacity == 0)
        return;
    if (hassh != NULL && hassh_server != NULL)
        snprintf(text, capacity, "hassh %s, hassh_server %s", hassh, hassh_server);
    else if (hassh != NULL)
        snprintf(text, capacity, "hassh %s", hassh);
    else if (hassh_server != NULL)
        snprintf(text, capacity, "hassh_server %s", hassh_server);
    else
        text[0] = '\0';
}

const OddportProtocol oddport_protocol_ssh = {
    .app = ODDPORT_APP_SSH,
    .name = "ssh",
    .title = "SSH",
    .recognises = "SSH identification strings, also after lines a server sends first",
    .transports = ODDPORT_PROTOCOL_OVER_TCP | ODDPORT_PROTOCOL_OVER_UDP,
    .detect = detect,
    .describe_fields = describe_fields,
    .summarise_fields = summarise_fields,
    .read_later_details = read_later_details,
    .details_size = sizeof(OddportSshInfo),
    .standard_ports = {.tcp = ODDPORT_PORT_LIST(22)},
    /* The customary second SSH daemon (containers, Gitea, appliances). */
    .alternate_ports = {.tcp = ODDPORT_PORT_LIST(2222)},
    .native_service_ports = {.tcp = ODDPORT_PORT_LIST(22)},
    .wireshark_dissector = "ssh",
};
