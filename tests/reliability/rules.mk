# Reliability: concurrent writers, SIGKILL recovery, bad input, randomness, security claims.
# reliability-test (part of `make test`) runs the short forms; reliability-long the long ones.

.PHONY: reliability-test reliability-long
TEST_SUITES += reliability-test

reliability-test: $(BUILD)/roomcode.so
	@/usr/bin/python3 tests/reliability/run.py

reliability-long: $(BUILD)/roomcode.so
	@/usr/bin/python3 tests/reliability/run.py --long
