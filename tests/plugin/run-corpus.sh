#!/usr/bin/env bash
# Runs the plugin checks over a folder of outside captures (-Dcorpus_dir): fields, decoding and
# other flows unchanged, each against the CLI's report of the same capture.
# usage: run-corpus.sh RUNNER TSHARK PLUGIN ODDPORT CHECKER FOLDER
set -uo pipefail
runner=$1 tshark=$2 plugin=$3 oddport=$4 checker=$5 folder=$6
passed=0 failed=0 unreadable=0
while IFS= read -r -d '' capture; do
    # A capture the CLI cannot read at all has no report to compare with; the golden corpus test
    # checks that the CLI says so clearly.
    if ! "$oddport" --format json -o /dev/null "$capture" 2>/dev/null; then
        unreadable=$((unreadable + 1))
        continue
    fi
    for mode in fields protocols-all unchanged; do
        if output=$(bash "$runner" "$mode" "$tshark" "$plugin" "$oddport" "$checker" "$capture" 2>&1) ||
            [ "$(printf '%s\n' "$output" | tail -n 1)" = "no packet was checked: the capture or the tshark output is not what was meant" ]; then
            passed=$((passed + 1))
        else
            failed=$((failed + 1))
            printf '%s %s:\n%s\n' "$mode" "$capture" "$(printf '%s\n' "$output" | grep -v '^note:' | head -n 10)"
        fi
    done
done < <(find "$folder" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) -print0 | sort -z)
echo "($unreadable captures the CLI cannot read were left out)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
