# The two commands a newcomer needs: `make demo` and `make test`. Both install what is missing.
SHELL := /bin/bash
MVN := mvn -B -ntp

.PHONY: demo demo-down test bench deps sid-root build unit clean lab-down

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
test: deps sid-root
	$(MVN) verify

## bench: cutover write-unavailability (PostgreSQL through PgBouncer, MySQL), base copy against
## pg_basebackup and pg_dump, orchestration overhead; writes bench/results/latest.json and latest.md.
## BENCH_ARGS="--only cutover --runs 3" runs a part (see --help).
bench: deps sid-root
	$(MVN) -q -pl bench -am package -DskipTests
	java -cp "$$(cat bench/target/classpath):bench/target/classes" dev.switchover.bench.BenchMain $(BENCH_ARGS)

## unit: the fast tests only (no lab, no root needed).
unit:
	$(MVN) test

deps:
	scripts/install-deps.sh

## sid-root: the Debian sid root of the lab's MySQL hosts, built once (~2 min) and cached
## outside the repo; instant when the cache is complete.
sid-root: deps
	lab/sid-root.sh

build:
	$(MVN) -q -DskipTests install

lab-down:
	lab/lab.sh down

clean:
	$(MVN) -q clean
