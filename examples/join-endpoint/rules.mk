# make serve: the join endpoint of examples/join-endpoint in the foreground (the code of
# the npm package's roomcode-join, bindings/node/join/), configured by the environment
# (ROOMCODE_DB, ROOMCODE_ACCESS_KEY, ROOMCODE_APP_SECRET, ROOMCODE_JOIN_URL for the join
# page, ROOMCODE_PLATFORM, HOST, PORT; see docs/authentication.md and docs/join-page.md).
# The first run installs better-sqlite3 with `npm ci` (it compiles, a minute or two);
# SIGTERM or Ctrl-C stops it.

JOIN_ENDPOINT := examples/join-endpoint

.PHONY: serve

# npm writes node_modules/.package-lock.json on every install: a stamp of the lockfile
$(JOIN_ENDPOINT)/node_modules/.package-lock.json: $(JOIN_ENDPOINT)/package.json $(JOIN_ENDPOINT)/package-lock.json
	@cd $(JOIN_ENDPOINT) && npm ci --no-audit --no-fund --loglevel=error

# run from here, so that a relative ROOMCODE_DB names the file a user means
serve: all $(JOIN_ENDPOINT)/node_modules/.package-lock.json
	@exec node $(JOIN_ENDPOINT)/server.js
