#!/usr/bin/env bash
# Flow ids are the run-wide position of each flow's first packet, so they do not move when a
# filter or a time window leaves other packets out, nor when --max-flows finishes flows early;
# in one capture a flow's id is its first frame's number, and a second capture counts on. (That
# ids do not depend on the order flows end in is the engine's unit test
# /engine/ids-follow-first-packets.)
# usage: stable-ids.sh ODDPORT FLOW_PLACES CAPTURES_DIR
set -euo pipefail
oddport=$(realpath "$1") flow_places=$(realpath "$2") captures=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$captures"

places() { # NAME ODDPORT_ARGUMENTS...: the report's flows as lines of flow-places
    local name=$1
    shift
    "$oddport" --format json -q -o "$work/$name.json" "$@"
    "$flow_places" "$work/$name.json" >"$work/$name.tsv"
}

failures=0
places full loopback.pcap
# A flow's identity for comparing runs: transport, endpoints and its first packet.
key() { awk -F'\t' '{ print $2 "\t" $3 "\t" $4 "\t" $5 "\t" $6 "\t" $8 "\t" $9 "\t" $1 }' "$1" | sort; }
key "$work/full.tsv" >"$work/full.keys"
for run in "filter-host:-f:host 127.0.0.22" "filter-ports:-f:tcp port 443 or tcp port 22" \
    "since:--since:2026-11-28T01:10:55Z" "until:--until:1795828256" "evicting:--max-flows:2"; do
    IFS=: read -r name option value <<<"$run"
    places "$name" "$option" "$value" loopback.pcap
    key "$work/$name.tsv" >"$work/$name.keys"
    # Every flow of the smaller run is a flow of the full run with the same id; a flow cut short
    # by --max-flows or by the window may begin later, and is then only checked below.
    if ! join_missing=$(comm -23 "$work/$name.keys" "$work/full.keys") ||
        { [ "$name" != evicting ] && [ "$name" != since ] && [ "$name" != until ] && [ -n "$join_missing" ]; }; then
        echo "$name: flows whose id differs from the run without $option:"
        printf '%s\n' "$join_missing"
        failures=$((failures + 1))
    fi
    kept=$(wc -l <"$work/$name.keys")
    [ "$kept" -gt 0 ] || { echo "$name: no flow kept"; failures=$((failures + 1)); }
    echo "$name: $kept flows, $(comm -12 "$work/$name.keys" "$work/full.keys" | wc -l) with the same id as without $option"
done
# One capture: the id is the first packet's frame number.
for name in full filter-host filter-ports since until evicting; do
    if awk -F'\t' '$1 != $9 { exit 1 }' "$work/$name.tsv"; then :; else
        echo "$name: a flow's id is not its first frame's number"
        failures=$((failures + 1))
    fi
done
# Two captures: ids go on counting through the second capture's packets.
places two loopback.pcap udp.pcap
first_count=$("$oddport" --format json -q loopback.pcap | grep -o '"totals":{"packets":[0-9]*' |
    grep -o '[0-9]*$')
if ! awk -F'\t' -v before="$first_count" '
    ($8 == "loopback.pcap" && $1 != $9) || ($8 == "udp.pcap" && $1 != before + $9) { bad = 1 }
    END { exit bad }' "$work/two.tsv"; then
    echo "two captures: ids do not count on across captures"
    failures=$((failures + 1))
fi
[ "$failures" -eq 0 ] && echo "stable ids: every check passed"
[ "$failures" -eq 0 ]
