#!/usr/bin/env python3
"""Checks oddport's TLS fingerprints against tshark's on every flow where tshark computes them.

usage: tls-fingerprints.py [--release MAJOR.MINOR] ODDPORT TSHARK FIELD[,FIELD...] CAPTURE_OR_FOLDER...

FIELD is ja3, ja3s or ja4: tshark's tls.handshake.ja3 and ja3s and tls.handshake.ja4 against
the members of the same names in oddport's NDJSON report. oddport's JA3 and JA3S follow Wireshark
4.0 and its JA4 follows Wireshark 4.4, so --release names the tshark release the fields are
checked against; another release skips the check. TSHARK may be a command with arguments, split
at spaces (a wrapper that runs another release's tshark). For each capture it runs oddport, then
tshark on the hellos, decoding as TLS every TCP port where oddport found a TLS server, so that
tshark fingerprints TLS on odd ports too. Each TCP stream's hellos are joined to oddport's flow by
their ports, addresses and the flow's time span, and the first ClientHello and the first
ServerHello of the stream are compared, as oddport fingerprints the opening of each side. A hello
on a side that oddport did not take for TLS (STARTTLS after a text opening, a hello too malformed
to be one) is listed, not compared. Prints the counts and every difference; exits 1 when there is
any, 77 when tshark, the release or the fields are missing.
"""
import concurrent.futures
import datetime
import json
import os
import re
import shlex
import subprocess
import sys

TSHARK_FIELDS = {"ja3": "tls.handshake.ja3", "ja3s": "tls.handshake.ja3s",
                 "ja4": "tls.handshake.ja4"}
CLIENT_FIELDS = ("ja3", "ja4")
CAPTURE_SUFFIXES = (".pcap", ".pcapng", ".cap", ".pcap.gz", ".pcapng.gz")


def skip(reason):
    print("skipped: " + reason)
    sys.exit(77)


def captures_of(paths):
    for path in paths:
        if os.path.isdir(path):
            for root, _, names in sorted(os.walk(path)):
                for name in sorted(names):
                    if name.endswith(CAPTURE_SUFFIXES):
                        yield os.path.join(root, name)
        else:
            yield path


def epoch_ns_of_rfc3339(text):
    """Nanoseconds since 1970 of oddport's UTC times (2026-11-28T01:10:54.025880Z)."""
    whole, _, fraction = text.rstrip("Z").partition(".")
    moment = datetime.datetime.strptime(whole, "%Y-%m-%dT%H:%M:%S")
    seconds = int(moment.replace(tzinfo=datetime.timezone.utc).timestamp())
    return seconds * 10**9 + int((fraction + "000000000")[:9])


def epoch_ns_of_tshark(text):
    """Nanoseconds of tshark's frame.time_epoch (1764292254.025880000)."""
    whole, _, fraction = text.partition(".")
    return int(whole) * 10**9 + int((fraction + "000000000")[:9])


def oddport_flows(oddport, capture):
    """The TCP flows of oddport's NDJSON report, or None when the capture cannot be read."""
    run = subprocess.run([oddport, "--format", "ndjson", capture], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, check=False)
    if run.returncode != 0:
        return None
    flows = []
    for line in run.stdout.decode("utf-8", "replace").splitlines():
        record = json.loads(line)
        if record.get("type") != "flow" or record["transport"] != "tcp":
            continue
        record["first_ns"] = epoch_ns_of_rfc3339(record["first_seen"])
        record["last_ns"] = epoch_ns_of_rfc3339(record["last_seen"])
        flows.append(record)
    return flows


def tshark_hellos(tshark, capture, fields, tls_ports):
    """Per TCP stream: (time, addresses, ports, {field: first value}) of its hellos."""
    command = list(tshark) + ["-r", capture, "-n"]
    for port in sorted(tls_ports):
        command += ["-d", "tcp.port==%d,tls" % port]
    command += ["-Y", "tcp && (tls.handshake.type == 1 || tls.handshake.type == 2)", "-T", "fields",
                "-E", "separator=\t", "-E", "occurrence=a", "-E", "aggregator=,",
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
        addresses = set(filter(None, ",".join(columns[2:6]).split(",")))
        ports = (int(columns[6].split(",")[-1]), int(columns[7].split(",")[-1]))
        entry = streams.setdefault(stream, {"time": epoch_ns_of_tshark(moment),
                                            "addresses": set(), "ports": ports, "values": {}})
        entry["addresses"] |= addresses
        for field, value in zip(fields, columns[8:]):
            # One packet may end two hellos' reassembly; the first is the one that counts.
            value = value.split(",")[0]
            if value and field not in entry["values"]:
                entry["values"][field] = value
    return streams


def find_flow(flows, hello):
    """oddport's flow holding a tshark stream's hellos, or None."""
    low, high = sorted(hello["ports"])
    candidates = [flow for flow in flows
                  if sorted((flow["client"]["port"], flow["server"]["port"])) == [low, high]
                  and flow["first_ns"] <= hello["time"] <= flow["last_ns"]]
    if len(candidates) > 1:
        candidates = [flow for flow in candidates
                      if {flow["client"]["ip"], flow["server"]["ip"]} <= hello["addresses"]]
    return candidates[0] if len(candidates) == 1 else None


def check_capture(oddport, tshark, fields, capture):
    """(compared per field, differences, listed) for one capture, or None if oddport cannot
    read it."""
    flows = oddport_flows(oddport, capture)
    if flows is None:
        return None
    compared = {field: 0 for field in fields}
    differences = []
    listed = []
    tls_ports = {flow["server"]["port"] for flow in flows if flow["app"] == "tls"}
    for stream, hello in sorted(tshark_hellos(tshark, capture, fields, tls_ports).items(),
                                key=lambda item: int(item[0])):
        where = "%s stream %s (ports %d, %d)" % (os.path.basename(capture), stream,
                                                 *hello["ports"])
        flow = find_flow(flows, hello)
        for field, expected in sorted(hello["values"].items()):
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
    if len(arguments) < 4:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    oddport, tshark = arguments[0], shlex.split(arguments[1])
    fields = arguments[2].split(",")
    try:
        version = subprocess.run(tshark + ["--version"], stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL, check=False).stdout.decode()
        known = subprocess.run(tshark + ["-G", "fields"], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, check=False).stdout.decode()
    except OSError:
        skip("tshark (%s) cannot be run" % arguments[1])
    match = re.search(r"TShark \(Wireshark\) (\d+\.\d+)\.", version)
    if match is None:
        skip("tshark (%s) does not say its release" % arguments[1])
    if release is not None and match.group(1) != release:
        skip("the check of %s is against Wireshark %s; this tshark is %s" %
             (", ".join(fields), release, match.group(1)))
    known_fields = {line.split("\t")[2] for line in known.splitlines() if line.startswith("F\t")}
    for field in fields:
        if TSHARK_FIELDS[field] not in known_fields:
            skip("tshark %s has no %s" % (match.group(1), TSHARK_FIELDS[field]))

    compared = {field: 0 for field in fields}
    differences = []
    listed = []
    captures = 0
    # tshark's start-up is most of its time on small captures: two at once.
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        results = pool.map(lambda capture: check_capture(oddport, tshark, fields, capture),
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
          (match.group(1), captures, summary, len(differences)))
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
