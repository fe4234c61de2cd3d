#!/usr/bin/env bash
# Other servers on non-standard ports: servers that answered in something other than HTTP, TLS or
# SSH are listed with their first bytes, escaped; scans, floods and well-known ports are not.
# Usage: other-servers.sh ODDPORT WRITE-OTHER-SERVERS-CAPTURE VALIDATE-REPORT EXPECTED-DIR [CORPUS]
# Set ODDPORT_UPDATE_GOLDEN=1 to rewrite the expected reports after a deliberate change.
set -uo pipefail
oddport=$(realpath "$1")
writer=$(realpath "$2")
validate=$(realpath "$3")
expected=$4
corpus=${5:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0

ok() { passed=$((passed + 1)); echo "ok - $1"; }
not_ok() { failed=$((failed + 1)); echo "not ok - $1"; }

# The lines of the text report's "Other servers" section, headings and details included.
other_section() { sed -n '/^Other servers on non-standard ports/,/^$/p' "$1"; }

"$writer" "$work/other-servers.pcap" || { echo "not ok - cannot write the capture"; exit 1; }
cd "$work" || exit 1
"$oddport" other-servers.pcap >text.txt 2>text.err || not_ok "text report failed"
"$oddport" --top 2 other-servers.pcap >top.txt 2>/dev/null || not_ok "--top report failed"
"$oddport" --format csv --services-only other-servers.pcap >services.csv 2>/dev/null ||
    not_ok "CSV services report failed"
"$oddport" --format json -o report.json other-servers.pcap 2>/dev/null || not_ok "JSON report failed"

other_section text.txt >section.txt
for server in 10.0.1.25:2525/tcp 10.0.1.77:4000/tcp 10.0.1.80:61616/tcp 10.0.1.99:9999/udp; do
    grep -qF " $server" section.txt && ok "$server is listed" || not_ok "$server is missing"
done
# A scan of closed ports, a half-open scan of an open one, unanswered UDP probes and a SYN
# flood show no server speaking; SMTP on 25 is where it belongs.
for absent in 10.0.1.50: 10.0.1.51: 10.0.1.25:25/; do
    grep -qF "$absent" section.txt && not_ok "$absent is listed" || ok "$absent is left out"
done
grep -qF 'server sent: OK 42\x00\x01\x1b[2J \\x41\x0a' section.txt &&
    ok "the datagram answer is escaped" || not_ok "the datagram answer is not escaped as expected"
grep -qF 'client sent: \x00\x00\x00\x10secrets.tar.gz' section.txt &&
    ok "a silent server shows what its client sent" || not_ok "no client bytes for the silent server"
grep -qF '+2 more servers (--top 0 shows all)' top.txt && ok "--top bounds the section" ||
    not_ok "--top does not bound the section"
for report in text.txt services.csv report.json; do
    if LC_ALL=C grep -aqP '[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\xff]' "$report"; then
        not_ok "$report holds raw control or non-ASCII bytes"
    else
        ok "$report holds printable ASCII only"
    fi
done
"$validate" report.json && ok "the JSON report is valid" || not_ok "the JSON report is invalid"
count=$(grep -o '"other_server":true' report.json | wc -l)
[ "$count" -eq 4 ] && ok "JSON marks 4 other servers" || not_ok "JSON marks $count other servers"
# server_spoke, other_server and opening_from follow each other; quoted cells before them may
# hold commas, so the row is matched rather than split.
count=$(grep -cE ',true,true,(server|client),' services.csv)
[ "$count" -eq 4 ] && ok "CSV marks 4 other servers" || not_ok "CSV marks $count other servers"
[ -s text.err ] && not_ok "stderr not empty: $(cat text.err)"

# The attacker's LDAP server in a real Log4Shell capture (nDPI's test suite), when present.
log4j=${corpus:+$corpus/ndpi/log4j-webapp-exploit.pcap}
if [ -n "$log4j" ] && [ -f "$log4j" ]; then
    "$oddport" "$log4j" >log4j.txt 2>/dev/null
    other_section log4j.txt | grep -qF ' 172.16.238.11:1389/tcp' &&
        ok "the Log4Shell LDAP callback on 1389 is listed" ||
        not_ok "the Log4Shell LDAP callback on 1389 is missing"
else
    echo "# skipping the Log4Shell capture: no corpus"
fi

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
compare text.txt other-servers.txt
compare services.csv other-servers-services.csv

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
