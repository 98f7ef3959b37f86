#!/usr/bin/env bash
# make demo: a real migration (PostgreSQL, or ENGINE=mysql|mariadb) between two local lab hosts, under a continuous writer.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(uname -s)" != Linux ] || [ "$(id -u)" != 0 ]; then
  echo "make demo needs root on Linux: its hosts are network namespaces with their own sshd and database server." >&2
  exit 1
fi
exec ./switchover demo "$@"
