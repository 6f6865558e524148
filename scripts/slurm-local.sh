#!/usr/bin/env bash
# A one-node Slurm cluster on this Debian machine, for Perfloop's cluster tests and for trying
# `perfloop run --executor slurm` without a real cluster (docs/cluster.md).
#
#   scripts/slurm-local.sh up       install slurm-wlm + munge if missing, write the config, start munged,
#                                   slurmctld and slurmd, wait until the node is idle (safe to run again:
#                                   it starts only what is not running)
#   scripts/slurm-local.sh down     stop the three daemons; nothing of the cluster keeps running
#   scripts/slurm-local.sh status   what runs, and sinfo
#
# Needs root. No systemd: the daemons are started directly, each with a pid file under $STATE.
# The node is this machine (hostname -s), with the CPUs and memory `slurmd -C` finds, in one partition
# "local". Jobs run as the user who submits them. Environment:
#   SLURM_LOCAL_STATE   state, logs and pid files (default /var/spool/slurm-local)
#   SLURM_LOCAL_WAIT    seconds to wait for the node to be idle (default 60)
set -euo pipefail

STATE=${SLURM_LOCAL_STATE:-/var/spool/slurm-local}
WAIT_SECONDS=${SLURM_LOCAL_WAIT:-60}
CONF_DIR=/etc/slurm
CONF=$CONF_DIR/slurm.conf
MARKER="# written by perfloop scripts/slurm-local.sh"
MUNGE_SOCKET_DIR=/run/munge

say() { printf 'slurm-local: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

need_root() { [ "$(id -u)" -eq 0 ] || die "must run as root (it installs packages and starts system daemons)"; }

install_packages() {
    if command -v slurmctld >/dev/null && command -v slurmd >/dev/null && command -v munged >/dev/null && command -v sbatch >/dev/null; then
        return
    fi
    say "installing slurm-wlm and munge"
    export DEBIAN_FRONTEND=noninteractive
    # A fresh machine may have no package lists yet; update only when the first try fails.
    apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null \
        || { apt-get update -qq && apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null; }
}

# Whether process $1 runs. A zombie does not: kill -0 succeeds on one, and a daemon killed under a parent that never
# reaps it (a child subreaper such as Perfloop's test host, or a container's init) stays a zombie indefinitely.
alive() {
    local state
    state=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2>/dev/null) || return 1
    [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

# The pid in $1 if that process is alive, else nothing.
live_pid() {
    local file=$1 pid
    [ -s "$file" ] || return 1
    pid=$(cat "$file")
    [ -n "$pid" ] && alive "$pid" && echo "$pid"
}

write_munge_key() {
    install -d -o munge -g munge -m 0700 /etc/munge
    if [ ! -s /etc/munge/munge.key ]; then
        say "creating /etc/munge/munge.key"
        if command -v mungekey >/dev/null; then
            mungekey --create --keyfile=/etc/munge/munge.key
        else
            dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none
        fi
    fi
    chown munge:munge /etc/munge/munge.key
    chmod 0400 /etc/munge/munge.key
}

write_config() {
    if [ -e "$CONF" ] && ! grep -qF "$MARKER" "$CONF"; then
        die "$CONF exists and was not written by this script; it belongs to a real cluster, so it is left alone (move it away to use the local cluster)"
    fi
    local host node_line
    host=$(hostname -s)
    # slurmd -C prints this machine's real layout (CPUs, sockets, cores, threads, memory) as a NodeName line.
    node_line=$(slurmd -C | head -n 1)
    case "$node_line" in
        NodeName=*) ;;
        *) die "slurmd -C did not describe this node (got: $node_line)" ;;
    esac
    install -d -m 0755 "$CONF_DIR" "$STATE" "$STATE/ctld" "$STATE/d" "$STATE/log"
    local tmp=$CONF.tmp.$$
    cat >"$tmp" <<EOF
$MARKER; rewritten by every 'up'
ClusterName=perfloop-local
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
# No systemd and no usable cgroups in every container or VM: track processes by parent pid, no task binding.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
# No slurmdbd: a record of every finished job goes to a text file (sacct needs a database; the client
# reads scontrol instead, and keeps finished jobs visible for MinJobAge seconds).
JobCompType=jobcomp/filetxt
JobCompLoc=$STATE/log/jobcomp.txt
MinJobAge=3600
# Whole cores per job; a job with --exclusive takes the whole node.
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=5
# A node whose slurmd stops answering is DOWN after SlurmdTimeout; jobs on it end NODE_FAIL.
# It comes back by itself once slurmd registers again.
SlurmdTimeout=10
ReturnToService=2
# A job whose node failed is not requeued behind the coordinator's back: it decides what happens next.
JobRequeue=0
KillWait=5
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
StateSaveLocation=$STATE/ctld
SlurmdSpoolDir=$STATE/d
SlurmctldLogFile=$STATE/log/slurmctld.log
SlurmdLogFile=$STATE/log/slurmd.log
SlurmctldPort=6817
SlurmdPort=6818
$node_line NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=EXCLUSIVE
EOF
    mv "$tmp" "$CONF"
    chmod 0644 "$CONF"
}

start_munge() {
    if live_pid "$MUNGE_SOCKET_DIR/munged.pid" >/dev/null; then
        return
    fi
    install -d -o munge -g munge -m 0755 "$MUNGE_SOCKET_DIR" /var/log/munge /var/lib/munge
    say "starting munged"
    runuser -u munge -- /usr/sbin/munged --pid-file="$MUNGE_SOCKET_DIR/munged.pid"
    # munged forks; it is ready when a credential round-trips.
    local i
    for i in $(seq 1 50); do
        if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then return; fi
        sleep 0.2
    done
    die "munged did not start; see /var/log/munge/munged.log"
}

start_daemon() {
    local name=$1 pidfile=$STATE/$1.pid
    if live_pid "$pidfile" >/dev/null; then
        return
    fi
    say "starting $name"
    # Both daemons fork into the background and write their pid file; their logs go to $STATE/log.
    "/usr/sbin/$name" >>"$STATE/log/$name.out" 2>&1 || die "$name did not start; see $STATE/log/$name.log and $STATE/log/$name.out"
}

wait_idle() {
    local host deadline state
    host=$(hostname -s)
    deadline=$((SECONDS + WAIT_SECONDS))
    while [ $SECONDS -lt $deadline ]; do
        state=$(sinfo --noheader --nodes="$host" --format=%T 2>/dev/null | head -n 1 || true)
        case "$state" in
            idle | mixed | allocated | completing)
                say "node $host is $state; partition 'local' is ready"
                return ;;
            down* | drain* | fail*)
                # A node marked down by an earlier failure comes back once its slurmd answers.
                scontrol update NodeName="$host" State=RESUME 2>/dev/null || true ;;
        esac
        sleep 1
    done
    die "node $host is not idle after ${WAIT_SECONDS}s (sinfo says '${state:-nothing}'); see $STATE/log/slurmctld.log and $STATE/log/slurmd.log"
}

stop_daemon() {
    local name=$1 pidfile=$2 pid i
    pid=$(live_pid "$pidfile") || { rm -f "$pidfile"; return 0; }
    say "stopping $name ($pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 100); do
        alive "$pid" || { rm -f "$pidfile"; return 0; }
        sleep 0.1
    done
    say "$name ($pid) ignored SIGTERM for 10 s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$pidfile"
}

up() {
    need_root
    install_packages
    write_munge_key
    write_config
    start_munge
    start_daemon slurmctld
    start_daemon slurmd
    wait_idle
}

down() {
    need_root
    # Jobs still running would outlive slurmd (each runs under its own slurmstepd): cancel them and wait
    # until the controller has seen them end, so nothing of the cluster keeps running.
    if live_pid "$STATE/slurmctld.pid" >/dev/null && command -v scancel >/dev/null; then
        scancel --partition=local 2>/dev/null || true
        local i
        for i in $(seq 1 30); do
            [ -z "$(squeue --noheader --partition=local --format=%i 2>/dev/null)" ] && break
            sleep 1
        done
    fi
    stop_daemon slurmd "$STATE/slurmd.pid"
    stop_daemon slurmctld "$STATE/slurmctld.pid"
    stop_daemon munged "$MUNGE_SOCKET_DIR/munged.pid"
}

status() {
    local name pidfile
    for name in munged slurmctld slurmd; do
        if [ "$name" = munged ]; then pidfile=$MUNGE_SOCKET_DIR/munged.pid; else pidfile=$STATE/$name.pid; fi
        if pid=$(live_pid "$pidfile"); then echo "$name: running ($pid)"; else echo "$name: stopped"; fi
    done
    command -v sinfo >/dev/null && sinfo 2>&1 || true
}

case "${1:-}" in
    up) up ;;
    down) down ;;
    status) status ;;
    *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
