# cluster-test (part of `make test`): three roomcode-node processes on loopback, driven
# through go-dqlite's `dqlite` shell (tests/cluster/run.py; about 15 s), and
# cluster-join-test: three nodes with --http, the join endpoint's answers, the shared
# failure limit, joins across kill -9 of the leader, failover with the default timeouts
# (median of 5 kills) and a backup into one file (tests/cluster/test_join.py; about 15 s).
# bench-cluster (run by `make bench`): joins per second through one node and through all
# three beside the Node join endpoint on one file, p99 latency, failover times
# (tests/cluster/bench_join.py and run.py --bench).

.PHONY: cluster-test cluster-join-test bench-cluster
TEST_SUITES += cluster-test cluster-join-test

cluster-test: $(BUILD)/roomcode-node
	@tests/support/run_suite.sh cluster /usr/bin/python3 tests/cluster/run.py

cluster-join-test: $(BUILD)/roomcode-node $(BUILD)/roomcode.so
	@tests/support/run_suite.sh cluster-join /usr/bin/python3 tests/cluster/test_join.py

bench-cluster: $(BUILD)/roomcode-node $(BUILD)/roomcode.so
	@/usr/bin/python3 tests/cluster/run.py --bench
	@/usr/bin/python3 tests/cluster/bench_join.py

bench: bench-cluster
