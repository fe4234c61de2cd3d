#!/usr/bin/env bash
# Robustness: every capture in the given folders gives a valid report, or one clear error line
# and a report that names the error; never a crash (run under the sanitizers in CI). Folders
# that do not exist are skipped.
set -u
oddport=$1 validate=$2
shift 2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0
for folder in "$@"; do
    [ -d "$folder" ] || { echo "# skipping $folder: not present"; continue; }
    while IFS= read -r capture; do
        "$oddport" --format json -o "$work/report.json" "$capture" 2>"$work/err"
        status=$?
        verdict=ok
        if [ "$status" -eq 0 ]; then
            "$validate" "$work/report.json" 2>>"$work/err" || verdict="invalid report"
            "$oddport" "$capture" >/dev/null 2>>"$work/err" || verdict="text report failed"
            # The page holds printable ASCII only, whatever bytes the capture carries.
            "$oddport" --format html -o "$work/report.html" "$capture" 2>>"$work/err" ||
                verdict="HTML report failed"
            if LC_ALL=C grep -aqP '[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\xff]' "$work/report.html"; then
                verdict="the HTML report holds raw control or non-ASCII bytes"
            fi
        elif [ "$status" -eq 1 ]; then
            [ "$(grep -c . "$work/err")" -ge 1 ] || verdict="exit 1 without a message"
            # The report still lists the capture, with the reason it was not read.
            "$validate" "$work/report.json" 2>>"$work/err" || verdict="invalid report"
            grep -q '"error":"' "$work/report.json" || verdict="the report does not list the error"
        else
            verdict="exit status $status"
        fi
        if [ "$verdict" = ok ]; then
            passed=$((passed + 1))
            echo "ok - $(basename "$capture") (exit $status)"
        else
            failed=$((failed + 1))
            echo "not ok - $(basename "$capture"): $verdict"
            sed 's/^/    /' "$work/err"
        fi
    done < <(find "$folder" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) | sort)
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
