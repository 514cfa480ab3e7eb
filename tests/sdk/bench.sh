#!/bin/sh
# make bench-endpoint (part of `make bench`): the join endpoint's requests per second on
# loopback, beside the same endpoint minting with jsonwebtoken after a plain SELECT.
cd "$(dirname "$0")" || exit 1
./install.sh || exit 1
exec node bench_endpoint.mjs "$@"
