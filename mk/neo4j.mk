# Neo4j store (graph/neo4j): integration tests against a real Neo4j 5.26
# Community, started without Docker by scripts/neo4j-test-server (jars
# fetched from Maven Central into .build/neo4j once, reused).
.PHONY: test-neo4j neo4j-server bench-neo4j bench-neo4j-bulk
TEST_TARGETS += test-neo4j

# Two servers: a small one with auth on (rejected-credentials tests), and
# the one the tests load graphs into.
test-neo4j:
	NEO4J_TEST_AUTH=1 NEO4J_TEST_HEAP=384m NEO4J_TEST_PAGECACHE=32m scripts/neo4j-test-server run -- \
	  env NEO4J_TEST_HEAP= NEO4J_TEST_PAGECACHE= scripts/neo4j-test-server run -- \
	  env IAMREACH_NEO4J_BULK=1 bash -c '$(GO) test -count=1 ./graph/neo4j/ && $(GO) test -count=1 -run Neo4j ./cmd/iamreach/'

# A Neo4j for trying things by hand (Ctrl-C stops it).
neo4j-server:
	scripts/neo4j-test-server fg

# Benchmarks (not part of make test): load rate and query latency on a
# generated organization of >= 1M relationships, Neo4j beside the embedded
# store. Results: docs/perf/neo4j.md.
bench-neo4j:
	NEO4J_TEST_HEAP=$${NEO4J_TEST_HEAP:-2g} NEO4J_TEST_PAGECACHE=$${NEO4J_TEST_PAGECACHE:-1g} \
	  scripts/neo4j-test-server run -- env IAMREACH_NEO4J_BENCH=1 $(GO) test -count=1 -run TestBenchmarkNeo4j -v -timeout 90m ./graph/neo4j/

# A first load through neo4j-admin import (graph/neo4j/bulk.go): write the
# CSV files, import into a fresh database, start the server, create the
# indexes; then query latency on it. The test starts its own server
# (scripts/neo4j-test-server start with NEO4J_TEST_IMPORT_ARGS). Results:
# docs/perf/neo4j.md.
bench-neo4j-bulk:
	scripts/neo4j-test-server fetch
	NEO4J_TEST_HEAP=$${NEO4J_TEST_HEAP:-2g} NEO4J_TEST_PAGECACHE=$${NEO4J_TEST_PAGECACHE:-1g} \
	  NEO4J_TEST_IMPORT_HEAP=$${NEO4J_TEST_IMPORT_HEAP:-1g} IAMREACH_NEO4J_BULK_BENCH=1 \
	  $(GO) test -count=1 -run TestBenchmarkNeo4jBulk -v -timeout 60m ./graph/neo4j/
