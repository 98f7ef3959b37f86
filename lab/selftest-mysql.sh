#!/usr/bin/env bash
# shellcheck disable=SC2317  # check functions are only called through check()
# End-to-end check of the lab's MariaDB and MySQL hosts (lab/lab.sh flavors
# mariadb and mysql). Uses its own hosts mdb1/mdb2 (MariaDB, 198.18.0.101/.102)
# and my1/my2 (sid's MySQL, 198.18.0.103/.104), so it never touches anybody
# else's lab hosts, and removes them at the end (SELFTEST_KEEP=1 keeps them).
# Proves what the GTID switchover work needs of them: sid's binaries over SSH,
# admin login over TLS from the root namespace, the server settings, reset,
# down/up keeping data, and GTID replication set up by hand between two hosts
# of each flavor. Exits non-zero if any check fails. Needs root,
# scripts/install-deps.sh, and builds the sid root (lab/sid-root.sh) if missing.
set -euo pipefail

LAB_SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LAB=$LAB_SRC/lab.sh
LAB_DIR=${SWITCHOVER_LAB_DIR:-/var/lib/switchover-lab}
MD1=mdb1 MDA1=198.18.0.101
MD2=mdb2 MDA2=198.18.0.102
MY1=my1 MYA1=198.18.0.103
MY2=my2 MYA2=198.18.0.104
HOSTS=("$MD1" "$MD2" "$MY1" "$MY2")
# shellcheck disable=SC2034  # KEY and KNOWN are for lab_ssh (selftest-lib.sh)
KEY=$LAB_DIR/client/id_ed25519 KNOWN=$LAB_DIR/client/known_hosts
PWFILE=$LAB_DIR/secrets/pg-admin-password
REPL_PW=Repl1cat0r

cleanup() {
  if [[ -z ${SELFTEST_KEEP:-} ]]; then
    "$LAB" down --purge "${HOSTS[@]}" >/dev/null 2>&1 || true
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT
# shellcheck source=lab/selftest-lib.sh
source "$LAB_SRC/selftest-lib.sh"

# The admin from the root namespace over TCP with TLS, with the machine's
# MariaDB client (which speaks to both servers): NAME SQL -> tab-separated rows.
admin_sql() {
  mariadb --defaults-extra-file="$LAB_DIR/hosts/$1/admin.cnf" --ssl --connect-timeout=5 -NBe "$2"
}

# The same with sid's own mysql client, from the root namespace too (a chroot
# changes only the files it sees), requiring TLS: ADDRESS SQL.
sid_mysql_sql() {
  local root; root=$("$LAB_SRC/sid-root.sh" --path)
  MYSQL_PWD=$(<"$PWFILE") chroot "$root" mysql -h "$1" -P 3306 -u admin --ssl-mode=REQUIRED \
    --connect-timeout=5 -NBe "$2"
}

# ---------------------------------------------------------------- checks

status_line() { "$LAB" status "$1" | awk -v h="$1" '$1 == h { print $3, $4, $5, $6, $7 }'; }

env_is() { # NAME VAR VALUE
  local v
  v=$("$LAB" env "$1" | sed -n "s/^SWLAB_$2='\\(.*\\)'\$/\\1/p")
  [[ $v == "$3" ]] || { echo "SWLAB_$2 is '$v', expected '$3'"; return 1; }
}

sid_mysqld_over_ssh() { # mysqld, the mysql client, mysqldump and sshd on the host are sid's
  local out
  out=$(lab_ssh "root@$1" 'mysqld --version; mysql --version; mysqldump --version; cat /etc/debian_version; ssh -V 2>&1') || return 1
  echo "$out"
  [[ $out == *"mysqld  Ver 9."*"(Debian)"* || $out == *"mysqld  Ver 8."*"(Debian)"* ]] || return 1
  grep -q '/sid$' <<<"$out"
}

mariadb_over_ssh() {
  local out
  out=$(lab_ssh "root@$1" 'mariadbd --version; mariadb -NBe "select @@version"') || return 1
  echo "$out"
  [[ $out == *"10.11."*"MariaDB"* ]]
}

root_socket_login() { expect_eq 1 lab_ssh "root@$1" 'mysql -NBe "select 1"'; }

tls_in_use() { # NAME: the admin's session is encrypted
  local c; c=$(admin_sql "$1" "show status like 'Ssl_cipher'" | cut -f2)
  echo "cipher: $c"; [[ -n $c ]]
}

mysql_settings() { # NAME SERVER_ID
  expect_eq "ON	$2	1	ROW	ON	1" admin_sql "$1" \
    'select @@gtid_mode, @@server_id, @@log_bin, @@binlog_format, @@enforce_gtid_consistency, @@log_replica_updates'
}

mariadb_settings() { # NAME SERVER_ID
  expect_eq "$2	1	ROW	1	1	YES" admin_sql "$1" \
    'select @@server_id, @@log_bin, @@binlog_format, @@gtid_strict_mode, @@log_slave_updates, @@have_ssl'
}

no_gtids() { # a fresh server: the lab's own setup wrote no transactions to the binlog
  local g
  if [[ $(host_flavor "$1") == mysql ]]; then g=$(admin_sql "$1" 'select @@gtid_executed')
  else g=$(admin_sql "$1" 'select @@gtid_binlog_pos'); fi
  echo "gtids: '$g'"; [[ -z $g ]]
}

host_flavor() { "$LAB" env "$1" | sed -n "s/^SWLAB_FLAVOR='\\(.*\\)'\$/\\1/p"; }

server_uuid() { admin_sql "$1" 'select @@server_uuid'; }

different_uuid() { # NAME OLD_UUID
  local now; now=$(server_uuid "$1")
  echo "before '$2', now '$now'"; [[ -n $now && $now != "$2" ]]
}

marker_exists() { expect_eq "$2" admin_sql "$1" 'select count(*) from information_schema.schemata where schema_name = "labtest"'; }

make_marker() {
  admin_sql "$1" 'create database labtest; create table labtest.t (id int primary key, v varchar(20)); insert into labtest.t values (1, "kept")'
}

service_cycle() { # ADDRESS: the stop/start commands the tool will use, over ssh
  lab_ssh "root@$1" 'lab-mysqld stop' || return 1
  lab_ssh "root@$1" 'lab-mysqld status' && { echo "still running after stop"; return 1; }
  lab_ssh "root@$1" 'lab-mysqld start' || return 1
  lab_ssh "root@$1" 'lab-mysqld status'
}

# GTID replication by hand, as the tool will set it up: a replication user on
# the source, the replica told to follow it by GTID over TLS.
repl_user() { # SOURCE_NAME
  admin_sql "$1" "create user 'repl'@'198.18.0.%' identified by '$REPL_PW' require ssl;
    grant replication slave on *.* to 'repl'@'198.18.0.%'"
}

start_mysql_replica() { # REPLICA_NAME SOURCE_ADDRESS
  admin_sql "$1" "change replication source to source_host='$2', source_port=3306,
      source_user='repl', source_password='$REPL_PW', source_auto_position=1, source_ssl=1,
      get_source_public_key=1;
    start replica"
}

start_mariadb_replica() { # REPLICA_NAME SOURCE_ADDRESS
  admin_sql "$1" "change master to master_host='$2', master_port=3306,
      master_user='repl', master_password='$REPL_PW', master_use_gtid=slave_pos, master_ssl=1;
    start slave"
}

replica_running() { # NAME SHOW-STATUS-SQL: both threads running, TLS in use (within 20 s)
  local s i
  for ((i = 0; i < 100; i++)); do
    s=$(mariadb --defaults-extra-file="$LAB_DIR/hosts/$1/admin.cnf" --ssl -e "$2" -E)
    if grep -Eq '(Replica|Slave)_IO_Running: Yes' <<<"$s" && grep -Eq '(Replica|Slave)_SQL_Running: Yes' <<<"$s" \
       && grep -Eq '_SSL_Allowed: Yes' <<<"$s"; then
      grep -E '_Running:|_SSL_Allowed|Using_Gtid|Auto_Position' <<<"$s"
      return 0
    fi
    sleep 0.2
  done
  grep -E 'Running:|Last_(IO_|SQL_)?Error:|_SSL_Allowed|Using_Gtid|Auto_Position' <<<"$s"
  return 1
}

row_replicates() { # SOURCE REPLICA VALUE
  admin_sql "$1" "insert into labtest.t values (2, '$3')" || return 1
  local i got
  for ((i = 0; i < 100; i++)); do
    got=$(admin_sql "$2" 'select v from labtest.t where id = 2' 2>/dev/null || true)
    [[ $got == "$3" ]] && { echo "replicated after $((i / 5)) s"; return 0; }
    sleep 0.2
  done
  echo "replica has '$got'"; return 1
}

same_gtids() { # SOURCE REPLICA SQL: the replica executed the source's GTIDs
  local a b
  a=$(admin_sql "$1" "$3"); b=$(admin_sql "$2" "$3")
  echo "source '$a', replica '$b'"
  [[ -n $a && $a == "$b" ]]
}

# ---------------------------------------------------------------- run

[[ $(id -u) -eq 0 ]] || { echo "selftest-mysql: must run as root" >&2; exit 1; }

must "sid root built or cached (lab/sid-root.sh)" "$LAB_SRC/sid-root.sh"
must "up $MD1 $MD2 (mariadb), $MY1 $MY2 (mysql)" \
  "$LAB" up "$MD1:$MDA1:mariadb" "$MD2:$MDA2:mariadb" "$MY1:$MYA1:mysql" "$MY2:$MYA2:mysql"
check "up is idempotent, the flavor is remembered (up NAME)" "$LAB" up "$MD1" "$MY1" "$MD2:$MDA2" "$MY2:$MYA2"
check "a host cannot change flavor" bash -c "! '$LAB' up $MY1:$MYA1:mariadb"
for h in "$MD1" "$MY1"; do
  check "status: $h up" expect_eq "$(host_flavor "$h") up up yes ok" status_line "$h"
done
check "env: $MY1 DB_KIND=mysql" env_is "$MY1" DB_KIND mysql
check "env: $MD1 MYSQL_SERVER_ID=101" env_is "$MD1" MYSQL_SERVER_ID 101
check "env: $MY1 MYSQL_START_CMD" env_is "$MY1" MYSQL_START_CMD "lab-mysqld start"

check "$MY1: mysqld, mysql, mysqldump over ssh are sid's MySQL" sid_mysqld_over_ssh "$MYA1"
check "$MD1: MariaDB 10.11 over ssh" mariadb_over_ssh "$MDA1"
for a in "$MDA1" "$MYA1"; do
  check "$a: root logs in through the socket over ssh" root_socket_login "$a"
done
check "$MY1: admin from the root ns with sid's client, --ssl-mode=REQUIRED" \
  expect_eq "1" sid_mysql_sql "$MYA1" 'select 1'
for h in "$MD1" "$MY1"; do
  check "$h: admin from the root ns over TCP with TLS (mariadb --ssl)" tls_in_use "$h"
done
check "$MY1: gtid_mode, server_id, log_bin, ROW, enforce_gtid_consistency, log_replica_updates" mysql_settings "$MY1" 103
check "$MY2: server_id 104" mysql_settings "$MY2" 104
check "$MD1: server_id, log_bin, ROW, gtid_strict_mode, log_slave_updates, TLS" mariadb_settings "$MD1" 101
check "$MD2: server_id 102" mariadb_settings "$MD2" 102
for h in "${HOSTS[@]}"; do check "$h: fresh server has no GTIDs" no_gtids "$h"; done
check "$MY1, $MY2: different server_uuid" bash -c "[[ '$(server_uuid "$MY1")' != '$(server_uuid "$MY2")' ]]"

check "$MY1: lab-mysqld stop/status/start over ssh" service_cycle "$MYA1"
check "$MD1: lab-mysqld stop/status/start over ssh" service_cycle "$MDA1"

check "$MY1: kill -9 mysqld" "$LAB" exec "$MY1" sh -c 'kill -9 $(cat /run/mysqld/mysqld.pid)'
check "status: $MY1 server down" expect_eq "mysql up down yes ok" status_line "$MY1"
check "$MD2: power cut (host init killed)" kill -9 "$(cat "$LAB_DIR/hosts/$MD2/init.pid")"
must "up repairs $MY1 and $MD2" "$LAB" up "$MY1" "$MD2"
check "$MY1: admin over TLS after repair" tls_in_use "$MY1"
check "$MD2: admin over TLS after repair" tls_in_use "$MD2"

uuid=$(server_uuid "$MY1")
check "$MY1: a database to lose" make_marker "$MY1"
check "$MD1: a database to lose" make_marker "$MD1"
check "reset $MY1 $MD1" "$LAB" reset "$MY1" "$MD1"
check "$MY1: new server_uuid after reset" different_uuid "$MY1" "$uuid"
check "$MY1: empty after reset" marker_exists "$MY1" 0
check "$MD1: empty after reset" marker_exists "$MD1" 0
check "$MY1: no GTIDs after reset" no_gtids "$MY1"
check "$MD1: no GTIDs after reset" no_gtids "$MD1"

check "$MY2: a database to keep" make_marker "$MY2"
check "$MD2: a database to keep" make_marker "$MD2"
uuid=$(server_uuid "$MY2")
check "down $MY2 $MD2" "$LAB" down "$MY2" "$MD2"
check "status: $MY2 down" expect_eq "mysql down down no -" status_line "$MY2"
must "up $MY2 $MD2 (names only)" "$LAB" up "$MY2" "$MD2"
check "$MY2: data kept across down/up" marker_exists "$MY2" 1
check "$MY2: same server_uuid after down/up" expect_eq "$uuid" server_uuid "$MY2"
check "$MD2: data kept across down/up" marker_exists "$MD2" 1
check "$MY2: still sid's MySQL after down/up" sid_mysqld_over_ssh "$MYA2"

# Replication: the sources are the hosts that were reset (empty), the replicas
# fresh from a reset too, so both sides start from no GTIDs at all.
check "reset $MY2 $MD2 (replicas start empty)" "$LAB" reset "$MY2" "$MD2"
check "$MY1: replication user" repl_user "$MY1"
check "$MY1: a table" make_marker "$MY1"
check "$MY2: CHANGE REPLICATION SOURCE ... SOURCE_AUTO_POSITION=1, SOURCE_SSL=1; START REPLICA" \
  start_mysql_replica "$MY2" "$MYA1"
check "$MY2: replica threads running over TLS" replica_running "$MY2" 'show replica status'
check "$MY1 -> $MY2: a row replicates" row_replicates "$MY1" "$MY2" mysql-row
check "$MY1 -> $MY2: same gtid_executed" same_gtids "$MY1" "$MY2" 'select @@gtid_executed'

check "$MD1: replication user" repl_user "$MD1"
check "$MD1: a table" make_marker "$MD1"
check "$MD2: CHANGE MASTER ... MASTER_USE_GTID=slave_pos, MASTER_SSL=1; START SLAVE" \
  start_mariadb_replica "$MD2" "$MDA1"
check "$MD2: replica threads running over TLS" replica_running "$MD2" 'show slave status'
check "$MD1 -> $MD2: a row replicates" row_replicates "$MD1" "$MD2" mariadb-row
check "$MD1 -> $MD2: same gtid_binlog_pos" same_gtids "$MD1" "$MD2" 'select @@gtid_binlog_pos'

check "netem/heal work on a mysql host" bash -c "'$LAB' netem $MY1 'delay 50ms' && '$LAB' heal $MY1"
check "down --purge ${HOSTS[*]}" "$LAB" down --purge "${HOSTS[@]}"
check "state dirs removed" bash -c "! ls -d $(printf "'$LAB_DIR/hosts/%s' " "${HOSTS[@]}") 2>/dev/null"

finish
