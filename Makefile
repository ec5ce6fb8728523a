# memview -- top-level build driver.
#
#   make                 build everything into build/ (CMake + Ninja)
#   make test            install missing Debian packages, build, run every test
#   make demo            the seed experiment (bench/seed_demo.py)
#   make bench           the benchmarks (bench/run.sh, else bench/bench_*.py)
#   make pythons         build the extension for every CPython >= 3.9 found
#                        (scripts/find-pythons.sh) into build/python<X.Y>/
#   make check-pythons   each interpreter's own test_memoryview/test_buffer
#                        against memview.memoryview
#   make bench-pythons   bench/bench_py.py under every interpreter
#   make format          apply .clang-format to the C sources
#   make format-check    fail if any C source is not formatted
#   make clang-check     build library, tests, CLI and extension with clang
#   make coverage        line and branch coverage of src/ by the C tests
#   make tsan            the thread stress test under ThreadSanitizer
#   make fuzz            run each libFuzzer target for FUZZ_SECONDS (20)
#   make fuzz-long       the same for an hour per fuzzer
#   make fuzz-merge      minimise what they found into tests/fuzz/corpus/
#   make docs            the API reference from memview.h (Doxygen) in
#                        build/docs/html/; any warning (an undocumented
#                        name included) fails it
#   make install         install the shared and static library, header,
#                        memview.pc, the CMake package, the CLI and its
#                        man page under PREFIX (default /usr/local), inside
#                        DESTDIR when it is set (a staging root)
#   make uninstall       remove what the last `make install` installed
#                        (with the same DESTDIR)
#   make check-symbols   libmemview.so exports only what memview.h declares,
#                        libmemview.a only that and mv__* internals; the
#                        version agrees in memview.h, memview.pc, docs
#   make check-examples  build examples/*.c against a copy installed in a
#                        temporary prefix (pkg-config and CMake), run them
#   make platforms       cross-build for i686, aarch64, s390x (qemu-user)
#                        and x86-64 Windows (mingw-w64, wine64); run the C
#                        tests, the examples and the CLI golden check on each
#                        (scripts/platforms.sh; installs what it needs)
#   make check-golden    the CLI golden check of the native build
#                        (scripts/cli-golden.sh): the outputs every platform
#                        must print, byte for byte
#   make update-golden   rewrite tests/golden/expected/ from the native CLI
#                        (x86-64 Linux is the reference)
#   make mutate          mutation testing of src/*.c by the C tests
#                        (scripts/mutate.py; N=300 SEED=1 FILES='src/*.c')
#   make mutate-ci       the fixed sample make test runs: fails if a mutant
#                        not listed in docs/mutation.md survives
#   make clean           remove build/
#
# Layout of build/:
#   build/libmemview.a, build/libmemview.so*, build/memview.pc, build/memview
#   build/python/        the Python extension (PYTHONPATH=build/python)
#   build/python<X.Y>/   the extension for each CPython X.Y (make pythons),
#                        built in build/cmake-python<X.Y>/
#   build/cmake/         the main CMake tree (C tests, valgrind runs)
#   build/asan/          C tests and CLI under ASan + UBSan
#   build/clang/         the same sources compiled by clang
#   build/fuzz/          libFuzzer targets (clang), corpus/<name>/, logs

BUILD      := build
OUT        := $(abspath $(BUILD))
MAIN_DIR   := $(BUILD)/cmake
ASAN_DIR   := $(BUILD)/asan
CLANG_DIR  := $(BUILD)/clang
FUZZ_DIR   := $(BUILD)/fuzz
TSAN_DIR   := $(BUILD)/tsan
COV_DIR    := $(BUILD)/coverage
FUZZ_SECONDS ?= 20
FUZZ_NAMES  = $(sort $(basename $(notdir $(wildcard tests/fuzz/*.c))))
PYTHON     := /usr/bin/python3
PREFIX     ?= /usr/local
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
CTEST      := ctest --output-on-failure --no-tests=error -j$(JOBS)
RUN_ENV := PYTHONPATH=$(OUT)/python MEMVIEW_CLI=$(OUT)/memview MEMVIEW_BUILD=$(OUT)
CMAKE_COMMON := -G Ninja --no-warn-unused-cli -DPython3_EXECUTABLE=$(PYTHON) \
                -DCMAKE_INSTALL_PREFIX=$(PREFIX)
FORMAT_DIRS := include src cli python tests/c tests/cxx tests/fuzz bench examples
FORMAT_FILES = $(shell find $(FORMAT_DIRS) -name '*.[ch]' -o -name '*.cpp' 2>/dev/null | sort)

.PHONY: all build build-tests test deps check-c check-asan check-valgrind check-python \
        asan tsan coverage clang-check fuzz fuzz-long fuzz-merge format \
        format-check demo bench docs install uninstall check-examples check-symbols \
        clean \
        pythons check-pythons bench-pythons platforms \
        check-golden update-golden mutate mutate-ci

all: build

# ---- builds ---------------------------------------------------------------

# CMake reconfigures by itself when CMakeLists.txt or the set of sources
# changes; these rules only create a tree the first time.
$(MAIN_DIR)/build.ninja:
	@bash scripts/install-deps.sh build
	cmake -S . -B $(MAIN_DIR) $(CMAKE_COMMON) -DMEMVIEW_OUTPUT_DIR=$(OUT)

$(ASAN_DIR)/build.ninja:
	cmake -S . -B $(ASAN_DIR) $(CMAKE_COMMON) -DMEMVIEW_SANITIZE=ON \
	      -DMEMVIEW_TESTS=ON \
	      -DMEMVIEW_PYTHON=OFF -DMEMVIEW_VALGRIND=OFF -DMEMVIEW_BENCH=OFF

$(CLANG_DIR)/build.ninja:
	CC=clang CXX=clang++ cmake -S . -B $(CLANG_DIR) $(CMAKE_COMMON) -DMEMVIEW_TESTS=ON \
	      -DMEMVIEW_VALGRIND=OFF

$(TSAN_DIR)/build.ninja:
	CC=clang CXX=clang++ cmake -S . -B $(TSAN_DIR) $(CMAKE_COMMON) \
	      -DMEMVIEW_TSAN=ON -DMEMVIEW_TESTS=ON -DMEMVIEW_PYTHON=OFF \
	      -DMEMVIEW_VALGRIND=OFF -DMEMVIEW_BENCH=OFF

$(COV_DIR)/build.ninja:
	cmake -S . -B $(COV_DIR) $(CMAKE_COMMON) -DMEMVIEW_COVERAGE=ON \
	      -DMEMVIEW_TESTS=ON -DMEMVIEW_PYTHON=OFF -DMEMVIEW_VALGRIND=OFF \
	      -DMEMVIEW_BENCH=OFF

$(FUZZ_DIR)/build.ninja:
	CC=clang cmake -S . -B $(FUZZ_DIR) $(CMAKE_COMMON) -DMEMVIEW_FUZZ=ON \
	      -DMEMVIEW_PYTHON=OFF -DMEMVIEW_TESTS=OFF -DMEMVIEW_VALGRIND=OFF \
	      -DMEMVIEW_BENCH=OFF

# Plain `make` needs only the build packages (the machine's own image has
# them; install-deps.sh adds any that are missing). The C tests are built
# when cmocka is present; `make test` installs it and requires them.
build: $(MAIN_DIR)/build.ninja
	cmake --build $(MAIN_DIR)

build-tests: $(MAIN_DIR)/build.ninja
	cmake -S . -B $(MAIN_DIR) -DMEMVIEW_TESTS=ON >/dev/null
	cmake --build $(MAIN_DIR)

# One CMake tree per X.Y, only the extension; the first interpreter found
# of each X.Y builds it (interpreters of one X.Y share the ABI).
pythons:
	@mkdir -p $(BUILD)
	@bash scripts/find-pythons.sh --first >$(BUILD)/.pythons.tmp
	@test -s $(BUILD)/.pythons.tmp || { echo "no CPython >= 3.9 found"; exit 1; }
	@while read -r ver py; do \
	    dir=$(BUILD)/cmake-python$$ver; \
	    echo "== CPython $$ver ($$py) -> $(BUILD)/python$$ver/"; \
	    if [ ! -f $$dir/build.ninja ]; then \
	        cmake -S . -B $$dir -G Ninja --no-warn-unused-cli \
	            -DPython3_EXECUTABLE=$$py -DMEMVIEW_OUTPUT_DIR=$(OUT)/cmake-python$$ver \
	            -DMEMVIEW_PYTHON_DIR=$(OUT)/python$$ver -DMEMVIEW_TESTS=OFF \
	            -DMEMVIEW_BENCH=OFF -DMEMVIEW_VALGRIND=OFF >$$dir.log 2>&1 \
	            || { cat $$dir.log; exit 1; }; \
	    fi; \
	    cmake --build $$dir --target memview_python memview_python_files \
	        || exit 1; \
	done <$(BUILD)/.pythons.tmp
	@rm -f $(BUILD)/.pythons.tmp

# Under every interpreter but $(PYTHON) (check-python runs the same files
# under pytest there): its own CPython suites (tests/python/cpython_suite.py)
# and the comparisons with its own builtin (tests/python/test_versions.py),
# both with unittest. One summary line per interpreter at the end.
check-pythons: pythons
	@bash scripts/find-pythons.sh >$(BUILD)/.pythons.tmp
	@fail=0; : >$(BUILD)/.pythons.sum; \
	while read -r ver py; do \
	    [ "$$(readlink -f $$py)" = "$$(readlink -f $(PYTHON))" ] && continue; \
	    echo "== CPython $$ver ($$py): its test_memoryview and test_buffer"; \
	    PYTHONPATH=$(OUT)/python$$ver $$py tests/python/cpython_suite.py \
	        </dev/null >$(BUILD)/cpython-suite-$$ver.log 2>&1 || fail=1; \
	    grep -v '^cpython-' $(BUILD)/cpython-suite-$$ver.log | tail -n 60; \
	    grep '^cpython-' $(BUILD)/cpython-suite-$$ver.log | tee -a $(BUILD)/.pythons.sum; \
	    echo "== CPython $$ver ($$py): tests/python/test_versions.py"; \
	    PYTHONPATH=$(OUT)/python$$ver $$py -m unittest \
	        tests/python/test_versions.py </dev/null || fail=1; \
	done <$(BUILD)/.pythons.tmp; \
	echo "== CPython suites per interpreter ($(PYTHON): see check-python)"; \
	cat $(BUILD)/.pythons.sum; rm -f $(BUILD)/.pythons.tmp $(BUILD)/.pythons.sum; \
	exit $$fail

# bench/bench_py.py under every interpreter (each against its own builtin),
# then each one's highest ratio. BENCH_ARGS=--quick for fewer cases.
bench-pythons: pythons
	@bash scripts/find-pythons.sh >$(BUILD)/.pythons.tmp
	@fail=0; : >$(BUILD)/.pythons.sum; \
	while read -r ver py; do \
	    echo "== CPython $$ver ($$py)"; \
	    PYTHONPATH=$(OUT)/python$$ver $$py bench/bench_py.py $(BENCH_ARGS) \
	        </dev/null | tee $(BUILD)/.pythons.one || fail=1; \
	    grep '^cpython-' $(BUILD)/.pythons.one >>$(BUILD)/.pythons.sum; \
	    echo; \
	done <$(BUILD)/.pythons.tmp; \
	echo "== highest ours/builtin per interpreter (target: 1.1x or less)"; \
	cat $(BUILD)/.pythons.sum; \
	rm -f $(BUILD)/.pythons.tmp $(BUILD)/.pythons.sum $(BUILD)/.pythons.one; \
	exit $$fail

asan: $(ASAN_DIR)/build.ninja
	cmake --build $(ASAN_DIR)

clang-check: $(CLANG_DIR)/build.ninja
	cmake --build $(CLANG_DIR)
	@echo "clang-check: library, tests, CLI and extension build clean with clang -Werror"

# ---- tests ----------------------------------------------------------------

# Fail fast: each step stops the run with a non-zero status.
test:
	bash scripts/install-deps.sh test
	$(MAKE) --no-print-directory build-tests
	$(MAKE) --no-print-directory check-c
	$(MAKE) --no-print-directory check-examples
	$(MAKE) --no-print-directory check-symbols
	$(MAKE) --no-print-directory check-asan
	$(MAKE) --no-print-directory tsan
	$(MAKE) --no-print-directory coverage
	$(MAKE) --no-print-directory docs
	$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=20
	$(MAKE) --no-print-directory check-valgrind
	$(MAKE) --no-print-directory check-pythons
	$(MAKE) --no-print-directory check-python
	$(MAKE) --no-print-directory clang-check
	$(MAKE) --no-print-directory format-check
	$(MAKE) --no-print-directory platforms
	$(MAKE) --no-print-directory mutate-ci
	@echo "make test: all checks passed"

deps:
	bash scripts/install-deps.sh test

# Every platform of cmake/toolchains/ under its emulator; PLATFORMS picks
# some (make platforms PLATFORMS=s390x-linux-gnu).
platforms:
	@echo "== platforms: cross toolchains, qemu-user, wine64"
	bash scripts/platform-deps.sh $(BUILD)
	$(MAKE) --no-print-directory check-golden
	bash scripts/platforms.sh $(BUILD) $(PLATFORMS)

check-golden: build
	@echo "== native: CLI golden outputs"
	bash scripts/cli-golden.sh check $(OUT)/memview

update-golden: build
	bash scripts/cli-golden.sh update $(OUT)/memview

check-c: build-tests
	@echo "== C tests (plain)"
	$(CTEST) --test-dir $(MAIN_DIR) -L unit

check-examples: build
	@echo "== examples against an installed copy"
	bash scripts/check-examples.sh $(MAIN_DIR)

check-symbols: build
	@echo "== exported symbols and soname"
	bash scripts/check-symbols.sh $(OUT)

check-asan: asan
	@echo "== C tests (AddressSanitizer + UndefinedBehaviorSanitizer)"
	$(CTEST) --test-dir $(ASAN_DIR) -L unit
	@echo "== CLI tests (AddressSanitizer + UndefinedBehaviorSanitizer)"
	MEMVIEW_CLI=$(OUT)/asan/memview $(PYTHON) -m pytest -q tests/python/test_cli.py

# The thread stress test (tests/c/test_threads.c) under ThreadSanitizer;
# the ASan run above checks it for leaks, the valgrind run too.
tsan: $(TSAN_DIR)/build.ninja
	cmake --build $(TSAN_DIR) --target ctest_test_threads
	@echo "== thread stress test (ThreadSanitizer)"
	@TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
	    $(CTEST) --test-dir $(TSAN_DIR) -R '^c/test_threads$$' -V \
	    >$(TSAN_DIR)/threads.log 2>&1 || \
	    { tail -n 100 $(TSAN_DIR)/threads.log; exit 1; }
	@grep -E 'threads: |tests passed' $(TSAN_DIR)/threads.log

# Line and branch coverage of src/ by the C tests (gcovr); a figure below
# the floor in tests/coverage-floor.txt fails the run.
coverage: $(COV_DIR)/build.ninja
	cmake --build $(COV_DIR)
	@echo "== coverage of src/ by the C tests"
	@find $(COV_DIR) -name '*.gcda' -delete
	@$(CTEST) --test-dir $(COV_DIR) -L unit >$(COV_DIR)/ctest.log 2>&1 || \
	    { tail -n 60 $(COV_DIR)/ctest.log; exit 1; }
	bash scripts/coverage.sh $(COV_DIR)

# Each fuzzer grows its corpus in build/fuzz/corpus/<name>/, starting from
# the checked-in, minimised corpus tests/fuzz/corpus/<name>/ and the
# hand-written seeds tests/fuzz/seeds/<name>/ (both only read). A crash
# stops the run and leaves the input in build/fuzz/artifacts/. The last
# lines are a summary: executions, speed, coverage and corpus per fuzzer.
fuzz: $(FUZZ_DIR)/build.ninja
	cmake --build $(FUZZ_DIR) --target memview_fuzz
	@: >$(FUZZ_DIR)/summary.txt
	@for f in $(FUZZ_NAMES); do \
	    echo "== $$f ($(FUZZ_SECONDS) s)"; \
	    mkdir -p $(FUZZ_DIR)/corpus/$$f $(FUZZ_DIR)/artifacts; \
	    inputs=; \
	    for d in tests/fuzz/corpus/$$f tests/fuzz/seeds/$$f; do \
	        [ -d $$d ] && inputs="$$inputs $$d"; \
	    done; \
	    log=$(FUZZ_DIR)/$$f.log; \
	    if ! $(FUZZ_DIR)/fuzz/$$f -max_total_time=$(FUZZ_SECONDS) \
	            -print_final_stats=1 -artifact_prefix=$(FUZZ_DIR)/artifacts/$$f- \
	            $(FUZZ_DIR)/corpus/$$f $$inputs >$$log 2>&1; then \
	        tail -n 60 $$log; \
	        echo "$$f: CRASH (input in $(FUZZ_DIR)/artifacts/, log $$log)"; \
	        exit 1; \
	    fi; \
	    grep '^stat::' $$log; \
	    runs=$$(sed -n 's/^stat::number_of_executed_units: *//p' $$log); \
	    speed=$$(sed -n 's/^stat::average_exec_per_sec: *//p' $$log); \
	    cov=$$(grep -o 'cov: [0-9]*' $$log | tail -n 1 | cut -d' ' -f2); \
	    units=$$(ls $(FUZZ_DIR)/corpus/$$f | wc -l); \
	    echo "$$f: $$runs runs, no crash"; \
	    printf '%-14s %12s runs in %5s s  %7s/s  cov %6s  corpus %6s\n' \
	        $$f $$runs $(FUZZ_SECONDS) $$speed "$$cov" $$units \
	        >>$(FUZZ_DIR)/summary.txt; \
	done
	@echo "-- fuzz summary (no crash)"
	@cat $(FUZZ_DIR)/summary.txt

# One hour per fuzzer, then the same summary.
fuzz-long:
	$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=3600

# Minimise what the fuzzers found into tests/fuzz/corpus/<name>/ (run after
# make fuzz or fuzz-long, then commit the result).
fuzz-merge: $(FUZZ_DIR)/build.ninja
	cmake --build $(FUZZ_DIR) --target memview_fuzz
	@for f in $(FUZZ_NAMES); do \
	    new=$(FUZZ_DIR)/merged/$$f; rm -rf $$new; mkdir -p $$new \
	        tests/fuzz/corpus/$$f $(FUZZ_DIR)/corpus/$$f; \
	    $(FUZZ_DIR)/fuzz/$$f -merge=1 $$new tests/fuzz/corpus/$$f \
	        $(FUZZ_DIR)/corpus/$$f $$(ls -d tests/fuzz/seeds/$$f 2>/dev/null) \
	        >$(FUZZ_DIR)/$$f-merge.log 2>&1 || \
	        { tail -n 20 $(FUZZ_DIR)/$$f-merge.log; exit 1; }; \
	    rm -rf tests/fuzz/corpus/$$f; cp -r $$new tests/fuzz/corpus/$$f; \
	    echo "$$f: $$(ls tests/fuzz/corpus/$$f | wc -l) inputs," \
	         "$$(du -sh tests/fuzz/corpus/$$f | cut -f1) in tests/fuzz/corpus/$$f"; \
	done

check-valgrind: build-tests
	@echo "== C tests (valgrind)"
	$(CTEST) --test-dir $(MAIN_DIR) -L valgrind

check-python: build
	@echo "== Python tests"
	@for py in $(PYTHON) $$(command -v python3); do \
	    PYTHONPATH=$(OUT)/python $$py -c 'import memview' || exit 1; \
	done
	$(RUN_ENV) $(PYTHON) -m pytest tests/python -q

# Mutation testing (scripts/mutate.py): random mutants of src/*.c, each
# rebuilt under ASan+UBSan in build/mutate/ and run against the C tests.
N     ?= 300
SEED  ?= 1
FILES ?= src/*.c
MUTATE_CI_N    := 30
MUTATE_CI_SEED := 2026
mutate:
	$(PYTHON) scripts/mutate.py --n $(N) --seed $(SEED) --files '$(FILES)'

mutate-ci:
	@echo "== mutation testing: $(MUTATE_CI_N) mutants, seed $(MUTATE_CI_SEED)"
	$(PYTHON) scripts/mutate.py --n $(MUTATE_CI_N) --seed $(MUTATE_CI_SEED) \
	    --fail-on-survivor

format:
	@test -z "$(FORMAT_FILES)" || clang-format -i $(FORMAT_FILES)

format-check:
	@echo "== clang-format"
	@test -z "$(FORMAT_FILES)" || clang-format --dry-run -Werror $(FORMAT_FILES)
	@echo "format-check: $(words $(FORMAT_FILES)) files formatted as .clang-format says"

# ---- demo and benchmarks ----------------------------------------------------

demo: build
	@bash scripts/install-deps.sh demo
	$(RUN_ENV) $(PYTHON) bench/seed_demo.py

bench: build
	@if [ -f bench/run.sh ]; then $(RUN_ENV) bash bench/run.sh; \
	else \
	    for b in bench/bench_*.py; do \
	        [ -f "$$b" ] || continue; \
	        echo "== $$b"; \
	        $(RUN_ENV) $(PYTHON) "$$b" || exit 1; \
	    done; \
	fi

# ---- API reference ------------------------------------------------------------

docs:
	@echo "== API reference (Doxygen)"
	bash scripts/check-docs.sh $(BUILD)/docs

# ---- install and clean -------------------------------------------------------

# The prefix is written into memview.pc, so it is set again before building.
install: $(MAIN_DIR)/build.ninja
	cmake -S . -B $(MAIN_DIR) -DCMAKE_INSTALL_PREFIX=$(PREFIX) >/dev/null
	cmake --build $(MAIN_DIR)
	cmake --install $(MAIN_DIR)

uninstall:
	cmake --build $(MAIN_DIR) --target uninstall

clean:
	rm -rf $(BUILD)
