# Printing tests: a throw-away CUPS scheduler and a fake port-9100 printer,
# sourced by tests/func/print-*.sh after tests/func/lib. Adapted from
# ../shared/labels/cups-private.sh: nothing of a system cupsd is touched
# (own configuration, spool, cache, state and logs under $T/cups, its own
# UNIX socket, no TCP port), and it is stopped by the PID it recorded.
#
#   cups_start             start cupsd, export CUPS_SERVER (the socket)
#   sink_start COUNT       the fake printer: $SINK_PORT, jobs in $T/sink.N
#   cups_stop              stop cupsd and the sink (also at exit)
#
# Needs root (cupsd, lpadmin) and the cups package.

CUPS_DIR=$T/cups
SINK_PID=

cups_stop() {
	local pid
	if [ -n "$SINK_PID" ]; then
		kill -TERM "$SINK_PID" 2>/dev/null
		wait "$SINK_PID" 2>/dev/null
		SINK_PID=
	fi
	[ -f "$CUPS_DIR/cupsd.pid" ] || return 0
	pid=$(cat "$CUPS_DIR/cupsd.pid")
	if kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid"
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
		wait "$pid" 2>/dev/null
	fi
	rm -f "$CUPS_DIR/cupsd.pid"
}

# Stop cupsd before the temporary directory goes.
trap 'cups_stop; cleanup' EXIT

cups_start() {
	local d=$CUPS_DIR
	if [ "$(id -u)" != 0 ] || ! command -v cupsd >/dev/null; then
		echo "1..0 # SKIP needs root and cupsd (the cups package)"
		exit 0
	fi
	# The backend runs as user lp: every folder above the spool is 755.
	chmod 755 "$T"
	mkdir -p "$d"/etc/ppd "$d"/etc/ssl "$d"/spool/tmp "$d"/cache \
	    "$d"/state/certs "$d"/log
	cp /etc/cups/raw.types /etc/cups/raw.convs "$d/etc/" 2>/dev/null
	cat > "$d/etc/cups-files.conf" <<-CONF
	ServerRoot $d/etc
	RequestRoot $d/spool
	TempDir $d/spool/tmp
	CacheDir $d/cache
	StateDir $d/state
	ServerBin /usr/lib/cups
	DataDir /usr/share/cups
	AccessLog $d/log/access_log
	ErrorLog $d/log/error_log
	PageLog $d/log/page_log
	SystemGroup root
	CONF
	cat > "$d/etc/cupsd.conf" <<-CONF
	LogLevel debug
	Listen $d/cups.sock
	Browsing No
	WebInterface No
	DefaultAuthType Basic
	MaxJobs 0
	PreserveJobFiles No
	<Location />
	  Order allow,deny
	  Allow localhost
	</Location>
	<Policy default>
	  JobPrivateAccess default
	  JobPrivateValues default
	  SubscriptionPrivateAccess default
	  SubscriptionPrivateValues default
	  <Limit CUPS-Add-Modify-Printer CUPS-Delete-Printer CUPS-Add-Modify-Class CUPS-Delete-Class CUPS-Set-Default CUPS-Get-Devices Pause-Printer Resume-Printer Enable-Printer Disable-Printer CUPS-Accept-Jobs CUPS-Reject-Jobs Cancel-Jobs Purge-Jobs>
	    AuthType Default
	    Require user @SYSTEM
	    Order deny,allow
	  </Limit>
	  <Limit All>
	    Order deny,allow
	  </Limit>
	</Policy>
	CONF
	if ! cupsd -t -c "$d/etc/cupsd.conf" -s "$d/etc/cups-files.conf" \
	    >"$d/log/config-test" 2>&1; then
		echo "Bail out! cupsd refuses its configuration"
		cat "$d/log/config-test"
		exit 1
	fi
	# -f: cupsd stays in the foreground, so $! is cupsd itself.
	cupsd -f -c "$d/etc/cupsd.conf" -s "$d/etc/cups-files.conf" \
	    </dev/null >"$d/log/stdout" 2>&1 &
	echo $! > "$d/cupsd.pid"
	export CUPS_SERVER=$d/cups.sock
	for _ in $(seq 100); do
		[ -S "$d/cups.sock" ] && lpstat -r >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "Bail out! cupsd did not come up"; cat "$d/log/error_log"
	exit 1
}

# The fake printer on a free port; each connection's bytes in $T/sink.N.
sink_start() {
	local prnsink=${SRCDIR:-.}/${O:-.}/tests/labels/prnsink
	if [ ! -x "$prnsink" ]; then
		prnsink=$T/prnsink
		cc -O2 -o "$prnsink" "${SRCDIR:-.}/tests/labels/prnsink.c" ||
		    { echo "Bail out! cannot build prnsink"; exit 1; }
	fi
	"$prnsink" 0 "$T/sink" "$1" 120 >"$T/sink.out" 2>"$T/sink.log" &
	SINK_PID=$!
	for _ in $(seq 100); do
		SINK_PORT=$(sed -n 's/^listening on 127.0.0.1://p' "$T/sink.out")
		[ -n "$SINK_PORT" ] && return 0
		sleep 0.05
	done
	echo "Bail out! prnsink did not start"; exit 1
}

# Wait until the fake printer has received connection N in full.
sink_wait() {
	for _ in $(seq 600); do
		[ -f "$T/sink.$1" ] && return 0
		sleep 0.1
	done
	return 1
}
