#!/usr/bin/env bash
# Builds, once per suite, a cached Debian root that lab hosts run in instead of
# the machine's own root, so that their servers, clients and sshd are that
# release's own:
#
#   sid     MySQL 9.7 (flavor mysql) and PostgreSQL 18 (flavor postgres18)
#   trixie  PostgreSQL 17 (flavor postgres17)
#
# debootstrap of the suite plus its packages. The roots are a cache outside the
# repository:
#
#   ${SWITCHOVER_LAB_CACHE:-/var/cache/switchover-lab}/SUITE-root        the root (a link to SUITE-roots/ID)
#   ${SWITCHOVER_LAB_CACHE:-/var/cache/switchover-lab}/SUITE-root.stamp  what was built, its ID
#
#   lab/debian-root.sh SUITE            build it if missing, partial or built by another recipe
#   lab/debian-root.sh SUITE --check    exit 0 if the cached root is complete, 1 if not (no build)
#   lab/debian-root.sh SUITE --path     print the root's path
#   lab/debian-root.sh SUITE --rebuild  build it again even if the cache is good
#
# A second run is a no-op in well under a second. Each build goes to a new
# SUITE-roots/ID; the link and then the stamp are switched to it only when it
# is complete, so an interrupted build is detected and redone. Running hosts
# keep the root they booted from (their overlay's lower layer): an old root is
# deleted by the first build or check that finds no mount using it. Needs root
# and debootstrap (scripts/install-deps.sh). A first build downloads 60-100 MB
# from deb.debian.org and takes a few minutes (dpkg is slow on 2 cores).
set -euo pipefail

SUITE=${1:-}
shift || true
CACHE_DIR=${SWITCHOVER_LAB_CACHE:-/var/cache/switchover-lab}
# What the hosts run, per suite. python3-minimal: the host's init
# (lab/host-init.sh) is a few lines of Python, and after pivot_root only the
# root's binaries exist. fio: switchover benchmarks the target's disk with it.
# postgresql-N creates no cluster (see build): every lab host makes its own.
COMMON=(openssh-server openssh-client procps iproute2 iputils-ping ca-certificates openssl
  python3-minimal less)
case $SUITE in
  sid)
    MIRROR=${SWITCHOVER_SID_MIRROR:-http://deb.debian.org/debian}
    PACKAGES=(mysql-server mysql-client "${COMMON[@]}" postgresql-18 fio)
    # Files a complete root has; the versions the stamp records.
    KEY_FILES=(usr/sbin/mysqld usr/bin/mysql usr/bin/mysqldump usr/lib/postgresql/18/bin/postgres)
    VERSIONS=(mysql-server-core mysql-server openssh-server python3-minimal postgresql-18)
    ;;
  trixie)
    MIRROR=${SWITCHOVER_TRIXIE_MIRROR:-http://deb.debian.org/debian}
    PACKAGES=("${COMMON[@]}" postgresql-17 fio)
    KEY_FILES=(usr/lib/postgresql/17/bin/postgres usr/bin/pg_basebackup)
    VERSIONS=(openssh-server python3-minimal postgresql-17)
    ;;
  -h | --help | '') sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
  *) echo "debian-root: error: unknown suite '$SUITE' (sid or trixie)" >&2; exit 1 ;;
esac
ROOT=$CACHE_DIR/$SUITE-root
ROOTS=$CACHE_DIR/$SUITE-roots
STAMP=$CACHE_DIR/$SUITE-root.stamp
LOCK=$CACHE_DIR/$SUITE-root.lock
LOG=$CACHE_DIR/$SUITE-root.build.log
# Bump when the build steps change: a root built by another recipe is rebuilt.
# (The sid root's spec is the one lab/sid-root.sh wrote before trixie joined: a
# cached sid root stays valid.)
RECIPE=3
SPEC="recipe=$RECIPE suite=$SUITE mirror=$MIRROR packages=${PACKAGES[*]}"
CLEAN_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

die() { echo "$SUITE-root: error: $*" >&2; exit 1; }
say() { echo "$SUITE-root: $*" >&2; }

# The cached root is usable: stamp written by this recipe, the link points at
# the build it names, key binaries present.
root_ok() {
  [[ -s $STAMP ]] && [[ "$(sed -n 's/^spec: //p' "$STAMP")" == "$SPEC" ]] || return 1
  local id f
  id=$(sed -n 's/^id: //p' "$STAMP")
  [[ -n $id && "$(readlink "$ROOT")" == "$SUITE-roots/$id" ]] || return 1
  for f in "${KEY_FILES[@]}" usr/sbin/sshd usr/bin/python3 usr/bin/pgrep usr/sbin/ip etc/passwd; do
    [[ -e $ROOT/$f || -L $ROOT/$f ]] || return 1
  done
  [[ "$(cat "$ROOT/etc/switchover-lab-root" 2>/dev/null)" == "$id" ]]
}

# Builds that are neither the current one nor mounted (as a host's lower layer,
# or by a build in progress) are deleted.
remove_old_roots() {
  local d current
  current=$(readlink "$ROOT" 2>/dev/null || true)
  for d in "$ROOTS"/*; do
    [[ -d $d && "$SUITE-roots/${d##*/}" != "$current" ]] || continue
    if grep -qsF -- "$d" /proc/[0-9]*/mountinfo; then
      say "keeping old root $d: a running lab host still uses it"
    else
      rm -rf "$d"
    fi
  done
}

# Runs the second half of the build in a private mount and PID namespace: the
# chroot's /proc and /dev vanish with it, and any daemon a maintainer script
# might start is killed when the namespace's init exits.
in_build_chroot() { # DIR CMD...
  local dir=$1; shift
  unshare --mount --pid --fork --propagation private -- \
    /bin/sh -ec 'dir=$1; shift
      mount -t proc proc "$dir/proc"
      mount --rbind /dev "$dir/dev"
      exec chroot "$dir" "$@"' sh "$dir" \
    env -i PATH="$CLEAN_PATH" HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}

build() {
  local id new t0=$SECONDS
  command -v debootstrap >/dev/null || die "debootstrap is missing: run scripts/install-deps.sh"
  remove_old_roots
  id="$(date -u +%Y%m%dT%H%M%SZ)"
  new=$ROOTS/$id
  mkdir -p "$ROOTS"
  rm -rf "$new"
  mkdir -p "$new"
  say "debootstrap $SUITE into $new (minbase)"
  debootstrap --variant=minbase --components=main "$SUITE" "$new" "$MIRROR" \
    >"$LOG" 2>&1 \
    || die "debootstrap failed: $(tail -n 5 "$LOG")"
  say "debootstrap took $((SECONDS - t0)) s"

  # No service starts inside the chroot (101 = action forbidden). It stays in
  # the root: lab hosts have no init system, the lab starts daemons itself.
  printf '#!/bin/sh\n# switchover lab: no service starts from maintainer scripts\nexit 101\n' \
    >"$new/usr/sbin/policy-rc.d"
  chmod 755 "$new/usr/sbin/policy-rc.d"
  # No fsync per file (the root is rebuilt if a crash breaks it), no docs.
  echo force-unsafe-io >"$new/etc/dpkg/dpkg.cfg.d/switchover-lab-unsafe-io"
  cat >"$new/etc/dpkg/dpkg.cfg.d/switchover-lab-nodoc" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
EOF
  # The mirror may serve a sid whose Release file's Valid-Until has passed
  # (a frozen copy): its signature is still checked.
  printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\nAcquire::Check-Valid-Until "false";\n' \
    >"$new/etc/apt/apt.conf.d/99switchover-lab"
  cp /etc/resolv.conf "$new/etc/resolv.conf"
  # Every lab host makes its own clusters.
  mkdir -p "$new/etc/postgresql-common/createcluster.d"
  echo 'create_main_cluster = false' >"$new/etc/postgresql-common/createcluster.d/switchover-lab.conf"

  local t1=$SECONDS
  say "installing ${PACKAGES[*]}"
  {
    in_build_chroot "$new" apt-get update -q --error-on=any
    in_build_chroot "$new" apt-get install -y -q "${PACKAGES[@]}"
    in_build_chroot "$new" apt-get clean
  } >>"$LOG" 2>&1 \
    || die "installing packages failed: $(tail -n 8 "$LOG")"
  say "packages took $((SECONDS - t1)) s"

  # Every lab host brings its own data directory and host keys.
  rm -rf "${new:?}"/var/lib/mysql/* "${new:?}"/var/lib/mysql-files/* 2>/dev/null || true
  rm -f "$new"/etc/ssh/ssh_host_*
  rm -rf "${new:?}"/var/lib/apt/lists/* "${new:?}"/var/cache/apt/*.bin
  : >"$new/etc/resolv.conf"

  echo "$id" >"$new/etc/switchover-lab-root"
  # A root left by hand as a plain directory is replaced too.
  [[ -L $ROOT || ! -e $ROOT ]] || rm -rf "$ROOT"
  ln -sfn "$SUITE-roots/$id" "$ROOT.tmp"
  mv -T "$ROOT.tmp" "$ROOT"
  {
    echo "spec: $SPEC"
    echo "id: $id"
    echo "built: $(date -u -Is) in $((SECONDS - t0)) s"
    chroot "$ROOT" dpkg-query -W -f='version: ${Package} ${Version}\n' "${VERSIONS[@]}" 2>/dev/null \
      | grep -v ' $' || true
    if [[ -x $ROOT/usr/sbin/mysqld ]]; then chroot "$ROOT" /usr/sbin/mysqld --version 2>/dev/null | sed 's/^/mysqld: /' || true; fi
    echo "size: $(du -sh "$ROOT/" | cut -f1)"
  } >"$STAMP.tmp"
  mv "$STAMP.tmp" "$STAMP"
  remove_old_roots
  say "built $ROOT in $((SECONDS - t0)) s"
  sed "s/^/$SUITE-root:   /" "$STAMP" >&2
}

main() {
  case ${1:-} in
    --path) echo "$ROOT"; exit 0 ;;
    --check) root_ok; exit ;;
    --rebuild | '') ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
  [[ $(id -u) -eq 0 ]] || die "must be run as root"
  if [[ ${1:-} != --rebuild ]] && root_ok; then
    say "cached root is complete: $ROOT ($(sed -n 's/^version: \(mysql-server\|postgresql-[0-9]*\) /\1 /p' "$STAMP" | paste -sd, -))"
    # Leftovers of an interrupted or replaced build, unless a build is running.
    if [[ -n "$(find "$ROOTS" -mindepth 1 -maxdepth 1 \! -name "$(readlink "$ROOT" | sed 's|.*/||')" -print -quit)" ]]; then
      exec 8>"$LOCK"
      if flock -n 8; then remove_old_roots; fi
    fi
    exit 0
  fi
  mkdir -p "$CACHE_DIR"
  exec 8>"$LOCK"
  flock -w 3600 8 || die "timed out waiting for another build ($LOCK)"
  # Another run may have finished the build while we waited.
  if [[ ${1:-} != --rebuild ]] && root_ok; then exit 0; fi
  if [[ ${1:-} == --rebuild ]]; then say "rebuilding as asked"
  elif [[ -e $ROOT || -e $STAMP ]]; then say "cached root is incomplete or from another recipe: rebuilding"
  fi
  build
}

main "$@"
