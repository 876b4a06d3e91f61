#!/usr/bin/env bash
# Starts/stops a throw-away OpenStack Swift (and optionally Keystone) on 127.0.0.1 for the
# Swift client tests. Debian 12 packages: python3-swift memcached curl, and for --keystone
# python3-keystone python3-keystonemiddleware (see scripts/install-deps.sh).
#
#   swift-test-server.sh start [--keystone]   fresh state dir, start everything, write env.sh
#   swift-test-server.sh stop                 stop everything (by recorded PID); idempotent
#   swift-test-server.sh stop-object          stop only the object server (SIGKILL)
#   swift-test-server.sh start-object         restart the object server, wait until healthy
#   swift-test-server.sh stop-proxy           stop the (tempauth) proxy (SIGTERM, as a restart)
#   swift-test-server.sh start-proxy          start it again, wait until healthy
#   swift-test-server.sh status               show what runs; exit 0 only if all of it runs
#
# State lives in TD_SWIFT_DIR (default /tmp/td-swift): configs, rings, data, logs (log/),
# PIDs (run/) and env.sh, which tests source:
#   TD_SWIFT_PROXY_URL ST_AUTH ST_USER ST_KEY TD_SWIFT_STORAGE_URL TD_SWIFT_USER2 TD_SWIFT_KEY2 ...
#   and with --keystone OS_AUTH_URL OS_USERNAME OS_PASSWORD OS_PROJECT_NAME ... TD_KS_SWIFT_URL
#   TD_KS_APP_CRED_ID TD_KS_APP_CRED_SECRET.
# Ports: each of TD_SWIFT_PROXY_PORT TD_SWIFT_ACCOUNT_PORT TD_SWIFT_CONTAINER_PORT
# TD_SWIFT_OBJECT_PORT TD_SWIFT_MEMCACHED_PORT TD_KS_PORT TD_KS_SWIFT_PORT may be set; the
# rest are the first free ports from TD_SWIFT_PORT_BASE (default 38080) upward.
# Constraints: TD_SWIFT_MAX_FILE_SIZE (default 2097152), TD_SWIFT_CONTAINER_LISTING_LIMIT
# (default 3), TD_SWIFT_ACCOUNT_LISTING_LIMIT (default 10000).
# Start-up waits on readiness: it polls until every server answers its health check and fails at
# once when a server exits; TD_SWIFT_START_TIMEOUT (default 600 s per phase) is only an outer
# bound, so a slow, loaded machine waits longer instead of failing.
# Keystone's set-up result is cached in TD_SWIFT_CACHE_DIR (default /tmp/td-swift-cache);
# TD_SWIFT_NO_CACHE=1 ignores the cache. Accounts: tempauth test:tester/testing (.admin of
# AUTH_test), test2:tester2/testing2 (no .admin: 403 without ACLs); Keystone admin/tdadmin,
# tduser/tdpass (member of project tdtest), service user swift/tdswift-service.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PY=/usr/bin/python3
HELPER="$HERE/swift_test_helper.py"
D="$(realpath -m "${TD_SWIFT_DIR:-/tmp/td-swift}")"
MARKER="$D/.td-swift-state"
# Loopback only: never send these requests through an HTTP proxy from the environment.
export no_proxy="127.0.0.1,localhost${no_proxy:+,$no_proxy}" NO_PROXY="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}"

# eventlet's green DNS (dnspython) costs ~0.1 s of CPU per server at start and is not needed
# for 127.0.0.1.
export EVENTLET_NO_GREENDNS=yes

log() { echo "swift-test-server: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
now_ms() { date +%s%3N; }

# ---------------------------------------------------------------- process records
# run/NAME.pid holds "PID STARTTIME" (STARTTIME from /proc/PID/stat guards against PID reuse).
# No subshells or external commands here: wait_healthy polls these several times a second
# while the servers start, on a machine with 2 cores.
proc_starttime() {  # PID -> STARTTIME (not for zombies); sets STARTTIME
  local stat fields
  STARTTIME=""
  read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
  stat="${stat##*) }"
  read -r -a fields <<<"$stat"
  [ "${fields[0]}" != Z ] && [ "${fields[0]}" != X ] || return 1  # zombie: not reaped yet
  STARTTIME="${fields[19]}"
}

record_pid() {  # NAME PID
  proc_starttime "$2" || STARTTIME=gone
  echo "$2 $STARTTIME" >"$D/run/$1.pid"
}

running() {  # NAME: true if NAME runs; sets RUN_PID
  local f="$D/run/$1.pid" st
  RUN_PID=""
  [ -r "$f" ] || return 1
  read -r RUN_PID st <"$f" || return 1
  proc_starttime "$RUN_PID" && [ "$STARTTIME" = "$st" ]
}

stop_proc() {  # NAME [SIGNAL]
  local name="$1" sig="${2:-TERM}" pid i
  if running "$name"; then
    pid="$RUN_PID"
    kill "-$sig" "$pid" 2>/dev/null || true
    for i in $(seq 1 100); do
      running "$name" || break
      if [ "$i" = 50 ]; then kill -KILL "$pid" 2>/dev/null || true; fi
      sleep 0.1
    done
    if running "$name"; then log "could not stop $name (PID $pid)"; return 1; fi
    log "stopped $name (PID $pid)"
  fi
  rm -f "$D/run/$name.pid"
}

# start_proc NAME CMD...: start in the background, stdio to log/NAME.log
start_proc() {
  local name="$1"; shift
  "$@" </dev/null >>"$D/log/$name.log" 2>&1 &
  record_pid "$name" $!
}

ALL_NAMES=(ks-proxy keystone proxy object container account memcached)

stop_all() {
  local n rc=0
  [ -d "$D/run" ] || return 0
  for n in "${ALL_NAMES[@]}"; do stop_proc "$n" || rc=1; done
  # keystone-manage (a subshell and its child) may still run if start failed early
  if running ks-manage; then
    pkill -KILL -P "$RUN_PID" 2>/dev/null || true
    stop_proc ks-manage KILL || rc=1
  fi
  rm -f "$D/run/ks-manage.pid"
  return $rc
}

http_code() { curl --noproxy '*' -s -o /dev/null -w '%{http_code}' --max-time 2 "$1" 2>/dev/null || true; }

memcached_ok() {
  local line
  { exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
  printf 'version\r\n' >&3
  read -r -t 2 line <&3 || true
  exec 3<&- 3>&-
  [[ "$line" == VERSION* ]]
}

is_listening() {  # PORT: true if something listens on 127.0.0.1:PORT or *:PORT (no forks)
  local hex line
  printf -v hex '%04X' "$1"
  while read -r line; do
    [[ "$line" =~ ^[0-9]+:\ (0100007F|00000000):$hex\ 00000000:0000\ 0A ]] && return 0
  done </proc/net/tcp
  return 1
}

# wait_healthy DEADLINE_S NAME URL [NAME URL ...]; URL "memcached:PORT" for memcached.
# Polls cheaply (no processes) until a server listens, then asks its /healthcheck.
wait_healthy() {
  local deadline=$((SECONDS + $1)); shift
  local -a pending=("$@") next
  local i name url port
  while [ ${#pending[@]} -gt 0 ]; do
    next=()
    for ((i = 0; i < ${#pending[@]}; i += 2)); do
      name="${pending[i]}"; url="${pending[i+1]}"
      if ! running "$name"; then
        log "$name exited during start-up; last lines of $D/log/$name.log:"
        tail -n 20 "$D/log/$name.log" >&2 || true
        return 1
      fi
      if [[ "$url" == memcached:* ]]; then
        port="${url#memcached:}"
        is_listening "$port" && memcached_ok "$port" && continue
      else
        port="${url#http://127.0.0.1:}"; port="${port%%/*}"
        is_listening "$port" && [ "$(http_code "$url")" = 200 ] && continue
      fi
      next+=("$name" "$url")
    done
    pending=("${next[@]+"${next[@]}"}")
    [ ${#pending[@]} -eq 0 ] && break
    if [ "$SECONDS" -ge "$deadline" ]; then
      for ((i = 0; i < ${#pending[@]}; i += 2)); do
        log "${pending[i]} not healthy at ${pending[i+1]} in time; last lines of $D/log/${pending[i]}.log:"
        tail -n 20 "$D/log/${pending[i]}.log" >&2 || true
      done
      return 1
    fi
    sleep 0.25
  done
}

load_state() {
  [ -r "$D/state.env" ] || die "no server state in $D (run: $0 start)"
  # shellcheck disable=SC1091
  . "$D/state.env"
}

# ---------------------------------------------------------------- configuration writers
write_swift_conf() {
  local prefix suffix
  prefix="$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  suffix="$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  cat >"$D/etc/swift.conf" <<EOF
[swift-hash]
swift_hash_path_prefix = $prefix
swift_hash_path_suffix = $suffix

[storage-policy:0]
name = gold
default = yes

[swift-constraints]
max_file_size = ${TD_SWIFT_MAX_FILE_SIZE:-2097152}
container_listing_limit = ${TD_SWIFT_CONTAINER_LISTING_LIMIT:-3}
account_listing_limit = ${TD_SWIFT_ACCOUNT_LISTING_LIMIT:-10000}
EOF
}

server_default_section() {  # PORT LOGNAME
  cat <<EOF
[DEFAULT]
bind_ip = 127.0.0.1
bind_port = $1
workers = 0
user = $(id -un)
swift_dir = $D/etc
devices = $D/srv
mount_check = false
log_name = $2
log_level = INFO
EOF
}

write_storage_conf() {  # KIND PORT
  {
    server_default_section "$2" "$1-server"
    cat <<EOF

[pipeline:main]
pipeline = healthcheck $1-server

[app:$1-server]
use = egg:swift#$1

[filter:healthcheck]
use = egg:swift#healthcheck
EOF
  } >"$D/etc/$1-server.conf"
}

write_proxy_conf() {  # FILE PORT AUTH(tempauth|keystone)
  local file="$1" port="$2" auth="$3" authfilters
  if [ "$auth" = tempauth ]; then authfilters="tempauth"; else authfilters="authtoken keystoneauth"; fi
  {
    server_default_section "$port" "${auth}-proxy-server"
    cat <<EOF

[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats $authfilters copy slo dlo versioned_writes proxy-logging proxy-server

[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true
allow_account_management = true
# never error-limit the single object server: a test stops and restarts it and expects
# the next request to reach it again at once
error_suppression_interval = 0
conn_timeout = 1
node_timeout = 10

[filter:catch_errors]
use = egg:swift#catch_errors

[filter:gatekeeper]
use = egg:swift#gatekeeper

[filter:healthcheck]
use = egg:swift#healthcheck

[filter:proxy-logging]
use = egg:swift#proxy_logging

[filter:cache]
use = egg:swift#memcache
memcache_servers = 127.0.0.1:$MEMCACHED_PORT

[filter:listing_formats]
use = egg:swift#listing_formats

[filter:copy]
use = egg:swift#copy

[filter:slo]
use = egg:swift#slo

[filter:dlo]
use = egg:swift#dlo

[filter:versioned_writes]
use = egg:swift#versioned_writes
allow_versioned_writes = true
EOF
    if [ "$auth" = tempauth ]; then
      cat <<EOF

[filter:tempauth]
use = egg:swift#tempauth
user_test_tester = testing .admin http://127.0.0.1:$PROXY_PORT/v1/AUTH_test
user_test2_tester2 = testing2 http://127.0.0.1:$PROXY_PORT/v1/AUTH_test2
EOF
    else
      cat <<EOF

[filter:authtoken]
paste.filter_factory = keystonemiddleware.auth_token:filter_factory
www_authenticate_uri = http://127.0.0.1:$KS_PORT/v3
auth_url = http://127.0.0.1:$KS_PORT/v3
auth_type = password
username = $KS_SERVICE_USER
password = $KS_SERVICE_PASSWORD
project_name = service
user_domain_name = Default
project_domain_name = Default
region_name = RegionOne
delay_auth_decision = True
memcached_servers = 127.0.0.1:$MEMCACHED_PORT
include_service_catalog = False
http_connect_timeout = 5
http_request_max_retries = 1

[filter:keystoneauth]
use = egg:swift#keystoneauth
operator_roles = admin, member
reseller_prefix = AUTH_
EOF
    fi
  } >"$file"
}

write_keystone_conf() {
  cat >"$D/keystone/keystone.conf" <<EOF
[DEFAULT]
debug = false
use_stderr = true

[database]
connection = sqlite:///$D/keystone/keystone.db

[token]
provider = fernet
expiration = 86400

[fernet_tokens]
key_repository = $D/keystone/fernet-keys

[fernet_receipts]
key_repository = $D/keystone/fernet-receipts

[credential]
key_repository = $D/keystone/credential-keys

[identity]
# bcrypt cost 4 instead of 12: every password/app-credential auth hashes once
password_hash_rounds = 4
EOF
}

# ---------------------------------------------------------------- start
# Bump when the Keystone set-up changes (invalidates cached databases).
KS_TEMPLATE_VERSION=v2

START_OK=0
on_start_exit() {
  if [ "$START_OK" != 1 ]; then
    log "start failed; stopping what was started (logs stay in $D/log)"
    stop_all || true
  fi
}

pick_ports() {  # sets the *_PORT variables
  local -a names=(PROXY ACCOUNT CONTAINER OBJECT MEMCACHED) envs=(TD_SWIFT_PROXY_PORT \
    TD_SWIFT_ACCOUNT_PORT TD_SWIFT_CONTAINER_PORT TD_SWIFT_OBJECT_PORT TD_SWIFT_MEMCACHED_PORT)
  if [ "$KEYSTONE" = 1 ]; then names+=(KS KS_SWIFT); envs+=(TD_KS_PORT TD_KS_SWIFT_PORT); fi
  local i v taken=() need=0 free=()
  for i in "${!names[@]}"; do
    v="${!envs[i]:-}"
    if [ -n "$v" ]; then
      [[ "$v" =~ ^[0-9]+$ ]] || die "${envs[i]}=$v is not a port number"
      "$PY" "$HELPER" port-free "$v" || die "${envs[i]}=$v: port 127.0.0.1:$v is in use"
      taken+=("$v")
    else
      need=$((need + 1))
    fi
  done
  if [ "$need" -gt 0 ]; then
    read -r -a free <<<"$("$PY" "$HELPER" free-ports "${TD_SWIFT_PORT_BASE:-38080}" "$need" \
      "${taken[@]+"${taken[@]}"}")" || die "could not find free ports"
  fi
  local k=0
  for i in "${!names[@]}"; do
    v="${!envs[i]:-}"
    if [ -z "$v" ]; then v="${free[k]}"; k=$((k + 1)); fi
    printf -v "${names[i]}_PORT" '%s' "$v"
  done
}

q() { printf '%q' "$1"; }

have_py_modules() {  # finds, does not import (that costs CPU)
  "$PY" -c 'import importlib.util as u, sys; sys.exit(not all(u.find_spec(m) for m in sys.argv[1:]))' "$@" 2>/dev/null
}

cmd_start() {
  KEYSTONE=0
  while [ $# -gt 0 ]; do
    case "$1" in
      --keystone) KEYSTONE=1 ;;
      *) die "start: unknown option $1" ;;
    esac
    shift
  done
  command -v curl >/dev/null || die "curl is not installed (scripts/install-deps.sh)"
  command -v memcached >/dev/null || die "memcached is not installed (scripts/install-deps.sh)"
  have_py_modules swift || die "python3-swift is not installed (scripts/install-deps.sh)"
  if [ "$KEYSTONE" = 1 ]; then
    have_py_modules keystone keystonemiddleware \
      || die "python3-keystone / python3-keystonemiddleware are not installed (scripts/install-deps.sh)"
    command -v keystone-manage >/dev/null || die "keystone-manage not found (python3-keystone)"
  fi

  local t0; t0="$(now_ms)"
  if [ -e "$D" ]; then
    if [ -n "$(ls -A "$D" 2>/dev/null)" ] && [ ! -e "$MARKER" ]; then
      die "$D exists, is not empty and was not made by this script; set TD_SWIFT_DIR"
    fi
    if [ -d "$D/run" ]; then stop_all || die "could not stop the previous instance in $D"; fi
    rm -rf "$D"
  fi
  mkdir -p "$D"/{etc,run,log,srv/d1,keystone}
  touch "$MARKER"
  START_OK=0
  trap on_start_exit EXIT

  pick_ports
  KS_ADMIN_PASSWORD=tdadmin  # fixed: it is in the cached Keystone database
  KS_SERVICE_USER=swift
  KS_SERVICE_PASSWORD=tdswift-service  # fixed: it is in the cached Keystone database
  KS_PROJECT=tdtest KS_USER=tduser KS_PASSWORD=tdpass

  write_swift_conf
  for k in account container object; do
    v="${k^^}_PORT"; write_storage_conf "$k" "${!v}"
  done
  write_proxy_conf "$D/etc/proxy-server.conf" "$PROXY_PORT" tempauth
  "$PY" "$HELPER" rings "$D/etc" "$ACCOUNT_PORT" "$CONTAINER_PORT" "$OBJECT_PORT" \
    >"$D/log/rings.log" 2>&1 || { cat "$D/log/rings.log" >&2; die "building rings failed"; }

  {
    echo "KEYSTONE=$KEYSTONE"
    for v in PROXY_PORT ACCOUNT_PORT CONTAINER_PORT OBJECT_PORT MEMCACHED_PORT; do echo "$v=${!v}"; done
    [ "$KEYSTONE" = 1 ] && echo "KS_PORT=$KS_PORT" && echo "KS_SWIFT_PORT=$KS_SWIFT_PORT"
  } >"$D/state.env"

  local mc_user=()
  [ "$(id -u)" = 0 ] && mc_user=(-u root)

  # Keystone's set-up (keystone-manage db_sync + bootstrap, then projects, users, endpoints
  # and the application credential through the API) costs ~15 s of CPU. Its resulting
  # database is kept as a template in TD_SWIFT_CACHE_DIR (per Keystone version, with the IDs
  # and the application credential secret next to it); later starts copy it and only rewrite
  # the endpoint URLs. The first start runs keystone-manage while Swift starts.
  local ksm_pid="" template="" ks_url="http://127.0.0.1:${KS_PORT:-}"
  local swift_tmpl="http://127.0.0.1:${KS_SWIFT_PORT:-}/v1/AUTH_%(project_id)s"
  if [ "$KEYSTONE" = 1 ]; then
    write_keystone_conf
    write_proxy_conf "$D/etc/ks-proxy-server.conf" "$KS_SWIFT_PORT" keystone
    "$PY" "$HELPER" fernet-keys "$D/keystone/fernet-keys" "$D/keystone/fernet-receipts" \
      "$D/keystone/credential-keys"
    local ks_ver cache_dir="${TD_SWIFT_CACHE_DIR:-/tmp/td-swift-cache}"
    ks_ver="$(dpkg-query -W -f='${Version}' python3-keystone 2>/dev/null || echo unknown)"
    template="$cache_dir/keystone-${ks_ver//[^A-Za-z0-9.+-]/_}-$KS_TEMPLATE_VERSION.db"
    if [ "${TD_SWIFT_NO_CACHE:-0}" != 1 ] && [ -s "$template" ] && [ -s "$template.env" ]; then
      if cp "$template" "$D/keystone/keystone.db" &&
         "$PY" "$HELPER" ks-fix-endpoints "$D/keystone/keystone.db" "$ks_url/v3" "$swift_tmpl" \
           2>>"$D/log/ks-setup.log"; then
        # shellcheck disable=SC1090
        . "$template.env"  # KS_PROJECT_ID KS_USER_ID KS_APP_CRED_ID KS_APP_CRED_SECRET
        start_proc keystone "$PY" "$HELPER" serve-keystone "$D/keystone/keystone.conf" 127.0.0.1 "$KS_PORT"
        template=""  # nothing to set up or save later
      else
        log "warning: the cached Keystone database $template does not fit; making a new one"
        rm -f "$template" "$template.env" "$D/keystone/keystone.db"
      fi
    fi
    if [ -n "$template" ]; then
      (
        kc="$D/keystone/keystone.conf"
        keystone-manage --config-file "$kc" db_sync &&
        "$PY" "$HELPER" sqlite-wal "$D/keystone/keystone.db" &&
        keystone-manage --config-file "$kc" bootstrap \
          --bootstrap-password "$KS_ADMIN_PASSWORD" --bootstrap-username admin \
          --bootstrap-project-name admin --bootstrap-role-name admin \
          --bootstrap-service-name keystone --bootstrap-region-id RegionOne \
          --bootstrap-admin-url "$ks_url/v3" --bootstrap-internal-url "$ks_url/v3" \
          --bootstrap-public-url "$ks_url/v3"
      ) </dev/null >>"$D/log/keystone-manage.log" 2>&1 &
      ksm_pid=$!
      record_pid ks-manage "$ksm_pid"
    fi
  fi

  start_proc memcached memcached -l 127.0.0.1 -p "$MEMCACHED_PORT" -U 0 -m 64 -t 2 "${mc_user[@]}"
  # One Python process imports Swift and forks the servers: ~0.6 s less CPU per server.
  local specs=()
  for k in account container object proxy; do specs+=("$k:$k:$D/etc/$k-server.conf"); done
  [ "$KEYSTONE" = 1 ] && specs+=("ks-proxy:proxy:$D/etc/ks-proxy-server.conf")
  "$PY" "$HELPER" spawn-swift "$D/etc" "$D/run" "$D/log" "${specs[@]}" </dev/null >>"$D/log/spawn.log" 2>&1 \
    || { tail -n 20 "$D/log/spawn.log" >&2; die "could not start the Swift servers"; }
  local checks=(memcached "memcached:$MEMCACHED_PORT"
    account "http://127.0.0.1:$ACCOUNT_PORT/healthcheck"
    container "http://127.0.0.1:$CONTAINER_PORT/healthcheck"
    object "http://127.0.0.1:$OBJECT_PORT/healthcheck"
    proxy "http://127.0.0.1:$PROXY_PORT/healthcheck")
  if [ "$KEYSTONE" = 1 ]; then
    checks+=(ks-proxy "http://127.0.0.1:$KS_SWIFT_PORT/healthcheck")
  fi
  wait_healthy "${TD_SWIFT_START_TIMEOUT:-600}" "${checks[@]}" || die "Swift did not come up"
  log "swift healthy after $(( $(now_ms) - t0 )) ms (proxy 127.0.0.1:$PROXY_PORT)"

  if [ "$KEYSTONE" = 1 ]; then
    if [ -n "$ksm_pid" ]; then
      if ! wait "$ksm_pid"; then
        tail -n 30 "$D/log/keystone-manage.log" >&2
        die "keystone-manage db_sync/bootstrap failed (log: $D/log/keystone-manage.log)"
      fi
      rm -f "$D/run/ks-manage.pid"
      start_proc keystone "$PY" "$HELPER" serve-keystone "$D/keystone/keystone.conf" 127.0.0.1 "$KS_PORT"
    fi
    wait_healthy "${TD_SWIFT_START_TIMEOUT:-600}" keystone "$ks_url/v3" || die "Keystone did not come up"
    if [ -n "$ksm_pid" ]; then
      local spec out
      spec="{\"project\":\"$KS_PROJECT\",\"user\":\"$KS_USER\",\"password\":\"$KS_PASSWORD\",\"service_user\":\"$KS_SERVICE_USER\",\"service_password\":\"$KS_SERVICE_PASSWORD\"}"
      out="$("$PY" "$HELPER" ks-setup "$ks_url" "$KS_ADMIN_PASSWORD" "$swift_tmpl" "$spec" \
        2>>"$D/log/ks-setup.log")" \
        || { tail -n 20 "$D/log/ks-setup.log" >&2; die "Keystone set-up (projects, users, endpoints) failed"; }
      eval "$out"  # KS_PROJECT_ID KS_USER_ID KS_APP_CRED_ID KS_APP_CRED_SECRET
      if [ "${TD_SWIFT_NO_CACHE:-0}" != 1 ]; then
        if ! { mkdir -p "$(dirname "$template")" &&
               printf '%s\n' "$out" >"$template.env.tmp.$$" &&
               "$PY" "$HELPER" sqlite-copy "$D/keystone/keystone.db" "$template.tmp.$$" &&
               mv -f "$template.env.tmp.$$" "$template.env" &&
               mv -f "$template.tmp.$$" "$template"; }; then
          rm -f "$template.tmp.$$" "$template.env.tmp.$$"
          log "warning: could not cache the Keystone database in $template"
        fi
      fi
    fi
    log "keystone ready after $(( $(now_ms) - t0 )) ms (127.0.0.1:$KS_PORT, swift via 127.0.0.1:$KS_SWIFT_PORT)"
  fi

  {
    echo "# written by scripts/swift/swift-test-server.sh start; source it"
    echo "export TD_SWIFT_DIR=$(q "$D")"
    echo "export TD_SWIFT_PROXY_URL=$(q "http://127.0.0.1:$PROXY_PORT")"
    echo "export ST_AUTH=$(q "http://127.0.0.1:$PROXY_PORT/auth/v1.0")"
    echo "export ST_USER=$(q "test:tester")"
    echo "export ST_KEY=$(q "testing")"
    echo "export TD_SWIFT_STORAGE_URL=$(q "http://127.0.0.1:$PROXY_PORT/v1/AUTH_test")"
    echo "export TD_SWIFT_USER2=$(q "test2:tester2")"
    echo "export TD_SWIFT_KEY2=$(q "testing2")"
    echo "export TD_SWIFT_STORAGE_URL2=$(q "http://127.0.0.1:$PROXY_PORT/v1/AUTH_test2")"
    echo "export TD_SWIFT_MAX_FILE_SIZE=$(q "${TD_SWIFT_MAX_FILE_SIZE:-2097152}")"
    echo "export TD_SWIFT_CONTAINER_LISTING_LIMIT=$(q "${TD_SWIFT_CONTAINER_LISTING_LIMIT:-3}")"
    echo "export TD_SWIFT_OBJECT_PORT=$(q "$OBJECT_PORT")"
    if [ "$KEYSTONE" = 1 ]; then
      echo "export OS_AUTH_URL=$(q "http://127.0.0.1:$KS_PORT/v3")"
      echo "export OS_USERNAME=$(q "$KS_USER")"
      echo "export OS_PASSWORD=$(q "$KS_PASSWORD")"
      echo "export OS_PROJECT_NAME=$(q "$KS_PROJECT")"
      echo "export OS_USER_DOMAIN_NAME=Default"
      echo "export OS_PROJECT_DOMAIN_NAME=Default"
      echo "export OS_REGION_NAME=RegionOne"
      echo "export OS_INTERFACE=public"
      echo "export OS_IDENTITY_API_VERSION=3"
      echo "export TD_KS_PROJECT_ID=$(q "$KS_PROJECT_ID")"
      echo "export TD_KS_USER_ID=$(q "$KS_USER_ID")"
      echo "export TD_KS_APP_CRED_ID=$(q "$KS_APP_CRED_ID")"
      echo "export TD_KS_APP_CRED_SECRET=$(q "$KS_APP_CRED_SECRET")"
      echo "export TD_KS_PROXY_URL=$(q "http://127.0.0.1:$KS_SWIFT_PORT")"
      echo "export TD_KS_SWIFT_URL=$(q "http://127.0.0.1:$KS_SWIFT_PORT/v1/AUTH_$KS_PROJECT_ID")"
      echo "export TD_KS_ADMIN_USER=admin"
      echo "export TD_KS_ADMIN_PASSWORD=$(q "$KS_ADMIN_PASSWORD")"
    fi
  } >"$D/env.sh.tmp"
  mv "$D/env.sh.tmp" "$D/env.sh"
  START_OK=1
  trap - EXIT
  log "started in $(( $(now_ms) - t0 )) ms; source $D/env.sh"
}

# ---------------------------------------------------------------- other commands
cmd_stop() {
  if [ ! -d "$D/run" ]; then log "nothing to stop in $D"; return 0; fi
  stop_all || die "some processes did not stop"
  rm -f "$D/env.sh"
}

cmd_stop_object() {
  load_state
  # SIGKILL: in-flight downloads break off at once, as when storage dies.
  stop_proc object KILL || die "could not stop the object server"
}

# Starts server NAME (object|proxy) on PORT again and waits until it answers (after load_state).
restart_server() {
  local name="$1" port="$2" what="$3"
  if running "$name"; then log "$what already runs"; return 0; fi
  "$PY" "$HELPER" port-free "$port" || die "$what port 127.0.0.1:$port is in use"
  start_proc "$name" "$PY" "$HELPER" serve-swift "$name" "$D/etc/$name-server.conf" "$D/etc"
  wait_healthy "${TD_SWIFT_START_TIMEOUT:-600}" "$name" "http://127.0.0.1:$port/healthcheck" \
    || { stop_proc "$name" KILL || true; die "$what did not come back"; }
  log "$what back on 127.0.0.1:$port"
}

cmd_start_object() { load_state; restart_server object "$OBJECT_PORT" "object server"; }

cmd_stop_proxy() {
  load_state
  stop_proc proxy TERM || die "could not stop the proxy"
}

cmd_start_proxy() { load_state; restart_server proxy "$PROXY_PORT" "proxy"; }

cmd_status() {
  load_state
  local n rc=0 names=(memcached account container object proxy)
  [ "$KEYSTONE" = 1 ] && names+=(keystone ks-proxy)
  for n in "${names[@]}"; do
    if running "$n"; then echo "$n: running (PID $RUN_PID)"; else echo "$n: stopped"; rc=1; fi
  done
  echo "proxy: http://127.0.0.1:$PROXY_PORT  account :$ACCOUNT_PORT  container :$CONTAINER_PORT  object :$OBJECT_PORT  memcached :$MEMCACHED_PORT"
  [ "$KEYSTONE" = 1 ] && echo "keystone: http://127.0.0.1:$KS_PORT/v3  keystone proxy: http://127.0.0.1:$KS_SWIFT_PORT"
  echo "env: $D/env.sh"
  return $rc
}

case "${1:-}" in
  start) shift; cmd_start "$@" ;;
  stop) cmd_stop ;;
  stop-object) cmd_stop_object ;;
  start-object) cmd_start_object ;;
  stop-proxy) cmd_stop_proxy ;;
  start-proxy) cmd_start_proxy ;;
  status) cmd_status ;;
  *) echo "usage: $0 start [--keystone] | stop | stop-object | start-object | stop-proxy |" \
          "start-proxy | status" >&2; exit 2 ;;
esac
