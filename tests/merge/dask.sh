#!/usr/bin/env bash
# oddport-dask on a local Dask cluster of two workers gives the report of one oddport run over
# the whole capture set: rotated files given as they are, and one capture the driver cuts itself
# (--split-packets).
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
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
"$generate" --packets 20000 --flows 800 --seed 3 generated.pcap >/dev/null || exit 1
failed=0

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

# One capture cut by the driver into parts of 4000 packets, in a folder of its own.
mkdir cut
if "$python" "$driver" --local-workers 2 --oddport "$oddport" --split-packets 4000 \
    --work-dir "$work/cut" --format json -o dask-cut.json "$work/generated.pcap"; then
    parts=("$work"/cut/*.pcap)
    "$oddport" -q --format json -o whole-cut.json "${parts[@]}" || exit 1
    if [[ ${#parts[@]} == 5 ]] && "$here/same-report.sh" whole-cut.json dask-cut.json; then
        echo "ok - a capture cut into 5 parts by the driver, on a local cluster of 2 workers"
    else
        echo "not ok - a capture cut into 5 parts by the driver (${#parts[@]} parts)"
        failed=1
    fi
else
    echo "not ok - oddport-dask --split-packets failed"
    failed=1
fi
exit $failed
