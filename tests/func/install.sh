#!/bin/bash
# make install into a DESTDIR puts binaries, man pages, profile, catalog and
# systemd units in place; the man pages render; the service's offline
# security exposure stays at 3.0 or lower.
. "$(dirname "$0")/lib"
SRCDIR=${SRCDIR:-$(pwd)}
root=$T/root
make -s -C "$SRCDIR" O="${O:-.}" install DESTDIR="$root" PREFIX=/usr SYSCONFDIR=/etc >"$T/install.log" 2>&1
is "$?" 0 "make install succeeds"
for f in usr/sbin/kitstockd usr/bin/kitstock usr/share/man/man1/kitstock.1 \
    usr/share/man/man8/kitstockd.8 usr/share/kitstockd/profiles/93/communes.csv \
    usr/share/locale/fr/LC_MESSAGES/kitstock.mo usr/lib/systemd/system/kitstockd.service \
    usr/lib/systemd/system/kitstockd.socket usr/lib/sysusers.d/kitstockd.conf \
    etc/kitstock/kitstockd.conf; do
	[ -f "$root/$f" ] && pass "installed $f" || fail "installed $f"
done
like "$(grep ExecStart "$root/usr/lib/systemd/system/kitstockd.service")" \
    'ExecStart=/usr/sbin/kitstockd -f -c /etc/kitstock/kitstockd.conf' "unit points at the installed paths"
"$root/usr/sbin/kitstockd" -n -c "$root/etc/kitstock/kitstockd.conf" 2>/dev/null
is "$?" 0 "the installed configuration is valid"
is "$(cmp "$root/usr/share/kitstockd/profiles/93/communes.csv" "$SRCDIR/daemon/profiles/93/communes.csv" && echo same)" same "profile installed as shipped"
for m in usr/share/man/man1/kitstock.1 usr/share/man/man8/kitstockd.8; do
	n=$(MANWIDTH=80 man -l "$root/$m" 2>"$T/man.err" | wc -l)
	[ "$n" -gt 50 ] && [ ! -s "$T/man.err" ] && pass "$m renders" || fail "$m renders" "$(cat "$T/man.err")"
done
if command -v systemd-analyze >/dev/null; then
	score=$(systemd-analyze security --offline=true --root="$root" \
	    usr/lib/systemd/system/kitstockd.service 2>/dev/null |
	    sed -n 's/.*Overall exposure level for kitstockd.service: \([0-9.]*\).*/\1/p')
	like "$score" '^([0-2]\.[0-9]|3\.0)$' "systemd exposure $score <= 3.0"
	like "$(grep '^WatchdogSec=' "$root/usr/lib/systemd/system/kitstockd.service")" \
	    '^WatchdogSec=[1-9]' "the service has a watchdog"
	like "$(grep '^DeviceAllow=' "$root/usr/lib/systemd/system/kitstockd.service")" \
	    'char-usb_device rw' "USB scanners allowed"
	like "$(grep '^RestrictAddressFamilies=' "$root/usr/lib/systemd/system/kitstockd.service")" \
	    'AF_NETLINK' "netlink allowed for libusb's hotplug"
	# verify against the host's units, with the installed binaries.
	mkdir -p "$T/units"
	for u in "$root"/usr/lib/systemd/system/*; do
		sed -e "s|/usr/sbin/kitstockd|$root/usr/sbin/kitstockd|" \
		    -e "s|/usr/bin/kitstock |$root/usr/bin/kitstock |" "$u" \
		    > "$T/units/${u##*/}"
	done
	(cd "$T/units" && systemd-analyze verify --man=no ./*) >"$T/verify.log" 2>&1
	is "$?:$(cat "$T/verify.log")" "0:" "systemd-analyze verify passes on the units"
fi
make -s -C "$SRCDIR" O="${O:-.}" uninstall DESTDIR="$root" PREFIX=/usr SYSCONFDIR=/etc >/dev/null 2>&1
is "$(find "$root/usr" -type f | wc -l)" 0 "make uninstall removes what it installed"
done_testing
