#!/usr/bin/python3
"""Helper for scripts/swift/swift-test-server.sh (run it with /usr/bin/python3).

Subcommands:
  free-ports BASE N [TAKEN...]    print N free 127.0.0.1 TCP ports, scanning upward from BASE
  port-free PORT                  exit 0 if PORT can be bound on 127.0.0.1
  rings SWIFT_DIR ACC CONT OBJ    build 1-replica account/container/object rings (device d1)
  fernet-keys DIR...              create fernet key repositories (keys 0 and 1) like
                                  `keystone-manage fernet_setup`, without the 2.5 s import
  serve-swift KIND CONF SWIFT_DIR run a Swift WSGI server (KIND: proxy|account|container|object)
                                  with swift.conf read from SWIFT_DIR, not /etc/swift
  spawn-swift SWIFT_DIR RUN_DIR LOG_DIR NAME:KIND:CONF...
                                  import Swift once, fork one server per NAME (stdio to
                                  LOG_DIR/NAME.log, "PID STARTTIME" to RUN_DIR/NAME.pid), exit
  serve-keystone CONF HOST PORT   run Keystone's public WSGI app in a threaded wsgiref server
  sqlite-wal DB                   switch a sqlite database to WAL journal mode
  sqlite-copy SRC DST             copy a sqlite database (consistent, rollback-journal mode)
  ks-fix-endpoints DB IDENTITY_URL SWIFT_URL_TEMPLATE
                                  rewrite the identity and object-store endpoint URLs in a
                                  copy of a cached Keystone database; switch it to WAL
  ks-setup URL ADMIN_PW SWIFT_URL_TEMPLATE JSON_SPEC
                                  point the identity endpoints at URL, create the test
                                  project/user, the swift service user, the object-store
                                  endpoints and an application credential; print shell
                                  assignments KS_PROJECT_ID= KS_USER_ID= KS_APP_CRED_ID=
                                  KS_APP_CRED_SECRET=
"""
import base64
import json
import os
import socket
import sys
import urllib.error
import urllib.request


def port_free(port):
    # SO_REUSEADDR like the servers themselves: a port with only TIME_WAIT connections left
    # (a server just stopped) is free for them; one with a listener is not.
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind(('127.0.0.1', port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def cmd_free_ports(args):
    base, n = int(args[0]), int(args[1])
    taken = {int(p) for p in args[2:] if p}
    out = []
    port = base
    while len(out) < n:
        if port > 65535:
            sys.exit('no free ports above %d' % base)
        if port not in taken and port_free(port):
            out.append(port)
        port += 1
    print(' '.join(map(str, out)))


def cmd_port_free(args):
    sys.exit(0 if port_free(int(args[0])) else 1)


def cmd_rings(args):
    from swift.common.ring import RingBuilder
    swift_dir = args[0]
    for name, port in zip(('account', 'container', 'object'), args[1:4]):
        builder = RingBuilder(10, 1, 0)  # part power 10, 1 replica, min_part_hours 0
        builder.add_dev({'id': 0, 'region': 1, 'zone': 1, 'ip': '127.0.0.1',
                         'port': int(port), 'device': 'd1', 'weight': 100,
                         'meta': ''})
        builder.rebalance()
        builder.save(os.path.join(swift_dir, name + '.builder'))
        builder.get_ring().save(os.path.join(swift_dir, name + '.ring.gz'))


def cmd_fernet_keys(args):
    for repo in args:
        os.makedirs(repo, mode=0o700, exist_ok=True)
        for idx in ('0', '1'):
            path = os.path.join(repo, idx)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, 'wb') as f:
                f.write(base64.urlsafe_b64encode(os.urandom(32)))


def cmd_sqlite_wal(args):
    # WAL: Keystone leaves a read transaction open now and then, which in the default
    # rollback-journal mode makes later writes fail with "database is locked".
    import sqlite3
    conn = sqlite3.connect(args[0])
    mode = conn.execute('PRAGMA journal_mode=WAL').fetchone()[0]
    conn.close()
    if mode != 'wal':
        sys.exit('could not switch %s to WAL (%s)' % (args[0], mode))


def cmd_ks_fix_endpoints(args):
    """Point the endpoints of a cached Keystone database at this run's ports; WAL mode."""
    import sqlite3
    db, identity_url, swift_url = args
    conn = sqlite3.connect(db)
    if conn.execute('PRAGMA journal_mode=WAL').fetchone()[0] != 'wal':
        sys.exit('could not switch %s to WAL' % db)
    for stype, url in (('identity', identity_url), ('object-store', swift_url)):
        cur = conn.execute('UPDATE endpoint SET url = ? WHERE service_id IN '
                           '(SELECT id FROM service WHERE type = ?)', (url, stype))
        if cur.rowcount != 3:
            sys.exit('%s: expected 3 %s endpoints, found %d' % (db, stype, cur.rowcount))
    conn.commit()
    conn.close()


def cmd_sqlite_copy(args):
    import sqlite3
    src = sqlite3.connect(args[0])
    dst = sqlite3.connect(args[1])
    src.backup(dst)
    dst.execute('PRAGMA journal_mode=DELETE')
    dst.close()
    src.close()


def use_swift_dir(swift_dir):
    # Swift reads swift.conf from a hard-coded /etc/swift/swift.conf. Point it at our own
    # directory before anything imports swift.common.constraints (several modules copy
    # constraint values at import time), then reload policies and constraints anyway.
    from swift.common import utils
    utils.set_swift_dir(swift_dir)
    from swift.common import constraints, storage_policy
    constraints.reload_constraints()
    constraints.MAX_HEADER_COUNT = (constraints.MAX_META_COUNT + 36 +
                                    max(constraints.EXTRA_HEADER_COUNT, 0))
    storage_policy.reload_storage_policies()


def run_swift_server(kind, conf_path):
    from swift.common.wsgi import run_wsgi
    kwargs = {}
    if kind == 'object':
        from swift.obj import server as object_server
        kwargs['global_conf_callback'] = object_server.global_conf_callback
    return run_wsgi(conf_path, kind + '-server', verbose=True, **kwargs)


def cmd_serve_swift(args):
    kind, conf_path, swift_dir = args
    use_swift_dir(swift_dir)
    sys.exit(run_swift_server(kind, conf_path))


def proc_starttime(pid):
    with open('/proc/%d/stat' % pid) as f:
        return f.read().rsplit(')', 1)[1].split()[19]


def cmd_spawn_swift(args):
    """Import Swift once, then fork one process per server (saves ~0.6 s CPU per server)."""
    swift_dir, run_dir, log_dir = args[:3]
    specs = [a.split(':', 2) for a in args[3:]]  # NAME:KIND:CONF
    use_swift_dir(swift_dir)
    # Patch as run_wsgi() does before it loads the app, so that what is imported here is
    # imported as it would be there (Swift itself forks its workers after this point too).
    from swift.common import utils
    utils.eventlet_monkey_patch()
    import importlib
    for mod in ('swift.common.wsgi', 'swift.proxy.server', 'swift.account.server',
                'swift.container.server', 'swift.obj.server'):
        importlib.import_module(mod)
    for mw in ('catch_errors', 'gatekeeper', 'healthcheck', 'proxy_logging', 'memcache',
               'listing_formats', 'tempauth', 'copy', 'slo', 'dlo', 'keystoneauth',
               'versioned_writes'):
        importlib.import_module('swift.common.middleware.' + mw)
    if any('ks-proxy' in spec[0] for spec in specs):
        importlib.import_module('keystonemiddleware.auth_token')
    sys.stdout.flush()
    sys.stderr.flush()
    for name, kind, conf in specs:
        pid = os.fork()
        if pid == 0:
            rc = 1
            try:
                log_fd = os.open(os.path.join(log_dir, name + '.log'),
                                 os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
                null_fd = os.open(os.devnull, os.O_RDONLY)
                os.dup2(null_fd, 0)
                os.dup2(log_fd, 1)
                os.dup2(log_fd, 2)
                os.close(log_fd)
                os.close(null_fd)
                rc = run_swift_server(kind, conf)
            except SystemExit as e:
                rc = e.code if isinstance(e.code, int) else 1
            except BaseException:
                import traceback
                traceback.print_exc()
            finally:
                try:
                    sys.stdout.flush()
                    sys.stderr.flush()
                finally:
                    os._exit(rc or 0)
        try:
            st = proc_starttime(pid)
        except OSError:
            st = 'gone'
        tmp = os.path.join(run_dir, name + '.pid.tmp')
        with open(tmp, 'w') as f:
            f.write('%d %s\n' % (pid, st))
        os.rename(tmp, os.path.join(run_dir, name + '.pid'))


def cmd_serve_keystone(args):
    conf, host, port = args[0], args[1], int(args[2])
    os.environ['OS_KEYSTONE_CONFIG_FILES'] = conf
    sys.argv[1:] = []
    import concurrent.futures
    import socketserver
    import wsgiref.simple_server as wss
    from keystone.server.wsgi import initialize_public_application

    class Server(socketserver.ThreadingMixIn, wss.WSGIServer):
        daemon_threads = True
        allow_reuse_address = True

        def server_bind(self):
            # HTTPServer.server_bind() does a reverse DNS lookup; skip it.
            socketserver.TCPServer.server_bind(self)
            self.server_name = host
            self.server_port = port
            self.setup_environ()

    class Handler(wss.WSGIRequestHandler):
        def address_string(self):
            return self.client_address[0]

    keystone_app = initialize_public_application()
    # Connections are accepted and read by a thread each (an idle client cannot block the
    # others), but Keystone itself always runs on one and the same thread, one request at a
    # time: with sqlite it leaks locks across threads ("database is locked").
    keystone_thread = concurrent.futures.ThreadPoolExecutor(max_workers=1)

    def call_keystone(environ, start_response):
        result = keystone_app(environ, start_response)
        try:
            return b''.join(result)
        finally:
            if hasattr(result, 'close'):
                result.close()

    def app(environ, start_response):
        return [keystone_thread.submit(call_keystone, environ, start_response).result()]

    server = wss.make_server(host, port, app, server_class=Server, handler_class=Handler)
    print('keystone listening on http://%s:%d/' % (host, port), flush=True)
    server.serve_forever()


class KS(object):
    def __init__(self, url):
        self.url = url.rstrip('/')

    def call(self, method, path, body=None, token=None, expect=(200, 201, 204)):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method)
        req.add_header('Content-Type', 'application/json')
        req.add_header('Accept', 'application/json')
        if token:
            req.add_header('X-Auth-Token', token)
        try:
            with urllib.request.urlopen(req, timeout=300) as resp:  # a loaded machine is slow, not down
                status, headers, raw = resp.status, resp.headers, resp.read()
        except urllib.error.HTTPError as e:
            status, headers, raw = e.code, e.headers, e.read()
        if status not in expect:
            sys.exit('keystone %s %s -> %d %s' % (method, path, status,
                                                  raw[:500].decode('utf-8', 'replace')))
        return headers, (json.loads(raw) if raw else None)

    def token(self, user, password, project, domain='Default'):
        body = {'auth': {
            'identity': {'methods': ['password'], 'password': {'user': {
                'name': user, 'password': password, 'domain': {'name': domain}}}},
            'scope': {'project': {'name': project, 'domain': {'name': domain}}}}}
        headers, data = self.call('POST', '/v3/auth/tokens', body)
        return headers['X-Subject-Token'], data['token']


def cmd_ks_setup(args):
    url, admin_pw, swift_url_template, spec_json = args
    spec = json.loads(spec_json)
    ks = KS(url)
    admin, _ = ks.token('admin', admin_pw, 'admin')

    def find_or_create(kind, plural, name, body):
        _, data = ks.call('GET', '/v3/%s?name=%s' % (plural, name), token=admin)
        if data[plural]:
            return data[plural][0]['id']
        _, data = ks.call('POST', '/v3/' + plural, {kind: body}, token=admin)
        return data[kind]['id']

    # The database may come from a cache made when Keystone listened on another port.
    identity_url = ks.url + '/v3'
    _, data = ks.call('GET', '/v3/services?type=identity', token=admin)
    for svc in data['services']:
        _, eps = ks.call('GET', '/v3/endpoints?service_id=' + svc['id'], token=admin)
        for ep in eps['endpoints']:
            if ep['url'] != identity_url:
                ks.call('PATCH', '/v3/endpoints/' + ep['id'],
                        {'endpoint': {'url': identity_url}}, token=admin)

    roles = {}
    for r in ('member', 'admin', 'reader', 'service'):
        roles[r] = find_or_create('role', 'roles', r, {'name': r})

    def grant(project_id, user_id, role):
        ks.call('PUT', '/v3/projects/%s/users/%s/roles/%s' % (project_id, user_id, roles[role]),
                token=admin)

    project_id = find_or_create('project', 'projects', spec['project'],
                                {'name': spec['project'], 'domain_id': 'default',
                                 'description': 'thunderdome swift tests'})
    user_id = find_or_create('user', 'users', spec['user'],
                             {'name': spec['user'], 'domain_id': 'default',
                              'password': spec['password'],
                              'default_project_id': project_id})
    grant(project_id, user_id, 'member')

    service_project_id = find_or_create('project', 'projects', 'service',
                                        {'name': 'service', 'domain_id': 'default'})
    swift_user_id = find_or_create('user', 'users', spec['service_user'],
                                   {'name': spec['service_user'], 'domain_id': 'default',
                                    'password': spec['service_password']})
    grant(service_project_id, swift_user_id, 'service')
    grant(service_project_id, swift_user_id, 'admin')

    service_id = find_or_create('service', 'services', 'swift',
                                {'name': 'swift', 'type': 'object-store',
                                 'description': 'Swift (thunderdome test proxy)'})
    for iface in ('public', 'internal', 'admin'):
        ks.call('POST', '/v3/endpoints', {'endpoint': {
            'service_id': service_id, 'interface': iface, 'region_id': 'RegionOne',
            'url': swift_url_template, 'enabled': True}}, token=admin)

    user_token, _ = ks.token(spec['user'], spec['password'], spec['project'])
    _, data = ks.call('POST', '/v3/users/%s/application_credentials' % user_id,
                      {'application_credential': {'name': 'td-swift-tests',
                                                  'description': 'thunderdome tests'}},
                      token=user_token)
    cred = data['application_credential']
    import shlex
    for k, v in (('KS_PROJECT_ID', project_id), ('KS_USER_ID', user_id),
                 ('KS_APP_CRED_ID', cred['id']), ('KS_APP_CRED_SECRET', cred['secret'])):
        print('%s=%s' % (k, shlex.quote(v)))


COMMANDS = {
    'free-ports': cmd_free_ports,
    'port-free': cmd_port_free,
    'rings': cmd_rings,
    'fernet-keys': cmd_fernet_keys,
    'sqlite-wal': cmd_sqlite_wal,
    'sqlite-copy': cmd_sqlite_copy,
    'ks-fix-endpoints': cmd_ks_fix_endpoints,
    'serve-swift': cmd_serve_swift,
    'spawn-swift': cmd_spawn_swift,
    'serve-keystone': cmd_serve_keystone,
    'ks-setup': cmd_ks_setup,
}

if __name__ == '__main__':
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit(__doc__)
    COMMANDS[sys.argv[1]](sys.argv[2:])
