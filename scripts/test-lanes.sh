#!/usr/bin/env bash
# `make test` after the build: the worker's end-to-end tests (the longest, about 35 minutes) in
# one lane, the other modules' tests (about 13 minutes) beside them in a second, so that the
# whole stays well under CI's limit. Each lane's lines carry its name; the exit status is the
# first failing lane's. The lanes share no lab host (each test class names its own).
set -uo pipefail
cd "$(dirname "$0")/.."
MVN=(mvn -B -ntp)

lane() {
  local name=$1
  shift
  "${MVN[@]}" "$@" 2>&1 | sed -u "s/^/[$name] /"
  return "${PIPESTATUS[0]}"
}

lane worker verify -pl worker,bench &
worker=$!
lane modules verify -pl workflows,activities,starter &
modules=$!

status=0
wait "$modules" || status=$?
wait "$worker" || { s=$?; [ "$status" -ne 0 ] || status=$s; }
if [ "$status" -ne 0 ]; then
  echo "make test: FAILED (see the [worker] and [modules] lines above for the failing tests)" >&2
fi
exit "$status"
