#!/usr/bin/env python3
# Writes the fuzz seed corpora in tests/fuzz/seeds/ from the recorded captures in captures/, the
# capture of TLS hellos that tests/crosscheck/write-tls-hellos writes, the test certificates, and
# oddport's own reports of parts of the recorded captures. Run from anywhere:
#   python3 tests/fuzz/make-seeds.py BUILD/tests/crosscheck/write-tls-hellos BUILD/src/cli/oddport
# The seeds are committed; this script says where they came from and makes them again if the
# captures are re-recorded.
import gzip
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CAPTURES = os.path.join(HERE, "..", "..", "captures")
SEEDS = os.path.join(HERE, "seeds")

LINKTYPE_NULL, LINKTYPE_ETHERNET, LINKTYPE_PPP, LINKTYPE_RAW_OPENBSD = 0, 1, 9, 12
LINKTYPE_RAW_BSDOS, LINKTYPE_PPP_HDLC, LINKTYPE_RAW, LINKTYPE_LOOP = 14, 50, 101, 108
LINKTYPE_LINUX_SLL, LINKTYPE_IPV4, LINKTYPE_IPV6, LINKTYPE_LINUX_SLL2 = 113, 228, 229, 276
LINKTYPE_C_HDLC, LINKTYPE_IEEE802_11, LINKTYPE_IEEE802_11_RADIOTAP = 104, 105, 127
LINKTYPE_NFLOG = 239


def read_pcap(path):
    """(link type, [(seconds, fraction, frame)]) of a little-endian pcap file."""
    with open(path, "rb") as f:
        data = f.read()
    magic, _, _, _, _, _, link_type = struct.unpack_from("<IHHiIII", data, 0)
    assert magic in (0xA1B2C3D4, 0xA1B23C4D), path
    records, offset = [], 24
    while offset + 16 <= len(data):
        seconds, fraction, captured, _ = struct.unpack_from("<IIII", data, offset)
        records.append((seconds, fraction, data[offset + 16 : offset + 16 + captured]))
        offset += 16 + captured
    return link_type, records


def pcap_bytes(records, link_type):
    """A little-endian pcap file of (seconds, fraction, frame) records, each whole."""
    header = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, link_type)
    return header + b"".join(struct.pack("<IIII", seconds, fraction, len(frame), len(frame)) + frame
                             for seconds, fraction, frame in records)


def ip_of_ethernet(frame):
    """The IP datagram of an untagged Ethernet frame, or None."""
    if len(frame) < 14 or frame[12:14] not in (b"\x08\x00", b"\x86\xdd"):
        return None
    return frame[14:]


def flow_parts(ip):
    """(key, direction key, transport, payload, flags) of a TCP/UDP datagram, or None."""
    version = ip[0] >> 4
    if version == 4:
        header = (ip[0] & 15) * 4
        protocol, source, destination = ip[9], ip[12:16], ip[16:20]
        total = struct.unpack_from(">H", ip, 2)[0]
        body = ip[header:total]
    elif version == 6:
        protocol, source, destination = ip[6], ip[8:24], ip[24:40]
        body = ip[40 : 40 + struct.unpack_from(">H", ip, 4)[0]]
    else:
        return None
    if protocol not in (6, 17) or len(body) < 8:
        return None
    source_port, destination_port = struct.unpack_from(">HH", body, 0)
    if protocol == 6:
        payload, flags = body[(body[12] >> 4) * 4 :], body[13]
    else:
        payload, flags = body[8:], 0
    one, other = (source, source_port), (destination, destination_port)
    key = (protocol,) + tuple(sorted([one, other]))
    return key, one, protocol, payload, flags


def write(folder, name, data):
    os.makedirs(os.path.join(SEEDS, folder), exist_ok=True)
    with open(os.path.join(SEEDS, folder, name), "wb") as f:
        f.write(data)


def link_wrappings(ip):
    """The same IP datagram behind every other link layer oddport decodes."""
    v6 = ip[0] >> 4 == 6
    ethertype = b"\x86\xdd" if v6 else b"\x08\x00"
    ppp_protocol = b"\x00\x57" if v6 else b"\x00\x21"
    family_le = struct.pack("<I", 30 if v6 else 2)  # BSD AF_INET6 varies; 30 is macOS
    family_be = struct.pack(">I", 24 if v6 else 2)
    sll = b"\x00\x00\x03\x04\x00\x06" + b"\x00" * 8 + ethertype
    sll2 = ethertype + b"\x00\x00" + b"\x00\x00\x00\x01" + b"\x03\x04\x04\x06" + b"\x00" * 8
    mac = b"\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02"
    snap = b"\xaa\xaa\x03\x00\x00\x00" + ethertype

    def wifi_header(qos):
        frame_control = b"\x88" if qos else b"\x08"
        header = frame_control + b"\x01\x00\x00" + mac + mac[:6] + b"\x10\x00"
        return header + (b"\x00\x00" if qos else b"")
    return {
        "null": (LINKTYPE_NULL, family_le + ip),
        "loop": (LINKTYPE_LOOP, family_be + ip),
        "raw": (LINKTYPE_RAW, ip),
        "raw-openbsd": (LINKTYPE_RAW_OPENBSD, ip),
        "raw-bsdos": (LINKTYPE_RAW_BSDOS, ip),
        "ipv": (LINKTYPE_IPV6 if v6 else LINKTYPE_IPV4, ip),
        "ppp": (LINKTYPE_PPP, b"\xff\x03" + ppp_protocol + ip),
        "ppp-hdlc": (LINKTYPE_PPP_HDLC, b"\xff\x03" + ppp_protocol + ip),
        "sll": (LINKTYPE_LINUX_SLL, sll + ip),
        "sll2": (LINKTYPE_LINUX_SLL2, sll2 + ip),
        "vlan": (LINKTYPE_ETHERNET, mac + b"\x81\x00\x00\x2a" + ethertype + ip),
        "qinq": (LINKTYPE_ETHERNET, mac + b"\x88\xa8\x00\x0a\x81\x00\x00\x2a" + ethertype + ip),
        "pppoe": (LINKTYPE_ETHERNET, mac + b"\x88\x64\x11\x00\x00\x2a" +
                  struct.pack(">H", 2 + len(ip)) + ppp_protocol + ip),
        "pppoe-mpls": (LINKTYPE_ETHERNET, mac + b"\x88\x64\x11\x00\x00\x2a" +
                       struct.pack(">H", 6 + len(ip)) + b"\x02\x81\x00\x3e\x81\x40" + ip),
        "c-hdlc": (LINKTYPE_C_HDLC, b"\x0f\x00" + ethertype + ip),
        # NFLOG as a little-endian host writes it: packet header, prefix, payload attributes.
        "nflog": (LINKTYPE_NFLOG, bytes([10 if v6 else 2, 0, 0, 0]) +
                  struct.pack("<HH", 8, 1) + ethertype + b"\x03\x00" +
                  struct.pack("<HH", 7, 10) + b"ab\x00\x00" +
                  struct.pack("<HH", 4 + len(ip), 9) + ip),
        # QoS data to the access point behind radiotap (TSFT, Flags with data-pad, Rate).
        "radiotap": (LINKTYPE_IEEE802_11_RADIOTAP,
                     struct.pack("<BBHI", 0, 0, 18, 0x7) + struct.pack("<QBB", 1, 0x20, 12) +
                     wifi_header(True) + b"\x00\x00" + snap + ip),
        "ieee802-11": (LINKTYPE_IEEE802_11, wifi_header(False) + snap + ip),
    }


def ipv4(protocol, payload):
    """A minimal IPv4 header (checksum left zero: oddport does not check it) around `payload`."""
    return struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, 0, 64, protocol, 0,
                       bytes([192, 0, 2, 1]), bytes([192, 0, 2, 2])) + payload


def udp(source_port, destination_port, payload):
    return struct.pack(">HHHH", source_port, destination_port, 8 + len(payload), 0) + payload


def tunnel_wrappings(ip):
    """The same IP datagram inside the tunnels oddport follows."""
    v6 = ip[0] >> 4 == 6
    inner_ethertype = b"\x86\xdd" if v6 else b"\x08\x00"
    mac = b"\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02"
    return {
        "ipip": ipv4(41 if v6 else 4, ip),
        "gre": ipv4(47, b"\x00\x00" + inner_ethertype + ip),
        "vxlan": ipv4(17, udp(40000, 4789, b"\x08\x00\x00\x00\x00\x00\x01\x00" + mac +
                              inner_ethertype + ip)),
        "gtpu": ipv4(17, udp(2152, 2152, struct.pack(">BBHI", 0x30, 0xFF, len(ip), 1) + ip)),
        "geneve": ipv4(17, udp(40000, 6081, b"\x01\x00\x65\x58\x00\x00\x01\x00" +
                                b"\x01\x02\x80\x00" + mac + inner_ethertype + ip)),
        "vxlan-gpe": ipv4(17, udp(40000, 4790, b"\x0c\x00\x00" + bytes([2 if v6 else 1]) +
                                   b"\x00\x00\x01\x00" + ip)),
        "erspan2": ipv4(47, b"\x10\x00\x88\xbe\x00\x00\x00\x01" + b"\x10\x64\x00\x07" +
                        b"\x00\x00\x00\x00" + mac + inner_ethertype + ip),
        "erspan3": ipv4(47, b"\x10\x00\x22\xeb\x00\x00\x00\x01" + b"\x20\x00\x00\x09" +
                        b"\x01\x02\x03\x04\x00\x00\x00\x01" + b"\x0c\x00\x00\x00" * 2 +
                        mac + inner_ethertype + ip),
    }


def flows_of(records):
    """Per flow: its records, and each direction's payloads in order."""
    flows = {}
    for index, (_, _, frame) in enumerate(records):
        ip = ip_of_ethernet(frame)
        parts = ip and flow_parts(ip)
        if not parts:
            continue
        key, sender, protocol, payload, flags = parts
        flow = flows.setdefault(key, {"records": [], "directions": {}, "protocol": protocol})
        flow["records"].append(index)
        if payload:
            flow["directions"].setdefault(sender, []).append(payload)
    return flows


def write_openings(flows, prefix, limit=2048):
    """Each direction's opening bytes, for the detectors and the side."""
    openings = []
    for key, flow in sorted(flows.items()):
        for sender, payloads in sorted(flow["directions"].items()):
            openings.append((key, sender, b"".join(payloads)[:limit], len(payloads[0])))
    prefixes = {"http": (b"GET ", b"HEAD", b"POST", b"PRI ", b"HTTP", b"<!DO", b"<htm"),
                "tls": (b"\x16\x03",), "ssh": (b"SSH-",)}
    written = set()
    for number, (key, sender, opening, first_length) in enumerate(openings):
        port = sender[1]
        if opening in written:
            continue
        written.add(opening)
        app = next((app for app, starts in prefixes.items() if opening.startswith(starts)), None)
        name = "%s%s-%d-%d" % (prefix, app or "other", port, number)
        # Each detector sees its own protocol and the look-alikes that must stay unknown.
        for target in ("http", "tls", "ssh"):
            if app in (target, None):
                write("fuzz-detect-" + target, name, opening)
        # The side: one segment, then the first segment's cut, reordered, with a retransmission.
        header = bytes([0x04]) + struct.pack(">I", 1000 + number) + b"\x00" * 7
        write("fuzz-side", name + "-whole", header + opening)
        cut = min(first_length, len(opening)) // 2 or 1
        header = (bytes([0x0D]) + struct.pack(">I", 0xFFFFFF00 + number) +
                  struct.pack(">HHH", cut, cut + 7, 0) + bytes([3]))
        write("fuzz-side", name + "-split", header + opening)
        if key[0] == 17:
            write("fuzz-side", name + "-datagram", bytes([0x10]) + b"\x00" * 11 + opening)
        if app == "ssh":
            write_key_exchange_seeds(name, opening, number)


def write_key_exchange_seeds(name, opening, number):
    """Variants of an SSH opening whose KEXINIT follows the banner, for the reading of it."""
    banner_end = opening.find(b"\n") + 1
    if banner_end == 0 or len(opening) < banner_end + 5:
        return
    packet_end = banner_end + 4 + struct.unpack_from(">I", opening, banner_end)[0]
    if packet_end > len(opening) or opening[banner_end + 5] != 20:
        return
    # The side: the banner, half the KEXINIT, the rest, sent last first.
    middle = (banner_end + packet_end) // 2
    header = (bytes([0x06]) + struct.pack(">I", 5000 + number) +
              struct.pack(">HHH", banner_end, middle, 0) + bytes([5]))
    write("fuzz-side", name + "-kexinit-split", header + opening)
    write("fuzz-side", name + "-kexinit-datagram", bytes([0x10]) + b"\x00" * 11 + opening)
    # The detector's target reads the KEXINIT too: after lines before the banner, and with a
    # control byte in its first name-list, which must not be fingerprinted.
    write("fuzz-detect-ssh", name + "-kexinit-after-lines",
          b"Authorised access only.\r\n\r\n" + opening)
    first_list = banner_end + 4 + 1 + 1 + 16 + 4
    if first_list < packet_end:
        damaged = bytearray(opening)
        damaged[first_list] = 0x01
        write("fuzz-detect-ssh", name + "-kexinit-control-byte", bytes(damaged))


def write_tls_seeds(write_tls_hellos):
    """The hellos at the edges of JA3 and JA4, and TLS 1.2 server flights with certificates whole,
    split and cut, as openings (kept to the side's 8 KiB); the test certificates as DER, for the
    certificate reader that fuzz-detect-tls also runs on its input."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "tls-hellos.pcap")
        subprocess.run([write_tls_hellos, path], check=True)
        write_openings(flows_of(read_pcap(path)[1]), "hellos-", limit=8192)
    with open(os.path.join(HERE, "..", "unit", "tls-certificates.h")) as f:
        header = f.read()
    for name, body in re.findall(r"static const uint8_t (\w+)\[\] = \{(.*?)\};", header, re.S):
        der = bytes(int(byte, 16) for byte in re.findall(r"0x([0-9a-f]{2})", body))
        write("fuzz-detect-tls", "der-" + name.replace("_", "-"), der)


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: make-seeds.py BUILD/tests/crosscheck/write-tls-hellos BUILD/src/cli/oddport")
    shutil.rmtree(SEEDS, ignore_errors=True)
    link_type, records = read_pcap(os.path.join(CAPTURES, "loopback.pcap"))
    assert link_type == LINKTYPE_ETHERNET
    flows = flows_of(records)

    # decode: the first SYN and the first two payload frames of each direction of every flow.
    decode_picks = set()
    for flow in flows.values():
        decode_picks.add(flow["records"][0])
        seen = {}
        for index in flow["records"]:
            parts = flow_parts(ip_of_ethernet(records[index][2]))
            if parts[3] and seen.get(parts[1], 0) < 2:
                seen[parts[1]] = seen.get(parts[1], 0) + 1
                decode_picks.add(index)
    for index in sorted(decode_picks):
        frame = records[index][2][:512]
        write("fuzz-decode", "ethernet-%03d" % index, struct.pack(">I", LINKTYPE_ETHERNET) + frame)

    # Other link types and tunnels: one TCP payload frame over IPv4, one over IPv6, one UDP.
    samples = {}
    for index in sorted(decode_picks):
        ip = ip_of_ethernet(records[index][2])
        parts = flow_parts(ip)
        kind = "udp" if parts[2] == 17 else ("tcp6" if ip[0] >> 4 == 6 else "tcp4")
        if parts[3] and kind not in samples:
            samples[kind] = ip[:256]
    for kind, ip in sorted(samples.items()):
        for name, (wrapped_type, frame) in link_wrappings(ip).items():
            write("fuzz-decode", "%s-%s" % (name, kind), struct.pack(">I", wrapped_type) + frame)
        for name, outer in tunnel_wrappings(ip).items():
            write("fuzz-decode", "%s-%s" % (name, kind), struct.pack(">I", LINKTYPE_RAW) + outer)

    # Detectors and sides: the opening bytes of each direction of every flow, and of the legacy
    # openings (HTTP/0.9, NUL-padded SSH banners) that the loopback recording does not hold.
    write_openings(flows, "")
    legacy_type, legacy_records = read_pcap(os.path.join(CAPTURES, "legacy.pcap"))
    assert legacy_type == LINKTYPE_ETHERNET
    write_openings(flows_of(legacy_records), "legacy-")
    write_tls_seeds(sys.argv[1])

    # engine: one small capture per app, cut from the recorded one (the whole captures are read
    # from captures/ directly), plus a pcapng with two link types.
    for app_port, name in ((80, "http"), (4443, "tls"), (2222, "ssh"), (9999, "udp")):
        picked = [index for key, flow in flows.items()
                  if any(port == app_port for _, port in key[1:]) for index in flow["records"]]
        write("fuzz-engine", "%s.pcap" % name,
              pcap_bytes([records[i] for i in sorted(picked)], LINKTYPE_ETHERNET))
    write("fuzz-engine", "two-link-types.pcapng", two_link_types(records, flows))
    write_compressed_seeds()
    write_merge_seeds(sys.argv[2])


def write_merge_seeds(oddport):
    """merge: oddport's JSON and NDJSON reports of each recorded capture cut in two, where flows
    are open across the cut, the parts' reports one after the other with a NUL between them (the
    target splits its input there), and of one whole capture alone."""
    with tempfile.TemporaryDirectory() as folder:
        def report(name, records, link_type, report_format):
            with open(os.path.join(folder, name), "wb") as f:
                f.write(pcap_bytes(records, link_type))
            # Run where the parts lie, so that the reports name them without a folder.
            return subprocess.run([oddport, "-q", "-j", "1", "--format", report_format, name],
                                  cwd=folder, check=True, capture_output=True).stdout

        for capture in ("loopback", "udp", "midstream", "legacy"):
            link_type, records = read_pcap(os.path.join(CAPTURES, capture + ".pcap"))
            middle = len(records) // 2
            for report_format in ("json", "ndjson"):
                parts = [report("%s-1.pcap" % capture, records[:middle], link_type, report_format),
                         report("%s-2.pcap" % capture, records[middle:], link_type, report_format)]
                write("fuzz-merge", "%s-halves.%s" % (capture, report_format), b"\0".join(parts))
        link_type, records = read_pcap(os.path.join(CAPTURES, "udp.pcap"))
        write("fuzz-merge", "udp-whole.json", report("udp.pcap", records, link_type, "json"))


def compress_with_tool(command, data):
    """data compressed by a command-line tool, or None when it is not installed."""
    if shutil.which(command[0]) is None:
        return None
    return subprocess.run(command, input=data, stdout=subprocess.PIPE, check=True).stdout


def write_compressed_seeds():
    """Compressed captures for the engine: the reader decompresses them as it reads."""
    folder = os.path.join(SEEDS, "fuzz-engine")
    with open(os.path.join(folder, "http.pcap"), "rb") as f:
        http = f.read()
    with open(os.path.join(folder, "two-link-types.pcapng"), "rb") as f:
        pcapng = f.read()
    # mtime=0 keeps the bytes the same from run to run.
    write("fuzz-engine", "http.pcap.gz", gzip.compress(http, mtime=0))
    # Two members, split inside a block, as `cat a.gz b.gz` makes.
    half = len(pcapng) // 2 + 1
    write("fuzz-engine", "two-link-types.pcapng.gz",
          gzip.compress(pcapng[:half], mtime=0) + gzip.compress(pcapng[half:], mtime=0))
    for command, name in ((["zstd", "-q", "-c", "--no-progress"], "http.pcap.zst"),
                          (["lz4", "-q", "-c"], "http.pcap.lz4")):
        compressed = compress_with_tool(command, http)
        if compressed is not None:
            write("fuzz-engine", name, compressed)


def pcapng_block(block_type, body):
    body += b"\x00" * (-len(body) % 4)
    length = 12 + len(body)
    return struct.pack("<II", block_type, length) + body + struct.pack("<I", length)


def two_link_types(records, flows):
    """An SSH flow on Ethernet and the same frames as raw IP on a second interface."""
    picked = sorted(index for key, flow in flows.items()
                    if any(port == 22 for _, port in key[1:]) and key[0] == 6
                    for index in flow["records"])[:12]
    data = pcapng_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    data += pcapng_block(1, struct.pack("<HHI", LINKTYPE_ETHERNET, 0, 0))
    # The second interface says nanoseconds (if_tsresol 9).
    data += pcapng_block(1, struct.pack("<HHI", LINKTYPE_RAW, 0, 0) +
                         struct.pack("<HHB3x", 9, 1, 9) + struct.pack("<HH", 0, 0))
    for number, index in enumerate(picked):
        seconds, fraction, frame = records[index]
        interface = number % 2
        if interface == 1:
            frame = frame[14:]
            stamp = seconds * 1000000000 + fraction * 1000
        else:
            stamp = seconds * 1000000 + fraction
        data += pcapng_block(6, struct.pack("<IIIII", interface, stamp >> 32, stamp & 0xFFFFFFFF,
                                            len(frame), len(frame)) + frame)
    return data


if __name__ == "__main__":
    main()
