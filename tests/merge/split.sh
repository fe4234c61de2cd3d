#!/usr/bin/env bash
# A capture set cut with `editcap -c N` gives the same report read as a set by one oddport run
# and put together by `oddport merge` from a run per part, JSON and NDJSON alike: every capture in
# the captures folder and a generated capture, each cut at two sizes (or twice at one), and
# connections on which a SYN comes again, cut after every packet.
# Usage: split.sh ODDPORT CAPTURES-DIR GENERATE-CAPTURE WRITE-SYN-AGAIN-CAPTURE
set -uo pipefail
oddport=$(realpath "$1")
captures=$(realpath "$2")
generate=$(realpath "$3")
write_syn_again=$(realpath "$4")
here=$(dirname "$(realpath "$0")")
for tool in editcap jq; do
    if ! command -v "$tool" >/dev/null; then
        echo "$tool is not installed: cannot cut captures or compare reports (apt-get install tshark jq)"
        exit 77
    fi
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$generate" --packets 30000 --flows 1200 --seed 7 "$work/generated.pcap" >/dev/null || exit 1
# A client's SYN sent again with the same sequence number (a retransmission: one connection),
# then, once that connection is open, a SYN from the same port with another number (a new one),
# and on another connection a bare SYN from the server (the same connection). Cut after every
# packet, each SYN starts a part, and only its number and sender tell them apart.
"$write_syn_again" "$work/syn-again.pcap" || exit 1
passed=0
failed=0

# outcome STATUS DESCRIPTION [WHAT-WAS-SEEN]: counts and prints one check's result.
outcome() {
    if [[ $1 == 0 ]]; then
        echo "ok - $2"
        passed=$((passed + 1))
    else
        echo "not ok - $2${3:+: $3}"
        failed=$((failed + 1))
    fi
}

# check NAME CAPTURE PACKETS-PER-PART FORMAT
check() {
    local name=$1 capture=$2 size=$3 format=$4
    local dir="$work/$name-$size-$format"
    mkdir "$dir"
    (
        cd "$dir" || exit 1
        editcap -c "$size" "$capture" part.pcap || exit 1
        local parts=(part_*.pcap)
        "$oddport" -q --format json -o whole.json "${parts[@]}"
        local status=$?
        [[ $status == 0 || $status == 1 ]] || exit 1
        local index=0 reports=()
        for part in "${parts[@]}"; do
            "$oddport" -q --format "$format" -o "report-$index" "$part" || exit 1
            reports+=("report-$index")
            index=$((index + 1))
        done
        # Given in reverse: merge puts the parts in time order itself.
        local reversed=()
        for ((index = ${#reports[@]} - 1; index >= 0; index--)); do
            reversed+=("${reports[index]}")
        done
        "$oddport" merge -o merged.json "${reversed[@]}" || exit 1
        jq -e '.flows | length > 0' merged.json >/dev/null || exit 1
        "$here/same-report.sh" whole.json merged.json
    )
    if [[ $? == 0 ]]; then
        echo "ok - $name cut every $size packets, parts as $format"
        passed=$((passed + 1))
    else
        echo "not ok - $name cut every $size packets, parts as $format"
        failed=$((failed + 1))
    fi
}

# The copies of loopback.pcap in other link layers, precisions and formats bring nothing new to
# cut every 7 packets, and at 57 parts each were a third of the test's runs: they are cut every
# 50 packets, as JSON and as NDJSON.
for capture in "$captures"/*.pcap "$captures"/*.pcapng; do
    name=$(basename "$capture")
    if [[ $name == loopback* && $name != loopback.pcap ]]; then
        check "$name" "$capture" 50 json
    else
        check "$name" "$capture" 7 json
    fi
    check "$name" "$capture" 50 ndjson
done
# Cut after every packet: a request in one part, its answer in the next (who is the client is
# then told by the answer's shape, which one run sees too).
check udp "$captures/udp.pcap" 1 json
check syn-again "$work/syn-again.pcap" 1 json
check syn-again "$work/syn-again.pcap" 1 ndjson
check generated "$work/generated.pcap" 6000 json
check generated "$work/generated.pcap" 997 ndjson

# The comparison itself notices a flow that differs, and a flow missing.
merged=$(ls -d "$work"/generated-997-ndjson)/merged.json
whole=$(dirname "$merged")/whole.json
jq -c '.flows[3].c2s.bytes += 1' "$merged" >"$work/changed.json"
jq -c 'del(.flows[5])' "$merged" >"$work/missing.json"
for broken in changed missing; do
    if "$here/same-report.sh" "$whole" "$work/$broken.json" 2>/dev/null; then
        echo "not ok - the comparison missed a $broken flow"
        failed=$((failed + 1))
    else
        echo "ok - the comparison notices a $broken flow"
        passed=$((passed + 1))
    fi
done
# A merged report merges again: the first parts merged apart, the rest apart, and the two merges
# merged say what one run says but for the flows they name, which are flows of the set (under its
# ids, not a half's) and include every flow the merge of every part names.
parts_dir=$(dirname "$merged")
reports=()
# In the order of the parts, which a glob would not give (report-10 before report-2).
for ((index = 0; ; index++)); do
    [[ -e $parts_dir/report-$index ]] || break
    reports+=("$parts_dir/report-$index")
done
half=$((${#reports[@]} / 2))
"$oddport" merge -o "$work/first-half.json" "${reports[@]:0:half}"
"$oddport" merge -o "$work/second-half.json" "${reports[@]:half}"
"$oddport" merge -o "$work/halves.json" "$work/first-half.json" "$work/second-half.json"
named_ids='[.warnings[] | select(test("^[0-9]+ flows cut by the end of a part"))
            | capture("\\(ids (?<ids>[0-9, ]+)\\)").ids | split(", ")[] | tonumber]'
flat_named=$(jq -c "$named_ids" "$merged")
"$here/same-report.sh" "$parts_dir/whole.json" "$work/halves.json" &&
    jq -e --argjson flat "$flat_named" "($named_ids) as \$named | (\$flat | length) > 0 and
        ([.flows[].id] as \$ids | all(\$named[]; IN(\$ids[]))) and all(\$flat[]; IN(\$named[]))" \
        "$work/halves.json" >/dev/null
outcome $? "merged reports merged again name flows of the whole set" \
    "$(jq -c .warnings "$work/halves.json" | head -c 300)"
# The field both sides give is the word of the side its protocol prefers, wherever the cut falls:
# the TLS connection to port 8443 is cut after its ClientHello (its fourth packet, after the
# handshake), and the part before is made to say TLS 1.3, as a client offering it reports, while
# the part after holds the server's TLS 1.2, the version in use, which one run reports. An HTTP
# request's version is the client's: the HTTP/1.1 flow to port 8000 is cut after its request,
# and the answer after the cut is made to say HTTP/1.0.
both="$work/both-sides"
mkdir "$both"
"$oddport" -q --format json -o "$both/loopback.json" "$captures/loopback.pcap"
# cut_after ID NAME: loopback.pcap cut after the fourth packet of flow ID (its first bytes of
# payload, after the handshake), the parts read as a set into NAME-whole.json and each into
# NAME-a.json and NAME-b.json.
cut_after() {
    local last=$(($1 + 3))
    editcap -r "$captures/loopback.pcap" "$both/$2-a.pcap" "1-$last"
    editcap -r "$captures/loopback.pcap" "$both/$2-b.pcap" "$((last + 1))-1000000"
    "$oddport" -q --format json -o "$both/$2-whole.json" "$both/$2-a.pcap" "$both/$2-b.pcap"
    "$oddport" -q --format json -o "$both/$2-a.json" "$both/$2-a.pcap"
    "$oddport" -q --format json -o "$both/$2-b.json" "$both/$2-b.pcap"
}
tls_flow=$(jq '.flows[] | select(.server.port == 8443 and .tls != null) | .id' "$both/loopback.json")
cut_after "$tls_flow" tls
jq -c --argjson id "$tls_flow" '(.flows[] | select(.id == $id) | .tls.version) = "TLS 1.3"' \
    "$both/tls-a.json" >"$both/tls-offered.json"
"$oddport" merge -o "$both/tls.json" "$both/tls-offered.json" "$both/tls-b.json"
"$here/same-report.sh" "$both/tls-whole.json" "$both/tls.json"
outcome $? "a TLS version offered before the cut and chosen after it is the server's" \
    "$(jq -c --argjson id "$tls_flow" '.flows[] | select(.id == $id) | .tls.version' "$both/tls.json")"
http_flow=$(jq '.flows[] | select(.server.port == 8000 and .http.version == "HTTP/1.1") | .id' \
    "$both/loopback.json")
cut_after "$http_flow" http
jq -c --argjson id "$http_flow" '(.flows[] | select(.id == $id) | .http.version) = "HTTP/1.0"' \
    "$both/http-b.json" >"$both/http-answered.json"
"$oddport" merge -o "$both/http.json" "$both/http-a.json" "$both/http-answered.json"
"$here/same-report.sh" "$both/http-whole.json" "$both/http.json"
outcome $? "an HTTP request's version before the cut stands over its answer's after it" \
    "$(jq -c --argjson id "$http_flow" '.flows[] | select(.id == $id) | .http.version' "$both/http.json")"
echo "$passed passed, $failed failed"
[[ $failed == 0 ]]
