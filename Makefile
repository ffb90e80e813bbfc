# A thin front door for newcomers; the build itself is Meson + ninja.
#   make demo    install what is missing, build, render real music to 352.8 kHz/24-bit and
#                through a headphone preset, and advise on an HD 600
#   make check   install what is missing, build, run every test
#   make bench   build and run the benchmarks (hpamp beside sox and libsoxr)
#   make fuzz    build the libFuzzer targets with clang and run each FUZZ_SECONDS (docs/fuzzing.md)

BUILD ?= build
ASAN_BUILD ?= build-asan
MESON_ARGS ?=
DEMO_IN ?= /usr/share/sonic-pi/samples/loop_garzul.flac
DEMO_OUT ?= out/demo-352k8-24bit.wav
FUZZ_SECONDS ?= 60

.PHONY: all deps build demo check check-asan bench fuzz clean

all: build

deps:
	@./tools/install-deps.sh
	@# playwright-core for tests/web/browser.sh, as pinned (it never downloads a browser)
	@if [ ! -d tests/web/node_modules/playwright-core ] && command -v npm >/dev/null; then \
	  cd tests/web && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error; fi

$(BUILD)/build.ninja:
	meson setup $(BUILD) $(MESON_ARGS)

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

demo: build
	@mkdir -p out
	@echo "== hpamp render: real music (CC0, sonic-pi-samples) to 352.8 kHz/24-bit, steep filter"
	$(BUILD)/src/cli/hpamp render $(DEMO_IN) -o $(DEMO_OUT) --rate 352800 --filter steep --bits 24
	@echo
	@echo "== hpamp render --preset hd600: the same music through AutoEq's HD 600 EQ (with automatic headroom),"
	@echo "   libbs2b crossfeed and the true-peak limiter, normalised to -18 LUFS"
	$(BUILD)/src/cli/hpamp render $(DEMO_IN) -o out/demo-hd600-preset.flac --preset hd600 --normalize -18
	@echo
	@echo "== hpamp advise: does a Sennheiser HD 600 need an amp on Apple's USB-C dongle? With the same music:"
	$(BUILD)/src/cli/hpamp advise --headphones hd600 --source apple-usb-c-adapter-us-a2049 --music $(DEMO_IN)
	@echo
	@echo "== ... and with no music given, planning for the 110 dB SPL peaks of a dynamic recording:"
	$(BUILD)/src/cli/hpamp advise --headphones hd600 --source apple-usb-c-adapter-us-a2049
	@echo
	@echo "== ... and on an SMSL SH-6 desktop amp, with the music again (curves drawn to out/demo-advise-hd600-sh6.png):"
	$(BUILD)/src/cli/hpamp advise --headphones hd600 --source sh-6 --music $(DEMO_IN) --plot out/demo-advise-hd600-sh6.png

check: build
	meson test -C $(BUILD) --print-errorlogs --num-processes 2

$(ASAN_BUILD)/build.ninja:
	meson setup $(ASAN_BUILD) -Db_sanitize=address,undefined -Db_lundef=false -Dbench=false $(MESON_ARGS)

check-asan: deps $(ASAN_BUILD)/build.ninja
	ninja -C $(ASAN_BUILD)
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 \
	  meson test -C $(ASAN_BUILD) --print-errorlogs --num-processes 2 --timeout-multiplier 4

bench: build
	meson test -C $(BUILD) --benchmark --verbose

fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) ./tools/fuzz.sh

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-fuzz out
