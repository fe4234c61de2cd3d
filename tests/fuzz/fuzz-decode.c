/* libFuzzer target: one captured frame, of a link type picked by the first 4 bytes, down to
 * TCP/UDP. */
#include <arpa/inet.h>
#include <sys/socket.h>

#include "fuzz-common.h"

#include "oddport/vocabulary.h"
#include "oddport/decode.h"

/* The first 4 bytes, big-endian, are the LINKTYPE_* value as a seed writes it; any other value
 * maps onto one of the types the decoder lists, so no input is wasted on the
 * unsupported-link-type exit and a newly decoded link type is fuzzed without a change here. */
static uint32_t pick_link_type(const uint8_t *data)
{
    size_t count;
    const uint32_t *decoded_link_types = oddport_decode_link_types(&count);
    uint32_t value = (uint32_t)data[0] << 24 | (uint32_t)data[1] << 16 | (uint32_t)data[2] << 8 |
                     (uint32_t)data[3];
    for (size_t index = 0; index < count; index++) {
        if (decoded_link_types[index] == value)
            return value;
    }
    return decoded_link_types[value % count];
}

/* oddport writes addresses by hand for speed; the C library's inet_ntop is the reference for the
 * canonical text form (RFC 5952 compression, IPv4-mapped addresses in dotted form). */
static void check_address(const OddportAddress *address)
{
    FUZZ_CHECK(address->family == 4 || address->family == 6);
    char text[ODDPORT_ADDRESS_TEXT_MAX];
    memset(text, 0xa5, sizeof text);
    oddport_address_to_text(address, text);
    FUZZ_CHECK_TERMINATED(text);
    char expected[INET6_ADDRSTRLEN];
    FUZZ_CHECK(inet_ntop(address->family == 4 ? AF_INET : AF_INET6, address->bytes, expected,
                         sizeof expected) != NULL);
    if (strcmp(text, expected) != 0) {
        fprintf(stderr, "address written as %s, inet_ntop says %s\n", text, expected);
        FUZZ_CHECK(strcmp(text, expected) == 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4)
        return -1;
    uint32_t link_type = pick_link_type(data);
    const uint8_t *frame = data + 4;
    size_t frame_length = size - 4;

    OddportPacket packet;
    memset(&packet, 0, sizeof packet);
    OddportDecodeStatus status = oddport_decode_frame(link_type, frame, frame_length, &packet);
    if (status != ODDPORT_DECODE_OK) {
        /* Every reason has a name: it becomes a key of "skipped_packets". */
        FUZZ_CHECK(oddport_skip_reason_name(status) != NULL);
        FUZZ_CHECK(status != ODDPORT_SKIP_UNSUPPORTED_LINK_TYPE);
        return 0;
    }
    FUZZ_CHECK(packet.transport == 6 || packet.transport == 17);
    check_address(&packet.source);
    check_address(&packet.destination);
    FUZZ_CHECK(packet.source.family == packet.destination.family);
    /* The payload is borrowed from the frame: it must lie inside what was captured, and never be
     * longer than what the headers state. */
    FUZZ_CHECK(packet.payload_captured <= packet.payload_length);
    if (packet.payload_captured > 0) {
        FUZZ_CHECK(packet.payload >= frame);
        FUZZ_CHECK((size_t)(packet.payload - frame) <= frame_length);
        FUZZ_CHECK(packet.payload_captured <= frame_length - (size_t)(packet.payload - frame));
        /* Touch the first and last byte so that AddressSanitizer checks the range too. */
        volatile uint8_t edge = packet.payload[0];
        edge = packet.payload[packet.payload_captured - 1];
        (void)edge;
    }
    return 0;
}
