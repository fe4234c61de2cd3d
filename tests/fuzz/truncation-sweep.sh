#!/usr/bin/env bash
# Truncation sample: oddport on a capture cut short at a sample of byte offsets must end every
# run with a valid JSON report (exit 0) or a clear error (exit 1): never a signal, never a usage
# error (2), never a hang.
#
# usage: truncation-sweep.sh ODDPORT VALIDATE_REPORT CAPTURE
# Where it cuts: every offset in the first SWEEP_HEAD bytes (file header, interface blocks, the
# first records' headers), every SWEEP_STRIDE bytes after, and every offset in the last
# SWEEP_TAIL bytes (the last records and trailing blocks). The defaults make about 260 cuts of a
# 100 KiB capture, for the default suite. Suite 'slow' sweeps densely in one process, through the
# engine's fuzz target (tests/fuzz/meson.build); SWEEP_HEAD=256 SWEEP_STRIDE=97 SWEEP_TAIL=128
# makes that sweep's 1,500 cuts here, each a run of the command, by hand.
set -u
oddport=$1 validate=$2 capture=$3
head_bytes=${SWEEP_HEAD:-128}
stride=${SWEEP_STRIDE:-1499}
tail_bytes=${SWEEP_TAIL:-64}
workers=$(nproc 2>/dev/null || echo 2)
[ "$workers" -gt 4 ] && workers=4

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/reports"
size=$(stat -c %s "$capture")
# Leak checks cost more than a whole run here; the fuzz-engine target checks the same truncated
# paths for leaks. Every other sanitizer check stays on.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"

# The offsets, in order, without repeats (the three ranges overlap on small files).
awk -v size="$size" -v head="$head_bytes" -v stride="$stride" -v tail="$tail_bytes" 'BEGIN {
    for (n = 0; n < size; n++) {
        if (n < head || n >= size - tail || (n - head) % stride == 0)
            print n
    }
}' >"$work/offsets"

# One worker: every `workers`-th offset, starting at its own. Reports are kept for validation
# after the runs, named by offset.
sweep() {
    local worker=$1 cut="$work/cut.$1" errors="$work/err.$1"
    local passed=0 failed=0 index=0 offset status report verdict
    while read -r offset; do
        index=$((index + 1))
        [ $(((index - 1) % workers)) -eq "$worker" ] || continue
        head -c "$offset" "$capture" >"$cut"
        report="$work/reports/$offset.json"
        # Every fifth cut comes through a pipe, which the reader takes without mapping the file.
        if [ $((index % 5)) -eq 0 ]; then
            timeout 10 "$oddport" --format json -o "$report" - <"$cut" 2>"$errors"
        else
            timeout 10 "$oddport" --format json -o "$report" "$cut" 2>"$errors"
        fi
        status=$?
        verdict=ok
        if [ "$status" -eq 0 ]; then
            [ -e "$report" ] || verdict="exit 0 without a report"
        elif [ "$status" -eq 1 ]; then
            grep -q . "$errors" || verdict="exit 1 without a message"
        elif [ "$status" -eq 124 ]; then
            verdict="no answer within 10 s"
        elif [ "$status" -gt 128 ]; then
            verdict="killed by signal $((status - 128))"
        else
            verdict="exit status $status"
        fi
        [ "$status" -eq 0 ] || rm -f "$report"
        if [ "$verdict" = ok ]; then
            passed=$((passed + 1))
        else
            failed=$((failed + 1))
            {
                echo "not ok - $(basename "$capture") cut at byte $offset: $verdict" \
                    "(reproduce: head -c $offset $capture > cut)"
                head -n 20 "$errors" | sed 's/^/    /'
            } >>"$work/failures"
        fi
    done <"$work/offsets"
    echo "$passed $failed" >"$work/tally.$worker"
}

for ((worker = 0; worker < workers; worker++)); do
    sweep "$worker" &
done
wait

passed=0
failed=0
for ((worker = 0; worker < workers; worker++)); do
    read -r worker_passed worker_failed <"$work/tally.$worker"
    passed=$((passed + worker_passed))
    failed=$((failed + worker_failed))
done

# Validating a report costs as much as making it, and most cuts differ from another only in
# counts and times: validate one report of each shape (every number written as 0). An empty
# report has no lines to compare, so each is validated on its own (and fails).
find "$work/reports" -type f -empty >"$work/to-validate"
find "$work/reports" -type f -name '*.json' -print0 | sort -z | xargs -0 -r awk '
    function finish() { if (!(key in seen)) { seen[key] = 1; print file } }
    FNR == 1 { if (file != "") finish(); file = FILENAME; key = "" }
    { line = $0; gsub(/[0-9]+/, "0", line); key = key "\n" line }
    END { if (file != "") finish() }' >>"$work/to-validate"
while read -r report; do
    if ! "$validate" "$report" >"$work/validate-errors" 2>&1; then
        offset=$(basename "$report" .json)
        passed=$((passed - 1))
        failed=$((failed + 1))
        {
            echo "not ok - $(basename "$capture") cut at byte $offset: invalid JSON report" \
                "(reproduce: head -c $offset $capture > cut)"
            head -n 20 "$work/validate-errors" | sed 's/^/    /'
        } >>"$work/failures"
    fi
done <"$work/to-validate"

[ -e "$work/failures" ] && cat "$work/failures"
echo "# $(basename "$capture"): $size bytes, $(wc -l <"$work/offsets") cuts," \
    "$(wc -l <"$work/to-validate") reports of distinct shape validated"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
