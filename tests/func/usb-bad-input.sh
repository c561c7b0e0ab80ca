#!/bin/bash
# Bad input to the scanner routes and the calibration label: a 4xx naming
# the field, the value and what is wrong, the database unchanged, the
# daemon still serving. USB switched off ("usb no") or unavailable: the
# daemon serves all the same.
. "$(dirname "$0")/lib"

printf 'language en\nusb no\n' > "$T/usb.conf"
start_daemon -c "$T/usb.conf"
api POST /v1/locations '{"name":"Entrepôt","kind":"warehouse","commune":"93008"}'; L=$(jget .tag)
api POST /v1/stations "{\"name\":\"quai\",\"location\":\"$L\",\"mode\":\"putaway\"}"
is "$status" 201 "a station"
api POST /v1/scanners '{"scanner":"0c2e:0b61","station":"quai"}'
is "$status" 201 "a binding"
before=$(dbsum)

# bad BODY FIELD PATTERN
bad() {
	api POST /v1/scanners "$1"
	if [ "${status:0:1}" = 4 ] && [ "$(jget .error.field)" = "$2" ]; then
		like "$(jget .error.message)" "$3" "$1: $status on $2"
	else
		fail "$1: 4xx on $2" "got $status $body"
	fi
}
bad '{"scanner":"0c2e-0b61","station":"quai"}' scanner 'scanner "0c2e-0b61": expected VID:PID'
bad '{"scanner":"0c2e:0b6","station":"quai"}' scanner 'expected VID:PID'
bad '{"scanner":"0c2g:0b61","station":"quai"}' scanner 'expected VID:PID'
bad '{"scanner":"0c2e:0b61/","station":"quai"}' scanner 'serial number'
bad '{"scanner":"0c2e:0b61/a b","station":"quai"}' scanner 'serial number'
bad '{"scanner":"0c2e:0b61x","station":"quai"}' scanner 'expected VID:PID'
bad '{"scanner":12,"station":"quai"}' scanner 'must be a string'
bad '{"station":"quai"}' scanner 'scanner is required'
bad '{"scanner":"0c2e:0b61/X"}' station 'station is required'
bad '{"scanner":"0c2e:0b61/X","station":"nowhere"}' station 'there is no station nowhere'
bad '{"scanner":"0c2e:0b61/X","station":"quai","layout":"de"}' layout 'layout "de" is not known: expected one of us, fr'
bad '{"scanner":"0c2e:0b61/X","station":"quai","blank_ms":-1}' blank_ms 'out of range \(0 to 10000\)'
bad '{"scanner":"0c2e:0b61/X","station":"quai","blank_ms":"5"}' blank_ms 'whole number'
bad '{"scanner":"0c2e:0b61/X","station":"quai","port":"1"}' port 'port "1": expected a USB port path'
bad '{"scanner":"0c2e:0b61/X","station":"quai","port":"1-"}' port 'expected a USB port path'
bad '{"scanner":"0c2e:0b61/X","station":"quai","port":"a-1"}' port 'expected a USB port path'
bad '{"scanner":"0c2e:0b61/X","station":"quai","colour":"red"}' colour 'unknown field "colour"'
bad '{"scanner":"0c2e:0b61","station":"quai"}' scanner 'already bound: kitstock scanner unbind 0c2e:0b61 first'
api POST /v1/scanners 'not json'
is "$status" 400 "not JSON: 400"
api DELETE /v1/scanners/0c2e:0b61%2FNOPE
is "$status:$(jget .error.field)" "404:scanner" "unbind what is not bound: 404"
like "$(jget .error.message)" "no scanner is bound as 0c2e:0b61/NOPE" "  said"
api GET '/v1/labels/calibration?format=gif'
is "$status:$(jget .error.field)" "400:format" "calibration label, format gif: 400"
api GET '/v1/labels/calibration?dpi=100'
is "$status:$(jget .error.field)" "400:dpi" "calibration label, dpi 100: 400"
api GET '/v1/labels/calibration?colour=red'
is "$status:$(jget .error.field)" "400:colour" "calibration label, unknown parameter: 400"
is "$(dbsum)" "$before" "the database is unchanged by every refusal"
is "$(alive)" 200 "kitstockd still serves"

# USB off: the bindings are listed, nothing is read, and said so.
api GET /v1/scanners
is "$(jget .usb)" off "usb no: GET /v1/scanners says USB is off"
is "$(jget '.scanners[0].name + " " + .scanners[0].state')" "0c2e:0b61 absent" "the binding is listed, absent"
ks scanner list
like "$err" "kitstockd reads no USB scanner: off" "scanner list says USB is off"
ks scanner bind --station quai
is "$rc" 2 "scanner bind without a scanner nor a port: usage (2)"
ks scanner bind 0c2e:0b61/Y
is "$rc" 2 "scanner bind without --station: usage (2)"
ks scanner bind 0c2e:0b61/Y --station quai --blank-ms soon
is "$rc" 2 "scanner bind --blank-ms soon: usage (2)"
ks scanner bind 0c2e:0b61/Y --station nowhere
is "$rc" 1 "scanner bind to an unknown station: refused (1)"
like "$err" "there is no station nowhere" "  said"
ks label calibration --out "$T/cal.gif"
is "$rc" 2 "label calibration --out x.gif: usage (2)"
stop_daemon

# A bad "usb" setting is refused when the configuration is read.
printf 'usb maybe\n' > "$T/bad.conf"
"$KITSTOCKD" -n -c "$T/bad.conf" >/dev/null 2>"$T/n.err"
is "$?" 1 "usb maybe: the configuration is refused"
like "$(cat "$T/n.err")" "usb maybe: expected yes or no" "  said"
done_testing
