#!/usr/bin/env bash
# Smoke test of the Swift/Keystone test servers (scripts/swift/swift-test-server.sh), curl
# only: start with --keystone, v1 auth, PUT/GET with ETag, Range GET, listing paging, SLO,
# object-server stop/restart, Keystone v3 password and application-credential auth with the
# catalog, a request through the Keystone-authenticated proxy, stop. Exits non-zero on any
# failure. Uses TD_SWIFT_DIR (default /tmp/td-swift) like the server script.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SRV="$ROOT/scripts/swift/swift-test-server.sh"
TMP="$(mktemp -d /tmp/td-swift-smoke.XXXXXX)"
export no_proxy="127.0.0.1,localhost" NO_PROXY="127.0.0.1,localhost"

STARTED=0
cleanup() {
  local rc=$?
  if [ "$STARTED" = 1 ]; then "$SRV" stop >/dev/null 2>&1 || true; fi
  rm -rf "$TMP"
  if [ $rc -ne 0 ]; then echo "smoke: FAILED" >&2; fi
  exit $rc
}
trap cleanup EXIT

fail() { echo "smoke: FAIL: $*" >&2; exit 1; }
ok() { echo "smoke: ok: $*" >&2; }

# req METHOD URL [curl args...]: sets STATUS; headers in $TMP/h, body in $TMP/b
req() {
  local method="$1" url="$2"; shift 2
  STATUS="$(curl --noproxy '*' -sS -X "$method" -o "$TMP/b" -D "$TMP/h" -w '%{http_code}' \
    --max-time 30 "$@" "$url")" || fail "curl $method $url failed"
}
expect() {  # expect CODE WHAT
  [ "$STATUS" = "$1" ] || { echo "--- headers:" >&2; cat "$TMP/h" >&2; echo "--- body:" >&2; head -c 600 "$TMP/b" >&2; echo >&2; fail "$2: HTTP $STATUS, expected $1"; }
}
header() {  # header NAME: value of the response header (case-insensitive), without CR
  grep -i "^$1:" "$TMP/h" | head -n 1 | cut -d: -f2- | sed 's/^ *//' | tr -d '\r'
}
md5() { md5sum "$1" | cut -d' ' -f1; }

T0=$(date +%s%3N)
"$SRV" start --keystone
STARTED=1
echo "smoke: start took $(( $(date +%s%3N) - T0 )) ms" >&2
# shellcheck disable=SC1091
. "${TD_SWIFT_DIR:-/tmp/td-swift}/env.sh"

# ---------------------------------------------------------------- v1 auth
req GET "$ST_AUTH" -H "X-Auth-User: $ST_USER" -H "X-Auth-Key: $ST_KEY"
expect 200 "v1 auth"
TOKEN="$(header X-Auth-Token)"
[ -n "$TOKEN" ] || fail "no X-Auth-Token"
[ "$(header X-Storage-Url)" = "$TD_SWIFT_STORAGE_URL" ] || fail "X-Storage-Url $(header X-Storage-Url) != $TD_SWIFT_STORAGE_URL"
req GET "$ST_AUTH" -H "X-Auth-User: $ST_USER" -H "X-Auth-Key: wrong"
expect 401 "v1 auth with a wrong key"
req GET "$TD_SWIFT_STORAGE_URL" -H "X-Auth-Token: bogus"
expect 401 "bad token"
ok "v1 auth"
S="$TD_SWIFT_STORAGE_URL"
A=(-H "X-Auth-Token: $TOKEN")

# ---------------------------------------------------------------- PUT/GET, ETag, Range
req PUT "$S/smoke" "${A[@]}"
[ "$STATUS" = 201 ] || [ "$STATUS" = 202 ] || expect 201 "PUT container"
printf 'hello swift world, this is thunderdome\n' >"$TMP/obj"
SUM="$(md5 "$TMP/obj")"
req PUT "$S/smoke/dir/hello.txt" "${A[@]}" -H "ETag: $SUM" -H "Content-Type: text/plain" --data-binary "@$TMP/obj"
expect 201 "PUT object"
[ "$(header Etag)" = "$SUM" ] || fail "PUT Etag $(header Etag) != $SUM"
req PUT "$S/smoke/bad" "${A[@]}" -H "ETag: 00000000000000000000000000000000" --data-binary "@$TMP/obj"
expect 422 "PUT with a wrong ETag"
req GET "$S/smoke/dir/hello.txt" "${A[@]}"
expect 200 "GET object"
cmp -s "$TMP/b" "$TMP/obj" || fail "GET body differs"
[ "$(header Etag)" = "$SUM" ] || fail "GET Etag $(header Etag) != $SUM"
req GET "$S/smoke/dir/hello.txt" "${A[@]}" -H "Range: bytes=6-10"
expect 206 "Range GET"
[ "$(cat "$TMP/b")" = "swift" ] || fail "Range body '$(cat "$TMP/b")' != 'swift'"
[ "$(header Content-Range)" = "bytes 6-10/$(stat -c %s "$TMP/obj")" ] || fail "Content-Range $(header Content-Range)"
req GET "$S/smoke/dir/hello.txt" "${A[@]}" -H "Range: bytes=1000-2000"
expect 416 "unsatisfiable Range"
req GET "$S/smoke/missing" "${A[@]}"
expect 404 "GET missing object"
ok "PUT/GET with ETag, Range"

# ---------------------------------------------------------------- listing with marker paging
for i in 1 2 3 4; do
  req PUT "$S/smoke/list/obj$i" "${A[@]}" --data-binary "object $i"
  expect 201 "PUT list/obj$i"
done
req GET "$S/smoke?prefix=list/&format=json" "${A[@]}"
expect 200 "listing page 1"
NAMES="$(grep -o '"name": *"[^"]*"' "$TMP/b" | sed 's/.*"\([^"]*\)"$/\1/' | tr '\n' ' ')"
[ "$NAMES" = "list/obj1 list/obj2 list/obj3 " ] || fail "page 1 (container_listing_limit 3) = '$NAMES'"
req GET "$S/smoke?prefix=list/&format=json&marker=list/obj3" "${A[@]}"
expect 200 "listing page 2"
NAMES="$(grep -o '"name": *"[^"]*"' "$TMP/b" | sed 's/.*"\([^"]*\)"$/\1/' | tr '\n' ' ')"
[ "$NAMES" = "list/obj4 " ] || fail "page 2 = '$NAMES'"
req GET "$S/smoke?prefix=list/&format=json&marker=list/obj4" "${A[@]}"
expect 200 "listing page 3"
[ "$(tr -d ' \n' <"$TMP/b")" = "[]" ] || fail "page 3 not empty: $(cat "$TMP/b")"
req GET "$S/smoke?prefix=list/&limit=2" "${A[@]}"
expect 200 "plain listing with limit=2"
[ "$(tr '\n' ' ' <"$TMP/b")" = "list/obj1 list/obj2 " ] || fail "plain listing '$(cat "$TMP/b")'"
req GET "$S/smoke?prefix=nothing/" "${A[@]}"
expect 204 "empty plain listing"
ok "listing paging (limit 3, marker)"

# ---------------------------------------------------------------- SLO
head -c 2097153 /dev/zero >"$TMP/big"
req PUT "$S/smoke/too-big" "${A[@]}" --data-binary "@$TMP/big"
expect 413 "PUT above max_file_size"
req PUT "$S/smoke_segments" "${A[@]}"
[ "$STATUS" = 201 ] || [ "$STATUS" = 202 ] || expect 201 "PUT segments container"
head -c 1048576 /dev/urandom >"$TMP/seg1"
head -c 1500000 /dev/urandom >"$TMP/seg2"
M1="$(md5 "$TMP/seg1")" M2="$(md5 "$TMP/seg2")"
req PUT "$S/smoke_segments/big/1" "${A[@]}" --data-binary "@$TMP/seg1"
expect 201 "PUT segment 1"
req PUT "$S/smoke_segments/big/2" "${A[@]}" --data-binary "@$TMP/seg2"
expect 201 "PUT segment 2"
printf '[{"path":"/smoke_segments/big/1","etag":"%s","size_bytes":1048576},{"path":"/smoke_segments/big/2","etag":"%s","size_bytes":1500000}]' \
  "$M1" "$M2" >"$TMP/manifest"
req PUT "$S/smoke/big?multipart-manifest=put" "${A[@]}" --data-binary "@$TMP/manifest"
expect 201 "PUT SLO manifest"
SLO_ETAG="$(printf '%s%s' "$M1" "$M2" | md5sum | cut -d' ' -f1)"
[ "$(header Etag)" = "\"$SLO_ETAG\"" ] || fail "SLO Etag $(header Etag) != \"$SLO_ETAG\""
cat "$TMP/seg1" "$TMP/seg2" >"$TMP/whole"
req GET "$S/smoke/big" "${A[@]}"
expect 200 "GET SLO"
cmp -s "$TMP/b" "$TMP/whole" || fail "SLO body differs"
[ "$(header X-Static-Large-Object)" = True ] || fail "no X-Static-Large-Object: True"
req GET "$S/smoke/big" "${A[@]}" -H "Range: bytes=1048570-1048581"
expect 206 "Range GET across SLO segments"
cmp -s "$TMP/b" <(tail -c +1048571 "$TMP/whole" | head -c 12) || fail "SLO range body differs"
ok "SLO (413 above 2 MiB, manifest PUT, GET, ranged GET)"

# ---------------------------------------------------------------- object server down and back
"$SRV" stop-object
for i in $(seq 1 12); do
  req GET "$S/smoke/dir/hello.txt" "${A[@]}"
  expect 503 "GET with the object server down (try $i)"
done
req HEAD "$S/smoke" "${A[@]}"
expect 204 "HEAD container with the object server down"
"$SRV" start-object
req GET "$S/smoke/dir/hello.txt" "${A[@]}"
expect 200 "GET after start-object"
cmp -s "$TMP/b" "$TMP/obj" || fail "GET body after restart differs"
ok "stop-object (503) and start-object (200 at once)"

# ---------------------------------------------------------------- Keystone v3
cat >"$TMP/pw.json" <<EOF
{"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": "$OS_USERNAME",
  "domain": {"name": "$OS_USER_DOMAIN_NAME"}, "password": "$OS_PASSWORD"}}},
  "scope": {"project": {"name": "$OS_PROJECT_NAME", "domain": {"name": "$OS_PROJECT_DOMAIN_NAME"}}}}}
EOF
req POST "$OS_AUTH_URL/auth/tokens" -H "Content-Type: application/json" --data-binary "@$TMP/pw.json"
expect 201 "Keystone password token"
KTOKEN="$(header X-Subject-Token)"
[ -n "$KTOKEN" ] || fail "no X-Subject-Token"
tr -d ' \n' <"$TMP/b" >"$TMP/cat"
grep -q '"type":"object-store"' "$TMP/cat" || fail "catalog has no object-store"
grep -qF "\"url\":\"$TD_KS_SWIFT_URL\"" "$TMP/cat" || fail "catalog lacks $TD_KS_SWIFT_URL: $(head -c 800 "$TMP/cat")"
grep -q '"interface":"public"' "$TMP/cat" || fail "catalog has no public endpoint"
grep -q "\"region_id\":\"$OS_REGION_NAME\"" "$TMP/cat" || fail "catalog endpoint not in $OS_REGION_NAME"
sed "s/\"$OS_PASSWORD\"/\"wrong\"/" "$TMP/pw.json" >"$TMP/bad.json"
req POST "$OS_AUTH_URL/auth/tokens" -H "Content-Type: application/json" --data-binary "@$TMP/bad.json"
expect 401 "Keystone wrong password"
ok "Keystone v3 password token, catalog has $TD_KS_SWIFT_URL"

K=(-H "X-Auth-Token: $KTOKEN")
req GET "$TD_KS_SWIFT_URL/ks_smoke" -H "X-Auth-Token: bogus"
expect 401 "keystone proxy with a bad token"
req PUT "$TD_KS_SWIFT_URL/ks_smoke" "${K[@]}"
[ "$STATUS" = 201 ] || [ "$STATUS" = 202 ] || expect 201 "PUT container via keystone proxy"
req PUT "$TD_KS_SWIFT_URL/ks_smoke/o" "${K[@]}" -H "ETag: $SUM" --data-binary "@$TMP/obj"
expect 201 "PUT object via keystone proxy"
req GET "$TD_KS_SWIFT_URL/ks_smoke/o" "${K[@]}"
expect 200 "GET object via keystone proxy"
cmp -s "$TMP/b" "$TMP/obj" || fail "keystone proxy body differs"
req GET "$TD_KS_SWIFT_URL/ks_smoke?format=json" "${K[@]}"
expect 200 "listing via keystone proxy"
grep -q '"name": *"o"' "$TMP/b" || fail "keystone listing lacks o"
req GET "$TD_SWIFT_STORAGE_URL/smoke" "${K[@]}"
expect 401 "Keystone token on the tempauth proxy"
ok "keystone proxy with a Keystone token"

cat >"$TMP/ac.json" <<EOF
{"auth": {"identity": {"methods": ["application_credential"], "application_credential": {
  "id": "$TD_KS_APP_CRED_ID", "secret": "$TD_KS_APP_CRED_SECRET"}}}}
EOF
req POST "$OS_AUTH_URL/auth/tokens" -H "Content-Type: application/json" --data-binary "@$TMP/ac.json"
expect 201 "application credential token"
ATOKEN="$(header X-Subject-Token)"
tr -d ' \n' <"$TMP/b" | grep -q '"type":"object-store"' || fail "app-cred catalog has no object-store"
req GET "$TD_KS_SWIFT_URL/ks_smoke/o" -H "X-Auth-Token: $ATOKEN"
expect 200 "GET via keystone proxy with the app-credential token"
cmp -s "$TMP/b" "$TMP/obj" || fail "app-cred body differs"
ok "application credential auth"

# ---------------------------------------------------------------- stop
"$SRV" stop
STARTED=0
if "$SRV" status >/dev/null 2>&1; then fail "status says running after stop"; fi
"$SRV" stop  # idempotent

# ---------------------------------------------------------------- plain start (no Keystone)
T1=$(date +%s%3N)
"$SRV" start
STARTED=1
echo "smoke: plain start took $(( $(date +%s%3N) - T1 )) ms" >&2
# shellcheck disable=SC1091
. "${TD_SWIFT_DIR:-/tmp/td-swift}/env.sh"
grep -q OS_AUTH_URL "$TD_SWIFT_DIR/env.sh" && fail "plain start wrote Keystone variables"
req GET "$ST_AUTH" -H "X-Auth-User: $ST_USER" -H "X-Auth-Key: $ST_KEY"
expect 200 "v1 auth (plain start)"
"$SRV" stop
STARTED=0
ok "plain start and stop"
echo "smoke: PASS ($(( $(date +%s%3N) - T0 )) ms)" >&2
