#!/usr/bin/env bash
# Builds the real Dockerfile with Debian's podman on local base images made from Debian packages (for machines that
# cannot pull mcr.microsoft.com), runs the image and checks what the deployment relies on: it runs as non-root on a
# read-only root filesystem, passes its HEALTHCHECK, serves /predict, and exits 0 soon after SIGTERM.
# Usage (as root): tools/container/podman-check.sh [PORT]     needs: apt-get install podman runc mmdebstrap
# Not part of CI: it downloads Debian packages and takes several minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/../.."
port=${1:-18080}
here=tools/container
local=localhost/zhsenti-local
image=localhost/zhsenti:check
name=zhsenti-check

for tool in podman runc mmdebstrap curl; do
  command -v "$tool" >/dev/null || { echo "podman-check: $tool is missing (apt-get install podman runc mmdebstrap curl)" >&2; exit 1; }
done

# This sandbox (and many CI VMs) cannot run podman's defaults: crun 1.8 refuses cgroup v1 controllers mounted beside
# cgroup2 ("cgroups in hybrid mode not supported"), and the default ulimits (nofile 1048576) exceed the hard limits of
# a process without CAP_SYS_RESOURCE ("setrlimit RLIMIT_NOFILE: Operation not permitted"). runc and ulimits below the
# hard limits work; podman reads them from this file for builds and runs alike.
conf=$(mktemp)
work=$(mktemp -d)
trap 'podman rm -f "$name" >/dev/null 2>&1 || true; rm -rf "$conf" "$work"' EXIT
cat > "$conf" <<'EOF'
[containers]
default_ulimits = ["nofile=4096:4096", "nproc=4096:4096"]
[engine]
runtime = "runc"
EOF
export CONTAINERS_CONF=$conf

step() { echo "podman-check: $*" >&2; }

# 1. Local bases. Debian bookworm from its packages (with what .NET's runtime-deps image installs), then runtime-deps
#    (the app user, APP_UID) and an SDK (this machine's .NET SDK copied in) on it.
if ! podman image exists "$local/debian:bookworm"; then
  step "making $local/debian:bookworm with mmdebstrap"
  mmdebstrap --variant=minbase --include=ca-certificates,libc6,libgcc-s1,libicu72,libssl3,libstdc++6,tzdata,zlib1g \
    bookworm "$work/debian.tar" http://deb.debian.org/debian >&2
  podman import "$work/debian.tar" "$local/debian:bookworm" >/dev/null
fi
if ! podman image exists "$local/runtime-deps:10.0"; then
  step "building $local/runtime-deps:10.0"
  podman build -q --network host --build-arg DEBIAN="$local/debian:bookworm" -f "$here/runtime-deps.Containerfile" -t "$local/runtime-deps:10.0" "$here" >/dev/null
fi
if ! podman image exists "$local/sdk:10.0"; then
  dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
  step "building $local/sdk:10.0 from $dotnet_root"
  podman build -q --network host --build-arg DEBIAN="$local/debian:bookworm" -f "$PWD/$here/sdk.Containerfile" -t "$local/sdk:10.0" "$dotnet_root" >/dev/null
fi

# 2. The image, from the unchanged Dockerfile. Docker format keeps HEALTHCHECK (OCI images have no such field); the
#    build reaches Debian's and NuGet's registries through the host's network, with the host's CA certificates (a
#    machine whose egress re-signs TLS has its own CA there), and reuses this machine's NuGet cache.
step "building $image"
start=$(date +%s)
podman build --format docker --network host -v /etc/ssl/certs:/etc/ssl/certs:ro -v "$HOME/.nuget/packages:/root/.nuget/packages" \
  --build-arg SDK_IMAGE="$local/sdk:10.0" --build-arg RUNTIME_IMAGE="$local/runtime-deps:10.0" -t "$image" . >&2
step "built in $(( $(date +%s) - start )) s, $(podman image inspect --format '{{.Size}}' "$image" | numfmt --to=iec) uncompressed"

# 3. Run it as the deployment does: read-only root, the cache on a tmpfs, the port from the environment.
podman rm -f "$name" >/dev/null 2>&1 || true
podman run -d --name "$name" --read-only --tmpfs /tmp --network host -e ASPNETCORE_HTTP_PORTS="$port" "$image" >/dev/null
for _ in $(seq 60); do curl -sf "http://127.0.0.1:$port/ready" >/dev/null && break; sleep 0.5; done
curl -sf "http://127.0.0.1:$port/ready" >/dev/null || { podman logs "$name" >&2; echo "podman-check: not ready" >&2; exit 1; }

pid=$(podman inspect --format '{{.State.Pid}}' "$name")
uid=$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")
echo "user: uid $uid (image USER $(podman image inspect --format '{{.Config.User}}' "$image"))"
[ "$uid" != 0 ] || { echo "podman-check: runs as root" >&2; exit 1; }

echo "read-only root: $(podman inspect --format '{{.HostConfig.ReadonlyRootfs}}' "$name"); writing /app: $(podman exec "$name" sh -c 'touch /app/probe 2>&1 || true')"
podman exec "$name" sh -c '! touch /app/probe 2>/dev/null' || { echo "podman-check: /app is writable" >&2; exit 1; }

echo "healthcheck: $(podman inspect --format '{{json .Config.Healthcheck.Test}}' "$name")"
podman healthcheck run "$name" && echo "healthcheck: $(podman inspect --format '{{.State.Health.Status}}' "$name")"

answer=$(curl -sf "http://127.0.0.1:$port/predict" -H 'Content-Type: application/json' -d '{"text": "这家店的服务态度真是太好了"}')
echo "/predict: $answer"
[[ $answer == *'"label":"Positive"'* ]] || { echo "podman-check: unexpected /predict answer" >&2; exit 1; }

start=$(date +%s%N)
podman kill --signal TERM "$name" >/dev/null
podman wait "$name" >/dev/null
code=$(podman inspect --format '{{.State.ExitCode}}' "$name")
echo "SIGTERM: exit $code after $(( ($(date +%s%N) - start) / 1000000 )) ms"
podman logs "$name" 2>&1 | tail -n 3
[ "$code" = 0 ] || { echo "podman-check: exit status $code after SIGTERM" >&2; exit 1; }
echo "podman-check: passed"
