# The two commands a newcomer needs: `make demo` and `make test`. Both install what is missing.
SHELL := /bin/bash
MVN := mvn -B -ntp

.PHONY: demo demo-down test bench deps sid-root trixie-root lab-roots build unit clean lab-down

## demo: a real migration end to end on local lab hosts, with an embedded Temporal.
## ENGINE=mysql or ENGINE=mariadb migrates those instead of PostgreSQL.
ENGINE ?= postgresql
## The jar is built by ./switchover, and only when the sources changed since it was built.
demo: deps
	if [ "$(ENGINE)" = mysql ]; then lab/sid-root.sh; fi
	scripts/demo.sh --engine "$(ENGINE)"

## demo-down: stop the demo's lab hosts only (src/dst, mysrc/mydst, mdsrc/mddst), not the tests'.
demo-down:
	lab/lab.sh down src dst mysrc mydst mdsrc mddst

## test: every test, unit and integration (lab hosts, real servers).
test: deps lab-roots
	$(MVN) verify

## bench: cutover write-unavailability (PostgreSQL through PgBouncer, physical and logical; MySQL), base copy
## (physical and logical) against pg_basebackup and pg_dump, orchestration overhead; writes
## bench/results/latest.json and latest.md.
## BENCH_ARGS="--only cutover --runs 3" runs a part (see --help).
bench: deps sid-root
	$(MVN) -q -pl bench -am package -DskipTests
	java -cp "$$(cat bench/target/classpath):bench/target/classes" dev.switchover.bench.BenchMain $(BENCH_ARGS)

## unit: the fast tests only (no lab, no root needed).
unit:
	$(MVN) test

deps:
	scripts/install-deps.sh

## lab-roots: the cached Debian roots that lab hosts of other releases run in, each built once
## and kept outside the repo; instant when the cache is complete (lab/debian-root.sh).
lab-roots: sid-root trixie-root

## sid-root: sid's, for MySQL 9.7 and PostgreSQL 18 hosts (~2 min to build).
sid-root: deps
	lab/debian-root.sh sid

## trixie-root: trixie's, for PostgreSQL 17 hosts (~1 min to build).
trixie-root: deps
	lab/debian-root.sh trixie

build:
	$(MVN) -q -DskipTests install

lab-down:
	lab/lab.sh down

clean:
	$(MVN) -q clean
