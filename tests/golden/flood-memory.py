#!/usr/bin/env python3
"""A flood of 5 million packets read with two workers stays under 512 MiB, text and JSON.

Usage: flood-memory.py ODDPORT GENERATE_CAPTURE WORK_DIR

The flood ends with half a million flows open (the default --max-flows): the workers must hand
them over a chunk at a time, as one thread does, rather than all at once. The peak resident
size of each oddport run alone is measured (wait4), not the generator's.
"""
import os
import subprocess
import sys

LIMIT_KIB = 512 * 1024
FLOOD_PACKETS = 5_000_000


def peak_kib(command):
    """Runs `command` to its end; returns its exit status and its peak resident size in KiB."""
    child = subprocess.Popen(command, stdin=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    return os.waitstatus_to_exitcode(status), usage.ru_maxrss


def main():
    oddport, generate, work = sys.argv[1:4]
    os.makedirs(work, exist_ok=True)
    capture = os.path.join(work, "flood-memory.pcap")
    try:
        subprocess.run([generate, "--flood", str(FLOOD_PACKETS), capture], check=True,
                       stderr=subprocess.DEVNULL)
        failures = 0
        for report_format in ("json", "text"):
            status, peak = peak_kib([oddport, "-q", "-j", "2", "--format", report_format,
                                     "-o", os.devnull, capture])
            verdict = "ok" if status == 0 and peak < LIMIT_KIB else "not ok"
            print(f"{verdict} - {report_format}, -j 2: exit {status}, peak {peak // 1024} MiB"
                  f" (limit {LIMIT_KIB // 1024} MiB)")
            failures += verdict != "ok"
    finally:
        if os.path.exists(capture):
            os.unlink(capture)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
