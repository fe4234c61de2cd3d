#!/usr/bin/env bash
# The way back from a report to the packets, checked with tshark 4.0 on the same captures:
#   community-id: oddport's community_id of every flow equals the Community ID tshark computes
#                 (its "communityid" protocol, off by default in 4.0, turned on with
#                 --enable-protocol) for the flow's first packet, wherever tshark computes one;
#   frames:       `tshark -Y frame.number==N` on the flow's capture shows, for its first packet
#                 and its deciding packet, a packet of the flow's own addresses, ports and
#                 transport, and the deciding packet carries payload sent by the side that
#                 decided.
# usage: wayback.sh MODE ODDPORT FLOW_PLACES TSHARK CAPTURE_OR_FOLDER...
# Exit 77 (skipped) without tshark.
set -uo pipefail
mode=$1 oddport=$2 flow_places=$3 tshark=$4
shift 4
if [ ! -x "$tshark" ] && ! command -v "$tshark" >/dev/null 2>&1; then
    echo "skipped: tshark was not found"
    exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# tshark refuses to run personal plugins as root but reads captures as root with a warning only.
export HOME=$work

# Wireshark 4.6 renamed the hash field from communityid to communityid.hash.
community_id_field=communityid
if "$tshark" -G fields 2>/dev/null | grep -q $'\tcommunityid\.hash\t'; then
    community_id_field=communityid.hash
fi

captures=()
for argument in "$@"; do
    if [ -d "$argument" ]; then
        while IFS= read -r -d '' capture; do captures+=("$capture"); done < <(
            find "$argument" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) -print0 | sort -z)
    else
        captures+=("$argument")
    fi
done

compared=0 differences=0 skipped_flows=0 unreadable=0 checked_captures=0
for capture in "${captures[@]}"; do
    # One capture at a time, so every flow names this capture; one the CLI cannot read has no
    # flows to look up.
    if ! "$oddport" --format json -q -o "$work/report.json" "$capture" 2>/dev/null; then
        unreadable=$((unreadable + 1))
        continue
    fi
    "$flow_places" "$work/report.json" >"$work/flows.tsv" || { differences=$((differences + 1)); continue; }
    [ -s "$work/flows.tsv" ] || continue
    checked_captures=$((checked_captures + 1))
    # The frames to look at, as one display filter: frame.number==N for each of them.
    frames=$(awk -F'\t' -v mode="$mode" '{ print $9; if (mode == "frames" && $11 != 0) print $11 }' \
        "$work/flows.tsv" | sort -nu | paste -sd, -)
    # The innermost IP layer and transport of each frame is the one oddport follows through
    # tunnels; -E occurrence=l takes the last of each field, and frame.protocols says which of
    # IPv4 and IPv6 came last.
    "$tshark" --enable-protocol communityid -n -r "$capture" -Y "frame.number in {$frames}" \
        -T fields -E occurrence=l -e frame.number -e "$community_id_field" -e frame.protocols \
        -e ip.src -e ip.dst -e ipv6.src -e ipv6.dst -e tcp.srcport -e tcp.dstport -e tcp.len \
        -e udp.srcport -e udp.dstport -e udp.length >"$work/frames.tsv" 2>"$work/tshark.err"
    result=$(awk -F'\t' -v mode="$mode" -v capture="$capture" '
        FNR == NR {
            split($3, layers, ":")
            network = ""; transport = ""
            for (i = 1; i in layers; i++) {
                if (layers[i] == "ip" || layers[i] == "ipv6") network = layers[i]
                if (layers[i] == "tcp" || layers[i] == "udp") transport = layers[i]
            }
            id[$1] = $2
            src[$1] = network == "ip" ? $4 : $6
            dst[$1] = network == "ip" ? $5 : $7
            proto[$1] = transport
            sport[$1] = transport == "tcp" ? $8 : $11
            dport[$1] = transport == "tcp" ? $9 : $12
            payload[$1] = transport == "tcp" ? $10 + 0 : ($13 + 0) - 8
            shown[$1] = 1
            next
        }
        function endpoints_match(frame, transport, client, client_port, server, server_port) {
            if (proto[frame] != transport) return 0
            if (src[frame] == client && sport[frame] == client_port && dst[frame] == server && dport[frame] == server_port) return 1
            if (src[frame] == server && sport[frame] == server_port && dst[frame] == client && dport[frame] == client_port) return 1
            return 0
        }
        {
            flow = $1; first = $9
            if (mode == "community-id") {
                if (!(first in shown) || id[first] == "") { skipped++; next }
                compared++
                if (id[first] != $7) {
                    differences++
                    printf "%s: flow %s (%s %s:%s - %s:%s): oddport %s, tshark %s at frame %s\n", capture, flow, $2, $3, $4, $5, $6, $7, id[first], first
                }
                next
            }
            compared++
            if (!(first in shown) || !endpoints_match(first, $2, $3, $4, $5, $6)) {
                differences++
                printf "%s: flow %s: frame %s (first packet) is not a packet of %s %s:%s - %s:%s\n", capture, flow, first, $2, $3, $4, $5, $6
            }
            if ($11 == 0) next
            deciding = $11
            sender = $12 == "client" ? $3 : $5
            sender_port = $12 == "client" ? $4 : $6
            if (!(deciding in shown) || !endpoints_match(deciding, $2, $3, $4, $5, $6) ||
                src[deciding] != sender || sport[deciding] != sender_port || payload[deciding] <= 0) {
                differences++
                printf "%s: flow %s: frame %s (deciding packet) carries no payload from the %s %s:%s\n", capture, flow, deciding, $12, sender, sender_port
            }
        }
        END { printf "COUNTS %d %d %d\n", compared, differences, skipped }
    ' "$work/frames.tsv" "$work/flows.tsv")
    printf '%s\n' "$result" | grep -v '^COUNTS '
    read -r _ flows_compared flows_differing flows_skipped < <(printf '%s\n' "$result" | grep '^COUNTS ')
    compared=$((compared + flows_compared))
    differences=$((differences + flows_differing))
    skipped_flows=$((skipped_flows + ${flows_skipped:-0}))
done

if [ "$mode" = community-id ]; then
    echo "community_id: $compared flows compared with tshark's communityid in $checked_captures captures, $differences differ ($skipped_flows flows where tshark computes none at the first packet; $unreadable captures the CLI cannot read left out)"
else
    echo "frames: $compared flows' first and deciding packets checked in $checked_captures captures, $differences wrong ($unreadable captures the CLI cannot read left out)"
fi
[ "$compared" -gt 0 ] && [ "$differences" -eq 0 ]
