#!/usr/bin/env bash
# Hostile payloads: terminal escapes from the wire reach no report raw, and CSV defuses formulas.
# Usage: hostile.sh ODDPORT WRITE-HOSTILE-CAPTURE EXPECTED-DIR
# Set ODDPORT_UPDATE_GOLDEN=1 to rewrite the expected reports after a deliberate change.
set -uo pipefail
oddport=$(realpath "$1")
writer=$(realpath "$2")
expected=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0

ok() { passed=$((passed + 1)); echo "ok - $1"; }
not_ok() { failed=$((failed + 1)); echo "not ok - $1"; }

"$writer" "$work/hostile.pcap" || { echo "not ok - cannot write the capture"; exit 1; }
cd "$work" || exit 1
"$oddport" --all-flows hostile.pcap >text.txt 2>text.err || not_ok "text report failed"
"$oddport" --all-flows --color=always hostile.pcap >color.txt 2>/dev/null || not_ok "colour report failed"
"$oddport" --format csv hostile.pcap >flows.csv 2>/dev/null || not_ok "CSV report failed"
"$oddport" --format csv --services-only hostile.pcap >services.csv 2>/dev/null ||
    not_ok "CSV services report failed"
"$oddport" --format html hostile.pcap >page.html 2>/dev/null || not_ok "HTML report failed"

# No control byte but the line ends (and CSV's CR before them), and no byte above 0x7e: the
# capture's ESC, BEL, 8-bit CSI (0x9b) and UTF-8 C1 and bidi controls must all appear as \xNN.
for report in text.txt flows.csv services.csv page.html; do
    if LC_ALL=C grep -aqP '[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\xff]' "$report"; then
        not_ok "$report holds raw control or non-ASCII bytes"
        LC_ALL=C grep -naP '[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\xff]' "$report" | cat -v | sed 's/^/    /'
    else
        ok "$report holds printable ASCII only"
    fi
    if grep -qF 'SNI=\x1b]0;owned\x07\x1b[2Jevil.example' "$report" &&
        grep -qF 'OpenSSH_9.2p1 \x9b31mowned\x9b0m \xc2\x9b2J\xe2\x80\xaelive' "$report"; then
        ok "$report shows the escapes as text"
    else
        not_ok "$report lacks the escaped SNI or banner"
    fi
done

# A backslash from the wire is doubled, so the text "\x1b" it sent cannot pass for an escape.
grep -qF 'GET /\\x1b[2J HTTP/1.1' text.txt && ok "wire backslash doubled" ||
    not_ok "wire backslash not doubled"
grep -qF 'GET /\\x1b[2J HTTP/1.1' page.html && ok "wire backslash doubled in HTML" ||
    not_ok "wire backslash not doubled in HTML"

# With colour on, the only escape sequences left are oddport's own SGR codes.
if LC_ALL=C sed -E 's/\x1b\[[0-9;]*m//g' color.txt | LC_ALL=C grep -aqP '[\x00-\x08\x0b-\x1f\x7f-\xff]'; then
    not_ok "the coloured report holds escapes that are not oddport's colours"
else
    ok "the coloured report holds only oddport's colour codes"
fi
grep -q $'\x1b\[1;31mmasquerade' color.txt && ok "--color=always colours" || not_ok "--color=always gave no colour"

# Formulas: the Host and User-Agent cells start with a single quote, inside quotes.
grep -qF ",\"'=cmd|' /C calc'!A0\"," flows.csv && ok "Host formula defused" ||
    not_ok "Host formula not defused"
grep -qF ",\"'@SUM(1+1)*cmd|' /C calc'!A0\x09x\"," flows.csv && ok "User-Agent formula defused" ||
    not_ok "User-Agent formula not defused"
grep -qF ",\"'+1-2\"," flows.csv && ok "mismatch Host formula defused" ||
    not_ok "mismatch Host formula not defused"
# Splits CSV rows into fields by RFC 4180 (oddport writes no line break inside a field) and
# prints, per row, the field count and every field; plain awk, as mawk has no FPAT.
csv_fields() {
    tr -d '\r' <"$1" | awk '
        { count = 0; field = ""; quoted = 0
          for (at = 1; at <= length($0); at++) {
              character = substr($0, at, 1)
              if (quoted) {
                  if (character == "\"" && substr($0, at + 1, 1) == "\"") { field = field "\""; at++ }
                  else if (character == "\"") quoted = 0
                  else field = field character
              } else if (character == "\"") quoted = 1
              else if (character == ",") { fields[++count] = field; field = "" }
              else field = field character
          }
          fields[++count] = field
          printf "%d", count
          for (index_ = 1; index_ <= count; index_++) printf "\t%s", fields[index_]
          printf "\n" }'
}
# No cell at all may start with a formula character.
if csv_fields flows.csv | awk -F '\t' '
        { for (field = 2; field <= NF; field++) if ($field ~ /^[=+@-]/) { print NR ": " $field; bad = 1 } }
        END { exit bad }' >formula-cells.txt; then
    ok "no CSV cell starts with = + - @"
else
    not_ok "CSV cells start with a formula character:"
    sed 's/^/    /' formula-cells.txt
fi
# RFC 4180: every row ends in CRLF and has as many fields as the header.
for report in flows.csv services.csv; do
    if awk 'sub(/\r$/, "") == 0 { exit 1 }' "$report"; then
        ok "$report rows end in CRLF"
    else
        not_ok "$report has a row without CRLF"
    fi
    if csv_fields "$report" | awk -F '\t' 'NR == 1 { fields = $1 } $1 != fields { exit 1 }'; then
        ok "$report rows all have the header's field count"
    else
        not_ok "$report rows differ in field count"
    fi
done
[ -s text.err ] && not_ok "stderr not empty: $(cat text.err)"

compare() { # compare ACTUAL EXPECTED-NAME
    if [ "${ODDPORT_UPDATE_GOLDEN:-0}" = 1 ]; then
        cp "$1" "$expected/$2" && chmod 644 "$expected/$2"
        echo "updated $expected/$2"
    elif diff -u "$expected/$2" "$1"; then
        ok "$2 matches"
    else
        not_ok "$2 differs"
    fi
}
compare text.txt hostile.txt
compare flows.csv hostile.csv
compare services.csv hostile-services.csv

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
