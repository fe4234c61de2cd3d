#!/usr/bin/env bash
# oddport-dask on a Dask cluster of two workers gives the report of one oddport run over the
# whole capture set: rotated files given as they are, and one capture the driver cuts itself
# (--split-packets), on a local cluster the driver starts and on one started apart, as a real
# cluster is, and reached by its scheduler's address.
# Usage: dask.sh ODDPORT-DASK ODDPORT CAPTURES-DIR GENERATE-CAPTURE
set -uo pipefail
driver=$(realpath "$1")
oddport=$(realpath "$2")
captures=$(realpath "$3")
generate=$(realpath "$4")
here=$(dirname "$(realpath "$0")")
python=
for candidate in python3 /usr/bin/python3; do
    if command -v "$candidate" >/dev/null && "$candidate" -c 'import distributed' 2>/dev/null; then
        python=$(command -v "$candidate")
        break
    fi
done
if [[ -z $python ]]; then
    echo "no python3 with Dask distributed: cannot run oddport-dask (apt-get install python3-distributed)"
    exit 77
fi
for tool in editcap jq; do
    if ! command -v "$tool" >/dev/null; then
        echo "$tool is not installed: cannot cut captures or compare reports (apt-get install tshark jq)"
        exit 77
    fi
done
work=$(mktemp -d)
daemons=()
# shellcheck source=daemons.sh
source "$here/daemons.sh"
trap 'stop_processes "${daemons[@]}"; rm -rf "$work"' EXIT
cd "$work" || exit 1
"$generate" --packets 20000 --flows 800 --seed 3 generated.pcap >/dev/null || exit 1
failed=0

# oddport's report options shape the merged report, as one run's: a CSV of the services, and a
# text report with every flow and its tables cut to three rows.
"$oddport" -q --format csv --services-only -o services-one-run.csv "$captures/loopback.pcap"
"$oddport" -q --all-flows --top 3 --color never -o text-one-run.txt "$captures/loopback.pcap"
if "$python" "$driver" --local-workers 2 --oddport "$oddport" --format csv -o services-dask.csv \
    "$captures/loopback.pcap" -- --services-only 2>/dev/null &&
    cmp -s services-one-run.csv services-dask.csv &&
    "$python" "$driver" --local-workers 2 --oddport "$oddport" --format text -o text-dask.txt \
        "$captures/loopback.pcap" -- --all-flows --top=3 --color never 2>/dev/null &&
    diff <(grep -v '^Capture ' text-one-run.txt) <(grep -v '^Capture ' text-dask.txt) >/dev/null; then
    echo "ok - report options after -- shape the merged report as one run's"
else
    echo "not ok - report options after -- shape the merged report as one run's"
    failed=1
fi

# Run by a python3 without Dask (first on PATH: a virtual environment's, pyenv's), the driver
# runs again with the system's, which has it: here that Python without its site packages.
if [[ -x /usr/bin/python3 ]] && /usr/bin/python3 -c 'import distributed' 2>/dev/null; then
    mkdir no-dask
    printf '#!/bin/sh\nexec /usr/bin/python3 -S "$@"\n' >no-dask/python3
    chmod +x no-dask/python3
    if no-dask/python3 "$driver" --local-workers 2 --oddport "$oddport" --format csv \
        -o services-no-dask.csv "$captures/loopback.pcap" -- --services-only 2>no-dask.err &&
        cmp -s services-one-run.csv services-no-dask.csv; then
        echo "ok - run by a python3 without Dask, the driver runs with the system's"
    else
        echo "not ok - run by a python3 without Dask: $(cat no-dask.err)"
        failed=1
    fi
fi

# Rotated files: the loopback capture cut every 60 packets, each piece a part.
mkdir rotated
editcap -c 60 "$captures/loopback.pcap" rotated/loopback.pcap || exit 1
"$oddport" -q --format json -o whole.json "$work"/rotated/*.pcap || exit 1
if "$python" "$driver" --local-workers 2 --oddport "$oddport" -o dask.json "$work"/rotated/*.pcap &&
    "$here/same-report.sh" whole.json dask.json; then
    echo "ok - rotated files, one part each, on a local cluster of 2 workers"
else
    echo "not ok - rotated files, one part each, on a local cluster of 2 workers"
    failed=1
fi

# One capture cut by the driver into parts of 4000 packets, in a folder of the run's own inside
# --work-dir, which is gone afterwards. The same cut made here, under the same names, read in one
# run, says what the merged report must say, the folder's name aside. Pieces another run left in
# --work-dir are not taken for the run's own (they were, and counted twice).
mkdir cut cut-here
editcap -c 4000 generated.pcap cut-here/00000.pcap || exit 1
editcap -c 3000 generated.pcap cut/00000.pcap || exit 1
if "$python" "$driver" --local-workers 2 --oddport "$oddport" --split-packets 4000 \
    --work-dir "$work/cut" --format json -o dask-cut.json "$work/generated.pcap" 2>cut.err &&
    grep -q "^oddport-dask: the report's captures and frames are those of the cut parts, now removed" \
        cut.err; then
    parts=("$work"/cut-here/*.pcap)
    "$oddport" -q --format json -o whole-cut.json "${parts[@]}" || exit 1
    run_folder=$(dirname "$(jq -r '.captures[0].path' dask-cut.json)")
    sed "s#$run_folder/#$work/cut-here/#g" dask-cut.json >dask-cut-here.json
    left=$(find "$work/cut" -mindepth 1 -name "oddport-dask-*" | wc -l)
    if [[ ${#parts[@]} == 5 && $left == 0 && $run_folder == "$work/cut/oddport-dask-"* ]] &&
        "$here/same-report.sh" whole-cut.json dask-cut-here.json; then
        echo "ok - a capture cut into 5 parts by the driver, on a local cluster of 2 workers"
    else
        echo "not ok - a capture cut into 5 parts by the driver (${#parts[@]} parts, $left files left, folder $run_folder)"
        failed=1
    fi
else
    echo "not ok - oddport-dask --split-packets failed, or did not say the parts are gone: $(cat cut.err)"
    failed=1
fi
# With --keep-parts the parts stay where it says, and a flow's first packet is in the part and
# frame the report names: the packet of the whole capture at that place.
mkdir kept
if "$python" "$driver" --local-workers 2 --oddport "$oddport" --split-packets 4000 --keep-parts \
    --work-dir "$work/kept" --format json -o dask-kept.json "$work/generated.pcap" 2>kept.err; then
    kept_folder=$(sed -n 's/^oddport-dask: the cut parts are kept in //p' kept.err)
    place=$(jq -r '[.flows[] | select(.first_packet.frame > 1)][0].first_packet | "\(.capture) \(.frame)"' \
        dask-kept.json)
    read -r part frame <<<"$place"
    # The record (header and bytes) at that frame of the part, and at the same place in the
    # whole capture, the part's number times 4000 on.
    record_at() { editcap -r "$1" - "$2" 2>/dev/null | tail -c +25 | od -An -tx1 | tr -d ' \n'; }
    part_number=$(basename "$part" | cut -d_ -f2 | sed 's/^0*//;s/^$/0/')
    in_part=$(record_at "$part" "$frame")
    if [[ -n $kept_folder && $part == "$kept_folder"/* && -n $in_part ]] &&
        [[ $in_part == "$(record_at "$work/generated.pcap" $((part_number * 4000 + frame)))" ]]; then
        echo "ok - --keep-parts keeps the parts, where a flow's first packet is as the report says"
    else
        echo "not ok - --keep-parts: folder '$kept_folder', place '$place', stderr: $(cat kept.err)"
        failed=1
    fi
else
    echo "not ok - oddport-dask --split-packets --keep-parts failed: $(cat kept.err)"
    failed=1
fi

# Refused before anything runs (exit 2): -o naming a capture, which stays as it was; a count
# below 1; oddport's options that the driver sets itself.
cp "$captures/udp.pcap" evidence.pcap
"$python" "$driver" --local-workers 1 --oddport "$oddport" -o evidence.pcap evidence.pcap 2>refused.err
got=$?
if [[ $got == 2 ]] && cmp -s "$captures/udp.pcap" evidence.pcap &&
    grep -q "would overwrite the capture .*evidence.pcap" refused.err; then
    echo "ok - -o naming a capture is refused (exit 2), the capture left as it was"
else
    echo "not ok - -o naming a capture: exit $got, stderr: $(cat refused.err)"
    failed=1
fi
for arguments in "--local-workers 0" "--local-workers -1" "--split-packets 0" "--format yaml" \
    "-- -o x.json" "-- --format=text" "-- --top 3" "--format ndjson -- --services-only" \
    "--keep-parts"; do
    # shellcheck disable=SC2086 # the options are words
    "$python" "$driver" --oddport "$oddport" $arguments evidence.pcap >/dev/null 2>refused.err
    got=$?
    if [[ $got == 2 && -s refused.err && ! -e x.json ]]; then
        echo "ok - $arguments is refused (exit 2)"
    else
        echo "not ok - $arguments: exit $got, stderr: $(cat refused.err)"
        failed=1
    fi
done

# A cluster of its own: a scheduler and two single-threaded workers, each a process started by
# itself in another folder, as on machines that share only the captures' file system.
"$python" -m distributed.cli.dask_scheduler --host 127.0.0.1 --port 0 --no-dashboard \
    --scheduler-file "$work/scheduler.json" >"$work/scheduler.log" 2>&1 &
daemons+=("$!")
for _ in $(seq 300); do
    [[ -s $work/scheduler.json ]] && break
    sleep 0.1
done
address=$(jq -r .address "$work/scheduler.json" 2>/dev/null)
if [[ $address != tcp://* ]]; then
    echo "not ok - the Dask scheduler did not start:"
    sed 's/^/    /' "$work/scheduler.log"
    exit 1
fi
for worker in 1 2; do
    mkdir "$work/worker-$worker"
    (cd / && exec "$python" -m distributed.cli.dask_worker "$address" --nworkers 1 --nthreads 1 \
        --no-dashboard --local-directory "$work/worker-$worker") >"$work/worker-$worker.log" 2>&1 &
    daemons+=("$!")
done
if ! "$python" -c 'import sys; from distributed import Client
with Client(sys.argv[1], timeout=60) as client: client.wait_for_workers(2, timeout=60)' "$address"; then
    echo "not ok - two Dask workers did not join the scheduler at $address"
    exit 1
fi
if "$python" "$driver" --scheduler "$address" --oddport "$oddport" -o scheduler.json \
    "$work"/rotated/*.pcap && "$here/same-report.sh" whole.json scheduler.json; then
    echo "ok - rotated files on a scheduler and 2 workers started apart, by its address"
else
    echo "not ok - rotated files on a scheduler and 2 workers started apart, by its address"
    failed=1
fi

# Exit statuses as one oddport run gives them: --fail-on's finding, a capture no part could read
# (its report still written), and a part that failed, told in one line that names it.
on_cluster() {
    "$python" "$driver" --scheduler "$address" --oddport "$oddport" "$@"
}
"$oddport" -q --format json -o whole-fail-on.json "$work"/rotated/*.pcap --fail-on unexpected
one_run=$?
on_cluster -o fail-on.json "$work"/rotated/*.pcap -- --fail-on unexpected
got=$?
if [[ $one_run == 4 && $got == 4 ]] && "$here/same-report.sh" whole-fail-on.json fail-on.json; then
    echo "ok - --fail-on's finding in a part: exit 4, as one run, and the report"
else
    echo "not ok - --fail-on: exit $got, one run $one_run"
    failed=1
fi
"$oddport" -q --format json -o whole-missing.json "$work"/rotated/*.pcap "$work/missing.pcap" \
    2>/dev/null
one_run=$?
on_cluster -o missing.json "$work"/rotated/*.pcap "$work/missing.pcap" 2>missing.err
got=$?
if [[ $one_run == 1 && $got == 1 ]] && "$here/same-report.sh" whole-missing.json missing.json &&
    grep -q "^oddport merge: $work/missing.pcap: no such file" missing.err; then
    echo "ok - a capture that cannot be read: exit 1, as one run, and the report listing it"
else
    echo "not ok - a capture that cannot be read: exit $got, one run $one_run: $(cat missing.err)"
    failed=1
fi
on_cluster -o bogus.json "$work"/rotated/*.pcap -- --no-such-option 2>bogus.err
got=$?
if [[ $got == 2 && ! -e bogus.json && $(wc -l <bogus.err) == 1 ]] &&
    grep -q "^oddport-dask: $work/rotated/.*: oddport exited with 2: .*no-such-option" bogus.err; then
    echo "ok - a part's usage error: exit 2, one line naming the part, no report"
else
    echo "not ok - a part's usage error: exit $got, stderr: $(cat bogus.err)"
    failed=1
fi
on_cluster --oddport "$work/no-oddport" -o none.json "$work/generated.pcap" 2>none.err
got=$?
if [[ $got == 127 ]] && grep -q "cannot run $work/no-oddport on a worker" none.err; then
    echo "ok - an oddport the workers cannot run: exit 127, said in one line"
else
    echo "not ok - an oddport the workers cannot run: exit $got, stderr: $(cat none.err)"
    failed=1
fi

printf '#!/bin/sh\nkill -KILL $$\n' >"$work/killed-oddport"
chmod +x "$work/killed-oddport"
on_cluster --oddport "$work/killed-oddport" -o killed.json "$work/generated.pcap" 2>killed.err
got=$?
if [[ $got == 137 && ! -e killed.json ]] && grep -q "oddport was stopped by signal 9" killed.err; then
    echo "ok - a part's run stopped by SIGKILL: exit 137, as a shell says it, said in one line"
else
    echo "not ok - a part's run stopped by SIGKILL: exit $got, stderr: $(cat killed.err)"
    failed=1
fi
mkdir cut-missing
on_cluster --split-packets 4000 --work-dir "$work/cut-missing" -o cut-missing.json \
    "$work/generated.pcap" "$work/missing.pcap" 2>cut-missing.err
got=$?
listed=$(jq --arg path "$work/missing.pcap" \
    '[.captures[] | select(.path == $path and .error != null)] | length' cut-missing.json 2>/dev/null)
if [[ $got == 1 && $listed == 1 ]] && grep -q "missing.pcap: no such file" cut-missing.err; then
    echo "ok - --split-packets with a capture editcap cannot cut: exit 1, the report lists it"
else
    echo "not ok - --split-packets with a missing capture: exit $got, listed ${listed:-0} times"
    failed=1
fi

# Progress: on a terminal, how many parts are done, erased at the end.
if ! command -v script >/dev/null ||
    ! script -qfec "test -t 2" /dev/null </dev/null >/dev/null 2>&1; then
    echo "ok - # SKIP the progress line: no script(1) or no pseudo-terminal"
else
    script -qfec "ODDPORT_PROGRESS_AFTER_MS=0 '$python' '$driver' --scheduler '$address' \
        --oddport '$oddport' -o progress.json $work/rotated/*.pcap" /dev/null \
        </dev/null >progress.tty 2>&1
    rotated=("$work"/rotated/*.pcap)
    # Erased before the merge says its warnings, if any: nothing of it after the last erasing.
    after_erasing=$(LC_ALL=C sed -n 's/.*\r\x1b\[K//p' progress.tty | tr -d '\r')
    if LC_ALL=C grep -aq "${#rotated[@]} of ${#rotated[@]} parts done" progress.tty &&
        LC_ALL=C grep -aq $'\r\x1b\[K' progress.tty && [[ $after_erasing != *"parts done"* ]]; then
        echo "ok - a progress line on a terminal, erased at the end"
    else
        echo "not ok - no progress line on a terminal: $(cat -v progress.tty | tail -c 300)"
        failed=1
    fi
fi
exit $failed
