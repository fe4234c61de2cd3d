/* write-syn-again-capture: a 7-packet pcap where a client sends its SYN twice, then anew. */

/*
 * Usage: write-syn-again-capture OUTPUT.pcap
 *
 * 10.0.0.1:40000 opens a connection to 10.0.0.2:8080 with sequence number 1000 and, before any
 * answer, sends the same SYN again (a retransmission: the same connection). The server accepts,
 * the client sends an HTTP request, and then the client sends a SYN from the same port with
 * another number, 9000, which the server accepts (a new connection on a reused port).
 *
 * Cut after every packet, each SYN begins a part of its own, and only the sequence number tells
 * a retransmitted SYN from a new connection. One oddport run counts two flows; so must a merge
 * of the parts' reports.
 */

#include <stdio.h>
#include <string.h>

#include "capture-writer.h"

int main(int argc, char **argv)
{
    capture_begin_from_arguments(argc, argv, "write-syn-again-capture");

    Connection connection = {{10, 0, 0, 1}, {10, 0, 0, 2}, 40000, 8080, 1000, 5000};
    write_segment(&connection, 1, TCP_SYN, NULL, 0);
    connection.client_sequence = 1000; /* the same SYN once more */
    write_segment(&connection, 1, TCP_SYN, NULL, 0);
    write_segment(&connection, 0, TCP_SYN | TCP_ACK, NULL, 0);
    write_segment(&connection, 1, TCP_ACK, NULL, 0);
    static const char request[] = "GET / HTTP/1.1\r\nHost: example\r\n\r\n";
    write_segment(&connection, 1, TCP_PSH | TCP_ACK, request, strlen(request));

    connection.client_sequence = 9000;
    connection.server_sequence = 7000;
    write_segment(&connection, 1, TCP_SYN, NULL, 0);
    write_segment(&connection, 0, TCP_SYN | TCP_ACK, NULL, 0);

    return capture_finish(argv[1]);
}
