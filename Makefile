# SPDX-License-Identifier: GPL-3.0-or-later
# check_igd: build, test, install.
# Respects CC, CFLAGS, CPPFLAGS, LDFLAGS and, for install/uninstall,
# DESTDIR and the directories below (PREFIX=/usr gives Debian's layout).

CC       ?= cc
CFLAGS   ?= -O2 -g
PREFIX   ?= /usr/local
PLUGINDIR ?= $(PREFIX)/lib/nagios/plugins
MANDIR   ?= $(PREFIX)/share/man
DATADIR  ?= $(PREFIX)/share/check_igd
DOCDIR   ?= $(PREFIX)/share/doc/check-igd
LIBEXECDIR ?= $(PREFIX)/lib/check_igd
SYSCONFDIR ?= /etc
ICINGA2_CONTRIBDIR ?= $(PREFIX)/share/icinga2/include/plugins-contrib.d
NAGIOS_CONFIGDIR ?= $(SYSCONFDIR)/nagios-plugins/config
VERSION  := $(shell cat VERSION)

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
PLUGINS    := check_igd_present check_igd_wan check_igd_portmap check_igd_exposed
PLUGIN_SRC := $(wildcard $(PLUGINS:%=plugins/%.c))
PLUGIN_BIN := $(PLUGIN_SRC:plugins/%.c=$(BIN)/%)
UNIT_SRC   := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN   := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
TOOL_SRC   := $(sort $(wildcard tests/bench/*.c))
TOOL_BIN   := $(TOOL_SRC:tests/bench/%.c=$(B)/tools/%)

.PHONY: all check checkers unit lab hostile asan check-asan check-valgrind fuzz fuzz-short contrib engines package-test deps bench lint install uninstall clean demo
all: $(PLUGIN_BIN) $(TOOL_BIN)

$(B)/common/%.o: common/%.c $(wildcard common/*.h) VERSION | $(B)/common
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# The default policy is compiled in: turn the YAML file into a C array.
$(B)/common/default_policy.c: policies/default.yaml tests/tools/embed.sh | $(B)/common
	sh tests/tools/embed.sh policy_default_yaml < $< > $@
$(B)/common/default_policy.o: $(B)/common/default_policy.c
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(B)/libcheck_igd.a: $(COMMON_OBJ)
	rm -f $@ && ar rcs $@ $^

$(BIN)/%: plugins/%.c $(B)/libcheck_igd.a $(wildcard common/*.h) VERSION
	@mkdir -p $(BIN)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(B)/libcheck_igd.a $(LIBS)

$(B)/tests/%: tests/unit/%.c $(B)/libcheck_igd.a $(wildcard common/*.h tests/unit/*.h) | $(B)/tests
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
	@PLUGINS_DIR=$(CURDIR)/$(BIN) bash tests/tools/test_docs.sh
	@PLUGINS_DIR=$(CURDIR)/$(BIN) bash tests/tools/test_json.sh
	@PLUGINS_DIR=$(CURDIR)/$(BIN) /usr/bin/python3 tests/tools/test_blocked_stdout.py

# Lab tests: a real miniupnpd in network namespaces (root only).
lab: all
	@PLUGINS_DIR=$(CURDIR)/$(BIN) sh tests/lab/run.sh

# Hostile-device tests: a misbehaving IGD on loopback.
hostile: all
	@PLUGINS_DIR=$(CURDIR)/$(BIN) bash tests/hostile/run.sh
	@PLUGINS_DIR=$(CURDIR)/$(BIN) bash tests/hostile/resolve.sh

# Install the Debian packages the build, tests and demo need (root).
deps:
	@sh tests/tools/install-deps.sh

# The whole suite under AddressSanitizer + UndefinedBehaviorSanitizer.
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
check-asan:
	HOSTILE_RSS_KB=524288 HOSTILE_SLACK=2 $(MAKE) B=build-asan BIN=build-asan/plugins CFLAGS="-O1 -g $(SAN)" LDFLAGS="$(SAN)" unit lab hostile

# The whole suite: unit, lab and hostile tests, the same under ASan+UBSan,
# fuzz regressions plus a short fuzz run, and the engine integration files.
check: lint checkers unit lab hostile check-asan check-valgrind fuzz-short contrib engines package-test

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

# The Debian package built, linted, installed, run against the lab and
# purged (root; the unit tests are not run again inside the build).
package-test:
	@bash tests/package/test_deb.sh

# The real engines (Icinga 2, its agent, Nagios 4) scheduling the real
# plugins against the lab IGD (root; about 2 minutes at load 16).  A skip
# (exit 77: not root, an engine missing) is a failure under CI.
engines: all
	@rc=0; PLUGINS_DIR=$(CURDIR)/$(BIN) bash tests/contrib/test_engines.sh || rc=$$?; \
	    if [ $$rc = 77 ]; then echo "engines: skipped"; elif [ $$rc != 0 ]; then exit $$rc; fi

contrib: all
	@bash tests/contrib/test_contrib.sh
	@bash tests/contrib/test_install.sh
	@PLUGINS_DIR=$(CURDIR)/$(BIN) bash tests/contrib/test_zabbix_mrpe.sh
	@PLUGINS_DIR=$(CURDIR)/$(BIN) bash tests/contrib/test_events_collectors.sh

lint:
	@sh tests/tools/lint.sh

# What install puts where (uninstall removes exactly this, except the
# example policy in $(SYSCONFDIR)/check_igd/, which is the user's).
#   $(PLUGINDIR)            the three plugins
#   $(MANDIR)/man1          their man pages
#   $(DATADIR)/policies     the shipped policies (default.yaml is compiled in)
#   $(DATADIR)/schema       JSON Schemas of the policy and of --format json
#   $(SYSCONFDIR)/check_igd/policy.yaml   the default policy as a starting
#                           point, installed only when absent
#   $(ICINGA2_CONTRIBDIR)/check_igd.conf  Icinga 2 CheckCommands (read by
#                           "include <plugins-contrib>")
#   $(NAGIOS_CONFIGDIR)/check_igd.cfg     Nagios command definitions only
#                           (Debian's nagios4 reads this directory)
#   $(LIBEXECDIR)/check_igd_zabbix  the Zabbix agent's wrapper (check_igd.run)
#   $(DOCDIR)/examples      example services (Icinga 2, Nagios), the Zabbix
#                           user parameters and template, Checkmk MRPE lines
MAN_PAGES    := $(PLUGINS:%=man/%.1)
POLICY_FILES := $(sort $(wildcard policies/*.yaml))
SCHEMA_FILES := $(sort $(wildcard schema/*.json))
EXAMPLE_FILES := contrib/README.md contrib/icinga2/example-services.conf \
    contrib/nagios/check_igd-services.cfg contrib/zabbix/userparameter_check_igd.conf \
    $(wildcard contrib/zabbix/*.yaml) $(wildcard contrib/checkmk/*) \
    $(wildcard contrib/events/*)

install: all
	install -d $(DESTDIR)$(PLUGINDIR) $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(DATADIR)/policies $(DESTDIR)$(DATADIR)/schema \
	    $(DESTDIR)$(SYSCONFDIR)/check_igd $(DESTDIR)$(ICINGA2_CONTRIBDIR) \
	    $(DESTDIR)$(NAGIOS_CONFIGDIR) $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(LIBEXECDIR)
	install -m 0755 $(PLUGIN_BIN) $(DESTDIR)$(PLUGINDIR)/
	sed 's|/usr/lib/nagios/plugins|$(PLUGINDIR)|; s|/etc/check_igd/|$(SYSCONFDIR)/check_igd/|' \
	    contrib/zabbix/check_igd_zabbix > $(DESTDIR)$(LIBEXECDIR)/check_igd_zabbix
	chmod 0755 $(DESTDIR)$(LIBEXECDIR)/check_igd_zabbix
	install -m 0644 $(MAN_PAGES) $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 $(POLICY_FILES) $(DESTDIR)$(DATADIR)/policies/
	install -m 0644 $(SCHEMA_FILES) $(DESTDIR)$(DATADIR)/schema/
	test -e $(DESTDIR)$(SYSCONFDIR)/check_igd/policy.yaml || \
	    install -m 0644 policies/default.yaml $(DESTDIR)$(SYSCONFDIR)/check_igd/policy.yaml
	install -m 0644 contrib/icinga2/check_igd.conf $(DESTDIR)$(ICINGA2_CONTRIBDIR)/check_igd.conf
	sed 's|\$$USER1\$$|$(PLUGINDIR)|g' contrib/nagios/check_igd.cfg \
	    > $(DESTDIR)$(NAGIOS_CONFIGDIR)/check_igd.cfg
	chmod 0644 $(DESTDIR)$(NAGIOS_CONFIGDIR)/check_igd.cfg
	install -m 0644 $(EXAMPLE_FILES) $(DESTDIR)$(DOCDIR)/examples/
	sed -i 's|/usr/lib/nagios/plugins/|$(PLUGINDIR)/|g; s|/usr/lib/check_igd/|$(LIBEXECDIR)/|g' \
	    $(DESTDIR)$(DOCDIR)/examples/userparameter_check_igd.conf

uninstall:
	rm -f $(PLUGINS:%=$(DESTDIR)$(PLUGINDIR)/%) $(PLUGINS:%=$(DESTDIR)$(MANDIR)/man1/%.1)
	rm -f $(POLICY_FILES:policies/%=$(DESTDIR)$(DATADIR)/policies/%)
	rm -f $(SCHEMA_FILES:schema/%=$(DESTDIR)$(DATADIR)/schema/%)
	rm -f $(DESTDIR)$(LIBEXECDIR)/check_igd_zabbix
	-rmdir $(DESTDIR)$(LIBEXECDIR) 2>/dev/null
	rm -f $(DESTDIR)$(ICINGA2_CONTRIBDIR)/check_igd.conf $(DESTDIR)$(NAGIOS_CONFIGDIR)/check_igd.cfg
	rm -f $(addprefix $(DESTDIR)$(DOCDIR)/examples/,$(notdir $(EXAMPLE_FILES)))
	-rmdir $(DESTDIR)$(DATADIR)/policies $(DESTDIR)$(DATADIR)/schema $(DESTDIR)$(DATADIR) \
	    $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(DOCDIR) 2>/dev/null
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/check_igd/policy.yaml ]; then \
	    echo "kept $(DESTDIR)$(SYSCONFDIR)/check_igd/policy.yaml (yours; remove it by hand)"; fi

clean:
	rm -rf build build-asan build-fuzz $(PLUGINS:%=plugins/%)
