# make cluster: build/roomcode-node, a dqlite node (Debian's libdqlite-dev 1.11) with the
# extension built in: the Makefile's STATIC_OBJ (ext/ compiled with SQLITE_CORE, as for
# libroomcode.a), so it calls SQLite directly and registers through sqlite3_auto_extension;
# libmicrohttpd serves the join endpoint (--http).
# The cluster suite (tests/cluster/rules.mk) and `make bench-cluster` run it.

CLUSTER_SRC  := cluster/roomcode_node.c cluster/dqlite_wire.c cluster/join_service.c cluster/join_http.c \
                cluster/http_deadlines.c
CLUSTER_HDR  := cluster/dqlite_wire.h cluster/join_service.h cluster/join_http.h \
                cluster/http_deadlines.h
CLUSTER_LIBS := $(shell pkg-config --libs dqlite sqlite3 libmicrohttpd 2>/dev/null || echo -ldqlite -lsqlite3 -lmicrohttpd) $(SODIUM_LIBS)  -lpthread -lm

.PHONY: cluster

cluster: $(BUILD)/roomcode-node

$(BUILD)/roomcode-node: $(CLUSTER_SRC) $(CLUSTER_HDR) $(STATIC_OBJ)
	@pkg-config --exists dqlite libmicrohttpd || { echo "make cluster needs libdqlite-dev and libmicrohttpd-dev: apt-get install libdqlite-dev libmicrohttpd-dev"; exit 1; }
	$(CC) $(CFLAGS) $(LDFLAGS) -std=c11 -D_POSIX_C_SOURCE=200809L $(WARN) -Iext -I$(BUILD) \
	    $(PKG_CFLAGS) -o $@ $(CLUSTER_SRC) $(STATIC_OBJ) $(CLUSTER_LIBS)
