# Findings, diff, CI check and the generator (graph/findings, graph/diff,
# graph/rules, graph/gen). Unit and corpus tests run in `go test ./...`;
# test-analysis drives the built binary the way CI would: exit codes, SARIF
# file, diff of two snapshots, generator determinism.
.PHONY: test-analysis bench-analysis bench-analysis-medium
ANALYSIS_TMP := $(BUILD)/analysis-test
ANALYSIS_BIN := $(BUILD)/analysis-test/iamreach

TEST_TARGETS += test-analysis

$(ANALYSIS_BIN): FORCE
	@mkdir -p $(ANALYSIS_TMP)
	$(GO) build -o $@ ./cmd/iamreach

FORCE:

test-analysis: $(ANALYSIS_BIN)
	@set -e; t=$(ANALYSIS_TMP); bin=$(ANALYSIS_BIN); \
	set +e; $$bin check --demo --rules docs/examples/rules.yaml > $$t/check.txt; rc=$$?; set -e; \
	[ $$rc -eq 1 ] || { echo "check on the demo: exit $$rc, want 1"; cat $$t/check.txt; exit 1; }; \
	grep -q '^FAIL pii-readers' $$t/check.txt || { echo "check: no pii-readers violation"; exit 1; }; \
	set +e; $$bin check --demo --rules docs/examples/rules.yaml --format sarif --output $$t/check.sarif >/dev/null; set -e; \
	python3 -c "import json,sys; d=json.load(open('$$t/check.sarif')); assert d['version']=='2.1.0' and d['runs'][0]['results'], 'bad SARIF'"; \
	$$bin gen --size small --seed 5 -o $$t/a.json >/dev/null; $$bin gen --size small --seed 5 -o $$t/b.json >/dev/null; \
	cmp -s $$t/a.json $$t/b.json || { echo "gen is not deterministic"; exit 1; }; \
	$$bin gen --size small --seed 6 -o $$t/c.json >/dev/null; \
	$$bin diff $$t/a.json $$t/c.json --format markdown > $$t/diff.md; \
	grep -q 'path(s) added' $$t/diff.md || { echo "diff: no summary"; cat $$t/diff.md; exit 1; }; \
	$$bin findings --snapshot $$t/a.json --json > $$t/findings.json; \
	python3 -c "import json; fs=json.load(open('$$t/findings.json')); assert len({f['kind'] for f in fs})>=8, 'few finding kinds'"; \
	echo "test-analysis: check/diff/findings/gen end to end OK"

# Scale figures for docs/perf/analysis.md (not part of `make test`).
bench-analysis:
	IAMREACH_BENCH_LARGE=1 $(GO) test ./graph/gen -run TestScale -v -count=1 -timeout 60m

bench-analysis-medium:
	IAMREACH_BENCH_SIZE=medium $(GO) test ./graph/gen -run TestScale -v -count=1 -timeout 30m
