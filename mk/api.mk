# HTTP API (api/, cmd/iamreach/cmd_serve.go, cmd_demo.go). Its Go tests run in
# test-go (and the serve-over-Neo4j test in test-neo4j); this part adds an
# independent check of the OpenAPI document with openapi-spec-validator
# (PyPI, pinned) in a venv under .build.
#   make test-api   validate api/openapi.json against the OpenAPI 3.0 schema
API_VENV := $(BUILD)/api-venv
OPENAPI_VALIDATOR := $(API_VENV)/bin/openapi-spec-validator

.PHONY: test-api
TEST_TARGETS += test-api

$(OPENAPI_VALIDATOR):
	python3 -m venv $(API_VENV)
	$(API_VENV)/bin/pip install --quiet --disable-pip-version-check openapi-spec-validator==0.9.0

test-api: $(OPENAPI_VALIDATOR)
	$(OPENAPI_VALIDATOR) api/openapi.json
