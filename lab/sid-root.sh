#!/usr/bin/env bash
# Builds, once, the Debian sid root that lab hosts of flavor "mysql" run in
# (lab/lab.sh up NAME:ADDRESS:mysql): debootstrap of sid plus mysql-server and
# openssh-server, so that mysqld, mysqldump, the mysql client and sshd on such a
# host are sid's own. The root is a cache outside the repository:
#
#   ${SWITCHOVER_LAB_CACHE:-/var/cache/switchover-lab}/sid-root        the root (a link to sid-roots/ID)
#   ${SWITCHOVER_LAB_CACHE:-/var/cache/switchover-lab}/sid-root.stamp  what was built, its ID
#
#   lab/sid-root.sh            build it if missing, partial or built by another recipe
#   lab/sid-root.sh --check    exit 0 if the cached root is complete, 1 if not (no build)
#   lab/sid-root.sh --path     print the root's path
#   lab/sid-root.sh --rebuild  build it again even if the cache is good
#
# A second run is a no-op in well under a second. Each build goes to a new
# sid-roots/ID; the link and then the stamp are switched to it only when it is
# complete, so an interrupted build is detected and redone. Running mysql hosts
# keep the root they booted from (their overlay's lower layer): an old root is
# deleted by the first build or check that finds no mount using it. Needs root and
# debootstrap (scripts/install-deps.sh). The first build downloads about 100 MB
# from deb.debian.org and takes several minutes (dpkg is slow on 2 cores).
set -euo pipefail

CACHE_DIR=${SWITCHOVER_LAB_CACHE:-/var/cache/switchover-lab}
ROOT=$CACHE_DIR/sid-root
ROOTS=$CACHE_DIR/sid-roots
STAMP=$CACHE_DIR/sid-root.stamp
MIRROR=${SWITCHOVER_SID_MIRROR:-http://deb.debian.org/debian}
SUITE=sid
# What the hosts run. python3-minimal: the host's init (lab/host-init.sh) is a
# few lines of Python, and after pivot_root only the sid root's binaries exist.
# postgresql-18 (no cluster is created) costs about 20 s and 50 MB, for PostgreSQL
# 18 hosts later. fio: switchover benchmarks the target's disk with it.
PACKAGES=(mysql-server mysql-client openssh-server openssh-client
  procps iproute2 iputils-ping ca-certificates openssl python3-minimal less
  postgresql-18 fio)
# Bump when the build steps change: a root built by another recipe is rebuilt.
RECIPE=3
SPEC="recipe=$RECIPE suite=$SUITE mirror=$MIRROR packages=${PACKAGES[*]}"
CLEAN_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

die() { echo "sid-root: error: $*" >&2; exit 1; }
say() { echo "sid-root: $*" >&2; }

# The cached root is usable: stamp written by this recipe, the link points at
# the build it names, key binaries present.
root_ok() {
  [[ -s $STAMP ]] && [[ "$(sed -n 's/^spec: //p' "$STAMP")" == "$SPEC" ]] || return 1
  local id f
  id=$(sed -n 's/^id: //p' "$STAMP")
  [[ -n $id && "$(readlink "$ROOT")" == "sid-roots/$id" ]] || return 1
  for f in usr/sbin/mysqld usr/bin/mysql usr/bin/mysqldump usr/sbin/sshd usr/bin/python3 \
           usr/bin/pgrep usr/sbin/ip etc/passwd; do
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
    [[ -d $d && "sid-roots/${d##*/}" != "$current" ]] || continue
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
    >"$CACHE_DIR/sid-root.build.log" 2>&1 \
    || die "debootstrap failed: $(tail -n 5 "$CACHE_DIR/sid-root.build.log")"
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
  } >>"$CACHE_DIR/sid-root.build.log" 2>&1 \
    || die "installing packages failed: $(tail -n 8 "$CACHE_DIR/sid-root.build.log")"
  say "packages took $((SECONDS - t1)) s"

  # Every lab host brings its own data directory and host keys.
  rm -rf "${new:?}"/var/lib/mysql/* "${new:?}"/var/lib/mysql-files/* 2>/dev/null || true
  rm -f "$new"/etc/ssh/ssh_host_*
  rm -rf "${new:?}"/var/lib/apt/lists/* "${new:?}"/var/cache/apt/*.bin
  : >"$new/etc/resolv.conf"

  echo "$id" >"$new/etc/switchover-lab-root"
  # A root left by hand as a plain directory is replaced too.
  [[ -L $ROOT || ! -e $ROOT ]] || rm -rf "$ROOT"
  ln -sfn "sid-roots/$id" "$ROOT.tmp"
  mv -T "$ROOT.tmp" "$ROOT"
  {
    echo "spec: $SPEC"
    echo "id: $id"
    echo "built: $(date -u -Is) in $((SECONDS - t0)) s"
    chroot "$ROOT" dpkg-query -W -f='version: ${Package} ${Version}\n' \
      mysql-server-core mysql-server openssh-server python3-minimal postgresql-18 2>/dev/null \
      | grep -v ' $' || true
    chroot "$ROOT" /usr/sbin/mysqld --version 2>/dev/null | sed 's/^/mysqld: /' || true
    echo "size: $(du -sh "$ROOT/" | cut -f1)"
  } >"$STAMP.tmp"
  mv "$STAMP.tmp" "$STAMP"
  remove_old_roots
  say "built $ROOT in $((SECONDS - t0)) s"
  sed 's/^/sid-root:   /' "$STAMP" >&2
}

main() {
  case ${1:-} in
    --path) echo "$ROOT"; exit 0 ;;
    --check) root_ok; exit ;;
    --rebuild | '') ;;
    -h | --help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
  [[ $(id -u) -eq 0 ]] || die "must be run as root"
  if [[ ${1:-} != --rebuild ]] && root_ok; then
    say "cached root is complete: $ROOT ($(sed -n 's/^mysqld: //p' "$STAMP"))"
    # Leftovers of an interrupted or replaced build, unless a build is running.
    if [[ -n "$(find "$ROOTS" -mindepth 1 -maxdepth 1 \! -name "$(readlink "$ROOT" | sed 's|.*/||')" -print -quit)" ]]; then
      exec 8>"$CACHE_DIR/sid-root.lock"
      if flock -n 8; then remove_old_roots; fi
    fi
    exit 0
  fi
  mkdir -p "$CACHE_DIR"
  exec 8>"$CACHE_DIR/sid-root.lock"
  flock -w 3600 8 || die "timed out waiting for another build ($CACHE_DIR/sid-root.lock)"
  # Another run may have finished the build while we waited.
  if [[ ${1:-} != --rebuild ]] && root_ok; then exit 0; fi
  if [[ ${1:-} == --rebuild ]]; then say "rebuilding as asked"
  elif [[ -e $ROOT || -e $STAMP ]]; then say "cached root is incomplete or from another recipe: rebuilding"
  fi
  build
}

main "$@"
