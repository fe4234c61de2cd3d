#!/usr/bin/env python3
"""Checks that the plugin's protocol detail fields (oddport.<app>.<member>) say, packet by packet,
what the CLI's JSON report says of the same flow."""
import json
import sys


def as_text(value):
    """A JSON value as the plugin writes it into a string field; None for null."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        items = [as_text(item) for item in value if item is not None]
        return ",".join(items) if items else None
    return str(value)


def member(flow, path):
    value = flow
    for name in path:
        if not isinstance(value, dict):
            return None
        value = value.get(name)
    return value


def main():
    report_path, fields_path, table_path = sys.argv[1:4]
    with open(report_path, encoding="utf-8") as report_file:
        flows = {flow["id"]: flow for flow in json.load(report_file)["flows"]}
    with open(fields_path, encoding="utf-8") as fields_file:
        fields = [line.strip() for line in fields_file if line.strip()]
    compared = shown = differences = 0
    with open(table_path, encoding="utf-8", errors="replace") as table:
        for line in table:
            cells = line.rstrip("\n").split("\t")
            frame, flow_id, values = cells[0], cells[1], cells[2:]
            if not flow_id:
                continue
            flow = flows.get(int(flow_id))
            if flow is None:
                print(f"frame {frame}: flow {flow_id} is not in the CLI's report")
                differences += 1
                continue
            for field, shown_value in zip(fields, values):
                expected = as_text(member(flow, field.split(".")[1:]))
                # Invalid UTF-8 is "\xNN" text in JSON and U+FFFD in Wireshark's tree.
                if expected is not None and "\\x" in expected:
                    continue
                compared += 1
                shown += shown_value != ""
                if (shown_value or None) != expected:
                    differences += 1
                    if differences <= 20:
                        print(f"frame {frame}, flow {flow_id}: {field} is {shown_value!r}, "
                              f"the CLI says {expected!r}")
    print(f"{compared} values compared over {len(fields)} fields, {shown} shown, "
          f"{differences} differences")
    if compared == 0 or shown == 0:
        print("nothing to compare: no detail field had a value")
        return 1
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
