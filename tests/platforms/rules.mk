# platforms-test (part of `make test`): roomcode_livekit_token verified by LiveKit's own
# server SDK (tests/platforms/test_livekit.mjs). Jitsi's tokens are checked in
# tests/python/test_platform_tokens.py, by a verifier applying prosody's checks.

.PHONY: platforms-test
TEST_SUITES += platforms-test

platforms-test: $(BUILD)/roomcode.so
	@ROOMCODE_SUITE=platforms tests/support/run_suite.sh platforms tests/platforms/run.sh
