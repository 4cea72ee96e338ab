# Neo4j store (graph/neo4j): integration tests against a real Neo4j 5.26
# Community started without Docker by scripts/neo4j-test-server.
.PHONY: test-neo4j neo4j-server bench-neo4j
TEST_TARGETS += test-neo4j

test-neo4j:
	scripts/neo4j-test-server run -- $(GO) test -count=1 ./graph/neo4j/... ./graph/storetest/... ./cmd/iamreach/ -run 'Neo4j|Store|Load|Cypher'

# A Neo4j for trying things by hand (Ctrl-C stops it).
neo4j-server:
	scripts/neo4j-test-server fg

# Benchmarks (not part of make test): load rate and query latency on a
# generated graph of >= 1M relationships, Neo4j beside the embedded store.
bench-neo4j:
	scripts/neo4j-test-server run -- env IAMREACH_NEO4J_BENCH=1 $(GO) test -count=1 -run TestBenchmark -v -timeout 60m ./graph/neo4j/
