# Web UI build (owned by the web part). Placeholder until the UI lands.
.PHONY: web-build
web-build:
	@mkdir -p web/dist
