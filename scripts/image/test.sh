#!/usr/bin/env bash
# Builds the Dockerfile without a Docker engine (buildah, chroot isolation) on a local stand-in of
# its pinned base, then tests the image as `docker run -p 8080:8080 IMAGE` would run it:
#   - its config: non-root numeric user, HEALTHCHECK on /health, EXPOSE 8080, volume /data,
#     OCI labels (version, revision, source), tini as entrypoint;
#   - its own entrypoint and command, run as the image's user with /data a volume: /health,
#     /ready, the demo's smoke tests and routes (`modelgate smoke`), the HEALTHCHECK command, every
#     process of the container not root, nothing written outside /data, a clean exit on SIGTERM;
#   - its size, printed (target under 250 MB; fails over a 300 MB ceiling).
# Called by .ci/run. Needs root, buildah and debootstrap (.ci/run installs them).
#
# usage: scripts/image/test.sh [IMAGE_TAG]
set -euo pipefail
cd "$(dirname "$0")/../.."
tag="${1:-localhost/modelgate:ci}"
# a free port unless one is given (the container shares the host's network with chroot isolation)
port="${IMAGE_TEST_PORT:-$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')}"
size_target_mb=250
# a regression guard above today's size: the base image alone is ~190 MB (Debian 70, Node 120)
size_limit_mb="${IMAGE_SIZE_LIMIT_MB:-300}"
# a syntactically valid admin key (modelgate keys generate's format), used for this run only
admin_key="mg_imagetest_$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"

step() { printf -- '--- %s\n' "$*"; }
fail() { echo "image test: FAIL: $*" >&2; exit 1; }
# jq-less JSON checks: jsonq 'expression on b' < json
jsonq() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const b=JSON.parse(s);const v=eval(process.argv[1]);if(v===false||v===undefined||v===null)process.exit(1);console.log(typeof v==="string"?v:JSON.stringify(v))})' "$1"; }

ctr="" server="" marker=""
# this run's container processes: they carry this run's admin key in their environment
container_pids() {
  local p
  for p in $(pgrep -f "node /app/bin/modelgate.js" || true); do
    tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -x "MODELGATE_ADMIN_KEY=$admin_key" >/dev/null && echo "$p"
  done
}
cleanup() {
  # `buildah run` does not pass a signal on to the container: stop its processes directly
  local p
  for p in $(container_pids); do kill -KILL "$p" 2>/dev/null || true; done
  if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then kill -TERM "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  if [ -n "$ctr" ]; then buildah umount "$ctr" >/dev/null 2>&1 || true; buildah rm "$ctr" >/dev/null 2>&1 || true; fi
  rm -f "$marker"
}
trap cleanup EXIT

step "stand-in for the base image"
t0=$SECONDS
base="$(scripts/image/standin-base.sh)"
echo "base: $base ($((SECONDS - t0)) s)"

step "build (buildah bud --isolation chroot)"
t0=$SECONDS
version="$(node -p 'require("./package.json").version')"
previous="$(buildah images --quiet --no-trunc "$tag" 2>/dev/null || true)"
revision="$(git rev-parse HEAD 2>/dev/null || echo unknown)"
# the CA bundle npm trusts here (a TLS-inspecting proxy's CA, say), lent to the build's npm ci
secret=()
cafile="${NODE_EXTRA_CA_CERTS:-$(npm config get cafile 2>/dev/null || true)}"
if [ -n "$cafile" ] && [ -s "$cafile" ]; then secret=(--secret "id=npm_ca,src=$cafile"); fi
build() {
  buildah bud --isolation chroot --format docker --layers --force-rm --pull=never "$@" \
    --build-arg NODE_IMAGE="$base" --build-arg VERSION="$version" --build-arg REVISION="$revision" \
    "${secret[@]}" -t "$tag" . >/tmp/modelgate-image-build.log 2>&1 \
    || { tail -40 /tmp/modelgate-image-build.log >&2; fail "build failed (log: /tmp/modelgate-image-build.log)"; }
}
build
# buildah's layer cache can reuse a LABEL layer built with another REVISION (the build argument is
# not part of its cache key): a label that does not match this commit means a stale layer, so the
# image is built again without the cache
built_revision="$(buildah inspect --type image "$tag" | jsonq "b.Docker.config.Labels['org.opencontainers.image.revision']" || true)"
if [ "$built_revision" != "$revision" ]; then
  echo "the layer cache gave revision ${built_revision:0:12}, not ${revision:0:12}: building again without it"
  build --no-cache
fi
echo "built $tag in $((SECONDS - t0)) s"
# the image this tag named before is of no more use (the build's own layer cache stays)
if [ -n "$previous" ] && [ "$previous" != "$(buildah images --quiet --no-trunc "$tag")" ]; then
  buildah rmi "$previous" >/dev/null 2>&1 || true
fi

step "image config"
config="$(buildah inspect --type image "$tag" | jsonq 'b.Docker.config')"
user="$(jsonq 'b.User' <<<"$config")"
[[ "$user" =~ ^[1-9][0-9]*(:[0-9]+)?$ ]] || fail "USER must be a numeric non-root uid, is '$user'"
jsonq 'b.Healthcheck.Test.join(" ").includes("/health")' <<<"$config" >/dev/null || fail "no HEALTHCHECK on /health"
jsonq '"8080/tcp" in b.ExposedPorts' <<<"$config" >/dev/null || fail "port 8080 not exposed"
jsonq '"/data" in b.Volumes' <<<"$config" >/dev/null || fail "/data is not a volume"
jsonq 'b.Env.includes("MODELGATE_HOME=/data") && b.Env.includes("MODELGATE_HOST=0.0.0.0") && b.Env.includes("NODE_OPTIONS=--max-semi-space-size=8") && b.Env.includes("MALLOC_ARENA_MAX=2")' <<<"$config" >/dev/null \
  || fail "MODELGATE_HOME=/data, MODELGATE_HOST=0.0.0.0, NODE_OPTIONS=--max-semi-space-size=8 and MALLOC_ARENA_MAX=2 must be set"
jsonq 'b.Entrypoint[0] === "/usr/bin/tini"' <<<"$config" >/dev/null || fail "tini is not the entrypoint"
jsonq "b.Labels['org.opencontainers.image.version'] === '$version' && b.Labels['org.opencontainers.image.revision'] === '$revision' && /^https:/.test(b.Labels['org.opencontainers.image.source'])" <<<"$config" >/dev/null \
  || fail "OCI labels version/revision/source missing or wrong: $(jsonq 'b.Labels' <<<"$config")"
echo "user $user, healthcheck, port 8080, volume /data, tini, labels version=$version revision=${revision:0:12}"

step "run the image's entrypoint and command as $user"
ctr="$(buildah from --pull=never "$tag")"
mnt="$(buildah mount "$ctr")"
# the size of the image's file system, uncompressed (what `docker images` shows, near enough)
size_bytes="$(du -sb --exclude=./proc --exclude=./sys "$mnt" | cut -f1)"
size_mb=$((size_bytes / 1000000))
# du counts each file once, in argument order: node, onnxruntime, the other dependencies, the app
breakdown="$(cd "$mnt" && du -sm usr/local/bin/node app/node_modules/onnxruntime-node app/node_modules app \
  | awk -v total="$((size_bytes / 1000000))" 'BEGIN { split("node|onnxruntime-node|other dependencies|app code", n, "|") }
      { printf "%s %s MB, ", n[NR], $1; sum += $1 } END { printf "Debian and the rest %d MB", total - sum }')"
marker="$(mktemp)"
argv=()
while IFS= read -r a; do argv+=("$a"); done < <(jsonq '[...b.Entrypoint, ...b.Cmd].join("\n")' <<<"$config")
sleep 1 # file times of writes after this differ from the marker's
touch "$marker"
# /data: the image's VOLUME, which buildah gives the container as docker run gives an anonymous
# volume (a -v bind mount would be shadowed by it in buildah 1.28)
buildah run --isolation chroot --user "$user" \
  --env MODELGATE_PORT="$port" --env MODELGATE_ADMIN_KEY="$admin_key" \
  "$ctr" -- "${argv[@]}" >/tmp/modelgate-image-run.log 2>&1 &
server=$!
for _ in $(seq 1 120); do
  curl -fsS -o /dev/null "http://127.0.0.1:$port/health" 2>/dev/null && break
  kill -0 "$server" 2>/dev/null || { cat /tmp/modelgate-image-run.log >&2; fail "the container exited"; }
  sleep 0.5
done
# the post-deploy checks, by this checkout's CLI (.ci/run built dist/ before)
MODELGATE_API_KEY="$admin_key" node dist/cli/index.js smoke --url "http://127.0.0.1:$port" --wait 90
# what the trimmed node_modules must still serve: the API docs and the metrics
curl -fsS -o /dev/null "http://127.0.0.1:$port/docs/" || fail "GET /docs/ (swagger-ui) failed"
curl -fsS "http://127.0.0.1:$port/openapi.json" | jsonq 'b.openapi' >/dev/null || fail "GET /openapi.json failed"
# read whole, then searched: `curl | grep -q` fails under pipefail when grep stops reading early
metrics="$(curl -fsS -H "Authorization: Bearer $admin_key" "http://127.0.0.1:$port/metrics")" \
  || fail "GET /metrics failed"
grep -q '^modelgate_http_requests_total' <<<"$metrics" || fail "GET /metrics has no modelgate_http_requests_total"
echo "/docs/, /openapi.json and /metrics ok"

step "HEALTHCHECK command, inside the container"
mapfile -t hc < <(jsonq 'b.Healthcheck.Test.slice(1).join("\n")' <<<"$config")
buildah run --isolation chroot --user "$user" --env MODELGATE_PORT="$port" "$ctr" -- "${hc[@]}" \
  || fail "the HEALTHCHECK command failed"
echo "healthcheck: exit 0"

step "processes of the container are not root"
mapfile -t pids < <(container_pids)
[ "${#pids[@]}" -ge 2 ] || fail "expected tini and node in the container, found pids: ${pids[*]:-none}"
for p in "${pids[@]}"; do
  uids="$(awk '/^Uid:/ {print $2, $3, $4, $5}' "/proc/$p/status")"
  [ "$uids" = "${user%%:*} ${user%%:*} ${user%%:*} ${user%%:*}" ] || fail "pid $p runs with uids $uids"
  echo "pid $p ($(tr '\0' ' ' <"/proc/$p/cmdline" | cut -c1-60)): uids $uids"
done

# what the server keeps, seen through its own root: the database and the artifacts, in /data
# (serve runs a primary and a worker per CPU: any of them sees the same root)
node_pid=""
for p in "${pids[@]}"; do
  if [[ "$(tr '\0' ' ' <"/proc/$p/cmdline")" == node* ]]; then node_pid="$p"; break; fi
done
[ -n "$node_pid" ] || fail "no node process in the container"
in_data="$(ls -A "/proc/$node_pid/root/data" | tr '\n' ' ')"
[ -n "$in_data" ] || fail "nothing was written to /data"
echo "in /data: $in_data"

step "stop with SIGTERM (to tini, PID 1 in a real container)"
tini=""
for p in "${pids[@]}"; do [[ "$(tr '\0' ' ' <"/proc/$p/cmdline")" == /usr/bin/tini* ]] && tini="$p"; done
[ -n "$tini" ] || fail "tini is not running"
kill -TERM "$tini"
code=0
wait "$server" || code=$?
server=""
[ "$code" = 0 ] || { tail -20 /tmp/modelgate-image-run.log >&2; fail "exit code $code after SIGTERM"; }
echo "exit code 0"

step "nothing written outside MODELGATE_HOME (/data)"
written="$(cd "$mnt" && find . -xdev -newer "$marker" ! -type d \
  ! -path './proc/*' ! -path './sys/*' ! -path './dev/*' ! -path './run/*' ! -path './data/*' \
  ! -path ./etc/hosts ! -path ./etc/resolv.conf ! -path ./etc/hostname | sed -n 1,20p)"
[ -z "$written" ] || fail "the container wrote outside /data (a read-only root file system would refuse): $written"
echo "nothing"

step "size"
echo "image size: $size_mb MB uncompressed ($size_bytes bytes: $breakdown)"
if [ "$size_mb" -lt "$size_target_mb" ]; then
  echo "under the $size_target_mb MB target"
else
  echo "over the $size_target_mb MB target (docs/deploy.md: where the bytes go)"
fi
[ "$size_mb" -lt "$size_limit_mb" ] || fail "the image is $size_mb MB, over the $size_limit_mb MB ceiling"
echo "image test: PASS"
