# tkr: build, generate, test and run the playground.
#
#   make run       start the embedded playground (builds a local control plane on first use)
#   make test      verify generated files, vet, and run every test against a real API server
#   make generate  regenerate deepcopy code, CRDs, RBAC and webhook manifests
#   make build     build ./bin/tkr

SHELL := /usr/bin/env bash -o pipefail
GO ?= go
CONTROLLER_GEN := $(GO) tool -modfile=hack/tools/go.mod controller-gen
BENCHSTAT := $(GO) tool -modfile=hack/tools/go.mod benchstat
# One pass with the race detector: the control plane runs as separate processes, so -race only
# slows our own (concurrent) code, and a second non-race pass would double the build.
TEST_FLAGS ?= -race -count=1 -timeout=25m

.PHONY: all
all: build

.PHONY: build
build:
	$(GO) build -o bin/tkr ./cmd/tkr

.PHONY: generate
generate:
	$(CONTROLLER_GEN) object:headerFile=hack/boilerplate.go.txt paths=./api/...
	$(CONTROLLER_GEN) crd:allowDangerousTypes=false paths=./api/... output:crd:artifacts:config=config/crd/bases
	$(CONTROLLER_GEN) rbac:roleName=tkr-manager paths=./internal/... output:rbac:artifacts:config=config/rbac
	$(CONTROLLER_GEN) webhook paths=./internal/... output:webhook:artifacts:config=config/webhook
	./hack/capi-crds.sh

# Fails when a generated file differs from what `make generate` writes, so stale CRDs never land.
.PHONY: verify-generate
verify-generate: generate
	@if [ -n "$$(git status --porcelain -- api config)" ]; then \
	  echo "Generated files are stale or uncommitted; run 'make generate' and commit:"; \
	  git status --porcelain -- api config; git diff --stat -- api config; exit 1; fi

.PHONY: envtest-binaries
envtest-binaries:
	@./hack/envtest-binaries.sh >/dev/null

.PHONY: vet
vet:
	$(GO) vet ./...

.PHONY: test
test: verify-generate vet
	KUBEBUILDER_ASSETS="$$(./hack/envtest-binaries.sh)" $(GO) test $(TEST_FLAGS) ./...
	@echo "Benchmarks, one iteration each (figures for comparison come from 'make bench'):"
	KUBEBUILDER_ASSETS="$$(./hack/envtest-binaries.sh)" $(GO) test -count=1 -run '^$$' -bench . -benchtime=1x $(BENCH_PKGS)

# Benchmarks: the pure libraries and the webhook load test (which starts an API server).
BENCH_PKGS ?= ./pkg/... ./internal/vcenter/ ./test/load/

.PHONY: bench
bench:
	KUBEBUILDER_ASSETS="$$(./hack/envtest-binaries.sh)" $(GO) test -run '^$$' -bench . -benchmem -count 6 $(BENCH_PKGS) | tee bench.txt
	$(BENCHSTAT) bench.txt

.PHONY: run
run:
	$(GO) run ./cmd/tkr up
