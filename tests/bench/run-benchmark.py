#!/usr/bin/env python3
"""Times oddport against tcpdump, ndpiReader and tshark on one large synthetic capture and checks oddport's speed and memory targets."""

# Every tool reads the same file in the same run, in alternating rounds, after the page cache has
# been warmed (a generated capture is first written again as a recorder writes it, see
# write_as_recorded); the table shows the median wall time and the peak resident memory
# (ru_maxrss from os.wait4) of each. The exit status is 0 whatever the targets say, unless
# --strict is given; it is 1 when the capture cannot be made or oddport itself fails, and 2 on
# usage errors.
#
#   run-benchmark.py --oddport build/src/cli/oddport --generator build/captures/generate-capture
#   run-benchmark.py --oddport ./oddport --capture big.pcap --rounds 3 --no-tshark --strict

import argparse
import os
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time

# Targets for oddport's JSON report.
MAX_TIME_VS_TCPDUMP = 2.0  # oddport json may take at most this many times tcpdump's time
MIN_SPEEDUP_VS_NDPI = 8.0  # and must be at least this many times faster than ndpiReader
MAX_PEAK_MIB = 64.0  # peak resident memory of every oddport run, in MiB

RUN_TIMEOUT_SECONDS = 900


class Tool:
    """One command to time: a name for the table and how to build its argument list."""

    def __init__(self, name, argv_for, rounds, stdout_to_null=True):
        self.name = name
        self.argv_for = argv_for
        self.rounds = rounds
        self.stdout_to_null = stdout_to_null
        self.times = []
        self.peaks_kib = []
        self.skipped = None  # why, when the tool is missing
        self.failure = None  # what went wrong, when a run failed

    @property
    def median(self):
        return statistics.median(self.times) if self.times else None

    @property
    def peak_mib(self):
        return max(self.peaks_kib) / 1024.0 if self.peaks_kib else None


def parse_arguments():
    parser = argparse.ArgumentParser(
        description="Benchmark oddport against tcpdump, ndpiReader and tshark on one capture.")
    parser.add_argument("--oddport", required=True, help="path to the oddport executable")
    parser.add_argument("--generator", help="path to generate-capture (needed unless --capture)")
    parser.add_argument("--capture", help="time this capture instead of generating one")
    parser.add_argument("--packets", type=int, default=1000000,
                        help="packets in the generated capture (default 1000000)")
    parser.add_argument("--flows", type=int, default=40000,
                        help="flows in the generated capture (default 40000)")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    parser.add_argument("--flood", type=int, metavar="N",
                        help="generate N SYN-scan/UDP-flood packets (distinct flows) instead")
    parser.add_argument("--rounds", type=int, default=5,
                        help="timed runs of each tool, alternating (default 5)")
    parser.add_argument("--tshark-rounds", type=int, default=1,
                        help="timed runs of tshark, which is slow (default 1)")
    parser.add_argument("--no-tshark", action="store_true", help="leave tshark out")
    parser.add_argument("--strict", action="store_true",
                        help="exit 1 when a target fails or cannot be checked")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary folder with the generated capture")
    arguments = parser.parse_args()
    if not arguments.capture and not arguments.generator:
        parser.error("give --generator to make a capture, or --capture to reuse one")
    if arguments.rounds < 1 or arguments.tshark_rounds < 1:
        parser.error("--rounds and --tshark-rounds must be at least 1")
    return arguments


def find_executable(name_or_path):
    """The full path of a program given by path or by name on PATH, or None."""
    if os.sep in name_or_path:
        return name_or_path if os.access(name_or_path, os.X_OK) else None
    return shutil.which(name_or_path)


def generate_capture(arguments, folder):
    path = os.path.join(folder, "flood.pcap" if arguments.flood else "benchmark.pcap")
    command = [arguments.generator]
    if arguments.flood:
        command += ["--flood", str(arguments.flood)]
    else:
        command += ["--packets", str(arguments.packets), "--flows", str(arguments.flows)]
    command += ["--seed", str(arguments.seed), path]
    result = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True, check=False)
    summary = result.stderr.strip()
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}): {summary}")
    write_as_recorded(path)
    return path, summary


def count_packets(path):
    """Packets in a pcap or pcapng file (either byte order), or None for other formats."""
    with open(path, "rb") as capture:
        header = capture.read(24)
        if len(header) < 24:
            return None
        magic = header[:4]
        if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
            record = struct.Struct("<12xI")
        elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
            record = struct.Struct(">12xI")
        elif magic == b"\x0a\x0d\x0d\x0a":
            return count_pcapng_packets(capture)
        else:
            return None
        packets = 0
        while True:
            record_header = capture.read(16)
            if len(record_header) < 16:
                return packets
            (captured_length,) = record.unpack(record_header)
            capture.seek(captured_length, os.SEEK_CUR)
            packets += 1


def count_pcapng_packets(capture):
    """Enhanced, simple and obsolete packet blocks; each section header sets the byte order."""
    capture.seek(0)
    order = "<"
    packets = 0
    while True:
        block_header = capture.read(12)
        if len(block_header) < 12:
            return packets
        if block_header[:4] == b"\x0a\x0d\x0d\x0a":
            order = "<" if block_header[8:12] == b"\x4d\x3c\x2b\x1a" else ">"
        block_type, block_length = struct.unpack(order + "II", block_header[:8])
        if block_length < 12:
            return packets
        if block_type in (2, 3, 6):
            packets += 1
        capture.seek(block_length - 12, os.SEEK_CUR)


RECORDER_WRITE_SIZE = 4096


def write_as_recorded(path):
    """Writes a generated capture again 4 KiB at a time, as tcpdump, dumpcap and editcap write.

    Where the page cache holds a file in pieces as large as the writes that made it (ext4 from
    Linux 6.16), the generator's 4 MiB writes leave pieces a mapping reader takes 2 MiB at a
    time, and a recorder's writes 4 KiB pages, each mapped on its own. On the EPYC machine that
    cost oddport 1.1 times the time on short flows and 1.4 on long ones, tcpdump and ndpiReader
    1.0 to 1.1. Written again, the capture is read as a fresh recording is, as editcap's parts
    are, and as every file is on a kernel that caches in 4 KiB pages only."""
    rewritten = path + ".recorded"
    source = os.open(path, os.O_RDONLY)
    target = os.open(rewritten, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        while True:
            chunk = os.read(source, 1 << 20)
            if not chunk:
                break
            view = memoryview(chunk)
            for start in range(0, len(view), RECORDER_WRITE_SIZE):
                piece = view[start:start + RECORDER_WRITE_SIZE]
                while piece:
                    piece = piece[os.write(target, piece):]
    finally:
        os.close(source)
        os.close(target)
    os.replace(rewritten, path)


def warm_page_cache(path):
    with open(path, "rb") as capture:
        while capture.read(1 << 16):
            pass


def resident_fraction(path):
    """How much of the file the page cache holds (util-linux fincore), or None if unknown."""
    fincore = shutil.which("fincore")
    if fincore is None:
        return None
    result = subprocess.run([fincore, "--bytes", "--noheadings", "--raw", "--output", "RES,SIZE",
                             path], capture_output=True, text=True, check=False)
    fields = result.stdout.split()
    if result.returncode != 0 or len(fields) != 2 or not all(f.isdigit() for f in fields):
        return None
    resident, size = (int(field) for field in fields)
    return resident / size if size > 0 else None


def check_page_cache(path, when):
    """Says so when part of the capture was not in memory: the times then include reading the
    disk, which favours no tool in particular, and the ratios are not to be trusted. A machine
    that reclaims the page cache early, or has little memory, does this to large captures."""
    fraction = resident_fraction(path)
    if fraction is not None and fraction < 0.98:
        print(f"note: only {fraction:.0%} of the capture was in the page cache {when}; "
              "times include disk reads, so the ratios are not reliable", flush=True)


def become_subreaper():
    """Makes orphaned descendants our children (Linux prctl PR_SET_CHILD_SUBREAPER).

    Linux counts the memory a process had before exec in its ru_maxrss, so a tool started
    straight from this script would report at least Python's own ~20 MiB. Started instead from a
    small /bin/sh that exits at once, the tool is reparented to us and os.wait4 gives its true
    peak."""
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(36, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def wait_with_timeout(pid):
    """Waits for pid; returns (exit status, peak resident KiB, CPU seconds: user + system)."""
    timer = threading.Timer(RUN_TIMEOUT_SECONDS, os.kill, (pid, signal.SIGKILL))
    timer.start()
    try:
        _, wait_status, usage = os.wait4(pid, 0)
    finally:
        timer.cancel()
    return (os.waitstatus_to_exitcode(wait_status), usage.ru_maxrss,  # KiB on Linux
            usage.ru_utime + usage.ru_stime)


def run_once(argv, stdout_to_null, error_path, subreaper, with_cpu=False):
    """Runs argv; returns (seconds, peak resident KiB, exit status), and the CPU seconds as a
    fourth value when with_cpu is set."""
    with open(error_path, "wb") as error_file:
        if not subreaper:
            started = time.perf_counter()
            process = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                       stdout=subprocess.DEVNULL if stdout_to_null else error_file,
                                       stderr=error_file)
            process.returncode, peak_kib, cpu_seconds = wait_with_timeout(process.pid)
            result = (time.perf_counter() - started, peak_kib, process.returncode)
            return result + (cpu_seconds,) if with_cpu else result
        # The launcher's standard output carries only the tool's pid.
        redirect = ">/dev/null" if stdout_to_null else ">&2"
        started = time.perf_counter()
        launcher = subprocess.Popen(
            ["/bin/sh", "-c", f'"$@" {redirect} </dev/null & echo $!', "launch"] + argv,
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=error_file)
        pid = int(launcher.stdout.read().strip())
        launcher.stdout.close()
        launcher.wait()
        try:
            status, peak_kib, cpu_seconds = wait_with_timeout(pid)
        except ChildProcessError:
            # The shell reaped the tool after all: measure this run the direct way.
            return run_once(argv, stdout_to_null, error_path, False, with_cpu)
        result = (time.perf_counter() - started, peak_kib, status)
        return result + (cpu_seconds,) if with_cpu else result


def tail_of(path, lines=5):
    try:
        with open(path, "r", errors="replace") as text:
            return " | ".join(text.read().strip().splitlines()[-lines:])
    except OSError:
        return ""


def build_tools(arguments):
    oddport = find_executable(arguments.oddport)
    rounds = arguments.rounds
    tools = [
        Tool("oddport json",
             lambda capture: [oddport, "--format", "json", "-o", "/dev/null", capture], rounds),
        Tool("oddport text",
             lambda capture: [oddport, "--format", "text", "-o", "/dev/null", capture], rounds),
        # Reads every packet and writes it back out: the floor for any pcap reader.
        Tool("tcpdump", lambda capture: ["tcpdump", "-r", capture, "-w", "/dev/null"], rounds),
        # -q: no per-flow report; the DPI work per packet is the same (measured: same time).
        Tool("ndpiReader", lambda capture: ["ndpiReader", "-i", capture, "-q"], rounds),
    ]
    if not arguments.no_tshark:
        # A bare `tshark -r FILE -q` does not dissect at all (nothing asks for a tree), so it
        # only measures reading; the protocol hierarchy tap makes it dissect every packet.
        tools.append(Tool("tshark",
                          lambda capture: ["tshark", "-r", capture, "-q", "-z", "io,phs"],
                          min(arguments.tshark_rounds, rounds)))
    programs = {"tcpdump": "tcpdump", "ndpiReader": "ndpiReader", "tshark": "tshark"}
    for tool in tools:
        if tool.name.startswith("oddport"):
            if not oddport:
                tool.skipped = f"not executable: {arguments.oddport}"
        elif not shutil.which(programs[tool.name]):
            tool.skipped = f"{programs[tool.name]} not found on PATH"
    return tools


def run_rounds(tools, capture, folder, rounds, subreaper):
    for round_number in range(1, rounds + 1):
        for tool in tools:
            if tool.skipped or tool.failure or round_number > tool.rounds:
                continue
            error_path = os.path.join(folder, tool.name.replace(" ", "-") + ".stderr")
            argv = tool.argv_for(capture)
            seconds, peak_kib, status = run_once(argv, tool.stdout_to_null, error_path,
                                                 subreaper)
            if status != 0:
                tool.failure = f"exit status {status}: {tail_of(error_path)}"
                print(f"  round {round_number}: {tool.name} FAILED ({tool.failure})", flush=True)
                continue
            tool.times.append(seconds)
            tool.peaks_kib.append(peak_kib)
            print(f"  round {round_number}: {tool.name:<13} {seconds:8.3f} s "
                  f"{peak_kib / 1024.0:8.1f} MiB", flush=True)


def ratio(value, reference):
    if value is None or not reference:
        return None
    return value / reference


def format_number(value, digits=3, width=9):
    return f"{value:{width}.{digits}f}" if value is not None else f"{'-':>{width}}"


def print_table(tools, packets):
    by_name = {tool.name: tool for tool in tools}
    tcpdump = by_name["tcpdump"].median
    oddport = by_name["oddport json"].median
    print()
    print(f"{'tool':<14}{'runs':>5}{'median s':>10}{'min s':>9}{'Mpkt/s':>8}"
          f"{'x tcpdump':>11}{'x oddport':>11}{'peak MiB':>10}")
    for tool in tools:
        if tool.skipped:
            print(f"{tool.name:<14}  skipped: {tool.skipped}")
            continue
        if not tool.times:
            print(f"{tool.name:<14}  failed: {tool.failure}")
            continue
        rate = packets / tool.median / 1e6 if packets and tool.median else None
        note = f"  (then failed: {tool.failure})" if tool.failure else ""
        print(f"{tool.name:<14}{len(tool.times):>5}{format_number(tool.median, 3, 10)}"
              f"{format_number(min(tool.times), 3, 9)}{format_number(rate, 2, 8)}"
              f"{format_number(ratio(tool.median, tcpdump), 2, 11)}"
              f"{format_number(ratio(tool.median, oddport), 2, 11)}"
              f"{format_number(tool.peak_mib, 1, 10)}{note}")


def check_targets(tools):
    """Prints PASS/FAIL/SKIP per target; returns the list of verdicts."""
    by_name = {tool.name: tool for tool in tools}
    oddport = by_name["oddport json"]
    tcpdump = by_name["tcpdump"]
    ndpi = by_name["ndpiReader"]
    verdicts = []

    def report(verdict, text):
        verdicts.append(verdict)
        print(f"  {verdict:<5} {text}")

    print()
    print("targets")
    target = f"oddport json <= {MAX_TIME_VS_TCPDUMP:g}x tcpdump"
    if oddport.median is None or tcpdump.median is None:
        report("SKIP", f"{target}: needs both timings")
    else:
        limit = MAX_TIME_VS_TCPDUMP * tcpdump.median
        report("PASS" if oddport.median <= limit else "FAIL",
               f"{target}: {oddport.median:.3f} s vs limit {limit:.3f} s "
               f"({oddport.median / tcpdump.median:.2f}x tcpdump)")

    target = f"oddport json >= {MIN_SPEEDUP_VS_NDPI:g}x faster than ndpiReader"
    if oddport.median is None or ndpi.median is None:
        report("SKIP", f"{target}: needs both timings")
    else:
        speedup = ndpi.median / oddport.median
        report("PASS" if speedup >= MIN_SPEEDUP_VS_NDPI else "FAIL",
               f"{target}: {speedup:.1f}x ({ndpi.median:.3f} s vs {oddport.median:.3f} s)")

    target = f"oddport peak memory < {MAX_PEAK_MIB:g} MiB"
    peaks = [(tool.name, tool.peak_mib) for tool in tools
             if tool.name.startswith("oddport") and tool.peak_mib is not None]
    if not peaks:
        report("SKIP", f"{target}: no oddport run")
    else:
        worst = max(peak for _, peak in peaks)
        details = ", ".join(f"{name.split()[1]} {peak:.1f} MiB" for name, peak in peaks)
        report("PASS" if worst < MAX_PEAK_MIB else "FAIL", f"{target}: {details}")
    return verdicts


def main():
    arguments = parse_arguments()
    folder = tempfile.mkdtemp(prefix="oddport-bench-")
    try:
        if arguments.capture:
            capture = arguments.capture
            origin = "given"
        else:
            generator = find_executable(arguments.generator)
            if not generator:
                print(f"run-benchmark: generator not executable: {arguments.generator}",
                      file=sys.stderr)
                return 1
            arguments.generator = generator
            capture, origin = generate_capture(arguments, folder)
        if not os.path.isfile(capture):
            print(f"run-benchmark: no such capture: {capture}", file=sys.stderr)
            return 1
        packets = count_packets(capture)
        size_mib = os.path.getsize(capture) / 1048576.0
        print(f"capture: {capture}: "
              f"{packets if packets is not None else 'unknown number of'} packets, "
              f"{size_mib:.1f} MiB")
        print(f"  ({origin})")
        tools = build_tools(arguments)
        tshark_rounds = next((tool.rounds for tool in tools if tool.name == "tshark"), 0)
        print(f"rounds: {arguments.rounds}"
              + (f" (tshark {tshark_rounds})" if tshark_rounds else " (no tshark)")
              + ", alternating; median wall time; page cache warmed first")
        subreaper = become_subreaper()
        if not subreaper:
            print("note: no PR_SET_CHILD_SUBREAPER here; peak memory is at least this script's")
        warm_page_cache(capture)
        check_page_cache(capture, "before the rounds")
        run_rounds(tools, capture, folder, arguments.rounds, subreaper)
        check_page_cache(capture, "after the rounds")
        print_table(tools, packets)
        verdicts = check_targets(tools)

        oddport_failed = any(tool.failure for tool in tools if tool.name.startswith("oddport"))
        if oddport_failed:
            print("\noddport failed on the capture: see above")
            return 1
        if arguments.strict and any(verdict != "PASS" for verdict in verdicts):
            return 1
        return 0
    except RuntimeError as error:
        print(f"run-benchmark: {error}", file=sys.stderr)
        return 1
    finally:
        if arguments.keep:
            print(f"\nkept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
