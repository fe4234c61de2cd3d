#!/usr/bin/env bash
# Compressed captures: the CLI reports a gzip, zstd or lz4 capture exactly as the plain one, from a
# file and from standard input, and says clearly when the compressed data is cut or damaged.
# Usage: compressed.sh ODDPORT CAPTURES-FOLDER COMPRESSION... (those this build reads)
set -u
oddport=$(realpath "$1")
captures=$2
shift 2
built=" $* "
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0

pass() {
    passed=$((passed + 1))
    echo "ok - $1"
}

fail() {
    failed=$((failed + 1))
    echo "not ok - $1"
}

# run NAME INPUT-REDIRECT ARGUMENTS...: oddport inside the work folder, so that reports name the
# capture the same way whichever file it came from; stdout, stderr and status are kept by NAME.
run() {
    local name=$1 input=$2
    shift 2
    (cd "$work" && "$oddport" "$@" <"$input" >"out-$name" 2>"err-$name")
    echo $? >"$work/status-$name"
    # The capture's compression is the one fact allowed to differ from the plain report.
    sed -i -E 's/"compression":"[a-z0-9]*"/"compression":null/; s/^(Capture [^:]*: pcap(ng)?) (gzip|zstd|lz4),/\1,/' "$work/out-$name"
}

# same NAME-A NAME-B: both runs gave the same report, no message and exit 0.
same() {
    if [ "$(cat "$work/status-$1")" = 0 ] && [ "$(cat "$work/status-$2")" = 0 ] &&
        [ ! -s "$work/err-$1" ] && [ ! -s "$work/err-$2" ] &&
        cmp -s "$work/out-$1" "$work/out-$2"; then
        pass "$1 reports as $2"
    else
        fail "$1 reports as $2"
        diff "$work/out-$2" "$work/out-$1" | head -20 | sed 's/^/    /'
        sed 's/^/    stderr: /' "$work/err-$1"
    fi
}

# expect NAME STATUS STDERR-PATTERN: the run's exit status and one line of stderr matching.
expect() {
    local status
    status=$(cat "$work/status-$1")
    if [ "$status" = "$2" ] && grep -Eq -- "$3" "$work/err-$1"; then
        pass "$1: exit $status, $3"
    else
        fail "$1: exit $status (wanted $2), stderr:"
        sed 's/^/    /' "$work/err-$1"
    fi
}

# Every run reads the file called "capture", so the reports can be compared byte for byte.
plain() {
    cp "$captures/$1" "$work/capture"
}

for format in loopback.pcap loopback.pcapng; do
    plain "$format"
    run "$format" /dev/null --format json capture
    run "$format-stdin" "$work/capture" --format json -
    for compression in gzip zstd lz4; do
        case "$built" in *" $compression "*) ;; *) continue ;; esac
        if ! command -v "$compression" >/dev/null; then
            echo "ok - $compression $format # SKIP no $compression command to compress with"
            continue
        fi
        "$compression" -q -c "$captures/$format" >"$work/capture"
        run "$format.$compression" /dev/null --format json capture
        same "$format.$compression" "$format"
        run "$format.$compression-stdin" "$work/capture" --format json -
        same "$format.$compression-stdin" "$format-stdin"
    done
    # pzstd, in Debian's zstd package, starts its frames with skippable ones.
    case "$built" in *" zstd "*) ;; *) continue ;; esac
    if ! command -v pzstd >/dev/null; then
        echo "ok - pzstd $format # SKIP no pzstd command to compress with"
        continue
    fi
    pzstd -q -c "$captures/$format" >"$work/capture"
    run "$format.pzstd" /dev/null --format json capture
    same "$format.pzstd" "$format"
    run "$format.pzstd-stdin" "$work/capture" --format json -
    same "$format.pzstd-stdin" "$format-stdin"
done

case "$built" in
*" gzip "*)
    # Through a pipe, as `zcat` would have been used, and with the --all-flows text report.
    plain loopback.pcap
    run text /dev/null --all-flows capture
    gzip -c "$captures/loopback.pcap" >"$work/capture"
    run text.gz /dev/null --all-flows capture
    same text.gz text
    (cd "$work" && cat capture | "$oddport" --all-flows - >out-pipe.gz 2>err-pipe.gz)
    echo $? >"$work/status-pipe.gz"
    sed -i -E 's/^(Capture [^:]*: pcap(ng)?) (gzip|zstd|lz4),/\1,/' "$work/out-pipe.gz"
    plain loopback.pcap
    (cd "$work" && cat capture | "$oddport" --all-flows - >out-pipe 2>err-pipe)
    echo $? >"$work/status-pipe"
    same pipe.gz pipe

    # cat a.gz b.gz: two gzip members read as one stream (pcapng sections may follow each other).
    plain loopback.pcapng
    cat "$captures/loopback.pcapng" "$captures/loopback.pcapng" >"$work/capture"
    run twice /dev/null --format json capture
    gzip -c "$captures/loopback.pcapng" >"$work/one.gz"
    cat "$work/one.gz" "$work/one.gz" >"$work/capture"
    run twice.gz /dev/null --format json capture
    same twice.gz twice

    # Cut short: what was read is reported, with a warning naming the cause; exit 0.
    gzip -c "$captures/loopback.pcap" >"$work/whole.gz"
    size=$(stat -c %s "$work/whole.gz")
    head -c $((size / 2)) "$work/whole.gz" >"$work/cut.pcap.gz"
    run cut.gz /dev/null cut.pcap.gz
    expect cut.gz 0 "^oddport: cut\.pcap\.gz: warning: file ends inside .*: the gzip data is cut short$"
    run cut.gz-stdin "$work/cut.pcap.gz" -
    expect cut.gz-stdin 0 "^oddport: -: warning: file ends inside .*: the gzip data is cut short$"
    run cut.gz-json /dev/null --format json cut.pcap.gz
    if grep -q '"truncated":true' "$work/out-cut.gz-json" &&
        grep -q 'the gzip data is cut short' "$work/out-cut.gz-json"; then
        pass "cut.gz: the JSON report marks the capture truncated, with the warning"
    else
        fail "cut.gz: the JSON report marks the capture truncated, with the warning"
    fi
    head -c 15 "$work/whole.gz" >"$work/header-cut.gz"
    run header-cut.gz /dev/null header-cut.gz
    expect header-cut.gz 1 "^oddport: header-cut\.gz: file header cut short \(0 bytes\): the gzip data is cut short$"

    # Damaged: the checksum at the end no longer matches; every record was read, exit 0.
    cp "$work/whole.gz" "$work/damaged.gz"
    printf '\377\377\377\377' | dd of="$work/damaged.gz" bs=1 seek=$((size - 8)) conv=notrunc status=none
    run damaged.gz /dev/null damaged.gz
    expect damaged.gz 0 "^oddport: damaged\.gz: warning: damaged gzip data at or after compressed offset [0-9]+ \(incorrect data check\) after [0-9]+ bytes of capture$"

    # Compressed, but not a capture.
    echo "not a capture" | gzip >"$work/text.gz"
    run text.gz-not-capture /dev/null text.gz
    expect text.gz-not-capture 1 "^oddport: text\.gz: gzip-compressed, but not a pcap or pcapng capture \(starts with 6e 6f 74 20\)$"
    ;;
*)
    echo "ok - gzip # SKIP this build reads no gzip"
    ;;
esac

# A compression oddport does not read is named, with the command that reads it.
printf '\3757zXZ\0\0\4\346\326\264F' >"$work/capture.xz"
run xz /dev/null capture.xz
expect xz 1 "^oddport: capture\.xz: xz-compressed; .* xz -dc FILE \| oddport -$"
for compression in gzip zstd lz4; do
    case "$built" in *" $compression "*) continue ;; esac
    case $compression in
    gzip) printf '\37\213\10\0\0\0\0\0\0\3' ;;
    zstd) printf '\50\265\57\375\0\0' ;;
    lz4) printf '\4\42\115\30\100\100' ;;
    esac >"$work/capture.$compression"
    run "missing-$compression" /dev/null "capture.$compression"
    expect "missing-$compression" 1 "$compression-compressed, but this oddport was built without"
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
