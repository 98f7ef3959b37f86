#!/bin/sh
# switchover traffic hook: points one HAProxy server at the new primary through HAProxy's
# runtime API, and cuts the sessions still open to the old one.
#
#   haproxy-switch.sh API BACKEND/SERVER
#
# API is where HAProxy's runtime API listens with `level admin`: HOST:PORT for a
# `stats socket ipv4@HOST:PORT level admin` line, or the path of a unix socket
# (`stats socket /run/haproxy/admin.sock mode 660 level admin`). Either argument may come from
# HAPROXY_API and HAPROXY_SERVER instead. The new primary is switchover's
# SWITCHOVER_TARGET_ADDRESS and SWITCHOVER_TARGET_PORT. Needs socat.
#
# In a spec:
#   traffic:
#     type: command
#     command:
#       command: /opt/switchover/examples/hooks/haproxy-switch.sh 198.18.0.151:9999 mysql/primary
#
# The change is made in the running HAProxy only: also point the server line of haproxy.cfg at
# the new primary, or a reload or restart of HAProxy sends clients back to the old source.
set -eu

die() { echo "haproxy-switch: $*" >&2; exit 1; }

api=${1:-${HAPROXY_API:-}}
server=${2:-${HAPROXY_SERVER:-}}
addr=${SWITCHOVER_TARGET_ADDRESS:-}
port=${SWITCHOVER_TARGET_PORT:-}
if [ -z "$api" ] || [ -z "$server" ]; then
  echo "usage: haproxy-switch.sh API BACKEND/SERVER" >&2
  exit 2
fi
case $server in
  */*) backend=${server%%/*} name=${server#*/} ;;
  *) die "'$server' is not BACKEND/SERVER" ;;
esac
if [ -z "$addr" ] || [ -z "$port" ]; then
  die "SWITCHOVER_TARGET_ADDRESS and SWITCHOVER_TARGET_PORT are not set (run me as switchover's traffic hook)"
fi
command -v socat >/dev/null || die "needs socat"

case $api in
  /*) peer=UNIX-CONNECT:$api ;;
  *:*) peer=TCP:$api ;;
  *) die "API '$api' is neither HOST:PORT nor the path of a unix socket" ;;
esac

# One command per connection: HAProxy answers it and closes.
api() {
  printf '%s\n' "$1" | socat -t 5 -T 10 - "$peer" 2>&1 \
    || die "cannot reach HAProxy's runtime API at $api"
}

# "ADDRESS PORT" of the server, as the running HAProxy has it. The columns are found by their
# names in the header line, which differs between HAProxy versions.
current() {
  out=$(api "show servers state $backend")
  printf '%s\n' "$out" | awk -v srv="$name" '
    /^# / { for (i = 2; i <= NF; i++) col[$i] = i - 1; next }
    col["srv_name"] && $col["srv_name"] == srv { print $col["srv_addr"], $col["srv_port"]; found = 1 }
    END { exit !found }' && return 0
  case $out in
    *"Can't find backend"*) die "HAProxy at $api has no backend '$backend'" ;;
    *"Permission denied"*) die "HAProxy's runtime API at $api is not at level admin: $out" ;;
    1*) die "HAProxy at $api has no server '$name' in backend '$backend'" ;;
    *) die "unexpected answer from HAProxy at $api to show servers state: $out" ;;
  esac
}

before=$(current)
if [ "$before" != "$addr $port" ]; then
  out=$(api "set server $backend/$name addr $addr port $port")
  case $out in
    *changed*|*"no need to change"*) ;;
    *) die "HAProxy refused to point $backend/$name at $addr:$port: $out" ;;
  esac
fi

# Always, even when the address was already right: a run stopped between the repoint and this
# cut (a crashed worker runs the hook again) would otherwise leave clients on the old, read-only
# source. A second cut only makes clients of the new primary reconnect to it.
out=$(api "shutdown sessions server $backend/$name")
[ -z "$(printf '%s' "$out" | tr -d '[:space:]')" ] || die "HAProxy did not shut down the sessions of $backend/$name: $out"

after=$(current)
[ "$after" = "$addr $port" ] || die "HAProxy reports $backend/$name at ${after% *}:${after#* } after the switch, not $addr:$port"
echo "haproxy-switch: $backend/$name at $addr:$port (was ${before% *}:${before#* }); its sessions shut down"
