#!/usr/bin/env bash
# The README's Slurm recipe, run on a one-node cluster of its own, gives one oddport run's report.
# Usage: readme-slurm.sh ODDPORT SOURCE-ROOT
#
# The recipe is the two fenced blocks after the line "<!-- checked-slurm -->" in README.md: the
# array's job script, saved as parts.sh, and the commands that submit it and the merge. They run
# as written but for the folder /shared/incident, which becomes a temporary folder holding
# `rotated/`, the loopback capture cut every 60 packets with editcap as a set of rotated files,
# with `oddport` on the PATH standing for the oddport under test. Every job must complete and the
# merge must leave report.json there.
#
# The cluster is private to the test: a munged with its own key and socket, and a slurmctld and
# a slurmd on ports free at the time, with their configuration, state, spool, logs and pid files
# in the temporary folder. No cgroups: processes are tracked through /proc. The daemons run in
# the foreground as children of this script, which stops them and removes the folder however it
# ends. slurmd starts jobs as their owner, so this needs root.
set -uo pipefail
oddport=$(realpath "$1")
root=$(realpath "$2")
here=$(dirname "$(realpath "$0")")
for tool in slurmctld slurmd sbatch squeue sinfo scontrol scancel munged editcap jq; do
    if ! command -v "$tool" >/dev/null; then
        echo "$tool is not on the PATH: cannot run the README's Slurm recipe" \
            "(apt-get install --no-install-recommends slurm-wlm munge tshark jq)"
        exit 77
    fi
done
if [[ $(id -u) != 0 ]]; then
    echo "not root: slurmd cannot start jobs, so the README's Slurm recipe cannot run here"
    exit 77
fi
shared=/shared/incident
blocks=$(awk '/^<!-- checked-slurm -->$/ { marked = 1; next }
              marked && /^```/ { if (inside) { inside = 0; if (++done == 2) exit; print "\f"; next }
                                 inside = 1; next }
              inside { print }' "$root/README.md")
job_script=${blocks%%$'\f'*}
submission=${blocks#*$'\f'}
if [[ $blocks != *$'\f'* || -z $job_script || -z ${submission//[$'\n']/} ]]; then
    echo "not ok - README.md has no job script and submission after <!-- checked-slurm -->"
    exit 1
fi
if [[ $submission != *"$shared"* ]]; then
    echo "not ok - the recipe's submission no longer names $shared, which the test replaces"
    exit 1
fi

work=$(mktemp -d)
daemons=()
# shellcheck source=daemons.sh
source "$here/daemons.sh"
cleanup() {
    if [[ ${#daemons[@]} -gt 0 ]]; then
        # Jobs still running when the test gives up end before their slurmd does.
        if [[ -n $(squeue -h -o %A 2>/dev/null) ]]; then
            scancel --quiet --user=root
            for _ in $(seq 20); do
                [[ -z $(squeue -h -o %A 2>/dev/null) ]] && break
                sleep 0.5
            done
        fi
        stop_processes "${daemons[@]}"
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
# munged wants every folder on the way to its socket searchable by all, and its key private.
chmod 755 "$work"
mkdir "$work/bin" "$work/munge" "$work/state" "$work/spool" "$work/incident" \
    "$work/incident/rotated"
ln -s "$oddport" "$work/bin/oddport"
export PATH="$work/bin:$PATH"

# Ports below Linux's ephemeral range that no socket uses now, one for each daemon.
used_ports=$(ss -Htan 2>/dev/null | awk '{ sub(/.*:/, "", $4); print $4 }')
pick_free_port() {
    local variable=$1 port
    for _ in $(seq 200); do
        port=$((20000 + RANDOM % 12000))
        if ! grep -qx "$port" <<<"$used_ports"; then
            used_ports+=$'\n'$port
            printf -v "$variable" %s "$port"
            return 0
        fi
    done
    return 1
}
controller_port= node_port=
if ! pick_free_port controller_port || ! pick_free_port node_port; then
    echo "not ok - no free port found for slurmctld and slurmd"
    exit 1
fi

# Before any daemon starts: cleaning up after an interruption then asks this cluster, never
# the machine's own, which jobs to cancel.
export SLURM_CONF="$work/slurm.conf"
head -c 1024 /dev/urandom >"$work/munge/munge.key"
chmod 400 "$work/munge/munge.key"
munged --foreground --key-file="$work/munge/munge.key" --socket="$work/munge/socket" \
    --pid-file="$work/munge/munged.pid" --log-file="$work/munge/munged.log" \
    --seed-file="$work/munge/seed" >"$work/munge/stdout.log" 2>&1 &
daemons+=("$!")

host=$(hostname -s)
# The node's memory as slurmd measures it, so that the recipe's --mem can be met.
memory=$(slurmd -C | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p')
cat >"$SLURM_CONF" <<EOF
ClusterName=oddport-test
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmctldPort=$controller_port
SlurmdPort=$node_port
AuthType=auth/munge
AuthInfo=socket=$work/munge/socket
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MailProg=/bin/true
# A task per CPU at once, not a job per node; each next one as soon as a CPU is free, not up to
# 3 s later.
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerParameters=batch_sched_delay=0
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=${memory:-1} State=UNKNOWN
PartitionName=incident Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF

show_logs() {
    local log
    for log in "$work/munge/munged.log" "$work/slurmctld.log" "$work/slurmd.log" \
        "$work"/incident/slurm-*.out; do
        [[ -s $log ]] || continue
        echo "--- ${log#"$work/"}"
        tail -n 30 "$log"
    done
}

# Until munged answers, slurmctld cannot authenticate anything.
for _ in $(seq 50); do
    [[ -S $work/munge/socket ]] && break
    sleep 0.1
done
slurmctld -D >"$work/slurmctld.stdout" 2>&1 &
daemons+=("$!")
slurmd -D >"$work/slurmd.stdout" 2>&1 &
daemons+=("$!")
state=
for _ in $(seq 150); do
    state=$(sinfo -h -n "$host" -o %T 2>/dev/null)
    [[ $state == idle ]] && break
    sleep 0.2
done
if [[ $state != idle ]]; then
    echo "not ok - the one-node Slurm cluster did not come up (node state: ${state:-none})"
    show_logs
    exit 1
fi

cd "$work/incident" || exit 1
editcap -c 60 "$root/captures/loopback.pcap" rotated/loopback.pcap || exit 1
oddport -q --format json -o "$work/whole.json" rotated/*.pcap || exit 1
printf '%s\n' "$job_script" >parts.sh
if ! bash -euo pipefail -c "${submission//"$shared"/"$work/incident"}"; then
    echo "not ok - the recipe's submission failed:"
    echo "$submission" | sed 's/^/    /'
    show_logs
    exit 1
fi

# Every job leaves the queue when it ends, the merge included, or when it is cancelled.
deadline=$((SECONDS + 90))
while [[ -n $(squeue -h -o %A) ]]; do
    if ((SECONDS > deadline)); then
        echo "not ok - the recipe's jobs were still queued after 90 s:"
        squeue
        show_logs
        exit 1
    fi
    sleep 0.5
done
jobs=$(scontrol show job --oneliner)
unfinished=$(grep -v ' JobState=COMPLETED ' <<<"$jobs")
if [[ -z $jobs || -n $unfinished ]]; then
    echo "not ok - not every job of the recipe completed:"
    awk '{ line = ""
           for (field = 1; field <= NF; field++)
               if ($field ~ /^(JobId|ArrayTaskId|JobName|JobState|Reason|ExitCode)=/)
                   line = line " " $field
           print "   " line }' <<<"${unfinished:-no jobs at all}"
    show_logs
    exit 1
fi
if [[ ! -s report.json ]]; then
    echo "not ok - the recipe left no report.json"
    show_logs
    exit 1
fi
parts=$(ls rotated | wc -l)
job_count=$(wc -l <<<"$jobs")
if "$here/same-report.sh" "$work/whole.json" report.json; then
    echo "ok - the README's Slurm recipe, $job_count jobs over $parts rotated files," \
        "gives one run's report"
else
    echo "not ok - the README's Slurm recipe differs from one run over the $parts files"
    exit 1
fi
