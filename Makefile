# The two commands a newcomer needs: `make demo` and `make test`. Both install what is missing.
SHELL := /bin/bash
MVN := mvn -B -ntp

.PHONY: demo test deps build unit clean lab-down

## demo: a real migration end to end on local lab hosts, with an embedded Temporal.
demo: deps build
	scripts/demo.sh

## test: every test, unit and integration (lab hosts, real servers).
test: deps
	$(MVN) verify

## unit: the fast tests only (no lab, no root needed).
unit:
	$(MVN) test

deps:
	scripts/install-deps.sh

build:
	$(MVN) -q -DskipTests install

lab-down:
	lab/lab.sh down

clean:
	$(MVN) -q clean
