# SPDX-License-Identifier: GPL-3.0-or-later
# check_igd: build, test, install.
# Respects CC, CFLAGS, CPPFLAGS, LDFLAGS, PREFIX, DESTDIR.

CC       ?= cc
CFLAGS   ?= -O2 -g
PREFIX   ?= /usr/local
PLUGINDIR ?= $(PREFIX)/lib/nagios/plugins
VERSION  := 0.1.0

WARNINGS := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wpointer-arith -Wcast-qual -Wformat=2 -fno-common
override CFLAGS   += $(WARNINGS) -std=c11
override CPPFLAGS += -D_DEFAULT_SOURCE -DCHECK_IGD_VERSION=\"$(VERSION)\" -Icommon -I$(B)
LIBS     := -lminiupnpc -lyaml
CHECKLIBS := $(shell pkg-config --libs check 2>/dev/null || echo -lcheck -lsubunit -lm -lrt -lpthread)

# B is the build directory; plugins land in $(BIN).  The sanitizer build
# uses its own directory so both can coexist.
B   ?= build
BIN ?= plugins

COMMON_SRC := $(sort $(wildcard common/*.c))
COMMON_OBJ := $(COMMON_SRC:common/%.c=$(B)/common/%.o) $(B)/common/default_policy.o
PLUGINS    := check_igd_present check_igd_wan check_igd_portmap
PLUGIN_SRC := $(wildcard $(PLUGINS:%=plugins/%.c))
PLUGIN_BIN := $(PLUGIN_SRC:plugins/%.c=$(BIN)/%)
UNIT_SRC   := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN   := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
TOOL_SRC   := $(sort $(wildcard tests/bench/*.c))
TOOL_BIN   := $(TOOL_SRC:tests/bench/%.c=$(B)/tools/%)

.PHONY: all check checkers unit lab hostile asan check-asan check-valgrind fuzz fuzz-short contrib deps bench lint install clean demo
all: $(PLUGIN_BIN) $(TOOL_BIN)

$(B)/common/%.o: common/%.c $(wildcard common/*.h) | $(B)/common
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# The default policy is compiled in: turn the YAML file into a C array.
$(B)/common/default_policy.c: policies/default.yaml tests/tools/embed.sh | $(B)/common
	sh tests/tools/embed.sh policy_default_yaml < $< > $@
$(B)/common/default_policy.o: $(B)/common/default_policy.c
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(B)/libcheck_igd.a: $(COMMON_OBJ)
	rm -f $@ && ar rcs $@ $^

$(BIN)/%: plugins/%.c $(B)/libcheck_igd.a $(wildcard common/*.h)
	@mkdir -p $(BIN)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(B)/libcheck_igd.a $(LIBS)

$(B)/tests/%: tests/unit/%.c $(B)/libcheck_igd.a $(wildcard common/*.h) | $(B)/tests
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -DFIXTURES=\"$(CURDIR)/tests/fixtures\" \
	    -o $@ $< $(B)/libcheck_igd.a $(LIBS) $(CHECKLIBS)

$(B)/tools/%: tests/bench/%.c | $(B)/tools
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $<

$(B)/common $(B)/tests $(B)/tools:
	mkdir -p $@

# Unit tests: every tests/unit/test_*.c is one Check runner; then the
# plugins' handling of bad options (no device needed).
unit: $(UNIT_BIN) $(PLUGIN_BIN)
	@sh tests/tools/run-unit.sh $(UNIT_BIN)
	@PLUGINS_DIR=$(CURDIR)/$(BIN) bash tests/tools/test_options.sh
	@PLUGINS_DIR=$(CURDIR)/$(BIN) bash tests/tools/test_offline.sh

# Lab tests: a real miniupnpd in network namespaces (root only).
lab: all
	@PLUGINS_DIR=$(CURDIR)/$(BIN) sh tests/lab/run.sh

# Hostile-device tests: a misbehaving IGD on loopback.
hostile: all
	@PLUGINS_DIR=$(CURDIR)/$(BIN) bash tests/hostile/run.sh

# Install the Debian packages the build, tests and demo need (root).
deps:
	@sh tests/tools/install-deps.sh

# The whole suite under AddressSanitizer + UndefinedBehaviorSanitizer.
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
check-asan:
	HOSTILE_RSS_KB=524288 HOSTILE_SLACK=2 $(MAKE) B=build-asan BIN=build-asan/plugins CFLAGS="-O1 -g $(SAN)" LDFLAGS="$(SAN)" unit lab hostile

# The whole suite: unit, lab and hostile tests, the same under ASan+UBSan,
# fuzz regressions plus a short fuzz run, and the engine integration files.
check: lint checkers unit lab hostile check-asan check-valgrind fuzz-short contrib

# The checkers that judge other tests, tested themselves: the strict output
# checker's own unit tests, and hostile/run.sh against fake plugins that
# misbehave on purpose (it must catch each).
checkers:
	@python3 tests/tools/test_check_output.py
	@bash tests/hostile/selftest.sh

# The lab tests with every plugin run under valgrind memcheck (errors and
# definite/indirect leaks fail the run); the slow big-table test is left out.
VALGRIND := valgrind -q --error-exitcode=99 --leak-check=full \
            --errors-for-leak-kinds=definite,indirect
check-valgrind: all
	@PLUGINS_DIR=$(CURDIR)/$(BIN) LAB_WRAP="$(VALGRIND)" \
	    sh tests/lab/run.sh present wan portmap

bench: all
	@PLUGINS_DIR=$(CURDIR)/$(BIN) TOOLS_DIR=$(CURDIR)/$(B)/tools sh tests/bench/run.sh

demo: all
	@PLUGINS_DIR=$(CURDIR)/$(BIN) sh tests/lab/demo.sh

# Fuzz targets (clang + libFuzzer): FUZZ_SECONDS each.
FUZZ_SECONDS ?= 60
fuzz:
	@sh tests/fuzz/run.sh $(FUZZ_SECONDS)
fuzz-short:
	@sh tests/fuzz/run.sh 10

contrib: all
	@bash tests/contrib/test_contrib.sh

lint:
	@sh tests/tools/lint.sh

install: all
	install -d $(DESTDIR)$(PLUGINDIR)
	install -m 0755 $(PLUGIN_BIN) $(DESTDIR)$(PLUGINDIR)/

clean:
	rm -rf build build-asan build-fuzz $(PLUGINS:%=plugins/%)
