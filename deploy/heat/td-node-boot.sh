#!/bin/sh
# td-node-boot — run once by cloud-init (runcmd) on every node of thunderdome-cluster.yaml:
# installs thunderdome (from the stack's package_url, else from the image's apt sources), then a
# worker signals the stack's workers_ready wait condition with its address, and the head node
# runs the job as the `thunderdome` user (td-cluster-job), which signals job_done.
# Every failure is signalled (FAILURE with the reason) so the stack fails at once instead of
# waiting for its timeout. Output goes to /var/log/thunderdome-boot.log; nothing secret is
# printed (the signal command and the credentials stay in /etc/thunderdome, mode 0700/0600).
# Usage: td-node-boot [ETC_DIR]   (default /etc/thunderdome)
# Environment (tests): TD_NODE_ID (the signal's id, default the host name), TD_NODE_ADDRESS (a
# worker's address, default its first), TD_BOOT_LOG.
set -u
etc=${1:-/etc/thunderdome}
log=${TD_BOOT_LOG:-/var/log/thunderdome-boot.log}

field() {  # field FILE KEY: a top-level string of a JSON file ("" when absent)
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get(sys.argv[2]) or "")' "$1" "$2"
}
signal() {  # signal STATUS REASON DATA: the wait condition's signal, this host as its id
  body=$(python3 -c 'import json,sys
print(json.dumps({"status": sys.argv[1], "reason": sys.argv[2][:1000], "data": sys.argv[3],
                  "id": sys.argv[4]}))' "$1" "$2" "$3" "${TD_NODE_ID:-$(hostname)}")
  "$etc/signal" "$body" || echo "td-node-boot: signalling Heat failed" >&2
}
fail() { echo "td-node-boot: $1" >&2; signal FAILURE "$(hostname): $1" ""; exit 1; }

role=$(field "$etc/node.json" role) || fail "cannot read $etc/node.json"
url=$(field "$etc/node.json" package_url)
export DEBIAN_FRONTEND=noninteractive
if ! command -v thunderdome >/dev/null 2>&1; then
  if [ -n "$url" ]; then
    # (the URL may be a temporary URL, a credential: it is not logged)
    curl -fsSL --retry 5 -o /tmp/thunderdome.deb "$url" >>"$log" 2>&1 ||
      fail "downloading the thunderdome package from package_url failed: $(tail -n 1 "$log")"
    apt-get install -y /tmp/thunderdome.deb >>"$log" 2>&1 ||
      fail "apt-get install of the thunderdome package failed: $(tail -n 1 "$log")"
  else
    apt-get install -y thunderdome >>"$log" 2>&1 ||
      fail "apt-get install thunderdome failed (no package_url given): $(tail -n 1 "$log")"
  fi
fi
command -v mpirun >/dev/null 2>&1 || fail "mpirun is missing after the install (openmpi-bin)"

case "$role" in
  worker)
    addr=${TD_NODE_ADDRESS:-$(hostname -I | awk '{print $1}')}
    [ -n "$addr" ] || fail "this worker has no address"
    signal SUCCESS "worker ready: $(thunderdome --version 2>/dev/null | head -n 1)" "$addr"
    ;;
  head)
    if [ "$(id -u)" -eq 0 ] && id thunderdome >/dev/null 2>&1; then
      exec runuser -u thunderdome -- td-cluster-job "$etc"
    fi
    exec td-cluster-job "$etc"
    ;;
  *) fail "unknown role '$role' in $etc/node.json (head or worker)" ;;
esac
