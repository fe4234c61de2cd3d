#!/usr/bin/env bash
# Runs the plugin checks over a folder of outside captures (-Dcorpus_dir): fields, decoding and
# other flows unchanged, each against the CLI's report of the same capture.
# usage: run-corpus.sh RUNNER TSHARK PLUGIN ODDPORT CHECKER FOLDER
set -uo pipefail
export runner=$1 tshark=$2 plugin=$3 oddport=$4 checker=$5
folder=$6
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export work

# check_capture NUMBER CAPTURE: writes the capture's results to $work/NUMBER, a line "passed",
# "failed" or "unreadable" each, a failure's output after its line.
check_capture() {
    local result=$work/$1 capture=$2 mode output
    # A capture the CLI cannot read at all has no report to compare with; the golden corpus test
    # checks that the CLI says so clearly.
    if ! "$oddport" --format json -o /dev/null "$capture" 2>/dev/null; then
        echo unreadable >"$result"
        return
    fi
    : >"$result"
    for mode in fields protocols-all unchanged; do
        if output=$(bash "$runner" "$mode" "$tshark" "$plugin" "$oddport" "$checker" "$capture" 2>&1) ||
            [ "$(printf '%s\n' "$output" | tail -n 1)" = "no packet was checked: the capture or the tshark output is not what was meant" ]; then
            echo passed >>"$result"
        else
            {
                echo failed
                printf '%s %s:\n%s\n' "$mode" "$capture" "$(printf '%s\n' "$output" | grep -v '^note:' | head -n 10)"
            } >>"$result"
        fi
    done
}
export -f check_capture

# Each capture runs tshark three times (protocols-all reads the two-pass output that fields made,
# from the runner's cache), the longest test of all: the captures are checked as many at a time as
# there are processors, each into a file of its own, read in their order after.
mapfile -d '' captures < <(find "$folder" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) -print0 | sort -z)
# shellcheck disable=SC2016 # expanded by the shell xargs starts
for index in "${!captures[@]}"; do
    printf '%s\0%s\0' "$index" "${captures[index]}"
done | xargs -0 -r -n 2 -P "$(nproc)" bash -c 'check_capture "$1" "$2"' check_capture
passed=0 failed=0 unreadable=0
for index in "${!captures[@]}"; do
    result=$work/$index
    if [ ! -f "$result" ]; then
        failed=$((failed + 1))
        echo "${captures[index]}: no result (its check did not finish)"
        continue
    fi
    passed=$((passed + $(grep -c '^passed$' "$result")))
    failed=$((failed + $(grep -c '^failed$' "$result")))
    unreadable=$((unreadable + $(grep -c '^unreadable$' "$result")))
    grep -v -e '^passed$' -e '^failed$' -e '^unreadable$' "$result"
done
echo "($unreadable captures the CLI cannot read were left out)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
