#!/usr/bin/env python3
"""Checks oddport's HASSH fingerprints against tshark's ssh.kex.hassh and ssh.kex.hasshserver.

usage: hassh-tshark.py [--expect-comparisons] TSHARK ODDPORT PATH...

PATH is a capture or a folder searched for captures. For every KEXINIT that tshark fingerprints,
the flow it belongs to in oddport's NDJSON report (same transport and endpoints, and the KEXINIT's
time within the flow's first and last packet) must hold the same value: a client's hassh in
ssh.hassh, a server's hasshServer in ssh.hassh_server, with the sender on the same end. Prints
every difference and the counts; exits 1 on a difference, 77 when tshark is missing, and with
--expect-comparisons 1 when nothing at all was compared.
"""
import datetime
import decimal
import ipaddress
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

CAPTURE_SUFFIXES = (".pcap", ".pcapng", ".cap")
FIELDS = ["frame.number", "frame.time_epoch", "ip.src", "ipv6.src", "tcp.srcport", "ip.dst",
          "ipv6.dst", "tcp.dstport", "ssh.kex.hassh", "ssh.kex.hasshserver"]


def captures_in(paths):
    for path in map(Path, paths):
        if path.is_dir():
            yield from sorted(found for found in path.rglob("*")
                              if found.is_file() and found.suffix in CAPTURE_SUFFIXES)
        elif path.is_file():
            yield path


def seconds(rfc3339):
    """An oddport time ("2026-11-28T01:10:54.123456Z") as exact seconds since the epoch."""
    text = rfc3339.rstrip("Z")
    whole, _, fraction = text.partition(".")
    moment = datetime.datetime.strptime(whole, "%Y-%m-%dT%H:%M:%S")
    moment = moment.replace(tzinfo=datetime.timezone.utc)
    return decimal.Decimal(int(moment.timestamp())) + decimal.Decimal("0." + (fraction or "0"))


def endpoint(ip, port):
    return (str(ipaddress.ip_address(ip)), int(port))


def flow_key(one, other):
    return tuple(sorted([one, other]))


def oddport_flows(oddport, capture):
    """oddport's TCP flows of a capture by their endpoints, or None when it cannot read it."""
    run = subprocess.run([oddport, "--format", "ndjson", str(capture)],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=False)
    if run.returncode != 0:
        return None
    flows = {}
    for line in run.stdout.decode("utf-8", "replace").splitlines():
        record = json.loads(line)
        if record.get("type") != "flow" or record["transport"] != "tcp":
            continue
        client = endpoint(record["client"]["ip"], record["client"]["port"])
        server = endpoint(record["server"]["ip"], record["server"]["port"])
        flows.setdefault(flow_key(client, server), []).append({
            "id": record["id"], "client": client, "server": server, "app": record["app"],
            "first": seconds(record["first_seen"]), "last": seconds(record["last_seen"]),
            "ssh": record["ssh"] or {}, "compared": set(),
        })
    return flows


def tshark_fingerprints(tshark, capture, ssh_ports):
    """(frame, time, sender, receiver candidates, hassh, hasshserver) of every KEXINIT tshark
    fingerprints. tshark decodes SSH by port: the ports oddport found SSH on besides 22 are
    handed to it, so that it looks at those flows too."""
    command = [tshark, "-r", str(capture), "-n", "-Y", "ssh.kex.hassh || ssh.kex.hasshserver",
               "-T", "fields", "-E", "separator=/t", "-E", "occurrence=l"]
    for port in sorted(ssh_ports - {22}):
        command += ["-d", "tcp.port==%d,ssh" % port]
    for field in FIELDS:
        command += ["-e", field]
    # tshark still prints what it read from a capture that ends early, then fails.
    run = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=False)
    for line in run.stdout.decode("utf-8", "replace").splitlines():
        values = dict(zip(FIELDS, line.split("\t")))
        # Tunnels leave both an IPv4 and an IPv6 header in some frames: either may be the
        # innermost, so both are tried.
        pairs = [(values[family + ".src"], values[family + ".dst"]) for family in ("ip", "ipv6")
                 if values.get(family + ".src")]
        if not pairs or not values.get("tcp.srcport"):
            continue
        yield {
            "frame": values["frame.number"],
            "time": decimal.Decimal(values["frame.time_epoch"]),
            "pairs": [(endpoint(source, values["tcp.srcport"]),
                       endpoint(destination, values["tcp.dstport"]))
                      for source, destination in pairs],
            "hassh": values.get("ssh.kex.hassh", ""),
            "hasshserver": values.get("ssh.kex.hasshserver", ""),
        }


def find_flow(flows, row):
    for sender, receiver in row["pairs"]:
        for flow in flows.get(flow_key(sender, receiver), []):
            if flow["first"] <= row["time"] <= flow["last"]:
                return flow, sender
    return None, None


def main(arguments):
    expect_comparisons = "--expect-comparisons" in arguments
    arguments = [argument for argument in arguments if argument != "--expect-comparisons"]
    if len(arguments) < 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    tshark, oddport, paths = arguments[0], arguments[1], arguments[2:]
    if not tshark or shutil.which(tshark) is None:
        print("skipped: tshark was not found")
        return 77
    compared = differences = unread = only_oddport = captures_compared = 0
    for capture in captures_in(paths):
        flows = oddport_flows(oddport, capture)
        if flows is None:
            unread += 1
            continue
        ssh_ports = {flow["server"][1] for candidates in flows.values() for flow in candidates
                     if flow["app"] == "ssh"}
        here = 0
        for row in tshark_fingerprints(tshark, capture, ssh_ports):
            for role, field, value in (("client", "hassh", row["hassh"]),
                                       ("server", "hassh_server", row["hasshserver"])):
                if not value:
                    continue
                compared += 1
                here += 1
                flow, sender = find_flow(flows, row)
                problem = None
                if flow is None:
                    problem = "no oddport flow holds it"
                elif flow[role] != sender:
                    problem = "oddport's flow %d has the sender as the %s" % (
                        flow["id"], "server" if role == "client" else "client")
                elif flow["ssh"].get(field) != value:
                    problem = "oddport's flow %d has %s %s" % (flow["id"], field,
                                                                flow["ssh"].get(field))
                if flow is not None:
                    flow["compared"].add(field)
                if problem:
                    differences += 1
                    print("DIFFERENT %s frame %s: tshark's %s %s, %s" % (
                        capture, row["frame"], "hassh" if role == "client" else "hasshServer",
                        value, problem))
        for candidates in flows.values():
            for flow in candidates:
                only_oddport += sum(1 for field in ("hassh", "hassh_server")
                                    if flow["ssh"].get(field) and field not in flow["compared"])
        if here:
            captures_compared += 1
            print("%s: %d compared" % (capture, here))
    print("%d fingerprints compared with tshark's in %d captures, %d differences" % (
        compared, captures_compared, differences))
    print("(%d fingerprints oddport found where tshark found none, %d captures oddport could "
          "not read)" % (only_oddport, unread))
    if differences:
        return 1
    if expect_comparisons and compared == 0:
        print("nothing was compared: tshark fingerprinted no KEXINIT")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
