#!/usr/bin/env python3
# Writes link-layers.pcapng and link-layers.truth: short TCP conversations behind every link layer
# and encapsulation that oddport decodes beyond plain Ethernet, one interface per link type.
# Run from anywhere: python3 captures/make-link-layers.py [OUTPUT_FOLDER]. The same bytes every
# time (fixed timestamps, no randomness); only the Python 3 standard library is used.
import os
import struct
import sys

LINKTYPE_ETHERNET, LINKTYPE_C_HDLC, LINKTYPE_IEEE802_11 = 1, 104, 105
LINKTYPE_IEEE802_11_RADIOTAP, LINKTYPE_NFLOG = 127, 239
INTERFACES = [LINKTYPE_ETHERNET, LINKTYPE_C_HDLC, LINKTYPE_NFLOG, LINKTYPE_IEEE802_11_RADIOTAP,
              LINKTYPE_IEEE802_11]

HTTP_REQUEST = b"GET /index.html HTTP/1.1\r\nHost: example.test\r\nUser-Agent: link-layers/1\r\n\r\n"
HTTP_RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok"
SSH_CLIENT = b"SSH-2.0-OpenSSH_9.2p1 link-layers\r\n"
SSH_SERVER = b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n"
MAC_CLIENT = bytes.fromhex("020000000001")
MAC_SERVER = bytes.fromhex("020000000002")
MAC_ACCESS_POINT = bytes.fromhex("0200000000aa")


def checksum(data):
    if len(data) % 2:
        data += b"\x00"
    total = sum(struct.unpack(">%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def address(text):
    if ":" in text:
        head, _, tail = text.partition("::")
        head_words = [int(word, 16) for word in head.split(":") if word]
        tail_words = [int(word, 16) for word in tail.split(":") if word]
        words = head_words + [0] * (8 - len(head_words) - len(tail_words)) + tail_words
        return struct.pack(">8H", *words)
    return bytes(int(part) for part in text.split("."))


def ip(source, destination, protocol, payload):
    """An IPv4 or IPv6 header (by the address form) around `payload`, with correct checksums."""
    source, destination = address(source), address(destination)
    if protocol in (6, 17):
        if len(source) == 4:
            pseudo = source + destination + struct.pack(">BBH", 0, protocol, len(payload))
        else:
            pseudo = source + destination + struct.pack(">IxxxB", len(payload), protocol)
        position = 16 if protocol == 6 else 6
        payload = payload[:position] + b"\x00\x00" + payload[position + 2:]
        value = checksum(pseudo + payload) or (0xFFFF if protocol == 17 else 0)
        payload = payload[:position] + struct.pack(">H", value) + payload[position + 2:]
    if len(source) == 4:
        header = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, 0x4000, 64,
                             protocol, 0, source, destination)
        return header[:10] + struct.pack(">H", checksum(header)) + header[12:] + payload
    return struct.pack(">IHBB16s16s", 0x60000000, len(payload), protocol, 64, source,
                       destination) + payload


def tcp(source_port, destination_port, sequence, acknowledgment, flags, payload=b""):
    return struct.pack(">HHIIBBHHH", source_port, destination_port, sequence, acknowledgment,
                       0x50, flags, 64240, 0, 0) + payload


def udp(source_port, destination_port, payload):
    return struct.pack(">HHHH", source_port, destination_port, 8 + len(payload), 0) + payload


def conversation(client, server, client_port, server_port, app):
    """A TCP connection as IP datagrams, each with its direction: handshake, the client's
    opening, the server's answer."""
    asks, answers = (HTTP_REQUEST, HTTP_RESPONSE) if app == "http" else (SSH_CLIENT, SSH_SERVER)
    c, s = 1000, 5000
    return [
        ("c2s", ip(client, server, 6, tcp(client_port, server_port, c, 0, 0x02))),
        ("s2c", ip(server, client, 6, tcp(server_port, client_port, s, c + 1, 0x12))),
        ("c2s", ip(client, server, 6, tcp(client_port, server_port, c + 1, s + 1, 0x18, asks))),
        ("s2c", ip(server, client, 6, tcp(server_port, client_port, s + 1, c + 1 + len(asks),
                                          0x18, answers))),
    ]


def ethernet(ethertype, payload, source=MAC_CLIENT, destination=MAC_SERVER):
    return destination + source + struct.pack(">H", ethertype) + payload


def ethertype_of(datagram):
    return 0x86DD if datagram[0] >> 4 == 6 else 0x0800


def pppoe(datagram, ppp_protocol=None):
    if ppp_protocol is None:
        ppp_protocol = 0x0057 if datagram[0] >> 4 == 6 else 0x0021
    session = struct.pack(">H", ppp_protocol) + datagram
    return ethernet(0x8864, struct.pack(">BBHH", 0x11, 0, 0x2A, len(session)) + session)


def mpls(datagram, labels=(1000, 2000)):
    stack = b""
    for index, label in enumerate(labels):
        bottom = 1 if index == len(labels) - 1 else 0
        stack += struct.pack(">I", label << 12 | bottom << 8 | 64)
    return stack + datagram


def cisco_hdlc(datagram, address_byte=0x0F):
    return struct.pack(">BBH", address_byte, 0, ethertype_of(datagram)) + datagram


def nflog(datagram, prefix=b"oddport-log"):
    """NFLOG as Linux writes it on a little-endian host: attribute lengths and types in host
    order, each attribute padded to 4 bytes; the packet header, a prefix, then the payload."""
    family = 10 if datagram[0] >> 4 == 6 else 2

    def attribute(kind, value):
        body = struct.pack("<HH", 4 + len(value), kind) + value
        return body + b"\x00" * (-len(body) % 4)

    return (struct.pack(">BBH", family, 0, 0) +
            attribute(1, struct.pack(">HBx", ethertype_of(datagram), 3)) +
            attribute(10, prefix + b"\x00") + attribute(9, datagram))


def ieee802_11_data(datagram, to_access_point, qos=True, four_addresses=False, protected=False,
                    pad_to=None):
    """An 802.11 data frame (QoS data unless told otherwise) with LLC/SNAP around `datagram`."""
    subtype = 0x8 if qos else 0x0
    frame_control = 2 << 2 | subtype << 4
    flags = 0x03 if four_addresses else (0x01 if to_access_point else 0x02)
    if protected:
        flags |= 0x40
    if four_addresses:
        addresses = MAC_ACCESS_POINT + MAC_ACCESS_POINT + MAC_SERVER + MAC_CLIENT
    elif to_access_point:
        addresses = MAC_ACCESS_POINT + MAC_CLIENT + MAC_SERVER
    else:
        addresses = MAC_CLIENT + MAC_ACCESS_POINT + MAC_SERVER
    header = struct.pack("<BBH", frame_control, flags, 44) + addresses + struct.pack("<H", 0x10)
    if qos:
        header += struct.pack("<H", 0)
    if pad_to:
        header += b"\x00" * (-len(header) % pad_to)
    body = b"\xaa\xaa\x03\x00\x00\x00" + struct.pack(">H", ethertype_of(datagram)) + datagram
    if protected:
        # CCMP header, then bytes that stand for the ciphertext, then the MIC.
        body = struct.pack("<BBBBBBBB", 1, 0, 0, 0x20, 0, 0, 0, 0) + bytes(len(body)) + bytes(8)
    return header + body


def beacon():
    """A management frame: no IP in it."""
    header = struct.pack("<BBH", 0x80, 0, 0) + b"\xff" * 6 + MAC_ACCESS_POINT * 2 + b"\x00\x00"
    body = struct.pack("<QHH", 0, 100, 0x0411) + b"\x00\x0alink-layer"
    return header + body


def radiotap(frame, data_pad=False, with_fcs=False):
    """Radiotap with TSFT, Flags, Rate, Channel and antenna signal, all aligned as radiotap asks
    (TSFT on 8 bytes, Channel on 2)."""
    flags = (0x20 if data_pad else 0) | (0x10 if with_fcs else 0)
    present = 0x1 | 0x2 | 0x4 | 0x8 | 0x20
    fields = struct.pack("<Q", 123456789) + struct.pack("<BB", flags, 12)
    fields += struct.pack("<HH", 2437, 0x00A0) + struct.pack("<b", -42)
    header = struct.pack("<BBHI", 0, 0, 8 + len(fields), present) + fields
    if with_fcs:
        frame += struct.pack("<I", 0xDEADBEEF)
    return header + frame


def gre(protocol, payload, flags=0, sequence=None):
    header = struct.pack(">HH", flags, protocol)
    if sequence is not None:
        header += struct.pack(">I", sequence)
    return header + payload


def erspan_type_2(frame, session=7, index=0):
    return gre(0x88BE, struct.pack(">II", 1 << 28 | session, index) + frame, flags=0x1000,
               sequence=1)


def erspan_type_3(frame, session=9, platform=True):
    header = struct.pack(">IIHH", 2 << 28 | session, 0x01020304, 0, 0x0001 if platform else 0)
    if platform:
        header += struct.pack(">II", 0x3 << 26, 0x05060708)
    return gre(0x22EB, header + frame, flags=0x1000, sequence=1)


def geneve(frame, protocol=0x6558):
    option = struct.pack(">HBB", 0x0102, 0x80, 1) + b"\x00\x00\x00\x2a"
    header = struct.pack(">BBHI", len(option) // 4, 0, protocol, 0x123456 << 8)
    return header + option + frame


def vxlan_gpe(payload, next_protocol):
    return struct.pack(">BBBBI", 0x0C, 0, 0, next_protocol, 0x000100 << 8) + payload


def vxlan(frame, flags=0x08):
    return struct.pack(">BBHI", flags, 0, 0, 0x000200 << 8) + frame


def arp():
    return ethernet(0x0806, struct.pack(">HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, MAC_CLIENT,
                                        address("10.15.0.1"), bytes(6), address("10.15.0.2")),
                    destination=b"\xff" * 6)


def scenarios():
    """(interface index, frame) in order, and the truth lines."""
    frames, truth = [], []

    def add(interface, packets, wrap):
        for direction, datagram in packets:
            frames.append((interface, wrap(direction, datagram)))

    def expect(transport, server, port, app, nonstandard, severity, description):
        truth.append("\t".join([transport, server, str(port), app, nonstandard, severity,
                                description]))

    # Ethernet: PPPoE sessions with IPv4, IPv6 and MPLS (PPP protocol 0x0281) inside.
    add(0, conversation("10.1.0.1", "10.1.0.2", 40001, 8080, "http"), lambda d, p: pppoe(p))
    expect("tcp", "10.1.0.2", 8080, "http", "true", "alternate", "HTTP over PPPoE, IPv4")
    add(0, conversation("2001:db8:1::1", "2001:db8:1::2", 40002, 2222, "ssh"),
        lambda d, p: pppoe(p))
    expect("tcp", "2001:db8:1::2", 2222, "ssh", "true", "alternate", "SSH over PPPoE, IPv6")
    add(0, conversation("10.1.1.1", "10.1.1.2", 40003, 443, "http"),
        lambda d, p: pppoe(mpls(p), ppp_protocol=0x0281))
    expect("tcp", "10.1.1.2", 443, "http", "true", "masquerade",
           "HTTP over MPLS over PPPoE (PPP protocol 0x0281)")

    # Cisco HDLC (unicast and broadcast address bytes), IPv4 and IPv6.
    add(1, conversation("10.2.0.1", "10.2.0.2", 40004, 22, "ssh"), lambda d, p: cisco_hdlc(p))
    expect("tcp", "10.2.0.2", 22, "ssh", "false", "-", "SSH over Cisco HDLC, IPv4")
    add(1, conversation("2001:db8:2::1", "2001:db8:2::2", 40005, 8000, "http"),
        lambda d, p: cisco_hdlc(p, 0x8F if d == "s2c" else 0x0F))
    expect("tcp", "2001:db8:2::2", 8000, "http", "true", "alternate", "HTTP over Cisco HDLC, IPv6")

    # NFLOG: IPv4 and IPv6.
    add(2, conversation("10.3.0.1", "10.3.0.2", 40006, 443, "ssh"), lambda d, p: nflog(p))
    expect("tcp", "10.3.0.2", 443, "ssh", "true", "masquerade", "SSH logged by NFLOG, IPv4")
    add(2, conversation("2001:db8:3::1", "2001:db8:3::2", 40007, 80, "http"),
        lambda d, p: nflog(p))
    expect("tcp", "2001:db8:3::2", 80, "http", "false", "-", "HTTP logged by NFLOG, IPv6")

    # 802.11 behind radiotap: QoS data with a padded header and an FCS to the access point, plain
    # data back; a four-address (mesh/WDS) conversation; a beacon and an encrypted frame, which
    # give no flow.
    add(3, conversation("10.4.0.1", "10.4.0.2", 40008, 3000, "http"),
        lambda d, p: radiotap(ieee802_11_data(p, True, pad_to=4), True, True) if d == "c2s"
        else radiotap(ieee802_11_data(p, False, qos=False)))
    expect("tcp", "10.4.0.2", 3000, "http", "true", "unexpected",
           "HTTP over 802.11 (radiotap; QoS data with padding and FCS, plain data)")
    add(3, conversation("10.4.1.1", "10.4.1.2", 40009, 22, "ssh"),
        lambda d, p: radiotap(ieee802_11_data(p, True, four_addresses=True)))
    expect("tcp", "10.4.1.2", 22, "ssh", "false", "-", "SSH over four-address 802.11 (radiotap)")
    frames.append((3, radiotap(beacon())))
    frames.append((3, radiotap(ieee802_11_data(conversation("10.4.2.1", "10.4.2.2", 40010, 80,
                                                            "http")[2][1], True,
                                               protected=True))))
    # Plain 802.11 without radiotap.
    add(4, conversation("10.5.0.1", "10.5.0.2", 40011, 8022, "ssh"),
        lambda d, p: ieee802_11_data(p, d == "c2s"))
    expect("tcp", "10.5.0.2", 8022, "ssh", "true", "unexpected", "SSH over 802.11 (no radiotap)")

    # Tunnels on Ethernet.
    def outer_gre(payload):
        return ethernet(0x0800, ip("192.0.2.1", "192.0.2.2", 47, payload))

    def outer_udp(port, payload, source_port=50000):
        return ethernet(0x0800, ip("192.0.2.1", "192.0.2.2", 17, udp(source_port, port, payload)))

    add(0, conversation("10.6.0.1", "10.6.0.2", 40012, 8080, "http"),
        lambda d, p: outer_gre(erspan_type_2(ethernet(0x0800, p))))
    expect("tcp", "10.6.0.2", 8080, "http", "true", "alternate", "HTTP mirrored by ERSPAN type II")
    add(0, conversation("10.7.0.1", "10.7.0.2", 40013, 2222, "ssh"),
        lambda d, p: outer_gre(erspan_type_3(ethernet(0x0800, p))))
    expect("tcp", "10.7.0.2", 2222, "ssh", "true", "alternate",
           "SSH mirrored by ERSPAN type III with the platform-specific subheader")
    add(0, conversation("10.8.0.1", "10.8.0.2", 40014, 80, "http"),
        lambda d, p: outer_udp(6081, geneve(ethernet(0x0800, p))))
    expect("tcp", "10.8.0.2", 80, "http", "false", "-", "HTTP in Geneve (Ethernet, one option)")
    add(0, conversation("2001:db8:8::1", "2001:db8:8::2", 40015, 22, "ssh"),
        lambda d, p: outer_udp(6081, geneve(p, protocol=0x86DD)))
    expect("tcp", "2001:db8:8::2", 22, "ssh", "false", "-", "SSH in Geneve (IPv6 directly)")
    add(0, conversation("10.9.0.1", "10.9.0.2", 40016, 8443, "http"),
        lambda d, p: outer_udp(4790, vxlan_gpe(p, 1)))
    expect("tcp", "10.9.0.2", 8443, "http", "true", "unexpected", "HTTP in VXLAN-GPE (IPv4)")
    add(0, conversation("10.9.1.1", "10.9.1.2", 40017, 2222, "ssh"),
        lambda d, p: outer_udp(4790, vxlan_gpe(ethernet(0x0800, p), 3)))
    expect("tcp", "10.9.1.2", 2222, "ssh", "true", "alternate", "SSH in VXLAN-GPE (Ethernet)")

    # Datagrams on 4789 that are no VXLAN carrying IP: they stay in their own UDP flows.
    frames.append((0, outer_udp(4789, b"\x00\x00\x00\x00hello from port 4789", 50001)))
    frames.append((0, outer_udp(4789, vxlan(arp()), 50002)))
    expect("udp", "192.0.2.2", 4789, "unknown", "false", "-",
           "two UDP flows on 4789: one without the VXLAN I flag, one VXLAN carrying ARP")
    return frames, truth


def block(kind, body):
    body += b"\x00" * (-len(body) % 4)
    return struct.pack("<II", kind, 12 + len(body)) + body + struct.pack("<I", 12 + len(body))


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    frames, truth = scenarios()
    data = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    for link_type in INTERFACES:
        data += block(1, struct.pack("<HHI", link_type, 0, 0))
    start = 1767225600 * 1000000  # 2026-01-01T00:00:00Z, microseconds
    for number, (interface, frame) in enumerate(frames):
        stamp = start + number * 1000
        data += block(6, struct.pack("<IIIII", interface, stamp >> 32, stamp & 0xFFFFFFFF,
                                     len(frame), len(frame)) + frame)
    with open(os.path.join(folder, "link-layers.pcapng"), "wb") as f:
        f.write(data)
    with open(os.path.join(folder, "link-layers.truth"), "w") as f:
        f.write("# Ground truth for link-layers.pcapng, written by make-link-layers.py.\n")
        f.write("# transport\tserver_ip\tserver_port\tapp\tnonstandard\tseverity\tdescription\n")
        f.write("".join(line + "\n" for line in truth))


if __name__ == "__main__":
    main()
