#!/usr/bin/env bash
# run-in-chroot.sh refuses what its usage does not allow before it touches anything: no network
# or chroot is needed to check that.
# usage: chroot-usage.sh RUN-IN-CHROOT
set -uo pipefail
# Run as an unprivileged user from a copy anyone can read: should a refusal ever go missing, the
# script then stops at its check for root (without a usage line, so the test fails) rather than
# make a chroot.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
script=$work/run-in-chroot.sh
cp "$1" "$script"
chmod -R a+rX "$work"
runner=()
if [ "$(id -u)" -eq 0 ]; then
    runner=(setpriv --reuid=65534 --regid=65534 --clear-groups)
fi
passed=0 failed=0
refused() { # DESCRIPTION ARGUMENTS...: the script exits 2 with its usage on standard error
    local description=$1 output status
    shift
    output=$(cd "$work" && "${runner[@]}" bash "$script" "$@" 2>&1 >/dev/null)
    status=$?
    if [ "$status" -eq 2 ] && grep -q '^usage: ' <<<"$output"; then
        echo "ok - $description"
        passed=$((passed + 1))
    else
        echo "not ok - $description (exit $status): $output"
        failed=$((failed + 1))
    fi
}
refused "--prepare with --test-targets-only is refused" --prepare --test-targets-only noble
refused "--test-targets-only with --prepare is refused" --test-targets-only --prepare noble
refused "no release is refused" --prepare
refused "an unknown option in the release's place is refused" --no-such-option
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
