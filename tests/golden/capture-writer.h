/* Writing small Ethernet/IPv4 pcap captures for the golden tests: byte order, checksums, TCP
 * conversations and UDP datagrams, one millisecond apart from 2025-11-28 01:10:54 UTC. */
#ifndef ODDPORT_TEST_CAPTURE_WRITER_H
#define ODDPORT_TEST_CAPTURE_WRITER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* The capture being written and its clock; each program writes one capture. */
static FILE *capture_output;
static uint32_t capture_clock_us;

static inline void put_le32(uint8_t *at, uint32_t value)
{
    for (int index = 0; index < 4; index++)
        at[index] = (uint8_t)(value >> (8 * index));
}

static inline void put_be16(uint8_t *at, uint32_t value)
{
    at[0] = (uint8_t)(value >> 8);
    at[1] = (uint8_t)value;
}

static inline void put_be32(uint8_t *at, uint32_t value)
{
    for (int index = 0; index < 4; index++)
        at[index] = (uint8_t)(value >> (24 - 8 * index));
}

/* The Internet checksum (RFC 1071) over `length` bytes, continuing from `sum`. */
static inline uint32_t checksum_add(uint32_t sum, const uint8_t *bytes, size_t length)
{
    for (size_t index = 0; index + 1 < length; index += 2)
        sum += (uint32_t)bytes[index] << 8 | bytes[index + 1];
    if (length % 2 == 1)
        sum += (uint32_t)bytes[length - 1] << 8;
    return sum;
}

static inline uint16_t checksum_finish(uint32_t sum)
{
    while (sum > 0xffff)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

/* Opens `path` ("-" for standard output) and writes the pcap file header: microseconds,
 * snapshot length 65535, Ethernet. Returns false when the file cannot be created. */
static inline bool capture_begin(const char *path)
{
    capture_output = strcmp(path, "-") == 0 ? stdout : fopen(path, "wb");
    if (capture_output == NULL)
        return false;
    static const uint8_t header[24] = {0xd4, 0xc3, 0xb2, 0xa1, 2,    0,    4, 0, 0, 0, 0, 0,
                                       0,    0,    0,    0,    0xff, 0xff, 0, 0, 1, 0, 0, 0};
    fwrite(header, 1, sizeof header, capture_output);
    return true;
}

/* Ends the capture; false on a write error. */
static inline bool capture_end(void)
{
    bool written = fflush(capture_output) == 0 && !ferror(capture_output);
    if (capture_output != stdout && fclose(capture_output) != 0)
        written = false;
    return written;
}

/* Begins the capture named by a writer program's one argument, OUTPUT.pcap. On a wrong count of
 * arguments it prints the usage and exits with 2; when the file cannot be created, the reason
 * and 1. */
static inline void capture_begin_from_arguments(int argc, char **argv, const char *program)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s OUTPUT.pcap\n", program);
        exit(2);
    }
    if (!capture_begin(argv[1])) {
        perror(argv[1]);
        exit(1);
    }
}

/* Ends the capture begun at `path`: the exit status for main, 1 with the reason on a write error
 * and 0 otherwise. */
static inline int capture_finish(const char *path)
{
    if (capture_end())
        return 0;
    perror(path);
    return 1;
}

/* An Ethernet header and the longest IPv4 packet. */
enum { FRAME_MAX = 14 + 65535 };
enum { TCP_FIN = 0x01, TCP_SYN = 0x02, TCP_RST = 0x04, TCP_PSH = 0x08, TCP_ACK = 0x10 };
enum { PROTOCOL_TCP = 6, PROTOCOL_UDP = 17 };

typedef struct {
    uint8_t client_ip[4];
    uint8_t server_ip[4];
    uint16_t client_port;
    uint16_t server_port;
    uint32_t client_sequence;
    uint32_t server_sequence;
} Connection;

/* Writes one Ethernet/IPv4 frame around a transport header and payload, as a pcap record;
 * `transport` points at the transport header inside `frame`, whose checksum is filled in. */
static inline void write_frame(uint8_t *frame, const uint8_t source[4],
                               const uint8_t destination[4], uint8_t protocol,
                               size_t transport_length)
{
    size_t length = 14 + 20 + transport_length;
    /* Locally administered MAC addresses, so nothing here names real hardware. */
    static const uint8_t mac_a[6] = {0x02, 0, 0, 0, 1, 1};
    static const uint8_t mac_b[6] = {0x02, 0, 0, 0, 1, 2};
    memcpy(frame, mac_a, 6);
    memcpy(frame + 6, mac_b, 6);
    put_be16(frame + 12, 0x0800);
    uint8_t *ip = frame + 14;
    memset(ip, 0, 20);
    ip[0] = 0x45;
    put_be16(ip + 2, (uint32_t)(20 + transport_length));
    ip[8] = 64;
    ip[9] = protocol;
    memcpy(ip + 12, source, 4);
    memcpy(ip + 16, destination, 4);
    put_be16(ip + 10, checksum_finish(checksum_add(0, ip, 20)));

    uint8_t *transport = ip + 20;
    uint8_t pseudo[12];
    memcpy(pseudo, ip + 12, 8);
    pseudo[8] = 0;
    pseudo[9] = protocol;
    put_be16(pseudo + 10, (uint32_t)transport_length);
    uint32_t sum =
        checksum_add(checksum_add(0, pseudo, sizeof pseudo), transport, transport_length);
    put_be16(transport + (protocol == PROTOCOL_TCP ? 16 : 6), checksum_finish(sum));

    uint8_t record[16];
    capture_clock_us += 1000;
    put_le32(record,
             1764292254u + capture_clock_us / 1000000u); /* 2025-11-28 01:10:54 UTC onwards */
    put_le32(record + 4, capture_clock_us % 1000000u);
    put_le32(record + 8, (uint32_t)length);
    put_le32(record + 12, (uint32_t)length);
    fwrite(record, 1, sizeof record, capture_output);
    fwrite(frame, 1, length, capture_output);
}

/* One TCP segment from the client (`from_client`) or the server. */
static inline void write_segment(Connection *connection, int from_client, uint8_t flags,
                                 const void *payload, size_t payload_length)
{
    uint8_t frame[FRAME_MAX];
    uint8_t *tcp = frame + 14 + 20;
    memset(tcp, 0, 20);
    uint32_t *sequence = from_client ? &connection->client_sequence : &connection->server_sequence;
    uint32_t acknowledged = from_client ? connection->server_sequence : connection->client_sequence;
    put_be16(tcp, from_client ? connection->client_port : connection->server_port);
    put_be16(tcp + 2, from_client ? connection->server_port : connection->client_port);
    put_be32(tcp + 4, *sequence);
    put_be32(tcp + 8, (flags & TCP_ACK) ? acknowledged : 0);
    tcp[12] = 5 << 4;
    tcp[13] = flags;
    put_be16(tcp + 14, 65535);
    if (payload_length > 0)
        memcpy(tcp + 20, payload, payload_length);
    write_frame(frame, from_client ? connection->client_ip : connection->server_ip,
                from_client ? connection->server_ip : connection->client_ip, PROTOCOL_TCP,
                20 + payload_length);
    *sequence += (uint32_t)payload_length + ((flags & (TCP_SYN | TCP_FIN)) ? 1u : 0u);
}

static inline void write_datagram(const uint8_t source[4], uint16_t source_port,
                                  const uint8_t destination[4], uint16_t destination_port,
                                  const void *payload, size_t payload_length)
{
    uint8_t frame[FRAME_MAX];
    uint8_t *udp = frame + 14 + 20;
    put_be16(udp, source_port);
    put_be16(udp + 2, destination_port);
    put_be16(udp + 4, (uint32_t)(8 + payload_length));
    put_be16(udp + 6, 0);
    memcpy(udp + 8, payload, payload_length);
    write_frame(frame, source, destination, PROTOCOL_UDP, 8 + payload_length);
}

static inline void handshake(Connection *connection)
{
    write_segment(connection, 1, TCP_SYN, NULL, 0);
    write_segment(connection, 0, TCP_SYN | TCP_ACK, NULL, 0);
    write_segment(connection, 1, TCP_ACK, NULL, 0);
}

static inline void close_connection(Connection *connection)
{
    write_segment(connection, 1, TCP_FIN | TCP_ACK, NULL, 0);
    write_segment(connection, 0, TCP_FIN | TCP_ACK, NULL, 0);
    write_segment(connection, 1, TCP_ACK, NULL, 0);
}

/* A TLS 1.2 ClientHello record whose only extension is server_name carrying `name` as it is, any
 * bytes at all; returns its length. */
static inline size_t capture_client_hello(uint8_t *out, const char *name)
{
    size_t name_length = strlen(name);
    size_t extension_length = 2 + 1 + 2 + name_length; /* list length, type, name length */
    size_t extensions_length = 4 + extension_length;
    size_t body_length = 2 + 32 + 1 + 2 + 2 + 1 + 1 + 2 + extensions_length;
    size_t at = 0;
    out[at++] = 22; /* handshake record */
    out[at++] = 3;
    out[at++] = 1;
    put_be16(out + at, (uint32_t)(4 + body_length));
    at += 2;
    out[at++] = 1; /* ClientHello */
    out[at++] = 0;
    put_be16(out + at, (uint32_t)body_length);
    at += 2;
    out[at++] = 3; /* TLS 1.2 */
    out[at++] = 3;
    for (int index = 0; index < 32; index++)
        out[at++] = (uint8_t)(0x40 + index);
    out[at++] = 0; /* no session id */
    put_be16(out + at, 2);
    at += 2;
    put_be16(out + at, 0xc02f); /* TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 */
    at += 2;
    out[at++] = 1; /* one compression method: none */
    out[at++] = 0;
    put_be16(out + at, (uint32_t)extensions_length);
    at += 2;
    put_be16(out + at, 0); /* server_name */
    at += 2;
    put_be16(out + at, (uint32_t)extension_length);
    at += 2;
    put_be16(out + at, (uint32_t)(1 + 2 + name_length));
    at += 2;
    out[at++] = 0; /* host_name */
    put_be16(out + at, (uint32_t)name_length);
    at += 2;
    memcpy(out + at, name, name_length);
    return at + name_length;
}

#endif
