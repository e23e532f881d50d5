# The two commands: `make demo` and `make test`. Both install what they need.
# Everything else is plain CMake presets (see CMakePresets.json).

JOBS ?= $(shell nproc)
FUZZ_SECONDS ?= 15

.PHONY: demo test deps build build-asan build-fuzz unit integration asan fuzz bench clean

deps:
	@bash deploy/install-deps.sh

build: deps
	@cmake --preset default >/dev/null
	@cmake --build --preset default -j $(JOBS)

demo: deps
	@cmake --preset default >/dev/null
	@cmake --build --preset default -j $(JOBS) --target raccordo
	@./build/bin/raccordo demo --config config/demo.json

# Unit and integration tests, then the unit suite under ASan+UBSan, then a
# short run of every fuzz target from its seed corpus.
test: build
	@ctest --preset default -j $(JOBS)
	@$(MAKE) --no-print-directory asan fuzz

asan: deps
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan -j $(JOBS) --target raccordo_unit_tests
	@ctest --preset asan -j $(JOBS)

fuzz: deps
	@cmake --preset fuzz -DRACCORDO_FUZZ_SECONDS=$(FUZZ_SECONDS) >/dev/null
	@cmake --build --preset fuzz -j $(JOBS)
	@ctest --test-dir build-fuzz --output-on-failure -j $(JOBS)

bench: build
	@./build/tests/bench/raccordo_bench

clean:
	rm -rf build build-asan build-fuzz
