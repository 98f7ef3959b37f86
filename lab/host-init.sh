#!/bin/sh
# PID 1 of one lab host. lab.sh starts it inside the host's network namespace
# with fresh mount, UTS, IPC and PID namespaces:
#   nsenter --net=/run/netns/swlab-NAME unshare --mount --uts --ipc --pid --fork \
#       --propagation private host-init.sh NAME FS_DIR PID_FILE [FLAVOR [ROOT ROOT_MODE CLIENT_DIR]]
# It makes the host look like its own Debian server (own /proc, database
# paths, /tmp, /root, hostname), records its PID as seen from the root
# namespace in PID_FILE, then stays alive as the namespaces' anchor and reaper.
# Killing it (SIGKILL from the root namespace) kills every process of the host,
# like pulling the power cord.
#
# FLAVOR (default postgres15) says which database paths are private:
#   postgres15  /etc/postgresql, /var/lib/postgresql, ... over the machine's root
#   mariadb     /etc/mysql, /var/lib/mysql, /run/mysqld, /var/log/mysql and
#               /usr/local/sbin (lab-mysqld) over the machine's root
#   mysql, postgres17, postgres18
#               the host's / is another Debian root: an overlay of ROOT (the
#               cached root of the flavor's release, lab/roots.sh) with
#               HOST_DIR/root/upper on top (ROOT_MODE overlay), or the copy
#               HOST_DIR/root/copy (ROOT_MODE copy); the same database paths
#               as mariadb's or postgres15's are bound over it, plus HOST_DIR
#               and CLIENT_DIR at their own paths for sshd.
set -eu

name=$1
fs=$2
pidfile=$3
flavor=${4:-postgres15}

# The database's own paths, private to the host, with the branch's bind().
bind_database() {
  case $flavor in
    mysql | mariadb)
      bind etc-mysql /etc/mysql
      bind var-lib-mysql /var/lib/mysql
      bind run-mysqld /run/mysqld
      bind var-log-mysql /var/log/mysql
      bind local-sbin /usr/local/sbin
      ;;
    postgres*)
      bind etc-postgresql /etc/postgresql
      bind var-lib-postgresql /var/lib/postgresql
      bind run-postgresql /run/postgresql
      bind var-log-postgresql /var/log/postgresql
      ;;
    *) echo "host-init: unknown flavor '$flavor'" >&2; exit 1 ;;
  esac
}

# /proc is still the root namespace's proc mount here, so /proc/self/stat gives
# our PID in the root namespace: lab.sh needs it for nsenter --target.
read -r rootpid _ </proc/self/stat

hostname "$name"

if [ $# -ge 7 ]; then
  lower=$5
  mode=$6
  client=$7
  hd=${fs%/fs}
  new=$hd/root/merged
  mkdir -p "$new"
  if [ "$mode" = overlay ]; then
    mount -t overlay overlay -o "lowerdir=$lower,upperdir=$hd/root/upper,workdir=$hd/root/work" "$new"
  else
    mount --bind "$hd/root/copy" "$new"
  fi
  mount -t proc -o nosuid,nodev,noexec proc "$new/proc"
  mount -t sysfs -o nosuid,nodev,noexec sysfs "$new/sys"
  mount --rbind /dev "$new/dev"
  mount -t tmpfs -o nosuid,nodev,mode=1777 shm "$new/dev/shm"
  mount -t tmpfs -o nosuid,nodev,mode=755,size=64m run "$new/run"
  mkdir -p "$new/run/sshd" "$new/run/lock"
  bind() { mkdir -p "$new$2"; mount --bind "$fs/$1" "$new$2"; }
  bind_database
  bind tmp /tmp
  bind root /root
  # sshd's config, host key, pid file and log, and the authorized key, at the
  # paths lab.sh gives them (read-only: nothing on the host may change them).
  mkdir -p "$new$hd" "$new$client"
  mount --bind "$hd" "$new$hd"
  mount --bind "$client" "$new$client"
  mount -o remount,bind,ro "$new$client"
  echo "$rootpid" >"$pidfile.tmp"
  mv "$pidfile.tmp" "$pidfile"
  # The machine's root disappears from this mount namespace: nsenter --mount
  # (lab.sh exec, sshd sessions) lands in the flavor's root.
  cd "$new"
  mkdir -p .lab-oldroot
  pivot_root . .lab-oldroot
  cd /
  umount -l /.lab-oldroot
  rmdir /.lab-oldroot
else
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
  # The machine's MariaDB package made /etc/mysql and /var/lib/mysql;
  # /run/mysqld only exists once something ran there.
  [ "$flavor" != mariadb ] || mkdir -p /run/mysqld /var/log/mysql
  bind_database
  # PgBouncer is the machine's package: its configuration is the host's own too.
  [ "$flavor" != postgres15 ] || bind etc-pgbouncer /etc/pgbouncer
  bind tmp /tmp
  bind root /root

  echo "$rootpid" >"$pidfile.tmp"
  mv "$pidfile.tmp" "$pidfile"
fi

# Ignoring SIGCHLD makes the kernel reap the orphans (daemonized postmaster,
# sshd sessions) that get re-parented to us, so no zombies pile up.
exec /usr/bin/python3 -c '
import signal
signal.signal(signal.SIGCHLD, signal.SIG_IGN)
while True:
    signal.pause()
' swlab-init "$name"
