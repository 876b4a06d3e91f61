#!/usr/bin/env python3
"""Sahara's cluster templates, mapped: a Sahara-like node-group / cluster-template JSON to the
Heat environment of deploy/heat/thunderdome-cluster.yaml.

Sahara (retired upstream in 2024) described a cluster in two levels: node group templates
(flavor, image, node processes, security, ...) and a cluster template (node groups with a count
each, cluster configs), then a cluster (template + key pair + network). This reads the same
shapes and writes an environment file: the production resource registry plus the stack
parameters for the cluster's shape; the job's parameters (spec, data, output, credentials) are
given when the stack is created (deploy/README.md).

    deploy/sahara_render.py cluster.json [-o thunderdome-env.yaml]
    openstack stack create -t deploy/heat/thunderdome-cluster.yaml -e thunderdome-env.yaml \\
        --parameter job_spec=swift://... ... my-cluster --wait

Input (see deploy/sahara/example-cluster.json):
  {"node_group_templates": [{"name", "flavor_id", "image_id"?, "node_processes": [...],
                             "auto_security_group"?, "security_groups"?}],
   "cluster_template": {"name", "node_groups": [{"name", "node_group_template", "count"}],
                        "default_image_id"?, "cluster_configs"?: {"thunderdome":
                        {"ranks_per_node"?, "fit_options"?}}},
   "cluster": {"name"?, "user_keypair_id", "neutron_management_network",
               "default_image_id"?}}
A node group's template is named ("node_group_template") or given inline (its fields in the
node group). Node processes: "head" (Sahara's Spark "master") on exactly one node, "worker"
(Spark's "slave") on at least one. Every worker group needs the same flavor and image (the stack
has one worker group); the head may differ.

Only the standard library (json); the output is YAML with JSON-quoted strings.
"""
import argparse
import json
import sys

PROCESS_ALIASES = {"head": "head", "master": "head", "worker": "worker", "slave": "worker"}
PRODUCTION_REGISTRY = {
    "Thunderdome::Server": "OS::Nova::Server",
    "Thunderdome::KeyPair": "OS::Nova::KeyPair",
    "Thunderdome::SecurityGroup": "OS::Neutron::SecurityGroup",
}
KNOWN_NGT = {"name", "flavor_id", "image_id", "node_processes", "auto_security_group",
             "security_groups", "description", "plugin_name", "plugin_version",
             "floating_ip_pool", "availability_zone", "volumes_per_node", "volumes_size",
             "is_protected", "is_public", "node_configs", "use_autoconfig"}
UNSUPPORTED_NGT = {"floating_ip_pool", "availability_zone", "volumes_per_node", "volumes_size"}


class RenderError(Exception):
    """A cluster description that cannot become a thunderdome stack; the message says why."""


def _need(obj, key, where):
    v = obj.get(key)
    if v in (None, "", []):
        raise RenderError("%s: '%s' is missing" % (where, key))
    return v


def render(doc):
    """The environment (a dict: resource_registry, parameters) for a Sahara-like description."""
    if not isinstance(doc, dict):
        raise RenderError("the description must be a JSON object")
    ngts = {}
    for i, t in enumerate(doc.get("node_group_templates", [])):
        name = _need(t, "name", "node_group_templates[%d]" % i)
        if name in ngts:
            raise RenderError("node_group_templates: '%s' is defined twice" % name)
        ngts[name] = t
    ct = _need(doc, "cluster_template", "the description")
    cluster = doc.get("cluster", {})
    default_image = cluster.get("default_image_id") or ct.get("default_image_id")

    head, workers, warnings = None, [], []
    for i, ng in enumerate(_need(ct, "node_groups", "cluster_template")):
        where = "cluster_template.node_groups[%d] ('%s')" % (i, ng.get("name", "?"))
        if "node_group_template" in ng:
            ref = ng["node_group_template"]
            if ref not in ngts:
                raise RenderError("%s: node_group_template '%s' is not in node_group_templates "
                                  "(known: %s)" % (where, ref, ", ".join(sorted(ngts)) or "none"))
            t = dict(ngts[ref], **{k: v for k, v in ng.items() if k not in ("name", "count")})
        else:
            t = ng
        for k in sorted(set(t) - KNOWN_NGT - {"node_group_template", "count"}):
            raise RenderError("%s: unknown field '%s'" % (where, k))
        for k in sorted(UNSUPPORTED_NGT & set(t)):
            warnings.append("%s: '%s' is not supported by thunderdome-cluster.yaml and is "
                            "ignored" % (where, k))
        count = ng.get("count")
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise RenderError("%s: count must be a non-negative integer, got %r" % (where, count))
        procs = _need(t, "node_processes", where)
        roles = set()
        for p in procs:
            if p not in PROCESS_ALIASES:
                raise RenderError("%s: unknown node process '%s' (head or worker; Sahara's "
                                  "Spark names master and slave are accepted)" % (where, p))
            roles.add(PROCESS_ALIASES[p])
        group = {"where": where, "count": count, "flavor": _need(t, "flavor_id", where),
                 "image": t.get("image_id") or default_image}
        if not group["image"]:
            raise RenderError("%s: no image_id, and no default_image_id in the cluster or its "
                              "template" % where)
        if "head" in roles:
            if head is not None or count != 1:
                raise RenderError("exactly one node runs 'head' (Sahara: one Spark master); "
                                  "%s has count %d%s" % (where, count, ", and another group "
                                  "has it too" if head is not None else ""))
            if "worker" in roles:
                warnings.append("%s: the head node always runs ranks too; 'worker' there "
                                "adds nothing" % where)
            head = group
        elif count > 0:
            workers.append(group)
    if head is None:
        raise RenderError("no node group runs 'head' (exactly one node must)")
    if not workers:
        raise RenderError("no node group runs 'worker' with a count of at least 1")
    shapes = {(w["flavor"], w["image"]) for w in workers}
    if len(shapes) > 1:
        raise RenderError("the worker groups differ in flavor or image (%s); "
                          "thunderdome-cluster.yaml has one worker group"
                          % "; ".join("%s: flavor %s, image %s" % (w["where"], w["flavor"],
                                                                 w["image"]) for w in workers))
    (flavor, image), = shapes
    params = {
        "image": image,
        "flavor": flavor,
        "worker_count": sum(w["count"] for w in workers),
        "key_name": _need(cluster, "user_keypair_id", "cluster"),
        "network": _need(cluster, "neutron_management_network", "cluster"),
    }
    if head["image"] != image:
        params["head_image"] = head["image"]
    if head["flavor"] != flavor:
        params["head_flavor"] = head["flavor"]
    td = (ct.get("cluster_configs") or {}).get("thunderdome") or {}
    for k in sorted(td):
        if k not in ("ranks_per_node", "fit_options"):
            raise RenderError("cluster_template.cluster_configs.thunderdome: unknown key '%s' "
                              "(ranks_per_node, fit_options)" % k)
        params[k] = td[k]
    return {"resource_registry": dict(PRODUCTION_REGISTRY), "parameters": params}, warnings


def to_yaml(env, source):
    lines = ["# Rendered by deploy/sahara_render.py from %s; do not edit, re-render." % source,
             "# openstack stack create -t deploy/heat/thunderdome-cluster.yaml -e THIS_FILE ..."]
    for section in ("resource_registry", "parameters"):
        lines.append("%s:" % section)
        for k, v in env[section].items():
            lines.append("  %s: %s" % (json.dumps(k), json.dumps(v)))
    return "\n".join(lines) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("description", help="Sahara-like cluster description (JSON)")
    ap.add_argument("-o", "--output", help="environment file to write (default: stdout)")
    a = ap.parse_args(argv)
    try:
        with open(a.description) as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        print("sahara_render: cannot read %s: %s" % (a.description, e), file=sys.stderr)
        return 2
    try:
        env, warnings = render(doc)
    except RenderError as e:
        print("sahara_render: %s: %s" % (a.description, e), file=sys.stderr)
        return 2
    for w in warnings:
        print("sahara_render: warning: %s" % w, file=sys.stderr)
    text = to_yaml(env, a.description)
    if a.output:
        with open(a.output, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
