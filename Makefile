# kitstock: GNU make, pkg-config, no autotools.
#
#   make run      install what is missing, build, start kitstockd on ./var
#   make check    install what is missing, build with -Werror, ASan and
#                 UBSan, run every test
#
# Objects go beside their sources (O=.) or under another directory:
# "make check" builds its own instrumented copy under build/check.

VERSION    = 0.1.0
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
SBINDIR    ?= $(PREFIX)/sbin
DATADIR    ?= $(PREFIX)/share/kitstockd
LOCALEDIR  ?= $(PREFIX)/share/locale
MANDIR     ?= $(PREFIX)/share/man
UNITDIR    ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
UDEVDIR    ?= $(PREFIX)/lib/udev
SYSCONFDIR ?= /etc
PKG_CONFIG ?= pkg-config
CFLAGS     ?= -O2 -g
O          ?= .

DEPS_DAEMON = libevent libevent_openssl sqlite3 jansson libsystemd libssl libcrypto \
	libqrencode cairo cairo-ft freetype2 zbar
DEPS_CLIENT = libcurl jansson
WARN  = -Wall -Wextra -Wformat=2 -Wshadow -Wpointer-arith \
	-Wmissing-prototypes -Wstrict-prototypes -Wmissing-declarations \
	-Wwrite-strings -Wcast-qual -Wundef -Wno-unused-parameter \
	-Wno-missing-field-initializers
WARN += $(if $(WERROR),-Werror)
SAN   = $(if $(SANITIZE),-fsanitize=$(SANITIZE) -fno-omit-frame-pointer \
	-fno-sanitize-recover=all)
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -Ishared -I$(O)/daemon $(WARN) $(SAN) \
	-DVERSION='"$(VERSION)"' -DLOCALEDIR='"$(LOCALEDIR)"' \
	-DSRC_LOCALEDIR='"$(CURDIR)/shared/locale"' \
	-DLABELDIR='"$(DATADIR)/labels"' -DSRC_LABELDIR='"$(CURDIR)/labels"' \
	$(shell $(PKG_CONFIG) --cflags $(DEPS_DAEMON) $(DEPS_CLIENT) 2>/dev/null) \
	$(CFLAGS) -MMD -MP
ALL_LDFLAGS = $(SAN) $(LDFLAGS)
# libcups has no .pc file on Debian 12.
LIBS_DAEMON = $(shell $(PKG_CONFIG) --libs $(DEPS_DAEMON) 2>/dev/null) \
	$(shell cups-config --libs 2>/dev/null) -lm
LIBS_CLIENT = $(shell $(PKG_CONFIG) --libs $(DEPS_CLIENT) 2>/dev/null)

SHARED_SRCS = shared/xmalloc.c shared/tag.c shared/i18n.c shared/csv.c
DAEMON_SRCS = daemon/main.c daemon/config.c daemon/log.c daemon/http.c \
	daemon/reply.c daemon/route.c daemon/profile.c daemon/lifecycle.c \
	daemon/api-item.c daemon/api-health.c daemon/api-supplier.c \
	daemon/api-location.c daemon/api-lot.c daemon/api-device.c \
	daemon/api-sim.c daemon/api-accessory.c daemon/api-unit.c \
	daemon/api-stock.c daemon/api-backup.c daemon/api-token.c daemon/auth.c \
	daemon/store-token.c daemon/tls.c daemon/store.c daemon/store-schema.c \
	daemon/store-ledger.c daemon/store-ref.c daemon/store-item.c \
	daemon/store-unit.c daemon/label.c daemon/label-print.c \
	daemon/api-label.c daemon/store-label.c daemon/api-lot-import.c \
	daemon/store-manifest.c
# The beneficiary path: people, identity, diagnostics, training, follow-ups.
DAEMON_SRCS += daemon/api-prescriber.c daemon/api-beneficiary.c \
	daemon/api-diagnostic.c daemon/api-training.c daemon/api-followup.c \
	daemon/store-beneficiary.c daemon/retention.c
# Kits, distributions and hand-overs, receipts, connection, repairs.
DAEMON_SRCS += daemon/api-kit.c daemon/api-distribution.c \
	daemon/api-topup.c daemon/api-repair.c daemon/store-kit.c \
	daemon/store-distribution.c daemon/store-repair.c daemon/receipt.c
# Places and offers of digital mediation (the national standard), drop-outs.
DAEMON_SRCS += daemon/lieux.c daemon/api-offers.c daemon/store-offers.c
# Connection limits (request-timeout, max-connections).
DAEMON_SRCS += daemon/conn.c
DAEMON_SRCS += daemon/store-wal.c
# Labels and documents rendered off the loop (a few threads).
DAEMON_SRCS += daemon/worker.c
# KITSTOCKD_EXPLAIN=FILE: every statement's query plan (query-plans.sh).
DAEMON_SRCS += daemon/store-explain.c
DAEMON_GEN  = daemon/profile-builtin.c
CLIENT_SRCS = client/main.c client/http.c client/output.c client/cmd.c \
	client/cmd-item.c client/cmd-unit.c client/cmd-report.c \
	client/cmd-token.c client/cmd-label.c client/cmd-lot-import.c
CLIENT_SRCS += client/cmd-beneficiary.c
CLIENT_SRCS += client/cmd-kit.c client/cmd-distribution.c \
	client/cmd-topup.c client/cmd-repair.c
# The territory's offers: import, suggestions, drop-outs.
CLIENT_SRCS += client/cmd-offers.c
# Indicators, exports, alerts and the dashboard (its files built in).
DAEMON_SRCS += daemon/store-tally.c daemon/store-kept.c
DAEMON_SRCS += daemon/store-report.c daemon/api-report.c \
	daemon/api-export.c daemon/alerts.c daemon/dashboard.c
DAEMON_GEN  += daemon/dashboard-builtin.c
CLIENT_SRCS += client/cmd-export.c
# Browser sessions: the dashboard's cookie, listed and ended by coordinators.
DAEMON_SRCS += daemon/store-session.c daemon/api-session.c
CLIENT_SRCS += client/cmd-session.c
UNIT_TESTS  = test-tag test-lifecycle test-store test-config test-label \
	test-csv
# USB scanners and the remote terminal: HID decoding (shared), libusb.
SHARED_SRCS += shared/hid.c
DAEMON_SRCS += daemon/usb.c daemon/store-scanner.c daemon/api-scanner.c
DEPS_DAEMON += libusb-1.0
CLIENT_SRCS += client/cmd-scanner.c client/terminal.c
DEPS_CLIENT += libusb-1.0
UNIT_TESTS += test-hid
# Files of the standard « Lieux de médiation numérique ».
UNIT_TESTS += test-lieux
# Report queries start from an index (EXPLAIN QUERY PLAN).
UNIT_TESTS += test-report
# KITSTOCKD_EXPLAIN: every statement's plan, aliases resolved.
UNIT_TESTS += test-explain
# Scan stations: the scan engine, modes, the stream of verdicts.
DAEMON_SRCS += daemon/scan.c daemon/stream.c daemon/api-station.c \
	daemon/store-station.c
CLIENT_SRCS += client/cmd-station.c

SHARED_OBJS = $(SHARED_SRCS:%.c=$(O)/%.o)
DAEMON_OBJS = $(DAEMON_SRCS:%.c=$(O)/%.o) $(DAEMON_GEN:%.c=$(O)/%.o)
CLIENT_OBJS = $(CLIENT_SRCS:%.c=$(O)/%.o)
# The daemon's objects without main.o, for the unit tests.
DAEMON_LIB  = $(filter-out $(O)/daemon/main.o,$(DAEMON_OBJS))
ALL_OBJS    = $(SHARED_OBJS) $(DAEMON_OBJS) $(CLIENT_OBJS) \
	$(UNIT_TESTS:%=$(O)/tests/unit/%.o) \
	$(FUZZ_TARGETS:%=$(O)/tests/fuzz/fuzz-%.o) $(O)/tests/fuzz/replay.o

KITSTOCKD = $(O)/daemon/kitstockd
KITSTOCK  = $(O)/client/kitstock
LANGS     = fr
MOFILES   = $(LANGS:%=shared/locale/%/LC_MESSAGES/kitstock.mo)

# Debian 12 packages: to build, to test.
PKGS_BUILD = gcc make pkg-config gettext libevent-dev libsqlite3-dev \
	libjansson-dev libcurl4-openssl-dev libsystemd-dev \
	libqrencode-dev libcairo2-dev libfreetype-dev libzbar-dev \
	libcups2-dev fonts-dejavu-core libusb-1.0-0-dev
PKGS_TEST  = curl jq sqlite3 perl util-linux procps clang-format clang \
	libclang-rt-14-dev poppler-utils zbar-tools cups cups-client \
	umockdev libumockdev-dev chromium python3 \
	$(if $(shell command -v npm 2>/dev/null),,nodejs npm)

.PHONY: all check run deps deps-test install uninstall clean format \
	format-check unit func crash fuzz fuzz-replay bench labels screenshot

all: $(KITSTOCKD) $(KITSTOCK) $(MOFILES)

$(O)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(O)/daemon/profile-builtin.c: daemon/profiles/embed.awk $(wildcard daemon/profiles/93/*)
	@mkdir -p $(@D)
	awk -f daemon/profiles/embed.awk daemon/profiles/93/* > $@.tmp && mv $@.tmp $@

$(O)/daemon/profile-builtin.o: $(O)/daemon/profile-builtin.c
	$(CC) $(ALL_CFLAGS) -Idaemon -c -o $@ $<

DASHBOARD_FILES = daemon/dashboard/index.html daemon/dashboard/app.js \
	daemon/dashboard/app.css
$(O)/daemon/dashboard-builtin.c: daemon/profiles/embed.awk $(DASHBOARD_FILES)
	@mkdir -p $(@D)
	awk -v var=dashboard_builtin -f daemon/profiles/embed.awk \
	    $(DASHBOARD_FILES) > $@.tmp && mv $@.tmp $@

$(O)/daemon/dashboard-builtin.o: $(O)/daemon/dashboard-builtin.c
	$(CC) $(ALL_CFLAGS) -Idaemon -c -o $@ $<

$(KITSTOCKD): $(DAEMON_OBJS) $(SHARED_OBJS)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS_DAEMON)

$(KITSTOCK): $(CLIENT_OBJS) $(SHARED_OBJS)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS_CLIENT)

shared/locale/%/LC_MESSAGES/kitstock.mo: shared/po/%.po
	@mkdir -p $(@D)
	msgfmt --check -o $@ $<

# The catalog template, from every _() and N_() in the sources.
shared/po/kitstock.pot: $(SHARED_SRCS) $(DAEMON_SRCS) $(CLIENT_SRCS)
	xgettext --from-code=UTF-8 -k_ -kN_ -c/ --no-location \
	    --package-name=kitstock --package-version=$(VERSION) \
	    -o $@ $(sort $^)

po-update: shared/po/kitstock.pot
	for l in $(LANGS); do msgmerge -q -U --backup=none shared/po/$$l.po $<; done

# Unit tests link the modules they test, never main.o.
$(O)/tests/unit/test-tag: $(O)/tests/unit/test-tag.o $(SHARED_OBJS)
	$(CC) $(ALL_LDFLAGS) -o $@ $^
$(O)/tests/unit/test-csv: $(O)/tests/unit/test-csv.o $(SHARED_OBJS)
	$(CC) $(ALL_LDFLAGS) -o $@ $^
$(O)/tests/unit/test-hid: $(O)/tests/unit/test-hid.o $(SHARED_OBJS)
	$(CC) $(ALL_LDFLAGS) -o $@ $^
$(O)/tests/unit/test-%: $(O)/tests/unit/test-%.o $(DAEMON_LIB) $(SHARED_OBJS)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS_DAEMON)
$(O)/tests/unit/%.o: tests/unit/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests -Idaemon -c -o $@ $<

# Fuzzing: each target has LLVMFuzzerTestOneInput; "make fuzz" runs them
# under libFuzzer (clang), "make check" replays the stored corpus through
# the sanitized build with a plain main (tests/fuzz/replay.c).
FUZZ_TARGETS = tag config fields template
FUZZ_TARGETS += hid
FUZZ_TARGETS += request
FUZZ_SECONDS ?= 60
$(O)/tests/fuzz/%.o: tests/fuzz/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Idaemon -c -o $@ $<
$(O)/tests/fuzz/replay-tag: $(O)/tests/fuzz/fuzz-tag.o $(O)/tests/fuzz/replay.o $(SHARED_OBJS)
	$(CC) $(ALL_LDFLAGS) -o $@ $^
$(O)/tests/fuzz/replay-%: $(O)/tests/fuzz/fuzz-%.o $(O)/tests/fuzz/replay.o $(DAEMON_LIB) $(SHARED_OBJS)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS_DAEMON)
$(O)/tests/fuzz/libfuzzer-tag: $(O)/tests/fuzz/fuzz-tag.o $(SHARED_OBJS)
	$(CC) $(ALL_LDFLAGS) -fsanitize=fuzzer -o $@ $^
# Files of the standard « Lieux de médiation numérique » (daemon/lieux.c).
FUZZ_TARGETS += lieux
# Delivery manifests: shared/csv.c alone.
FUZZ_TARGETS += csv
$(O)/tests/fuzz/replay-csv: $(O)/tests/fuzz/fuzz-csv.o $(O)/tests/fuzz/replay.o $(SHARED_OBJS)
	$(CC) $(ALL_LDFLAGS) -o $@ $^
$(O)/tests/fuzz/libfuzzer-csv: $(O)/tests/fuzz/fuzz-csv.o $(SHARED_OBJS)
	$(CC) $(ALL_LDFLAGS) -fsanitize=fuzzer -o $@ $^
$(O)/tests/fuzz/replay-hid: $(O)/tests/fuzz/fuzz-hid.o $(O)/tests/fuzz/replay.o $(SHARED_OBJS)
	$(CC) $(ALL_LDFLAGS) -o $@ $^
$(O)/tests/fuzz/libfuzzer-hid: $(O)/tests/fuzz/fuzz-hid.o $(SHARED_OBJS)
	$(CC) $(ALL_LDFLAGS) -fsanitize=fuzzer -o $@ $^
$(O)/tests/fuzz/libfuzzer-%: $(O)/tests/fuzz/fuzz-%.o $(DAEMON_LIB) $(SHARED_OBJS)
	$(CC) $(ALL_LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(LIBS_DAEMON)

fuzz-replay: $(FUZZ_TARGETS:%=$(O)/tests/fuzz/replay-%)
	@for t in $(FUZZ_TARGETS); do \
	    printf 'fuzz corpus %s: ' $$t; \
	    $(O)/tests/fuzz/replay-$$t tests/fuzz/corpus/$$t/* || exit 1; \
	done

fuzz: deps-test
	@$(MAKE) --no-print-directory O=build/fuzz CC=clang \
	    SANITIZE=fuzzer-no-link,address,undefined CFLAGS="-O1 -g" \
	    $(FUZZ_TARGETS:%=build/fuzz/tests/fuzz/libfuzzer-%)
	@for t in $(FUZZ_TARGETS); do \
	    mkdir -p build/fuzz/corpus/$$t && \
	    echo "fuzzing $$t for $(FUZZ_SECONDS) s" && \
	    build/fuzz/tests/fuzz/libfuzzer-$$t -max_total_time=$(FUZZ_SECONDS) \
	        -print_final_stats=1 build/fuzz/corpus/$$t tests/fuzz/corpus/$$t \
	        2>build/fuzz/$$t.log || { tail -40 build/fuzz/$$t.log; exit 1; }; \
	    grep -E 'stat::number_of_executed_units|stat::new_units_added' build/fuzz/$$t.log; \
	done

# make bench: figures against the machine's own limit (never in make check).
$(O)/tests/bench/%.o: tests/bench/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Idaemon -c -o $@ $<
$(O)/tests/bench/bench-scan: $(O)/tests/bench/bench-scan.o $(DAEMON_LIB) $(SHARED_OBJS)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS_DAEMON)
$(O)/tests/bench/bench-reports: $(O)/tests/bench/bench-reports.o $(DAEMON_LIB) $(SHARED_OBJS)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS_DAEMON) $(LIBS_CLIENT)
$(O)/tests/bench/bench-labels: $(O)/tests/bench/bench-labels.o
	$(CC) $(ALL_LDFLAGS) -o $@ $^
bench: deps
	@$(MAKE) --no-print-directory O=build/bench CFLAGS="-O2 -g" \
	    build/bench/daemon/kitstockd build/bench/tests/bench/bench-scan \
	    build/bench/tests/bench/bench-reports \
	    build/bench/tests/bench/bench-labels
	KITSTOCKD=build/bench/daemon/kitstockd build/bench/tests/bench/bench-scan
	KITSTOCKD=build/bench/daemon/kitstockd build/bench/tests/bench/bench-reports
	KITSTOCKD=build/bench/daemon/kitstockd build/bench/tests/bench/bench-labels

# Label tests: the daemon's label code alone (label-render), a fake
# port-9100 printer for the printing tests (prnsink), and zpl-renderer-js
# from npm to render ZPL offline.
$(O)/tests/labels/%.o: tests/labels/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Idaemon -c -o $@ $<
$(O)/tests/labels/label-render: $(O)/tests/labels/label-render.o $(DAEMON_LIB) $(SHARED_OBJS)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS_DAEMON)
$(O)/tests/labels/prnsink: $(O)/tests/labels/prnsink.o
	$(CC) $(ALL_LDFLAGS) -o $@ $^
# USB tests: scanners emulated by umockdev (tests/usb/scanner-sim.c, built
# without sanitizers: it is the harness, not the code under test).
$(O)/tests/usb/scanner-sim: tests/usb/scanner-sim.c
	@mkdir -p $(@D)
	$(CC) -O1 -g -Wall -o $@ $< $$($(PKG_CONFIG) --cflags --libs \
	    umockdev-1.0 gio-2.0)
$(O)/tests/labels/node_modules/.installed: tests/labels/package.json \
    tests/labels/package-lock.json
	@mkdir -p $(O)/tests/labels
	cp tests/labels/package.json tests/labels/package-lock.json $(O)/tests/labels/
	cd $(O)/tests/labels && { npm ci --offline --no-audit --no-fund || \
	    npm ci --no-audit --no-fund; }
	touch $@

labels: all $(O)/tests/labels/label-render $(O)/tests/labels/node_modules/.installed
	LABEL_RENDER=$(abspath $(O)/tests/labels/label-render) \
	    NODE_PATH=$(abspath $(O)/tests/labels/node_modules) \
	    SRCDIR=$(CURDIR) prove -f tests/labels/render.sh

# What the machine lacks, from Debian's archive (root, or sudo).
deps:
	@missing=$$(for p in $(PKGS_BUILD) $(EXTRA_PKGS); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
	    grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	    echo "installing:" $$missing; \
	    sudo=; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	    $$sudo apt-get update -q && \
	    DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -q $$missing; \
	fi

deps-test:
	@$(MAKE) --no-print-directory deps EXTRA_PKGS="$(PKGS_TEST)"

run: deps
	@$(MAKE) --no-print-directory all
	@mkdir -p var
	exec $(KITSTOCKD) -f -d var/kitstock.db -s var/kitstockd.sock

# The whole suite on an instrumented build of its own.
check: deps-test
	@$(MAKE) --no-print-directory O=build/check WERROR=1 \
	    SANITIZE=address,undefined CFLAGS="-O1 -g" unit fuzz-replay func \
	    labels

unit: all $(UNIT_TESTS:%=$(O)/tests/unit/%)
	cd $(O)/tests/unit && prove -f $(UNIT_TESTS:%=./%)

func: all $(O)/tests/labels/prnsink $(O)/tests/usb/scanner-sim
	KITSTOCKD=$(abspath $(KITSTOCKD)) KITSTOCK=$(abspath $(KITSTOCK)) \
	    SRCDIR=$(CURDIR) O=$(O) \
	    prove -j2 --timer -f tests/func/*.sh

# The dashboard's picture in the README: a generated programme in headless
# Chromium, saved as docs/dashboard.png (kept in the repository).
screenshot: all
	KITSTOCKD=$(abspath $(KITSTOCKD)) KITSTOCK=$(abspath $(KITSTOCK)) \
	    timeout 600 tests/screenshot.sh docs/dashboard.png

# The crash test at full length: 100 SIGKILL cycles under concurrent writes.
crash: deps-test
	@$(MAKE) --no-print-directory all
	KITSTOCKD=$(abspath $(KITSTOCKD)) KITSTOCK=$(abspath $(KITSTOCK)) \
	    CRASH_CYCLES=100 prove -v tests/func/crash-kill9.sh

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) \
	    $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man8 \
	    $(DESTDIR)$(DATADIR)/labels $(DESTDIR)$(DATADIR)/profiles/93 \
	    $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSCONFDIR)/kitstock
	install -m 755 $(KITSTOCKD) $(DESTDIR)$(SBINDIR)/kitstockd
	install -m 755 $(KITSTOCK) $(DESTDIR)$(BINDIR)/kitstock
	install -m 644 client/kitstock.1 $(DESTDIR)$(MANDIR)/man1/kitstock.1
	install -m 644 daemon/kitstockd.8 $(DESTDIR)$(MANDIR)/man8/kitstockd.8
	install -m 644 daemon/profiles/93/* $(DESTDIR)$(DATADIR)/profiles/93/
	for f in labels/*; do [ -f "$$f" ] && \
	    install -m 644 "$$f" $(DESTDIR)$(DATADIR)/labels/ || true; done
	for l in $(LANGS); do install -d $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES && \
	    install -m 644 shared/locale/$$l/LC_MESSAGES/kitstock.mo \
	    $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/; done
	sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
	    systemd/kitstockd.service.in > $(DESTDIR)$(UNITDIR)/kitstockd.service
	install -m 644 systemd/kitstockd.socket systemd/kitstock-backup.timer \
	    $(DESTDIR)$(UNITDIR)/
	sed -e 's|@BINDIR@|$(BINDIR)|g' systemd/kitstock-backup.service.in \
	    > $(DESTDIR)$(UNITDIR)/kitstock-backup.service
	install -d $(DESTDIR)$(TMPFILESDIR) $(DESTDIR)$(UDEVDIR)/rules.d
	install -m 644 systemd/kitstockd.tmpfiles $(DESTDIR)$(TMPFILESDIR)/kitstockd.conf
	install -m 644 systemd/60-kitstock-scanners.rules $(DESTDIR)$(UDEVDIR)/rules.d/
	install -d $(DESTDIR)$(SYSUSERSDIR)
	install -m 644 systemd/kitstockd.sysusers $(DESTDIR)$(SYSUSERSDIR)/kitstockd.conf
	[ -f $(DESTDIR)$(SYSCONFDIR)/kitstock/kitstockd.conf ] || \
	    install -m 640 systemd/kitstockd.conf $(DESTDIR)$(SYSCONFDIR)/kitstock/

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/kitstockd $(DESTDIR)$(BINDIR)/kitstock \
	    $(DESTDIR)$(MANDIR)/man1/kitstock.1 \
	    $(DESTDIR)$(MANDIR)/man8/kitstockd.8 \
	    $(DESTDIR)$(UNITDIR)/kitstockd.service \
	    $(DESTDIR)$(UNITDIR)/kitstockd.socket \
	    $(DESTDIR)$(SYSUSERSDIR)/kitstockd.conf \
	    $(DESTDIR)$(UNITDIR)/kitstock-backup.service \
	    $(DESTDIR)$(UNITDIR)/kitstock-backup.timer \
	    $(DESTDIR)$(TMPFILESDIR)/kitstockd.conf \
	    $(DESTDIR)$(UDEVDIR)/rules.d/60-kitstock-scanners.rules
	for l in $(LANGS); do rm -f $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/kitstock.mo; done
	rm -rf $(DESTDIR)$(DATADIR)

clean:
	rm -rf build shared/locale
	rm -f $(KITSTOCKD) $(KITSTOCK) daemon/profile-builtin.c
	find . -name '*.o' -o -name '*.d' | grep -v '^./build' | xargs rm -f
	rm -f $(UNIT_TESTS:%=tests/unit/%)

FORMAT_SRCS = $(SHARED_SRCS) $(SHARED_SRCS:.c=.h) $(DAEMON_SRCS) \
	daemon/kitstockd.h $(CLIENT_SRCS) client/kitstock.h \
	$(wildcard tests/unit/*.c)
format:
	clang-format -i $(FORMAT_SRCS)
format-check:
	clang-format --dry-run -Werror $(FORMAT_SRCS)

-include $(ALL_OBJS:.o=.d)

# Keep objects make would otherwise treat as intermediate.
.SECONDARY:
