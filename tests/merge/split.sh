#!/usr/bin/env bash
# A capture set cut with `editcap -c N` gives the same report read as a set by one oddport run
# and put together by `oddport merge` from a run per part, JSON and NDJSON alike: every capture in
# the captures folder and a generated capture, each cut at two sizes, and a connection whose
# client sends its SYN again, cut after every packet.
# Usage: split.sh ODDPORT CAPTURES-DIR GENERATE-CAPTURE
set -uo pipefail
oddport=$(realpath "$1")
captures=$(realpath "$2")
generate=$(realpath "$3")
here=$(dirname "$(realpath "$0")")
for tool in editcap jq python3; do
    if ! command -v "$tool" >/dev/null; then
        echo "$tool is not installed: cannot cut captures or compare reports (apt-get install tshark jq)"
        exit 77
    fi
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$generate" --packets 30000 --flows 1200 --seed 7 "$work/generated.pcap" >/dev/null || exit 1
# A client's SYN sent again with the same sequence number (a retransmission: one connection),
# then, once that connection is open, a SYN from the same port with another number (a new one).
# Cut after every packet, each SYN starts a part, and only the sequence number tells them apart.
python3 - "$work/syn-again.pcap" <<'PYTHON' || exit 1
import struct, sys
def checksum(data):
    data += b"\0" * (len(data) % 2)
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF
def frame(source, destination, sport, dport, sequence, ack, flags, payload=b""):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, sequence, ack, 5 << 4, flags, 65535, 0, 0)
    pseudo = struct.pack("!4s4sBBH", source, destination, 0, 6, len(tcp) + len(payload))
    tcp = tcp[:16] + struct.pack("!H", checksum(pseudo + tcp + payload)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + len(payload), 0, 0, 64, 6, 0,
                     source, destination)
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    return b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\0" + ip + tcp + payload
client, server = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])
SYN, ACK, PSH_ACK, SYN_ACK = 0x02, 0x10, 0x18, 0x12
request = b"GET / HTTP/1.1\r\nHost: example\r\n\r\n"
packets = [
    (0.0, frame(client, server, 40000, 8080, 1000, 0, SYN)),
    (1.0, frame(client, server, 40000, 8080, 1000, 0, SYN)),
    (1.1, frame(server, client, 8080, 40000, 5000, 1001, SYN_ACK)),
    (1.2, frame(client, server, 40000, 8080, 1001, 5001, ACK)),
    (1.3, frame(client, server, 40000, 8080, 1001, 5001, PSH_ACK, request)),
    (2.0, frame(client, server, 40000, 8080, 9000, 0, SYN)),
    (2.1, frame(server, client, 8080, 40000, 7000, 9001, SYN_ACK)),
]
with open(sys.argv[1], "wb") as out:
    out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    for time, data in packets:
        seconds = 1700000000 + int(time)
        out.write(struct.pack("<IIII", seconds, round((time % 1) * 1e6), len(data), len(data)))
        out.write(data)
PYTHON
passed=0
failed=0

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

for capture in "$captures"/*.pcap "$captures"/*.pcapng; do
    check "$(basename "$capture")" "$capture" 7 json
    check "$(basename "$capture")" "$capture" 50 ndjson
done
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
echo "$passed passed, $failed failed"
[[ $failed == 0 ]]
