#!/usr/bin/env bash
# Rotated captures: given in any order, as a folder, repeated or partly compressed, they give the
# flows of the one capture they were cut from, counted once, with a warning where the order or a
# repeat needed one.
set -u
oddport=$1
captures=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# shellcheck source=checks.sh
source "$(dirname "${BASH_SOURCE[0]}")/checks.sh"

# Cuts loopback.pcap into four pcap files of about 100 records each, named as tcpdump -C numbers
# its rotations (here dump, dump1, dump2 and dump10), which a shell glob sorts out of time order:
# dump, dump1, dump10, dump2.
mkdir "$work/rotated"
python3 - "$captures/loopback.pcap" "$work/rotated" <<'PYTHON'
import struct, sys
source, folder = sys.argv[1], sys.argv[2]
data = open(source, 'rb').read()
header, offset, records = data[:24], 24, []
while offset + 16 <= len(data):
    included = struct.unpack_from('<I', data, offset + 8)[0]
    records.append(data[offset:offset + 16 + included])
    offset += 16 + included
names = ['dump', 'dump1', 'dump2', 'dump10']  # in time order, as tcpdump -C numbers them
size = (len(records) + 3) // 4
for part, name in enumerate(names):
    with open(f'{folder}/{name}', 'wb') as out:
        out.write(header + b''.join(records[part * size:(part + 1) * size]))
PYTHON

flows() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["totals"]["flows"], r["totals"]["packets"])' "$1"; }
"$oddport" --format json "$captures/loopback.pcap" >"$work/whole.json"
whole=$(flows "$work/whole.json")

# As a shell glob orders them: dump dump1 dump10 dump2.
"$oddport" --format json "$work"/rotated/dump* >"$work/glob.json" 2>"$work/glob.err"
check "rotated files given out of order give the whole capture's flows ($(flows "$work/glob.json") against $whole)" \
    [ "$(flows "$work/glob.json")" = "$whole" ]
check "with a warning that they were read in time order" grep -q "time order" "$work/glob.err"
check "the JSON report carries that warning" grep -q '"warnings":\[[^]]*time order' "$work/glob.json"
check "and lists the captures in the order read" python3 -c '
import json, sys
paths = [c["path"].rsplit("/", 1)[1] for c in json.load(open(sys.argv[1]))["captures"]]
sys.exit(paths != ["dump", "dump1", "dump2", "dump10"])' "$work/glob.json"

# A folder stands for the captures in it.
"$oddport" --format json "$work/rotated" >"$work/folder.json" 2>/dev/null
check "a folder gives the same flows" [ "$(flows "$work/folder.json")" = "$whole" ]

# A folder member's name reaches stderr escaped, never as raw control bytes.
mkdir "$work/hostile-names"
cp "$work/rotated/dump1" "$work/hostile-names/$(printf 'a\033[2Jb')"
cp "$work/rotated/dump" "$work/hostile-names/z"
"$oddport" "$work/hostile-names" >/dev/null 2>"$work/names.err"
no_escape_byte() { ! LC_ALL=C grep -q $'\033' "$1"; }
check "a file name with control bytes is escaped on stderr" \
    all_of 'grep -q "a\\\\x1b\[2Jb" "$work/names.err"' 'no_escape_byte "$work/names.err"'

# The same file twice, by another path and through a link, is read once.
ln -s dump1 "$work/rotated-link"
ln -s "$work/rotated/dump1" "$work/dump1-link"
"$oddport" --format json "$work/rotated/dump" "$work/rotated/dump1" "$work/dump1-link" \
    "$work/rotated/../rotated/dump1" "$work/rotated/dump10" "$work/rotated/dump2" \
    >"$work/twice.json" 2>"$work/twice.err"
check "a file named three times is counted once" [ "$(flows "$work/twice.json")" = "$whole" ]
check "with a warning saying so" grep -qi "twice\|read once" "$work/twice.err"

# A copy under another name repeats packets already read: skipped, counted once, warned about.
cp "$work/rotated/dump1" "$work/copy-of-dump1"
"$oddport" --format json "$work/rotated" "$work/copy-of-dump1" >"$work/copy.json" 2>"$work/copy.err"
check "a copy under another name adds no flow or packet" python3 -c '
import json, sys
report = json.load(open(sys.argv[1]))
whole = json.load(open(sys.argv[2]))
skipped = report["totals"]["skipped_packets"].get("overlapping_capture", 0)
sys.exit(not (report["totals"]["flows"] == whole["totals"]["flows"] and skipped > 0
              and report["totals"]["packets"] - skipped == whole["totals"]["packets"]))' \
    "$work/copy.json" "$work/whole.json"
check "with a warning that it repeats earlier captures" grep -q "repeated capture" "$work/copy.err"

# The same packets in another time precision are repeats too: the recordings of one link in
# microseconds and in nanoseconds, made side by side (times rounded, one a microsecond off), and
# an export in microseconds of the nanosecond one (times cut short, as editcap -F pcap writes).
"$oddport" --format json "$captures/loopback-nanosecond.pcap" "$captures/loopback.pcap" \
    >"$work/precisions.json" 2>"$work/precisions.err"
# The flows and the packets counted, repeats left out.
counted() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); t=r["totals"]; print(t["flows"], t["packets"] - t["skipped_packets"].get("overlapping_capture", 0))' "$1"; }
check "recordings in microseconds and nanoseconds count once" \
    [ "$(counted "$work/precisions.json")" = "$whole" ]
check "and the later one is a repeated capture" grep -q "all 399 packets repeat" "$work/precisions.err"
python3 - "$captures/loopback-nanosecond.pcap" "$work/export-us.pcap" <<'PYTHON'
import struct, sys
data = open(sys.argv[1], 'rb').read()
out, offset = [struct.pack('<I', 0xa1b2c3d4) + data[4:24]], 24
while offset + 16 <= len(data):
    seconds, nanoseconds, included, original = struct.unpack_from('<IIII', data, offset)
    out.append(struct.pack('<IIII', seconds, nanoseconds // 1000, included, original))
    out.append(data[offset + 16:offset + 16 + included])
    offset += 16 + included
open(sys.argv[2], 'wb').write(b''.join(out))
PYTHON
"$oddport" --format json "$captures/loopback-nanosecond.pcap" "$work/export-us.pcap" \
    >"$work/export.json" 2>"$work/export.err"
check "an export in microseconds of a nanosecond capture counts once" \
    [ "$(counted "$work/export.json")" = "$whole" ]

# Compressed rotations mix with plain ones.
gzip -c "$work/rotated/dump10" >"$work/rotated/dump10.gz" && rm "$work/rotated/dump10"
"$oddport" --format json "$work"/rotated/* >"$work/gzip.json" 2>/dev/null
if grep -q '"error_kind":"unsupported_compression"' "$work/gzip.json"; then
    echo "ok - skipped: this oddport was built without zlib"
else
    check "a gzip-compressed rotation reads with the plain ones" [ "$(flows "$work/gzip.json")" = "$whole" ]
fi

finish_checks
