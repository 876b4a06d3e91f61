#!/usr/bin/env bash
# tests/cli/swift_overwrite_kill.sh BIN EXAMPLES — `fit --overwrite` to swift:// killed with
# SIGKILL while it uploads the new model: the previous model still loads (the new version is
# written under new object names; the marker switches last, in one PUT).
set -euo pipefail
BIN="$1"; EX="$2"
. "${TD_SWIFT_DIR:-/tmp/td-swift}/env.sh"
unset OS_AUTH_URL OS_USERNAME OS_PASSWORD OS_PROJECT_NAME OS_CLOUD OS_STORAGE_URL OS_AUTH_TOKEN
SW=(env -u OS_IDENTITY_API_VERSION /usr/bin/swift -V 1.0 -A "$ST_AUTH" -U "$ST_USER" -K "$ST_KEY")
W="$(mktemp -d)"; trap 'rm -rf "$W"' EXIT
C="td-kill-$$-$RANDOM"
M="swift://$C/models/m"
fail() { echo "FAIL: $*" >&2; exit 1; }

# The old model: small. The new one: 2^20 features (an 8 MB model) in 64 KiB segments.
"$BIN" fit --spec "$EX/cross_validation.json" --train "$EX/data/spark_guide_train.csv" \
  --out "$M" -q >/dev/null
"$BIN" show --model "$M" >"$W/old.txt" || fail "the old model does not load"
old_version="$("${SW[@]}" stat "$C" models/m/MANIFEST.json | sed -n 's/.*Meta Td-Tree-Version: *//p')"
[ -n "$old_version" ] || fail "the model's marker names no version"
sed 's/"hashingTF.numFeatures": \[10, 100, 1000\]/"hashingTF.numFeatures": [1048576]/' \
  "$EX/cross_validation.json" >"$W/big.json"

TD_SWIFT_SEGMENT_BYTES=65536 "$BIN" fit --spec "$W/big.json" \
  --train "$EX/data/spark_guide_train.csv" --out "$M" --overwrite -q >/dev/null 2>&1 &
pid=$!
# Kill it as soon as its large file's first segments appear (the old model has no large file);
# curl polls every ~20 ms.
token="$(curl -s -o /dev/null -D - -H "X-Auth-User: $ST_USER" -H "X-Auth-Key: $ST_KEY" "$ST_AUTH" |
         tr -d '\r' | sed -n 's/^[Xx]-[Aa]uth-[Tt]oken: *//p')"
seen=0
for _ in $(seq 1 3000); do
  if curl -sf -H "X-Auth-Token: $token" \
       "$TD_SWIFT_STORAGE_URL/${C}_segments?prefix=models/m/.td-versions/" 2>/dev/null |
       grep -q .; then seen=1; break; fi
  sleep 0.02
done
[ "$seen" = 1 ] || fail "no segment of the new model appeared"
kill -9 "$pid" 2>/dev/null || fail "the save finished before it could be killed"
wait "$pid" 2>/dev/null || true

now_version="$("${SW[@]}" stat "$C" models/m/MANIFEST.json | sed -n 's/.*Meta Td-Tree-Version: *//p')"
"$BIN" show --model "$M" >"$W/after.txt" 2>&1 || { cat "$W/after.txt" >&2; fail "no model loads after the kill"; }
if [ "$now_version" = "$old_version" ]; then
  cmp -s "$W/old.txt" "$W/after.txt" || fail "the old model changed"
  echo "ok: killed mid-save, the old model loads unchanged"
else
  grep -q 1048576 "$W/after.txt" || fail "the marker switched but the new model is not what loads"
  echo "ok: killed after the switch, the new model loads"
fi
# The next save cleans up the killed save's objects: at once here (by default only those an
# hour old, since a younger version may be another run's save still writing).
TD_SWIFT_ABANDONED_SAVE_SECONDS=0 "$BIN" fit --spec "$EX/cross_validation.json" --train "$EX/data/spark_guide_train.csv" \
  --out "$M" --overwrite -q >/dev/null
n="$("${SW[@]}" list "$C" --prefix models/m/.td-versions/ | cut -d/ -f4 | sort -u | wc -l)"
[ "$n" = 1 ] || fail "$n versions left after a complete save (expected 1)"
# ... the killed save's segments too (its large object's manifest was never written).
segs="$("${SW[@]}" list "${C}_segments" --prefix models/m/.td-versions/ 2>/dev/null | wc -l)"
[ "$segs" = 0 ] || fail "$segs orphaned segments left after a complete save (expected 0)"
"${SW[@]}" delete "$C" >/dev/null 2>&1 || true
"${SW[@]}" delete "${C}_segments" >/dev/null 2>&1 || true
echo "ok"
