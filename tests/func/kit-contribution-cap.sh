#!/bin/bash
# The contribution's cap comes from the programme profile
# (contribution-cap-eur): 50 € in the built-in 93 profile; a profile with
# a cap of 0 gives kits free, and any contribution is refused, at
# allocation and at checkout alike.
. "$(dirname "$0")/lib"
. "$(dirname "$0")/lib-kit"
cp -r "${SRCDIR:-.}/daemon/profiles/93" "$T/free"
sed -i 's/^contribution-cap-eur .*/contribution-cap-eur 0/' "$T/free/programme.conf"
printf 'language en\nprofile %s\n' "$T/free" > "$T/free.conf"
start_daemon -c "$T/free.conf"
kit_setup
api GET /v1/programme
is "$(jget '."contribution-cap-eur"')" 0 "the profile's cap is 0"
refused POST /v1/kits "{\"beneficiary\":\"$B1\",\"location\":\"$W\",\"contribution\":\"0,01\"}" 400 over_cap "contribution 0.01 €: the programme gives kits free \\(its cap is 0 €\\)" "one cent over a cap of 0"
api POST /v1/kits "{\"beneficiary\":\"$B1\",\"location\":\"$W\",\"contribution\":0,\"at\":\"2025-03-20\"}"
is "$status" 201 "a free kit is allocated"
K=$(jget .tag)
api POST "/v1/kits/$K/pick" "{\"items\":[\"$D1\",\"$S1\"]}"
api POST "/v1/kits/$K/ready" '{"at":"2025-03-21"}'
event 2025-04-02
refused POST "/v1/distributions/$E/checkout" "{\"beneficiary\":\"$B1\",\"kit\":\"$K\",\"contribution\":\"2\",\"payment\":\"cash\",\"at\":\"2025-04-02T10:00\"}" 400 over_cap "kits free" "a contribution asked at checkout over the cap"
refused POST "/v1/distributions/$E/checkout" "{\"beneficiary\":\"$B1\",\"kit\":\"$K\",\"payment\":\"cash\",\"at\":\"2025-04-02T10:00\"}" 400 invalid_field "no contribution is paid for $K: payment is not needed" "a payment for a free kit"
api POST "/v1/distributions/$E/checkout" "{\"beneficiary\":\"$B1\",\"kit\":\"$K\",\"at\":\"2025-04-02T10:00\"}"
is "$status/$(jget .contribution)/$(jget .contribution_receipt)" "201/0.00/null" "handed over free, no contribution receipt"
refused GET "/v1/kits/$K/contribution-receipt" "" 409 no_contribution "$K was handed over without a contribution" "no receipt for a contribution never paid"
done_testing
