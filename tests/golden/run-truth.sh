#!/usr/bin/env bash
# Runs oddport on a recorded capture and checks every flow against the capture's ground truth.
set -eu
oddport=$1 check_truth=$2 capture=$3 truth=$4
report=$(mktemp)
trap 'rm -f "$report"' EXIT
"$oddport" --format json -o "$report" "$capture"
"$check_truth" "$truth" "$report"
