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

# shellcheck source=tests/golden/readme-examples.sh
source "$(dirname "$0")/readme-examples.sh"
run_checked_examples "<!-- checked-output" "$root/README.md"
