# Reliability: concurrent writers, SIGKILL recovery, bad input, randomness, security claims.
# reliability-test (part of `make test`) runs the short forms; reliability-long the long ones
# (more workers' attempts, more kills: ROOMCODE_RELIABILITY_LONG=1).

.PHONY: reliability-test reliability-long
TEST_SUITES += reliability-test

reliability-test: $(BUILD)/roomcode.so
	@tests/support/run_suite.sh reliability /usr/bin/python3 tests/support/unittest_suite.py reliability tests/reliability

reliability-long: $(BUILD)/roomcode.so
	@ROOMCODE_RELIABILITY_LONG=1 tests/support/run_suite.sh reliability-long \
	    /usr/bin/python3 tests/support/unittest_suite.py reliability-long tests/reliability
