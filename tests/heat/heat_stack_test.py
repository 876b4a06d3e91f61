#!/usr/bin/python3
"""deploy/heat/thunderdome-cluster.yaml on a real local Heat engine (tests/heat/local_heat.py).

  heat_stack_test.py validate DEPLOY_HEAT_DIR
      The engine validates the template as shipped (with the test environment, the production
      one, and one rendered by deploy/sahara_render.py), and rejects it with a dangling
      reference or an unknown property.
  heat_stack_test.py cluster DEPLOY_HEAT_DIR THUNDERDOME EXAMPLES_DIR
      (the `swift` ctest fixture with --keystone is running.) Creates the stack with two workers
      and the alias types mapped to stand-ins (tests/heat/env-test.yaml). Each node's rendered
      user data (read back from its stand-in server) must pass `cloud-init schema`; the test then
      does what cloud-init would do with it: writes its write_files under a directory per node
      and runs its runcmd (td-node-boot) there, with thunderdome already on PATH. The workers
      signal workers_ready with their addresses through the user data's own signal command
      (the handle's curl_cli against the local Heat API); then the head's user data runs the
      real job: mpirun over the hostfile it writes, ranks started by a local rsh agent, reading
      the spec and data from the Keystone-authenticated test Swift with the stack's application
      credential and writing the model there. The stack must reach CREATE_COMPLETE with the
      job's result in its outputs, the model must load, and the credential's secret must appear
      in no output, parameter, event or log. A second stack whose training data is missing must
      end CREATE_FAILED with the job's error as the reason.
Exit 77 (ctest SKIP_RETURN_CODE) when python3-heat, python3-heatclient or cloud-init is missing.
"""
import base64
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import local_heat  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ENV_TEST = os.path.join(HERE, "env-test.yaml")
PUBLIC_KEY_STANDIN = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHRlc3Qta2V5LWZvci10aHVuZGVyZG9tZS1oZWF0 td-test"
PRIVATE_KEY_STANDIN = "td-test-private-key"


def check(cond, what):
    if not cond:
        raise AssertionError(what)


# ------------------------------------------------------------------ validate / reject
def run_validate(heat_dir):
    from heatclient import exc
    with local_heat.LocalHeat() as heat:
        h = heat.client()
        tpl, files, env = local_heat.stack_inputs(heat_dir, ENV_TEST)
        # As shipped: valid (the engine's own template-validate).
        v = h.stacks.validate(template=tpl, files=files, environment=env)
        check("worker_count" in v.get("Parameters", {}), "validate: no worker_count in %s" % v)
        print("ok: the shipped template validates (%d parameters)" % len(v["Parameters"]))
        # With the production environment, and with one rendered from the Sahara-like example:
        # the alias types are Nova's and Neutron's own, their properties checked against those
        # resources' schemas. (No Nova or Neutron answers here: HEAT-E99001, "service not
        # available", is the one error ignored.)
        with tempfile.TemporaryDirectory() as t:
            rendered = os.path.join(t, "sahara-env.yaml")
            subprocess.run([sys.executable, os.path.join(heat_dir, "..", "sahara_render.py"),
                            os.path.join(heat_dir, "..", "sahara", "example-cluster.json"),
                            "-o", rendered], check=True)
            for env_file in (os.path.join(heat_dir, "env-production.yaml"), rendered):
                ptpl, pfiles, penv = local_heat.stack_inputs(heat_dir, env_file)
                v = h.stacks.validate(template=ptpl, files=pfiles, environment=penv,
                                      ignore_errors="99001")
                print("ok: validates with %s" % os.path.basename(env_file))
            check(v["Parameters"]["worker_count"].get("Value") == 4 and
                  v["Parameters"]["head_flavor"].get("Value") == "m1.large",
                  "the rendered parameters: %s" % {k: p.get("Value") for k, p in
                                                   v["Parameters"].items()})
            print("ok: the rendered environment sets worker_count 4, head_flavor m1.large")

        def rejected(mutate, expect, environment=env, files=files):
            bad = json.loads(json.dumps(tpl))
            mutate(bad)
            try:
                h.stacks.create(stack_name="bad-%s" % uuid.uuid4().hex[:8], template=bad,
                                files=files, environment=environment,
                                parameters=params("swift://c/o"))
            except exc.HTTPBadRequest as e:
                msg = str(e)
                check(expect in msg, "rejected, but the message lacks %r: %s" % (expect, msg))
                print("ok: rejected: %s" % msg.strip().splitlines()[0][:200])
                return
            raise AssertionError("the engine accepted a template that should fail (%s)" % expect)

        rejected(lambda t: t["resources"]["workers_ready"]["properties"].update(
            handle={"get_resource": "workers_handel"}), "workers_handel")
        rejected(lambda t: t["resources"]["workers_ready"]["properties"].update(timout=60),
                 "Unknown Property timout")
        rejected(lambda t: t["resources"]["head"]["properties"].update(flavour="m1.small"),
                 "flavour")
        rejected(lambda t: t["outputs"]["model_url"].update(value={"get_attr": ["hed", "address"]}),
                 "hed")
        check(list(h.stacks.list()) == [], "a rejected template left a stack behind")


def params(output, **kw):
    p = dict(image="debian-12-genericcloud-amd64", flavor="m1.medium", key_name="operator",
             network="cluster-net", worker_count=2, job_spec="swift://jobs/spec.json",
             train_data="swift://jobs/train.csv", output=output,
             swift_auth_url="http://127.0.0.1:5000/v3",
             swift_application_credential_id="app-cred-id",
             swift_application_credential_secret="app-cred-secret")
    p.update(kw)
    return p


# ------------------------------------------------------------------ Swift (Keystone project)
class Swift:
    """The Keystone-authenticated test Swift, as the application credential sees it."""

    def __init__(self, env):
        self.auth_url = env["OS_AUTH_URL"]
        self.cred_id, self.secret = env["TD_KS_APP_CRED_ID"], env["TD_KS_APP_CRED_SECRET"]
        self.storage = env["TD_KS_SWIFT_URL"]
        body = {"auth": {"identity": {"methods": ["application_credential"],
                                      "application_credential": {"id": self.cred_id,
                                                                 "secret": self.secret}}}}
        req = urllib.request.Request(self.auth_url + "/auth/tokens", method="POST",
                                     data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as r:
            self.token = r.headers["X-Subject-Token"]

    def req(self, method, path, data=None):
        r = urllib.request.Request(self.storage + "/" + path, method=method, data=data,
                                   headers={"X-Auth-Token": self.token})
        with urllib.request.urlopen(r, timeout=30) as resp:
            return resp.read()

    def remove_container(self, c):
        while True:  # the listing is paged (the test server's listing limit is small)
            try:
                names = self.req("GET", c).decode().split()
            except urllib.error.HTTPError:
                return
            if not names:
                break
            for n in names:
                self.req("DELETE", c + "/" + urllib.request.quote(n))
        self.req("DELETE", c)


# ------------------------------------------------------------------ nodes
def node_user_data(h, stack_id, group):
    """[(server stand-in's name, user data, flavor)] of the Thunderdome::Server stand-ins whose
    node resource sits under `group` ('workers' or 'head')."""
    found = []
    for r in h.resources.list(stack_id, nested_depth=3):
        if r.resource_type != "Thunderdome::Server" or r.resource_status not in (
                "CREATE_COMPLETE", "UPDATE_COMPLETE"):
            continue
        outs = {o["output_key"]: o["output_value"]
                for o in h.stacks.get(r.physical_resource_id).outputs}
        name = outs.get("name", "")
        if re.search(r"-worker-[0-9]+$" if group == "workers" else r"-head$", name):
            found.append((name, outs["user_data"], outs["flavor"]))
    return sorted(found)


def wait_nodes(h, stack_id, group, n, played=(), timeout=240):
    """The `group`'s n nodes once there are n, those whose user data was played before left out."""
    t0 = time.time()
    while True:
        nodes = node_user_data(h, stack_id, group)
        fresh = [x for x in nodes if (x[0], x[1]) not in played]
        if len(nodes) >= n and fresh:
            return fresh
        st = h.stacks.get(stack_id)
        check(st.stack_status.endswith("IN_PROGRESS"),
              "stack %s while waiting for %s: %s" % (st.stack_status, group, st.stack_status_reason))
        check(time.time() - t0 < timeout, "no %d %s servers after %d s" % (n, group, timeout))
        time.sleep(0.5)


def cloud_init_schema(text, path):
    with open(path, "w") as f:
        f.write(text)
    return subprocess.run(["cloud-init", "schema", "--config-file", path], capture_output=True,
                          text=True)


schema_can_fail = []


def validate_cloud_config(text, path):
    """`cloud-init schema` accepts the user data, and it fits Nova's limit (64 KiB, base64)."""
    r = cloud_init_schema(text, path)
    check(r.returncode == 0, "cloud-init schema rejects %s:\n%s%s" % (path, r.stdout, r.stderr))
    check("Valid cloud-config" in r.stdout, "cloud-init schema said: %s" % r.stdout)
    size = len(base64.b64encode(text.encode()))
    check(size <= 65535, "%s: user data is %d bytes base64, over Nova's 65535" % (path, size))
    if not schema_can_fail:  # once: the same check refuses a broken copy of it
        import yaml
        cfg = yaml.safe_load(text)
        cfg["packages"], cfg["runcmd"] = "openmpi-bin", "/usr/local/sbin/td-node-boot"
        r = cloud_init_schema("#cloud-config\n" + json.dumps(cfg), path + ".broken")
        check(r.returncode != 0 and "packages" in r.stdout + r.stderr,
              "cloud-init schema accepted packages/runcmd as strings: %s" % r.stdout)
        schema_can_fail.append(True)
        print("ok: cloud-init schema refuses a broken copy of the user data (%d bytes base64)"
              % size)


def materialize(text, root):
    """Does cloud-init's write_files for the config under `root`; returns the parsed config."""
    import yaml
    check(text.startswith("#cloud-config\n"), "user data does not start with #cloud-config")
    cfg = yaml.safe_load(text)
    for f in cfg["write_files"]:
        p = root + f["path"]
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as out:
            out.write(f["content"])
        os.chmod(p, int(f.get("permissions", "0644"), 8))
    return cfg


def boot(root, cfg, env):
    """cloud-init's runcmd for the node whose files are under `root` (paths re-rooted)."""
    (cmd,) = cfg["runcmd"]
    check(cmd == ["/usr/local/sbin/td-node-boot"], "unexpected runcmd %s" % cmd)
    env = dict(env, PATH=root + "/usr/local/bin:" + env["PATH"])  # td-cluster-job
    return subprocess.run([root + cmd[0], root + "/etc/thunderdome"], env=env,
                          capture_output=True, text=True, timeout=300)


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


# ------------------------------------------------------------------ cluster
def run_cluster(heat_dir, thunderdome, examples):
    envsh = os.path.join(os.environ.get("TD_SWIFT_DIR", "/tmp/td-swift"), "env.sh")
    check(os.path.exists(envsh), "%s is missing: the swift test server is not running" % envsh)
    senv = dict(l.split("=", 1) for l in subprocess.run(
        ["bash", "-c", "source %s && env" % envsh], capture_output=True, text=True,
        check=True).stdout.splitlines() if "=" in l)
    for k in ("OS_AUTH_URL", "TD_KS_APP_CRED_ID", "TD_KS_APP_CRED_SECRET", "TD_KS_SWIFT_URL"):
        check(k in senv, "%s is not in %s: start the test server with --keystone" % (k, envsh))
    secret = senv["TD_KS_APP_CRED_SECRET"]
    swift = Swift(senv)
    container = "td-heat-" + uuid.uuid4().hex[:10]
    work = tempfile.mkdtemp(prefix="td-heat-cluster.")
    td_dir = os.path.dirname(os.path.abspath(thunderdome))
    agent = os.path.join(work, "local-rsh")
    with open(agent, "w") as f:  # SSH-less rank launch: every "host" is this machine
        # (each "host" gets its own TMPDIR: Open MPI's session directories are named after
        # the host name, which every "host" here shares)
        f.write('#!/bin/sh\n# rsh agent for mpirun: HOST COMMAND... runs COMMAND here\n'
                'TMPDIR="%s/tmp-$1"; export TMPDIR; mkdir -p "$TMPDIR"; shift\n'
                'exec /bin/sh -c "$*"\n' % work)
    os.chmod(agent, 0o755)
    try:
        swift.req("PUT", container)
        swift.req("PUT", container + "/jobs/spec.json",
                  open(os.path.join(examples, "cross_validation.json"), "rb").read())
        swift.req("PUT", container + "/jobs/train.csv",
                  open(os.path.join(examples, "data/spark_guide_train.csv"), "rb").read())
        swift.req("PUT", container + "/jobs/test.csv",
                  open(os.path.join(examples, "data/spark_guide_test.csv"), "rb").read())
        url = "swift://%s/" % container
        stack_params = params(url + "models/cv", job_spec=url + "jobs/spec.json",
                              train_data=url + "jobs/train.csv", test_data=url + "jobs/test.csv",
                              swift_auth_url=senv["OS_AUTH_URL"], swift_region="RegionOne",
                              head_flavor="m1.xlarge",
                              swift_application_credential_id=senv["TD_KS_APP_CRED_ID"],
                              swift_application_credential_secret=secret)
        with local_heat.LocalHeat() as heat:
            h = heat.client()
            t0 = time.time()
            played = set()
            st = create_and_run(h, heat_dir, "tdc", stack_params, 2, work, td_dir, agent, played)
            check(st.stack_status == "CREATE_COMPLETE",
                  "stack %s: %s" % (st.stack_status, st.stack_status_reason))
            outs = {o["output_key"]: o["output_value"] for o in st.outputs}
            print("ok: CREATE_COMPLETE in %.1f s; outputs: head_address=%s model_url=%s "
                  "worker_addresses=%s" % (time.time() - t0, outs["head_address"],
                                           outs["model_url"], outs["worker_addresses"]))
            check(outs["model_url"] == url + "models/cv", "model_url %s" % outs["model_url"])
            check(outs["head_address"] == "127.0.0.1", "head_address %s" % outs["head_address"])
            workers = json.loads(outs["worker_addresses"])
            check(sorted(workers.values()) == ["127.0.0.2", "127.0.0.3"], "workers %s" % workers)
            # The cluster's answer is the single-process one.
            r = subprocess.run([thunderdome, "fit", "--spec",
                                os.path.join(examples, "cross_validation.json"), "--train",
                                os.path.join(examples, "data/spark_guide_train.csv"), "--out",
                                os.path.join(work, "one"), "--json", "-q"],
                               capture_output=True, text=True, env=clean_env(td_dir))
            check(r.returncode == 0, "single-process fit: %s" % r.stderr)
            one = json.loads(r.stdout)

            def check_run(outs, output, runs):
                status = json.loads(outs["job_status"])
                check(sorted(status) == sorted(runs), "job_status keys: %s" % list(status))
                result = json.loads(status[output])
                for k in ("avgMetrics", "foldMetrics", "bestIndex", "bestParams"):
                    check(result.get(k) == one[k], "job_status %s %s, single process %s"
                          % (k, result.get(k), one[k]))
                check(result.get("model") == output, "job_status model %s" % result.get("model"))
                print("ok: job_status[%s] is the single-process answer (bestIndex %d)"
                      % (output, result["bestIndex"]))
            check_run(outs, url + "models/cv", [url + "models/cv"])

            # Scale to three workers and run again: the update waits for the new worker and the
            # replaced head's job, whose hostfile has the four nodes.
            t0 = time.time()
            h.stacks.update(st.id, existing=True,
                            parameters={"worker_count": 3, "output": url + "models/cv2",
                                        "run_number": 2})
            st = play_cluster(h, st.id, dict(stack_params, worker_count=3), 3, work, td_dir,
                              agent, played, "UPDATE_IN_PROGRESS")
            check(st.stack_status == "UPDATE_COMPLETE",
                  "update: %s: %s" % (st.stack_status, st.stack_status_reason))
            outs = {o["output_key"]: o["output_value"] for o in st.outputs}
            print("ok: UPDATE_COMPLETE in %.1f s (worker_count 3, run_number 2)" % (time.time() - t0))
            check(outs["model_url"] == url + "models/cv2", "model_url %s" % outs["model_url"])
            check_run(outs, url + "models/cv2", [url + "models/cv", url + "models/cv2"])

            # No secret in the stack's API views (the stand-in servers hold the user data the way
            # Nova does; they are not the stack's API) or in anything the nodes logged.
            views = [st.to_dict()] + [e.to_dict() for e in h.events.list(st.id, nested_depth=2)]
            for r in h.resources.list(st.id, nested_depth=1):
                if r.physical_resource_id and r.resource_type.endswith("thunderdome-node.yaml"):
                    views.append(h.stacks.get(r.physical_resource_id).to_dict())
            check(secret not in json.dumps(views), "the secret appears in the stack's API views")
            for dirpath, _, names in os.walk(work):
                for n in names:
                    p = os.path.join(dirpath, n)
                    if n.endswith((".log", ".err", ".json")) and not p.endswith("credentials.json"):
                        check(secret not in open(p, errors="replace").read(), "secret in %s" % p)
            check(secret not in heat.log_text(), "the secret is in Heat's own log")
            print("ok: the credential's secret is in no output, parameter, event or log "
                  "(the nodes' and Heat's)")

            # The model the cluster wrote loads.
            env = clean_env(td_dir)
            env.update(OS_AUTH_URL=senv["OS_AUTH_URL"], OS_REGION_NAME="RegionOne",
                       OS_APPLICATION_CREDENTIAL_ID=senv["TD_KS_APP_CRED_ID"],
                       OS_APPLICATION_CREDENTIAL_SECRET=secret)
            for m in ("models/cv", "models/cv2"):
                r = subprocess.run([thunderdome, "show", "--model", url + m], env=env,
                                   capture_output=True, text=True)
                check(r.returncode == 0 and "<- best" in r.stdout,
                      "show %s: %s %s" % (m, r.stdout, r.stderr))
                print("ok: thunderdome show --model %s%s loads the model" % (url, m))

            # A job that fails: its error is the stack's failure reason.
            bad = dict(stack_params, train_data=url + "jobs/missing.csv",
                       output=url + "models/never", worker_count=1)
            st = create_and_run(h, heat_dir, "tdc-fail", bad, 1, os.path.join(work, "fail"),
                                td_dir, agent, set())
            check(st.stack_status == "CREATE_FAILED", "failing job: %s" % st.stack_status)
            check("thunderdome fit failed (exit 4)" in st.stack_status_reason and
                  "missing.csv" in st.stack_status_reason,
                  "failure reason: %s" % st.stack_status_reason)
            check(secret not in st.stack_status_reason, "secret in the failure reason")
            print("ok: a failing job fails the stack: %s" % st.stack_status_reason[:300])
    finally:
        swift.remove_container(container)
        if os.environ.get("TD_HEAT_KEEP"):
            print("kept " + work)
        else:
            shutil.rmtree(work, ignore_errors=True)


def clean_env(td_dir, **kw):
    env = {"PATH": "%s:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin" % td_dir,
           "HOME": os.environ.get("HOME", "/root"), "LANG": "C.UTF-8",
           "OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
           "OMPI_MCA_btl": "self,vader,tcp", "OMPI_MCA_rmaps_base_oversubscribe": "1",
           # Three "hosts" that are one machine: one daemon each, so PMIx's shared-memory
           # store (dstore, one per host) would be shared by three; the hash store is not.
           "PMIX_MCA_gds": "hash"}
    env.update(kw)
    return env


def create_and_run(h, heat_dir, name, stack_params, n_workers, work, td_dir, agent, played):
    """Creates the stack and plays cloud-init on its nodes; returns the final stack."""
    tpl, files, env = local_heat.stack_inputs(heat_dir, ENV_TEST)
    st = h.stacks.create(stack_name=name, template=tpl, files=files, environment=env,
                         parameters=stack_params)
    return play_cluster(h, st["stack"]["id"], stack_params, n_workers, work, td_dir, agent,
                        played, "CREATE_IN_PROGRESS")


def play_cluster(h, sid, stack_params, n_workers, work, td_dir, agent, played, busy):
    """Does what cloud-init does with the user data of every node not `played` yet: the workers,
    then (once they have signalled) the head; returns the stack once it is done."""
    local_heat.wait_status(h, sid, 60, done=lambda s: s == busy)
    os.makedirs(work, exist_ok=True)
    for server, text, flavor in wait_nodes(h, sid, "workers", n_workers, played):
        check(flavor == stack_params["flavor"], "%s: flavor %s" % (server, flavor))
        root = os.path.join(work, server)
        validate_cloud_config(text, root + ".user-data")
        cfg = materialize(text, root)
        check(PUBLIC_KEY_STANDIN in json.dumps(cfg["users"]), "%s: no cluster key" % server)
        check(PRIVATE_KEY_STANDIN not in text, "%s: a worker got the private key" % server)
        check(stack_params["swift_application_credential_secret"] not in text,
              "%s: a worker got the Swift secret" % server)
        check(mode(root + "/etc/thunderdome/signal") == 0o700, "signal's mode")
        address = "127.0.0.%d" % (int(server.rsplit("-", 1)[1]) + 2)  # the stand-in's address
        r = boot(root, cfg, clean_env(td_dir, TD_NODE_ID=server, TD_NODE_ADDRESS=address,
                                      TD_BOOT_LOG=root + "/boot.log"))
        check(r.returncode == 0, "%s: td-node-boot failed (%d):\n%s%s" % (server, r.returncode,
                                                                          r.stdout, r.stderr))
        played.add((server, text))
        print("ok: %s: user data valid (cloud-init schema), signalled %s" % (server, address))
    ((server, text, flavor),) = wait_nodes(h, sid, "head", 1, played)
    check(flavor == (stack_params.get("head_flavor") or stack_params["flavor"]),
          "head flavor %s" % flavor)
    root = os.path.join(work, server)
    shutil.rmtree(root, ignore_errors=True)  # a replaced head boots afresh
    validate_cloud_config(text, root + ".user-data")
    cfg = materialize(text, root)
    check(PRIVATE_KEY_STANDIN in open(root + "/home/thunderdome/.ssh/id_cluster").read(),
          "the head has no cluster private key")
    check(mode(root + "/etc/thunderdome/credentials.json") == 0o600, "credentials' mode")
    hosts = json.load(open(root + "/etc/thunderdome/workers.json"))
    check(sorted(hosts) == ["127.0.0.%d" % (i + 2) for i in range(n_workers)],
          "workers.json: %s" % hosts)
    r = boot(root, cfg, clean_env(td_dir, TD_NODE_ID=server, TD_HEAD_ADDRESS="127.0.0.1",
                                  TD_RSH_AGENT=agent, TD_JOB_DIR=root + "/job",
                                  TD_BOOT_LOG=root + "/boot.log"))
    played.add((server, text))
    print("%s's job (exit %d): %s%s" % (server, r.returncode, r.stdout.strip(), r.stderr.strip()))
    hostfile = [l for l in open(root + "/job/hostfile").read().split("\n") if l]
    check(hostfile == ["127.0.0.%d slots=1" % (i + 1) for i in range(n_workers + 1)],
          "hostfile: %s" % hostfile)
    return local_heat.wait_status(h, sid, 120)


def main(argv):
    local_heat.skip_unless_available()
    if shutil.which("cloud-init") is None and argv[1] == "cluster":
        print("SKIP: cloud-init is not installed (scripts/install-deps.sh installs it)")
        return local_heat.SKIP
    if argv[1] == "validate":
        run_validate(argv[2])
    elif argv[1] == "cluster":
        run_cluster(argv[2], argv[3], argv[4])
    else:
        raise SystemExit("usage: heat_stack_test.py validate|cluster DEPLOY_HEAT_DIR ...")
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
