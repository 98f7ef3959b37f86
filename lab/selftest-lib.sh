# shellcheck shell=bash
# The harness of the lab's self-tests (lab/selftest.sh, lab/selftest-mysql.sh),
# sourced after they set LAB, KEY and KNOWN. Each script defines cleanup() and
# its own checks; check/must record PASS/FAIL, finish prints the tally.

passed=0
failed=0
started=$SECONDS
TMP=$(mktemp -d)

log() { printf '%4ds  %s\n' $((SECONDS - started)) "$*"; }

# check DESCRIPTION CMD... : run CMD, record PASS/FAIL with its output on failure.
check() {
  local what=$1; shift
  if "$@" >"$TMP/out" 2>&1; then
    passed=$((passed + 1)); log "PASS  $what"
  else
    failed=$((failed + 1)); log "FAIL  $what"
    sed 's/^/        | /' "$TMP/out" | tail -n 15
  fi
}

# Fatal setup steps: nothing after them makes sense if they fail.
must() {
  local what=$1; shift
  check "$what" "$@"
  ((failed == 0)) || finish
}

finish() {
  log "$passed passed, $failed failed ($((SECONDS - started)) s)"
  echo "$passed passed, $failed failed"
  ((failed == 0))
  exit
}

# Exactly the strict form the tool uses: no accept-new, no ~/.ssh/config.
lab_ssh() { # [SSH OPTIONS...] ADDRESS CMD...   (ssh keeps the first value of an option)
  ssh -F /dev/null -i "$KEY" -o UserKnownHostsFile="$KNOWN" -o StrictHostKeyChecking=yes \
    -o BatchMode=yes -o ConnectTimeout="${SSH_CONNECT_TIMEOUT:-5}" "$@"
}

expect_eq() { # EXPECTED CMD... : CMD's stdout must equal EXPECTED
  local want=$1 got; shift
  got=$("$@") || { echo "command failed: $*"; echo "$got"; return 1; }
  [[ $got == "$want" ]] || { echo "expected '$want', got '$got'"; return 1; }
}

expect_fail() { # CMD... must fail
  if "$@"; then echo "unexpectedly succeeded: $*"; return 1; fi
}
