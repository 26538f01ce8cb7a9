# txredis build targets. `make test` is what CI runs (with TXREDIS_REQUIRE_SERVER=1).
GO      ?= go
PKGS    ?= ./...
# Modules of their own (OpenTelemetry) that make test vets and tests too;
# examples/bench is left to bench-compare.
MODULES ?= otel/txredisotel examples/otel
FUZZTIME ?= 15s

.PHONY: test fmt-check vet race modules bench fuzz bench-compare bench-cluster bench-cache staticcheck

test: fmt-check vet race modules

fmt-check:
	@out=$$(gofmt -l . | grep -v '^examples/bench/' || true); \
	if [ -n "$$out" ]; then echo "gofmt wants to change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(PKGS)

race:
	$(GO) test -race -count=1 -timeout 12m $(PKGS)

# vet and test (with -race) each module of MODULES in its own directory.
modules:
	@for m in $(MODULES); do \
		echo "== $$m"; \
		(cd $$m && $(GO) vet ./... && $(GO) test -race -count=1 -timeout 5m ./...) || exit 1; \
	done

staticcheck:
	$(GO) run honnef.co/go/tools/cmd/staticcheck@latest $(PKGS)
	@for m in $(MODULES); do \
		(cd $$m && $(GO) run honnef.co/go/tools/cmd/staticcheck@latest ./...) || exit 1; \
	done

bench:
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)

# Short coverage-guided runs of every fuzz target.
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzReader$$' -fuzztime $(FUZZTIME) ./proto
	$(GO) test -run '^$$' -fuzz '^FuzzCmd$$' -fuzztime $(FUZZTIME) ./proto
	$(GO) test -run '^$$' -fuzz '^FuzzConnStream$$' -fuzztime $(FUZZTIME) ./conn

# Starts a redis-server on a free port and runs the comparison matrix
# (examples/bench is a module of its own; it needs the Go version its
# peers require, see examples/bench/go.mod). BENCHFLAGS narrows it, e.g.
# BENCHFLAGS="-rows getset-64,fire -rounds 3".
BENCHFLAGS ?=
bench-compare:
	cd examples/bench && $(GO) run . -matrix $(BENCHFLAGS)

# Starts a 3-master Redis Cluster and compares the cluster clients.
bench-cluster:
	cd examples/bench && ./compare-cluster.sh

# Starts a redis-server and compares client-side caching with rueidis.
bench-cache:
	cd examples/bench && ./cache-compare.sh
