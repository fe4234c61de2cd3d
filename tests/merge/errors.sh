#!/usr/bin/env bash
# oddport merge refuses what it cannot merge, naming the report, and touches no output then:
# a report cut short, one without the members merging needs, one of another schema, text that
# is no JSON; usage errors exit 2, and the help names the command. A report of no flows merges.
# oddport without the program that merges, oddport-merge, says so.
# Usage: errors.sh ODDPORT CAPTURES-DIR
set -uo pipefail
oddport=$(realpath "$1")
captures=$(realpath "$2")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
failed=0
expect() {
    local what=$1 status=$2 pattern=$3
    shift 3
    "$oddport" merge -o out.json "$@" 2>err
    local got=$?
    if [[ $got == "$status" ]] && grep -q -- "$pattern" err && [[ ! -e out.json ]]; then
        echo "ok - $what (exit $got)"
    else
        echo "not ok - $what: exit $got, stderr: $(cat err)"
        failed=1
    fi
    rm -f out.json
}
if ! command -v jq >/dev/null; then
    echo "jq is not installed: cannot make the broken reports (apt-get install jq)"
    exit 77
fi
"$oddport" -q --format ndjson -o good.ndjson "$captures/udp.pcap" || exit 1
"$oddport" -q --format json -o good.json "$captures/udp.pcap" || exit 1
head -n 2 good.ndjson >cut.ndjson
command jq -c 'del(.flows[].open_at_end)' good.json >old.json
command jq -c '.schema = 2' good.json >schema2.json
echo 'not json at all' >garbage.txt
sed '2s/"type"/"ty pe/' good.ndjson >damaged-line.ndjson
command jq -c '.captures[0].link_types = ["ethernet", null]' good.json >link-null.json
command jq -c '.captures[0].warnings = [7]' good.json >capture-warning-number.json
command jq -c '.warnings = [null]' good.json >warning-null.json
expect "a report cut short" 1 "cut.ndjson: no summary" cut.ndjson
expect "a report without open_at_end" 1 'old.json: "open_at_end" is missing' old.json
expect "a report of schema 2" 1 "schema2.json: a report of schema 2" schema2.json
expect "text that is no JSON" 1 "garbage.txt: not JSON" garbage.txt
expect "an NDJSON line that is no JSON, named by its line" 1 "damaged-line.ndjson: not JSON or NDJSON: line 2, column 9:" damaged-line.ndjson
expect "a link type that is not text" 1 'link-null.json: "link_types" holds something other than text' link-null.json
expect "a capture warning that is not text" 1 'capture-warning-number.json: "warnings" holds something other than text' capture-warning-number.json
expect "a run warning that is not text" 1 'warning-null.json: "warnings" holds something other than text' warning-null.json
# Two flows of one id (a position no two flows share): one of them would be lost.
command jq -c '.flows += [.flows[0] | .app = "ssh"]' good.json >twice.json
expect "a report with one flow id twice" 1 "twice.json: not an oddport report: flow id [0-9]* appears twice" \
    twice.json
# Brackets nested 100,000 deep, as a whole document and as an NDJSON line: json-glib's parser
# recursed once per level until the stack ran out (a crash, exit 139).
python3 -c 'import sys; open(sys.argv[1], "w").write("[" * 100000 + "]" * 100000)' deep.json
python3 -c 'import sys; open(sys.argv[1], "w").write("{\"type\":" + "[" * 100000 + "]" * 100000 + "}\n{}\n")' \
    deep.ndjson
expect "a report nested 100,000 deep" 1 "deep.json: not an oddport report: arrays or objects nested" \
    deep.json
expect "an NDJSON line nested 100,000 deep" 1 "deep.ndjson: not an oddport report: arrays or objects" \
    deep.ndjson
expect "a missing report, in plain words" 1 "^oddport merge: cannot read nothing-here.json: No such file or directory$" \
    nothing-here.json
expect "no report named" 2 "name the reports" 
expect "an unknown format" 2 "unknown format 'yaml'" --format yaml good.json
expect "an unknown option" 2 "Unknown option" --frobnicate good.json
if [[ $("$oddport" merge --help | sed -n 2p) == "  oddport merge [OPTION"*"] REPORT..." ]]; then
    echo "ok - the help's usage line names oddport merge"
else
    echo "not ok - the help's usage line: $("$oddport" merge --help | sed -n 2p)"
    failed=1
fi
# One report alone is its own merge: the same flows and services.
if "$oddport" merge -o one.json good.ndjson &&
    diff <(command jq -S 'del(.oddport)' good.json) <(command jq -S 'del(.oddport)' one.json) >/dev/null; then
    echo "ok - one report merged alone is the same report"
else
    echo "not ok - one report merged alone differs"
    failed=1
fi
# A device is written in place, never replaced by a file renamed onto it.
"$oddport" merge -o /dev/null good.json 2>err
status=$?
if [[ $status == 0 && -c /dev/null ]]; then
    echo "ok - -o /dev/null writes in place and leaves the device alone"
else
    echo "not ok - -o /dev/null: exit $status, $(ls -l /dev/null), stderr: $(cat err)"
    failed=1
fi
# A report that cannot be written says so (it exited 3 without a word); warnings are said on
# stderr as one run says them, unless -q.
"$oddport" merge good.json >/dev/full 2>err
status=$?
if [[ $status == 3 ]] && grep -q "^oddport merge: standard output: write error: No space left on device" err; then
    echo "ok - a report that cannot be written: exit 3, said in one line"
else
    echo "not ok - a report that cannot be written: exit $status, stderr: $(cat err)"
    failed=1
fi
"$oddport" merge -o /dev/null good.json good.ndjson 2>err
loud=$(grep -c "^oddport merge: warning: good.ndjson reports the same captures as good.json" err)
"$oddport" merge -q -o /dev/null good.json good.ndjson 2>err
if [[ $loud == 1 && ! -s err ]]; then
    echo "ok - the merge's warnings are said on stderr, and -q keeps them in the report only"
else
    echo "not ok - the merge's warnings on stderr: $loud said, with -q: $(cat err)"
    failed=1
fi
# -o naming one of the reports would destroy it: refused, the report left as it was.
cp good.json self.json
"$oddport" merge -o self.json good.ndjson self.json 2>err
status=$?
if [[ $status == 2 ]] && grep -q "would overwrite the report self.json" err && cmp -s good.json self.json; then
    echo "ok - -o naming one of the reports is refused (exit 2)"
else
    echo "not ok - -o naming one of the reports: exit $status, stderr: $(cat err)"
    failed=1
fi
# -o naming a capture the reports read would destroy the evidence: refused, the capture kept (it
# was replaced by the report, exit 0).
cp "$captures/udp.pcap" evidence.pcap
"$oddport" -q --format ndjson -o evidence.ndjson evidence.pcap || exit 1
"$oddport" merge -o evidence.pcap evidence.ndjson 2>err
status=$?
if [[ $status == 2 ]] && grep -q "would overwrite the capture evidence.pcap" err &&
    cmp -s "$captures/udp.pcap" evidence.pcap; then
    echo "ok - -o naming a capture the reports read is refused (exit 2)"
else
    echo "not ok - -o naming a capture the reports read: exit $status, stderr: $(cat err)"
    failed=1
fi
# Parts run with other options count other flows: refused, naming the difference.
"$oddport" -q --format json -f 'udp port 53' -o filtered.json "$captures/udp.pcap" || exit 1
expect "a part run with another filter" 1 \
    "filtered.json: run with other options than good.json (filter 'udp port 53' against none)" \
    good.json filtered.json
"$oddport" -q --format json --max-flows 7 -o bounded.json "$captures/udp.pcap" || exit 1
expect "a part run with another --max-flows" 1 "bounded.json: run with other options than good.json" \
    good.json bounded.json
"$oddport" -q --format json --services <(echo 'http 9999/udp') -o ruled.json "$captures/udp.pcap" ||
    exit 1
expect "a part run with other site rules" 1 "(site_rules 'http 9999/udp' against none)" \
    good.json ruled.json
# The same report twice, as one run reads a file named twice, is merged once, and says so.
if "$oddport" merge -o twice.json good.json good.ndjson &&
    diff <(command jq -S 'del(.oddport, .warnings)' good.json) \
        <(command jq -S 'del(.oddport, .warnings)' twice.json) >/dev/null &&
    command jq -e '.warnings | index("good.ndjson reports the same captures as good.json: merged once")' \
        twice.json >/dev/null; then
    echo "ok - the same report twice is merged once, with a warning"
else
    echo "not ok - the same report twice: $(command jq -c '.totals, .warnings' twice.json)"
    failed=1
fi
# A capture of no packets (its header alone): a report of no flows merges to one.
head -c 24 "$captures/udp.pcap" >header-only.pcap
"$oddport" -q --format json -o empty.json header-only.pcap || exit 1
if "$oddport" merge -o merged-empty.json empty.json good.json &&
    [[ $(command jq '.flows | length' merged-empty.json) == $(command jq '.flows | length' good.json) ]]; then
    echo "ok - a report of no flows merges"
else
    echo "not ok - a report of no flows does not merge"
    failed=1
fi
# Parts are read in the order of their first packets, while a part with no packets, an empty
# capture's or a missing one's, keeps its place in the order given, as such a capture does in
# one run (they went last).
head -c 24 "$captures/udp.pcap" >no-packets.pcap
"$oddport" -q --format ndjson -o no-packets.ndjson no-packets.pcap || exit 1
"$oddport" -q --format ndjson -o loopback.ndjson "$captures/loopback.pcap" || exit 1
"$oddport" -q --format ndjson -o missing.ndjson missing.pcap 2>/dev/null
"$oddport" -q --format json -o order-one-run.json "$captures/udp.pcap" no-packets.pcap missing.pcap \
    "$captures/loopback.pcap" 2>/dev/null
"$oddport" merge -o order-merged.json good.ndjson no-packets.ndjson missing.ndjson loopback.ndjson \
    2>/dev/null
one_run_order=$(command jq -c '[.captures[].path]' order-one-run.json)
if [[ $(command jq -c '[.captures[].path]' order-merged.json) == "$one_run_order" &&
    $one_run_order == *'"no-packets.pcap","missing.pcap"'* ]]; then
    echo "ok - parts with no packets keep their place, as in one run"
else
    echo "not ok - the parts' order: $(command jq -c '[.captures[].path]' order-merged.json), one run $one_run_order"
    failed=1
fi
# A part whose run could not read one of its captures: the merged report lists it, the merge
# names it on stderr and exits 1, as one run over the set does.
"$oddport" -q --format ndjson -o unreadable.ndjson "$work/no-such.pcap" "$captures/udp.pcap" 2>/dev/null
"$oddport" merge -o with-unreadable.json unreadable.ndjson 2>err
status=$?
if [[ $status == 1 ]] && grep -q "^oddport merge: $work/no-such.pcap: no such file" err &&
    command jq -e '.captures[0].error != null' with-unreadable.json >/dev/null; then
    echo "ok - a capture a part could not read: listed, named, exit 1"
else
    echo "not ok - a capture a part could not read: exit $status, stderr: $(cat err)"
    failed=1
fi
# A report's text in a message is escaped: it must not drive the terminal.
{ printf '{"type":"fl\033[31mow"}\n'; cat good.ndjson; } >escape.ndjson
"$oddport" merge -o escaped.json escape.ndjson 2>err
status=$?
if [[ $status == 1 ]] && grep -qF 'the line type "fl\x1b[31mow"' err && ! grep -q $'\033' err; then
    echo "ok - a report's text in a message is escaped"
else
    echo "not ok - a report's text in a message: exit $status, stderr: $(cat -v err)"
    failed=1
fi
# oddport copied somewhere without the program that merges: a clear message, exit 2. Skipped
# where oddport-merge is installed at the configured place, which oddport then finds.
mkdir alone
cp "$oddport" alone/oddport
"alone/oddport" merge good.json >/dev/null 2>err
status=$?
if grep -q "is not installed" err; then
    if [[ $status == 2 ]] && grep -q "oddport merge: oddport-merge, the program that merges" err; then
        echo "ok - oddport without oddport-merge says so (exit 2)"
    else
        echo "not ok - oddport without oddport-merge: exit $status, stderr: $(cat err)"
        failed=1
    fi
elif [[ $status == 0 ]]; then
    echo "ok - oddport without oddport-merge beside it # SKIP one is installed where it looks last"
else
    echo "not ok - oddport without oddport-merge: exit $status, stderr: $(cat err)"
    failed=1
fi
# Its help is laid out as oddport's, in any locale: "[OPTION...]", one group of options, and
# oddport's report options among them; exit 0.
if LC_ALL=C "$oddport" merge --help >help.txt 2>&1 &&
    grep -q '^  oddport merge \[OPTION\.\.\.\] REPORT\.\.\.$' help.txt &&
    grep -q '^Options:$' help.txt && grep -q -- '--services-only' help.txt &&
    ! grep -q 'Help Options' help.txt; then
    echo "ok - oddport merge --help, laid out as oddport's"
else
    echo "not ok - oddport merge --help: $(head -c 300 help.txt)"
    failed=1
fi
exit $failed
