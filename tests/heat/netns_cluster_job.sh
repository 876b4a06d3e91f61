#!/usr/bin/env bash
# The job part of the cluster's user data (deploy/heat/td-cluster-job.sh), for real on two
# "nodes": the network namespaces of tests/dist/netns_rig.sh (the two-host MPI test's rig), the
# head in namespace a, one worker in b. The head's /etc/thunderdome is laid out as
# thunderdome-node.yaml writes it (job.json with swift:// URLs, workers.json, the worker
# group's addresses, credentials.json, the signal command); the job writes
# the hostfile, starts the worker's rank over the rig's rsh agent instead of SSH, reads the spec
# and data from the test Swift, writes the model there and signals. Checked: the signal is
# SUCCESS with the single-process answer, the hostfile names both nodes, a daemon was started
# on the worker, and the model in Swift loads. Then a job with a missing object signals FAILURE
# with thunderdome's error.
#
# Usage: netns_cluster_job.sh THUNDERDOME DEPLOY_HEAT_DIR EXAMPLES_DIR   (root; the `swift`
# ctest fixture is running). Exit 77 (ctest SKIP_RETURN_CODE): not root, no `ip netns`, no socat.
set -euo pipefail
td=$(realpath "$1"); heat_dir=$(realpath "$2"); ex=$(realpath "$3")

# shellcheck source=../dist/netns_rig.sh
source "$(dirname "$0")/../dist/netns_rig.sh"
netns_rig_skip_unless_able

netns_rig_swift_env

work=$(mktemp -d); container="td-netns-job-$$"
token=""; storage=""
cleanup() {
  local rc=$?
  set +e
  netns_rig_down
  if [ -n "$token" ]; then  # the container and everything in it (the listing is paged)
    while names=$(curl -sf -H "X-Auth-Token: $token" "$storage/$container") && [ -n "$names" ]; do
      while read -r n; do
        curl -s -o /dev/null -X DELETE -H "X-Auth-Token: $token" "$storage/$container/$n"
      done <<< "$names"
    done
    curl -s -o /dev/null -X DELETE -H "X-Auth-Token: $token" "$storage/$container"
  fi
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

netns_rig_up

# ---- the job's inputs in Swift
netns_rig_swift_login
put() { curl -sf -o /dev/null -X PUT -H "X-Auth-Token: $token" ${2:+-T "$2"} "$storage/$container$1"; }
put ""
put /jobs/spec.json "$ex/cross_validation.json"
put /jobs/train.csv "$ex/data/spark_guide_train.csv"
put /jobs/test.csv "$ex/data/spark_guide_test.csv"
url="swift://$container"

# ---- the head's /etc/thunderdome, as the user data writes it
etc() {  # etc DIR TRAIN OUTPUT: a head's configuration directory
  mkdir -p "$1"
  cat > "$1/job.json" <<EOF
{"TD_SPEC": "$url/jobs/spec.json", "TD_TRAIN": "$2", "TD_TEST": "$url/jobs/test.csv",
 "TD_OUTPUT": "$3", "TD_FIT_OPTIONS": "", "TD_RANKS_PER_NODE": 1}
EOF
  echo "[\"$ipB\"]" > "$1/workers.json"
  python3 -c 'import json, os, sys
json.dump({k: os.environ[k] for k in ("ST_AUTH", "ST_USER", "ST_KEY")}, open(sys.argv[1], "w"))' \
    "$1/credentials.json"
  chmod 600 "$1/credentials.json"
  # The signal: here, the body goes to a file (on a VM it is the handle's curl_cli).
  printf '#!/bin/sh\nprintf "%%s" "$1" > %s/signal.json\n' "$1" > "$1/signal"
  chmod 700 "$1/signal"
}
agent="$work/netns-rsh"
netns_rig_agent "$agent" "$work/agent-hosts.log"

job() {  # job ETC_DIR [VAR=VALUE...]: td-cluster-job in the head's namespace, as td-node-boot starts it
  local dir=$1; shift
  ip netns exec "$nsA" env -i "$@" PATH="$(dirname "$td"):/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin" \
    HOME="$work" LANG=C.UTF-8 OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 \
    TD_HEAD_ADDRESS="$ipA" TD_RSH_AGENT="$agent" TD_JOB_DIR="$dir/job" \
    TD_MPI_ARGS="--mca oob_tcp_if_include $subnet --mca btl_tcp_if_include $subnet --mca btl self,tcp --mca pml ob1" \
    timeout 120 bash "$heat_dir/td-cluster-job.sh" "$dir"
}

etc "$work/ok" "$url/jobs/train.csv" "$url/models/cv"
job "$work/ok" || { echo "td-cluster-job failed"; cat "$work/ok/job/fit.err" 2>/dev/null; exit 1; }
printf '%s slots=1\n%s slots=1\n' "$ipA" "$ipB" | diff - "$work/ok/job/hostfile"
grep -qx "$ipB" "$work/agent-hosts.log" || { echo "no daemon was started on the worker $ipB"; exit 1; }

"$td" fit --spec "$ex/cross_validation.json" --train "$ex/data/spark_guide_train.csv" \
  --test "$ex/data/spark_guide_test.csv" --out "$work/one" --json -q > "$work/one.json"
python3 - "$work/ok/signal.json" "$work/one.json" "$url/models/cv" <<'PY'
import json, sys
sig = json.load(open(sys.argv[1]))
assert sig["status"] == "SUCCESS", sig
assert sig["reason"] == "model written to " + sys.argv[3], sig["reason"]
assert sig["id"] == sys.argv[3], sig["id"]   # one signal per run, keyed by its output
job, one = json.loads(sig["data"]), json.load(open(sys.argv[2]))
for k in ("avgMetrics", "foldMetrics", "bestIndex", "testMetric"):
    assert job[k] == one[k], (k, job[k], one[k])
print("signal SUCCESS: bestIndex %d, test %s %.3f (the single-process answer)"
      % (job["bestIndex"], job["testMetricName"], job["testMetric"]))
PY
"$td" show --model "$url/models/cv" | grep -q "<- best" ||
  { echo "the model the cluster job wrote does not load"; exit 1; }
echo "the model at $url/models/cv loads"

# A failing job: FAILURE, with thunderdome's error as the reason, and no credential in it.
# (Its credentials come from the environment instead of credentials.json, as on a cluster that
# is not OpenStack: "object not found" shows that the ranks got them.)
etc "$work/bad" "$url/jobs/missing.csv" "$url/models/never"
rm "$work/bad/credentials.json"
if job "$work/bad" ST_AUTH="$ST_AUTH" ST_USER="$ST_USER" ST_KEY="$ST_KEY" 2>/dev/null; then
  echo "a job with missing data succeeded"; exit 1
fi
python3 - "$work/bad/signal.json" "$ST_KEY" <<'PY'
import json, sys
sig = json.load(open(sys.argv[1]))
assert sig["status"] == "FAILURE", sig
assert "thunderdome fit failed (exit 4)" in sig["reason"] and "missing.csv" in sig["reason"], sig
assert sys.argv[2] not in json.dumps(sig), "the Swift key is in the signal"
print("signal FAILURE: " + sig["reason"][:160])
PY
echo "netns_cluster_job OK: head $ipA ($nsA), worker $ipB ($nsB)"
