# iamreach — see README.md. Two commands for a new user: `make demo`, `make test`.
SHELL := /bin/bash
BUILD ?= $(CURDIR)/.build
BIN   ?= $(BUILD)/bin/iamreach
GO    ?= go
PORT  ?= 8080
export GOFLAGS := -buildvcs=false

.PHONY: all build demo test test-go lint
all: build

# Each part keeps its targets in mk/<part>.mk (test-web, test-neo4j, …) and
# appends its test target to TEST_TARGETS.
TEST_TARGETS :=
include $(wildcard mk/*.mk)

build: web-build
	@mkdir -p $(dir $(BIN))
	$(GO) build -o $(BIN) ./cmd/iamreach

demo: build
	$(BIN) demo --listen 127.0.0.1:$(PORT)

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

test-go:
	$(GO) test -count=1 ./...

test: lint test-go $(TEST_TARGETS)
	@echo "make test: all suites passed"
