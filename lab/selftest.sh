#!/usr/bin/env bash
# shellcheck disable=SC2317  # check functions are only called through check()
# End-to-end check of the lab (lab/lab.sh). Uses its own hosts lt1/lt2 on
# 198.18.0.241/.242 so it never touches anybody else's lab hosts, and removes
# them at the end (set SELFTEST_KEEP=1 to keep them for debugging). Other
# names and addresses: SELFTEST_HOSTS='NAME1:ADDRESS1 NAME2:ADDRESS2'.
# Exits non-zero if any check fails. Needs root and scripts/install-deps.sh.
set -euo pipefail

LAB="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lab.sh"
LAB_DIR=${SWITCHOVER_LAB_DIR:-/var/lib/switchover-lab}
read -r HA1 HA2 <<<"${SELFTEST_HOSTS:-lt1:198.18.0.241 lt2:198.18.0.242}"
H1=${HA1%%:*} A1=${HA1#*:}
H2=${HA2%%:*} A2=${HA2#*:}
KEY=$LAB_DIR/client/id_ed25519
KNOWN=$LAB_DIR/client/known_hosts
PWFILE=$LAB_DIR/secrets/pg-admin-password

cleanup() {
  if [[ -z ${SELFTEST_KEEP:-} ]]; then
    "$LAB" down --purge "$H1" "$H2" >/dev/null 2>&1 || true
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT
# shellcheck source=lab/selftest-lib.sh
source "$(dirname "$LAB")/selftest-lib.sh"

admin_sql() { # ADDRESS SQL -> output
  PGPASSWORD=$(<"$PWFILE") PGCONNECT_TIMEOUT=5 psql -X -w -h "$1" -U postgres -d postgres -Atc "$2"
}

# ---------------------------------------------------------------- checks

ssh_login() { lab_ssh "root@$1" true; }
ssh_hostname() { expect_eq "$2" lab_ssh "root@$1" hostname; }
local_psql() { expect_eq 1 lab_ssh "root@$1" "cd / && runuser -u postgres -- psql -XAtc 'select 1'"; }
tcp_admin() { expect_eq "$1" admin_sql "$1" 'select host(inet_server_addr())'; }
sysid() { admin_sql "$1" 'select system_identifier from pg_control_system()'; }
sysids() { echo "$(sysid "$A1")/$(sysid "$A2")"; }

different_sysids() {
  local s1 s2
  s1=$(sysid "$A1"); s2=$(sysid "$A2")
  echo "$H1=$s1 $H2=$s2"
  [[ -n $s1 && -n $s2 && $s1 != "$s2" ]]
}

host_to_host_tcp() { # from host $1 to address $2: ssh and postgres ports open
  lab_ssh "root@$1" "timeout 3 bash -c '</dev/tcp/$2/22' && timeout 3 bash -c '</dev/tcp/$2/5432'"
}

host_to_host_pg_hba() { # reachable, but Debian's pg_hba rejects hosts other than the bridge
  local out
  out=$(lab_ssh "root@$1" "cd / && runuser -u postgres -- psql -XAt -h $2 -c 'select 1'" 2>&1) && return 1
  echo "$out"
  [[ $out == *"no pg_hba.conf entry"* ]]
}

# Nothing listens on 198.18.0.1:1, so "refused" proves the packets got there and back.
hosts_reach_bridge() { lab_ssh "root@$1" "timeout 3 bash -c 'exec 3<>/dev/tcp/198.18.0.1/1' 2>&1 | grep -q refused"; }

no_default_route() { [[ -z "$("$LAB" exec "$1" ip route show default)" ]]; }

unknown_key_refused() {
  local out
  : >"$TMP/empty_known_hosts"
  out=$(ssh -F /dev/null -i "$KEY" -o UserKnownHostsFile="$TMP/empty_known_hosts" \
    -o StrictHostKeyChecking=yes -o BatchMode=yes -o ConnectTimeout=5 "root@$A1" true 2>&1) && return 1
  echo "$out"
  [[ $out == *"Host key verification failed"* ]]
}

wrong_key_refused() { # lt2's key filed under lt1's address
  local out
  awk -v a="$A1" -v b="$A2" '$1 == b { $1 = a; print }' "$KNOWN" >"$TMP/wrong_known_hosts"
  [[ -s $TMP/wrong_known_hosts ]] || { echo "no entry for $A2 in $KNOWN"; return 1; }
  out=$(ssh -F /dev/null -i "$KEY" -o UserKnownHostsFile="$TMP/wrong_known_hosts" \
    -o StrictHostKeyChecking=yes -o BatchMode=yes -o ConnectTimeout=5 "root@$A1" true 2>&1) && return 1
  echo "$out"
  [[ $out == *"REMOTE HOST IDENTIFICATION HAS CHANGED"* ]]
}

status_line() { "$LAB" status "$1" | awk -v h="$1" '$1 == h && $3 == "postgres15" { print $4, $5, $6, $7 }'; }

pg_service_cycle() { # the stop/start commands the tool will use, over ssh
  lab_ssh "root@$1" 'pg_ctlcluster 15 main stop' || return 1
  lab_ssh "root@$1" 'pg_ctlcluster 15 main status' && { echo "still running after stop"; return 1; }
  lab_ssh "root@$1" 'pg_ctlcluster 15 main start' || return 1
  lab_ssh "root@$1" 'pg_ctlcluster 15 main status'
}

isolated_process_table() { # PID 1 is the lab init; fewer postgres processes than the root ns sees
  local init inside all
  init=$(lab_ssh "root@$1" 'tr "\0" " " </proc/1/cmdline') || return 1
  inside=$(lab_ssh "root@$1" 'pgrep -c -x postgres') || return 1
  all=$(pgrep -c -x postgres)
  echo "pid 1: $init; postgres processes: $inside on the host, $all on the machine"
  [[ $init == *swlab-init* ]] && ((inside > 0 && inside < all))
}

kill_sshd_and_postgres() {
  "$LAB" exec "$1" sh -c "kill -9 \$(cat '$LAB_DIR/hosts/$1/sshd.pid') \$(head -n 1 /var/lib/postgresql/15/main/postmaster.pid)"
}

broken_is_detected() {
  local s
  s=$(status_line "$1"); echo "$s"
  [[ $s == "down down yes"* ]] || return 1
  [[ -e $LAB_DIR/hosts/$1/fs/var-lib-postgresql/15/main/postmaster.pid ]] || { echo "no stale postmaster.pid"; return 1; }
  expect_fail ssh_login "$2"
}

# A fully broken host: veth gone, init (hence everything) dead, stale pid files.
break_host_hard() {
  local pid
  pid=$(<"$LAB_DIR/hosts/$1/init.pid")
  kill -9 "$pid"
  ip link del "swv-$1"
  echo 99999 >"$LAB_DIR/hosts/$1/sshd.pid"
}

connect_ms() { # TCP connect time from the root namespace, in ms
  local t0=$EPOCHREALTIME
  timeout 5 bash -c "exec 3<>/dev/tcp/$1/22" || return 1
  echo $(((${EPOCHREALTIME/./} - ${t0/./}) / 1000))
}

delay_applies() {
  local ms; ms=$(connect_ms "$1") || return 1
  echo "connect took ${ms} ms"; ((ms >= 180))
}
delay_gone() {
  local ms; ms=$(connect_ms "$1") || return 1
  echo "connect took ${ms} ms"; ((ms < 100))
}

cut_times_out() {
  local t0=$SECONDS
  SSH_CONNECT_TIMEOUT=2 expect_fail lab_ssh "root@$1" true || return 1
  echo "failed after $((SECONDS - t0)) s"
  ((SECONDS - t0 <= 4))
}

rate_limits() { # 3 MB through an 8 mbit link (1 MB/s) takes about 3 s; unlimited, well under 1 s
  local t0=$EPOCHREALTIME ms bytes
  bytes=$(lab_ssh "root@$1" 'head -c 3000000 /dev/zero' | wc -c)
  ms=$(((${EPOCHREALTIME/./} - ${t0/./}) / 1000))
  echo "$bytes bytes took ${ms} ms"; ((bytes == 3000000 && ms >= 2000))
}

state_dirs_gone() { [[ ! -e $LAB_DIR/hosts/$H1 && ! -e $LAB_DIR/hosts/$H2 ]]; }
namespaces_gone() {
  local l; l=$(ip netns list)
  echo "$l"
  [[ ! $l =~ (swlab|swwire)-($H1|$H2)( |$) ]] && ! ip link show "swv-$H1" 2>/dev/null && ! ip link show "swv-$H2" 2>/dev/null
}

# ---------------------------------------------------------------- run

[[ $(id -u) -eq 0 ]] || { echo "selftest: must run as root" >&2; exit 1; }

must "up $H1 $H2" "$LAB" up "$H1:$A1" "$H2:$A2"
check "up is idempotent (second up succeeds)" "$LAB" up "$H1:$A1" "$H2:$A2"
check "address outside 198.18.0.0/24 refused" expect_fail "$LAB" up lt9:10.0.0.5
check "address .1 (bridge) refused" expect_fail "$LAB" up lt9:198.18.0.1
check "unknown flavor refused" expect_fail "$LAB" up lt9:198.18.0.9:oracle
check "status: $H1 all up" expect_eq "up up yes ok" status_line "$H1"
check "status: $H2 all up" expect_eq "up up yes ok" status_line "$H2"
for h in "$H1:$A1" "$H2:$A2"; do
  n=${h%:*} a=${h#*:}
  check "$n: strict-host-key ssh login" ssh_login "$a"
  check "$n: hostname is $n" ssh_hostname "$a" "$n"
  check "$n: psql as postgres over ssh" local_psql "$a"
  check "$n: admin TCP login from root ns, inet_server_addr = $a" tcp_admin "$a"
  check "$n: no default route" no_default_route "$n"
  check "$n: reaches the bridge address" hosts_reach_bridge "$a"
  check "$n: sees only its own processes" isolated_process_table "$a"
done
check "$H1 -> $H2 TCP reachable (22, 5432)" host_to_host_tcp "$A1" "$A2"
check "$H2 -> $H1 TCP reachable (22, 5432)" host_to_host_tcp "$A2" "$A1"
check "$H1 -> $H2 psql rejected by default pg_hba" host_to_host_pg_hba "$A1" "$A2"
check "clusters have different system identifiers" different_sysids
sysids_before=$(sysids)
check "unknown host key refused" unknown_key_refused
check "changed host key refused" wrong_key_refused
check "$H1: pg_ctlcluster stop/start over ssh" pg_service_cycle "$A1"
check "env prints sourceable variables" bash -c "eval \"\$('$LAB' env $H1 X_)\" && [[ \$X_ADDRESS == $A1 && -s \$X_PG_ADMIN_PASSWORD_FILE && -s \$X_SSH_KEY && \$X_FLAVOR == postgres15 && \$X_DB_KIND == postgresql ]]"

check "$H1: kill -9 sshd and postmaster" kill_sshd_and_postgres "$H1"
check "$H1: breakage visible (status, stale postmaster.pid, ssh fails)" broken_is_detected "$H1" "$A1"
check "$H2: hard break (init killed, veth deleted, stale sshd.pid)" break_host_hard "$H2"
must "up repairs both" "$LAB" up "$H1:$A1" "$H2:$A2"
check "$H1: ssh works after repair" ssh_login "$A1"
check "$H2: ssh works after repair" ssh_login "$A2"
check "$H1: postgres works after repair" tcp_admin "$A1"
check "$H2: postgres works after repair" tcp_admin "$A2"

check "netem $H1 'delay 200ms'" "$LAB" netem "$H1" 'delay 200ms'
check "delay is applied" delay_applies "$A1"
check "heal $H1" "$LAB" heal "$H1"
check "delay is gone after heal" delay_gone "$A1"
check "rate $H1 8mbit" "$LAB" rate "$H1" 8mbit
check "rate limit is applied" rate_limits "$A1"
check "heal $H1" "$LAB" heal "$H1"
check "cut $H1" "$LAB" cut "$H1"
check "status shows cut" expect_eq "up up yes cut" status_line "$H1"
check "ssh to cut host times out quickly" cut_times_out "$A1"
check "$H2 unaffected by cut of $H1" ssh_login "$A2"
check "heal $H1" "$LAB" heal "$H1"
check "ssh works after heal" ssh_login "$A1"

check "down $H1 $H2" "$LAB" down "$H1" "$H2"
check "namespaces and veths removed" namespaces_gone
check "down is idempotent" "$LAB" down "$H1" "$H2"
must "up again after down" "$LAB" up "$H1:$A1" "$H2:$A2"
check "ssh works after down/up" ssh_login "$A1"
check "clusters kept across down/up" expect_eq "$sysids_before" sysids

check "down --purge $H1 $H2" "$LAB" down --purge "$H1" "$H2"
check "namespaces removed after purge" namespaces_gone
check "state dirs removed after purge" state_dirs_gone

finish
