#!/usr/bin/env bash
# Distribution check, from a fresh machine: cross-build every release target
# (.ci/release.sh), run the native binary's --version, then build the image
# from the Containerfile with podman, run it and call it with curl.
#
# Podman runs here as these CI machines need it: the cgroupfs cgroup manager,
# the runc runtime, the host's network, and a containers.conf without
# default ulimits. The image listens on 8080 by default; on the host's network
# it is told to take a free port instead, read from its ready line.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf -- '-- %s\n' "$*"; }
fail() { echo "dist.sh: $*" >&2; exit 1; }

work=$(mktemp -d)
container=""
cleanup() {
  [ -n "$container" ] && podman "${podman_flags[@]}" rm -f -t 2 "$container" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

step "tools: podman, runc, zip (Debian)"
sudo=""
[ "$(id -u)" -ne 0 ] && sudo=sudo
missing=""
for tool in podman runc zip curl; do
  command -v "$tool" >/dev/null || missing="$missing $tool"
done
if [ -n "$missing" ]; then
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 podman runc zip curl >/dev/null
fi

step "cross-build every target"
version="ci-$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
bash .ci/release.sh "$version" "$work/dist"
archives=$(cd "$work/dist" && ls -- *.tar.gz *.zip)
[ "$(echo "$archives" | wc -l)" -eq 6 ] || fail "want 6 archives, got: $archives"
(cd "$work/dist" && sha256sum --quiet -c SHA256SUMS) || fail "SHA256SUMS does not match the archives"

step "the native binary's --version"
goos=$(go env GOOS) goarch=$(go env GOARCH)
tar -C "$work" -xzf "$work/dist/pixiebrix-fake_${version}_${goos}_${goarch}.tar.gz"
got=$("$work/pixiebrix-fake_${version}_${goos}_${goarch}/pixiebrix-fake" --version)
want="pixiebrix-fake $version (go"
case "$got" in "$want"*" $goos/$goarch)") echo "$got" ;; *) fail "--version printed '$got', want '$want... $goos/$goarch)'" ;; esac
for binary in "$work/dist/image/"*; do
  file_out=$(od -An -c -N4 "$binary" | tr -d ' ')
  [ "$file_out" = '177ELF' ] || fail "$binary is not an ELF binary"
done

step "build the image (FROM scratch, no registry)"
printf '[containers]\ndefault_ulimits = []\n' > "$work/containers.conf"
export CONTAINERS_CONF="$work/containers.conf"
podman_flags=(--cgroup-manager=cgroupfs)
run_flags=(--runtime runc --network host)
image="localhost/pixiebrix-fake:$version"
podman "${podman_flags[@]}" build -q -t "$image" -f Containerfile "$work/dist/image" >/dev/null
user=$(podman "${podman_flags[@]}" image inspect -f '{{.Config.User}}' "$image")
[ "$user" = "65534:65534" ] || fail "image runs as '$user', want 65534:65534"

step "the image refuses to serve every interface without a guard"
set +e
refusal=$(podman "${podman_flags[@]}" run --rm "${run_flags[@]}" "$image" 2>&1)
code=$?
set -e
[ "$code" -eq 2 ] || fail "without a token the image exited $code, want 2: $refusal"
case "$refusal" in *PIXIEBRIX_FAKE_ADMIN_TOKEN*) ;; *) fail "the refusal does not name PIXIEBRIX_FAKE_ADMIN_TOKEN: $refusal" ;; esac

step "the image has no shell"
if podman "${podman_flags[@]}" run --rm "${run_flags[@]}" --entrypoint /bin/sh "$image" -c true >/dev/null 2>&1; then
  fail "the image runs /bin/sh"
fi

step "run the image, call it, stop it"
token="ci-admin-$RANDOM$RANDOM"
container=$(podman "${podman_flags[@]}" run -d "${run_flags[@]}" \
  -e PIXIEBRIX_FAKE_ADMIN_TOKEN="$token" -e PIXIEBRIX_FAKE_ADDR=0.0.0.0:0 "$image")
url=""
for _ in $(seq 1 100); do
  [ "$(podman "${podman_flags[@]}" inspect -f '{{.State.Running}}' "$container")" = true ] ||
    fail "the container stopped: $(podman "${podman_flags[@]}" logs "$container" 2>&1)"
  # The ready line names the wildcard address, 0.0.0.0 or [::]: keep its port.
  url=$(podman "${podman_flags[@]}" logs "$container" 2>/dev/null | sed -n 's/^{"ready":true,"url":"http:\/\/[^"]*:\([0-9]*\)".*/http:\/\/127.0.0.1:\1/p')
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || fail "no ready line: $(podman "${podman_flags[@]}" logs "$container" 2>&1)"
echo "serving on $url"
members=$(curl -fsS -H 'Authorization: Token acme-admin-token' -H 'Accept: application/json; version=2.0' \
  "$url/api/organizations/0a000000-0000-4000-8000-000000000001/memberships/?page_size=2")
case "$members" in *'"email":"'*) echo "memberships: ${members:0:120}..." ;; *) fail "memberships: $members" ;; esac
status=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$url/__fake/reset")
[ "$status" = 401 ] || fail "the control plane without the token answered $status, want 401"
curl -fsS -X POST -H "Authorization: Bearer $token" "$url/__fake/reset" >/dev/null
podman "${podman_flags[@]}" stop -t 10 "$container" >/dev/null
exit_code=$(podman "${podman_flags[@]}" inspect -f '{{.State.ExitCode}}' "$container")
[ "$exit_code" = 0 ] || fail "the container exited $exit_code after SIGTERM, want 0"
podman "${podman_flags[@]}" logs "$container" 2>&1 | grep -q 'msg="shutting down"' || fail "no graceful shutdown in the log"
podman "${podman_flags[@]}" rm "$container" >/dev/null
container=""
podman "${podman_flags[@]}" rmi "$image" >/dev/null
echo "dist: ok"
