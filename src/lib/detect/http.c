/* Recognises HTTP/1.x requests, status lines and the h2c preface in a flow's first bytes. */
#include <stdio.h>
#include <string.h>

#include "internal/cursor.h"
#include "internal/http_methods.h"
#include "oddport/detect.h"
#include "oddport/protocol.h"
#include "oddport/record.h"
#include "verdict.h"

/* Common servers refuse longer request lines (8 KiB is the usual default), and a line that long
 * without an end is far more likely to be some other protocol than HTTP. */
#define REQUEST_LINE_MAX 8192

/* The longest registered method (UPDATEREDIRECTREF); a longer token cannot become one. */
#define METHOD_TOKEN_MAX 17

/* How much of a request target the evidence line shows, so the Host header still fits. */
#define EVIDENCE_TARGET_MAX 96

static const char http2_preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
#define HTTP2_PREFACE_LENGTH      (sizeof http2_preface - 1)
#define HTTP2_PREFACE_LINE_LENGTH 16 /* "PRI * HTTP/2.0\r\n" */

typedef enum {
    TARGET_ORIGIN,    /* "/path?query" */
    TARGET_ABSOLUTE,  /* "http://host/path", as sent to proxies */
    TARGET_AUTHORITY, /* "host:port", CONNECT only */
    TARGET_ASTERISK,  /* "*", OPTIONS and PRI only */
} TargetForm;

static uint8_t ascii_lower(uint8_t byte)
{
    return byte >= 'A' && byte <= 'Z' ? (uint8_t)(byte + ('a' - 'A')) : byte;
}

static bool is_digit(uint8_t byte)
{
    return byte >= '0' && byte <= '9';
}

static bool is_alpha(uint8_t byte)
{
    return (byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z');
}

/* RFC 9110 tchar: what a method or header name may be made of. */
static bool is_token_char(uint8_t byte)
{
    return is_alpha(byte) || is_digit(byte) || (byte != '\0' && strchr("!#$%&'*+-.^_`|~", byte));
}

/* Visible ASCII, plus raw high bytes that lenient servers accept in paths. */
static bool is_target_char(uint8_t byte)
{
    return (byte >= 0x21 && byte <= 0x7e) || byte >= 0x80;
}

/* What a "host:port" authority may hold, IPv6 literals included. */
static bool is_authority_char(uint8_t byte)
{
    return is_alpha(byte) || is_digit(byte) ||
           (byte != '\0' && strchr("-._~%!$&'()*+,;=:[]", byte));
}

/* Bytes allowed in a reason phrase or header value besides the line end. */
static bool is_field_text(uint8_t byte)
{
    return byte == '\t' || (byte >= 0x20 && byte != 0x7f);
}

/* The registered methods that begin with the token read so far, in any case: a run of the table,
 * which is in byte order, so that each byte read narrows the run rather than being checked
 * against every method (that check took a fifth of HTTP detection's instructions). */
typedef struct {
    size_t begin;
    size_t end;
} MethodRange;

/* The methods of `range`, which share the token's first `position` bytes, whose next byte is
 * `byte` in either case. Each is at least `position` bytes long, so its byte there may be its
 * end but is never past it; the registry's methods are upper case. */
static MethodRange narrow_methods(MethodRange range, size_t position, uint8_t byte)
{
    char wanted = g_ascii_toupper((char)byte);
    while (range.begin < range.end &&
           oddport_http_registered_methods[range.begin][position] != wanted)
        range.begin++;
    size_t end = range.begin;
    while (end < range.end && oddport_http_registered_methods[end][position] == wanted)
        end++;
    range.end = end;
    return range;
}

/* "HTTP/x.y" into a version field; by hand, as every request and response is read. */
static void put_version(char version[ODDPORT_HTTP_VERSION_MAX], uint8_t major, uint8_t minor)
{
    memcpy(version, "HTTP/", 5);
    version[5] = (char)major;
    version[6] = '.';
    version[7] = (char)minor;
    version[8] = '\0';
}

static OddportConfidence one_step_lower(OddportConfidence confidence)
{
    return confidence > ODDPORT_CONFIDENCE_LOW ? (OddportConfidence)(confidence - 1) : confidence;
}

/* Splits off the next line (without CR LF or LF) when its end is among the bytes. */
static bool take_line(OddportCursor *cursor, OddportCursor *line)
{
    uint8_t byte;
    for (size_t offset = 0; oddport_cursor_peek_u8(cursor, offset, &byte); offset++) {
        if (byte != '\n')
            continue;
        size_t content_length = offset;
        uint8_t before;
        if (offset > 0 && oddport_cursor_peek_u8(cursor, offset - 1, &before) && before == '\r')
            content_length--;
        oddport_cursor_sub(cursor, content_length, line);
        return oddport_cursor_skip(cursor, offset + 1 - content_length);
    }
    return false;
}

static bool is_optional_whitespace(uint8_t byte)
{
    return byte == ' ' || byte == '\t';
}

/* Narrows a header value to what lies between optional whitespace on both sides. */
static OddportCursor trim_whitespace(OddportCursor value)
{
    uint8_t byte;
    while (oddport_cursor_peek_u8(&value, 0, &byte) && is_optional_whitespace(byte))
        oddport_cursor_skip(&value, 1);
    while (value.left > 0 && oddport_cursor_peek_u8(&value, value.left - 1, &byte) &&
           is_optional_whitespace(byte))
        oddport_cursor_narrow(&value, value.left - 1);
    return value;
}

/* Whether a header name equals `expected` (lower case), ignoring case as HTTP does. */
static bool header_name_is(OddportCursor name, const char *expected)
{
    uint8_t byte;
    for (; *expected != '\0'; expected++) {
        if (!oddport_cursor_u8(&name, &byte) || ascii_lower(byte) != (uint8_t)*expected)
            return false;
    }
    return name.left == 0;
}

/* How a header block read so far stands. */
typedef enum {
    HEADERS_CUT_SHORT, /* the bytes end inside it: more may come */
    HEADERS_ENDED,     /* its empty line was read */
    HEADERS_MALFORMED, /* a line no header is: nothing after it is read */
} HeaderBlock;

/* Reads the header block at the start of `cursor`, passing each field to `field` (may be NULL,
 * to pass the block over), and leaves the cursor after it when it ended. */
static HeaderBlock read_header_block(OddportCursor *cursor,
                                     void (*field)(OddportCursor name, OddportCursor value,
                                                   OddportHttpInfo *info),
                                     OddportHttpInfo *info)
{
    OddportCursor line = {NULL, 0};
    while (take_line(cursor, &line)) {
        if (line.left == 0)
            return HEADERS_ENDED;
        uint8_t byte;
        oddport_cursor_peek_u8(&line, 0, &byte);
        /* Obsolete line folding continues the previous header; no wanted field is ever sent that
         * way by a real client, so the continuation is passed over. */
        if (is_optional_whitespace(byte))
            continue;
        size_t name_length = 0;
        while (oddport_cursor_peek_u8(&line, name_length, &byte) && is_token_char(byte))
            name_length++;
        if (name_length == 0 || byte != ':')
            return HEADERS_MALFORMED;
        OddportCursor name = {NULL, 0};
        oddport_cursor_sub(&line, name_length, &name);
        oddport_cursor_skip(&line, 1);
        OddportCursor value = trim_whitespace(line);
        /* A bare CR inside a line is invalid (RFC 9112 section 2.2) and would split the line
         * for anyone who reads the value later. */
        for (size_t offset = 0; oddport_cursor_peek_u8(&value, offset, &byte); offset++) {
            if (byte == '\r')
                return HEADERS_MALFORMED;
        }
        if (field != NULL)
            field(name, value, info);
    }
    return HEADERS_CUT_SHORT;
}

/* Host and User-Agent, the first of each. */
static void take_request_field(OddportCursor name, OddportCursor value, OddportHttpInfo *info)
{
    if (info->host[0] == '\0' && header_name_is(name, "host"))
        oddport_copy_wire_text(info->host, sizeof info->host, value);
    else if (info->user_agent[0] == '\0' && header_name_is(name, "user-agent"))
        oddport_copy_wire_text(info->user_agent, sizeof info->user_agent, value);
}

/* Collects Host and User-Agent from the complete header lines present. A block cut short is
 * read on as more bytes come (read_later_details); a malformed one simply ends the search,
 * since the request line already decided the verdict. */
static void read_request_headers(OddportCursor cursor, OddportHttpInfo *info)
{
    info->details_complete =
        read_header_block(&cursor, take_request_field, info) != HEADERS_CUT_SHORT;
}

/* Tracks whether the request target read so far can still be of a form its method allows. */
typedef struct {
    TargetForm form;
    size_t length;
    uint8_t scheme[8];  /* the first bytes, lower-cased, to check "http://" or "https://" */
    size_t port_digits; /* digits since the last ':' of an authority */
    bool after_colon;   /* an authority's ':' was seen */
    bool port_broken;   /* a non-digit followed an authority's last ':' */
} TargetState;

static bool scheme_still_possible(const TargetState *target)
{
    static const char *const schemes[] = {"http://", "https://"};
    for (size_t scheme = 0; scheme < 2; scheme++) {
        size_t compare =
            target->length < strlen(schemes[scheme]) ? target->length : strlen(schemes[scheme]);
        if (memcmp(target->scheme, schemes[scheme], compare) == 0)
            return true;
    }
    return false;
}

static bool scheme_complete(const TargetState *target)
{
    return (target->length > 7 && memcmp(target->scheme, "http://", 7) == 0) ||
           (target->length > 8 && memcmp(target->scheme, "https://", 8) == 0);
}

/* Takes one more target byte; false when the target can no longer be valid for `method`. */
static bool target_accepts(TargetState *target, const char *method, uint8_t byte)
{
    if (!is_target_char(byte))
        return false;
    bool is_connect = strcmp(method, "CONNECT") == 0;
    if (target->length == 0) {
        if (is_connect)
            target->form = TARGET_AUTHORITY;
        else if (byte == '/')
            target->form = TARGET_ORIGIN;
        else if (byte == '*' && (strcmp(method, "OPTIONS") == 0 || strcmp(method, "PRI") == 0))
            target->form = TARGET_ASTERISK;
        else
            target->form = TARGET_ABSOLUTE;
    }
    if (target->length < sizeof target->scheme)
        target->scheme[target->length] = ascii_lower(byte);
    target->length++;
    switch (target->form) {
    case TARGET_ORIGIN:
        return true;
    case TARGET_ASTERISK:
        return target->length == 1;
    case TARGET_ABSOLUTE:
        return scheme_still_possible(target);
    case TARGET_AUTHORITY:
        if (!is_authority_char(byte))
            return false;
        if (byte == ':') {
            target->after_colon = true;
            target->port_digits = 0;
            target->port_broken = false;
        } else if (is_digit(byte)) {
            target->port_digits++;
        } else {
            target->port_broken = true;
        }
        return true;
    }
    return false;
}

/* Checked once the target's end is known. */
static bool target_complete(const TargetState *target)
{
    switch (target->form) {
    case TARGET_ORIGIN:
    case TARGET_ASTERISK:
        return true;
    case TARGET_ABSOLUTE:
        return scheme_complete(target);
    case TARGET_AUTHORITY:
        return target->after_colon && !target->port_broken && target->port_digits >= 1 &&
               target->port_digits <= 5 && target->length > target->port_digits + 1;
    }
    return false;
}

/* Reads "HTTP/" DIGIT "." DIGIT. Returns the number of bytes matched so far (8 when whole), or
 * -1 when the bytes cannot be a version. */
static int read_version(OddportCursor *cursor, uint8_t *major, uint8_t *minor)
{
    static const char name[] = "HTTP/";
    uint8_t byte;
    int matched = 0;
    for (; matched < 5; matched++) {
        if (!oddport_cursor_u8(cursor, &byte))
            return matched;
        if (byte != (uint8_t)name[matched])
            return -1;
    }
    if (!oddport_cursor_u8(cursor, major))
        return matched;
    if (!is_digit(*major))
        return -1;
    if (!oddport_cursor_u8(cursor, &byte))
        return matched + 1;
    if (byte != '.')
        return -1;
    if (!oddport_cursor_u8(cursor, minor))
        return matched + 2;
    return is_digit(*minor) ? 8 : -1;
}

typedef enum {
    LINE_END_FOUND,
    LINE_END_MISSING, /* the bytes ran out, possibly in the middle of a CR LF */
    LINE_END_INVALID,
} LineEnd;

static LineEnd read_line_end(OddportCursor *cursor)
{
    uint8_t byte;
    if (!oddport_cursor_u8(cursor, &byte))
        return LINE_END_MISSING;
    if (byte == '\n')
        return LINE_END_FOUND;
    if (byte != '\r')
        return LINE_END_INVALID;
    if (!oddport_cursor_u8(cursor, &byte))
        return LINE_END_MISSING;
    return byte == '\n' ? LINE_END_FOUND : LINE_END_INVALID;
}

/* What to say when the request line's bytes run out: wait, unless the line is already too long.
 * A wait worth MEDIUM may be taken as a request if the flow ends there, so it is marked as one. */
static OddportMatch request_cut_short(OddportVerdict *verdict, OddportHttpInfo *info,
                                      bool line_limit_reached, OddportConfidence confidence,
                                      const char *evidence)
{
    if (line_limit_reached)
        return oddport_verdict_reject(verdict, "request line longer than 8 KiB");
    info->is_request = confidence >= ODDPORT_CONFIDENCE_MEDIUM;
    oddport_verdict_set(verdict, ODDPORT_MATCH_NEED_MORE, confidence, ODDPORT_ROLE_CLIENT,
                        evidence);
    return ODDPORT_MATCH_NEED_MORE;
}

static void append_method_and_target(char evidence[ODDPORT_EVIDENCE_MAX],
                                     const OddportHttpInfo *info)
{
    oddport_evidence_append_at_most(evidence, info->method, sizeof info->method);
    oddport_evidence_append_at_most(evidence, " ", 1);
    oddport_evidence_append_at_most(evidence, info->path, EVIDENCE_TARGET_MAX);
    if (strlen(info->path) > EVIDENCE_TARGET_MAX)
        oddport_evidence_append_at_most(evidence, "...", 3);
}

/* HTTP/0.9's simple request (RFC 1945 section 4.1): "GET", a path and the line end, with no
 * version and no headers, answered by a bare body. `after_target` starts at the CR or LF that
 * ended the path, `line_budget` bytes from the start of `input`. The client then waits for that
 * body, so anything more it sends is another protocol (a Redis pipeline, a line protocol's next
 * command, headers under no version), except one empty line: servers that read a header block
 * whatever the version (Python's http.server) answer only after it, so people typing the request
 * add it. Redis takes the very same line as an inline command, so the request waits at LOW:
 * whether it counts is for the flow's classification to decide from the server's answer. */
static OddportMatch detect_simple_request(OddportCursor input, size_t line_budget,
                                          OddportCursor after_target, bool line_limit_reached,
                                          OddportVerdict *verdict, OddportHttpInfo *info)
{
    LineEnd end = read_line_end(&after_target);
    if (end == LINE_END_INVALID)
        return oddport_verdict_reject(verdict, "request line with a stray CR");
    if (end == LINE_END_MISSING)
        return request_cut_short(verdict, info, line_limit_reached, ODDPORT_CONFIDENCE_LOW,
                                 "HTTP/0.9 simple request without its end yet");
    OddportCursor rest = input;
    oddport_cursor_skip(&rest, line_budget - after_target.left);
    if (rest.left > 0) {
        end = read_line_end(&rest);
        if (end == LINE_END_INVALID || rest.left > 0)
            return oddport_verdict_reject(verdict,
                                          "more than a request line without an HTTP version");
        if (end == LINE_END_MISSING)
            return request_cut_short(verdict, info, false, ODDPORT_CONFIDENCE_LOW,
                                     "HTTP/0.9 simple request without its end yet");
    }
    info->is_request = true;
    info->is_simple_request = true;
    info->details_complete = true;
    snprintf(info->version, sizeof info->version, "HTTP/0.9");
    oddport_verdict_set(verdict, ODDPORT_MATCH_NEED_MORE, ODDPORT_CONFIDENCE_LOW,
                        ODDPORT_ROLE_CLIENT, "HTTP/0.9 simple request ");
    append_method_and_target(verdict->evidence, info);
    return ODDPORT_MATCH_NEED_MORE;
}

static OddportMatch detect_request(OddportCursor cursor, OddportVerdict *verdict,
                                   OddportHttpInfo *info)
{
    OddportCursor line = cursor;
    bool line_limit_reached = oddport_cursor_narrow(&line, REQUEST_LINE_MAX);
    const size_t line_budget = line.left;

    char token[METHOD_TOKEN_MAX + 1];
    size_t token_length = 0;
    MethodRange methods = {0, G_N_ELEMENTS(oddport_http_registered_methods)};
    uint8_t byte;
    for (;;) {
        if (!oddport_cursor_u8(&line, &byte))
            return request_cut_short(verdict, info, line_limit_reached, ODDPORT_CONFIDENCE_LOW,
                                     "start of an HTTP request method");
        if (byte == ' ')
            break;
        if (token_length == METHOD_TOKEN_MAX || !is_token_char(byte))
            return oddport_verdict_reject(verdict, "not an HTTP method");
        methods = narrow_methods(methods, token_length, byte);
        token[token_length++] = (char)byte;
        if (methods.begin == methods.end)
            return oddport_verdict_reject(verdict, "not a registered HTTP method");
    }
    token[token_length] = '\0';
    /* Some method begins with the token, or the loop would have refused it; the whole token names
     * one when the first of them, which comes before the longer ones it begins, ends there. */
    const char *method = oddport_http_registered_methods[methods.begin];
    if (method[token_length] != '\0')
        return oddport_verdict_reject(verdict, "not a registered HTTP method");
    /* Sent in the registry's (upper) case, as real clients do. */
    bool exact_case = memcmp(token, method, token_length) == 0;
    g_strlcpy(info->method, token, sizeof info->method);

    OddportCursor target_bytes = line;
    TargetState target = {0};
    for (;;) {
        if (!oddport_cursor_u8(&line, &byte))
            return request_cut_short(verdict, info, line_limit_reached, ODDPORT_CONFIDENCE_LOW,
                                     "HTTP request line without its end yet");
        if (byte == ' ')
            break;
        if (byte == '\r' || byte == '\n') {
            /* RFC 1945 defines the version-less line for GET and an origin path only; any
             * other method or target without a version is some other text protocol. */
            if (strcmp(token, "GET") != 0 || target.length == 0 || target.form != TARGET_ORIGIN)
                return oddport_verdict_reject(verdict, "request line without an HTTP version");
            break;
        }
        if (!target_accepts(&target, method, byte))
            return oddport_verdict_reject(verdict, "request target not valid for HTTP");
    }
    if (target.length == 0 || !target_complete(&target))
        return oddport_verdict_reject(verdict, "request target not valid for HTTP");
    OddportCursor target_text = {NULL, 0};
    OddportCursor after_target = target_bytes;
    oddport_cursor_sub(&after_target, target.length, &target_text);
    oddport_copy_wire_text(info->path, sizeof info->path, target_text);
    if (byte != ' ')
        return detect_simple_request(cursor, line_budget, after_target, line_limit_reached, verdict,
                                     info);

    OddportConfidence waiting = exact_case && target.form == TARGET_ORIGIN
                                    ? ODDPORT_CONFIDENCE_MEDIUM
                                    : ODDPORT_CONFIDENCE_LOW;
    uint8_t major = 0;
    uint8_t minor = 0;
    int version_matched = read_version(&line, &major, &minor);
    if (version_matched < 0)
        return oddport_verdict_reject(verdict, "request line without an HTTP version");
    if (version_matched < 8)
        return request_cut_short(verdict, info, line_limit_reached, waiting,
                                 "HTTP request line without its end yet");
    put_version(info->version, major, minor);
    LineEnd end = read_line_end(&line);
    if (end == LINE_END_INVALID)
        return oddport_verdict_reject(verdict, "request line does not end after its HTTP version");
    if (end == LINE_END_MISSING)
        return request_cut_short(verdict, info, line_limit_reached, waiting,
                                 "HTTP request line without its end yet");
    /* "PRI * HTTP/2.0" is only ever the start of the HTTP/2 preface, which was checked before. */
    if (strcmp(method, "PRI") == 0 && major == '2')
        return oddport_verdict_reject(verdict, "broken HTTP/2 preface");

    info->is_request = true;
    OddportCursor headers = cursor;
    oddport_cursor_skip(&headers, line_budget - line.left);
    read_request_headers(headers, info);

    OddportConfidence confidence = exact_case ? ODDPORT_CONFIDENCE_HIGH : ODDPORT_CONFIDENCE_MEDIUM;
    /* HTTP/1.x is what a text request line means; other majors are odd clients or scanners. */
    if (major != '0' && major != '1')
        confidence = one_step_lower(confidence);
    verdict->match = ODDPORT_MATCH_YES;
    verdict->confidence = confidence;
    verdict->role = ODDPORT_ROLE_CLIENT;
    verdict->evidence[0] = '\0';
    append_method_and_target(verdict->evidence, info);
    oddport_evidence_append_at_most(verdict->evidence, " ", 1);
    oddport_evidence_append_at_most(verdict->evidence, info->version, sizeof info->version);
    if (info->host[0] != '\0') {
        oddport_evidence_append_at_most(verdict->evidence, " Host: ", 7);
        oddport_evidence_append_at_most(verdict->evidence, info->host, sizeof info->host);
    }
    if (!exact_case)
        oddport_evidence_append_at_most(verdict->evidence, " (method not in upper case)", 27);
    return ODDPORT_MATCH_YES;
}

/* An interim answer that a final one follows on the same request (RFC 9110 section 15.2): 100
 * Continue, 103 Early Hints. 101 Switching Protocols is final: another protocol follows. */
static bool is_interim_status(int status)
{
    return status >= 100 && status <= 199 && status != 101;
}

static OddportMatch detect_response(OddportCursor cursor, OddportVerdict *verdict,
                                    OddportHttpInfo *info)
{
    OddportCursor line = cursor;
    bool line_limit_reached = oddport_cursor_narrow(&line, REQUEST_LINE_MAX);
    uint8_t major = 0;
    uint8_t minor = 0;
    int version_matched = read_version(&line, &major, &minor);
    if (version_matched < 0)
        return oddport_verdict_reject(verdict, "not an HTTP status line");
    if (version_matched < 8) {
        oddport_verdict_set(verdict, ODDPORT_MATCH_NEED_MORE, ODDPORT_CONFIDENCE_LOW,
                            ODDPORT_ROLE_SERVER, "start of an HTTP status line");
        return ODDPORT_MATCH_NEED_MORE;
    }
    uint8_t byte;
    int status = 0;
    for (int position = 0; position < 4; position++) {
        if (!oddport_cursor_u8(&line, &byte)) {
            oddport_verdict_set(verdict, ODDPORT_MATCH_NEED_MORE, ODDPORT_CONFIDENCE_LOW,
                                ODDPORT_ROLE_SERVER, "start of an HTTP status line");
            return ODDPORT_MATCH_NEED_MORE;
        }
        if (position == 0 ? byte != ' ' : !is_digit(byte))
            return oddport_verdict_reject(verdict, "not an HTTP status line");
        if (position > 0)
            status = status * 10 + (byte - '0');
    }
    /* The status code is followed by the reason phrase's space or at once by the line end. */
    uint8_t after_status;
    if (!oddport_cursor_peek_u8(&line, 0, &after_status)) {
        oddport_verdict_set(verdict, ODDPORT_MATCH_NEED_MORE, ODDPORT_CONFIDENCE_LOW,
                            ODDPORT_ROLE_SERVER, "start of an HTTP status line");
        return ODDPORT_MATCH_NEED_MORE;
    }
    if (after_status != ' ' && after_status != '\r' && after_status != '\n')
        return oddport_verdict_reject(verdict, "not an HTTP status line");
    /* The rest of the line, as far as it goes, must still be text. */
    for (;;) {
        if (!oddport_cursor_peek_u8(&line, 0, &byte)) {
            if (line_limit_reached)
                return oddport_verdict_reject(verdict, "status line longer than 8 KiB");
            break;
        }
        if (byte == '\r' || byte == '\n') {
            if (read_line_end(&line) == LINE_END_INVALID)
                return oddport_verdict_reject(verdict, "status line with a stray CR");
            break;
        }
        if (!is_field_text(byte))
            return oddport_verdict_reject(verdict, "status line with control bytes");
        oddport_cursor_skip(&line, 1);
    }

    info->is_response = true;
    info->status = status;
    info->details_complete = !is_interim_status(status);
    put_version(info->version, major, minor);
    OddportConfidence confidence =
        status >= 100 && status <= 599 ? ODDPORT_CONFIDENCE_HIGH : ODDPORT_CONFIDENCE_MEDIUM;
    if (major != '0' && major != '1')
        confidence = one_step_lower(confidence);
    verdict->match = ODDPORT_MATCH_YES;
    verdict->confidence = confidence;
    verdict->role = ODDPORT_ROLE_SERVER;
    /* "HTTP/1.1 200 response": the status has exactly three digits. */
    char status_text[] = {(char)('0' + status / 100), (char)('0' + status / 10 % 10),
                          (char)('0' + status % 10), '\0'};
    verdict->evidence[0] = '\0';
    oddport_evidence_append(verdict->evidence, info->version);
    oddport_evidence_append(verdict->evidence, " ");
    oddport_evidence_append(verdict->evidence, status_text);
    oddport_evidence_append(verdict->evidence, " response");
    return ODDPORT_MATCH_YES;
}

/* How many leading bytes agree with `text`. */
static size_t leading_bytes_matching(OddportCursor cursor, const char *text)
{
    size_t matched = 0;
    uint8_t byte;
    while (text[matched] != '\0' && oddport_cursor_u8(&cursor, &byte) &&
           byte == (uint8_t)text[matched])
        matched++;
    return matched;
}

static OddportMatch detect_preface(size_t available, OddportVerdict *verdict, OddportHttpInfo *info)
{
    if (available < HTTP2_PREFACE_LINE_LENGTH) {
        oddport_verdict_set(verdict, ODDPORT_MATCH_NEED_MORE, ODDPORT_CONFIDENCE_LOW,
                            ODDPORT_ROLE_CLIENT, "start of an HTTP request");
        return ODDPORT_MATCH_NEED_MORE;
    }
    /* "PRI * HTTP/2.0" starts nothing but the preface, so its line alone already says much; the
     * fields are filled in case the flow ends before the rest. */
    info->is_request = true;
    info->is_h2c_prior_knowledge = true;
    info->details_complete = true;
    snprintf(info->method, sizeof info->method, "PRI");
    snprintf(info->path, sizeof info->path, "*");
    snprintf(info->version, sizeof info->version, "HTTP/2.0");
    if (available < HTTP2_PREFACE_LENGTH) {
        oddport_verdict_set(verdict, ODDPORT_MATCH_NEED_MORE, ODDPORT_CONFIDENCE_MEDIUM,
                            ODDPORT_ROLE_CLIENT, "start of the HTTP/2 prior-knowledge preface");
        return ODDPORT_MATCH_NEED_MORE;
    }
    oddport_verdict_set(verdict, ODDPORT_MATCH_YES, ODDPORT_CONFIDENCE_HIGH, ODDPORT_ROLE_CLIENT,
                        "HTTP/2 prior-knowledge preface");
    return ODDPORT_MATCH_YES;
}

OddportMatch oddport_detect_http(const uint8_t *bytes, size_t length, OddportVerdict *verdict,
                                 OddportHttpInfo *info)
{
    OddportCursor cursor = oddport_cursor_make(bytes, length);
    /* Every method (in any case), status line and the h2c preface starts with a letter. Most
     * openings of other protocols (TLS records, binary protocols) do not: refused here, before
     * kilobytes of working copies are cleared, "no" costs one comparison on the hot path where
     * every side is tried against HTTP first. */
    uint8_t first = 0;
    if (oddport_cursor_peek_u8(&cursor, 0, &first) &&
        !((first | 0x20) >= 'a' && (first | 0x20) <= 'z')) {
        if (info != NULL)
            memset(info, 0, sizeof *info);
        if (verdict != NULL)
            oddport_verdict_reject(verdict, "not an HTTP method");
        return ODDPORT_MATCH_NO;
    }
    OddportVerdict result;
    memset(&result, 0, sizeof result);
    /* Filled in place: the caller's, or a scratch copy when the caller wants none. */
    OddportHttpInfo scratch;
    OddportHttpInfo *found = info != NULL ? info : &scratch;
    memset(found, 0, sizeof *found);

    if (cursor.left == 0) {
        oddport_verdict_set(&result, ODDPORT_MATCH_NEED_MORE, ODDPORT_CONFIDENCE_NONE,
                            ODDPORT_ROLE_EITHER, "no bytes yet");
    } else if (leading_bytes_matching(cursor, http2_preface) ==
               (cursor.left < HTTP2_PREFACE_LENGTH ? cursor.left : HTTP2_PREFACE_LENGTH)) {
        detect_preface(cursor.left, &result, found);
    } else if (first != 'H') {
        /* Every status line starts "HTTP/": only a request is possible, and the status line's
         * working copies (a kilobyte) need no clearing. */
        detect_request(cursor, &result, found);
    } else {
        OddportVerdict response_verdict;
        OddportHttpInfo response_info;
        memset(&response_verdict, 0, sizeof response_verdict);
        memset(&response_info, 0, sizeof response_info);
        OddportMatch response = detect_response(cursor, &response_verdict, &response_info);
        OddportMatch request = detect_request(cursor, &result, found);
        /* Only "H" can start both; otherwise at most one of them is still possible. */
        if (response != ODDPORT_MATCH_NO && request != ODDPORT_MATCH_NO) {
            oddport_verdict_set(&result, ODDPORT_MATCH_NEED_MORE, ODDPORT_CONFIDENCE_LOW,
                                ODDPORT_ROLE_EITHER, "start of an HTTP request or status line");
            memset(found, 0, sizeof *found);
        } else if (response != ODDPORT_MATCH_NO || leading_bytes_matching(cursor, "HTTP/") == 5) {
            /* Past "HTTP/" the status line's reason for refusing is the one that explains. */
            result = response_verdict;
            *found = response_info;
        }
    }

    if (result.match == ODDPORT_MATCH_NO)
        memset(found, 0, sizeof *found);
    if (verdict != NULL)
        *verdict = result;
    return result.match;
}

/* After interim answers, starting with the one at the start of `cursor` whose status line was
 * read already: the status of each next one, until a final one (or bytes that are no answer)
 * completes the details. */
static void read_final_status(OddportCursor cursor, OddportHttpInfo *info)
{
    OddportCursor line = {NULL, 0};
    for (;;) {
        if (!take_line(&cursor, &line))
            return;
        HeaderBlock block = read_header_block(&cursor, NULL, info);
        if (block == HEADERS_CUT_SHORT)
            return;
        OddportVerdict verdict;
        OddportHttpInfo next;
        memset(&next, 0, sizeof next);
        OddportMatch match =
            block == HEADERS_ENDED ? detect_response(cursor, &verdict, &next) : ODDPORT_MATCH_NO;
        if (match == ODDPORT_MATCH_NEED_MORE)
            return;
        if (match == ODDPORT_MATCH_YES)
            info->status = next.status;
        if (match == ODDPORT_MATCH_NO || !is_interim_status(next.status)) {
            info->details_complete = true;
            return;
        }
    }
}

/* What comes after the bytes that decided a side: a request's Host and User-Agent where its
 * header lines came in later segments than the request line (a client typing line by line, a
 * long cookie before Host), and a response's final status where interim ones came first. */
static bool read_later_details(const uint8_t *bytes, size_t length, bool final, void *details)
{
    (void) final;
    OddportHttpInfo *info = details;
    if (info->details_complete)
        return true;
    OddportCursor cursor = oddport_cursor_make(bytes, length);
    OddportCursor line = {NULL, 0};
    if (info->is_response)
        read_final_status(cursor, info);
    else if (info->is_request && take_line(&cursor, &line))
        read_request_headers(cursor, info);
    else
        info->details_complete = true;
    return info->details_complete;
}

/* A reply code is three digits and a separator. */
_Static_assert(ODDPORT_HTTP_SIMPLE_RESPONSE_BYTES == 4, "a reply code needs exactly four bytes");

bool oddport_http_simple_response_possible(const uint8_t *bytes, size_t length)
{
    OddportCursor cursor = oddport_cursor_make(bytes, length);
    uint8_t opening[ODDPORT_HTTP_SIMPLE_RESPONSE_BYTES];
    size_t available = 0;
    while (available < sizeof opening &&
           oddport_cursor_peek_u8(&cursor, available, &opening[available]))
        available++;
    if (available == 0)
        return false;
    /* RESP's type bytes for simple strings, errors, integers, bulk strings and arrays: how Redis
     * answers the inline command that looks like the request. POP3 and IMAP open alike. */
    if (opening[0] != '\0' && strchr("+-:$*", opening[0]) != NULL)
        return false;
    bool reply_code = available == sizeof opening && is_digit(opening[0]) && is_digit(opening[1]) &&
                      is_digit(opening[2]) && (opening[3] == ' ' || opening[3] == '-');
    return !reply_code;
}

_Static_assert(sizeof(OddportHttpInfo) <= ODDPORT_PROTOCOL_DETAILS_MAX,
               "HTTP's details must fit a side result");

static OddportMatch detect(const uint8_t *bytes, size_t length, OddportVerdict *verdict,
                           void *details)
{
    return oddport_detect_http(bytes, length, verdict, details);
}

const OddportHttpInfo *oddport_http_details(const OddportSideResult *side)
{
    return side != NULL && side->app == ODDPORT_APP_HTTP ? (const void *)side->details.bytes : NULL;
}

/* An HTTP/0.9 simple request counts when the server answered the way only an HTTP/0.9 server
 * can: with bytes no detector recognised (a body without a status line) that do not open like
 * the reply of a protocol whose commands look the same (Redis answers "GET /key" too, with "$5"
 * or "$-1"). */
static bool answer_confirms(const OddportSideResult *side, const OddportOpening *answer)
{
    const OddportHttpInfo *request = oddport_http_details(side);
    return request != NULL && request->is_simple_request &&
           oddport_http_simple_response_possible(answer->bytes, answer->length);
}

extern const OddportProtocol oddport_protocol_http;

/* The report fields: the request (method, Host, path, User-Agent, version) and the answer's
 * status. */
static void describe_fields(const OddportSideResult *client, const OddportSideResult *server,
                            const OddportRecordVisitor *visitor, void *data)
{
    const OddportHttpInfo *asked = oddport_http_details(client);
    const OddportHttpInfo *answered = oddport_http_details(server);
    oddport_record_text(visitor, "method", asked != NULL ? asked->method : NULL, data);
    oddport_record_text(visitor, "host", asked != NULL ? asked->host : NULL, data);
    oddport_record_text(visitor, "path", asked != NULL ? asked->path : NULL, data);
    oddport_record_text(visitor, "user_agent", asked != NULL ? asked->user_agent : NULL, data);
    if (answered != NULL && answered->status != 0)
        visitor->unsigned_integer("status", (uint64_t)answered->status, data);
    else
        visitor->null("status", data);
    /* The request's version is what the client speaks; a response alone says the server's. */
    const char *version =
        oddport_field_of_both_sides(&oddport_protocol_http, asked != NULL ? asked->version : NULL,
                                    answered != NULL ? answered->version : NULL);
    oddport_record_text(visitor, "version", version, data);
    if (asked != NULL || answered != NULL)
        visitor->boolean("h2c_prior_knowledge", asked != NULL && asked->is_h2c_prior_knowledge,
                         data);
    else
        visitor->null("h2c_prior_knowledge", data);
}

const OddportProtocol oddport_protocol_http = {
    .app = ODDPORT_APP_HTTP,
    .name = "http",
    .title = "HTTP",
    .recognises = "HTTP/1.x requests and responses, the HTTP/2 prior-knowledge preface",
    .transports = ODDPORT_PROTOCOL_OVER_TCP | ODDPORT_PROTOCOL_OVER_UDP,
    .detect = detect,
    .read_later_details = read_later_details,
    .describe_fields = describe_fields,
    .field_both_sides_give = "version",
    .details_size = sizeof(OddportHttpInfo),
    .standard_ports = {.tcp = ODDPORT_PORT_LIST(80)},
    /* 591 and 8008: IANA http-alt; 3128: Squid, the usual forward-proxy port; 8000: Python's
     * http.server, Django and other development servers; 8080: IANA http-alt, Tomcat, Jenkins
     * and proxies by default; 8081: the customary second alternate; 8888: Jupyter's default. */
    .alternate_ports = {.tcp = ODDPORT_PORT_LIST(591, 3128, 8000, 8008, 8080, 8081, 8888)},
    /* http; the Docker engine API, WinRM and Elasticsearch; SSDP is HTTP in datagrams. */
    .native_service_ports = {.tcp = ODDPORT_PORT_LIST(80, 2375, 5985, 9200),
                             .udp = ODDPORT_PORT_LIST(1900)},
    .unrecognised_answer_confirms = answer_confirms,
    .wireshark_dissector = "http",
    /* Wireshark decodes HTTP in datagrams (HTTPU) with its SSDP dissector; its HTTP dissector
     * expects a stream. */
    .wireshark_datagram_protocol = "SSDP",
};
