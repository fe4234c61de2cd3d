# Stopping the daemons a test started as its own children: sourced, not run.

# stop_processes PID...: asks each to end, then waits for every one, so that none outlives the
# test and no folder it uses is removed from under it.
stop_processes() {
    local pid
    for pid in "$@"; do
        kill "$pid" 2>/dev/null
    done
    for pid in "$@"; do
        wait "$pid" 2>/dev/null
    done
}
