#!/bin/bash
# Adds a made-up protocol and a made-up report format to a copy of the source tree the way the
# README says they are added (for each: its file, one table row, one build line), builds the
# copy, and checks that the protocol is found, reported in every format, offered by --help and
# accepted by services files, that the format can be chosen and lists it, and that the unit
# tests that walk the protocol and format tables still pass.
set -euo pipefail
source_root=$1
example_dir=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap '[[ -n ${KEEP_WORK:-} ]] || rm -rf "$work"' EXIT

fail() { echo "add-protocol: $*" >&2; exit 1; }

# The tracked files only, so no build folder or local change comes along.
if git -C "$source_root" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git -C "$source_root" ls-files -z | (cd "$source_root" && xargs -0 cp --parents -t "$work")
else
    cp -r "$source_root"/. "$work"
fi

# The three edits, and nothing else.
cp "$example_dir/example-protocol.c" "$work/src/lib/detect/dummy.c"
table=$work/include/oddport/protocol-table.h
grep -q '^    ROW(SSH, ssh)$' "$table" || fail "the last table row is not where this test expects it"
sed -i 's/^    ROW(SSH, ssh)$/    ROW(SSH, ssh) \\\n    ROW(DUMMY, dummy)/' "$table"
sed -i "s|^  'detect/ssh.c',$|  'detect/ssh.c',\n  'detect/dummy.c',|" "$work/src/lib/meson.build"
grep -q "detect/dummy.c" "$work/src/lib/meson.build" || fail "the build line was not added"
cp "$example_dir/example-format.c" "$work/src/lib/report/tally.c"
formats=$work/src/lib/report/format_table.c
grep -q '^    ROW(html)$' "$formats" || fail "the last format row is not where this test expects it"
sed -i 's/^    ROW(html)$/    ROW(html) \\\n    ROW(tally)/' "$formats"
sed -i "s|^  'report/ndjson.c',$|  'report/ndjson.c',\n  'report/tally.c',|" "$work/src/lib/meson.build"
grep -q "report/tally.c" "$work/src/lib/meson.build" || fail "the format's build line was not added"

meson setup "$work/build" "$work" -Dplugin=disabled -Dwerror=true >"$work/setup.log" 2>&1 ||
    { cat "$work/setup.log"; fail "the copy does not configure"; }
ninja -C "$work/build" src/cli/oddport tests/unit/test-protocol tests/unit/test-record \
    tests/unit/test-classify tests/unit/test-report-formats >"$work/build.log" 2>&1 ||
    { cat "$work/build.log"; fail "the copy does not build"; }
for unit in protocol record classify report-formats; do
    "$work/build/tests/unit/test-$unit" >"$work/$unit.log" 2>&1 ||
        { cat "$work/$unit.log"; fail "unit test $unit fails with the new protocol"; }
done

oddport=$work/build/src/cli/oddport
capture=$example_dir/dummy-greeting.pcap
# Each output is read whole before matching: grep -q stops early, and pipefail would count the
# cut pipe as a failure.
json=$("$oddport" --format json "$capture")
[[ $json == *'"app":"dummy"'* ]] || fail "the greeting was not recognised: $json"
[[ $json == *'"dummy":{"server_name":"example-server"}'* ]] || fail "no dummy object in JSON"
[[ $json == *'"severity":"unexpected"'* ]] || fail "port 9999 is not unexpected for dummy"
[[ $json == *'"apps":{'*'"dummy":{'* ]] || fail "the apps object lacks dummy"
csv=$("$oddport" --format csv "$capture")
[[ ${csv%%$'\r'*} == *',dummy_server_name,'* ]] || fail "no CSV column for the new field"
ndjson=$("$oddport" --format ndjson "$capture")
[[ $ndjson == *'"dummy":{"server_name":"example-server"}'* ]] || fail "no dummy object in NDJSON"
text=$("$oddport" "$capture")
[[ $text == *'unexpected  dummy'* ]] || fail "the text report lacks the service"
html=$("$oddport" --format html "$capture")
[[ $html == *'data-app="dummy" data-severity="unexpected"'* ]] ||
    fail "the HTML report's services table lacks the service"
[[ $html == *'<circle class="mark app-dummy nonstandard"'* ]] || fail "the port map lacks the service"
help=$("$oddport" --help)
[[ $help == *$'\n  dummy  the made-up DUMMY/1 greeting\n'* ]] || fail "--help lacks the protocol"
[[ $(tr -s '\n ' '  ' <<<"$help") == *'ssh 22; dummy 7777'* ]] || fail "--help lacks its port"
ruled=$(printf 'dummy 9999\n' | "$oddport" --services - --format json "$capture")
[[ $ruled == *'"severity":null'* ]] || fail "a services file cannot name the new protocol"

tallied=$("$oddport" --format tally "$capture")
[[ $tallied == *$'\ndummy 1\n'* ]] || fail "the new format is not chosen: $tallied"
[[ $help == *$'\n  tally   flows per app, one line each\n'* ]] || fail "--help lacks the format"
unknown=$("$oddport" --format nonesuch "$capture" 2>&1 || true)
[[ $unknown == *'html or tally'* ]] || fail "the unknown-format error does not list the new format"
echo "add-protocol: a protocol and a format, each added in 3 files, work everywhere"
