# Thin wrapper over CMake presets. `make demo` and `make test` install what is missing first.
BUILD_DIR ?= build
ASAN_DIR  ?= build-asan
JOBS      ?= $(shell nproc)
FUZZ_SECONDS ?= 10

.PHONY: all deps build demo test check test-asan tidy fuzz bench clean

all: build

deps:
	@bash scripts/install-deps.sh

$(BUILD_DIR)/build.ninja:
	cmake --preset dev

build: deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS)

demo: build
	./$(BUILD_DIR)/alertbot demo

# What CI runs (.ci/run): the whole suite (SQLite and PostgreSQL, real Prometheus and
# Alertmanager, the replicas as processes, the Node SDK, the browser) under the sanitizers
# (test-asan, below), then every fuzz target (clang, ASan + UBSan) for FUZZ_SECONDS each.
test: test-asan
	bash scripts/fuzz.sh $(FUZZ_SECONDS)

# The same suite on the dev build (-O1, no sanitizers; the build demo and bench use): faster.
check: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS)

# A longer hunt: make fuzz FUZZ_SECONDS=600
fuzz: deps
	bash scripts/fuzz.sh $(FUZZ_SECONDS)

# The suite under AddressSanitizer + UndefinedBehaviorSanitizer (-fno-sanitize-recover: the first
# report fails its test) with LeakSanitizer at every test process's exit. Every target is built,
# the benchmarks too (compiled, not run).
ASAN_ENV = ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$(CURDIR)/tests/sanitizers/lsan.supp \
           UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:suppressions=$(CURDIR)/tests/sanitizers/ubsan.supp
test-asan: deps
	cmake --preset asan
	cmake --build $(ASAN_DIR) -j $(JOBS)
	$(ASAN_ENV) ctest --test-dir $(ASAN_DIR) --output-on-failure -j $(JOBS)

# clang-tidy (.clang-tidy) over the compile database of the dev build; TIDY_BASE=REV checks only
# what changed since REV.
tidy: build
	JOBS=$(JOBS) bash scripts/tidy.sh $(BUILD_DIR)

# Every benchmark, each printing JSON (kept in build/bench-results/), then the table README shows.
# PostgreSQL rows of bench_job_queue need ALERTBOT_BENCH_PG_URL=postgresql://...
bench: build
	@bash scripts/bench-table.sh --build $(BUILD_DIR)

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR) build-fuzz
