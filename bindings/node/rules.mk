# make npm: the npm package `roomcode` (bindings/node/) as build/roomcode-<version>.tgz,
# carrying the module built here (linux-x64, glibc) and the join endpoint with its page
# (bin/roomcode-join.mjs, join/). The version comes from VERSION.

NPM_TARBALL := $(BUILD)/roomcode-$(VERSION).tgz
NPM_STAGE   := $(BUILD)/npm/roomcode

.PHONY: npm
npm: $(NPM_TARBALL)

$(NPM_TARBALL): $(BUILD)/roomcode.so $(wildcard bindings/node/* bindings/node/bin/* bindings/node/join/* \
                bindings/node/join/page/*) VERSION LICENSE
	rm -rf $(NPM_STAGE)
	mkdir -p $(NPM_STAGE)/lib/linux-x64
	cp bindings/node/package.json bindings/node/index.cjs bindings/node/index.mjs \
	    bindings/node/index.d.ts bindings/node/README.md LICENSE $(NPM_STAGE)/
	cp -r bindings/node/bin bindings/node/join $(NPM_STAGE)/
	strip --strip-debug -o $(NPM_STAGE)/lib/linux-x64/roomcode.so $(BUILD)/roomcode.so
	cd $(NPM_STAGE) && npm pkg set version=$(VERSION) && \
	    npm pack --pack-destination $(CURDIR)/$(BUILD) --loglevel=error > /dev/null
