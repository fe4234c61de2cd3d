#!/usr/bin/env python3
# Checks what the plugin shows beyond two plain passes against the CLI's JSON report.
"""Usage: check-passes.py REPORT.json VALUES FILTERED.tsv HASSH.tsv EXPERT.tsv

VALUES        tshark -G values for oddport's fields: the names of their numbers;

FILTERED.tsv  tshark -2 -R FILTER, fields frame.number, oddport.flow, oddport.app,
              oddport.server_port, tcp.srcport, tcp.dstport: a read filter renumbers the frames
              it keeps, and each kept frame must still show its own flow as the CLI reports it;
HASSH.tsv     one pass, -Y oddport.ssh.hassh, fields frame.number, oddport.flow: every SSH flow
              whose fingerprint the CLI reports shows it once its key exchange offer is read;
EXPERT.tsv    two passes, -Y on the oddport expert items, fields frame.number, oddport.flow: each
              sits on the packet the CLI names as deciding.
Prints "N passed, M failed"; exits 1 on any failure."""
import json
import sys


def rows(path):
    with open(path, encoding="utf-8") as stream:
        return [line.rstrip("\n").split("\t") for line in stream if line.strip()]


def main(report_path, values_path, filtered_path, hassh_path, expert_path):
    with open(report_path, encoding="utf-8") as stream:
        flows = {flow["id"]: flow for flow in json.load(stream)["flows"]}
    app_names = {row[2]: row[3] for row in rows(values_path) if row[:2] == ["V", "oddport.app"]}
    passed = 0
    failures = []

    def check(condition, message):
        nonlocal passed
        if condition:
            passed += 1
        else:
            failures.append(message)

    shown = set()
    for frame, flow_id, app, server_port, source_port, destination_port in rows(filtered_path):
        flow = flows.get(int(flow_id)) if flow_id else None
        shown.add(int(flow_id) if flow_id else None)
        check(
            flow is not None
            and flow["app"] == app_names.get(app)
            and flow["server"]["port"] == int(server_port)
            and int(server_port) in (int(source_port), int(destination_port)),
            f"-R: frame {frame} shows flow {flow_id} ({app_names.get(app)} on {server_port}), "
            f"the CLI's is {flow and (flow['app'], flow['server']['port'])}",
        )
    check(shown and None not in shown, "-R: no frame kept, or a kept frame shows no flow")

    with_hassh = {
        flow_id for flow_id, flow in flows.items() if flow["ssh"] and flow["ssh"].get("hassh")
    }
    hassh_shown = {int(flow_id) for _, flow_id in rows(hassh_path)}
    check(
        with_hassh and hassh_shown == with_hassh,
        f"one pass: HASSH shown on flows {sorted(hassh_shown)}, the CLI reports it on {sorted(with_hassh)}",
    )

    for frame, flow_id in rows(expert_path):
        flow = flows.get(int(flow_id))
        deciding = flow and flow["deciding_packet"] and flow["deciding_packet"]["frame"]
        check(
            deciding == int(frame),
            f"expert info of flow {flow_id} on frame {frame}, the CLI decides at {deciding}",
        )
    check(rows(expert_path), "no expert info at all")
    for message in failures[:40]:
        print(message)
    print(f"{passed} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) != 6:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(*sys.argv[1:]))
