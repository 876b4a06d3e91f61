"""A real OpenStack Heat (Debian's python3-heat) on 127.0.0.1, for the `heat` tests.

Heat's single-process configuration, as TripleO's "ephemeral Heat" ran it: `heat-all` with the
API and the engine in one process, SQLite, in-process messaging (transport_url = fake://), the
noauth paste pipeline (every request is the project `admin`) with a fake Keystone token whose
catalog names this API as the orchestration endpoint (wait condition handles build their
signal URL from it), and Heat's FakeKeystoneClient (tests/heat/td_fake_keystone.py: with
distinct user IDs). Nothing else (Nova, Neutron, Keystone,
RabbitMQ) exists: templates map their server, key pair and security group alias types to
stand-in templates (tests/heat/env-test.yaml).

Run with /usr/bin/python3 (Debian's modules are not on other interpreters' paths).
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

API_PASTE = """\
[pipeline:heat-api-noauth]
pipeline = faultwrap noauth context versionnegotiation apiv1app
[app:apiv1app]
paste.app_factory = heat.common.wsgi:app_factory
heat.app_factory = heat.api.openstack.v1:API
[filter:noauth]
paste.filter_factory = heat.common.noauth:filter_factory
[filter:context]
paste.filter_factory = heat.common.context:ContextMiddleware_filter_factory
[filter:versionnegotiation]
paste.filter_factory = heat.common.wsgi:filter_factory
heat.filter_factory = heat.api.openstack:version_negotiation_filter
[filter:faultwrap]
paste.filter_factory = heat.common.wsgi:filter_factory
heat.filter_factory = heat.api.openstack:faultwrap_filter
"""

SKIP = 77  # ctest SKIP_RETURN_CODE


def skip_unless_available():
    """Exits 77 with the reason when Heat or its client cannot be imported."""
    try:
        import heat.cmd.all  # noqa: F401
        import heatclient.client  # noqa: F401
    except ImportError as e:
        print("SKIP: Debian's python3-heat / python3-heatclient are not installed "
              "(scripts/install-deps.sh installs them): %s" % e)
        sys.exit(SKIP)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LocalHeat:
    """heat-all on 127.0.0.1:port with its state in a temporary directory; a context manager."""

    def __init__(self, ready_timeout=180):
        self.dir = tempfile.mkdtemp(prefix="td-heat.")
        self.port = free_port()
        self.url = "http://127.0.0.1:%d/v1/admin" % self.port
        self.ready_timeout = ready_timeout
        self.proc = None

    def _write_config(self):
        d, url = self.dir, self.url
        with open(os.path.join(d, "api-paste.ini"), "w") as f:
            f.write(API_PASTE)
        endpoint = lambda i: {"interface": i, "region": "regionOne", "region_id": "regionOne",
                              "id": "heat-" + i, "url": url}
        token = {"token": {
            "methods": ["token"], "expires_at": "2200-01-01T00:00:00.000000Z",
            "project": {"id": "admin", "name": "admin",
                        "domain": {"id": "default", "name": "Default"}},
            "user": {"id": "admin", "name": "admin",
                     "domain": {"id": "default", "name": "Default"}},
            "roles": [{"id": "admin", "name": "admin"}],
            "catalog": [{"type": "orchestration", "name": "heat", "id": "heat",
                         "endpoints": [endpoint("public"), endpoint("internal")]}]}}
        with open(os.path.join(d, "token.json"), "w") as f:
            json.dump(token, f)
        with open(os.path.join(d, "heat.conf"), "w") as f:
            f.write("""\
[DEFAULT]
transport_url = fake://
keystone_backend = td_fake_keystone.FakeKeystoneClient
num_engine_workers = 1
# stored stack contexts carry the (noauth) user itself, not a Keystone trust: updates work
deferred_auth_method = password
region_name_for_services = regionOne
log_file = {d}/heat.log
[heat_all]
enabled_services = api,engine
[heat_api]
bind_host = 127.0.0.1
bind_port = {port}
workers = 1
[database]
connection = sqlite:///{d}/heat.sqlite
[paste_deploy]
flavor = noauth
api_paste_config = {d}/api-paste.ini
[noauth]
token_response = {d}/token.json
[clients_heat]
url = http://127.0.0.1:{port}/v1/%(tenant_id)s
""".format(d=d, port=self.port))

    def _heat(self, module, *args, **kw):
        code = ("import sys; from heat.cmd.%s import main; sys.argv = ['heat'] + sys.argv[1:]; "
                "main()" % module)
        return [sys.executable, "-c", code, "--config-file", os.path.join(self.dir, "heat.conf")
                ] + list(args)

    def __enter__(self):
        self._write_config()
        subprocess.run(self._heat("manage", "db_sync"), check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        self.out = open(os.path.join(self.dir, "heat-all.out"), "w")
        env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.abspath(__file__)))
        self.proc = subprocess.Popen(self._heat("all"), stdout=self.out, stderr=subprocess.STDOUT,
                                     start_new_session=True, env=env)
        t0 = time.time()
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("heat-all exited with %s:\n%s" % (self.proc.returncode,
                                                                    self.log_tail()))
            try:
                urllib.request.urlopen("http://127.0.0.1:%d/" % self.port, timeout=2)
            except urllib.error.HTTPError:
                break  # 300 Multiple Choices: the version list, the API is up
            except OSError:
                if time.time() - t0 > self.ready_timeout:
                    raise RuntimeError("heat-all did not answer within %d s:\n%s"
                                       % (self.ready_timeout, self.log_tail()))
                time.sleep(0.3)
                continue
            break
        print("local Heat on %s (started in %.1f s)" % (self.url, time.time() - t0))
        return self

    def client(self):
        from heatclient import client as heat_client
        return heat_client.Client("1", endpoint=self.url, token="noauth")

    def log_text(self):
        """Everything Heat logged so far (heat.log and its stdout/stderr)."""
        return "".join(open(os.path.join(self.dir, n), errors="replace").read()
                       for n in ("heat-all.out", "heat.log")
                       if os.path.exists(os.path.join(self.dir, n)))

    def log_tail(self, n=40):
        text = ""
        for name in ("heat-all.out", "heat.log"):
            p = os.path.join(self.dir, name)
            if os.path.exists(p):
                text += "".join(open(p, errors="replace").readlines()[-n:])
        return text

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=3)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        if exc[0] is not None and os.environ.get("TD_HEAT_KEEP") is None:
            print("---- Heat's log (tail) ----\n" + self.log_tail())
        if os.environ.get("TD_HEAT_KEEP"):
            print("kept " + self.dir)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)
        return False


def stack_inputs(heat_dir, env_file, template="thunderdome-cluster.yaml"):
    """The template, files and environment heatclient sends for `-t TEMPLATE -e ENV_FILE`."""
    from heatclient.common import template_utils
    tpl_files, tpl = template_utils.get_template_contents(
        template_file=os.path.join(heat_dir, template))
    env_files, env = template_utils.process_multiple_environments_and_files(env_paths=[env_file])
    files = dict(tpl_files)
    files.update(env_files)
    return tpl, files, env


def wait_status(client, stack_id, timeout, done=lambda s: not s.endswith("IN_PROGRESS")):
    t0 = time.time()
    while True:
        st = client.stacks.get(stack_id)
        if done(st.stack_status):
            return st
        if time.time() - t0 > timeout:
            raise AssertionError("stack %s still %s after %d s: %s" % (
                stack_id, st.stack_status, timeout, st.stack_status_reason))
        time.sleep(0.5)
