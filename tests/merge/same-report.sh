#!/usr/bin/env bash
# Whether two JSON reports of one capture set say the same: one run over the whole set (WHOLE)
# and a merge of runs over its parts (MERGED). Usage: same-report.sh WHOLE MERGED
#
# Captures, totals, port classes and every flow (sorted by id, every member but open_at_end, which
# for a flow whose idle time ran out in the set's last second depends on when each run last looked
# for idle flows) must be equal. The flows a merged report names in its warning about flows cut
# by the end of a part, whose app may differ from one run's, are compared on everything but their
# verdict; unless each of them came out as in the single run all the same, the apps and services
# are then not compared (they follow from the verdicts), and otherwise they must be equal too.
# Prints what differs; exits 1 when anything does.
set -uo pipefail
whole=$1
merged=$2
marked=$(jq -c '[.warnings[] | select(test("^[0-9]+ flows cut by the end of a part"))
                 | capture("\\(ids (?<ids>[0-9, ]+)\\)").ids | split(", ")[] | tonumber]' "$merged")
verdict='(["app", "client_app", "server_app", "mismatch", "nonstandard", "severity",
          "expected_ports", "confidence", "evidence", "direction", "deciding_packet",
          "client_opening", "server_opening", "client_detection_done",
          "server_detection_done"] + [.apps | keys[] | select(. != "unknown")])'
normalise="
  $verdict as \$verdict
  | {captures, totals, port_classes,
     flows: (.flows | sort_by(.id) | map(del(.open_at_end) | if (.id | IN(\$marked[])) then
                                           with_entries(select(.key | IN(\$verdict[]) | not))
                                         else . end))}
    + (if (\$marked | length) == 0 then {apps, services} else {} end)"
# Where every marked flow came out as in the single run after all, nothing is set aside.
marked_verdicts="$verdict as \$verdict | [.flows[] | select(.id | IN(\$marked[]))] | sort_by(.id)
                 | map(with_entries(select(.key | IN(\$verdict[]))))"
if diff -q <(jq -S --argjson marked "$marked" "$marked_verdicts" "$whole") \
           <(jq -S --argjson marked "$marked" "$marked_verdicts" "$merged") >/dev/null; then
    marked='[]'
fi
status=0
if ! diff <(jq -S --argjson marked "$marked" "$normalise" "$whole") \
          <(jq -S --argjson marked "$marked" "$normalise" "$merged") >&2; then
    echo "the merged report differs from the single run's (above: < single run, > merged)" >&2
    status=1
fi
# Warnings other than the merge's own must be the single run's.
if ! diff <(jq -S '.warnings' "$whole") \
          <(jq -S '[.warnings[] | select(test("^[0-9]+ flows cut by the end of a part") | not)]' \
               "$merged") >&2; then
    echo "the warnings differ" >&2
    status=1
fi
exit $status
