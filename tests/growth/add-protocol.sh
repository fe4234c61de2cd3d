#!/bin/bash
# Adds a made-up protocol to a copy of the source tree the way the README says a protocol is
# added (its file, one table row, one build line), builds the copy, and checks that the protocol
# is found, reported in every format, offered by --help and accepted by services files, and that
# the unit tests that walk the protocol table still pass.
set -euo pipefail
source_root=$1
example_dir=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

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

meson setup "$work/build" "$work" -Dplugin=disabled -Dwerror=true >"$work/setup.log" 2>&1 ||
    { cat "$work/setup.log"; fail "the copy does not configure"; }
ninja -C "$work/build" src/cli/oddport tests/unit/test-protocol tests/unit/test-record \
    tests/unit/test-classify >"$work/build.log" 2>&1 ||
    { cat "$work/build.log"; fail "the copy does not build"; }
for unit in protocol record classify; do
    "$work/build/tests/unit/test-$unit" >"$work/$unit.log" 2>&1 ||
        { cat "$work/$unit.log"; fail "unit test $unit fails with the new protocol"; }
done

oddport=$work/build/src/cli/oddport
capture=$example_dir/dummy-greeting.pcap
json=$("$oddport" --format json "$capture")
[[ $json == *'"app":"dummy"'* ]] || fail "the greeting was not recognised: $json"
[[ $json == *'"dummy":{"server_name":"example-server"}'* ]] || fail "no dummy object in JSON"
[[ $json == *'"severity":"unexpected"'* ]] || fail "port 9999 is not unexpected for dummy"
[[ $json == *'"apps":{'*'"dummy":{'* ]] || fail "the apps object lacks dummy"
"$oddport" --format csv "$capture" | head -n 1 | grep -q 'dummy_server_name' ||
    fail "no CSV column for the new field"
"$oddport" --format ndjson "$capture" | grep -q '"dummy":{"server_name":"example-server"}' ||
    fail "no dummy object in NDJSON"
"$oddport" "$capture" | grep -q 'unexpected  dummy' || fail "the text report lacks the service"
"$oddport" --help | grep -q '^  dummy  the made-up DUMMY/1 greeting$' || fail "--help lacks it"
"$oddport" --help | tr -s '\n ' '  ' | grep -q 'ssh 22; dummy 7777' ||
    fail "--help lacks its expected port"
printf 'dummy 9999\n' | "$oddport" --services - --format json "$capture" |
    grep -q '"severity":null' || fail "a services file cannot name the new protocol"
echo "add-protocol: a protocol added in 3 files is found, reported and configurable"
