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

#include "capture-writer.h"

/* Handshake, one request, one answer, close. */
static void write_conversation(Connection *connection, const void *request, size_t request_length,
                               const void *answer, size_t answer_length)
{
    handshake(connection);
    if (request_length > 0)
        write_segment(connection, 1, TCP_PSH | TCP_ACK, request, request_length);
    if (answer_length > 0)
        write_segment(connection, 0, TCP_PSH | TCP_ACK, answer, answer_length);
    close_connection(connection);
}

int main(int argc, char **argv)
{
    capture_begin_from_arguments(argc, argv, "write-hostile-capture");

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
    size_t hello_length = capture_client_hello(hello, "\x1b]0;owned\x07\x1b[2Jevil.example");
    Connection tls = {{10, 0, 0, 3}, {10, 0, 0, 68}, 40003, 4444, 3000, 7000};
    write_conversation(&tls, hello, hello_length, NULL, 0);

    static const char plain_request[] = "GET /\\x1b[2J HTTP/1.1\r\nHost: +1-2\r\n\r\n";
    Connection mismatch = {{10, 0, 0, 4}, {10, 0, 0, 66}, 40004, 443, 4000, 8000};
    write_conversation(&mismatch, plain_request, strlen(plain_request), evil_banner,
                       strlen(evil_banner));

    return capture_finish(argv[1]);
}
