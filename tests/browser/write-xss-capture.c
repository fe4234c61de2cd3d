/* write-xss-capture: a small pcap whose banners, SNI and Host headers try to script a web page. */

/*
 * Usage: write-xss-capture OUTPUT.pcap
 *
 * TCP connections on Ethernet/IPv4, each a handshake, one request, one answer and a close, whose
 * wire text is markup an HTML report must show as text and never run or load:
 *
 *   10.0.0.1 -> 10.0.0.66:443   SSH whose server banner carries <script> and an <img onerror>
 *                               breaking out of an attribute ("><img ...)
 *   10.0.0.2 -> 10.0.0.67:8081  HTTP whose Host breaks out of an attribute into <img onerror>,
 *                               whose path holds <script>, and whose User-Agent is a
 *                               javascript: URL; the answer's Server header loads an image
 *   10.0.0.3 -> 10.0.0.68:4444  a TLS ClientHello whose SNI is a javascript: URL and an <svg
 *                               onload>
 *   10.0.0.4 -> 10.0.0.69:2525  an unrecognised server that greets first with <script> and an
 *                               <img> from another host (an "other server")
 *
 * Every script here would call alert() or load from 192.0.2.1 (TEST-NET-1), which the browser
 * test watches for. The bytes are fixed, so the report of this capture never changes by accident.
 */

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "capture-writer.h"

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
    capture_begin_from_arguments(argc, argv, "write-xss-capture");

    static const char ssh_banner[] =
        "SSH-2.0-OpenSSH_9.2 <script>alert('banner')</script>\"><img src=x "
        "onerror=alert('banner-img')>\r\n";
    static const char ssh_client[] = "SSH-2.0-OpenSSH_9.6 '><script>alert(1)</script>\r\n";
    Connection ssh = {{10, 0, 0, 1}, {10, 0, 0, 66}, 40001, 443, 1000, 5000};
    write_conversation(&ssh, ssh_client, strlen(ssh_client), ssh_banner, strlen(ssh_banner));

    static const char http_request[] =
        "GET /<script>alert('path')</script> HTTP/1.1\r\n"
        "Host: \"><img src=http://192.0.2.1/host.png onerror=alert('host')>\r\n"
        "User-Agent: javascript:alert('user-agent')\r\n"
        "\r\n";
    static const char http_answer[] = "HTTP/1.1 200 OK\r\n"
                                      "Server: <img src=\"http://192.0.2.1/server.png\">\r\n"
                                      "Content-Length: 0\r\n\r\n";
    Connection http = {{10, 0, 0, 2}, {10, 0, 0, 67}, 40002, 8081, 2000, 6000};
    write_conversation(&http, http_request, strlen(http_request), http_answer, strlen(http_answer));

    uint8_t hello[512];
    size_t hello_length =
        capture_client_hello(hello, "javascript:alert('sni')//\"><svg onload=alert('sni-svg')>");
    Connection tls = {{10, 0, 0, 3}, {10, 0, 0, 68}, 40003, 4444, 3000, 7000};
    write_conversation(&tls, hello, hello_length, NULL, 0);

    static const char greeting[] =
        "220 <script>alert('greeting')</script><img src=http://192.0.2.1/greeting.png>\r\n";
    static const char reply[] = "HELO <iframe src=javascript:alert('reply')>\r\n";
    Connection other = {{10, 0, 0, 4}, {10, 0, 0, 69}, 40004, 2525, 4000, 8000};
    handshake(&other);
    write_segment(&other, 0, TCP_PSH | TCP_ACK, greeting, strlen(greeting));
    write_segment(&other, 1, TCP_PSH | TCP_ACK, reply, strlen(reply));
    close_connection(&other);

    return capture_finish(argv[1]);
}
