#!/usr/bin/env bash
# The Debian sid root of the lab's mysql and postgres18 hosts: lab/debian-root.sh
# sid, under the name the Makefile and older notes use. Same options
# (--check, --path, --rebuild).
exec "$(dirname "${BASH_SOURCE[0]}")/debian-root.sh" sid "$@"
