#!/bin/bash
# td-cluster-job — the head node's job (thunderdome-cluster.yaml; td-node-boot starts it): writes
# the MPI hostfile (this node and every worker that signalled workers_ready), runs
#   mpirun --hostfile H -np N thunderdome fit --spec S --train T [--test U] --out O --json -q
# with the Swift credentials passed to every rank by name (-x), and signals job_done: SUCCESS
# with `fit --json`'s output as data, or FAILURE with the job's error as the reason.
#
# Usage: td-cluster-job [ETC_DIR]   (default /etc/thunderdome) reading
#   job.json          {"TD_SPEC", "TD_TRAIN", "TD_TEST", "TD_OUTPUT", "TD_FIT_OPTIONS",
#                      "TD_RANKS_PER_NODE"}: swift:// URLs (or local paths)
#   workers.json      the workers' addresses: ["<address>", ...] (or {"<id>": "<address>"})
#   credentials.json  environment for the Swift client (OS_* application credential, or ST_*);
#                     without it, the caller's OS_*/ST_* variables are passed on (-x) instead
#   signal            the command that signals Heat: signal JSON_BODY
# Environment (tests, other launchers): TD_HEAD_ADDRESS (default: this host's first address),
#   TD_RSH_AGENT (default ssh), TD_MPI_ARGS (extra mpirun arguments), TD_JOB_DIR (work files).
# Nothing secret is printed: the credentials are read from the file and passed by name.
set -uo pipefail
etc=${1:-/etc/thunderdome}
work=${TD_JOB_DIR:-$HOME/thunderdome-job}
mkdir -p "$work"

signal() {  # signal STATUS REASON DATA: keyed by the run's output (one signal per run)
  local body
  body=$(python3 -c 'import json,sys
print(json.dumps({"status": sys.argv[1], "reason": sys.argv[2][:1000], "data": sys.argv[3],
                  "id": sys.argv[4] or "1"}))' "$1" "$2" "$3" "${TD_OUTPUT:-}")
  "$etc/signal" "$body" || echo "td-cluster-job: signalling Heat failed" >&2
}
fail() { echo "td-cluster-job: $1" >&2; signal FAILURE "$1" ""; exit 1; }

# The job's settings and the credentials as shell variables (values quoted by Python's shlex).
settings=$(python3 - "$etc" <<'PY'
import json, os, shlex, sys
etc = sys.argv[1]
job = json.load(open(etc + "/job.json"))
for k in ("TD_SPEC", "TD_TRAIN", "TD_OUTPUT"):
    if not str(job.get(k) or ""):
        sys.exit("job.json: %s is missing or empty" % k)
for k in ("TD_SPEC", "TD_TRAIN", "TD_TEST", "TD_OUTPUT", "TD_FIT_OPTIONS", "TD_RANKS_PER_NODE"):
    print("%s=%s" % (k, shlex.quote(str(job.get(k) or ""))))
creds = {}                             # absent: the environment's own credentials
if os.path.exists(etc + "/credentials.json"):
    creds = json.load(open(etc + "/credentials.json"))
names = []
for k, v in sorted(creds.items()):
    if not (k.startswith("OS_") or k.startswith("ST_")) or not k.replace("_", "").isalnum():
        sys.exit("credentials.json: unexpected name %r (OS_* or ST_* only)" % k)
    if v:
        print("export %s=%s" % (k, shlex.quote(str(v))))
        names.append(k)
if not creds:
    names = sorted(k for k in os.environ
                   if k.startswith(("OS_", "ST_")) and k.replace("_", "").isalnum())
print("cred_names=%s" % shlex.quote(" ".join(names)))
PY
) || fail "reading the job settings in $etc failed"
cred_names=""
eval "$settings"

# The hostfile: this node first (mpirun runs here), then the workers.
head=${TD_HEAD_ADDRESS:-$(hostname -I | awk '{print $1}')}
slots=${TD_RANKS_PER_NODE:-1}
[[ "$slots" =~ ^[1-9][0-9]*$ ]] || fail "TD_RANKS_PER_NODE must be a positive integer, got '$slots'"
python3 - "$etc/workers.json" "$head" "$slots" > "$work/hostfile" <<'PY' || fail "workers.json is not a map of worker addresses"
import ipaddress, json, sys
workers = json.load(open(sys.argv[1]))
if isinstance(workers, str):          # a wait condition's data attribute is a JSON string
    workers = json.loads(workers)
if isinstance(workers, dict):
    workers = [workers[k] for k in sorted(workers, key=lambda k: (len(k), k))]
addrs = [sys.argv[2]] + list(workers)
for a in addrs:
    ipaddress.ip_address(a)           # an address, nothing else, goes into the hostfile
for a in addrs:
    print("%s slots=%s" % (a, sys.argv[3]))
PY
nodes=$(wc -l < "$work/hostfile")
np=$((nodes * slots))

args=(--spec "$TD_SPEC" --train "$TD_TRAIN" --out "$TD_OUTPUT" --json -q)
[ -n "${TD_TEST:-}" ] && args+=(--test "$TD_TEST")
# shellcheck disable=SC2206  # the options are words (the template allows [A-Za-z0-9 =,._-])
[ -n "${TD_FIT_OPTIONS:-}" ] && args+=($TD_FIT_OPTIONS)
xs=(-x PATH)
for n in $cred_names; do xs+=(-x "$n"); done
# shellcheck disable=SC2206
extra=(${TD_MPI_ARGS:-})

echo "td-cluster-job: $np ranks on $nodes nodes: thunderdome fit ${args[*]}"
mpirun --hostfile "$work/hostfile" -np "$np" --map-by node \
  --mca plm_rsh_agent "${TD_RSH_AGENT:-ssh}" "${extra[@]}" "${xs[@]}" \
  thunderdome fit "${args[@]}" > "$work/fit.json" 2> "$work/fit.err"
rc=$?
if [ "$rc" -ne 0 ]; then
  why=$(grep -v '^[[:space:]]*$' "$work/fit.err" | grep -v -e '^-----' -e '^mpirun' -e '^Primary job' | head -n 3 | tr '\n' ' ')
  fail "thunderdome fit failed (exit $rc): ${why:-see $work/fit.err}"
fi
signal SUCCESS "model written to $TD_OUTPUT" "$(python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1])), separators=(",", ":")))' "$work/fit.json")"
echo "td-cluster-job: model written to $TD_OUTPUT"
