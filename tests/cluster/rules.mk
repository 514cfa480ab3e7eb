# cluster-test (part of `make test`): three roomcode-node processes on loopback, driven
# through go-dqlite's `dqlite` shell (tests/cluster/run.py; about 10 s).
# bench-cluster (run by `make bench`): replicated roomcode_new beside a plain replicated
# INSERT, and failover times, with dqlite's default timeouts too (about a minute).

.PHONY: cluster-test bench-cluster
TEST_SUITES += cluster-test

cluster-test: $(BUILD)/roomcode-node
	@tests/support/run_suite.sh cluster /usr/bin/python3 tests/cluster/run.py

bench-cluster: $(BUILD)/roomcode-node
	@/usr/bin/python3 tests/cluster/run.py --bench

bench: bench-cluster
