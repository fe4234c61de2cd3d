# The README's checked examples, read for readme.sh and readme-ndjson.sh (sourced by both).
# shellcheck shell=bash disable=SC2154 # check, work, passed and failed are the sourcing script's
#
# A checked block is a line starting with the marker ("<!-- checked-output" or
# "<!-- checked-ndjson"), then a fenced block of commands, each on a line starting "$ " and
# followed by the lines it prints. For each, the sourcing script's check function is called as
# `check COMMAND EXPECTED-FILE`, and it counts `passed` and `failed`; `work` is its scratch folder.

# run_checked_examples MARKER README: checks every example, then says how many passed.
run_checked_examples() {
    local marker=$1 readme=$2 state=outside command='' examples=0 line
    while IFS= read -r line; do
        case $state in
        outside)
            [[ $line == "$marker"* ]] && state=marked ;;
        marked)
            if [[ $line == '```'* ]]; then state=first; else state=outside; fi ;;
        first | output)
            if [[ $line == '```' || $line == '$ '* ]] && [ -n "$command" ]; then
                examples=$((examples + 1))
                check "$command" "$work/expected"
                command=
            fi
            if [[ $line == '```' ]]; then
                state=outside
            elif [[ $line == '$ '* ]]; then
                command=${line#\$ }
                : >"$work/expected"
                state=output
            elif [ "$state" = first ]; then
                echo "not ok - a checked block does not start with '\$ COMMAND': $line"
                failed=$((failed + 1))
                state=outside
            else
                printf '%s\n' "$line" >>"$work/expected"
            fi ;;
        esac
    done <"$readme"
    if [ "$examples" -eq 0 ]; then
        echo "not ok - README.md has no examples marked $marker"
        failed=$((failed + 1))
    fi
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}
