#!/usr/bin/env bash
# Error-case tests: every bad input gives one clear line on stderr and the contract's exit code.
set -u
oddport=$1
captures=$2
validate=${3:-} # the JSON report checker, when json-glib was found
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0

runner=()

# expect CODE STDERR-PATTERN ARGUMENTS...: runs oddport and checks the exit code and that stderr
# matches the pattern (case-insensitive), or is empty when the pattern is "EMPTY".
expect() {
    local code=$1 pattern=$2
    shift 2
    "${runner[@]}" "$oddport" "$@" >"$work/out" 2>"$work/err"
    local actual=$?
    local stderr_ok=false
    if [ "$pattern" = EMPTY ]; then
        [ -s "$work/err" ] || stderr_ok=true
    elif grep -Eiq -- "$pattern" "$work/err"; then
        stderr_ok=true
    fi
    if [ "$actual" -eq "$code" ] && $stderr_ok; then
        passed=$((passed + 1))
        echo "ok - oddport $* -> $actual"
    else
        failed=$((failed + 1))
        echo "not ok - oddport $*: exit $actual (wanted $code), stderr:"
        sed 's/^/    /' "$work/err"
    fi
}

pcap_header() { # little-endian microsecond pcap header: snapshot length, link type
    printf '\xd4\xc3\xb2\xa1\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00'
    printf "$1"
    printf "$2"
}

# Captures that cannot be read at all: exit 1.
expect 1 "missing\.pcap: .*No such file or directory" "$work/missing.pcap"
expect 1 "folder holds no capture" "$work"
: >"$work/empty.pcap"
expect 1 "empty\.pcap: .*empty" "$work/empty.pcap"
printf 'PK\003\004 this is a zip file, not a capture\n' >"$work/archive.zip"
expect 1 "archive\.zip: not a pcap or pcapng capture" "$work/archive.zip"
head -c 10 "$captures/loopback.pcap" >"$work/short-header.pcap"
expect 1 "short-header\.pcap: " "$work/short-header.pcap"
cp "$captures/loopback.pcap" "$work/secret.pcap"
chmod 000 "$work/secret.pcap"
# Root reads any file, so the permission case runs as an unprivileged user when it can.
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
    chmod 755 "$work"
    runner=(setpriv --reuid=65534 --regid=65534 --clear-groups)
fi
if [ "$(id -u)" -ne 0 ] || [ ${#runner[@]} -gt 0 ]; then
    # A copy the unprivileged user can run wherever the build tree lives.
    saved_oddport=$oddport
    cp "$oddport" "$work/oddport" && chmod 755 "$work/oddport" && oddport=$work/oddport
    expect 1 "secret\.pcap: .*permission denied" "$work/secret.pcap"
    oddport=$saved_oddport
fi
runner=()
# One unreadable capture among good ones: the others are still reported, exit 1.
expect 1 "missing\.pcap" "$captures/loopback.pcap" "$work/missing.pcap"
# ... and the report lists it too, so a saved report does not silently miss a file.
grep -q "^Capture .*missing\.pcap: not read: no such file or directory" "$work/out" &&
    grep -q "^Capture .*loopback\.pcap: pcap" "$work/out" ||
    { failed=$((failed + 1)); echo "not ok - the text report does not list the unread capture"; }
expect 1 "missing\.pcap" --format json "$captures/loopback.pcap" "$work/missing.pcap"
grep -q '"path":"[^"]*missing\.pcap","error":"no such file or directory","error_kind":"open","format":null,"compression":null,"link_types":\[\],"packets":0' "$work/out" ||
    { failed=$((failed + 1)); echo "not ok - the JSON report does not list the unread capture"; }
if [ -n "${validate:-}" ]; then
    "$validate" "$work/out" || { failed=$((failed + 1)); echo "not ok - the JSON report with an unread capture is invalid"; }
fi
# Nothing readable at all: the report says so plainly instead of a quiet all-zero report.
expect 1 "missing\.pcap" "$work/missing.pcap" "$work/archive.zip"
grep -q "^No capture could be read: every count below is zero\.$" "$work/out" ||
    { failed=$((failed + 1)); echo "not ok - no statement that no capture could be read"; }
expect 1 "missing\.pcap" --services-only "$work/missing.pcap"
grep -q "not read:" "$work/out" ||
    { failed=$((failed + 1)); echo "not ok - --services-only hides the unread capture"; }

# Captures read in part: exit 0, a warning naming the file.
size=$(stat -c %s "$captures/loopback.pcap")
head -c $((size - 7)) "$captures/loopback.pcap" >"$work/cut.pcap"
expect 0 "cut\.pcap: warning: file ends inside record" "$work/cut.pcap"
head -c 30 "$captures/loopback.pcap" >"$work/cut-record-header.pcap"
expect 0 "cut-record-header\.pcap: warning: file ends inside" "$work/cut-record-header.pcap"
{
    pcap_header '\x40\x00\x00\x00' '\x01\x00\x00\x00'
    printf '\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x10\x00\x00\x00\x10\x00'
    head -c 64 /dev/zero
} >"$work/lying-record.pcap"
expect 0 "lying-record\.pcap: warning: .*snapshot length" "$work/lying-record.pcap"
{
    pcap_header '\xff\xff\x00\x00' '\x01\x00\x00\x00'
    for record in 1 2 3; do
        printf '\x00\x00\x00\x00\x00\x00\x00\x00\x40\x00\x00\x00\x40\x00\x00\x00'
        head -c 64 /dev/zero | tr '\0' '\377'
    done
} >"$work/garbage.pcap"
expect 0 EMPTY "$work/garbage.pcap"
grep -q "3 packets" "$work/out" || { failed=$((failed + 1)); echo "not ok - garbage.pcap report lacks its 3 packets"; }
{
    pcap_header '\xff\xff\x00\x00' '\xa0\x00\x00\x00'
    printf '\x00\x00\x00\x00\x00\x00\x00\x00\x04\x00\x00\x00\x04\x00\x00\x00abcd'
} >"$work/link-type-160.pcap"
expect 0 "link type 160 .*not supported" "$work/link-type-160.pcap"
pcap_header '\xff\xff\x00\x00' '\x01\x00\x00\x00' >"$work/header-only.pcap"
expect 0 EMPTY "$work/header-only.pcap"
expect 0 EMPTY - <"$captures/loopback.pcap"

# Usage errors: exit 2.
expect 2 "Unknown option" --no-such-option "$captures/loopback.pcap"
expect 2 "no capture given"
expect 2 "unknown format 'xml' \(expected text, json, csv, ndjson or html\)" --format xml "$captures/loopback.pcap"
expect 2 "--services-only is for the text and csv formats, not ndjson" --format ndjson \
    --services-only "$captures/loopback.pcap"
expect 2 "--services-only is for the text and csv formats, not json" --format json \
    --services-only "$captures/loopback.pcap"
expect 2 "--top is for the text and html formats, not csv, which list every row" --format csv \
    --top 5 "$captures/loopback.pcap"
expect 0 EMPTY --format json --top 0 "$captures/loopback.pcap"
expect 2 "invalid filter expression 'tcp port eighty'" -f "tcp port eighty" "$captures/loopback.pcap"
printf 'http 8080/tcp\nhtp 3128\n' >"$work/bad-services"
expect 2 "bad-services:2: .*htp" --services "$work/bad-services" "$captures/loopback.pcap"
expect 2 "services" --services "$work/no-such-services" "$captures/loopback.pcap"
expect 2 "max-flows needs a number" --max-flows -5 "$captures/loopback.pcap"
# Times: RFC 3339 with a zone or epoch seconds, and a window that can hold a packet.
expect 2 "--since needs an RFC 3339 time with a time zone .* not '2026-11-28T01:10:55'" \
    --since 2026-11-28T01:10:55 "$captures/loopback.pcap"
expect 2 "--until needs an RFC 3339 time .* not 'yesterday'" --until yesterday "$captures/loopback.pcap"
expect 2 "--since 1795828256 is not before --until 2026-11-28T01:10:55Z" \
    --since 1795828256 --until 2026-11-28T01:10:55Z "$captures/loopback.pcap"
expect 2 "is not before" --since 1795828255 --until 1795828255 "$captures/loopback.pcap"
expect 3 "cannot write the report" -o "$work/no-such-dir/report.json" "$captures/loopback.pcap"
# Short options with their value attached, as getopt takes them: a value that is wrong is named
# as such, and one that is right gives the report the spaced-out options give.
expect 2 "-j/--jobs must be between 1 and 64, not 0" -j0 "$captures/loopback.pcap"
expect 2 "invalid filter expression 'tcp port eighty'" "-ftcp port eighty" "$captures/loopback.pcap"
"$oddport" -q --format json -j 2 -f tcp -o "$work/spaced.json" "$captures/loopback.pcap"
"$oddport" -q --format json -j2 -ftcp "-o$work/attached.json" "$captures/loopback.pcap"
"$oddport" -qj2 --format json -ftcp -o "$work/clustered.json" "$captures/loopback.pcap"
if [ -s "$work/spaced.json" ] && cmp -s "$work/spaced.json" "$work/attached.json" &&
    cmp -s "$work/spaced.json" "$work/clustered.json"; then
    passed=$((passed + 1))
    echo "ok - -j2 -ftcp -oFILE and -qj2 give the report of -j 2 -f tcp -o FILE"
else
    failed=$((failed + 1))
    echo "not ok - -j2 -ftcp -oFILE or -qj2 differ from -j 2 -f tcp -o FILE"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
