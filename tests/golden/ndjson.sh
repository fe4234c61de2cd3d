#!/usr/bin/env bash
# The NDJSON report says what the JSON report says, for every capture in the given folders.
# Both reports are written for each capture (and for a few runs with options) and check-ndjson
# compares them line by line. Folders that do not exist are named and skipped.
# Usage: ndjson.sh ODDPORT CHECK-NDJSON CAPTURES-FOLDER [FOLDER...]; the captures folder, the
# recorded captures, is read like the other folders and also gives the runs with options.
set -u
oddport=$1 check=$2 captures=$3
shift 2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0

compare() { # compare NAME ODDPORT-ARGUMENTS...: both reports of one run, checked alike
    local name=$1
    shift
    "$oddport" --format json -o "$work/report.json" "$@" 2>"$work/err"
    local json_status=$?
    "$oddport" --format ndjson -o "$work/report.ndjson" "$@" 2>>"$work/err"
    local ndjson_status=$?
    local verdict=ok
    if [ "$json_status" -gt 1 ] || [ "$ndjson_status" != "$json_status" ]; then
        verdict="exit status $ndjson_status for NDJSON, $json_status for JSON"
    elif ! "$check" "$work/report.json" "$work/report.ndjson" >"$work/out" 2>>"$work/err"; then
        verdict="the NDJSON report differs from the JSON report"
    fi
    if [ "$verdict" = ok ]; then
        passed=$((passed + 1))
        echo "ok - $name (exit $json_status): $(cat "$work/out")"
    else
        failed=$((failed + 1))
        echo "not ok - $name: $verdict"
        sed 's/^/    /' "$work/err"
    fi
}

# The command offers the format: in --format's help and in the list of formats under it.
if "$oddport" --help | grep -q -- '--format=FORMAT .*ndjson' &&
    "$oddport" --help | grep -q '^  ndjson  '; then
    passed=$((passed + 1))
    echo "ok - --help offers ndjson"
else
    failed=$((failed + 1))
    echo "not ok - --help does not offer ndjson"
fi

for folder in "$@"; do
    [ -d "$folder" ] || { echo "# skipping $folder: not present"; continue; }
    while IFS= read -r capture; do
        compare "$capture" "$capture"
    done < <(find "$folder" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) | sort)
done

# Runs whose summaries hold more: two captures with a filter, flows finished early by
# --max-flows (run warnings), site rules, and a capture that cannot be read.
compare "two captures with a filter" -f 'not udp' "$captures/loopback.pcap" \
    "$captures/loopback-nanosecond.pcap"
compare "--max-flows 3" --max-flows 3 "$captures/loopback.pcap"
compare "site rules" --services "$captures/site-services.example" "$captures/loopback.pcapng"
compare "an unreadable capture beside a readable one" "$captures/udp.pcap" "$work/missing.pcap"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
