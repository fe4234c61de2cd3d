#!/usr/bin/env bash
# oddport merge writes every format with a place for each member as one run writes it: the merge
# of one run's JSON report, as CSV, NDJSON and JSON, is that run's own report in the format, byte
# for byte, on every capture in the captures folder (TLS flows with no certificate read among
# them, whose null certificate is six CSV columns).
# Usage: formats.sh ODDPORT CAPTURES-DIR
set -uo pipefail
oddport=$(realpath "$1")
captures=$(realpath "$2")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0
cd "$captures" || exit 1
for capture in *.pcap *.pcapng; do
    "$oddport" -q --format json -o "$work/$capture.json" "$capture"
    status=$?
    [[ $status == 0 || $status == 1 ]] || exit 1
    for format in csv ndjson json; do
        "$oddport" -q --format "$format" -o "$work/run.$format" "$capture"
        if "$oddport" merge --format "$format" -o "$work/merged.$format" "$work/$capture.json" &&
            cmp -s "$work/run.$format" "$work/merged.$format"; then
            echo "ok - $capture: merged as $format, the run's own $format"
            passed=$((passed + 1))
        else
            echo "not ok - $capture: merged as $format, the run's own $format"
            diff "$work/run.$format" "$work/merged.$format" | head -5 | sed 's/^/    /'
            failed=$((failed + 1))
        fi
    done
done
echo "$passed passed, $failed failed"
[[ $failed == 0 ]]
