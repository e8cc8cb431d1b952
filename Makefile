# Thin wrapper over CMake presets. `make demo` and `make test` install what is missing first.
BUILD_DIR ?= build
ASAN_DIR  ?= build-asan
JOBS      ?= $(shell nproc)
FUZZ_SECONDS ?= 10

.PHONY: all deps build demo test test-asan tidy fuzz bench clean

all: build

deps:
	@bash scripts/install-deps.sh

$(BUILD_DIR)/build.ninja:
	cmake --preset dev

build: deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS)

demo: build
	./$(BUILD_DIR)/alertbot demo

# The suite (SQLite and PostgreSQL, real Prometheus and Alertmanager, the Node SDK), then every
# fuzz target for FUZZ_SECONDS each.
test: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS)
	bash scripts/fuzz.sh $(FUZZ_SECONDS)

# A longer hunt: make fuzz FUZZ_SECONDS=600
fuzz: deps
	bash scripts/fuzz.sh $(FUZZ_SECONDS)

# The suite under AddressSanitizer + UndefinedBehaviorSanitizer (LeakSanitizer on). The browser,
# Node SDK and token-count checks are left out: their C++ side runs in the unit tests. The build
# costs 2 to 3.5 times the dev build, so it is its own target (and CI job), not part of `test`.
ASAN_TARGETS ?= unit_net unit_slack unit_investigators unit_llm unit_store unit_bot unit_deploy \
                integration scenarios alertbot mcp_cli_test slack_emulator
ASAN_ENV = ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$(CURDIR)/tests/sanitizers/lsan.supp \
           UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:suppressions=$(CURDIR)/tests/sanitizers/ubsan.supp
test-asan: deps
	cmake --preset asan
	cmake --build $(ASAN_DIR) -j $(JOBS) --target $(ASAN_TARGETS)
	$(ASAN_ENV) ctest --test-dir $(ASAN_DIR) --output-on-failure -j $(JOBS) -E '^(report_page_browser|node_sdk|llm_tokens)$$'

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
