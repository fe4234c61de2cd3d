#!/usr/bin/env bash
# -j N gives the report -j 1 gives, byte for byte, in every format (flow order included): on
# every capture in captures/, on generated captures (many flows, a scan and flood), on several
# captures read as one run, with a filter, a time window and site rules; or, when an outside
# folder is given, on every capture in it instead.
# usage: jobs.sh ODDPORT GENERATE_CAPTURE WRITE_LARGE_RECORDS_CAPTURE CAPTURES_DIR [CORPUS_DIR]
# JOBS_REFERENCE=ODDPORT makes the -j 1 reports with another build of the same source: under
# ThreadSanitizer a run with no helper thread costs as much as one with two and checks nothing.
# JOBS_FORMATS="text json" compares those formats alone: under ThreadSanitizer, the text report
# (flows written out by the delivering thread alone) and JSON (each flow's text prepared by its
# worker with a writer of its own, as NDJSON's is; CSV's is prepared with none) reach every
# hand-over between threads, in half the time of all four.
set -euo pipefail
oddport=$(realpath "$1") generate=$(realpath "$2") write_large_records=$(realpath "$3")
captures=$(realpath "$4") corpus=${5:-}
reference=$(realpath "${JOBS_REFERENCE:-$1}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

failures=0
runs=0
standard_input=/dev/null
piped_from= # when set, standard input is this file through a pipe instead
# run_report OUT PROGRAM JOBS FORMAT ODDPORT_ARGUMENTS...: the report in OUT, and after it the
# exit status, compared too (a capture that cannot be read gives 1 every time).
run_report() {
    local out=$1 program=$2 jobs=$3 format=$4
    shift 4
    local extra=() status=0
    [ "$format" = text ] && extra=(--all-flows)
    if [ -n "$piped_from" ]; then
        "$program" -q -j "$jobs" --format "$format" "${extra[@]}" -o "$out" "$@" \
            < <(cat "$piped_from") 2>"$out.err" || status=$?
    else
        "$program" -q -j "$jobs" --format "$format" "${extra[@]}" -o "$out" "$@" \
            <"$standard_input" 2>"$out.err" || status=$?
    fi
    echo "$status" >>"$out"
}

# check_same WHAT EXPECTED ACTUAL: counts, and shows the start of, a difference between reports.
check_same() {
    if ! cmp -s "$2" "$3"; then
        echo "$1:"
        diff "$2" "$3" | head -10 || true
        failures=$((failures + 1))
    fi
}

# same NAME ODDPORT_ARGUMENTS...: each format's report with -j 1, 2 and 3 is the same.
same() {
    local name=$1
    shift
    local format jobs
    for format in ${JOBS_FORMATS:-text json csv ndjson}; do
        run_report "$work/1.out" "$reference" 1 "$format" "$@"
        for jobs in 2 3; do
            run_report "$work/$jobs.out" "$oddport" "$jobs" "$format" "$@"
            check_same "$name ($format): -j $jobs differs from -j 1" "$work/1.out" "$work/$jobs.out"
        done
        runs=$((runs + 1))
    done
}

# same_whether_kept NAME ODDPORT_ARGUMENTS...: each format's report with -j 2 is the same whether
# the reading thread starts to run every worker's engine early in the run (as where it sets the
# pace) or never does. Each flow stays with its share's engine and bound either way, so that a
# run whose shares finish flows early under --max-flows, where -j 2 cannot match -j 1, still
# gives the same report every time it runs, whatever the timing.
same_whether_kept() {
    local name=$1
    shift
    local format
    for format in ${JOBS_FORMATS:-text json csv ndjson}; do
        ODDPORT_READ_AHEAD=never run_report "$work/shared.out" "$oddport" 2 "$format" "$@"
        ODDPORT_READ_AHEAD=as-if-reading-sets-pace \
            run_report "$work/kept.out" "$oddport" 2 "$format" "$@"
        check_same "$name ($format): -j 2 differs when the reading thread runs every flow" \
            "$work/shared.out" "$work/kept.out"
        runs=$((runs + 1))
    done
}

if [ -n "$corpus" ]; then
    # The folder only: test 'jobs' compares the rest in the same build.
    while IFS= read -r -d '' capture; do
        same "${capture#"$corpus"/}" "$capture"
    done < <(find "$corpus" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) -print0 | sort -z)
else
    for capture in "$captures"/*.pcap "$captures"/*.pcapng; do
        same "$(basename "$capture")" "$capture"
    done
    same "several captures as one run" "$captures/loopback.pcap" "$captures/udp.pcap" \
        "$captures/loopback-nanosecond.pcap" "$captures/midstream.pcap"
    same "a filter" -f "tcp port 443 or udp" "$captures/loopback.pcap" "$captures/udp.pcap"
    same "a time window" --since 2026-11-28T01:10:55Z --until 1795828256 "$captures/loopback.pcap"
    same "site rules" --services "$captures/site-services.example" "$captures/loopback.pcap"

    # Many flows over many sweeps of idle flows, closed connections reopened by a SYN, and a scan
    # and flood of one-packet flows (the workers' batches fill and go out many times).
    "$generate" --packets 120000 --flows 6000 --seed 5 "$work/generated.pcap" 2>/dev/null
    same "generated capture" "$work/generated.pcap"
    "$generate" --flood 60000 --seed 6 "$work/flood.pcap" 2>/dev/null
    same "generated flood" "$work/flood.pcap"
    # The flood ends with its flows open, which each worker finishes and hands over 4,096 at a
    # time: with three workers, each must have several such chunks, interleaved with the others'
    # by flow id, for the comparison above to test that.
    open_at_end=$("$reference" -q -j 1 --format ndjson "$work/flood.pcap" | grep -c '"open_at_end":true')
    if [ "$open_at_end" -lt $((3 * 3 * 4096)) ]; then
        echo "generated flood: only $open_at_end flows open at the end, fewer than 3 chunks a worker"
        failures=$((failures + 1))
    fi
    # Read, not mapped, the workers read payloads in the reader's windows, held until their
    # batches are back: decompressed, from standard input, and through a pipe, whose reads stop
    # short of the window's end.
    gzip -c "$work/generated.pcap" >"$work/generated.pcap.gz"
    same "compressed generated capture" "$work/generated.pcap.gz"
    standard_input=$work/generated.pcap
    same "from standard input" -
    standard_input=/dev/null
    piped_from=$work/generated.pcap
    same "through a pipe" -
    piped_from=
    # Records of 60,000 bytes, more than the 32 MiB of windows the workers may hold at once before
    # their payloads are copied instead: the same report either way.
    "$write_large_records" "$work/large-records.pcap"
    standard_input=$work/large-records.pcap
    same "records too large to hold" -
    # Files read ahead by a thread of the reader's, as oddport reads them on its own where the
    # reading thread sets the pace: the workers read payloads in windows that thread filled.
    export ODDPORT_READ_AHEAD=always
    same "records too large to hold, read ahead" -
    standard_input=$work/generated.pcap
    same "read ahead from standard input" -
    # Where the reading thread sets the pace and the file is read ahead, it keeps every flow with
    # -j 2: judged so here after 4,096 packets, when it starts to run the worker thread's flow
    # table mid-flow (a flood's thousands of flows, many still open at the end, which the worker
    # thread finishes). Standard input is
    # never mapped, so the file is read ahead on any machine; captures named in a run after the
    # first go on as they began, read ahead where they can be.
    export ODDPORT_READ_AHEAD=as-if-reading-sets-pace
    same "every flow kept by the reading thread" -
    standard_input=$work/flood.pcap
    same "every flow of a flood kept by the reading thread" -
    unset ODDPORT_READ_AHEAD
    # A bound on open flows that the flood reaches in both shares, before and after the reading
    # thread would begin to run every flow.
    if ! "$oddport" -q -j 2 --max-flows 2000 --format json - <"$work/flood.pcap" |
        grep -q '"evicted_flows":[1-9]'; then
        echo "generated flood: no flow finished early with --max-flows 2000"
        failures=$((failures + 1))
    fi
    same_whether_kept "a flood over --max-flows" --max-flows 2000 -
    # And many flows over idle sweeps and reopened connections, where most flows finished early
    # were still going on, and are started again in the table of their share.
    standard_input=$work/generated.pcap
    same_whether_kept "many flows over --max-flows" --max-flows 500 -
    # Every format finishes the same flows early: which flows share a worker's table, and so its
    # part of --max-flows, does not depend on the format (the text report counted fewer than
    # JSON once, when the shares did).
    early_text=$("$oddport" -j 2 --max-flows 500 - <"$work/generated.pcap" 2>/dev/null |
        grep -o '[0-9]* flows were finished early' | head -1 || true)
    early_json=$("$oddport" -q -j 2 --max-flows 500 --format json - <"$work/generated.pcap" |
        grep -o '"evicted_flows":[0-9]*' | cut -d: -f2)
    if [ "$early_text" != "$early_json flows were finished early" ] || [ "$early_json" = 0 ]; then
        echo "many flows over --max-flows: text says '$early_text', JSON $early_json finished early"
        failures=$((failures + 1))
    fi
    standard_input=$work/flood.pcap
    export ODDPORT_READ_AHEAD=as-if-reading-sets-pace
    standard_input=/dev/null
    if command -v editcap >/dev/null; then
        editcap -c 40000 "$work/generated.pcap" "$work/part.pcap" >/dev/null
        same "every flow kept, over parts of a capture" "$work"/part_*.pcap
    fi
    unset ODDPORT_READ_AHEAD
    standard_input=/dev/null
fi

echo "$runs comparisons of -j 1, 2 and 3, $failures different"
[ "$failures" -eq 0 ]
