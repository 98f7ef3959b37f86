# shellcheck shell=bash
# Which root a lab host runs in: sourced by lab/lab.sh, not run.
#
# postgres15 and mariadb hosts run in the machine's own root (Debian bookworm's
# packages) with their database's paths bound over it. The other flavors run
# in a cached Debian root of another release (lab/debian-root.sh), under a
# per-host overlay (or a per-host copy where overlayfs is not available), so
# that the server, its client tools and sshd are that release's own:
#
#   mysql       sid     MySQL 9.7
#   postgres18  sid     PostgreSQL 18
#   postgres17  trixie  PostgreSQL 17

# The suite whose cached root the flavor runs in; empty for the machine's root.
flavor_suite() { # FLAVOR
  case $1 in
    mysql | postgres18) echo sid ;;
    postgres17) echo trixie ;;
    *) echo '' ;;
  esac
}

# The root the host's files come from: the cached root's real path, or '' (/).
host_root() { # NAME
  local suite
  suite=$(flavor_suite "$(host_flavor "$1")")
  [[ -z $suite ]] || readlink -f "$("$LAB_SRC/debian-root.sh" "$suite" --path)"
}

# Builds the flavor's root if it is missing: before the lab's lock, a first
# build takes minutes and other lab users need not wait for it.
ensure_flavor_root() { # FLAVOR
  local suite
  suite=$(flavor_suite "$1")
  [[ -n $suite ]] || return 0
  "$LAB_SRC/debian-root.sh" "$suite" --check || "$LAB_SRC/debian-root.sh" "$suite" \
    || die "cannot build the $suite root"
}

overlay_works() { # LOWER DIR: can DIR hold an overlay's upper layer over LOWER?
  local d rc=0
  d=$(mktemp -d "$2/.overlay-probe.XXXXXX")
  mkdir "$d/u" "$d/w" "$d/m"
  unshare --mount --propagation private \
    mount -t overlay overlay -o "lowerdir=$1,upperdir=$d/u,workdir=$d/w" "$d/m" 2>/dev/null || rc=$?
  rm -rf "$d"
  return "$rc"
}

# Before a host of a rooted flavor boots: its root layers exist and belong to
# the current build of its suite's root. Prints that root's real path (the
# overlay's lower layer). A new build drops the host's changes to its root
# (never its database's data, configuration and logs, /root or /tmp, which are
# bound from fs/).
prepare_rootfs() {
  local name=$1 hd lower id mode suite
  hd=$(host_dir "$name")
  suite=$(flavor_suite "$(host_flavor "$name")")
  lower=$(host_root "$name")
  [[ -s $lower/etc/switchover-lab-root ]] || die "no $suite root at $lower: run lab/debian-root.sh $suite"
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
    [[ -e $hd/root/lower-id ]] && say "$name: the $suite root was rebuilt ($id): the host's root starts afresh"
    rm -rf "$hd/root/upper" "$hd/root/work" "$hd/root/copy" "$hd/root/copy.tmp"
    if [[ $mode == copy ]]; then
      say "$name: copying the $suite root (root mode copy: no overlayfs, or SWITCHOVER_LAB_ROOTFS=copy)"
      cp -a "$lower/." "$hd/root/copy.tmp"
      mv "$hd/root/copy.tmp" "$hd/root/copy"
    fi
    echo "$id" >"$hd/root/lower-id"
  fi
  if [[ $mode == overlay ]]; then mkdir -p "$hd/root/upper" "$hd/root/work"; fi
  echo "$lower"
}
