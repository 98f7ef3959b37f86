# shellcheck shell=bash
# Lab hosts of flavor mariadb and mysql: sourced by lab/lab.sh, not run.
#
# mariadb  MariaDB 10.11 from the machine's own Debian packages, like the
#          postgres15 hosts: the machine's root with the host's own /etc/mysql,
#          /var/lib/mysql, /run/mysqld and /var/log/mysql bound over it.
# mysql    sid's MySQL: the host's root is the cached Debian sid root
#          (lab/sid-root.sh) under a per-host overlay (or a per-host copy where
#          overlayfs is not available), so mysqld, mysqldump, the mysql client
#          and sshd are sid's. The same MySQL paths are bound over it.
#
# Both: the server listens on port 3306 on all the host's addresses, server_id
# is the last octet of the address, binary logging is on (ROW), GTIDs are on
# (MySQL: gtid_mode + enforce_gtid_consistency; MariaDB: always, plus
# gtid_strict_mode), TLS is on, and the user 'admin'@'198.18.0.1' has every
# privilege with the lab's admin password. On the host root logs in through the
# socket (auth_socket / unix_socket) and `lab-mysqld start|stop|restart|status`
# runs the server. The lab's own settings are all in one file (MYSQL_LAB_CNF).

MYSQL_PORT=3306
MYSQL_ADMIN="admin"  # the admin user, like postgres on PG hosts
MYSQL_SOCKET=/run/mysqld/mysqld.sock
MYSQL_SERVICE=/usr/local/sbin/lab-mysqld

# The lab's settings file, relative to /etc/mysql: read after the package's own.
mysql_lab_cnf() { # FLAVOR
  if [[ $1 == mariadb ]]; then echo mariadb.conf.d/99-switchover-lab.cnf
  else echo mysql.conf.d/zz-switchover-lab.cnf; fi
}

sid_root() { "$LAB_SRC/sid-root.sh" --path; }

# uid/gid of the mysql user as the host sees it (the sid root has its own passwd).
mysql_owner() { # NAME -> "UID:GID"
  local root=''
  [[ $(host_flavor "$1") == mysql ]] && root=$(sid_root)
  local uid gid
  uid=$(awk -F: '$1 == "mysql" { print $3 }' "$root/etc/passwd")
  gid=$(awk -F: '$1 == "mysql" { print $3 }' "$root/etc/group")
  [[ -n $uid && -n $gid ]] || die "no 'mysql' user in $root/etc/passwd: install the server first"
  echo "$uid:$gid"
}

mysql_server_bin() { # FLAVOR
  if [[ $1 == mariadb ]]; then echo /usr/sbin/mariadbd; else echo /usr/sbin/mysqld; fi
}

# ---------------------------------------------------------------- files

ensure_mysql_fs() {
  local name=$1 flavor hd fs src owner
  flavor=$(host_flavor "$name"); hd=$(host_dir "$name"); fs=$hd/fs
  owner=$(mysql_owner "$name")
  if [[ $flavor == mariadb ]]; then src=/etc/mysql; else src=$(sid_root)/etc/mysql; fi
  mkdir -p "$fs"/{etc-mysql,var-lib-mysql,run-mysqld,var-log-mysql,local-sbin,tmp,root}
  # The package's configuration, once; the lab only adds its own file to it.
  if [[ ! -e $fs/etc-mysql/my.cnf && ! -L $fs/etc-mysql/my.cnf ]]; then
    cp -a "$src/." "$fs/etc-mysql/"
  fi
  # The uid can differ on a new machine that reuses this state dir.
  local d
  for d in var-lib-mysql run-mysqld var-log-mysql; do
    if [[ -n "$(find "$fs/$d" \( \! -uid "${owner%:*}" -o \! -gid "${owner#*:}" \) -print -quit)" ]]; then
      chown -R "$owner" "$fs/$d"
    fi
  done
  chmod 755 "$fs" "$fs/etc-mysql" "$fs/run-mysqld" "$fs/local-sbin"
  chmod 700 "$fs/var-lib-mysql"
  chmod 2750 "$fs/var-log-mysql"
  chmod 1777 "$fs/tmp"
  chmod 700 "$fs/root"
  cmp -s "$LAB_SRC/lab-mysqld" "$fs/local-sbin/lab-mysqld" \
    || install -m 755 "$LAB_SRC/lab-mysqld" "$fs/local-sbin/lab-mysqld"
  [[ $flavor == mariadb ]] && ensure_mariadb_cert "$name"
  return 0
}

# MySQL makes its own self-signed CA and certificates in the datadir when it is
# initialized; MariaDB does not, so each MariaDB host gets one here.
ensure_mariadb_cert() {
  local name=$1 dir addr
  dir="$(host_dir "$name")/fs/etc-mysql/lab-ssl"
  addr=$(host_address "$name")
  if [[ ! -s $dir/cert.pem || ! -s $dir/key.pem ]] \
     || ! openssl x509 -in "$dir/cert.pem" -noout -ext subjectAltName 2>/dev/null | grep -q "IP Address:$addr\$"; then
    mkdir -p "$dir"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=$name" \
      -addext "subjectAltName=IP:$addr" -keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null \
      || die "openssl could not make a certificate for '$name'"
  fi
  chown -R "$(mysql_owner "$name")" "$dir"
  chmod 750 "$dir"
  chmod 600 "$dir/key.pem"
  chmod 644 "$dir/cert.pem"
}

# ---------------------------------------------------------------- the sid root of a mysql host

overlay_works() { # LOWER DIR: can DIR hold an overlay's upper layer over LOWER?
  local d rc=0
  d=$(mktemp -d "$2/.overlay-probe.XXXXXX")
  mkdir "$d/u" "$d/w" "$d/m"
  unshare --mount --propagation private \
    mount -t overlay overlay -o "lowerdir=$1,upperdir=$d/u,workdir=$d/w" "$d/m" 2>/dev/null || rc=$?
  rm -rf "$d"
  return "$rc"
}

# Before a mysql host boots: its root layers exist and belong to the current
# sid root. Prints the sid root's real path (the overlay's lower layer). A new
# sid root build drops the host's changes to its root (never its MySQL data,
# /etc/mysql, /root or /tmp, which are bound from fs/).
prepare_sid_rootfs() {
  local name=$1 hd lower id mode
  hd=$(host_dir "$name")
  lower=$(readlink -f "$(sid_root)")
  [[ -s $lower/etc/switchover-lab-root ]] || die "no sid root at $lower: run lab/sid-root.sh"
  id=$(<"$lower/etc/switchover-lab-root")
  mkdir -p "$hd/root"
  if [[ ! -s $hd/root/mode ]]; then
    if [[ ${SWITCHOVER_LAB_ROOTFS:-} != copy ]] && overlay_works "$lower" "$hd/root"; then
      mode=overlay
    else
      mode=copy
    fi
    echo "$mode" >"$hd/root/mode"
  fi
  mode=$(<"$hd/root/mode")
  if [[ "$(cat "$hd/root/lower-id" 2>/dev/null)" != "$id" ]]; then
    [[ -e $hd/root/lower-id ]] && say "$name: the sid root was rebuilt ($id): the host's root starts afresh"
    rm -rf "$hd/root/upper" "$hd/root/work" "$hd/root/copy" "$hd/root/copy.tmp"
    if [[ $mode == copy ]]; then
      say "$name: copying the sid root (root mode copy: no overlayfs, or SWITCHOVER_LAB_ROOTFS=copy)"
      cp -a "$lower/." "$hd/root/copy.tmp"
      mv "$hd/root/copy.tmp" "$hd/root/copy"
    fi
    echo "$id" >"$hd/root/lower-id"
  fi
  if [[ $mode == overlay ]]; then mkdir -p "$hd/root/upper" "$hd/root/work"; fi
  echo "$lower"
}

# ---------------------------------------------------------------- server

mysql_running() { in_host "$1" "$MYSQL_SERVICE" status >/dev/null 2>&1; }

mysql_log_tail() {
  tail -n 8 "$(host_dir "$1")/fs/var-log-mysql/error.log" 2>/dev/null || true
}

mysql_lab_cnf_text() { # NAME ADDRESS FLAVOR
  local name=$1 addr=$2 flavor=$3
  cat <<EOF
# Generated by lab/lab.sh for lab host $name and rewritten by every 'up'.
# The lab's only changes to the package's configuration.
[mysqld]
bind_address = 0.0.0.0
port = $MYSQL_PORT
socket = $MYSQL_SOCKET
pid_file = /run/mysqld/mysqld.pid
log_error = /var/log/mysql/error.log
skip_name_resolve = ON
server_id = ${addr##*.}
log_bin = binlog
binlog_format = ROW
EOF
  if [[ $flavor == mariadb ]]; then
    cat <<EOF
# GTIDs are always on in MariaDB.
gtid_strict_mode = ON
# MySQL's default: a replica that is promoted has the transactions it applied in its binlog.
log_slave_updates = ON
ssl_cert = /etc/mysql/lab-ssl/cert.pem
ssl_key = /etc/mysql/lab-ssl/key.pem
ssl_ca = /etc/mysql/lab-ssl/cert.pem
EOF
  else
    cat <<EOF
gtid_mode = ON
enforce_gtid_consistency = ON
# TLS: the certificates MySQL generated in the datadir when it was initialized.
EOF
  fi
}

# An empty datadir: the system tables, root logging in through the socket only
# (as Debian's packages do it), no binary log events, no GTIDs.
init_mysql_datadir() {
  local name=$1 flavor hd fs log
  flavor=$(host_flavor "$name"); hd=$(host_dir "$name"); fs=$hd/fs; log=$hd/lab.log
  say "$name: creating the $flavor data directory"
  rm -f "$hd/db-initialized"
  find "$fs/var-lib-mysql" -mindepth 1 -delete
  if [[ $flavor == mariadb ]]; then
    in_host_clean "$name" mariadb-install-db --user=mysql --datadir=/var/lib/mysql \
      --skip-test-db --auth-root-authentication-method=socket >>"$log" 2>&1 \
      || die "mariadb-install-db failed on '$name' (see $log)"
  else
    cat >"$fs/tmp/lab-init.sql" <<'EOF'
SET SESSION sql_log_bin = 0;
INSTALL PLUGIN auth_socket SONAME 'auth_socket.so';
ALTER USER 'root'@'localhost' IDENTIFIED WITH 'auth_socket';
CREATE USER 'debian-sys-maint'@'localhost' IDENTIFIED WITH 'auth_socket' AS 'root';
GRANT ALL ON *.* TO 'debian-sys-maint'@'localhost' WITH GRANT OPTION;
EOF
    chmod 644 "$fs/tmp/lab-init.sql"
    in_host_clean "$name" mysqld --initialize-insecure --user=mysql --init-file=/tmp/lab-init.sql \
      >>"$log" 2>&1 || die "mysqld --initialize failed on '$name': $(mysql_log_tail "$name")"
    rm -f "$fs/tmp/lab-init.sql"
  fi
  touch "$hd/db-initialized"
}

# The root namespace's view of the admin login: a client option file.
write_admin_cnf() {
  local name=$1 addr=$2 f
  f="$(host_dir "$name")/admin.cnf"
  (umask 077; printf '[client]\nuser=%s\npassword=%s\nhost=%s\nport=%s\n' \
    "$MYSQL_ADMIN" "$(<"$PASSWORD_FILE")" "$addr" "$MYSQL_PORT" >"$f.tmp")
  if cmp -s "$f.tmp" "$f"; then rm -f "$f.tmp"; else mv "$f.tmp" "$f"; fi
}

# Over TCP with TLS, with the machine's MariaDB client (it speaks MySQL's
# caching_sha2_password too).
mysql_admin_login_works() { # NAME [ERRFILE]
  local name=$1 err=${2:-/dev/null}
  mariadb --defaults-extra-file="$(host_dir "$name")/admin.cnf" --ssl --connect-timeout=5 \
    -NBe 'select 1' >/dev/null 2>"$err"
}

# In the host as root (socket login), without writing to the binary log: the
# lab's own setup adds no GTIDs, so a fresh host's gtid_executed is empty.
mysql_root_sql() { # NAME < SQL
  in_host_clean "$1" mysql --no-defaults --protocol=socket --socket="$MYSQL_SOCKET" -uroot -NB \
    --init-command='SET SESSION sql_log_bin = 0'
}

ensure_mysql_admin() {
  local name=$1 addr=$2 err
  write_admin_cnf "$name" "$addr"
  mysql_admin_login_works "$name" && return 0
  # Via stdin, so the secret never shows up in a process list.
  printf "CREATE USER IF NOT EXISTS '%s'@'%s' IDENTIFIED BY '%s';
ALTER USER '%s'@'%s' IDENTIFIED BY '%s';
GRANT ALL PRIVILEGES ON *.* TO '%s'@'%s' WITH GRANT OPTION;\n" \
    "$MYSQL_ADMIN" "$BRIDGE_ADDR" "$(<"$PASSWORD_FILE")" \
    "$MYSQL_ADMIN" "$BRIDGE_ADDR" "$(<"$PASSWORD_FILE")" \
    "$MYSQL_ADMIN" "$BRIDGE_ADDR" | mysql_root_sql "$name" >/dev/null \
    || die "cannot create the admin user on '$name'"
  err="$(host_dir "$name")/login.err"
  mysql_admin_login_works "$name" "$err" \
    || die "cannot log in to $(host_flavor "$name") on '$name' ($addr) as $MYSQL_ADMIN with the lab password: $(<"$err")"
  rm -f "$err"
}

ensure_mysql() {
  local name=$1 addr=$2 flavor hd conf need='' fresh=''
  flavor=$(host_flavor "$name"); hd=$(host_dir "$name")
  conf="$hd/fs/etc-mysql/$(mysql_lab_cnf "$flavor")"
  if ! mysql_lab_cnf_text "$name" "$addr" "$flavor" | cmp -s - "$conf"; then
    mysql_lab_cnf_text "$name" "$addr" "$flavor" >"$conf"
    chmod 644 "$conf"
    need=restart
  fi
  if [[ ! -e $hd/db-initialized ]]; then
    if mysql_running "$name"; then in_host_clean "$name" "$MYSQL_SERVICE" stop >>"$hd/lab.log" 2>&1 || true; fi
    init_mysql_datadir "$name"
    fresh=1
  fi
  if mysql_running "$name"; then
    if [[ -n $need ]]; then
      in_host_clean "$name" "$MYSQL_SERVICE" restart >>"$hd/lab.log" 2>&1 9>&- \
        || die "$flavor did not restart on '$name': $(mysql_log_tail "$name")"
    fi
  else
    in_host_clean "$name" "$MYSQL_SERVICE" start >>"$hd/lab.log" 2>&1 9>&- \
      || die "$flavor did not start on '$name': $(mysql_log_tail "$name")"
  fi
  ensure_mysql_admin "$name" "$addr"
  [[ -n $fresh ]] && mysql_server_version "$name" >"$hd/server-version"
  return 0
}

mysql_server_version() { echo 'SELECT @@version' | mysql_root_sql "$1"; } # 9.7.4-2, 10.11.19-MariaDB-0+deb12u1-log

reset_mysql() {
  local name=$1 addr=$2 flavor hd fs
  flavor=$(host_flavor "$name"); hd=$(host_dir "$name"); fs=$hd/fs
  say "$name: recreating the $flavor server (empty data directory)"
  in_host_clean "$name" "$MYSQL_SERVICE" stop >>"$hd/lab.log" 2>&1 || true
  # A server that would not stop must not keep writing into the new datadir.
  in_host_clean "$name" sh -c "pids=\$(pgrep -x '$(basename "$(mysql_server_bin "$flavor")")'); [ -z \"\$pids\" ] || kill -9 \$pids" || true
  wait_for 10 in_host "$name" sh -c "! pgrep -x '$(basename "$(mysql_server_bin "$flavor")")' >/dev/null" || true
  rm -f "$hd/db-initialized"
  # Contents only: the host's bind mounts hold on to these directories.
  find "$fs/etc-mysql" "$fs/run-mysqld" -mindepth 1 -delete
  ensure_mysql_fs "$name"
  ensure_mysql "$name" "$addr"
}

mysql_env() { # NAME ADDRESS FLAVOR (q() from cmd_env)
  local name=$1 addr=$2 flavor=$3 hd
  hd=$(host_dir "$name")
  local client=mysql dump=mysqldump admin=mysqladmin binlog=mysqlbinlog jdbc=mysql ssl_ca=/var/lib/mysql/ca.pem
  if [[ $flavor == mariadb ]]; then
    client=mariadb dump=mariadb-dump admin=mariadb-admin binlog=mariadb-binlog jdbc=mariadb
    ssl_ca=/etc/mysql/lab-ssl/cert.pem
  fi
  q DB_KIND "$flavor"
  q MYSQL_HOST "$addr"
  q MYSQL_PORT "$MYSQL_PORT"
  q MYSQL_ADMIN_USER "$MYSQL_ADMIN"
  q MYSQL_ADMIN_PASSWORD_FILE "$PASSWORD_FILE"
  q MYSQL_ADMIN_CNF "$hd/admin.cnf"
  q MYSQL_JDBC_URL "jdbc:$jdbc://$addr:$MYSQL_PORT/"
  q MYSQL_SERVER_ID "${addr##*.}"
  q MYSQL_VERSION "$(cat "$hd/server-version" 2>/dev/null || true)"
  # Paths and commands as seen on the host (over SSH):
  q MYSQL_SERVER_BIN "$(mysql_server_bin "$flavor")"
  q MYSQL_CLIENT "/usr/bin/$client"
  q MYSQL_DUMP "/usr/bin/$dump"
  q MYSQL_ADMIN_TOOL "/usr/bin/$admin"
  q MYSQL_BINLOG_TOOL "/usr/bin/$binlog"
  q MYSQL_DATA_DIR /var/lib/mysql
  q MYSQL_CONF_DIR /etc/mysql
  q MYSQL_LAB_CNF "/etc/mysql/$(mysql_lab_cnf "$flavor")"
  q MYSQL_SOCKET "$MYSQL_SOCKET"
  q MYSQL_LOG_FILE /var/log/mysql/error.log
  q MYSQL_SSL_CA "$ssl_ca"
  q MYSQL_START_CMD "lab-mysqld start"
  q MYSQL_STOP_CMD "lab-mysqld stop"
  q MYSQL_RESTART_CMD "lab-mysqld restart"
  q MYSQL_STATUS_CMD "lab-mysqld status"
  # The same host's files from the root namespace (for test assertions):
  q STATE_DIR "$hd"
  q FS_DIR "$hd/fs"
  q MYSQL_DATA_DIR_FROM_ROOT "$hd/fs/var-lib-mysql"
  if [[ $flavor == mysql ]]; then
    q ROOT_DIR "$(readlink -f "$(sid_root)")"
  fi
}
