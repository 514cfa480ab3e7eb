# make python: the Python package `roomcode` (bindings/python/) as a platform-tagged wheel
# in build/ (it carries build/roomcode.so), built offline by Debian's pip and setuptools.
# The version comes from VERSION.

PY_WHEEL := $(BUILD)/roomcode-$(VERSION)-py3-none-linux_$(shell uname -m).whl

.PHONY: python
python: $(PY_WHEEL)

$(PY_WHEEL): $(BUILD)/roomcode.so $(wildcard bindings/python/*.py bindings/python/*.toml bindings/python/*.md \
             bindings/python/roomcode/*.py) VERSION LICENSE
	rm -rf bindings/python/build
	cd bindings/python && /usr/bin/python3 -m pip wheel --no-build-isolation --no-index \
	    --no-deps --quiet --wheel-dir $(CURDIR)/$(BUILD) .
	rm -rf bindings/python/build bindings/python/roomcode.egg-info
