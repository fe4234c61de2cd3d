/* generate-capture: writes large deterministic synthetic pcaps for oddport's benchmarks. */

/*
 * Usage: generate-capture [--packets N] [--flows N] [--seed S] [--flood N] OUTPUT.pcap
 *
 * Traffic: TCP flows with handshakes, the openings of HTTP (requests and responses), TLS
 * (ClientHello with SNI, ALPN, supported_versions; ServerHello) and SSH (banners, key exchange)
 * on their standard ports and on odd ones (alternates, masquerades such as SSH on 443 or TLS on
 * 22, random registered and ephemeral ports), unknown binary and line protocols, DNS and other
 * UDP conversations; IPv4 and IPv6, some 802.1Q-tagged; data segments and FIN or RST closes.
 *
 * The output is a classic pcap (little-endian, microsecond timestamps, Ethernet link type,
 * snapshot length 262144, every record captured whole). The same options always give the same
 * bytes. Normal mode writes exactly N packets spread over about --flows flows, a few hundred of
 * them open at any time; --flood writes N packets of one or two packets per distinct flow.
 *
 * Only the C11 standard library is used, so the program builds anywhere with `cc -O2`.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__GNUC__)
#define PRINTF_LIKE(format_index, first_argument)                                                  \
    __attribute__((format(printf, format_index, first_argument)))
#else
#define PRINTF_LIKE(format_index, first_argument)
#endif

#define PROGRAM_NAME              "generate-capture"
#define DEFAULT_PACKET_COUNT      1000000u
#define DEFAULT_FLOW_COUNT        40000u
#define DEFAULT_SEED              1u
#define CONCURRENT_FLOW_LIMIT     300u
#define CAPTURE_START_SECONDS     1710234000u /* 2024-03-12 09:00:00 UTC */
#define PCAP_SNAPSHOT_LENGTH      262144u
#define LINKTYPE_ETHERNET         1u
#define PCAP_FILE_HEADER_LENGTH   24u
#define PCAP_RECORD_HEADER_LENGTH 16u
#define ETHERNET_HEADER_LENGTH    14u
#define VLAN_TAG_LENGTH           4u
#define IPV4_HEADER_LENGTH        20u
#define IPV6_HEADER_LENGTH        40u
#define TCP_HEADER_LENGTH         20u
#define TCP_SYN_OPTIONS_LENGTH    20u
#define UDP_HEADER_LENGTH         8u
#define MINIMUM_FRAME_LENGTH      60u
#define ETHERNET_MTU              1500u
#define FRAME_BUFFER_LENGTH       2048u
#define RANDOM_POOL_LENGTH        65536u
#define OUTPUT_BUFFER_LENGTH      (4u << 20)

#define ETHERTYPE_IPV4  0x0800u
#define ETHERTYPE_IPV6  0x86DDu
#define ETHERTYPE_VLAN  0x8100u
#define IP_PROTOCOL_TCP 6u
#define IP_PROTOCOL_UDP 17u

#define TCP_FIN 0x01u
#define TCP_SYN 0x02u
#define TCP_RST 0x04u
#define TCP_PSH 0x08u
#define TCP_ACK 0x10u

#define ARRAY_LENGTH(array) (sizeof(array) / sizeof((array)[0]))

/* ------------------------------------------------------------------------------------------ */
/* Deterministic randomness                                                                    */

/* splitmix64: tiny, fast and good enough for traffic shapes. */
struct random_source {
    uint64_t state;
};

static uint64_t mix64(uint64_t value)
{
    value ^= value >> 30;
    value *= 0xBF58476D1CE4E5B9u;
    value ^= value >> 27;
    value *= 0x94D049BB133111EBu;
    value ^= value >> 31;
    return value;
}

/* A stable hash for properties that must not change from flow to flow (a server's odd port). */
static uint64_t stable_hash(uint64_t seed, uint64_t first, uint64_t second)
{
    return mix64(seed ^ mix64(first * 0x100000001B3u + second + 0x632BE59BD9B4E019u));
}

static uint64_t random_next(struct random_source *source)
{
    source->state += 0x9E3779B97F4A7C15u;
    return mix64(source->state);
}

/* Uniform in [0, bound). */
static uint32_t random_below(struct random_source *source, uint32_t bound)
{
    return (uint32_t)(((random_next(source) >> 32) * bound) >> 32);
}

/* Uniform in [low, high]. */
static uint32_t random_between(struct random_source *source, uint32_t low, uint32_t high)
{
    return low + random_below(source, high - low + 1u);
}

static bool random_percent(struct random_source *source, uint32_t percent)
{
    return random_below(source, 100u) < percent;
}

static struct random_source random_fork(struct random_source *parent)
{
    struct random_source child = {random_next(parent)};
    return child;
}

/* A bijection on 32-bit numbers: distinct counters give distinct addresses in the flood. */
static uint32_t permute32(uint32_t value)
{
    value ^= value >> 16;
    value *= 0x7FEB352Du;
    value ^= value >> 15;
    value *= 0x846CA68Bu;
    value ^= value >> 16;
    return value;
}

/* ------------------------------------------------------------------------------------------ */
/* Byte order helpers                                                                          */

static void store_be16(uint8_t *bytes, uint32_t value)
{
    bytes[0] = (uint8_t)(value >> 8);
    bytes[1] = (uint8_t)value;
}

static void store_be32(uint8_t *bytes, uint32_t value)
{
    bytes[0] = (uint8_t)(value >> 24);
    bytes[1] = (uint8_t)(value >> 16);
    bytes[2] = (uint8_t)(value >> 8);
    bytes[3] = (uint8_t)value;
}

static void store_le16(uint8_t *bytes, uint32_t value)
{
    bytes[0] = (uint8_t)value;
    bytes[1] = (uint8_t)(value >> 8);
}

static void store_le32(uint8_t *bytes, uint32_t value)
{
    bytes[0] = (uint8_t)value;
    bytes[1] = (uint8_t)(value >> 8);
    bytes[2] = (uint8_t)(value >> 16);
    bytes[3] = (uint8_t)(value >> 24);
}

/* ------------------------------------------------------------------------------------------ */
/* Payload writer: appends to a bounded buffer; overflow is detected once, after building.     */

struct writer {
    uint8_t *data;
    size_t length;
    size_t capacity;
};

static void put_u8(struct writer *writer, uint32_t value)
{
    if (writer->length < writer->capacity)
        writer->data[writer->length] = (uint8_t)value;
    writer->length++;
}

static void put_u16(struct writer *writer, uint32_t value)
{
    put_u8(writer, value >> 8);
    put_u8(writer, value);
}

static void put_u32(struct writer *writer, uint32_t value)
{
    put_u16(writer, value >> 16);
    put_u16(writer, value);
}

static void put_bytes(struct writer *writer, const void *bytes, size_t length)
{
    if (writer->length + length <= writer->capacity)
        memcpy(writer->data + writer->length, bytes, length);
    writer->length += length;
}

static void put_text(struct writer *writer, const char *text)
{
    put_bytes(writer, text, strlen(text));
}

static void put_format(struct writer *writer, const char *format, ...) PRINTF_LIKE(2, 3);

static void put_format(struct writer *writer, const char *format, ...)
{
    size_t room = writer->length < writer->capacity ? writer->capacity - writer->length : 0;
    va_list arguments;
    va_start(arguments, format);
    int written =
        vsnprintf(room ? (char *)writer->data + writer->length : NULL, room, format, arguments);
    va_end(arguments);
    if (written < 0)
        written = 0;
    /* vsnprintf always writes a NUL; we never count it, and a too-long text shows as overflow. */
    writer->length += (size_t)written;
}

/* Reserves a big-endian length field of `width` bytes; finish_length fills it in. */
static size_t begin_length(struct writer *writer, size_t width)
{
    size_t mark = writer->length;
    for (size_t index = 0; index < width; index++)
        put_u8(writer, 0);
    return mark;
}

static void finish_length(struct writer *writer, size_t mark, size_t width)
{
    size_t value = writer->length - mark - width;
    if (mark + width > writer->capacity)
        return;
    for (size_t index = 0; index < width; index++)
        writer->data[mark + index] = (uint8_t)(value >> (8u * (width - 1u - index)));
}

/* An SSH "string": uint32 length then bytes. */
static void put_ssh_string(struct writer *writer, const char *text)
{
    size_t length = strlen(text);
    put_u32(writer, (uint32_t)length);
    put_bytes(writer, text, length);
}

/* ------------------------------------------------------------------------------------------ */
/* Vocabulary for realistic payloads                                                           */

static const char *const host_names[] = {
    "www.example.com",     "api.example.com",    "cdn.example.net",   "static.example.org",
    "login.example.com",   "mail.example.org",   "git.example.dev",   "intranet.corp.example",
    "updates.example.net", "metrics.example.io", "vpn.example.com",   "files.example.org",
    "shop.example.com",    "news.example.net",   "auth.example.io",   "db-admin.corp.example",
    "wiki.corp.example",   "ci.example.dev",     "media.example.net", "telemetry.example.io",
};

static const char *const user_agents[] = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/122.0.0.0 Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:123.0) Gecko/20100101 Firefox/123.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_3_1) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.3.1 Safari/605.1.15",
    "curl/7.88.1",
    "Wget/1.21.3",
    "python-requests/2.31.0",
    "Go-http-client/1.1",
    "Debian APT-HTTP/1.3 (2.6.1)",
    "okhttp/4.12.0",
};

static const char *const request_paths[] = {
    "/",
    "/index.html",
    "/api/v1/status",
    "/api/v2/users",
    "/login",
    "/static/js/app.4f2a9c.js",
    "/static/css/site.css",
    "/images/logo.svg",
    "/debian/dists/bookworm/InRelease",
    "/metrics",
    "/healthz",
    "/admin/",
    "/download/release-2.4.1.tar.gz",
    "/search",
};

static const char *const server_software[] = {
    "nginx/1.22.1", "Apache/2.4.57 (Debian)",  "cloudflare", "Microsoft-IIS/10.0",
    "gunicorn",     "Jetty(9.4.51.v20230217)", "envoy",      "lighttpd/1.4.69",
};

/* Response bodies are text or opaque bytes: types that tshark would parse (JSON, PNG) are left
 * out because their bodies here are filler. */
static const char *const content_types[] = {
    "text/html; charset=utf-8", "text/css",          "application/javascript", "text/plain",
    "application/octet-stream", "application/x-tar",
};

static const char *const ssh_client_versions[] = {
    "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u2",
    "SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.6",
    "SSH-2.0-OpenSSH_9.6",
    "SSH-2.0-PuTTY_Release_0.78",
    "SSH-2.0-libssh_0.10.4",
    "SSH-2.0-Go",
    "SSH-2.0-paramiko_3.1.0",
    "SSH-2.0-OpenSSH_for_Windows_8.1",
};

static const char *const ssh_server_versions[] = {
    "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u2",
    "SSH-2.0-OpenSSH_8.4p1 Debian-5+deb11u3",
    "SSH-2.0-OpenSSH_7.4",
    "SSH-2.0-dropbear_2022.83",
    "SSH-2.0-Cisco-1.25",
    "SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.6",
};

static const char *const text_words[] = {
    "the",     "packet",  "service", "port",   "flow",   "server", "client", "request",
    "network", "capture", "report",  "status", "update", "config", "value",  "error",
    "data",    "session", "host",    "user",   "time",   "open",   "close",  "stream",
    "message", "record",  "table",   "index",  "backup", "job",    "queue",  "metric",
};

/* ------------------------------------------------------------------------------------------ */
/* Flows                                                                                       */

enum application {
    APP_HTTP,
    APP_TLS,
    APP_SSH,
    APP_BINARY,     /* unknown: length-prefixed binary protocol */
    APP_LINES,      /* unknown: text line protocol */
    APP_DNS,        /* UDP query and answer on port 53 */
    APP_UDP_STREAM, /* UDP conversation between high ports */
    APP_REFUSED,    /* TCP SYN answered by RST */
    APPLICATION_COUNT
};

static const char *const application_names[APPLICATION_COUNT] = {
    "http", "tls", "ssh", "binary", "lines", "dns", "udp", "refused",
};

/* Share of flows per application, and whether the flow carries data segments after its opening. */
static const struct {
    uint32_t weight;
    bool carries_data;
    uint32_t typical_overhead; /* packets besides data segments */
} application_profiles[APPLICATION_COUNT] = {
    [APP_HTTP] = {22, true, 8},      [APP_TLS] = {33, true, 9},     [APP_SSH] = {7, true, 13},
    [APP_BINARY] = {6, true, 8},     [APP_LINES] = {4, true, 8},    [APP_DNS] = {18, false, 2},
    [APP_UDP_STREAM] = {7, true, 0}, [APP_REFUSED] = {3, false, 2},
};

enum phase { PHASE_HANDSHAKE, PHASE_OPENING, PHASE_DATA, PHASE_CLOSE, PHASE_DONE };

enum close_style { CLOSE_BY_CLIENT, CLOSE_BY_SERVER, CLOSE_BY_RESET };

enum line_protocol { LINES_REDIS, LINES_BANNER, LINES_JSON, LINE_PROTOCOL_COUNT };

struct endpoint {
    uint8_t mac[6];
    uint8_t address[16]; /* IPv4 uses the first four bytes */
    uint16_t port;
    uint8_t ttl;
    uint16_t window;
    uint16_t ip_identification;
    uint32_t next_sequence;
};

/* Which side has received payload it has not acknowledged yet. A pure ACK is only sent by a side
 * that has something to acknowledge, so no segment is a duplicate ACK. */
struct acknowledgement_state {
    bool client_owes_ack;
    bool server_owes_ack;
};

struct flow {
    enum application application;
    enum phase phase;
    uint32_t step; /* packets emitted in the current phase */
    bool tcp;
    bool ipv6;
    bool midstream;   /* the capture started after the handshake and opening */
    uint16_t vlan_id; /* 0: untagged */
    uint32_t flow_label;
    uint32_t segment_limit; /* MSS */
    struct endpoint client;
    struct endpoint server;
    uint32_t server_index;
    uint32_t data_packets;
    struct random_source data_source; /* directions and sizes of data packets (replayable) */
    struct acknowledgement_state acknowledgements; /* replayed along with data_source */
    struct random_source content_source;           /* everything else */
    enum close_style close_style;
    /* application details */
    bool tls13;
    uint32_t alpn_choice;
    bool send_sni;
    uint32_t http_method;
    uint32_t http_status;
    uint32_t http_content_type;
    uint32_t http_body_length;
    bool http_has_body;
    uint32_t ssh_client_version;
    uint32_t ssh_server_version;
    enum line_protocol line_protocol;
    bool dns_answered;
    uint32_t dns_query_type;
    uint32_t dns_transaction_id;
};

struct statistics {
    uint64_t flows;
    uint64_t flows_by_application[APPLICATION_COUNT];
    uint64_t ipv6_flows;
    uint64_t vlan_flows;
    uint64_t odd_port_flows;
};

struct generator {
    FILE *output;
    uint64_t seed;
    struct random_source source;
    uint64_t timestamp_microseconds;
    uint32_t typical_gap_microseconds;
    uint64_t packets_written;
    uint64_t bytes_written;
    uint32_t server_count;
    uint32_t client_count;
    struct statistics statistics;
    bool write_failed;
    uint8_t frame[FRAME_BUFFER_LENGTH];
    uint8_t random_pool[RANDOM_POOL_LENGTH + FRAME_BUFFER_LENGTH];
    uint8_t text_pool[RANDOM_POOL_LENGTH + FRAME_BUFFER_LENGTH];
};

_Noreturn static void fail(const char *format, ...) PRINTF_LIKE(1, 2);

_Noreturn static void fail(const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    fputs(PROGRAM_NAME ": ", stderr);
    vfprintf(stderr, format, arguments);
    fputc('\n', stderr);
    va_end(arguments);
    exit(1);
}

static void fill_pools(struct generator *generator)
{
    struct random_source source = {generator->seed ^ 0x5EED5EED5EED5EEDu};
    for (size_t index = 0; index < sizeof generator->random_pool; index += 8) {
        uint64_t value = random_next(&source);
        for (size_t byte = 0; byte < 8 && index + byte < sizeof generator->random_pool; byte++)
            generator->random_pool[index + byte] = (uint8_t)(value >> (8u * byte));
    }
    size_t filled = 0, line_length = 0;
    while (filled < sizeof generator->text_pool) {
        const char *word = text_words[random_below(&source, ARRAY_LENGTH(text_words))];
        for (const char *letter = word; *letter && filled < sizeof generator->text_pool; letter++)
            generator->text_pool[filled++] = (uint8_t)*letter;
        line_length += strlen(word) + 1;
        if (filled < sizeof generator->text_pool)
            generator->text_pool[filled++] = line_length > 60 ? '\n' : ' ';
        if (line_length > 60)
            line_length = 0;
    }
}

static void put_pool_bytes(struct writer *writer, const uint8_t *pool, struct random_source *source,
                           size_t length)
{
    if (length > FRAME_BUFFER_LENGTH)
        fail("internal error: pool request of %zu bytes", length);
    put_bytes(writer, pool + random_below(source, RANDOM_POOL_LENGTH), length);
}

static void put_random(struct generator *generator, struct writer *writer,
                       struct random_source *source, size_t length)
{
    put_pool_bytes(writer, generator->random_pool, source, length);
}

static void put_filler_text(struct generator *generator, struct writer *writer,
                            struct random_source *source, size_t length)
{
    put_pool_bytes(writer, generator->text_pool, source, length);
}

/* ------------------------------------------------------------------------------------------ */
/* Frames                                                                                      */

static size_t link_header_length(const struct flow *flow)
{
    return ETHERNET_HEADER_LENGTH + (flow->vlan_id ? VLAN_TAG_LENGTH : 0u);
}

static size_t ip_header_length(const struct flow *flow)
{
    return flow->ipv6 ? IPV6_HEADER_LENGTH : IPV4_HEADER_LENGTH;
}

/* Where the transport payload goes in generator->frame (after the pcap record header). */
static uint8_t *payload_area(struct generator *generator, const struct flow *flow)
{
    return generator->frame + PCAP_RECORD_HEADER_LENGTH + link_header_length(flow) +
           ip_header_length(flow) + (flow->tcp ? TCP_HEADER_LENGTH : UDP_HEADER_LENGTH);
}

static struct writer payload_writer(struct generator *generator, const struct flow *flow)
{
    struct writer writer = {payload_area(generator, flow), 0, flow->segment_limit};
    return writer;
}

static uint32_t checksum_add(uint32_t sum, const uint8_t *bytes, size_t length)
{
    while (length > 1) {
        sum += (uint32_t)bytes[0] << 8 | bytes[1];
        bytes += 2;
        length -= 2;
    }
    if (length)
        sum += (uint32_t)bytes[0] << 8;
    return sum;
}

static uint32_t checksum_finish(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xFFFFu) + (sum >> 16);
    return ~sum & 0xFFFFu;
}

static void advance_clock(struct generator *generator, uint32_t typical_gap_microseconds)
{
    /* Mostly short gaps with occasional pauses, never zero: timestamps strictly increase. */
    uint32_t gap = random_percent(&generator->source, 90)
                       ? random_between(&generator->source, 1, typical_gap_microseconds)
                       : random_between(&generator->source, 1, typical_gap_microseconds * 20u);
    generator->timestamp_microseconds += gap;
}

/* Adds link and IP headers in front of the transport segment already in the frame buffer, fills
 * in the transport checksum and writes the pcap record. */
static void write_frame(struct generator *generator, struct flow *flow, bool from_client,
                        uint32_t protocol, size_t transport_length)
{
    struct endpoint *sender = from_client ? &flow->client : &flow->server;
    const struct endpoint *receiver = from_client ? &flow->server : &flow->client;
    uint8_t *record = generator->frame;
    uint8_t *link = record + PCAP_RECORD_HEADER_LENGTH;
    size_t link_length = link_header_length(flow);
    uint8_t *ip = link + link_length;
    uint8_t *transport = ip + ip_header_length(flow);
    uint32_t sum;

    advance_clock(generator, generator->typical_gap_microseconds);

    memcpy(link, receiver->mac, 6);
    memcpy(link + 6, sender->mac, 6);
    if (flow->vlan_id) {
        store_be16(link + 12, ETHERTYPE_VLAN);
        store_be16(link + 14, flow->vlan_id);
    }
    store_be16(link + link_length - 2, flow->ipv6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4);

    if (flow->ipv6) {
        store_be32(ip, 0x60000000u | flow->flow_label);
        store_be16(ip + 4, (uint32_t)transport_length);
        ip[6] = (uint8_t)protocol;
        ip[7] = sender->ttl;
        memcpy(ip + 8, sender->address, 16);
        memcpy(ip + 24, receiver->address, 16);
        sum = checksum_add(0, ip + 8, 32);
    } else {
        ip[0] = 0x45;
        ip[1] = 0;
        store_be16(ip + 2, (uint32_t)(IPV4_HEADER_LENGTH + transport_length));
        store_be16(ip + 4, sender->ip_identification++);
        store_be16(ip + 6, flow->tcp ? 0x4000u : 0u); /* don't fragment */
        ip[8] = sender->ttl;
        ip[9] = (uint8_t)protocol;
        store_be16(ip + 10, 0);
        memcpy(ip + 12, sender->address, 4);
        memcpy(ip + 16, receiver->address, 4);
        store_be16(ip + 10, checksum_finish(checksum_add(0, ip, IPV4_HEADER_LENGTH)));
        sum = checksum_add(0, ip + 12, 8);
    }
    /* The pseudo-header's protocol and length; both fit in 16 bits here for IPv4 and IPv6. */
    sum += protocol + (uint32_t)transport_length;
    size_t checksum_offset = protocol == IP_PROTOCOL_TCP ? 16u : 6u;
    store_be16(transport + checksum_offset, 0);
    uint32_t checksum = checksum_finish(checksum_add(sum, transport, transport_length));
    if (protocol == IP_PROTOCOL_UDP && checksum == 0)
        checksum = 0xFFFFu;
    store_be16(transport + checksum_offset, checksum);

    size_t frame_length = link_length + ip_header_length(flow) + transport_length;
    if (frame_length < MINIMUM_FRAME_LENGTH) {
        /* Ethernet pads short frames; the IP length still says where the datagram ends. */
        memset(link + frame_length, 0, MINIMUM_FRAME_LENGTH - frame_length);
        frame_length = MINIMUM_FRAME_LENGTH;
    }
    if (frame_length + PCAP_RECORD_HEADER_LENGTH > FRAME_BUFFER_LENGTH)
        fail("internal error: frame of %zu bytes", frame_length);

    store_le32(record, (uint32_t)(generator->timestamp_microseconds / 1000000u));
    store_le32(record + 4, (uint32_t)(generator->timestamp_microseconds % 1000000u));
    store_le32(record + 8, (uint32_t)frame_length);
    store_le32(record + 12, (uint32_t)frame_length);
    size_t record_length = PCAP_RECORD_HEADER_LENGTH + frame_length;
    if (fwrite(record, 1, record_length, generator->output) != record_length)
        generator->write_failed = true;
    generator->packets_written++;
    generator->bytes_written += record_length;
}

static void emit_tcp(struct generator *generator, struct flow *flow, bool from_client,
                     uint32_t flags, size_t payload_length)
{
    struct endpoint *sender = from_client ? &flow->client : &flow->server;
    const struct endpoint *receiver = from_client ? &flow->server : &flow->client;
    uint8_t *segment = payload_area(generator, flow) - TCP_HEADER_LENGTH;
    size_t header_length = TCP_HEADER_LENGTH;
    uint32_t window = sender->window;

    if (payload_length > flow->segment_limit)
        fail("internal error: %zu-byte segment", payload_length);
    if (flags & TCP_SYN) {
        /* Linux's SYN options: MSS, SACK permitted, timestamps, NOP, window scale 7. */
        uint8_t *options = segment + TCP_HEADER_LENGTH;
        uint32_t milliseconds = (uint32_t)(generator->timestamp_microseconds / 1000u);
        options[0] = 2;
        options[1] = 4;
        store_be16(options + 2, flow->segment_limit);
        options[4] = 4;
        options[5] = 2;
        options[6] = 8;
        options[7] = 10;
        store_be32(options + 8, milliseconds + sender->next_sequence % 100000u);
        store_be32(options + 12,
                   (flags & TCP_ACK) ? milliseconds + receiver->next_sequence % 100000u : 0u);
        options[16] = 1;
        options[17] = 3;
        options[18] = 3;
        options[19] = 7;
        header_length += TCP_SYN_OPTIONS_LENGTH;
        payload_length = 0;
        window = (flags & TCP_ACK) ? 65160u : 64240u;
    }
    store_be16(segment, sender->port);
    store_be16(segment + 2, receiver->port);
    store_be32(segment + 4, sender->next_sequence);
    store_be32(segment + 8, (flags & TCP_ACK) ? receiver->next_sequence : 0u);
    segment[12] = (uint8_t)(header_length << 2); /* data offset in 32-bit words, high nibble */
    segment[13] = (uint8_t)flags;
    store_be16(segment + 14, window);
    store_be16(segment + 16, 0);
    store_be16(segment + 18, 0);
    write_frame(generator, flow, from_client, IP_PROTOCOL_TCP, header_length + payload_length);
    sender->next_sequence +=
        (uint32_t)payload_length + ((flags & TCP_SYN) ? 1u : 0u) + ((flags & TCP_FIN) ? 1u : 0u);
}

static void emit_udp(struct generator *generator, struct flow *flow, bool from_client,
                     size_t payload_length)
{
    const struct endpoint *sender = from_client ? &flow->client : &flow->server;
    const struct endpoint *receiver = from_client ? &flow->server : &flow->client;
    uint8_t *datagram = payload_area(generator, flow) - UDP_HEADER_LENGTH;
    store_be16(datagram, sender->port);
    store_be16(datagram + 2, receiver->port);
    store_be16(datagram + 4, (uint32_t)(UDP_HEADER_LENGTH + payload_length));
    write_frame(generator, flow, from_client, IP_PROTOCOL_UDP, UDP_HEADER_LENGTH + payload_length);
}

/* ------------------------------------------------------------------------------------------ */
/* Application openings                                                                        */

static const char *server_host_name(const struct generator *generator, const struct flow *flow)
{
    uint64_t hash = stable_hash(generator->seed, flow->server_index, 1000);
    if (flow->server.port == 993)
        return "imap.example.org";
    return host_names[hash % ARRAY_LENGTH(host_names)];
}

static const char *const http_methods[] = {"GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS"};

static void build_http_request(struct generator *generator, struct flow *flow,
                               struct writer *writer)
{
    struct random_source *source = &flow->content_source;
    const char *method = http_methods[flow->http_method];
    const char *path = request_paths[random_below(source, ARRAY_LENGTH(request_paths))];
    const char *agent = user_agents[random_below(source, ARRAY_LENGTH(user_agents))];
    const char *host = server_host_name(generator, flow);
    bool old_version = random_percent(source, 4);

    put_format(writer, "%s %s", method, path);
    if (strcmp(path, "/search") == 0 || strcmp(path, "/api/v2/users") == 0)
        put_format(writer, "?id=%u&page=%u", random_below(source, 100000), random_below(source, 9));
    put_format(writer, " HTTP/1.%c\r\n", old_version ? '0' : '1');
    if (flow->server.port == 80)
        put_format(writer, "Host: %s\r\n", host);
    else
        put_format(writer, "Host: %s:%u\r\n", host, (unsigned)flow->server.port);
    put_format(writer, "User-Agent: %s\r\nAccept: */*\r\n", agent);
    if (random_percent(source, 60))
        put_text(writer, "Accept-Language: en-US,en;q=0.9\r\nAccept-Encoding: identity\r\n");
    if (!old_version)
        put_text(writer, "Connection: keep-alive\r\n");
    if (random_percent(source, 30))
        put_format(writer, "Cookie: session=%08x%08x\r\n", (unsigned)random_next(source),
                   (unsigned)random_next(source));
    if (strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0) {
        char body[128];
        int body_length = snprintf(body, sizeof body, "user=u%u&token=%08x&action=%s",
                                   random_below(source, 10000), (unsigned)random_next(source),
                                   random_percent(source, 50) ? "save" : "submit");
        if (body_length < 0)
            body_length = 0;
        put_format(
            writer,
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n%s",
            body_length, body);
    } else {
        put_text(writer, "\r\n");
    }
}

static const char *http_reason(uint32_t status)
{
    switch (status) {
    case 200:
        return "OK";
    case 204:
        return "No Content";
    case 301:
        return "Moved Permanently";
    case 302:
        return "Found";
    case 304:
        return "Not Modified";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 500:
        return "Internal Server Error";
    default:
        return "Unknown";
    }
}

static void build_http_response(struct generator *generator, struct flow *flow,
                                struct writer *writer)
{
    char date[64];
    time_t seconds = (time_t)(generator->timestamp_microseconds / 1000000u);
    struct tm *calendar = gmtime(&seconds);
    if (!calendar || strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", calendar) == 0)
        strcpy(date, "Tue, 12 Mar 2024 09:00:00 GMT");
    const char *software = server_software[stable_hash(generator->seed, flow->server_index, 2000) %
                                           ARRAY_LENGTH(server_software)];

    put_format(writer, "HTTP/1.1 %u %s\r\nServer: %s\r\nDate: %s\r\n", (unsigned)flow->http_status,
               http_reason(flow->http_status), software, date);
    if (flow->http_status == 301 || flow->http_status == 302)
        put_format(writer, "Location: https://%s/\r\n", server_host_name(generator, flow));
    if (flow->http_has_body) {
        put_format(writer, "Content-Type: %s\r\nContent-Length: %u\r\n",
                   content_types[flow->http_content_type], (unsigned)flow->http_body_length);
    } else if (flow->http_status != 304) {
        put_text(writer, "Content-Length: 0\r\n");
    }
    if (random_percent(&flow->content_source, 40))
        put_text(writer, "Cache-Control: max-age=3600\r\n");
    put_text(writer, "Connection: keep-alive\r\n\r\n");
}

static void build_tls_client_hello(struct generator *generator, struct flow *flow,
                                   struct writer *writer)
{
    static const uint16_t cipher_suites[] = {
        0x1301, 0x1302, 0x1303, 0xC02B, 0xC02F, 0xC02C, 0xC030, 0xCCA9,
        0xCCA8, 0xC013, 0xC014, 0x009C, 0x009D, 0x002F, 0x0035,
    };
    static const uint16_t signature_algorithms[] = {
        0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601,
    };
    static const char *const alpn_lists[][2] = {
        {"h2", "http/1.1"},
        {"http/1.1", NULL},
        {"h2", NULL},
        {NULL, NULL},
    };
    struct random_source *source = &flow->content_source;
    const char *host = server_host_name(generator, flow);

    put_u8(writer, 0x16); /* handshake record */
    put_u16(writer, 0x0301);
    size_t record = begin_length(writer, 2);
    put_u8(writer, 1); /* ClientHello */
    size_t handshake = begin_length(writer, 3);
    put_u16(writer, 0x0303);
    put_random(generator, writer, source, 32);
    put_u8(writer, 32); /* legacy session id */
    put_random(generator, writer, source, 32);
    size_t suites_start = flow->tls13 ? 0u : 3u;
    put_u16(writer, (uint32_t)(2u * (ARRAY_LENGTH(cipher_suites) - suites_start)));
    for (size_t index = suites_start; index < ARRAY_LENGTH(cipher_suites); index++)
        put_u16(writer, cipher_suites[index]);
    put_u8(writer, 1); /* compression methods: null */
    put_u8(writer, 0);

    size_t extensions = begin_length(writer, 2);
    if (flow->send_sni) {
        put_u16(writer, 0x0000); /* server_name */
        size_t extension = begin_length(writer, 2);
        size_t list = begin_length(writer, 2);
        put_u8(writer, 0); /* host_name */
        put_u16(writer, (uint32_t)strlen(host));
        put_text(writer, host);
        finish_length(writer, list, 2);
        finish_length(writer, extension, 2);
    }
    put_u16(writer, 0x0017); /* extended_master_secret */
    put_u16(writer, 0);
    put_u16(writer, 0xFF01); /* renegotiation_info */
    put_u16(writer, 1);
    put_u8(writer, 0);
    put_u16(writer, 0x000A); /* supported_groups: x25519, secp256r1, secp384r1 */
    put_u16(writer, 8);
    put_u16(writer, 6);
    put_u16(writer, 0x001D);
    put_u16(writer, 0x0017);
    put_u16(writer, 0x0018);
    put_u16(writer, 0x000B); /* ec_point_formats: uncompressed */
    put_u16(writer, 2);
    put_u8(writer, 1);
    put_u8(writer, 0);
    put_u16(writer, 0x0023); /* session_ticket */
    put_u16(writer, 0);
    if (alpn_lists[flow->alpn_choice][0]) {
        put_u16(writer, 0x0010); /* application_layer_protocol_negotiation */
        size_t extension = begin_length(writer, 2);
        size_t list = begin_length(writer, 2);
        for (size_t index = 0; index < 2 && alpn_lists[flow->alpn_choice][index]; index++) {
            const char *protocol = alpn_lists[flow->alpn_choice][index];
            put_u8(writer, (uint32_t)strlen(protocol));
            put_text(writer, protocol);
        }
        finish_length(writer, list, 2);
        finish_length(writer, extension, 2);
    }
    put_u16(writer, 0x0005); /* status_request: OCSP */
    put_u16(writer, 5);
    put_u8(writer, 1);
    put_u16(writer, 0);
    put_u16(writer, 0);
    put_u16(writer, 0x000D); /* signature_algorithms */
    put_u16(writer, (uint32_t)(2u + 2u * ARRAY_LENGTH(signature_algorithms)));
    put_u16(writer, (uint32_t)(2u * ARRAY_LENGTH(signature_algorithms)));
    for (size_t index = 0; index < ARRAY_LENGTH(signature_algorithms); index++)
        put_u16(writer, signature_algorithms[index]);
    if (flow->tls13) {
        put_u16(writer, 0x0033); /* key_share: one x25519 share */
        put_u16(writer, 38);
        put_u16(writer, 36);
        put_u16(writer, 0x001D);
        put_u16(writer, 32);
        put_random(generator, writer, source, 32);
        put_u16(writer, 0x002D); /* psk_key_exchange_modes: psk_dhe_ke */
        put_u16(writer, 2);
        put_u8(writer, 1);
        put_u8(writer, 1);
        put_u16(writer, 0x002B); /* supported_versions: TLS 1.3, TLS 1.2 */
        put_u16(writer, 5);
        put_u8(writer, 4);
        put_u16(writer, 0x0304);
        put_u16(writer, 0x0303);
    }
    finish_length(writer, extensions, 2);
    finish_length(writer, handshake, 3);
    finish_length(writer, record, 2);
}

static void put_tls_record(struct generator *generator, struct writer *writer,
                           struct random_source *source, uint32_t content_type, size_t length)
{
    put_u8(writer, content_type);
    put_u16(writer, 0x0303);
    put_u16(writer, (uint32_t)length);
    put_random(generator, writer, source, length);
}

static void put_tls_change_cipher_spec(struct writer *writer)
{
    static const uint8_t record[] = {0x14, 0x03, 0x03, 0x00, 0x01, 0x01};
    put_bytes(writer, record, sizeof record);
}

static void build_tls_server_hello(struct generator *generator, struct flow *flow,
                                   struct writer *writer)
{
    static const char *const chosen_alpn[] = {"h2", "http/1.1", "h2", NULL};
    struct random_source *source = &flow->content_source;

    put_u8(writer, 0x16);
    put_u16(writer, 0x0303);
    size_t record = begin_length(writer, 2);
    put_u8(writer, 2); /* ServerHello */
    size_t handshake = begin_length(writer, 3);
    put_u16(writer, 0x0303);
    put_random(generator, writer, source, 32);
    put_u8(writer, 32);
    put_random(generator, writer, source, 32);
    put_u16(writer, flow->tls13 ? (random_percent(source, 70) ? 0x1301u : 0x1302u) : 0xC02Fu);
    put_u8(writer, 0);
    size_t extensions = begin_length(writer, 2);
    if (flow->tls13) {
        put_u16(writer, 0x002B); /* supported_versions: TLS 1.3 */
        put_u16(writer, 2);
        put_u16(writer, 0x0304);
        put_u16(writer, 0x0033); /* key_share */
        put_u16(writer, 36);
        put_u16(writer, 0x001D);
        put_u16(writer, 32);
        put_random(generator, writer, source, 32);
    } else {
        put_u16(writer, 0xFF01);
        put_u16(writer, 1);
        put_u8(writer, 0);
        put_u16(writer, 0x0017);
        put_u16(writer, 0);
        put_u16(writer, 0x000B);
        put_u16(writer, 2);
        put_u8(writer, 1);
        put_u8(writer, 0);
        if (chosen_alpn[flow->alpn_choice]) {
            const char *protocol = chosen_alpn[flow->alpn_choice];
            put_u16(writer, 0x0010);
            put_u16(writer, (uint32_t)(3u + strlen(protocol)));
            put_u16(writer, (uint32_t)(1u + strlen(protocol)));
            put_u8(writer, (uint32_t)strlen(protocol));
            put_text(writer, protocol);
        }
    }
    finish_length(writer, extensions, 2);
    finish_length(writer, handshake, 3);
    finish_length(writer, record, 2);

    if (flow->tls13) {
        /* Middlebox-compatibility ChangeCipherSpec, then the encrypted server flight
         * (EncryptedExtensions, Certificate, CertificateVerify, Finished). */
        put_tls_change_cipher_spec(writer);
        size_t room = flow->segment_limit - writer->length - 5u;
        put_tls_record(generator, writer, source, 0x17,
                       random_between(source, (uint32_t)(room / 2u), (uint32_t)room));
    } else {
        static const uint8_t server_hello_done[] = {0x16, 0x03, 0x03, 0x00, 0x04,
                                                    0x0E, 0x00, 0x00, 0x00};
        put_bytes(writer, server_hello_done, sizeof server_hello_done);
    }
}

/* TLS 1.3: the client's ChangeCipherSpec and encrypted Finished. TLS 1.2: ClientKeyExchange,
 * ChangeCipherSpec and encrypted Finished. */
static void build_tls_client_finish(struct generator *generator, struct flow *flow,
                                    struct writer *writer)
{
    struct random_source *source = &flow->content_source;
    if (flow->tls13) {
        put_tls_change_cipher_spec(writer);
        put_tls_record(generator, writer, source, 0x17, 53);
        return;
    }
    put_u8(writer, 0x16);
    put_u16(writer, 0x0303);
    put_u16(writer, 37);
    put_u8(writer, 0x10); /* ClientKeyExchange: one 32-byte x25519 point */
    put_u8(writer, 0);
    put_u16(writer, 33);
    put_u8(writer, 32);
    put_random(generator, writer, source, 32);
    put_tls_change_cipher_spec(writer);
    put_tls_record(generator, writer, source, 0x16, 40);
}

static void build_tls_server_finish(struct generator *generator, struct flow *flow,
                                    struct writer *writer)
{
    put_tls_change_cipher_spec(writer);
    put_tls_record(generator, writer, &flow->content_source, 0x16, 40);
}

/* One SSH binary packet (before encryption): length, padding length, payload, padding to a
 * multiple of 8 with at least 4 bytes. The payload is written by the caller between begin and
 * finish. */
static size_t begin_ssh_packet(struct writer *writer)
{
    size_t mark = begin_length(writer, 4);
    put_u8(writer, 0);
    return mark;
}

static void finish_ssh_packet(struct generator *generator, struct writer *writer,
                              struct random_source *source, size_t mark)
{
    size_t unpadded = writer->length - mark;
    size_t padding = 8u - unpadded % 8u;
    if (padding < 4)
        padding += 8;
    put_random(generator, writer, source, padding);
    if (mark + 4 < writer->capacity)
        writer->data[mark + 4] = (uint8_t)padding;
    finish_length(writer, mark, 4);
}

static void build_ssh_key_exchange_init(struct generator *generator, struct flow *flow,
                                        struct writer *writer, bool from_client)
{
    struct random_source *source = &flow->content_source;
    const char *ciphers = "chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr,"
                          "aes128-gcm@openssh.com,aes256-gcm@openssh.com";
    const char *macs = "umac-64-etm@openssh.com,hmac-sha2-256-etm@openssh.com,"
                       "hmac-sha2-512-etm@openssh.com,hmac-sha2-256,hmac-sha1";
    size_t packet = begin_ssh_packet(writer);
    put_u8(writer, 20); /* SSH_MSG_KEXINIT */
    put_random(generator, writer, source, 16);
    put_ssh_string(writer, from_client ? "curve25519-sha256,curve25519-sha256@libssh.org,"
                                         "ecdh-sha2-nistp256,diffie-hellman-group14-sha256,"
                                         "ext-info-c"
                                       : "curve25519-sha256,curve25519-sha256@libssh.org,"
                                         "ecdh-sha2-nistp256,diffie-hellman-group14-sha256");
    put_ssh_string(writer, "ssh-ed25519,ecdsa-sha2-nistp256,rsa-sha2-512,rsa-sha2-256");
    put_ssh_string(writer, ciphers);
    put_ssh_string(writer, ciphers);
    put_ssh_string(writer, macs);
    put_ssh_string(writer, macs);
    put_ssh_string(writer, "none,zlib@openssh.com");
    put_ssh_string(writer, "none,zlib@openssh.com");
    put_ssh_string(writer, "");
    put_ssh_string(writer, "");
    put_u8(writer, 0); /* first_kex_packet_follows */
    put_u32(writer, 0);
    finish_ssh_packet(generator, writer, source, packet);
}

static void put_ssh_random_string(struct generator *generator, struct writer *writer,
                                  struct random_source *source, size_t length)
{
    put_u32(writer, (uint32_t)length);
    put_random(generator, writer, source, length);
}

static void build_ssh_ecdh_init(struct generator *generator, struct flow *flow,
                                struct writer *writer)
{
    size_t packet = begin_ssh_packet(writer);
    put_u8(writer, 30); /* SSH_MSG_KEX_ECDH_INIT */
    put_ssh_random_string(generator, writer, &flow->content_source, 32);
    finish_ssh_packet(generator, writer, &flow->content_source, packet);
}

static void put_ssh_new_keys(struct generator *generator, struct flow *flow, struct writer *writer)
{
    size_t packet = begin_ssh_packet(writer);
    put_u8(writer, 21); /* SSH_MSG_NEWKEYS */
    finish_ssh_packet(generator, writer, &flow->content_source, packet);
}

static void build_ssh_ecdh_reply(struct generator *generator, struct flow *flow,
                                 struct writer *writer)
{
    struct random_source *source = &flow->content_source;
    size_t packet = begin_ssh_packet(writer);
    put_u8(writer, 31); /* SSH_MSG_KEX_ECDH_REPLY */
    size_t host_key = begin_length(writer, 4);
    put_ssh_string(writer, "ssh-ed25519");
    put_ssh_random_string(generator, writer, source, 32);
    finish_length(writer, host_key, 4);
    put_ssh_random_string(generator, writer, source, 32); /* server's ephemeral key */
    size_t signature = begin_length(writer, 4);
    put_ssh_string(writer, "ssh-ed25519");
    put_ssh_random_string(generator, writer, source, 64);
    finish_length(writer, signature, 4);
    finish_ssh_packet(generator, writer, source, packet);
    put_ssh_new_keys(generator, flow, writer);
}

static void build_binary_message(struct generator *generator, struct flow *flow,
                                 struct writer *writer, size_t length)
{
    /* A length-prefixed message: the first byte is 0, so it never looks like text or TLS. */
    put_u32(writer, (uint32_t)(length - 4u));
    put_random(generator, writer, &flow->content_source, length - 4u);
}

static void build_dns_message(struct generator *generator, struct flow *flow, struct writer *writer,
                              bool response, uint32_t transaction_id)
{
    struct random_source *source = &flow->content_source;
    const char *name = host_names[stable_hash(generator->seed, flow->client.port, transaction_id) %
                                  ARRAY_LENGTH(host_names)];
    bool no_such_name = response && transaction_id % 23u == 0;
    bool answer_ipv6 = flow->dns_query_type == 28;

    put_u16(writer, transaction_id);
    put_u16(writer, response ? (no_such_name ? 0x8183u : 0x8180u) : 0x0100u);
    put_u16(writer, 1);
    put_u16(writer, response && !no_such_name ? 1u : 0u);
    put_u16(writer, 0);
    put_u16(writer, 1); /* EDNS OPT record */
    for (const char *label = name; *label;) {
        size_t length = strcspn(label, ".");
        put_u8(writer, (uint32_t)length);
        put_bytes(writer, label, length);
        label += length;
        if (*label == '.')
            label++;
    }
    put_u8(writer, 0);
    put_u16(writer, flow->dns_query_type);
    put_u16(writer, 1); /* IN */
    if (response && !no_such_name) {
        put_u16(writer, 0xC00C); /* the question's name */
        put_u16(writer, flow->dns_query_type);
        put_u16(writer, 1);
        put_u32(writer, random_between(source, 30, 86400));
        put_u16(writer, answer_ipv6 ? 16u : 4u);
        if (answer_ipv6) {
            put_u32(writer, 0x20010DB8u);
            put_u32(writer, (uint32_t)random_next(source));
            put_u32(writer, 0);
            put_u32(writer, random_between(source, 1, 0xFFFF));
        } else {
            put_u8(writer, 93u + random_below(source, 100));
            put_u8(writer, random_below(source, 256));
            put_u8(writer, random_below(source, 256));
            put_u8(writer, random_between(source, 1, 254));
        }
    }
    put_u8(writer, 0); /* OPT: root name, type 41, UDP size 1232, no flags, no options */
    put_u16(writer, 41);
    put_u16(writer, 1232);
    put_u32(writer, 0);
    put_u16(writer, 0);
}

/* Number of packets in a flow's opening (after the TCP handshake). */
static uint32_t opening_packet_count(const struct flow *flow)
{
    if (flow->midstream)
        return 0;
    switch (flow->application) {
    case APP_HTTP:
        return 2;
    case APP_TLS:
        return flow->tls13 ? 3u : 4u;
    case APP_SSH:
        return 7;
    case APP_BINARY:
    case APP_LINES:
        return 2;
    case APP_DNS:
        return flow->dns_answered ? 2u : 1u;
    case APP_UDP_STREAM:
    case APP_REFUSED:
    case APPLICATION_COUNT:
        break;
    }
    return 0;
}

/* Whether opening packet `step` comes from the client. */
static bool opening_from_client(const struct flow *flow, uint32_t step)
{
    switch (flow->application) {
    case APP_HTTP:
    case APP_BINARY:
    case APP_DNS:
        return step == 0;
    case APP_TLS:
        return step % 2u == 0;
    case APP_SSH:
        /* server banner, client banner, KEXINIT both ways, ECDH init, reply + NEWKEYS, NEWKEYS */
        return step == 1 || step == 2 || step == 4 || step == 6;
    case APP_LINES:
        return flow->line_protocol == LINES_BANNER ? step == 1 : step == 0;
    case APP_UDP_STREAM:
    case APP_REFUSED:
    case APPLICATION_COUNT:
        break;
    }
    return true;
}

/* Writes opening packet `step` into the payload area; returns its length and direction. */
static size_t build_opening(struct generator *generator, struct flow *flow, uint32_t step,
                            bool *from_client)
{
    struct writer writer = payload_writer(generator, flow);
    struct random_source *source = &flow->content_source;
    *from_client = opening_from_client(flow, step);
    switch (flow->application) {
    case APP_HTTP:
        if (step == 0)
            build_http_request(generator, flow, &writer);
        else
            build_http_response(generator, flow, &writer);
        break;
    case APP_TLS:
        if (step == 0)
            build_tls_client_hello(generator, flow, &writer);
        else if (step == 1)
            build_tls_server_hello(generator, flow, &writer);
        else if (step == 2)
            build_tls_client_finish(generator, flow, &writer);
        else
            build_tls_server_finish(generator, flow, &writer);
        break;
    case APP_SSH:
        if (step == 0)
            put_format(&writer, "%s\r\n", ssh_server_versions[flow->ssh_server_version]);
        else if (step == 1)
            put_format(&writer, "%s\r\n", ssh_client_versions[flow->ssh_client_version]);
        else if (step == 2 || step == 3)
            build_ssh_key_exchange_init(generator, flow, &writer, *from_client);
        else if (step == 4)
            build_ssh_ecdh_init(generator, flow, &writer);
        else if (step == 5)
            build_ssh_ecdh_reply(generator, flow, &writer);
        else
            put_ssh_new_keys(generator, flow, &writer);
        break;
    case APP_BINARY:
        build_binary_message(generator, flow, &writer,
                             step == 0 ? random_between(source, 12, 200)
                                       : random_between(source, 8, 600));
        break;
    case APP_LINES:
        switch (flow->line_protocol) {
        case LINES_REDIS:
            put_text(&writer, step == 0 ? "*1\r\n$4\r\nPING\r\n" : "+PONG\r\n");
            break;
        case LINES_BANNER:
            if (step == 0)
                put_format(&writer, "* backup-agent %u.%u ready\r\n", random_between(source, 1, 4),
                           random_below(source, 10));
            else
                put_format(&writer, "LOGIN agent%u\r\n", random_below(source, 500));
            break;
        case LINES_JSON:
        case LINE_PROTOCOL_COUNT:
            if (step == 0)
                put_format(&writer, "{\"op\":\"subscribe\",\"topic\":\"%s\",\"id\":%u}\n",
                           text_words[random_below(source, ARRAY_LENGTH(text_words))],
                           random_below(source, 100000));
            else
                put_text(&writer, "{\"ok\":true}\n");
            break;
        }
        break;
    case APP_DNS:
        build_dns_message(generator, flow, &writer, step == 1, flow->dns_transaction_id);
        break;
    case APP_UDP_STREAM:
    case APP_REFUSED:
    case APPLICATION_COUNT:
        fail("internal error: no opening for %s", application_names[flow->application]);
    }
    if (writer.length > writer.capacity)
        fail("internal error: %s opening step %u needs %zu bytes",
             application_names[flow->application], (unsigned)step, writer.length);
    return writer.length;
}

/* ------------------------------------------------------------------------------------------ */
/* Data after the opening                                                                      */

static uint32_t draw_payload_length(struct random_source *source, uint32_t segment_limit)
{
    uint32_t roll = random_below(source, 100);
    if (roll < 20)
        return 0; /* pure ACK */
    if (roll < 50)
        return random_between(source, 1, 300);
    if (roll < 75)
        return random_between(source, 301, segment_limit);
    return segment_limit;
}

static uint32_t minimum_data_length(enum application application)
{
    switch (application) {
    case APP_TLS:
        return 22; /* record header + one byte + AEAD tag */
    case APP_SSH:
        return 36; /* smallest encrypted packet with its MAC */
    case APP_BINARY:
        return 5; /* length prefix + one byte */
    case APP_UDP_STREAM:
        return 16;
    case APP_HTTP:
    case APP_LINES:
    case APP_DNS:
    case APP_REFUSED:
    case APPLICATION_COUNT:
        break;
    }
    return 1;
}

/* Draws the direction and payload length of a flow's next data packet from `source` and
 * `state`; replaying copies of both gives the same packets (the HTTP response announces its body
 * length before the body is sent). */
static void draw_data_packet(const struct flow *flow, struct random_source *source,
                             struct acknowledgement_state *state, bool *from_client,
                             uint32_t *length)
{
    uint32_t limit = flow->segment_limit;
    uint32_t minimum = minimum_data_length(flow->application);
    switch (flow->application) {
    case APP_HTTP:
        /* The request is complete: the client only acknowledges the body. */
        *from_client = !flow->http_has_body || random_percent(source, 30);
        *length = *from_client ? 0u : draw_payload_length(source, limit);
        break;
    case APP_SSH:
        *from_client = random_percent(source, 45);
        *length = random_percent(source, 50) ? random_between(source, 36, 120)
                                             : draw_payload_length(source, limit);
        break;
    case APP_UDP_STREAM:
        *from_client = random_percent(source, 50);
        *length = random_between(source, 16, 1200);
        return;
    case APP_TLS:
        *from_client = random_percent(source, 35);
        *length = draw_payload_length(source, limit);
        break;
    case APP_BINARY:
    case APP_LINES:
    case APP_DNS:
    case APP_REFUSED:
    case APPLICATION_COUNT:
        *from_client = random_percent(source, 45);
        *length = draw_payload_length(source, limit);
        break;
    }
    if (*length == 0) {
        bool sender_owes = *from_client ? state->client_owes_ack : state->server_owes_ack;
        bool peer_owes = *from_client ? state->server_owes_ack : state->client_owes_ack;
        if (!sender_owes && peer_owes) {
            *from_client = !*from_client; /* the other side has something to acknowledge */
        } else if (!sender_owes && (flow->application != APP_HTTP || flow->http_has_body)) {
            if (flow->application == APP_HTTP)
                *from_client = false; /* more body instead */
            *length = random_between(source, minimum, 300);
        }
    }
    if (*length > 0 && *length < minimum)
        *length = minimum;
    if (*from_client) {
        state->client_owes_ack = false;
        if (*length)
            state->server_owes_ack = true;
    } else {
        state->server_owes_ack = false;
        if (*length)
            state->client_owes_ack = true;
    }
}

static size_t build_data(struct generator *generator, struct flow *flow, uint32_t length)
{
    struct writer writer = payload_writer(generator, flow);
    struct random_source *source = &flow->content_source;
    if (length == 0)
        return 0;
    switch (flow->application) {
    case APP_HTTP:
        if (flow->http_content_type < 4)
            put_filler_text(generator, &writer, source, length);
        else
            put_random(generator, &writer, source, length);
        break;
    case APP_TLS:
        put_tls_record(generator, &writer, source, 0x17, length - 5u);
        break;
    case APP_BINARY:
        if (flow->midstream)
            put_random(generator, &writer, source, length);
        else
            build_binary_message(generator, flow, &writer, length);
        break;
    case APP_LINES:
        put_filler_text(generator, &writer, source, length - 1u);
        put_u8(&writer, '\n');
        break;
    case APP_SSH:
    case APP_UDP_STREAM:
    case APP_DNS:
    case APP_REFUSED:
    case APPLICATION_COUNT:
        if (flow->application == APP_UDP_STREAM) {
            /* A game-like datagram: magic 0x1DD0, sequence number, then opaque bytes. The magic
             * keeps tshark's RTP/RTCP/QUIC/CLTP heuristics from claiming it. */
            put_u16(&writer, 0x1DD0);
            put_u16(&writer, flow->step);
            put_random(generator, &writer, source, length - 4u);
        } else {
            put_random(generator, &writer, source, length);
        }
        break;
    }
    return writer.length;
}

/* ------------------------------------------------------------------------------------------ */
/* Flow life cycle                                                                             */

static uint32_t handshake_packet_count(const struct flow *flow)
{
    if (!flow->tcp || flow->midstream)
        return 0;
    return flow->application == APP_REFUSED ? 2u : 3u;
}

static uint32_t close_packet_count(const struct flow *flow)
{
    if (!flow->tcp || flow->application == APP_REFUSED)
        return 0;
    return flow->close_style == CLOSE_BY_RESET ? 1u : 3u;
}

static uint32_t fixed_packet_count(const struct flow *flow)
{
    return handshake_packet_count(flow) + opening_packet_count(flow) + close_packet_count(flow);
}

/* Emits the flow's next packet; returns false once the flow has nothing more to send. */
static bool emit_next_packet(struct generator *generator, struct flow *flow)
{
    for (;;) {
        switch (flow->phase) {
        case PHASE_HANDSHAKE:
            if (flow->step < handshake_packet_count(flow)) {
                uint32_t step = flow->step++;
                if (step == 0)
                    emit_tcp(generator, flow, true, TCP_SYN, 0);
                else if (flow->application == APP_REFUSED)
                    emit_tcp(generator, flow, false, TCP_RST | TCP_ACK, 0);
                else if (step == 1)
                    emit_tcp(generator, flow, false, TCP_SYN | TCP_ACK, 0);
                else
                    emit_tcp(generator, flow, true, TCP_ACK, 0);
                return true;
            }
            flow->phase = PHASE_OPENING;
            flow->step = 0;
            break;
        case PHASE_OPENING:
            if (flow->step < opening_packet_count(flow)) {
                bool from_client = true;
                size_t length = build_opening(generator, flow, flow->step++, &from_client);
                if (flow->tcp)
                    emit_tcp(generator, flow, from_client, TCP_PSH | TCP_ACK, length);
                else
                    emit_udp(generator, flow, from_client, length);
                return true;
            }
            flow->phase = PHASE_DATA;
            flow->step = 0;
            break;
        case PHASE_DATA:
            if (flow->step < flow->data_packets) {
                bool from_client = true;
                uint32_t planned_length = 0;
                flow->step++;
                draw_data_packet(flow, &flow->data_source, &flow->acknowledgements, &from_client,
                                 &planned_length);
                if (!flow->tcp && flow->step == 1)
                    from_client = true; /* the client is whoever speaks first */
                size_t length = build_data(generator, flow, planned_length);
                if (flow->tcp)
                    emit_tcp(generator, flow, from_client, length ? TCP_PSH | TCP_ACK : TCP_ACK,
                             length);
                else
                    emit_udp(generator, flow, from_client, length);
                return true;
            }
            flow->phase = PHASE_CLOSE;
            flow->step = 0;
            break;
        case PHASE_CLOSE:
            if (flow->step < close_packet_count(flow)) {
                uint32_t step = flow->step++;
                bool client_closes = flow->close_style != CLOSE_BY_SERVER;
                if (flow->close_style == CLOSE_BY_RESET)
                    emit_tcp(generator, flow, true, TCP_RST | TCP_ACK, 0);
                else if (step == 2)
                    emit_tcp(generator, flow, client_closes, TCP_ACK, 0);
                else
                    emit_tcp(generator, flow, (step == 0) == client_closes, TCP_FIN | TCP_ACK, 0);
                return true;
            }
            flow->phase = PHASE_DONE;
            break;
        case PHASE_DONE:
            return false;
        }
    }
}

static const uint8_t external_prefixes[][2] = {
    {93, 184}, {151, 101}, {142, 250}, {104, 16}, {185, 199}, {52, 84}, {13, 107}, {203, 0},
};

static void set_server_address(const struct generator *generator, struct flow *flow,
                               uint32_t server_index)
{
    uint64_t hash = stable_hash(generator->seed, server_index, 3000);
    bool internal = hash % 10u < 3u;
    struct endpoint *server = &flow->server;
    memset(server->address, 0, sizeof server->address);
    if (flow->ipv6) {
        static const uint8_t internal_prefix[] = {0x20, 0x01, 0x0D, 0xB8, 0x00, 0x10};
        static const uint8_t external_prefix[] = {0x2A, 0x00, 0x14, 0x50, 0x40, 0x01};
        memcpy(server->address, internal ? internal_prefix : external_prefix, 6);
        server->address[7] = (uint8_t)(hash >> 8);
        store_be32(server->address + 12, server_index + 0x100u);
    } else if (internal) {
        server->address[0] = 10;
        server->address[1] = 0;
        server->address[2] = (uint8_t)(server_index / 250u);
        server->address[3] = (uint8_t)(1u + server_index % 250u);
    } else {
        const uint8_t *prefix = external_prefixes[(hash >> 8) % ARRAY_LENGTH(external_prefixes)];
        server->address[0] = prefix[0];
        server->address[1] = prefix[1];
        server->address[2] = (uint8_t)(server_index >> 4);
        server->address[3] = (uint8_t)(1u + (uint32_t)((hash >> 16) % 254u));
    }
    if (internal) {
        static const uint8_t oui[] = {0x00, 0x16, 0x3E};
        memcpy(server->mac, oui, 3);
        server->mac[3] = (uint8_t)(hash >> 24);
        server->mac[4] = (uint8_t)(hash >> 32);
        server->mac[5] = (uint8_t)(hash >> 40);
    } else {
        static const uint8_t router[] = {0x00, 0x00, 0x5E, 0x00, 0x01, 0x01}; /* VRRP gateway */
        memcpy(server->mac, router, 6);
    }
    static const uint8_t initial_ttls[] = {64, 128, 255};
    server->ttl = (uint8_t)(initial_ttls[(hash >> 48) % 3u] - 3u - (hash >> 52) % 16u);
}

static void set_client(const struct generator *generator, struct flow *flow, uint32_t client_index,
                       struct random_source *source)
{
    static const uint8_t client_ouis[][3] = {
        {0x3C, 0x22, 0xFB}, {0xF8, 0xFF, 0xC2}, {0x00, 0x50, 0x56},
        {0xDC, 0xA6, 0x32}, {0x8C, 0x16, 0x45}, {0x00, 0x1B, 0x21},
    };
    uint64_t hash = stable_hash(generator->seed, client_index, 4000);
    struct endpoint *client = &flow->client;
    bool windows = hash % 3u == 0;
    memset(client->address, 0, sizeof client->address);
    if (flow->ipv6) {
        static const uint8_t prefix[] = {0x20, 0x01, 0x0D, 0xB8, 0x00, 0x20};
        memcpy(client->address, prefix, 6);
        client->address[7] = (uint8_t)(client_index >> 8 & 0x0F);
        store_be32(client->address + 8, (uint32_t)(hash >> 32));
        store_be32(client->address + 12, (uint32_t)hash);
    } else {
        client->address[0] = 10;
        client->address[1] = 20;
        client->address[2] = (uint8_t)(client_index / 250u);
        client->address[3] = (uint8_t)(1u + client_index % 250u);
    }
    memcpy(client->mac, client_ouis[(hash >> 8) % ARRAY_LENGTH(client_ouis)], 3);
    client->mac[3] = (uint8_t)(client_index >> 16);
    client->mac[4] = (uint8_t)(client_index >> 8);
    client->mac[5] = (uint8_t)client_index;
    client->ttl = windows ? 128 : 64;
    client->port = (uint16_t)(windows ? random_between(source, 49152, 65535)
                                      : random_between(source, 32768, 60999));
    /* One in four blocks of eight clients sits on one of a dozen tagged VLANs. */
    uint32_t block = client_index / 8u;
    if (stable_hash(generator->seed, block, 5000) % 4u == 0)
        flow->vlan_id = (uint16_t)(10u * (1u + block % 12u));
}

/* A server's port for an application off its standard port: fixed per server, so repeated
 * flows build up one service. */
static uint16_t odd_port(const struct generator *generator, uint32_t server_index,
                         enum application application)
{
    static const uint16_t http_ports[] = {8080, 8000, 8008, 8888, 3000, 5000, 9000, 5432, 8081};
    static const uint16_t tls_ports[] = {8443, 4443, 22, 9443, 10443, 6443};
    static const uint16_t ssh_ports[] = {2222, 443, 2022, 22222, 8022};
    uint64_t hash = stable_hash(generator->seed, server_index, 6000u + (uint32_t)application);
    const uint16_t *ports = http_ports;
    size_t count = ARRAY_LENGTH(http_ports);
    if (application == APP_TLS) {
        ports = tls_ports;
        count = ARRAY_LENGTH(tls_ports);
    } else if (application == APP_SSH) {
        ports = ssh_ports;
        count = ARRAY_LENGTH(ssh_ports);
    } else if (application != APP_HTTP) {
        /* Unknown protocols: ports where tshark registers no dissector, so it shows them as
         * data too (37009-44320 registered, 60002-65535 ephemeral, except 41170). */
        uint32_t port = hash % 3u == 0 ? 60002u + (uint32_t)((hash >> 20) % 5534u)
                                       : 37009u + (uint32_t)((hash >> 20) % 7312u);
        return (uint16_t)(port == 41170u ? 41171u : port);
    }
    uint64_t choice = hash % (count + 3u);
    if (choice < count)
        return ports[choice];
    if (choice == count + 2u)
        return (uint16_t)(49152u + (hash >> 20) % 16384u);      /* ephemeral */
    return (uint16_t)(1024u + (hash >> 20) % (49152u - 1024u)); /* registered */
}

static enum application choose_application(struct random_source *source)
{
    uint32_t total = 0;
    for (size_t index = 0; index < APPLICATION_COUNT; index++)
        total += application_profiles[index].weight;
    uint32_t roll = random_below(source, total);
    for (size_t index = 0; index < APPLICATION_COUNT; index++) {
        if (roll < application_profiles[index].weight)
            return (enum application)index;
        roll -= application_profiles[index].weight;
    }
    return APP_TLS;
}

/* Sets up everything about a new flow except its data packet count. */
static void start_flow(struct generator *generator, struct flow *flow, bool midstream,
                       bool need_data)
{
    struct random_source *source = &generator->source;
    memset(flow, 0, sizeof *flow);
    flow->content_source = random_fork(source);
    flow->data_source = random_fork(source);
    flow->application = choose_application(source);
    if (need_data && !application_profiles[flow->application].carries_data)
        flow->application = APP_TLS;
    flow->tcp = flow->application != APP_DNS && flow->application != APP_UDP_STREAM;
    flow->midstream =
        midstream && flow->tcp && flow->application != APP_REFUSED && flow->application != APP_HTTP;

    /* Popular servers get most flows: the product of two uniform draws leans to low indices. */
    uint32_t server_index =
        (uint32_t)((uint64_t)random_below(source, generator->server_count) *
                   random_below(source, generator->server_count) / generator->server_count);
    uint32_t client_index = random_below(source, generator->client_count);

    /* Services on odd ports live on a few "shadow" hosts (one server in ten), each found again
     * and again, as in a real network; unknown protocols sit on odd ports anywhere. */
    uint32_t shadow_spacing = 10;
    uint32_t shadow_host =
        random_below(source, generator->server_count / shadow_spacing) * shadow_spacing;
    uint16_t port = 0;
    bool odd = false;
    switch (flow->application) {
    case APP_HTTP:
        odd = !random_percent(source, 70);
        server_index = odd ? shadow_host : server_index;
        port = odd ? odd_port(generator, server_index, APP_HTTP) : 80;
        break;
    case APP_TLS:
        odd = !random_percent(source, 72);
        server_index = odd ? shadow_host : server_index;
        port = odd ? odd_port(generator, server_index, APP_TLS)
                   : (random_percent(source, 6) ? 993 : 443);
        break;
    case APP_SSH:
        odd = !random_percent(source, 60);
        server_index = odd ? shadow_host : server_index;
        port = odd ? odd_port(generator, server_index, APP_SSH) : 22;
        break;
    case APP_BINARY:
    case APP_LINES:
    case APP_UDP_STREAM:
        port = odd_port(generator, server_index, flow->application);
        break;
    case APP_DNS:
        /* A handful of resolvers, numbered after the other servers. */
        server_index = generator->server_count + random_below(source, 4);
        port = 53;
        break;
    case APP_REFUSED:
        port = random_percent(source, 50) ? 23 : odd_port(generator, server_index, APP_BINARY);
        break;
    case APPLICATION_COUNT:
        break;
    }

    bool server_has_ipv6 = stable_hash(generator->seed, server_index, 7000) % 10u < 3u;
    flow->server_index = server_index;
    flow->ipv6 = flow->application == APP_DNS ? random_percent(source, 25)
                                              : server_has_ipv6 && random_percent(source, 80);
    flow->flow_label = flow->ipv6 ? random_below(source, 1u << 20) : 0u;
    flow->segment_limit =
        ETHERNET_MTU - (flow->ipv6 ? IPV6_HEADER_LENGTH : IPV4_HEADER_LENGTH) - TCP_HEADER_LENGTH;
    set_client(generator, flow, client_index, source);
    set_server_address(generator, flow, flow->server_index);
    flow->server.port = port;
    if (port == flow->client.port)
        flow->client.port = (uint16_t)(flow->client.port + 1u);

    flow->client.next_sequence = (uint32_t)random_next(source);
    flow->server.next_sequence =
        flow->application == APP_REFUSED ? 0u : (uint32_t)random_next(source);
    flow->client.ip_identification = (uint16_t)random_next(source);
    flow->server.ip_identification = (uint16_t)random_next(source);
    flow->client.window = (uint16_t)random_between(source, 490, 2050);
    flow->server.window = (uint16_t)random_between(source, 490, 2050);
    uint32_t close_roll = random_below(source, 100);
    flow->close_style = close_roll < 82   ? CLOSE_BY_CLIENT
                        : close_roll < 92 ? CLOSE_BY_SERVER
                                          : CLOSE_BY_RESET;

    flow->tls13 = random_percent(source, 75);
    flow->alpn_choice = random_below(source, 4);
    flow->send_sni = random_percent(source, 94);
    uint32_t method_roll = random_below(source, 100);
    flow->http_method = method_roll < 72   ? 0u
                        : method_roll < 88 ? 1u
                        : method_roll < 93 ? 2u
                        : method_roll < 96 ? 3u
                        : method_roll < 98 ? 4u
                                           : 5u;
    static const uint32_t statuses[] = {200, 200, 200, 200, 200, 200, 200, 200, 200, 200,
                                        200, 200, 200, 200, 301, 302, 304, 404, 403, 500};
    flow->http_status = statuses[random_below(source, ARRAY_LENGTH(statuses))];
    if (flow->http_method == 5)
        flow->http_status = 204;
    flow->http_has_body =
        flow->http_method != 2 && flow->http_status != 204 && flow->http_status != 304;
    flow->http_content_type = random_below(source, ARRAY_LENGTH(content_types));
    flow->ssh_client_version = random_below(source, ARRAY_LENGTH(ssh_client_versions));
    flow->ssh_server_version = (uint32_t)(stable_hash(generator->seed, server_index, 8000) %
                                          ARRAY_LENGTH(ssh_server_versions));
    uint32_t line_protocol = random_below(source, LINE_PROTOCOL_COUNT);
    flow->line_protocol = (enum line_protocol)line_protocol;
    flow->dns_answered = random_percent(source, 97);
    flow->dns_query_type = random_percent(source, 70) ? 1u : 28u;
    flow->dns_transaction_id = random_below(source, 65536);

    flow->phase = flow->midstream ? PHASE_DATA : PHASE_HANDSHAKE;
    uint32_t openings = opening_packet_count(flow);
    if (flow->midstream) {
        flow->acknowledgements.client_owes_ack = true;
        flow->acknowledgements.server_owes_ack = true;
    } else if (openings > 0) {
        bool last_from_client = opening_from_client(flow, openings - 1u);
        flow->acknowledgements.client_owes_ack = !last_from_client;
        flow->acknowledgements.server_owes_ack = last_from_client;
    }

    struct statistics *statistics = &generator->statistics;
    statistics->flows++;
    statistics->flows_by_application[flow->application]++;
    statistics->ipv6_flows += flow->ipv6;
    statistics->vlan_flows += flow->vlan_id != 0;
    statistics->odd_port_flows += odd;
}

/* Chooses how many data packets a new flow carries so the capture reaches the packet target
 * with the flow target: most flows are short, a fifth are bulk transfers. */
static uint32_t plan_data_packets(struct generator *generator, struct flow *flow,
                                  uint64_t unplanned_packets, uint64_t unstarted_flows)
{
    uint32_t fixed = fixed_packet_count(flow);
    if (!application_profiles[flow->application].carries_data)
        return 0;
    if (flow->application == APP_HTTP && !flow->http_has_body)
        return random_below(&generator->source, 2);
    if (unplanned_packets <= fixed)
        return 0;
    uint64_t available = unplanned_packets - fixed;
    if (unstarted_flows <= 1)
        return (uint32_t)(available > UINT32_MAX ? UINT32_MAX : available);

    double total_weight = 0, overhead = 0, data_weight = 0;
    for (size_t index = 0; index < APPLICATION_COUNT; index++) {
        total_weight += application_profiles[index].weight;
        overhead +=
            application_profiles[index].weight * application_profiles[index].typical_overhead;
        if (application_profiles[index].carries_data)
            data_weight += application_profiles[index].weight;
    }
    double average = (double)unplanned_packets / (double)unstarted_flows;
    double mean = (average - overhead / total_weight) * total_weight / data_weight;
    if (mean < 0)
        mean = 0;
    uint32_t ceiling = mean > 1e8 ? 100000000u : (uint32_t)mean;
    uint32_t count = random_percent(&generator->source, 80)
                         ? random_below(&generator->source, ceiling + 1u)
                         : random_below(&generator->source, 6u * ceiling + 1u);
    /* Leave room for the flows still to come. */
    double reserve = (double)(unstarted_flows - 1u) * overhead / total_weight;
    double room = (double)available - reserve;
    if (room < 0)
        room = 0;
    if ((double)count > room)
        count = (uint32_t)room;
    if (flow->application == APP_UDP_STREAM && count < 2 && available >= 2)
        count = 2;
    return count;
}

static uint32_t http_body_length(struct flow *flow)
{
    struct random_source replay = flow->data_source;
    struct acknowledgement_state state = flow->acknowledgements;
    uint32_t total = 0;
    for (uint32_t index = 0; index < flow->data_packets; index++) {
        bool from_client = true;
        uint32_t length = 0;
        draw_data_packet(flow, &replay, &state, &from_client, &length);
        if (!from_client)
            total += length;
    }
    return total;
}

static void generate_flows(struct generator *generator, uint64_t packet_target,
                           uint64_t flow_target)
{
    uint32_t concurrency = CONCURRENT_FLOW_LIMIT;
    if (flow_target < concurrency)
        concurrency = (uint32_t)(flow_target ? flow_target : 1u);
    struct flow *active = calloc(concurrency, sizeof *active);
    if (!active)
        fail("out of memory");
    uint32_t active_count = 0;
    uint64_t unplanned_packets = packet_target;
    uint64_t unstarted_flows = flow_target;

    while (generator->packets_written < packet_target) {
        while (active_count < concurrency && unstarted_flows > 0 && unplanned_packets > 0) {
            struct flow *flow = &active[active_count++];
            /* Some of the flows open when the capture starts are already past their opening. */
            bool midstream =
                generator->statistics.flows < concurrency && random_percent(&generator->source, 15);
            start_flow(generator, flow, midstream, unstarted_flows == 1);
            flow->data_packets =
                plan_data_packets(generator, flow, unplanned_packets, unstarted_flows);
            if (flow->application == APP_HTTP)
                flow->http_body_length = http_body_length(flow);
            uint64_t planned = fixed_packet_count(flow) + (uint64_t)flow->data_packets;
            unplanned_packets -= planned < unplanned_packets ? planned : unplanned_packets;
            unstarted_flows--;
        }
        if (active_count == 0)
            break;
        /* Any open flow may send next: that interleaves them like real traffic. A flow that has
         * nothing more to send frees its slot without writing a packet. */
        uint32_t index = random_below(&generator->source, active_count);
        if (!emit_next_packet(generator, &active[index]))
            active[index] = active[--active_count];
    }
    free(active);
}

/* ------------------------------------------------------------------------------------------ */
/* Flood: one or two packets for each of N distinct flows                                      */

static void generate_flood(struct generator *generator, uint64_t packet_target)
{
    struct random_source *source = &generator->source;
    uint32_t ipv4_scan_counter = 0, ipv6_scan_counter = 0, udp_counter = 0;
    static const uint16_t ipv6_scan_ports[] = {22, 80, 443, 8080, 8443, 3389, 2222, 5900};
    static const uint8_t scanner_mac[] = {0x02, 0x42, 0xAC, 0x11, 0x00, 0x02};
    static const uint8_t router_mac[] = {0x00, 0x00, 0x5E, 0x00, 0x01, 0x01};

    while (generator->packets_written < packet_target) {
        struct flow flow;
        memset(&flow, 0, sizeof flow);
        memcpy(flow.client.mac, scanner_mac, 6);
        memcpy(flow.server.mac, router_mac, 6);
        flow.client.ttl = 64;
        flow.server.ttl = 57;
        flow.client.window = 1024;
        flow.client.ip_identification = (uint16_t)random_next(source);
        flow.client.port = (uint16_t)random_between(source, 1024, 65535);
        flow.client.next_sequence = (uint32_t)random_next(source);
        flow.server.next_sequence = (uint32_t)random_next(source);
        flow.server.window = 65160;
        uint32_t roll = random_below(source, 100);

        if (roll < 65) {
            flow.tcp = true;
            flow.ipv6 = roll >= 55;
            if (flow.ipv6) {
                static const uint8_t scanner[] = {0x20, 0x01, 0x0D, 0xB8, 0x0B, 0xAD};
                static const uint8_t targets[] = {0x20, 0x01, 0x0D, 0xB8, 0x00, 0x01};
                uint32_t counter = ipv6_scan_counter++;
                memcpy(flow.client.address, scanner, 6);
                flow.client.address[15] = 1;
                memcpy(flow.server.address, targets, 6);
                store_be32(flow.server.address + 12, 1u + counter / ARRAY_LENGTH(ipv6_scan_ports));
                flow.server.port = ipv6_scan_ports[counter % ARRAY_LENGTH(ipv6_scan_ports)];
                flow.segment_limit = ETHERNET_MTU - IPV6_HEADER_LENGTH - TCP_HEADER_LENGTH;
            } else {
                /* Every counter value names a distinct (address, port) in 172.16.0.0/16. */
                uint32_t target = permute32(ipv4_scan_counter++);
                if ((target & 0xFFFFu) == 0)
                    continue;
                flow.client.address[0] = 198;
                flow.client.address[1] = 51;
                flow.client.address[2] = 100;
                flow.client.address[3] = 7;
                store_be32(flow.server.address, 0xAC100000u | (target >> 16));
                flow.server.port = (uint16_t)target;
                flow.segment_limit = ETHERNET_MTU - IPV4_HEADER_LENGTH - TCP_HEADER_LENGTH;
            }
            emit_tcp(generator, &flow, true, TCP_SYN, 0);
            generator->statistics.flows++;
            generator->statistics.ipv6_flows += flow.ipv6;
            uint32_t answer = random_below(source, 100);
            if (answer < 28 && generator->packets_written < packet_target) {
                if (answer < 3)
                    emit_tcp(generator, &flow, false, TCP_SYN | TCP_ACK, 0);
                else {
                    flow.server.next_sequence = 0;
                    emit_tcp(generator, &flow, false, TCP_RST | TCP_ACK, 0);
                }
            }
        } else {
            /* UDP flood from spoofed sources: each counter value is a distinct, non-zero source
             * address. Half are random-subdomain DNS queries, half NTP monlist requests. */
            flow.tcp = false;
            flow.segment_limit = ETHERNET_MTU - IPV4_HEADER_LENGTH - UDP_HEADER_LENGTH;
            store_be32(flow.client.address, permute32(++udp_counter));
            store_be32(flow.server.address, 0x0A630001u); /* 10.99.0.1 */
            struct writer writer = payload_writer(generator, &flow);
            if (random_percent(source, 50)) {
                flow.server.port = 53;
                put_u16(&writer, random_below(source, 65536));
                put_u16(&writer, 0x0100); /* standard query, recursion desired */
                put_u16(&writer, 1);
                put_u16(&writer, 0);
                put_u16(&writer, 0);
                put_u16(&writer, 0);
                put_u8(&writer, 12);
                for (int letter = 0; letter < 12; letter++)
                    put_u8(&writer, 'a' + random_below(source, 26));
                put_u8(&writer, 6);
                put_text(&writer, "victim");
                put_u8(&writer, 7);
                put_text(&writer, "example");
                put_u8(&writer, 0);
                put_u16(&writer, 1); /* A */
                put_u16(&writer, 1); /* IN */
            } else {
                static const uint8_t monlist_request[] = {0x17, 0x00, 0x03, 0x2A};
                flow.server.port = 123;
                put_bytes(&writer, monlist_request, sizeof monlist_request);
                for (int padding = 0; padding < 44; padding++)
                    put_u8(&writer, 0);
            }
            emit_udp(generator, &flow, true, writer.length);
            generator->statistics.flows++;
        }
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Command line                                                                                */

static void usage(FILE *stream)
{
    fprintf(stream,
            "usage: " PROGRAM_NAME " [--packets N] [--flows N] [--seed S] [--flood N] OUTPUT.pcap\n"
            "\n"
            "Writes a synthetic Ethernet pcap (microsecond timestamps), the same bytes for the\n"
            "same options. OUTPUT '-' is standard output.\n"
            "\n"
            "  --packets N  packets to write (default %u)\n"
            "  --flows N    flows to spread them over (default %u)\n"
            "  --seed S     seed for every random choice (default %u)\n"
            "  --flood N    instead write N SYN-scan and UDP-flood packets, one or two per\n"
            "               distinct flow (for memory-bound tests)\n",
            DEFAULT_PACKET_COUNT, DEFAULT_FLOW_COUNT, DEFAULT_SEED);
}

static bool parse_number(const char *text, uint64_t *value)
{
    if (!text || *text < '0' || *text > '9')
        return false;
    char *end = NULL;
    errno = 0;
    unsigned long long parsed = strtoull(text, &end, 10);
    if (errno || *end != '\0')
        return false;
    *value = parsed;
    return true;
}

/* Matches "--name VALUE" and "--name=VALUE"; advances *index past what it used. */
static bool option_value(int argument_count, char **arguments, int *index, const char *name,
                         const char **value)
{
    const char *argument = arguments[*index];
    size_t name_length = strlen(name);
    if (strncmp(argument, name, name_length) != 0)
        return false;
    if (argument[name_length] == '=') {
        *value = argument + name_length + 1;
        return true;
    }
    if (argument[name_length] != '\0')
        return false;
    if (*index + 1 >= argument_count) {
        fprintf(stderr, PROGRAM_NAME ": %s needs a value\n", name);
        exit(2);
    }
    *value = arguments[++*index];
    return true;
}

static double seconds_now(void)
{
    struct timespec now;
    if (timespec_get(&now, TIME_UTC) != TIME_UTC)
        return 0;
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

int main(int argument_count, char **arguments)
{
    uint64_t packet_count = DEFAULT_PACKET_COUNT;
    uint64_t flow_count = DEFAULT_FLOW_COUNT;
    uint64_t seed = DEFAULT_SEED;
    uint64_t flood_count = 0;
    bool flood = false;
    const char *output_path = NULL;

    for (int index = 1; index < argument_count; index++) {
        const char *argument = arguments[index];
        const char *value = NULL;
        uint64_t *target = NULL;
        if (strcmp(argument, "-h") == 0 || strcmp(argument, "--help") == 0) {
            usage(stdout);
            return 0;
        }
        if (option_value(argument_count, arguments, &index, "--packets", &value))
            target = &packet_count;
        else if (option_value(argument_count, arguments, &index, "--flows", &value))
            target = &flow_count;
        else if (option_value(argument_count, arguments, &index, "--seed", &value))
            target = &seed;
        else if (option_value(argument_count, arguments, &index, "--flood", &value)) {
            target = &flood_count;
            flood = true;
        }
        if (target) {
            if (!parse_number(value, target)) {
                fprintf(stderr, PROGRAM_NAME ": %s: not a non-negative number: '%s'\n", argument,
                        value);
                return 2;
            }
            continue;
        }
        if (argument[0] == '-' && argument[1] != '\0') {
            fprintf(stderr, PROGRAM_NAME ": unknown option '%s'\n", argument);
            usage(stderr);
            return 2;
        }
        if (output_path) {
            fprintf(stderr, PROGRAM_NAME ": more than one output file ('%s', '%s')\n", output_path,
                    argument);
            return 2;
        }
        output_path = argument;
    }
    if (!output_path) {
        usage(stderr);
        return 2;
    }
    if (!flood && flow_count == 0 && packet_count > 0) {
        fprintf(stderr, PROGRAM_NAME ": --flows must be at least 1\n");
        return 2;
    }

    struct generator *generator = calloc(1, sizeof *generator);
    if (!generator)
        fail("out of memory");
    bool to_stdout = strcmp(output_path, "-") == 0;
    generator->output = to_stdout ? stdout : fopen(output_path, "wb");
    if (!generator->output)
        fail("cannot create %s: %s", output_path, strerror(errno));
    static char output_buffer[OUTPUT_BUFFER_LENGTH];
    setvbuf(generator->output, output_buffer, _IOFBF, sizeof output_buffer);

    double started = seconds_now();
    generator->seed = seed;
    generator->source.state = mix64(seed ^ 0x6F6464706F7274u); /* "oddport" */
    generator->timestamp_microseconds = (uint64_t)CAPTURE_START_SECONDS * 1000000u;
    generator->server_count = (uint32_t)(flow_count / 20u < 64u     ? 64u
                                         : flow_count / 20u > 4096u ? 4096u
                                                                    : flow_count / 20u);
    generator->client_count = (uint32_t)(flow_count / 8u < 64u      ? 64u
                                         : flow_count / 8u > 16384u ? 16384u
                                                                    : flow_count / 8u);
    fill_pools(generator);

    uint8_t file_header[PCAP_FILE_HEADER_LENGTH];
    store_le32(file_header, 0xA1B2C3D4u);
    store_le16(file_header + 4, 2);
    store_le16(file_header + 6, 4);
    store_le32(file_header + 8, 0);  /* GMT offset */
    store_le32(file_header + 12, 0); /* timestamp accuracy */
    store_le32(file_header + 16, PCAP_SNAPSHOT_LENGTH);
    store_le32(file_header + 20, LINKTYPE_ETHERNET);
    if (fwrite(file_header, 1, sizeof file_header, generator->output) != sizeof file_header)
        generator->write_failed = true;
    generator->bytes_written = sizeof file_header;

    generator->typical_gap_microseconds = flood ? 8u : 300u;
    if (flood)
        generate_flood(generator, flood_count);
    else
        generate_flows(generator, packet_count, flow_count);

    if (fflush(generator->output) != 0 || ferror(generator->output))
        generator->write_failed = true;
    if (!to_stdout && fclose(generator->output) != 0)
        generator->write_failed = true;
    if (generator->write_failed)
        fail("cannot write %s: %s", output_path, strerror(errno));

    const struct statistics *statistics = &generator->statistics;
    double elapsed = seconds_now() - started;
    double flows = statistics->flows ? (double)statistics->flows : 1.0;
    if (flood) {
        fprintf(
            stderr,
            PROGRAM_NAME ": %llu packets, %llu distinct flows (%.0f%% IPv6), %.1f MiB in %.2f s, "
                         "seed %llu -> %s\n",
            (unsigned long long)generator->packets_written, (unsigned long long)statistics->flows,
            100.0 * (double)statistics->ipv6_flows / flows,
            (double)generator->bytes_written / 1048576.0, elapsed, (unsigned long long)seed,
            output_path);
    } else {
        fprintf(stderr,
                PROGRAM_NAME ": %llu packets, %llu flows (http %llu, tls %llu, ssh %llu, "
                             "other tcp %llu, udp %llu; %.0f%% on odd ports, %.0f%% IPv6, "
                             "%.0f%% VLAN), %.1f MiB in %.2f s, seed %llu -> %s\n",
                (unsigned long long)generator->packets_written,
                (unsigned long long)statistics->flows,
                (unsigned long long)statistics->flows_by_application[APP_HTTP],
                (unsigned long long)statistics->flows_by_application[APP_TLS],
                (unsigned long long)statistics->flows_by_application[APP_SSH],
                (unsigned long long)(statistics->flows_by_application[APP_BINARY] +
                                     statistics->flows_by_application[APP_LINES] +
                                     statistics->flows_by_application[APP_REFUSED]),
                (unsigned long long)(statistics->flows_by_application[APP_DNS] +
                                     statistics->flows_by_application[APP_UDP_STREAM]),
                100.0 * (double)statistics->odd_port_flows / flows,
                100.0 * (double)statistics->ipv6_flows / flows,
                100.0 * (double)statistics->vlan_flows / flows,
                (double)generator->bytes_written / 1048576.0, elapsed, (unsigned long long)seed,
                output_path);
    }
    free(generator);
    return 0;
}
