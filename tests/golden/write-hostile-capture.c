/* write-hostile-capture: a small pcap whose payloads attack whoever reads the report. */

/*
 * Usage: write-hostile-capture OUTPUT.pcap
 *
 * Four TCP connections on Ethernet/IPv4, each a full handshake, one request, one answer and a
 * close, with valid IP and TCP checksums so other tools read the file too:
 *
 *   10.0.0.1 -> 10.0.0.66:443   SSH whose server banner carries terminal controls: the 8-bit
 *                               CSI (0x9b), the same in UTF-8 (c2 9b) and a right-to-left
 *                               override, all of which an SSH detector accepts in a comment
 *   10.0.0.2 -> 10.0.0.67:8081  HTTP with a spreadsheet formula as Host (=cmd|' /C calc'!A0) and
 *                               another as User-Agent (@SUM..., with a tab in it)
 *   10.0.0.3 -> 10.0.0.68:4444  a TLS ClientHello whose SNI holds 7-bit escapes: ESC ] 0; (set
 *                               the window title), BEL, ESC [ 2 J (clear the screen)
 *   10.0.0.4 -> 10.0.0.66:443   an HTTP request for the literal text /\x1b[2J (a backslash, not an
 *                               escape), Host +1-2, answered by that SSH banner: a mismatch
 *
 * The report writers must show every such byte as text (\xNN) and defuse the formulas in CSV.
 * The bytes are fixed, so the golden reports of this capture never change by accident.
 */

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "capture-bytes.h"

#define FRAME_MAX 2048

static FILE *output;
static uint32_t clock_us;

enum { TCP_FIN = 0x01, TCP_SYN = 0x02, TCP_PSH = 0x08, TCP_ACK = 0x10 };

typedef struct {
    uint8_t client_ip[4];
    uint8_t server_ip[4];
    uint16_t client_port;
    uint16_t server_port;
    uint32_t client_sequence;
    uint32_t server_sequence;
} Connection;

/* One Ethernet/IPv4/TCP frame from the client (`from_client`) or the server, as a pcap record. */
static void write_segment(Connection *connection, int from_client, uint8_t flags,
                          const void *payload, size_t payload_length)
{
    uint8_t frame[FRAME_MAX];
    size_t length = 14 + 20 + 20 + payload_length;
    memset(frame, 0, 14 + 20 + 20);
    /* Locally administered MAC addresses, so nothing here names real hardware. */
    static const uint8_t client_mac[6] = {0x02, 0, 0, 0, 0, 1};
    static const uint8_t server_mac[6] = {0x02, 0, 0, 0, 0, 2};
    memcpy(frame, from_client ? server_mac : client_mac, 6);
    memcpy(frame + 6, from_client ? client_mac : server_mac, 6);
    put_be16(frame + 12, 0x0800);

    uint8_t *ip = frame + 14;
    ip[0] = 0x45;
    put_be16(ip + 2, (uint32_t)(length - 14));
    ip[8] = 64;
    ip[9] = 6;
    memcpy(ip + 12, from_client ? connection->client_ip : connection->server_ip, 4);
    memcpy(ip + 16, from_client ? connection->server_ip : connection->client_ip, 4);
    put_be16(ip + 10, checksum_finish(checksum_add(0, ip, 20)));

    uint8_t *tcp = ip + 20;
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
    uint8_t pseudo[12];
    memcpy(pseudo, ip + 12, 8);
    pseudo[8] = 0;
    pseudo[9] = 6;
    put_be16(pseudo + 10, (uint32_t)(20 + payload_length));
    uint32_t sum = checksum_add(checksum_add(0, pseudo, sizeof pseudo), tcp, 20 + payload_length);
    put_be16(tcp + 16, checksum_finish(sum));
    *sequence += (uint32_t)payload_length + ((flags & (TCP_SYN | TCP_FIN)) ? 1u : 0u);

    uint8_t record[16];
    clock_us += 1000;
    put_le32(record, 1764292254u + clock_us / 1000000u); /* 2025-11-28 01:10:54 UTC onwards */
    put_le32(record + 4, clock_us % 1000000u);
    put_le32(record + 8, (uint32_t)length);
    put_le32(record + 12, (uint32_t)length);
    fwrite(record, 1, sizeof record, output);
    fwrite(frame, 1, length, output);
}

/* Handshake, one request, one answer, close. */
static void write_conversation(Connection *connection, const void *request, size_t request_length,
                               const void *answer, size_t answer_length)
{
    write_segment(connection, 1, TCP_SYN, NULL, 0);
    write_segment(connection, 0, TCP_SYN | TCP_ACK, NULL, 0);
    write_segment(connection, 1, TCP_ACK, NULL, 0);
    if (request_length > 0)
        write_segment(connection, 1, TCP_PSH | TCP_ACK, request, request_length);
    if (answer_length > 0)
        write_segment(connection, 0, TCP_PSH | TCP_ACK, answer, answer_length);
    write_segment(connection, 1, TCP_FIN | TCP_ACK, NULL, 0);
    write_segment(connection, 0, TCP_FIN | TCP_ACK, NULL, 0);
    write_segment(connection, 1, TCP_ACK, NULL, 0);
}

/* A TLS 1.2 ClientHello with one cipher suite and a server_name extension naming `name`. */
static size_t client_hello(uint8_t *out, const char *name)
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

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: write-hostile-capture OUTPUT.pcap\n");
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

    static const char evil_banner[] = "SSH-2.0-OpenSSH_9.2p1 \x9b"
                                      "31mowned\x9b"
                                      "0m \xc2\x9b"
                                      "2J\xe2\x80\xae"
                                      "live\r\n";
    static const char ssh_client[] = "SSH-2.0-OpenSSH_9.6\r\n";
    Connection ssh = {{10, 0, 0, 1}, {10, 0, 0, 66}, 40001, 443, 1000, 5000};
    write_conversation(&ssh, ssh_client, strlen(ssh_client), evil_banner, strlen(evil_banner));

    static const char formula_request[] = "GET /admin HTTP/1.1\r\n"
                                          "Host: =cmd|' /C calc'!A0\r\n"
                                          "User-Agent: @SUM(1+1)*cmd|' /C calc'!A0\tx\r\n"
                                          "\r\n";
    static const char ok_answer[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    Connection http = {{10, 0, 0, 2}, {10, 0, 0, 67}, 40002, 8081, 2000, 6000};
    write_conversation(&http, formula_request, strlen(formula_request), ok_answer,
                       strlen(ok_answer));

    uint8_t hello[512];
    size_t hello_length = client_hello(hello, "\x1b]0;owned\x07\x1b[2Jevil.example");
    Connection tls = {{10, 0, 0, 3}, {10, 0, 0, 68}, 40003, 4444, 3000, 7000};
    write_conversation(&tls, hello, hello_length, NULL, 0);

    static const char plain_request[] = "GET /\\x1b[2J HTTP/1.1\r\nHost: +1-2\r\n\r\n";
    Connection mismatch = {{10, 0, 0, 4}, {10, 0, 0, 66}, 40004, 443, 4000, 8000};
    write_conversation(&mismatch, plain_request, strlen(plain_request), evil_banner,
                       strlen(evil_banner));

    if (fclose(output) != 0) {
        perror(argv[1]);
        return 1;
    }
    return 0;
}
