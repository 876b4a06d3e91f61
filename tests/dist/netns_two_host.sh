#!/usr/bin/env bash
# Two "hosts" on one machine: `thunderdome fit` under mpirun with one rank in each of two
# network namespaces, training data read from the real Swift test server, must give exactly
# the single-process result (task-parallel CV), and the single-process model to 1e-6 with
# --data-parallel (each rank fetching its byte range of the object).
#
# Usage: netns_two_host.sh MPIRUN THUNDERDOME EXAMPLES_DIR   (root; the `swift` ctest fixture
# has started scripts/swift/swift-test-server.sh and written $TD_SWIFT_DIR/env.sh)
#
# Layout (everything lives in namespaces this script creates; the root namespace's interfaces,
# addresses and routes are never touched):
#   td2h-br-PID : a bridge br0;  td2h-a-PID : veth 10.231.77.2/24;  td2h-b-PID : 10.231.77.3/24
#   each veth's peer is enslaved to br0. mpirun runs in namespace a with a hostfile of the two
#   addresses and an rsh agent (a generated script) that starts the remote daemon in the
#   namespace owning the address; oob and btl are TCP on 10.231.77.0/24 only.
#   Swift listens on 127.0.0.1 of the root namespace: a socat there serves it on a UNIX socket,
#   and a socat in each host namespace listens on that namespace's 127.0.0.1:PORT and forwards
#   to the socket, so the URLs in env.sh and the storage URL tempauth hands out work unchanged.
# Exit 77 (ctest SKIP_RETURN_CODE): not root, no `ip netns`, or no socat. A trap removes the
# namespaces (and with them the veths and the bridge), the relays, the Swift container and the
# work directory, also on failure.
set -euo pipefail
mpirun="$1"; td="$2"; ex="$3"

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root to create network namespaces (run as root)"
command -v ip >/dev/null 2>&1 || skip "the ip command (iproute2) is not installed"
ip netns list >/dev/null 2>&1 || skip "'ip netns' is not available here"
command -v socat >/dev/null 2>&1 || skip "socat is not installed (scripts/install-deps.sh installs it)"

envsh="${TD_SWIFT_DIR:-/tmp/td-swift}/env.sh"
[ -f "$envsh" ] || { echo "$envsh is missing: the swift test server is not running"; exit 1; }
# shellcheck disable=SC1090
source "$envsh"
# tempauth (ST_*) inside the namespaces: Keystone's port is not relayed.
unset OS_AUTH_URL OS_USERNAME OS_PASSWORD OS_PROJECT_NAME OS_REGION_NAME OS_CLOUD \
  OS_STORAGE_URL OS_AUTH_TOKEN OS_APPLICATION_CREDENTIAL_ID OS_APPLICATION_CREDENTIAL_SECRET
proxy_port="${ST_AUTH#http://127.0.0.1:}"; proxy_port="${proxy_port%%/*}"
[[ "$proxy_port" =~ ^[0-9]+$ ]] || { echo "cannot find the proxy port in ST_AUTH=$ST_AUTH"; exit 1; }

tag="td2h-$$"
nsA="$tag-a"; nsB="$tag-b"; nsBr="$tag-br"
ipA=10.231.77.2; ipB=10.231.77.3; subnet=10.231.77.0/24
work=$(mktemp -d); pids=(); container="td-netns-$$"
token=""; storage=""

cleanup() {
  local rc=$?
  set +e
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  for ns in "$nsA" "$nsB" "$nsBr"; do
    # Anything still running in a namespace (a stray orted) goes first; then the namespace,
    # which takes its veths and bridge with it.
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
    ip netns del "$ns" 2>/dev/null
  done
  if [ -n "$token" ]; then
    curl -s -o /dev/null -X DELETE -H "X-Auth-Token: $token" "$storage/$container/train.csv"
    curl -s -o /dev/null -X DELETE -H "X-Auth-Token: $token" "$storage/$container"
  fi
  rm -rf "$work"
  for ns in "$nsA" "$nsB" "$nsBr"; do
    ! ip netns list | grep -qw "$ns" || echo "cleanup: namespace $ns is still there" >&2
  done
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- the two hosts and the switch between them
ip netns add "$nsA" || skip "cannot create a network namespace (no CAP_SYS_ADMIN?)"
ip netns add "$nsB"
ip netns add "$nsBr"
ip -n "$nsBr" link add br0 type bridge
ip -n "$nsBr" link set br0 up
for side in a b; do
  ns="$tag-$side"; addr=$([ "$side" = a ] && echo "$ipA" || echo "$ipB")
  ip link add "eth-$side" netns "$ns" type veth peer name "port-$side" netns "$nsBr"
  ip -n "$nsBr" link set "port-$side" master br0 up
  ip -n "$ns" addr add "$addr/24" dev "eth-$side"
  ip -n "$ns" link set "eth-$side" up
  ip -n "$ns" link set lo up
done

# ---- Swift inside the namespaces: 127.0.0.1:PORT -> UNIX socket -> root's 127.0.0.1:PORT
sock="$work/swift.sock"
socat "UNIX-LISTEN:$sock,fork" "TCP:127.0.0.1:$proxy_port" & pids+=($!)
for ns in "$nsA" "$nsB"; do
  ip netns exec "$ns" socat "TCP-LISTEN:$proxy_port,bind=127.0.0.1,fork,reuseaddr" \
    "UNIX-CONNECT:$sock" & pids+=($!)
done
for ns in "$nsA" "$nsB"; do
  for _ in $(seq 50); do
    ip netns exec "$ns" curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$proxy_port/healthcheck" && break
    sleep 0.1
  done
  ip netns exec "$ns" curl -sf -o /dev/null --max-time 5 "http://127.0.0.1:$proxy_port/healthcheck" ||
    { echo "Swift is not reachable from namespace $ns"; exit 1; }
done

# ---- the training data in Swift
auth=$(curl -sf -D - -o /dev/null -H "X-Auth-User: $ST_USER" -H "X-Auth-Key: $ST_KEY" "$ST_AUTH")
token=$(printf '%s' "$auth" | tr -d '\r' | awk -F': ' 'tolower($1)=="x-auth-token"{print $2}')
storage=$(printf '%s' "$auth" | tr -d '\r' | awk -F': ' 'tolower($1)=="x-storage-url"{print $2}')
[ -n "$token" ] && [ -n "$storage" ] || { echo "tempauth login at $ST_AUTH failed"; exit 1; }
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
cat > "$agent" <<EOF
#!/bin/sh
# rsh agent for mpirun: HOST COMMAND... runs COMMAND in the namespace that owns HOST.
host="\$1"; shift
case "\$host" in
  $ipA) ns=$nsA ;;
  $ipB) ns=$nsB ;;
  *) echo "netns-rsh: unknown host \$host" >&2; exit 1 ;;
esac
exec ip netns exec "\$ns" /bin/sh -c "\$*"
EOF
chmod +x "$agent"
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
"$td" show --model "$work/one" --json > "$work/one.show"
"$td" show --model "$work/many" --json > "$work/many.show"
diff "$work/one.show" "$work/many.show"

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
