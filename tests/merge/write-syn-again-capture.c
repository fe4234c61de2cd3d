/* write-syn-again-capture: a pcap of SYNs sent again on open connections, by either side. */

/*
 * Usage: write-syn-again-capture OUTPUT.pcap
 *
 * 10.0.0.1:40000 opens a connection to 10.0.0.2:8080 with sequence number 1000 and, before any
 * answer, sends the same SYN again (a retransmission: the same connection). The server accepts,
 * the client sends an HTTP request, and then the client sends a SYN from the same port with
 * another number, 9000, which the server accepts (a new connection on a reused port).
 *
 * Then 10.0.0.1:40001 opens a connection to 10.0.0.2:8081 and sends a request, and the server
 * sends a bare SYN of its own on it (as a confused stack might, or one side of a simultaneous
 * open). A SYN from an endpoint that sent none before goes on with the connection, whatever the
 * client's SYN was numbered.
 *
 * Last, 10.0.0.1:40002 and 10.0.0.2:5000 are caught midstream, each sending a few bytes nothing
 * recognises, and then 10.0.0.1 sends a bare SYN: the connection goes on, and the SYN tells who
 * the client is, in a part of its own as in one run.
 *
 * Cut after every packet, each SYN begins a part of its own, and only the sequence number and
 * the endpoint that sent it tell a SYN that goes on from a new connection. One oddport run counts
 * four flows; so must a merge of the parts' reports.
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

    Connection answered = {{10, 0, 0, 1}, {10, 0, 0, 2}, 40001, 8081, 2000, 6000};
    handshake(&answered);
    write_segment(&answered, 1, TCP_PSH | TCP_ACK, request, strlen(request));
    answered.server_sequence = 6000; /* the server's SYN, numbered as its SYN-ACK was */
    write_segment(&answered, 0, TCP_SYN, NULL, 0);

    Connection midstream = {{10, 0, 0, 1}, {10, 0, 0, 2}, 40002, 5000, 3000, 8000};
    write_segment(&midstream, 1, TCP_PSH | TCP_ACK, "hello", 5);
    write_segment(&midstream, 0, TCP_PSH | TCP_ACK, "world", 5);
    write_segment(&midstream, 1, TCP_SYN, NULL, 0);

    return capture_finish(argv[1]);
}
