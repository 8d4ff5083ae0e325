# The two commands of the README, and the tools around them. CMake does the building.
BUILD       ?= build
CHECK_BUILD ?= build-check
JOBS        ?= $(shell nproc)
FUZZ_SECONDS ?= 300
DATA        ?= ./var
MAKEFLAGS   += --no-print-directory

.PHONY: all deps build demo check test fuzz bench format clean

all: build

deps:
	@scripts/install-deps.sh

# The program alone: the tests and fuzz targets are built by check and fuzz, in $(CHECK_BUILD).
build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFINSHIELD_TESTS=OFF >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

# Installs, builds, creates a hub with a sample sector under $(DATA) (or reuses it) and serves it,
# with syslog over TCP and UDP on 127.0.0.1:5514 (it prints a logger line to try).
demo: build
	@$(BUILD)/finshield demo --data $(DATA)

# Installs, builds with AddressSanitizer, UndefinedBehaviorSanitizer and libFuzzer (clang), runs
# every test. The last lines are CTest's summary.
check: deps
	@CC=clang cmake -S . -B $(CHECK_BUILD) -DCMAKE_BUILD_TYPE=Debug -DFINSHIELD_SANITIZE=ON \
	  -DFINSHIELD_FUZZ=ON -DFINSHIELD_WERROR=ON >/dev/null
	@cmake --build $(CHECK_BUILD) -j $(JOBS)
	@cd $(CHECK_BUILD) && ctest -j $(JOBS) --output-on-failure --timeout 900

# Long fuzzing of every target ($(FUZZ_SECONDS) s each); findings land in $(CHECK_BUILD)/fuzz-long,
# each crashing input named on the terminal; fails when a target crashed or none was found.
fuzz: deps
	@CC=clang cmake -S . -B $(CHECK_BUILD) -DCMAKE_BUILD_TYPE=Debug -DFINSHIELD_SANITIZE=ON \
	  -DFINSHIELD_FUZZ=ON >/dev/null
	@cmake --build $(CHECK_BUILD) -j $(JOBS)
	@scripts/fuzz-long.sh $(CHECK_BUILD) $(FUZZ_SECONDS)

# Benchmarks against the public peers (not tests); figures go to docs/benchmarks.md by hand.
bench: build
	@scripts/bench.sh $(BUILD)

format:
	@scripts/format-check.sh --fix

clean:
	rm -rf $(BUILD) $(CHECK_BUILD)
