#!/usr/bin/env bash
# Two "hosts" on one machine: `thunderdome fit` under mpirun with one rank in each of two
# network namespaces, training data read from the real Swift test server, must give exactly
# the single-process result (task-parallel CV), and the single-process model to 1e-6 with
# --data-parallel (each rank fetching its byte range of the object).
#
# Usage: netns_two_host.sh MPIRUN THUNDERDOME EXAMPLES_DIR   (root; the `swift` ctest fixture
# has started scripts/swift/swift-test-server.sh and written $TD_SWIFT_DIR/env.sh)
#
# Layout: tests/dist/netns_rig.sh (two namespaces on a bridge, Swift relayed into both). mpirun
#   runs in namespace a with a hostfile of the two addresses and the rig's rsh agent, which
#   starts the remote daemon in the namespace owning the address; oob and btl are TCP on
#   10.231.77.0/24 only.
# Exit 77 (ctest SKIP_RETURN_CODE): not root, no `ip netns`, or no socat. A trap removes the
# namespaces (and with them the veths and the bridge), the relays, the Swift container and the
# work directory, also on failure.
set -euo pipefail
mpirun="$1"; td="$2"; ex="$3"

# shellcheck source=netns_rig.sh
source "$(dirname "$0")/netns_rig.sh"
netns_rig_skip_unless_able

netns_rig_swift_env

work=$(mktemp -d); container="td-netns-$$"
token=""; storage=""

cleanup() {
  local rc=$?
  set +e
  netns_rig_down
  if [ -n "$token" ]; then
    curl -s -o /dev/null -X DELETE -H "X-Auth-Token: $token" "$storage/$container/train.csv"
    curl -s -o /dev/null -X DELETE -H "X-Auth-Token: $token" "$storage/$container"
  fi
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- the two hosts, the switch between them, Swift inside them (tests/dist/netns_rig.sh)
netns_rig_up

# ---- the training data in Swift
netns_rig_swift_login
curl -sf -o /dev/null -X PUT -H "X-Auth-Token: $token" "$storage/$container"
curl -sf -o /dev/null -X PUT -H "X-Auth-Token: $token" -T "$ex/data/spark_guide_train.csv" \
  "$storage/$container/train.csv"
train="swift://$container/train.csv"; spec="$ex/cross_validation.json"

# ---- mpirun across the namespaces
cat > "$work/hosts" <<EOF
$ipA slots=1
$ipB slots=1
EOF
agent="$work/netns-rsh"
netns_rig_agent "$agent"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mpi=(ip netns exec "$nsA" timeout 60 "$mpirun" --allow-run-as-root -np 2 --hostfile "$work/hosts"
     --map-by node --mca plm_rsh_agent "$agent" --mca oob_tcp_if_include "$subnet"
     --mca btl_tcp_if_include "$subnet" --mca btl self,tcp --mca pml ob1
     -x ST_AUTH -x ST_USER -x ST_KEY -x PATH)

# Each rank says where it runs: one in each namespace.
"${mpi[@]}" sh -c 'ip -4 -o addr show scope global | awk "{print \$4}"' > "$work/where.txt" 2>&1 ||
  { echo "mpirun across the namespaces failed:"; cat "$work/where.txt"; exit 1; }
grep -q "^$ipA/24" "$work/where.txt" && grep -q "^$ipB/24" "$work/where.txt" ||
  { echo "expected one rank in each namespace, got:"; cat "$work/where.txt"; exit 1; }

field() {  # field FILE KEY: the JSON value of KEY, canonical
  python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))[sys.argv[2]]))' "$1" "$2"
}
"$td" fit --spec "$spec" --train "$train" --out "$work/one" --json -q > "$work/one.json"
"${mpi[@]}" "$td" fit --spec "$spec" --train "$train" --out "$work/many" --json -q \
  > "$work/many.json" 2> "$work/many.err" || { echo "the two-host fit failed:"; cat "$work/many.err"; exit 1; }
for key in avgMetrics stdMetrics foldMetrics bestIndex; do
  [ "$(field "$work/one.json" "$key")" = "$(field "$work/many.json" "$key")" ] ||
    { echo "$key differs"; cat "$work/one.json" "$work/many.json"; exit 1; }
done
# By default the two hosts refit the best map together (distributedRefit): the metrics above are
# the single process's bit for bit, the model is within the solver's tolerance (tests/dist/
# mpi_fit.sh checks how close). With distributedRefit false rank 0 refits alone: the model is the
# single process's bit for bit.
python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); s["tuning"]["distributedRefit"]=False; json.dump(s, open(sys.argv[2], "w"))' "$spec" "$work/exact.json"
"${mpi[@]}" "$td" fit --spec "$work/exact.json" --train "$train" --out "$work/exact" --json -q \
  > "$work/exact.json.out" 2> "$work/exact.err" || { echo "the two-host fit (distributedRefit false) failed:"; cat "$work/exact.err"; exit 1; }
"$td" fit --spec "$work/exact.json" --train "$train" --out "$work/one-exact" -q
"$td" show --model "$work/one-exact" --json > "$work/one.show"
"$td" show --model "$work/exact" --json > "$work/exact.show"
diff "$work/one.show" "$work/exact.show"
"$td" show --model "$work/many" --json > /dev/null  # the spread refit's model loads

# Data-parallel across the two hosts: each rank fetches its byte range of the Swift object, the
# fit sums over both; the model must be the single-process one to 1e-6 relative.
python3 - "$spec" "$work/plain.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
for k in ("grid", "tuning"):
    s.pop(k, None)
for st in s["stages"]:
    if st["class"] == "LogisticRegression":
        st["params"].update({"regParam": 0.01, "tol": 1e-10, "maxIter": 500})
json.dump(s, open(sys.argv[2], "w"))
PY
"$td" fit --spec "$work/plain.json" --train "$train" --out "$work/dp-one" -q
"${mpi[@]}" "$td" fit --data-parallel --spec "$work/plain.json" --train "$train" \
  --out "$work/dp-many" --json -q > "$work/dp-many.json" 2> "$work/dp-many.err" ||
  { echo "the two-host data-parallel fit failed:"; cat "$work/dp-many.err"; exit 1; }
python3 - "$work/dp-one" "$work/dp-many" <<'PY'
import glob, struct, sys
def coef(d):
    (f,) = glob.glob(d + "/**/coefficients.f64le", recursive=True)
    raw = open(f, "rb").read()
    return struct.unpack("<%dd" % (len(raw) // 8), raw)
a, b = coef(sys.argv[1]), coef(sys.argv[2])
scale = max(abs(v) for v in a)
diff = max(abs(x - y) for x, y in zip(a, b))
assert len(a) == len(b) and scale > 0 and diff <= 1e-6 * scale, (diff, scale)
print("data-parallel: max coefficient difference %.3g of %.3g" % (diff, scale))
PY
echo "netns_two_host OK: ranks in $nsA ($ipA) and $nsB ($ipB), data from $train (task- and data-parallel)"
