/* write-large-records-capture: four HTTP connections whose bodies come in 60,000-byte segments. */

/*
 * Usage: write-large-records-capture OUTPUT.pcap
 *
 * Four connections on Ethernet/IPv4 to ports 8000 to 8003, each a handshake, a request and 200
 * segments of 60,000 bytes from the server, taking turns: 48 MB in all, more than the 32 MiB of
 * the reader's windows that -j's workers may borrow payloads from at once, so that a run goes on
 * with their payloads copied. The jobs test compares such a run with -j 1's.
 */

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "capture-writer.h"

enum { CONNECTIONS = 4, SEGMENTS_EACH = 200, SEGMENT_BYTES = 60000 };

int main(int argc, char **argv)
{
    capture_begin_from_arguments(argc, argv, "write-large-records-capture");
    Connection connections[CONNECTIONS];
    for (unsigned index = 0; index < CONNECTIONS; index++) {
        connections[index] = (Connection){
            .client_ip = {10, 0, 0, 1},
            .server_ip = {10, 0, 1, (uint8_t)index},
            .client_port = (uint16_t)(40000 + index),
            .server_port = (uint16_t)(8000 + index),
            .client_sequence = 1000,
            .server_sequence = 9000,
        };
        handshake(&connections[index]);
        char request[64];
        int length =
            snprintf(request, sizeof request, "GET /%u HTTP/1.1\r\nHost: example\r\n\r\n", index);
        write_segment(&connections[index], 1, TCP_PSH | TCP_ACK, request, (size_t)length);
    }
    static uint8_t body[SEGMENT_BYTES];
    for (unsigned segment = 0; segment < SEGMENTS_EACH; segment++)
        for (unsigned index = 0; index < CONNECTIONS; index++) {
            memset(body, (int)(segment * CONNECTIONS + index) % 251, sizeof body);
            write_segment(&connections[index], 0, TCP_ACK, body, sizeof body);
        }
    return capture_finish(argv[1]);
}
