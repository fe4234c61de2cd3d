"""What the crosschecks against tshark share: the captures to read, oddport's TCP flows of a
capture, the flow a packet tshark decoded belongs to, and tshark's release."""
import datetime
import json
import os
import re
import subprocess
import sys

CAPTURE_SUFFIXES = (".pcap", ".pcapng", ".cap", ".pcap.gz", ".pcapng.gz")


def skip(reason):
    """Ends the run as skipped (77, as meson counts it), saying why."""
    print("skipped: " + reason)
    sys.exit(77)


def captures_of(paths):
    """The captures named, and those in the folders named, in a stable order."""
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
    """The TCP flows of oddport's NDJSON report, or None when the capture cannot be read (exit
    status 1); any other failure (a crash, a sanitizer's report) ends the check."""
    run = subprocess.run([oddport, "--format", "ndjson", capture], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, check=False)
    if run.returncode == 1:
        return None
    if run.returncode != 0:
        raise RuntimeError("oddport failed (exit status %d) on %s: %s" %
                           (run.returncode, capture,
                            run.stderr.decode("utf-8", "replace")[-2000:]))
    flows = []
    for line in run.stdout.decode("utf-8", "replace").splitlines():
        record = json.loads(line)
        if record.get("type") != "flow" or record["transport"] != "tcp":
            continue
        record["first_ns"] = epoch_ns_of_rfc3339(record["first_seen"])
        record["last_ns"] = epoch_ns_of_rfc3339(record["last_seen"])
        flows.append(record)
    return flows


def find_flow(flows, ports, time_ns, addresses):
    """oddport's flow that a packet between `ports` (either order) at `time_ns` belongs to, or
    None. `addresses` are all the packet's IP addresses (a tunnel's outer ones too); they decide
    between flows that share the ports and the time."""
    low, high = sorted(ports)
    candidates = [flow for flow in flows
                  if sorted((flow["client"]["port"], flow["server"]["port"])) == [low, high]
                  and flow["first_ns"] <= time_ns <= flow["last_ns"]]
    if len(candidates) > 1:
        candidates = [flow for flow in candidates
                      if {flow["client"]["ip"], flow["server"]["ip"]} <= addresses]
    return candidates[0] if len(candidates) == 1 else None


def tshark_release(tshark, command_text):
    """(MAJOR.MINOR, the names of the fields it knows) of a tshark command; skips the run when
    it cannot be run or does not say its release."""
    try:
        version = subprocess.run(tshark + ["--version"], stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL, check=False).stdout.decode()
        known = subprocess.run(tshark + ["-G", "fields"], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, check=False).stdout.decode()
    except OSError:
        skip("tshark (%s) cannot be run" % command_text)
    match = re.search(r"TShark \(Wireshark\) (\d+\.\d+)\.", version)
    if match is None:
        skip("tshark (%s) does not say its release" % command_text)
    fields = {line.split("\t")[2] for line in known.splitlines() if line.startswith("F\t")}
    return match.group(1), fields
