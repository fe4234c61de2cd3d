# Counting checks for the golden shell tests: sourced, not run. Each check prints one TAP-style
# line; `finish_checks` prints the tally and fails the test when any check failed.
passed=0
failed=0

check() { # DESCRIPTION COMMAND...: passes when the command succeeds
    local description=$1
    shift
    if "$@"; then
        passed=$((passed + 1))
        echo "ok - $description"
    else
        failed=$((failed + 1))
        echo "not ok - $description"
        if [ -n "${check_stderr:-}" ] && [ -s "$check_stderr" ]; then
            sed 's/^/    stderr: /' "$check_stderr"
        fi
    fi
}

all_of() { # CONDITION...: each argument a shell condition; all must hold
    local condition
    for condition in "$@"; do
        eval "$condition" || return 1
    done
}

finish_checks() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}
