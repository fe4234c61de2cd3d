#!/usr/bin/env bash
# With -j 2, the worker and delivering threads run as batch threads (SCHED_BATCH) and the reading
# thread as it was started: woken by each batch, the helpers must not push aside the thread they
# all wait on. Read from /proc while oddport waits on a pipe holding the first packets, so that
# every thread is alive however fast the machine. Linux only.
#
# usage: thread-policy.sh ODDPORT GENERATE_CAPTURE
set -u
oddport=$1
generate_capture=$2
work=$(mktemp -d)
writer_pid=
oddport_pid=
cleanup() {
    [ -n "$oddport_pid" ] && kill "$oddport_pid" 2>/dev/null
    [ -n "$writer_pid" ] && kill "$writer_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
# shellcheck source=checks.sh
source "$(dirname "${BASH_SOURCE[0]}")/checks.sh"

if [ "$(uname -s)" != Linux ] || [ ! -r /proc/self/stat ]; then
    echo "ok - skipped: thread policies are read from Linux's /proc"
    exit 77
fi

SCHED_OTHER=0
SCHED_BATCH=3

"$generate_capture" --packets 2000 --flows 100 --seed 3 "$work/capture.pcap" 2>/dev/null
mkfifo "$work/pipe"
# The first 64 KiB, then the pipe stays open: oddport has read packets, started its threads and
# waits for more.
{
    head -c 65536 "$work/capture.pcap"
    exec sleep 60
} >"$work/pipe" &
writer_pid=$!
"$oddport" -q -j 2 -o "$work/report.txt" - <"$work/pipe" &
oddport_pid=$!

# The scheduling policy in a stat file: field 41, counted after the name in parentheses.
policy_in() {
    sed 's/^.*) //' "$1" | awk '{print $39}'
}

# The policy of oddport's thread named $1; nothing while there is no such thread.
policy_of() {
    local task
    for task in /proc/"$oddport_pid"/task/*; do
        if [ "$(cat "$task/comm" 2>/dev/null)" = "$1" ]; then
            policy_in "$task/stat"
            return
        fi
    done
}

for _ in $(seq 100); do
    [ -n "$(policy_of oddport-work-2)" ] && [ -n "$(policy_of oddport-deliver)" ] && break
    sleep 0.1
done
reading=$(policy_in /proc/"$oddport_pid"/stat)
worker=$(policy_of oddport-work-2)
delivering=$(policy_of oddport-deliver)

check "the worker thread runs as a batch thread (policy $worker)" [ "$worker" = $SCHED_BATCH ]
check "the delivering thread runs as a batch thread (policy $delivering)" \
    [ "$delivering" = $SCHED_BATCH ]
check "the reading thread keeps the usual policy (policy $reading)" [ "$reading" = $SCHED_OTHER ]

kill "$writer_pid" 2>/dev/null
wait "$writer_pid" 2>/dev/null
writer_pid=
wait "$oddport_pid"
status=$?
oddport_pid=
check "the run ends when the pipe closes (exit $status)" [ "$status" -eq 0 ]
finish_checks
