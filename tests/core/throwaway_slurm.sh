#!/bin/sh
# A throwaway Slurm cluster on this machine, for test_fleet_slurm (root only):
#   throwaway_slurm.sh start DIR NODES   munge key, slurm.conf, munged, slurmctld
#                                       and one slurmd per node name (n1..nNODES,
#                                       all on this host, each on its own port)
#   throwaway_slurm.sh stop DIR          cancels its jobs, stops every daemon it
#                                       started (by their pid files) and removes DIR
# Everything lives in DIR: clients find the cluster with SLURM_CONF=DIR/slurm.conf.
# Debian 12's slurm-wlm 22.05 runs several slurmd on one host with -N <node>
# when every NodeName has its own Port and the spool/pid/log paths carry %n.
set -u
cmd=${1:-}
dir=${2:-}
[ -n "$dir" ] || { echo "usage: $0 start DIR NODES | stop DIR" >&2; exit 2; }

stop() {
    export SLURM_CONF="$dir/slurm.conf"
    if [ -f "$SLURM_CONF" ] && [ -f "$dir/ctld.pid" ]; then
        # Jobs first, so no slurmstepd outlives its slurmd.
        jobs=$(timeout 10 squeue -h -o %i 2>/dev/null)
        [ -n "$jobs" ] && timeout 10 scancel --full $jobs 2>/dev/null
        i=0
        while [ $i -lt 50 ] && [ -n "$(timeout 5 squeue -h -o %i 2>/dev/null)" ]; do sleep 0.2; i=$((i + 1)); done
    fi
    for pidfile in "$dir"/d/*.pid "$dir/ctld.pid" "$dir/munge/munged.pid"; do
        [ -f "$pidfile" ] || continue
        pid=$(cat "$pidfile" 2>/dev/null)
        case "$pid" in '' | *[!0-9]*) continue ;; esac
        kill "$pid" 2>/dev/null || continue
        i=0
        while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
        kill -9 "$pid" 2>/dev/null
    done
    rm -rf "$dir"
}

if [ "$cmd" = stop ]; then
    stop
    exit 0
fi
[ "$cmd" = start ] || { echo "usage: $0 start DIR NODES | stop DIR" >&2; exit 2; }
nodes=${3:-3}
for p in munged slurmctld slurmd sinfo; do
    command -v $p >/dev/null || { echo "$p is not installed: run packaging/install-deps.sh" >&2; exit 1; }
done

# Ports nobody listens on (another cluster may be running its tests here too).
free() { ! (ss -Hltn 2>/dev/null | awk '{print $4}' | grep -q ":$1\$"); }
base=$((20000 + $$ % 20000))
while ! free $base || ! free $((base + nodes)); do base=$((base + nodes + 3)); done

mkdir -p "$dir/ctld" "$dir/d" "$dir/munge" || exit 1
chmod 700 "$dir/munge"
dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 2>/dev/null
chmod 400 "$dir/munge/munge.key"
host=$(hostname -s)
{
    echo "ClusterName=aiotune$$"
    echo "SlurmctldHost=$host(127.0.0.1)"
    echo "SlurmctldPort=$base"
    echo "AuthType=auth/munge"
    echo "AuthInfo=socket=$dir/munge/munge.sock"
    echo "CredType=cred/munge"
    echo "SlurmUser=root"
    echo "SlurmdUser=root"
    echo "StateSaveLocation=$dir/ctld"
    echo "SlurmdSpoolDir=$dir/d/%n"
    echo "SlurmctldPidFile=$dir/ctld.pid"
    echo "SlurmdPidFile=$dir/d/%n.pid"
    echo "SlurmctldLogFile=$dir/ctld.log"
    echo "SlurmdLogFile=$dir/d/%n.log"
    # No cgroups (containers, CI): process groups track the tasks.
    echo "ProctrackType=proctrack/pgid"
    echo "TaskPlugin=task/none"
    echo "SelectType=select/linear"
    echo "SchedulerType=sched/builtin"
    echo "ReturnToService=2"
    echo "MpiDefault=none"
    echo "JobAcctGatherType=jobacct_gather/none"
    echo "AccountingStorageType=accounting_storage/none"
    echo "SwitchType=switch/none"
    echo "KillWait=10"
    i=1
    while [ $i -le "$nodes" ]; do
        echo "NodeName=n$i NodeHostname=$host NodeAddr=127.0.0.1 Port=$((base + i)) CPUs=1 State=UNKNOWN"
        i=$((i + 1))
    done
    echo "PartitionName=test Nodes=n[1-$nodes] Default=YES MaxTime=INFINITE State=UP"
} > "$dir/slurm.conf"
export SLURM_CONF="$dir/slurm.conf"

fail() {
    echo "throwaway_slurm: $1" >&2
    for f in "$dir/munge/munged.log" "$dir/ctld.log" "$dir"/d/*.log; do
        [ -f "$f" ] && { echo "--- $f" >&2; tail -n 15 "$f" >&2; }
    done
    stop
    exit 1
}

munged --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.sock" --pid-file="$dir/munge/munged.pid" \
    --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/munged.seed" --force || fail "munged did not start"
slurmctld -f "$SLURM_CONF" || fail "slurmctld did not start"
i=1
while [ $i -le "$nodes" ]; do
    slurmd -f "$SLURM_CONF" -N "n$i" || fail "slurmd for n$i did not start"
    i=$((i + 1))
done
# Up when every node is idle.
i=0
while [ $i -lt 150 ]; do
    idle=$(timeout 5 sinfo -h -t idle -o %D 2>/dev/null | awk '{s += $1} END {print s + 0}')
    [ "$idle" = "$nodes" ] && exit 0
    sleep 0.2
    i=$((i + 1))
done
fail "the nodes did not come up within 30 s: $(sinfo 2>&1)"
