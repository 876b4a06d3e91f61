#!/usr/bin/env python3
"""deploy/sahara_render.py: a Sahara-like description becomes the stack's environment (known
answer for deploy/sahara/example-cluster.json), and each kind of bad description is refused with
a message naming the offending group and value. (The rendered environment is validated by the
real Heat engine in heat_stack_test.py validate.)"""
import copy
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "deploy"))
import sahara_render  # noqa: E402

EXAMPLE = os.path.join(ROOT, "deploy/sahara/example-cluster.json")
doc = json.load(open(EXAMPLE))
failures = []


def expect(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL: " + what)


env, warnings = sahara_render.render(doc)
expect(env["parameters"] == {"image": "debian-12-genericcloud-amd64", "flavor": "m1.xlarge",
                             "worker_count": 4, "key_name": "my-key", "network": "private",
                             "head_flavor": "m1.large", "ranks_per_node": 4},
       "example parameters: %s" % env["parameters"])
expect(env["resource_registry"]["Thunderdome::Server"] == "OS::Nova::Server", "registry")
expect(warnings == [], "example warnings: %s" % warnings)

# Sahara's Spark names, two worker groups of one shape (counts add up), an inline group.
d = copy.deepcopy(doc)
d["node_group_templates"][0]["node_processes"] = ["master"]
d["node_group_templates"][1]["node_processes"] = ["slave"]
d["cluster_template"]["node_groups"].append(
    {"name": "more", "flavor_id": "m1.xlarge", "node_processes": ["worker"], "count": 3,
     "floating_ip_pool": "public"})
env, warnings = sahara_render.render(d)
expect(env["parameters"]["worker_count"] == 7, "summed workers: %s" % env["parameters"])
expect(len(warnings) == 1 and "floating_ip_pool" in warnings[0], "warnings: %s" % warnings)


def refused(mutate, *needles):
    d = copy.deepcopy(doc)
    mutate(d)
    try:
        sahara_render.render(d)
    except sahara_render.RenderError as e:
        for n in needles:
            expect(n in str(e), "message %r lacks %r" % (str(e), n))
        return
    expect(False, "accepted, expected an error with %s" % (needles,))


ngs = lambda d: d["cluster_template"]["node_groups"]
refused(lambda d: ngs(d)[0].update(count=2), "exactly one node runs 'head'", "('head')", "count 2")
refused(lambda d: ngs(d)[1].update(count=0), "no node group runs 'worker'")
refused(lambda d: ngs(d)[1].update(count="4"), "('workers')", "count must be", "'4'")
refused(lambda d: ngs(d)[1].update(node_group_template="td-wrker"), "'td-wrker'",
        "known: td-head, td-worker")
refused(lambda d: d["node_group_templates"][1].update(node_processes=["datanode"]),
        "unknown node process 'datanode'")
refused(lambda d: d["node_group_templates"][1].update(flavour="x"), "unknown field 'flavour'")
refused(lambda d: ngs(d).append({"name": "big", "flavor_id": "m1.huge", "count": 1,
                                 "node_processes": ["worker"]}),
        "differ in flavor or image", "m1.huge", "m1.xlarge")
refused(lambda d: d["cluster"].pop("user_keypair_id"), "cluster: 'user_keypair_id' is missing")
refused(lambda d: d["cluster_template"].pop("default_image_id"), "no image_id")
refused(lambda d: d["cluster_template"]["cluster_configs"]["thunderdome"].update(np=3),
        "unknown key 'np'")

# The command: writes the file; a bad file exits 2 naming it.
with tempfile.TemporaryDirectory() as t:
    out = os.path.join(t, "env.yaml")
    r = subprocess.run([sys.executable, os.path.join(ROOT, "deploy/sahara_render.py"), EXAMPLE,
                        "-o", out], capture_output=True, text=True)
    expect(r.returncode == 0 and '"worker_count": 4' in open(out).read(), "cli: %s" % r.stderr)
    bad = os.path.join(t, "bad.json")
    open(bad, "w").write('{"cluster_template": {"node_groups": []}}')
    r = subprocess.run([sys.executable, os.path.join(ROOT, "deploy/sahara_render.py"), bad],
                       capture_output=True, text=True)
    expect(r.returncode == 2 and "bad.json" in r.stderr and "node_groups" in r.stderr,
           "cli error: %d %s" % (r.returncode, r.stderr))

print("FAILED: %d" % len(failures) if failures else "PASS")
sys.exit(1 if failures else 0)
