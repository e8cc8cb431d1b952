# Thin wrapper over CMake presets. `make demo` and `make test` install what is missing first.
BUILD_DIR ?= build
ASAN_DIR  ?= build-asan
JOBS      ?= $(shell nproc)
FUZZ_SECONDS ?= 10

.PHONY: all deps build demo test test-asan fuzz bench clean

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

test-asan: deps
	cmake --preset asan
	cmake --build $(ASAN_DIR) -j $(JOBS)
	ctest --test-dir $(ASAN_DIR) --output-on-failure -j $(JOBS)

# Every benchmark, each printing JSON (kept in build/bench-results/), then the table README shows.
# PostgreSQL rows of bench_job_queue need ALERTBOT_BENCH_PG_URL=postgresql://...
bench: build
	@bash scripts/bench-table.sh --build $(BUILD_DIR)

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR) build-fuzz
