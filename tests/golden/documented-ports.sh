#!/usr/bin/env bash
# The ports whose services are only an alternate, as `oddport --help` lists them from the
# protocols' own tables, are the ports the man page's and the README's descriptions of the
# severities name: a port added to a table and not to the documents fails here.
# Usage: documented-ports.sh ODDPORT SOURCE-ROOT
set -uo pipefail
oddport=$1
root=$2
passed=0
failed=0
# The help's sentence on alternates, joined into one line.
alternates=$("$oddport" --help | tr '\n' ' ' | grep -o 'alternate (a customary alternate: [^)]*)')
if [[ -z $alternates ]]; then
    echo "not ok - --help describes the alternate ports"
    exit 1
fi
# The man page's SEVERITIES paragraph and the README's Severity bullet, each as one line.
declare -A documents
documents[man]=$(sed -n '/^for a customary alternate/,/anywhere else/p' "$root/src/cli/oddport.1" |
    tr '\n' ' ')
documents[readme]=$(sed -n '/^- \*\*Severity\*\* of a nonstandard flow/,/^$/p' "$root/README.md" |
    tr '\n' ' ')
for port in $(grep -oE '[0-9]+' <<<"${alternates#*alternate: }" | sort -un); do
    for document in man readme; do
        if grep -qE "(^|[^0-9])$port([^0-9]|$)" <<<"${documents[$document]}"; then
            passed=$((passed + 1))
        else
            echo "not ok - the $document's severities do not name port $port, an alternate in --help"
            failed=$((failed + 1))
        fi
    done
done
echo "ok - $passed mentions of the alternate ports found"
[[ $failed == 0 && $passed -gt 20 ]]
