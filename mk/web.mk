# Web UI (web/): npm project built with Vite into web/dist, embedded by web/web.go.
#   make web-build   install npm deps when missing/out of date, build web/dist
#   make test-web    browser tests (node --test, playwright-core, Debian chromium) against `iamreach demo`
#   make bench-web   render 5,000 nodes / 20,000 edges, record docs/perf/web.md (not part of make test)
WEB         := web
WEB_MODULES := $(WEB)/node_modules/.package-lock.json
WEB_SRC     := $(WEB)/index.html $(WEB)/vite.config.js $(wildcard $(WEB)/src/*) $(wildcard $(WEB)/public/*)
CHROMIUM    ?= /usr/bin/chromium
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

.PHONY: web-build web-deps test-web bench-web chromium
TEST_TARGETS += test-web

$(WEB_MODULES): $(WEB)/package.json $(WEB)/package-lock.json
	cd $(WEB) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

web-deps: $(WEB_MODULES)

$(WEB)/dist/index.html: $(WEB_MODULES) $(WEB_SRC)
	cd $(WEB) && npm run --silent build -- --logLevel warn

web-build: $(WEB)/dist/index.html

chromium:
	@test -x $(CHROMIUM) || (apt-get update && apt-get install -y chromium)

test-web: build chromium
	cd $(WEB) && IAMREACH_BIN=$(BIN) CHROMIUM=$(CHROMIUM) node --test --test-concurrency=1 e2e/*.test.mjs

bench-web: build chromium
	cd $(WEB) && IAMREACH_BIN=$(BIN) CHROMIUM=$(CHROMIUM) node e2e/bench.mjs
