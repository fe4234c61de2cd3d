/* Link layer -> IP -> TCP/UDP decoding of one frame, every byte read through the cursor. */
#include <stdio.h>
#include <string.h>

#include "internal/cursor.h"
#include "internal/decimal.h"
#include "oddport/decode.h"

/* LINKTYPE_* values as written in pcap and pcapng files. */
enum {
    LINKTYPE_NULL = 0,
    LINKTYPE_ETHERNET = 1,
    LINKTYPE_PPP = 9,
    LINKTYPE_RAW_OPENBSD = 12,
    LINKTYPE_RAW_BSDOS = 14,
    LINKTYPE_PPP_HDLC = 50,
    LINKTYPE_RAW = 101,
    LINKTYPE_C_HDLC = 104,
    LINKTYPE_IEEE802_11 = 105,
    LINKTYPE_LOOP = 108,
    LINKTYPE_LINUX_SLL = 113,
    LINKTYPE_IEEE802_11_RADIOTAP = 127,
    LINKTYPE_IPV4 = 228,
    LINKTYPE_IPV6 = 229,
    LINKTYPE_NFLOG = 239,
    LINKTYPE_LINUX_SLL2 = 276,
};

enum {
    ETHERTYPE_IPV4 = 0x0800,
    ETHERTYPE_IPV6 = 0x86dd,
    ETHERTYPE_VLAN = 0x8100,
    ETHERTYPE_QINQ = 0x88a8,
    ETHERTYPE_QINQ_OLD = 0x9100,
    ETHERTYPE_PPPOE_SESSION = 0x8864,
    ETHERTYPE_MPLS_UNICAST = 0x8847,
    ETHERTYPE_MPLS_MULTICAST = 0x8848,
    ETHERTYPE_TRANSPARENT_ETHERNET = 0x6558,
    ETHERTYPE_PPP = 0x880b,
    ETHERTYPE_ERSPAN_TYPE_2 = 0x88be,
    ETHERTYPE_ERSPAN_TYPE_3 = 0x22eb,
};

enum {
    IP_PROTOCOL_HOP_BY_HOP = 0,
    IP_PROTOCOL_IPV4 = 4,
    IP_PROTOCOL_TCP = 6,
    IP_PROTOCOL_UDP = 17,
    IP_PROTOCOL_IPV6 = 41,
    IP_PROTOCOL_ROUTING = 43,
    IP_PROTOCOL_FRAGMENT = 44,
    IP_PROTOCOL_GRE = 47,
    IP_PROTOCOL_AUTHENTICATION = 51,
    IP_PROTOCOL_NO_NEXT_HEADER = 59,
    IP_PROTOCOL_DESTINATION_OPTIONS = 60,
    IP_PROTOCOL_MOBILITY = 135,
    IP_PROTOCOL_HOST_IDENTITY = 139,
    IP_PROTOCOL_SHIM6 = 140,
};

enum {
    PPP_PROTOCOL_IPV4 = 0x0021,
    PPP_PROTOCOL_IPV6 = 0x0057,
    PPP_PROTOCOL_MPLS_UNICAST = 0x0281,
    PPP_PROTOCOL_MPLS_MULTICAST = 0x0283,
};

/* The first byte of a Cisco HDLC frame (RFC 1547 section 4.3.1). */
enum { CISCO_HDLC_UNICAST = 0x0f, CISCO_HDLC_BROADCAST = 0x8f };

enum { VXLAN_PORT = 4789, VXLAN_GPE_PORT = 4790, GENEVE_PORT = 6081, GTP_USER_PORT = 2152 };

/* Tunnels inside tunnels are legal but each layer costs a recursion; real traffic rarely nests
 * more than two. */
enum { MAX_TUNNEL_DEPTH = 4 };
/* Fixed headers are taken whole, with one check of their length, and their fields then read from
 * a cursor of exactly that length: an optimising build then knows every read fits and drops the
 * checks. TCP's is read up to its flags; the options after them are only skipped. What the
 * cursor's readers fill is also set where it is declared, here and elsewhere: at -Og, GCC inlines
 * the readers too little to see that a failed read returned first, and warns. */
enum {
    ETHERNET_HEADER_LENGTH = 14,
    VLAN_TAG_LENGTH = 4,
    FIXED_IPV4_HEADER_LENGTH = 20,
    FIXED_IPV6_HEADER_LENGTH = 40,
    TCP_HEADER_READ_LENGTH = 14,
    UDP_HEADER_LENGTH = 8,
};
enum { MAX_VLAN_TAGS = 4, MAX_MPLS_LABELS = 8, MAX_IPV6_EXTENSION_HEADERS = 8 };

/* An IPv4 address goes into the first four of the sixteen bytes, the rest zero, in one store of
 * all sixteen: the engine reads each address back at once, in words, and a load that spans two
 * stores still on their way to the cache (the zeros, then the four bytes) cannot take its bytes
 * from them, and waits until they are in it. GCC 12 wrote a plain sixteen-byte copy of a
 * zeroed local as two eight-byte stores, which a sixteen-byte load spans too, hence the vector
 * (a GCC and clang extension, as are the builtins the rest of oddport uses). With the engine's
 * copy of the address (copy_address), it took 3% off the time of 4M packets, short flows or
 * long, with one thread or two (7 to 9 alternating rounds). */
typedef uint32_t AddressWords __attribute__((vector_size(16)));

static void set_ipv4_address(OddportAddress *address, const uint8_t bytes[4])
{
    uint32_t word;
    memcpy(&word, bytes, sizeof word);
    AddressWords whole = {word, 0, 0, 0};
    address->family = 4;
    memcpy(address->bytes, &whole, sizeof whole);
}

static OddportDecodeStatus decode_ethertype(uint16_t ethertype, OddportCursor cursor,
                                            OddportPacket *packet);
static OddportDecodeStatus decode_ip(OddportCursor cursor, OddportPacket *packet);

static OddportDecodeStatus decode_transport(uint8_t protocol, OddportCursor cursor,
                                            size_t stated_length, OddportPacket *packet);

static OddportDecodeStatus enter_tunnel(OddportPacket *packet)
{
    if (++packet->tunnel_depth > MAX_TUNNEL_DEPTH)
        return ODDPORT_SKIP_TUNNEL_TOO_DEEP;
    return ODDPORT_DECODE_OK;
}

static OddportDecodeStatus decode_ethernet(OddportCursor cursor, OddportPacket *packet)
{
    OddportCursor header;
    uint16_t ethertype = 0;
    if (!oddport_cursor_sub(&cursor, ETHERNET_HEADER_LENGTH, &header))
        return ODDPORT_SKIP_TRUNCATED;
    oddport_cursor_skip(&header, 12);
    oddport_cursor_be16(&header, &ethertype);
    return decode_ethertype(ethertype, cursor, packet);
}

/* MPLS does not say what follows the label stack; the IP version nibble does. */
static OddportDecodeStatus decode_mpls(OddportCursor cursor, OddportPacket *packet)
{
    for (unsigned label = 0; label < MAX_MPLS_LABELS; label++) {
        uint32_t entry;
        if (!oddport_cursor_be32(&cursor, &entry))
            return ODDPORT_SKIP_TRUNCATED;
        if (entry & 0x100) {
            uint8_t first;
            if (!oddport_cursor_peek_u8(&cursor, 0, &first))
                return ODDPORT_SKIP_TRUNCATED;
            if ((first >> 4) == 4 || (first >> 4) == 6)
                return decode_ip(cursor, packet);
            return ODDPORT_SKIP_NOT_IP;
        }
    }
    return ODDPORT_SKIP_NOT_IP;
}

/* One PPP protocol field: two bytes, or one when Protocol-Field-Compression was negotiated
 * (RFC 1661 section 6.5): a protocol number's first byte is always even and its last odd, so an
 * odd first byte is a whole compressed field. PPPoE forbids compression (RFC 2516 section 7) but
 * some peers compress anyway, and the odd byte is unambiguous. */
static bool read_ppp_protocol(OddportCursor *cursor, uint16_t *protocol)
{
    uint8_t first;
    uint8_t second;
    if (!oddport_cursor_u8(cursor, &first))
        return false;
    if (first & 0x01) {
        *protocol = first;
        return true;
    }
    if (!oddport_cursor_u8(cursor, &second))
        return false;
    *protocol = (uint16_t)(first << 8 | second);
    return true;
}

static OddportDecodeStatus decode_ppp_protocol(uint16_t protocol, OddportCursor cursor,
                                               OddportPacket *packet)
{
    switch (protocol) {
    case PPP_PROTOCOL_IPV4:
    case PPP_PROTOCOL_IPV6:
        return decode_ip(cursor, packet);
    case PPP_PROTOCOL_MPLS_UNICAST:
    case PPP_PROTOCOL_MPLS_MULTICAST:
        return decode_mpls(cursor, packet);
    default:
        return ODDPORT_SKIP_NOT_IP;
    }
}

/* Cisco HDLC: an address byte, a control byte, then an ethertype. The address is 0x0f or 0x8f;
 * LINKTYPE_C_HDLC promises the framing, so it is not checked there. */
static OddportDecodeStatus decode_cisco_hdlc(OddportCursor cursor, OddportPacket *packet)
{
    uint16_t protocol;
    if (!oddport_cursor_skip(&cursor, 2) || !oddport_cursor_be16(&cursor, &protocol))
        return ODDPORT_SKIP_TRUNCATED;
    return decode_ethertype(protocol, cursor, packet);
}

/* PPP frames may or may not carry the HDLC address/control bytes and may compress the protocol
 * field. Serial links recorded as PPP may carry Cisco HDLC instead (its address byte 0x0f/0x8f
 * and control byte 0 are never a PPP start), as the LINKTYPE_PPP_HDLC description allows. */
static OddportDecodeStatus decode_ppp(OddportCursor cursor, OddportPacket *packet)
{
    uint8_t first;
    uint8_t second;
    if (oddport_cursor_peek_u8(&cursor, 0, &first) && oddport_cursor_peek_u8(&cursor, 1, &second)) {
        if (first == 0xff && second == 0x03)
            oddport_cursor_skip(&cursor, 2);
        else if ((first == CISCO_HDLC_UNICAST || first == CISCO_HDLC_BROADCAST) && second == 0)
            return decode_cisco_hdlc(cursor, packet);
    }
    uint16_t protocol;
    if (!read_ppp_protocol(&cursor, &protocol))
        return ODDPORT_SKIP_TRUNCATED;
    return decode_ppp_protocol(protocol, cursor, packet);
}

/* RFC 2516: version 1, type 1, code 0 for session data; the length counts the PPP protocol field
 * and what follows it, so Ethernet padding stays out. */
static OddportDecodeStatus decode_pppoe_session(OddportCursor cursor, OddportPacket *packet)
{
    uint8_t version_and_type;
    uint8_t code;
    uint16_t session_id;
    uint16_t length;
    uint16_t protocol;
    if (!oddport_cursor_u8(&cursor, &version_and_type) || !oddport_cursor_u8(&cursor, &code) ||
        !oddport_cursor_be16(&cursor, &session_id) || !oddport_cursor_be16(&cursor, &length))
        return ODDPORT_SKIP_TRUNCATED;
    if (version_and_type != 0x11 || code != 0)
        return ODDPORT_SKIP_NOT_IP;
    /* A snapshot length may have cut the session payload: decode what was captured. */
    oddport_cursor_narrow(&cursor, length);
    if (!read_ppp_protocol(&cursor, &protocol))
        return ODDPORT_SKIP_TRUNCATED;
    return decode_ppp_protocol(protocol, cursor, packet);
}

static OddportDecodeStatus decode_ethertype(uint16_t ethertype, OddportCursor cursor,
                                            OddportPacket *packet)
{
    for (unsigned tag = 0; tag < MAX_VLAN_TAGS; tag++) {
        if (ethertype != ETHERTYPE_VLAN && ethertype != ETHERTYPE_QINQ &&
            ethertype != ETHERTYPE_QINQ_OLD)
            break;
        OddportCursor tag_bytes;
        uint16_t tag_control = 0;
        if (!oddport_cursor_sub(&cursor, VLAN_TAG_LENGTH, &tag_bytes))
            return ODDPORT_SKIP_TRUNCATED;
        oddport_cursor_be16(&tag_bytes, &tag_control);
        oddport_cursor_be16(&tag_bytes, &ethertype);
        /* VLAN id 0 marks a priority tag (802.1p), not a VLAN: a switch may add one to a
         * connection's packets one way and not the other, which must stay one flow. */
        uint16_t vlan_id = tag_control & 0x0fff;
        if (!packet->has_vlan && vlan_id != 0) {
            packet->has_vlan = true;
            packet->vlan_id = vlan_id;
        }
    }
    switch (ethertype) {
    case ETHERTYPE_IPV4:
    case ETHERTYPE_IPV6:
        return decode_ip(cursor, packet);
    case ETHERTYPE_PPPOE_SESSION:
        return decode_pppoe_session(cursor, packet);
    case ETHERTYPE_MPLS_UNICAST:
    case ETHERTYPE_MPLS_MULTICAST:
        return decode_mpls(cursor, packet);
    default:
        return ODDPORT_SKIP_NOT_IP;
    }
}

/* What a tunnel header names as its payload: an Ethernet frame (0x6558, "transparent Ethernet
 * bridging") or anything with an ethertype. */
static OddportDecodeStatus decode_encapsulated(uint16_t protocol, OddportCursor cursor,
                                               OddportPacket *packet)
{
    if (protocol == ETHERTYPE_TRANSPARENT_ETHERNET)
        return decode_ethernet(cursor, packet);
    return decode_ethertype(protocol, cursor, packet);
}

/* ERSPAN (draft-foschiano-erspan) mirrors a switch port's frames to an analyser inside GRE. Type
 * I has no header of its own and is told from type II by GRE's sequence number, which type II
 * always carries; type II has 8 bytes: version 1 in the top 4 bits, then VLAN, session, index. */
static OddportDecodeStatus decode_erspan_type_2(OddportCursor cursor, bool has_sequence,
                                                OddportPacket *packet)
{
    if (!has_sequence)
        return decode_ethernet(cursor, packet);
    uint32_t version_and_session;
    uint32_t index;
    if (!oddport_cursor_be32(&cursor, &version_and_session) ||
        !oddport_cursor_be32(&cursor, &index))
        return ODDPORT_SKIP_TRUNCATED;
    if ((version_and_session >> 28) != 1)
        return ODDPORT_SKIP_NOT_IP;
    return decode_ethernet(cursor, packet);
}

/* ERSPAN type III: 12 bytes (version 2, VLAN and session; a timestamp; the security group tag;
 * then P, frame type, hardware id, direction, granularity and O), and 8 more platform-specific
 * bytes when O is set. Frame type 0 is an Ethernet frame, 2 an IP packet. */
static OddportDecodeStatus decode_erspan_type_3(OddportCursor cursor, OddportPacket *packet)
{
    uint32_t version_and_session;
    uint32_t timestamp;
    uint16_t security_group_tag;
    uint16_t frame_flags;
    if (!oddport_cursor_be32(&cursor, &version_and_session) ||
        !oddport_cursor_be32(&cursor, &timestamp) ||
        !oddport_cursor_be16(&cursor, &security_group_tag) ||
        !oddport_cursor_be16(&cursor, &frame_flags))
        return ODDPORT_SKIP_TRUNCATED;
    if ((version_and_session >> 28) != 2)
        return ODDPORT_SKIP_NOT_IP;
    if ((frame_flags & 0x0001) && !oddport_cursor_skip(&cursor, 8))
        return ODDPORT_SKIP_TRUNCATED;
    switch ((frame_flags >> 10) & 0x1f) {
    case 0:
        return decode_ethernet(cursor, packet);
    case 2:
        return decode_ip(cursor, packet);
    default:
        return ODDPORT_SKIP_NOT_IP;
    }
}

/* GRE (RFC 2784/2890) and the enhanced GRE of PPTP (RFC 2637), whose payload is PPP. */
static OddportDecodeStatus decode_gre(OddportCursor cursor, OddportPacket *packet)
{
    OddportDecodeStatus status = enter_tunnel(packet);
    if (status != ODDPORT_DECODE_OK)
        return status;
    uint16_t flags;
    uint16_t protocol;
    if (!oddport_cursor_be16(&cursor, &flags) || !oddport_cursor_be16(&cursor, &protocol))
        return ODDPORT_SKIP_TRUNCATED;
    unsigned version = flags & 0x7;
    bool has_checksum = flags & 0x8000;
    bool has_routing = flags & 0x4000;
    bool has_key = flags & 0x2000;
    bool has_sequence = flags & 0x1000;
    bool has_acknowledgment = flags & 0x0080;
    if (has_routing || version > 1)
        return ODDPORT_SKIP_NOT_IP;
    size_t optional_length = (has_checksum ? 4u : 0u) + (has_key ? 4u : 0u) +
                             (has_sequence ? 4u : 0u) +
                             (version == 1 && has_acknowledgment ? 4u : 0u);
    if (!oddport_cursor_skip(&cursor, optional_length))
        return ODDPORT_SKIP_TRUNCATED;
    switch (protocol) {
    case ETHERTYPE_PPP:
        return decode_ppp(cursor, packet);
    case ETHERTYPE_ERSPAN_TYPE_2:
        return decode_erspan_type_2(cursor, has_sequence, packet);
    case ETHERTYPE_ERSPAN_TYPE_3:
        return decode_erspan_type_3(cursor, packet);
    default:
        return decode_encapsulated(protocol, cursor, packet);
    }
}

static OddportDecodeStatus decode_ip_payload(uint8_t protocol, OddportCursor cursor,
                                             size_t stated_length, OddportPacket *packet)
{
    switch (protocol) {
    case IP_PROTOCOL_TCP:
    case IP_PROTOCOL_UDP:
        return decode_transport(protocol, cursor, stated_length, packet);
    case IP_PROTOCOL_IPV4:
    case IP_PROTOCOL_IPV6: {
        OddportDecodeStatus status = enter_tunnel(packet);
        if (status != ODDPORT_DECODE_OK)
            return status;
        return decode_ip(cursor, packet);
    }
    case IP_PROTOCOL_GRE:
        return decode_gre(cursor, packet);
    default:
        return ODDPORT_SKIP_NOT_TCP_UDP;
    }
}

static OddportDecodeStatus decode_ipv4(OddportCursor cursor, OddportPacket *packet)
{
    OddportCursor header = cursor;
    uint8_t version_and_length = 0;
    uint8_t type_of_service = 0;
    uint16_t total_length = 0;
    uint16_t identification = 0;
    uint16_t flags_and_offset = 0;
    uint8_t time_to_live = 0;
    uint8_t protocol = 0;
    uint16_t checksum = 0;
    const uint8_t *source = NULL;
    const uint8_t *destination = NULL;
    if (!oddport_cursor_narrow(&header, FIXED_IPV4_HEADER_LENGTH))
        return ODDPORT_SKIP_TRUNCATED;
    oddport_cursor_u8(&header, &version_and_length);
    oddport_cursor_u8(&header, &type_of_service);
    oddport_cursor_be16(&header, &total_length);
    oddport_cursor_be16(&header, &identification);
    oddport_cursor_be16(&header, &flags_and_offset);
    oddport_cursor_u8(&header, &time_to_live);
    oddport_cursor_u8(&header, &protocol);
    oddport_cursor_be16(&header, &checksum);
    oddport_cursor_bytes(&header, 4, &source);
    oddport_cursor_bytes(&header, 4, &destination);
    size_t header_length = (size_t)(version_and_length & 0x0f) * 4;
    if (header_length < 20)
        return ODDPORT_SKIP_MALFORMED_IP;
    /* A zero total length is what TCP segmentation offload leaves in locally captured frames:
     * the real length is what was captured. */
    size_t stated_length = total_length != 0 ? total_length : cursor.left;
    if (stated_length < header_length)
        return ODDPORT_SKIP_MALFORMED_IP;
    oddport_cursor_narrow(&cursor, stated_length);
    if (!oddport_cursor_skip(&cursor, header_length))
        return ODDPORT_SKIP_TRUNCATED;

    set_ipv4_address(&packet->source, source);
    set_ipv4_address(&packet->destination, destination);

    unsigned fragment_offset = flags_and_offset & 0x1fff;
    bool more_fragments = flags_and_offset & 0x2000;
    if (fragment_offset != 0)
        return ODDPORT_SKIP_FRAGMENT;
    packet->is_first_fragment = more_fragments;
    return decode_ip_payload(protocol, cursor, stated_length - header_length, packet);
}

static bool is_ipv6_extension_header(uint8_t next_header)
{
    switch (next_header) {
    case IP_PROTOCOL_HOP_BY_HOP:
    case IP_PROTOCOL_ROUTING:
    case IP_PROTOCOL_DESTINATION_OPTIONS:
    case IP_PROTOCOL_MOBILITY:
    case IP_PROTOCOL_HOST_IDENTITY:
    case IP_PROTOCOL_SHIM6:
        return true;
    default:
        return false;
    }
}

static OddportDecodeStatus decode_ipv6(OddportCursor cursor, OddportPacket *packet)
{
    uint32_t version_class_label = 0;
    uint16_t payload_length = 0;
    uint8_t next_header = 0;
    uint8_t hop_limit = 0;
    const uint8_t *source = NULL;
    const uint8_t *destination = NULL;
    OddportCursor header;
    if (!oddport_cursor_sub(&cursor, FIXED_IPV6_HEADER_LENGTH, &header))
        return ODDPORT_SKIP_TRUNCATED;
    oddport_cursor_be32(&header, &version_class_label);
    oddport_cursor_be16(&header, &payload_length);
    oddport_cursor_u8(&header, &next_header);
    oddport_cursor_u8(&header, &hop_limit);
    oddport_cursor_bytes(&header, 16, &source);
    oddport_cursor_bytes(&header, 16, &destination);
    /* Zero means a jumbogram or an offloaded segment: trust what was captured. */
    size_t stated_length = payload_length != 0 ? payload_length : cursor.left;
    oddport_cursor_narrow(&cursor, stated_length);

    packet->source.family = 6;
    packet->destination.family = 6;
    memcpy(packet->source.bytes, source, 16);
    memcpy(packet->destination.bytes, destination, 16);
    /* Only a fragment header says so: a header inside a tunnel must not inherit the outer one's
     * word on fragments, as an IPv4 header's own flags overwrite it. */
    packet->is_first_fragment = false;

    for (unsigned count = 0; count < MAX_IPV6_EXTENSION_HEADERS; count++) {
        uint8_t following;
        uint8_t length_field;
        size_t header_length;
        if (is_ipv6_extension_header(next_header)) {
            if (!oddport_cursor_peek_u8(&cursor, 0, &following) ||
                !oddport_cursor_peek_u8(&cursor, 1, &length_field))
                return ODDPORT_SKIP_TRUNCATED;
            header_length = ((size_t)length_field + 1) * 8;
        } else if (next_header == IP_PROTOCOL_AUTHENTICATION) {
            if (!oddport_cursor_peek_u8(&cursor, 0, &following) ||
                !oddport_cursor_peek_u8(&cursor, 1, &length_field))
                return ODDPORT_SKIP_TRUNCATED;
            header_length = ((size_t)length_field + 2) * 4;
        } else if (next_header == IP_PROTOCOL_FRAGMENT) {
            OddportCursor fragment = cursor;
            uint8_t reserved;
            uint16_t offset_and_flags;
            if (!oddport_cursor_u8(&fragment, &following) ||
                !oddport_cursor_u8(&fragment, &reserved) ||
                !oddport_cursor_be16(&fragment, &offset_and_flags))
                return ODDPORT_SKIP_TRUNCATED;
            if ((offset_and_flags >> 3) != 0)
                return ODDPORT_SKIP_FRAGMENT;
            packet->is_first_fragment = offset_and_flags & 1;
            header_length = 8;
        } else {
            break;
        }
        if (header_length > stated_length || !oddport_cursor_skip(&cursor, header_length))
            return header_length > stated_length ? ODDPORT_SKIP_MALFORMED_IP
                                                 : ODDPORT_SKIP_TRUNCATED;
        stated_length -= header_length;
        next_header = following;
    }
    if (next_header == IP_PROTOCOL_NO_NEXT_HEADER)
        return ODDPORT_SKIP_NOT_TCP_UDP;
    return decode_ip_payload(next_header, cursor, stated_length, packet);
}

static OddportDecodeStatus decode_ip(OddportCursor cursor, OddportPacket *packet)
{
    uint8_t first;
    if (!oddport_cursor_peek_u8(&cursor, 0, &first))
        return ODDPORT_SKIP_TRUNCATED;
    switch (first >> 4) {
    case 4:
        return decode_ipv4(cursor, packet);
    case 6:
        return decode_ipv6(cursor, packet);
    default:
        return ODDPORT_SKIP_MALFORMED_IP;
    }
}

/* Whether the capture kept less of the UDP datagram being decoded than its header states. */
static bool datagram_cut_by_capture(const OddportPacket *packet)
{
    return packet->payload_captured < packet->payload_length;
}

/* A datagram on a tunnel's port whose tunnel header is not all there. When the capture cut it,
 * the datagram most likely was the tunnel, and the flow inside cannot be named: truncated. When
 * it is a first IP fragment, the rest of those headers went on in the later fragments, and it is
 * counted as they are, a fragment whose flow cannot be named. When the whole datagram is there
 * and still too short, it is something else on that port, and stays in its own UDP flow. */
static OddportDecodeStatus tunnel_header_missing(const OddportPacket *packet)
{
    if (packet->is_first_fragment)
        return ODDPORT_SKIP_FRAGMENT;
    return datagram_cut_by_capture(packet) ? ODDPORT_SKIP_TRUNCATED : ODDPORT_DECODE_OK;
}

/* Decodes what a UDP tunnel carries into a copy of the packet, so that whatever the inner bytes
 * turn out to be, the outer UDP flow is still there to fall back on.
 *
 * The inner frame replaces the outer datagram only when it decodes to a TCP/UDP segment. When it
 * holds something else (ARP or an ICMP echo between the tunnelled hosts, a header that makes no
 * sense, or bytes that only happen to pass for a tunnel header on the tunnel's port) the datagram
 * is counted in its outer UDP flow, where it is truly a packet between the two tunnel endpoints,
 * instead of vanishing from the report.
 *
 * One failure is kept: an inner header cut short by the capture's snapshot length while the
 * tunnel header was complete. That packet does belong to an inner flow, one that cannot be named;
 * counting it in the outer flow would give the endpoints' flow packets of every tunnelled
 * connection whose frames happened to be cut (often all of them, with a short snapshot length),
 * so it is counted as truncated. An inner header that is short although the whole datagram was
 * captured is no tunnel's doing, and falls back like any other failure. Going deeper than the
 * tunnel limit stays a failure too: the limit must bound the work whatever the bytes say. */
static OddportDecodeStatus decode_udp_tunnel(uint16_t inner_protocol, OddportCursor inner_cursor,
                                             OddportPacket *packet)
{
    OddportPacket inner = *packet;
    OddportDecodeStatus status = enter_tunnel(&inner);
    if (status == ODDPORT_DECODE_OK)
        status = decode_encapsulated(inner_protocol, inner_cursor, &inner);
    switch (status) {
    case ODDPORT_DECODE_OK:
        *packet = inner;
        return ODDPORT_DECODE_OK;
    case ODDPORT_SKIP_TUNNEL_TOO_DEEP:
        return status;
    case ODDPORT_SKIP_TRUNCATED:
        return tunnel_header_missing(packet);
    default:
        return ODDPORT_DECODE_OK;
    }
}

/* VXLAN (RFC 7348): flags with the I bit (valid VNI), 24 reserved bits, the VNI, 8 reserved bits,
 * then an Ethernet frame. Its header has nothing else to check, so the reserved bits being zero is
 * what tells VXLAN from other traffic on 4789. The group policy extension (draft-smith-vxlan-group-
 * policy, Linux and ACI fabrics) puts its G flag, D and A bits and a policy id into reserved space;
 * those are allowed when G is set. */
static OddportDecodeStatus decode_vxlan(OddportCursor cursor, OddportPacket *packet)
{
    uint8_t flags = 0;
    uint8_t policy_flags = 0;
    uint16_t group_policy = 0;
    uint32_t network_id;
    uint8_t reserved;
    if (!oddport_cursor_u8(&cursor, &flags) || !oddport_cursor_u8(&cursor, &policy_flags) ||
        !oddport_cursor_be16(&cursor, &group_policy) ||
        !oddport_cursor_be24(&cursor, &network_id) || !oddport_cursor_u8(&cursor, &reserved))
        return tunnel_header_missing(packet);
    bool group_policy_used = flags & 0x80;
    bool reserved_bits_clear =
        (flags & ~0x88u) == 0 && reserved == 0 &&
        (group_policy_used ? (policy_flags & ~0x48u) == 0 : policy_flags == 0 && group_policy == 0);
    if ((flags & 0x08) == 0 || !reserved_bits_clear)
        return ODDPORT_DECODE_OK; /* not VXLAN after all: keep the outer UDP flow */
    return decode_udp_tunnel(ETHERTYPE_TRANSPARENT_ETHERNET, cursor, packet);
}

/* Geneve (RFC 8926): version 0 in the top two bits with the options' length in 4-byte words, the
 * O and C flags, an ethertype (0x6558 for Ethernet), the VNI, a reserved byte, then the options.
 * Receivers must ignore the reserved bits, so they are not checked here. */
static OddportDecodeStatus decode_geneve(OddportCursor cursor, OddportPacket *packet)
{
    uint8_t version_and_options_length;
    uint8_t flags;
    uint16_t protocol;
    uint32_t network_id;
    uint8_t reserved;
    if (!oddport_cursor_u8(&cursor, &version_and_options_length) ||
        !oddport_cursor_u8(&cursor, &flags) || !oddport_cursor_be16(&cursor, &protocol) ||
        !oddport_cursor_be24(&cursor, &network_id) || !oddport_cursor_u8(&cursor, &reserved))
        return tunnel_header_missing(packet);
    if ((version_and_options_length >> 6) != 0)
        return ODDPORT_DECODE_OK;
    if (!oddport_cursor_skip(&cursor, (size_t)(version_and_options_length & 0x3f) * 4))
        return tunnel_header_missing(packet);
    return decode_udp_tunnel(protocol, cursor, packet);
}

/* VXLAN-GPE (draft-ietf-nvo3-vxlan-gpe): flags with P (a next protocol is named), 16 bits of
 * which early drafts used the first two for the version, the next protocol (1 IPv4, 2 IPv6,
 * 3 Ethernet), the VNI and a reserved byte. The current draft moved the version into the flags
 * byte (its bits 0x30); both places must hold version 0. */
static OddportDecodeStatus decode_vxlan_gpe(OddportCursor cursor, OddportPacket *packet)
{
    uint8_t flags = 0;
    uint8_t early_version = 0;
    uint8_t reserved;
    uint8_t next_protocol = 0;
    uint32_t network_id;
    uint8_t last_reserved;
    if (!oddport_cursor_u8(&cursor, &flags) || !oddport_cursor_u8(&cursor, &early_version) ||
        !oddport_cursor_u8(&cursor, &reserved) || !oddport_cursor_u8(&cursor, &next_protocol) ||
        !oddport_cursor_be24(&cursor, &network_id) || !oddport_cursor_u8(&cursor, &last_reserved))
        return tunnel_header_missing(packet);
    if ((flags & 0x04) == 0 || (flags & 0x30) != 0 || (early_version & 0xc0) != 0)
        return ODDPORT_DECODE_OK;
    switch (next_protocol) {
    case 1:
        return decode_udp_tunnel(ETHERTYPE_IPV4, cursor, packet);
    case 2:
        return decode_udp_tunnel(ETHERTYPE_IPV6, cursor, packet);
    case 3:
        return decode_udp_tunnel(ETHERTYPE_TRANSPARENT_ETHERNET, cursor, packet);
    default:
        return ODDPORT_DECODE_OK; /* NSH, MPLS, ...: the outer UDP flow stays */
    }
}

/* GTP-U (3GPP TS 29.281) carries subscribers' IP packets in mobile networks; only G-PDU
 * messages hold one. */
static OddportDecodeStatus decode_gtp_user(OddportCursor cursor, OddportPacket *packet)
{
    uint8_t flags = 0;
    uint8_t message_type = 0;
    uint16_t length;
    uint32_t tunnel_id;
    if (!oddport_cursor_u8(&cursor, &flags) || !oddport_cursor_u8(&cursor, &message_type) ||
        !oddport_cursor_be16(&cursor, &length) || !oddport_cursor_be32(&cursor, &tunnel_id))
        return tunnel_header_missing(packet);
    if ((flags >> 5) != 1 || (flags & 0x10) == 0 || message_type != 0xff)
        return ODDPORT_DECODE_OK;
    oddport_cursor_narrow(&cursor, length);
    if (flags & 0x07) {
        uint16_t sequence;
        uint8_t pdu_number;
        uint8_t next_extension;
        if (!oddport_cursor_be16(&cursor, &sequence) || !oddport_cursor_u8(&cursor, &pdu_number) ||
            !oddport_cursor_u8(&cursor, &next_extension))
            return tunnel_header_missing(packet);
        for (unsigned count = 0; next_extension != 0; count++) {
            uint8_t units;
            if (count >= 8)
                return ODDPORT_DECODE_OK;
            if (!oddport_cursor_u8(&cursor, &units))
                return tunnel_header_missing(packet);
            if (units == 0)
                return ODDPORT_DECODE_OK;
            if (!oddport_cursor_skip(&cursor, (size_t)units * 4 - 2) ||
                !oddport_cursor_u8(&cursor, &next_extension))
                return tunnel_header_missing(packet);
        }
    }
    /* GTP-U names no protocol: the IP version nibble tells IPv4 from IPv6. */
    return decode_udp_tunnel(ETHERTYPE_IPV4, cursor, packet);
}

static OddportDecodeStatus decode_transport(uint8_t protocol, OddportCursor cursor,
                                            size_t stated_length, OddportPacket *packet)
{
    packet->transport = protocol;
    OddportCursor header;
    if (protocol == IP_PROTOCOL_TCP) {
        uint32_t acknowledgment = 0;
        uint8_t data_offset = 0;
        if (!oddport_cursor_sub(&cursor, TCP_HEADER_READ_LENGTH, &header))
            return ODDPORT_SKIP_TRUNCATED;
        oddport_cursor_be16(&header, &packet->source_port);
        oddport_cursor_be16(&header, &packet->destination_port);
        oddport_cursor_be32(&header, &packet->sequence);
        oddport_cursor_be32(&header, &acknowledgment);
        oddport_cursor_u8(&header, &data_offset);
        oddport_cursor_u8(&header, &packet->tcp_flags);
        size_t header_length = (size_t)(data_offset >> 4) * 4;
        if (header_length < 20 || header_length > stated_length)
            return ODDPORT_SKIP_MALFORMED_TRANSPORT;
        /* A snapshot length may end inside the options, as a header-only capture's 68 bytes do
         * with IPv6: the ports, sequence number and flags before them are all the flow needs,
         * and the segment's payload was not captured. */
        size_t options_length = header_length - TCP_HEADER_READ_LENGTH;
        oddport_cursor_skip(&cursor, cursor.left < options_length ? cursor.left : options_length);
        packet->payload_length = stated_length - header_length;
    } else {
        uint16_t length = 0;
        uint16_t checksum = 0;
        if (!oddport_cursor_sub(&cursor, UDP_HEADER_LENGTH, &header))
            return ODDPORT_SKIP_TRUNCATED;
        oddport_cursor_be16(&header, &packet->source_port);
        oddport_cursor_be16(&header, &packet->destination_port);
        oddport_cursor_be16(&header, &length);
        oddport_cursor_be16(&header, &checksum);
        /* IPv6 jumbograms carry a zero UDP length; elsewhere it must cover the header. */
        size_t udp_length = length != 0 ? length : stated_length;
        /* A first fragment holds the start of a datagram whose length counts the fragments that
         * follow too: its ports and first bytes are here, the rest is not. */
        if (packet->is_first_fragment && udp_length > stated_length)
            udp_length = stated_length;
        if (udp_length < 8 || udp_length > stated_length)
            return ODDPORT_SKIP_MALFORMED_TRANSPORT;
        oddport_cursor_narrow(&cursor, udp_length - 8);
        packet->payload_length = udp_length - 8;
    }
    packet->payload = cursor.data;
    packet->payload_captured = cursor.left;
    if (protocol != IP_PROTOCOL_UDP)
        return ODDPORT_DECODE_OK;
    switch (packet->destination_port) {
    case VXLAN_PORT:
        return decode_vxlan(cursor, packet);
    case VXLAN_GPE_PORT:
        return decode_vxlan_gpe(cursor, packet);
    case GENEVE_PORT:
        return decode_geneve(cursor, packet);
    default:
        break;
    }
    if (packet->destination_port == GTP_USER_PORT || packet->source_port == GTP_USER_PORT)
        return decode_gtp_user(cursor, packet);
    return ODDPORT_DECODE_OK;
}

/* The BSD loopback header holds the sender's AF_ value in its own byte order; IPv6's value
 * differs between operating systems (10 Linux, 24 NetBSD/OpenBSD, 28 FreeBSD, 30 macOS). */
static OddportDecodeStatus decode_loopback(OddportCursor cursor, bool network_order,
                                           OddportPacket *packet)
{
    OddportCursor probe = cursor;
    uint32_t family;
    if (network_order ? !oddport_cursor_be32(&probe, &family)
                      : !oddport_cursor_le32(&probe, &family))
        return ODDPORT_SKIP_TRUNCATED;
    if (!network_order && family > 0xffff) {
        probe = cursor;
        oddport_cursor_be32(&probe, &family);
    }
    switch (family) {
    case 2:
    case 10:
    case 24:
    case 28:
    case 30:
        return decode_ip(probe, packet);
    default:
        return ODDPORT_SKIP_NOT_IP;
    }
}

enum { NFLOG_FAMILY_IPV4 = 2, NFLOG_FAMILY_IPV6 = 10, NFLOG_PAYLOAD = 9 };

/* LINKTYPE_NFLOG (Linux netfilter's log target): family, version 0 and resource id, then
 * type-length-value attributes, each padded to 4 bytes; the payload attribute holds the IP packet.
 * Attribute lengths and types are in the byte order of the host that wrote the capture, and
 * nothing in the file says which that was (Wireshark hands them over in its own host's order).
 * Attribute types are small numbers, so of the two bytes of the first type the zero one is the
 * high half: that tells the order. */
static OddportDecodeStatus decode_nflog(OddportCursor cursor, OddportPacket *packet)
{
    uint8_t family;
    uint8_t version;
    uint16_t resource_id;
    uint8_t first_type_high_if_little_endian;
    if (!oddport_cursor_u8(&cursor, &family) || !oddport_cursor_u8(&cursor, &version) ||
        !oddport_cursor_be16(&cursor, &resource_id) ||
        !oddport_cursor_peek_u8(&cursor, 3, &first_type_high_if_little_endian))
        return ODDPORT_SKIP_TRUNCATED;
    if (version != 0 || (family != NFLOG_FAMILY_IPV4 && family != NFLOG_FAMILY_IPV6))
        return ODDPORT_SKIP_NOT_IP;
    bool little_endian = first_type_high_if_little_endian == 0;
    /* Every attribute is at least 4 bytes long, so the walk ends with the frame. */
    for (;;) {
        uint16_t length;
        uint16_t type;
        if (little_endian
                ? !oddport_cursor_le16(&cursor, &length) || !oddport_cursor_le16(&cursor, &type)
                : !oddport_cursor_be16(&cursor, &length) || !oddport_cursor_be16(&cursor, &type))
            return cursor.left == 0 ? ODDPORT_SKIP_NOT_IP : ODDPORT_SKIP_TRUNCATED;
        if (length < 4)
            return ODDPORT_SKIP_NOT_IP;
        size_t value_length = (size_t)length - 4;
        /* The top two bits of a netlink attribute type are flags (nested, network byte order). */
        if ((type & 0x3fff) == NFLOG_PAYLOAD) {
            oddport_cursor_narrow(&cursor, value_length);
            return decode_ip(cursor, packet);
        }
        if (!oddport_cursor_skip(&cursor, (value_length + 3) & ~(size_t)3))
            return ODDPORT_SKIP_TRUNCATED;
    }
}

/* The 802.11 frame control field's bits (IEEE 802.11-2020 section 9.2.4.1). */
enum {
    IEEE802_11_TYPE_DATA = 2,
    IEEE802_11_SUBTYPE_NO_DATA = 0x4,
    IEEE802_11_SUBTYPE_QOS = 0x8,
    IEEE802_11_TO_DS = 0x01,
    IEEE802_11_FROM_DS = 0x02,
    IEEE802_11_PROTECTED = 0x40,
    IEEE802_11_ORDER = 0x80,
    IEEE802_11_QOS_AMSDU = 0x80,
};

/* An 802.11 data frame down to its LLC/SNAP ethertype. Management and control frames, and data
 * frames without data (null functions), carry no IP; protected frames carry it encrypted. The
 * MAC header is 24 bytes, 30 with the fourth address of a frame between two access points
 * (ToDS and FromDS both set), 2 more with QoS control, 4 more with HT control (QoS data frames
 * with the Order bit). Radiotap's data-pad flag says the header was padded to 4 bytes. An A-MSDU
 * packs several frames; the first, behind its own 14-byte subframe header, decides the flow. */
static OddportDecodeStatus decode_ieee802_11(OddportCursor cursor, bool header_padded,
                                             OddportPacket *packet)
{
    uint8_t frame_control;
    uint8_t flags = 0;
    if (!oddport_cursor_u8(&cursor, &frame_control) || !oddport_cursor_u8(&cursor, &flags))
        return ODDPORT_SKIP_TRUNCATED;
    unsigned version = frame_control & 0x3;
    unsigned type = (frame_control >> 2) & 0x3;
    unsigned subtype = frame_control >> 4;
    if (version != 0 || type != IEEE802_11_TYPE_DATA || (subtype & IEEE802_11_SUBTYPE_NO_DATA))
        return ODDPORT_SKIP_NOT_IP;
    if (flags & IEEE802_11_PROTECTED)
        return ODDPORT_SKIP_ENCRYPTED;
    /* Duration, three addresses, sequence control. */
    size_t header_length = 24;
    if (!oddport_cursor_skip(&cursor, 22))
        return ODDPORT_SKIP_TRUNCATED;
    if ((flags & (IEEE802_11_TO_DS | IEEE802_11_FROM_DS)) ==
        (IEEE802_11_TO_DS | IEEE802_11_FROM_DS)) {
        if (!oddport_cursor_skip(&cursor, 6))
            return ODDPORT_SKIP_TRUNCATED;
        header_length += 6;
    }
    bool aggregate = false;
    if (subtype & IEEE802_11_SUBTYPE_QOS) {
        uint8_t qos_low;
        uint8_t qos_high;
        if (!oddport_cursor_u8(&cursor, &qos_low) || !oddport_cursor_u8(&cursor, &qos_high))
            return ODDPORT_SKIP_TRUNCATED;
        aggregate = qos_low & IEEE802_11_QOS_AMSDU;
        header_length += 2;
        if (flags & IEEE802_11_ORDER) {
            if (!oddport_cursor_skip(&cursor, 4))
                return ODDPORT_SKIP_TRUNCATED;
            header_length += 4;
        }
    }
    if (header_padded && !oddport_cursor_skip(&cursor, (4 - header_length % 4) % 4))
        return ODDPORT_SKIP_TRUNCATED;
    if (aggregate) {
        uint16_t subframe_length;
        if (!oddport_cursor_skip(&cursor, 12) || !oddport_cursor_be16(&cursor, &subframe_length))
            return ODDPORT_SKIP_TRUNCATED;
        oddport_cursor_narrow(&cursor, subframe_length);
    }
    /* LLC/SNAP: DSAP and SSAP 0xaa, UI, then the RFC 1042 (00-00-00) or 802.1H bridge-tunnel
     * (00-00-f8) organisation code, both followed by an ethertype. */
    const uint8_t *snap = NULL;
    uint16_t ethertype;
    if (!oddport_cursor_bytes(&cursor, 6, &snap) || !oddport_cursor_be16(&cursor, &ethertype))
        return ODDPORT_SKIP_TRUNCATED;
    if (snap[0] != 0xaa || snap[1] != 0xaa || snap[2] != 0x03 || snap[3] != 0 || snap[4] != 0 ||
        (snap[5] != 0 && snap[5] != 0xf8))
        return ODDPORT_SKIP_NOT_IP;
    return decode_ethertype(ethertype, cursor, packet);
}

enum { RADIOTAP_PRESENT_TSFT = 0x1, RADIOTAP_PRESENT_FLAGS = 0x2 };
#define RADIOTAP_PRESENT_MORE 0x80000000u
enum { RADIOTAP_FLAG_DATA_PAD = 0x20 };

/* Radiotap (radiotap.org): version 0, a pad byte, the header's length and one or more "present"
 * words, all little-endian, then the fields they announce, each aligned to its own size from the
 * header's start. Only the Flags field matters here, for its data-pad bit; it follows the
 * 8-byte TSFT field when that is present. */
static OddportDecodeStatus decode_radiotap(OddportCursor cursor, OddportPacket *packet)
{
    uint8_t version;
    uint8_t pad;
    uint16_t length;
    OddportCursor fixed_part = cursor;
    if (!oddport_cursor_u8(&fixed_part, &version) || !oddport_cursor_u8(&fixed_part, &pad) ||
        !oddport_cursor_le16(&fixed_part, &length))
        return ODDPORT_SKIP_TRUNCATED;
    if (version != 0 || length < 8)
        return ODDPORT_SKIP_NOT_IP;
    OddportCursor header;
    if (!oddport_cursor_sub(&cursor, length, &header))
        return ODDPORT_SKIP_TRUNCATED;
    size_t header_start_left = header.left;
    uint32_t first_present = 0;
    uint32_t present;
    oddport_cursor_skip(&header, 4);
    for (unsigned word = 0;; word++) {
        if (!oddport_cursor_le32(&header, &present))
            return ODDPORT_SKIP_NOT_IP;
        if (word == 0)
            first_present = present;
        if ((present & RADIOTAP_PRESENT_MORE) == 0)
            break;
    }
    uint8_t flags = 0;
    if (first_present & RADIOTAP_PRESENT_FLAGS) {
        if (first_present & RADIOTAP_PRESENT_TSFT) {
            size_t offset = header_start_left - header.left;
            if (!oddport_cursor_skip(&header, (8 - offset % 8) % 8 + 8))
                return ODDPORT_SKIP_NOT_IP;
        }
        if (!oddport_cursor_u8(&header, &flags))
            return ODDPORT_SKIP_NOT_IP;
    }
    return decode_ieee802_11(cursor, flags & RADIOTAP_FLAG_DATA_PAD, packet);
}

OddportDecodeStatus oddport_decode_frame(uint32_t link_type, const uint8_t *frame,
                                         size_t captured_length, OddportPacket *packet)
{
    /* Cleared in two parts: as one memset of its 88 bytes, GCC emits `rep stosq`, whose start
     * costs more than the stores themselves in a call made for every packet (4% of a one-thread
     * run over 4M packets of long flows); 64 bytes and the rest become a few vector stores. */
    _Static_assert(sizeof *packet > 64 && sizeof *packet <= 128, "two parts clear a packet");
    memset(packet, 0, 64);
    memset((char *)packet + 64, 0, sizeof *packet - 64);
    OddportCursor cursor = oddport_cursor_make(frame, captured_length);
    uint16_t protocol;
    switch (link_type) {
    case LINKTYPE_ETHERNET:
        return decode_ethernet(cursor, packet);
    case LINKTYPE_RAW:
    case LINKTYPE_RAW_OPENBSD:
    case LINKTYPE_RAW_BSDOS:
    case LINKTYPE_IPV4:
    case LINKTYPE_IPV6:
        return decode_ip(cursor, packet);
    case LINKTYPE_NULL:
        return decode_loopback(cursor, false, packet);
    case LINKTYPE_LOOP:
        return decode_loopback(cursor, true, packet);
    case LINKTYPE_LINUX_SLL:
        if (!oddport_cursor_skip(&cursor, 14) || !oddport_cursor_be16(&cursor, &protocol))
            return ODDPORT_SKIP_TRUNCATED;
        return decode_ethertype(protocol, cursor, packet);
    case LINKTYPE_LINUX_SLL2:
        if (!oddport_cursor_be16(&cursor, &protocol) || !oddport_cursor_skip(&cursor, 18))
            return ODDPORT_SKIP_TRUNCATED;
        return decode_ethertype(protocol, cursor, packet);
    case LINKTYPE_PPP:
    case LINKTYPE_PPP_HDLC:
        return decode_ppp(cursor, packet);
    case LINKTYPE_C_HDLC:
        return decode_cisco_hdlc(cursor, packet);
    case LINKTYPE_NFLOG:
        return decode_nflog(cursor, packet);
    case LINKTYPE_IEEE802_11_RADIOTAP:
        return decode_radiotap(cursor, packet);
    case LINKTYPE_IEEE802_11:
        return decode_ieee802_11(cursor, false, packet);
    default:
        return ODDPORT_SKIP_UNSUPPORTED_LINK_TYPE;
    }
}

const uint32_t *oddport_decode_link_types(size_t *count)
{
    /* Every case of oddport_decode_frame's switch; the unit tests hold the two together. */
    static const uint32_t link_types[] = {
        LINKTYPE_NULL,       LINKTYPE_ETHERNET, LINKTYPE_PPP,       LINKTYPE_RAW_OPENBSD,
        LINKTYPE_RAW_BSDOS,  LINKTYPE_PPP_HDLC, LINKTYPE_RAW,       LINKTYPE_C_HDLC,
        LINKTYPE_IEEE802_11, LINKTYPE_LOOP,     LINKTYPE_LINUX_SLL, LINKTYPE_IEEE802_11_RADIOTAP,
        LINKTYPE_IPV4,       LINKTYPE_IPV6,     LINKTYPE_NFLOG,     LINKTYPE_LINUX_SLL2,
    };
    *count = sizeof link_types / sizeof link_types[0];
    return link_types;
}

const char *oddport_link_type_name(uint32_t link_type, char buffer[24])
{
    switch (link_type) {
    case LINKTYPE_NULL:
        return "null";
    case LINKTYPE_ETHERNET:
        return "ethernet";
    case LINKTYPE_PPP:
        return "ppp";
    case LINKTYPE_PPP_HDLC:
        return "ppp-hdlc";
    case LINKTYPE_RAW:
    case LINKTYPE_RAW_OPENBSD:
    case LINKTYPE_RAW_BSDOS:
        return "raw";
    case LINKTYPE_C_HDLC:
        return "c-hdlc";
    case LINKTYPE_IEEE802_11:
        return "ieee802-11";
    case LINKTYPE_LOOP:
        return "loop";
    case LINKTYPE_LINUX_SLL:
        return "linux-sll";
    case LINKTYPE_IEEE802_11_RADIOTAP:
        return "ieee802-11-radiotap";
    case LINKTYPE_IPV4:
        return "ipv4";
    case LINKTYPE_IPV6:
        return "ipv6";
    case LINKTYPE_NFLOG:
        return "nflog";
    case LINKTYPE_LINUX_SLL2:
        return "linux-sll2";
    default:
        snprintf(buffer, 24, "linktype-%u", (unsigned)link_type);
        return buffer;
    }
}

/* Dotted decimal, each octet through the decimal writer: reports write two addresses a flow. */
static char *put_ipv4(char *out, const uint8_t *bytes)
{
    for (unsigned index = 0; index < 4; index++) {
        out += oddport_decimal_write(bytes[index], out);
        if (index < 3)
            *out++ = '.';
    }
    *out = '\0';
    return out;
}

static char *put_hex_word(char *out, unsigned word)
{
    static const char hex[] = "0123456789abcdef";
    bool started = false;
    for (int shift = 12; shift >= 0; shift -= 4) {
        unsigned digit = (word >> shift) & 0xf;
        if (digit != 0 || started || shift == 0) {
            *out++ = hex[digit];
            started = true;
        }
    }
    return out;
}

/* RFC 5952 text, written the way the C library's inet_ntop writes it (the longest run of two or
 * more zero words becomes "::", the first of equal runs; IPv4-mapped and -compatible addresses
 * end in dotted quads), without going through printf for every word. */
static void put_ipv6(char *out, const uint8_t *bytes)
{
    unsigned words[8];
    for (unsigned index = 0; index < 8; index++)
        words[index] = (unsigned)bytes[2 * index] << 8 | bytes[2 * index + 1];
    int best_start = -1;
    int best_length = 0;
    for (int index = 0; index < 8;) {
        if (words[index] != 0) {
            index++;
            continue;
        }
        int start = index;
        while (index < 8 && words[index] == 0)
            index++;
        if (index - start > best_length) {
            best_start = start;
            best_length = index - start;
        }
    }
    if (best_length < 2)
        best_start = -1;
    for (int index = 0; index < 8; index++) {
        if (index == best_start) {
            *out++ = ':';
            index += best_length - 1;
            if (index == 7)
                *out++ = ':';
            continue;
        }
        if (index > 0)
            *out++ = ':';
        if (index == 6 && best_start == 0 &&
            (best_length == 6 || (best_length == 5 && words[5] == 0xffff))) {
            put_ipv4(out, bytes + 12);
            return;
        }
        out = put_hex_word(out, words[index]);
    }
    *out = '\0';
}

void oddport_address_to_text(const OddportAddress *address, char text[ODDPORT_ADDRESS_TEXT_MAX])
{
    if (address->family == 6)
        put_ipv6(text, address->bytes);
    else
        put_ipv4(text, address->bytes);
}
