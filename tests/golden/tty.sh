#!/usr/bin/env bash
# Terminal behaviour: colour and the progress line appear on a terminal and nowhere else.
# Usage: tty.sh ODDPORT CAPTURES-DIR. Runs oddport under a pseudo-terminal with script(1) from
# util-linux; exits 77 (skipped) where there is no script or no pseudo-terminal.
set -uo pipefail
oddport=$(realpath "$1")
captures=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0

ok() { passed=$((passed + 1)); echo "ok - $1"; }
not_ok() { failed=$((failed + 1)); echo "not ok - $1"; }

command -v script >/dev/null || { echo "skip: no script(1)"; exit 77; }
# on_terminal OUTPUT COMMAND: runs COMMAND (a shell line) with a pseudo-terminal as its
# standard input, output and error, and saves what the terminal showed.
on_terminal() {
    local output=$1
    shift
    script -qfec "$*" /dev/null </dev/null >"$output" 2>&1
}
on_terminal "$work/probe" "test -t 1 && test -t 2" || { echo "skip: no pseudo-terminal"; exit 77; }

# The engine reports progress every 65536 packets, so the capture needs more: loopback.pcap's
# records, 170 times over (67830 packets).
loopback=$captures/loopback.pcap
head -c 24 "$loopback" >"$work/big.pcap"
tail -c +25 "$loopback" >"$work/records"
for _ in $(seq 170); do cat "$work/records"; done >>"$work/big.pcap"
big=$work/big.pcap
escape=$'\x1b'

has() { LC_ALL=C grep -aqF -- "$2" "$1"; }

# Progress: on a terminal once the threshold has passed, with percent, rate and ETA; erased at
# the end. ODDPORT_PROGRESS_AFTER_MS=0 stands in for a capture that takes over a second.
on_terminal "$work/progress" "ODDPORT_PROGRESS_AFTER_MS=0 '$oddport' -o /dev/null '$big'"
if has "$work/progress" "% of " && has "$work/progress" "packets/s" && has "$work/progress" "ETA"; then
    ok "progress line on a terminal"
else
    not_ok "no progress line on a terminal: $(cat -v "$work/progress")"
fi
if [ "$(tail -c 4 "$work/progress")" = $'\r'"$escape[K" ]; then
    ok "progress line erased at the end"
else
    not_ok "progress line left on the terminal: $(tail -c 40 "$work/progress" | cat -v)"
fi
on_terminal "$work/quiet" "ODDPORT_PROGRESS_AFTER_MS=0 '$oddport' -q -o /dev/null '$big'"
[ ! -s "$work/quiet" ] && ok "-q: no progress" || not_ok "-q still shows: $(cat -v "$work/quiet")"
on_terminal "$work/slow" "ODDPORT_PROGRESS_AFTER_MS=3600000 '$oddport' -o /dev/null '$big'"
[ ! -s "$work/slow" ] && ok "no progress before the threshold" ||
    not_ok "progress before the threshold: $(cat -v "$work/slow")"
# Standard error to a file while standard output is the terminal: no progress in the file.
on_terminal "$work/to-file" "ODDPORT_PROGRESS_AFTER_MS=0 '$oddport' --top 1 '$big' 2>'$work/stderr'"
[ ! -s "$work/stderr" ] && ok "no progress into a file" ||
    not_ok "progress written to a file: $(cat -v "$work/stderr")"
# A pipe: neither progress on standard error nor colour on standard output.
ODDPORT_PROGRESS_AFTER_MS=0 "$oddport" "$big" 2>"$work/pipe-stderr" | cat >"$work/pipe-stdout"
[ ! -s "$work/pipe-stderr" ] && ok "no progress into a pipe" ||
    not_ok "progress into a pipe: $(cat -v "$work/pipe-stderr")"
has "$work/pipe-stdout" "$escape" && not_ok "colour into a pipe" || ok "no colour into a pipe"

# Colour: on a terminal by default; not with --color=never, NO_COLOR or TERM=dumb; not in a file
# written with -o even from a terminal; forced with --color=always.
on_terminal "$work/color" "'$oddport' --top 1 '$loopback'"
has "$work/color" "$escape[1;31mmasquerade$escape[0m" && ok "colour on a terminal" ||
    not_ok "no colour on a terminal: $(head -c 300 "$work/color" | cat -v)"
on_terminal "$work/never" "'$oddport' --color=never --top 1 '$loopback'"
has "$work/never" "$escape" && not_ok "colour despite --color=never" || ok "--color=never"
on_terminal "$work/no-color" "NO_COLOR=1 '$oddport' --top 1 '$loopback'"
has "$work/no-color" "$escape" && not_ok "colour despite NO_COLOR" || ok "NO_COLOR respected"
on_terminal "$work/no-color-always" "NO_COLOR=1 '$oddport' --color=always --top 1 '$loopback'"
has "$work/no-color-always" "$escape[1m" && ok "--color=always wins over NO_COLOR" ||
    not_ok "--color=always gave no colour with NO_COLOR"
on_terminal "$work/dumb" "TERM=dumb '$oddport' --top 1 '$loopback'"
has "$work/dumb" "$escape" && not_ok "colour on TERM=dumb" || ok "no colour on TERM=dumb"
on_terminal "$work/file-run" "'$oddport' -o '$work/report.txt' '$loopback'"
has "$work/report.txt" "$escape" && not_ok "colour in a file written with -o" ||
    ok "no colour in a file written with -o"
"$oddport" --color=always --top 1 "$loopback" | cat >"$work/always"
has "$work/always" "$escape[1m" && ok "--color=always into a pipe" ||
    not_ok "--color=always gave no colour"
# The terminal's report is the plain one plus colour codes, nothing else.
"$oddport" --top 1 "$loopback" >"$work/plain"
if LC_ALL=C sed -E "s/$escape\\[[0-9;]*m//g; s/\\r\$//" "$work/color" | cmp -s - "$work/plain"; then
    ok "colour changes nothing but colour"
else
    not_ok "coloured and plain reports differ beyond colour"
fi

# A warning shows once on a terminal: the text report's header carries it, so stderr, on the
# same terminal, does not repeat it; with the report in a file, stderr still says it.
size=$(stat -c %s "$loopback")
head -c $((size - 7)) "$loopback" >"$work/cut.pcap"
on_terminal "$work/warned" "'$oddport' --top 1 '$work/cut.pcap'"
count=$(LC_ALL=C grep -ac "file ends inside record" "$work/warned")
[ "$count" = 1 ] && ok "a capture warning shows once on a terminal" ||
    not_ok "the capture warning shows $count times on a terminal"
on_terminal "$work/warned-file" "'$oddport' -o '$work/warned.txt' '$work/cut.pcap'"
has "$work/warned-file" "file ends inside record" && has "$work/warned.txt" "file ends inside record" &&
    ok "with the report in a file, the warning is on the terminal and in the file" ||
    not_ok "a warning missing from the terminal or from the report file"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
