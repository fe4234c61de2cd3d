#!/usr/bin/env bash
# A bounded flow table under many concurrent flows: flows finished early are still reported and
# counted, a warning says so, and the report's packets still reconcile.
set -euo pipefail
oddport=$1 generator=$2 validate=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$generator" --packets 20000 --flows 2000 "$work/capture.pcap" 2>/dev/null
"$oddport" --max-flows 50 --format json -o "$work/bounded.json" "$work/capture.pcap" 2>"$work/err"
"$oddport" --format json -o "$work/unbounded.json" "$work/capture.pcap"
failed=0
grep -q "flows were finished early because more than 50 were open at once" "$work/err" ||
    { echo "not ok - no warning about finished flows"; failed=1; }
# The report says so too, not only the terminal.
grep -q '"warnings":\["[0-9]* flows were finished early because more than 50 were open at once' \
    "$work/bounded.json" || { echo "not ok - the JSON report lacks the warning"; failed=1; }
"$oddport" --max-flows 50 -o "$work/bounded.txt" "$work/capture.pcap" 2>/dev/null
grep -q "^warning: [0-9]* flows were finished early" "$work/bounded.txt" ||
    { echo "not ok - the text report lacks the warning"; failed=1; }
"$validate" "$work/bounded.json" || { echo "not ok - bounded report invalid"; failed=1; }
evicted=$(grep -o '"evicted_flows":[0-9]*' "$work/bounded.json" | cut -d: -f2)
[ "${evicted:-0}" -gt 0 ] || { echo "not ok - nothing was evicted"; failed=1; }
# Every packet is still in the report: the totals match the unbounded run.
totals() { grep -o '"totals":{"packets":[0-9]*,"bytes":[0-9]*' "$1"; }
[ "$(totals "$work/bounded.json")" = "$(totals "$work/unbounded.json")" ] ||
    { echo "not ok - totals differ"; failed=1; }
[ "$failed" -eq 0 ] && echo "5 passed, 0 failed (evicted $evicted flows)"
exit "$failed"
