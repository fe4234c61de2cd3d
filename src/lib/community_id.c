/* Community ID v1: the flow hash other tools print, so a flow can be looked up across them. */
#include <stdbool.h>
#include <string.h>

#include "internal/digest.h"
#include "oddport/community_id.h"

/* The specification orders the endpoints so that both directions of a flow hash alike: the
 * smaller address first, and with equal addresses the smaller port first. */
static bool endpoint_a_first(const OddportAddress *address_a, uint16_t port_a,
                             const OddportAddress *address_b, uint16_t port_b, size_t length)
{
    int order = memcmp(address_a->bytes, address_b->bytes, length);
    return order < 0 || (order == 0 && port_a <= port_b);
}

void oddport_community_id(uint16_t seed, uint8_t protocol, const OddportAddress *address_a,
                          uint16_t port_a, const OddportAddress *address_b, uint16_t port_b,
                          char text[ODDPORT_COMMUNITY_ID_TEXT_MAX])
{
    size_t length = address_a->family == 6 ? 16 : 4;
    if (!endpoint_a_first(address_a, port_a, address_b, port_b, length)) {
        const OddportAddress *address = address_a;
        address_a = address_b;
        address_b = address;
        uint16_t port = port_a;
        port_a = port_b;
        port_b = port;
    }
    /* Everything in network byte order, one contiguous buffer: seed (2), the addresses, the
     * protocol, one zero pad byte, the ports (2 each). */
    uint8_t input[2 + 16 + 16 + 2 + 4];
    size_t used = 0;
    input[used++] = (uint8_t)(seed >> 8);
    input[used++] = (uint8_t)seed;
    memcpy(input + used, address_a->bytes, length);
    used += length;
    memcpy(input + used, address_b->bytes, length);
    used += length;
    input[used++] = protocol;
    input[used++] = 0;
    input[used++] = (uint8_t)(port_a >> 8);
    input[used++] = (uint8_t)port_a;
    input[used++] = (uint8_t)(port_b >> 8);
    input[used++] = (uint8_t)port_b;

    OddportSha1 sha1;
    oddport_sha1_init(&sha1);
    oddport_sha1_update(&sha1, input, used);
    uint8_t digest[ODDPORT_SHA1_SIZE];
    size_t digest_length = sizeof digest;
    oddport_sha1_finish(&sha1, digest);

    /* Base64 by hand: a 20-byte digest is six whole groups of three bytes and two left over,
     * and GLib's incremental encoder cost a fifth as much as the hash. */
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char *out = text;
    *out++ = '1';
    *out++ = ':';
    size_t index = 0;
    for (; index + 3 <= digest_length; index += 3) {
        uint32_t group =
            (uint32_t)digest[index] << 16 | (uint32_t)digest[index + 1] << 8 | digest[index + 2];
        *out++ = alphabet[group >> 18];
        *out++ = alphabet[(group >> 12) & 63];
        *out++ = alphabet[(group >> 6) & 63];
        *out++ = alphabet[group & 63];
    }
    if (digest_length - index == 2) {
        uint32_t group = (uint32_t)digest[index] << 16 | (uint32_t)digest[index + 1] << 8;
        *out++ = alphabet[group >> 18];
        *out++ = alphabet[(group >> 12) & 63];
        *out++ = alphabet[(group >> 6) & 63];
        *out++ = '=';
    }
    *out = '\0';
}

void oddport_flow_community_id(const OddportFlowReport *flow,
                               char text[ODDPORT_COMMUNITY_ID_TEXT_MAX])
{
    oddport_community_id(0, (uint8_t)flow->transport, &flow->client.address, flow->client.port,
                         &flow->server.address, flow->server.port, text);
}
