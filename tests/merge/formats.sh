#!/usr/bin/env bash
# oddport merge writes every format as one run writes it: the merge of one run's JSON report, in
# every format and with oddport's report options, is that run's own report, byte for byte, on
# every capture in the captures folder (TLS flows with no certificate read among them, whose null
# certificate is six CSV columns; the text report's line of fingerprints, made from the fields
# the report gave).
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
    # Each format, and the report options oddport takes, which merge takes as well.
    for variant in csv ndjson json text html "csv --services-only" "text --all-flows --top 3"; do
        read -r -a options <<<"--format $variant"
        "$oddport" -q "${options[@]}" -o "$work/run" "$capture"
        if "$oddport" merge "${options[@]}" -o "$work/merged" "$work/$capture.json" &&
            cmp -s "$work/run" "$work/merged"; then
            echo "ok - $capture: merged as $variant, the run's own $variant"
            passed=$((passed + 1))
        else
            echo "not ok - $capture: merged as $variant, the run's own $variant"
            diff "$work/run" "$work/merged" | head -5 | sed 's/^/    /'
            failed=$((failed + 1))
        fi
    done
done
# Options a format does not take are refused as oddport refuses them.
if "$oddport" merge --format json --top 3 "$work/loopback.pcap.json" >/dev/null 2>"$work/err" ||
    ! grep -q "^oddport merge: --top is for the text and html formats, not json" "$work/err"; then
    echo "not ok - merge refuses --top with json: $(cat "$work/err")"
    failed=$((failed + 1))
else
    echo "ok - merge refuses --top with json, as oddport does"
    passed=$((passed + 1))
fi
echo "$passed passed, $failed failed"
[[ $failed == 0 ]]
