#!/bin/sh
# PID 1 of one lab host. lab.sh starts it inside the host's network namespace
# with fresh mount, UTS, IPC and PID namespaces:
#   nsenter --net=/run/netns/swlab-NAME unshare --mount --uts --ipc --pid --fork \
#       --propagation private host-init.sh NAME FS_DIR PID_FILE
# It makes the host look like its own Debian server (own /proc, PostgreSQL
# paths, /tmp, /root, hostname), records its PID as seen from the root
# namespace in PID_FILE, then stays alive as the namespaces' anchor and reaper.
# Killing it (SIGKILL from the root namespace) kills every process of the host,
# like pulling the power cord.
set -eu

name=$1
fs=$2
pidfile=$3

# /proc is still the root namespace's proc mount here, so /proc/self/stat gives
# our PID in the root namespace: lab.sh needs it for nsenter --target.
read -r rootpid _ </proc/self/stat

# Own process table: ps/pgrep/pg_ctlcluster inside the host see only its processes.
mount -t proc -o nosuid,nodev,noexec proc /proc
# sysfs shows the mounting process's network namespace: /sys/class/net = eth0, lo.
umount -R -l /sys
mount -t sysfs -o nosuid,nodev,noexec sysfs /sys
mount -t tmpfs -o nosuid,nodev,mode=1777 shm /dev/shm
# Our copies of other namespaces' handles would keep those namespaces alive
# after lab.sh deletes them.
# An empty tmpfs on top hides their names too (`ip netns` on a host lists nothing).
if [ -d /run/netns ]; then
  umount -R -l /run/netns 2>/dev/null || true
  mount -t tmpfs -o size=64k,mode=755 tmpfs /run/netns
fi

bind() { mount --bind "$fs/$1" "$2"; }
bind etc-postgresql /etc/postgresql
bind var-lib-postgresql /var/lib/postgresql
bind run-postgresql /run/postgresql
bind var-log-postgresql /var/log/postgresql
bind etc-pgbouncer /etc/pgbouncer
bind tmp /tmp
bind root /root

hostname "$name"

echo "$rootpid" >"$pidfile.tmp"
mv "$pidfile.tmp" "$pidfile"

# Ignoring SIGCHLD makes the kernel reap the orphans (daemonized postmaster,
# sshd sessions) that get re-parented to us, so no zombies pile up.
exec /usr/bin/python3 -c '
import signal
signal.signal(signal.SIGCHLD, signal.SIG_IGN)
while True:
    signal.pause()
' swlab-init "$name"
