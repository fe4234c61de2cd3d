#!/usr/bin/env python3
"""Compares oddport's per-flow app verdicts with nDPI's expected output (*.out) for a folder of captures."""
import ipaddress
import json
import re
import subprocess
import sys
from pathlib import Path

FLOW_LINE = re.compile(
    r"^\s*\d+\s+(TCP|UDP)\s+(\S+)\s+<->\s+(\S+)\s+.*?\[proto: ([^\]]+)\]")


def endpoint(text):
    """Splits 'a.b.c.d:port' or '[v6]:port' into (ip, port)."""
    if text.startswith("["):
        host, port = text[1:].rsplit("]:", 1)
    else:
        host, port = text.rsplit(":", 1)
    # nDPI does not always print IPv6 in RFC 5952 form; compare canonical forms.
    return str(ipaddress.ip_address(host)), int(port)


def ndpi_app(proto):
    """Maps nDPI's 'N.M/MASTER.APP' label to http, tls, ssh or unknown."""
    names = proto.split("/", 1)[-1].split(".")
    for name in names:
        upper = name.upper()
        if upper.startswith("HTTP"):
            return "http"
        if upper in ("TLS", "SSL"):
            return "tls"
        if upper == "SSH":
            return "ssh"
    return "unknown"


def flow_key(transport, first, second):
    return (transport.lower(),) + tuple(sorted([first, second]))


def main():
    oddport, folder = sys.argv[1], Path(sys.argv[2])
    agree = disagree = 0
    for out in sorted(folder.glob("*.out")):
        capture = out.with_suffix("")
        expected = {}
        for line in out.read_text(errors="replace").splitlines():
            match = FLOW_LINE.match(line)
            if match:
                transport, first, second, proto = match.groups()
                by_port = "Confidence: Match by port" in line
                expected[flow_key(transport, endpoint(first), endpoint(second))] = (
                    ndpi_app(proto), proto + (" (nDPI: match by port)" if by_port else ""))
        run = subprocess.run([oddport, "--format", "json", str(capture)],
                             capture_output=True, text=True)
        if run.returncode not in (0,):
            print(f"{capture.name}: oddport exit {run.returncode}: {run.stderr.strip()}")
            continue
        report = json.loads(run.stdout)
        ours = {}
        for flow in report["flows"]:
            key = flow_key(flow["transport"], (flow["client"]["ip"], flow["client"]["port"]),
                           (flow["server"]["ip"], flow["server"]["port"]))
            ours.setdefault(key, []).append(flow)
        for key, (their_app, proto) in expected.items():
            flows = ours.get(key, [])
            our_apps = sorted({flow["app"] for flow in flows}) or ["(no flow)"]
            relevant = their_app != "unknown" or any(a in ("http", "tls", "ssh") for a in our_apps)
            if not relevant:
                continue
            if our_apps == [their_app]:
                agree += 1
                continue
            disagree += 1
            evidence = "; ".join(f"{f['app']} {f['confidence']} {f['evidence']}" for f in flows)
            print(f"{capture.name}: {key[0]} {key[1][0]}:{key[1][1]} <-> {key[2][0]}:{key[2][1]}"
                  f" nDPI={proto} oddport={','.join(our_apps)} [{evidence[:200]}]")
    print(f"{agree} agree, {disagree} disagree")


if __name__ == "__main__":
    main()
