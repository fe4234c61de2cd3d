/* write-other-servers-capture: a small pcap of servers that speak neither HTTP, TLS nor SSH. */

/*
 * Usage: write-other-servers-capture OUTPUT.pcap
 *
 * Ethernet/IPv4 with valid checksums, so other tools read the file too. What the report's
 * "other servers on non-standard ports" must list:
 *
 *   10.0.1.25:2525/tcp    an SMTP-like relay: a "220" banner before the client says anything
 *   10.0.1.99:9999/udp    a datagram service: a request answered with bytes that hold NUL, ESC
 *                         and a backslash, which every report must escape
 *   10.0.1.77:4000/tcp    a drop box: accepts a connection and takes the client's data without a
 *                         reply (the client's bytes are the evidence)
 *   10.0.1.80:61616/tcp   a binary greeting on an ephemeral port, from two clients
 *
 * and what it must leave out:
 *
 *   10.0.1.25:25/tcp      the same banner on SMTP's own well-known port
 *   10.0.1.50             a SYN scan from 10.0.1.66 of 200 closed registered ports (RST answers),
 *                         one open port that answers SYN-ACK and is reset (a half-open scan),
 *                         and 20 UDP probes that get no answer
 *   10.0.1.51:7000/tcp    a SYN flood: 50 SYNs from different ports, no answer
 *
 * The bytes are fixed, so the golden reports of this capture never change by accident.
 */

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "capture-bytes.h"

#define FRAME_MAX 2048

static FILE *output;
static uint32_t clock_us;

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
static void write_frame(uint8_t *frame, const uint8_t source[4], const uint8_t destination[4],
                        uint8_t protocol, size_t transport_length)
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
    clock_us += 1000;
    put_le32(record, 1764292254u + clock_us / 1000000u); /* 2025-11-28 01:10:54 UTC onwards */
    put_le32(record + 4, clock_us % 1000000u);
    put_le32(record + 8, (uint32_t)length);
    put_le32(record + 12, (uint32_t)length);
    fwrite(record, 1, sizeof record, output);
    fwrite(frame, 1, length, output);
}

/* One TCP segment from the client (`from_client`) or the server. */
static void write_segment(Connection *connection, int from_client, uint8_t flags,
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

static void write_datagram(const uint8_t source[4], uint16_t source_port,
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

static void handshake(Connection *connection)
{
    write_segment(connection, 1, TCP_SYN, NULL, 0);
    write_segment(connection, 0, TCP_SYN | TCP_ACK, NULL, 0);
    write_segment(connection, 1, TCP_ACK, NULL, 0);
}

static void close_connection(Connection *connection)
{
    write_segment(connection, 1, TCP_FIN | TCP_ACK, NULL, 0);
    write_segment(connection, 0, TCP_FIN | TCP_ACK, NULL, 0);
    write_segment(connection, 1, TCP_ACK, NULL, 0);
}

/* A server that greets first, then answers one command. */
static void write_greeting_server(Connection *connection, const char *banner, const char *command,
                                  const char *answer)
{
    handshake(connection);
    write_segment(connection, 0, TCP_PSH | TCP_ACK, banner, strlen(banner));
    write_segment(connection, 1, TCP_PSH | TCP_ACK, command, strlen(command));
    write_segment(connection, 0, TCP_PSH | TCP_ACK, answer, strlen(answer));
    close_connection(connection);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: write-other-servers-capture OUTPUT.pcap\n");
        return 2;
    }
    output = fopen(argv[1], "wb");
    if (output == NULL) {
        perror(argv[1]);
        return 1;
    }
    uint8_t header[24] = {0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0};
    put_le32(header + 16, 65535);
    put_le32(header + 20, 1); /* Ethernet */
    fwrite(header, 1, sizeof header, output);

    static const char banner[] = "220 relay.example.test ESMTP ready\r\n";
    Connection relay = {{10, 0, 1, 1}, {10, 0, 1, 25}, 40001, 2525, 1000, 5000};
    write_greeting_server(&relay, banner, "EHLO client.example.test\r\n",
                          "250 relay.example.test\r\n");
    Connection mail = {{10, 0, 1, 1}, {10, 0, 1, 25}, 40002, 25, 2000, 6000};
    write_greeting_server(&mail, banner, "EHLO client.example.test\r\n",
                          "250 relay.example.test\r\n");

    static const uint8_t client_ip[4] = {10, 0, 1, 2};
    static const uint8_t service_ip[4] = {10, 0, 1, 99};
    static const char request[] = "STATUS?\n";
    static const char reply[] = "OK 42\x00\x01\x1b[2J \\x41\n";
    write_datagram(client_ip, 50001, service_ip, 9999, request, strlen(request));
    write_datagram(service_ip, 9999, client_ip, 50001, reply, sizeof reply - 1);

    static const char upload[] = "\x00\x00\x00\x10secrets.tar.gz\x00\x01";
    Connection drop = {{10, 0, 1, 3}, {10, 0, 1, 77}, 40003, 4000, 3000, 7000};
    handshake(&drop);
    write_segment(&drop, 1, TCP_PSH | TCP_ACK, upload, sizeof upload - 1);
    write_segment(&drop, 0, TCP_ACK, NULL, 0);
    close_connection(&drop);

    /* A broker's greeting, the client's answer the same bytes. */
    static const char greeting[] = "\x00\x00\x00\x2a\x01"
                                   "ActiveMQ\x00\x00\x00\x0c";
    for (uint8_t client = 4; client <= 5; client++) {
        Connection broker = {{10, 0, 1, client}, {10, 0, 1, 80}, 40004, 61616, 4000, 8000};
        handshake(&broker);
        write_segment(&broker, 0, TCP_PSH | TCP_ACK, greeting, sizeof greeting - 1);
        write_segment(&broker, 1, TCP_PSH | TCP_ACK, greeting, sizeof greeting - 1);
        close_connection(&broker);
    }

    /* The scan: closed ports answer RST, the open one SYN-ACK and the scanner resets it. */
    for (uint16_t port = 1100; port < 1300; port++) {
        Connection probe = {{10, 0, 1, 66}, {10, 0, 1, 50}, 45000, port, 9000, 0};
        write_segment(&probe, 1, TCP_SYN, NULL, 0);
        write_segment(&probe, 0, TCP_RST | TCP_ACK, NULL, 0);
    }
    Connection open_port = {{10, 0, 1, 66}, {10, 0, 1, 50}, 45000, 3389, 9000, 9100};
    write_segment(&open_port, 1, TCP_SYN, NULL, 0);
    write_segment(&open_port, 0, TCP_SYN | TCP_ACK, NULL, 0);
    write_segment(&open_port, 1, TCP_RST, NULL, 0);
    static const uint8_t scanner_ip[4] = {10, 0, 1, 66};
    static const uint8_t target_ip[4] = {10, 0, 1, 50};
    for (uint16_t port = 5000; port < 5020; port++)
        write_datagram(scanner_ip, 55001, target_ip, port, "probe", 5);

    for (uint16_t port = 30000; port < 30050; port++) {
        Connection flood = {{10, 0, 1, 67}, {10, 0, 1, 51}, port, 7000, 10000u + port, 0};
        write_segment(&flood, 1, TCP_SYN, NULL, 0);
    }

    if (fclose(output) != 0) {
        perror(argv[1]);
        return 1;
    }
    return 0;
}
