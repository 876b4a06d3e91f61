# shellcheck shell=bash
# The two-"host" rig of tests/dist/netns_two_host.sh and tests/heat/netns_cluster_job.sh, sourced:
# two network namespaces joined by a bridge in a third, Swift (127.0.0.1:PORT of the root
# namespace) relayed into both, and an rsh agent for mpirun that starts the remote daemon in the
# namespace owning the address.
#   td2h-br-PID : a bridge br0;  td2h-a-PID : veth 10.231.77.2/24;  td2h-b-PID : 10.231.77.3/24
#   each veth's peer is enslaved to br0. Swift: a socat in the root namespace serves the proxy on
#   a UNIX socket, and a socat in each host namespace listens on that namespace's
#   127.0.0.1:PORT and forwards to the socket, so the URLs in env.sh and the storage URL
#   tempauth hands out work unchanged. The root namespace's interfaces, addresses and routes are
#   never touched.
# Use: set `work` (a directory) and `proxy_port`, call netns_rig_skip_unless_able, netns_rig_up,
# netns_rig_agent FILE [LOG]; call netns_rig_down from the EXIT trap.
nsA="td2h-$$-a"; nsB="td2h-$$-b"; nsBr="td2h-$$-br"
ipA=10.231.77.2; ipB=10.231.77.3; subnet=10.231.77.0/24
rig_pids=()

netns_rig_skip_unless_able() {  # exit 77 (ctest SKIP_RETURN_CODE) with the reason
  local why=""
  if [ "$(id -u)" -ne 0 ]; then why="needs root to create network namespaces (run as root)"
  elif ! command -v ip >/dev/null 2>&1; then why="the ip command (iproute2) is not installed"
  elif ! ip netns list >/dev/null 2>&1; then why="'ip netns' is not available here"
  elif ! command -v socat >/dev/null 2>&1; then
    why="socat is not installed (scripts/install-deps.sh installs it)"
  fi
  [ -z "$why" ] || { echo "SKIP: $why"; exit 77; }
}

netns_rig_swift_env() {  # the test Swift's tempauth settings (ST_*) and proxy_port
  local envsh="${TD_SWIFT_DIR:-/tmp/td-swift}/env.sh"
  [ -f "$envsh" ] || { echo "$envsh is missing: the swift test server is not running"; exit 1; }
  # shellcheck disable=SC1090
  source "$envsh"
  # tempauth (ST_*) inside the namespaces: Keystone's port is not relayed.
  unset OS_AUTH_URL OS_USERNAME OS_PASSWORD OS_PROJECT_NAME OS_REGION_NAME OS_CLOUD \
    OS_STORAGE_URL OS_AUTH_TOKEN OS_APPLICATION_CREDENTIAL_ID OS_APPLICATION_CREDENTIAL_SECRET
  proxy_port="${ST_AUTH#http://127.0.0.1:}"; proxy_port="${proxy_port%%/*}"
  [[ "$proxy_port" =~ ^[0-9]+$ ]] || { echo "cannot find the proxy port in ST_AUTH=$ST_AUTH"; exit 1; }
}

netns_rig_swift_login() {  # token and storage (the account's URL) from the test Swift's tempauth
  local auth
  auth=$(curl -sf -D - -o /dev/null -H "X-Auth-User: $ST_USER" -H "X-Auth-Key: $ST_KEY" "$ST_AUTH")
  token=$(printf '%s' "$auth" | tr -d '\r' | awk -F': ' 'tolower($1)=="x-auth-token"{print $2}')
  storage=$(printf '%s' "$auth" | tr -d '\r' | awk -F': ' 'tolower($1)=="x-storage-url"{print $2}')
  [ -n "$token" ] && [ -n "$storage" ] || { echo "tempauth login at $ST_AUTH failed"; exit 1; }
}

netns_rig_up() {
  ip netns add "$nsA" || { echo "SKIP: cannot create a network namespace (no CAP_SYS_ADMIN?)"; exit 77; }
  ip netns add "$nsB"
  ip netns add "$nsBr"
  ip -n "$nsBr" link add br0 type bridge
  ip -n "$nsBr" link set br0 up
  local side ns addr
  for side in a b; do
    ns="td2h-$$-$side"; addr=$([ "$side" = a ] && echo "$ipA" || echo "$ipB")
    ip link add "eth-$side" netns "$ns" type veth peer name "port-$side" netns "$nsBr"
    ip -n "$nsBr" link set "port-$side" master br0 up
    ip -n "$ns" addr add "$addr/24" dev "eth-$side"
    ip -n "$ns" link set "eth-$side" up
    ip -n "$ns" link set lo up
  done
  local sock="$work/swift.sock"
  socat "UNIX-LISTEN:$sock,fork" "TCP:127.0.0.1:$proxy_port" & rig_pids+=($!)
  for ns in "$nsA" "$nsB"; do
    ip netns exec "$ns" socat "TCP-LISTEN:$proxy_port,bind=127.0.0.1,fork,reuseaddr" \
      "UNIX-CONNECT:$sock" & rig_pids+=($!)
  done
  for ns in "$nsA" "$nsB"; do
    for _ in $(seq 50); do
      ip netns exec "$ns" curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$proxy_port/healthcheck" && break
      sleep 0.1
    done
    ip netns exec "$ns" curl -sf -o /dev/null --max-time 5 "http://127.0.0.1:$proxy_port/healthcheck" ||
      { echo "Swift is not reachable from namespace $ns"; exit 1; }
  done
}

netns_rig_agent() {  # netns_rig_agent FILE [LOG]: the rsh agent (LOG: each host it was asked for)
  cat > "$1" <<AGENT
#!/bin/sh
# rsh agent for mpirun: HOST COMMAND... runs COMMAND in the namespace that owns HOST.
host="\$1"; shift
${2:+echo "\$host" >> "$2"}
case "\$host" in
  $ipA) ns=$nsA ;;
  $ipB) ns=$nsB ;;
  *) echo "netns-rsh: unknown host \$host" >&2; exit 1 ;;
esac
exec ip netns exec "\$ns" /bin/sh -c "\$*"
AGENT
  chmod +x "$1"
}

netns_rig_down() {
  local p ns
  for p in "${rig_pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${rig_pids[@]}"; do wait "$p" 2>/dev/null; done
  for ns in "$nsA" "$nsB" "$nsBr"; do
    # Anything still running in a namespace (a stray orted) goes first; then the namespace,
    # which takes its veths and bridge with it.
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
    ip netns del "$ns" 2>/dev/null
  done
  for ns in "$nsA" "$nsB" "$nsBr"; do
    ! ip netns list | grep -qw "$ns" || echo "cleanup: namespace $ns is still there" >&2
  done
}
