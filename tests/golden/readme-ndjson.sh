#!/usr/bin/env bash
# The README's NDJSON examples print what the README shows when run on a real NDJSON report.
# Usage: readme-ndjson.sh ODDPORT SOURCE-ROOT
#
# A checked block in README.md is a line starting "<!-- checked-ndjson", then a fenced block of
# commands, each on a line starting "$ " and followed by the lines it prints. Each command runs
# in bash in a folder that holds report.ndjson, made by `oddport --format ndjson` from
# captures/loopback.pcap, and `captures`, the source's captures folder, with `oddport` on the
# PATH standing for the oddport under test. A command must succeed and print exactly the lines
# shown under it (something, when none are shown).
set -uo pipefail
oddport=$(realpath "$1")
root=$(realpath "$2")
if ! command -v jq >/dev/null; then
    echo "jq is not installed: the README's jq examples cannot be run (apt-get install jq)"
    exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/bin" "$work/run"
ln -s "$oddport" "$work/bin/oddport"
ln -s "$root/captures" "$work/run/captures"
export PATH="$work/bin:$PATH"
passed=0
failed=0

if ! (cd "$work/run" && oddport --format ndjson captures/loopback.pcap >report.ndjson); then
    echo "not ok - oddport --format ndjson captures/loopback.pcap failed"
    exit 1
fi

check() { # check COMMAND EXPECTED-FILE
    (cd "$work/run" && bash -c "$1") >"$work/actual" 2>"$work/stderr"
    local status=$?
    local verdict=ok
    if [ "$status" -ne 0 ]; then
        verdict="exit status $status"
    elif [ ! -s "$work/actual" ]; then
        verdict="printed nothing"
    elif [ -s "$2" ] && ! diff -u "$2" "$work/actual" >"$work/diff"; then
        verdict="printed something else"
    fi
    if [ "$verdict" = ok ]; then
        passed=$((passed + 1))
        echo "ok - $1"
    else
        failed=$((failed + 1))
        echo "not ok - $1: $verdict"
        [ "$verdict" != "printed something else" ] || sed 's/^/    /' "$work/diff"
        sed 's/^/    stderr: /' "$work/stderr"
    fi
}

state=outside
command=
examples=0
while IFS= read -r line; do
    case $state in
    outside)
        [[ $line == "<!-- checked-ndjson"* ]] && state=marked ;;
    marked)
        if [[ $line == '```'* ]]; then state=block; else state=outside; fi ;;
    block)
        if [[ $line == '```' || $line == '$ '* ]] && [ -n "$command" ]; then
            examples=$((examples + 1))
            check "$command" "$work/expected"
            command=
        fi
        if [[ $line == '```' ]]; then
            state=outside
        elif [[ $line == '$ '* ]]; then
            command=${line#\$ }
            : >"$work/expected"
        elif [ -n "$command" ]; then
            printf '%s\n' "$line" >>"$work/expected"
        else
            echo "not ok - a checked block does not start with '\$ COMMAND': $line"
            failed=$((failed + 1))
        fi ;;
    esac
done <"$root/README.md"

if [ "$examples" -eq 0 ]; then
    echo "not ok - README.md has no checked NDJSON examples"
    failed=$((failed + 1))
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
