# shellcheck shell=bash
# Lab hosts of flavors postgres15, postgres17 and postgres18: sourced by
# lab/lab.sh, not run.
#
# postgres15  PostgreSQL 15 from the machine's own Debian packages: the
#             machine's root with the host's own /etc/postgresql,
#             /var/lib/postgresql, /run/postgresql, /var/log/postgresql (and
#             /etc/pgbouncer) bound over it.
# postgres17  trixie's PostgreSQL 17, postgres18 sid's PostgreSQL 18: the host
#             runs in that release's cached root (lab/roots.sh) with the same
#             paths bound over it.
#
# All: Debian's cluster VERSION/main (`pg_ctlcluster VERSION main start|stop`),
# listening on port 5432 on all the host's addresses, and the role postgres
# logging in from the worker's address (198.18.0.1) with the lab's admin
# password. wal_level and the rest stay at their defaults: configuring
# replication is the tool's job.

# The host's PostgreSQL major version, from its flavor.
pg_version() { local f; f=$(host_flavor "$1"); echo "${f#postgres}"; }

is_pg_flavor() { [[ $1 == postgres* ]]; }

# uid:gid of the postgres user as the host sees it (a cached root has its own passwd).
pg_owner() { # NAME -> "UID:GID"
  local root uid gid
  root=$(host_root "$1")
  uid=$(awk -F: '$1 == "postgres" { print $3 }' "$root/etc/passwd")
  gid=$(awk -F: '$1 == "postgres" { print $3 }' "$root/etc/group")
  [[ -n $uid && -n $gid ]] || die "no 'postgres' user in $root/etc/passwd: run scripts/install-deps.sh"
  echo "$uid:$gid"
}

ensure_pg_fs() {
  local name=$1 fs owner pg_uid
  fs="$(host_dir "$name")/fs"
  owner=$(pg_owner "$name")
  pg_uid=${owner%:*}
  mkdir -p "$fs"/{etc-postgresql,var-lib-postgresql,run-postgresql,var-log-postgresql,tmp,root}
  # PgBouncer is the machine's: only postgres15 hosts carry its configuration.
  if [[ $(host_flavor "$name") == postgres15 && ! -e $fs/etc-pgbouncer/pgbouncer.ini ]]; then
    mkdir -p "$fs/etc-pgbouncer"
    cp -a /etc/pgbouncer/. "$fs/etc-pgbouncer/"
  fi
  # The postgres uid can differ on a new machine that reuses this state dir:
  # re-own only when something is off, to keep `up` fast.
  local d
  for d in etc-postgresql var-lib-postgresql run-postgresql; do
    if [[ -n "$(find "$fs/$d" \! -uid "$pg_uid" -print -quit)" ]]; then
      chown -R "$owner" "$fs/$d"
    fi
  done
  if [[ -n "$(find "$fs/var-log-postgresql" -mindepth 1 \! -uid "$pg_uid" -print -quit)" ]]; then
    chown -R "$pg_uid" "$fs/var-log-postgresql"/*
  fi
  chown "0:${owner#*:}" "$fs/var-log-postgresql"
  chmod 755 "$fs" "$fs/etc-postgresql" "$fs/var-lib-postgresql"
  chmod 2775 "$fs/run-postgresql"
  chmod 1775 "$fs/var-log-postgresql"
  chmod 1777 "$fs/tmp"
  chmod 700 "$fs/root"
}

# Inside the host's PID namespace pgrep only sees that host's processes.
pg_processes_gone() { in_host "$1" sh -c '! pgrep -u postgres -x postgres >/dev/null'; }

pg_running() { in_host "$1" pg_ctlcluster "$(pg_version "$1")" "$PG_CLUSTER" status >/dev/null 2>&1; }

pg_log_tail() {
  tail -n 8 "$(host_dir "$1")/fs/var-log-postgresql/postgresql-$(pg_version "$1")-$PG_CLUSTER.log" 2>/dev/null || true
}

ensure_pg_cluster() {
  local name=$1 fs PG_VERSION
  fs="$(host_dir "$name")/fs"
  PG_VERSION=$(pg_version "$name")
  local data=$fs/var-lib-postgresql/$PG_VERSION/$PG_CLUSTER
  if [[ -f $fs/etc-postgresql/$PG_VERSION/$PG_CLUSTER/postgresql.conf && -f $data/PG_VERSION ]]; then
    # A copy cut short (a test run killed mid-copy) leaves a directory no server can start from:
    # pg_basebackup writes global/pg_control last. A lab host's cluster is disposable; make it anew.
    [[ -f $data/global/pg_control ]] || pg_running "$name" || {
      say "$name: the cluster in $data has no global/pg_control (a copy cut short): recreating it"
      in_host_clean "$name" pg_dropcluster "$PG_VERSION" "$PG_CLUSTER" >/dev/null 2>&1 || true
      rm -rf "${fs:?}/etc-postgresql/$PG_VERSION/$PG_CLUSTER" "${data:?}"
    }
  fi
  if [[ -f $fs/etc-postgresql/$PG_VERSION/$PG_CLUSTER/postgresql.conf && -f $data/PG_VERSION ]]; then
    return 0
  fi
  say "$name: creating PostgreSQL cluster $PG_VERSION/$PG_CLUSTER"
  # Leftovers of an interrupted creation would make pg_createcluster refuse.
  rm -rf "${fs:?}/etc-postgresql/$PG_VERSION/$PG_CLUSTER" "${fs:?}/var-lib-postgresql/$PG_VERSION/$PG_CLUSTER"
  in_host_clean "$name" pg_createcluster --locale C.UTF-8 "$PG_VERSION" "$PG_CLUSTER" \
    >>"$(host_dir "$name")/lab.log" 2>&1 \
    || die "pg_createcluster failed on '$name' (see $(host_dir "$name")/lab.log)"
}

# Only what the lab needs to reach the server; wal_level etc. stay at their
# defaults because configuring replication is the tool's job.
configure_pg() { # prints "restart" / "reload" when needed
  local name=$1 conf hba need='' key PG_VERSION
  PG_VERSION=$(pg_version "$name")
  conf="$(host_dir "$name")/fs/etc-postgresql/$PG_VERSION/$PG_CLUSTER"
  hba="$conf/pg_hba.conf"
  local -A want=([listen_addresses]='*' [port]="$PG_PORT" [password_encryption]=scram-sha-256)
  for key in "${!want[@]}"; do
    if [[ "$(conf_value "$conf/postgresql.conf" "$key")" != "${want[$key]}" ]]; then
      in_host "$name" pg_conftool "$PG_VERSION" "$PG_CLUSTER" set "$key" "${want[$key]}" >/dev/null
      need=restart
    fi
  done
  if ! grep -Eq "^host[[:space:]]+all[[:space:]]+${PG_ADMIN}[[:space:]]+${BRIDGE_ADDR}/32[[:space:]]+scram-sha-256" "$hba"; then
    {
      echo
      echo "# switchover lab: the tool and the tests connect from the root namespace (bridge address)"
      printf 'host    all             %-15s %-23s scram-sha-256\n' "$PG_ADMIN" "$BRIDGE_ADDR/32"
    } >>"$hba"
    [[ -n $need ]] || need=reload
  fi
  echo "$need"
}

# Value of the last uncommented "key = value" in a postgresql.conf, unquoted.
conf_value() {
  awk -v k="$2" '
    { sub(/#.*/, "") }
    $0 ~ "^[ \t]*" k "[ \t]*=" { v = $0; sub(/^[^=]*=[ \t]*/, "", v); sub(/[ \t]+$/, "", v); gsub(/\047/, "", v); last = v }
    END { print last }' "$1"
}

admin_login_works() { # ADDRESS [ERRFILE]
  local addr=$1 err=${2:-/dev/null}
  PGPASSWORD=$(<"$PASSWORD_FILE") PGCONNECT_TIMEOUT=5 \
    psql -X -w -h "$addr" -p "$PG_PORT" -U "$PG_ADMIN" -d postgres -Atqc 'select 1' >/dev/null 2>"$err"
}

ensure_pg_password() {
  local name=$1 addr=$2
  admin_login_works "$addr" && return 0
  if [[ "$(in_host_clean "$name" runuser -u postgres -- psql -XAtqc 'select pg_is_in_recovery()')" == f ]]; then
    # Via stdin, so the secret never shows up in a process list.
    printf "ALTER ROLE %s PASSWORD '%s';\n" "$PG_ADMIN" "$(<"$PASSWORD_FILE")" \
      | in_host_clean "$name" runuser -u postgres -- psql -XAtq -v ON_ERROR_STOP=1 >/dev/null
  fi
  local err; err="$(host_dir "$name")/login.err"
  admin_login_works "$addr" "$err" \
    || die "cannot log in to PostgreSQL on '$name' ($addr) as $PG_ADMIN with the lab password: $(<"$err")"
  rm -f "$err"
}

ensure_postgres() {
  local name=$1 addr=$2 need PG_VERSION
  PG_VERSION=$(pg_version "$name")
  ensure_pg_cluster "$name"
  need=$(configure_pg "$name")
  if pg_running "$name"; then
    case $need in
      restart) in_host_clean "$name" pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" restart 9>&- ;;
      reload) in_host_clean "$name" pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" reload ;;
    esac
  else
    # After a kill -9 of the postmaster its children exit on their own within
    # moments; a new postmaster refuses to start while they hold shared memory.
    wait_for 10 pg_processes_gone "$name" || true
    in_host_clean "$name" pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" start >>"$(host_dir "$name")/lab.log" 2>&1 9>&- \
      || die "PostgreSQL did not start on '$name': $(pg_log_tail "$name")"
  fi
  wait_for 30 in_host "$name" pg_isready -q -h /var/run/postgresql -p "$PG_PORT" -U "$PG_ADMIN" \
    || die "PostgreSQL on '$name' is not accepting connections: $(pg_log_tail "$name")"
  ensure_pg_password "$name" "$addr"
}

pg_env() { # NAME ADDRESS (q() from cmd_env)
  local name=$1 addr=$2 hd PG_VERSION pgc
  hd=$(host_dir "$name")
  PG_VERSION=$(pg_version "$name")
  pgc="pg_ctlcluster $PG_VERSION $PG_CLUSTER"
  q DB_KIND postgresql
  q PG_HOST "$addr"
  q PG_PORT "$PG_PORT"
  q PG_ADMIN_USER "$PG_ADMIN"
  q PG_ADMIN_PASSWORD_FILE "$PASSWORD_FILE"
  q PG_VERSION "$PG_VERSION"
  q PG_CLUSTER "$PG_CLUSTER"
  q PG_JDBC_URL "jdbc:postgresql://$addr:$PG_PORT/postgres"
  # Paths as seen on the host (over SSH):
  q PG_DATA_DIR "/var/lib/postgresql/$PG_VERSION/$PG_CLUSTER"
  q PG_CONF_DIR "/etc/postgresql/$PG_VERSION/$PG_CLUSTER"
  q PG_SOCKET_DIR /var/run/postgresql
  q PG_LOG_FILE "/var/log/postgresql/postgresql-$PG_VERSION-$PG_CLUSTER.log"
  q PG_BIN_DIR "/usr/lib/postgresql/$PG_VERSION/bin"
  q PG_START_CMD "$pgc start"
  q PG_STOP_CMD "$pgc stop"
  q PG_RESTART_CMD "$pgc restart"
  q PG_RELOAD_CMD "$pgc reload"
  q PG_STATUS_CMD "$pgc status"
  # The same host's files from the root namespace (for test assertions):
  q STATE_DIR "$hd"
  q FS_DIR "$hd/fs"
  q PG_DATA_DIR_FROM_ROOT "$hd/fs/var-lib-postgresql/$PG_VERSION/$PG_CLUSTER"
}

reset_postgres() { # NAME ADDRESS
  local name=$1 addr=$2 PG_VERSION
  PG_VERSION=$(pg_version "$name")
  say "$name: recreating PostgreSQL cluster"
  in_host_clean "$name" pg_dropcluster --stop "$PG_VERSION" "$PG_CLUSTER" >/dev/null 2>&1 || true
  # pg_dropcluster refuses a cluster it cannot stop; make sure nothing is left.
  in_host_clean "$name" sh -c 'pids=$(pgrep -u postgres -x postgres); [ -z "$pids" ] || kill -9 $pids' || true
  local fs; fs="$(host_dir "$name")/fs"
  rm -rf "${fs:?}/etc-postgresql/$PG_VERSION/$PG_CLUSTER" "${fs:?}/var-lib-postgresql/$PG_VERSION/$PG_CLUSTER"
  # Contents only: the host's bind mount holds on to the directory itself.
  if [[ -d $fs/etc-pgbouncer ]]; then
    find "$fs/etc-pgbouncer" -mindepth 1 -delete && cp -a /etc/pgbouncer/. "$fs/etc-pgbouncer/"
  fi
  ensure_postgres "$name" "$addr"
}
