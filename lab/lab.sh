#!/usr/bin/env bash
# switchover test lab: "hosts" made of Linux namespaces, each with its own
# address in 198.18.0.0/24, its own sshd and its own database server: a
# PostgreSQL 15 cluster (flavor postgres15, the default), MariaDB 10.11 (flavor
# mariadb; both from the machine's Debian packages), sid's MySQL 9.7 (flavor
# mysql) or PostgreSQL 18 (postgres18), or trixie's PostgreSQL 17 (postgres17):
# those run in a cached Debian root of their release (lab/roots.sh,
# lab/debian-root.sh).
#
#   lab/lab.sh up NAME:ADDRESS[:FLAVOR] [NAME[:ADDRESS] ...]   create or repair hosts
#   lab/lab.sh down [--purge] [NAME ...]              stop hosts (all if none named)
#   lab/lab.sh status [NAME ...]                      one line per host
#   lab/lab.sh exec NAME [CMD ...]                    run CMD on the host, as root
#   lab/lab.sh ssh NAME [CMD ...]                     ssh to the host with the lab key
#   lab/lab.sh env NAME [PREFIX]                      shell variables describing the host
#   lab/lab.sh reset NAME ...                         recreate the host's database server (empty)
#   lab/lab.sh netem NAME ARGS... [--dir out|in|both] delay/jitter/loss (userspace netem)
#   lab/lab.sh rate NAME RATE|off [--dir out|in|both] bandwidth limit (tc tbf)
#   lab/lab.sh cut NAME / heal NAME                   unplug / restore the host's link
#   lab/lab.sh pgbouncer NAME start DB=ADDRESS/DBNAME ... | stop | status
#                                                     PgBouncer on a postgres15 host
#   lab/lab.sh haproxy NAME start BACKEND_ADDRESS:PORT | stop | status
#                                                     HAProxy (TCP, :3306) on a postgres15 host
#
# Topology (root namespace = where the worker and the tests run):
#
#   root ns: swbr0 198.18.0.1/24 --- swv-NAME
#                                       | veth
#   wire ns swwire-NAME:              up0 --[bridge wire0]-- host0
#                                                              | veth
#   host ns swlab-NAME:                                       eth0 ADDRESS/24
#
# The wire namespace is where faults are injected: packets there were already
# handed over by a veth, so holding them (netem.py) does not throttle the
# sender's TCP stack the way queueing inside the sender's own namespace does.
# Hosts have no default route: they can only reach 198.18.0.0/24.
#
# Each host also has private mount/UTS/IPC/PID namespaces anchored by
# host-init.sh (PID 1 of the host), so that inside it PostgreSQL lives at the
# standard Debian paths and `pg_ctlcluster VERSION main start|stop` works (MySQL and
# MariaDB: /var/lib/mysql, /etc/mysql, `lab-mysqld start|stop`, see lab/mysql.sh).
set -euo pipefail

LAB_DIR=${SWITCHOVER_LAB_DIR:-/var/lib/switchover-lab}
LAB_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RUN_DIR=/run/switchover-lab          # lock file (netns names are machine-global anyway)
BRIDGE=swbr0
BRIDGE_ADDR=198.18.0.1
# A second root-namespace address: tests' application and administrator clients bind to it, so
# that the hosts see them come from another machine than the worker (198.18.0.1).
CLIENT_ADDR=198.18.0.2
PG_CLUSTER=main
PG_PORT=5432
PG_ADMIN=postgres
CLEAN_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
PYTHON=/usr/bin/python3              # Debian's, not whatever a version manager puts first

CLIENT_DIR=$LAB_DIR/client
CLIENT_KEY=$CLIENT_DIR/id_ed25519
KNOWN_HOSTS=$CLIENT_DIR/known_hosts
AUTHORIZED_KEYS=$CLIENT_DIR/authorized_keys
PASSWORD_FILE=$LAB_DIR/secrets/pg-admin-password
FLAVORS=(postgres15 postgres17 postgres18 mariadb mysql)
DEFAULT_FLAVOR=postgres15

# ---------------------------------------------------------------- helpers

die() { echo "lab: error: $*" >&2; exit 1; }
say() { echo "lab: $*" >&2; }

usage() {
  sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
  exit "${1:-0}"
}

host_dir() { echo "$LAB_DIR/hosts/$1"; }
host_ns() { echo "swlab-$1"; }
wire_ns() { echo "swwire-$1"; }
root_veth() { echo "swv-$1"; }

host_address() {
  local f; f="$(host_dir "$1")/address"
  [[ -s $f ]] && cat "$f"
}

# The flavor recorded by 'up'; hosts from before flavors existed are postgres15.
host_flavor() {
  local f; f="$(host_dir "$1")/flavor"
  if [[ -s $f ]]; then cat "$f"; else echo "$DEFAULT_FLAVOR"; fi
}

validate_flavor() {
  local f
  for f in "${FLAVORS[@]}"; do [[ $1 == "$f" ]] && return 0; done
  die "unknown flavor '$1' (one of: ${FLAVORS[*]})"
}

validate_name() {
  # swv-NAME must fit the 15-character interface name limit.
  [[ $1 =~ ^[a-z][a-z0-9-]{0,10}$ ]] \
    || die "bad host name '$1' (1-11 chars: lowercase letter, then lowercase letters, digits, '-')"
}

validate_address() {
  local a=$1 last
  [[ $a =~ ^198\.18\.0\.([0-9]{1,3})$ ]] || die "address '$a' is not in 198.18.0.0/24"
  last=$((10#${BASH_REMATCH[1]}))
  ((last <= 255)) || die "address '$a' is not an IPv4 address"
  ((last >= 2 && last <= 254)) \
    || die "address '$a' not usable: .0/.255 are network/broadcast, .1 is the bridge (root namespace)"
}

require_root() {
  [[ $(uname -s) == Linux ]] || die "the lab needs Linux"
  [[ $(id -u) -eq 0 ]] || die "the lab must be run as root"
}

# Serialise commands that change the lab. Short-lived children inherit fd 9 on
# purpose: if this script is killed, the next one waits for them to finish.
# Daemons must not (they would hold the lock forever): start them with 9>&-.
take_lock() {
  mkdir -p "$RUN_DIR"
  exec 9>"$RUN_DIR/lock"
  flock -w 600 9 || die "timed out waiting for $RUN_DIR/lock"
}

netns_ok() { [[ -e /run/netns/$1 ]] && nsenter --net="/run/netns/$1" true 2>/dev/null; }
in_net() { local ns=$1; shift; nsenter --net="/run/netns/$ns" -- "$@"; }
ns_inode() { stat -L -c %i "$1" 2>/dev/null; }

# PID (root namespace numbering) of the host's init, if it is alive and really ours.
host_init_pid() {
  local name=$1 pidf pid
  pidf="$(host_dir "$name")/init.pid"
  [[ -s $pidf ]] || return 1
  pid=$(<"$pidf")
  [[ $pid =~ ^[0-9]+$ ]] && [[ -r /proc/$pid/cmdline ]] || return 1
  # host-init.sh execs "python3 -c CODE swlab-init NAME": the last two arguments identify it.
  local -a argv
  mapfile -d '' -t argv <"/proc/$pid/cmdline" 2>/dev/null || return 1
  ((${#argv[@]} >= 2)) && [[ ${argv[-2]} == swlab-init && ${argv[-1]} == "$name" ]] || return 1
  [[ "$(ns_inode "/proc/$pid/ns/net")" == "$(ns_inode "/run/netns/$(host_ns "$name")")" ]] || return 1
  echo "$pid"
}

# Run a command inside the host (all its namespaces), as root.
in_host() {
  local name=$1 pid; shift
  pid=$(host_init_pid "$name") || die "host '$name' is not running (try: lab.sh up $name)"
  nsenter --target "$pid" --net --mount --uts --ipc --pid -- "$@"
}

# Same with the minimal environment an SSH session gets: daemons started from
# here must not depend on the caller's environment.
in_host_clean() {
  local name=$1; shift
  in_host "$name" env -i PATH="$CLEAN_PATH" HOME=/root LANG=C.UTF-8 "$@"
}

# Wait until CMD succeeds, up to SECONDS (polling every 0.1 s).
wait_for() {
  local seconds=$1; shift
  local tries=$((seconds * 10))
  while ((tries-- > 0)); do
    if "$@" 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  return 1
}

tcp_open() { timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; }
tcp_closed() { ! tcp_open "$@"; }

# Strict host key checking, lab key only, nothing from ~/.ssh/config.
SSH_OPTS=(-F /dev/null -i "$CLIENT_KEY" -o IdentitiesOnly=yes -o BatchMode=yes
  -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$KNOWN_HOSTS"
  -o GlobalKnownHostsFile=/dev/null -o LogLevel=ERROR)

known_host_names() {
  local d
  for d in "$LAB_DIR"/hosts/*/; do
    [[ -d $d ]] && basename "$d"
  done
}

# ---------------------------------------------------------------- shared state

ensure_client_files() {
  mkdir -p "$LAB_DIR/hosts" "$CLIENT_DIR" "$LAB_DIR/secrets"
  # sshd reads authorized_keys from here: keep the path root-owned and not writable by others.
  chmod 755 "$LAB_DIR" "$LAB_DIR/hosts" "$CLIENT_DIR"
  chmod 700 "$LAB_DIR/secrets"
  if [[ ! -s $CLIENT_KEY || ! -s $CLIENT_KEY.pub ]]; then
    rm -f "$CLIENT_KEY" "$CLIENT_KEY.pub"
    ssh-keygen -q -t ed25519 -N '' -C switchover-lab-client -f "$CLIENT_KEY"
  fi
  chmod 600 "$CLIENT_KEY"
  cmp -s "$CLIENT_KEY.pub" "$AUTHORIZED_KEYS" || cp "$CLIENT_KEY.pub" "$AUTHORIZED_KEYS"
  chmod 644 "$AUTHORIZED_KEYS"
  if [[ ! -s $PASSWORD_FILE ]]; then
    # Alphanumeric only, so it never needs quoting in SQL, URLs or shells.
    local pw
    pw=$(head -c 48 /dev/urandom | base64 -w0 | tr -dc 'A-Za-z0-9')
    (umask 077; printf '%s\n' "${pw:0:24}" >"$PASSWORD_FILE.tmp")
    mv "$PASSWORD_FILE.tmp" "$PASSWORD_FILE"
  fi
  chmod 600 "$PASSWORD_FILE"
}

# known_hosts lists exactly the hosts that exist now, so a host re-created with
# the same address but another key can never be matched against a stale entry.
write_known_hosts() {
  local tmp name addr key
  tmp=$(mktemp "$CLIENT_DIR/.known_hosts.XXXXXX")
  for name in $(known_host_names); do
    addr=$(host_address "$name") || continue
    key="$(host_dir "$name")/ssh/ssh_host_ed25519_key.pub"
    if [[ ! -s $key ]] || ! netns_ok "$(host_ns "$name")"; then continue; fi
    echo "$addr $(cut -d' ' -f1,2 "$key")" >>"$tmp"
  done
  chmod 644 "$tmp"
  mv "$tmp" "$KNOWN_HOSTS"
}

set_sysctl() { # NETNS|"" KEY VALUE -- via /proc, per network namespace
  local ns=$1 key=$2 value=$3 path
  path=/proc/sys/${key//.//}
  if [[ -z $ns ]]; then
    [[ -e $path ]] && echo "$value" >"$path"
  else
    in_net "$ns" sh -c "[ ! -e '$path' ] || echo '$value' > '$path'"
  fi
}

# Fixed MACs: a host or bridge re-created by up/down keeps its MAC, so ARP
# caches elsewhere (root namespace, other hosts) never point at a dead one.
mac_for() { printf '02:73:77:00:00:%02x\n' "${1##*.}"; }

ensure_bridge() {
  local mac; mac=$(mac_for "$BRIDGE_ADDR")
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link add "$BRIDGE" address "$mac" type bridge stp_state 0 forward_delay 0
  fi
  # Without an explicit address a bridge takes the lowest port MAC, which changes
  # as hosts come and go.
  [[ "$(ip -o link show "$BRIDGE")" == *"link/ether $mac "* ]] || ip link set "$BRIDGE" address "$mac"
  # No IPv6 on lab links: nothing but 198.18.0.0/24 traffic should ever appear.
  set_sysctl "" "net.ipv6.conf.$BRIDGE.disable_ipv6" 1
  ip addr replace "$BRIDGE_ADDR/24" dev "$BRIDGE"
  # Secondary (same subnet): used only by a socket bound to it, never as a default source.
  ip addr replace "$CLIENT_ADDR/24" dev "$BRIDGE"
  ip link set "$BRIDGE" up
}

remove_bridge_if_unused() {
  if [[ ! "$(ip netns list 2>/dev/null)" =~ (^|$'\n')swlab- ]]; then
    ip link del "$BRIDGE" 2>/dev/null || true
  fi
}

# ---------------------------------------------------------------- network

ensure_netns() {
  local ns=$1
  if ! netns_ok "$ns"; then
    # A handle left from a reboot or a killed run: replace it.
    ip netns del "$ns" 2>/dev/null || true
    rm -f "/run/netns/$ns"
    ip netns add "$ns"
  fi
  # Interfaces created later inherit "default": keep IPv6 off lab links.
  set_sysctl "$ns" net.ipv6.conf.default.disable_ipv6 1
}

link_exists() { # NETNS|"" DEV
  if [[ -z $1 ]]; then ip link show "$2" >/dev/null 2>&1
  else ip -n "$1" link show "$2" >/dev/null 2>&1; fi
}

# Both ends of each veth must exist; a half-pair (killed run) is recreated.
ensure_link() {
  local name=$1 addr=$2 hns wns rv
  hns=$(host_ns "$name"); wns=$(wire_ns "$name"); rv=$(root_veth "$name")

  if ! { link_exists "" "$rv" && link_exists "$wns" up0; }; then
    ip link del "$rv" 2>/dev/null || true
    ip -n "$wns" link del up0 2>/dev/null || true
    ip link add "$rv" type veth peer name up0 netns "$wns"
  fi
  if ! { link_exists "$wns" host0 && link_exists "$hns" eth0; }; then
    ip -n "$wns" link del host0 2>/dev/null || true
    ip -n "$hns" link del eth0 2>/dev/null || true
    ip -n "$wns" link add host0 type veth peer name eth0 netns "$hns"
  fi
  link_exists "$wns" wire0 || ip -n "$wns" link add wire0 type bridge stp_state 0 forward_delay 0

  set_sysctl "" "net.ipv6.conf.$rv.disable_ipv6" 1
  set_sysctl "$wns" net.ipv6.conf.all.disable_ipv6 1
  set_sysctl "$hns" net.ipv6.conf.eth0.disable_ipv6 1
  # The wire's bridged IPv4 packets must traverse iptables for netem.py's NFQUEUE rules.
  set_sysctl "$wns" net.bridge.bridge-nf-call-iptables 1

  ip link set "$rv" master "$BRIDGE"
  ip link set "$rv" up
  ip -n "$wns" link set up0 master wire0
  ip -n "$wns" link set host0 master wire0
  ip -n "$wns" link set up0 up
  ip -n "$wns" link set host0 up
  ip -n "$wns" link set wire0 up
  ip -n "$wns" link set lo up

  local mac; mac=$(mac_for "$addr")
  if [[ "$(ip -n "$hns" -o link show dev eth0)" != *"link/ether $mac "* ]]; then
    ip -n "$hns" link set eth0 address "$mac"
  fi
  if [[ "$(ip -n "$hns" -4 -o addr show dev eth0 | awk '{print $4}')" != "$addr/24" ]]; then
    ip -n "$hns" addr flush dev eth0
    ip -n "$hns" addr add "$addr/24" dev eth0
  fi
  ip -n "$hns" link set lo up
  ip -n "$hns" link set eth0 up
  # Never a way out of the lab network.
  while [[ -n "$(ip -n "$hns" route show default)" ]]; do ip -n "$hns" route del default; done
}

address_owner() { # print the running host (other than $2) that uses address $1
  local addr=$1 self=$2 name
  for name in $(known_host_names); do
    [[ $name == "$self" ]] && continue
    [[ "$(host_address "$name" || true)" == "$addr" ]] && netns_ok "$(host_ns "$name")" && { echo "$name"; return 0; }
  done
  return 1
}

# ---------------------------------------------------------------- faults

netem_pidfile() { echo "$(host_dir "$1")/netem-$2.pid"; }

stop_netem() { # NAME DIR
  local name=$1 dir=$2 wns pidf pid
  wns=$(wire_ns "$name"); pidf=$(netem_pidfile "$name" "$dir")
  if netns_ok "$wns"; then
    in_net "$wns" iptables -w -t mangle -F "SWLAB_NETEM_${dir^^}" 2>/dev/null || true
  fi
  if [[ -s $pidf ]]; then
    pid=$(<"$pidf")
    if grep -qa "netem.py" "/proc/$pid/cmdline" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      wait_for 5 pid_gone "$pid" || kill -9 "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$pidf" "${pidf%.pid}.args"
}

start_netem() { # NAME DIR ARGS...
  local name=$1 dir=$2; shift 2
  local wns addr pidf log queue match chain pid
  wns=$(wire_ns "$name"); addr=$(host_address "$name")
  pidf=$(netem_pidfile "$name" "$dir"); log="$(host_dir "$name")/netem.log"
  if [[ $dir == out ]]; then queue=0; match=(-s "$addr"); else queue=1; match=(-d "$addr"); fi
  chain="SWLAB_NETEM_${dir^^}"

  stop_netem "$name" "$dir"
  echo "--- $(date -Is) $dir: $*" >>"$log"
  # exec: no copy of this shell (holding the lock fd) may linger as its parent.
  (exec nsenter --net="/run/netns/$wns" setsid "$PYTHON" "$LAB_SRC/netem.py" \
    --queue "$queue" --pidfile "$pidf" "$@") </dev/null >>"$log" 2>&1 9>&- &
  pid=$!
  if ! wait_for 5 test -s "$pidf"; then
    kill "$pid" 2>/dev/null || true
    die "netem.py did not start for $name ($dir): $(tail -n 3 "$log")"
  fi
  in_net "$wns" iptables -w -t mangle -N "$chain" 2>/dev/null || true
  in_net "$wns" iptables -w -t mangle -C PREROUTING -j "$chain" 2>/dev/null \
    || in_net "$wns" iptables -w -t mangle -A PREROUTING -j "$chain"
  in_net "$wns" iptables -w -t mangle -F "$chain"
  # --queue-bypass: if netem.py dies, traffic flows undelayed instead of stopping.
  in_net "$wns" iptables -w -t mangle -A "$chain" "${match[@]}" -j NFQUEUE --queue-num "$queue" --queue-bypass
  echo "$*" >"${pidf%.pid}.args"
}

rate_bytes_per_sec() { # tc-style rate -> bytes/s
  local r=$1
  [[ $r =~ ^([0-9]+(\.[0-9]+)?)(bit|kbit|mbit|gbit|bps|kbps|mbps|gbps)$ ]] \
    || die "bad rate '$r' (examples: 500kbit, 100mbit, 1gbit, 10mbps)"
  awk -v n="${BASH_REMATCH[1]}" -v u="${BASH_REMATCH[3]}" 'BEGIN {
    m["bit"]=1/8; m["kbit"]=1000/8; m["mbit"]=1e6/8; m["gbit"]=1e9/8;
    m["bps"]=1; m["kbps"]=1000; m["mbps"]=1e6; m["gbps"]=1e9;
    printf "%d\n", n*m[u] }'
}

wire_dev_for() { [[ $1 == out ]] && echo up0 || echo host0; }

set_rate() { # NAME DIR RATE|off
  local name=$1 dir=$2 rate=$3 wns dev bps burst
  wns=$(wire_ns "$name"); dev=$(wire_dev_for "$dir")
  if [[ $rate == off ]]; then
    in_net "$wns" tc qdisc del dev "$dev" root 2>/dev/null || true
    return
  fi
  bps=$(rate_bytes_per_sec "$rate")
  # ~10 ms worth of data, but at least a few full-size frames.
  burst=$((bps / 100)); ((burst >= 8192)) || burst=8192
  in_net "$wns" tc qdisc replace dev "$dev" root tbf rate "$rate" burst "$burst" latency 100ms
}

heal_host() {
  local name=$1
  ip link set "$(root_veth "$name")" up
  stop_netem "$name" out
  stop_netem "$name" in
  set_rate "$name" out off
  set_rate "$name" in off
}

# ---------------------------------------------------------------- host filesystem & init

# Per-host directories bind-mounted over the standard paths inside the host.
ensure_host_fs() {
  case $(host_flavor "$1") in
    postgres*) ensure_pg_fs "$1" ;;
    *) ensure_mysql_fs "$1" ;;
  esac
}

ensure_host_init() {
  local name=$1 hd pidf
  hd=$(host_dir "$name"); pidf="$hd/init.pid"
  host_init_pid "$name" >/dev/null && return 0

  # A (re)boot: whatever ran before is gone, so are its sockets and pid files.
  local flavor; flavor=$(host_flavor "$name")
  local -a args=("$name" "$hd/fs" "$pidf")
  if is_pg_flavor "$flavor"; then find "$hd/fs/run-postgresql" -mindepth 1 -delete
  else find "$hd/fs/run-mysqld" -mindepth 1 -delete; fi
  args+=("$flavor")
  if [[ -n $(flavor_suite "$flavor") ]]; then
    local lower
    lower=$(prepare_rootfs "$name") || exit 1
    args+=("$lower" "$(<"$hd/root/mode")" "$CLIENT_DIR")
  fi
  rm -f "$pidf" "$hd/sshd.pid"
  nsenter --net="/run/netns/$(host_ns "$name")" \
    setsid unshare --mount --uts --ipc --pid --fork --propagation private \
    /bin/sh "$LAB_SRC/host-init.sh" "${args[@]}" \
    </dev/null >>"$hd/init.log" 2>&1 9>&- &
  wait_for 10 host_init_pid "$name" >/dev/null \
    || die "host '$name' did not boot: $(tail -n 5 "$hd/init.log")"
}

# ---------------------------------------------------------------- sshd

write_sshd_config() {
  local name=$1 addr=$2 hd
  hd=$(host_dir "$name")
  cat <<EOF
# generated by lab/lab.sh for lab host $name; rewritten by every 'up'
ListenAddress $addr:22
HostKey $hd/ssh/ssh_host_ed25519_key
PidFile $hd/sshd.pid
AuthorizedKeysFile $AUTHORIZED_KEYS
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
# SWITCHOVER_LAB_DIR may live under /tmp, whose permissions StrictModes rejects.
StrictModes no
PrintMotd no
PrintLastLog no
UseDNS no
# The tool may open many channels/connections at once.
MaxSessions 64
MaxStartups 64:30:128
AcceptEnv LANG LC_*
Subsystem sftp internal-sftp
EOF
}

sshd_running() {
  local name=$1 hd
  hd=$(host_dir "$name")
  in_host "$name" sh -c "p=\$(cat '$hd/sshd.pid' 2>/dev/null) && [ -n \"\$p\" ] && kill -0 \"\$p\" 2>/dev/null && grep -qa '$hd/sshd_config' /proc/\$p/cmdline" 2>/dev/null
}

ensure_sshd() {
  local name=$1 addr=$2 hd conf changed=''
  hd=$(host_dir "$name"); conf="$hd/sshd_config"
  mkdir -p "$hd/ssh" /run/sshd
  chmod 700 "$hd/ssh"
  if [[ ! -s $hd/ssh/ssh_host_ed25519_key || ! -s $hd/ssh/ssh_host_ed25519_key.pub ]]; then
    rm -f "$hd/ssh/ssh_host_ed25519_key" "$hd/ssh/ssh_host_ed25519_key.pub"
    ssh-keygen -q -t ed25519 -N '' -C "root@$name" -f "$hd/ssh/ssh_host_ed25519_key"
  fi
  if ! write_sshd_config "$name" "$addr" | cmp -s - "$conf"; then
    write_sshd_config "$name" "$addr" >"$conf"
    changed=1
  fi
  if [[ -n $(flavor_suite "$(host_flavor "$name")") ]]; then
    in_host_clean "$name" /usr/sbin/sshd -t -f "$conf" || die "invalid sshd config $conf (the host root's sshd)"
  else
    /usr/sbin/sshd -t -f "$conf" || die "invalid sshd config $conf"
  fi

  if sshd_running "$name"; then
    [[ -z $changed ]] && return 0
    in_host "$name" sh -c "kill \$(cat '$hd/sshd.pid')"
    wait_for 5 tcp_closed "$addr" 22 || true
  fi
  rm -f "$hd/sshd.pid"
  in_host_clean "$name" /usr/sbin/sshd -f "$conf" -E "$hd/sshd.log" 9>&-
  # sshd forks before binding; the pid file appears once it listens.
  wait_for 10 sshd_running "$name" \
    || die "sshd did not start on '$name': $(tail -n 5 "$hd/sshd.log")"
}

# ---------------------------------------------------------------- roots

# shellcheck source=lab/roots.sh
source "$LAB_SRC/roots.sh"

# ---------------------------------------------------------------- postgres

# shellcheck source=lab/postgres.sh
source "$LAB_SRC/postgres.sh"

# ---------------------------------------------------------------- mysql / mariadb

# shellcheck source=lab/mysql.sh
source "$LAB_SRC/mysql.sh"

# ---------------------------------------------------------------- up / down

parse_host_spec() { # NAME[:ADDRESS[:FLAVOR]] -> "NAME ADDRESS FLAVOR"
  local spec=$1 name addr flavor='' rest known
  name=${spec%%:*}
  validate_name "$name"
  if [[ $spec == *:* ]]; then
    rest=${spec#*:}
    addr=${rest%%:*}
    [[ $rest == *:* ]] && flavor=${rest#*:}
  else
    addr=$(host_address "$name") || die "no address known for '$name': use $name:198.18.0.N"
  fi
  validate_address "$addr"
  # A host keeps the flavor it was created with; without one, a new host is postgres15.
  if [[ -s "$(host_dir "$name")/address" ]]; then known=$(host_flavor "$name"); else known=''; fi
  if [[ -z $flavor ]]; then
    flavor=${known:-$DEFAULT_FLAVOR}
  elif [[ -n $known && $flavor != "$known" ]]; then
    die "host '$name' is a $known host; to make it $flavor, first: lab.sh down --purge $name"
  fi
  validate_flavor "$flavor"
  echo "$name $addr $flavor"
}

up_host() {
  local name=$1 addr=$2 flavor=$3 hd owner old
  hd=$(host_dir "$name")
  if owner=$(address_owner "$addr" "$name"); then
    die "address $addr is already used by running host '$owner'"
  fi
  mkdir -p "$hd"
  echo "$flavor" >"$hd/flavor"
  old=$(host_address "$name" || true)
  if [[ -n $old && $old != "$addr" ]] && netns_ok "$(host_ns "$name")"; then
    say "$name: address changes $old -> $addr, restarting the host"
    down_host "$name"
  fi
  echo "$addr" >"$hd/address"

  ensure_netns "$(host_ns "$name")"
  ensure_netns "$(wire_ns "$name")"
  ensure_link "$name" "$addr"
  heal_host "$name"
  ensure_host_fs "$name"
  ensure_host_init "$name"
  ensure_sshd "$name" "$addr"
  case $flavor in
    postgres*) ensure_postgres "$name" "$addr" ;;
    *) ensure_mysql "$name" "$addr" ;;
  esac
}

verify_ssh() {
  local name=$1 addr=$2
  timeout 20 ssh "${SSH_OPTS[@]}" -o ConnectTimeout=5 "root@$addr" true \
    || die "ssh login to '$name' ($addr) failed"
}

cmd_up() {
  (($#)) || die "usage: lab.sh up NAME:ADDRESS[:FLAVOR] [NAME[:ADDRESS[:FLAVOR]] ...]"
  require_root
  local -a names=() addrs=() flavors=()
  local spec parsed i j name addr flavor
  for spec in "$@"; do
    parsed=$(parse_host_spec "$spec")
    read -r name addr flavor <<<"$parsed"
    names+=("$name"); addrs+=("$addr"); flavors+=("$flavor")
  done
  for ((i = 0; i < ${#names[@]}; i++)); do
    for ((j = i + 1; j < ${#names[@]}; j++)); do
      [[ ${addrs[i]} != "${addrs[j]}" ]] || die "hosts '${names[i]}' and '${names[j]}' both want ${addrs[i]}"
      [[ ${names[i]} != "${names[j]}" ]] || die "host '${names[i]}' given twice"
    done
  done
  [[ -x /usr/sbin/sshd ]] || die "missing packages: run scripts/install-deps.sh"
  for flavor in "${flavors[@]}"; do
    case $flavor in
      postgres15) command -v pg_createcluster >/dev/null || die "missing packages: run scripts/install-deps.sh" ;;
      mariadb)
        if [[ ! -x /usr/sbin/mariadbd ]] || ! command -v mariadb-install-db >/dev/null; then
          die "MariaDB is not installed: run scripts/install-deps.sh"
        fi
        ;;
      *) ensure_flavor_root "$flavor" ;;
    esac
  done

  take_lock
  ensure_client_files
  ensure_bridge
  for ((i = 0; i < ${#names[@]}; i++)); do
    up_host "${names[i]}" "${addrs[i]}" "${flavors[i]}"
  done
  write_known_hosts
  for ((i = 0; i < ${#names[@]}; i++)); do
    verify_ssh "${names[i]}" "${addrs[i]}"
    case ${flavors[i]} in
      postgres*) say "${names[i]}: up at ${addrs[i]} (ssh root@${addrs[i]}, ${flavors[i]} :$PG_PORT)" ;;
      *) say "${names[i]}: up at ${addrs[i]} (ssh root@${addrs[i]}, ${flavors[i]} :$MYSQL_PORT)" ;;
    esac
  done
}

netns_empty() { [[ -z "$(ip netns pids "$1" 2>/dev/null)" ]]; }
pid_gone() { ! kill -0 "$1" 2>/dev/null; }

kill_netns_processes() {
  local ns=$1 pids
  netns_ok "$ns" || return 0
  pids=$(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ')
  [[ -n ${pids// /} ]] || return 0
  # shellcheck disable=SC2086
  kill $pids 2>/dev/null || true
  wait_for 5 netns_empty "$ns" && return 0
  pids=$(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ')
  # shellcheck disable=SC2086
  [[ -z ${pids// /} ]] || kill -9 $pids 2>/dev/null || true
  wait_for 5 netns_empty "$ns" || say "processes left in $ns: $pids"
}

down_host() {
  local name=$1 pid hd
  hd=$(host_dir "$name")
  if pid=$(host_init_pid "$name"); then
    # A clean shutdown keeps the cluster reusable (fast next 'up').
    if is_pg_flavor "$(host_flavor "$name")"; then
      if pg_running "$name"; then
        timeout 60 nsenter --target "$pid" --net --mount --uts --ipc --pid -- \
          env -i PATH="$CLEAN_PATH" pg_ctlcluster "$(pg_version "$name")" "$PG_CLUSTER" stop -m fast >/dev/null 2>&1 || true
      fi
    elif mysql_running "$name"; then
      LAB_MYSQLD_STOP_TIMEOUT=110 timeout 120 nsenter --target "$pid" --net --mount --uts --ipc --pid -- \
        env -i PATH="$CLEAN_PATH" lab-mysqld stop >/dev/null 2>&1 || true
    fi
    # Killing PID 1 of the host's PID namespace kills every process in it.
    kill -9 "$pid" 2>/dev/null || true
    wait_for 10 pid_gone "$pid" || say "$name: init $pid still alive"
  fi
  stop_netem "$name" out
  stop_netem "$name" in
  kill_netns_processes "$(host_ns "$name")"
  kill_netns_processes "$(wire_ns "$name")"
  ip link del "$(root_veth "$name")" 2>/dev/null || true
  ip netns del "$(host_ns "$name")" 2>/dev/null || true
  ip netns del "$(wire_ns "$name")" 2>/dev/null || true
  rm -f "/run/netns/$(host_ns "$name")" "/run/netns/$(wire_ns "$name")"
  rm -f "$hd/init.pid" "$hd/sshd.pid"
}

cmd_down() {
  require_root
  local purge='' name
  local -a names=()
  for name in "$@"; do
    case $name in
      --purge) purge=1 ;;
      -*) die "unknown option $name" ;;
      *) validate_name "$name"; names+=("$name") ;;
    esac
  done
  take_lock
  if ((${#names[@]} == 0)); then
    # Everything: hosts with state, plus namespaces whose state dir is gone.
    mapfile -t names < <({ known_host_names; ip netns list 2>/dev/null | awk '{print $1}' \
      | sed -n 's/^swlab-//p; s/^swwire-//p'; } | sort -u)
  fi
  for name in "${names[@]}"; do
    down_host "$name"
    if [[ -n $purge ]]; then
      rm -rf "${LAB_DIR:?}/hosts/$name"
      say "$name: down, state purged"
    else
      say "$name: down"
    fi
  done
  remove_bridge_if_unused
  [[ -d $CLIENT_DIR ]] && write_known_hosts
  return 0
}

# ---------------------------------------------------------------- other commands

cmd_status() {
  local name addr flavor netns sshd db link
  local -a names=("$@")
  ((${#names[@]})) || mapfile -t names < <(known_host_names)
  printf '%-12s %-15s %-10s %-6s %-6s %-6s %s\n' NAME ADDRESS FLAVOR SSHD DB NETNS LINK
  for name in "${names[@]}"; do
    addr=$(host_address "$name" || echo -)
    flavor=$(host_flavor "$name")
    netns=no; sshd=down; db=down; link=-
    if netns_ok "$(host_ns "$name")"; then
      netns=yes
      if host_init_pid "$name" >/dev/null; then
        sshd_running "$name" && sshd=up
        if is_pg_flavor "$flavor"; then pg_running "$name" && db=up
        else mysql_running "$name" && db=up; fi
      fi
      link=$(link_summary "$name")
    fi
    printf '%-12s %-15s %-10s %-6s %-6s %-6s %s\n' "$name" "$addr" "$flavor" "$sshd" "$db" "$netns" "$link"
  done
}

link_summary() {
  local name=$1 dir flags args rate
  local -a out=()
  flags=$(ip -o link show "$(root_veth "$name")" 2>/dev/null) || { echo broken; return; }
  [[ $flags =~ \<([^>]*) ]] && [[ ,${BASH_REMATCH[1]}, == *,UP,* ]] || { echo cut; return; }
  for dir in out in; do
    args="$(host_dir "$name")/netem-$dir.args"
    [[ -s $args ]] && out+=("netem-${dir}[$(<"$args")]")
    rate=$(tc -n "$(wire_ns "$name")" qdisc show dev "$(wire_dev_for "$dir")" 2>/dev/null)
    [[ $rate =~ tbf.*rate\ ([^ ]+) ]] && out+=("rate-${dir}[${BASH_REMATCH[1]}]")
  done
  if ((${#out[@]})); then echo "${out[*]}"; else echo ok; fi
}

cmd_exec() {
  (($#)) || die "usage: lab.sh exec NAME [CMD ...]"
  local name=$1; shift
  validate_name "$name"
  require_root
  (($#)) || set -- bash -l
  # Like an SSH session: start in root's home on the host.
  in_host "$name" env HOME=/root sh -c 'cd /root 2>/dev/null || cd /; exec "$@"' sh "$@"
}

cmd_ssh() {
  (($#)) || die "usage: lab.sh ssh NAME [CMD ...]"
  local name=$1 addr; shift
  validate_name "$name"
  addr=$(host_address "$name") || die "unknown host '$name'"
  exec ssh "${SSH_OPTS[@]}" "root@$addr" "$@"
}

cmd_env() {
  (($# >= 1 && $# <= 2)) || die "usage: lab.sh env NAME [PREFIX]"
  local name=$1 p=${2:-SWLAB_} addr hd flavor
  validate_name "$name"
  addr=$(host_address "$name") || die "unknown host '$name' (never brought up)"
  hd=$(host_dir "$name")
  flavor=$(host_flavor "$name")
  q() { printf "%s%s='%s'\n" "$p" "$1" "${2//\'/\'\\\'\'}"; }
  q NAME "$name"
  q ADDRESS "$addr"
  q FLAVOR "$flavor"
  q NETNS "$(host_ns "$name")"
  q BRIDGE_ADDRESS "$BRIDGE_ADDR"
  q CLIENT_ADDRESS "$CLIENT_ADDR"
  q SSH_HOST "$addr"
  q SSH_PORT 22
  q SSH_USER root
  q SSH_KEY "$CLIENT_KEY"
  q SSH_KNOWN_HOSTS "$KNOWN_HOSTS"
  if ! is_pg_flavor "$flavor"; then
    mysql_env "$name" "$addr" "$flavor"
    return 0
  fi
  pg_env "$name" "$addr"
}

cmd_reset() {
  (($#)) || die "usage: lab.sh reset NAME ..."
  require_root
  take_lock
  local name addr
  for name in "$@"; do
    validate_name "$name"
    addr=$(host_address "$name") || die "unknown host '$name'"
    host_init_pid "$name" >/dev/null || die "host '$name' is not running (try: lab.sh up $name)"
    if ! is_pg_flavor "$(host_flavor "$name")"; then
      reset_mysql "$name" "$addr"
      continue
    fi
    reset_postgres "$name" "$addr"
  done
}

need_running_host() {
  validate_name "$1"
  host_address "$1" >/dev/null || die "unknown host '$1'"
  netns_ok "$(wire_ns "$1")" || die "host '$1' is not up"
}

parse_dir() { # sets DIRS from --dir VALUE (default $1)
  DIRS=()
  case $1 in
    out) DIRS=(out) ;; in) DIRS=(in) ;; both) DIRS=(out in) ;;
    *) die "--dir must be out, in or both" ;;
  esac
}

cmd_netem() {
  (($# >= 2)) || die "usage: lab.sh netem NAME 'delay 100ms [10ms] | loss 5% | off' [--dir out|in|both]"
  local name=$1 dir=out; shift
  local -a args=()
  while (($#)); do
    case $1 in
      --dir) dir=${2:-}; shift 2 || die "--dir needs a value" ;;
      *) read -ra words <<<"$1"; args+=("${words[@]}"); shift ;;
    esac
  done
  require_root
  need_running_host "$name"
  parse_dir "$dir"
  take_lock
  local d
  for d in "${DIRS[@]}"; do
    if [[ ${args[*]} == off || ${args[*]} == "" ]]; then
      stop_netem "$name" "$d"
    else
      start_netem "$name" "$d" "${args[@]}"
    fi
  done
}

cmd_rate() {
  (($# >= 2)) || die "usage: lab.sh rate NAME RATE|off [--dir out|in|both]   (RATE like 100mbit)"
  local name=$1 rate=$2 dir=both; shift 2
  while (($#)); do
    case $1 in
      --dir) dir=${2:-}; shift 2 || die "--dir needs a value" ;;
      *) die "unexpected argument '$1'" ;;
    esac
  done
  require_root
  need_running_host "$name"
  parse_dir "$dir"
  [[ $rate == off ]] || rate_bytes_per_sec "$rate" >/dev/null
  take_lock
  local d
  for d in "${DIRS[@]}"; do set_rate "$name" "$d" "$rate"; done
}

cmd_cut() {
  (($# == 1)) || die "usage: lab.sh cut NAME"
  require_root
  need_running_host "$1"
  take_lock
  # Unplugged upstream of the host: its own eth0 stays up, packets just vanish.
  ip link set "$(root_veth "$1")" down
}

cmd_heal() {
  (($# == 1)) || die "usage: lab.sh heal NAME"
  require_root
  need_running_host "$1"
  take_lock
  heal_host "$1"
}

# ---------------------------------------------------------------- pgbouncer

PGB_PORT=6432
PGB_ADMIN=pgbouncer

PGB_PIDFILE=/var/run/postgresql/pgbouncer.pid

# A daemon a subcommand started on a host, known by its pid file there.
daemon_running() { # NAME PIDFILE
  in_host "$1" sh -c 'pid=$(cat "$1" 2>/dev/null) && kill -0 "$pid"' sh "$2" 2>/dev/null
}

stop_daemon() { # NAME PIDFILE SIGNAL WHAT
  local name=$1 pidfile=$2
  daemon_running "$name" "$pidfile" || return 0
  in_host "$name" sh -c 'kill "-$2" "$(cat "$1")"' sh "$pidfile" "$3"
  wait_for 10 eval '! daemon_running "$name" "$pidfile"' || die "$name: $4 did not stop"
}

pgbouncer_running() { daemon_running "$1" "$PGB_PIDFILE"; }
stop_pgbouncer() { stop_daemon "$1" "$PGB_PIDFILE" INT pgbouncer; }

# The lab's whole /etc/pgbouncer, written afresh: the entries given, TLS with a
# self-signed certificate (kept between starts), the admin user and postgres
# with the lab password (plain in userlist.txt: PgBouncer logs in to the
# servers with it), and pgjdbc's extra_float_digits ignored.
write_pgbouncer_config() {
  local name=$1 addr=$2; shift 2
  local etc; etc="$(host_dir "$name")/fs/etc-pgbouncer"
  local password; password=$(<"$PASSWORD_FILE")
  if [[ ! -s $etc/lab-tls.crt ]]; then
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=$name" \
      -addext "subjectAltName=IP:$addr" -keyout "$etc/lab-tls.key" -out "$etc/lab-tls.crt" 2>/dev/null \
      || die "$name: cannot make a TLS certificate for pgbouncer"
  fi
  local entry db target
  {
    echo "[databases]"
    for entry in "$@"; do
      [[ $entry =~ ^([a-z_][a-z0-9_]*)=([0-9.]+)/([a-z_][a-z0-9_]*)$ ]] || die "bad entry '$entry'"
      db=${BASH_REMATCH[1]} target=${BASH_REMATCH[2]}
      echo "$db = host=$target port=$PG_PORT dbname=${BASH_REMATCH[3]}"
    done
    cat <<CONF

[pgbouncer]
logfile = /var/log/postgresql/pgbouncer.log
pidfile = $PGB_PIDFILE
listen_addr = *
listen_port = $PGB_PORT
unix_socket_dir = /var/run/postgresql
auth_type = scram-sha-256
auth_file = /etc/pgbouncer/userlist.txt
admin_users = $PGB_ADMIN
pool_mode = transaction
ignore_startup_parameters = extra_float_digits
client_tls_sslmode = allow
client_tls_key_file = /etc/pgbouncer/lab-tls.key
client_tls_cert_file = /etc/pgbouncer/lab-tls.crt
server_tls_sslmode = prefer
CONF
  } >"$etc/pgbouncer.ini"
  printf '"%s" "%s"\n"%s" "%s"\n' "$PGB_ADMIN" "$password" "$PG_ADMIN" "$password" >"$etc/userlist.txt"
  chown postgres:postgres "$etc"/{pgbouncer.ini,userlist.txt,lab-tls.key,lab-tls.crt}
  chmod 640 "$etc"/{pgbouncer.ini,userlist.txt}
  chmod 600 "$etc/lab-tls.key"
}

cmd_pgbouncer() {
  (($# >= 2)) || die "usage: lab.sh pgbouncer NAME start DB=ADDRESS/DBNAME ... | stop | status"
  local name=$1 action=$2; shift 2
  require_root
  need_running_host "$name"
  [[ $(host_flavor "$name") == postgres15 ]] || die "pgbouncer runs on postgres15 hosts only"
  case $action in
    start)
      (($#)) || die "pgbouncer start needs at least one DB=ADDRESS/DBNAME entry"
      local entry
      for entry in "$@"; do
        [[ $entry =~ ^[a-z_][a-z0-9_]*=[0-9.]+/[a-z_][a-z0-9_]*$ ]] \
          || die "pgbouncer entries look like DB=ADDRESS/DBNAME, not '$entry'"
      done
      take_lock
      stop_pgbouncer "$name"
      write_pgbouncer_config "$name" "$(host_address "$name")" "$@"
      in_host_clean "$name" su -s /bin/sh postgres -c 'pgbouncer -d -q /etc/pgbouncer/pgbouncer.ini' 9>&- \
        || die "$name: pgbouncer did not start (see /var/log/postgresql/pgbouncer.log on the host)"
      wait_for 10 tcp_open "$(host_address "$name")" "$PGB_PORT" || die "$name: pgbouncer is not listening on $PGB_PORT"
      say "$name: pgbouncer on $(host_address "$name"):$PGB_PORT" ;;
    stop) take_lock; stop_pgbouncer "$name" ;;
    status) if pgbouncer_running "$name"; then echo running; else echo stopped; return 3; fi ;;
    *) die "pgbouncer: start, stop or status, not '$action'" ;;
  esac
}

# ---------------------------------------------------------------- haproxy

HAP_PORT=3306
HAP_API_PORT=9999
HAP_PIDFILE=/run/haproxy/haproxy.pid

haproxy_running() { daemon_running "$1" "$HAP_PIDFILE"; }
# TERM, not HAProxy's soft stop (USR1), which waits for every session to end.
stop_haproxy() { stop_daemon "$1" "$HAP_PIDFILE" TERM haproxy; }

# /etc/haproxy and /run/haproxy are the machine's on a postgres15 host: the
# host gets its own, bound over them when HAProxy is first started there (and
# again after a reboot of the host, which forgets the binds), so two hosts
# never share a configuration, a pid file or the admin socket.
ensure_haproxy_dirs() {
  local name=$1 fs; fs="$(host_dir "$name")/fs"
  mkdir -p "$fs/etc-haproxy" "$fs/run-haproxy"
  [[ -d /etc/haproxy && -d /run/haproxy ]] || mkdir -p /etc/haproxy /run/haproxy
  in_host "$name" sh -c "
    mountpoint -q /etc/haproxy || mount --bind '$fs/etc-haproxy' /etc/haproxy
    mountpoint -q /run/haproxy || mount --bind '$fs/run-haproxy' /run/haproxy" \
    || die "$name: cannot give the host its own /etc/haproxy and /run/haproxy"
}

# TCP mode, no health check (the old source stays up, read-only, after a
# switchover: only the runtime API moves clients), and client/server timeouts
# longer than any test so idle pooled connections are not cut by HAProxy.
write_haproxy_config() {
  local name=$1 addr=$2 backend=$3
  cat >"$(host_dir "$name")/fs/etc-haproxy/haproxy.cfg" <<CONF
# Written by lab/lab.sh haproxy $name start $backend; rewritten at every start.
global
	stats socket /run/haproxy/admin.sock mode 660 level admin
	stats socket ipv4@$addr:$HAP_API_PORT level admin
	stats timeout 30s
	pidfile $HAP_PIDFILE
	user haproxy
	group haproxy
	daemon

defaults
	mode tcp
	timeout connect 2s
	timeout client 1h
	timeout server 1h

frontend mysql
	bind :$HAP_PORT
	default_backend mysql

backend mysql
	server primary $backend
CONF
}

cmd_haproxy() {
  (($# >= 2)) || die "usage: lab.sh haproxy NAME start BACKEND_ADDRESS:PORT | stop | status"
  local name=$1 action=$2; shift 2
  require_root
  need_running_host "$name"
  # mariadb and mysql hosts have their own server on :3306; mysql hosts' sid root has no haproxy.
  [[ $(host_flavor "$name") == postgres15 ]] || die "haproxy runs on postgres15 hosts only"
  case $action in
    start)
      if (($# != 1)) || [[ ! $1 =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+:[0-9]+$ ]]; then
        die "haproxy start needs one BACKEND_ADDRESS:PORT, e.g. 198.18.0.21:3306"
      fi
      command -v haproxy >/dev/null || die "no haproxy: run scripts/install-deps.sh"
      take_lock
      stop_haproxy "$name"
      ensure_haproxy_dirs "$name"
      write_haproxy_config "$name" "$(host_address "$name")" "$1"
      local out
      out=$(in_host_clean "$name" haproxy -f /etc/haproxy/haproxy.cfg 2>&1 9>&-) \
        || die "$name: haproxy did not start: $out"
      wait_for 10 tcp_open "$(host_address "$name")" "$HAP_API_PORT" \
        || die "$name: haproxy's runtime API is not listening on $HAP_API_PORT"
      say "$name: haproxy on $(host_address "$name"):$HAP_PORT -> $1, runtime API on $(host_address "$name"):$HAP_API_PORT" ;;
    stop) take_lock; stop_haproxy "$name" ;;
    status) if haproxy_running "$name"; then echo running; else echo stopped; return 3; fi ;;
    *) die "haproxy: start, stop or status, not '$action'" ;;
  esac
}

main() {
  (($#)) || usage 1
  local cmd=$1; shift
  case $cmd in
    up) cmd_up "$@" ;;
    down) cmd_down "$@" ;;
    status) cmd_status "$@" ;;
    exec) cmd_exec "$@" ;;
    ssh) cmd_ssh "$@" ;;
    env) cmd_env "$@" ;;
    reset) cmd_reset "$@" ;;
    netem) cmd_netem "$@" ;;
    rate) cmd_rate "$@" ;;
    cut) cmd_cut "$@" ;;
    heal) cmd_heal "$@" ;;
    pgbouncer) cmd_pgbouncer "$@" ;;
    haproxy) cmd_haproxy "$@" ;;
    -h | --help | help) usage 0 ;;
    *) echo "lab: unknown command '$cmd'" >&2; usage 1 ;;
  esac
}

main "$@"
