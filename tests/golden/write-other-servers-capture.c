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

#include "capture-writer.h"

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
    capture_begin_from_arguments(argc, argv, "write-other-servers-capture");

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

    return capture_finish(argv[1]);
}
