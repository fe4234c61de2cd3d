#!/usr/bin/env bash
# Evidence and reports stay safe: -o never overwrites an input and appears only when complete;
# usage errors touch no file; signals, a closed pipe and running out of memory end the run
# promptly with one line and the documented status; site rules add up; the exit-status table
# reads the same in --help, the README and the man page; a filter is compiled once.
set -u
oddport=$1
captures=$2
generate_capture=$3
source_root=$4
compile_counter=${5:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# shellcheck source=checks.sh
source "$(dirname "${BASH_SOURCE[0]}")/checks.sh"
check_stderr=$work/err

run() { # runs oddport, keeping stdout, stderr and the status
    "$oddport" "$@" >"$work/out" 2>"$work/err"
    status=$?
}

cp "$captures/loopback.pcap" "$work/evidence.pcap"
checksum=$(sha256sum <"$work/evidence.pcap")
unchanged() { [ "$(sha256sum <"$work/evidence.pcap")" = "$checksum" ]; }

# -o naming an input, by the same path, another path or a symbolic link: refused, nothing touched.
run -o "$work/evidence.pcap" "$work/evidence.pcap"
check "-o naming the capture is refused (exit 2)" [ "$status" -eq 2 ]
check "the capture is left intact" unchanged
grep -q "would overwrite the input" "$work/err"
check "the refusal says why" [ $? -eq 0 ]
ln -s evidence.pcap "$work/link.pcap"
run --format json -o "$work/./link.pcap" "$work/evidence.pcap"
check "-o naming the capture through a link is refused" [ "$status" -eq 2 ]
check "the capture is still intact" unchanged
printf 'http 3128\n' >"$work/rules"
run -o "$work/rules" --services "$work/rules" "$work/evidence.pcap"
check "-o naming the services file is refused" [ "$status" -eq 2 ]

# Usage errors touch no file.
echo "an earlier report" >"$work/report.txt"
run -f "tcp port" -o "$work/report.txt" "$work/evidence.pcap"
check "a filter typo exits 2" [ "$status" -eq 2 ]
check "and leaves the existing report as it was" grep -q "an earlier report" "$work/report.txt"
run --services "$work/missing-rules" -o "$work/report.txt" "$work/evidence.pcap"
check "a missing services file leaves it too" grep -q "an earlier report" "$work/report.txt"
run --format json -o "$work/report.txt" "$work/evidence.pcap"
check "a good run replaces it" grep -q '"schema"' "$work/report.txt"
check "and leaves no temporary file behind" [ -z "$(find "$work" -name '.*oddport-*')" ]
chmod 640 "$work/report.txt"
run -o "$work/report.txt" "$work/evidence.pcap"
check "a replaced report keeps its mode" [ "$(stat -c %a "$work/report.txt")" = 640 ]
ln -s report.txt "$work/report-link.txt"
run -o "$work/report-link.txt" "$work/evidence.pcap"
check "-o through a link replaces the file it points to, and keeps the link" \
    all_of '[ -L "$work/report-link.txt" ]' 'grep -q "^Capture" "$work/report.txt"'
# A folder where nothing may be created: the report is written in place. Root may create
# anywhere, so the check runs as an unprivileged user when it can.
as_user=()
[ "$(id -u)" -eq 0 ] && as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
chmod 755 "$work"
if [ "$(id -u)" -ne 0 ] || { command -v setpriv >/dev/null && "${as_user[@]}" test -x "$work"; }; then
    mkdir "$work/locked"
    echo "an earlier report" >"$work/locked/report.txt"
    cp "$oddport" "$work/oddport-copy"
    chmod 755 "$work" "$work/oddport-copy"
    chmod 644 "$work/evidence.pcap"
    chmod 666 "$work/locked/report.txt"
    chmod 555 "$work/locked"
    "${as_user[@]}" "$work/oddport-copy" -o "$work/locked/report.txt" "$work/evidence.pcap" 2>"$work/err"
    check "a report in a folder where nothing may be created is written in place" \
        grep -q "^Capture" "$work/locked/report.txt"
    chmod 755 "$work/locked"
fi
run -o /dev/null "$work/evidence.pcap"
check "-o /dev/null writes in place and leaves the device alone" \
    all_of '[ "$status" -eq 0 ]' '[ -c /dev/null ]'
# A report made read-only is not replaced, by root either (who may write anything); -o with an
# empty name fails before reading rather than after (it failed at the rename, at the end).
echo "a kept report" >"$work/kept.txt"
chmod 444 "$work/kept.txt"
run -o "$work/kept.txt" "$work/evidence.pcap"
check "a read-only report is left as it was (exit 3)" \
    all_of '[ "$status" -eq 3 ]' 'grep -q "a kept report" "$work/kept.txt"'
chmod 644 "$work/kept.txt"
run -o "" "$work/evidence.pcap"
check "-o with an empty name is refused, saying so (exit 3)" \
    all_of '[ "$status" -eq 3 ]' 'grep -q "an empty name" "$work/err"'

# --services accumulates, and '-' reads standard input.
printf 'ssh 443\n' >"$work/rules-ssh"
printf 'http 3000\n' >"$work/rules-http"
cat "$work/rules-ssh" "$work/rules-http" >"$work/rules-both"
"$oddport" --format json --services "$work/rules-both" "$work/evidence.pcap" >"$work/both.json"
"$oddport" --format json --services "$work/rules-ssh" --services "$work/rules-http" \
    "$work/evidence.pcap" >"$work/two.json"
"$oddport" --format json --services "$work/rules-ssh" --services - "$work/evidence.pcap" \
    <"$work/rules-http" >"$work/stdin.json"
"$oddport" --format json --services "$work/rules-ssh" "$work/evidence.pcap" >"$work/one.json"
check "two --services add up to one file with both" cmp -s "$work/both.json" "$work/two.json"
check "--services - reads standard input" cmp -s "$work/both.json" "$work/stdin.json"
differ() { ! cmp -s "$1" "$2"; }
check "the second file does change the verdicts" differ "$work/both.json" "$work/one.json"
run --services - - <"$work/evidence.pcap"
check "standard input cannot serve twice (exit 2)" [ "$status" -eq 2 ]

# --fail-on: a distinct status for findings, none without them.
run --fail-on=masquerade -q "$work/evidence.pcap"
check "--fail-on=masquerade exits 4 on SSH posing on 443" [ "$status" -eq 4 ]
run --fail-on=masquerade --services "$work/rules-both" -q -f "host 127.0.0.22" "$work/evidence.pcap"
check "--fail-on exits 0 when the rules expect what was found" [ "$status" -eq 0 ]
run --fail-on=masquerade "$work/missing.pcap" "$work/evidence.pcap"
check "an unreadable capture outranks findings (exit 1)" [ "$status" -eq 1 ]
run --fail-on=loud "$work/evidence.pcap"
check "an unknown severity is a usage error" [ "$status" -eq 2 ]

# One exit-status table: --help, the README and the man page list the same statuses.
help_statuses=$("$oddport" --help | sed -n '/^Exit status/,/^$/p' | grep -Eo '^  [0-9+N]+' | tr -d ' ' | sort | tr '\n' ' ')
readme_statuses=$(sed -n '/^### Exit status/,/^#/p' "$source_root/README.md" | grep -Eo '^\| [0-9+N]+ ' | tr -d '| ' | sort | tr '\n' ' ')
manual_statuses=$(sed -n '/^\.SH EXIT STATUS/,/^\.SH [^E]/p' "$source_root/src/cli/oddport.1" | grep -A1 '^\.TP' | grep -Eo '^\.B [0-9+N]+' | cut -c4- | sort | tr '\n' ' ')
check "--help lists statuses ($help_statuses)" [ -n "$help_statuses" ]
check "the README lists the same ($readme_statuses)" [ "$help_statuses" = "$readme_statuses" ]
check "the man page lists the same ($manual_statuses)" [ "$help_statuses" = "$manual_statuses" ]

# A filter is compiled once for a capture of one link type (libpcap's optimiser is slow on
# long filters). Needs the preloaded counter, which the sanitizer build does not make.
if [ -n "$compile_counter" ]; then
    ODDPORT_COUNT_COMPILES_TO=$work/compiles LD_PRELOAD=$compile_counter \
        "$oddport" -f "tcp port 443 or udp" "$work/evidence.pcap" >/dev/null 2>&1
    check "the filter is compiled once for an Ethernet capture" [ "$(cat "$work/compiles")" = 1 ]
fi

# libpcap, and the libraries it brings (some 2 ms of start-up on Debian 12), are loaded only
# for a filter: glibc's loader says which libraries it starts.
loaded_libpcap() { # ODDPORT_ARGUMENTS...
    LD_DEBUG=files "$oddport" -q -o /dev/null "$@" "$work/evidence.pcap" 2>&1 >/dev/null |
        grep -q 'calling init: .*/libpcap\.so'
}
if LD_DEBUG=files "$oddport" --version 2>&1 >/dev/null | grep -q 'calling init:'; then
    ! loaded_libpcap
    check "a run without a filter does not load libpcap" [ $? -eq 0 ]
    loaded_libpcap -f udp
    check "a run with a filter loads libpcap" [ $? -eq 0 ]
fi

# A signal stops reading promptly: exit 128+N, no report under the -o name, an earlier file left
# as it was, and on standard output a report that says it is incomplete.
stop_with() { # SIGNAL FORMAT ARGUMENTS...: signals a run reading a capture still being written
    local signal=$1 format=$2
    shift 2
    "$generate_capture" --packets 20000000 --flows 20000 - 2>/dev/null |
        (trap - INT; exec "$oddport" --format "$format" "$@" - >"$work/out" 2>"$work/err") &
    local pid=$!
    # Signals only once oddport has set up its handlers (their bits in SigCgt), so the test
    # does not race its start on a busy machine.
    local waited=0
    until grep -q oddport "/proc/$pid/comm" 2>/dev/null &&
        [ $((0x$(awk '/^SigCgt/ { print $2 }' "/proc/$pid/status") & 0x4002)) -eq $((0x4002)) ]; do
        sleep 0.1
        waited=$((waited + 1))
        [ "$waited" -lt 300 ] || break
    done
    sleep 0.5
    kill -s "$signal" "$pid"
    wait "$pid"
    status=$?
}
echo "an earlier report" >"$work/report.json"
stop_with TERM json -o "$work/report.json"
check "SIGTERM exits 143 (got $status)" [ "$status" -eq 143 ]
check "the earlier report is left as it was" grep -q "an earlier report" "$work/report.json"
check "no temporary file is left" [ -z "$(find "$work" -name '.*oddport-*')" ]
check "stderr says it stopped" grep -q "stopped by signal" "$work/err"
stop_with INT json
check "SIGINT exits 130 (got $status)" [ "$status" -eq 130 ]
check "the JSON on standard output is whole" python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$work/out"
check "and marked incomplete" grep -q '"incomplete":true' "$work/out"

# A run waiting on an idle pipe (a live capture with no traffic) stops at once on a signal.
mkfifo "$work/idle-feed"
(cat "$work/evidence.pcap"; exec sleep 60) >"$work/idle-feed" &
feeder=$!
(trap - INT; exec "$oddport" --format json - <"$work/idle-feed" >"$work/out" 2>"$work/err") &
reader=$!
waited=0
until grep -q oddport "/proc/$reader/comm" 2>/dev/null &&
    [ $((0x$(awk '/^SigCgt/ { print $2 }' "/proc/$reader/status") & 0x4002)) -eq $((0x4002)) ]; do
    sleep 0.1
    waited=$((waited + 1))
    [ "$waited" -lt 300 ] || break
done
sleep 1
start=$(date +%s%N)
kill -s TERM "$reader"
wait "$reader"
status=$?
stopped_ms=$((($(date +%s%N) - start) / 1000000))
kill "$feeder" 2>/dev/null
wait "$feeder" 2>/dev/null
check "a run waiting on an idle pipe stops on SIGTERM (exit $status after $stopped_ms ms)" \
    all_of '[ "$status" -eq 143 ]' '[ "$stopped_ms" -lt 10000 ]'
check "with the packets read so far, marked incomplete" \
    all_of 'grep -q "\"incomplete\":true" "$work/out"' 'grep -q "\"packets\":399" "$work/out"'

# A reader that went away ends the run promptly, even with SIGPIPE ignored.
"$generate_capture" --flood 1500000 "$work/flood.pcap" >/dev/null
start=$(date +%s%N)
(trap '' PIPE; "$oddport" --format json "$work/flood.pcap" 2>"$work/err" | (exec true); echo "${PIPESTATUS[0]}" >"$work/pipe-status"; exit 0)
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
start=$(date +%s%N)
"$oddport" --format json -o /dev/null "$work/flood.pcap" 2>/dev/null
full_ms=$((($(date +%s%N) - start) / 1000000))
check "a closed pipe with SIGPIPE ignored exits 3 (got $(cat "$work/pipe-status"))" [ "$(cat "$work/pipe-status")" = 3 ]
check "and stops early (${elapsed_ms} ms against ${full_ms} ms for the whole run)" [ "$elapsed_ms" -lt $((full_ms / 2)) ]
check "with one line naming the error" grep -q "write error: Broken pipe" "$work/err"

# Out of memory: one line, exit 5, and no half report under the -o name. Address-space limits
# break the sanitizers' shadow memory, so their build skips this.
if [ -z "${ODDPORT_SANITIZED:-}" ]; then
    (ulimit -v 300000; exec "$oddport" --max-flows 0 -o "$work/flood.txt" "$work/flood.pcap") 2>"$work/err"
    status=$?
    check "running out of memory exits 5 (got $status)" [ "$status" -eq 5 ]
    check "with a line suggesting --max-flows" grep -q "out of memory.*--max-flows" "$work/err"
    check "and no report under the -o name" [ ! -e "$work/flood.txt" ]
    (ulimit -v 300000; exec "$oddport" --max-flows 0 --format json "$work/flood.pcap") >"$work/out" 2>"$work/err"
    status=$?
    check "on standard output it exits 5 too (got $status)" [ "$status" -eq 5 ]

    # The reserve given back when memory runs out is address space, never written: glibc with
    # MALLOC_PERTURB_ (set by meson for every test) fills whatever is allocated, and a small
    # capture at -j 2 took 42 MiB and 7 times as long when the reserves were allocated.
    peak_kib=$(MALLOC_PERTURB_=85 python3 -c '
import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' \
        "$oddport" -q -j 2 --format json "$captures/loopback.pcap")
    check "with MALLOC_PERTURB_, -j 2 on a small capture stays under 28 MiB (${peak_kib} KiB)" \
        [ "${peak_kib:-999999}" -lt 28672 ]
fi

finish_checks
