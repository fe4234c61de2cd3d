#!/usr/bin/env python3
"""Checks oddport's TLS fingerprints against tshark's on every flow where tshark computes them.

usage: tls-fingerprints.py [--release MAJOR.MINOR[+]] [--expect-comparisons] ODDPORT TSHARK
                           FIELD[,FIELD...] CAPTURE_OR_FOLDER...

FIELD is ja3, ja3s or ja4: tshark's tls.handshake.ja3 and ja3s and tls.handshake.ja4 against
the members of the same names in oddport's NDJSON report. oddport's JA3 and JA3S follow Wireshark
4.0 and its JA4 follows the JA4 specification and Wireshark 4.4 and later, so --release names the
tshark release the fields are checked against (with a + after it, that release and every later
one); another release skips the check. Wireshark 4.4 still hashed GREASE signature algorithms,
which the specification and 4.6 leave out: where tshark's tls.handshake.ja4_r shows one, JA4's
last hash is taken again from it without them, and the hello is listed. TSHARK may be a command with arguments, split at spaces (a wrapper that runs another
release's tshark); empty, it skips the check. For each capture it runs oddport, then tshark on
the hellos, decoding as TLS every TCP port where oddport found a TLS server, so that
tshark fingerprints TLS on odd ports too. Each TCP stream's hellos are joined to oddport's flow by
their ports, addresses and the flow's time span, and the first ClientHello and the first
ServerHello of the stream are compared, as oddport fingerprints the opening of each side. A hello
on a side that oddport did not take for TLS (STARTTLS after a text opening, a hello too malformed
to be one) is listed, not compared. Prints the counts and every difference; exits 1 when there is
any (or, with --expect-comparisons, when a field was never compared), 77 when tshark, the release
or the fields are missing.
"""
import concurrent.futures
import hashlib
import os
import shlex
import subprocess
import sys

# The shared module is read from this folder, which may not be writable.
sys.dont_write_bytecode = True
from flow_join import captures_of, epoch_ns_of_tshark, find_flow, oddport_flows, skip, \
    tshark_release  # noqa: E402

TSHARK_FIELDS = {"ja3": "tls.handshake.ja3", "ja3s": "tls.handshake.ja3s",
                 "ja4": "tls.handshake.ja4", "ja4_r": "tls.handshake.ja4_r"}
CLIENT_FIELDS = ("ja3", "ja4")


def release_fits(release, wanted):
    """Whether tshark's MAJOR.MINOR is the one wanted, or one after it for a wanted MAJOR.MINOR+."""
    def numbers(text):
        return tuple(int(part) for part in text.split("."))
    if wanted.endswith("+"):
        return numbers(release) >= numbers(wanted[:-1])
    return numbers(release) == numbers(wanted)


def is_grease(hexadecimal):
    """Whether a 16-bit value in hexadecimal (1a1a) is one of RFC 8701's GREASE values."""
    value = int(hexadecimal, 16)
    return value & 0x0f0f == 0x0a0a and value >> 8 == value & 0xff


def ja4_as_specified(ja4, raw):
    """tshark's JA4, its last hash taken again without GREASE signature algorithms where its
    JA4_r shows some: Wireshark before 4.6 hashed them, which the JA4 specification leaves out
    (as every other GREASE value). None when there was nothing to take out."""
    parts = raw.split("_")
    if len(parts) != 4 or len(ja4.split("_")) != 3:
        return None
    algorithms = parts[3].split(",")
    kept = [algorithm for algorithm in algorithms if not is_grease(algorithm)]
    if kept == algorithms:
        return None
    if parts[2]:
        text = parts[2] + ("_" + ",".join(kept) if kept else "")
        last = hashlib.sha256(text.encode()).hexdigest()[:12]
    else:
        last = "0" * 12
    return "_".join(ja4.split("_")[:2] + [last])


def tshark_hellos(tshark, capture, fields, tls_ports):
    """Per TCP stream: (time, addresses, ports, {field: first value}) of its hellos."""
    command = list(tshark) + ["-r", capture, "-n"]
    for port in sorted(tls_ports):
        command += ["-d", "tcp.port==%d,tls" % port]
    command += ["-Y", "tcp && (tls.handshake.type == 1 || tls.handshake.type == 2)", "-T", "fields",
                "-E", "separator=\t", "-E", "occurrence=a", "-E", "aggregator=|",
                "-e", "tcp.stream", "-e", "frame.time_epoch", "-e", "ip.src", "-e", "ipv6.src",
                "-e", "ip.dst", "-e", "ipv6.dst", "-e", "tcp.srcport", "-e", "tcp.dstport"]
    for field in fields:
        command += ["-e", TSHARK_FIELDS[field]]
    run = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    if run.returncode != 0:
        raise RuntimeError("tshark failed on %s: %s" % (capture, run.stderr.decode()[-500:]))
    streams = {}
    for line in run.stdout.decode("utf-8", "replace").splitlines():
        columns = line.split("\t")
        stream, moment = columns[0], columns[1]
        addresses = set(filter(None, "|".join(columns[2:6]).split("|")))
        ports = (int(columns[6].split("|")[-1]), int(columns[7].split("|")[-1]))
        entry = streams.setdefault(stream, {"time": epoch_ns_of_tshark(moment),
                                            "addresses": set(), "ports": ports, "values": {}})
        entry["addresses"] |= addresses
        for field, value in zip(fields, columns[8:]):
            # One packet may end two hellos' reassembly; the first is the one that counts.
            value = value.split("|")[0]
            if value and field not in entry["values"]:
                entry["values"][field] = value
    return streams


def check_capture(oddport, tshark, fields, requested, capture):
    """(compared per field, differences, listed) for one capture, or None if oddport cannot
    read it. `requested` are the fields asked of tshark: those compared, and ja4_r to judge ja4
    by."""
    flows = oddport_flows(oddport, capture)
    if flows is None:
        return None
    compared = {field: 0 for field in fields}
    differences = []
    listed = []
    tls_ports = {flow["server"]["port"] for flow in flows if flow["app"] == "tls"}
    for stream, hello in sorted(tshark_hellos(tshark, capture, requested, tls_ports).items(),
                                key=lambda item: int(item[0])):
        where = "%s stream %s (ports %d, %d)" % (os.path.basename(capture), stream,
                                                 *hello["ports"])
        flow = find_flow(flows, hello["ports"], hello["time"], hello["addresses"])
        for field, expected in sorted(hello["values"].items()):
            if field not in fields:
                continue
            if field == "ja4" and "ja4_r" in hello["values"]:
                specified = ja4_as_specified(expected, hello["values"]["ja4_r"])
                if specified is not None:
                    listed.append("%s: tshark's ja4 %s hashes GREASE signature algorithms "
                                  "(%s); compared as %s" %
                                  (where, expected, hello["values"]["ja4_r"], specified))
                    expected = specified
            if flow is None:
                differences.append("%s: %s %s, but no oddport flow matches" %
                                   (where, field, expected))
                continue
            side_app = flow["client_app"] if field in CLIENT_FIELDS else flow["server_app"]
            if side_app != "tls":
                listed.append("%s: tshark's %s %s, on a side oddport took for %s" %
                              (where, field, expected, side_app))
                continue
            compared[field] += 1
            got = (flow["tls"] or {}).get(field)
            if got != expected:
                differences.append("%s: %s is %s in tshark, %s in oddport" %
                                   (where, field, expected, got))
    return compared, differences, listed


def main():
    arguments = sys.argv[1:]
    release = None
    if arguments[:1] == ["--release"] and len(arguments) > 1:
        release, arguments = arguments[1], arguments[2:]
    expect_comparisons = arguments[:1] == ["--expect-comparisons"]
    if expect_comparisons:
        arguments = arguments[1:]
    if len(arguments) < 4:
        print("\n".join(__doc__.strip().splitlines()[2:4]), file=sys.stderr)
        return 2
    oddport, tshark = arguments[0], shlex.split(arguments[1])
    fields = arguments[2].split(",")
    wanted = ("tshark " + release.replace("+", " or later")) if release else "tshark"
    if not tshark:
        skip("%s was not found; the check of %s needs it" % (wanted, ", ".join(fields)))
    release_found, known_fields = tshark_release(tshark, arguments[1])
    if release is not None and not release_fits(release_found, release):
        skip("the check of %s needs %s; this tshark is %s (tests/plugin/run-in-chroot.sh "
             "runs it under another Debian or Ubuntu release's tshark)" %
             (", ".join(fields), wanted, release_found))
    for field in fields:
        if TSHARK_FIELDS[field] not in known_fields:
            skip("tshark %s has no %s" % (release_found, TSHARK_FIELDS[field]))
    requested = list(fields)
    if "ja4" in fields and TSHARK_FIELDS["ja4_r"] in known_fields:
        requested.append("ja4_r")

    compared = {field: 0 for field in fields}
    differences = []
    listed = []
    captures = 0
    # tshark's start-up is most of its time on small captures: two at once.
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        results = pool.map(
            lambda capture: check_capture(oddport, tshark, fields, requested, capture),
            list(captures_of(arguments[3:])))
        for result in results:
            if result is None:
                continue
            captures += 1
            for field, count in result[0].items():
                compared[field] += count
            differences += result[1]
            listed += result[2]
    for line in listed:
        print("not compared: " + line)
    for line in differences:
        print("DIFFERENT: " + line)
    summary = ", ".join("%s %d" % (field, compared[field]) for field in fields)
    print("tshark %s, %d captures; compared: %s; %d differences" %
          (release_found, captures, summary, len(differences)))
    if differences:
        return 1
    never = [field for field in fields if compared[field] == 0]
    if expect_comparisons and never:
        print("%s never compared" % ", ".join(never))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
