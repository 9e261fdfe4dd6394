#!/usr/bin/env bash
# Starts a one-node Slurm cluster on this machine for the Slurm integration
# test: munged, slurmctld and slurmd as root, with every file (config, key,
# sockets, state, logs) under the directory given as $1, on free ports given
# as $2 (slurmctld) and $3 (slurmd), so that it touches no system-wide Slurm.
# The node has 2 CPUs. It prints the daemons' pids, one per line, to
# $1/pids and waits until the node is idle; it exits non-zero with the
# reason on stderr when it cannot.
set -euo pipefail
dir=$1 ctldport=$2 dport=$3
[ "$(id -u)" = 0 ] || { echo "needs root to start slurmd (uid $(id -u))" >&2; exit 1; }
for b in munged mungekey slurmctld slurmd sinfo; do
	command -v "$b" >/dev/null || { echo "$b not installed (apt-get install slurm-wlm munge)" >&2; exit 1; }
done
mkdir -p "$dir"/{munge,state,spool,log}
chmod 700 "$dir" "$dir/munge"
mungekey --create --keyfile="$dir/munge/munge.key" --force >/dev/null
chmod 600 "$dir/munge/munge.key"
munged --force --socket="$dir/munge/munge.sock" --key-file="$dir/munge/munge.key" \
	--pid-file="$dir/munge/munged.pid" --log-file="$dir/log/munged.log" --seed-file="$dir/munge/seed"
host=$(hostname -s)
cat >"$dir/slurm.conf" <<CONF
ClusterName=icltest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctldport
SlurmdPort=$dport
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.sock
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/pgid
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
JobRequeue=1
KillWait=10
MinJobAge=300
NodeName=$host NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$dir/slurm.conf
slurmctld -f "$dir/slurm.conf" -i
slurmd -f "$dir/slurm.conf" -N "$host"
for i in $(seq 60); do
	if state=$(sinfo -h -n "$host" -o %T 2>/dev/null) && [ "$state" = idle ]; then
		for p in munge/munged.pid slurmctld.pid slurmd.pid; do cat "$dir/$p"; done >"$dir/pids"
		exit 0
	fi
	sleep 0.5
done
echo "node $host not idle after 30s (state: ${state:-none}); logs:" >&2
tail -n 5 "$dir"/log/*.log >&2
exit 1
