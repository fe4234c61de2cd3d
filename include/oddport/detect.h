/* Pure protocol detectors: (bytes, length) -> verdict + evidence, shared by the CLI and the plugin.
 */
#ifndef ODDPORT_DETECT_H
#define ODDPORT_DETECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oddport/protocol-table.h"

/* The applications oddport recognises, one per row of the protocol table, after "unknown". The
 * order is the order of the JSON "apps" object. */
typedef enum {
    ODDPORT_APP_UNKNOWN = 0,
#define ODDPORT_APP_ENUMERATOR(identifier, name) ODDPORT_APP_##identifier,
    ODDPORT_PROTOCOL_ROWS(ODDPORT_APP_ENUMERATOR)
#undef ODDPORT_APP_ENUMERATOR
    /* Not an app: how many values there are, "unknown" included. */
    ODDPORT_APP_COUNT
} OddportApp;

typedef enum {
    ODDPORT_CONFIDENCE_NONE = 0,
    ODDPORT_CONFIDENCE_LOW,
    ODDPORT_CONFIDENCE_MEDIUM,
    ODDPORT_CONFIDENCE_HIGH,
} OddportConfidence;

#define ODDPORT_CONFIDENCE_COUNT 4
_Static_assert(ODDPORT_CONFIDENCE_HIGH + 1 == ODDPORT_CONFIDENCE_COUNT,
               "ODDPORT_CONFIDENCE_COUNT must follow the last confidence");

typedef enum {
    /* These bytes are not this protocol; more bytes will not change that. */
    ODDPORT_MATCH_NO = 0,
    /* The bytes so far fit the protocol but do not prove it. The verdict's confidence says what
     * they are worth if no more bytes ever come (a flow that ended, a snapshot length). */
    ODDPORT_MATCH_NEED_MORE,
    /* The bytes are this protocol, with the verdict's confidence. */
    ODDPORT_MATCH_YES,
} OddportMatch;

/* Which end of a conversation sends bytes of this shape: an HTTP request or a TLS ClientHello
 * comes from the client, a response or ServerHello from the server; SSH banners from either. */
typedef enum {
    ODDPORT_ROLE_EITHER = 0,
    ODDPORT_ROLE_CLIENT,
    ODDPORT_ROLE_SERVER,
} OddportRole;

#define ODDPORT_EVIDENCE_MAX 192

/* What a detector says about one direction's first bytes. */
typedef struct {
    OddportMatch match;
    OddportConfidence confidence;
    OddportRole role;
    /* One line, NUL-terminated, for people: e.g. "GET /admin HTTP/1.1 Host: x". It may hold
     * wire bytes: whoever prints it must escape it for the output format. */
    char evidence[ODDPORT_EVIDENCE_MAX];
} OddportVerdict;

/* Text fields copied from the wire are NUL-terminated, cut to their buffer and stop at an
 * embedded NUL byte. They are not escaped: output writers escape them. */
#define ODDPORT_HTTP_METHOD_MAX  32
#define ODDPORT_HTTP_FIELD_MAX   256
#define ODDPORT_HTTP_VERSION_MAX 16

typedef struct {
    bool is_request;             /* a request line (or the h2c preface) */
    bool is_response;            /* a status line */
    bool is_h2c_prior_knowledge; /* "PRI * HTTP/2.0" connection preface */
    bool is_simple_request;      /* HTTP/0.9: "GET /path" alone, no version */
    /* Nothing more to read after the decision: a request's header block, or a response's final
     * status line (after any interim 1xx ones), was all there, or cannot be read. */
    bool details_complete;
    char method[ODDPORT_HTTP_METHOD_MAX];    /* as sent, e.g. "GET", "PROPFIND", "CONNECT" */
    char path[ODDPORT_HTTP_FIELD_MAX];       /* request target as sent */
    char host[ODDPORT_HTTP_FIELD_MAX];       /* Host header value, if seen */
    char user_agent[ODDPORT_HTTP_FIELD_MAX]; /* User-Agent header value, if seen */
    /* "HTTP/1.1"; "HTTP/2.0" for the preface, "HTTP/0.9" for a simple request */
    char version[ODDPORT_HTTP_VERSION_MAX];
    int status; /* status code of a response, else 0 */
} OddportHttpInfo;

/* Recognises HTTP/1.x requests (every IANA-registered method, WebDAV, QUERY; CONNECT), status
 * lines, and the HTTP/2 prior-knowledge preface. RTSP, SIP, memcached, Redis inline commands and
 * other text protocols that share HTTP's words are not HTTP. An HTTP/0.9 simple request ("GET
 * /path" and a line end, nothing more) is byte for byte a Redis inline command too: it waits
 * (NEED_MORE) at LOW, and only the server's answer can make it count (see
 * oddport_http_simple_response_possible). `bytes` are the first bytes one side sent, in order.
 * Never reads past `length`. `info` may be NULL. */
OddportMatch oddport_detect_http(const uint8_t *bytes, size_t length, OddportVerdict *verdict,
                                 OddportHttpInfo *info);

/* How many of a server's first bytes oddport_http_simple_response_possible looks at. */
#define ODDPORT_HTTP_SIMPLE_RESPONSE_BYTES 4

/* Whether a server's first bytes, which no detector recognised, may be the bare body an HTTP/0.9
 * server answers a simple request with (no status line, no headers). False when they open like
 * the reply of a text protocol whose commands look like such a request: RESP ("+OK", "-ERR",
 * "$5", "*2", ":1" from Redis and its kin, also POP3's "+OK"/"-ERR" and IMAP's "* OK") or a
 * three-digit reply code (SMTP, FTP, NNTP); and false for no bytes. Never reads past `length`. */
bool oddport_http_simple_response_possible(const uint8_t *bytes, size_t length);

#define ODDPORT_TLS_SNI_MAX        256
#define ODDPORT_TLS_ALPN_MAX_COUNT 8
#define ODDPORT_TLS_ALPN_NAME_MAX  48
/* 32 lowercase hexadecimal digits of an MD5 digest, and the NUL. */
#define ODDPORT_TLS_JA3_TEXT_MAX 33
/* "t13d1516h2_8daaf6152771_e5627efa2ab1" and the NUL. */
#define ODDPORT_TLS_JA4_TEXT_MAX 37
/* A common name: X.520 allows 64 characters; longer ones are cut, like other wire text. */
#define ODDPORT_TLS_NAME_MAX 96
/* "2026-12-01T17:08:39Z" and the NUL. */
#define ODDPORT_TLS_TIME_TEXT_MAX 21

/* What the first certificate of a server's Certificate message says: the server's own, sent in
 * the clear up to TLS 1.2. Texts are empty where the certificate did not say or could not be
 * read; times are RFC 3339, UTC, to the second, as the certificate gives them. */
typedef struct {
    bool present; /* a Certificate message with a certificate in it came after the ServerHello */
    /* The certificate was cut short: by the bytes oddport keeps of a stream's opening
     * (ODDPORT_STREAM_LIMIT) or by the flow's end. Fields whose bytes were not all there are
     * left empty rather than guessed. */
    bool truncated;
    bool self_signed_known; /* both names were read whole */
    bool self_signed;       /* subject and issuer are the same name, byte for byte */
    /* The last common name of each name, the most specific one. */
    char subject_cn[ODDPORT_TLS_NAME_MAX];
    char issuer_cn[ODDPORT_TLS_NAME_MAX];
    char not_before[ODDPORT_TLS_TIME_TEXT_MAX];
    char not_after[ODDPORT_TLS_TIME_TEXT_MAX];
} OddportTlsCertificate;

typedef struct {
    uint8_t handshake_type;  /* 1 ClientHello, 2 ServerHello, 0 none seen (records only) */
    bool sslv2_compatible;   /* an SSLv2-format ClientHello */
    uint16_t record_version; /* version in the first record header */
    uint16_t hello_version;  /* legacy_version in the hello */
    /* The version offered (highest of supported_versions in a ClientHello) or chosen (a
     * ServerHello's selected version); falls back to the hello's version. */
    uint16_t version;
    char sni[ODDPORT_TLS_SNI_MAX];
    char alpn[ODDPORT_TLS_ALPN_MAX_COUNT][ODDPORT_TLS_ALPN_NAME_MAX];
    unsigned alpn_count;
    /* Fingerprints of a whole hello, empty where Wireshark computes none (an SSLv2-style hello,
     * a hello cut short or too large to hold): a ClientHello's JA3 or a ServerHello's JA3S as
     * Wireshark 4.0's tls.handshake.ja3 and ja3s compute them, and a ClientHello's JA4 as
     * Wireshark 4.6's tls.handshake.ja4 does. */
    char ja3[ODDPORT_TLS_JA3_TEXT_MAX];
    char ja4[ODDPORT_TLS_JA4_TEXT_MAX];
    /* A TLS 1.2 or older server's certificate, read after detection from the bytes that follow
     * its ServerHello (the protocol's read_later_details). */
    OddportTlsCertificate certificate;
} OddportTlsInfo;

/* "SSL 3.0", "TLS 1.0" ... "TLS 1.3", "SSL 2.0", or NULL for a value that is none of these
 * (transfer none). */
const char *oddport_tls_version_name(uint16_t version);

/* Recognises TLS from SSL 3.0 to TLS 1.3: a handshake record holding a ClientHello or
 * ServerHello (reassembled across records), an SSLv2-compatible ClientHello, or, with less
 * confidence, a run of well-formed records caught midstream. One or two matching bytes are never
 * enough. Never reads past `length`. `info` may be NULL. */
OddportMatch oddport_detect_tls(const uint8_t *bytes, size_t length, OddportVerdict *verdict,
                                OddportTlsInfo *info);

/* Reads the fields of OddportTlsCertificate from one DER-encoded X.509 certificate, of which
 * `length` bytes are there: fewer than its encoding states marks it truncated. Sets `present`;
 * a certificate that is not DER leaves the fields it did not reach empty. Never reads past
 * `length`. */
void oddport_tls_read_certificate(const uint8_t *der, size_t length,
                                  OddportTlsCertificate *certificate);

/* Reads what a server's first bytes hold after its ServerHello: the certificate of a TLS 1.2 or
 * older server (into info->certificate). `bytes` are the side's first bytes from the start, on
 * which oddport_detect_tls found the ServerHello that `info` describes. Returns true when
 * nothing more is to be learnt (the certificate was read, or the flight shows there is none or
 * it is encrypted), false to be called again with more bytes; with `final` set, no more will
 * come, and a certificate cut short is read as far as it goes. Never reads past `length`. */
bool oddport_tls_read_server_flight(const uint8_t *bytes, size_t length, bool final,
                                    OddportTlsInfo *info);

#define ODDPORT_SSH_BANNER_MAX 256
/* Room for an MD5 digest in lowercase hexadecimal and its terminating NUL. */
#define ODDPORT_SSH_HASSH_SIZE 33

typedef struct {
    /* The identification line without its line ending, e.g. "SSH-2.0-OpenSSH_9.2p1 Debian-2". */
    char banner[ODDPORT_SSH_BANNER_MAX];
    char protocol_version[8]; /* "2.0", "1.99", "1.5" */
    /* HASSH fingerprints (Salesforce's method, as Wireshark's ssh.kex.hassh and
     * ssh.kex.hasshserver compute them) of the SSH_MSG_KEXINIT the side sent after its banner:
     * empty until that message has been read whole, and for good when it was malformed or never
     * came. Which end the side is becomes known only when the flow is classified, so both are
     * kept: reports take the client's `hassh` and the server's `hassh_server`. */
    char hassh[ODDPORT_SSH_HASSH_SIZE];        /* MD5 of "kex;encryption;mac;compression", the
                                                  client-to-server lists */
    char hassh_server[ODDPORT_SSH_HASSH_SIZE]; /* the same with the server-to-client lists */
} OddportSshInfo;

/* Recognises an SSH identification string (RFC 4253 section 4.2), allowing other lines before a
 * server's banner. Never reads past `length`. `info` may be NULL. */
OddportMatch oddport_detect_ssh(const uint8_t *bytes, size_t length, OddportVerdict *verdict,
                                OddportSshInfo *info);

/* Reads the SSH_MSG_KEXINIT (RFC 4253 section 7.1) that follows the identification string in a
 * side's first bytes, `bytes` from the very first one, and fills `info`'s hassh and hassh_server.
 * `info` is what oddport_detect_ssh found in the same bytes: its protocol version says whether
 * a KEXINIT will come at all (SSH 1.x sends none). Returns true when done, with the fingerprints
 * or, when the message is malformed, implausibly long or no KEXINIT, without them; false while
 * the message is still incomplete and more bytes may come. With `final` set no more will: an
 * incomplete message leaves the fingerprints empty. Never reads past `length`. */
bool oddport_ssh_read_key_exchange_init(const uint8_t *bytes, size_t length, bool final,
                                        OddportSshInfo *info);

#endif
