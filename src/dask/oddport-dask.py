#!/usr/bin/env python3
# oddport-dask: runs oddport over the parts of a capture set on Dask workers and merges them.
"""Runs oddport on the time-contiguous parts of a capture set on the workers of a Dask
distributed cluster (or a local one) and merges the parts' reports with `oddport merge` into
the report one run over the whole set would have written.

Dask does the scheduling; this program only says what to run. The parts are the capture files
given (rotated files are time-contiguous parts already), or, with --split-packets N, pieces of
N packets cut from each with `editcap -c N` into a folder every worker can read. Workers must see
the captures at the same paths as this program (a shared file system), and run the same oddport
version; each sends its part's NDJSON report back to this program, which merges them.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

# oddport's exit statuses after which its report is whole: success, and a capture that could not
# be read at all (the report lists it with its error).
REPORT_WRITTEN = (0, 1)


def run_oddport_on_part(oddport, part, oddport_options):
    """Runs on a worker: oddport's NDJSON report of one part, as text."""
    command = [oddport, "--format", "ndjson", "-q", *oddport_options, "--", part]
    result = subprocess.run(command, capture_output=True, check=False)
    if result.returncode not in REPORT_WRITTEN:
        raise RuntimeError(
            f"{' '.join(command)} exited with {result.returncode}: "
            f"{result.stderr.decode(errors='replace').strip()}"
        )
    return result.stdout.decode()


def split_captures(captures, packets_per_part, editcap, folder):
    """Cuts each capture into pieces of `packets_per_part` packets; returns their paths, each
    capture's pieces in order (editcap numbers them)."""
    parts = []
    for index, capture in enumerate(captures):
        base = os.path.join(folder, f"{index:05d}.pcap")
        subprocess.run([editcap, "-c", str(packets_per_part), capture, base], check=True)
        stem = f"{index:05d}_"
        pieces = sorted(name for name in os.listdir(folder) if name.startswith(stem))
        parts.extend(os.path.join(folder, name) for name in pieces)
    return parts


def parse_arguments(argv):
    parser = argparse.ArgumentParser(
        prog="oddport-dask",
        description="Run oddport on the parts of a capture set on Dask workers and merge the "
        "reports into the report of one run over the whole set.",
        usage="%(prog)s [OPTIONS] CAPTURE... [-- ODDPORT-OPTION...]",
        epilog="Options for oddport itself (such as --filter or --services) go after '--'. "
        "Workers must see the captures (and --work-dir) at the same paths. See oddport-dask(1).",
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786",
    )
    where.add_argument(
        "--local-workers",
        type=int,
        metavar="N",
        default=None,
        help="start a local cluster of N worker processes (default without --scheduler: "
        "the cores available)",
    )
    parser.add_argument(
        "--split-packets",
        type=int,
        metavar="N",
        help="cut every capture into parts of N packets with editcap -c N first",
    )
    parser.add_argument(
        "--work-dir",
        metavar="FOLDER",
        help="where the cut parts go (must be readable by every worker; default: a temporary "
        "folder, removed afterwards)",
    )
    parser.add_argument("--oddport", default="oddport", help="the oddport program (default: oddport)")
    parser.add_argument("--editcap", default="editcap", help="the editcap program (default: editcap)")
    parser.add_argument("-o", "--output", metavar="FILE", help="write the merged report to FILE")
    parser.add_argument(
        "--format", default="json", help="format of the merged report: json (default), ndjson, text, csv"
    )
    parser.add_argument("captures", nargs="+", metavar="CAPTURE", help="the capture set's files")
    # Everything after the first '--' is oddport's.
    split = argv.index("--") if "--" in argv else len(argv)
    arguments = parser.parse_args(argv[:split])
    return arguments, argv[split + 1 :]


def main(argv):
    arguments, oddport_options = parse_arguments(argv)
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        print("oddport-dask: Dask distributed is not installed (Debian: python3-distributed)", file=sys.stderr)
        return 2
    oddport = shutil.which(arguments.oddport) or arguments.oddport
    captures = [os.path.abspath(capture) for capture in arguments.captures]
    work_dir = arguments.work_dir
    made_work_dir = False
    if arguments.split_packets is not None and work_dir is None:
        work_dir = tempfile.mkdtemp(prefix="oddport-dask-")
        made_work_dir = True
    cluster = None
    try:
        parts = captures
        if arguments.split_packets is not None:
            os.makedirs(work_dir, exist_ok=True)
            parts = split_captures(captures, arguments.split_packets, arguments.editcap, work_dir)
        if arguments.scheduler is not None:
            client = Client(arguments.scheduler)
        else:
            workers = arguments.local_workers or os.cpu_count() or 1
            cluster = LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
            )
            client = Client(cluster)
        with client:
            # pure=False: two parts are never the same task, whatever their names.
            futures = [
                client.submit(run_oddport_on_part, oddport, part, oddport_options, pure=False)
                for part in parts
            ]
            reports = client.gather(futures)
        with tempfile.TemporaryDirectory(prefix="oddport-dask-reports-") as folder:
            paths = []
            for index, report in enumerate(reports):
                path = os.path.join(folder, f"part-{index:05d}.ndjson")
                with open(path, "w", encoding="utf-8") as stream:
                    stream.write(report)
                paths.append(path)
            command = [oddport, "merge", "--format", arguments.format]
            if arguments.output is not None:
                command += ["-o", arguments.output]
            return subprocess.run(command + paths, check=False).returncode
    finally:
        if cluster is not None:
            cluster.close()
        if made_work_dir:
            shutil.rmtree(work_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
