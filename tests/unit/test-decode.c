/* Unit tests for frame decoding: link layers, VLANs, IPv4/IPv6 checks, fragments, tunnels. */
#include <arpa/inet.h>
#include <string.h>

#include <glib.h>

#include "oddport/vocabulary.h"
#include "oddport/decode.h"

/* A frame under construction; tests append headers in wire order. */
typedef struct {
    uint8_t bytes[512];
    size_t length;
} Frame;

static void put(Frame *frame, const void *data, size_t length)
{
    g_assert_cmpuint(frame->length + length, <=, sizeof frame->bytes);
    /* GLib's assertion messages do not return in practice but are not declared so: an
     * optimising compiler sees the copy go on past the buffer unless told here. */
    if (length > sizeof frame->bytes - frame->length)
        return;
    memcpy(frame->bytes + frame->length, data, length);
    frame->length += length;
}

static void put_u8(Frame *frame, uint8_t value)
{
    put(frame, &value, 1);
}

static void put_be16(Frame *frame, uint16_t value)
{
    uint8_t bytes[2] = {(uint8_t)(value >> 8), (uint8_t)value};
    put(frame, bytes, 2);
}

static void put_be32(Frame *frame, uint32_t value)
{
    put_be16(frame, (uint16_t)(value >> 16));
    put_be16(frame, (uint16_t)value);
}

static void put_ethernet(Frame *frame, uint16_t ethertype)
{
    static const uint8_t addresses[12] = {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2};
    put(frame, addresses, sizeof addresses);
    put_be16(frame, ethertype);
}

/* An IPv4 header stating `payload_length` bytes after it. */
static void put_ipv4(Frame *frame, uint8_t protocol, size_t payload_length, uint16_t flags_offset,
                     uint8_t last_source_byte)
{
    put_u8(frame, 0x45);
    put_u8(frame, 0);
    put_be16(frame, (uint16_t)(20 + payload_length));
    put_be16(frame, 1);
    put_be16(frame, flags_offset);
    put_u8(frame, 64);
    put_u8(frame, protocol);
    put_be16(frame, 0);
    const uint8_t source[4] = {10, 0, 0, last_source_byte};
    const uint8_t destination[4] = {10, 0, 0, 2};
    put(frame, source, 4);
    put(frame, destination, 4);
}

static void put_ipv6(Frame *frame, uint8_t next_header, size_t payload_length)
{
    put_be32(frame, 0x60000000);
    put_be16(frame, (uint16_t)payload_length);
    put_u8(frame, next_header);
    put_u8(frame, 64);
    uint8_t source[16] = {0x20, 0x01, 0x0d, 0xb8};
    uint8_t destination[16] = {0x20, 0x01, 0x0d, 0xb8};
    source[15] = 1;
    destination[15] = 2;
    put(frame, source, 16);
    put(frame, destination, 16);
}

static void put_tcp(Frame *frame, uint16_t source_port, uint16_t destination_port, uint8_t flags,
                    const char *payload)
{
    put_be16(frame, source_port);
    put_be16(frame, destination_port);
    put_be32(frame, 1000);
    put_be32(frame, 0);
    put_u8(frame, 0x50);
    put_u8(frame, flags);
    put_be16(frame, 65535);
    put_be32(frame, 0);
    put(frame, payload, strlen(payload));
}

static const char request[] = "GET / HTTP/1.1\r\n\r\n";
#define TCP_WITH_REQUEST (20 + sizeof request - 1)

static void put_le16(Frame *frame, uint16_t value)
{
    uint8_t bytes[2] = {(uint8_t)value, (uint8_t)(value >> 8)};
    put(frame, bytes, 2);
}

static void put_le32(Frame *frame, uint32_t value)
{
    put_le16(frame, (uint16_t)value);
    put_le16(frame, (uint16_t)(value >> 16));
}

static void put_udp(Frame *frame, uint16_t source_port, uint16_t destination_port,
                    size_t payload_length)
{
    put_be16(frame, source_port);
    put_be16(frame, destination_port);
    put_be16(frame, (uint16_t)(8 + payload_length));
    put_be16(frame, 0);
}

/* An IPv4 datagram with a TCP segment from port 40000 to `destination_port` holding `request`. */
static Frame ipv4_request(uint16_t destination_port, uint8_t last_source_byte)
{
    Frame ip = {0};
    put_ipv4(&ip, 6, TCP_WITH_REQUEST, 0, last_source_byte);
    put_tcp(&ip, 40000, destination_port, 0x18, request);
    return ip;
}

static Frame ipv6_request(uint16_t destination_port)
{
    Frame ip = {0};
    put_ipv6(&ip, 6, TCP_WITH_REQUEST);
    put_tcp(&ip, 40000, destination_port, 0x18, request);
    return ip;
}

/* Decodes and expects the request segment `ip_request` put in, whole. */
static void assert_request(uint32_t link_type, const Frame *frame, uint16_t destination_port,
                           uint8_t family)
{
    OddportPacket packet;
    g_assert_cmpint(oddport_decode_frame(link_type, frame->bytes, frame->length, &packet), ==,
                    ODDPORT_DECODE_OK);
    g_assert_cmpuint(packet.transport, ==, 6);
    g_assert_cmpuint(packet.source.family, ==, family);
    g_assert_cmpuint(packet.source_port, ==, 40000);
    g_assert_cmpuint(packet.destination_port, ==, destination_port);
    g_assert_cmpuint(packet.payload_captured, ==, sizeof request - 1);
    g_assert_cmpuint(packet.payload_length, ==, sizeof request - 1);
    g_assert_true(memcmp(packet.payload, request, sizeof request - 1) == 0);
}

static OddportDecodeStatus decode(uint32_t link_type, const Frame *frame, OddportPacket *packet)
{
    return oddport_decode_frame(link_type, frame->bytes, frame->length, packet);
}

enum { TO_DS = 0x01, FROM_DS = 0x02, PROTECTED = 0x40, ORDER = 0x80 };

/* An 802.11 data frame header of `subtype` (8 = QoS data), padded to `pad_to` bytes if nonzero. */
static void put_ieee802_11(Frame *frame, uint8_t type, uint8_t subtype, uint8_t flags,
                           bool aggregate, size_t pad_to)
{
    static const uint8_t addresses[18] = {2, 0, 0, 0, 0, 0xaa, 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2};
    put_u8(frame, (uint8_t)(type << 2 | subtype << 4));
    put_u8(frame, flags);
    put_le16(frame, 44);
    put(frame, addresses, sizeof addresses);
    put_le16(frame, 0x10);
    size_t header_length = 24;
    if ((flags & (TO_DS | FROM_DS)) == (TO_DS | FROM_DS)) {
        put(frame, addresses, 6);
        header_length += 6;
    }
    if (subtype & 0x8) {
        put_u8(frame, aggregate ? 0x80 : 0x00);
        put_u8(frame, 0);
        header_length += 2;
        if (flags & ORDER) {
            put_be32(frame, 0x12345678);
            header_length += 4;
        }
    }
    while (pad_to != 0 && header_length % pad_to != 0) {
        put_u8(frame, 0);
        header_length++;
    }
}

static void put_snap(Frame *frame, uint8_t last_oui_byte, uint16_t ethertype)
{
    put(frame, "\xaa\xaa\x03\x00\x00", 5);
    put_u8(frame, last_oui_byte);
    put_be16(frame, ethertype);
}

/* Radiotap announcing Flags and Rate, optionally TSFT before them (aligned to 8) and a second
 * present word. */
static void put_radiotap(Frame *frame, bool with_tsft, bool second_word, uint8_t flags)
{
    Frame header = {0};
    put_u8(&header, 0);
    put_u8(&header, 0);
    put_le16(&header, 0);
    put_le32(&header, (with_tsft ? 0x1u : 0u) | 0x2u | 0x4u | (second_word ? 0x80000000u : 0u));
    if (second_word)
        put_le32(&header, 0x00000000);
    if (with_tsft) {
        while (header.length % 8 != 0)
            put_u8(&header, 0);
        put(&header, "\1\2\3\4\5\6\7\10", 8);
    }
    put_u8(&header, flags);
    put_u8(&header, 12);
    header.bytes[2] = (uint8_t)header.length;
    put(frame, header.bytes, header.length);
}

static void test_ethernet_ipv4_tcp(void)
{
    Frame frame = {0};
    put_ethernet(&frame, 0x0800);
    put_ipv4(&frame, 6, TCP_WITH_REQUEST, 0, 1);
    put_tcp(&frame, 40000, 8080, 0x18, request);
    /* Ethernet padding after the datagram must not become payload. */
    put(&frame, "\0\0\0\0", 4);
    OddportPacket packet;
    g_assert_cmpint(oddport_decode_frame(1, frame.bytes, frame.length, &packet), ==,
                    ODDPORT_DECODE_OK);
    g_assert_cmpuint(packet.transport, ==, 6);
    g_assert_cmpuint(packet.source_port, ==, 40000);
    g_assert_cmpuint(packet.destination_port, ==, 8080);
    g_assert_cmpuint(packet.payload_captured, ==, sizeof request - 1);
    g_assert_true(memcmp(packet.payload, request, sizeof request - 1) == 0);
    char text[ODDPORT_ADDRESS_TEXT_MAX];
    oddport_address_to_text(&packet.source, text);
    g_assert_cmpstr(text, ==, "10.0.0.1");
}

static void test_snapshot_cut_keeps_lengths_apart(void)
{
    Frame frame = {0};
    put_ethernet(&frame, 0x0800);
    put_ipv4(&frame, 6, TCP_WITH_REQUEST, 0, 1);
    put_tcp(&frame, 40000, 80, 0x18, request);
    OddportPacket packet;
    g_assert_cmpint(oddport_decode_frame(1, frame.bytes, frame.length - 10, &packet), ==,
                    ODDPORT_DECODE_OK);
    g_assert_cmpuint(packet.payload_captured, ==, sizeof request - 1 - 10);
    g_assert_cmpuint(packet.payload_length, ==, sizeof request - 1);
}

/* Decodes a TCP request behind VLAN tags with these tag control fields, outermost first (the
 * 802.1ad ethertype outside when there are two, 802.1Q's inside). */
static void decode_behind_tags(const uint16_t *tag_controls, size_t count, OddportPacket *packet)
{
    Frame frame = {0};
    put_ethernet(&frame, count > 1 ? 0x88a8 : 0x8100);
    for (size_t index = 0; index < count; index++) {
        put_be16(&frame, tag_controls[index]);
        put_be16(&frame, index + 1 < count ? 0x8100 : 0x0800);
    }
    put_ipv4(&frame, 6, TCP_WITH_REQUEST, 0, 1);
    put_tcp(&frame, 1, 2, 0x18, request);
    g_assert_cmpint(oddport_decode_frame(1, frame.bytes, frame.length, packet), ==,
                    ODDPORT_DECODE_OK);
}

static void test_stacked_vlans(void)
{
    const uint16_t tags[] = {100, 200};
    OddportPacket packet;
    decode_behind_tags(tags, G_N_ELEMENTS(tags), &packet);
    g_assert_true(packet.has_vlan);
    g_assert_cmpuint(packet.vlan_id, ==, 100);
}

/* A priority tag (802.1p, VLAN id 0) is no VLAN: the flow is the untagged direction's, and a
 * real VLAN inside it is the one that counts. */
static void test_priority_tags(void)
{
    const uint16_t priority_only[] = {0xa000}; /* priority 5, VLAN id 0 */
    OddportPacket packet;
    decode_behind_tags(priority_only, G_N_ELEMENTS(priority_only), &packet);
    g_assert_false(packet.has_vlan);
    g_assert_cmpuint(packet.vlan_id, ==, 0);

    const uint16_t around_a_vlan[] = {0x2000, 300}; /* priority 1 and VLAN id 0, then VLAN 300 */
    decode_behind_tags(around_a_vlan, G_N_ELEMENTS(around_a_vlan), &packet);
    g_assert_true(packet.has_vlan);
    g_assert_cmpuint(packet.vlan_id, ==, 300);
}

static void test_ipv6_extension_headers(void)
{
    Frame frame = {0};
    put_ethernet(&frame, 0x86dd);
    put_ipv6(&frame, 0, 8 + TCP_WITH_REQUEST);
    /* Hop-by-hop options: next header TCP, length 0 (8 bytes). */
    const uint8_t hop_by_hop[8] = {6, 0, 1, 4, 0, 0, 0, 0};
    put(&frame, hop_by_hop, sizeof hop_by_hop);
    put_tcp(&frame, 50000, 443, 0x18, request);
    OddportPacket packet;
    g_assert_cmpint(oddport_decode_frame(1, frame.bytes, frame.length, &packet), ==,
                    ODDPORT_DECODE_OK);
    g_assert_cmpuint(packet.destination_port, ==, 443);
    char text[ODDPORT_ADDRESS_TEXT_MAX];
    oddport_address_to_text(&packet.destination, text);
    g_assert_cmpstr(text, ==, "2001:db8::2");
}

/* An IPv4 address fills the first four of its sixteen bytes and zeroes the rest, even where an
 * outer IPv6 header wrote all sixteen before it: flow keys compare all sixteen. */
static void test_ipv4_inside_ipv6_zeroes_the_rest(void)
{
    Frame frame = {0};
    put_ethernet(&frame, 0x86dd);
    put_ipv6(&frame, 4, 20 + TCP_WITH_REQUEST);
    put_ipv4(&frame, 6, TCP_WITH_REQUEST, 0, 3);
    put_tcp(&frame, 40000, 8080, 0x18, request);
    OddportPacket packet;
    memset(&packet, 0xa5, sizeof packet);
    g_assert_cmpint(oddport_decode_frame(1, frame.bytes, frame.length, &packet), ==,
                    ODDPORT_DECODE_OK);
    g_assert_cmpuint(packet.tunnel_depth, ==, 1);
    const OddportAddress *addresses[] = {&packet.source, &packet.destination};
    const uint8_t expected[2][4] = {{10, 0, 0, 3}, {10, 0, 0, 2}};
    for (unsigned side = 0; side < 2; side++) {
        g_assert_cmpuint(addresses[side]->family, ==, 4);
        g_assert_cmpmem(addresses[side]->bytes, 4, expected[side], 4);
        static const uint8_t zeros[12] = {0};
        g_assert_cmpmem(addresses[side]->bytes + 4, 12, zeros, 12);
    }
}

static void test_fragments(void)
{
    Frame first = {0};
    put_ethernet(&first, 0x0800);
    put_ipv4(&first, 6, TCP_WITH_REQUEST, 0x2000, 1);
    put_tcp(&first, 1234, 22, 0x18, request);
    OddportPacket packet;
    g_assert_cmpint(oddport_decode_frame(1, first.bytes, first.length, &packet), ==,
                    ODDPORT_DECODE_OK);
    g_assert_true(packet.is_first_fragment);

    Frame later = {0};
    put_ethernet(&later, 0x0800);
    put_ipv4(&later, 6, 8, 0x0010, 1);
    put(&later, "abcdefgh", 8);
    g_assert_cmpint(oddport_decode_frame(1, later.bytes, later.length, &packet), ==,
                    ODDPORT_SKIP_FRAGMENT);
}

/* A datagram larger than the path's MTU leaves in fragments, the first with the UDP header whose
 * length counts them all (a DNS answer of 1,700 bytes, say): its flow is the datagram's. */
static void test_udp_first_fragments(void)
{
    static const char start[] = "first bytes of a long datagram";
    size_t in_fragment = sizeof start - 1;
    size_t whole_payload = 1700;

    Frame ipv4 = {0};
    put_ethernet(&ipv4, 0x0800);
    put_ipv4(&ipv4, 17, 8 + in_fragment, 0x2000, 1);
    put_udp(&ipv4, 53, 40000, whole_payload);
    put(&ipv4, start, in_fragment);
    OddportPacket packet;
    g_assert_cmpint(oddport_decode_frame(1, ipv4.bytes, ipv4.length, &packet), ==,
                    ODDPORT_DECODE_OK);
    g_assert_true(packet.is_first_fragment);
    g_assert_cmpuint(packet.source_port, ==, 53);
    g_assert_cmpuint(packet.destination_port, ==, 40000);
    g_assert_cmpuint(packet.payload_length, ==, in_fragment);
    g_assert_cmpuint(packet.payload_captured, ==, in_fragment);
    g_assert_true(memcmp(packet.payload, start, in_fragment) == 0);

    Frame ipv6 = {0};
    put_ethernet(&ipv6, 0x86dd);
    put_ipv6(&ipv6, 44, 8 + 8 + in_fragment);
    const uint8_t fragment_header[8] = {17, 0, 0, 1, 0, 0, 0, 9}; /* offset 0, more follow */
    put(&ipv6, fragment_header, sizeof fragment_header);
    put_udp(&ipv6, 53, 40000, whole_payload);
    put(&ipv6, start, in_fragment);
    g_assert_cmpint(oddport_decode_frame(1, ipv6.bytes, ipv6.length, &packet), ==,
                    ODDPORT_DECODE_OK);
    g_assert_cmpuint(packet.destination_port, ==, 40000);
    g_assert_cmpuint(packet.payload_captured, ==, in_fragment);
    g_assert_true(memcmp(packet.payload, start, in_fragment) == 0);

    /* Whole, the same datagram's length beyond its packet is still damage. */
    Frame whole = {0};
    put_ethernet(&whole, 0x0800);
    put_ipv4(&whole, 17, 8 + in_fragment, 0, 1);
    put_udp(&whole, 53, 40000, whole_payload);
    put(&whole, start, in_fragment);
    g_assert_cmpint(oddport_decode_frame(1, whole.bytes, whole.length, &packet), ==,
                    ODDPORT_SKIP_MALFORMED_TRANSPORT);
}

static void test_bad_ipv4_lengths(void)
{
    Frame frame = {0};
    put_ethernet(&frame, 0x0800);
    put_ipv4(&frame, 6, TCP_WITH_REQUEST, 0, 1);
    put_tcp(&frame, 1, 2, 0x18, request);
    OddportPacket packet;
    frame.bytes[14] = 0x43; /* header length 12 bytes: impossible */
    g_assert_cmpint(oddport_decode_frame(1, frame.bytes, frame.length, &packet), ==,
                    ODDPORT_SKIP_MALFORMED_IP);
    frame.bytes[14] = 0x45;
    frame.bytes[16] = 0;
    frame.bytes[17] = 10; /* total length shorter than the header */
    g_assert_cmpint(oddport_decode_frame(1, frame.bytes, frame.length, &packet), ==,
                    ODDPORT_SKIP_MALFORMED_IP);
    g_assert_cmpint(oddport_decode_frame(1, frame.bytes, 20, &packet), ==, ODDPORT_SKIP_TRUNCATED);
}

static void test_bad_tcp_offset(void)
{
    Frame frame = {0};
    put_ethernet(&frame, 0x0800);
    put_ipv4(&frame, 6, TCP_WITH_REQUEST, 0, 1);
    put_tcp(&frame, 1, 2, 0x18, request);
    frame.bytes[14 + 20 + 12] = 0x20; /* data offset 8 bytes */
    OddportPacket packet;
    g_assert_cmpint(oddport_decode_frame(1, frame.bytes, frame.length, &packet), ==,
                    ODDPORT_SKIP_MALFORMED_TRANSPORT);
}

static void test_gre_and_ip_in_ip(void)
{
    Frame frame = {0};
    put_ethernet(&frame, 0x0800);
    put_ipv4(&frame, 47, 4 + 40 + TCP_WITH_REQUEST, 0, 1);
    put_be16(&frame, 0);
    put_be16(&frame, 0x0800);
    put_ipv4(&frame, 4, 20 + TCP_WITH_REQUEST, 0, 7);
    put_ipv4(&frame, 6, TCP_WITH_REQUEST, 0, 9);
    put_tcp(&frame, 5555, 2222, 0x18, request);
    OddportPacket packet;
    g_assert_cmpint(oddport_decode_frame(1, frame.bytes, frame.length, &packet), ==,
                    ODDPORT_DECODE_OK);
    g_assert_cmpuint(packet.tunnel_depth, ==, 2);
    g_assert_cmpuint(packet.source.bytes[3], ==, 9);
    g_assert_cmpuint(packet.destination_port, ==, 2222);
}

static void test_other_link_types(void)
{
    Frame ip = {0};
    put_ipv4(&ip, 6, TCP_WITH_REQUEST, 0, 1);
    put_tcp(&ip, 1, 80, 0x18, request);
    OddportPacket packet;
    for (uint32_t link_type = 0; link_type < 300; link_type++) {
        Frame frame = {0};
        switch (link_type) {
        case 101:
        case 228:
            break;
        case 0:
            put(&frame, "\x02\x00\x00\x00", 4);
            break;
        case 108:
            put(&frame, "\x00\x00\x00\x02", 4);
            break;
        case 113:
            put(&frame, "\0\0\0\1\0\6\2\0\0\0\0\1\0\0", 14);
            put_be16(&frame, 0x0800);
            break;
        case 276:
            put_be16(&frame, 0x0800);
            put(&frame, "\0\0\0\0\0\0\0\1\0\1\0\6\2\0\0\0\0\1", 18);
            break;
        case 9:
            put(&frame, "\xff\x03\x00\x21", 4);
            break;
        case 104:
            put(&frame, "\x0f\x00\x08\x00", 4);
            break;
        case 239:
            put(&frame, "\x02\x00\x00\x00", 4);
            put_le16(&frame, (uint16_t)(4 + ip.length));
            put_le16(&frame, 9);
            break;
        case 127:
            put_radiotap(&frame, false, false, 0);
            /* fall through */
        case 105:
            put_ieee802_11(&frame, 2, 0, 0x01, false, 0);
            put_snap(&frame, 0, 0x0800);
            break;
        default:
            continue;
        }
        put(&frame, ip.bytes, ip.length);
        g_assert_cmpint(oddport_decode_frame(link_type, frame.bytes, frame.length, &packet), ==,
                        ODDPORT_DECODE_OK);
        g_assert_cmpuint(packet.destination_port, ==, 80);
    }
    g_assert_cmpint(oddport_decode_frame(160, ip.bytes, ip.length, &packet), ==,
                    ODDPORT_SKIP_UNSUPPORTED_LINK_TYPE);
}

static void test_pppoe_and_mpls(void)
{
    Frame ip = {0};
    put_ipv4(&ip, 17, 8 + 4, 0, 1);
    put_be16(&ip, 5353);
    put_be16(&ip, 53);
    put_be16(&ip, 12);
    put_be16(&ip, 0);
    put(&ip, "abcd", 4);

    Frame pppoe = {0};
    put_ethernet(&pppoe, 0x8864);
    put_u8(&pppoe, 0x11);
    put_u8(&pppoe, 0);
    put_be16(&pppoe, 7);
    put_be16(&pppoe, (uint16_t)(ip.length + 2));
    put_be16(&pppoe, 0x0021);
    put(&pppoe, ip.bytes, ip.length);
    OddportPacket packet;
    g_assert_cmpint(oddport_decode_frame(1, pppoe.bytes, pppoe.length, &packet), ==,
                    ODDPORT_DECODE_OK);
    g_assert_cmpuint(packet.transport, ==, 17);
    g_assert_cmpuint(packet.payload_captured, ==, 4);

    Frame mpls = {0};
    put_ethernet(&mpls, 0x8847);
    put_be32(&mpls, 0x00010000);
    put_be32(&mpls, 0x00020100); /* bottom of stack */
    put(&mpls, ip.bytes, ip.length);
    g_assert_cmpint(oddport_decode_frame(1, mpls.bytes, mpls.length, &packet), ==,
                    ODDPORT_DECODE_OK);
    g_assert_cmpuint(packet.destination_port, ==, 53);
}

static void test_gtp_user_tunnel(void)
{
    Frame inner = {0};
    put_ipv4(&inner, 6, TCP_WITH_REQUEST, 0, 42);
    put_tcp(&inner, 40000, 443, 0x18, request);

    Frame frame = {0};
    put_ethernet(&frame, 0x0800);
    put_ipv4(&frame, 17, 8 + 12 + inner.length, 0, 1);
    put_be16(&frame, 2152);
    put_be16(&frame, 2152);
    put_be16(&frame, (uint16_t)(8 + 12 + inner.length));
    put_be16(&frame, 0);
    put_u8(&frame, 0x32); /* version 1, GTP, sequence number present */
    put_u8(&frame, 0xff); /* G-PDU */
    put_be16(&frame, (uint16_t)(4 + inner.length));
    put_be32(&frame, 0x07ece496);
    put_be16(&frame, 1);
    put_u8(&frame, 0);
    put_u8(&frame, 0);
    put(&frame, inner.bytes, inner.length);
    OddportPacket packet;
    g_assert_cmpint(oddport_decode_frame(1, frame.bytes, frame.length, &packet), ==,
                    ODDPORT_DECODE_OK);
    g_assert_cmpuint(packet.tunnel_depth, ==, 1);
    g_assert_cmpuint(packet.transport, ==, 6);
    g_assert_cmpuint(packet.destination_port, ==, 443);
    g_assert_cmpuint(packet.source.bytes[3], ==, 42);

    /* A G-PDU whose content is no IP packet stays an ordinary UDP flow. */
    Frame garbage = frame;
    garbage.bytes[14 + 20 + 8 + 12] = 0x55;
    g_assert_cmpint(oddport_decode_frame(1, garbage.bytes, garbage.length, &packet), ==,
                    ODDPORT_DECODE_OK);
    g_assert_cmpuint(packet.tunnel_depth, ==, 0);
    g_assert_cmpuint(packet.destination_port, ==, 2152);

    /* A GTP control message on the same port stays an ordinary UDP flow. */
    frame.bytes[14 + 20 + 8 + 1] = 0x01;
    g_assert_cmpint(oddport_decode_frame(1, frame.bytes, frame.length, &packet), ==,
                    ODDPORT_DECODE_OK);
    g_assert_cmpuint(packet.transport, ==, 17);
    g_assert_cmpuint(packet.destination_port, ==, 2152);
}

static void put_pppoe_header(Frame *frame, size_t session_length)
{
    put_ethernet(frame, 0x8864);
    put_u8(frame, 0x11);
    put_u8(frame, 0);
    put_be16(frame, 0x2a);
    put_be16(frame, (uint16_t)session_length);
}

static void put_mpls_labels(Frame *frame)
{
    put_be32(frame, 0x003e8040);
    put_be32(frame, 0x007d0140); /* bottom of stack */
}

static void test_pppoe_protocols(void)
{
    Frame v4 = ipv4_request(8080, 1);
    Frame v6 = ipv6_request(2222);
    OddportPacket packet;

    /* IPv6, with Ethernet padding after the session payload. */
    Frame frame = {0};
    put_pppoe_header(&frame, 2 + v6.length);
    put_be16(&frame, 0x0057);
    put(&frame, v6.bytes, v6.length);
    put(&frame, "\0\0\0\0\0\0", 6);
    assert_request(1, &frame, 2222, 6);

    /* A compressed, one-byte protocol field. */
    frame = (Frame){0};
    put_pppoe_header(&frame, 1 + v4.length);
    put_u8(&frame, 0x21);
    put(&frame, v4.bytes, v4.length);
    assert_request(1, &frame, 8080, 4);

    /* MPLS, unicast and multicast, inside PPPoE. */
    for (uint16_t protocol = 0x0281; protocol <= 0x0283; protocol += 2) {
        frame = (Frame){0};
        put_pppoe_header(&frame, 2 + 8 + v4.length);
        put_be16(&frame, protocol);
        put_mpls_labels(&frame);
        put(&frame, v4.bytes, v4.length);
        assert_request(1, &frame, 8080, 4);
    }

    /* The session length bounds the datagram: one that stops 5 bytes short cuts the payload. */
    frame = (Frame){0};
    put_pppoe_header(&frame, 2 + v4.length - 5);
    put_be16(&frame, 0x0021);
    put(&frame, v4.bytes, v4.length);
    g_assert_cmpint(decode(1, &frame, &packet), ==, ODDPORT_DECODE_OK);
    g_assert_cmpuint(packet.payload_captured, ==, sizeof request - 1 - 5);
    g_assert_cmpuint(packet.payload_length, ==, sizeof request - 1);

    /* LCP in a session, and a discovery packet, carry no IP. */
    frame.bytes[20] = 0xc0;
    frame.bytes[21] = 0x21;
    g_assert_cmpint(decode(1, &frame, &packet), ==, ODDPORT_SKIP_NOT_IP);
    frame.bytes[20] = 0x00;
    frame.bytes[21] = 0x21;
    frame.bytes[15] = 0x09;
    g_assert_cmpint(decode(1, &frame, &packet), ==, ODDPORT_SKIP_NOT_IP);

    /* MPLS in plain PPP, both PPP link types. */
    frame = (Frame){0};
    put(&frame, "\xff\x03\x02\x83", 4);
    put_mpls_labels(&frame);
    put(&frame, v4.bytes, v4.length);
    assert_request(9, &frame, 8080, 4);
    assert_request(50, &frame, 8080, 4);
}

static void test_cisco_hdlc(void)
{
    Frame v4 = ipv4_request(22, 1);
    Frame v6 = ipv6_request(8000);
    OddportPacket packet;

    Frame frame = {0};
    put(&frame, "\x0f\x00", 2);
    put_be16(&frame, 0x0800);
    put(&frame, v4.bytes, v4.length);
    assert_request(104, &frame, 22, 4);
    /* Serial links recorded as PPP may hold Cisco HDLC framing. */
    assert_request(9, &frame, 22, 4);
    assert_request(50, &frame, 22, 4);

    frame = (Frame){0};
    put(&frame, "\x8f\x00", 2);
    put_be16(&frame, 0x86dd);
    put(&frame, v6.bytes, v6.length);
    assert_request(104, &frame, 8000, 6);
    assert_request(50, &frame, 8000, 6);

    /* The ethertype path: MPLS too. */
    frame = (Frame){0};
    put(&frame, "\x0f\x00", 2);
    put_be16(&frame, 0x8847);
    put_mpls_labels(&frame);
    put(&frame, v4.bytes, v4.length);
    assert_request(104, &frame, 22, 4);

    /* SLARP keepalives are Cisco HDLC's own. */
    frame = (Frame){0};
    put(&frame, "\x8f\x00", 2);
    put_be16(&frame, 0x8035);
    put_be32(&frame, 2);
    put_be32(&frame, 1);
    g_assert_cmpint(decode(104, &frame, &packet), ==, ODDPORT_SKIP_NOT_IP);
    /* Cut before the ethertype. */
    g_assert_cmpint(oddport_decode_frame(104, frame.bytes, 3, &packet), ==, ODDPORT_SKIP_TRUNCATED);
}

static void put_nflog_attribute(Frame *frame, bool little_endian, uint16_t type, const void *value,
                                size_t length)
{
    uint16_t total = (uint16_t)(4 + length);
    if (little_endian) {
        put_le16(frame, total);
        put_le16(frame, type);
    } else {
        put_be16(frame, total);
        put_be16(frame, type);
    }
    put(frame, value, length);
    while (frame->length % 4 != 0)
        put_u8(frame, 0);
}

/* NFLOG as written by a host of either byte order: packet header, an odd-length prefix (padded),
 * the payload; `payload_cut` bytes of the datagram left out, as a copy range does. */
static Frame nflog_frame(uint8_t family, bool little_endian, const Frame *ip, size_t payload_cut)
{
    Frame frame = {0};
    put_u8(&frame, family);
    put_u8(&frame, 0);
    put_be16(&frame, 0);
    put_nflog_attribute(&frame, little_endian, 1, "\x08\x00\x03\x00", 4);
    put_nflog_attribute(&frame, little_endian, 10, "ab", 3);
    put_nflog_attribute(&frame, little_endian, 9, ip->bytes, ip->length - payload_cut);
    return frame;
}

static void test_nflog(void)
{
    Frame v4 = ipv4_request(443, 1);
    Frame v6 = ipv6_request(80);
    OddportPacket packet;

    Frame frame = nflog_frame(2, true, &v4, 0);
    assert_request(239, &frame, 443, 4);
    frame = nflog_frame(10, true, &v6, 0);
    assert_request(239, &frame, 80, 6);
    /* Written on a big-endian host. */
    frame = nflog_frame(2, false, &v4, 0);
    assert_request(239, &frame, 443, 4);
    frame = nflog_frame(10, false, &v6, 0);
    assert_request(239, &frame, 80, 6);

    /* A copy range kept part of the packet: the attribute's length, not the frame, bounds it. */
    frame = nflog_frame(2, true, &v4, 5);
    put(&frame, "\0\0\0\0\0\0\0\0", 8);
    g_assert_cmpint(decode(239, &frame, &packet), ==, ODDPORT_DECODE_OK);
    g_assert_cmpuint(packet.payload_captured, ==, sizeof request - 1 - 5);
    g_assert_cmpuint(packet.payload_length, ==, sizeof request - 1);

    /* Other families (ARP, bridge) and versions are not IP. */
    frame = nflog_frame(3, true, &v4, 0);
    g_assert_cmpint(decode(239, &frame, &packet), ==, ODDPORT_SKIP_NOT_IP);
    frame = nflog_frame(2, true, &v4, 0);
    frame.bytes[1] = 1;
    g_assert_cmpint(decode(239, &frame, &packet), ==, ODDPORT_SKIP_NOT_IP);

    /* No payload attribute (a log without a copy), and an impossible attribute length. */
    frame = (Frame){0};
    put(&frame, "\x02\x00\x00\x00", 4);
    put_nflog_attribute(&frame, true, 1, "\x08\x00\x03\x00", 4);
    g_assert_cmpint(decode(239, &frame, &packet), ==, ODDPORT_SKIP_NOT_IP);
    frame.bytes[4] = 2;
    g_assert_cmpint(decode(239, &frame, &packet), ==, ODDPORT_SKIP_NOT_IP);

    /* Cut inside an attribute. */
    frame = nflog_frame(2, true, &v4, 0);
    g_assert_cmpint(oddport_decode_frame(239, frame.bytes, 10, &packet), ==,
                    ODDPORT_SKIP_TRUNCATED);
}

static void test_ieee802_11(void)
{
    Frame v4 = ipv4_request(3000, 1);
    Frame v6 = ipv6_request(22);
    OddportPacket packet;

    /* QoS data to the access point, header padded to 4 bytes as radiotap's flag says. */
    Frame frame = {0};
    put_radiotap(&frame, true, false, 0x20);
    size_t flags_offset = 16;
    put_ieee802_11(&frame, 2, 8, TO_DS, false, 4);
    put_snap(&frame, 0, 0x0800);
    put(&frame, v4.bytes, v4.length);
    put(&frame, "\xde\xad\xbe\xef", 4); /* an FCS after the datagram stays out */
    assert_request(127, &frame, 3000, 4);
    /* Without the flag the same bytes are misread, and no SNAP header is found. */
    frame.bytes[flags_offset] = 0;
    g_assert_cmpint(decode(127, &frame, &packet), ==, ODDPORT_SKIP_NOT_IP);

    /* Four addresses, a second present word, no TSFT, unpadded. */
    frame = (Frame){0};
    put_radiotap(&frame, false, true, 0);
    put_ieee802_11(&frame, 2, 8, TO_DS | FROM_DS, false, 0);
    put_snap(&frame, 0, 0x86dd);
    put(&frame, v6.bytes, v6.length);
    assert_request(127, &frame, 22, 6);

    /* HT control (Order on a QoS frame) and an A-MSDU: the first subframe decides. */
    frame = (Frame){0};
    put_radiotap(&frame, true, false, 0);
    put_ieee802_11(&frame, 2, 8, FROM_DS | ORDER, true, 0);
    put(&frame, "\2\0\0\0\0\1\2\0\0\0\0\2", 12);
    put_be16(&frame, (uint16_t)(8 + v4.length));
    put_snap(&frame, 0, 0x0800);
    put(&frame, v4.bytes, v4.length);
    put(&frame, "\0\0", 2); /* padding before the next subframe */
    assert_request(127, &frame, 3000, 4);

    /* Plain data frames without radiotap; the 802.1H bridge-tunnel code is an ethertype too. */
    frame = (Frame){0};
    put_ieee802_11(&frame, 2, 0, FROM_DS, false, 0);
    put_snap(&frame, 0xf8, 0x86dd);
    put(&frame, v6.bytes, v6.length);
    assert_request(105, &frame, 22, 6);

    /* Encrypted frames, management frames, null functions and other LLC carry nothing to read. */
    frame = (Frame){0};
    put_ieee802_11(&frame, 2, 8, TO_DS | PROTECTED, false, 0);
    put(&frame, v4.bytes, v4.length);
    g_assert_cmpint(decode(105, &frame, &packet), ==, ODDPORT_SKIP_ENCRYPTED);
    frame = (Frame){0};
    put_ieee802_11(&frame, 0, 8, 0, false, 0);
    put(&frame, v4.bytes, v4.length);
    g_assert_cmpint(decode(105, &frame, &packet), ==, ODDPORT_SKIP_NOT_IP);
    frame = (Frame){0};
    put_ieee802_11(&frame, 2, 0xc, TO_DS, false, 0);
    g_assert_cmpint(decode(105, &frame, &packet), ==, ODDPORT_SKIP_NOT_IP);
    frame = (Frame){0};
    put_ieee802_11(&frame, 2, 0, TO_DS, false, 0);
    put(&frame, "\xaa\xaa\x03\x00\x40\x96\x08\x00", 8);
    put(&frame, v4.bytes, v4.length);
    g_assert_cmpint(decode(105, &frame, &packet), ==, ODDPORT_SKIP_NOT_IP);

    /* A radiotap length past the frame, and one too small to hold its own header. */
    frame = (Frame){0};
    put_radiotap(&frame, true, false, 0);
    g_assert_cmpint(oddport_decode_frame(127, frame.bytes, 10, &packet), ==,
                    ODDPORT_SKIP_TRUNCATED);
    frame.bytes[2] = 4;
    g_assert_cmpint(decode(127, &frame, &packet), ==, ODDPORT_SKIP_NOT_IP);
}

/* Ethernet, IPv4 and UDP from port 50000 to `port` around `payload`. */
static Frame udp_datagram(uint16_t port, const Frame *payload)
{
    Frame frame = {0};
    put_ethernet(&frame, 0x0800);
    put_ipv4(&frame, 17, 8 + payload->length, 0, 1);
    put_udp(&frame, 50000, port, payload->length);
    put(&frame, payload->bytes, payload->length);
    return frame;
}

enum { UDP_DATAGRAM_HEADERS = 14 + 20 + 8 };

static Frame ethernet_request(uint16_t destination_port)
{
    Frame inner = ipv4_request(destination_port, 9);
    Frame frame = {0};
    put_ethernet(&frame, 0x0800);
    put(&frame, inner.bytes, inner.length);
    return frame;
}

static Frame ethernet_arp(void)
{
    Frame frame = {0};
    put_ethernet(&frame, 0x0806);
    put(&frame, "\0\1\10\0\6\4\0\1\2\0\0\0\0\1\12\0\0\1\0\0\0\0\0\0\12\0\0\2", 28);
    return frame;
}

static void assert_inner(const Frame *frame, uint16_t destination_port)
{
    OddportPacket packet;
    g_assert_cmpint(decode(1, frame, &packet), ==, ODDPORT_DECODE_OK);
    g_assert_cmpuint(packet.tunnel_depth, ==, 1);
    g_assert_cmpuint(packet.transport, ==, 6);
    g_assert_cmpuint(packet.destination_port, ==, destination_port);
    g_assert_cmpuint(packet.payload_captured, ==, sizeof request - 1);
}

/* The datagram stays in its outer UDP flow, its whole payload counted. */
static void assert_outer(const Frame *frame, uint16_t port)
{
    OddportPacket packet;
    g_assert_cmpint(decode(1, frame, &packet), ==, ODDPORT_DECODE_OK);
    g_assert_cmpuint(packet.tunnel_depth, ==, 0);
    g_assert_cmpuint(packet.transport, ==, 17);
    g_assert_cmpuint(packet.source_port, ==, 50000);
    g_assert_cmpuint(packet.destination_port, ==, port);
    g_assert_cmpuint(packet.payload_length, ==, frame->length - UDP_DATAGRAM_HEADERS);
    g_assert_cmpuint(packet.payload_captured, ==, packet.payload_length);
}

static Frame vxlan(uint8_t flags, uint8_t second, uint16_t policy, uint8_t last, const Frame *inner)
{
    Frame payload = {0};
    put_u8(&payload, flags);
    put_u8(&payload, second);
    put_be16(&payload, policy);
    put_be32(&payload, 0x00123400u | last);
    put(&payload, inner->bytes, inner->length);
    return udp_datagram(4789, &payload);
}

static Frame geneve(uint8_t version, uint8_t option_words, uint16_t protocol, const Frame *inner)
{
    Frame payload = {0};
    put_u8(&payload, (uint8_t)(version << 6 | option_words));
    put_u8(&payload, 0);
    put_be16(&payload, protocol);
    put_be32(&payload, 0x00abcd00);
    for (uint8_t word = 0; word < option_words; word++)
        put_be32(&payload, word == 0 ? 0x01020380u | (option_words - 1u) : 0x2a2a2a2au);
    put(&payload, inner->bytes, inner->length);
    return udp_datagram(6081, &payload);
}

static Frame vxlan_gpe(uint8_t flags, uint8_t second, uint8_t next_protocol, const Frame *inner)
{
    Frame payload = {0};
    put_u8(&payload, flags);
    put_u8(&payload, second);
    put_u8(&payload, 0);
    put_u8(&payload, next_protocol);
    put_be32(&payload, 0x00010000);
    put(&payload, inner->bytes, inner->length);
    return udp_datagram(4790, &payload);
}

static void test_vxlan_falls_back_to_outer_flow(void)
{
    Frame inner = ethernet_request(8080);
    Frame arp = ethernet_arp();
    OddportPacket packet;

    Frame frame = vxlan(0x08, 0, 0, 0, &inner);
    assert_inner(&frame, 8080);
    /* The group policy extension's bits are allowed with its G flag. */
    frame = vxlan(0x88, 0x48, 0x1234, 0, &inner);
    assert_inner(&frame, 8080);

    /* Not VXLAN: no I flag, reserved bits set, too short. */
    frame = vxlan(0x00, 0, 0, 0, &inner);
    assert_outer(&frame, 4789);
    frame = vxlan(0x08, 0x01, 0, 0, &inner);
    assert_outer(&frame, 4789);
    frame = vxlan(0x08, 0, 0x0001, 0, &inner);
    assert_outer(&frame, 4789);
    frame = vxlan(0x08, 0, 0, 0x01, &inner);
    assert_outer(&frame, 4789);
    frame = vxlan(0x0c, 0, 0, 0, &inner);
    assert_outer(&frame, 4789);
    Frame short_payload = {0};
    put(&short_payload, "\x08\0\0", 3);
    frame = udp_datagram(4789, &short_payload);
    assert_outer(&frame, 4789);

    /* VXLAN whose inner frame is not IP, or not sensible IP. */
    frame = vxlan(0x08, 0, 0, 0, &arp);
    assert_outer(&frame, 4789);
    Frame bad_version = inner;
    bad_version.bytes[14] = 0x55;
    frame = vxlan(0x08, 0, 0, 0, &bad_version);
    assert_outer(&frame, 4789);

    /* The whole datagram captured, yet the inner IPv4 header is short: no tunnel's doing. */
    Frame stub = inner;
    stub.length = 14 + 10;
    frame = vxlan(0x08, 0, 0, 0, &stub);
    assert_outer(&frame, 4789);

    /* The capture cut a real VXLAN datagram inside the inner headers (or its own): truncated. */
    frame = vxlan(0x08, 0, 0, 0, &inner);
    g_assert_cmpint(
        oddport_decode_frame(1, frame.bytes, UDP_DATAGRAM_HEADERS + 8 + 14 + 10, &packet), ==,
        ODDPORT_SKIP_TRUNCATED);
    g_assert_cmpint(oddport_decode_frame(1, frame.bytes, UDP_DATAGRAM_HEADERS + 4, &packet), ==,
                    ODDPORT_SKIP_TRUNCATED);
    /* Cut inside the inner payload only: the inner flow, with what was captured. */
    g_assert_cmpint(oddport_decode_frame(1, frame.bytes, frame.length - 3, &packet), ==,
                    ODDPORT_DECODE_OK);
    g_assert_cmpuint(packet.destination_port, ==, 8080);
    g_assert_cmpuint(packet.payload_captured, ==, sizeof request - 1 - 3);
}

/* The first IP fragment of `whole`, an Ethernet frame holding an IPv4 datagram, ending after
 * `length` bytes of the frame: more fragments follow, and its total length says where it ends. */
static Frame first_fragment(const Frame *whole, size_t length)
{
    Frame fragment = *whole;
    fragment.length = length;
    fragment.bytes[16] = (uint8_t)((length - 14) >> 8);
    fragment.bytes[17] = (uint8_t)(length - 14);
    fragment.bytes[20] |= 0x20;
    return fragment;
}

/* A tunnel's datagram sent in IP fragments. The first holds the tunnel's header and, as a rule,
 * the inner packet's headers: that packet's flow. Where it ends inside them, the inner flow's
 * ports are in a later fragment, and it is counted as one (it was counted in the endpoints' UDP
 * flow). The inner packet's own headers say whether it is a fragment: an inner UDP length beyond
 * its IPv6 payload is damage, not the outer fragment's doing (it was taken for a first fragment's
 * and decoded). */
static void test_tunnel_in_first_fragment(void)
{
    Frame inner = ethernet_request(8080);
    Frame frame = vxlan(0x08, 0, 0, 0, &inner);
    Frame fragment = first_fragment(&frame, frame.length);
    assert_inner(&fragment, 8080);
    fragment = first_fragment(&frame, frame.length - 3);
    OddportPacket packet;
    g_assert_cmpint(decode(1, &fragment, &packet), ==, ODDPORT_DECODE_OK);
    g_assert_cmpuint(packet.destination_port, ==, 8080);
    g_assert_cmpuint(packet.payload_captured, ==, sizeof request - 1 - 3);

    fragment = first_fragment(&frame, UDP_DATAGRAM_HEADERS + 8 + 14 + 8);
    g_assert_cmpint(decode(1, &fragment, &packet), ==, ODDPORT_SKIP_FRAGMENT);
    fragment = first_fragment(&frame, UDP_DATAGRAM_HEADERS + 8);
    g_assert_cmpint(decode(1, &fragment, &packet), ==, ODDPORT_SKIP_FRAGMENT);

    static const char datagram[] = "an inner datagram";
    Frame long_udp = {0};
    put_ethernet(&long_udp, 0x86dd);
    put_ipv6(&long_udp, 17, 8 + sizeof datagram);
    put_udp(&long_udp, 5353, 5353, sizeof datagram + 100);
    put(&long_udp, datagram, sizeof datagram);
    frame = vxlan(0x08, 0, 0, 0, &long_udp);
    fragment = first_fragment(&frame, frame.length);
    assert_outer(&fragment, 4789);
}

static void test_geneve(void)
{
    Frame inner = ethernet_request(80);
    Frame v6 = ipv6_request(22);
    OddportPacket packet;

    Frame frame = geneve(0, 0, 0x6558, &inner);
    assert_inner(&frame, 80);
    frame = geneve(0, 3, 0x6558, &inner);
    assert_inner(&frame, 80);
    frame = geneve(0, 1, 0x86dd, &v6);
    assert_inner(&frame, 22);

    /* An unknown version, a protocol that is not followed (NSH), options past the datagram. */
    frame = geneve(1, 0, 0x6558, &inner);
    assert_outer(&frame, 6081);
    frame = geneve(0, 0, 0x894f, &inner);
    assert_outer(&frame, 6081);
    Frame tiny = {0};
    put(&tiny, "\x3f\x00\x65\x58\x00\x00\x01\x00", 8);
    frame = udp_datagram(6081, &tiny);
    assert_outer(&frame, 6081);
    Frame arp = ethernet_arp();
    frame = geneve(0, 0, 0x6558, &arp);
    assert_outer(&frame, 6081);

    frame = geneve(0, 2, 0x6558, &inner);
    g_assert_cmpint(
        oddport_decode_frame(1, frame.bytes, UDP_DATAGRAM_HEADERS + 8 + 8 + 14 + 12, &packet), ==,
        ODDPORT_SKIP_TRUNCATED);
}

static void test_vxlan_gpe(void)
{
    Frame ethernet = ethernet_request(22);
    Frame v4 = ipv4_request(8443, 1);
    Frame v6 = ipv6_request(2222);

    Frame frame = vxlan_gpe(0x0c, 0, 1, &v4);
    assert_inner(&frame, 8443);
    frame = vxlan_gpe(0x04, 0, 2, &v6);
    assert_inner(&frame, 2222);
    frame = vxlan_gpe(0x0c, 0, 3, &ethernet);
    assert_inner(&frame, 22);

    /* No next-protocol bit, a version other than 0 (either draft's place), NSH, ARP inside. */
    frame = vxlan_gpe(0x08, 0, 1, &v4);
    assert_outer(&frame, 4790);
    frame = vxlan_gpe(0x1c, 0, 1, &v4);
    assert_outer(&frame, 4790);
    frame = vxlan_gpe(0x0c, 0x40, 1, &v4);
    assert_outer(&frame, 4790);
    frame = vxlan_gpe(0x0c, 0, 4, &v4);
    assert_outer(&frame, 4790);
    Frame arp = ethernet_arp();
    frame = vxlan_gpe(0x0c, 0, 3, &arp);
    assert_outer(&frame, 4790);
}

/* Each tunnel layer counts towards the limit, and the limit is not bypassed by falling back. */
static void test_tunnel_depth_limit(void)
{
    Frame frame = ethernet_request(443);
    OddportPacket packet;
    for (unsigned depth = 1; depth <= 5; depth++) {
        Frame payload = {0};
        put_be32(&payload, 0x08000000);
        put_be32(&payload, 0x00000100);
        put(&payload, frame.bytes, frame.length);
        frame = udp_datagram(4789, &payload);
        OddportDecodeStatus status = decode(1, &frame, &packet);
        if (depth <= 4) {
            g_assert_cmpint(status, ==, ODDPORT_DECODE_OK);
            g_assert_cmpuint(packet.tunnel_depth, ==, depth);
            g_assert_cmpuint(packet.destination_port, ==, 443);
        } else {
            g_assert_cmpint(status, ==, ODDPORT_SKIP_TUNNEL_TOO_DEEP);
        }
    }
}

/* Ethernet, IPv4 and a GRE header with a sequence number, then `payload`. */
static Frame gre_frame(uint16_t flags, uint16_t protocol, const Frame *payload)
{
    size_t gre_length = 4 + (flags & 0x1000 ? 4 : 0);
    Frame frame = {0};
    put_ethernet(&frame, 0x0800);
    put_ipv4(&frame, 47, gre_length + payload->length, 0, 1);
    put_be16(&frame, flags);
    put_be16(&frame, protocol);
    if (flags & 0x1000)
        put_be32(&frame, 77);
    put(&frame, payload->bytes, payload->length);
    return frame;
}

static Frame erspan_type_3(uint16_t frame_flags, const Frame *inner)
{
    Frame payload = {0};
    put_be32(&payload, 2u << 28 | 9);
    put_be32(&payload, 0x01020304);
    put_be16(&payload, 0);
    put_be16(&payload, frame_flags);
    if (frame_flags & 1) {
        put_be32(&payload, 3u << 26);
        put_be32(&payload, 0x05060708);
    }
    put(&payload, inner->bytes, inner->length);
    return gre_frame(0x1000, 0x22eb, &payload);
}

static void test_erspan(void)
{
    Frame inner = ethernet_request(8080);
    OddportPacket packet;

    Frame payload = {0};
    put_be32(&payload, 1u << 28 | 0x0064 << 16 | 7);
    put_be32(&payload, 0);
    put(&payload, inner.bytes, inner.length);
    Frame frame = gre_frame(0x1000, 0x88be, &payload);
    assert_inner(&frame, 8080);
    /* Any other version in a type II header is not followed. */
    frame.bytes[14 + 20 + 8] = 0x20;
    g_assert_cmpint(decode(1, &frame, &packet), ==, ODDPORT_SKIP_NOT_IP);

    /* Type I: no sequence number, no ERSPAN header. */
    frame = gre_frame(0, 0x88be, &inner);
    assert_inner(&frame, 8080);

    /* Type III with and without the platform-specific subheader; frame type 2 is bare IP. */
    frame = erspan_type_3(0x0000, &inner);
    assert_inner(&frame, 8080);
    frame = erspan_type_3(0x0001, &inner);
    assert_inner(&frame, 8080);
    Frame v6 = ipv6_request(8080);
    frame = erspan_type_3(2 << 10 | 1, &v6);
    assert_inner(&frame, 8080);
    frame = erspan_type_3(1 << 10, &inner);
    g_assert_cmpint(decode(1, &frame, &packet), ==, ODDPORT_SKIP_NOT_IP);
    /* The platform subheader promised but cut off. */
    frame = erspan_type_3(0x0001, &inner);
    g_assert_cmpint(oddport_decode_frame(1, frame.bytes, 14 + 20 + 8 + 12 + 4, &packet), ==,
                    ODDPORT_SKIP_TRUNCATED);
}

/* Every status but success has a name, and no two share one: they are JSON keys. */
static void test_skip_reason_names(void)
{
    g_assert_null(oddport_skip_reason_name(ODDPORT_DECODE_OK));
    for (unsigned reason = 1; reason < ODDPORT_SKIP_REASON_COUNT; reason++) {
        const char *name = oddport_skip_reason_name((OddportDecodeStatus)reason);
        g_assert_nonnull(name);
        for (unsigned other = 1; other < reason; other++)
            g_assert_cmpstr(name, !=, oddport_skip_reason_name((OddportDecodeStatus)other));
    }
    g_assert_null(oddport_skip_reason_name((OddportDecodeStatus)ODDPORT_SKIP_REASON_COUNT));
    g_assert_cmpstr(oddport_skip_reason_name(ODDPORT_SKIP_ENCRYPTED), ==, "encrypted");
}

/* Every listed link type has its own name rather than the "linktype-N" fallback. */
static void test_link_type_names(void)
{
    size_t count;
    const uint32_t *listed = oddport_decode_link_types(&count);
    for (size_t index = 0; index < count; index++) {
        char buffer[24];
        const char *name = oddport_link_type_name(listed[index], buffer);
        g_assert_true(name != buffer);
        g_assert_false(g_str_has_prefix(name, "linktype-"));
    }
    char buffer[24];
    g_assert_cmpstr(oddport_link_type_name(104, buffer), ==, "c-hdlc");
    g_assert_cmpstr(oddport_link_type_name(127, buffer), ==, "ieee802-11-radiotap");
    g_assert_cmpstr(oddport_link_type_name(239, buffer), ==, "nflog");
    g_assert_cmpstr(oddport_link_type_name(160, buffer), ==, "linktype-160");
}

static void test_address_text(void)
{
    OddportAddress address = {.family = 4, .bytes = {0, 9, 10, 255}};
    char text[ODDPORT_ADDRESS_TEXT_MAX];
    oddport_address_to_text(&address, text);
    g_assert_cmpstr(text, ==, "0.9.10.255");
    address.bytes[0] = 192;
    address.bytes[1] = 168;
    address.bytes[2] = 100;
    address.bytes[3] = 1;
    oddport_address_to_text(&address, text);
    g_assert_cmpstr(text, ==, "192.168.100.1");
    OddportAddress v6 = {.family = 6, .bytes = {0x20, 0x01, 0x0d, 0xb8, [12] = 0, 0, 0, 1}};
    oddport_address_to_text(&v6, text);
    g_assert_cmpstr(text, ==, "2001:db8::1");

    /* Every shape of zero runs, mapped and compatible IPv4, and random addresses: the same text
     * as the C library writes. */
    GRand *random = g_rand_new_with_seed(11);
    char reference[INET6_ADDRSTRLEN];
    for (unsigned round = 0; round < 100000; round++) {
        OddportAddress address6 = {.family = 6};
        for (unsigned word = 0; word < 8; word++) {
            bool zero = round < 256 ? (round >> word) & 1 : g_rand_int_range(random, 0, 3) == 0;
            unsigned value = zero ? 0 : (unsigned)g_rand_int_range(random, 1, 0x10000);
            if (round % 7 == 0 && word == 5)
                value = 0xffff;
            address6.bytes[2 * word] = (uint8_t)(value >> 8);
            address6.bytes[2 * word + 1] = (uint8_t)value;
        }
        oddport_address_to_text(&address6, text);
        g_assert_nonnull(inet_ntop(AF_INET6, address6.bytes, reference, sizeof reference));
        g_assert_cmpstr(text, ==, reference);
    }
    g_rand_free(random);

    /* Every octet value in every place of an IPv4 address: one, two and three digits. */
    for (unsigned place = 0; place < 4; place++) {
        for (unsigned octet = 0; octet < 256; octet++) {
            OddportAddress address4 = {.family = 4, .bytes = {1, 22, 203, 4}};
            address4.bytes[place] = (uint8_t)octet;
            oddport_address_to_text(&address4, text);
            g_assert_nonnull(inet_ntop(AF_INET, address4.bytes, reference, sizeof reference));
            g_assert_cmpstr(text, ==, reference);
        }
    }
}

/* Every prefix of a valid frame, and every single-byte corruption of it, must decode or be
 * refused cleanly: run under the sanitizers this finds any read past the end. */
static void sweep_prefixes_and_corruptions(uint32_t link_type, const Frame *frame)
{
    OddportPacket packet;
    for (size_t length = 0; length <= frame->length; length++) {
        uint8_t *copy = g_memdup2(frame->bytes, length);
        oddport_decode_frame(link_type, copy, length, &packet);
        g_free(copy);
    }
    for (size_t position = 0; position < frame->length; position++) {
        for (unsigned value = 0; value < 256; value += 17) {
            uint8_t *copy = g_memdup2(frame->bytes, frame->length);
            copy[position] = (uint8_t)value;
            oddport_decode_frame(link_type, copy, frame->length, &packet);
            g_free(copy);
        }
    }
}

static void test_every_prefix_and_corruption(void)
{
    Frame frame = {0};
    put_ethernet(&frame, 0x8100);
    put_be16(&frame, 5);
    put_be16(&frame, 0x86dd);
    put_ipv6(&frame, 44, 8 + TCP_WITH_REQUEST);
    const uint8_t fragment[8] = {6, 0, 0, 1, 0, 0, 0, 9};
    put(&frame, fragment, sizeof fragment);
    put_tcp(&frame, 1, 2, 0x18, request);
    sweep_prefixes_and_corruptions(1, &frame);

    /* One frame of each kind the newer decoders read. */
    Frame v4 = ipv4_request(80, 1);
    Frame inner = ethernet_request(80);
    Frame pppoe = {0};
    put_pppoe_header(&pppoe, 2 + 8 + v4.length);
    put_be16(&pppoe, 0x0281);
    put_mpls_labels(&pppoe);
    put(&pppoe, v4.bytes, v4.length);
    sweep_prefixes_and_corruptions(1, &pppoe);
    Frame hdlc = {0};
    put(&hdlc, "\x0f\x00\x08\x00", 4);
    put(&hdlc, v4.bytes, v4.length);
    sweep_prefixes_and_corruptions(104, &hdlc);
    sweep_prefixes_and_corruptions(50, &hdlc);
    Frame nflog = nflog_frame(2, true, &v4, 0);
    sweep_prefixes_and_corruptions(239, &nflog);
    Frame wireless = {0};
    put_radiotap(&wireless, true, true, 0x20);
    put_ieee802_11(&wireless, 2, 8, TO_DS | FROM_DS | ORDER, true, 4);
    put(&wireless, "\2\0\0\0\0\1\2\0\0\0\0\2", 12);
    put_be16(&wireless, (uint16_t)(8 + v4.length));
    put_snap(&wireless, 0, 0x0800);
    put(&wireless, v4.bytes, v4.length);
    sweep_prefixes_and_corruptions(127, &wireless);
    Frame tunnels[] = {
        vxlan(0x88, 0x48, 0x1234, 0, &inner),
        geneve(0, 2, 0x6558, &inner),
        vxlan_gpe(0x0c, 0, 3, &inner),
        erspan_type_3(0x0001, &inner),
    };
    for (size_t index = 0; index < G_N_ELEMENTS(tunnels); index++)
        sweep_prefixes_and_corruptions(1, &tunnels[index]);
}

/* Asserts that `frame` cut anywhere before `flow_fields_end` (the end of what a flow needs: for
 * TCP its ports, sequence number and flags) is refused as truncated, cut after it but before
 * `headers_end` decodes with no payload captured, and cut at or after `headers_end` decodes with
 * only the payload shortened. Each copy is exactly the cut's length, so a sanitizer sees any read
 * past it. */
static void assert_cuts(const Frame *frame, size_t flow_fields_end, size_t headers_end)
{
    for (size_t length = 0; length <= frame->length; length++) {
        uint8_t *copy = g_memdup2(frame->bytes, length);
        OddportPacket packet;
        OddportDecodeStatus status = oddport_decode_frame(1, copy, length, &packet);
        if (length < flow_fields_end) {
            g_assert_cmpint(status, ==, ODDPORT_SKIP_TRUNCATED);
        } else if (length < headers_end) {
            g_assert_cmpint(status, ==, ODDPORT_DECODE_OK);
            g_assert_cmpuint(packet.payload_captured, ==, 0);
            g_assert_cmpuint(packet.payload_length, ==, sizeof request - 1);
            g_assert_cmpuint(packet.tcp_flags, ==, 0x18);
        } else {
            g_assert_cmpint(status, ==, ODDPORT_DECODE_OK);
            g_assert_cmpuint(packet.payload_captured, ==, length - headers_end);
        }
        g_free(copy);
    }
}

/* A frame cut anywhere in its headers, from the Ethernet header through a VLAN tag, IPv4 or IPv6
 * and TCP or UDP, is refused as truncated, except that a TCP segment cut after its flags (in its
 * options, as header-only captures cut them) still counts in its flow, with no payload captured;
 * cut after them, it decodes, with the payload captured as long as what is left. */
static void test_cut_in_a_header(void)
{
    Frame tagged = {0};
    put_ethernet(&tagged, 0x8100);
    put_be16(&tagged, 7);
    put_be16(&tagged, 0x0800);
    put_ipv4(&tagged, 6, 24 + sizeof request - 1, 0, 1);
    put_be16(&tagged, 40000);
    put_be16(&tagged, 80);
    put_be32(&tagged, 1000);
    put_be32(&tagged, 0);
    put_u8(&tagged, 0x60); /* 24 bytes: one word of options */
    put_u8(&tagged, 0x18);
    put_be16(&tagged, 65535);
    put_be32(&tagged, 0);
    put_be32(&tagged, 0x01010101);
    put(&tagged, request, sizeof request - 1);
    assert_cuts(&tagged, 14 + 4 + 20 + 14, 14 + 4 + 20 + 24);

    Frame datagram = {0};
    put_ethernet(&datagram, 0x86dd);
    put_ipv6(&datagram, 17, 8 + 5);
    put_udp(&datagram, 5353, 40000, 5);
    put(&datagram, "hello", 5);
    assert_cuts(&datagram, 14 + 40 + 8, 14 + 40 + 8);
}

/* The list of understood link types says exactly what the decoder does: each listed type decodes
 * a frame past its link layer, and no unlisted one below 300 does. */
static void test_link_type_list(void)
{
    size_t count;
    const uint32_t *listed = oddport_decode_link_types(&count);
    g_assert_cmpuint(count, >, 0);
    static const uint8_t empty_frame[1] = {0};
    for (uint32_t link_type = 0; link_type < 300; link_type++) {
        bool in_list = false;
        for (size_t index = 0; index < count; index++)
            in_list = in_list || listed[index] == link_type;
        OddportPacket packet;
        OddportDecodeStatus status = oddport_decode_frame(link_type, empty_frame, 0, &packet);
        if (in_list)
            g_assert_cmpint(status, !=, ODDPORT_SKIP_UNSUPPORTED_LINK_TYPE);
        else
            g_assert_cmpint(status, ==, ODDPORT_SKIP_UNSUPPORTED_LINK_TYPE);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/decode/ethernet-ipv4-tcp", test_ethernet_ipv4_tcp);
    g_test_add_func("/decode/snapshot-cut", test_snapshot_cut_keeps_lengths_apart);
    g_test_add_func("/decode/stacked-vlans", test_stacked_vlans);
    g_test_add_func("/decode/priority-tags", test_priority_tags);
    g_test_add_func("/decode/ipv6-extension-headers", test_ipv6_extension_headers);
    g_test_add_func("/decode/ipv4-inside-ipv6", test_ipv4_inside_ipv6_zeroes_the_rest);
    g_test_add_func("/decode/fragments", test_fragments);
    g_test_add_func("/decode/udp-first-fragments", test_udp_first_fragments);
    g_test_add_func("/decode/bad-ipv4-lengths", test_bad_ipv4_lengths);
    g_test_add_func("/decode/bad-tcp-offset", test_bad_tcp_offset);
    g_test_add_func("/decode/gre-and-ip-in-ip", test_gre_and_ip_in_ip);
    g_test_add_func("/decode/other-link-types", test_other_link_types);
    g_test_add_func("/decode/pppoe-and-mpls", test_pppoe_and_mpls);
    g_test_add_func("/decode/gtp-user-tunnel", test_gtp_user_tunnel);
    g_test_add_func("/decode/pppoe-protocols", test_pppoe_protocols);
    g_test_add_func("/decode/cisco-hdlc", test_cisco_hdlc);
    g_test_add_func("/decode/nflog", test_nflog);
    g_test_add_func("/decode/ieee802-11", test_ieee802_11);
    g_test_add_func("/decode/tunnel/vxlan-falls-back", test_vxlan_falls_back_to_outer_flow);
    g_test_add_func("/decode/tunnel/in-first-fragment", test_tunnel_in_first_fragment);
    g_test_add_func("/decode/tunnel/geneve", test_geneve);
    g_test_add_func("/decode/tunnel/vxlan-gpe", test_vxlan_gpe);
    g_test_add_func("/decode/tunnel/depth-limit", test_tunnel_depth_limit);
    g_test_add_func("/decode/tunnel/erspan", test_erspan);
    g_test_add_func("/decode/link-type-list", test_link_type_list);
    g_test_add_func("/decode/link-type-names", test_link_type_names);
    g_test_add_func("/decode/skip-reason-names", test_skip_reason_names);
    g_test_add_func("/decode/address-text", test_address_text);
    g_test_add_func("/decode/every-prefix-and-corruption", test_every_prefix_and_corruption);
    g_test_add_func("/decode/cut-in-a-header", test_cut_in_a_header);
    return g_test_run();
}
