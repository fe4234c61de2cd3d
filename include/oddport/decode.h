/* Decoding one captured frame from its link layer down to a TCP or UDP segment. */
#ifndef ODDPORT_DECODE_H
#define ODDPORT_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An IPv4 or IPv6 address; IPv4 uses the first four bytes and leaves the rest zero so that
 * addresses compare and hash as plain bytes. */
typedef struct {
    uint8_t family; /* 4 or 6 */
    uint8_t bytes[16];
} OddportAddress;

/* Writes the canonical text form (IPv6 compressed per RFC 5952) into `text`. */
#define ODDPORT_ADDRESS_TEXT_MAX 46
void oddport_address_to_text(const OddportAddress *address, char text[ODDPORT_ADDRESS_TEXT_MAX]);

/* Why a frame gives no TCP/UDP segment. The names are the keys of "skipped_packets". */
typedef enum {
    ODDPORT_DECODE_OK = 0,
    ODDPORT_SKIP_UNSUPPORTED_LINK_TYPE,
    ODDPORT_SKIP_TRUNCATED,    /* the capture cut the frame inside a header */
    ODDPORT_SKIP_NOT_IP,       /* ARP, LLDP, STP, ... */
    ODDPORT_SKIP_MALFORMED_IP, /* impossible version or lengths */
    ODDPORT_SKIP_NOT_TCP_UDP,  /* ICMP, SCTP, ESP, ... */
    /* a later IP fragment, which carries no ports, or a first one that ends inside the headers
     * of the packet a tunnel carries, whose ports are in the later ones */
    ODDPORT_SKIP_FRAGMENT,
    ODDPORT_SKIP_MALFORMED_TRANSPORT, /* impossible TCP data offset or UDP length */
    ODDPORT_SKIP_TUNNEL_TOO_DEEP,     /* more nested tunnels than oddport follows */
    ODDPORT_SKIP_FILTERED,            /* did not match the BPF filter */
    ODDPORT_SKIP_ENCRYPTED,           /* link-layer encryption (protected 802.11) hides the rest */
    /* a packet an earlier capture of the run held already (a repeated or overlapping capture),
     * which would otherwise count twice */
    ODDPORT_SKIP_OVERLAPPING_CAPTURE,
    ODDPORT_SKIP_OUTSIDE_TIME_WINDOW, /* before --since or at or after --until */
} OddportDecodeStatus;

#define ODDPORT_SKIP_REASON_COUNT 13
_Static_assert(ODDPORT_SKIP_OUTSIDE_TIME_WINDOW + 1 == ODDPORT_SKIP_REASON_COUNT,
               "ODDPORT_SKIP_REASON_COUNT counts every status, ODDPORT_DECODE_OK included");

/* TCP flag bits as on the wire. */
enum {
    ODDPORT_TCP_FIN = 0x01,
    ODDPORT_TCP_SYN = 0x02,
    ODDPORT_TCP_RST = 0x04,
    ODDPORT_TCP_ACK = 0x10,
};

typedef struct {
    bool has_vlan;
    uint16_t vlan_id; /* the outermost 802.1Q/802.1ad tag whose id is not 0 (0: priority only) */
    OddportAddress source;
    OddportAddress destination;
    uint8_t transport; /* 6 TCP or 17 UDP */
    uint16_t source_port;
    uint16_t destination_port;
    uint8_t tcp_flags;
    uint32_t sequence;
    /* Payload bytes present in the capture (borrowed from the frame: transfer none), and the
     * payload length the IP header states; they differ when a snapshot length cut the frame. */
    const uint8_t *payload;
    size_t payload_captured;
    size_t payload_length;
    bool is_first_fragment; /* more fragments follow; they are counted but not decoded */
    unsigned tunnel_depth;  /* IP-in-IP, GRE (ERSPAN) or UDP tunnel layers crossed to reach it */
} OddportPacket;

/* Decodes a frame of the given LINKTYPE_* down to TCP/UDP. Returns ODDPORT_DECODE_OK with
 * `packet` filled, or the reason the frame has no segment to offer. Reads only `captured_length`
 * bytes of `frame`; never allocates. */
OddportDecodeStatus oddport_decode_frame(uint32_t link_type, const uint8_t *frame,
                                         size_t captured_length, OddportPacket *packet);

/* The LINKTYPE_* values oddport_decode_frame understands, `count` of them, in no particular
 * order (transfer none: a static table). */
const uint32_t *oddport_decode_link_types(size_t *count);

/* A short name for a link type: "ethernet", "linux-sll", "raw", ..., or "linktype-N" written
 * into `buffer` (transfer none for the known names; `buffer` otherwise). */
const char *oddport_link_type_name(uint32_t link_type, char buffer[24]);

#endif
