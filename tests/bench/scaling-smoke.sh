#!/usr/bin/env bash
# The scaling benchmark, shrunk to captures of a few thousand packets, still prints every row and
# the lines under each table: the benchmark is run by hand and rarely, so this keeps it working.
# usage: scaling-smoke.sh PYTHON3 RUN_SCALING ODDPORT GENERATE_CAPTURE READ_CAPTURE
set -euo pipefail
python3=$1 script=$2 oddport=$3 generate=$4 reader=$5
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$python3" "$script" --oddport "$oddport" --generator "$generate" --reader "$reader" \
    --sizes 4000 --rounds 1 --jobs 2 --folder "$work/captures" > "$work/out" 2>&1 || {
    cat "$work/out"
    echo "FAIL: the scaling benchmark failed"
    exit 1
}
cat "$work/out"

failures=0
expect() {
    if ! grep -qE -- "$1" "$work/out"; then
        echo "FAIL: no line matching: $1"
        failures=$((failures + 1))
    fi
}
for shape in short long; do
    expect "^$shape: 4000 packets"
done
# Each of oddport's rows has its wall and CPU time.
for row in "oddport -j 1" "oddport -j 2" "reading" "read\\+decode"; do
    expect "^  $row +[0-9]+\\.[0-9]{3} +[0-9]+\\.[0-9]{3} "
done
number="[0-9]+\\.[0-9]{2}"
expect "^  reading and decoding, the reading thread's work at -j 2 unless a thread reads ahead: \
$number of -j 1's time, so -j 2 without one at most ${number}x faster than -j 1; it is ${number}x$"
if command -v editcap > /dev/null; then
    expect "^  2 parts +[0-9]+\\.[0-9]{3} "
    expect "^  2 one-thread runs at once, one per part, nothing handed between them: \
${number}x faster than -j 1"
fi
# The tools oddport is compared with, where installed (the README's install line installs both):
# their rows, and oddport's ratios to them.
if command -v tcpdump > /dev/null && command -v ndpiReader > /dev/null; then
    for tool in tcpdump ndpiReader; do
        expect "^  $tool +[0-9]+\\.[0-9]{3} +[0-9]+\\.[0-9]{3} +$number +$number +$number +$number "
    done
    expect "^  oddport -j 1 +[0-9]+\\.[0-9]{3} +[0-9]+\\.[0-9]{3} +$number +$number +$number +$number "
else
    echo "# SKIP the rows of tcpdump and ndpiReader: not both installed"
fi
# The parts are cut for the run and removed after it, whatever --keep says of the captures.
if compgen -G "$work/captures/*-part_*" > /dev/null; then
    echo "FAIL: the parts were left behind"
    failures=$((failures + 1))
fi
[ "$failures" -eq 0 ] || exit 1
echo "the scaling benchmark prints every row and its limits"
