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
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

# oddport's exit statuses after which its report is whole: success, a capture that could not be
# read at all (the report lists it with its error), and --fail-on's finding.
UNREADABLE_CAPTURE = 1
FOUND_SEVERE = 4
REPORT_WRITTEN = (0, UNREADABLE_CAPTURE, FOUND_SEVERE)
# When oddport-dask itself cannot go on (the scheduler cannot be reached, a worker died): no
# report is written, as oddport says when it cannot write one.
NO_REPORT = 3
# As a shell says of a program it cannot start, and of one a signal stopped.
CANNOT_RUN = 127
STOPPED_BY_SIGNAL = 128


class PartFailed(Exception):
    """A part's oddport run that wrote no whole report: its status and first line of stderr."""

    def __init__(self, part, status, message):
        if status == CANNOT_RUN or status > STOPPED_BY_SIGNAL:
            super().__init__(f"{part}: {message}")
        else:
            super().__init__(f"{part}: oddport exited with {status}: {message}")
        self.status = status


def run_oddport_on_part(oddport, part, oddport_options):
    """Runs on a worker: oddport's exit status on one part, its NDJSON report as text, and the
    first line it wrote on stderr. A failure is told, not raised, so that the program running
    here, not the worker, says what failed."""
    command = [oddport, "--format", "ndjson", "-q", *oddport_options, "--", part]
    try:
        result = subprocess.run(command, capture_output=True, check=False)
    except OSError as error:
        return CANNOT_RUN, "", f"cannot run {oddport} on a worker: {error.strerror}"
    if result.returncode < 0:
        signal_number = -result.returncode
        return STOPPED_BY_SIGNAL + signal_number, "", f"oddport was stopped by signal {signal_number}"
    lines = result.stderr.decode(errors="replace").strip().splitlines()
    return result.returncode, result.stdout.decode(), lines[0] if lines else "no message"


class Progress:
    """A line on stderr, when it is a terminal and the parts take more than a moment (as long as
    oddport waits before its own progress line), saying how many parts are done; redrawn every
    half second from a thread of its own, so that it shows while the first parts still run."""

    REDRAW_SECONDS = 0.5

    def __init__(self, parts):
        self.parts = parts
        self.done = 0
        self.started = time.monotonic()
        try:
            after_ms = int(os.environ.get("ODDPORT_PROGRESS_AFTER_MS", "1000"))
        except ValueError:
            after_ms = 1000
        self.after = after_ms / 1000
        self.enabled = sys.stderr.isatty()
        self.visible = False
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        self.thread = None
        if self.enabled:
            self.thread = threading.Thread(target=self._redraw, daemon=True)
            self.thread.start()

    def _redraw(self):
        while not self.stopped.wait(self.REDRAW_SECONDS):
            self.draw()

    def count(self, done):
        self.done = done
        self.draw()

    def draw(self):
        with self.lock:
            elapsed = time.monotonic() - self.started
            if not self.enabled or self.stopped.is_set() or elapsed < self.after:
                return
            self.visible = True
            done = self.done
            left = elapsed * (self.parts - done) / done if done else 0
            sys.stderr.write(
                f"\roddport-dask: {done} of {self.parts} parts done, {elapsed:.0f} s"
                + (f", about {left:.0f} s left" if done else "")
                + "\033[K"
            )
            sys.stderr.flush()

    def clear(self):
        with self.lock:
            if self.visible:
                sys.stderr.write("\r\033[K")
                sys.stderr.flush()
                self.visible = False

    def stop(self):
        self.stopped.set()
        if self.thread is not None:
            self.thread.join()
        self.clear()


def run_parts(client, oddport, parts, oddport_options):
    """The parts' exit statuses and reports, in the parts' order, as they finish on the workers;
    raises PartFailed for the first part that failed."""
    from dask.distributed import as_completed

    # pure=False: two parts are never the same task, whatever their names.
    futures = [
        client.submit(run_oddport_on_part, oddport, part, oddport_options, pure=False)
        for part in parts
    ]
    place = {future.key: index for index, future in enumerate(futures)}
    results = [None] * len(futures)
    progress = Progress(len(parts))
    try:
        for done, future in enumerate(as_completed(futures), start=1):
            index = place[future.key]
            status, report, message = future.result()
            if status not in REPORT_WRITTEN:
                raise PartFailed(parts[index], status, message)
            # A capture a part could not read is named by the merge, which lists it in the
            # report and exits with 1 for it, as one run does.
            results[index] = (status, report)
            progress.count(done)
    finally:
        progress.stop()
        client.cancel(futures)
    return results


def split_captures(captures, packets_per_part, editcap, folder):
    """Cuts each capture into pieces of `packets_per_part` packets; returns their paths, each
    capture's pieces in order (editcap numbers them)."""
    parts = []
    for index, capture in enumerate(captures):
        base = os.path.join(folder, f"{index:05d}.pcap")
        stem = f"{index:05d}_"
        cut = subprocess.run(
            [editcap, "-c", str(packets_per_part), capture, base], capture_output=True, check=False
        )
        pieces = sorted(name for name in os.listdir(folder) if name.startswith(stem))
        if cut.returncode != 0:
            # Missing, unreadable or no capture: the part is the file as given, and its run
            # reports it, with its error, as one run over the set would.
            for name in pieces:
                os.remove(os.path.join(folder, name))
            parts.append(capture)
            continue
        parts.extend(os.path.join(folder, name) for name in pieces)
    return parts


def killed_worker_error():
    """Dask's error for a task whose workers kept dying, wherever this version keeps it."""
    try:
        from distributed.scheduler import KilledWorker
    except ImportError:
        from distributed import KilledWorker
    return KilledWorker


def positive_integer(text):
    """argparse's type for a count that must be at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text}")
    return value


# oddport options that are the driver's own: every part's run writes NDJSON to standard output.
DRIVER_OPTIONS = ("-o", "--output", "--format")


def driver_option_among(oddport_options):
    """The first of oddport's options after '--' that the driver sets itself, or None."""
    for option in oddport_options:
        if option == "--":
            break
        for name in DRIVER_OPTIONS:
            attached = name + "=" if name.startswith("--") else name
            if option == name or option.startswith(attached):
                return name
    return None


# oddport's report options: they shape the merged report, so the merge takes them, not the
# parts' runs, which write NDJSON. Those with a value take it attached or as the next word.
REPORT_FLAGS = ("--all-flows", "--services-only", "--filters")
REPORT_OPTIONS_WITH_VALUES = ("--top", "--color")


def split_report_options(oddport_options):
    """oddport's options after '--', parted into those for the merge (the report options) and
    those for every part's run, each in the order given."""
    for_merge, for_parts = [], []
    index = 0
    while index < len(oddport_options):
        option = oddport_options[index]
        if option == "--":
            for_parts += oddport_options[index:]
            break
        if option in REPORT_FLAGS or any(option.startswith(name + "=")
                                         for name in REPORT_OPTIONS_WITH_VALUES):
            for_merge.append(option)
        elif option in REPORT_OPTIONS_WITH_VALUES:
            for_merge += oddport_options[index:index + 2]
            index += 1
        else:
            for_parts.append(option)
        index += 1
    return for_merge, for_parts


def report_options_refusal(oddport, report_format, report_options):
    """Why `oddport merge` would refuse the report options for the format, or None: asked of the
    merge itself, given no report, before the cluster runs the parts. A merge given options it
    takes and no report says only that it needs reports."""
    try:
        probe = subprocess.run([oddport, "merge", "--format", report_format, *report_options],
                               capture_output=True, text=True, check=False)
    except OSError:
        return None  # said where the parts run, as for any failure to start oddport
    message = probe.stderr.strip().removeprefix("oddport merge: ")
    if probe.returncode == 0 or "name the reports" in message:
        return None
    return message.splitlines()[0] if message else None


def capture_overwritten(output, captures):
    """The capture (or a capture in a folder given) that writing the report to `output` would
    replace, or None: a report never replaces evidence. `oddport merge` refuses such an -o too,
    from the captures its reports name; asked here, it fails before the cluster runs the parts."""
    if output is None or not os.path.exists(output):
        return None
    for capture in captures:
        candidates = [capture]
        if os.path.isdir(capture):
            candidates = [os.path.join(capture, name) for name in os.listdir(capture)]
        for candidate in candidates:
            try:
                if os.path.samefile(output, candidate):
                    return candidate
            except OSError:
                continue
    return None


# The Python that Debian's python3-distributed installs Dask for.
SYSTEM_PYTHON = "/usr/bin/python3"


def run_with_system_python(argv):
    """Runs the driver again with the system's Python, when the one that runs it now (the first
    python3 on PATH: a virtual environment's, pyenv's or conda's) lacks Dask and the system's has
    it. Returns only when that is not so."""
    if os.environ.get("ODDPORT_DASK_SYSTEM_PYTHON") or not os.path.exists(SYSTEM_PYTHON):
        return
    has_dask = subprocess.run([SYSTEM_PYTHON, "-c", "import distributed"],
                              capture_output=True, check=False).returncode == 0
    if not has_dask:
        return
    # Marked, so that the system's Python, if it cannot import Dask after all, says so.
    os.environ["ODDPORT_DASK_SYSTEM_PYTHON"] = "1"
    os.execv(SYSTEM_PYTHON, [SYSTEM_PYTHON, os.path.abspath(sys.argv[0]), *argv])


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
        type=positive_integer,
        metavar="N",
        default=None,
        help="start a local cluster of N worker processes (default without --scheduler: "
        "the cores available)",
    )
    parser.add_argument(
        "--split-packets",
        type=positive_integer,
        metavar="N",
        help="cut every capture into parts of N packets with editcap -c N first",
    )
    parser.add_argument(
        "--work-dir",
        metavar="FOLDER",
        help="where the cut parts go, in a folder of their own made for the run and removed "
        "afterwards (must be readable by every worker; default: the system's temporary folder)",
    )
    parser.add_argument(
        "--keep-parts",
        action="store_true",
        help="keep the cut parts, which the report's captures and frames name (default: remove "
        "them at the end)",
    )
    parser.add_argument("--oddport", default="oddport", help="the oddport program (default: oddport)")
    parser.add_argument("--editcap", default="editcap", help="the editcap program (default: editcap)")
    parser.add_argument("-o", "--output", metavar="FILE", help="write the merged report to FILE")
    parser.add_argument(
        "--format",
        default="json",
        choices=("json", "ndjson", "text", "csv", "html"),
        help="format of the merged report: json (default), ndjson, text, csv or html",
    )
    parser.add_argument("captures", nargs="+", metavar="CAPTURE", help="the capture set's files")
    # Everything after the first '--' is oddport's.
    split = argv.index("--") if "--" in argv else len(argv)
    arguments = parser.parse_args(argv[:split])
    oddport_options = argv[split + 1 :]
    taken = driver_option_among(oddport_options)
    if taken is not None:
        parser.error(f"{taken} after '--' is oddport-dask's own: give it before '--'")
    if arguments.keep_parts and arguments.split_packets is None:
        parser.error("--keep-parts keeps the parts --split-packets cuts: give both")
    return arguments, oddport_options


def quiet_closing():
    """Closing a client on a busy machine can time out inside Dask, which leaves an asyncio
    future holding the TimeoutError; asyncio then prints "Future exception was never retrieved"
    when it is collected, after the report is written and the progress line erased. By then
    every part's result is in or its failure said, so asyncio's own messages say nothing to the
    user."""
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)


def main(argv):
    arguments, oddport_options = parse_arguments(argv)
    report_options, oddport_options = split_report_options(oddport_options)
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        run_with_system_python(argv)
        print(
            f"oddport-dask: Dask distributed is not installed for {sys.executable} "
            "(Debian: python3-distributed)",
            file=sys.stderr,
        )
        return 2
    oddport = shutil.which(arguments.oddport) or arguments.oddport
    refusal = report_options_refusal(oddport, arguments.format, report_options)
    if refusal is not None:
        print(f"oddport-dask: {refusal}", file=sys.stderr)
        return 2
    captures = [os.path.abspath(capture) for capture in arguments.captures]
    overwritten = capture_overwritten(arguments.output, captures)
    if overwritten is not None:
        print(
            f"oddport-dask: the merged report (-o {arguments.output}) would overwrite the capture "
            f"{overwritten}: nothing was written",
            file=sys.stderr,
        )
        return 2
    work_dir = None
    cluster = None
    report_written = False
    try:
        parts = captures
        if arguments.split_packets is not None:
            # A folder of the run's own: pieces left in --work-dir by another run, of another
            # capture or cut otherwise, must not be taken for this run's.
            where = arguments.work_dir or tempfile.gettempdir()
            try:
                os.makedirs(where, exist_ok=True)
                work_dir = tempfile.mkdtemp(prefix="oddport-dask-", dir=where)
                parts = split_captures(captures, arguments.split_packets, arguments.editcap, work_dir)
            except OSError as error:
                print(f"oddport-dask: cannot cut the captures into {where}: {error}", file=sys.stderr)
                return NO_REPORT
        try:
            if arguments.scheduler is not None:
                client = Client(arguments.scheduler)
            else:
                workers = arguments.local_workers or os.cpu_count() or 1
                cluster = LocalCluster(
                    n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
                )
                client = Client(cluster)
        except (OSError, ValueError) as error:
            where = arguments.scheduler or "a local cluster"
            print(f"oddport-dask: cannot reach {where}: {error}", file=sys.stderr)
            return NO_REPORT
        with client:
            try:
                results = run_parts(client, oddport, parts, oddport_options)
            except PartFailed as failure:
                print(f"oddport-dask: {failure}", file=sys.stderr)
                return failure.status
            except (OSError, killed_worker_error()) as error:
                print(f"oddport-dask: the cluster failed: {error}", file=sys.stderr)
                return NO_REPORT
            finally:
                quiet_closing()
        with tempfile.TemporaryDirectory(prefix="oddport-dask-reports-") as folder:
            paths = []
            for index, (_, report) in enumerate(results):
                path = os.path.join(folder, f"part-{index:05d}.ndjson")
                with open(path, "w", encoding="utf-8") as stream:
                    stream.write(report)
                paths.append(path)
            command = [oddport, "merge", "--format", arguments.format, *report_options]
            if arguments.output is not None:
                command += ["-o", arguments.output]
            merged = subprocess.run(command + paths, check=False).returncode
            # 1: written, listing a capture a part could not read.
            report_written = merged in (0, UNREADABLE_CAPTURE)
        # As one oddport run ranks them: an error of the merge, or a capture a part could not
        # read (the merge's 1), first, then a finding of --fail-on.
        statuses = {status for status, _ in results}
        if merged != 0:
            return merged
        if UNREADABLE_CAPTURE in statuses:
            return UNREADABLE_CAPTURE
        if FOUND_SEVERE in statuses:
            return FOUND_SEVERE
        return 0
    finally:
        if cluster is not None:
            cluster.close()
        # The report's captures and frames are the parts': say where they are, or that they
        # are gone, so that the way back from a flow to its packets is not a dead end.
        if work_dir is not None and arguments.keep_parts:
            print(f"oddport-dask: the cut parts are kept in {work_dir}", file=sys.stderr)
        elif work_dir is not None:
            shutil.rmtree(work_dir, ignore_errors=True)
            if report_written:
                print("oddport-dask: the report's captures and frames are those of the cut "
                      "parts, now removed (--keep-parts keeps them)", file=sys.stderr)


class Terminated(Exception):
    """SIGTERM, turned into an exception so that the cleaning up in main runs as for Ctrl-C."""


def on_terminate(signal_number, frame):
    raise Terminated()


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, on_terminate)
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        sys.exit(STOPPED_BY_SIGNAL + signal.SIGINT)  # as oddport: 130
    except Terminated:
        sys.exit(STOPPED_BY_SIGNAL + signal.SIGTERM)  # 143
