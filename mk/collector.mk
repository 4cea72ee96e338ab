# Collector (collector/, scripts/moto/): integration tests against a real AWS
# API emulator (moto server), installed into a virtualenv under .build.
MOTO_VERSION ?= 5.2.6
MOTO_VENV    := $(BUILD)/moto-venv
MOTO_SERVER  := $(MOTO_VENV)/bin/moto_server

.PHONY: test-collector moto-install
TEST_TARGETS += test-collector

moto-install: $(MOTO_SERVER)

$(MOTO_SERVER):
	@mkdir -p $(BUILD)
	@python3 -m venv --help >/dev/null 2>&1 && python3 -c 'import ensurepip' 2>/dev/null || { \
		echo "installing python3-venv (Debian)"; \
		apt-get update -qq && apt-get install -y -qq python3-venv; }
	python3 -m venv $(MOTO_VENV)
	$(MOTO_VENV)/bin/pip install -q --disable-pip-version-check 'moto[server]==$(MOTO_VERSION)'

# Starts moto on a free loopback port, runs the integration tests (they skip
# without IAMREACH_MOTO_URL, so plain `go test ./...` stays offline), stops
# moto. UPDATE=1 rewrites the golden snapshot.
test-collector: $(MOTO_SERVER)
	@set -euo pipefail; \
	read -r pid port < <(scripts/moto/start.sh $(MOTO_VENV) $(BUILD)/moto.log); \
	trap 'scripts/moto/stop.sh $$pid' EXIT; \
	echo "moto $(MOTO_VERSION) on 127.0.0.1:$$port (pid $$pid)"; \
	IAMREACH_MOTO_URL=http://127.0.0.1:$$port $(GO) test -count=1 -timeout 10m -v -run 'TestCollect' ./collector/ $(if $(UPDATE),-update)

# Calls and wall time as an account grows (resets moto; not part of make test).
.PHONY: bench-collector
bench-collector: $(MOTO_SERVER)
	@set -euo pipefail; \
	read -r pid port < <(scripts/moto/start.sh $(MOTO_VENV) $(BUILD)/moto.log); \
	trap 'scripts/moto/stop.sh $$pid' EXIT; \
	IAMREACH_MOTO_URL=http://127.0.0.1:$$port IAMREACH_COLLECT_BENCH=1 $(GO) test -count=1 -timeout 20m -v -run 'TestCollectScaling' ./collector/
