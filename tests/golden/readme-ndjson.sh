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

# shellcheck source=tests/golden/readme-examples.sh
source "$(dirname "$0")/readme-examples.sh"
run_checked_examples "<!-- checked-ndjson" "$root/README.md"
