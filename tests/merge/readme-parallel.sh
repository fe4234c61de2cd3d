#!/usr/bin/env bash
# The README's GNU parallel recipe, run exactly as written, gives the report of one oddport run
# over the same capture set.
# Usage: readme-parallel.sh ODDPORT SOURCE-ROOT
#
# The recipe is the fenced block after the line "<!-- checked-parallel -->" in README.md. It runs
# in bash in a folder holding `rotated/`, the loopback capture cut every 60 packets with editcap
# as a set of rotated files, with `oddport` on the PATH standing for the oddport under test; it
# must succeed and leave report.json.
set -uo pipefail
oddport=$(realpath "$1")
root=$(realpath "$2")
here=$(dirname "$(realpath "$0")")
for tool in parallel editcap jq; do
    if ! command -v "$tool" >/dev/null; then
        echo "$tool is not installed: cannot run the README's GNU parallel recipe (apt-get install parallel tshark jq)"
        exit 77
    fi
done
recipe=$(awk '/^<!-- checked-parallel -->$/ { marked = 1; next }
              marked && /^```/ { if (inside) exit; inside = 1; next }
              inside { print }' "$root/README.md")
if [[ -z $recipe ]]; then
    echo "not ok - README.md has no block after <!-- checked-parallel -->"
    exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/bin" "$work/run" "$work/run/rotated"
ln -s "$oddport" "$work/bin/oddport"
export PATH="$work/bin:$PATH"
cd "$work/run" || exit 1
editcap -c 60 "$root/captures/loopback.pcap" rotated/loopback.pcap || exit 1
oddport -q --format json -o "$work/whole.json" rotated/*.pcap || exit 1
if ! bash -euo pipefail -c "$recipe"; then
    echo "not ok - the recipe failed:"
    echo "$recipe" | sed 's/^/    /'
    exit 1
fi
if [[ ! -s report.json ]]; then
    echo "not ok - the recipe left no report.json"
    exit 1
fi
parts=$(ls rotated | wc -l)
if "$here/same-report.sh" "$work/whole.json" report.json; then
    echo "ok - the README's GNU parallel recipe over $parts rotated files gives one run's report"
else
    echo "not ok - the README's GNU parallel recipe differs from one run over the $parts files"
    exit 1
fi
