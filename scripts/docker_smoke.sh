#!/usr/bin/env bash
# Smoke test of the container deployment (issue 8): build the image, start the compose
# stack, wait for the health checks, query the SQL UI, tear everything down.
#
# Not run in CI (it needs root, a Docker engine and minutes). Works on a bare Debian
# machine without a registry: starts its own dockerd (data root under /tmp, no
# iptables) when none answers, and builds a stand-in `python:3.11-slim` by debootstrap
# when that image is absent. Behind a TLS-intercepting proxy, pip inside the build
# needs the host's CA bundle: it is copied into the build context as .build-ca.pem for
# the build only (the builder stage uses it; the final image never contains it).
#
# Prints one PASS/FAIL line per check; exit status 1 if any check failed.
# Environment: SMOKE_DOCKER_ROOT (dockerd data root, default /tmp/monitor-smoke-docker),
# SMOKE_KEEP=1 (leave the stack and the dockerd running for inspection), SMOKE_KEEPER=1
# (run a process beside `monitor run` that holds the archive open, standing in for a
# daemon that does not keep a connection open itself; see the WAL check below).
set -uo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
PROJECT=monitor-smoke
IMAGE=statement-monitor:latest
DOCKER_ROOT=${SMOKE_DOCKER_ROOT:-/tmp/monitor-smoke-docker}
WORK=$(mktemp -d /tmp/monitor-smoke.XXXXXX)
FAILED=0
STARTED_DOCKERD=
CREATED_ENV=
CREATED_CA=

pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; FAILED=1; }
note() { echo "---- $*"; }
compose() { docker-compose -p "$PROJECT" -f docker-compose.yml -f "$WORK/override.yml" "$@"; }

cleanup() {
    if [ -z "${SMOKE_KEEP:-}" ]; then
        [ -f "$WORK/override.yml" ] && compose down -v --remove-orphans >/dev/null 2>&1
        if [ -n "$STARTED_DOCKERD" ]; then
            kill "$STARTED_DOCKERD" 2>/dev/null && wait "$STARTED_DOCKERD" 2>/dev/null
        fi
    fi
    [ -n "$CREATED_CA" ] && rm -f "$ROOT/.build-ca.pem"
    [ -n "$CREATED_ENV" ] && rm -f "$ROOT/monitor.env"
    rm -rf "$WORK"
}
trap cleanup EXIT

need_root() { [ "$(id -u)" = 0 ] || { echo "FAIL must run as root (starts dockerd, debootstrap)"; exit 1; }; }

# -- tools ------------------------------------------------------------------------------
missing=()
command -v dockerd >/dev/null || missing+=(docker.io)
command -v docker-compose >/dev/null || missing+=(docker-compose)
command -v debootstrap >/dev/null || missing+=(debootstrap)
command -v curl >/dev/null || missing+=(curl)
if [ ${#missing[@]} -gt 0 ]; then
    need_root
    note "apt-get install ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >"$WORK/apt.log" 2>&1 \
        || { echo "FAIL apt-get install ${missing[*]} (see output below)"; tail -20 "$WORK/apt.log"; exit 1; }
fi

# -- engine -----------------------------------------------------------------------------
if ! docker info >/dev/null 2>&1; then
    need_root
    export DOCKER_HOST=unix://$DOCKER_ROOT.sock
    if ! docker info >/dev/null 2>&1; then
        note "starting dockerd (data root $DOCKER_ROOT, no iptables)"
        mkdir -p "$DOCKER_ROOT"
        dockerd --data-root "$DOCKER_ROOT" -H "$DOCKER_HOST" --iptables=false \
            --pidfile "$DOCKER_ROOT.pid" --exec-root "$DOCKER_ROOT.exec" >"$DOCKER_ROOT.log" 2>&1 &
        STARTED_DOCKERD=$!
        for _ in $(seq 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
    fi
fi
if docker info >/dev/null 2>&1; then
    pass "docker engine $(docker version -f '{{.Server.Version}}') at ${DOCKER_HOST:-default socket}"
else
    fail "docker engine did not start (log: $DOCKER_ROOT.log)"; exit 1
fi

# -- base image -------------------------------------------------------------------------
if ! docker image inspect python:3.11-slim >/dev/null 2>&1; then
    need_root
    note "python:3.11-slim absent (no registry?): building a stand-in with debootstrap"
    t0=$(date +%s)
    rootfs=$WORK/rootfs
    mirror=$(sed -n 's/^URIs: *\(http[^ ]*debian\)$/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
    if debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
            bookworm "$rootfs" "${mirror:-http://deb.debian.org/debian}" >"$WORK/debootstrap.log" 2>&1; then
        rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
        tar -C "$rootfs" -c . | docker import --change 'CMD ["python3"]' - python:3.11-slim >/dev/null \
            && pass "stand-in base python:3.11-slim (debootstrap bookworm + docker import) in $(( $(date +%s) - t0 )) s"
    else
        tail -20 "$WORK/debootstrap.log"; fail "debootstrap"; exit 1
    fi
    rm -rf "$rootfs"
else
    pass "base image python:3.11-slim present"
fi

# -- build ------------------------------------------------------------------------------
if [ -f /etc/ssl/certs/ca-certificates.crt ] && [ ! -e .build-ca.pem ]; then
    cp /etc/ssl/certs/ca-certificates.crt .build-ca.pem && CREATED_CA=1
fi
t0=$(date +%s)
# Host network: with --iptables=false a bridge container has no route out to PyPI.
if docker build --network host -t "$IMAGE" . >"$WORK/build.log" 2>&1; then
    build_s=$(( $(date +%s) - t0 ))
    size=$(docker image inspect -f '{{.Size}}' "$IMAGE")
    pass "image built in ${build_s} s, size $(( size / 1000000 )) MB"
else
    tail -30 "$WORK/build.log"; fail "docker build"; exit 1
fi
[ -n "$CREATED_CA" ] && rm -f .build-ca.pem && CREATED_CA=

# -- image hygiene ----------------------------------------------------------------------
inimage() { docker run --rm --entrypoint sh "$IMAGE" -c "$1"; }
[ "$(inimage 'id -u')" = 10001 ] && pass "runs as non-root uid 10001" || fail "image user is not uid 10001"
if inimage 'command -v gcc cc c++ make' >/dev/null; then fail "compiler in image"; else pass "no compiler in image"; fi
leftover=$(inimage 'find / -xdev \( -name .build-ca.pem -o -name monitor.env -o -path "*/.cache/pip" -o -name "*.db" \) 2>/dev/null')
[ -z "$leftover" ] && pass "no build CA, monitor.env, pip cache or archive in image" || fail "left in image: $leftover"
hc=$(docker image inspect -f '{{json .Config.Healthcheck.Test}}' "$IMAGE")
[ "$hc" = '["CMD","monitor","status","--check"]' ] && pass "HEALTHCHECK $hc" || fail "HEALTHCHECK is $hc"

# -- stack ------------------------------------------------------------------------------
if [ ! -e monitor.env ]; then
    cp monitor.env.example monitor.env && CREATED_ENV=1
fi
if docker run --rm "$IMAGE" run --help >/dev/null 2>&1 && [ -n "${SMOKE_KEEPER:-}" ]; then
    MODE="monitor run + archive keeper (SMOKE_KEEPER=1)"
    cat >"$WORK/override.yml" <<'EOF'
services:
  monitor:
    environment:
      MONITOR_HEARTBEAT: 10s
    entrypoint: ["sh", "-c"]
    command:
      - |
        (sleep 5; exec python3 -c 'import signal; from monitor.store import Store; s = Store.open(migrate=False); s.count_documents(); signal.pause()') &
        exec monitor run
EOF
elif docker run --rm "$IMAGE" run --help >/dev/null 2>&1; then
    MODE="monitor run"
    cat >"$WORK/override.yml" <<'EOF'
services:
  monitor:
    environment:
      MONITOR_HEARTBEAT: 10s
EOF
else
    # `monitor run` is not in this build yet: a stand-in that, like the daemon, keeps
    # the archive open (a read-only WAL reader needs the -wal/-shm files to exist).
    MODE="stand-in (no 'monitor run' in this build)"
    cat >"$WORK/override.yml" <<'EOF'
services:
  monitor:
    entrypoint: ["python3", "-c"]
    command:
      - |
        import signal, sys
        from monitor.store import Store
        store = Store.open()
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        signal.pause()
EOF
fi
note "daemon: $MODE"
printf '%s\n' \
  '{"url": "https://www.washingtonpost.com/politics/2024/11/10/trump-putin-call/", "title": "Trump spoke with Putin", "text": "Trump spoke with Putin by phone on Thursday, according to people familiar with the call.", "published": "2024-11-10T16:00:00Z", "source": "washingtonpost"}' \
  | compose run --rm -T --entrypoint monitor monitor import - >"$WORK/import1.log" 2>&1 \
  && pass "monitor import into the volume: $(tail -1 "$WORK/import1.log")" \
  || { cat "$WORK/import1.log"; fail "monitor import"; }

t0=$(date +%s)
compose up -d >"$WORK/up.log" 2>&1 || { cat "$WORK/up.log"; fail "compose up"; }
cid_monitor=$(compose ps -q monitor)
cid_sql=$(compose ps -q sql)
health() { docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}' "$1" 2>/dev/null; }
wait_healthy() {
    local cid=$1 name=$2 deadline=$(( $(date +%s) + ${3:-300} ))
    [ -z "$cid" ] && cid=$(compose ps -q "$name")
    while [ "$(date +%s)" -lt "$deadline" ]; do
        [ -z "$cid" ] && cid=$(compose ps -q "$name")
        [ -n "$cid" ] && [ "$(health "$cid")" = healthy ] && return 0
        sleep 3
    done
    return 1
}
if wait_healthy "$cid_monitor" monitor; then
    pass "monitor healthy after $(( $(date +%s) - t0 )) s"
else
    fail "monitor not healthy: $(health "$cid_monitor")"; docker logs --tail 30 "$cid_monitor" 2>&1
fi
# A read-only WAL reader (the sql service) can open the archive only while its -wal and
# -shm files exist, i.e. while some process has it open. Sample for 5 s.
gone=0
for _ in $(seq 10); do
    docker exec "$cid_monitor" test -e /data/monitor.db-wal || gone=$((gone + 1)); sleep 0.5
done
[ $gone = 0 ] && pass "archive stays open while the daemon runs (-wal present in 10/10 samples)" \
    || fail "daemon does not keep the archive open: -wal absent in $gone/10 samples, so the read-only UI cannot open it between jobs"
if wait_healthy "$cid_sql" sql 150; then
    pass "sql healthy after $(( $(date +%s) - t0 )) s"
else
    fail "sql not healthy"; compose logs --tail 30 sql
fi

# -- SQL UI -----------------------------------------------------------------------------
UI=http://127.0.0.1:8001/monitor
get() { curl -s --max-time 10 "$@"; }
body=$(get "$UI/search_documents.json?q=Putin&_shape=array")
echo "$body" | grep -q 'trump-putin-call' && pass "SQL UI: canned query search_documents finds the report" \
    || fail "SQL UI search_documents: ${body:0:300}"
for q in latest_denial_events source_health recent_matches "denial_with_reports?denial_id=1"; do
    sep='?'; case $q in *\?*) sep='&';; esac
    code=$(get -o /dev/null -w '%{http_code}' "$UI/${q}.json${sep}_shape=array")
    [ "$code" = 200 ] && pass "SQL UI: canned query ${q%%\?*} HTTP 200" || fail "SQL UI: ${q%%\?*} HTTP $code"
done
count() { get "$UI.json?sql=select+count(*)+as+n+from+documents&_shape=array" | tr -dc '0-9'; }
before=$(count)
printf '%s\n' \
  '{"url": "https://tass.com/politics/1868745", "title": "Kremlin denies report", "text": "Peskov said the report of a Trump-Putin call was pure fiction.", "published": "2024-11-11T09:00:00Z", "source": "tass-en", "role": "official"}' \
  | compose exec -T monitor monitor import - >"$WORK/import2.log" 2>&1 || { cat "$WORK/import2.log"; fail "second import"; }
after=$(count)
[ "${before:-x}" = 1 ] && [ "${after:-x}" = 2 ] && pass "SQL UI sees the live writer: documents $before -> $after" \
    || fail "SQL UI documents before/after a write: '$before' -> '$after'"
w=$(get "$UI.json?sql=with+x+as+(select+1)+delete+from+documents&_shape=array")
echo "$w" | grep -qi 'readonly\|read-only\|read only' && pass "SQL UI refuses a write: $(echo "$w" | grep -o '"error": *"[^"]*"' | head -1)" \
    || fail "write attempt not refused as read-only: ${w:0:300}"
[ "$(count)" = 2 ] && pass "archive unchanged after the write attempt" || fail "documents count changed"
ro=$(compose exec -T sql sh -c 'touch /data/x' 2>&1)
echo "$ro" | grep -q 'Read-only file system' && pass "sql container's /data is read-only" \
    || fail "sql container's /data is not read-only: ${ro:0:200}"
get -o /dev/null -w '%{http_code}' "$UI.db" | grep -q '^4' && pass "database download disabled" || fail "database download allowed"

compose ps
echo "RESULT: $([ $FAILED = 0 ] && echo PASS || echo FAIL) (daemon: $MODE)"
exit $FAILED
