#!/usr/bin/env bash
# The README shows real output: runs each command it marks as checked and compares what it prints.
# Usage: readme.sh ODDPORT SOURCE-ROOT
#
# A checked example in README.md is a line starting "<!-- checked-output", then a fenced block
# whose first line is "$ COMMAND" and whose other lines are what COMMAND prints. The command runs
# in bash from the source root, with "./build/src/cli/oddport" standing for the oddport under
# test, whatever its build folder.
set -uo pipefail
oddport=$(realpath "$1")
root=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0

check() { # check COMMAND EXPECTED-FILE
    local command=${1//.\/build\/src\/cli\/oddport/$oddport}
    (cd "$root" && bash -c "$command") >"$work/actual" 2>"$work/stderr"
    if diff -u "$2" "$work/actual" >"$work/diff"; then
        passed=$((passed + 1))
        echo "ok - $1"
    else
        failed=$((failed + 1))
        echo "not ok - $1"
        sed 's/^/    /' "$work/diff" "$work/stderr"
    fi
}

state=outside
command=
examples=0
while IFS= read -r line; do
    case $state in
    outside)
        [[ $line == "<!-- checked-output"* ]] && state=marked ;;
    marked)
        if [[ $line == '```'* ]]; then state=command; else state=outside; fi ;;
    command)
        if [[ $line == '$ '* ]]; then
            command=${line#\$ }
            : >"$work/expected"
            state=output
        else
            echo "not ok - a checked block does not start with '\$ COMMAND': $line"
            failed=$((failed + 1))
            state=outside
        fi ;;
    output)
        if [[ $line == '```' ]]; then
            examples=$((examples + 1))
            check "$command" "$work/expected"
            state=outside
        else
            printf '%s\n' "$line" >>"$work/expected"
        fi ;;
    esac
done <"$root/README.md"

if [ "$examples" -eq 0 ]; then
    echo "not ok - README.md has no checked examples"
    failed=$((failed + 1))
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
