#!/usr/bin/env python3
"""How oddport's time and memory grow with the capture: three sizes, two shapes, peers in the same run."""

# Each capture is generated once (the same bytes for the same options), written again 4 KiB at a
# time as a recorder writes it (run-benchmark.py's write_as_recorded says why), read once to warm
# the page cache, then every tool reads it in alternating rounds: oddport's JSON report with one
# worker thread and with one per core, tcpdump writing every packet back out (the floor for any
# pcap reader) and ndpiReader. The tables give median wall time, median CPU time (user + system,
# which a busy machine disturbs less than wall time), the ratios to tcpdump and ndpiReader's time
# over oddport's, and peak resident memory. Two more rows take oddport apart (--reader, built
# beside the benchmark): its reader alone going through every record, and the reader with every
# frame decoded, which is what one thread does for all the others at -j N; under the table, that
# share gives the most -j N can gain (Amdahl's law) beside what it gains. With editcap, the
# capture is also cut into N parts and N one-thread runs read one part each, all at once, with
# nothing handed between them: the most any split of the work could gain on this machine. The
# shapes:
#
#   short  many short flows, 25 packets per flow on average (the benchmark's own capture)
#   long   fewer long flows, 500 packets per flow, most of them data after the opening
#
#   run-scaling.py --oddport build/src/cli/oddport --generator build/captures/generate-capture
#   run-scaling.py ... --sizes 250000,1000000 --shapes long --rounds 5 --folder /var/tmp/bench
#
# The captures take about 600 bytes per packet on disk (4M packets: about 2.4 GB each, twice that
# while one is written again); --folder puts them somewhere roomier than the temporary folder. The exit status is 0 unless a capture
# cannot be made or oddport fails.

import argparse
import glob
import importlib.util
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile

SHAPES = {"short": 25, "long": 500}  # packets per flow


def load_benchmark_module():
    """run-benchmark.py's runner (launching, timing, peak memory), shared rather than copied."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "run-benchmark.py")
    spec = importlib.util.spec_from_file_location("run_benchmark", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench = load_benchmark_module()


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.strip())
    parser.add_argument("--oddport", required=True, help="path to the oddport executable")
    parser.add_argument("--generator", required=True, help="path to generate-capture")
    parser.add_argument("--sizes", default="250000,1000000,4000000",
                        help="packets per capture, comma-separated (default 250000,1000000,4000000)")
    parser.add_argument("--shapes", default="short,long",
                        help="capture shapes, comma-separated: short, long (default both)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="timed runs of each tool per capture, alternating (default 3)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="worker threads for oddport's parallel run (default: the cores)")
    parser.add_argument("--folder", help="where to write the captures (default: a temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the captures afterwards")
    parser.add_argument("--reader", help="path to read-capture, for the rows of reading alone")
    arguments = parser.parse_args()
    try:
        arguments.sizes = [int(size) for size in arguments.sizes.split(",") if size]
    except ValueError:
        parser.error("--sizes takes packet counts separated by commas")
    arguments.shapes = [shape for shape in arguments.shapes.split(",") if shape]
    unknown = [shape for shape in arguments.shapes if shape not in SHAPES]
    if unknown:
        parser.error(f"unknown shape {unknown[0]!r}: choose from {', '.join(SHAPES)}")
    if not arguments.sizes or min(arguments.sizes) < 1000 or arguments.rounds < 1:
        parser.error("--sizes needs at least 1000 packets each and --rounds at least 1")
    return arguments


def oddport_has_jobs_option(oddport):
    result = subprocess.run([oddport, "--help"], capture_output=True, text=True, check=False)
    return "--jobs" in result.stdout


def parts_at_once_argv(one_thread_argv, parts):
    """One shell that starts the one-thread run on each part at once and fails if any fails."""
    script = " ".join(f"{shlex.join(one_thread_argv(part))} & pid{index}=$!;"
                      for index, part in enumerate(parts))
    script += " status=0;" + "".join(f" wait $pid{index} || status=1;"
                                     for index in range(len(parts)))
    return ["/bin/sh", "-c", script + " exit $status"]


def make_tools(oddport, jobs, with_jobs, rounds, reader=None, parts=None):
    def oddport_run(worker_count):
        def argv_for(capture):
            argv = [oddport, "--format", "json", "-o", "/dev/null", capture]
            return argv + ["-j", str(worker_count)] if with_jobs else argv
        return argv_for

    tools = [bench.Tool("oddport -j 1" if with_jobs else "oddport", oddport_run(1), rounds)]
    if with_jobs and jobs > 1:
        tools.append(bench.Tool(f"oddport -j {jobs}", oddport_run(jobs), rounds))
    if parts:
        tools.append(bench.Tool(f"{len(parts)} parts",
                                lambda capture: parts_at_once_argv(oddport_run(1), parts),
                                rounds))
    if reader:
        tools.append(bench.Tool("reading", lambda capture: [reader, capture], rounds))
        tools.append(bench.Tool("read+decode", lambda capture: [reader, "--decode", capture],
                                rounds))
    tools.append(bench.Tool("tcpdump", lambda capture: ["tcpdump", "-r", capture, "-w", "/dev/null"],
                            rounds))
    tools.append(bench.Tool("ndpiReader", lambda capture: ["ndpiReader", "-i", capture, "-q"],
                            rounds))
    for tool in tools:
        program = tool.argv_for("x")[0]
        if not bench.find_executable(program):
            tool.skipped = f"{program} not found"
    return tools


def run_capture(tools, capture, folder, rounds, subreaper):
    """Alternating rounds; each tool collects wall times, CPU times and peaks."""
    for tool in tools:
        tool.cpu_times = []
    for round_number in range(1, rounds + 1):
        for tool in tools:
            if tool.skipped or tool.failure:
                continue
            error_path = os.path.join(folder, tool.name.replace(" ", "-") + ".stderr")
            seconds, peak_kib, status, cpu_seconds = bench.run_once(
                tool.argv_for(capture), True, error_path, subreaper, with_cpu=True)
            if status != 0:
                tool.failure = f"exit status {status}: {bench.tail_of(error_path)}"
                continue
            tool.times.append(seconds)
            tool.cpu_times.append(cpu_seconds)
            tool.peaks_kib.append(peak_kib)


def median_or_none(values):
    return statistics.median(values) if values else None


def print_capture_table(label, tools, packets):
    by_name = {tool.name: tool for tool in tools}
    tcpdump = by_name["tcpdump"]
    ndpi = by_name["ndpiReader"]
    print(f"\n{label}")
    print(f"  {'tool':<14}{'wall s':>9}{'cpu s':>9}{'Mpkt/s':>8}{'wall x tcpdump':>16}"
          f"{'cpu x tcpdump':>15}{'ndpi / this':>13}{'peak MiB':>10}")
    rows = []
    for tool in tools:
        if tool.skipped or not tool.times:
            print(f"  {tool.name:<14}  {tool.skipped or tool.failure}")
            continue
        wall = statistics.median(tool.times)
        cpu = median_or_none(tool.cpu_times)
        rate = packets / wall / 1e6
        print(f"  {tool.name:<14}{wall:9.3f}{bench.format_number(cpu, 3, 9)}{rate:8.2f}"
              f"{bench.format_number(bench.ratio(wall, tcpdump.median), 2, 16)}"
              f"{bench.format_number(bench.ratio(cpu, median_or_none(tcpdump.cpu_times)), 2, 15)}"
              f"{bench.format_number(bench.ratio(ndpi.median, wall), 2, 13)}"
              f"{tool.peak_mib:10.1f}")
        rows.append((tool.name, wall, cpu, tool.peak_mib))
    return rows


def print_limits(tools, jobs):
    """What the reading thread's share says -j N can gain, beside what it and a split gain."""
    medians = {tool.name: tool.median for tool in tools if not tool.skipped and tool.times}
    one_thread = medians.get("oddport -j 1")
    if one_thread is None or jobs < 2:
        return
    parallel = medians.get(f"oddport -j {jobs}")
    serial = medians.get("read+decode")
    if serial is not None:
        share = min(serial / one_thread, 1.0)
        bound = 1 / (share + (1 - share) / jobs)
        line = (f"  reading and decoding, the reading thread's work at -j {jobs} unless a thread "
                f"reads ahead: {share:.2f} of -j 1's time, so -j {jobs} without one at most "
                f"{bound:.2f}x faster than -j 1")
        if parallel is not None:
            line += f"; it is {one_thread / parallel:.2f}x"
        print(line)
    parts = medians.get(f"{jobs} parts")
    if parts is not None:
        print(f"  {jobs} one-thread runs at once, one per part, nothing handed between them: "
              f"{one_thread / parts:.2f}x faster than -j 1 (the most any split of the work gains "
              f"here)")


def split_capture(capture, packets, parts_wanted, folder):
    """Cuts the capture into parts with editcap -c; returns their paths, or [] without editcap."""
    if parts_wanted < 2 or not shutil.which("editcap"):
        return []
    stem = os.path.join(folder, os.path.basename(capture).replace(".pcap", "") + "-part")
    per_part = -(-packets // parts_wanted)
    made = subprocess.run(["editcap", "-c", str(per_part), capture, stem + ".pcap"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False)
    parts = sorted(glob.glob(glob.escape(stem) + "_*.pcap"))
    if made.returncode != 0 or len(parts) != parts_wanted:
        print(f"editcap could not cut {capture} in {parts_wanted}: {made.stderr.strip()}",
              file=sys.stderr)
        for part in parts:
            os.remove(part)
        return []
    for part in parts:
        bench.warm_page_cache(part)
    return parts


def main():
    arguments = parse_arguments()
    oddport = bench.find_executable(arguments.oddport)
    generator = bench.find_executable(arguments.generator)
    if not oddport or not generator:
        print("oddport or generate-capture is not executable", file=sys.stderr)
        return 1
    reader = bench.find_executable(arguments.reader) if arguments.reader else None
    if arguments.reader and not reader:
        print(f"{arguments.reader} is not executable", file=sys.stderr)
        return 1
    with_jobs = oddport_has_jobs_option(oddport)
    subreaper = bench.become_subreaper()
    folder = arguments.folder or tempfile.mkdtemp(prefix="oddport-scaling-")
    os.makedirs(folder, exist_ok=True)
    print(f"oddport scaling: sizes {arguments.sizes}, shapes {arguments.shapes}, "
          f"{arguments.rounds} rounds, {os.cpu_count()} cores"
          + ("" if with_jobs else " (this oddport has no -j: one thread only)"), flush=True)
    growth = []
    try:
        for shape in arguments.shapes:
            for packets in arguments.sizes:
                flows = max(1, packets // SHAPES[shape])
                capture = os.path.join(folder, f"{shape}-{packets}.pcap")
                command = [generator, "--packets", str(packets), "--flows", str(flows), capture]
                made = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                      text=True, check=False)
                if made.returncode != 0:
                    print(f"{' '.join(command)} failed: {made.stderr.strip()}", file=sys.stderr)
                    return 1
                bench.write_as_recorded(capture)
                parts = split_capture(capture, packets, arguments.jobs if with_jobs else 1,
                                      folder)
                bench.warm_page_cache(capture)
                bench.check_page_cache(capture, "before the rounds")
                tools = make_tools(oddport, arguments.jobs, with_jobs, arguments.rounds, reader,
                                   parts)
                try:
                    run_capture(tools, capture, folder, arguments.rounds, subreaper)
                    # The parts double the memory the captures take in the page cache.
                    for part in parts:
                        bench.check_page_cache(part, "after the rounds (a part)")
                finally:
                    for part in parts:
                        os.remove(part)
                bench.check_page_cache(capture, "after the rounds")
                label = (f"{shape}: {packets} packets, {flows} flows, "
                         f"{os.path.getsize(capture) / 2**20:.0f} MiB")
                rows = print_capture_table(label, tools, packets)
                print_limits(tools, arguments.jobs)
                for name, wall, cpu, peak in rows:
                    growth.append((shape, packets, name, wall, cpu, peak))
                if any(tool.failure and tool.name.startswith("oddport") for tool in tools):
                    print("oddport failed", file=sys.stderr)
                    return 1
                if not arguments.keep:
                    os.remove(capture)
        print("\ngrowth: oddport's CPU time per million packets and peak memory, by size")
        for shape in arguments.shapes:
            for name in sorted({row[2] for row in growth if row[2].startswith("oddport")}):
                cells = [f"{packets // 1000}k: {cpu / packets * 1e6:.3f} s, {peak:.1f} MiB"
                         for row_shape, packets, row_name, _, cpu, peak in growth
                         if row_shape == shape and row_name == name and cpu is not None]
                print(f"  {shape:<6}{name:<14}" + "; ".join(cells))
    finally:
        if not arguments.keep and not arguments.folder:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
