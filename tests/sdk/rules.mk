# The sdk suite (part of `make test`): the join endpoint of examples/join-endpoint against
# the real 100ms web SDK, pinned in tests/sdk/package.json. bench-endpoint (part of
# `make bench`): its requests per second beside the same endpoint minting with jsonwebtoken.

.PHONY: sdk-test bench-endpoint
TEST_SUITES += sdk-test

sdk-test: all
	@tests/support/run_suite.sh sdk tests/sdk/run.sh

bench: bench-endpoint
bench-endpoint: all
	@tests/sdk/bench.sh
