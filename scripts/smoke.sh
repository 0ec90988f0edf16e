#!/usr/bin/env bash
# Post-deploy check of a running modelgate, with curl: /health answers, /ready turns ready, and the
# demo model answers a prediction. A stand-in until `modelgate smoke` exists (issue 14, item 7):
# the CI workflow and the image test call this script, and will call that command instead.
#
# usage: scripts/smoke.sh URL        (MODELGATE_API_KEY: a key with the predict scope)
#        MODEL=name REQUEST=file.json scripts/smoke.sh URL   for another model
set -euo pipefail
url="${1:?usage: scripts/smoke.sh URL}"
url="${url%/}"
here="$(cd "$(dirname "$0")" && pwd)"
model="${MODEL:-breast-cancer}"
request="${REQUEST:-$here/../models/demo/breast-cancer/example-request.json}"
ready_timeout="${READY_TIMEOUT_SECONDS:-90}"
: "${MODELGATE_API_KEY:?set MODELGATE_API_KEY to a key with the predict scope}"

fail() { echo "smoke: FAIL: $*" >&2; exit 1; }
# json FILE EXPR: evaluates EXPR on the parsed body (as `b`); prints its value, fails when falsy
json() { node -e 'const b=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));const v=eval(process.argv[2]);if(!v)process.exit(1);console.log(typeof v==="string"?v:JSON.stringify(v))' "$1" "$2"; }

body="$(mktemp)"
trap 'rm -f "$body"' EXIT

code="$(curl -sS -o "$body" -w '%{http_code}' "$url/health")" || fail "GET /health: no answer"
[ "$code" = 200 ] || fail "GET /health: HTTP $code"
json "$body" 'b.status === "ok"' >/dev/null || fail "GET /health: $(cat "$body")"
echo "smoke: /health ok"

deadline=$((SECONDS + ready_timeout))
while :; do
  code="$(curl -sS -o "$body" -w '%{http_code}' "$url/ready" || echo 000)"
  [ "$code" = 200 ] && break
  [ "$SECONDS" -lt "$deadline" ] || fail "GET /ready: HTTP $code after ${ready_timeout}s: $(cat "$body")"
  sleep 1
done
json "$body" "b.ready === true && b.models.some(m => m.name === '$model')" >/dev/null || fail "GET /ready: $(cat "$body")"
echo "smoke: /ready ok ($(json "$body" 'b.models.map(m => m.name + "@" + (m.version ?? "?") + " " + m.state).join(", ")'))"

code="$(curl -sS -o "$body" -w '%{http_code}' "$url/v1/models/$model/predict" \
  -H "Authorization: Bearer $MODELGATE_API_KEY" -H 'content-type: application/json' --data-binary "@$request")" \
  || fail "POST /v1/models/$model/predict: no answer"
[ "$code" = 200 ] || fail "POST /v1/models/$model/predict: HTTP $code: $(cat "$body")"
instances="$(json "$request" 'String(b.instances.length)')"
json "$body" "b.model === '$model' && /^[0-9a-f]{64}\$/.test(b.artifact_sha256) && b.predictions.length === $instances" >/dev/null \
  || fail "POST /v1/models/$model/predict: unexpected body $(cat "$body")"
echo "smoke: prediction ok ($model@$(json "$body" 'b.version'), $instances instance(s), first: $(json "$body" 'b.predictions[0]'))"
echo "smoke: PASS"
