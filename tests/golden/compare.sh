#!/usr/bin/env bash
# Golden test: runs oddport in the captures folder and compares its report with the expected one.
# Set ODDPORT_UPDATE_GOLDEN=1 to rewrite the expected file after a deliberate change.
set -euo pipefail
oddport=$(realpath "$1") captures=$2 expected=$3
shift 3
actual=$(mktemp)
trap 'rm -f "$actual"' EXIT
# Relative capture paths keep the reports free of this checkout's location; the version string
# is masked so a release does not rewrite every expected file.
(cd "$captures" && "$oddport" "$@") |
    sed -E -e 's/"oddport":"[^"]*"/"oddport":"VERSION"/' \
        -e 's/(content="oddport |<span class="version">)[^"<]*/\1VERSION/' >"$actual"
if [ "${ODDPORT_UPDATE_GOLDEN:-0}" = 1 ]; then
    cp "$actual" "$expected" && chmod 644 "$expected"
    echo "updated $expected"
    exit 0
fi
diff -u "$expected" "$actual"
